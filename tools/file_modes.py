"""How to start a child process that file modes bind, also when this process is root (a developer
tool's piece, shared by ``tools/fuzz_hostile.py`` and the permission tests' ``tests/unprivileged.py``).

Root ignores mode bits: as root, a file chmod 000 opens and a folder chmod 0555 takes new files,
so what docgen says about a path it may not read or write is not tried there. CI (``.ci/run``)
runs the suite as root, so this is the case that matters.

How: when this process is root, the child is started through util-linux's ``setpriv`` (in the
Essential package ``util-linux`` on Debian and Ubuntu, so on every machine that runs
``.ci/setup``) with the capabilities that override file permissions removed from its bounding
set (``CAP_DAC_OVERRIDE``, ``CAP_DAC_READ_SEARCH``, ``CAP_FOWNER``). After ``exec`` a root process
has only the capabilities of its bounding set, so the child is uid 0 without them: the kernel
checks every path against its mode bits, with the child as the owner of the files it is given.
A file chmod 000 is then unreadable, a folder chmod 0555 unwritable, a folder chmod 0300
unlistable, exactly as for a clerk's account.

Why not ``runuser -u nobody``: the child must run the same interpreter and import the same
docgen and site-packages as its parent, and those need not be readable by another user. On this
project's machines the venv's interpreter is pyenv's under ``/root`` (mode 0700): ``runuser -u
nobody -- .venv/bin/python`` fails with "Permission denied" before docgen starts, and a CI clone
may itself live under ``/root``. Making ``/root`` traversable changes the machine; copying the
interpreter and site-packages somewhere world-readable costs hundreds of MB per run. Staying uid
0 without the override capabilities reads what root owns (interpreter, venv, checkout) as its
owner wherever it lives, and the child's files still need no world-traversable folder.

When this process is not root, or is a root that holds none of those capabilities (a container
started without them), the child is started directly: the mode bits already apply.
"""
from __future__ import annotations

import functools
import os
import shutil
from pathlib import Path

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
    them and ``setpriv`` is missing: a caller that needs it must fail, never pass with permissions ignored.
    """
    if os.geteuid() != 0 or not _overrides_held():
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        raise RuntimeError("running as root without setpriv (Debian/Ubuntu package util-linux): "
                           "permission tests cannot drop root's override of file modes")
    drop = ",".join("-" + cap for cap in _OVERRIDES)
    return [setpriv, f"--bounding-set={drop}", f"--inh-caps={drop}", "--"]
