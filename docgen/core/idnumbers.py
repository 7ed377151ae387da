"""Identification numbers: 统一社会信用代码 (USCC) and 居民身份证号, checked with python-stdnum.

Kept apart from ``docgen.core.validation`` so that the plain-Python fast path of
``docgen.core.fastcheck`` checks numbers without importing cerberus; ``validation``
re-exports them.
"""
from __future__ import annotations

import datetime as _dt
from typing import Any

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


#: (area code, year of birth) -> whether stdnum knows the place; bounded.
_PLACES: dict[tuple[str, str], bool] = {}
_PLACES_LIMIT = 100_000


def place_known(number: str) -> bool:
    """Whether stdnum finds the birth place of resident ID ``number`` (checked in every other way)."""
    key = (number[:6], number[6:10])
    known = _PLACES.get(key)
    if known is None:
        try:
            ric.get_birth_place(number)
            known = True
        except (ValidationError, KeyError):
            # stdnum's place table has province-level rows without a county (e.g. 610001...): a
            # lookup of such a code raises KeyError instead of InvalidComponent. Not a valid area.
            known = False
        if len(_PLACES) < _PLACES_LIMIT:
            _PLACES[key] = known
    return known


def check_uscc(value: str) -> str | None:
    """Return None when ``value`` is a valid 统一社会信用代码, else the Chinese reason."""
    facts = uscc_issue(value)
    return None if facts is None else MESSAGES.text("invalid-uscc", facts)


def check_resident_id(value: str) -> str | None:
    """Return None when ``value`` is a valid 18-digit 居民身份证号, else the Chinese reason."""
    facts = resident_id_issue(value)
    return None if facts is None else MESSAGES.text("invalid-resident-id", facts)
