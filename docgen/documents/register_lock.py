"""Waiting for a register another process is writing: who holds it, and saying so while waiting.

SQLite only says "database is locked"; the operator needs to know which program to wait
for (or stop). On Linux the processes that have the database (or its ``-wal``/``-shm``)
open are found in ``/proc``; elsewhere the message says only that another program has it.
"""
from __future__ import annotations

import os
import sqlite3
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

__all__ = ["Waiter", "holders", "retry_while_locked", "sqlite_locked", "stderr_waiter", "wait_seconds"]

T = TypeVar("T")

#: ``waiter(elapsed_seconds, limit_seconds, holders_text)``: called every few seconds while waiting.
Waiter = Callable[[float, float, str], None]

#: SQLite result codes meaning another connection holds the database (SQLITE_BUSY, SQLITE_LOCKED).
_BUSY_CODES = (5, 6)
_DEFAULT_WAIT_S = 60.0
_REPORT_EVERY_S = 5.0


def wait_seconds() -> float:
    """How long to wait for a locked register: ``$DOCGEN_REGISTER_WAIT`` seconds, default 60."""
    try:
        return max(0.0, float(os.environ.get("DOCGEN_REGISTER_WAIT", _DEFAULT_WAIT_S)))
    except ValueError:
        return _DEFAULT_WAIT_S


def sqlite_locked(exc: BaseException) -> bool:
    """Return whether ``exc`` is SQLite saying another connection holds the database (busy or
    locked: waiting may help), not any other error of it."""
    if not isinstance(exc, sqlite3.OperationalError):
        return False
    code = getattr(exc, "sqlite_errorcode", None)  # Python 3.11+: SQLite's own result code
    if code is not None:
        return code & 0xFF in _BUSY_CODES  # the primary code: SQLITE_BUSY_SNAPSHOT is still busy
    return "locked" in str(exc) or "busy" in str(exc)  # Python 3.10 gives only SQLite's sentence


def holders(path: Path) -> str:
    """Return the other processes that have the register open, as ``pid 123(docgen batch …)``.

    Empty when none can be seen (not Linux, or another user's process).
    """
    proc = Path("/proc")
    if not proc.is_dir():
        return ""
    try:
        target = str(path.resolve())
    except OSError:
        return ""
    names = {target, target + "-wal", target + "-shm", target + "-journal"}
    found: list[str] = []
    me = os.getpid()
    for entry in proc.iterdir():
        if not entry.name.isdigit() or int(entry.name) == me:
            continue
        try:
            fds = list((entry / "fd").iterdir())
        except OSError:
            continue
        for fd in fds:
            try:
                if os.readlink(fd) in names:
                    break
            except OSError:
                continue
        else:
            continue
        try:
            cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace").strip()
        except OSError:
            cmd = ""
        found.append(f"pid {entry.name}({cmd[:80]})" if cmd else f"pid {entry.name}")
    return "、".join(found[:5])


def stderr_waiter(path: Path | str) -> Waiter:
    """Return a waiter that prints one line to stderr every few seconds while waiting."""

    def report(elapsed: float, limit: float, who: str) -> None:
        from docgen.documents.messages import MESSAGES  # the table imports nothing of the register

        print(MESSAGES.text("register-waiting", {"register": path, "holder": who or None, "elapsed": elapsed,
                                                 "limit": limit}), file=sys.stderr, flush=True)

    return report


def retry_while_locked(attempt: Callable[[], T], is_locked: Callable[[Exception], bool], who: Callable[[], str],
                       limit: float, waiter: Waiter | None) -> tuple[bool, T | None, str]:
    """Call ``attempt`` until it does not fail with a lock error or ``limit`` seconds pass.

    ``who()`` names the holders of the lock (``holders(path)`` for a SQLite file). Returns
    ``(True, result, "")`` on success and ``(False, None, holders)`` when the time ran out.
    Other exceptions propagate.
    """
    start = time.monotonic()
    next_report = _REPORT_EVERY_S if limit > _REPORT_EVERY_S else limit / 2
    while True:
        try:
            return True, attempt(), ""
        except Exception as exc:  # noqa: BLE001 - filtered by is_locked
            if not is_locked(exc):
                raise
        elapsed = time.monotonic() - start
        if elapsed >= limit:
            return False, None, who()
        if waiter is not None and elapsed >= next_report:
            waiter(elapsed, limit, who())
            next_report += _REPORT_EVERY_S
        time.sleep(min(0.2, max(0.0, limit - elapsed)))
