"""The collection plan for people: a CJK-aligned text table and an Excel workbook.

The JSON form is ``Plan.to_list()`` (DESIGN §8); these two say the same things in Chinese:
one row per overdue loan, most urgent first, with the next action, its due date, both legal
deadlines and the warnings in words.
"""
from __future__ import annotations

import datetime as _dt
import io
import os
from typing import Any

from docgen.core.atomic import write_bytes_atomic
from docgen.core.textwidth import display_width, pad
from docgen.loans.messages import MESSAGES, PLAN_COLUMNS, PLAN_NUMERIC, plan_label
from docgen.loans.plan import Plan, PlanEntry
from docgen.core.cells import xlsx_cell

#: (header, width in Excel characters) of the columns both renderers show, in order.
COLUMNS: tuple[tuple[str, int], ...] = PLAN_COLUMNS


def _warnings_text(entry: PlanEntry) -> str:
    return "、".join(plan_label(w, entry.time_barred) for w in entry.warnings)


def _cells(entry: PlanEntry) -> list[Any]:
    return [
        entry.loan_no, entry.borrower, entry.branch, entry.officer, entry.overdue_since, entry.days_past_due,
        entry.bucket, entry.seed_bucket, plan_label(entry.next_action, entry.time_barred), entry.next_action_due,
        entry.limitation_deadline, entry.guarantee_deadline, entry.balance, _warnings_text(entry),
    ]


def _text_cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if hasattr(value, "quantize"):  # Decimal amount
        return f"{value:,.2f}"
    return str(value)


def render_text(plan: Plan) -> str:
    """Return the plan as a text table whose columns line up with Chinese text, plus a summary line."""
    headers = [name for name, _ in COLUMNS]
    rows = [[_text_cell(v) for v in _cells(entry)] for entry in plan.entries]
    widths = [max([display_width(h)] + [display_width(r[i]) for r in rows]) for i, h in enumerate(headers)]
    lines = [MESSAGES.text("plan-text/head", {"as_of": plan.as_of.isoformat(), "count": len(plan.entries)})]
    if not plan.entries:
        lines.append(MESSAGES.text("plan-text/none"))
        return "\n".join(lines) + "\n"
    lines.append("  ".join(pad(h, widths[i]) for i, h in enumerate(headers)).rstrip())
    lines.append("  ".join("-" * w for w in widths))
    for row in rows:
        lines.append("  ".join(
            pad(cell, widths[i], right=i in PLAN_NUMERIC) for i, cell in enumerate(row)
        ).rstrip())
    urgent = sum(1 for e in plan.entries if e.urgent_date is not None)
    overdue = sum(1 for e in plan.entries if any(w.endswith("-overdue") for w in e.warnings))
    lines.append("")
    lines.append(MESSAGES.text("plan-text/summary", {"urgent": urgent, "overdue": overdue,
                                                    "warning_days": plan.policy.warning_days}))
    return "\n".join(lines) + "\n"


def write_xlsx(plan: Plan, path: str | os.PathLike[str]) -> None:
    """Write the plan to an .xlsx workbook at ``path`` atomically.

    One sheet 催收计划: Chinese headers in a frozen first row with an auto-filter, dates as real
    date cells (yyyy-mm-dd), the balance as a number with two decimals, set column widths.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(MESSAGES.text("plan-sheet"))
    for i, (_, width) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{len(plan.entries) + 1}"
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    center = Alignment(horizontal="center", vertical="center")
    header = []
    for name, _ in COLUMNS:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font, cell.fill, cell.alignment = bold, fill, center
        header.append(cell)
    sheet.append(header)
    for entry in plan.entries:
        sheet.append([xlsx_cell(sheet, value) for value in _cells(entry)])
    buffer = io.BytesIO()
    workbook.save(buffer)  # finish the workbook first: a write-only one cannot be abandoned half-saved
    write_bytes_atomic(path, buffer.getvalue())
