"""The figures of the periodic NPL report (篇十二; DESIGN §8), computed from ledger snapshots.

``compute_figures(closing, opening, period=..., as_of=..., targets=...)`` returns ``NplFigures``:
on- and off-balance NPL balances, change since the period start, NPL ratio, target completions,
large NPLs with their officer, litigation cases, breakdowns by officer / branch / category, the
five-category migration between the two snapshots and the classification flags (``Flag``, DESIGN
§8.1). ``NplFigures.to_dict()`` is the stable ``--format json`` shape.
``NplTally`` computes the same as a ledger's blocks of loans come (``docgen.loans.ledger.iter_ledger_blocks``),
keeping of the loans only what the report lists; ``summarize_opening`` reduces the opening snapshot
to what the figures need of it.

Definitions (DESIGN §8): NPL = 次级 + 可疑 + 损失; NPL ratio = on-balance NPL / on-balance loans;
reduction completion = (opening − closing on-balance NPL) / reduction target; recovery completion
= off-balance recovered / recovery target. Every 表外 (written-off) loan counts as off-balance NPL.
Ratios are fractions rounded half-up to four places; amounts are ``Decimal`` yuan until JSON.
"""
from __future__ import annotations

import datetime as _dt
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from itertools import compress, repeat
from operator import and_, attrgetter, eq, ge, not_, or_
from typing import Any, NamedTuple

from dateutil.relativedelta import relativedelta

from docgen.core import cnformat
from docgen.core.datafile import read_mapping
from docgen.core.errors import InputError, InvalidValueError
from docgen.loans.ledger import CLASSIFICATIONS, NPL_CLASSES, Loan, is_resident_id, not_resident_ids
from docgen.loans.messages import MESSAGES, PERIOD_WORDS, flag_sentence
from docgen.loans.plan import limitation_period, overdue_days, overdue_start, past_due_rows, registered_late
from docgen.loans.vocabulary import PENDING_STATES
from docgen.core.validation import validate
from docgen.core.values import PERIOD_LABEL, period_label

DEFAULT_LARGE_NPL_THRESHOLD = Decimal(100000)

# Days past due beyond which a loan must be at least this class (2023 risk-classification
# measures for financial assets): > 90 次级, > 270 可疑, > 360 损失. Checked worst first.
_NORMAL, _SPECIAL_MENTION, _SUBSTANDARD, _DOUBTFUL, _LOSS = CLASSIFICATIONS
OVERDUE_FLOORS: tuple[tuple[int, str], ...] = ((360, _LOSS), (270, _DOUBTFUL), (90, _SUBSTANDARD))

NEW_STATE = MESSAGES.text("migration/new")
"""Migration row of loans absent from the opening snapshot."""
PAID_STATE = MESSAGES.text("migration/paid")
"""Migration column of loans absent from the closing snapshot (repaid, sold or transferred)."""
OFF_STATE = MESSAGES.text("migration/off")
"""Migration state of a written-off (off-balance) loan, whatever its class."""
MIGRATION_FROM: tuple[str, ...] = (*CLASSIFICATIONS, OFF_STATE, NEW_STATE)
MIGRATION_TO: tuple[str, ...] = (*CLASSIFICATIONS, OFF_STATE, PAID_STATE)

_RANK = {name: i for i, name in enumerate(CLASSIFICATIONS)}


_FOUR = Decimal("0.0001")


# --------------------------------------------------------------------------- periods


@dataclass(frozen=True)
class Period:
    """A reporting period: its label (``2026Q2``), first and last day, and the words the report uses.

    ``start_word`` (季初), ``task_word`` (季度任务) and ``span_word`` (本季) fill the seed's sentence;
    ``name`` is the period as a Chinese document names it: 2026年第二季度, 2026年上半年, 2026年度,
    2026年6月 (the label's ``2026Q2`` or ``2026-06`` would break the report's one date style).
    """

    label: str
    start: _dt.date
    end: _dt.date
    start_word: str
    task_word: str
    span_word: str
    name: str


def _month_end(year: int, month: int) -> _dt.date:
    # day=31 is clamped to the month's last day.
    return _dt.date(year, month, 1) + relativedelta(day=31)


def parse_period(text: str) -> Period:
    """Parse ``2026Q2``, ``2026H1``, ``2026`` or ``2026-06`` into a ``Period`` labelled so, as
    ``period_label`` writes them (``2026q2`` is ``2026Q2``, ``2026-6`` is ``2026-06``).

    Raises ``InvalidValueError`` (a ``ValueError``, coded ``period-unknown``) for anything else.
    """
    value = period_label(str(text))
    if not PERIOD_LABEL.fullmatch(value):
        raise MESSAGES.error(InvalidValueError, "period-unknown", text=text)
    # The label's form is known: a year, then Q and a quarter, H and a half, - and a month, or nothing.
    year, kind, number = int(value[:4]), value[4:5], int(value[5:] or 0)
    if kind == "Q":
        return Period(value, _dt.date(year, 3 * number - 2, 1), _month_end(year, 3 * number),
                      *PERIOD_WORDS["quarter"], MESSAGES.text(f"period-name/Q{number}", {"year": year}))
    if kind == "H":
        return Period(value, _dt.date(year, 6 * number - 5, 1), _month_end(year, 6 * number), *PERIOD_WORDS["half"],
                      MESSAGES.text(f"period-name/H{number}", {"year": year}))
    if kind == "-":
        return Period(value, _dt.date(year, number, 1), _month_end(year, number), *PERIOD_WORDS["month"],
                      MESSAGES.text("period-name/month", {"year": year, "month": number}))
    return Period(value, _dt.date(year, 1, 1), _dt.date(year, 12, 31), *PERIOD_WORDS["year"],
                  MESSAGES.text("period-name/year", {"year": year}))


# --------------------------------------------------------------------------- targets

TARGETS_SCHEMA: dict[str, Any] = {
    "reduction_target": {"type": "amount", "coerce": "to_amount", "nullable": True, "min": Decimal(0)},
    "recovery_target": {"type": "amount", "coerce": "to_amount", "nullable": True, "min": Decimal(0)},
    "large_npl_threshold": {"type": "amount", "coerce": "to_amount", "nullable": True, "min": Decimal(0)},
}


@dataclass(frozen=True)
class Targets:
    """The period's targets in yuan; None when not set (completion is then not computed)."""

    reduction_target: Decimal | None = None
    recovery_target: Decimal | None = None
    large_npl_threshold: Decimal = DEFAULT_LARGE_NPL_THRESHOLD


def targets_from_mapping(data: Any, source: str = "targets") -> Targets:
    """Validate a targets mapping (cerberus) and return ``Targets``.

    Raises ``InputError`` naming ``source`` and every bad key (unknown keys included: a typo
    must not silently drop a target).
    """
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise MESSAGES.error(InputError, "targets-not-mapping", source=source)
    normalized, problems = validate(TARGETS_SCHEMA, data)
    if problems:
        from docgen.check.messages import problem_in_english

        raise MESSAGES.error(InputError, "targets-invalid", source=source,
                             problems=[(p.path, p.message, problem_in_english(p)) for p in problems])
    for key in ("reduction_target", "recovery_target"):
        if normalized.get(key) == 0:
            raise MESSAGES.error(InputError, "targets-zero", source=source, key=key)
    threshold = normalized.get("large_npl_threshold")
    return Targets(
        reduction_target=normalized.get("reduction_target"),
        recovery_target=normalized.get("recovery_target"),
        large_npl_threshold=DEFAULT_LARGE_NPL_THRESHOLD if threshold is None else threshold,
    )


def load_targets(path: str | os.PathLike[str]) -> Targets:
    """Read and validate a targets YAML file. Raises ``InputError`` (exit 2) naming the file."""
    data = read_mapping(path, what=MESSAGES.text("file/targets"), what_en=MESSAGES.text("file/targets", lang="en"),
                        hint=MESSAGES.text("file/targets-hint"), hint_en=MESSAGES.text("file/targets-hint", lang="en"),
                        allow_empty=True)
    return targets_from_mapping(data, str(path))


# --------------------------------------------------------------------------- checks


def required_class(days: int) -> str | None:
    """Return the best class a loan ``days`` past due may have (None: no floor applies)."""
    for limit, name in OVERDUE_FLOORS:
        if days > limit:
            return name
    return None


@dataclass(frozen=True)
class Flag:
    """A classification problem of one on-balance loan: a stable ``code`` and its facts.

    Codes (DESIGN §8.1): ``misclassified``, ``overdue-normal``, ``matured-unpaid``,
    ``debtor-inconsistent``; ``required`` is the class the loan should at least have.
    """

    loan_no: str
    code: str
    row: int = 0
    borrower: str = ""
    officer: str = ""
    days_past_due: int = 0
    classification: str = ""
    required: str = ""
    facts: tuple[tuple[str, Any], ...] = ()

    @property
    def message(self) -> str:
        """The Chinese sentence of this flag (``docgen.loans.messages.flag_sentence``)."""
        return flag_sentence(self.code, dict(self.facts))

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form ``{"loan_no", "code", "message", "required", "facts"}``."""
        return {"loan_no": self.loan_no, "code": self.code, "message": self.message,
                "required": self.required, "facts": dict(self.facts)}


def _flag(loan: Loan | _Flagged, code: str, as_of: _dt.date, days: int, required: str, **extra: Any) -> Flag:
    facts = {"loan_no": loan.loan_no, "borrower": loan.borrower, "row": loan.row, "as_of": as_of.isoformat(),
             "days": days, "classification": loan.classification, "required": required, **extra}
    return Flag(loan.loan_no, code, row=loan.row, borrower=loan.borrower, officer=loan.officer,
                days_past_due=days, classification=loan.classification, required=required,
                facts=tuple(facts.items()))


class _Flagged(NamedTuple):
    """What the flags and the corrected NPL balance need of an on-balance loan kept for them."""

    loan_no: str
    borrower: str
    row: int
    officer: str
    classification: str
    id_number: str
    days: int
    balance: Decimal


class _FlagFinder:
    """The classification flags of the on-balance loans (DESIGN §8.1), fed one loan at a time with
    its days past due; ``flags`` gives them in ledger order:

    - ``misclassified``: overdue > 90 / 270 / 360 days and classed better than 次级 / 可疑 / 损失;
    - ``overdue-normal``: overdue more than ``grace_days`` and still 正常 (at least 关注);
    - ``matured-unpaid``: past maturity with a balance and no 逾期起始日, or one after the day after
      maturity (overdue from the day after maturity, which also feeds the first two checks);
    - ``debtor-inconsistent``: one non-retail debtor (one USCC) with loans in different classes; the
      loans classed better than the debtor's worst are flagged.

    Written-off (表外) loans are not classified on the balance sheet and are never given to it.
    A loan's own checks run as it comes; a debtor's mixed classes are known only at the end, so each
    non-retail loan is kept as a ``_Flagged`` until then, and every other loan only when flagged."""

    def __init__(self, as_of: _dt.date, grace_days: int) -> None:
        self.as_of = as_of
        self.grace_days = grace_days
        # A loan not past due can only be flagged for its debtor's other loans (when no grace is negative).
        self.quiet = grace_days >= 0
        self._worst: dict[str, int] = {}
        self._classes: dict[str, set[str]] = {}
        self._kept: list[tuple[_Flagged, list[Flag]]] = []

    def add(self, loan: Loan, days: int) -> None:
        """Check on-balance ``loan``, ``days`` past due."""
        # A non-retail debtor is identified by its 统一社会信用代码; individuals by a resident ID.
        non_retail = not is_resident_id(loan.id_number)
        if non_retail and loan.balance > 0:
            rank = _RANK[loan.classification]
            if rank > self._worst.get(loan.id_number, 0):
                self._worst[loan.id_number] = rank
            self._classes.setdefault(loan.id_number, set()).add(loan.classification)
        own = self._own_flags(loan, days) if days or not self.quiet else []
        if own or non_retail:
            self._kept.append((_Flagged(loan.loan_no, loan.borrower, loan.row, loan.officer, loan.classification,
                                        loan.id_number, days, loan.balance), own))

    def _own_flags(self, loan: Loan, days: int) -> list[Flag]:
        as_of = self.as_of
        flags: list[Flag] = []
        if days > 0 and registered_late(loan):
            since = overdue_start(loan)
            assert since is not None  # registered late: a balance was left at maturity
            recorded = loan.overdue_since
            flags.append(_flag(loan, "matured-unpaid", as_of, days, "",
                               maturity=loan.maturity.isoformat(), balance=f"{loan.balance:,.2f}",
                               overdue_since=since.isoformat(), recorded=recorded.isoformat() if recorded else ""))
        floor = required_class(days)
        if floor is not None and _RANK[loan.classification] < _RANK[floor]:
            flags.append(_flag(loan, "misclassified", as_of, days, floor))
        elif days > self.grace_days and loan.classification == _NORMAL:
            flags.append(_flag(loan, "overdue-normal", as_of, days, _SPECIAL_MENTION))
        return flags

    def flags(self) -> tuple[list[Flag], list[_Flagged]]:
        """Return the flags in ledger order and the loans they flag."""
        mixed = {id_number for id_number, classes in self._classes.items() if len(classes) > 1}
        worst = self._worst
        flags: list[Flag] = []
        flagged: list[_Flagged] = []
        for loan, own in self._kept:
            if loan.id_number in mixed and _RANK[loan.classification] < worst[loan.id_number]:
                own = [*own, _flag(loan, "debtor-inconsistent", self.as_of, loan.days,
                                   CLASSIFICATIONS[worst[loan.id_number]], id_number=loan.id_number)]
            if own:
                flags.extend(own)
                flagged.append(loan)
        return flags, flagged


def corrected_classes(loans: Iterable[Loan | _Flagged], flags: Iterable[Flag]) -> dict[str, str]:
    """Return ``loan_no -> class`` for the loans the flags correct: the worst class any flag requires."""
    corrected: dict[str, str] = {}
    classes = {loan.loan_no: loan.classification for loan in loans}
    for flag in flags:
        if not flag.required:
            continue
        current = corrected.get(flag.loan_no, classes.get(flag.loan_no, flag.classification))
        if _RANK[flag.required] > _RANK[current]:
            corrected[flag.loan_no] = flag.required
    return corrected


# --------------------------------------------------------------------------- figures


def ratio(numerator: Decimal | None, denominator: Decimal | None) -> Decimal | None:
    """Return ``numerator / denominator`` rounded half-up to four places, None if undefined."""
    if numerator is None or denominator is None or denominator == 0:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(_FOUR, rounding=ROUND_HALF_UP)


def _change(closing: Decimal, opening: Decimal | None) -> Decimal | None:
    return None if opening is None else closing - opening


def _ratio_figure(numerator: str, denominator: str, doc: str) -> property:
    """Return a read-only figure: ``ratio`` of two attributes (dotted names reach into ``targets``)."""
    num, den = attrgetter(numerator), attrgetter(denominator)
    return property(lambda figures: ratio(num(figures), den(figures)), doc=doc)


def _change_figure(closing: str, opening: str, doc: str) -> property:
    """Return a read-only figure: ``closing - opening``, None when the opening one is unknown."""
    end, start = attrgetter(closing), attrgetter(opening)
    return property(lambda figures: _change(end(figures), start(figures)), doc=doc)


def _f(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


@dataclass
class Group:
    """Totals of one officer, branch or category: loans, balances and recoveries (yuan)."""

    name: str
    loans: int = 0
    balance: Decimal = Decimal(0)
    npl_balance: Decimal = Decimal(0)
    off_balance: Decimal = Decimal(0)
    recovered: Decimal = Decimal(0)

    def add_total(self, classification: str, on_balance: bool, loans: int, recovered: Decimal,
                  balance: Decimal) -> None:
        """Count ``loans`` loans of one class and side of the balance sheet, with their summed
        ``recovered`` and ``balance``."""
        self.loans += loans
        self.recovered += recovered
        if on_balance:
            self.balance += balance
            if classification in NPL_CLASSES:
                self.npl_balance += balance
        else:
            self.off_balance += balance

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "loans": self.loans, "balance": float(self.balance),
                "npl_balance": float(self.npl_balance), "off_balance": float(self.off_balance),
                "recovered": float(self.recovered)}


@dataclass
class Migration:
    """Five-category migration from the opening to the closing snapshot, matched by ``loan_no``.

    ``counts[from][to]`` and ``amounts[from][to]`` (yuan: the opening balance, or the closing
    balance for new loans). States are the five classes plus 表外; rows add 新发放, columns 结清.
    """

    counts: dict[str, dict[str, int]]
    amounts: dict[str, dict[str, Decimal]]

    def to_dict(self) -> dict[str, Any]:
        return {
            "from": list(MIGRATION_FROM), "to": list(MIGRATION_TO),
            "counts": {a: dict(row) for a, row in self.counts.items()},
            "amounts": {a: {b: float(v) for b, v in row.items()} for a, row in self.amounts.items()},
        }


def _states_of(classification: list[str], on_balance: list[bool]) -> list[str]:
    """Return the migration state of each loan of a block given as its columns: its class on the
    balance sheet, ``OFF_STATE`` off it (the column of classes itself when every loan is on it)."""
    if all(on_balance):
        return classification
    states = list(classification)
    for at in compress(range(len(states)), map(not_, on_balance)):
        states[at] = OFF_STATE
    return states


def _migration(opening: Iterable[tuple[str, str, Decimal | str]], closing: dict[str, dict[str, Decimal]]) -> Migration:
    """Return the migration from the opening ``(loan_no, state, balance)``s to the closing balances
    by state and 借据号 (``closing``, emptied of the loans matched: what is left was newly disbursed)."""
    counts = {a: {b: 0 for b in MIGRATION_TO} for a in MIGRATION_FROM}
    amounts = {a: {b: Decimal(0) for b in MIGRATION_TO} for a in MIGRATION_FROM}
    # The most common closing state is asked first (one dict per state: no pair per loan is kept).
    pops = [(state, by_no.pop) for state, by_no in sorted(closing.items(), key=lambda item: -len(item[1]))]
    for loan_no, source, balance in opening:
        target = PAID_STATE
        for state, pop in pops:
            if pop(loan_no, None) is not None:
                target = state
                break
        counts[source][target] += 1
        amounts[source][target] += Decimal(balance)
    new_counts, new_amounts = counts[NEW_STATE], amounts[NEW_STATE]
    for target, by_no in closing.items():
        new_counts[target] += len(by_no)
        new_amounts[target] += sum(by_no.values(), Decimal(0))
    return Migration(counts, amounts)


@dataclass
class NplFigures:
    """Everything the NPL report states; ``to_dict()`` is the ``--format json`` shape (DESIGN §8)."""

    period: Period
    as_of: _dt.date
    targets: Targets
    has_opening: bool
    npl_balance: Decimal
    npl_balance_opening: Decimal | None
    loan_balance: Decimal
    off_balance: Decimal
    off_recovered: Decimal
    by_category: dict[str, Decimal]
    large_npls: list[ListedLoan]
    litigation: list[ListedLoan]
    officers: list[Group]
    branches: list[Group]
    categories: list[Group]
    migration: Migration | None
    flags: list[Flag]
    loans: int = 0
    npl_balance_corrected: Decimal = Decimal(0)
    overdue_balance: Decimal = Decimal(0)
    overdue_balance_opening: Decimal | None = None
    overdue90_balance: Decimal = Decimal(0)
    to_sue: list[ListedLoan] = field(default_factory=list)

    # The ratios and changes the report states, each declared by what it divides or subtracts.
    npl_ratio = _ratio_figure("npl_balance", "loan_balance", "On-balance NPL / on-balance loans.")
    npl_ratio_corrected = _ratio_figure("npl_balance_corrected", "loan_balance",
                                        "On-balance NPL after the classification flags' corrections / on-balance loans.")
    deviation = _ratio_figure("overdue90_balance", "npl_balance",
                              "The deviation: on-balance loans overdue more than 90 days / on-balance NPL "
                              "(above 1: under-classified).")
    recovery_completion = _ratio_figure("off_recovered", "targets.recovery_target",
                                        "Off-balance recoveries / the recovery target; None without a target.")
    change = _change_figure("npl_balance", "npl_balance_opening",
                            "Closing minus opening on-balance NPL (negative: it went down); None without opening.")
    overdue_change = _change_figure("overdue_balance", "overdue_balance_opening",
                                    "Overdue-loan balance now minus at the period start; None without the opening "
                                    "snapshot.")

    @property
    def reduction_completion(self) -> Decimal | None:
        """The fall in on-balance NPL / the reduction target; None without opening or target."""
        change = self.change
        return None if change is None else ratio(-change, self.targets.reduction_target)

    @property
    def litigation_recovered(self) -> Decimal:
        return sum((loan.recovered for loan in self.litigation), Decimal(0))

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON figures: amounts as yuan floats, ratios as 4-place fractions, ISO dates."""
        return {
            "period": self.period.label,
            "period_start": self.period.start.isoformat(),
            "period_end": self.period.end.isoformat(),
            "as_of": self.as_of.isoformat(),
            "loans": self.loans,
            "on_balance": {
                "npl_balance": float(self.npl_balance),
                "npl_balance_opening": _f(self.npl_balance_opening),
                "change": _f(self.change),
                "loan_balance": float(self.loan_balance),
                "npl_ratio": _f(self.npl_ratio),
                "reduction_target": _f(self.targets.reduction_target),
                "reduction_completion": _f(self.reduction_completion),
                "npl_balance_corrected": float(self.npl_balance_corrected),
                "npl_ratio_corrected": _f(self.npl_ratio_corrected),
                "overdue_balance": float(self.overdue_balance),
                "overdue_balance_opening": _f(self.overdue_balance_opening),
                "overdue_change": _f(self.overdue_change),
                "overdue90_balance": float(self.overdue90_balance),
                "deviation": _f(self.deviation),
            },
            "off_balance": {
                "npl_balance": float(self.off_balance),
                "recovered": float(self.off_recovered),
                "recovery_target": _f(self.targets.recovery_target),
                "recovery_completion": _f(self.recovery_completion),
            },
            "large_npl_threshold": float(self.targets.large_npl_threshold),
            "large_npls": [
                {"loan_no": loan.loan_no, "borrower": loan.borrower, "balance": float(loan.balance),
                 "officer": loan.officer, "classification": loan.classification,
                 "on_balance": loan.on_balance, "leader": loan.leader or None}
                for loan in self.large_npls
            ],
            "by_category": {name: float(value) for name, value in self.by_category.items()},
            "litigation": {
                "cases": len(self.litigation),
                "recovered": float(self.litigation_recovered),
                "loans": [
                    {"loan_no": loan.loan_no, "borrower": loan.borrower, "officer": loan.officer,
                     "status": loan.litigation, "balance": float(loan.balance),
                     "recovered": float(loan.recovered), "on_balance": loan.on_balance}
                    for loan in self.litigation
                ],
            },
            "breakdowns": {
                "officer": [g.to_dict() for g in self.officers],
                "branch": [g.to_dict() for g in self.branches],
                "category": [g.to_dict() for g in self.categories],
            },
            "migration": None if self.migration is None else self.migration.to_dict(),
            "flags": [flag.to_dict() for flag in self.flags],
            "to_sue": [
                {"loan_no": loan.loan_no, "borrower": loan.borrower, "balance": float(loan.balance),
                 "officer": loan.officer, "days_past_due": overdue_days(loan, self.as_of),
                 "litigation": loan.litigation, "on_balance": loan.on_balance}
                for loan in self.to_sue
            ],
        }


# Loans summed by (officer, branch, class, on balance, past due: 0 no, 1 up to 90 days, 2 more).
_Totals = dict[tuple[str, str, str, bool, int], list[Any]]


def _groups(totals: _Totals, position: int) -> list[Group]:
    """Return the groups of key part ``position`` of ``totals`` (0 officer, 1 branch)."""
    groups: dict[str, Group] = {}
    for key, (count, recovered, balance) in totals.items():
        name = key[position]
        group = groups.get(name)
        if group is None:
            group = groups[name] = Group(name)
        group.add_total(key[2], key[3], count, recovered, balance)
    # Largest problem first: that is what head office reads the table for.
    return sorted(groups.values(), key=lambda g: (-(g.npl_balance + g.off_balance), g.name))


class ListedLoan(NamedTuple):
    """A loan the report names (a large NPL, a case in litigation, a loan to sue): what its lists
    print of it, kept instead of the whole ``Loan``."""

    loan_no: str
    borrower: str
    officer: str
    classification: str
    on_balance: bool
    balance: Decimal
    recovered: Decimal
    litigation: str
    leader: str
    overdue_since: _dt.date | None
    maturity: _dt.date
    limitation_deadline: _dt.date | None = None
    """The limitation period's last day, for a loan proposed for suit (``to_sue``) only."""


def _listed(loan: Loan) -> ListedLoan:
    return ListedLoan(loan.loan_no, loan.borrower, loan.officer, loan.classification, loan.on_balance, loan.balance,
                      loan.recovered, loan.litigation, loan.leader, loan.overdue_since, loan.maturity)


class OpeningSummary(NamedTuple):
    """What the figures need of the opening snapshot: its on-balance NPL and overdue balances at the
    period start, and, loan by loan in three columns, each 借据号, migration state and balance as
    text (``rows``) for the migration."""

    npl_balance: Decimal
    overdue_balance: Decimal
    loan_nos: list[str] | str
    states: list[str] | str
    balances: list[str] | str

    def rows(self) -> Iterator[tuple[str, str, str]]:
        """Yield each opening loan's ``(loan_no, migration state, balance as text)``."""
        return zip(*map(_unjoined, (self.loan_nos, self.states, self.balances)))

    def packed(self) -> OpeningSummary:
        """Return the summary with each column joined into one text where it can be (none of its
        values holds a line break): sent to another process, one string pickles in a fraction of
        the time of 100,000 (0.07 s -> 0.005 s). ``rows`` reads either form."""
        return self._replace(loan_nos=_joined(self.loan_nos), states=_joined(self.states),
                             balances=_joined(self.balances))


def _joined(texts: list[str] | str) -> list[str] | str:
    if isinstance(texts, str):
        return texts
    text = "\n".join(texts)
    # One more value than line breaks: no value held one (else the column travels as a list).
    return text if texts and text.count("\n") == len(texts) - 1 else texts


def _unjoined(texts: list[str] | str) -> list[str]:
    return texts.split("\n") if isinstance(texts, str) else texts


def summarize_opening(blocks: Iterable[Sequence[Loan] | Any], period: Period) -> OpeningSummary:
    """Return the ``OpeningSummary`` of the opening snapshot given as its ``blocks`` of loans (a
    ledger's, lists of loans or ``ledger_cache.CachedBlock``s, whose loans are not made), taken a
    block at a time: nothing else of them is kept."""
    start = period.start - _dt.timedelta(days=1)
    npl = overdue = Decimal(0)
    loan_nos: list[str] = []
    states: list[str] = []
    balances: list[str] = []
    for loans in blocks:
        block = _columns(loans)
        classification, on, balance = block.column("classification"), block.column("on_balance"), block.column("balance")
        loan_nos += block.column("loan_no")
        states += _states_of(classification, on)
        balances += map(str, balance)
        # Summed in ledger order, from the running total on: the same Decimal as one loan at a time.
        npl = sum(compress(balance, map(and_, on, map(NPL_CLASSES.__contains__, classification))), npl)
        late, _ = past_due_rows(block, start)
        overdue = sum((balance[at] for at in late if on[at]), overdue)
    return OpeningSummary(npl, overdue, loan_nos, states, balances)


class _Loans:
    """A list of loans read as a ``ledger_cache.CachedBlock`` is: a field at a time (``column``)
    and the loans of some positions (``loans``)."""

    __slots__ = ("_loans",)

    def __init__(self, loans: Sequence[Loan]) -> None:
        self._loans = loans

    def __len__(self) -> int:
        return len(self._loans)

    def column(self, name: str) -> list[Any]:
        return list(map(attrgetter(name), self._loans))

    def loans(self, rows: Sequence[int]) -> list[Loan]:
        return list(map(self._loans.__getitem__, rows))


def _columns(loans: Iterable[Loan] | Any) -> Any:
    """Return ``loans`` read a field at a time: a ``CachedBlock`` as it is, loans as ``_Loans``."""
    if hasattr(loans, "column"):
        return loans
    return _Loans(loans if isinstance(loans, Sequence) else list(loans))


class NplTally:
    """The closing snapshot's figures, summed as its loans come (``add``, a block at a time), so a
    ledger's loans need not all be held: every total is summed by (officer, branch, class, side,
    past-due band); of the loans themselves only those the report lists are kept (``ListedLoan``),
    with what the classification flags need of the on-balance ones that may be flagged and, for the
    migration (``migration=True``), each loan's state and balance by 借据号.

    ``as_of`` counts days past due; ``targets`` gives the large-NPL threshold; ``policy``
    (``docgen.loans.plan.Policy``, default the shipped one) the grace of the ``overdue-normal`` check
    and the timetable that says when legal action is due.
    """

    def __init__(self, as_of: _dt.date, *, targets: Targets | None = None, policy: Any = None,
                 migration: bool = False) -> None:
        from docgen.loans.plan import load_policy

        self.as_of = as_of
        self.targets = targets or Targets()
        self.policy = policy or load_policy()
        self.loans = 0
        # Legal action is open only from its step's first day: loans overdue less are never to sue.
        self._sue_from = min((step.first for step in self.policy.timetable if step.action == "legal-action"),
                             default=None)
        self._totals: _Totals = {}
        self._large: list[ListedLoan] = []
        self._litigation: list[ListedLoan] = []
        self._to_sue: list[ListedLoan] = []
        self._flags = _FlagFinder(as_of, self.policy.overdue_normal_grace_days)
        # For the migration: the closing balances by state and 借据号.
        self._states: dict[str, dict[str, Decimal]] | None = {} if migration else None
        self._figured = False  # ``figures`` was called: the migration took the closing states

    def add(self, loans: Iterable[Loan] | Any) -> None:
        """Count the closing snapshot's ``loans`` (the next ones in ledger order: loans, or a
        ``ledger_cache.CachedBlock`` whose loans are made only where the report lists them or
        their classification may be flagged) in the figures. Raises ``RuntimeError`` once
        ``figures`` was called."""
        if self._figured:
            raise MESSAGES.fault(RuntimeError, "tally-figured")
        from docgen.loans.plan import next_action

        block = _columns(loans)
        count = len(block)
        if not count:
            return
        as_of, policy, threshold, sue_from = self.as_of, self.policy, self.targets.large_npl_threshold, self._sue_from
        totals, flags, states = self._totals, self._flags, self._states
        column = block.column
        balance, on, classification = column("balance"), column("on_balance"), column("classification")
        late, late_days = past_due_rows(block, as_of)
        days = [0] * count
        bands = [0] * count
        for at, number in zip(late, late_days):
            days[at] = number
            bands[at] = 1 if number <= 90 else 2
        keys = zip(column("officer"), column("branch"), classification, on, bands)
        for key, recovered, amount in zip(keys, column("recovered"), balance):
            total = totals.get(key)
            if total is None:
                total = totals[key] = [0, Decimal(0), Decimal(0)]
            total[0] += 1
            total[1] += recovered
            total[2] += amount
        # The loans made: those a flag may name (on the balance sheet, past due or a non-retail
        # debtor's: ``_FlagFinder.add`` passes over any other), the large ones, those in litigation and
        # those legal action may be open for.
        if flags.quiet:
            ids = column("id_number")
            others = not_resident_ids(ids)
            checked = set(late)
            if others:
                checked.update(compress(range(count), map(others.__contains__, ids)))
            checked = {at for at in checked if on[at]}
        else:
            checked = set(compress(range(count), on))
        # Large NPLs: off the balance sheet or classed an NPL, at or above the threshold (most loans of
        # a development-loan ledger are, so the class and side are looked at first, a column at a time).
        npl_side = map(or_, map(not_, on), map(NPL_CLASSES.__contains__, classification))
        large = set(compress(range(count), map(and_, npl_side, map(ge, balance, repeat(threshold)))))
        pending = set(compress(range(count), map(PENDING_STATES.__contains__, column("litigation"))))
        # A timetable's days start at 1 (the policy's schema): a loan not past due is never to sue.
        suable = set() if sue_from is None else {at for at, number in zip(late, late_days) if number >= sue_from}
        needed = sorted(checked | large | pending | suable)
        for at, loan in zip(needed, block.loans(needed)):
            amount = loan.balance
            if at in checked:
                flags.add(loan, days[at])
            if at in large and (not loan.on_balance or loan.classification in NPL_CLASSES) and amount > 0:
                self._large.append(_listed(loan))
            if at in pending:
                self._litigation.append(_listed(loan))
            # Head office files suits: the loans whose timetable has legal action open and no suit yet.
            if (at in suable and amount > 0 and not loan.suit_filed
                    and "legal-action" in next_action(loan, as_of, policy).open_actions):
                # The report says which of them are time-barred: a suit on those meets the
                # debtor's defence (《民法典》第一百九十二条), head office must know before filing.
                deadline = limitation_period(loan, policy.limitation_years).deadline
                self._to_sue.append(_listed(loan)._replace(limitation_deadline=deadline))
        if states is not None:
            state_of = _states_of(classification, on)
            numbers = column("loan_no")
            for state in dict.fromkeys(state_of):  # in the order the states come, as loan by loan
                chosen = list(map(eq, state_of, repeat(state)))
                states.setdefault(state, {}).update(zip(compress(numbers, chosen), compress(balance, chosen)))
        self.loans += count

    def figures(self, period: Period, opening: OpeningSummary | None = None) -> NplFigures:
        """Return the ``NplFigures`` of the loans added, for ``period``, with the opening snapshot's
        summary when there is one (the tally must then have been made with ``migration=True``).
        Once only: the migration takes the closing states away, so a second call raises
        ``RuntimeError`` (a programmer's mistake), as does ``add`` after it."""
        if self._figured:
            raise MESSAGES.fault(RuntimeError, "tally-figured")
        self._figured = True
        totals = self._totals
        npl = loan_balance = off = off_recovered = overdue = overdue90 = Decimal(0)
        by_category = {name: Decimal(0) for name in CLASSIFICATIONS}
        category_groups = {name: Group(name) for name in CLASSIFICATIONS}
        for (_, _, classification, on, band), (count, recovered, balance) in totals.items():
            if on:
                loan_balance += balance
                by_category[classification] += balance
                category_groups[classification].add_total(classification, on, count, recovered, balance)
                if classification in NPL_CLASSES:
                    npl += balance
                if band:
                    overdue += balance
                    if band == 2:
                        overdue90 += balance
            else:
                off += balance
                off_recovered += recovered
        large = sorted(self._large, key=lambda loan: (-loan.balance, loan.loan_no))
        to_sue = sorted(self._to_sue, key=lambda loan: (-loan.balance, loan.loan_no))
        flags, flagged = self._flags.flags()
        corrected = corrected_classes(flagged, flags)
        # Only flagged loans can change class: the NPL balance as corrected is the reported one, adjusted.
        npl_corrected = npl + sum((loan.balance for loan in flagged
                                   if corrected.get(loan.loan_no, loan.classification) in NPL_CLASSES), Decimal(0)) \
            - sum((loan.balance for loan in flagged if loan.classification in NPL_CLASSES), Decimal(0))
        migration = None
        if opening is not None:
            if self._states is None:
                raise MESSAGES.fault(ValueError, "tally-without-migration")
            migration = _migration(opening.rows(), self._states)
        return NplFigures(
            period=period, as_of=self.as_of, targets=self.targets, has_opening=opening is not None,
            npl_balance=npl, npl_balance_opening=None if opening is None else opening.npl_balance,
            loan_balance=loan_balance, off_balance=off, off_recovered=off_recovered, by_category=by_category,
            large_npls=large, litigation=list(self._litigation),
            officers=_groups(totals, 0), branches=_groups(totals, 1),
            categories=[category_groups[name] for name in CLASSIFICATIONS],
            migration=migration, flags=flags, loans=self.loans, npl_balance_corrected=npl_corrected,
            overdue_balance=overdue, overdue_balance_opening=None if opening is None else opening.overdue_balance,
            overdue90_balance=overdue90, to_sue=to_sue,
        )


def compute_figures(
    closing: Iterable[Loan],
    opening: Iterable[Loan] | None = None,
    *,
    period: Period,
    as_of: _dt.date | None = None,
    targets: Targets | None = None,
    policy: Any = None,
) -> NplFigures:
    """Compute the report's figures from the closing snapshot (and the opening one, if given).

    ``as_of`` defaults to the period end; it dates the report and counts days past due (one before
    the period begins raises ``InputError``, ``report_as_of``). Without ``opening`` the opening balance, change, reduction completion and migration are None.
    ``policy`` (``docgen.loans.plan.Policy``, default the shipped one) gives the grace of the
    ``overdue-normal`` check and the timetable that says when legal action is due. ``NplTally``
    computes the same a block of loans at a time.
    """
    tally = NplTally(report_as_of(period, as_of), targets=targets, policy=policy, migration=opening is not None)
    tally.add(closing)
    return tally.figures(period, None if opening is None else summarize_opening([opening], period))


def report_as_of(period: Period, as_of: _dt.date | None) -> _dt.date:
    """Return the day the report of ``period`` counts to: ``as_of``, by default the period's end.

    Raises ``InputError`` (``as-of-before-period``) for a day before the period begins: a report
    of 2026Q2 dated 2026-03-01 would tell head office of a quarter not yet begun (a typing error:
    03 for 06). A day inside the period (an interim report) or after it is taken as given.
    """
    if as_of is None:
        return period.end
    if as_of < period.start:
        raise MESSAGES.error(InputError, "as-of-before-period", as_of=as_of.isoformat(), period=period.label,
                             start=period.start.isoformat(), end=period.end.isoformat())
    return as_of


# --------------------------------------------------------------------------- text


def wan(value: Decimal | None) -> str:
    """Return yuan as 万元 as the seed writes them: two decimals, half-up, no separators.

    ``17272500`` -> ``1727.25``; None -> ``—``.
    """
    return cnformat.wan(value, grouping=False, missing="—")


def pct(value: Decimal | None) -> str:
    """Return a fraction as a percentage with up to two decimals, trailing zeros dropped (0.2 -> ``20``)."""
    if value is None:
        return "—"
    text = f"{(Decimal(value) * 100).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def wan_round(value: Decimal | None) -> str:
    """Return 万元 without a fractional part when there is none: ``100000`` -> ``10``, ``105000`` -> ``10.50``."""
    text = wan(value)
    return text[:-3] if text.endswith(".00") else text


def direction_word(change: Decimal | None) -> str:
    """Return 下降, 上升 or 持平 for a change (negative: down)."""
    return MESSAGES.text("direction/" + ("flat" if not change else ("down" if change < 0 else "up")))


TEXT_LARGE_NPLS = 20
"""Large NPLs listed in the text summary (the JSON and the Word report list them all)."""


def render_text(figures: NplFigures) -> str:
    """Return the figures as the plain-text summary the CLI prints (Chinese, amounts in 万元).

    Each line is a ``npl-text/…`` sentence of the loans table, filled with figures formatted here.
    """
    f = figures
    p = f.period
    words = {"start_word": p.start_word, "span_word": p.span_word}
    lines: list[str] = []

    def line(code: str, **facts: Any) -> None:
        lines.append(MESSAGES.text("npl-text/" + code, {**words, **facts}))

    def listed(loans: list[Loan], code: str, more: str, **facts: Callable[[Loan], Any]) -> None:
        for loan in loans[:TEXT_LARGE_NPLS]:
            line(code, loan_no=loan.loan_no, borrower=loan.borrower, balance=wan(loan.balance),
                 off_balance=not loan.on_balance, officer=loan.officer,
                 **{name: fact(loan) for name, fact in facts.items()})
        if len(loans) > TEXT_LARGE_NPLS:
            line(more, count=len(loans) - TEXT_LARGE_NPLS)

    line("head", label=p.label, start=p.start.isoformat(), end=p.end.isoformat(), as_of=f.as_of.isoformat(),
         loans=f.loans)
    line("on-balance", npl=wan(f.npl_balance), loans=wan(f.loan_balance), ratio=pct(f.npl_ratio))
    line("corrected", npl=wan(f.npl_balance_corrected), ratio=pct(f.npl_ratio_corrected))
    if f.has_opening:
        change = f.change or Decimal(0)
        line("opening", opening=wan(f.npl_balance_opening), direction=direction_word(change), change=wan(abs(change)))
    else:
        line("no-opening")
    if f.targets.reduction_target is not None:
        line("reduction", target=wan(f.targets.reduction_target), completion=pct(f.reduction_completion))
    changed = f.overdue_change is not None
    line("overdue", overdue=wan(f.overdue_balance), changed=changed,
         direction=direction_word(f.overdue_change) if changed else "",
         change=wan(abs(f.overdue_change)) if changed else "",
         overdue90=wan(f.overdue90_balance), deviation=pct(f.deviation))
    line("off-balance", off=wan(f.off_balance), recovered=wan(f.off_recovered))
    if f.targets.recovery_target is not None:
        line("recovery", target=wan(f.targets.recovery_target), completion=pct(f.recovery_completion))
    line("categories", categories=[(k, wan(v)) for k, v in f.by_category.items()])
    line("large", threshold=wan_round(f.targets.large_npl_threshold), count=len(f.large_npls))
    listed(f.large_npls, "large-loan", "large-more", classification=lambda loan: loan.classification,
           leader=lambda loan: loan.leader)
    line("litigation", count=len(f.litigation), recovered=wan(f.litigation_recovered))
    line("to-sue", count=len(f.to_sue), balance=wan(sum((loan.balance for loan in f.to_sue), Decimal(0))))
    listed(f.to_sue, "to-sue-loan", "to-sue-more", days=lambda loan: overdue_days(loan, f.as_of))
    line("officers")
    for g in f.officers:
        line("officer", name=g.name, loans=g.loans, balance=wan(g.balance), npl=wan(g.npl_balance),
             off=wan(g.off_balance), recovered=wan(g.recovered))
    line("flags", count=len(f.flags))
    lines.extend(f"  [{flag.code}] {flag.message}" for flag in f.flags)
    return "\n".join(lines) + "\n"
