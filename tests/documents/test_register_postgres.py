"""The register on a real PostgreSQL server: the same guarantees as the SQLite file, and the move to it."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from batch_helpers import rows, write_xlsx
from docgen.cli import main
from docgen.core.errors import RegisterDamagedError, RegisterError
from docgen.documents.batch import run_batch
from docgen.documents.register import Register


def serial(seq: int) -> str:
    return f"催字〔2026〕第{seq:05d}号"


def _psql(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as db:
        db.execute(sql)


def test_allocation_chain_and_reopen(pg_register: str) -> None:
    with Register(pg_register) as reg:
        a = reg.reserve("demand-letter", "HT-1", serial)
        out = reg.reserve_many("demand-letter", [("HT-2", serial), ("HT-1", serial), ("HT-3", serial)])
        other = reg.reserve("commitment-letter", "HT-1", lambda s: f"承字第{s}号")
        assert (a.serial, a.seq, a.new) == ("催字〔2026〕第00001号", 1, True)
        assert [(r.record.row_key, r.seq, r.new) for r in out] == [("HT-2", 2, True), ("HT-1", 1, False),
                                                                    ("HT-3", 3, True)]
        assert other.seq == 1
        with pytest.raises(RegisterError, match="编号格式必须包含流水号"):
            reg.reserve_many("demand-letter", [("HT-4", serial), ("HT-5", lambda s: serial(1))])
        assert reg.reserve("demand-letter", "HT-6", serial).seq == 4  # the failed transaction skipped nothing
        assert reg.audit() == []
        assert "postgresql://docgen@127.0.0.1" in str(reg.path)
    with Register(pg_register, readonly=True) as again:
        assert [r.seq for r in again.records("demand-letter")] == [1, 2, 3, 4]
        assert again.audit() == []


def test_cli_batch_list_and_verify_on_a_url(tmp_path: Path, pg_register: str) -> None:
    sheet = write_xlsx(tmp_path / "rows.xlsx", rows(3))
    runner = CliRunner()
    done = runner.invoke(main, ["batch", "demand-letter", "--rows", str(sheet), "--out", str(tmp_path / "out"),
                                "--register", pg_register, "--no-progress"])
    assert done.exit_code == 0, done.output
    listed = runner.invoke(main, ["register", "list", "--register", pg_register, "--format", "json"])
    assert listed.exit_code == 0, listed.output
    assert [r["seq"] for r in json.loads(listed.output)] == [1, 2, 3]
    verified = runner.invoke(main, ["register", "verify"], env={"DOCGEN_REGISTER": pg_register})
    assert verified.exit_code == 0, verified.output
    assert verified.output.splitlines()[-1] == f"登记簿 {pg_register}：检查 3 份，全部完好"
    (tmp_path / "out" / next(p.name for p in (tmp_path / "out").glob("*.docx"))).write_bytes(b"edited")
    assert runner.invoke(main, ["register", "verify", "--register", pg_register]).exit_code == 1


def test_password_never_printed(tmp_path: Path, postgres) -> None:
    url = postgres.url("postgres").replace("docgen@", "docgen:s3cret@").replace(str(postgres.port), "1")
    result = CliRunner().invoke(main, ["register", "list", "--register", url])
    assert result.exit_code == 2  # could not run
    assert "s3cret" not in result.output
    assert result.output.startswith(f"错误：{url.replace(':s3cret', '')}：无法连接登记簿数据库（")
    assert result.output.rstrip().endswith("；请检查服务器地址、端口和口令（~/.pgpass）")


def test_deleted_or_edited_record_is_named_and_stops_allocation(pg_register: str) -> None:
    with Register(pg_register) as reg:
        reg.reserve_many("t", [(f"k{i}", serial) for i in range(1, 6)])
    _psql(pg_register, "DELETE FROM records WHERE seq = 3")
    with Register(pg_register, readonly=True) as reg:
        codes = [(i.code, i.serial or i.seq) for i in reg.audit()]
    assert ("altered", serial(4)) in codes and ("gap", 3) in codes
    with pytest.raises(RegisterDamagedError, match=r"第00004号"):
        with Register(pg_register) as reg:
            reg.reserve("t", "k9", serial)
    result = CliRunner().invoke(main, ["register", "verify", "--register", pg_register])
    assert result.exit_code == 1
    assert "缺少第 3 号记录" in result.output


def test_emptied_database_is_refused_not_restarted(pg_register: str) -> None:
    with Register(pg_register) as reg:
        reg.reserve_many("t", [(f"k{i}", serial) for i in range(1, 4)])
    _psql(pg_register, "DROP TABLE records, sequences, meta")
    with pytest.raises(RegisterDamagedError, match="编号不会从头再来"):
        Register(pg_register)
    with Register(pg_register, new_register=True) as fresh:  # told so: a new register, serials from 1
        assert fresh.reserve("t", "k1", serial).seq == 1


def _batch(args: tuple[str, str, str]) -> list[str]:
    sheet, out, register = args
    with Register(register) as reg:
        return [d.serial for d in run_batch("demand-letter", sheet, out, register=reg).documents]


def test_four_concurrent_batches_share_one_sequence(tmp_path: Path, pg_register: str) -> None:
    """Four processes (as four service instances or workers would be) write into one register at once."""
    data = rows(80, seed=11)
    sheets = [write_xlsx(tmp_path / f"{n}.xlsx", data[n * 20:(n + 1) * 20]) for n in range(4)]
    env = {**os.environ, "DOCGEN_REGISTER": pg_register}
    procs = [subprocess.Popen([sys.executable, "-m", "docgen", "batch", "demand-letter", "--rows", str(sheet),
                               "--out", str(tmp_path / f"out{n}"), "--no-progress", "--format", "json"],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for n, sheet in enumerate(sheets)]
    serials: list[str] = []
    for proc in procs:
        out, err = proc.communicate(timeout=180)
        assert proc.returncode == 0, err
        serials += [d["serial"] for d in json.loads(out)["documents"]]
    assert len(serials) == len(set(serials)) == 80
    with Register(pg_register, readonly=True) as reg:
        records = reg.records("demand-letter")
        assert sorted(r.seq for r in records) == list(range(1, 81))
        assert sorted(r.serial for r in records) == sorted(serials)
        assert reg.audit() == [] and reg.verify() == []


def test_migrate_sqlite_to_postgresql_and_continue(tmp_path: Path, pg_register: str) -> None:
    source = tmp_path / "reg.sqlite"
    sheet = write_xlsx(tmp_path / "rows.xlsx", rows(6))
    with Register(source) as reg:
        run_batch("demand-letter", sheet, tmp_path / "out", register=reg)
        reg.reserve("commitment-letter", "C-1", lambda s: f"承字第{s}号")  # reserved, not yet written
        before = [r.to_dict() for r in reg.records()]
        register_id = reg.register_id
    runner = CliRunner()
    moved = runner.invoke(main, ["register", "migrate", "--from", str(source), "--to", pg_register,
                                 "--format", "json"])
    assert moved.exit_code == 0, moved.output
    assert json.loads(moved.output) == {"register_id": register_id, "records": 7, "templates": 2,
                                        "source": str(source), "target": pg_register, "verified": True}
    with Register(pg_register) as reg:
        assert [r.to_dict() for r in reg.records()] == before
        assert reg.register_id == register_id
        assert reg.reserve("demand-letter", "NEW", serial).seq == 7  # the sequence continues
    verified = runner.invoke(main, ["register", "verify", "--register", pg_register])
    assert verified.exit_code == 1  # only the reserved commitment letter is incomplete
    assert [line for line in verified.output.splitlines() if "已预留编号但未生成文件" in line] == [
        "承字第1号  C-1：已预留编号但未生成文件", f"{serial(7)}  NEW：已预留编号但未生成文件"]
    again = runner.invoke(main, ["register", "migrate", "--from", str(source), "--to", pg_register])
    assert again.exit_code == 1
    assert "目标登记簿已有 8 条记录；只能迁移到空的登记簿" in again.output


def test_a_damaged_register_is_not_migrated(tmp_path: Path, pg_register: str) -> None:
    import sqlite3

    source = tmp_path / "reg.sqlite"
    with Register(source) as reg:
        reg.reserve_many("t", [(f"k{i}", serial) for i in range(1, 4)])
    with sqlite3.connect(source) as db:
        db.execute("UPDATE records SET row_key = 'forged' WHERE seq = 2")
    result = CliRunner().invoke(main, ["register", "migrate", "--from", str(source), "--to", pg_register])
    assert result.exit_code == 2  # a register that cannot be trusted: nothing could be run
    assert f"模板 t 编号 {serial(2)} 的记录被改动" in result.output
    with Register(pg_register, readonly=True) as target:
        assert target.records() == []
