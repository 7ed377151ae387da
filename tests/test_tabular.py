"""The spreadsheet reader: xlsx and csv, Chinese headers, encodings, Excel's number traps."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from docgen.errors import InputError
from docgen.tabular import column_letter, decode_text, read_table

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
    assert first.columns["id_number"] == "B(证件号码)"
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
    assert (problem.row, problem.column, problem.path) == (3, "B(证件号码)", "id_number")
    assert problem.message == "证件号码被 Excel 存成了数字(位数可能已丢失),请把该列设为文本后重新录入"
    assert str(problem).startswith("第3行 B(证件号码)列 id_number:")


def test_scientific_notation_in_csv_id_is_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "rows.csv"
    path.write_text("借款人,证件号码\n张三,1.10105E+17\n", encoding="utf-8")
    table = read_table(path, ALIASES, text_fields=["id_number"])
    assert [(p.row, p.column) for p in table.problems] == [(2, "B(证件号码)")]
    assert "科学计数法" in table.problems[0].message


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk"])
def test_csv_encodings(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "rows.csv"
    path.write_text("借款人,证件号码,逾期本金\r\n杭州明远五金有限公司,%s,\"1,250.00\"\r\n,,\r\n" % ID, encoding=encoding)
    table = read_table(path, ALIASES, required=["borrower", "id_number"], text_fields=["id_number"])
    assert [r.values for r in table.rows] == [
        {"borrower": "杭州明远五金有限公司", "id_number": ID, "principal": "1,250.00"}
    ]
    assert table.rows[0].number == 2


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
    assert str(err.value) == f"{path}: 第1行表头缺少必需的列:证件号码(id_number);请在表头加上这些列"
    assert err.value.exit_code == 2


def test_duplicate_header_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "rows.csv"
    path.write_text("借款人,客户名称\n张三,李四\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"表头重复:A\(借款人\) 与 B\(客户名称\) 都对应字段 borrower"):
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
    with pytest.raises(InputError, match="找不到工作表 '其他';现有工作表:Sheet、名单"):
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
    table = read_table(tmp_path / "book.xlsx", {"title": ["逾期客户名单"], **ALIASES})
    # The first non-blank row is the header: here the title row.
    assert table.fields == ["title"]
    table = read_table(tmp_path / "book.xlsx", ALIASES)
    assert table.unknown_headers == ["逾期客户名单"]


def test_decode_text_order() -> None:
    text = "借款人,证件号码"
    assert decode_text(text.encode("utf-8"), "x") == text
    assert decode_text(b"\xef\xbb\xbf" + text.encode("utf-8"), "x") == text
    assert decode_text(text.encode("gb18030"), "x") == text
    assert decode_text("\ufeff".encode("utf-16-le") + text.encode("utf-16-le"), "x") == text


def test_column_letters() -> None:
    assert [column_letter(i) for i in (0, 25, 26, 27, 701, 702)] == ["A", "Z", "AA", "AB", "ZZ", "AAA"]


def test_example_rows_read_cleanly() -> None:
    from docgen.templating import load_template

    from batch_helpers import EXAMPLE_ROWS

    template = load_template("demand-letter")
    table = read_table(EXAMPLE_ROWS, template.aliases, text_fields=["id_number"])
    assert len(table.rows) == 20
    assert table.problems == [] and table.unknown_headers == []
    assert isinstance(table.rows[0].values["id_number"], str)
    assert isinstance(table.rows[0].values["overdue_since"], dt.date)
