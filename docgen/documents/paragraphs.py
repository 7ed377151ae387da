"""Where a paragraph of a template is: one numbering for ``templates lint`` and render errors.

A part's paragraphs (every ``<w:p>``, in document order) are named as a person finds them in
Word: the n-th paragraph outside tables (``第5段``) or a table cell (``表格1 第2行 第1列``).
Lint reads the part's XML; a render error knows only a line of docxtpl's preprocessed source,
where a ``{%p %}`` paragraph or a ``{%tr %}`` row has given way to its bare tag and an empty
``<w:p/>`` starts no line. ``line_paragraphs`` maps those lines back to the part's paragraphs,
so both name the same paragraph the same way.
"""
from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from typing import Any

from docgen.documents.messages import MESSAGES

__all__ = ["SourcePlaces", "in_part", "line_paragraphs", "mark_paragraphs", "places"]

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# Every paragraph's start tag (not <w:pPr>, <w:proofErr> …), self-closing ones included.
_START = re.compile(r"<w:p(?=[\s>/])[^>]*>")
# A marker cannot occur in XML text (NUL is not an XML character), so none is taken for another.
_LINE_START = re.compile("<w:p[^>]*>\x00(\\d+)\x00")


def places(root: Any) -> list[str]:
    """Return the place of every paragraph of a part's XML ``root`` (lxml), in document order:
    ``第n段`` counting the paragraphs outside tables, or ``表格t 第r行 第c列`` for one in a cell
    (tables numbered in document order, nested ones included)."""
    out: list[str] = []
    tables = list(root.iter(f"{_W}tbl"))  # kept alive: lxml proxies compare by identity
    body_index = 0
    for p in root.iter(f"{_W}p"):
        cell = next(p.iterancestors(f"{_W}tc"), None)
        if cell is None:
            body_index += 1
            out.append(MESSAGES.text("place/paragraph", {"index": body_index}))
            continue
        row = cell.getparent()
        table = next(row.iterancestors(f"{_W}tbl"))
        r = list(table.findall(f"{_W}tr")).index(row) + 1 if row.tag == f"{_W}tr" else 0
        c = [x for x in row if x.tag == f"{_W}tc"].index(cell) + 1
        out.append(MESSAGES.text("place/cell", {"table": tables.index(table) + 1, "row": r, "column": c}))
    return out


def in_part(part: str, place: str) -> str:
    """Return a place in a part as lint and the template errors write it: ``word/document.xml 第5段``."""
    return MESSAGES.text("place/in-part", {"part": part, "place": place})


def mark_paragraphs(xml: str) -> str:
    """Return a part's XML source with each paragraph's ordinal (0-based, document order, as
    ``places`` counts) written just inside its start tag, for ``line_paragraphs`` to read back
    after docxtpl's preprocessing. Not XML any more: for that mapping only."""
    counter = itertools.count()

    def mark(m: re.Match[str]) -> str:
        number = next(counter)
        return m.group(0) if m.group(0).endswith("/>") else f"{m.group(0)}\x00{number}\x00"

    return _START.sub(mark, xml)


def line_paragraphs(marked_source: str) -> list[int | None]:
    """Return, for each line of a preprocessed source made from ``mark_paragraphs``' output (a
    line started at each remaining ``<w:p``, as ``engine.patched_sources`` starts them), the
    ordinal of the paragraph it holds. A line whose paragraph docxtpl merged into the one before
    (``-%}``) belongs to that one; the line before the first paragraph to none."""
    out: list[int | None] = []
    current: int | None = None
    for line in marked_source.split("\n"):
        found = _LINE_START.match(line)
        if found is not None:
            current = int(found.group(1))
        out.append(current)
    return out


@dataclass(frozen=True)
class SourcePlaces:
    """A part's preprocessed source read back to its paragraphs: ``lines`` (``line_paragraphs``)
    and ``places`` (``places`` of the part's XML)."""

    lines: list[int | None]
    places: list[str]

    def at(self, lineno: int | None) -> str | None:
        """Return the place of the paragraph on line ``lineno`` (from 1, as Jinja counts), or None."""
        ordinal = self.lines[lineno - 1] if lineno and 0 < lineno <= len(self.lines) else None
        return self.places[ordinal] if ordinal is not None and ordinal < len(self.places) else None
