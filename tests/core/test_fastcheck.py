"""The fast schema check agrees with cerberus: same normalized data when valid, None otherwise."""
from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from docgen.core.fastcheck import compile_schema
from docgen.documents.template import load_template
from docgen.core.validation import validate

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "templates"
NAMES = ["demand-letter", "commitment-letter", "irrevocable-commitment", "shareholder-resolution"]


def example(name: str) -> dict:
    return yaml.safe_load((EXAMPLES / f"{name}.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", NAMES)
def test_fast_path_normalizes_like_cerberus(name):
    template = load_template(name)
    data = template._split_lists(example(name))
    check = compile_schema(template.schema)
    assert check is not None
    expected, problems = validate(template.schema, copy.deepcopy(data))
    assert problems == []
    assert check(copy.deepcopy(data)) == expected


def _variants():
    base = example("demand-letter")
    yield "missing required", {k: v for k, v in base.items() if k != "principal"}
    yield "bad amount", base | {"interest": "一千"}
    yield "negative amount", base | {"penalty": -1}
    yield "bad date", base | {"pay_by": "2026-02-30"}
    yield "bad id", base | {"id_number": "110105194912310021"}
    yield "empty name", base | {"borrower": "   "}
    yield "unknown field", base | {"borower": "x"}
    yield "none value", base | {"phone": None}
    yield "too long", base | {"borrower": "长" * 501}
    yield "number for text", base | {"contract_no": 12345}
    yield "bool amount", base | {"principal": True}


@pytest.mark.parametrize(("label", "data"), list(_variants()), ids=[v[0] for v in _variants()])
def test_fast_path_defers_whenever_cerberus_finds_a_problem(label, data):
    template = load_template("demand-letter")
    check = compile_schema(template.schema)
    _, problems = validate(template.schema, copy.deepcopy(data))
    assert problems, label
    assert check(copy.deepcopy(data)) is None
    # ... and Template.check still reports cerberus' message.
    assert template.check(data)[1]


def test_fast_path_coerces_spreadsheet_values_like_cerberus():
    template = load_template("demand-letter")
    data = example("demand-letter") | {
        "letter_date": dt.datetime(2026, 11, 28, 0, 0), "principal": 125000.0, "interest": "6,843.75",
        "penalty": Decimal("256.25"), "borrower": "  杭州某公司 ", "guarantors": ["  王建国 "],
    }
    check = compile_schema(template.schema)
    expected, problems = validate(template.schema, copy.deepcopy(data))
    assert problems == [] and check(copy.deepcopy(data)) == expected
    assert expected["borrower"] == "杭州某公司" and expected["letter_date"] == dt.date(2026, 11, 28)


def test_nested_list_problems_defer():
    template = load_template("shareholder-resolution")
    data = example("shareholder-resolution")
    data["shareholders"][1]["vote"] = "赞成"
    assert compile_schema(template.schema)(data) is None
    assert [p.path for p in template.check(data)[1]] == ["shareholders[1].vote"]


def test_unsupported_rules_get_no_fast_path():
    assert compile_schema({"a": {"type": "string", "regex": "[0-9]+"}}) is None
    assert compile_schema({"a": {"type": "string", "coerce": "unknown"}}) is None
    assert compile_schema({"a": {"type": "string"}}) is not None
