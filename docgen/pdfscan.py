"""A fast, conservative page counter for plain PDFs, used before falling back to pypdf.

pypdf parses every page dictionary to count pages (about 0.2 ms a page), and importing it
costs about 150 ms; a 2,000-page bundle must be checked in well under a second. Most
client PDFs (scanner output, reportlab, many office exports) are "plain": a classic
cross-reference table, no encryption, no object streams. For those this module reads the
xref table and walks the page tree touching only the intermediate ``/Pages`` nodes; a leaf
is confirmed by finding its ``N G obj`` header where the xref says and checking it has no
``/Kids``, without parsing it.

It is conservative: ``scan`` returns None whenever the file is anything but plain or
anything does not add up (leaf count differs from the root's ``/Count``, a cycle, a bad
offset), and the caller then asks pypdf, which decides. It never declares a file broken.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["PdfFacts", "scan"]

_XREF = re.compile(rb"xref[ \t]*(?:\r\n|\r|\n)")
_SUBSECTION = re.compile(rb"[ \t\r\n]*(\d+)[ \t]+(\d+)[ \t]*(?:\r\n|\r|\n)")
_ENTRY = re.compile(rb"(\d{10})[ ](\d{5})[ ]([nf])(?:\r\n| \r| \n|\n|\r| )")
_TRAILER = re.compile(rb"[ \t\r\n]*trailer[ \t\r\n]*<<")
_STARTXREF = re.compile(rb"startxref\s+(\d+)\s+%%EOF")
_ROOT = re.compile(rb"/Root\s+(\d+)\s+(\d+)\s+R")
_PREV = re.compile(rb"/Prev\s+(\d+)")
_OBJ = re.compile(rb"[\x00\t\n\x0c\r ]*(\d+)\s+(\d+)\s+obj\b")
_PAGES_REF = re.compile(rb"/Pages\s+(\d+)\s+(\d+)\s+R")
_KIDS = re.compile(rb"/Kids\s*\[([^\]]*)\]")
_REF = re.compile(rb"(\d+)\s+(\d+)\s+R")
_COUNT = re.compile(rb"/Count\s+(\d+)")
_TYPE_PAGES = re.compile(rb"/Type\s*/Pages\b")

_MAX_OBJECT = 1 << 20     # a page-tree dictionary is never near 1 MB
_MAX_DEPTH = 64
_MAX_PAGES = 1_000_000


@dataclass(frozen=True)
class PdfFacts:
    """What the fast scan established: the page count and whether signature fields may exist."""

    pages: int
    may_have_signature: bool


class _NotPlain(Exception):
    """The file is not a plain PDF this scanner handles; pypdf must decide."""


def scan(data: bytes) -> PdfFacts | None:
    """Return the facts of a plain, consistent PDF, or None when pypdf must look at it."""
    try:
        return _scan(data)
    except (_NotPlain, ValueError, IndexError, RecursionError):
        return None


def _scan(data: bytes) -> PdfFacts:
    if not data.startswith(b"%PDF-"):
        raise _NotPlain  # offsets may be shifted by leading junk
    tail_at = data.rfind(b"startxref", max(0, len(data) - 2048))
    m = _STARTXREF.match(data, tail_at) if tail_at >= 0 else None
    if m is None:
        raise _NotPlain
    offsets, root = _read_xref(data, int(m.group(1)))
    catalog = _object(data, offsets, root)
    pm = _PAGES_REF.search(catalog)
    if pm is None:
        raise _NotPlain
    pages_ref = int(pm.group(1))
    top = _object(data, offsets, pages_ref)
    declared = _COUNT.search(top)
    if declared is None:
        raise _NotPlain
    expected = int(declared.group(1))
    count = _count_leaves(data, offsets, pages_ref, expected)
    if count != expected or count == 0:
        raise _NotPlain
    # A signature field is a dictionary with /FT /Sig; with no object streams every
    # dictionary is in the clear, so no "/Sig" anywhere means no signature field.
    return PdfFacts(count, b"/Sig" in data)


def _read_xref(data: bytes, start: int) -> tuple[dict[int, int], int]:
    """Return (object number -> offset, root object number) from the classic xref chain."""
    offsets = _Offsets()
    offsets.budget = 4 * len(data) + (1 << 20)
    root: int | None = None
    seen: set[int] = set()
    pos: int | None = start
    while pos is not None:
        if pos in seen or len(seen) > 64 or pos >= len(data):
            raise _NotPlain
        seen.add(pos)
        m = _XREF.match(data, pos)
        if m is None:
            raise _NotPlain  # a cross-reference stream (PDF 1.5+): pypdf's job
        pos = m.end()
        while True:
            sub = _SUBSECTION.match(data, pos)
            if sub is None:
                break
            first, n = int(sub.group(1)), int(sub.group(2))
            pos = sub.end()
            for k in range(n):
                e = _ENTRY.match(data, pos)
                if e is None:
                    raise _NotPlain
                pos = e.end()
                # Newer sections come first in the chain: an older entry never overrides.
                if e.group(3) == b"n" and first + k not in offsets:
                    offsets[first + k] = int(e.group(1))
        t = _TRAILER.match(data, pos)
        if t is None:
            raise _NotPlain
        end = data.find(b"startxref", t.end())
        trailer = data[t.end(): end if end != -1 else t.end() + 4096]
        if b"/Encrypt" in trailer or b"/XRefStm" in trailer:
            raise _NotPlain  # encryption, or objects hidden in a hybrid xref stream
        if root is None:
            rm = _ROOT.search(trailer)
            if rm is not None:
                root = int(rm.group(1))
        pm = _PREV.search(trailer)
        pos = int(pm.group(1)) if pm else None
    if root is None:
        raise _NotPlain
    return offsets, root


class _Offsets(dict):  # type: ignore[type-arg]
    """Object number -> offset, plus a budget of bytes the scan may search.

    A hostile file can make many leaves point at one huge object; the budget (a few times
    the file size) stops the scan long before the worker's timeout, and pypdf decides.
    """

    budget = 0


def _object(data: bytes, offsets: dict[int, int], num: int) -> bytes:
    """Return the body of object ``num`` (between ``obj`` and ``endobj``)."""
    at = offsets.get(num)
    if at is None:
        raise _NotPlain
    m = _OBJ.match(data, at)
    if m is None or int(m.group(1)) != num:
        raise _NotPlain
    end = data.find(b"endobj", m.end(), m.end() + _MAX_OBJECT)
    if end == -1:
        raise _NotPlain
    if isinstance(offsets, _Offsets):
        offsets.budget -= end - at
        if offsets.budget < 0:
            raise _NotPlain
    body = data[m.end():end]
    if b"stream" in body and b"endstream" in body:
        raise _NotPlain  # a page-tree node is never a stream
    return body


def _count_leaves(data: bytes, offsets: dict[int, int], top: int, expected: int) -> int:
    """Return the number of leaves under ``top``; stops (not plain) once past ``expected``."""
    count = 0
    on_path: set[int] = set()
    # (node number, depth); intermediate nodes are parsed, leaves only located.
    stack: list[tuple[int, int, bool]] = [(top, 0, True)]
    while stack:
        num, depth, enter = stack.pop()
        if not enter:
            on_path.discard(num)
            continue
        if depth > _MAX_DEPTH or num in on_path:
            raise _NotPlain
        body = _object(data, offsets, num)
        kids = _KIDS.search(body)
        if kids is None:
            if b"/Kids" in body or _TYPE_PAGES.search(body):
                raise _NotPlain  # an indirect /Kids array, or a /Pages node without kids
            count += 1
            if count > expected or count > _MAX_PAGES:
                raise _NotPlain
            continue
        on_path.add(num)
        stack.append((num, depth, False))
        refs = [int(r.group(1)) for r in _REF.finditer(kids.group(1))]
        for ref in reversed(refs):
            stack.append((ref, depth + 1, True))
    return count
