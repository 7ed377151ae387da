"""Rules: from matched files and bundle data to an item's status and findings (DESIGN §5).

``evaluate_items`` gives every checklist item one ``Evaluation`` (status ``ok``, ``missing``,
``invalid`` or ``waived`` and its findings, stage not yet set). The decisions, in order:

- **waive**: a ``waive`` rule whose condition holds (三证合一: ``borrower.uscc``) → ``waived``.
- **all-of** (``four-permits``): ``ok`` only when every listed item is ``ok`` (or waived);
  ``missing`` when none is present; otherwise ``invalid`` with ``incomplete-set`` naming each
  permit and what is wrong with it.
- **presence**: no file → ``missing``. Items the bank provides (B1–B6) are reported with
  severity *warning*: they come from the bank's own systems and often live outside the client's
  folder, so their absence is shown but does not make the client's bundle incomplete.
- **files**: an inspection problem (``empty-file``, ``unreadable``, ``encrypted``, ``wrong-type``)
  or a kind the item does not accept (``wrong-type``) makes the item ``invalid``. Every file of
  the item must be sound: a broken scan next to a good one is still a broken file in the bundle.
- **expired**: ``documents.<id>.expires`` before the as-of date (any item).
- **max-age** → ``stale`` (warning) when ``documents.<id>.issued`` is more than ``days`` old; with
  ``dated_by_name`` a file name's month (``工程监理报告2026年10月``, its last day) stands in for a
  missing date, and a file with neither is ``stale`` too (nobody can tell it is recent).
- **audit-years** → ``incomplete-set`` naming missing fiscal years. A fiscal year's audit
  report is due by ``due`` (default 30 April) of the next year, so the latest required year is
  last year once that date has passed, else the year before. The three latest are required, or,
  when the ``young`` condition holds (company under three years old), every fiscal year from
  the year of establishment. Years come from ``documents.audit-reports.years``, else from
  years written in the matched file names (``审计报告2023.pdf``; a span ``2022-2024`` counts each year).
- **min-ratio** → ``insufficient`` when the value (``invested / total_investment``) is below the
  threshold (run option, else checklist param, else the rule's default, else 0.5); a warning
  when bundle.yaml lacks the figures to compute it.
- **kinds-set** → ``incomplete-set`` when a set (copy; editable version) has no sound file of its
  kinds and ``documents.<id>.<flag>`` is not true.
- **parts** (a compound item such as 法定代表人身份证复印件、签字样本及个人简历) → ``incomplete-set``
  naming each part no sound file's name shows (by the part's aliases) and
  ``documents.<id>.parts`` does not list (parts bound together in one file).
- **original-and-copy** → ``incomplete-set`` unless ``documents.<id>`` says ``original: true``
  and ``copy: true``, or two sound files are present (a scan of each).
- **attestation** → ``unattested`` (warning) while ``attestations.<id>`` does not satisfy the
  condition (e.g. ``attestation.sealed``); only for items that are present.

A warning leaves the status ``ok``; an error makes it ``invalid``.
"""
from __future__ import annotations

import calendar
import datetime as _dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from dateutil.relativedelta import relativedelta

from docgen.check.bundledata import BundleData
from docgen.check.checklist import Checklist, Item
from docgen.core.conditions import Condition
from docgen.check.findings import ERROR, WARNING, Finding
from docgen.check.inspection import FileInfo
from docgen.check.matching import Matches

OK, MISSING, INVALID, WAIVED = "ok", "missing", "invalid", "waived"
DEFAULT_THRESHOLD = 0.5
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
_YEAR_SPAN = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年?(?:度)?\s*[-–—~～至到]\s*((?:19|20)\d{2})(?!\d)")


@dataclass
class Evaluation:
    """An item's status, the files serving it, and its findings (``stage`` unset)."""

    status: str
    files: list[str]
    findings: list[Finding] = field(default_factory=list)


@dataclass
class RuleContext:
    """Everything rules look at: the checklist, bundle data, inspected files, matches, options."""

    checklist: Checklist
    data: BundleData
    files: dict[str, FileInfo]
    matches: Matches
    as_of: _dt.date
    overrides: dict[str, Any] = field(default_factory=dict)
    _expr: dict[str, Any] | None = None

    def expression_context(self, item_id: str | None = None) -> dict[str, Any]:
        """Return the names checklist conditions see (``attestation`` is ``item_id``'s record)."""
        if self._expr is None:
            borrower = self.data.section("borrower")
            self._expr = {
                "borrower": borrower,
                "shareholders": self.data.data.get("shareholders") or [],
                "project": self.data.section("project"),
                "loan": self.data.section("loan"),
                "contractor": self.data.section("contractor"),
                "documents": self.data.section("documents"),
                "as_of": self.as_of,
                "company_age_years": company_age_years(borrower.get("established"), self.as_of),
            }
        ctx = dict(self._expr)
        ctx["attestation"] = self.data.attestation(item_id) if item_id else {}
        return ctx

    def param(self, name: str | None, default: Any) -> Any:
        """Return run option ``name`` if given, else the checklist's param, else ``default``."""
        if name and self.overrides.get(name) is not None:
            return self.overrides[name]
        if name and name in self.checklist.params:
            return self.checklist.params[name]
        return default


def company_age_years(established: Any, as_of: _dt.date) -> int | None:
    """Return the whole years from ``established`` to ``as_of`` (None when unknown).

    Years are calendar years as the Civil Code counts them (art. 202): a company set up on
    29 February has its anniversary on 28 February in a common year.
    """
    if not isinstance(established, _dt.date):
        return None
    return relativedelta(as_of, established).years


def latest_due_fiscal_year(as_of: _dt.date, due: str = "04-30") -> int:
    """Return the latest fiscal year whose audit report is due by ``as_of`` (due 'MM-DD' next year)."""
    month, day = (int(x) for x in due.split("-"))
    deadline = _dt.date(as_of.year, 1, 1) + relativedelta(month=month, day=day)  # day clamped to the month
    return as_of.year - 1 if as_of > deadline else as_of.year - 2


def _titles(item: Item) -> dict[str, str]:
    return {"title": item.title["zh"], "title_en": item.title["en"]}


def _applies(rule: dict[str, Any], ctx: dict[str, Any]) -> bool:
    when = rule.get("when")
    return True if when is None or rule["rule"] == "waive" else bool(when.evaluate(ctx))


def evaluate_items(rc: RuleContext) -> dict[str, Evaluation]:
    """Evaluate every item of the checklist once; return item id -> ``Evaluation``.

    Items built from others (``all-of``, possibly nested; the checklist refuses cycles) are
    evaluated after the items they name.
    """
    results: dict[str, Evaluation] = {}

    def evaluate(item: Item) -> None:
        if item.id in results:
            return
        refs = [r for rule in item.rules_of("all-of") for r in rule["items"]]
        if not refs:
            results[item.id] = evaluate_item(item, rc)
            return
        for ref in refs:
            evaluate(rc.checklist.item(ref))
        results[item.id] = _evaluate_all_of(item, rc, results)

    for item in rc.checklist.items.values():
        evaluate(item)
    return results


def _waived(item: Item, rc: RuleContext) -> bool:
    ctx = rc.expression_context(item.id)
    return any(bool(rule["when"].evaluate(ctx)) for rule in item.rules_of("waive"))


def evaluate_item(item: Item, rc: RuleContext) -> Evaluation:
    """Evaluate one (non-derived) item; see the module doc for the order of decisions."""
    if _waived(item, rc):
        return Evaluation(WAIVED, list(rc.matches.files(item.id)))
    files = list(rc.matches.files(item.id))
    if not files:
        severity = WARNING if item.provider == "bank" else ERROR
        return Evaluation(MISSING, [], [Finding("missing", item=item.id, params=_titles(item), severity=severity)])
    ctx = rc.expression_context(item.id)
    findings: list[Finding] = []
    sound: list[FileInfo] = []
    for path in files:
        info = rc.files.get(path)
        if info is None:
            continue
        if info.problem:
            findings.append(file_finding(info, item=item.id, params=_titles(item)))
        elif info.kind not in item.kinds:
            findings.append(Finding("wrong-type", item=item.id, path=path, reason="item-kind",
                                    params={**_titles(item), "kind": info.kind, "accepted": list(item.kinds)}))
        else:
            sound.append(info)
    doc = rc.data.document(item.id)
    findings += _expiry(item, doc, rc)
    for rule in item.rules:
        if not _applies(rule, ctx):
            continue
        name = rule["rule"]
        if name == "max-age":
            findings += _max_age(item, rule, doc, files, rc)
        elif name == "audit-years":
            findings += _audit_years(item, rule, doc, files, rc, ctx)
        elif name == "min-ratio":
            findings += _min_ratio(item, rule, rc, ctx)
        elif name == "kinds-set":
            findings += _kinds_set(item, rule, doc, sound)
        elif name == "parts":
            findings += _parts(item, rule, doc, sound)
        elif name == "original-and-copy":
            findings += _original_and_copy(item, doc, sound)
        elif name == "attestation":
            findings += _attestation(item, rule, ctx)
    status = INVALID if any(f.severity == ERROR for f in findings) else OK
    return Evaluation(status, files, findings)


def file_finding(info: FileInfo, *, item: str | None = None, severity: str = "",
                 params: dict[str, Any] | None = None) -> Finding:
    """Return the finding of a file's own problem (``info.problem``), with inspection's facts.

    Its detail is what inspection said (``docgen.check.messages.FILES``), in either language.
    """
    return Finding(info.problem or "unreadable", item=item, path=info.path, severity=severity, reason="file",
                   params={**(params or {}), **info.facts, "file_reason": info.reason, "problem": info.problem,
                           "kind": info.kind, "path": info.path})


def _expiry(item: Item, doc: dict[str, Any], rc: RuleContext) -> list[Finding]:
    expires = doc.get("expires")
    if isinstance(expires, _dt.date) and expires < rc.as_of:
        return [Finding("expired", item=item.id, params={**_titles(item), "date": expires.isoformat()})]
    return []


_YEAR_MONTH = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*(?:年|[-_.])\s*(\d{1,2})(?:\s*月|(?!\d))")


def month_in_name(name: str) -> _dt.date | None:
    """Return the last day of the latest month written in a file name (``监理报告2026年10月`` ->
    2026-10-31), or None when it names no month."""
    found = []
    for year, month in _YEAR_MONTH.findall(name):
        if 1 <= int(month) <= 12:
            found.append(_dt.date(int(year), int(month), calendar.monthrange(int(year), int(month))[1]))
    return max(found) if found else None


def _max_age(item: Item, rule: dict[str, Any], doc: dict[str, Any], files: list[str], rc: RuleContext) -> list[Finding]:
    issued = doc.get("issued")
    dated_by = "issued"
    if not isinstance(issued, _dt.date) and rule.get("dated_by_name"):
        # A monthly report (工程监理月报) says its month in the file name: its month's end is its date.
        months = [m for m in (month_in_name(f.rsplit("/", 1)[-1]) for f in files) if m is not None]
        issued, dated_by = (max(months), "name") if months else (None, dated_by)
        if issued is None and files:
            return [Finding("stale", item=item.id, reason="undated", params={
                **_titles(item), "item": item.id, "issued": None, "days": None, "max_days": rule["days"]})]
    if not isinstance(issued, _dt.date):
        return []
    age = (rc.as_of - issued).days
    if age <= rule["days"]:
        return []
    return [Finding("stale", item=item.id, reason="max-age", params={
        **_titles(item), "issued": issued.isoformat(), "days": age, "max_days": rule["days"],
        "dated_by": dated_by})]


def required_audit_years(rule: dict[str, Any], rc: RuleContext, ctx: dict[str, Any]) -> list[int]:
    """Return the fiscal years the audit reports must cover on ``rc.as_of`` (see module doc)."""
    latest = latest_due_fiscal_year(rc.as_of, rule.get("due", "04-30"))
    young = rule.get("young")
    established = rc.data.section("borrower").get("established")
    if young is not None and isinstance(established, _dt.date) and bool(young.evaluate(ctx)):
        return list(range(established.year, latest + 1))
    return list(range(latest - rule["count"] + 1, latest + 1))


def _audit_years(item: Item, rule: dict[str, Any], doc: dict[str, Any], files: list[str],
                 rc: RuleContext, ctx: dict[str, Any]) -> list[Finding]:
    required = required_audit_years(rule, rc, ctx)
    if not required:
        return []
    if doc.get("years"):
        present = {int(y) for y in doc["years"]}
    else:
        present = {y for path in files for y in years_in_name(path.rsplit("/", 1)[-1])}
    missing = [y for y in required if y not in present]
    if not missing:
        return []
    month, day = (int(x) for x in rule.get("due", "04-30").split("-"))
    return [Finding("incomplete-set", item=item.id, reason="audit-years", params={
        **_titles(item), "item": item.id, "years": missing, "required": required,
        "due_month": month, "due_day": day})]


def years_in_name(name: str) -> set[int]:
    """Return the fiscal years a file name mentions: ``审计报告2023.pdf`` -> {2023};
    a span ``2022-2024`` or ``2022至2024`` counts every year in it."""
    years = {int(y) for y in _YEAR.findall(name)}
    for start, end in _YEAR_SPAN.findall(name):
        a, b = int(start), int(end)
        if a < b <= a + 10:
            years.update(range(a, b + 1))
    return years


def _min_ratio(item: Item, rule: dict[str, Any], rc: RuleContext, ctx: dict[str, Any]) -> list[Finding]:
    threshold = float(rc.param(rule.get("param"), rule.get("default", DEFAULT_THRESHOLD)))
    label = rule.get("label") or {"zh": rule["value"].source, "en": rule["value"].source}
    value = rule["value"].evaluate(ctx)
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        ratio = float(value)
        if ratio >= threshold:
            return []
        return [Finding("insufficient", item=item.id, reason="below-ratio", params={
            **_titles(item), "label": label, "value": round(ratio, 4), "threshold": threshold})]
    return [Finding("insufficient", item=item.id, severity=WARNING, reason="ratio-unknown", params={
        **_titles(item), "label": label, "threshold": threshold})]


def _kinds_set(item: Item, rule: dict[str, Any], doc: dict[str, Any], sound: list[FileInfo]) -> list[Finding]:
    kinds = {f.kind for f in sound}
    lacking = [s for s in rule["sets"]
               if not (kinds & set(s["kinds"])) and not (s.get("flag") and doc.get(s["flag"]) is True)]
    if not lacking:
        return []
    return [Finding("incomplete-set", item=item.id, reason="kinds-set", params={
        **_titles(item), "sets": [s["label"] for s in lacking]})]


def _parts(item: Item, rule: dict[str, Any], doc: dict[str, Any], sound: list[FileInfo]) -> list[Finding]:
    names = [info.path.rsplit("/", 1)[-1].lower() for info in sound]
    declared = set(doc.get("parts") or [])
    lacking = [part for part in rule["parts"]
               if part["id"] not in declared and not any(a.lower() in n for a in part["aliases"] for n in names)]
    if not lacking or not sound:
        return []
    return [Finding("incomplete-set", item=item.id, reason="parts", params={
        **_titles(item), "item": item.id, "lacking": [p["id"] for p in lacking],
        "labels": [p["label"] for p in lacking], "ids": [p["id"] for p in rule["parts"]]})]


def _original_and_copy(item: Item, doc: dict[str, Any], sound: list[FileInfo]) -> list[Finding]:
    if (doc.get("original") is True and doc.get("copy") is True) or len(sound) >= 2:
        return []
    return [Finding("incomplete-set", item=item.id, reason="original-and-copy", params={
        **_titles(item), "item": item.id, "files": len(sound)})]


def _attestation(item: Item, rule: dict[str, Any], ctx: dict[str, Any]) -> list[Finding]:
    satisfied: Condition = rule["satisfied"]
    if bool(satisfied.evaluate(ctx)):
        return []
    need = rule.get("need") or {"zh": "盖章或签字", "en": "a seal or signature"}
    return [Finding("unattested", item=item.id, reason="attestation", params={**_titles(item), "need": need})]


def _evaluate_all_of(item: Item, rc: RuleContext, results: dict[str, Evaluation]) -> Evaluation:
    if _waived(item, rc):
        return Evaluation(WAIVED, list(rc.matches.files(item.id)))
    refs: list[str] = [r for rule in item.rules_of("all-of") for r in rule["items"]]
    files = list(rc.matches.files(item.id))
    for ref in refs:
        for f in results[ref].files:
            if f not in files:
                files.append(f)
    bad = [ref for ref in refs if results[ref].status not in (OK, WAIVED)]
    if not bad:
        return Evaluation(OK, files)
    if all(results[ref].status == MISSING for ref in refs):
        return Evaluation(MISSING, files, [Finding("missing", item=item.id, reason="all-of-missing", params={
            **_titles(item), "items": refs, "titles": [rc.checklist.item(r).title for r in refs]})])
    return Evaluation(INVALID, files, [Finding("incomplete-set", item=item.id, reason="all-of-invalid", params={
        **_titles(item), "items": bad, "titles": [rc.checklist.item(r).title for r in bad],
        "statuses": [results[r].status for r in bad]})])
