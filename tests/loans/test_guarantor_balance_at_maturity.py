"""A joint guarantor asked for the overdue instalments, then the whole balance fell due: at maturity
(never declared due early), or by a declaration whose balance notice had not gone out before the loan
matured. The guarantor is asked for the balance once, within the guarantee period counted from when it
fell due (《民法典》第六百九十二条、第六百九十三条第二款); the notice says how it fell due, and as it
follows a demand for part of the debt it interrupts that part's limitation (第一百九十五条) and starts
the rest's (第六百九十四条第二款). A suit or a case in court stays the plan's next action, the notice
beside it. Plans read as JSON; notices re-read from the Word files.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from collect_helpers import AS_OF, issue_letters, make_loan, policy_in, serials_taken_on, write_loans
from docxtext import docx_text
from test_plan_golden import DatedKeys

from docgen.cli import main
from docgen.loans.letters import issued_keys
from docgen.loans.plan import build_plan, letter_key

DAY = dt.timedelta(days=1)
MATURITY = AS_OF + 3 * DAY  # 2026-12-01
AFTER = AS_OF + 10 * DAY  # 2026-12-08: matured
#: The notice's recital of a balance that fell due at maturity, after the instalments overdue since 2026-11-19.
AT_MATURITY = ("借款人自2026年11月19日起未按合同约定归还到期贷款本息，已构成逾期；该笔贷款已于2026年12月1日到期，"
               "贷款本金余额已于该日全部到期，借款人仍未归还。截至2026年12月8日，借款人尚欠我行款项如下：")
_LIMITATION = ("依照《中华人民共和国民法典》第六百九十四条第二款的规定，贵方就上述欠款中我行此前未向贵方主张的部分所负保证债务的"
               "诉讼时效自本通知送达之日起计算；就我行此前已向贵方主张的部分，{served}依照该法第一百九十五条的规定，"
               "该部分保证债务的诉讼时效自本通知送达之日起中断并重新计算。")
INTERRUPTS = _LIMITATION.format(served="本通知系我行再次提出的履行请求，")
INTERRUPTS_IF_SERVED = _LIMITATION.format(served="本通知在该部分保证债务的诉讼时效期间届满前送达贵方的，")
#: The sentence of a notice that follows no earlier demand.
STARTS = "依照《中华人民共和国民法典》第六百九十四条第二款的规定，贵方保证债务的诉讼时效自本通知送达之日起计算。"


@pytest.fixture()
def policy(tmp_path: Path, monkeypatch):
    serials_taken_on(monkeypatch, AS_OF)
    return policy_in(tmp_path / "policy")


def _loan(**fields):
    # Day 10 on AS_OF (overdue since 2026-11-19), maturing 2026-12-01: the guarantee period ends six
    # months after maturity, 2027-06-01.
    values = dict(days=10, maturity=MATURITY, guarantors=["钱七", "孙八"])
    values.update(fields)
    return make_loan("JJ0001", **values)


def _entry(folder: Path, policy, loan, as_of: dt.date):
    (entry,) = build_plan([loan], as_of, policy, issued=issued_keys(folder / "register.sqlite")).entries
    return entry


def _called_before_maturity(folder: Path, policy, loan) -> None:
    """Issue the demand letter, then the ordinary notices asking the guarantors for the overdue amounts."""
    issue_letters(folder, policy, [loan], AS_OF)
    called = issue_letters(folder, policy, [loan], AS_OF + DAY)
    notices = [docx_text(Path(o.file)) for o in called.written if o.document == "guarantor-demand"]
    assert len(notices) == 2
    assert all("逾期本金\n20,000.00" in text and "第一百九十五条" not in text for text in notices)


def _plan_json(folder: Path, loan, as_of: dt.date) -> dict:
    ledger = write_loans(folder / "ledger.xlsx", [loan])
    run = CliRunner().invoke(main, ["collect", "plan", "--ledger", str(ledger), "--as-of", as_of.isoformat(),
                                    "--policy", str(folder / "policy" / "policy.yaml"), "--register",
                                    str(folder / "register.sqlite"), "--format", "json"])
    assert run.exit_code == 0, run.output
    (entry,) = json.loads(run.stdout)
    return entry


def test_guarantors_called_before_maturity_are_asked_for_the_balance_at_maturity(tmp_path, policy) -> None:
    loan = _loan()
    _called_before_maturity(tmp_path, policy, loan)
    # Before maturity nothing more is due from them.
    assert _entry(tmp_path, policy, loan, MATURITY).balance_guarantors == []

    entry = _plan_json(tmp_path, loan, AFTER)
    assert entry["next_action"] == "guarantor-demand" and entry["next_action_due"] == "2026-12-08"
    assert "guarantor-balance-undemanded" in entry["warnings"]
    (detail,) = [d for d in entry["warning_details"] if d["code"] == "guarantor-balance-undemanded"]
    assert detail["facts"] == {"guarantors": "钱七、孙八", "deadline": "2027-06-01", "declared": "",
                               "disputed": False, "matured": "2026-12-01"}
    assert detail["message"] == ("贷款已于2026-12-01到期，保证人钱七、孙八此前仅被要求就当时逾期的款项承担保证责任："
                                 "须在保证期间内（至2027-06-01届满）向其发出保证人履行保证责任通知书，主张到期的全部贷款余额"
                                 "（《民法典》第六百九十二条、第六百九十三条第二款）")

    result = issue_letters(tmp_path, policy, [loan], AFTER)
    written = {o.party: o for o in result.written}
    assert sorted(written) == ["孙八", "钱七"] and {o.document for o in written.values()} == {"guarantor-demand"}
    assert {name: o.serial for name, o in written.items()} == {"钱七": "保催字〔2026〕第00003号",
                                                                "孙八": "保催字〔2026〕第00004号"}
    text = docx_text(Path(written["钱七"].file))
    assert AT_MATURITY in text and "提前到期" not in text
    assert "贷款本金余额\n420,000.00" in text and "逾期本金\n" not in text
    assert "本通知系我行在保证期间（至2027年6月1日届满）内向贵方提出的承担保证责任的请求；" + INTERRUPTS in text
    assert STARTS not in text
    keys = {letter_key(loan, "guarantor-demand", name, balance=True) for name in written}
    assert keys <= set(issued_keys(tmp_path / "register.sqlite"))

    # Asked once: the plan goes back to routine, a later run writes nothing.
    after = _entry(tmp_path, policy, loan, AFTER + DAY)
    assert after.balance_guarantors == [] and after.next_action == "phone"
    assert "guarantor-balance-undemanded" not in after.warnings
    again = issue_letters(tmp_path, policy, [loan], AFTER + DAY)
    assert again.written == [] and not [o for o in again.outcomes if o.document == "guarantor-demand"
                                        and o.code != "issued-before"]


def test_a_demand_the_ledger_dates_before_maturity_claimed_less(tmp_path, policy) -> None:
    # Served by hand, not in the register: a 向保证人主张日 on or before maturity asked no balance.
    for demanded in (AS_OF, MATURITY):
        folder = tmp_path / demanded.isoformat()
        loan = _loan(guarantor_demanded=demanded)
        entry = _entry(folder, policy, loan, AFTER)
        assert entry.balance_guarantors == ["钱七", "孙八"] and entry.guarantee.preserved == "demand"
        # The demand letter is due as well: it stays the next action, the notices beside it.
        assert entry.next_action == "demand-letter" and entry.actions[:2] == ["demand-letter", "guarantor-demand"]
        result = issue_letters(folder, policy, [loan], AFTER)
        assert sorted((o.document, o.party) for o in result.written) == [
            ("demand-letter", "杭州云栖贸易有限公司"), ("guarantor-demand", "孙八"), ("guarantor-demand", "钱七")]
        (notice,) = [o for o in result.written if o.party == "钱七"]
        assert notice.facts["kept"] == demanded.isoformat()
        assert AT_MATURITY in docx_text(Path(notice.file))


@pytest.mark.parametrize("case", ["after maturity", "sued with the borrower", "general", "period ended", "time-barred"])
def test_no_balance_notice_where_none_is_owed_or_may_be_asked(tmp_path, policy, case) -> None:
    fields = {
        # Dated after maturity and unknown to the register: it may have asked the balance.
        "after maturity": dict(guarantor_demanded=MATURITY + DAY),
        # Dated the day the suit was filed: perhaps the guarantor sued with the borrower, for the balance.
        "sued with the borrower": dict(guarantor_demanded=AS_OF, litigation_filed=AS_OF, litigation="已起诉"),
        # A general guarantor is not asked to pay before the debtor is sued.
        "general": dict(guarantor_demanded=AS_OF, guarantee_type="一般保证", litigation_filed=AS_OF,
                        litigation="已起诉"),
        # The agreed guarantee period ended before the balance could be asked.
        "period ended": dict(guarantor_demanded=AS_OF, guarantee_period_end=AFTER - DAY),
        # Overdue since 2023-06-01, nothing interrupted: the claim is time-barred (the guarantor may raise it).
        "time-barred": dict(overdue_since=dt.date(2023, 6, 1), guarantor_demanded=dt.date(2024, 1, 1),
                            guarantee_period_end=dt.date(2027, 6, 1)),
    }[case]
    loan = _loan(**fields)
    entry = _entry(tmp_path, policy, loan, AFTER)
    assert entry.balance_guarantors == [] and "guarantor-balance-undemanded" not in entry.warnings
    result = issue_letters(tmp_path, policy, [loan], AFTER)
    assert not [o for o in result.written if o.document == "guarantor-demand"]


def test_a_guarantor_first_called_after_maturity_gets_one_notice_for_the_balance(tmp_path, policy, monkeypatch) -> None:
    # Never asked before maturity: the ordinary notice asks the whole balance, follows no earlier demand
    # (no 第一百九十五条), and nothing is asked again: the date it bears, after maturity, says so.
    serials_taken_on(monkeypatch, AFTER + DAY)
    loan = _loan(guarantors=["钱七"])
    issue_letters(tmp_path, policy, [loan], AFTER)  # the demand letter
    notice = [o for o in issue_letters(tmp_path, policy, [loan], AFTER + DAY).written if o.document == "guarantor-demand"]
    (outcome,) = notice
    assert outcome.file.endswith("_钱七_保证人履行保证责任通知书.docx")
    text = docx_text(Path(outcome.file))
    assert "该笔贷款已于2026年12月1日到期，借款人未按约归还，自2026年11月19日起已构成逾期。" in text
    assert STARTS in text and "第一百九十五条" not in text
    later = _entry(tmp_path, policy, loan, AFTER + 2 * DAY)
    assert later.balance_guarantors == [] and later.next_action == "phone"
    # A demand by hand before maturity entered since: the notice after it asked the whole balance all the same.
    dated = _entry(tmp_path, policy, _loan(guarantors=["钱七"], guarantor_demanded=AS_OF), AFTER + 2 * DAY)
    assert dated.balance_guarantors == [] and "guarantor-balance-undemanded" not in dated.warnings


def test_a_declared_loan_matured_before_its_balance_notice_still_gets_it(tmp_path, policy, monkeypatch) -> None:
    # Called for the overdue amounts, declared due early on 2026-12-04, matured on 2026-12-06 before the
    # guarantors were asked for the balance: asked after maturity, as declared (its key, its wording).
    serials_taken_on(monkeypatch, AS_OF + 6 * DAY)
    maturity = AS_OF + 8 * DAY
    plain = _loan(maturity=maturity, guarantee_period_end=AS_OF + 95 * DAY)
    _called_before_maturity(tmp_path, policy, plain)
    loan = _loan(maturity=maturity, guarantee_period_end=AS_OF + 95 * DAY, accelerated=True)
    declaring = issue_letters(tmp_path, policy, [loan], AS_OF + 6 * DAY)
    assert [(o.document, o.serial) for o in declaring.written] == [("demand-letter", "催字〔2026〕第00002号")]

    as_of = maturity + 2 * DAY  # 2026-12-08
    entry = _plan_json(tmp_path, loan, as_of)
    assert entry["next_action"] == "guarantor-demand"
    (detail,) = [d for d in entry["warning_details"] if d["code"] == "guarantor-balance-undemanded"]
    assert detail["facts"]["declared"] == "2026-12-04" and detail["facts"]["matured"] == ""
    assert detail["message"].startswith("贷款已宣布提前到期（催收函于2026-12-04出具），保证人钱七、孙八")

    result = issue_letters(tmp_path, policy, [loan], as_of)
    written = {o.party: o for o in result.written}
    assert sorted(written) == ["孙八", "钱七"]
    text = docx_text(Path(written["钱七"].file))
    assert ("借款人自2026年11月19日起未按合同约定归还到期贷款本息，已构成违约，我行已依照借款合同约定向借款人发出编号为"
            "催字〔2026〕第00002号、落款日期为2026年12月4日的《逾期贷款催收函》，宣布该笔贷款全部提前到期；"
            "该笔贷款亦已于2026年12月6日到期。截至2026年12月8日，借款人尚欠我行款项如下：") in text
    assert INTERRUPTS in text and "贷款本金余额\n420,000.00" in text
    held = set(issued_keys(tmp_path / "register.sqlite"))
    # One balance notice per guarantor: under the declaring key, none under the key of a balance due at maturity.
    assert letter_key(loan, "guarantor-demand", "钱七", declaring=True) in held
    assert letter_key(loan, "guarantor-demand", "钱七", balance=True) not in held
    later = _entry(tmp_path, policy, loan, as_of + DAY)
    assert later.balance_guarantors == [] and later.next_action == "phone"
    assert not [o for o in issue_letters(tmp_path, policy, [loan], as_of + DAY).written]


def _long_overdue(**fields):
    # Day 89 on AS_OF (overdue since 2026-09-01), maturing 2026-12-01.
    return _loan(days=89, **fields)


def test_a_suit_due_stays_the_next_action_with_the_balance_notice_beside_it(tmp_path, policy) -> None:
    loan = _long_overdue()
    _called_before_maturity(tmp_path, policy, loan)
    as_of = AS_OF + 5 * DAY  # day 94: the suit fell due on day 91
    entry = _plan_json(tmp_path, loan, as_of)
    assert entry["next_action"] == "legal-action" and entry["next_action_due"] == "2026-11-30"
    assert entry["actions"][:2] == ["legal-action", "guarantor-demand"]
    assert {"legal-action-overdue", "guarantor-balance-undemanded"} <= set(entry["warnings"])
    result = issue_letters(tmp_path, policy, [loan], as_of)
    assert sorted(o.party for o in result.written if o.document == "guarantor-demand") == ["孙八", "钱七"]


def test_a_loan_in_court_keeps_its_action_and_its_guarantors_are_still_asked(tmp_path, policy) -> None:
    _called_before_maturity(tmp_path, policy, _long_overdue())
    # The borrower alone was sued on 2026-12-02: that keeps no joint guarantor liable for the balance.
    loan = _long_overdue(litigation="已起诉", litigation_filed=AS_OF + 4 * DAY)
    as_of = AS_OF + 5 * DAY
    entry = _plan_json(tmp_path, loan, as_of)
    assert entry["next_action"] == "phone" and entry["actions"][:2] == ["phone", "guarantor-demand"]
    assert "guarantor-balance-undemanded" in entry["warnings"]
    result = issue_letters(tmp_path, policy, [loan], as_of)
    assert [o.code for o in result.outcomes if not o.document] == ["litigation-pending"]
    notices = [o for o in result.written if o.document == "guarantor-demand"]
    assert sorted(o.party for o in notices) == ["孙八", "钱七"]
    text = docx_text(Path(notices[0].file))
    assert "贷款本金余额已于该日全部到期" in text
    # The guarantor may be a party to the suit, which claimed what was asked before: its limitation stays
    # interrupted until the proceedings end, so no restart from this notice is said; the rest's starts.
    assert ("本通知系我行在保证期间（至2027年6月1日届满）内向贵方提出的承担保证责任的请求；依照《中华人民共和国民法典》"
            "第六百九十四条第二款的规定，贵方就上述欠款中我行此前未向贵方主张的部分所负保证债务的诉讼时效自本通知送达之日起"
            "计算。\n如对上述金额有异议") in text
    assert "第一百九十五条" not in text and "再次提出" not in text
    assert notices[0].next_step == ("贷款已在诉讼或执行中：保证人已在该案中被诉请清偿全部贷款余额的，本通知无须送达；"
                                    "各保证人均已在该案中被诉请清偿全部贷款余额的，"
                                    "请在台账“向保证人主张日”填写起诉日期（2026-12-02）；"
                                    "未被起诉或仅被诉请部分欠款的，送达后请在台账“向保证人主张日”填写实际送达日"
                                    "（须不晚于保证期间届满日 2027-06-01）")
    assert not [o for o in result.written if o.document == "demand-letter"]
    # A demand the ledger dates: kept, and the step says nothing of an interruption either.
    dated = _long_overdue(litigation="已判决", litigation_filed=AS_OF + 4 * DAY, guarantor_demanded=AS_OF + DAY)
    (kept,) = [o for o in issue_letters(tmp_path / "dated", policy, [dated], as_of).written
               if o.document == "guarantor-demand" and o.party == "钱七"]
    assert "第一百九十五条" not in docx_text(Path(kept.file))
    # The ledger's date is kept: the step never asks to put the suit's date in its place.
    assert kept.next_step == ("贷款已在诉讼或执行中：保证人已在该案中被诉请清偿全部贷款余额的，本通知无须送达；"
                              "未被起诉或仅被诉请部分欠款的，本通知须于保证期间届满日 2027-06-01 前送达。"
                              "台账“向保证人主张日”请保留原填的2026-11-29，不要改为本通知的送达日："
                              "该日证明此前主张的款项系在保证期间届满前主张")
    assert "填写起诉日期" not in kept.next_step


def test_an_earlier_claim_whose_limitation_may_end_first_is_interrupted_only_if_served_in_time(tmp_path, policy) -> None:
    # Asked on 2023-12-13 (its limitation ends 2026-12-13, within the 15 days of service after the
    # 2026-12-08 notice); the claim on the borrower interrupted on 2026-06-01.
    loan = _loan(overdue_since=dt.date(2023, 11, 20), guarantor_demanded=dt.date(2023, 12, 13),
                 last_interruption=dt.date(2026, 6, 1), guarantors=["钱七"])
    entry = _entry(tmp_path, policy, loan, AFTER)
    assert entry.balance_guarantors == ["钱七"] and "guarantee-claim-near" in entry.warnings
    result = issue_letters(tmp_path, policy, [loan], AFTER)
    (notice,) = [o for o in result.written if o.document == "guarantor-demand"]
    text = docx_text(Path(notice.file))
    assert INTERRUPTS_IF_SERVED in text and INTERRUPTS not in text
    # The step, too, states the interruption on that condition.
    assert notice.next_step.endswith("台账“向保证人主张日”请保留原填的2023-12-13，不要改为本通知的送达日：该日证明此前主张的"
                                     "款项系在保证期间届满前主张；本通知在该部分保证债务的诉讼时效届满前送达的，该部分保证债务"
                                     "的诉讼时效中断并自送达之日起重新计算（《民法典》第一百九十五条），计划按原填日期提示的"
                                     "时效届满日早于实际，不会延误")


def test_a_suit_due_on_a_loan_declared_due_early_stays_the_next_action_too(tmp_path, policy) -> None:
    # Not matured: the guarantors called on day 90, the loan declared due early on day 91, the suit due then.
    plain = _long_overdue(maturity=dt.date(2027, 11, 30), guarantee_period_end=AS_OF + 95 * DAY)
    _called_before_maturity(tmp_path, policy, plain)
    loan = _long_overdue(maturity=dt.date(2027, 11, 30), guarantee_period_end=AS_OF + 95 * DAY, accelerated=True)
    declaring = issue_letters(tmp_path, policy, [loan], AS_OF + 2 * DAY)
    assert [o.document for o in declaring.written] == ["demand-letter"]
    as_of = AS_OF + 4 * DAY
    entry = _plan_json(tmp_path, loan, as_of)
    assert entry["next_action"] == "legal-action" and entry["actions"][:2] == ["legal-action", "guarantor-demand"]
    assert "guarantor-balance-undemanded" in entry["warnings"]
    result = issue_letters(tmp_path, policy, [loan], as_of)
    notices = [o for o in result.written if o.document == "guarantor-demand"]
    assert sorted(o.party for o in notices) == ["孙八", "钱七"]
    assert "宣布该笔贷款全部提前到期。截至2026年12月2日" in docx_text(Path(notices[0].file))


#: The day after the guarantee period counted from maturity (2026-12-01 + six months) ended.
LAPSED = dt.date(2027, 6, 2)


def test_a_guarantor_never_asked_for_the_balance_within_the_period_is_warned_of(tmp_path, policy, monkeypatch) -> None:
    # docgen's notices of 2026-11-29 (the register's, readable: their serials taken that day) asked the
    # instalments overdue then; matured 2026-12-01; the guarantee period (six months from maturity) ended
    # 2027-06-01 with the balance never asked: the demand keeps the guarantee for what it asked only
    # (《民法典》第六百九十三条第二款), which the plan must put to staff to verify, not as settled.
    serials_taken_on(monkeypatch, AS_OF + DAY)
    _called_before_maturity(tmp_path, policy, _loan())
    loan = _loan(guarantor_demanded=AS_OF + 2 * DAY, last_interruption=AS_OF)  # served 2026-11-30
    before = _plan_json(tmp_path, loan, dt.date(2027, 6, 1))  # the last day: still to be asked
    assert "guarantor-balance-undemanded" in before["warnings"] and "guarantor-balance-lapsed" not in before["warnings"]
    entry = _plan_json(tmp_path, loan, LAPSED)
    assert entry["guarantee"]["liable"] and entry["guarantee"]["preserved"] == "demand"
    assert "guarantor-balance-undemanded" not in entry["warnings"] and "guarantor-balance-lapsed" in entry["warnings"]
    (detail,) = [d for d in entry["warning_details"] if d["code"] == "guarantor-balance-lapsed"]
    assert detail["message"] == ("贷款已于2026-12-01到期，此前（2026-11-29）以保证人履行保证责任通知书向保证人钱七、孙八主张的"
                                 "仅为当时逾期的款项，保证期间已于2027-06-01届满，其间未向其发出主张到期的全部贷款余额的通知："
                                 "如无其他在保证期间内主张全部余额的凭证（如对保证人的起诉），保证人对其余部分可能不再承担"
                                 "保证责任（《民法典》第六百九十三条第二款）；请核实并经法律审查")
    # The loan goes to the top of the plan, by the end that passed, as a lapsed guarantee does.
    assert _entry(tmp_path, policy, loan, LAPSED).urgent_date == dt.date(2027, 6, 1)
    # Nothing can be asked any more: no notice is written.
    assert not [o for o in issue_letters(tmp_path, policy, [loan], LAPSED).written if o.document == "guarantor-demand"]


def test_a_demand_the_ledger_alone_dates_never_says_the_balance_lapsed(tmp_path, policy) -> None:
    # The register holds no notice of docgen's asking the overdue amounts only: what the ledger's
    # 向保证人主张日 asked is unknown, and a guarantor may be released by the warning on no evidence.
    cases = {
        # declared due early by the bank's own letter of 2026-06-01 (not docgen's), asked on 2026-06-15
        "declared elsewhere": _loan(days=200, accelerated=True, guarantor_demanded=dt.date(2026, 6, 15),
                                    last_interruption=dt.date(2026, 6, 15)),
        # asked on the day of maturity: the whole balance was due that day
        "on maturity": _loan(guarantor_demanded=MATURITY, last_interruption=MATURITY),
        # asked before maturity, as the warning once read it
        "before maturity": _loan(guarantor_demanded=AS_OF, last_interruption=AS_OF),
        # dated after maturity: it may have asked the balance
        "after maturity": _loan(guarantor_demanded=MATURITY + DAY),
    }
    for case, loan in cases.items():
        entry = _plan_json(tmp_path, loan, LAPSED)
        assert entry["guarantee"]["liable"], case
        assert "guarantor-balance-lapsed" not in entry["warnings"], case


def test_a_suit_filed_within_the_period_may_have_claimed_the_balance(tmp_path, policy, monkeypatch) -> None:
    # docgen's notices asked the overdue amounts before maturity; the bank sued on 2027-01-10, inside the
    # guarantee period: the suit naming the guarantors may have claimed the whole balance. Nothing is said.
    serials_taken_on(monkeypatch, AS_OF + DAY)
    _called_before_maturity(tmp_path, policy, _loan())
    sued = _loan(guarantor_demanded=AS_OF, last_interruption=AS_OF, litigation="已起诉",
                 litigation_filed=dt.date(2027, 1, 10))
    entry = _plan_json(tmp_path, sued, LAPSED)
    assert entry["guarantee"]["liable"] and "guarantor-balance-lapsed" not in entry["warnings"]
    # Filed after the period ended, the suit came too late to claim anything of the guarantors.
    late = _loan(guarantor_demanded=AS_OF, last_interruption=AS_OF, litigation="已起诉", litigation_filed=LAPSED)
    assert "guarantor-balance-lapsed" in _plan_json(tmp_path, late, LAPSED)["warnings"]


def _Dated(dates: dict[str, dt.date]) -> DatedKeys:
    """A register's keys with the dates its letters bear and were issued on (as ``letters.IssuedKeys``)."""
    return DatedKeys(set(dates), dates, dates)


def test_only_a_notice_dated_before_the_balance_fell_due_shows_it_was_never_asked(policy) -> None:
    loan = _loan(guarantors=["钱七"], guarantor_demanded=AS_OF, last_interruption=AS_OF)
    notice = letter_key(loan, "guarantor-demand", "钱七")
    lapsed = {}
    for day in (MATURITY - DAY, MATURITY):
        (entry,) = build_plan([loan], LAPSED, policy, issued=_Dated({notice: day})).entries
        lapsed[day] = "guarantor-balance-lapsed" in entry.warnings
    # On the day of maturity a demand can claim the whole balance due that day.
    assert lapsed == {MATURITY - DAY: True, MATURITY: False}
    # A notice whose date cannot be read (gone, altered, made again) shows nothing.
    (entry,) = build_plan([loan], LAPSED, policy, issued=frozenset({notice})).entries
    assert "guarantor-balance-lapsed" not in entry.warnings


def test_a_declared_loan_gives_both_ends_of_the_period_that_lapsed(policy) -> None:
    # Declared due early by docgen's letter of 2026-12-10 (maturity 2027-11-30), the guarantor asked on
    # 2026-11-29 for the overdue amounts: counted from the declaration the period ended 2027-06-10, from
    # maturity 2028-05-30; past both, the warning gives both.
    loan = _loan(guarantors=["钱七"], maturity=dt.date(2027, 11, 30), accelerated=True,
                 guarantor_demanded=AS_OF + 2 * DAY, last_interruption=AS_OF)
    dates = {letter_key(loan): AS_OF, letter_key(loan, declaring=True): dt.date(2026, 12, 10),
             letter_key(loan, "guarantor-demand", "钱七"): AS_OF + DAY}
    as_of = dt.date(2028, 6, 1)
    (entry,) = build_plan([loan], as_of, policy, issued=_Dated(dates)).entries
    (notice,) = [n for n in entry.notices if n.code == "guarantor-balance-lapsed"]
    assert notice.message == ("贷款已宣布提前到期（催收函于2026-12-10出具），此前（2026-11-29）以保证人履行保证责任通知书"
                              "向保证人钱七主张的仅为当时逾期的款项，保证期间已于2028-05-30届满（自宣布提前到期起算则已于"
                              "2027-06-10届满），其间未向其发出主张提前到期的全部贷款余额的通知：如无其他在保证期间内主张"
                              "全部余额的凭证（如对保证人的起诉），保证人对其余部分可能不再承担保证责任（《民法典》第六百"
                              "九十三条第二款）；请核实并经法律审查")
    assert notice.message_en == (
        "the loan was declared due early (letter of 2026-12-10); the guarantor notice of 2026-11-29 asked guarantors "
        "钱七 only for the amounts overdue then, and the guarantee period ended on 2028-05-30 (counted from the "
        "declaration, on 2027-06-10) with no notice claiming the whole balance declared due sent to them: unless "
        "other evidence shows the whole balance was claimed within the period (such as a suit against the "
        "guarantors), they may no longer be liable for the rest (Civil Code art. 693 para. 2); verify this and have "
        "it reviewed by legal counsel")
    # Dated on or after the declaring letter, the notice may have asked the balance declared due.
    dates[letter_key(loan, "guarantor-demand", "钱七")] = dt.date(2026, 12, 10)
    (entry,) = build_plan([loan], as_of, policy, issued=_Dated(dates)).entries
    assert "guarantor-balance-lapsed" not in entry.warnings


def test_a_demand_the_ledger_dates_once_the_balance_fell_due_may_have_asked_it(policy) -> None:
    # docgen's notice of 2026-11-29 asked the overdue amounts; the ledger's 向保证人主张日 is a later demand,
    # made once the balance fell due (at maturity, 2026-12-01, or by docgen's declaring letter): it may have
    # asked the whole balance within the period, and nothing shows the guarantor was discharged of it.
    loan = _loan(guarantors=["钱七"], last_interruption=AS_OF)
    notice = letter_key(loan, "guarantor-demand", "钱七")
    lapsed = {}
    for day in (MATURITY - DAY, MATURITY, dt.date(2027, 1, 5)):
        (entry,) = build_plan([replace(loan, guarantor_demanded=day)], LAPSED, policy,
                              issued=_Dated({notice: AS_OF + DAY})).entries
        lapsed[day] = "guarantor-balance-lapsed" in entry.warnings
    assert lapsed == {MATURITY - DAY: True, MATURITY: False, dt.date(2027, 1, 5): False}
    # Declared by docgen's letter of 2026-12-10: a demand on or after that day may have asked the balance.
    declared = _loan(guarantors=["钱七"], maturity=dt.date(2027, 11, 30), accelerated=True, last_interruption=AS_OF)
    dates = {letter_key(declared): AS_OF, letter_key(declared, declaring=True): dt.date(2026, 12, 10),
             letter_key(declared, "guarantor-demand", "钱七"): AS_OF + DAY}
    lapsed = {}
    for day in (dt.date(2026, 12, 9), dt.date(2026, 12, 10)):
        (entry,) = build_plan([replace(declared, guarantor_demanded=day)], dt.date(2028, 6, 1), policy,
                              issued=_Dated(dates)).entries
        lapsed[day] = "guarantor-balance-lapsed" in entry.warnings
    assert lapsed == {dt.date(2026, 12, 9): True, dt.date(2026, 12, 10): False}


def test_a_loan_declared_by_no_letter_of_docgens_never_says_the_balance_lapsed(policy) -> None:
    # Flagged 宣布提前到期, the register holding no declaring letter: the bank declared it otherwise, the balance
    # falling due on a day no record holds, and the ledger's demand of 2026-06-15 may have asked it, though
    # docgen's notice of 2026-05-01 asked the overdue amounts only.
    loan = _loan(days=250, guarantors=["钱七"], accelerated=True, guarantor_demanded=dt.date(2026, 6, 15),
                 last_interruption=dt.date(2026, 6, 15))
    issued = _Dated({letter_key(loan, "guarantor-demand", "钱七"): dt.date(2026, 5, 1)})
    (entry,) = build_plan([loan], LAPSED, policy, issued=issued).entries
    assert entry.guarantee.liable and "guarantor-balance-lapsed" not in entry.warnings
    # Not flagged, the balance fell due at maturity (2026-12-01) after both: the warning stands.
    (entry,) = build_plan([replace(loan, accelerated=False)], LAPSED, policy, issued=issued).entries
    assert "guarantor-balance-lapsed" in entry.warnings


@pytest.mark.parametrize("litigation", ["执行中", "已起诉", "已判决", "已撤诉", "已结案"])
def test_a_suit_whose_date_the_ledger_leaves_blank_may_have_claimed_the_balance(policy, litigation) -> None:
    # In court (or once), 起诉日期 blank: the suit may have been filed within the guarantee period and have
    # claimed the balance of the guarantor; nothing shows it was never asked.
    loan = _loan(guarantors=["钱七"], guarantor_demanded=AS_OF, last_interruption=AS_OF)
    issued = _Dated({letter_key(loan, "guarantor-demand", "钱七"): AS_OF + DAY})
    (entry,) = build_plan([replace(loan, litigation=litigation)], LAPSED, policy, issued=issued).entries
    assert "guarantor-balance-lapsed" not in entry.warnings
    (entry,) = build_plan([loan], LAPSED, policy, issued=issued).entries  # no suit: the warning stands
    assert "guarantor-balance-lapsed" in entry.warnings
