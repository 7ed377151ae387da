"""Condition plans: the plain-Python evaluation gives what Jinja2's sandbox gives, value for value."""
from __future__ import annotations

import datetime as _dt
import functools
import json
from decimal import Decimal
from typing import Any

import pytest

from docgen.core.conditions import Condition, evaluate_plan, is_plan
from docgen.core.sandbox import compile_trusted

NAMES = frozenset({"a", "b", "c", "d", "attestation", "project", "company_age_years", "shareholders"})

EXPRESSIONS = [
    "true", "false", "none", "1", "'x'", "a", "missing",
    "attestation.signed", "attestation.signed and attestation.company_seal",
    "attestation.sealed or attestation.signed", "not attestation.signed", "not missing.x.y",
    "company_age_years is not none and company_age_years < 3", "company_age_years is none",
    "a is defined", "missing is undefined", "a.b is defined", "a.b.c is undefined",
    "project.invested / project.total_investment", "a + b", "a - b", "a * b", "a // b", "a % b",
    "-a", "+a", "a < b", "a <= b < c", "a == b", "a != b", "a > b >= c", "a in d", "a not in d",
    "a.items", "a.keys", "a.x", "d.x", "c.x", "a * 'ab'", "'ab' * 3", "missing < 3", "missing == missing",
    "(a and b) or (c and not d)", "a / 0", "missing + 1", "-missing", "a and missing", "missing or a",
    "project.invested > 0 and project.total_investment > 0",
]

CONTEXTS: list[dict[str, Any]] = [
    {},
    {"a": 1, "b": 2, "c": 3, "d": [1, 2]},
    {"a": 0, "b": None, "c": "x", "d": "abc"},
    {"a": Decimal("2.5"), "b": Decimal("0"), "c": Decimal("1"), "d": {"x": 1}},
    {"a": {"x": 1, "items": 2, "b": {"c": None}}, "b": {}, "c": None, "d": _dt.date(2026, 1, 1)},
    {"a": True, "b": False, "c": [], "d": {}},
    {"attestation": {"signed": True, "company_seal": False, "sealed": True}, "company_age_years": 2,
     "project": {"invested": Decimal("1500"), "total_investment": Decimal("3000")}},
    {"attestation": {}, "company_age_years": None, "project": {"invested": Decimal("1"), "total_investment": 0}},
    {"attestation": {"signed": None}, "company_age_years": 7, "project": {}},
]


_REFUSED = object()
_compiled = functools.lru_cache(maxsize=None)(compile_trusted)


def _jinja(source: str, context: dict[str, Any]) -> Any:
    """What the sandbox alone makes of ``source``: its value, None for a failure, or ``_REFUSED``."""
    from docgen.core.sandbox import SecurityError

    try:
        return _compiled(source)(**context)
    except SecurityError:
        return _REFUSED
    except Exception:  # noqa: BLE001 - Condition.evaluate reads any failure as "unknown"
        return None


@pytest.mark.parametrize("source", EXPRESSIONS)
def test_plans_evaluate_as_jinja_does(source: str) -> None:
    condition = Condition(source, "w", names=NAMES | {"missing"})
    for context in CONTEXTS:
        expected = _jinja(source, context)
        if expected is _REFUSED:
            continue  # test_sandbox_refusals_still_apply_to_cached_conditions
        got = condition.evaluate(context)
        assert got == expected and type(got) is type(expected), (source, context, got, expected)
        cached = Condition.checked(source, "w", json.loads(json.dumps(condition.plan)))
        assert cached.evaluate(context) == got


def test_the_shipped_checklist_conditions_all_have_plans() -> None:
    from docgen.check.checklist import load_checklist

    conditions = [value for item in load_checklist("dev-loan").items.values() for rule in item.rules
                  for value in rule.values() if isinstance(value, Condition)]
    assert conditions and all(c.plan is not None and is_plan(c.plan) for c in conditions)


def test_what_plans_do_not_cover_is_left_to_jinja() -> None:
    assert Condition("shareholders|length", "w").plan is None
    assert Condition("shareholders[0]", "w").plan is None
    assert Condition("1 if a else 2", "w", names=NAMES).plan is None
    # An attribute of something other than a mapping: Jinja2 answers (a date's year).
    assert Condition("a.year", "w", names=NAMES).evaluate({"a": _dt.date(2026, 5, 1)}) == 2026
    # A cached condition without a plan is compiled when first evaluated.
    assert Condition.checked("shareholders|length", "w", None).evaluate({"shareholders": [1, 2]}) == 2


@pytest.mark.parametrize("damaged", [[], ["nope"], ["name", 1], ["cmp", ["name", "a"], []], ["bin", "pow", ["const", 1],
                                                                                             ["const", 2]], "a", None])
def test_damaged_plans_are_recognised(damaged: Any) -> None:
    assert not is_plan(damaged)


def test_sandbox_refusals_still_apply_to_cached_conditions() -> None:
    from docgen.core.errors import ChecklistError

    with pytest.raises(ChecklistError):
        Condition.checked("'x' * 999999999", "w", None).evaluate({})
    plan = Condition("'x' * 999999999", "w").plan
    with pytest.raises(ChecklistError):
        Condition.checked("'x' * 999999999", "w", plan).evaluate({})
    assert evaluate_plan(["const", 3], {}) == 3
