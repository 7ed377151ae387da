"""Conditions in checklist files: Jinja2 expressions evaluated in a sandbox, never ``eval``.

A checklist says *when* a rule applies (``borrower.uscc`` waives the old certificates under
三证合一; ``company_age_years < 3`` changes the audit-report rule) as data. Expressions are
compiled once when the checklist loads, by ``jinja2.sandbox.ImmutableSandboxedEnvironment``,
and are also checked statically: no function calls, no ``**`` (a cheap way to burn CPU), no
names or attributes starting with ``_`` (the classic sandbox-escape route), only the names of
``CONTEXT_NAMES`` and only the filters of ``SAFE_FILTERS``; at run time ``'x' * 10**9``-style
repetition is refused too. A rejected or
malformed expression is a ``ChecklistError`` naming where it sits in the checklist file.

At run time an expression that cannot be computed (an absent field, a division by zero)
yields ``None`` rather than an exception: rules treat that as "not known".

Jinja2 itself lives in ``docgen.core.sandbox``, imported only when needed. Expressions made of
names, attributes, constants, ``and``/``or``/``not``, comparisons, arithmetic and the tests
``none``/``defined``/``undefined`` also get a *plan* (the expression as JSON lists) that
``evaluate_plan`` computes in plain Python with Jinja's semantics for them; a checklist kept in
the cache carries its plans, so checking a bundle need not import Jinja2 at all. Any value a
plan is not sure about (an object's attribute that is not plain data, a comparison with an
undefined value …) hands the expression to Jinja2. A condition asked of many objects (a
policy's, of every loan) remembers what Jinja2 gave by the values it read (``evaluate_on``).
"""
from __future__ import annotations

import datetime as _dt
import operator
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from docgen.core.errors import ChecklistError, DocgenError
from docgen.core.messages import MESSAGES

#: Filters a condition may use: pure, cheap, and bounded by their input's size.
SAFE_FILTERS = frozenset(
    {"abs", "default", "d", "float", "int", "length", "count", "lower", "upper", "trim", "round",
     "min", "max", "sum", "first", "last", "string", "list", "select", "reject", "selectattr",
     "rejectattr", "map", "unique", "join", "sort"}
)
#: Largest sequence a condition may build with ``*`` (``'x' * 10**9`` would exhaust memory).
MAX_REPEAT = 10_000

#: Names an expression may use; everything else is a typo or an attempt to reach outside.
_LITERALS = frozenset({"true", "false", "none", "True", "False", "None"})
CONTEXT_NAMES = frozenset(
    {"borrower", "shareholders", "project", "loan", "contractor", "documents", "attestation",
     "as_of", "company_age_years"}
) | _LITERALS


class Condition:
    """A compiled checklist expression; call ``evaluate(context)`` to get its value or None."""

    def __init__(self, source: str, where: str, *, names: frozenset[str] | None = None,
                 error: type[DocgenError] = ChecklistError, label: str | None = None) -> None:
        """Check and compile ``source``; ``where`` names its place in the data file for error messages,
        after ``label`` (the file's name, a fact of its own so that each language sets its own
        punctuation between them) when given.

        ``names`` replaces ``CONTEXT_NAMES`` (another file's context, e.g. a template's bundle
        mapping); ``error`` is the exception raised (``ChecklistError`` by default) when the
        expression does not parse or uses anything forbidden.
        """
        from docgen.core.sandbox import compile_checked

        self.source = source
        self.where = where
        self.label = label
        self.error = error
        allowed = CONTEXT_NAMES if names is None else names | _LITERALS
        func, self.plan = compile_checked(source, where, allowed, error, label)
        self._func: Callable[..., Any] | None = func
        self._memos: dict[str, tuple[tuple[str, ...] | None, dict[tuple[Any, ...], Any]]] = {}

    @classmethod
    def checked(cls, source: str, where: str, plan: list[Any] | None, *,
                error: type[DocgenError] = ChecklistError, label: str | None = None) -> Condition:
        """Return the condition ``source`` that passed the checks before (its checklist is cached),
        with that run's ``plan``; Jinja2 compiles it only if the plan cannot answer."""
        self = cls.__new__(cls)
        self.source = source
        self.where = where
        self.label = label
        self.error = error
        self.plan = plan
        self._func = None
        self._memos = {}
        return self

    def evaluate(self, context: dict[str, Any]) -> Any:
        """Return the expression's value in ``context``, or None when it cannot be computed.

        Raises ``ChecklistError`` if the sandbox refuses an operation at run time (a checklist
        that tries to escape is a broken checklist, not a false condition).
        """
        value = self._by_plan(context)
        return self._by_jinja(context) if value is _NO_ANSWER else value

    def _by_plan(self, context: dict[str, Any]) -> Any:
        """Return ``evaluate``'s value computed by the plan, or ``_NO_ANSWER`` when there is no plan
        or it leaves the expression to Jinja2."""
        if self.plan is not None:
            try:
                value = evaluate_plan(self.plan, context)
            except _Unsure:
                pass
            except Exception:  # noqa: BLE001 - as Jinja2 below: absent data means "unknown"
                return None
            else:
                return None if value is UNDEFINED else value
        return _NO_ANSWER

    def _by_jinja(self, context: dict[str, Any]) -> Any:
        """Return ``evaluate``'s value computed by Jinja2's sandbox."""
        from docgen.core.sandbox import SecurityError, compile_trusted

        if self._func is None:
            self._func = compile_trusted(self.source)
        try:
            return self._func(**context)
        except SecurityError as exc:
            # docgen's own refusal carries its code (``cause``) and facts, Jinja2's only its sentence
            raise MESSAGES.error(self.error, "condition-refused", where=self.where, label=self.label,
                                 source=self.source, reason=str(exc), cause=getattr(exc, "code", None),
                                 **getattr(exc, "facts", {})) from None
        except Exception:  # noqa: BLE001 - absent data or arithmetic on None means "unknown"
            return None

    def reads(self, name: str) -> tuple[str, ...] | None:
        """Return the attributes of ``name`` the expression reads (``sandbox.attributes_read``), or
        None when it uses ``name`` itself: its value is then a function of those attributes alone."""
        memo = self._memos.get(name)
        if memo is not None:
            return memo[0]
        from docgen.core.sandbox import attributes_read

        return attributes_read(self.source, name)

    def evaluate_on(self, name: str, obj: Any) -> Any:
        """Return ``evaluate({name: obj})``, remembered by the values of the attributes of ``obj``
        the expression reads (``docgen.core.sandbox.attributes_read``): asked of thousands of loans,
        a policy's condition reads one or two fields whose values repeat, and a Jinja2 call costs
        about a hundred times a lookup. Computed each time when the expression uses ``obj`` itself,
        or an attribute holds a value whose equality hides a difference the expression could see
        (``Decimal("1.0") == Decimal("1.00")``; a list). Raises as ``evaluate``.
        """
        context = {name: obj}
        value = self._by_plan(context)
        if value is not _NO_ANSWER:
            return value  # as quick as a lookup: nothing to remember
        memo = self._memos.get(name)
        if memo is None:
            memo = self._memos[name] = (self.reads(name), {})
        reads, values = memo
        key = None if reads is None else attribute_key(obj, reads)
        if key is None:
            return self._by_jinja(context)
        try:
            return values[key]
        except KeyError:
            value = self._by_jinja(context)
            if len(values) < _MEMO_LIMIT:
                values[key] = value
            return value

    def __repr__(self) -> str:
        return f"Condition({self.source!r})"


_NO_ANSWER = object()
#: Results an ``evaluate_on`` memo holds: beyond that, a condition on values that hardly repeat
#: (an ID, a loan number) is computed each time rather than held for ever.
_MEMO_LIMIT = 65_536
_ABSENT = object()
#: Types whose equal values read the same to any expression: the value is its own key.
_PLAIN = frozenset({str, int, bool, type(None), _dt.date})


def attribute_key(obj: Any, reads: tuple[str, ...]) -> tuple[Any, ...] | None:
    """Return the key of ``obj``'s attributes ``reads`` for ``Condition.evaluate_on``: each value
    with its type (``1`` is not ``True``), a number with a fraction by its text; None when a value
    cannot be a key (a list, a tuple of anything but text, an object) or an attribute is absent."""
    key: list[Any] = []
    for attr in reads:
        value = getattr(obj, attr, _ABSENT)
        if value is _ABSENT:
            # Jinja2 then reads ``obj[attr]``, which may hold anything: a mapping's items are no key.
            return None
        kind = value.__class__
        if kind in _PLAIN:
            key.append((kind, value))
        elif kind is Decimal or kind is float:
            key.append((kind, repr(value)))  # 1.0 and 1.00, 0.0 and -0.0 differ as text
        elif kind is tuple and all(item.__class__ is str for item in value):
            key.append((kind, value))
        else:
            return None
    return tuple(key)


# ---- plans ------------------------------------------------------------------------------------


class _Undefined:
    """What Jinja2's chainable undefined is to a plan: false, and its own attributes."""

    __slots__ = ()

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "UNDEFINED"


UNDEFINED = _Undefined()


#: Types of attribute values a plan gives as they are (see ``evaluate_plan``).
_DATA = frozenset({str, int, float, bool, type(None), Decimal, _dt.date, _dt.datetime, tuple})


class _Unsure(Exception):
    """A plan met a value whose Jinja2 semantics it does not reproduce: Jinja2 decides."""


_COMPARE: dict[str, Callable[[Any, Any], Any]] = {
    "eq": operator.eq, "ne": operator.ne, "lt": operator.lt, "lteq": operator.le, "gt": operator.gt,
    "gteq": operator.ge, "in": lambda a, b: a in b, "notin": lambda a, b: a not in b,
}
_BINARY: dict[str, Callable[[Any, Any], Any]] = {
    "add": operator.add, "sub": operator.sub, "mul": operator.mul, "div": operator.truediv,
    "floordiv": operator.floordiv, "mod": operator.mod,
}


def evaluate_plan(plan: list[Any], context: dict[str, Any]) -> Any:
    """Return the value of ``plan`` in ``context`` as Jinja2's sandbox computes it, ``UNDEFINED``
    for Jinja2's undefined.

    Raises what the same Python operation raises in Jinja2 (the caller reads any as "unknown"),
    and ``_Unsure`` where Jinja2 would do more than plain Python (an attribute of anything but
    a plain mapping, a name Jinja2 would take from its globals, undefined in a comparison, a
    sequence repeated with ``*``).
    """
    kind = plan[0]
    if kind == "name":
        return context[plan[1]] if plan[1] in context else UNDEFINED
    if kind == "attr":
        obj = evaluate_plan(plan[1], context)
        if obj is UNDEFINED or obj is None:
            return UNDEFINED
        if type(obj) is not dict:
            # The sandbox gives an object's attribute as Python does when it is plain data (a ledger
            # loan's fields): only a callable, a frame or code, or an absent one is treated otherwise.
            value = getattr(obj, plan[2], UNDEFINED) if plan[2][:1] != "_" else UNDEFINED
            if value.__class__ in _DATA:
                return value
            raise _Unsure
        # Jinja2 tries the attribute first: a key named like a dict method is not a plain lookup.
        if hasattr(dict, plan[2]):
            raise _Unsure
        return obj.get(plan[2], UNDEFINED)
    if kind == "const":
        return plan[1]
    if kind == "and":
        left = evaluate_plan(plan[1], context)
        return evaluate_plan(plan[2], context) if left else left
    if kind == "or":
        left = evaluate_plan(plan[1], context)
        return left if left else evaluate_plan(plan[2], context)
    if kind == "not":
        return not evaluate_plan(plan[1], context)
    if kind == "test":
        value = evaluate_plan(plan[2], context)
        if plan[1] == "none":
            return value is None
        return (value is not UNDEFINED) == (plan[1] == "defined")
    if kind == "cmp":
        left = _operand(evaluate_plan(plan[1], context), unsure=True)
        result: Any = True
        for op, right_plan in plan[2]:
            right = _operand(evaluate_plan(right_plan, context), unsure=True)
            result = _COMPARE[op](left, right)
            if not result:
                return result
            left = right
        return result
    if kind == "bin":
        left = _operand(evaluate_plan(plan[2], context))
        right = _operand(evaluate_plan(plan[3], context))
        if plan[1] == "mul" and (isinstance(left, (str, list, tuple)) or isinstance(right, (str, list, tuple))):
            raise _Unsure  # the sandbox bounds repetition
        return _BINARY[plan[1]](left, right)
    if kind == "neg":
        return -_operand(evaluate_plan(plan[1], context))
    if kind == "pos":
        return +_operand(evaluate_plan(plan[1], context))
    raise _Unsure


class _UndefinedOperand(Exception):
    """Arithmetic on Jinja2's undefined raises: the expression is "unknown"."""


def _operand(value: Any, *, unsure: bool = False) -> Any:
    if value is UNDEFINED:
        if unsure:
            raise _Unsure  # Jinja2's undefined compares equal to other undefined values
        raise _UndefinedOperand
    return value


def is_plan(plan: Any) -> bool:
    """Return True when ``plan`` has the shape of a plan (one read back from a cache file)."""
    if not isinstance(plan, list) or not plan:
        return False
    kind, args = plan[0], plan[1:]
    if kind == "const":
        return len(args) == 1 and (args[0] is None or type(args[0]) in (bool, int, float, str))
    if kind == "name":
        return len(args) == 1 and isinstance(args[0], str)
    if kind == "attr":
        return len(args) == 2 and is_plan(args[0]) and isinstance(args[1], str)
    if kind in ("and", "or"):
        return len(args) == 2 and all(is_plan(a) for a in args)
    if kind in ("not", "neg", "pos"):
        return len(args) == 1 and is_plan(args[0])
    if kind == "test":
        return len(args) == 2 and args[0] in ("none", "defined", "undefined") and is_plan(args[1])
    if kind == "bin":
        return len(args) == 3 and args[0] in _BINARY and is_plan(args[1]) and is_plan(args[2])
    if kind == "cmp":
        return (len(args) == 2 and is_plan(args[0]) and isinstance(args[1], list) and len(args[1]) > 0
                and all(isinstance(o, list) and len(o) == 2 and o[0] in _COMPARE and is_plan(o[1]) for o in args[1]))
    return False
