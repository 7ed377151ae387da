"""Rows from Excel (.xlsx) or CSV files whose headers may be Chinese.

Back-office staff keep batch data and the loan ledger in Excel; what reaches us is an
``.xlsx`` workbook or a CSV saved by Excel (UTF-8, UTF-8 with BOM, or GB18030/GBK on
Chinese Windows). ``read_table`` maps each header to a canonical field name through the
aliases a template or ledger declares (``借款人`` -> ``borrower``), keeps the raw cell
values, and records cells that cannot be trusted -- an ID number Excel turned into a
number has already lost digits, so it is reported, never guessed back.

Used by ``docgen.documents.batch`` and by the ledger reader of the NPL report.
"""
from __future__ import annotations

import contextlib
import csv
import datetime as _dt
import io
import os
import re
import sys
import tempfile
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from itertools import chain, compress, islice, repeat
from dataclasses import dataclass, field
from pathlib import Path
from operator import is_, itemgetter
from typing import Any, ClassVar

from docgen.core.access import when_denied
from docgen.core.xlsxbounds import (MAX_CELLS, SheetExtent, check_xlsx_extent, column_letters, declared_extent,
                                    error_cells, shown_sheet, within_bound)
from docgen.core.xlsxstream import ERROR_TEXTS, fork_installed, open_stream, streams_alike
from docgen.core.errors import InputError
from docgen.core.textcodec import BOM, decode_chinese
from docgen.core.messages import CONTENT_NAMES, MESSAGES
from docgen.core.problems import Problem
from docgen.core.wording import reason_of

__all__ = ["BLOCK_ROWS", "EXACT_TYPES", "TABLE_SUFFIXES", "Block", "Row", "Table", "TableStream", "alias_map",
           "decode_text", "normalize_header", "read_table", "stream_table", "where_read"]

_EXCEL_ORDER = (".xlsx", ".xlsm", ".xls")
_CSV_ORDER = (".csv", ".txt", ".tsv")
#: Every extension a table may have (its content is checked against it), workbooks first.
TABLE_SUFFIXES: tuple[str, ...] = _EXCEL_ORDER + _CSV_ORDER
_EXCEL_SUFFIXES = frozenset(_EXCEL_ORDER)
_CSV_SUFFIXES = frozenset(_CSV_ORDER)

# What Excel shows for a long digit string typed into a General cell and then saved as CSV.
# Excel's own form only (one digit, then E and a signed exponent: 9.13301E+17), so a company code
# with an E between digits (91330109007997E433, a valid USCC) is never taken for it.
_SCIENTIFIC = re.compile(r"^[+-]?\d(\.\d+)?[eE][+-]\d+$")
#: The error values a cell's text may hold: the stream's (``ERROR_TEXTS``) and those of a later Excel
#: (#SPILL!, #CALC! …) that python-calamine refuses in a workbook (``excel-error-unknown``) but a CSV
#: saved by that Excel holds as text.
_CELL_ERRORS = ERROR_TEXTS | frozenset({"#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!",
                                        "#UNKNOWN!", "#GETTING_DATA", "#PYTHON!"})
#: The letter e of scientific notation as typed, half-width or full-width (``１．１Ｅ＋１７``: a Chinese IME
#: in full-width mode); a cell holding one is matched against ``_SCIENTIFIC`` in its NFKC form.
_EXPONENT_LETTERS = "eE\uff45\uff25"
# A unit suffix that does not change the meaning of a header: 借款金额(元) is 借款金额.
_YUAN_SUFFIX = re.compile("[(\uff08]元[)\uff09]$")


@dataclass
class Row:
    """One data row.

    ``number`` is the spreadsheet row number as the user sees it (the header is row 1 when
    it is the first row); ``values`` maps canonical field -> raw cell value (``str``,
    ``int``, ``float``, ``datetime.date``, ``datetime.datetime`` or ``None`` for an empty
    cell); ``columns`` maps canonical field -> column label such as ``'D（证件号码）'``.
    """

    number: int
    values: dict[str, Any]
    columns: dict[str, str]


@dataclass
class Table:
    """A read spreadsheet: the canonical ``fields`` found, the ``rows`` (blank ones skipped),
    headers that matched no field (``unknown_headers``) and cell ``problems`` found while
    reading (numeric ID numbers and the like), each with row and column."""

    path: Path
    fields: list[str]
    rows: list[Row]
    unknown_headers: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)
    #: The worksheet named when it was read (None: the one read by default).
    sheet: str | None = None
    #: The texts above the header (a title, a unit row) and in it naming no field, each with its cell (``A1``).
    other_titles: list[tuple[str, str]] = field(default_factory=list)


#: Data rows turned into Python objects and cleaned at once: enough for column-wise work to pay,
#: few enough that a 400,000-row sheet never exists as Python objects all at the same time. A
#: ledger read by two processes (``docgen.loans.ledger_pipe``) waits a block's reading before its
#: validation starts and a block's validation after the reading ends: 4,096 rows keep both short,
#: and cost no more per row than 16,384 did in one process.
BLOCK_ROWS = 4_096


@dataclass
class Block:
    """Consecutive data rows of a table held column by column (blank rows left out).

    ``numbers`` are the rows' numbers as the user sees them; ``raw`` maps each canonical field
    to its cells as read, one per number; ``problems`` are the text-field cells of these rows
    that cannot be trusted, row by row in sheet column order. ``values`` gives the cleaned
    cells (what ``Row.values`` holds), ``convert`` a column converted a distinct cell at a time.
    ``joined`` gives a column of text the reader was asked to join (``TableStream.column_blocks``).
    """

    #: Joins the cells of a column of text in ``joined`` (no cell of such a column holds it).
    SEPARATOR: ClassVar[str] = "\x00"

    numbers: list[int]
    raw: dict[str, Sequence[Any]]
    problems: list[Problem]
    _distinct: dict[str, set[Any]] = field(default_factory=dict, repr=False)
    _kinds: dict[str, set[type]] = field(default_factory=dict, repr=False)
    _joined: dict[str, str] = field(default_factory=dict, repr=False)
    _shared: frozenset[str] = field(default=frozenset(), repr=False)

    def joined(self, name: str) -> str | None:
        """Return the cells of field ``name`` joined by ``SEPARATOR`` when the reader joined that
        column (every cell text, none holding the separator), else None."""
        return self._joined.get(name)

    def shared(self, name: str) -> bool:
        """Return True when the reader made the equal cells of field ``name`` one object as it read
        them (``TableStream.column_blocks``' ``shared``, or a block a reading child sent:
        ``docgen.loans.ledger_pipe``): the cells are then the members of ``distinct``, and no cell
        is a number (equal numbers may differ in type: ``True``, ``1``)."""
        return name in self._shared

    def distinct(self, name: str) -> set[Any]:
        """Return the distinct cells of field ``name`` as read (an absent field: ``{None}``), made
        once per block. Equal cells of different types count once (``True``, ``1`` and ``1.0``);
        text never equals a number or a date."""
        found = self._distinct.get(name)
        if found is None:
            cells = self.raw.get(name)
            found = self._distinct[name] = set(cells) if cells is not None else ({None} if self.numbers else set())
        return found

    def kinds(self, name: str) -> set[type]:
        """Return the types of the distinct cells of field ``name`` (``distinct``), found once per
        block (the reader, the pipe and the validation each ask whether a column is text)."""
        found = self._kinds.get(name)
        if found is None:
            found = self._kinds[name] = set(map(type, self.distinct(name)))
        return found

    @property
    def values(self) -> dict[str, list[Any]]:
        """Return field -> cleaned cells (``str`` stripped, ``int`` for whole numbers, ``date``,
        ``None`` for empty; see ``Row``)."""
        return {name: _clean_column(cells) for name, cells in self.raw.items()}

    def cell(self, name: str, at: int) -> Any:
        """Return the cleaned cell of field ``name`` in the block's row ``at`` (None when absent)."""
        cells = self.raw.get(name)
        return None if cells is None else _clean(_excel_value(cells[at]))

    def text(self, name: str) -> tuple[list[str], set[str]] | None:
        """Return the cells of field ``name`` as stripped text (``''`` for empty) and their distinct
        values when every cell is text or empty, else None (the column holds numbers or dates: use
        ``convert``)."""
        cells = self.raw.get(name)
        if cells is None:
            return [""] * len(self.numbers), {""}
        distinct = self.distinct(name)
        if not self.kinds(name) <= _TEXT_TYPES:
            return None
        if None in distinct:
            texts = [value.strip() if value else "" for value in cells]
            return texts, set(texts)
        # No cell to strip, told without a strip per cell: no white space in the reader's joined
        # cells (one pass in C), or none at the ends of any distinct cell (a few hundred in a column of
        # branches or addresses). Equal strings strip alike, and str.strip of a str with nothing to
        # strip is that str.
        joined = self._joined.get(name)
        if (joined.split(None, 1) == [joined] if joined else all(map(is_, map(str.strip, distinct), distinct))):
            return list(cells), distinct
        texts = list(map(str.strip, cells))
        # str.strip gives the very string back when there is nothing to strip: then the texts'
        # distinct values are the cells' (already made). Compared by identity: no copy of the column.
        return texts, (distinct if all(map(is_, texts, cells)) else set(texts))

    def convert(self, name: str, convert: Callable[[Any], Any], errors: tuple[type[BaseException], ...] = (ValueError,),
                tables: dict[str, dict[Any, Any]] | None = None,
                at_once: Callable[[list[Any], set[type]], list[Any] | None] | None = None) -> tuple[list[Any], list[int]]:
        """Return ``convert`` of every cleaned cell of field ``name`` and the row indexes where it raised.

        Each distinct cell is cleaned and converted once and equal cells share the very result
        object (a ledger column of dates, branches or amounts holds a few hundred distinct
        values in 100,000 rows). Where ``convert`` raises one of ``errors`` the result is None.
        An absent field is a column of empty cells. When ``tables`` is given and the field is
        present, ``tables[name]`` is set to each distinct cell's result (the column is then that
        of every cell in ``raw``), unless a boolean cell had each cell converted alone.

        ``at_once``, given the distinct cells (a list) and their types, returns what ``convert``
        returns for each of them (equal text or dates may be the cells themselves), or None when
        it cannot tell without ``convert`` (a cell it does not know, a cell that would raise): then
        each distinct cell is converted alone, as without it. When the reader made the equal cells
        one object (``shared``) and every cell converts to itself, the column is its cells, with no
        look-up per cell.
        """
        cells = self.raw.get(name)
        if cells is None:
            cells = [None] * len(self.numbers)
        failed: set[int] = set()

        def one(value: Any) -> Any:
            try:
                # A whole number or a date is its own clean form (most cells of a column that converts).
                return convert(value if value.__class__ in _SELF_CLEAN else _clean(_excel_value(value)))
            except errors:
                failed.add(id(value))
                return None

        distinct = self.distinct(name)
        # A boolean cell hides in the set behind an equal 0 or 1 (or is one of them).
        if (not _NUMBERS.isdisjoint(self.kinds(name)) and (0 in distinct or 1 in distinct)
                and bool in set(map(type, cells))):
            # True == 1 == 1.0: a set would give a boolean cell the verdict of a number.
            results = [one(value) for value in cells]
            return results, [at for at, value in enumerate(cells) if id(value) in failed]
        if len(distinct) == 1:
            (value,) = distinct
            result = one(value)
            if tables is not None and name in self.raw:
                tables[name] = {value: result}
            return [result] * len(cells), (list(range(len(cells))) if failed else [])
        found = None
        if at_once is not None and name in self.raw:
            values = list(distinct)
            found = at_once(values, self.kinds(name))
        if found is None:
            table = {value: one(value) for value in distinct}
        elif name in self._shared and all(map(is_, found, values)):
            # Each cell is the one object of its value and converts to itself: the column as it is.
            if tables is not None:
                tables[name] = dict(zip(values, found))
            return list(cells), []
        else:
            table = dict(zip(values, found))
        if tables is not None and name in self.raw:
            tables[name] = table
        results = list(map(table.__getitem__, cells))
        if not failed:
            return results, []
        bad = {value for value in distinct if id(value) in failed}
        return results, [at for at, value in enumerate(cells) if value in bad]


_NUMBERS = frozenset({int, float, bool})
#: Cell types whose equal values are equal in type too (a bool equals 1, and 1 equals 1.0; text never
#: equals a number, nor a date a datetime): equal cells of these may be made one object.
EXACT_TYPES = frozenset({str, type(None), _dt.date, _dt.datetime})
_SELF_CLEAN = frozenset({int, _dt.date})
_TEXT_TYPES = frozenset({str, type(None)})


def decode_text(data: bytes, source: str) -> str:
    """Return ``data`` decoded as text.

    Tries strict UTF-8 (a BOM is stripped), UTF-16 when a BOM says so (Excel's "Unicode
    text"), then strict GB18030 (a superset of GBK, what Excel writes on Chinese Windows),
    and only then charset-normalizer's best guess. Raises ``InputError`` naming ``source``
    when nothing decodes it.
    """
    text = decode_chinese(data)
    if text is not None:
        return text
    raise MESSAGES.error(InputError, "text-undecodable", source=str(source))


def normalize_header(text: Any) -> str:
    """Return the comparable form of a header: NFKC (full-width -> half-width), no spaces,
    lower case, the asterisks marking a required column and a trailing '(元)' removed."""
    value = unicodedata.normalize("NFKC", str(text))
    value = re.sub(r"\s+", "", value).lower()
    value = value.strip("*")  # '*借款人' or '借款人*' marks a required column in many bank sheets
    return _YUAN_SUFFIX.sub("", value)


def alias_map(aliases: Mapping[str, Sequence[str]]) -> dict[str, str]:
    """Return the field each header names: ``normalize_header`` of a field and of each of its
    ``aliases`` -> the field (the first field naming it, when two do)."""
    lookup: dict[str, str] = {}
    for canonical, names in aliases.items():
        for name in (canonical, *names):
            key = normalize_header(name)
            if key and key not in lookup:
                lookup[key] = canonical
    return lookup


def containing(texts: set[str], characters: Iterable[str]) -> set[str]:
    """Return those of ``texts`` holding any of ``characters``: each character looked for once in
    all of them joined, then text by text only for the characters found at all (in a column of
    100,000 distinct identifiers, usually none)."""
    joined = "\n".join(texts)
    found: set[str] = set()
    for character in characters:
        if character in joined:
            found.update(text for text in texts if character in text)
    return found


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _clean(value: Any) -> Any:
    """Normalize one raw cell: stripped text, empty -> None, midnight datetimes -> date."""
    if isinstance(value, str):
        value = value.strip()
        return value or None
    if isinstance(value, _dt.datetime):
        if value.time() == _dt.time(0, 0):
            return value.date()
        return value
    return value


def _excel_value(value: Any) -> Any:
    """Map a calamine cell to what the rest expects: None for empty, int for whole numbers.

    calamine gives every number as a float; a whole number (a count, a term in months, an
    amount without fen) becomes an int as Excel itself shows it.
    """
    if isinstance(value, str):
        return value if value else None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# Cell types a column can be cleaned with one comprehension (no call per cell).
_PLAIN_TYPES = frozenset({str, float, int, bool, _dt.date, type(None)})


def _clean_column(values: list[Any]) -> list[Any]:
    """Return ``_clean(_excel_value(v))`` of every cell of one column, the column at once.

    A ledger column holds one or two types (text, or numbers with empty cells as ``''``), so
    it is cleaned by a comprehension chosen for its types rather than by two calls per cell.
    CSV cells are all text, for which ``_excel_value`` changes nothing ``_clean`` would not.
    """
    kinds = set(map(type, values))
    if kinds <= {str}:
        return [v.strip() or None for v in values]
    if kinds <= _PLAIN_TYPES:
        return [(v.strip() or None) if v.__class__ is str
                else (int(v) if v.__class__ is float and v.is_integer() else v) for v in values]
    return [_clean(_excel_value(v)) for v in values]


@contextlib.contextmanager
def _held_native_stderr() -> Iterator[None]:
    """Hold back what native code writes to file descriptor 2 while the block runs.

    A Rust panic prints its message and backtrace there before Python sees the exception;
    the user should get one line instead. Whatever was written is passed on when the block
    succeeds and dropped when it fails (its failure is reported as one line).
    """
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError, AttributeError):
        yield
        return
    with tempfile.TemporaryFile() as held:
        os.dup2(held.fileno(), 2)
        ok = False
        try:
            yield
            ok = True
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            if ok and held.tell():
                held.seek(0)
                os.write(2, held.read())


class _Rows:
    """A table's rows in order, numbered from 1 as the user sees them (``number`` is the next
    one's), taken a block at a time: one ``list`` per block, no Python step per row."""

    def __init__(self, rows: Iterator[Sequence[Any]]) -> None:
        self._rows = rows
        self.number = 1
        #: The header's untitled columns, watched for data once the header is read (``_open_table``).
        self.untitled: _Untitled | None = None
        #: Where a source cut data off its rows past the last titled column: ``(row, column index)``.
        self.overflow: list[tuple[int, int]] = []
        #: Error cells its rows give as empty cells (python-calamine's): row -> {column index -> text}.
        self.errors: dict[int, dict[int, str]] = {}
        #: The texts above the header and in it that name no field, each with its cell (``A1``).
        self.other_titles: list[tuple[str, str]] = []

    def where(self) -> dict[str, Any]:
        """Return the facts naming where the rows come from in a cell's problem: a CSV's."""
        return {"csv": True}

    def take(self, count: int) -> list[Sequence[Any]]:
        """Return the next ``count`` rows (fewer at the end). Raises ``InputError`` when the file
        cannot be read further."""
        chunk = list(islice(self._rows, count))
        self.number += len(chunk)
        return chunk

    def fold(self, count: int, width: int, joining: Iterable[int], sharing: Iterable[int]) -> _Folded | None:
        """Return the next ``count`` rows folded into columns a piece at a time as they are read
        (``_Folded``), or None when this source's rows are to be taken whole (``take``)."""
        return None

    def settled(self, first: int, cells: Sequence[Sequence[Any]]) -> bool:
        """Whether the rows taken from row ``first`` on, whose used cells are ``cells`` (columns or
        whole rows), stand; False when the reader changed and they must be taken again from
        ``first``. Raises ``InputError`` when they show the sheet too large to read."""
        return True

    def keep(self, width: int) -> None:
        """Say that only the first ``width`` cells of each row are used from now on: a source
        may give the rows cut to it, the cells with data it cut off past the header's last
        titled column put in ``overflow``."""


class _ExcelRows(_Rows):
    """A worksheet's rows, streamed (python-calamine-plus) or from python-calamine.

    A streamed sheet not scanned before (``declared_extent`` only) is watched instead, for two
    things apart. Its bound: when the rows reach past what ``MAX_CELLS`` allows, the sheet is
    scanned once (``check_xlsx_extent``: refused when too large). Its error cells: when a used
    cell holds an ``ERROR_TEXTS`` text, or when the scan (whatever set it off) found error cells,
    python-calamine reads the sheet from the first row not yet settled. The scan counts only the
    cells that name their reference, so the rows the stream gives keep being measured after it:
    rows x width past ``MAX_CELLS`` (a proven lower bound of the sheet) is refused too. Once the
    header is known (``keep``) streamed rows are cut to its width as they come, a few at a time,
    so a row padded to a declared 16,384 columns is never held in a block.
    """

    _PIECE = 256  # rows read between two looks at the extent
    _PIECE_CELLS = 1 << 16  # at most this many cells in one piece: a hostile row is 16,384 cells
    _GUESS = 1 << 12  # the width assumed before a row was seen: the first piece is small

    def __init__(self, path: Path, sheet: str | None, rows: Iterator[Sequence[Any]], *, streamed: bool,
                 scanned: bool, declared: SheetExtent | None = None) -> None:
        super().__init__(rows)
        self._path, self._sheet = path, sheet
        self._streamed = streamed  # rows from the stream, not python-calamine (which holds them whole)
        self._bound_watched = self._errors_watched = streamed and not scanned
        self._error_cells = False  # a scan found error cells: the next rows settled go to python-calamine
        self._declared = declared
        # A streamed row is as long as the declared range when that is wider than its cells.
        self._padded = declared.columns if declared is not None else 0
        self._widest = 0  # the widest row streamed so far (0: none yet)
        self._width: int | None = None

    def keep(self, width: int) -> None:
        self._width = width

    def where(self) -> dict[str, Any]:
        """Return the facts naming the worksheet read (its name, None when the workbook cannot tell)."""
        return {"sheet": self._sheet if self._sheet is not None else _sheet_and_others(self._path, None)[0]}

    def take(self, count: int) -> list[Sequence[Any]]:
        # A date cell calamine cannot convert (-1e308) panics inside the stream, on any row:
        # its message and backtrace are held back like the opening's (one line, not Rust's).
        try:
            with _held_native_stderr():
                if not self._streamed:
                    return super().take(count)
                chunk: list[Sequence[Any]] = []
                for piece in self._pieces(count):
                    chunk += piece
                self.number += len(chunk)
                return chunk
        except InputError:
            raise
        except BaseException as exc:
            raise _excel_unreadable(self._path, exc) from None

    def fold(self, count: int, width: int, joining: Iterable[int], sharing: Iterable[int]) -> _Folded | None:
        """Return the next ``count`` rows (fewer at the end) folded into ``width`` columns a piece of
        rows at a time (``_Folded``), or None when the rows do not come from the stream (take them).
        Raises ``InputError`` as ``take`` does."""
        if not self._streamed:
            return None
        try:
            with _held_native_stderr():
                folded = _Folded(width, joining, sharing)
                for piece in self._pieces(count):
                    folded.add(piece)
                    del piece  # its cells die before the stream makes the next piece's, in the same memory
                self.number += folded.count
                return folded
        except InputError:
            raise
        except BaseException as exc:
            raise _excel_unreadable(self._path, exc) from None

    def _pieces(self, count: int) -> Iterator[list[Sequence[Any]]]:
        """Yield the next ``count`` streamed rows a few at a time, each piece measured against the
        sheet's bound and cut to the header's width (``keep``). Raises ``InputError`` when the
        sheet is too large."""
        taken = 0
        while taken < count:
            size = min(self._PIECE, max(1, self._PIECE_CELLS // (self._widest or self._GUESS)), count - taken)
            piece = list(islice(self._rows, size))
            if not piece:
                return
            widest = max(map(len, piece))
            last = self.number + taken + len(piece) - 1
            if self._bound_watched and not within_bound(last, widest):
                self._scan()  # raises when the sheet is too large
            if not self._bound_watched and widest > self._padded and last * widest > MAX_CELLS:
                # Cells the stream gave past the declared range are there: what the scan could not count.
                declared = self._declared
                raise MESSAGES.error(InputError, "sheet-too-many-cells", path=str(self._path),
                                     corner=f"{column_letters(widest)}{last}",
                                     declared=declared.corner if declared and declared.columns else None,
                                     rows=last, columns=widest, limit=MAX_CELLS)
            if widest > self._widest:
                self._widest = widest
            width = self._width
            if width is not None and widest > width:
                untitled = self.untitled
                if untitled is not None and widest > untitled.start:
                    self.overflow += _data_past(piece, untitled.start, self.number + taken)
                piece = [values[:width] for values in piece]
            taken += len(piece)
            yield piece
            del piece

    def settled(self, first: int, cells: Sequence[Sequence[Any]]) -> bool:
        if not self._error_cells:
            if not self._errors_watched or all(ERROR_TEXTS.isdisjoint(column) for column in cells):
                return True
            self._scan()
            if not self._error_cells:
                return True  # text that reads like an error value: the stream gives it as it is
        self._rows, self.number = _calamine_rows(self._path, self._sheet, skip=first - 1), first
        self.errors = _placed_errors(self._path, self._sheet)  # python-calamine gives them as empty cells
        self._streamed = self._errors_watched = self._error_cells = False
        self.overflow = []  # python-calamine's rows are not cut: their cells are looked at in the block
        return False

    def _scan(self) -> None:
        """Scan the sheet (once: its bound and whether it has error cells are then known, and
        neither is watched for any more; ``_error_cells`` is set when it has some). Raises
        ``InputError`` when it is too large."""
        self._bound_watched = False
        extent = check_xlsx_extent(self._path, self._sheet)
        if self._errors_watched:
            self._errors_watched = False
            self._error_cells = extent is not None and extent.error_cells


def _padded(rows: list[Sequence[Any]], width: int) -> list[Sequence[Any]]:
    """Return ``rows`` with each shorter than ``width`` cells made that long: a short CSV record or
    a short streamed row, whose missing cells are empty (None); ``rows`` itself when none is."""
    if min(map(len, rows)) >= width:
        return rows
    return [list(values) + [None] * (width - len(values)) if len(values) < width else values for values in rows]


class _Folded:
    """A block's rows folded into columns a piece of rows at a time (``_ExcelRows.fold``), while the
    piece's cells are in the processor's cache, so that the cells the block does not keep die there.

    ``columns`` has ``width`` columns: the ``joining`` ones (by index) as text pieces, each piece's
    cells joined by ``Block.SEPARATOR`` (``joined``; a column meeting a cell that is no text or holds
    the separator is split back and shared from then on), the ``sharing`` ones with their equal
    cells made one object (the first met: ``distinct`` of those columns), any other as read. A
    shared column that meets a number is kept as read from that piece on, with its distinct cells
    (``True``, ``1`` and ``1.0`` are equal: made one object, a cell would change its type); the
    pieces before held no number, so no cell of them changed type.
    """

    def __init__(self, width: int, joining: Iterable[int], sharing: Iterable[int]) -> None:
        self.count = 0
        self.columns: list[list[Any]] = [[] for _ in range(width)]
        self._texts: dict[int, list[str]] = {index: [] for index in joining}
        self._ones: dict[int, dict[Any, Any]] = {index: {} for index in sharing}
        self._sets: dict[int, set[Any]] = {}  # shared columns kept as read since a number came
        self._settled: set[int] = set()  # shared columns whose last piece brought no new value
        self._plain = [index for index in range(width) if index not in self._texts and index not in self._ones]

    def add(self, piece: list[Sequence[Any]]) -> None:
        """Fold the rows of ``piece`` (each at most ``width`` cells long: shorter ones end in empty cells)."""
        columns = self.columns
        width = len(columns)
        piece = _padded(piece, width)
        self.count += len(piece)
        cut = list(zip(*piece)) if width else []
        separator = Block.SEPARATOR
        texts, ones = self._texts, self._ones
        for index, pieces in list(texts.items()):
            cells = cut[index]
            try:
                text = separator.join(cells)
            except TypeError:
                text = None  # a number, a date or an empty cell (None)
            if text is not None and text.count(separator) == len(cells) - 1:
                pieces.append(text)
                continue
            del texts[index]
            ones[index] = {}
            if pieces:
                self._share(index, separator.join(pieces).split(separator))
        for index in [*ones, *self._sets]:
            self._share(index, cut[index])
        for index in self._plain:
            columns[index] += cut[index]

    def _share(self, index: int, cells: Sequence[Any]) -> None:
        column = self.columns[index]
        one = self._ones.get(index)
        if one is None:
            column += cells
            self._sets[index].update(cells)
            return
        first = cells[0]
        # A piece of one value (an optional column left empty, a branch's run of loans): compared in C,
        # no look-up per cell. Equal cells of these types are of one type (a number is not among them).
        if cells[-1] == first and first.__class__ in EXACT_TYPES and cells.count(first) == len(cells):
            column += [one.setdefault(first, first)] * len(cells)
            return
        if index in self._settled and len(cells) > 1:
            # No new value in the piece before: the values are likely all known, each looked up in C
            # with no call per cell; a new one raises, and the piece is shared as below.
            try:
                column += itemgetter(*cells)(one)
                return
            except KeyError:
                self._settled.discard(index)
        before = len(one)
        column += map(one.setdefault, cells, cells)
        added = len(one) - before
        if not added:
            self._settled.add(index)
        elif not _NUMBERS.isdisjoint(map(type, islice(reversed(one), added))):
            del column[len(column) - len(cells):]
            column += cells
            self._sets[index] = set(one)  # the first cell met of each value, as set() keeps
            del self._ones[index]

    def joined(self) -> dict[int, str]:
        """Return column index -> the joined text of each column still joined."""
        return {index: Block.SEPARATOR.join(pieces) for index, pieces in self._texts.items()}

    def distinct(self) -> dict[int, set[Any]]:
        """Return column index -> the distinct cells of each column shared or kept as read since a number came."""
        return {**{index: set(one) for index, one in self._ones.items()}, **self._sets}

    def shared(self) -> set[int]:
        """Return the indexes of the columns whose equal cells are one object."""
        return set(self._ones)


class _JoinedCells(Sequence[str]):
    """The cells of a column the reader joined (``Block.joined``), split from its text only when
    looked at (a blank row, a mark of an error value or a totals label in the text): the child
    reading for ``docgen.loans.ledger_pipe`` sends the text, never its cells."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._cells: list[str] | None = None

    def _split(self) -> list[str]:
        if self._cells is None:
            self._cells = self._text.split(Block.SEPARATOR)
        return self._cells

    def __len__(self) -> int:
        return self._text.count(Block.SEPARATOR) + 1

    def __getitem__(self, at: Any) -> Any:
        return self._split()[at]

    def __iter__(self) -> Iterator[str]:
        return iter(self._split())


def _excel_rows(path: Path, sheet: str | None) -> _ExcelRows:
    """Return the rows of a worksheet; InputError when it cannot be read.

    Read with calamine (Rust): about ten times faster than openpyxl on a 100,000-row ledger,
    with date cells (built-in, East-Asian and custom formats, 1904 epoch) as dates. A sheet
    whose rows the streaming reader gives exactly as python-calamine does (almost every sheet:
    see ``docgen.core.xlsxstream``) is decoded row by row from the file, so memory stays flat
    however many rows it has; any other is read by python-calamine, which holds it whole and is
    therefore given only a sheet whose extent was scanned (a sheet too large would abort the
    process inside calamine).
    """
    if sheet is None:
        sheet = shown_sheet(path)  # the first sheet Excel shows, when the first one is hidden
    extent = declared = declared_extent(path, sheet)
    scanned = extent is not None and not within_bound(extent.rows, extent.columns)
    if scanned:
        extent = check_xlsx_extent(path, sheet)  # declared too large: find the real bound first
    stream = streams_alike(path, sheet, extent)
    if not stream:
        if not scanned:
            extent = check_xlsx_extent(path, sheet)
        rows = _ExcelRows(path, sheet, _calamine_rows(path, sheet), streamed=False, scanned=True)
        if extent is not None and extent.error_cells:
            rows.errors = _placed_errors(path, sheet)  # python-calamine gives them as empty cells
        return rows
    try:
        with _held_native_stderr():
            names, open_rows = open_stream(path, sheet)
            if sheet is not None and sheet not in names:
                raise MESSAGES.error(InputError, "sheet-not-found", path=path, sheet=sheet, sheets=names)
            rows = open_rows()  # the stream's rows start at column A
    except InputError:
        raise
    except BaseException as exc:  # damaged workbooks fail in many ways; the user needs one clear line
        raise _excel_unreadable(path, exc) from None
    return _ExcelRows(path, sheet, rows, streamed=True, scanned=scanned, declared=declared)


def _placed_errors(path: Path, sheet: str | None) -> dict[int, dict[int, str]]:
    """Return the error cells of an .xlsx worksheet (``error_cells``: row -> {column index -> text}),
    placed by the stream's rows when a cell of them names no reference (it gives an error cell as
    its text); empty when neither can tell (no stream installed). Raises ``InputError`` as reading
    the sheet's XML may (over the size limit)."""
    found = error_cells(path, sheet)
    if found is not None:
        return found
    found = {}
    try:
        with _held_native_stderr():
            _, open_rows = open_stream(path, sheet)
            for number, values in enumerate(open_rows(), start=1):
                if not ERROR_TEXTS.isdisjoint(values):
                    found[number] = {index: value for index, value in enumerate(values)
                                     if value.__class__ is str and value in ERROR_TEXTS}
    except Exception:  # noqa: BLE001 - python-calamine read the sheet; only its error cells stay unplaced
        return found
    return found


def _calamine_rows(path: Path, sheet: str | None, skip: int = 0) -> Iterator[Sequence[Any]]:
    """python-calamine's rows of the sheet (the first shown one when ``sheet`` is None: see
    ``_first_shown``; its whole cell range in memory) after the first ``skip``, each starting at
    column A; in an .xls its error cells as their text, taken from python-calamine-plus's rows when
    it is installed and reads the file (``_with_error_texts``). InputError when it cannot be read
    or has no such sheet."""
    from python_calamine import CalamineWorkbook

    rows = islice(_sheet_rows(CalamineWorkbook, path, sheet), skip, None)
    if path.suffix.lower() != ".xls" or not fork_installed():
        return rows
    try:
        from python_calamine_plus import CalamineWorkbook as Fork

        forked = islice(_sheet_rows(Fork, path, sheet), skip, None)
    except Exception:  # noqa: BLE001 - python-calamine read the sheet; only its error cells stay empty
        return rows
    return _with_error_texts(rows, forked)


def _sheet_rows(workbook_class: Any, path: Path, sheet: str | None) -> Iterator[Sequence[Any]]:
    """The rows of the sheet (as ``_calamine_rows``) read by ``workbook_class``, python-calamine's
    ``CalamineWorkbook`` or its fork's; InputError when it cannot be read or has no such sheet."""
    try:
        with _held_native_stderr():
            workbook = workbook_class.from_path(str(path))
            names = list(workbook.sheet_names)
            if sheet is not None and sheet not in names:
                raise MESSAGES.error(InputError, "sheet-not-found", path=path, sheet=sheet, sheets=names)
            worksheet = (workbook.get_sheet_by_name(sheet) if sheet is not None
                         else workbook.get_sheet_by_index(_first_shown(workbook.sheets_metadata)))
            # Rows one at a time (no list of the whole sheet): calamine yields the leading
            # empty rows too, so numbers match what Excel shows, but starts each row at the
            # first used column; the columns before it are put back as empty cells.
            offset = (worksheet.start or (0, 0))[1]
            rows = worksheet.iter_rows()
    except InputError:
        raise
    except BaseException as exc:
        raise _excel_unreadable(path, exc) from None
    if offset:
        pad = [""] * offset
        rows = (pad + values for values in rows)
    return rows


def _with_error_texts(rows: Iterable[Sequence[Any]], forked: Iterable[Sequence[Any]]) -> Iterator[Sequence[Any]]:
    """Yield python-calamine's ``rows`` of an .xls with each error cell (#DIV/0!, #N/A) as its text:
    the fork's cell (``forked``, the same sheet read by python-calamine-plus) where it is one of
    ``ERROR_TEXTS`` and python-calamine's is empty.

    python-calamine gives an error cell as an empty cell, and an .xls has no XML to tell it from one
    (``error_cells`` does for an .xlsx): read so, #N/A under a date said the event never happened.
    The fork gives it as its text, which the reader takes for the error it is (``_error_values``),
    but gives a date in an East-Asian built-in format (ids 27-36 and 50-58: ``yyyy年m月d日``, Chinese
    Excel's default, which an .xls names by id alone) as its serial number: so every other cell is
    python-calamine's. One look per row (a set test in C) at the fork's; a row holding none of those
    texts is python-calamine's as it is. An .xls holds at most 65,536 rows, so it is read (and held)
    twice: 0.5 s more for a ledger of 60,000 loans, where a date read as a number refused every row."""
    for values, other in zip(rows, chain(forked, repeat(()))):
        if not ERROR_TEXTS.isdisjoint(other):
            values = list(values)
            for at, cell in enumerate(other[:len(values)]):
                if cell.__class__ is str and cell in ERROR_TEXTS and values[at] == "":
                    values[at] = cell
        yield values


def _sheet_and_others(path: Path, sheet: str | None) -> tuple[str | None, list[str]]:
    """Return the name of the worksheet read (``sheet``, or the first shown: ``_first_shown``) and
    the names of the workbook's other sheets; ``(None, [])`` when the workbook cannot tell them."""
    try:
        with _held_native_stderr():
            from python_calamine import CalamineWorkbook

            workbook = CalamineWorkbook.from_path(str(path))
            names = list(workbook.sheet_names)
            read = sheet if sheet is not None else names[_first_shown(workbook.sheets_metadata)]
    except Exception:  # noqa: BLE001 - only to word an error the reading already found
        return None, []
    return read, [name for name in names if name != read]


def where_read(path: str | Path, sheet: str | None) -> dict[str, Any]:
    """Return the facts naming where a table's rows were read, as its cells' problems name it:
    ``{"csv": True}`` for a CSV, else ``{"sheet": name}`` of the worksheet read (``sheet``, or the
    one read when none is named; None when the workbook cannot tell). Opens the workbook again:
    for wording an error, not on the reading's way."""
    path = Path(path)
    if path.suffix.lower() in _CSV_ORDER:
        return {"csv": True}
    return {"sheet": _sheet_and_others(path, sheet)[0]}


def _first_shown(sheets: Sequence[Any]) -> int:
    """Return the index of the sheet read when none is named: the first sheet Excel shows, where
    the first is hidden (``shown_sheet`` tells it for an .xlsx before; this tells it for an .xls
    from python-calamine's ``sheets_metadata``), else 0 (the first is shown, or none is)."""
    # The enum of the library that read ``sheets`` (python-calamine's or its fork's: ``_sheet_rows``).
    return next((at for at, found in enumerate(sheets) if found.visible == type(found.visible).Visible), 0)


#: Bytes read to tell what a file given as a table holds: enough for a workbook's first ZIP
#: members or an OLE2 directory in most files.
_HEAD_BYTES = 1 << 16

def _refuse_other_content(path: Path, suffix: str) -> None:
    """Raise ``InputError`` saying what ``path`` really holds when its content is not what its
    suffix promises and the reader for that suffix could only fail on it: a web page, text, a
    Word document or a PDF under an Excel name, an Excel 97-2003 workbook under .xlsx, a workbook
    with an open password, a workbook under a text name. A ZIP the first bytes cannot place is
    left to the reader (a workbook's directory is at its end)."""
    from docgen.core.sniff import (
        OLE_MAGIC, UTF16_BOMS, is_markup, looks_like_text, office_encrypted, ole_directory, ole_workbook, sniff_kind,
    )

    try:
        with open(path, "rb") as stream:
            head = stream.read(_HEAD_BYTES)
            head += ole_directory(stream, head)
    except OSError as exc:
        # calamine reports a file it may not open as a damaged workbook: say it is permission.
        when_denied(exc, InputError, path)
        return  # the reader says why it cannot read the file
    kind = sniff_kind(head) if head else "empty"
    if office_encrypted(head):
        raise MESSAGES.error(InputError, "excel-encrypted", path=path)
    # A workbook's stream decides before a Word document's: an .xls may embed a Word object.
    if head.startswith(OLE_MAGIC) and ole_workbook(head):
        kind = "xls"
    if suffix in _CSV_SUFFIXES:
        if head.startswith(b"%PDF-"):
            kind = "pdf"
        elif head.startswith(b"{\\rtf"):
            kind = "doc"
        elif looks_like_text(head) or head.startswith(UTF16_BOMS):
            return  # text, whatever it mentions ("%PDF-" in a cell)
        if kind == "xlsx" or (head.startswith(OLE_MAGIC) and kind == "xls"):
            raise MESSAGES.error(InputError, "table-is-workbook", path=path, suffix=suffix)
        if kind in CONTENT_NAMES and kind not in ("unknown", "empty"):
            raise MESSAGES.error(InputError, "table-not-text", path=path, what=CONTENT_NAMES[kind])
        return
    if kind in ("xlsx", "zip"):
        if suffix == ".xls":
            raise MESSAGES.error(InputError, "excel-misnamed", path=path, suffix=suffix, right=".xlsx")
        if kind == "zip" and _archive_without_workbook(path):
            raise MESSAGES.error(InputError, "excel-not-workbook", path=path, what=CONTENT_NAMES["archive"])
        return
    if head.startswith(OLE_MAGIC) and kind != "doc":
        if suffix == ".xls":
            return  # python-calamine reads it, or says why not
        if kind == "xls":
            raise MESSAGES.error(InputError, "excel-misnamed", path=path, suffix=suffix, right=".xls")
    if kind == "text" or head.startswith(UTF16_BOMS):
        raise MESSAGES.error(InputError, "excel-is-markup" if is_markup(head) else "excel-is-text", path=path)
    if head.startswith(OLE_MAGIC) and kind == "unknown":
        kind = "ole"  # neither a workbook nor a Word document, nor encrypted
    raise MESSAGES.error(InputError, "excel-not-workbook", path=path, what=CONTENT_NAMES.get(kind, kind))


def _archive_without_workbook(path: Path) -> bool:
    """Whether ``path`` is a sound ZIP none of whose members is a workbook's part (under ``xl/``):
    an archive of other files given a workbook's name, which calamine would call a damaged
    workbook. A ZIP that cannot be read (cut short, damaged) is left to the reader to report."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            return not any(name.startswith("xl/") for name in archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
        return False


#: calamine's refusal of an error cell whose value it does not know (Excel 365's #SPILL!, #CALC! …).
_UNKNOWN_ERROR = re.compile(r"Unsupported cell error value '(#[^']{1,20})'")


def _excel_unreadable(path: Path, exc: BaseException) -> BaseException:
    """Return the ``InputError`` a workbook calamine cannot read is reported as: coded
    ``excel-cell-unconvertible`` (with advice about date and number cells) when a cell's value
    could not be converted, ``excel-error-unknown`` when a cell holds an error value calamine does
    not know (#SPILL!), ``excel-unreadable`` when the file itself is damaged. Other
    exceptions (Ctrl-C, the generator closed) are returned as they are, to be raised again."""
    # A Rust panic (a date cell of -1e308) arrives as pyo3's PanicException, a BaseException.
    # calamine panics only where it converts a cell's value (a date serial past chrono's range);
    # a damaged file (not a ZIP, cut short, bad XML) is an ordinary error, for which advice about
    # date and number cells would mislead.
    panic = type(exc).__name__ == "PanicException"
    if not isinstance(exc, Exception) and not panic:
        return exc
    unknown = _UNKNOWN_ERROR.search(str(exc))
    if unknown is not None:  # a whole file holding an error value of a later Excel (#SPILL!, #CALC!)
        return MESSAGES.error(InputError, "excel-error-unknown", path=str(path), value=unknown[1])
    return MESSAGES.error(InputError, "excel-cell-unconvertible" if panic else "excel-unreadable", path=str(path),
                          error=type(exc).__name__, reason=reason_of(exc))


def _iter_csv(path: Path) -> Iterator[Sequence[Any]]:
    try:
        encoding = _stream_encoding(path)
        if encoding is None:  # a guess over the whole file (charset-normalizer) or an error
            data = path.read_bytes()
            text = decode_text(data, str(path))
            del data
            lines: Any = io.StringIO(text, newline="")
            head = text
        else:
            # Read as it goes: the file's rows are never held as a whole (a batch of 200,000
            # rows stays flat in memory). The encoding was checked on every byte first.
            lines = open(path, encoding=encoding, newline="")  # noqa: SIM115 - closed below
            head = ""
            while "\n" not in head:
                piece = lines.read(1 << 16)
                if not piece:
                    break
                head += piece
            lines.seek(0)
            if head.startswith(BOM):  # GB18030's BOM: the codec gives it as a character
                lines.read(1)
                head = head[1:]
    except OSError as exc:
        when_denied(exc, InputError, path)
        raise MESSAGES.error(InputError, "table-unreadable", path=path, reason=exc.strerror) from None
    first_line = head.split("\n", 1)[0]
    del head
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    with contextlib.closing(lines):
        reader = csv.reader(lines, delimiter=delimiter)
        row: Sequence[Any] = ()
        records = width = lines_read = shaped = 0
        spans: list[tuple[int, int, int, int]] = []  # records over several lines: (row, cell, first line, last)
        joined: list[tuple[int, int, int, int]] = []  # those of them joining two rows (``_rows_joined``)
        try:
            # Row numbers count records, which is what Excel shows when it opens the CSV.
            for row in reader:
                records += 1
                if reader.line_num - lines_read > 1:
                    # A record over several lines: a quoted cell holding a line break (rare, so looked at).
                    at = _merged_cell(row, delimiter, width) if width >= _MERGED_MIN_FIELDS else None
                    if at is not None:
                        raise MESSAGES.error(InputError, "csv-quote-merged", path=path, row=records, number=at + 1,
                                             letter=column_letters(at + 1), start=lines_read + 1,
                                             end=reader.line_num)
                    at = _rows_joined(row, delimiter, width) if width >= _MERGED_MIN_FIELDS else None
                    if at is not None:
                        joined.append((records, at, lines_read + 1, reader.line_num))
                    spans.append((records, next((index for index, cell in enumerate(row)
                                                 if "\n" in cell or "\r" in cell), 0),
                                  lines_read + 1, reader.line_num))
                if shaped <= _TITLE_ROWS and any(row):
                    # The header's: the widest of the rows a title and a unit row (城东支行贷款台账,单位：元)
                    # may take above it, where a narrower one would keep a stray quote's rows unseen. A
                    # header over several lines counts (a title wrapped in its cell: "贷款余额\n（元）"):
                    # left out, it left a ledger of eleven fields measured as none, below _MERGED_MIN_FIELDS,
                    # and the rows a stray quote merged were read as one cell, their loans lost.
                    shaped += 1
                    width = max(width, len(row))
                lines_read = reader.line_num
                yield row
        except csv.Error as exc:
            if not str(exc).startswith("field larger than field limit"):
                raise MESSAGES.error(InputError, "csv-syntax", path=path, line=reader.line_num,
                                     reason=str(exc)) from None
            raise _cell_too_long(path, lines, delimiter) from None
        # A double quote opening a cell and never closed takes in every line after it, and Python's
        # csv (not strict) ends the file inside it without a word: the loans or letters of those
        # lines would be lost in one cell of the last record, which then holds a line break.
        if any("\n" in cell or "\r" in cell for cell in row):
            left_open = _quote_left_open(path, lines, delimiter)
            if left_open is not None:
                raise left_open
        if spans:
            stray = _stray_quote(path, lines, delimiter, spans)
            if stray is not None:
                raise stray  # what the quote did, said more closely where both signs hold
        if joined:
            records, at, start, end = joined[0]
            raise MESSAGES.error(InputError, "csv-quote-merged", path=path, row=records, number=at + 1,
                                 letter=column_letters(at + 1), start=start, end=end)


#: The fewest fields a CSV's header must have for a quoted cell holding a whole row's worth of
#: delimiters on one of its lines to be taken for rows merged by a stray quote (``_merged_cell``).
_MERGED_MIN_FIELDS = 5


def _merged_cell(row: Sequence[str], delimiter: str, width: int) -> int | None:
    """Return the index of the first cell of ``row`` one of whose lines holds as many delimiters as a
    whole record of ``width`` fields (``width - 1``), or None.

    A double quote typed at the start of a cell and another further down (``"abc`` on one row,
    ``def"`` some rows later) make one cell of every line between: Python's csv reads them as an
    address typed on several lines. What tells them apart is what those lines hold: a row of the
    table has a delimiter between each of its fields, which no address, remark or name spread over
    two lines has (Chinese text punctuates with ``，``). Only the lines after the cell's first count:
    the rows a stray quote swallowed follow the line it was typed on, and a remark typed on several
    lines may well open with a list (``已联系,借款人称下月还,保证人王五,赵六均知悉``) where a narrow table
    has few delimiters a row. A cell spanning lines with only part of a row on each (the two quotes on
    consecutive rows) shows no such line: it is refused when they joined two rows (``_rows_joined``)
    or its closing quote is followed by text (``_stray_quote``), else read as it stands."""
    needed = width - 1
    for index, cell in enumerate(row):
        if ("\n" in cell or "\r" in cell) and any(line.count(delimiter) >= needed
                                                 for line in cell.splitlines()[1:]):
            return index
    return None


def _rows_joined(row: Sequence[str], delimiter: str, width: int) -> int | None:
    """Return the index of the first cell of ``row`` (a record over several lines of a table of
    ``width`` fields) whose lines join two rows of the table, or None.

    Two quotes in the same column of consecutive rows (``"张三`` on one, ``李四"`` on the next) make
    one record of the header's width of the two: the first row's loan lost, the second's amounts
    read under the first's number. The cell's first line then ends a whole row (``width - 1 -
    index`` delimiters after the ``index`` fields before it) and its last line begins one (``index``
    delimiters before the quote). A remark in the last column shows it only with a last line of a
    whole row's delimiters (``_merged_cell``'s sign), one in another column only by as many commas
    parted so; no cell Excel writes of a name, an address or a number does."""
    needed = width - 1
    for index, cell in enumerate(row):
        if "\n" in cell or "\r" in cell:
            lines = cell.splitlines()
            if lines and lines[0].count(delimiter) >= needed - index and lines[-1].count(delimiter) >= index:
                return index
    return None


def _stray_quote(path: Path, lines: Any, delimiter: str, spans: Sequence[tuple[int, int, int, int]]) -> InputError | None:
    """Return the ``InputError`` (``csv-quote-stray``) of the first record of ``spans`` (``(row, index
    of its first cell over several lines, first line, last line)``, records read over several lines)
    whose text a strict reading refuses, or None when each is a cell holding line breaks as Excel
    writes one.

    Python's csv (not strict) goes on reading a quoted cell past its closing quote when something
    other than a delimiter or a line end follows the quote (``"张三,…`` then ``"李四,…`` on the next
    row: the second row's stray quote closes the first's): the rows between are then read as one
    cell, in a table of any width, without a word. Excel, WPS and Python's own writer close a quoted
    cell at its end, so a cell a strict reading refuses was never written by them: a remark typed on
    several lines, whatever it holds, is not refused. The lines of the records are read again from
    the start of ``lines`` (once for all of them)."""
    _rewind(lines)
    pending = iter(spans)
    span = next(pending, None)
    held: list[str] = []
    for number, line in enumerate(lines, start=1):
        if span is None:
            break
        row, index, start, end = span
        if number < start:
            continue
        held.append(line)
        if number < end:
            continue
        try:
            list(csv.reader(io.StringIO("".join(held), newline=""), delimiter=delimiter, strict=True))
        except csv.Error:
            return MESSAGES.error(InputError, "csv-quote-stray", path=path, row=row, number=index + 1,
                                  letter=column_letters(index + 1), start=start, end=end)
        held = []
        span = next(pending, None)
    return None


def _rewind(lines: Any) -> None:
    """Put ``lines`` back at its first character, past a GB18030 BOM (its codec gives it as one)."""
    lines.seek(0)
    if lines.read(1) != BOM:
        lines.seek(0)


def _records(lines: Any, delimiter: str) -> tuple[int, int, int]:
    """Return, ``lines`` read again from its start by a new csv reader (as fast as the first read)
    up to its end or its first error, ``(records read whole, lines before the last of them, lines
    they take)``: the last record starts after the second count, the one refused after the third."""
    _rewind(lines)
    reader = csv.reader(lines, delimiter=delimiter)
    records = start = end = 0
    try:
        for _ in reader:
            records += 1
            start, end = end, reader.line_num
    except csv.Error:
        pass
    return records, start, end


def _cell_too_long(path: Path, lines: Any, delimiter: str) -> InputError:
    """Return the ``InputError`` (``csv-cell-too-long``) of a CSV whose reader stopped at a cell over
    csv's field size limit, naming the cell's row and column, which Python's csv does not say: the
    records before the one refused are counted (``_records``), then that record's cells are
    measured (``_long_cell``)."""
    records, _, lines_before = _records(lines, delimiter)
    number, opened = _long_cell(lines, delimiter, lines_before)
    return MESSAGES.error(InputError, "csv-cell-too-long", path=path, row=records + 1, number=number,
                          letter=column_letters(number) if number else "", quoted=opened,
                          limit=csv.field_size_limit())


def _quote_left_open(path: Path, lines: Any, delimiter: str) -> InputError | None:
    """Return the ``InputError`` (``csv-quote-open``) of a CSV read to its end inside the double
    quotes a cell of its last record opened with, naming that cell's row and column; None when
    the last record's line breaks stand inside quotes that close (an address typed on two lines)."""
    records, lines_before, _ = _records(lines, delimiter)
    stop = _scan_record(lines, delimiter, lines_before, None)
    if stop is None or stop[1] != "quoted":
        return None
    return MESSAGES.error(InputError, "csv-quote-open", path=path, row=records, number=stop[0],
                          letter=column_letters(stop[0]))


def _long_cell(lines: Any, delimiter: str, skip: int) -> tuple[int | None, bool]:
    """Return the column (counted from 1) of the first cell longer than csv's field size limit in
    the record starting after ``skip`` lines of ``lines``, and whether the limit fell inside the
    double quotes that cell opened with (a quote never closed takes in every line after it; one
    closed before is no such quote); ``(None, False)`` when none is (the stream changed under the
    reader)."""
    stop = _scan_record(lines, delimiter, skip, csv.field_size_limit())
    if stop is None or not stop[2]:
        return None, False
    # Past its closing quote, the cell is long as typed: advice about a quote left open would send
    # the clerk looking for one that is not there.
    return stop[0], stop[1] == "quoted"


def _scan_record(lines: Any, delimiter: str, skip: int, limit: int | None) -> tuple[int, str, bool] | None:
    """Read the record starting after ``skip`` lines of ``lines`` (a seekable text stream read with
    ``newline=""``) as Python's csv reader does in its default dialect (``"`` quoting, doubled
    inside a quoted cell, not strict), up to the first cell longer than ``limit`` characters (when
    given) or the end of the text.

    Returns ``(column, state, past_limit)`` where it stopped: the column counted from 1, ``state``
    ``"quoted"`` inside the double quotes the cell opened with; None when the record ended at a
    line break first, or the text has fewer than ``skip`` lines."""
    _rewind(lines)
    for _ in range(skip):
        if not lines.readline():
            return None
    column, length, state = 1, 0, "start"
    for piece in iter(lambda: lines.read(1 << 16), ""):
        for char in piece:
            if state == "quoted":
                if char == '"':
                    state = "quote"  # the closing quote, or the first of a doubled one
                    continue
            elif char == delimiter:
                column, length, state = column + 1, 0, "start"
                continue
            elif char in "\r\n":
                return None  # the record ended here
            elif state == "quote":
                state = "quoted" if char == '"' else "field"  # after the closing quote, read as it comes
            elif char == '"' and state == "start":
                state = "quoted"
                continue
            else:
                state = "field"
            length += 1
            if limit is not None and length > limit:
                return column, state, True
    return column, state, False


def _stream_encoding(path: Path) -> str | None:
    """The encoding ``decode_text`` would choose for the file, found by decoding it in pieces
    (strict UTF-8, a BOM's UTF-8 or UTF-16, strict GB18030); None when only a guess over the
    whole file can tell (or none). Raises ``OSError`` when the file cannot be read."""
    import codecs

    with open(path, "rb") as fh:
        start = fh.read(3)
        if start.startswith(b"\xef\xbb\xbf"):
            candidates = ["utf-8-sig"]
        elif start.startswith((b"\xff\xfe", b"\xfe\xff")):
            candidates = ["utf-16"]
        else:
            candidates = ["utf-8", "gb18030"]
        for encoding in candidates:
            fh.seek(0)
            decoder = codecs.getincrementaldecoder(encoding)("strict")
            try:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    decoder.decode(block)
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                continue
            return encoding
    return None


def read_table(
    path: str | Path,
    aliases: Mapping[str, Sequence[str]],
    *,
    required: Iterable[str] = (),
    text_fields: Iterable[str] = (),
    sheet: str | None = None,
) -> Table:
    """Read ``path`` (.xlsx/.xlsm/.xls or .csv) into a ``Table`` of canonical fields.

    The header is the first non-blank row naming a field: each header cell is matched (after
    ``normalize_header``) to a canonical field by its name or one of its ``aliases``, and up to
    ``_TITLE_ROWS`` rows above it naming none (a title merged across, 单位：元) are passed over, their
    texts kept in ``Table.other_titles`` with the header's own that name no field; rows keep the
    numbers Excel shows. Blank rows are skipped. For ``text_fields`` (ID numbers, contract numbers) a numeric
    cell, or CSV text in scientific notation, is recorded in ``Table.problems`` with its
    row and column: Excel has already lost digits or leading zeros.

    A cell of a column read holding an Excel error value (``#N/A``, ``#REF!`` …: an error cell of a
    workbook, which python-calamine gives as empty, or its text in a CSV) is recorded there too
    (``cell-error``, naming the sheet and cell): it is no value, and read as empty it would say
    the row has none.

    Raises ``InputError`` (naming the file) when the file cannot be read, has no header,
    lacks a ``required`` header, has two columns for the same field, or holds data in a column
    its header leaves untitled (``_Untitled``: nothing would read it).
    """
    source, header, columns, unknown, leading = _open_table(path, aliases, required, sheet)
    rows, problems = _data_rows(source, header, columns, set(text_fields), leading)
    return Table(path=Path(path), fields=list(columns), rows=rows, unknown_headers=unknown,
                 problems=problems, columns=columns, sheet=sheet, other_titles=list(source.other_titles))


@dataclass
class TableStream:
    """A spreadsheet read a block of rows at a time (``stream_table``): the header's
    ``fields``, ``columns`` and ``unknown_headers`` as in ``Table``, and ``blocks``."""

    path: Path
    fields: list[str]
    columns: dict[str, str]
    unknown_headers: list[str]
    _source: _Rows
    _header: list[tuple[int, str, str, str]]
    _text_fields: set[str]
    _size: int
    #: The worksheet named when it was read (None: the one read by default).
    sheet: str | None = None
    #: The untitled or unknown columns left of the first known one: ``(index, column label)``.
    _leading: Sequence[tuple[int, str]] = ()

    @property
    def other_titles(self) -> list[tuple[str, str]]:
        """Return the texts above the header (a title, a unit row) and in it naming no field, each with
        its cell (``A1``), as ``Table.other_titles``."""
        return self._source.other_titles

    def blocks(self) -> Iterator[Table]:
        """Yield the rows after the header as ``Table``s of at most the block size each (blank
        rows skipped; each block's ``problems`` those of its rows). Once only; raises
        ``InputError`` when the rest of the file cannot be read or holds data in a column the
        header leaves untitled."""
        for block in _blocks(self._source, self._header, self._text_fields, self._size, self._leading):
            yield Table(path=self.path, fields=self.fields, rows=_block_rows(block, self._header, self.columns),
                        unknown_headers=self.unknown_headers, problems=block.problems, columns=self.columns,
                        sheet=self.sheet)

    def column_blocks(self, size: int | None = None, joining: Iterable[str] = (),
                      shared: bool = False) -> Iterator[Block]:
        """Yield the rows after the header as ``Block``s (columns, not rows) of at most ``size``
        rows (default ``BLOCK_ROWS``), blank rows skipped, the ``joining`` fields' columns of text
        joined (``Block.joined``). When ``shared``, a worksheet's streamed rows are turned into
        columns a few at a time as they are read, equal cells of each other column made one object
        (``Block.shared``; for pickling them: ``docgen.loans.ledger_pipe``). Once only, and instead
        of ``blocks``; raises ``InputError`` when the rest of the file cannot be read or holds data
        in a column the header leaves untitled."""
        return _blocks(self._source, self._header, self._text_fields, max(1, size or BLOCK_ROWS), self._leading,
                       joining, shared)


def stream_table(path: str | Path, aliases: Mapping[str, Sequence[str]], *, block: int = 2000,
                 **reading: Any) -> TableStream:
    """``read_table`` without holding the file's rows: ``reading`` is ``read_table``'s keywords
    (``required``, ``text_fields``, ``sheet``; another raises ``TypeError``). The header is read and
    checked now (same ``InputError``s), the rows come ``block`` at a time from
    ``TableStream.blocks``, cleaned and checked exactly as ``read_table`` does."""
    text_fields = set(reading.pop("text_fields", ()))
    source, header, columns, unknown, leading = _open_table(path, aliases, **reading)
    return TableStream(Path(path), list(columns), columns, unknown, source, header, text_fields, max(1, block),
                       reading.get("sheet"), leading)


def _open_table(path: str | Path, aliases: Mapping[str, Sequence[str]], required: Iterable[str] = (),
                sheet: str | None = None) -> tuple[_Rows, list[tuple[int, str, str, str]], dict[str, str], list[str],
                                                   list[tuple[int, str]]]:
    """Open ``path`` and read its header (the first row naming a field, rows naming none above it
    passed over: ``read_table``; their texts in the source's ``other_titles``): the row source
    (positioned after the header), the header's ``(index, field, column label, title)``, the
    columns, the unknown headers and the
    columns left of the first known one, untitled or unknown (``(index, column label)``: where a
    totals row may write its label). Raises ``read_table``'s ``InputError``s."""
    path = Path(path)
    suffix = path.suffix.lower()
    # os.path: a name too long for the file system is not found rather than an OSError; a
    # folder or a FIFO given as the sheet is there, but is not a file.
    if not os.path.isfile(path):
        raise MESSAGES.error(InputError, "table-not-regular" if os.path.exists(path) else "table-not-found", path=path)
    _refuse_other_content(path, suffix)
    if suffix in _EXCEL_SUFFIXES:
        source: _Rows = _excel_rows(path, sheet)
    elif suffix in _CSV_SUFFIXES:
        source = _Rows(_iter_csv(path))
    else:
        raise MESSAGES.error(InputError, "table-format-unknown", path=path, suffix=suffix)

    lookup = alias_map(aliases)
    header: list[tuple[int, str, str, str]] | None = None  # (index, field, column label, title)
    unknown: list[str] = []
    columns: dict[str, str] = {}
    above: list[tuple[str, str]] = []  # the cells of the rows above the header: (cell, text)
    crowded: int | None = None  # the first row above the header holding numbers or dates
    titles = 0  # the rows above the header (naming no field) so far
    refusal: InputError | None = None  # the first row's, when no row below it is the header

    while header is None:
        number = source.number
        taken = source.take(1)
        if not taken:
            break
        values = taken[0]
        if not source.settled(number, taken):
            continue  # read again by another reader
        if all(_is_blank(v) for v in values):
            continue
        # An error value names no column (a CSV's #REF!, as python-calamine's empty error cell): the
        # data under it are refused as untitled, never passed over under an unknown header.
        values = [None if value.__class__ is str and value.strip() in _CELL_ERRORS else value
                  for value in map(_excel_value, values)]
        header, unknown = [], []
        seen: dict[str, str] = {}
        strangers: list[str] = []  # the row's titles that name no field, with their columns
        blanks: list[int] = []  # untitled columns before the last title (a merged header cell leaves one)
        for index, cell in enumerate(values):
            if _is_blank(cell):
                blanks.append(index)
                continue
            title = str(cell).strip()
            canonical = lookup.get(normalize_header(title))
            label = f"{column_letters(index + 1)}（{title}）"
            if canonical is None:
                unknown.append(title)
                strangers.append(label)
                continue
            if canonical in seen:
                raise MESSAGES.error(InputError, "header-duplicate", path=str(path), first=seen[canonical],
                                     second=label, field=canonical)
            seen[canonical] = label
            header.append((index, canonical, label, title))
        columns = {canonical: label for _, canonical, label, _ in header}
        missing = [name for name in required if name not in columns]
        if not header and titles < _TITLE_ROWS:
            # No cell names a field: a title (城东支行贷款台账（2026年6月末）, merged across), a unit row
            # (单位：元) or a note above the header, which is looked for below it.
            if refusal is None:
                refusal = _header_refusal(path, number, aliases, missing, header, strangers, blanks, values)
            above += [(f"{column_letters(index + 1)}{number}", str(cell).strip())
                      for index, cell in enumerate(values) if not _is_blank(cell)]
            if crowded is None and sum(map(_looks_like_data, values)) >= 2:
                crowded = number  # a loan's row, not a title's, unless no header follows
            titles += 1
            header = None
            continue
        if not header and refusal is not None:
            raise refusal  # no header in reach: the first row is named, as it was the header looked for
        if missing:
            raise _header_refusal(path, number, aliases, missing, header, strangers, blanks, values)
    if header is None and refusal is not None:
        raise refusal

    if header is not None and crowded is not None:
        # A header sorted in among the rows (数据包含标题 unticked): the rows above it would be lost unread.
        raise MESSAGES.error(InputError, "rows-above-header", path=path, row=crowded, header=number)
    if header is not None:
        titled = [index for index, cell in enumerate(values) if not _is_blank(cell)]
        source.untitled = _Untitled(path, sheet, number, [index for index in range(titled[0] + 1, titled[-1])
                                                          if _is_blank(values[index])],
                                    titled[-1] + 1, {index: str(values[index]).strip() for index in titled},
                                    list(range(titled[0])))
    if header is None:
        read, others = _sheet_and_others(path, sheet) if suffix in _EXCEL_SUFFIXES else (None, [])
        if read is not None and others:  # a cover or notes sheet first, the rows on another
            raise MESSAGES.error(InputError, "sheet-empty", path=path, sheet=read, others=others)
        raise MESSAGES.error(InputError, "table-empty", path=path)
    first = header[0][0] if header else 0
    leading = [(index, f"{column_letters(index + 1)}（{str(values[index]).strip()}）" if not _is_blank(values[index])
                else column_letters(index + 1)) for index in range(first)]
    named = {index for index, _, _, _ in header}
    source.other_titles = above + [(f"{column_letters(index + 1)}{number}", str(cell).strip())
                                   for index, cell in enumerate(values) if index not in named and not _is_blank(cell)]
    return source, header, columns, unknown, leading


#: A cell of data rather than of a title, a unit or a note: a number, a date, or text of one alone.
_DATA_TEXT = re.compile(r"[+-]?[\d,]+(\.\d+)?|\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?")


def _looks_like_data(value: Any) -> bool:
    """Whether a cell of a row above the header holds what a data row does (an amount, a date, an
    ID's digits), which a title, a unit row or a note (单位：元, 制表日期：2026-06-30) holds as text."""
    if value is None or value.__class__ is bool:
        return False
    if value.__class__ is str:
        return _DATA_TEXT.fullmatch(value.strip()) is not None
    return True


#: The rows naming no field (a title, a unit row, notes) read above the header before the first of
#: them is refused as a header that names nothing known.
_TITLE_ROWS = 10


def _header_refusal(path: Path, number: int, aliases: Mapping[str, Sequence[str]], missing: list[str],
                    header: Sequence[tuple[int, str, str, str]], strangers: list[str], blanks: list[int],
                    values: Sequence[Any]) -> InputError:
    """Return the ``header-missing-columns`` error of row ``number`` (its ``values``), taken for the
    header: the ``missing`` fields, the fields it names (``header``), its titles naming none
    (``strangers``) and its untitled columns before the last title (``blanks``)."""
    wanted = "、".join(f"{(list(aliases.get(name, ())) or [name])[0]}（{name}）" for name in missing)
    last = max((i for i, v in enumerate(values) if not _is_blank(v)), default=-1)
    return MESSAGES.error(InputError, "header-missing-columns", path=path, row=number, wanted=wanted,
                          missing=missing, matched=len(header), strangers=strangers,
                          blanks=[column_letters(i + 1) for i in blanks if i < last])



@dataclass
class _Untitled:
    """The untitled columns of a header right of its first titled cell, whose data nothing reads.

    A header cell merged over two columns (逾期本金 over E and F) or left empty leaves a column
    without a name; its cells would be dropped unseen, and a demand letter read from the ledger
    would then say 欠息 0. So each block's cells in those columns are looked at (``_blocks``): the
    columns ``among`` the titled ones, and every column from ``start`` on (past the last title,
    however far the rows reach). One holding anything but empty cells and spaces is refused. An
    error cell (``#REF!`` …) is no data there: python-calamine reads it as empty, and the stream as
    its text, which would otherwise cost a scan of the sheet to tell apart (``ERROR_TEXTS``). The
    untitled columns left of the first title (``before``) are where a sheet keeps its row numbers or
    a totals label, which the reader looks for (``_total_rows``): anything else there (``_row_label``)
    is refused too, as a table shifted against its header most likely put it there.
    """

    path: Path
    sheet: str | None
    #: The header's row number.
    row: int
    among: list[int]
    start: int
    #: The header's titled cells, by column index (a merged header's title is its first cell's).
    titles: dict[int, str]
    #: The untitled columns left of the first title (row numbers and totals labels allowed there).
    before: list[int] = field(default_factory=list)

    def error(self, index: int, row: int, value: Any = None) -> InputError:
        """Return the ``InputError`` of column ``index`` (0-based), holding data from ``row`` on:
        the file, the sheet, the column and, when its header cell lies in a merged range, that range
        and the title it holds; for a column left of the first title (``before``), the ``value``
        found there, neither a row number nor a totals label. Raises ``InputError`` only as reading
        the sheet's merged ranges again may (its XML over the size limit)."""
        suffix, letter = self.path.suffix.lower(), column_letters(index + 1)
        facts: dict[str, Any] = {"path": self.path, "letter": letter, "number": index + 1, "row": row,
                                 "cell": f"{letter}{self.row}", "csv": suffix in _CSV_SUFFIXES}
        if index in self.before:
            facts.update(leading=True, value=str(value).strip())
        if suffix in _EXCEL_SUFFIXES:
            facts["sheet"] = _sheet_and_others(self.path, self.sheet)[0]
        if suffix in (".xlsx", ".xlsm"):
            from docgen.core.xlsxbounds import merged_ranges

            sheet = self.sheet if self.sheet is not None else shown_sheet(self.path)
            found = next(((left, bottom, right) for top, left, bottom, right in merged_ranges(self.path, sheet)
                          if top == self.row and left <= index < right and left - 1 in self.titles), None)
            if found is not None:
                left, bottom, right = found
                facts.update(merged=f"{column_letters(left)}{self.row}:{column_letters(right)}{bottom}",
                             title=self.titles[left - 1], first=column_letters(left))
        return MESSAGES.error(InputError, "column-untitled", **facts)


#: The largest row number (序号) a column left of the header's first title may hold: a 借据号 made of
#: digits, shifted there, is longer.
_ROW_NUMBER_LIMIT = 999_999


def _row_label(value: Any) -> bool:
    """Whether a cell of an untitled column left of the first title holds what a sheet keeps there:
    no data (``_no_data``), a row number (a whole number from 1 to ``_ROW_NUMBER_LIMIT``, as a number
    or as digits, or written as a clerk numbers items: ``1.``, ``1、``, ``（1）``, ``①``, ``一``:
    ``_ITEM_NUMBER``) or a label of a totals row (one of ``_TOTAL_LABELS``, which ``_total_rows``
    reports, or any short text naming a total: ``本月合计``, ``城东支行小计``, ``合计（元）``:
    ``_TOTAL_WORDS``). A table shifted against its header puts names, numbers and dates there, none
    of which has those shapes."""
    if value.__class__ is int:  # the usual row number, first
        return 1 <= value <= _ROW_NUMBER_LIMIT
    if _no_data(value) or value in _TOTAL_LABELS:
        return True
    if isinstance(value, float):
        return value.is_integer() and 1 <= value <= _ROW_NUMBER_LIMIT
    if isinstance(value, str):
        text = value.strip()
        if text.isascii() and text.isdigit():
            return 1 <= int(text) <= _ROW_NUMBER_LIMIT
        return (_ITEM_NUMBER.fullmatch(text) is not None
                or (len(text) <= _TOTAL_LABEL_LENGTH and any(word in text for word in _TOTAL_WORDS)))
    return False


#: A row number as clerks write one in a list: 1. 1、 1) (1) （1） ① 一 一、 (digits up to six).
_ITEM_NUMBER = re.compile(r"[(（]?(?:[0-9]{1,6}|[一二三四五六七八九十百]{1,4})[)）]?[.、．]?|[\u2460-\u2473]")

#: What a totals row's label says (``本月合计``, ``城东支行小计``, ``合计（元）``), and the longest such
#: label taken for one: a longer text holding the word is a remark, not a label.
_TOTAL_WORDS = ("合计", "小计", "总计", "累计")
_TOTAL_LABEL_LENGTH = 20


def _no_data(value: Any) -> bool:
    """Whether a cell of an untitled column holds no data: empty, spaces, or an error value."""
    return _is_blank(value) or (value.__class__ is str and value in _CELL_ERRORS)


def _data_past(rows: Sequence[Sequence[Any]], start: int, first: int) -> list[tuple[int, int]]:
    """Return, for each of ``rows`` (numbered from ``first``) holding data (``_no_data``) from
    column index ``start`` on, its number and the index of its first such cell. Only rows longer
    than ``start`` are looked at, each by C-level counts first."""
    found = []
    for at, values in enumerate(rows):
        if len(values) > start:
            tail = values[start:]
            if tail.count("") + tail.count(None) < len(tail):
                offset = next((offset for offset, value in enumerate(tail) if not _no_data(value)), None)
                if offset is not None:
                    found.append((first + at, start + offset))
    return found


def _has_data(column: Sequence[Any]) -> bool:
    """Whether ``column`` holds data (``_no_data``), its empty cells counted in C first."""
    return column.count("") + column.count(None) < len(column) and not all(map(_no_data, column))


def _data_rows(source: _Rows, header: Sequence[tuple[int, str, str, str]], columns: dict[str, str],
               text_set: set[str], leading: Sequence[tuple[int, str]] = ()) -> tuple[list[Row], list[Problem]]:
    """Return the non-blank rows after the header and the problems of their text-field cells
    (the ``Block``s of ``_blocks`` turned back into rows)."""
    rows: list[Row] = []
    problems: list[Problem] = []
    for block in _blocks(source, header, text_set, BLOCK_ROWS, leading):
        problems.extend(block.problems)
        rows.extend(_block_rows(block, header, columns))
    return rows, problems


def _block_rows(block: Block, header: Sequence[tuple[int, str, str, str]], columns: dict[str, str]) -> list[Row]:
    """Return the rows of ``block`` as ``Row``s of cleaned cells."""
    fields = [canonical for _, canonical, _, _ in header]
    return [Row(number, dict(zip(fields, record)), columns)
            for number, record in zip(block.numbers, zip(*block.values.values()))]


def _blocks(source: _Rows, header: Sequence[tuple[int, str, str, str]], text_set: set[str],
            block_rows: int, leading: Sequence[tuple[int, str]] = (),
            joining: Iterable[str] = (), shared: bool = False) -> Iterator[Block]:
    """Yield the data rows after the header as ``Block``s of at most ``block_rows`` rows.

    Works a column at a time: the block's rows are turned into columns at once (``zip``) and a
    row is looked at cell by cell only when its first column is blank; a 100,000-row ledger
    spends in this a fraction of what a loop over its three million cells did. The ``leading``
    columns (``(index, label)``, unknown ones left of the first known one) are looked at only for
    a totals label. The columns the header leaves untitled (``source.untitled``) are looked at as
    columns too, those past its last title only where rows reach there; ``InputError`` when one
    holds data in a row that is not blank.

    The ``joining`` fields' columns, when all text, are joined (``Block.joined``) and their distinct
    cells made only when asked for: columns of identifiers and names, whose cells mostly differ and
    are sent joined to another process (``docgen.loans.ledger_pipe``), where the set is made anyway.
    The joined text says at once whether such a column holds an error value, a totals label or a
    letter e (``_ERROR_MARK``, ``_TOTAL_MARK``: characters each of them holds).

    When ``shared`` and the rows are streamed, they are turned into columns a piece of a few
    hundred rows at a time (``_ExcelRows.fold``), each joined column joined and each other one's
    equal cells made one object there: the duplicate cells and the joined columns' cells die while
    in the processor's cache, where a block of 4,096 rows held whole is past it, and the columns are
    pickled with no mapping of their cells (``Block.shared``). The rest is the same either way.
    """
    untitled = source.untitled
    joining = frozenset(joining)
    # The untitled columns among the titled ones are kept in the block, to be looked at as columns.
    width = max((index for index, _, _, _ in header), default=-1) + 1
    if untitled is not None and untitled.among:
        width = max(width, untitled.among[-1] + 1)
    fields = [canonical for _, canonical, _, _ in header]
    named = {index: canonical for index, canonical, _, _ in header}
    joining_at = [index for index, canonical in named.items() if canonical in joining] if shared else []
    sharing_at = [index for index, canonical in named.items() if canonical not in joining] if shared else []
    source.keep(width)
    while True:
        first = source.number
        folded = source.fold(block_rows, width, joining_at, sharing_at) if shared else None
        if folded is not None:
            count = folded.count
            if not count:
                return
            raw: list[Sequence[Any]] = []
            # Tuples, as zip makes them: unpickled faster than lists by the process they are sent to.
            everything: list[Sequence[Any]] = list(map(tuple, folded.columns))
            joined_at = folded.joined()
            for index, text in joined_at.items():
                everything[index] = _JoinedCells(text)
        else:
            raw = source.take(block_rows)
            if not raw:
                return
            raw = _padded(raw, width)
            everything = list(zip(*raw))
            count = len(raw)
        suspects: list[tuple[int, Sequence[Any]]] = []  # untitled columns with data: (index, cells)
        tails: list[tuple[int, int]] = []  # data past the block's columns: (row, index)
        if untitled is not None:
            spans = len(everything)
            # Left of the first title, row numbers and totals labels are no data: they are put aside.
            suspects = [(index, [None if _row_label(value) else value for value in everything[index]])
                        for index in untitled.before if index < spans and _has_data(everything[index])]
            suspects = [(index, cells) for index, cells in suspects if _has_data(cells)]
            suspects += [(index, everything[index]) for index in (*untitled.among, *range(untitled.start, spans))
                         if _has_data(everything[index])]
            tails, source.overflow = source.overflow, []
            past = max(spans, untitled.start)
            if raw and max(map(len, raw)) > past:  # CSV records longer than the others (folded rows are cut)
                tails += _data_past(raw, past, first)
        del raw
        columns = [everything[index] for index, _, _, _ in header]
        labels = [(everything[index], label) for index, label in leading]
        del everything
        # Each column's distinct cells: what the reader looks at for error texts, and what
        # column-wise work on the block starts from (``Block.distinct``); a joined column's later.
        if folded is not None:
            joined = {named[index]: text for index, text in joined_at.items()}
            found_at = folded.distinct()
            distinct: list[set[Any] | None] = [found_at.get(index) for index, _, _, _ in header]
            same = frozenset(named[index] for index in folded.shared())
            del folded, found_at
        else:
            joined = _joined_columns(columns, fields, joining) if joining else {}
            distinct = [None if name in joined else set(column) for name, column in zip(fields, columns)]
            same = frozenset()
        probes = [_probe(found, column, joined, name, _ERROR_MARK)
                  for name, column, found in zip(fields, columns, distinct)]
        if not source.settled(first, probes):
            continue  # read again from ``first`` by another reader
        errors = _error_values(source, header, columns, probes, first, count)
        numbers = list(range(first, first + count))
        if columns:
            # A row is blank when all its cells are; only rows whose first cell is blank can be.
            first_column = columns[0]
            text = joined.get(fields[0])
            if text is not None and _no_blank_cell(text):
                maybe: list[int] = []
            else:
                maybe = [at for at, value in enumerate(first_column)
                         if value is None or value == "" or (value.__class__ is str and not value.strip())]
            blank = [at for at in maybe if at not in errors and all(_is_blank(column[at]) for column in columns)]
        else:
            blank = list(range(count))
        if suspects or tails:
            _refuse_untitled(untitled, suspects, tails, first, blank)
        # A totals label is no blank cell: the distinct cells read, blank rows' included, say as
        # well as those left whether a column holds one. The columns left of the known ones (a
        # 序号 column, an untitled first one) come first, each looked at whole, as it has no
        # distinct cells made; a row with no known cell is blank and passed over, as before.
        totals = _total_rows([*((cells, cells, "", label) for cells, label in labels),
                              *((column, _probe(distinct[at], column, joined, header[at][1], _TOTAL_MARK),
                                 header[at][1], header[at][2]) for at, column in enumerate(columns))], numbers)
        if labels and blank and totals:
            for at in blank:
                totals.pop(numbers[at], None)
        if blank:
            keep = [True] * count
            for at in blank:
                keep[at] = False
            numbers = list(compress(numbers, keep))
            columns = [tuple(compress(column, keep)) for column in columns]
            distinct, joined = [], {}  # the blank cells left: made again when asked for
        if totals:
            keep = [number not in totals for number in numbers]
            numbers = list(compress(numbers, keep))
            columns = [tuple(compress(column, keep)) for column in columns]
            distinct, joined = [], {}
        if not numbers:
            if totals:
                yield Block([], {field: () for field in fields}, [totals[row] for row in sorted(totals)], {})
            continue
        block = Block(numbers, dict(zip(fields, columns)), [],
                      {name: found for name, found in zip(fields, distinct) if found is not None},
                      {name: {str} for name in joined}, joined, same)
        block.problems = sorted([*_text_problems(block, header, text_set,
                                                 _error_problems(source, header, errors, first, numbers)),
                                 *totals.values()], key=lambda problem: problem.row or 0)
        yield block


def _error_values(source: _Rows, header: Sequence[tuple[int, str, str, str]], columns: Sequence[Sequence[Any]],
                  probes: Sequence[Iterable[Any]], first: int, count: int) -> dict[int, list[tuple[int, str]]]:
    """Return the block's error values in the header's columns: row index -> ``(header position, text)``
    of each, in column order. An error value is a ``_CELL_ERRORS`` text as a cell (a CSV's, the
    stream's, text typed so) or an error cell python-calamine gave as empty (``source.errors``).
    Looked for in each column's ``probes`` (its distinct cells, or its joined text's mark) first,
    and among the sheet's placed error cells only for the block's rows."""
    found: dict[int, list[tuple[int, str]]] = {}
    for position, (probe, column) in enumerate(zip(probes, columns)):
        if not _CELL_ERRORS.isdisjoint(probe):
            for at, value in enumerate(column):
                if value.__class__ is str and value in _CELL_ERRORS:
                    found.setdefault(at, []).append((position, value))
    placed = source.errors
    if placed:
        positions = {index: position for position, (index, _, _, _) in enumerate(header)}
        end = first + count
        rows = ([row for row in range(first, end) if row in placed] if count < len(placed)
                else [row for row in placed if first <= row < end])
        for row in rows:
            for index, text in placed[row].items():
                position = positions.get(index)
                # A cell holding text there is the stream's, found above when it is an error's.
                if position is not None and _is_blank(columns[position][row - first]):
                    found.setdefault(row - first, []).append((position, text))
        for cells in found.values():
            cells.sort()
    return found


def _error_problems(source: _Rows, header: Sequence[tuple[int, str, str, str]],
                    errors: Mapping[int, list[tuple[int, str]]], first: int,
                    numbers: Sequence[int]) -> list[tuple[int, int, Problem]]:
    """Return the ``cell-error`` problems of ``errors`` (``_error_values`` of the block read from row
    ``first``) in the rows kept (``numbers``): ``(index among numbers, header position, problem)``."""
    if not errors:
        return []
    kept = {number: at for at, number in enumerate(numbers)}
    where = source.where()
    found = []
    for at, cells in errors.items():
        number = first + at
        if number not in kept:
            continue  # a totals row, left out
        for position, text in cells:
            index, canonical, label, title = header[position]
            found.append((kept[number], position,
                          MESSAGES.problem("cell-error", canonical, row=number, column=label, value=text,
                                           cell=f"{column_letters(index + 1)}{number}", title=title, **where)))
    return found


def _joined_columns(columns: Sequence[Sequence[Any]], fields: Sequence[str], joining: frozenset[str]) -> dict[str, str]:
    """Return field -> its cells joined by ``Block.SEPARATOR``, for each of the ``joining`` fields
    whose cells are all text (``str.join`` refuses any other) and none holds the separator."""
    joined: dict[str, str] = {}
    separator = Block.SEPARATOR
    for name, column in zip(fields, columns):
        if name in joining:
            try:
                text = separator.join(column)
            except TypeError:
                continue  # a number, a date or an empty cell (None) in it: a set as for the others
            if text.count(separator) == len(column) - 1:
                joined[name] = text
    return joined


def _no_blank_cell(text: str) -> bool:
    """Whether a joined column's ``text`` surely holds no blank cell: no whitespace in it (the first
    piece ``str.split`` cuts at whitespace is the whole), no cell empty (no separator at either end
    or twice in a row)."""
    separator, pieces = Block.SEPARATOR, text.split(None, 1)
    return (bool(pieces) and len(pieces[0]) == len(text) and separator * 2 not in text
            and not text.startswith(separator) and not text.endswith(separator))


def _probe(found: set[Any] | None, column: Sequence[Any], joined: Mapping[str, str], name: str,
           mark: str) -> Iterable[Any]:
    """Return what to look in for texts that all hold ``mark``: the column's distinct cells
    (``found``), or for a joined column nothing when its text lacks ``mark``, else its cells."""
    if found is not None:
        return found
    return column if mark in joined[name] else ()


def _refuse_untitled(untitled: _Untitled | None, suspects: Sequence[tuple[int, Sequence[Any]]],
                     tails: Sequence[tuple[int, int]], first: int, blank: Sequence[int]) -> None:
    """Raise the ``InputError`` of the leftmost untitled column holding data in a row of the block
    (numbered from ``first``) that is not ``blank`` (a row with no known cell is passed over, a note
    beside it too), naming its first such row. ``suspects`` are the untitled columns with data
    (index, cells), ``tails`` the rows with data past them (row, index of the first), in order."""
    if untitled is None:
        return
    skip = set(blank)
    firsts: dict[int, int] = {}
    values: dict[int, Any] = {}
    for index, cells in suspects:
        at = next((at for at, value in enumerate(cells) if not _no_data(value) and at not in skip), None)
        if at is not None:
            firsts[index], values[index] = first + at, cells[at]
    for row, index in tails:
        if row - first not in skip and index not in firsts:
            firsts[index] = row
    if firsts:
        index = min(firsts)
        raise untitled.error(index, firsts[index], values.get(index))


#: What a sheet's totals row says in its label cell, as typed (spaced out to fill a wide cell too).
_TOTAL_LABELS = frozenset(
    spelled + colon
    for label in ("合计", "总计", "小计", "累计", "本页合计", "本期合计")
    for spelled in (label, *(label[0] + gap + label[1:] for gap in (" ", "  ", "\u3000") if len(label) == 2))
    for colon in ("", "：", ":"))


#: A character every error text holds, and one every totals label holds: a joined column of text
#: lacking it holds none of them.
_ERROR_MARK = "#"
_TOTAL_MARK = "计"


def _total_rows(columns: Iterable[tuple[Sequence[Any], Iterable[Any], str, str]],
                numbers: list[int]) -> dict[int, Problem]:
    """Return the block's totals rows (a row with a cell 合计, 总计 … in one of ``columns``), each
    row's number -> its ``total-row`` problem naming the first such cell. Such a row sums the rows
    above it; it is no loan and no letter, and read as one it would be refused field by field.

    ``columns`` are, left to right, each column's cells, what to look in first (its distinct cells,
    or the cells themselves), its field (``""``: none) and its label. Looked for in that whole
    (``frozenset.isdisjoint``), cell by cell only in a column holding one."""
    found: dict[int, Problem] = {}
    for column, probe, canonical, label in columns:
        if _TOTAL_LABELS.isdisjoint(probe):
            continue
        for at, value in enumerate(column):
            if value in _TOTAL_LABELS and numbers[at] not in found:
                found[numbers[at]] = MESSAGES.problem("total-row", canonical, row=numbers[at], column=label,
                                                      value=value)
    return found


def _text_problems(block: Block, header: Sequence[tuple[int, str, str, str]], text_set: set[str],
                   errors: Iterable[tuple[int, int, Problem]] = ()) -> list[Problem]:
    """Return the problems of the block's text-field cells Excel has spoilt and its ``errors``
    (``_error_problems``), row by row, columns in sheet order."""
    found: list[tuple[int, int, Problem]] = list(errors)
    flagged = {(at, position) for at, position, _ in found}
    numbers = block.numbers
    for position, (_, canonical, label, title) in enumerate(header):
        if canonical not in text_set:
            continue
        column = block.raw[canonical]
        if block.kinds(canonical) <= _TEXT_TYPES:
            # Text only (the usual case): scientific notation needs an e, so only those cells are matched.
            text = block.joined(canonical)
            if text is None:
                distinct = block.distinct(canonical)
                odd = containing(distinct - {None} if None in distinct else distinct, _EXPONENT_LETTERS)
            else:
                odd = set()
                for letter in _EXPONENT_LETTERS:
                    if letter in text:  # a pass over the cells only for a letter the column holds
                        odd.update(value for value in column if letter in value)
            suspects: Iterable[int] = [at for at, value in enumerate(column) if value in odd] if odd else ()
        else:
            suspects = range(len(column))
        for at in suspects:
            value = _clean(_excel_value(column[at]))
            if value is None or (at, position) in flagged:
                continue
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                found.append((at, position, MESSAGES.problem("number-stored", canonical, row=numbers[at],
                                                             column=label, title=title, value=value)))
            elif isinstance(value, str) and (_SCIENTIFIC.match(value) or (
                    not value.isascii() and _SCIENTIFIC.match(unicodedata.normalize("NFKC", value)))):
                found.append((at, position, MESSAGES.problem("scientific-notation", canonical, row=numbers[at],
                                                             column=label, title=title, value=value)))
    found.sort(key=itemgetter(0, 1))  # row by row, columns in sheet order, as a reader of the sheet meets them
    return [problem for _, _, problem in found]
