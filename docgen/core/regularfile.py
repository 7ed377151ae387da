"""Opening a user's file for reading only when it is a regular file.

A path a user gives may name a FIFO (opening it blocks until some other program writes to it,
reading it may never end), a device (``/dev/zero`` never ends; ``/dev/stdin`` waits for the
terminal) or a folder. Opening without blocking and checking what was opened, before a
single byte is read, turns each of these into an ``OSError`` the caller already reports.
"""
from __future__ import annotations

import errno
import os
import stat
from typing import BinaryIO

from docgen.core.messages import MESSAGES

__all__ = ["NotRegularFile", "is_regular", "open_regular", "read_regular"]

#: What ``stat`` fails with when nothing is at a path (as ``Path.is_file`` counts it): no such
#: file, a file where a folder should be, a link loop.
_NOTHING_THERE = frozenset({errno.ENOENT, errno.ENOTDIR, errno.EBADF, errno.ELOOP})


class NotRegularFile(OSError):
    """The path names a folder, a FIFO, a device or a socket, not a regular file.

    An ``OSError`` whose ``strerror`` says so in Chinese, so a caller's "cannot read FILE
    (reason)" message needs no case of its own.
    """


def _not_regular(path: str | os.PathLike[str]) -> NotRegularFile:
    return NotRegularFile(errno.EINVAL, MESSAGES.text("not-regular-file"), os.fspath(path))


def is_regular(path: str | os.PathLike[str]) -> bool:
    """Whether a regular file is at ``path`` (links followed): False when nothing is there.

    Raises ``NotRegularFile`` when something else is (a folder, a FIFO, a device), and
    ``OSError`` when the system refuses to look (a name too long for the file system, a folder
    that may not be searched). Only asks: to read the file, use ``open_regular``.
    """
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        if exc.errno in _NOTHING_THERE:
            return False
        raise
    except ValueError:  # a NUL in the name: no file can be called that
        return False
    if not stat.S_ISREG(mode):
        raise _not_regular(path)
    return True


def open_regular(path: str | os.PathLike[str], *, follow_links: bool = True) -> BinaryIO:
    """Return ``path`` opened for binary reading.

    Never blocks: a FIFO is opened non-blocking and refused like a device or folder.
    Raises ``NotRegularFile`` for anything but a regular file, ``OSError`` when it cannot be
    opened: a symbolic link too when ``follow_links`` is False (the system refuses to open it,
    ``ELOOP``, where it has ``O_NOFOLLOW``).
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    if not follow_links:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(path, flags)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise _not_regular(path)
    except BaseException:
        os.close(fd)
        raise
    return os.fdopen(fd, "rb")


def read_regular(path: str | os.PathLike[str]) -> bytes:
    """Return the bytes of the regular file ``path``; raises what ``open_regular`` raises."""
    with open_regular(path) as stream:
        return stream.read()
