"""Errors that stop a command carry a stable code and their facts; the sentence is the table's.

A sample from each part's message table: the code and facts are what a program reads, and the
message is exactly what the part's table renders from them.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from docgen.check.bundle import open_bundle
from docgen.check.checklist import list_checklists, load_checklist
from docgen.check.messages import ERRORS
from docgen.core.errors import BundleError, ChecklistError, InputError, RowsError
from docgen.core.messages import MESSAGES
from docgen.core.tabular import read_table
from docgen.loans.ledger import read_ledger
from docgen.loans.messages import MESSAGES as LOANS
from docgen.loans.plan import load_policy


def _raised(kind: type[Exception], call: Callable[[], object]) -> Any:
    """Return the ``kind`` error ``call`` raises (the test fails if it raises none)."""
    with pytest.raises(kind) as caught:
        call()
    return caught.value


def test_missing_bundle_carries_its_code_and_root(tmp_path):
    missing = str(tmp_path / "无此资料包")
    caught = _raised(BundleError, lambda: open_bundle(missing))
    assert caught.code == "bundle-not-found"
    assert caught.facts == {"root": missing}
    assert str(caught) == f"{missing}：资料包不存在；请给出客户资料文件夹或 .zip 文件的路径"


def test_a_file_that_is_no_zip_is_bundle_not_zip(tmp_path):
    fake = tmp_path / "资料.zip"
    fake.write_bytes(b"not a zip at all")
    caught = _raised(BundleError, lambda: open_bundle(fake))
    assert caught.code == "bundle-not-zip"
    assert str(caught) == ERRORS.text("bundle-not-zip", {"root": str(fake)})


def test_unknown_checklist_lists_the_shipped_ones_as_a_fact():
    caught = _raised(ChecklistError, lambda: load_checklist("no-such-list"))
    assert caught.code == "checklist-unknown"
    assert caught.facts["available"] == list_checklists()
    assert str(caught).startswith("未知清单“no-such-list”：可用清单为 ")


def test_checklist_yaml_syntax_error_names_line_and_column(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\ntitle: [unclosed\n", encoding="utf-8")
    caught = _raised(ChecklistError, lambda: load_checklist(bad))
    assert caught.code == "checklist-yaml-syntax"
    assert isinstance(caught.facts["line"], int)
    assert f"第{caught.facts['line']}行第{caught.facts['column']}列" in str(caught)


def test_missing_spreadsheet_and_missing_sheet(tmp_path):
    caught = _raised(InputError, lambda: read_table(tmp_path / "无.xlsx", {}))
    assert caught.code == "table-not-found"
    assert str(caught) == f"{tmp_path / '无.xlsx'}：文件不存在"

    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "台账"
    path = tmp_path / "a.xlsx"
    book.save(path)
    caught = _raised(InputError, lambda: read_table(path, {}, sheet="其他"))
    assert caught.code == "sheet-not-found"
    assert caught.facts["sheets"] == ["台账"]
    assert str(caught) == MESSAGES.text("sheet-not-found", caught.facts)
    assert str(caught).endswith("现有工作表：台账")


def test_ledger_without_required_columns_names_them_as_facts(tmp_path):
    path = tmp_path / "台账.csv"
    path.write_text("备注\n无\n", encoding="utf-8")
    caught = _raised(InputError, lambda: read_ledger(path))
    assert not isinstance(caught, RowsError)
    assert caught.code == "header-missing-columns"
    assert caught.facts["row"] == 1
    assert "loan_no" in caught.facts["missing"]
    assert str(caught) == MESSAGES.text("header-missing-columns", caught.facts)


def test_loans_errors_render_from_the_loans_table():
    assert LOANS.text("ledger-bad-rows", {"file": "台账.xlsx", "count": 2}) == \
        "台账.xlsx：台账有 2 行数据不合格，请按行列位置修改后重试"


def test_policy_errors_carry_their_codes(tmp_path):
    policy = tmp_path / "policy.yaml"
    policy.write_text("warning_dayz: 90\n", encoding="utf-8")
    caught = _raised(InputError, lambda: load_policy(policy))
    assert caught.code == "policy-unknown-key"
    assert caught.facts["key"] == "warning_dayz"

    policy.write_text("buckets:\n  - {id: a, from: 1, to: 30}\n  - {id: b, from: 40}\n", encoding="utf-8")
    caught = _raised(InputError, lambda: load_policy(policy))
    assert caught.code == "policy-bucket-gap"
    assert caught.facts["expected"] == 31
    assert str(caught) == f"{policy}：buckets[1].from：应为 31（各档须从第1天起首尾相接，不重叠、不留空）"


def test_bad_values_are_coded_value_errors_with_their_facts():
    from docgen.core.cnformat import amount_in_words
    from docgen.core.errors import InvalidValueError
    from docgen.core.validation import parse_amount, parse_date, parse_working_date

    caught = _raised(ValueError, lambda: parse_date("2026-02-30"))
    assert isinstance(caught, InvalidValueError)
    assert (caught.code, caught.facts) == ("date-no-such-day", {"text": "2026-02-30"})
    assert str(caught) == "不存在的日期“2026-02-30”"
    assert _raised(ValueError, lambda: parse_working_date("9999-12-31")).code == "date-out-of-range"
    caught = _raised(ValueError, lambda: parse_amount("1.234,56"))
    assert caught.code == "amount-ambiguous"
    assert str(caught) == "金额“1.234,56”的写法不明确：千位分隔符只能是每三位一个逗号，小数点用“.”，如 1,234.56"
    assert str(_raised(ValueError, lambda: parse_amount(True))) == "金额应为数字"
    assert str(_raised(ValueError, lambda: parse_amount("abc"))) == "金额应为数字，收到“abc”"
    assert _raised(ValueError, lambda: amount_in_words(-1)).code == "amount-words-negative"


def test_a_data_file_error_keeps_the_callers_class_and_names_line_and_column(tmp_path):
    from docgen.core.datafile import read_mapping
    from docgen.core.errors import TemplateError

    bad = tmp_path / "x.yaml"
    bad.write_text("a: [1\n", encoding="utf-8")
    caught = _raised(TemplateError, lambda: read_mapping(bad, what="模板说明", error=TemplateError))
    assert caught.code == "datafile-yaml-syntax"
    assert (caught.facts["file"], caught.facts["what"]) == (str(bad), "模板说明")
    assert str(caught).startswith(f"{bad} 第{caught.facts['line']}行第{caught.facts['column']}列：模板说明不是合法的 YAML：")


def test_an_unsafe_condition_names_the_rule_as_a_fact():
    from docgen.core.conditions import Condition

    caught = _raised(ChecklistError, lambda: Condition("borrower.__class__", "items.x.when"))
    assert (caught.code, caught.facts["rule"], caught.facts["name"]) == ("condition-unsafe", "private-attribute",
                                                                         "__class__")
    assert str(caught) == "items.x.when：表达式“borrower.__class__”不安全或无效：不允许访问以下划线开头的属性“__class__”"


def test_template_errors_carry_codes_and_facts(tmp_path):
    from docgen.core.errors import ConversionError, TemplateError
    from docgen.documents.pdf import convert_to_pdf
    from docgen.documents.rules import parse_fraction
    from docgen.documents.template import list_templates, load_template

    caught = _raised(TemplateError, lambda: load_template("no-such-template"))
    assert caught.code == "template-unknown"
    assert caught.facts["known"] == [t.name for t in list_templates()]
    assert str(caught) == f"未知模板 no-such-template（可用：{'、'.join(caught.facts['known'])}）"
    caught = _raised(TemplateError, lambda: load_template(path=tmp_path / "无.docx"))
    assert (caught.code, str(caught)) == ("template-file-not-found", f"模板文件不存在：{tmp_path / '无.docx'}")
    caught = _raised(ConversionError, lambda: convert_to_pdf([tmp_path / "a.docx"], tmp_path))
    assert (caught.code, caught.facts["missing"]) == ("convert-missing-files", [str(tmp_path / "a.docx")])
    caught = _raised(ValueError, lambda: parse_fraction("三分之二"))
    assert (caught.code, str(caught)) == ("ratio-format", "表决比例应写作 2/3、0.5 或 66.67%，收到“三分之二”")
