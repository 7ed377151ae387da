"""The service database (SQLite, WAL): users, jobs, files, the audit log and check history.

One connection per use (``connect``): the server's request threads, the job workers and the
``docgen users`` command each open their own, and WAL lets readers run beside a writer.

The schema's version is SQLite's ``user_version``: ``SCHEMA`` makes the tables of version 1 (a
database made before versions were kept reads 0 and has them), and ``MIGRATIONS`` takes one
version to the next, in one write transaction with the version, so a data folder of an earlier
docgen is brought up to date at start (by the service, and by a ``docgen worker`` at the first
job it meets there) and a database of a later one is refused.
"""
from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

from docgen.core.errors import InputError
from docgen.core.wording import reason_of
from docgen.documents.register_lock import retry_while_locked, sqlite_locked
from docgen.service.messages import MESSAGES as SERVICE
from docgen.service.settings import job_lease_seconds, start_wait_seconds

SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1,
    version INTEGER NOT NULL DEFAULT 1,
    created TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    owner TEXT NOT NULL,
    state TEXT NOT NULL,
    params TEXT NOT NULL,
    done INTEGER NOT NULL DEFAULT 0,
    total INTEGER NOT NULL DEFAULT 0,
    error TEXT,
    result TEXT,
    created TEXT NOT NULL,
    started TEXT,
    finished TEXT
);
CREATE INDEX IF NOT EXISTS jobs_owner ON jobs (owner, created);
CREATE TABLE IF NOT EXISTS files (
    id TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    job TEXT,
    name TEXT NOT NULL,
    path TEXT NOT NULL,
    media_type TEXT NOT NULL,
    created TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS files_job ON files (job);
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    user TEXT NOT NULL,
    role TEXT,
    action TEXT NOT NULL,
    target TEXT,
    sha256 TEXT,
    serials TEXT,
    detail TEXT
);
CREATE TABLE IF NOT EXISTS checks (
    id TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    client TEXT NOT NULL,
    upload_name TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    at TEXT NOT NULL,
    report TEXT NOT NULL,
    files TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS checks_client ON checks (client, at);
"""


#: Statements taking the schema from the version before each key to that version; ``:until`` is
#: the end of a lease given at the migration (epoch seconds: one ``Settings.job_lease`` from then),
#: ``:start_until`` the time by which a job queued then should have started (one ``Settings.start_wait``).
MIGRATIONS: dict[int, tuple[str, ...]] = {
    # the lease of a running job: the process running it (``host:pid``), the time (epoch seconds)
    # until which it vouches for the job, and when the service found it gone (``jobs.JobStore.expire``)
    2: ("ALTER TABLE jobs ADD COLUMN runner TEXT",
        "ALTER TABLE jobs ADD COLUMN lease REAL",
        "ALTER TABLE jobs ADD COLUMN lost TEXT"),
    # the run of a started job (``jobs.JobStore.start``), which every write of its runner names; a
    # job an earlier docgen left running without a lease gets one, so the sweep fails it unless
    # something renews it
    3: ("ALTER TABLE jobs ADD COLUMN run TEXT",
        "UPDATE jobs SET lease = :until WHERE state = 'running' AND lease IS NULL"),
    # a job an earlier docgen queued without the time by which it should have started gets one, so
    # the sweep hands it to the runner again should its start never come (``jobs.JobStore.overdue``)
    4: ("UPDATE jobs SET lease = :start_until WHERE state = 'queued' AND lease IS NULL",),
    # how many times the sweep handed a queued job to the runner again since it was queued: the wait
    # for its start doubles at each (``jobs.JobStore.overdue``)
    5: ("ALTER TABLE jobs ADD COLUMN resent INTEGER NOT NULL DEFAULT 0",),
    # each queueing of a job (``jobs.JobStore.create``, ``requeue``): the starts the database refused
    # in a row count within one (a job queued before it was kept has none)
    6: ("ALTER TABLE jobs ADD COLUMN attempt TEXT",),
    # the queue's message carrying a job on in its run: the start message that started it, then the
    # split message that took the batch from it (``jobs.JobStore.take_split``)
    7: ("ALTER TABLE jobs ADD COLUMN carried_by TEXT",),
    # a job queued before version 6 gets the queueing it is in: an end held for its refused start
    # then names that queueing, so once the job is run again (a new queueing) its count starts over,
    # where a job with none could not be told from one whose start could not even read it
    8: ("UPDATE jobs SET attempt = lower(hex(randomblob(8))) WHERE attempt IS NULL",),
    # how many times the sweep put back in the queue a job whose runner was gone (its lease ran out),
    # since a user queued it (``jobs.JobStore.recover``): once, then the job is failed as before
    9: ("ALTER TABLE jobs ADD COLUMN recovered INTEGER NOT NULL DEFAULT 0",),
}
#: The version this docgen makes and reads.
SCHEMA_VERSION = max(MIGRATIONS)
#: Seconds a connection waits for another's lock: SQLite's busy timeout, and the time the switch
#: to WAL is tried again for when SQLite refuses it without waiting (``_switch_to_wal``).
BUSY_SECONDS = 30.0


def init_db(path: Path, job_lease: float | None = None, start_wait: float | None = None) -> None:
    """Create the tables when missing, bring an earlier schema up to ``SCHEMA_VERSION`` and switch
    the database to WAL (``ensure_schema``; ``job_lease``: the lease a migration gives the jobs
    left running without one, None: ``$DOCGEN_JOB_LEASE`` or its default; ``start_wait``: the
    seconds it gives the jobs left queued without one to start in, None: ``$DOCGEN_START_WAIT``
    or its default). Raises ``InputError`` when the database is unusable or of a later docgen."""
    try:
        ensure_schema(path, job_lease, start_wait)
    except sqlite3.DatabaseError as exc:
        raise SERVICE.error(InputError, "database-unusable", path=str(path), reason=reason_of(exc)) from None


def ensure_schema(path: Path, job_lease: float | None = None, start_wait: float | None = None) -> None:
    """Do what ``init_db`` does, the database's errors left as they are: a worker meeting a storage
    that refuses writes waits it out as it does for a job's state. Raises ``InputError`` when the
    database is of a later docgen (or ``job_lease`` or ``start_wait`` is needed and invalid),
    ``sqlite3.Error`` as the database does."""
    with connect(path) as db:
        _switch_to_wal(db)
        db.executescript(SCHEMA)
        found = _migrate(db, job_lease, start_wait)
    if found > SCHEMA_VERSION:
        raise SERVICE.error(InputError, "database-newer", path=str(path), found=found, known=SCHEMA_VERSION)


def schema_version(path: Path) -> int:
    """Return the schema version of the service database at ``path``, read only (0: none there yet,
    or one made before versions were kept). Raises ``sqlite3.Error`` as the database does."""
    try:
        db = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True, timeout=BUSY_SECONDS)
    except sqlite3.OperationalError:
        if not Path(path).exists():  # nothing made yet: the service or the first job makes it
            return 0
        raise
    try:
        return int(db.execute("PRAGMA user_version").fetchone()[0])
    finally:
        db.close()


def refuse_newer_for_worker(path: Path) -> None:
    """Raise ``InputError`` (``database-newer/worker``: both versions and what to do) when the service
    database at ``path`` is of a later docgen than this ``docgen worker``'s: its jobs are for a worker
    of that docgen, which every machine is to run (README: the upgrade order). Raises
    ``sqlite3.Error`` as the database does."""
    found = schema_version(path)
    if found > SCHEMA_VERSION:
        raise SERVICE.error(InputError, "database-newer/worker", path=str(path), found=found, known=SCHEMA_VERSION)


def _switch_to_wal(db: sqlite3.Connection) -> None:
    """Switch the database to WAL, trying again for ``BUSY_SECONDS`` while another connection holds
    it; the last refusal propagates (``sqlite3.OperationalError``).

    The switch of a database in rollback-journal mode reads its header, then writes it: when two
    connections (services and workers starting at once) read it together, SQLite refuses the
    second's write at once, its busy handler not called (waiting could deadlock), so the busy
    timeout alone does not wait it out. Once the first has switched, the header says WAL and the
    second's switch writes nothing."""
    def switch() -> None:
        db.execute("PRAGMA journal_mode = WAL")

    switched, _, _ = retry_while_locked(switch, sqlite_locked, lambda: "", BUSY_SECONDS, None)
    if not switched:
        switch()  # the holder kept it all along: its refusal, as SQLite words it


def _migrate(db: sqlite3.Connection, job_lease: float | None, start_wait: float | None) -> int:
    """Apply the migrations the database lacks, with its new version, in one write transaction (two
    services, or a service and its workers, starting at once: the later finds the first's version
    once it has the write lock); a database up to date is only read. Returns the version found."""
    found = db.execute("PRAGMA user_version").fetchone()[0]
    if found >= SCHEMA_VERSION:
        return found
    db.execute("BEGIN IMMEDIATE")
    found = db.execute("PRAGMA user_version").fetchone()[0]
    if found < SCHEMA_VERSION:
        now = time.time()
        facts = {"until": now + job_lease_seconds(job_lease),
                 "start_until": now + start_wait_seconds(start_wait, job_lease=job_lease)}
        for version in range(max(found, 1) + 1, SCHEMA_VERSION + 1):
            for statement in MIGRATIONS[version]:
                db.execute(statement, facts)
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    return found


@contextlib.contextmanager
def connect(path: Path) -> Iterator[sqlite3.Connection]:
    """Yield a connection that commits on success and rolls back on error, then closes."""
    db = sqlite3.connect(str(path), timeout=BUSY_SECONDS)
    db.row_factory = sqlite3.Row
    try:
        db.execute(f"PRAGMA busy_timeout = {int(BUSY_SECONDS * 1000)}")
        db.execute("PRAGMA foreign_keys = ON")
        with db:
            yield db
    finally:
        db.close()
