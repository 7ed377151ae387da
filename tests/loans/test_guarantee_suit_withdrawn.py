"""A general guarantee is not kept by a suit against the debtor that was withdrawn.

A general guarantee (一般保证) is kept by a suit (or arbitration) against the debtor within the guarantee
period (《民法典》第六百九十三条第一款); a creditor who sued within the period, withdrew the suit and did not
sue again before the period ended no longer holds the guarantor liable (《最高人民法院关于适用〈中华人民共和国
民法典〉有关担保制度的解释》第三十一条第一款). The ledger's 诉讼状态 已撤诉 keeps its 起诉日期: the plan treats the
guarantee as if no suit had been filed, says why, and proposes the new suit; a discharged guarantor is named
in no letter. A suit still pending keeps the guarantee; a joint guarantee (kept by the demand on the
guarantor) is not touched. The example: matured 2026-03-31 with no agreed period (the period ends
2026-09-30), sued 2026-04-15, the suit withdrawn.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from collect_helpers import AS_OF, issue_letters, make_loan, policy_in, written

from docgen.loans.limitation import guarantee_status
from docgen.loans.plan import build_plan, letter_key, load_policy

D = dt.date
MATURITY, FILED, PERIOD_END = D(2026, 3, 31), D(2026, 4, 15), D(2026, 9, 30)
#: Before the period's end, inside the 90-day warning window; AS_OF (2026-11-28) is after it.
BEFORE = D(2026, 8, 1)
ART31 = "《最高人民法院关于适用〈中华人民共和国民法典〉有关担保制度的解释》第三十一条第一款"


def _loan(as_of: dt.date = AS_OF, litigation: str = "已撤诉", kind: str = "一般保证", **fields):
    fields.setdefault("litigation_filed", FILED)
    return make_loan("JJ0031", days=None, as_of=as_of, overdue_since=MATURITY + dt.timedelta(days=1),
                     maturity=MATURITY, guarantors=["李四"], guarantee_type=kind, litigation=litigation, **fields)


def _entry(loan, as_of: dt.date):
    (entry,) = build_plan([loan], as_of, load_policy()).entries
    return entry


def test_a_withdrawn_suit_keeps_no_general_guarantee_a_pending_one_does() -> None:
    pending = guarantee_status(_loan(litigation="已起诉"), AS_OF)
    assert (pending.liable, pending.preserved, pending.deadline) == (True, "suit", None)
    lost = guarantee_status(_loan(), AS_OF)
    assert (lost.liable, lost.preserved, lost.period_end, lost.withdrawn) == (False, "", PERIOD_END, FILED)
    assert lost.reason == "起诉债务人后已撤诉，保证期间届满前未再行起诉或申请仲裁"
    # Before the end the guarantee stands as if never kept: the debtor is to be sued again.
    open_ = guarantee_status(_loan(BEFORE), BEFORE)
    assert (open_.liable, open_.preserved, open_.deadline, open_.needs_suit) == (True, "", PERIOD_END, True)
    assert guarantee_status(_loan(BEFORE), PERIOD_END).liable
    assert not guarantee_status(_loan(BEFORE), PERIOD_END + dt.timedelta(days=1)).liable


def test_the_plan_warns_a_withdrawn_suit_lost_the_general_guarantee() -> None:
    entry = _entry(_loan(), AS_OF)
    assert not entry.guarantee.liable and entry.liable_guarantors == []
    assert "guarantee-expired" in entry.warnings and entry.urgent_date == PERIOD_END
    (notice,) = [n for n in entry.notices if n.code == "guarantee-expired"]
    assert notice.message == ("保证期间已于2026-09-30届满：2026-04-15对债务人提起的诉讼已撤回，保证期间届满前未再行起诉或"
                              f"申请仲裁，保证人李四不再承担保证责任（{ART31}）")
    assert "withdrawn" in notice.message_en and "art. 31 para. 1" in notice.message_en
    item = entry.to_dict()["guarantee"]
    assert (item["liable"], item["preserved"]) == (False, None)
    # The same row with the suit pending: kept, nothing to warn of.
    pending = _entry(_loan(litigation="已起诉"), AS_OF)
    assert pending.guarantee.preserved == "suit" and pending.liable_guarantors == ["李四"]
    assert not any(code.startswith("guarantee") for code in pending.warnings)


def test_before_the_end_the_plan_asks_for_a_new_suit_at_once() -> None:
    entry = _entry(_loan(BEFORE), BEFORE)
    assert entry.guarantee.liable and entry.guarantee.needs_suit
    assert "guarantee-near" in entry.warnings and entry.urgent_date == PERIOD_END
    (notice,) = [n for n in entry.notices if n.code == "guarantee-near"]
    assert notice.message == ("保证期间将于2026-09-30届满：2026-04-15对债务人提起的诉讼已撤回，不能保全保证责任，须在此前"
                              f"再次对债务人提起诉讼或申请仲裁，否则保证人不再承担保证责任（{ART31}）")
    assert notice.facts["withdrawn"] == "2026-04-15"
    assert "sue the debtor again" in notice.message_en
    # The demand letter issued, the suit is the next action, due now: the guarantee lapses on 2026-09-30.
    issued = frozenset({letter_key(entry.loan)})
    (called,) = build_plan([_loan(BEFORE)], BEFORE, load_policy(), issued=issued).entries
    assert (called.next_action, called.next_action_due) == ("legal-action", BEFORE)
    # A general guarantee never sued is warned alike, without the withdrawal.
    never = _entry(_loan(BEFORE, litigation="未起诉", litigation_filed=None), BEFORE)
    (plain,) = [n for n in never.notices if n.code == "guarantee-near"]
    assert plain.message == "保证期间将于2026-09-30届满，须在此前对债务人提起诉讼或申请仲裁" and "withdrawn" not in plain.facts


def test_a_joint_guarantee_is_not_touched_by_a_withdrawn_suit() -> None:
    # Kept by the demand on the guarantor: the withdrawn suit against the debtor changes nothing.
    joint = guarantee_status(_loan(kind="连带责任保证", guarantor_demanded=D(2026, 5, 10)), AS_OF)
    assert (joint.liable, joint.preserved, joint.withdrawn) == (True, "demand", None)
    # Never demanded: lost by the period's end, for want of a demand, not because of the suit.
    lapsed = guarantee_status(_loan(kind="连带责任保证"), AS_OF)
    assert (lapsed.liable, lapsed.reason, lapsed.withdrawn) == (False, "保证期间内未向保证人主张", None)
    # The general guarantee of the same row is lost by the withdrawal.
    assert guarantee_status(_loan(guarantor_demanded=D(2026, 5, 10)), AS_OF).liable is False


def test_a_suit_filed_after_the_period_and_withdrawn_is_a_suit_too_late() -> None:
    late = guarantee_status(_loan(litigation_filed=D(2026, 10, 8)), AS_OF)
    assert (late.liable, late.withdrawn, late.reason) == (False, None, "保证期间内未对债务人提起诉讼或申请仲裁")


def test_no_letter_names_a_general_guarantor_a_withdrawn_suit_discharged(tmp_path: Path) -> None:
    policy = policy_in(tmp_path / "policy")
    lost = issue_letters(tmp_path / "after", policy, [_loan()])
    assert [o.document for o in lost.written] == ["demand-letter"]
    _, text = written(lost, "demand-letter")
    assert "李四" not in text and "保证人" not in text
    # Before the period's end the guarantor is still liable and the letter says the bank may call on it.
    still = issue_letters(tmp_path / "before", policy, [_loan(BEFORE)], BEFORE)
    _, text = written(still, "demand-letter")
    assert "二、要求保证人李四依照保证合同承担保证责任；" in text.splitlines()
