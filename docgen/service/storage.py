"""The service's own storage failing while it runs: what a request, a page and a job then say.

``docgen serve`` checks its data folder at start (``Settings.prepare``), but the folder, its
``uploads/`` and ``files/`` and the database in it can become unwritable later (a permission
changed, a read-only remount) or the disk can fill. The system's refusal then surfaces as an
``OSError`` (``EACCES``/``EPERM``/``EROFS``, ``ENOSPC``/``EDQUOT``), as SQLite's
``OperationalError`` (``SQLITE_READONLY``, ``SQLITE_FULL``, ``SQLITE_CANTOPEN``, ``SQLITE_IOERR``,
``SQLITE_PERM``), or wrapped in a library error that keeps it as its context (an atomic write's
``OutputError``, the register's ``RegisterError``). ``storage_problem`` finds it and words it in
one line naming the folder (or database) and what the administrator should do; requests answer
it with 503 (``STATUS``), jobs record it as their error. A library error saying a path may not
be *read* (a user's file: ``access-read`` …) is no storage problem. Nothing is remembered: the
next request tries again, so the service recovers as soon as the folder is writable again.
"""
from __future__ import annotations

import errno
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from docgen.core.access import DENIED_CODES, writable_folder
from docgen.service.messages import MESSAGES as SERVICE

#: errno -> the kind of refusal: permission (or a read-only file system), or no space left.
_ERRNOS = {errno.EACCES: "denied", errno.EPERM: "denied", errno.EROFS: "denied",
           errno.ENOSPC: "full", errno.EDQUOT: "full"}
#: SQLite primary result codes that mean the database's file or folder cannot be written or opened
#: (SQLITE_PERM, SQLITE_READONLY, SQLITE_IOERR, SQLITE_FULL, SQLITE_CANTOPEN), not a busy or
#: damaged database.
_SQLITE_CODES = {3: "denied", 8: "denied", 10: "failed", 13: "full", 14: "failed"}
#: Codes of library errors refusing to *read* a path: a file of the user's that may not be read is
#: the user's problem (400), not the service's storage failing.
_READ_REFUSALS = DENIED_CODES - {"access-write", "access-change"}

#: How a request answers a storage problem (Service Unavailable: the request itself was fine).
STATUS = 503


@dataclass(frozen=True)
class StorageProblem:
    """What failed: ``code`` (``storage-denied``, ``storage-full``, ``storage-failed``), the folder
    or file ``path`` it names, the system's ``reason``; ``message`` is the one line users see."""

    code: str
    path: str
    reason: str

    @property
    def message(self) -> str:
        """Return the one-line Chinese (and English) wording of the problem."""
        return SERVICE.text(self.code, {"path": self.path, "reason": self.reason})

    @property
    def english(self) -> str:
        """Return the problem worded in English only, as the pages read in English show it."""
        return SERVICE.text(self.code, {"path": self.path, "reason": self.reason}, "en")


def storage_cause(exc: BaseException) -> BaseException | None:
    """Return the storage failure behind ``exc``: itself, or the exception it was raised in the
    handling of (``__cause__``/``__context__``), that is an ``OSError`` with one of the errnos
    above or a SQLite error with one of the result codes above; None when there is none, or when
    a library error on the way refuses to read a path (``_READ_REFUSALS``)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if getattr(current, "code", None) in _READ_REFUSALS:
            return None
        if _kind(current) is not None:
            return current
        current = current.__cause__ or current.__context__
    return None


def _kind(exc: BaseException) -> str | None:
    if isinstance(exc, OSError):
        return _ERRNOS.get(exc.errno or 0)
    if isinstance(exc, sqlite3.OperationalError):
        code = getattr(exc, "sqlite_errorcode", None)
        return _SQLITE_CODES.get(code & 0xFF) if isinstance(code, int) else None
    return None


def storage_problem(exc: BaseException, *, folder: str | os.PathLike[str] | None = None,
                    database: str | os.PathLike[str] | None = None) -> StorageProblem | None:
    """Return the ``StorageProblem`` behind ``exc`` (see ``storage_cause``), or None.

    A library error ``exc`` names the file it was writing (its ``target``, ``path`` or
    ``register``), which stands in for ``folder`` and ``database`` when those are not given.
    An ``OSError`` names where it happened (its file name, else ``folder``, the folder the caller
    was writing in): for a refusal, the nearest folder on the way that may not be written (or the
    file itself when it may not be changed); for a full disk, ``folder`` (else the file's folder). A SQLite error names
    ``database`` (else ``folder``), or the folder that stops it when that folder may not be
    written (SQLite makes its journal files beside the database).
    """
    cause = storage_cause(exc)
    if cause is None:
        return None
    facts = getattr(exc, "facts", None) or {}
    written = next((str(facts[k]) for k in ("target", "path", "register") if facts.get(k)), None)
    folder, database = folder or written, database or written
    kind = _kind(cause)
    if isinstance(cause, OSError):
        named = os.fsdecode(cause.filename) if cause.filename else folder
        reason = cause.strerror or str(cause)
    else:
        named = database if database is not None else folder
        reason = str(cause)
    where = Path(named) if named else Path.cwd()
    if kind != "full":
        # SQLite's -wal and -shm files are made with the database's mode: a database once made
        # read-only leaves them so, and they refuse writes after the database is given back.
        companions = [] if isinstance(cause, OSError) else [Path(f"{where}-wal"), Path(f"{where}-shm")]
        refused = _refusing(where, companions)
        if refused is not None:
            return StorageProblem("storage-denied", str(refused), reason)
    if kind == "full":  # the disk is what is full: the caller's folder on it names it best
        disk = Path(folder) if folder else where
        return StorageProblem("storage-full", str(disk if disk.is_dir() else writable_folder(disk)), reason)
    return StorageProblem(f"storage-{kind}", str(where), reason)


def _refusing(path: Path, companions: list[Path]) -> Path | None:
    """Return ``path`` (or the first of its ``companions``) when it is a file that may not be
    changed, else the nearest existing folder at or above it when that may not be written or
    entered; None when all may be."""
    try:
        for file in (path, *companions):
            if file.is_file() and not os.access(file, os.W_OK):
                return file
        folder = path if path.is_dir() else writable_folder(path)
        return None if os.access(folder, os.W_OK | os.X_OK) else folder
    except OSError:
        return None
