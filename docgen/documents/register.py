"""The register of issued documents: serial numbers and what was written (SQLite or PostgreSQL).

Every generated document gets a serial number (e.g. 催字〔2026〕第0007号) allocated here, and
the register keeps, per template and source row key, the serial, the output file, its
SHA-256 and the time. Allocation happens in one write transaction holding the register's
write lock (``BEGIN IMMEDIATE`` in SQLite, an advisory lock in PostgreSQL), so two batches
running at once, on one machine or many, never share or skip a serial; a row already issued keeps its
serial forever (re-running a batch does not issue a second letter).

Life of a record: ``reserve`` (serial allocated, no file yet) -> the caller writes the file
atomically -> ``complete`` (file and hash stored). A batch killed in between leaves the
reservation; the next run renders that row with the reserved serial.

Where the database lives: ``$DOCGEN_REGISTER`` when set (a file, or a ``postgresql://`` URL
for a register shared by many machines: ``docgen.documents.register_store``), else
``register.sqlite`` in the per-user data folder (``docgen.core.userdirs``), so every batch a user runs, from any folder,
draws from the same sequence.
"""
from __future__ import annotations

import contextlib
import datetime as _dt
import hashlib
import os
import socket
import sqlite3
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

from docgen.core.access import check_readable, check_writable, is_denied
from docgen.core.regularfile import open_regular
from docgen.core.errors import (DocgenError, RegisterBusyError, RegisterDamagedError, RegisterDeniedError,
                                 RegisterError, SerialConflictError)
from docgen.core.userdirs import RegisterTarget, is_database_url
from docgen.core.userdirs import register_path as _resolve_register
from docgen.documents.messages import MESSAGES
from docgen.core.wording import reason_of
from docgen.documents.register_anchor import Anchor, link_of, read_anchor, retire_anchor, seal_of, write_anchor
from docgen.documents.register_lock import Waiter, retry_while_locked, stderr_waiter, wait_seconds
from docgen.documents.register_path import register_exists
from docgen.documents.register_store import open_store

__all__ = ["ISSUE_CODES", "Record", "Reservation", "Register", "RegisterIssue", "allocate_serial",
           "missing_register_issues", "owner_id", "record_issued", "reserve_given_serial", "sha256_file"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
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
#: Rows a reservation or completion looks up per statement (well below SQLite's and
#: PostgreSQL's limits on parameters).
_CHUNK = 500
_ATTEMPT_S = 0.2  # one try at the lock; the waiting itself is ours, so it can say who holds it


def sha256_file(path: str | os.PathLike[str]) -> str:
    """Return the hex SHA-256 of a file's bytes. Raises ``OSError`` when it cannot be read, and
    ``NotRegularFile`` (an ``OSError``) when a FIFO, device or folder stands at ``path``: an issued
    file swapped for a FIFO would otherwise hold ``register verify`` waiting for a writer."""
    digest = hashlib.sha256()
    with open_regular(path) as fh:
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


def _plan_serials(chunk: list[tuple[str, Callable[[int], str]]], reserved: Any,
                  last: int, taken: set[int]) -> list[tuple[Any, ...]]:
    """What ``reserve_many`` will do with each row of ``chunk``, in order: ``("old",)`` for a row
    in ``reserved`` (or given earlier in the chunk), ``("new", seq, serial)`` for the others,
    numbered on from ``last``, skipping the numbers in ``taken`` (held by serials given in
    documents' data). A serial that cannot be made ends the plan with
    ``("failed", exception)``: raised at that row's turn, after the rows before it."""
    plans: list[tuple[Any, ...]] = []
    given: set[str] = set()
    for row_key, make_serial in chunk:
        if row_key in reserved or row_key in given:
            plans.append(("old",))
            continue
        given.add(row_key)
        last += 1
        while last in taken:
            last += 1
        try:
            plans.append(("new", last, make_serial(last)))
        except Exception as exc:  # noqa: BLE001 - whatever the serial pattern raises, raised in turn
            plans.append(("failed", exc))
            break
    return plans


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


def _detail(code: str, facts: dict[str, Any]) -> dict[str, str]:
    """Return a ``RegisterIssue``'s ``detail`` and ``detail_en``: the ``register-detail/<code>`` entry
    with ``facts``, in Chinese and in English."""
    return {"detail": MESSAGES.text(f"register-detail/{code}", facts),
            "detail_en": MESSAGES.text(f"register-detail/{code}", facts, "en")}


#: What ``Register.audit`` may find, in the order it looks (see ``RegisterIssue``); worded in
#: ``docgen.documents.messages`` under ``register/<code>``.
ISSUE_CODES = ("corrupt", "replaced", "truncated", "altered", "gap", "unanchored")


@dataclass(frozen=True)
class RegisterIssue:
    """Something ``Register.audit`` found wrong with the register itself (not with a file).

    ``code``: ``corrupt`` (SQLite's integrity check failed), ``replaced`` (not the register
    the anchor names: emptied, or another file put in its place), ``truncated`` (records the
    anchor vouches for are gone: cut short, or restored without its ``-wal``), ``altered``
    (a record's identity or what was recorded as issued was edited, or a record before it
    deleted), ``gap`` (a sequence number of a template has no record), ``unanchored`` (no
    anchor beside the database: the register cannot prove it was not replaced). ``serial``
    names the first record concerned where there is one.
    """

    code: str
    template: str = ""
    serial: str = ""
    seq: int | None = None
    detail: str = ""
    #: ``detail`` in English, for a page or message in English (empty: ``detail`` has no Chinese)
    detail_en: str = ""

    @property
    def message(self) -> str:
        """The operator's one line (Chinese)."""
        return MESSAGES.text(f"register/{self.code}", {
            "template": self.template, "serial": self.serial, "seq": self.seq, "detail": self.detail})

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "template": self.template or None, "serial": self.serial or None,
                "seq": self.seq, "detail": self.detail or None, "message": self.message}


class Register:
    """A register database; use as a context manager (``with Register(path) as reg:``).

    Opened for writing (the default) the register must be the one its anchor names, its
    records chained and gap-free: otherwise ``RegisterDamagedError`` and no serial is
    issued. ``new_register`` starts a fresh register where the anchor says one was (the old
    anchor is kept renamed). ``readonly`` opens for ``records``/``verify``/``audit`` only and
    never writes (a read-only file or folder is fine). A register another program holds is
    waited for ``wait`` seconds (default ``$DOCGEN_REGISTER_WAIT`` or 60), calling
    ``waiter`` every few seconds (default: a line on stderr), then ``RegisterBusyError``
    naming the holder. Raises ``RegisterError`` when the database cannot be opened or is
    not a register.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None, *, readonly: bool = False,
                 new_register: bool = False, wait: float | None = None,
                 waiter: Waiter | None | bool = True) -> None:
        target = _resolve_register(path)
        #: the register as messages name it: a ``Path``, or a database URL without its password
        self.path: RegisterTarget = target
        self.readonly = readonly
        self._wait = wait_seconds() if wait is None else wait
        self._checked = False
        self._pending_anchor = False
        self._chained = False
        self._empty = False
        self.register_id = ""
        if not isinstance(target, str):
            # SQLite says only "unable to open database file" of a file or folder it may not use,
            # which would read as a damaged register: say it is a matter of permission.
            check_readable(target, RegisterDeniedError)
            if not readonly:
                check_writable(target, in_place=True, cls=RegisterDeniedError)
        try:
            self._db = open_store(target, readonly=readonly, attempt_s=_ATTEMPT_S, application=owner_id())
        except sqlite3.DatabaseError as exc:
            raise MESSAGES.error(RegisterDamagedError, "register-open-damaged", register=str(self.path),
                                 reason=reason_of(exc)) from None
        except OSError as exc:
            raise MESSAGES.error(RegisterError, "register-open-failed", register=str(self.path),
                                 reason=str(exc.strerror or exc)) from None
        if isinstance(target, str):
            self.path = self._db.where
        self._errors = self._db.errors
        self._waiter: Waiter | None = stderr_waiter(self.path) if waiter is True else (waiter or None)
        try:
            if readonly:
                columns = self._db.columns()
                self._empty = not columns  # an empty or foreign database: nothing to list
                self._chained = "link" in columns
                self.register_id = self._meta("register_id")
                return
            self._locked_call(self._db.prepare)
            with self._transaction():
                self._open_schema(new_register)
            self._chained = True
        except self._errors as exc:
            self._db.close()
            raise MESSAGES.error(RegisterDamagedError, "register-open-damaged", register=str(self.path),
                                 reason=reason_of(exc)) from None
        except OSError as exc:
            self._db.close()
            raise MESSAGES.error(RegisterError, "register-open-failed", register=str(self.path),
                                 reason=str(exc.strerror or exc)) from None
        except BaseException:
            self._db.close()
            raise

    @property
    def anchor_base(self) -> Path:
        """Where the anchor of this register is kept (``anchor_path(anchor_base)``)."""
        return self._db.anchor_base

    def _meta(self, key: str) -> str:
        try:
            row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        except self._errors:  # an empty database, or a register made before it had an id
            return ""
        return row[0] if row else ""

    def _open_schema(self, new_register: bool) -> None:
        """Create or upgrade the schema and check the database against its anchor (in a write tx)."""
        db = self._db
        fresh = not db.has_records()
        anchor = read_anchor(self.anchor_base)
        if fresh and anchor is not None and anchor.records != 0:
            if not new_register:
                raise MESSAGES.error(RegisterDamagedError, "register-emptied", register=str(self.path),
                                     records=anchor.records, last_template=anchor.last_template,
                                     last_serial=anchor.last_serial)
        if fresh and anchor is not None:
            retire_anchor(self.anchor_base, _dt.datetime.now().strftime("%Y%m%dT%H%M%S"))
            anchor = None
        for statement in _SCHEMA.split(";"):
            if statement.strip():
                db.execute(statement)
        columns = db.columns()
        for column in ("owner", "claimed", "link", "seal"):  # registers made before these existed
            if column not in columns:
                db.execute(f"ALTER TABLE records ADD COLUMN {column} TEXT")
        register_id = self._meta("register_id")
        if not register_id:
            register_id = uuid.uuid4().hex
            db.execute("INSERT INTO meta (key, value) VALUES ('register_id', ?)", (register_id,))
            self._chain_unlinked(register_id)
        self.register_id = register_id
        if anchor is None:
            self._pending_anchor = True
            return
        problem = self._anchor_problem(anchor)
        if problem is not None:
            raise unsound(self.path, problem, "anchor")
        self._pending_anchor = False

    def _chain_unlinked(self, register_id: str) -> None:
        """Link the records of a register made before records were chained (in id order)."""
        previous = register_id
        rows = self._db.execute(
            "SELECT id, template, row_key, seq, serial, created, file, sha256, completed, link FROM records "
            "ORDER BY id").fetchall()
        for rid, template, row_key, seq, serial, created, file, digest, completed, link in rows:
            if link is None:
                link = link_of(previous, template, row_key, seq, serial, created)
                seal = seal_of(link, file, digest, completed) if completed else None
                self._db.execute("UPDATE records SET link = ?, seal = ? WHERE id = ?", (link, seal, rid))
            previous = link

    def _anchor_problem(self, anchor: Anchor) -> RegisterIssue | None:
        """Whether the database is (a continuation of) the register the anchor describes."""
        if anchor.register_id != self.register_id:
            return RegisterIssue("replaced", **_detail("foreign-anchor", {}))
        if anchor.last_id == 0:
            return None
        row = self._db.execute("SELECT link FROM records WHERE id = ?", (anchor.last_id,)).fetchone()
        if row is None or row[0] != anchor.head:
            count = self._db.execute("SELECT COUNT(*) FROM records").fetchone()[0]
            last = f"{anchor.last_template} {anchor.last_serial}".strip()
            return RegisterIssue("truncated", template=anchor.last_template, serial=anchor.last_serial,
                                 **_detail("short", {"records": anchor.records, "last": last, "count": count}))
        return None

    def _write_anchor(self) -> None:
        row = self._db.execute(
            "SELECT id, link, template, serial FROM records ORDER BY id DESC LIMIT 1").fetchone()
        count = self._db.execute("SELECT COUNT(*) FROM records").fetchone()[0]
        if row is None:
            anchor = Anchor(self.register_id, 0, self.register_id, 0)
        else:
            anchor = Anchor(self.register_id, row[0], row[1], count, row[2], row[3])
        self.anchor_base.parent.mkdir(parents=True, exist_ok=True)
        write_anchor(self.anchor_base, anchor)
        self._pending_anchor = False

    # -- plumbing ---------------------------------------------------------------------------

    def _locked_call(self, attempt: Callable[[], Any]) -> Any:
        """Run ``attempt``, waiting (and saying so) while another program holds the register."""
        ok, result, holder = retry_while_locked(attempt, self._db.is_locked, self._db.holders, self._wait,
                                                self._waiter)
        if not ok:
            raise MESSAGES.error(RegisterBusyError, "register-busy", register=str(self.path), holder=holder or None,
                                 seconds=self._wait)
        return result

    class _Tx:
        def __init__(self, register: Register) -> None:
            self.register = register
            self.db = register._db

        def __enter__(self) -> Any:
            self.register._locked_call(self.db.begin)
            return self.db

        def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
            if exc_type is None:
                self.db.commit()
            else:
                with contextlib.suppress(*self.register._errors):
                    self.db.rollback()

    def _transaction(self) -> Register._Tx:
        if self.readonly:
            raise MESSAGES.error(RegisterError, "register-readonly", register=str(self.path))
        return Register._Tx(self)

    def close(self) -> None:
        """Close the database connection (writing the anchor of a register that had none)."""
        try:
            if not self.readonly and getattr(self, "_pending_anchor", False):
                with contextlib.suppress(*self._errors, OSError, DocgenError):
                    self._write_anchor()
        finally:
            self._db.close()

    def __enter__(self) -> Register:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    @staticmethod
    def _record(row: Sequence[Any]) -> Record:
        return Record(*row)

    def holder(self, template: str, serial: str) -> str | None:
        """Return the row key ``template``'s ``serial`` was issued (or reserved) for, or None."""
        if self._empty:
            return None
        try:
            return self._serial_holders(template, [serial]).get(serial)
        except self._errors as exc:
            raise self._db_error(exc) from None

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
        self, template: str, items: Iterable[tuple[str, Callable[[int], str]]], *, owner: str | None = None,
        sink: Callable[[Reservation], None] | None = None,
    ) -> list[Reservation]:
        """``reserve`` for many rows in ONE write transaction (what a batch uses).

        Returns the reservations in the order of ``items``; with ``sink`` each is handed to it
        instead, in that order, and the list returned is empty (a batch of any size then holds
        none of them: ``items`` is read as it goes). Sequence numbers are allocated
        in that order, contiguously, and never reused. With ``owner`` (``owner_id()``) the
        rows not yet written are claimed for this process: a row claimed by another batch
        that is still running comes back ``busy`` (it must not be written twice); a claim
        whose process is gone is taken over. Raises ``RegisterError`` on a serial clash (a
        serial pattern that does not include the sequence number).
        """
        out: list[Reservation] = []
        give = sink if sink is not None else out.append
        now = _now()
        try:
            self._ensure_sound()
            with self._transaction() as db:
                row = db.execute("SELECT last_seq FROM sequences WHERE template = ?", (template,)).fetchone()
                last = row[0] if row else 0
                # numbers above the last issued are those serials given in documents' data hold: skipped
                taken = {seq for (seq,) in db.execute("SELECT seq FROM records WHERE template = ? AND seq > ?",
                                                      (template, last))}
                last_id, previous = self._tail(db)
                added = False
                ours: set[str] = set()  # row keys reserved by this call (a key given twice finds the first)
                iterator = iter(items)
                while chunk := list(islice(iterator, _CHUNK)):
                    # The rows' records and the new serials' holders are looked up a chunk at a time
                    # (two statements a chunk instead of two a row); then each row is taken in order
                    # as one at a time would: the same serials, links, claims and errors.
                    known = self._find_many(template, [key for key, _ in chunk if key not in ours])
                    plans = _plan_serials(chunk, known.keys() | ours, last, taken)
                    holders = self._serial_holders(template, [plan[2] for plan in plans if plan[0] == "new"])
                    for (row_key, _), plan in zip(chunk, plans):
                        if plan[0] == "failed":
                            raise plan[1]
                        if plan[0] == "old":
                            existing = known.get(row_key) or self._find(template, row_key)
                            assert existing is not None  # reserved before, or earlier in this call
                            if owner is not None and not existing.is_complete:
                                held = db.execute(
                                    "SELECT owner, claimed FROM records WHERE template = ? AND row_key = ?",
                                    (template, row_key),
                                ).fetchone()
                                if held[0] != owner and _claim_alive(held[0], held[1]):
                                    give(Reservation(existing, False, busy=True))
                                    continue
                                db.execute("UPDATE records SET owner = ?, claimed = ? WHERE template = ? AND row_key = ?",
                                           (owner, now, template, row_key))
                            give(Reservation(existing, False))
                            continue
                        _, last, serial = plan
                        clash = holders.get(serial)
                        if clash is not None:
                            raise MESSAGES.error(RegisterError, "register-serial-clash", register=str(self.path),
                                                 template=template, serial=serial, row_key=clash)
                        holders[serial] = row_key
                        record = Record(serial, template, row_key, None, None, now, last)
                        last_id += 1
                        previous = _insert(db, last_id, previous, record, owner)
                        ours.add(row_key)
                        added = True
                        give(Reservation(record, True))
                db.execute(
                    "INSERT INTO sequences (template, last_seq) VALUES (?, ?) "
                    "ON CONFLICT (template) DO UPDATE SET last_seq = excluded.last_seq",
                    (template, last),
                )
            if added or self._pending_anchor:
                self._write_anchor()
        except self._errors as exc:
            raise self._db_error(exc) from None
        return out

    def reserve_given(self, template: str, row_key: str, serial: str, number: int | None) -> Record:
        """Record ``serial``, given in a document's data instead of issued here, for (``template``,
        ``row_key``); return the record that holds the row key or the serial now.

        In one write transaction: the row key's record when it has one (unchanged: its serial
        may be another, which the caller refuses), else the record of another row key holding
        ``serial`` (unchanged: the caller refuses), else a new reservation of ``serial``. It
        takes sequence number ``number`` (the serial's number in the template's pattern) when
        no record has it, so the register's own numbering skips it; otherwise (a number already
        issued, or ``None``: a serial outside the pattern) a negative one, outside the numbering.
        Call ``complete`` once the file is written. Raises ``RegisterError`` as ``reserve`` does.
        """
        try:
            self._ensure_sound()
            with self._transaction() as db:
                record = self._find(template, row_key)
                holder = None if record is not None else self._serial_holders(template, [serial]).get(serial)
                if holder is not None:
                    record = self._find(template, holder)
                if record is not None:
                    return record
                free = number is not None and number > 0 and db.execute(
                    "SELECT 1 FROM records WHERE template = ? AND seq = ?", (template, number)).fetchone() is None
                if free:
                    seq = number
                else:
                    lowest = db.execute("SELECT MIN(seq) FROM records WHERE template = ?", (template,)).fetchone()[0]
                    seq = min(lowest or 0, 0) - 1
                last_id, previous = self._tail(db)
                record = Record(serial, template, row_key, None, None, _now(), seq)
                _insert(db, last_id + 1, previous, record, None)
                # a template numbered only by given serials still has a sequence (the gap check counts to it)
                db.execute("INSERT INTO sequences (template, last_seq) VALUES (?, 0) ON CONFLICT (template) DO NOTHING",
                           (template,))
            self._write_anchor()
        except self._errors as exc:
            raise self._db_error(exc) from None
        return record

    def _tail(self, db: Any) -> tuple[int, str]:
        """The id and link of the register's last record (0 and the register's id when empty)."""
        tail = db.execute("SELECT id, link FROM records ORDER BY id DESC LIMIT 1").fetchone()
        return (tail[0], tail[1]) if tail else (0, self.register_id)

    def _find_many(self, template: str, row_keys: list[str]) -> dict[str, Record]:
        """The records of ``row_keys`` that exist (row key -> record), in one statement."""
        if not row_keys:
            return {}
        marks = ", ".join("?" * len(row_keys))
        rows = self._db.execute(f"SELECT {_COLUMNS} FROM records WHERE template = ? AND row_key IN ({marks})",
                                (template, *row_keys)).fetchall()
        return {record.row_key: record for record in map(self._record, rows)}

    def _serial_holders(self, template: str, serials: list[str]) -> dict[str, str]:
        """The row keys holding any of ``serials`` already (serial -> row key), in one statement."""
        if not serials:
            return {}
        marks = ", ".join("?" * len(serials))
        return dict(self._db.execute(f"SELECT serial, row_key FROM records WHERE template = ? AND serial IN ({marks})",
                                     (template, *serials)).fetchall())

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
        folders: dict[str, str] = {}  # a folder resolved once, not once per file of a batch
        try:
            with self._transaction() as db:
                iterator = iter(items)
                while chunk := list(islice(iterator, _CHUNK)):
                    self._complete_chunk(db, template, chunk, now, folders)
        except self._errors as exc:
            raise self._db_error(exc) from None

    def _complete_chunk(self, db: Any, template: str, chunk: list[tuple[str, str | os.PathLike[str], str]],
                        now: str, folders: dict[str, str]) -> None:
        """``complete_many``'s work for one chunk: the records' links read in one statement."""
        marks = ", ".join("?" * len(chunk))
        links = dict(db.execute(f"SELECT row_key, link FROM records WHERE template = ? AND row_key IN ({marks})",
                                (template, *(key for key, _, _ in chunk))).fetchall())
        for row_key, file, digest in chunk:
            if row_key not in links:
                raise MESSAGES.error(RegisterError, "register-not-reserved", register=str(self.path),
                                     template=template, row_key=row_key)
            folder, name = os.path.split(os.fspath(file))
            if folder not in folders:
                folders[folder] = str(Path(folder or ".").resolve())
            where = os.path.join(folders[folder], name)
            db.execute(
                "UPDATE records SET file = ?, sha256 = ?, completed = ?, owner = NULL, claimed = NULL, "
                "seal = ? WHERE template = ? AND row_key = ?",
                (where, digest, now, seal_of(links[row_key] or "", where, digest, now), template, row_key),
            )

    def _db_error(self, exc: BaseException) -> RegisterError:
        if self._db.is_locked(exc):
            return MESSAGES.error(RegisterBusyError, "register-db-locked", register=str(self.path), reason=reason_of(exc))
        if not self._db.is_damaged(exc):
            return MESSAGES.error(RegisterError, "register-write-failed", register=str(self.path), reason=reason_of(exc))
        return MESSAGES.error(RegisterDamagedError, "register-db-damaged", register=str(self.path), reason=reason_of(exc))

    def _ensure_sound(self) -> None:
        """Before the first serial this connection issues: refuse a register that fails its audit."""
        if self._checked:
            return
        issues = [i for i in self.audit(integrity=False) if i.code != "unanchored"]
        if issues:
            raise unsound(self.path, issues[0], "issue")
        self._checked = True

    # -- evidence -----------------------------------------------------------------------------

    def audit(self, *, integrity: bool = True) -> list[RegisterIssue]:
        """Check the register itself; return what is wrong, in the order found (empty: sound).

        With ``integrity``: the database's own page check first (SQLite's ``PRAGMA
        integrity_check``, PostgreSQL's ``amcheck``) (a corrupt database
        stops the audit there). Then the anchor (is this the register it names, with every
        record it vouches for?), the hash chain in record order (the first record whose link
        or seal does not match is named), and each template's sequence numbers (every one
        from 1 to the last issued has its record). Never raises for a damaged database: that
        is reported as ``corrupt``.
        """
        try:
            if integrity:
                rows = self._db.integrity()
                if rows:
                    return [RegisterIssue("corrupt", **_detail("integrity", {"first": rows[0], "count": len(rows)}))]
            issues: list[RegisterIssue] = []
            anchor = read_anchor(self.anchor_base)
            if anchor is None:
                issues.append(RegisterIssue("unanchored"))
            else:
                problem = self._anchor_problem(anchor)
                if problem is not None:
                    issues.append(problem)
            if self._empty:
                return issues
            if self._chained:
                issues.extend(self._chain_issues())
            issues.extend(self._gap_issues())
            return issues
        except self._errors as exc:
            return [RegisterIssue("corrupt", detail=str(exc))]

    def _chain_issues(self) -> list[RegisterIssue]:
        previous = self.register_id
        for template, row_key, seq, serial, created, file, digest, completed, link, seal in self._db.execute(
                "SELECT template, row_key, seq, serial, created, file, sha256, completed, link, seal "
                "FROM records ORDER BY id"):
            expected = link_of(previous, template, row_key, seq, serial, created)
            sealed = completed is None or seal == seal_of(expected, file, digest, completed)
            if link != expected or not sealed:
                return [RegisterIssue("altered", template=template, serial=serial, seq=seq)]
            previous = link
        return []

    def _gap_issues(self) -> list[RegisterIssue]:
        issues: list[RegisterIssue] = []
        lasts = dict(self._db.execute("SELECT template, last_seq FROM sequences").fetchall())
        seqs: dict[str, list[int]] = {}
        for template, seq in self._db.execute("SELECT template, seq FROM records ORDER BY template, seq"):
            seqs.setdefault(template, []).append(seq)
        for template in sorted(set(lasts) | set(seqs)):
            have = seqs.get(template, [])
            # Numbers above the last issued are serials given in documents' data, ahead of the
            # numbering (which skips them), not gaps; negative ones are outside it.
            top = lasts[template] if template in lasts else max(have)
            present = set(have)
            missing = next((n for n in range(1, top + 1) if n not in present), None)
            if missing is not None:
                issues.append(RegisterIssue("gap", template=template, seq=missing))
        return issues

    # -- queries ----------------------------------------------------------------------------

    def recorded_files(self, folder: str | os.PathLike[str]) -> dict[str, tuple[str, str]]:
        """Return the files recorded in ``folder`` (not below it): path -> (template, row key)."""
        prefix = str(Path(folder).resolve()) + os.sep
        try:
            rows = self._db.execute(
                "SELECT file, template, row_key FROM records WHERE substr(file, 1, ?) = ?", (len(prefix), prefix)
            ).fetchall()
        except self._errors as exc:
            raise self._db_error(exc) from None
        return {file: (template, key) for file, template, key in rows if os.sep not in file[len(prefix):]}

    def lookup(self, template: str, row_key: str) -> Record | None:
        """Return the record of (``template``, ``row_key``) or None."""
        return self._find(template, row_key)

    def records(self, template: str | None = None) -> list[Record]:
        """Return all records (of one ``template`` if given), by template then sequence.

        Raises ``RegisterDamagedError`` when the database cannot be read."""
        if self._empty:
            return []
        try:
            if template is None:
                rows = self._db.execute(f"SELECT {_COLUMNS} FROM records ORDER BY template, seq").fetchall()
            else:
                rows = self._db.execute(
                    f"SELECT {_COLUMNS} FROM records WHERE template = ? ORDER BY seq", (template,)
                ).fetchall()
        except self._errors as exc:
            raise self._db_error(exc) from None
        return [self._record(r) for r in rows]

    def verify(self, template: str | None = None) -> list[tuple[Record, str]]:
        """Re-hash every recorded file; return the records that fail, each with a status.

        Statuses: ``'missing'`` (the file is gone), ``'unreadable'`` (it is there but this user
        may not read it, so it cannot be vouched for), ``'changed'`` (its SHA-256 differs from
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
            except OSError as exc:  # there but not this user's to read, or gone (not the file issued)
                failures.append((record, "unreadable" if is_denied(exc) else "missing"))
                continue
            if digest != record.sha256:
                failures.append((record, "changed"))
        return failures


def _insert(db: Any, record_id: int, previous: str, record: Record, owner: str | None) -> str:
    """Store the reservation ``record`` as record ``record_id``, chained after the link
    ``previous``; return its link. Ids are given here, not by the database: the chain's order
    is the write lock's."""
    link = link_of(previous, record.template, record.row_key, record.seq, record.serial, record.created)
    db.execute(
        "INSERT INTO records (id, template, row_key, seq, serial, created, owner, claimed, link) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (record_id, record.template, record.row_key, record.seq, record.serial, record.created, owner,
         record.created if owner else None, link),
    )
    return link


def unsound(register: RegisterTarget, issue: RegisterIssue, then: str) -> RegisterDamagedError:
    """Return the error refusing ``register`` for ``issue`` its audit found; ``then`` (``anchor``,
    ``issue``, ``migrate-source``, ``migrate-copy``) says what is not done with it."""
    return MESSAGES.error(RegisterDamagedError, f"register-unsound/{then}", register=str(register), issue=issue.code,
                          template=issue.template, serial=issue.serial, seq=issue.seq, detail=issue.detail,
                          detail_en=issue.detail_en or issue.detail)


def missing_register_issues(path: str | os.PathLike[str]) -> list[RegisterIssue]:
    """What is wrong when there is no database at ``path``: nothing, unless its anchor says a
    register with records was there (then ``replaced``)."""
    if is_database_url(path) or register_exists(path):
        return []
    anchor = read_anchor(Path(path))
    if anchor is None or anchor.records == 0:
        return []
    return [RegisterIssue("replaced", **_detail("no-database", {"records": anchor.records}))]


def _row_key(template: Any, context: dict[str, Any]) -> str:
    """The register's row key of a document rendered on its own: its ``key_field`` value.
    Raises ``RegisterError`` when the context has none."""
    key = str(context.get(template.key_field) or "").strip()
    if not key:
        raise MESSAGES.error(RegisterError, "register-no-key", template=template.name, key_field=template.key_field)
    return key


def allocate_serial(template: Any, context: dict[str, Any], register_path: str | os.PathLike[str] | None = None) -> str:
    """Return the serial for one document rendered on its own (``docgen render``).

    The row key is the template's ``key_field`` value in ``context``; a key already in the
    register gets its existing serial back. Raises ``RegisterError`` when the context has
    no key value or the register cannot be written. Call ``Register.complete`` after
    writing the file so ``register verify`` can check it.
    """
    key = _row_key(template, context)
    with Register(register_path) as register:
        return register.reserve(template.name, key, lambda seq: template.format_serial(seq, context)).serial


def reserve_given_serial(template: Any, context: dict[str, Any],
                         register_path: str | os.PathLike[str] | None = None) -> None:
    """Reserve in the register the serial ``context`` brings (data's ``serial:``) for the
    document of the template's ``key_field`` value, as ``allocate_serial`` reserves one it
    issues: the register's own numbering then skips it (``Register.reserve_given``). The same
    document given its serial again is allowed. Call ``record_issued`` after writing the file.

    Raises ``SerialConflictError`` (a ``RenderError``; nothing reserved) when the register issued
    (or recorded) the serial for another document of the template (two letters would carry one
    number) or gave this document another serial (one letter would carry two); ``RegisterError`` when the context has no
    key value or the register cannot be written.
    """
    key = _row_key(template, context)
    serial = str(context["serial"])
    with Register(register_path) as register:
        record = register.reserve_given(template.name, key, serial, template.serial_number(serial, context))
        where = str(register.path)
    if record.row_key != key:
        problem = MESSAGES.problem("serial-taken", "serial", serial=serial, holder=record.row_key, register=where,
                                   key_field=template.key_field)
    elif record.serial != serial:
        problem = MESSAGES.problem("serial-differs", "serial", serial=serial, issued=record.serial, register=where,
                                   key=key, key_field=template.key_field)
    else:
        return
    raise MESSAGES.error(SerialConflictError, "data-rejected/error", [problem], template=template.name, row=None,
                         count=1)


def record_issued(template: Any, context: dict[str, Any], path: str | os.PathLike[str],
                  register_path: str | os.PathLike[str] | None = None) -> Record:
    """Record a document written on its own (after ``allocate_serial`` or ``reserve_given_serial``
    and the write).

    Stores ``path`` and its SHA-256 for the template's ``key_field`` value, so
    ``register verify`` checks it instead of reporting the serial as incomplete. Returns
    the record; raises ``RegisterError`` when the key has no reservation.
    """
    key = _row_key(template, context)
    with Register(register_path) as register:
        register.complete(template.name, key, path, sha256_file(path))
        record = register.lookup(template.name, key)
    assert record is not None
    return record
