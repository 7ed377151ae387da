"""Reading a client bundle: a folder or a ``.zip`` of one (DESIGN §3, §5 ``unsafe-entry``).

``open_bundle`` lists the regular files that are safe to read and reports every member it
refuses as an ``unsafe-entry`` finding. A zip is never extracted to disk: members are
streamed from the archive, and only members that passed every check can be read.

Hazards handled:

* zip member names stored without the UTF-8 flag (zips made on Chinese Windows store GBK
  bytes, which Python shows as cp437 mojibake) are re-decoded;
* absolute paths, drive letters, ``..`` components (also spelled with backslashes), links,
  encrypted members, duplicate names, control characters in names;
* members over the per-file size cap, the total-size cap, the member-count cap, or with a
  compression ratio typical of zip bombs;
* in folders: symbolic links leaving the folder, and special files (FIFOs, devices) that
  would block or never end when read.

Nested zips are plain files here (kind ``zip``); they are never opened as bundles.
"""
from __future__ import annotations

import os
import re
import stat
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from docgen.core.access import check_readable, is_denied, when_denied
from docgen.core.regularfile import NotRegularFile, open_regular
from docgen.core.textcodec import decode_chinese
from docgen.core.errors import BundleError
from docgen.check.findings import Finding
from docgen.check.messages import ERRORS
from docgen.core.wording import reason_of

__all__ = [
    "Bundle",
    "Entry",
    "Limits",
    "ReadSpec",
    "open_bundle",
    "read_spec",
    "sha256_spec",
    "is_junk",
]

MB = 1024 * 1024

#: Base names of files that operating systems and Office leave behind; never client documents.
_JUNK_NAMES = {".ds_store", "thumbs.db", "desktop.ini", "ehthumbs.db", ".localized"}
#: Folder names whose whole content is junk (macOS resource forks in zips, VCS folders).
_JUNK_DIRS = {"__macosx", ".git", ".svn", ".trash", ".trashes", ".spotlight-v100", ".fseventsd"}

_DRIVE = re.compile(r"^[A-Za-z]:")
# ASCII control characters have no place in a document name and can hide tricks in reports.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class Limits:
    """Caps that keep a hostile bundle from exhausting the checker.

    ``max_ratio`` applies to zip members whose uncompressed size exceeds ``ratio_min_size``:
    ordinary documents compress far less than 100:1, zip bombs far more.
    """

    max_file_size: int = 200 * MB
    max_total_size: int = 2048 * MB
    max_members: int = 10_000
    max_ratio: float = 100.0
    ratio_min_size: int = 1 * MB


DEFAULT_LIMITS = Limits()


@dataclass(frozen=True)
class Entry:
    """A regular file of the bundle that is safe to read.

    ``path`` is relative to the bundle root, ``/``-separated and correctly decoded;
    ``size`` is the uncompressed size in bytes.
    """

    path: str
    size: int


@dataclass(frozen=True)
class ReadSpec:
    """How a worker process reads one entry by itself (picklable, no open handles).

    ``kind`` is ``'file'`` (``location`` is the file on disk) or ``'zip'`` (``location`` is the
    archive and ``member`` the raw member name as ``zipfile`` knows it). ``cap`` is the most
    bytes the reader may produce.
    """

    kind: str
    location: str
    member: str | None
    size: int
    cap: int


def is_junk(path: str) -> bool:
    """Return True when ``path`` is operating-system or Office litter, not a client document.

    Covers ``__MACOSX/`` and AppleDouble ``._*`` files, ``.DS_Store``, ``Thumbs.db``,
    ``desktop.ini``, Office lock files ``~$*`` and LibreOffice lock files ``.~lock.*#``.
    """
    parts = path.split("/")
    if any(p.lower() in _JUNK_DIRS for p in parts[:-1]):
        return True
    name = parts[-1]
    low = name.lower()
    return (
        low in _JUNK_NAMES
        or name.startswith("~$")
        or name.startswith("._")
        or (name.startswith(".~lock.") and name.endswith("#"))
    )


def _unsafe(path: str, reason: str, **facts: Any) -> Finding:
    """Return the ``unsafe-entry`` finding of ``path``; ``reason`` names its wording in ``check.messages``."""
    return Finding("unsafe-entry", path=path, reason=reason, params=facts)


def _denied(path: str, reason: str) -> Finding:
    """Return the ``unreadable`` finding of a file or folder of the bundle this user may not read
    or enter (``reason``: ``folder-denied`` or ``entry-denied``): not damaged, not unsafe, and
    not missing either, though nothing in it was checked."""
    return Finding("unreadable", path=path, reason=reason, params={"denied": True})


def _check_name(name: str) -> tuple[str | None, str | None]:
    """Normalise a member name; return ``(path, None)`` or ``(None, reason)`` (a ``check.messages`` reason).

    Backslashes are treated as separators (old Windows tools write them) *before* the checks,
    so ``..\\evil.pdf`` is caught as a ``..`` component rather than slipping through.
    """
    if _CONTROL.search(name):
        return None, "control-characters"
    norm = name.replace("\\", "/")
    if norm.startswith("/"):
        return None, "absolute-path"
    if _DRIVE.match(norm):
        return None, "drive-letter"
    parts = [p for p in norm.split("/") if p not in ("", ".")]
    if any(p == ".." for p in parts):
        return None, "parent-path"
    if not parts:
        return None, "empty-name"
    return "/".join(parts), None


# ---------------------------------------------------------------------------------------------
# zip member names


def _decode_unicode_extra(info: zipfile.ZipInfo, raw: bytes) -> str | None:
    """Return the name from an Info-ZIP Unicode Path extra field (0x7075) if present and current.

    The field carries a CRC of the legacy name; a stale field (name edited later) is ignored.
    """
    import struct

    extra = info.extra
    i = 0
    while i + 4 <= len(extra):
        tag, size = struct.unpack_from("<HH", extra, i)
        data = extra[i + 4 : i + 4 + size]
        i += 4 + size
        if tag == 0x7075 and len(data) >= 5 and data[0] == 1:
            (crc,) = struct.unpack_from("<I", data, 1)
            if crc == zlib.crc32(raw):
                try:
                    return data[5:].decode("utf-8")
                except UnicodeDecodeError:
                    return None
    return None


def _decode_legacy(raw: bytes, archive_is_utf8: bool) -> str:
    """Decode a member name stored without the UTF-8 flag.

    Zips made on Chinese Windows store GBK (a subset of GB18030); macOS tools store UTF-8
    without setting the flag. ``archive_is_utf8`` is True when every unflagged name of the
    archive is valid UTF-8, which GBK text almost never is; the decision is per archive so
    one name cannot be decoded one way and its sibling another.
    """
    if archive_is_utf8:
        return raw.decode("utf-8")
    text = decode_chinese(raw, order=("gb18030",))
    return text if text is not None else raw.decode("gb18030", errors="replace")


def _member_names(infos: list[zipfile.ZipInfo]) -> list[str]:
    """Return the correctly decoded name of each member, in order."""
    raws: list[bytes | None] = []
    for info in infos:
        if info.flag_bits & 0x800:
            raws.append(None)
        else:
            # zipfile decoded the stored bytes as cp437, which is lossless: encode to get them back.
            raws.append(info.filename.encode("cp437"))
    legacy = [r for r in raws if r is not None and not r.isascii()]
    archive_is_utf8 = bool(legacy)
    for r in legacy:
        try:
            r.decode("utf-8")
        except UnicodeDecodeError:
            archive_is_utf8 = False
            break
    names = []
    for info, raw in zip(infos, raws):
        if raw is None or raw.isascii():
            names.append(info.filename)
            continue
        names.append(_decode_unicode_extra(info, raw) or _decode_legacy(raw, archive_is_utf8))
    return names


# ---------------------------------------------------------------------------------------------
# reading with a cap


def read_spec(spec: ReadSpec, _zip_cache: dict[str, zipfile.ZipFile] | None = None, label: str | None = None) -> bytes:
    """Return the bytes ``spec`` names, never more than ``spec.cap``; raises ``BundleError``
    whose message starts with ``label`` (the entry's bundle path; a zip member's stored name
    would be mojibake for GBK names).

    Used by worker processes, which must open the archive themselves: a zip handle inherited
    across ``fork`` shares its file offset with the parent and siblings.
    ``_zip_cache`` lets a worker keep archives open between calls.
    """
    first = min(spec.size, spec.cap) + 1 if spec.kind == "file" else 1 * MB
    return _read_all(_open_spec(spec, _zip_cache), spec.cap, label or spec.member or spec.location, first)


def sha256_spec(spec: ReadSpec) -> str:
    """Return the SHA-256 hex digest of what ``spec`` names, streamed (never held in memory).

    Raises ``BundleError`` when it cannot be read or exceeds its cap.
    """
    import hashlib

    digest = hashlib.sha256()
    total = 0
    label = spec.member or spec.location
    try:
        with _open_spec(spec, None) as stream:
            while chunk := stream.read(1 * MB):
                total += len(chunk)
                if total > spec.cap:
                    raise ERRORS.error(BundleError, "bundle-file-too-large", label=label, cap=spec.cap)
                digest.update(chunk)
    except (OSError, zipfile.BadZipFile, EOFError, ValueError, zlib.error, NotImplementedError) as exc:
        raise ERRORS.error(BundleError, "bundle-read-failed", label=label, reason=reason_of(exc)) from exc
    return digest.hexdigest()


def _open_spec(spec: ReadSpec, cache: dict[str, zipfile.ZipFile] | None) -> BinaryIO:
    try:
        if spec.kind == "file":
            # A file swapped for a FIFO or a link after listing must neither block nor be followed.
            try:
                return open_regular(spec.location, follow_links=False)
            except NotRegularFile:
                raise ERRORS.error(BundleError, "bundle-not-regular-file", location=spec.location) from None
        zf = cache.get(spec.location) if cache is not None else None
        if zf is None:
            zf = zipfile.ZipFile(spec.location)
            if cache is not None:
                cache[spec.location] = zf
        assert spec.member is not None
        return zf.open(spec.member)
    except NotImplementedError as exc:
        # Windows' built-in zipper uses Deflate64 for big files; Python cannot inflate it.
        raise ERRORS.error(BundleError, "bundle-compression-unsupported", reason=reason_of(exc)) from exc
    except (OSError, zipfile.BadZipFile, KeyError, RuntimeError, ValueError, EOFError, zlib.error) as exc:
        # ValueError includes a local header whose name does not decode like the directory's.
        when_denied(exc, BundleError, spec.location)
        raise ERRORS.error(BundleError, "bundle-entry-unreadable", location=spec.member or spec.location,
                           reason=reason_of(exc)) from exc


def _read_all(stream: BinaryIO, cap: int, label: str, first: int = 1 * MB) -> bytes:
    """Return all of ``stream`` (closing it); raises ``BundleError`` past ``cap`` bytes or on errors.

    ``first`` sizes the first read: a plain file whose size is known is read in one
    allocation (memory is capped in workers, so no double buffering). Zip members are read
    in 1 MB chunks because ``ZipExtFile.read(n)`` concatenates internally.
    """
    chunks = []
    total = 0
    size = max(1, first)
    try:
        with stream:
            while True:
                chunk = stream.read(size)
                size = 1 * MB
                if not chunk:
                    break
                total += len(chunk)
                if total > cap:
                    raise ERRORS.error(BundleError, "bundle-file-too-large", label=label, cap=cap)
                chunks.append(chunk)
    except (OSError, zipfile.BadZipFile, EOFError, ValueError, zlib.error, NotImplementedError) as exc:
        # ValueError/EOFError come from corrupt deflate streams; BadZipFile from CRC mismatches.
        raise ERRORS.error(BundleError, "bundle-read-failed", label=label, reason=reason_of(exc)) from exc
    return b"".join(chunks)


# ---------------------------------------------------------------------------------------------
# the bundle


class Bundle:
    """An opened bundle: safe ``entries`` to read and ``unsafe`` findings for the rest.

    A context manager; ``close()`` releases the archive. ``root`` is what the user passed.
    """

    def __init__(self, root: str, entries: list[Entry], unsafe: list[Finding],
                 specs: dict[str, ReadSpec], zf: zipfile.ZipFile | None) -> None:
        self.root = root
        self.entries = entries
        self.unsafe = unsafe
        self._specs = specs
        self._zip = zf

    # -- reading -------------------------------------------------------------------------------
    def spec(self, path: str) -> ReadSpec:
        """Return how to read entry ``path`` in another process; raises ``KeyError`` if not an entry."""
        return self._specs[path]

    def read(self, path: str) -> bytes:
        """Return the bytes of entry ``path``; raises ``KeyError`` or ``BundleError``."""
        spec = self._specs[path]
        if spec.kind == "zip" and self._zip is None:
            raise ERRORS.error(BundleError, "bundle-closed", root=self.root)
        # The bundle's own archive handle serves its members (same process, no fork here).
        cache = {spec.location: self._zip} if self._zip is not None else None
        return read_spec(spec, cache, path)

    def __contains__(self, path: object) -> bool:
        return path in self._specs

    # -- lifetime ------------------------------------------------------------------------------
    def close(self) -> None:
        """Release the archive (no-op for folders)."""
        if self._zip is not None:
            self._zip.close()
            self._zip = None

    def __enter__(self) -> Bundle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Bundle({self.root!r}, {len(self.entries)} entries, {len(self.unsafe)} unsafe)"


def open_bundle(path: str | os.PathLike[str], *, limits: Limits = DEFAULT_LIMITS) -> Bundle:
    """Open a bundle folder or ``.zip``; return a ``Bundle``.

    Raises ``BundleError`` (exit 2) when ``path`` does not exist, may not be read (a folder that
    may not be listed or entered, a zip that may not be opened: not "damaged", not "empty"), is
    neither a folder nor a zip archive, or the archive is corrupt.
    """
    root = os.fspath(path)
    p = Path(root)
    check_readable(root, BundleError)
    if not p.exists():
        raise ERRORS.error(BundleError, "bundle-not-found", root=root)
    if p.is_dir():
        return _open_folder(root, p, limits)
    if p.is_file():
        if not zipfile.is_zipfile(p):
            raise ERRORS.error(BundleError, "bundle-not-zip", root=root, **_what_file(p))
        return _open_zip(root, p, limits)
    raise ERRORS.error(BundleError, "bundle-not-folder-or-zip", root=root)


def _what_file(p: Path) -> dict[str, str]:
    """What a file given as a bundle holds when it is no zip archive, from its first bytes:
    ``{"format": "rar"}`` for a format no checklist reads (a RAR archive, as WinRAR makes),
    ``{"kind": "pdf"}`` for one of docgen's kinds (a single scanned document), or nothing when
    it cannot be told (damaged, text, or no file docgen knows)."""
    from docgen.core.sniff import foreign_format, sniff_kind

    try:
        with open(p, "rb") as fh:
            head = fh.read(1 << 16)
    except OSError:
        return {}
    found = foreign_format(head[:64])
    if found is not None:
        return {"format": found}
    kind = sniff_kind(head)
    return {"kind": kind} if kind not in ("unknown", "zip", "text") else {}


def _open_zip(root: str, p: Path, limits: Limits) -> Bundle:
    try:
        zf = zipfile.ZipFile(p)
        infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
        raise ERRORS.error(BundleError, "bundle-zip-corrupt", root=root, reason=reason_of(exc)) from exc
    try:
        return _list_zip(root, p, zf, infos, limits)
    except BaseException:
        zf.close()
        raise


def _list_zip(root: str, p: Path, zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo],
              limits: Limits) -> Bundle:
    unsafe: list[Finding] = []
    names = _member_names(infos)
    candidates: list[tuple[str, zipfile.ZipInfo]] = []
    seen: dict[str, int] = {}
    skipped_for_count = 0
    first_skipped: str | None = None
    counted = 0
    for info, name in zip(infos, names):
        if info.is_dir() or name.endswith("/") or name.endswith("\\"):
            continue
        counted += 1
        if counted > limits.max_members:
            skipped_for_count += 1
            first_skipped = first_skipped or name
            continue
        path, why = _check_name(name)
        if why is not None:
            unsafe.append(_unsafe(name, why))
            continue
        assert path is not None
        if is_junk(path):
            continue
        mode = info.external_attr >> 16
        if stat.S_ISLNK(mode):
            unsafe.append(_unsafe(path, "symlink"))
            continue
        if mode and stat.S_IFMT(mode) and not stat.S_ISREG(mode):
            unsafe.append(_unsafe(path, "not-regular"))
            continue
        if info.flag_bits & 0x1:
            unsafe.append(_unsafe(path, "encrypted-member"))
            continue
        if info.file_size > limits.max_file_size:
            unsafe.append(_unsafe(path, "too-large", size=info.file_size, limit=limits.max_file_size))
            continue
        if info.file_size > limits.ratio_min_size and \
                info.file_size > limits.max_ratio * max(info.compress_size, 1):
            ratio = info.file_size / max(info.compress_size, 1)
            unsafe.append(_unsafe(path, "zip-bomb", ratio=ratio, limit=limits.max_ratio))
            continue
        key = _same_name(path)
        seen[key] = seen.get(key, 0) + 1
        candidates.append((path, info))
    if skipped_for_count:
        unsafe.append(_unsafe(first_skipped or "", "too-many-members", limit=limits.max_members,
                              skipped=skipped_for_count))

    # Duplicates: which copy a tool reads is undefined, so none is read (see ``_same_name``).
    kept: list[tuple[str, zipfile.ZipInfo]] = []
    for path, info in candidates:
        if seen[_same_name(path)] > 1:
            unsafe.append(_unsafe(path, "duplicate-name"))
        else:
            kept.append((path, info))

    kept = _strip_single_top(kept)
    entries, specs, total = [], {}, 0
    for path, info in sorted(kept, key=lambda t: t[0]):
        total += info.file_size
        if total > limits.max_total_size:
            unsafe.append(_unsafe(path, "total-too-large", limit=limits.max_total_size))
            continue
        entries.append(Entry(path, info.file_size))
        specs[path] = ReadSpec("zip", str(p.resolve()), info.filename, info.file_size,
                               min(info.file_size, limits.max_file_size))
    unsafe.sort(key=lambda f: f.path or "")
    return Bundle(root, entries, unsafe, specs, zf)


def _same_name(path: str) -> str:
    """Return what two member names share when one unpacked folder can hold only one of them.

    Case-insensitive, because the client's Windows keeps one of 营业执照.PDF and 营业执照.pdf;
    and in Unicode's composed form, because a Mac keeps one of two names differing only in how
    a character is encoded: é as one code point or as e and an accent, 金 (U+91D1) or its
    compatibility twin U+F90A.
    """
    return unicodedata.normalize("NFC", path).casefold()


def _strip_single_top(items: list[tuple[str, zipfile.ZipInfo]]) -> list[tuple[str, zipfile.ZipInfo]]:
    """Drop a single top folder holding ``bundle.yaml``: "compress folder" puts one there.

    The bundle root is then the client folder, so ``bundle.yaml`` and the paths of its
    ``documents`` mapping are where DESIGN §3 expects them. A top folder without
    ``bundle.yaml`` is kept: it may be a stage folder (``01-申请前期``) or an item's folder
    (``营业执照``), which matching reads.
    """
    if not items:
        return items
    tops = {path.split("/", 1)[0] for path, _ in items}
    if len(tops) != 1 or any("/" not in path for path, _ in items):
        return items
    if f"{next(iter(tops))}/bundle.yaml" not in {path for path, _ in items}:
        return items
    return [(path.split("/", 1)[1], info) for path, info in items]


# ---------------------------------------------------------------------------------------------
# folders


def _decode_fs_name(name: str) -> str:
    """Return a display name for a file-system name that may not be UTF-8.

    Python keeps undecodable bytes as surrogates; a name copied from a Chinese Windows disk
    is GBK, so it is decoded as GB18030 for the report.
    """
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        raw = os.fsencode(name)
        try:
            return raw.decode("gb18030")
        except UnicodeDecodeError:
            return raw.decode("utf-8", errors="replace")


def _open_folder(root: str, p: Path, limits: Limits) -> Bundle:
    base = p.resolve()
    unsafe: list[Finding] = []
    found: list[tuple[str, str, int]] = []  # (display path, real path, size)
    count = 0
    skipped_for_count = 0
    first_skipped: str | None = None
    walk_errors: list[OSError] = []
    # A folder that cannot be listed must be reported, not silently left out of the check.
    for dirpath, dirnames, filenames in os.walk(base, followlinks=False, onerror=walk_errors.append):
        rel_dir = os.path.relpath(dirpath, base)
        rel_parts = [] if rel_dir == "." else [_decode_fs_name(x) for x in rel_dir.split(os.sep)]
        keep_dirs = []
        for d in sorted(dirnames):
            disp = "/".join(rel_parts + [_decode_fs_name(d)])
            full = os.path.join(dirpath, d)
            if d.lower() in _JUNK_DIRS:
                continue
            if os.path.islink(full):
                unsafe.append(_unsafe(disp, "folder-symlink"))
                continue
            keep_dirs.append(d)
        dirnames[:] = keep_dirs
        for f in sorted(filenames):
            disp = "/".join(rel_parts + [_decode_fs_name(f)])
            full = os.path.join(dirpath, f)
            if is_junk(disp):
                continue
            count += 1
            if count > limits.max_members:
                skipped_for_count += 1
                first_skipped = first_skipped or disp
                continue
            if _CONTROL.search(disp):
                unsafe.append(_unsafe(disp, "control-characters"))
                continue
            try:
                st = os.lstat(full)
                if stat.S_ISLNK(st.st_mode):
                    target = os.path.realpath(full)
                    inside = os.path.commonpath([str(base), target]) == str(base)
                    if not inside:
                        unsafe.append(_unsafe(disp, "symlink-outside"))
                        continue
                    st = os.stat(target)
                    full = target
                if not stat.S_ISREG(st.st_mode):
                    unsafe.append(_unsafe(disp, "special-file"))
                    continue
            except OSError as exc:
                unsafe.append(_denied(disp, "entry-denied") if is_denied(exc)
                              else _unsafe(disp, "cannot-access", error=exc.strerror))
                continue
            if st.st_size > limits.max_file_size:
                unsafe.append(_unsafe(disp, "too-large", size=st.st_size, limit=limits.max_file_size))
                continue
            found.append((disp, full, st.st_size))
    for exc in walk_errors:
        rel = os.path.relpath(exc.filename, base) if exc.filename else "."
        disp = "/".join(_decode_fs_name(x) for x in rel.split(os.sep)) if rel != "." else "."
        unsafe.append(_denied(disp, "folder-denied") if is_denied(exc)
                      else _unsafe(disp, "folder-inaccessible", error=exc.strerror))
    if skipped_for_count:
        unsafe.append(_unsafe(first_skipped or "", "too-many-files", limit=limits.max_members,
                              skipped=skipped_for_count))
    entries, specs, total = [], {}, 0
    for disp, full, size in sorted(found):
        total += size
        if total > limits.max_total_size:
            unsafe.append(_unsafe(disp, "total-too-large", limit=limits.max_total_size))
            continue
        entries.append(Entry(disp, size))
        specs[disp] = ReadSpec("file", full, None, size, limits.max_file_size)
    unsafe.sort(key=lambda f: f.path or "")
    return Bundle(root, entries, unsafe, specs, None)
