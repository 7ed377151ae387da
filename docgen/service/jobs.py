"""Jobs: long work (batches, letters, reports) run outside the request, state in SQLite.

The web side only ever calls ``JobRunner.submit(job_id)``: a job's kind, owner and
parameters are in the ``jobs`` table, and whatever executes it (today worker processes on
this machine, ``ProcessRunner``; later a distributed queue) needs nothing but the id and
the data folder. Progress and results go back through the same table, so the state
survives the runner: a server restart marks the jobs that were running ``interrupted``,
and running one again issues nothing twice (the register keeps every serial per row).
"""
from __future__ import annotations

import concurrent.futures
import json
import multiprocessing
import secrets
from pathlib import Path
from typing import Any, Protocol

from docgen.service.audit import now_iso
from docgen.service.messages import MESSAGES as SERVICE
from docgen.service.store import connect

STATES = ("queued", "running", "done", "failed", "interrupted")
ACTIVE = ("queued", "running")
INTERRUPTED_MESSAGE = SERVICE.text("job-interrupted")


class JobRunner(Protocol):
    """What the service needs of whatever runs jobs."""

    def submit(self, job_id: str) -> None:
        """Start the queued job ``job_id`` (its parameters are in the jobs table)."""

    def close(self) -> None:
        """Stop accepting jobs; running ones may be abandoned (they will read as interrupted)."""


class ProcessRunner:
    """Runs jobs in a pool of spawned worker processes on this machine."""

    def __init__(self, data_dir: Path, workers: int, register: str = "") -> None:
        self.data_dir = Path(data_dir)
        self.register = register
        # spawn: a worker must not inherit the server's threads and locks (fork would).
        self._pool = concurrent.futures.ProcessPoolExecutor(
            max_workers=max(1, workers), mp_context=multiprocessing.get_context("spawn"))

    def submit(self, job_id: str) -> None:
        """Queue ``job_id`` for the next free worker."""
        from docgen.service.work import execute_job

        self._pool.submit(execute_job, str(self.data_dir), job_id, self.register)

    def close(self) -> None:
        """Shut the pool down without waiting for running jobs."""
        self._pool.shutdown(wait=False, cancel_futures=True)


class JobStore:
    """The jobs table of a service database."""

    def __init__(self, db_path: Path) -> None:
        self.db_path = Path(db_path)

    def create(self, kind: str, owner: str, params: dict[str, Any]) -> str:
        """Insert a queued job; return its id."""
        job_id = secrets.token_hex(8)
        with connect(self.db_path) as db:
            db.execute("INSERT INTO jobs (id, kind, owner, state, params, created) VALUES (?, ?, ?, 'queued', ?, ?)",
                       (job_id, kind, owner, json.dumps(params, ensure_ascii=False), now_iso()))
        return job_id

    def get(self, job_id: str) -> dict[str, Any] | None:
        """Return the job's row as a dict (params and result decoded) or None."""
        with connect(self.db_path) as db:
            row = db.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
        return None if row is None else _decode(row)

    def list(self, owner: str | None = None, limit: int = 200) -> list[dict[str, Any]]:
        """Return the newest jobs first (only ``owner``'s when given)."""
        with connect(self.db_path) as db:
            if owner is None:
                rows = db.execute("SELECT * FROM jobs ORDER BY created DESC, rowid DESC LIMIT ?", (limit,)).fetchall()
            else:
                rows = db.execute("SELECT * FROM jobs WHERE owner = ? ORDER BY created DESC, rowid DESC LIMIT ?",
                                  (owner, limit)).fetchall()
        return [_decode(r) for r in rows]

    def active_count(self, owner: str) -> int:
        """Return how many of ``owner``'s jobs are queued or running."""
        with connect(self.db_path) as db:
            return db.execute("SELECT COUNT(*) FROM jobs WHERE owner = ? AND state IN ('queued', 'running')",
                              (owner,)).fetchone()[0]

    def start(self, job_id: str) -> dict[str, Any] | None:
        """Move a queued job to running; return it, or None when it is not queued (taken or cancelled)."""
        with connect(self.db_path) as db:
            cur = db.execute("UPDATE jobs SET state = 'running', started = ?, done = 0, total = 0, error = NULL "
                             "WHERE id = ? AND state = 'queued'", (now_iso(), job_id))
            if cur.rowcount != 1:
                return None
        return self.get(job_id)

    def progress(self, job_id: str, done: int, total: int) -> None:
        """Record progress of a running job."""
        with connect(self.db_path) as db:
            db.execute("UPDATE jobs SET done = ?, total = ? WHERE id = ? AND state = 'running'", (done, total, job_id))

    def finish(self, job_id: str, *, result: dict[str, Any] | None = None, error: str | None = None) -> None:
        """Mark the job done (with its result) or failed (with a one-line error)."""
        state = "failed" if error else "done"
        with connect(self.db_path) as db:
            db.execute("UPDATE jobs SET state = ?, error = ?, result = ?, finished = ? WHERE id = ?",
                       (state, error, json.dumps(result or {}, ensure_ascii=False), now_iso(), job_id))

    def requeue(self, job_id: str) -> bool:
        """Put a failed or interrupted job back in the queue; return False when it is not one."""
        with connect(self.db_path) as db:
            cur = db.execute("UPDATE jobs SET state = 'queued', error = NULL, finished = NULL "
                             "WHERE id = ? AND state IN ('failed', 'interrupted')", (job_id,))
            return cur.rowcount == 1

    def mark_interrupted(self) -> int:
        """At start-up: every job left queued or running is interrupted; return how many."""
        with connect(self.db_path) as db:
            cur = db.execute("UPDATE jobs SET state = 'interrupted', error = ?, finished = ? "
                             "WHERE state IN ('queued', 'running')", (INTERRUPTED_MESSAGE, now_iso()))
            return cur.rowcount


def _decode(row: Any) -> dict[str, Any]:
    job = dict(row)
    job["params"] = json.loads(job["params"] or "{}")
    job["result"] = json.loads(job["result"]) if job.get("result") else None
    return job
