"""A yes/no as a clerk writes it: ``values.parse_yes_no`` and the ``to_yes_no`` coercion."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from docgen.core.errors import InvalidValueError
from docgen.core.fastcheck import validate_quickly
from docgen.core.messages import MESSAGES
from docgen.core.validation import validate, yes_no_fields
from docgen.core.values import parse_yes_no

YES = ["是", "true", "TRUE", "True", "yes", "YES", "Yes", "y", "Y", "1", " 是 ", "\t y\n", "ｙｅｓ", "１",
       True, 1, 1.0, Decimal("1.00")]
NO = ["否", "false", "FALSE", "False", "no", "NO", "No", "n", "N", "0", " 否 ", "ｎ", "０", False, 0, 0.0, Decimal("0")]
REFUSED = [("是的吗", "是的吗"), ("2", "2"), (2, 2), (0.5, 0.5), ("有", "有"), ("无", "无"), ("", ""), (" ", ""),
           ("on", "on"), ("t", "t"), ("10", "10"), (None, None), (["是"], ["是"]), (float("nan"), float("nan"))]


@pytest.mark.parametrize("value", YES)
def test_yes_is_read_as_true(value: Any) -> None:
    assert parse_yes_no(value) is True


@pytest.mark.parametrize("value", NO)
def test_no_is_read_as_false(value: Any) -> None:
    assert parse_yes_no(value) is False


@pytest.mark.parametrize(("value", "quoted"), REFUSED)
def test_anything_else_is_refused_quoting_it(value: Any, quoted: Any) -> None:
    with pytest.raises(InvalidValueError) as exc:
        parse_yes_no(value)
    assert exc.value.code == "yes-no-value"
    if isinstance(quoted, str):
        assert exc.value.facts["value"] == quoted


def test_the_refusal_says_what_is_accepted_in_either_language() -> None:
    with pytest.raises(InvalidValueError) as exc:
        parse_yes_no(" 是的吗 ")
    assert str(exc.value) == "应填“是”或“否”（也可填 true/false、yes/no、Y/N、1/0，不区分大小写），收到“是的吗”"
    assert MESSAGES.text("yes-no-value", {"value": 2}, "en") == (
        "should be yes or no (是/否, true/false, yes/no, Y/N or 1/0, in any case), not 2")


SCHEMA = yes_no_fields({
    "flag": {"type": "boolean", "default": True},
    "own": {"type": "boolean", "coerce": "strip"},  # a coercion of its own is kept
    "items": {"type": "list", "schema": {"type": "dict", "schema": {"barred": {"type": "boolean"}}}},
    "box": {"type": "dict", "schema": {"inner": {"type": "boolean"}}},
    "name": {"type": "string"},
})


def test_every_boolean_field_at_any_depth_reads_yes_no_unless_it_coerces_itself() -> None:
    assert SCHEMA["flag"]["coerce"] == "to_yes_no"
    assert SCHEMA["own"]["coerce"] == "strip"
    assert SCHEMA["items"]["schema"]["schema"]["barred"]["coerce"] == "to_yes_no"
    assert SCHEMA["box"]["schema"]["inner"]["coerce"] == "to_yes_no"
    assert "coerce" not in SCHEMA["name"]


@pytest.mark.parametrize("check", [validate, validate_quickly])
def test_cerberus_and_the_fast_path_read_the_same_answers(check: Any) -> None:
    document = {"flag": "否", "items": [{"barred": "Y"}, {"barred": 0}], "box": {"inner": "TRUE"}}
    normalized, problems = check(SCHEMA, document)
    assert problems == []
    assert normalized == {"flag": False, "items": [{"barred": True}, {"barred": False}], "box": {"inner": True}}
    # An absent field keeps its default, read like any value.
    assert check(SCHEMA, {})[0] == {"flag": True}


def test_a_refused_answer_is_one_problem_naming_row_column_and_value() -> None:
    _, problems = validate(SCHEMA, {"flag": "是的吗", "box": {"inner": 2}}, row=3, columns={"flag": "B（已到期）"})
    problems = sorted(problems, key=lambda p: p.path, reverse=True)
    assert [(p.path, p.code, p.row, p.column) for p in problems] == [
        ("flag", "not-convertible", 3, "B（已到期）"), ("box.inner", "not-convertible", 3, None)]
    assert str(problems[0]) == ("第3行 B（已到期）列 flag：无法转换：应填“是”或“否”（也可填 true/false、yes/no、Y/N、1/0，"
                                "不区分大小写），收到“是的吗”")
    assert problems[1].message.endswith("，收到“2”")


@pytest.mark.parametrize("check", [validate, validate_quickly])
def test_a_blank_yes_no_without_a_default_is_refused_as_null_not_quoted(check: Any) -> None:
    """YAML's null in a yes/no field that is not nullable is said as any field's null is, never as
    a yes/no written wrong quoting Python's None; a nullable one stays blank."""
    schema = yes_no_fields({"signed": {"type": "boolean"}, "copy": {"type": "boolean", "nullable": True}})
    normalized, problems = check(schema, {"signed": None, "copy": None})
    assert [(p.path, p.code, p.message) for p in problems] == [("signed", "null", "不能为空值（null）")]
    assert normalized == {"signed": None, "copy": None}
