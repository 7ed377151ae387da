"""Where a register's rows live: a SQLite file or a PostgreSQL database, behind one small interface.

The register's logic (allocation in one transaction, the hash chain, the anchor, the gap
and integrity checks) is written once in ``docgen.documents.register`` against this
interface; a store only knows how to connect, take the register's write lock, run SQL
(written with ``?`` placeholders, the SQLite spelling) and check its database's pages.

- ``SqliteStore``: one file; the write lock is ``BEGIN IMMEDIATE``; pages checked by
  ``PRAGMA integrity_check``; the anchor sits beside the file.
- ``PostgresStore`` (``postgresql://…``, psycopg 3): the write lock is a transaction-scoped
  advisory lock, so every writer of every machine is serialised exactly as SQLite
  serialises the processes of one; pages checked with the ``amcheck`` extension when the
  database has it; the anchor is kept by each machine in its data folder (an emptied or
  rolled-back database is then noticed by every machine that wrote to it).
"""
from __future__ import annotations

import hashlib
import re
import socket
import sqlite3
from pathlib import Path
from typing import Any, Protocol

from docgen.core.errors import RegisterError, RegisterUnreachableError
from docgen.core.userdirs import data_dir, is_database_url
from docgen.documents.register_lock import sqlite_locked
from docgen.documents.messages import MESSAGES

__all__ = ["Store", "SqliteStore", "PostgresStore", "RegisterLocked", "open_store", "redact"]

#: The advisory-lock key of the register in its PostgreSQL database (any constant; "docgreg").
_PG_LOCK_KEY = 0x646F63677265
_PG_ATTEMPT_MS = 200


class RegisterLocked(Exception):
    """Another writer holds the register's write lock (one attempt failed; the caller waits)."""


class Store(Protocol):
    """What the register needs from its database."""

    where: str          #: how messages name the register (a path, or a URL without its password)
    anchor_base: Path   #: the anchor is written at ``anchor_path(anchor_base)``
    errors: tuple[type[BaseException], ...]  #: the database's own error classes

    def execute(self, sql: str, params: tuple[Any, ...] = ()) -> Any: ...
    def begin(self) -> None: ...
    def commit(self) -> None: ...
    def rollback(self) -> None: ...
    @property
    def in_transaction(self) -> bool: ...
    def has_records(self) -> bool: ...
    def columns(self) -> set[str]: ...
    def integrity(self) -> list[str]: ...
    def is_locked(self, exc: BaseException) -> bool: ...
    def is_damaged(self, exc: BaseException) -> bool: ...
    def holders(self) -> str: ...
    def close(self) -> None: ...


def redact(url: str) -> str:
    """Return ``url`` with its password removed (for messages and logs)."""
    return re.sub(r"(://[^/:@]*):[^/@]*@", r"\1@", url)


class SqliteStore:
    """A register in one SQLite file (WAL); ``readonly`` opens with ``mode=ro`` and never writes."""

    errors: tuple[type[BaseException], ...] = (sqlite3.DatabaseError,)

    def __init__(self, path: Path, *, readonly: bool, attempt_s: float) -> None:
        self.path = path
        self.where = str(path)
        self.anchor_base = path
        if readonly:
            self._db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True,
                                       timeout=attempt_s, isolation_level=None)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            # isolation_level=None: we issue BEGIN ourselves, so the transaction boundaries
            # (BEGIN IMMEDIATE for allocation) are exactly what the code says.
            self._db = sqlite3.connect(str(path), timeout=attempt_s, isolation_level=None)
        self._db.execute(f"PRAGMA busy_timeout = {int(attempt_s * 1000)}")

    def prepare(self) -> None:
        """Switch a writable register to WAL with full syncs (may wait on the lock: retried by the caller)."""
        self._db.execute("PRAGMA journal_mode = WAL")
        self._db.execute("PRAGMA synchronous = FULL")

    def execute(self, sql: str, params: tuple[Any, ...] = ()) -> sqlite3.Cursor:
        return self._db.execute(sql, params)

    def begin(self) -> None:
        self._db.execute("BEGIN IMMEDIATE")

    def commit(self) -> None:
        self._db.execute("COMMIT")

    def rollback(self) -> None:
        if self._db.in_transaction:
            self._db.execute("ROLLBACK")

    @property
    def in_transaction(self) -> bool:
        return self._db.in_transaction

    def has_records(self) -> bool:
        return self._db.execute("SELECT 1 FROM sqlite_master WHERE name = 'records'").fetchone() is not None

    def columns(self) -> set[str]:
        return {row[1] for row in self._db.execute("PRAGMA table_info(records)")}

    def integrity(self) -> list[str]:
        rows = [r[0] for r in self._db.execute("PRAGMA integrity_check(20)").fetchall()]
        return [] if rows == ["ok"] else rows

    def is_locked(self, exc: BaseException) -> bool:
        return sqlite_locked(exc)

    def is_damaged(self, exc: BaseException) -> bool:
        return not isinstance(exc, sqlite3.OperationalError)

    def holders(self) -> str:
        from docgen.documents.register_lock import holders

        return holders(self.path)

    def close(self) -> None:
        self._db.close()


class PostgresStore:
    """A register in a PostgreSQL database (psycopg 3, autocommit; transactions issued explicitly)."""

    def __init__(self, url: str, *, readonly: bool, application: str) -> None:
        try:
            import psycopg
        except ImportError:
            raise MESSAGES.error(RegisterError, "register-needs-psycopg", register=redact(url)) from None
        self._psycopg = psycopg
        self.errors = (psycopg.Error,)
        self.where = redact(url)
        self.anchor_base = pg_anchor_base(url)
        try:
            self._db = psycopg.connect(url, autocommit=True, connect_timeout=10, application_name=application[:63])
        except psycopg.Error as exc:
            raise MESSAGES.error(RegisterUnreachableError, "register-unreachable", register=self.where,
                                 reason=_first_line(exc)) from None
        if readonly:
            self._db.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")

    def prepare(self) -> None:
        """Nothing to switch on: PostgreSQL is always durable and concurrent."""

    def execute(self, sql: str, params: tuple[Any, ...] = ()) -> Any:
        return self._db.execute(sql.replace("?", "%s"), params)

    def begin(self) -> None:
        self._db.execute("BEGIN")
        got = self._db.execute("SELECT pg_try_advisory_xact_lock(%s)", (_PG_LOCK_KEY,)).fetchone()
        if not got or not got[0]:
            self._db.execute("ROLLBACK")
            raise RegisterLocked()

    def commit(self) -> None:
        self._db.execute("COMMIT")

    def rollback(self) -> None:
        if self.in_transaction:
            self._db.execute("ROLLBACK")

    @property
    def in_transaction(self) -> bool:
        status = self._db.info.transaction_status
        return status != self._psycopg.pq.TransactionStatus.IDLE

    def has_records(self) -> bool:
        return self._db.execute("SELECT to_regclass('records')").fetchone()[0] is not None

    def columns(self) -> set[str]:
        return {row[0] for row in self._db.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name = 'records'")}

    def integrity(self) -> list[str]:
        """``amcheck``'s B-tree (and, from PostgreSQL 14, heap) checks of the register's tables.

        Without the extension only what reading every row proves is checked (the chain
        check reads them all); ``CREATE EXTENSION amcheck`` in the database turns it on.
        """
        have = self._db.execute("SELECT extversion FROM pg_extension WHERE extname = 'amcheck'").fetchone()
        if not have:
            return []
        problems: list[str] = []
        for (index,) in self._db.execute(
                "SELECT i.indexrelid::regclass::text FROM pg_index i "
                "WHERE i.indrelid IN ('records'::regclass, 'sequences'::regclass, 'meta'::regclass)").fetchall():
            try:
                self._db.execute("SELECT bt_index_check(%s::regclass, true)", (index,))
            except self._psycopg.Error as exc:
                problems.append(f"{index}: {_first_line(exc)}")
        heap = self._db.execute("SELECT 1 FROM pg_proc WHERE proname = 'verify_heapam'").fetchone()
        if heap:
            for table in ("records", "sequences", "meta"):
                for row in self._db.execute("SELECT msg FROM verify_heapam(%s::regclass) LIMIT 5", (table,)):
                    problems.append(f"{table}: {row[0]}")
        return problems

    def is_locked(self, exc: BaseException) -> bool:
        return isinstance(exc, (RegisterLocked, self._psycopg.errors.LockNotAvailable))

    def is_damaged(self, exc: BaseException) -> bool:
        errors = self._psycopg.errors
        return isinstance(exc, (errors.DataCorrupted, errors.IndexCorrupted))

    def holders(self) -> str:
        """The sessions holding the register's lock, as ``application(client address)``."""
        try:
            rows = self._db.execute(
                "SELECT a.application_name, coalesce(host(a.client_addr), 'local') FROM pg_locks l "
                "JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted "
                "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
                "AND a.pid <> pg_backend_pid()").fetchall()
        except self._psycopg.Error:
            return ""
        return "、".join(f"{name or 'pid ?'}({addr})" for name, addr in rows[:5])

    def close(self) -> None:
        self._db.close()


def pg_anchor_base(url: str) -> Path:
    """Where this machine keeps the anchor of the PostgreSQL register at ``url``.

    In the data folder, under a name made of the server, port and database (the password
    and options play no part), so every URL spelling of one database shares one anchor.
    """
    from psycopg.conninfo import conninfo_to_dict

    try:
        parts = conninfo_to_dict(url)
    except Exception:  # noqa: BLE001 - an unparseable URL is reported when connecting
        parts = {"dbname": url}
    ident = "\x1f".join(str(parts.get(k) or "") for k in ("host", "port", "dbname", "user"))
    name = re.sub(r"[^0-9A-Za-z_.-]+", "_", f"{parts.get('host') or 'local'}-{parts.get('dbname') or ''}")[:60]
    return data_dir() / "registers" / f"{name}-{hashlib.sha256(ident.encode()).hexdigest()[:12]}"


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def open_store(target: str | Path, *, readonly: bool, attempt_s: float, application: str = "") -> SqliteStore | PostgresStore:
    """Open the register store ``target`` names: a ``postgresql://`` URL or a SQLite file path.

    Raises ``RegisterError`` (cannot connect, psycopg missing) and, for SQLite, the
    ``sqlite3`` / ``OSError`` exceptions of opening the file (the caller words them).
    """
    if isinstance(target, str) and is_database_url(target):
        return PostgresStore(target, readonly=readonly, application=application or socket.gethostname())
    return SqliteStore(Path(target), readonly=readonly, attempt_s=attempt_s)
