"""A clerk's ledger cells that used to be misread without a word: Excel's error values (#N/A where a
date or a name should be), an ID number in full-width scientific notation, rows merged by a stray
CSV quote. Each is a row error (or the file is refused) naming where it is, never a value read."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from ledger_fixtures import row

from docgen.cli import main
from docgen.core import tabular
from docgen.loans.ledger import LEDGER_HEADERS, write_ledger

_HEADERS = list(LEDGER_HEADERS.values())

_FIX = "请把公式的错误改为实际的值，确实没有的留空，然后重试"
_NOT_EMPTY = "，不是数据，也不能当作空白（空白表示没有这一项，日期为空即该事未发生）；"


def _rows() -> list[dict[str, object]]:
    """Four loans, each with the cell an error value replaces: a guarantor called on, a suit filed."""
    called = {"guarantors": "王五", "guarantee_type": "连带责任保证", "guarantor_demanded": dt.date(2026, 1, 5)}
    return [row("A1", 1000, **called), row("A2", 1000), row("A3", 1000),
            row("A4", 1000, litigation="已起诉", litigation_filed=dt.date(2026, 2, 1))]


# (row, header, error value): an optional date, a required name, a required amount, an optional date.
_ERRORS = [(2, "向保证人主张日", "#N/A"), (3, "借款人", "#REF!"), (4, "发放金额", "#DIV/0!"), (5, "起诉日期", "#VALUE!")]


def _plan(path: Path) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["collect", "plan", "--ledger", str(path), "--as-of", "2026-06-30"])
    return result.exit_code, result.stderr


def _errors_workbook(path: Path) -> Path:
    write_ledger(_rows(), path)
    book = openpyxl.load_workbook(path)
    for number, header, error in _ERRORS:
        book.active.cell(row=number, column=_HEADERS.index(header) + 1).value = error  # an error cell (t="e")
    book.save(path)
    return path


@pytest.mark.parametrize("reader", ["stream", "python-calamine"])
def test_an_error_cell_in_a_ledger_column_is_a_row_error_naming_sheet_cell_and_value(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reader: str) -> None:
    # Read as an empty cell, #N/A under 向保证人主张日 said the guarantor was never called on, and
    # #REF! under 借款人 said the name was missing: now each is its own row error.
    path = _errors_workbook(tmp_path / "台账.xlsx")
    if reader == "python-calamine":
        monkeypatch.setattr(tabular, "streams_alike", lambda *_: False)
    code, stderr = _plan(path)
    assert code == 1
    assert stderr == (
        f"Error: {path}：台账有 4 行数据不合格，请按行列位置修改后重试\n"
        f"  - 第2行 Z（向保证人主张日）列 guarantor_demanded：工作表“贷款台账”的 Z2 是 Excel 的错误值 #N/A（公式没有算出结果）{_NOT_EMPTY}{_FIX}\n"
        f"  - 第3行 C（借款人）列 borrower：工作表“贷款台账”的 C3 是 Excel 的错误值 #REF!（公式没有算出结果）{_NOT_EMPTY}{_FIX}\n"
        f"  - 第4行 J（发放金额）列 principal：工作表“贷款台账”的 J4 是 Excel 的错误值 #DIV/0!（公式没有算出结果）{_NOT_EMPTY}{_FIX}\n"
        f"  - 第5行 W（起诉日期）列 litigation_filed：工作表“贷款台账”的 W5 是 Excel 的错误值 #VALUE!（公式没有算出结果）{_NOT_EMPTY}{_FIX}\n")


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
def test_an_error_value_saved_in_a_csv_is_the_same_row_error(tmp_path: Path, encoding: str) -> None:
    # Excel writes an error cell into a CSV as its text: #N/A would have been a date that does not
    # parse, and #REF! a borrower's name.
    rows = _rows()
    fields = {header: name for name, header in LEDGER_HEADERS.items()}
    for number, header, error in _ERRORS:
        rows[number - 2][fields[header]] = error
    path = write_ledger(rows, tmp_path / "台账.csv", encoding=encoding)
    code, stderr = _plan(path)
    assert code == 1
    said = f"Excel 的错误值 {{}}（另存为 CSV 之前公式就没有算出结果）{_NOT_EMPTY}{_FIX}"
    assert stderr == (
        f"Error: {path}：台账有 4 行数据不合格，请按行列位置修改后重试\n"
        f"  - 第2行 Z（向保证人主张日）列 guarantor_demanded：该格是 {said.format('#N/A')}\n"
        f"  - 第3行 C（借款人）列 borrower：该格是 {said.format('#REF!')}\n"
        f"  - 第4行 J（发放金额）列 principal：该格是 {said.format('#DIV/0!')}\n"
        f"  - 第5行 W（起诉日期）列 litigation_filed：该格是 {said.format('#VALUE!')}\n")


def test_an_error_cell_in_a_column_the_ledger_does_not_read_changes_nothing(tmp_path: Path) -> None:
    path = write_ledger(_rows(), tmp_path / "台账.xlsx")
    book = openpyxl.load_workbook(path)
    sheet = book.active
    column = sheet.max_column + 1
    sheet.cell(row=1, column=column).value = "核对"  # a clerk's own column, no ledger field
    sheet.cell(row=3, column=column).value = "#N/A"
    book.save(path)
    code, stderr = _plan(path)
    assert (code, stderr) == (0, "")


def test_english_names_the_error_cell_and_its_sheet() -> None:
    from docgen.core.messages import MESSAGES

    facts = {"value": "#N/A", "cell": "Z2", "sheet": "贷款台账", "title": "向保证人主张日"}
    assert MESSAGES.text("cell-error", facts, "en") == (
        "Z2 of sheet '贷款台账' holds Excel's error value #N/A (its formula found no result), which is no data and "
        "cannot be read as an empty cell either (an empty cell says there is none, an empty date that it never "
        "happened); replace the formula's error with the value, or leave the cell empty where there is none, "
        "and try again")


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
def test_an_id_number_in_full_width_scientific_notation_is_the_row_error_of_its_half_width_form(
        tmp_path: Path, encoding: str) -> None:
    # A Chinese IME in full-width mode types what Excel showed as １．１Ｅ＋１７: the digits are lost alike.
    path = write_ledger([row("A1", 1000, id_number="１．１Ｅ＋１７"), row("A2", 1000, id_number="1.1E+17"),
                         row("A3", 1000, id_number="６．１０３２６ｅ＋１７")], tmp_path / "台账.csv", encoding=encoding)
    code, stderr = _plan(path)
    assert code == 1
    assert stderr == (
        f"Error: {path}：台账有 3 行数据不合格，请按行列位置修改后重试\n"
        "  - 第2行 D（证件号码）列 id_number：证件号码是科学计数法 １．１Ｅ＋１７（Excel 已丢失位数），请把该列设为文本后重新录入\n"
        "  - 第3行 D（证件号码）列 id_number：证件号码是科学计数法 1.1E+17（Excel 已丢失位数），请把该列设为文本后重新录入\n"
        "  - 第4行 D（证件号码）列 id_number：证件号码是科学计数法 ６．１０３２６ｅ＋１７（Excel 已丢失位数），"
        "请把该列设为文本后重新录入\n")
