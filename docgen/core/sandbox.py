"""The Jinja2 sandbox behind checklist conditions: parse, refuse anything unsafe, compile.

Imported only when an expression must be checked and compiled (a checklist not seen before, a
template's bundle mapping, a collection policy) or evaluated in a way the plain-Python plans of
``docgen.core.conditions`` leave to Jinja; a check whose checklist is in the cache never loads it.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from jinja2 import ChainableUndefined, nodes
from jinja2.exceptions import SecurityError, TemplateSyntaxError
from jinja2.parser import Parser
from jinja2.sandbox import ImmutableSandboxedEnvironment

from docgen.core.conditions import _LITERALS, MAX_REPEAT, SAFE_FILTERS
from docgen.core.errors import DocgenError
from docgen.core.messages import MESSAGES

__all__ = ["SecurityError", "attributes_read", "compile_checked", "compile_trusted"]


class _ConditionEnvironment(ImmutableSandboxedEnvironment):
    """The sandbox, also refusing to multiply a string or list into a huge one."""

    intercepted_binops = frozenset({"*"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "*":
            for seq, count in ((left, right), (right, left)):
                if isinstance(seq, (str, list, tuple)) and isinstance(count, int) and count * max(len(seq), 1) > MAX_REPEAT:
                    # with its code and facts, so that the refusal is worded in either language
                    raise MESSAGES.error(SecurityError, "condition-repeat-too-large", limit=MAX_REPEAT)
        return super().call_binop(context, operator, left, right)


_ENV = _ConditionEnvironment(undefined=ChainableUndefined)

#: Names Jinja resolves when the context lacks them: a plan cannot see these.
GLOBALS = frozenset(_ENV.globals)


def compile_checked(source: str, where: str, allowed: frozenset[str], error: type[DocgenError],
                    label: str | None = None) -> tuple[Callable[..., Any], list[Any] | None]:
    """Check ``source`` (see ``docgen.core.conditions``) and compile it in the sandbox.

    Returns ``(function, plan)``: the compiled expression (keyword arguments are its names) and
    its plain-Python plan, or None when it uses anything a plan does not cover. Raises ``error``
    naming ``where`` (after the file's ``label`` when given) when the expression does not parse or
    uses anything forbidden.
    """
    try:
        tree = _ENV.parse("{{ (" + source + ") }}")
    except TemplateSyntaxError as exc:
        raise MESSAGES.error(error, "condition-syntax", where=where, label=label, source=source,
                             reason=exc.message) from None
    _reject_unsafe(tree, source, where, allowed, error, label)
    try:
        func = compile_trusted(source)
    except TemplateSyntaxError as exc:
        # Parsed inside ``{{ ( ) }}`` it could pass for two expressions ("a ) }}{{ ( b"): alone it is none.
        raise MESSAGES.error(error, "condition-syntax", where=where, label=label, source=source,
                             reason=exc.message) from None
    parser = Parser(_ENV, source, state="variable")
    tree = parser.parse_expression()
    # The plan is of the whole source or of nothing (the compiled expression is the judge).
    return func, _plan(tree) if parser.stream.eos else None


def compile_trusted(source: str) -> Callable[..., Any]:
    """Compile ``source``, already checked by ``compile_checked`` (in this run or a cached one)."""
    return _ENV.compile_expression(source, undefined_to_none=True)


def attributes_read(source: str, name: str) -> tuple[str, ...] | None:
    """Return the attributes of ``name`` that ``source`` (checked by ``compile_checked``) reads, each
    once, in the order written; None when it uses ``name`` itself (alone, subscripted, filtered).

    With no calls allowed and only pure filters, the value of such an expression is a function of
    those attributes' values. Raises ``TemplateSyntaxError`` for a source that does not parse.
    """
    tree = _ENV.parse("{{ (" + source + ") }}")
    found: list[str] = []
    through: set[int] = set()  # the Name nodes read only for an attribute
    for node in tree.find_all(nodes.Getattr):
        if isinstance(node.node, nodes.Name) and node.node.name == name:
            through.add(id(node.node))
            if node.attr not in found:
                found.append(node.attr)
    if any(node.name == name and id(node) not in through for node in tree.find_all(nodes.Name)):
        return None
    return tuple(found)


# ---- plans ------------------------------------------------------------------------------------
# A plan is the expression as nested JSON lists, for the node types whose Jinja semantics are
# plain Python (see ``docgen.core.conditions.evaluate_plan``); anything else has no plan.
_COMPARE_OPS = frozenset({"eq", "ne", "lt", "lteq", "gt", "gteq", "in", "notin"})
_BINARY = {nodes.Add: "add", nodes.Sub: "sub", nodes.Mul: "mul", nodes.Div: "div", nodes.FloorDiv: "floordiv",
           nodes.Mod: "mod"}
_TESTS = frozenset({"none", "defined", "undefined"})


class _NoPlan(Exception):
    pass


def _plan(node: nodes.Node) -> list[Any] | None:
    try:
        return _node_plan(node)
    except _NoPlan:
        return None


def _node_plan(node: nodes.Node) -> list[Any]:
    kind = type(node)
    if kind is nodes.Const and (node.value is None or type(node.value) in (bool, int, float, str)):
        return ["const", node.value]
    if kind is nodes.Name and node.ctx == "load" and node.name not in GLOBALS:
        return ["name", node.name]
    if kind is nodes.Getattr and node.ctx == "load":
        return ["attr", _node_plan(node.node), node.attr]
    if kind is nodes.And:
        return ["and", _node_plan(node.left), _node_plan(node.right)]
    if kind is nodes.Or:
        return ["or", _node_plan(node.left), _node_plan(node.right)]
    if kind is nodes.Not:
        return ["not", _node_plan(node.node)]
    if kind is nodes.Neg:
        return ["neg", _node_plan(node.node)]
    if kind is nodes.Pos:
        return ["pos", _node_plan(node.node)]
    if kind in _BINARY:
        return ["bin", _BINARY[kind], _node_plan(node.left), _node_plan(node.right)]
    if kind is nodes.Test and node.name in _TESTS and not node.args and not node.kwargs \
            and node.dyn_args is None and node.dyn_kwargs is None:
        return ["test", node.name, _node_plan(node.node)]
    if kind is nodes.Compare and all(op.op in _COMPARE_OPS for op in node.ops):
        return ["cmp", _node_plan(node.expr), [[op.op, _node_plan(op.expr)] for op in node.ops]]
    raise _NoPlan


def _reject_unsafe(tree: nodes.Node, source: str, where: str, allowed: frozenset[str],
                   error: type[DocgenError], label: str | None) -> None:
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
            raise MESSAGES.error(error, "condition-unsafe", where=where, label=label, source=source, rule=rule,
                                 **facts)
