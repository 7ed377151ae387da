"""Content sniffing: which kind a file is from its bytes, and which kind its extension promises.

The kind comes from the content (magic bytes, and for ZIP/OLE2 containers their directory),
never from the extension; ``docgen.check.inspection.kinds`` compares the two, and the spreadsheet
reader (``docgen.core.tabular``) says from it what a file given as a table really is.
"""
from __future__ import annotations

import io
import os
import struct
import zipfile
from collections.abc import Callable
from typing import BinaryIO

__all__ = ["KINDS", "extension_kinds", "extension_kind", "UTF16_BOMS", "is_markup", "looks_like_text", "office_encrypted",
           "ole_directory", "ole_workbook", "sniff_kind", "utf16"]

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
INTERCHANGEABLE = ({"doc", "docx"}, {"xls", "xlsx"})

def extension_kind(path: str) -> str | None:
    """Return the kind ``path``'s extension promises, or None for an extension we do not know."""
    return extension_kinds.get(os.path.splitext(path)[1].lower())


OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
#: The byte-order marks of UTF-16 text (Excel's "Unicode text" begins with the first).
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def utf16(name: str) -> bytes:
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
    if head.startswith(OLE_MAGIC):
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
    if foreign_format(head) is not None:
        return "unknown"
    if looks_like_text(head):
        return "text"
    return "unknown"


#: Formats a client may upload that no checklist item accepts: (test, format id). Their names
#: are in ``docgen.check.messages.FOREIGN_NAMES``.
_FOREIGN: tuple[tuple[Callable[[bytes], bool], str], ...] = (
    (lambda h: h[4:8] == b"ftyp" and h[8:12] in (b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1"),
     "heic"),
    (lambda h: h[:6] in (b"GIF87a", b"GIF89a"), "gif"),
    (lambda h: h[:4] == b"RIFF" and h[8:12] == b"WEBP", "webp"),
    (lambda h: h[:2] == b"BM" and len(h) >= 26 and h[6:10] == b"\x00\x00\x00\x00", "bmp"),
    (lambda h: h[:6] == b"Rar!\x1a\x07", "rar"),
    (lambda h: h[:6] == b"7z\xbc\xaf\x27\x1c", "7z"),
    (lambda h: h[4:8] == b"ftyp", "video"),
)


def foreign_format(head: bytes) -> str | None:
    """Return the id of a recognised format outside ``KINDS`` (``heic``, ``gif`` …), else None."""
    for test, name in _FOREIGN:
        if test(head):
            return name
    return None


#: At most this many bytes of an OLE2 directory are read (2048 entries of 128 bytes): an
#: Excel or Word file's main stream is among its first entries, and a cyclic or endless sector
#: chain in a hostile file stops here.
OLE_DIRECTORY_LIMIT = 1 << 18
_OLE_END = 0xFFFFFFFA  # sector numbers from here up mark a chain's end or free/special sectors
_OLE_HEADER_DIFAT = 109  # FAT sector numbers the header itself lists


def ole_directory(stream: BinaryIO, head: bytes) -> bytes:
    """Return the directory of the OLE2 file whose first bytes are ``head``, read from ``stream``
    sector after sector where the header and the FAT put it (the names of its streams, UTF-16:
    what tells an Excel 97-2003 workbook or an encrypted package apart when the directory lies
    past the bytes sniffed or beyond its first sector); b"" for anything else.

    Bounded: at most ``OLE_DIRECTORY_LIMIT`` bytes; the chain stops at a sector it has read
    already (a cyclic FAT), a sector number past the end of the file, or a FAT or DIFAT the
    file does not hold -- what was read up to there is returned, never an exception."""
    if len(head) < 512 or not head.startswith(OLE_MAGIC):
        return b""
    shift = struct.unpack_from("<H", head, 0x1E)[0]
    if shift not in (9, 12):  # 512- or 4096-byte sectors
        return b""
    size = 1 << shift
    try:
        # Sectors after the header, the last one perhaps cut short.
        sectors = max(0, (stream.seek(0, os.SEEK_END) - 1) >> shift)
        chain = _OleChain(stream, head, shift, sectors)
        sector = struct.unpack_from("<I", head, 0x30)[0]
        seen: set[int] = set()
        parts: list[bytes] = []
        while sector < sectors and sector not in seen and len(parts) * size < OLE_DIRECTORY_LIMIT:
            seen.add(sector)
            parts.append(chain.read(sector, size))
            sector = chain.next(sector)
    except (OSError, ValueError, OverflowError, struct.error):
        return b""
    return b"".join(parts)


class _OleChain:
    """The FAT of an OLE2 file, read an entry at a time: a directory of a few sectors needs a
    few 4-byte reads, not the whole table."""

    def __init__(self, stream: BinaryIO, head: bytes, shift: int, sectors: int) -> None:
        self.stream, self.head, self.shift, self.sectors = stream, head, shift, sectors
        self.per = (1 << shift) // 4  # sector numbers per FAT or DIFAT sector
        self.fat: dict[int, int] = {}  # FAT sector index -> where it lies, as found

    def read(self, sector: int, length: int, at: int = 0) -> bytes:
        """Return ``length`` bytes from ``at`` in ``sector`` (fewer at the end of the file)."""
        self.stream.seek(((sector + 1) << self.shift) + at)
        return self.stream.read(length)

    def next(self, sector: int) -> int:
        """Return the sector after ``sector`` in its chain; ``_OLE_END`` when the FAT ends the
        chain or does not say (a FAT sector missing or past the end of the file)."""
        index = sector // self.per
        if index not in self.fat:
            self.fat[index] = self._fat_sector(index)
        return self._number(self.fat[index], sector % self.per)

    def _number(self, sector: int, slot: int) -> int:
        """Return the ``slot``-th sector number stored in ``sector``; ``_OLE_END`` for a sector
        the file does not hold."""
        if sector >= self.sectors:
            return _OLE_END
        entry = self.read(sector, 4, 4 * slot)
        return struct.unpack("<I", entry)[0] if len(entry) == 4 else _OLE_END

    def _fat_sector(self, index: int) -> int:
        """Return where the ``index``-th FAT sector lies: listed in the header for the first
        109, then in the DIFAT's chain of sectors (each ending with the next one's number)."""
        if index < _OLE_HEADER_DIFAT:
            return struct.unpack_from("<I", self.head, 0x4C + 4 * index)[0]
        index -= _OLE_HEADER_DIFAT
        difat = struct.unpack_from("<I", self.head, 0x44)[0]
        # A FAT sector exists only for sectors the file holds, so the hops are few and bounded.
        for _ in range(index // (self.per - 1)):
            difat = self._number(difat, self.per - 1)
        return self._number(difat, index % (self.per - 1))


def office_encrypted(data: bytes) -> bool:
    """Whether ``data`` is an OLE2 container holding an encrypted Office package: what Word and
    Excel save a .docx or .xlsx with an open password as."""
    return data.startswith(OLE_MAGIC) and utf16("EncryptedPackage") in data


def is_markup(head: bytes) -> bool:
    """Whether the text ``head`` begins (after a byte-order mark and blanks) with a tag: a web page
    or an XML file, what business systems often export under an .xls name."""
    if head.startswith(UTF16_BOMS):
        head = head[2:].replace(b"\x00", b"")
    elif head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    return head.lstrip(b" \t\r\n").startswith(b"<")


def ole_workbook(data: bytes) -> bool:
    """Whether the OLE2 directory names in ``data`` (UTF-16LE) include an Excel workbook stream."""
    return utf16("Workbook") in data or utf16("Book\x00") in data


def _ole_kind(data: bytes) -> str | None:
    # Directory entry names are UTF-16LE; the main stream's name tells Word from Excel.
    if utf16("WordDocument") in data:
        return "doc"
    if ole_workbook(data):
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


def looks_like_text(head: bytes) -> bool:
    """Whether ``head`` (a file's first bytes) decodes as UTF-8 or GB18030 text without NUL bytes."""
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
