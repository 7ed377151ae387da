"""Whether a register database is at a path: asked without the register's own code.

A collection plan asks it of the register on every run, and most runs have none yet: answered
here it costs a ``stat``, where ``docgen.documents.register`` would first import sqlite3 and the
register's store, lock and anchor (0.025 s CPU).
"""
from __future__ import annotations

import os

from docgen.core.errors import InputError
from docgen.core.regularfile import is_regular
from docgen.core.userdirs import is_database_url

__all__ = ["register_exists"]


def register_exists(path: str | os.PathLike[str]) -> bool:
    """Whether a register database is at ``path``; ``InputError`` when the path itself is
    unusable (a name too long for the file system, a folder that may not be searched) or names
    a folder, a FIFO or a device (``register verify`` said "0 checked, all intact" of those).

    A database URL always names one (its server says otherwise when connected to)."""
    if is_database_url(path):
        return True
    try:
        return is_regular(path)
    except OSError as exc:  # NotRegularFile's reason says what is there instead
        from docgen.documents.messages import MESSAGES  # only to word the error

        raise MESSAGES.error(InputError, "register-path-unusable", path=str(path),
                             reason=str(exc.strerror or exc)) from None
