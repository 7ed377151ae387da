"""Benchmark a batch with PDFs on 1 and 2 `docgen worker` processes: letters/s, cost per letter, speed-up.

The distributed path end to end, as a bank runs it beyond one machine (README "Running for
many branches"), every part on 127.0.0.1: a throwaway Redis (broker) and PostgreSQL cluster
(register) from ``tests/servers.py``, a ``docgen serve --broker … --register postgresql://…``
process, and N ``docgen worker --broker … --concurrency 1`` processes. The rows
(``examples/make_rows.py``) are uploaded to ``POST /api/batch/demand-letter`` as a user of
the service would; the service checks them and queues the job, a worker splits it into chunks
of ``--chunk`` rows (each one LibreOffice call), the workers run the chunks, the last one
merges the print PDF. The clock runs from the upload to the job's ``done``; the workers are
started (and ready) before it. Each configuration gets a fresh data folder, register database
and Redis database.

Baseline: the 1-worker run of the same rows in the same invocation (``--in-process`` adds
``run_batch(..., pdf=True, jobs=1)`` in this process, the path without Celery). CPU is the
workers' own plus their pool processes' and LibreOffice's (``wait4`` when each is stopped).
After each complete run: the register holds serials 1..N once each, all written, its audit
and verification clean; the job wrote N letters; the merged PDF has as many pages as the N
single PDFs together (exit 1 otherwise); its size against the chunks' print PDFs it was merged
from, and the time from the last chunk's end to the job's, are printed. ``--time-limit`` stops a configuration that has not
finished and reports the letters done so far (whole chunks) instead.

    .venv/bin/python bench/bench_pdf_workers.py --letters 200 --in-process
    .venv/bin/python bench/bench_pdf_workers.py --letters 20000 --time-limit 1500   # the month-end size
"""
from __future__ import annotations

import argparse
import os
import signal
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "examples"))
sys.path.insert(0, str(ROOT / "tests"))

TEMPLATE = "demand-letter"
USER, PASSWORD = "backoffice", "bench-password-9"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class Run:
    """What one configuration measured."""

    label: str
    letters: int        #: letters written (whole chunks when stopped at the time limit)
    wall: float         #: seconds from the upload to the job's end (or to the time limit)
    cpu: float | None   #: CPU seconds of the workers and everything they started
    complete: bool

    def line(self, baseline: Run | None) -> str:
        rate = self.letters / self.wall if self.wall else 0.0
        text = f"{self.label:<22}: {rate:6.2f} letters/s, {self.wall / max(self.letters, 1) * 1000:7.1f} ms/letter"
        if self.cpu is not None:
            text += f", CPU {self.cpu:7.1f} s ({self.cpu / max(self.letters, 1) * 1000:6.1f} ms/letter)"
        text += f", {self.letters} letters in {self.wall:.1f} s"
        if not self.complete:
            text += " (STOPPED at the time limit: partial)"
        if baseline is not None and baseline is not self and baseline.letters and self.letters:
            text += f"; {baseline.wall / baseline.letters / (self.wall / self.letters):.2f}x {baseline.label}"
        return text


def _fail(message: str) -> None:
    print(f"FAIL: {message}", file=sys.stderr)
    sys.exit(1)


def _pages(path: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(str(path)).pages)


def _check_register(url: str, letters: int, complete: bool) -> None:
    """Exit 1 unless the register holds serials 1..M once each (M == letters, all written, when complete)."""
    from docgen.documents.register import Register

    with Register(url, readonly=True) as register:
        records = register.records(TEMPLATE)
        seqs = sorted(r.seq for r in records)
        if seqs != list(range(1, len(seqs) + 1)):
            _fail(f"{url}: serials are not 1..{len(seqs)} without gap or duplicate")
        if complete and (len(seqs) != letters or not all(r.is_complete for r in records)):
            _fail(f"{url}: {len(seqs)} serials, {sum(r.is_complete for r in records)} written; expected {letters}")
        if complete and (register.audit() or register.verify()):
            _fail(f"{url}: audit or verification not clean")


def _check_files(out: Path, letters: int) -> tuple[int, int, int]:
    """Exit 1 unless the merged print PDF has the pages of the ``letters`` single PDFs; return its
    pages, its size and the size of the chunks' print PDFs it was merged from (bytes)."""
    name = f"{TEMPLATE}-打印.pdf"
    merged = list(out.rglob(name))
    parts = list(out.rglob("chunks/*-print.pdf"))
    singles = [p for p in out.rglob("*.pdf") if p.name != name and p not in parts]  # chunks/*/ or, unsplit, letters/
    if len(merged) != 1 or len(singles) != letters:
        _fail(f"{out}: {len(merged)} merged PDF(s), {len(singles)} single PDFs for {letters} letters")
    pages = _pages(merged[0])
    if pages != sum(_pages(p) for p in singles):
        _fail(f"{merged[0]}: {pages} pages, not those of the {letters} letters")
    return pages, merged[0].stat().st_size, sum(p.stat().st_size for p in parts)


def distributed(sheet: Path, folder: Path, workers: int, letters: int, chunk: int, redis: Any, postgres: Any,
                time_limit: float | None) -> Run:
    """Run the batch through serve + ``workers`` Celery workers; return what was measured."""
    import httpx2
    import redis as redis_client

    from docgen.service.settings import Settings
    from docgen.service.users import UserStore
    from servers import Docgen, free_port, wait_port

    data = folder / f"data-{workers}"
    settings = Settings(data)
    settings.prepare()
    UserStore(settings.db_path).add(USER, "backoffice", PASSWORD)
    register = postgres.new_database()
    broker = redis.url(workers)
    redis_client.Redis.from_url(broker).flushdb()
    port = free_port()
    env = {"DOCGEN_CHUNK_ROWS": str(chunk)}
    serve = Docgen(["serve", "--data", str(data), "--port", str(port), "--workers", "1", "--broker", broker,
                    "--register", register], folder / f"serve-{workers}.log", env=env)
    pool: list[Any] = []
    cpu, partial = 0.0, True  # an interruption before the end stops everything at once
    try:
        pool = [Docgen(["worker", "--broker", broker, "--concurrency", "1"], folder / f"worker-{workers}-{n}.log",
                       env=env) for n in range(workers)]
        wait_port(port, serve.proc)
        for worker in pool:
            worker.wait_for(b"ready.")
        base = f"http://127.0.0.1:{port}"
        with httpx2.Client(base_url=base, timeout=600) as client:
            token = client.post("/api/token", data={"username": USER, "password": PASSWORD}).json()["access_token"]
            headers = {"Authorization": f"Bearer {token}"}
            start = time.perf_counter()
            answer = client.post(f"/api/batch/{TEMPLATE}", headers=headers,
                                 files={"rows": (sheet.name, sheet.read_bytes(), XLSX)})
            if answer.status_code != 202:
                _fail(f"upload refused ({answer.status_code}): {answer.text[:500]}")
            job_id = answer.json()["job"]
            while True:
                job = client.get(f"/api/jobs/{job_id}", headers=headers).json()
                wall = time.perf_counter() - start
                if job["state"] not in ("queued", "running"):
                    ended = time.time()
                    break
                if time_limit is not None and wall > time_limit:
                    break
                time.sleep(1.0)
        # Stopped at the time limit: the chunks under way are killed (a warm stop would finish them), so
        # the CPU of their processes is not known.
        partial = job["state"] in ("queued", "running")
    finally:
        for worker in pool:
            usage = worker.stop(signal.SIGKILL if partial else signal.SIGTERM)
            cpu += usage.ru_utime + usage.ru_stime if usage is not None else 0.0
        serve.stop()
    out = settings.files_dir
    if partial:  # count the letters of the chunks that were finished
        done = sum(len(list(m.parent.glob("*.pdf"))) for m in out.rglob("chunks/*/manifest.json"))
        _check_register(register, done, complete=False)
        return Run(f"{workers} worker(s)", done, wall, None, complete=False)
    if job["state"] != "done" or job["result"].get("written") != letters:
        tail = [p.read_text(errors="replace")[-1500:] for p in sorted(folder.glob(f"worker-{workers}-*.log"))]
        _fail(f"{workers} worker(s): job {job['state']}: {job.get('error')} {job.get('result')}\n" + "\n".join(tail))
    _check_register(register, letters, complete=True)
    pages, size, parts = _check_files(out, letters)
    # The assembly (print file merged from the chunks' print PDFs, the .zip) runs after the last chunk.
    last_chunk = max(m.stat().st_mtime for m in out.rglob("chunks/*/manifest.json"))
    print(f"  checked {workers} worker(s): serials 1..{letters} once each, audit clean, merged PDF {pages} pages, "
          f"{size / 1e6:.1f} MB ({size / max(parts, 1):.3f}x its chunks' print PDFs), assembly after the last "
          f"chunk {ended - last_chunk:.1f} s", file=sys.stderr)
    return Run(f"{workers} worker(s)", letters, wall, cpu, complete=True)


def in_process(sheet: Path, folder: Path, letters: int) -> Run:
    """Run the batch in this process (``run_batch``, one LibreOffice); return what was measured."""
    import resource

    from docgen.documents.batch import run_batch
    from docgen.documents.register import Register

    register_path = folder / "in-process.sqlite"
    out = folder / "in-process"
    before = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    with Register(register_path) as register:
        result = run_batch(TEMPLATE, sheet, out, register=register, pdf=True, merge_pdf=out / "print.pdf", jobs=1)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = sum(a.ru_utime + a.ru_stime - b.ru_utime - b.ru_stime for a, b in zip(after, before))
    if len(result.written) != letters:
        _fail(f"in-process batch wrote {len(result.written)} of {letters}")
    _check_register(str(register_path), letters, complete=True)
    return Run("in-process (no Celery)", letters, wall, cpu, complete=True)


def _interrupted(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def _load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--letters", type=int, default=200)
    parser.add_argument("--workers", default="1,2", help="worker counts to run, in order (the first is the baseline)")
    parser.add_argument("--chunk", type=int, default=200, help="rows per chunk (DOCGEN_CHUNK_ROWS)")
    parser.add_argument("--time-limit", default=None, metavar="S[,S…]",
                        help="stop a configuration after S seconds and report the letters done so far "
                             "(one value for all, or one per --workers count)")
    parser.add_argument("--in-process", action="store_true", help="also run the batch in-process, without Celery")
    args = parser.parse_args()
    counts = [int(n) for n in args.workers.split(",")]
    limits = [float(s) for s in args.time_limit.split(",")] if args.time_limit else [None]
    if len(limits) == 1:
        limits *= len(counts)
    if len(limits) != len(counts):
        parser.error("--time-limit: one value, or one per --workers count")
    import make_rows
    from servers import Postgres, Redis

    # A stop from outside (kill, the session ending) unwinds like Ctrl-C: every server and worker is stopped.
    signal.signal(signal.SIGTERM, _interrupted)
    with tempfile.TemporaryDirectory(prefix="docgen-bench-pdf-") as tmp:
        folder = Path(tmp)
        # The register's anchors and LibreOffice's profile go here, not into the user's folders.
        os.environ["XDG_DATA_HOME"] = str(folder / "xdg-data")
        os.environ["XDG_CACHE_HOME"] = str(folder / "xdg-cache")
        sheet = folder / "rows.xlsx"
        make_rows.write_xlsx(make_rows.make_rows(args.letters, 5), sheet)
        print(f"{args.letters} letters with PDFs, chunks of {args.chunk}; load average {_load()} at the start",
              file=sys.stderr)
        runs: list[Run] = []
        redis, postgres = Redis(), None
        try:
            postgres = Postgres()
            if args.in_process:
                runs.append(in_process(sheet, folder, args.letters))
                print(f"  {runs[-1].line(None)}  [load {_load()}]", file=sys.stderr)
            for count, limit in zip(counts, limits):
                runs.append(distributed(sheet, folder, count, args.letters, args.chunk, redis, postgres, limit))
                print(f"  {runs[-1].line(None)}  [load {_load()}]", file=sys.stderr)
        finally:
            redis.stop()
            if postgres is not None:
                postgres.stop()
    baseline = next((r for r in runs if r.label.startswith(f"{counts[0]} ")), None)
    for run in runs:
        print(run.line(baseline))
    print(f"load average at the end: {_load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
