"""Why a ledger cannot be read at all, said on the English collection-plan page: a column holding data
under an empty header cell, a header that lacks a required column, a sheet left empty, a formula saved
without its value. The ledgers are built in ``tmp_path`` from the example's first rows."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl

from service_helpers import LEDGER
from test_service_english_loans import _docgen_worded_cjk, _ledger_values, _npl, _plan, _text, _upload, _user


def _ledger(path: Path, rows: int = 4) -> tuple[openpyxl.Workbook, Any]:
    """Return a new workbook holding the example ledger's header and its first ``rows`` loans on the
    sheet 贷款台账, and that sheet, for a test to spoil before saving it at ``path``."""
    source = openpyxl.load_workbook(LEDGER, read_only=True)
    kept = [list(row) for row in source.active.iter_rows(max_row=rows + 1, values_only=True)]
    source.close()
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "贷款台账"
    for row in kept:
        sheet.append(row)
    return book, sheet


def _refused(api, path: Path, *names: str) -> str:
    """Return the text of the English collection-plan page refusing the ledger at ``path``, checked to
    say nothing in Chinese but what the ledger holds, its sheet's name and ``names`` (the titles of
    columns it lacks, as the ledger should hold them)."""
    page = _plan(_user(api, "manager", "en", "/collect"), ledger=_upload(path, "台账.xlsx"))
    assert page.status_code == 400, page.text
    assert _docgen_worded_cjk(page.text, _ledger_values(path) + ["台账.xlsx", "贷款台账", *names]) == []
    return _text(page.text)


def test_a_column_under_a_merged_header_cell_is_refused_in_english(api, tmp_path: Path) -> None:
    # 逾期本金 merged over M and N (合并后居中) leaves 欠息's column, which holds 1,200, untitled.
    book, sheet = _ledger(tmp_path)
    assert (sheet["M1"].value, sheet["N1"].value) == ("逾期本金", "欠息")
    sheet["N1"], sheet["N3"] = None, 1200
    sheet.merge_cells("M1:N1")
    book.save(tmp_path / "ledger.xlsx")
    assert ("台账.xlsx: column N of sheet '贷款台账' has an empty header (N1) but holds data from row 3 on; data "
            "without a header cannot be read: N1 lies in the merged cell M1:N1, whose header '逾期本金' belongs to "
            "column M only; unmerge it and give column N a header; delete the column only once you are sure its "
            "data are not needed") in _refused(api, tmp_path / "ledger.xlsx")


def test_a_header_lacking_a_required_column_is_refused_in_english(api, tmp_path: Path) -> None:
    book, sheet = _ledger(tmp_path)
    assert sheet["K1"].value == "贷款余额"
    sheet.delete_cols(11)
    book.save(tmp_path / "ledger.xlsx")
    assert ("台账.xlsx: row 1: the header lacks the required columns 贷款余额 (balance); add them to the header"
            in _refused(api, tmp_path / "ledger.xlsx", "贷款余额"))


def test_an_empty_first_sheet_is_refused_in_english(api, tmp_path: Path) -> None:
    # a cover sheet left empty before the ledger's
    book, _ = _ledger(tmp_path)
    book.create_sheet("封面", 0)
    book.save(tmp_path / "ledger.xlsx")
    assert ("台账.xlsx: sheet '封面' is empty: no header row found (the workbook's other sheets: 贷款台账); move the "
            "sheet holding the data to the front, or delete the empty one") in _refused(api, tmp_path / "ledger.xlsx",
                                                                                      "封面")


def test_a_formula_without_its_value_is_said_in_english(api, tmp_path: Path) -> None:
    # openpyxl saves a formula without its result, as a program that makes a sheet does
    book, sheet = _ledger(tmp_path)
    assert sheet["K1"].value == "贷款余额"
    sheet["K3"] = "=J3-1000"
    book.save(tmp_path / "ledger.xlsx")
    page = _plan(_user(api, "manager", "en", "/collect"), ledger=_upload(tmp_path / "ledger.xlsx", "台账.xlsx"))
    assert page.status_code == 422, page.text
    text = _text(page.text)
    assert ("K3 is a formula '=J3-1000' whose result the file does not hold (the sheet was made by a program and "
            "never calculated and saved by Excel) or is empty; open the file in Excel and save it, then try again, "
            "or replace the formula by its value") in text
    assert "<td>K (贷款余额)</td>" in page.text
    assert _docgen_worded_cjk(page.text, _ledger_values(tmp_path / "ledger.xlsx") + ["台账.xlsx"]) == []


def test_a_cell_left_empty_by_a_merged_range_is_said_in_english(api, tmp_path: Path) -> None:
    # 贷款余额 merged down over two loans: only the first keeps the value
    book, sheet = _ledger(tmp_path)
    sheet["K3"] = None
    sheet.merge_cells("K2:K3")
    book.save(tmp_path / "ledger.xlsx")
    page = _plan(_user(api, "manager", "en", "/collect"), ledger=_upload(tmp_path / "ledger.xlsx", "台账.xlsx"))
    assert page.status_code == 422, page.text
    assert ("K3 lies in the merged cell K2:K3, whose value is kept in K2 only, the other cells being empty; unmerge "
            "it and fill in every row") in _text(page.text)
    assert _docgen_worded_cjk(page.text, _ledger_values(tmp_path / "ledger.xlsx") + ["台账.xlsx"]) == []


def test_a_csv_ledger_with_a_quote_left_open_is_refused_in_english(api, tmp_path: Path) -> None:
    # The example's first loans as CSV, a stray quote opening the second loan's first cell: every
    # line after it reads as that one cell, past the CSV reader's limit.
    source = openpyxl.load_workbook(LEDGER, read_only=True)
    rows = [["" if value is None else str(value) for value in row]
            for row in source.active.iter_rows(max_row=4, values_only=True)]
    source.close()
    rows[2][0] = '"' + rows[2][0]
    lines = [",".join(row) for row in rows] + [",".join(rows[3])] * 2000
    page = _plan(_user(api, "manager", "en", "/collect"), ledger=("台账.csv", ("\n".join(lines) + "\n").encode()))
    assert page.status_code == 400, page.text
    assert ("台账.csv: the cell in row 3, column 1 (A), is longer than the 131072 characters that can be read. It "
            "opens with a double quote: if the closing quote is missing, every line after it is read into that cell; "
            "check that its quotes are paired (a quote inside a cell is written twice), or shorten it, then try "
            "again") in _text(page.text)
    assert _docgen_worded_cjk(page.text, ["台账.csv"]) == []


def test_a_policy_targets_or_notes_file_refused_is_named_by_its_kind_in_english(api, tmp_path: Path) -> None:
    # The English pages said "the top level should be a mapping" of any of them, neither which file
    # it was nor an example key, as the Chinese pages do (催收策略文件顶层应为映射…，例如“warning_days: 90”).
    plan = _plan(_user(api, "manager", "en", "/collect"), ledger=_upload(LEDGER), policy=("策略.yaml", b"- 90\n"))
    assert plan.status_code == 400, plan.text
    assert ("策略.yaml: the top level of the collection policy file should be a mapping ('key: value'), e.g. "
            "'warning_days: 90'") in _text(plan.text)
    assert _docgen_worded_cjk(plan.text, ["策略.yaml"]) == []
    npl = _user(api, "manager", "en", "/npl")
    targets = _npl(npl, ledger=_upload(LEDGER), targets=("目标.yaml", b"reduction_target: [\n"))
    assert targets.status_code == 400, targets.text
    assert ("目标.yaml, line 2, column 1: the targets file is not valid YAML: did not find expected node content; "
            "check the indentation and the colons") in _text(targets.text)
    assert _docgen_worded_cjk(targets.text, ["目标.yaml"]) == []
    book = tmp_path / "notes.xlsx"
    openpyxl.Workbook().save(book)
    notes = _npl(npl, ledger=_upload(LEDGER), notes=("说明.yaml", book.read_bytes()))
    assert notes.status_code == 400, notes.text
    assert ("说明.yaml: the notes file should be YAML or JSON text (the file holds an Excel workbook); check that the "
            "right file was chosen") in _text(notes.text)
    assert _docgen_worded_cjk(notes.text, ["说明.yaml"]) == []
