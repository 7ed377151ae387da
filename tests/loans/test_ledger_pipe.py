"""A large ledger read by two processes (``docgen.loans.ledger_pipe``): the child's blocks give the
same loans, problems, errors, cache entry and output as one process reading the file; a child
that dies is replaced by reading here; a child is never left running."""
from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import os
import signal
import threading
import time
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from ledger_fixtures import row
from xls_books import merge_header

from docgen.cli import main
from docgen.core import gcpause, procs, tabular
from docgen.core.errors import InputError, RowsError
from docgen.core.tabular import Block
from docgen.loans import ledger, ledger_pipe
from docgen.loans.ledger import iter_ledger_blocks, write_ledger

_READER = "docgen-ledger-reader"


@pytest.fixture
def piped(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Every ledger read by the pipeline, however small, and parsed each time (no cache); the list
    of the children started."""
    monkeypatch.setenv("DOCGEN_NO_CACHE", "1")
    monkeypatch.setattr(procs, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(procs.os, "cpu_count", lambda: 2)
    return _spied(monkeypatch)


def _spied(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Return the list of the pids of the children the pipeline starts from now on."""
    started: list[int] = []
    start = ledger_pipe.PipedReader.start.__func__

    def spied(cls, *args, **kwargs):  # type: ignore[no-untyped-def]
        started.append(0)  # a start that raises (the header's error) counts too
        reader = start(cls, *args, **kwargs)
        started[-1] = reader._process.pid if reader is not None else 0
        return reader

    monkeypatch.setattr(ledger_pipe.PipedReader, "start", classmethod(spied))
    return started


def _rows(count: int, **bad: dict[str, object]) -> list[dict[str, object]]:
    """``count`` valid rows (借据号 B000…), with the cells of ``bad`` (借据号 -> cells) replaced."""
    rows = [row(f"B{i:03d}", 1000 + i, days=100 if i % 4 == 0 else 0, serial=i + 1) for i in range(count)]
    for item in rows:
        item.update(bad.get(str(item["loan_no"]), {}))
    return rows


def _read(path: Path, parallel: bool, block_rows: int = 4) -> tuple[list[object], object]:
    """The loans of every block and the error that ended the reading (None: none)."""
    loans: list[object] = []
    try:
        for block in iter_ledger_blocks(path, block_rows=block_rows, parallel=parallel):
            loans.extend(block)
    except (RowsError, InputError) as exc:
        problems = [(p.row, p.column, p.code, p.message) for p in getattr(exc, "problems", [])]
        return loans, (type(exc), exc.code, dict(exc.facts), str(exc), problems)
    return loans, None


def _entries(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


def _alive(pid: int) -> bool:
    """Whether process ``pid`` is running (a zombie is not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(") ", 1)[1][0]
    except (OSError, IndexError):
        return False
    return state not in "ZX"


def _readers() -> list[multiprocessing.Process]:
    return [child for child in multiprocessing.active_children() if child.name == _READER]


def test_blocks_pickled_for_the_pipe_keep_every_cell_and_its_type() -> None:
    day, moment = dt.date(2026, 1, 5), dt.datetime(2026, 1, 5)
    columns = {
        "numbers": (True, 1, 1.0, 0, -0.0, 0.0, False, 1, 1, 1),  # equal across types: not made one
        "whole": (1, 1, 2, 2, 2, "", "", 1, 2, 2),
        "dates": (day, moment, day, moment, "", "", day, day, day, day),
        "text": tuple(f"甲{i}" for i in range(9)) + ("a\x00b",),  # a cell holding the separator
        "names": tuple(f"乙{i}" for i in range(10)),
        "empty": (None, "", None, "", None, "", None, "", None, ""),
        "blank": ("",) * 10,  # one value: sent once
        "seven": (7,) * 10,
        "seven typed otherwise": (7, 7, 7.0, 7, 7, 7, 7, 7, 7, 7),  # equal, not of one type: as they are
    }
    block = Block(list(range(2, 12)), columns, [])
    message = __import__("pickle").loads(ledger_pipe._pack(block))
    assert message[6] == {"blank": "", "seven": 7} and not {"blank", "seven"} & set(message[2])  # sent once
    back = ledger_pipe._unpack(message)
    assert back.numbers == block.numbers
    for name, cells in columns.items():
        assert list(back.raw[name]) == list(cells), name
        assert [type(cell) for cell in back.raw[name]] == [type(cell) for cell in cells], name
        assert [repr(cell) for cell in back.raw[name]] == [repr(cell) for cell in cells], name
        assert back.distinct(name) == set(cells)
        assert back.kinds(name) == block.kinds(name) == set(map(type, set(cells))), name


def test_a_column_of_numbers_and_empty_cells_is_sent_as_it_is_with_its_distinct_cells(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # pickle writes numbers by value: equal cells made one object first would gain nothing.
    columns = {
        "whole": (1, 1, 2, 2, 2, "", "", 1, 2, 2),
        "hidden": (1, True, 1, 1, 0, False, 0, 0, 0, 1),  # a boolean behind an equal 1: cells' types kept
        "floats": (0.0, -0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0),  # -0.0 behind 0.0: not sent once
        "amounts": (1.5, 1.5, 2.25, "", "", 1.5, 1.5, 1.5, 2.25, 2.25),
        "seven": (7,) * 10,
        "dates": (dt.date(2026, 1, 5),) * 5 + ("",) * 5,  # a date pickles by reference: made one object
    }
    block = Block(list(range(2, 12)), columns, [])
    sent: list[tuple[object, ...]] = []
    dumps = ledger_pipe.pickle.dumps
    monkeypatch.setattr(ledger_pipe.pickle, "dumps", lambda message, protocol: sent.append(message) or dumps(message, protocol))
    packed = ledger_pipe._pack(block)
    (_, _, raw, _, _, distinct, constant, _, _) = sent[0]
    for name in ("whole", "hidden", "floats", "amounts"):
        assert raw[name] is columns[name] and distinct[name] == set(columns[name]), name
    assert constant == {"seven": 7} and raw["dates"] is not columns["dates"]
    back = ledger_pipe._unpack(__import__("pickle").loads(packed))
    for name, cells in columns.items():
        assert [repr(cell) for cell in back.raw[name]] == [repr(cell) for cell in cells], name
        assert back.distinct(name) == set(cells) and back.kinds(name) == block.kinds(name), name
    # Only the dates were made one object per value (Block.shared: the validation keeps such a column).
    assert [name for name in columns if back.shared(name)] == ["dates"]


def test_a_column_the_reader_made_one_object_per_value_is_sent_as_it_is(monkeypatch: pytest.MonkeyPatch) -> None:
    day = dt.date(2026, 1, 5)
    cells = (day, day, "", day, "", "", day, day, "", "")
    one = {value: value for value in cells}
    shared = tuple(map(one.__getitem__, cells))
    columns = {"shared": shared, "read": tuple(dt.date(2026, 1, 5) if cell else "" for cell in cells)}
    block = Block(list(range(2, 12)), columns, [], {}, {}, {}, frozenset({"shared"}))
    sent: list[tuple[object, ...]] = []
    dumps = ledger_pipe.pickle.dumps
    monkeypatch.setattr(ledger_pipe.pickle, "dumps", lambda message, protocol: sent.append(message) or dumps(message, protocol))
    back = ledger_pipe._unpack(__import__("pickle").loads(ledger_pipe._pack(block)))
    raw, distinct = sent[0][2], sent[0][5]
    # No look-up per cell for the column shared as read; the other's cells made one object here.
    assert raw["shared"] is shared and raw["read"] is not columns["read"] and raw["read"] == shared
    assert distinct == {"shared": {day, ""}, "read": {day, ""}}
    for name in columns:
        assert back.raw[name] == shared and len(set(map(id, back.raw[name]))) == 2
        assert back.shared(name) and set(map(id, back.raw[name])) == set(map(id, back.distinct(name)))


def test_the_types_of_a_column_s_distinct_cells_come_from_the_child() -> None:
    # The child found them to choose how to send each column: the parent takes them as they are.
    day = dt.date(2026, 1, 5)
    columns = {"text": ("甲", "乙") * 5, "dates": (day, "") * 5, "whole": (1, 2) * 5, "one": ("",) * 10,
               "names": tuple(f"丙{i}" for i in range(10))}
    block = Block(list(range(2, 12)), columns, [], {}, {}, {"names": "\x00".join(columns["names"])})
    message = __import__("pickle").loads(ledger_pipe._pack(block))
    kinds = message[8]
    assert kinds == {"text": {str}, "dates": {dt.date, str}, "whole": {int}, "one": {str}}
    back = ledger_pipe._unpack(message)
    for name in kinds:
        assert back.kinds(name) is kinds[name], name
    assert back.kinds("names") == {str}
    assert [name for name in columns if back.shared(name)] == ["text", "dates", "one"]


@pytest.mark.parametrize("days", [20, 300])
def test_a_column_of_dates_made_one_object_per_value_is_sent_as_day_numbers_and_codes(
        monkeypatch: pytest.MonkeyPatch, days: int) -> None:
    # 20 distinct dates (a code a byte) or 300 (two bytes), with empty cells, None and a datetime among them.
    start, moment = dt.date(2026, 1, 1), dt.datetime(2026, 1, 5, 8, 30)
    cells = [start + dt.timedelta(days=at % days) for at in range(2 * days)] + ["", None, moment, "", None] * 4
    one = {value: value for value in cells}
    shared = tuple(map(one.__getitem__, cells))
    few = tuple(map(one.__getitem__, cells[:15] * 3))  # 15 distinct dates: pickled as they are
    columns = {"dates": shared, "few": few}
    numbers = list(range(2, 2 + len(shared)))
    block = Block(numbers, {**columns, "few": few + ("",) * (len(shared) - len(few))}, [], {}, {}, {},
                  frozenset(columns))
    sent: list[tuple[object, ...]] = []
    dumps = ledger_pipe.pickle.dumps
    monkeypatch.setattr(ledger_pipe.pickle, "dumps", lambda message, protocol: sent.append(message) or dumps(message, protocol))
    back = ledger_pipe._unpack(__import__("pickle").loads(ledger_pipe._pack(block)))
    raw, distinct, dated = sent[0][2], sent[0][5], sent[0][7]
    assert raw["dates"] is None and "dates" not in distinct and list(dated) == ["dates"]
    assert raw["few"] is block.raw["few"] and "few" in distinct
    assert list(back.raw) == ["dates", "few"]  # the columns in their order
    for name in columns:
        cells = block.raw[name]
        assert [repr(cell) for cell in back.raw[name]] == [repr(cell) for cell in cells], name
        assert [type(cell) for cell in back.raw[name]] == [type(cell) for cell in cells], name
        # The same distinct cells in the order a pickled set of them has here, each cell one of them.
        again = __import__("pickle").loads(dumps(block.distinct(name), 5))
        assert list(back.distinct(name)) == list(again) and back.shared(name), name
        assert set(map(id, back.raw[name])) == set(map(id, back.distinct(name))), name


def test_a_column_of_dates_the_reader_shared_reaches_the_validation_as_in_one_process(
        tmp_path: Path, piped: list[int]) -> None:
    # Blocks of 64 rows with 20 and 25 distinct dates of disbursal and maturity: sent as day numbers and codes.
    rows = _rows(130)
    for at, item in enumerate(rows):
        item["disbursed_on"] = dt.date(2023, 1, 10) + dt.timedelta(days=at % 20)
        item["maturity"] = dt.date(2027, 1, 10) + dt.timedelta(days=at % 25)
    rows[70]["maturity"] = dt.date(2022, 1, 1)  # before the disbursal: a row error
    path = write_ledger(rows, tmp_path / "台账.xlsx")
    first = next(iter(ledger._open_stream(path, None).column_blocks(64, ledger._JOINED, shared=True)))
    assert list(__import__("pickle").loads(ledger_pipe._pack(first))[7]) == ["disbursed_on", "maturity"]
    alone = _read(path, False, block_rows=64)
    assert _read(path, True, block_rows=64) == alone and piped
    assert [problem[:2] for problem in alone[1][4]] == [(72, "I（到期日期）")]


@pytest.mark.parametrize("piece", [1, 3])
def test_rows_folded_a_few_at_a_time_by_the_child_give_the_loans_and_problems_of_one_process(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, piped: list[int], piece: int) -> None:
    # Blocks of 8 rows from pieces of 1 or 3 (inherited by the forked child): columns joined, then meeting an
    # empty 借据号 or an ID typed as a number; text, then a boolean, a whole number or a date; blank and totals rows.
    monkeypatch.setattr(tabular._ExcelRows, "_PIECE", piece)
    rows = _rows(24, B003={"id_number": 110105194912310}, B006={"loan_no": None},
                 B009={"contract_no": "1.10105E+17"}, B010={"product": True}, B011={"product": 1},
                 B013={"branch": 7}, B014={"officer": dt.date(2026, 1, 5)}, B020={"borrower": 1.5})
    rows[12] = {name: None for name in rows[12]}
    rows[16] = {**{name: None for name in rows[16]}, "loan_no": "合计", "balance": 99}
    path = write_ledger(rows, tmp_path / "台账.xlsx")
    alone = _read(path, False, block_rows=8)
    assert _read(path, True, block_rows=8) == alone and piped
    assert alone[1][0] is RowsError and [problem[:3] for problem in alone[1][4]] == [
        (5, "D（证件号码）", "number-stored"), (8, "A（借据号）", "required"), (11, "B（合同号）", "scientific-notation"),
        (12, "G（产品）", "type"), (16, "F（客户经理）", "type"), (18, "A（借据号）", "total-row"),
        (22, "C（借款人）", "type")]


def test_a_joined_column_is_sent_as_the_reader_joined_it_without_a_set_of_its_cells(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_ledger(_rows(6), tmp_path / "台账.xlsx")
    stream = ledger._open_stream(path, None)
    (block,) = stream.column_blocks(8, ledger._JOINED)
    assert block.joined("loan_no") == "\x00".join(block.raw["loan_no"]) and block.joined("branch") is None
    made: list[str] = []
    distinct = Block.distinct
    monkeypatch.setattr(Block, "distinct", lambda self, name: made.append(name) or distinct(self, name))
    back = ledger_pipe._unpack(__import__("pickle").loads(ledger_pipe._pack(block)))
    assert not made.count("loan_no") and made.count("branch")  # the joined column's set never made
    assert back.raw["loan_no"] == list(block.raw["loan_no"]) and back.kinds("loan_no") == {str}
    # The joined text kept: the cache entry writes it as it is.
    assert back.joined("loan_no") == block.joined("loan_no") and back.joined("branch") is None


def test_columns_the_child_cannot_join_give_the_loans_and_problems_of_one_process(
        tmp_path: Path, piped: list[int]) -> None:
    # An ID typed as a number and empty 借据号 (not all text), a totals row labelled in 借据号 and a
    # blank row (the block then leaves a row out), a contract number Excel wrote in scientific notation.
    rows = _rows(20, B003={"id_number": 110105194912310}, B006={"loan_no": None},
                 B009={"contract_no": "1.10105E+17"})
    rows[12] = {name: None for name in rows[12]}
    rows[16] = {**{name: None for name in rows[16]}, "loan_no": "合计", "balance": 99}
    path = write_ledger(rows, tmp_path / "台账.xlsx")
    alone = _read(path, False)
    assert _read(path, True) == alone and piped
    assert [(number, code) for number, _, code, _ in alone[1][4]] == [
        (5, "number-stored"), (8, "required"), (11, "scientific-notation"), (18, "total-row")]


def test_the_pipeline_gives_the_loans_problems_and_cache_entry_of_one_process(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, piped: list[int]) -> None:
    monkeypatch.delenv("DOCGEN_NO_CACHE", raising=False)
    path = write_ledger(_rows(30, B002={"classification": "很好"}, B013={"balance": "很多"},
                              B029={"id_number": "123"}), tmp_path / "台账.xlsx")
    entries = {}
    results = {}
    for parallel in (False, True):
        monkeypatch.setenv("DOCGEN_CACHE_DIR", str(tmp_path / f"cache-{parallel}"))
        results[parallel] = _read(path, parallel)
        entries[parallel] = _entries(tmp_path / f"cache-{parallel}")
    assert len(piped) == 1 and piped[0]
    assert results[True] == results[False]
    loans, error = results[True]
    assert len(loans) == 27 and error is not None and error[0] is RowsError
    assert [(number, column) for number, column, _, _ in error[4]] == [
        (4, "O（五级分类）"), (15, "K（贷款余额）"), (31, "D（证件号码）")]
    assert entries[True] == entries[False] and entries[True]
    # The entry the pipeline wrote serves the next read as the parse's does.
    assert _read(path, True) == results[False] and len(piped) == 1
    assert not _readers() and not _alive(piped[0])


def test_collect_plan_and_npl_report_print_the_same_with_the_pipeline(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = _rows(40)
    headers = [ledger.LEDGER_HEADERS[name] for name in ledger.LEDGER_HEADERS]
    headers[-1] = "备用列"  # a header nobody asked for: its column left out
    path = write_ledger(rows, tmp_path / "台账.xlsx", headers=headers)
    commands = (["collect", "plan", "--ledger", str(path), "--as-of", "2026-06-30", "--format", "json",
                 "--register", str(tmp_path / "none.sqlite")],
                ["npl-report", "--ledger", str(path), "--period", "2026Q2", "--format", "json"])
    monkeypatch.setenv("DOCGEN_NO_CACHE", "1")
    monkeypatch.setattr(procs.os, "cpu_count", lambda: 2)
    started = _spied(monkeypatch)
    for command in commands:
        monkeypatch.setattr(procs, "PARALLEL_MIN_BYTES", 1 << 40)
        alone = CliRunner().invoke(main, command)
        assert not started
        monkeypatch.setattr(procs, "PARALLEL_MIN_BYTES", 0)
        pipelined = CliRunner().invoke(main, command)
        assert started and started[-1], command
        started.clear()
        assert (pipelined.exit_code, pipelined.stdout, pipelined.stderr) == (alone.exit_code, alone.stdout, alone.stderr)
        assert alone.exit_code == 0 and json.loads(alone.stdout)
        assert ("备用列" in alone.stderr) is (command[0] == "npl-report")  # the report notices the header


def test_bad_rows_past_max_bad_rows_stop_the_reading_and_the_child(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, piped: list[int]) -> None:
    monkeypatch.setattr(ledger, "MAX_BAD_ROWS", 5)
    path = write_ledger(_rows(60, **{f"B{i:03d}": {"balance": "很多"} for i in range(3, 60, 4)}),
                        tmp_path / "台账.xlsx")
    alone = _read(path, False)
    pipelined = _read(path, True)
    assert pipelined == alone and piped
    assert alone[1][1] == "ledger-bad-rows-stopped" and len(alone[1][4]) == 5
    assert not _readers() and not _alive(piped[0])


def test_a_sheet_that_cannot_be_read_further_fails_as_in_one_process(tmp_path: Path, piped: list[int]) -> None:
    path = write_ledger(_rows(40), tmp_path / "台账.xlsx")
    book = openpyxl.load_workbook(path)
    column = [cell.value for cell in book.active[1]].index("到期日期") + 1
    book.active.cell(row=30, column=column).value = -1e308  # past the calendar: the reader fails on row 30
    book.active.cell(row=30, column=column).number_format = "yyyy-mm-dd"
    book.save(path)
    _fails_at_row_30_as_in_one_process(path, piped, "excel-cell-unconvertible")


def _fails_at_row_30_as_in_one_process(path: Path, piped: list[int], code: str) -> tuple[object, ...]:
    """Assert the pipeline gives the 28 loans before row 30 and then the very error (``code``) of
    one process, its child gone; return that error."""
    alone = _read(path, False)
    pipelined = _read(path, True)
    assert pipelined == alone and piped
    loans, error = pipelined
    assert len(loans) == 28 and error[:2] == (InputError, code)
    assert not _readers() and not _alive(piped[0])
    return error


@pytest.mark.parametrize("where", ["merged", "past"])
def test_data_under_an_untitled_header_is_refused_from_the_child_with_the_very_error_of_one_process(
        tmp_path: Path, piped: list[int], where: str) -> None:
    # column-untitled is raised by the reader while it reads the blocks: in the child, then sent
    # with its facts (the merged range, the title that covers it) and raised here after the blocks before it.
    path = write_ledger(_rows(40), tmp_path / "台账.xlsx")
    if where == "merged":
        merge_header(path, "M1:N1")  # 逾期本金 over 欠息: column N loses its title
    book = openpyxl.load_workbook(path)
    sheet = book.active
    column = 14 if where == "merged" else sheet.max_column + 1
    sheet.cell(row=30, column=column).value = 123.45  # in the eighth block of four rows
    book.save(path)
    error = _fails_at_row_30_as_in_one_process(path, piped, "column-untitled")
    assert ("第30行起有数据" in error[3]) and (("M1:N1" in error[3]) == (where == "merged"))


def test_an_error_cell_read_again_by_python_calamine_in_the_child_gives_the_same_loans_and_row_error(
        tmp_path: Path, piped: list[int]) -> None:
    path = write_ledger(_rows(40), tmp_path / "台账.xlsx")
    book = openpyxl.load_workbook(path)
    column = [cell.value for cell in book.active[1]].index("担保人") + 1
    book.active.cell(row=35, column=column).value = "#N/A"  # openpyxl writes it as an error cell
    book.save(path)
    alone = _read(path, False)
    assert _read(path, True) == alone and piped and alone[1][0] is RowsError
    assert [problem[:3] for problem in alone[1][4]] == [(35, "R（担保人）", "cell-error")]


def test_a_missing_column_is_refused_when_the_blocks_are_asked_for_as_in_one_process(
        tmp_path: Path, piped: list[int]) -> None:
    path = write_ledger(_rows(3), tmp_path / "台账.xlsx")
    book = openpyxl.load_workbook(path)
    book.active.delete_cols(1)  # no 借据号
    book.save(path)
    errors = []
    for parallel in (False, True):
        with pytest.raises(InputError) as caught:
            iter_ledger_blocks(path, parallel=parallel)
        errors.append((caught.value.code, dict(caught.value.facts), str(caught.value)))
    assert errors[0] == errors[1] and errors[0][0] == "header-missing-columns" and piped
    assert not _readers()


def test_a_child_killed_after_its_first_block_is_replaced_by_reading_here(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, piped: list[int]) -> None:
    monkeypatch.delenv("DOCGEN_NO_CACHE", raising=False)
    path = write_ledger(_rows(40, B021={"classification": "很好"}), tmp_path / "台账.xlsx")
    monkeypatch.setenv("DOCGEN_CACHE_DIR", str(tmp_path / "alone"))
    alone = _read(path, False)
    monkeypatch.setenv("DOCGEN_CACHE_DIR", str(tmp_path / "killed"))
    here = _read_here_spied(monkeypatch)
    loans: list[object] = []
    blocks = iter_ledger_blocks(path, block_rows=4)
    with pytest.raises(RowsError) as caught:
        for block in blocks:
            if not loans:
                [child] = _readers()
                os.kill(child.pid, signal.SIGKILL)
                child.join()
            loans.extend(block)
    # The child ran one block ahead at most: the rest was read here.
    assert len(piped) == 1 and len(here) == 1 and here[0] in (1, 2)
    assert (loans, [(p.row, p.column, p.code) for p in caught.value.problems]) == (
        alone[0], [(p[0], p[1], p[2]) for p in alone[1][4]])
    assert _entries(tmp_path / "killed") == _entries(tmp_path / "alone")


def test_a_child_dead_before_the_header_leaves_the_whole_file_to_this_process(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, piped: list[int]) -> None:
    path = write_ledger(_rows(10), tmp_path / "台账.xlsx")
    alone = _read(path, False)
    monkeypatch.setattr(ledger_pipe, "_produce", _dying)
    here = _read_here_spied(monkeypatch)
    assert _read(path, True) == alone and len(piped) == 1 and not _alive(piped[0]) and here == [0]


def _read_here_spied(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Return the list of the blocks given by the child each time the reading went on here."""
    calls: list[int] = []
    read_here = ledger_pipe.PipedReader._read_here

    def spied(self):  # type: ignore[no-untyped-def]
        calls.append(self._given)
        return read_here(self)

    monkeypatch.setattr(ledger_pipe.PipedReader, "_read_here", spied)
    return calls


def _dying(*args: object) -> None:
    os._exit(3)  # as a child the kernel killed (out of memory)


@pytest.mark.parametrize("how", ["break", "error", "interrupt"])
def test_a_reading_stopped_early_leaves_no_child_running(tmp_path: Path, piped: list[int], how: str) -> None:
    path = write_ledger(_rows(40), tmp_path / "台账.xlsx")

    def consume() -> None:
        for _ in iter_ledger_blocks(path, block_rows=2):
            if how == "break":
                break
            raise (ValueError if how == "error" else KeyboardInterrupt)()

    if how == "break":
        consume()
    else:
        with pytest.raises(ValueError if how == "error" else KeyboardInterrupt):
            consume()
    [pid] = piped
    assert pid and not _alive(pid) and not _readers()


def test_a_reader_never_iterated_stops_its_child_when_let_go(tmp_path: Path, piped: list[int]) -> None:
    path = write_ledger(_rows(40), tmp_path / "台账.xlsx")
    blocks = iter_ledger_blocks(path, block_rows=2)
    [pid] = piped
    assert _alive(pid)
    del blocks
    for _ in range(100):
        if not _alive(pid):
            break
        time.sleep(0.02)
    assert not _alive(pid) and not _readers()


def test_a_reader_forked_by_a_thread_while_another_holds_a_lock_reads_without_it(
        tmp_path: Path, piped: list[int]) -> None:
    # A job's process forks the reader from a thread beside its lease thread: a lock some other
    # thread holds at the fork stays held in the child for good. The child takes none of docgen's
    # (its collector is off before it reads: collector_paused then takes no lock), and it ignores
    # Ctrl-C though forked by a thread that is not the main one.
    path = write_ledger(_rows(40), tmp_path / "台账.xlsx")
    opened: list[object] = []
    with gcpause._PAUSES_LOCK:  # held as by a thread pausing the collector when the fork happens
        worker = threading.Thread(target=lambda: opened.append(iter_ledger_blocks(path, block_rows=4)))
        worker.start()
        worker.join(20)
        stuck = worker.is_alive()
        for child in _readers():
            os.kill(child.pid, signal.SIGKILL if stuck else signal.SIGINT)
    worker.join()
    time.sleep(0.3)  # a child that took the Ctrl-C would be gone by now
    assert not stuck and piped and _alive(piped[0])
    assert sum(map(len, opened[0])) == 40 and not _readers() and not _alive(piped[0])


def test_small_ledgers_a_single_cpu_and_parallel_false_read_in_this_process(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_ledger(_rows(10), tmp_path / "台账.xlsx")
    assert not ledger_pipe.worth_piping(path)  # far below PARALLEL_MIN_BYTES
    monkeypatch.setattr(procs, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(procs.os, "cpu_count", lambda: 2)
    assert ledger_pipe.worth_piping(path)
    monkeypatch.setattr(procs.os, "cpu_count", lambda: 1)
    assert not ledger_pipe.worth_piping(path)
    monkeypatch.setattr(procs.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(ledger_pipe.PipedReader, "start", _never)
    assert len(_read(path, False)[0]) == 10


def _never(*args: object, **kwargs: object) -> None:
    raise AssertionError("no child process expected")


def test_npl_report_reads_two_ledgers_with_two_processes_and_one_ledger_with_the_pipeline(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, piped: list[int]) -> None:
    import concurrent.futures

    from ledger_fixtures import write_seed_ledgers

    from docgen.loans import npl_report
    from docgen.loans.npl import parse_period

    opening, closing, targets = write_seed_ledgers(tmp_path)
    period = parse_period("2026Q2")
    monkeypatch.setattr(procs, "PARALLEL_MIN_BYTES", 1 << 40)
    expected = [npl_report.read_figures(closing, opening, period=period, targets=targets).to_dict(),
                npl_report.read_figures(closing, None, period=period, targets=targets).to_dict()]
    assert not piped
    monkeypatch.setattr(procs, "PARALLEL_MIN_BYTES", 0)
    pools = []

    class Pool(concurrent.futures.ProcessPoolExecutor):
        def submit(self, fn, /, *args, **kwargs):  # type: ignore[override]
            pools.append(fn.__name__)
            return super().submit(fn, *args, **kwargs)

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", Pool)
    # The opening ledger in the pool's worker, the closing one here: neither through the pipeline.
    assert npl_report.read_figures(closing, opening, period=period, targets=targets).to_dict() == expected[0]
    assert pools == ["_read_opening"] and not piped
    # The closing ledger alone: through the pipeline.
    assert npl_report.read_figures(closing, None, period=period, targets=targets).to_dict() == expected[1]
    assert pools == ["_read_opening"] and len(piped) == 1 and piped[0] and not _alive(piped[0])


def test_a_ledger_is_read_in_blocks_of_4096_rows() -> None:
    # Two processes wait a block's reading before validating and a block's validation after reading:
    # small blocks keep both short (16,384 rows kept the parent waiting ~0.65 s for the first one).
    assert tabular.BLOCK_ROWS == 4096


@pytest.mark.parametrize("unit", ["单位：元", "单位：万元"])
def test_a_title_and_a_unit_row_are_read_by_the_child_as_in_one_process(
        tmp_path: Path, piped: list[int], unit: str) -> None:
    # The rows above the header are passed over in the child, the loans keeping their Excel numbers; a unit
    # other than the yuan is refused there with the very error of one process.
    path = write_ledger(_rows(12), tmp_path / "台账.xlsx")
    book = openpyxl.load_workbook(path)
    book.active.insert_rows(1, 2)
    book.active["A1"], book.active["A2"] = "城东支行贷款台账（2026年6月末）", unit
    book.save(path)
    alone = _read(path, False)
    assert _read(path, True) == alone and piped
    if unit == "单位：元":
        assert alone[1] is None and [loan.row for loan in alone[0]] == list(range(4, 16))
    else:
        assert alone[1][:3] == (InputError, "ledger-amount-unit",
                                {"file": path, "cell": "A2", "text": "单位：万元", "unit": "万元", "sheet": "贷款台账"})


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
def test_an_id_in_full_width_scientific_notation_is_found_in_the_child_s_joined_column(
        tmp_path: Path, piped: list[int], encoding: str) -> None:
    # The child joins the ID column's text: its letters e are looked for there, the full-width Ｅ and ｅ too.
    path = write_ledger(_rows(12, B003={"id_number": "１．１Ｅ＋１７"}, B007={"id_number": "６．１ｅ＋１７"}),
                        tmp_path / "台账.csv", encoding=encoding)
    alone = _read(path, False)
    assert _read(path, True) == alone and piped
    assert [problem[:3] for problem in alone[1][4]] == [(5, "D（证件号码）", "scientific-notation"),
                                                        (9, "D（证件号码）", "scientific-notation")]
