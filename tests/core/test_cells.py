"""What docgen writes into spreadsheet cells: text never a formula, dates and amounts formatted."""
from __future__ import annotations

import datetime as _dt
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook, load_workbook

from docgen.core.cells import csv_safe, xlsx_cell


def test_csv_text_that_would_start_a_formula_is_quoted() -> None:
    assert [csv_safe(v) for v in ("=SUM(A1)", "@x", "张三", 5)] == ["'=SUM(A1)", "'@x", "张三", 5]


def test_xlsx_cells_round_trip_with_their_formats(tmp_path: Path) -> None:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("s")
    values = ["=HYPERLINK(\"x\")", _dt.date(2026, 11, 28), Decimal("1234.5"), None, 7]
    sheet.append([xlsx_cell(sheet, v) for v in values])
    workbook.save(tmp_path / "c.xlsx")
    row = next(load_workbook(tmp_path / "c.xlsx").active.iter_rows())
    assert row[0].value == "=HYPERLINK(\"x\")" and row[0].data_type == "s"
    assert row[1].value.date() == _dt.date(2026, 11, 28) and row[1].number_format == "yyyy-mm-dd"
    assert row[2].value == 1234.5 and row[2].number_format == "#,##0.00"
    assert (row[3].value, row[4].value) == (None, 7)
