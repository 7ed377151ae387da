"""Worksheet rows decoded straight from the .xlsx file, so a large sheet is never held whole.

python-calamine, docgen's Excel reader, builds a worksheet's whole cell range in Rust memory
before it hands out the first row: 740 MB for a 400,000-loan ledger of 31 columns, 410 MB for
200,000 batch rows of 22 (its ``iter_rows`` walks that range; its maintainers leave a lazy
reader out because pyo3 cannot hand out an iterator borrowing from the workbook).
python-calamine-plus is a fork of it that adds ``stream_sheet_by_*``: rows decoded from the
compressed sheet as they are asked for, through the same calamine cell conversion (shared and
inline strings, booleans, numbers, dates and durations by the workbook's number formats and its
1900 or 1904 epoch, the same refusals of impossible dates). Measured on this machine it reads a
400,000-loan ledger in 4.0 s of CPU at a peak of 111 MB, where python-calamine takes 5.3 s and
740 MB. openpyxl's read-only mode streams too, but took 10.1 s for 100,000 rows (python-calamine
1.3 s); a parser of our own over the sheet's XML would be slower still in Python, and would
have to redo calamine's date rules. The fork is young (0.2), which is why its rows are checked
against python-calamine's in the tests and why python-calamine stays for everything else. An
.xls is read by python-calamine too, its error cells only from the fork's rows, which alone tell
them from empty ones (``tabular._with_error_texts``): its other cells not, the second difference
below is in an .xls too.

Its rows differ from python-calamine's in two things only, found by reading every built-in
number format and several dozen custom ones (Chinese dates, eras, durations, fills, colours,
conditions) with both (``tests/core/test_xlsxstream.py`` keeps checking it):

- an error cell (``#N/A``, ``#DIV/0!`` …) comes as its text, where python-calamine gives an
  empty cell, and the text cannot be told from a cell holding those characters;
- the East-Asian built-in date formats (ids 27–36 and 50–58, which a workbook names without
  defining them) are not dates to it, so such a date comes as its serial number.

So a sheet is streamed only when neither occurs (``streams_alike``): no cell of it uses a cell
format with one of those date formats (looked for, in one pass over the sheet, only in a
workbook whose styles have such a format), and it has no error cell. Error cells are not looked
for before: an error cell comes as one of the seven ``ERROR_TEXTS`` (calamine refuses any other
error value, both readers alike), so the reader (``docgen.core.tabular``) watches the streamed
cells it uses for those texts and only when one appears scans the sheet (``docgen.core.xlsxbounds``)
to tell an error cell from typed text (a scan set off by the sheet's bound tells it as well); a
sheet with error cells is then read by python-calamine again from the first row of the block being
read when it was found (the rows before are the same either way). Any other sheet is read by
python-calamine as before. Rows from the stream start at column A; a row ends at its last stored
cell, or at the column the sheet's ``<dimension>`` declares.
"""
from __future__ import annotations

import importlib.util
import re
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from docgen.core.xlsxbounds import SheetExtent, part_name, sheet_member, xml_pieces

__all__ = ["EAST_ASIAN_DATE_FORMATS", "ERROR_TEXTS", "fork_installed", "open_stream", "streams_alike"]

#: Built-in number formats python-calamine reads as dates and the stream as plain numbers.
EAST_ASIAN_DATE_FORMATS = frozenset(range(27, 37)) | frozenset(range(50, 59))
#: What the stream gives for an error cell (python-calamine an empty cell); a text cell may hold them too.
ERROR_TEXTS = frozenset({"#N/A", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!"})

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_STYLES_TYPE = "/styles"
# An installation made before the stream became a dependency still reads, as before, with
# python-calamine (holding the sheet whole) until it is installed again.
_STREAMING = importlib.util.find_spec("python_calamine_plus") is not None


def fork_installed() -> bool:
    """Return whether python-calamine-plus is installed (an installation made before it became a
    dependency has python-calamine only)."""
    return _STREAMING


def streams_alike(path: str | Path, sheet: str | None, extent: SheetExtent | None) -> bool:
    """Return True when the stream gives exactly python-calamine's rows for the named (or first) sheet.

    ``extent`` is what ``check_xlsx_extent`` found for the sheet, or what ``declared_extent``
    read from its head (whose ``error_cells`` is False: the reader then watches the rows for
    ``ERROR_TEXTS``); None: not a readable .xlsx, left to python-calamine, which reports what is
    wrong. False when the sheet has error cells or cells in an East-Asian built-in date format,
    when the workbook cannot be read here, or when python-calamine-plus is not installed.
    """
    if extent is None or extent.error_cells or not _STREAMING:
        return False
    try:
        with zipfile.ZipFile(path) as archive:
            styles = _east_asian_date_styles(archive)
            if not styles:
                return True
            member = sheet_member(archive, sheet)
            if member is None:
                return False
            # Cells of those styles, attribute written in any of XML's ways (s="4", s = '4').
            uses = re.compile(rb"""<(?:[A-Za-z_][\w.-]*:)?c\s[^>]*?\bs\s*=\s*["'](?:%s)["']"""
                              % b"|".join(b"%d" % index for index in sorted(styles)))
            with archive.open(member) as stream:
                return not any(uses.search(piece) for piece in xml_pieces(stream))
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError, NotImplementedError, ValueError, EOFError,
            zlib.error, ElementTree.ParseError):
        return False


def _east_asian_date_styles(archive: zipfile.ZipFile) -> set[int]:
    """Return the indexes of the workbook's cell formats whose number format is an East-Asian
    built-in date (none without a styles part). Raises ``ElementTree.ParseError`` when the
    part is not XML."""
    member = _styles_member(archive)
    if member is None:
        return set()
    styles = ElementTree.fromstring(archive.read(member))
    found = set()
    for index, xf in enumerate(styles.iterfind(f"{{{_MAIN}}}cellXfs/{{{_MAIN}}}xf")):
        number = (xf.get("numFmtId") or "0").strip()
        if number.isdigit() and int(number) in EAST_ASIAN_DATE_FORMATS:
            found.add(index)
    return found


def _styles_member(archive: zipfile.ZipFile) -> str | None:
    """The zip member of the workbook's styles part (from the workbook's relationships), or None."""
    try:
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except KeyError:
        return None
    for relation in rels.iterfind(f"{{{_RELS}}}Relationship"):
        if (relation.get("Type") or "").endswith(_STYLES_TYPE):
            member = part_name(relation.get("Target") or "")
            return member if member in archive.NameToInfo else None
    return None


def open_stream(path: str | Path, sheet: str | None) -> tuple[list[str], Any]:
    """Open the workbook for streaming: return its sheet names and a function giving the row
    iterator of the named sheet (the first when ``sheet`` is None).

    Raises what python-calamine-plus raises for a file it cannot open (the caller words it).
    """
    from python_calamine_plus import CalamineWorkbook

    workbook = CalamineWorkbook.from_path(str(path))

    def rows() -> Iterator[list[Any]]:
        # The workbook is kept alive by this closure for as long as its rows are read.
        if sheet is not None:
            return iter(workbook.stream_sheet_by_name(sheet))
        return iter(workbook.stream_sheet_by_index(0))

    return list(workbook.sheet_names), rows
