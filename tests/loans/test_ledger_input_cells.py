"""A clerk's ledger cells that used to be misread without a word: Excel's error values (#N/A where a
date or a name should be), an ID number in full-width scientific notation, rows merged by a stray
CSV quote. Each is a row error (or the file is refused) naming where it is, never a value read."""
from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from ledger_fixtures import row

from docgen.cli import main
from docgen.core import tabular
from docgen.core.xlsxbounds import column_letters
from docgen.loans.ledger import LEDGER_HEADERS, read_ledger, write_ledger

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


@pytest.mark.parametrize("reader", ["stream", "python-calamine", "xls"])
def test_an_error_cell_in_a_ledger_column_is_a_row_error_naming_sheet_cell_and_value(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reader: str) -> None:
    # Read as an empty cell, #N/A under 向保证人主张日 said the guarantor was never called on, and
    # #REF! under 借款人 said the name was missing: now each is its own row error, in an .xls too
    # (python-calamine gives its error cells as empty cells, the .xls no XML to find them in).
    from xls_books import xls_copy

    path = _errors_workbook(tmp_path / "台账.xlsx")
    if reader == "python-calamine":
        monkeypatch.setattr(tabular, "streams_alike", lambda *_: False)
    elif reader == "xls":
        path = xls_copy(path, tmp_path / "台账.xls")
    code, stderr = _plan(path)
    assert code == 1
    assert stderr == (
        f"错误：{path}：台账有 4 行数据不合格，请按行列位置修改后重试\n"
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
    assert _plan(path) == (1, _csv_errors(path, ["第2行 Z（向保证人主张日）列 guarantor_demanded", "#N/A"],
                                          ["第3行 C（借款人）列 borrower", "#REF!"],
                                          ["第4行 J（发放金额）列 principal", "#DIV/0!"],
                                          ["第5行 W（起诉日期）列 litigation_filed", "#VALUE!"]))


def _csv_errors(path: Path, *cells: list[str]) -> str:
    """The error output of a CSV ledger whose ``cells`` (where, error value) hold Excel's error values."""
    said = f"（另存为 CSV 之前公式就没有算出结果）{_NOT_EMPTY}{_FIX}"
    return (f"错误：{path}：台账有 {len(cells)} 行数据不合格，请按行列位置修改后重试\n"
            + "".join(f"  - {where}：该格是 Excel 的错误值 {value}{said}\n" for where, value in cells))


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
        f"错误：{path}：台账有 3 行数据不合格，请按行列位置修改后重试\n"
        "  - 第2行 D（证件号码）列 id_number：证件号码是科学计数法 １．１Ｅ＋１７（Excel 已丢失位数），请把该列设为文本后重新录入\n"
        "  - 第3行 D（证件号码）列 id_number：证件号码是科学计数法 1.1E+17（Excel 已丢失位数），请把该列设为文本后重新录入\n"
        "  - 第4行 D（证件号码）列 id_number：证件号码是科学计数法 ６．１０３２６ｅ＋１７（Excel 已丢失位数），"
        "请把该列设为文本后重新录入\n")


def _narrow_csv(path: Path, lines: list[str], encoding: str) -> Path:
    """A ledger CSV of the required columns only (eleven fields) whose data lines are ``lines``."""
    path.write_text("\n".join(["借据号,借款人,证件号码,机构,客户经理,发放日期,到期日期,发放金额,贷款余额,五级分类,表内外",
                               *lines]) + "\n", encoding=encoding)
    return path


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
def test_a_stray_quote_merging_consecutive_rows_is_refused_naming_the_cell_and_lines(
        tmp_path: Path, encoding: str) -> None:
    # A quote typed before 张三 and another before 李四: csv read A2's row and A3's up to 李四 as one
    # cell (张三,610…\nA3,) and went on, so loan A3 was lost inside A2's borrower.
    from ledger_fixtures import resident_id

    tail = "眉县支行,王立新,2023-01-10,2027-01-10,2000,1000,正常,表内"
    path = _narrow_csv(tmp_path / "台账.csv", [f'A2,"张三,{resident_id(1)},{tail}', f'A3,"李四,{resident_id(2)},{tail}',
                                                f"A4,王五,{resident_id(3)},{tail}"], encoding)
    code, stderr = _plan(path)
    assert code == 2
    assert stderr == (f"错误：{path}：第2行第2列（B 列）的单元格以英文双引号开头，其后的引号后面紧跟着文字而不是分隔符，"
                      "文件第2行至第3行被读成了这一格；Excel 保存的 CSV 不会这样写，多半是多打或漏打了引号；"
                      "请检查这几行的引号是否成对（格内的双引号应写成两个），改正后重试\n")


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030"])
def test_quotes_in_one_column_of_two_rows_joining_them_are_refused(tmp_path: Path, encoding: str) -> None:
    # A quote before 张三 and one after 李四 on the next row: csv read one record of eleven fields, loan
    # A2 with A3's ID and amounts and 李四 inside its borrower, and A3 gone, without a word.
    from ledger_fixtures import resident_id

    tail = "眉县支行,王立新,2023-01-10,2027-01-10,2000,1000,正常,表内"
    path = _narrow_csv(tmp_path / "台账.csv", [f'A2,"张三,{resident_id(1)},{tail}', f'A3,李四",{resident_id(2)},{tail}',
                                                f"A4,王五,{resident_id(3)},{tail}"], encoding)
    code, stderr = _plan(path)
    assert code == 2
    assert stderr == (f"错误：{path}：第2行第2列（B 列）的单元格以英文双引号开头，引号直到文件第3行才闭合，文件第2行至第3行被读成了这一格，"
                      "其中有整行的数据（分隔符与表头一样多），不是格内换行的文字；请检查该格的引号是否成对（格内的双引号应写成两个），"
                      "删去多余的引号后重试\n")
    # A remark typed on two lines, in the last column or another, commas and all, is read as typed.
    path = _narrow_csv(tmp_path / "备注.csv", [f'A2,张三,{resident_id(1)},"眉县支行,城东\n分理处",{tail[5:]}',
                                                f'A3,李四,{resident_id(2)},{tail}'], encoding)
    path.write_text(path.read_text(encoding=encoding).replace("表内外\n", "表内外,备注\n").replace(
        "表内\nA3", '表内,"已联系,借款人称下月还\n保证人王五,赵六均知悉"\nA3'), encoding=encoding)
    assert _plan(path) == (0, "")


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
def test_a_header_wrapped_in_its_cell_measures_the_rows_a_stray_quote_merged(tmp_path: Path, encoding: str) -> None:
    # 贷款余额 typed over two lines of its cell (Alt+Enter), as Excel saves it: the header is one record over two
    # lines, and was left out of the table's width, which then stood below the five fields whole rows are looked
    # for from; the rows a quote before 张三 and one after 李四 or 王五 merged were read as 张三's borrower, A3 and
    # A4 lost without a word. Refused as with a header on one line, the file's lines counted as they stand.
    from ledger_fixtures import resident_id

    tail = "眉县支行,王立新,2023-01-10,2027-01-10,2000,1000,正常,表内"
    for wrapped in (False, True):
        for closing, end in (("A3,李四\"", 3), ("A4,王五\"", 4)):
            lines = [f'A2,"张三,{resident_id(1)},{tail}', f"A3,李四,{resident_id(2)},{tail}",
                     f"A4,王五,{resident_id(3)},{tail}", f"A5,赵六,{resident_id(4)},{tail}"]
            lines[end - 2] = lines[end - 2].replace(closing.rstrip('"'), closing, 1)
            path = _narrow_csv(tmp_path / "台账.csv", lines, encoding)
            if wrapped:
                path.write_text(path.read_text(encoding=encoding).replace("贷款余额", '"贷款余额\n（元）"', 1),
                                encoding=encoding)
            code, stderr = _plan(path)
            assert code == 2, (wrapped, closing)
            start = 2 + wrapped
            assert stderr == (f"错误：{path}：第2行第2列（B 列）的单元格以英文双引号开头，引号直到文件第{end + wrapped}行才闭合，"
                              f"文件第{start}行至第{end + wrapped}行被读成了这一格，其中有整行的数据（分隔符与表头一样多），"
                              "不是格内换行的文字；请检查该格的引号是否成对（格内的双引号应写成两个），删去多余的引号后重试\n")
    # The wrapped header with rows as Excel writes them, a remark on two lines among them: read as typed.
    path = _narrow_csv(tmp_path / "备注.csv", [f'A2,张三,{resident_id(1)},"眉县支行,城东\n分理处",{tail[5:]}',
                                                f"A3,李四,{resident_id(2)},{tail}"], encoding)
    path.write_text(path.read_text(encoding=encoding).replace("贷款余额", '"贷款余额\n（元）"', 1), encoding=encoding)
    assert _plan(path) == (0, "")


def test_a_stray_quote_in_a_table_of_three_fields_is_refused_and_a_remark_on_lines_is_read(tmp_path: Path) -> None:
    from docgen.core.errors import InputError

    aliases = {"borrower": ["借款人"], "id_number": ["证件号码"], "remark": ["备注"]}
    merged = tmp_path / "merged.csv"
    merged.write_text('借款人,证件号码,备注\n"张三,X1,已还\n"李四,X2,未还\n王五,X3,未还\n', encoding="gb18030")
    with pytest.raises(InputError) as caught:
        tabular.read_table(merged, aliases)
    assert caught.value.code == "csv-quote-stray" and caught.value.exit_code == 2
    assert (caught.value.facts["row"], caught.value.facts["start"], caught.value.facts["end"]) == (2, 2, 3)
    # A remark typed on two lines holding commas, as Excel writes it: read as typed, at any width.
    remark = tmp_path / "remark.csv"
    remark.write_text('借款人,证件号码,备注\n张三,X1,"已联系,借款人称下月还\n保证人王五,赵六均知悉"\n王五,X3,"甲\n乙"\n',
                      encoding="utf-8")
    assert [r.values["remark"] for r in tabular.read_table(remark, aliases).rows] == [
        "已联系,借款人称下月还\n保证人王五,赵六均知悉", "甲\n乙"]


def _titled_workbook(path: Path, rows: list[dict[str, object]], *above: str, header: dict[str, str] | None = None) -> Path:
    """The ledger of ``rows`` with the rows ``above`` (a title merged across, a unit row) over its header."""
    write_ledger(rows, path)
    book = openpyxl.load_workbook(path)
    sheet = book.active
    sheet.insert_rows(1, len(above))
    for number, text in enumerate(above, start=1):
        sheet.cell(row=number, column=1).value = text
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=sheet.max_column)
    for old, new in (header or {}).items():
        sheet.cell(row=len(above) + 1, column=_HEADERS.index(old) + 1).value = new
    book.save(path)
    return path


def _titled_csv(path: Path, rows: list[dict[str, object]], encoding: str, *above: str) -> Path:
    """The ledger of ``rows`` as CSV, the lines ``above`` over its header (as typed: one field each)."""
    written = write_ledger(rows, path, encoding=encoding).read_bytes().decode(encoding).lstrip("\ufeff")
    path.write_text("\r\n".join(above) + "\r\n" + written, encoding=encoding)
    return path


_TITLE, _UNIT = "城东支行贷款台账（2026年6月末）", "单位：元"


@pytest.mark.parametrize("kind", ["xlsx", "utf-8", "gb18030"])
def test_a_title_and_a_unit_row_above_the_header_are_passed_over_rows_keeping_their_numbers(
        tmp_path: Path, kind: str) -> None:
    from docgen.loans.ledger import read_ledger

    rows = _rows()
    if kind == "xlsx":
        path = _titled_workbook(tmp_path / "台账.xlsx", rows, _TITLE, _UNIT)
    else:
        path = _titled_csv(tmp_path / "台账.csv", rows, kind, _TITLE, _UNIT)
    ledger = read_ledger(path)
    assert [(loan.loan_no, loan.row) for loan in ledger.loans] == [("A1", 4), ("A2", 5), ("A3", 6), ("A4", 7)]
    assert ledger.loans[3].balance == 1000 and ledger.unknown_headers == []
    assert _plan(path)[0] == 0
    # A bad row is named by the number Excel shows for it.
    rows[2]["classification"] = "很好"
    bad = (_titled_workbook(tmp_path / "坏.xlsx", rows, _TITLE, _UNIT) if kind == "xlsx"
           else _titled_csv(tmp_path / "坏.csv", rows, kind, _TITLE, _UNIT))
    code, stderr = _plan(bad)
    assert (code, stderr) == (1, f"错误：{bad}：台账有 1 行数据不合格，请按行列位置修改后重试\n"
                                 "  - 第6行 O（五级分类）列 classification：不允许的取值 很好\n")


@pytest.mark.parametrize("kind, above, header, cell, text, unit", [
    ("xlsx", (_TITLE, "单位：万元"), None, "A2", "单位：万元", "万元"),
    ("utf-8", ("城东支行贷款台账（金额单位：人民币万元）",), None, "A1", "城东支行贷款台账（金额单位：人民币万元）", "万元"),
    ("gb18030", (_TITLE, "(单位:千元)"), None, "A2", "(单位:千元)", "千元"),
    ("xlsx", (_TITLE,), {"逾期本金": "逾期本金（万元）"}, "M2", "逾期本金（万元）", "万元"),
    # A unit the first list of units missed: 千万元, 万 alone, a unit stated with 为 or as 以…为单位.
    ("xlsx", (_TITLE, "单位：千万元"), None, "A2", "单位：千万元", "千万元"),
    ("utf-8", (_TITLE, "单位：万"), None, "A2", "单位：万", "万"),
    ("gb18030", (_TITLE, "金额单位为人民币万元"), None, "A2", "金额单位为人民币万元", "万元"),
    ("xlsx", ("城东支行贷款台账（以万元为单位）",), None, "A1", "城东支行贷款台账（以万元为单位）", "万元"),
])
def test_amounts_stated_in_another_unit_than_the_yuan_are_refused(
        tmp_path: Path, kind: str, above: tuple[str, ...], header: dict[str, str] | None, cell: str, text: str,
        unit: str) -> None:
    # Read as yuan, a ledger kept in 万元 would have made every balance and claim ten thousand times too small;
    # 逾期本金（万元） named no column the ledger reads, so its amounts were dropped as if nil.
    if kind == "xlsx":
        path = _titled_workbook(tmp_path / "台账.xlsx", _rows(), *above, header=header)
    else:
        path = _titled_csv(tmp_path / "台账.csv", _rows(), kind, *above)
    code, stderr = _plan(path)
    assert code == 2
    # A workbook's cell is named with its sheet, as the workbook's other errors name it; a CSV has none.
    where = "工作表“贷款台账”的 " if kind == "xlsx" else ""
    assert stderr == (f"错误：{path}：{where}{cell} 的“{text}”写明金额以{unit}为单位，但台账的金额一律按元读取，"
                      "按元读会把每一笔金额读错；请把各金额列换算成元（单位写“元”）后重试\n")


def test_a_sheet_whose_rows_name_no_column_names_its_first_row_as_before(tmp_path: Path) -> None:
    path = tmp_path / "台账.csv"
    path.write_text("城东支行贷款台账\nRef,Client,Amount\nA1,张三,1000\n", encoding="utf-8")
    code, stderr = _plan(path)
    assert code == 2
    assert stderr == (f"错误：{path}：第1行不是表头（没有一个可识别的列名：A（城东支行贷款台账）），其下十行内也没有表头；"
                      "表头上方可以有标题行、单位行（至多十行），表头本身须写明可识别的列名：请检查列名，删去表头上方多余的行，或检查是否选错了文件或工作表\n")


def test_a_title_or_column_merely_naming_a_currency_states_no_unit(tmp_path: Path) -> None:
    # Only a unit stated as one (单位：…) or as the whole of a bracket (（万元）) is taken for the amounts'.
    path = _titled_workbook(tmp_path / "台账.xlsx", _rows(), "城东支行贷款台账（含美元贷款折人民币）", "单位：人民币元")
    book = openpyxl.load_workbook(path)
    book.active.cell(row=3, column=book.active.max_column + 1).value = "备注（美元贷款）"
    book.active.cell(row=3, column=book.active.max_column + 1).value = "户数（单位：万户）"  # no amount's unit
    # A column of the clerk's own in 万元, naming no field the ledger reads: nothing reads it as yuan.
    book.active.cell(row=3, column=book.active.max_column + 1).value = "授信金额（万元）"
    book.save(path)
    assert _plan(path) == (0, "")


def test_english_names_the_unit_of_the_amounts_refused() -> None:
    from docgen.loans.messages import MESSAGES

    facts = {"file": "台账.xlsx", "cell": "A2", "text": "单位：万元", "unit": "万元"}
    assert MESSAGES.text("ledger-amount-unit", facts, "en") == (
        "台账.xlsx: A2 ('单位：万元') states the amounts in tens of thousands of yuan (万元), but the ledger's amounts are "
        "read as yuan, which would misread every amount; convert the amount columns to yuan (the unit written as 元) "
        "and try again")


@pytest.mark.parametrize(("unit", "english"), [("万元", "tens of thousands of yuan (万元)"), ("美元", "US dollars"),
                                               ("千万元", "千万元")])
def test_a_batch_names_the_unit_refused_in_english_as_the_ledger_does(unit: str, english: str) -> None:
    """One table of the units in English: a batch sheet's 单位：万元 is named as a ledger's is, where it was
    left in Chinese."""
    from docgen.documents.messages import MESSAGES as BATCH
    from docgen.loans.messages import MESSAGES

    facts = {"path": "批量.xlsx", "file": "台账.xlsx", "cell": "A2", "text": f"单位：{unit}", "unit": unit}
    assert f"states the amounts in {english}, not in yuan, " in BATCH.text("batch-amount-unit", facts, "en")
    assert f"states the amounts in {english}, but " in MESSAGES.text("ledger-amount-unit", facts, "en")


@pytest.mark.parametrize("suffix", [".xlsx", ".xls"])
def test_a_unit_refusal_names_the_sheet_of_a_workbook_in_chinese_and_english(tmp_path: Path, suffix: str) -> None:
    """The unit row of a named sheet, or of the one read by default (the first Excel shows), is named with its
    sheet as the workbook's other errors name a cell: the clerk finds 单位：万元 in the right sheet."""
    from docgen.core.errors import InputError
    from docgen.loans.messages import MESSAGES
    from xls_books import xls_copy

    path = _titled_workbook(tmp_path / "台账.xlsx", _rows(), _TITLE, "单位：万元")
    book = openpyxl.load_workbook(path)
    book.active.title = "6月末"
    book.create_sheet("说明", 0).sheet_state = "hidden"  # read past: not the sheet named
    book.save(path)
    if suffix == ".xls":
        path = xls_copy(path, tmp_path / "台账.xls")
    for sheet in (None, "6月末"):
        with pytest.raises(InputError) as caught:
            read_ledger(path, sheet=sheet)
        assert (caught.value.code, caught.value.facts["sheet"]) == ("ledger-amount-unit", "6月末")
        assert str(caught.value) == (f"{path}：工作表“6月末”的 A2 的“单位：万元”写明金额以万元为单位，但台账的金额一律按元读取，"
                                     "按元读会把每一笔金额读错；请把各金额列换算成元（单位写“元”）后重试")
        assert MESSAGES.text("ledger-amount-unit", caught.value.facts, "en") == (
            f"{path}: A2 of sheet '6月末' ('单位：万元') states the amounts in tens of thousands of yuan (万元), but the "
            "ledger's amounts are read as yuan, which would misread every amount; convert the amount columns to yuan "
            "(the unit written as 元) and try again")


@pytest.mark.parametrize("reader", ["stream", "python-calamine"])
def test_an_error_value_of_a_later_excel_is_named_not_called_a_damaged_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reader: str) -> None:
    # calamine refuses the whole sheet at #SPILL! (a dynamic array's, Excel 365): it said the file may be damaged.
    source = write_ledger(_rows(), tmp_path / "源.xlsx")
    path = tmp_path / "台账.xlsx"
    column = column_letters(_HEADERS.index("向保证人主张日") + 1)
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as new:
        for item in old.infolist():
            data = old.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rf'<c r="{column}2"[^>]*?(/>|>.*?</c>)'.encode(),
                              f'<c r="{column}2" t="e"><f>_xlfn.XLOOKUP(A2,B:B,C:C)</f><v>#SPILL!</v></c>'.encode(),
                              data, count=1)
            new.writestr(item, data)
    if reader == "python-calamine":
        monkeypatch.setattr(tabular, "streams_alike", lambda *_: False)
    code, stderr = _plan(path)
    assert code == 2
    assert stderr == (f"错误：{path}：表格中有新版 Excel 的错误值 #SPILL!（公式没有算出结果），"
                      "读取时无法识别这种错误值，文件本身并未损坏；请在 Excel 中把显示 #SPILL! 的公式改为实际的值，"
                      "确实没有的留空，然后重试\n")


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
def test_an_error_value_for_a_header_leaves_its_column_untitled_as_in_a_workbook(tmp_path: Path, encoding: str) -> None:
    # #REF! saved as 向保证人主张日's header was an unknown column: the dates under it went unread and the
    # guarantors counted as never called on. A workbook's error cell there reads as an empty header.
    path = write_ledger(_rows(), tmp_path / "台账.csv", encoding=encoding)
    path.write_bytes(path.read_bytes().decode(encoding).replace("向保证人主张日", "#REF!", 1).encode(encoding))
    code, stderr = _plan(path)
    assert code == 2
    assert stderr == (f"错误：{path}：第26列（Z 列）表头为空，但该列第2行起有数据，无表头的数据无法读取；"
                      "请给该列填写表头，或删除该列\n")


@pytest.mark.parametrize("kind", ["xlsx", "utf-8-sig", "gb18030"])
def test_loans_above_a_header_sorted_in_among_them_are_refused_not_passed_over(tmp_path: Path, kind: str) -> None:
    # Sorted with 数据包含标题 unticked, the header landed on row 3: loans A1 and A2 above it named no column
    # and were passed over as titles, lost from the plan without a word.
    rows = _rows()
    if kind == "xlsx":
        path = write_ledger(rows, tmp_path / "台账.xlsx")
        book = openpyxl.load_workbook(path)
        sheet = book.active
        cells = [[cell.value for cell in line] for line in sheet.iter_rows()]
        sheet.delete_rows(1, sheet.max_row)
        for line in cells[1:3] + cells[:1] + cells[3:]:
            sheet.append(line)
        book.save(path)
    else:
        path = write_ledger(rows, tmp_path / "台账.csv", encoding=kind)
        lines = path.read_bytes().decode(kind).lstrip("\ufeff").splitlines(keepends=True)
        path.write_bytes("".join(lines[1:3] + lines[:1] + lines[3:]).encode(kind))
    code, stderr = _plan(path)
    assert code == 2
    assert stderr == (f"错误：{path}：第1行在表头（第3行）上方，却有数字或日期，是数据行而不是标题行或单位行，表头上方的行不会被读取；"
                      "表格可能在排序时把表头行排进了数据中间（排序时未勾选“数据包含标题”）：请把表头行移回所有数据的上方后重试\n")


def test_a_note_with_its_date_above_the_header_is_still_passed_over(tmp_path: Path) -> None:
    path = _titled_workbook(tmp_path / "台账.xlsx", _rows(), _TITLE, _UNIT)
    book = openpyxl.load_workbook(path)
    book.active["B2"], book.active["C2"] = "制表日期", dt.datetime(2026, 6, 30)  # one cell of data: a note's
    book.active["D2"] = "制表人：王立新"
    book.save(path)
    assert _plan(path) == (0, "")


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
def test_a_later_excel_s_error_value_saved_in_a_csv_is_a_row_error_too(tmp_path: Path, encoding: str) -> None:
    # #SPILL! under 担保人 was read as a guarantor's name; #CALC! under 借款人 as the borrower's.
    rows = _rows()
    rows[1]["guarantors"], rows[2]["borrower"] = "#SPILL!", "#CALC!"
    path = write_ledger(rows, tmp_path / "台账.csv", encoding=encoding)
    assert _plan(path) == (1, _csv_errors(path, ["第3行 R（担保人）列 guarantors", "#SPILL!"],
                                          ["第4行 C（借款人）列 borrower", "#CALC!"]))
