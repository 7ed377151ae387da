"""Throwaway PostgreSQL and Redis servers for the tests of the shared register and the queue.

Each listens on 127.0.0.1 on a free port of its own, lives in a temporary folder, and is
stopped (and its folder removed) when the test session ends. ``Docgen`` runs a ``docgen``
command (``worker``, ``serve``) as a process group of its own, for the queue's tests and
``bench/bench_pdf_workers.py``. PostgreSQL refuses to run as
root, which is how CI runs: the cluster then belongs to the ``postgres`` system user
(created by Debian's package) and is driven through ``runuser``.

``require(name)``: outside CI a missing server skips the test; under CI (``CI`` set) it
fails, so the tests that need real parts can never be silently skipped where they matter.
"""
from __future__ import annotations

import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest

__all__ = ["Docgen", "Postgres", "Redis", "free_port", "pg_bin", "require", "wait_port"]

_START_TIMEOUT_S = 30


def require(what: str, found: bool) -> None:
    """Skip (locally) or fail (under CI) when ``what`` is not installed."""
    if found:
        return
    message = f"{what} not installed: run `bash .ci/setup`"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def pg_bin() -> Path | None:
    """Return the newest PostgreSQL server bin folder Debian installed, or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(Path(p).parts[-3]))
    return Path(found[-1]).parent if found else None


def wait_port(port: int, proc: subprocess.Popen | None = None) -> None:
    """Return once something listens on 127.0.0.1:``port``; raise RuntimeError when ``proc`` exits first or
    after 30 s."""
    deadline = time.monotonic() + _START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {_START_TIMEOUT_S} s")


class Postgres:
    """A PostgreSQL cluster of its own (trust authentication, 127.0.0.1 only)."""

    def __init__(self) -> None:
        bin_dir = pg_bin()
        assert bin_dir is not None
        self.bin = bin_dir
        self.port = free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="docgen-pg-"))
        self.data = self.folder / "data"
        self._as: list[str] = []
        if os.geteuid() == 0:
            user = pwd.getpwnam("postgres")
            os.chown(self.folder, user.pw_uid, user.pw_gid)
            self._as = ["runuser", "-u", "postgres", "--"]
        self._run([str(self.bin / "initdb"), "-D", str(self.data), "-U", "docgen", "--auth=trust",
                   "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"])
        options = (f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.folder} -c fsync=off "
                   "-c max_connections=200 -c shared_buffers=32MB")
        self._run([str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", options, "-l",
                   str(self.folder / "server.log"), "-w", "-t", str(_START_TIMEOUT_S), "start"])
        self._databases = 0

    def _run(self, argv: list[str]) -> None:
        subprocess.run(self._as + argv, check=True, capture_output=True, timeout=_START_TIMEOUT_S * 2)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://docgen@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        """Create an empty database (with ``amcheck``) and return its URL."""
        import psycopg

        self._databases += 1
        name = f"register_{self._databases}"
        with psycopg.connect(self.url(), autocommit=True) as db:
            db.execute(f"CREATE DATABASE {name}")
        with psycopg.connect(self.url(name), autocommit=True) as db:
            db.execute("CREATE EXTENSION IF NOT EXISTS amcheck")
        return self.url(name)

    def stop(self) -> None:
        try:
            self._run([str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop"])
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


class Redis:
    """A Redis server of its own on 127.0.0.1 (no persistence)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="docgen-redis-"))
        self.proc = subprocess.Popen(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--save", "", "--appendonly", "no",
             "--dir", str(self.folder)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_port(self.port, self.proc)

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
        shutil.rmtree(self.folder, ignore_errors=True)


class Docgen:
    """``python -m docgen ARGS`` in a session (process group) of its own, its output appended to ``log``.

    The group holds everything the command starts (Celery's pool processes, their LibreOffice
    conversions), so ``stop`` ends all of it at once.
    """

    def __init__(self, args: list[str], log: Path, env: dict[str, str] | None = None) -> None:
        self.log = log
        with open(log, "ab") as out:
            self.proc = subprocess.Popen([sys.executable, "-m", "docgen", *args], env={**os.environ, **(env or {})},
                                         stdout=out, stderr=subprocess.STDOUT, start_new_session=True)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def wait_for(self, text: bytes, timeout: float = 60.0) -> None:
        """Return once ``text`` appears in the log (``b"ready."``: a Celery worker takes tasks); raise
        RuntimeError when the command exits first or after ``timeout`` s, with the log's end."""
        deadline = time.monotonic() + timeout
        while text not in self.log.read_bytes():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                tail = self.log.read_text(errors="replace")[-2000:]
                raise RuntimeError(f"docgen {self.proc.args[3]} never printed {text!r}:\n{tail}")
            time.sleep(0.1)

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30.0) -> Any:
        """Send ``sig`` to the group (SIGKILL after ``timeout`` s) and reap the command.

        Returns its ``resource.struct_rusage``: CPU of the command and of every process it
        waited for (pool processes, LibreOffice); None when it had already been reaped.
        """
        if self.proc.returncode is not None:
            return None
        try:
            os.killpg(self.proc.pid, sig)
        except ProcessLookupError:  # the group is gone; the leader is still to be reaped below
            pass
        deadline = time.monotonic() + timeout
        while True:
            pid, status, usage = os.wait4(self.proc.pid, os.WNOHANG)
            if pid:
                self.proc.returncode = os.waitstatus_to_exitcode(status)
                try:  # whatever outlived the leader (an orphaned conversion) must not run on
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                return usage
            if time.monotonic() > deadline and sig != signal.SIGKILL:
                os.killpg(self.proc.pid, signal.SIGKILL)
                sig = signal.SIGKILL
            time.sleep(0.05)
