"""The serial register: allocation, idempotence, concurrency, verification."""
from __future__ import annotations

import multiprocessing
import os
import sqlite3
from pathlib import Path

import pytest
import yaml

from docgen.core.errors import RegisterError
from docgen.documents.register import Register, allocate_serial, record_issued, sha256_file


EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "templates"


def serial(seq: int) -> str:
    return f"催字〔2026〕第{seq:05d}号"


def test_allocation_is_sequential_and_idempotent(tmp_path: Path) -> None:
    with Register(tmp_path / "reg.sqlite") as reg:
        a = reg.reserve("demand-letter", "HT-1", serial)
        b = reg.reserve("demand-letter", "HT-2", serial)
        again = reg.reserve("demand-letter", "HT-1", serial)
        other = reg.reserve("commitment-letter", "HT-1", lambda s: f"承字第{s}号")
        assert (a.serial, a.seq, a.new) == ("催字〔2026〕第00001号", 1, True)
        assert (b.serial, b.seq, b.new) == ("催字〔2026〕第00002号", 2, True)
        assert (again.serial, again.new, again.complete) == (a.serial, False, False)
        assert (other.serial, other.seq) == ("承字第1号", 1)  # sequences are per template
        assert [r.serial for r in reg.records("demand-letter")] == [a.serial, b.serial]
        assert reg.lookup("demand-letter", "HT-3") is None


def test_reserve_many_is_contiguous_and_keeps_existing(tmp_path: Path) -> None:
    with Register(tmp_path / "reg.sqlite") as reg:
        reg.reserve("t", "k2", serial)
        out = reg.reserve_many("t", [(f"k{i}", serial) for i in range(1, 5)])
        assert [(r.record.row_key, r.seq, r.new) for r in out] == [
            ("k1", 2, True), ("k2", 1, False), ("k3", 3, True), ("k4", 4, True)]


def test_serials_are_never_reused_after_a_failed_transaction(tmp_path: Path) -> None:
    with Register(tmp_path / "reg.sqlite") as reg:
        reg.reserve("t", "a", serial)
        with pytest.raises(RegisterError, match="编号格式必须包含流水号"):
            reg.reserve_many("t", [("b", serial), ("c", lambda s: serial(1))])
        # The whole transaction rolled back: b did not keep seq 2 and nothing was skipped.
        assert reg.lookup("t", "b") is None
        assert reg.reserve("t", "d", serial).seq == 2


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rows looked up three at a time: every batch below spans several chunks."""
    from docgen.documents import register

    monkeypatch.setattr(register, "_CHUNK", 3)


def test_reserve_many_in_chunks_gives_what_rows_one_at_a_time_give(tmp_path: Path, small_chunks: None) -> None:
    keys = ["k1", "k2", "k1", "k3", "k4", "k5", "k2", "k6", "k7", "k7", "k8"]  # repeats inside and across chunks
    with Register(tmp_path / "many.sqlite") as many, Register(tmp_path / "one.sqlite") as one:
        for reg in (many, one):
            reg.reserve("t", "k4", serial)
            reg.reserve("t", "k6", serial)
            reg.complete("t", "k6", tmp_path / "k6.docx", "0" * 64)
        together = many.reserve_many("t", [(key, serial) for key in keys], owner="me:1")
        alone = [one.reserve_many("t", [(key, serial)], owner="me:1")[0] for key in keys]
        facts = [[(r.record.row_key, r.serial, r.seq, r.new, r.busy, r.complete) for r in rs] for rs in (together, alone)]
        assert facts[0] == facts[1]
        assert [(k, seq, new) for k, _, seq, new, _, _ in facts[0]][:4] == [
            ("k1", 3, True), ("k2", 4, True), ("k1", 3, False), ("k3", 5, True)]
        assert [(r.row_key, r.seq) for r in many.records("t")] == [(r.row_key, r.seq) for r in one.records("t")]
        assert many.audit() == [] and one.audit() == []
        many.complete_many("t", [(key, tmp_path / f"{key}.docx", "1" * 64) for key in ("k1", "k2", "k3", "k5", "k7")])
        assert {r.row_key for r in many.records("t") if r.is_complete} == {"k1", "k2", "k3", "k5", "k6", "k7"}
        assert many.audit() == []


def test_reserve_many_in_chunks_stops_at_the_first_clash_or_unmakeable_serial(tmp_path: Path, small_chunks: None) -> None:
    from docgen.core.errors import TemplateError

    with Register(tmp_path / "reg.sqlite") as reg:
        reg.reserve("t", "a", serial)
        fixed = [(f"b{i}", serial) for i in range(4)] + [("c", lambda s: serial(2)), ("d", lambda s: serial(1))]
        with pytest.raises(RegisterError, match="编号格式必须包含流水号") as clash:
            reg.reserve_many("t", fixed)  # c takes b0's serial, in the chunk after b0's
        assert clash.value.facts["row_key"] == "b0" and clash.value.facts["serial"] == serial(2)
        with pytest.raises(RegisterError) as clash:
            reg.reserve_many("t", [("e", lambda s: serial(1))])  # a serial held before the call
        assert clash.value.facts["row_key"] == "a"
        with pytest.raises(RegisterError) as clash:
            reg.reserve_many("t", [("f", lambda s: "同号"), ("g", lambda s: "同号")])  # inside one chunk
        assert clash.value.facts["row_key"] == "f"

        def unmakeable(seq: int) -> str:
            raise TemplateError("编号格式无法填写")

        made: list[int] = []
        with pytest.raises(TemplateError):
            reg.reserve_many("t", [("h", lambda s: made.append(s) or serial(s)), ("i", unmakeable),
                                   ("j", lambda s: made.append(s) or serial(s))])
        assert made == [2]  # the row after the one that failed is never numbered
        assert [r.row_key for r in reg.records("t")] == ["a"] and reg.reserve("t", "k", serial).seq == 2
        with pytest.raises(RegisterError, match="没有预留编号"):
            reg.complete_many("t", [("a", tmp_path / "a.docx", "0" * 64), ("k", tmp_path / "k.docx", "0" * 64),
                                    ("b0", tmp_path / "b.docx", "0" * 64), ("a", tmp_path / "a.docx", "0" * 64)])
        assert not any(r.is_complete for r in reg.records("t"))  # one transaction: nothing recorded


def test_complete_lookup_and_verify(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    files = {}
    with Register(tmp_path / "reg.sqlite") as reg:
        for key in ("ok", "changed", "missing", "incomplete"):
            reg.reserve("t", key, serial)
        for key in ("ok", "changed", "missing"):
            path = docs / f"{key}.docx"
            path.write_bytes(key.encode())
            files[key] = path
            reg.complete("t", key, path, sha256_file(path))
        record = reg.lookup("t", "ok")
        assert record is not None and record.is_complete
        assert record.file == str(files["ok"].resolve()) and len(record.sha256 or "") == 64
        assert [(r.row_key, status) for r, status in reg.verify()] == [("incomplete", "incomplete")]
        files["changed"].write_bytes(b"edited after issue")
        files["missing"].unlink()
        result = {(r.row_key, status) for r, status in reg.verify()}
        assert result == {("changed", "changed"), ("missing", "missing"), ("incomplete", "incomplete")}
        # A FIFO where the issued file was is not the file issued, and is never waited on.
        files["missing"].unlink(missing_ok=True)
        os.mkfifo(files["missing"])
        assert {(r.row_key, status) for r, status in reg.verify()} == result
        with pytest.raises(RegisterError, match="没有预留编号"):
            reg.complete("t", "never-reserved", files["ok"], "0" * 64)


def test_not_a_database_is_a_register_error(tmp_path: Path) -> None:
    bad = tmp_path / "reg.sqlite"
    bad.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(RegisterError, match="无法打开登记簿数据库"):
        Register(bad)


def test_allocate_serial_for_single_render(tmp_path: Path) -> None:
    import datetime as dt

    from docgen.documents.template import load_template

    template = load_template("demand-letter")
    context = {"contract_no": "HT-9", "letter_date": dt.date(2026, 11, 28)}
    first = allocate_serial(template, context, tmp_path / "reg.sqlite")
    assert first == "催字〔2026〕第00001号"
    assert allocate_serial(template, context, tmp_path / "reg.sqlite") == first
    letter = tmp_path / "letter.docx"
    letter.write_bytes(b"rendered")
    record = record_issued(template, context, letter, tmp_path / "reg.sqlite")
    assert (record.serial, record.file, record.sha256) == (first, str(letter.resolve()), sha256_file(letter))
    with Register(tmp_path / "reg.sqlite") as reg:
        assert reg.verify() == []
    with pytest.raises(RegisterError, match="缺少 contract_no"):
        allocate_serial(template, {"letter_date": dt.date(2026, 11, 28)}, tmp_path / "reg.sqlite")


def _allocate(args: tuple[str, str, int]) -> list[tuple[str, int]]:
    path, prefix, count = args
    out = []
    with Register(path) as reg:
        for i in range(count):
            # One transaction per row: maximal interleaving between the two processes.
            r = reg.reserve("demand-letter", f"{prefix}-{i}", serial)
            out.append((r.record.row_key, r.seq))
    return out


def test_two_processes_never_share_or_skip_a_serial(tmp_path: Path) -> None:
    path = str(tmp_path / "reg.sqlite")
    Register(path).close()
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(2) as pool:
        results = pool.map(_allocate, [(path, "A", 60), (path, "B", 60)])
    seqs = sorted(seq for chunk in results for _, seq in chunk)
    assert seqs == list(range(1, 121))
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT COUNT(DISTINCT serial), COUNT(*) FROM records").fetchone() == (120, 120)


def test_a_lock_is_told_by_sqlite_code_not_by_its_sentence(tmp_path: Path) -> None:
    from docgen.documents.register_store import SqliteStore

    db = tmp_path / "lock.sqlite"
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN EXCLUSIVE")
    other = sqlite3.connect(db, timeout=0)
    with pytest.raises(sqlite3.OperationalError) as locked:
        other.execute("INSERT INTO t VALUES (1)")
    with pytest.raises(sqlite3.OperationalError) as missing:
        holder.execute("SELECT * FROM no_such_table")
    holder.close()
    other.close()
    is_locked = SqliteStore.is_locked
    assert is_locked(None, locked.value) is True
    assert is_locked(None, missing.value) is False
    if hasattr(locked.value, "sqlite_errorcode"):
        worded = sqlite3.OperationalError("table busy_locked has no column x")
        worded.sqlite_errorcode = 1  # SQLITE_ERROR, whatever the sentence says
        assert is_locked(None, worded) is False


def test_a_register_switched_to_wal_while_another_connection_holds_its_write_lock_waits_for_it(
        tmp_path: Path) -> None:
    # SQLite refuses the switch at once (its busy handler not called) when another connection
    # holds the write lock of a database in rollback-journal mode: the register tries again.
    import threading
    import time

    db = tmp_path / "reg.sqlite"
    with Register(db, waiter=False):
        pass
    back = sqlite3.connect(db)
    assert back.execute("PRAGMA journal_mode = DELETE").fetchone() == ("delete",)
    back.close()
    holder = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    release = threading.Timer(0.5, holder.execute, ("COMMIT",))
    release.start()
    began = time.monotonic()
    try:
        with Register(db, waiter=False) as reg:
            assert reg.reserve("t", "k1", serial).seq == 1
    finally:
        release.join()
        holder.close()
    assert time.monotonic() - began >= 0.4
    mode = sqlite3.connect(db)
    assert mode.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    mode.close()


def test_a_given_serial_takes_its_number_and_issuing_skips_it(tmp_path: Path) -> None:
    with Register(tmp_path / "reg.sqlite") as reg:
        reg.reserve("t", "k1", serial)
        given = reg.reserve_given("t", "HT-9", serial(3), 3)
        assert (given.serial, given.row_key, given.seq, given.is_complete) == (serial(3), "HT-9", 3, False)
        assert reg.reserve_given("t", "HT-9", serial(3), 3) == given  # the same document again: unchanged
        assert reg.reserve_given("t", "HT-other", serial(3), 3) == given  # its holder, for the caller to refuse
        out = reg.reserve_many("t", [(f"k{i}", serial) for i in range(2, 5)])
        assert [(r.record.row_key, r.serial) for r in out] == [("k2", serial(2)), ("k3", serial(4)), ("k4", serial(5))]
        # A number already issued, or a serial outside the pattern: recorded outside the numbering.
        late = reg.reserve_given("t", "HT-late", "催字〔2025〕第00001号", 1)
        foreign = reg.reserve_given("t", "HT-x", "HT-2026-001", None)
        assert (late.seq, foreign.seq) == (-1, -2)
        assert reg.reserve("t", "k5", serial).serial == serial(6)
        assert reg.audit() == []  # chained, anchored, and no gap below the last issued number
        assert [r.seq for r in reg.records("t")] == [-2, -1, 1, 2, 3, 4, 5, 6]


def test_a_given_serial_ahead_of_the_numbering_is_not_a_gap(tmp_path: Path) -> None:
    with Register(tmp_path / "reg.sqlite") as reg:
        reg.reserve_given("t", "HT-9", serial(9), 9)
        assert reg.audit() == []
        assert [reg.reserve("t", f"k{i}", serial).seq for i in range(1, 11)] == [1, 2, 3, 4, 5, 6, 7, 8, 10, 11]
        assert reg.audit() == []


def test_render_records_a_given_serial_and_a_later_batch_does_not_reuse_it(tmp_path: Path) -> None:
    from docgen.core.errors import RenderError
    from docgen.documents.batch import generate
    from docgen.documents.render import render
    from docgen.documents.template import load_template

    template = load_template("demand-letter")
    data = yaml.safe_load((EXAMPLES / "demand-letter.yaml").read_text(encoding="utf-8"))
    register = tmp_path / "reg.sqlite"
    done = render(template, {**data, "serial": "催字〔2026〕第00002号"}, tmp_path / "given.docx", register_path=register)
    with Register(register, readonly=True) as reg:
        record = reg.lookup("demand-letter", data["contract_no"])
    assert record is not None and (record.serial, record.file, record.sha256) == (
        done.serial, str(tmp_path / "given.docx"), sha256_file(tmp_path / "given.docx"))
    rows = [{**data, "contract_no": f"临农商借字2026第{n:04d}号"} for n in range(1, 4)]
    with Register(register) as reg:
        result = generate(template, [(row["contract_no"], row) for row in rows], tmp_path / "out", register=reg)
    assert [doc.serial for doc in result.documents] == ["催字〔2026〕第00001号", "催字〔2026〕第00003号",
                                                        "催字〔2026〕第00004号"]
    with pytest.raises(RenderError, match="已由登记簿"):
        render(template, {**data, "contract_no": "临农商借字2026第0009号", "serial": "催字〔2026〕第00002号"},
               tmp_path / "x.docx", register_path=register)
    assert not (tmp_path / "x.docx").exists()


def test_a_register_lock_file_refused_is_named_not_the_document(tmp_path: Path, monkeypatch) -> None:
    # render holds its output open while the register reserves: the register's own file must be
    # the one named, not the document (whose folder is writable).
    import errno
    import os

    from docgen.core.errors import OutputError
    from docgen.documents.render import render

    real_open = os.open

    def refuse_lock(path, *args, **kwargs):
        if str(path).endswith(".anchor-lock"):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", refuse_lock)
    data = yaml.safe_load((EXAMPLES / "demand-letter.yaml").read_text(encoding="utf-8"))
    with pytest.raises(OutputError) as info:
        render("demand-letter", data, tmp_path / "out.docx", register_path=tmp_path / "reg.sqlite")
    assert str(info.value).startswith(f"{tmp_path / 'reg.sqlite.anchor-lock'}：")
    assert not (tmp_path / "out.docx").exists()


def test_serial_number_reads_the_number_a_serial_carries_in_the_pattern() -> None:
    import datetime as dt

    from docgen.documents.template import load_template

    template = load_template("demand-letter")
    context = {"letter_date": dt.date(2026, 11, 28)}
    assert template.serial_number("催字〔2026〕第00012号", context) == 12
    assert template.serial_number("催字〔2025〕第00012号", context) == 12  # another year's series: same number
    assert template.serial_number("催字〔2026〕第12号", context) is None  # not as the pattern writes it
    assert template.serial_number("承字〔2026〕第00012号", context) is None
    assert template.serial_number("第" + "9" * 40 + "号", context) is None
