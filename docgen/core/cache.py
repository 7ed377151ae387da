"""The user's cache folder: results that depend only on their inputs, kept between runs.

Each entry is one JSON file ``{kind}-{key}.json``; the key is a SHA-256 of everything the
result depends on (the input's bytes, docgen's version, and whatever else the caller adds),
so a changed input or a new docgen simply misses. Kinds a run stores dozens of at once (a
bundle's file inspections) are kept in packs instead (``Packs``): one file per run holding all
its entries, since creating a file costs more than writing a few KB. Results too large to hold
in memory at once (a parsed ledger) are record files (``RecordWriter``, ``read_records``):
written and read a record at a time, each record checked, in a folder of the user's own. The folder is ``userdirs.cache_dir()``
(``$DOCGEN_CACHE_DIR`` moves it, ``DOCGEN_NO_CACHE=1`` turns caching off). A cache is an
optimisation: an unwritable folder or a damaged entry reads as a miss and is never an error.
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import re
import stat
import struct
import sys
import time
import zlib
from collections.abc import Iterator
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from docgen.core.messages import MESSAGES
from docgen.core.regularfile import open_regular
from docgen.core.textcodec import lone_surrogate
from docgen.core.userdirs import cache_dir

__all__ = ["DamagedEntry", "Packs", "RecordWriter", "Unencodable", "cache_dir", "cache_key", "code_digest",
           "decode_value", "encode_value", "keeps_beside_packages", "library_marks", "package_cache", "private_folder",
           "read_entry", "read_json", "read_records", "write_entry", "write_file", "write_json"]


@lru_cache(maxsize=None)
def code_digest(*modules: str) -> str:
    """Return a SHA-256 of the source files of ``modules`` (dotted names): part of a cache key
    whose result depends on that code, so an entry written by other code (a development build
    with the same version number) is never read back.

    The modules are found, not imported: a cache hit must not pay for the code it spares.
    """
    from importlib.util import find_spec

    digest = hashlib.sha256()
    for name in modules:
        spec = find_spec(name)
        source = spec.origin if spec is not None else None
        try:
            digest.update(Path(source).read_bytes() if source else name.encode())
        except OSError:
            digest.update(name.encode())
    return digest.hexdigest()


@lru_cache(maxsize=None)
def library_marks(*packages: str) -> str:
    """Return a mark of the installed code of ``packages`` (top-level names): each file directly in
    the package's folder (its extension module, its ``__init__``) by name, size and modification
    time. Part of a cache key whose result depends on a library: an upgrade changes it. The
    packages are found, not imported (``importlib.metadata`` would cost ~0.1 s here); looked at
    once per process, as ``code_digest`` (an upgrade's code is not what a running process uses)."""
    from importlib.util import find_spec

    marks = []
    for name in packages:
        spec = find_spec(name)
        places = list(spec.submodule_search_locations or ()) if spec is not None else []
        if spec is not None and spec.origin and not places:
            places = [os.path.dirname(spec.origin)]
        marks.append(name)
        for place in places:
            try:
                with os.scandir(place) as found:
                    for entry in sorted(found, key=lambda entry: entry.name):
                        if entry.is_file():
                            info = entry.stat()
                            marks.append(f"{entry.name}:{info.st_size}:{info.st_mtime_ns}")
            except OSError:
                marks.append("?")
    return "\n".join(marks)


def package_cache(folder: Path, name: str) -> Path | None:
    """Return where a form computed from a package's own files (a parsed table, a compiled
    checklist) is kept beside the package, as bytecode is: ``folder/__pycache__/name``; None when
    caching is off. Read it whenever it is there (it carries its own key); write it only when
    ``keeps_beside_packages()``."""
    return None if cache_dir() is None else folder / "__pycache__" / name


def keeps_beside_packages() -> bool:
    """Whether forms kept beside a package may be written: as bytecode, not when Python is told
    to write none (``-B``, ``PYTHONDONTWRITEBYTECODE``: a read-only or shared install)."""
    return not sys.dont_write_bytecode


def cache_key(*parts: bytes | str) -> str:
    """Return the SHA-256 (hex) of ``parts`` and docgen's version: a key that changes with any."""
    from docgen import __version__

    digest = hashlib.sha256(__version__.encode())
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "little"))
        digest.update(data)
    return digest.hexdigest()


class Unencodable(ValueError):
    """A value ``encode_value`` cannot represent: such a result is simply not cached."""


def encode_value(value: Any) -> Any:
    """Return ``value`` (data as YAML and validation produce it) as JSON data ``decode_value``
    turns back into an equal value of the same types.

    Containers and the types JSON lacks are tagged lists (``["m", pairs]``, ``["l", items]``,
    ``["d", "1.50"]`` for a Decimal, ``["t", iso]`` for a date, ``["T", iso]`` for a datetime,
    ``["f", repr]`` for a float); str, int, bool and None are themselves. Raises ``Unencodable``
    for anything else (a set, bytes …).
    """
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, dict):
        return ["m", [[encode_value(k), encode_value(v)] for k, v in value.items()]]
    if isinstance(value, list):
        return ["l", [encode_value(v) for v in value]]
    if isinstance(value, float):
        return ["f", repr(value)]
    if isinstance(value, Decimal):
        return ["d", str(value)]
    if isinstance(value, _dt.datetime):
        return ["T", value.isoformat()]
    if isinstance(value, _dt.date):
        return ["t", value.isoformat()]
    raise Unencodable(type(value).__name__)


def decode_value(data: Any) -> Any:
    """Return the value ``encode_value`` encoded as ``data``; raises ``ValueError`` on a damaged one."""
    if not isinstance(data, list):
        if isinstance(data, (dict, float)):
            raise MESSAGES.fault(ValueError, "cache-not-encoded")
        return data
    tag, body = data
    if tag == "m":
        return {decode_value(k): decode_value(v) for k, v in body}
    if tag == "l":
        return [decode_value(v) for v in body]
    if tag == "f":
        return float(body)
    if tag == "d":
        return Decimal(body)
    if tag == "T":
        return _dt.datetime.fromisoformat(body)
    if tag == "t":
        return _dt.date.fromisoformat(body)
    raise MESSAGES.fault(ValueError, "cache-unknown-tag", tag=tag)


#: Entry files (``{kind}-{key}.json``) the cache folder keeps at most, all kinds together: each
#: edited bundle.yaml or template adds one, and a workstation checks for years.
ENTRY_FILES_KEEP = 1024
# An entry's file name: what ``_bound_entries`` may remove (nothing else a user keeps in a folder
# that $DOCGEN_CACHE_DIR names), including those of kinds no longer written (older versions').
_ENTRY_NAME = re.compile(r"[a-z][a-z-]*-[0-9a-f]{64}\.json")


def read_entry(kind: str, key: str) -> Any | None:
    """Return the cached JSON value of ``kind``/``key``, or ``None`` (missing, damaged, off).

    A hit marks the entry as just used (its modification time), so the bound removes it last."""
    folder = cache_dir()
    if folder is None:
        return None
    target = folder / f"{kind}-{key}.json"
    value = read_json(target)
    if value is not None:
        try:
            os.utime(target)
        except OSError:
            pass  # a read-only cache still serves
    return value


def write_entry(kind: str, key: str, value: Any) -> None:
    """Store ``value`` (JSON-serialisable) as ``kind``/``key``; failures are ignored.

    Written to a temporary name and renamed, so a reader never sees half an entry; not
    fsynced (an entry lost or emptied by a power cut is a miss, and a check writes dozens).
    The folder then keeps at most ``ENTRY_FILES_KEEP`` entry files: the least recently used
    ones go first.
    """
    folder = cache_dir()
    if folder is not None and write_json(folder / f"{kind}-{key}.json", value):
        _bound_entries(folder, ENTRY_FILES_KEEP)


def _bound_entries(folder: Path, keep: int, names: re.Pattern[str] = _ENTRY_NAME, stale: float | None = None) -> None:
    """Remove the entry files of ``folder`` (those whose name is one of ``names``) beyond the
    ``keep`` most recently written or read, and, when ``stale`` is given, the temporary files
    (``.tmp``) last written before it; failures are ignored (another run may be removing the same ones)."""
    entries = []
    try:
        with os.scandir(folder) as found:
            for entry in found:
                try:
                    if names.fullmatch(entry.name):
                        if entry.is_file(follow_symlinks=False):
                            entries.append((entry.stat().st_mtime, entry.path))
                    elif stale is not None and entry.name.endswith(".tmp") \
                            and entry.stat(follow_symlinks=False).st_mtime < stale:
                        _unlink(Path(entry.path))
                except OSError:
                    pass  # removed by another run meanwhile
    except OSError:
        return
    if len(entries) <= keep:
        return
    entries.sort()
    for _, path in entries[:len(entries) - keep]:
        try:
            os.unlink(path)
        except OSError:
            pass


def read_json(target: Path) -> Any | None:
    """Return the JSON value in the file ``target``, or ``None`` when it is missing or damaged."""
    try:
        return json.loads(target.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def write_json(target: Path, value: Any) -> bool:
    """Write ``value`` (JSON-serialisable) as the file ``target``, its folder made if need be;
    return whether it was written (failures are ignored: a cache is never worth failing the real
    work over).

    Written to a temporary name and renamed, so a reader never sees half of it; not fsynced.
    """
    try:
        data = json.dumps(value, ensure_ascii=False).encode("utf-8")
    except (TypeError, ValueError):  # not JSON, or text with a lone surrogate UTF-8 cannot write
        return False
    return write_file(target, data)


def write_file(target: Path, data: bytes) -> bool:
    """Write ``data`` as the file ``target``, its folder made if need be; return whether it was
    written (failures are ignored: a cache is never worth failing the real work over).

    Written to a temporary name and renamed, so a reader never sees half of it; not fsynced.
    """
    temp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        temp.write_bytes(data)
        os.replace(temp, target)
    except OSError:
        try:
            temp.unlink()
        except OSError:
            pass  # never fail the real work over its cache
        return False
    return True


class Packs:
    """The cache entries of one kind kept in packs: files of many entries, one written per run.

    A run reads every pack of its kind once (``get`` looks a key up among them) and writes the
    entries it ``put`` as one new pack at ``flush``: one file created however many entries,
    where ``write_entry`` would create one each. A pack is written to a temporary name and
    renamed, so a reader never sees half of one; it ends with a line counting its entries and
    is ignored whole without it (a file cut short). When a kind has ``MERGE_AT`` packs or more,
    ``flush`` merges them with the new entries into one pack of at most ``KEEP`` entries (the
    newest packs' first) and removes the packs it merged, so lookups stay one read of a few
    files and the cache stays bounded. The same merge removes what runs cut short left: packs
    of this format that are not whole, and temporary files older than ``STALE_AFTER`` seconds
    (a run writing one now is younger); packs of another format are left to their own code.
    Lookups are by key as with ``read_entry``.

    Packs live in ``{cache folder}/{kind}-packs/``. Like every cache, they never fail the real
    work: an unwritable folder or a damaged pack reads as misses.
    """

    #: Packs of a kind from which a flush merges them.
    MERGE_AT = 8
    #: Entries a merged pack keeps at most (about 300 bytes each for an inspection).
    KEEP = 8192
    #: Age (seconds) from which a merge removes a temporary file: its run was cut short.
    STALE_AFTER = 3600
    _HEAD = "docgen-pack 1"

    def __init__(self, kind: str) -> None:
        folder = cache_dir()
        self.folder = folder / f"{kind}-packs" if folder is not None else None
        self._packs: list[tuple[float, Path, dict[str, str]]] | None = None
        #: What runs cut short left, found by ``_load``: packs of this format that are not whole,
        #: and temporary files (with their modification time).
        self._damaged: list[Path] = []
        self._temporary: list[tuple[float, Path]] = []
        self._new: dict[str, str] = {}

    def _load(self) -> list[tuple[float, Path, dict[str, str]]]:
        if self._packs is None:
            self._packs, self._damaged, self._temporary = [], [], []
            if self.folder is None:
                return self._packs
            found = []
            try:
                for entry in os.scandir(self.folder):
                    if entry.name.endswith(".pack"):
                        found.append((entry.stat().st_mtime, Path(entry.path)))
                    elif entry.name.startswith(".") and entry.name.endswith(".tmp"):
                        self._temporary.append((entry.stat().st_mtime, Path(entry.path)))
            except OSError:  # no folder yet (a cache never used), or unreadable: no entries
                found, self._temporary = [], []
            for mtime, path in sorted(found, reverse=True):
                lines = self._read(path)
                if isinstance(lines, dict):
                    self._packs.append((mtime, path, lines))
                elif lines:
                    self._damaged.append(path)
        return self._packs

    def _read(self, path: Path) -> dict[str, str] | bool:
        """Return the entries of the pack ``path`` (key -> JSON text); when it is not whole, True if
        it is one of this format (begins with its head line, or is empty: cut short), else False
        (unreadable, or another format's)."""
        try:
            data = path.read_bytes()
        except OSError:
            return False
        if not data:
            return True  # renamed into place, its bytes never written: a power cut
        if not data.startswith(f"{self._HEAD}\n".encode()):
            return False
        try:
            text = data.decode("utf-8")
        except ValueError:  # cut inside a character
            return True
        lines = text.split("\n")
        if len(lines) < 3 or lines[-1] != "" or lines[-2] != f"end\t{len(lines) - 3}":
            return True
        entries: dict[str, str] = {}
        for line in lines[1:-2]:
            key, _, value = line.partition("\t")
            entries[key] = value
        return entries

    def get(self, key: str) -> Any | None:
        """Return the cached JSON value of ``key``, or None (missing, damaged, caching off)."""
        text = self._new.get(key)
        if text is None:
            for _, _, entries in self._load():
                text = entries.get(key)
                if text is not None:
                    break
        if text is None:
            return None
        try:
            return json.loads(text)
        except ValueError:
            return None

    def put(self, key: str, value: Any) -> None:
        """Keep ``value`` (JSON-serialisable) under ``key`` for the next ``flush``; a value that is
        not JSON is skipped."""
        if self.folder is None:
            return
        try:
            self._new[key] = json.dumps(value, ensure_ascii=False)
        except (TypeError, ValueError):
            pass  # never fail the real work over its cache

    def flush(self) -> None:
        """Write the entries ``put`` since the last flush as one pack (merging the kind's packs when
        there are ``MERGE_AT`` of them); failures are ignored."""
        if not self._new or self.folder is None:
            return
        entries, self._new = self._new, {}
        merged: list[Path] = []
        packs = self._load()
        if len(packs) + 1 >= self.MERGE_AT:
            for _, path, older in packs:  # newest first
                for key, text in older.items():
                    if len(entries) >= self.KEEP:
                        break
                    entries.setdefault(key, text)
                merged.append(path)
        try:
            data = self._pack(entries)
        except ValueError:  # a value with a lone surrogate UTF-8 cannot write: that one is not cached
            entries = {key: text for key, text in entries.items() if lone_surrogate(key + text) is None}
            data = self._pack(entries)
        target = self.folder / f"{hashlib.sha256(data).hexdigest()[:32]}.pack"
        if not write_file(target, data):
            return
        if merged:  # what runs cut short left goes with the merge
            stale = time.time() - self.STALE_AFTER
            merged += self._damaged + [path for mtime, path in self._temporary if mtime < stale]
        # The merged packs go only once the pack holding their entries is in place; one a
        # concurrent run is reading at that moment reads as misses, never as damage.
        for path in merged:
            if path != target:
                try:
                    path.unlink()
                except OSError:
                    pass
        self._packs = None

    def _pack(self, entries: dict[str, str]) -> bytes:
        """Return the bytes of a pack of ``entries``; raises ``UnicodeEncodeError`` when one holds
        a lone surrogate."""
        body = "".join(f"{key}\t{text}\n" for key, text in entries.items())
        return f"{self._HEAD}\n{body}end\t{len(entries)}\n".encode()


class DamagedEntry(ValueError):
    """A record file cut short or altered (``read_records``): its reader treats it as a miss."""


def private_folder(folder: Path) -> bool:
    """Whether ``folder`` is a folder of this user's that nobody else can have put files in: not a
    link, owned by the user, writable by nobody else, and inside a folder nobody else could swap
    it out of (the parent is the user's, writable by nobody else, or sticky like ``/tmp``).
    Always True where files have no owners (Windows): there the user's profile guards the cache.

    What a record file holds is decoded into objects without being parsed as text (``marshal``),
    so it is read only from such a folder; JSON entries need no such care."""
    if not hasattr(os, "getuid"):
        return True
    uid = os.getuid()
    try:
        own = os.lstat(folder)
        parent = os.stat(folder.parent)
    except OSError:
        return False
    if not stat.S_ISDIR(own.st_mode) or own.st_uid != uid or own.st_mode & 0o022:
        return False
    return parent.st_uid in (uid, 0) and (not parent.st_mode & 0o022 or bool(parent.st_mode & stat.S_ISVTX))


# A record file: this head, then records of an 8-byte length, a CRC-32 and that many bytes.
_RECORDS_HEAD = b"docgen-records 1\n"
_RECORD = struct.Struct("<QI")
_RECORD_NAME = re.compile(r"[^.].*\.rec")  # a record file's name (a temporary one begins with a dot)


def _records_folder(kind: str) -> Path | None:
    folder = cache_dir()
    return None if folder is None else folder / f"{kind}-records"


def read_records(kind: str, name: str) -> Iterator[bytes] | None:
    """Return the records of the record file ``name`` of ``kind`` one at a time, or None when there
    is none to read (missing, caching off, not in a ``private_folder``, a link, or not a file of
    the user's that nobody else can write).

    The iterator raises ``DamagedEntry`` at a record cut short or whose CRC-32 does not match; a
    file cut exactly between records just ends early (its format's last record says it is whole).
    Opening it marks it as just used (its modification time), so ``RecordWriter``'s bound removes
    it last.
    """
    folder = _records_folder(kind)
    if folder is None or not private_folder(folder):
        return None
    target = folder / f"{name}.rec"
    try:
        stream = open_regular(target, follow_links=False)  # the generator below closes it
    except OSError:
        return None
    try:
        # The file opened is checked, not the path: the user's own, writable by nobody else.
        found = os.fstat(stream.fileno())
        if (hasattr(os, "getuid") and (found.st_uid != os.getuid() or found.st_mode & 0o022)) \
                or stream.read(len(_RECORDS_HEAD)) != _RECORDS_HEAD:
            stream.close()
            return None
        os.utime(target)
    except OSError:
        pass  # a read-only cache still serves
    return _records(stream)


def _records(stream: Any) -> Iterator[bytes]:
    with stream:
        while True:
            head = stream.read(_RECORD.size)
            if not head:
                return
            if len(head) < _RECORD.size:
                raise DamagedEntry
            size, crc = _RECORD.unpack(head)
            data = stream.read(size)
            if len(data) != size or zlib.crc32(data) != crc:
                raise DamagedEntry
            yield data


class RecordWriter:
    """A record file of ``kind`` being written a record at a time (``add``), to a temporary name in
    the kind's ``private_folder`` (made, for the user alone, when missing), and put in place as
    ``name`` by ``commit`` or thrown away by ``discard``. After a commit the kind keeps only its
    ``keep`` most recently written or read files (such files are large), and what runs cut short
    left there (temporary files older than ``Packs.STALE_AFTER``) goes.

    Like every cache it never fails the real work: when the folder cannot be made, is not
    private, or a write fails, nothing is kept (``add`` and ``commit`` do nothing).
    """

    def __init__(self, kind: str, name: str, keep: int) -> None:
        self.name, self.keep = name, keep
        self.folder = _records_folder(kind)
        self._temp: Path | None = None
        self._stream: Any = None
        if self.folder is None:
            return
        temp = self.folder / f".{name}.{os.getpid()}.tmp"
        try:
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            if not private_folder(self.folder):
                return
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
        except OSError:
            return
        self._temp, self._stream = temp, os.fdopen(fd, "wb")
        self._write(_RECORDS_HEAD)

    @property
    def active(self) -> bool:
        """Whether the file is still being written (nothing failed, neither committed nor discarded)."""
        return self._stream is not None

    def _write(self, data: bytes) -> None:
        try:
            self._stream.write(data)
        except OSError:
            self.discard()

    def add(self, record: bytes) -> None:
        """Append ``record`` to the file (nothing when it is not ``active``)."""
        if self._stream is not None:
            self._write(_RECORD.pack(len(record), zlib.crc32(record)))
        if self._stream is not None:
            self._write(record)

    def commit(self, name: str | None = None) -> None:
        """Put the file in place under its name, or ``name`` when what it holds decides it (not
        fsynced: one lost to a power cut is a miss), then bound the kind's files; failures discard it."""
        if self._stream is None or self.folder is None or self._temp is None:
            return
        stream, self._stream = self._stream, None
        try:
            stream.close()
            os.replace(self._temp, self.folder / f"{name or self.name}.rec")
        except OSError:
            self._stream = None
            _unlink(self._temp)
            return
        _bound_entries(self.folder, self.keep, _RECORD_NAME, time.time() - Packs.STALE_AFTER)

    def discard(self) -> None:
        """Throw the file away (a run cut short, a result that cannot be kept)."""
        stream, self._stream = self._stream, None
        if stream is not None:
            try:
                stream.close()
            except OSError:
                pass
        if self._temp is not None:
            _unlink(self._temp)


def _unlink(path: Path) -> None:
    try:
        path.unlink()
    except OSError:
        pass  # another run removed it, or the folder is read-only: never fail the real work
