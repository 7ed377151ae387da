"""Legal deadlines of an overdue loan: the limitation period and the guarantee period.

Both are calendar periods under the Civil Code:

- art. 201/202: a period counted in years or months ends on the corresponding day of its last
  month, or on that month's last day when there is none (``docgen.core.periods``: 2024-02-29
  + 3 years -> 2027-02-28).
- art. 188: the limitation period (诉讼时效) for a bank's claim is three years, running from when
  the creditor knew its right was infringed, i.e. when the loan (or the instalment) fell due
  unpaid. art. 195: a demand served on the debtor, the debtor's acknowledgment or part payment,
  or a suit interrupts it, and a new full period runs from the interruption.
- art. 692: a guarantee with no agreed period must be called within six months after the
  main debt falls due (保证期间); an agreed period ends on the agreed date. A loan declared due
  early fell due by the declaration: the period is counted from it when that ends earlier.
- art. 693: a joint guarantee is kept by a demand on the guarantor inside the period, a general
  guarantee by a suit (or arbitration) against the debtor; a suit withdrawn and not filed again
  before the period ends does not keep it (《最高人民法院关于适用〈中华人民共和国民法典〉有关担保制度的
  解释》第三十一条第一款, ``guarantee_acts``).

Where the claim's due date is ambiguous we take the *earlier* candidate, so a warning can come
too early but never too late (see ``claim_due_date``).
"""
from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from docgen.core.periods import add_months, add_years
from docgen.loans.vocabulary import REVIVING_TYPES


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


# --------------------------------------------------------------------------- claims (DESIGN §8.1)


@dataclass(frozen=True)
class Period:
    """A running legal period: its start, its last day and what started it (``basis``).

    ``basis`` reads like ``2023-06-01 债务人确认``; ``ignored`` lists events that came after the
    period had run out and could not interrupt it (art. 192/195), as ``(date, event)``.
    """

    start: _dt.date
    deadline: _dt.date
    basis: str
    ignored: tuple[tuple[_dt.date, str], ...] = ()


def claim_period(
    due: _dt.date, events: Iterable[tuple[_dt.date, str]], years: int = 3, *, due_label: str = "到期未还"
) -> Period:
    """Return the limitation period of a claim that fell due on ``due`` after ``events``.

    ``events`` are ``(date, kind)`` with kind one of 催收送达, 债务人确认, 部分还款, 起诉. In date
    order, an event inside the running period (on or before its last day) starts a new full
    period (art. 195); after the last day only 债务人确认 or 部分还款 revives the claim (art.
    192), any other event is listed in ``ignored``. Events before ``due`` interrupt nothing.
    """
    return _claim_period(due, frozenset(events), years, due_label)


@lru_cache(maxsize=65536)
def _claim_period(due: _dt.date, events: frozenset[tuple[_dt.date, str]], years: int, due_label: str) -> Period:
    """Return ``claim_period(due, events, years, due_label=due_label)``, remembered: a plan asks it
    of thousands of loans, many of them due on the same day with the same events (a ``Period``
    is frozen, so loans share it)."""
    start, deadline = due, add_years(due, years)
    basis = f"{due.isoformat()} {due_label}"
    ignored: list[tuple[_dt.date, str]] = []
    for day, kind in sorted(events):
        if day < start:
            continue
        if day <= deadline:
            start, deadline, basis = day, add_years(day, years), f"{day.isoformat()} {kind}"
        elif kind in REVIVING_TYPES:
            start, deadline = day, add_years(day, years)
            basis = f"{day.isoformat()} {kind}（时效届满后，《民法典》第一百九十二条）"
        else:
            ignored.append((day, kind))
    return Period(start, deadline, basis, tuple(ignored))


def loan_events(loan: Any) -> list[tuple[_dt.date, str]]:
    """Return the interrupting events the ledger records for ``loan``: 时效中断日 and 起诉日期."""
    events = []
    if loan.last_interruption is not None:
        events.append((loan.last_interruption, loan.interruption_type or "催收送达"))
    if loan.litigation_filed is not None:
        events.append((loan.litigation_filed, "起诉"))
    return events


def enforcement_deadline(judgment_due: _dt.date, years: int = 2) -> _dt.date:
    """Return the last day to apply for enforcement: two years counted from the day after the
    judgment's last day to perform (Civil Procedure Law art. 250; art. 201/202 for the count)."""
    return add_years(judgment_due, years)


@dataclass(frozen=True)
class Guarantee:
    """Where a loan's guarantee stands on a date (art. 686, 692-694).

    ``liable`` says whether the guarantors can still be called on; ``preserved`` how the
    guarantee was kept alive (``demand``: a 连带责任保证 called in time; ``suit``: the debtor sued
    in time under a 一般保证; ``""``: not yet). ``deadline`` is what to watch next: the end of
    the guarantee period while nothing preserved it, the three-year limitation of the claim
    against a joint guarantor after the demand, or None. ``reason`` says why a guarantee lapsed.
    ``withdrawn`` is the date of a suit against the debtor filed inside the period and withdrawn
    (``guarantee_acts``), which kept no general guarantee: it is to be kept by a new suit, or was lost.
    """

    type: str
    period_end: _dt.date
    liable: bool
    preserved: str
    deadline: _dt.date | None
    basis: str
    reason: str = ""
    #: The end the period would have counted from the original maturity, when the loan's declaration
    #: of early maturity made the period end earlier (``accelerated_guarantee_end``); else None.
    later_end: _dt.date | None = None
    #: The end counted from the declaration when it has passed with the guarantee not kept by then
    #: (no demand, no suit): the bank then acts by ``later_end`` (``period_end``), as a court counting
    #: from the original maturity would, and whether the guarantors are still liable is disputed;
    #: else None.
    disputed_end: _dt.date | None = None
    #: The end counted from the declaration of early maturity whenever it is earlier than the one
    #: counted from maturity (``later_end``), passed or not; else None.
    declared_end: _dt.date | None = None
    withdrawn: _dt.date | None = None

    @property
    def needs_demand(self) -> bool:
        """True when a joint guarantor is liable and has not yet been called on."""
        return self.liable and not self.preserved and self.type == "连带责任保证"

    @property
    def needs_suit(self) -> bool:
        """True when a general guarantee lapses unless the debtor is sued within the period."""
        return self.liable and not self.preserved and self.type == "一般保证"


def accelerated_guarantee_end(maturity: _dt.date, declared_on: _dt.date | None, months: int = 6) -> _dt.date | None:
    """Return the end of a guarantee period with no agreed end counted from the day the loan was
    declared due early (``declared_on``), when that is earlier than the one counted from
    ``maturity``; else None.

    Art. 692 counts the period from the day the main debt falls due. A loan declared due early
    (宣布提前到期) fell due when the declaration reached the borrower, and courts may count the
    guarantee period from then rather than from the agreed maturity: the bank acts safely only by
    the earlier of the two ends. The declaration takes effect on its service, never before the
    declaring letter's date, so ``declared_on`` (that date) gives an end no later than the one a
    court could count from the service.
    """
    if declared_on is None:
        return None
    early = add_months(declared_on, months)
    return early if early < add_months(maturity, months) else None


def guarantee_acts(loan: Any, kind: str) -> tuple[_dt.date | None, _dt.date | None]:
    """Return ``(kept, withdrawn)`` of ``loan``'s guarantee of type ``kind``: ``kept`` the date of the
    act that keeps it when done inside the guarantee period, or None; ``withdrawn`` the date of a suit
    that keeps nothing because it was withdrawn, or None.

    A 连带责任保证 is kept by the demand on the guarantor (向保证人主张日, 《民法典》第六百九十三条第二款;
    a suit against that guarantor withdrawn after its complaint was served counts as one, 担保制度解释
    第三十一条第二款, and the ledger records it there), never by a suit against the debtor. Any other
    (一般保证) is kept by the suit against the debtor (起诉日期, 第六百九十三条第一款), unless 诉讼状态 is
    已撤诉: a creditor who withdrew the suit and did not sue again before the period ended no longer
    holds the guarantor liable (《最高人民法院关于适用〈中华人民共和国民法典〉有关担保制度的解释》第三十一条
    第一款); the guarantee then stands as if no suit had been filed. A new suit is a new 起诉日期 and
    诉讼状态 (已起诉).
    """
    if kind == "连带责任保证":
        return loan.guarantor_demanded, None
    if loan.litigation == "已撤诉":
        return None, loan.litigation_filed
    return loan.litigation_filed, None


def suit_keeps(loan: Any, kind: str) -> tuple[_dt.date, bool] | None:
    """Return ``(filed, judged)`` when ``loan``'s guarantee of type ``kind`` is kept by the suit the loan is
    in, else None: a 连带责任保证 whose 向保证人主张日 is 起诉日期 itself while the case is pending or judged
    (``in_litigation``: 已起诉/已判决/执行中/终结本次执行), the date the ledger records for a guarantor sued in
    that case (the in-court notice's next step asks for it). A later 向保证人主张日 is a written demand, on a
    guarantor who may be no party to the suit: its three years run (第六百九十四条第二款) and are watched. The suit claimed against the guarantor (《民法典》第六百九十三条第二款) and interrupted the
    limitation of the guarantee claim, which restarts only when the proceedings end (第一百九十五条); once
    judged (``judged``) the enforcement period applies, not the three years of 第六百九十四条第二款. Not for a
    suit withdrawn (已撤诉: a demand then, 担保制度解释第三十一条第二款) or closed (已结案), nor for no suit.
    """
    if kind != "连带责任保证" or not loan.in_litigation:
        return None
    filed, demanded = loan.litigation_filed, loan.guarantor_demanded
    if filed is None or demanded != filed:
        return None
    return filed, loan.judged


def guarantee_status(loan: Any, as_of: _dt.date, months: int = 6, years: int = 3, *,
                     declared_on: _dt.date | None = None) -> Guarantee | None:
    """Return the ``Guarantee`` of ``loan`` on ``as_of``, or None when nobody guarantees it.

    The period is 保证期间届满日 or maturity + ``months`` months (art. 692); for a loan declared due
    early by a letter dated ``declared_on``, the earlier of that and ``declared_on`` + ``months``
    months (``accelerated_guarantee_end``; an agreed end governs all the same), the later kept in
    ``later_end``. Once the earlier end has passed with the guarantee not kept by then, the period
    is taken to end on the later one (``disputed_end`` naming the earlier): a court counting from the
    original maturity may still hold the guarantors liable until then, and a demand or a suit inside
    it is the bank's only chance of that, where giving up would lose the guarantee either way. A
    连带责任保证 is preserved by 向保证人主张日 inside the period, after which the claim against the
    guarantor has its own ``years``-year limitation from that date (art. 694 para. 2), unless that
    date is the suit the loan is in (``suit_keeps``): preserved ``suit`` then, no deadline (the suit
    interrupted that limitation until the proceedings end, art. 195; once judged, the enforcement
    period the plan watches applies). A 一般保证 is
    preserved by a suit against the debtor (起诉日期) inside the period (art. 693 para. 1), unless it was
    withdrawn (``guarantee_acts``; its date in ``withdrawn`` when filed by the period's end).
    """
    found = _guarantee_status(loan, as_of, months, years, declared_on)
    if found is None or found.later_end is None:
        return found
    return replace(found, declared_end=accelerated_guarantee_end(loan.maturity, declared_on, months))


def _guarantee_status(loan: Any, as_of: _dt.date, months: int, years: int,
                      declared_on: _dt.date | None) -> Guarantee | None:
    """Return ``guarantee_status`` without its ``declared_end``."""
    if not loan.guarantors:
        return None
    kind = loan.guarantee_type or "一般保证"
    agreed = loan.guarantee_period_end
    end = guarantee_deadline(loan.maturity, agreed, months)
    assert end is not None  # maturity is required in a ledger
    end_basis = (f"约定保证期间至{end.isoformat()}" if agreed is not None
                 else f"{loan.maturity.isoformat()} 主债务到期后{months}个月（《民法典》第六百九十二条）")
    early = accelerated_guarantee_end(loan.maturity, declared_on, months) if agreed is None else None
    later = None
    if early is not None:
        assert declared_on is not None
        later, end = end, early
        end_basis = (f"{declared_on.isoformat()} 宣布提前到期的催收函出具后{months}个月（《民法典》第六百九十二条；"
                     f"早于按原到期日 {loan.maturity.isoformat()} 起算的 {later.isoformat()}，以较早者为准）")
    kept, withdrawn = guarantee_acts(loan, kind)
    disputed = None
    if later is not None and end < as_of and (kept is None or kept > end):
        # The earlier end passed with nothing done by then: act by the later end, the effect disputed.
        assert early is not None and declared_on is not None
        disputed, end = early, later
        end_basis = (f"{loan.maturity.isoformat()} 主债务到期后{months}个月（《民法典》第六百九十二条；"
                     f"自{declared_on.isoformat()} 宣布提前到期起算则已于{early.isoformat()}届满，有争议）")
    if kind == "连带责任保证":
        if kept is not None and kept <= end:
            sued = suit_keeps(loan, kind)
            if sued is not None:
                # Sued with the borrower: the guarantee claim's limitation does not run while the case is pending.
                basis = (f"{kept.isoformat()} 向保证人主张（{sued[0].isoformat()}起诉的案件，诉讼时效中断至程序终结，"
                         "《民法典》第六百九十三条第二款、第一百九十五条" + ("；已判决，适用申请执行期间）" if sued[1] else "）"))
                return Guarantee(kind, end, True, "suit", None, basis, later_end=later, disputed_end=disputed)
            claim_end = add_years(kept, years)
            return Guarantee(kind, end, claim_end >= as_of, "demand", claim_end,
                             f"{kept.isoformat()} 向保证人主张（《民法典》第六百九十四条第二款）",
                             "" if claim_end >= as_of else "对保证人的诉讼时效已届满", later_end=later,
                             disputed_end=disputed)
        if end >= as_of:
            return Guarantee(kind, end, True, "", end, end_basis, later_end=later, disputed_end=disputed)
        reason = ("向保证人主张晚于保证期间" if kept is not None else "保证期间内未向保证人主张")
        return Guarantee(kind, end, False, "", end, end_basis, reason, later_end=later)
    if kept is not None and kept <= end:
        return Guarantee(kind, end, True, "suit", None, f"{kept.isoformat()} 起诉债务人（《民法典》第六百九十三条第一款）",
                         later_end=later, disputed_end=disputed)
    if withdrawn is not None and withdrawn > end:
        withdrawn = None  # filed after the period: too late whether withdrawn or not
    if end >= as_of:
        return Guarantee(kind, end, True, "", end, end_basis, later_end=later, disputed_end=disputed,
                         withdrawn=withdrawn)
    reason = ("保证期间内未对债务人提起诉讼或申请仲裁" if withdrawn is None
              else "起诉债务人后已撤诉，保证期间届满前未再行起诉或申请仲裁")
    return Guarantee(kind, end, False, "", end, end_basis, reason, later_end=later, withdrawn=withdrawn)
