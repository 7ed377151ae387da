"""Spreadsheets and values built to crash a reader: one clear line each, never an abort or a traceback."""
from __future__ import annotations

import csv
import io
import subprocess
import sys
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from docgen.core.errors import InputError
from docgen.core.tabular import read_table
from docgen.core.validation import parse_amount
from docgen.core.xlsxbounds import MAX_CELLS, check_xlsx_extent

ROOT = Path(__file__).resolve().parents[2]
ALIASES = {"borrower": ["借款人"], "when": ["日期"]}


def far_cell_xlsx(path: Path, cell: str = "XFD1048576", *, declare: bool = True) -> Path:
    """A tiny workbook with one value in A1 and one in ``cell`` (optionally no <dimension>)."""
    book = openpyxl.Workbook()
    book.active["A1"] = "借款人"
    book.active[cell] = "x"
    book.save(path)
    if not declare:
        with zipfile.ZipFile(path) as src:
            members = {i.filename: src.read(i) for i in src.infolist()}
        sheet = "xl/worksheets/sheet1.xml"
        members[sheet] = members[sheet].replace(f'<dimension ref="A1:{cell}"/>'.encode(), b"")
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
            for name, data in members.items():
                out.writestr(name, data)
    return path


def example_with(tmp_path: Path, header: str, value: object, *, row: int = 2,
                 example: str = "ledger/ledger-2026Q2.xlsx") -> Path:
    """Write a copy of the shipped ``example`` workbook whose cell under ``header`` in ``row``
    holds ``value``; return its path (in ``tmp_path``, named as the example)."""
    book = openpyxl.load_workbook(ROOT / "examples" / example)
    sheet = book.active
    column = [c.value for c in sheet[1]].index(header) + 1
    sheet.cell(row=row, column=column).value = value
    path = tmp_path / Path(example).name
    book.save(path)
    return path


def run_docgen(*args: str) -> subprocess.CompletedProcess[str]:
    """The real command in its own process: an abort inside a native reader must not take pytest down."""
    return subprocess.run([sys.executable, "-m", "docgen", *args], capture_output=True, text=True, timeout=120,
                          cwd=ROOT)


@pytest.mark.parametrize("declare", [True, False])
def test_a_cell_at_xfd1048576_is_refused_before_reading(tmp_path: Path, declare: bool) -> None:
    path = far_cell_xlsx(tmp_path / "far.xlsx", declare=declare)
    assert path.stat().st_size < 10_000
    with pytest.raises(InputError, match="工作表有内容写到 XFD1048576.*超过可读上限"):
        read_table(path, ALIASES)


@pytest.mark.parametrize("chunk", [7, 16, 61])
def test_the_far_cell_is_found_whatever_piece_of_the_xml_it_falls_in(tmp_path: Path, chunk: int,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    # The sheet's XML is scanned piece by piece; tiny pieces put the far reference across every
    # possible cut, and it must still be seen whole.
    import docgen.core.xlsxbounds as bounds

    monkeypatch.setattr(bounds, "_CHUNK", chunk)
    path = far_cell_xlsx(tmp_path / "far.xlsx", declare=False)
    with pytest.raises(InputError, match="工作表有内容写到 XFD1048576"):
        check_xlsx_extent(path)
    pieces = list(bounds.xml_pieces(io.BytesIO(b'<row r="1"><c r="XFD1048576"><v>1</v></c></row>')))
    assert b"".join(pieces) == b'<row r="1"><c r="XFD1048576"><v>1</v></c></row>' and len(pieces) > 1


def test_large_but_legitimate_extents_pass() -> None:
    assert check_xlsx_extent(ROOT / "examples" / "ledger" / "ledger-2026Q2.xlsx").cells <= MAX_CELLS
    from docgen.core.xlsxbounds import sheet_extent

    wide = b"".join(b'<row r="%d"><c r="AZ%d"><v>1</v></c></row>' % (n, n) for n in (1, 150000))
    extent = sheet_extent(wide)
    assert (extent.rows, extent.columns) == (150000, 52) and extent.cells <= MAX_CELLS


@pytest.mark.parametrize("command", [
    ["batch", "demand-letter", "--rows", "{x}", "--out", "{tmp}/out", "--no-progress"],
    ["npl-report", "--ledger", "{x}", "--period", "2026Q2"],
    ["collect", "plan", "--ledger", "{x}", "--as-of", "2026-06-30"],
])
def test_commands_given_the_far_cell_exit_2_in_one_line(tmp_path: Path, command: list[str]) -> None:
    path = far_cell_xlsx(tmp_path / "far.xlsx")
    args = [a.format(x=path, tmp=tmp_path) for a in command]
    result = run_docgen(*args, *(["--register", str(tmp_path / "r.sqlite")] if command[0] == "batch" else []))
    assert result.returncode == 2, result.stderr
    assert "XFD1048576" in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_date_cell_of_minus_1e308_is_one_line_without_a_rust_backtrace(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.append(["借款人", "日期"])
    book.active.append(["甲", -1e308])
    book.active["B2"].number_format = "yyyy-mm-dd"
    path = tmp_path / "date.xlsx"
    book.save(path)
    with pytest.raises(InputError, match="无法读取 Excel 文件"):
        read_table(path, ALIASES)
    result = run_docgen("collect", "plan", "--ledger", str(path), "--as-of", "2026-06-30")
    assert result.returncode == 2
    assert "panicked" not in result.stderr and "backtrace" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_date_cell_of_minus_1e308_deep_in_a_streamed_sheet_is_one_line(tmp_path: Path) -> None:
    """The streaming reader panics on the row holding it, long after the sheet was opened: Rust's
    message and backtrace are held back there too (158 lines of them with RUST_BACKTRACE=1)."""
    path = example_with(tmp_path, "到期日期", -1e308, row=300)
    result = run_docgen("collect", "plan", "--ledger", str(path), "--as-of", "2026-06-30")
    assert result.returncode == 2
    assert result.stderr == (f"错误：{path}：无法读取 Excel 文件（PanicException：TimeDelta::milliseconds out of bounds）。"
                             "请检查其中的日期和数字单元格，或用 Excel 另存为 .xlsx 后重试\n")


_DATE_HINT = "请检查其中的日期和数字单元格"


@pytest.mark.parametrize("command", [
    ["batch", "demand-letter", "--rows", "{x}", "--out", "{tmp}/out", "--no-progress", "--register", "{tmp}/r.sqlite"],
    ["npl-report", "--ledger", "{x}", "--period", "2026Q2", "-o", "{tmp}/r.docx"],
])
def test_a_truncated_workbook_is_unreadable_without_the_hint_about_cells(tmp_path: Path, command: list[str]) -> None:
    """A workbook cut short is a damaged file: advice to check its date and number cells would
    send the user looking for a wrong cell that is not there."""
    from click.testing import CliRunner

    from docgen.cli import main

    data = (ROOT / "examples" / "ledger" / "ledger-2026Q2.xlsx").read_bytes()
    path = tmp_path / "cut.xlsx"
    path.write_bytes(data[:len(data) // 2])
    result = CliRunner().invoke(main, [a.format(x=path, tmp=tmp_path) for a in command])
    assert result.exit_code == 2, result.output
    assert result.stderr == (f"错误：{path}：无法读取 Excel 文件（ZipError：invalid Zip archive: Could not find EOCD）。"
                             "文件可能已损坏或不完整；请重新导出或复制该文件，或在 Excel 中打开后另存为 .xlsx，再重试\n")
    assert _DATE_HINT not in result.stderr
    with pytest.raises(InputError) as caught:
        read_table(path, ALIASES)
    assert caught.value.code == "excel-unreadable"


def test_a_date_cell_past_the_calendar_keeps_the_hint_about_cells(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from docgen.cli import main

    path = example_with(tmp_path, "到期日期", -1e308)
    with pytest.raises(InputError) as caught:
        read_table(path, ALIASES)
    assert caught.value.code == "excel-cell-unconvertible"
    result = CliRunner().invoke(main, ["npl-report", "--ledger", str(path), "--period", "2026Q2",
                                       "-o", str(tmp_path / "r.docx")])
    assert result.exit_code == 2
    assert result.stderr == (f"错误：{path}：无法读取 Excel 文件（PanicException：TimeDelta::milliseconds out of bounds）。"
                             f"{_DATE_HINT}，或用 Excel 另存为 .xlsx 后重试\n")


def test_a_balance_of_1e30_is_a_row_error_not_a_report_crash(tmp_path: Path) -> None:
    path = example_with(tmp_path, "贷款余额", 1e30)
    result = run_docgen("npl-report", "--ledger", str(path), "--period", "2026Q2",
                        "--notes", str(ROOT / "examples" / "ledger" / "notes.yaml"), "-o", str(tmp_path / "r.docx"))
    assert result.returncode == 1, result.stderr
    assert "第2行 K（贷款余额）列 balance" in result.stderr and "超出范围" in result.stderr
    assert "Traceback" not in result.stderr and not (tmp_path / "r.docx").exists()


@pytest.mark.parametrize("serial", [-1, 0.5])
def test_a_date_cell_holding_a_time_of_day_is_named_as_excel_shows_it(tmp_path: Path, serial: float) -> None:
    """A date serial below 1 under a date format reads as a time of day: the row error shows it as
    Excel does (00:00:00), not as Python's datetime.time(0, 0)."""
    from click.testing import CliRunner

    from docgen.cli import main

    path = example_with(tmp_path, "到期日期", serial)
    result = CliRunner().invoke(main, ["collect", "plan", "--ledger", str(path), "--as-of", "2026-06-30"])
    assert result.exit_code == 1
    shown = "00:00:00" if serial == -1 else "12:00:00"
    assert result.stderr.splitlines()[1:] == [f"  - 第2行 I（到期日期）列 maturity：无法转换：日期格式应为 YYYY-MM-DD，收到“{shown}”"]


@pytest.mark.parametrize(("example", "header", "command", "line"), [
    ("ledger/ledger-2026Q2.xlsx", "到期日期", ["npl-report", "--ledger", "{x}", "--period", "2026Q2", "-o", "{tmp}/r.docx"],
     "  - 第2行 I（到期日期）列 maturity：无法转换：日期格式应为 YYYY-MM-DD，收到“1e+308”"),
    ("templates/demand-letters.xlsx", "借款日期",
     ["batch", "demand-letter", "--rows", "{x}", "--out", "{tmp}/out", "--no-progress", "--register", "{tmp}/r.sqlite"],
     "  - 第2行 F（借款日期）列 loan_date：无法转换：日期格式应为 YYYY-MM-DD，收到“1e+308”"),
], ids=["ledger", "batch-rows"])
def test_a_date_cell_of_1e308_is_named_in_a_short_line(tmp_path: Path, example: str, header: str,
                                                       command: list[str], line: str) -> None:
    """A whole-number cell of 1e308 under a date column reads as a 309-digit number: the row's
    message writes it as 1e+308, not digit by digit."""
    from click.testing import CliRunner

    from docgen.cli import main

    path = example_with(tmp_path, header, 1e308, example=example)
    result = CliRunner().invoke(main, [a.format(x=path, tmp=tmp_path) for a in command])
    assert result.exit_code == 1, result.output
    assert result.stderr.splitlines()[1:] == [line]


def test_a_date_of_309_digits_in_a_csv_ledger_is_cut_to_sixty_characters(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from docgen.cli import main

    with open(ROOT / "examples" / "ledger" / "ledger-2026Q2-gb18030.csv", encoding="gb18030", newline="") as stream:
        rows = list(csv.reader(stream))
    rows[1][rows[0].index("到期日期")] = "1" + "0" * 308
    path = tmp_path / "ledger.csv"
    with open(path, "w", encoding="utf-8", newline="") as stream:
        csv.writer(stream).writerows(rows)
    result = CliRunner().invoke(main, ["npl-report", "--ledger", str(path), "--period", "2026Q2",
                                       "-o", str(tmp_path / "r.docx")])
    assert result.exit_code == 1, result.output
    assert result.stderr.splitlines()[1:] == [
        "  - 第2行 I（到期日期）列 maturity：无法转换：日期格式应为 YYYY-MM-DD，收到“1" + "0" * 118 + "…”"]


@pytest.mark.parametrize("text", ["1.234,56", "1,23", "12,3456.00", "1,,234"])
def test_ambiguous_separators_are_refused_not_misread(text: str) -> None:
    with pytest.raises(ValueError, match="写法不明确"):
        parse_amount(text)


@pytest.mark.parametrize(("text", "value"), [("1,234.56", "1234.56"), ("¥12,345,678", "12345678"),
                                            ("1,234", "1234"), ("-1,000.5", "-1000.5"), ("1234.56", "1234.56")])
def test_grouped_amounts_still_read(text: str, value: str) -> None:
    assert parse_amount(text) == Decimal(value)


def test_amounts_beyond_a_quadrillion_are_refused() -> None:
    with pytest.raises(ValueError, match="超出范围"):
        parse_amount(10**16)
    assert parse_amount(10**15) == Decimal(10**15)


def test_300_character_folder_names_are_one_line(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from docgen.cli import main

    deep = tmp_path / ("长" * 300)
    for args in (["init", str(deep / "bundle")], ["register", "list", "--register", str(deep / "r.sqlite")],
                 ["register", "verify", "--register", str(deep / "r.sqlite")]):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 2, (args, result.output)
        assert isinstance(result.exception, SystemExit) and "Traceback" not in result.output
        assert result.output.startswith("错误：") and len(result.output.strip().splitlines()) == 1


@pytest.mark.parametrize("chunk", [61, 4096, 1 << 20])
def test_the_extent_is_the_largest_reference_in_any_order(chunk: int, monkeypatch: pytest.MonkeyPatch) -> None:
    # The scan looks only for references past the largest seen; rows out of order, a far cell
    # hidden in an early row (with leading zeros) and wide columns must all still raise the bound.
    import random

    import docgen.core.xlsxbounds as bounds

    monkeypatch.setattr(bounds, "_CHUNK", chunk)
    rows = [b'<row r="%d"><c r="A%d"/><c r="AE%d"/></row>' % (n, n, n) for n in range(99_900, 100_300)]
    shuffled = rows[:]
    random.Random(3).shuffle(shuffled)
    hidden = rows[:]
    hidden.insert(40, b'<row r="7"><c r="B0000765432"/><c r="ZZ7"/></row>')
    cases = [(rows, (100_299, 31, "AE100299")), (shuffled, (100_299, 31, "AE100299")),
             (hidden, (765_432, 702, "ZZ765432")), (rows[:50], (99_999, 31, "AE99999"))]
    for parts, expected in cases:
        data = b"".join(parts)
        for extent in (bounds.sheet_extent(data), bounds.sheet_extent(bounds.xml_pieces(io.BytesIO(data)))):
            assert (extent.rows, extent.columns, extent.corner) == expected
