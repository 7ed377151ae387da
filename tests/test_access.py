"""``docgen.core.access`` and the readers and writers that use it, run where permissions apply.

Each call runs in a child process file modes bind (``tests/unprivileged.py``), which prints the
class, code, facts and exit code of the ``DocgenError`` raised (``null`` for none). The command
line's use of the same wording is in ``tests/cli/test_permissions.py``.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from unprivileged import ROOT, modes, python_denied

#: Runs ``sys.argv[1]`` (an expression over ``p``, ``q``: the paths given after it) and prints the error.
_PROBE = r"""
import json, sys
from pathlib import Path
from docgen.core import access, errors
p, q = Path(sys.argv[2]), Path(sys.argv[3])
try:
    exec(sys.argv[1])
except errors.DocgenError as exc:
    print(json.dumps({"class": type(exc).__name__, "code": exc.code, "exit": exc.exit_code,
                      "facts": {k: str(v) for k, v in exc.facts.items()}, "message": str(exc)}, ensure_ascii=False))
else:
    print("null")
"""


def _raised(statement: str, p: Path, q: Path | None = None) -> dict | None:
    done = python_denied("-c", _PROBE, statement, p, q or p)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


def _identity(error: dict | None) -> tuple | None:
    return None if error is None else (error["class"], error["code"], error["exit"], error["facts"])


@pytest.fixture()
def tree(tmp_path: Path) -> Path:
    """``a.yaml`` (a mapping), ``a.csv``, ``a.xlsx``, ``folder/`` holding ``inner.yaml``, and an empty ``ro/``."""
    (tmp_path / "a.yaml").write_text("a: 1\n", encoding="utf-8")
    (tmp_path / "folder").mkdir()
    (tmp_path / "folder" / "inner.yaml").write_text("a: 1\n", encoding="utf-8")
    (tmp_path / "a.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    shutil.copy(ROOT / "examples" / "templates" / "demand-letters.xlsx", tmp_path / "a.xlsx")
    (tmp_path / "ro").mkdir()
    return tmp_path


def test_check_readable_names_what_may_not_be_read(tree: Path) -> None:
    read, folder, inner = tree / "a.yaml", tree / "folder", tree / "folder" / "inner.yaml"
    with modes((read, 0)):
        assert _identity(_raised("access.check_readable(p)", read)) == (
            "InputError", "access-read", 2, {"path": str(read)})
    with modes((folder, 0o300)):
        assert _identity(_raised("access.check_readable(p)", folder)) == (
            "InputError", "access-list", 2, {"path": str(folder)})
    with modes((folder, 0o600)):
        assert _identity(_raised("access.check_readable(p)", inner)) == (
            "InputError", "access-search", 2, {"path": str(inner)})
    assert _raised("access.check_readable(p)", read) is None
    assert _raised("access.check_readable(p)", tree / "missing.yaml") is None  # saying so is the caller's part


def test_check_writable_names_the_folder_to_fix(tree: Path) -> None:
    ro = tree / "ro"
    with modes((ro, 0o555)):
        assert _identity(_raised("access.check_writable(p)", ro / "out.json")) == (
            "OutputError", "access-write", 2, {"path": str(ro / "out.json"), "folder": str(ro)})
        # folders still to be made are made in the nearest one that exists
        assert _identity(_raised("access.check_writable(p, folder=True)", ro / "a" / "b")) == (
            "OutputError", "access-write", 2, {"path": str(ro / "a" / "b"), "folder": str(ro)})
        assert _identity(_raised("access.check_writable(p, folder=True)", ro)) == (
            "OutputError", "access-write", 2, {"path": str(ro), "folder": str(ro)})
    assert _raised("access.check_writable(p, folder=True)", ro) is None
    read_only = tree / "a.yaml"
    with modes((read_only, 0o444)):
        assert _raised("access.check_writable(p)", read_only) is None  # replaced whole, not changed
        assert _identity(_raised("access.check_writable(p, in_place=True)", read_only)) == (
            "OutputError", "access-change", 2, {"path": str(read_only)})


def test_the_message_says_what_to_do(tree: Path) -> None:
    with modes((tree / "a.yaml", 0)):
        error = _raised("access.check_readable(p)", tree / "a.yaml")
    assert error["message"] == f"{tree}/a.yaml：无权读取该文件（权限不足）；请检查文件权限，或请管理员为当前用户开放读取权限"


#: (a reader or writer met with a path it may not use; the class its contract names; the code)
READERS = [
    ("from docgen.core.datafile import read_mapping; read_mapping(p, what='x', error=errors.ChecklistError)",
     "a.yaml", "ChecklistError", "access-read"),
    ("from docgen.core.tabular import read_table; read_table(p, {})", "a.csv", "InputError", "access-read"),
    ("from docgen.core.tabular import read_table; read_table(p, {})", "a.xlsx", "InputError", "access-read"),
    ("from docgen.loans.ledger import read_ledger; read_ledger(p)", "a.xlsx", "InputError", "access-read"),
    ("from docgen.check.bundle import open_bundle; open_bundle(p)", "folder", "BundleError", "access-list"),
    # an .xlsx is a zip: a bundle that may not be opened is not "no zip" nor "damaged"
    ("from docgen import check_bundle; check_bundle(p)", "a.xlsx", "BundleError", "access-read"),
    ("from docgen.check.checklist import load_checklist; load_checklist(p)", "a.yaml", "ChecklistError",
     "access-read"),
    ("from docgen.documents.lint import lint_docx; lint_docx(p)", "a.yaml", "TemplateError", "access-read"),
    ("from docgen.documents.register import Register; Register(p, readonly=True)", "a.yaml", "RegisterDeniedError",
     "access-read"),
]


@pytest.mark.parametrize("statement, name, cls, code", READERS,
                         ids=[f"{r[0].split(';')[0].split()[-1]}-{r[1]}" for r in READERS])
def test_every_reader_words_a_refusal_the_same_way(tree: Path, statement: str, name: str, cls: str, code: str) -> None:
    with modes((tree / name, 0)):
        assert _identity(_raised(statement, tree / name)) == (cls, code, 2, {"path": str(tree / name)})


def test_an_atomic_write_into_a_closed_folder_leaves_nothing(tree: Path) -> None:
    ro = tree / "ro"
    with modes((ro, 0o555)):
        error = _raised("from docgen.core.atomic import write_bytes_atomic; write_bytes_atomic(p, b'x')", ro / "o.json")
    assert _identity(error) == ("OutputError", "access-write", 2, {"path": str(ro / "o.json"), "folder": str(ro)})
    assert list(ro.iterdir()) == []


def test_a_register_that_may_not_be_written_is_refused_before_sqlite_calls_it_damaged(tree: Path) -> None:
    ro = tree / "ro"
    with modes((ro, 0o555)):
        error = _raised("from docgen.documents.register import Register; Register(p).close()", ro / "reg.sqlite")
    assert _identity(error) == ("RegisterDeniedError", "access-write", 2,
                                {"path": str(ro / "reg.sqlite"), "folder": str(ro)})


def test_the_service_data_folder_is_checked_when_the_service_prepares_it(tree: Path) -> None:
    data = tree / "svc"
    prepare = "from docgen.service.settings import Settings; Settings(p).prepare()"
    assert _raised(prepare, data) is None
    (data / "service.sqlite").write_bytes(b"")
    with modes((data / "service.sqlite", 0)):
        assert _identity(_raised(prepare, data)) == ("InputError", "access-read", 2,
                                                     {"path": str(data / "service.sqlite")})
    # the signing key is only read once made: a read-only one serves
    (data / "secret.key").write_text("00" * 32, encoding="ascii")
    with modes((data / "secret.key", 0o400)):
        assert _raised(prepare, data) is None
