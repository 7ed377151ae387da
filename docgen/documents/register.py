"""The register of issued documents: serial numbers and what was written (SQLite).

Every generated document gets a serial number (e.g. 催字〔2026〕第0007号) allocated here, and
the register keeps, per template and source row key, the serial, the output file, its
SHA-256 and the time. Allocation happens in one ``BEGIN IMMEDIATE`` write transaction, so
two batches running at once never share or skip a serial; a row already issued keeps its
serial forever (re-running a batch does not issue a second letter).

Life of a record: ``reserve`` (serial allocated, no file yet) -> the caller writes the file
atomically -> ``complete`` (file and hash stored). A batch killed in between leaves the
reservation; the next run renders that row with the reserved serial.

Where the database lives: ``$DOCGEN_REGISTER`` when set, else ``register.sqlite`` in the
per-user data folder (``$XDG_DATA_HOME/docgen`` or ``~/.local/share/docgen`` on Linux,
``%LOCALAPPDATA%\\docgen`` on Windows, ``~/Library/Application Support/docgen`` on macOS),
so every batch a user runs, from any folder, draws from the same sequence.
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import os
import socket
import sqlite3
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docgen.core.errors import RegisterError

__all__ = ["Record", "Reservation", "Register", "allocate_serial", "default_register_path", "owner_id",
           "record_issued", "sha256_file"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sequences (
    template TEXT PRIMARY KEY,
    last_seq INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS records (
    id INTEGER PRIMARY KEY,
    template TEXT NOT NULL,
    row_key TEXT NOT NULL,
    seq INTEGER NOT NULL,
    serial TEXT NOT NULL,
    file TEXT,
    sha256 TEXT,
    created TEXT NOT NULL,
    completed TEXT,
    owner TEXT,
    claimed TEXT,
    UNIQUE (template, row_key),
    UNIQUE (template, serial),
    UNIQUE (template, seq)
);
"""
_COLUMNS = "serial, template, row_key, file, sha256, created, seq, completed"
_BUSY_TIMEOUT_S = 60.0


def default_register_path() -> Path:
    """Return the register database path: ``$DOCGEN_REGISTER`` or the per-user data folder."""
    env = os.environ.get("DOCGEN_REGISTER")
    if env:
        return Path(env).expanduser()
    if sys.platform.startswith("win"):
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "docgen" / "register.sqlite"


def sha256_file(path: str | os.PathLike[str]) -> str:
    """Return the hex SHA-256 of a file's bytes (raises OSError when it cannot be read)."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class Record:
    """One issued (or reserved) document.

    ``file`` and ``sha256`` are None until the document is completed; ``created`` is the ISO
    time the serial was allocated, ``completed`` the ISO time the file was recorded.
    """

    serial: str
    template: str
    row_key: str
    file: str | None
    sha256: str | None
    created: str
    seq: int
    completed: str | None = None

    @property
    def is_complete(self) -> bool:
        """True when the document was written and recorded."""
        return self.completed is not None

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form used by ``docgen register list --format json``."""
        return {
            "serial": self.serial, "template": self.template, "row_key": self.row_key, "seq": self.seq,
            "file": self.file, "sha256": self.sha256, "created": self.created, "completed": self.completed,
        }


@dataclass(frozen=True)
class Reservation:
    """The outcome of ``reserve``: the record, whether its serial was allocated just now, and
    whether another running batch holds it (reserved, not yet written: leave it alone)."""

    record: Record
    new: bool
    busy: bool = False

    @property
    def serial(self) -> str:
        return self.record.serial

    @property
    def seq(self) -> int:
        return self.record.seq

    @property
    def complete(self) -> bool:
        return self.record.is_complete


def _now() -> str:
    return _dt.datetime.now().astimezone().isoformat(timespec="seconds")


_CLAIM_TTL = _dt.timedelta(hours=1)


def owner_id() -> str:
    """This process as a claim owner: ``host:pid``."""
    return f"{socket.gethostname()}:{os.getpid()}"


def _claim_alive(owner: str | None, claimed: str | None) -> bool:
    """Whether the batch that reserved a row may still be writing it.

    On this host: its process exists. On another host (a shared register) or without a
    liveness check (Windows): the claim is under an hour old.
    """
    if not owner:
        return False
    host, _, pid_text = owner.rpartition(":")
    if host == socket.gethostname() and os.name == "posix" and pid_text.isdigit():
        if int(pid_text) == os.getpid():
            return False  # our own earlier claim (same process): ours to finish
        try:
            os.kill(int(pid_text), 0)
        except ProcessLookupError:
            return False
        except OSError:
            return True  # exists, owned by someone else
        return True
    try:
        return _dt.datetime.now().astimezone() - _dt.datetime.fromisoformat(claimed or "") < _CLAIM_TTL
    except ValueError:
        return False


class Register:
    """A register database; use as a context manager (``with Register(path) as reg:``).

    Raises ``RegisterError`` when the database cannot be opened or is not a register.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = Path(path) if path is not None else default_register_path()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # isolation_level=None: we issue BEGIN ourselves, so the transaction boundaries
            # (BEGIN IMMEDIATE for allocation) are exactly what the code says.
            self._db = sqlite3.connect(str(self.path), timeout=_BUSY_TIMEOUT_S, isolation_level=None)
            self._db.execute(f"PRAGMA busy_timeout = {int(_BUSY_TIMEOUT_S * 1000)}")
            self._db.execute("PRAGMA journal_mode = WAL")
            self._db.execute("PRAGMA synchronous = FULL")
            with self._transaction():
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        self._db.execute(statement)
                columns = {row[1] for row in self._db.execute("PRAGMA table_info(records)")}
                for column in ("owner", "claimed"):  # registers made before batches claimed rows
                    if column not in columns:
                        self._db.execute(f"ALTER TABLE records ADD COLUMN {column} TEXT")
        except sqlite3.DatabaseError as exc:
            raise RegisterError(
                f"{self.path}: 无法打开登记簿数据库({exc})。请检查路径,或用 --register 指定另一个文件"
            ) from None
        except OSError as exc:
            raise RegisterError(f"{self.path}: 无法创建登记簿({exc.strerror})") from None

    # -- plumbing ---------------------------------------------------------------------------

    class _Tx:
        def __init__(self, db: sqlite3.Connection) -> None:
            self.db = db

        def __enter__(self) -> sqlite3.Connection:
            self.db.execute("BEGIN IMMEDIATE")
            return self.db

        def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
            if exc_type is None:
                self.db.execute("COMMIT")
            else:
                self.db.execute("ROLLBACK")

    def _transaction(self) -> Register._Tx:
        return Register._Tx(self._db)

    def close(self) -> None:
        """Close the database connection."""
        self._db.close()

    def __enter__(self) -> Register:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    @staticmethod
    def _record(row: Sequence[Any]) -> Record:
        return Record(*row)

    def _find(self, template: str, row_key: str) -> Record | None:
        row = self._db.execute(
            f"SELECT {_COLUMNS} FROM records WHERE template = ? AND row_key = ?", (template, row_key)
        ).fetchone()
        return self._record(row) if row else None

    # -- allocation -------------------------------------------------------------------------

    def reserve(self, template: str, row_key: str, make_serial: Callable[[int], str]) -> Reservation:
        """Return the record of (``template``, ``row_key``), allocating a serial if it has none.

        In one write transaction: an existing record is returned unchanged (``new`` False);
        otherwise the template's next sequence number ``seq`` is taken, ``make_serial(seq)``
        formats it, and the reservation is stored (``new`` True). Raises ``RegisterError``
        if the formatted serial was already used for this template.
        """
        return self.reserve_many(template, [(row_key, make_serial)])[0]

    def reserve_many(
        self, template: str, items: Iterable[tuple[str, Callable[[int], str]]], *, owner: str | None = None
    ) -> list[Reservation]:
        """``reserve`` for many rows in ONE write transaction (what a batch uses).

        Returns the reservations in the order of ``items``. Sequence numbers are allocated
        in that order, contiguously, and never reused. With ``owner`` (``owner_id()``) the
        rows not yet written are claimed for this process: a row claimed by another batch
        that is still running comes back ``busy`` (it must not be written twice); a claim
        whose process is gone is taken over. Raises ``RegisterError`` on a serial clash (a
        serial pattern that does not include the sequence number).
        """
        out: list[Reservation] = []
        now = _now()
        try:
            with self._transaction() as db:
                row = db.execute("SELECT last_seq FROM sequences WHERE template = ?", (template,)).fetchone()
                last = row[0] if row else 0
                for row_key, make_serial in items:
                    existing = self._find(template, row_key)
                    if existing is not None:
                        if owner is not None and not existing.is_complete:
                            held = db.execute(
                                "SELECT owner, claimed FROM records WHERE template = ? AND row_key = ?",
                                (template, row_key),
                            ).fetchone()
                            if held[0] != owner and _claim_alive(held[0], held[1]):
                                out.append(Reservation(existing, False, busy=True))
                                continue
                            db.execute("UPDATE records SET owner = ?, claimed = ? WHERE template = ? AND row_key = ?",
                                       (owner, now, template, row_key))
                        out.append(Reservation(existing, False))
                        continue
                    last += 1
                    serial = make_serial(last)
                    clash = db.execute(
                        "SELECT row_key FROM records WHERE template = ? AND serial = ?", (template, serial)
                    ).fetchone()
                    if clash:
                        raise RegisterError(
                            f"{self.path}: 模板 {template} 的编号 {serial} 已用于 {clash[0]};"
                            "编号格式必须包含流水号(seq)"
                        )
                    db.execute(
                        "INSERT INTO records (template, row_key, seq, serial, created, owner, claimed) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?)",
                        (template, row_key, last, serial, now, owner, now if owner else None),
                    )
                    out.append(Reservation(Record(serial, template, row_key, None, None, now, last), True))
                db.execute(
                    "INSERT INTO sequences (template, last_seq) VALUES (?, ?) "
                    "ON CONFLICT (template) DO UPDATE SET last_seq = excluded.last_seq",
                    (template, last),
                )
        except sqlite3.DatabaseError as exc:
            raise RegisterError(f"{self.path}: 登记簿写入失败({exc})") from None
        return out

    def complete(self, template: str, row_key: str, file: str | os.PathLike[str], sha256: str) -> None:
        """Record that the document of (``template``, ``row_key``) was written to ``file``.

        Raises ``RegisterError`` when the row has no reservation.
        """
        self.complete_many(template, [(row_key, file, sha256)])

    def complete_many(
        self, template: str, items: Iterable[tuple[str, str | os.PathLike[str], str]]
    ) -> None:
        """``complete`` for many ``(row_key, file, sha256)`` in one transaction."""
        now = _now()
        try:
            with self._transaction() as db:
                for row_key, file, digest in items:
                    cursor = db.execute(
                        "UPDATE records SET file = ?, sha256 = ?, completed = ?, owner = NULL, claimed = NULL "
                        "WHERE template = ? AND row_key = ?",
                        (str(Path(file).resolve()), digest, now, template, row_key),
                    )
                    if cursor.rowcount != 1:
                        raise RegisterError(f"{self.path}: 模板 {template} 的 {row_key} 没有预留编号,无法登记")
        except sqlite3.DatabaseError as exc:
            raise RegisterError(f"{self.path}: 登记簿写入失败({exc})") from None

    # -- queries ----------------------------------------------------------------------------

    def lookup(self, template: str, row_key: str) -> Record | None:
        """Return the record of (``template``, ``row_key``) or None."""
        return self._find(template, row_key)

    def records(self, template: str | None = None) -> list[Record]:
        """Return all records (of one ``template`` if given), by template then sequence."""
        if template is None:
            rows = self._db.execute(f"SELECT {_COLUMNS} FROM records ORDER BY template, seq").fetchall()
        else:
            rows = self._db.execute(
                f"SELECT {_COLUMNS} FROM records WHERE template = ? ORDER BY seq", (template,)
            ).fetchall()
        return [self._record(r) for r in rows]

    def verify(self, template: str | None = None) -> list[tuple[Record, str]]:
        """Re-hash every recorded file; return the records that fail, each with a status.

        Statuses: ``'missing'`` (the file is gone), ``'changed'`` (its SHA-256 differs from
        the one recorded), ``'incomplete'`` (a serial was reserved but no file was ever
        recorded: a batch stopped before finishing; re-running it issues the document).
        An empty list means every document is intact.
        """
        failures: list[tuple[Record, str]] = []
        for record in self.records(template):
            if not record.is_complete or not record.file:
                failures.append((record, "incomplete"))
                continue
            try:
                digest = sha256_file(record.file)
            except OSError:  # gone, or no longer readable: either way not the file issued
                failures.append((record, "missing"))
                continue
            if digest != record.sha256:
                failures.append((record, "changed"))
        return failures


def allocate_serial(template: Any, context: dict[str, Any], register_path: str | os.PathLike[str] | None = None) -> str:
    """Return the serial for one document rendered on its own (``docgen render``).

    The row key is the template's ``key_field`` value in ``context``; a key already in the
    register gets its existing serial back. Raises ``RegisterError`` when the context has
    no key value or the register cannot be written. Call ``Register.complete`` after
    writing the file so ``register verify`` can check it.
    """
    key = str(context.get(template.key_field) or "").strip()
    if not key:
        raise RegisterError(f"模板 {template.name}: 缺少 {template.key_field},无法在登记簿中分配编号")
    with Register(register_path) as register:
        return register.reserve(template.name, key, lambda seq: template.format_serial(seq, context)).serial


def record_issued(template: Any, context: dict[str, Any], path: str | os.PathLike[str],
                  register_path: str | os.PathLike[str] | None = None) -> Record:
    """Record a document written on its own (after ``allocate_serial`` and the write).

    Stores ``path`` and its SHA-256 for the template's ``key_field`` value, so
    ``register verify`` checks it instead of reporting the serial as incomplete. Returns
    the record; raises ``RegisterError`` when the key has no reservation.
    """
    key = str(context.get(template.key_field) or "").strip()
    with Register(register_path) as register:
        register.complete(template.name, key, path, sha256_file(path))
        record = register.lookup(template.name, key)
    assert record is not None
    return record
