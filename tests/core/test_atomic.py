from __future__ import annotations

import os
import stat

import pytest

from docgen.core.atomic import atomic_output, write_bytes_atomic, write_text_atomic


def test_written_file_gets_ordinary_permissions(tmp_path) -> None:
    old = os.umask(0o022)
    try:
        write_bytes_atomic(tmp_path / "a.docx", b"x")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "a.docx").stat().st_mode) == 0o644


def test_failure_leaves_no_file_and_keeps_the_old_one(tmp_path) -> None:
    target = tmp_path / "报告.docx"
    write_text_atomic(target, "旧内容")
    with pytest.raises(RuntimeError):
        with atomic_output(target, "w") as fh:
            fh.write("半截")
            raise RuntimeError("boom")
    assert target.read_text(encoding="utf-8") == "旧内容"
    assert [p.name for p in tmp_path.iterdir()] == ["报告.docx"]


def test_unwritable_output_is_an_output_error_naming_the_file(tmp_path) -> None:
    from docgen.core.errors import OutputError

    (tmp_path / "afile").write_text("x", encoding="utf-8")
    blocked = tmp_path / "afile" / "报告.docx"  # a file where the folder should be
    with pytest.raises(OutputError, match=f"无法写入 {blocked}") as err:
        write_bytes_atomic(blocked, b"x")
    assert err.value.exit_code == 2


@pytest.mark.parametrize("kind", ["fifo", "folder"])
def test_an_existing_fifo_or_folder_is_never_replaced_by_the_output(tmp_path, kind) -> None:
    from docgen.core.errors import OutputError

    target = tmp_path / "out.json"
    os.mkfifo(target) if kind == "fifo" else target.mkdir()
    with pytest.raises(OutputError, match="不是普通文件") as err:
        write_text_atomic(target, "{}")
    assert err.value.exit_code == 2
    assert (stat.S_ISFIFO if kind == "fifo" else stat.S_ISDIR)(target.lstat().st_mode)
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]  # no .part left either


def test_a_link_to_a_regular_file_is_still_written(tmp_path) -> None:
    (tmp_path / "real.json").write_text("old", encoding="utf-8")
    (tmp_path / "link.json").symlink_to(tmp_path / "real.json")
    write_text_atomic(tmp_path / "link.json", "new")
    assert (tmp_path / "link.json").read_text(encoding="utf-8") == "new"
