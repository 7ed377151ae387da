"""The bounded worker pool: every inspection of a client's file runs in a worker process.

A client's file may be hostile (a PDF whose page tree loops, a decompression bomb, a file
crafted to exhaust memory). Every inspection therefore runs in a worker process bounded in
address space (``RLIMIT_AS``) and in time; a worker that times out, runs out of memory or
crashes is replaced, its file is reported ``unreadable`` and the other files go on.
Workers are forked from the parent where the platform allows, so starting them is cheap.

Checks that are bounded by construction need no such guard: the parent reads each file once
(it hashes it anyway) and runs ``inspect_bytes_quickly`` on it -- a plainly sound PDF read
from its raw bytes, an image, a small Office file -- so a bundle of ordinary files is
inspected without pypdf, without the process machinery and without a worker. Only the files
it declines (a PDF pypdf must read, a TIFF, a file over ``_QUICK_MAX`` bytes) go to workers.
"""
from __future__ import annotations

import hashlib
import logging
import os
import time
import warnings
import zipfile
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from docgen.check.bundle import Bundle, ReadSpec, read_spec, sha256_spec
from docgen.check.inspection.kinds import FileInfo, file_info, inspect_bytes, inspect_bytes_quickly
from docgen.core.sniff import extension_kind
from docgen.check.messages import ERRORS, in_english
from docgen.core.cache import Packs, cache_key, code_digest
from docgen.core.errors import BundleError
from docgen.core.wording import reason_of

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

__all__ = ["inspect_bundle", "inspect_path"]

#: Test hook: when set, each worker calls it with the file's path before inspecting it. Tests
#: use it to make a worker hang, exhaust its memory or die, proving the pool survives that;
#: while it is set every file not in the cache goes to a worker (it stands for a file whose
#: inspection needs a parser). Workers are forked, so the hook needs no pickling. Never set in
#: production.
_TEST_HOOK: Callable[[str], None] | None = None

#: Largest file inspected in the parent (read whole once, for its hash and its quick check);
#: larger ones are hashed streaming and inspected by a worker.
_QUICK_MAX = 32 * 1024 * 1024


def _quiet() -> None:
    # pypdf reports recoverable damage through logging and warnings; findings say it instead.
    logging.getLogger("pypdf").setLevel(logging.CRITICAL)
    warnings.simplefilter("ignore")


def _vm_bytes() -> int:
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return 0


def _worker_main(conn: Connection, memory_mb: int) -> None:
    """Serve inspection requests on ``conn`` until it closes; each answer is a dict."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    _quiet()
    try:
        import resource

        # The limit is on top of what the forked process already maps, so the allowance is
        # the same however big the parent is.
        limit = _vm_bytes() + memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ImportError, ValueError, OSError):
        pass
    cache: dict[str, zipfile.ZipFile] = {}
    while True:
        try:
            msg = conn.recv()
        except (EOFError, OSError):
            return
        if msg is None:
            return
        index, path, spec = msg
        try:
            if _TEST_HOOK is not None:
                _TEST_HOOK(path)
            data = read_spec(spec, cache, path)
            result: dict[str, Any] = asdict(inspect_bytes(path, data))
            del data
        except MemoryError:
            result = {"error": "memory"}
        except BundleError as exc:
            result = {"error": "read", "detail": str(exc), "detail_en": in_english(exc), "code": exc.code}
        except Exception as exc:  # a bug in a checker must not take the bundle down
            result = {"error": "crash", "detail": reason_of(exc)}
        try:
            conn.send((index, result))
        except (OSError, ValueError):
            return


class _Worker:
    def __init__(self, ctx: Any, memory_mb: int) -> None:
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker_main, args=(child, memory_mb), daemon=True)
        self.proc.start()
        child.close()
        self.task: int | None = None
        self.deadline = 0.0

    def send(self, index: int, path: str, spec: ReadSpec, timeout: float) -> None:
        self.task = index
        self.deadline = time.monotonic() + timeout
        self.conn.send((index, path, spec))

    def stop(self, kill: bool = False) -> None:
        if kill:
            self.proc.kill()
        else:
            try:
                self.conn.send(None)
            except (OSError, ValueError):
                self.proc.kill()
        self.proc.join(timeout=1.0)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join()
        self.conn.close()


#: Seconds of work after which further workers (up to ``jobs``) are started.
_SPAWN_AFTER = 0.04


def _failed(path: str, spec: ReadSpec, reason: str, **facts: Any) -> FileInfo:
    """Return the ``FileInfo`` of a file whose inspection failed; its hash is taken here.

    Hashing streams the bytes and parses nothing, so it is safe in the parent process.
    """
    try:
        digest = sha256_spec(spec)
    except BundleError:
        digest = ""
    return file_info(path, extension_kind(path) or "unknown", spec.size, digest, readable=False,
                     problem="unreadable", reason=reason, facts=facts)


def _cache_key(path: str, digest: str) -> str:
    """The inspection-cache key of a file: its content's SHA-256 and the kind its name expects
    (docgen's version and the inspection code are in every key)."""
    return cache_key(digest, extension_kind(path) or "", _inspection_code())


def _inspection_code() -> str:
    return code_digest("docgen.check.inspection.kinds", "docgen.core.sniff")


#: What a cache entry keeps of a ``FileInfo``: the wording is made again from reason and facts.
_CACHED_FIELDS = ("kind", "size", "sha256", "pages", "encrypted", "readable", "signed", "problem", "reason",
                  "facts")


def _from_cache(path: str, entry: Any) -> FileInfo | None:
    """Return the ``FileInfo`` of ``path`` kept as the cache ``entry``, None when there is none or
    this code cannot read it."""
    if not isinstance(entry, dict) or set(entry) != set(_CACHED_FIELDS):
        return None
    try:
        return file_info(path, entry["kind"], entry["size"], entry["sha256"], problem=entry["problem"],
                         reason=entry["reason"], facts=entry["facts"], pages=entry["pages"],
                         encrypted=entry["encrypted"], readable=entry["readable"], signed=entry["signed"])
    except (TypeError, KeyError, ValueError):  # an entry this code cannot word
        return None


def _run(tasks: list[tuple[str, ReadSpec]], jobs: int | None, timeout: float, memory_mb: int,
         progress: Callable[[int], None] | None) -> list[FileInfo]:
    """Inspect every ``(path, spec)``; return results in task order.

    A file inspected before (same content, same expected kind, same docgen) is answered from
    the inspection cache; the others are inspected quickly in this process when that is
    bounded by construction, else by bounded workers, and what they find is cached, all of
    this run's findings in one pack. Failures of the pool itself (timeout, memory, a crash) are
    never cached.
    """
    packs = Packs("inspection")
    caching = packs.folder is not None
    keys: list[str | None] = [None] * len(tasks)
    results: list[FileInfo | None] = [None] * len(tasks)
    archives: dict[str, zipfile.ZipFile] = {}
    # What is found is kept however the run ends: the quick path's findings are in the cache
    # even when the workers' phase fails or is interrupted.
    try:
        try:
            for i, (path, spec) in enumerate(tasks):
                data = None
                if spec.kind == "file" and not os.access(spec.location, os.R_OK):
                    # Not a damaged file, and no worker could read it either: say why, uncached.
                    results[i] = file_info(path, extension_kind(path) or "unknown", spec.size, "", readable=False,
                                           problem="unreadable", reason="read-denied", facts={"denied": True})
                    if progress is not None:
                        progress(1)
                    continue
                try:
                    if _TEST_HOOK is None and spec.size <= _QUICK_MAX:
                        data = read_spec(spec, archives, path)
                        digest = hashlib.sha256(data).hexdigest()
                    elif caching:
                        digest = sha256_spec(spec)
                    else:
                        continue
                except BundleError:
                    continue  # the worker reports the read failure, worded as ever
                if caching:
                    keys[i] = _cache_key(path, digest)
                    results[i] = _from_cache(path, packs.get(keys[i]))
                if results[i] is None and data is not None:
                    results[i] = inspect_bytes_quickly(path, data, digest)
                    _store(packs, keys[i], results[i])
                if results[i] is not None and progress is not None:
                    progress(1)
        finally:
            # Closed before any worker forks: a zip handle shared across fork shares its offset.
            for archive in archives.values():
                archive.close()
        todo = [i for i, r in enumerate(results) if r is None]
        found = _inspect([tasks[i] for i in todo], jobs, timeout, memory_mb, progress)
        for i, (info, answered) in zip(todo, found):
            results[i] = info
            if answered:
                _store(packs, keys[i], info)
    finally:
        packs.flush()
    return [r for r in results if r is not None]


def _store(packs: Packs, key: str | None, info: FileInfo | None) -> None:
    """Keep what inspection found about a file for the inspection cache (under ``key``)."""
    if key is not None and info is not None:
        packs.put(key, {name: getattr(info, name) for name in _CACHED_FIELDS})


def _inspect(tasks: list[tuple[str, ReadSpec]], jobs: int | None, timeout: float, memory_mb: int,
             progress: Callable[[int], None] | None) -> list[tuple[FileInfo, bool]]:
    """Inspect every ``(path, spec)`` in bounded workers; return ``(info, answered)`` in task
    order, ``answered`` false when the pool failed on that file (timeout, memory, crash)."""
    results: list[tuple[FileInfo, bool] | None] = [None] * len(tasks)
    if not tasks:
        return []
    # The process machinery is imported only when some file is not in the inspection cache.
    from multiprocessing.connection import wait

    from docgen.core.procs import process_context

    ctx = process_context()
    n_workers = max(1, min(jobs or os.cpu_count() or 1, len(tasks)))
    if any(path.lower().endswith(".pdf") for path, _ in tasks):
        # Imported once here so every forked worker shares it, rather than each worker
        # paying pypdf's ~0.2 s import on its own.
        import pypdf  # noqa: F401
    # Largest first: the long PDFs start early and the small files fill the gaps at the end.
    queue = sorted(range(len(tasks)), key=lambda i: -tasks[i][1].size)
    queue.reverse()  # pop() from the end takes the largest
    # One worker starts at once; more join only when the work outlasts their start-up cost
    # (a fork of a large parent is not free), so a small bundle never pays for idle workers.
    workers = [_Worker(ctx, memory_mb)]
    spawn_at = time.monotonic() + _SPAWN_AFTER

    def finish(i: int, info: FileInfo, answered: bool = False) -> None:
        results[i] = (info, answered)
        if progress is not None:
            progress(1)

    try:
        for w in workers:
            if queue:
                i = queue.pop()
                w.send(i, tasks[i][0], tasks[i][1], timeout)
        while any(w.task is not None for w in workers):
            if len(workers) < n_workers and queue and time.monotonic() >= spawn_at:
                extra = _Worker(ctx, memory_mb)
                workers.append(extra)
                i = queue.pop()
                extra.send(i, tasks[i][0], tasks[i][1], timeout)
            busy = [w for w in workers if w.task is not None]
            wake = min(w.deadline for w in busy)
            if len(workers) < n_workers and queue:
                wake = min(wake, spawn_at)
            wait_for = max(0.0, wake - time.monotonic())
            ready = wait([w.conn for w in busy] + [w.proc.sentinel for w in busy], timeout=wait_for)
            now = time.monotonic()
            for slot, w in enumerate(workers):
                if w.task is None:
                    continue
                i = w.task
                path, spec = tasks[i]
                answer = None
                replace = False
                if w.conn in ready:
                    try:
                        answer = w.conn.recv()
                    except (EOFError, OSError):
                        answer = None
                if answer is not None:
                    _, data = answer
                    if "error" in data:
                        if data["error"] == "memory":
                            info = _failed(path, spec, "out-of-memory", memory_mb=memory_mb)
                            replace = True  # a worker that hit its memory cap may be in a bad state
                        elif data["error"] == "read":
                            info = _failed(path, spec, "read-failed", error=data["detail"], error_en=data["detail_en"],
                                           read_error=data["code"])
                        else:
                            info = _failed(path, spec, "crashed", error=data["detail"])
                        finish(i, info)
                    else:
                        finish(i, FileInfo(**data), answered=True)
                    w.task = None
                elif w.proc.sentinel in ready or not w.proc.is_alive():
                    finish(i, _failed(path, spec, "died"))
                    replace = True
                elif now >= w.deadline:
                    finish(i, _failed(path, spec, "timeout", timeout=timeout))
                    replace = True
                else:
                    continue
                if replace:
                    w.stop(kill=True)
                    w = workers[slot] = _Worker(ctx, memory_mb)
                    w.task = None
                if queue:
                    j = queue.pop()
                    w.send(j, tasks[j][0], tasks[j][1], timeout)
    finally:
        for w in workers:
            w.stop(kill=w.task is not None)
    return [r for r in results if r is not None]


def inspect_bundle(bundle: Bundle, *, jobs: int | None = None, timeout: float = 10.0,
                   memory_mb: int = 512, progress: Callable[[int], None] | None = None) -> list[FileInfo]:
    """Inspect every entry of ``bundle``; return one ``FileInfo`` per entry, in entry order.

    Each file is inspected in a worker process limited to ``memory_mb`` MB more than the
    parent maps and to ``timeout`` seconds; ``jobs`` workers run at once (default: CPU count).
    ``progress(n)`` is called with the number of files just finished (1 each time).
    Never raises for a bad file: problems are in the returned ``FileInfo``.
    """
    tasks = [(e.path, bundle.spec(e.path)) for e in bundle.entries]
    return _run(tasks, jobs, timeout, memory_mb, progress)


def inspect_path(path: str | os.PathLike[str], *, timeout: float = 10.0, memory_mb: int = 512,
                 max_size: int = 200 * 1024 * 1024) -> FileInfo:
    """Inspect one file on disk, with the same bounds as ``inspect_bundle``; return its ``FileInfo``.

    ``FileInfo.path`` is ``path`` as given. Raises ``BundleError`` (exit 2) when it does not
    exist or is not a regular file.
    """
    p = Path(path)
    if not p.is_file():
        raise ERRORS.error(BundleError, "inspect-not-a-file", path=os.fspath(path))
    size = p.stat().st_size
    if size > max_size:
        return file_info(os.fspath(path), extension_kind(str(p)) or "unknown", size, "", readable=False,
                         problem="unreadable", reason="too-large", facts={"size": size, "limit": max_size})
    spec = ReadSpec("file", str(p.resolve()), None, size, max_size)
    return _run([(os.fspath(path), spec)], 1, timeout, memory_mb, None)[0]
