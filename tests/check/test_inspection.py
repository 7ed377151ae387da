"""File inspection: kinds from content, PDF facts, problems, and the bounded worker pool."""
from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

import pytest

from docgen.check import inspection
from docgen.check.inspection import pool as inspection_pool
from docgen.check.bundle import open_bundle
from docgen.core.errors import BundleError
from docgen.check.inspection import FileInfo, extension_kinds, inspect_bundle, inspect_bytes, inspect_path
from tests import hostile
from tests.hostile import Member


def test_normal_pdf(tmp_path):
    f = hostile.write_pdf(tmp_path / "审计报告2023.pdf", pages=7)
    info = inspect_path(f)
    assert info.kind == "pdf"
    assert info.pages == 7
    assert info.size == f.stat().st_size
    assert info.sha256 == hashlib.sha256(f.read_bytes()).hexdigest()
    assert (info.encrypted, info.readable, info.signed, info.problem) == (False, True, False, None)
    assert set(info.to_dict()) >= {"path", "kind", "size", "sha256", "pages", "encrypted", "readable"}


def test_pdf_after_leading_junk(tmp_path):
    f = tmp_path / "a.pdf"
    f.write_bytes(b"\r\n\xef\xbb\xbf" + hostile.pdf_bytes(2))
    info = inspect_path(f)
    assert (info.kind, info.pages, info.problem) == ("pdf", 2, None)


def test_truncated_pdf_is_unreadable(tmp_path):
    info = inspect_path(hostile.truncated_pdf(tmp_path / "a.pdf"))
    assert info.kind == "pdf"
    assert info.problem == "unreadable" and not info.readable
    assert info.reason == "pdf-no-eof"
    assert "截断" in info.detail


def test_pdf_with_broken_page_tree_is_unreadable(tmp_path):
    import re

    # Point the catalog's /Pages at an object that does not exist (same length: xref stays valid).
    data, n = re.subn(rb"/Pages (\d) 0 R", rb"/Pages 9\1 0 R", hostile.pdf_bytes(3), count=1)
    assert n == 1
    f = tmp_path / "a.pdf"
    f.write_bytes(data)
    info = inspect_path(f)
    assert info.problem == "unreadable"


def test_user_password_pdf_is_encrypted(tmp_path):
    info = inspect_path(hostile.user_password_pdf(tmp_path / "a.pdf", pages=2))
    assert info.kind == "pdf"
    assert info.encrypted is True
    assert info.problem == "encrypted"
    assert info.readable is False
    assert info.pages is None  # pypdf will not read any object without the password
    assert info.reason == "pdf-password"
    assert "密码" in info.detail


def test_owner_password_only_pdf_is_fine(tmp_path):
    info = inspect_path(hostile.owner_password_pdf(tmp_path / "a.pdf", pages=3))
    assert (info.encrypted, info.readable, info.problem, info.pages) == (False, True, None, 3)


def test_signed_pdf(tmp_path):
    assert inspect_path(hostile.signed_pdf(tmp_path / "s.pdf")).signed is True
    assert inspect_path(hostile.signed_pdf(tmp_path / "u.pdf", with_value=False)).signed is False


def test_garbage_named_pdf_is_unreadable(tmp_path):
    info = inspect_path(hostile.garbage_pdf(tmp_path / "营业执照.pdf"))
    assert info.kind == "unknown"
    assert info.problem == "unreadable"
    assert info.detail == "内容无法识别，不是有效的 PDF 文件（文件损坏或只是改了扩展名）"
    assert info.detail_en == "the content is not a valid PDF file (damaged, or only renamed)"


def test_jpg_named_pdf_is_wrong_type(tmp_path):
    info = inspect_path(hostile.jpg_named_pdf(tmp_path / "营业执照.pdf"))
    assert info.kind == "jpg"
    assert info.problem == "wrong-type"
    assert info.readable is True
    assert info.detail == "内容是 JPEG 图片，扩展名却是 .pdf"
    assert info.detail_en == "the content is a JPEG image, but the extension is .pdf"


def test_zero_bytes_is_empty_file(tmp_path):
    info = inspect_path(hostile.empty_file(tmp_path / "a.pdf"))
    assert (info.problem, info.size, info.readable) == ("empty-file", 0, False)
    assert info.sha256 == hashlib.sha256(b"").hexdigest()


@pytest.mark.parametrize("name,builder,kind", [
    ("a.jpg", hostile.jpeg_bytes, "jpg"),
    ("a.jpeg", hostile.jpeg_bytes, "jpg"),
    ("a.png", hostile.png_bytes, "png"),
    ("a.tif", hostile.tiff_bytes, "tiff"),
    ("a.docx", hostile.docx_bytes, "docx"),
    ("a.xlsx", hostile.xlsx_bytes, "xlsx"),
])
def test_good_files_of_each_kind(name, builder, kind):
    info = inspect_bytes(name, builder())
    assert (info.kind, info.problem, info.readable) == (kind, None, True), info.detail


def test_multi_page_tiff_counts_pages():
    assert inspect_bytes("scan.tiff", hostile.tiff_bytes(pages=3)).pages == 3


@pytest.mark.parametrize("name,builder", [
    ("a.jpg", hostile.jpeg_bytes), ("a.png", hostile.png_bytes), ("a.tif", hostile.tiff_bytes),
    ("a.docx", hostile.docx_bytes), ("a.xlsx", hostile.xlsx_bytes),
])
def test_truncated_files_of_each_kind_are_unreadable(name, builder):
    data = builder()
    info = inspect_bytes(name, data[: len(data) * 2 // 3])
    assert info.problem == "unreadable", (info.kind, info.detail)


def test_big_endian_tiff():
    from PIL import Image
    import io

    buf = io.BytesIO()
    Image.new("L", (8, 8)).save(buf, "TIFF")
    data = buf.getvalue()
    assert data[:2] == b"II"
    # Pillow writes little-endian; a minimal hand-made big-endian TIFF with one strip:
    ifd = (b"\x00\x03"
           + b"\x01\x11\x00\x04\x00\x00\x00\x01\x00\x00\x00\x08"   # StripOffsets = 8
           + b"\x01\x17\x00\x04\x00\x00\x00\x01\x00\x00\x00\x04"   # StripByteCounts = 4
           + b"\x01\x00\x00\x03\x00\x00\x00\x01\x00\x02\x00\x00"   # ImageWidth = 2
           + b"\x00\x00\x00\x00")
    be = b"MM\x00*" + (12).to_bytes(4, "big") + b"\x00\x00\x00\x00" + ifd
    info = inspect_bytes("fax.tiff", be)
    assert (info.kind, info.problem, info.pages) == ("tiff", None, 1)


def test_docx_without_document_xml_is_unreadable():
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("readme.txt", "not word")
    info = inspect_bytes("公司简历.docx", buf.getvalue())
    assert info.kind == "zip"
    assert info.problem == "unreadable"
    assert (info.reason, info.facts) == ("not-office", {"expected": "docx", "main": "word/document.xml"})
    assert info.detail == "Word 文档（.docx）不完整：缺少 word/document.xml"


def test_xlsx_named_docx_is_wrong_type():
    info = inspect_bytes("公司简历.docx", hostile.xlsx_bytes())
    assert (info.kind, info.problem) == ("xlsx", "wrong-type")


def test_docx_named_doc_is_accepted():
    info = inspect_bytes("公司简历.doc", hostile.docx_bytes())
    assert (info.kind, info.problem) == ("docx", None)


def test_password_protected_office_file_is_encrypted():
    # Office stores a password-protected .docx as an OLE2 container with an EncryptedPackage stream.
    ole = bytearray(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 2040)
    ole[30:32] = (9).to_bytes(2, "little")
    ole[600:600 + 32] = "EncryptedPackage".encode("utf-16-le")
    info = inspect_bytes("股东会决议.docx", bytes(ole))
    assert (info.kind, info.encrypted, info.problem) == ("docx", True, "encrypted")


def test_text_and_unknown_extensions():
    assert inspect_bytes("bundle.yaml", "checklist: dev-loan\n借款人: 华安\n".encode()).kind == "text"
    info = inspect_bytes("notes.gbk.txt", "借款人".encode("gbk"))
    assert (info.kind, info.problem) == ("text", None)
    info = inspect_bytes("a.rar", b"Rar!\x1a\x07\x00" + bytes(range(200)))
    assert (info.kind, info.problem) == ("unknown", None)


def test_nested_zip_is_kind_zip():
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("a.pdf", hostile.pdf_bytes(1))
    assert inspect_bytes("附件.zip", buf.getvalue()).kind == "zip"


def test_extension_kinds_mapping():
    assert extension_kinds[".pdf"] == "pdf"
    assert extension_kinds[".jpeg"] == "jpg"
    assert extension_kinds[".tif"] == "tiff"
    assert inspection.extension_kind("营业执照.PDF") == "pdf"
    assert inspection.extension_kind("x.unknownext") is None


def test_inspect_path_missing_is_bundle_error(tmp_path):
    with pytest.raises(BundleError):
        inspect_path(tmp_path / "nope.pdf")


# -- a whole bundle, through the worker pool -------------------------------------------------


def _bundle(tmp_path):
    root = tmp_path / "client"
    hostile.write_pdf(root / "申请人资料" / "营业执照.pdf", 2)
    hostile.write_pdf(root / "申请人资料" / "公司章程.pdf", 5)
    hostile.truncated_pdf(root / "申请人资料" / "验资报告.pdf")
    hostile.user_password_pdf(root / "项目资料" / "预评估报告.pdf")
    hostile.jpg_named_pdf(root / "项目资料" / "项目总平图.pdf")
    hostile.empty_file(root / "项目资料" / "环境评估报告.pdf")
    (root / "公司简历.docx").write_bytes(hostile.docx_bytes())
    return root


def test_inspect_bundle_folder(tmp_path):
    ticks = []
    with open_bundle(_bundle(tmp_path)) as b:
        infos = inspect_bundle(b, jobs=2, progress=ticks.append)
        assert [i.path for i in infos] == [e.path for e in b.entries]
    by = {i.path: i for i in infos}
    assert sum(ticks) == len(infos) == 7
    assert by["申请人资料/公司章程.pdf"].pages == 5
    assert by["申请人资料/验资报告.pdf"].problem == "unreadable"
    assert by["项目资料/预评估报告.pdf"].problem == "encrypted"
    assert by["项目资料/项目总平图.pdf"].problem == "wrong-type"
    assert by["项目资料/环境评估报告.pdf"].problem == "empty-file"
    assert by["公司简历.docx"].kind == "docx"


def test_inspect_bundle_zip_matches_folder(tmp_path):
    root = _bundle(tmp_path)
    members = [hostile.Member(str(p.relative_to(root)), p.read_bytes(),
                              raw_name=str(p.relative_to(root)).encode("gbk"))
               for p in sorted(root.rglob("*")) if p.is_file()]
    z = hostile.write_zip(tmp_path / "client.zip", members)
    with open_bundle(root) as fb, open_bundle(z) as zb:
        folder = inspect_bundle(fb)
        zipped = inspect_bundle(zb)
    assert [i.to_dict() for i in zipped] == [i.to_dict() for i in folder]


def test_empty_bundle(tmp_path):
    (tmp_path / "empty").mkdir()
    with open_bundle(tmp_path / "empty") as b:
        assert inspect_bundle(b) == []


def _hang_on(marker):
    def hook(path):
        if marker in path:
            time.sleep(60)
    return hook


def test_timeout_is_unreadable_and_pool_survives(tmp_path, monkeypatch):
    root = tmp_path / "client"
    for n in range(4):
        hostile.write_pdf(root / f"f{n}.pdf", 1)
    hostile.write_pdf(root / "hang.pdf", 1)
    monkeypatch.setattr(inspection_pool, "_TEST_HOOK", _hang_on("hang"))
    with open_bundle(root) as b:
        start = time.monotonic()
        infos = inspect_bundle(b, jobs=1, timeout=0.5)
        assert time.monotonic() - start < 10  # the hung worker was killed, not waited for
    by = {i.path: i for i in infos}
    assert by["hang.pdf"].problem == "unreadable"
    assert by["hang.pdf"].detail == "检查超时（0.5 秒），文件可能是恶意构造的"
    assert by["hang.pdf"].sha256 == hashlib.sha256((root / "hang.pdf").read_bytes()).hexdigest()
    # One worker only: every other file was inspected by its replacement.
    assert all(by[f"f{n}.pdf"].pages == 1 for n in range(4))


def _hog_on(marker):
    def hook(path):
        if marker in path:
            bytearray(4 * 1024 ** 3)  # 4 GB: over the address-space limit
    return hook


def test_memory_exhaustion_is_unreadable_and_pool_survives(tmp_path, monkeypatch):
    root = tmp_path / "client"
    hostile.write_pdf(root / "a.pdf", 1)
    hostile.write_pdf(root / "hog.pdf", 1)
    hostile.write_pdf(root / "z.pdf", 1)
    monkeypatch.setattr(inspection_pool, "_TEST_HOOK", _hog_on("hog"))
    with open_bundle(root) as b:
        infos = inspect_bundle(b, jobs=1, memory_mb=256)
    by = {i.path: i for i in infos}
    assert by["hog.pdf"].problem == "unreadable"
    assert (by["hog.pdf"].reason, by["hog.pdf"].facts) == ("out-of-memory", {"memory_mb": 256})
    assert "内存不足" in by["hog.pdf"].detail
    assert by["a.pdf"].problem is None and by["z.pdf"].problem is None


def test_crashed_worker_is_unreadable_and_pool_survives(tmp_path, monkeypatch):
    root = tmp_path / "client"
    hostile.write_pdf(root / "a.pdf", 1)
    hostile.write_pdf(root / "crash.pdf", 1)
    hostile.write_pdf(root / "z.pdf", 1)

    def hook(path):
        if "crash" in path:
            os._exit(70)

    monkeypatch.setattr(inspection_pool, "_TEST_HOOK", hook)
    with open_bundle(root) as b:
        infos = inspect_bundle(b, jobs=1)
    by = {i.path: i for i in infos}
    assert by["crash.pdf"].problem == "unreadable"
    assert by["crash.pdf"].reason == "died"
    assert "异常退出" in by["crash.pdf"].detail
    assert by["a.pdf"].pages == 1 and by["z.pdf"].pages == 1


def test_inspect_path_is_bounded_too(tmp_path, monkeypatch):
    f = hostile.write_pdf(tmp_path / "hang.pdf", 1)
    monkeypatch.setattr(inspection_pool, "_TEST_HOOK", _hang_on("hang"))
    info = inspect_path(f, timeout=0.3)
    assert (info.problem, info.reason, info.facts) == ("unreadable", "timeout", {"timeout": 0.3})


def test_fileinfo_json_keeps_its_shape_and_every_reason_is_worded():
    info = inspect_bytes("a.pdf", b"%PDF-1.4 truncated")
    assert info.reason == "pdf-no-eof"
    assert set(info.to_dict()) == {"path", "kind", "size", "sha256", "pages", "encrypted", "readable", "signed",
                                   "problem", "detail", "detail_en"}
    from docgen.check.messages import FILES

    assert FILES.codes("zh") == FILES.codes("en")
    assert info.detail_en == "the PDF is incomplete (no %%EOF end marker); it was probably cut short in upload or copy"


def test_fileinfo_to_dict_round_trip():
    info = FileInfo("a.pdf", "pdf", 3, "00", pages=1)
    assert FileInfo(**info.to_dict()) == info


# -- page counting: walking the page tree agrees with pypdf ------------------------------------------


def _pypdf_pages(data: bytes) -> int:
    import io

    import pypdf

    return len(pypdf.PdfReader(io.BytesIO(data)).pages)


def test_nested_page_tree_is_counted_like_pypdf():
    data = hostile.page_tree_pdf([[None, None, None], None, [None, [None, None]]])
    assert inspect_bytes("a.pdf", data).pages == 7 == _pypdf_pages(data)


def test_incremental_updates_are_followed():
    base = hostile.page_tree_pdf([None, None])
    prev = int(base[base.rfind(b"startxref") + 9:].split()[0])
    update = bytearray(base)
    off2 = len(update)
    update += b"2 0 obj\n<< /Type /Pages /Kids [3 0 R 4 0 R 5 0 R] /Count 3 >>\nendobj\n"
    off5 = len(update)
    update += b"5 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>\nendobj\n"
    xref = len(update)
    update += b"xref\n2 1\n%010d 00000 n \n5 1\n%010d 00000 n \n" % (off2, off5)
    update += b"trailer\n<< /Size 6 /Root 1 0 R /Prev %d >>\nstartxref\n%d\n%%%%EOF\n" % (prev, xref)
    data = bytes(update)
    assert inspect_bytes("a.pdf", data).pages == 3 == _pypdf_pages(data)


def test_declared_count_larger_than_the_tree_is_unreadable():
    info = inspect_bytes("a.pdf", hostile.page_tree_pdf([[None, None, None], None], declared=7))
    assert info.problem == "unreadable"
    assert info.detail == "PDF 页面树不完整：声明 7 页，实际只能读到 4 页"


def test_missing_page_object_is_unreadable():
    data = hostile.raw_pdf({
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [3 0 R 4 0 R] /Count 2 >>",
        3: b"<< /Type /Page /Parent 2 0 R >>",
    })
    assert inspect_bytes("a.pdf", data).problem == "unreadable"


@pytest.mark.parametrize("node, fault, fault_en", [
    (b"<< /Type /Pages /Kids [2 0 R] /Count 1 /Parent 2 0 R >>", "页面树存在循环引用", "the page tree loops"),
    (b"<< /Type /Font /Parent 2 0 R >>", "页面树中有无效节点（/Font）", "the page tree holds an invalid node (/Font)"),
])
def test_a_cyclic_or_foreign_page_tree_is_unreadable_and_named_in_either_language(node, fault, fault_en):
    data = hostile.raw_pdf({
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [3 0 R 4 0 R] /Count 2 >>",
        3: b"<< /Type /Page /Parent 2 0 R >>",
        4: node,
    })
    info = inspect_bytes("a.pdf", data)
    assert info.problem == "unreadable" and not info.readable
    # the English named the tree's fault in Chinese
    assert (info.detail, info.detail_en) == (f"PDF 页面无法读取（{fault}）", f"the PDF pages cannot be read ({fault_en})")


def test_signature_field_is_found(tmp_path):
    data = hostile.signed_pdf(tmp_path / "s.pdf").read_bytes()
    assert inspect_bytes("s.pdf", data).signed is True


def test_timeout_inside_a_zip_bundle(tmp_path, monkeypatch):
    body = hostile.pdf_bytes(2)
    z = hostile.gbk_zip(tmp_path / "b.zip", ["申请人资料/营业执照.pdf", "申请人资料/卡住.pdf"], data=body)
    monkeypatch.setattr(inspection_pool, "_TEST_HOOK", _hang_on("卡住"))
    with open_bundle(z) as b:
        infos = inspect_bundle(b, timeout=0.5)
    by = {i.path: i for i in infos}
    assert by["申请人资料/卡住.pdf"].problem == "unreadable"
    assert by["申请人资料/卡住.pdf"].sha256 == hashlib.sha256(body).hexdigest()
    assert by["申请人资料/营业执照.pdf"].pages == 2


def test_heic_photo_named_jpg_is_wrong_type():
    info = inspect_bytes("法定代表人身份证.jpg", hostile.heic_bytes())
    assert (info.kind, info.problem, info.readable) == ("unknown", "wrong-type", True)
    assert info.detail == "内容是 HEIC 图片（苹果手机照片格式），扩展名却是 .jpg"


def test_heic_under_its_own_extension_is_just_unknown():
    info = inspect_bytes("IMG_0001.heic", hostile.heic_bytes())
    assert (info.kind, info.problem) == ("unknown", None)


def test_rtf_named_doc_is_a_word_document():
    info = inspect_bytes("公司简历.doc", b"{\\rtf1\\ansi\\ansicpg936 \\'b9\\'ab\\'cb\\'be}")
    assert (info.kind, info.problem) == ("doc", None)


def test_deflate64_member_is_unreadable_with_advice(tmp_path):
    with open_bundle(hostile.deflate64_zip(tmp_path / "b.zip")) as b:
        assert [e.path for e in b.entries] == ["ok.pdf", "大文件.pdf"]
        infos = {i.path: i for i in inspect_bundle(b)}
        with pytest.raises(BundleError, match="Deflate"):
            b.read("大文件.pdf")
    assert infos["ok.pdf"].problem is None
    assert infos["大文件.pdf"].problem == "unreadable"
    assert infos["大文件.pdf"].reason == "read-failed"
    assert "重新打包" in infos["大文件.pdf"].detail


def test_closed_zip_bundle_cannot_be_read(tmp_path):
    b = open_bundle(hostile.utf8_zip(tmp_path / "b.zip", ["a.pdf"]))
    b.close()
    with pytest.raises(BundleError, match="已关闭"):
        b.read("a.pdf")


def test_ole_word_and_excel_files():
    doc = inspect_bytes("公司简历.doc", hostile.ole_bytes("WordDocument"))
    assert (doc.kind, doc.problem) == ("doc", None)
    xls = inspect_bytes("财务报表.xls", hostile.ole_bytes("Workbook"))
    assert (xls.kind, xls.problem) == ("xls", None)
    assert inspect_bytes("财务报表.doc", hostile.ole_bytes("Workbook")).problem == "wrong-type"


def test_truncated_ole_file_is_unreadable():
    data = bytearray(hostile.ole_bytes())
    data[48:52] = (40).to_bytes(4, "little")  # the directory now lies past the end
    info = inspect_bytes("公司简历.doc", bytes(data))
    assert (info.problem, info.reason) == ("unreadable", "ole-truncated")


def test_inspection_agrees_with_pypdf_on_randomly_damaged_files():
    # Damage never escapes as an exception; whenever a damaged file is vouched for, pypdf's
    # own flattened page list has the same length.
    import io
    import logging
    import random

    import pypdf

    logging.getLogger("pypdf").setLevel(logging.CRITICAL)
    bases = [hostile.pdf_bytes(5), hostile.page_tree_pdf([[None, None], [None, [None, None]], None]),
             hostile.objstm_pdf([[None, None], [None, [None, None]], None])]
    rnd = random.Random(20261128)
    vouched = 0
    for _ in range(400):
        d = hostile.damaged(rnd.choice(bases), rnd)
        info = inspect_bytes("a.pdf", d)
        if info.problem is not None:
            continue
        vouched += 1
        assert len(pypdf.PdfReader(io.BytesIO(bytes(d)), strict=False).pages) == info.pages
    assert vouched > 20  # damage outside the page tree leaves the file readable


def test_damaged_office_files_never_raise():
    import random

    rnd = random.Random(7)
    for name, base in (("a.docx", hostile.docx_bytes()), ("a.xlsx", hostile.xlsx_bytes())):
        for _ in range(60):
            d = bytearray(base)
            for _ in range(4):
                d[rnd.randrange(len(d))] = rnd.randrange(256)
            info = inspect_bytes(name, bytes(d))  # must not raise, whatever the damage
            assert info.problem in (None, "unreadable", "wrong-type")


@pytest.mark.parametrize("predictor", [True, False])
@pytest.mark.parametrize("packed", [2, 3, 99])
def test_xref_streams_and_object_streams_are_read(predictor, packed):
    data = hostile.objstm_pdf([[None, None], None, [None, [None, None]]], predictor=predictor, packed=packed)
    assert b"/ObjStm" in data and b"/XRef" in data and b"\nxref" not in data
    assert _pypdf_pages(data) == 6
    info = inspect_bytes("审计报告2024.pdf", data)
    assert (info.pages, info.problem) == (6, None)




def test_unreadable_gbk_member_is_named_in_chinese(tmp_path):
    name = "申请人资料/营业执照.pdf"
    z = hostile.write_zip(tmp_path / "b.zip", [Member(name, hostile.pdf_bytes(3) * 50, raw_name=name.encode("gbk"))])
    data = bytearray(z.read_bytes())
    start = 30 + len(name.encode("gbk"))
    data[start + 5:start + 25] = bytes(range(20))  # scramble the deflate stream
    z.write_bytes(bytes(data))
    with open_bundle(z) as b:
        (info,) = inspect_bundle(b, jobs=1)
    assert (info.path, info.problem) == (name, "unreadable")
    assert info.detail.startswith(f"无法读取文件：{name}：读取失败")


# -- the page-tree walk that reads leaves from their raw bytes -------------------------------------


def _reader(data: bytes):
    import io

    import pypdf

    return pypdf.PdfReader(io.BytesIO(data), strict=False)


def test_fast_walk_counts_leaves_without_parsing_them(monkeypatch):
    from docgen.check.inspection import kinds

    data = hostile.page_tree_pdf([[None, None, None], None, [None, [None, None]]])
    reader = _reader(data)
    parsed: list[int] = []
    real = type(reader.trailer["/Root"].raw_get("/Pages")).get_object

    def counting(self):
        parsed.append(self.idnum)
        return real(self)

    monkeypatch.setattr(type(reader.trailer["/Root"].raw_get("/Pages")), "get_object", counting)
    assert kinds._count_pages_fast(reader, data) == 7
    assert len(set(parsed)) == 5  # the catalog and the four /Pages nodes; none of the seven leaves


def test_fast_walk_defers_to_the_full_walk_when_in_doubt():
    from docgen.check.inspection import kinds

    # A leaf that is not a page: the fast walk declines, the full walk names the damage.
    data = hostile.raw_pdf({
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [3 0 R 4 0 R] /Count 2 >>",
        3: b"<< /Type /Page /Parent 2 0 R >>",
        4: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    })
    assert kinds._count_pages_fast(_reader(data), data) is None
    assert inspect_bytes("a.pdf", data).problem == "unreadable"
    # A leaf whose bytes are not a well-formed dictionary is parsed, not vouched for unseen.
    damaged = data.replace(b"<< /Type /Page /Parent 2 0 R >>", b"<< /Type /Page /Parent 2 0 R \x19>")
    assert kinds._peek_type(damaged, dict(_reader(damaged).xref[0]), _reader(damaged).trailer["/Root"]
                            ["/Pages"].raw_get("/Kids")[0]) is None
    # Leaves inside an object stream have no offset of their own: parsed, and counted right.
    packed = hostile.objstm_pdf([[None, None], None])
    assert kinds._count_pages_fast(_reader(packed), packed) == 3 == inspect_bytes("a.pdf", packed).pages


# -- the inspection cache: a file seen before is not inspected again -------------------------------


def test_inspection_cache_answers_for_files_seen_before(tmp_path, monkeypatch):
    folder = tmp_path / "bundle"
    folder.mkdir()
    (folder / "营业执照.pdf").write_bytes(hostile.pdf_bytes(2))
    (folder / "章程.pdf").write_bytes(hostile.pdf_bytes(3, "章程"))
    with open_bundle(folder) as b:
        first = inspect_bundle(b)
    packs = list((Path(os.environ["XDG_CACHE_HOME"]) / "docgen" / "inspection-packs").glob("*.pack"))
    assert len(packs) == 1 and _pack_entries() == 2  # one file for the run's entries
    # Files answered from the cache never reach a worker: one that would hang shows it.
    monkeypatch.setattr(inspection_pool, "_TEST_HOOK", _hang_on("章程"))
    (folder / "补充材料.pdf").write_bytes(hostile.pdf_bytes(4, "补充"))  # the usual loop: add a file
    (folder / "副本.pdf").write_bytes((folder / "章程.pdf").read_bytes())  # same content, new name
    with open_bundle(folder) as b:
        again = inspect_bundle(b)
    by_path = {i.path: i for i in again}
    assert {i.path: i for i in first} == {p: by_path[p] for p in ("营业执照.pdf", "章程.pdf")}
    assert by_path["补充材料.pdf"].pages == 4 and by_path["副本.pdf"].pages == 3
    assert by_path["副本.pdf"].path == "副本.pdf" and by_path["章程.pdf"].problem is None
    assert _pack_entries() == 3  # only the new content was inspected and stored


def _pack_entries() -> int:
    """Return the number of entries in the inspection packs of the test's cache folder."""
    folder = Path(os.environ["XDG_CACHE_HOME"]) / "docgen" / "inspection-packs"
    return sum(len(p.read_text(encoding="utf-8").split("\n")) - 3 for p in folder.glob("*.pack"))


def test_the_quick_findings_are_cached_even_when_the_workers_phase_fails(tmp_path, monkeypatch):
    folder = tmp_path / "bundle"
    folder.mkdir()
    (folder / "营业执照.pdf").write_bytes(hostile.pdf_bytes(2))
    (folder / "章程.pdf").write_bytes(hostile.pdf_bytes(3, "章程"))

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(inspection_pool, "_inspect", interrupted)
    with open_bundle(folder) as b, pytest.raises(KeyboardInterrupt):
        inspect_bundle(b)
    assert _pack_entries() == 2  # both were inspected quickly, before the workers' phase
    monkeypatch.setattr(inspection_pool, "_inspect", lambda tasks, *args: [] if not tasks else interrupted())
    with open_bundle(folder) as b:
        assert [i.pages for i in sorted(inspect_bundle(b), key=lambda i: i.path)] == [3, 2]  # from the cache


def test_pool_failures_are_not_cached(tmp_path, monkeypatch):
    folder = tmp_path / "bundle"
    folder.mkdir()
    (folder / "卡住.pdf").write_bytes(hostile.pdf_bytes(2))
    monkeypatch.setattr(inspection_pool, "_TEST_HOOK", _hang_on("卡住"))
    with open_bundle(folder) as b:
        assert inspect_bundle(b, timeout=0.5)[0].problem == "unreadable"
    monkeypatch.setattr(inspection_pool, "_TEST_HOOK", None)
    with open_bundle(folder) as b:
        assert inspect_bundle(b)[0].pages == 2  # inspected for real the second time


def test_inspection_cache_can_be_turned_off(tmp_path, monkeypatch):
    monkeypatch.setenv("DOCGEN_NO_CACHE", "1")
    folder = tmp_path / "bundle"
    folder.mkdir()
    (folder / "a.pdf").write_bytes(hostile.pdf_bytes(1))
    with open_bundle(folder) as b:
        assert inspect_bundle(b)[0].pages == 1
    assert not (Path(os.environ["XDG_CACHE_HOME"]) / "docgen").exists()


def test_a_cache_entry_of_another_shape_is_inspected_again(tmp_path):
    folder = tmp_path / "bundle"
    folder.mkdir()
    (folder / "a.pdf").write_bytes(hostile.pdf_bytes(2))
    with open_bundle(folder) as b:
        assert inspect_bundle(b)[0].pages == 2
    [pack] = (Path(os.environ["XDG_CACHE_HOME"]) / "docgen" / "inspection-packs").glob("*.pack")
    head, line, end, _ = pack.read_text(encoding="utf-8").split("\n")
    key = line.split("\t")[0]
    # As an older build would have written it: whole FileInfo, no reason, a wrong page count.
    old = '{"kind": "pdf", "size": 1, "sha256": "", "pages": 9, "problem": "unreadable", "detail": "旧"}'
    pack.write_text(f"{head}\n{key}\t{old}\n{end}\n", encoding="utf-8")
    with open_bundle(folder) as b:
        info = inspect_bundle(b)[0]
    assert info.pages == 2 and info.problem is None
