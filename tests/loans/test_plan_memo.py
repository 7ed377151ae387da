"""What a plan works out once and shares between loans: the timetable's answer for loans that read
the same to it (``Policy.timetable_memo``) and the warnings worded with the same facts. Shared or
computed afresh, every entry is the same."""
from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from collect_helpers import AS_OF, make_loan

from docgen.core.errors import InputError
from docgen.loans import plan as plan_module
from docgen.loans.plan import build_plan, load_policy, next_action, plan_entry


def _policy(tmp_path: Path, timetable: str) -> plan_module.Policy:
    path = tmp_path / "policy.yaml"
    path.write_text("timetable:\n" + timetable, encoding="utf-8")
    return load_policy(path)


TIMETABLE = """\
  - {action: phone, from: 1, to: 3}
  - {action: visit, from: 4, to: 6, when: loan.balance >= 100000}
  - {action: guarantor-demand, from: 4, to: 60, when: loan.guarantors}
  - {action: demand-letter, from: 7, due: 9, once: true}
  - {action: phone, from: 8, to: 90}
  - {action: legal-action, from: 61, once: true, when: "loan.balance | int >= 500000"}
  - {action: phone, from: 91}
"""


def _loans() -> list:
    loans = []
    for days in range(1, 130):
        for balance, guarantors, litigation in ((Decimal("50000"), (), "未起诉"), (Decimal("600000"), ("甲",), "未起诉"),
                                                (Decimal("600000"), (), "已起诉")):
            loans.append(make_loan(f"JJ{days:03d}{len(loans) % 3}", days=days, balance=balance, guarantors=guarantors,
                                   litigation=litigation))
    return loans


def test_the_timetables_shared_answers_are_what_each_loan_computed_alone_gives(tmp_path: Path) -> None:
    shared = _policy(tmp_path, TIMETABLE)
    loans = _loans()
    together = [dataclasses.asdict(next_action(loan, AS_OF, shared)) for loan in loans]
    # Loans of many days past due read the same to the timetable: a few answers serve them all.
    assert 0 < len(shared.timetable_memo) < len(loans) / 10
    # A policy of its own per loan: nothing shared, each answer worked out afresh.
    alone = [dataclasses.asdict(next_action(loan, AS_OF, dataclasses.replace(shared))) for loan in loans]
    assert together == alone
    assert {answer["action"] for answer in together} == {"phone", "visit", "guarantor-demand", "demand-letter"}
    overdue = [answer for answer in together if answer["overdue"]]
    assert overdue and all(due < AS_OF for answer in overdue for _, due in answer["overdue"])


def test_a_condition_refused_on_a_step_not_reached_is_still_not_asked(tmp_path: Path) -> None:
    # 20,000 copies of the borrower's name: the sandbox refuses it, and only when the step is reached.
    policy = _policy(tmp_path, """\
  - {action: phone, from: 1, to: 3, when: "loan.borrower * 20000"}
  - {action: phone, from: 4}
""")
    assert next_action(make_loan(days=10), AS_OF, policy).action == "phone"
    # Past the step's window its condition is not asked: the answer is shared as any other.
    assert len(policy.timetable_memo) == 1
    with pytest.raises(InputError) as caught:
        next_action(make_loan(days=2), AS_OF, policy)
    assert caught.value.code == "condition-refused"
    assert len(policy.timetable_memo) == 1  # worked out without a key: the refusal is not an answer


def test_entries_with_the_same_warning_share_it_and_a_plan_keeps_none_after_it(tmp_path: Path) -> None:
    policy = load_policy()
    since = dt.date(2026, 9, 1)
    loans = [make_loan(f"JJ{i}", days=None, overdue_since=since) for i in range(3)]
    plan = build_plan(loans, AS_OF, policy)
    notices = [entry.notices for entry in plan.entries]
    assert [n.code for n in notices[0]] == ["demand-letter-overdue"]
    assert notices[0][0] is notices[1][0] is notices[2][0]
    assert not plan_module._NOTICES
    # Worded the same as alone: the facts, the sentence, the time-barred wording.
    alone = plan_entry(loans[0], AS_OF, policy).notices
    assert [(n.code, n.message, n.message_en, dict(n.facts)) for n in alone] == [
        (n.code, n.message, n.message_en, dict(n.facts)) for n in notices[0]]
    barred = plan_entry(make_loan("JJ9", days=None, overdue_since=dt.date(2021, 1, 4)), AS_OF, policy)
    (letter,) = [n for n in barred.notices if n.code == "demand-letter-overdue"]
    assert barred.time_barred and letter.message != notices[0][0].message and letter.facts["due"] == "2021-01-10"


@pytest.mark.parametrize(("first", "second"), [(Decimal("1.0"), Decimal("1.00")), ((1,), (True,)),
                                               ((Decimal("1.0"),), (Decimal("1.00"),))])
def test_a_warning_is_shared_only_by_facts_worded_alike(first: object, second: object) -> None:
    # Equal facts whose text differs (a Decimal's places, a tuple of 1 or True) are each worded.
    day = dt.date(2026, 1, 1)
    worded = []
    for balance in (first, second):
        notices: list = []
        plan_module._notice(notices, "matured-unpaid", maturity=day, balance=balance, overdue_since=day, recorded="")
        worded.append(notices[0].message)
    plan_module._NOTICES.clear()
    assert f"余额 {first} 元" in worded[0] and f"余额 {second} 元" in worded[1]


def test_buckets_are_remembered_by_days_past_due_and_read_as_the_buckets_say(tmp_path: Path) -> None:
    policy = load_policy()
    for days in (1, 30, 31, 90, 91, 400, 1, 31):
        assert policy.buckets_of(days) == (policy.bucket(days), policy.seed_bucket(days))
    assert set(policy._days_buckets) == {1, 30, 31, 90, 91, 400}


def test_steps_on_one_condition_ask_it_once_per_loan(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from docgen.core.conditions import Condition

    policy = _policy(tmp_path, TIMETABLE.replace("loan.balance >= 100000", "loan.guarantors"))
    asked: list[str] = []
    evaluate = Condition.evaluate_on
    monkeypatch.setattr(Condition, "evaluate_on", lambda self, name, obj: asked.append(self.source)
                        or evaluate(self, name, obj))
    loan = make_loan(days=5, guarantors=["甲"])
    assert policy.timetable_key(loan, 5)[1:] == (True, False)
    assert asked == ["loan.guarantors", "loan.balance | int >= 500000"]


def test_a_condition_is_asked_only_of_loans_a_step_on_it_is_asked_of(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from docgen.core.conditions import Condition

    policy = _policy(tmp_path, TIMETABLE)
    asked: list[str] = []
    evaluate = Condition.evaluate_on
    monkeypatch.setattr(Condition, "evaluate_on", lambda self, name, obj: asked.append(self.source)
                        or evaluate(self, name, obj))
    # Past the visit's and the guarantor step's windows: only the suit's condition is asked.
    late = make_loan(days=70, balance=Decimal("600000"), guarantors=["甲"])
    assert next_action(late, AS_OF, policy).open_actions == ("demand-letter", "phone", "legal-action")
    # (A new answer asks it again as it is worked out: each text asked is listed once.)
    assert list(dict.fromkeys(asked)) == ["loan.balance | int >= 500000"]
    # In their windows, but no guarantor to call: the guarantor step's condition is not asked.
    asked.clear()
    alone = make_loan(days=5, balance=Decimal("600000"))
    assert next_action(alone, AS_OF, policy).action == "visit"
    assert list(dict.fromkeys(asked)) == ["loan.balance >= 100000", "loan.balance | int >= 500000"]
    asked.clear()
    backed = make_loan(days=5, balance=Decimal("600000"), guarantors=["甲"])
    assert next_action(backed, AS_OF, policy).open_actions == ("visit", "guarantor-demand")
    assert list(dict.fromkeys(asked)) == ["loan.balance >= 100000", "loan.guarantors", "loan.balance | int >= 500000"]
    # The same answers as each loan worked out with a policy of its own.
    for loan in (late, alone, backed):
        assert next_action(loan, AS_OF, policy) == next_action(loan, AS_OF, dataclasses.replace(policy))


def test_a_claims_period_is_worked_out_once_for_loans_due_the_same_day_with_the_same_events() -> None:
    from docgen.loans.limitation import claim_period

    events = [(dt.date(2025, 3, 1), "催收送达"), (dt.date(2024, 1, 1), "起诉")]
    first = claim_period(dt.date(2023, 12, 31), events, 3)
    again = claim_period(dt.date(2023, 12, 31), list(reversed(events)) + events[:1], 3)
    assert again is first and first.deadline == dt.date(2028, 3, 1)
    assert claim_period(dt.date(2023, 12, 31), events, 2) is not first


def test_month_arithmetic_needs_no_dateutil() -> None:
    from scripts import fresh_python_prints

    probe = ("import sys, datetime; from docgen.core.periods import add_months; "
             "print(add_months(datetime.date(2027, 8, 31), 6), 'dateutil' in sys.modules)")
    assert fresh_python_prints(probe) == ["2028-02-29", "False"]


def test_loans_overdue_since_the_same_day_share_the_timetables_answer_in_dates() -> None:
    policy = load_policy()
    since = dt.date(2026, 9, 1)
    first, second = (make_loan(f"JJ{i}", days=None, overdue_since=since, guarantors=["甲"]) for i in range(2))
    answers = [next_action(loan, AS_OF, policy) for loan in (first, second)]
    assert answers[0] is answers[1] and len(policy.actions_memo) == 1
    assert answers[0] == next_action(first, AS_OF, dataclasses.replace(policy))
    # Another first day overdue, or another as-of date: an answer of its own, in its dates.
    later = next_action(make_loan("JJ2", days=None, overdue_since=since + dt.timedelta(days=1), guarantors=["甲"]),
                        AS_OF, policy)
    elsewhen = next_action(first, AS_OF + dt.timedelta(days=1), policy)
    assert later.overdue[0][1] == answers[0].overdue[0][1] + dt.timedelta(days=1)
    assert elsewhen is not answers[0] and elsewhen == next_action(first, AS_OF + dt.timedelta(days=1), load_policy())
    assert len(policy.actions_memo) == 3


def _guarantee_loans() -> list:
    early, late = dt.date(2026, 3, 31), dt.date(2026, 10, 31)
    loans = []
    for kind in ("连带责任保证", "一般保证", "", None):
        for agreed in (None, dt.date(2026, 12, 31), dt.date(2026, 1, 31)):
            for maturity in (early, late):
                for demanded in (None, dt.date(2026, 5, 1), dt.date(2023, 1, 1)):
                    # A suit withdrawn (已撤诉) keeps no general guarantee: its loans share no answer with a pending one's.
                    for filed, litigation in ((None, "未起诉"), (dt.date(2026, 6, 1), "已起诉"),
                                              (dt.date(2026, 6, 1), "已撤诉")):
                        loans.append(make_loan(f"JJ{len(loans)}", days=30, guarantors=[f"保{len(loans)}"],
                                               guarantee_type=kind, guarantee_period_end=agreed, maturity=maturity,
                                               guarantor_demanded=demanded, litigation_filed=filed,
                                               litigation=litigation))
    return loans


def test_a_loans_guarantee_is_shared_by_loans_of_the_same_facts_and_is_what_it_reads_alone() -> None:
    from docgen.loans.limitation import guarantee_status
    from docgen.loans.plan import loan_guarantee

    policy = load_policy()
    loans = _guarantee_loans()
    for loan in loans + loans:  # the second time each is found
        alone = guarantee_status(loan, AS_OF, policy.guarantee_months, policy.limitation_years)
        assert loan_guarantee(loan, AS_OF, policy, frozenset()) == alone, loan
    assert len(policy.guarantee_memo) < len(loans)
    twin = dataclasses.replace(loans[0], loan_no="JJT", guarantors=["另一保证人"])
    assert loan_guarantee(twin, AS_OF, policy, frozenset()) is loan_guarantee(loans[0], AS_OF, policy, frozenset())
    assert loan_guarantee(dataclasses.replace(loans[0], guarantors=[]), AS_OF, policy, frozenset()) is None
    # Another as-of date: a guarantee of its own.
    agreed = make_loan("JJA", days=30, guarantors=["甲"], guarantee_period_end=dt.date(2026, 12, 31))
    assert loan_guarantee(agreed, AS_OF, policy, frozenset()).liable
    assert not loan_guarantee(agreed, AS_OF + dt.timedelta(days=400), policy, frozenset()).liable


def test_a_plans_overdue_steps_are_worded_once_and_none_kept_after_it() -> None:
    policy = load_policy()
    since = dt.date(2026, 6, 1)
    loans = [make_loan(f"JJ{i}", days=None, overdue_since=since, balance=Decimal(1000 + i)) for i in range(3)]
    plan = build_plan(loans, AS_OF, policy)
    overdue = [[n for n in entry.notices if n.code.endswith("-overdue")] for entry in plan.entries]
    assert [n.code for n in overdue[0]] == ["demand-letter-overdue", "legal-action-overdue"]
    assert all(a is b for a, b in zip(overdue[0], overdue[2]))
    assert not plan_module._OVERDUE_NOTICES and not plan_module._NOTICES
    alone = [n for n in plan_entry(loans[1], AS_OF, policy).notices if n.code.endswith("-overdue")]
    assert [(n.message, dict(n.facts)) for n in alone] == [(n.message, dict(n.facts)) for n in overdue[1]]


def test_an_entrys_dates_are_written_by_their_remembered_iso_text() -> None:
    plan_module._ISO_DATES.clear()
    entry = build_plan([make_loan(days=40, guarantors=["甲"])], AS_OF, load_policy()).entries[0]
    data = entry.to_dict()
    assert data["next_action_due"] == entry.next_action_due.isoformat()
    assert data["guarantee"]["period_end"] == entry.guarantee.period_end.isoformat()
    assert data["overdue_since"] == entry.overdue_since.isoformat() and data["enforcement_deadline"] is None
    assert plan_module._ISO_DATES[entry.overdue_since] == entry.overdue_since.isoformat()
    assert entry.to_dict() == data
    # A moment is never taken for its day, nor its day for it.
    day = dt.date(2026, 6, 30)
    iso = plan_module._ISO_DATES
    assert iso[day] == "2026-06-30" and iso[dt.datetime(2026, 6, 30)] == "2026-06-30T00:00:00"
    assert iso[day] == "2026-06-30"


def test_an_entrys_amounts_are_remembered_as_numbers_but_a_zero_keeps_its_sign() -> None:
    import math

    from docgen.core.notices import Notice

    policy = load_policy()
    loans = [make_loan(f"JJ{i}", days=40, balance=balance, overdue_interest=interest)
             for i, (balance, interest) in enumerate(((Decimal("1234.50"), Decimal("0")),
                                                      (Decimal("1234.5"), Decimal("-0")),
                                                      (Decimal("1E+3"), Decimal("0.00"))))]
    data = [entry.to_dict() for entry in build_plan(loans, AS_OF, policy).entries]
    by_loan = {item["loan_no"]: item for item in data}
    assert by_loan["JJ0"]["balance"] == by_loan["JJ1"]["balance"] == 1234.5 and by_loan["JJ2"]["balance"] == 1000.0
    assert plan_module._NUMBERS[Decimal("1234.50")] == 1234.5
    # Decimal("-0") equals Decimal("0") but is written -0.0: a zero is not taken for another.
    signs = [math.copysign(1, by_loan[no]["overdue_interest"]) for no in ("JJ0", "JJ1", "JJ2")]
    assert signs == [1, -1, 1] and Decimal("0") not in plan_module._NUMBERS
    assert plan_module._number(7) == 7.0 and isinstance(plan_module._number(7), float)
    with pytest.raises(ValueError):
        plan_module._number(Decimal("sNaN"))  # what float() says of it
    # A notice of another class gives its own JSON form.

    class Marked(Notice):
        def to_dict(self, lang: str = "zh") -> dict:
            return {**super().to_dict(lang), "marked": True}

    entry = build_plan(loans[:1], AS_OF, policy).entries[0]
    plain = entry.to_dict()["warning_details"]
    assert plain == [n.to_dict() for n in entry.notices]
    entry.notices = [Marked(n.code, n.message, n.message_en, n.facts) for n in entry.notices]
    assert entry.to_dict()["warning_details"] == [{**item, "marked": True} for item in plain]


def test_a_plans_windows_are_counted_once_per_as_of_date(tmp_path: Path) -> None:
    from docgen.loans.plan import guarantee_call_due, service_deadline

    policy = _policy(tmp_path, "  - {action: phone, from: 1}\n")
    assert policy.windows(AS_OF) is policy.windows(AS_OF) == (AS_OF + dt.timedelta(days=policy.warning_days),
                                                              AS_OF + dt.timedelta(days=policy.service_margin_days))
    end = AS_OF + dt.timedelta(days=policy.service_margin_days)
    assert service_deadline(end, AS_OF, policy) == end and service_deadline(end + dt.timedelta(days=1), AS_OF,
                                                                             policy) is None
    assert set(policy._windows) == {AS_OF}
    lapsing = plan_entry(make_loan(days=150, guarantors=["甲"], maturity=AS_OF - dt.timedelta(days=150)), AS_OF, policy)
    later = plan_entry(make_loan(days=30, guarantors=["甲"], maturity=AS_OF - dt.timedelta(days=30)), AS_OF, policy)
    assert guarantee_call_due(lapsing.guarantee, AS_OF, policy) and "guarantee-near" in lapsing.warnings
    assert not guarantee_call_due(later.guarantee, AS_OF, policy) and "guarantee-near" not in later.warnings


def test_only_a_deadline_inside_the_warning_window_is_watched(monkeypatch: pytest.MonkeyPatch) -> None:
    policy = load_policy()
    watched: list[str] = []
    watch = plan_module._watch
    monkeypatch.setattr(plan_module, "_watch", lambda notices, urgent, as_of, prefix, deadline, facts: watched.append(
        prefix) or watch(notices, urgent, as_of, prefix, deadline, facts))
    # Overdue 40 days, matures in a year, its guarantee runs six months past that: nothing near.
    calm = plan_entry(make_loan(days=40, guarantors=["甲"]), AS_OF, policy)
    assert watched == [] and calm.urgent_date is None and calm.warnings == ["demand-letter-overdue"]
    barred = plan_entry(make_loan(days=None, overdue_since=dt.date(2021, 1, 4), maturity=dt.date(2022, 1, 4),
                                  guarantors=["甲"], guarantor_demanded=dt.date(2022, 3, 1)), AS_OF, policy)
    assert watched == ["limitation", "guarantee-claim"]
    assert barred.warnings[:2] == ["limitation-expired", "guarantee-claim-expired"]
    assert barred.urgent_date == barred.limitation_deadline


def test_a_loans_first_day_overdue_is_its_recorded_one_or_the_day_after_an_unpaid_maturity() -> None:
    from docgen.loans.plan import overdue_start

    maturity = dt.date(2026, 3, 31)
    for since in (None, dt.date(2026, 1, 5), maturity, maturity + dt.timedelta(days=1),
                  maturity + dt.timedelta(days=2), dt.date(2026, 6, 1)):
        for balance in (Decimal("0"), Decimal("0.01"), Decimal("420000")):
            loan = make_loan(days=None, overdue_since=since, maturity=maturity, balance=balance)
            late = balance > 0 and (since is None or since > maturity + dt.timedelta(days=1))
            assert overdue_start(loan) == (maturity + dt.timedelta(days=1) if late else since), (since, balance)


def test_an_entrys_fields_given_by_position_are_the_fields_named() -> None:
    # plan_entry gives PlanEntry's fields by position, in this order.
    assert [f.name for f in dataclasses.fields(plan_module.PlanEntry)] == [
        "loan_no", "borrower", "officer", "branch", "row", "overdue_since", "days_past_due", "bucket", "seed_bucket",
        "next_action", "next_action_due", "actions", "limitation_start", "limitation_deadline", "guarantee_deadline",
        "warnings", "balance", "overdue_principal", "overdue_interest", "guarantors", "litigation", "urgent_date",
        "limitation_basis", "time_barred", "enforcement_deadline", "guarantee", "notices", "loan",
        "balance_guarantors"]
    policy = load_policy()
    loan = make_loan("JJ77", days=None, overdue_since=dt.date(2026, 2, 1), maturity=dt.date(2026, 3, 31),
                     borrower="借款人甲", officer="客户经理乙", branch="城西支行", row=9, balance=Decimal("420000.10"),
                     overdue_principal=Decimal("20000.20"), overdue_interest=Decimal("1523.30"), guarantors=["保丙"],
                     litigation="已判决", judgment_due=dt.date(2024, 7, 1), litigation_filed=dt.date(2024, 1, 2))
    entry = plan_entry(loan, AS_OF, policy)
    period = plan_module.limitation_period(loan, policy.limitation_years)
    assert (entry.loan_no, entry.borrower, entry.officer, entry.branch, entry.row) == (
        "JJ77", "借款人甲", "客户经理乙", "城西支行", 9)
    days = (AS_OF - dt.date(2026, 2, 1)).days + 1
    assert (entry.overdue_since, entry.days_past_due) == (dt.date(2026, 2, 1), days)
    assert (entry.bucket, entry.seed_bucket) == policy.buckets_of(days) and entry.bucket != entry.seed_bucket
    action = next_action(loan, AS_OF, policy)
    assert (entry.next_action, entry.next_action_due) == (action.action, action.due) and entry.actions[0] == action.action
    assert (entry.limitation_start, entry.limitation_deadline, entry.limitation_basis) == (
        period.start, period.deadline, period.basis) == (dt.date(2026, 2, 1), dt.date(2029, 2, 1), "2026-02-01 到期未还")
    assert entry.guarantee is not None and entry.guarantee_deadline == entry.guarantee.deadline
    assert entry.warnings == [n.code for n in entry.notices] and "enforcement-expired" in entry.warnings
    assert (entry.balance, entry.overdue_principal, entry.overdue_interest) == (
        Decimal("420000.10"), Decimal("20000.20"), Decimal("1523.30"))
    assert (entry.guarantors, entry.litigation, entry.enforcement_deadline) == (["保丙"], "已判决", dt.date(2026, 7, 1))
    assert entry.urgent_date == dt.date(2026, 7, 1) and entry.time_barred is False
    assert entry.loan is loan and entry.balance_guarantors == []


def test_a_loan_recording_no_event_has_the_period_of_no_event() -> None:
    from docgen.loans.limitation import claim_period
    from docgen.loans.plan import limitation_period

    loan = make_loan(days=40)
    period = limitation_period(loan, 3)
    assert period is claim_period(loan.overdue_since, [], 3) and period.basis.endswith("到期未还")
    sued = make_loan(days=40, litigation_filed=AS_OF - dt.timedelta(days=5), litigation="已起诉")
    assert limitation_period(sued, 3).start == AS_OF - dt.timedelta(days=5)
