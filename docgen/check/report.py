"""``run_check``: check a client bundle against a checklist and return a ``Report`` (DESIGN §3–5).

The pipeline: open the bundle (folder or zip; unsafe members become findings), read and
validate ``bundle.yaml``, inspect every file in bounded worker processes, match files to items,
evaluate the rules once per item, then lay the results out per stage. Checking a stage reports
that stage and every earlier one (disbursement review wants everything).
"""
from __future__ import annotations

import datetime as _dt
import os
from collections.abc import Callable
from pathlib import Path
from dataclasses import dataclass, field
from typing import Any

from docgen.check.bundle import open_bundle
from docgen.check.bundledata import BUNDLE_FILE, BundleData, load_bundle_data, read_yaml, unreadable_bundle_data
from docgen.check.checklist import Checklist, Item, Stage, StageItem, load_checklist
from docgen.core.access import DENIED_CODES
from docgen.core.errors import BundleError, ChecklistError
from docgen.check.findings import ERROR, WARNING, Finding
from docgen.check.messages import ERRORS
from docgen.check.inspection import FileInfo, inspect_bundle
from docgen.check.matching import Matcher, clean_path
from docgen.check.rules import Evaluation, RuleContext, evaluate_items, file_finding


@dataclass
class ItemResult(Evaluation):
    """One item as a stage lists it: its number, and the item's evaluation with each finding's stage set."""

    entry: StageItem = field(kw_only=True)

    @property
    def item(self) -> Item:
        """Return the checklist item."""
        return self.entry.item

    @property
    def id(self) -> str:
        """Return the item id."""
        return self.entry.item.id

    @property
    def no(self) -> str:
        """Return the item's number in this stage (``'1'``, ``'B1'``)."""
        return self.entry.no

    def to_dict(self) -> dict[str, Any]:
        """Return the DESIGN §5 form ``{id, no, title, status, files}``."""
        return {"id": self.id, "no": self.no, "title": dict(self.item.title),
                "status": self.status, "files": list(self.files)}


@dataclass
class StageResult:
    """A reported stage: its items in checklist order; complete when none has an error."""

    stage: Stage
    items: list[ItemResult]

    @property
    def id(self) -> str:
        """Return the stage id."""
        return self.stage.id

    @property
    def complete(self) -> bool:
        """Return True when no item of this stage has a finding of severity error."""
        return not any(f.severity == ERROR for r in self.items for f in r.findings)

    def to_dict(self) -> dict[str, Any]:
        """Return the DESIGN §5 form ``{id, complete, items}``."""
        return {"id": self.id, "complete": self.complete, "items": [r.to_dict() for r in self.items]}


@dataclass
class FileResult:
    """A file of the bundle: what inspection saw and which items it serves."""

    info: FileInfo
    items: list[str]

    def to_dict(self) -> dict[str, Any]:
        """Return the DESIGN §5 form ``{path, kind, size, sha256, pages, encrypted, items}``."""
        i = self.info
        return {"path": i.path, "kind": i.kind, "size": i.size, "sha256": i.sha256,
                "pages": i.pages, "encrypted": i.encrypted, "items": list(self.items)}

    @property
    def path(self) -> str:
        """Return the bundle-relative path."""
        return self.info.path


@dataclass
class Report:
    """The outcome of a check. ``to_dict(lang)`` is the DESIGN §5 JSON.

    ``checklist`` is the ``Checklist`` used (``to_dict`` gives its id); ``findings`` are, in
    order: bundle-level (``invalid-data``, ``unsafe-entry``), per stage and item, then
    ``unmatched``.
    """

    checklist: Checklist
    bundle: str
    as_of: _dt.date
    stages: list[StageResult]
    files: list[FileResult]
    findings: list[Finding]
    #: bundle.yaml as written (parsed leniently, unvalidated): names for people-facing headers
    #: even when a field failed validation. Rules use the validated data only.
    bundle_yaml: dict[str, Any] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        """Return True when no finding of severity error remains in the reported stages."""
        return not any(f.severity == ERROR for f in self.findings)

    @property
    def draftable(self) -> list[Item]:
        """Return the missing items that have a docgen template, so staff can draft them now."""
        out: list[Item] = []
        for stage in self.stages:
            for r in stage.items:
                if r.status == "missing" and r.item.template and r.item not in out:
                    out.append(r.item)
        return out

    def item_result(self, item_id: str, stage: str | None = None) -> ItemResult:
        """Return the result of ``item_id`` (in ``stage``, else its first reported stage).

        Raises ``KeyError`` when the item is not in the reported stages.
        """
        for s in self.stages:
            if stage is not None and s.id != stage:
                continue
            for r in s.items:
                if r.id == item_id:
                    return r
        raise ERRORS.fault(KeyError, "item-not-reported", item=item_id)

    def counts(self) -> dict[str, int]:
        """Return the number of stage items per status (an item listed in two stages counts twice)."""
        out = {"ok": 0, "missing": 0, "invalid": 0, "waived": 0}
        for s in self.stages:
            for r in s.items:
                out[r.status] = out.get(r.status, 0) + 1
        return out

    def to_dict(self, lang: str = "zh", *, draftable: bool = False) -> dict[str, Any]:
        """Return the report as exactly DESIGN §5 JSON data, messages in ``lang`` ('zh' or 'en').

        ``draftable=True`` adds ``"draftable"`` (the annexes staff can draft now, with their
        template) for the people-facing formats; the JSON output keeps to §5.
        """
        data = {
            "checklist": self.checklist.id,
            "bundle": self.bundle,
            "as_of": self.as_of.isoformat(),
            "complete": self.complete,
            "stages": [s.to_dict() for s in self.stages],
            "files": [f.to_dict() for f in self.files],
            "findings": [f.to_dict(lang) for f in self.findings],
        }
        if draftable:
            data["draftable"] = [{"id": i.id, "annex": i.annex, "template": i.template, "title": dict(i.title)}
                                 for i in self.draftable]
        return data


def run_check(
    bundle: str | os.PathLike[str],
    *,
    stage: str | None = None,
    checklist: str | os.PathLike[str] | None = None,
    as_of: _dt.date | None = None,
    equity_threshold: float | None = None,
    jobs: int | None = None,
    progress: Callable[[int], None] | None = None,
    start: Callable[[int], Callable[[int], None] | None] | None = None,
) -> Report:
    """Check ``bundle`` (folder or .zip) and return its ``Report``.

    ``stage`` limits the report to that stage and the earlier ones (None: all). ``checklist`` is
    a name or a path; None uses ``bundle.yaml``'s ``checklist`` key, else ``dev-loan``. ``as_of``
    defaults to today. ``equity_threshold`` (a fraction, e.g. 0.5) overrides the checklist's.
    ``jobs`` and ``progress(n)`` are passed to file inspection; ``start``, when given, is called
    once with the number of files before inspection and returns the ``progress`` callback to use
    (so a progress bar can be sized without listing the bundle twice).

    Raises ``BundleError`` when the bundle cannot be opened, ``ChecklistError`` when the
    checklist or stage is unknown or broken (both exit 2).
    """
    if equity_threshold is not None and not 0 <= equity_threshold <= 1:
        raise ERRORS.error(ChecklistError, "equity-threshold-range", threshold=equity_threshold)
    as_of = as_of or _dt.date.today()
    with open_bundle(bundle) as opened:
        raw, read_error = _read_bundle_yaml(opened)
        lenient = _lenient_mapping(raw)
        chosen = load_checklist(checklist if checklist is not None else _checklist_named_in(lenient, bundle))
        stages = chosen.stages_up_to(stage)
        data = load_bundle_data(raw, chosen) if read_error is None else unreadable_bundle_data(read_error)
        if start is not None:
            progress = start(len(opened.entries))
        infos = inspect_bundle(opened, jobs=jobs, progress=progress)
        unsafe = list(opened.unsafe)
        root = opened.root
    report = build_report(chosen, root, as_of, stages, data, infos, unsafe,
                          overrides={"equity_threshold": equity_threshold})
    report.bundle_yaml = lenient
    return report


def read_bundle_data(bundle: str | os.PathLike[str], *, checklist: str | os.PathLike[str] | None = None
                     ) -> tuple[Checklist, BundleData]:
    """Return the checklist and the validated ``bundle.yaml`` of ``bundle`` (folder or .zip),
    without inspecting its files (what ``docgen draft`` needs).

    Raises ``BundleError`` when the bundle cannot be opened or its bundle.yaml may not be read
    (file permissions), and ``ChecklistError`` when the
    checklist is unknown or broken (both exit 2); problems in bundle.yaml are findings.
    """
    with open_bundle(bundle) as opened:
        raw, read_error = _read_bundle_yaml(opened, denied_raises=True)
    chosen = load_checklist(checklist if checklist is not None else _checklist_named_in(_lenient_mapping(raw), bundle))
    data = load_bundle_data(raw, chosen) if read_error is None else unreadable_bundle_data(read_error)
    return chosen, data


def build_report(checklist: Checklist, root: str, as_of: _dt.date, stages: list[Stage], data: BundleData,
                 infos: list[FileInfo], unsafe: list[Finding],
                 overrides: dict[str, Any] | None = None) -> Report:
    """Match, evaluate and lay out a report from already-read parts (``run_check`` does the I/O)."""
    files = {i.path: i for i in infos}
    documents = [p for p in files if p != BUNDLE_FILE]
    explicit = {item_id: list(doc.get("files") or []) for item_id, doc in data.section("documents").items()
                if isinstance(doc, dict)}
    findings: list[Finding] = list(data.findings)
    for item_id, listed in explicit.items():
        for n, f in enumerate(listed):
            if clean_path(f) not in files:
                findings.append(Finding("invalid-data", path=BUNDLE_FILE, reason="no-such-file", params={
                    "field": f"documents.{item_id}.files[{n}]", "file": f}))
    findings += unsafe
    matches = Matcher(checklist).match(documents, explicit)
    rc = RuleContext(checklist, data, files, matches, as_of, overrides=overrides or {})
    evaluations = evaluate_items(rc)
    stage_results = []
    for st in stages:
        results = []
        for entry in st.entries:
            ev = evaluations[entry.item.id]
            stamped = [_with_stage(f, st.id) for f in ev.findings]
            results.append(ItemResult(ev.status, list(ev.files), stamped, entry=entry))
            findings += stamped
        stage_results.append(StageResult(st, results))
    for p in matches.unmatched:
        info = files[p]
        findings.append(Finding("unmatched", path=p, params={"archive": True} if info.kind == "zip" else {}))
        if info.problem:
            # It serves no item, so it cannot make a stage incomplete; but a broken file with an
            # unexpected name is often the missing document itself, so say what is wrong with it.
            findings.append(file_finding(info, severity=WARNING))
    file_results = [FileResult(i, list(matches.by_file.get(i.path, []))) for i in infos]
    return Report(checklist, root, as_of, stage_results, file_results, findings)


def _with_stage(finding: Finding, stage: str) -> Finding:
    return Finding(finding.code, stage=stage, item=finding.item, path=finding.path,
                   params=dict(finding.params), severity=finding.severity, reason=finding.reason)


#: Largest bundle.yaml read: a real one is a few KB; a huge one would only make the check crawl.
MAX_BUNDLE_YAML = 1024 * 1024


def _read_bundle_yaml(opened: Any, *, denied_raises: bool = False) -> tuple[bytes | None, BundleError | None]:
    """Return ``(bytes, None)``, ``(None, None)`` when absent, or ``(None, error)`` when unreadable
    (its code and facts word it in either language).

    ``denied_raises``: a bundle.yaml this user may not read raises its ``BundleError`` instead
    (``docgen draft`` has nothing else to go on, and "fill in these keys" would mislead)."""
    if BUNDLE_FILE not in opened:
        return None, None
    size = opened.spec(BUNDLE_FILE).size
    if size > MAX_BUNDLE_YAML:
        return None, ERRORS.error(BundleError, "bundle-yaml-too-large", size=size, limit=MAX_BUNDLE_YAML)
    try:
        return opened.read(BUNDLE_FILE), None
    except BundleError as exc:
        if denied_raises and exc.code in DENIED_CODES:
            raise
        return None, exc


def _lenient_mapping(raw: bytes | None) -> dict[str, Any]:
    """Return bundle.yaml parsed but not validated, or ``{}`` when absent or unparsable."""
    if raw is None:
        return {}
    doc, _ = read_yaml(raw)
    return doc if isinstance(doc, dict) else {}


def _checklist_named_in(doc: dict[str, Any], bundle: str | os.PathLike[str]) -> str | None:
    """Return the checklist ``bundle.yaml`` names, a relative file path taken from the bundle's
    folder (a zip's own folder) when it exists there, else as given (None: not named)."""
    if not (isinstance(doc, dict) and isinstance(doc.get("checklist"), str) and doc["checklist"].strip()):
        return None
    name = doc["checklist"].strip()
    if name.endswith((".yaml", ".yml")) and not os.path.isabs(name):
        root = Path(bundle)
        base = root if root.is_dir() else root.parent
        candidate = base / name
        if candidate.is_file():
            return str(candidate)
    return name
