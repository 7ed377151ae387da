"""The spreadsheet reader: xlsx and csv, Chinese headers, encodings, Excel's number traps."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from xls_books import xls_copy

from docgen.core import tabular
from docgen.core.errors import InputError
from docgen.core.messages import MESSAGES
from docgen.core.tabular import decode_text, read_table, stream_table

ALIASES = {
    "borrower": ["借款人", "客户名称"],
    "id_number": ["证件号码", "身份证号"],
    "contract_no": ["借款合同号"],
    "overdue_since": ["逾期起始日"],
    "principal": ["逾期本金"],
}
ID = "11010519491231002X"


def _xlsx(path: Path, rows: list[list], *, id_as_text: bool = True) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    if id_as_text:
        for cell in ws["B"][1:]:
            cell.number_format = "@"
    for cell in ws["D"][1:]:
        if isinstance(cell.value, (dt.date, dt.datetime)):
            cell.number_format = "yyyy-mm-dd"
    wb.save(path)
    return path


def test_xlsx_chinese_headers_dates_and_blank_rows(tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "rows.xlsx", [
        ["借款人", "证件号码", "借款合同号", "逾期起始日", "逾期本金", "备注"],
        ["张三", ID, "HT-001", dt.date(2026, 11, 22), 12500.5, "x"],
        [None, None, None, None, None, None],
        ["A&B<公司>", "91330110MA2H3K5X4B", "HT-002", dt.datetime(2026, 11, 21), 300, None],
    ])
    table = read_table(path, ALIASES, required=["borrower"], text_fields=["id_number"])
    assert table.fields == ["borrower", "id_number", "contract_no", "overdue_since", "principal"]
    assert table.unknown_headers == ["备注"]
    assert [r.number for r in table.rows] == [2, 4]
    first, second = table.rows
    assert first.values == {"borrower": "张三", "id_number": ID, "contract_no": "HT-001",
                            "overdue_since": dt.date(2026, 11, 22), "principal": 12500.5}
    assert second.values["overdue_since"] == dt.date(2026, 11, 21)  # midnight datetime -> date
    assert second.values["borrower"] == "A&B<公司>"
    assert first.columns["id_number"] == "B（证件号码）"
    assert table.problems == []


def test_numeric_id_cell_is_a_problem_with_row_and_column(tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "rows.xlsx", [
        ["借款人", "证件号码", "借款合同号"],
        ["张三", ID, "HT-001"],
        ["李四", 110105194912310021, "HT-002"],  # Excel keeps 15 digits: the last ones are gone
    ], id_as_text=False)
    table = read_table(path, ALIASES, text_fields=["id_number"])
    assert len(table.problems) == 1
    problem = table.problems[0]
    assert (problem.row, problem.column, problem.path) == (3, "B（证件号码）", "id_number")
    assert (problem.code, problem.facts["title"]) == ("number-stored", "证件号码")
    assert problem.message == "证件号码被 Excel 存成了数字（位数可能已丢失），请把该列设为文本后重新录入"
    assert str(problem).startswith("第3行 B（证件号码）列 id_number：")


def test_scientific_notation_in_csv_id_is_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "rows.csv"
    path.write_text("借款人,证件号码\n张三,1.10105E+17\n", encoding="utf-8")
    table = read_table(path, ALIASES, text_fields=["id_number"])
    assert [(p.row, p.column, p.code, dict(p.facts)) for p in table.problems] == [
        (2, "B（证件号码）", "scientific-notation", {"title": "证件号码", "value": "1.10105E+17"})]
    assert table.problems[0].message == "证件号码是科学计数法 1.10105E+17（Excel 已丢失位数），请把该列设为文本后重新录入"


def test_a_company_code_with_an_e_between_digits_is_not_taken_for_scientific_notation(tmp_path: Path) -> None:
    # 91330109007997E433 is a valid USCC; only Excel's own form (1.10105E+17) is flagged.
    path = tmp_path / "rows.csv"
    path.write_text("借款人,证件号码\n甲公司,91330109007997E433\n乙公司,9E+17\n", encoding="utf-8")
    table = read_table(path, ALIASES, text_fields=["id_number"])
    assert [(p.row, p.code, p.facts["value"]) for p in table.problems] == [(3, "scientific-notation", "9E+17")]


def test_problems_come_row_by_row_and_short_csv_records_read_as_empty_cells(tmp_path: Path) -> None:
    # Columns are cleaned one at a time; what comes out must still read like the sheet, row by row.
    path = tmp_path / "rows.csv"
    path.write_text("借款人,证件号码,借款合同号,逾期本金\n"
                    "张三,1.1E+17,2.5E+3,100\n"
                    "李四\n"
                    " , ,,\n"
                    "王五,1.2E+17, HT-3 ,\n", encoding="utf-8")
    table = read_table(path, ALIASES, text_fields=["id_number", "contract_no"])
    assert [(p.row, p.column) for p in table.problems] == [
        (2, "B（证件号码）"), (2, "C（借款合同号）"), (5, "B（证件号码）")]
    assert [(r.number, r.values) for r in table.rows] == [
        (2, {"borrower": "张三", "id_number": "1.1E+17", "contract_no": "2.5E+3", "principal": "100"}),
        (3, {"borrower": "李四", "id_number": None, "contract_no": None, "principal": None}),
        (5, {"borrower": "王五", "id_number": "1.2E+17", "contract_no": "HT-3", "principal": None}),
    ]


def test_excel_cells_are_cleaned_as_excel_shows_them(tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "rows.xlsx", [
        ["借款人", "证件号码", "逾期本金", "逾期起始日"],
        ["  张三 ", ID, 1200.0, dt.datetime(2026, 3, 1)],
        ["李四", ID, 1200.5, dt.datetime(2026, 3, 1, 9, 30)],
        ["王五", ID, None, None],
    ])
    rows = read_table(path, ALIASES).rows
    assert [(r.values["borrower"], r.values["principal"], r.values["overdue_since"]) for r in rows] == [
        ("张三", 1200, dt.date(2026, 3, 1)), ("李四", 1200.5, dt.datetime(2026, 3, 1, 9, 30)), ("王五", None, None)]
    assert type(rows[0].values["principal"]) is int


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk"])
def test_csv_encodings(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "rows.csv"
    path.write_text("借款人,证件号码,逾期本金\r\n杭州明远五金有限公司,%s,\"1,250.00\"\r\n,,\r\n" % ID, encoding=encoding)
    table = read_table(path, ALIASES, required=["borrower", "id_number"], text_fields=["id_number"])
    assert [r.values for r in table.rows] == [
        {"borrower": "杭州明远五金有限公司", "id_number": ID, "principal": "1,250.00"}
    ]
    assert table.rows[0].number == 2


@pytest.mark.parametrize("guessed", [False, True])
def test_a_gb18030_bom_is_no_part_of_the_first_header(tmp_path: Path, guessed: bool,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    # Some bank systems and Notepad save GB18030 with its BOM (84 31 95 33), which the codec
    # decodes as U+FEFF: left in, the first header would match no field.
    from docgen.core import tabular

    if guessed:  # the whole-file path (a file only a guess can decode goes that way)
        monkeypatch.setattr(tabular, "_stream_encoding", lambda path: None)
    path = tmp_path / "rows.csv"
    path.write_bytes(b"\x84\x31\x95\x33" + f"借款人,证件号码\r\n杭州明远五金有限公司,{ID}\r\n".encode("gb18030"))
    table = read_table(path, ALIASES, required=["borrower"], text_fields=["id_number"])
    assert table.fields == ["borrower", "id_number"] and table.unknown_headers == []
    assert [r.values for r in table.rows] == [{"borrower": "杭州明远五金有限公司", "id_number": ID}]


def test_header_matching_ignores_spaces_full_width_and_unit(tmp_path: Path) -> None:
    path = tmp_path / "rows.csv"
    path.write_text("* 借 款 人 ,证件号码,逾期本金(元)\n张三,%s,5\n" % ID, encoding="utf-8")
    table = read_table(path, ALIASES)
    assert table.fields == ["borrower", "id_number", "principal"]


def test_canonical_names_work_as_headers(tmp_path: Path) -> None:
    path = tmp_path / "rows.csv"
    path.write_text("borrower,ID_Number\n张三,%s\n" % ID, encoding="utf-8")
    assert read_table(path, ALIASES).fields == ["borrower", "id_number"]


def test_missing_required_header_names_file_and_header(tmp_path: Path) -> None:
    path = tmp_path / "名单.csv"
    path.write_text("借款人,逾期本金\n张三,5\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_table(path, ALIASES, required=["borrower", "id_number"])
    assert str(err.value) == f"{path}：第1行表头缺少必需的列：证件号码（id_number）；请在表头加上这些列"
    assert err.value.exit_code == 2


def _merged(path: Path, rows: list[list], cells: str) -> Path:
    """A workbook of ``rows`` whose ``cells`` (A1:C1) are merged, as Excel's 合并后居中 leaves them."""
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    ws.merge_cells(cells)
    wb.save(path)
    return path


def test_a_title_row_above_the_header_is_passed_over(tmp_path: Path) -> None:
    # The sheet's title, merged across the columns, and a unit row sit above the header: rows naming no
    # column, kept with their cells for a reader that looks at them (a ledger's unit of amount).
    path = _merged(tmp_path / "名单.xlsx", [["2026年11月催收名单"], ["单位：元"], ["借款人", "证件号码", "逾期本金", "经办"],
                                          ["张三", ID, 5]], "A1:C1")
    table = read_table(path, ALIASES, required=["borrower", "id_number"])
    assert [(r.number, r.values) for r in table.rows] == [(4, {"borrower": "张三", "id_number": ID, "principal": 5})]
    assert table.other_titles == [("A1", "2026年11月催收名单"), ("A2", "单位：元"), ("D3", "经办")]
    assert table.columns["borrower"] == "A（借款人）"


def test_rows_naming_no_column_name_the_first_when_no_header_follows(tmp_path: Path) -> None:
    path = _merged(tmp_path / "名单.xlsx", [["2026年11月催收名单"], ["姓名", "身份证", "金额"], ["张三", ID, 5]], "A1:C1")
    with pytest.raises(InputError) as err:
        read_table(path, ALIASES, required=["borrower", "id_number"])
    assert str(err.value) == (f"{path}：第1行不是表头（没有一个可识别的列名：A（2026年11月催收名单）），其下十行内也没有表头；"
                              "表头上方可以有标题行、单位行（至多十行），表头本身须写明可识别的列名：请检查列名，"
                              "删去表头上方多余的行，或检查是否选错了文件或工作表")
    assert err.value.exit_code == 2 and err.value.facts["row"] == 1
    # Eleven rows naming no column: the header is not looked for past the tenth.
    many = tmp_path / "many.csv"
    many.write_text("".join(f"说明{n}\n" for n in range(11)) + f"借款人,证件号码\n张三,{ID}\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_table(many, ALIASES, required=["borrower"])
    assert err.value.facts["row"] == 1 and err.value.facts["strangers"] == ["A（说明0）"]
    many.write_text("".join(f"说明{n}\n" for n in range(10)) + f"借款人,证件号码\n张三,{ID}\n", encoding="utf-8")
    assert [r.number for r in read_table(many, ALIASES, required=["borrower"]).rows] == [12]


def test_a_renamed_column_is_named_beside_the_column_missing(tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "名单.xlsx", [["借款人姓名", "证件号码", "逾期本金"], ["张三", ID, 5]])
    with pytest.raises(InputError) as err:
        read_table(path, ALIASES, required=["borrower", "id_number"])
    assert str(err.value) == (f"{path}：第1行表头缺少必需的列：借款人（borrower）；请在表头加上这些列"
                              "（未识别的列：A（借款人姓名），若是改了名，请改回上述列名）")


def test_a_header_cell_merged_over_two_columns_leaves_the_second_untitled(tmp_path: Path) -> None:
    # 证件号码 over B and C: 逾期本金 is gone from C1
    path = _merged(tmp_path / "名单.xlsx", [["借款人", "证件号码", "逾期本金", "借款合同号"], ["张三", ID, 5, "C1"]], "B1:C1")
    with pytest.raises(InputError) as err:
        read_table(path, ALIASES, required=["borrower", "principal"])
    assert str(err.value) == (f"{path}：第1行表头缺少必需的列：逾期本金（principal）；请在表头加上这些列"
                              "（C 列表头为空，合并单元格的表头请拆分后逐列填写）")


def _refusal(read: Any, code: str = "column-untitled") -> InputError:
    """The ``InputError`` coded ``code`` that ``read()`` raises (its exit code 2: unreadable input)."""
    with pytest.raises(InputError) as err:
        read()
    assert err.value.exit_code == 2 and err.value.code == code
    return err.value


def _every_way(path: Path, *, calamine: bool = False, code: str = "column-untitled") -> list[str]:
    """What each way of reading ``path`` refuses it with: ``read_table``, and ``stream_table``'s
    blocks of one row and of the default size; with ``calamine`` (an .xlsx) each of them
    streamed, then through python-calamine."""
    said = []
    for streamed in (True, False) if calamine else (True,):
        with pytest.MonkeyPatch.context() as patch:
            if not streamed:
                patch.setattr(tabular, "streams_alike", lambda *_: False)
            said += [str(_refusal(lambda: read_table(path, ALIASES), code)),
                     str(_refusal(lambda: list(stream_table(path, ALIASES).column_blocks(1)), code)),
                     str(_refusal(lambda: list(stream_table(path, ALIASES).blocks()), code))]
    return said


def test_a_column_with_data_under_a_merged_header_cell_is_refused_naming_the_merged_header(tmp_path: Path) -> None:
    # 逾期本金 merged over D and E (合并后居中): the amounts typed under E had no name and were
    # dropped unseen. Streamed, then read by python-calamine, and as an .xls (no merged ranges read).
    path = _merged(tmp_path / "名单.xlsx", [["借款人", "证件号码", "借款合同号", "逾期本金", None],
                                            ["张三", ID, "HT-1", 5, None], ["李四", ID, "HT-2", 6, 1.5]], "D1:E1")
    said = (f"{path}：工作表“Sheet”的 E 列表头为空（E1），但该列第3行起有数据，无表头的数据无法读取："
            "E1 在合并单元格 D1:E1 中，表头“逾期本金”只属于 D 列；请取消合并，给 E 列填写表头；确认该列数据无用的，方可删除该列")
    assert _every_way(path, calamine=True) == [said] * 6
    old = xls_copy(path, tmp_path / "名单.xls")
    assert _every_way(old) == [f"{old}：工作表“Sheet”的 E 列表头为空（E1），但该列第3行起有数据，无表头的数据无法读取；"
                               "请给该列填写表头，或删除该列"] * 3


def test_a_column_with_data_past_the_last_header_is_refused_from_its_first_row(tmp_path: Path) -> None:
    # Two columns past 备注 (which docgen does not read), its first figure far down: the streamed
    # rows are cut after 备注, the cells cut off looked at; the row named is the first holding one,
    # in whichever block it falls. A zero is data; a row with no known cell (a note) is passed over.
    rows: list[list[Any]] = [["借款人", "证件号码", "备注"], *(["张三", ID, None] for _ in range(6))]
    rows.append([None, None, None, None, "制表：王五"])
    rows.append(["李四", ID, "x", None, 0])
    path = _xlsx(tmp_path / "名单.xlsx", rows)
    said = (f"{path}：工作表“Sheet”的 E 列表头为空（E1），但该列第9行起有数据，无表头的数据无法读取；"
            "请给该列填写表头，或删除该列")
    assert _every_way(path, calamine=True) == [said] * 6


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_a_csv_column_with_data_under_an_empty_header_is_refused_by_its_number(tmp_path: Path,
                                                                              encoding: str) -> None:
    path = tmp_path / "名单.csv"
    # Among the titled columns (a gap in the header row)...
    path.write_bytes(f"借款人,证件号码,,逾期本金\n张三,{ID},,5\n李四,{ID},1.5,6\n".encode(encoding))
    assert _every_way(path) == [f"{path}：第3列（C 列）表头为空，但该列第3行起有数据，无表头的数据无法读取；"
                                "请给该列填写表头，或删除该列"] * 3
    # ... and past them: one record longer than the header, the others not.
    path.write_bytes(f"借款人,证件号码\n张三,{ID}\n李四,{ID},,欠息 1.5\n王五,{ID}\n".encode(encoding))
    assert _every_way(path) == [f"{path}：第4列（D 列）表头为空，但该列第3行起有数据，无表头的数据无法读取；"
                                "请给该列填写表头，或删除该列"] * 3


#: A CSV in each encoding, read as it goes (its encoding checked on every byte) and whole (its encoding guessed).
_CSV_WAYS = pytest.mark.parametrize(("encoding", "guessed"), [(e, g) for e in ("utf-8", "gb18030") for g in (False, True)])


def _guess_when(guessed: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    if guessed:  # the whole-file path
        monkeypatch.setattr(tabular, "_stream_encoding", lambda path: None)


@_CSV_WAYS
def test_a_csv_cell_over_the_size_limit_is_named_by_row_and_column(tmp_path: Path, encoding: str, guessed: bool,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    # Python's csv stopped with its own English (field larger than field limit) inside the Chinese sentence.
    _guess_when(guessed, monkeypatch)
    path = tmp_path / "名单.csv"
    # A cell longer than the limit, after a blank line (a record, and a row in Excel) and a quoted
    # cell holding a line break and a doubled quote.
    path.write_bytes((f"借款人,证件号码,逾期本金\r\n\r\n\"张三\r\n（\"\"明远\"\"）\",{ID},5\r\n李四,{ID},"
                      + "备注" * 65537 + "\r\n王五,{ID},6\r\n").encode(encoding))
    assert _every_way(path, code="csv-cell-too-long") == [
        f"{path}：第4行第3列（C 列）的单元格超过可读取的上限（131072 个字符）；请删减该格内容后重试"] * 3
    # A cell opening with a quote never closed takes in every line after it.
    path.write_bytes((f"借款人,证件号码,逾期本金\n张三,{ID},5\n李四,\"{ID},6\n" + f"王五,{ID},7\n" * 6000).encode(encoding))
    assert _every_way(path, code="csv-cell-too-long") == [
        f"{path}：第3行第2列（B 列）的单元格超过可读取的上限（131072 个字符）。该格以英文双引号开头：引号未闭合时，"
        "其后各行都会被读进这一格；请检查该格的引号是否成对（格内的双引号应写成两个），或删减其内容，再重试"] * 3
    # Tab-separated, the first cell of a record, and a quote after the first character opens nothing.
    path.write_bytes((f"借款人\t证件号码\n张三\t{ID}\nx\"" + "李" * 131071 + f"\t{ID}\n").encode(encoding))
    assert _every_way(path, code="csv-cell-too-long") == [
        f"{path}：第3行第1列（A 列）的单元格超过可读取的上限（131072 个字符）；请删减该格内容后重试"] * 3
    # A quoted cell whose quote closed before the limit is long as typed: no quote is said left open.
    path.write_bytes((f"借款人,证件号码\n\"张三\"" + "李" * 131072 + f",{ID}\n").encode(encoding))
    assert _every_way(path, code="csv-cell-too-long") == [
        f"{path}：第2行第1列（A 列）的单元格超过可读取的上限（131072 个字符）；请删减该格内容后重试"] * 3


@_CSV_WAYS
def test_a_csv_read_to_its_end_inside_a_quote_is_refused_naming_the_cell(tmp_path: Path, encoding: str, guessed: bool,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    # Python's csv ended the file inside the quote without a word: every row after 李四's was read
    # into his ID number, and the table held two rows instead of four.
    _guess_when(guessed, monkeypatch)
    path = tmp_path / "名单.csv"
    bom = "\ufeff" if encoding == "gb18030" else ""  # a GB18030 BOM is read past
    path.write_bytes((f"{bom}借款人,证件号码,逾期本金\r\n张三,{ID},5\r\n李四,\"{ID},6\r\n王五,{ID},7\r\n赵六,{ID},8\r\n")
                     .encode(encoding))
    assert _every_way(path, code="csv-quote-open") == [
        f"{path}：第3行第2列（B 列）的单元格以英文双引号开头，引号直到文件末尾都未闭合，其后各行都被读进了这一格，无法逐行读取；"
        "请检查该格的引号是否成对（格内的双引号应写成两个）后重试"] * 3
    # A quote left open in the first record, the header, is named there too.
    path.write_bytes((f"{bom}\"借款人,证件号码\n张三,{ID}\n").encode(encoding))
    assert _every_way(path, code="csv-quote-open")[0].startswith(f"{path}：第1行第1列（A 列）的单元格以英文双引号开头")
    # Line breaks inside quotes that close, in the last row as elsewhere, are a cell's text, read as before.
    path.write_bytes((f"{bom}借款人,证件号码,逾期本金\r\n\"张三\r\n（\"\"明远\"\"）\",{ID},5\r\n"
                      f"李四,{ID},\"6\r\n\"\r\n").encode(encoding))
    assert [(r.number, r.values["borrower"], r.values["principal"]) for r in read_table(path, ALIASES).rows] == [
        (2, "张三\r\n（\"明远\"）", "5"), (3, "李四", "6")]


def test_data_left_of_the_first_header_other_than_row_numbers_and_totals_is_refused(tmp_path: Path) -> None:
    # The header starts in B; the rows below were pasted one column to the left: A holds the names,
    # which nothing read, and the plan would have had every loan under the wrong column. Row numbers
    # (as numbers, as 2.0 from a formula) and a totals row there are what a sheet keeps, read as before.
    path = _xlsx(tmp_path / "名单.xlsx", [[None, "借款人", "证件号码", "逾期本金"], [1, "张三", ID, 5],
                                          [2.0, "李四", ID, 6], ["合计", None, None, 11], ["王五", ID, 7, None]])
    said = (f"{path}：工作表“Sheet”的 A 列表头为空（A1），位于第一个表头左侧，但该列第5行有数据“王五”（不是序号或合计），"
            "无表头的数据无法读取；表格可能整体错位，请核对各列数据是否与表头对齐，或给该列填写表头，或删除该列")
    assert _every_way(path, calamine=True) == [said] * 6
    refused = _refusal(lambda: read_table(path, ALIASES))
    assert MESSAGES.text(refused.code, refused.facts, "en") == (f"{path}: column A of sheet 'Sheet' has an empty header (A1), left of the first header, but "
                       "holds '王五' in row 5 (neither a row number nor a total); data without a header cannot be read; "
                       "the table may be shifted: check that each column's data sit under its header, or give the "
                       "column a header, or delete it")


@pytest.mark.parametrize("label", ["1.", "2、", "（3）", "(4)", "⑤", "六", "七、", "本月合计", "城东支行小计",
                                   "合计（元）", "总合计", "累计："])
def test_item_numbers_and_totals_labels_left_of_the_first_header_are_read_as_before(tmp_path: Path, label: str) -> None:
    # Clerks number items 1. （1） ① 一、 and label subtotals 城东支行小计 or 合计（元）: a sheet's own
    # marks left of its header, no shifted data. A totals label that is no exact one leaves its row to
    # be read (and refused row by row, as before), never the whole file.
    path = _xlsx(tmp_path / "名单.xlsx", [[None, "借款人", "证件号码", "逾期本金"], [1, "张三", ID, 5],
                                          [label, "李四", ID, 6] if label[-1] not in "计）：" else [label, None, None, 6]])
    assert [r.values["borrower"] for r in read_table(path, ALIASES).rows][:1] == ["张三"]
    # A remark longer than a label, holding the word, is data all the same.
    path = _xlsx(tmp_path / "备注.xlsx", [[None, "借款人", "证件号码", "逾期本金"], [1, "张三", ID, 5],
                                          ["借款人称本月合计可归还欠款的一半，其余下月归还", None, None, 6]])
    assert _refusal(lambda: read_table(path, ALIASES)).code == "column-untitled"


def test_a_csv_loan_number_left_of_the_first_header_is_refused_by_its_row(tmp_path: Path) -> None:
    # Row numbers, then a 借据号 made of digits (longer than any row number) where they were.
    path = tmp_path / "名单.csv"
    path.write_text(f",借款人,证件号码,逾期本金\n1,张三,{ID},5\n2,李四,{ID},6\n20260001,王五,{ID},7\n",
                    encoding="utf-8")
    assert _every_way(path) == [f"{path}：第1列（A 列）表头为空，位于第一个表头左侧，但该列第4行有数据“20260001”"
                                "（不是序号或合计），无表头的数据无法读取；表格可能整体错位，请核对各列数据是否与表头对齐，"
                                "或给该列填写表头，或删除该列"] * 3
    # The same rows with their row numbers only are read as before.
    path.write_text(f",借款人,证件号码,逾期本金\n1,张三,{ID},5\n2,李四,{ID},6\n 3 ,王五,{ID},7\n", encoding="utf-8")
    assert [r.values["borrower"] for r in read_table(path, ALIASES).rows] == ["张三", "李四", "王五"]


_WIDE = "借款人,证件号码,借款合同号,逾期起始日,逾期本金,备注"


@_CSV_WAYS
def test_a_stray_quote_closed_rows_later_is_refused_naming_the_rows_it_merged(
        tmp_path: Path, encoding: str, guessed: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    # A quote typed before 杭州 on row 3 and one after 宁波 on row 6: Python's csv read rows 3 to 6 as
    # one record, 李四's cell holding 王五's and 赵六's rows whole, and the table lost two loans unseen.
    _guess_when(guessed, monkeypatch)
    path = tmp_path / "名单.csv"
    rows = [_WIDE, f"张三,{ID},HT-1,2026-09-01,5,", f"李四,{ID},HT-2,2026-09-02,6,\"杭州",
            f"王五,{ID},HT-3,2026-09-03,7,", f"赵六,{ID},HT-4,2026-09-04,8,", f"钱七,{ID},HT-5,2026-09-05,9,宁波\"",
            f"孙八,{ID},HT-6,2026-09-06,10,"]
    path.write_bytes(("\r\n".join(rows) + "\r\n").encode(encoding))
    assert _every_way(path, code="csv-quote-merged") == [
        f"{path}：第3行第6列（F 列）的单元格以英文双引号开头，引号直到文件第6行才闭合，文件第3行至第6行被读成了这一格，"
        "其中有整行的数据（分隔符与表头一样多），不是格内换行的文字；请检查该格的引号是否成对（格内的双引号应写成两个），"
        "删去多余的引号后重试"] * 3
    refused = _refusal(lambda: read_table(path, ALIASES), "csv-quote-merged")
    assert (refused.facts["row"], refused.facts["start"], refused.facts["end"]) == (3, 3, 6)


def test_a_remark_or_address_typed_on_several_lines_is_read_as_before(tmp_path: Path) -> None:
    # Line breaks inside quotes that close, commas and all, each line short of a whole row; the record
    # after one counts as the next row; a stray quote closed on the next row leaves no whole row inside.
    path = tmp_path / "名单.csv"
    path.write_text(f"{_WIDE}\n张三,{ID},HT-1,2026-09-01,5,\"浙江省杭州市西湖区,\n文三路100号, 3幢, 2单元\"\n"
                    f"李四,{ID},HT-2,2026-09-02,6,\"第一行\r\n第二行\r\n\"\"第三行\"\"\"\n"
                    f"王五,{ID},HT-3,2026-09-03,7,\"杭州\n赵六,{ID},HT-4,宁波\"\n", encoding="utf-8")
    table = read_table(path, ALIASES)
    assert [(r.number, r.values["borrower"]) for r in table.rows] == [(2, "张三"), (3, "李四"), (4, "王五")]
    assert table.rows[0].values["contract_no"] == "HT-1"
    # A remark whose first line lists as many commas as a row has delimiters: it was typed in the cell.
    path.write_text(f"借款人,证件号码,借款合同号,逾期本金,备注\n张三,{ID},HT-1,5,\"已联系,借款人称下月还,保证人王五,赵六,"
                    f"钱七均知悉\n第二次电话未接\"\n李四,{ID},HT-2,6,\n", encoding="utf-8")
    assert [r.values["borrower"] for r in read_table(path, ALIASES).rows] == ["张三", "李四"]
    # A narrow table: a line of a few commas is no sign there.
    path.write_text("借款人,证件号码,逾期本金\n\"张三,\n李四,王五,赵六\",x,5\n", encoding="utf-8")
    assert [r.values["borrower"] for r in read_table(path, ALIASES).rows] == ["张三,\n李四,王五,赵六"]


def test_an_untitled_column_without_data_is_read_as_before(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A merged header whose data sit under its first cell; untitled columns at the far right holding
    # empty text and spaces only; a CSV's trailing commas; an untitled first column of row numbers
    # (where a totals label is looked for).
    path = _merged(tmp_path / "名单.xlsx", [["借款人", "证件号码", "逾期本金", None, None, None],
                                            ["张三", ID, 5, None, "", " "], ["李四", ID, 6, "", "\u3000", None]],
                   "C1:D1")
    for streamed in (True, False):
        with monkeypatch.context() as patch:
            if not streamed:
                patch.setattr(tabular, "streams_alike", lambda *_: False)
            assert [r.values["principal"] for r in read_table(path, ALIASES).rows] == [5, 6]
            assert [b.numbers for b in stream_table(path, ALIASES).column_blocks(1)] == [[2], [3]]
    csv = tmp_path / "名单.csv"
    csv.write_text(f",借款人,证件号码,逾期本金,,\n1,张三,{ID},5,, \n2,李四,{ID},6,,\n", encoding="utf-8")
    assert [(r.number, r.values["principal"]) for r in read_table(csv, ALIASES).rows] == [(2, "5"), (3, "6")]


@pytest.mark.parametrize(("name", "hint"), [("名单.et", "（请在 WPS 中用“另存为”存成 .xlsx）"),
                                            ("名单.ods", "（请在 LibreOffice 或 WPS 中用“另存为”存成 .xlsx）"),
                                            ("名单.dat", "")])
def test_a_sheet_in_another_suite_s_format_says_how_to_save_it(tmp_path: Path, name: str, hint: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"PK\x03\x04" + bytes(60))  # what the suite wrote, whatever it is
    with pytest.raises(InputError) as err:
        read_table(path, ALIASES)
    assert str(err.value) == f"{path}：无法识别的表格格式 {path.suffix}；请提供 .xlsx、.xls 或 .csv 文件{hint}"
    assert err.value.exit_code == 2


def test_duplicate_header_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "rows.csv"
    path.write_text("借款人,客户名称\n张三,李四\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"表头重复：A（借款人） 与 B（客户名称） 都对应字段 borrower"):
        read_table(path, ALIASES)


def test_unreadable_inputs_are_input_errors(tmp_path: Path) -> None:
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(InputError, match="broken.xlsx"):
        read_table(broken, ALIASES)
    old = tmp_path / "old.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(InputError, match=r"另存为 \.xlsx"):
        read_table(old, ALIASES)
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(InputError, match="找不到表头"):
        read_table(empty, ALIASES)
    with pytest.raises(InputError, match="文件不存在"):
        read_table(tmp_path / "nope.csv", ALIASES)


def test_sheet_selection(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.active.append(["说明"])
    ws = wb.create_sheet("名单")
    ws.append(["借款人"])
    ws.append(["张三"])
    wb.save(tmp_path / "book.xlsx")
    assert read_table(tmp_path / "book.xlsx", ALIASES, sheet="名单").rows[0].values == {"borrower": "张三"}
    with pytest.raises(InputError, match="找不到工作表“其他”；现有工作表：Sheet、名单"):
        read_table(tmp_path / "book.xlsx", ALIASES, sheet="其他")


def test_shared_strings_and_header_not_on_first_row(tmp_path: Path) -> None:
    # openpyxl writes shared strings in normal mode; a title row and an empty row come first.
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"] = "逾期客户名单"
    ws.append([])
    ws.append(["借款人", "证件号码", None, "逾期本金"])
    ws.append(["张三", ID, "ignored", 1.0])
    wb.save(tmp_path / "book.xlsx")
    # A title naming a field is the header: the rows below hold data in columns it leaves untitled,
    # which are refused rather than dropped.
    with pytest.raises(InputError, match="的 B 列表头为空（B1），但该列第3行起有数据"):
        read_table(tmp_path / "book.xlsx", {"title": ["逾期客户名单"], **ALIASES})
    # Naming none, it is passed over: the header is row 3, whose untitled C holds data in row 4.
    with pytest.raises(InputError, match="的 C 列表头为空（C3），但该列第4行起有数据"):
        read_table(tmp_path / "book.xlsx", ALIASES)
    ws["C3"] = "备注"
    wb.save(tmp_path / "book.xlsx")
    table = read_table(tmp_path / "book.xlsx", ALIASES)
    assert table.unknown_headers == ["备注"] and [(r.number, r.values["principal"]) for r in table.rows] == [(4, 1)]


def test_decode_text_order() -> None:
    text = "借款人,证件号码"
    assert decode_text(text.encode("utf-8"), "x") == text
    assert decode_text(b"\xef\xbb\xbf" + text.encode("utf-8"), "x") == text
    assert decode_text(text.encode("gb18030"), "x") == text
    assert decode_text("\ufeff".encode("utf-16-le") + text.encode("utf-16-le"), "x") == text


def test_columns_past_z_are_labelled_with_excel_letters(tmp_path: Path) -> None:
    # A wide export: the borrower sits in column Z, the ID in AB and the contract in ZZ.
    header = [f"备注{i}" for i in range(702)]
    header[25], header[27], header[701] = "借款人", "证件号码", "借款合同号"
    path = tmp_path / "wide.csv"
    path.write_text(",".join(header) + "\n", encoding="utf-8")
    table = read_table(path, ALIASES, required=["borrower"])
    assert table.columns == {"borrower": "Z（借款人）", "id_number": "AB（证件号码）", "contract_no": "ZZ（借款合同号）"}


def test_example_rows_read_cleanly() -> None:
    from docgen.documents.template import load_template

    from batch_helpers import EXAMPLE_ROWS

    template = load_template("demand-letter")
    table = read_table(EXAMPLE_ROWS, template.aliases, text_fields=["id_number"])
    assert len(table.rows) == 20
    assert table.problems == [] and table.unknown_headers == []
    assert isinstance(table.rows[0].values["id_number"], str)
    assert isinstance(table.rows[0].values["overdue_since"], dt.date)


# --------------------------------------------------------------------------- workbook shapes
# Hand-written workbooks in the shapes different producers write (shared and inline strings,
# rich text with a phonetic guide, namespace prefixes, cells without references, the 1904
# epoch, built-in, East-Asian and custom date formats): the reader must see the same cells.

_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _workbook(path: Path, sheet_xml: str, shared: list[str] | None = None, date1904: bool = False) -> Path:
    import zipfile

    files = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
            "</Types>"),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>"),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{_NS}" xmlns:r="{_R}">'
            f'<workbookPr date1904="{1 if date1904 else 0}"/><sheets><sheet name="名单" sheetId="1" r:id="rId1"/></sheets></workbook>'),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
            '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>'
            '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
            "</Relationships>"),
        # Style 1: built-in date 14; style 2: custom 年月日 date; style 3: 0.00; style 4: zh-CN built-in date 31.
        "xl/styles.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="{_NS}">'
            '<numFmts count="1"><numFmt numFmtId="176" formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/></numFmts>'
            '<fonts count="1"><font><sz val="11"/><name val="宋体"/></font></fonts><fills count="1"><fill><patternFill patternType="none"/></fill></fills><borders count="1"><border/></borders>'
            '<cellStyleXfs count="1"><xf/></cellStyleXfs><cellXfs count="5"><xf numFmtId="0"/><xf numFmtId="14"/>'
            '<xf numFmtId="176"/><xf numFmtId="2"/><xf numFmtId="31"/></cellXfs></styleSheet>'),
        "xl/sharedStrings.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{_NS}">'
            + "".join(shared or []) + "</sst>"),
        "xl/worksheets/sheet1.xml": f'<?xml version="1.0" encoding="UTF-8"?>{sheet_xml}',
    }
    with zipfile.ZipFile(path, "w") as zf:
        for name, text in files.items():
            zf.writestr(name, text.encode("utf-8"))
    return path


_SHARED = [
    "<si><t>借款人</t></si>", "<si><t>证件号码</t></si>", "<si><t>逾期起始日</t></si>", "<si><t>逾期本金</t></si>",
    # rich text runs and a phonetic guide (not part of the text), entities, preserved spaces
    '<si><r><rPr><b/></rPr><t>A&amp;B</t></r><r><t xml:space="preserve"> &lt;公司&gt;</t></r>'
    "<rPh sb=\"0\" eb=\"1\"><t>ピン</t></rPh></si>",
    "<si><t>张三</t></si>", "<si/>",
]


def _sheet(rows_xml: str, prefix: str = "") -> str:
    p = f"{prefix}:" if prefix else ""
    xmlns = f'xmlns:{prefix}="{_NS}"' if prefix else f'xmlns="{_NS}"'
    return (f'<{p}worksheet {xmlns}><{p}dimension ref="A1"/><{p}sheetData>{rows_xml}'
            f"</{p}sheetData></{p}worksheet>")


_ROWS = (
    '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c>'
    '<c r="D1" t="s"><v>3</v></c><c r="E1" t="inlineStr"><is><t>标志</t></is></c>'
    '<c r="AA1" t="inlineStr"><is><t>远处</t></is></c></row>'
    '<row r="2" spans="1:4"><c r="A2" t="s"><v>4</v></c><c r="B2" t="inlineStr"><is><t>11010519491231002X</t></is></c>'
    '<c r="C2" s="1"><v>46348</v></c><c r="D2" s="3"><v>1250.5</v></c></row>'
    '<row r="3"/>'
    '<row r="5"><c r="A5" t="s"><v>5</v></c><c r="B5" s="3" t="n"><v>110105194912310000</v></c>'
    '<c r="C5" s="2"><v>46347</v></c><c r="D5"><f>1+1</f><v>2</v></c><c r="E5" t="b"><v>1</v></c></row>'
    '<row r="6"><c r="A6" t="str"><f>"x"&amp;"y"</f><v>x&amp;y</v></c><c r="B6" t="e"><v>#N/A</v></c>'
    '<c r="C6" s="4"><v>46346</v></c><c r="D6" t="s"><v>6</v></c><c r="AA6" t="inlineStr"><is><r><t>富</t></r><r><t>文本</t></r></is></c></row>'
)


SHAPES = ["plain", "prefixed", "no-refs", "date1904"]


def shape_workbook(tmp_path: Path, variant: str, rows_xml: str = _ROWS) -> Path:
    """The workbook of ``rows_xml`` written in the shape ``variant`` (one of ``SHAPES``)."""
    import re

    if variant == "no-refs":
        rows_xml = re.sub(r'<c r="[A-Z]+\d+"', "<c", rows_xml)
        # Without references cells are positional; the far-away AA1 and AA6 keep their reference.
        rows_xml = rows_xml.replace('<c t="inlineStr"><is><r>', '<c r="AA6" t="inlineStr"><is><r>')
        rows_xml = rows_xml.replace('<c t="inlineStr"><is><t>远处', '<c r="AA1" t="inlineStr"><is><t>远处')
    if variant == "prefixed":
        rows_xml = re.sub(r"<(/?)(row|c|v|f|is|t|r)\b", r"<\1x:\2", rows_xml)
    return _workbook(tmp_path / f"{variant}.xlsx", _sheet(rows_xml, "x" if variant == "prefixed" else ""),
                     _SHARED, date1904=variant == "date1904")


@pytest.mark.parametrize("variant", SHAPES)
def test_workbook_shapes_read_alike(tmp_path: Path, variant: str) -> None:
    from docgen.core.tabular import _excel_rows

    path = shape_workbook(tmp_path, variant)
    by_row = {n: list(v) for n, v in enumerate(_excel_rows(path, None).take(100), start=1)}
    assert by_row[1][:4] == ["借款人", "证件号码", "逾期起始日", "逾期本金"]
    assert not any(by_row[3]) and not any(by_row[4])  # empty rows keep their numbers
    shift = dt.timedelta(days=1462) if variant == "date1904" else dt.timedelta(0)
    assert by_row[2][:4] == ["A&B <公司>", "11010519491231002X", dt.date(2026, 11, 22) + shift, 1250.5]
    assert by_row[5][:5] == ["张三", 110105194912310000, dt.date(2026, 11, 21) + shift, 2, True]
    assert by_row[6][0] == "x&y"
    assert by_row[6][2] == dt.date(2026, 11, 20) + shift  # zh-CN built-in date format 31
    assert by_row[6][26] == "富文本"


def test_workbook_through_read_table(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "book.xlsx", _sheet(_ROWS), _SHARED)
    table = read_table(path, ALIASES, text_fields=["id_number"])
    assert [r.number for r in table.rows] == [2, 5, 6]
    assert table.rows[0].values == {"borrower": "A&B <公司>", "id_number": ID,
                                    "overdue_since": dt.date(2026, 11, 22), "principal": 1250.5}
    assert table.rows[1].values["overdue_since"] == dt.date(2026, 11, 21)  # custom 年月日 format
    assert table.rows[2].values["overdue_since"] == dt.date(2026, 11, 20)  # zh-CN built-in date 31
    # B5 an ID stored as a number, B6 an error cell (#N/A), which no reader gives as a value.
    assert [(p.row, p.column, p.code) for p in table.problems] == [(5, "B（证件号码）", "number-stored"),
                                                                   (6, "B（证件号码）", "cell-error")]


def test_a_sheet_starting_below_and_right_of_a1_keeps_excel_row_numbers_and_columns(tmp_path: Path) -> None:
    # The first used cell is C3: rows and column letters are still those Excel shows.
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["C3"], ws["D3"] = "借款人", "证件号码"
    ws["C4"], ws["D4"] = "张三", ID
    ws["D6"] = 3301021985  # a number where an ID belongs: named by its Excel row and column
    wb.save(tmp_path / "book.xlsx")
    table = read_table(tmp_path / "book.xlsx", ALIASES, text_fields=["id_number"])
    assert [(r.number, r.values) for r in table.rows] == [
        (4, {"borrower": "张三", "id_number": ID}), (6, {"borrower": None, "id_number": 3301021985})]
    assert table.columns == {"borrower": "C（借款人）", "id_number": "D（证件号码）"}
    assert [(p.row, p.column, p.code) for p in table.problems] == [(6, "D（证件号码）", "number-stored")]


def test_a_streamed_table_gives_read_tables_rows_and_problems_block_by_block(tmp_path: Path) -> None:
    from docgen.core.tabular import stream_table

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["借款人", "证件号码", "逾期本金"])
    for n in range(11):
        ws.append([f"客户{n}", 330102198501011234 if n % 4 == 1 else ID, n * 1.5])
        if n == 5:
            ws.append([])  # a blank row inside a block is skipped as read_table skips it
    wb.save(tmp_path / "book.xlsx")
    whole = read_table(tmp_path / "book.xlsx", ALIASES, text_fields=["id_number"])
    stream = stream_table(tmp_path / "book.xlsx", ALIASES, text_fields=["id_number"], block=4)
    assert (stream.fields, stream.columns, stream.unknown_headers) == (whole.fields, whole.columns, whole.unknown_headers)
    blocks = list(stream.blocks())
    assert len(blocks) == 3 and all(len(b.rows) <= 4 for b in blocks)
    assert [(r.number, r.values) for b in blocks for r in b.rows] == [(r.number, r.values) for r in whole.rows]
    assert [p.to_dict() for b in blocks for p in b.problems] == [p.to_dict() for p in whole.problems]


def _raised(path: Path) -> str:
    with pytest.raises(InputError) as caught:
        read_table(path, ALIASES)
    return str(caught.value)


def test_a_file_whose_content_is_not_its_names_is_named_for_what_it_is(tmp_path: Path) -> None:
    """Business systems export web pages and text under .xls names, and users rename files: each
    such file gets one line saying what it really is and what to do, not the reader's error."""
    import docx

    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
    book = openpyxl.Workbook()
    book.active.append(["借款人", "金额"])
    book.save(tmp_path / "book.xlsx")
    document = docx.Document()
    document.add_paragraph("授信申请书")
    document.save(tmp_path / "letter.docx")
    cases = {
        "export.xls": ("<html><body><table><tr><td>借款人</td></tr></table></body></html>".encode("gbk"),
                       "内容是网页（HTML）或 XML，不是 Excel 工作簿（业务系统“导出 Excel”常生成这种文件）；"
                       "请在 Excel 中打开后另存为 .xlsx，再重试"),
        "export-utf16.xls": ("\ufeff  <?xml version='1.0'?><Workbook/>".encode("utf-16-le"),
                             "内容是网页（HTML）或 XML，不是 Excel 工作簿"),
        "tabbed.xlsx": ("借款人\t金额\n张三\t100\n".encode("gb18030"),
                        "内容是文本（CSV 或制表符分隔），不是 Excel 工作簿；请把扩展名改为 .csv 后重试，"
                        "或在 Excel 中打开后另存为 .xlsx"),
        "old.xlsx": (ole + "Workbook".encode("utf-16-le"),
                     "文件内容是 .xls 格式的工作簿，扩展名却是 .xlsx；请把扩展名改为 .xls 后重试"),
        "locked.xlsx": (ole + "EncryptedPackage".encode("utf-16-le"),
                        "工作簿设有打开密码（已加密），无法读取；请在 Excel 中取消密码后另存，再重试"),
        "locked.csv": (ole + "EncryptedPackage".encode("utf-16-le"), "工作簿设有打开密码（已加密）"),
        "new.xls": ((tmp_path / "book.xlsx").read_bytes(),
                    "文件内容是 .xlsx 格式的工作簿，扩展名却是 .xls；请把扩展名改为 .xlsx 后重试"),
        "book.csv": ((tmp_path / "book.xlsx").read_bytes(),
                     "文件内容是 Excel 工作簿，扩展名却是 .csv；请把扩展名改为 .xlsx（或 .xls）后重试"),
        "letter.xlsx": ((tmp_path / "letter.docx").read_bytes(),
                        "不是 Excel 工作簿（文件内容：Word 文档）；请确认选对了文件，或在 Excel 中打开后另存为 .xlsx，再重试"),
        "letter.csv": ((tmp_path / "letter.docx").read_bytes(),
                       "不是文本表格（文件内容：Word 文档）；请确认选对了文件，或提供 .xlsx 或 .csv 文件"),
        "word.xls": (ole + "WordDocument".encode("utf-16-le"), "不是 Excel 工作簿（文件内容：Word 97-2003 文档）"),
        "scan.xlsx": (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "不是 Excel 工作簿（文件内容：PDF 文件）"),
        "scan.csv": (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "不是文本表格（文件内容：PDF 文件）"),
        "photo.xlsx": (b"\xff\xd8\xff\xe0" + bytes(64), "不是 Excel 工作簿（文件内容：图片）"),
        "unicode.xls": ("\ufeff借款人\t金额\n".encode("utf-16-le"), "内容是文本（CSV 或制表符分隔），不是 Excel 工作簿"),
        "empty.xlsx": (b"", "不是 Excel 工作簿（文件内容：空文件，0 字节）"),
        "noise.xlsx": (b"\x00\x01\x02\xff" * 64, "不是 Excel 工作簿（文件内容：无法识别的内容）"),
        # A sound archive of other files under a workbook's name (was: a damaged workbook, CalamineError)
        "scans.xlsx": (_zipped({"扫描件/1.txt": "x"}), "不是 Excel 工作簿（文件内容：ZIP 压缩包，其中没有 Excel 工作簿的内容）"),
    }
    for name, (data, message) in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        assert _raised(path).startswith(f"{path}：{message}"), name
    # What the suffix promises is read as before: a workbook, a text table, an OLE2 .xls.
    assert read_table(tmp_path / "book.xlsx", ALIASES).rows == []
    (tmp_path / "ok.csv").write_text("借款人,金额\n张三,100\n", encoding="utf-8")
    assert read_table(tmp_path / "ok.csv", ALIASES).rows[0].values["borrower"] == "张三"
    (tmp_path / "damaged.xls").write_bytes(ole + "Workbook".encode("utf-16-le"))
    assert "无法读取 Excel 文件" in _raised(tmp_path / "damaged.xls")  # the reader's own account


def _zipped(members: dict[str, str]) -> bytes:
    """A ZIP archive of ``members`` (name -> text)."""
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def test_a_misnamed_ledger_exits_2_with_one_line(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from docgen.cli import main

    path = tmp_path / "台账.xls"
    path.write_bytes("<html><table><tr><td>借据号</td></tr></table></html>".encode("utf-8"))
    result = CliRunner().invoke(main, ["collect", "plan", "--ledger", str(path), "--as-of", "2026-06-30"])
    assert result.exit_code == 2
    assert result.output.strip().splitlines()[-1] == (
        f"错误：{path}：内容是网页（HTML）或 XML，不是 Excel 工作簿（业务系统“导出 Excel”常生成这种文件）；"
        "请在 Excel 中打开后另存为 .xlsx，再重试")


def _ole_file(name_in_directory: str, *, sector: int = 200, shift: int = 9) -> bytes:
    """An OLE2 file whose directory starts at ``sector``: past the first 64 KB a reader sniffs."""
    import struct

    head = bytearray(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    struct.pack_into("<H", head, 0x1E, shift)
    struct.pack_into("<I", head, 0x30, sector)
    body = bytearray(((sector + 2) << shift) - len(head))
    entry = "Root Entry".encode("utf-16-le").ljust(128, b"\0") + name_in_directory.encode("utf-16-le")
    at = ((sector + 1) << shift) - len(head)
    body[at:at + len(entry)] = entry
    return bytes(head + body)


def test_an_ole2_files_directory_past_the_sniffed_bytes_is_read_where_its_header_puts_it(tmp_path: Path) -> None:
    cases = {
        "locked.xlsx": (_ole_file("EncryptedPackage"), "工作簿设有打开密码（已加密），无法读取"),
        "locked-big-sectors.xlsx": (_ole_file("EncryptedPackage", sector=20, shift=12), "工作簿设有打开密码（已加密）"),
        "old.xlsx": (_ole_file("Workbook"), "文件内容是 .xls 格式的工作簿，扩展名却是 .xlsx"),
        "word.xlsx": (_ole_file("WordDocument"), "不是 Excel 工作簿（文件内容：Word 97-2003 文档）"),
        "other.xlsx": (_ole_file("PowerPoint Document"), "不是 Excel 工作簿（文件内容：Office 97-2003 格式的其他文件）"),
    }
    for name, (data, message) in cases.items():
        assert len(data) > 65536 and b"E\x00n\x00c\x00r" not in data[:65536]
        path = tmp_path / name
        path.write_bytes(data)
        assert _raised(path).startswith(f"{path}：{message}"), name
    # A header pointing past the end, or nonsense: read as far as it goes, never an error of its own.
    broken = bytearray(_ole_file("Workbook"))
    broken[0x30:0x34] = (0x7FFFFFF0).to_bytes(4, "little")
    (tmp_path / "broken.xlsx").write_bytes(bytes(broken))
    assert "不是 Excel 工作簿（文件内容：Office 97-2003 格式的其他文件）" in _raised(tmp_path / "broken.xlsx")


#: Streams a workbook holds besides its own: enough of them that its directory spans sectors.
_OTHER_STREAMS = [f"MsoDataStore{k}" for k in range(40)]
_BIG = 109 * 128  # the first sector whose FAT sector the header does not list (512-byte sectors)


@pytest.mark.parametrize(("directory", "shift"), [
    ([300, 200, 250, 140, 299, 150, 260, 130, 201, 141, 290], 9),  # 4 entries a sector, out of order
    ([60, 40], 12),  # version 4: 32 entries a 4096-byte sector
    ([_BIG + 9, _BIG + 2, _BIG + 30, _BIG + 5, _BIG + 7, _BIG + 20, _BIG + 11, _BIG + 12, _BIG + 3, _BIG + 4,
      _BIG + 40], 9),  # past 7 MB: the FAT sector is listed in a DIFAT sector
])
def test_a_main_stream_named_in_a_later_directory_sector_is_found(tmp_path: Path, directory: list[int],
                                                                 shift: int) -> None:
    """The directory is followed sector after sector through the FAT: a workbook with many
    streams names its own after the first directory sector, past the bytes sniffed."""
    from hostile import ole_file

    for name, message in (("Workbook", "文件内容是 .xls 格式的工作簿，扩展名却是 .xlsx；请把扩展名改为 .xls 后重试"),
                          ("EncryptedPackage", "工作簿设有打开密码（已加密），无法读取；请在 Excel 中取消密码后另存，再重试")):
        data = ole_file(_OTHER_STREAMS + [name], directory, shift=shift)
        first = (directory[0] + 1) << shift
        assert name.encode("utf-16-le") not in data[:65536] + data[first:first + (1 << shift)]
        path = tmp_path / f"{name}.xlsx"
        path.write_bytes(data)
        assert _raised(path) == f"{path}：{message}"


@pytest.mark.parametrize("then", [200, 300, 0x7FFFFFF0, 0xFFFFFFFA])
def test_a_cyclic_or_broken_directory_chain_ends_at_what_was_read(tmp_path: Path, then: int) -> None:
    """A FAT leading back into the directory (to its first sector, to itself), past the end of
    the file or to a reserved number ends the walk; the sectors read decide, no error of its own."""
    from hostile import ole_file

    path = tmp_path / "looped.xlsx"
    path.write_bytes(ole_file(_OTHER_STREAMS[:10], [200, 250, 300], then=then))
    assert _raised(path) == (f"{path}：不是 Excel 工作簿（文件内容：Office 97-2003 格式的其他文件）；"
                             "请确认选对了文件，或在 Excel 中打开后另存为 .xlsx，再重试")


def test_what_a_readable_table_mentions_or_embeds_never_refuses_it(tmp_path: Path) -> None:
    """Text under a text name is read whatever it mentions; a workbook's stream decides an OLE2 file
    before an embedded Word object's; a PDF or RTF at the very start of a text name is refused."""
    (tmp_path / "mentions.csv").write_text("借款人,金额\n扫描件%PDF-1.4.pdf,100\n{\\rtf1 张三},5\n", encoding="gb18030")
    table = read_table(tmp_path / "mentions.csv", ALIASES)
    assert [row.values["borrower"] for row in table.rows] == ["扫描件%PDF-1.4.pdf", "{\\rtf1 张三}"]
    both = _ole_file("WordDocument")
    at = both.index("WordDocument".encode("utf-16-le"))
    both = both[:at + 128] + "Workbook".encode("utf-16-le") + both[at + 128 + 16:]
    (tmp_path / "embeds.xlsx").write_bytes(both)
    assert "文件内容是 .xls 格式的工作簿，扩展名却是 .xlsx" in _raised(tmp_path / "embeds.xlsx")
    (tmp_path / "embeds.xls").write_bytes(both)
    assert "无法读取 Excel 文件" in _raised(tmp_path / "embeds.xls")  # left to the reader, not called a Word file
    (tmp_path / "scan.txt").write_bytes(b"%PDF-1.4\n1 0 obj\n")
    assert "不是文本表格（文件内容：PDF 文件）" in _raised(tmp_path / "scan.txt")
    (tmp_path / "letter.csv").write_bytes(b"{\\rtf1\\ansi hello}")
    assert "不是文本表格（文件内容：Word 97-2003 文档）" in _raised(tmp_path / "letter.csv")
    (tmp_path / "archive.csv").write_bytes(b"PK\x03\x04" + bytes(26) + b"photos/a.jpg" + bytes(64))
    assert "不是文本表格（文件内容：ZIP 格式的文件，如压缩包或改了扩展名的 .xlsx 工作簿）" in _raised(tmp_path / "archive.csv")


def test_a_reader_error_is_quoted_in_one_line_cut_with_an_ellipsis(tmp_path: Path) -> None:
    """The reader's own text (a Rust error may run to lines of context) stays one readable line."""
    from docgen.core.tabular import _excel_unreadable

    said = "XmlError: " + "<c r=\"A1\">" * 60
    err = _excel_unreadable(tmp_path / "台账.xlsx", RuntimeError(f"{said}\n  at sheet1.xml\n  at row 3"))
    assert err.code == "excel-unreadable"
    assert str(err) == (f"{tmp_path / '台账.xlsx'}：无法读取 Excel 文件（RuntimeError：{said[:119]}…）。"
                        "文件可能已损坏或不完整；请重新导出或复制该文件，或在 Excel 中打开后另存为 .xlsx，再重试")


def test_a_hidden_first_sheet_is_passed_over_without_a_sheet_name(tmp_path: Path) -> None:
    # A workbook keeping its list of codes in a hidden first sheet: Excel opens on 名单, and so
    # does docgen; named, the hidden sheet is still read.
    wb = openpyxl.Workbook()
    wb.active.title = "代码表"
    wb.active.append(["代码", "名称"])
    wb.active.sheet_state = "hidden"
    also_hidden = wb.create_sheet("旧名单")
    also_hidden.append(["借款人"])
    also_hidden.append(["王五"])
    also_hidden.sheet_state = "veryHidden"
    ws = wb.create_sheet("名单")
    ws.append(["借款人"])
    ws.append(["张三"])
    wb.active = 2
    wb.save(tmp_path / "book.xlsx")
    # An Excel 97-2003 workbook (.xls) with the same sheets is read the same way.
    for book in (tmp_path / "book.xlsx", xls_copy(tmp_path / "book.xlsx", tmp_path / "book.xls")):
        assert [r.values for r in read_table(book, ALIASES).rows] == [{"borrower": "张三"}]
        assert read_table(book, ALIASES, sheet="旧名单").rows[0].values == {"borrower": "王五"}
        with pytest.raises(InputError, match="第1行不是表头"):
            read_table(book, ALIASES, required=["borrower"], sheet="代码表")
    # A shown first sheet is read, hidden ones after it or not.
    wb.worksheets[0].sheet_state = "visible"
    wb.save(tmp_path / "shown.xlsx")
    with pytest.raises(InputError, match="第1行不是表头"):
        read_table(xls_copy(tmp_path / "shown.xlsx", tmp_path / "shown.xls"), ALIASES, required=["borrower"])


def test_a_totals_row_is_one_problem_and_no_row(tmp_path: Path) -> None:
    # A sheet summed at its foot: the 合计 row is named once, by its label cell, and read as no row.
    path = _xlsx(tmp_path / "rows.xlsx", [
        ["借款人", "证件号码", "借款合同号", "逾期起始日", "逾期本金"],
        ["张三", ID, "HT-1", dt.date(2026, 11, 1), 1000],
        [],
        ["合 计", None, None, None, 1000],
    ])
    table = read_table(path, ALIASES)
    assert [r.number for r in table.rows] == [2]
    assert [(p.code, p.row, p.column, p.message) for p in table.problems] == [
        ("total-row", 4, "A（借款人）", "这一行是合计行（“合 计”），不是一笔数据；请删除该行（或把合计放到另一张工作表）后重试")]
    alone = _xlsx(tmp_path / "alone.xlsx", [["借款人", "逾期本金"], [None, 5], ["总计：", 5]])
    assert [(p.code, p.row) for p in read_table(alone, ALIASES).problems] == [("total-row", 3)]
    # A borrower who only contains the word is no totals row.
    named = _xlsx(tmp_path / "named.xlsx", [["借款人", "逾期本金"], ["合计贸易有限公司", 5]])
    assert read_table(named, ALIASES).problems == []


def test_a_totals_row_labelled_left_of_the_known_columns_is_one_problem_and_no_row(tmp_path: Path) -> None:
    # The label in a 序号 column docgen does not read, the sums under the amounts: one problem
    # placed by row and column (no field), and no row refused field by field.
    path = _xlsx(tmp_path / "rows.xlsx", [
        ["序号", "借款人", "证件号码", "逾期本金"],
        [1, "张三", ID, 1000],
        [2, "李四", ID, 2000],
        ["合计", None, None, 3000],
    ], id_as_text=False)
    table = read_table(path, ALIASES)
    assert [r.number for r in table.rows] == [2, 3]
    (problem,) = table.problems
    assert (problem.code, problem.row, problem.column, problem.path) == ("total-row", 4, "A（序号）", "")
    assert str(problem) == "第4行 A（序号）列：这一行是合计行（“合计”），不是一笔数据；请删除该行（或把合计放到另一张工作表）后重试"
    # An untitled first column, in a CSV, streamed a block at a time (the labels in the second
    # block); a row labelled in a known column too is named by its leftmost label.
    csv = tmp_path / "rows.csv"
    csv.write_text(",,借款人,逾期本金\n,1,张三,5\n,2,李四,6\n总 计,,,11\n小计,,合计,11\n", encoding="utf-8")
    table = read_table(csv, ALIASES)
    assert [r.number for r in table.rows] == [2, 3]
    assert [(p.row, p.column, p.path) for p in table.problems] == [(4, "A", ""), (5, "A", "")]
    stream = stream_table(csv, ALIASES)
    blocks = list(stream.column_blocks(2))
    assert [b.numbers for b in blocks] == [[2, 3], []]
    assert [(p.row, p.column) for p in blocks[1].problems] == [(4, "A"), (5, "A")]
    # A row with nothing in the known columns is a blank row, passed over as before; a label in
    # a column right of a known one (a remark) is not looked at: 张三's row, its remark 合计, is a row.
    csv.write_text("序号,借款人,备注,逾期本金\n1,张三,合计,5\n合计,,,\n", encoding="utf-8")
    table = read_table(csv, ALIASES)
    assert ([r.number for r in table.rows], table.problems) == ([2], [])


def test_a_required_columns_asterisk_on_either_side_is_no_part_of_its_name(tmp_path: Path) -> None:
    # Bank sheets mark required columns *借款人 or 借款人*; both are the 借款人 column.
    path = tmp_path / "rows.csv"
    path.write_text("*借款人,借款合同号*,逾期本金（元）*\n张三,HT-1,100\n", encoding="utf-8")
    table = read_table(path, ALIASES, required=["borrower", "contract_no", "principal"])
    assert table.rows[0].values == {"borrower": "张三", "contract_no": "HT-1", "principal": "100"}
    assert table.columns == {"borrower": "A（*借款人）", "contract_no": "B（借款合同号*）", "principal": "C（逾期本金（元）*）"}


def test_an_empty_first_sheet_is_named_with_the_sheets_the_rows_may_be_on(tmp_path: Path) -> None:
    # A notes sheet put first: "the table is empty" alone left the clerk looking at a full sheet.
    path = _xlsx(tmp_path / "rows.xlsx", [["借款人", "证件号码"], ["张三", ID]])
    wb = openpyxl.load_workbook(path)
    wb.active.title = "名单"
    wb.create_sheet("说明", 0)
    wb.save(path)
    with pytest.raises(InputError) as caught:
        read_table(path, ALIASES)
    assert caught.value.code == "sheet-empty"
    assert str(caught.value) == (f"{path}：工作表“说明”是空的，找不到表头行（工作簿中另有工作表：名单）；"
                                 "请把数据所在的工作表移到最前面，或删除这张空表")
    assert read_table(path, ALIASES, sheet="名单").rows[0].values["borrower"] == "张三"
    with pytest.raises(InputError) as caught:
        stream_table(path, ALIASES)
    assert caught.value.code == "sheet-empty"
    lone = tmp_path / "lone.xlsx"
    openpyxl.Workbook().save(lone)  # one sheet, empty: nothing else to point at
    with pytest.raises(InputError) as caught:
        read_table(lone, ALIASES)
    assert str(caught.value) == f"{lone}：表格是空的，找不到表头行"


@pytest.mark.parametrize("variant", SHAPES)
def test_an_error_cell_is_a_problem_in_every_shape_of_workbook(tmp_path: Path, variant: str) -> None:
    # python-calamine reads B6 (#N/A) as empty: the sheet's XML places it, by its reference, or by the
    # stream's rows where its cells name none; the row keeps its other cells.
    table = read_table(shape_workbook(tmp_path, variant), ALIASES, text_fields=["id_number"])
    errors = [(p.row, p.column, p.path, p.facts["value"], p.facts["cell"]) for p in table.problems
              if p.code == "cell-error"]
    assert errors == [(6, "B（证件号码）", "id_number", "#N/A", "B6")]
    assert table.rows[2].values["borrower"] == "x&y"


def test_a_row_holding_only_an_error_cell_is_no_blank_row(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # python-calamine gives the row as empty cells; it is reported as the CSV's text is, not passed over.
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["借款人", "证件号码"])
    ws.append(["张三", ID])
    ws.append([None, "#N/A"])
    wb.save(tmp_path / "book.xlsx")
    (tmp_path / "book.csv").write_text(f"借款人,证件号码\n张三,{ID}\n,#N/A\n", encoding="utf-8")
    found = []
    for name in ("book.xlsx", "book.csv"):
        table = read_table(tmp_path / name, ALIASES)
        found.append(([r.number for r in table.rows], [(p.row, p.code, p.facts["value"]) for p in table.problems]))
    assert found[0] == found[1] == ([2, 3], [(3, "cell-error", "#N/A")])


#: Excel's built-in date formats: 14 (m/d/yy), 22 (m/d/yy h:mm) and the East-Asian ones (27-36, 50-58;
#: 31 is yyyy年m月d日, Chinese Excel's default), which an .xls names by id alone.
_BUILT_IN_DATES = [14, 22, *range(27, 37), *range(50, 59)]


def test_an_xls_reads_its_cells_as_python_calamine_does_but_an_error_cell(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # python-calamine-plus gives a date in an East-Asian built-in format of an .xls as its serial
    # number (44936): read by it alone, a ledger's 2023年1月10日 was refused as no date. The cells are
    # python-calamine's, but an error cell (#N/A), which only the fork's rows tell from an empty one.
    import python_calamine
    import xlwt
    from xls_books import _BIFF_ERRORS, built_in_style

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("名单")
    cells: list[tuple[str, Any, Any]] = [
        *((f"格式{number}", dt.datetime(2023, 1, 10, 9, 30) if number == 22 else dt.date(2023, 1, 10),
           built_in_style(book, number)) for number in _BUILT_IN_DATES),
        ("年月日", dt.date(2024, 3, 15), xlwt.easyxf(num_format_str='yyyy"年"m"月"d"日"')),
        ("小数", 1234.5, None), ("整数", 7, None), ("文字", "2023年1月10日", None), ("空白", None, None)]
    sheet.write(0, 0, "借款人")
    sheet.write(0, 1, "逾期起始日")
    for row, (label, value, style) in enumerate(cells, start=1):
        sheet.write(row, 0, label)
        if value is not None:
            sheet.write(row, 1, value, *([style] if style is not None else []))
    last = len(cells) + 1
    sheet.write(last, 0, "错误")
    sheet.row(last).set_cell_error(1, _BIFF_ERRORS["#N/A"])
    path = tmp_path / "名单.xls"
    book.save(str(path))

    wanted = [value for _, value, _ in cells]
    calamine = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    assert [values[1] for values in calamine[1:]] == ["" if value is None else value for value in wanted] + [""]
    table = read_table(path, ALIASES)
    assert [r.values["borrower"] for r in table.rows] == [label for label, _, _ in cells] + ["错误"]
    assert [r.values["overdue_since"] for r in table.rows] == [*wanted, "#N/A"]
    assert [(p.row, p.code, p.facts["value"]) for p in table.problems] == [(last + 1, "cell-error", "#N/A")]
    streamed = [value for block in stream_table(path, ALIASES).column_blocks(4) for value in block.values["overdue_since"]]
    assert streamed == [*wanted, "#N/A"]
    # An installation without python-calamine-plus reads python-calamine's rows: #N/A as an empty cell.
    monkeypatch.setattr(tabular, "fork_installed", lambda: False)
    assert [r.values["overdue_since"] for r in read_table(path, ALIASES).rows] == [*wanted, None]


def test_a_stray_quote_below_a_title_line_is_measured_against_the_header(tmp_path: Path) -> None:
    # A title typed on a line of its own (one field) above the header: the rows a stray quote merged are
    # measured against the header's six fields, not the title's one.
    path = tmp_path / "名单.csv"
    rows = ["逾期客户名单（2026年6月末）", _WIDE, f"张三,{ID},HT-1,2026-09-01,5,", f"李四,{ID},HT-2,2026-09-02,6,\"杭州",
            f"王五,{ID},HT-3,2026-09-03,7,", f"钱七,{ID},HT-5,2026-09-05,9,宁波\""]
    path.write_text("\n".join(rows) + "\n", encoding="gb18030")
    refused = _refusal(lambda: read_table(path, ALIASES), "csv-quote-merged")
    assert (refused.facts["row"], refused.facts["start"], refused.facts["end"]) == (4, 4, 6)
    # A title and its unit on one line of two fields: the header's six still measure the rows.
    path.write_text("\n".join(["逾期客户名单（2026年6月末）,单位：元", *rows[1:]]) + "\n", encoding="utf-8")
    refused = _refusal(lambda: read_table(path, ALIASES), "csv-quote-merged")
    assert (refused.facts["row"], refused.facts["start"], refused.facts["end"]) == (4, 4, 6)


def test_a_column_converted_at_once_gives_what_each_cell_converted_alone_gives() -> None:
    from docgen.core.tabular import Block

    calls: list[str] = []

    def convert(value: str) -> int:
        calls.append(value)
        return int(value)  # "x": ValueError

    def at_once(values: list[str], kinds: set[type]) -> list[int] | None:
        return None if "x" in values else [int(value) for value in values]

    tables: dict[str, dict[Any, Any]] = {}
    block = Block([2, 3, 4, 5], {"n": ("7", "8", "7", "8")}, [])
    assert block.convert("n", convert, (ValueError,), tables, at_once) == ([7, 8, 7, 8], [])
    assert not calls and tables == {"n": {"7": 7, "8": 8}}
    # A cell at_once cannot tell: every distinct cell converted alone, the refused one named by its row.
    block = Block([2, 3, 4, 5, 6], {"n": ("7", "8", "7", "x", "8")}, [])
    assert block.convert("n", convert, (ValueError,), None, at_once) == ([7, 8, 7, None, 8], [3])
    assert sorted(calls) == ["7", "8", "x"]


def test_a_shared_column_whose_cells_convert_to_themselves_is_its_cells_without_a_look_up_per_cell() -> None:
    from operator import is_

    from docgen.core.tabular import Block

    hashed: list[str] = []

    class Text(str):
        def __hash__(self) -> int:
            hashed.append(str(self))
            return str.__hash__(self)

    a, b = Text("a"), Text("b")
    cells = (a, b, a, a, b)
    distinct = set(cells)

    def themselves(values: list[Any], kinds: set[type]) -> list[Any]:
        return values

    def copies(values: list[Any], kinds: set[type]) -> list[Any]:
        return [str(value) for value in values]

    for shared, at_once, looked_up in ((True, themselves, 0), (False, themselves, 5), (True, copies, 5)):
        block = Block([2, 3, 4, 5, 6], {"t": cells}, [], {"t": set(distinct)}, {}, {},
                      frozenset({"t"}) if shared else frozenset())
        tables: dict[str, dict[Any, Any]] = {}
        hashed.clear()
        results, failed = block.convert("t", str, (ValueError,), tables, at_once)
        assert results == list(cells) and not failed and tables["t"] == {"a": "a", "b": "b"}
        assert all(map(is_, results, cells)) is (at_once is themselves)
        # The table made from the distinct cells hashes each once; the look-ups hash each cell.
        assert len(hashed) - 2 == looked_up, (shared, at_once)


def test_a_column_of_text_with_nothing_to_strip_is_told_so_without_a_look_at_each_cell(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from operator import is_

    from docgen.core.tabular import Block

    compared: list[int] = []

    def counted(a: Any, b: Any) -> bool:
        compared.append(1)
        return is_(a, b)

    monkeypatch.setattr(tabular, "is_", counted)
    for cells in (["A1", "A2", "A1", "张三、李四", "A3"], ["A1", "A 2", "A1"], [" A1", "A2", "A1\u3000"], ["\x1fA", "B"]):
        stripped = [cell.strip() for cell in cells]
        joined = Block.SEPARATOR.join(cells)
        numbers = list(range(2, 2 + len(cells)))
        for name, block in (("joined", Block(numbers, {"t": list(cells)}, [], {}, {"t": {str}}, {"t": joined})),
                            ("cells", Block(numbers, {"t": tuple(cells)}, []))):
            compared.clear()
            texts, distinct = block.text("t")
            assert texts == stripped and distinct == set(stripped) and texts.__class__ is list, (name, cells)
            if stripped == cells:
                assert distinct is block.distinct("t") and all(map(is_, texts, cells))
            if stripped == cells and " " not in joined:
                # The joined cells hold no white space (one pass in C); else each distinct cell is stripped once.
                assert len(compared) == (0 if name == "joined" else len(set(cells))), (name, cells)
