"""Identification numbers: 统一社会信用代码 (USCC) and 居民身份证号, checked with python-stdnum.

Kept apart from ``docgen.core.validation`` so that the plain-Python fast path of
``docgen.core.fastcheck`` checks numbers without importing cerberus; ``validation``
re-exports them.
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import marshal
import sys
from collections.abc import Iterable
from itertools import compress
from operator import eq
from pathlib import Path
from typing import Any

import stdnum
from stdnum import numdb
from stdnum.cn import ric, uscc
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength, ValidationError
from stdnum.util import isdigits

from docgen.core.messages import MESSAGES

__all__ = ["check_resident_id", "check_uscc", "place_known", "resident_id_issue", "uscc_issue"]

_STDNUM_REASONS = (
    (InvalidChecksum, "checksum"),
    (InvalidLength, "length"),
    (InvalidFormat, "format"),
    (InvalidComponent, "component"),
)


def _reason(exc: ValidationError) -> str:
    for cls, reason in _STDNUM_REASONS:
        if isinstance(exc, cls):
            return reason
    return "invalid"


def uscc_issue(value: str) -> dict[str, Any] | None:
    """Return None when ``value`` is a valid 统一社会信用代码, else the facts of ``invalid-uscc``.

    The facts are ``{"reason": "checksum" | "length" | "format" | "component" | "invalid"}``.
    """
    try:
        uscc.validate(value)
    except ValidationError as exc:
        return {"reason": _reason(exc)}
    return None


def resident_id_issue(value: str) -> dict[str, Any] | None:
    """Return None when ``value`` is a valid 18-digit 居民身份证号, else the facts of ``invalid-resident-id``.

    The facts are ``{"reason": …, "length": n}``; ``reason`` is ``length``, ``checksum``,
    ``format``, ``component`` or ``future-birth`` (a birth date after today).
    """
    text = str(value).strip()
    if len(text) != 18:
        return {"reason": "length", "length": len(text)}
    # stdnum's ``ric.validate`` step by step, its place lookup (most of its time) remembered
    # per area code and year of birth, on which alone it depends.
    try:
        number = ric.compact(text)
        if len(number) != 18:
            raise InvalidLength()
        if not isdigits(number[:-1]):
            raise InvalidFormat()
        if number[-1] != ric.calc_check_digit(number):
            raise InvalidChecksum()
        birth = ric.get_birth_date(number)
    except ValidationError as exc:
        return {"reason": _reason(exc), "length": 18}
    if not place_known(number):
        return {"reason": "component", "length": 18}
    if birth > _dt.date.today():
        return {"reason": "future-birth", "length": 18}
    return None


def resident_checksums_ok(texts: Iterable[str]) -> list[str]:
    """Return those of ``texts`` that have a resident ID's shape (18 ASCII characters, 17 digits
    first) and stdnum's check character last (``x`` as ``X``: ``ric.compact`` upper-cases), in
    the order given: the first steps of ``check_resident_id`` a column at a time. A list of texts
    that all pass is given back itself."""
    texts = texts if texts.__class__ is list else list(texts)
    check = ric.calc_check_digit
    joined = "".join(texts)
    # The usual block, every text of that shape: told by a few passes in C over the texts joined, not
    # a test per text; each check character is still stdnum's, compared in one bytes comparison.
    if len(joined) == 18 * len(texts) and joined.isascii() and len(set(map(len, texts))) <= 1:
        body = bytearray(joined, "ascii")
        last = body[17::18].upper()  # an x is the X stdnum writes, and no other check character is a letter
        del body[17::18]
        if body.isdigit():
            checks = "".join(map(check, texts)).encode("ascii")
            return texts if last == checks else list(compress(texts, map(eq, last, checks)))
    # Most IDs are 18 digits (no slice to make) and end in their check digit as stdnum writes it.
    return [text for text in texts
            if len(text) == 18 and text.isascii() and (text.isdigit() or text[:17].isdigit())
            and ((last := text[17]) == (digit := check(text)) or (last == "x" and digit == "X"))]


#: Area code and year of birth (an ID's first ten digits) -> whether stdnum knows the place; bounded.
_PLACES: dict[str, bool] = {}
_PLACES_LIMIT = 100_000


def place_known(number: str) -> bool:
    """Whether stdnum finds the birth place of a resident ID beginning with ``number``'s first ten
    digits (area code and year of birth: the place depends on those alone, and the answer is
    remembered by them); ``number`` may be a whole ID or just those ten digits."""
    key = number[:10]
    known = _PLACES.get(key)
    if known is None:
        if not _PLACES:
            _prime_place_table()
        try:
            # stdnum reads the year from a whole birth date: 1 January of that year stands for it.
            ric.get_birth_place(key + "0101")
            known = True
        except (ValidationError, KeyError):
            # stdnum's place table has province-level rows without a county (e.g. 610001...): a
            # lookup of such a code raises KeyError instead of InvalidComponent. Not a valid area.
            known = False
        if len(_PLACES) < _PLACES_LIMIT:
            _PLACES[key] = known
    return known


# ---- stdnum's place table, kept parsed -------------------------------------------------------
# stdnum answers a birth-place lookup from its table of administrative divisions
# (``stdnum/cn/loc.dat``, ~7,000 lines), which it parses on first use: ~25-35 ms, most of the
# time of a first validation of ID numbers (a ``docgen check`` of a bundle never seen). The
# parsed table depends only on the installed stdnum, so, like bytecode, it is kept beside the
# package once parsed (marshal, as .pyc files are) and handed back to stdnum's own database
# cache, where stdnum looks it up exactly as if it had parsed it: stdnum still decides. The
# file carries its key (the table's bytes, stdnum's and Python's versions) and its payload's
# SHA-256, so a stale, foreign or damaged one is never used; a read-only package never has one,
# and a Python told not to write bytecode (``-B``, ``PYTHONDONTWRITEBYTECODE``) reads one but
# writes none, as with bytecode. A stdnum whose database is built otherwise is simply left to
# parse its table.

_TABLE = "cn/loc"
_TABLE_HEAD = b"docgen-stdnum-table 1\n"


def _compiled_table() -> Path | None:
    """Where the parsed place table is kept (None when caching is off)."""
    from docgen.core.cache import package_cache

    return package_cache(Path(__file__).parent, f"stdnum-cn-loc.{sys.implementation.cache_tag}.marshal")


def _table_key() -> bytes | None:
    """Return the key of stdnum's place table as installed, None when it cannot be read."""
    from importlib.resources import files

    try:
        source = files(numdb.__package__).joinpath(_TABLE + ".dat").read_bytes()
    except (OSError, TypeError, ModuleNotFoundError):
        return None
    digest = hashlib.sha256(source)
    digest.update(f"{stdnum.__version__} {sys.version} {marshal.version}".encode())
    return digest.hexdigest().encode()


def _prime_place_table() -> None:
    """Hand stdnum its place table from the kept parsed form (parsing and keeping it when there is
    none); does nothing when stdnum already holds it or its database is not built as expected.

    Never raises: whatever goes wrong leaves stdnum to parse its table as usual.
    """
    databases = getattr(numdb, "_open_databases", None)
    if not isinstance(databases, dict) or _TABLE in databases or (target := _compiled_table()) is None:
        return
    key = _table_key()
    if key is None:
        return
    try:
        head, kept_key, check, payload = target.read_bytes().split(b"\n", 3)
        if head + b"\n" == _TABLE_HEAD and kept_key == key and hashlib.sha256(payload).hexdigest().encode() == check:
            prefixes = marshal.loads(payload)
            table = numdb.NumDB()
            # Only a database built as this code knows (an empty list of prefixes it answers
            # from) is handed the table; another stdnum's would answer wrongly from it.
            if isinstance(prefixes, list) and getattr(table, "prefixes", None) == []:
                table.prefixes = prefixes
                databases[_TABLE] = table
                return
    except Exception:  # noqa: BLE001 - none kept yet, not this one, another stdnum: it parses its table
        pass
    from docgen.core.cache import keeps_beside_packages, write_file

    if not keeps_beside_packages():
        return  # stdnum parses its table when first asked, as without a kept form
    try:
        prefixes = numdb.get(_TABLE).prefixes
        if not isinstance(prefixes, list):
            return
        payload = marshal.dumps(prefixes)
    except Exception:  # noqa: BLE001 - another stdnum's database: nothing kept, stdnum answers as usual
        return
    write_file(target, _TABLE_HEAD + key + b"\n" + hashlib.sha256(payload).hexdigest().encode() + b"\n" + payload)


def check_uscc(value: str) -> str | None:
    """Return None when ``value`` is a valid 统一社会信用代码, else the Chinese reason."""
    facts = uscc_issue(value)
    return None if facts is None else MESSAGES.text("invalid-uscc", facts)


def check_resident_id(value: str) -> str | None:
    """Return None when ``value`` is a valid 18-digit 居民身份证号, else the Chinese reason."""
    facts = resident_id_issue(value)
    return None if facts is None else MESSAGES.text("invalid-resident-id", facts)
