"""Check reports for people: text (terminal), Markdown (e-mail) and Word (a printable 资料清单).

Every renderer consumes the DESIGN §5 report dict (what ``Report.to_dict(lang)`` returns, plus
``draftable``), never the checker's objects, so the formats stay decoupled from the engine and
can be tested on a hand-built dict. What §5 does not carry (stage titles, who provides an item,
the borrower's name) comes in an optional ``ReportMeta``; without it the renderers fall back to
ids, so a bare §5 dict still renders.

All three formats say the same things: per stage a table of items with a status symbol, that
stage's findings, the findings that belong to no stage, the annexes that can be drafted now,
and one summary line (``summary_line``) that scripts and tests can rely on.
"""
from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

import click

from docgen.check.messages import ANNEX_PREFIX, ERRORS, OUTPUT
from docgen.check.messages import REPORT_CODE_LABELS as CODE_LABELS
from docgen.check.messages import REPORT_DOCX_STATUS as DOCX_STATUS
from docgen.check.messages import REPORT_LABELS as LABELS
from docgen.check.messages import REPORT_PROVIDERS as _PROVIDERS


#: item status -> symbol used in text and Markdown (DESIGN §5 statuses).
STATUS_SYMBOLS: dict[str, str] = {"ok": "✓", "missing": "✗", "invalid": "!", "waived": "○"}

_STATUS_COLORS: dict[str, str] = {"ok": "green", "missing": "red", "invalid": "yellow", "waived": "blue"}
_SEVERITY_SYMBOLS: dict[str, str] = {"error": "✗", "warning": "!", "info": "·"}
_SEVERITY_COLORS: dict[str, str] = {"error": "red", "warning": "yellow", "info": "cyan"}

@dataclass
class ReportMeta:
    """What a person wants to read that the §5 dict does not carry.

    ``stage_titles`` and ``checklist_title`` map to ``{"zh": ..., "en": ...}``; ``providers``
    maps item id to ``"client"`` or ``"bank"``; ``borrower`` and ``project`` are names from
    bundle.yaml when it had them; ``stage_groups`` puts a stage's items under group sub-headings.
    """

    checklist_title: dict[str, str] = field(default_factory=dict)
    stage_titles: dict[str, dict[str, str]] = field(default_factory=dict)
    providers: dict[str, str] = field(default_factory=dict)
    borrower: str | None = None
    project: str | None = None
    #: stage id -> item id -> group title ``{zh, en}`` (申请人基本资料, 项目资料, 银行上报资料 …).
    stage_groups: dict[str, dict[str, dict[str, str]]] = field(default_factory=dict)


def meta_from_checklist(checklist: Any, bundle_data: Mapping[str, Any] | None = None) -> ReportMeta:
    """Return a ``ReportMeta`` read from a loaded checklist (duck-typed) and bundle.yaml data.

    ``checklist`` needs ``.title`` and ``.stages`` (each with ``.id`` and ``.title``) and
    optionally ``.items`` (a mapping or list of items with ``.id`` and ``.provider``).
    Missing attributes are skipped, never raised: the meta only improves the wording.
    """
    meta = ReportMeta()
    if checklist is not None:
        meta.checklist_title = dict(getattr(checklist, "title", None) or {})
        groups = getattr(checklist, "groups", None) or {}
        for stage in getattr(checklist, "stages", None) or []:
            meta.stage_titles[stage.id] = dict(getattr(stage, "title", None) or {})
            for entry in getattr(stage, "entries", None) or []:
                group = getattr(entry, "group", None)
                if group and group in groups:
                    meta.stage_groups.setdefault(stage.id, {})[entry.item.id] = dict(groups[group])
        items = getattr(checklist, "items", None) or {}
        for item in items.values() if isinstance(items, Mapping) else items:
            provider = getattr(item, "provider", None)
            if provider:
                meta.providers[item.id] = provider
    data = bundle_data or {}
    borrower = data.get("borrower") if isinstance(data, Mapping) else None
    if isinstance(borrower, Mapping) and borrower.get("name"):
        meta.borrower = str(borrower["name"])
    project = data.get("project") if isinstance(data, Mapping) else None
    if isinstance(project, Mapping) and project.get("name"):
        meta.project = str(project["name"])
    return meta


# ---------------------------------------------------------------------------------------------
# Shared reading of the report dict


def _lang(lang: str) -> str:
    return lang if lang in LABELS else "zh"


def _title(titles: Mapping[str, str] | str | None, lang: str, fallback: str = "") -> str:
    """Pick the title in ``lang`` from a ``{zh, en}`` mapping, falling back to the other one."""
    if isinstance(titles, str):
        return titles
    if not titles:
        return fallback
    return titles.get(lang) or titles.get("zh") or titles.get("en") or fallback


def _stage_title(stage_id: str, meta: ReportMeta, lang: str) -> str:
    return _title(meta.stage_titles.get(stage_id), lang, stage_id)


def counts(report: Mapping[str, Any]) -> dict[str, int]:
    """Return the figures of the summary line: stages, items, missing, invalid, waived, warnings, errors.

    Items are counted per stage (an item used in two stages counts twice, as it is listed twice);
    warnings and errors count findings by severity.
    """
    stages = report.get("stages") or []
    items = [item for stage in stages for item in stage.get("items") or []]
    findings = report.get("findings") or []
    return {
        "stages": len(stages),
        "items": len(items),
        "missing": sum(1 for i in items if i.get("status") == "missing"),
        "invalid": sum(1 for i in items if i.get("status") == "invalid"),
        "waived": sum(1 for i in items if i.get("status") == "waived"),
        "warnings": sum(1 for f in findings if f.get("severity") == "warning"),
        "errors": sum(1 for f in findings if f.get("severity") == "error"),
    }


def summary_line(report: Mapping[str, Any], lang: str = "zh") -> str:
    """Return the one-line verdict, e.g. ``不完整：3 个阶段，47 项，缺失 5，无效 3，警告 4``.

    English: ``INCOMPLETE: 3 stages, 47 items, 5 missing, 3 invalid, 4 warnings``.
    """
    c = counts(report)
    return OUTPUT.text("report/summary", {**c, "complete": bool(report.get("complete"))}, _lang(lang))


def _findings_by_stage(report: Mapping[str, Any]) -> tuple[dict[str, list[Mapping[str, Any]]],
                                                           list[Mapping[str, Any]]]:
    """Split findings into those of each reported stage and the rest (no stage, or unknown stage)."""
    stage_ids = {stage.get("id") for stage in report.get("stages") or []}
    by_stage: dict[str, list[Mapping[str, Any]]] = {sid: [] for sid in stage_ids}
    other: list[Mapping[str, Any]] = []
    for finding in report.get("findings") or []:
        sid = finding.get("stage")
        if sid in by_stage:
            by_stage[sid].append(finding)
        else:
            other.append(finding)
    return by_stage, other


def _item_numbers(report: Mapping[str, Any]) -> dict[tuple[str | None, str], str]:
    numbers: dict[tuple[str | None, str], str] = {}
    for stage in report.get("stages") or []:
        for item in stage.get("items") or []:
            numbers[(stage.get("id"), item.get("id"))] = str(item.get("no", ""))
    return numbers


def _finding_text(finding: Mapping[str, Any], lang: str, numbers: Mapping[tuple[str | None, str], str]) -> str:
    """Return ``13：缺少项目总平图`` or ``8：文件已加密…（path）``: item number, message, path.

    The message already says what is wrong (the code's own wording), so no code label is added.
    """
    lang = _lang(lang)
    item = finding.get("item")
    text = ""
    if item:
        text += (numbers.get((finding.get("stage"), item)) or item) + LABELS[lang]["colon"]
    text += str(finding.get("message", ""))
    if finding.get("path"):
        text += LABELS[lang]["aside"].format(finding["path"])
    return text


def _annex_label(annex: str, lang: str) -> str:
    """Return ``附件四`` as is in Chinese and as ``Annex 4`` in English (cn2an reads the numeral)."""
    if lang != "en" or not annex.startswith(ANNEX_PREFIX):
        return annex
    number = _annex_number(annex)
    return f"Annex {number}" if number is not None else annex


def _annex_number(annex: str) -> int | None:
    """Return 4 for ``附件四`` (cn2an reads the numeral), None for anything else."""
    if not annex.startswith(ANNEX_PREFIX):
        return None
    try:
        import cn2an

        return int(cn2an.cn2an(annex[len(ANNEX_PREFIX):], "smart"))
    except (ValueError, TypeError):
        return None


def draftable_entries(report: Mapping[str, Any], lang: str = "zh") -> list[tuple[str, str]]:
    """Return ``(label, command)`` pairs for the report's ``draftable`` annexes
    (``{id, annex, template, title}`` each): ``("附件四 承诺函", "docgen draft BUNDLE --annex 4")``.

    An annex is drafted from the bundle's own bundle.yaml; a template that is no annex keeps
    the ``docgen render NAME …`` form (its data comes from elsewhere). Annexes come in their
    numbers' order; a .zip bundle's command names an ``--out`` folder, which draft needs for it.
    """
    from docgen.core.wording import command_word

    bundle = str(report.get("bundle") or "BUNDLE")
    out = f" --out {LABELS[lang]['draft_folder']}" if bundle.lower().endswith(".zip") else ""
    bundle = command_word(bundle)
    entries: list[tuple[int | None, str, str]] = []
    for entry in report.get("draftable") or []:
        template = str(entry.get("template") or entry.get("id") or "")
        annex = entry.get("annex")
        annex_text = _annex_label(annex, lang) if annex else ""
        label = " ".join(p for p in (annex_text, _title(entry.get("title"), lang)) if p) or template
        number = _annex_number(annex) if annex else None
        entries.append((number, label, f"docgen draft {bundle} --annex {number}{out}" if number
                        else f"docgen render {template} …"))
    entries.sort(key=lambda e: (e[0] is None, e[0] or 0))  # stable: templates that are no annex keep their order
    return [(label, command) for _, label, command in entries]


def _grouped(items: Sequence[Mapping[str, Any]], groups: Mapping[str, Mapping[str, str]] | None,
             lang: str) -> list[tuple[str | None, Mapping[str, Any]]]:
    """Pair each item with the group title to print before it (None when the group did not change)."""
    out: list[tuple[str | None, Mapping[str, Any]]] = []
    current: str | None = None
    for item in items:
        title = _title((groups or {}).get(item.get("id", "")), lang) or None
        out.append((title if title and title != current else None, item))
        if title:
            current = title
    return out


# ---------------------------------------------------------------------------------------------
# Text

_TITLE_COLUMN_MAX = 44


def _layout(report: Mapping[str, Any], L: Mapping[str, str]) -> tuple[
        list[tuple[int, str, Mapping[str, Any], str]], dict[str, list[Mapping[str, Any]]],
        list[Mapping[str, Any]], dict[tuple[str | None, str], str]]:
    """Return what every people's format lays out: the stages as ``(number, id, stage, verdict)``,
    the findings by stage id, the findings of no stage, and the items' checklist numbers."""
    by_stage, other = _findings_by_stage(report)
    stages = [(index, stage.get("id", ""), stage, L["complete"] if stage.get("complete") else L["incomplete"])
              for index, stage in enumerate(report.get("stages") or [], 1)]
    return stages, by_stage, other, _item_numbers(report)


def render_text(report: Mapping[str, Any], lang: str = "zh", color: bool = False,
                *, meta: ReportMeta | None = None) -> str:
    """Return the terminal report: a table per stage, its findings, and one summary line last.

    ``color`` adds ANSI colours (click.style); callers pass it only for a TTY or ``--color``.
    The last line is always ``summary_line(report, lang)`` (coloured when ``color``).
    """
    lang = _lang(lang)
    meta = meta or ReportMeta()
    L = LABELS[lang]

    # Display widths are only for this layout: JSON and Markdown do not pay for wcwidth.
    from docgen.core.textwidth import display_width, pad, truncate

    def style(text: str, **kw: Any) -> str:
        return click.style(text, **kw) if color else text

    lines: list[str] = []
    checklist_title = _title(meta.checklist_title, lang)
    head = f"{L['heading']}{L['colon']}{report.get('checklist', '')}"
    if checklist_title:
        head += f" {checklist_title}"
    lines.append(style(head, bold=True))
    colon = L["colon"]
    facts = []
    if meta.borrower:
        facts.append(f"{L['borrower']}{colon}{meta.borrower}")
    if meta.project:
        facts.append(f"{L['project']}{colon}{meta.project}")
    facts.append(f"{L['bundle']}{colon}{report.get('bundle', '')}")
    facts.append(f"{L['as_of']}{colon}{report.get('as_of', '')}")
    lines.append("    ".join(facts))
    lines.append(L["legend"])

    stages, by_stage, other, numbers = _layout(report, L)
    for index, sid, stage, verdict in stages:
        verdict = style(verdict, fg="green" if stage.get("complete") else "red", bold=True)
        lines.append("")
        lines.append(style(f"{L['stage']} {index}/{len(stages)}  {_stage_title(sid, meta, lang)}{L['aside'].format(sid)}",
                           bold=True) + f"  {verdict}")
        items = stage.get("items") or []
        titles = [truncate(_title(i.get("title"), lang, i.get("id", "")), _TITLE_COLUMN_MAX) for i in items]
        no_width = max([display_width(L["no"])] + [display_width(str(i.get("no", ""))) for i in items])
        title_width = max([display_width(L["title"])] + [display_width(t) for t in titles])
        status_width = max(display_width(L["status"]), 1)
        lines.append("  " + "  ".join([pad(L["status"], status_width), pad(L["no"], no_width),
                                       pad(L["title"], title_width), L["files"]]))
        grouped = _grouped(items, meta.stage_groups.get(sid), lang)
        for (group, item), title in zip(grouped, titles):
            if group:
                lines.append("  " + style(f"【{group}】" if lang == "zh" else f"[{group}]", bold=True))
            status = item.get("status", "")
            symbol = STATUS_SYMBOLS.get(status, "?")
            # Pad before styling: ANSI escapes have no width but would fool the padding.
            cell = style(pad(symbol, status_width), fg=_STATUS_COLORS.get(status))
            files = "; ".join(item.get("files") or []) or L["none"]
            lines.append("  " + "  ".join([cell, pad(str(item.get("no", "")), no_width),
                                           pad(title, title_width), files]).rstrip())
        findings = by_stage.get(sid) or []
        if findings:
            lines.append(f"  {L['findings']}{colon}".rstrip())
            for finding in findings:
                sev = finding.get("severity", "")
                symbol = style(_SEVERITY_SYMBOLS.get(sev, "·"), fg=_SEVERITY_COLORS.get(sev))
                lines.append(f"    {symbol} {_finding_text(finding, lang, numbers)}")

    if other:
        lines.append("")
        lines.append(style(L["other_findings"], bold=True))
        for finding in other:
            sev = finding.get("severity", "")
            symbol = style(_SEVERITY_SYMBOLS.get(sev, "·"), fg=_SEVERITY_COLORS.get(sev))
            lines.append(f"  {symbol} {_finding_text(finding, lang, numbers)}")

    lines.append("")
    drafts = draftable_entries(report, lang)
    if drafts:
        joined = L["separator"].join(label + L["aside"].format(cmd) for label, cmd in drafts)
        lines.append(f"{L['draftable']}{colon}{joined}")
    else:
        lines.append(L["draftable_none"])
    lines.append(style(summary_line(report, lang), fg="green" if report.get("complete") else "red", bold=True))
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------
# Markdown


def _md_cell(text: str) -> str:
    """Escape a table cell: pipes would split it, newlines would end the row."""
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def render_markdown(report: Mapping[str, Any], lang: str = "zh", *, meta: ReportMeta | None = None) -> str:
    """Return the report as Markdown for e-mail: facts, a heading and table per stage, findings, summary.

    The summary line appears verbatim (bold) under its own heading.
    """
    lang = _lang(lang)
    meta = meta or ReportMeta()
    L = LABELS[lang]
    colon = L["colon"]
    out: list[str] = []
    title = _title(meta.checklist_title, lang)
    heading = f"{L['heading']}{colon}{meta.borrower}" if meta.borrower else L["heading"]
    out.append(f"# {heading}")
    out.append("")
    checklist = f"{report.get('checklist', '')}" + (L["aside"].format(title) if title else "")
    facts = [(L["checklist"], checklist)]
    if meta.borrower:
        facts.append((L["borrower"], meta.borrower))
    if meta.project:
        facts.append((L["project"], meta.project))
    facts += [(L["bundle"], f"`{report.get('bundle', '')}`"), (L["as_of"], str(report.get("as_of", ""))),
              (L["result"], f"**{L['complete'] if report.get('complete') else L['incomplete']}**")]
    out += [f"- {k}{colon}{v}" for k, v in facts]
    out.append("")
    out.append(L["legend"])

    stages, by_stage, other, numbers = _layout(report, L)
    for index, sid, stage, verdict in stages:
        out += ["", f"## {index}. {_stage_title(sid, meta, lang)}{L['aside'].format(f'`{sid}`')}{colon}{verdict}", ""]
        out.append(f"| {L['status']} | {L['no']} | {L['title']} | {L['files']} |")
        out.append("| :-: | --: | --- | --- |")
        for group, item in _grouped(stage.get("items") or [], meta.stage_groups.get(sid), lang):
            if group:
                out.append(f"|  |  | **{_md_cell(group)}** |  |")
            files = "<br>".join(_md_cell(f) for f in item.get("files") or []) or L["none"]
            out.append(f"| {STATUS_SYMBOLS.get(item.get('status', ''), '?')} | {_md_cell(str(item.get('no', '')))} "
                       f"| {_md_cell(_title(item.get('title'), lang, item.get('id', '')))} | {files} |")
        findings = by_stage.get(sid) or []
        if findings:
            out += ["", f"**{L['findings']}**", ""]
            for finding in findings:
                sym = _SEVERITY_SYMBOLS.get(finding.get("severity", ""), "·")
                out.append(f"- {sym} {_finding_text(finding, lang, numbers)}")
    if other:
        out += ["", f"## {L['other_findings']}", ""]
        for finding in other:
            sym = _SEVERITY_SYMBOLS.get(finding.get("severity", ""), "·")
            out.append(f"- {sym} {_finding_text(finding, lang, numbers)}")
    out += ["", f"## {L['draftable']}", ""]
    drafts = draftable_entries(report, lang)
    out += [f"- {label}{colon}`{cmd}`" for label, cmd in drafts] or [L["draftable_none"]]
    out += ["", f"## {L['summary']}", "", f"**{summary_line(report, lang)}**", ""]
    return "\n".join(out)


# ---------------------------------------------------------------------------------------------
# Word (.docx)

def _shade(cell: Any, fill: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shd)


def _repeat_header(row: Any) -> None:
    """Mark a table row as a header row repeated on every printed page."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tr_pr = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    tr_pr.append(header)


def render_docx(report: Mapping[str, Any], lang: str = "zh", *, meta: ReportMeta | None = None) -> bytes:
    """Return a printable 资料清单 (.docx bytes): A4, title, borrower, as-of date, a table per stage
    (序号/资料名称/提供方/状态/文件), the findings, the summary line and signature lines.
    """
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    lang = _lang(lang)
    meta = meta or ReportMeta()
    L = LABELS[lang]
    colon = L["colon"]
    from docgen.core.docxbuild import add_paragraphs, new_document

    # The templates' A4 page, Chinese faces with zh-CN, and page-number footer in the report's language.
    doc = new_document(body_size=10.5, letter_size=10.5, line_spacing=1.0, lang=lang)
    core = doc.core_properties
    core.title = L["doc_title"]
    core.language = "zh-CN" if lang == "zh" else "en-US"

    checklist_title = _title(meta.checklist_title, lang)
    if not checklist_title or checklist_title.lower().endswith(L["doc_title"].lower()):
        heading = checklist_title or L["doc_title"]  # e.g. 房地产开发贷款资料清单: no need to repeat 资料清单
    else:
        heading = f"{checklist_title}{L['doc_title']}" if lang == "zh" else f"{L['doc_title']}: {checklist_title}"
    title = doc.add_paragraph(heading, style="Title")
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER

    facts = [(L["borrower"], meta.borrower or L["none"])]
    if meta.project:
        facts.append((L["project"], meta.project))
    facts += [(L["as_of"], str(report.get("as_of", ""))),
              (L["checklist"], str(report.get("checklist", ""))),
              (L["bundle"], str(report.get("bundle", ""))),
              (L["result"], L["complete"] if report.get("complete") else L["incomplete"])]
    for key, value in facts:
        para = doc.add_paragraph()
        para.add_run(f"{key}{colon}").bold = True
        para.add_run(value)
        para.paragraph_format.space_after = Pt(0)

    by_stage, other = _findings_by_stage(report)
    numbers = _item_numbers(report)
    # English column titles are longer words than the Chinese (Provider, Status): their columns are
    # widened from the title's, so that no title breaks inside a word
    widths = tuple(Mm(w) for w in ((12, 70, 16, 14, 48) if lang == "zh" else (12, 59, 23, 18, 48)))
    stages = report.get("stages") or []
    status_marks = DOCX_STATUS[lang]
    for index, stage in enumerate(stages, 1):
        sid = stage.get("id", "")
        verdict = L["complete"] if stage.get("complete") else L["incomplete"]
        doc.add_heading(f"{index}. {_stage_title(sid, meta, lang)}{L['aside'].format(verdict)}", level=1)
        items = stage.get("items") or []
        table = doc.add_table(rows=1, cols=5)
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        # LibreOffice lays out by the grid columns, Word by the cell widths: set both.
        for column, width in zip(table.columns, widths):
            column.width = width
        header = table.rows[0]
        _repeat_header(header)
        for cell, text, width in zip(header.cells, (L["no"], L["title"], L["provider"], L["status"], L["files"]),
                                     widths):
            cell.width = width
            cell.text = ""
            run = cell.paragraphs[0].add_run(text)
            run.bold = True
            cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
            _shade(cell, "D9D9D9")
        for group, item in _grouped(items, meta.stage_groups.get(sid), lang):
            if group:
                # A group sub-heading: one shaded row spanning the whole table.
                row = table.add_row()
                merged = row.cells[0].merge(row.cells[-1])
                merged.text = ""
                merged.paragraphs[0].add_run(group).bold = True
                _shade(merged, "F2F2F2")
            provider = meta.providers.get(item.get("id", ""))
            provider_text = _PROVIDERS[lang].get(provider or "", provider or "")
            values = (str(item.get("no", "")), _title(item.get("title"), lang, item.get("id", "")),
                      provider_text, status_marks.get(item.get("status", ""), "?"),
                      "\n".join(item.get("files") or []))
            cells = table.add_row().cells
            for col, (cell, text, width) in enumerate(zip(cells, values, widths)):
                cell.width = width
                cell.text = text
                if col in (0, 2, 3):
                    cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
                if col == 4:
                    for para in cell.paragraphs:
                        for run in para.runs:
                            run.font.size = Pt(8)
        stage_findings = by_stage.get(sid) or []
        if stage_findings:
            doc.add_paragraph(L["findings"], style="Heading 2")
            add_paragraphs(doc, [_finding_text(f, lang, numbers) for f in stage_findings], "List Bullet")

    doc.add_heading(L["other_findings"] if other else L["findings"], level=1)
    if other:
        add_paragraphs(doc, [_finding_text(f, lang, numbers) for f in other], "List Bullet")
    elif not report.get("findings"):
        doc.add_paragraph(L["no_findings"])
    drafts = draftable_entries(report, lang)
    if drafts:
        doc.add_heading(L["draftable"], level=1)
        for label, cmd in drafts:
            doc.add_paragraph(f"{label}{colon}{cmd}", style="List Bullet")

    summary = doc.add_paragraph()
    summary.paragraph_format.space_before = Pt(12)
    summary.add_run(summary_line(report, lang)).bold = True

    signature = doc.add_paragraph(L["signatures"])
    signature.paragraph_format.space_before = Pt(36)

    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


#: Control characters (tab and newline aside): from a client's bundle.yaml or file names they
#: would drive the terminal (ANSI escapes) and cannot be stored in a .docx at all.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _printable(value: Any) -> Any:
    """Return ``value`` with control characters in its strings shown as ``\\xNN``, recursively."""
    if isinstance(value, str):
        return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", value)
    if isinstance(value, Mapping):
        return {k: _printable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_printable(v) for v in value]
    return value


def render(report: Mapping[str, Any], fmt: str, lang: str = "zh", *, color: bool = False,
           meta: ReportMeta | None = None) -> str | bytes:
    """Return the report in ``fmt`` (``text``, ``markdown``, ``json`` or ``docx``; docx is bytes).

    For people (text, markdown, docx) control characters in the report's strings are shown
    escaped; JSON escapes them itself.
    """
    if fmt != "json":
        report = _printable(report)
        if meta is not None:
            meta = ReportMeta(**{f.name: _printable(getattr(meta, f.name)) for f in fields(meta)})
    if fmt == "text":
        return render_text(report, lang, color, meta=meta)
    if fmt == "markdown":
        return render_markdown(report, lang, meta=meta)
    if fmt == "docx":
        return render_docx(report, lang, meta=meta)
    if fmt == "json":
        import json

        return json.dumps(report, ensure_ascii=False, indent=2, default=str) + "\n"
    raise ERRORS.fault(ValueError, "report-format-unknown", format=fmt)


__all__: Sequence[str] = (
    "ReportMeta", "meta_from_checklist", "counts", "summary_line", "draftable_entries",
    "render_text", "render_markdown", "render_docx", "render", "STATUS_SYMBOLS",
    "DOCX_STATUS", "CODE_LABELS", "LABELS",
)
