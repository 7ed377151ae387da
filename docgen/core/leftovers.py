"""Temporary files and folders a killed run leaves behind, and removing them on the next run.

Everything docgen writes on the way to a final name carries the writing process's id:
``.NAME.PID-RANDOM.part`` beside an output, ``.pdf-PID-RANDOM`` staging folders,
``docgen-lo-profile-PID-RANDOM`` LibreOffice profiles. A run that is killed (SIGKILL, power
cut) cannot clean up, so the next run removes those whose process no longer exists. Only
this host's processes can be checked; a leftover of a live process is never touched.
"""
from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

__all__ = ["PART_RE", "mark", "part_name", "part_path", "pid_alive", "remove_parts", "remove_stale"]

#: ``.NAME.PID-RANDOM.part``: a file being written under NAME.
PART_RE = re.compile(r"^\..+\.(\d+)-[0-9a-f]{8}\.part$")


def mark() -> str:
    """Return a fresh ``PID-RANDOM`` mark for this process's temporary names."""
    return f"{os.getpid()}-{os.urandom(4).hex()}"


def part_path(target: Path, token: str | None = None) -> Path:
    """Return the temporary path beside ``target`` that this process writes it through."""
    return target.with_name(part_name(target.name, token))


def part_name(name: str, token: str | None = None) -> str:
    """Return the name of the temporary file a file ``name`` is written through (``part_path``)."""
    return f".{name}.{token or mark()}.part"


def remove_parts(folder: Path, token: str) -> None:
    """Remove the temporary files written through ``part_name(…, token)`` left in ``folder`` (a
    failed commit, a failed render in a worker): hidden, but litter. Never raises."""
    suffix = part_name("", token)[1:]  # ".TOKEN.part": what follows the name
    try:
        entries = os.scandir(folder)
    except OSError:
        return
    with entries:
        for entry in entries:
            if entry.name.startswith(".") and entry.name.endswith(suffix):
                try:
                    os.unlink(entry.path)
                except OSError:
                    pass  # gone already, or not ours to remove: litter, not an error


def pid_alive(pid: int) -> bool:
    """Whether process ``pid`` exists on this host (True when that cannot be told)."""
    if os.name != "posix":
        return True  # no cheap liveness check: keep the leftover (hidden, harmless)
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, owned by someone else
    return True


def remove_stale(folder: Path, pattern: re.Pattern[str] = PART_RE, *, prefix: str = "") -> int:
    """Remove the entries of ``folder`` matching ``pattern`` (group 1: the writer's pid) whose
    writer is gone; files are unlinked, folders removed with their content. Returns how many
    were removed; never raises for a folder that cannot be listed."""
    removed = 0
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return 0
    for entry in entries:
        if prefix and not entry.name.startswith(prefix):
            continue
        match = pattern.match(entry.name)
        if not match or pid_alive(int(match.group(1))):
            continue
        try:
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path)
            else:
                os.unlink(entry.path)
            removed += 1
        except OSError:
            pass
    return removed
