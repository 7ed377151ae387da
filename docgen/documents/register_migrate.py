"""Moving a register to another database (a SQLite file to a shared PostgreSQL one) with proof.

The copy is the same register, not a new one: its id, every record's id, link and seal and
every template's last sequence number are carried over, so the hash chain continues and
``register verify`` on the copy checks what was issued before the move. After copying, the
target is re-read on a fresh connection, audited like any register (chain, gaps, integrity)
and compared row for row with the source; any difference is an error.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docgen.core.errors import RegisterDamagedError, RegisterError
from docgen.core.userdirs import RegisterTarget, is_database_url
from docgen.documents.messages import MESSAGES
from docgen.documents.register import Register, unsound
from docgen.documents.register_path import register_exists

__all__ = ["Migration", "migrate_register"]

_COPIED = "id, template, row_key, seq, serial, file, sha256, created, completed, owner, claimed, link, seal"


@dataclass(frozen=True)
class Migration:
    """What ``migrate_register`` moved: the register's id, records and templates copied, where to."""

    register_id: str
    records: int
    templates: int
    source: str
    target: str

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form ``{register_id, records, templates, source, target, verified}``."""
        return {"register_id": self.register_id, "records": self.records, "templates": self.templates,
                "source": self.source, "target": self.target, "verified": True}

    def to_text(self) -> str:
        """Return the operator's line: what moved where, and to stop using the old register."""
        return MESSAGES.text("register-migrate/done", {"source": self.source, "target": self.target,
                                                        "records": self.records, "templates": self.templates}) + "\n"


def _contents(register: Register) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    db = register._db
    meta = [tuple(r) for r in db.execute("SELECT key, value FROM meta ORDER BY key").fetchall()]
    sequences = [tuple(r) for r in db.execute("SELECT template, last_seq FROM sequences ORDER BY template").fetchall()]
    records = [tuple(r) for r in db.execute(f"SELECT {_COPIED} FROM records ORDER BY id").fetchall()]
    return meta, sequences, records


def _sound(register: Register, what: str) -> None:
    issues = [i for i in register.audit() if i.code != "unanchored"]
    if issues:
        raise unsound(register.path, issues[0], what)


def migrate_register(source: str | os.PathLike[str], target: RegisterTarget) -> Migration:
    """Copy the register at ``source`` into the empty register at ``target``; verify the copy.

    ``source`` must pass its audit (a damaged register is not moved); ``target`` (usually a
    ``postgresql://`` URL) is created if needed and must hold no records. Returns what was
    moved. Raises ``RegisterError`` (no source, target not empty, copy differs) and
    ``RegisterDamagedError`` (source or copy fails its audit). The source is only read.
    """
    if not register_exists(source):
        raise MESSAGES.error(RegisterError, "register-migrate/no-source", source=str(source))
    if not is_database_url(target) and Path(source).resolve() == Path(target).resolve():
        raise MESSAGES.error(RegisterError, "register-migrate/same", target=str(target))
    with Register(source, readonly=True) as old:
        _sound(old, "migrate-source")
        meta, sequences, records = _contents(old)
        register_id, where = old.register_id, str(old.path)
    placeholders = ", ".join("?" for _ in _COPIED.split(","))
    with Register(target) as new:
        with new._transaction() as db:
            count = db.execute("SELECT COUNT(*) FROM records").fetchone()[0]
            if count:
                raise MESSAGES.error(RegisterError, "register-migrate/not-empty", target=str(new.path), count=count)
            db.execute("DELETE FROM meta")
            db.execute("DELETE FROM sequences")
            for row in meta:
                db.execute("INSERT INTO meta (key, value) VALUES (?, ?)", row)
            for row in sequences:
                db.execute("INSERT INTO sequences (template, last_seq) VALUES (?, ?)", row)
            for row in records:
                db.execute(f"INSERT INTO records ({_COPIED}) VALUES ({placeholders})", row)
        new.register_id = register_id
        new._write_anchor()
        target_where = str(new.path)
    with Register(target, readonly=True) as copy:
        _sound(copy, "migrate-copy")
        if _contents(copy) != (meta, sequences, records):
            raise MESSAGES.error(RegisterError, "register-migrate/differs", target=str(copy.path), source=where)
    return Migration(register_id, len(records), len(sequences), where, target_where)
