"""A fast, conservative page counter for plain PDFs, used before falling back to pypdf.

pypdf parses every page dictionary to count pages (about 0.2 ms a page), and importing it
costs about 150 ms; a 2,000-page bundle must be checked in well under a second. Most
client PDFs (scanner output, reportlab, cairo, many office exports) are "plain": a classic
cross-reference table, no encryption, no object streams. For those this module reads the
xref table and walks the page tree: the trailer, the catalog and the ``/Pages`` nodes are
checked token by token; a leaf is located where the xref says (object number and
generation), checked to be a well-formed ``/Type /Page`` dictionary, and not parsed further.

It is conservative: ``scan`` returns None whenever the file is anything but plain or
anything does not add up (leaf count differs from the root's ``/Count``, a cycle, a bad
offset, a malformed dictionary), and the caller then asks pypdf, which decides. It never
declares a file broken.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["PdfFacts", "scan"]

_WS = b"\x00\t\n\x0c\r "
_XREF = re.compile(rb"xref[ \t]*(?:\r\n|\r|\n)")
_SUBSECTION = re.compile(rb"[\x00\t\n\x0c\r ]*(\d+)[ \t]+(\d+)[ \t]*(?:\r\n|\r|\n)")
_ENTRY = re.compile(rb"(\d{10})[ ](\d{5})[ ]([nf])(?:\r\n| \r| \n|\n|\r| )")
_TRAILER = re.compile(rb"[\x00\t\n\x0c\r ]*trailer[\x00\t\n\x0c\r ]*(?=<<)")
_STARTXREF = re.compile(rb"startxref\s+(\d+)\s+%%EOF")
_ROOT = re.compile(rb"/Root\s+(\d+)\s+(\d+)\s+R")
_PREV = re.compile(rb"/Prev\s+(\d+)")
_OBJ = re.compile(rb"[\x00\t\n\x0c\r ]*(\d+)\s+(\d+)\s+obj\b")
_PAGES_REF = re.compile(rb"/Pages\s+(\d+)\s+(\d+)\s+R")
_KIDS = re.compile(rb"/Kids\s*\[([^\]]*)\]")
_REF = re.compile(rb"(\d+)\s+(\d+)\s+R")
_COUNT = re.compile(rb"/Count\s+(\d+)")
_END_NAME = rb"(?=[\x00\t\n\x0c\r /<>\[\]()%]|$)"
_TYPE_PAGES = re.compile(rb"/Type\s*/Pages" + _END_NAME)
_TYPE_PAGE = re.compile(rb"/Type\s*/Page" + _END_NAME)
_TYPE_CATALOG = re.compile(rb"/Type\s*/Catalog" + _END_NAME)
_SIZE = re.compile(rb"/Size\s+\d+")
_NOT_PRINTABLE = re.compile(rb"[^\t\n\x0c\r -~]")
# One token of a dictionary of the trailer or page tree. Literal strings with nested
# parentheses are not matched: the file is then left to pypdf, never failed. Tokens are
# removed with one ``sub`` (linear time, C speed); any byte left over is not a token.
# Never wrap this in ``(...)*`` and ``fullmatch``: that backtracks exponentially.
_TOKEN = re.compile(
    rb"[\x00\t\n\x0c\r ]+"
    rb"|%[^\r\n]*"
    rb"|/[!-'*-.0-;=?-Z\\^-z|~]*"          # a name: regular characters, no delimiters
    rb"|<<|>>|\[|\]"
    rb"|[-+]?(?:\d+(?:\.\d*)?|\.\d+)"
    rb"|R(?![A-Za-z])|true|false|null"
    rb"|\((?:[^()\\]|\\[\s\S])*\)"
    rb"|<[0-9A-Fa-f\x00\t\n\x0c\r ]*>"
)


def _well_formed(text: bytes) -> bool:
    # Brackets inside a literal string would upset the count: such a file goes to pypdf.
    return text.count(b"[") == text.count(b"]") and not _TOKEN.sub(b"", text)

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


class _Xref(dict):  # type: ignore[type-arg]
    """Object number -> (offset, generation), plus a budget of bytes the scan may search.

    A hostile file can make many leaves point at one huge object; the budget (a few times
    the file size) stops the scan long before the worker's timeout, and pypdf decides.
    """

    budget = 0


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
    m = _STARTXREF.match(data, tail_at) if tail_at > 0 else None
    if m is None or data[tail_at - 1] not in _WS:
        raise _NotPlain
    xref, root = _read_xref(data, int(m.group(1)))
    catalog = _object(data, xref, root)
    pm = _PAGES_REF.search(catalog)
    if pm is None or not _TYPE_CATALOG.search(catalog):
        raise _NotPlain
    top = (int(pm.group(1)), int(pm.group(2)))
    declared = _COUNT.search(_object(data, xref, top))
    if declared is None:
        raise _NotPlain
    expected = int(declared.group(1))
    count = _count_leaves(data, xref, top, expected)
    if count != expected or count == 0:
        raise _NotPlain
    # A signature field is a dictionary with /FT /Sig; with no object streams every
    # dictionary is in the clear, so no "/Sig" anywhere means no signature field.
    return PdfFacts(count, b"/Sig" in data)


def _read_xref(data: bytes, start: int) -> tuple[_Xref, tuple[int, int]]:
    """Return the classic xref chain's entries and the root reference (number, generation)."""
    xref = _Xref()
    xref.budget = 4 * len(data) + (1 << 20)
    decided: set[int] = set()  # numbers a newer section already settled (in use or free)
    root: tuple[int, int] | None = None
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
                num = first + k
                if num in decided:
                    continue  # newer sections come first in the chain
                decided.add(num)
                if e.group(3) == b"n":
                    xref[num] = (int(e.group(1)), int(e.group(2)))
        t = _TRAILER.match(data, pos)
        if t is None:
            raise _NotPlain
        trailer = _dictionary(data, t.end())
        if b"/Encrypt" in trailer or b"/XRefStm" in trailer:
            raise _NotPlain  # encryption, or objects hidden in a hybrid xref stream
        if not seen - {start} and not _SIZE.search(trailer):
            raise _NotPlain  # the newest trailer must say /Size
        if root is None:
            rm = _ROOT.search(trailer)
            if rm is not None:
                root = (int(rm.group(1)), int(rm.group(2)))
        pm = _PREV.search(trailer)
        pos = int(pm.group(1)) if pm else None
    if root is None:
        raise _NotPlain
    return xref, root


def _dictionary(data: bytes, at: int) -> bytes:
    """Return the well-formed dictionary starting at ``at`` (the trailer), else not plain."""
    depth, i, n = 0, at, min(len(data), at + 65536)
    while i < n:
        if data.startswith(b"<<", i):
            depth += 1
            i += 2
        elif data.startswith(b">>", i):
            depth -= 1
            i += 2
            if depth == 0:
                text = data[at:i]
                if not _well_formed(text):
                    raise _NotPlain
                return text
        else:
            i += 1
    raise _NotPlain


def _object(data: bytes, xref: _Xref, ref: tuple[int, int], check_tokens: bool = True) -> bytes:
    """Return the dictionary that is object ``ref``, else not plain."""
    entry = xref.get(ref[0])
    if entry is None or entry[1] != ref[1]:
        raise _NotPlain
    at = entry[0]
    m = _OBJ.match(data, at)
    if m is None or int(m.group(1)) != ref[0] or int(m.group(2)) != ref[1]:
        raise _NotPlain
    end = data.find(b"endobj", m.end(), m.end() + _MAX_OBJECT)
    if end == -1:
        raise _NotPlain
    xref.budget -= end - at
    if xref.budget < 0:
        raise _NotPlain
    body = data[m.end():end].strip(_WS)
    # Every object the scan reads is a dictionary: well formed at both ends, brackets
    # balanced, never a stream. Anything else is left to pypdf.
    if not (body.startswith(b"<<") and body.endswith(b">>")) or body.count(b"<") != body.count(b">") \
            or body.count(b"[") != body.count(b"]") or body.count(b"(") != body.count(b")"):
        raise _NotPlain
    if b"stream" in body or (check_tokens and not _well_formed(body)):
        raise _NotPlain
    return body


def _count_leaves(data: bytes, xref: _Xref, top: tuple[int, int], expected: int) -> int:
    """Return the number of leaves under ``top``; stops (not plain) once past ``expected``."""
    count = 0
    on_path: set[tuple[int, int]] = set()
    stack: list[tuple[tuple[int, int], int, bool]] = [(top, 0, True)]
    while stack:
        ref, depth, enter = stack.pop()
        if not enter:
            on_path.discard(ref)
            continue
        if depth > _MAX_DEPTH or ref in on_path:
            raise _NotPlain
        body = _object(data, xref, ref, check_tokens=False)
        kids = _KIDS.search(body)
        # Intermediate nodes are checked token by token. Leaves are many: a cheaper check
        # (printable ASCII only, brackets balanced in _object) keeps 2,000 pages fast.
        if (not _well_formed(body)) if kids is not None else _NOT_PRINTABLE.search(body):
            raise _NotPlain
        if kids is None:
            if b"/Kids" in body or _TYPE_PAGES.search(body) or not _TYPE_PAGE.search(body):
                raise _NotPlain  # an indirect /Kids array, a /Pages node without kids, or no /Type /Page
            count += 1
            if count > expected or count > _MAX_PAGES:
                raise _NotPlain
            continue
        if not _TYPE_PAGES.search(body):
            raise _NotPlain  # a node with kids must say it is a /Pages node
        on_path.add(ref)
        stack.append((ref, depth, False))
        refs = [(int(r.group(1)), int(r.group(2))) for r in _REF.finditer(kids.group(1))]
        if _REF.sub(b"", kids.group(1)).strip(_WS):
            raise _NotPlain  # something other than references in /Kids
        for kid in reversed(refs):
            stack.append((kid, depth + 1, True))
    return count
