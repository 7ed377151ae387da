"""The streaming .xlsx reader gives python-calamine's rows, and is used only where it does.

Each workbook here is read both ways: through the stream (python-calamine-plus, what docgen
uses for an ordinary sheet) and through python-calamine (what it used before and still uses for
the two kinds of workbook the stream reads otherwise). Rows, values, problems and columns must
be the same; the two exceptions must send the workbook to python-calamine.
"""
from __future__ import annotations

import datetime as dt
import html
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest

import docgen.core.tabular as tabular
from docgen.core.errors import InputError
from docgen.core.tabular import read_table, stream_table
from docgen.core.xlsxbounds import check_xlsx_extent, declared_extent
from docgen.core.xlsxstream import EAST_ASIAN_DATE_FORMATS, ERROR_TEXTS, streams_alike

from test_tabular import _NS, _ROWS, _SHARED, ALIASES, ID, SHAPES, _sheet, _workbook, shape_workbook

WIDE = {**ALIASES, "amount": ["金额"], "flag": ["标志"], "when": ["时间"], "note": ["备注"], "far": ["远处"]}


def _raw_rows(path: Path, *, stream: bool) -> list[list[Any]]:
    """The sheet's rows as either reader gives them, whole numbers as int and trailing empty cells cut."""
    if stream:
        from python_calamine_plus import CalamineWorkbook as Plus

        rows = list(Plus.from_path(str(path)).stream_sheet_by_index(0))
    else:
        from python_calamine import CalamineWorkbook

        sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
        offset = (sheet.start or (0, 0))[1]
        rows = [[""] * offset + row for row in sheet.iter_rows()]
    out = []
    for row in rows:
        row = [int(v) if isinstance(v, float) and v.is_integer() else v for v in row]
        while row and row[-1] == "":
            row.pop()
        out.append([(type(v).__name__, v) for v in row])
    return out


def _both(path: Path, monkeypatch: pytest.MonkeyPatch, **options: Any) -> tuple[Any, Any]:
    """``read_table`` of ``path`` through the stream, then through python-calamine."""
    assert streams_alike(path, None, check_xlsx_extent(path)), "the workbook should be one the stream reads"
    streamed = read_table(path, WIDE, **options)
    with monkeypatch.context() as patch:
        patch.setattr(tabular, "streams_alike", lambda *_: False)
        whole = read_table(path, WIDE, **options)
    return streamed, whole


def _same_table(streamed: Any, whole: Any) -> None:
    assert (streamed.fields, streamed.columns, streamed.unknown_headers) == (whole.fields, whole.columns,
                                                                             whole.unknown_headers)
    typed = lambda table: [(r.number, {k: (type(v).__name__, v) for k, v in r.values.items()}) for r in table.rows]
    assert typed(streamed) == typed(whole)
    assert [p.to_dict() for p in streamed.problems] == [p.to_dict() for p in whole.problems]


def _with_styles(path: Path, styles: str) -> Path:
    with zipfile.ZipFile(path) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    files["xl/styles.xml"] = styles.encode("utf-8")
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return path


def _formats_workbook(path: Path, ids: list[int], codes: dict[int, str] | None = None) -> Path:
    """A sheet with one row per number format id: a date-time, a time of day and a whole day."""
    codes = codes or {}
    defined = "".join(f'<numFmt numFmtId="{i}" formatCode="{html.escape(c, quote=True)}"/>'
                      for i, c in codes.items())
    styles = (f'<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="{_NS}">'
              + (f'<numFmts count="{len(codes)}">{defined}</numFmts>' if codes else "")
              + '<fonts count="1"><font/></fonts><fills count="1"><fill/></fills><borders count="1"><border/></borders>'
              f'<cellStyleXfs count="1"><xf/></cellStyleXfs><cellXfs count="{len(ids)}">'
              + "".join(f'<xf numFmtId="{i}"/>' for i in ids) + "</cellXfs></styleSheet>")
    rows = "".join(f'<row r="{k + 1}"><c r="A{k + 1}" s="{k}"><v>46346.25</v></c><c r="B{k + 1}" s="{k}"><v>0.75</v>'
                   f'</c><c r="C{k + 1}" s="{k}"><v>46346</v></c><c r="D{k + 1}" s="{k}"><v>-1</v></c></row>'
                   for k in range(len(ids)))
    return _with_styles(_workbook(path, _sheet(rows), _SHARED), styles)


def test_every_built_in_format_but_the_east_asian_dates_reads_alike(tmp_path: Path) -> None:
    ids = [i for i in range(200) if i not in EAST_ASIAN_DATE_FORMATS]
    path = _formats_workbook(tmp_path / "ids.xlsx", ids)
    assert _raw_rows(path, stream=True) == _raw_rows(path, stream=False)
    assert streams_alike(path, None, check_xlsx_extent(path))


@pytest.mark.parametrize("number", sorted(EAST_ASIAN_DATE_FORMATS))
def test_a_workbook_using_an_east_asian_built_in_date_is_read_by_calamine(tmp_path: Path, number: int) -> None:
    path = _formats_workbook(tmp_path / "ea.xlsx", [0, number])
    assert not streams_alike(path, None, check_xlsx_extent(path))
    # What the exception is for: calamine reads these as dates, the stream as serial numbers.
    assert _raw_rows(path, stream=True)[1] != _raw_rows(path, stream=False)[1]


CUSTOM = [
    'yyyy/m/d', 'yyyy"年"m"月"d"日"', 'yyyy"年"m"月"d"日";@', '[$-804]yyyy"年"m"月"d"日"',
    '[DBNum1][$-804]yyyy"年"m"月"d"日"', 'e"年"m"月"d"日"', 'ggge"年"m"月"d"日"', 'm"月"d"日"', 'yyyy"年"m"月"',
    'h"时"mm"分"ss"秒"', '上午/下午h"时"mm"分"', 'h:mm AM/PM', 'A/P', '[h]:mm', '[mm]:ss', '[ss]', 'mm:ss.0',
    '0.00', '#,##0.00_ ', '0.00%', '"¥"#,##0.00', '[Red]0.00', '[Blue]yyyy-mm-dd', '@', 'General',
    '0_);[Red](0)', '"Y: "0.00"m"', '\\Y000000', '#,##0*y', '*-yyyy-mm-dd', '"日期"', '0"天"', 'aaaa', 'ddd',
    '[$-F800]dddd, mmmm dd, yyyy', '[>=100][Magenta][s].00', '[h]:mm;[=0]\\-', 'b"年"', 'e', '0.00E+00',
]


def test_custom_number_formats_read_alike(tmp_path: Path) -> None:
    codes = {164 + n: code for n, code in enumerate(CUSTOM)}
    path = _formats_workbook(tmp_path / "custom.xlsx", list(codes), codes)
    streamed = _raw_rows(path, stream=True)
    assert streamed == _raw_rows(path, stream=False)
    kinds = {code: {kind for kind, _ in row} for code, row in zip(CUSTOM, streamed)}
    assert kinds['yyyy"年"m"月"d"日"'] == {"date", "datetime", "time"} and kinds["0.00"] == {"float", "int"}


def _shapes(rows_xml: str) -> str:
    # The hand-written shapes of test_tabular without the two cells the stream reads otherwise:
    # the error cell becomes text, the East-Asian built-in date (style 4) the custom 年月日 one.
    return rows_xml.replace('<c r="B6" t="e"><v>#N/A</v></c>', '<c r="B6" t="inlineStr"><is><t>无</t></is></c>') \
        .replace('s="4"', 's="2"')


@pytest.mark.parametrize("variant", SHAPES)
def test_hand_written_shapes_read_alike(tmp_path: Path, variant: str, monkeypatch: pytest.MonkeyPatch) -> None:
    path = shape_workbook(tmp_path, variant, _shapes(_ROWS))
    assert _raw_rows(path, stream=True) == _raw_rows(path, stream=False)
    _same_table(*_both(path, monkeypatch, text_fields=["id_number"]))


def test_awkward_openpyxl_workbook_reads_alike(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Starts at B3 (a column and two rows empty before), blank rows and a sparse far column,
    # IDs as text, as numbers and in scientific notation, numbers stored as text, booleans,
    # dates, date-times, times, durations, formulas without cached values, 1e30, -0.0.
    book = openpyxl.Workbook()
    sheet = book.active
    header = ["借款人", "证件号码", "逾期起始日", "逾期本金", "金额", "标志", "时间", "备注"]
    for column, title in enumerate(header, start=2):
        sheet.cell(row=3, column=column, value=title)
    sheet["AD3"] = "远处"
    values = [
        ["张三", ID, dt.date(2026, 11, 20), 1250.5, 100, True, dt.datetime(2026, 1, 2, 3, 4, 5), "备注"],
        ["李四", 110105194912310000, dt.datetime(2026, 11, 21), "1,250.50", "00123", False, dt.time(12, 30), None],
        [None, None, None, None, None, None, None, None],
        ["王五", "1.10105E+17", 46346, -0.0, 1e30, "TRUE", dt.timedelta(hours=30), "=1+1"],
        ["赵六", " 11010519491231002X ", "2026-11-22", 0.1, 2 ** 53, None, None, "  "],
    ]
    for number, row in enumerate(values, start=4):
        for column, value in enumerate(row, start=2):
            if value is not None:
                sheet.cell(row=number, column=column, value=value)
    sheet["E4"].number_format = "yyyy-mm-dd"
    sheet["H9"] = 7
    sheet["AD8"] = "far"
    sheet["F7"].number_format = "0.00"
    sheet["H7"].number_format = "[h]:mm:ss"
    path = tmp_path / "awkward.xlsx"
    book.save(path)
    assert _raw_rows(path, stream=True) == _raw_rows(path, stream=False)
    streamed, whole = _both(path, monkeypatch, text_fields=["id_number"])
    _same_table(streamed, whole)
    assert [r.number for r in streamed.rows] == [4, 5, 7, 8, 9] and streamed.problems


def test_a_streamed_ledger_block_by_block_is_the_whole_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["借款人", "证件号码", "逾期本金", "逾期起始日"])
    for n in range(50):
        sheet.append([f"客户{n}", 330102198501011234 if n % 7 == 3 else ID, n * 1.25, dt.date(2026, 1, 1 + n % 28)])
        if n % 9 == 4:
            sheet.append([])
    path = tmp_path / "ledger.xlsx"
    book.save(path)
    with monkeypatch.context() as patch:
        patch.setattr(tabular, "streams_alike", lambda *_: False)
        whole = read_table(path, ALIASES, text_fields=["id_number"])
    blocks = list(stream_table(path, ALIASES, text_fields=["id_number"]).column_blocks(8))
    assert [n for b in blocks for n in b.numbers] == [r.number for r in whole.rows]
    assert [dict(zip(b.values, row)) for b in blocks for row in zip(*b.values.values())] == \
        [r.values for r in whole.rows]
    assert [p.to_dict() for b in blocks for p in b.problems] == [p.to_dict() for p in whole.problems]


def test_an_ordinary_workbook_is_streamed_not_loaded_by_calamine(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    import python_calamine

    book = openpyxl.Workbook()
    book.active.append(["借款人", "证件号码"])
    book.active.append(["张三", ID])
    book.save(tmp_path / "book.xlsx")

    def refuse(*_: Any, **__: Any) -> None:
        raise AssertionError("python-calamine loaded a sheet the stream reads alike")

    monkeypatch.setattr(python_calamine.CalamineWorkbook, "from_path", refuse)
    assert read_table(tmp_path / "book.xlsx", ALIASES).rows[0].values == {"borrower": "张三", "id_number": ID}


def test_a_sheet_with_an_error_cell_is_read_by_calamine_as_an_empty_cell(tmp_path: Path) -> None:
    for attribute in ('t="e"', "t='e'", 't = "e"'):
        rows_xml = ('<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
                    f'<row r="2"><c r="A2" t="s"><v>5</v></c><c r="B2" {attribute}><f>NA()</f><v>#N/A</v></c></row>')
        path = _workbook(tmp_path / "errors.xlsx", _sheet(rows_xml), _SHARED)
        assert check_xlsx_extent(path).error_cells and not streams_alike(path, None, check_xlsx_extent(path))
        assert read_table(path, ALIASES).rows[0].values == {"borrower": "张三", "id_number": None}
    plain = _workbook(tmp_path / "plain.xlsx", _sheet('<row r="1"><c r="A1" t="s"><v>0</v></c></row>'), _SHARED)
    assert not check_xlsx_extent(plain).error_cells and streams_alike(plain, None, check_xlsx_extent(plain))


def test_stream_errors_are_the_readers_one_line_errors(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.append(["借款人"])
    book.save(tmp_path / "book.xlsx")
    with pytest.raises(InputError, match="找不到工作表“其他”；现有工作表：Sheet"):
        read_table(tmp_path / "book.xlsx", ALIASES, sheet="其他")
    # A sheet part that is not XML past its first rows: one clear line naming the file.
    rows_xml = '<row r="1"><c r="A1" t="s"><v>0</v></c></row><row r="2"><c r="A2" t="s"><v>5</v></c></row><row r="3"><c'
    broken = _workbook(tmp_path / "broken.xlsx", f'<worksheet xmlns="{_NS}"><sheetData>{rows_xml}', _SHARED)
    assert streams_alike(broken, None, check_xlsx_extent(broken))
    with pytest.raises(InputError, match="broken.xlsx.*无法读取 Excel 文件"):
        read_table(broken, ALIASES)


def test_without_the_streaming_package_workbooks_are_read_by_calamine(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    import docgen.core.xlsxstream as xlsxstream

    book = openpyxl.Workbook()
    book.active.append(["借款人"])
    book.active.append(["张三"])
    book.save(tmp_path / "book.xlsx")
    assert streams_alike(tmp_path / "book.xlsx", None, check_xlsx_extent(tmp_path / "book.xlsx"))
    monkeypatch.setattr(xlsxstream, "_STREAMING", False)
    assert not streams_alike(tmp_path / "book.xlsx", None, check_xlsx_extent(tmp_path / "book.xlsx"))
    assert read_table(tmp_path / "book.xlsx", ALIASES).rows[0].values == {"borrower": "张三"}


# --------------------------------------------------------------------------- the rows watched, not scanned before

def _rows_xml(count: int, special: dict[tuple[int, str], str] | None = None) -> str:
    """A header (借款人, 证件号码) and ``count`` rows of 张三 and an ID; ``special`` replaces cells by
    (row, column letter) with raw ``<c>`` XML."""
    special = special or {}
    cells = {"A": '<c r="A{n}" t="s"><v>{v}</v></c>', "B": '<c r="B{n}" t="inlineStr"><is><t>{v}</t></is></c>'}
    out = []
    for n in range(1, count + 2):
        values = {"A": 0 if n == 1 else 5, "B": "证件号码" if n == 1 else ID}
        row = "".join(special.get((n, col)) or cells[col].format(n=n, v=values[col]) for col in "AB")
        row += special.get((n, "E"), "")
        out.append(f'<row r="{n}">{row}</row>')
    return "".join(out)


def _refuse_scan(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_: Any) -> None:
        raise AssertionError("the sheet was scanned")

    monkeypatch.setattr(tabular, "check_xlsx_extent", refuse)


def test_an_ordinary_sheet_is_read_without_a_scan_before(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _workbook(tmp_path / "plain.xlsx", _sheet(_rows_xml(30)), _SHARED)
    with monkeypatch.context() as patch:
        _refuse_scan(patch)
        streamed = read_table(path, ALIASES, text_fields=["id_number"])
    assert len(streamed.rows) == 30 and streamed.rows[0].values == {"borrower": "张三", "id_number": ID}
    # An error cell in a column nobody reads changes nothing either reader gives: no scan either.
    far = _workbook(tmp_path / "far.xlsx", _sheet(_rows_xml(30, {(7, "E"): '<c r="E7" t="e"><v>#REF!</v></c>'})),
                    _SHARED)
    with monkeypatch.context() as patch:
        _refuse_scan(patch)
        assert read_table(far, ALIASES).rows == read_table(path, ALIASES).rows


@pytest.mark.parametrize("error", sorted(ERROR_TEXTS))
def test_the_stream_gives_an_error_cell_as_one_of_the_error_texts(tmp_path: Path, error: str) -> None:
    path = _workbook(tmp_path / "e.xlsx", _sheet(_rows_xml(2, {(3, "B"): f'<c r="B3" t="e"><v>{error}</v></c>'})),
                     _SHARED)
    assert _raw_rows(path, stream=True)[2][1] == ("str", error)
    assert len(_raw_rows(path, stream=False)[2]) == 1  # python-calamine: an empty cell
    assert read_table(path, ALIASES).rows[1].values == {"borrower": "张三", "id_number": None}


def test_an_error_cell_in_a_later_block_sends_the_rest_to_calamine(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    path = _workbook(tmp_path / "late.xlsx", _sheet(_rows_xml(40, {(30, "B"): '<c r="B30" t="e"><v>#N/A</v></c>'})),
                     _SHARED)
    skipped: list[int] = []
    calamine_rows = tabular._calamine_rows

    def spy(path: Path, sheet: str | None, skip: int = 0) -> Any:
        skipped.append(skip)
        return calamine_rows(path, sheet, skip)

    monkeypatch.setattr(tabular, "_calamine_rows", spy)
    blocks = list(stream_table(path, ALIASES, text_fields=["id_number"]).column_blocks(8))
    # Blocks of rows 2-9, 10-17, 18-25 streamed; the block from row 26 read again by python-calamine.
    assert skipped == [25]
    with monkeypatch.context() as patch:
        patch.setattr(tabular, "streams_alike", lambda *_: False)
        whole = read_table(path, ALIASES, text_fields=["id_number"])
    assert [n for b in blocks for n in b.numbers] == [r.number for r in whole.rows] == list(range(2, 42))
    assert [dict(zip(b.values, row)) for b in blocks for row in zip(*b.values.values())] == \
        [r.values for r in whole.rows]
    assert whole.rows[28].values["id_number"] is None


def test_an_error_cell_before_the_data_is_read_by_calamine_from_the_top(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    # A row holding only an error cell is blank to python-calamine: the header is the row after it.
    rows_xml = '<row r="1"><c r="C1" t="e"><v>#DIV/0!</v></c></row>' + _rows_xml(3).replace(
        '<row r="', '<row r="1').replace('r="A', 'r="A1').replace('r="B', 'r="B1')
    path = _workbook(tmp_path / "top.xlsx", _sheet(rows_xml), _SHARED)
    streamed, whole = _both_readers(path, monkeypatch)
    _same_table(streamed, whole)
    assert [r.number for r in streamed.rows] == [12, 13, 14] and streamed.unknown_headers == []


def test_text_that_reads_like_an_error_value_stays_streamed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _workbook(tmp_path / "text.xlsx",
                     _sheet(_rows_xml(3, {(3, "B"): '<c r="B3" t="inlineStr"><is><t>#N/A</t></is></c>'})), _SHARED)
    scans: list[Any] = []
    check = tabular.check_xlsx_extent
    monkeypatch.setattr(tabular, "check_xlsx_extent", lambda *args: scans.append(args) or check(*args))

    def refuse(*_: Any, **__: Any) -> None:
        raise AssertionError("python-calamine read a sheet without error cells")

    monkeypatch.setattr(tabular, "_calamine_rows", refuse)
    table = read_table(path, ALIASES)
    assert table.rows[1].values["id_number"] == "#N/A" and len(scans) == 1  # scanned once, then trusted


def _both_readers(path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, Any]:
    streamed = read_table(path, WIDE, text_fields=["id_number"])
    with monkeypatch.context() as patch:
        patch.setattr(tabular, "streams_alike", lambda *_: False)
        whole = read_table(path, WIDE, text_fields=["id_number"])
    return streamed, whole


def test_a_sheet_reaching_past_the_bound_is_refused_while_streamed(tmp_path: Path) -> None:
    # No <dimension>: nothing says the sheet is large until its rows do; then it is scanned and refused.
    far = '<row r="1"><c r="A1" t="s"><v>0</v></c></row><row r="3"><c r="ZZZ3" t="s"><v>5</v></c></row>'
    path = _workbook(tmp_path / "wide.xlsx", _sheet(far).replace('<dimension ref="A1"/>', ""), _SHARED)
    assert declared_extent(path).cells == 0
    with pytest.raises(InputError, match="工作表有内容写到 ZZZ99999.*超过可读上限"):
        read_table(path, ALIASES)


def test_the_declared_extent_is_read_from_the_sheet_head(tmp_path: Path) -> None:
    for dimension, cells in (('<dimension ref="A1:AG100001"/>', (100001, 33)), ("<x:dimension ref = 'B2:$C$9'/>", (9, 3)),
                             ('<dimension ref="D4"/>', (4, 4)), ("", (0, 0))):
        xml = _sheet('<row r="1"><c r="A1" t="s"><v>0</v></c></row>').replace('<dimension ref="A1"/>', dimension)
        if dimension.startswith("<x:"):
            xml = xml.replace("<worksheet ", f'<worksheet xmlns:x="{_NS}" ')
        extent = declared_extent(_workbook(tmp_path / "d.xlsx", xml, _SHARED))
        assert (extent.rows, extent.columns, extent.error_cells) == (*cells, False)
    assert declared_extent(tmp_path / "missing.xlsx") is None


def _smaller_bound(monkeypatch: pytest.MonkeyPatch, cells: int) -> None:
    """Make the reader's bound ``cells`` (its floors aside), so a small sheet reaches it."""
    monkeypatch.setattr(tabular, "within_bound", lambda rows, columns: rows * columns <= cells)


def test_an_error_cell_after_a_scan_for_the_bound_still_sends_the_rest_to_calamine(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The declared range is wider than the cells: the stream pads each row to it, the rows reach the
    # bound and the sheet is scanned for it. The scan finds the error cell further down too.
    xml = _sheet(_rows_xml(60, {(50, "B"): '<c r="B50" t="e"><v>#N/A</v></c>'})).replace('ref="A1"', 'ref="A1:GR10"')
    path = _workbook(tmp_path / "wide.xlsx", xml, _SHARED)
    _smaller_bound(monkeypatch, 200 * 20)
    scans: list[int] = []
    scan = tabular.check_xlsx_extent

    def counted(*args: Any) -> Any:
        scans.append(1)
        return scan(*args)

    monkeypatch.setattr(tabular, "check_xlsx_extent", counted)
    blocks = list(stream_table(path, ALIASES, text_fields=["id_number"]).column_blocks(8))
    streamed = [(n, dict(zip(b.values, row))) for b in blocks for n, row in zip(b.numbers, zip(*b.values.values()))]
    assert len(scans) == 1
    with monkeypatch.context() as patch:
        patch.setattr(tabular, "streams_alike", lambda *_: False)
        whole = read_table(path, ALIASES, text_fields=["id_number"])
    assert streamed == [(r.number, r.values) for r in whole.rows]
    assert streamed[48] == (50, {"borrower": "张三", "id_number": None})


def test_streamed_rows_are_cut_to_the_header(tmp_path: Path) -> None:
    # A range declared to XFD: the stream pads every row to 16,384 cells; only the header's are kept.
    xml = _sheet(_rows_xml(600)).replace('ref="A1"', 'ref="A1:XFD2"')
    path = _workbook(tmp_path / "xfd.xlsx", xml, _SHARED)
    source, header, _, _, _ = tabular._open_table(path, ALIASES)
    widths: list[int] = []
    take = source.take

    def measured(count: int) -> Any:
        rows = take(count)
        widths.extend(map(len, rows))
        return rows

    source.take = measured  # type: ignore[method-assign]
    blocks = list(tabular._blocks(source, header, set(), 250))
    assert sum(len(b.numbers) for b in blocks) == 600 and set(widths) == {2}
    assert [r.values for r in read_table(path, ALIASES).rows][-1] == {"borrower": "张三", "id_number": ID}


def test_rows_wider_than_the_scan_could_count_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Cells without references: the scan counts none of them and lets the sheet pass; the rows the
    # stream gives are then as wide as the cells, which is a proven lower bound of the sheet.
    # (The last cell's text is spaces: no data under the columns the header leaves untitled.)
    row = '<row><c t="s"><v>5</v></c>' + "<c/>" * 3000 + '<c t="inlineStr"><is><t xml:space="preserve">  </t></is></c></row>'
    xml = _sheet('<row><c t="s"><v>0</v></c><c t="s"><v>1</v></c></row>' + row * 40).replace(
        '<dimension ref="A1"/>', "")
    path = _workbook(tmp_path / "noref.xlsx", xml, _SHARED)
    assert check_xlsx_extent(path).columns == 26
    assert len(read_table(path, ALIASES).rows) == 40  # 41 x 3,002 cells: within the limit
    monkeypatch.setattr(tabular, "MAX_CELLS", 30 * 3002, raising=False)
    with pytest.raises(InputError) as caught:
        read_table(path, ALIASES)
    assert caught.value.code == "sheet-too-many-cells"
    assert caught.value.facts["columns"] == 3002 and caught.value.facts["rows"] > 30


def _inline(row: int, column: str, text: str) -> str:
    return f'<c r="{column}{row}" t="inlineStr"><is><t>{text}</t></is></c>'


_JOINING_SHEETS = {
    "plain": {},
    "error cell": {(5, "B"): '<c r="B5" t="e"><v>#N/A</v></c>'},  # read again by python-calamine
    "error text": {(5, "B"): _inline(5, "B", "#N/A")},  # typed: scanned, stays streamed
    "totals row": {(6, "A"): _inline(6, "A", "合 计")},
    "scientific": {(4, "B"): _inline(4, "B", "1.10105E+17"), (7, "B"): _inline(7, "B", "E7")},
    "number": {(3, "B"): '<c r="B3"><v>110105194912310</v></c>'},
    "blank row": {(4, "A"): '<c r="A4" t="s"><v>6</v></c>', (4, "B"): _inline(4, "B", " ")},
    "spaces": {(5, "A"): _inline(5, "A", "\u3000"), (8, "A"): _inline(8, "A", "张 三")},  # rows not blank
}


@pytest.mark.parametrize("sheet", sorted(_JOINING_SHEETS))
def test_columns_joined_for_the_pipe_give_the_blocks_read_without_joining(tmp_path: Path, sheet: str) -> None:
    # A joined column's set is made only when asked for, its error values, totals labels and letters
    # e looked for in its text: the blocks (rows, cells, problems, distinct cells, types) are the same.
    path = _workbook(tmp_path / "j.xlsx", _sheet(_rows_xml(9, _JOINING_SHEETS[sheet])), _SHARED)

    def blocks(joining: tuple[str, ...]) -> list[tabular.Block]:
        return list(stream_table(path, ALIASES, text_fields=["id_number"]).column_blocks(4, joining))

    joined, alone = blocks(("borrower", "id_number", "absent")), blocks(())
    lost = {"blank row": 4, "totals row": 6}.get(sheet)  # the row a block leaves out
    assert len(joined) == len(alone) >= 3
    for one, other in zip(joined, alone):
        cut = lost in range(one.numbers[0] - 1, one.numbers[-1] + 1)
        assert (one.numbers, one.raw) == (other.numbers, other.raw)
        assert [p.to_dict() for p in one.problems] == [p.to_dict() for p in other.problems]
        for name in one.raw:
            assert (one.distinct(name), one.kinds(name)) == (other.distinct(name), other.kinds(name))
            assert other.joined(name) is None
            # Joined exactly when every cell is text, in a block that left no blank or totals row out.
            text = one.joined(name)
            assert (text is not None) == (all(type(cell) is str for cell in one.raw[name]) and not cut)
            assert text is None or text.split(tabular.Block.SEPARATOR) == list(one.raw[name])
    problems = [p.code for block in joined for p in block.problems]
    assert problems == {"scientific": ["scientific-notation"], "number": ["number-stored"],
                        "totals row": ["total-row"], "error cell": ["cell-error"],
                        "error text": ["cell-error"]}.get(sheet, [])


def test_a_column_is_joined_only_when_all_text_without_the_separator() -> None:
    columns = [("甲", "乙"), ("甲", None), ("甲", 1), ("甲\x00乙", "丙"), ("丁",)]
    fields = ["a", "b", "c", "d", "e"]
    assert tabular._joined_columns(columns, fields, frozenset(fields)) == {"a": "甲\x00乙", "e": "丁"}
    assert tabular._joined_columns(columns, fields, frozenset({"b", "d"})) == {}


def test_every_error_text_and_totals_label_holds_the_mark_a_joined_column_is_probed_for() -> None:
    # A joined column lacking the mark is not looked at for error values or totals labels: a label or
    # an error text without it would be found by one process and missed where the child joined the column.
    assert all(tabular._ERROR_MARK in text for text in ERROR_TEXTS | tabular._CELL_ERRORS)
    assert all(tabular._TOTAL_MARK in label for label in tabular._TOTAL_LABELS)
    column, joined = ("甲", "合计：", "乙"), {"a": "甲\x00合计：\x00乙"}
    assert tabular._probe(None, column, joined, "a", tabular._TOTAL_MARK) is column
    assert tabular._probe(None, column, joined, "a", tabular._ERROR_MARK) == ()
    assert tabular._probe({"甲"}, column, joined, "a", tabular._ERROR_MARK) == {"甲"}


@pytest.mark.parametrize(("text", "none"), [("甲\x00乙", True), ("甲\x00\x00乙", False), ("\x00甲", False),
                                            ("甲\x00", False), ("", False), ("甲 乙", False), ("\u3000", False),
                                            ("甲\x00\u00a0", False)])
def test_a_joined_column_holds_no_blank_cell_only_without_spaces_or_empty_cells(text: str, none: bool) -> None:
    assert tabular._no_blank_cell(text) is none


def _folded(rows: list[list[Any]], width: int, joining: list[int], sharing: list[int], piece: int) -> tabular._Folded:
    folded = tabular._Folded(width, joining, sharing)
    for start in range(0, len(rows), piece):
        folded.add(rows[start:start + piece])
    return folded


def test_rows_folded_a_piece_at_a_time_keep_every_cell_and_its_type() -> None:
    day, moment = dt.date(2026, 1, 5), dt.datetime(2026, 1, 5)
    columns = [
        [f"甲{i % 3}" for i in range(10)],  # shared throughout
        ["乙", "乙", "乙", "乙", True, 1, 1.0, "乙", 0, False],  # a number in the second piece: as read from there
        [day, moment, "", day, moment, "", day, day, None, day],  # dates and datetimes equal in value, not in type
        [f"丙{i}" for i in range(10)],  # joined throughout
        [f"丁{i}" for i in range(6)] + [None, "丁7", "丁8", "丁9"],  # joined, then an empty cell: shared from there
        [f"戊{i}" for i in range(7)] + ["戊\x00", "戊8", "戊9"],  # the separator in a cell: shared from there
        [f"己{i}" for i in range(4)] + [7, 7, 7.0, "己7", "己8", "己9"],  # a number where it was joined
        ["", "", "", "", "", "", "", "", "", ""],  # not titled: as read
    ]
    rows = [[column[at] for column in columns] for at in range(10)]
    rows[1], rows[9] = rows[1][:5], rows[9][:4]  # rows ending early: their last cells are empty
    for column, at in [(columns[n], at) for at, width in ((1, 5), (9, 4)) for n in range(width, 8)]:
        column[at] = None
    folded = _folded(rows, 8, [3, 4, 5, 6], [0, 1, 2], piece=4)
    assert folded.count == 10
    assert folded.joined() == {3: "\x00".join(columns[3])}
    assert folded.shared() == {0, 2, 4, 5}
    distinct = folded.distinct()
    assert sorted(distinct) == [0, 1, 2, 4, 5, 6]
    for index, column in enumerate(columns):
        cells = folded.columns[index] if index != 3 else folded.joined()[3].split("\x00")
        assert [repr(cell) for cell in cells] == [repr(cell) for cell in column], index
        if index in distinct:
            assert distinct[index] == set(column), index
            assert {id(cell) for cell in distinct[index]} <= {id(cell) for cell in cells}, index
        if index in folded.shared():
            # Equal cells are one object: the set's member.
            assert len({id(cell) for cell in cells}) == len(distinct[index]), index


class _Counted(dict):  # type: ignore[type-arg]
    """A column's values as _Folded keeps them, counting the look-ups made one cell at a time."""

    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    def setdefault(self, key: Any, default: Any = None) -> Any:
        self.calls += 1
        return super().setdefault(key, default)


def test_pieces_of_one_value_or_of_values_met_before_are_shared_without_a_look_up_per_cell() -> None:
    day = dt.date(2026, 1, 5)
    columns = [
        ["甲", "乙", "甲", "乙", "乙", "甲", "甲", "乙", "甲", "甲", "乙", "甲", "甲", "丙", "甲", "甲"],  # then a new one
        [""] * 16,  # one value throughout
        [day, day, day, day, None, None, None, None, day, "", day, "", day, None, "", day],  # one date, None, mixed
        ["x", "y", "x", "y", "y", "x", "x", "y", "x", True, "x", "y", 1, "x", 1.0, "y"],  # a number among known values
        [1, 1, 1, 1, "a", "a", "a", "a", True, 1, 1.0, 1, "a", "b", 2, 2],  # a piece of one number: looked at as ever
    ]
    rows = [[column[at] for column in columns] for at in range(16)]
    rows = [[(cell + "!")[:-1] if isinstance(cell, str) else cell for cell in values] for values in rows]  # new objects
    folded = tabular._Folded(5, [], [0, 1, 2, 3, 4])
    counted = {index: _Counted() for index in range(5)}
    folded._ones = dict(counted)
    for start in range(0, 16, 4):
        folded.add(rows[start:start + 4])
    # A piece of values met before, once a piece brought none, is looked up in C; a piece of one value, once.
    assert [counted[index].calls for index in range(5)] == [12, 4, 10, 12, 4]
    assert folded.shared() == {0, 1, 2}
    distinct = folded.distinct()
    for index, column in enumerate(columns):
        cells = folded.columns[index]
        assert [repr(cell) for cell in cells] == [repr(cell) for cell in column], index
        assert distinct[index] == set(column), index
        if index in folded.shared():
            assert len({id(cell) for cell in cells}) == len(distinct[index]), index
            assert {id(cell) for cell in cells} == {id(cell) for cell in distinct[index]}, index


@pytest.mark.parametrize("sheet", sorted(_JOINING_SHEETS))
def test_columns_folded_a_few_rows_at_a_time_give_the_blocks_read_whole(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sheet: str) -> None:
    # Rows turned into columns a piece at a time (for the pipe: equal cells made one object, joined
    # columns joined piece by piece) give the blocks read whole: rows, cells, problems, distinct cells, types.
    path = _workbook(tmp_path / "j.xlsx", _sheet(_rows_xml(9, _JOINING_SHEETS[sheet])), _SHARED)

    def blocks(**options: Any) -> list[tabular.Block]:
        return list(stream_table(path, ALIASES, text_fields=["id_number"]).column_blocks(4, **options))

    alone = blocks()
    monkeypatch.setattr(tabular._ExcelRows, "_PIECE", 3)  # a block of 4 rows from two pieces
    folded: list[tabular._Folded | None] = []
    fold = tabular._ExcelRows.fold
    monkeypatch.setattr(tabular._ExcelRows, "fold", lambda self, *args: folded.append(fold(self, *args)) or folded[-1])
    shared = blocks(joining=("id_number", "absent"), shared=True)
    assert len(shared) == len(alone) >= 3
    # The stream's rows were folded; those read again by python-calamine (an error cell) taken whole.
    assert folded[0] is not None and (None in folded) == (sheet == "error cell")
    for one, other in zip(shared, alone):
        assert one.numbers == other.numbers and one.raw.keys() == other.raw.keys()
        assert [p.to_dict() for p in one.problems] == [p.to_dict() for p in other.problems]
        for name in one.raw:
            assert [repr(cell) for cell in one.raw[name]] == [repr(cell) for cell in other.raw[name]], name
            assert (one.distinct(name), one.kinds(name)) == (other.distinct(name), other.kinds(name))
            text = one.joined(name)
            assert text is None or text.split(tabular.Block.SEPARATOR) == list(one.raw[name])
        if one.shared("borrower"):
            assert len(set(map(id, one.raw["borrower"]))) == len(one.distinct("borrower"))
    # Not one block of a sheet read again by python-calamine from its first block on is shared.
    assert any(block.shared("borrower") for block in shared) == (sheet != "error cell")
    assert not any(block.shared("id_number") for block in shared)
