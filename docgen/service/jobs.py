"""Jobs: long work (batches, letters, reports) run outside the request, state in SQLite.

The web side only ever calls ``JobRunner.submit(job_id)``: a job's kind, owner and
parameters are in the ``jobs`` table, and whatever executes it (today worker processes on
this machine, ``ProcessRunner``; later a distributed queue) needs nothing but the id and
the data folder. Progress and results go back through the same table, so the state
survives the runner: a server restart marks the jobs that were running ``interrupted``,
and running one again issues nothing twice (the register keeps every serial per row).

A worker whose database refuses a job's state for the whole wait (``Settings.record_wait``)
hands the job's end back (``JobEnd``) instead of leaving the job running: the process that ran
it (the service for ``ProcessRunner``, a ``docgen worker`` for Celery) holds it in ``JobEnds``
and records it as soon as the database takes writes again. A start the database refused ran
nothing: its end (one without a run) fails no job; the job, still queued, is handed to the runner
again then (``JobEnds``' ``again``), so it neither stays queued nor fails for a write never made.
A storage that refuses every start (a disk that stays full) fails the job at the ``START_TRIES``-th
start refused in a row, with a line saying why and what to do, instead of trying for ever. The
count belongs to one queueing of the job (``attempt``: a fresh token set by ``create`` and
``requeue``): a count carried by a start (a message that waited long in a queue, an end held
meanwhile) made for an earlier queueing of a job run and queued again since is not that of its
queueing now, and starts over.

A process that dies while running a job (killed, out of memory, its machine gone) records
nothing: the job would read running for ever. So a running job has a lease (``Lease``): the
process running it names itself (``runner``, ``host:pid``) and renews, every third of
``Settings.job_lease``, the time until which it vouches for the job; the service's sweep
(``JobStore.expire``: at start and every half lease) marks failed, with one line naming the
process, each running job whose lease ran out, whichever runner it had. On a queue it first puts
such a job back in the queue, once per queueing (``JobStore.recover``): a worker's whole machine
lost has the job's message delivered again only after the queue's visibility timeout.

A queued job has nothing running to vouch for it, and the process holding the end of its refused
start (``JobEnds``) may die before the database takes writes again: nothing would start it. So a
job handed to its runner (``create``, ``requeue``) gets a lease too, the time by which it should
have started; the sweep (``JobStore.overdue``) hands a queued job whose lease ran out to the runner
again, its lease pushed on by twice the wait that ran out (at most ``START_BACKOFF`` start waits),
and logs it. A second start of a job is harmless: only the first finds
it queued and starts it, the other changes nothing. A job an earlier docgen left queued without
a lease gets one when the database is brought up to date (``store.MIGRATIONS``).

A runner only silent (its database refused writes longer than the lease) is not gone, and may
write again once the job was put back in the queue and started elsewhere. So each start of a job
is a run of its own (``run``: a fresh token set by ``JobStore.start``, cleared by ``requeue``), and
every write a runner makes about the job (progress, lease renewal, result files, end, held end:
``JobEnd``) names its run and applies only while the job is in that run; a stale runner's write
changes nothing and is logged. Within its run, a silent runner takes its job back at its next renewal
if the sweep only marked it lost, and its held end is recorded over the mark; once the job was
put back in the queue, nothing of that run is. The chunks of a split batch renew the job from
several processes, all in the run of the split.

Files are fenced by folder: each run writes in a folder of its own (``run_folder``: the job's
result folder, ``params["out"]``, and the run's token), so a stale runner's files never stand where
the current run's are: it cannot replace them, and deleting what it made (its held end recorded
failed, ``give_up``) deletes nothing of theirs. What a user downloads is found through the
``files`` rows, which only the current run adds (``add_file``). A stale run's folder is deleted by
its own runner when its end is dropped (``discard_stale_run``: ``finish`` or ``give_up`` refused as
another run's, a Celery assembly finding the job in another run), else (its runner died meanwhile)
when the job starts again: a new run forgets the job's earlier files and deletes all else in the
result folder (``start``, which sets it aside while it holds the database's write lock, when no
later run can have begun); the retention sweep takes what is left. A job started before runs were
kept (``run`` None) writes in the result folder itself, as it did.
"""
from __future__ import annotations

import concurrent.futures
import concurrent.futures.process
import datetime as _dt
import json
import logging
import multiprocessing
import secrets
import shutil
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol, TypedDict

from docgen.service import audit
from docgen.service.audit import now_iso
from docgen.service.messages import MESSAGES as SERVICE
from docgen.service.storage import storage_problem
from docgen.service.store import connect

log = logging.getLogger("docgen.service")

STATES = ("queued", "running", "done", "failed", "interrupted")
ACTIVE = ("queued", "running")
INTERRUPTED_MESSAGE = SERVICE.text("job-interrupted")


def worded_error(zh: str, en: str) -> dict[str, dict[str, str]]:
    """Return the result of a job ended by the error ``zh``, whose English is ``en``: ``{"worded": {"zh",
    "en"}}``, which the job's page read in English shows while the job's error is this Chinese one
    (not a later end's); ``{}`` when there is no English, the page then showing the error as it is."""
    return {"worded": {"zh": zh, "en": en}} if en else {}


def worded_result(code: str, facts: dict[str, Any] | None = None) -> str:
    """Return the result (JSON) of a job ended by the service's error ``code`` (``worded_error``)."""
    return json.dumps(worded_error(SERVICE.text(code, facts), SERVICE.text(code, facts, "en")), ensure_ascii=False)
#: The jobs' state columns a sweep marking a job lost sets (and a renewal or a held end undoes).
_LOST_UNSET = "error = NULL, finished = NULL, lost = NULL"
#: Seconds between two tries at writing a job's state the database refused.
RECORD_EVERY = 2.0
#: The longest wait for a queued job's start between two hands of the sweep, in start waits: the
#: wait doubles at each hand (``JobStore.overdue``) up to this, so a job only waiting its turn in a
#: busy queue gets a duplicate start message seldom, and one whose start was lost is still handed
#: again within it.
START_BACKOFF = 8
#: Starts of a job the database may refuse in a row (each after the whole wait of its worker)
#: before the job is failed instead of handed again: a disk that stays full would have it tried
#: for ever, a worker held each time.
START_TRIES = 3
#: Times the sweep puts back in the queue a job on a queue whose runner is gone (``JobStore.recover``)
#: since a user queued it: a job whose run kills its worker each time (out of memory) is failed at
#: its second loss, not run for ever.
RECOVERIES = 1


class _JobEndFacts(TypedDict):
    job: str
    run: str | None
    error: str
    audit: dict[str, Any] | None


class JobEnd(_JobEndFacts, total=False):
    """The end of a job its worker could not record: the job's id, the ``run`` it ends (None: the
    database refused the job's start, so it never ran, or the job was started before runs were
    kept; an end without a run fails only a job running in no run, never a queued one), its
    one-line ``error`` (the storage's, or the job's own when it failed), and the audit entry not
    yet made (the keyword arguments of ``audit.insert``) or None. The end of a refused start says
    how many starts of the job were ``refused`` in a row, this one included (absent: one), in the
    queueing of the job (``attempt``, as read before the start; absent or None: not read, an end of
    one refused start then counting in the job's queueing now; a job queued before queueings were
    kept is given one when the database is brought up to date, ``store.MIGRATIONS``) they count in, and the storage's line in English (``error_en``),
    which the job's page read in English shows should the job be failed for it (``job-start-refused``)."""

    refused: int
    attempt: str | None
    error_en: str


class JobRunner(Protocol):
    """What the service needs of whatever runs jobs."""

    def submit(self, job_id: str, refused: int = 0,
               attempt: str | None = None) -> concurrent.futures.Future[JobEnd | None] | None:
        """Start the queued job ``job_id`` (its parameters are in the jobs table), whose last
        ``refused`` starts the database refused in its queueing ``attempt`` (``JobEnd``); return
        the future of its run when it runs in this process's workers (its result: the ``JobEnd``
        the database would not take, or None), else None (the job's end is no concern of this
        process)."""

    def close(self) -> None:
        """Stop accepting jobs; running ones may be abandoned (they will read as interrupted)."""


class ProcessRunner:
    """Runs jobs in a pool of spawned worker processes on this machine."""

    def __init__(self, data_dir: Path, workers: int, register: str = "", record_wait: float | None = None,
                 job_lease: float | None = None) -> None:
        self.data_dir = Path(data_dir)
        self.register = register
        self.record_wait = record_wait
        self.job_lease = job_lease
        self.workers = max(1, workers)
        self._pool = self._new_pool()
        self._replacing = threading.Lock()

    def _new_pool(self) -> concurrent.futures.ProcessPoolExecutor:
        # spawn: a worker must not inherit the server's threads and locks (fork would).
        return concurrent.futures.ProcessPoolExecutor(max_workers=self.workers,
                                                      mp_context=multiprocessing.get_context("spawn"))

    def submit(self, job_id: str, refused: int = 0,
               attempt: str | None = None) -> concurrent.futures.Future[JobEnd | None]:
        """Queue ``job_id`` (its last ``refused`` starts refused in its queueing ``attempt``) for the
        next free worker; return the future of its run.

        A pool one of whose workers died (killed, out of memory) takes no more work, and its other
        workers are stopped with it: a new pool takes this job and the next (the jobs the dead pool
        ran read failed once their leases run out; those it had queued are submitted again by
        ``Service.submit`` on the broken pool's thread while requests may submit too: only the first
        to find a pool broken replaces it, so no other shuts down the new pool with its jobs)."""
        from docgen.service.work import execute_job

        args = (execute_job, str(self.data_dir), job_id, self.register, self.record_wait, self.job_lease, refused,
                attempt)
        pool = self._pool
        try:
            return pool.submit(*args)
        except concurrent.futures.process.BrokenProcessPool:
            with self._replacing:
                if self._pool is pool:
                    log.warning("a job worker died; starting new workers")
                    pool.shutdown(wait=False, cancel_futures=True)
                    self._pool = self._new_pool()
                return self._pool.submit(*args)

    def close(self) -> None:
        """Shut the pool down without waiting for running jobs."""
        self._pool.shutdown(wait=False, cancel_futures=True)


class JobStore:
    """The jobs table of a service database."""

    def __init__(self, db_path: Path) -> None:
        self.db_path = Path(db_path)

    def create(self, kind: str, owner: str, params: dict[str, Any], start_wait: float | None = None) -> str:
        """Insert a queued job, to be started within ``start_wait`` seconds (its lease: ``overdue``;
        None: no lease, never handed again), in a queueing of its own (``attempt``); return its id."""
        job_id = secrets.token_hex(8)
        with connect(self.db_path) as db:
            db.execute("INSERT INTO jobs (id, kind, owner, state, params, created, lease, attempt) "
                       "VALUES (?, ?, ?, 'queued', ?, ?, ?, ?)",
                       (job_id, kind, owner, json.dumps(params, ensure_ascii=False), now_iso(), _until(start_wait),
                        secrets.token_hex(8)))
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

    def start(self, job_id: str, lease: float | None = None, carried_by: str | None = None) -> dict[str, Any] | None:
        """Move a queued job to running, in a new run (``run``: a fresh token, which every write of
        its runner names), this process its runner with a lease of ``lease`` seconds (None: no
        lease, never swept), the files of its earlier runs forgotten and all they left in the job's
        folder deleted (a stale runner's folder too: ``run_folder``); ``carried_by``: the queue's
        message starting it (``take_split``; None: none, a local worker). Returns the job, or None
        when it is not queued (taken or cancelled)."""
        return self._new_run(job_id, lease, carried_by, "state = 'queued'", ())

    def restart(self, job_id: str, run: str, carried_by: str, lease: float | None = None) -> dict[str, Any] | None:
        """Start again, in a new run, the job ``job_id`` running in the run ``run`` that the queue's
        message ``carried_by`` started, that message delivered again once the job's runner was gone
        (its worker died: ``runner_gone``), as ``start`` starts a queued job: the earlier run is
        over (a late write of it changes nothing) and its files are deleted; what it issued the
        register keeps. Returns the job, or None when it is no longer so (another took it)."""
        return self._new_run(job_id, lease, carried_by, "state = 'running' AND run = ? AND carried_by = ?",
                             (run, carried_by))

    def _new_run(self, job_id: str, lease: float | None, carried_by: str | None, where: str,
                 facts: tuple[Any, ...]) -> dict[str, Any] | None:
        """Run job ``job_id`` in a new run (``start``) when it is ``where`` (an SQL condition on its
        row, with ``facts``); return the job, or None when it is not."""
        until = _until(lease)
        run = secrets.token_hex(8)
        with connect(self.db_path) as db:
            cur = db.execute("UPDATE jobs SET state = 'running', started = ?, done = 0, total = 0, runner = ?, "
                             f"lease = ?, run = ?, carried_by = ?, {_LOST_UNSET} WHERE id = ? AND {where}",
                             (now_iso(), runner_id(), until, run, carried_by, job_id, *facts))
            if cur.rowcount != 1:
                return None
            db.execute("DELETE FROM files WHERE job = ?", (job_id,))
            # Set aside while this start holds the database's write lock: no later run can have
            # started, so all that is in the job's folder is its earlier runs' (a stale one's too).
            aside = _set_aside(_out_of(db, job_id), run)
        if aside is not None:
            shutil.rmtree(aside, ignore_errors=True)
        return self.get(job_id)

    def take_split(self, job_id: str, run: str, start: str, split: str) -> bool:
        """Let the split message ``split`` take the batch job ``job_id`` in its run ``run`` from the
        start message ``start`` that sent it (``carried_by``); return True when the job runs in that
        run carried by either (the first split message of the run to come, or that one delivered
        again after its worker died), else False: another split message of the run took it (the
        start message, delivered again after its worker died, sent a second one), or the job is no
        longer running in that run. So a batch is split once per run."""
        with connect(self.db_path) as db:
            cur = db.execute("UPDATE jobs SET carried_by = ? WHERE id = ? AND run = ? AND state = 'running' "
                             "AND carried_by IN (?, ?)", (split, job_id, run, start, split))
            return cur.rowcount == 1

    def progress(self, job_id: str, done: int, total: int, *, run: str | None) -> bool:
        """Record progress of the running job ``job_id`` in its run ``run`` (``start``; None: a job
        started before runs were kept); return False (nothing written) when it is not running in
        that run (a write of a stale runner is logged)."""
        with connect(self.db_path) as db:
            cur = db.execute("UPDATE jobs SET done = ?, total = ? WHERE id = ? AND state = 'running' AND run IS ?",
                             (done, total, job_id, run))
            return _fenced(db, cur, job_id, run, "progress")

    def finish(self, job_id: str, *, run: str | None, result: dict[str, Any] | None = None,
               error: str | None = None, entry: dict[str, Any] | None = None) -> bool:
        """Mark the job done (with its result) or failed (with a one-line error), and make its audit
        ``entry`` (``audit.insert``'s keyword arguments) when given, in one transaction: a refused
        write makes neither, so trying again never makes the entry twice. Only the run ``run``
        (``start``) is ended, whatever the job's state since (marked lost by the sweep, say): a job
        back in the queue or started again is another run's. Returns False (nothing written, a
        stale runner logged) when the job is not in that run."""
        state = "failed" if error else "done"
        with connect(self.db_path) as db:
            cur = db.execute("UPDATE jobs SET state = ?, error = ?, result = ?, finished = ?, lost = NULL "
                             "WHERE id = ? AND run IS ? AND state <> 'queued'",
                             (state, error, json.dumps(result or {}, ensure_ascii=False), now_iso(), job_id, run))
            if not _fenced(db, cur, job_id, run, "end"):
                return False
            if entry is not None:
                audit.insert(db, **entry)
        return True

    def renew(self, job_id: str, runner: str, until: float, *, run: str | None) -> bool:
        """Extend the lease of the running job ``job_id`` in its run ``run`` (``start``) to ``until``
        (epoch seconds), ``runner`` (``host:pid``) running it; a job the sweep marked lost while
        ``runner`` ran it is running again. A lease is never shortened: the chunks of a split batch
        renew it from several processes (all in the run of the split), and one vouching for longer
        still does. Returns False (nothing written) when the job is neither (ended, marked lost
        while another runner ran it, back in the queue, started again: a stale runner, logged)."""
        with connect(self.db_path) as db:
            cur = db.execute("UPDATE jobs SET state = 'running', runner = ?, lease = MAX(COALESCE(lease, 0), ?), "
                             f"{_LOST_UNSET} WHERE id = ? AND run IS ? "
                             "AND (state = 'running' OR (state = 'failed' AND lost IS NOT NULL AND runner = ?))",
                             (runner, until, job_id, run, runner))
            return _fenced(db, cur, job_id, run, "lease")

    def add_file(self, job: dict[str, Any], path: Path) -> bool:
        """Record ``path`` as a result of ``job`` (a download of its owner) in the job's run
        (``job["run"]``); return False (nothing recorded, a stale runner logged) when the job is no
        longer in that run."""
        from docgen.service.files import media_type

        with connect(self.db_path) as db:
            cur = db.execute("INSERT INTO files (id, owner, job, name, path, media_type, created) "
                             "SELECT ?, owner, id, ?, ?, ?, ? FROM jobs "
                             "WHERE id = ? AND run IS ? AND state <> 'queued'",
                             (secrets.token_urlsafe(18), path.name, str(path), media_type(path.name), now_iso(),
                              job["id"], job["run"]))
            return _fenced(db, cur, job["id"], job["run"], "result file")

    def stale_folder(self, job_id: str, run: str | None) -> Path | None:
        """Return the folder of the run ``run`` of job ``job_id`` (``run_folder``) when that run is
        over for good (``stale``), or None: the job is still in that run, or gone, or ``run`` is
        None (a job started before runs were kept writes in the job's own folder)."""
        if run is None:
            return None
        with connect(self.db_path) as db:
            row = db.execute("SELECT run, params FROM jobs WHERE id = ?", (job_id,)).fetchone()
        out = json.loads(row["params"] or "{}").get("out") if row is not None else None
        return None if not out or row["run"] == run else _folder_of_run(out, run)

    def stale(self, job_id: str, run: str | None) -> bool:
        """Return whether the run ``run`` of job ``job_id`` is over for good: the job is gone, or was
        put back in the queue (and maybe started again) since, so no write of that run applies."""
        with connect(self.db_path) as db:
            return _run_of(db, job_id) != run

    def expire(self, now: float | None = None) -> list[str]:
        """Mark failed each running job whose lease ran out before ``now`` (epoch seconds; None:
        the present): its runner is gone. Returns their ids. Only reads while there is none."""
        now = time.time() if now is None else now
        with connect(self.db_path) as db:
            rows = db.execute("SELECT id, runner, lease FROM jobs WHERE state = 'running' AND lease < ?",
                              (now,)).fetchall()
            lost = []
            for row in rows:
                expired = _dt.datetime.fromtimestamp(row["lease"]).astimezone().isoformat(timespec="seconds")
                facts = {"runner": row["runner"] or "?", "expired": expired}
                at = now_iso()
                cur = db.execute("UPDATE jobs SET state = 'failed', error = ?, result = ?, finished = ?, lost = ? "
                                 "WHERE id = ? AND state = 'running' AND lease < ?",
                                 (SERVICE.text("job-lost", facts), worded_result("job-lost", facts), at, at, row["id"],
                                  now))
                if cur.rowcount == 1:  # not renewed meanwhile
                    lost.append(row["id"])
        return lost

    def recover(self, start_wait: float, now: float | None = None) -> list[tuple[str, str]]:
        """Put back in the queue each running job whose lease ran out before ``now`` (epoch seconds;
        None: the present), its runner gone (a whole machine lost: the queue delivers its message
        again only after the visibility timeout), unless the sweep did so already since a user queued
        it (``RECOVERIES``): its run is over (a late write of it changes nothing, its late messages
        are dropped), and it is to be started within ``start_wait`` seconds in a new queueing, as
        ``requeue`` puts it, for the caller to hand to the runner (a fresh start message). Returns
        the ids of the jobs with the runner each had, in one transaction (two services sweeping at
        once do not both take one); ``expire`` fails the others. Only reads while there is none."""
        now = time.time() if now is None else now
        with connect(self.db_path) as db:
            rows = db.execute("SELECT id, runner FROM jobs WHERE state = 'running' AND lease < ? AND recovered < ?",
                              (now, RECOVERIES)).fetchall()
            taken = []
            for row in rows:
                cur = db.execute("UPDATE jobs SET state = 'queued', runner = NULL, lease = ?, run = NULL, resent = 0, "
                                 f"attempt = ?, carried_by = NULL, recovered = recovered + 1, {_LOST_UNSET} "
                                 "WHERE id = ? AND state = 'running' AND lease < ? AND recovered < ?",
                                 (now + start_wait, secrets.token_hex(8), row["id"], now, RECOVERIES))
                if cur.rowcount == 1:  # not renewed meanwhile
                    taken.append((row["id"], row["runner"] or "?"))
        return taken

    def give_up(self, end: JobEnd) -> str | None:
        """Record the end of a job its worker could not: failed with ``end["error"]``, its audit entry
        made, its files forgotten (their run's folder is for the caller to delete), in one transaction.
        Only the run ``end["run"]`` is ended, and only once started: a job the sweep marked lost
        meanwhile (its lease ran out while the end was held) is recorded so, one put back in the
        queue or started again is another run's. An end without a run, of a start the database
        refused or of a job started before runs were kept, ends only a job running (or marked lost)
        in no run, one started before runs were kept: a queued job is left queued (a start refused
        ran nothing, and a job queued again since cannot be told from the one it was refused for:
        ``JobEnds`` hands it to the runner again), a job in a run is another run's.

        Returns the folder to delete: the run's (``run_folder``), or for an end without a run what
        was in the job's folder, set aside in it ('' when there is none); or None (and writes
        nothing) when the job is not running in that run (queued, ended, or in another run: a stale
        runner's end is logged; its folder is ``stale_folder``). A refusal of the storage
        propagates (``sqlite3.Error``).
        """
        with connect(self.db_path) as db:
            cur = db.execute("UPDATE jobs SET state = 'failed', error = ?, finished = ?, lost = NULL WHERE id = ? "
                             "AND run IS ? AND (state = 'running' OR (state = 'failed' AND lost IS NOT NULL))",
                             (end["error"], now_iso(), end["job"], end["run"]))
            if not _fenced(db, cur, end["job"], end["run"], "held end"):
                return None
            if end["audit"] is not None:
                audit.insert(db, **end["audit"])
            db.execute("DELETE FROM files WHERE job = ?", (end["job"],))
            out = _out_of(db, end["job"])
            if end["run"] is None and out:
                # No run has a folder of its own here: what is in the job's folder is set aside
                # before this commits (a later run, started once it has, writes there too).
                aside = _set_aside(out, None)
                if aside is None:
                    _remove_empty(Path(out))
                return "" if aside is None else str(aside)
        return str(_folder_of_run(out, end["run"])) if out else ""

    def requeue(self, job_id: str, start_wait: float | None = None) -> bool:
        """Put a failed or interrupted job back in the queue, its run over (no runner's write applies
        to it until it is started again, in a new run), to be started within ``start_wait`` seconds
        (as ``create``), in a new queueing (``attempt``: the starts refused before count no more;
        the sweep may put it back in the queue once again, ``recover``); return False when it is not
        one."""
        with connect(self.db_path) as db:
            cur = db.execute("UPDATE jobs SET state = 'queued', runner = NULL, lease = ?, run = NULL, resent = 0, "
                             f"attempt = ?, recovered = 0, {_LOST_UNSET} "
                             "WHERE id = ? AND state IN ('failed', 'interrupted')",
                             (_until(start_wait), secrets.token_hex(8), job_id))
            return cur.rowcount == 1

    def overdue(self, start_wait: float, now: float | None = None) -> list[tuple[str, float]]:
        """Return the queued jobs whose lease ran out before ``now`` (epoch seconds; None: the
        present), not started in time (the process holding their refused start died, their start
        never reached the runner, or it waits its turn in a busy queue), for the caller to hand to
        the runner again, each with the seconds its lease is pushed on, in the same transaction (so
        two services sweeping at once do not both take one): twice ``start_wait`` at the first hand
        since the job was queued, four times at the second, and so on up to ``START_BACKOFF``
        times (``resent`` counts the hands). Only reads while there is none."""
        now = time.time() if now is None else now
        with connect(self.db_path) as db:
            rows = db.execute("SELECT id, resent FROM jobs WHERE state = 'queued' AND lease < ?", (now,)).fetchall()
            taken = []
            for row in rows:
                wait = start_wait * min(2 ** (row["resent"] + 1), START_BACKOFF)
                cur = db.execute("UPDATE jobs SET lease = ?, resent = resent + 1 "
                                 "WHERE id = ? AND state = 'queued' AND lease < ?", (now + wait, row["id"], now))
                if cur.rowcount == 1:
                    taken.append((row["id"], wait))
        return taken

    def not_handed(self, job_id: str, start_wait: float) -> bool:
        """Undo the doubling of the wait of the queued job ``job_id`` that ``overdue`` returned but the
        runner refused to take (its broker down): nothing was sent, so the job is due again in
        ``start_wait`` seconds and its hands counted as before; return False when it is not queued."""
        with connect(self.db_path) as db:
            cur = db.execute("UPDATE jobs SET lease = ?, resent = MAX(resent - 1, 0) WHERE id = ? AND state = 'queued'",
                             (time.time() + start_wait, job_id))
            return cur.rowcount == 1

    def fail_start(self, job_id: str, error: str, result: str | None = None) -> bool:
        """Mark the queued job ``job_id`` failed with the one-line ``error`` without starting it (the
        database refused its starts: ``JobEnds``), its result ``result`` (JSON: the error in both
        languages, ``worded_error``); return False when it is not queued (started meanwhile)."""
        with connect(self.db_path) as db:
            cur = db.execute("UPDATE jobs SET state = 'failed', error = ?, result = ?, finished = ?, lease = NULL "
                             "WHERE id = ? AND state = 'queued'", (error, result, now_iso(), job_id))
            return cur.rowcount == 1

    def mark_interrupted(self) -> int:
        """At start-up: every job left queued or running is interrupted; return how many."""
        with connect(self.db_path) as db:
            cur = db.execute("UPDATE jobs SET state = 'interrupted', error = ?, result = ?, finished = ? "
                             "WHERE state IN ('queued', 'running')",
                             (INTERRUPTED_MESSAGE, worded_result("job-interrupted"), now_iso()))
            return cur.rowcount


class JobEnds:
    """The ends of jobs their workers could not record (``JobEnd``), held by the process that ran
    them and recorded (``JobStore.give_up``) as soon as the database takes writes again: a thread
    tries every ``every`` seconds while any is held, so no such job stays running while this
    process runs (``close`` stops it). Each end is recorded once: it is let go when its
    transaction is committed.

    An end without a run finding its job queued is that of a start the database refused (or of a
    job started before runs were kept and put back in the queue since): nothing is written, and the
    job is handed to ``again`` (the runner's submit, taking the job's id) to be started now that the
    database takes writes, so it does not stay queued with nothing to start it. Should the job have
    been queued again meanwhile, its own start is on its way too: the second start finds it taken
    and changes nothing. Should ``again`` raise (a broker refusing the message), the end stays held
    and the job is handed to it again at the next try, so a queue down for a while leaves no job
    queued with no message. Without ``again`` the job is left queued (logged). ``again`` takes the
    number of starts refused in a row (``JobEnd``'s ``refused``) and the job's queueing they count
    in, which the runner hands on to the next start: the ``START_TRIES``-th refused is not handed
    again, the job is failed with the storage's line (``job-start-refused``), once the database
    takes that write. The count is that
    of the job's queueing (``JobEnd``'s ``attempt``): a job run and queued again since the start
    was refused is handed again with its count started over, never failed for the earlier one's."""

    def __init__(self, store: JobStore, every: float = RECORD_EVERY,
                 again: Callable[[str, int, str | None], Any] | None = None) -> None:
        self.store, self.every, self.again = store, every, again
        self._held: dict[tuple[str, str | None], JobEnd] = {}
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()  # set: the thread ``_thread`` stops

    @property
    def held(self) -> list[str]:
        """Return the ids of the jobs whose end is still to be recorded."""
        with self._lock:
            return [job for job, _ in self._held]

    def add(self, end: JobEnd | None) -> None:
        """Hold ``end`` (None: nothing to hold) and make sure it is tried until recorded."""
        if end is None:
            return
        with self._lock:
            self._held[end["job"], end["run"]] = end
            if self._thread is None:
                self._stop = threading.Event()
                self._thread = threading.Thread(target=self._retry, args=(self._stop,), name="docgen-job-ends",
                                                daemon=True)
                self._thread.start()

    def close(self) -> None:
        """Stop the thread that tries the held ends (they stay held: ``add`` or ``record`` tries again)."""
        with self._lock:
            thread, stop, self._thread = self._thread, self._stop, None
        if thread is not None:
            stop.set()
            thread.join()

    def watch(self, future: concurrent.futures.Future[JobEnd | None]) -> None:
        """Hold the end ``future`` returns, once it is done (a run cancelled or crashed: nothing)."""
        def done(ran: concurrent.futures.Future[JobEnd | None]) -> None:
            if not ran.cancelled() and ran.exception() is None:
                self.add(ran.result())

        future.add_done_callback(done)

    def record(self) -> int:
        """Try to record every held end; return how many were. While the storage refuses, the ends
        stay held (other errors are logged and the end let go: trying again would not help)."""
        recorded = 0
        with self._lock:  # a run ending meanwhile adds to it from another thread
            held = list(self._held.values())
        for end in held:
            refused = end.get("refused", 1)
            try:
                out = self.store.give_up(end)
                job = self.store.get(end["job"]) if out is None and end["run"] is None else None
                queued = job is not None and job["state"] == "queued"
                # An end whose start could not read the job's queueing (the storage refused even
                # that: None) and carries no count from before holds only its own refusal, made
                # while the job was queued: it counts in the queueing the job is in, else a storage
                # refusing reads would have the job's starts made again for ever.
                if queued and end.get("attempt") != job["attempt"] and (end.get("attempt") is not None
                                                                        or refused > 1):
                    log.warning("job %s: the %d starts refused in a row counted for its queueing %s start over: "
                                "it was run and queued again since (now %s)", end["job"], refused,
                                end.get("attempt") or "(none)", job["attempt"] or "(none)")
                    refused = 0
                failed = queued and refused >= START_TRIES and self.store.fail_start(end["job"],
                                                                                     *_start_refused(end, refused))
            except Exception as exc:  # noqa: BLE001 - only the storage's refusal is waited out
                problem = storage_problem(exc, database=self.store.db_path)
                if problem is not None:
                    return recorded  # the database still refuses: the others would be refused too
                log.exception("job %s: its end could not be recorded", end["job"])
            else:
                if out is not None:  # None: the job had ended, is queued or another run's (``give_up``)
                    if out:  # what it made is not a job's result: the job failed
                        shutil.rmtree(out, ignore_errors=True)
                        _remove_empty(Path(out).parent)  # the job's folder, when left empty
                    log.warning("job %s recorded failed: %s", end["job"], end["error"])
                elif failed:
                    log.warning("job %s failed: %d starts in a row refused: %s", end["job"], refused, end["error"])
                elif queued and refused < START_TRIES:
                    if not self._start_again(end["job"], refused, job["attempt"]):
                        continue  # held: the job has no start on its way, it is handed again at the next try
                elif not queued:
                    discard_stale_run(self.store, end["job"], end["run"])
                recorded += 1
            with self._lock:
                # A start handed again may come back refused (the same job, no run) before this
                # returns: that end is held in this one's place, not let go with it.
                if self._held.get((end["job"], end["run"])) is end:
                    del self._held[end["job"], end["run"]]
        return recorded

    def _start_again(self, job_id: str, refused: int, attempt: str | None) -> bool:
        """Hand the queued job ``job_id``, whose last ``refused`` starts the database refused in its
        queueing ``attempt``, to ``again``; return False when ``again`` raised (the queue refused
        the message: nothing starts the job, so its end stays held and it is handed again at the
        next try), else True."""
        if self.again is None:
            log.warning("job %s: its start the database refused is not made again here; the job stays queued",
                        job_id)
            return True
        log.warning("job %s: its start the database refused is made again", job_id)
        try:
            self.again(job_id, refused, attempt)
        except Exception:  # noqa: BLE001 - a queue refusing it (its broker down): tried again, not dropped
            log.exception("job %s could not be submitted again; tried again in %s s", job_id, self.every)
            return False
        return True

    def _retry(self, stop: threading.Event) -> None:
        while not stop.wait(self.every):
            self.record()
            with self._lock:
                if not self._held:
                    if self._thread is threading.current_thread():
                        self._thread = None
                    return


def _start_refused(end: JobEnd, refused: int) -> tuple[str, str]:
    """Return the error (``job-start-refused``) and result (JSON, ``worded_error``) of a job failed for
    the ``refused`` starts refused in a row that ``end`` ends: the English names the storage's problem in
    English where the end carries it (a worker of an earlier docgen hands on the Chinese line only)."""
    facts = {"count": refused, "problem": end["error"]}
    english = SERVICE.text("job-start-refused", {**facts, "problem": end.get("error_en") or end["error"]}, "en")
    error = SERVICE.text("job-start-refused", facts)
    return error, json.dumps(worded_error(error, english), ensure_ascii=False)


def runner_gone(job: dict[str, Any], now: float | None = None) -> bool:
    """Return whether the runner of the running ``job`` (a job row) is gone: its lease ran out before
    ``now`` (epoch seconds; None: the present), or it is a process of this host that no longer
    exists (a worker's process killed: the queue delivers its message again at once, before the
    lease runs out). A runner of another host whose lease still runs may be alive: False."""
    import os
    import socket

    now = time.time() if now is None else now
    if job.get("lease") is not None and job["lease"] < now:
        return True
    host, _, pid = (job.get("runner") or "").rpartition(":")
    if host != socket.gethostname() or not pid.isdigit() or os.name != "posix" or int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except OSError:  # there, another user's
        return False
    return False


def runner_id() -> str:
    """This process as a job's runner: ``host:pid`` (as the register names a batch's claim)."""
    from docgen.documents.register import owner_id

    return owner_id()


class Lease:
    """The lease of a job running in the run ``run`` (``JobStore.start``), renewed while the process
    running it lives (a context manager).

    Entering starts a thread that renews it (``JobStore.renew``) for ``seconds`` now and every third
    of that; leaving stops it, and then, when ``hand_on`` was called, renews it once more for the
    seconds given: the job waits on a queue for another process (a split batch's chunks). A renewal
    the storage refuses is tried again at the next one; once the job is in another run (put back
    in the queue since: ``JobStore.stale``), nothing more is renewed.
    """

    def __init__(self, store: JobStore, job_id: str, run: str | None, seconds: float) -> None:
        self.store, self.job_id, self.run, self.seconds = store, job_id, run, seconds
        self.runner = runner_id()
        self.then: float | None = None
        #: Set once the job is found in another run: this process's renewals are a stale runner's.
        self.stale = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._renewing, name=f"docgen-lease-{job_id}", daemon=True)

    def __enter__(self) -> Lease:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()
        if self.then is not None and not self.stale:
            self.renew(self.then)

    def hand_on(self, seconds: float) -> None:
        """Once left, let the job's lease last ``seconds`` (the job waits on a queue)."""
        self.then = seconds

    def renew(self, seconds: float) -> None:
        """Vouch for the job for ``seconds`` from now; a refusal of the storage is logged, not raised."""
        try:
            if not self.store.renew(self.job_id, self.runner, time.time() + seconds, run=self.run) \
                    and self.store.stale(self.job_id, self.run):
                self.stale = True
                self._stop.set()
        except Exception as exc:  # noqa: BLE001 - the next renewal tries again; a bug is logged
            if storage_problem(exc, database=self.store.db_path) is None:
                log.exception("job %s: its lease could not be renewed", self.job_id)

    def _renewing(self) -> None:
        while True:
            self.renew(self.seconds)
            if self._stop.wait(self.seconds / 3):
                return


def _until(seconds: float | None) -> float | None:
    """Return the epoch time ``seconds`` from now (None: no lease)."""
    return None if seconds is None else time.time() + seconds


def run_folder(job: dict[str, Any]) -> Path:
    """Return the folder the run of ``job`` (a job row, ``JobStore.get``) writes its files in: one of
    its own, named by its run token, in the job's result folder (``params["out"]``); the result
    folder itself for a job started before runs were kept (``run`` None)."""
    return _folder_of_run(job["params"]["out"], job["run"])


def _folder_of_run(out: str, run: str | None) -> Path:
    return Path(out) / run if run else Path(out)


def _out_of(db: Any, job_id: str) -> str:
    """Return the result folder of job ``job_id`` ('' when it has none)."""
    row = db.execute("SELECT params FROM jobs WHERE id = ?", (job_id,)).fetchone()
    return (json.loads(row["params"] or "{}").get("out") or "") if row is not None else ""


def _set_aside(out: str, keep: str | None) -> Path | None:
    """Move everything in the job folder ``out`` but ``keep`` into a new folder in it, for the
    caller to delete (renaming is quick: a caller holding the database's write lock holds it for
    no longer than that); return that folder, or None when there was nothing to move (or no
    folder). What cannot be moved is left for the retention sweep."""
    if not out:  # no result folder: Path('') would be the working directory
        return None
    folder = Path(out)
    try:
        entries = [entry for entry in folder.iterdir() if entry.name != keep]
    except OSError:  # no folder: nothing was made
        return None
    if not entries:
        return None
    aside = folder / f".earlier-{secrets.token_hex(8)}"
    try:
        aside.mkdir()
    except OSError:
        return None
    for entry in entries:
        try:
            entry.rename(aside / entry.name)
        except OSError:
            continue
    return aside


def discard_stale_run(store: JobStore, job_id: str, run: str | None) -> bool:
    """Delete the folder of the run ``run`` of job ``job_id`` when that run is over for good (its
    runner stale: ``JobStore.stale_folder``): nothing it made is a result, and no other run writes
    there. Returns whether it was one (its folder deleted, which the log says when there was one)."""
    folder = store.stale_folder(job_id, run)
    if folder is None:
        return False
    if folder.exists():
        shutil.rmtree(folder, ignore_errors=True)
        log.warning("job %s: the files of its stale run %s deleted", job_id, run)
    return True


def _remove_empty(folder: Path) -> None:
    """Delete ``folder`` when it is empty (a run writing there now keeps it)."""
    try:
        folder.rmdir()
    except OSError:
        pass


def _run_of(db: Any, job_id: str) -> str | None:
    """Return the run job ``job_id`` is in (None: not started since it was queued, or gone)."""
    row = db.execute("SELECT run FROM jobs WHERE id = ?", (job_id,)).fetchone()
    return None if row is None else row["run"]


def _fenced(db: Any, cur: Any, job_id: str, run: str | None, what: str) -> bool:
    """Return whether ``cur``, a runner's write about job ``job_id`` in its run ``run``, changed the
    job. When it did not because the job is in another run (put back in the queue, and maybe
    started again, since that runner's last write: a stale runner), say so in the log: its
    ``what`` was dropped."""
    if cur.rowcount == 1:
        return True
    now = _run_of(db, job_id)
    if now != run:
        log.warning("job %s: the %s of its run %s dropped: the job is %s now (its runner is stale)", job_id, what,
                    run or "(none)", f"in run {now}" if now else "queued or gone")
    return False


def _decode(row: Any) -> dict[str, Any]:
    job = dict(row)
    job["params"] = json.loads(job["params"] or "{}")
    job["result"] = json.loads(job["result"]) if job.get("result") else None
    return job
