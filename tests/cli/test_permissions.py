"""Paths the user gives that this user may not read or write: one clear line, exit 2, nothing left.

Every command runs in a child process file permissions apply to (``tests/unprivileged.py``: as
root, without the capabilities that override them), so a file of mode 000, a folder of mode 0300
(enterable, not listable) or 0555 (not writable) is refused as it is for a clerk's account.
Each run must exit 2 with exactly one ``Error:`` line from ``docgen.core.access``'s wording,
never a traceback, and leave no file (finished, temporary or partial) in a folder it could not
write. Inside a bundle, a file or folder that may not be read is an ``unreadable`` finding that
says so (exit 1), not a damaged file, not a missing one.
"""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from unprivileged import ROOT, assert_denied, docgen_denied, modes

from docgen.cli.messages import MESSAGES as CLI
from docgen.core.messages import MESSAGES as CORE

EXAMPLES = ROOT / "examples"


def _line(code: str, path: Path, **facts: object) -> str:
    """The one stderr line docgen must print for ``code`` about ``path``."""
    message = CORE.text(code, {"path": str(path), **{k: str(v) for k, v in facts.items()}})
    return CLI.text("usage/error", {"message": message}) + "\n"


@pytest.fixture()
def work(tmp_path: Path) -> Path:
    """A folder with a copy of each example input, and ``ro``, a folder no file may be made in."""
    shutil.copy(EXAMPLES / "ledger" / "ledger-2026Q2.xlsx", tmp_path / "ledger.xlsx")
    shutil.copy(EXAMPLES / "ledger" / "notes.yaml", tmp_path / "notes.yaml")
    shutil.copy(EXAMPLES / "templates" / "demand-letters.xlsx", tmp_path / "rows.xlsx")
    shutil.copy(EXAMPLES / "templates" / "commitment-letter.yaml", tmp_path / "data.yaml")
    shutil.copy(EXAMPLES / "collection-policy.yaml", tmp_path / "policy.yaml")
    shutil.copytree(EXAMPLES / "bundle", tmp_path / "bundle")
    shutil.copy(ROOT / "docgen" / "templates" / "demand-letter.docx", tmp_path / "t.docx")
    (tmp_path / "ro").mkdir()
    return tmp_path


def test_the_child_really_is_refused(work: Path) -> None:
    secret = work / "data.yaml"
    with modes((secret, 0), (work / "ro", 0o555), (work / "bundle", 0o300)):
        assert_denied(secret, "read")
        assert_denied(work / "ro", "write")
        assert_denied(work / "bundle", "list")


#: (case, argv with {W} for the work folder, the path made unreadable, its mode, the refused path, code)
READS = [
    ("check bundle 000", ["check", "{W}/bundle"], "bundle", 0, "bundle", "access-list"),
    ("check bundle 0300", ["check", "{W}/bundle"], "bundle", 0o300, "bundle", "access-list"),
    ("check --checklist", ["check", "{W}/bundle", "--checklist", "{W}/policy.yaml"], "policy.yaml", 0,
     "policy.yaml", "access-read"),
    ("draft bundle.yaml", ["draft", "{W}/bundle", "--out", "{W}/d"], "bundle/bundle.yaml", 0, "bundle/bundle.yaml",
     "access-read"),
    ("render --data", ["render", "commitment-letter", "--data", "{W}/data.yaml", "-o", "{W}/r.docx"], "data.yaml", 0,
     "data.yaml", "access-read"),
    ("render --template", ["render", "--template", "{W}/t.docx", "--data", "{W}/data.yaml", "-o", "{W}/r.docx"],
     "t.docx", 0, "t.docx", "access-read"),
    ("batch --rows", ["batch", "demand-letter", "--rows", "{W}/rows.xlsx", "--out", "{W}/b", "--no-progress"],
     "rows.xlsx", 0, "rows.xlsx", "access-read"),
    ("npl-report --ledger", ["npl-report", "--ledger", "{W}/ledger.xlsx", "--period", "2026Q2"], "ledger.xlsx", 0,
     "ledger.xlsx", "access-read"),
    ("npl-report --notes", ["npl-report", "--ledger", "{W}/ledger.xlsx", "--period", "2026Q2", "--notes",
                            "{W}/notes.yaml"], "notes.yaml", 0, "notes.yaml", "access-read"),
    ("collect plan --policy", ["collect", "plan", "--ledger", "{W}/ledger.xlsx", "--policy", "{W}/policy.yaml"],
     "policy.yaml", 0, "policy.yaml", "access-read"),
    ("collect letters --ledger", ["collect", "letters", "--ledger", "{W}/ledger.xlsx", "--out", "{W}/l"],
     "ledger.xlsx", 0, "ledger.xlsx", "access-read"),
    ("templates lint", ["templates", "lint", "{W}/t.docx"], "t.docx", 0, "t.docx", "access-read"),
    ("inspect", ["inspect", "{W}/t.docx"], "t.docx", 0, "t.docx", "access-read"),
    ("checklist validate", ["checklist", "validate", "{W}/policy.yaml"], "policy.yaml", 0, "policy.yaml",
     "access-read"),
    ("checklist show", ["checklist", "show", "{W}/policy.yaml"], "policy.yaml", 0, "policy.yaml", "access-read"),
    ("register migrate --from", ["register", "migrate", "--from", "{W}/data.yaml", "--to", "postgresql://127.0.0.1:1/x"],
     "data.yaml", 0, "data.yaml", "access-read"),
    # a file in a folder that may be listed but not entered: click would say it "does not exist"
    ("path through a closed folder", ["collect", "plan", "--ledger", "{W}/ro/l.xlsx"], "ro", 0o600, "ro/l.xlsx",
     "access-search"),
]


@pytest.mark.parametrize("argv, closed, mode, refused, code", [c[1:] for c in READS], ids=[c[0] for c in READS])
def test_an_input_this_user_may_not_read_is_one_line_exit_2(work: Path, argv: list[str], closed: str, mode: int,
                                                           refused: str, code: str) -> None:
    shutil.copy(work / "ledger.xlsx", work / "ro" / "l.xlsx")
    with modes((work / closed, mode)):
        done = docgen_denied(*(a.replace("{W}", str(work)) for a in argv), cwd=work)
    assert (done.returncode, done.stderr) == (2, _line(code, work / refused))
    assert done.stdout == ""


def test_the_wording_of_a_refused_file(work: Path) -> None:
    with modes((work / "ledger.xlsx", 0)):
        done = docgen_denied("collect", "plan", "--ledger", work / "ledger.xlsx", cwd=work)
    assert done.stderr == (f"错误：{work}/ledger.xlsx：无权读取该文件（权限不足）；请检查文件权限，"
                           "或请管理员为当前用户开放读取权限\n")


#: (case, argv writing into {RO}, the path named)
WRITES = [
    ("check -o", ["check", "{W}/bundle", "--as-of", "2026-11-28", "--format", "json", "-o", "{RO}/r.json"], "r.json"),
    ("check docx", ["check", "{W}/bundle", "--as-of", "2026-11-28", "--format", "docx", "-o", "{RO}/r.docx"],
     "r.docx"),
    ("init", ["init", "{RO}/new"], "new"),
    ("checklist show -o", ["checklist", "show", "dev-loan", "-o", "{RO}/c.txt"], "c.txt"),
    ("render -o", ["render", "commitment-letter", "--data", "{W}/data.yaml", "-o", "{RO}/r.docx"], "r.docx"),
    ("batch --out", ["batch", "demand-letter", "--rows", "{W}/rows.xlsx", "--out", "{RO}", "--no-progress"], ""),
    ("batch --out below", ["batch", "demand-letter", "--rows", "{W}/rows.xlsx", "--out", "{RO}/b", "--no-progress"],
     "b"),
    ("draft --out", ["draft", "{W}/bundle", "--annex", "4", "--as-of", "2026-11-28", "--out", "{RO}"], ""),
    ("npl-report -o", ["npl-report", "--ledger", "{W}/ledger.xlsx", "--period", "2026Q2", "--notes", "{W}/notes.yaml",
                       "-o", "{RO}/n.docx"], "n.docx"),
    ("collect plan xlsx", ["collect", "plan", "--ledger", "{W}/ledger.xlsx", "--format", "xlsx", "-o", "{RO}/p.xlsx"],
     "p.xlsx"),
    ("collect letters --out", ["collect", "letters", "--ledger", "{W}/ledger.xlsx", "--policy", "{W}/policy.yaml",
                               "--as-of", "2026-06-30", "--out", "{RO}/l", "--no-progress"], "l"),
    ("serve --data", ["serve", "--data", "{RO}/svc", "--port", "1"], "svc"),
    ("users list --data", ["users", "list", "--data", "{RO}"], ""),
]


@pytest.mark.parametrize("argv, named", [c[1:] for c in WRITES], ids=[c[0] for c in WRITES])
def test_an_output_folder_this_user_may_not_write_is_one_line_exit_2_and_stays_empty(
        work: Path, argv: list[str], named: str) -> None:
    ro = work / "ro"
    with modes((ro, 0o555)):
        done = docgen_denied(*(a.replace("{W}", str(work)).replace("{RO}", str(ro)) for a in argv), cwd=work)
    target = ro / named if named else ro
    assert (done.returncode, done.stderr) == (2, _line("access-write", target, folder=ro))
    assert os.listdir(ro) == []


def test_a_register_this_user_may_not_read_is_not_called_damaged(work: Path) -> None:
    register = work / "reg.sqlite"
    register.write_bytes(b"")
    with modes((register, 0)):
        done = docgen_denied("register", "list", "--register", register, cwd=work)
    assert (done.returncode, done.stderr) == (2, _line("access-read", register))


def test_a_service_database_this_user_may_not_change_stops_the_start(work: Path) -> None:
    data = work / "svc"
    first = docgen_denied("users", "list", "--data", data, cwd=work)
    assert first.returncode == 0, first.stderr
    database = data / "service.sqlite"
    with modes((database, 0o444)):
        done = docgen_denied("serve", "--data", data, "--port", "1", cwd=work)
    assert (done.returncode, done.stderr) == (2, _line("access-change", database))


def _findings(done) -> list[dict]:  # type: ignore[no-untyped-def]
    assert done.returncode == 1, done.stderr
    return [f for f in json.loads(done.stdout)["findings"] if f["code"] == "unreadable" and f["item"] is None]


def test_a_bundle_file_this_user_may_not_read_is_an_unreadable_finding_that_says_why(work: Path) -> None:
    minutes = work / "bundle" / "会议纪要.pdf"
    with modes((minutes, 0)):
        zh = docgen_denied("check", work / "bundle", "--as-of", "2026-11-28", "--format", "json", cwd=work)
        en = docgen_denied("check", work / "bundle", "--as-of", "2026-11-28", "--format", "json", "--lang", "en",
                           cwd=work)
    assert [(f["path"], f["message"]) for f in _findings(zh)] == [
        ("会议纪要.pdf", "无权读取该文件（权限不足），内容未检查；请检查文件权限后重新检查")]
    assert [f["message"] for f in _findings(en)] == [
        "no permission to read the file; its content was not checked: check its permissions, then check again"]


@pytest.mark.parametrize("mode", [0, 0o300], ids=["000", "0300"])
def test_a_bundle_folder_this_user_may_not_list_is_an_unreadable_error(work: Path, mode: int) -> None:
    stage = work / "bundle" / "01-申请前期"
    with modes((stage, mode)):
        done = docgen_denied("check", work / "bundle", "--as-of", "2026-11-28", "--format", "json", cwd=work)
    assert [(f["path"], f["severity"], f["message"]) for f in _findings(done)] == [
        ("01-申请前期", "error", "无权读取该文件夹（权限不足），其中的文件未检查；请检查文件夹权限（须可读、可进入）后重新检查")]


def test_an_issued_file_this_user_may_not_read_is_unreadable_not_missing(work: Path) -> None:
    register = work / "reg.sqlite"
    made = docgen_denied("batch", "demand-letter", "--rows", work / "rows.xlsx", "--out", work / "b", "--no-progress",
                         "--register", register, cwd=work)
    assert made.returncode == 0, made.stderr
    issued = sorted((work / "b").glob("*.docx"))
    with modes((issued[0], 0)):
        done = docgen_denied("register", "verify", "--register", register, "--format", "json", cwd=work)
        text = docgen_denied("register", "verify", "--register", register, cwd=work)
    assert done.returncode == 1, done.stderr
    problems = json.loads(done.stdout)["problems"]
    assert [(Path(p["file"]).name, p["status"]) for p in problems] == [(issued[0].name, "unreadable")]
    assert f"{issued[0]}：无权读取（权限不足），无法核对；请检查文件权限后重新核对" in text.stdout


def test_a_closed_folder_given_for_a_file_is_refused_as_a_folder(work: Path) -> None:
    """What is wrong first is the kind of path, whatever its permissions: the option's own refusal."""
    (work / "closed").mkdir()
    with modes((work / "closed", 0o300)):
        done = docgen_denied("render", "commitment-letter", "--data", work / "closed", "-o", work / "r.docx", cwd=work)
    assert done.returncode == 2
    assert done.stderr.splitlines()[-1] == f"错误：“--data”的取值无效：“{work}/closed”是文件夹，此处应为文件"
