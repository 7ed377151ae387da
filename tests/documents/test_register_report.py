"""``list_register`` and ``verify_register``: the register's records and its soundness as data, worded
from the documents message table."""
from __future__ import annotations

from pathlib import Path

import pytest

from docgen.core.errors import InputError
from docgen.documents.messages import MESSAGES
from docgen.documents.register import ISSUE_CODES, Register, sha256_file
from docgen.documents.register_report import list_register, verify_register


def serial(seq: int) -> str:
    return f"催字〔2026〕第{seq:05d}号"


def _register(path: Path) -> Path:
    """Three records: HT-1 intact, HT-2 whose file was edited, HT-3 reserved and never written."""
    docs = path.parent / "docs"
    docs.mkdir()
    with Register(path) as reg:
        for n in (1, 2, 3):
            reg.reserve("t", f"HT-{n}", serial)
        for n in (1, 2):
            doc = docs / f"{n}.docx"
            doc.write_bytes(f"letter {n}".encode())
            reg.complete("t", f"HT-{n}", doc, sha256_file(doc))
    (docs / "2.docx").write_bytes(b"edited")
    return path


def test_a_missing_register_lists_nothing_and_is_not_created(tmp_path: Path) -> None:
    path = tmp_path / "none.sqlite"
    listing = list_register(path)
    assert listing.records == [] and listing.to_json() == []
    assert listing.to_text() == f"登记簿 {path} 中没有记录\n"
    result = verify_register(path)
    assert (result.ok, result.checked, result.issues, result.failures) == (True, 0, [], [])
    assert not path.exists()


def test_listing_names_reserved_serials(tmp_path: Path) -> None:
    path = _register(tmp_path / "reg.sqlite")
    listing = list_register(path, "t")
    assert [r.row_key for r in listing.records] == ["HT-1", "HT-2", "HT-3"]
    text = listing.to_text().splitlines()
    assert text[0] == f"登记簿 {path}：3 条"
    assert text[-1] == MESSAGES.text("register-list/reserved", {"serials": [serial(3)]})
    assert "其中 1 个编号已预留但未生成文书（催字〔2026〕第00003号）" in text[-1]
    assert list_register(path, "commitment-letter").records == []  # shipped, none issued yet
    with pytest.raises(InputError, match="中没有模板 other 的记录，也没有这个模板（登记簿中的模板：t）"):
        list_register(path, "other")  # neither shipped nor recorded: a misspelt name


def test_verification_reports_statuses_by_code(tmp_path: Path) -> None:
    path = _register(tmp_path / "reg.sqlite")
    result = verify_register(path)
    assert not result.ok and result.checked == 3 and result.problems == []
    assert [(r.row_key, status) for r, status in result.failures] == [("HT-2", "changed"), ("HT-3", "incomplete")]
    data = result.to_dict()
    assert (data["ok"], data["checked"], [p["status"] for p in data["problems"]]) == (False, 3, ["changed", "incomplete"])
    assert result.to_text().splitlines()[-1] == f"登记簿 {path}：检查 3 份，2 处有问题"


def test_an_unanchored_register_is_said_but_not_a_problem(tmp_path: Path) -> None:
    path = _register(tmp_path / "reg.sqlite")
    (tmp_path / "docs" / "2.docx").write_bytes(b"letter 2")
    Path(str(path) + ".anchor").unlink()
    result = verify_register(path, "t")
    assert [i.code for i in result.issues] == ["unanchored"] and result.problems == []
    assert [status for _, status in result.failures] == ["incomplete"]
    assert result.to_text().splitlines()[0] == f"登记簿 {path}：" + MESSAGES.text("register/unanchored")


def test_every_register_code_has_wording() -> None:
    assert {f"register/{c}" for c in ISSUE_CODES} <= MESSAGES.codes()
    assert {f"register-verify/{s}" for s in ("changed", "missing", "incomplete")} <= MESSAGES.codes()
    assert MESSAGES.text("register-detail/integrity", {"first": "page 3", "count": 4}) == "page 3 等 4 处"
    assert MESSAGES.text("register-detail/integrity", {"first": "page 3", "count": 1}) == "page 3"


def test_a_migration_is_worded_from_the_table() -> None:
    from docgen.documents.register_migrate import Migration

    done = Migration("r-1", records=12, templates=2, source="reg.sqlite", target="postgresql://db/docgen")
    assert done.to_text() == ("已迁移登记簿 reg.sqlite → postgresql://db/docgen：12 条记录、2 个模板的编号序列；"
                              "副本已逐条核对一致并通过检查。请改用新登记簿，不要再向旧文件分配编号\n")
    assert done.to_dict()["verified"] is True
