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

import pytest
from collect_helpers import AS_OF, issue_letters, make_loan, policy_in, written
from test_plan_golden import DatedKeys

from docgen.loans.limitation import guarantee_status
from docgen.loans.plan import build_plan, letter_key, load_policy, plan_entry

D = dt.date
MATURITY, FILED, PERIOD_END = D(2026, 3, 31), D(2026, 4, 15), D(2026, 9, 30)
#: Before the period's end, inside the 90-day warning window; AS_OF (2026-11-28) is after it.
BEFORE = D(2026, 8, 1)
ART31 = "《最高人民法院关于适用〈中华人民共和国民法典〉有关担保制度的解释》第三十一条第一款"
ART31_EN = "the Supreme People's Court's Interpretation on the Guarantee System under the Civil Code, art. 31 para. 1"


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
    assert notice.message == ("2026-04-15对债务人提起的诉讼已撤回，须在2026-09-30前再行提起诉讼或申请仲裁，否则保证人不再"
                              f"承担保证责任（{ART31}）")
    assert notice.facts["withdrawn"] == "2026-04-15"
    assert notice.message_en == (
        "the suit against the debtor filed on 2026-04-15 was withdrawn: sue the debtor again or apply for arbitration "
        f"before 2026-09-30, or the guarantors are discharged ({ART31_EN})")
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


#: Declared due early: the letters of these dates (make_loan's maturity 2027-11-30, its period ending 2028-05-30).
DECLARED_PAST, DECLARED_NEAR, DECLARED_FAR = D(2026, 1, 20), D(2026, 6, 1), D(2026, 11, 20)
LATE = D(2028, 5, 30)


def _declared(declared: dt.date, filed: dt.date, as_of: dt.date = AS_OF):
    """Return the plan entry on ``as_of`` of a loan under a general guarantee declared due early by a letter
    of ``declared``, its suit against the debtor filed on ``filed`` and withdrawn."""
    loan = make_loan("JJ0032", days=30, as_of=as_of, guarantors=["李四"], guarantee_type="一般保证", accelerated=True,
                     litigation="已撤诉", litigation_filed=filed)
    key = letter_key(loan, declaring=True)
    return plan_entry(loan, as_of, load_policy(), DatedKeys({key, letter_key(loan)}, {}, {key: declared}))


def _told(entry) -> list[str]:
    """Return the codes of ``entry``'s warnings that tell the suit was withdrawn (in Chinese and English alike)."""
    zh = [n.code for n in entry.notices if "诉讼已撤回" in n.message]
    assert zh == [n.code for n in entry.notices if "withdrawn" in n.message_en]
    return zh


def test_the_disputed_period_is_worded_from_a_suit_withdrawn_inside_it() -> None:
    # Declared due early 2026-01-20: the period from then ended 2026-07-20, the one from maturity ends
    # 2028-05-30. The suit of 2026-03-01 lay inside the first and was withdrawn: the warning says so in
    # place of "nothing was done in it", once, and adds no second sentence on it.
    entry = _declared(DECLARED_PAST, D(2026, 3, 1))
    assert entry.guarantee.disputed_end == D(2026, 7, 20) and entry.guarantee.period_end == LATE
    (notice,) = [n for n in entry.notices if n.code == "guarantee-disputed"]
    assert notice.message == (
        "贷款已宣布提前到期（催收函于2026-01-20出具），自宣布提前到期起算的保证期间已于2026-07-20届满，其间于2026-03-01"
        f"对债务人提起的诉讼已撤回，未再行提起诉讼或申请仲裁（{ART31}）；自原到期日起算则至2028-05-30届满。保证人李四"
        "是否仍承担保证责任有争议：仍须在2028-05-30前对债务人提起诉讼或申请仲裁，并经法律审查")
    assert notice.message_en == (
        "the loan was declared due early (letter of 2026-01-20): the guarantee period counted from then ended on "
        f"2026-07-20, the suit against the debtor filed in it on 2026-03-01 withdrawn and none filed again ({ART31_EN}); "
        "counted from the original maturity it ends on 2028-05-30. Whether guarantors 李四 are still liable is "
        "disputed: act before 2028-05-30 all the same, and have it reviewed by legal counsel")
    assert _told(entry) == ["guarantee-disputed"]


def test_a_suit_withdrawn_between_the_two_ends_is_told_after_the_disputed_period() -> None:
    # Filed after the period counted from the declaration ended: nothing was done in that one, and the
    # suit, withdrawn, does not keep the guarantee in the period counted from maturity either.
    entry = _declared(DECLARED_PAST, D(2026, 9, 1))
    (notice,) = [n for n in entry.notices if n.code == "guarantee-disputed"]
    assert notice.message.endswith(
        "其间未对债务人提起诉讼或申请仲裁；自原到期日起算则至2028-05-30届满。保证人李四是否仍承担保证责任有争议："
        "仍须在2028-05-30前对债务人提起诉讼或申请仲裁，并经法律审查；2026-09-01对债务人提起的诉讼已撤回，未再行起诉的，"
        f"不产生在保证期间内起诉的效果（{ART31}）")
    assert notice.message_en.endswith(
        "have it reviewed by legal counsel; the suit against the debtor filed on 2026-09-01 was withdrawn: unless the "
        f"debtor is sued again, it does not keep the guarantee ({ART31_EN})")
    assert _told(entry) == ["guarantee-disputed"]


def test_the_accelerated_period_tells_a_suit_withdrawn_where_no_guarantee_near_does() -> None:
    # Declared 2026-11-20: the period ends 2027-05-20, past the 90-day window: guarantee-accelerated tells it.
    entry = _declared(DECLARED_FAR, D(2026, 11, 25))
    assert "guarantee-near" not in entry.warnings
    (notice,) = [n for n in entry.notices if n.code == "guarantee-accelerated"]
    assert notice.message == (
        "贷款已宣布提前到期（催收函于2026-11-20出具）：保证期间自宣布提前到期起算6个月，至2027-05-20届满，早于自原到期日"
        "起算的2028-05-30，以较早者为准（《民法典》第六百九十二条），须在2027-05-20前对债务人提起诉讼或申请仲裁；"
        f"2026-11-25对债务人提起的诉讼已撤回，未再行起诉的，不产生在保证期间内起诉的效果（{ART31}）")
    assert notice.message_en.endswith(
        "act by the earlier (Civil Code art. 692); the suit against the debtor filed on 2026-11-25 was withdrawn: "
        f"unless the debtor is sued again, it does not keep the guarantee ({ART31_EN})")
    assert "keeps nothing" not in notice.message_en and "保全" not in notice.message


@pytest.mark.parametrize(("declared", "filed", "as_of", "told"), [
    # Declared 2026-06-01, the period ends 2026-12-01, inside the window: guarantee-near, not guarantee-accelerated.
    (DECLARED_NEAR, D(2026, 6, 20), AS_OF, "guarantee-near"),
    # Past the period from the declaration, inside the window before the one from maturity: guarantee-near,
    # unless the suit lay inside the period from the declaration, which guarantee-disputed words from it.
    (DECLARED_PAST, D(2026, 9, 1), D(2028, 4, 1), "guarantee-near"),
    (DECLARED_PAST, D(2026, 3, 1), D(2028, 4, 1), "guarantee-disputed"),
])
def test_a_suit_withdrawn_is_told_by_one_warning_of_the_entry(declared, filed, as_of, told) -> None:
    entry = _declared(declared, filed, as_of)
    assert "guarantee-near" in entry.warnings
    assert {"guarantee-accelerated", "guarantee-disputed"} & set(entry.warnings)
    assert _told(entry) == [told]
    assert [n.code for n in entry.notices if "withdrawn" in n.facts] == [told]


def test_the_plan_json_gives_the_suit_withdrawn_where_no_warning_does() -> None:
    # Before the warning window opens (the period ends 2026-09-30, 90 days after 2026-07-02), no warning
    # says why the guarantee is not kept: guarantee.withdrawn does.
    as_of = D(2026, 5, 1)
    entry = _entry(_loan(as_of), as_of)
    assert not any(code.startswith("guarantee") for code in entry.warnings)
    item = entry.to_dict()["guarantee"]
    assert (item["preserved"], item["reason"], item["withdrawn"]) == (None, None, "2026-04-15")
    assert _entry(_loan(as_of, litigation="已起诉"), as_of).to_dict()["guarantee"]["withdrawn"] is None
    assert _entry(_loan(), AS_OF).to_dict()["guarantee"]["withdrawn"] == "2026-04-15"
