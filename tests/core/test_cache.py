"""Cache packs: a run's entries of one kind written as one file, read back by key, bounded."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from docgen.core.cache import Packs


@pytest.fixture()
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DOCGEN_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache" / "thing-packs"


def test_a_runs_entries_are_one_file_read_back_by_key(folder: Path) -> None:
    packs = Packs("thing")
    assert packs.get("a" * 64) is None  # a cache never used: nothing, and nothing made
    assert not folder.parent.exists()
    for n in range(50):
        packs.put(f"{n:064x}", {"n": n, "名": "营业执照"})
    assert packs.get(f"{7:064x}") == {"n": 7, "名": "营业执照"}  # the run sees its own entries
    packs.flush()
    assert len(list(folder.iterdir())) == 1  # one pack, no temporary file left
    again = Packs("thing")
    assert again.get(f"{49:064x}") == {"n": 49, "名": "营业执照"}
    assert again.get("f" * 64) is None
    again.flush()  # nothing new: nothing written
    assert len(list(folder.iterdir())) == 1


def test_a_pack_cut_short_or_damaged_reads_as_misses(folder: Path) -> None:
    packs = Packs("thing")
    packs.put("k1", [1])
    packs.put("k2", "line\u2028separator")  # split on newlines only: this is not one
    packs.flush()
    [pack] = folder.iterdir()
    assert Packs("thing").get("k2") == "line\u2028separator"
    text = pack.read_text(encoding="utf-8")
    pack.write_text(text[:-8], encoding="utf-8")  # its end line lost (a power cut)
    assert Packs("thing").get("k1") is None
    pack.write_text(text.replace("[1]", "[1"), encoding="utf-8")  # one entry damaged: that one misses
    assert Packs("thing").get("k1") is None and Packs("thing").get("k2") == "line\u2028separator"
    pack.write_text("something else\n", encoding="utf-8")
    assert Packs("thing").get("k2") is None


def test_packs_are_merged_and_bounded(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Packs, "KEEP", 10)
    for run in range(Packs.MERGE_AT - 1):
        packs = Packs("thing")
        packs.put(f"run{run}-a", run)
        packs.put(f"run{run}-b", run)
        packs.flush()
        pack = max(folder.iterdir(), key=lambda p: p.stat().st_mtime_ns)
        os.utime(pack, (1000 + run, 1000 + run))  # in the order written, whatever the clock's grain
    assert len(list(folder.iterdir())) == Packs.MERGE_AT - 1
    last = Packs("thing")
    last.put("new", "x")
    last.flush()  # the MERGE_AT-th pack: all merged into one
    assert len(list(folder.iterdir())) == 1
    merged = Packs("thing")
    assert merged.get("new") == "x"
    assert merged.get(f"run{Packs.MERGE_AT - 2}-a") == Packs.MERGE_AT - 2  # the newest kept
    kept = [run for run in range(Packs.MERGE_AT - 1) if merged.get(f"run{run}-b") is not None]
    assert kept == list(range(Packs.MERGE_AT - 1 - 9 // 2, Packs.MERGE_AT - 1))  # the oldest beyond KEEP dropped


def test_caching_off_or_an_unwritable_folder_never_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCGEN_NO_CACHE", "1")
    off = Packs("thing")
    off.put("k", 1)
    off.flush()
    assert off.get("k") is None and off.folder is None
    monkeypatch.delenv("DOCGEN_NO_CACHE")
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("DOCGEN_CACHE_DIR", str(blocker))
    stuck = Packs("thing")
    stuck.put("k", {1, 2})  # not JSON: skipped
    stuck.put("j", 1)
    stuck.flush()  # the folder cannot be made: nothing written, nothing raised
    assert Packs("thing").get("j") is None
