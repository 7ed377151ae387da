"""File inspection: what a file really is, whether it opens, and its fingerprint (DESIGN §5 ``files``).

The kind comes from the content (magic bytes), never from the extension; a mismatch is a
``wrong-type`` problem. PDFs are opened with pypdf for the page count, encryption and
signature fields; Office and image files get cheap structural checks.

A client's file may be hostile (a PDF whose page tree loops, a decompression bomb, a file
crafted to exhaust memory). Every inspection therefore runs in a worker process bounded in
address space (``RLIMIT_AS``) and in time; a worker that times out, runs out of memory or
crashes is replaced, its file is reported ``unreadable`` and the other files go on.
Workers are forked from the parent, so starting them is cheap. PDF pages are counted by
walking the page tree through pypdf's object access, which is several times cheaper than
building pypdf's flattened page list and still proves every leaf is a page.
"""
from __future__ import annotations

import hashlib
import io
import logging
import multiprocessing
import os
import re
import signal
import struct
import time
import warnings
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import asdict, dataclass
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

from docgen.check.bundle import Bundle, ReadSpec, read_spec, sha256_spec
from docgen.core.errors import BundleError

__all__ = [
    "FileInfo",
    "KINDS",
    "extension_kinds",
    "extension_kind",
    "sniff_kind",
    "inspect_bytes",
    "inspect_bundle",
    "inspect_path",
]

#: Every kind a file can be given.
KINDS = ("pdf", "docx", "doc", "xlsx", "xls", "jpg", "png", "tiff", "zip", "text", "unknown")

#: File extension (lower case, with the dot) -> the kind its content should have.
extension_kinds: dict[str, str] = {
    ".pdf": "pdf",
    ".docx": "docx", ".docm": "docx", ".dotx": "docx",
    ".doc": "doc", ".dot": "doc",
    ".xlsx": "xlsx", ".xlsm": "xlsx",
    ".xls": "xls",
    ".jpg": "jpg", ".jpeg": "jpg", ".jpe": "jpg",
    ".png": "png",
    ".tif": "tiff", ".tiff": "tiff",
    ".zip": "zip",
    ".txt": "text", ".csv": "text", ".md": "text", ".yaml": "text", ".yml": "text", ".json": "text",
}

#: Kinds a user cannot tell apart by opening them: Word and Excel open either format under
#: either extension, so a .docx saved as .doc is not reported as the wrong type.
_INTERCHANGEABLE = ({"doc", "docx"}, {"xls", "xlsx"})

_KIND_NAMES = {
    "pdf": "PDF 文件", "docx": "Word 文档(.docx)", "doc": "Word 97-2003 文档(.doc)",
    "xlsx": "Excel 工作簿(.xlsx)", "xls": "Excel 97-2003 工作簿(.xls)", "jpg": "JPEG 图片",
    "png": "PNG 图片", "tiff": "TIFF 图片", "zip": "ZIP 压缩包", "text": "文本文件", "unknown": "无法识别的内容",
}
_KIND_NAMES_EN = {
    "pdf": "PDF file", "docx": "Word document (.docx)", "doc": "Word 97-2003 document (.doc)",
    "xlsx": "Excel workbook (.xlsx)", "xls": "Excel 97-2003 workbook (.xls)", "jpg": "JPEG image",
    "png": "PNG image", "tiff": "TIFF image", "zip": "zip archive", "text": "text file", "unknown": "unrecognised content",
}

#: Test hook: when set, each worker calls it with the file's path before inspecting it. Tests
#: use it to make a worker hang, exhaust its memory or die, proving the pool survives that.
#: Workers are forked, so the hook needs no pickling. Never set in production.
_TEST_HOOK: Callable[[str], None] | None = None


@dataclass
class FileInfo:
    """What the checker sees in one file.

    ``kind`` is one of ``KINDS``, from content. ``pages`` is known for PDFs (and DOCX when
    the document records it, TIFF per image). ``encrypted`` is True only when a user
    password is needed to open the file. ``problem`` is a finding code (``empty-file``,
    ``unreadable``, ``encrypted``, ``wrong-type``) or None; ``detail`` explains it in Chinese
    and ``detail_en`` in English.
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

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form: the report's ``files`` fields plus readable, signed, problem, details."""
        return asdict(self)


def extension_kind(path: str) -> str | None:
    """Return the kind ``path``'s extension promises, or None for an extension we do not know."""
    return extension_kinds.get(os.path.splitext(path)[1].lower())


# ---------------------------------------------------------------------------------------------
# content sniffing


_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _utf16(name: str) -> bytes:
    return name.encode("utf-16-le")


def sniff_kind(data: bytes) -> str:
    """Return the kind of ``data`` from its leading bytes (and, for ZIP/OLE2, its directory)."""
    head = data[:1024]
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
        return "tiff"
    if head.startswith(_OLE_MAGIC):
        return _ole_kind(data) or "unknown"
    if head[:4] in (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08"):
        return _zip_kind(data)
    if b"%PDF-" in head:
        # Some scanners and mail gateways put a few bytes before the header; readers accept it.
        # Checked after the other magics: a stored PDF inside a zip also shows "%PDF-" early.
        return "pdf"
    if head.startswith(b"{\\rtf"):
        # Rich Text: old systems export it under a .doc name and Word opens it as a document.
        return "doc"
    if _foreign_format(head) is not None:
        return "unknown"
    if _looks_like_text(head):
        return "text"
    return "unknown"


#: Formats a client may upload that no checklist item accepts: (test, Chinese name, English name).
_FOREIGN: tuple[tuple[Callable[[bytes], bool], str, str], ...] = (
    (lambda h: h[4:8] == b"ftyp" and h[8:12] in (b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1"),
     "HEIC 图片(苹果手机照片格式)", "HEIC image (iPhone photo format)"),
    (lambda h: h[:6] in (b"GIF87a", b"GIF89a"), "GIF 图片", "GIF image"),
    (lambda h: h[:4] == b"RIFF" and h[8:12] == b"WEBP", "WebP 图片", "WebP image"),
    (lambda h: h[:2] == b"BM" and len(h) >= 26 and h[6:10] == b"\x00\x00\x00\x00", "BMP 图片", "BMP image"),
    (lambda h: h[:6] == b"Rar!\x1a\x07", "RAR 压缩包", "RAR archive"),
    (lambda h: h[:6] == b"7z\xbc\xaf\x27\x1c", "7z 压缩包", "7z archive"),
    (lambda h: h[4:8] == b"ftyp", "视频文件", "video file"),
)


def _foreign_format(head: bytes) -> tuple[str, str] | None:
    """Return (Chinese, English) names of a recognised format outside ``KINDS``, else None."""
    for test, zh, en in _FOREIGN:
        if test(head):
            return zh, en
    return None


def _ole_kind(data: bytes) -> str | None:
    # Directory entry names are UTF-16LE; the main stream's name tells Word from Excel.
    if _utf16("WordDocument") in data:
        return "doc"
    if _utf16("Workbook") in data or _utf16("Book\x00") in data:
        return "xls"
    return None


def _zip_kind(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
    except (zipfile.BadZipFile, ValueError, EOFError, OSError, NotImplementedError, struct.error):
        # A damaged archive: guess from the local header of its first member.
        first = data[30:30 + struct.unpack_from("<H", data, 26)[0]] if len(data) >= 30 else b""
        if first.startswith(b"word/") or b"word/" in data[:4096]:
            return "docx"
        if first.startswith(b"xl/") or b"xl/workbook" in data[:4096]:
            return "xlsx"
        return "zip"
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    return "zip"


def _looks_like_text(head: bytes) -> bool:
    if not head or b"\x00" in head:
        return False
    for enc in ("utf-8", "gb18030"):
        try:
            # The sample may cut a multi-byte character in half at its end.
            head.decode(enc) if len(head) < 1024 else head[:-4].decode(enc)
            return True
        except UnicodeDecodeError:
            continue
    return False


# ---------------------------------------------------------------------------------------------
# per-kind checks; each returns (pages, encrypted, signed, problem, detail, detail_en)

_Result = tuple[int | None, bool, bool, str | None, str, str]


def _ok(pages: int | None = None, signed: bool = False) -> _Result:
    return pages, False, signed, None, "", ""


def _bad(detail: str, detail_en: str, pages: int | None = None) -> _Result:
    return pages, False, False, "unreadable", detail, detail_en


def _locked(detail: str, detail_en: str) -> _Result:
    return None, True, False, "encrypted", detail, detail_en


def _check_pdf(data: bytes) -> _Result:
    tail = data[-2048:]
    if b"%%EOF" not in tail:
        return _bad("PDF 文件不完整(缺少结尾标记 %%EOF),可能上传或复制时被截断",
                    "the PDF is incomplete (no %%EOF end marker); it was probably cut short in upload or copy")
    # Imported only now: a bundle without PDFs never pays for it (~150 ms).
    import pypdf
    from pypdf import PasswordType

    try:
        reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
    except Exception as exc:  # pypdf raises many types on hostile input
        return _bad(f"PDF 结构损坏,无法打开({_short(exc)})", f"the PDF structure is damaged ({_short(exc)})")
    try:
        if reader.is_encrypted:
            try:
                result = reader.decrypt("")
            except Exception as exc:  # unsupported handler or missing AES backend
                return _locked(f"PDF 已加密,无法解密({_short(exc)})",
                               f"the PDF is encrypted and cannot be decrypted ({_short(exc)})")
            if result == PasswordType.NOT_DECRYPTED:
                # Without the password pypdf reads no object at all, page count included.
                return _locked("PDF 设置了打开密码,没有密码无法查看",
                               "the PDF has an open password and cannot be viewed without it")
        declared = _declared_count(reader)
        pages = _count_pages(reader)
        if pages == 0:
            return _bad("PDF 没有任何页面", "the PDF has no pages", 0)
        if declared is not None and declared != pages:
            return _bad(f"PDF 页面树不完整:声明 {declared} 页,实际只能读到 {pages} 页",
                        f"the PDF page tree is incomplete: {declared} pages declared, {pages} readable", pages)
        return _ok(pages, _has_signature(reader))
    except Exception as exc:
        return _bad(f"PDF 页面无法读取({_short(exc)})", f"the PDF pages cannot be read ({_short(exc)})")


class _PageTreeError(ValueError):
    """The page tree loops, or holds a node that is neither /Pages nor /Page."""


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
                raise _PageTreeError("页面树存在循环引用")
            seen.add(idnum)
        node = ref.get_object()
        kind = node.get("/Type") if hasattr(node, "get") else None
        if kind == "/Page":
            pages += 1
        elif kind == "/Pages":
            kids = node.raw_get("/Kids") if "/Kids" in node else []
            stack.extend(reversed(kids.get_object()))
        else:
            raise _PageTreeError(f"页面树中有无效节点({kind or type(node).__name__})")
    return pages


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


def _check_office_zip(data: bytes, kind: str) -> _Result:
    main = "word/document.xml" if kind == "docx" else "xl/workbook.xml"
    label = "Word 文档" if kind == "docx" else "Excel 工作簿"
    label_en = "Word document" if kind == "docx" else "Excel workbook"
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            try:
                info = zf.getinfo(main)
            except KeyError:
                return _bad(f"{label}不完整:缺少 {main}", f"the {label_en} is incomplete: {main} is missing")
            if info.flag_bits & 0x1:
                return _locked(f"{label}已加密", f"the {label_en} is encrypted")
            if info.file_size > 64 * 1024 * 1024 or \
                    (info.file_size > 1024 * 1024 and info.file_size > 100 * max(info.compress_size, 1)):
                return _bad(f"{label}的 {main} 大小异常,疑似压缩炸弹",
                            f"the {label_en}'s {main} has an abnormal size (likely a zip bomb)")
            zf.read(main)  # decompress and verify its CRC: a damaged body shows up here
            pages = None
            if kind == "docx" and "docProps/app.xml" in zf.namelist():
                app = zf.getinfo("docProps/app.xml")
                if app.file_size < 1024 * 1024:
                    m = re.search(rb"<Pages>(\d+)</Pages>", zf.read(app))
                    pages = int(m.group(1)) if m else None
            return _ok(pages)
    except (zipfile.BadZipFile, ValueError, EOFError, OSError, NotImplementedError, zlib.error) as exc:
        return _bad(f"{label}已损坏,无法打开({_short(exc)})", f"the {label_en} is damaged ({_short(exc)})")


def _check_zip(data: bytes) -> _Result:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            zf.infolist()
        return _ok()
    except (zipfile.BadZipFile, ValueError, EOFError, OSError, NotImplementedError) as exc:
        return _bad(f"ZIP 压缩包已损坏({_short(exc)})", f"the zip archive is damaged ({_short(exc)})")


def _check_ole(data: bytes, kind: str) -> _Result:
    if len(data) < 1024:
        return _bad("Office 97-2003 文件不完整(文件过短)", "the Office 97-2003 file is incomplete (too short)")
    shift = struct.unpack_from("<H", data, 30)[0]
    if shift not in (9, 12):
        return _bad("Office 97-2003 文件头损坏", "the Office 97-2003 file header is damaged")
    sector = 1 << shift
    first_dir = struct.unpack_from("<I", data, 48)[0]
    offset = (first_dir + 1) * sector
    if offset + 128 > len(data):
        return _bad("Office 97-2003 文件不完整(目录区超出文件末尾),可能被截断",
                    "the Office 97-2003 file is incomplete (its directory lies past the end); probably truncated")
    if not data[offset:offset + 20].startswith(_utf16("Root Entry")):
        return _bad("Office 97-2003 文件目录损坏", "the Office 97-2003 file directory is damaged")
    return _ok()


def _check_jpeg(data: bytes) -> _Result:
    # Walk the marker segments up to the scan, then require an end-of-image marker after it.
    i = 2
    n = len(data)
    while i + 4 <= n:
        if data[i] != 0xFF:
            return _bad("JPEG 图片结构损坏", "the JPEG structure is damaged")
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
                return _bad("JPEG 图片不完整(缺少结束标记),可能被截断",
                            "the JPEG is incomplete (no end-of-image marker); probably truncated")
            return _ok(1)
        if marker == 0xD9:
            break
        i += 2 + length
    return _bad("JPEG 图片不完整(没有图像数据),可能被截断", "the JPEG is incomplete (no image data); probably truncated")


def _check_png(data: bytes) -> _Result:
    i = 8
    n = len(data)
    while i + 8 <= n:
        length, ctype = struct.unpack_from(">I4s", data, i)
        i += 12 + length
        if ctype == b"IEND":
            return _ok(1) if i <= n else _bad("PNG 图片不完整,可能被截断", "the PNG is incomplete; probably truncated")
    return _bad("PNG 图片不完整(缺少 IEND 块),可能被截断", "the PNG is incomplete (no IEND chunk); probably truncated")


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
            return _bad("TIFF 图片目录成环,结构损坏", "the TIFF directories loop; the file is damaged")
        seen.add(offset)
        if offset + 2 > n:
            return _bad("TIFF 图片不完整(图像目录超出文件末尾),可能被截断",
                        "the TIFF is incomplete (a directory lies past the end); probably truncated")
        count = struct.unpack_from(end + "H", data, offset)[0]
        if offset + 2 + 12 * count + 4 > n:
            return _bad("TIFF 图片不完整,可能被截断", "the TIFF is incomplete; probably truncated")
        tags: dict[int, list[int]] = {}
        for k in range(count):
            tag, typ, cnt, val = struct.unpack_from(end + "HHI4s", data, offset + 2 + 12 * k)
            if tag in (273, 279, 324, 325):  # strip/tile offsets and byte counts
                tags[tag] = _tiff_values(data, end, typ, cnt, val)
        for off_tag, len_tag in ((273, 279), (324, 325)):
            offs, lens = tags.get(off_tag, []), tags.get(len_tag, [])
            for o, ln in zip(offs, lens):
                if o + ln > n:
                    return _bad("TIFF 图片数据超出文件末尾,可能被截断", "the TIFF image data runs past the end; probably truncated")
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


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:160]


def inspect_bytes(path: str, data: bytes) -> FileInfo:
    """Inspect ``data`` (the content of ``path``) in this process and return its ``FileInfo``.

    Unbounded: callers facing untrusted files use ``inspect_bundle``/``inspect_path``, which
    run this in a bounded worker.
    """
    digest = hashlib.sha256(data).hexdigest()
    size = len(data)
    if size == 0:
        return FileInfo(path, "unknown", 0, digest, readable=False, problem="empty-file",
                        detail="文件为空(0 字节)", detail_en="the file is empty (0 bytes)")
    try:
        kind = sniff_kind(data)
    except Exception:  # sniffing opens zip directories; a hostile one is simply unrecognised
        kind = "unknown"
    expected = extension_kind(path)
    try:
        result = _verdict(path, data, kind, expected)
    except Exception as exc:  # a damaged file must never crash the checker: it is unreadable
        result = _bad(f"文件结构损坏({_short(exc)})", f"the file structure is damaged ({_short(exc)})")
    if result[1] and expected in ("docx", "xlsx") and data.startswith(_OLE_MAGIC):
        kind = expected  # a password-protected Office 2007+ file is an OLE2 container
    pages, enc, signed, problem, detail, detail_en = result
    if problem is None and expected is not None and kind != expected and \
            not any({kind, expected} <= group for group in _INTERCHANGEABLE):
        ext = os.path.splitext(path)[1]
        problem = "wrong-type"
        detail = f"内容是{_spaced(_KIND_NAMES[kind])},扩展名却是 {ext}"
        detail_en = f"the content is a {_KIND_NAMES_EN[kind]}, but the extension is {ext}"
    readable = problem not in ("unreadable", "encrypted", "empty-file")
    return FileInfo(path, kind, size, digest, pages, enc, readable, signed, problem, detail, detail_en)


def _verdict(path: str, data: bytes, kind: str, expected: str | None) -> _Result:
    """Return the per-kind check of ``data`` (sniffed as ``kind``, named as ``expected``)."""
    result: _Result
    if kind == "pdf":
        result = _check_pdf(data)
    elif kind in ("docx", "xlsx"):
        result = _check_office_zip(data, kind)
    elif data.startswith(_OLE_MAGIC):  # .doc/.xls, or an unrecognised OLE2 container
        if _utf16("EncryptedPackage") in data:
            # An Office 2007+ document with an open password is stored as an OLE2 container.
            result = _locked("Office 文档设置了打开密码,没有密码无法查看",
                             "the Office document has an open password and cannot be viewed without it")
        else:
            result = _check_ole(data, kind)
    elif kind == "jpg":
        result = _check_jpeg(data)
    elif kind == "png":
        result = _check_png(data)
    elif kind == "tiff":
        result = _check_tiff(data)
    elif kind == "zip":
        result = _check_zip(data)
        if result[3] is None and expected in ("docx", "xlsx"):
            # Opens as a zip but lacks the main part: a broken or fake Office file.
            main = "word/document.xml" if expected == "docx" else "xl/workbook.xml"
            result = _bad(f"{_KIND_NAMES[expected]}不完整:缺少 {main}",
                          f"the {_KIND_NAMES_EN[expected]} is incomplete: {main} is missing")
    elif kind == "unknown" and expected is not None and _foreign_format(data[:64]) is not None:
        # A real file of another format (an iPhone HEIC photo named .jpg): the wrong type,
        # not a damaged one, so the message tells the client what to convert.
        zh, en = _foreign_format(data[:64])  # type: ignore[misc]
        ext = os.path.splitext(path)[1]
        result = (None, False, False, "wrong-type", f"内容是{_spaced(zh)},扩展名却是 {ext}",
                  f"the content is a {en}, but the extension is {ext}")
    elif kind == "unknown" and expected is not None and expected != "text":
        result = _bad(f"内容无法识别,不是有效的{_spaced(_KIND_NAMES[expected])}(文件损坏或只是改了扩展名)",
                      f"the content is not a valid {_KIND_NAMES_EN[expected]} (damaged, or only renamed)")
    else:
        result = _ok()
    return result


def _spaced(name: str) -> str:
    # Chinese typesetting puts a space between Chinese and a Latin word: 内容是 JPEG 图片.
    return f" {name}" if name[:1].isascii() else name


# ---------------------------------------------------------------------------------------------
# bounded worker processes


def _quiet() -> None:
    # pypdf reports recoverable damage through logging and warnings; findings say it instead.
    logging.getLogger("pypdf").setLevel(logging.CRITICAL)
    warnings.simplefilter("ignore")


def _vm_bytes() -> int:
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return 0


def _worker_main(conn: Connection, memory_mb: int) -> None:
    """Serve inspection requests on ``conn`` until it closes; each answer is a dict."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    _quiet()
    try:
        import resource

        # The limit is on top of what the forked process already maps, so the allowance is
        # the same however big the parent is.
        limit = _vm_bytes() + memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ImportError, ValueError, OSError):
        pass
    cache: dict[str, zipfile.ZipFile] = {}
    while True:
        try:
            msg = conn.recv()
        except (EOFError, OSError):
            return
        if msg is None:
            return
        index, path, spec = msg
        try:
            if _TEST_HOOK is not None:
                _TEST_HOOK(path)
            data = read_spec(spec, cache, path)
            result: dict[str, Any] = asdict(inspect_bytes(path, data))
            del data
        except MemoryError:
            result = {"error": "memory"}
        except BundleError as exc:
            result = {"error": "read", "detail": str(exc)}
        except Exception as exc:  # a bug in a checker must not take the bundle down
            result = {"error": "crash", "detail": _short(exc)}
        try:
            conn.send((index, result))
        except (OSError, ValueError):
            return


class _Worker:
    def __init__(self, ctx: Any, memory_mb: int) -> None:
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker_main, args=(child, memory_mb), daemon=True)
        self.proc.start()
        child.close()
        self.task: int | None = None
        self.deadline = 0.0

    def send(self, index: int, path: str, spec: ReadSpec, timeout: float) -> None:
        self.task = index
        self.deadline = time.monotonic() + timeout
        self.conn.send((index, path, spec))

    def stop(self, kill: bool = False) -> None:
        if kill:
            self.proc.kill()
        else:
            try:
                self.conn.send(None)
            except (OSError, ValueError):
                self.proc.kill()
        self.proc.join(timeout=1.0)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join()
        self.conn.close()


#: Seconds of work after which further workers (up to ``jobs``) are started.
_SPAWN_AFTER = 0.04


def _failed(path: str, spec: ReadSpec, detail: str, detail_en: str) -> FileInfo:
    """Return the ``FileInfo`` of a file whose inspection failed; its hash is taken here.

    Hashing streams the bytes and parses nothing, so it is safe in the parent process.
    """
    try:
        digest = sha256_spec(spec)
    except BundleError:
        digest = ""
    return FileInfo(path, extension_kind(path) or "unknown", spec.size, digest, readable=False,
                    problem="unreadable", detail=detail, detail_en=detail_en)


def _run(tasks: list[tuple[str, ReadSpec]], jobs: int | None, timeout: float, memory_mb: int,
         progress: Callable[[int], None] | None) -> list[FileInfo]:
    """Inspect every ``(path, spec)`` in bounded workers; return results in task order."""
    results: list[FileInfo | None] = [None] * len(tasks)
    if not tasks:
        return []
    # fork: a worker starts in milliseconds with everything imported. Where there is no fork
    # (Windows), spawn works too, only slower to start.
    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    n_workers = max(1, min(jobs or os.cpu_count() or 1, len(tasks)))
    if any(path.lower().endswith(".pdf") for path, _ in tasks):
        # Imported once here so every forked worker shares it, rather than each worker
        # paying pypdf's ~0.2 s import on its own.
        import pypdf  # noqa: F401
    # Largest first: the long PDFs start early and the small files fill the gaps at the end.
    queue = sorted(range(len(tasks)), key=lambda i: -tasks[i][1].size)
    queue.reverse()  # pop() from the end takes the largest
    # One worker starts at once; more join only when the work outlasts their start-up cost
    # (a fork of a large parent is not free), so a small bundle never pays for idle workers.
    workers = [_Worker(ctx, memory_mb)]
    spawn_at = time.monotonic() + _SPAWN_AFTER
    timeout_text = f"{timeout:g}"

    def finish(i: int, info: FileInfo) -> None:
        results[i] = info
        if progress is not None:
            progress(1)

    try:
        for w in workers:
            if queue:
                i = queue.pop()
                w.send(i, tasks[i][0], tasks[i][1], timeout)
        while any(w.task is not None for w in workers):
            if len(workers) < n_workers and queue and time.monotonic() >= spawn_at:
                extra = _Worker(ctx, memory_mb)
                workers.append(extra)
                i = queue.pop()
                extra.send(i, tasks[i][0], tasks[i][1], timeout)
            busy = [w for w in workers if w.task is not None]
            wake = min(w.deadline for w in busy)
            if len(workers) < n_workers and queue:
                wake = min(wake, spawn_at)
            wait_for = max(0.0, wake - time.monotonic())
            ready = wait([w.conn for w in busy] + [w.proc.sentinel for w in busy], timeout=wait_for)
            now = time.monotonic()
            for slot, w in enumerate(workers):
                if w.task is None:
                    continue
                i = w.task
                path, spec = tasks[i]
                answer = None
                replace = False
                if w.conn in ready:
                    try:
                        answer = w.conn.recv()
                    except (EOFError, OSError):
                        answer = None
                if answer is not None:
                    _, data = answer
                    if "error" in data:
                        if data["error"] == "memory":
                            info = _failed(path, spec, f"检查时内存不足(超过 {memory_mb} MB),文件可能是恶意构造的",
                                           f"inspection ran out of memory (over {memory_mb} MB); "
                                           "the file may be crafted to harm")
                            replace = True  # a worker that hit its memory cap may be in a bad state
                        elif data["error"] == "read":
                            info = _failed(path, spec, f"无法读取文件:{data['detail']}",
                                           f"cannot read the file: {data['detail']}")
                        else:
                            info = _failed(path, spec, f"检查出错:{data['detail']}",
                                           f"inspection failed: {data['detail']}")
                    else:
                        info = FileInfo(**data)
                    finish(i, info)
                    w.task = None
                elif w.proc.sentinel in ready or not w.proc.is_alive():
                    finish(i, _failed(path, spec, "检查进程异常退出(可能内存耗尽),文件可能是恶意构造的",
                                      "the inspecting process died (perhaps out of memory); "
                                      "the file may be crafted to harm"))
                    replace = True
                elif now >= w.deadline:
                    finish(i, _failed(path, spec, f"检查超时({timeout_text} 秒),文件可能是恶意构造的",
                                      f"inspection timed out ({timeout_text} s); the file may be crafted to harm"))
                    replace = True
                else:
                    continue
                if replace:
                    w.stop(kill=True)
                    w = workers[slot] = _Worker(ctx, memory_mb)
                    w.task = None
                if queue:
                    j = queue.pop()
                    w.send(j, tasks[j][0], tasks[j][1], timeout)
    finally:
        for w in workers:
            w.stop(kill=w.task is not None)
    return [r for r in results if r is not None]


def inspect_bundle(bundle: Bundle, *, jobs: int | None = None, timeout: float = 10.0,
                   memory_mb: int = 512, progress: Callable[[int], None] | None = None) -> list[FileInfo]:
    """Inspect every entry of ``bundle``; return one ``FileInfo`` per entry, in entry order.

    Each file is inspected in a worker process limited to ``memory_mb`` MB more than the
    parent maps and to ``timeout`` seconds; ``jobs`` workers run at once (default: CPU count).
    ``progress(n)`` is called with the number of files just finished (1 each time).
    Never raises for a bad file: problems are in the returned ``FileInfo``.
    """
    tasks = [(e.path, bundle.spec(e.path)) for e in bundle.entries]
    return _run(tasks, jobs, timeout, memory_mb, progress)


def inspect_path(path: str | os.PathLike[str], *, timeout: float = 10.0, memory_mb: int = 512,
                 max_size: int = 200 * 1024 * 1024) -> FileInfo:
    """Inspect one file on disk, with the same bounds as ``inspect_bundle``; return its ``FileInfo``.

    ``FileInfo.path`` is ``path`` as given. Raises ``BundleError`` (exit 2) when it does not
    exist or is not a regular file.
    """
    p = Path(path)
    if not p.is_file():
        raise BundleError(f"{path}: 文件不存在或不是普通文件")
    size = p.stat().st_size
    if size > max_size:
        return FileInfo(os.fspath(path), extension_kind(str(p)) or "unknown", size, "", readable=False,
                        problem="unreadable", detail=f"文件过大({size} 字节,上限 {max_size} 字节),未检查",
                        detail_en=f"too large ({size} bytes, limit {max_size}); not inspected")
    spec = ReadSpec("file", str(p.resolve()), None, size, max_size)
    return _run([(os.fspath(path), spec)], 1, timeout, memory_mb, None)[0]
