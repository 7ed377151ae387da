"""Running a check for the ``docgen check`` command: progress, and the report in any format.

``check_report`` runs ``run_check`` (which sizes the progress bar once it has listed the
bundle) and renders the report with the checklist's titles and the borrower's and project's
names from bundle.yaml as written.
"""
from __future__ import annotations

import datetime as _dt
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


from docgen.check.report import Report, run_check
from docgen.check.formats import ReportMeta, meta_from_checklist, render
from docgen.check.messages import ERRORS

FORMATS = ("text", "json", "markdown", "docx")


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
        raise ERRORS.fault(ValueError, "report-format-unknown", format=fmt)
    report = run_check(bundle, stage=stage, checklist=checklist, as_of=as_of,
                       equity_threshold=equity_threshold, jobs=jobs, start=progress)
    return render_report(report, fmt, lang, color=color)


def render_report(report: Report, fmt: str, lang: str = "zh", *, color: bool = False) -> CheckOutput:
    """Render a finished ``report`` as ``fmt`` in ``lang`` (one check can be rendered in several
    formats without inspecting the bundle again); return the ``CheckOutput``."""
    if fmt not in FORMATS:
        raise ERRORS.fault(ValueError, "report-format-unknown", format=fmt)
    data = report.to_dict(lang, draftable=fmt != "json")
    meta = meta_from_checklist(report.checklist, report.bundle_yaml)
    rendered = render(data, fmt, lang, color=color, meta=meta)
    return CheckOutput(report, data, meta, rendered)
