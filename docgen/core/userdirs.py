"""The per-user folders docgen keeps things in: the register's data folder and the cache.

The folders are the platform's own, from ``platformdirs`` (``$XDG_DATA_HOME/docgen`` or
``~/.local/share/docgen`` and ``$XDG_CACHE_HOME/docgen`` or ``~/.cache/docgen`` on Linux,
``%LOCALAPPDATA%\\docgen`` on Windows, ``~/Library/Application Support/docgen`` and
``~/Library/Caches/docgen`` on macOS). Environment variables move them:

- ``DOCGEN_REGISTER``: the register database itself (a file, or a ``postgresql://`` URL);
- ``DOCGEN_CACHE_DIR``: the cache folder; ``DOCGEN_NO_CACHE=1`` turns the cache off.

Nothing here creates a folder: the register creates its own on first write, and a cache
that cannot be written is skipped by its user.
"""
from __future__ import annotations

import os
from pathlib import Path

import platformdirs

__all__ = ["APP_NAME", "RegisterTarget", "cache_dir", "data_dir", "default_register_path", "is_database_url",
           "register_path"]

#: A register is named by a SQLite file path or by a database URL (kept as text: a path would fold its ``//``).
RegisterTarget = Path | str

APP_NAME = "docgen"


def data_dir() -> Path:
    """Return the per-user data folder (where the register lives by default)."""
    return platformdirs.user_data_path(APP_NAME, appauthor=False)


def cache_dir() -> Path | None:
    """Return the cache folder: ``$DOCGEN_CACHE_DIR``, else the per-user cache folder.

    Returns None when ``$DOCGEN_NO_CACHE`` is set (to anything but empty): nothing is cached.
    """
    if os.environ.get("DOCGEN_NO_CACHE"):
        return None
    env = os.environ.get("DOCGEN_CACHE_DIR")
    if env:
        return Path(env).expanduser()
    return platformdirs.user_cache_path(APP_NAME, appauthor=False)


def is_database_url(value: object) -> bool:
    """Whether ``value`` names a register on a database server (``postgresql://`` or ``postgres://``)."""
    return isinstance(value, str) and value.lower().startswith(("postgresql://", "postgres://"))


def default_register_path() -> RegisterTarget:
    """Return the register: ``$DOCGEN_REGISTER`` (a file or a URL), else ``register.sqlite`` in ``data_dir()``."""
    env = os.environ.get("DOCGEN_REGISTER")
    if env:
        return env if is_database_url(env) else Path(env).expanduser()
    return data_dir() / "register.sqlite"


def register_path(path: str | os.PathLike[str] | None) -> RegisterTarget:
    """Return the register a caller asked for: ``path`` when given, else ``default_register_path()``.

    A ``postgresql://`` URL comes back as text, anything else as a ``Path``."""
    if path is None:
        return default_register_path()
    if is_database_url(path):
        return str(path)
    return Path(path).expanduser()
