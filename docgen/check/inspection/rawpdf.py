"""A PDF's page count read from its raw bytes, without pypdf, when its structure is plainly sound.

Most PDFs a client sends are written in one go by one program: a classic cross-reference
table, a trailer, a catalog and a page tree of plain dictionaries. For such a file the page
count, the absence of encryption and of signature fields can be read from the bytes directly,
which spares importing pypdf (most of a check's time on a bundle not seen before) and a
worker process. ``sound_pdf_pages`` vouches only for that narrow, well-formed case, where
pypdf would read exactly the same objects (every object used starts with its own
``N G obj`` header at its cross-reference offset, every dictionary is made of PDF tokens and
nothing else); anything else -- an incremental update, a cross-reference stream, encryption,
an /AcroForm, an escaped name, a nested string bracket, a repeated key, a page count that does
not match -- returns ``None`` and pypdf decides as before, so its findings and wording stay the
only ones.

It is bounded by construction, so it may run on a hostile file outside a worker process: one
pass over the cross-reference table, each object read at most once and within
``_OBJECT_LIMIT`` bytes, a total scanned no larger than twice the file, no recursion deeper
than ``_MAX_DEPTH``, and no data decompressed.
"""
from __future__ import annotations

import re
from typing import Any, NamedTuple

__all__ = ["sound_pdf_pages"]

#: Longest object body read (a /Pages node listing a few thousand kids fits).
_OBJECT_LIMIT = 256 * 1024
#: Deepest nesting of arrays and dictionaries, and of page-tree levels, followed.
_MAX_DEPTH = 32
#: Most elements in one array or dictionary (pypdf's own limits are far above).
_MAX_ELEMENTS = 50_000
#: Most subsections of the cross-reference table (a single-revision file has one or a few).
_MAX_SECTIONS = 64
#: Most leaf shapes remembered (see ``_leaf_kind``), and the longest one: the memory is kept
#: across files (and requests, in the web service), so it is bounded to 16 MB whatever they hold;
#: a page's own dictionary has a few hundred bytes.
_MEMO_LIMIT = 4096
_MEMO_BODY = 4096

# The end of the file as a single-revision writer leaves it.
_TAIL = re.compile(rb"[\r\n]startxref(?:\r\n|\r|\n)(\d{1,10})(?:\r\n|\r|\n)%%EOF(?:\r\n|\r|\n)?\Z")
_XREF_START = re.compile(rb"xref[ \t]*(?:\r\n|\r|\n)")
_SUBSECTION = re.compile(rb"(\d{1,10}) (\d{1,10})[ \t]*(?:\r\n|\r|\n)")
_ENTRIES = re.compile(rb"(?:\d{10} \d{5} [nf](?: \r| \n|\r\n))*")
_ENTRY = re.compile(rb"(\d{10}) (\d{5}) ([nf])")
_TRAILER = re.compile(rb"[ \t\r\n]*trailer[ \t\r\n]")
_ZEROS = bytes.maketrans(b"123456789", b"000000000")

# PDF tokens, as pypdf reads them in a well-formed file. Whitespace is limited to the four
# characters every reader treats alike; a reference uses single separators (pypdf recognises
# one within a 20-byte look-ahead); a name has no ``#`` escape; strings have no nested brackets.
_DELIM = rb"(?=[ \t\r\n/<>\[\]()%]|\Z)"
# Whitespace and comments before each token; a comment runs to the end of its line (the
# look-ahead leaves one way only to split "%%%…", so no match ever backtracks through them).
_SPACE = rb"(?:[ \t\r\n]|%[^\r\n]*(?![^\r\n]))*"
_TOKEN = re.compile(
    _SPACE + rb"(?:(?P<ref>(?P<num>\d{1,10})[ \t\r\n](?P<gen>\d{1,5})[ \t\r\n]R)" + _DELIM
    + rb"|(?P<int>\d{1,18})" + _DELIM
    + rb"|(?P<real>-?(?:\d{1,18}\.\d{0,18}|\.\d{1,18})|-\d{1,18})" + _DELIM
    + rb"|(?P<name>/[^ \t\r\n\x00\x0b\x0c/<>\[\]()%{}#]*)" + _DELIM
    + rb"|(?P<open><<|\[)"
    + rb"|(?P<close>>>|\])"
    + rb"|(?P<string>\((?:[^()\\]|\\[\s\S])*\)|<[0-9A-Fa-f \t\r\n]*>)"
    + rb"|(?P<word>true|false|null)" + _DELIM + rb")"
)
_TRAILING = re.compile(_SPACE)
# An array of references only (a /Kids array), read in one step: the same tokens as above.
_REF_ARRAY = re.compile(rb"\[((?:[ \t\r\n]*\d{1,10}[ \t\r\n]\d{1,5}[ \t\r\n]R(?=[ \t\r\n\]]))*)[ \t\r\n]*\]")
_REF = re.compile(rb"(\d+)[ \t\r\n](\d+)")


class _Ref(NamedTuple):
    num: int
    gen: int


class _Doubt(Exception):
    """The bytes are not the plain case: pypdf decides."""


class _Name(str):
    """A PDF name (``/Type``), told apart from a string value."""


def _parse(body: bytes) -> dict[str, Any]:
    """Return the one dictionary ``body`` holds (whitespace around it only); raises ``_Doubt``."""
    stack: list[Any] = []
    result: Any = None
    done = False
    pos, end = 0, len(body)
    match = _TOKEN.match
    while True:
        m = match(body, pos)
        if m is None:
            if _TRAILING.fullmatch(body, pos):
                break
            raise _Doubt
        pos = m.end()
        kind = m.lastgroup
        if done:
            raise _Doubt  # something after the dictionary
        value: Any
        if kind == "open":
            bracket = m.group(kind)
            refs = _REF_ARRAY.match(body, m.start(kind)) if bracket == b"[" else None
            if refs is not None:
                pos = refs.end()
                value = [_Ref(int(num), int(gen)) for num, gen in _REF.findall(refs.group(1))]
                if len(value) > _MAX_ELEMENTS:
                    raise _Doubt
            else:
                if len(stack) >= _MAX_DEPTH:
                    raise _Doubt
                stack.append({} if bracket == b"<<" else [])
                stack.append(None)  # the key a dictionary waits to fill
                continue
        elif kind == "close":
            if not stack:
                raise _Doubt
            key = stack.pop()
            value = stack.pop()
            if isinstance(value, dict) != (m.group(kind) == b">>") or key is not None:
                raise _Doubt  # mismatched bracket, or a key without its value
        elif kind == "ref":
            value = _Ref(int(m.group("num")), int(m.group("gen")))
        elif kind == "int":
            value = int(m.group(kind))
        elif kind == "name":
            value = _Name(m.group(kind).decode("latin-1"))
        elif kind == "word":
            value = {b"true": True, b"false": False, b"null": None}[m.group(kind)]
        else:  # real or string: kept as raw text, never looked into
            value = (kind, m.group(kind))
        if not stack:
            if not isinstance(value, dict):
                raise _Doubt
            result, done = value, True
            continue
        container, key = stack[-2], stack[-1]
        if isinstance(container, list):
            if len(container) >= _MAX_ELEMENTS:
                raise _Doubt
            container.append(value)
        elif key is None:
            if not isinstance(value, _Name) or value in container or len(container) >= _MAX_ELEMENTS:
                raise _Doubt  # a key must be a name, and said once
            stack[-1] = value
        else:
            container[key] = value
            stack[-1] = None
    if not done or stack:
        raise _Doubt
    return result


class _File:
    """The cross-reference table of a plain PDF, and its objects read through it."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.budget = 2 * len(data)
        tail = _TAIL.search(data, max(0, len(data) - 64))
        if not data.startswith(b"%PDF-") or tail is None:
            raise _Doubt
        start = int(tail.group(1))
        if not 0 < start < tail.start() or data[start - 1:start] not in (b"\r", b"\n", b" ", b"\t"):
            raise _Doubt
        m = _XREF_START.match(data, start)
        if m is None:
            raise _Doubt
        pos = m.end()
        # (first object number, count, where its fixed-width 20-byte entries start)
        self.sections: list[tuple[int, int, int]] = []
        while True:
            sub = _SUBSECTION.match(data, pos)
            if sub is None:
                break
            num, count = int(sub.group(1)), int(sub.group(2))
            if not self.sections and num != 0:
                raise _Doubt  # pypdf renumbers a table that does not start at 0
            pos = sub.end() + 20 * count
            if pos > tail.start() or not _ENTRIES.fullmatch(data, sub.end(), pos):
                raise _Doubt
            self.sections.append((num, count, sub.end()))
            if len(self.sections) > _MAX_SECTIONS:
                raise _Doubt  # each object's lookup goes through them all
        ranges = sorted((num, num + count) for num, count, _ in self.sections)
        if any(a[1] > b[0] for a, b in zip(ranges, ranges[1:])):
            raise _Doubt  # an object listed twice
        trailer = _TRAILER.match(data, pos)
        if not self.sections or trailer is None:
            raise _Doubt
        self.trailer = _parse(data[trailer.end():tail.start() + 1])

    def get(self, ref: Any) -> dict[str, Any]:
        """Return the dictionary object ``ref`` names; raises ``_Doubt`` unless it is plainly one."""
        return _parse(self.body(ref))

    def body(self, ref: Any) -> bytes:
        """Return the bytes between object ``ref``'s header and its ``endobj``."""
        if not isinstance(ref, _Ref):
            raise _Doubt
        for num, count, at in self.sections:
            if num <= ref.num < num + count:
                at += 20 * (ref.num - num)
                break
        else:
            raise _Doubt  # not in the table: pypdf searches the file
        entry = _ENTRY.match(self.data, at)
        if entry is None or entry.group(3) != b"n" or int(entry.group(2)) != ref.gen:
            raise _Doubt  # free, or another generation
        offset = int(entry.group(1))
        head = b"%d %d obj" % ref
        if not self.data.startswith(head, offset):
            raise _Doubt
        start = offset + len(head)
        end = self.data.find(b"endobj", start, start + _OBJECT_LIMIT)
        if end < 0 or self.data[start:start + 1] not in (b" ", b"\t", b"\r", b"\n", b"<"):
            raise _Doubt
        self.budget -= end - start
        if self.budget < 0:
            raise _Doubt
        return self.data[start:end]


_MEMO: dict[bytes, str | None] = {}


def _leaf_kind(body: bytes) -> str | None:
    """Return the ``/Type`` of the dictionary ``body`` (``/Page``, ``/Pages`` …), or None.

    The body is parsed with every digit made ``0``, and the answer remembered per such shape:
    numbers, object numbers, digits inside names and strings only change values (every length
    stays), so the thousands of pages of one document, which differ only by their object
    numbers, are parsed a few times. The one thing zeros change is that keys differing only by
    their digits (``/F1``, ``/F2``) become a repeated key: such a body is doubted, which only
    leaves the file to pypdf. Raises ``_Doubt`` when the body is not a plain dictionary.
    """
    shape = body.translate(_ZEROS)
    try:
        kind = _MEMO[shape]
    except KeyError:
        try:
            node = _parse(shape)
        except _Doubt:
            kind = None
        else:
            value = node.get("/Type")
            kind = str(value) if isinstance(value, _Name) else ""
        if len(_MEMO) < _MEMO_LIMIT and len(shape) <= _MEMO_BODY:
            _MEMO[shape] = kind
    if kind is None:
        raise _Doubt
    return kind


def sound_pdf_pages(data: bytes) -> int | None:
    """Return the page count of ``data`` when it is a plainly sound, unencrypted, unsigned PDF
    whose page tree holds as many pages as its root declares (at least one); else ``None``.

    ``None`` says nothing about the file: pypdf then reads it as before. Never raises.
    """
    try:
        pdf = _File(data)
        trailer = pdf.trailer
        if any(key in trailer for key in ("/Encrypt", "/Prev", "/XRefStm")):
            return None  # encryption, incremental updates, hybrid files: pypdf's to read
        catalog = pdf.get(trailer.get("/Root"))
        if "/AcroForm" in catalog:
            return None  # form fields may hold a signature: pypdf looks
        root = pdf.get(catalog.get("/Pages"))
        declared = root.get("/Count")
        if root.get("/Type") != "/Pages" or type(declared) is not int or declared <= 0:
            return None
        pages = 0
        seen = {catalog["/Pages"].num}
        stack = [(root, 0)]
        while stack:
            node, depth = stack.pop()
            kids = node.get("/Kids")
            if not isinstance(kids, list) or depth > _MAX_DEPTH:
                return None
            for kid in kids:
                if not isinstance(kid, _Ref) or kid.num in seen:
                    return None  # a direct kid, or a node met twice (a cycle, a shared page)
                seen.add(kid.num)
                body = pdf.body(kid)
                kind = _leaf_kind(body)
                if kind == "/Page":
                    pages += 1
                elif kind == "/Pages":
                    stack.append((_parse(body), depth + 1))
                else:
                    return None
        return pages if pages == declared else None
    except Exception:  # noqa: BLE001 - _Doubt, or anything unforeseen: pypdf decides, never this
        return None
