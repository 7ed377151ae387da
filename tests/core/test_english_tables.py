"""What core's readers say of a spreadsheet or a data file they refuse, in English (the service's English
pages): each error raised by reading a real file in ``tmp_path``, worded by its code and facts."""
from __future__ import annotations

import os
from pathlib import Path

import openpyxl
import pytest

from docgen.core import cnformat
from docgen.core.datafile import read_mapping
from docgen.core.errors import DocgenError
from docgen.core.messages import MESSAGES
from docgen.core.tabular import read_table

ALIASES = {"borrower": ["借款人", "客户名称"], "id_number": ["证件号码", "身份证号"]}
ID = "11010519491231002X"


def _english(call) -> str:
    with pytest.raises(DocgenError) as caught:
        call()
    return MESSAGES.text(caught.value.code, caught.value.facts, "en")


def test_a_table_docgen_cannot_read_is_refused_in_english(tmp_path: Path) -> None:
    folder = tmp_path / "名单.xlsx"
    folder.mkdir()
    assert _english(lambda: read_table(folder, ALIASES)) == (
        f"{folder}: not a regular file but a folder, a pipe or a device; give an .xlsx, .xls or .csv file")
    wps = tmp_path / "名单.et"
    wps.write_bytes(b"PK\x03\x04" + bytes(60))  # what WPS wrote, whatever it is
    assert _english(lambda: read_table(wps, ALIASES)) == (
        f"{wps}: unknown table format .et; give an .xlsx, .xls or .csv file (save it as .xlsx with 'Save As' in WPS)")
    pdf = tmp_path / "名单.csv"
    pdf.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    assert _english(lambda: read_table(pdf, ALIASES)) == (
        f"{pdf}: not a text table (the file holds a PDF file); check that the right file was chosen, or give an "
        ".xlsx or .csv file")
    twice = tmp_path / "两列.csv"
    twice.write_text(f"借款人,证件号码,身份证号\n张三,{ID},{ID}\n", encoding="utf-8")
    assert _english(lambda: read_table(twice, ALIASES)) == (
        f"{twice}: duplicate header: B (证件号码) and C (身份证号) both stand for the field id_number; delete or "
        "rename one of them")


def test_digits_excel_lost_are_said_in_english(tmp_path: Path) -> None:
    path = tmp_path / "名单.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["借款人", "证件号码"])
    book.active.append(["张三", 110105194912310021])
    book.save(path)
    (problem,) = read_table(path, ALIASES, text_fields=["id_number"]).problems
    assert MESSAGES.text(problem.code, problem.facts, "en") == (
        "证件号码 was stored by Excel as a number (digits may be lost); format the column as text and type it again")
    csv = tmp_path / "名单.csv"
    csv.write_text("借款人,证件号码\n张三,1.10105E+17\n", encoding="utf-8")
    (problem,) = read_table(csv, ALIASES, text_fields=["id_number"]).problems
    assert MESSAGES.text(problem.code, problem.facts, "en") == (
        "证件号码 is in scientific notation, 1.10105E+17 (Excel has lost digits); format the column as text and "
        "type it again")


def test_a_data_file_that_is_no_mapping_is_refused_in_english_naming_its_kind(tmp_path: Path) -> None:
    # The English named no kind (催收策略文件, 说明文件) and no example key, which the Chinese gives.
    listed = tmp_path / "policy.yaml"
    listed.write_text("- a\n- b\n", encoding="utf-8")
    assert _english(lambda: read_mapping(listed, what="催收策略文件", what_en="collection policy file",
                                         hint="，例如“timetable:”", hint_en=", e.g. 'timetable:'")) == (
        f"{listed}: the top level of the collection policy file should be a mapping ('key: value'), e.g. 'timetable:'")
    book = tmp_path / "data.yaml"
    openpyxl.Workbook().save(book)
    assert _english(lambda: read_mapping(book, what="数据文件")) == (
        f"{book}: the file should be YAML or JSON text (the file holds an Excel workbook); check that the right file "
        "was chosen")
    pipe = tmp_path / "notes.yaml"
    os.mkfifo(pipe)
    assert _english(lambda: read_mapping(pipe, what="说明文件", what_en="notes file")) == (
        f"{pipe}: the notes file cannot be read (not a regular file but a folder, a pipe or a device)")


@pytest.mark.parametrize(("name", "content", "english"), [
    ("none.yaml", None, "{file}: no such targets file; check the path"),
    ("utf16.yaml", b"\xff\xfe\x00\xd8" * 3 + b"\x81", "{file}: the encoding of the targets file is not recognised "
     "(neither UTF-8 nor GB18030/GBK); save it as UTF-8 and try again"),
    ("broken.yaml", "a: [\n".encode(), "{file}, line 2, column 1: the targets file is not valid YAML: did not find "
     "expected node content; check the indentation and the colons"),
    ("broken.json", b'{"a": }', "{file}, line 1, column 7: the targets file is not valid JSON: Expecting value"),
    ("surrogate.json", b'{"a": "\\ud800"}', "{file}: a in the targets file holds an invalid character (a lone UTF-16 "
     "surrogate, such as JSON's \\ud800); delete or correct the value"),
])
def test_every_data_file_error_names_the_files_kind_in_english(tmp_path: Path, name: str, content: bytes | None,
                                                               english: str) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    assert _english(lambda: read_mapping(path, what="目标文件", what_en="targets file")) == english.format(file=path)


def test_an_empty_amount_or_id_number_is_refused_in_english() -> None:
    assert _english(lambda: cnformat.amount(None)) == "an amount cannot be empty"
    assert _english(lambda: cnformat.mask_id(" ")) == "the ID number cannot be empty"


def test_a_sheet_over_the_cell_limit_is_refused_in_english(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from docgen.core import xlsxbounds

    path = tmp_path / "名单.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["借款人", "证件号码"])
    book.active["F9"] = "x"
    book.save(path)
    monkeypatch.setattr(xlsxbounds, "MAX_CELLS", 40)
    # the scan's bound past the declared range (F9) is what it names
    assert _english(lambda: read_table(path, ALIASES)) == (
        f"{path}: the sheet has content up to Z99999 (its range declared to F9), about 99999 rows × 26 columns, over "
        "the 40 cells that can be read; in Excel delete the cells past the last row and column (Ctrl+End finds them) and "
        "save again")


def test_a_workbook_name_on_other_content_is_refused_in_english(tmp_path: Path) -> None:
    path = tmp_path / "名单.xlsx"
    path.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    assert _english(lambda: read_table(path, ALIASES)) == (
        f"{path}: not an Excel workbook (the file holds a PDF file); check that the right file was chosen, or open it "
        "in Excel, save it as .xlsx and try again")


def test_a_csv_cell_over_the_size_limit_is_refused_in_english(tmp_path: Path) -> None:
    path = tmp_path / "名单.csv"
    path.write_text(f"借款人,证件号码\n张三,{ID}\n李四,{ID}" + "0" * 131073 + "\n", encoding="utf-8")
    assert _english(lambda: read_table(path, ALIASES)) == (
        f"{path}: the cell in row 3, column 2 (B), is longer than the 131072 characters that can be read; shorten it "
        "and try again")
    path.write_text(f"借款人,证件号码\n\"张三,{ID}\n" + f"李四,{ID}\n" * 7000, encoding="utf-8")
    assert _english(lambda: read_table(path, ALIASES)) == (
        f"{path}: the cell in row 2, column 1 (A), is longer than the 131072 characters that can be read. It opens "
        "with a double quote: if the closing quote is missing, every line after it is read into that cell; check that "
        "its quotes are paired (a quote inside a cell is written twice), or shorten it, then try again")


def test_a_csv_ending_inside_a_quote_is_refused_in_english(tmp_path: Path) -> None:
    path = tmp_path / "名单.csv"
    path.write_text(f"借款人,证件号码\n\"张三,{ID}\n李四,{ID}\n", encoding="utf-8")
    assert _english(lambda: read_table(path, ALIASES)) == (
        f"{path}: the cell in row 2, column 1 (A), opens with a double quote that is never closed, so every line after "
        "it, to the end of the file, is read into that cell; check that its quotes are paired (a quote inside a cell "
        "is written twice) and try again")
