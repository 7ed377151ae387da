"""Cells under a merged range: why a value the user sees in Excel is empty to docgen.

A clerk merges the cells of a column over several rows (one 贷款机构 for a branch's loans);
Excel shows the value across them all but keeps it in the range's first cell only, and every
reader, docgen's included, finds the other cells empty. Each row after the first is then
refused as lacking a required value, which the clerk, seeing it on screen, cannot understand.
``explain_merged`` words those problems for what they are. Nothing is filled in: which rows a
merged value was meant for is the clerk's to say.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from docgen.core.messages import MESSAGES
from docgen.core.problems import Problem
from docgen.core.xlsxbounds import column_letters, column_number, merged_ranges, shown_sheet

__all__ = ["explain_merged"]

#: The problems of a value that is not there (cerberus' ``required``, ``empty`` and ``null``).
_EMPTY_CODES = frozenset({"required", "empty", "null"})
#: A problem's column label begins with the column's letters (``O（贷款机构）``).
_LETTERS = re.compile(r"[A-Z]{1,3}(?=（)")
_WORKBOOKS = frozenset({".xlsx", ".xlsm"})


def explain_merged(path: str | Path, sheet: str | None, problems: Sequence[Problem]) -> list[Problem]:
    """Return ``problems`` with each problem of an empty cell that lies inside a merged range of
    the sheet read (``sheet``, or the one read when it is None), and is not the range's first
    cell, replaced by a ``merged-cell`` problem naming the cell, the range and where its value
    is; the others as they are, in their order.

    The sheet is read again only when there is such a problem and the file is an .xlsx. Raises
    ``InputError`` only as reading the sheet did (its XML over the size limit).
    """
    empties = [p for p in problems if p.code in _EMPTY_CODES and p.row is not None and p.column]
    if not empties or Path(path).suffix.lower() not in _WORKBOOKS:
        return list(problems)
    ranges = merged_ranges(path, sheet if sheet is not None else shown_sheet(path))
    if not ranges:
        return list(problems)
    out: list[Problem] = []
    for problem in problems:
        letters = _LETTERS.match(problem.column or "") if problem.code in _EMPTY_CODES else None
        row, column = problem.row or 0, column_number(letters[0]) if letters else 0
        merged = next(((top, left, bottom, right) for top, left, bottom, right in ranges
                       if top <= row <= bottom and left <= column <= right and (row, column) != (top, left)), None)
        if letters is None or merged is None:
            out.append(problem)
            continue
        top, left, bottom, right = merged
        first = f"{column_letters(left)}{top}"
        out.append(MESSAGES.problem("merged-cell", problem.path, row=problem.row, column=problem.column,
                                    cell=f"{letters[0]}{row}", first=first,
                                    range=f"{first}:{column_letters(right)}{bottom}"))
    return out
