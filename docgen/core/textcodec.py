"""Decoding the text users' files hold: UTF-8 first, then what Chinese Windows writes.

The order is the project's rule for every text it reads (CSV rows, bundle.yaml, zip member
names): strict UTF-8 (a BOM stripped), UTF-16 when a BOM says so, strict GB18030 (a superset
of GBK; its BOM, ``84 31 95 33``, stripped too), and charset-normalizer's best guess only as a
last resort.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

#: The byte-order mark as text: what a BOM decodes to in every Unicode encoding, GB18030's included.
BOM = "\ufeff"


def decode_chinese(data: bytes, order: Sequence[str] = ("utf-8", "gb18030"), *, guess: bool = True) -> str | None:
    """Return ``data`` decoded by the first encoding of ``order`` that decodes it strictly,
    else (when ``guess``) charset-normalizer's best guess, else None.

    A UTF-8 BOM is stripped and a UTF-16 BOM honoured before ``order`` is tried; a BOM in any
    other encoding (GB18030's, which Notepad and some bank systems write) is stripped from the text.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    for encoding in order:
        try:
            return data.decode(encoding).removeprefix(BOM)
        except UnicodeDecodeError:
            continue
    if not guess:
        return None
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
    except Exception:  # a detector failure is just "no guess"
        return None
    return str(best).removeprefix(BOM) if best is not None else None


_SURROGATE = re.compile("[\ud800-\udfff]")


def lone_surrogate(value: Any, where: str = "") -> str | None:
    """Return the key path of the first text in ``value`` (nested mappings and lists) holding a
    lone UTF-16 surrogate (JSON ``"\\ud800"``), which no document or file can contain; None
    when there is none. Keys count as text too."""
    texts: list[str] = []
    _non_ascii(value, texts)
    # One search over every non-ASCII text (a batch checks each row): the path is looked for
    # only when there is something to name.
    if not texts or not _SURROGATE.search("".join(texts)):
        return None
    return _surrogate_path(value, where)


def _non_ascii(value: Any, out: list[str]) -> None:
    """Append to ``out`` every text of ``value`` (keys too, as ``str``) that is not ASCII."""
    if isinstance(value, str):
        if not value.isascii():
            out.append(value)
    elif isinstance(value, dict):
        for key, item in value.items():
            key = key if isinstance(key, str) else str(key)
            if not key.isascii():
                out.append(key)
            # Texts inline: a call per value would cost more than the search itself.
            if isinstance(item, str):
                if not item.isascii():
                    out.append(item)
            elif isinstance(item, (dict, list, tuple)):
                _non_ascii(item, out)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _non_ascii(item, out)


def _surrogate_path(value: Any, where: str) -> str | None:
    """``lone_surrogate``'s answer, found by walking ``value``."""
    if isinstance(value, str):
        return (where or "（值）") if not value.isascii() and _SURROGATE.search(value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            path = f"{where}.{key}" if where else str(key)
            found = _surrogate_path(str(key), path) or _surrogate_path(item, path)
            if found:
                return found
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            found = _surrogate_path(item, f"{where}[{index}]")
            if found:
                return found
    return None
