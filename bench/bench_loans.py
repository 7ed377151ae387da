#!/usr/bin/env python3
"""Benchmark: the loan ledger and the commands on it, this tree vs a baseline revision, and their growth.

One run prints four tables, every figure from whole processes timed by ``/usr/bin/time -v``
(user + system CPU, wall, peak resident memory), the two sides run in interleaved pairs (A B A B …)
and each ratio taken pair by pair, medians quoted:

1. ``docgen collect plan --format json``, ``docgen npl-report --format json`` and the report of two
   snapshots (``--opening``: a byte copy of the same file, as docgen refuses one file as both) over ``--rows`` loans, this tree vs the baseline revision (default ``117e72b``, main before the collection
   side's legal rules), exported with ``git archive`` and run with ``PYTHONPATH`` pointing at it;
2. ``read_ledger`` vs calamine alone reading the same file (``to_python`` of the sheet, the
   whole-sheet read the reader used to do) and vs the streamed rows alone (python-calamine-plus,
   what ``read_ledger`` reads an ordinary sheet with), each in its own process: the CPU of the
   read itself (measured in the child around the call) and the process's peak memory; and the
   baseline revision's ``read_ledger`` on the same file;
3. this tree's ``collect plan`` and ``npl-report --opening`` against calamine alone reading the
   files they read (once, twice), whole processes in interleaved rounds: the issue's "≤ 1.5× the
   reading time", cold (the first read of the file: an empty cache folder, the parsed ledger
   written to it) and warm (the same command run a second time on the same cache folder, that
   second run timed: the ledger decoded from the cache, ``docgen.loans.ledger_cache``);
4. scaling: both single-ledger commands of both trees at each ``--scaling`` size (default 10k/100k/400k loans),
   CPU, CPU per 1,000 loans and peak memory.

Every other run of docgen is cold: each process is given a new, empty cache folder
(``DOCGEN_CACHE_DIR``), so the parsed-ledger cache is written and never read. Every process runs
as an installed docgen does, with its bytecode written at first use (the warm-up round) and read
after, whatever ``PYTHONDONTWRITEBYTECODE`` says.

The ledgers are written once per size into the work folder as Excel saves them (shared strings,
XlsxWriter: ``pip install -e '.[bench]'``) from ``examples/make_ledger.py``'s ``bulk`` rows;
past 100,000 loans further runs of the generator are appended with their loan and contract
numbers made unique (its company names get slower to make unique the more it makes).

    .venv/bin/python bench/bench_loans.py [--rows 100000] [--pairs 3] [--baseline-rev 117e72b]
        [--scaling 10000,100000,400000] [--scaling-pairs 1] [--keep DIR] [--skip PART ...]
"""
from __future__ import annotations

import argparse
import io
import itertools
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
AS_OF = "2026-06-30"
COMMANDS = {
    "collect plan": ["collect", "plan", "--as-of", AS_OF, "--format", "json"],
    "npl-report": ["npl-report", "--period", "2026Q2", "--format", "json"],
    # Two snapshots: a byte copy of the bench ledger as the opening one (OPENING stands for it; docgen
    # refuses the very file given as both).
    "npl-report --opening": ["npl-report", "--period", "2026Q2", "--format", "json", "--opening", "OPENING"],
}
SCALED = ("collect plan", "npl-report")
TIME = "/usr/bin/time"
_GENERATOR_ROWS = 100_000

# The read alone, in a child: CPU seconds of the call on stdout (imports and start-up excluded).
_READERS = {
    "calamine alone (to_python)": (
        "import sys, time\nfrom python_calamine import CalamineWorkbook\nstart = time.process_time()\n"
        "for path in sys.argv[1:]:\n"
        "    rows = CalamineWorkbook.from_path(path).get_sheet_by_index(0).to_python(skip_empty_area=False)\n"
        "print(time.process_time() - start, len(rows))\n"),
    "streamed rows alone": (
        "import sys, time\nfrom python_calamine_plus import CalamineWorkbook\nstart = time.process_time()\n"
        "rows = sum(1 for _ in CalamineWorkbook.from_path(sys.argv[1]).stream_sheet_by_index(0))\n"
        "print(time.process_time() - start, rows)\n"),
    # The rows after the middle only: what a second process reading half of the sheet would pay (the
    # rows are counted first, outside the timed call, so its process column counts them twice).
    "streamed rows, last half": (
        "import sys, time\nfrom python_calamine_plus import CalamineWorkbook\n"
        "half = sum(1 for _ in CalamineWorkbook.from_path(sys.argv[1]).stream_sheet_by_index(0)) // 2\n"
        "start = time.process_time()\n"
        "rows = sum(1 for _ in CalamineWorkbook.from_path(sys.argv[1]).stream_sheet_by_index(0, min_row=half))\n"
        "print(time.process_time() - start, rows)\n"),
    "read_ledger": (
        "import sys, time\nfrom docgen.loans.ledger import read_ledger\nstart = time.process_time()\n"
        "ledger = read_ledger(sys.argv[1])\nprint(time.process_time() - start, len(ledger.loans))\n"),
}


def export(rev: str, into: Path) -> Path:
    """Extract the ``docgen`` package of ``rev`` into ``into``; return the folder to put on PYTHONPATH."""
    if (into / "docgen").is_dir():
        return into
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", rev, "docgen", "templates",
                              "checklists"], capture_output=True, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="tar")
    return into


def ledger_rows(count: int) -> Iterator[dict[str, Any]]:
    """Yield ``count`` bench rows: ``bulk`` rows, further seeds past 100,000 with unique numbers."""
    sys.path.insert(0, str(ROOT / "examples"))
    import make_ledger

    for run in itertools.count():
        size = min(_GENERATOR_ROWS, count - run * _GENERATOR_ROWS)
        if size <= 0:
            return
        for row in make_ledger.bulk(size, seed=7 + run):
            if run:
                row["loan_no"] = f"{row['loan_no']}-{run}"
                row["contract_no"] = f"{row['contract_no']}-{run}"
            yield row


def ledger_file(work: Path, count: int) -> Path:
    """Return the ledger of ``count`` loans in ``work``, written (as Excel saves it) when missing."""
    sys.path.insert(0, str(ROOT / "bench"))
    from bench_ledger import _write_excel_style

    path = work / f"ledger-{count}.xlsx"
    if not path.exists():
        start = time.perf_counter()
        _write_excel_style(ledger_rows(count), path)
        print(f"generated {path} ({count} loans, {path.stat().st_size / 1e6:.1f} MB) in "
              f"{time.perf_counter() - start:.0f} s", flush=True)
    return path


def timed(command: list[str], env: dict[str, str], cwd: Path) -> dict[str, Any]:
    """Run ``command`` under ``/usr/bin/time -v``; return cpu, wall (s), peak (MB), stdout and exit code."""
    report = cwd / "time-v.txt"
    done = subprocess.run([TIME, "-v", "-o", str(report), *command], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, env=env, cwd=cwd)
    fields = {}
    for line in report.read_text().splitlines():
        name, _, value = line.strip().rpartition(": ")
        fields[name] = value
    wall = 0.0
    for part in fields["Elapsed (wall clock) time (h:mm:ss or m:ss)"].split(":"):
        wall = wall * 60 + float(part)
    return {"cpu": float(fields["User time (seconds)"]) + float(fields["System time (seconds)"]), "wall": wall,
            "peak": int(fields["Maximum resident set size (kbytes)"]) / 1024, "stdout": done.stdout,
            "stderr": done.stderr, "code": done.returncode}


def opening_copy(ledger: Path) -> Path:
    """Return a byte copy of ``ledger`` beside it (made once): the opening snapshot of the report of two."""
    copy = ledger.with_name(f"{ledger.stem}-opening{ledger.suffix}")
    if not copy.exists() or copy.stat().st_size != ledger.stat().st_size:
        shutil.copyfile(ledger, copy)
    return copy


def cold_env(tree: Path, work: Path, cache: Path | None = None) -> tuple[dict[str, str], Path]:
    """Return the environment of a process importing docgen from ``tree`` with the cache folder
    ``cache`` (default: a new, empty one under ``work``: a cold read) and that folder."""
    folder = cache or Path(tempfile.mkdtemp(prefix="cache-", dir=work))
    # Run as an installed docgen runs: with its bytecode (and the tables it keeps beside it, such as
    # python-stdnum's parsed place table) written at first use and read after (an environment that
    # forbids writing them would time compiling docgen's sources in every run), as bench_check does.
    environ = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
    return {**environ, "PYTHONPATH": str(tree), "PYTHONWARNINGS": "ignore", "DOCGEN_CACHE_DIR": str(folder)}, folder


def docgen(tree: Path, args: list[str], ledger: Path, work: Path, cache: Path | None = None) -> dict[str, Any]:
    """Time ``python -m docgen ARGS --ledger LEDGER`` importing docgen from ``tree``, with the cache
    folder ``cache`` (default: a new, empty one, removed after: a cold run)."""
    env, folder = cold_env(tree, work, cache)
    args = [str(opening_copy(ledger)) if arg == "OPENING" else arg for arg in args]
    try:
        result = timed([sys.executable, "-m", "docgen", *args, "--ledger", str(ledger)], env, work)
    finally:
        if cache is None:
            shutil.rmtree(folder, ignore_errors=True)
    if result["code"] != 0:  # the bench ledgers are valid: any other exit is a failure, not a figure
        raise SystemExit(f"{tree}: docgen {' '.join(args)} failed ({result['code']}):\n{result['stderr'][-2000:]!r}")
    return result


def warm(tree: Path, args: list[str], ledger: Path, work: Path) -> dict[str, Any]:
    """Run the command once on a new cache folder, then time it a second time on the same folder
    (the parsed ledger now read from the cache); return the second run."""
    _, folder = cold_env(tree, work)
    try:
        first = docgen(tree, args, ledger, work, folder)
        second = docgen(tree, args, ledger, work, folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    if second["stdout"] != first["stdout"]:
        raise SystemExit(f"docgen {' '.join(args)}: the second run's output differs from the first's")
    return second


def pairs(*runners: Any, count: int) -> list[list[dict[str, Any]]]:
    """Run each of ``runners`` in turn ``count`` times (after one warm-up round); return their lists."""
    for run in runners:
        run()
    results: list[list[dict[str, Any]]] = [[] for _ in runners]
    for _ in range(count):
        for run, found in zip(runners, results):
            found.append(run())
    return results


def median(runs: list[dict[str, Any]], key: str) -> float:
    return statistics.median(run[key] for run in runs)


def ratio(new: list[dict[str, Any]], old: list[dict[str, Any]], key: str) -> float:
    """Median of the pair-by-pair ratios new / old."""
    return statistics.median(n[key] / o[key] for n, o in zip(new, old))


def compare(trees: dict[str, Path], ledger: Path, rows: int, count: int, work: Path, baseline: str) -> None:
    print(f"\n1. {rows} loans, this tree vs {baseline}: {count} interleaved pairs, medians "
          f"(ratios pair by pair; CPU = user + system)")
    print(f"{'command --format json':<28}{'baseline CPU':>13}{'this CPU':>10}{'ratio':>8}{'baseline wall':>15}"
          f"{'this wall':>11}{'baseline peak':>15}{'this peak':>11}")
    for name, args in COMMANDS.items():
        old, new = pairs(lambda: docgen(trees["baseline"], args, ledger, work),
                         lambda: docgen(trees["this tree"], args, ledger, work), count=count)
        print(f"{name:<28}{median(old, 'cpu'):>12.2f}s{median(new, 'cpu'):>9.2f}s"
              f"{ratio(new, old, 'cpu'):>7.2f}x{median(old, 'wall'):>14.2f}s{median(new, 'wall'):>10.2f}s"
              f"{median(old, 'peak'):>12.0f} MB{median(new, 'peak'):>8.0f} MB", flush=True)


def reading(trees: dict[str, Path], ledger: Path, rows: int, count: int, work: Path, baseline: str) -> None:
    # (label, reader, tree it is imported from): docgen's reader of this tree and of the baseline.
    readers = [(name, code, trees["this tree"]) for name, code in _READERS.items()]
    readers.append((f"read_ledger of {baseline}", _READERS["read_ledger"], trees["baseline"]))

    def read(code: str, tree: Path) -> dict[str, Any]:
        env, folder = cold_env(tree, work)
        try:
            result = timed([sys.executable, "-c", code, str(ledger)], env, work)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        if result["code"]:
            raise SystemExit(f"reader failed: {result['stderr'][-2000:]}")
        result["read"] = float(result["stdout"].split()[0])
        return result

    runs: dict[str, list[dict[str, Any]]] = {name: [] for name, _, _ in readers}
    for round_ in range(count + 1):  # a warm-up round, then ``count`` rounds, the readers interleaved
        for name, code, tree in readers:
            result = read(code, tree)
            if round_:
                runs[name].append(result)
    print(f"\n2. reading {rows} loans, each reader in its own process: {count} interleaved rounds, medians "
          f"(read = CPU of the call itself)")
    for name, measured in runs.items():
        print(f"{name:<28} read {median(measured, 'read'):6.2f} s CPU   process {median(measured, 'cpu'):6.2f} s CPU   "
              f"peak {median(measured, 'peak'):5.0f} MB")
    floor = runs["calamine alone (to_python)"]
    for name in runs:
        if name != "calamine alone (to_python)":
            print(f"{name} / calamine alone: {ratio(runs[name], floor, 'read'):.2f}x (read), "
                  f"{ratio(runs[name], floor, 'cpu'):.2f}x (whole process)", flush=True)


def against_reading(tree: Path, ledger: Path, rows: int, count: int, work: Path) -> None:
    """Whole commands of this tree, cold and warm, against calamine alone reading the files they read
    (once for the plan, twice for the report of two snapshots), in interleaved rounds of processes."""
    def calamine(files: int) -> Any:
        def run() -> dict[str, Any]:
            env, folder = cold_env(tree, work)
            shutil.rmtree(folder, ignore_errors=True)
            result = timed([sys.executable, "-c", _READERS["calamine alone (to_python)"], *[str(ledger)] * files],
                           env, work)
            if result["code"]:
                raise SystemExit(f"calamine failed: {result['stderr'][-2000:]}")
            result["read"] = float(result["stdout"].split()[0])
            return result
        return run

    print(f"\n3. the commands against calamine alone reading the same files ({rows} loans each), this tree: "
          f"{count} interleaved rounds, medians; ratios round by round to calamine's whole process and to its "
          f"read; cold = the first read (empty cache folder), warm = the command's second run on the same folder")
    print(f"{'command --format json':<28}{'files':>6}{'calamine CPU':>14}{'(read)':>8}{'command CPU':>13}"
          f"{'ratio':>8}{'to read':>9}{'wall ratio':>12}{'peak':>11}")
    for name, files in (("collect plan", 1), ("npl-report --opening", 2)):
        floor, cold, hot = pairs(calamine(files), lambda: docgen(tree, COMMANDS[name], ledger, work),
                                 lambda: warm(tree, COMMANDS[name], ledger, work), count=count)
        if any(c["stdout"] != h["stdout"] for c, h in zip(cold, hot)):
            raise SystemExit(f"{name}: the warm run's output differs from the cold run's")
        # Wall beside CPU: the report of two snapshots reads the opening one in a second process.
        for label, ours in ((f"{name}, cold", cold), (f"{name}, warm", hot)):
            print(f"{label:<28}{files:>6}{median(floor, 'cpu'):>13.2f}s{median(floor, 'read'):>7.2f}s"
                  f"{median(ours, 'cpu'):>12.2f}s{ratio(ours, floor, 'cpu'):>7.2f}x"
                  f"{statistics.median(o['cpu'] / f['read'] for o, f in zip(ours, floor)):>8.2f}x"
                  f"{ratio(ours, floor, 'wall'):>11.2f}x{median(ours, 'peak'):>8.0f} MB", flush=True)


def scaling(trees: dict[str, Path], sizes: list[int], count: int, work: Path, baseline: str) -> None:
    print(f"\n4. scaling: whole processes, {count} interleaved pair(s) per size, medians; per 1k = CPU per 1,000 "
          f"loans beyond the previous size")
    print(f"{'loans':>8}  {'command':<14}{'baseline CPU':>13}{'peak':>9}{'this CPU':>10}{'per 1k':>8}{'peak':>9}"
          f"{'ratio':>7}")
    previous: dict[str, tuple[int, float]] = {}
    for size in sizes:
        ledger = ledger_file(work, size)
        for name in SCALED:
            args = COMMANDS[name]
            old, new = pairs(lambda: docgen(trees["baseline"], args, ledger, work),
                             lambda: docgen(trees["this tree"], args, ledger, work), count=count)
            cpu = median(new, "cpu")
            per = ""
            if name in previous:
                rows_before, cpu_before = previous[name]
                per = f"{(cpu - cpu_before) / (size - rows_before) * 1000:.3f}s"
            previous[name] = (size, cpu)
            print(f"{size:>8}  {name:<14}{median(old, 'cpu'):>12.2f}s{median(old, 'peak'):>6.0f} MB"
                  f"{cpu:>9.2f}s{per:>8}{median(new, 'peak'):>6.0f} MB{ratio(new, old, 'cpu'):>6.2f}x", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--pairs", type=int, default=3, help="interleaved pairs counted (after a warm-up pair)")
    parser.add_argument("--baseline-rev", default="117e72b")
    parser.add_argument("--scaling", default="10000,100000,400000", help="comma-separated ledger sizes")
    parser.add_argument("--scaling-pairs", type=int, default=1)
    parser.add_argument("--keep", type=Path, help="keep the ledgers and the exported baseline here (reused)")
    parser.add_argument("--skip", nargs="*", default=[], choices=["compare", "reading", "commands", "scaling"])
    args = parser.parse_args(argv)
    if not Path(TIME).exists():
        raise SystemExit(f"{TIME} is needed (Debian package 'time')")

    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-loans-"))
    work.mkdir(parents=True, exist_ok=True)
    trees = {"baseline": export(args.baseline_rev, work / f"baseline-{args.baseline_rev}"), "this tree": ROOT}
    print(f"cpus: {os.cpu_count()}, load average: {', '.join(f'{x:.1f}' for x in os.getloadavg())}; "
          f"baseline = {args.baseline_rev}")
    ledger = ledger_file(work, args.rows)
    if "compare" not in args.skip:
        compare(trees, ledger, args.rows, max(1, args.pairs), work, args.baseline_rev)
    if "reading" not in args.skip:
        reading(trees, ledger, args.rows, max(1, args.pairs), work, args.baseline_rev)
    if "commands" not in args.skip:
        against_reading(trees["this tree"], ledger, args.rows, max(1, args.pairs), work)
    if "scaling" not in args.skip:
        sizes = [int(size) for size in args.scaling.split(",") if size.strip()]
        scaling(trees, sizes, max(1, args.scaling_pairs), work, args.baseline_rev)
    print(f"load average at the end: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
