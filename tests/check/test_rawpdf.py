"""Reading a plainly sound PDF from its raw bytes: it vouches only where pypdf finds the same.

Every check here compares with the pypdf path (``sound_pdf_pages`` switched off), because the
raw reading may only ever spare pypdf's work, never change a finding.
"""
from __future__ import annotations

import hashlib
import io
import logging
import random
import struct

import pytest

from docgen.check.inspection import kinds
from docgen.check.inspection.kinds import inspect_bytes, inspect_bytes_quickly
from docgen.check.inspection.rawpdf import sound_pdf_pages
from tests import hostile


def _by_pypdf(data: bytes, name: str = "a.pdf"):
    """Return ``inspect_bytes`` as it is without the raw reading (pypdf decides everything)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(kinds, "sound_pdf_pages", lambda data: None)
        return inspect_bytes(name, data)


def _pypdf_writer_pdf(pages: int) -> bytes:
    import pypdf

    writer = pypdf.PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(595, 842)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


_LEAF = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"


def _one_page(leaf: bytes = _LEAF, catalog: bytes = b"<< /Type /Catalog /Pages 2 0 R >>",
              trailer_extra: bytes = b"") -> bytes:
    return hostile.raw_pdf({1: catalog, 2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>", 3: leaf},
                           trailer_extra=trailer_extra)


@pytest.mark.parametrize("data,pages", [
    (hostile.pdf_bytes(5), 5),  # reportlab
    (hostile.page_tree_pdf([[None, None, None], None, [None, [None, None]]]), 7),  # nested /Pages
    (_one_page(b"<< /Type /Page /Parent 2 0 R /A (x\\)y) /B <0aF1> /C [true false null -1 .5 2.] "
               b"% a comment\n /D << /E [[/F]] >> >>"), 1),
])
def test_plain_pdfs_are_read_without_pypdf(data, pages):
    assert sound_pdf_pages(data) == pages
    assert inspect_bytes_quickly("a.pdf", data, "0" * 64) is not None
    assert inspect_bytes("a.pdf", data) == _by_pypdf(data)


def test_pdfs_written_by_pypdf_are_read_without_it():
    data = _pypdf_writer_pdf(4)
    assert sound_pdf_pages(data) == 4
    assert inspect_bytes("a.pdf", data) == _by_pypdf(data)


@pytest.mark.parametrize("label,data", [
    ("encrypted", hostile._encrypted(2, "secret", "owner")),
    ("owner password only", hostile._encrypted(2, "", "owner")),
    ("xref stream", hostile.objstm_pdf([[None, None], None])),
    ("acroform", _one_page(catalog=b"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [] >> >>")),
    ("prev", _one_page(trailer_extra=b"/Prev 9 ")),
    ("declared more", hostile.page_tree_pdf([[None, None], None], declared=7)),
    ("declared fewer", hostile.page_tree_pdf([[None, None], None], declared=2)),
    ("leaf not a page", _one_page(b"<< /Type /Font /Subtype /Type1 >>")),
    ("page type nested only", _one_page(b"<< /Type /Font /R << /Type /Page >> >>")),
    ("type as a value", _one_page(b"<< /A /Type /Page >>")),
    ("repeated key", _one_page(b"<< /Type /Page /Type /Font >>")),
    ("escaped name", _one_page(b"<< /Type /Pa#67e >>")),
    ("nested string brackets", _one_page(b"<< /Type /Page /T (a(b)c) >>")),
    ("unbalanced", _one_page(b"<< /Type /Page /K [1 2 >>")),
    ("loose reference", _one_page(b"<< /Type /Page /Parent 2  0 R >>")),
    ("stream", _one_page(b"<< /Type /Page /Length 0 >>\nstream\n\nendstream")),
    ("missing leaf", hostile.raw_pdf({1: b"<< /Type /Catalog /Pages 2 0 R >>",
                                      2: b"<< /Type /Pages /Kids [3 0 R 4 0 R] /Count 2 >>", 3: _LEAF})),
    ("cycle", hostile.raw_pdf({1: b"<< /Type /Catalog /Pages 2 0 R >>",
                               2: b"<< /Type /Pages /Kids [3 0 R 4 0 R] /Count 2 >>", 3: _LEAF,
                               4: b"<< /Type /Pages /Kids [2 0 R] /Count 1 /Parent 2 0 R >>"})),
    ("shared page", hostile.raw_pdf({1: b"<< /Type /Catalog /Pages 2 0 R >>",
                                     2: b"<< /Type /Pages /Kids [3 0 R 3 0 R] /Count 2 >>", 3: _LEAF})),
    ("junk before header", b"\r\n" + hostile.pdf_bytes(2)),
])
def test_anything_unusual_is_left_to_pypdf(label, data):
    assert sound_pdf_pages(data) is None, label
    assert inspect_bytes_quickly("a.pdf", data, "0" * 64) is None, label
    assert inspect_bytes("a.pdf", data) == _by_pypdf(data), label


def test_a_wrong_offset_or_header_is_left_to_pypdf():
    data = hostile.pdf_bytes(3)
    at = data.index(b"3 0 obj")
    shifted = data[:at] + b" " + data[at:at + 7] + data[at + 8:]  # same length, header moved by one
    assert sound_pdf_pages(shifted) is None
    renumbered = data.replace(b"\n3 0 obj", b"\n9 0 obj", 1)
    assert sound_pdf_pages(renumbered) is None
    assert inspect_bytes("a.pdf", renumbered) == _by_pypdf(renumbered)


def test_randomly_damaged_pdfs_give_pypdfs_findings():
    # Wherever the raw reading vouches for a damaged file, pypdf finds exactly the same.
    logging.getLogger("pypdf").setLevel(logging.CRITICAL)
    bases = [hostile.pdf_bytes(5), hostile.page_tree_pdf([[None, None], [None, [None, None]], None]),
             _one_page(b"<< /Type /Page /Parent 2 0 R /A (x) /B <0a> /C [true null -1 .5] % c\n >>"),
             _pypdf_writer_pdf(3)]
    tokens = (b"/Type", b"/Page", b"/Pages", b" ", b"<<", b">>", b"[", b"]", b"R", b"0", b"1", b"%", b"\n",
              b"(", b")", b"/Kids", b"/Count", b"endobj", b"obj", b"#", b"\x00", b"/Encrypt 1 0 R", b"2 0 R")
    rnd = random.Random(20261201)
    vouched = 0
    for _ in range(1500):
        data = hostile.damaged(rnd.choice(bases), rnd, tokens)
        if sound_pdf_pages(data) is None:
            continue
        vouched += 1
        assert inspect_bytes("a.pdf", data) == _by_pypdf(data)
    assert vouched > 50


def test_quick_inspection_declines_what_is_not_bounded_by_construction():
    assert inspect_bytes_quickly("a.tif", hostile.tiff_bytes(), "0" * 64) is None
    for name, data in (("a.jpg", hostile.jpeg_bytes()), ("a.png", hostile.png_bytes()),
                       ("a.docx", hostile.docx_bytes()), ("a.xlsx", hostile.xlsx_bytes()),
                       ("a.doc", hostile.ole_bytes()), ("a.txt", "借款人".encode()), ("a.pdf", b"")):
        quick = inspect_bytes_quickly(name, data, hashlib.sha256(data).hexdigest())
        assert quick == inspect_bytes(name, data), name
    # An archive announcing a central directory over 1 MB (or ZIP64) is opened by a worker only.
    docx = bytearray(hostile.docx_bytes())
    end = docx.rfind(b"PK\x05\x06")
    struct.pack_into("<L", docx, end + 12, 2 * 1024 * 1024)
    assert inspect_bytes_quickly("a.docx", bytes(docx), "0" * 64) is None


def test_an_unforeseen_error_in_the_raw_reading_leaves_the_file_to_pypdf(monkeypatch):
    from docgen.check.inspection import rawpdf

    def broken(self, ref):
        raise TypeError("a bug")

    data = hostile.pdf_bytes(2)
    monkeypatch.setattr(rawpdf._File, "get", broken)
    assert sound_pdf_pages(data) is None
    assert inspect_bytes("a.pdf", data).pages == 2  # pypdf's answer, not "damaged"
