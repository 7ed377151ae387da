"""Cache packs: a run's entries of one kind written as one file, read back by key, bounded; record
files: written and read a record at a time, checked, kept in a folder of the user's own, bounded."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

import time

from docgen.core.cache import DamagedEntry, Packs, RecordWriter, private_folder, read_records


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


def test_a_value_with_a_lone_surrogate_is_simply_not_cached(folder: Path) -> None:
    from docgen.core.cache import read_entry, write_entry, write_json

    bad = {"名": "营业执照\udc80"}  # JSON takes it; UTF-8 cannot write it
    write_json(folder.parent / "x.json", bad)
    write_entry("facts", "a" * 64, bad)
    assert not (folder.parent / "x.json").exists() and read_entry("facts", "a" * 64) is None
    packs = Packs("thing")
    packs.put("bad", bad)
    packs.put("good", {"名": "营业执照"})
    packs.flush()
    again = Packs("thing")
    assert again.get("bad") is None and again.get("good") == {"名": "营业执照"}
    assert [p.suffix for p in folder.iterdir()] == [".pack"]


def _fill_to_merge(folder: Path) -> None:
    for run in range(Packs.MERGE_AT - 2):
        packs = Packs("thing")
        packs.put(f"run{run}", run)
        packs.flush()


def test_a_merge_removes_packs_cut_short_and_old_temporary_files(folder: Path) -> None:
    _fill_to_merge(folder)
    head = Packs._HEAD
    cut = folder / ("c" * 32 + ".pack")
    cut.write_text(f"{head}\nk\t1\nk2\t2\nend\t", encoding="utf-8")  # its end line cut short
    cut_in_a_character = folder / ("d" * 32 + ".pack")
    cut_in_a_character.write_bytes(f"{head}\nk\t\"营".encode()[:-1])
    empty = folder / ("e" * 32 + ".pack")
    empty.write_bytes(b"")  # renamed into place, its bytes lost
    other_format = folder / ("f" * 32 + ".pack")
    other_format.write_text("docgen-pack 2\nsomething newer\n", encoding="utf-8")
    old_temp = folder / f".{'a' * 32}.pack.4321.tmp"
    young_temp = folder / f".{'b' * 32}.pack.4322.tmp"
    for temp in (old_temp, young_temp):
        temp.write_text(f"{head}\nk\t1\n", encoding="utf-8")
    hours_ago = old_temp.stat().st_mtime - 2 * 3600  # a run killed two hours ago
    os.utime(old_temp, (hours_ago, hours_ago))
    short = Packs("thing")
    short.put("short", 1)
    short.flush()  # one pack short of a merge: nothing removed
    assert Packs("thing").get("k") is None
    assert all(p.exists() for p in (cut, cut_in_a_character, empty, other_format, old_temp, young_temp))
    last = Packs("thing")
    last.put("last", 1)
    last.flush()  # the merge
    left = set(folder.iterdir())
    assert not {cut, cut_in_a_character, empty, old_temp} & left
    assert {other_format, young_temp} <= left  # another format's pack and a run writing now
    assert len(left) == 3 and Packs("thing").get("run0") == 0 and Packs("thing").get("last") == 1


def test_entry_files_are_bounded_least_recently_used_first(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import docgen.core.cache as cache

    root = folder.parent
    monkeypatch.setattr(cache, "ENTRY_FILES_KEEP", 4)
    keys = [cache.cache_key(str(n)) for n in range(5)]
    for age, key in enumerate(keys[:4]):
        cache.write_entry("bundle-yaml", key, {"n": age})
        os.utime(root / f"bundle-yaml-{key}.json", (1_000_000 + age, 1_000_000 + age))
    # An older version's kind, no longer written, and files that are not entries: a user's own
    # file in the folder $DOCGEN_CACHE_DIR names, an entry-like name of another shape, a pack folder.
    legacy = root / f"inspection-{'f' * 64}.json"
    legacy.write_text("{}", encoding="utf-8")
    os.utime(legacy, (999_000, 999_000))
    kept = [root / "notes.json", root / f"bundle-yaml-{'a' * 63}.json", root / f"Upper-{'b' * 64}.json"]
    for path in kept:
        path.write_text("{}", encoding="utf-8")
        os.utime(path, (1, 1))
    assert cache.read_entry("bundle-yaml", keys[0]) == {"n": 0}  # read: now the most recently used
    cache.write_entry("checklist", keys[4], {"n": 4})  # a fifth entry, a sixth file with the legacy one
    left = sorted(path.name for path in root.glob("*.json"))
    assert left == sorted([*(path.name for path in kept),
                           *(f"bundle-yaml-{key}.json" for key in (keys[0], keys[2], keys[3])),
                           f"checklist-{keys[4]}.json"])
    assert cache.read_entry("bundle-yaml", keys[1]) is None  # the least recently used went first


def test_write_json_says_whether_it_wrote(tmp_path: Path) -> None:
    from docgen.core.cache import write_json

    assert write_json(tmp_path / "a" / "b.json", {"x": 1}) is True
    assert write_json(tmp_path / "c.json", {1, 2}) is False  # not JSON
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    assert write_json(blocker / "d.json", 1) is False  # its folder cannot be made


def test_an_entry_removed_by_another_run_during_the_bound_is_skipped(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import docgen.core.cache as cache

    root = folder.parent
    keys = [cache.cache_key(str(n)) for n in range(4)]
    for age, key in enumerate(keys[:3]):
        cache.write_entry("bundle-yaml", key, {"n": age})
        os.utime(root / f"bundle-yaml-{key}.json", (1_000_000 + age, 1_000_000 + age))
    monkeypatch.setattr(cache, "ENTRY_FILES_KEEP", 2)
    real_scandir = os.scandir

    class Vanishing:
        """Entries of which the oldest is removed between the listing and its stat (another run's bound)."""

        def __init__(self, path: object) -> None:
            self._it = real_scandir(path)

        def __enter__(self) -> "Vanishing":
            return self

        def __exit__(self, *exc: object) -> None:
            self._it.close()

        def __iter__(self):  # noqa: ANN204
            for entry in self._it:
                if keys[0] in entry.name:
                    os.unlink(entry.path)
                yield entry

    monkeypatch.setattr(cache.os, "scandir", Vanishing)
    cache.write_entry("bundle-yaml", keys[3], {"n": 3})  # no error, and the bound still holds
    monkeypatch.setattr(cache.os, "scandir", real_scandir)
    assert len(list(root.glob("bundle-yaml-*.json"))) <= 2
    assert cache.read_entry("bundle-yaml", keys[3]) == {"n": 3}


def test_record_files_are_read_back_a_record_at_a_time_and_checked(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCGEN_CACHE_DIR", str(tmp_path / "cache"))
    assert read_records("big", "one") is None
    writer = RecordWriter("big", "one", keep=2)
    for record in (b"first", b"", "第二".encode()):
        writer.add(record)
    assert read_records("big", "one") is None  # not in place before the commit
    writer.commit()
    folder = tmp_path / "cache" / "big-records"
    assert [path.name for path in folder.iterdir()] == ["one.rec"] and private_folder(folder)
    assert oct(folder.stat().st_mode & 0o777) == "0o700" and oct((folder / "one.rec").stat().st_mode & 0o777) == "0o600"
    assert list(read_records("big", "one")) == [b"first", b"", "第二".encode()]
    data = (folder / "one.rec").read_bytes()
    (folder / "one.rec").write_bytes(data[:-1])  # cut inside the last record
    with pytest.raises(DamagedEntry):
        list(read_records("big", "one"))
    changed = bytearray(data)
    changed[-8] ^= 1  # a byte of the first record's text
    changed[data.index(b"first")] ^= 1
    (folder / "one.rec").write_bytes(bytes(changed))
    with pytest.raises(DamagedEntry):
        list(read_records("big", "one"))
    (folder / "one.rec").write_bytes(b"something else")
    assert read_records("big", "one") is None
    # Others may write to the folder: nothing is read from it, nothing written.
    (folder / "one.rec").write_bytes(data)
    os.chmod(folder, 0o775)
    assert not private_folder(folder) and read_records("big", "one") is None
    other = RecordWriter("big", "two", keep=2)
    other.add(b"x")
    other.commit()
    assert not (folder / "two.rec").exists()
    os.chmod(folder, 0o700)
    assert list(read_records("big", "one")) == [b"first", b"", "第二".encode()]
    # A link put in the file's place, or a file others may write to, is not read.
    (folder / "one.rec").rename(folder / "elsewhere")
    (folder / "one.rec").symlink_to(folder / "elsewhere")
    assert read_records("big", "one") is None
    (folder / "elsewhere").replace(folder / "one.rec")
    os.chmod(folder / "one.rec", 0o620)
    assert read_records("big", "one") is None
    os.chmod(folder / "one.rec", 0o600)
    assert list(read_records("big", "one")) == [b"first", b"", "第二".encode()]


def test_record_files_keep_the_most_recently_used_and_drop_abandoned_ones(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCGEN_CACHE_DIR", str(tmp_path / "cache"))
    folder = tmp_path / "cache" / "big-records"
    for n, name in enumerate(("a", "b", "c")):
        writer = RecordWriter("big", name, keep=2)
        writer.add(name.encode())
        writer.commit()
        os.utime(folder / f"{name}.rec", (1000 + n, 1000 + n))
    assert sorted(path.name for path in folder.iterdir()) == ["b.rec", "c.rec"]
    assert list(read_records("big", "b")) == [b"b"]  # read: now the most recent
    old = folder / ".x.1.tmp"
    old.write_bytes(b"left by a run cut short")
    os.utime(old, (time.time() - 2 * Packs.STALE_AFTER,) * 2)
    abandoned = RecordWriter("big", "d", keep=2)
    abandoned.add(b"d")
    abandoned.discard()
    writer = RecordWriter("big", "e", keep=2)
    writer.commit()
    assert sorted(path.name for path in folder.iterdir()) == ["b.rec", "e.rec"]


def test_a_record_file_cannot_be_written_where_the_cache_folder_cannot_be_made(tmp_path: Path,
                                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "file").write_text("")
    monkeypatch.setenv("DOCGEN_CACHE_DIR", str(tmp_path / "file"))
    writer = RecordWriter("big", "one", keep=2)
    assert not writer.active
    writer.add(b"x")
    writer.commit()
    assert read_records("big", "one") is None
    monkeypatch.setenv("DOCGEN_NO_CACHE", "1")
    assert not RecordWriter("big", "one", keep=2).active and read_records("big", "one") is None
