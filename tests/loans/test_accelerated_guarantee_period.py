"""The guarantee period of a loan declared due early is counted by the earlier of its two ends.

With no agreed 保证期间届满日, the period runs six months from the day the main debt fell due (《民法典》
第六百九十二条). A loan declared due early (宣布提前到期) fell due by the declaration, and courts may
count the period from it rather than from the agreed maturity: the plan's guarantee deadline and the
guarantor notice take the earlier end, counted from the declaring letter (its date, or the day its
serial was taken when earlier), and the plan says which basis it used (``guarantee.basis``, the
``guarantee-accelerated`` warning). Once that end has passed, the guarantors are not called on by
docgen, and the plan says they may be discharged, not that they are. An agreed end governs either way.
"""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner
from collect_helpers import AS_OF, issue_letters, make_loan, policy_in, serials_taken_on, write_loans

from docgen.cli import main
from docgen.core.periods import add_months
from docgen.loans.limitation import accelerated_guarantee_end

DAY = dt.timedelta(days=1)
MATURITY = dt.date(2027, 11, 30)  # make_loan's
DECLARED = AS_OF
"""The day the declaring letter issued on AS_OF counts from: its date, its serial taken that day too
(``register_clock``), whatever the machine's clock says."""
EARLY = add_months(DECLARED, 6)
LATE = dt.date(2028, 5, 30)  # six months after maturity


def _cn(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


@pytest.fixture()
def policy(tmp_path: Path):
    return policy_in(tmp_path)


@pytest.fixture(autouse=True)
def register_clock(monkeypatch):
    serials_taken_on(monkeypatch, AS_OF)


def _plan(folder: Path, loan, as_of: dt.date) -> dict:
    ledger = write_loans(folder / "ledger.xlsx", [loan])
    run = CliRunner().invoke(main, ["collect", "plan", "--ledger", str(ledger), "--as-of", as_of.isoformat(),
                                    "--policy", str(folder / "policy.yaml"), "--register",
                                    str(folder / "register.sqlite"), "--format", "json"])
    assert run.exit_code == 0, run.output
    (entry,) = json.loads(run.stdout)
    return entry


def _notice_text(result) -> str:
    (notice,) = [o for o in result.written if o.document == "guarantor-demand"]
    return "\n".join(p.text for p in docx.Document(notice.file).paragraphs)


def test_the_period_is_counted_from_maturity_until_the_declaration_goes_out(tmp_path, policy) -> None:
    entry = _plan(tmp_path, make_loan("JJ0001", days=10, guarantors=["钱七"], accelerated=True), AS_OF)
    assert entry["guarantee_deadline"] == LATE.isoformat()
    assert entry["guarantee"]["basis"] == "2027-11-30 主债务到期后6个月（《民法典》第六百九十二条）"
    assert "guarantee-accelerated" not in entry["warnings"]


def test_after_the_declaration_the_plan_and_the_notice_take_the_earlier_end(tmp_path, policy) -> None:
    loan = make_loan("JJ0001", days=10, guarantors=["钱七"], accelerated=True)
    issue_letters(tmp_path, policy, [loan], AS_OF)  # the letter declaring the loan due early
    later = AS_OF + 7 * DAY
    entry = _plan(tmp_path, loan, later)
    assert entry["guarantee_deadline"] == EARLY.isoformat()
    assert entry["guarantee"]["period_end"] == EARLY.isoformat()
    assert entry["guarantee"]["basis"] == (
        f"{DECLARED.isoformat()} 宣布提前到期的催收函出具后6个月（《民法典》第六百九十二条；早于按原到期日 2027-11-30 "
        f"起算的 2028-05-30，以较早者为准）")
    details = {d["code"]: d["message"] for d in entry["warning_details"]}
    assert details["guarantee-accelerated"] == (
        f"贷款已宣布提前到期（催收函于{DECLARED.isoformat()}出具）：保证期间自宣布提前到期起算6个月，至{EARLY.isoformat()}"
        f"届满，早于自原到期日起算的2028-05-30，以较早者为准（《民法典》第六百九十二条），须在{EARLY.isoformat()}前"
        "向保证人书面主张保证责任")
    text = _notice_text(issue_letters(tmp_path, policy, [loan], later))
    assert f"本通知系我行在保证期间（至{_cn(EARLY)}届满）内向贵方提出的承担保证责任的请求" in text
    assert _cn(LATE) not in text


def test_an_agreed_end_governs_after_the_declaration(tmp_path, policy) -> None:
    agreed = dt.date(2028, 1, 31)
    loan = make_loan("JJ0001", days=10, guarantors=["钱七"], accelerated=True, guarantee_period_end=agreed)
    issue_letters(tmp_path, policy, [loan], AS_OF)
    later = AS_OF + 7 * DAY
    entry = _plan(tmp_path, loan, later)
    assert entry["guarantee_deadline"] == agreed.isoformat()
    assert entry["guarantee"]["basis"] == "约定保证期间至2028-01-31"
    assert "guarantee-accelerated" not in entry["warnings"]
    text = _notice_text(issue_letters(tmp_path, policy, [loan], later))
    assert f"本通知系我行在保证期间（至{_cn(agreed)}届满）内向贵方提出的承担保证责任的请求" in text


def test_past_the_earlier_end_the_guarantors_may_be_discharged_and_are_not_called(tmp_path, policy) -> None:
    loan = make_loan("JJ0001", days=10, guarantors=["钱七"], accelerated=True)
    issue_letters(tmp_path, policy, [loan], AS_OF)
    after = EARLY + 10 * DAY
    entry = _plan(tmp_path, loan, after)
    assert entry["guarantee"]["liable"] is False
    details = {d["code"]: d["message"] for d in entry["warning_details"]}
    assert details["guarantee-expired"] == (
        f"自宣布提前到期起算的保证期间已于{EARLY.isoformat()}届满且保证期间内未向保证人主张（自原到期日起算则至2028-05-30"
        "届满），保证人钱七可能已不再承担保证责任；是否仍向其主张，请经法律审查")
    result = issue_letters(tmp_path, policy, [loan], after)
    assert not [o for o in result.outcomes if o.document == "guarantor-demand"]


@pytest.mark.parametrize(("declared", "expected"), [
    (dt.date(2026, 11, 28), dt.date(2027, 5, 28)),
    (dt.date(2026, 8, 31), dt.date(2027, 2, 28)),  # the month's last day (art. 202)
    (MATURITY, None),  # not earlier: maturity's end stands
    (None, None),
])
def test_the_earlier_end_from_the_declaration(declared, expected) -> None:
    assert accelerated_guarantee_end(MATURITY, declared) == expected


def test_a_declaration_is_dated_by_its_letter_or_the_earlier_day_its_serial_was_taken(tmp_path, policy) -> None:
    from docgen.loans.letters import IssuedKeys, issued_keys
    from docgen.loans.plan import letter_key

    loan = make_loan("JJ0001", days=10, guarantors=["钱七"], accelerated=True)
    result = issue_letters(tmp_path, policy, [loan], AS_OF)
    key = letter_key(loan, declaring=True)
    assert issued_keys(tmp_path / "register.sqlite").issued_on(key) == DECLARED
    (letter,) = [o for o in result.written if o.document == "demand-letter"]
    # Its file gone (a letter made again bears a later date): the day its serial was taken.
    keys = IssuedKeys([key], dated={key: (letter.file + ".gone", "0" * 64, "2026-11-20T09:00:00+08:00")})
    assert keys.issued_on(key) == dt.date(2026, 11, 20)
    assert keys.issued_on(letter_key(loan)) is None


def test_a_serial_taken_before_the_letters_date_starts_the_period(tmp_path, policy, monkeypatch) -> None:
    # Letters dated AS_OF made three days earlier (the register's clock): the earlier day counts.
    serials_taken_on(monkeypatch, AS_OF - 3 * DAY)
    loan = make_loan("JJ0001", days=10, guarantors=["钱七"], accelerated=True)
    issue_letters(tmp_path, policy, [loan], AS_OF)
    entry = _plan(tmp_path, loan, AS_OF + 7 * DAY)
    assert entry["guarantee_deadline"] == add_months(AS_OF - 3 * DAY, 6).isoformat() == "2027-05-25"
