"""Jobs on Celery (Redis broker) with a PostgreSQL register: two service instances, two workers.

Real parts only: a Redis and a PostgreSQL cluster of their own on 127.0.0.1
(``tests/servers.py``), ``docgen worker`` processes, LibreOffice for the PDFs.
"""
from __future__ import annotations

import csv
import io
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from batch_helpers import rows
from docgen.documents.register import Register
from docgen.service.app import create_app
from docgen.service.queue import CeleryRunner
from servers import Docgen
from service_helpers import PASSWORD, make_settings, wait_job

pytestmark = pytest.mark.soffice

CHUNK = 4


def _csv(data: list[dict[str, object]]) -> bytes:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(data[0]))
    writer.writeheader()
    writer.writerows(data)
    return buf.getvalue().encode("utf-8")


def _worker(broker: str, log: Path) -> Docgen:
    return Docgen(["worker", "--broker", broker, "--concurrency", "1"], log,
                  env={"DOCGEN_CHUNK_ROWS": str(CHUNK), "DOCGEN_QUEUE_VISIBILITY": "20"})


@pytest.fixture()
def cluster(tmp_path: Path, redis_server, pg_register: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict]:
    """A data folder, two workers and two service instances sharing one broker and one register."""
    monkeypatch.setenv("DOCGEN_CHUNK_ROWS", str(CHUNK))
    broker = redis_server.url(int(time.time() * 1000) % 16)  # a database of the server per test
    import redis

    redis.Redis.from_url(broker).flushdb()
    settings = make_settings(tmp_path / "data", broker=broker, register=pg_register)
    workers = [_worker(broker, tmp_path / f"worker{n}.log") for n in range(2)]
    try:
        with TestClient(create_app(settings, CeleryRunner(settings))) as one, \
                TestClient(create_app(settings, CeleryRunner(settings))) as two:
            yield {"settings": settings, "clients": [one, two], "workers": workers, "register": pg_register,
                   "logs": [tmp_path / f"worker{n}.log" for n in range(2)]}
    finally:
        for proc in workers:
            proc.stop()


def _headers(client: TestClient) -> dict[str, str]:
    token = client.post("/api/token", data={"username": "backoffice", "password": PASSWORD}).json()["access_token"]
    return {"Authorization": f"Bearer {token}"}


def _submit(client: TestClient, headers: dict[str, str], data: list[dict[str, object]]) -> str:
    answer = client.post("/api/batch/demand-letter", headers=headers,
                         files={"rows": ("rows.csv", _csv(data), "text/csv")})
    assert answer.status_code == 202, answer.text
    return answer.json()["job"]


def test_four_batches_from_two_instances_on_two_workers(cluster: dict) -> None:
    data = rows(40, seed=21)
    batches = [data[n * 10:(n + 1) * 10] for n in range(4)]
    clients = cluster["clients"]
    headers = [_headers(c) for c in clients]
    jobs = [(n % 2, _submit(clients[n % 2], headers[n % 2], batch)) for n, batch in enumerate(batches)]
    serials: list[str] = []
    for side, job_id in jobs:
        job = wait_job(clients[side], job_id, headers[side], timeout=240)
        assert job["state"] == "done", (job, [log.read_text()[-2000:] for log in cluster["logs"]])
        assert job["result"]["written"] == 10 and job["result"]["chunks"] == 3
        serials += job["result"]["serials"]
        other = clients[1 - side].get(f"/api/jobs/{job_id}", headers=headers[1 - side]).json()
        assert other["state"] == "done"  # both instances see every job: one data folder
    assert len(serials) == len(set(serials)) == 40
    with Register(cluster["register"], readonly=True) as reg:
        records = reg.records("demand-letter")
        assert sorted(r.seq for r in records) == list(range(1, 41))
        assert all(r.is_complete for r in records)
        assert reg.audit() == [] and reg.verify() == []


def _chunk_child(worker: Docgen) -> int | None:
    """The pid of a LibreOffice or pool process under ``worker`` (a chunk being worked on), if any."""
    children = subprocess.run(["pgrep", "-P", str(worker.pid)], capture_output=True, text=True).stdout.split()
    for child in children:
        if subprocess.run(["pgrep", "-P", child], capture_output=True, text=True).stdout.strip():
            return int(child)  # a pool process that itself started LibreOffice: mid-chunk
    return None


def test_a_worker_killed_mid_chunk_the_job_still_issues_every_letter_once(cluster: dict, tmp_path: Path) -> None:
    client = cluster["clients"][0]
    headers = _headers(client)
    data = rows(16, seed=33)
    job_id = _submit(client, headers, data)
    deadline = time.monotonic() + 120
    killed = None
    while time.monotonic() < deadline and killed is None:
        for worker in cluster["workers"]:
            child = _chunk_child(worker)
            if child is not None:
                worker.stop(signal.SIGKILL)  # the whole worker, as if its machine died
                killed = child
                break
        time.sleep(0.05)
    assert killed is not None, "no chunk was ever seen running"
    cluster["workers"].append(_worker(cluster["settings"].broker, tmp_path / "restarted.log"))
    job = wait_job(client, job_id, headers, timeout=300)
    assert job["state"] == "done", (job, [log.read_text()[-2000:] for log in cluster["logs"]])
    assert job["result"]["written"] + job["result"]["skipped"] == 16
    with Register(cluster["register"], readonly=True) as reg:
        records = reg.records("demand-letter")
        assert sorted(r.seq for r in records) == list(range(1, 17))
        assert all(r.is_complete for r in records) and reg.verify() == [] and reg.audit() == []
    assert sorted(job["result"]["serials"]) == sorted(r.serial for r in records)
    out = Path(cluster["settings"].files_dir)
    merged = list(out.rglob("demand-letter-打印.pdf"))
    assert len(merged) == 1
    singles = {p.name: p for p in out.rglob("chunks/*/*.pdf")}
    assert len(singles) == 16
    # The print file: every letter's pages, in serial order, merged from the chunks' print PDFs
    # (fonts once per chunk), not from the letters' own PDFs (fonts once per letter).
    by_serial = {r.serial: r for r in records}
    expected = [text for serial in sorted(job["result"]["serials"], key=lambda s: by_serial[s].seq)
                for text in _page_texts(singles[Path(by_serial[serial].file).with_suffix(".pdf").name])]
    assert _page_texts(merged[0]) == expected
    chunk_prints = list(out.rglob("chunks/*-print.pdf"))
    assert len(chunk_prints) == 4
    assert merged[0].stat().st_size <= 1.2 * sum(p.stat().st_size for p in chunk_prints)
    assert merged[0].stat().st_size < sum(p.stat().st_size for p in singles.values())
    # Each chunk read its own rows, spooled once by the split, not the whole sheet.
    from docgen.service.queue import _spooled_rows

    spooled = [row for p in sorted(out.rglob("chunks/*.rows.json")) for row in _spooled_rows(p)]
    assert [row.number for row in spooled] == list(range(2, 18))


def _page_texts(path: Path) -> list[str]:
    from pypdf import PdfReader

    return [page.extract_text() for page in PdfReader(str(path), strict=True).pages]


def test_a_stopped_worker_leaves_no_process_and_reports_its_cpu(redis_server, tmp_path: Path) -> None:
    log = tmp_path / "worker.log"
    worker = _worker(redis_server.url(15), log)
    worker.wait_for(b"ready.")
    pool = subprocess.run(["pgrep", "-g", str(worker.pid)], capture_output=True, text=True).stdout.split()
    assert len(pool) >= 2  # the worker and its pool process, one group
    usage = worker.stop()
    assert usage is not None and usage.ru_utime + usage.ru_stime > 0.1  # importing Celery and docgen alone
    assert worker.proc.returncode is not None and worker.stop() is None
    assert subprocess.run(["pgrep", "-g", str(worker.pid)], capture_output=True).returncode == 1  # none left
