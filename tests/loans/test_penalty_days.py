"""罚息 day count: one convention (``docgen.loans.letters.penalty``) for the letters, the plan's days
past due and the example rows of ``examples/make_rows.py``, and the window the letter states."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from batch_helpers import EXAMPLE_ROWS, make_rows_module
from collect_helpers import AS_OF, POLICY_TEXT, make_loan
from docxtext import docx_text
from openpyxl import load_workbook

from docgen.documents.register import Register
from docgen.loans.letters import make_letters, penalty
from docgen.loans.plan import days_past_due, load_policy

D = dt.date
ONE_DAY = dt.timedelta(days=1)


def _policy(tmp_path: Path, daily: str = "0.0005"):
    path = tmp_path / f"policy-{daily}.yaml"
    path.write_text(POLICY_TEXT.replace("daily_rate: 0.0005", f"daily_rate: {daily}"), encoding="utf-8")
    return load_policy(path)


def test_the_first_overdue_day_is_one_day_of_penalty(tmp_path: Path) -> None:
    # Fell due yesterday, unpaid: the letter dated its first overdue day claims one day.
    loan = make_loan(overdue_since=AS_OF, overdue_principal=Decimal("20000"))
    assert days_past_due(AS_OF, AS_OF) == 1
    assert penalty(loan, AS_OF, _policy(tmp_path)) == Decimal("10.00")  # 20,000 x 0.0005 x 1
    # The day before it nothing is overdue yet, and the letter of day 7 claims 7 days.
    assert penalty(make_loan(overdue_since=AS_OF - 6 * ONE_DAY, overdue_principal=Decimal("20000")),
                   AS_OF, _policy(tmp_path)) == Decimal("70.00")


def test_a_matured_loans_rest_of_balance_from_the_day_after_maturity(tmp_path: Path) -> None:
    policy = _policy(tmp_path)
    # An instalment overdue 10 days; the loan matured yesterday: the rest of the balance is on its
    # first overdue day (1 day), the instalment on its tenth.
    matured = make_loan(overdue_since=AS_OF - 9 * ONE_DAY, maturity=AS_OF - ONE_DAY,
                        balance=Decimal("100000"), overdue_principal=Decimal("20000"))
    assert penalty(matured, AS_OF, policy) == Decimal("140.00")  # 20,000 x 0.0005 x 10 + 80,000 x 0.0005 x 1
    # Maturing on the letter date: the balance is due today, not overdue, and bears nothing yet.
    due_today = make_loan(overdue_since=AS_OF - 9 * ONE_DAY, maturity=AS_OF,
                          balance=Decimal("100000"), overdue_principal=Decimal("20000"))
    assert penalty(due_today, AS_OF, policy) == Decimal("100.00")
    # Matured 30 days ago with nothing overdue before: the whole balance, 30 days.
    whole = make_loan(overdue_since=None, maturity=AS_OF - 30 * ONE_DAY, balance=Decimal("100000"),
                      overdue_principal=Decimal("0"))
    assert penalty(whole, AS_OF, policy) == Decimal("1500.00")


def test_the_example_rows_compute_penalty_as_the_letters_do(tmp_path: Path) -> None:
    rows = make_rows_module().make_rows(20)
    for row in rows:
        since, letter_date = row["逾期起始日"], row["发函日期"]
        assert days_past_due(since, letter_date) == 7  # served on day 7 of arrears, as the letter says
        daily = str(Decimal(row["罚息日利率"].rstrip("%")) / 100)
        loan = make_loan(overdue_since=since, maturity=row["到期日期"], balance=row["贷款余额"],
                         overdue_principal=row["逾期本金"])
        assert penalty(loan, letter_date, _policy(tmp_path, daily)) == row["罚息"], row["借款人"]


def test_the_checked_in_example_rows_are_what_make_rows_writes() -> None:
    sheet = load_workbook(EXAMPLE_ROWS, read_only=True).active
    header, *values = list(sheet.iter_rows(values_only=True))
    module = make_rows_module()
    assert list(header) == module.HEADERS and len(values) == 20
    expected = module.make_rows(len(values))
    for got, want in zip(values, expected):
        for name, value in zip(header, got):
            if name in ("罚息", "合计"):
                assert Decimal(str(value)) == want[name], "run: python examples/make_rows.py"


@pytest.mark.parametrize("days", [7, 30])
def test_the_letter_states_the_penalty_window(tmp_path: Path, days: int) -> None:
    loan = make_loan("JJ0001", overdue_since=AS_OF - (days - 1) * ONE_DAY, overdue_principal=Decimal("20000"),
                     guarantors=["张三"])
    policy = _policy(tmp_path)
    with Register(tmp_path / "register.sqlite") as register:
        first = make_letters([loan], AS_OF, tmp_path / "out", policy=policy, register=register)
        # Once the borrower's letter is out, the guarantor's notice: the same amounts, the same window.
        second = make_letters([loan], AS_OF, tmp_path / "out", policy=policy, register=register)
    texts = {o.document: docx_text(Path(o.file)) for o in first.written + second.written}
    assert sorted(texts) == ["demand-letter", "guarantor-demand"]
    fine = f"{20000 * days * Decimal('0.0005'):.2f}"
    for text in texts.values():
        assert f"罚息（计至2026年11月28日，含当日）\n{fine}" in text
    assert "计息天数为逾期天数，自逾期之日（逾期第1日）起计至2026年11月28日（含当日）" in texts["demand-letter"]
