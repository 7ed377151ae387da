"""What a bank's legal department checks before signing, re-read from the rendered Word files:
the rate a letter states is the rate its 罚息 was computed with, a debt confirmation says whose
confirmation it is, and the report to head office names its period as Chinese text does and says
which loans it proposes for suit are time-barred."""
from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import docx
import pytest
import yaml
from click.testing import CliRunner
from collect_helpers import AS_OF, POLICY_TEXT, make_loan, resident_id
from docxtext import docx_text
from ledger_fixtures import row

from docgen.cli import main
from docgen.documents.register import Register
from docgen.loans.ledger import write_ledger
from docgen.loans.letters import make_letters
from docgen.loans.plan import load_policy

D = dt.date


def _policy(tmp_path: Path, daily_rate: str):
    path = tmp_path / "policy.yaml"
    path.write_text(POLICY_TEXT.replace("daily_rate: 0.0005", f"daily_rate: {daily_rate}"), encoding="utf-8")
    return load_policy(path)


def _letters(tmp_path: Path, policy, loans):
    with Register(tmp_path / "register.sqlite") as register:
        result = make_letters(loans, AS_OF, tmp_path / "out", policy=policy, register=register)
    return {(o.loan_no, o.document): docx_text(Path(o.file)) for o in result.written}


def test_the_letter_states_the_daily_rate_its_penalty_was_computed_with(tmp_path: Path) -> None:
    # 4.35 % a year, +25 %, / 360 = 0.0151041…%: the policy's rate has more places than six.
    loan = make_loan("JJ0001", days=10, overdue_principal=Decimal("20000"))
    text = _letters(tmp_path, _policy(tmp_path, "0.00018125"), [loan])[("JJ0001", "demand-letter")]
    assert "罚息按日利率0.018125%计算" in text
    assert "0.0181%" not in text
    # 20,000 × 0.00018125 × 10 days = 36.25: the printed rate gives the printed penalty.
    fine = (Decimal("20000") * Decimal("0.018125") / 100 * 10).quantize(Decimal("0.01"), ROUND_HALF_UP)
    assert f"\n{fine:,.2f}" in text.replace("罚息（计至2026年11月28日，含当日）\n", "\n")


def test_a_loan_with_its_own_annual_rate_still_prints_that_rate(tmp_path: Path) -> None:
    loan = make_loan("JJ0001", days=10, penalty_rate=Decimal("0.0675"))
    text = _letters(tmp_path, _policy(tmp_path, "0.00018125"), [loan])[("JJ0001", "demand-letter")]
    assert "罚息按借款合同约定的罚息利率年6.75%（日利率为年利率÷360）计算" in text


def test_the_debt_confirmation_names_the_debtor_and_its_full_id_number(tmp_path: Path) -> None:
    # Time-barred (fell due 2022-07-17): the 催收通知书 with its 债务确认回执.
    company = "91330110MA2H3K5X4B"
    loan = make_loan("JJ0001", days=1595, maturity=D(2022, 7, 17), disbursed_on=D(2020, 7, 17),
                     balance=Decimal("88000"), overdue_principal=Decimal("88000"),
                     borrower="杭州云栖贸易有限公司", id_number=company)
    text = _letters(tmp_path, _policy(tmp_path, "0.0005"), [loan])[("JJ0001", "debt-confirmation")]
    receipt = text[text.index("债 务 确 认 回 执"):]
    assert receipt.splitlines()[2].startswith(
        f"杭州云栖贸易有限公司（统一社会信用代码：{company}，以下称“本人（本单位）”）确认：截至2026年11月28日，")
    assert "确认人：杭州云栖贸易有限公司（签字或盖章）" in receipt
    # No blank left for a name or an ID number the bank already has.
    assert "证件号码：   " not in receipt


def _npl(tmp_path: Path, period: str, rows: list[dict], as_of: str = "2026-06-30") -> docx.document.Document:
    ledger = write_ledger(rows, tmp_path / f"ledger-{period}.xlsx")
    out = tmp_path / f"report-{period}.docx"
    result = CliRunner().invoke(main, ["npl-report", "--ledger", str(ledger), "--period", period,
                                       "--as-of", as_of, "-o", str(out)])
    assert result.exit_code == 0, result.output
    return docx.Document(str(out))


def _suit_list(document: docx.document.Document) -> tuple[str, list[list[str]]]:
    """Return the sentence proposing suits and the rows of 表7 (header first)."""
    sentence = next(p.text for p in document.paragraphs if p.text.startswith("按催收时间表应起诉而尚未起诉的贷款"))
    table = next(t for t in document.tables if t.rows[0].cells[-1].text == "诉讼时效届满日")
    return sentence, [[c.text for c in r.cells] for r in table.rows]


def test_the_report_names_its_period_in_chinese_never_by_its_label(tmp_path: Path) -> None:
    rows = [row("A1", 1000000, "次级", days=100), row("A2", 9000000)]
    text = docx_text(_npl(tmp_path, "2026Q2", rows))
    assert "检查范围为表内贷款（报告期2026年第二季度，" in text
    assert "2026Q2" not in text
    month = docx_text(_npl(tmp_path, "2026-06", rows))
    assert "（报告期2026年6月，" in month and "2026-06" not in month
    half = docx_text(_npl(tmp_path, "2026H1", rows))
    assert "（报告期2026年上半年，" in half


def test_the_suit_list_marks_the_time_barred_claims_and_says_what_that_means(tmp_path: Path) -> None:
    rows = [row("B1", 300000, "损失", days=1500, serial=1),   # fell due 2022-05: barred since 2025
            row("L1", 200000, "次级", days=200, serial=2),    # fell due 2025-12: runs to 2028
            row("P1", 9000000)]
    sentence, table = _suit_list(_npl(tmp_path, "2026Q2", rows))
    assert sentence == ("按催收时间表应起诉而尚未起诉的贷款2笔、余额50.00万元，拟报总行起诉（见表7）；按台账记载的到期日、逾期起始日和"
                        "时效中断事由计算，其中1笔诉讼时效已届满"
                        "（表7“诉讼时效届满日”栏注明），债务人可以提出不履行义务的抗辩（《中华人民共和国民法典》第一百九十二条"
                        "第一款），起诉前宜先取得债务人对债务的书面确认（同条第二款）。")
    cells = {r[2]: r[6] for r in table[1:]}
    due = dt.date(2026, 6, 30) - dt.timedelta(days=1500)  # the day before day 1 of arrears: maturity
    deadline = due.replace(year=due.year + 3)
    assert cells["B1"] == f"{deadline.year}年{deadline.month}月{deadline.day}日\n（已届满）"
    assert cells["L1"].startswith("2028年") and "届满" not in cells["L1"]


def test_a_suit_list_without_a_barred_claim_says_nothing_of_limitation(tmp_path: Path) -> None:
    sentence, table = _suit_list(_npl(tmp_path, "2026Q2", [row("L1", 200000, "次级", days=200), row("P1", 9000000)]))
    assert sentence == "按催收时间表应起诉而尚未起诉的贷款1笔、余额20.00万元，拟报总行起诉（见表7）。"
    assert table[0] == ["序号", "借款人", "借据号", "逾期天数", "余额", "客户经理", "诉讼时效届满日"]


def _demand_letter_rows(**changes) -> dict:
    data = yaml.safe_load((Path(__file__).parents[2] / "examples" / "templates" / "demand-letter.yaml")
                          .read_text(encoding="utf-8"))
    data.update(changes)
    return data


def test_a_demand_letter_is_refused_for_a_claim_whose_limitation_period_has_run_out(tmp_path: Path) -> None:
    # Fell due 2021-02-26: its three years ended 2024-02-26; the letter would say it interrupts them.
    barred = _demand_letter_rows(loan_date="2019-02-26", maturity="2021-02-26", overdue_since="2021-02-27")
    rows = tmp_path / "barred.yaml"
    rows.write_text(yaml.safe_dump(barred, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "letter.docx"
    result = CliRunner().invoke(main, ["render", "demand-letter", "--data", str(rows), "-o", str(out),
                                       "--register", str(tmp_path / "r.sqlite")])
    assert result.exit_code == 1 and not out.exists()
    assert ("letter_date：诉讼时效已届满，催收函不能中断时效，请改用催收通知书（debt-confirmation）或填写时效中断日"
            "（自2021-02-26起算，2024-02-26届满），收到 2026-11-28") in result.output
    # Interrupted inside the period (a demand served 2023-06-01): the period runs to 2026-06-01 …
    rows.write_text(yaml.safe_dump({**barred, "last_interruption": "2023-06-01"}, allow_unicode=True), encoding="utf-8")
    result = CliRunner().invoke(main, ["render", "demand-letter", "--data", str(rows), "-o", str(out),
                                       "--register", str(tmp_path / "r.sqlite")])
    assert result.exit_code == 1 and "2026-06-01届满" in result.output
    # … and one confirmed by the debtor 2024-05-01 runs to 2027-05-01: the letter may say it interrupts.
    rows.write_text(yaml.safe_dump({**barred, "last_interruption": "2024-05-01"}, allow_unicode=True), encoding="utf-8")
    result = CliRunner().invoke(main, ["render", "demand-letter", "--data", str(rows), "-o", str(out),
                                       "--register", str(tmp_path / "r.sqlite")])
    assert result.exit_code == 0, result.output
    assert "诉讼时效自本函送达之日起中断并重新计算" in docx_text(out)


def test_collect_letters_still_sends_the_demand_letter_of_a_claim_interrupted_in_time(tmp_path: Path) -> None:
    # Fell due 2022-07-17 (barred on its own in 2025), acknowledged 2024-03-01: runs to 2027-03-01.
    loan = make_loan("JJ0001", days=1595, maturity=D(2022, 7, 17), disbursed_on=D(2020, 7, 17),
                     last_interruption=D(2024, 3, 1), interruption_type="债务人确认")
    texts = _letters(tmp_path, _policy(tmp_path, "0.0005"), [loan])
    assert "诉讼时效自本函送达之日起中断并重新计算" in texts[("JJ0001", "demand-letter")]


def test_the_example_demand_letter_penalty_is_its_rate_times_its_days(tmp_path: Path) -> None:
    data = _demand_letter_rows()
    days = (dt.date.fromisoformat(str(data["letter_date"])) - dt.date.fromisoformat(str(data["overdue_since"]))).days + 1
    rate = Decimal(data["penalty_daily"].rstrip("%")) / 100
    assert Decimal(str(data["principal"])) * rate * days == Decimal(str(data["penalty"]))


def _render_example(tmp_path: Path, name: str, **changes) -> str:
    data = yaml.safe_load((Path(__file__).parents[2] / "examples" / "templates" / f"{name}.yaml").read_text(encoding="utf-8"))
    data.update(changes)
    tmp_path.mkdir(parents=True, exist_ok=True)
    rows = tmp_path / f"{name}.yaml"
    rows.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    out = tmp_path / f"{name}.docx"
    result = CliRunner().invoke(main, ["render", name, "--data", str(rows), "-o", str(out),
                                       "--register", str(tmp_path / "r.sqlite")])
    assert result.exit_code == 0, result.output
    return docx_text(out, cell_sep="|")


def test_the_business_application_says_the_mortgage_is_registered_only_with_its_registration(tmp_path: Path) -> None:
    # As docgen draft fills it from bundle.yaml, which records no registration: no such statement.
    text = _render_example(tmp_path, "business-application")
    assert "抵押已办理登记" not in text
    assert "已与贵行签订借款合同（编号：钱农商固借字2026第0045号）。现申请贵行按合同约定办理放款" in text
    # The drawdowns it applies for, in figures and in words.
    assert "本次申请提款|共2笔，合计人民币30,000,000.00元（大写：人民币叁仟万元整），每笔另附提款申请书" in text
    registered = _render_example(tmp_path / "r", "business-application",
                                 mortgage_registration="浙（2026）杭州市不动产证明第0456789号")
    assert ("已与贵行签订借款合同（编号：钱农商固借字2026第0045号），抵押已办理登记（不动产登记证明号："
            "浙（2026）杭州市不动产证明第0456789号）。现申请") in registered


def test_a_guarantor_is_asked_for_an_unmatured_balance_only_once_its_early_maturity_was_declared(tmp_path: Path) -> None:
    policy = _policy(tmp_path, "0.0005")
    loan = make_loan("JJ0001", days=10, guarantors=["钱七"], accelerated=True)  # matures 2027-11-30
    with Register(tmp_path / "register.sqlite") as register:
        first = make_letters([loan], AS_OF, tmp_path / "out", policy=policy, register=register)
        second = make_letters([loan], AS_OF, tmp_path / "out", policy=policy, register=register)
    assert [o.document for o in first.written] == ["demand-letter"]  # it declares the loan due early
    ((notice,),) = [[o for o in second.written if o.document == "guarantor-demand"]]
    text = docx_text(Path(notice.file))
    # What the bank did (sent the letter declaring it), not that the declaration took effect.
    assert ("借款人自2026年11月19日起未按合同约定归还到期贷款本息，已构成违约，我行已依照借款合同约定向借款人发出"
            "编号为催字〔2026〕第00001号、落款日期为2026年11月28日的《逾期贷款催收函》，宣布该笔贷款全部提前到期。截至2026年11月28日，"
            "借款人尚欠我行款项如下：") in text
    assert "贷款本金余额\n420,000.00" in text


def test_a_guarantor_called_in_the_run_of_the_borrower_letter_is_asked_for_the_overdue_amounts_only(
        tmp_path: Path) -> None:
    # Day 10, the guarantee period ending in 30 days: the borrower's letter declaring the early
    # maturity and the guarantor's notice come out together. The declaration takes effect when it
    # reaches the borrower (《民法典》第一百三十七条第二款), after this notice is written.
    loan = make_loan("JJ0001", days=10, guarantors=["钱七"], accelerated=True,
                     guarantee_period_end=AS_OF + dt.timedelta(days=30))
    texts = _letters(tmp_path, _policy(tmp_path, "0.0005"), [loan])
    assert sorted(texts) == [("JJ0001", "demand-letter"), ("JJ0001", "guarantor-demand")]
    assert "我行现宣布上述贷款全部提前到期" in texts[("JJ0001", "demand-letter")]
    notice = texts[("JJ0001", "guarantor-demand")]
    assert "提前到期" not in notice and "420,000.00" not in notice
    assert "截至2026年11月28日，借款人尚欠我行到期款项如下：" in notice and "逾期本金\n20,000.00" in notice


def test_a_guarantor_notice_before_the_borrower_letter_asks_for_the_overdue_amounts_only(tmp_path: Path) -> None:
    # Day 3: the borrower's letter (which would declare the early maturity) is not due; the guarantee
    # period ends in 30 days, so the guarantor is called now.
    loan = make_loan("JJ0001", days=3, guarantors=["钱七"], accelerated=True,
                     guarantee_period_end=AS_OF + dt.timedelta(days=30))
    texts = _letters(tmp_path, _policy(tmp_path, "0.0005"), [loan])
    assert list(texts) == [("JJ0001", "guarantor-demand")]
    text = texts[("JJ0001", "guarantor-demand")]
    assert "提前到期" not in text and "420,000.00" not in text
    assert "截至2026年11月28日，借款人尚欠我行到期款项如下：" in text and "逾期本金\n20,000.00" in text


def test_a_company_is_named_with_its_uscc_and_a_person_with_the_id_number(tmp_path: Path) -> None:
    company = "91330110MA2H3K5X4B"
    loans = [make_loan("JJ0001", borrower="杭州云栖贸易有限公司", id_number=company, guarantors=["钱七"],
                       guarantor_ids=(resident_id(7),)),
             make_loan("JJ0002", borrower="周八", id_number=resident_id(8), row=3)]
    policy = _policy(tmp_path, "0.0005")
    with Register(tmp_path / "register.sqlite") as register:
        make_letters(loans, AS_OF, tmp_path / "out", policy=policy, register=register)
        second = make_letters(loans, AS_OF, tmp_path / "out", policy=policy, register=register)
        texts = {(o.loan_no, o.document): docx_text(Path(o.file)) for o in second.outcomes if o.file}
    assert f"杭州云栖贸易有限公司（统一社会信用代码：{company}）：" in texts[("JJ0001", "demand-letter")]
    notice = texts[("JJ0001", "guarantor-demand")]
    # The guarantor's own number in full, the borrower's masked, each under its own name.
    assert notice.startswith("保证人履行保证责任通知书")
    assert f"钱七（证件号码：{resident_id(7)}）：" in notice
    assert "借款人杭州云栖贸易有限公司（统一社会信用代码：913301********5X4B）与" in notice
    assert f"周八（证件号码：{resident_id(8)}）：" in texts[("JJ0002", "demand-letter")]


def test_id_label_calls_a_number_shaped_like_a_resident_id_a_persons() -> None:
    from docgen.core.cnformat import id_label

    assert id_label("91330110MA2H3K5X4B") == id_label("913301065783120434") == "统一社会信用代码"
    # 18 digits with a birth date: a person's, even where the USCC checksum happens to pass.
    assert id_label("330184198205163317") == id_label(resident_id(3)) == "证件号码"
    assert id_label("") == id_label(None) == "证件号码"


def test_the_classification_annex_states_the_rule_with_its_short_overdue_exception(tmp_path: Path) -> None:
    # 《商业银行金融资产风险分类办法》第十条: overdue is at least 关注, save a short (7-day) overdue of
    # operational or technical cause: the annex says so instead of "no overdue loan is 正常".
    text = docx_text(_npl(tmp_path, "2026Q2", [row("A1", 1000000, "次级", days=100), row("A2", 9000000)]))
    assert "逾期贷款至少应为关注类（操作性或技术性原因导致的7天内短期逾期除外，须逐笔认定）；" in text
    assert "逾期贷款不应分类为正常类" not in text


@pytest.mark.parametrize(("declaration", "said"), [
    ({"declaration_serial": "催字〔2026〕第00007号", "declared_on": "2026-09-01"},
     "发出编号为催字〔2026〕第00007号、落款日期为2026年9月1日的《逾期贷款催收函》，"),
    ({"declaration_serial": "催字〔2026〕第00007号"}, "发出编号为催字〔2026〕第00007号的《逾期贷款催收函》，"),
    ({"declared_on": "2026-09-01"}, "发出落款日期为2026年9月1日的《逾期贷款催收函》，"),
    ({}, "发出《逾期贷款催收函》，"),
])
def test_a_notice_names_the_declaring_letter_by_the_date_it_bears_not_a_day_it_was_sent(
        tmp_path: Path, declaration: dict, said: str) -> None:
    # The date a letter bears is no record of the day it went out (it may be posted days later): the
    # notice says which letter declared the loan due early, never that it was sent on that date.
    text = _render_example(tmp_path, "guarantor-demand", matured=False, accelerated=True, maturity="2027-08-20",
                           **declaration)
    assert ("已构成违约，我行已依照借款合同约定向借款人" + said + "宣布该笔贷款全部提前到期。") in text
    assert "我行已于" not in text
