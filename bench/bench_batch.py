"""Benchmark ``docgen batch`` against a plain docxtpl loop, and the cost of a print PDF.

In one run, on the same generated rows (``examples/make_rows.py``) and the shipped
``demand-letter`` template:

1. **docgen batch**: ``run_batch`` end to end -- read the .xlsx, check every row (schema and
   rules), reserve serials in a fresh register, render, write each file atomically, record
   SHA-256s, write the manifests;
2. **plain docxtpl loop**: a NEW ``DocxTemplate`` per letter, rendered with the same context
   (the checked row plus the serial docgen gave it) and the same Jinja environment, saved to
   a file; nothing else (no reading, checking, register or manifest);
3. the text of both outputs (python-docx paragraphs and table cells) compared letter by
   letter (every letter, or an evenly spread sample of ``--compare``);
4. a merged print PDF: ``run_batch(..., pdf=True, merge_pdf=...)`` for ``--pdf-letters``;
5. a second reading of 1., labelled as such: the same batch in a fresh process with the
   libraries it imports on first use (``ONE_OFF_IMPORTS``) imported before the clock, as the
   docxtpl loop's are. The headline ratio stays 1. against 2.

Prints per-letter wall (and CPU) milliseconds, the ratio and "identical text: yes/no".
Exit 1 when any compared letter differs.

With ``--scaling 2000,20000,200000`` it measures instead how a whole ``docgen batch`` process
grows with its letters: for each size, rows from ``make_rows.py`` written as Excel saves them
(shared strings, XlsxWriter; kept in ``--keep``),
``docgen batch demand-letter`` (no PDF, fresh output folder and register) under
``/usr/bin/time -v``, this tree against ``--baseline-rev`` (exported with ``git archive``) in
interleaved pairs (a warm-up pair first up to 20,000 letters; a 200,000-letter run takes
minutes): CPU, CPU per letter beyond the previous size, and peak resident memory.

    .venv/bin/python bench/bench_batch.py                         # 2,000 letters, 500-letter PDF
    .venv/bin/python bench/bench_batch.py --letters 300 --pdf-letters 50
    .venv/bin/python bench/bench_batch.py --jobs 2 --pdf-letters 0
    .venv/bin/python bench/bench_batch.py --scaling 2000,20000,200000 --baseline-rev 822e94a --keep /tmp/b
"""
from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import docx  # noqa: E402
from docxtpl import DocxTemplate  # noqa: E402

from docgen.documents.batch import _cells_to_text, run_batch  # noqa: E402
from docgen.documents.register import Register  # noqa: E402
from docgen.core.tabular import read_table  # noqa: E402
from docgen.documents.template import jinja_environment, load_template  # noqa: E402


def _make_rows_module():
    # The generators are plain scripts in examples/, importable once that folder is on the path.
    sys.path.insert(0, str(ROOT / "examples"))
    import make_rows

    return make_rows


def text_of(path: Path) -> str:
    """The letter's text as python-docx sees it: paragraphs, then table cells."""
    document = docx.Document(str(path))
    parts = [p.text for p in document.paragraphs]
    parts += [c.text for t in document.tables for r in t.rows for c in r.cells]
    return "\n".join(parts)


class Timer:
    """Wall time and this process's CPU (every thread), user and system apart."""

    def __enter__(self) -> Timer:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        self.wall, self.user, self.sys = time.perf_counter(), usage.ru_utime, usage.ru_stime
        return self

    def __exit__(self, *exc: object) -> None:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        self.wall = time.perf_counter() - self.wall
        self.user = usage.ru_utime - self.user
        self.sys = usage.ru_stime - self.sys
        self.cpu = self.user + self.sys

    def line(self, count: int) -> str:
        """Per-letter wall and CPU milliseconds."""
        return (f"{self.wall * 1000 / count:7.2f} ms/letter wall, CPU {self.cpu * 1000 / count:.3f} "
                f"(user {self.user * 1000 / count:.3f} + system {self.sys * 1000 / count:.3f})")


#: The libraries a batch imports on first use, inside its timing (cn2an for amounts in words,
#: python-stdnum for ID numbers, calamine-plus for the .xlsx stream, the writer threads' pool).
ONE_OFF_IMPORTS = ("cn2an", "stdnum.cn.ric", "stdnum.cn.uscc", "python_calamine_plus", "concurrent.futures")

# A fresh process that imports what this bench imports, then ONE_OFF_IMPORTS, then times
# run_batch on the same rows: docgen with its one-off imports outside the clock, as the docxtpl
# loop's are (docxtpl, python-docx and lxml are imported before its clock).
_IMPORTS_FIRST = """
import importlib, resource, sys, time
from pathlib import Path
sys.path.insert(0, {root!r})
import docx, docxtpl
from docgen.documents.batch import run_batch
from docgen.documents.register import Register
for name in {imports!r}:
    importlib.import_module(name)
usage = resource.getrusage(resource.RUSAGE_SELF)
wall, user, system = time.perf_counter(), usage.ru_utime, usage.ru_stime
with Register(Path({work!r}) / "register.sqlite") as register:
    run_batch("demand-letter", {sheet!r}, Path({work!r}) / "out", register=register, jobs={jobs})
usage = resource.getrusage(resource.RUSAGE_SELF)
print(time.perf_counter() - wall, usage.ru_utime - user, usage.ru_stime - system)
"""


def imports_first(sheet: Path, work: Path, jobs: int) -> Timer:
    """Time ``run_batch`` on ``sheet`` in a fresh process with ``ONE_OFF_IMPORTS`` done first."""
    import subprocess

    work.mkdir()
    code = _IMPORTS_FIRST.format(root=str(ROOT), imports=ONE_OFF_IMPORTS, work=str(work), sheet=str(sheet), jobs=jobs)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    timer = Timer()
    timer.wall, timer.user, timer.sys = map(float, done.stdout.split())
    timer.cpu = timer.user + timer.sys
    return timer


def scaling(sizes: list[int], baseline_rev: str, pairs_count: int, work: Path) -> None:
    """Print CPU and peak memory of whole ``docgen batch`` processes at each size, this tree vs ``baseline_rev``."""
    sys.path.insert(0, str(ROOT / "bench"))
    from bench_loans import export, median, pairs, ratio, timed

    trees = {"baseline": export(baseline_rev, work / f"baseline-{baseline_rev}"), "this tree": ROOT}
    rows_module = _make_rows_module()
    print(f"cpus: {os.cpu_count()}, load average: {', '.join(f'{x:.1f}' for x in os.getloadavg())}; "
          f"baseline = {baseline_rev}; {pairs_count} interleaved pair(s) per size (after a warm-up pair up to "
          f"20,000 letters), medians")
    print(f"{'letters':>8}  {'baseline CPU':>12}{'peak':>10}{'this CPU':>10}{'per letter':>12}{'peak':>10}{'CPU ratio':>11}")
    previous: tuple[int, float] | None = None
    for size in sizes:
        sheet = work / f"rows-{size}-excel.xlsx"
        if not sheet.exists():  # as Excel saves it (shared strings), what a back office hands in
            from bench_ledger import _write_excel_style

            _write_excel_style(rows_module.make_rows(size), sheet, {h: h for h in rows_module.HEADERS}, "名单")

        def run(tree: Path) -> dict:
            out, register = work / "out", work / "register.sqlite"
            shutil.rmtree(out, ignore_errors=True)
            register.unlink(missing_ok=True)
            env = {**os.environ, "PYTHONPATH": str(tree), "PYTHONWARNINGS": "ignore"}
            result = timed([sys.executable, "-m", "docgen", "batch", "demand-letter", "--rows", str(sheet),
                            "--out", str(out), "--register", str(register), "--new-register", "--no-progress"], env, work)
            shutil.rmtree(out, ignore_errors=True)
            if result["code"] != 0:
                raise SystemExit(f"{tree}: docgen batch failed ({result['code']}):\n{result['stderr'][-2000:]}")
            return result

        if size <= 20_000:
            old, new = pairs(lambda: run(trees["baseline"]), lambda: run(trees["this tree"]), count=pairs_count)
        else:  # minutes a run: no warm-up pair (the rows file is in the page cache from the smaller sizes' turn)
            old, new = [], []
            for _ in range(pairs_count):
                old.append(run(trees["baseline"]))
                new.append(run(trees["this tree"]))
        cpu = median(new, "cpu")
        per = f"{(cpu - previous[1]) / (size - previous[0]) * 1000:.2f} ms" if previous else ""
        previous = (size, cpu)
        print(f"{size:>8}  {median(old, 'cpu'):>11.2f}s{median(old, 'peak'):>7.0f} MB{cpu:>9.2f}s{per:>12}"
              f"{median(new, 'peak'):>7.0f} MB{ratio(new, old, 'cpu'):>10.2f}x", flush=True)
    print(f"load average at the end: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--letters", type=int, default=2000, help="letters per run (default 2000)")
    parser.add_argument("--baseline", type=int, default=None,
                        help="letters rendered by the docxtpl loop (default: all of them)")
    parser.add_argument("--compare", type=int, default=200,
                        help="letters whose text is compared, spread evenly (0 = every letter)")
    parser.add_argument("--jobs", type=int, default=1, help="docgen batch --jobs (default 1)")
    parser.add_argument("--pdf-letters", type=int, default=500, help="letters in the print-PDF run (0 = skip)")
    parser.add_argument("--scaling", help="comma-separated letter counts: whole-process growth and memory instead")
    parser.add_argument("--baseline-rev", default="main", help="revision --scaling compares against")
    parser.add_argument("--scaling-pairs", type=int, default=1)
    parser.add_argument("--keep", type=Path, help="--scaling: keep the rows and the exported baseline here")
    args = parser.parse_args()
    if args.scaling:
        work = args.keep or Path(tempfile.mkdtemp(prefix="bench-batch-"))
        work.mkdir(parents=True, exist_ok=True)
        scaling([int(size) for size in args.scaling.split(",") if size.strip()], args.baseline_rev,
                max(1, args.scaling_pairs), work)
        return 0
    n = args.letters
    baseline_n = min(args.baseline or n, n)
    rows_module = _make_rows_module()

    with tempfile.TemporaryDirectory(prefix="docgen-bench-") as tmp:
        tmp_path = Path(tmp)
        sheet = tmp_path / "rows.xlsx"
        rows_module.write_xlsx(rows_module.make_rows(n), sheet)
        template = load_template("demand-letter")

        # 1. docgen batch, end to end (the Template is loaded fresh inside, as the CLI does).
        with Register(tmp_path / "register.sqlite") as register, Timer() as docgen_t:
            result = run_batch("demand-letter", sheet, tmp_path / "docgen", register=register, jobs=args.jobs)
        assert len(result.written) == n, "every letter should have been written"

        # The same contexts for the baseline: the checked rows plus the serials docgen gave them.
        table = read_table(sheet, {f: template.aliases.get(f, []) for f in template.schema})
        serials = {d.row: (d.serial, d.file.name) for d in result.documents}
        contexts = []
        for row in table.rows:
            data, _ = _cells_to_text(template, row.values, row)
            context = template.prepare(data, row=row.number, columns=row.columns)
            context["serial"], name = serials[row.number]
            contexts.append((context, name))

        # The floor: what any batch must do per letter -- render document.xml, append it to the
        # pre-built zip of the other members (docgen's compiled template) and write the file.
        floor = tmp_path / "floor"
        floor.mkdir()
        template.render(contexts[0][0])  # compiled before the clock, as docgen's own first letter
        with Timer() as floor_t:
            for context, name in contexts:
                with open(floor / name, "wb") as fh:
                    fh.write(template.render(context))

        # 1b. the same batch in a fresh process, its one-off imports before the clock (a second line).
        first_t = imports_first(sheet, tmp_path / "imports-first", args.jobs)

        # 2. the plain docxtpl loop: a new DocxTemplate per letter.
        env = jinja_environment()
        plain = tmp_path / "docxtpl"
        plain.mkdir()
        with Timer() as plain_t:
            for context, name in contexts[:baseline_n]:
                tpl = DocxTemplate(str(template.path))
                tpl.render(context, env, autoescape=True)
                tpl.save(str(plain / name))

        # 3. identical text?
        names = [name for _, name in contexts[:baseline_n]]
        if args.compare and args.compare < len(names):
            step = len(names) / args.compare
            names = [names[int(i * step)] for i in range(args.compare)]
        differ = [name for name in names if text_of(tmp_path / "docgen" / name) != text_of(plain / name)]

        # 4. merged print PDF.
        pdf_line = None
        if args.pdf_letters:
            from docgen.documents.pdf import find_soffice

            try:
                find_soffice()
            except Exception as exc:  # report, do not fail the render benchmark
                pdf_line = f"print PDF        : skipped ({exc})"
            else:
                m = min(args.pdf_letters, n)
                pdf_sheet = tmp_path / "pdf-rows.xlsx"
                rows_module.write_xlsx(rows_module.make_rows(m, seed=99), pdf_sheet)
                stages: dict[str, float] = {}

                def progress(stage: str, done: int, total: int) -> None:
                    if done == 0:
                        stages[stage] = time.perf_counter()
                    elif done == total:
                        stages[stage] = time.perf_counter() - stages[stage]

                with Register(tmp_path / "pdf-register.sqlite") as register, Timer() as pdf_t:
                    pdf_result = run_batch("demand-letter", pdf_sheet, tmp_path / "pdf", register=register,
                                           pdf=True, merge_pdf=tmp_path / "print.pdf", jobs=args.jobs,
                                           progress=progress)
                from pypdf import PdfReader

                pages = len(PdfReader(str(pdf_result.merged)).pages)
                pdf_line = (f"print PDF        : {pdf_t.wall * 1000 / m:7.2f} ms/letter for {m} letters "
                            f"(.docx + PDF + merged {pages}-page print file; LibreOffice conversion "
                            f"{stages.get('pdf', 0) * 1000 / m:.2f} ms/letter; total {pdf_t.wall:.1f} s)")

    print(f"machine          : {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}")
    print(f"docgen batch     : {docgen_t.line(n)} ({n} letters, --jobs {args.jobs}; read .xlsx, check, "
          f"register, render, staged write, one sync, rename, manifests; total {docgen_t.wall:.2f} s)")
    print(f"floor            : {floor_t.line(n)} (render document.xml, append to the pre-built zip, write)")
    print(f"docxtpl loop     : {plain_t.line(baseline_n)} ({baseline_n} letters, new DocxTemplate each)")
    wall_ratio = (plain_t.wall / baseline_n) / (docgen_t.wall / n)
    print(f"ratio            : {wall_ratio:7.1f}x wall, {(plain_t.cpu / baseline_n) / (docgen_t.cpu / n):.1f}x CPU, "
          f"{(plain_t.user / baseline_n) / (docgen_t.user / n):.1f}x user CPU (target >= 40x); "
          f"docgen / floor: {docgen_t.cpu / floor_t.cpu:.2f}x CPU, {docgen_t.user / floor_t.user:.2f}x user CPU")
    print(f"imports first    : {first_t.line(n)} (the same batch in a fresh process, "
          f"{', '.join(ONE_OFF_IMPORTS)} imported before the clock as docxtpl's are)")
    print(f"ratio, imports first: {(plain_t.cpu / baseline_n) / (first_t.cpu / n):.1f}x CPU, "
          f"{(plain_t.user / baseline_n) / (first_t.user / n):.1f}x user CPU (a second reading; the ratio above is the headline)")
    print(f"identical text   : {'yes' if not differ else 'no'} ({len(names) - len(differ)}/{len(names)} letters compared)")
    if differ:
        print("  differ: " + ", ".join(differ[:5]))
    if pdf_line:
        print(pdf_line)
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
