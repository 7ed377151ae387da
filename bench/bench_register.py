"""Benchmark the register's reservations per second: SQLite file vs PostgreSQL, 8 concurrent writers.

Each writer is its own process with its own connection and reserves ``--each`` serials of
one template, ONE transaction per serial (the worst case: a batch reserves all its rows in
one transaction; ``docgen render`` and a service's single documents reserve one at a
time). All writers start together on a barrier. The baseline, measured in the same run, is
one writer on the SQLite file. After each run the register is audited and its sequence
checked: 1..N, no duplicate, no gap (exit 1 otherwise).

PostgreSQL runs as a throwaway cluster on 127.0.0.1 (``tests/servers.py``: Debian's
``postgresql`` package; ``fsync=off`` as in the tests, so the figure shows the register's
own cost and the lock, not the disk).

    .venv/bin/python bench/bench_register.py                 # 8 writers x 250 serials
    .venv/bin/python bench/bench_register.py --writers 8 --each 100
"""
from __future__ import annotations

import argparse
import multiprocessing
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from docgen.documents.register import Register  # noqa: E402


def _serial(seq: int) -> str:
    return f"催字〔2026〕第{seq:06d}号"


def _writer(args: tuple[str, int, int, object]) -> float:
    target, writer, each, barrier = args
    with Register(target, waiter=False) as register:
        register.reserve("bench", f"w{writer}-warm", _serial)  # the connection and audit are not measured
        barrier.wait()  # type: ignore[attr-defined]
        start = time.perf_counter()
        for n in range(each):
            register.reserve("bench", f"w{writer}-{n}", _serial)
        return time.perf_counter() - start


def run(target: str, writers: int, each: int) -> float:
    """Return reservations per second of ``writers`` processes on ``target``; exit 1 on a bad sequence."""
    Register(target).close()
    ctx = multiprocessing.get_context("spawn")
    with ctx.Manager() as manager:
        barrier = manager.Barrier(writers + 1)
        with ctx.Pool(writers) as pool:
            pending = pool.map_async(_writer, [(target, w, each, barrier) for w in range(writers)])
            barrier.wait()
            start = time.perf_counter()
            pending.get(timeout=600)
            wall = time.perf_counter() - start
    with Register(target, readonly=True) as register:
        seqs = sorted(r.seq for r in register.records("bench"))
        total = writers * (each + 1)
        if seqs != list(range(1, total + 1)) or [i for i in register.audit() if i.code != "unanchored"]:
            print(f"FAIL {target}: {len(seqs)} records, expected 1..{total} without gaps", file=sys.stderr)
            sys.exit(1)
    return writers * each / wall


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--each", type=int, default=250, help="serials each writer reserves")
    args = parser.parse_args()
    from servers import Postgres, pg_bin

    with tempfile.TemporaryDirectory(prefix="docgen-bench-reg-") as tmp:
        base = run(str(Path(tmp) / "one.sqlite"), 1, args.each * 2)
        sqlite = run(str(Path(tmp) / "many.sqlite"), args.writers, args.each)
        print(f"baseline (SQLite, 1 writer) : {base:8.0f} reservations/s")
        print(f"SQLite, {args.writers} writers          : {sqlite:8.0f} reservations/s ({sqlite / base:.2f}x baseline)")
        if pg_bin() is None:
            print("PostgreSQL: not installed (Debian package postgresql); skipped")
            return 0
        server = Postgres()
        try:
            pg_one = run(server.new_database(), 1, args.each * 2)
            pg = run(server.new_database(), args.writers, args.each)
        finally:
            server.stop()
        print(f"PostgreSQL, 1 writer        : {pg_one:8.0f} reservations/s ({pg_one / base:.2f}x baseline)")
        print(f"PostgreSQL, {args.writers} writers      : {pg:8.0f} reservations/s ({pg / base:.2f}x baseline)")
        print(f"sequence check              : 1..N, no duplicate, no gap, audit clean (every run)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
