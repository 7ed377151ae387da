"""Empty cells Excel shows a value in: why a value the user sees is empty to docgen.

A clerk merges the cells of a column over several rows (one 贷款机构 for a branch's loans);
Excel shows the value across them all but keeps it in the range's first cell only, and every
reader, docgen's included, finds the other cells empty. Each row after the first is then
refused as lacking a required value, which the clerk, seeing it on screen, cannot understand.
A formula cell is the other such cell: a workbook written by a program (a core-banking export,
a script) holds the formula without its result, which Excel computes when it opens the file
but no reader can, so ``=A2+10`` under 还款期限 was refused as left empty.
``explain_empty`` words those problems for what they are. Nothing is filled in: which rows a
merged value was meant for is the clerk's to say, and a formula's result Excel's to compute.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from docgen.core.messages import MESSAGES
from docgen.core.problems import Problem
from docgen.core.xlsxbounds import column_letters, column_number, formula_cells, merged_ranges, shown_sheet

__all__ = ["explain_empty"]

#: The problems of a value that is not there (cerberus' ``required``, ``empty`` and ``null``).
_EMPTY_CODES = frozenset({"required", "empty", "null"})
#: A problem's column label begins with the column's letters (``O（贷款机构）``).
_LETTERS = re.compile(r"[A-Z]{1,3}(?=（)")
_WORKBOOKS = frozenset({".xlsx", ".xlsm"})


def explain_empty(path: str | Path, sheet: str | None, problems: Sequence[Problem]) -> list[Problem]:
    """Return ``problems`` with each problem of an empty cell of the sheet read (``sheet``, or the
    one read when it is None) replaced by one saying why it is empty where the sheet tells: a
    ``merged-cell`` problem for a cell inside a merged range other than its first (naming the
    cell, the range and where its value is), a ``formula-no-value`` problem for a formula cell
    (naming the cell and its formula); the others as they are, in their order.

    The sheet is read again only when there is such a problem and the file is an .xlsx. Raises
    ``InputError`` only as reading the sheet did (its XML over the size limit).
    """
    empties = [p for p in problems if p.code in _EMPTY_CODES and p.row is not None and p.column]
    if not empties or Path(path).suffix.lower() not in _WORKBOOKS:
        return list(problems)
    sheet = sheet if sheet is not None else shown_sheet(path)
    ranges = merged_ranges(path, sheet)
    cells: dict[int, tuple[int, int, str]] = {}  # problem's index -> its cell's row, column and letters
    merged: dict[int, tuple[int, int, int, int]] = {}  # problem's index -> the range it lies in
    for at, problem in enumerate(problems):
        letters = _LETTERS.match(problem.column or "") if problem.code in _EMPTY_CODES else None
        if letters is None or problem.row is None:
            continue
        row, column = problem.row, column_number(letters[0])
        cells[at] = (row, column, letters[0])
        found = next(((top, left, bottom, right) for top, left, bottom, right in ranges
                      if top <= row <= bottom and left <= column <= right and (row, column) != (top, left)), None)
        if found is not None:
            merged[at] = found
    formulas = formula_cells(path, sheet, [cells[at][:2] for at in cells if at not in merged])
    out: list[Problem] = []
    for at, problem in enumerate(problems):
        if at in merged:
            row, _, letters = cells[at]
            top, left, bottom, right = merged[at]
            first = f"{column_letters(left)}{top}"
            out.append(MESSAGES.problem("merged-cell", problem.path, row=problem.row, column=problem.column,
                                        cell=f"{letters}{row}", first=first,
                                        range=f"{first}:{column_letters(right)}{bottom}"))
        elif at in cells and cells[at][:2] in formulas:
            row, _, letters = cells[at]
            out.append(MESSAGES.problem("formula-no-value", problem.path, row=problem.row, column=problem.column,
                                        cell=f"{letters}{row}", formula=formulas[cells[at][:2]]))
        else:
            out.append(problem)
    return out
