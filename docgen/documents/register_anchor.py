"""What makes the register evidence: the hash chain over its records and the anchor beside it.

Chain: every record carries ``link`` = SHA-256 of the previous record's link (the register's
id for the first) and of its own identity (template, row key, sequence number, serial,
allocation time), so editing a record or deleting one breaks the link of the next. A
completed record also carries ``seal`` = SHA-256 of its link and of the file, digest and
time recorded for it, so editing what was issued breaks the seal.

Anchor: ``register.sqlite.anchor``, a small JSON file beside the database holding the
register's id and the id, serial and link of its last record. The database alone cannot
tell an emptied, truncated or rolled-back file (a copy restored without its ``-wal``) from
a new one; with the anchor it can: the anchored record must still be there with the same
link. The anchor is only ever moved forward (under a file lock), so it may lag the
database by one interrupted write but never claims a record that was not committed.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docgen.core.atomic import output_error, write_text_atomic

__all__ = ["Anchor", "anchor_path", "link_of", "read_anchor", "retire_anchor", "seal_of", "write_anchor"]

_ANCHOR_VERSION = 1


def link_of(previous: str, template: str, row_key: str, seq: int, serial: str, created: str) -> str:
    """Return the chain link of one record given the previous record's link."""
    text = "\x1f".join((previous, template, row_key, str(seq), serial, created))
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def seal_of(link: str, file: str | None, sha256: str | None, completed: str | None) -> str:
    """Return the seal of a completed record (its link plus what was recorded as issued)."""
    text = "\x1f".join((link, file or "", sha256 or "", completed or ""))
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class Anchor:
    """The register as last seen from outside: its id and its last record (``last_id`` 0: none)."""

    register_id: str
    last_id: int
    head: str
    records: int
    last_template: str = ""
    last_serial: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"version": _ANCHOR_VERSION, "register_id": self.register_id, "last_id": self.last_id,
                "head": self.head, "records": self.records, "last_template": self.last_template,
                "last_serial": self.last_serial}


def anchor_path(register: Path) -> Path:
    """Return where the anchor of the register database ``register`` lives."""
    return register.with_name(register.name + ".anchor")


def read_anchor(register: Path) -> Anchor | None:
    """Return the anchor of ``register``, or None when there is none.

    An anchor that cannot be parsed is returned as one with an empty id (it then matches
    no register, which is what a damaged anchor should do: stop and ask).
    """
    path = anchor_path(register)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError:
        return Anchor("", -1, "", -1)
    try:
        data = json.loads(text)
        return Anchor(str(data["register_id"]), int(data["last_id"]), str(data["head"]), int(data["records"]),
                      str(data.get("last_template", "")), str(data.get("last_serial", "")))
    except (ValueError, KeyError, TypeError):
        return Anchor("", -1, "", -1)


@contextlib.contextmanager
def _locked(register: Path) -> Iterator[None]:
    """Hold an exclusive lock on the anchor's lock file (POSIX); elsewhere a no-op. Raises
    ``OutputError`` naming the lock file when it cannot be opened, as ``write_anchor`` says."""
    try:
        import fcntl
    except ImportError:  # Windows: writers are serialised by the database lock most of the time
        yield
        return
    lock = anchor_path(register).with_suffix(".anchor-lock")
    try:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:  # a bare OSError would be worded by a caller as its own file's (render's -o)
        raise output_error(lock, exc) from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def write_anchor(register: Path, anchor: Anchor) -> None:
    """Move the anchor of ``register`` forward to ``anchor``.

    Never backwards: a concurrent writer that committed later (a larger ``last_id``) keeps
    its anchor. Raises ``OutputError`` when the file cannot be written.
    """
    with _locked(register):
        current = read_anchor(register)
        if (current is not None and current.register_id == anchor.register_id
                and current.last_id > anchor.last_id):
            return
        write_text_atomic(anchor_path(register), json.dumps(anchor.to_dict(), ensure_ascii=False, indent=1) + "\n")


def retire_anchor(register: Path, stamp: str) -> Path | None:
    """Rename the anchor of a register being replaced (``--new-register``); return its new path."""
    path = anchor_path(register)
    if not path.exists():
        return None
    target = path.with_name(f"{path.name}.replaced-{stamp}")
    os.replace(path, target)
    return target
