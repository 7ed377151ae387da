"""The running service: settings, users, auth, jobs and the worker pools, shared by all routes."""
from __future__ import annotations

import asyncio
import concurrent.futures
import concurrent.futures.process
import logging
import multiprocessing
import shutil
from collections.abc import Callable
from typing import Any

from docgen.service.auth import Auth
from docgen.service.jobs import JobEnds, JobRunner, JobStore, ProcessRunner
from docgen.service.settings import Settings
from docgen.service.store import init_db
from docgen.service.users import UserStore

log = logging.getLogger("docgen.service")


def _warm() -> None:
    """Import what checks need, so the first real request does not pay for it."""
    import docgen.check.output  # noqa: F401
    import docgen.check.report  # noqa: F401
    import pypdf  # noqa: F401


class Service:
    """Everything a request may need. ``start`` at server start-up, ``stop`` at shutdown."""

    def __init__(self, settings: Settings, runner: JobRunner | None = None) -> None:
        settings.prepare()
        init_db(settings.db_path, settings.job_lease, settings.start_wait)
        self.settings = settings
        self.users = UserStore(settings.db_path)
        self.auth = Auth(settings.secret_key(), self.users, settings.session_seconds)
        self.jobs = JobStore(settings.db_path)
        #: Ends of jobs run here that the database refused for the whole wait, recorded once it takes
        #: writes (a job whose start it refused is submitted again then).
        self.ends = JobEnds(self.jobs, again=self.submit)
        self._runner = runner
        self._pool: concurrent.futures.ProcessPoolExecutor | None = None
        self.pdf = shutil.which("soffice") is not None
        self.interrupted = 0

    @property
    def runner(self) -> JobRunner:
        """Return the job runner (started on first use)."""
        if self._runner is None:
            self._runner = ProcessRunner(self.settings.data_dir, self.settings.job_workers, self.settings.register,
                                         self.settings.record_wait, self.settings.job_lease)
        return self._runner

    def submit(self, job_id: str, refused: int = 0, attempt: str | None = None) -> None:
        """Hand the queued job ``job_id`` to the runner (its last ``refused`` starts the database
        refused in its queueing ``attempt``: ``JobEnds``); when it runs in this process's workers,
        the end they could not record is held and recorded here (``JobEnds``), not left running."""
        future = self.runner.submit(job_id, refused, attempt)
        if future is not None:
            self.ends.watch(future)
            future.add_done_callback(lambda ran: self._again_if_dropped(job_id, ran))

    def _again_if_dropped(self, job_id: str, ran: concurrent.futures.Future[Any]) -> None:
        """Submit again the job whose run ``ran`` the runner dropped before starting it (its pool
        broke: a worker died), so it does not stay queued; a job started reads failed once its
        lease runs out (``expire_jobs``)."""
        if ran.cancelled() or not isinstance(ran.exception(), concurrent.futures.process.BrokenProcessPool):
            return
        try:
            job = self.jobs.get(job_id)
            if job is not None and job["state"] == "queued" and self._runner is not None:
                self.submit(job_id)
        except Exception:  # noqa: BLE001 - on a thread of the pool: logged; the job is left queued
            log.exception("job %s could not be submitted again", job_id)

    def expire_jobs(self, now: float | None = None) -> int:
        """Sweep the jobs' leases at ``now`` (epoch seconds; None: the present). On a queue (a
        ``durable`` runner), a running job whose runner is gone (its lease ran out: a worker's whole
        machine lost, whose message the queue delivers again only after its visibility timeout) is
        put back in the queue and handed to the runner again at once, once since a user queued it
        (``JobStore.recover``; its lost run's late messages and writes change nothing); the others
        are marked failed (``JobStore.expire``): local workers' (the service's own processes, whose
        pool replaced a dead one), and one lost again. Queued jobs not started in time are handed
        again (``JobStore.overdue``, each waiting twice as long for the next). Returns how many were
        marked failed."""
        if getattr(self._runner, "durable", False):
            for job_id, runner in self.jobs.recover(self.start_wait, now):
                log.warning("job %s: its runner %s is gone (its lease ran out); put back in the queue and handed to "
                            "the runner again", job_id, runner)
                self._hand_again(job_id)
        lost = self.jobs.expire(now)
        for job_id in lost:
            log.warning("job %s failed: its runner is gone", job_id)
        for job_id, wait in self.jobs.overdue(self.start_wait, now):
            log.warning("job %s: still queued past the time it should have started by; handed to the runner "
                        "again, and again in %.0f s if still queued", job_id, wait)
            self._hand_again(job_id)
        return len(lost)

    def _hand_again(self, job_id: str) -> None:
        """Submit the queued job ``job_id`` swept; a queue refusing it has it due again one start wait
        on (``JobStore.not_handed``), when the sweep hands it again."""
        try:
            self.submit(job_id)
        except Exception:  # noqa: BLE001 - a queue refusing it: handed again once its lease runs out
            log.exception("job %s could not be submitted again", job_id)
            try:  # nothing was sent: the next hand is one period on, not a doubled wait
                self.jobs.not_handed(job_id, self.start_wait)
            except Exception:  # noqa: BLE001 - the database refusing: the doubled wait stands
                log.exception("job %s: its next hand could not be brought forward", job_id)

    @property
    def start_wait(self) -> float:
        """Seconds a queued job handed to the runner may wait for its start before the sweep hands it
        again (``Settings.start_wait``: by default the wait of a worker whose database refuses the
        start, after which the end is held and the job handed again by the process holding it, and
        a lease more)."""
        return self.settings.start_wait  # type: ignore[return-value]  # filled in when the settings are made

    @property
    def expire_every(self) -> float:
        """Seconds between two sweeps of the jobs' leases while the server runs (half a lease)."""
        return self.settings.job_lease / 2

    def start(self) -> None:
        """Mark jobs left by a previous run interrupted, start the worker pools, sweep old files."""
        # Jobs on a queue outlive this process (other instances and workers carry them on).
        self.interrupted = 0 if getattr(self._runner, "durable", False) else self.jobs.mark_interrupted()
        self.expire_jobs()  # a queue's jobs whose worker died while this service was down
        self._pool = concurrent.futures.ProcessPoolExecutor(
            max_workers=max(1, self.settings.check_workers), mp_context=multiprocessing.get_context("spawn"))
        for _ in range(self.settings.check_workers):
            self._pool.submit(_warm)
        self.sweep()

    def sweep(self) -> int:
        """Delete uploads and results past the retention period; return how many went."""
        from docgen.service.files import sweep

        return sweep(self.settings.db_path, self.settings.uploads_dir, self.settings.files_dir,
                     self.settings.retention_hours * 3600)

    @property
    def sweep_every(self) -> float:
        """Seconds between retention sweeps while the server runs (a tenth of the period, at most an hour)."""
        return min(3600.0, max(1.0, self.settings.retention_hours * 360))

    def stop(self) -> None:
        """Stop the pools (running jobs are abandoned and read as interrupted at the next start) and
        the thread recording held job ends."""
        self.ends.close()
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
        if self._runner is not None:
            self._runner.close()
            self._runner = None

    async def compute(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Run ``fn(*args)`` in the compute pool (a worker process) and return its result."""
        if self._pool is None:
            self.start()
        assert self._pool is not None
        return await asyncio.wrap_future(self._pool.submit(fn, *args))
