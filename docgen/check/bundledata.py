"""``bundle.yaml``: the application data at a bundle's root, validated before any rule uses it.

The schema is DESIGN §3: borrower (USCC checksum; its presence means 三证合一), legal
representative (resident-ID checksum and birth date), shareholders (each identified by USCC
or ID number, shares summing to 100), project amounts (invested ≤ total investment), loan,
contractor, per-item ``documents`` facts and reviewer ``attestations``, both keyed by checklist
item id.

Every problem becomes an ``invalid-data`` finding (``path='bundle.yaml'``, params ``field`` and
``detail``); a YAML syntax error is one such finding with its line and column. Fields that fail
are removed from the data handed to the rules, so rules behave as if they were absent.
"""
from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import yaml

from docgen.check.checklist import Checklist
from docgen.core.cache import (Unencodable, cache_dir, cache_key, code_digest, decode_value, encode_value,
                               read_entry, write_entry)
from docgen.core.datafile import parse_yaml, yaml_error_problem, yaml_error_where
from docgen.core.errors import DocgenError
from docgen.core.fastcheck import validate_quickly
from docgen.check.findings import Finding
from docgen.check.messages import BUNDLE_LABELS, DETAILS, VOTES, in_english, problem_in_english
from docgen.core.messages import MESSAGES
from docgen.core.problems import Problem
from docgen.core.textcodec import decode_chinese
from docgen.core.values import id_text
from docgen.core.wording import MessageTable

BUNDLE_FILE = "bundle.yaml"


def _text(value: Any) -> Any:
    # YAML reads an all-digit ID or code as a number; identifiers are text.
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value.strip() if isinstance(value, str) else value


def _id_number(value: Any) -> Any:
    # As the annexes print it: 33010619840315102x is 33010619840315102X (``id_text``).
    return id_text(_text(value))


_NAME = {"type": "string", "coerce": "strip", "empty": False}
_TEXT = {"type": "string", "coerce": "strip", "empty": False, "nullable": True}
_AMOUNT = {"type": "amount", "coerce": "to_amount", "min": 0, "nullable": True}
_DATE = {"type": "date", "coerce": "to_date", "nullable": True}
_USCC = {"type": "string", "coerce": _id_number, "check_with": "uscc", "nullable": True}
_ID = {"type": "string", "coerce": _id_number, "check_with": "resident_id", "nullable": True}
_ACCOUNT_NO = {"type": "string", "coerce": _text, "regex": r"[0-9][0-9 \-]{5,39}", "nullable": True}
# Read as a template's yes/no field is (``values.parse_yes_no``): a reviewer types 是 or 否 in
# bundle.yaml as in a batch sheet, where a YAML boolean alone refused 是 as 类型应为是/否.
_YES_NO = {"type": "boolean", "coerce": "to_yes_no"}


def _dict(schema: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"type": "dict", "schema": schema, **extra}


def _list(item: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"type": "list", "schema": {"type": "dict", "schema": item}, **extra}


def _person() -> dict[str, Any]:
    """A natural person identified in full (contractual documents carry full ID numbers)."""
    return _dict({"name": _TEXT, "id_number": _ID})


def _account() -> dict[str, Any]:
    return _dict({"name": _TEXT, "number": _ACCOUNT_NO, "bank": _TEXT})


def _labelled(schema: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Return ``schema`` with every key that ``BUNDLE_LABELS`` names (by its dotted path below
    ``prefix``, list items without an index) carrying that label as ``meta.label``: what to put
    in the key, quoted when data is missing."""
    out: dict[str, Any] = {}
    for key, rule in schema.items():
        path = prefix + key
        rule = dict(rule)
        inner = rule.get("schema")
        if rule.get("type") == "dict" and isinstance(inner, dict):
            rule["schema"] = _labelled(inner, path + ".")
        elif rule.get("type") == "list" and isinstance(inner, dict) and isinstance(inner.get("schema"), dict):
            rule["schema"] = {**inner, "schema": _labelled(inner["schema"], path + ".")}
        if path in BUNDLE_LABELS:
            rule["meta"] = {"label": BUNDLE_LABELS[path]}
        out[key] = rule
    return out


SCHEMA: dict[str, Any] = _labelled({
    "checklist": {"type": "string", "empty": False},
    "bank": _dict({
        "name": _TEXT,
        "branch": _TEXT,
        "address": _TEXT,
        "witnesses": {"type": "list", "schema": {"type": "string", "coerce": "strip", "empty": False},
                      "nullable": True},
    }),
    "borrower": _dict({
        "name": _NAME,
        "uscc": _USCC,
        "established": _DATE,
        "legal_rep": _person(),
        "registered_capital": _AMOUNT,
        "address": {"type": "string", "nullable": True},
        "phone": _TEXT,
    }),
    "shareholders": _list({
        "name": {**_NAME, "required": True},
        "uscc": _USCC,
        "id_number": _ID,
        "share": {"type": "amount", "coerce": "to_amount", "min": 0, "max": 100, "required": True},
    }),
    "project": _dict({
        "name": _NAME,
        "location": {"type": "string", "nullable": True},
        "total_investment": _AMOUNT,
        "invested": _AMOUNT,
    }),
    "loan": _dict({
        "amount": _AMOUNT,
        "term_months": {"type": "integer", "min": 1, "nullable": True},
        "contract_no": _TEXT,
        "purpose": _TEXT,
        "rate": {"type": "amount", "coerce": "to_amount", "min": 0, "max": 36, "nullable": True},
        "repayment_source": _TEXT,
        "collateral": {"type": "list", "schema": {"type": "string", "coerce": "strip", "empty": False},
                       "nullable": True},
        "supervised_account": _account(),
        "application_date": _DATE,
        "contract_date": _DATE,
    }),
    "contractor": _dict({
        "name": _NAME,
        "uscc": _USCC,
        "legal_rep": _person(),
        "qualification": _TEXT,
        "contract_no": _TEXT,
        "contract_amount": _AMOUNT,
        "account": _account(),
    }),
    "meeting": _dict({
        "date": _DATE,
        "place": _TEXT,
        "chair": _TEXT,
        "recorder": _TEXT,
        "votes": {"type": "dict", "nullable": True, "keysrules": {"type": "string"},
                  "valuesrules": {"type": "string", "allowed": list(VOTES)}},
        "agent": _dict({
            "name": _TEXT,
            "id_number": _ID,
            "position": _TEXT,
        }),
    }),
    "authorised_signatories": _list({
        "name": {**_NAME, "required": True},
        "id_number": _ID,
        "role": _TEXT,
    }, nullable=True),
    "actual_controller": _dict({
        "name": _TEXT,
        "id_number": _ID,
        "uscc": _USCC,
    }),
    "related_parties": _list({
        "name": {**_NAME, "required": True},
        "uscc": _USCC,
        "id_number": _ID,
        "relation": {**_TEXT, "required": True},
    }, nullable=True),
    "drawdowns": _list({
        "amount": {**_AMOUNT, "required": True, "nullable": False, "min": 0.01},
        "date": {**_DATE, "required": True, "nullable": False},
        "purpose": {**_TEXT, "required": True, "nullable": False},
        "payee": _dict({
            "name": _TEXT,
            "account": _ACCOUNT_NO,
            "bank": _TEXT,
        }, required=True),
    }, nullable=True),
    "documents": {
        "type": "dict",
        "keysrules": {"type": "string"},
        "valuesrules": {
            "type": "dict",
            "nullable": True,
            "schema": {
                "files": {"type": "list", "schema": {"type": "string", "empty": False}},
                "expires": _DATE,
                "issued": _DATE,
                "years": {"type": "list", "schema": {"type": "integer", "min": 1900, "max": 2999}},
                "original": _YES_NO,
                "copy": _YES_NO,
                "electronic": _YES_NO,
                # parts of a compound item bound together in one file (the item's `parts` rule ids)
                "parts": {"type": "list", "schema": {"type": "string", "empty": False}},
                "note": {"type": "string", "nullable": True},
            },
        },
    },
    "attestations": {
        "type": "dict",
        "keysrules": {"type": "string"},
        "valuesrules": {
            "type": "dict",
            "schema": {
                "signed": _YES_NO,
                "sealed": _YES_NO,
                # The seals and signatures the seed names apart (篇十三 二、1-3):
                "company_seal": _YES_NO,      # 公章 of the issuer (borrower or contractor)
                "legal_rep_seal": _YES_NO,    # 法人章 (法定代表人名章)
                "shareholders_signed": _YES_NO,  # every shareholder signed or sealed
                "by": {"type": "string", "nullable": True},
                "date": _DATE,
                "note": {"type": "string", "nullable": True},
            },
        },
    },
})


_INDEX = re.compile(r"\[\d+\]")


def key_label(path: str) -> str:
    """Return what to put in bundle.yaml key ``path`` (``loan.contract_no``, ``drawdowns[0].payee.bank``).

    The labels are ``BUNDLE_LABELS``, by key path without list indexes; a path it does not name
    returns ``""``.
    """
    return BUNDLE_LABELS.get(_INDEX.sub("", path), "")


@dataclass
class BundleData:
    """The usable part of ``bundle.yaml`` and the findings about the rest.

    ``data`` holds only fields that passed validation (normalized: dates as ``date``, amounts
    as ``Decimal``); ``present`` says whether the bundle had a ``bundle.yaml`` at all.
    """

    data: dict[str, Any] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    present: bool = False

    def section(self, name: str) -> dict[str, Any]:
        """Return a top-level mapping (``borrower``, ``project`` …) or ``{}``."""
        value = self.data.get(name)
        return value if isinstance(value, dict) else {}

    def document(self, item_id: str) -> dict[str, Any]:
        """Return ``documents.<item_id>`` or ``{}``."""
        value = self.section("documents").get(item_id)
        return value if isinstance(value, dict) else {}

    def attestation(self, item_id: str) -> dict[str, Any]:
        """Return ``attestations.<item_id>`` or ``{}``."""
        value = self.section("attestations").get(item_id)
        return value if isinstance(value, dict) else {}


def read_yaml(raw: bytes) -> tuple[Any, Finding | None]:
    """Parse ``bundle.yaml`` bytes; return ``(data, None)`` or ``(None, invalid-data finding)``."""
    # No guessing for a structured file: a wrong guess would be worse than asking for UTF-8.
    text = decode_chinese(raw, guess=False)
    if text is None:
        return None, _finding("field/file", "undecodable")
    try:
        doc = parse_yaml(text)
    except yaml.YAMLError as exc:
        where = yaml_error_where(exc)
        problem = yaml_error_problem(exc)
        if where is not None:
            line, column = where
            return None, _finding("field/line", "yaml-syntax", problem=problem, line=line, column=column)
        return None, _finding("field/file", "yaml-syntax", problem=problem)
    if _expands_beyond(doc, MAX_VALUES):
        # YAML aliases (&a … *a) nest cheaply into a "billion laughs" document that any walk
        # over it (validation, reports) would never finish.
        return None, _finding("field/file", "too-many-values", limit=MAX_VALUES)
    return doc, None


#: Most values (mappings, lists and scalars, aliases counted each time they are used) in a
#: bundle.yaml; a real one has a few hundred.
MAX_VALUES = 100_000


def _expands_beyond(doc: Any, limit: int) -> bool:
    """Return True when walking ``doc`` visits more than ``limit`` values (stops there)."""
    stack, seen = [doc], 0
    while stack:
        node = stack.pop()
        seen += 1
        if seen > limit:
            return True
        if isinstance(node, dict):
            stack.extend(node.keys())
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return False


def load_bundle_data(raw: bytes | None, checklist: Checklist) -> BundleData:
    """Validate ``bundle.yaml`` content (``raw``, None when the bundle has none) for ``checklist``.

    Returns ``BundleData``; never raises for bad content (problems are findings).
    """
    if raw is None:
        return BundleData()
    doc, error = read_yaml(raw)
    if error is not None:
        return BundleData(findings=[error], present=True)
    if doc is None:
        return BundleData(present=True)
    if not isinstance(doc, dict):
        return BundleData(
            findings=[_finding("field/root", "not-mapping")],
            present=True,
        )
    data, problems = _validated(raw, doc)
    crossed = _cross_checks(data, problems, checklist)
    # Every field with a problem is dropped: the rules see only what validation normalized.
    for problem in [*problems, *crossed]:
        _drop(data, problem.path)
    return BundleData(data=data, findings=[*(_from_problem(p, MESSAGES) for p in problems),
                                           *(_from_problem(p, DETAILS) for p in crossed)], present=True)


# ---- validation cache ------------------------------------------------------------------------
# Validating bundle.yaml against SCHEMA takes cerberus (and python-stdnum for the numbers): with
# their imports, most of a check whose files were all seen before. A valid file is confirmed by
# the plain-Python fast path (docgen.core.fastcheck) without cerberus; the result is cached. The result depends only on the
# file's bytes, the code that validates and words it, and today's date (an ID number's birth date
# may not be in the future), so it is kept under that key in the user's cache folder. The usual
# loop -- add the missing files, check again -- leaves bundle.yaml as it was and never imports
# the validation libraries again. Cross-checks depend on the checklist too and always run.

#: The modules whose code decides the validated data, the problems and their wording.
_VALIDATION_CODE = ("docgen.check.bundledata", "docgen.core.validation", "docgen.core.validator", "docgen.core.fastcheck",
                    "docgen.core.values", "docgen.core.idnumbers", "docgen.core.messages", "docgen.core.problems",
                    "docgen.core.wording")


def _validated(raw: bytes, doc: dict[str, Any]) -> tuple[dict[str, Any], list[Problem]]:
    """Return ``validate(SCHEMA, doc)`` for the bundle.yaml bytes ``raw``, from the cache when it
    holds this file's result for today (and storing it when it did not)."""
    key = None
    if cache_dir() is not None:
        key = cache_key(raw, _dt.date.today().isoformat(), code_digest(*_VALIDATION_CODE))
        hit = _read_cached(key)
        if hit is not None:
            return hit
    data, problems = validate_quickly(SCHEMA, doc)
    if key is not None:
        try:
            entry = {"data": encode_value(data),
                     "problems": [[p.path, p.message, p.row, p.column, p.code, encode_value(dict(p.facts))]
                                  for p in problems]}
        except Unencodable:
            entry = None  # a value the cache cannot keep (a YAML set …): validated each time
        if entry is not None:
            write_entry("bundle-yaml", key, entry)
    return data, problems


def _read_cached(key: str) -> tuple[dict[str, Any], list[Problem]] | None:
    entry = read_entry("bundle-yaml", key)
    try:
        data = decode_value(entry["data"])
        problems = [Problem(path, message, row, column, code, decode_value(facts))
                    for path, message, row, column, code, facts in entry["problems"]]
    except (TypeError, KeyError, ValueError, ArithmeticError):  # missing or damaged: a miss
        return None
    return (data, problems) if isinstance(data, dict) else None


def unreadable_bundle_data(error: DocgenError) -> BundleData:
    """Return the ``BundleData`` of a ``bundle.yaml`` that exists but cannot be read (one finding),
    ``error`` saying why: worded by its code, in English too, by this part's table or core's (a
    permission refused)."""
    return BundleData(findings=[_finding("field/file", "cannot-read", reason=str(error), reason_en=in_english(error))],
                      present=True)


def _cross_checks(data: dict[str, Any], problems: list[Problem], checklist: Checklist) -> list[Problem]:
    failed = {p.path for p in problems}
    out: list[Problem] = []
    shareholders = data.get("shareholders")
    if isinstance(shareholders, list):
        total = Decimal(0)
        shares_ok = True
        for i, holder in enumerate(shareholders):
            if not isinstance(holder, dict):
                continue
            if not holder.get("uscc") and not holder.get("id_number") and f"shareholders[{i}]" not in failed:
                out.append(DETAILS.problem("shareholder-id", f"shareholders[{i}]", index=i))
            share = holder.get("share")
            if isinstance(share, Decimal) and f"shareholders[{i}].share" not in failed:
                total += share
            else:
                shares_ok = False
        # Thirds are written 33.33 + 33.33 + 33.33: allow the rounding of two decimals.
        if shares_ok and shareholders and abs(total - 100) > Decimal("0.01"):
            out.append(DETAILS.problem("shares-total", "shareholders", total=_plain(total)))
    project = data.get("project")
    if isinstance(project, dict):
        inv, tot = project.get("invested"), project.get("total_investment")
        if isinstance(inv, Decimal) and isinstance(tot, Decimal) and inv > tot \
                and "project.invested" not in failed and "project.total_investment" not in failed:
            out.append(DETAILS.problem("invested-over-total", "project.invested", invested=_plain(inv),
                                       total=_plain(tot)))
    meeting = data.get("meeting")
    votes = meeting.get("votes") if isinstance(meeting, dict) else None
    if isinstance(votes, dict) and isinstance(shareholders, list) and "meeting.votes" not in failed:
        names = [h.get("name") for h in shareholders if isinstance(h, dict)]
        # A vote keyed by a number, or a shareholder named by one (.nan, 123), is reported by its
        # own check; votes are compared with the names only when both are text.
        if all(isinstance(n, str) or n is None for n in [*names, *votes]):
            unknown = [n for n in votes if n not in names]
            absent = [n for n in names if n and n not in votes]
            if unknown:
                out.append(DETAILS.problem("vote-not-shareholder", "meeting.votes", names=unknown))
            if absent:
                out.append(DETAILS.problem("vote-missing", "meeting.votes", names=absent))
    borrower = data.get("borrower")
    if isinstance(borrower, dict):
        if borrower.get("uscc") is None and "borrower.uscc" not in failed:
            # Since the 三证合一 reform every business licence carries a USCC; the abolished
            # organization-code and tax-registration certificates are no substitute.
            out.append(DETAILS.problem("uscc-missing", "borrower.uscc"))
        est = borrower.get("established")
        if isinstance(est, _dt.date) and est > _dt.date.today() and "borrower.established" not in failed:
            out.append(DETAILS.problem("established-future", "borrower.established", established=est.isoformat()))
    for section in ("documents", "attestations"):
        mapping = data.get(section)
        if isinstance(mapping, dict):
            for key in mapping:
                if key not in checklist.items:
                    out.append(DETAILS.problem("unknown-item", f"{section}.{key}", checklist=checklist.id, key=key))
    return out


def _plain(value: Decimal) -> str:
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


_STEP = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def _drop(data: dict[str, Any], path: str) -> None:
    """Remove the field at ``path`` from ``data``; a failing list element drops its whole list."""
    steps: list[str | int] = [m[1] if m[1] is not None else int(m[2]) for m in _STEP.finditer(path)]
    # Cut at the first list index: a list with a bad element is not used at all, except
    # shareholders, whose other entries stay meaningful when one entry has a bad field.
    for i, step in enumerate(steps):
        if isinstance(step, int) and not (i == 1 and steps[0] == "shareholders"):
            steps = steps[:i]
            break
    node: Any = data
    for step in steps[:-1]:
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            return
    if not steps:
        return
    last = steps[-1]
    if isinstance(node, dict):
        node.pop(last, None)
    elif isinstance(node, list) and isinstance(last, int) and last < len(node):
        node[last] = {}


def _from_problem(problem: Problem, table: MessageTable) -> Finding:
    # The problem is already worded in Chinese by ``table`` (core's for validation, this part's for
    # a cross-check); its code and facts stay with it, and word it in English for --lang en.
    return Finding("invalid-data", path=BUNDLE_FILE, params={
        **problem.facts, "problem": problem.code, "field": problem.path, "detail": problem.message,
        "detail_en": problem_in_english(problem, table)})


def _finding(place: str, reason: str, /, **facts: Any) -> Finding:
    # ``place`` words where in the file the problem stands (``field/file``, ``field/line``), in
    # each language: the English report names it in English.
    return Finding("invalid-data", path=BUNDLE_FILE, reason=reason,
                   params={**facts, "field": DETAILS.text(place, facts), "field_en": DETAILS.text(place, facts, "en"),
                           "at_line": place == "field/line"})
