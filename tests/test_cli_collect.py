"""`docgen collect plan` and `docgen collect letters` through click's CliRunner: exit codes, outputs."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from collect_helpers import AS_OF, make_loan, write_loans

from docgen.cli import main


@pytest.fixture()
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture()
def ledger(tmp_path: Path) -> Path:
    loans = [
        make_loan("JJ0001", days=2, row=2),
        make_loan("JJ0002", days=10, guarantors=["李四", "王二"], row=3),
        make_loan("JJ0003", days=None, row=4),
        make_loan("JJ0004", days=95, maturity=dt.date(2026, 8, 20), guarantors=["赵六"], row=5),
    ]
    return write_loans(tmp_path / "台账.xlsx", loans)


def test_plan_json_lists_overdue_loans_most_urgent_first(runner: CliRunner, ledger: Path) -> None:
    result = runner.invoke(main, ["collect", "plan", "--ledger", str(ledger), "--as-of", "2026-11-28",
                                  "--format", "json"])
    assert result.exit_code == 0, result.output
    plan = json.loads(result.stdout)
    assert [p["loan_no"] for p in plan] == ["JJ0004", "JJ0002", "JJ0001"]
    first = plan[0]
    assert first["guarantee_deadline"] == "2027-02-20"
    assert first["warnings"] == ["guarantee-near", "demand-letter-overdue", "legal-action-overdue"]
    assert plan[1]["next_action"] == "demand-letter"
    assert plan[2]["next_action"] == "phone"
    assert plan[2]["next_action_due"] == "2026-11-28"


def test_plan_text_is_the_default(runner: CliRunner, ledger: Path) -> None:
    result = runner.invoke(main, ["collect", "plan", "--ledger", str(ledger), "--as-of", "2026-11-28"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "催收计划  截至 2026-11-28  逾期贷款 3 笔"
    assert lines[3].startswith("JJ0004")
    assert "保证期间即将届满、催收函逾期未送达、应起诉未起诉" in lines[3]
    assert lines[-1] == "期限预警 1 笔(时效或保证期间 90 天内届满或已届满);应办未办 2 笔。"


def test_plan_xlsx_needs_an_output_file(runner: CliRunner, ledger: Path, tmp_path: Path) -> None:
    result = runner.invoke(main, ["collect", "plan", "--ledger", str(ledger), "--as-of", "2026-11-28",
                                  "--format", "xlsx"])
    assert result.exit_code == 2
    assert "--format xlsx 需要 -o 输出文件" in result.output
    out = tmp_path / "计划.xlsx"
    result = runner.invoke(main, ["collect", "plan", "--ledger", str(ledger), "--as-of", "2026-11-28",
                                  "--format", "xlsx", "-o", str(out)])
    assert result.exit_code == 0, result.output
    sheet = openpyxl.load_workbook(out).active
    assert [r[0] for r in sheet.iter_rows(min_row=2, values_only=True)] == ["JJ0004", "JJ0002", "JJ0001"]


def test_plan_reads_a_gb18030_csv_ledger(runner: CliRunner, tmp_path: Path) -> None:
    from docgen.ledger import write_ledger

    path = write_ledger([make_loan("JJ0009", days=40, borrower="陕西眉县某某农业合作社")], tmp_path / "台账.csv",
                        encoding="gb18030")
    result = runner.invoke(main, ["collect", "plan", "--ledger", str(path), "--as-of", "2026-11-28",
                                  "--format", "json"])
    assert result.exit_code == 0, result.output
    (item,) = json.loads(result.stdout)
    assert (item["borrower"], item["bucket"]) == ("陕西眉县某某农业合作社", "M2")


def test_plan_bad_date_is_a_usage_error(runner: CliRunner, ledger: Path) -> None:
    result = runner.invoke(main, ["collect", "plan", "--ledger", str(ledger), "--as-of", "28/11/2026"])
    assert result.exit_code == 2
    assert "--as-of" in result.output
    assert "例如 --as-of 2026-11-28" in result.output


def test_plan_missing_ledger_exits_2(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["collect", "plan", "--ledger", str(tmp_path / "none.xlsx"), "--as-of", "2026-11-28"])
    assert result.exit_code == 2
    assert "does not exist" in result.output


def test_plan_bad_policy_exits_2_naming_the_key(runner: CliRunner, ledger: Path, tmp_path: Path) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text("warning_days: -5\n", encoding="utf-8")
    result = runner.invoke(main, ["collect", "plan", "--ledger", str(ledger), "--as-of", "2026-11-28",
                                  "--policy", str(policy)])
    assert result.exit_code == 2
    assert f"{policy}: warning_days: 最小值为 0" in result.output


def test_plan_invalid_rows_exit_1_with_row_and_column(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "台账.csv"
    from docgen.ledger import write_ledger

    write_ledger([make_loan("JJ0001", days=3), make_loan("JJ0002", days=3, id_number="11010519800101001")], path)
    result = runner.invoke(main, ["collect", "plan", "--ledger", str(path), "--as-of", "2026-11-28"])
    assert result.exit_code == 1
    assert "第3行" in result.output
    assert "证件号码" in result.output
    assert "Traceback" not in result.output


def test_plan_custom_policy_changes_the_timetable(runner: CliRunner, ledger: Path, tmp_path: Path) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text(
        "timetable:\n"
        "  - {action: phone, from: 1, to: 1}\n"
        "  - {action: demand-letter, from: 2, once: true}\n"
        "  - {action: visit, from: 3}\n",
        encoding="utf-8",
    )
    result = runner.invoke(main, ["collect", "plan", "--ledger", str(ledger), "--as-of", "2026-11-28",
                                  "--policy", str(policy), "--format", "json"])
    assert result.exit_code == 0, result.output
    by_no = {p["loan_no"]: p for p in json.loads(result.stdout)}
    assert (by_no["JJ0001"]["next_action"], by_no["JJ0001"]["next_action_due"]) == ("demand-letter", "2026-11-28")


def test_help_has_examples(runner: CliRunner) -> None:
    result = runner.invoke(main, ["collect", "plan", "--help"])
    assert result.exit_code == 0
    assert "docgen collect plan --ledger ledger.xlsx --as-of 2026-11-28" in result.output


def test_as_of_defaults_to_today(runner: CliRunner, ledger: Path) -> None:
    result = runner.invoke(main, ["collect", "plan", "--ledger", str(ledger), "--format", "json"])
    assert result.exit_code == 0, result.output
    plan = json.loads(result.stdout)
    today = dt.date.today()
    assert all(p["days_past_due"] == (today - dt.date.fromisoformat(p["overdue_since"])).days + 1 for p in plan)
    assert AS_OF  # the fixture's dates are fixed; only the count of days moves with today
