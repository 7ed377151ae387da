"""The collection plan (催收计划) of overdue loans, and the policy that drives it (DESIGN §8).

``load_policy(path=None)`` reads the collection policy: the shipped default
(``docgen/data/collection-policy.yaml``, the seed's buckets and escalation timetable) with any
top-level key of a user file replacing the default's (``letters`` merged key by key). It is
validated with cerberus; an error names the key (``timetable[3].action``) and raises
``InputError``.

``build_plan(loans, as_of, policy, issued=...)`` turns ledger loans into ``PlanEntry``s for every
loan overdue on ``as_of``, most urgent first:

- days past due count from ``overdue_since`` (day 1); buckets are looked up in both schemes
  (``bucket``: M1-M3+; ``seed_bucket``: the seed's 前期/中期/后期, plus 长期);
- the next action is the first step, in timetable order, open today (or, when none is, the
  first step still to come, due on its first day). A routine step (phone, visit, guarantor
  contact) is open every day of its window and done once the window has passed; a ``once``
  step is due on its due day and stays pending (then overdue) until done. A demand letter is
  done when ``issued`` holds its register row key (``letter_key``); legal action when the
  ledger's 诉讼状态 is filled in. A later ``once`` step done supersedes the earlier ones (a loan
  in court needs no demand letter any more);
- the limitation and guarantee deadlines come from ``docgen.loans.limitation``; a deadline within
  ``warning_days`` of ``as_of`` (or passed) raises a warning and puts the loan in the first group,
  ordered by that deadline; the others follow by days past due, longest first. A loan whose
  诉讼状态 is filled in gets no limitation warning (the suit interrupted the period, which does
  not run while the case is pending); its guarantee warnings stay.

Warning codes (stable, in ``WARNINGS`` with their Chinese labels): ``limitation-expired``,
``limitation-near``, ``guarantee-expired``, ``guarantee-near``, and ``<action>-overdue`` for a
``once`` step whose due date has passed (``demand-letter-overdue``, ``legal-action-overdue``).
"""
from __future__ import annotations

import copy
import datetime as _dt
import os
from collections.abc import Callable, Container, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any


from docgen.core.datafile import read_mapping
from docgen.core.errors import InputError
from docgen.loans.limitation import guarantee_deadline, limitation_deadline, limitation_start

ACTIONS: tuple[str, ...] = ("phone", "visit", "demand-letter", "guarantor-demand", "legal-action")
"""Action ids a timetable step may name (DESIGN §8)."""

ACTION_LABELS: dict[str, str] = {
    "phone": "电话催收",
    "visit": "上门催收",
    "demand-letter": "送达逾期催收函",
    "guarantor-demand": "向担保人催收",
    "legal-action": "提起诉讼",
}

TRACKED_ACTIONS: tuple[str, ...] = ("demand-letter", "legal-action")
"""Actions whose completion docgen can see (register; 诉讼状态), so they may be ``once`` steps."""

WARNINGS: dict[str, str] = {
    "limitation-expired": "诉讼时效已届满",
    "limitation-near": "诉讼时效即将届满",
    "guarantee-expired": "保证期间已届满",
    "guarantee-near": "保证期间即将届满",
    "demand-letter-overdue": "催收函逾期未送达",
    "legal-action-overdue": "应起诉未起诉",
}
"""Warning code -> Chinese label. ``<action>-overdue`` exists for every tracked action."""

POLICY_FILE = "collection-policy.yaml"


# --------------------------------------------------------------------------- policy


@dataclass(frozen=True)
class Bucket:
    """A range of days past due: ``first`` to ``last`` inclusive (``last`` None = open-ended)."""

    id: str
    first: int
    last: int | None

    def contains(self, days: int) -> bool:
        """Return True when ``days`` past due falls in this bucket."""
        return days >= self.first and (self.last is None or days <= self.last)


@dataclass(frozen=True)
class Step:
    """One timetable step: ``action`` on days ``first``..``last``; ``due`` is the due day of a once step."""

    action: str
    first: int
    last: int | None
    due: int
    once: bool
    when: Any = None  # a compiled docgen.core.conditions.Condition, or None
    where: str = ""

    def applies(self, loan: Any) -> bool:
        """Return True when the step's condition holds for ``loan`` (no condition: always)."""
        if self.when is None:
            return True
        return bool(self.when.evaluate({"loan": loan}))


@dataclass(frozen=True)
class BranchContact:
    """Who a borrower contacts about a demand letter: printed on it."""

    name: str
    address: str
    phone: str
    contact: str


@dataclass(frozen=True)
class Policy:
    """A validated collection policy (see ``docgen/data/collection-policy.yaml``)."""

    buckets: tuple[Bucket, ...]
    seed_buckets: tuple[Bucket, ...]
    timetable: tuple[Step, ...]
    warning_days: int
    limitation_years: int
    guarantee_months: int
    pay_within_days: int
    penalty_daily_rate: Decimal
    branches: dict[str, BranchContact]
    source: str

    def bucket(self, days: int) -> str:
        """Return the id of the M-bucket holding ``days`` past due."""
        return _find_bucket(self.buckets, days)

    def seed_bucket(self, days: int) -> str:
        """Return the id of the seed's bucket holding ``days`` past due."""
        return _find_bucket(self.seed_buckets, days)

    def contact(self, branch: str) -> BranchContact | None:
        """Return the contact details for ``branch`` (or the ``default`` entry), or None."""
        found = self.branches.get(branch) or self.branches.get("default")
        if found is None:
            return None
        # The default entry may leave the name out: the ledger's branch name is then printed.
        return found if found.name else BranchContact(branch, found.address, found.phone, found.contact)


def _find_bucket(buckets: Sequence[Bucket], days: int) -> str:
    for bucket in buckets:
        if bucket.contains(days):
            return bucket.id
    return ""  # unreachable for a validated policy: buckets cover day 1 onwards


_DAY = {"type": "integer", "min": 1}
_BUCKETS = {
    "type": "list", "minlength": 1,
    "schema": {"type": "dict", "schema": {
        "id": {"type": "string", "required": True, "empty": False},
        "from": {**_DAY, "required": True},
        "to": {**_DAY, "nullable": True},
    }},
}
_TEXT = {"type": "string", "required": True, "empty": False}
POLICY_SCHEMA: dict[str, Any] = {
    "buckets": {**_BUCKETS, "required": True},
    "seed_buckets": {**_BUCKETS, "required": True},
    "timetable": {
        "type": "list", "minlength": 1, "required": True,
        "schema": {"type": "dict", "schema": {
            "action": {"type": "string", "required": True, "allowed": list(ACTIONS)},
            "from": {**_DAY, "required": True},
            "to": {**_DAY, "nullable": True},
            "due": {**_DAY, "nullable": True},
            "once": {"type": "boolean"},
            "when": {"type": "string", "empty": False, "nullable": True},
        }},
    },
    "warning_days": {"type": "integer", "min": 0, "required": True},
    "limitation_years": {"type": "integer", "min": 1, "required": True},
    "guarantee_months": {"type": "integer", "min": 1, "required": True},
    "letters": {
        "type": "dict", "required": True,
        "schema": {
            "pay_within_days": {"type": "integer", "min": 1, "required": True},
            "penalty": {"type": "dict", "required": True, "schema": {
                "daily_rate": {"type": "number", "min": 0, "max": 0.01, "required": True},
            }},
            "branches": {
                "type": "dict", "required": True,
                "keysrules": {"type": "string", "empty": False},
                "valuesrules": {"type": "dict", "schema": {
                    "name": {"type": "string", "empty": False},
                    "address": _TEXT, "phone": _TEXT, "contact": _TEXT,
                }},
            },
        },
    },
}
"""Cerberus schema of a collection policy (after merging with the default)."""


def default_policy_path() -> Path:
    """Return the path of the shipped default policy (package data)."""
    return Path(str(resources.files("docgen") / "data" / POLICY_FILE))


def _read_yaml(path: Path) -> dict[str, Any]:
    return read_mapping(path, what="催收策略文件", hint=",例如 warning_days: 90", allow_empty=True)


@lru_cache(maxsize=1)
def _default_raw() -> dict[str, Any]:
    return _read_yaml(default_policy_path())


def load_policy(path: str | os.PathLike[str] | None = None) -> Policy:
    """Return the collection policy: the default, with ``path``'s top-level keys replacing it.

    ``letters`` is merged key by key (``letters.branches`` alone can be given).

    Raises ``InputError`` (exit 2) when the file cannot be read or parsed, or fails validation;
    the message names the file and the key (``timetable[2].from``) and what is wrong.
    """
    raw = copy.deepcopy(_default_raw())
    source = str(default_policy_path())
    if path is not None:
        user = _read_yaml(Path(path))
        unknown = sorted(set(user) - set(POLICY_SCHEMA))
        if unknown:
            known = ", ".join(POLICY_SCHEMA)
            raise InputError(f"{path}: {unknown[0]}: 未知的键(请检查拼写;可用的键:{known})")
        for key, value in user.items():
            # `letters` is merged one level deep: a bank sets its branches and keeps the rest.
            if key == "letters" and isinstance(value, dict) and isinstance(raw.get(key), dict):
                raw[key] = {**raw[key], **value}
            else:
                raw[key] = value
        source = str(path)
    return _build_policy(raw, source)


def _build_policy(raw: dict[str, Any], source: str) -> Policy:
    from docgen.core.validation import validate

    normalized, problems = validate(POLICY_SCHEMA, raw)
    if problems:
        lines = []
        for problem in problems:
            hint = f"(可用:{', '.join(ACTIONS)})" if problem.path.endswith(".action") else ""
            lines.append(f"{source}: {problem.path}: {problem.message}{hint}")
        raise InputError("\n".join(lines))
    buckets = _buckets(normalized["buckets"], "buckets", source)
    seed_buckets = _buckets(normalized["seed_buckets"], "seed_buckets", source)
    timetable = _timetable(normalized["timetable"], source)
    letters = normalized["letters"]
    branches = {
        str(key): BranchContact(
            name=str(value.get("name") or ("" if key == "default" else key)),
            address=value["address"], phone=str(value["phone"]), contact=value["contact"],
        )
        for key, value in letters["branches"].items()
    }
    return Policy(
        buckets=buckets, seed_buckets=seed_buckets, timetable=timetable,
        warning_days=normalized["warning_days"], limitation_years=normalized["limitation_years"],
        guarantee_months=normalized["guarantee_months"], pay_within_days=letters["pay_within_days"],
        penalty_daily_rate=Decimal(str(letters["penalty"]["daily_rate"])), branches=branches, source=source,
    )


def _buckets(items: list[dict[str, Any]], key: str, source: str) -> tuple[Bucket, ...]:
    """Check buckets run from day 1 without gaps or overlaps and the last one is open-ended."""
    out = []
    expected = 1
    for i, item in enumerate(items):
        where = f"{source}: {key}[{i}]"
        first, last = item["from"], item.get("to")
        if first != expected:
            raise InputError(f"{where}.from: 应为 {expected}(各档须从第1天起首尾相接,不重叠、不留空)")
        if last is not None and last < first:
            raise InputError(f"{where}.to: 不能小于 from({first})")
        if last is None and i != len(items) - 1:
            raise InputError(f"{where}.to: 只有最后一档可以不设 to(不封顶)")
        out.append(Bucket(str(item["id"]), first, last))
        expected = (last or 0) + 1
    if out[-1].last is not None:
        raise InputError(f"{source}: {key}[{len(items) - 1}].to: 最后一档应不设 to,以覆盖更长的逾期")
    return tuple(out)


def _timetable(items: list[dict[str, Any]], source: str) -> tuple[Step, ...]:
    from docgen.core.conditions import Condition

    steps = []
    for i, item in enumerate(items):
        where = f"{source}: timetable[{i}]"
        first, last = item["from"], item.get("to")
        once = bool(item.get("once", False))
        due = item.get("due") or first
        if last is not None and last < first:
            raise InputError(f"{where}.to: 不能小于 from({first})")
        if once and item["action"] not in TRACKED_ACTIONS:
            raise InputError(
                f"{where}.once: 只有 {' 和 '.join(TRACKED_ACTIONS)} 能确认已办理(登记簿、诉讼状态),"
                f"{item['action']} 请设窗口 from/to 而不是 once"
            )
        if once and last is not None:
            raise InputError(f"{where}.to: once 步骤办结前一直待办,不设 to")
        if due < first or (last is not None and due > last):
            raise InputError(f"{where}.due: 应在 from 与 to 之间")
        if not once and item.get("due") is not None:
            raise InputError(f"{where}.due: 日常步骤在窗口内每天都应办理,只有 once 步骤可设 due")
        when = None
        if item.get("when"):
            try:
                when = Condition(item["when"], f"{where}.when")
            except InputError as exc:  # ChecklistError names the place; say it is the policy
                raise InputError(str(exc)) from None
        steps.append(Step(item["action"], first, last, due, once, when, where))
    if steps[-1].last is not None or steps[-1].once:
        # Every overdue loan must have a next action, however long its arrears.
        raise InputError(f"{source}: timetable[{len(steps) - 1}]: 最后一步应为不设 to 的日常步骤(如 phone),"
                         "使任何逾期天数都有下一步")
    return tuple(steps)


# --------------------------------------------------------------------------- plan


def days_past_due(overdue_since: _dt.date, as_of: _dt.date) -> int:
    """Return the days past due on ``as_of``: ``overdue_since`` is day 1."""
    return (as_of - overdue_since).days + 1


def letter_key(loan: Any) -> str:
    """Return the register row key of the demand letter of ``loan``'s current arrears episode."""
    return f"{loan.loan_no}:demand-letter:{loan.overdue_since.isoformat()}"


@dataclass
class PlanEntry:
    """One overdue loan in the plan. ``to_dict()`` is the DESIGN §8 JSON object (plus extras)."""

    loan_no: str
    borrower: str
    officer: str
    branch: str
    row: int
    overdue_since: _dt.date
    days_past_due: int
    bucket: str
    seed_bucket: str
    next_action: str
    next_action_due: _dt.date
    actions: list[str]
    limitation_start: _dt.date
    limitation_deadline: _dt.date
    guarantee_deadline: _dt.date | None
    warnings: list[str]
    balance: Decimal
    overdue_principal: Decimal
    overdue_interest: Decimal
    guarantors: list[str] = field(default_factory=list)
    litigation: str = ""
    urgent_date: _dt.date | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON object: DESIGN §8 fields first, ISO dates, amounts as numbers."""
        return {
            "loan_no": self.loan_no,
            "borrower": self.borrower,
            "officer": self.officer,
            "days_past_due": self.days_past_due,
            "bucket": self.bucket,
            "next_action": self.next_action,
            "next_action_due": self.next_action_due.isoformat(),
            "limitation_deadline": self.limitation_deadline.isoformat(),
            "guarantee_deadline": self.guarantee_deadline.isoformat() if self.guarantee_deadline else None,
            "warnings": list(self.warnings),
            "seed_bucket": self.seed_bucket,
            "actions": list(self.actions),
            "branch": self.branch,
            "overdue_since": self.overdue_since.isoformat(),
            "limitation_start": self.limitation_start.isoformat(),
            "balance": float(self.balance),
            "overdue_principal": float(self.overdue_principal),
            "overdue_interest": float(self.overdue_interest),
            "row": self.row,
        }


@dataclass
class Plan:
    """A collection plan: its as-of date, the policy used, and the entries, most urgent first."""

    as_of: _dt.date
    policy: Policy
    entries: list[PlanEntry]

    def to_list(self) -> list[dict[str, Any]]:
        """Return the JSON list of DESIGN §8."""
        return [entry.to_dict() for entry in self.entries]


@dataclass(frozen=True)
class NextAction:
    """What the timetable asks for a loan: the next action and its due date, and all open actions."""

    action: str
    due: _dt.date
    open_actions: tuple[str, ...]
    overdue: tuple[str, ...]


def next_action(
    loan: Any, as_of: _dt.date, policy: Policy, issued: Container[str] = frozenset()
) -> NextAction:
    """Return the timetable's next action for overdue ``loan`` on ``as_of`` (see module doc).

    ``open_actions`` lists every step open today (once steps pending, routine steps in their
    window), in timetable order; ``overdue`` the once steps whose due date has passed.
    """
    since: _dt.date = loan.overdue_since
    days = days_past_due(since, as_of)
    steps = policy.timetable
    # The latest once-step already done supersedes every once-step before it.
    done_upto = -1
    for i, step in enumerate(steps):
        if step.once and _step_done(step, loan, issued):
            done_upto = i
    chosen: tuple[str, _dt.date] | None = None  # the first step open today
    upcoming: tuple[str, _dt.date] | None = None  # else the first step still to come
    open_actions: list[str] = []
    overdue: list[str] = []
    for i, step in enumerate(steps):
        if step.once:
            if i <= done_upto:
                continue
        elif step.last is not None and days > step.last:
            continue  # a routine step whose window has passed
        if not step.applies(loan):
            continue
        if days < step.first:
            if upcoming is None:
                due_day = step.due if step.once else step.first
                upcoming = (step.action, since + _dt.timedelta(days=due_day - 1))
            continue
        if step.once:
            due = since + _dt.timedelta(days=step.due - 1)
            if due < as_of:
                overdue.append(step.action)
        else:
            due = as_of
        if step.action not in open_actions:
            open_actions.append(step.action)
        if chosen is None:
            chosen = (step.action, due)
    chosen = chosen or upcoming
    assert chosen is not None  # a validated timetable ends with an open-ended routine step
    return NextAction(chosen[0], chosen[1], tuple(open_actions), tuple(overdue))


def letter_due_date(loan: Any, as_of: _dt.date, policy: Policy) -> _dt.date | None:
    """Return the due date of ``loan``'s demand letter when the timetable has one due by ``as_of``.

    None when the loan is not overdue on ``as_of``, the letter step does not apply to it (its
    condition), is not due yet, or a later ``once`` step is done (legal action under way).
    Whether the letter was already issued is the register's business, not this function's.
    """
    if not is_overdue(loan, as_of):
        return None
    days = days_past_due(loan.overdue_since, as_of)
    steps = policy.timetable
    done_upto = max((i for i, s in enumerate(steps) if s.once and _step_done(s, loan, ())), default=-1)
    for i, step in enumerate(steps):
        if i <= done_upto or not step.once or step.action != "demand-letter":
            continue
        if step.due <= days and step.applies(loan):
            return loan.overdue_since + _dt.timedelta(days=step.due - 1)
    return None


def _step_done(step: Step, loan: Any, issued: Container[str]) -> bool:
    if step.action == "demand-letter":
        return letter_key(loan) in issued
    if step.action == "legal-action":
        return bool(loan.litigation)
    return False


def is_overdue(loan: Any, as_of: _dt.date) -> bool:
    """Return True when ``loan`` is overdue on ``as_of`` (``overdue_since`` set and not later)."""
    return loan.overdue_since is not None and loan.overdue_since <= as_of


def plan_entry(
    loan: Any, as_of: _dt.date, policy: Policy, issued: Container[str] = frozenset()
) -> PlanEntry:
    """Return the plan entry of overdue ``loan`` on ``as_of`` (the caller checks ``is_overdue``)."""
    since = loan.overdue_since
    days = days_past_due(since, as_of)
    action = next_action(loan, as_of, policy, issued)
    start = limitation_start(since, loan.maturity, loan.last_interruption)
    lim = limitation_deadline(since, loan.maturity, loan.last_interruption, policy.limitation_years)
    # A guarantee deadline matters only when someone guarantees the loan (or the ledger gives one).
    gua = None
    if loan.guarantors or loan.guarantee_period_end is not None:
        gua = guarantee_deadline(loan.maturity, loan.guarantee_period_end, policy.guarantee_months)
    horizon = as_of + _dt.timedelta(days=policy.warning_days)
    warnings: list[str] = []
    urgent: list[_dt.date] = []
    for name, deadline in (("limitation", lim), ("guarantee", gua)):
        if deadline is None:
            continue
        if name == "limitation" and loan.litigation:
            # A suit interrupts the period and it does not run while the case is pending; after
            # judgment the enforcement period applies, which the ledger does not record.
            continue
        if deadline < as_of:
            warnings.append(f"{name}-expired")
            urgent.append(deadline)
        elif deadline <= horizon:
            warnings.append(f"{name}-near")
            urgent.append(deadline)
    warnings.extend(f"{a}-overdue" for a in action.overdue)
    return PlanEntry(
        loan_no=loan.loan_no, borrower=loan.borrower, officer=loan.officer, branch=loan.branch, row=loan.row,
        overdue_since=since, days_past_due=days, bucket=policy.bucket(days), seed_bucket=policy.seed_bucket(days),
        next_action=action.action, next_action_due=action.due, actions=list(action.open_actions),
        limitation_start=start, limitation_deadline=lim, guarantee_deadline=gua, warnings=warnings,
        balance=loan.balance, overdue_principal=loan.overdue_principal, overdue_interest=loan.overdue_interest,
        guarantors=list(loan.guarantors), litigation=loan.litigation, urgent_date=min(urgent) if urgent else None,
    )


def _order(entry: PlanEntry) -> tuple[Any, ...]:
    if entry.urgent_date is not None:
        return (0, entry.urgent_date.toordinal(), -entry.days_past_due, entry.loan_no)
    return (1, 0, -entry.days_past_due, entry.loan_no)


def build_plan(
    loans: Iterable[Any],
    as_of: _dt.date,
    policy: Policy | None = None,
    *,
    issued: Container[str] = frozenset(),
    branch: str | None = None,
    officer: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> Plan:
    """Return the collection plan of the loans overdue on ``as_of``, most urgent first.

    ``loans`` are ``docgen.loans.ledger.Loan``s (or objects with the same attributes); ``issued``
    holds the register row keys of demand letters already issued (``letter_key``); ``branch``
    and ``officer`` keep only that branch's or officer's loans; ``progress`` is called with the
    number of loans handled since the last call. Loans with a deadline inside the warning
    window (or passed) come first, soonest deadline first; then the rest by days past due,
    longest first; ties by loan number.
    """
    policy = policy or load_policy()
    entries = []
    pending = 0
    for loan in loans:
        if (is_overdue(loan, as_of) and (branch is None or loan.branch == branch)
                and (officer is None or loan.officer == officer)):
            entries.append(plan_entry(loan, as_of, policy, issued))
        pending += 1
        if progress is not None and pending >= 1000:
            progress(pending)
            pending = 0
    if progress is not None and pending:
        progress(pending)
    entries.sort(key=_order)
    return Plan(as_of=as_of, policy=policy, entries=entries)
