"""Collection letters as a bank's legal department signs them (DESIGN §8.1), re-read from the Word files.

A time-barred claim never gets the interruption sentence; a discharged guarantor is never named;
a matured loan's letter demands the whole balance; a letter without an address is refused.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import docx
import pytest
from collect_helpers import AS_OF, POLICY_TEXT, make_loan, resident_id
from docxtext import docx_text
from stdnum.cn import uscc

from docgen.documents.register import Register
from docgen.loans.letters import make_letters, penalty
from docgen.loans.plan import load_policy

D = dt.date
INTERRUPTION = "诉讼时效自本函送达之日起中断"


@pytest.fixture()
def policy_file(tmp_path: Path) -> Path:
    path = tmp_path / "policy.yaml"
    path.write_text(POLICY_TEXT, encoding="utf-8")
    return path


@pytest.fixture()
def policy(policy_file: Path):
    return load_policy(policy_file)


def _letters(tmp_path: Path, policy, loans, as_of: dt.date = AS_OF):
    with Register(tmp_path / "register.sqlite") as register:
        return make_letters(loans, as_of, tmp_path / "out", policy=policy, register=register)


def _texts(result) -> dict[tuple[str, str, str], str]:
    return {(o.loan_no, o.document, o.party): docx_text(Path(o.file)) for o in result.written}


# Overdue since 2022-07-18 (day 1), matured the day before: the claim fell due 2022-07-17 and its
# three years ended 2025-07-17. The guarantee period (maturity + 6 months) ended 2023-01-17.
BARRED = dict(days=1595, maturity=D(2022, 7, 17), disbursed_on=D(2020, 7, 17), balance=Decimal("88000"),
              overdue_principal=Decimal("88000"), guarantors=["钱七"])


def test_a_time_barred_claim_gets_the_debt_confirmation_never_the_interruption_sentence(tmp_path, policy) -> None:
    result = _letters(tmp_path, policy, [make_loan("JJ0001", borrower="龙安", **BARRED)])
    ((key, text),) = _texts(result).items()
    assert key == ("JJ0001", "debt-confirmation", "龙安")
    assert "催 收 通 知 书" in text and "债 务 确 认 回 执" in text
    assert "同意归还上述欠款" in text and "88,000.00" in text
    for forbidden in (INTERRUPTION, "第一百九十五条", "中断", "钱七", "提起诉讼"):
        assert forbidden not in text
    assert result.written[0].serial == "催通字〔2026〕第00001号"


def test_on_the_last_day_the_demand_letter_still_interrupts_if_served_that_day(tmp_path, policy) -> None:
    # Claim fell due 2023-11-28: its last day is 2026-11-28, the letter date. Served that day the
    # letter interrupts the period; served later it does not, so it says so only as a condition.
    loan = make_loan("JJ0001", days=1097, maturity=D(2023, 11, 28), disbursed_on=D(2021, 11, 28))
    result = _letters(tmp_path, policy, [loan])
    assert [o.document for o in result.written] == ["demand-letter"]
    assert ("本函在诉讼时效期间届满前送达的，上述债权的" + INTERRUPTION
            in _texts(result)[("JJ0001", "demand-letter", loan.borrower)])
    assert result.written[0].facts == {"serve_by": "2026-11-28"}
    # One day later the period has run out: the notice without the sentence.
    later = _letters(tmp_path / "later", policy, [make_loan("JJ0001", days=1098, maturity=D(2023, 11, 28),
                                                            disbursed_on=D(2021, 11, 28))])
    assert [o.document for o in later.written] == ["debt-confirmation"]


def test_a_demand_served_after_expiry_does_not_make_the_claim_live_again(tmp_path, policy) -> None:
    served_late = make_loan("JJ0001", **BARRED, last_interruption=D(2025, 9, 1), interruption_type="催收送达")
    acknowledged = make_loan("JJ0002", **{**BARRED, "guarantors": []}, last_interruption=D(2025, 9, 1),
                             interruption_type="债务人确认", row=3)
    result = _letters(tmp_path, policy, [served_late, acknowledged])
    assert [(o.loan_no, o.document) for o in result.written] == [
        ("JJ0001", "debt-confirmation"), ("JJ0002", "demand-letter")]


def test_a_discharged_guarantor_is_never_named(tmp_path, policy) -> None:
    # Revived by the debtor's acknowledgment (art. 192), but the guarantee lapsed in 2023.
    loan = make_loan("JJ0001", **BARRED, last_interruption=D(2026, 1, 5), interruption_type="债务人确认")
    result = _letters(tmp_path, policy, [loan])
    assert [(o.document, o.party) for o in result.written] == [("demand-letter", loan.borrower)]
    text = _texts(result)[("JJ0001", "demand-letter", loan.borrower)]
    assert "钱七" not in text and "保证人" not in text
    assert INTERRUPTION in text


def test_a_matured_loan_demands_the_whole_balance(tmp_path, policy) -> None:
    loan = make_loan("JJ0001", days=40, maturity=D(2026, 10, 19), disbursed_on=D(2024, 10, 19),
                     balance=Decimal("206000"), overdue_principal=Decimal("61800"), overdue_interest=Decimal("0"))
    (letter,) = _letters(tmp_path, policy, [loan]).written
    text = docx_text(Path(letter.file))
    assert "该笔贷款已于2026年10月19日到期" in text
    assert "贷款本金余额\n206,000.00" in text and "61,800.00" not in text
    # 罚息: 61,800 x 0.0005 x 40 days + 144,200 x 0.0005 x 40 days (from 2026-10-20) = 4,120.00
    assert penalty(loan, AS_OF, load_policy_with(tmp_path)) == Decimal("4120.00")


def load_policy_with(tmp_path: Path, extra: str = ""):
    path = tmp_path / "p2.yaml"
    path.write_text(POLICY_TEXT + extra, encoding="utf-8")
    return load_policy(path)


def test_acceleration_by_row_or_policy(tmp_path, policy) -> None:
    row_asks = make_loan("JJ0001", days=30, accelerated=True)
    (letter,) = _letters(tmp_path / "row", policy, [row_asks]).written
    text = docx_text(Path(letter.file))
    assert "我行现宣布上述贷款全部提前到期" in text and "贷款本金余额\n420,000.00" in text
    plain = make_loan("JJ0001", days=30)
    (letter,) = _letters(tmp_path / "plain", policy, [plain]).written
    assert "提前到期" not in docx_text(Path(letter.file))
    accelerating = load_policy_with(tmp_path, "accelerate: true\n")
    (letter,) = _letters(tmp_path / "policy", accelerating, [plain]).written
    assert "我行现宣布上述贷款全部提前到期" in docx_text(Path(letter.file))


def test_security_clause_only_for_collateral_that_exists(tmp_path, policy) -> None:
    secured = make_loan("JJ0001", days=30, collateral="房产(杭房权证字第00012号)")
    unsecured = make_loan("JJ0002", days=30, row=3)
    texts = _texts(_letters(tmp_path, policy, [secured, unsecured]))
    assert "依法处置抵押物、质押物（房产（杭房权证字第00012号））" in texts[("JJ0001", "demand-letter", secured.borrower)]
    assert "抵押物" not in texts[("JJ0002", "demand-letter", unsecured.borrower)]
    assert "保证人" not in texts[("JJ0002", "demand-letter", unsecured.borrower)]


def test_penalty_from_the_loans_own_rate(policy) -> None:
    loan = make_loan(days=30, overdue_principal=Decimal("100000"), penalty_rate=Decimal("0.0675"))
    # 100,000 x 6.75 % / 360 x 30 days = 562.50
    assert penalty(loan, AS_OF, policy) == Decimal("562.50")


def test_a_letter_without_the_borrowers_address_is_refused(tmp_path, policy) -> None:
    result = _letters(tmp_path, policy, [make_loan("JJ0001", days=10, address="")])
    assert result.written == [] and not result.complete
    ((outcome),) = result.refused
    assert (outcome.code, outcome.document) == ("no-address", "demand-letter")
    assert not list(tmp_path.rglob("*.docx"))


def test_guarantor_notice_masks_the_borrower_id_and_states_the_period(tmp_path, policy) -> None:
    # Joint guarantee lapsing 2027-02-20, inside the 90-day window: the notice goes out now.
    loan = make_loan("JJ0001", days=40, maturity=D(2026, 8, 20), disbursed_on=D(2024, 8, 20), guarantors=["周八"])
    result = _letters(tmp_path, policy, [loan])
    assert [(o.document, o.party) for o in result.written] == [("demand-letter", loan.borrower),
                                                               ("guarantor-demand", "周八")]
    notice = result.written[1]
    assert notice.facts == {"deadline": "2027-02-20", "ledger_column": "向保证人主张日"}
    text = docx_text(Path(notice.file))
    assert "周八：" in text and "保证期间（至2027年2月20日届满）" in text
    assert loan.id_number not in text and f"{loan.id_number[:6]}********{loan.id_number[-4:]}" in text
    assert "第六百八十八条第二款的规定" in text and "第六百九十三条" not in text and "第六百九十四条第二款" in text


def test_guarantor_notice_is_served_on_the_guarantors_own_address_and_id(tmp_path, policy) -> None:
    company_id = "91330106MA2B3C4D5" + uscc.calc_check_digit("91330106MA2B3C4D5")
    loan = make_loan("JJ0001", days=40, maturity=D(2026, 8, 20), disbursed_on=D(2024, 8, 20),
                     guarantors=["周八", "杭州某某担保有限公司"],
                     guarantor_addresses=("浙江省杭州市拱墅区湖墅南路8号", "浙江省杭州市滨江区江南大道1号、3号"),
                     guarantor_ids=(resident_id(8), company_id))
    result = _letters(tmp_path, policy, [loan])
    texts = _texts(result)
    zhou = texts[("JJ0001", "guarantor-demand", "周八")]
    company = texts[("JJ0001", "guarantor-demand", "杭州某某担保有限公司")]
    # Re-read with python-docx: the 送达回证's rows hold this guarantor's address and full ID number.
    receipt = {row.cells[0].text: row.cells[1].text
               for row in docx.Document(str(next(o.file for o in result.written if o.party == "周八"))).tables[-1].rows}
    assert receipt["受送达人"] == "周八"
    assert receipt["受送达人证件号码"] == resident_id(8)
    assert receipt["送达地址"] == "浙江省杭州市拱墅区湖墅南路8号"
    assert f"周八（证件号码：{resident_id(8)}）：" in zhou
    # Each notice names its own addressee's particulars, never the other guarantor's; the
    # borrower's ID stays masked in both (a third party to these notices).
    assert company_id not in zhou and "湖墅南路" in zhou and "江南大道" not in zhou
    assert company_id in company and resident_id(8) not in company and "江南大道1号、3号" in company
    for text in (zhou, company):
        assert loan.id_number not in text


def test_a_guarantor_without_an_address_gets_no_notice_and_the_reason(tmp_path, policy) -> None:
    loan = make_loan("JJ0001", days=40, maturity=D(2026, 8, 20), disbursed_on=D(2024, 8, 20),
                     guarantors=["周八", "吴九"], guarantor_addresses=("浙江省杭州市拱墅区湖墅南路8号", ""))
    result = _letters(tmp_path, policy, [loan])
    assert [(o.document, o.party) for o in result.written] == [("demand-letter", loan.borrower),
                                                               ("guarantor-demand", "周八")]
    (refused,) = result.refused
    assert (refused.code, refused.document, refused.party, refused.facts) == (
        "no-guarantor-address", "guarantor-demand", "吴九", {"guarantor": "吴九"})
    assert "吴九" in refused.message and "保证人地址" in refused.message
    assert not result.complete
    # No ledger column at all: every guarantor's notice is refused, none goes out with a blank address.
    bare = make_loan("JJ0002", days=40, maturity=D(2026, 8, 20), disbursed_on=D(2024, 8, 20), row=3,
                     guarantors=["郑十"], guarantor_addresses=())
    other = _letters(tmp_path / "bare", policy, [bare])
    assert [o.document for o in other.written] == ["demand-letter"]
    assert [(o.code, o.party) for o in other.refused] == [("no-guarantor-address", "郑十")]
    assert not list((tmp_path / "bare" / "out").rglob("*保证人履行保证责任通知书*"))


def test_a_general_guarantor_is_not_asked_to_pay_before_the_debtor_is_sued(tmp_path, policy) -> None:
    loan = make_loan("JJ0001", days=40, maturity=D(2026, 8, 20), disbursed_on=D(2024, 8, 20),
                     guarantors=["周八"], guarantee_type="一般保证")
    result = _letters(tmp_path, policy, [loan])
    assert [o.document for o in result.written] == ["demand-letter"]


def test_loans_in_court_get_no_letter_and_say_why(tmp_path, policy) -> None:
    result = _letters(tmp_path, policy, [make_loan("JJ0001", days=200, litigation="已起诉",
                                                   litigation_filed=D(2026, 9, 1))])
    assert [(o.code, o.facts) for o in result.outcomes] == [("litigation-pending", {"litigation": "已起诉"})]
    assert result.complete


def test_a_ledger_overdue_date_after_maturity_is_not_what_the_letter_says(tmp_path, policy) -> None:
    # Matured 2026-08-20 unpaid, but the ledger dates 逾期起始日 2026-11-19: the loan is overdue from
    # 2026-08-21, and the letter, its 罚息 and the plan all say so (no date that contradicts maturity).
    loan = make_loan("JJ0001", overdue_since=D(2026, 11, 19), maturity=D(2026, 8, 20), disbursed_on=D(2024, 8, 20),
                     balance=Decimal("100000"), overdue_principal=Decimal("100000"))
    # 100,000 x 0.0005 x 100 days (2026-08-21 to 2026-11-28) = 5,000.00, not 10 days' 500.00.
    assert penalty(loan, AS_OF, policy) == Decimal("5000.00")
    (written,) = _letters(tmp_path, policy, [loan]).written
    text = docx_text(Path(written.file))
    assert "已于2026年8月20日到期，贵方未按约归还，自2026年8月21日起已构成逾期" in text
    assert "2026年11月19日" not in text
    assert "5,000.00" in text


def test_the_costs_of_a_suit_are_claimed_never_said_to_fall_on_the_borrower(tmp_path, policy) -> None:
    # The court apportions the court fees and counsel's fees fall on the borrower only as the contract
    # provides: the letter says the bank will claim them, not that the borrower bears them.
    (letter,) = _letters(tmp_path, policy, [make_loan("JJ0001", days=30)]).written
    text = docx_text(Path(letter.file))
    assert "二、依法向人民法院提起诉讼，并依法及依照借款合同约定要求贵方承担诉讼费、律师费等实现债权的费用。" in text
    assert "由贵方承担" not in text


def test_each_letter_dates_the_lending_not_the_signing(tmp_path, policy) -> None:
    # The ledger's 发放日期 is the day the money was lent; the contract may have been signed before, on a
    # day no ledger column holds. Each letter names that day as the lending's, never as the signing's.
    loans = [make_loan("JJ0001", days=10, borrower="龙安", disbursed_on=D(2025, 12, 3)),
             make_loan("JJ0002", row=3, borrower="吴九", **{**BARRED, "guarantors": []}),
             make_loan("JJ0003", row=4, days=40, maturity=D(2026, 8, 20), disbursed_on=D(2024, 8, 22),
                       guarantors=["周八"])]
    result = _letters(tmp_path, policy, loans)
    openings = {(o.loan_no, o.document): [p.text for p in docx.Document(o.file).paragraphs][3]
                for o in result.written}
    bank = "杭州联合农村商业银行股份有限公司（以下简称“我行”）"
    assert openings[("JJ0001", "demand-letter")] == (
        f"贵方与{bank}签订编号为HT-JJ0001的借款合同，于2025年12月3日向我行借款人民币500,000.00元，约定到期日为"
        "2027年11月30日。")
    assert openings[("JJ0002", "debt-confirmation")].startswith(
        f"贵方与{bank}签订编号为HT-JJ0002的借款合同，于2020年7月17日向我行借款人民币500,000.00元，约定到期日为"
        "2022年7月17日。截至2026年11月28日，")
    masked = f"{resident_id(1)[:6]}********{resident_id(1)[-4:]}"
    assert openings[("JJ0003", "guarantor-demand")] == (
        f"借款人杭州云栖贸易有限公司（证件号码：{masked}）与{bank}签订编号为HT-JJ0003的借款合同，于2024年8月22日"
        "向我行借款人民币500,000.00元，约定到期日为2026年8月20日。贵方为该笔借款提供连带责任保证。")
    for text in openings.values():
        assert "日与" not in text
