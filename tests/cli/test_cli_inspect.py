"""``docgen inspect``: output fields and exit codes."""
from __future__ import annotations

import hashlib
import json

from click.testing import CliRunner

from docgen.cli import main
from docgen.check.shapes import FILE_INFO_JSON
from docgen.core.jsonshape import mismatches
from tests import hostile


def _run(*args: str):
    return CliRunner().invoke(main, ["inspect", *args])


def test_json_fields_of_a_good_pdf(tmp_path):
    f = hostile.write_pdf(tmp_path / "营业执照.pdf", pages=4)
    result = _run(str(f), "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data == {
        "path": str(f), "kind": "pdf", "size": f.stat().st_size,
        "sha256": hashlib.sha256(f.read_bytes()).hexdigest(), "pages": 4, "encrypted": False,
        "readable": True, "signed": False, "problem": None, "detail": "", "detail_en": "",
    }
    assert mismatches(data, FILE_INFO_JSON) == []  # the shape the README documents


def test_text_output(tmp_path):
    f = hostile.write_pdf(tmp_path / "公司章程.pdf", pages=2)
    result = _run(str(f))
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == f"文件 file：{f}"
    assert "  类型 kind：pdf" in lines
    assert "  页数 pages：2" in lines
    assert "  加密 encrypted：否 no" in lines
    assert "  可读 readable：是 yes" in lines
    assert "  问题 problem：-" in lines


def test_problem_file_exits_1(tmp_path):
    result = _run(str(hostile.jpg_named_pdf(tmp_path / "营业执照.pdf")))
    assert result.exit_code == 1
    assert "  问题 problem：wrong-type：内容是 JPEG 图片，扩展名却是 .pdf" in result.output.splitlines()


def test_encrypted_exits_1_with_json(tmp_path):
    result = _run(str(hostile.user_password_pdf(tmp_path / "a.pdf")), "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert (data["encrypted"], data["readable"], data["problem"]) == (True, False, "encrypted")


def test_empty_and_truncated_exit_1(tmp_path):
    assert _run(str(hostile.empty_file(tmp_path / "a.pdf"))).exit_code == 1
    result = _run(str(hostile.truncated_pdf(tmp_path / "b.pdf")), "--format", "json")
    assert result.exit_code == 1
    assert json.loads(result.output)["problem"] == "unreadable"


def test_missing_file_exits_2(tmp_path):
    result = _run(str(tmp_path / "nope.pdf"))
    assert result.exit_code == 2
    assert f"的取值无效：“{tmp_path / 'nope.pdf'}”不存在" in result.output


def test_directory_is_usage_error(tmp_path):
    assert _run(str(tmp_path)).exit_code == 2


def test_bad_format_is_usage_error(tmp_path):
    f = hostile.write_pdf(tmp_path / "a.pdf", 1)
    assert _run(str(f), "--format", "xml").exit_code == 2


def test_help_has_examples():
    result = _run("--help")
    assert result.exit_code == 0
    assert "docgen inspect 申请人资料/营业执照.pdf" in result.output
