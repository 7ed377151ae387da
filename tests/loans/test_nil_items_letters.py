"""A letter claims, describes and has confirmed only what the loan owes: no 罚息 it does not bear.

The 罚息 of a letter is nil when its rate is (the ledger's 罚息利率 is 0, or it gives none and the
policy's daily rate is 0: the loan bears no 罚息, ``penalty_agreed`` false), or when no principal bears
it (only interest is overdue). Then the demand letter neither demands 逾期罚息 nor says how a 罚息 was
figured, cites no 第六百七十六条 (逾期利息) for a demand it does not make, and its table has no 罚息
row; a loan bearing no 罚息 has none reserved either (欠息及复利按借款合同约定计收…), while one whose
rate is not nil keeps the reservation of 罚息 under the contract. An 欠息 of nil is neither demanded
(本金及利息) nor listed; the guarantor notice and the 催收通知书 with its 债务确认回执 likewise. The
table's rows add up to its 合计, which the 大写 amount spells. Each letter is issued by
``make_letters`` (or filled by ``render`` from data given by hand) and re-opened with python-docx.
"""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import docx
import pytest
import yaml
from collect_helpers import AS_OF, BANK, POLICY_TEXT, issue_letters, make_loan, policy_in

from docgen.core.cnformat import amount_in_words
from docgen.core.errors import RenderError
from docgen.documents.render import render
from docgen.loans.plan import load_policy

DAY = dt.timedelta(days=1)
EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "templates"

#: The demand letter's body for a loan overdue since 2026-11-19, each variant up to its table.
#: ``owed``: what fell due unpaid, as the recital names it (本息, 本金 or 利息).
OVERDUE = "贵方自2026年11月19日起未按合同约定归还到期贷款{owed}，已构成逾期。"
ORDINARY = OVERDUE + "依照借款合同约定及《中华人民共和国民法典》{law}的规定，贵方应归还到期贷款{what}。截至2026年11月28日，贵方尚欠我行到期款项如下："
DECLARING = ("贵方自2026年11月19日起未按合同约定归还到期贷款{owed}，已构成违约。依照借款合同约定，我行现宣布上述贷款全部提前到期。"
             "依照《中华人民共和国民法典》{law}的规定，贵方应立即归还{what}。截至2026年11月28日，贵方尚欠我行款项如下：")
MATURED = ("该笔贷款已于2026年10月19日到期，贵方未按约归还，自2026年10月20日起已构成逾期。依照借款合同约定及"
           "《中华人民共和国民法典》{law}的规定，贵方应立即归还{what}。截至2026年11月28日，贵方尚欠我行款项如下：")
#: The law a letter relies on: 第六百七十四条 for the 欠息 it claims, 第六百七十五条 for the principal,
#: 第六百七十六条 for the 罚息; each only when it claims that item.
BOTH_ARTICLES = "第六百七十五条、第六百七十六条"
ONE_ARTICLE = "第六百七十五条"
LOAN_AND_INTEREST = "第六百七十四条、第六百七十五条"
ALL_ARTICLES = "第六百七十四条、第六百七十五条、第六百七十六条"
FIGURED = "罚息按日利率0.05%计算，计息天数为逾期天数，自逾期之日（逾期第1日）起计至2026年11月28日（含当日）；"
RESERVED = "欠息、罚息及复利按借款合同约定计收至实际清偿之日止。"
NONE_RESERVED = "欠息及复利按借款合同约定计收至实际清偿之日止。"
PENALTY_ROW = "罚息（计至2026年11月28日，含当日）"


@pytest.fixture()
def policy(tmp_path: Path):
    return policy_in(tmp_path / "policy")


def _paragraphs(file: str) -> list[str]:
    return [p.text for p in docx.Document(file).paragraphs]


def _amounts(file: str) -> list[tuple[str, str]]:
    """Return the rows of the letter's amount table (the first table), header row left out."""
    table = docx.Document(file).tables[0]
    return [(row.cells[0].text, row.cells[1].text) for row in table.rows][1:]


def _confirmation(file: str) -> str:
    cells = {row.cells[0].text: row.cells[1].text for table in docx.Document(file).tables for row in table.rows
             if len(row.cells) == 2}
    return cells["债务确认"].split("\n")[0]


def _in_words(file: str) -> str:
    (line,) = [p for p in _paragraphs(file) if p.startswith("合计金额（大写）：")]
    return line


def _written(result, document: str) -> str:
    (outcome,) = [o for o in result.written if o.document == document]
    return outcome.file


def _adds_up(file: str) -> Decimal:
    """Assert the table's rows add up to its 合计 and the 大写 line spells it; return the 合计."""
    rows = _amounts(file)
    assert rows[-1][0] == "合计"
    figures = [Decimal(value.replace(",", "")) for _, value in rows]
    assert sum(figures[:-1]) == figures[-1]
    assert _in_words(file).startswith(f"合计金额（大写）：{amount_in_words(figures[-1])}。")
    return figures[-1]


def _text(file: str) -> str:
    document = docx.Document(file)
    return "\n".join([p.text for p in document.paragraphs]
                     + [c.text for t in document.tables for r in t.rows for c in r.cells])


def _demand_letter(tmp_path: Path, policy, loan, as_of: dt.date = AS_OF) -> str:
    return _written(issue_letters(tmp_path, policy, [loan], as_of), "demand-letter")


@pytest.mark.parametrize("how", ["ledger-rate-zero", "policy-rate-zero"])
def test_a_loan_bearing_no_penalty_has_none_demanded_described_listed_or_reserved(tmp_path, policy, how) -> None:
    # Day 10, unmatured: 20,000.00 overdue and 1,523.45 of 欠息. Its rate is nil: the ledger says 0, or
    # gives none and the bank's policy rate is 0.
    if how == "ledger-rate-zero":
        loan = make_loan("JJ0001", days=10, penalty_rate=Decimal("0"))
    else:
        loan = make_loan("JJ0001", days=10)
        (tmp_path / "zero").mkdir()
        (tmp_path / "zero" / "policy.yaml").write_text(POLICY_TEXT.replace("daily_rate: 0.0005", "daily_rate: 0"),
                                                       encoding="utf-8")
        policy = load_policy(tmp_path / "zero" / "policy.yaml")
    file = _demand_letter(tmp_path, policy, loan)
    paragraphs = _paragraphs(file)
    assert ORDINARY.format(owed="本息", law=LOAN_AND_INTEREST, what="本息") in paragraphs
    assert _in_words(file) == "合计金额（大写）：人民币贰万壹仟伍佰贰拾叁元肆角伍分。" + NONE_RESERVED
    assert _amounts(file) == [("逾期本金", "20,000.00"), ("欠息", "1,523.45"), ("合计", "21,523.45")]
    _adds_up(file)
    assert _confirmation(file) == (f"借款人确认：截至2026年11月28日，尚欠{BANK}借款本金420,000.00元（其中逾期本金"
                                   "20,000.00元）、欠息1,523.45元。")
    # Nowhere a 罚息: neither demanded, nor figured, nor reserved, nor confirmed.
    assert "罚息" not in _text(file)
    assert "第六百七十六条" not in _text(file)
    # Full-width punctuation (GB/T 15834) throughout: an ASCII comma only inside a figure.
    assert not re.search(r"[;:()!?]|,(?!\d)", _text(file))


def test_a_matured_loan_bearing_no_penalty_nor_interest_is_asked_for_its_principal_alone(tmp_path, policy) -> None:
    loan = make_loan("JJ0001", days=40, maturity=dt.date(2026, 10, 19), disbursed_on=dt.date(2024, 10, 19),
                     balance=Decimal("206000"), overdue_principal=Decimal("61800"), overdue_interest=Decimal("0"),
                     penalty_rate=Decimal("0"))
    file = _demand_letter(tmp_path, policy, loan)
    assert MATURED.format(law=ONE_ARTICLE, what="全部贷款本金") in _paragraphs(file)
    assert _amounts(file) == [("贷款本金余额", "206,000.00"), ("合计", "206,000.00")]
    assert _in_words(file) == "合计金额（大写）：人民币贰拾万陆仟元整。" + NONE_RESERVED
    assert _confirmation(file) == f"借款人确认：截至2026年11月28日，尚欠{BANK}借款本金206,000.00元。"
    assert "罚息" not in _text(file) and "欠息" not in _text(file).replace(NONE_RESERVED, "")


def test_a_matured_loans_letter_with_penalty_demands_and_figures_it(tmp_path, policy) -> None:
    # The same loan with the policy's 0.05 % a day: 61,800 x 40 days + 144,200 x 40 days (from 10-20).
    loan = make_loan("JJ0001", days=40, maturity=dt.date(2026, 10, 19), disbursed_on=dt.date(2024, 10, 19),
                     balance=Decimal("206000"), overdue_principal=Decimal("61800"), overdue_interest=Decimal("0"))
    file = _demand_letter(tmp_path, policy, loan)
    paragraphs = _paragraphs(file)
    # No 欠息: the principal is demanded with the 罚息, no interest.
    assert MATURED.format(law=BOTH_ARTICLES, what="全部贷款本金，并支付逾期罚息") in paragraphs
    assert _amounts(file) == [("贷款本金余额", "206,000.00"), (PENALTY_ROW, "4,120.00"), ("合计", "210,120.00")]
    assert _in_words(file) == f"合计金额（大写）：{amount_in_words(Decimal('210120'))}。{FIGURED}{RESERVED}"


@pytest.mark.parametrize(("rate", "law", "what", "rows", "words"), [
    # The 罚息 of 20,000.00 x 0.05 % x 10 days: demanded, figured and reserved, as it always was.
    (None, ALL_ARTICLES, "本息，并支付逾期罚息",
     [("逾期本金", "20,000.00"), ("欠息", "1,523.45"), (PENALTY_ROW, "100.00"), ("合计", "21,623.45")],
     FIGURED + RESERVED),
    (Decimal("0"), LOAN_AND_INTEREST, "本息",
     [("逾期本金", "20,000.00"), ("欠息", "1,523.45"), ("合计", "21,523.45")], NONE_RESERVED),
])
def test_the_ordinary_letter_demands_the_penalty_exactly_when_there_is_one(tmp_path, policy, rate, law, what, rows,
                                                                            words) -> None:
    file = _demand_letter(tmp_path, policy, make_loan("JJ0001", days=10, penalty_rate=rate))
    assert ORDINARY.format(owed="本息", law=law, what=what) in _paragraphs(file)
    assert _amounts(file) == rows
    assert _in_words(file).endswith("。" + words)
    _adds_up(file)


def test_only_interest_overdue_no_penalty_figured_but_the_contracts_reserved(tmp_path, policy) -> None:
    # Unmatured, no principal overdue: the 罚息 runs on the overdue principal and is nil, but the loan
    # bears 罚息 (0.05 % a day), so the contract's 罚息 and 复利 are reserved.
    file = _demand_letter(tmp_path, policy, make_loan("JJ0001", days=10, overdue_principal=Decimal("0")))
    # Only interest fell due: the recital says so, never that principal is unpaid.
    # Only interest is claimed: the law relied on is 第六百七十四条 (interest paid when agreed).
    assert ORDINARY.format(owed="利息", law="第六百七十四条", what="利息") in _paragraphs(file)
    assert _amounts(file) == [("欠息", "1,523.45"), ("合计", "1,523.45")]
    assert _in_words(file) == "合计金额（大写）：人民币壹仟伍佰贰拾叁元肆角伍分。" + RESERVED
    assert "罚息按" not in _text(file) and "逾期罚息" not in _text(file)
    assert _confirmation(file) == f"借款人确认：截至2026年11月28日，尚欠{BANK}借款本金420,000.00元、欠息1,523.45元。"


def test_a_declaring_letter_on_a_loan_bearing_no_penalty_reserves_none_when_made_again(tmp_path, policy) -> None:
    loan = make_loan("JJ0001", days=10, accelerated=True, penalty_rate=Decimal("0"))
    declaring = _demand_letter(tmp_path, policy, loan)
    assert DECLARING.format(owed="本息", law=LOAN_AND_INTEREST, what="全部贷款本金及利息") in _paragraphs(declaring)
    assert _amounts(declaring) == [("贷款本金余额", "420,000.00"), ("欠息", "1,523.45"), ("合计", "421,523.45")]
    assert "罚息" not in _text(declaring)
    # Lost and made again a week later (penalty_reserved): still no 罚息 reserved in words, nor confirmed.
    Path(declaring).unlink()
    later = issue_letters(tmp_path, policy, [loan], AS_OF + 7 * DAY)
    (restored,) = [o for o in later.outcomes if o.code == "restored"]
    assert "罚息" not in _text(restored.file) and "另行计算" not in _text(restored.file)
    assert _confirmation(restored.file) == f"借款人确认：截至2026年12月5日，尚欠{BANK}借款本金420,000.00元、欠息1,523.45元。"


def test_a_declaring_letter_with_no_penalty_figured_reserves_the_balances_without_a_table_row(tmp_path, policy) -> None:
    # Only interest overdue, declared due early, made again a week later: the 罚息 on the balance is
    # reserved in words; the table, which lists no 罚息, is not referred to.
    loan = make_loan("JJ0001", days=10, accelerated=True, overdue_principal=Decimal("0"))
    Path(_demand_letter(tmp_path, policy, loan)).unlink()
    later = issue_letters(tmp_path, policy, [loan], AS_OF + 7 * DAY)
    (restored,) = [o for o in later.outcomes if o.code == "restored"]
    paragraphs = _paragraphs(restored.file)
    claim = ("贷款本金余额中逾期本金以外的部分自宣布提前到期生效之日（即该宣布到达贵方之日）起到期，依照借款合同约定及"
             "《中华人民共和国民法典》第五百七十七条、第六百七十六条的规定，自该日次日起按借款合同约定计收罚息；"
             "该部分罚息由我行另行计算并向贵方主张。")
    assert claim in paragraphs
    assert paragraphs[paragraphs.index(claim) - 1] == "合计金额（大写）：人民币肆拾贰万壹仟伍佰贰拾叁元肆角伍分。" + RESERVED
    assert _amounts(restored.file) == [("贷款本金余额", "420,000.00"), ("欠息", "1,523.45"), ("合计", "421,523.45")]
    assert "上表罚息" not in _text(restored.file) and "未列入上表" not in _text(restored.file)
    assert _confirmation(restored.file).endswith("欠息1,523.45元，以及《逾期贷款催收函》所述由债权人另行计算的罚息。")


def _notice(tmp_path: Path, policy, loan, *dates: dt.date) -> str:
    for day in dates:
        result = issue_letters(tmp_path, policy, [loan], day)
    return _written(result, "guarantor-demand")


@pytest.mark.parametrize(("rate", "rows", "reserved"), [
    (Decimal("0"), [("逾期本金", "20,000.00"), ("欠息", "1,523.45"), ("合计", "21,523.45")],
     "欠息按借款合同约定计收至实际清偿之日止。"),
    (None, [("逾期本金", "20,000.00"), ("欠息", "1,523.45"), ("罚息（计至2026年11月29日，含当日）", "110.00"),
            ("合计", "21,633.45")], "欠息、罚息按借款合同约定计收至实际清偿之日止。"),
])
def test_the_guarantor_notice_lists_and_reserves_a_penalty_only_when_the_loan_bears_one(tmp_path, policy, rate, rows,
                                                                                          reserved) -> None:
    loan = make_loan("JJ0001", days=10, guarantors=["钱七"], penalty_rate=rate)
    notice = _notice(tmp_path, policy, loan, AS_OF, AS_OF + DAY)
    assert _amounts(notice) == rows
    assert _in_words(notice) == f"合计金额（大写）：{amount_in_words(Decimal(rows[-1][1].replace(',', '')))}。{reserved}"
    _adds_up(notice)
    assert ("罚息" in _text(notice)) is (rate is None)


def test_the_guarantor_notice_after_a_declaration_reserves_no_penalty_the_loan_does_not_bear(tmp_path, policy) -> None:
    loan = make_loan("JJ0001", days=10, guarantors=["钱七"], guarantee_period_end=AS_OF + 95 * DAY, accelerated=True,
                     penalty_rate=Decimal("0"))
    assert _demand_letter(tmp_path, policy, loan)
    notice = _notice(tmp_path, policy, loan, AS_OF + 6 * DAY)
    assert "宣布该笔贷款全部提前到期" in "".join(_paragraphs(notice))
    assert _amounts(notice) == [("贷款本金余额", "420,000.00"), ("欠息", "1,523.45"), ("合计", "421,523.45")]
    assert "罚息" not in _text(notice) and "另行计算" not in _text(notice)


def test_the_notice_of_a_time_barred_claim_with_no_interest_owed_names_none(tmp_path, policy) -> None:
    loan = make_loan("JJ0001", days=1595, maturity=dt.date(2022, 7, 17), disbursed_on=dt.date(2020, 7, 17),
                     balance=Decimal("88000"), overdue_principal=Decimal("88000"), overdue_interest=Decimal("0"))
    file = _written(issue_letters(tmp_path, policy, [loan]), "debt-confirmation")
    paragraphs = _paragraphs(file)
    assert any(p.endswith("截至2026年11月28日，该合同项下尚有借款本金人民币88,000.00元（大写：人民币捌万捌仟元整）未归还。")
               for p in paragraphs)
    assert any(p.endswith("确认：截至2026年11月28日，本人（本单位）在编号为HT-JJ0001的借款合同项下尚欠贵行借款本金"
                          "人民币88,000.00元（大写：人民币捌万捌仟元整），本人（本单位）同意归还上述欠款。") for p in paragraphs)
    assert "利息" not in "\n".join(paragraphs)


def test_the_notice_of_a_time_barred_claim_with_interest_names_it_as_before(tmp_path, policy) -> None:
    loan = make_loan("JJ0001", days=1595, maturity=dt.date(2022, 7, 17), disbursed_on=dt.date(2020, 7, 17),
                     balance=Decimal("88000"), overdue_principal=Decimal("88000"))
    paragraphs = _paragraphs(_written(issue_letters(tmp_path, policy, [loan]), "debt-confirmation"))
    assert any(p.endswith("截至2026年11月28日，该合同项下尚有借款本金88,000.00元、利息1,523.45元未归还，合计人民币89,523.45元"
                          "（大写：人民币捌万玖仟伍佰贰拾叁元肆角伍分）。") for p in paragraphs)
    assert any("尚欠贵行借款本金人民币88,000.00元、利息人民币1,523.45元，合计人民币89,523.45元（大写：人民币捌万玖仟伍佰贰拾叁元"
               "肆角伍分），本人（本单位）同意归还上述欠款。" in p for p in paragraphs)


def _rendered(tmp_path: Path, name: str, **fields) -> str:
    data = {**yaml.safe_load((EXAMPLES / f"{name}.yaml").read_text(encoding="utf-8")), **fields}
    return str(render(name, data, tmp_path / f"{name}.docx", register_path=tmp_path / "r.sqlite").path)


@pytest.mark.parametrize(("fields", "figured", "reserved"), [
    # Data given by hand without penalty_agreed: a 罚息 of nil is neither demanded nor figured, and the
    # contract's 罚息 stays reserved (the data does not say the loan bears none).
    ({"penalty": "0"}, False, RESERVED),
    ({"penalty": "0", "penalty_agreed": False}, False, NONE_RESERVED),
    # A 罚息 figured on a contract that agrees one is demanded and its rate shown.
    ({}, True, RESERVED),
])
def test_a_rendered_letter_follows_its_penalty_figure_and_flag(tmp_path, fields, figured, reserved) -> None:
    file = _rendered(tmp_path, "demand-letter", **fields)
    text = "\n".join(_paragraphs(file))
    assert ("并支付逾期罚息" in text) is figured and ("第六百七十六条" in text) is figured
    assert ("罚息按日利率0.02050%计算" in text) is figured
    assert any(row[0].startswith("罚息") for row in _amounts(file)) is figured
    assert _in_words(file).endswith(("；" if figured else "。") + reserved)
    _adds_up(file)


def test_a_penalty_figured_on_a_loan_said_to_bear_none_is_refused_not_demanded(tmp_path) -> None:
    # The letter would demand a 罚息 while saying the loan bears none (no 罚息 reserved): the data
    # contradicts itself, and nothing is written.
    with pytest.raises(RenderError) as refused:
        _rendered(tmp_path, "demand-letter", penalty_agreed="否")
    assert [(p.path, p.code) for p in refused.value.problems] == [("penalty", "not-zero")]
    assert not (tmp_path / "demand-letter.docx").exists()


def test_a_rendered_letter_on_a_loan_matured_since_the_declaration_with_no_penalty_figured(tmp_path) -> None:
    # The reservation up to maturity names no table row when the table lists no 罚息.
    file = _rendered(tmp_path, "demand-letter", matured=True, maturity="2026-11-10", principal_label="贷款本金余额",
                     principal=1375000, penalty="0", penalty_reserved=True)
    claim = ("我行此前已向贵方宣布该笔贷款提前到期；该宣布到达贵方之日（宣布提前到期生效之日）早于到期日的，贷款本金余额中"
             "逾期本金以外的部分自该日起到期，依照借款合同约定及《中华人民共和国民法典》第五百七十七条、第六百七十六条的规定，"
             "自该日次日起至2026年11月10日止的罚息由我行另行计算并向贵方主张。")
    assert claim in _paragraphs(file)
    assert "上表罚息" not in _text(file) and "未列入上表" not in _text(file)
    # A loan bearing no 罚息 (penalty_agreed false) has none reserved, declared or not.
    none = _rendered(tmp_path / "none", "demand-letter", matured=True, maturity="2026-11-10", principal=1375000,
                     principal_label="贷款本金余额", penalty="0", penalty_reserved=True, penalty_agreed=False)
    assert "罚息" not in _text(none)


def _recital(file: str, party: str, state: str) -> str:
    """Return what the letter's overdue recital says fell due unpaid (``party`` 贵方 or 借款人, ``state``
    逾期 or 违约), from the one paragraph holding it."""
    (said,) = [m.group(1) for p in _paragraphs(file)
               for m in [re.match(party + r"自2026年11月19日起未按合同约定归还到期贷款(.+?)，已构成" + state, p)] if m]
    return said


@pytest.mark.parametrize(("fields", "owed"), [
    ({}, "本息"),
    ({"overdue_principal": Decimal("0")}, "利息"),
    ({"overdue_interest": Decimal("0")}, "本金"),
])
def test_the_overdue_recital_names_only_what_fell_due_unpaid(tmp_path, policy, fields, owed) -> None:
    # Demanding the overdue amounts, the letter and the guarantor's notice name what their tables list:
    # a borrower who missed only interest is not said to have left principal unpaid, nor the reverse.
    loan = make_loan("JJ0001", days=10, guarantors=["钱七"], **fields)
    assert _recital(_demand_letter(tmp_path, policy, loan), "贵方", "逾期") == owed
    assert _recital(_notice(tmp_path, policy, loan, AS_OF + DAY), "借款人", "逾期") == owed


@pytest.mark.parametrize(("fields", "owed"), [
    ({}, "本息"),
    ({"overdue_principal": Decimal("0")}, "利息"),
    ({"overdue_interest": Decimal("0")}, "本金"),
])
def test_a_declaration_names_the_default_from_the_ledger_not_from_the_balance_claimed(tmp_path, policy, fields,
                                                                                     owed) -> None:
    # Declared due early, the table's principal is the whole balance: the default is named from the
    # ledger's 逾期本金 and 欠息 (overdue_items), in the declaring letter, the notice to the guarantor
    # after it, and the declaring letter made again.
    loan = make_loan("JJ0001", days=10, guarantors=["钱七"], guarantee_period_end=AS_OF + 95 * DAY, accelerated=True,
                     **fields)
    declaring = _demand_letter(tmp_path, policy, loan)
    assert _recital(declaring, "贵方", "违约") == owed
    assert _recital(_notice(tmp_path, policy, loan, AS_OF + 6 * DAY), "借款人", "违约") == owed
    Path(declaring).unlink()
    (restored,) = [o for o in issue_letters(tmp_path, policy, [loan], AS_OF + 7 * DAY).outcomes if o.code == "restored"]
    assert _recital(restored.file, "贵方", "违约") == owed


@pytest.mark.parametrize(("fields", "owed"), [({}, "本息"), ({"overdue_items": "利息"}, "利息")])
def test_a_rendered_declaration_names_the_default_given_or_principal_and_interest(tmp_path, fields, owed) -> None:
    file = _rendered(tmp_path, "demand-letter", accelerated=True, principal_label="贷款本金余额", principal=1375000,
                     **fields)
    assert _recital(file, "贵方", "违约") == owed


def test_a_rendered_letter_refuses_a_default_that_is_no_overdue_item(tmp_path) -> None:
    with pytest.raises(RenderError) as refused:
        _rendered(tmp_path, "demand-letter", accelerated=True, principal_label="贷款本金余额", principal=1375000,
                  overdue_items="罚息")
    assert [p.path for p in refused.value.problems] == ["overdue_items"]
    assert not (tmp_path / "demand-letter.docx").exists()
