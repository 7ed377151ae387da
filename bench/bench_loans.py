#!/usr/bin/env python3
"""Benchmark: the collection plan and the NPL report over a 100,000-loan ledger, this tree vs a baseline revision.

The collection side grew legal rules (vocabularies and cross-field row checks, the limitation
period event by event, guarantees by type, classification checks, the loans to sue). This
measures what that costs against the code before it, on the same ledger file, in the same run:

- the ledger is written once by this tree's generator (``examples/make_ledger.py --rows``; the
  extra columns are ignored by the older reader, which still has to read them);
- the baseline revision (default ``117e72b``, main before the rules) is exported with
  ``git archive`` into a temporary folder and run with ``PYTHONPATH`` pointing at it;
- each side runs ``docgen collect plan --format json`` and ``docgen npl-report --format json``
  as subprocesses, alternating, best of ``--repeat`` runs each.

Prints the seconds of each command for both trees and the ratio this tree / baseline.

    .venv/bin/python bench/bench_loans.py [--rows 100000] [--repeat 3] [--baseline-rev 117e72b] [--keep DIR]
"""
from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
AS_OF = "2026-06-30"
COMMANDS = {
    "collect plan": ["collect", "plan", "--as-of", AS_OF, "--format", "json"],
    "npl-report": ["npl-report", "--period", "2026Q2", "--format", "json"],
}


def export(rev: str, into: Path) -> Path:
    """Extract the ``docgen`` package of ``rev`` into ``into``; return the folder to put on PYTHONPATH."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", rev, "docgen", "templates",
                              "checklists"], capture_output=True, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="tar")
    return into


def run(tree: Path, args: list[str], ledger: Path, out: Path) -> float:
    """Return the wall time of ``python -m docgen ARGS --ledger LEDGER`` importing docgen from ``tree``."""
    env = {**os.environ, "PYTHONPATH": str(tree), "PYTHONWARNINGS": "ignore"}
    start = time.perf_counter()
    with open(out, "wb") as fh:
        done = subprocess.run([sys.executable, "-m", "docgen", *args, "--ledger", str(ledger)], stdout=fh,
                              stderr=subprocess.PIPE, env=env, cwd=out.parent)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"{tree}: docgen {' '.join(args)} failed ({done.returncode}):\n{done.stderr[-2000:]!r}")
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--baseline-rev", default="117e72b")
    parser.add_argument("--keep", type=Path, help="keep the ledger here (reused when present)")
    args = parser.parse_args(argv)

    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-loans-"))
    work.mkdir(parents=True, exist_ok=True)
    ledger = work / f"ledger-{args.rows}.xlsx"
    if not ledger.exists():
        sys.path.insert(0, str(ROOT / "examples"))
        import make_ledger

        start = time.perf_counter()
        make_ledger.write_ledger(make_ledger.bulk(args.rows), ledger)
        print(f"generated {ledger} ({args.rows} loans) in {time.perf_counter() - start:.1f} s")
    trees = {"baseline": export(args.baseline_rev, work / "baseline"), "this tree": ROOT}
    best: dict[tuple[str, str], float] = {}
    for _ in range(max(1, args.repeat)):
        for name, command in COMMANDS.items():
            for label, tree in trees.items():
                seconds = run(tree, command, ledger, work / f"{label.replace(' ', '-')}-{name.replace(' ', '-')}.json")
                key = (label, name)
                best[key] = min(best.get(key, seconds), seconds)
    print(f"{args.rows} loans, best of {args.repeat}; cpus: {os.cpu_count()}, load average: "
          f"{', '.join(f'{x:.1f}' for x in os.getloadavg())}; baseline = {args.baseline_rev}")
    for name in COMMANDS:
        old, new = best[("baseline", name)], best[("this tree", name)]
        print(f"docgen {name:<13} baseline {old:6.2f} s   this tree {new:6.2f} s   ratio {new / old:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
