"""Users' text in spreadsheets docgen writes (CSV manifests, .xlsx plans): never a live formula.

A borrower name or row key beginning with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage
return) is read by Excel as a formula when the file is opened: a cell ``=HYPERLINK(…)`` in a
ledger would become a link in the plan, ``=cmd|…`` an attack. In CSV, as OWASP advises for
CSV injection, such a value is written with a leading ``'`` (Excel shows the text, not the
quote). In .xlsx the cell is stored as text, which Excel never evaluates, so the value stays
exactly as typed.
"""
from __future__ import annotations

import datetime as _dt
from decimal import Decimal
from typing import Any

__all__ = ["FORMULA_TRIGGERS", "csv_safe", "xlsx_cell", "xlsx_text_cell"]

#: First characters that make a spreadsheet cell a formula (OWASP, CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: Any) -> Any:
    """Return ``value`` for a CSV cell: text that would start a formula gets a leading ``'``."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def xlsx_text_cell(sheet: Any, value: str) -> Any:
    """Return an openpyxl write-only cell holding ``value`` as text, never as a formula.

    A control character a worksheet cannot hold (a NUL from a damaged CSV ledger) is written as
    its visible symbol (U+2400 onwards: ␀ for NUL), so the cell shows where it was instead of
    the whole file failing."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE  # what openpyxl itself refuses to write

    value = ILLEGAL_CHARACTERS_RE.sub(lambda m: chr(0x2400 + ord(m.group())), value)
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"  # openpyxl would store "=…" as a formula
    return cell


def xlsx_cell(sheet: Any, value: Any) -> Any:
    """Return what a write-only sheet's row holds for ``value``: a date as a date cell shown
    ``yyyy-mm-dd``, a ``Decimal`` amount as a number shown ``#,##0.00``, text as text (never a
    formula), anything else as it is."""
    from openpyxl.cell import WriteOnlyCell

    if isinstance(value, str):
        return xlsx_text_cell(sheet, value)
    if isinstance(value, _dt.date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "yyyy-mm-dd"
        return cell
    if isinstance(value, Decimal):
        cell = WriteOnlyCell(sheet, value=float(value))
        cell.number_format = "#,##0.00"
        return cell
    return value
