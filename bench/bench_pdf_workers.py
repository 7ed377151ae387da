"""Benchmark a batch with PDFs on 1 and 2 local workers: letters/s, cost per letter, speed-up.

Each run is ``run_batch(..., pdf=True, merge_pdf=...)`` end to end on the same generated rows
(``examples/make_rows.py``) into a fresh register and folder: read and check the rows,
reserve the serials, render the .docx, convert every letter with LibreOffice (one instance
per worker, one conversion call per chunk) and merge the print PDF in serial order. The
baseline is the 1-worker run of the same invocation. Each run's register is audited and its
serials checked 1..N (exit 1 otherwise).

    .venv/bin/python bench/bench_pdf_workers.py --letters 20000     # the month-end size (hours here)
    .venv/bin/python bench/bench_pdf_workers.py --letters 300       # a sample of it
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "examples"))

from docgen.documents.batch import run_batch  # noqa: E402
from docgen.documents.register import Register  # noqa: E402


def one(sheet: Path, folder: Path, workers: int, letters: int) -> float:
    """Return the wall seconds of one batch with PDFs on ``workers`` workers; exit 1 on a bad result."""
    register_path = folder / f"reg-{workers}.sqlite"
    out = folder / f"out-{workers}"
    start = time.perf_counter()
    with Register(register_path) as register:
        result = run_batch("demand-letter", sheet, out, register=register, pdf=True,
                           merge_pdf=out / "print.pdf", jobs=workers)
    wall = time.perf_counter() - start
    with Register(register_path, readonly=True) as register:
        seqs = [r.seq for r in register.records("demand-letter")]
        if len(result.written) != letters or seqs != list(range(1, letters + 1)) or register.verify():
            print(f"FAIL: {workers} worker(s) wrote {len(result.written)} of {letters}", file=sys.stderr)
            sys.exit(1)
    return wall


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--letters", type=int, default=300)
    args = parser.parse_args()
    import make_rows

    with tempfile.TemporaryDirectory(prefix="docgen-bench-pdf-") as tmp:
        folder = Path(tmp)
        sheet = folder / "rows.xlsx"
        make_rows.write_xlsx(make_rows.make_rows(args.letters, 5), sheet)
        base = one(sheet, folder, 1, args.letters)
        two = one(sheet, folder, 2, args.letters)
    n = args.letters
    print(f"1 worker  : {n / base:6.2f} letters/s, {base / n * 1000:7.1f} ms/letter ({n} letters with PDFs, "
          f"total {base:.1f} s)")
    print(f"2 workers : {n / two:6.2f} letters/s, {two / n * 1000:7.1f} ms/letter (total {two:.1f} s)")
    print(f"speed-up  : {base / two:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
