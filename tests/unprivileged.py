"""Run docgen in a child process that file permissions apply to, also when the tests run as root.

Root ignores mode bits, so a test of what docgen says about a path it may not read or write
proves nothing run as root, and CI (``.ci/run``) runs the suite as root. The child is started
under ``denied_prefix`` (``tools/file_modes.py``, which ``tools/fuzz_hostile.py`` uses too: as
root, ``setpriv`` without the capabilities that override file modes; otherwise nothing), so a
test's file chmod 000 is unreadable, a folder chmod 0555 unwritable, a folder chmod 0300
unlistable, exactly as for a clerk's account.

Nothing here skips: ``denied_prefix`` is worked out once per test run, and a root machine that
holds those capabilities without ``setpriv`` fails the tests that use it with a line saying so.
``assert_denied`` proves, in the same kind of child, that a path really is refused, so a test
cannot pass because permissions were ignored.
"""
from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from scripts import load_script

ROOT = Path(__file__).resolve().parents[1]

denied_prefix = load_script("tools/file_modes.py").denied_prefix


def run_denied(argv: Sequence[str | os.PathLike[str]], *, cwd: Path | None = None,
               env: dict[str, str] | None = None, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run ``argv`` (a program and its arguments) as a process file permissions apply to; return
    the finished process with text stdout and stderr (stdin is empty)."""
    return subprocess.run([*denied_prefix(), *map(str, argv)], capture_output=True, text=True, timeout=timeout,
                          cwd=cwd, env={**os.environ, **(env or {})}, stdin=subprocess.DEVNULL)


def python_denied(*args: str | os.PathLike[str], cwd: Path | None = None, env: dict[str, str] | None = None,
                  timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run the tests' interpreter with ``args`` (this checkout's docgen importable) as a process file
    permissions apply to; return the finished process."""
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
    return run_denied([sys.executable, *args], cwd=cwd, env={"PYTHONPATH": path, **(env or {})}, timeout=timeout)


def docgen_denied(*args: str | os.PathLike[str], cwd: Path | None = None, env: dict[str, str] | None = None,
                  timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run ``python -m docgen ARGS`` (this checkout's docgen) as ``python_denied`` does; return the
    finished process."""
    return python_denied("-m", "docgen", *args, cwd=cwd, env=env, timeout=timeout)


def assert_denied(path: Path, how: str = "read") -> None:
    """Assert that a child started as ``run_denied`` starts it cannot ``read`` the file ``path``,
    ``list`` the folder ``path`` or ``write`` a new file into the folder ``path``.

    Raises ``AssertionError`` when it can: the permission test around it would prove nothing.
    """
    code = {"read": "open(p, 'rb').close()", "list": "os.listdir(p)",
            "write": "open(os.path.join(p, '.probe'), 'xb').close(); os.remove(os.path.join(p, '.probe'))"}[how]
    probe = python_denied("-c", f"import os, sys; p = sys.argv[1]\ntry:\n    {code}\n"
                          "except PermissionError:\n    sys.exit(13)\n", path)
    assert probe.returncode == 13, f"a child may still {how} {path} (exit {probe.returncode}): {probe.stderr[-300:]}"


@contextmanager
def modes(*changes: tuple[Path, int]) -> Iterator[None]:
    """Set each ``(path, mode)`` for the ``with`` block, then give every path its old mode back (so
    the test's folder can be cleaned up by any user); yields nothing."""
    old = [(path, path.stat().st_mode & 0o7777) for path, _ in changes]
    try:
        for path, mode in changes:
            os.chmod(path, mode)
        yield
    finally:
        for path, mode in reversed(old):
            os.chmod(path, mode)
