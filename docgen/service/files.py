"""Uploaded files and results: random names, size and count limits, retention.

Nothing a user sends names a path: an upload is stored as ``uploads/<random>.<ext>`` where
the extension comes from a fixed list, and a result as ``files/<random>/<name>`` where the
name is one the service chose (a job's as ``files/<random>/<run>/…``, each run of it in a folder of
its own: ``jobs.run_folder``). The original upload name is kept only as text to show.
"""
from __future__ import annotations

import hashlib
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
    """Delete uploads and results older than the retention period; return how many entries went."""
    cutoff = time.time() - retention_seconds
    removed = 0
    for folder in (uploads_dir, files_dir):
        if not folder.is_dir():
            continue
        for entry in folder.iterdir():
            try:
                if entry.stat().st_mtime >= cutoff:
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
