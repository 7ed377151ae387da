"""A joint guarantor asked for the overdue instalments before the loan was declared due early
(宣布提前到期) is asked again, for the whole balance, once the declaration is out.

What an earlier demand claimed is known from the register (this episode's notice to that guarantor
under the ordinary key asked the overdue amounts only) or from the ledger (a 向保证人主张日 before the
declaring letter's date: no demand made before a declaration asked for the balance). The guarantee
kept for what was demanded then does not reach the rest of the balance, which fell due only by the
declaration: the bank asks for it within the guarantee period (《民法典》第六百九十三条第二款). The
notice names the letter that declared it, by its serial and date. Re-read from the Word files.
"""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from collect_helpers import AS_OF, issue_letters, make_loan, policy_in, serials_taken_on, write_loans
from docxtext import docx_text

from docgen.cli import main
from docgen.loans.letters import issued_keys
from docgen.loans.plan import build_plan, letter_key

DAY = dt.timedelta(days=1)
DECLARED = AS_OF + 6 * DAY  # 2026-12-04: the run that issues the declaring letter
#: What the notice's service does to the limitation of a guarantor asked before for part of the debt.
INTERRUPTS = ("依照《中华人民共和国民法典》第六百九十四条第二款的规定，贵方就上述欠款中我行此前未向贵方主张的部分所负保证债务的"
              "诉讼时效自本通知送达之日起计算；就我行此前已向贵方主张的部分，本通知系我行再次提出的履行请求，依照该法第一百九十五条"
              "的规定，该部分保证债务的诉讼时效自本通知送达之日起中断并重新计算。")
BALANCE = ("借款人自2026年11月19日起未按合同约定归还到期贷款本息，已构成违约，我行已依照借款合同约定向借款人发出"
           "编号为催字〔2026〕第00002号、落款日期为2026年12月4日的《逾期贷款催收函》，宣布该笔贷款全部提前到期。")


@pytest.fixture()
def policy(tmp_path: Path, monkeypatch):
    """The policy that signs letters, with the register's serials taken on DECLARED: the declaring
    letter's date counts (not later than its serial's day), whatever the clock says."""
    serials_taken_on(monkeypatch, DECLARED)
    return policy_in(tmp_path)


def _loan(**fields):
    # Day 10 on AS_OF, maturing 2027-11-30; the agreed guarantee period ends 2027-03-03.
    return make_loan("JJ0001", days=10, guarantors=["钱七", "孙八"], guarantee_period_end=AS_OF + 95 * DAY,
                     **fields)


def _entry(tmp_path: Path, policy, loan, as_of: dt.date):
    (entry,) = build_plan([loan], as_of, policy, issued=issued_keys(tmp_path / "register.sqlite")).entries
    return entry


def _called_then_declared(tmp_path: Path, policy, **fields):
    """The guarantors called for the overdue amounts, the loan declared due early later; return the
    flagged loan (``fields`` on it)."""
    issue_letters(tmp_path, policy, [_loan()], AS_OF)  # the demand letter, declaring nothing
    called = issue_letters(tmp_path, policy, [_loan()], AS_OF + 5 * DAY)
    notices = {o.party: docx_text(Path(o.file)) for o in called.written if o.document == "guarantor-demand"}
    assert sorted(notices) == ["孙八", "钱七"]
    assert all("提前到期" not in text and "逾期本金\n20,000.00" in text for text in notices.values())
    loan = _loan(accelerated=True, **fields)
    declaring = issue_letters(tmp_path, policy, [loan], DECLARED)
    assert [(o.document, o.serial) for o in declaring.written] == [("demand-letter", "催字〔2026〕第00002号")]
    return loan


def test_guarantors_called_before_the_declaration_are_asked_for_the_balance(tmp_path, policy) -> None:
    # The clerk entered the first notices' service as 向保证人主张日: the guarantee is kept for what they asked.
    loan = _called_then_declared(tmp_path, policy, guarantor_demanded=AS_OF + 5 * DAY)
    entry = _entry(tmp_path, policy, loan, AS_OF + 8 * DAY)
    assert entry.guarantee.preserved == "demand"
    assert entry.next_action == "guarantor-demand" and entry.next_action_due == AS_OF + 8 * DAY
    assert entry.balance_guarantors == ["钱七", "孙八"]
    (notice,) = [n for n in entry.notices if n.code == "guarantor-balance-undemanded"]
    assert notice.message == ("贷款已宣布提前到期（催收函于2026-12-04出具），保证人钱七、孙八此前仅被要求就当时逾期的款项"
                              "承担保证责任：须在保证期间内（至2027-03-03届满）向其发出保证人履行保证责任通知书，"
                              "主张提前到期的全部贷款余额（《民法典》第六百九十三条第二款）")

    result = issue_letters(tmp_path, policy, [loan], AS_OF + 8 * DAY)
    written = {o.party: o for o in result.written}
    assert sorted(written) == ["孙八", "钱七"] and {o.document for o in written.values()} == {"guarantor-demand"}
    text = docx_text(Path(written["钱七"].file))
    assert BALANCE + "截至2026年12月6日，借款人尚欠我行款项如下：" in text
    assert "贷款本金余额\n420,000.00" in text and "逾期本金\n" not in text
    assert "本通知系我行在保证期间（至2027年3月3日届满）内向贵方提出的承担保证责任的请求" in text
    # Asked before for the overdue amounts: the limitation of that part is interrupted, that of the rest starts.
    assert INTERRUPTS in text
    # The ledger keeps the earlier demand's date: it shows that part was asked before the guarantee period ended.
    assert written["钱七"].next_step == (
        "本通知须于保证期间届满日 2027-03-03 前送达。台账“向保证人主张日”请保留原填的2026-12-03，不要改为本通知的"
        "送达日：该日证明此前主张的款项系在保证期间届满前主张；本通知送达后，该部分保证债务的诉讼时效中断并自送达之日起"
        "重新计算（《民法典》第一百九十五条），计划按原填日期提示的时效届满日早于实际，不会延误")
    with_keys = {letter_key(loan, "guarantor-demand", name, declaring=True) for name in ("钱七", "孙八")}
    assert {written[name].facts.get("kept") for name in written} == {"2026-12-03"}

    # Asked once: the plan goes back to routine, a second run writes nothing.
    after = _entry(tmp_path, policy, loan, AS_OF + 9 * DAY)
    assert after.next_action == "phone" and after.balance_guarantors == []
    assert "guarantor-balance-undemanded" not in after.warnings
    again = issue_letters(tmp_path, policy, [loan], AS_OF + 9 * DAY)
    assert again.written == []
    assert not [o for o in again.outcomes if o.document == "guarantor-demand"]
    assert with_keys <= set(issued_keys(tmp_path / "register.sqlite"))


def test_a_notice_of_the_declaration_run_is_followed_by_one_asking_the_balance(tmp_path, policy) -> None:
    # The register alone tells: the notices under the ordinary key asked the overdue amounts, and the
    # ledger dates the demand the day of the declaring letter (it may have asked anything).
    loan = _called_then_declared(tmp_path, policy, guarantor_demanded=DECLARED)
    entry = _entry(tmp_path, policy, loan, AS_OF + 8 * DAY)
    assert entry.next_action == "guarantor-demand" and entry.balance_guarantors == ["钱七", "孙八"]


def test_a_demand_the_ledger_dates_before_the_declaration_claimed_less(tmp_path, policy) -> None:
    # No notice in the register (served by hand): a 向保证人主张日 before the declaring letter asked no balance.
    issue_letters(tmp_path, policy, [_loan()], AS_OF)
    loan = _loan(accelerated=True, guarantor_demanded=AS_OF + 2 * DAY)
    issue_letters(tmp_path, policy, [loan], DECLARED)
    entry = _entry(tmp_path, policy, loan, AS_OF + 8 * DAY)
    assert entry.next_action == "guarantor-demand" and entry.balance_guarantors == ["钱七", "孙八"]
    result = issue_letters(tmp_path, policy, [loan], AS_OF + 8 * DAY)
    assert sorted(o.party for o in result.written if o.document == "guarantor-demand") == ["孙八", "钱七"]

    # Dated on or after the declaration and unknown to the register: it may have asked the balance.
    other = tmp_path / "other"
    issue_letters(other, policy, [_loan()], AS_OF)
    later = _loan(accelerated=True, guarantor_demanded=DECLARED + DAY)
    issue_letters(other, policy, [later], DECLARED)
    entry = _entry(other, policy, later, AS_OF + 8 * DAY)
    assert entry.balance_guarantors == [] and entry.next_action == "phone"
    assert [o.document for o in issue_letters(other, policy, [later], AS_OF + 8 * DAY).written] == []


def test_a_declaring_letter_dated_after_its_serial_is_named_by_its_serial_only(tmp_path, policy, monkeypatch) -> None:
    # Its serial taken two days before the date it bears: made again later (restored), or dated ahead.
    # The date served is not known for sure: the notice names the serial, no date.
    serials_taken_on(monkeypatch, DECLARED - 2 * DAY)
    loan = _called_then_declared(tmp_path, policy, guarantor_demanded=AS_OF + 5 * DAY)
    result = issue_letters(tmp_path, policy, [loan], AS_OF + 8 * DAY)
    text = docx_text(Path(next(o.file for o in result.written if o.party == "钱七")))
    assert ("已构成违约，我行已依照借款合同约定向借款人发出编号为催字〔2026〕第00002号的《逾期贷款催收函》，"
            "宣布该笔贷款全部提前到期。") in text


def test_collect_plan_json_proposes_the_balance_notice(tmp_path, policy) -> None:
    loan = _called_then_declared(tmp_path, policy, guarantor_demanded=AS_OF + 5 * DAY)
    ledger = write_loans(tmp_path / "ledger.xlsx", [loan])
    run = CliRunner().invoke(main, ["collect", "plan", "--ledger", str(ledger), "--as-of", (AS_OF + 8 * DAY).isoformat(),
                                    "--policy", str(tmp_path / "policy.yaml"), "--register",
                                    str(tmp_path / "register.sqlite"), "--format", "json"])
    assert run.exit_code == 0, run.output
    (entry,) = json.loads(run.stdout)
    assert entry["next_action"] == "guarantor-demand" and entry["next_action_due"] == "2026-12-06"
    assert "guarantor-balance-undemanded" in entry["warnings"]
    (detail,) = [d for d in entry["warning_details"] if d["code"] == "guarantor-balance-undemanded"]
    assert detail["facts"]["guarantors"] == "钱七、孙八" and detail["facts"]["deadline"] == "2027-03-03"
