"""A fast, conservative page counter for plain PDFs, used before falling back to pypdf.

pypdf parses every page dictionary to count pages (about 0.2 ms a page), and importing it
costs about 150 ms; a 2,000-page bundle must be checked in well under a second. Most
client PDFs (scanner output, reportlab, cairo, office exports) are "plain": not encrypted,
with a classic cross-reference table or a cross-reference stream (PDF 1.5+, objects possibly
packed in Flate-compressed object streams). For those this module reads the cross-reference
data and walks the page tree: the trailer, the catalog and the ``/Pages`` nodes are checked
token by token; a leaf is located where the xref says (object number and generation),
checked to be a well-formed ``/Type /Page`` dictionary, and not parsed further.

It is conservative: ``scan`` returns None whenever the file is anything but plain or
anything does not add up (leaf count differs from the root's ``/Count``, a cycle, a bad
offset, a malformed dictionary), and the caller then asks pypdf, which decides. It never
declares a file broken.
"""
from __future__ import annotations

import re
import zlib
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
_COUNT = re.compile(rb"/Count\s+(\d+)(?![.\d])")
_END_NAME = rb"(?=[\x00\t\n\x0c\r /<>\[\]()%]|$)"
_TYPE_PAGES = re.compile(rb"/Type\s*/Pages" + _END_NAME)
_TYPE_PAGE = re.compile(rb"/Type\s*/Page" + _END_NAME)
_TYPE_CATALOG = re.compile(rb"/Type\s*/Catalog" + _END_NAME)
_SIZE = re.compile(rb"/Size\s+(\d+)(?![.\d])")
_TYPE_XREF = re.compile(rb"/Type\s*/XRef" + _END_NAME)
_TYPE_OBJSTM = re.compile(rb"/Type\s*/ObjStm" + _END_NAME)
_W = re.compile(rb"/W\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s*\]")
_INDEX = re.compile(rb"/Index\s*\[([\d\s]*)\]")
_LENGTH = re.compile(rb"/Length\s+(\d+)(?![.\d])(\s+\d+\s+R)?")
_FILTER = re.compile(rb"/Filter\s*(?:/FlateDecode|\[\s*/FlateDecode\s*\])" + _END_NAME)
_PREDICTOR = re.compile(rb"/Predictor\s+(\d+)(?![.\d])")
_COLUMNS = re.compile(rb"/Columns\s+(\d+)(?![.\d])")
_N = re.compile(rb"/N\s+(\d+)(?![.\d])")
_FIRST = re.compile(rb"/First\s+(\d+)(?![.\d])")
_COMMENT = re.compile(rb"%[^\r\n]*")
_STREAM_KEYWORD = re.compile(rb"stream(?:\r\n|\n)")
_PARMS = re.compile(rb"/DecodeParms\s*<<([^<>]*)>>")
# One token of a dictionary of the trailer or page tree. Literal strings with nested
# parentheses are not matched: the file is then left to pypdf, never failed. Tokens are
# removed with one ``sub`` (linear time, C speed); any byte left over is not a token.
# Never wrap this in ``(...)*`` and ``fullmatch``: that backtracks exponentially.
_TOKEN = re.compile(
    rb"[\x00\t\n\x0c\r ]+"
    rb"|/[!-'*-.0-;=?-Z\\^-z|~]+"          # a name: regular characters, no delimiters
    rb"|<<|>>|\[|\]"
    rb"|[-+]?(?:\d+(?:\.\d*)?|\.\d+)"
    rb"|R(?![A-Za-z])|true|false|null"
    rb"|\((?:[^()\\]|\\[\s\S])*\)"
    rb"|<[0-9A-Fa-f\x00\t\n\x0c\r ]*>"
)


def _well_formed(text: bytes) -> bool:
    # Comments (reportlab writes one in its trailer) run to the end of the line and may hide
    # brackets; counted without them. A literal string holding "%" or brackets upsets this
    # rough count: such rare files simply go to pypdf.
    text = _COMMENT.sub(b"", text)
    return (text.count(b"[") == text.count(b"]") and text.count(b"<<") == text.count(b">>")
            and not _TOKEN.sub(b"", text))

_MAX_OBJECT = 1 << 20     # a page-tree dictionary is never near 1 MB
_MAX_STREAM = 16 << 20    # decoded xref or object stream; larger ones go to pypdf
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

    def __init__(self) -> None:
        super().__init__()
        #: object number -> (object stream number, index) for objects packed in object streams
        self.compressed: dict[int, tuple[int, int]] = {}
        #: object stream number -> (its decoded content, [(object number, offset)], first)
        self.streams: dict[int, tuple[bytes, list[tuple[int, int]], int]] = {}


def scan(data: bytes) -> PdfFacts | None:
    """Return the facts of a plain, consistent PDF, or None when pypdf must look at it."""
    try:
        return _scan(data)
    except (_NotPlain, ValueError, IndexError, RecursionError, zlib.error):
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
    # Signature fields hang from the catalog's /AcroForm. Without object streams every
    # dictionary is in the clear, so no "/Sig" anywhere also rules them out.
    may_sign = b"/AcroForm" in catalog and (bool(xref.compressed) or b"/Sig" in data)
    return PdfFacts(count, may_sign)


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
            # A cross-reference stream (PDF 1.5+).
            trailer = _read_xref_stream(data, pos, xref, decided)
            if root is None:
                rm = _ROOT.search(trailer)
                if rm is not None:
                    root = (int(rm.group(1)), int(rm.group(2)))
            pm = _PREV.search(trailer)
            pos = int(pm.group(1)) if pm else None
            continue
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


def _read_xref_stream(data: bytes, at: int, xref: _Xref, decided: set[int]) -> bytes:
    """Record the entries of the cross-reference stream at ``at``; return its dictionary."""
    head, content = _stream(data, at, xref)
    if not _TYPE_XREF.search(head) or b"/Encrypt" in head:
        raise _NotPlain
    w, size = _W.search(head), _SIZE.search(head)
    if w is None or size is None:
        raise _NotPlain
    widths = [int(x) for x in w.groups()]
    step = sum(widths)
    if step == 0 or widths[1] == 0 or max(widths) > 8:
        raise _NotPlain
    im = _INDEX.search(head)
    index = [int(x) for x in im.group(1).split()] if im else [0, int(size.group(1))]
    if len(index) % 2:
        raise _NotPlain
    if sum(index[1::2]) * step != len(content):
        raise _NotPlain  # rows do not line up with /W and /Index
    own = _OBJ.match(data, at)
    own_ref = (int(own.group(1)), int(own.group(2))) if own else None
    pos = 0
    for first, n in zip(index[::2], index[1::2]):
        if pos + n * step > len(content):
            raise _NotPlain
        for k in range(n):
            fields = []
            for width in widths:
                fields.append(int.from_bytes(content[pos:pos + width], "big"))
                pos += width
            kind = fields[0] if widths[0] else 1
            num = first + k
            if num in decided:
                continue
            decided.add(num)
            if kind == 1:
                xref[num] = (fields[1], fields[2])
            elif kind == 2:
                xref.compressed[num] = (fields[1], fields[2])
            elif kind != 0:
                raise _NotPlain
    if own_ref is None or xref.get(own_ref[0]) != (at, own_ref[1]):
        raise _NotPlain  # a cross-reference stream lists itself where it stands
    return head


def _stream(data: bytes, at: int, xref: _Xref) -> tuple[bytes, bytes]:
    """Return (dictionary, decoded content) of the stream object at ``at``.

    Only unfiltered or Flate streams with no predictor or the PNG Up/Sub predictors are
    decoded here (what writers use for xref and object streams); others are pypdf's.
    """
    m = _OBJ.match(data, at)
    if m is None:
        raise _NotPlain
    key = _STREAM_KEYWORD.search(data, m.end(), m.end() + 65536)
    if key is None:
        raise _NotPlain
    head = data[m.end():key.start()].strip(_WS)
    if not (head.startswith(b"<<") and head.endswith(b">>")) or not _well_formed(head):
        raise _NotPlain
    lm = _LENGTH.search(head)
    if lm is None or lm.group(2):
        raise _NotPlain  # an indirect /Length
    length = int(lm.group(1))
    raw = data[key.end():key.end() + length]
    if len(raw) != length or not data[key.end() + length:key.end() + length + 32].lstrip(_WS).startswith(b"endstream"):
        raise _NotPlain
    if b"/Filter" in head:
        if not _FILTER.search(head):
            raise _NotPlain
        inflater = zlib.decompressobj()
        content = inflater.decompress(raw, _MAX_STREAM)
        if inflater.unconsumed_tail or not inflater.eof:
            raise _NotPlain  # too big, or cut short before its checksum
    else:
        content = raw
    xref.budget -= len(content) + length
    if xref.budget < 0:
        raise _NotPlain
    parms = _PARMS.search(head)
    if (parms is None) != (b"/DecodeParms" not in head) or \
            (parms is None and (b"/Predictor" in head or b"/Columns" in head)):
        raise _NotPlain  # decode parameters that are not a plain dictionary
    pm = _PREDICTOR.search(parms.group(1)) if parms else None
    predictor = int(pm.group(1)) if pm else 1
    if 10 <= predictor <= 15:
        cm = _COLUMNS.search(parms.group(1))  # type: ignore[union-attr]
        content = _unpredict_png(content, int(cm.group(1)) if cm else 1)
    elif predictor != 1:
        raise _NotPlain
    return head, content


def _unpredict_png(content: bytes, columns: int) -> bytes:
    """Undo the PNG row predictors None, Sub and Up (one byte per sample, as in xref streams)."""
    row_len = columns + 1
    if columns <= 0 or len(content) % row_len:
        raise _NotPlain
    out = bytearray()
    prev = bytearray(columns)
    for start in range(0, len(content), row_len):
        kind = content[start]
        row = bytearray(content[start + 1:start + row_len])
        if kind == 1:
            for k in range(1, columns):
                row[k] = (row[k] + row[k - 1]) & 0xFF
        elif kind == 2:
            row = bytearray((a + b) & 0xFF for a, b in zip(row, prev))
        elif kind != 0:
            raise _NotPlain
        out += row
        prev = row
    return bytes(out)


def _compressed(data: bytes, xref: _Xref, num: int) -> bytes:
    """Return the text of object ``num`` packed in an object stream."""
    stm, index = xref.compressed[num]
    if stm not in xref.streams:
        entry = xref.get(stm)
        if entry is None or entry[1] != 0:
            raise _NotPlain
        m = _OBJ.match(data, entry[0])
        if m is None or int(m.group(1)) != stm or int(m.group(2)) != 0:
            raise _NotPlain
        head, content = _stream(data, entry[0], xref)
        n, first = _N.search(head), _FIRST.search(head)
        if not _TYPE_OBJSTM.search(head) or n is None or first is None:
            raise _NotPlain
        numbers = [int(x) for x in content[:int(first.group(1))].split()]
        if len(numbers) != 2 * int(n.group(1)):
            raise _NotPlain
        pairs = list(zip(numbers[::2], numbers[1::2]))
        xref.streams[stm] = (content, pairs, int(first.group(1)))
    content, pairs, first_at = xref.streams[stm]
    if index >= len(pairs) or pairs[index][0] != num:
        raise _NotPlain
    start = first_at + pairs[index][1]
    end = first_at + pairs[index + 1][1] if index + 1 < len(pairs) else len(content)
    if not first_at <= start <= end <= len(content):
        raise _NotPlain
    return content[start:end]


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
    if ref[0] in xref.compressed:
        if ref[1] != 0:
            raise _NotPlain  # objects in object streams always have generation 0
        body = _compressed(data, xref, ref[0])
        xref.budget -= len(body)
    else:
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
        body = data[m.end():end]
    if xref.budget < 0:
        raise _NotPlain
    body = body.strip(_WS)
    # Every object the scan reads is a dictionary: well formed at both ends, brackets
    # balanced (comments, which cairo writes, aside), never a stream. Else pypdf decides.
    bare = _COMMENT.sub(b"", body) if b"%" in body else body
    if not (body.startswith(b"<<") and body.endswith(b">>")) or bare.count(b"<") != bare.count(b">") \
            or bare.count(b"[") != bare.count(b"]") or bare.count(b"(") != bare.count(b")"):
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
        body = _object(data, xref, ref, check_tokens=False)  # tokens checked just below
        kids = _KIDS.search(body)
        if not _well_formed(body):
            raise _NotPlain  # every node, leaves included, is checked token by token
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
