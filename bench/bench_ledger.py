#!/usr/bin/env python3
"""Benchmark: ``docgen npl-report`` on a 100,000-loan ledger, end to end (issue 4, part 7).

Generates the ledger once (examples/make_ledger.py ``bulk`` rows; cached in the temp folder)
as Excel saves it (shared strings; written with XlsxWriter, ``pip install -e '.[bench]'``), as a
GB18030 CSV and, with ``--openpyxl-file``, as openpyxl writes it (inline strings, several times
larger). Then times, in the same run and on the same file:

- baseline: merely loading the file: openpyxl read-only (values only) for .xlsx, the csv module
  for the CSV;
- ``docgen npl-report --format json`` (a fresh process: start-up, read, validate, figures);
- ``docgen npl-report -o report.docx`` (the same plus chart and Word rendering);
- with ``--opening``: a byte copy of the file as the opening snapshot (two ledgers read).

Prints wall and CPU time, the ratios to the baseline, and whether the 10 s target is met;
``--phases`` adds the CPU time of each stage measured in-process.

    .venv/bin/python bench/bench_ledger.py [--rows 100000] [--repeat 1] [--opening] [--phases]
"""
from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_loans import opening_copy  # bench/ is the script's folder, first on sys.path

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 10.0


def _generator():
    # The generators are plain scripts in examples/, importable once that folder is on the path.
    sys.path.insert(0, str(ROOT / "examples"))
    import make_ledger

    return make_ledger


def _write_excel_style(rows, path: Path, headers: dict[str, str] | None = None, title: str = "贷款台账") -> None:
    """Write ledger rows (or rows with other ``headers``: key -> header) as Excel saves them: a
    shared-string table, date cells, numbers.

    openpyxl writes every string inline (and lxml escapes each Chinese character as ``&#NNNNN;``),
    which makes its files several times larger than Excel's; a bank's ledger comes from Excel or
    WPS, so the timed file is written by XlsxWriter (shared strings, as Excel does).
    """
    import xlsxwriter

    if headers is None:
        from docgen.loans.ledger import LEDGER_HEADERS as headers

    names = list(headers)
    tmp = path.with_suffix(".part.xlsx")
    workbook = xlsxwriter.Workbook(str(tmp))
    sheet = workbook.add_worksheet(title)
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(0, 0, [headers[n] for n in names])
    for r, item in enumerate(rows, start=1):
        for c, name in enumerate(names):
            value = item.get(name)
            if value is None:
                continue
            if hasattr(value, "isoformat"):
                sheet.write_datetime(r, c, value, date_format)
            elif isinstance(value, str):
                sheet.write_string(r, c, value)
            else:
                sheet.write_number(r, c, float(value))
    workbook.close()
    os.replace(tmp, path)


def ledger_file(rows: int, style: str = "excel") -> Path:
    """Return the cached bench ledger of ``rows`` loans (``excel`` or ``openpyxl`` written)."""
    folder = Path(tempfile.gettempdir()) / "docgen-bench"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / (f"ledger-{rows}-gb18030.csv" if style == "csv" else f"ledger-{rows}-{style}.xlsx")
    if not path.exists():
        print(f"generating {path} ({rows} loans, once) ...", flush=True)
        started = time.perf_counter()
        gen = _generator()
        if style == "excel":
            _write_excel_style(gen.bulk(rows), path)
        elif style == "csv":
            gen.write_ledger(gen.bulk(rows), path, encoding="gb18030")
        else:
            gen.write_ledger(gen.bulk(rows), path)
        print(f"  generated in {time.perf_counter() - started:.1f} s", flush=True)
    return path


def baseline(path: Path) -> tuple[float, float, int]:
    """(wall s, CPU s, rows) to merely load ``path``: openpyxl read-only (values only) for .xlsx,
    the csv module over the GB18030-decoded text for .csv."""
    import openpyxl

    started, cpu = time.perf_counter(), time.process_time()
    if path.suffix == ".csv":
        import csv
        import io

        count = sum(1 for _ in csv.reader(io.StringIO(path.read_bytes().decode("gb18030"), newline="")))
        return time.perf_counter() - started, time.process_time() - cpu, count
    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    count = sum(1 for _ in workbook.worksheets[0].iter_rows(values_only=True))
    workbook.close()
    return time.perf_counter() - started, time.process_time() - cpu, count


def run_cli(args: list[str]) -> tuple[float, float]:
    """(wall s, CPU s) of one ``docgen`` process (stdout discarded); raises if it fails.

    CPU time (user + system of the child) is printed too: on a shared machine the wall time
    also measures the neighbours.
    """
    docgen = Path(sys.executable).with_name("docgen")
    command = [str(docgen) if docgen.exists() else sys.executable, *([] if docgen.exists() else ["-m", "docgen.cli"]),
               *args]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"docgen failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return elapsed, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def phases(path: Path, notes: Path) -> list[tuple[str, float]]:
    """CPU seconds of each stage, in this process: where the end-to-end time goes."""
    from docgen.loans.ledger import LEDGER_ALIASES, REQUIRED_COLUMNS, TEXT_FIELDS, loans_from_rows
    from docgen.loans.npl import compute_figures, parse_period
    from docgen.loans.npl_report import load_notes, render_chart, render_report
    from docgen.core.tabular import read_table

    out = []

    def stage(label, func):
        cpu = time.process_time()
        result = func()
        out.append((label, time.process_time() - cpu))
        return result

    table = stage("read_table (shared spreadsheet reader)", lambda: read_table(
        path, LEDGER_ALIASES, required=REQUIRED_COLUMNS, text_fields=TEXT_FIELDS))
    loans, _ = stage("validate rows (fast path + cerberus)", lambda: loans_from_rows(
        (r.number, r.values, r.columns) for r in table.rows))
    figures = stage("figures, flags, breakdowns", lambda: compute_figures(loans, loans, period=parse_period("2026Q2")))
    stage("chart (matplotlib)", lambda: render_chart(figures))
    note = load_notes(notes)
    stage("docx render (chart + template)", lambda: render_report(figures, note, branch=note.branch or "x"))
    return out


def bench_file(path: Path, style: str, args: argparse.Namespace) -> bool:
    """Time the baseline and the commands on one file; print; return True if all met the target."""
    kind = {"excel": "Excel-style: shared strings", "openpyxl": "openpyxl-written: inline strings",
            "csv": "CSV in GB18030"}[style]
    print(f"\nledger: {path} ({path.stat().st_size / 1e6:.1f} MB, {kind}), cpus: {os.cpu_count()}, "
          f"load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    base, base_cpu, count = min(baseline(path) for _ in range(args.repeat))
    label = "baseline: csv module, decoded text" if style == "csv" else "baseline: openpyxl read-only, values only"
    print(f"{label:40s} {base:6.2f} s wall {base_cpu:6.2f} s CPU "
          f"({count - 1} rows)")
    out = Path(tempfile.mkdtemp(prefix="docgen-bench-out-"))
    common = ["npl-report", "--ledger", str(path), "--period", "2026Q2"]
    cases = [
        ("npl-report --format json", [*common, "--format", "json"]),
        ("npl-report -o report.docx", [*common, "--notes", str(ROOT / "examples/ledger/notes.yaml"),
                                       "-o", str(out / "report.docx")]),
    ]
    if args.opening:
        cases.append(("npl-report --opening (2 ledgers) json",
                      [*common, "--opening", str(opening_copy(path)), "--format", "json"]))
    ok = True
    for label, command in cases:
        seconds, cpu = min(run_cli(command) for _ in range(args.repeat))
        met = seconds < TARGET_SECONDS
        ok &= met
        print(f"{label:40s} {seconds:6.2f} s wall {cpu:6.2f} s CPU   ratio to baseline {seconds / base:5.2f}x wall, "
              f"{cpu / base_cpu:5.2f}x CPU   10 s target: {'met' if met else 'NOT met'}")
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=1, help="runs per measurement; the best is kept")
    parser.add_argument("--opening", action="store_true", help="also time with the same file as --opening")
    parser.add_argument("--phases", action="store_true", help="also print CPU time per stage (in-process)")
    parser.add_argument("--openpyxl-file", action="store_true",
                        help="also time a file written by openpyxl (inline strings, several times larger)")
    args = parser.parse_args(argv)

    ok = True
    for style in ["excel", "csv", *(["openpyxl"] if args.openpyxl_file else [])]:
        ok &= bench_file(ledger_file(args.rows, style), style, args)
    if args.phases:
        print("CPU per stage (in-process, Excel-style file):")
        for label, seconds in phases(ledger_file(args.rows), ROOT / "examples/ledger/notes.yaml"):
            print(f"  {label:40s} {seconds:6.2f} s")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
