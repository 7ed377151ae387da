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
from docgen.loans.messages import message
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
    assert str(caught) == f"{missing}: 资料包不存在;请给出客户资料文件夹或 .zip 文件的路径"


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
    assert str(caught).startswith("未知清单 'no-such-list':可用清单为 ")


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
    assert str(caught) == f"{tmp_path / '无.xlsx'}: 文件不存在"

    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "台账"
    path = tmp_path / "a.xlsx"
    book.save(path)
    caught = _raised(InputError, lambda: read_table(path, {}, sheet="其他"))
    assert caught.code == "sheet-not-found"
    assert caught.facts["sheets"] == ["台账"]
    assert str(caught) == MESSAGES.text("sheet-not-found", caught.facts)
    assert str(caught).endswith("现有工作表:台账")


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
    assert message("ledger-bad-rows", {"file": "台账.xlsx", "count": 2}) == \
        "台账.xlsx: 台账有 2 行数据不合格,请按行列位置修改后重试"


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
    assert str(caught) == f"{policy}: buckets[1].from: 应为 31(各档须从第1天起首尾相接,不重叠、不留空)"
