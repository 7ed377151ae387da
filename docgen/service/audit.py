"""The audit log: who checked, drafted, generated, verified or downloaded what, and when.

Each entry keeps the SHA-256 of the input (the uploaded file or the JSON body) and the
serial numbers issued, so a letter can be traced to the request that made it.
"""
from __future__ import annotations

import datetime as _dt
import json
import sqlite3
from pathlib import Path
from typing import Any

from docgen.service.store import connect


def now_iso() -> str:
    """Return the local time as ISO 8601 with offset, to the second."""
    return _dt.datetime.now().astimezone().isoformat(timespec="seconds")


def record(db_path: Path, user: str, role: str | None, action: str, *, target: str | None = None,
           sha256: str | None = None, serials: list[str] | None = None, detail: dict[str, Any] | None = None) -> int:
    """Append one entry to the audit log; return its id."""
    with connect(db_path) as db:
        return insert(db, user, role, action, target=target, sha256=sha256, serials=serials, detail=detail)


def insert(db: sqlite3.Connection, user: str, role: str | None, action: str, *, target: str | None = None,
           sha256: str | None = None, serials: list[str] | None = None, detail: dict[str, Any] | None = None) -> int:
    """Append one entry to the audit log in the transaction of ``db`` (it is made with what else
    that transaction writes, or not at all); return its id."""
    return db.execute(
        "INSERT INTO audit (at, user, role, action, target, sha256, serials, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (now_iso(), user, role, action, target, sha256, json.dumps(serials or [], ensure_ascii=False),
         json.dumps(detail or {}, ensure_ascii=False)),
    ).lastrowid or 0


def entries(db_path: Path, *, user: str | None = None, action: str | None = None, limit: int = 500) -> list[dict[str, Any]]:
    """Return the newest entries first (optionally of one user or action), at most ``limit``."""
    sql = "SELECT id, at, user, role, action, target, sha256, serials, detail FROM audit"
    where, args = [], []
    if user:
        where.append("user = ?")
        args.append(user)
    if action:
        where.append("action = ?")
        args.append(action)
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY id DESC LIMIT ?"
    args.append(limit)
    with connect(db_path) as db:
        rows = db.execute(sql, args).fetchall()
    return [{"id": r["id"], "at": r["at"], "user": r["user"], "role": r["role"], "action": r["action"],
             "target": r["target"], "sha256": r["sha256"], "serials": json.loads(r["serials"] or "[]"),
             "detail": json.loads(r["detail"] or "{}")} for r in rows]
