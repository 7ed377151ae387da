"""Client folders under the configured bundle root: listing them and resolving a user's choice.

资料检查 may check a client's folder in place instead of an uploaded .zip, when the service was
started with ``--bundle-root DIR``. The user names a folder by its path relative to the root;
that path is hostile like any upload: NUL bytes, control characters, absolute paths, drive
letters, ``..`` components, over-long names and symbolic links that lead out of the root are
refused (400) before anything is opened, and what is opened is the resolved folder, checked to
be inside the root. The folder is only ever read (``docgen check`` reads; nothing is written
into it). Listing shows real sub-folders only: hidden ones, links and names that are not valid
UTF-8 are left out, so every listed path can be sent back as it was shown.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path
from typing import Any

from docgen.core.access import is_denied
from docgen.service.messages import FOLDERS
from docgen.service.web import ApiError

#: Longest relative path accepted, in characters (a real client tree is far shorter).
MAX_PATH_CHARS = 1024
#: Longest folder name accepted, in bytes (the usual file-system limit).
MAX_NAME_BYTES = 255
#: Most sub-folders one listing shows (the rest are counted, not listed).
MAX_LISTED = 500

_DRIVE = re.compile(r"^[A-Za-z]:")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_SKIPPED = {"__macosx", "$recycle.bin", "system volume information"}


class FolderRefused(ApiError):
    """A folder the user named is refused (400) or not there (404); ``code`` and ``facts`` say why,
    the sentence is the ``FOLDERS`` table's wording of them."""

    def __init__(self, status: int, code: str, **facts: Any) -> None:
        super().__init__(status, FOLDERS.text(code, facts))
        self.code = code
        self.facts = facts


def configured_root(root: Path | None) -> Path:
    """Return the bundle root; raise 404 (``FolderRefused``) when the service has none."""
    if root is None:
        raise FolderRefused(404, "no-root")
    return root


def normalise(relative: str | None) -> str:
    """Return the ``/``-separated relative path the user sent, without ``.`` or empty parts.

    ``''`` (or None) is the root itself. Raises 400 (``FolderRefused``) for a NUL byte or other
    control character, an absolute path or drive letter, a ``..`` component, or a path or
    name over the length limits.
    """
    text = relative or ""
    if "\x00" in text:
        raise FolderRefused(400, "nul-byte")
    shown = text[:80]
    if len(text) > MAX_PATH_CHARS:
        raise FolderRefused(400, "path-too-long", path=shown, limit=MAX_PATH_CHARS)
    if _CONTROL.search(text):
        raise FolderRefused(400, "control-characters", path=shown)
    text = text.replace("\\", "/")
    if text.startswith("/") or _DRIVE.match(text):
        raise FolderRefused(400, "absolute-path", path=shown)
    parts = [p for p in text.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise FolderRefused(400, "parent-path", path=shown)
    for part in parts:
        if len(part.encode("utf-8", "surrogateescape")) > MAX_NAME_BYTES:
            raise FolderRefused(400, "name-too-long", path=shown, limit=MAX_NAME_BYTES)
    return "/".join(parts)


def resolve(root: Path, relative: str) -> Path:
    """Return the real folder ``relative`` (already ``normalise``-d) names under ``root`` (resolved).

    Raises 404 when there is no such folder, 400 when it is a file, leads out of the root
    through a symbolic link, or cannot be opened, 403 when the service may not list or enter it
    (file permissions).
    """
    target = root.joinpath(*relative.split("/")) if relative else root
    try:
        real = target.resolve(strict=True)
    except FileNotFoundError:
        raise FolderRefused(404, "not-found", path=relative) from None
    except (OSError, RuntimeError) as exc:  # a link loop, a name the file system refuses, no permission
        if is_denied(exc):
            raise FolderRefused(403, "denied", path=relative) from None
        raise FolderRefused(400, "unreadable", path=relative, reason=getattr(exc, "strerror", None) or type(exc).__name__) \
            from None
    if real != root and root not in real.parents:
        raise FolderRefused(400, "outside-root", path=relative)
    if not real.is_dir():
        raise FolderRefused(400, "not-a-folder", path=relative)
    if not os.access(real, os.R_OK | os.X_OK):
        # Checked, its files would all be "missing": say the service may not read the folder.
        raise FolderRefused(403, "denied", path=relative)
    return real


def bundle_folder(root: Path | None, relative: str | None) -> tuple[Path, str]:
    """Return ``(real folder, normalised relative path)`` of the client folder to check.

    Raises ``FolderRefused``: 404 without a bundle root or for a folder that does not exist, 400
    for a refused path (see ``normalise`` and ``resolve``) or for the root itself.
    """
    base = configured_root(root)
    if relative is None or not relative.strip():
        raise FolderRefused(400, "folder-missing")
    shown = normalise(relative)
    if not shown:
        raise FolderRefused(400, "root-itself")
    return resolve(base, shown), shown


def listing(root: Path | None, relative: str | None) -> dict[str, Any]:
    """Return the sub-folders of ``relative`` under the bundle root.

    ``{"path", "parent", "bundle", "folders": [{"name", "path", "bundle"}], "truncated"}``:
    ``parent`` is None at the root; ``bundle`` says a folder holds ``bundle.yaml``;
    ``truncated`` counts sub-folders beyond ``MAX_LISTED``. Raises ``FolderRefused`` as
    ``bundle_folder`` does (the root itself is allowed here).
    """
    base = configured_root(root)
    shown = normalise(relative)
    real = resolve(base, shown)
    names = []
    try:
        with os.scandir(real) as entries:
            for entry in entries:
                if _listed(entry):
                    names.append(entry.name)
    except OSError as exc:
        raise FolderRefused(400, "unreadable", path=shown or "/", reason=exc.strerror or type(exc).__name__) from None
    names.sort()
    folders = [{"name": name, "path": f"{shown}/{name}" if shown else name,
                "bundle": (real / name / "bundle.yaml").is_file()} for name in names[:MAX_LISTED]]
    parent = None if not shown else shown.rpartition("/")[0]
    return {"path": shown, "parent": parent, "bundle": (real / "bundle.yaml").is_file(), "folders": folders,
            "truncated": max(0, len(names) - MAX_LISTED)}


def _listed(entry: os.DirEntry[str]) -> bool:
    name = entry.name
    if name.startswith(".") or name.lower() in _SKIPPED or _CONTROL.search(name):
        return False
    try:
        name.encode("utf-8")
        return entry.is_dir(follow_symlinks=False)
    except (UnicodeEncodeError, OSError):
        return False


def content_sha256(report: dict[str, Any]) -> str:
    """Return the SHA-256 identifying a checked folder's content: over each file's path and SHA-256.

    A folder has no single file to hash; this changes when any file read by the check is added,
    removed, renamed or altered, like an upload's hash does.
    """
    listed = sorted((f.get("path") or "", f.get("sha256") or "") for f in report.get("files", []))
    return hashlib.sha256(json.dumps(listed, ensure_ascii=False).encode("utf-8")).hexdigest()
