"""Running a check for the ``docgen check`` command: preview, progress, and the report in any format.

``run_check`` returns the report; what people read also wants the borrower's name and the
checklist's titles, and a progress bar wants the number of files before inspection starts.
``preview_bundle`` gets both cheaply (a folder listing or a zip's central directory, and
bundle.yaml parsed leniently: validation proper is the checker's job), and ``check_report``
runs the check and renders it.
"""
from __future__ import annotations

import datetime as _dt
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import yaml

from docgen.bundle import open_bundle
from docgen.check import Report, run_check
from docgen.datafile import parse_yaml
from docgen.errors import BundleError
from docgen.report_formats import ReportMeta, meta_from_checklist, render

FORMATS = ("text", "json", "markdown", "docx")
BUNDLE_FILE = "bundle.yaml"


@dataclass
class BundlePreview:
    """What is known of a bundle before checking it: how many entries, and bundle.yaml as plain data."""

    entries: int
    data: dict[str, Any] = field(default_factory=dict)


def preview_bundle(path: str | os.PathLike[str]) -> BundlePreview:
    """Return the entry count and leniently parsed bundle.yaml of the bundle at ``path``.

    A bundle.yaml that cannot be read or parsed gives empty data (the check reports it as
    ``invalid-data``). Raises ``BundleError`` when the bundle itself cannot be opened.
    """
    with open_bundle(path) as opened:
        entries = len(opened.entries)
        data: Any = {}
        if BUNDLE_FILE in opened:
            try:
                data = parse_yaml(opened.read(BUNDLE_FILE).decode("utf-8-sig"))
            except (BundleError, UnicodeDecodeError, yaml.YAMLError):
                data = {}
    return BundlePreview(entries, data if isinstance(data, dict) else {})


@dataclass
class CheckOutput:
    """A finished check: the report, its §5 dict and the rendered output (bytes for docx)."""

    report: Report
    data: dict[str, Any]
    meta: ReportMeta
    rendered: str | bytes

    @property
    def complete(self) -> bool:
        """Return True when the reported stages are complete (exit status 0)."""
        return bool(self.report.complete)


def check_report(
    bundle: str | os.PathLike[str],
    *,
    fmt: str = "text",
    lang: str = "zh",
    color: bool = False,
    stage: str | None = None,
    checklist: str | os.PathLike[str] | None = None,
    as_of: _dt.date | None = None,
    equity_threshold: float | None = None,
    jobs: int | None = None,
    progress: Callable[[int], Callable[[int], None] | None] | None = None,
) -> CheckOutput:
    """Check ``bundle`` and render the report as ``fmt`` (text, json, markdown or docx) in ``lang``.

    ``progress``, when given, is called once with the number of files to inspect and returns the
    per-file callback handed to the checker (or None for no progress). The other arguments are
    ``run_check``'s. Returns a ``CheckOutput``. Raises ``BundleError`` / ``ChecklistError``
    (exit 2) when the bundle or checklist cannot be used, ``ValueError`` for an unknown format.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown report format {fmt!r}")
    preview = preview_bundle(bundle)
    tick = progress(preview.entries) if progress is not None else None
    report = run_check(bundle, stage=stage, checklist=checklist, as_of=as_of,
                       equity_threshold=equity_threshold, jobs=jobs, progress=tick)
    data = report.to_dict(lang)
    meta = meta_from_checklist(report.checklist, preview.data)
    rendered = render(data, fmt, lang, color=color, meta=meta)
    return CheckOutput(report, data, meta, rendered)
