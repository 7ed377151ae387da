"""Business rules a template's data must pass before rendering (beyond its cerberus schema).

A template's YAML lists its rules under ``rules:``; each entry names a rule and its parameters::

    rules:
      - {rule: sum, items: shareholders, field: share, equals: 100}
      - {rule: votes, items: shareholders, share: share, vote: vote, in_favour: 同意, threshold: 2/3}
      - {rule: total, total: total, parts: [principal, interest, penalty]}
      - {rule: date_order, earlier: letter_date, later: pay_by, strict: true}
      - {rule: not_above, field: principal, limit: balance}
      - {rule: date_order, when: matured, earlier: maturity, later: letter_date}
      - {rule: zero, unless: penalty_agreed, field: penalty}

A rule with ``when: FIELD`` applies only to data whose ``FIELD`` is true (a flag the letter's
wording follows: a loan said to have matured must have matured by the letter date); one with
``unless: FIELD`` only to data whose ``FIELD`` is false (a loan said to bear no 罚息 is demanded none).
Each rule function takes the normalized context (Decimal amounts, date objects) and the
parameters, may fill in a derived value (``total`` when the data left it out), and returns
``(path, code, facts)`` issues; their wording is in ``docgen.documents.messages``. ``RULES`` maps
rule names to functions.

A rule's own wording (``message``, ``label``, ``labels``, ``basis``: Chinese) has its English beside it
(``message_en``, ``label_en``, ``labels_en``, ``basis_en``), which the service's pages read in English
show; a rule without it is said there by the table's English sentence of its code.
"""
from __future__ import annotations

import datetime as _dt
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from typing import Any

from docgen.core.errors import InvalidValueError
from docgen.core.periods import add_years
from docgen.documents.messages import MESSAGES

#: One rule failure: the field path, its code and the facts the wording needs.
Issue = tuple[str, str, dict[str, Any]]


def _get(context: dict[str, Any], path: str) -> Any:
    value: Any = context
    for key in path.split("."):
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return value


def parse_fraction(value: Any) -> Fraction:
    """Return a threshold written as ``2/3``, ``0.5``, ``66.67%`` or a number as a ``Fraction``.

    Raises ``ValueError`` when it is none of these or lies outside (0, 1].
    """
    text = str(value).strip()
    try:
        if text.endswith("%"):
            result = Fraction(text[:-1]) / 100
        else:
            result = Fraction(text)
    except (ValueError, ZeroDivisionError):
        raise MESSAGES.error(InvalidValueError, "ratio-format", value=value) from None
    if not 0 < result <= 1:
        raise MESSAGES.error(InvalidValueError, "ratio-range", value=value)
    return result


def rule_sum(context: dict[str, Any], params: dict[str, Any]) -> list[Issue]:
    """``field`` summed over the list ``items`` must equal ``equals`` (e.g. shares sum to 100)."""
    items = _get(context, params["items"]) or []
    field = params["field"]
    expected = Decimal(str(params.get("equals", 100)))
    total = sum((Decimal(str(item.get(field) or 0)) for item in items), Decimal(0))
    if items and total != expected:
        return [(params["items"], "sum-mismatch",
                 {"label": params.get("label", field), "label_en": params.get("label_en", field),
                  "expected": expected, "actual": total})]
    return []


def rule_votes(context: dict[str, Any], params: dict[str, Any]) -> list[Issue]:
    """Shares of the shareholders voting ``in_favour`` must reach ``threshold`` (2/3 by default).

    With ``favour_field`` / ``total_field`` the favourable and total shares are stored in the
    context (as ``Decimal``) for the template to print.
    """
    items = _get(context, params["items"]) or []
    share_field = params.get("share", "share")
    vote_field = params.get("vote", "vote")
    in_favour = params.get("in_favour", "同意")
    threshold = parse_fraction(params.get("threshold", "2/3"))
    shares = [(Decimal(str(item.get(share_field) or 0)), item.get(vote_field) == in_favour) for item in items]
    total = sum((share for share, _ in shares), Decimal(0))
    favour = sum((share for share, yes in shares if yes), Decimal(0))
    if params.get("favour_field"):
        context[params["favour_field"]] = favour
    if params.get("total_field"):
        context[params["total_field"]] = total
    if not items or total == 0:
        return []
    ratio = Fraction(favour) / Fraction(total)  # exact: 2/3 of 100 is not 66.67
    if ratio < threshold:
        return [(params["items"], "votes-short", {"ratio_pct": float(ratio * 100), "needed_pct": float(threshold * 100),
                                                  "threshold": str(params.get("threshold", "2/3")),
                                                  "basis": params.get("basis") or "规定的表决比例",
                                                  "basis_en": params.get("basis_en"),
                                                  "favour": favour, "total": total})]
    return []


def rule_total(context: dict[str, Any], params: dict[str, Any]) -> list[Issue]:
    """``total`` must equal the sum of ``parts``; a missing total is filled in from the parts."""
    parts = [_get(context, p) for p in params["parts"]]
    if any(p is None for p in parts):
        return []  # the schema reports the missing part
    expected = sum((Decimal(str(p)) for p in parts), Decimal(0))
    path = params["total"]
    given = _get(context, path)
    if given is None:
        context[path] = expected
        return []
    if Decimal(str(given)) != expected:
        return [(path, "total-mismatch", {"given": Decimal(str(given)), "expected": expected,
                                          "parts": "+".join(params.get("labels", params["parts"])),
                                          "parts_en": " + ".join(params.get("labels_en", params["parts"]))})]
    return []


def rule_date_order(context: dict[str, Any], params: dict[str, Any]) -> list[Issue]:
    """Date ``later`` must fall after ``earlier`` (on or after it unless ``strict``)."""
    earlier = _get(context, params["earlier"])
    later = _get(context, params["later"])
    if not isinstance(earlier, _dt.date) or not isinstance(later, _dt.date):
        return []
    strict = params.get("strict", True)
    if later < earlier or (strict and later == earlier):
        return [(params["later"], "date-order", {"earlier_field": params["earlier"], "earlier": earlier.isoformat(),
                                                 "later": later.isoformat(), "strict": bool(strict),
                                                 "message": params.get("message"),
                                                 "message_en": params.get("message_en")})]
    return []


def rule_positive(context: dict[str, Any], params: dict[str, Any]) -> list[Issue]:
    """Amount ``field`` must be greater than zero (a demand for nothing is a mistake)."""
    value = _get(context, params["field"])
    if value is not None and Decimal(str(value)) <= 0:
        return [(params["field"], "not-positive", {"field": params["field"], "value": value,
                                                   "message": params.get("message"),
                                                   "message_en": params.get("message_en")})]
    return []


def rule_zero(context: dict[str, Any], params: dict[str, Any]) -> list[Issue]:
    """Amount ``field`` must be nil: with ``unless`` a flag saying the amount cannot arise (a letter
    demanding a 罚息 while saying the loan bears none contradicts itself)."""
    value = _get(context, params["field"])
    if value is None or Decimal(str(value)) == 0:
        return []
    return [(params["field"], "not-zero", {"field": params["field"], "value": Decimal(str(value)),
                                           "message": params.get("message"),
                                           "message_en": params.get("message_en")})]


def rule_not_above(context: dict[str, Any], params: dict[str, Any]) -> list[Issue]:
    """Amount ``field`` must not exceed amount ``limit`` (the overdue principal is part of the
    balance, the balance part of the amount lent): a letter stating otherwise contradicts itself."""
    value, limit = _get(context, params["field"]), _get(context, params["limit"])
    if value is None or limit is None or Decimal(str(value)) <= Decimal(str(limit)):
        return []  # the schema reports a missing amount
    return [(params["field"], "amount-above", {"field": params["field"], "value": Decimal(str(value)),
                                               "limit_field": params["limit"], "limit": Decimal(str(limit)),
                                               "message": params.get("message"),
                                               "message_en": params.get("message_en")})]


def rule_within_years(context: dict[str, Any], params: dict[str, Any]) -> list[Issue]:
    """Date ``date`` must fall within ``years`` years of a period that starts at the earliest of the
    dates ``start`` (e.g. maturity and the first overdue day: the claim fell due by then) or,
    when given and later, at ``restart`` (e.g. the last interruption). A letter that says the
    limitation period is interrupted (《民法典》第一百九十五条) is refused once it has run out."""
    day = _get(context, params["date"])
    starts = [d for d in (_get(context, path) for path in params["start"]) if isinstance(d, _dt.date)]
    if not isinstance(day, _dt.date) or not starts:
        return []
    start = min(starts)
    restart = _get(context, params["restart"]) if params.get("restart") else None
    if isinstance(restart, _dt.date) and restart > start:
        start = restart
    deadline = add_years(start, int(params["years"]))  # 29 February's anniversary in a common year: 28 February
    if day > deadline:
        return [(params["date"], "period-run-out", {"start": start.isoformat(), "deadline": deadline.isoformat(),
                                                  "on": day.isoformat(), "message": params.get("message"),
                                                  "message_en": params.get("message_en")})]
    return []


def apply_rule(context: dict[str, Any], rule: dict[str, Any]) -> list[Issue]:
    """Return the issues of one ``rules:`` entry on ``context``: none when it has ``when`` and the
    field it names is not true, or ``unless`` and the field it names is true, else those of its rule
    (``RULES``), given its other parameters."""
    params = {key: value for key, value in rule.items() if key not in ("rule", "when", "unless")}
    when, unless = rule.get("when"), rule.get("unless")
    if when is not None and not _get(context, str(when)):
        return []
    if unless is not None and _get(context, str(unless)):
        return []
    return RULES[rule["rule"]](context, params)


RULES: dict[str, Callable[[dict[str, Any], dict[str, Any]], list[Issue]]] = {
    "sum": rule_sum,
    "votes": rule_votes,
    "total": rule_total,
    "date_order": rule_date_order,
    "positive": rule_positive,
    "not_above": rule_not_above,
    "zero": rule_zero,
    "within_years": rule_within_years,
}
