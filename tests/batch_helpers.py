"""Helpers for the batch, register and reader tests: realistic rows from
``examples/make_rows.py`` written as .xlsx or .csv in a test's tmp_path."""
from __future__ import annotations

from scripts import load_script

from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE_ROWS = ROOT / "examples" / "templates" / "demand-letters.xlsx"


def make_rows_module() -> ModuleType:
    """Return the ``examples/make_rows.py`` module (a script, loaded once)."""
    return load_script("examples/make_rows.py")


def rows(count: int = 5, seed: int = 7) -> list[dict[str, Any]]:
    """``count`` valid demand-letter rows keyed by Chinese header."""
    return make_rows_module().make_rows(count, seed)


def write_xlsx(path: Path, data: list[dict[str, Any]]) -> Path:
    make_rows_module().write_xlsx(data, path)
    return path


def write_csv(path: Path, data: list[dict[str, Any]], encoding: str = "utf-8-sig") -> Path:
    make_rows_module().write_csv(data, path, encoding)
    return path
