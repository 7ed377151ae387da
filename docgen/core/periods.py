"""Calendar periods counted in months or years, as the Civil Code counts them.

《民法典》第二百零一条: a period counted in years or months does not count its first day, and
第二百零二条: it ends on the *corresponding day* of the last month, or on that month's last day
when there is no such day. So a period of N years starting on date D ends on D + N years
(2024-02-29 + 3 years -> 2027-02-28), and N months after Aug 31 ends on Feb 28/29. Used by the
loan ledger's deadlines (``docgen.loans.limitation``) and the templates' ``within_years`` rule.
"""
from __future__ import annotations

import datetime as _dt
from functools import lru_cache

#: Days of each month of a common year (February has 29 in a leap year).
_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


@lru_cache(maxsize=65536)
def add_months(start: _dt.date, months: int) -> _dt.date:
    """Return ``start`` moved by ``months`` calendar months (negative moves back).

    The day is kept when the target month has it, else clamped to that month's last day
    (art. 202), which is how ``relativedelta`` counts: ``add_months(2026-08-31, 6) ==
    2027-02-28``, ``add_months(2027-08-31, 6) == 2028-02-29``. Raises ``ValueError`` when
    the result falls outside the years 1..9999.
    """
    # Remembered: a ledger of thousands of loans repeats the same dates and periods. Counted here
    # rather than by relativedelta (the same dates, several times its speed: a plan asks thousands).
    years, month = divmod(start.month - 1 + months, 12)
    year = start.year + years
    last = 29 if month == 1 and year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else _MONTH_DAYS[month]
    return _dt.date(year, month + 1, min(start.day, last))


def add_years(start: _dt.date, years: int) -> _dt.date:
    """Return ``start`` moved by ``years`` calendar years; Feb 29 becomes Feb 28 in a common year.
    Raises ``ValueError`` as ``add_months`` does."""
    return add_months(start, 12 * years)
