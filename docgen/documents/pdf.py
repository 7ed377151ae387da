"""PDF output through LibreOffice (headless) and merged print files through pypdf.

LibreOffice starts slowly (seconds) but converts quickly once up, so ``convert_to_pdf``
hands it many documents per invocation (chunks of ``CHUNK``). Each instance runs with a
profile of its own (``-env:UserInstallation``), leased for the run: a user's open
LibreOffice, or another batch converting at the same time, would otherwise lock the shared
profile and make the conversion fail or hang. The profiles are kept in docgen's cache
between runs, so LibreOffice builds one only on its first start (``_profiles``). PDFs are
produced in a private folder and moved into place, so a PDF appears under its final name
complete or not at all.
"""
from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from docgen.core.errors import ConversionError
from docgen.core.leftovers import remove_stale
from docgen.core.userdirs import cache_dir
from docgen.documents.messages import MESSAGES

__all__ = ["CHUNK", "FONTS_CONF", "find_soffice", "convert_to_pdf", "instances", "merge_pdfs", "soffice_environment",
           "stop_running"]

CHUNK = 200
_STAGING_RE = re.compile(r"^\.pdf-(\d+)-")
_PROFILE_RE = re.compile(r"^docgen-lo-profile-(\d+)-")
EXPORT_FILTER = "pdf:writer_pdf_Export"


def _known_locations() -> list[Path]:
    """Install folders that are often not on PATH (Windows, macOS)."""
    if sys.platform.startswith("win"):
        roots = [os.environ.get(v) for v in ("PROGRAMFILES", "PROGRAMFILES(X86)")]
        return [Path(r) / "LibreOffice" / "program" / "soffice.exe" for r in roots if r]
    if sys.platform == "darwin":
        return [Path("/Applications/LibreOffice.app/Contents/MacOS/soffice")]
    return []


def find_soffice() -> str:
    """Return the path of LibreOffice's ``soffice``.

    Looks at ``$DOCGEN_SOFFICE``, then ``soffice``/``libreoffice`` on PATH, then the usual
    install folders on Windows and macOS. Raises ``ConversionError`` saying how to install it.
    """
    env = os.environ.get("DOCGEN_SOFFICE")
    if env:
        if Path(env).is_file():
            return env
        raise MESSAGES.error(ConversionError, "soffice-env-missing", path=env)
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    for candidate in _known_locations():
        if candidate.is_file():
            return str(candidate)
    raise MESSAGES.error(ConversionError, "soffice-missing")


#: docgen's fontconfig file: 宋体/仿宋 -> a serif SC face, 黑体 -> a sans SC face (Linux only).
FONTS_CONF = Path(__file__).resolve().parents[1] / "data" / "fonts.conf"


def soffice_environment(base: dict[str, str] | None = None) -> dict[str, str]:
    """Return the environment LibreOffice runs in: ``base`` (default ``os.environ``) plus, on
    Linux and the BSDs, ``FONTCONFIG_FILE`` naming docgen's substitution file, which includes
    the system's own configuration. A ``FONTCONFIG_FILE`` the user set is kept as it is.
    """
    env = dict(os.environ if base is None else base)
    if os.name == "posix" and sys.platform != "darwin" and "FONTCONFIG_FILE" not in env and FONTS_CONF.is_file():
        env["FONTCONFIG_FILE"] = str(FONTS_CONF)
    return env


def _descendants(pid: int) -> list[int]:
    """The processes below ``pid`` (Linux ``/proc``; empty elsewhere), deepest last."""
    children: dict[int, list[int]] = {}
    try:
        entries = os.listdir("/proc")
    except OSError:
        return []
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                stat = fh.read().decode("ascii", "replace")
        except OSError:
            continue
        ppid = int(stat.rpartition(")")[2].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    out: list[int] = []
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


_RUNNING: set[subprocess.Popen] = set()
_RUNNING_LOCK = threading.Lock()


def _kill_tree(proc: subprocess.Popen) -> None:
    """Kill LibreOffice and every process it started (``soffice`` starts ``soffice.bin``)."""
    if os.name != "posix":
        proc.kill()
        return
    for pid in [*_descendants(proc.pid), proc.pid]:
        try:
            os.kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def stop_running() -> None:
    """Kill every LibreOffice this process is waiting for, with its children (the main thread was
    interrupted, or the work it converts for has failed)."""
    with _RUNNING_LOCK:
        running = list(_RUNNING)
    for proc in running:
        _kill_tree(proc)


def _read_back(file: Any) -> str:
    file.seek(0)
    return file.read(1 << 20).decode("utf-8", "replace")


def _run(command: list[str], timeout: float) -> subprocess.CompletedProcess[str]:
    """Run soffice in docgen's own process group, killing it with its children on a timeout.

    Staying in the command's process group means Ctrl-C at the terminal, or a signal to the
    group, reaches LibreOffice too; when docgen itself is interrupted while waiting, the
    conversion is killed before the interruption goes on. Fonts: see ``soffice_environment``
    (Chinese documents name Windows faces Linux lacks).
    """
    # Output goes to files, not pipes: a process LibreOffice started that outlives it would
    # hold a pipe open and keep docgen waiting for its end.
    with tempfile.TemporaryFile() as out_file, tempfile.TemporaryFile() as err_file:
        proc = subprocess.Popen(command, stdout=out_file, stderr=err_file, env=soffice_environment())
        with _RUNNING_LOCK:
            _RUNNING.add(proc)
        try:
            proc.wait(timeout=timeout)
        except BaseException:  # a timeout, Ctrl-C, or the thread's batch failing: LibreOffice goes too
            _kill_tree(proc)
            proc.wait()
            raise
        finally:
            with _RUNNING_LOCK:
                _RUNNING.discard(proc)
        out, err = (_read_back(f) for f in (out_file, err_file))
    return subprocess.CompletedProcess(command, proc.returncode, out, err)


def _convert_chunk(soffice: str, batch: list[Path], target: Path, profile: Path, timeout: float | None,
                   export_filter: str = EXPORT_FILTER) -> list[Path]:
    """One LibreOffice invocation for ``batch``; returns the PDFs moved into ``target``."""
    # Converted into a private folder beside the targets, then renamed into place.
    staging = Path(tempfile.mkdtemp(prefix=f".pdf-{os.getpid()}-", dir=target))
    try:
        command = [
            soffice, "--headless", "--invisible", "--norestore", "--nologo", "--nodefault",
            "--nolockcheck", f"-env:UserInstallation={profile.as_uri()}",
            "--convert-to", export_filter, "--outdir", str(staging),
            *[str(p.resolve()) for p in batch],
        ]
        limit = timeout if timeout is not None else 120 + 3 * len(batch)
        try:
            proc = _run(command, limit)
        except subprocess.TimeoutExpired:
            raise MESSAGES.error(ConversionError, "soffice-timeout", seconds=limit, count=len(batch),
                                 first=batch[0].name) from None
        except OSError as exc:
            raise MESSAGES.error(ConversionError, "soffice-start-failed", soffice=soffice, reason=exc.strerror) from None
        failed = [s.name for s in batch
                  if not (staging / f"{s.stem}.pdf").is_file() or (staging / f"{s.stem}.pdf").stat().st_size == 0]
        if failed:
            detail = (proc.stderr or proc.stdout or "").strip().splitlines()[-3:]
            raise MESSAGES.error(ConversionError, "conversion-failed", failed=failed, returncode=proc.returncode,
                                 detail=detail)
        results = []
        for source in batch:
            final = target / f"{source.stem}.pdf"
            os.replace(staging / final.name, final)
            results.append(final)
        return results
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def convert_to_pdf(
    docx_paths: Sequence[str | os.PathLike[str]],
    out_dir: str | os.PathLike[str],
    *,
    timeout: float | None = None,
    chunk: int = CHUNK,
    parallel: int = 1,
    progress: Callable[[int], None] | None = None,
    export_filter: str = EXPORT_FILTER,
) -> list[Path]:
    """Convert ``docx_paths`` to PDF in ``out_dir``; return the PDF paths in input order.

    Each PDF is named after its document (``X.docx`` -> ``out_dir/X.pdf``). Documents go to
    LibreOffice ``chunk`` at a time; ``parallel`` > 1 runs that many LibreOffice instances
    at once (each with its own profile). ``timeout`` bounds one invocation (default: 120 s
    plus 3 s per document); ``progress`` is called with the number of documents converted
    so far; ``export_filter`` is LibreOffice's ``--convert-to`` argument (PDF export options).
    Raises ``ConversionError`` when soffice is missing, times out, or a PDF was not
    produced (naming the files); PDFs already converted stay in place.
    """
    sources = [Path(p) for p in docx_paths]
    if not sources:
        return []
    missing = [str(p) for p in sources if not p.is_file()]
    if missing:
        raise MESSAGES.error(ConversionError, "convert-missing-files", missing=missing)
    stems = [p.stem for p in sources]
    if len(set(stems)) != len(stems):
        raise MESSAGES.error(ConversionError, "convert-same-names", names=sorted({s for s in stems if stems.count(s) > 1}))
    soffice = find_soffice()
    target = Path(out_dir)
    target.mkdir(parents=True, exist_ok=True)
    size = max(1, chunk)
    workers = max(1, min(parallel, len(sources)))
    if workers > 1:
        # Spread the documents so every instance gets work: LibreOffice's start-up is paid
        # once per invocation, so fewer, larger chunks per instance are cheaper.
        size = min(size, -(-len(sources) // workers))
    batches = [sources[i:i + size] for i in range(0, len(sources), size)]
    # Staging folders of a run that was killed are removed first (its profiles by ``_profiles``).
    remove_stale(target, _STAGING_RE)
    with _profiles(workers) as profiles:
        return _convert_batches(soffice, batches, target, profiles, timeout, progress, export_filter)


@contextlib.contextmanager
def instances(count: int, *, timeout: float | None = None,
              export_filter: str = EXPORT_FILTER) -> Iterator[Callable[[Path, Path], Path]]:
    """Yield ``convert(source, out_dir) -> pdf``, callable from up to ``count`` threads at once,
    each call one LibreOffice invocation with a profile no other call is using.

    For callers that prepare documents while earlier ones convert (print runs): the documents
    need not exist when the instances are set up. ``convert`` raises ``ConversionError`` as
    ``convert_to_pdf`` does; the PDF appears in ``out_dir`` complete or not at all. Leaving the
    block with an exception removes the kept profiles (``_profiles``); LibreOffice still running
    then is the caller's to stop (``stop_running``).
    """
    import queue

    soffice = find_soffice()
    with _profiles(max(1, count)) as profiles:
        free: queue.SimpleQueue[Path] = queue.SimpleQueue()
        for profile in profiles:
            free.put(profile)

        def convert(source: Path, out_dir: Path) -> Path:
            profile = free.get()
            try:
                return _convert_chunk(soffice, [source], out_dir, profile, timeout, export_filter)[0]
            finally:
                free.put(profile)

        yield convert


#: Profiles kept between runs in the cache (``lo-profile-N``); more instances at once get throw-away ones.
_KEPT_PROFILES = 4
#: A kept profile no run has leased for this long is removed (its lock file stays: see ``_prune_profiles``).
PROFILE_IDLE_DAYS = 30
_KEPT_RE = re.compile(r"^lo-profile-(\d+)(\.lock)?$")


def _lease(fcntl: Any, lock_path: Path) -> int | None:
    """Open and lock ``lock_path`` without waiting; return the descriptor, None when another
    run holds it or it cannot be opened."""
    try:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return None
    return fd


def _prune_profiles(base: Path, fcntl: Any, now: float) -> None:
    """Remove the kept profiles of ``base`` that are of no further use, unless a run holds them:
    a slot beyond ``_KEPT_PROFILES`` (with its lock file: no run leases it any more), a profile
    no run has leased for ``PROFILE_IDLE_DAYS`` (the lock file's time is the last lease), and a
    profile whose last run was killed while it held it (its pid still in the lock file: the
    profile may be half written). The lock file of a slot in use stays, empty: removing it
    could let two runs lock two different files for one profile."""
    try:
        entries = list(os.scandir(base))
    except OSError:
        return
    slots = {int(m.group(1)) for m in (_KEPT_RE.match(e.name) for e in entries) if m}
    for slot in sorted(slots):
        profile, lock_path = base / f"lo-profile-{slot}", base / f"lo-profile-{slot}.lock"
        fd = _lease(fcntl, lock_path)
        if fd is None:
            continue
        try:
            stat = os.fstat(fd)
            killed = stat.st_size > 0
            idle = now - stat.st_mtime > PROFILE_IDLE_DAYS * 86400 and profile.exists()
            if slot >= _KEPT_PROFILES or killed or idle:
                shutil.rmtree(profile, ignore_errors=True)
                if slot >= _KEPT_PROFILES:
                    os.unlink(lock_path)
                else:
                    os.ftruncate(fd, 0)
        except OSError:
            pass
        finally:
            os.close(fd)


@contextlib.contextmanager
def _profiles(count: int) -> Iterator[list[Path]]:
    """Yield ``count`` LibreOffice profiles, one per instance, never one another run is using.

    LibreOffice's first start in an empty profile builds it (about 1.5 s of CPU, a few
    milliseconds a letter of a print run), so profiles are kept between runs in docgen's
    cache folder, each leased with a lock for the run (two runs, or two instances, never
    share one: LibreOffice would refuse or hang); the lock file holds the leasing process's id
    while it runs. Where there is no cache (``DOCGEN_NO_CACHE``), no ``flock`` (Windows) or
    every kept profile is in use, a throw-away profile is used and removed afterwards. A kept
    profile whose conversion failed is removed, so a damaged one is never used twice; so is one
    whose run was killed, and one left unused (``_prune_profiles``).
    """
    import time

    # Throw-away profiles of a run that was killed are removed first.
    remove_stale(Path(tempfile.gettempdir()), _PROFILE_RE)
    base = cache_dir()
    try:
        import fcntl
    except ImportError:  # Windows
        fcntl = None  # type: ignore[assignment]
    if base is not None and fcntl is not None:
        _prune_profiles(base, fcntl, time.time())
    leased: list[Path] = []
    locks: list[int] = []
    fresh: list[Path] = []
    slot = 0
    try:
        while len(leased) < count:
            if base is None or fcntl is None or slot >= _KEPT_PROFILES:
                fresh.append(Path(tempfile.mkdtemp(prefix=f"docgen-lo-profile-{os.getpid()}-")))
                leased.append(fresh[-1])
                continue
            kept = base / f"lo-profile-{slot}"
            slot += 1
            try:
                base.mkdir(parents=True, exist_ok=True)
            except OSError:
                continue
            fd = _lease(fcntl, Path(f"{kept}.lock"))
            if fd is None:
                continue
            locks.append(fd)
            try:
                os.ftruncate(fd, 0)
                os.write(fd, str(os.getpid()).encode())  # cleared when the run ends normally
            except OSError:
                pass
            leased.append(kept)
        try:
            yield leased
        except BaseException:
            for profile in leased:
                if profile not in fresh:
                    shutil.rmtree(profile, ignore_errors=True)
            raise
    finally:
        for profile in fresh:
            shutil.rmtree(profile, ignore_errors=True)
        for fd in locks:
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)
            os.close(fd)


def _convert_batches(soffice: str, batches: list[list[Path]], target: Path, profiles: list[Path],
                     timeout: float | None, progress: Callable[[int], None] | None,
                     export_filter: str) -> list[Path]:
    """Convert ``batches`` with one LibreOffice instance per profile; return the PDFs in order."""
    workers = len(profiles)
    done: dict[int, list[Path]] = {}
    lock = threading.Lock()
    count = 0

    def run(index: int, profile: Path) -> None:
        nonlocal count
        pdfs = _convert_chunk(soffice, batches[index], target, profile, timeout, export_filter)
        with lock:
            done[index] = pdfs
            count += len(pdfs)
            if progress is not None:
                progress(count)

    if workers == 1:
        for index in range(len(batches)):
            run(index, profiles[0])
    else:
        # Threads only wait on the LibreOffice processes; each instance owns one profile.
        queue = list(range(len(batches)))
        errors: list[BaseException] = []

        def worker(profile: Path) -> None:
            while True:
                with lock:
                    if not queue or errors:
                        return
                    index = queue.pop(0)
                try:
                    run(index, profile)
                except BaseException as exc:  # reported after every instance stopped
                    with lock:
                        errors.append(exc)
                    return

        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="docgen-lo") as threads:
            try:
                list(threads.map(worker, profiles))
            except BaseException:
                # Ctrl-C reaches only this thread: stop the instances the others wait on,
                # or leaving this block would wait for their conversions to finish.
                with lock:
                    queue.clear()
                stop_running()
                raise
        if errors:
            raise errors[0]
    return [pdf for index in range(len(batches)) for pdf in done[index]]


def merge_pdfs(pdf_paths: Sequence[str | os.PathLike[str]], out_path: str | os.PathLike[str]) -> None:
    """Concatenate ``pdf_paths`` in the given order into ``out_path`` (written atomically,
    streamed one input at a time: ``docgen.documents.pdfmerge``).

    Raises ``ConversionError`` when there is nothing to merge or an input is not a readable PDF.
    """
    from docgen.documents.pdfmerge import stream_merge

    stream_merge(pdf_paths, out_path)
