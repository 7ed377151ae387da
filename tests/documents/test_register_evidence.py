"""The register as evidence: anchor, hash chain, gaps, integrity, read-only use, locks, reservations.

Each test tampers with a real register the way an operator (or an attacker) would, with
sqlite3 or by hand on the file, and checks docgen notices and refuses to issue serials.
"""
from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from batch_helpers import rows, write_xlsx
from click.testing import CliRunner

from docgen.cli import main
from docgen.core.errors import RegisterBusyError, RegisterDamagedError, RegisterError
from docgen.documents.batch import run_batch
from docgen.documents.register import Register


def serial(seq: int) -> str:
    return f"催字〔2026〕第{seq:05d}号"


def filled(path: Path, count: int = 5, template: str = "t", start: int = 1) -> Path:
    """A register at ``path`` with ``count`` completed records (files in a folder beside it)."""
    docs = path.parent / "docs"
    docs.mkdir(exist_ok=True)
    with Register(path) as reg:
        for n in range(start, start + count):
            reg.reserve(template, f"HT-{n}", serial)
            doc = docs / f"{template}-{n}.docx"
            doc.write_bytes(f"letter {n}".encode())
            from docgen.documents.register import sha256_file
            reg.complete(template, f"HT-{n}", doc, sha256_file(doc))
    return path


def tamper(path: Path, *statements: str) -> None:
    db = sqlite3.connect(path)
    for statement in statements:
        db.execute(statement)
    db.commit()
    db.close()


def verify(path: Path, *extra: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["register", "verify", "--register", str(path), *extra])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output


def test_a_sound_register_verifies_with_its_anchor(tmp_path: Path) -> None:
    reg_path = filled(tmp_path / "reg.sqlite")
    assert (tmp_path / "reg.sqlite.anchor").is_file()
    code, out = verify(reg_path)
    assert code == 0 and out.strip().splitlines()[-1] == f"登记簿 {reg_path}：检查 5 份，全部完好"
    with Register(reg_path, readonly=True) as reg:
        assert reg.audit() == []


def test_an_emptied_register_is_not_silently_restarted(tmp_path: Path) -> None:
    reg_path = filled(tmp_path / "reg.sqlite")
    reg_path.write_bytes(b"")  # emptied (or replaced by an empty file)
    for leftover in ("-wal", "-shm"):
        Path(str(reg_path) + leftover).unlink(missing_ok=True)
    with pytest.raises(RegisterDamagedError) as err:
        Register(reg_path)
    assert "原有一个登记簿（共 5 条记录，最后一份为 t 催字〔2026〕第00005号）" in str(err.value)
    assert "--new-register" in str(err.value)
    code, out = verify(reg_path)
    assert code == 1 and "不是原来的登记簿" in out
    # Told to, docgen starts afresh and keeps the old anchor under another name.
    with Register(reg_path, new_register=True) as reg:
        assert reg.reserve("t", "HT-9", serial).serial == serial(1)
    assert list(tmp_path.glob("reg.sqlite.anchor.replaced-*"))
    assert verify(reg_path)[0] == 1  # the new one's record has no file yet: incomplete


def test_a_deleted_register_file_is_noticed_by_batch_and_verify(tmp_path: Path) -> None:
    reg_path = filled(tmp_path / "reg.sqlite")
    for suffix in ("", "-wal", "-shm"):
        Path(str(reg_path) + suffix).unlink(missing_ok=True)
    code, out = verify(reg_path)
    assert code == 1 and "数据库文件不存在，校验文件记录原有 5 条" in out
    sheet = write_xlsx(tmp_path / "rows.xlsx", rows(2))
    result = CliRunner().invoke(main, ["batch", "demand-letter", "--rows", str(sheet), "--out",
                                       str(tmp_path / "out"), "--register", str(reg_path), "--no-progress"])
    assert result.exit_code == 2
    assert "原有一个登记簿" in result.output and "Traceback" not in result.output
    again = CliRunner().invoke(main, ["batch", "demand-letter", "--rows", str(sheet), "--out",
                                      str(tmp_path / "out"), "--register", str(reg_path), "--no-progress",
                                      "--new-register"])
    assert again.exit_code == 0, again.output
    assert "催字〔2026〕第00001号" in again.output


def test_a_copy_restored_without_its_latest_records_is_refused(tmp_path: Path) -> None:
    reg_path = filled(tmp_path / "reg.sqlite", 2)
    backup = tmp_path / "backup.sqlite"
    shutil.copy(reg_path, backup)  # the database closed cleanly: the copy holds both records
    filled(reg_path, 3, start=3)
    shutil.copy(backup, reg_path)  # restored from the older copy (as without its -wal)
    with pytest.raises(RegisterDamagedError, match="记录被截断或回退.*应有 5 条、最后一条为 t 催字〔2026〕第00005号，现有 2 条"):
        with Register(reg_path) as reg:
            reg.reserve("t", "HT-new", serial)
    code, out = verify(reg_path)
    assert code == 1 and "记录被截断或回退" in out


def test_a_deleted_record_names_the_first_bad_serial_and_the_gap(tmp_path: Path) -> None:
    reg_path = filled(tmp_path / "reg.sqlite")
    tamper(reg_path, "DELETE FROM records WHERE seq = 3")
    code, out = verify(reg_path)
    assert code == 1
    assert "模板 t 编号 催字〔2026〕第00004号 的记录被改动，或它之前的一条记录被删除" in out
    assert "模板 t 缺少第 3 号记录" in out
    # The next batch must not issue a second letter for HT-3 under a new serial.
    with Register(reg_path) as reg, pytest.raises(RegisterDamagedError, match="第00004号"):
        reg.reserve("t", "HT-3", serial)


def test_deleting_the_last_record_is_caught_by_the_anchor(tmp_path: Path) -> None:
    reg_path = filled(tmp_path / "reg.sqlite")
    tamper(reg_path, "DELETE FROM records WHERE seq = 5", "UPDATE sequences SET last_seq = 4")
    code, out = verify(reg_path)
    assert code == 1 and "记录被截断或回退" in out


@pytest.mark.parametrize("statement", [
    "UPDATE records SET row_key = 'HT-X' WHERE seq = 2",
    "UPDATE records SET sha256 = lower(hex(randomblob(32))) WHERE seq = 2",
    "UPDATE records SET file = '/elsewhere/letter.docx' WHERE seq = 2",
])
def test_an_edited_record_is_named(tmp_path: Path, statement: str) -> None:
    reg_path = filled(tmp_path / "reg.sqlite")
    tamper(reg_path, statement)
    code, out = verify(reg_path, "--format", "json")
    assert code == 1
    import json

    issues = json.loads(out)["register_issues"]
    assert [(i["code"], i["serial"]) for i in issues] == [("altered", serial(2))]


def test_a_zeroed_page_is_reported_in_one_line(tmp_path: Path) -> None:
    reg_path = tmp_path / "reg.sqlite"
    with Register(reg_path) as reg:
        reg.reserve_many("t", [(f"HT-{n}-{'x' * 200}", serial) for n in range(1, 400)])
    page = 4096
    data = bytearray(reg_path.read_bytes())
    assert len(data) > 6 * page
    data[3 * page:4 * page] = bytes(page)
    reg_path.write_bytes(bytes(data))
    code, out = verify(reg_path)
    assert code == 1
    lines = out.strip().splitlines()
    assert lines[0].startswith(f"登记簿 {reg_path}：数据库已损坏（SQLite 完整性检查：")
    assert len(lines) == 2 and "Traceback" not in out
    with pytest.raises(RegisterError):
        with Register(reg_path) as reg:
            reg.reserve("t", "HT-new", serial)


@pytest.mark.parametrize("damage", ["header", "truncated"])
def test_other_corruptions_are_one_line_not_a_traceback(tmp_path: Path, damage: str) -> None:
    reg_path = filled(tmp_path / "reg.sqlite")
    data = reg_path.read_bytes()
    reg_path.write_bytes(b"garbage!" * 4 + data[32:] if damage == "header" else data[: len(data) // 2 + 100])
    code, out = verify(reg_path)
    assert code in (1, 2) and "Traceback" not in out
    assert "登记簿" in out and len(out.strip().splitlines()) <= 2
    listed = CliRunner().invoke(main, ["register", "list", "--register", str(reg_path)])
    assert listed.exit_code in (1, 2) and not isinstance(listed.exception, sqlite3.Error)


def test_list_and_verify_open_read_only(tmp_path: Path) -> None:
    reg_path = filled(tmp_path / "reg.sqlite")
    before = (reg_path.read_bytes(), reg_path.stat().st_mtime_ns)
    assert verify(reg_path)[0] == 0
    assert CliRunner().invoke(main, ["register", "list", "--register", str(reg_path)]).exit_code == 0
    assert (reg_path.read_bytes(), reg_path.stat().st_mtime_ns) == before
    with Register(reg_path, readonly=True) as reg:
        assert len(reg.records()) == 5
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            reg._db.execute("DELETE FROM records")
        with pytest.raises(RegisterError, match="只读"):
            reg.reserve("t", "HT-9", serial)


def test_a_locked_register_names_its_holder_and_never_suggests_another_file(tmp_path: Path) -> None:
    reg_path = filled(tmp_path / "reg.sqlite", 1)
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import sqlite3, sys, time
        db = sqlite3.connect({str(reg_path)!r}, isolation_level=None)
        db.execute("BEGIN IMMEDIATE")
        print("locked", flush=True)
        time.sleep(30)
    """)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        sheet = write_xlsx(tmp_path / "rows.xlsx", rows(1))
        env = {"DOCGEN_REGISTER_WAIT": "2"}
        start = time.monotonic()
        result = CliRunner().invoke(main, ["batch", "demand-letter", "--rows", str(sheet), "--out",
                                           str(tmp_path / "out"), "--register", str(reg_path), "--no-progress"],
                                    env=env)
        assert time.monotonic() - start < 20
        assert result.exit_code == 2
        assert f"pid {holder.pid}(" in result.output
        assert "已等待" in result.output  # progress while waiting (stderr)
        assert "等待 2 秒仍未释放；请等它结束（或结束它）后重新运行" in result.output
        assert "另一个" not in result.output.split("仍未释放")[1] and "--register" not in result.output
        with pytest.raises(RegisterBusyError):
            Register(reg_path, wait=0.3, waiter=False).reserve("t", "HT-2", serial)
    finally:
        holder.kill()
        holder.wait()


def _bank_template(tmp_path: Path, body: str) -> Path:
    """The shipped demand letter's fields in a bank's own .docx whose only paragraph is ``body``."""
    from docgen.core.docxbuild import add_body, new_document

    doc = new_document()
    add_body(doc, body)
    path = tmp_path / "bank.docx"
    doc.save(path)
    return path


def test_a_template_error_stops_the_batch_before_any_serial(tmp_path: Path) -> None:
    bank = _bank_template(tmp_path, "借款人:{{ borrower }} {{ nosuch_field.deeper }}")
    sheet = write_xlsx(tmp_path / "rows.xlsx", rows(3))
    with Register(tmp_path / "reg.sqlite") as reg:
        with pytest.raises(Exception) as err:
            run_batch("demand-letter", sheet, tmp_path / "out", register=reg, template_file=bank)
        assert "nosuch_field" in str(err.value)
        assert reg.records() == []


def test_missing_libreoffice_stops_a_pdf_batch_before_any_serial(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from docgen.core.errors import ConversionError

    monkeypatch.setenv("DOCGEN_SOFFICE", str(tmp_path / "no-soffice"))
    sheet = write_xlsx(tmp_path / "rows.xlsx", rows(2))
    with Register(tmp_path / "reg.sqlite") as reg:
        with pytest.raises(ConversionError):
            run_batch("demand-letter", sheet, tmp_path / "out", register=reg, pdf=True)
        assert reg.records() == []


def test_register_list_shows_reserved_but_unissued(tmp_path: Path) -> None:
    reg_path = filled(tmp_path / "reg.sqlite", 1)
    with Register(reg_path) as reg:
        reg.reserve_many("t", [("HT-8", serial), ("HT-9", serial)])
    result = CliRunner().invoke(main, ["register", "list", "--register", str(reg_path)])
    assert result.exit_code == 0
    assert result.output.strip().splitlines()[-1] == (
        "其中 2 个编号已预留但未生成文书（催字〔2026〕第00002号 至 催字〔2026〕第00003号）：重新运行原批次即按这些编号生成")


def test_a_register_made_before_the_chain_is_adopted(tmp_path: Path) -> None:
    reg_path = tmp_path / "old.sqlite"
    db = sqlite3.connect(reg_path)
    db.executescript("""
        CREATE TABLE sequences (template TEXT PRIMARY KEY, last_seq INTEGER NOT NULL);
        CREATE TABLE records (id INTEGER PRIMARY KEY, template TEXT NOT NULL, row_key TEXT NOT NULL,
            seq INTEGER NOT NULL, serial TEXT NOT NULL, file TEXT, sha256 TEXT, created TEXT NOT NULL,
            completed TEXT, UNIQUE (template, row_key), UNIQUE (template, serial), UNIQUE (template, seq));
        INSERT INTO sequences VALUES ('t', 2);
        INSERT INTO records (template, row_key, seq, serial, created) VALUES ('t', 'a', 1, 'S1', '2026-01-01');
        INSERT INTO records (template, row_key, seq, serial, created) VALUES ('t', 'b', 2, 'S2', '2026-01-01');
    """)
    db.close()
    with Register(reg_path) as reg:
        assert reg.reserve("t", "c", lambda s: f"S{s}").serial == "S3"
        assert reg.audit() == []
    assert (tmp_path / "old.sqlite.anchor").is_file()


def test_long_folder_name_is_one_line(tmp_path: Path) -> None:
    reg_path = tmp_path / ("长" * 300) / "reg.sqlite"
    for args in (["register", "list"], ["register", "verify"]):
        result = CliRunner().invoke(main, [*args, "--register", str(reg_path)])
        assert result.exit_code in (1, 2) and result.exception is None or isinstance(result.exception, SystemExit)
        assert "Traceback" not in result.output and "登记簿" in result.output


def test_collect_letters_refuses_a_replaced_register_unless_told(tmp_path: Path) -> None:
    ledger = Path(__file__).resolve().parents[2] / "examples" / "ledger" / "ledger-2026Q2.xlsx"
    reg_path = filled(tmp_path / "reg.sqlite", 2)
    reg_path.write_bytes(b"")
    policy = ledger.parents[1] / "collection-policy.yaml"
    args = ["collect", "letters", "--ledger", str(ledger), "--as-of", "2026-06-30", "--out", str(tmp_path / "out"),
            "--register", str(reg_path), "--no-progress", "--policy", str(policy)]
    refused = CliRunner().invoke(main, args)
    assert refused.exit_code == 2 and "原有一个登记簿（共 2 条记录" in refused.output
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").glob("*.docx"))
    told = CliRunner().invoke(main, [*args, "--new-register"])
    assert told.exit_code in (0, 1) and "原有一个登记簿" not in told.output
    with Register(reg_path, readonly=True) as reg:
        assert reg.records() and reg.audit() == []


def test_collect_plan_only_reads_the_register(tmp_path: Path) -> None:
    ledger = Path(__file__).resolve().parents[2] / "examples" / "ledger" / "ledger-2026Q2.xlsx"
    reg_path = filled(tmp_path / "reg.sqlite", 2)
    before = (reg_path.read_bytes(), reg_path.stat().st_mtime_ns)
    result = CliRunner().invoke(main, ["collect", "plan", "--ledger", str(ledger), "--as-of", "2026-06-30",
                                       "--register", str(reg_path)])
    assert result.exit_code in (0, 1), result.output
    assert (reg_path.read_bytes(), reg_path.stat().st_mtime_ns) == before
