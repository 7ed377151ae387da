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
from docgen.core.datafile import parse_yaml, yaml_error_problem, yaml_error_where
from docgen.check.findings import Finding
from docgen.core.textcodec import decode_chinese
from docgen.core.validation import Problem, validate

BUNDLE_FILE = "bundle.yaml"


def _text(value: Any) -> Any:
    # YAML reads an all-digit ID or code as a number; identifiers are text.
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value.strip() if isinstance(value, str) else value


_NAME = {"type": "string", "coerce": "strip", "empty": False}
_AMOUNT = {"type": "amount", "coerce": "to_amount", "min": 0, "nullable": True}
_DATE = {"type": "date", "coerce": "to_date", "nullable": True}
_USCC = {"type": "string", "coerce": _text, "check_with": "uscc", "nullable": True}
_ID = {"type": "string", "coerce": _text, "check_with": "resident_id", "nullable": True}

SCHEMA: dict[str, Any] = {
    "checklist": {"type": "string", "empty": False},
    "borrower": {
        "type": "dict",
        "schema": {
            "name": _NAME,
            "uscc": _USCC,
            "established": _DATE,
            "legal_rep": {
                "type": "dict",
                "schema": {"name": _NAME, "id_number": _ID},
            },
            "registered_capital": _AMOUNT,
            "address": {"type": "string", "nullable": True},
        },
    },
    "shareholders": {
        "type": "list",
        "schema": {
            "type": "dict",
            "schema": {
                "name": {**_NAME, "required": True},
                "uscc": _USCC,
                "id_number": _ID,
                "share": {"type": "amount", "coerce": "to_amount", "min": 0, "max": 100, "required": True},
            },
        },
    },
    "project": {
        "type": "dict",
        "schema": {
            "name": _NAME,
            "location": {"type": "string", "nullable": True},
            "total_investment": _AMOUNT,
            "invested": _AMOUNT,
        },
    },
    "loan": {
        "type": "dict",
        "schema": {
            "amount": _AMOUNT,
            "term_months": {"type": "integer", "min": 1, "nullable": True},
        },
    },
    "contractor": {
        "type": "dict",
        "schema": {"name": _NAME, "uscc": _USCC},
    },
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
                "original": {"type": "boolean"},
                "copy": {"type": "boolean"},
                "electronic": {"type": "boolean"},
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
                "signed": {"type": "boolean"},
                "sealed": {"type": "boolean"},
                "by": {"type": "string", "nullable": True},
                "date": _DATE,
                "note": {"type": "string", "nullable": True},
            },
        },
    },
}


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
        return None, _finding("(文件)", "无法解码:请保存为 UTF-8 编码", "cannot decode: save it as UTF-8")
    try:
        doc = parse_yaml(text)
    except yaml.YAMLError as exc:
        where = yaml_error_where(exc)
        problem = yaml_error_problem(exc)
        if where is not None:
            line, column = where
            f = _finding(f"第{line}行第{column}列", f"YAML 语法错误:{problem}",
                         f"YAML syntax error at line {line}, column {column}: {problem}")
            f.params.update(line=line, column=column)
            return None, f
        return None, _finding("(文件)", f"YAML 语法错误:{problem}", f"YAML syntax error: {problem}")
    if _expands_beyond(doc, MAX_VALUES):
        # YAML aliases (&a … *a) nest cheaply into a "billion laughs" document that any walk
        # over it (validation, reports) would never finish.
        return None, _finding("(文件)", f"内容展开后超过 {MAX_VALUES} 个值(别名 & / * 嵌套过多);请直接写出各字段",
                              f"expands to over {MAX_VALUES} values (too many nested & / * aliases); "
                              "write the fields out")
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
            findings=[_finding("(根)", "bundle.yaml 应为映射(borrower: …、project: … 等键值)",
                               "bundle.yaml must be a mapping (borrower:, project: …)")],
            present=True,
        )
    data, problems = validate(SCHEMA, doc)
    problems = list(problems) + _cross_checks(data, problems, checklist)
    # Every field with a problem is dropped: the rules see only what validation normalized.
    for problem in problems:
        _drop(data, problem.path)
    return BundleData(data=data, findings=[_from_problem(p) for p in problems], present=True)


def unreadable_bundle_data(reason: str) -> BundleData:
    """Return the ``BundleData`` of a ``bundle.yaml`` that exists but cannot be read (one finding)."""
    return BundleData(findings=[_finding("(文件)", f"无法读取:{reason}", f"cannot be read: {reason}")], present=True)


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
                out.append(Problem(f"shareholders[{i}]", "股东须填写统一社会信用代码(uscc)或居民身份证号(id_number)"))
            share = holder.get("share")
            if isinstance(share, Decimal) and f"shareholders[{i}].share" not in failed:
                total += share
            else:
                shares_ok = False
        # Thirds are written 33.33 + 33.33 + 33.33: allow the rounding of two decimals.
        if shares_ok and shareholders and abs(total - 100) > Decimal("0.01"):
            out.append(Problem("shareholders", f"股东持股比例合计应为100,实际为{_plain(total)}"))
    project = data.get("project")
    if isinstance(project, dict):
        inv, tot = project.get("invested"), project.get("total_investment")
        if isinstance(inv, Decimal) and isinstance(tot, Decimal) and inv > tot \
                and "project.invested" not in failed and "project.total_investment" not in failed:
            out.append(Problem("project.invested", f"已投入资金({_plain(inv)})不能大于总投资({_plain(tot)})"))
    borrower = data.get("borrower")
    if isinstance(borrower, dict):
        est = borrower.get("established")
        if isinstance(est, _dt.date) and est > _dt.date.today() and "borrower.established" not in failed:
            out.append(Problem("borrower.established", "成立日期晚于今天"))
    for section in ("documents", "attestations"):
        mapping = data.get(section)
        if isinstance(mapping, dict):
            for key in mapping:
                if key not in checklist.items:
                    out.append(Problem(f"{section}.{key}", f"清单 {checklist.id} 中没有项目 {key!r}(请使用清单中的项目编号)"))
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


def _from_problem(problem: Problem) -> Finding:
    return _finding(problem.path, problem.message)


def _finding(field_path: str, detail: str, detail_en: str | None = None) -> Finding:
    params: dict[str, Any] = {"field": field_path, "detail": detail}
    if detail_en:
        params["detail_en"] = detail_en
    return Finding("invalid-data", path=BUNDLE_FILE, params=params)
