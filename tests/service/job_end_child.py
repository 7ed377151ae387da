"""A job whose database stays unwritable past the wait, in a process file permissions apply to.

``test_service_storage.py`` runs this script through ``tests/unprivileged.py`` (as root, without
the capabilities that override file modes) with ``DOCGEN_RECORD_WAIT=1``: the wait is a second,
not five minutes. In each scenario a batch job makes its letters, then, as it is about to record
its end and audit entry, its data folder is made unwritable (mode 0500: SQLite can open the
database no more) for longer than the wait, and is given back. Asserted: while it refuses,
requests are 503 naming the data folder and the job's end is held in the process that ran it;
once writable, the job reads failed with that line (not running), nothing it made is left, and
the audit log has its entry exactly once.

- ``local_workers_end_refused``: the service's own job runner (``Service.submit``), with the job
  run as ``ProcessRunner``'s workers run it (``work.execute_job``), in a thread of this process so
  that the mode changes at that point of the job.
- ``local_workers_end_refused_by_the_database_file``: the same, with the database file itself made
  read-only (mode 0400, its folder writable): SQLite opens the WAL database read-only. The
  ``-shm`` file SQLite makes meanwhile takes the database's mode, so the line names either; once
  both are writable again (as an administrator fixes them) the end is recorded.
- ``celery_end_refused``: the multi-machine path: the job's Celery task (``docgen.job``) run in
  eager mode, so the batch is split into chunks (a chord) and ended by the assembly task, as a
  ``docgen worker`` runs them, without a broker.

The script prints one line per scenario passed and exits 0.
"""
from __future__ import annotations

import concurrent.futures
import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

from fastapi.testclient import TestClient  # noqa: E402

from service_helpers import PASSWORD, HeldRunner, eager_celery, make_settings, rows_csv, run_scenarios, wait_job  # noqa: E402
from unprivileged import modes  # noqa: E402

from docgen.service import work  # noqa: E402
from docgen.service.app import create_app  # noqa: E402
from docgen.service.messages import MESSAGES as SERVICE  # noqa: E402


class ThreadRunner:
    """Runs each job as ``ProcessRunner``'s workers do (``work.execute_job`` with the service's
    wait), in a thread of this process, once ``go`` is set; returns the run's future as they do."""

    def __init__(self, settings: Any) -> None:
        self.settings = settings
        self.go = threading.Event()
        self.runs: dict[str, concurrent.futures.Future[Any]] = {}
        self._pool = concurrent.futures.ThreadPoolExecutor(max_workers=1)

    def submit(self, job_id: str, refused: int = 0, attempt: str | None = None) -> concurrent.futures.Future[Any]:
        self.runs[job_id] = self._pool.submit(self._run, job_id, refused, attempt)
        return self.runs[job_id]

    def _run(self, job_id: str, refused: int, attempt: str | None) -> Any:
        self.go.wait()
        return work.execute_job(str(self.settings.data_dir), job_id, self.settings.register,
                                self.settings.record_wait, refused=refused, attempt=attempt)

    def close(self) -> None:
        self.go.set()
        self._pool.shutdown(wait=True)


@contextmanager
def unwritable_at_end(path: Path) -> Iterator[list[dict[str, Any]]]:
    """Within the block, make the folder or file ``path`` unwritable (mode 0500, a file 0400) as a
    job is about to record its end (``work.finish_job``); give its mode back when the block ends
    (and, to a database's ``-shm`` file SQLite made meanwhile with the database's mode, the
    owner's write). Yields the jobs so caught."""
    real = work.finish_job
    caught: list[dict[str, Any]] = []

    def finish_job(settings: Any, store: Any, job: dict[str, Any], result: dict[str, Any]) -> Any:
        if not caught:
            caught.append(job)
            os.chmod(path, 0o500 if path.is_dir() else 0o400)
        return real(settings, store, job, result)

    try:
        with modes((path, path.stat().st_mode & 0o7777)):  # the mode it had, whatever happens
            work.finish_job = finish_job  # type: ignore[assignment]
            try:
                yield caught
            finally:
                work.finish_job = real  # type: ignore[assignment]
    finally:
        shm = Path(f"{path}-shm")
        if shm.exists() and not os.access(shm, os.W_OK):
            shm.chmod(0o600)


def refusals(path: Path) -> set[str]:
    """The lines a job's end refused by ``path`` made unwritable may carry: naming it, or, for a
    database file, the ``-shm`` file SQLite made with its mode."""
    return {SERVICE.text("storage-denied", {"path": str(named)}) for named in (path, Path(f"{path}-shm"))
            if named == path or path.is_file()}


def headers(client: TestClient, role: str) -> dict[str, str]:
    answer = client.post("/api/token", data={"username": role, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def refused(answer: Any, folder: Path) -> None:
    """Assert ``answer`` is the API's 503 naming ``folder`` as one the service may not write."""
    assert answer.status_code == 503, (answer.status_code, answer.text[:400])
    assert answer.json() == {"error": SERVICE.text("storage-denied", {"path": str(folder)}), "problems": []}


def ended_once(client: TestClient, job_id: str, out: Path, data: Path, auth: dict[str, dict[str, str]],
               rows: int, ends: Any) -> None:
    """Assert the job reads failed with the line naming ``data`` (the folder or file made
    unwritable: ``refusals``), nothing it made is left, and the audit log has its ``generate``
    entry once, with the serials of its ``rows`` letters (recorded by the thread of ``ends``,
    stopped once the job reads failed)."""
    job = wait_job(client, job_id, auth["backoffice"], timeout=120)
    ends.close()  # the thread has deleted the job's folder and let its end go
    assert job["state"] == "failed", job
    assert job["error"] in refusals(data), job["error"]
    assert job["files"] == []
    assert not out.exists(), sorted(str(p) for p in out.rglob("*"))
    entries = client.get("/api/audit", params={"action": "generate"}, headers=auth["compliance"]).json()
    made = [e for e in entries if e["detail"].get("job") == job_id]
    assert len(made) == 1 and len(made[0]["serials"]) == rows, made


def local_workers_end_refused(tmp: Path) -> None:
    _local_end_refused(tmp / "local", lambda settings: settings.data_dir)


def local_workers_end_refused_by_the_database_file(tmp: Path) -> None:
    _local_end_refused(tmp / "database-file", lambda settings: settings.db_path)


def _local_end_refused(folder: Path, unwritable: Any) -> None:
    """A job run by the service's own runner whose end the path ``unwritable(settings)`` refuses."""
    settings = make_settings(folder)
    assert settings.record_wait == 1.0  # from DOCGEN_RECORD_WAIT
    runner = ThreadRunner(settings)
    with TestClient(create_app(settings, runner=runner)) as client:
        service = client.app.state.service
        auth = {role: headers(client, role) for role in ("backoffice", "compliance")}
        data = unwritable(settings)
        with unwritable_at_end(data) as caught:
            started = client.post("/api/batch/demand-letter", headers=auth["backoffice"],
                                  files={"rows": ("rows.csv", rows_csv(3), "text/csv")})
            assert started.status_code == 202, started.text
            job_id = started.json()["job"]
            runner.go.set()
            end = runner.runs[job_id].result(timeout=300)  # the worker waited a second, then handed it back
            assert [job["id"] for job in caught] == [job_id]
            assert end is not None and end["error"] in refusals(data), end
            assert service.ends.held == [job_id]
            if data.is_dir():  # the database cannot be opened at all
                refused(client.get(f"/api/jobs/{job_id}", headers=auth["backoffice"]), data)
            assert service.ends.record() == 0 and service.ends.held == [job_id]  # refused still: held
        ended_once(client, job_id, Path(caught[0]["params"]["out"]), data, auth, 3, service.ends)  # by the service
        assert service.ends.held == [] and service.ends.record() == 0
        # Run again, the job makes its letters (the register keeps their serials).
        assert client.post(f"/api/jobs/{job_id}/rerun", headers=auth["backoffice"]).status_code == 202
        again = wait_job(client, job_id, auth["backoffice"], timeout=300)
        assert again["state"] == "done" and again["result"]["written"] == 3, again


def celery_end_refused(tmp: Path) -> None:
    from docgen.service import queue

    os.environ["DOCGEN_CHUNK_ROWS"] = "2"  # 5 rows: three chunks and the assembly
    settings = make_settings(tmp / "celery")
    app = eager_celery()
    held = HeldRunner()  # the job is queued; its task runs below as a worker would run it
    with TestClient(create_app(settings, runner=held)) as client:
        auth = {role: headers(client, role) for role in ("backoffice", "compliance")}
        data = settings.data_dir
        started = client.post("/api/batch/demand-letter", headers=auth["backoffice"],
                              files={"rows": ("rows.csv", rows_csv(5), "text/csv")})
        assert started.status_code == 202, started.text
        job_id = started.json()["job"]
        assert held.submitted == [job_id]
        with unwritable_at_end(data) as caught:
            app.tasks["docgen.job"].apply(args=(str(data), job_id, settings.register)).get()
            assert [job["id"] for job in caught] == [job_id]
            ends = queue._ENDS[settings.db_path]  # held by the worker process that ran the assembly
            assert ends.held == [job_id]
            refused(client.get(f"/api/jobs/{job_id}", headers=auth["backoffice"]), data)
            out = Path(caught[0]["params"]["out"])
            assert len(list(out.glob("*/chunks/*.rows.json"))) == 3  # split: three chunks (in its run's folder)
        ended_once(client, job_id, out, data, auth, 5, ends)  # recorded by the worker's own retries
        assert ends.held == [] and ends.record() == 0


if __name__ == "__main__":
    os.umask(0o022)
    run_scenarios([local_workers_end_refused, local_workers_end_refused_by_the_database_file, celery_end_refused],
                  Path(sys.argv[1]))
