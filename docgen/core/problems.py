"""``Problem``: one thing wrong with a value a user gave (a field, a spreadsheet cell), as data."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Problem"]


@dataclass(frozen=True)
class Problem:
    """One problem: where (field path, optional spreadsheet row/column), what (code, facts) and its wording.

    ``code`` is the stable identity (``required``, ``type``, ``invalid-uscc`` …; empty only for
    a problem built without one) and ``facts`` the values it is about (expected type, limits,
    the value seen); ``message`` is the Chinese sentence a part's message table rendered from
    them. Programs and tests look at the code and facts, never at the sentence; the JSON form
    stays the documented ``{"row", "column", "field", "message"}``.
    """

    path: str
    message: str
    row: int | None = None
    column: str | None = None
    code: str = ""
    facts: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"第{self.row}行")
        if self.column:
            where.append(f"{self.column}列")
        # A problem of no field (a totals row labelled in a column docgen does not read) is
        # placed by its row and column alone: 第6行 A（序号）列：….
        prefix = (" ".join(where) + (" " if self.path else "")) if where else ""
        return f"{prefix}{self.path}：{self.message}"

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form: ``{"row", "column", "field", "message"}``."""
        return {"row": self.row, "column": self.column, "field": self.path, "message": self.message}
