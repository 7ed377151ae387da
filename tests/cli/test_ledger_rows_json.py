"""The ledger commands with ``--format json`` on a ledger with bad rows: the rows on stdout as JSON
(``LEDGER_ROWS_ERROR_JSON``), the same lines on stderr, exit 1, nothing produced."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from collect_helpers import AS_OF, make_loan, write_loans

from docgen.cli import main
from docgen.core.jsonshape import mismatches
from docgen.loans.shapes import LEDGER_ROWS_ERROR_JSON

# Row 3 (the second loan) has 逾期本金 above 贷款余额: a row error of the ledger, not of a letter.
_PROBLEM = {"row": 3, "field": "overdue_principal"}


@pytest.fixture()
def bad_ledger(tmp_path: Path) -> Path:
    good = make_loan("JJ0001", days=30)
    bad = make_loan("JJ0002", days=30)
    bad.overdue_principal = bad.balance + 1
    return write_loans(tmp_path / "台账.csv", [good, bad])


@pytest.mark.parametrize("args", [
    ["collect", "plan", "--as-of", AS_OF.isoformat()],
    ["collect", "letters", "--as-of", AS_OF.isoformat(), "--out", "OUT"],
    ["npl-report", "--period", "2026Q2"],
    ["npl-report", "--period", "2026Q2", "--opening", "GOOD"],
], ids=["plan", "letters", "npl-report", "npl-report-opening"])
def test_bad_ledger_rows_are_json_on_stdout_and_lines_on_stderr(args: list[str], bad_ledger: Path,
                                                                 tmp_path: Path) -> None:
    good = write_loans(tmp_path / "期初.csv", [make_loan("JJ0001", days=30)])
    out = tmp_path / "out"
    args = [str(out) if a == "OUT" else str(good) if a == "GOOD" else a for a in args]
    if args[0] == "collect":
        args += ["--register", str(tmp_path / "register.sqlite")]
    result = CliRunner().invoke(main, [*args, "--ledger", str(bad_ledger), "--format", "json"])
    assert result.exit_code == 1, result.output
    payload = json.loads(result.stdout)
    assert mismatches(payload, LEDGER_ROWS_ERROR_JSON) == []
    assert payload["file"] == str(bad_ledger)
    (problem,) = payload["problems"]
    assert {key: problem[key] for key in _PROBLEM} == _PROBLEM
    assert problem["column"].endswith("（逾期本金）")
    # The person reading stderr gets the same row, named by row and column.
    assert f"{bad_ledger}：台账有 1 行数据不合格" in result.stderr
    assert f"第3行 {problem['column']}列 overdue_principal：{problem['message']}" in result.stderr
    assert not out.exists()


def test_text_format_prints_no_json(bad_ledger: Path) -> None:
    result = CliRunner().invoke(main, ["npl-report", "--period", "2026Q2", "--ledger", str(bad_ledger)])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "第3行" in result.stderr
