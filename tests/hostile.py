"""Builders of real (and hostile) client files for tests: PDFs, images, Office files, zips.

Every builder writes into a folder the test owns (``tmp_path``) and returns the path, or
returns bytes. Other test modules import these, so names and behaviour are stable:

* PDFs: ``pdf_bytes``, ``write_pdf``, ``truncated_pdf``, ``user_password_pdf``,
  ``owner_password_pdf``, ``signed_pdf``, ``garbage_pdf``, ``jpg_named_pdf``, ``empty_file``;
* images and Office: ``jpeg_bytes``, ``png_bytes``, ``tiff_bytes``, ``docx_bytes``, ``xlsx_bytes``;
* zips: ``write_zip`` (members given as ``Member``), ``gbk_zip``, ``utf8_zip``, ``zip_slip``,
  ``symlink_zip``, ``encrypted_member_zip``, ``duplicate_zip``, ``bomb_zip``, ``many_members_zip``,
  ``corrupt_zip``, ``deflate64_zip``;
* hand-made PDFs with an exact page tree and xref: ``raw_pdf``, ``page_tree_pdf``,
  ``objstm_pdf`` (cross-reference stream and object stream);
* ``ole_file``: an OLE2 compound file with a real FAT whose directory spans several sectors
  (in any order, past the DIFAT's header part, or in a cyclic chain);
* ``heic_bytes``: an iPhone photo header (a format no item accepts);
* ``damaged``: a copy of some bytes with a few random changes.
"""
from __future__ import annotations

import io
import random
import stat
import struct
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "Member", "pdf_bytes", "write_pdf", "truncated_pdf", "user_password_pdf", "owner_password_pdf",
    "signed_pdf", "garbage_pdf", "jpg_named_pdf", "empty_file", "jpeg_bytes", "png_bytes", "tiff_bytes",
    "docx_bytes", "xlsx_bytes", "write_zip", "gbk_zip", "utf8_zip", "zip_slip", "symlink_zip",
    "encrypted_member_zip", "duplicate_zip", "bomb_zip", "many_members_zip", "corrupt_zip",
    "deflate64_zip", "heic_bytes", "raw_pdf", "page_tree_pdf", "ole_bytes", "ole_file", "objstm_pdf", "damaged",
]


# ---------------------------------------------------------------------------------------------
# PDFs


def pdf_bytes(pages: int = 3, text: str = "docgen test") -> bytes:
    """Return a valid PDF of ``pages`` pages made with reportlab (one line of text on each)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    for n in range(1, pages + 1):
        c.drawString(72, 760, f"{text} - page {n}")
        c.showPage()
    c.save()
    return buf.getvalue()


def write_pdf(path: Path, pages: int = 3, text: str = "docgen test") -> Path:
    """Write a valid ``pages``-page PDF at ``path`` (parents created); return ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pdf_bytes(pages, text))
    return path


def truncated_pdf(path: Path, pages: int = 4) -> Path:
    """Write the first 60 % of a valid PDF at ``path`` (an upload cut short); return ``path``."""
    data = pdf_bytes(pages)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data[: int(len(data) * 0.6)])
    return path


def _encrypted(pages: int, user: str, owner: str) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes(pages))))
    writer.encrypt(user_password=user, owner_password=owner)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def user_password_pdf(path: Path, pages: int = 2, password: str = "secret") -> Path:
    """Write a PDF that needs a user (open) password at ``path``; return ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(_encrypted(pages, password, password + "-owner"))
    return path


def owner_password_pdf(path: Path, pages: int = 2) -> Path:
    """Write a PDF with only an owner (permissions) password: it opens with the empty password."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(_encrypted(pages, "", "owner-only"))
    return path


def signed_pdf(path: Path, pages: int = 1, with_value: bool = True) -> Path:
    """Write a PDF with a digital-signature form field (``/FT /Sig``) at ``path``; return it.

    With ``with_value`` the field carries a signature dictionary (``/V``), as a signed file does;
    without it, it is an empty signature box waiting to be signed.
    """
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import (ArrayObject, ByteStringObject, DictionaryObject, NameObject,
                               NumberObject, TextStringObject)

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes(pages))))
    field = DictionaryObject({
        NameObject("/FT"): NameObject("/Sig"),
        NameObject("/T"): TextStringObject("Signature1"),
        NameObject("/Type"): NameObject("/Annot"),
        NameObject("/Subtype"): NameObject("/Widget"),
        NameObject("/Rect"): ArrayObject([NumberObject(0)] * 4),
    })
    if with_value:
        sig = DictionaryObject({
            NameObject("/Type"): NameObject("/Sig"),
            NameObject("/Filter"): NameObject("/Adobe.PPKLite"),
            NameObject("/SubFilter"): NameObject("/adbe.pkcs7.detached"),
            NameObject("/Contents"): ByteStringObject(b"\x00" * 64),
        })
        field[NameObject("/V")] = writer._add_object(sig)
    ref = writer._add_object(field)
    writer.pages[0][NameObject("/Annots")] = ArrayObject([ref])
    writer._root_object[NameObject("/AcroForm")] = DictionaryObject({
        NameObject("/Fields"): ArrayObject([ref]),
        NameObject("/SigFlags"): NumberObject(3),
    })
    buf = io.BytesIO()
    writer.write(buf)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buf.getvalue())
    return path


def garbage_pdf(path: Path) -> Path:
    """Write random-looking binary bytes under a ``.pdf`` name; return ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(bytes((i * 131 + 7) % 256 for i in range(4096)))
    return path


def jpg_named_pdf(path: Path) -> Path:
    """Write a valid JPEG photo under a ``.pdf`` name (a scan saved with the wrong extension)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(jpeg_bytes())
    return path


def empty_file(path: Path) -> Path:
    """Create a zero-byte file at ``path``; return ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"")
    return path


# ---------------------------------------------------------------------------------------------
# images and Office files


def _image(fmt: str, **kwargs: object) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(buf, fmt, **kwargs)
    return buf.getvalue()


def jpeg_bytes() -> bytes:
    """Return a small valid JPEG."""
    return _image("JPEG")


def png_bytes() -> bytes:
    """Return a small valid PNG."""
    return _image("PNG")


def tiff_bytes(pages: int = 1) -> bytes:
    """Return a valid TIFF with ``pages`` images (a multi-page fax-style scan when > 1)."""
    from PIL import Image

    frames = [Image.new("RGB", (32, 32), (i * 40 % 256, 0, 0)) for i in range(pages)]
    buf = io.BytesIO()
    frames[0].save(buf, "TIFF", save_all=True, append_images=frames[1:])
    return buf.getvalue()


def docx_bytes(text: str = "公司简历") -> bytes:
    """Return a valid .docx made with python-docx containing ``text``."""
    import docx

    d = docx.Document()
    d.add_paragraph(text)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def xlsx_bytes() -> bytes:
    """Return a valid .xlsx made with openpyxl."""
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active["A1"] = "借据号"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# ---------------------------------------------------------------------------------------------
# zips


@dataclass
class Member:
    """One zip member to write.

    ``raw_name`` stores the name bytes as given without the UTF-8 flag (e.g. GBK from
    Chinese Windows); ``utf8`` sets the flag; ``mode`` is a unix mode for ``external_attr``;
    ``encrypted`` sets flag bit 0 (the content is stored as given, not really encrypted).
    """

    name: str
    data: bytes = b"x"
    raw_name: bytes | None = None
    utf8: bool = False
    mode: int | None = None
    encrypted: bool = False
    compress: int = zipfile.ZIP_DEFLATED


class _RawNameInfo(zipfile.ZipInfo):
    """A ZipInfo that writes chosen name bytes and flags into both local and central headers."""

    raw: bytes | None = None
    extra_flags: int = 0
    force_utf8: bool = False

    def _encodeFilenameFlags(self):  # type: ignore[no-untyped-def]  # zipfile's private hook
        if self.raw is not None:
            return self.raw, self.flag_bits | self.extra_flags
        name, flags = super()._encodeFilenameFlags()
        if self.force_utf8:
            flags |= 0x800
        return name, flags | self.extra_flags


def write_zip(path: Path, members: list[Member]) -> Path:
    """Write ``members`` into a zip at ``path`` exactly as described; return ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # duplicate names are deliberate in some fixtures
        with zipfile.ZipFile(path, "w") as zf:
            for m in members:
                info = _RawNameInfo(m.name, date_time=(2026, 11, 20, 9, 30, 0))
                info.compress_type = m.compress
                info.raw = m.raw_name
                info.force_utf8 = m.utf8
                if m.encrypted:
                    info.extra_flags |= 0x1
                if m.mode is not None:
                    info.external_attr = m.mode << 16
                    info.create_system = 3
                zf.writestr(info, m.data)
    return path


def gbk_zip(path: Path, names: list[str], data: bytes | None = None) -> Path:
    """Write a zip whose member ``names`` are stored as GBK bytes without the UTF-8 flag.

    That is what Windows' built-in "send to compressed folder" does on a Chinese system.
    Each member holds ``data`` (default a small valid PDF).
    """
    body = pdf_bytes(1) if data is None else data
    return write_zip(path, [Member(n, body, raw_name=n.encode("gbk")) for n in names])


def utf8_zip(path: Path, names: list[str], data: bytes | None = None) -> Path:
    """Write a zip whose member names are UTF-8 with the UTF-8 flag set (modern tools)."""
    body = pdf_bytes(1) if data is None else data
    return write_zip(path, [Member(n, body, utf8=True) for n in names])


def zip_slip(path: Path) -> Path:
    """Write a zip with ``../evil.pdf``, ``/etc/passwd``, ``C:/x.pdf``, ``..\\\\win.pdf`` and one good file."""
    body = pdf_bytes(1)
    return write_zip(path, [
        Member("ok.pdf", body),
        Member("../evil.pdf", body, raw_name=b"../evil.pdf"),
        Member("/etc/passwd", b"root:x:0:0", raw_name=b"/etc/passwd"),
        Member("C:/x.pdf", body, raw_name=b"C:/x.pdf"),
        Member("..\\win.pdf", body, raw_name=b"..\\win.pdf"),
    ])


def symlink_zip(path: Path) -> Path:
    """Write a zip with a symbolic-link member ``link.pdf`` -> ``/etc/passwd`` and one good file."""
    return write_zip(path, [
        Member("ok.pdf", pdf_bytes(1)),
        Member("link.pdf", b"/etc/passwd", mode=stat.S_IFLNK | 0o777),
    ])


def encrypted_member_zip(path: Path) -> Path:
    """Write a zip whose member ``secret.pdf`` has the encryption flag set, and one good file."""
    return write_zip(path, [
        Member("ok.pdf", pdf_bytes(1)),
        Member("secret.pdf", pdf_bytes(1), encrypted=True),
    ])


def duplicate_zip(path: Path) -> Path:
    """Write a zip with two members named ``营业执照.pdf`` (different content) and one good file."""
    return write_zip(path, [
        Member("ok.pdf", pdf_bytes(1)),
        Member("营业执照.pdf", pdf_bytes(1, "first"), utf8=True),
        Member("营业执照.pdf", pdf_bytes(2, "second"), utf8=True),
    ])


def bomb_zip(path: Path, size_mb: int = 4) -> Path:
    """Write a zip with a ``size_mb`` MB member of zeros (about 1000:1) and one good file.

    Small enough to build in milliseconds, yet over the ratio cap for members above 1 MB.
    """
    return write_zip(path, [
        Member("ok.pdf", pdf_bytes(1)),
        Member("bomb.pdf", b"\x00" * (size_mb * 1024 * 1024)),
    ])


def many_members_zip(path: Path, count: int) -> Path:
    """Write a zip of ``count`` tiny text members ``f00000.txt`` …; return ``path``."""
    return write_zip(path, [Member(f"f{i:05d}.txt", b"x", compress=zipfile.ZIP_STORED) for i in range(count)])


def corrupt_zip(path: Path) -> Path:
    """Write a zip cut before its central directory (a download that stopped); return ``path``."""
    good = io.BytesIO()
    with zipfile.ZipFile(good, "w") as zf:
        zf.writestr("a.pdf", pdf_bytes(2))
    data = good.getvalue()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data[: len(data) // 2])
    return path


# ---------------------------------------------------------------------------------------------
# hand-made PDFs (exact control over the page tree and cross-reference table)


def raw_pdf(objects: dict[int, bytes], root: int = 1, header: bytes = b"%PDF-1.4\n",
            trailer_extra: bytes = b"") -> bytes:
    """Return a PDF with the given object bodies (``num -> b"<< ... >>"``) and a classic xref."""
    out = bytearray(header)
    offsets: dict[int, int] = {}
    for num in sorted(objects):
        offsets[num] = len(out)
        out += b"%d 0 obj\n" % num + objects[num] + b"\nendobj\n"
    xref_at = len(out)
    size = max(objects) + 1
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for n in range(1, size):
        out += (b"%010d 00000 n \n" % offsets[n]) if n in offsets else b"0000000000 65535 f \n"
    out += b"trailer\n<< /Size %d /Root %d 0 R %s>>\nstartxref\n%d\n%%%%EOF\n" % (
        size, root, trailer_extra, xref_at)
    return bytes(out)


def page_tree_pdf(tree: list, declared: int | None = None) -> bytes:
    """Return a PDF whose page tree has the nested shape ``tree``.

    ``tree`` is a list whose items are ``None`` (a page) or a nested list (an intermediate
    ``/Pages`` node). The root's ``/Count`` is the real page count unless ``declared`` is given.
    Object 1 is the catalog, object 2 the root ``/Pages`` node.
    """
    return raw_pdf(_tree_objects(tree, declared))


def objstm_pdf(tree: list, predictor: bool = True, packed: int = 2) -> bytes:
    """Return a PDF 1.5 with a cross-reference stream and an object stream, page tree ``tree``.

    Objects ``packed`` and above (default: the whole page tree) go into one Flate object stream;
    the cross-reference stream uses the PNG Up predictor when ``predictor`` (as Acrobat and
    Word write it), else raw rows.
    """
    import zlib

    objects = _tree_objects(tree, None)
    inside = {n: body for n, body in objects.items() if n >= packed}
    outside = {n: body for n, body in objects.items() if n < packed}
    stm = max(objects) + 1
    xref_num = stm + 1
    out = bytearray(b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
    entries: dict[int, tuple[int, int, int]] = {0: (0, 0, 65535)}
    for num, body in sorted(outside.items()):
        entries[num] = (1, len(out), 0)
        out += b"%d 0 obj\n" % num + body + b"\nendobj\n"
    header, payload = bytearray(), bytearray()
    for idx, (num, body) in enumerate(sorted(inside.items())):
        header += b"%d %d " % (num, len(payload))
        payload += body + b"\n"
        entries[num] = (2, stm, idx)
    packed_stream = zlib.compress(bytes(header) + bytes(payload))
    entries[stm] = (1, len(out), 0)
    out += (b"%d 0 obj\n<< /Type /ObjStm /N %d /First %d /Filter /FlateDecode /Length %d >>\nstream\n"
            % (stm, len(inside), len(header), len(packed_stream)) + packed_stream + b"\nendstream\nendobj\n")
    entries[xref_num] = (1, len(out), 0)
    rows = bytearray()
    prev = bytes(5)
    for num in range(xref_num + 1):
        kind, f2, f3 = entries.get(num, (0, 0, 0))
        row = bytes([kind]) + f2.to_bytes(3, "big") + (f3 & 0xFF).to_bytes(1, "big")
        if predictor:
            rows += b"\x02" + bytes((a - b) & 0xFF for a, b in zip(row, prev))
        else:
            rows += row
        prev = row
    stream = zlib.compress(bytes(rows))
    parms = b" /DecodeParms << /Columns 5 /Predictor 12 >>" if predictor else b""
    xref_at = len(out)
    out += (b"%d 0 obj\n<< /Type /XRef /Size %d /W [1 3 1] /Root 1 0 R /Filter /FlateDecode%s /Length %d >>\n"
            b"stream\n" % (xref_num, xref_num + 1, parms, len(stream)) + stream
            + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % xref_at)
    return bytes(out)


def _tree_objects(tree: list, declared: int | None) -> dict[int, bytes]:
    objects: dict[int, bytes] = {1: b"<< /Type /Catalog /Pages 2 0 R >>"}
    counter = [2]

    def node(kids: list, num: int, parent: int | None) -> int:
        refs, total = [], 0
        for kid in kids:
            counter[0] += 1
            kid_num = counter[0]
            refs.append(b"%d 0 R" % kid_num)
            if kid is None:
                objects[kid_num] = (b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595 842] "
                                    b"/Resources << /ProcSet [/PDF] >> >>" % num)
                total += 1
            else:
                total += node(kid, kid_num, num)
        parent_ref = b" /Parent %d 0 R" % parent if parent else b""
        count = declared if (declared is not None and parent is None) else total
        objects[num] = b"<< /Type /Pages /Kids [%s] /Count %d%s >>" % (b" ".join(refs), count, parent_ref)
        return total

    node(tree, 2, None)
    return objects


def deflate64_zip(path: Path) -> Path:
    """Write a zip whose member ``大文件.pdf`` claims Deflate64 (method 9), as Windows writes big files."""
    write_zip(path, [Member("ok.pdf", pdf_bytes(1)),
                     Member("大文件.pdf", pdf_bytes(1), utf8=True, compress=zipfile.ZIP_STORED)])
    data = bytearray(path.read_bytes())
    name = "大文件.pdf".encode()
    for sig, method_at in ((b"PK\x03\x04", 8), (b"PK\x01\x02", 10)):
        at = 0
        while (at := data.find(sig, at)) != -1:
            name_at = at + (30 if sig == b"PK\x03\x04" else 46)
            if data[name_at:name_at + len(name)] == name:
                data[at + method_at:at + method_at + 2] = (9).to_bytes(2, "little")
            at += 4
    path.write_bytes(bytes(data))
    return path


def heic_bytes() -> bytes:
    """Return the leading box of an iPhone HEIC photo (enough for format detection)."""
    return b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + bytes(200)


def ole_bytes(stream: str = "WordDocument", sectors: int = 3) -> bytes:
    """Return a minimal OLE2 compound file whose directory names ``stream`` (.doc or .xls).

    Only what a reader checks first is real: the signature, the 512-byte sector size, the
    directory's first sector with its "Root Entry" and the main stream's entry.
    """
    data = bytearray(512 * (1 + sectors))
    data[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    data[26:28] = (3).to_bytes(2, "little")        # major version 3
    data[28:30] = b"\xfe\xff"                       # little-endian
    data[30:32] = (9).to_bytes(2, "little")        # 512-byte sectors
    data[48:52] = (0).to_bytes(4, "little")        # directory starts at sector 0 (offset 512)
    for k, name in enumerate(("Root Entry", stream)):
        at = 512 + 128 * k
        raw = name.encode("utf-16-le")
        data[at:at + len(raw)] = raw
        data[at + 64:at + 66] = (len(raw) + 2).to_bytes(2, "little")
    return bytes(data)


OLE_FREE, OLE_END, OLE_FAT, OLE_DIFAT = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFC


def ole_file(names: list[str], directory: list[int], *, shift: int = 9, then: int = OLE_END) -> bytes:
    """Return an OLE2 compound file (version 3 for 512-byte sectors, 4 for ``shift`` 12) whose
    directory entries are "Root Entry" then ``names``, laid in the sectors ``directory`` in that
    order and chained through the FAT; the last directory sector's FAT entry is ``then`` (the
    chain's end, or a sector number: a cyclic or out-of-range chain).

    The file ends with the last directory sector. The FAT takes the first sectors, as many as
    the file needs; past 109 of them (a file of more than 7 MB with 512-byte sectors) the rest
    are listed in DIFAT sectors that follow the FAT. ``directory`` must lie after both."""
    size = 1 << shift
    per = size // 4
    total = max(directory) + 1
    nfat = -(-total // per)
    ndifat = -(-max(0, nfat - 109) // (per - 1))
    assert min(directory) >= nfat + ndifat, "the directory overlaps the FAT or DIFAT"
    data = bytearray(size * (1 + total))
    header = struct.pack("<8s16sHHHHHH", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", bytes(16), 0x3E,
                         4 if shift == 12 else 3, 0xFFFE, shift, 6, 0)
    data[:len(header)] = header
    struct.pack_into("<IIIIIIII", data, 0x2C, nfat, directory[0], 0, 0x1000, OLE_END, 0,
                     nfat if ndifat else OLE_END, ndifat)
    listed = [*range(nfat), *[OLE_FREE] * 109]
    struct.pack_into("<109I", data, 0x4C, *listed[:109])
    for k in range(ndifat):  # each DIFAT sector: per - 1 FAT sector numbers, then the next one's
        rest = (listed[109 + k * (per - 1):109 + (k + 1) * (per - 1)] + [OLE_FREE] * per)[:per - 1]
        nxt = nfat + k + 1 if k + 1 < ndifat else OLE_END
        struct.pack_into(f"<{per}I", data, (nfat + k + 1) << shift, *rest, nxt)
    fat = [OLE_FAT] * nfat + [OLE_DIFAT] * ndifat + [OLE_FREE] * (nfat * per - nfat - ndifat)
    for here, after in zip(directory, [*directory[1:], then]):
        fat[here] = after
    struct.pack_into(f"<{nfat * per}I", data, size, *fat)  # sectors 0 .. nfat - 1, one after another
    for k, raw in enumerate(n.encode("utf-16-le") for n in ["Root Entry", *names]):
        sector, slot = directory[k * 128 // size], k % (size // 128)
        at = ((sector + 1) << shift) + 128 * slot
        data[at:at + len(raw)] = raw
        # Name length, type (root storage 5, stream 2), black; the root's child is the first
        # stream and each stream's right sibling the next: a degenerate but valid tree.
        right = k + 1 if 0 < k < len(names) else OLE_FREE
        struct.pack_into("<HBBIII", data, at + 64, len(raw) + 2, 5 if k == 0 else 2, 1, OLE_FREE, right,
                         1 if k == 0 and names else OLE_FREE)
    return bytes(data)


def damaged(data: bytes, rnd: random.Random, tokens: tuple[bytes, ...] = ()) -> bytes:
    """Return ``data`` with one to three random changes drawn from ``rnd``: a byte replaced, a
    run deleted or random bytes inserted, and, when ``tokens`` are given, also a token written
    over the bytes at a random place (damage that keeps the file looking like PDF syntax)."""
    d = bytearray(data)
    for _ in range(rnd.randint(1, 3)):
        i = rnd.randrange(len(d))
        op = rnd.random()
        if tokens and op < 0.3:
            token = rnd.choice(tokens)
            d[i:i + len(token)] = token
        elif op < 0.5:
            d[i] = rnd.randrange(256)
        elif op < 0.75:
            del d[i:i + rnd.randint(1, 20)]
        else:
            d[i:i] = bytes(rnd.randrange(256) for _ in range(rnd.randint(1, 5)))
    return bytes(d)
