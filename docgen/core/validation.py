"""Data validation shared by bundle.yaml, template data and ledger rows (cerberus).

``validate()`` returns the normalized document and a flat list of ``Problem``s whose
``path`` reads like ``shareholders[1].id_number``. Schemas may use, beyond cerberus':

- types ``date`` (a ``datetime.date``) and ``amount`` (int, float or Decimal, not bool);
- coercers ``to_date`` (ISO text, ``datetime``, ``date``; Excel serials are rejected
  here on purpose: spreadsheet readers convert real date cells) and ``to_amount``
  (numbers or text such as ``"1,234.50"``, to ``Decimal``); ``to_yes_no`` (是/否, true/false, yes/no,
  y/n, 1/0 as text in any case, a boolean, the numbers 1 and 0: ``values.parse_yes_no``; what
  ``yes_no_fields`` gives every boolean field of a template); ``strip`` for text; ``to_period_label``
  (``2026q2`` to ``2026Q2``, ``2026-6`` to ``2026-06``: ``values.period_label``); ``id_number``
  for identification numbers (stripped, letters upper-case: ``33010619840315102x`` is printed
  ``…102X``);
- ``check_with``: ``uscc`` (统一社会信用代码), ``resident_id`` (居民身份证号, checksum and
  birth date), ``uscc_or_resident_id``, ``period_label`` (a reporting period in its documented
  form, ``values.PERIOD_LABEL``; coded ``format`` as a pattern's mismatch).

Each problem has a stable code and structured facts; its Chinese wording (the users'
language) comes from ``docgen.core.messages``. ``Problem`` lives in ``docgen.core.problems``.

The validator itself (``DocgenValidator``, ``docgen.core.validator``) and cerberus are imported
at the first ``validate``: a ledger whose rows all pass the plain-Python checks, or a policy kept
in the cache, is read without them.
"""
from __future__ import annotations

import difflib
import re
import threading
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from docgen.core.messages import MESSAGES
from docgen.core.problems import Problem
# The value parsers live where reading a date or an amount does not import the validators.
from docgen.core.values import (DATE_MAX, DATE_MIN, MAX_AMOUNT, PERIOD_LABEL, id_text, parse_amount, parse_date,
                                parse_working_date, parse_yes_no, period_label)
from docgen.core.idnumbers import check_resident_id, check_uscc, resident_id_issue, uscc_issue

#: cerberus error code -> docgen's stable problem code (wording: ``docgen.core.messages``).
_CODES: dict[int, str] = {
    0x02: "required", 0x03: "unknown-field", 0x04: "dependency", 0x22: "empty", 0x23: "null",
    0x24: "type", 0x25: "not-mapping", 0x26: "items-length", 0x27: "too-short", 0x28: "too-long",
    0x41: "format", 0x42: "too-small", 0x43: "too-large", 0x44: "not-allowed", 0x45: "not-allowed",
    0x46: "not-allowed", 0x47: "not-allowed", 0x61: "not-convertible",
}


if TYPE_CHECKING:
    from docgen.core.validator import DocgenValidator


class _Coded(str):
    """A problem's sentence that keeps its code and facts through cerberus' error tree."""

    code: str
    facts: dict[str, Any]

    def __new__(cls, code: str, facts: dict[str, Any]) -> _Coded:
        obj = super().__new__(cls, MESSAGES.text(code, facts))
        obj.code = code
        obj.facts = facts
        return obj

    def __getnewargs__(self) -> tuple[str, dict[str, Any]]:  # type: ignore[override]
        return self.code, self.facts


def yes_no_fields(schema: dict[str, Any]) -> dict[str, Any]:
    """Return ``schema`` (changed in place) with every boolean field, at any depth (a mapping's
    fields, a list's items), reading a yes/no as a clerk writes it (``coerce: to_yes_no``), unless
    the field declares a coercion of its own.

    A CSV cell, a YAML string or ``--set`` gives 否 or false as text, which a boolean type alone
    refuses; what each field accepts is then read in one place, ``values.parse_yes_no``."""
    for rule in schema.values():
        _yes_no_rule(rule)
    return schema


def _yes_no_rule(rule: Any) -> None:
    if not isinstance(rule, dict):
        return
    if rule.get("type") == "boolean" and "coerce" not in rule:
        rule["coerce"] = "to_yes_no"
    sub = rule.get("schema")
    if isinstance(sub, dict):
        if rule.get("type") == "dict":
            yes_no_fields(sub)
        else:
            _yes_no_rule(sub)  # a list's items


def flatten_errors(tree: dict[Any, list[Any]], prefix: str = "") -> list[tuple[str, str]]:
    """Flatten cerberus' nested ``errors`` into ``(path, message)`` pairs.

    A message from docgen's validator is a ``str`` that also carries ``code`` and ``facts``.
    Paths join mapping keys with ``.`` and list indexes as ``[i]``: ``shareholders[1].id_number``.
    """
    out: list[tuple[str, str]] = []
    for key, entries in tree.items():
        if isinstance(key, int):
            path = f"{prefix}[{key}]"
        else:
            path = f"{prefix}.{key}" if prefix else str(key)
        for entry in entries:
            if isinstance(entry, dict):
                out.extend(flatten_errors(entry, path))
            else:
                out.append((path, entry))
    return out


_VALIDATORS = threading.local()


def _validator(schema: dict[str, Any], allow_unknown: bool) -> DocgenValidator:
    """Return a validator for ``schema``, reused across calls in this thread.

    Building a cerberus validator re-checks the whole schema (most of the cost of
    validating one spreadsheet row); batches validate thousands of rows against one schema.
    Keyed by the schema object itself, so a different (or rebuilt) schema gets its own.
    """
    cache = getattr(_VALIDATORS, "cache", None)
    if cache is None:
        cache = _VALIDATORS.cache = {}
    key = (id(schema), allow_unknown)
    hit = cache.get(key)
    if hit is not None and hit[0] is schema:
        return hit[1]
    if len(cache) >= 64:
        cache.clear()
    from docgen.core.validator import DocgenValidator  # cerberus, imported when first asked

    validator = DocgenValidator(schema, allow_unknown=allow_unknown)
    cache[key] = (schema, validator)  # holding the schema keeps its id from being reused
    return validator


def validate(
    schema: dict[str, Any],
    document: dict[str, Any],
    *,
    allow_unknown: bool = False,
    row: int | None = None,
    columns: dict[str, str] | None = None,
) -> tuple[dict[str, Any], list[Problem]]:
    """Validate and normalize ``document`` against ``schema``.

    Returns ``(normalized, problems)``; ``normalized`` is only meaningful when ``problems``
    is empty. ``row`` and ``columns`` (top-level field -> spreadsheet column label) are
    copied into each problem so messages can point at the cell.
    """
    validator = _validator(schema, allow_unknown)
    ok = validator.validate(document)
    if ok:
        return validator.document, []
    columns = columns or {}
    problems = []
    coded = [(path, getattr(message, "code", "invalid"), dict(getattr(message, "facts", {"reason": message})))
             for path, message in flatten_errors(validator.errors)]
    # A failed coercion leaves the raw value, which then fails other rules of the field too
    # (type, max): the coercion's problem alone says what is wrong.
    coerce_failed = {path for path, code, _ in coded if code == "not-convertible"}
    for path, code, facts in coded:
        if path in coerce_failed and code != "not-convertible":
            continue
        top = re.split(r"[.\[]", path, maxsplit=1)[0]
        if code == "unknown-field":
            facts.update(_close_field(schema, path))
        problems.append(MESSAGES.problem(code, path, row=row, column=columns.get(top), **facts))
    return validator.document or {}, problems


def _close_field(schema: dict[str, Any], path: str) -> dict[str, str]:
    """Return ``{"known": name}``, the field of the schema beside the unknown one at ``path`` whose
    name it most looks like a misspelling of (``borower``: ``borrower``), or an empty dict."""
    parts = re.findall(r"\[\d+\]|[^.\[\]]+", path)
    fields: Any = schema  # the fields (name -> rule) at the level walked to
    rule: Any = None
    for part in parts[:-1]:
        rule = (rule.get("schema") if isinstance(rule, dict) else None) if part.startswith("[") else (
            fields.get(part) if isinstance(fields, dict) else None)
        fields = rule.get("schema") if isinstance(rule, dict) and rule.get("type") == "dict" else None
    if not parts or not isinstance(fields, dict):
        return {}
    known = close_name(parts[-1], [str(name) for name in fields])
    return {"known": known} if known is not None else {}


#: How alike a mistyped name must be to a known one to be suggested, as difflib measures it (twice
#: the characters in common over both lengths): two thirds, so that a three-character Chinese name
#: with one character off, as a wrong pick of the input method leaves it (借宽人, 抵压物), is
#: found, and so is an English one with two letters swapped (ucsc, borrwoer). Measured on every
#: field and label of the shipped templates and bundle.yaml: 0.6 found no more typos but suggested
#: a field for half again as many names that are none; 0.75 missed the three-character names.
#: (0.66, just under 2/3, so that rounding never drops the ratio 4/6.)
CLOSE_NAME_CUTOFF = 0.66


def close_name(name: str, names: Iterable[str]) -> str | None:
    """Return the one of ``names`` that ``name`` most looks like a misspelling of (``borower``:
    ``borrower``; ``借宽人``: ``借款人``), or None when none is alike enough (``CLOSE_NAME_CUTOFF``).

    What bundle.yaml's and a template's data validation suggest for an unknown field, and a
    template's check for a variable that is no field of it."""
    found = difflib.get_close_matches(name, list(names), n=1, cutoff=CLOSE_NAME_CUTOFF)
    return found[0] if found else None

