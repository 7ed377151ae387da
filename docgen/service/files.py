"""Uploaded files and results: random names, size and count limits, retention.

Nothing a user sends names a path: an upload is stored as ``uploads/<random>.<ext>`` where
the extension comes from a fixed list, and a result as ``files/<random>/<name>`` where the
name is one the service chose (a job's as ``files/<random>/<run>/…``, each run of it in a folder of
its own: ``jobs.run_folder``). The original upload name is kept only as text to show.
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import json
import mimetypes
import os
import secrets
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docgen.core.tabular import TABLE_SUFFIXES
from docgen.service.audit import now_iso
from docgen.service.store import connect

#: Extensions an upload may keep (lower case); anything else is stored without one. A table keeps
#: its own, which the reader checks its content against.
ALLOWED_SUFFIXES = (".zip", *TABLE_SUFFIXES, ".yaml", ".yml", ".json")
_CHUNK = 1 << 20


class UploadTooLarge(Exception):
    """An upload exceeded the size limit while being stored (nothing is kept)."""


@dataclass
class Stored:
    """An upload on disk: where, what the user called it (for display only), size and SHA-256."""

    path: Path
    display_name: str
    size: int
    sha256: str


def display_name(filename: str | None, fallback: str) -> str:
    """Return the last component of a client-supplied name, for display only (never a path)."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    name = "".join(ch for ch in name if ch.isprintable())
    if len(name) > 120:  # shortened before its extension, which says how the file is read
        suffix = Path(name).suffix[:16]
        name = name[:120 - len(suffix)] + suffix
    return name or fallback


def store_upload(stream: Any, filename: str | None, uploads_dir: Path, limit: int) -> Stored:
    """Copy a file-like ``stream`` to a random name under ``uploads_dir``, hashing it on the way.

    Raises ``UploadTooLarge`` (and keeps nothing) when it exceeds ``limit`` bytes.
    """
    suffix = Path(display_name(filename, "")).suffix.lower()
    suffix = suffix if suffix in ALLOWED_SUFFIXES else ""
    path = uploads_dir / f"{secrets.token_hex(16)}{suffix}"
    digest = hashlib.sha256()
    size = 0
    try:
        with open(path, "xb") as out:
            while True:
                block = stream.read(_CHUNK)
                if not block:
                    break
                size += len(block)
                if size > limit:
                    raise UploadTooLarge(limit)
                digest.update(block)
                out.write(block)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return Stored(path, display_name(filename, path.name), size, digest.hexdigest())


def new_result_dir(files_dir: Path) -> Path:
    """Create and return a fresh random folder for one request's or job's results."""
    folder = files_dir / secrets.token_hex(16)
    folder.mkdir(parents=True)
    return folder


def media_type(name: str) -> str:
    """Return the media type to send ``name`` with."""
    known = {".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
             ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             ".md": "text/markdown; charset=utf-8", ".json": "application/json", ".csv": "text/csv; charset=utf-8"}
    suffix = Path(name).suffix.lower()
    return known.get(suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"


def register_file(db_path: Path, owner: str, path: Path, name: str | None = None) -> str:
    """Record a result file of a request for download; return its id (used in ``/api/files/{id}``).
    A job's result files are recorded in its run (``jobs.JobStore.add_file``)."""
    file_id = secrets.token_urlsafe(18)
    name = name or path.name
    with connect(db_path) as db:
        db.execute("INSERT INTO files (id, owner, name, path, media_type, created) VALUES (?, ?, ?, ?, ?, ?)",
                   (file_id, owner, name, str(path), media_type(name), now_iso()))
    return file_id


def get_file(db_path: Path, file_id: str) -> dict[str, Any] | None:
    """Return the stored file's row (owner, job, name, path, media_type) or None."""
    with connect(db_path) as db:
        row = db.execute("SELECT id, owner, job, name, path, media_type FROM files WHERE id = ?", (file_id,)).fetchone()
    return dict(row) if row is not None else None


def files_of_job(db_path: Path, job: str) -> list[dict[str, Any]]:
    """Return the files a job produced, in the order it recorded them."""
    with connect(db_path) as db:
        rows = db.execute("SELECT id, name FROM files WHERE job = ? ORDER BY rowid", (job,)).fetchall()
    return [{"name": r["name"], "url": f"/api/files/{r['id']}"} for r in rows]


def sweep(db_path: Path, uploads_dir: Path, files_dir: Path, retention_seconds: float) -> int:
    """Delete uploads and results older than the retention period; return how many entries went.

    What a job needs is kept whatever its age (``_kept_for_jobs``): the uploads it reads and its
    result folder go only once it ended (done, failed, interrupted), no runner vouches for it, and
    it ended before the retention period too."""
    now = time.time()
    cutoff = now - retention_seconds
    folders = (uploads_dir, files_dir)
    with connect(db_path) as db:
        kept = _kept_for_jobs(db, folders, now, cutoff)
    removed = 0
    for folder in folders:
        if not folder.is_dir():
            continue
        for entry in folder.iterdir():
            try:
                if entry.stat().st_mtime >= cutoff or os.path.abspath(entry) in kept:
                    continue
                if entry.is_dir() and not entry.is_symlink():
                    shutil.rmtree(entry, ignore_errors=True)
                else:
                    entry.unlink(missing_ok=True)
                removed += 1
            except OSError:
                continue
    with connect(db_path) as db:
        gone = [r["id"] for r in db.execute("SELECT id, path FROM files").fetchall() if not os.path.exists(r["path"])]
        db.executemany("DELETE FROM files WHERE id = ?", [(g,) for g in gone])
    return removed


def _kept_for_jobs(db: Any, folders: tuple[Path, ...], now: float, cutoff: float) -> set[str]:
    """Return the entries of ``folders`` (as absolute paths) named by the parameters of a job that
    still needs them: one queued or running (a queued job reads its uploads when it starts, a
    running one writes its result folder however long it runs), one whose lease runs after ``now``
    (a runner only silent, its job marked lost, may take it back), or one that ended after
    ``cutoff`` (epoch seconds: its results are downloaded, and it may be run again, for the
    retention period from its end)."""
    tops = [os.path.abspath(folder) for folder in folders]
    kept: set[str] = set()
    rows = db.execute("SELECT params, state, lease, finished FROM jobs").fetchall()
    for row in rows:
        if row["state"] not in ("queued", "running") and (row["lease"] or 0) <= now \
                and not _ended_after(row["finished"], cutoff):
            continue
        for value in _strings(json.loads(row["params"] or "{}")):
            path = os.path.abspath(value)
            for top in tops:
                if path.startswith(top + os.sep):
                    kept.add(os.path.join(top, path[len(top) + 1:].split(os.sep, 1)[0]))
    return kept


def _ended_after(finished: str | None, cutoff: float) -> bool:
    """Return whether a job's end ``finished`` (ISO 8601 with its offset, ``now_iso``) is after
    ``cutoff`` (epoch seconds); False when it has none (an ended job made by an earlier docgen)."""
    try:
        return finished is not None and _dt.datetime.fromisoformat(finished).timestamp() > cutoff
    except ValueError:
        return False


def _strings(value: Any) -> list[str]:
    """Return the strings in ``value`` (a job's parameters: strings, lists and mappings of them)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list):
        return [text for item in value for text in _strings(item)]
    return []
