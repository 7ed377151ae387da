"""A value missing under a merged cell is named as such: the cell, the range and where its value is."""
from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from docgen.core.mergedcells import explain_empty
from docgen.core.messages import MESSAGES
from docgen.core.problems import Problem
from docgen.core.xlsxbounds import formula_cells, merged_ranges


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
    explained = explain_empty(book, None, problems)
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
    explained = explain_empty(book, None, [_required(3, "A（借款人）", "borrower"), _required(3, "B（机构）", "branch")])
    assert [p.code for p in explained] == ["required", "merged-cell"]  # the hidden sheet's A1:A9 is not read's
    assert [p.code for p in explain_empty(book, "代码表", [_required(3, "A（借款人）", "borrower")])] == ["merged-cell"]


def test_a_csv_or_a_sheet_without_merges_is_left_as_it_is(tmp_path: Path) -> None:
    csv = tmp_path / "rows.csv"
    csv.write_text("借款人,机构\n张三,\n", encoding="utf-8")
    problems = [_required(2, "B（机构）", "branch")]
    assert explain_empty(csv, None, problems) == problems
    wb = openpyxl.Workbook()
    wb.active.append(["借款人"])
    wb.save(tmp_path / "plain.xlsx")
    assert explain_empty(tmp_path / "plain.xlsx", None, problems) == problems


def test_an_empty_formula_cell_is_named_with_its_formula(tmp_path: Path) -> None:
    # A workbook a program wrote (openpyxl, as core-banking exports): the formulas without results.
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in (["借款人", "还款期限", "余额"], ["张三", "=A2+10", "=IF(C3>0,\"a&b\",\"\")"], ["李四", None, 5],
                ["王五", "=B2", 7]):
        ws.append(row)
    ws.merge_cells("A3:A4")
    path = tmp_path / "rows.xlsx"
    wb.save(path)
    assert formula_cells(path, None, [(2, 2), (2, 3), (3, 2), (4, 2), (9, 9)]) == {
        (2, 2): "=A2+10", (2, 3): '=IF(C3>0,"a&b","")', (4, 2): "=B2"}
    problems = [_required(2, "B（还款期限）", "pay_by"), _required(3, "B（还款期限）", "pay_by"),
                _required(4, "A（借款人）", "borrower"), _required(4, "B（还款期限）", "pay_by")]
    explained = explain_empty(path, None, problems)
    assert [(p.code, p.row, p.column) for p in explained] == [
        ("formula-no-value", 2, "B（还款期限）"), ("required", 3, "B（还款期限）"), ("merged-cell", 4, "A（借款人）"),
        ("formula-no-value", 4, "B（还款期限）")]
    assert explained[0].message == ("B2 是公式“=A2+10”，文件中没有它的计算结果（表格由程序生成、未经 Excel 计算保存），"
                                    "或结果为空；请在 Excel 中打开该文件、保存后重试，或把公式改为数值")
    assert explained[0].facts == {"cell": "B2", "formula": "=A2+10"}


def test_formula_cells_are_found_across_the_pieces_the_sheet_is_read_in(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from docgen.core import xlsxbounds

    monkeypatch.setattr(xlsxbounds, "_CHUNK", 7)  # every tag cut somewhere
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["借款人", "余额"])
    for number in range(2, 60):
        ws.append([f"客户{number}", f"=SUM(B{number + 1}:B{number + 2})" if number % 7 == 0 else number])
    path = tmp_path / "rows.xlsx"
    wb.save(path)
    wanted = [(number, 2) for number in range(2, 60)]
    assert formula_cells(path, None, wanted) == {(n, 2): f"=SUM(B{n + 1}:B{n + 2})" for n in range(7, 60, 7)}
