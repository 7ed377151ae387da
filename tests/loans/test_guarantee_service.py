"""A guarantor notice dated on or just before the end of the guarantee period: it keeps the joint
guarantor liable and starts the limitation of the guarantee claim only if it reaches the guarantor
within the period (《民法典》第六百九十三条第二款、第六百九十四条第二款), so within the policy's
service margin the notice states that effect as a condition, and the plan and `collect letters`
ask for service in person, signed for, by that day. Re-read from the Word files."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from collect_helpers import AS_OF, issue_letters, make_loan, plan_and_letters, policy_in, written

from docgen.loans.messages import MESSAGES
from docgen.loans.plan import build_plan

D = dt.date
LIMITATION = "依照《中华人民共和国民法典》第六百九十四条第二款的规定，贵方保证债务的诉讼时效自本通知送达之日起计算。"


def _cn(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _unconditional(end: dt.date) -> str:
    return f"本通知系我行在保证期间（至{_cn(end)}届满）内向贵方提出的承担保证责任的请求；" + LIMITATION


def _conditional(end: dt.date) -> str:
    return (f"本通知于保证期间（至{_cn(end)}届满）内送达贵方的，即为我行在保证期间内向贵方提出的承担保证责任的请求，"
            + LIMITATION)


def _loan(days_left: int):
    """A loan 40 days overdue, its claim years from barred, guaranteed jointly by 周八 until
    ``days_left`` days after AS_OF (agreed period)."""
    return make_loan("JJ0001", days=40, maturity=D(2026, 8, 20), disbursed_on=D(2024, 8, 20), guarantors=["周八"],
                     guarantee_period_end=AS_OF + dt.timedelta(days=days_left))


def _notice(tmp_path: Path, policy, loan, as_of: dt.date = AS_OF):
    return written(issue_letters(tmp_path, policy, [loan], as_of), "guarantor-demand")


@pytest.mark.parametrize("days_left", [0, 1, 15])
def test_inside_the_margin_the_notice_is_conditional_and_service_in_person_is_asked(
        tmp_path: Path, days_left: int) -> None:
    policy = policy_in(tmp_path)
    loan = _loan(days_left)
    end = AS_OF + dt.timedelta(days=days_left)
    (entry,) = build_plan([loan], AS_OF, policy).entries
    assert entry.guarantee.liable and entry.guarantee.period_end == end
    (warning,) = [n for n in entry.notices if n.code == "guarantor-demand-serve-by"]
    assert warning.facts == {"deadline": end.isoformat(), "guarantors": "周八"}
    assert warning.message.startswith(f"保证期间将于{end.isoformat()}届满：保证人履行保证责任通知书须于该日（含当日）前"
                                      "直接送达保证人周八，并由其在送达回证上签收")
    notice, text = _notice(tmp_path, policy, loan)
    assert _conditional(end) in text and "本通知系我行" not in text
    # The notice names the period's end, as it always did, and tells the guarantor nothing more.
    assert text.count(f"至{_cn(end)}届满") == 1 and "不再承担" not in text and "届满后" not in text
    assert notice.facts == {"deadline": end.isoformat(), "ledger_column": "向保证人主张日",
                            "serve_by": end.isoformat()}
    assert notice.next_step.startswith(f"保证期间将于{end.isoformat()}届满：请于该日（含当日）前直接送达本通知，"
                                       "并由保证人在送达回证上签收")
    assert notice.next_step.endswith("送达后请在台账“向保证人主张日”填写实际送达日")
    assert notice.to_dict()["next_step"] == notice.next_step


def test_past_the_margin_the_notice_states_its_effect(tmp_path: Path) -> None:
    policy = policy_in(tmp_path)
    loan = _loan(16)
    end = AS_OF + dt.timedelta(days=16)
    (entry,) = build_plan([loan], AS_OF, policy).entries
    assert "guarantor-demand-serve-by" not in entry.warnings and "guarantee-near" in entry.warnings
    notice, text = _notice(tmp_path, policy, loan)
    assert _unconditional(end) in text and "内送达贵方的" not in text
    assert notice.facts == {"deadline": end.isoformat(), "ledger_column": "向保证人主张日"}
    assert notice.next_step == MESSAGES.text("guarantor-demand-next", notice.facts)


def test_a_notice_issued_before_the_margin_is_asked_to_be_served_in_time(tmp_path: Path) -> None:
    policy = policy_in(tmp_path)
    loan = _loan(10)
    end = AS_OF + dt.timedelta(days=10)
    notice, text = _notice(tmp_path, policy, loan, AS_OF - dt.timedelta(days=10))
    assert _unconditional(end) in text and "serve_by" not in notice.facts
    (outcome,) = [o for o in issue_letters(tmp_path, policy, [loan]).outcomes if o.document == "guarantor-demand"]
    assert outcome.code == "issued-before" and outcome.facts["serve_by"] == end.isoformat()
    # The notice written earlier states its effect outright; the officer is only told to serve it in time.
    assert outcome.next_step.startswith(f"保证期间将于{end.isoformat()}届满：请于该日（含当日）前直接送达本通知")
    assert outcome.next_step == (f"保证期间将于{end.isoformat()}届满：请于该日（含当日）前直接送达本通知，并由保证人在送达回证上签收；"
                                 "届满后才送达的，保证人不再承担保证责任（《民法典》第六百九十三条第二款）。"
                                 "送达后请在台账“向保证人主张日”填写实际送达日")


def test_a_lapsed_guarantee_gets_no_notice(tmp_path: Path) -> None:
    policy = policy_in(tmp_path)
    loan = _loan(-1)
    (entry,) = build_plan([loan], AS_OF, policy).entries
    assert "guarantee-expired" in entry.warnings and "guarantor-demand-serve-by" not in entry.warnings
    result = issue_letters(tmp_path, policy, [loan])
    assert [o.document for o in result.written] == ["demand-letter"]


def test_a_guarantor_already_called_on_gets_no_warning(tmp_path: Path) -> None:
    policy = policy_in(tmp_path)
    loan = make_loan("JJ0001", days=40, maturity=D(2026, 8, 20), disbursed_on=D(2024, 8, 20), guarantors=["周八"],
                     guarantee_period_end=AS_OF + dt.timedelta(days=3), guarantor_demanded=AS_OF - dt.timedelta(days=5))
    (entry,) = build_plan([loan], AS_OF, policy).entries
    assert entry.guarantee.liable and entry.guarantee.preserved == "demand"
    assert "guarantor-demand-serve-by" not in entry.warnings


def test_the_margin_is_the_policys(tmp_path: Path) -> None:
    none = policy_in(tmp_path / "zero", "  service_margin_days: 0\n")
    assert _conditional(AS_OF) in _notice(tmp_path / "a", none, _loan(0))[1]
    assert _unconditional(AS_OF + dt.timedelta(days=1)) in _notice(tmp_path / "b", none, _loan(1))[1]
    wide = policy_in(tmp_path / "wide", "  service_margin_days: 30\n")
    assert _conditional(AS_OF + dt.timedelta(days=30)) in _notice(tmp_path / "c", wide, _loan(30))[1]


def test_collect_letters_and_plan_tell_the_officer(tmp_path: Path) -> None:
    end = (AS_OF + dt.timedelta(days=3)).isoformat()
    plan, letters, outcomes = plan_and_letters(tmp_path, [_loan(3)])
    assert "保证人通知书须在保证期间届满前当面送达" in plan
    assert f"保证期间将于{end}届满：请于该日（含当日）前直接送达本通知" in letters
    (outcome,) = [o for o in outcomes if o["document"] == "guarantor-demand"]
    assert outcome["code"] == "issued-before" and outcome["facts"]["serve_by"] == end
    assert outcome["next_step"].startswith(f"保证期间将于{end}届满")
