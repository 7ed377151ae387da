"""What docgen says when the system refuses a path for lack of permission.

A path a user gives may be a file nobody but its owner may read (mode 600 of a colleague), a
folder that may be entered but not listed (mode 300), or an output folder that may not be
written (mode 555). Every reader, every writer and the command line's path options word such a
refusal here, the same way: the path, that permission is lacking (not that the file is damaged
or missing), and what to do. ``check_readable`` and ``check_writable`` ask before any work is
done; ``denied`` words a ``PermissionError`` met while working.
"""
from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import TypeVar

from docgen.core.errors import DocgenError, InputError, OutputError
from docgen.core.messages import MESSAGES

__all__ = ["DENIED_CODES", "check_readable", "check_writable", "denied", "is_denied", "when_denied", "writable_folder"]

_E = TypeVar("_E", bound=DocgenError)

#: The codes of permission refusals (``DocgenError.code``): those built here, and ``access-any``, the
#: command line's for a refusal no part caught. A caller that turns an error into a finding or a
#: line of its own can tell a permission refusal from a damaged file.
DENIED_CODES = frozenset({"access-read", "access-list", "access-search", "access-write", "access-change",
                          "access-any"})

#: What the system answers when permission is lacking (``EPERM``: an ACL or a flag such as
#: immutable refuses what the mode bits would allow).
_DENIED = frozenset({errno.EACCES, errno.EPERM})


def is_denied(exc: BaseException) -> bool:
    """Whether ``exc`` is the system refusing a path for lack of permission."""
    return isinstance(exc, OSError) and exc.errno in _DENIED


def denied(cls: type[_E], path: str | os.PathLike[str], *, writing: bool = False) -> _E:
    """Return a ``cls`` error saying ``path`` may not be read (or, ``writing``, written), and how.

    Which sentence is chosen by looking again: a folder on the way that may not be entered
    (``access-search``), a folder that may not be listed (``access-list``), a file that may not
    be read (``access-read``); for writing, the nearest existing folder that may not be written
    (``access-write``, naming that folder).
    """
    text = os.fspath(path)
    if writing:
        target = Path(text)
        folder = target if os.path.isdir(target) else writable_folder(target)
        return MESSAGES.error(cls, "access-write", path=text, folder=str(folder))
    try:
        mode = os.stat(text).st_mode
    except OSError:
        return MESSAGES.error(cls, "access-search", path=text)
    return MESSAGES.error(cls, "access-list" if stat.S_ISDIR(mode) else "access-read", path=text)


def when_denied(exc: BaseException, cls: type[DocgenError], path: str | os.PathLike[str], *,
                writing: bool = False) -> None:
    """Raise ``denied(cls, path, writing=writing)`` when ``exc`` is a permission refusal; return
    otherwise, for the caller to word ``exc`` its own way.

    Called in an ``except OSError`` block, before the caller's own wording of other failures.
    """
    if is_denied(exc):
        raise denied(cls, path, writing=writing) from None


def check_readable(path: str | os.PathLike[str], cls: type[DocgenError] = InputError) -> None:
    """Raise ``cls`` (``denied``'s wording) when ``path`` exists but may not be read: a file that
    may not be opened, a folder that may not be listed or entered, or a path through a folder
    that may not be entered. A missing path passes: saying so is the caller's part."""
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        if is_denied(exc):
            raise denied(cls, path) from None
        return
    except ValueError:  # a NUL in the name: nothing is there
        return
    need = os.R_OK | os.X_OK if stat.S_ISDIR(mode) else os.R_OK
    if not os.access(path, need):
        raise denied(cls, path)


def writable_folder(path: Path) -> Path:
    """Return the folder a new file at ``path`` is made in: its nearest ancestor this process can
    see (``path``'s parent when that exists; folders that are missing are made in it, and one
    that may not be looked into stops the search at the folder that hides it)."""
    folder = path.parent
    while not os.path.isdir(folder) and folder != folder.parent:
        folder = folder.parent
    return folder


def check_writable(path: str | os.PathLike[str], *, folder: bool = False, in_place: bool = False,
                   cls: type[DocgenError] = OutputError) -> None:
    """Raise ``cls`` (``denied``'s wording) when a file could not be made at ``path`` (a folder
    to write files into when ``folder``) for lack of permission: the folder it would be made in,
    or the nearest existing one above it, may not be written or entered. ``in_place``: an
    existing file at ``path`` is changed where it is (a database), so it must be writable too
    (a file written atomically is replaced, and needs only its folder)."""
    target = Path(path)
    if in_place and not folder and os.path.isfile(target) and not os.access(target, os.W_OK):
        raise MESSAGES.error(cls, "access-change", path=str(target))
    where = writable_folder(target / "x" if folder else target)
    if os.path.isdir(where) and not os.access(where, os.W_OK | os.X_OK):
        raise denied(cls, target, writing=True)
