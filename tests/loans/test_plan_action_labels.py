"""The plan names each entry's next step for what is actually done: a time-barred claim's demand
letter is the 催收通知书 with its 债务确认回执 (DESIGN §8.1), as ``collect letters`` issues it, while the
action id stays ``demand-letter`` (DESIGN §8). Its warning ``demand-letter-overdue`` is worded for the same
notice, and says no date by which a letter should have been served (none interrupts an expired period any
more), only what the notice can still obtain (《民法典》第一百九十二条第二款). Checked in the text table, the
workbook, the JSON and the letters run on the same ledger."""
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
BARRED_WARNING = "催收通知书未出具"
LETTER_WARNING = "催收函逾期未送达"
BARRED_SENTENCE = ("诉讼时效已届满，催收通知书（附债务确认回执）至今未出具；借款人在债务确认回执上签字同意归还的，"
                   "不得再以诉讼时效期间届满为由抗辩（《民法典》第一百九十二条第二款）")


def _loans():
    # Overdue since 2019-01-02 with nothing interrupting: time-barred since 2022-01-01.
    barred = make_loan("JJ0001", days=None, overdue_since=dt.date(2019, 1, 2), maturity=dt.date(2019, 1, 1),
                       disbursed_on=dt.date(2017, 1, 1), borrower="张三", id_number="110105198001010013")
    # Day 10: the demand letter was due on day 7 and is not issued (demand-letter-overdue).
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


def _plan(folder: Path, *options: str) -> str:
    """Return the stdout of ``docgen collect plan`` on a ledger of ``_loans()`` with ``options`` (exit 0)."""
    (folder / "policy.yaml").write_text(POLICY_TEXT, encoding="utf-8")
    ledger = write_loans(folder / "ledger.xlsx", _loans())
    result = CliRunner().invoke(main, ["collect", "plan", "--ledger", str(ledger), "--as-of", AS_OF.isoformat(),
                                       "--policy", str(folder / "policy.yaml"),
                                       "--register", str(folder / "register.sqlite"), *options])
    assert result.exit_code == 0, result.output
    return result.stdout


def _workbook_column(folder: Path, header: str) -> dict[str, str]:
    """Return loan number -> the ``header`` column of the plan's workbook."""
    out = folder / "plan.xlsx"
    _plan(folder, "--format", "xlsx", "-o", str(out))
    sheet = openpyxl.load_workbook(out).active
    headers = [c.value for c in sheet[1]]
    return {r[0]: dict(zip(headers, r))[header] for r in sheet.iter_rows(min_row=2, values_only=True)}


def test_plan_json_keeps_the_action_id_and_the_workbook_names_it(tmp_path: Path) -> None:
    entries = {e["loan_no"]: e for e in json.loads(_plan(tmp_path, "--format", "json"))}
    assert {no: (e["next_action"], e["time_barred"]) for no, e in entries.items()} == {
        "JJ0001": ("demand-letter", True), "JJ0002": ("demand-letter", False)}
    assert not any("label" in key for e in entries.values() for key in e)  # the documented shape: ids only
    assert _workbook_column(tmp_path, "下一步") == {"JJ0001": BARRED_LABEL, "JJ0002": LETTER_LABEL}


def test_the_overdue_warning_of_a_time_barred_claim_names_the_notice_and_no_served_by_date(tmp_path: Path) -> None:
    entries = {e["loan_no"]: e for e in json.loads(_plan(tmp_path, "--format", "json"))}
    details = {no: {d["code"]: d for d in e["warning_details"]} for no, e in entries.items()}
    # The code and the facts stay; the sentence is the notice's, with no date it should have been served by.
    barred = details["JJ0001"]["demand-letter-overdue"]
    assert barred == {"code": "demand-letter-overdue", "facts": {"due": "2019-01-08"}, "message": BARRED_SENTENCE}
    assert details["JJ0002"]["demand-letter-overdue"]["message"] == "催收函应于2026-11-25送达，至今未出具"
    text = _plan(tmp_path)
    assert BARRED_WARNING in _row(text, "JJ0001") and LETTER_WARNING not in _row(text, "JJ0001")
    assert LETTER_WARNING in _row(text, "JJ0002") and BARRED_WARNING not in _row(text, "JJ0002")
    hints = _workbook_column(tmp_path, "提示")
    assert BARRED_WARNING in hints["JJ0001"] and LETTER_WARNING not in hints["JJ0001"]
    assert hints["JJ0002"] == LETTER_WARNING
