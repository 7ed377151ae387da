"""A loan in court whose joint guarantee lapses soon: its guarantors are called on all the same.

A joint guarantor is discharged unless the creditor claims against that guarantor within the guarantee
period (《民法典》第六百九十三条第二款): a suit against the borrower alone keeps no joint guarantor liable.
The plan puts the guarantor notice first (``guarantor-demand``, due at once); ``collect letters`` writes
no demand letter to the borrower (the court case collects it) but the notice to each liable guarantor
not yet asked, in the words of a loan in court (``in_court``: nothing is said of the limitation of what
was claimed in court), and a second run issues nothing new. Re-read from the Word files.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import docx
import pytest
from collect_helpers import AS_OF, make_loan, plan_and_letters, policy_in, resident_id

from docgen.loans.plan import build_plan

#: Matured 2026-07-31, no agreed period, nobody asked: the guarantee period ends 2027-01-31, inside the
#: 90-day warning window of AS_OF (2026-11-28), outside its 15-day service margin. The borrower alone
#: was sued on 2026-10-15.
MATURITY = dt.date(2026, 7, 31)
PERIOD_END = "2027年1月31日"


def _loan():
    return make_loan("JJ0009", days=120, maturity=MATURITY, guarantors=["钱七", "孙八"],
                     guarantor_ids=(resident_id(7), resident_id(8)),
                     litigation="已起诉", litigation_filed=dt.date(2026, 10, 15))


@pytest.fixture()
def policy(tmp_path: Path):
    return policy_in(tmp_path / "policy")


def test_the_plan_calls_on_the_guarantors_of_a_loan_in_court_at_once(policy) -> None:
    (entry,) = build_plan([_loan()], AS_OF, policy).entries
    assert entry.loan.in_litigation and entry.guarantee.needs_demand
    assert entry.guarantee.period_end == dt.date(2027, 1, 31)
    assert entry.next_action == "guarantor-demand" and entry.next_action_due == AS_OF
    assert entry.balance_guarantors == [] and "guarantee-near" in entry.warnings


def test_a_loan_in_court_whose_guarantee_lapses_soon_has_its_guarantors_called(tmp_path) -> None:
    plan, letters, again = plan_and_letters(tmp_path, [_loan()])
    # The plan's next step: call on the guarantors today, the guarantee period ending soon.
    (row,) = [line for line in plan.splitlines() if line.startswith("JJ0009")]
    assert "向担保人催收  2026-11-28" in row and "2027-01-31" in row and "保证期间即将届满" in row

    assert "诉讼状态为已起诉，由诉讼程序处理，不发催收函" in letters
    notices = sorted((tmp_path / "out" / "保证人通知书").glob("*.docx"))
    assert [path.name.split("_")[1] for path in notices] == ["钱七", "孙八"]
    assert not list((tmp_path / "out").glob("*.docx"))  # no demand letter to the borrower
    paragraphs = [p.text for p in docx.Document(notices[0]).paragraphs]
    cells = [cell.text for table in docx.Document(notices[0]).tables for row in table.rows for cell in row.cells]
    assert f"钱七（证件号码：{resident_id(7)}）：" in paragraphs
    assert "该笔贷款已于2026年7月31日到期，借款人未按约归还，自2026年8月1日起已构成逾期。截至2026年11月28日，借款人尚欠我行款项如下：" \
        in paragraphs
    assert ["贷款本金余额", "420,000.00", "欠息", "1,523.45"] == cells[2:6]
    assert ["合计", "446,723.45"] == cells[8:10]
    effect = ("依照《中华人民共和国民法典》第六百八十八条第二款的规定及保证合同的约定，我行现请求贵方在保证范围内承担连带保证责任，"
              f"于2026年12月8日前代借款人清偿上述欠款。本通知系我行在保证期间（至{PERIOD_END}届满）内向贵方提出的承担保证责任的"
              "请求；依照《中华人民共和国民法典》第六百九十四条第二款的规定，贵方保证债务的诉讼时效自本通知送达之日起计算。")
    assert effect in paragraphs
    # Nothing is said of the limitation of what was claimed in court.
    text = "\n".join(paragraphs)
    assert "第一百九十五条" not in text and "中断" not in text and "再次提出" not in text
    # The user is told when the notice need not be served (the guarantor sued in that case).
    assert ("贷款已在诉讼或执行中：保证人已在该案中被诉请清偿全部贷款余额的，本通知无须送达；各保证人均已在该案中被诉请清偿"
            "全部贷款余额的，请在台账“向保证人主张日”填写起诉日期（2026-10-15）；未被起诉或仅被诉请部分欠款的，"
            "送达后请在台账“向保证人主张日”填写实际送达日（须不晚于保证期间届满日 2027-01-31）") in letters

    # A second run with the register issues nothing new.
    assert [(o["code"], o["document"], o["party"]) for o in again] == [
        ("litigation-pending", None, None), ("issued-before", "guarantor-demand", "孙八"),
        ("issued-before", "guarantor-demand", "钱七")]


def test_a_guarantor_sued_in_the_case_is_recorded_as_asked_on_the_day_of_the_suit(tmp_path, policy) -> None:
    # In enforcement, the suit of 2026-10-15 naming the guarantors as co-defendants; nobody asked otherwise
    # (向保证人主张日 empty). The notice is written (not to be served to a guarantor so sued), and its step
    # asks for the suit to be recorded: without it the plan finds the guarantee lapsed once the period ends.
    from collect_helpers import issue_letters

    loan = make_loan("JJ0009", days=120, maturity=MATURITY, guarantors=["钱七", "孙八"],
                     guarantor_ids=(resident_id(7), resident_id(8)),
                     litigation="执行中", litigation_filed=dt.date(2026, 10, 15))
    result = issue_letters(tmp_path, policy, [loan], AS_OF)
    notices = sorted((o for o in result.written if o.document == "guarantor-demand"), key=lambda o: o.party)
    assert [o.party for o in notices] == ["孙八", "钱七"]
    for notice in notices:
        assert f"{notice.party}（证件号码：" in "\n".join(p.text for p in docx.Document(notice.file).paragraphs)
        # The loan's one 向保证人主张日 stands for all its guarantors: the suit is entered there only if all were sued.
        assert notice.next_step.startswith(
            "贷款已在诉讼或执行中：保证人已在该案中被诉请清偿全部贷款余额的，本通知无须送达；各保证人均已在该案中被诉请"
            "清偿全部贷款余额的，请在台账“向保证人主张日”填写起诉日期（2026-10-15）；未被起诉或仅被诉请部分欠款的，"
            "送达后请在台账“向保证人主张日”填写实际送达日")
    # Recorded so, the suit keeps the guarantors liable past the end of the guarantee period (2027-01-31).
    later = dt.date(2027, 2, 2)
    (lost,) = build_plan([loan], later, policy).entries
    assert "guarantee-expired" in lost.warnings
    recorded = make_loan("JJ0009", days=120, maturity=MATURITY, guarantors=["钱七", "孙八"],
                         litigation="执行中", litigation_filed=dt.date(2026, 10, 15),
                         guarantor_demanded=dt.date(2026, 10, 15))
    (kept,) = build_plan([recorded], later, policy).entries
    assert kept.guarantee.liable and "guarantee-expired" not in kept.warnings


def test_a_loan_in_court_flagged_to_be_declared_has_its_notice_reviewed_first(tmp_path, policy) -> None:
    # Sued at 35 days overdue, maturing 2027-11-30, flagged 宣布提前到期 with no declaring letter (none is made
    # while the suit is pending): the complaint may have declared the loan due early, the guarantee period of
    # the whole balance then counting from its service (《民法典》第六百九十二条), before 2028-05-30. The notice
    # keeps its amounts; the plan and the notice's next step ask for the complaint to be checked.
    from collect_helpers import issue_letters

    loan = make_loan("JJ0010", days=35, guarantors=["钱七"], guarantor_ids=(resident_id(7),), accelerated=True,
                     litigation="已起诉", litigation_filed=AS_OF - dt.timedelta(days=5))
    (entry,) = build_plan([loan], AS_OF, policy).entries
    (notice,) = [n for n in entry.notices if n.code == "guarantee-complaint-declared"]
    assert notice.message == ("本行已于2026-11-23对借款人提起诉讼，台账标记宣布提前到期，但登记簿中没有本行宣布提前到期的"
                              "催收函：请核查起诉状是否宣布贷款提前到期。如已宣布，保证人钱七就全部贷款余额的保证期间可能自"
                              "起诉状副本送达借款人之日起算（《民法典》第六百九十二条），早于计划所示的2028-05-30，而保证人"
                              "履行保证责任通知书只主张当时逾期的款项；通知书送达前请经法律审查")
    assert notice.message_en.startswith(
        "the bank sued the borrower on 2026-11-23, the ledger flagging the loan to be declared due early, and the "
        "register holds no letter of the bank declaring it: check whether the complaint declared the loan due early")
    assert notice.facts["flagged"] == "ledger"
    result = issue_letters(tmp_path, policy, [loan], AS_OF)
    (written,) = [o for o in result.written if o.document == "guarantor-demand"]
    text = "\n".join(p.text for p in docx.Document(written.file).paragraphs)
    cells = [cell.text for table in docx.Document(written.file).tables for row in table.rows for cell in row.cells]
    # The overdue amounts only, the period counted from maturity: unchanged, for legal counsel to review.
    assert cells[2:4] == ["逾期本金", "20,000.00"] and "贷款本金余额" not in cells
    assert "保证期间于2028年5月30日届满前" in text and "全部提前到期" not in text
    assert written.next_step.endswith(
        "。台账标记宣布提前到期而登记簿中没有本行宣布提前到期的催收函：请核查起诉状是否宣布贷款提前到期，如已宣布，"
        "全部贷款余额的保证期间可能自起诉状副本送达借款人之日起算（《民法典》第六百九十二条），早于本通知所载的届满日，"
        "而本通知只主张当时逾期的款项；本通知送达前请经法律审查")
    # Not flagged, or not in court: nothing of the kind.
    for other in (make_loan("JJ0010", days=35, guarantors=["钱七"], litigation="已起诉",
                            litigation_filed=AS_OF - dt.timedelta(days=5)),
                  make_loan("JJ0010", days=35, guarantors=["钱七"], accelerated=True)):
        (entry,) = build_plan([other], AS_OF, policy).entries
        assert "guarantee-complaint-declared" not in entry.warnings


@pytest.mark.parametrize("litigation", ["执行中", "已起诉", "已判决"])
def test_a_guarantor_sued_in_the_case_stays_liable_past_three_years_from_the_suit(policy, litigation) -> None:
    # 向保证人主张日 recorded as the suit's 起诉日期 (2026-10-15), as the notice's next step asks: the suit
    # interrupted the limitation of the guarantee claim until the proceedings end (《民法典》第一百九十五条),
    # after a judgment the enforcement period applies; no three years of 第六百九十四条 run from that day.
    filed = dt.date(2026, 10, 15)
    loan = make_loan("JJ0009", days=120, maturity=MATURITY, guarantors=["钱七", "孙八"], litigation=litigation,
                     litigation_filed=filed, guarantor_demanded=filed, judgment_due=dt.date(2027, 6, 30))
    later = dt.date(2029, 10, 20)
    (entry,) = build_plan([loan], later, policy).entries
    assert entry.guarantee.liable and entry.guarantee.preserved == "suit" and entry.guarantee.deadline is None
    assert not any(code.startswith("guarantee") for code in entry.warnings), entry.warnings
    assert entry.liable_guarantors == ["钱七", "孙八"]
    shown = entry.to_dict()
    assert shown["guarantee_deadline"] is None
    assert (shown["guarantee"]["liable"], shown["guarantee"]["preserved"], shown["guarantee"]["reason"]) == (
        True, "suit", None)
    assert shown["guarantee"]["basis"].startswith("2026-10-15 向保证人主张（2026-10-15起诉的案件，诉讼时效中断至程序终结")
    assert ("已判决，适用申请执行期间" in shown["guarantee"]["basis"]) == (litigation != "已起诉")
    # The same facts with the suit withdrawn or closed, the date before the suit, or a date after it (a
    # written demand, on a guarantor who may be no party to the suit): the three years of 第六百九十四条第二款
    # run from that date and are watched (the plan's memo tells them apart).
    others = [dataclasses.replace(loan, loan_no="JJ0010", litigation="已撤诉"),
              dataclasses.replace(loan, loan_no="JJ0011", litigation="已结案"),
              dataclasses.replace(loan, loan_no="JJ0012", litigation_filed=filed + dt.timedelta(days=1)),
              dataclasses.replace(loan, loan_no="JJ0013", guarantor_demanded=filed + dt.timedelta(days=1))]
    entries = {e.loan_no: e for e in build_plan([loan, *others], later, policy).entries}
    assert entries["JJ0009"].guarantee.liable
    for other in others:
        lapsed = entries[other.loan_no]
        assert not lapsed.guarantee.liable and "guarantee-claim-expired" in lapsed.warnings, other.loan_no


def test_a_complaint_that_may_have_declared_the_loan_is_still_told_once_the_loan_matured(policy) -> None:
    # Sued 2026-11-23, before maturity (2027-11-30), flagged 宣布提前到期: a complaint declaring the early maturity
    # started the guarantee period of the whole balance on its service, ending about 2027-05, long before the
    # end counted from maturity; the loan's maturing since changes nothing of it.
    filed = AS_OF - dt.timedelta(days=5)
    loan = make_loan("JJ0010", days=35, guarantors=["钱七"], accelerated=True, litigation="已起诉", litigation_filed=filed)
    matured = dt.date(2027, 12, 1)
    (entry,) = build_plan([loan], matured, policy).entries
    assert entry.guarantee.liable and "guarantee-complaint-declared" in entry.warnings
    # An agreed 保证期间届满日 governs whatever the declaration; a suit filed after maturity declared nothing early;
    # a guarantor sued in the case (向保证人主张日 recorded as 起诉日期: kept by the suit) was claimed against in it.
    for other in (dataclasses.replace(loan, guarantee_period_end=dt.date(2028, 12, 31)),
                  dataclasses.replace(loan, litigation_filed=dt.date(2027, 12, 1)),
                  dataclasses.replace(loan, guarantor_demanded=filed)):
        (entry,) = build_plan([other], matured, policy).entries
        assert "guarantee-complaint-declared" not in entry.warnings


def test_a_loan_the_policy_alone_flags_is_said_to_be_flagged_by_the_policy(tmp_path) -> None:
    # Not flagged in the ledger, the policy's accelerate asks every loan to be declared: the warning and the
    # notice's next step say so, not that the ledger flags it.
    from collect_helpers import POLICY_TEXT, issue_letters

    from docgen.loans.plan import load_policy

    path = tmp_path / "policy.yaml"
    path.write_text(POLICY_TEXT + "accelerate: true\n", encoding="utf-8")
    policy = load_policy(path)
    loan = make_loan("JJ0010", days=35, guarantors=["钱七"], guarantor_ids=(resident_id(7),),
                     litigation="已起诉", litigation_filed=AS_OF - dt.timedelta(days=5))
    (entry,) = build_plan([loan], AS_OF, policy).entries
    (notice,) = [n for n in entry.notices if n.code == "guarantee-complaint-declared"]
    assert notice.facts["flagged"] == "policy"
    assert notice.message.startswith("本行已于2026-11-23对借款人提起诉讼，催收策略设定宣布提前到期（accelerate），但登记簿中"
                                     "没有本行宣布提前到期的催收函：")
    assert "台账标记" not in notice.message
    assert notice.message_en.startswith("the bank sued the borrower on 2026-11-23, the collection policy (accelerate) "
                                        "flagging the loan to be declared due early, and the register holds no letter")
    (written,) = [o for o in issue_letters(tmp_path, policy, [loan], AS_OF).written if o.document == "guarantor-demand"]
    assert "。催收策略设定宣布提前到期（accelerate）而登记簿中没有本行宣布提前到期的催收函：" in written.next_step
    assert "台账标记" not in written.next_step
