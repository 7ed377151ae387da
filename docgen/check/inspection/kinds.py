"""Per-kind checks: whether a file of a sniffed kind opens, its pages, encryption and signature.

A plainly sound PDF is read from its raw bytes (``docgen.check.inspection.rawpdf``); any
other PDF is opened with pypdf for the page count, encryption and signature fields; Office and
image files get cheap structural checks. ``inspect_bytes`` runs in the calling process without
bounds: ``docgen.check.inspection.pool`` runs it in bounded workers for untrusted files.
``inspect_bytes_quickly`` runs only the checks that are bounded by construction (the raw PDF
reading, the image and OLE2 walks, a small Office zip's directory) and answers None for a file
that needs more, which then goes to a worker.
With pypdf, PDF pages are counted by walking the page tree through pypdf's object access, which is
several times cheaper than building pypdf's flattened page list and still proves every leaf
is a page.
"""
from __future__ import annotations

import hashlib
import io
import os
import re
import struct
import zipfile
import zlib
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from docgen.check.inspection.rawpdf import sound_pdf_pages
from docgen.core.sniff import (
    INTERCHANGEABLE, OLE_MAGIC, extension_kind, foreign_format, sniff_kind, utf16,
)
from docgen.check.messages import FILES
from docgen.core.wording import reason_of

__all__ = ["FileInfo", "file_info", "inspect_bytes", "inspect_bytes_quickly"]

@dataclass
class FileInfo:
    """What the checker sees in one file.

    ``kind`` is one of ``KINDS``, from content. ``pages`` is known for PDFs (and DOCX when
    the document records it, TIFF per image). ``encrypted`` is True only when a user
    password is needed to open the file. ``problem`` is a finding code (``empty-file``,
    ``unreadable``, ``encrypted``, ``wrong-type``) or None; ``reason`` says which check found it
    (``pdf-no-eof``, ``timeout`` …) and ``facts`` the values involved; ``detail`` and
    ``detail_en`` are their Chinese and English wording (``docgen.check.messages.FILES``).
    """

    path: str
    kind: str
    size: int
    sha256: str
    pages: int | None = None
    encrypted: bool = False
    readable: bool = True
    signed: bool = False
    problem: str | None = None
    detail: str = ""
    detail_en: str = ""
    reason: str = ""
    facts: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def json_fields(cls) -> list[str]:
        """Return the keys of ``to_dict``: every field but ``reason`` and ``facts`` (library-only)."""
        return [f.name for f in fields(cls) if f.name not in ("reason", "facts")]

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form: the report's ``files`` fields plus readable, signed, problem, details."""
        data = asdict(self)
        return {name: data[name] for name in self.json_fields()}


def file_info(path: str, kind: str, size: int, sha256: str, *, problem: str | None = None, reason: str = "",
              facts: dict[str, Any] | None = None, **fields: Any) -> FileInfo:
    """Return a ``FileInfo``; a ``problem`` is worded from its ``reason`` and ``facts``."""
    facts = dict(facts or {})
    if problem is None:
        return FileInfo(path, kind, size, sha256, **fields)
    return FileInfo(path, kind, size, sha256, problem=problem, reason=reason, facts=facts,
                    detail=FILES.text(reason, facts), detail_en=FILES.text(reason, facts, "en"), **fields)


#: A per-kind check's answer: (pages, encrypted, signed, problem, reason, facts).
_Result = tuple[int | None, bool, bool, str | None, str, dict[str, Any]]


def _ok(pages: int | None = None, signed: bool = False) -> _Result:
    return pages, False, signed, None, "", {}


def _bad(reason: str, pages: int | None = None, /, **facts: Any) -> _Result:
    return pages, False, False, "unreadable", reason, facts


def _locked(reason: str, **facts: Any) -> _Result:
    return None, True, False, "encrypted", reason, facts


def _check_pdf(data: bytes, quick: bool = False) -> _Result | None:
    """Return the check of a PDF; ``quick``: None when pypdf would be needed."""
    tail = data[-2048:]
    if b"%%EOF" not in tail:
        return _bad("pdf-no-eof")
    pages = sound_pdf_pages(data)
    if pages is not None:
        return _ok(pages)  # what pypdf finds in such a file, read without it
    if quick:
        return None
    # Imported only now: a bundle of plainly sound PDFs never pays for it (~150 ms).
    import pypdf
    from pypdf import PasswordType

    try:
        reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
    except Exception as exc:  # pypdf raises many types on hostile input
        return _bad("pdf-damaged", error=reason_of(exc))
    try:
        if reader.is_encrypted:
            try:
                result = reader.decrypt("")
            except Exception as exc:  # unsupported handler or missing AES backend
                return _locked("pdf-undecryptable", error=reason_of(exc))
            if result == PasswordType.NOT_DECRYPTED:
                # Without the password pypdf reads no object at all, page count included.
                return _locked("pdf-password")
        declared = _declared_count(reader)
        pages = _count_pages_fast(reader, data)
        if pages is None or pages != declared:
            pages = _count_pages(reader)  # the full walk names what is wrong
        if pages == 0:
            return _bad("pdf-no-pages", 0)
        if declared is not None and declared != pages:
            return _bad("pdf-page-tree", pages, declared=declared, readable=pages)
        return _ok(pages, _has_signature(reader))
    except _PageTreeError as exc:
        return _bad("pdf-pages-unreadable", error=FILES.text(exc.code, exc.facts),
                    error_en=FILES.text(exc.code, exc.facts, "en"))
    except Exception as exc:
        return _bad("pdf-pages-unreadable", error=reason_of(exc))


class _PageTreeError(ValueError):
    """The page tree loops, or holds a node that is neither /Pages nor /Page: ``code`` (a
    ``page-tree/…`` wording of ``FILES``) and ``facts`` say which, in either language."""

    def __init__(self, code: str, **facts: Any) -> None:
        super().__init__(code)
        self.code = code
        self.facts = facts


def _count_pages(reader: Any) -> int:
    """Count the leaves of the page tree, checking each node's type and refusing cycles.

    Raises ``_PageTreeError`` (or pypdf's own errors) on a damaged tree.
    """
    stack = [reader.trailer["/Root"].raw_get("/Pages")]
    seen: set[int] = set()
    pages = 0
    while stack:
        ref = stack.pop()
        idnum = getattr(ref, "idnum", None)
        if idnum is not None:
            if idnum in seen:
                raise _PageTreeError("page-tree/cycle")
            seen.add(idnum)
        node = ref.get_object()
        kind = node.get("/Type") if hasattr(node, "get") else None
        if kind == "/Page":
            pages += 1
        elif kind == "/Pages":
            kids = node.raw_get("/Kids") if "/Kids" in node else []
            stack.extend(reversed(kids.get_object()))
        else:
            raise _PageTreeError("page-tree/bad-node", node=kind or type(node).__name__)
    return pages


_OBJ_END = b"endobj"
_PEEK_LIMIT = 65536
_TYPE_PAGES = re.compile(rb"/Type\s*/Pages(?![A-Za-z0-9])")
_TYPE_PAGE = re.compile(rb"/Type\s*/Page(?![A-Za-z0-9])")
# A page dictionary as PDF tokens (names, numbers, references, brackets, simple strings and
# hex strings, keywords): a leaf whose bytes are not all such tokens is parsed by pypdf.
_END = rb"(?=[\s/<>\[\]()%{}]|$)"  # a token ends at a delimiter: one way to split the bytes
_DICT_TOKENS = re.compile(
    rb"(?:\s|/[^\s/<>\[\]()%{}]*" + _END + rb"|[-+]?(?:\d+(?:\.\d*)?|\.\d+)" + _END
    + rb"|(?:R|true|false|null)" + _END + rb"|<<|>>|\[|\]|\((?:[^()\\]|\\.)*\)|<[0-9A-Fa-f\s]*>)*"
)


def _well_formed_dict(body: bytes) -> bool:
    """True when ``body`` is one ``<< … >>`` made only of PDF tokens with balanced brackets."""
    text = body.strip()
    if not (text.startswith(b"<<") and text.endswith(b">>")) or not _DICT_TOKENS.fullmatch(text):
        return False
    depth = 0
    for token in re.finditer(rb"<<|>>|\[|\]|\((?:[^()\\]|\\.)*\)|<[0-9A-Fa-f\s]*>", text):
        kind = token.group()
        if kind in (b"<<", b"["):
            depth += 1
        elif kind in (b">>", b"]"):
            depth -= 1
            if depth < 0:
                return False
        if depth == 0 and token.end() != len(text):
            return False  # the outer dictionary closed before the end
    return depth == 0


def _peek_type(data: bytes, offsets: dict[int, int], ref: Any) -> str | None:
    """Return ``/Page`` when the raw bytes of object ``ref`` are a well-formed page dictionary
    (no parsing), else ``None``: the caller then parses it (an intermediate ``/Pages`` node,
    an object in an object stream, a long or unusual object, damage)."""
    offset = offsets.get(ref.idnum)
    if offset is None:
        return None
    head = f"{ref.idnum} {ref.generation} obj".encode()
    if not data.startswith(head, offset):
        return None
    end = data.find(_OBJ_END, offset, offset + _PEEK_LIMIT)
    if end < 0:
        return None
    body = data[offset + len(head):end]
    if _TYPE_PAGES.search(body) or not _well_formed_dict(body):
        return None  # /Pages nodes are parsed anyway; a doubtful leaf too
    return "/Page" if _TYPE_PAGE.search(body) else None


def _count_pages_fast(reader: Any, data: bytes) -> int | None:
    """Count the page tree's leaves parsing only its ``/Pages`` nodes; return ``None`` when in doubt.

    A leaf's type is read from its raw bytes at its cross-reference offset instead of parsing
    its whole dictionary (resources, annotations), which is most of pypdf's time on long
    documents. Any doubt (an object it cannot peek at, a repeated node, a node of another
    type) returns ``None`` so the caller falls back to ``_count_pages``, which also checks the
    result against the declared ``/Count``.
    """
    try:
        offsets = dict(reader.xref.get(0, {}))  # plain (uncompressed) objects of generation 0
        stack = [reader.trailer["/Root"].raw_get("/Pages")]
        seen: set[int] = set()
        pages = 0
        while stack:
            ref = stack.pop()
            node = ref.get_object()
            if not hasattr(node, "get") or node.get("/Type") != "/Pages":
                return None
            for kid in node.raw_get("/Kids").get_object() if "/Kids" in node else []:
                idnum = getattr(kid, "idnum", None)
                if idnum is None or idnum in seen or kid.generation != 0:
                    return None
                seen.add(idnum)
                if _peek_type(data, offsets, kid) == "/Page":
                    pages += 1
                    continue
                kind = kid.get_object().get("/Type") if hasattr(kid.get_object(), "get") else None
                if kind == "/Pages":
                    stack.append(kid)
                elif kind == "/Page":
                    pages += 1
                else:
                    return None
        return pages
    except Exception:  # anything unusual: the full walk decides
        return None


def _declared_count(reader: Any) -> int | None:
    try:
        count = reader.trailer["/Root"]["/Pages"]["/Count"]
        return int(count)
    except Exception:
        return None


def _has_signature(reader: Any) -> bool:
    """Return True when an AcroForm field of type /Sig carries a value (an applied signature)."""
    try:
        form = reader.trailer["/Root"].get("/AcroForm")
        if form is None:
            return False
        fields = form.get_object().get("/Fields") or []
    except Exception:
        return False
    stack = [(f, None, 0) for f in fields]
    seen: set[int] = set()
    while stack:
        ref, inherited_ft, depth = stack.pop()
        if depth > 32 or len(seen) > 10_000:
            break
        key = getattr(ref, "idnum", None) or id(ref)
        if key in seen:
            continue
        seen.add(key)
        try:
            node = ref.get_object()
            ft = node.get("/FT", inherited_ft)
            if ft == "/Sig" and node.get("/V") is not None:
                return True
            for kid in node.get("/Kids") or []:
                stack.append((kid, ft, depth + 1))
        except Exception:
            continue
    return False


def _check_office_zip(data: bytes, kind: str, quick: bool = False) -> _Result | None:
    """Return the check of a .docx or .xlsx; ``quick``: None when its main part is compressed
    otherwise than deflated (a slower decompressor runs in a worker only)."""
    main = "word/document.xml" if kind == "docx" else "xl/workbook.xml"
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            try:
                info = zf.getinfo(main)
            except KeyError:
                return _bad("office-part-missing", kind=kind, main=main)
            if info.flag_bits & 0x1:
                return _locked("office-encrypted", kind=kind)
            if quick and info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                return None
            if info.file_size > 64 * 1024 * 1024 or \
                    (info.file_size > 1024 * 1024 and info.file_size > 100 * max(info.compress_size, 1)):
                return _bad("office-zip-bomb", kind=kind, main=main, size=info.file_size)
            zf.read(main)  # decompress and verify its CRC: a damaged body shows up here
            pages = None
            if kind == "docx" and "docProps/app.xml" in zf.namelist():
                app = zf.getinfo("docProps/app.xml")
                if app.file_size < 1024 * 1024:
                    m = re.search(rb"<Pages>(\d+)</Pages>", zf.read(app))
                    pages = int(m.group(1)) if m else None
            return _ok(pages)
    except (zipfile.BadZipFile, ValueError, EOFError, OSError, NotImplementedError, zlib.error) as exc:
        return _bad("office-damaged", kind=kind, error=reason_of(exc))


def _check_zip(data: bytes) -> _Result:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            zf.infolist()
        return _ok()
    except (zipfile.BadZipFile, ValueError, EOFError, OSError, NotImplementedError) as exc:
        return _bad("zip-damaged", error=reason_of(exc))


def _check_ole(data: bytes, kind: str) -> _Result:
    if len(data) < 1024:
        return _bad("ole-short")
    shift = struct.unpack_from("<H", data, 30)[0]
    if shift not in (9, 12):
        return _bad("ole-header")
    sector = 1 << shift
    first_dir = struct.unpack_from("<I", data, 48)[0]
    offset = (first_dir + 1) * sector
    if offset + 128 > len(data):
        return _bad("ole-truncated")
    if not data[offset:offset + 20].startswith(utf16("Root Entry")):
        return _bad("ole-directory")
    return _ok()


def _check_jpeg(data: bytes) -> _Result:
    # Walk the marker segments up to the scan, then require an end-of-image marker after it.
    i = 2
    n = len(data)
    while i + 4 <= n:
        if data[i] != 0xFF:
            return _bad("jpeg-damaged")
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            i += 2
            continue
        length = struct.unpack_from(">H", data, i + 2)[0]
        if marker == 0xDA:  # start of scan: entropy-coded data follows
            if data.rfind(b"\xff\xd9", i + 2 + length) == -1:
                return _bad("jpeg-no-eoi")
            return _ok(1)
        if marker == 0xD9:
            break
        i += 2 + length
    return _bad("jpeg-no-data")


def _check_png(data: bytes) -> _Result:
    i = 8
    n = len(data)
    while i + 8 <= n:
        length, ctype = struct.unpack_from(">I4s", data, i)
        i += 12 + length
        if ctype == b"IEND":
            return _ok(1) if i <= n else _bad("png-truncated")
    return _bad("png-no-iend")


def _check_tiff(data: bytes) -> _Result:
    n = len(data)
    end = "<" if data[:2] == b"II" else ">"
    if data[2:4] in (b"+\x00", b"\x00+"):
        return _ok()  # BigTIFF: header recognised; deeper checks not worth the code here
    offset = struct.unpack_from(end + "I", data, 4)[0]
    pages = 0
    seen: set[int] = set()
    while offset:
        if offset in seen or pages > 10_000:
            return _bad("tiff-loop")
        seen.add(offset)
        if offset + 2 > n:
            return _bad("tiff-directory-past-end")
        count = struct.unpack_from(end + "H", data, offset)[0]
        if offset + 2 + 12 * count + 4 > n:
            return _bad("tiff-truncated")
        tags: dict[int, list[int]] = {}
        for k in range(count):
            tag, typ, cnt, val = struct.unpack_from(end + "HHI4s", data, offset + 2 + 12 * k)
            if tag in (273, 279, 324, 325):  # strip/tile offsets and byte counts
                tags[tag] = _tiff_values(data, end, typ, cnt, val)
        for off_tag, len_tag in ((273, 279), (324, 325)):
            offs, lens = tags.get(off_tag, []), tags.get(len_tag, [])
            for o, ln in zip(offs, lens):
                if o + ln > n:
                    return _bad("tiff-data-past-end")
        pages += 1
        offset = struct.unpack_from(end + "I", data, offset + 2 + 12 * count)[0]
    return _ok(pages or None)


def _tiff_values(data: bytes, end: str, typ: int, cnt: int, val: bytes) -> list[int]:
    fmt = {3: "H", 4: "I"}.get(typ)
    if fmt is None or cnt > 1_000_000:
        return []
    size = struct.calcsize(fmt) * cnt
    if size <= 4:
        return list(struct.unpack_from(end + fmt * cnt, val))
    off = struct.unpack_from(end + "I", val)[0]
    if off + size > len(data):
        return [len(data) + 1]  # the array itself is past the end: truncated
    return list(struct.unpack_from(end + fmt * cnt, data, off))


def inspect_bytes(path: str, data: bytes) -> FileInfo:
    """Inspect ``data`` (the content of ``path``) in this process and return its ``FileInfo``.

    Unbounded: callers facing untrusted files use ``inspect_bundle``/``inspect_path``, which
    run this in a bounded worker.
    """
    info = _inspect(path, data, hashlib.sha256(data).hexdigest(), quick=False)
    assert info is not None  # only a quick inspection declines
    return info


def inspect_bytes_quickly(path: str, data: bytes, digest: str) -> FileInfo | None:
    """Return the ``FileInfo`` ``inspect_bytes`` would return for ``data`` (whose SHA-256 is
    ``digest``), or None when that needs a check that is not bounded by construction.

    Bounded in time and memory by the size of ``data`` whatever its content, so it may run
    outside a worker: plainly sound PDFs (read without pypdf), JPEG, PNG and OLE2 walks, text,
    and Office or zip files whose central directory is at most ``_QUICK_ZIP_DIRECTORY`` bytes
    (an Office file's main part is decompressed only up to the 64 MB the check allows).
    None for anything else: a PDF pypdf must read, a TIFF, a larger or ZIP64 archive.
    """
    return _inspect(path, data, digest, quick=True)


#: Largest zip central directory read outside a worker (a .docx has a few KB).
_QUICK_ZIP_DIRECTORY = 1024 * 1024


def _small_zip(data: bytes) -> bool:
    """True when ``data``'s end-of-central-directory record announces a directory of at most
    ``_QUICK_ZIP_DIRECTORY`` bytes and no ZIP64 extension (``zipfile`` then builds at most a
    few tens of thousands of entries); False when it cannot tell."""
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 65557))
    if end < 0 or end + 22 > len(data) or data.rfind(b"PK\x06\x07", max(0, end - 20), end) >= 0:
        return False
    entries, directory, offset = struct.unpack_from("<2xHLL", data, end + 8)
    return entries != 0xFFFF and offset != 0xFFFFFFFF and directory <= _QUICK_ZIP_DIRECTORY


def _inspect(path: str, data: bytes, digest: str, quick: bool) -> FileInfo | None:
    size = len(data)
    if size == 0:
        return file_info(path, "unknown", 0, digest, readable=False, problem="empty-file", reason="empty")
    if quick and data[:2] == b"PK" and not _small_zip(data):
        return None  # sniffing opens the zip directory
    try:
        kind = sniff_kind(data)
    except Exception:  # sniffing opens zip directories; a hostile one is simply unrecognised
        kind = "unknown"
    expected = extension_kind(path)
    result: _Result | None
    try:
        result = _verdict(path, data, kind, expected, quick)
    except Exception as exc:  # a damaged file must never crash the checker: it is unreadable
        result = _bad("damaged", error=reason_of(exc))
    if result is None:
        return None  # a quick inspection declined
    if result[1] and expected in ("docx", "xlsx") and data.startswith(OLE_MAGIC):
        kind = expected  # a password-protected Office 2007+ file is an OLE2 container
    pages, enc, signed, problem, reason, facts = result
    if problem is None and expected is not None and kind != expected and \
            not any({kind, expected} <= group for group in INTERCHANGEABLE):
        problem, reason, facts = "wrong-type", "wrong-type", {"kind": kind, "ext": os.path.splitext(path)[1]}
    readable = problem not in ("unreadable", "encrypted", "empty-file")
    return file_info(path, kind, size, digest, pages=pages, encrypted=enc, readable=readable, signed=signed,
                     problem=problem, reason=reason, facts=facts)


def _verdict(path: str, data: bytes, kind: str, expected: str | None, quick: bool = False) -> _Result | None:
    """Return the per-kind check of ``data`` (sniffed as ``kind``, named as ``expected``);
    ``quick``: None when the check is not bounded by construction (see ``inspect_bytes_quickly``)."""
    result: _Result | None
    if kind == "pdf":
        result = _check_pdf(data, quick)
    elif kind in ("docx", "xlsx"):
        result = _check_office_zip(data, kind, quick)
    elif data.startswith(OLE_MAGIC):  # .doc/.xls, or an unrecognised OLE2 container
        if utf16("EncryptedPackage") in data:
            # An Office 2007+ document with an open password is stored as an OLE2 container.
            result = _locked("office-password")
        else:
            result = _check_ole(data, kind)
    elif kind == "jpg":
        result = _check_jpeg(data)
    elif kind == "png":
        result = _check_png(data)
    elif kind == "tiff":
        result = None if quick else _check_tiff(data)  # its directories may chain for long
    elif kind == "zip":
        opened = _check_zip(data)
        result = opened
        if opened[3] is None and expected in ("docx", "xlsx"):
            # Opens as a zip but lacks the main part: a broken or fake Office file.
            main = "word/document.xml" if expected == "docx" else "xl/workbook.xml"
            result = _bad("not-office", expected=expected, main=main)
    elif kind == "unknown" and expected is not None and foreign_format(data[:64]) is not None:
        # A real file of another format (an iPhone HEIC photo named .jpg): the wrong type,
        # not a damaged one, so the message tells the client what to convert.
        result = (None, False, False, "wrong-type", "foreign-type",
                  {"format": foreign_format(data[:64]), "ext": os.path.splitext(path)[1]})
    elif kind == "unknown" and expected is not None and expected != "text":
        result = _bad("unrecognised", expected=expected)
    else:
        result = _ok()
    return result
