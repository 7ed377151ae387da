"""Bundle reading: folders and zips, name decoding, and every unsafe-entry hazard."""
from __future__ import annotations

import errno
import os
import zipfile

import pytest

from docgen.check.bundle import Entry, Limits, is_junk, open_bundle
from docgen.core.errors import BundleError
from tests import hostile
from tests.hostile import Member


def _unsafe(bundle) -> dict[str, str]:
    """Path -> why it is unsafe (the finding's reason)."""
    return {f.path: f.reason for f in bundle.unsafe}


def test_gbk_names_without_utf8_flag_come_out_as_chinese(tmp_path):
    names = ["申请人资料/营业执照.pdf", "申请人资料/公司章程.pdf", "项目资料/建设用地规划许可证.pdf"]
    z = hostile.gbk_zip(tmp_path / "b.zip", names)
    with zipfile.ZipFile(z) as zf:  # the fixture really is legacy-encoded
        assert all(not (i.flag_bits & 0x800) for i in zf.infolist())
        assert "申请人资料/营业执照.pdf" not in zf.namelist()
    with open_bundle(z) as b:
        assert [e.path for e in b.entries] == sorted(names)
        assert b.unsafe == []
        assert b.read("申请人资料/营业执照.pdf").startswith(b"%PDF-")


def test_utf8_flagged_names(tmp_path):
    z = hostile.utf8_zip(tmp_path / "b.zip", ["审计报告2023.pdf", "公司简历.docx"], data=b"abc")
    with open_bundle(z) as b:
        assert b.entries == [Entry("公司简历.docx", 3), Entry("审计报告2023.pdf", 3)]


def test_utf8_names_without_the_flag_macos_style(tmp_path):
    z = hostile.write_zip(tmp_path / "b.zip", [
        Member("营业执照.pdf", b"a", raw_name="营业执照.pdf".encode("utf-8")),
        Member("公司章程.pdf", b"b", raw_name="公司章程.pdf".encode("utf-8")),
    ])
    with open_bundle(z) as b:
        assert [e.path for e in b.entries] == ["公司章程.pdf", "营业执照.pdf"]


def test_single_top_folder_with_bundle_yaml_is_the_bundle_root(tmp_path):
    z = hostile.gbk_zip(tmp_path / "b.zip", ["华安置业/bundle.yaml", "华安置业/申请人资料/营业执照.pdf"])
    with open_bundle(z) as b:
        assert [e.path for e in b.entries] == ["bundle.yaml", "申请人资料/营业执照.pdf"]
        assert b.root == str(tmp_path / "b.zip")


def test_single_top_folder_without_bundle_yaml_is_kept(tmp_path):
    # A zip of one stage folder: the folder name tells matching which stage the files serve.
    z = hostile.gbk_zip(tmp_path / "b.zip", ["01-申请前期/营业执照.pdf", "01-申请前期/公司章程.pdf"])
    with open_bundle(z) as b:
        assert [e.path for e in b.entries] == ["01-申请前期/公司章程.pdf", "01-申请前期/营业执照.pdf"]


def test_zip_slip_members_are_unsafe_and_never_listed(tmp_path):
    with open_bundle(hostile.zip_slip(tmp_path / "b.zip")) as b:
        assert [e.path for e in b.entries] == ["ok.pdf"]
        unsafe = _unsafe(b)
        assert set(unsafe) == {"../evil.pdf", "/etc/passwd", "C:/x.pdf", "..\\win.pdf"}
        assert unsafe == {"/etc/passwd": "absolute-path", "C:/x.pdf": "drive-letter",
                          "../evil.pdf": "parent-path", "..\\win.pdf": "parent-path"}
        by_path = {f.path: f for f in b.unsafe}
        assert by_path["/etc/passwd"].message() == "资料包条目不安全，未读取：绝对路径"
        assert by_path["../evil.pdf"].message("en") == "unsafe bundle entry, not read: path contains '..' and could escape the bundle"
        assert all(f.code == "unsafe-entry" and f.severity == "error" for f in b.unsafe)
        with pytest.raises(KeyError):
            b.read("../evil.pdf")


def test_symlink_member_is_unsafe(tmp_path):
    with open_bundle(hostile.symlink_zip(tmp_path / "b.zip")) as b:
        assert [e.path for e in b.entries] == ["ok.pdf"]
        assert _unsafe(b)["link.pdf"] == "symlink"


def test_encrypted_member_is_unsafe(tmp_path):
    with open_bundle(hostile.encrypted_member_zip(tmp_path / "b.zip")) as b:
        assert [e.path for e in b.entries] == ["ok.pdf"]
        assert _unsafe(b)["secret.pdf"] == "encrypted-member"


def test_duplicate_names_are_unsafe(tmp_path):
    with open_bundle(hostile.duplicate_zip(tmp_path / "b.zip")) as b:
        assert [e.path for e in b.entries] == ["ok.pdf"]
        assert [f.path for f in b.unsafe] == ["营业执照.pdf", "营业执照.pdf"]
        assert [f.reason for f in b.unsafe] == ["duplicate-name", "duplicate-name"]


def test_names_differing_only_in_unicode_encoding_are_duplicates(tmp_path):
    """é composed or decomposed, 金 or its compatibility twin U+F90A: a Mac unpacks one file."""
    pdf = hostile.pdf_bytes(1)
    z = hostile.write_zip(tmp_path / "b.zip", [Member("ok.pdf", pdf),
                                                Member("章程\u00e9.pdf", pdf, utf8=True),
                                                Member("章程e\u0301.pdf", pdf, utf8=True),
                                                Member("\u91d1额.pdf", pdf, utf8=True),
                                                Member("\uf90a额.pdf", pdf, utf8=True)])
    with open_bundle(z) as b:
        assert [e.path for e in b.entries] == ["ok.pdf"]
        assert [f.reason for f in b.unsafe] == ["duplicate-name"] * 4


def test_zip_bomb_is_unsafe_by_ratio(tmp_path):
    with open_bundle(hostile.bomb_zip(tmp_path / "b.zip")) as b:
        assert [e.path for e in b.entries] == ["ok.pdf"]
        assert _unsafe(b)["bomb.pdf"] == "zip-bomb"
        assert b.unsafe[0].params["ratio"] > b.unsafe[0].params["limit"]
        assert "zip bomb" in b.unsafe[0].message("en")


def test_member_over_size_cap_is_unsafe(tmp_path):
    z = hostile.write_zip(tmp_path / "b.zip", [Member("big.pdf", os.urandom(3000)), Member("ok.pdf", b"1")])
    with open_bundle(z, limits=Limits(max_file_size=2000)) as b:
        assert [e.path for e in b.entries] == ["ok.pdf"]
        assert _unsafe(b)["big.pdf"] == "too-large"
        assert b.unsafe[0].params == {"size": 3000, "limit": 2000}
        assert b.unsafe[0].message() == "资料包条目不安全，未读取：文件过大（3000 字节，上限 2000 字节）"


def test_total_size_cap(tmp_path):
    z = hostile.write_zip(tmp_path / "b.zip", [Member(f"{c}.bin", os.urandom(1000)) for c in "abc"])
    with open_bundle(z, limits=Limits(max_total_size=2500)) as b:
        assert [e.path for e in b.entries] == ["a.bin", "b.bin"]
        assert _unsafe(b)["c.bin"] == "total-too-large" and b.unsafe[0].params == {"limit": 2500}


def test_too_many_members(tmp_path):
    z = hostile.many_members_zip(tmp_path / "b.zip", 12)
    with open_bundle(z, limits=Limits(max_members=10)) as b:
        assert len(b.entries) == 10
        assert len(b.unsafe) == 1
        assert b.unsafe[0].path == "f00010.txt"
        assert (b.unsafe[0].reason, b.unsafe[0].params) == ("too-many-members", {"limit": 10, "skipped": 2})
        assert "其余 2 个" in b.unsafe[0].message()


def test_default_member_cap_is_ten_thousand(tmp_path):
    z = hostile.many_members_zip(tmp_path / "b.zip", 10_001)
    with open_bundle(z) as b:
        assert len(b.entries) == 10_000
        assert b.unsafe[0].params["limit"] == 10_000


def test_lying_header_cannot_read_past_the_cap(tmp_path):
    # The central directory claims 1 byte; the stream holds 5000. zipfile stops at the
    # declared size and its CRC check fails: a read error, never 5000 bytes.
    z = hostile.write_zip(tmp_path / "b.zip", [Member("a.pdf", b"A" * 5000, compress=zipfile.ZIP_STORED)])
    data = bytearray(z.read_bytes())
    cd = data.rfind(b"PK\x01\x02")
    data[cd + 24:cd + 28] = (1).to_bytes(4, "little")  # uncompressed size in the central directory
    z.write_bytes(bytes(data))
    with open_bundle(z) as b:
        assert b.entries == [Entry("a.pdf", 1)]
        with pytest.raises(BundleError):
            b.read("a.pdf")


def test_junk_is_skipped(tmp_path):
    z = hostile.utf8_zip(tmp_path / "b.zip", [
        "营业执照.pdf", "__MACOSX/._营业执照.pdf", ".DS_Store", "资料/Thumbs.db", "desktop.ini",
        "~$公司简历.docx", "._x.pdf"], data=b"1")
    with open_bundle(z) as b:
        assert [e.path for e in b.entries] == ["营业执照.pdf"]
        assert b.unsafe == []
    assert is_junk("a/.~lock.公司简历.docx#")
    assert not is_junk("bundle.yaml")


def test_nested_zip_is_a_file(tmp_path):
    inner = (hostile.utf8_zip(tmp_path / "inner.zip", ["a.pdf"])).read_bytes()
    z = hostile.utf8_zip(tmp_path / "b.zip", ["附件.zip"], data=inner)
    with open_bundle(z) as b:
        assert [e.path for e in b.entries] == ["附件.zip"]
        assert b.read("附件.zip") == inner


def test_missing_path_is_bundle_error(tmp_path):
    with pytest.raises(BundleError, match="资料包不存在"):
        open_bundle(tmp_path / "nope")


def test_not_a_zip_is_bundle_error(tmp_path):
    f = tmp_path / "b.pdf"
    f.write_bytes(hostile.pdf_bytes(1))
    with pytest.raises(BundleError, match="b.pdf：是单个 PDF 文件，不是客户资料文件夹或 .zip 压缩包") as err:
        open_bundle(f)
    assert (err.value.code, dict(err.value.facts)) == ("bundle-not-zip", {"root": str(f), "kind": "pdf"})


def test_truncated_zip_is_bundle_error(tmp_path):
    with pytest.raises(BundleError) as err:
        open_bundle(hostile.corrupt_zip(tmp_path / "b.zip"))
    assert err.value.exit_code == 2


def test_damaged_central_directory_is_bundle_error(tmp_path):
    z = hostile.utf8_zip(tmp_path / "b.zip", ["a.pdf", "b.pdf"])
    data = bytearray(z.read_bytes())
    cd = data.find(b"PK\x01\x02")
    data[cd:cd + 4] = b"XXXX"
    z.write_bytes(bytes(data))
    with pytest.raises(BundleError, match="损坏"):
        open_bundle(z)


# -- folders ----------------------------------------------------------------------------------


def test_folder_bundle_lists_files_sorted(tmp_path):
    root = tmp_path / "client"
    hostile.write_pdf(root / "申请人资料" / "营业执照.pdf", 1)
    (root / "bundle.yaml").write_text("checklist: dev-loan\n", encoding="utf-8")
    (root / ".DS_Store").write_bytes(b"junk")
    (root / "项目资料").mkdir()
    with open_bundle(root) as b:
        assert [e.path for e in b.entries] == ["bundle.yaml", "申请人资料/营业执照.pdf"]
        assert b.read("bundle.yaml") == b"checklist: dev-loan\n"
        assert b.entries[1].size == (root / "申请人资料" / "营业执照.pdf").stat().st_size


def test_folder_symlinks_out_of_the_bundle_are_unsafe(tmp_path):
    outside = tmp_path / "secret.txt"
    outside.write_text("secret")
    root = tmp_path / "client"
    root.mkdir()
    (root / "ok.txt").write_text("ok")
    (root / "leak.pdf").symlink_to(outside)
    (root / "inside.txt").symlink_to(root / "ok.txt")
    (root / "etc").symlink_to("/etc", target_is_directory=True)
    with open_bundle(root) as b:
        assert [e.path for e in b.entries] == ["inside.txt", "ok.txt"]
        unsafe = _unsafe(b)
        assert set(unsafe) == {"leak.pdf", "etc"}
        assert unsafe == {"leak.pdf": "symlink-outside", "etc": "folder-symlink"}


def test_folder_fifo_is_unsafe(tmp_path):
    root = tmp_path / "client"
    root.mkdir()
    os.mkfifo(root / "pipe.pdf")
    with open_bundle(root) as b:
        assert b.entries == []
        assert _unsafe(b)["pipe.pdf"] == "special-file"
        assert b.unsafe[0].message() == "资料包条目不安全，未读取：不是普通文件（设备、管道等）"


def test_folder_gbk_file_name_is_decoded(tmp_path):
    root = tmp_path / "client"
    root.mkdir()
    raw = os.path.join(os.fsencode(root), "营业执照.pdf".encode("gbk"))
    with open(raw, "wb") as fh:
        fh.write(b"%PDF-1.4")
    with open_bundle(root) as b:
        assert [e.path for e in b.entries] == ["营业执照.pdf"]
        assert b.read("营业执照.pdf") == b"%PDF-1.4"


def test_folder_file_over_cap_is_unsafe(tmp_path):
    root = tmp_path / "client"
    root.mkdir()
    (root / "big.pdf").write_bytes(b"x" * 3000)
    with open_bundle(root, limits=Limits(max_file_size=1000)) as b:
        assert b.entries == []
        assert _unsafe(b)["big.pdf"] == "too-large"
        assert b.unsafe[0].params == {"size": 3000, "limit": 1000}


def test_corrupt_member_data_is_bundle_error_not_zlib_error(tmp_path):
    z = hostile.write_zip(tmp_path / "b.zip", [Member("bundle.yaml", b"checklist: dev-loan\n" * 200)])
    data = bytearray(z.read_bytes())
    start = 30 + len("bundle.yaml")
    data[start + 5:start + 25] = bytes(range(20))  # scramble the deflate stream
    z.write_bytes(bytes(data))
    with open_bundle(z) as b:
        with pytest.raises(BundleError):
            b.read("bundle.yaml")


def test_unsupported_zip_version_is_bundle_error(tmp_path):
    z = hostile.utf8_zip(tmp_path / "b.zip", ["a.pdf"])
    data = bytearray(z.read_bytes())
    cd = data.find(b"PK\x01\x02")
    data[cd + 6] = 99  # "version needed to extract" 9.9
    z.write_bytes(bytes(data))
    with pytest.raises(BundleError, match="损坏"):
        open_bundle(z)


def test_control_characters_in_names_are_unsafe(tmp_path):
    z = hostile.utf8_zip(tmp_path / "b.zip", ["a\x1b[31mb.pdf", "ok.pdf"], data=b"x")
    with open_bundle(z) as b:
        assert [e.path for e in b.entries] == ["ok.pdf"]
        assert _unsafe(b) == {"a\x1b[31mb.pdf": "control-characters"}
        assert b.unsafe[0].message() == "资料包条目不安全，未读取：名称含控制字符"


@pytest.mark.parametrize("error, code, message", [
    (OSError(errno.EIO, "Input/output error"), "unsafe-entry",
     "资料包条目不安全，未读取：文件夹无法访问（Input/output error），其中的文件未检查"),
    # not damaged, not unsafe: this user may not list it (the real chmod case: tests/cli/test_permissions.py)
    (PermissionError(errno.EACCES, "Permission denied"), "unreadable",
     "无权读取该文件夹（权限不足），其中的文件未检查；请检查文件夹权限（须可读、可进入）后重新检查"),
])
def test_folder_that_cannot_be_listed_is_reported(tmp_path, monkeypatch, error, code, message):
    root = tmp_path / "client"
    hostile.write_pdf(root / "申请人资料" / "营业执照.pdf", 1)
    hostile.write_pdf(root / "ok.pdf", 1)
    real_scandir = os.scandir

    def scandir(path="."):
        if os.fsdecode(path).endswith("申请人资料"):  # as root, chmod 000 would not stop us
            raise type(error)(error.errno, error.strerror, os.fsdecode(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    with open_bundle(root) as b:
        assert [e.path for e in b.entries] == ["ok.pdf"]
        [finding] = b.unsafe
        assert (finding.code, finding.path, finding.severity) == (code, "申请人资料", "error")
        assert finding.message() == message
