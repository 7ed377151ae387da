"""Run docgen in a child process that file permissions apply to, also when the tests run as root.

Root ignores mode bits: as root, a file chmod 000 opens and a folder chmod 0555 takes new files,
so a test of what docgen says about a path it may not read or write proves nothing there. CI
(``.ci/run``) runs the suite as root, so this is the case that matters.

How: when this process is root, the child is started through util-linux's ``setpriv`` (in the
Essential package ``util-linux`` on Debian and Ubuntu, so on every machine that runs
``.ci/setup``) with the capabilities that override file permissions removed from its bounding
set (``CAP_DAC_OVERRIDE``, ``CAP_DAC_READ_SEARCH``, ``CAP_FOWNER``). After ``exec`` a root process
has only the capabilities of its bounding set, so the child is uid 0 without them: the kernel
checks every path against its mode bits, with the child as the owner of the files the test made.
A test's file chmod 000 is then unreadable, a folder chmod 0555 unwritable, a folder chmod 0300
unlistable, exactly as for a clerk's account.

Why not ``runuser -u nobody``: the child must run the same interpreter and import the same
docgen and site-packages as the tests, and those need not be readable by another user. On this
project's machines the venv's interpreter is pyenv's under ``/root`` (mode 0700): ``runuser -u
nobody -- .venv/bin/python`` fails with "Permission denied" before docgen starts, and a CI clone
may itself live under ``/root``. Making ``/root`` traversable changes the machine; copying the
interpreter and site-packages somewhere world-readable costs hundreds of MB per run. Staying uid
0 without the override capabilities reads what root owns (interpreter, venv, checkout) as its
owner wherever it lives, and the test's files still need no world-traversable folder.

When this process is not root, or is a root that holds none of those capabilities (a container
started without them), the child is started directly: the mode bits already apply. Nothing here
skips: ``denied_prefix`` is worked out once per test run, and a root machine that holds them
without ``setpriv`` fails the tests that use it with a line saying so. ``assert_denied`` proves, in the same kind of
child, that a path really is refused, so a test cannot pass because permissions were ignored.
"""
from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: Capabilities that let root pass file permission checks, each with its bit in the kernel's
#: capability masks (linux/capability.h); the child runs without them.
_OVERRIDES = {"dac_override": 1, "dac_read_search": 2, "fowner": 3}


def _overrides_held() -> bool:
    """Whether this process holds any capability of ``_OVERRIDES`` (a root in a container started
    without them is already refused by mode bits, and may lack the right to drop capabilities)."""
    try:
        status = Path("/proc/self/status").read_text(encoding="ascii")
    except OSError:
        return True  # cannot tell: assume root's usual powers
    effective = next((int(line.split()[1], 16) for line in status.splitlines() if line.startswith("CapEff:")), None)
    return effective is None or any(effective >> bit & 1 for bit in _OVERRIDES.values())


@functools.cache
def denied_prefix() -> list[str]:
    """Return the argv prefix that starts a child to which file permissions apply: ``[]`` when this
    process is not root, else ``setpriv`` dropping the override capabilities.

    A root that holds none of those capabilities (a container started without them) needs no
    prefix either. Raises ``RuntimeError`` (naming what to install) when this process is root, holds
    them and ``setpriv`` is missing: a test that needs it must fail, never pass with permissions ignored.
    """
    if os.geteuid() != 0 or not _overrides_held():
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        raise RuntimeError("running as root without setpriv (Debian/Ubuntu package util-linux): "
                           "permission tests cannot drop root's override of file modes")
    drop = ",".join("-" + cap for cap in _OVERRIDES)
    return [setpriv, f"--bounding-set={drop}", f"--inh-caps={drop}", "--"]


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
