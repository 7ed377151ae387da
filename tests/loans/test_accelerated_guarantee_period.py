"""The guarantee period of a loan declared due early is counted by the earlier of its two ends.

With no agreed 保证期间届满日, the period runs six months from the day the main debt fell due (《民法典》
第六百九十二条). A loan declared due early (宣布提前到期) fell due by the declaration, and courts may
count the period from it rather than from the agreed maturity: the plan's guarantee deadline and the
guarantor notice take the earlier end, counted from the declaring letter (its date, or the day its
serial was taken when earlier), and the plan says which basis it used (``guarantee.basis``, the
``guarantee-accelerated`` warning). Once that end has passed with nothing done, a court counting from
maturity may still hold the guarantors liable: the bank acts by the later end, the plan warns
``guarantee-disputed`` and the notice is made at once, its effect stated only on the condition that the
period counts from maturity. Past both ends the guarantors are discharged. An agreed end governs either way.
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
from docgen.loans.letters import issued_keys
from docgen.loans.limitation import accelerated_guarantee_end
from docgen.loans.plan import plan_entry

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


def test_past_the_earlier_end_the_guarantor_is_still_called_before_the_later_one(tmp_path, policy) -> None:
    # The end counted from the declaration passed with no demand; a court counting from maturity may still
    # hold the guarantor liable to 2028-05-30: the notice is made at once, its effect said on that condition.
    loan = make_loan("JJ0001", days=10, guarantors=["钱七"], accelerated=True)
    issue_letters(tmp_path, policy, [loan], AS_OF)
    after = EARLY + 10 * DAY
    entry = _plan(tmp_path, loan, after)
    assert entry["guarantee"]["liable"] is True
    assert entry["guarantee_deadline"] == entry["guarantee"]["period_end"] == LATE.isoformat()
    assert entry["guarantee"]["basis"] == (
        f"2027-11-30 主债务到期后6个月（《民法典》第六百九十二条；自{DECLARED.isoformat()} 宣布提前到期起算则已于"
        f"{EARLY.isoformat()}届满，有争议）")
    assert entry["next_action"] == "guarantor-demand" and entry["next_action_due"] == after.isoformat()
    details = {d["code"]: d["message"] for d in entry["warning_details"]}
    assert "guarantee-expired" not in details and "guarantee-accelerated" not in details
    assert details["guarantee-disputed"] == (
        f"贷款已宣布提前到期（催收函于{DECLARED.isoformat()}出具），自宣布提前到期起算的保证期间已于{EARLY.isoformat()}届满，"
        "其间未向保证人书面主张保证责任；自原到期日起算则至2028-05-30届满。保证人钱七是否仍承担保证责任有争议："
        "仍须在2028-05-30前向保证人书面主张保证责任，并经法律审查")
    result = issue_letters(tmp_path, policy, [loan], after)
    text = _notice_text(result)
    assert ("保证期间自借款合同约定的到期日（2027年11月30日）起算的，至2028年5月30日届满；本通知于该期间内送达贵方的，"
            "即为我行在保证期间内向贵方提出的承担保证责任的请求，依照《中华人民共和国民法典》第六百九十四条第二款的规定，"
            "贵方保证债务的诉讼时效自本通知送达之日起计算。") in text
    # Never said as a fact: no demand "within the period" unconditionally, no end of the declaration's count.
    assert "本通知系我行" not in text and _cn(EARLY) not in text


def test_a_demand_between_the_two_ends_keeps_the_guarantee_disputed(tmp_path, policy) -> None:
    loan = make_loan("JJ0001", days=10, guarantors=["钱七"], accelerated=True)
    issue_letters(tmp_path, policy, [loan], AS_OF)
    demanded = EARLY + 5 * DAY
    entry = _plan(tmp_path, make_loan("JJ0001", days=10, guarantors=["钱七"], accelerated=True,
                                      guarantor_demanded=demanded), EARLY + 10 * DAY)
    assert entry["guarantee"]["preserved"] == "demand" and entry["guarantee"]["liable"] is True
    details = {d["code"]: d["message"] for d in entry["warning_details"]}
    assert details["guarantee-disputed"] == (
        f"贷款已宣布提前到期（催收函于{DECLARED.isoformat()}出具），自宣布提前到期起算的保证期间已于{EARLY.isoformat()}届满，"
        f"于{demanded.isoformat()}向保证人书面主张保证责任已晚于该日，早于自原到期日起算的2028-05-30：保证人钱七"
        "是否仍承担保证责任有争议，请经法律审查")
    # Kept, if disputed: a matter for legal review, not a call to make at once, so not urgent on its account.
    urgent = {kept: plan_entry(make_loan("JJ0001", days=10, guarantors=["钱七"], accelerated=True,
                                         guarantor_demanded=kept), EARLY + 10 * DAY, policy,
                               issued_keys(tmp_path / "register.sqlite")).urgent_date
              for kept in (demanded, None)}
    assert urgent == {demanded: None, None: EARLY}


def test_past_both_ends_the_guarantor_is_discharged_and_not_called(tmp_path, policy) -> None:
    loan = make_loan("JJ0001", days=10, guarantors=["钱七"], accelerated=True)
    issue_letters(tmp_path, policy, [loan], AS_OF)
    after = LATE + DAY
    entry = _plan(tmp_path, loan, after)
    assert entry["guarantee"]["liable"] is False
    details = {d["code"]: d["message"] for d in entry["warning_details"]}
    assert "guarantee-disputed" not in details
    assert details["guarantee-expired"] == "保证期间已于2028-05-30届满且保证期间内未向保证人主张，保证人钱七不再承担保证责任"
    result = issue_letters(tmp_path, policy, [loan], after)
    assert not [o for o in result.outcomes if o.document == "guarantor-demand"]


def test_the_plan_json_carries_both_ends_and_the_dispute_as_fields(tmp_path, policy) -> None:
    # Compliance tools filter on guarantee.disputed, not on warning codes or basis text.
    loan = make_loan("JJ0001", days=10, guarantors=["钱七"], accelerated=True)

    def fields(folder: Path, as_of: dt.date) -> tuple:
        guarantee = _plan(folder, loan, as_of)["guarantee"]
        return guarantee["disputed"], guarantee["declared_end"], guarantee["maturity_end"], guarantee["liable"]

    policy_in(tmp_path / "none")
    assert fields(tmp_path / "none", AS_OF) == (False, None, None, True)  # no declaration yet
    issue_letters(tmp_path, policy, [loan], AS_OF)
    assert fields(tmp_path, AS_OF + 7 * DAY) == (False, EARLY.isoformat(), LATE.isoformat(), True)
    assert fields(tmp_path, EARLY + 10 * DAY) == (True, EARLY.isoformat(), LATE.isoformat(), True)
    assert fields(tmp_path, LATE + DAY) == (False, EARLY.isoformat(), LATE.isoformat(), False)
    # An agreed end governs: no second end, nothing disputed.
    agreed = make_loan("JJ0001", days=10, guarantors=["钱七"], accelerated=True, guarantee_period_end=dt.date(2028, 1, 31))
    guarantee = _plan(tmp_path, agreed, EARLY + 10 * DAY)["guarantee"]
    assert (guarantee["disputed"], guarantee["declared_end"], guarantee["maturity_end"]) == (False, None, None)


@pytest.mark.parametrize(("declared", "expected"), [
    (dt.date(2026, 11, 28), dt.date(2027, 5, 28)),
    (dt.date(2026, 8, 31), dt.date(2027, 2, 28)),  # the month's last day (art. 202)
    (MATURITY, None),  # not earlier: maturity's end stands
    (None, None),
])
def test_the_earlier_end_from_the_declaration(declared, expected) -> None:
    assert accelerated_guarantee_end(MATURITY, declared) == expected


def test_a_declaration_is_dated_by_its_letter_or_the_earlier_day_its_serial_was_taken(tmp_path, policy) -> None:
    from docgen.loans.letters import IssuedKeys
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


@pytest.mark.parametrize(("kind", "kept", "as_of", "liable", "preserved", "period_end", "disputed"), [
    # Before the earlier end: acted on by it, nothing disputed.
    ("连带责任保证", None, EARLY, True, "", EARLY, None),
    # Past it with nothing done: the later end, disputed.
    ("连带责任保证", None, EARLY + DAY, True, "", LATE, EARLY),
    ("一般保证", None, EARLY + DAY, True, "", LATE, EARLY),
    # Kept by the earlier end: nothing disputed.
    ("连带责任保证", EARLY, EARLY + DAY, True, "demand", EARLY, None),
    ("一般保证", EARLY, EARLY + DAY, True, "suit", EARLY, None),
    # Kept between the two ends: kept, disputed.
    ("连带责任保证", EARLY + DAY, EARLY + DAY, True, "demand", LATE, EARLY),
    ("一般保证", EARLY + DAY, EARLY + DAY, True, "suit", LATE, EARLY),
    # Past both ends with nothing done: discharged by either count.
    ("连带责任保证", None, LATE + DAY, False, "", LATE, None),
    ("一般保证", None, LATE + DAY, False, "", LATE, None),
])
def test_the_guarantee_past_the_earlier_end_by_kind(kind, kept, as_of, liable, preserved, period_end, disputed) -> None:
    from docgen.loans.limitation import guarantee_status

    field = "guarantor_demanded" if kind == "连带责任保证" else "litigation_filed"
    loan = make_loan("JJ0001", days=10, guarantors=["钱七"], guarantee_type=kind, **{field: kept})
    status = guarantee_status(loan, as_of, declared_on=DECLARED)
    assert (status.liable, status.preserved, status.period_end, status.disputed_end) == (
        liable, preserved, period_end, disputed)
    assert status.needs_demand is (kind == "连带责任保证" and liable and not preserved)
