"""Decoding the text users' files hold: UTF-8 first, then what Chinese Windows writes.

The order is the project's rule for every text it reads (CSV rows, bundle.yaml, zip member
names): strict UTF-8 (a BOM stripped), UTF-16 when a BOM says so, strict GB18030 (a superset
of GBK), and charset-normalizer's best guess only as a last resort.
"""
from __future__ import annotations

from collections.abc import Sequence


def decode_chinese(data: bytes, order: Sequence[str] = ("utf-8", "gb18030"), *, guess: bool = True) -> str | None:
    """Return ``data`` decoded by the first encoding of ``order`` that decodes it strictly,
    else (when ``guess``) charset-normalizer's best guess, else None.

    A UTF-8 BOM is stripped and a UTF-16 BOM honoured before ``order`` is tried.
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
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    if not guess:
        return None
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
    except Exception:  # a detector failure is just "no guess"
        return None
    return str(best) if best is not None else None
