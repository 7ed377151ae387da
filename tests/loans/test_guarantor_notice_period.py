"""The guarantor notice says of the guarantee period only what holds for its loan.

The guarantee period runs from the day the main debt's term of performance ends (《民法典》第六百九十二条:
the agreed period, or six months from then): a notice on a loan that has neither matured nor been
declared due early claims only the overdue instalments, on a day the period may not have begun. It
says it is a demand made before the period ends, which is what 第六百九十四条第二款 asks for the
limitation of the guarantee debt to run from the demand, and that limitation is that of the guarantee
of the amounts it claims. A notice on a matured loan, or on one declared due early, demands the whole
debt within the period, as before. The demand itself rests on 第六百八十八条第二款 (a debt due unpaid:
the creditor may call the joint guarantor within the guarantee), not on 第六百九十三条第二款, which
says what follows when no demand is made. Each notice is issued by ``make_letters`` and re-opened with
python-docx.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import docx
import pytest
from collect_helpers import AS_OF, issue_letters, make_loan, policy_in, serials_taken_on

DAY = dt.timedelta(days=1)
LAW = "依照《中华人民共和国民法典》第六百九十四条第二款的规定，"


def _cn(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _demand(letter_date: dt.date) -> str:
    return ("依照《中华人民共和国民法典》第六百八十八条第二款的规定及保证合同的约定，我行现请求贵方在保证范围内承担"
            f"连带保证责任，于{_cn(letter_date + 10 * DAY)}前代借款人清偿上述欠款。")


def _within(end: dt.date) -> str:
    return (f"本通知系我行在保证期间（至{_cn(end)}届满）内向贵方提出的承担保证责任的请求；{LAW}"
            "贵方保证债务的诉讼时效自本通知送达之日起计算。")


def _before(end: dt.date) -> str:
    return (f"本通知系我行在保证期间于{_cn(end)}届满前向贵方提出的承担保证责任的请求；{LAW}"
            "贵方就上述欠款所负保证债务的诉讼时效自本通知送达之日起计算。")


def _before_if_served(end: dt.date) -> str:
    return (f"本通知在保证期间于{_cn(end)}届满前送达贵方的，即为我行在保证期间届满前向贵方提出的承担保证责任的请求，"
            f"{LAW}贵方就上述欠款所负保证债务的诉讼时效自本通知送达之日起计算。")


@pytest.fixture()
def policy(tmp_path: Path):
    return policy_in(tmp_path / "policy")


def _notice(tmp_path: Path, policy, loan, *dates: dt.date) -> list[str]:
    """Run ``collect letters`` on each of ``dates`` in turn; return the paragraphs of the guarantor
    notice the last run wrote."""
    for day in dates:
        result = issue_letters(tmp_path, policy, [loan], day)
    (notice,) = [o for o in result.written if o.document == "guarantor-demand"]
    return [p.text for p in docx.Document(notice.file).paragraphs]


def _effect(paragraphs: list[str], letter_date: dt.date) -> str:
    (paragraph,) = [p for p in paragraphs if p.startswith("依照《中华人民共和国民法典》第六百八十八条")]
    assert paragraph.startswith(_demand(letter_date))
    return paragraph[len(_demand(letter_date)):]


def test_an_unmatured_loans_notice_is_a_demand_before_the_period_ends(tmp_path, policy) -> None:
    # Day 10 on AS_OF, maturing 2027-11-30, no agreed period: it ends six months after maturity, and
    # has not begun. The demand letter goes out first; the guarantor is called the next day.
    loan = make_loan("JJ0001", days=10, guarantors=["钱七"])
    later = AS_OF + DAY
    paragraphs = _notice(tmp_path, policy, loan, AS_OF, later)
    assert "借款人自2026年11月19日起未按合同约定归还到期贷款本息，已构成逾期。截至2026年11月29日，借款人尚欠我行到期款项如下：" \
        in paragraphs
    assert _effect(paragraphs, later) == _before(dt.date(2028, 5, 30))
    text = "".join(paragraphs)
    assert "保证期间（至" not in text and "保证期间内" not in text and "第六百九十三条" not in text


def test_an_unmatured_loans_notice_near_the_periods_end_is_conditional(tmp_path, policy) -> None:
    # Maturing three days after AS_OF, the agreed period ending ten days after it: within the service
    # margin, so the notice (issued with the demand letter, the guarantee lapsing soon) is conditional.
    end = AS_OF + 10 * DAY
    loan = make_loan("JJ0001", days=10, guarantors=["钱七"], maturity=AS_OF + 3 * DAY, guarantee_period_end=end)
    assert _effect(_notice(tmp_path, policy, loan, AS_OF), AS_OF) == _before_if_served(end)


def test_a_matured_loans_notice_is_a_demand_within_the_period(tmp_path, policy) -> None:
    # Matured 2026-10-19, 40 days overdue: the period (to 2027-04-19) runs; the whole balance is asked
    # the day after the demand letter.
    loan = make_loan("JJ0001", days=40, maturity=dt.date(2026, 10, 19), disbursed_on=dt.date(2024, 10, 19),
                     guarantors=["钱七"], balance=Decimal("206000"), overdue_principal=Decimal("61800"))
    later = AS_OF + DAY
    paragraphs = _notice(tmp_path, policy, loan, AS_OF, later)
    assert any(p.startswith("该笔贷款已于2026年10月19日到期") for p in paragraphs)
    assert _effect(paragraphs, later) == _within(dt.date(2027, 4, 19))


def test_a_notice_after_the_declaration_is_a_demand_within_the_period(tmp_path, policy, monkeypatch) -> None:
    # Declared due early by the demand letter on AS_OF; the guarantor is asked for the balance a week on.
    # The period is counted from the declaration (the letter's date, or the day its serial was taken if
    # earlier, here the same day): six months on, before the 2028-05-30 counted from maturity.
    serials_taken_on(monkeypatch, AS_OF)
    loan = make_loan("JJ0001", days=10, guarantors=["钱七"], accelerated=True)
    later = AS_OF + 7 * DAY
    paragraphs = _notice(tmp_path, policy, loan, AS_OF, later)
    assert any("宣布该笔贷款全部提前到期" in p for p in paragraphs)
    assert _effect(paragraphs, later) == _within(dt.date(2027, 5, 28))
