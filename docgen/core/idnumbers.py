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

from docgen.core.messages import MESSAGES

__all__ = ["check_resident_id", "check_uscc", "resident_id_issue", "uscc_issue"]

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
    try:
        ric.validate(text)
    except ValidationError as exc:
        return {"reason": _reason(exc), "length": 18}
    except KeyError:
        # stdnum's place table has province-level rows without a county (e.g. 610001...): a lookup
        # of such a code raises KeyError instead of InvalidComponent. It is not a valid area code.
        return {"reason": "component", "length": 18}
    if ric.get_birth_date(text) > _dt.date.today():
        return {"reason": "future-birth", "length": 18}
    return None


def check_uscc(value: str) -> str | None:
    """Return None when ``value`` is a valid 统一社会信用代码, else the Chinese reason."""
    facts = uscc_issue(value)
    return None if facts is None else MESSAGES.text("invalid-uscc", facts)


def check_resident_id(value: str) -> str | None:
    """Return None when ``value`` is a valid 18-digit 居民身份证号, else the Chinese reason."""
    facts = resident_id_issue(value)
    return None if facts is None else MESSAGES.text("invalid-resident-id", facts)
