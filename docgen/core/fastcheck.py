"""A plain-Python fast path for cerberus schemas: template rows, checklists and bundle.yaml.

Cerberus takes milliseconds per document (a third of a second for a checklist), and importing it
costs more than many checks. ``compile_schema`` turns a schema that uses only the rules below into
a function that returns the normalized document when the data is VALID, and ``None`` as soon as
anything is doubtful (a missing field, a failed coercion, a ``None`` it cannot vouch for, an
unknown key, a value out of range). On ``None`` the caller runs cerberus, which then produces
the exact messages; so the fast path never decides that data is wrong, it only confirms that it
is right, with the same coercers and checks (``docgen.core.values``, ``docgen.core.idnumbers``)
cerberus would run, normalizing in cerberus' order (defaults, then coercion, then the contents
of mappings and lists) and giving the same values in the same key order (the document's keys,
then defaults in the schema's order).

Supported rules: ``type`` (string, integer, number, float, boolean, date, amount, list, dict, or a
list of them), ``required``, ``empty``, ``nullable``, ``coerce`` (strip, id_number, to_date, to_amount,
to_period_label, to_yes_no, a function, or a list of them), ``default``, ``min``, ``max``, ``minlength``,
``maxlength``, ``allowed``, ``regex``, ``check_with`` (uscc, resident_id, uscc_or_resident_id, period_label),
``schema`` (list items, dict fields), ``keysrules`` (without coercion), ``valuesrules`` and ``meta``. A schema using
anything else gets no fast path (``compile_schema`` returns ``None``).
"""
from __future__ import annotations

import copy
import datetime as _dt
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from docgen.core.problems import Problem
from docgen.core.values import PERIOD_LABEL, id_text, parse_amount, parse_date, parse_yes_no, period_label

_SUPPORTED = {"type", "required", "empty", "nullable", "coerce", "default", "min", "max", "minlength",
              "maxlength", "allowed", "regex", "check_with", "schema", "keysrules", "valuesrules", "meta"}
_TYPES = {"string", "integer", "number", "float", "boolean", "date", "amount", "list", "dict"}
#: Default values no document can change: given as they are instead of a deep copy each.
_IMMUTABLE = (type(None), str, int, float, Decimal, _dt.date)


#: Value types a field remembers its normalized result for (``_field``); the results it keeps.
_MEMO_TYPES = frozenset({str, int, float, bool, _dt.date})
_MEMO_RESULTS = frozenset({str, int, float, bool, Decimal, _dt.date, type(None)})
#: Results one field keeps (then it starts again): bounded whatever the number of rows.
MEMO_MAX = 4096
_MISSING = object()


class _Doubt(Exception):
    """Raised inside the fast path: let cerberus look at this document."""


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


_COERCERS: dict[str, Callable[[Any], Any]] = {"strip": _strip, "id_number": id_text, "to_date": parse_date,
                                              "to_amount": parse_amount, "to_period_label": period_label,
                                              "to_yes_no": parse_yes_no}


def _type_ok(kind: str, value: Any) -> bool:
    # As strict as cerberus or stricter (a bool is no integer here): a value cerberus would
    # accept but this refuses only costs a cerberus run.
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
    if name == "period_label":
        return lambda v: not isinstance(v, str) or PERIOD_LABEL.fullmatch(v) is not None
    # python-stdnum is imported only by a schema that checks numbers. The fast path needs a
    # verdict, not the reason: the ``*_issue`` functions, without a message worded for nothing.
    from docgen.core.idnumbers import resident_id_issue, uscc_issue

    if name == "uscc":
        return lambda v: uscc_issue(str(v)) is None
    if name == "resident_id":
        return lambda v: resident_id_issue(str(v)) is None
    if name == "uscc_or_resident_id":
        def either(v: Any) -> bool:
            # Valid when either check passes, so the order changes only the time: a number
            # whose first 17 characters are digits is most likely a resident ID, tried first
            # (a USCC check that fails costs ~11 µs of the ~32 µs such an ID took).
            text = str(v).strip()
            first, second = (resident_id_issue, uscc_issue) if text[:17].isdigit() else (uscc_issue, resident_id_issue)
            return first(text) is None or second(text) is None

        return either
    raise KeyError(name)


_CHECKERS = ("uscc", "resident_id", "uscc_or_resident_id", "period_label")


def _coerce_names(coerce: Any) -> list[Any]:
    """The entries of a ``coerce`` rule (names or functions), as a list."""
    return [] if coerce is None else coerce if isinstance(coerce, list) else [coerce]


def _coercers(coerce: Any) -> list[Callable[[Any], Any]] | None:
    """Return the coercion functions of a ``coerce`` rule, or None when one is not supported."""
    names = _coerce_names(coerce)
    out = []
    for name in names:
        if callable(name):
            out.append(name)
        elif isinstance(name, str) and name in _COERCERS:
            out.append(_COERCERS[name])
        else:
            return None
    return out


def _kinds(rules: dict[str, Any]) -> tuple[str, ...] | None:
    kind = rules.get("type")
    if kind is None:
        return ()
    kinds = (kind,) if isinstance(kind, str) else tuple(kind) if isinstance(kind, list) else None
    return kinds if kinds is not None and all(k in _TYPES for k in kinds) else None


def _supported(rules: Any) -> bool:
    if not isinstance(rules, dict) or set(rules) - _SUPPORTED:
        return False
    if _coercers(rules.get("coerce")) is None:
        return False
    if "check_with" in rules and rules["check_with"] not in _CHECKERS:
        return False
    if "regex" in rules and not isinstance(rules["regex"], str):
        return False
    kinds = _kinds(rules)
    if kinds is None:
        return False
    keys, values = rules.get("keysrules"), rules.get("valuesrules")
    if keys is not None and (not _supported(keys) or "coerce" in keys or "default" in keys):
        return False
    if values is not None and not _supported(values):
        return False
    sub = rules.get("schema")
    if sub is not None:
        # cerberus reads `schema` by the value: a list's items or a mapping's fields. One reading only.
        if "list" in kinds and "dict" not in kinds:
            return _supported(sub)
        if "dict" in kinds and "list" not in kinds:
            return isinstance(sub, dict) and all(_supported(r) for r in sub.values())
        return False
    return True


def _field(rules: dict[str, Any]) -> Callable[[Any], Any]:
    """Return a function normalizing one present value, raising ``_Doubt`` when unsure."""
    coercers = _coercers(rules.get("coerce")) or []
    kinds = _kinds(rules) or ()
    empty_ok = rules.get("empty", True)
    nullable = rules.get("nullable", False)
    lo, hi = rules.get("min"), rules.get("max")
    min_len, max_len = rules.get("minlength"), rules.get("maxlength")
    allowed = rules.get("allowed")
    pattern = rules.get("regex")
    regex = re.compile(pattern if pattern.endswith("$") else pattern + "$") if pattern is not None else None
    check = _checker(rules["check_with"]) if "check_with" in rules else None
    sub = rules.get("schema")
    item = _field(sub) if "list" in kinds and sub is not None else None
    mapping = _mapping(sub) if "dict" in kinds and sub is not None else None
    keys = _field(rules["keysrules"]) if "keysrules" in rules else None
    values = _field(rules["valuesrules"]) if "valuesrules" in rules else None
    # Rows repeat values (the letter date, the bank, the branch, the same amounts): a value of a
    # plain type is normalized once and its result remembered, when every step is a pure
    # function of it (the named coercers and checks; a coercer given as a function might not be).
    pure = not any(callable(c) for c in _coerce_names(rules.get("coerce")))
    memo: dict[tuple[type, Any], Any] | None = {} if pure else None

    def remembered(value: Any) -> Any:
        kind = value.__class__
        # Zero is left out (0.0 == -0.0, which may normalize differently), and so are types whose
        # equal values can differ (Decimal("1.0") and Decimal("1.00")). The key holds the exact
        # type: True and 1 (equal, but a boolean field takes only the first) have their own keys.
        if memo is None or kind not in _MEMO_TYPES or (not value and kind is not str):
            return normalize(value)
        key = (kind, value)
        result = memo.get(key, _MISSING)
        if result is _MISSING:
            result = normalize(value)  # _Doubt: nothing remembered, the row goes to cerberus
            if result.__class__ in _MEMO_RESULTS:
                if len(memo) >= MEMO_MAX:
                    memo.clear()
                memo[key] = result
        return result

    def normalize(value: Any) -> Any:
        if value is None:
            # cerberus lets a null through a nullable field: its coercers run (a failure is
            # ignored), every other rule but check_with is skipped, and docgen's check_with
            # functions accept a null.
            if not nullable:
                raise _Doubt
            for coercer in coercers:
                try:
                    value = coercer(value)
                except Exception:  # noqa: BLE001 - as cerberus: a null's failed coercion is no error
                    pass
            if value is not None:
                raise _Doubt
            return None
        try:
            for coercer in coercers:
                value = coercer(value)
        except (ValueError, TypeError, ArithmeticError):
            raise _Doubt from None
        if kinds and not (_type_ok(kinds[0], value) or any(_type_ok(kind, value) for kind in kinds[1:])):
            raise _Doubt
        if hasattr(value, "__len__") and len(value) == 0:
            if not empty_ok:
                raise _Doubt
            if min_len:
                raise _Doubt  # cerberus skips the length rules of an allowed empty value
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
        if regex is not None and isinstance(value, str) and not regex.match(value):
            raise _Doubt
        if check is not None and not check(value):
            raise _Doubt
        if isinstance(value, list) and item is not None:
            value = [item(v) for v in value]
        elif isinstance(value, dict):
            if mapping is not None:
                value = mapping(value)
            if keys is not None or values is not None:
                if keys is not None:
                    for key in value:
                        keys(key)
                if values is not None:
                    value = {key: values(v) for key, v in value.items()}
        return value

    return remembered


def _mapping(schema: dict[str, Any]) -> Callable[[dict[str, Any]], dict[str, Any]]:
    fields = {name: _field(rules) for name, rules in schema.items()}
    # A default that can be changed (a list, a mapping) is copied for each document, as cerberus does.
    defaults = [(name, rules["default"], not isinstance(rules["default"], _IMMUTABLE))
                for name, rules in schema.items() if "default" in rules]
    required = [name for name, rules in schema.items() if rules.get("required")]

    def normalize(document: dict[str, Any]) -> dict[str, Any]:
        if not isinstance(document, dict):
            raise _Doubt
        out: dict[str, Any] = {}
        for name, value in document.items():
            normalize_field = fields.get(name)
            if normalize_field is None:
                raise _Doubt  # unknown field
            out[name] = normalize_field(value)
        # cerberus adds missing defaults after the document's own keys, then coerces and
        # checks them like any value.
        for name, default, fresh in defaults:
            if name not in out:
                out[name] = fields[name](copy.deepcopy(default) if fresh else default)
        if any(name not in out for name in required):
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
        except (_Doubt, TypeError, ValueError, ArithmeticError):
            return None  # incomparable values (a limit against text …): cerberus' verdict

    return check


_COMPILED: dict[int, tuple[dict[str, Any], Callable[[dict[str, Any]], dict[str, Any] | None] | None]] = {}


def validate_quickly(schema: dict[str, Any], document: dict[str, Any]) -> tuple[dict[str, Any], list[Problem]]:
    """Return what ``docgen.core.validation.validate(schema, document)`` returns.

    Valid data is confirmed by the fast path (cerberus is not even imported); anything the fast
    path doubts is validated by cerberus, whose problems are the answer. The compiled fast path
    is kept per schema object (schemas are module-level constants).
    """
    hit = _COMPILED.get(id(schema))
    if hit is None or hit[0] is not schema:
        hit = _COMPILED[id(schema)] = (schema, compile_schema(schema))  # holding it keeps its id
    fast = hit[1]
    normalized = fast(document) if fast is not None else None
    if normalized is not None:
        return normalized, []
    from docgen.core.validation import validate

    return validate(schema, document)
