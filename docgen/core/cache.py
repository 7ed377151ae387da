"""The user's cache folder: results that depend only on their inputs, kept between runs.

Each entry is one JSON file ``{kind}-{key}.json``; the key is a SHA-256 of everything the
result depends on (the input's bytes, docgen's version, and whatever else the caller adds),
so a changed input or a new docgen simply misses. The folder is ``userdirs.cache_dir()``
(``$DOCGEN_CACHE_DIR`` moves it, ``DOCGEN_NO_CACHE=1`` turns caching off). A cache is an
optimisation: an unwritable folder or a damaged entry reads as a miss and is never an error.
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from docgen.core.messages import MESSAGES
from docgen.core.userdirs import cache_dir

__all__ = ["Unencodable", "cache_dir", "cache_key", "code_digest", "decode_value", "encode_value", "read_entry",
           "read_json", "write_entry", "write_json"]


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


def read_entry(kind: str, key: str) -> Any | None:
    """Return the cached JSON value of ``kind``/``key``, or ``None`` (missing, damaged, off)."""
    folder = cache_dir()
    if folder is None:
        return None
    return read_json(folder / f"{kind}-{key}.json")


def write_entry(kind: str, key: str, value: Any) -> None:
    """Store ``value`` (JSON-serialisable) as ``kind``/``key``; failures are ignored.

    Written to a temporary name and renamed, so a reader never sees half an entry; not
    fsynced (an entry lost or emptied by a power cut is a miss, and a check writes dozens).
    """
    folder = cache_dir()
    if folder is not None:
        write_json(folder / f"{kind}-{key}.json", value)


def read_json(target: Path) -> Any | None:
    """Return the JSON value in the file ``target``, or ``None`` when it is missing or damaged."""
    try:
        return json.loads(target.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def write_json(target: Path, value: Any) -> None:
    """Write ``value`` (JSON-serialisable) as the file ``target``, its folder made if need be;
    failures are ignored (a cache is never worth failing the real work over).

    Written to a temporary name and renamed, so a reader never sees half of it; not fsynced.
    """
    temp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        text = json.dumps(value, ensure_ascii=False)
        target.parent.mkdir(parents=True, exist_ok=True)
        temp.write_text(text, encoding="utf-8")
        os.replace(temp, target)
    except (OSError, TypeError, ValueError):
        try:
            temp.unlink()
        except OSError:
            pass  # never fail the real work over its cache
