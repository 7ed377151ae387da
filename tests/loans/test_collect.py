"""Collection plan library: policy loading, buckets, the timetable, deadlines, ordering, outputs."""
from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from collect_helpers import AS_OF, make_loan, overdue_for

from docgen.loans.plan import (
    build_plan,
    days_past_due,
    letter_due_date,
    letter_key,
    load_policy,
    next_action,
    past_due_date,
)
from docgen.loans.plan_output import render_text, write_xlsx
from docgen.core.textwidth import display_width
from docgen.core.errors import InputError

D = dt.date


@pytest.fixture(scope="module")
def policy():
    return load_policy()


# --------------------------------------------------------------------------- days and buckets


def test_overdue_since_is_day_one() -> None:
    assert days_past_due(D(2026, 11, 28), D(2026, 11, 28)) == 1
    assert days_past_due(D(2026, 11, 1), D(2026, 11, 30)) == 30
    # And back: day 1 is the overdue date, day 30 of arrears from 1 November is 30 November.
    assert past_due_date(D(2026, 11, 28), 1) == D(2026, 11, 28)
    assert past_due_date(D(2026, 11, 1), 30) == D(2026, 11, 30)


@pytest.mark.parametrize(
    ("days", "bucket", "seed_bucket"),
    [
        (1, "M1", "前期"), (5, "M1", "前期"), (6, "M1", "中期"), (18, "M1", "中期"), (19, "M1", "后期"),
        (28, "M1", "后期"), (29, "M1", "长期"), (30, "M1", "长期"), (31, "M2", "长期"), (60, "M2", "长期"),
        (61, "M3", "长期"), (90, "M3", "长期"), (91, "M3+", "长期"), (1500, "M3+", "长期"),
    ],
)
def test_bucket_boundaries(policy, days: int, bucket: str, seed_bucket: str) -> None:
    plan = build_plan([make_loan(days=days)], AS_OF, policy)
    (entry,) = plan.entries
    assert entry.days_past_due == days
    assert (entry.bucket, entry.seed_bucket) == (bucket, seed_bucket)


# --------------------------------------------------------------------------- timetable


@pytest.mark.parametrize(
    ("days", "guarantors", "action", "due_day", "open_actions"),
    [
        (1, [], "phone", None, ["phone"]),
        (3, [], "phone", None, ["phone"]),
        (4, [], "visit", None, ["visit"]),
        (4, ["李四"], "visit", None, ["visit", "guarantor-demand"]),
        (6, [], "visit", None, ["visit"]),
        (7, [], "demand-letter", 7, ["demand-letter"]),
        (8, [], "demand-letter", 7, ["demand-letter", "phone"]),
        (10, ["李四"], "demand-letter", 7, ["demand-letter", "guarantor-demand", "phone"]),
        (120, [], "demand-letter", 7, ["demand-letter", "legal-action", "phone"]),
    ],
)
def test_next_action_per_timetable_day_without_letter(
    policy, days: int, guarantors: list[str], action: str, due_day: int | None, open_actions: list[str]
) -> None:
    loan = make_loan(days=days, guarantors=guarantors)
    result = next_action(loan, AS_OF, policy)
    assert result.action == action
    # Routine steps are due today; a once step on its due day of the episode.
    expected_due = AS_OF if due_day is None else loan.overdue_since + dt.timedelta(days=due_day - 1)
    assert result.due == expected_due
    assert list(result.open_actions) == open_actions


def test_letter_due_on_day_seven_is_not_yet_overdue_but_on_day_ten_it_is(policy) -> None:
    day7 = build_plan([make_loan(days=7)], AS_OF, policy).entries[0]
    assert (day7.next_action, day7.next_action_due, day7.warnings) == ("demand-letter", AS_OF, [])
    day10 = build_plan([make_loan(days=10)], AS_OF, policy).entries[0]
    assert day10.next_action == "demand-letter"
    assert day10.next_action_due == overdue_for(10) + dt.timedelta(days=6) == D(2026, 11, 25)
    assert day10.next_action_due < AS_OF
    assert day10.warnings == ["demand-letter-overdue"]


def test_after_the_letter_the_next_step_follows(policy) -> None:
    plain = make_loan(days=8)
    issued = {letter_key(plain)}
    assert next_action(plain, AS_OF, policy, issued).action == "phone"
    guaranteed = make_loan(days=8, guarantors=["李四"])
    assert next_action(guaranteed, AS_OF, policy, issued).action == "guarantor-demand"
    # Served on day 7: the next step (daily phone from day 8) is tomorrow.
    day7 = make_loan(days=7)
    result = next_action(day7, AS_OF, policy, {letter_key(day7)})
    assert (result.action, result.due) == ("phone", AS_OF + dt.timedelta(days=1))


def test_long_arrears_go_to_legal_action(policy) -> None:
    loan = make_loan(days=91)
    result = next_action(loan, AS_OF, policy, {letter_key(loan)})
    assert (result.action, result.due, result.overdue) == ("legal-action", AS_OF, ())
    later = make_loan(days=120)
    entry = build_plan([later], AS_OF, policy, issued={letter_key(later)}).entries[0]
    assert entry.next_action == "legal-action"
    assert entry.next_action_due == later.overdue_since + dt.timedelta(days=90)
    assert entry.warnings == ["legal-action-overdue"]


def test_an_action_overdue_is_warned_once_with_the_day_its_step_for_this_loan_fell_due(tmp_path: Path) -> None:
    # The example policy's two legal-action steps: large loans are sued from day 61, the others from day 91.
    path = tmp_path / "policy.yaml"
    path.write_text(
        "timetable:\n"
        "  - {action: phone, from: 1, to: 60}\n"
        "  - {action: legal-action, from: 61, once: true, when: loan.balance >= 500000}\n"
        "  - {action: legal-action, from: 91, once: true}\n"
        "  - {action: visit, from: 61}\n",
        encoding="utf-8",
    )
    custom = load_policy(path)
    small, large = make_loan("JJ0001", days=120), make_loan("JJ0002", days=120, balance=Decimal("600000"), row=3)
    entries = {e.loan_no: e for e in build_plan([small, large], AS_OF, custom).entries}
    for loan, day in ((small, 91), (large, 61)):
        entry = entries[loan.loan_no]
        due = (loan.overdue_since + dt.timedelta(days=day - 1)).isoformat()
        assert entry.warnings == ["legal-action-overdue"], loan.loan_no
        assert [(n.facts, n.message) for n in entry.notices] == [({"due": due}, f"应于{due}起诉，至今未起诉")]
        assert next_action(loan, AS_OF, custom).overdue == (("legal-action", dt.date.fromisoformat(due)),)


def test_litigation_supersedes_the_letter(policy) -> None:
    loan = make_loan(days=120, litigation="已起诉,待开庭")
    entry = build_plan([loan], AS_OF, policy).entries[0]
    assert (entry.next_action, entry.next_action_due) == ("phone", AS_OF)
    assert entry.warnings == []


def test_a_step_open_today_comes_before_a_later_one_still_to_come(tmp_path: Path) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text(
        "timetable:\n"
        "  - {action: phone, from: 1, to: 3}\n"
        "  - {action: legal-action, from: 91, once: true}\n"
        "  - {action: visit, from: 4}\n",
        encoding="utf-8",
    )
    custom = load_policy(path)
    loan = make_loan(days=10)
    result = next_action(loan, AS_OF, custom)
    assert (result.action, result.due, result.open_actions) == ("visit", AS_OF, ("visit",))
    # Nothing open on day 1 (phoning starts on day 2): the next step to come, due tomorrow.
    path.write_text(
        "timetable:\n  - {action: phone, from: 2, to: 3}\n  - {action: visit, from: 4}\n", encoding="utf-8"
    )
    first_day = make_loan(days=1)
    result = next_action(first_day, AS_OF, load_policy(path))
    assert (result.action, result.due, result.open_actions) == ("phone", AS_OF + dt.timedelta(days=1), ())


def test_letter_due_date(policy) -> None:
    assert letter_due_date(make_loan(days=6), AS_OF, policy) is None
    assert letter_due_date(make_loan(days=7), AS_OF, policy) == AS_OF
    assert letter_due_date(make_loan(days=30), AS_OF, policy) == overdue_for(30) + dt.timedelta(days=6)
    assert letter_due_date(make_loan(days=30, litigation="已立案"), AS_OF, policy) is None
    assert letter_due_date(make_loan(days=None), AS_OF, policy) is None


def test_a_loan_in_court_gets_no_limitation_warning(policy) -> None:
    old = dict(overdue_since=D(2023, 8, 16), maturity=D(2023, 8, 15), guarantors=["李四"])
    assert build_plan([make_loan(**old)], AS_OF, policy).entries[0].warnings[0] == "limitation-expired"
    entry = build_plan([make_loan(**old, litigation="执行中")], AS_OF, policy).entries[0]
    assert entry.limitation_deadline == D(2026, 8, 15)  # still reported
    assert entry.warnings == ["guarantee-expired"]


def test_plan_for_one_branch_or_officer(policy) -> None:
    loans = [make_loan("A", days=5, branch="城东支行", officer="王五"),
             make_loan("B", days=5, branch="城西支行", officer="赵六"),
             make_loan("C", days=5, branch="城东支行", officer="赵六")]
    assert [e.loan_no for e in build_plan(loans, AS_OF, policy, branch="城东支行").entries] == ["A", "C"]
    assert [e.loan_no for e in build_plan(loans, AS_OF, policy, officer="赵六").entries] == ["B", "C"]
    assert [e.loan_no for e in build_plan(loans, AS_OF, policy, branch="城东支行", officer="赵六").entries] == ["C"]
    # A name typed with a space at either end is the name.
    assert [e.loan_no for e in build_plan(loans, AS_OF, policy, officer=" 赵六 ").entries] == ["B", "C"]
    # One of the ledger's branches with nothing overdue is an empty plan; none of them is a typo,
    # never an empty plan telling the collector there is no work.
    assert build_plan([*loans, make_loan("D", days=None, branch="城南支行")], AS_OF, policy, branch="城南支行").entries == []
    with pytest.raises(InputError) as err:
        build_plan(loans, AS_OF, policy, branch="城东")
    assert (err.value.code, err.value.exit_code) == ("plan-filter-unknown", 2)
    assert str(err.value) == "台账“机构”列中没有“城东”；台账中有：城东支行、城西支行。请照台账中的写法填写"
    with pytest.raises(InputError, match="^台账“客户经理”列中没有“王 五”；台账中有：王五、赵六。请照台账中的写法填写$"):
        build_plan(loans, AS_OF, policy, officer="王 五")
    many = [make_loan(f"L{n}", days=5, officer=f"经理{n:02d}") for n in range(40)]
    with pytest.raises(InputError, match="经理29 等 40 个。请照台账中的写法填写$"):
        build_plan(many, AS_OF, policy, officer="经理")


def test_letter_key_is_per_arrears_episode() -> None:
    loan = make_loan("JJ0042", days=10)
    assert letter_key(loan) == "JJ0042:demand-letter:2026-11-19"


def test_build_plan_reports_progress_over_every_loan(policy) -> None:
    loans = [make_loan(f"L{i:05d}", days=None if i % 3 else 5) for i in range(2500)]
    steps: list[int] = []
    plan = build_plan(loans, AS_OF, policy, progress=steps.append)
    assert sum(steps) == 2500
    assert len(steps) == 3  # every 1000 loans, then the rest
    assert len(plan.entries) == 834


def test_loans_not_overdue_on_the_date_are_left_out(policy) -> None:
    loans = [make_loan("A", days=None), make_loan("B", days=3), make_loan("C", overdue_since=AS_OF + dt.timedelta(days=1))]
    assert [e.loan_no for e in build_plan(loans, AS_OF, policy).entries] == ["B"]


# --------------------------------------------------------------------------- deadlines and ordering


def test_limitation_deadline_restarts_from_interruption(policy) -> None:
    loan = make_loan(days=400, maturity=D(2025, 10, 24), last_interruption=D(2024, 2, 29))
    entry = build_plan([loan], AS_OF, policy).entries[0]
    # The debt fell due at maturity 2025-10-24 (after the interruption): three years from there.
    assert entry.limitation_deadline == D(2028, 10, 24)
    loan = make_loan(overdue_since=D(2024, 2, 29), maturity=D(2024, 2, 28), last_interruption=D(2024, 2, 29))
    entry = build_plan([loan], AS_OF, policy).entries[0]
    # Maturity 2024-02-28 fell due first; the part payment of 2024-02-29 restarted the period.
    assert entry.limitation_deadline == D(2027, 2, 28)
    # 92 days away: outside the 90-day window, so only the timetable warnings.
    assert entry.warnings == ["demand-letter-overdue", "legal-action-overdue"]
    near = build_plan([make_loan(overdue_since=D(2023, 1, 2), maturity=D(2023, 1, 1), last_interruption=D(2024, 2, 1))],
                      AS_OF, policy).entries[0]
    assert near.limitation_deadline == D(2027, 2, 1)
    assert near.warnings[0] == "limitation-near"


def test_guarantee_deadline_only_for_guaranteed_loans(policy) -> None:
    plain = build_plan([make_loan(overdue_since=D(2026, 9, 1), maturity=D(2026, 8, 31))], AS_OF, policy).entries[0]
    assert plain.guarantee_deadline is None
    guaranteed = build_plan(
        [make_loan(overdue_since=D(2026, 9, 1), maturity=D(2026, 8, 31), guarantors=["李四"])], AS_OF, policy
    ).entries[0]
    assert guaranteed.guarantee_deadline == D(2027, 2, 28)
    # 92 days after 2026-11-28: just outside the 90-day window.
    assert guaranteed.warnings == ["demand-letter-overdue"]
    inside = build_plan(
        [make_loan(overdue_since=D(2026, 8, 27), maturity=D(2026, 8, 26), guarantors=["李四"])], AS_OF, policy
    ).entries[0]
    assert inside.guarantee_deadline == D(2027, 2, 26) == AS_OF + dt.timedelta(days=90)
    # Overdue 94 days by then: past the timetable's day for legal action too.
    assert inside.warnings == ["guarantee-near", "demand-letter-overdue", "legal-action-overdue"]
    agreed = build_plan(
        [make_loan(days=10, guarantors=["李四"], guarantee_period_end=D(2029, 5, 31))], AS_OF, policy
    ).entries[0]
    assert agreed.guarantee_deadline == D(2029, 5, 31)
    assert agreed.warnings == ["demand-letter-overdue"]


def test_expired_deadlines_are_flagged(policy) -> None:
    loan = make_loan(overdue_since=D(2023, 8, 16), maturity=D(2023, 8, 15), guarantors=["李四"])
    entry = build_plan([loan], AS_OF, policy).entries[0]
    assert entry.limitation_deadline == D(2026, 8, 15)
    assert entry.guarantee_deadline == D(2024, 2, 15)
    assert entry.warnings[:2] == ["limitation-expired", "guarantee-expired"]


def test_warning_window_loans_come_first_soonest_deadline_first(policy) -> None:
    loans = [
        make_loan("LONG", days=300, maturity=D(2027, 11, 30)),                       # no deadline near
        make_loan("NEAR-LATE", overdue_since=D(2026, 8, 2), maturity=D(2026, 8, 1), guarantors=["甲"]),  # guarantee 2027-02-01
        make_loan("NEAR-SOON", overdue_since=D(2026, 6, 11), maturity=D(2026, 6, 10), guarantors=["乙"]),  # guarantee 2026-12-10
        make_loan("SHORT", days=12),
        make_loan("MID", days=60),
    ]
    plan = build_plan(loans, AS_OF, policy)
    assert [e.loan_no for e in plan.entries] == ["NEAR-SOON", "NEAR-LATE", "LONG", "MID", "SHORT"]
    assert plan.entries[0].warnings[0] == "guarantee-near"


def test_policy_warning_window_changes_the_grouping(tmp_path: Path) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text("warning_days: 10\n", encoding="utf-8")
    narrow = load_policy(path)
    loans = [make_loan("NEAR", overdue_since=D(2026, 6, 11), maturity=D(2026, 6, 10), guarantors=["乙"]),
             make_loan("OLD", days=200)]
    assert [e.loan_no for e in build_plan(loans, AS_OF, narrow).entries] == ["OLD", "NEAR"]


# --------------------------------------------------------------------------- JSON, text, xlsx


def test_plan_json_has_the_design_fields_in_order(policy) -> None:
    loan = make_loan("JJ0007", days=10, guarantors=["李四"], maturity=D(2026, 11, 18), guarantee_period_end=D(2027, 2, 20))
    (item,) = json.loads(json.dumps(build_plan([loan], AS_OF, policy).to_list()))
    assert list(item)[:10] == [
        "loan_no", "borrower", "officer", "days_past_due", "bucket", "next_action", "next_action_due",
        "limitation_deadline", "guarantee_deadline", "warnings",
    ]
    assert item["loan_no"] == "JJ0007"
    assert item["borrower"] == "杭州云栖贸易有限公司"
    assert item["officer"] == "王五"
    assert item["days_past_due"] == 10
    assert item["bucket"] == "M1"
    assert item["seed_bucket"] == "中期"
    assert item["next_action"] == "demand-letter"
    assert item["next_action_due"] == "2026-11-25"
    # Overdue since 2026-11-19, the day after maturity: the debt fell due at maturity.
    assert item["limitation_deadline"] == "2029-11-18"
    assert item["guarantee_deadline"] == "2027-02-20"
    assert item["warnings"] == ["guarantee-near", "demand-letter-overdue"]
    assert item["balance"] == 420000.0


def test_text_table_aligns_chinese_columns(policy) -> None:
    loans = [make_loan("A1", days=10), make_loan("B22", days=40, borrower="张三", officer="欧阳晓明")]
    text = render_text(build_plan(loans, AS_OF, policy))
    lines = text.splitlines()
    assert lines[0] == "催收计划  截至 2026-11-28  逾期贷款 2 笔"
    header, rule, first, second = lines[1:5]
    # Every column starts at the same display offset on every line.
    starts = [display_width(header[: header.index(h)]) for h in ("借款人", "客户经理", "逾期天数", "下一步")]
    assert starts == sorted(starts)
    for line in (first, second):
        assert display_width(line[: line.index("送达逾期催收函")]) == display_width(header[: header.index("下一步")])
    assert "催收函逾期未送达" in first


def test_xlsx_reopens_with_dates_and_frozen_header(tmp_path: Path, policy) -> None:
    loans = [make_loan("A1", days=10, guarantors=["李四"]), make_loan("B2", days=95)]
    out = tmp_path / "plan.xlsx"
    write_xlsx(build_plan(loans, AS_OF, policy), out)
    sheet = openpyxl.load_workbook(out).active
    assert sheet.title == "催收计划"
    assert sheet.freeze_panes == "A2"
    headers = [c.value for c in sheet[1]]
    assert headers[:6] == ["借据号", "借款人", "机构", "客户经理", "逾期起始日", "逾期天数"]
    rows = {r[0]: dict(zip(headers, r)) for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["B2"]["逾期天数"] == 95
    assert rows["B2"]["档次"] == "M3+"
    assert rows["A1"]["应办日期"] == dt.datetime(2026, 11, 25)  # a real date cell
    assert rows["A1"]["保证期间届满"] == dt.datetime(2028, 5, 30)
    assert rows["A1"]["贷款余额（元）"] == 420000
    assert sheet.column_dimensions["B"].width >= 20
    assert not list(tmp_path.glob(".*part"))


# --------------------------------------------------------------------------- policy


def test_default_policy_is_the_seeds(policy) -> None:
    assert [b.id for b in policy.buckets] == ["M1", "M2", "M3", "M3+"]
    assert [(s.action, s.first, s.last) for s in policy.timetable[:4]] == [
        ("phone", 1, 3), ("visit", 4, 6), ("guarantor-demand", 4, 6), ("demand-letter", 7, None),
    ]
    assert (policy.warning_days, policy.limitation_years, policy.guarantee_months) == (90, 3, 6)
    assert policy.pay_within_days == 10
    assert policy.service_margin_days == 15


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("timetable:\n  - {action: call, from: 1}\n", "timetable[0].action"),
        ("timetable:\n  - {action: phone, from: 0}\n", "timetable[0].from"),
        ("buckets:\n  - {id: M1, from: 1, to: 30}\n  - {id: M2, from: 40}\n", "buckets[1].from"),
        ("seed_buckets:\n  - {id: 前期, from: 1, to: 5}\n", "seed_buckets[0].to"),
        ("warning_days: many\n", "warning_days"),
        ("letters: {penalty: {rate: 0.001}}\n", "letters.penalty.daily_rate"),
        ("letters: {branches: {城东支行: {address: 某路1号, contact: 王五}}}\n", "letters.branches.城东支行.phone"),
        ("timetable:\n  - {action: visit, from: 1, once: true}\n", "timetable[0].once"),
        ("timetable:\n  - {action: phone, from: 1, when: 'loan.guarantors and'}\n", "timetable[0].when"),
        ("timetable:\n  - {action: phone, from: 1, to: 5}\n", "timetable[0]"),
        ("warning_dayz: 30\n", "warning_dayz"),
        ("letters: {service_margin_days: -1}\n", "letters.service_margin_days"),
        ("letters: {service_margin_days: two weeks}\n", "letters.service_margin_days"),
        ("letters: {service_margin_days: null}\n", "letters.service_margin_days"),
    ],
)
def test_policy_errors_name_the_key(tmp_path: Path, text: str, key: str) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_policy(path)
    # The file, then the key, as every location at the head of a Chinese message: a full-width colon.
    assert str(info.value).startswith(f"{path}：{key}"), str(info.value)
    assert info.value.exit_code == 2


def test_policy_letters_merge_key_by_key(tmp_path: Path) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text("letters:\n  branches:\n    城东支行: {address: 某路1号, phone: '0571-1', contact: 王五}\n",
                    encoding="utf-8")
    merged = load_policy(path)
    assert merged.pay_within_days == 10
    assert str(merged.penalty_daily_rate) == "0.0002"
    assert merged.contact("城东支行").phone == "0571-1"
    assert merged.contact("城西支行") is None


def test_policy_that_is_not_yaml_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text("buckets: [unclosed\n", encoding="utf-8")
    with pytest.raises(InputError, match="不是合法的 YAML"):
        load_policy(path)


def test_policy_condition_is_data_in_a_sandbox(tmp_path: Path) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text(
        "timetable:\n"
        "  - {action: phone, from: 1, to: 3}\n"
        "  - {action: legal-action, from: 4, once: true, when: 'loan.balance > 1000000'}\n"
        "  - {action: visit, from: 4}\n",
        encoding="utf-8",
    )
    custom = load_policy(path)
    big = make_loan(days=5, balance=__import__("decimal").Decimal("2000000"))
    small = make_loan(days=5)
    assert next_action(big, AS_OF, custom).action == "legal-action"
    assert next_action(small, AS_OF, custom).action == "visit"
    path.write_text("timetable:\n  - {action: phone, from: 1, when: 'loan.__class__'}\n", encoding="utf-8")
    with pytest.raises(InputError, match="timetable\\[0\\].when"):
        load_policy(path)


def test_policy_condition_names_the_loan_alone(tmp_path: Path) -> None:
    # A step is asked of the loan alone: as_of (or a checklist's borrower) would be undefined and the step
    # silently never taken, so the name is refused with those a step has.
    path = tmp_path / "policy.yaml"
    path.write_text("timetable:\n  - {action: phone, from: 1, when: 'loan.maturity < as_of'}\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_policy(path)
    assert str(info.value) == f"{path}：timetable[0].when：表达式“loan.maturity < as_of”不安全或无效：未知名称“as_of”（可用：loan）"
    assert info.value.exit_code == 2


# --------------------------------------------------------------------------- DESIGN §8.1 in the plan


def _entry(policy, **fields):
    (entry,) = build_plan([make_loan(**fields)], AS_OF, policy).entries
    return entry


def test_limitation_basis_names_the_event(policy) -> None:
    entry = _entry(policy, days=800, maturity=D(2024, 9, 19), last_interruption=D(2025, 6, 1),
                   interruption_type="债务人确认")
    assert (entry.limitation_deadline, entry.limitation_basis) == (D(2028, 6, 1), "2025-06-01 债务人确认")
    plain = _entry(policy, days=800, maturity=D(2024, 9, 19))
    assert plain.limitation_basis == "2024-09-19 到期未还"


@pytest.mark.parametrize(("fields", "basis", "deadline"), [
    # No agreed period: six months after the main debt fell due (art. 692).
    ({}, "2026-06-20 主债务到期后6个月（《民法典》第六百九十二条）", D(2026, 12, 20)),
    ({"guarantee_period_end": D(2027, 6, 20)}, "约定保证期间至2027-06-20", D(2027, 6, 20)),
    # A joint guarantor called on inside the period: three years on the guarantee claim (art. 694).
    ({"guarantor_demanded": D(2026, 9, 1)}, "2026-09-01 向保证人主张（《民法典》第六百九十四条第二款）",
     D(2029, 9, 1)),
    # A general guarantee kept by the suit against the debtor inside the period (art. 693).
    ({"guarantee_type": "一般保证", "litigation": "已起诉", "litigation_filed": D(2026, 10, 1)},
     "2026-10-01 起诉债务人（《民法典》第六百九十三条第一款）", None),
])
def test_guarantee_basis_names_the_rule_and_event(policy, fields, basis, deadline) -> None:
    entry = _entry(policy, days=30, maturity=D(2026, 6, 20), guarantors=["张三"], **fields)
    assert (entry.guarantee.basis, entry.guarantee.deadline) == (basis, deadline)
    assert entry.to_dict()["guarantee"]["basis"] == basis


def test_a_demand_after_expiry_warns_and_interrupts_nothing(policy) -> None:
    # The case: overdue since 2019-01-02, a demand served 2023-06-01, seen on 2025-01-01.
    as_of = D(2025, 1, 1)
    loan = make_loan(days=None, overdue_since=D(2019, 1, 2), maturity=D(2019, 1, 1), disbursed_on=D(2017, 1, 1),
                     last_interruption=D(2023, 6, 1), interruption_type="催收送达")
    (entry,) = build_plan([loan], as_of, policy).entries
    assert entry.warnings[:2] == ["interruption-after-expiry", "limitation-expired"]
    assert entry.time_barred and entry.limitation_deadline == D(2022, 1, 1)
    facts = entry.notices[0].facts
    assert (facts["event_date"], facts["event"], facts["deadline"]) == ("2023-06-01", "催收送达", "2022-01-01")


@pytest.mark.parametrize(("as_of", "warning"), [
    (D(2026, 3, 10), "enforcement-near"),      # the last day to apply
    (D(2026, 3, 11), "enforcement-expired"),   # the day after
])
def test_judgment_plus_two_years(policy, as_of: dt.date, warning: str) -> None:
    loan = make_loan(days=None, overdue_since=D(2023, 1, 1), maturity=D(2022, 12, 31), disbursed_on=D(2021, 1, 1),
                     litigation="已判决", litigation_filed=D(2023, 6, 1), judgment_due=D(2024, 3, 10))
    (entry,) = build_plan([loan], as_of, policy).entries
    assert warning in entry.warnings
    assert entry.enforcement_deadline == D(2026, 3, 10)
    assert not any(w.startswith("limitation") for w in entry.warnings)  # judged: the suit interrupted it


def test_litigation_in_enforcement_or_closed_cases(policy) -> None:
    executing = _entry(policy, days=400, litigation="执行中", litigation_filed=D(2026, 1, 5))
    assert executing.enforcement_deadline is None and "legal-action-overdue" not in executing.warnings
    withdrawn = _entry(policy, days=120, litigation="已撤诉", litigation_filed=D(2026, 9, 1))
    assert "legal-action" in withdrawn.actions  # a withdrawn suit is legal action still to take


def test_a_matured_loan_without_overdue_date_is_overdue_from_the_day_after(policy) -> None:
    entry = _entry(policy, days=None, maturity=D(2026, 11, 17))
    assert (entry.overdue_since, entry.days_past_due) == (D(2026, 11, 18), 11)
    assert entry.warnings[0] == "matured-unpaid"
    assert build_plan([make_loan(days=None, maturity=D(2026, 11, 17), balance=Decimal(0))], AS_OF, policy).entries == []


def test_overdue_days_is_the_count_from_overdue_start_without_making_it() -> None:
    from docgen.loans.plan import is_overdue, overdue_days, overdue_start

    day = dt.timedelta(days=1)
    cases = [make_loan(days=None, overdue_since=AS_OF + shift) for shift in (-40 * day, -day, 0 * day, day)]
    cases += [make_loan(days=None, maturity=AS_OF + shift, balance=balance)
              for shift in (-400 * day, -day, 0 * day, day) for balance in (Decimal(0), Decimal("0.01"))]
    for loan in cases:
        since = overdue_start(loan)
        expected = days_past_due(since, AS_OF) if since is not None and since <= AS_OF else 0
        assert overdue_days(loan, AS_OF) == expected
        assert is_overdue(loan, AS_OF) == (expected > 0)
    assert [overdue_days(loan, AS_OF) for loan in cases[:4]] == [41, 2, 1, 0]
    assert [overdue_days(loan, AS_OF) for loan in cases[4:]] == [0, 400, 0, 1, 0, 0, 0, 0]
    # Matured on the last day a date can be: never overdue (the day after it cannot be made).
    assert overdue_days(make_loan(days=None, maturity=dt.date.max), AS_OF) == 0


def test_joint_guarantee_preserved_by_a_timely_demand_is_not_flagged(policy) -> None:
    base = dict(days=200, maturity=D(2026, 5, 11), disbursed_on=D(2024, 5, 11), guarantors=["李四"])
    lapsed = _entry(policy, **base)
    assert "guarantee-expired" in lapsed.warnings and lapsed.liable_guarantors == []
    kept = _entry(policy, **base, guarantor_demanded=D(2026, 6, 1))
    assert not any(w.startswith("guarantee") for w in kept.warnings)
    assert kept.guarantee.preserved == "demand" and kept.guarantee_deadline == D(2029, 6, 1)
    assert kept.liable_guarantors == ["李四"]
    general = _entry(policy, **base, guarantee_type="一般保证", litigation="已起诉", litigation_filed=D(2026, 10, 1))
    assert general.guarantee.preserved == "suit" and general.liable_guarantors == ["李四"]


def test_loans_dated_after_the_as_of_date_are_listed_not_dropped(policy) -> None:
    later = make_loan("JJ0002", days=None, overdue_since=AS_OF + dt.timedelta(days=1), row=9)
    new = make_loan("JJ0003", days=None, disbursed_on=AS_OF + dt.timedelta(days=3), row=10)
    plan = build_plan([make_loan("JJ0001", days=5), later, new], AS_OF, policy)
    assert [e.loan_no for e in plan.entries] == ["JJ0001"]
    assert plan.after_as_of == [("JJ0002", 9), ("JJ0003", 10)]
    notice = plan.after_as_of_notice()
    assert (notice.code, notice.facts["count"], notice.facts["loans"]) == ("loans-after-as-of", 2, ["JJ0002", "JJ0003"])


def test_an_overdue_date_after_the_day_after_maturity_counts_from_that_day(policy) -> None:
    from docgen.loans.plan import overdue_days, overdue_start, registered_late

    # Matured 2026-08-20 unpaid; the ledger's 逾期起始日 2026-11-19 is three months late.
    late = make_loan(overdue_since=D(2026, 11, 19), maturity=D(2026, 8, 20))
    assert (overdue_start(late), overdue_days(late, AS_OF), registered_late(late)) == (D(2026, 8, 21), 100, True)
    entry = _entry(policy, overdue_since=D(2026, 11, 19), maturity=D(2026, 8, 20))
    assert (entry.overdue_since, entry.days_past_due, entry.bucket) == (D(2026, 8, 21), 100, "M3+")
    assert entry.warnings[0] == "matured-unpaid"
    (notice,) = [n for n in entry.notices if n.code == "matured-unpaid"]
    assert notice.message == ("贷款已于2026-08-20到期，余额 420,000.00 元未还，台账逾期起始日为2026-11-19，晚于到期日次日；"
                           "按2026-08-21起逾期处理")
    # The day after maturity itself, an instalment missed before maturity, or nothing left to pay: as the ledger says.
    for fields in (dict(overdue_since=D(2026, 8, 21), maturity=D(2026, 8, 20)),
                   dict(overdue_since=D(2026, 6, 1), maturity=D(2026, 8, 20)),
                   dict(overdue_since=D(2026, 11, 19), maturity=D(2026, 8, 20), balance=Decimal(0))):
        loan = make_loan(**fields)
        assert overdue_start(loan) == fields["overdue_since"] and not registered_late(loan)
