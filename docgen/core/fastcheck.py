"""A plain-Python fast path for cerberus schemas of template data (one row in microseconds).

Cerberus takes milliseconds per document, which would dominate a batch of letters. ``compile_schema``
turns a schema that uses only the rules below into a function that returns the normalized
document when the data is VALID, and ``None`` as soon as anything is doubtful (a missing
field, a failed coercion, a ``None``, an unknown key, a value out of range). On ``None`` the
caller runs cerberus, which then produces the exact messages; so the fast path never decides
that data is wrong, it only confirms that it is right, with the same coercers and checks
(``docgen.core.validation``) cerberus would run, giving the same normalized values.

Supported rules: ``type`` (string, integer, number, float, boolean, date, amount, list, dict),
``required``, ``empty``, ``nullable``, ``coerce`` (strip, to_date, to_amount; a name or a list),
``default``, ``min``, ``max``, ``minlength``, ``maxlength``, ``allowed``, ``check_with``
(uscc, resident_id, uscc_or_resident_id), ``schema`` (list items, dict fields) and ``meta``.
A schema using anything else gets no fast path (``compile_schema`` returns ``None``).
"""
from __future__ import annotations

import copy
import datetime as _dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from docgen.core.validation import check_resident_id, check_uscc, parse_amount, parse_date

_SUPPORTED = {"type", "required", "empty", "nullable", "coerce", "default", "min", "max", "minlength",
              "maxlength", "allowed", "check_with", "schema", "meta"}


class _Doubt(Exception):
    """Raised inside the fast path: let cerberus look at this document."""


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


_COERCERS: dict[str, Callable[[Any], Any]] = {"strip": _strip, "to_date": parse_date, "to_amount": parse_amount}


def _type_ok(kind: str, value: Any) -> bool:
    if kind == "string":
        return isinstance(value, str)
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind in ("number", "float"):
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "date":
        return isinstance(value, _dt.date) and not isinstance(value, _dt.datetime)
    if kind == "amount":
        return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)
    if kind == "list":
        return isinstance(value, list)
    if kind == "dict":
        return isinstance(value, dict)
    raise _Doubt


def _checker(name: str) -> Callable[[Any], bool]:
    if name == "uscc":
        return lambda v: check_uscc(str(v)) is None
    if name == "resident_id":
        return lambda v: check_resident_id(str(v)) is None
    if name == "uscc_or_resident_id":
        return lambda v: check_uscc(str(v).strip()) is None or check_resident_id(str(v).strip()) is None
    raise KeyError(name)


def _supported(rules: dict[str, Any]) -> bool:
    if not isinstance(rules, dict) or set(rules) - _SUPPORTED:
        return False
    coerce = rules.get("coerce")
    names = [coerce] if isinstance(coerce, str) else list(coerce or [])
    if any(not isinstance(n, str) or n not in _COERCERS for n in names):
        return False
    if "check_with" in rules:
        try:
            _checker(rules["check_with"])
        except (KeyError, TypeError):
            return False
    kinds = rules.get("type")
    if kinds is not None and not isinstance(kinds, str):
        return False
    sub = rules.get("schema")
    if sub is not None:
        if kinds == "list":
            return _supported(sub)
        if kinds == "dict":
            return isinstance(sub, dict) and all(_supported(r) for r in sub.values())
        return False
    return True


def _field(rules: dict[str, Any]) -> Callable[[Any], Any]:
    """Return a function normalizing one present value, raising ``_Doubt`` when unsure."""
    coerce = rules.get("coerce")
    coercers = [_COERCERS[n] for n in ([coerce] if isinstance(coerce, str) else list(coerce or []))]
    kind = rules.get("type")
    empty_ok = rules.get("empty", True)
    lo, hi = rules.get("min"), rules.get("max")
    min_len, max_len = rules.get("minlength"), rules.get("maxlength")
    allowed = rules.get("allowed")
    check = _checker(rules["check_with"]) if "check_with" in rules else None
    sub = rules.get("schema")
    item = _field(sub) if kind == "list" and sub is not None else None
    mapping = _mapping(sub) if kind == "dict" and sub is not None else None

    def normalize(value: Any) -> Any:
        if value is None:
            raise _Doubt
        try:
            for coercer in coercers:
                value = coercer(value)
        except (ValueError, TypeError, ArithmeticError):
            raise _Doubt from None
        if kind is not None and not _type_ok(kind, value):
            raise _Doubt
        if not empty_ok and hasattr(value, "__len__") and len(value) == 0:
            raise _Doubt
        if lo is not None and value < lo or hi is not None and value > hi:
            raise _Doubt
        if min_len is not None and len(value) < min_len or max_len is not None and len(value) > max_len:
            raise _Doubt
        if allowed is not None:
            if isinstance(value, list):
                if any(v not in allowed for v in value):
                    raise _Doubt
            elif value not in allowed:
                raise _Doubt
        if check is not None and not check(value):
            raise _Doubt
        if item is not None:
            value = [item(v) for v in value]
        elif mapping is not None:
            value = mapping(value)
        return value

    return normalize


def _mapping(schema: dict[str, Any]) -> Callable[[dict[str, Any]], dict[str, Any]]:
    fields = [(name, _field(rules), bool(rules.get("required")), "default" in rules, rules.get("default"))
              for name, rules in schema.items()]
    known = set(schema)

    def normalize(document: dict[str, Any]) -> dict[str, Any]:
        if not isinstance(document, dict) or set(document) - known:
            raise _Doubt
        out: dict[str, Any] = {}
        for name, normalize_field, required, has_default, default in fields:
            if name in document:
                out[name] = normalize_field(document[name])
            elif has_default:
                out[name] = copy.deepcopy(default)
            elif required:
                raise _Doubt
        return out

    return normalize


def compile_schema(schema: dict[str, Any]) -> Callable[[dict[str, Any]], dict[str, Any] | None] | None:
    """Return a fast checker for ``schema``, or None when the schema uses unsupported rules.

    The checker returns the normalized document for valid data and None otherwise.
    """
    if not all(_supported(rules) for rules in schema.values()):
        return None
    normalize = _mapping(schema)

    def check(document: dict[str, Any]) -> dict[str, Any] | None:
        try:
            return normalize(document)
        except _Doubt:
            return None

    return check
