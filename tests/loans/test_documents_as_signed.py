"""What a bank's legal department checks before signing, re-read from the rendered Word files:
the rate a letter states is the rate its 罚息 was computed with, a debt confirmation says whose
confirmation it is, and the report to head office names its period as Chinese text does and says
which loans it proposes for suit are time-barred."""
from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import docx
from click.testing import CliRunner
from collect_helpers import AS_OF, POLICY_TEXT, make_loan
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
    assert f"\n{fine:,.2f}" in text.replace("罚息（计至2026年11月28日）\n", "\n")


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
        f"杭州云栖贸易有限公司（证件号码：{company}，以下称“本人（本单位）”）确认：截至2026年11月28日，")
    assert "确认人：杭州云栖贸易有限公司（签字或盖章）" in receipt
    # No blank left for a name or an ID number the bank already has.
    assert "证件号码：   " not in receipt


def _npl(tmp_path: Path, period: str, rows: list[dict], as_of: str = "2026-06-30") -> list[str]:
    ledger = write_ledger(rows, tmp_path / f"ledger-{period}.xlsx")
    out = tmp_path / f"report-{period}.docx"
    result = CliRunner().invoke(main, ["npl-report", "--ledger", str(ledger), "--period", period,
                                       "--as-of", as_of, "-o", str(out)])
    assert result.exit_code == 0, result.output
    return docx_text(out, cell_sep="|").splitlines()


def test_the_report_names_its_period_in_chinese_never_by_its_label(tmp_path: Path) -> None:
    rows = [row("A1", 1000000, "次级", days=100), row("A2", 9000000)]
    text = "\n".join(_npl(tmp_path, "2026Q2", rows))
    assert "检查范围为表内贷款（报告期2026年第二季度，" in text
    assert "2026Q2" not in text
    month = "\n".join(_npl(tmp_path, "2026-06", rows))
    assert "（报告期2026年6月，" in month and "2026-06" not in month
    half = "\n".join(_npl(tmp_path, "2026H1", rows))
    assert "（报告期2026年上半年，" in half


def test_the_suit_list_marks_the_time_barred_claims_and_says_what_that_means(tmp_path: Path) -> None:
    rows = [row("B1", 300000, "损失", days=1500, serial=1),   # fell due 2022-05: barred since 2025
            row("L1", 200000, "次级", days=200, serial=2),    # fell due 2025-12: runs to 2028
            row("P1", 9000000)]
    lines = _npl(tmp_path, "2026Q2", rows)
    sentence = next(t for t in lines if t.startswith("按催收时间表应起诉而尚未起诉的贷款"))
    assert sentence == ("按催收时间表应起诉而尚未起诉的贷款2笔、余额50.00万元，拟报总行起诉（见表7）；其中1笔诉讼时效已届满"
                        "（表7“诉讼时效届满日”栏注明），债务人可以提出不履行义务的抗辩（《中华人民共和国民法典》第一百九十二条"
                        "第一款），起诉前宜先取得债务人对债务的书面确认（同条第二款）。")
    table = {t.split("|")[2]: t.split("|") for t in lines if t.count("|") == 6 and ("|B1|" in t or "|L1|" in t)}
    assert table["B1"][6].endswith("（已届满）")
    barred_day = dt.date.fromisoformat("2026-06-30") - dt.timedelta(days=1499)  # day 1 of arrears
    assert table["B1"][6].startswith(f"{barred_day.year + 3}年")
    assert not table["L1"][6].endswith("（已届满）") and table["L1"][6].startswith("2028年")


def test_a_suit_list_without_a_barred_claim_says_nothing_of_limitation(tmp_path: Path) -> None:
    lines = _npl(tmp_path, "2026Q2", [row("L1", 200000, "次级", days=200), row("P1", 9000000)])
    sentence = next(t for t in lines if t.startswith("按催收时间表应起诉而尚未起诉的贷款"))
    assert sentence == "按催收时间表应起诉而尚未起诉的贷款1笔、余额20.00万元，拟报总行起诉（见表7）。"
    header = next(t for t in lines if t.startswith("序号|借款人|借据号|逾期天数"))
    assert header.endswith("|诉讼时效届满日")
