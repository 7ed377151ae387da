"""A shipped checklist is compiled once beside the package (like bytecode), checked by its key."""
from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

from docgen.check import checklist as module
from docgen.check.checklist import load_checklist
from docgen.core.resources import checklists_dir


@pytest.fixture
def shipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the shipped checklists folder standing in for the package's."""
    folder = tmp_path / "checklists"
    shutil.copytree(checklists_dir(), folder, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(module, "checklists_dir", lambda: folder)
    monkeypatch.setattr(sys, "dont_write_bytecode", False)  # whatever PYTHONDONTWRITEBYTECODE says
    module._load_cached.cache_clear()
    yield folder
    module._load_cached.cache_clear()


def _fresh_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    monkeypatch.setenv("DOCGEN_CACHE_DIR", str(tmp_path / name))
    module._load_cached.cache_clear()


def test_shipped_checklist_is_compiled_once_and_read_back(shipped: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    _fresh_cache(tmp_path, monkeypatch, "a")
    first = load_checklist("dev-loan")
    compiled = shipped / "__pycache__" / "dev-loan.plan.json"
    entry = json.loads(compiled.read_text(encoding="utf-8"))
    assert set(entry) == {"key", "doc", "plans"} and entry["plans"]
    # A new account (an empty cache folder) reads it: prove it by planting a recognisable change.
    entry["doc"]["title"]["en"] = "from the compiled form"
    compiled.write_text(json.dumps(entry), encoding="utf-8")
    _fresh_cache(tmp_path, monkeypatch, "b")
    assert load_checklist("dev-loan").title["en"] == "from the compiled form"
    assert first.title["en"] != "from the compiled form"
    # Caching turned off: neither read nor written.
    monkeypatch.setenv("DOCGEN_NO_CACHE", "1")
    module._load_cached.cache_clear()
    assert load_checklist("dev-loan").title["en"] == first.title["en"]
    monkeypatch.delenv("DOCGEN_NO_CACHE")
    # An edited checklist has another key: the compiled form is not used, and is made again.
    path = shipped / "dev-loan.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    _fresh_cache(tmp_path, monkeypatch, "c")
    assert load_checklist("dev-loan").title["en"] == first.title["en"]
    assert json.loads(compiled.read_text(encoding="utf-8"))["key"] != entry["key"]


def test_damaged_compiled_form_is_ignored(shipped: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fresh_cache(tmp_path, monkeypatch, "a")
    first = load_checklist("dev-loan")
    compiled = shipped / "__pycache__" / "dev-loan.plan.json"
    entry = json.loads(compiled.read_text(encoding="utf-8"))
    for damaged in ("{not json", json.dumps({**entry, "doc": {"title": {}}}), json.dumps({**entry, "plans": 1})):
        compiled.write_text(damaged, encoding="utf-8")
        _fresh_cache(tmp_path, monkeypatch, f"d{len(damaged)}")
        assert load_checklist("dev-loan").to_dict() == first.to_dict()


def test_a_banks_own_checklist_is_not_compiled_beside_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    own = tmp_path / "own" / "bank.yaml"
    own.parent.mkdir()
    shutil.copyfile(checklists_dir() / "dev-loan.yaml", own)
    _fresh_cache(tmp_path, monkeypatch, "a")
    assert load_checklist(own).id
    assert not (own.parent / "__pycache__").exists()
    module._load_cached.cache_clear()


def test_python_told_to_write_no_bytecode_reads_the_compiled_form_but_writes_none(
        shipped: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    compiled = shipped / "__pycache__" / "dev-loan.plan.json"
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    _fresh_cache(tmp_path, monkeypatch, "a")
    first = load_checklist("dev-loan")
    assert not compiled.exists()  # as .pyc files under -B: none written
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    _fresh_cache(tmp_path, monkeypatch, "b")
    load_checklist("dev-loan")
    entry = json.loads(compiled.read_text(encoding="utf-8"))
    entry["doc"]["title"]["en"] = "from the compiled form"
    compiled.write_text(json.dumps(entry), encoding="utf-8")
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    _fresh_cache(tmp_path, monkeypatch, "c")
    assert load_checklist("dev-loan").title["en"] == "from the compiled form"  # but one kept is read
    assert first.title["en"] != "from the compiled form"
