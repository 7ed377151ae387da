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
  in court needs no demand letter any more). A loan to be declared due early (宣布提前到期)
  whose letter of this episode, issued before, declared nothing gets ``declare-acceleration``
  (due today; only a lapsing guarantee comes first): the declaration needs a letter of its own;
  once it is out (matured since or not), or once the loan has matured without one, joint guarantors
  asked before for less than the balance (``balance_notices_due``) get ``guarantor-demand`` (due
  today) and the warning ``guarantor-balance-undemanded``; a demand letter or a suit due, or a case in
  court, stays the next action, the notice listed beside it in ``actions``; once the guarantee period
  counted from then has ended with the balance never asked of them, docgen's own notice showing it
  asked the overdue amounts only and no suit filed by then, ``guarantor-balance-lapsed``
  (``balance_guarantee_lapsed``: kept by the earlier demand for what it asked only, perhaps: staff verify);
  a loan in court flagged to be declared due early, sued before maturity, with no declaring letter in the
  register and no agreed guarantee period, its joint guarantee liable and its guarantor not sued in the case
  (``limitation.suit_keeps``), ``guarantee-complaint-declared`` (``complaint_may_declare``: the
  complaint may have started the guarantee period of the whole balance earlier);
- the deadlines follow DESIGN §8.1 (``docgen.loans.limitation``): the limitation period from the
  claim's due date and the interrupting events that came before it ran out (``limitation_basis``
  names the event), the enforcement period after a judgment, the guarantee by its type. A deadline
  within ``warning_days`` of ``as_of`` (or passed) raises a warning and puts the loan in the first
  group, ordered by that deadline; the others follow by days past due, longest first. A loan in
  court (已起诉/已判决/执行中/终结本次执行) gets no limitation warning; a judged one is watched for
  its enforcement period; its guarantee warnings stay. A joint guarantee lapsing inside the window
  makes ``guarantor-demand`` the next action (a general one: ``legal-action``);
- loans dated after ``as_of`` are left out and listed in ``Plan.after_as_of``.

Warning codes are stable (``WARNINGS``, short labels; each warning also comes with its facts and
sentence in ``PlanEntry.notices``, wording in ``docgen.loans.messages``).
"""
from __future__ import annotations

import copy
import datetime as _dt
import os
from bisect import bisect_right
from collections.abc import Callable, Container, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from itertools import compress, repeat
from operator import is_not, lt, or_
from pathlib import Path
from typing import Any


from docgen.core.gcpause import collector_paused
from docgen.core.errors import DocgenError, InputError
from docgen.loans.limitation import (
    Guarantee,
    Period,
    claim_due_date,
    claim_period,
    enforcement_deadline,
    guarantee_acts,
    guarantee_status,
    loan_events,
    suit_keeps,
)
from docgen.core.notices import Notice
from docgen.loans.messages import ACTION_LABELS as _ACTION_LABELS
from docgen.loans.messages import WARNING_LABELS as _WARNING_LABELS
from docgen.loans.messages import MESSAGES, entry_wording
from docgen.loans.vocabulary import Vocabulary, build_vocabulary

ACTIONS: tuple[str, ...] = ("phone", "visit", "demand-letter", "guarantor-demand", "legal-action")
"""Action ids a timetable step may name (DESIGN §8)."""

PLAN_ACTIONS: tuple[str, ...] = (*ACTIONS, "declare-acceleration")
"""Action ids a plan entry may name: the timetable's, and ``declare-acceleration`` (the loan is to
be declared due early and this episode's demand letter, already issued, did not declare it)."""

ACTION_LABELS: dict[str, str] = _ACTION_LABELS

TRACKED_ACTIONS: tuple[str, ...] = ("demand-letter", "legal-action")
"""Actions whose completion docgen can see (register; 诉讼状态), so they may be ``once`` steps."""

WARNINGS: dict[str, str] = _WARNING_LABELS
"""Warning code -> short Chinese label for tables; the full sentences are in ``docgen.loans.messages``."""

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
        return bool(self.when.evaluate_on("loan", loan))


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
    enforcement_years: int = 2
    overdue_normal_grace_days: int = 0
    accelerate: bool = False
    bank_legal_name: str = ""
    service_margin_days: int = 15
    vocabulary: Vocabulary = field(default_factory=lambda: build_vocabulary(None))
    #: Whether a step of the timetable calls on guarantors (``guarantor-demand``).
    calls_guarantors: bool = field(init=False, repr=False, compare=False)
    #: What the timetable asks of loans that read the same to it (``_next_action``), by ``timetable_key``.
    timetable_memo: dict[tuple[Any, ...], Any] = field(default_factory=dict, init=False, repr=False, compare=False)
    #: Guarantees (``loan_guarantee``) by the as-of date and the facts of a loan they read.
    guarantee_memo: dict[tuple[Any, ...], Any] = field(default_factory=dict, init=False, repr=False, compare=False)
    #: Those answers in dates (``NextAction``), by the as-of date, the first day overdue and ``timetable_key``.
    actions_memo: dict[tuple[Any, ...], Any] = field(default_factory=dict, init=False, repr=False, compare=False)
    _thresholds: tuple[int, ...] = field(init=False, repr=False, compare=False)
    _conditions: tuple[Any, ...] = field(init=False, repr=False, compare=False)
    #: ``_asked_conditions`` by the once steps done, whether guarantors may be called and the place
    #: of the days past due among ``_thresholds``.
    _asked: dict[tuple[int, bool, int], tuple[Any, ...]] = field(default_factory=dict, init=False, repr=False,
                                                                 compare=False)
    #: Days past due -> their M-bucket and seed bucket (``buckets_of``).
    _days_buckets: dict[int, tuple[str, str]] = field(default_factory=dict, init=False, repr=False, compare=False)
    #: As-of date -> its ``windows``.
    _windows: dict[_dt.date, tuple[_dt.date, _dt.date]] = field(default_factory=dict, init=False, repr=False,
                                                                compare=False)

    def __post_init__(self) -> None:
        steps = self.timetable
        object.__setattr__(self, "calls_guarantors", any(step.action == "guarantor-demand" for step in steps))
        # The timetable compares the days past due with these alone (days >= first, days > last, due < days).
        days = {step.first for step in steps} | {step.last + 1 for step in steps if step.last is not None}
        object.__setattr__(self, "_thresholds", tuple(sorted(days | {step.due + 1 for step in steps if step.once})))
        # Each condition once, by its text: two steps on the same one (a guarantor step in two windows)
        # hold and fail together.
        conditions: dict[str, Any] = {}
        for step in steps:
            if step.when is not None:
                conditions.setdefault(step.when.source, step.when)
        object.__setattr__(self, "_conditions", tuple(conditions.values()))

    def timetable_key(self, loan: Any, days: int, done_upto: int = -1, callable_: bool = True) -> tuple[Any, ...]:
        """Return what the timetable reads of ``loan`` ``days`` past due besides its register and
        guarantee, given the latest once step it has done (``done_upto``) and whether its guarantors
        may be called on (``callable_``): where ``days`` falls among the days its steps open, close and
        fall due, and whether each condition holds that a step then asks (``_asked_steps``; each text
        once, the first step's asked: what ``Step.applies`` asks). A condition no step asks is not
        evaluated: a loan past a step's window, or one whose guarantors are not to be called, is not
        asked its guarantor steps' condition. Raises ``InputError`` when a condition is refused."""
        place = bisect_right(self._thresholds, days)
        asked = self._asked.get((done_upto, callable_, place))
        if asked is None:
            asked = self._asked[(done_upto, callable_, place)] = self._asked_conditions(done_upto, callable_, place)
        if not asked:
            return (place,)
        return (place, *[bool(when.evaluate_on("loan", loan)) for when in asked])

    def _asked_conditions(self, done_upto: int, callable_: bool, place: int) -> tuple[Any, ...]:
        """Return the conditions (of ``_conditions``, in their order) the steps ``_asked_steps`` gives
        ask of a loan whose days past due fall at ``place`` among ``_thresholds``."""
        thresholds = self._thresholds
        # Any day at that place compares alike with every step's days: the first of them (or one before the first).
        days = thresholds[place - 1] if place else thresholds[0] - 1
        asked = {step.when.source for step in _asked_steps(self.timetable, days, done_upto, callable_)
                 if step.when is not None}
        return tuple(when for when in self._conditions if when.source in asked)

    def bucket(self, days: int) -> str:
        """Return the id of the M-bucket holding ``days`` past due."""
        return _find_bucket(self.buckets, days)

    def seed_bucket(self, days: int) -> str:
        """Return the id of the seed's bucket holding ``days`` past due."""
        return _find_bucket(self.seed_buckets, days)

    def buckets_of(self, days: int) -> tuple[str, str]:
        """Return ``(bucket(days), seed_bucket(days))``, remembered by ``days`` (a plan asks them of
        thousands of loans, of a few hundred distinct days past due)."""
        found = self._days_buckets.get(days)
        if found is None:
            found = (self.bucket(days), self.seed_bucket(days))
            if len(self._days_buckets) < _TIMETABLE_HELD:
                self._days_buckets[days] = found
        return found

    def windows(self, as_of: _dt.date) -> tuple[_dt.date, _dt.date]:
        """Return the last days of the warning window (``warning_days``) and of the service margin
        (``letters.service_margin_days``) counted from ``as_of``, remembered by ``as_of`` (asked of
        every entry of a plan)."""
        found = self._windows.get(as_of)
        if found is None:
            found = (as_of + _dt.timedelta(days=self.warning_days), as_of + _dt.timedelta(days=self.service_margin_days))
            if len(self._windows) < _TIMETABLE_HELD:
                self._windows[as_of] = found
        return found

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
    "enforcement_years": {"type": "integer", "min": 1, "required": True},
    "overdue_normal_grace_days": {"type": "integer", "min": 0, "required": True},
    "accelerate": {"type": "boolean", "required": True},
    "vocabulary": {"type": "dict", "nullable": True, "keysrules": {"type": "string"},
                   "valuesrules": {"type": "dict", "nullable": True, "keysrules": {"type": "string"},
                                   "valuesrules": {"type": "list", "nullable": True, "schema": {"type": "string"}}}},
    "limitation_years": {"type": "integer", "min": 1, "required": True},
    "guarantee_months": {"type": "integer", "min": 1, "required": True},
    "letters": {
        "type": "dict", "required": True,
        "schema": {
            "bank_legal_name": {"type": "string", "nullable": True},
            "pay_within_days": {"type": "integer", "min": 1, "required": True},
            "service_margin_days": {"type": "integer", "min": 0, "max": 365, "required": True},
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
    from docgen.core.datafile import read_mapping  # a policy kept in the cache is not parsed

    return read_mapping(path, what=MESSAGES.text("file/policy"), what_en=MESSAGES.text("file/policy", lang="en"),
                        hint=MESSAGES.text("file/policy-hint"), hint_en=MESSAGES.text("file/policy-hint", lang="en"),
                        allow_empty=True)


@lru_cache(maxsize=1)
def _default_raw() -> dict[str, Any]:
    return _read_yaml(default_policy_path())


def load_policy(path: str | os.PathLike[str] | None = None) -> Policy:
    """Return the collection policy: the default, with ``path``'s top-level keys replacing it.

    ``letters`` is merged key by key (``letters.branches`` alone can be given).

    Raises ``InputError`` (exit 2) when the file cannot be read or parsed, or fails validation;
    the message names the file and the key (``timetable[2].from``) and what is wrong.

    A policy that passed its checks before (the same bytes of the default and of ``path``, named
    the same, the same code) is built from its validated form and its conditions' plans, kept in
    the user's cache (``_POLICY_KIND``) and, for the shipped default alone, beside the package as
    bytecode is (``_kept_default``): reading it again imports neither YAML, cerberus nor Jinja2
    (every ``collect`` and ``npl-report`` run reads one, most the default).
    """
    source = str(default_policy_path()) if path is None else str(path)
    key = _policy_key(path, source)
    if key is not None:
        cached = _cached_policy(key, source, path is None)
        if cached is not None:
            return cached
    raw = copy.deepcopy(_default_raw())
    if path is not None:
        user = _read_yaml(Path(path))
        unknown = sorted(set(user) - set(POLICY_SCHEMA))
        if unknown:
            raise MESSAGES.error(InputError, "policy-unknown-key", path=path, key=unknown[0], known=", ".join(POLICY_SCHEMA))
        for name, value in user.items():
            # `letters` is merged one level deep: a bank sets its branches and keeps the rest.
            if name == "letters" and isinstance(value, dict) and isinstance(raw.get(name), dict):
                raw[name] = {**raw[name], **value}
            else:
                raw[name] = value
    kept: list[dict[str, Any]] = []
    policy = _build_policy(raw, source, kept=kept)
    if key is not None:
        _keep_policy(key, kept[0], policy, path is None)
    return policy


#: The cache entries of policies (``docgen.core.cache.read_entry``): a policy's validated form.
_POLICY_KIND = "policy"
#: What a policy's validated form depends on besides its files: the code that reads, checks and
#: builds it, and the libraries it reads and checks it with.
_POLICY_CODE = ("docgen.loans.plan", "docgen.loans.vocabulary", "docgen.loans.messages", "docgen.core.validation",
                "docgen.core.validator", "docgen.core.conditions", "docgen.core.sandbox", "docgen.core.datafile",
                "docgen.core.values", "docgen.core.textcodec", "docgen.core.cache")
_POLICY_LIBRARIES = ("yaml", "cerberus", "jinja2")


def _policy_key(path: str | os.PathLike[str] | None, source: str) -> str | None:
    """Return the cache key of the policy read from the default and ``path`` (named ``source`` in
    its messages), or None when caching is off or a file cannot be read as a regular one (the
    reading then says why)."""
    from docgen.core.cache import cache_dir, cache_key, code_digest, library_marks
    from docgen.core.regularfile import read_regular

    if cache_dir() is None:
        return None
    try:
        default = read_regular(default_policy_path())
        user = b"" if path is None else read_regular(path)
    except (OSError, ValueError):
        return None
    return cache_key(_POLICY_KIND, default, repr(path is None), user, source, code_digest(*_POLICY_CODE),
                     library_marks(*_POLICY_LIBRARIES))


def _kept_default() -> Path | None:
    """Where the shipped default policy's validated form is kept beside it (as bytecode is, so a
    first run on a new account finds it: ``docgen.core.cache.package_cache``); None when caching
    is off. It carries its key, so a stale or foreign one is never used."""
    from docgen.core.cache import package_cache

    return package_cache(default_policy_path().parent, f"{Path(POLICY_FILE).stem}.policy.json")


def _cached_policy(key: str, source: str, default: bool) -> Policy | None:
    """Return the policy of ``key`` built from its cache entry (the user's, or for the ``default``
    policy the one kept beside it), or None (no entry, a damaged one)."""
    from docgen.core.cache import decode_value, read_entry, read_json
    from docgen.core.conditions import is_plan

    entry = read_entry(_POLICY_KIND, key)
    if entry is None and default and (kept := _kept_default()) is not None:
        entry = read_json(kept)
        if not isinstance(entry, dict) or entry.get("key") != key:
            return None
    if not isinstance(entry, dict) or not isinstance(entry.get("plans"), dict):
        return None
    plans = entry["plans"]
    try:
        doc = decode_value(entry.get("doc"))
        if not isinstance(doc, dict) or not all(plan is None or is_plan(plan) for plan in plans.values()):
            return None
        return _build_policy(doc, source, plans=plans)
    except Exception:  # noqa: BLE001 -- whatever a damaged entry raises, it is a miss
        return None


def _keep_policy(key: str, normalized: dict[str, Any], policy: Policy, default: bool) -> None:
    """Keep the validated form ``normalized`` of ``policy`` (of ``key``) in the user's cache and,
    for the ``default`` policy, beside it when bytecode may be written."""
    from docgen.core.cache import Unencodable, encode_value, keeps_beside_packages, write_entry, write_json

    plans = {step.when.source: step.when.plan for step in policy.timetable if step.when is not None}
    try:
        entry = {"doc": encode_value(normalized), "plans": plans}
    except Unencodable:
        return  # a value the cache cannot hold: this policy is read from its files each time
    write_entry(_POLICY_KIND, key, entry)
    if default and keeps_beside_packages() and (kept := _kept_default()) is not None:
        write_json(kept, {"key": key, **entry})


def _build_policy(raw: dict[str, Any], source: str, *, plans: dict[str, Any] | None = None,
                  kept: list[dict[str, Any]] | None = None) -> Policy:
    """Return the policy of ``raw`` (the default's keys merged with the user's) named ``source``.

    ``plans`` (a cache entry's, by condition): ``raw`` passed the checks before, with those plans
    for its conditions: it is not validated again nor its conditions compiled. Else ``raw`` is
    validated and its validated form appended to ``kept`` when given. Raises ``InputError``."""
    if plans is None:
        from docgen.core.validation import validate

        normalized, problems = validate(POLICY_SCHEMA, raw)
        if problems:
            from docgen.check.messages import problem_in_english

            raise MESSAGES.error(InputError, "policy-invalid", source=source, actions=list(ACTIONS),
                                 problems=[(p.path, p.message, problem_in_english(p)) for p in problems])
        if kept is not None:
            kept.append(normalized)
    else:
        normalized = raw
    buckets = _buckets(normalized["buckets"], "buckets", source)
    seed_buckets = _buckets(normalized["seed_buckets"], "seed_buckets", source)
    timetable = _timetable(normalized["timetable"], source, plans)
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
        enforcement_years=normalized["enforcement_years"],
        overdue_normal_grace_days=normalized["overdue_normal_grace_days"], accelerate=normalized["accelerate"],
        bank_legal_name=(letters.get("bank_legal_name") or "").strip(),
        service_margin_days=letters["service_margin_days"],
        vocabulary=build_vocabulary(normalized.get("vocabulary"), MESSAGES.text("vocabulary-source", {"source": source})),
    )


def _buckets(items: list[dict[str, Any]], key: str, source: str) -> tuple[Bucket, ...]:
    """Check buckets run from day 1 without gaps or overlaps and the last one is open-ended."""
    out = []
    expected = 1
    for i, item in enumerate(items):
        where = f"{source}：{key}[{i}]"
        first, last = item["from"], item.get("to")
        if first != expected:
            raise MESSAGES.error(InputError, "policy-bucket-gap", where=where, expected=expected)
        if last is not None and last < first:
            raise MESSAGES.error(InputError, "policy-to-before-from", where=where, first=first)
        if last is None and i != len(items) - 1:
            raise MESSAGES.error(InputError, "policy-bucket-open-not-last", where=where)
        out.append(Bucket(str(item["id"]), first, last))
        expected = (last or 0) + 1
    if out[-1].last is not None:
        raise MESSAGES.error(InputError, "policy-last-bucket-closed", source=source, key=key, index=len(items) - 1)
    return tuple(out)


#: The names a timetable step's ``when:`` may use: ``Step.applies`` gives it the loan alone.
_POLICY_NAMES = frozenset({"loan"})


def _timetable(items: list[dict[str, Any]], source: str, plans: dict[str, Any] | None = None) -> tuple[Step, ...]:
    """Return the steps of the timetable ``items``; a condition whose plan ``plans`` holds (a cache
    entry's) passed its checks before and is not compiled again. Raises ``InputError``."""
    from docgen.core.conditions import Condition

    steps = []
    for i, item in enumerate(items):
        where = f"{source}：timetable[{i}]"
        first, last = item["from"], item.get("to")
        once = bool(item.get("once", False))
        due = item.get("due") or first
        if last is not None and last < first:
            raise MESSAGES.error(InputError, "policy-to-before-from", where=where, first=first)
        if once and item["action"] not in TRACKED_ACTIONS:
            raise MESSAGES.error(InputError, "policy-once-untracked", where=where, tracked=" 和 ".join(TRACKED_ACTIONS),
                        action=item["action"])
        if once and last is not None:
            raise MESSAGES.error(InputError, "policy-once-with-to", where=where)
        if due < first or (last is not None and due > last):
            raise MESSAGES.error(InputError, "policy-due-outside", where=where)
        if not once and item.get("due") is not None:
            raise MESSAGES.error(InputError, "policy-due-not-once", where=where)
        when = None
        if item.get("when"):
            if plans is not None and item["when"] in plans:
                when = Condition.checked(item["when"], f"{where}.when", plans[item["when"]], error=InputError)
            else:
                # A step is asked of the loan alone (Step.applies): any other name would be undefined, never true.
                when = Condition(item["when"], f"{where}.when", names=_POLICY_NAMES, error=InputError)
        steps.append(Step(item["action"], first, last, due, once, when, where))
    if steps[-1].last is not None or steps[-1].once:
        # Every overdue loan must have a next action, however long its arrears.
        raise MESSAGES.error(InputError, "policy-last-step-closed", source=source, index=len(steps) - 1)
    return tuple(steps)


# --------------------------------------------------------------------------- plan


def days_past_due(overdue_since: _dt.date, as_of: _dt.date) -> int:
    """Return the days past due on ``as_of``: ``overdue_since`` is day 1."""
    return (as_of - overdue_since).days + 1


def past_due_date(overdue_since: _dt.date, days: int) -> _dt.date:
    """Return the date on which a loan overdue since ``overdue_since`` is ``days`` past due (the
    converse of ``days_past_due``)."""
    return overdue_since + _dt.timedelta(days=days - 1)


def overdue_start(loan: Any) -> _dt.date | None:
    """Return the first overdue day of ``loan``: its 逾期起始日, but never later than the day after
    maturity while the loan has a balance (``matured-unpaid``: the ledger left 逾期起始日 empty, or
    dated it after the day the unpaid balance fell due). None when neither applies (the loan is
    current, whatever the date).

    The limitation period counts from the same earlier date (``limitation.claim_due_date``), so
    the days past due, the classification checks, the 罚息 and the letters' dates agree with it.
    """
    since = loan.overdue_since
    # Only a 逾期起始日 missing or after maturity can be later than the day after it.
    if (since is None or since > loan.maturity) and loan.balance > 0:
        after = loan.maturity + _ONE_DAY
        if since is None or since > after:
            return after
    return since


_ONE_DAY = _dt.timedelta(days=1)


def penalty_assumed_none(loan: Any, policy: Policy) -> str:
    """Return where the plan and the letters took ``loan`` to bear no 罚息 from, or ``""`` when it bears
    one: ``"ledger"`` when its 罚息利率 is 0, ``"policy"`` when the ledger gives none and the policy's
    daily rate is 0.

    A 0 in 罚息利率 is read as "no 罚息 agreed", never replaced by the policy's rate: the letters then
    claim no 罚息 the contract may not give (at worst they claim too little, which a later letter can
    put right, where a 罚息 claimed without a contract behind it would be a false statement of the debt).
    As a 0 is also how a clerk's blank is often typed, the plan warns (``penalty-none``) so staff
    confirm the contract."""
    rate = getattr(loan, "penalty_rate", None)
    if rate is not None:
        return "ledger" if rate == 0 else ""
    return "policy" if policy.penalty_daily_rate == 0 else ""


def registered_late(loan: Any) -> bool:
    """Return True when ``loan``'s ledger does not have it overdue from the day after maturity
    although its balance was unpaid then: no 逾期起始日, or one after that day (the
    ``matured-unpaid`` warning and flag): exactly when ``overdue_start`` departs from 逾期起始日."""
    return overdue_start(loan) != loan.overdue_since


def limitation_period(loan: Any, years: int, *, before: _dt.date | None = None) -> Period:
    """Return the limitation period of overdue ``loan``'s claim: counted from its ``claim_due_date``
    (the earlier of ``overdue_start`` and maturity) and interrupted by the events the ledger
    records (``loan_events``; only those before ``before`` when given)."""
    since = overdue_start(loan)
    assert since is not None
    return _limitation_period(loan, since, years, before)


def _limitation_period(loan: Any, since: _dt.date, years: int, before: _dt.date | None = None) -> Period:
    """Return ``limitation_period`` of ``loan``, whose ``overdue_start`` is ``since``."""
    if loan.last_interruption is None and loan.litigation_filed is None:
        # Most loans record no interrupting event: claim_period of none, without making the list.
        return claim_period(claim_due_date(since, loan.maturity), _NO_EVENTS, years)
    events = loan_events(loan)
    if before is not None:
        events = [e for e in events if e[0] < before]
    return claim_period(claim_due_date(since, loan.maturity), events, years)


#: The interrupting events of a loan that records none (``_limitation_period``).
_NO_EVENTS: frozenset[tuple[_dt.date, str]] = frozenset()


def overdue_days(loan: Any, as_of: _dt.date) -> int:
    """Return the days past due of ``loan`` on ``as_of`` (day 1 is ``overdue_start``), 0 when it is
    not overdue on ``as_of``.

    The same verdict as ``days_past_due(overdue_start(loan), as_of)``, without making the day after
    maturity of every current loan: asked of every loan of a ledger, most of them current.
    """
    return days_overdue(loan.overdue_since, loan.maturity, loan.balance, as_of)


def days_overdue(since: _dt.date | None, maturity: _dt.date, balance: Decimal, as_of: _dt.date) -> int:
    """Return ``overdue_days`` of a loan given as its 逾期起始日 (``since``), maturity and balance: a
    column of loans at a time, without their loans made (``docgen.loans.npl.NplTally``)."""
    if since is None or since > maturity:
        # Overdue from the day after maturity at the latest: by as_of exactly when maturity is before it.
        if maturity < as_of and balance > 0:
            return (as_of - maturity).days
        if since is None:
            return 0
    return (as_of - since).days + 1 if since <= as_of else 0


def past_due_rows(block: Any, as_of: _dt.date) -> tuple[list[int], list[int]]:
    """Return the positions of ``block``'s loans (a ``ledger_cache.CachedBlock``, or anything giving
    a field's values by ``column``) past due on ``as_of`` and, one to one, their days past due
    (``overdue_days``), read from its columns without making its loans: only a loan with a
    逾期起始日 or matured before ``as_of`` can be, so only those are counted."""
    since, maturity, balance = block.column("overdue_since"), block.column("maturity"), block.column("balance")
    maybe = compress(range(len(since)), map(or_, map(is_not, since, repeat(None)), map(lt, maturity, repeat(as_of))))
    rows: list[int] = []
    days: list[int] = []
    for at in maybe:
        count = days_overdue(since[at], maturity[at], balance[at], as_of)
        if count:
            rows.append(at)
            days.append(count)
    return rows, days


DECLARING = ":accelerated"
"""Row key suffix of a letter that declares the loan due early (宣布提前到期), or a guarantor
notice written after such a letter was issued: a letter of its own, beside the episode's ordinary one."""

MATURED_BALANCE = ":balance"
"""Row key suffix of the notice asking a joint guarantor for the whole balance of a loan that matured
(never declared due early) after that guarantor was asked for the overdue instalments only."""


def letter_key(loan: Any, document: str = "demand-letter", party: str = "", *, declaring: bool = False,
               balance: bool = False) -> str:
    """Return the register row key of ``document`` for ``loan``'s current arrears episode.

    ``party`` names the addressee when one loan gets one notice per guarantor; ``declaring``
    keys the letter declaring the loan due early (and the guarantor notices that follow it);
    ``balance`` the notice asking a guarantor for the balance that fell due at maturity.
    """
    start = overdue_start(loan)
    return _episode_key(loan.loan_no, start.isoformat() if start else "", document, party, declaring, balance)


def _episode_key(loan_no: str, start: str, document: str, party: str = "", declaring: bool = False,
                 balance: bool = False) -> str:
    """Return ``letter_key`` of loan ``loan_no`` whose arrears episode started on ``start`` (ISO)."""
    suffix = (f":{party}" if party else "") + (DECLARING if declaring else "") + (MATURED_BALANCE if balance else "")
    return f"{loan_no}:{document}:{start}{suffix}"


def accelerating(loan: Any, as_of: _dt.date, policy: Policy) -> bool:
    """Return True when ``loan`` is to be declared due early (宣布提前到期: its row or the policy
    asks for it), has not matured by ``as_of`` (a matured loan is due without a declaration) and
    has a balance (a principal repaid in full has nothing left to fall due early)."""
    return loan.maturity >= as_of and loan.balance > 0 and _flagged(loan, policy)


def _flagged(loan: Any, policy: Policy) -> bool:
    """Return True when ``loan``'s row (宣布提前到期) or the policy asks for it to be declared due early."""
    return _row_flagged(loan) or policy.accelerate


def _row_flagged(loan: Any) -> bool:
    """Return True when ``loan``'s own row flags it to be declared due early (宣布提前到期)."""
    return bool(getattr(loan, "accelerated", False))


def declaration_issued(loan: Any, policy: Policy, issued: Container[str]) -> bool:
    """Return True when ``loan`` is flagged to be declared due early (its row or the policy) and
    ``issued`` (the register as this run found it: a letter issued in the same run has not reached
    the borrower yet) holds a letter of this episode declaring it, whether or not the loan has matured
    since: the rest of its balance may have fallen due before maturity, on a day no record holds, and
    the guarantor notices that follow, matured since or not, ask the balance as declared due."""
    return bool(issued) and _flagged(loan, policy) and letter_key(loan, declaring=True) in issued


def service_deadline(deadline: _dt.date, as_of: _dt.date, policy: Policy) -> _dt.date | None:
    """Return ``deadline`` (the end of a limitation or guarantee period) when it falls within
    ``letters.service_margin_days`` of a letter dated ``as_of`` (on the day itself included), else None.

    A letter acts on such a period only when it reaches the addressee before the period runs out:
    a demand interrupts the limitation period (《民法典》第一百九十五条), a notice to a joint
    guarantor keeps the guarantor liable (第六百九十三条第二款) and starts the limitation of the
    guarantee claim (第六百九十四条第二款). Service may take longer than the days left: such a
    letter states that effect only on the condition of service in time, and is to be served in
    person by ``deadline``.
    """
    if as_of <= deadline <= policy.windows(as_of)[1]:
        return deadline
    return None


def complaint_may_declare(loan: Any, as_of: _dt.date, policy: Policy, issued: Container[str]) -> bool:
    """Return True when ``loan`` is in court, flagged to be declared due early (``_flagged``: its row or the
    policy), with a balance, sued before maturity (起诉日期 before it; when the ledger leaves it blank, while the
    loan has not matured by ``as_of``), with no letter declaring it in the register (``issued``; none is made
    while a suit is pending) and no agreed 保证期间届满日 (which governs whatever the declaration). The complaint
    itself may have declared it: the guarantee period of the whole balance would then count from its service
    on the borrower (《民法典》第六百九十二条), before the end counted from maturity, and may have ended since,
    the loan matured or not, while the guarantor notices ask the overdue amounts only. Staff are to check it."""
    if (not loan.in_litigation or loan.guarantee_period_end is not None or loan.balance <= 0
            or not _flagged(loan, policy)):
        return False
    filed = loan.litigation_filed
    before_maturity = filed < loan.maturity if filed is not None else loan.maturity >= as_of
    return before_maturity and letter_key(loan, declaring=True) not in issued


def complaint_flag(loan: Any) -> str:
    """Return what flags ``loan`` (``complaint_may_declare``) to be declared due early: ``"ledger"`` when its
    row does (宣布提前到期), ``"policy"`` when only the policy's ``accelerate`` does."""
    return "ledger" if _row_flagged(loan) else "policy"


def declaration_pending(loan: Any, as_of: _dt.date, policy: Policy, issued: Container[str]) -> bool:
    """Return True when ``loan`` is to be declared due early but this episode's demand letter,
    already issued, declared nothing (the flag came later): a declaring letter is due."""
    return (accelerating(loan, as_of, policy) and letter_key(loan) in issued
            and letter_key(loan, declaring=True) not in issued)


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
    limitation_basis: str = ""
    time_barred: bool = False
    enforcement_deadline: _dt.date | None = None
    guarantee: Guarantee | None = None
    notices: list[Notice] = field(default_factory=list)
    loan: Any = None
    #: Joint guarantors to be asked for the whole balance that fell due (declared due early or at maturity),
    #: having been asked for less (``balance_notices_due``).
    balance_guarantors: list[str] = field(default_factory=list)

    @property
    def liable_guarantors(self) -> list[str]:
        """The guarantors who can still be called on (none when the guarantee has lapsed)."""
        return list(self.guarantors) if self.guarantee is not None and self.guarantee.liable else []

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON object: DESIGN §8 fields first, ISO dates, amounts as numbers."""
        # Made for each of a plan's thousands of entries: its dates' texts and amounts' numbers are
        # looked up (``_ISO_DATES``, ``_number``), each notice's dict made here as ``Notice.to_dict()``
        # makes it, without the two calls per notice.
        iso = _ISO_DATES
        g = self.guarantee
        return {
            "loan_no": self.loan_no,
            "borrower": self.borrower,
            "officer": self.officer,
            "days_past_due": self.days_past_due,
            "bucket": self.bucket,
            "next_action": self.next_action,
            "next_action_due": iso[self.next_action_due],
            "limitation_deadline": iso[self.limitation_deadline],
            "guarantee_deadline": iso[self.guarantee_deadline],
            "warnings": list(self.warnings),
            "limitation_basis": self.limitation_basis,
            "time_barred": self.time_barred,
            "enforcement_deadline": iso[self.enforcement_deadline],
            "guarantee": None if g is None else {
                "type": g.type, "period_end": iso[g.period_end], "liable": g.liable,
                "preserved": g.preserved or None, "basis": g.basis, "reason": g.reason or None,
                # The two ends of a period a declaration of early maturity shortened, and whether the bank
                # now acts by the later one, the earlier having passed (``guarantee-disputed``).
                "disputed": g.disputed_end is not None,
                "declared_end": iso[g.declared_end],
                "maturity_end": iso[g.later_end],
                # The suit against the debtor filed in the period and withdrawn, which kept no general
                # guarantee (担保制度解释第三十一条第一款), told here where no warning falls due.
                "withdrawn": iso[g.withdrawn],
            },
            "warning_details": [{"code": n.code, "facts": dict(n.facts), "message": n.message}
                                if n.__class__ is Notice else n.to_dict() for n in self.notices],
            "seed_bucket": self.seed_bucket,
            "actions": list(self.actions),
            "branch": self.branch,
            "overdue_since": iso[self.overdue_since],
            "limitation_start": iso[self.limitation_start],
            "balance": _number(self.balance),
            "overdue_principal": _number(self.overdue_principal),
            "overdue_interest": _number(self.overdue_interest),
            "litigation": self.litigation,
            "row": self.row,
        }


class _IsoTexts(dict):  # type: ignore[type-arg]
    """``day.isoformat()`` by ``day`` (None for None), each text made at its first look-up and kept
    (at most ``_ISO_HELD``): a plan's thousands of entries name a few thousand dates, and making
    the text costs ten times finding it. Only the same date's text is ever found (a date and a
    datetime are never equal keys), so it is kept for the next plan."""

    def __missing__(self, day: _dt.date | None) -> str | None:
        text = None if day is None else day.isoformat()
        if len(self) < _ISO_HELD:
            self[day] = text
        return text


_ISO_DATES: dict[_dt.date | None, str | None] = _IsoTexts()
_ISO_HELD = 65_536


def _number(amount: Any) -> float:
    """Return ``float(amount)`` (an entry's amount in JSON), remembered by the amount (``_NUMBERS``):
    a ``Decimal`` is made a float through its text (~0.3 µs), and a plan's three amounts per entry
    are a few hundred distinct values. A zero is not remembered: ``Decimal("-0")`` equals
    ``Decimal("0")`` and is written ``-0.0``; equal amounts that are not zero are the same float
    (each the nearest to the one value)."""
    try:
        number = _NUMBERS.get(amount)
    except TypeError:  # no hash (a signalling NaN): float() says what is wrong with it
        return float(amount)
    if number is None:
        number = float(amount)
        if number and number == number and len(_NUMBERS) < _ISO_HELD:
            _NUMBERS[amount] = number
    return number


#: ``_number``'s floats by amount.
_NUMBERS: dict[Any, float] = {}


@dataclass
class Plan:
    """A collection plan: its as-of date, the policy used, the entries (most urgent first) and the
    loans left out because their dates lie after the as-of date (``after_as_of``: ``(loan_no, row)``)."""

    as_of: _dt.date
    policy: Policy
    entries: list[PlanEntry]
    after_as_of: list[tuple[str, int]] = field(default_factory=list)

    def to_list(self) -> list[dict[str, Any]]:
        """Return the JSON list of DESIGN §8."""
        with collector_paused():  # a dict per entry, none in a reference cycle
            return list(self.dicts())

    def dicts(self) -> Iterator[dict[str, Any]]:
        """Yield the objects of ``to_list`` one at a time (the JSON written as it is made)."""
        return (entry.to_dict() for entry in self.entries)

    def after_as_of_notice(self) -> Notice | None:
        """Return the ``loans-after-as-of`` notice when loans were left out for their dates, else None."""
        return after_as_of_notice(self.after_as_of, self.as_of)


def after_as_of_notice(after: list[tuple[str, int]], as_of: _dt.date) -> Notice | None:
    """Return the ``loans-after-as-of`` notice for ``(loan_no, row)`` pairs dated after ``as_of``, or None."""
    if not after:
        return None
    shown = "、".join(f"第{row}行 {no}" for no, row in after[:5])
    more = f" 等 {len(after)} 笔" if len(after) > 5 else ""
    return MESSAGES.notice("loans-after-as-of", count=len(after), as_of=as_of.isoformat(), rows=shown + more,
                           loans=[no for no, _ in after])


@dataclass(frozen=True)
class NextAction:
    """What the timetable asks for a loan: the next action and its due date, all open actions, and
    each action overdue once with the day it fell due (``overdue``)."""

    action: str
    due: _dt.date
    open_actions: tuple[str, ...]
    overdue: tuple[tuple[str, _dt.date], ...]


_UNSET: Any = object()


def next_action(
    loan: Any, as_of: _dt.date, policy: Policy, issued: Container[str] = frozenset(),
    guarantee: Guarantee | None = _UNSET,
) -> NextAction:
    """Return the timetable's next action for overdue ``loan`` on ``as_of`` (see module doc).

    ``open_actions`` lists every step open today (once steps pending, routine steps in their
    window), in timetable order; ``overdue`` each action of a once step whose due date has passed,
    once, with the earliest such due date among the steps that apply to the loan (two
    ``legal-action`` steps, for large loans and for the others, are one action overdue). A
    ``guarantor-demand`` step applies only while a joint guarantor is liable and not yet called
    on (``guarantee``; a general guarantor is not asked to pay before the debtor is sued).
    """
    since = overdue_start(loan)
    assert since is not None
    if guarantee is _UNSET:
        guarantee = loan_guarantee(loan, as_of, policy, issued)
    return _next_action(loan, as_of, policy, issued, guarantee, since)


def _next_action(loan: Any, as_of: _dt.date, policy: Policy, issued: Container[str], guarantee: Guarantee | None,
                 since: _dt.date) -> NextAction:
    """Return ``next_action`` of ``loan``, whose ``overdue_start`` is ``since``."""
    days = days_past_due(since, as_of)
    steps = policy.timetable
    done_upto = _done_upto(steps, loan, issued, since)
    # A guarantor-demand step applies only while a joint guarantor is liable and not yet called on.
    callable_ = (policy.calls_guarantors and guarantee is not None and guarantee.needs_demand
                 and not _guarantor_notices_issued(loan, as_of, policy, issued))
    try:
        read = policy.timetable_key(loan, days, done_upto, callable_)
    except DocgenError:  # a condition refused: raised again below if the step it guards is reached
        return _dated_action(_timetable_days(steps, loan, days, done_upto, callable_), as_of, since)
    # Loans overdue since the same day that read the same to the timetable share its answer in dates.
    dated_key = (as_of, since, done_upto, callable_, *read)
    answers = policy.actions_memo
    answer = answers.get(dated_key)
    if answer is None:
        # What the timetable asks depends on these alone (in days past due): loans share it.
        key = dated_key[2:]
        memo = policy.timetable_memo
        found = memo.get(key)
        if found is None:
            found = _timetable_days(steps, loan, days, done_upto, callable_)
            if len(memo) < _TIMETABLE_HELD:
                memo[key] = found
        answer = _dated_action(found, as_of, since)
        if len(answers) < _TIMETABLE_HELD:
            answers[dated_key] = answer
    return answer


def _dated_action(found: tuple[str, int | None, tuple[str, ...], tuple[tuple[str, int], ...]], as_of: _dt.date,
                  since: _dt.date) -> NextAction:
    """Return the ``NextAction`` of ``_timetable_days``'s answer ``found`` (in days past due) for a
    loan overdue since ``since`` on ``as_of``."""
    action, due, open_actions, overdue = found
    return NextAction(action, as_of if due is None else past_due_date(since, due), open_actions,
                      tuple((name, past_due_date(since, day)) for name, day in overdue))


#: Timetable answers a policy holds (``Policy.timetable_memo``): a few per day past due.
_TIMETABLE_HELD = 65_536


def _timetable_days(steps: Sequence[Step], loan: Any, days: int, done_upto: int, callable_: bool
                    ) -> tuple[str, int | None, tuple[str, ...], tuple[tuple[str, int], ...]]:
    """Return what ``_next_action`` returns for ``loan`` ``days`` past due, whose latest once step
    done is ``done_upto`` and whose guarantors may be called on (``callable_``), in days past due:
    the action, the day past due it is due on (None: today), the open actions and each action
    overdue with the day past due it fell due on."""
    chosen: tuple[str, int | None] | None = None  # the first step open today
    upcoming: tuple[str, int] | None = None  # else the first step still to come
    open_actions: list[str] = []
    overdue: dict[str, int] = {}
    for step in _asked_steps(steps, days, done_upto, callable_):
        if not step.applies(loan):
            continue
        if days < step.first:
            if upcoming is None:
                upcoming = (step.action, step.due if step.once else step.first)
            continue
        due: int | None = None  # a routine step is due today
        if step.once:
            due = step.due
            if due < days:  # fell due before today
                overdue[step.action] = min(due, overdue.get(step.action, due))
        if step.action not in open_actions:
            open_actions.append(step.action)
        if chosen is None:
            chosen = (step.action, due)
    found = chosen or upcoming
    assert found is not None  # a validated timetable ends with an open-ended routine step
    return found[0], found[1], tuple(open_actions), tuple(overdue.items())


def _asked_steps(steps: Sequence[Step], days: int, done_upto: int, callable_: bool) -> Iterator[Step]:
    """Yield the steps of ``steps`` that ``_timetable_days`` asks whether they apply to a loan ``days``
    past due, whose latest once step done is ``done_upto`` and whose guarantors may be called on
    (``callable_``): not a once step done or superseded, nor a routine step whose window has passed,
    nor a guarantor step while no guarantor is to be called."""
    for i, step in enumerate(steps):
        if step.once:
            if i <= done_upto:
                continue
        elif step.last is not None and days > step.last:
            continue  # a routine step whose window has passed
        if step.action == "guarantor-demand" and not callable_:
            continue
        yield step


def recorded(issued: Container[str], key: str) -> bool:
    """Whether ``issued`` holds ``key`` itself: ``letters.IssuedKeys.recorded`` (not read into an
    earlier version's letter under the ordinary key); any other container: ``in``."""
    held = getattr(issued, "recorded", None)
    return held(key) if held is not None else key in issued


def guarantor_notice_key(loan: Any, name: str, declared: bool, issued: Container[str]) -> str:
    """Return the row key of the notice to guarantor ``name``; ``declared``: ``declaration_issued``
    (the declaring letter went out in an earlier run, the loan matured since or not).

    After the declaration the notice asking for the balance is a notice of its own
    (``declaring``). An earlier version's notice under the ordinary key that asked for it counts
    as that notice only when the declaration, too, is an earlier version's ordinary letter (both
    read from their recorded files): what it said then held. Said before any letter declared it
    (the declaring letter is recorded under its own key), it was no demand after a declaration.
    """
    key = letter_key(loan, "guarantor-demand", name, declaring=declared)
    if (declared and not recorded(issued, letter_key(loan, declaring=True))
            and not recorded(issued, key) and key in issued):
        return letter_key(loan, "guarantor-demand", name)
    return key


def notice_window(guarantee: Guarantee, as_of: _dt.date) -> tuple[_dt.date, bool] | None:
    """Return ``(end, disputed)``: the last day a notice to a joint guarantor dated ``as_of`` can come
    within the guarantee period, and whether that end is disputed (only counted from the original
    maturity: the end counted from the declaration of early maturity has passed); None when both ends
    have passed.

    A guarantee kept by an earlier demand keeps the end counted from the declaration
    (``Guarantee.period_end``) with the one from maturity in ``later_end``; one not kept already
    has the disputed end in ``period_end`` (``limitation.guarantee_status``).
    """
    if as_of <= guarantee.period_end:
        return guarantee.period_end, guarantee.disputed_end is not None
    if guarantee.later_end is not None and as_of <= guarantee.later_end:
        return guarantee.later_end, True
    return None


def balance_fell_due(loan: Any, as_of: _dt.date, policy: Policy, issued: Container[str]) -> str:
    """Return how the whole balance of ``loan`` fell due by ``as_of``: ``"declared"`` when it was declared
    due early by a letter issued in an earlier run (``declaration_issued``, whether or not the loan has
    matured since: the notices that follow say the declaration), ``"matured"`` when it matured
    (``as_of`` after maturity) without one, ``""`` when it has not fallen due."""
    if declaration_issued(loan, policy, issued):
        return "declared"
    return "matured" if loan.maturity < as_of else ""


def balance_notice_key(loan: Any, name: str, fell_due: str, issued: Container[str]) -> str:
    """Return the row key of the notice asking guarantor ``name`` for the whole balance, which fell due
    as ``fell_due`` says (``balance_fell_due``): after a declaration, ``guarantor_notice_key``'s
    declaring key; at maturity, a key of its own (``MATURED_BALANCE``)."""
    if fell_due == "declared":
        return guarantor_notice_key(loan, name, True, issued)
    return letter_key(loan, "guarantor-demand", name, balance=True)


def asked_for_less(loan: Any, name: str, fell_due: str, issued: Container[str]) -> bool:
    """Return True when an earlier demand asked guarantor ``name`` of ``loan`` for less than the whole
    balance that fell due as ``fell_due`` says (``balance_fell_due``).

    The register holds this episode's notice to that guarantor under the ordinary key: after a
    declaration, it asked the overdue amounts (written before the declaration, or in its own run,
    before it reached the borrower); on a loan that matured, when the date it bears is not after
    maturity (the balance is due only once the day of maturity has passed), or cannot be read
    (``IssuedKeys.bears_date``: a file gone, altered, or made again after its serial was taken:
    a notice asking again harms nobody, one not sent loses the guarantee of the balance). Or the
    ledger's 向保证人主张日 is before the declaring letter's date (``declared_on``), or not after
    maturity: a demand made before the balance fell due asked no more than what had. A 向保证人主张日
    on or after 起诉日期 may be the suit against the guarantor with the borrower, which may have
    claimed the balance: False then.
    """
    demanded, filed = loan.guarantor_demanded, loan.litigation_filed
    if demanded is not None and filed is not None and demanded >= filed:
        return False  # perhaps the suit against the guarantor with the borrower: it may have claimed the balance
    ordinary = letter_key(loan, "guarantor-demand", name) if issued else ""
    held = bool(issued) and recorded(issued, ordinary)
    if fell_due == "declared":
        if held:
            return True
        declared = declared_on_issued(loan, issued)
        return demanded is not None and declared is not None and demanded < declared
    if held:
        bears = getattr(issued, "bears_date", None)
        dated = bears(ordinary) if bears is not None else None
        # Dated after maturity, docgen's notice asked the whole balance (what the ledger dates before included).
        return dated is None or dated <= loan.maturity
    return demanded is not None and demanded <= loan.maturity


def balance_notices_due(loan: Any, as_of: _dt.date, policy: Policy, issued: Container[str],
                        guarantee: Guarantee | None, *, time_barred: bool = False) -> list[str]:
    """Return the joint guarantors of ``loan`` still liable who are to be asked for the whole balance
    now that it fell due (``balance_fell_due``: declared due early by a letter that went out in an
    earlier run, matured since or not; or matured without a declaration), because what they were
    asked before claimed less (``asked_for_less``).

    A guarantor already asked for that balance (``balance_notice_key``, or either way's key: one
    balance notice per guarantor) is not listed; nor is one whose earlier demand is only known from a
    向保证人主张日 on or after the declaration, or after maturity (it may have asked the balance). The
    notice must come within the guarantee period (``notice_window``): none is listed once both ends
    have passed; nor for a general guarantee, nor once the claim is time-barred (``time_barred``: the
    guarantor may raise the debtor's defence, 《民法典》第七百零一条). The guarantee kept for what was
    demanded earlier does not reach the rest of the balance, which fell due only by the declaration or
    at maturity: the bank asks for it within the guarantee period counted from then
    (《民法典》第六百九十二条、第六百九十三条第二款).
    """
    if guarantee is None or notice_window(guarantee, as_of) is None:
        return []
    return _asked_for_less_than_balance(loan, as_of, policy, issued, guarantee, time_barred)


def balance_guarantee_lapsed(loan: Any, as_of: _dt.date, policy: Policy, issued: Container[str],
                             guarantee: Guarantee | None, *,
                             time_barred: bool = False) -> list[tuple[str, _dt.date]]:
    """Return ``(guarantor, date)`` for each joint guarantor of ``loan`` whom docgen's own notice (of that
    date: ``asked_overdue_only``) asked for the overdue amounts only, before the whole balance fell due, and
    who was never asked for that balance (``balance_notices_due``) though the guarantee period counted from
    when it fell due has ended (``notice_window``: both ends passed). Of the rest of the balance such a
    guarantor may be discharged (《民法典》第六百九十三条第二款): the demand made before keeps the
    guarantee for what it asked only. Empty while a notice can still come in time, and whenever the
    evidence cannot show it: a demand the ledger alone dates (it may have asked the whole balance), a
    向保证人主张日 on or after the day the balance fell due (maturity, or the declaring letter's date: a later
    demand may have asked it), a loan flagged to be declared due early (``_flagged``) with no declaring letter
    of docgen's (``declaration_issued``: declared otherwise, the balance may have fallen due on a day no record
    holds and the ledger's demand asked it), a suit filed on or before the end (``litigation_filed``: it may
    have named the guarantor and claimed the balance; a suit whose 起诉日期 is blank, 诉讼状态 saying one was
    filed, all the same).
    """
    if guarantee is None or notice_window(guarantee, as_of) is not None or not issued:
        return []
    filed = loan.litigation_filed
    if (filed is None and loan.litigation not in ("未起诉", "")
            or filed is not None and filed <= (guarantee.later_end or guarantee.period_end)):
        # A suit within the period (or on a day the ledger does not give) may have claimed the balance of the guarantor.
        return []
    fell_due = balance_fell_due(loan, as_of, policy, issued)
    if fell_due != "declared" and _flagged(loan, policy):
        return []  # declared due early by no letter of docgen's: when the balance fell due is unknown
    demanded = loan.guarantor_demanded
    due = declared_on_issued(loan, issued) if fell_due == "declared" else loan.maturity
    if due is None or demanded is not None and demanded >= due:
        return []  # no date the balance fell due, or a demand made once it did, which may have asked it
    asked = ((name, asked_overdue_only(loan, name, due, issued))
             for name in _asked_for_less_than_balance(loan, as_of, policy, issued, guarantee, time_barred))
    return [(name, dated) for name, dated in asked if dated is not None]


def asked_overdue_only(loan: Any, name: str, due: _dt.date, issued: Container[str]) -> _dt.date | None:
    """Return the date docgen's own notice to guarantor ``name`` of ``loan`` bears when it shows that
    guarantor was asked for the overdue amounts only, before the whole balance fell due on ``due``
    (maturity, or the declaring letter's date); None when the register cannot show it.

    It shows it when the register holds this episode's notice to that guarantor under the ordinary key,
    readable (``IssuedKeys.bears_date``: unaltered, not made again later), dated strictly before maturity
    (a demand on the day of maturity can claim the whole balance due that day) or before the date of the
    letter that declared the loan due early, and not itself declaring the loan due early (an earlier
    version's notice that did asked the balance). Unlike ``asked_for_less``, which errs towards asking
    again, this errs towards saying nothing: what it shows may discharge the guarantor.
    """
    ordinary = letter_key(loan, "guarantor-demand", name)
    if not recorded(issued, ordinary) or letter_key(loan, "guarantor-demand", name, declaring=True) in issued:
        return None
    bears = getattr(issued, "bears_date", None)
    dated = None if bears is None else bears(ordinary)
    return None if dated is None or dated >= due else dated


def _asked_for_less_than_balance(loan: Any, as_of: _dt.date, policy: Policy, issued: Container[str],
                                 guarantee: Guarantee, time_barred: bool) -> list[str]:
    """Return the joint guarantors of ``loan`` still liable, its claim not time-barred, asked before for less
    than the whole balance that fell due (``asked_for_less``) and not for it since, whatever the guarantee
    period: ``balance_notices_due`` and ``balance_guarantee_lapsed`` split them by that."""
    if guarantee.type != "连带责任保证" or not guarantee.liable or time_barred or not loan.guarantors:
        return []
    fell_due = balance_fell_due(loan, as_of, policy, issued)
    if not fell_due:
        return []
    due = []
    for name in loan.guarantors:
        # An empty register (a first run's plan) holds no key: none is worth making.
        if issued and (recorded(issued, balance_notice_key(loan, name, fell_due, issued)) or any(
                recorded(issued, letter_key(loan, "guarantor-demand", name, **{way: True}))
                for way in ("declaring", "balance"))):
            continue
        if asked_for_less(loan, name, fell_due, issued):
            due.append(name)
    return due


def _guarantor_notices_issued(loan: Any, as_of: _dt.date, policy: Policy, issued: Container[str]) -> bool:
    # An empty register (the usual plan of a first run) holds no key: none is worth building.
    if not issued or not loan.guarantors:
        return False
    # Once the borrower's letter declaring the early maturity is out, the guarantors are asked
    # for the whole balance: a notice of its own, whatever they were asked before, matured since or not.
    declared = declaration_issued(loan, policy, issued)
    return all(recorded(issued, guarantor_notice_key(loan, name, declared, issued)) for name in loan.guarantors)


def letter_due_date(loan: Any, as_of: _dt.date, policy: Policy) -> _dt.date | None:
    """Return the due date of ``loan``'s demand letter when the timetable has one due by ``as_of``.

    None when the loan is not overdue on ``as_of``, the letter step does not apply to it (its
    condition), is not due yet, or a later ``once`` step is done (legal action under way).
    Whether the letter was already issued is the register's business, not this function's.
    """
    if not is_overdue(loan, as_of):
        return None
    since = overdue_start(loan)
    assert since is not None
    days = days_past_due(since, as_of)
    steps = policy.timetable
    done_upto = _done_upto(steps, loan, (), since)
    for i, step in enumerate(steps):
        if i <= done_upto or not step.once or step.action != "demand-letter":
            continue
        if step.due <= days and step.applies(loan):
            return past_due_date(since, step.due)
    return None


def _done_upto(steps: Sequence[Step], loan: Any, issued: Container[str], since: _dt.date) -> int:
    """Return the index of the latest once-step ``loan`` (its ``overdue_start``: ``since``) has done
    (-1: none): it supersedes every once-step before it (a loan in court needs no demand letter any more)."""
    if not issued and not loan.suit_filed:
        return -1  # no letter recorded, no suit: no once step can be done (TRACKED_ACTIONS)
    done_upto = -1
    for i, step in enumerate(steps):
        if step.once and _step_done(step, loan, issued, since):
            done_upto = i
    return done_upto


#: The letters of an arrears episode each of which does its demand-letter step: (document, declaring).
_DEMANDS = (("demand-letter", False), ("demand-letter", True), ("debt-confirmation", False))


def _step_done(step: Step, loan: Any, issued: Container[str], since: _dt.date) -> bool:
    if step.action == "demand-letter":
        if not issued:
            return False
        start = since.isoformat()
        return any(_episode_key(loan.loan_no, start, document, declaring=declaring) in issued
                   for document, declaring in _DEMANDS)
    if step.action == "legal-action":
        return loan.suit_filed
    return False


def is_overdue(loan: Any, as_of: _dt.date) -> bool:
    """Return True when ``loan`` is overdue on ``as_of`` (see ``overdue_start``)."""
    return overdue_days(loan, as_of) > 0


def _notice(entry_notices: list[Notice], code: str, *, time_barred: bool = False, **facts: Any) -> None:
    """Add warning ``code`` with ``facts`` (dates as ISO strings), its sentence worded for the entry:
    for a ``time_barred`` claim, the one ``messages.entry_wording`` names (the code stays)."""
    # Thousands of entries share a warning with the same facts (a letter overdue since the same
    # day): worded once, the frozen Notice is shared. Each value's type is in the key: 1 and True
    # are equal keys that read differently; so are Decimal("1.0") and Decimal("1.00"), or tuples
    # of them, which are no key.
    for value in facts.values():
        if value.__class__ not in _NOTICE_KEYED:
            entry_notices.append(_worded_notice(code, time_barred, facts))
            return
    key = (code, time_barred, *facts.items(), *map(type, facts.values()))
    notice = _NOTICES.get(key)
    if notice is None:
        notice = _worded_notice(code, time_barred, facts)
        if len(_NOTICES) < _NOTICES_HELD:
            _NOTICES[key] = notice
    entry_notices.append(notice)


#: The notices ``_notice`` made, by their code, wording and facts; emptied after each plan.
_NOTICES: dict[tuple[Any, ...], Notice] = {}
_NOTICES_HELD = 16_384
#: Types of facts whose equal values are worded alike (``_notice``'s key).
_NOTICE_KEYED = frozenset({str, int, bool, type(None), _dt.date})


def _overdue_notices(entry_notices: list[Notice], overdue: tuple[tuple[str, _dt.date], ...], time_barred: bool
                     ) -> None:
    """Add the warning ``ACTION-overdue`` of each action of ``overdue`` (``NextAction.overdue``) with
    the day it fell due, as ``_notice`` does; the same steps overdue since the same days give the
    same notices, found at once (most entries have one: their demand letter)."""
    key = (overdue, time_barred)
    found = _OVERDUE_NOTICES.get(key)
    if found is None:
        made: list[Notice] = []
        for name, step_due in overdue:
            _notice(made, f"{name}-overdue", time_barred=time_barred, due=step_due)
        found = tuple(made)
        if len(_OVERDUE_NOTICES) < _NOTICES_HELD:
            _OVERDUE_NOTICES[key] = found
    entry_notices.extend(found)


#: ``_overdue_notices``' notices by the overdue steps and whether the claim is time-barred; emptied
#: with ``_NOTICES``.
_OVERDUE_NOTICES: dict[tuple[Any, ...], tuple[Notice, ...]] = {}


def _worded_notice(code: str, time_barred: bool, facts: dict[str, Any]) -> Notice:
    """Return the notice ``_notice`` adds."""
    facts = {k: (v.isoformat() if isinstance(v, _dt.date) else v) for k, v in facts.items()}
    notice = MESSAGES.notice(code, **facts)
    wording = entry_wording(code, time_barred)
    if wording != code:
        notice = replace(notice, message=MESSAGES.text(wording, facts))
    return notice


def _watch(notices: list[Notice], urgent: list[_dt.date], as_of: _dt.date, prefix: str, deadline: _dt.date,
           facts: dict[str, Any]) -> None:
    """Add ``plan_entry``'s warning ``prefix-expired`` (``deadline`` before ``as_of``) or ``prefix-near``
    with ``facts`` to ``notices`` and ``deadline`` to ``urgent``; the caller asks only of a deadline
    inside the warning window (most are later: no call, no facts made)."""
    _notice(notices, _EXPIRED[prefix] if deadline < as_of else _NEAR[prefix], deadline=deadline, **facts)
    urgent.append(deadline)


#: ``_watch``'s warning codes by the deadline's name.
_WATCHED = ("limitation", "enforcement", "guarantee-claim", "guarantee")
_EXPIRED = {prefix: f"{prefix}-expired" for prefix in _WATCHED}
_NEAR = {prefix: f"{prefix}-near" for prefix in _WATCHED}


def plan_entry(
    loan: Any, as_of: _dt.date, policy: Policy, issued: Container[str] = frozenset()
) -> PlanEntry:
    """Return the plan entry of overdue ``loan`` on ``as_of`` (the caller checks ``is_overdue``).

    Deadlines follow DESIGN §8.1: the limitation period from the claim's due date and the
    interrupting events before it ran out (``limitation_basis`` names the event); the
    enforcement period after a judgment; the guarantee by its type. Each warning is a code in
    ``warnings`` and a ``Notice`` with its facts in ``notices``.
    """
    since = overdue_start(loan)
    assert since is not None
    days = days_past_due(since, as_of)
    horizon, margin_end = policy.windows(as_of)
    notices: list[Notice] = []
    urgent: list[_dt.date] = []
    if since != loan.overdue_since:  # registered_late
        _notice(notices, "matured-unpaid", maturity=loan.maturity, balance=f"{loan.balance:,.2f}",
                overdue_since=since, recorded=loan.overdue_since or "")
    nil_penalty = penalty_assumed_none(loan, policy)
    if nil_penalty:
        # The letters then neither claim nor reserve any 罚息: staff confirm the contract agrees none.
        _notice(notices, "penalty-none", source=nil_penalty)
    period = _limitation_period(loan, since, policy.limitation_years)
    for day, event in period.ignored:
        _notice(notices, "interruption-after-expiry", event_date=day, event=event,
                deadline=_limitation_period(loan, since, policy.limitation_years, before=day).deadline)
    time_barred = period.deadline < as_of
    if not loan.in_litigation:
        # A pending suit interrupted the period and it does not run while the case is pending.
        if period.deadline <= horizon:
            _watch(notices, urgent, as_of, "limitation", period.deadline, {"basis": period.basis})
        serve_by = service_deadline(period.deadline, as_of, policy) if period.deadline <= margin_end else None
        if serve_by is not None and letter_due_date(loan, as_of, policy) is not None:
            # The demand letter interrupts the period only if served by then: in person, signed for.
            _notice(notices, "demand-letter-serve-by", deadline=serve_by)
    enforcement = None
    if loan.litigation == "已判决":
        # Judged, enforcement not yet applied for: the two-year period to apply runs.
        if loan.judgment_due is None:
            _notice(notices, "judgment-due-missing")
        else:
            enforcement = enforcement_deadline(loan.judgment_due, policy.enforcement_years)
            if enforcement <= horizon:
                _watch(notices, urgent, as_of, "enforcement", enforcement, {"judgment_due": loan.judgment_due})
    guarantee = loan_guarantee(loan, as_of, policy, issued)
    if guarantee is not None:
        names = "、".join(loan.guarantors)
        remedy = "向保证人书面主张保证责任" if guarantee.type == "连带责任保证" else "对债务人提起诉讼或申请仲裁"
        # A suit against the debtor filed in the period and withdrawn kept no general guarantee (fact
        # ``withdrawn``, 担保制度解释第三十一条第一款): told once, by guarantee-near when the period ends inside
        # the window, else by guarantee-expired, guarantee-accelerated or guarantee-disputed; by
        # guarantee-disputed all the same when filed in the period counted from the declaration, since that
        # warning says what was done in it.
        withdrawn: dict[str, _dt.date] = {}
        near_withdrawn = withdrawn
        if guarantee.withdrawn is not None:
            if ((guarantee.disputed_end is not None and guarantee.withdrawn <= guarantee.disputed_end)
                    or not (guarantee.liable and guarantee.period_end <= horizon)):
                withdrawn = {"withdrawn": guarantee.withdrawn}
            else:
                near_withdrawn = {"withdrawn": guarantee.withdrawn}
        if guarantee.disputed_end is not None:
            # Past the end counted from the declaration, the bank acts by the one counted from maturity: its
            # demand or suit may still keep the guarantors liable, or may come too late.
            kept = guarantee_acts(loan, guarantee.type)[0]
            _notice(notices, "guarantee-disputed", deadline=guarantee.period_end, earlier=guarantee.disputed_end,
                    declared=declared_on(loan, policy, issued), guarantors=names, remedy=remedy,
                    **({} if not guarantee.preserved else {"kept": kept, "act": remedy}), **withdrawn)
            if not guarantee.preserved:
                urgent.append(guarantee.disputed_end)  # the guarantor is to be called at once
        if not guarantee.liable and guarantee.preserved == "demand":
            # Kept by a demand, no longer liable: the claim against the guarantor ran out before as_of.
            _watch(notices, urgent, as_of, "guarantee-claim", guarantee.deadline, {"demanded": loan.guarantor_demanded})
        elif not guarantee.liable:
            # Counted from the declaration or from maturity, the period has ended with nothing done in it.
            _notice(notices, "guarantee-expired", deadline=guarantee.period_end, reason=guarantee.reason,
                    guarantors=names, **withdrawn)
            urgent.append(guarantee.period_end)
        elif guarantee.preserved == "demand":
            if guarantee.deadline <= horizon:
                _watch(notices, urgent, as_of, "guarantee-claim", guarantee.deadline,
                       {"demanded": loan.guarantor_demanded})
        elif not guarantee.preserved:
            if guarantee.later_end is not None and guarantee.disputed_end is None:
                _notice(notices, "guarantee-accelerated", deadline=guarantee.period_end, remedy=remedy,
                        declared=declared_on(loan, policy, issued), months=policy.guarantee_months,
                        later=guarantee.later_end, **withdrawn)
            if guarantee.period_end <= horizon:
                _watch(notices, urgent, as_of, "guarantee", guarantee.period_end,
                       {"remedy": remedy, **near_withdrawn})
            serve_by = (service_deadline(guarantee.period_end, as_of, policy) if guarantee.period_end <= margin_end
                        else None)
            if serve_by is not None and guarantee.needs_demand:
                # The guarantor notice keeps the guarantor liable only if served by then: in person, signed for.
                _notice(notices, "guarantor-demand-serve-by", deadline=serve_by, guarantors=names)
        if (guarantee.liable and guarantee.type == "连带责任保证" and guarantee.preserved != "suit"
                and complaint_may_declare(loan, as_of, policy, issued)):
            # The period the plan shows counts from maturity; one counted from the complaint would end earlier.
            # A guarantor sued in the case (kept by the suit, limitation.suit_keeps) was claimed against in it.
            _notice(notices, "guarantee-complaint-declared", deadline=guarantee.period_end, guarantors=names,
                    filed=loan.litigation_filed or "", flagged=complaint_flag(loan))
    balance_due = balance_notices_due(loan, as_of, policy, issued, guarantee, time_barred=time_barred)
    if balance_due:
        assert guarantee is not None
        window = notice_window(guarantee, as_of)
        assert window is not None
        declared = balance_fell_due(loan, as_of, policy, issued) == "declared"
        _notice(notices, "guarantor-balance-undemanded", guarantors="、".join(balance_due), deadline=window[0],
                declared=(declared_on(loan, policy, issued) or "") if declared else "", disputed=window[1],
                matured="" if declared else loan.maturity)
        if window[0] <= horizon:
            urgent.append(window[0])
    elif guarantee is not None and guarantee.preserved == "demand":
        # Kept by a demand for less: the period to ask the balance that fell due since may have ended unused.
        lapsed = balance_guarantee_lapsed(loan, as_of, policy, issued, guarantee, time_barred=time_barred)
        if lapsed:
            end = guarantee.later_end or guarantee.period_end
            declared = balance_fell_due(loan, as_of, policy, issued) == "declared"
            # Declared: the end counted from the declaration (period_end) is given beside the later one.
            earlier = guarantee.period_end if declared and guarantee.later_end is not None else ""
            _notice(notices, "guarantor-balance-lapsed", guarantors="、".join(name for name, _ in lapsed), deadline=end,
                    declared=(declared_on(loan, policy, issued) or "") if declared else "", earlier=earlier,
                    matured="" if declared else loan.maturity,
                    kept="、".join(sorted({day.isoformat() for _, day in lapsed})))
            urgent.append(end)
    action = _next_action(loan, as_of, policy, issued, guarantee, since)
    chosen, chosen_due = action.action, action.due
    urgent_call = False
    if guarantee_call_due(guarantee, as_of, policy) and chosen != "demand-letter":
        # The guarantee lapses soon: calling on it (or suing, for a general guarantee) comes first.
        urgent_action = "guarantor-demand" if guarantee.needs_demand else "legal-action"
        if urgent_action == "guarantor-demand" and _guarantor_notices_issued(loan, as_of, policy, issued):
            urgent_action = ""
        if urgent_action == "legal-action" and loan.suit_filed:
            urgent_action = ""
        if urgent_action:
            chosen, chosen_due, urgent_call = urgent_action, as_of, True
    # The loan was flagged 宣布提前到期 after this episode's demand letter went out: only a letter
    # of its own declares it (and only once it is out are the guarantors asked for the balance).
    declare = (declaration_pending(loan, as_of, policy, issued) and not time_barred and not loan.in_litigation
               and letter_due_date(loan, as_of, policy) is not None)
    if declare and not urgent_call:
        chosen, chosen_due = "declare-acceleration", as_of  # before routine steps; a lapsing guarantee first
    elif (balance_due and not urgent_call and chosen not in ("demand-letter", "legal-action")
          and not loan.in_litigation):
        # The guarantors were asked for less than the balance now due: ask them for it, within the period.
        chosen, chosen_due = "guarantor-demand", as_of
    if action.overdue:
        _overdue_notices(notices, action.overdue, time_barred)
    open_actions = list(action.open_actions)
    if declare and chosen != "declare-acceleration":
        open_actions.insert(0, "declare-acceleration")
    if chosen not in open_actions:
        open_actions.insert(0, chosen)
    if balance_due and "guarantor-demand" not in open_actions:
        # The demand letter, the suit or a case in court stays the next action: the notice goes beside it
        # (a suit against the borrower alone does not keep a joint guarantor liable, 第六百九十三条第二款).
        open_actions.insert(open_actions.index(chosen) + 1, "guarantor-demand")
    buckets = policy.buckets_of(days)
    # PlanEntry's fields in their order, given by position: 29 keywords matched against as many
    # parameters cost more than the entry's own making.
    return PlanEntry(
        loan.loan_no, loan.borrower, loan.officer, loan.branch, loan.row,
        since, days, buckets[0], buckets[1],  # overdue_since, days_past_due, bucket, seed_bucket
        chosen, chosen_due, open_actions,  # next_action, next_action_due, actions
        period.start, period.deadline,  # limitation_start, limitation_deadline
        None if guarantee is None else guarantee.deadline,  # guarantee_deadline
        [n.code for n in notices],  # warnings
        loan.balance, loan.overdue_principal, loan.overdue_interest,
        list(loan.guarantors), loan.litigation, min(urgent) if urgent else None,  # guarantors, litigation, urgent_date
        period.basis, time_barred, enforcement,  # limitation_basis, time_barred, enforcement_deadline
        guarantee, notices, loan, balance_due,  # guarantee, notices, loan, balance_guarantors
    )


def declared_on(loan: Any, policy: Policy, issued: Container[str]) -> _dt.date | None:
    """Return the date of the letter that declared ``loan`` due early (宣布提前到期), or None: the
    loan is flagged to be declared (``declaration_issued``) and the register (``issued``, an
    ``letters.IssuedKeys``) holds that letter and can date it (``IssuedKeys.issued_on``)."""
    if not declaration_issued(loan, policy, issued):
        return None
    return declared_on_issued(loan, issued)


def declared_on_issued(loan: Any, issued: Container[str]) -> _dt.date | None:
    """Return ``declared_on`` of ``loan`` known to be declared: the date ``issued`` gives its declaring letter."""
    dated = getattr(issued, "issued_on", None)
    return None if dated is None else dated(letter_key(loan, declaring=True))


def loan_guarantee(loan: Any, as_of: _dt.date, policy: Policy, issued: Container[str]) -> Guarantee | None:
    """Return ``limitation.guarantee_status`` of ``loan`` on ``as_of``: its period counted from the
    declaration of early maturity (``declared_on``) when that ends earlier than the one counted from
    maturity and no 保证期间届满日 is agreed (the bank acts by the earlier end)."""
    if not loan.guarantors:
        return None
    agreed = loan.guarantee_period_end
    declared = declared_on(loan, policy, issued) if agreed is None else None
    # The guarantee reads these alone of the loan (its guarantors but that there are some): loans share it.
    kind = loan.guarantee_type
    key = (as_of, kind, agreed, loan.maturity, *guarantee_acts(loan, kind), declared, suit_keeps(loan, kind))
    memo = policy.guarantee_memo
    found = memo.get(key, _UNSET)
    if found is _UNSET:
        found = guarantee_status(loan, as_of, policy.guarantee_months, policy.limitation_years, declared_on=declared)
        if len(memo) < _TIMETABLE_HELD:
            memo[key] = found
    return found


def guarantee_call_due(guarantee: Guarantee | None, as_of: _dt.date, policy: Policy) -> bool:
    """Return True when a live, not yet preserved guarantee lapses inside the warning window, or may
    have lapsed already (``Guarantee.disputed_end``: the end counted from the declaration of early
    maturity has passed): the guarantor must be called on (连带) or the debtor sued (一般) before
    anything routine."""
    return (guarantee is not None and guarantee.liable and not guarantee.preserved
            and (guarantee.disputed_end is not None
                 or guarantee.period_end <= policy.windows(as_of)[0]))


def _order(entry: PlanEntry) -> tuple[Any, ...]:
    if entry.urgent_date is not None:
        return (0, entry.urgent_date.toordinal(), -entry.days_past_due, entry.loan_no)
    return (1, 0, -entry.days_past_due, entry.loan_no)


def dated_after(loan: Any, as_of: _dt.date) -> bool:
    """Return True when ``loan`` carries a date after ``as_of`` that a snapshot on ``as_of`` cannot
    hold (disbursed, fell overdue or was interrupted later): the plan reports it instead of guessing."""
    return (loan.disbursed_on > as_of or (loan.overdue_since is not None and loan.overdue_since > as_of)
            or (loan.last_interruption is not None and loan.last_interruption > as_of))


def build_plan(
    loans: Iterable[Any],
    as_of: _dt.date,
    policy: Policy | None = None,
    *,
    issued: Container[str] = frozenset(),
    branch: str | None = None,
    officer: str | None = None,
    progress: Callable[[int], None] | None = None,
    keep_loans: bool = True,
) -> Plan:
    """Return the collection plan of the loans overdue on ``as_of``, most urgent first.

    ``loans`` are ``docgen.loans.ledger.Loan``s (or objects with the same attributes); ``issued``
    holds the register row keys of letters already issued (``letter_key``); ``branch``
    and ``officer`` keep only that branch's or officer's loans (``InputError`` when no loan has
    it, naming those the loans have); ``progress`` is called with the
    number of loans handled since the last call. Loans with a deadline inside the warning
    window (or passed) come first, soonest deadline first; then the rest by days past due,
    longest first; ties by loan number. Loans dated after ``as_of`` are left out and listed in
    ``Plan.after_as_of``. ``keep_loans=False`` leaves ``PlanEntry.loan`` None: the plan then holds
    what it prints, not the loans (``plan_ledger``).
    """
    policy = policy or load_policy()
    with collector_paused():  # thousands of entries, none in a reference cycle
        return _build_plan((loans,), as_of, policy, issued, branch, officer, progress, keep_loans)


def plan_ledger(
    path: str | os.PathLike[str],
    as_of: _dt.date,
    policy: Policy | None = None,
    *,
    issued: Callable[[], Container[str]] = frozenset,
    branch: str | None = None,
    officer: str | None = None,
    progress: Callable[[int], None] | None = None,
    vocabulary: Vocabulary | None = None,
) -> Plan:
    """Return the collection plan (``build_plan``) of the ledger at ``path``, read a block of rows
    at a time: of its loans only the plan's entries are kept (without their loans).

    ``issued`` returns the register row keys of letters already issued (``letters.issued_keys``);
    ``vocabulary`` reads the ledger (default: the policy's); ``progress`` is called with the
    number of loans read and planned since the last call. Raises ``read_ledger``'s errors
    (``InputError``, ``RowsError`` listing every bad row), then those of ``issued``.
    """
    from docgen.loans.ledger import iter_ledger_blocks

    policy = policy or load_policy()
    blocks = iter_ledger_blocks(path, vocabulary=vocabulary or policy.vocabulary)
    try:
        keys, unreadable = issued(), None
    except DocgenError as exc:  # reported after the ledger's own errors, as when it was read first
        keys, unreadable = frozenset(), exc
    with collector_paused():  # as build_plan
        # A block from the cache makes only the loans the plan needs (lazily): most are current.
        plan = _build_plan(blocks.lazily(), as_of, policy, keys, branch, officer, progress, False)
    if unreadable is not None:
        raise unreadable
    return plan


def _build_plan(blocks: Iterable[Iterable[Any]], as_of: _dt.date, policy: Policy, issued: Container[str],
                branch: str | None, officer: str | None, progress: Callable[[int], None] | None,
                keep_loans: bool) -> Plan:
    """Return ``build_plan`` of the loans of ``blocks``: each an iterable of loans, or a
    ``ledger_cache.CachedBlock`` whose loans are made only for the rows the plan lists."""
    try:
        return _planned(blocks, as_of, policy, issued, branch, officer, progress, keep_loans)
    finally:
        _NOTICES.clear()  # what they are worded from is this plan's: not held for ever
        _OVERDUE_NOTICES.clear()


def _planned(blocks: Iterable[Iterable[Any]], as_of: _dt.date, policy: Policy, issued: Container[str],
             branch: str | None, officer: str | None, progress: Callable[[int], None] | None,
             keep_loans: bool) -> Plan:
    entries = []
    after: list[tuple[str, int]] = []
    pending = 0
    # A name typed with a space at either end means the name (the ledger's cells are stripped).
    branch = branch.strip() if branch is not None else None
    officer = officer.strip() if officer is not None else None
    branches: set[str] = set()  # what the ledger holds, to name when a filter matches nothing
    officers: set[str] = set()
    # A loan the register holds no key of is planned as if it were empty: none of its letters'
    # keys is made only to be looked up in vain.
    held = held_loans(issued)

    def issued_for(loan: Any) -> Container[str]:
        return issued if held is None or loan.loan_no in held else _NOTHING_ISSUED

    for block in blocks:
        if hasattr(block, "column"):
            late, overdue = _block_rows(block, as_of, branch, officer, branches, officers)
            if late:
                numbers, rows = block.column("loan_no"), block.column("row")
                after.extend((numbers[i], rows[i]) for i in late)
            for loan in block.loans(overdue) if overdue else ():
                entry = plan_entry(loan, as_of, policy, issued_for(loan))
                if not keep_loans:
                    entry.loan = None
                entries.append(entry)
            pending += len(block)
            while progress is not None and pending >= 1000:  # as the loans one by one below
                progress(1000)
                pending -= 1000
            continue
        for loan in block:
            if branch is not None:
                branches.add(loan.branch)
            if officer is not None:
                officers.add(loan.officer)
            if (branch is None or loan.branch == branch) and (officer is None or loan.officer == officer):
                if dated_after(loan, as_of):
                    after.append((loan.loan_no, loan.row))
                elif overdue_days(loan, as_of):
                    entry = plan_entry(loan, as_of, policy, issued_for(loan))
                    if not keep_loans:
                        entry.loan = None
                    entries.append(entry)
            pending += 1
            if progress is not None and pending >= 1000:
                progress(pending)
                pending = 0
    if progress is not None and pending:
        progress(pending)
    # A branch or officer no loan has is a typing error, not a branch with nothing overdue: an
    # empty plan would tell a collector there is no work.
    for which, wanted, held in (("branch", branch, branches), ("officer", officer, officers)):
        if wanted is not None and wanted not in held:
            known = sorted(name for name in held if name)
            raise MESSAGES.error(InputError, "plan-filter-unknown", which=which, value=wanted,
                                 known=known[:_KNOWN_NAMES], count=len(known), more=len(known) > _KNOWN_NAMES)
    entries.sort(key=_order)
    return Plan(as_of=as_of, policy=policy, entries=entries, after_as_of=after)


#: What a loan the register holds no key of is planned with (``held_loans``).
_NOTHING_ISSUED: frozenset[str] = frozenset()


def held_loans(issued: Container[str]) -> frozenset[str] | None:
    """Return the loan numbers the keys ``issued`` may hold can begin with, or None when ``issued``
    cannot tell (a container that is not a set: any loan may have a key in it).

    A key of a loan begins with its number and a ``:`` (``letter_key``): a loan whose number is not
    returned has no key in ``issued``, and is planned as with an empty register. As a loan number
    may itself hold a ``:``, every beginning of a key up to one of its ``:`` is returned. An
    ``issued`` that reads some keys into others (``letters.IssuedKeys``) says which by its own
    ``loan_numbers()``."""
    numbers = getattr(issued, "loan_numbers", None)
    if numbers is not None:
        return numbers()
    if type(issued) is frozenset or type(issued) is set:
        return key_beginnings(issued)
    return None


def key_beginnings(keys: Iterable[str]) -> frozenset[str]:
    """Return every beginning of each of ``keys`` that ends before one of its ``:`` (a key's loan
    number is one of them: ``held_loans``); a key that is not text begins nothing."""
    found: set[str] = set()
    for key in keys:
        if isinstance(key, str):
            at = key.find(":")
            while at >= 0:
                found.add(key[:at])
                at = key.find(":", at + 1)
    return frozenset(found)


def _block_rows(block: Any, as_of: _dt.date, branch: str | None, officer: str | None, branches: set[str],
                officers: set[str]) -> tuple[list[int], list[int]]:
    """Return the positions in ``block`` (a ``ledger_cache.CachedBlock``) of the loans the filters
    keep that are dated after ``as_of`` (``dated_after``) and of those overdue on it
    (``overdue_days``), read from the block's columns without making its loans; the branches and
    officers of every loan are added to ``branches`` and ``officers`` while they filter."""
    kept: Iterable[int] = range(len(block))
    for wanted, name, held in ((branch, "branch", branches), (officer, "officer", officers)):
        if wanted is not None:
            values = block.column(name)
            held.update(values)
            kept = [i for i in kept if values[i] == wanted]
    disbursed, since = block.column("disbursed_on"), block.column("overdue_since")
    interrupted = block.column("last_interruption")
    late = [i for i in kept if disbursed[i] > as_of or (since[i] is not None and since[i] > as_of)
            or (interrupted[i] is not None and interrupted[i] > as_of)]
    dated = set(late)
    overdue = [i for i in past_due_rows(block, as_of)[0] if i not in dated]
    if kept.__class__ is not range:  # a branch or officer filter
        chosen = set(kept)
        overdue = [i for i in overdue if i in chosen]
    return late, overdue


#: Branches or officers a refused filter names (a ledger of a whole county has hundreds of officers).
_KNOWN_NAMES = 30
