"""Condition plans: the plain-Python evaluation gives what Jinja2's sandbox gives, value for value."""
from __future__ import annotations

import datetime as _dt
import functools
import json
from decimal import Decimal
from pathlib import Path
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
    # An attribute of something other than a mapping that is not plain data: Jinja2 answers.
    assert Condition("a.upper", "w", names=NAMES).evaluate({"a": "x"}) is not None
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


class _Row:
    """An object with attributes, as a ledger's loan is to a policy's condition."""

    def __init__(self, **values: Any) -> None:
        self.__dict__.update(values)


def _counted(condition: Condition, monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Record every context Jinja2's sandbox evaluates ``condition`` in from now on."""
    calls: list[dict[str, Any]] = []
    by_jinja = condition._by_jinja

    def counting(context: dict[str, Any]) -> Any:
        calls.append(context)
        return by_jinja(context)

    monkeypatch.setattr(condition, "_by_jinja", counting)
    return calls


class _Loan:
    """Plain data in slots, a property and a method, as a ledger's loan has."""

    __slots__ = ("balance", "guarantors", "maturity", "borrower", "closed", "note")

    def __init__(self, **values: Any) -> None:
        for name in self.__slots__:
            setattr(self, name, values.get(name))

    @property
    def secured(self) -> bool:
        return bool(self.guarantors)

    def total(self) -> int:
        return 1


_LOANS = [_Loan(balance=Decimal("600000.00"), guarantors=("甲", "乙"), maturity=_dt.date(2026, 1, 31), borrower="张三",
                closed=False, note=1.5),
          _Loan(balance=Decimal("0"), guarantors=(), borrower="", closed=True)]


@pytest.mark.parametrize("source", [
    "loan.balance >= 500000", "loan.guarantors", "not loan.guarantors", "loan.maturity < loan.maturity",
    "loan.borrower == '张三'", "loan.closed", "loan.note + 1", "loan.secured", "loan.total", "loan.missing",
    "loan.missing is undefined", "loan.borrower.upper", "loan.maturity.year > 2025", "loan.guarantors.count",
])
def test_plans_read_plain_attributes_of_objects_as_jinja_does(source: str) -> None:
    from docgen.core.conditions import _NO_ANSWER

    condition = Condition(source, "w", names=frozenset({"loan"}))
    for loan in _LOANS:
        expected = _jinja(source, {"loan": loan})
        got = condition.evaluate({"loan": loan})
        assert got == expected and type(got) is type(expected), (source, got, expected)
        assert condition.evaluate_on("loan", loan) == expected
    # Plain data is read by the plan; a method, a missing attribute, an attribute of text are Jinja2's.
    answered = condition._by_plan({"loan": _LOANS[0]}) is not _NO_ANSWER
    assert answered == (not any(word in source for word in ("total", "missing", "upper", "count"))), source


def test_a_policy_condition_that_reads_as_two_expressions_is_refused_with_its_place(tmp_path: Path) -> None:
    from docgen.core.errors import InputError
    from docgen.loans.plan import load_policy

    policy = tmp_path / "policy.yaml"
    policy.write_text('timetable:\n  - {action: phone, from: 1, when: "loan.balance ) }}{{ ( loan"}\n', encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_policy(policy)
    assert str(caught.value) == (f"{policy}：timetable[0].when：表达式“loan.balance ) }}}}{{{{ ( loan”语法错误："
                                 "unexpected ')'")


def test_attributes_read_names_what_a_condition_reads_of_one_name() -> None:
    from docgen.core.sandbox import attributes_read

    assert attributes_read("loan.guarantors", "loan") == ("guarantors",)
    assert attributes_read("loan.a.b and loan.c or loan.a | length > 1", "loan") == ("a", "c")
    assert attributes_read("1 < 2", "loan") == ()
    assert attributes_read("loan", "loan") is None
    assert attributes_read("loan | length", "loan") is None
    assert attributes_read("loan['balance'] > 0", "loan") is None


def test_evaluate_on_remembers_what_jinja_gave_by_the_values_read(monkeypatch: pytest.MonkeyPatch) -> None:
    # A filter: no plan, Jinja2's sandbox computes it.
    condition = Condition("loan.guarantors | length > 0 and loan.balance >= 500000", "w", names=frozenset({"loan"}))
    assert condition.plan is None
    calls = _counted(condition, monkeypatch)
    rows = [_Row(guarantors=("甲",), balance=Decimal("600000"), other=1),
            _Row(guarantors=("甲",), balance=Decimal("600000"), other=2),
            _Row(guarantors=(), balance=Decimal("600000"), other=3),
            _Row(guarantors=("甲",), balance=Decimal("100"), other=4)]
    assert [condition.evaluate_on("loan", row) for row in rows] == [True, True, False, False]
    # The second row reads as the first: no second evaluation.
    assert [call["loan"].other for call in calls] == [1, 3, 4]
    # What the first evaluation gave, for a new object with the same values.
    assert condition.evaluate_on("loan", _Row(guarantors=("甲",), balance=Decimal("600000"))) is True
    assert len(calls) == 3


def test_evaluate_on_tells_apart_values_equality_confuses() -> None:
    condition = Condition("loan.balance | string", "w", names=frozenset({"loan"}))
    assert condition.evaluate_on("loan", _Row(balance=Decimal("1.0"))) == "1.0"
    assert condition.evaluate_on("loan", _Row(balance=Decimal("1.00"))) == "1.00"
    flag = Condition("loan.flag | string", "w", names=frozenset({"loan"}))
    assert flag.evaluate_on("loan", _Row(flag=1)) == "1"
    assert flag.evaluate_on("loan", _Row(flag=True)) == "True"
    # An absent attribute is undefined, not the last value seen.
    present = Condition("(loan.x is defined) | string", "w", names=frozenset({"loan"}))
    assert present.evaluate_on("loan", _Row(x=None)) == "True"
    assert present.evaluate_on("loan", _Row()) == "False"


def test_evaluate_on_computes_an_attribute_jinja_reads_as_an_item() -> None:
    # Absent as an attribute, Jinja2 reads it as an item: mappings with different items are not the same key.
    condition = Condition("loan.guarantors | length > 1", "w", names=frozenset({"loan"}))
    assert condition.evaluate_on("loan", {"guarantors": ("甲",)}) is False
    assert condition.evaluate_on("loan", {"guarantors": ("甲", "乙")}) is True
    assert condition.evaluate_on("loan", {}) is False


def test_evaluate_on_computes_what_it_cannot_key(monkeypatch: pytest.MonkeyPatch) -> None:
    listed = Condition("loan.items | length > 1", "w", names=frozenset({"loan"}))
    calls = _counted(listed, monkeypatch)
    items = [1, 2]
    assert listed.evaluate_on("loan", _Row(items=items)) is True
    items.pop()  # a list may change between two loans: never a key
    assert listed.evaluate_on("loan", _Row(items=items)) is False
    itself = Condition("loan | string", "w", names=frozenset({"loan"}))
    itself_calls = _counted(itself, monkeypatch)
    row = _Row()
    assert itself.evaluate_on("loan", row) == itself.evaluate_on("loan", row) == str(row)
    assert len(calls) == 2 and len(itself_calls) == 2


def test_evaluate_on_holds_a_bounded_memo(monkeypatch: pytest.MonkeyPatch) -> None:
    import docgen.core.conditions as conditions

    monkeypatch.setattr(conditions, "_MEMO_LIMIT", 2)
    condition = Condition("loan.n | int > 1", "w", names=frozenset({"loan"}))
    calls = _counted(condition, monkeypatch)
    for n in (1, 2, 3, 3, 1):
        assert condition.evaluate_on("loan", _Row(n=n)) is (n > 1)
    # 1 and 2 are held; 3, past the limit, is computed each time it comes.
    assert [call["loan"].n for call in calls] == [1, 2, 3, 3]


def test_evaluate_on_raises_the_sandbox_refusal_every_time() -> None:
    from docgen.core.errors import ChecklistError

    condition = Condition("loan.text * loan.n", "w", names=frozenset({"loan"}))
    for _ in range(2):
        with pytest.raises(ChecklistError):
            condition.evaluate_on("loan", _Row(text="x", n=999999999))
