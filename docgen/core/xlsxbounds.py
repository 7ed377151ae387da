"""How big a worksheet really is, found before the spreadsheet reader allocates it.

The Rust reader (calamine) allocates a dense grid from the first to the last cell it sees:
one cell at XFD1048576 in an 8 KB file asks for 17 billion cells and aborts the process
(no exception to catch). So the worksheet's XML is scanned first for its extent. One
regular-expression pass finds the only references that can make a sheet large -- columns
of two or more letters, rows of six or more digits -- and everything else is bounded by
Z and 99,999; the sheet is refused when rows x columns exceeds ``MAX_CELLS``.

The XML is decompressed and scanned in chunks (memory stays at one chunk, not the sheet), and
the pattern starts with the literal ``r="`` rather than a word boundary: a leading literal lets
the regular-expression engine skip ahead with a fast substring search, three times quicker on a
100,000-row ledger. Any attribute whose name ends in ``r`` is then also read as a reference,
which can only make the bound larger, never smaller.

The same pass notes whether the sheet holds error cells (``t="e"``: #N/A, #DIV/0! …), the one
kind of cell the streaming reader (``docgen.core.xlsxstream``) gives otherwise than calamine.

A sheet the streaming reader reads is not scanned before it (``declared_extent`` reads only the
sheet's head): the stream allocates nothing but the rows it hands out, which the reader
(``docgen.core.tabular``) cuts to the header's width as they come, so the reader watches the rows
themselves and scans only when they reach the bound or show an error text. A cell that names no
reference is not counted by the scan, so the rows the stream gives are measured after it too:
rows x width past ``MAX_CELLS`` is refused as a scan would. python-calamine's sheets are scanned
first, as the bound requires.
"""
from __future__ import annotations

import html
import posixpath
import re
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from typing import IO, TypeVar
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

from docgen.core.errors import InputError
from docgen.core.messages import MESSAGES

__all__ = ["MAX_CELLS", "MAX_SHEET_BYTES", "SheetExtent", "check_xlsx_extent", "column_letters", "column_number",
           "declared_extent", "error_cells", "formula_cells", "merged_ranges", "part_name", "sheet_member", "shown_sheet",
           "within_bound", "xml_pieces"]

#: Rows x columns a worksheet may span (a 200,000-row ledger of 100 columns).
MAX_CELLS = 20_000_000
#: Uncompressed size of one worksheet's XML.
MAX_SHEET_BYTES = 1 << 30

_BIG_REF = re.compile(rb'r="([A-Z]{2,}|[A-Z]?(?=\d{6}))(\d+)"')
#: Bytes decompressed per scan step.
_CHUNK = 8 << 20
_DIMENSION = re.compile(rb'<dimension ref="([A-Z]*\d*:)?([A-Z]+)(\d+)"')
# The declared range in any of XML's spellings (a prefix, spaces, single quotes): its last cell.
_DECLARED = re.compile(rb"""<(?:[A-Za-z_][\w.-]*:)?dimension\s[^>]*?\bref\s*=\s*["'](?:[^"':]*:)?\$?([A-Za-z]+)\$?(\d+)["']""")
#: Bytes of a sheet's head read for its declared range (it comes before the cells).
_HEAD = 1 << 16
_T = TypeVar("_T")
_NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
       "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
       "p": "http://schemas.openxmlformats.org/package/2006/relationships"}


@dataclass(frozen=True)
class SheetExtent:
    """The bound found for one worksheet: last row and column (1-based), and a cell naming them."""

    rows: int
    columns: int
    corner: str
    error_cells: bool = False  # some cell is an Excel error value (t="e")

    @property
    def cells(self) -> int:
        return self.rows * self.columns


def within_bound(rows: int, columns: int) -> bool:
    """Whether a sheet reaching row ``rows`` and column ``columns`` is within ``MAX_CELLS``, with the
    scan's floors (every sheet may reach row 99,999 and column Z)."""
    return max(rows, 99_999) * max(columns, 26) <= MAX_CELLS


def _column_number(letters: bytes) -> int:
    number = 0
    for char in letters:
        number = number * 26 + (char - 64)
    return number


def column_number(letters: str) -> int:
    """Return the number of the column whose Excel letters are ``letters`` (A is 1, XFD 16384)."""
    return _column_number(letters.encode("ascii"))


def column_letters(number: int) -> str:
    """Return the Excel letters of column ``number`` (1 is A, 27 is AA, 16384 is XFD)."""
    out = ""
    while number:
        number, rest = divmod(number - 1, 26)
        out = chr(65 + rest) + out
    return out


def sheet_member(archive: zipfile.ZipFile, sheet: str | None) -> str | None:
    """The zip member of the named (or first) worksheet; None when the workbook does not say."""
    try:
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError):
        return None
    sheets = workbook.findall("m:sheets/m:sheet", _NS)
    chosen = next((s for s in sheets if s.get("name") == sheet), None) if sheet is not None else (
        sheets[0] if sheets else None)
    if chosen is None:
        return None
    rid = chosen.get(f"{{{_NS['r']}}}id")
    target = next((r.get("Target") for r in rels.findall("p:Relationship", _NS) if r.get("Id") == rid), None)
    if not target:
        return None
    return part_name(target)


def shown_sheet(path: str | Path) -> str | None:
    """Return the name of the first sheet Excel shows when the workbook's first sheet is hidden
    (a list of codes or a template's notes kept out of sight), else None: the first sheet is
    shown, no sheet is, or the file is no .xlsx workbook. Never raises.

    Excel opens a workbook on a shown sheet, and a clerk who gives it without ``--sheet`` means
    the one they see; docgen reads the first sheet only when it is that one.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    except (KeyError, ElementTree.ParseError, *_ZIP_ERRORS):
        return None
    states = [(s.get("name"), s.get("state", "visible")) for s in workbook.findall("m:sheets/m:sheet", _NS)]
    if not states or states[0][1] == "visible":
        return None
    return next((name for name, state in states if state == "visible"), None)


def part_name(target: str) -> str:
    """Return the zip member a relationship ``Target`` of the workbook part names (absolute, or relative to xl/)."""
    return target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))


def xml_pieces(stream: IO[bytes]) -> Iterator[bytes]:
    """Yield the stream in pieces, each cut just before the last ``<`` or ``>`` of its bytes.

    A reference lies inside one tag and never contains ``<`` or ``>``, so such a cut never
    splits it. Bytes without either (one giant text or attribute) are kept and joined to the
    next block until a cut is found; the sheet's size was already checked against
    ``MAX_SHEET_BYTES``, which bounds that case.
    """
    tail = b""
    while True:
        block = stream.read(_CHUNK)
        if not block:
            if tail:
                yield tail
            return
        data = tail + block
        cut = max(data.rfind(b"<"), data.rfind(b">"))
        if cut <= 0:
            tail = data
            continue
        yield data[:cut]
        tail = data[cut:]


def sheet_extent(data: bytes | Iterable[bytes]) -> SheetExtent:
    """Return the bound of a worksheet's XML (whole, or as pieces from ``xml_pieces``): no cell lies beyond it."""
    scan = _Scan()
    for piece in ([data] if isinstance(data, bytes) else data):
        scan.feed(piece)
    rows = max(99_999, scan.rows)
    columns = max(26, scan.columns)
    corner_rows = scan.rows or rows
    corner_columns = scan.columns or columns
    return SheetExtent(rows, columns, f"{column_letters(min(corner_columns, 1 << 20))}{corner_rows}",
                       scan.error_cells)


class _Scan:
    """The largest row (past 99,999) and column (past Z) referenced so far, found piece by piece.

    Rather than matching every reference (a 400,000-row sheet has twelve million), each piece is
    searched only for a reference *larger* than the largest seen, with a pattern built from that
    number; a sheet's rows come in order, so after the first hit the piece's last row is taken as
    the new bound and the search goes on from there: a piece usually costs two searches. A piece
    that keeps raising the bound (cells out of order) is matched reference by reference instead.
    """

    _HITS = 64  # raises of the bound in one piece before it is matched reference by reference

    def __init__(self) -> None:
        self.rows = 0  # 0: nothing past 99,999
        self.columns = 0  # 0: nothing past Z
        self._row_pattern = re.compile(rb'r="[A-Z]*0*(?:[1-9]\d{5,})"')
        self._column_pattern = re.compile(rb'r="[A-Z]{2,}\d')
        self.error_cells = False

    def feed(self, piece: bytes) -> None:
        if not (self._raise(piece, rows=True) and self._raise(piece, rows=False)):
            self._match_all(piece)
        # A quoted lone e is rare in a sheet, so the literal search (fast) almost never hands
        # the piece to the pattern; a cut never splits a tag's attributes (see xml_pieces).
        if not self.error_cells and (b'"e"' in piece or b"'e'" in piece):
            self.error_cells = _ERROR_CELL.search(piece) is not None

    def _raise(self, piece: bytes, *, rows: bool) -> bool:
        """Raise the row (or column) bound by the references of ``piece`` past it; False when
        the piece raised it too often to be searched this way."""
        position = 0
        for _ in range(self._HITS):
            hit = (self._row_pattern if rows else self._column_pattern).search(piece, position)
            if hit is None:
                return True
            letters, digits = _REF.match(piece, hit.start()).groups()
            if rows:
                row = int(digits)
                last = _LAST_ROW.search(piece, piece.rfind(b"<row ")) if b"<row " in piece else None
                if last is not None and int(last.group(1)) > row:
                    row = int(last.group(1))  # the piece's last row: rows come in order
                self._set_rows(row)
            else:
                self._set_columns(letters)
            position = hit.end()
        return False

    def _match_all(self, piece: bytes) -> None:
        for letters, digits in _BIG_REF.findall(piece):
            row = int(digits)
            if row > 99_999 and row > self.rows:
                self._set_rows(row)
            if len(letters) >= 2:
                self._set_columns(letters)

    def _set_rows(self, row: int) -> None:
        if row > self.rows:
            self.rows = row
            self._row_pattern = re.compile(rb'r="[A-Z]*0*' + _greater_number(row) + b'"')

    def _set_columns(self, letters: bytes) -> None:
        column = _column_number(letters) if len(letters) < 5 else 1 << 30
        if column > self.columns:
            self.columns = column
            if column < 1 << 20:
                self._column_pattern = re.compile(rb'r="' + _greater_letters(letters) + rb"\d")
            else:
                self._column_pattern = re.compile(rb'r="[A-Z]{5,}\d')


_REF = re.compile(rb'r="([A-Z]*)(\d+)"')
_ERROR_CELL = re.compile(rb"""<(?:[A-Za-z_][\w.-]*:)?c\s[^>]*?\bt\s*=\s*["']e["']""")
_LAST_ROW = re.compile(rb'<row [^>]*?\br="(\d+)"')


def _greater(token: bytes, first: int, last: int, longer: bytes) -> bytes:
    """Return a pattern matching what comes after ``token`` among tokens of the characters
    ``first``..``last`` ordered by length, then character by character: ``longer`` (any longer
    token), or one as long that is larger at some position."""
    options = [longer]
    for i in range(len(token)):
        if token[i] != last:
            rest = len(token) - i - 1
            options.append(token[:i] + b"[%c-%c]" % (token[i] + 1, last) + (b"[%c-%c]{%d}" % (first, last, rest)
                                                                             if rest else b""))
    return b"(?:" + b"|".join(options) + b")"


def _greater_number(number: int) -> bytes:
    """Return a pattern matching the decimal numbers greater than ``number`` (no leading zeros)."""
    digits = str(number).encode()
    return _greater(digits, ord("0"), ord("9"), rb"[1-9]\d{%d,}" % len(digits))


def _greater_letters(letters: bytes) -> bytes:
    """Return a pattern matching the column letters after ``letters`` (AF … AZ, BA …, AAA … for AE)."""
    return _greater(letters, ord("A"), ord("Z"), rb"[A-Z]{%d,}" % (len(letters) + 1))


class _Prefixed:
    """A read-only stream giving ``head`` and then the rest of ``stream``."""

    def __init__(self, head: bytes, stream: IO[bytes]) -> None:
        self._head, self._stream = head, stream

    def read(self, size: int) -> bytes:
        if self._head:
            head, self._head = self._head, b""
            return head + self._stream.read(max(size - len(head), 0))
        return self._stream.read(size)


_ZIP_ERRORS = (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError, ValueError, EOFError, zlib.error)


def _read_sheet(path: str | Path, sheet: str | None, read: Callable[[IO[bytes]], _T]) -> _T | None:
    """Return ``read`` of the named (or first) worksheet's XML stream; None when the file is not a
    zip or names no worksheet. Raises ``InputError`` when the XML is larger than ``MAX_SHEET_BYTES``."""
    try:
        with zipfile.ZipFile(path) as archive:
            member = sheet_member(archive, sheet)
            if member is None:
                return None
            try:
                info = archive.getinfo(member)
            except KeyError:
                return None
            if info.file_size > MAX_SHEET_BYTES:
                raise MESSAGES.error(InputError, "sheet-too-large", path=str(path), megabytes=info.file_size >> 20,
                                     limit_megabytes=MAX_SHEET_BYTES >> 20)
            with archive.open(info) as stream:
                return read(stream)
    except _ZIP_ERRORS:
        return None


def declared_extent(path: str | Path, sheet: str | None = None) -> SheetExtent | None:
    """Return the extent the named (or first) worksheet declares in its head (``<dimension>``; 0
    rows and columns when it declares none), without scanning its cells: error cells are not
    looked for (``error_cells`` False). None when the file is not a zip or names no worksheet.

    Raises ``InputError`` when the sheet's XML is larger than ``MAX_SHEET_BYTES``, as
    ``check_xlsx_extent`` does. A declared range can be wrong either way: it only tells
    whether the sheet must be scanned before it is read.
    """
    head = _read_sheet(path, sheet, lambda stream: stream.read(_HEAD))
    if head is None:
        return None
    declared = _DECLARED.search(head)
    if declared is None:
        if b"sheetData" not in head and len(head) == _HEAD:
            # A head longer than the room left for it: the range may come later; assume the worst.
            return SheetExtent(1 << 20, 1 << 14, "XFD1048576")
        return SheetExtent(0, 0, "A1")
    letters, digits = declared.group(1).upper(), declared.group(2)
    columns = _column_number(letters) if len(letters) < 5 else 1 << 30
    return SheetExtent(int(digits), columns, f"{letters.decode()}{digits.decode()}")


#: A merged range as the sheet's XML writes it (``<mergeCell ref="O2:O3"/>``), any prefix.
_MERGED = re.compile(rb"""<(?:[A-Za-z_][\w.-]*:)?mergeCell\s[^>]*?\bref\s*=\s*["']\$?([A-Z]{1,3})\$?(\d{1,7}):"""
                     rb"""\$?([A-Z]{1,3})\$?(\d{1,7})["']""")
#: Merged ranges read from one sheet at most (a sheet declaring more is not the clerk's table).
MAX_MERGED = 10_000


def merged_ranges(path: str | Path, sheet: str | None = None) -> list[tuple[int, int, int, int]]:
    """Return the merged ranges of the named (or first) worksheet of an .xlsx as ``(first row,
    first column, last row, last column)``, 1-based, at most ``MAX_MERGED``; an empty list when
    the file is no .xlsx or names no worksheet.

    They are listed after the cells, so the whole sheet is read, a piece at a time: only to
    explain a problem, never to read the rows. Raises ``InputError`` when the sheet's XML is
    larger than ``MAX_SHEET_BYTES``, as reading it did.
    """
    def scan(stream: IO[bytes]) -> list[tuple[int, int, int, int]]:
        found: list[tuple[int, int, int, int]] = []
        for piece in xml_pieces(stream):
            for m in _MERGED.finditer(piece):
                found.append((int(m[2]), _column_number(m[1]), int(m[4]), _column_number(m[3])))
                if len(found) >= MAX_MERGED:
                    return found
        return found

    return _read_sheet(path, sheet, scan) or []


#: A cell whose first child is a formula (``<f>``, before its ``<v>``, as the schema orders them):
#: its reference and the formula's text (none for a shared formula's other cells, which hold
#: only ``<f t="shared" si="0"/>``). The pattern begins with the tag so the engine skips ahead.
_FORMULA_CELL = re.compile(
    rb"""<(?:[A-Za-z_][\w.-]*:)?c\s[^>]*?\br\s*=\s*["']\$?([A-Z]{1,3})\$?(\d{1,7})["'][^>]*(?<!/)>\s*"""
    rb"""<(?:[A-Za-z_][\w.-]*:)?f\b[^>]*?(?:/>|>([^<]*)<)""")
#: Where the last cell of a piece begins, to keep it for the next piece (it may be cut there).
_CELL_START = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c\s")
#: The end of a piece looked at for its last cell and row: more than a cell's tag and formula.
_CELL_TAIL = 1 << 16


def formula_cells(path: str | Path, sheet: str | None, cells: Iterable[tuple[int, int]]) -> dict[tuple[int, int], str]:
    """Return, of ``cells`` (``(row, column)``, 1-based) of the named (or first) worksheet of an
    .xlsx, those that hold a formula, each with its text as Excel shows it (``=A2+10``; ``""``
    for a shared formula's cell other than the first, whose text the first holds); an empty dict
    when there is none, or the file is no .xlsx or names no worksheet.

    The sheet is read a piece at a time up to the last row of ``cells``: only to explain a
    problem, never to read the rows. Raises ``InputError`` when the sheet's XML is larger than
    ``MAX_SHEET_BYTES``, as reading it did.
    """
    wanted = set(cells)
    if not wanted:
        return {}
    last_row = max(row for row, _ in wanted)

    def scan(stream: IO[bytes]) -> dict[tuple[int, int], str]:
        found: dict[tuple[int, int], str] = {}
        carry = b""
        for piece in xml_pieces(stream):
            data = carry + piece
            for m in _FORMULA_CELL.finditer(data):
                at = (int(m[2]), _column_number(m[1]))
                if at in wanted:
                    text = html.unescape(m[3].decode("utf-8", "replace")) if m[3] else ""
                    found[at] = f"={text}" if text else ""
            # A cell cut by the piece's end is matched again with the next piece.
            starts = [m.start() for m in _CELL_START.finditer(data, max(0, len(data) - _CELL_TAIL))]
            carry = data[starts[-1]:] if starts else b""
            rows = _LAST_ROW.findall(data[-_CELL_TAIL:])
            if rows and int(rows[-1]) > last_row or len(found) == len(wanted):
                break
        return found

    return _read_sheet(path, sheet, scan) or {}


#: An error cell (``t="e"``) with its attributes and value, a formula before it or not: the pattern
#: begins with the tag, and its look-ahead passes over every other cell at the tag.
_ERROR_VALUE = re.compile(
    rb"""<(?:[A-Za-z_][\w.-]*:)?c\s(?=[^>]*?\bt\s*=\s*["']e["'])([^>]*?)(?<!/)>\s*"""
    rb"""(?:<(?:[A-Za-z_][\w.-]*:)?f\b[^>]*?(?:/>|>[^<]*</(?:[A-Za-z_][\w.-]*:)?f>)\s*)?"""
    rb"""<(?:[A-Za-z_][\w.-]*:)?v>([^<]*)<""")
_REF_ATTRIBUTE = re.compile(rb"""\br\s*=\s*["']\$?([A-Z]{1,3})\$?(\d{1,7})["']""")


def error_cells(path: str | Path, sheet: str | None) -> dict[int, dict[int, str]] | None:
    """Return the error cells (``#N/A``, ``#REF!`` …) of the named (or first) worksheet of an .xlsx:
    row number -> {column index (0-based) -> the error's text}; empty when it has none or is no
    .xlsx. None when an error cell names no reference (a program's sheet of positional cells):
    only a reader of every cell can place it.

    One pass over the sheet's XML, a piece at a time, matched only in pieces holding a quoted
    ``e``. Raises ``InputError`` when the XML is larger than ``MAX_SHEET_BYTES``.
    """
    def scan(stream: IO[bytes]) -> tuple[dict[int, dict[int, str]], bool]:
        found: dict[int, dict[int, str]] = {}
        carry = b""
        for piece in xml_pieces(stream):
            data = carry + piece
            if b'"e"' in data or b"'e'" in data:
                for m in _ERROR_VALUE.finditer(data):
                    ref = _REF_ATTRIBUTE.search(m[1])
                    if ref is None:
                        return found, False
                    found.setdefault(int(ref[2]), {})[_column_number(ref[1]) - 1] = html.unescape(
                        m[2].decode("utf-8", "replace")).strip()
            # A cell cut by the piece's end is matched again with the next piece.
            starts = [m.start() for m in _CELL_START.finditer(data, max(0, len(data) - _CELL_TAIL))]
            carry = data[starts[-1]:] if starts else b""
        return found, True

    scanned = _read_sheet(path, sheet, scan)
    if scanned is None:
        return {}
    found, placed = scanned
    return found if placed else None


def check_xlsx_extent(path: str | Path, sheet: str | None = None) -> SheetExtent | None:
    """Refuse a worksheet too large to read before any reader allocates it.

    Returns the extent found (None when the file is not a zip or names no worksheet: the
    reader then reports what is wrong). Raises ``InputError`` naming the file, the sheet's
    far corner and what to do, when the sheet spans more than ``MAX_CELLS`` cells or its XML
    is larger than ``MAX_SHEET_BYTES``.
    """
    def scan(stream: IO[bytes]) -> tuple[bytes, SheetExtent]:
        head = stream.read(4096)
        return head, sheet_extent(xml_pieces(_Prefixed(head, stream)))

    scanned = _read_sheet(path, sheet, scan)
    if scanned is None:
        return None
    head, extent = scanned
    if extent.cells > MAX_CELLS:
        declared = _DIMENSION.search(head)
        said = f"{declared.group(2).decode()}{declared.group(3).decode()}" if declared else None
        raise MESSAGES.error(InputError, "sheet-too-many-cells", path=str(path), corner=extent.corner, declared=said,
                             rows=extent.rows, columns=extent.columns, limit=MAX_CELLS)
    return extent
