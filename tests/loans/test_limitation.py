"""Limitation (诉讼时效) and guarantee-period (保证期间) deadlines: calendar arithmetic and the law's rules."""
from __future__ import annotations

import datetime as dt

import pytest

from docgen.loans.limitation import (
    add_months,
    add_years,
    claim_due_date,
    guarantee_deadline,
    limitation_deadline,
    limitation_start,
)

D = dt.date


@pytest.mark.parametrize(
    ("start", "years", "expected"),
    [
        (D(2024, 2, 29), 3, D(2027, 2, 28)),  # leap day into a common year: month end
        (D(2024, 2, 29), 4, D(2028, 2, 29)),  # leap year to leap year keeps the day
        (D(2025, 2, 28), 3, D(2028, 2, 28)),  # into a leap year: the corresponding day, not Feb 29
        (D(2026, 3, 1), 3, D(2029, 3, 1)),
        (D(2026, 12, 31), 3, D(2029, 12, 31)),
    ],
)
def test_add_years_uses_calendar_not_day_counts(start: dt.date, years: int, expected: dt.date) -> None:
    assert add_years(start, years) == expected


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (D(2026, 8, 31), 6, D(2027, 2, 28)),   # clamped to the end of a common February
        (D(2027, 8, 31), 6, D(2028, 2, 29)),   # and of a leap February
        (D(2026, 5, 31), 6, D(2026, 11, 30)),  # 30-day month
        (D(2026, 7, 15), 6, D(2027, 1, 15)),   # across the year end
        (D(2026, 3, 31), -1, D(2026, 2, 28)),
    ],
)
def test_add_months_clamps_to_month_end(start: dt.date, months: int, expected: dt.date) -> None:
    assert add_months(start, months) == expected


def test_limitation_counts_three_years_from_the_overdue_date_without_interruption() -> None:
    # An instalment missed before maturity: the first overdue day starts the period.
    assert limitation_deadline(D(2024, 2, 29), D(2026, 6, 30), None) == D(2027, 2, 28)
    assert limitation_start(D(2024, 2, 29), D(2026, 6, 30), None) == D(2024, 2, 29)


def test_limitation_of_a_loan_overdue_at_maturity_counts_from_maturity() -> None:
    # Overdue since the day after maturity: the debt fell due at maturity, one day earlier.
    assert claim_due_date(D(2024, 3, 1), D(2024, 2, 29)) == D(2024, 2, 29)
    assert limitation_deadline(D(2024, 3, 1), D(2024, 2, 29), None) == D(2027, 2, 28)


def test_interruption_restarts_a_full_period() -> None:
    # A demand served on 2025-02-28 restarts three years from that day (art. 195).
    assert limitation_deadline(D(2023, 5, 10), D(2024, 5, 9), D(2025, 2, 28)) == D(2028, 2, 28)
    # A part payment on a leap day: 2028-02-29 + 3 years -> 2031-02-28.
    assert limitation_deadline(D(2023, 5, 10), D(2024, 5, 9), D(2028, 2, 29)) == D(2031, 2, 28)


def test_interruption_before_the_debt_fell_due_interrupts_nothing() -> None:
    assert limitation_start(D(2026, 1, 10), D(2026, 6, 30), D(2025, 12, 1)) == D(2026, 1, 10)


def test_policy_years_are_honoured() -> None:
    assert limitation_deadline(D(2024, 2, 29), None, None, years=2) == D(2026, 2, 28)


def test_guarantee_deadline_defaults_to_six_months_after_maturity() -> None:
    assert guarantee_deadline(D(2026, 8, 31), None) == D(2027, 2, 28)
    assert guarantee_deadline(D(2027, 8, 31), None) == D(2028, 2, 29)
    assert guarantee_deadline(D(2026, 6, 30), None) == D(2026, 12, 30)


def test_agreed_guarantee_period_wins() -> None:
    assert guarantee_deadline(D(2026, 8, 31), D(2029, 8, 31)) == D(2029, 8, 31)


def test_guarantee_deadline_unknown_without_dates() -> None:
    assert guarantee_deadline(None, None) is None
