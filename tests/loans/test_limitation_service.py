"""A demand letter dated on or just before the limitation deadline: its service interrupts the
period only if it comes before the period ends (《民法典》第一百九十五条), so within the policy's
service margin the letter says so as a condition, and the plan and `collect letters` ask for
service in person, signed for, by that day. Re-read from the Word files."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from collect_helpers import AS_OF, issue_letters, make_loan, plan_and_letters, policy_in, written

from docgen.core.errors import InputError
from docgen.loans.plan import build_plan, load_policy

D = dt.date
UNCONDITIONAL = "本函送达即构成我行向贵方提出履行请求，上述债权的诉讼时效自本函送达之日起中断并重新计算。"
CONDITIONAL = ("本函送达即构成我行向贵方提出履行请求；本函在诉讼时效期间届满前送达的，上述债权的诉讼时效自本函送达之日起"
               "中断并重新计算。")


def _loan(days_left: int):
    """A loan whose claim fell due at maturity and whose three years end ``days_left`` days after AS_OF."""
    maturity = D(2023, 11, 28) + dt.timedelta(days=days_left)
    return make_loan("JJ0001", days=1097 - days_left, maturity=maturity, disbursed_on=D(2021, 11, 28),
                     balance=Decimal("20000"))


def _letter(tmp_path: Path, policy, loan):
    result = issue_letters(tmp_path, policy, [loan])
    assert len(result.written) == 1
    return written(result, "demand-letter")


@pytest.mark.parametrize("days_left", [0, 1, 15])
def test_inside_the_margin_the_interruption_is_conditional_and_service_in_person_is_asked(
        tmp_path: Path, days_left: int) -> None:
    policy = policy_in(tmp_path)
    loan = _loan(days_left)
    deadline = (AS_OF + dt.timedelta(days=days_left)).isoformat()
    (entry,) = build_plan([loan], AS_OF, policy).entries
    assert entry.limitation_deadline.isoformat() == deadline and not entry.time_barred
    (notice,) = [n for n in entry.notices if n.code == "demand-letter-serve-by"]
    assert notice.facts == {"deadline": deadline}
    assert f"诉讼时效将于{deadline}届满：催收函须于该日（含当日）前直接送达借款人，并由其在送达回证上签收" in notice.message
    letter, text = _letter(tmp_path, policy, loan)
    assert letter.document == "demand-letter"
    assert CONDITIONAL in text and UNCONDITIONAL not in text
    assert deadline not in text and "届满之日" not in text  # the borrower is not told the day
    assert letter.facts == {"serve_by": deadline}
    assert letter.next_step.startswith(f"诉讼时效将于{deadline}届满：请于该日（含当日）前直接送达本函，并由借款人在送达回证上签收")
    assert letter.to_dict()["next_step"] == letter.next_step


def test_past_the_margin_the_letter_says_service_interrupts_the_period(tmp_path: Path) -> None:
    policy = policy_in(tmp_path)
    loan = _loan(16)
    (entry,) = build_plan([loan], AS_OF, policy).entries
    assert "demand-letter-serve-by" not in entry.warnings and "limitation-near" in entry.warnings
    letter, text = _letter(tmp_path, policy, loan)
    assert UNCONDITIONAL in text and "届满前送达的" not in text
    assert letter.facts == {} and letter.next_step is None


def test_a_letter_issued_before_the_margin_is_asked_to_be_served_in_time_without_being_called_conditional(
        tmp_path: Path) -> None:
    policy = policy_in(tmp_path)
    loan = _loan(10)
    letter, text = written(issue_letters(tmp_path, policy, [loan], AS_OF - dt.timedelta(days=10)), "demand-letter")
    again = issue_letters(tmp_path, policy, [loan])
    assert UNCONDITIONAL in text and letter.next_step is None
    (outcome,) = again.outcomes
    assert outcome.code == "issued-before" and outcome.facts == {"serve_by": "2026-12-08"}
    # The letter already says its service interrupts the period; the officer is not told it says so on a condition.
    assert outcome.next_step == ("诉讼时效将于2026-12-08届满：请于该日（含当日）前直接送达本函，并由借款人在送达回证上签收；"
                                 "届满后才送达的，不能中断诉讼时效（《民法典》第一百九十五条）。送达后请在台账"
                                 "“时效中断日”填写实际送达日、“中断事由”填写催收送达")


def test_a_barred_claim_still_gets_no_demand_letter(tmp_path: Path) -> None:
    policy = policy_in(tmp_path)
    result = issue_letters(tmp_path, policy, [_loan(-1)])
    assert [o.document for o in result.written] == ["debt-confirmation"]


def test_the_margin_is_the_policys(tmp_path: Path) -> None:
    none = policy_in(tmp_path / "zero", "  service_margin_days: 0\n")
    assert none.service_margin_days == 0
    assert CONDITIONAL in _letter(tmp_path / "a", none, _loan(0))[1]
    assert UNCONDITIONAL in _letter(tmp_path / "b", none, _loan(1))[1]
    wide = policy_in(tmp_path / "wide", "  service_margin_days: 30\n")
    assert CONDITIONAL in _letter(tmp_path / "c", wide, _loan(30))[1]


def test_the_margin_is_validated(tmp_path: Path) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text("letters: {service_margin_days: -3}\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_policy(path)
    assert str(info.value).startswith(f"{path}：letters.service_margin_days："), str(info.value)


def test_collect_letters_and_plan_tell_the_officer(tmp_path: Path) -> None:
    plan, letters, (outcome,) = plan_and_letters(tmp_path, [_loan(3)])
    assert "催收函须在时效届满前当面送达" in plan
    assert "诉讼时效将于2026-12-01届满：请于该日（含当日）前直接送达本函" in letters
    assert outcome["code"] == "issued-before" and outcome["facts"] == {"serve_by": "2026-12-01"}
    assert outcome["next_step"].startswith("诉讼时效将于2026-12-01届满")


#: A loan not yet matured: its instalments' one period runs from the last one's due date (《民法典》第一百八十九条),
#: so its letter states the interruption only for a period that has begun.
BEGUN = "本函送达即构成我行向贵方提出履行请求；上述债权的诉讼时效期间已经开始计算的，诉讼时效自本函送达之日起中断并重新计算。"
BEGUN_IN_TIME = ("本函送达即构成我行向贵方提出履行请求；上述债权的诉讼时效期间已经开始计算、本函在该期间届满前送达的，"
                 "诉讼时效自本函送达之日起中断并重新计算。")


@pytest.mark.parametrize("accelerated", [False, True])
def test_an_unmatured_loans_letter_interrupts_only_a_period_that_has_begun(tmp_path: Path, accelerated: bool) -> None:
    # Day 10, maturing 2027-11-30: the overdue instalments (or, declared due early, the balance).
    letter, text = _letter(tmp_path, policy_in(tmp_path), make_loan("JJ0001", days=10, accelerated=accelerated))
    assert ("我行现宣布上述贷款全部提前到期" in text) is accelerated
    assert BEGUN in text and UNCONDITIONAL not in text and CONDITIONAL not in text
    assert letter.facts == ({"declares_acceleration": True} if accelerated else {})


def test_an_unmatured_loans_letter_near_the_deadline_states_both_conditions(tmp_path: Path) -> None:
    # Overdue since 2023-12-03 (day 1) and maturing in 2030: the period the plan counts from the first
    # overdue day ends five days after the letter date.
    loan = make_loan("JJ0001", days=1097 - 5, maturity=D(2030, 11, 28), disbursed_on=D(2020, 11, 28),
                     balance=Decimal("20000"))
    assert loan.overdue_since == D(2023, 12, 3)
    letter, text = _letter(tmp_path, policy_in(tmp_path), loan)
    assert BEGUN_IN_TIME in text and BEGUN not in text and CONDITIONAL not in text
    assert letter.facts == {"serve_by": "2026-12-03"}
