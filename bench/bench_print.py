"""Benchmark the print PDF: letters converted one LibreOffice document per letter (the old
way) against one document per chunk of letters (``docgen.documents.printrun``).

Each invocation does one thing, so a whole-process timer (``/usr/bin/time -v``, or several
interleaved runs of each) can compare them:

    .venv/bin/python bench/bench_print.py prepare DIR --letters 500 [--template-file OLD.docx]
    .venv/bin/python bench/bench_print.py each DIR [--jobs 2]     # convert_to_pdf + merge_pdfs
    .venv/bin/python bench/bench_print.py chunks DIR [--jobs 2]   # printrun.print_run, merged
    .venv/bin/python bench/bench_print.py chunks DIR --split      # ... and every letter's own PDF
    .venv/bin/python bench/bench_print.py compare DIR --sample 10 # page texts, both ways
    .venv/bin/python bench/bench_print.py anchor DIR [--jobs 2]   # the in-run anchor (below)

``prepare`` also assembles the letters into the chunk .docx files ``chunks`` converts
(DIR/chunks-jN, as ``printrun`` plans them for N instances); ``anchor`` converts exactly
those files with plain ``soffice --headless --convert-to pdf`` (N instances at once, each
with its own profile kept in DIR), nothing else: the floor of a chunked print run.

``prepare`` writes the demand letters (``examples/make_rows.py`` rows, shipped template or
``--template-file``) into DIR/docs. ``each`` and ``chunks`` write DIR/<mode>/print.pdf and
print milliseconds per letter and the print file's size. ``compare`` converts an evenly
spread sample both ways and checks that every letter has the same pages, the same glyphs in
the same order at the same places (pdfminer.six) and the same text (pypdf, whitespace aside);
exit 1 if not.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def prepare(folder: Path, letters: int, template_file: str | None) -> None:
    sys.path.insert(0, str(ROOT / "examples"))
    import make_rows

    from docgen.documents.batch import run_batch
    from docgen.documents.register import Register

    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    make_rows.write_xlsx(make_rows.make_rows(letters), folder / "rows.xlsx")
    with Register(folder / "register.sqlite") as register:
        result = run_batch("demand-letter", folder / "rows.xlsx", folder / "docs", register=register,
                           template_file=template_file)
    print(f"{len(result.documents)} letters in {folder / 'docs'}")
    from docgen.documents.printrun import assemble, plan_chunks

    letters = _letters(folder)
    for jobs in (1, 2):
        chunks = folder / f"chunks-j{jobs}"
        chunks.mkdir()
        for number, chunk in enumerate(plan_chunks(letters, jobs), 1):
            assemble([letters[i] for i in chunk.indexes], chunks / f"chunk{number}.docx")


def anchor(folder: Path, jobs: int) -> None:
    """Plain LibreOffice on the chunk files, ``jobs`` instances at once (chunks dealt round)."""
    import subprocess

    from docgen.documents.pdf import find_soffice

    soffice = find_soffice()
    chunks = sorted((folder / f"chunks-j{jobs}").glob("*.docx"))
    out = folder / "anchor"
    shutil.rmtree(out, ignore_errors=True)
    start = time.perf_counter()
    procs = [subprocess.Popen([soffice, f"-env:UserInstallation={(folder / f'anchor-profile-{n}').as_uri()}",
                               "--headless", "--convert-to", "pdf", "--outdir", str(out), *map(str, chunks[n::jobs])],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for n in range(jobs)]
    for proc in procs:
        proc.wait()
    wall = time.perf_counter() - start
    letters = len(_letters(folder))
    print(f"anchor jobs={jobs}: {1000 * wall / letters:.1f} ms/letter ({letters} letters in {len(chunks)} "
          f"chunks, {wall:.1f} s)")


def _letters(folder: Path) -> list[Path]:
    return sorted((folder / "docs").glob("*.docx"))


def convert(folder: Path, mode: str, jobs: int, split: bool) -> None:
    from docgen.documents.pdf import convert_to_pdf, merge_pdfs
    from docgen.documents.printrun import print_run

    letters = _letters(folder)
    out = folder / mode
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir()
    start = time.perf_counter()
    if mode == "each":
        merge_pdfs(convert_to_pdf(letters, out, parallel=jobs), out / "print.pdf")
    else:
        targets = [out / f"{p.stem}.pdf" for p in letters] if split else None
        print_run(letters, pdf_targets=targets, merged=out / "print.pdf", jobs=jobs)
    wall = time.perf_counter() - start
    size = (out / "print.pdf").stat().st_size
    print(f"{mode}{' +split' if split else ''} jobs={jobs}: {1000 * wall / len(letters):.1f} ms/letter "
          f"({len(letters)} letters, {wall:.1f} s), print file {size / 1e6:.2f} MB "
          f"({size / 1e6 * 500 / len(letters):.2f} MB per 500 letters)")


#: Glyphs drawn at most this far apart (points) count as the same place: a split letter's pages
#: draw with the chunk's font subsets, whose kerning rounds a few hundredths of a point
#: differently from the subsets of the letter converted alone (0.14 pt at most measured).
PLACE_TOLERANCE = 0.25


def _glyphs(pdf: Path) -> list[list[tuple[str, float, float, float]]]:
    """Every page's glyphs in drawing order: (text, x, y, size), read with pdfminer.six."""
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LTChar

    pages = []
    for page in extract_pages(str(pdf), laparams=None):
        glyphs: list[tuple[str, float, float, float]] = []
        todo = [page]
        while todo:
            item = todo.pop()
            if isinstance(item, LTChar):
                glyphs.append((item.get_text(), item.x0, item.y0, item.size))
            elif hasattr(item, "__iter__"):
                todo.extend(reversed(list(item)))
        pages.append(glyphs)
    return pages


def _same_glyphs(a: Path, b: Path) -> tuple[bool, float]:
    """Whether both PDFs have the same pages with the same glyphs (text, size, order) at the
    same places (within ``PLACE_TOLERANCE``); and the largest distance between two of them."""
    pages_a, pages_b = _glyphs(a), _glyphs(b)
    if len(pages_a) != len(pages_b):
        return False, float("inf")
    worst = 0.0
    for glyphs_a, glyphs_b in zip(pages_a, pages_b):
        if [(g[0], g[3]) for g in glyphs_a] != [(g[0], g[3]) for g in glyphs_b]:
            return False, float("inf")
        for ga, gb in zip(glyphs_a, glyphs_b):
            worst = max(worst, abs(ga[1] - gb[1]), abs(ga[2] - gb[2]))
    return worst <= PLACE_TOLERANCE, worst


def compare(folder: Path, sample: int) -> int:
    """Convert an evenly spread sample alone and in one print run; exit 1 unless every letter
    has the same pages with the same glyphs at the same places both ways."""
    from pypdf import PdfReader

    from docgen.documents.pdf import convert_to_pdf
    from docgen.documents.printrun import print_run

    letters = _letters(folder)
    step = max(1, len(letters) // max(1, sample))
    chosen = letters[::step][:sample]
    out = folder / "compare"
    shutil.rmtree(out, ignore_errors=True)
    (out / "each").mkdir(parents=True)
    (out / "chunks").mkdir()
    alone = convert_to_pdf(chosen, out / "each")
    targets = [out / "chunks" / p.name for p in alone]
    print_run(chosen, pdf_targets=targets)
    raw = squeezed = placed = 0
    worst = 0.0
    for a, b in zip(alone, targets):
        pages_a = [p.extract_text() for p in PdfReader(str(a)).pages]
        pages_b = [p.extract_text() for p in PdfReader(str(b)).pages]
        raw += pages_a == pages_b
        squeezed += [re.sub(r"\s+", "", t) for t in pages_a] == [re.sub(r"\s+", "", t) for t in pages_b]
        same, distance = _same_glyphs(a, b)
        placed += same
        worst = max(worst, distance)
        if not same:
            print(f"differs: {a.name} ({len(pages_a)} vs {len(pages_b)} pages, glyphs up to {distance:.3f} pt apart)")
    count = len(chosen)
    print(f"same pages, glyphs and places (pdfminer.six, within {PLACE_TOLERANCE} pt): {placed}/{count} letters "
          f"(largest distance {worst:.3f} pt)")
    print(f"same page text without whitespace (pypdf): {squeezed}/{count}; with pypdf's inferred spaces: {raw}/{count}")
    return 0 if placed == count and squeezed == count else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["prepare", "each", "chunks", "compare", "anchor"])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--letters", type=int, default=500)
    parser.add_argument("--template-file", default=None, help="prepare: a .docx instead of the shipped one")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--split", action="store_true", help="chunks: also write every letter's PDF")
    parser.add_argument("--sample", type=int, default=10)
    args = parser.parse_args()
    # LibreOffice's kept profiles (docgen's cache) live in the bench folder, not the user's cache.
    os.environ.setdefault("DOCGEN_CACHE_DIR", str(args.folder.resolve() / "cache"))
    if args.action == "prepare":
        prepare(args.folder, args.letters, args.template_file)
        return 0
    if args.action == "compare":
        return compare(args.folder, args.sample)
    if args.action == "anchor":
        anchor(args.folder, args.jobs)
        return 0
    convert(args.folder, args.action, args.jobs, args.split)
    return 0


if __name__ == "__main__":
    sys.exit(main())
