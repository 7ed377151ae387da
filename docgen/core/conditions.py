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
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from jinja2 import ChainableUndefined, nodes
from jinja2.exceptions import SecurityError, TemplateSyntaxError
from jinja2.sandbox import ImmutableSandboxedEnvironment

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


class _ConditionEnvironment(ImmutableSandboxedEnvironment):
    """The sandbox, also refusing to multiply a string or list into a huge one."""

    intercepted_binops = frozenset({"*"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "*":
            for seq, count in ((left, right), (right, left)):
                if isinstance(seq, (str, list, tuple)) and isinstance(count, int) and count * max(len(seq), 1) > MAX_REPEAT:
                    raise SecurityError(MESSAGES.text("condition-repeat-too-large", {"limit": MAX_REPEAT}))
        return super().call_binop(context, operator, left, right)


_ENV = _ConditionEnvironment(undefined=ChainableUndefined)

#: Names an expression may use; everything else is a typo or an attempt to reach outside.
_LITERALS = frozenset({"true", "false", "none", "True", "False", "None"})
CONTEXT_NAMES = frozenset(
    {"borrower", "shareholders", "project", "loan", "contractor", "documents", "attestation",
     "as_of", "company_age_years"}
) | _LITERALS


class Condition:
    """A compiled checklist expression; call ``evaluate(context)`` to get its value or None."""

    def __init__(self, source: str, where: str, *, names: frozenset[str] | None = None,
                 error: type[DocgenError] = ChecklistError) -> None:
        """Compile ``source``; ``where`` names its place in the data file for error messages.

        ``names`` replaces ``CONTEXT_NAMES`` (another file's context, e.g. a template's bundle
        mapping); ``error`` is the exception raised (``ChecklistError`` by default) when the
        expression does not parse or uses anything forbidden.
        """
        self.source = source
        self.where = where
        self.error = error
        allowed = CONTEXT_NAMES if names is None else names | _LITERALS
        try:
            tree = _ENV.parse("{{ (" + source + ") }}")
        except TemplateSyntaxError as exc:
            raise MESSAGES.error(error, "condition-syntax", where=where, source=source, reason=exc.message) from None
        _reject_unsafe(tree, source, where, allowed, error)
        self._func: Callable[..., Any] = _ENV.compile_expression(source, undefined_to_none=True)

    def evaluate(self, context: dict[str, Any]) -> Any:
        """Return the expression's value in ``context``, or None when it cannot be computed.

        Raises ``ChecklistError`` if the sandbox refuses an operation at run time (a checklist
        that tries to escape is a broken checklist, not a false condition).
        """
        try:
            return self._func(**context)
        except SecurityError as exc:
            raise MESSAGES.error(self.error, "condition-refused", where=self.where, source=self.source,
                                 reason=str(exc)) from None
        except Exception:  # noqa: BLE001 - absent data or arithmetic on None means "unknown"
            return None

    def __repr__(self) -> str:
        return f"Condition({self.source!r})"


def _reject_unsafe(tree: nodes.Node, source: str, where: str, allowed: frozenset[str],
                   error: type[DocgenError]) -> None:
    for node in tree.find_all((nodes.Call, nodes.Pow, nodes.Getattr, nodes.Getitem, nodes.Name, nodes.Filter)):
        rule: str | None = None
        facts: dict[str, Any] = {}
        if isinstance(node, nodes.Call):
            rule = "call"
        elif isinstance(node, nodes.Filter) and node.name not in SAFE_FILTERS:
            rule, facts = "filter", {"name": node.name, "available": sorted(SAFE_FILTERS)}
        elif isinstance(node, nodes.Filter) and any(
                isinstance(arg, nodes.Const) and isinstance(arg.value, str) and arg.value.startswith("_")
                for arg in [*node.args, *(kw.value for kw in node.kwargs)]):
            rule = "filter-argument"
        elif isinstance(node, nodes.Pow):
            rule = "power"
        elif isinstance(node, nodes.Getattr) and node.attr.startswith("_"):
            rule, facts = "private-attribute", {"name": node.attr}
        elif (isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const)
              and isinstance(node.arg.value, str) and node.arg.value.startswith("_")):
            rule, facts = "private-key", {"name": node.arg.value}
        elif isinstance(node, nodes.Name) and node.name not in allowed:
            rule, facts = "unknown-name", {"name": node.name, "available": sorted(allowed - _LITERALS)}
        if rule:
            raise MESSAGES.error(error, "condition-unsafe", where=where, source=source, rule=rule, **facts)
