"""Atomic file output: a document appears under its final name complete, or not at all."""
from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO

from docgen.core.access import denied, is_denied
from docgen.core.errors import OutputError
from docgen.core.messages import MESSAGES
from docgen.core.leftovers import part_path, remove_stale
from docgen.core.regularfile import NotRegularFile, is_regular


@contextlib.contextmanager
def atomic_output(path: str | os.PathLike[str], mode: str = "wb",
                  final: Callable[[], str | os.PathLike[str]] | None = None) -> Iterator[IO]:
    """Yield a temporary file beside ``path``; on success fsync it and rename it over ``path``.

    ``final``, when given, is called once the block has written the file and names the file it
    becomes instead of ``path``, in the same folder: a name known only once the content is (a
    serial the register issued while the file was open). The folder is the one opened for
    ``path``, so it is proven writable before the block runs.

    The temporary file is ``.NAME.PID-RANDOM.part``; one left by a killed run is removed
    the next time the same output is written (``docgen.core.leftovers``).

    On any exception the temporary file is removed and ``path`` is left untouched. Raises
    ``OutputError`` naming ``path`` when it cannot be written (no such folder, a file where a
    folder should be, no permission, disk full), or when it exists and is not a regular file:
    the rename would put a file in place of a folder, a FIFO or a device (``-o /dev/full``
    run as root would replace the device node).
    """
    target = Path(path)
    _refuse_irregular(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        # A run killed while writing this same output left its .part behind: remove it now.
        remove_stale(target.parent, prefix=f".{target.name}.")
        tmp = str(part_path(target))
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
    except OSError as exc:
        raise output_error(target, exc) from None
    # mkstemp creates the file 0600; a document should get the permissions any new file gets.
    os.chmod(tmp, 0o666 & ~_umask())
    try:
        with os.fdopen(fd, mode, **({} if "b" in mode else {"encoding": "utf-8"})) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        if final is not None:
            target = target.parent / Path(final()).name
            _refuse_irregular(target)
        os.replace(tmp, target)
    except BaseException as exc:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise output_error(target, exc) from None
        raise


def refuse_overwriting_inputs(output: str | os.PathLike[str],
                              inputs: Iterable[str | os.PathLike[str] | None]) -> None:
    """Raise ``OutputError`` when writing ``output`` would destroy one of ``inputs``.

    The same file under another name counts: a symbolic link to an input, a hard link of
    it, or the same path spelt differently (compared by device and inode, so case-folding
    file systems are covered too). An input that is a folder (a client bundle) covers every
    existing file in it. A missing ``output`` is never an input; ``None`` and unreadable
    inputs are ignored.
    """
    target = Path(output)
    try:
        out_stat = target.stat()
    except OSError:
        return
    for source in inputs:
        if source is None:
            continue
        try:
            in_stat = Path(source).stat()
            inside = Path(source).is_dir() and target.resolve().is_relative_to(Path(source).resolve())
        except OSError:
            continue
        if inside or (in_stat.st_dev, in_stat.st_ino) == (out_stat.st_dev, out_stat.st_ino):
            raise MESSAGES.error(OutputError, "output-is-input", target=str(target), source=str(source))


def _refuse_irregular(target: Path) -> None:
    """Raise ``OutputError`` when something other than a regular file stands at ``target``."""
    try:
        is_regular(target)
    except NotRegularFile:
        raise MESSAGES.error(OutputError, "output-not-regular", target=str(target)) from None
    except OSError:
        pass  # creating the folder or the file says why the path cannot be written


def output_error(target: Path, exc: OSError) -> OutputError:
    """Return the ``OutputError`` naming ``target`` that ``exc`` (writing it) means."""
    if is_denied(exc):
        return denied(OutputError, target, writing=True)
    return MESSAGES.error(OutputError, "output-unwritable", target=str(target), reason=str(exc.strerror or exc))


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_bytes_atomic(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` atomically; ``OutputError`` when it cannot be written."""
    with atomic_output(path, "wb") as fh:
        fh.write(data)


def write_text_atomic(path: str | os.PathLike[str], text: str) -> None:
    """Write UTF-8 ``text`` to ``path`` atomically; ``OutputError`` when it cannot be written."""
    with atomic_output(path, "w") as fh:
        fh.write(text)
