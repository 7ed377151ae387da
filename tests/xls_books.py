"""Excel 97-2003 (.xls) workbooks for the reader's tests: an .xlsx written with openpyxl, copied
cell by cell with xlwt (BIFF8, what Excel 2003 and banks' older systems write).

The copy keeps what the reader looks at: text, numbers, booleans, date cells (a date format,
with the time of day when the cell has one), error cells (#N/A, #DIV/0! …: an openpyxl cell of type
``e``, written as BIFF's error cell) and each sheet's visibility (shown, hidden, very hidden).
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any


#: BIFF8's codes of Excel's error values (xlwt's own table of their texts misses #N/A and has #VALUE! wrong).
_BIFF_ERRORS = {"#NULL!": 0x00, "#DIV/0!": 0x07, "#VALUE!": 0x0F, "#REF!": 0x17, "#NAME?": 0x1D, "#NUM!": 0x24,
                "#N/A": 0x2A}


def xls_copy(source: Path, target: Path, *, day: int | str = "yyyy-mm-dd") -> Path:
    """Write the workbook ``source`` (.xlsx) as ``target`` (.xls) and return ``target``; its date
    cells (no time of day) in the number format ``day``: a format string, or the id of one of
    Excel's built-in formats (``built_in_style``: 31 is ``yyyy年m月d日``)."""
    import openpyxl
    import xlwt

    book = openpyxl.load_workbook(source)
    out = xlwt.Workbook(encoding="utf-8")
    moment = xlwt.easyxf(num_format_str="yyyy-mm-dd hh:mm")
    day = built_in_style(out, day) if isinstance(day, int) else xlwt.easyxf(num_format_str=day)
    visibility = {"visible": 0, "hidden": 1, "veryHidden": 2}
    for sheet in book.worksheets:
        copy = out.add_sheet(sheet.title)
        copy.visibility = visibility[sheet.sheet_state]
        for r, cells in enumerate(sheet.iter_rows()):
            for c, cell in enumerate(cells):
                value = cell.value
                if cell.data_type == "e":
                    copy.row(r).set_cell_error(c, _BIFF_ERRORS[value])
                elif isinstance(value, dt.datetime):
                    copy.write(r, c, value, day if value.time() == dt.time(0, 0) else moment)
                elif isinstance(value, dt.date):
                    copy.write(r, c, value, day)
                elif value is not None:
                    copy.write(r, c, value)
    out.save(str(target))
    return target


def built_in_style(book: Any, number_format: int) -> Any:
    """Return a style of the xlwt workbook ``book`` whose cells take Excel's built-in number format
    ``number_format`` (its id: 14 ``m/d/yy``, 31 ``yyyy年m月d日`` …), written as Excel writes one: the
    id alone, no FORMAT record. xlwt knows the built-in formats by their strings, and ids 27-36 and
    50-58 (East-Asian dates, whose strings depend on the language of Excel) not at all: a name no
    format string has is mapped to the id in its table."""
    import xlwt

    name = f"built-in number format {number_format}"
    book._Workbook__styles._num_formats.setdefault(name, number_format)
    style = xlwt.XFStyle()
    style.num_format_str = name
    return style


def merge_header(path: Path, cells: str) -> tuple[object, ...]:
    """Merge the header cells ``cells`` (``M1:N1``) of the workbook's first sheet as Excel's
    合并后居中 leaves them: the first cell keeps its title, the others are emptied. Returns the
    titles they held before, left to right."""
    import openpyxl

    book = openpyxl.load_workbook(path)
    sheet = book.active
    (row,) = sheet[cells]
    titles = tuple(cell.value for cell in row)
    for cell in row[1:]:
        cell.value = None
    sheet.merge_cells(cells)
    book.save(path)
    return titles
