"""Legal deadlines of an overdue loan: the limitation period and the guarantee period.

Both are calendar periods under the Civil Code:

- art. 201: a period counted in years or months does not count its first day, and
  art. 202: it ends on the *corresponding day* of the last month, or on that month's last day
  when there is no such day. So a period of N years starting on date D ends on D + N years
  (2024-02-29 + 3 years -> 2027-02-28), and N months after Aug 31 ends on Feb 28/29.
- art. 188: the limitation period (诉讼时效) for a bank's claim is three years, running from when
  the creditor knew its right was infringed, i.e. when the loan (or the instalment) fell due
  unpaid. art. 195: a demand served on the debtor, the debtor's acknowledgment or part payment,
  or a suit interrupts it, and a new full period runs from the interruption.
- art. 692: a guarantee with no agreed period must be called within six months after the
  main debt falls due (保证期间); an agreed period ends on the agreed date.

Where the claim's due date is ambiguous we take the *earlier* candidate, so a warning can come
too early but never too late (see ``claim_due_date``).
"""
from __future__ import annotations

import datetime as _dt

from dateutil.relativedelta import relativedelta


def add_months(start: _dt.date, months: int) -> _dt.date:
    """Return ``start`` moved by ``months`` calendar months (negative moves back).

    The day is kept when the target month has it, else clamped to that month's last day
    (art. 202), which is how ``relativedelta`` counts: ``add_months(2026-08-31, 6) ==
    2027-02-28``, ``add_months(2027-08-31, 6) == 2028-02-29``. Raises ``ValueError`` when
    the result falls outside the years 1..9999.
    """
    return start + relativedelta(months=months)


def add_years(start: _dt.date, years: int) -> _dt.date:
    """Return ``start`` moved by ``years`` calendar years; Feb 29 becomes Feb 28 in a common year."""
    return start + relativedelta(years=years)


def claim_due_date(overdue_since: _dt.date, maturity: _dt.date | None) -> _dt.date:
    """Return the date from which the limitation period of an overdue loan is counted.

    ``overdue_since`` is the first day the loan is overdue (day 1): the creditor knows of the
    default from then on. For a loan that went overdue at maturity, the maturity date itself
    is when the debt fell due, one day earlier; we take the earlier of the two. For a missed
    instalment before maturity, art. 189 would let the period run from the last instalment's
    due date, but a bank that declared the loan due early cannot rely on that, so the first
    overdue day is used (the conservative choice: a warning may come early, never late).
    """
    if maturity is not None and maturity < overdue_since:
        return maturity
    return overdue_since


def limitation_start(
    overdue_since: _dt.date, maturity: _dt.date | None, last_interruption: _dt.date | None
) -> _dt.date:
    """Return the start of the running limitation period.

    That is the last interruption (served demand, acknowledgment, part payment or suit; art.
    195) when it is later than the claim's due date, else the claim's due date
    (``claim_due_date``). An "interruption" dated before the debt fell due interrupts nothing.
    """
    due = claim_due_date(overdue_since, maturity)
    if last_interruption is not None and last_interruption > due:
        return last_interruption
    return due


def limitation_deadline(
    overdue_since: _dt.date,
    maturity: _dt.date | None,
    last_interruption: _dt.date | None,
    years: int = 3,
) -> _dt.date:
    """Return the last day of the limitation period: ``limitation_start(...) + years`` years.

    Raises nothing for valid dates; ``years`` comes from the collection policy (default 3).
    """
    return add_years(limitation_start(overdue_since, maturity, last_interruption), years)


def guarantee_deadline(
    maturity: _dt.date | None,
    agreed_end: _dt.date | None,
    months: int = 6,
) -> _dt.date | None:
    """Return the last day the bank can call the guarantee.

    The agreed end of the guarantee period when the ledger has one; else ``maturity`` plus
    ``months`` months (art. 692, default six), clamped to the month's end. Returns None when
    neither an agreed date nor a maturity date is known.
    """
    if agreed_end is not None:
        return agreed_end
    if maturity is None:
        return None
    return add_months(maturity, months)
