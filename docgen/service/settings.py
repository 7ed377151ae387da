"""Where the service keeps its state and the limits it enforces.

Everything lives under one data folder (default: the per-user data folder,
``docgen.core.userdirs``): ``service.sqlite`` (users, jobs, audit log, check history, files),
``register.sqlite`` (the serial-number register), ``secret.key`` (signs cookies and tokens),
``uploads/`` (uploaded files under random names) and ``files/`` (results to download).
The bundle root, when configured, is outside it: client folders the service reads, never writes.
"""
from __future__ import annotations

import math
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from docgen.core.access import check_readable, check_writable, when_denied
from docgen.core.errors import InputError
from docgen.core.userdirs import data_dir
from docgen.service.messages import MESSAGES as SERVICE


def default_data_dir() -> Path:
    """Return ``$DOCGEN_DATA`` or the per-user data folder (``~/.local/share/docgen`` on Linux)."""
    env = os.environ.get("DOCGEN_DATA")
    return Path(env).expanduser() if env else data_dir()


#: The environment variable that sets ``Settings.record_wait`` (read by the service and by each worker).
RECORD_WAIT_ENV = "DOCGEN_RECORD_WAIT"
_RECORD_WAIT_DEFAULT = 300.0
#: The environment variable that sets ``Settings.job_lease`` (read by the service and by each worker).
JOB_LEASE_ENV = "DOCGEN_JOB_LEASE"
_JOB_LEASE_DEFAULT = 60.0
#: The environment variable that sets the Celery broker's visibility timeout (``queue_visibility_seconds``).
QUEUE_VISIBILITY_ENV = "DOCGEN_QUEUE_VISIBILITY"
_QUEUE_VISIBILITY_DEFAULT = 3600.0
#: The environment variable that sets ``Settings.start_wait`` (read by the service, and by a worker
#: bringing a database up to date).
START_WAIT_ENV = "DOCGEN_START_WAIT"


def _seconds(value: float | str | None, name: str, default: float) -> float:
    """Return ``value``, else ``$name``, else ``default``, as seconds. Raises ``InputError``
    (naming the variable) unless it is a positive finite number."""
    given = value if value is not None else os.environ.get(name, "").strip() or default
    try:
        seconds = float(given)
    except (TypeError, ValueError):
        seconds = math.nan
    if not (math.isfinite(seconds) and seconds > 0):
        raise SERVICE.error(InputError, "seconds-invalid", name=name, value=str(given), example=int(default))
    return seconds


def record_wait_seconds(value: float | str | None = None) -> float:
    """Return ``value``, else ``$DOCGEN_RECORD_WAIT``, else 300, as seconds.

    Raises ``InputError`` (naming the variable) unless it is a positive finite number.
    """
    return _seconds(value, RECORD_WAIT_ENV, _RECORD_WAIT_DEFAULT)


def job_lease_seconds(value: float | str | None = None) -> float:
    """Return ``value``, else ``$DOCGEN_JOB_LEASE``, else 60, as seconds.

    Raises ``InputError`` (naming the variable) unless it is a positive finite number.
    """
    return _seconds(value, JOB_LEASE_ENV, _JOB_LEASE_DEFAULT)


def queue_visibility_seconds(value: float | str | None = None) -> float:
    """Return ``value``, else ``$DOCGEN_QUEUE_VISIBILITY``, else 3600, as seconds: how long a message
    a worker took and did not acknowledge stays with it before the broker delivers it again.

    Raises ``InputError`` (naming the variable) unless it is a positive finite number.
    """
    return _seconds(value, QUEUE_VISIBILITY_ENV, _QUEUE_VISIBILITY_DEFAULT)


def start_wait_seconds(value: float | str | None = None, record_wait: float | str | None = None,
                       job_lease: float | str | None = None) -> float:
    """Return ``value``, else ``$DOCGEN_START_WAIT``, else the record wait and the job lease together
    (``record_wait_seconds(record_wait) + job_lease_seconds(job_lease)``: a worker whose database
    refuses the start waits that long, then hands the job back), as seconds: how long a job handed
    to its runner may stay queued before the sweep hands it again.

    Raises ``InputError`` (naming the variable) unless it, and the two it defaults to, are positive
    finite numbers.
    """
    return _seconds(value, START_WAIT_ENV, record_wait_seconds(record_wait) + job_lease_seconds(job_lease))


@dataclass
class Settings:
    """The service's configuration; every limit has a default fit for a branch intranet."""

    data_dir: Path = field(default_factory=default_data_dir)
    #: Largest request body accepted (bytes); bigger uploads get 413 before they are read.
    max_upload_bytes: int = 256 * 1024 * 1024
    #: Files one request may carry (the NPL report's five: ledger, opening, targets, notes, policy;
    #: a browser sends every file input of a form, chosen or not).
    max_files: int = 5
    #: Form fields one request may carry (the single-document form has one per template field).
    max_fields: int = 200
    #: Uploads and results older than this are deleted.
    retention_hours: float = 72.0
    #: Sessions and API tokens expire after this many seconds.
    session_seconds: int = 8 * 3600
    #: Worker processes for jobs (batch, letters, PDF) and for checks run during a request.
    job_workers: int = 2
    check_workers: int = max(1, os.cpu_count() or 1)
    #: Jobs one user may have queued or running at once.
    max_active_jobs: int = 4
    #: Secure flag on the session cookie (set when served over HTTPS).
    secure_cookies: bool = False
    #: The register when not the data folder's own: a SQLite path or a ``postgresql://`` URL
    #: (several service instances and workers share one).
    register: str = ""
    #: Celery broker URL (``redis://…``): jobs go to ``docgen worker`` processes instead of local ones.
    broker: str = ""
    #: Folder whose sub-folders are client bundles 资料检查 may pick and check in place (read only);
    #: None: only .zip uploads are checked.
    bundle_root: Path | None = None
    #: Seconds a job waits for the database to take its state (its start, or its end with its audit
    #: entry) while the storage refuses writes; past it the job's end is held in memory and recorded
    #: (failed, with the storage's line) as soon as the database takes writes again. None:
    #: ``$DOCGEN_RECORD_WAIT``, else 300 (filled in when the settings are made: never None after).
    record_wait: float | None = None
    #: Seconds a running job's lease lasts: the process running it renews it every third of that
    #: while it lives; a job whose lease ran out (its process killed, its machine gone) is marked
    #: failed by the service's sweep. None: ``$DOCGEN_JOB_LEASE``, else 60 (filled in when the
    #: settings are made: never None after).
    job_lease: float | None = None
    #: Seconds a job handed to the runner (queued, or run again) may stay queued before the sweep
    #: hands it again (its start message lost, or the process holding its refused start gone). On a
    #: queue it is the service's own setting: the job may wait there behind others, and the worker
    #: that takes it waits out its own record wait, neither of which the service's record wait
    #: measures. None: ``$DOCGEN_START_WAIT``, else ``record_wait`` and ``job_lease`` together
    #: (filled in when the settings are made: never None after).
    start_wait: float | None = None

    def __post_init__(self) -> None:
        self.data_dir = Path(self.data_dir)
        self.record_wait = record_wait_seconds(self.record_wait)
        self.job_lease = job_lease_seconds(self.job_lease)
        self.start_wait = start_wait_seconds(self.start_wait, self.record_wait, self.job_lease)
        if self.bundle_root is not None:
            self.bundle_root = Path(self.bundle_root)

    @property
    def db_path(self) -> Path:
        """Return the service database (users, jobs, audit, check history, files)."""
        return self.data_dir / "service.sqlite"

    @property
    def key_path(self) -> Path:
        """Return the signing key's file (created once, then only read)."""
        return self.data_dir / "secret.key"

    @property
    def register_path(self) -> Path | str:
        """Return the serial-number register used by every job of this service (a path or a URL)."""
        if self.register:
            from docgen.core.userdirs import register_path

            return register_path(self.register)
        return self.data_dir / "register.sqlite"

    @property
    def uploads_dir(self) -> Path:
        """Return the folder of uploaded files (random names only)."""
        return self.data_dir / "uploads"

    @property
    def files_dir(self) -> Path:
        """Return the folder of results (one random folder per job or request)."""
        return self.data_dir / "files"

    def prepare(self) -> None:
        """Create the data folder and its sub-folders (owner-only); raise ``InputError`` if impossible,
        when its database may not be read and changed, or its signing key may not be read."""
        try:
            for folder in (self.data_dir, self.uploads_dir, self.files_dir):
                folder.mkdir(parents=True, exist_ok=True)
                os.chmod(folder, 0o700)
                check_writable(folder, folder=True, cls=InputError)
        except OSError as exc:
            when_denied(exc, InputError, exc.filename or self.data_dir, writing=True)
            raise SERVICE.error(InputError, "data-dir-unwritable", path=str(self.data_dir), reason=exc.strerror) from None
        # SQLite says only "unable to open database file" of a file it may not use: say why.
        check_readable(self.db_path)
        check_writable(self.db_path, in_place=True, cls=InputError)
        check_readable(self.key_path)  # only read once made: a key of mode 0400 serves
        if self.bundle_root is not None:
            # Resolved once: every folder a user picks must resolve to somewhere under this path.
            if not self.bundle_root.is_dir():
                from docgen.service.messages import FOLDERS

                raise FOLDERS.error(InputError, "root-missing", root=str(self.bundle_root))
            self.bundle_root = self.bundle_root.resolve(strict=True)

    def secret_key(self) -> bytes:
        """Return the signing key, created once (owner-only file) in the data folder."""
        path = self.key_path
        try:
            return bytes.fromhex(path.read_text().strip())
        except FileNotFoundError:
            pass
        key = secrets.token_bytes(32)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(key.hex())
        return key
