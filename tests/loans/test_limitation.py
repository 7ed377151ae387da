"""Limitation (诉讼时效) and guarantee-period (保证期间) deadlines: calendar arithmetic and the law's rules."""
from __future__ import annotations

import datetime as dt

import pytest

from docgen.loans.limitation import (
    claim_due_date,
    claim_period,
    enforcement_deadline,
    guarantee_deadline,
    guarantee_status,
)
from tests.collect_helpers import make_loan

D = dt.date


def deadline(overdue_since: dt.date, maturity: dt.date | None, *events: tuple[dt.date, str], years: int = 3) -> dt.date:
    return claim_period(claim_due_date(overdue_since, maturity), events, years).deadline


def test_limitation_counts_three_years_from_the_overdue_date_without_interruption() -> None:
    # An instalment missed before maturity: the first overdue day starts the period.
    period = claim_period(claim_due_date(D(2024, 2, 29), D(2026, 6, 30)), [])
    assert (period.start, period.deadline, period.basis) == (D(2024, 2, 29), D(2027, 2, 28), "2024-02-29 到期未还")


def test_limitation_of_a_loan_overdue_at_maturity_counts_from_maturity() -> None:
    # Overdue since the day after maturity: the debt fell due at maturity, one day earlier.
    assert claim_due_date(D(2024, 3, 1), D(2024, 2, 29)) == D(2024, 2, 29)
    assert deadline(D(2024, 3, 1), D(2024, 2, 29)) == D(2027, 2, 28)


def test_interruption_restarts_a_full_period() -> None:
    # A demand served on 2025-02-28 restarts three years from that day (art. 195).
    assert deadline(D(2023, 5, 10), D(2024, 5, 9), (D(2025, 2, 28), "催收送达")) == D(2028, 2, 28)
    # A part payment on a leap day inside the period: 2028-02-29 + 3 years -> 2031-02-28.
    assert deadline(D(2026, 5, 10), D(2027, 5, 9), (D(2028, 2, 29), "部分还款")) == D(2031, 2, 28)


def test_interruption_before_the_debt_fell_due_interrupts_nothing() -> None:
    period = claim_period(claim_due_date(D(2026, 1, 10), D(2026, 6, 30)), [(D(2025, 12, 1), "催收送达")])
    assert period.start == D(2026, 1, 10)


def test_policy_years_are_honoured() -> None:
    assert deadline(D(2024, 2, 29), None, years=2) == D(2026, 2, 28)


# Due 2019-01-02, so the period's last day is 2022-01-02 (art. 188, 201, 202).
DUE = D(2019, 1, 2)


@pytest.mark.parametrize(("served", "expected", "ignored"), [
    (D(2022, 1, 1), D(2025, 1, 1), ()),                               # the day before the last day
    (D(2022, 1, 2), D(2025, 1, 2), ()),                               # on the last day: still inside
    (D(2022, 1, 3), D(2022, 1, 2), ((D(2022, 1, 3), "催收送达"),)),    # the day after: too late
    (D(2023, 6, 1), D(2022, 1, 2), ((D(2023, 6, 1), "催收送达"),)),    # the example
])
def test_a_demand_interrupts_only_before_expiry(served: dt.date, expected: dt.date, ignored: tuple) -> None:
    period = claim_period(DUE, [(served, "催收送达")])
    assert (period.deadline, period.ignored) == (expected, ignored)


@pytest.mark.parametrize("kind", ["债务人确认", "部分还款"])
def test_acknowledgment_or_payment_after_expiry_revives_the_claim(kind: str) -> None:
    period = claim_period(DUE, [(D(2023, 6, 1), kind)])
    assert (period.start, period.deadline, period.ignored) == (D(2023, 6, 1), D(2026, 6, 1), ())
    assert period.basis == f"2023-06-01 {kind}（时效届满后，《民法典》第一百九十二条）"


def test_a_suit_after_expiry_does_not_revive_but_one_inside_interrupts() -> None:
    assert claim_period(DUE, [(D(2022, 3, 1), "起诉")]).ignored == ((D(2022, 3, 1), "起诉"),)
    assert claim_period(DUE, [(D(2021, 3, 1), "起诉")]).basis == "2021-03-01 起诉"


def test_events_chain_in_date_order() -> None:
    # A demand inside the period, then an acknowledgment inside the new one.
    period = claim_period(DUE, [(D(2024, 5, 1), "债务人确认"), (D(2021, 12, 1), "催收送达")])
    assert (period.deadline, period.basis) == (D(2027, 5, 1), "2024-05-01 债务人确认")


def test_enforcement_deadline_is_two_years_after_the_last_day_to_perform() -> None:
    assert enforcement_deadline(D(2024, 3, 10)) == D(2026, 3, 10)
    assert enforcement_deadline(D(2024, 2, 29)) == D(2026, 2, 28)


def test_joint_guarantee_called_inside_the_period_is_preserved_with_its_own_limitation() -> None:
    base = dict(maturity=D(2025, 6, 30), guarantors=["李四"], guarantee_type="连带责任保证")
    # Period: 2025-06-30 + 6 months = 2025-12-30. Called on its last day: preserved.
    called = guarantee_status(make_loan(**base, guarantor_demanded=D(2025, 12, 30)), D(2026, 11, 28))
    assert (called.liable, called.preserved, called.deadline) == (True, "demand", D(2028, 12, 30))
    # Called the day after: lapsed.
    late = guarantee_status(make_loan(**base, guarantor_demanded=D(2025, 12, 31)), D(2026, 11, 28))
    assert (late.liable, late.preserved, late.reason) == (False, "", "向保证人主张晚于保证期间")
    # Never called: alive on the period's last day, lapsed the day after.
    assert guarantee_status(make_loan(**base), D(2025, 12, 30)).liable is True
    assert guarantee_status(make_loan(**base), D(2025, 12, 31)).liable is False


def test_general_guarantee_is_preserved_by_suing_the_debtor_not_by_calling_the_guarantor() -> None:
    base = dict(maturity=D(2025, 6, 30), guarantors=["李四"], guarantee_type="一般保证")
    demanded = guarantee_status(make_loan(**base, guarantor_demanded=D(2025, 9, 1)), D(2026, 11, 28))
    assert (demanded.liable, demanded.reason) == (False, "保证期间内未对债务人提起诉讼或申请仲裁")
    sued = guarantee_status(make_loan(**base, litigation_filed=D(2025, 12, 30), litigation="已起诉"),
                            D(2026, 11, 28))
    assert (sued.liable, sued.preserved, sued.deadline) == (True, "suit", None)
    late = guarantee_status(make_loan(**base, litigation_filed=D(2025, 12, 31), litigation="已起诉"),
                            D(2026, 11, 28))
    assert late.liable is False
    assert guarantee_status(make_loan(**base), D(2025, 12, 30)).needs_suit is True


def test_guarantee_deadline_defaults_to_six_months_after_maturity() -> None:
    assert guarantee_deadline(D(2026, 8, 31), None) == D(2027, 2, 28)
    assert guarantee_deadline(D(2027, 8, 31), None) == D(2028, 2, 29)
    assert guarantee_deadline(D(2026, 6, 30), None) == D(2026, 12, 30)


def test_agreed_guarantee_period_wins() -> None:
    assert guarantee_deadline(D(2026, 8, 31), D(2029, 8, 31)) == D(2029, 8, 31)


def test_guarantee_deadline_unknown_without_dates() -> None:
    assert guarantee_deadline(None, None) is None
