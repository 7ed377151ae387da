"""The NPL report as a Word document: chart, context and rendering through the template engine.

``build_report(...)`` is the library entry point of ``docgen npl-report``: it reads the ledger
snapshots, the targets and notes, computes ``NplFigures`` (``docgen.loans.npl``) and, when asked,
renders ``templates/npl-report.docx`` through ``docgen.documents.template`` (the same engine as every
other template) with a matplotlib chart embedded, then converts it to PDF via ``docgen.documents.pdf``.

``notes.yaml`` carries what a ledger cannot: the reporting unit (``branch``), the addressee
(``recipient``, default 总行), an optional report ``date`` and the narrative paragraphs of
二、催收情况 (``collection``), 三、诉讼情况 (``litigation``) and 四、下一步工作计划 (``plan``).
"""
from __future__ import annotations

import datetime as _dt
import io
import os
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any


from docgen.core.datafile import read_mapping
from docgen.core.notices import notify
from docgen.loans.messages import FLAG_LABELS, MESSAGES
from docgen.core.errors import DocgenError, InputError, ProblemsError
from docgen.core.procs import process_context, worth_a_process
from docgen.loans.ledger import CLASSIFICATIONS, iter_ledger_blocks
from docgen.loans.plan import overdue_days
from docgen.loans.vocabulary import Vocabulary
from docgen.loans.npl import (
    MIGRATION_FROM,
    MIGRATION_TO,
    NplFigures,
    NplTally,
    OpeningSummary,
    Period,
    Targets,
    direction_word,
    load_targets,
    pct,
    report_as_of,
    summarize_opening,
    wan,
    wan_round,
)
from docgen.core.validation import validate

TEMPLATE_NAME = "npl-report"

NOTES_SCHEMA: dict[str, Any] = {
    "branch": {"type": "string", "coerce": "strip", "empty": False},
    "recipient": {"type": "string", "coerce": "strip", "empty": False, "default": "总行"},
    "date": {"type": "date", "coerce": "to_date"},
    "collection": {"type": "list", "default": [], "schema": {"type": "string", "coerce": "strip", "empty": False}},
    "litigation": {"type": "list", "default": [], "schema": {"type": "string", "coerce": "strip", "empty": False}},
    "plan": {"type": "list", "default": [], "schema": {"type": "string", "coerce": "strip", "empty": False}},
}

PLAN_MISSING = "（本期未提供下一步工作计划，请在 notes.yaml 的 plan 中填写后重新生成。）"

# Preferred CJK faces, first found wins: Noto (installed in CI), WenQuanYi, then Windows/macOS ones.
_CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Zen Hei",
              "WenQuanYi Micro Hei", "Microsoft YaHei", "SimHei", "PingFang SC", "Noto Sans CJK JP")

_CAT_KEYS = {"正常": "normal", "关注": "special", "次级": "substandard", "可疑": "doubtful", "损失": "loss"}


@dataclass
class Notes:
    """The validated ``notes.yaml``: reporting unit, addressee, date and narrative paragraphs."""

    branch: str | None = None
    recipient: str = "总行"
    date: _dt.date | None = None
    collection: list[str] = field(default_factory=list)
    litigation: list[str] = field(default_factory=list)
    plan: list[str] = field(default_factory=list)


def notes_from_mapping(data: Any, source: str = "notes") -> Notes:
    """Validate a notes mapping (cerberus); a single string where a list is expected is one paragraph.

    Raises ``InputError`` naming ``source`` and each bad key.
    """
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise MESSAGES.error(InputError, "notes-not-mapping", source=source)
    data = {k: ([v] if k in ("collection", "litigation", "plan") and isinstance(v, str) else v)
            for k, v in data.items()}
    normalized, problems = validate(NOTES_SCHEMA, data)
    if problems:
        from docgen.check.messages import problem_in_english

        raise MESSAGES.error(InputError, "notes-invalid", source=source,
                             problems=[(p.path, p.message, problem_in_english(p)) for p in problems])
    return Notes(**{k: normalized[k] for k in normalized})


def load_notes(path: str | os.PathLike[str]) -> Notes:
    """Read and validate a notes YAML file. Raises ``InputError`` (exit 2) naming the file."""
    data = read_mapping(path, what=MESSAGES.text("file/notes"), what_en=MESSAGES.text("file/notes", lang="en"),
                        hint=MESSAGES.text("file/notes-hint"), hint_en=MESSAGES.text("file/notes-hint", lang="en"),
                        allow_empty=True)
    return notes_from_mapping(data, str(path))


# --------------------------------------------------------------------------- chart


def _pick_cjk(installed: set[str]) -> str | None:
    for name in _CJK_FONTS:
        if name in installed:
            return name
    for name in sorted(installed):
        if "CJK SC" in name or "Hei" in name:
            return name
    return None


def cjk_font_files() -> list[str]:
    """Return files of installed fonts that draw Simplified Chinese: fontconfig's choice for
    ``sans-serif:lang=zh-cn`` first, then the system fonts whose file names say CJK or Chinese."""
    import shutil
    import subprocess

    from matplotlib import font_manager

    files: list[str] = []
    fc_match = shutil.which("fc-match")
    if fc_match:
        try:
            done = subprocess.run([fc_match, "-f", "%{file}", "sans-serif:lang=zh-cn"], capture_output=True,
                                  text=True, timeout=10, check=False)
            if done.returncode == 0 and done.stdout.strip():
                files.append(done.stdout.strip())
        except (OSError, subprocess.SubprocessError):
            pass  # no fontconfig answer: the file-name scan below still runs
    hints = ("cjk", "wqy", "simhei", "msyh", "pingfang", "sourcehan", "notosanssc")
    for path in sorted(font_manager.findSystemFonts()):
        if any(h in Path(path).name.lower().replace("-", "") for h in hints) and path not in files:
            files.append(path)
    return files


def cjk_font() -> str | None:
    """Return the name of an installed font that can draw Chinese, or None.

    matplotlib lists the fonts of its cache; a cache built before the CJK fonts were installed
    (a fresh machine set up in that order) does not know them, and the chart would fall back to
    English. The font files are then found through fontconfig and added explicitly.
    """
    from matplotlib import font_manager

    found = _pick_cjk({f.name for f in font_manager.fontManager.ttflist})
    if found is not None:
        return found
    for path in cjk_font_files():
        try:
            font_manager.fontManager.addfont(path)
        except (OSError, RuntimeError, ValueError):
            continue  # an unreadable font file: try the next one
    return _pick_cjk({f.name for f in font_manager.fontManager.ttflist})


def render_chart(figures: NplFigures, *, dpi: int = 150, lang: str = "zh") -> bytes:
    """Return a PNG: NPL balance by category (表内 次级/可疑/损失 and 表外) and by officer, in 万元,
    labelled in ``lang`` ('zh' or 'en'; the officers by their names in either).

    Uses the Agg backend (no display needed). Without a CJK font it warns and labels in English,
    the officers by rank, rather than drawing empty boxes.
    """
    import logging

    # matplotlib reports missing glyphs and font fallbacks on its logger: internals a user can do
    # nothing about (the missing-font case is our own notice below).
    mpl_log = logging.getLogger("matplotlib")
    level = mpl_log.level
    mpl_log.setLevel(logging.ERROR)
    try:
        return _render_chart(figures, dpi, lang)
    finally:
        mpl_log.setLevel(level)


def _render_chart(figures: NplFigures, dpi: int, lang: str) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    import matplotlib

    font = cjk_font()
    if font is None:
        notify(MESSAGES.notice("no-cjk-font"))
    zh = font is not None and lang != "en"
    rc = {"font.family": "sans-serif", "axes.unicode_minus": False}
    if font:
        rc["font.sans-serif"] = [font, *matplotlib.rcParams["font.sans-serif"]]
    with matplotlib.rc_context(rc):
        fig = Figure(figsize=(8.0, 3.6), dpi=dpi)
        FigureCanvasAgg(fig)
        left, right = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, 1.4]})
        labels = ["次级", "可疑", "损失", "表外"] if zh else ["Substd.", "Doubtful", "Loss", "Off-BS"]
        values = [float(figures.by_category[c]) / 10000 for c in ("次级", "可疑", "损失")]
        values.append(float(figures.off_balance) / 10000)
        bars = left.bar(labels, values, color=["#f2b134", "#ed7d31", "#c00000", "#7f7f7f"])
        left.bar_label(bars, labels=[f"{v:.2f}" for v in values], fontsize=7)
        left.set_title("不良贷款构成（万元）" if zh else "NPL by category (10k CNY)", fontsize=10)
        left.tick_params(labelsize=8)
        left.margins(y=0.15)
        officers = sorted(figures.officers, key=lambda g: -(g.npl_balance + g.off_balance))[:10][::-1]
        names = [g.name if font else f"#{i + 1}" for i, g in enumerate(officers)]
        on = [float(g.npl_balance) / 10000 for g in officers]
        off = [float(g.off_balance) / 10000 for g in officers]
        right.barh(names, on, color="#c00000", label="表内不良" if zh else "On-BS NPL")
        right.barh(names, off, left=on, color="#7f7f7f", label="表外不良" if zh else "Off-BS NPL")
        right.set_title("分客户经理不良余额（万元）" if zh else "NPL by officer (10k CNY)", fontsize=10)
        right.tick_params(labelsize=8)
        right.legend(fontsize=7, loc="lower right")
        # Fixed margins instead of tight_layout(), which draws the figure an extra time.
        fig.subplots_adjust(left=0.07, right=0.98, bottom=0.1, top=0.9, wspace=0.32)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


# --------------------------------------------------------------------------- context


def _share(part: Decimal, whole: Decimal) -> str:
    return "0%" if not whole else pct((part / whole).quantize(Decimal("0.0001"))) + "%"


def _cell(count: int, amount: Decimal) -> str:
    # Two lines (count, then 万元) keep the eight-column table readable on A4.
    return "-" if count == 0 else f"{count}笔\n{wan(amount)}"


def _barred(loan: Any, as_of: _dt.date) -> bool:
    """True when the limitation period of a loan proposed for suit ran out before ``as_of``."""
    return loan.limitation_deadline is not None and loan.limitation_deadline < as_of


def report_context(figures: NplFigures, notes: Notes, *, branch: str, chart_png: bytes) -> dict[str, Any]:
    """Return the template context of ``npl-report`` (see ``templates/npl-report.yaml``)."""
    from docgen.documents.template import Image

    f = figures
    p: Period = f.period
    change = f.change
    direction = direction_word(change)
    on_loans = sum(g.loans for g in f.categories)
    categories = [
        {"name": g.name, "loans": g.loans, "balance": wan(g.balance), "share": _share(g.balance, f.loan_balance)}
        for g in f.categories
    ]
    migration = []
    if f.migration is not None:
        for state in MIGRATION_FROM:
            migration.append({
                "label": state,
                "cells": [_cell(f.migration.counts[state][to], f.migration.amounts[state][to]) for to in MIGRATION_TO],
            })

    def group(g: Any) -> dict[str, Any]:
        return {"name": g.name, "loans": g.loans, "balance": wan(g.balance), "npl_balance": wan(g.npl_balance),
                "off_balance": wan(g.off_balance), "recovered": wan(g.recovered)}

    large = f.large_npls
    summary = "、".join(f"{loan.borrower}{wan(loan.balance)}万元（客户经理{loan.officer}）" for loan in large[:3])
    if len(large) > 3:
        summary += "等"
    recovered_cases = [loan for loan in f.litigation if loan.recovered > 0]
    detail = ""
    if recovered_cases:
        detail = "，其中" + "、".join(f"{loan.borrower}{wan(loan.recovered)}万元" for loan in recovered_cases)
    to_sue = [
        {"seq": i, "borrower": loan.borrower, "loan_no": loan.loan_no, "days": overdue_days(loan, f.as_of),
         "balance": wan(loan.balance), "officer": loan.officer,
         "limitation_deadline": loan.limitation_deadline, "barred": _barred(loan, f.as_of)}
        for i, loan in enumerate(f.to_sue, start=1)
    ]
    plan = notes.plan
    if not plan:
        notify(MESSAGES.notice("notes-without-plan"))
        plan = [PLAN_MISSING]
    return {
        "period_label": p.label,
        "period_name": p.name,
        "recipient": notes.recipient,
        "branch": branch,
        "as_of": f.as_of,
        "report_date": notes.date or f.as_of,
        "start_word": p.start_word,
        "task_word": p.task_word,
        "span_word": p.span_word,
        "npl_balance": wan(f.npl_balance),
        "has_opening": f.has_opening,
        "change_direction": direction,
        "change": wan_round(abs(change)) if change is not None else "—",
        "npl_ratio": pct(f.npl_ratio) + "%" if f.npl_ratio is not None else "—",
        "npl_balance_corrected": wan(f.npl_balance_corrected),
        "npl_ratio_corrected": pct(f.npl_ratio_corrected) + "%" if f.npl_ratio_corrected is not None else "—",
        "overdue_balance": wan(f.overdue_balance),
        "overdue_change_direction": "" if f.overdue_change is None else direction_word(f.overdue_change),
        "overdue_change": "" if f.overdue_change is None else wan(abs(f.overdue_change)),
        "overdue90_balance": wan(f.overdue90_balance),
        "deviation": pct(f.deviation) + "%" if f.deviation is not None else "—",
        "has_reduction_target": f.targets.reduction_target is not None,
        "reduction_target": wan_round(f.targets.reduction_target),
        "reduction_completion": pct(f.reduction_completion) + "%" if f.reduction_completion is not None else "—",
        "off_balance": wan(f.off_balance),
        "recovered": wan(f.off_recovered),
        "has_recovery_target": f.targets.recovery_target is not None,
        "recovery_target": wan_round(f.targets.recovery_target),
        "recovery_completion": pct(f.recovery_completion) + "%" if f.recovery_completion is not None else "—",
        "loan_count": on_loans,
        "loan_balance": wan(f.loan_balance),
        "cat": {_CAT_KEYS[name]: wan(f.by_category[name]) for name in CLASSIFICATIONS},
        "categories": categories,
        "migration": migration,
        "chart": Image(chart_png, 160, name="npl-chart"),
        "chart_caption": "图1  不良贷款构成及分客户经理不良余额（单位：万元）",
        "officers": [group(g) for g in f.officers],
        "branches": [group(g) for g in f.branches],
        "collection": list(notes.collection),
        "large_threshold": wan_round(f.targets.large_npl_threshold),
        "large_count": len(large),
        "large_total": wan(sum((loan.balance for loan in large), Decimal(0))),
        "large_summary": summary,
        "large_npls": [
            {"seq": i, "borrower": loan.borrower, "loan_no": loan.loan_no, "balance": wan(loan.balance),
             "classification": loan.classification if loan.on_balance else f"{loan.classification}（表外）",
             "officer": loan.officer, "leader": loan.leader or "—"}
            for i, loan in enumerate(large, start=1)
        ],
        "has_leaders": any(loan.leader for loan in large),
        "to_sue_count": len(f.to_sue),
        "to_sue_balance": wan(sum((loan.balance for loan in f.to_sue), Decimal(0))),
        "to_sue": to_sue,
        "to_sue_barred": sum(row["barred"] for row in to_sue),
        "litigation": [
            {"borrower": loan.borrower, "loan_no": loan.loan_no, "status": loan.litigation,
             "balance": wan(loan.balance), "recovered": wan(loan.recovered), "officer": loan.officer}
            for loan in f.litigation
        ],
        "litigation_count": len(f.litigation),
        "litigation_balance": wan(sum((loan.balance for loan in f.litigation), Decimal(0))),
        "litigation_recovered": wan(f.litigation_recovered),
        "litigation_recovered_detail": detail,
        "litigation_notes": list(notes.litigation),
        "plan": list(plan),
        "flag_count": len(f.flags),
        "flags": [
            {"seq": i, "loan_no": flag.loan_no, "borrower": flag.borrower, "check": FLAG_LABELS[flag.code],
             "days": flag.days_past_due, "classification": flag.classification, "required": flag.required or "—",
             "officer": flag.officer}
            for i, flag in enumerate(f.flags, start=1)
        ],
    }


def reporting_unit(notes: Notes, figures: NplFigures, path: str | os.PathLike[str]) -> str:
    """Return the unit signing the report: ``notes.branch``, else the only branch of the ledger at
    ``path`` (whose figures are ``figures``).

    Raises ``InputError`` when the ledger spans several branches and notes name none.
    """
    if notes.branch:
        return notes.branch
    if len(figures.branches) == 1:
        return figures.branches[0].name
    raise MESSAGES.error(InputError, "report-branch-unknown", path=str(path), count=len(figures.branches))


def render_report(figures: NplFigures, notes: Notes, *, branch: str, template_path: str | os.PathLike[str] | None = None) -> bytes:
    """Return the report .docx bytes rendered through ``docgen.documents.template``.

    Raises ``TemplateError`` (template missing or broken) or ``RenderError`` (context rejected).
    """
    from docgen.documents.template import load_template

    template = load_template(TEMPLATE_NAME) if template_path is None else load_template(
        TEMPLATE_NAME, path=template_path)
    context = report_context(figures, notes, branch=branch, chart_png=render_chart(figures))
    chart = context["chart"]
    prepared = template.prepare(context)
    prepared["chart"] = chart  # cerberus copies values; the picture object must stay itself
    return template.render(prepared)


def _read_opening(path: str, period: Period, vocabulary: Vocabulary | None = None) -> tuple[str, Any]:
    """Worker: read and validate the opening ledger a block at a time; send back only what the
    figures use (``OpeningSummary``) and the unknown headers.

    Project errors travel as data because their own pickling would drop the problem list. The
    ledger is read in this one process (``parallel=False``): the closing ledger is read at the same
    time, and two busy processes are what two cores run.
    """
    try:
        blocks = iter_ledger_blocks(path, vocabulary=vocabulary, parallel=False)
        summary = summarize_opening(blocks.lazily(), period)
    except ProblemsError as exc:
        return "problems", (type(exc), exc.args[0], exc.problems)
    except DocgenError as exc:
        return "error", (type(exc), exc.args)
    return "ok", (summary.packed(), blocks.unknown_headers)


def _opening_result(status: str, payload: Any) -> tuple[OpeningSummary, list[str]]:
    """Return ``_read_opening``'s summary and unknown headers, or raise the error it sent."""
    if status == "problems":
        cls, message, problems = payload
        raise cls(message, problems)
    if status == "error":
        cls, args = payload
        raise cls(*args)
    return payload


def _same_file(first: str | os.PathLike[str], second: str | os.PathLike[str]) -> bool:
    """Whether the two paths name one file (a link to it included); False when either is missing."""
    try:
        return os.path.samefile(first, second)
    except OSError:
        return False


def read_figures(
    closing: str | os.PathLike[str], opening: str | os.PathLike[str] | None, *, period: Period,
    as_of: _dt.date | None = None, targets: str | os.PathLike[str] | Targets | None = None, policy: Any = None,
    vocabulary: Vocabulary | None = None,
) -> NplFigures:
    """Read the closing ledger and, if given, the opening one, and return the report's figures.

    The closing ledger's loans are counted a block at a time (``NplTally``) and the opening one is
    reduced to its ``OpeningSummary``, so neither ledger is held whole. A large opening ledger is
    read in a second process while this one reads the closing ledger (on two cores two
    100,000-loan files then take about the time of one); when that process dies or fails otherwise
    than with a project error the opening ledger is read in this one, and when the closing ledger
    fails that process is stopped rather than waited for. Each of the two is then read by one
    process (``iter_ledger_blocks(parallel=False)``): two busy processes on two cores, not four.
    A large closing ledger read alone (no opening ledger, or a small one) is read by two processes
    instead, one reading the workbook, this one validating and counting
    (``docgen.loans.ledger_pipe``). ``vocabulary`` reads both (default: the
    shipped policy's); ``policy`` and ``targets`` (a targets file or ``Targets``) are
    ``compute_figures``'s. Headers nobody asked for are noticed, file by file.

    Raises ``InputError`` for an ``as_of`` before the period (``report_as_of``) or an opening
    ledger that is the closing one, then
    ``read_ledger``'s errors (``InputError`` for a ledger without loans among them, the opening
    one's too), the closing file's first, then the targets file's errors.
    """
    as_of = report_as_of(period, as_of)  # a day before the period is refused before a ledger is read
    if opening is not None and _same_file(closing, opening):
        # One snapshot given twice: every change would be 0 and every loan would stay in its class.
        raise MESSAGES.error(InputError, "opening-is-closing", file=str(opening))
    pool = None
    future = None
    if opening is not None and worth_a_process(opening):
        from concurrent.futures import ProcessPoolExecutor

        # Started before this process opens anything: a forked worker starts small.
        pool = ProcessPoolExecutor(max_workers=1, mp_context=process_context())
        future = pool.submit(_read_opening, str(opening), period, vocabulary)
    try:
        # While the opening ledger is read beside it, the closing one is read by this process alone.
        closing_blocks = iter_ledger_blocks(closing, vocabulary=vocabulary, parallel=future is None)
        try:
            target_values = targets if targets is None or isinstance(targets, Targets) else load_targets(targets)
            bad_targets = None
        except DocgenError as exc:  # reported after the ledgers' own errors, as when they were read first
            target_values, bad_targets = None, exc
        tally = NplTally(as_of, targets=target_values, policy=policy, migration=opening is not None)
        for loans in closing_blocks.lazily():
            tally.add(loans)
        summary, opening_unknown = None, []
        outcome = None
        if future is not None:
            try:
                outcome = future.result()
            except DocgenError:  # the opening ledger's own error: reading it again here would only repeat it
                raise
            except Exception:  # noqa: BLE001 - the worker died (killed, out of memory) or could not answer:
                outcome = None  # the ledger is read here instead, to the same figures
        if outcome is None and opening is not None:
            outcome = _read_opening(str(opening), period, vocabulary)
        if outcome is not None:
            summary, opening_unknown = _opening_result(*outcome)
    except BaseException:
        if pool is not None:
            _abandon(pool)
            pool = None
        raise
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    for path, unknown in ((closing_blocks.path, closing_blocks.unknown_headers), (opening, opening_unknown)):
        if unknown:
            # Usually a misspelt header: say so rather than silently dropping the column.
            notify(MESSAGES.notice("unknown-ledger-columns", path=str(path), columns="、".join(unknown)))
    if bad_targets is not None:
        raise bad_targets
    return tally.figures(period, summary)


def _abandon(pool: Any) -> None:
    """Shut ``pool`` down without waiting for its worker, which is stopped: the error that ends the
    report shows now, not once the opening ledger has been read for nothing (the interpreter would
    otherwise wait for the worker when it exits)."""
    workers = list((getattr(pool, "_processes", None) or {}).values())  # no public way before 3.14
    pool.shutdown(wait=False, cancel_futures=True)
    for worker in workers:
        worker.terminate()


@dataclass
class ReportResult:
    """What ``build_report`` produced: the figures and the files written (if any)."""

    figures: NplFigures
    docx: Path | None = None
    pdf: Path | None = None


def build_report(
    ledger: str | os.PathLike[str],
    *,
    period: Period,
    opening: str | os.PathLike[str] | None = None,
    as_of: _dt.date | None = None,
    targets: str | os.PathLike[str] | Targets | None = None,
    notes: str | os.PathLike[str] | Notes | None = None,
    output: str | os.PathLike[str] | None = None,
    pdf: bool = False,
    template_path: str | os.PathLike[str] | None = None,
    vocabulary: Vocabulary | None = None,
    check_unit: bool = False,
    policy: Any = None,
) -> ReportResult:
    """Compute the NPL report from ledger files and optionally write it as .docx (and PDF).

    ``policy`` (``docgen.loans.plan.Policy``, default the shipped one) is the collection policy,
    as ``collect plan --policy`` reads it: its vocabulary reads the ledgers, its
    ``overdue_normal_grace_days`` and timetable drive the overdue-normal check and ``to_sue``.
    ``vocabulary`` overrides the policy's for reading the ledgers.
    ``check_unit`` without ``output``: also find the unit signing the report, so that a report
    which could not be written is refused now (the service writes it later, in a job).

    Returns a ``ReportResult``. Raises ``InputError`` (unreadable ledger, targets or notes;
    exit 2), ``RowsError`` (bad ledger rows; exit 1), ``RenderError``/``TemplateError`` from the
    template engine and ``ConversionError`` from the PDF step. The .docx is written atomically.
    """
    if vocabulary is None and policy is not None:
        vocabulary = policy.vocabulary
    figures = read_figures(ledger, opening, period=period, as_of=as_of, targets=targets, policy=policy,
                           vocabulary=vocabulary)
    note_values = notes if isinstance(notes, Notes) else (load_notes(notes) if notes is not None else Notes())
    result = ReportResult(figures)
    if output is None:
        if check_unit:
            reporting_unit(note_values, figures, ledger)
        return result
    from docgen.core.atomic import write_bytes_atomic

    branch = reporting_unit(note_values, figures, ledger)
    data = render_report(figures, note_values, branch=branch, template_path=template_path)
    out = Path(output)
    write_bytes_atomic(out, data)
    result.docx = out
    if pdf:
        from docgen.documents.pdf import convert_to_pdf

        converted = convert_to_pdf([out], out.parent)
        result.pdf = Path(converted[0]) if converted else out.with_suffix(".pdf")
    return result
