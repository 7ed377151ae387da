"""Per-kind checks: whether a file of a sniffed kind opens, its pages, encryption and signature.

PDFs are opened with pypdf for the page count, encryption and signature fields; Office and
image files get cheap structural checks. Everything here runs in the calling process without
bounds: ``docgen.check.inspection.pool`` runs it in bounded workers for untrusted files.
PDF pages are counted by walking the page tree through pypdf's object access, which is
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
from dataclasses import asdict, dataclass
from typing import Any

from docgen.check.inspection.sniff import (
    INTERCHANGEABLE, KIND_NAMES, KIND_NAMES_EN, OLE_MAGIC, extension_kind, foreign_format, sniff_kind, utf16,
)

__all__ = ["FileInfo", "inspect_bytes", "short_error"]

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


#: A per-kind check's answer: (pages, encrypted, signed, problem, detail, detail_en).
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
        return _bad(f"PDF 结构损坏,无法打开({short_error(exc)})", f"the PDF structure is damaged ({short_error(exc)})")
    try:
        if reader.is_encrypted:
            try:
                result = reader.decrypt("")
            except Exception as exc:  # unsupported handler or missing AES backend
                return _locked(f"PDF 已加密,无法解密({short_error(exc)})",
                               f"the PDF is encrypted and cannot be decrypted ({short_error(exc)})")
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
        return _bad(f"PDF 页面无法读取({short_error(exc)})", f"the PDF pages cannot be read ({short_error(exc)})")


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
        return _bad(f"{label}已损坏,无法打开({short_error(exc)})", f"the {label_en} is damaged ({short_error(exc)})")


def _check_zip(data: bytes) -> _Result:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            zf.infolist()
        return _ok()
    except (zipfile.BadZipFile, ValueError, EOFError, OSError, NotImplementedError) as exc:
        return _bad(f"ZIP 压缩包已损坏({short_error(exc)})", f"the zip archive is damaged ({short_error(exc)})")


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
    if not data[offset:offset + 20].startswith(utf16("Root Entry")):
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


def short_error(exc: BaseException) -> str:
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
        result = _bad(f"文件结构损坏({short_error(exc)})", f"the file structure is damaged ({short_error(exc)})")
    if result[1] and expected in ("docx", "xlsx") and data.startswith(OLE_MAGIC):
        kind = expected  # a password-protected Office 2007+ file is an OLE2 container
    pages, enc, signed, problem, detail, detail_en = result
    if problem is None and expected is not None and kind != expected and \
            not any({kind, expected} <= group for group in INTERCHANGEABLE):
        ext = os.path.splitext(path)[1]
        problem = "wrong-type"
        detail = f"内容是{_spaced(KIND_NAMES[kind])},扩展名却是 {ext}"
        detail_en = f"the content is a {KIND_NAMES_EN[kind]}, but the extension is {ext}"
    readable = problem not in ("unreadable", "encrypted", "empty-file")
    return FileInfo(path, kind, size, digest, pages, enc, readable, signed, problem, detail, detail_en)


def _verdict(path: str, data: bytes, kind: str, expected: str | None) -> _Result:
    """Return the per-kind check of ``data`` (sniffed as ``kind``, named as ``expected``)."""
    result: _Result
    if kind == "pdf":
        result = _check_pdf(data)
    elif kind in ("docx", "xlsx"):
        result = _check_office_zip(data, kind)
    elif data.startswith(OLE_MAGIC):  # .doc/.xls, or an unrecognised OLE2 container
        if utf16("EncryptedPackage") in data:
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
            result = _bad(f"{KIND_NAMES[expected]}不完整:缺少 {main}",
                          f"the {KIND_NAMES_EN[expected]} is incomplete: {main} is missing")
    elif kind == "unknown" and expected is not None and foreign_format(data[:64]) is not None:
        # A real file of another format (an iPhone HEIC photo named .jpg): the wrong type,
        # not a damaged one, so the message tells the client what to convert.
        zh, en = foreign_format(data[:64])  # type: ignore[misc]
        ext = os.path.splitext(path)[1]
        result = (None, False, False, "wrong-type", f"内容是{_spaced(zh)},扩展名却是 {ext}",
                  f"the content is a {en}, but the extension is {ext}")
    elif kind == "unknown" and expected is not None and expected != "text":
        result = _bad(f"内容无法识别,不是有效的{_spaced(KIND_NAMES[expected])}(文件损坏或只是改了扩展名)",
                      f"the content is not a valid {KIND_NAMES_EN[expected]} (damaged, or only renamed)")
    else:
        result = _ok()
    return result


def _spaced(name: str) -> str:
    # Chinese typesetting puts a space between Chinese and a Latin word: 内容是 JPEG 图片.
    return f" {name}" if name[:1].isascii() else name
