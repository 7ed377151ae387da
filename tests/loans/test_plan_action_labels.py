"""The plan names each entry's next step for what is actually done: a time-barred claim's demand
letter is the 催收通知书 with its 债务确认回执 (DESIGN §8.1), as ``collect letters`` issues it, while the
action id stays ``demand-letter`` (DESIGN §8). Checked in the text table, the workbook, the JSON and
the letters run on the same ledger."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import openpyxl
from click.testing import CliRunner
from collect_helpers import AS_OF, POLICY_TEXT, make_loan, plan_and_letters, write_loans

from docgen.cli import main

BARRED_LABEL = "送达催收通知书（附债务确认回执）"
LETTER_LABEL = "送达逾期催收函"


def _loans():
    # Overdue since 2019-01-02 with nothing interrupting: time-barred since 2022-01-01.
    barred = make_loan("JJ0001", days=None, overdue_since=dt.date(2019, 1, 2), maturity=dt.date(2019, 1, 1),
                       disbursed_on=dt.date(2017, 1, 1), borrower="张三", id_number="110105198001010013")
    live = make_loan("JJ0002", days=10, row=3)
    return [barred, live]


def _row(text: str, loan_no: str) -> str:
    (line,) = [line for line in text.splitlines() if line.startswith(loan_no)]
    return line


def test_plan_text_names_a_time_barred_demand_letter_for_the_notice_issued(tmp_path: Path) -> None:
    plan_text, letters_text, outcomes = plan_and_letters(tmp_path, _loans())
    assert BARRED_LABEL in _row(plan_text, "JJ0001") and LETTER_LABEL not in _row(plan_text, "JJ0001")
    assert LETTER_LABEL in _row(plan_text, "JJ0002") and BARRED_LABEL not in _row(plan_text, "JJ0002")
    # What collect letters issues for each loan on the same ledger matches its label.
    documents = {o["loan_no"]: o["document"] for o in outcomes}
    assert documents == {"JJ0001": "debt-confirmation", "JJ0002": "demand-letter"}


def test_plan_json_keeps_the_action_id_and_the_workbook_names_it(tmp_path: Path) -> None:
    (tmp_path / "policy.yaml").write_text(POLICY_TEXT, encoding="utf-8")
    ledger = write_loans(tmp_path / "ledger.xlsx", _loans())
    common = ["collect", "plan", "--ledger", str(ledger), "--as-of", AS_OF.isoformat(),
              "--policy", str(tmp_path / "policy.yaml"), "--register", str(tmp_path / "register.sqlite")]
    result = CliRunner().invoke(main, [*common, "--format", "json"])
    assert result.exit_code == 0, result.output
    entries = {e["loan_no"]: e for e in json.loads(result.stdout)}
    assert {no: (e["next_action"], e["time_barred"]) for no, e in entries.items()} == {
        "JJ0001": ("demand-letter", True), "JJ0002": ("demand-letter", False)}
    assert not any("label" in key for e in entries.values() for key in e)  # the documented shape: ids only
    out = tmp_path / "plan.xlsx"
    result = CliRunner().invoke(main, [*common, "--format", "xlsx", "-o", str(out)])
    assert result.exit_code == 0, result.output
    sheet = openpyxl.load_workbook(out).active
    headers = [c.value for c in sheet[1]]
    steps = {r[0]: dict(zip(headers, r))["下一步"] for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert steps == {"JJ0001": BARRED_LABEL, "JJ0002": LETTER_LABEL}
