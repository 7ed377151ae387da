"""A value missing under a merged cell is named as such: the cell, the range and where its value is."""
from __future__ import annotations

from pathlib import Path

import openpyxl

from docgen.core.mergedcells import explain_merged
from docgen.core.messages import MESSAGES
from docgen.core.problems import Problem
from docgen.core.xlsxbounds import merged_ranges


def _book(path: Path, *, hidden_first: bool = False) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    if hidden_first:
        ws.title = "代码表"
        ws.sheet_state = "hidden"
        ws.merge_cells("A1:A9")
        ws = wb.create_sheet("名单")
        wb.active = 1
    for row in (["借款人", "机构", "余额"], ["张三", "南苑支行", 1], ["李四", None, 2], ["王五", None, None]):
        ws.append(row)
    ws.merge_cells("B2:B4")
    ws.merge_cells("C3:D3")  # a merge across columns, its first cell C3 empty
    wb.save(path)
    return path


def _required(row: int, column: str, field: str) -> Problem:
    return MESSAGES.problem("required", field, row=row, column=column)


def test_merged_ranges_are_read_from_the_sheet(tmp_path: Path) -> None:
    book = _book(tmp_path / "book.xlsx")
    assert sorted(merged_ranges(book)) == [(2, 2, 4, 2), (3, 3, 3, 4)]
    assert merged_ranges(tmp_path / "none.xlsx") == []


def test_an_empty_cell_under_a_merge_is_named_and_others_stay(tmp_path: Path) -> None:
    book = _book(tmp_path / "book.xlsx")
    problems = [_required(3, "B（机构）", "branch"), _required(3, "C（余额）", "balance"),
                MESSAGES.problem("not-convertible", "balance", row=4, column="C（余额）", reason="x"),
                _required(4, "B（机构）", "branch"), _required(5, "B（机构）", "branch")]
    explained = explain_merged(book, None, problems)
    assert [(p.code, p.row, p.column, p.path) for p in explained] == [
        ("merged-cell", 3, "B（机构）", "branch"), ("required", 3, "C（余额）", "balance"),
        ("not-convertible", 4, "C（余额）", "balance"), ("merged-cell", 4, "B（机构）", "branch"),
        ("required", 5, "B（机构）", "branch")]
    assert explained[0].message == ("B3 在合并单元格 B2:B4 中，合并单元格的值只保存在 B2，其余各格是空的；"
                                    "请取消合并，在每一行填写")
    assert explained[0].facts == {"cell": "B3", "first": "B2", "range": "B2:B4"}
    # The first cell of a merge (C3, itself empty) is an empty cell like any other.
    assert explained[1] is problems[1]


def test_the_sheet_read_is_the_one_looked_at(tmp_path: Path) -> None:
    book = _book(tmp_path / "book.xlsx", hidden_first=True)
    explained = explain_merged(book, None, [_required(3, "A（借款人）", "borrower"), _required(3, "B（机构）", "branch")])
    assert [p.code for p in explained] == ["required", "merged-cell"]  # the hidden sheet's A1:A9 is not read's
    assert [p.code for p in explain_merged(book, "代码表", [_required(3, "A（借款人）", "borrower")])] == ["merged-cell"]


def test_a_csv_or_a_sheet_without_merges_is_left_as_it_is(tmp_path: Path) -> None:
    csv = tmp_path / "rows.csv"
    csv.write_text("借款人,机构\n张三,\n", encoding="utf-8")
    problems = [_required(2, "B（机构）", "branch")]
    assert explain_merged(csv, None, problems) == problems
    wb = openpyxl.Workbook()
    wb.active.append(["借款人"])
    wb.save(tmp_path / "plain.xlsx")
    assert explain_merged(tmp_path / "plain.xlsx", None, problems) == problems
