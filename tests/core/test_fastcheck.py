"""The fast schema check agrees with cerberus: same normalized data when valid, None otherwise."""
from __future__ import annotations

import copy
import json
import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from docgen.core.fastcheck import compile_schema
from docgen.documents.template import load_template
from docgen.core.validation import validate

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "templates"
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
    assert compile_schema({"a": {"type": "string", "anyof": [{"regex": "[0-9]+"}]}}) is None
    assert compile_schema({"a": {"type": ["list", "dict"], "schema": {"type": "string"}}}) is None
    assert compile_schema({"a": {"type": "dict", "keysrules": {"type": "string", "coerce": "strip"}}}) is None
    assert compile_schema({"a": {"type": "string", "coerce": "unknown"}}) is None
    assert compile_schema({"a": {"type": "string"}}) is not None


def _same(schema: dict, document: dict) -> dict:
    """Assert the fast path gives cerberus' normalized document, key order included; return it."""
    expected, problems = validate(schema, copy.deepcopy(document))
    assert problems == []
    check = compile_schema(schema)
    assert check is not None
    fast = check(copy.deepcopy(document))
    assert fast == expected
    assert json.dumps(fast, default=str, ensure_ascii=False) == json.dumps(expected, default=str, ensure_ascii=False)
    return fast


def test_checklists_normalize_like_cerberus():
    from docgen.check.checklist import _schema

    raw = yaml.safe_load((ROOT / "checklists" / "dev-loan.yaml").read_text(encoding="utf-8"))
    for stage in raw["stages"]:  # as the loader hands it over (numbers as text)
        for entry in stage["entries"]:
            entry["no"] = str(entry["no"])
    fast = _same(_schema(), raw)
    assert fast["items"]["business-license"]["provider"] == "client"  # a default, added last
    assert list(fast["items"]["business-license"])[-1] in ("provider", "aliases", "rules")


def test_bundle_yaml_normalizes_like_cerberus():
    from checkkit import good_data
    from docgen.check.bundledata import SCHEMA

    _same(SCHEMA, yaml.safe_load((ROOT / "examples" / "bundle" / "bundle.yaml").read_text(encoding="utf-8")))
    data = good_data(documents={"business-license": {"files": ["a.pdf"], "expires": "2041-04-07"}})
    data["shareholders"][1]["id_number"] = 440301199006151236  # YAML's number: coerced to text
    data["loan"]["rate"] = "4.35"
    data["meeting"] = {"votes": {"李四": "同意"}, "place": None}
    fast = _same(SCHEMA, data)
    assert fast["loan"]["rate"] == Decimal("4.35")


@pytest.mark.parametrize(("label", "mutate"), [
    ("vote not allowed", lambda d: d.__setitem__("meeting", {"votes": {"李四": "赞成"}})),
    ("account letters", lambda d: d["loan"].__setitem__("supervised_account", {"number": "abc"})),
    ("account newline", lambda d: d["loan"].__setitem__("supervised_account", {"number": "123456\n"})),
    ("bad uscc", lambda d: d["borrower"].__setitem__("uscc", "91330100MA2XXXXXX0")),
    ("null uscc", lambda d: d["borrower"].__setitem__("uscc", None)),
    ("share over 100", lambda d: d["shareholders"][0].__setitem__("share", 101)),
    ("unknown key", lambda d: d.__setitem__("borower", {})),
    ("document key not text", lambda d: d.__setitem__("documents", {1: {"files": ["a.pdf"]}})),
    ("years as text", lambda d: d.__setitem__("documents", {"audit-reports": {"years": ["2024"]}})),
])
def test_bundle_yaml_fast_path_defers_or_agrees(label, mutate):
    from checkkit import good_data
    from docgen.check.bundledata import SCHEMA

    data = good_data()
    mutate(data)
    expected, problems = validate(SCHEMA, copy.deepcopy(data))
    fast = compile_schema(SCHEMA)(copy.deepcopy(data))
    assert fast is None or (problems == [] and fast == expected), label


def test_each_value_is_normalized_once_and_every_row_still_gets_cerberus_result(monkeypatch):
    from docgen.core import fastcheck

    calls: list[object] = []
    real = fastcheck._COERCERS["to_amount"]
    monkeypatch.setitem(fastcheck._COERCERS, "to_amount", lambda v: calls.append(v) or real(v))
    schema = {"amount": {"type": "amount", "coerce": "to_amount", "min": 0}, "name": {"type": "string", "coerce": "strip"}}
    check = compile_schema(schema)
    rows = [{"amount": a, "name": n} for a, n in [
        (1500, " 甲 "), (1500, " 甲 "), (1500.0, "甲"), ("1500", " 甲 "), (0.0, "乙"), (-0.0, "乙"), (0, "乙"),
        (Decimal("1.0"), "丙"), (Decimal("1.00"), "丙"), (True, "丁"), (1, "丁"), (2.5, "戊"), (2.5, "戊")]]
    for row in rows:
        expected, problems = validate(schema, copy.deepcopy(row))
        got = check(copy.deepcopy(row))
        assert (got is None) == bool(problems), row
        if got is not None:
            assert got == expected and str(got["amount"]) == str(expected["amount"]), row
    # 1500 int, 1500.0, "1500", 2.5: once each; zeros, Decimals and the bool every time.
    assert calls.count(1500) == 2 and calls.count("1500") == 1 and calls.count(2.5) == 1
    assert len([c for c in calls if isinstance(c, Decimal)]) == 2 and calls.count(0) == 3


def test_true_and_one_are_remembered_under_their_own_keys(monkeypatch):
    from docgen.core import fastcheck

    looked: list[object] = []
    real = fastcheck._type_ok
    monkeypatch.setattr(fastcheck, "_type_ok", lambda kind, value: looked.append(value) or real(kind, value))
    schema = {"flag": {"type": ["boolean", "integer"]}}
    check = compile_schema(schema)
    for value in (True, 1, True, 1, False, False):
        got = check({"flag": value})
        assert got == validate(schema, {"flag": value})[0] and type(got["flag"]) is type(value)
    # True and 1 once each (1 is looked at as a boolean, then as an integer); False every time.
    assert [type(v) for v in looked] == [bool, int, int, bool, bool]


def test_a_coercer_given_as_a_function_is_run_for_every_value_and_the_memory_is_bounded(monkeypatch):
    from docgen.core import fastcheck

    seen: list[str] = []
    check = compile_schema({"a": {"type": "string", "coerce": lambda v: seen.append(v) or v.upper()}})
    assert [check({"a": "x"}), check({"a": "x"})] == [{"a": "X"}, {"a": "X"}] and seen == ["x", "x"]
    monkeypatch.setattr(fastcheck, "MEMO_MAX", 2)
    calls: list[str] = []
    real = fastcheck._COERCERS["strip"]
    monkeypatch.setitem(fastcheck._COERCERS, "strip", lambda v: calls.append(v) or real(v))
    check = compile_schema({"a": {"type": "string", "coerce": "strip"}})
    for value in ["a", "b", "a", "c", "a"]:  # "c" fills the memory: it starts again
        assert check({"a": value}) == {"a": value}
    assert calls == ["a", "b", "c", "a"]


def test_uscc_or_resident_id_gives_the_verdict_of_both_checks_in_either_order():
    from stdnum.cn import ric, uscc

    from docgen.core.idnumbers import check_resident_id, check_uscc

    digits_uscc = "91330100123456789"[:17]
    digits_uscc += uscc.calc_check_digit(digits_uscc)
    resident = "11010519491231002"
    resident += ric.calc_check_digit(resident + "0")
    numbers = [digits_uscc, resident, resident[:-1] + ("0" if resident[-1] != "0" else "1"), "91330110LCCBXHUN30",
               "91330110LCCBXHUN31", digits_uscc[:-1] + ("0" if digits_uscc[-1] != "0" else "1"), " " + resident + " ",
               "１１０１０５１９４９１２３１００２１", "", "12345"]
    check = compile_schema({"id": {"type": "string", "check_with": "uscc_or_resident_id"}})
    verdicts = []
    for number in numbers:
        text = number.strip()
        expected = check_uscc(text) is None or check_resident_id(text) is None
        verdicts.append(expected)
        assert (check({"id": number}) is not None) == expected, number
    assert verdicts[:2] == [True, True] and not all(verdicts)


def test_id_number_coercer_is_the_fast_paths_as_well():
    # The shipped templates print an ID typed with a lower-case x, on either path, upper case.
    template = load_template("demand-letter")
    check = compile_schema(template.schema)
    for typed in ("11010519491231002x", " 91110000600037341l "):
        data = example("demand-letter") | {"id_number": typed}
        expected, problems = validate(template.schema, copy.deepcopy(data))
        assert problems == [] and expected["id_number"] == typed.strip().upper()
        assert check(copy.deepcopy(data)) == expected
