"""Calendar periods in months and years (《民法典》第二百零一条、第二百零二条): the corresponding day,
clamped to the month's end."""
from __future__ import annotations

import datetime as dt

import pytest

from docgen.core.periods import add_months, add_years

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


def test_month_arithmetic_counts_as_relativedelta_does() -> None:
    # add_months clamps the day to the target month as dateutil's relativedelta does (art. 202).
    import random

    from dateutil.relativedelta import relativedelta

    rng = random.Random(5)
    for _ in range(20_000):
        start = dt.date(rng.randint(1, 9999), rng.randint(1, 12), 1) + dt.timedelta(days=rng.randint(0, 30))
        months = rng.randint(-400, 400)
        try:
            expected: object = start + relativedelta(months=months)
        except ValueError:
            expected = ValueError
        try:
            got: object = add_months(start, months)
        except ValueError:
            got = ValueError
        assert got == expected, (start, months)
    assert add_years(dt.date(2024, 2, 29), 3) == dt.date(2027, 2, 28)
    assert add_months(dt.date(2026, 8, 31), 6) == dt.date(2027, 2, 28)
