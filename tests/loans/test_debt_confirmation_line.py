"""The borrower's signed confirmation of the debt confirms what its letter claims, no more, no less.

A debtor's written acknowledgment interrupts the limitation period (《民法典》第一百九十五条) and, after
it has run out, bars the defence (第一百九十二条第二款): the 债务确认 line of the demand letter's
送达回证 names the 欠息 and the 罚息 of the letter's table, each when it is not nil (and the 罚息 the letter
reserves in words, when it does), and the part of the principal the letter demands; the 催收通知书,
which claims no 罚息, has its 债务确认回执 name none. Each letter is issued by ``make_letters`` (or filled by ``render`` from data given
by hand) and re-opened with python-docx.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import docx
import pytest
import yaml
from collect_helpers import AS_OF, BANK, issue_letters, make_loan, policy_in

from docgen.documents.render import render

DAY = dt.timedelta(days=1)


@pytest.fixture()
def policy(tmp_path: Path):
    return policy_in(tmp_path / "policy")


def _cells(file: str) -> dict[str, str]:
    """Return the first column -> second column of every two-column table row of the document."""
    return {row.cells[0].text: row.cells[1].text for table in docx.Document(file).tables for row in table.rows
            if len(row.cells) == 2}


def _one(result, document: str) -> str:
    (outcome,) = [o for o in result.written if o.document == document]
    return outcome.file


def _confirmation(file: str) -> str:
    return _cells(file)["债务确认"].split("\n")[0]


def test_an_overdue_loans_confirmation_names_the_penalty_and_the_part_demanded(tmp_path, policy) -> None:
    # Day 10, unmatured: the letter demands the overdue 20,000.00 of the 420,000.00 balance, 1,523.45
    # 欠息 and 罚息 of 20,000.00 x 0.05% x 10 days = 100.00.
    file = _one(issue_letters(tmp_path, policy, [make_loan("JJ0001", days=10)]), "demand-letter")
    cells = _cells(file)
    assert (cells["逾期本金"], cells["欠息"], cells["罚息（计至2026年11月28日，含当日）"]) == (
        "20,000.00", "1,523.45", "100.00")
    assert _confirmation(file) == (f"借款人确认：截至2026年11月28日，尚欠{BANK}借款本金420,000.00元（其中逾期本金"
                                   "20,000.00元）、欠息1,523.45元、罚息100.00元。")


def test_a_matured_loans_confirmation_names_the_whole_balance_and_its_penalty(tmp_path, policy) -> None:
    # No interest overdue: the table lists no 欠息, and the borrower is not asked to confirm it.
    loan = make_loan("JJ0001", days=40, maturity=dt.date(2026, 10, 19), disbursed_on=dt.date(2024, 10, 19),
                     balance=Decimal("206000"), overdue_principal=Decimal("61800"), overdue_interest=Decimal("0"))
    file = _one(issue_letters(tmp_path, policy, [loan]), "demand-letter")
    assert "欠息" not in _cells(file) and _cells(file)["罚息（计至2026年11月28日，含当日）"] == "4,120.00"
    assert _confirmation(file) == f"借款人确认：截至2026年11月28日，尚欠{BANK}借款本金206,000.00元、罚息4,120.00元。"


def test_a_letter_reserving_penalty_in_words_has_it_confirmed_too(tmp_path, policy) -> None:
    # Declared due early in the first run; the letter, lost, is made again a week later: it reserves the
    # 罚息 on the rest of the balance in words, and the confirmation names that claim as well.
    loan = make_loan("JJ0001", days=10, accelerated=True)
    Path(_one(issue_letters(tmp_path, policy, [loan]), "demand-letter")).unlink()
    later = issue_letters(tmp_path, policy, [loan], AS_OF + 7 * DAY)
    (restored,) = [o for o in later.outcomes if o.code == "restored"]
    fine = _cells(restored.file)["罚息（计至2026年12月5日，含当日）"]
    assert _confirmation(restored.file) == (
        f"借款人确认：截至2026年12月5日，尚欠{BANK}借款本金420,000.00元、欠息1,523.45元、罚息{fine}元，"
        "以及《逾期贷款催收函》所述由债权人另行计算的罚息。")


@pytest.mark.parametrize("accelerated", [False, True])
def test_a_rendered_letter_confirms_a_reserved_penalty_only_where_it_reserves_it(tmp_path, accelerated) -> None:
    # docgen render takes penalty_reserved as given: a letter demanding only the overdue amounts reserves
    # no 罚息 in words, whatever the flag says, and its confirmation names none; one declaring the balance
    # due early reserves it, and so does its confirmation.
    examples = Path(__file__).parents[2] / "examples" / "templates" / "demand-letter.yaml"
    data = {**yaml.safe_load(examples.read_text(encoding="utf-8")), "penalty_reserved": True,
            "accelerated": accelerated}
    out = render("demand-letter", data, tmp_path / "letter.docx", register_path=tmp_path / "r.sqlite").path
    letter = "\n".join(p.text for p in docx.Document(str(out)).paragraphs)
    confirmation = _confirmation(str(out))
    assert ("由我行另行计算并向贵方主张" in letter) is accelerated
    assert confirmation.endswith("，以及《逾期贷款催收函》所述由债权人另行计算的罚息。") is accelerated
    assert confirmation.endswith("罚息256.25元。") is not accelerated


def test_the_notice_of_a_time_barred_claim_has_no_penalty_confirmed(tmp_path, policy) -> None:
    # Time-barred: the 催收通知书 claims principal and interest only, and so does its 债务确认回执.
    loan = make_loan("JJ0001", days=1595, maturity=dt.date(2022, 7, 17), disbursed_on=dt.date(2020, 7, 17),
                     balance=Decimal("88000"), overdue_principal=Decimal("88000"))
    file = _one(issue_letters(tmp_path, policy, [loan]), "debt-confirmation")
    text = "\n".join(p.text for p in docx.Document(file).paragraphs) + "\n".join(_cells(file).values())
    assert "罚息" not in text
    assert "债务确认" not in _cells(file)  # its 送达回证 holds no second confirmation
    assert any("尚欠贵行借款本金人民币88,000.00元、利息人民币1,523.45元" in p.text for p in docx.Document(file).paragraphs)


def test_a_letter_with_no_penalty_has_none_confirmed(tmp_path, policy) -> None:
    # The loan's own 罚息利率 is nil: the table lists no 罚息, and the borrower is not asked to confirm it.
    loan = make_loan("JJ0001", days=10, penalty_rate=Decimal("0"))
    file = _one(issue_letters(tmp_path, policy, [loan]), "demand-letter")
    assert not any(label.startswith("罚息") for label in _cells(file))
    assert _confirmation(file) == (f"借款人确认：截至2026年11月28日，尚欠{BANK}借款本金420,000.00元（其中逾期本金"
                                   "20,000.00元）、欠息1,523.45元。")


def test_a_letter_reserving_penalty_with_none_figured_confirms_the_reserved_claim_alone(tmp_path, policy) -> None:
    # Only interest is overdue: the 罚息 on the overdue principal is nil, and the table lists none. Declared due early in
    # the first run and made again a week later, the letter reserves the 罚息 on the balance in words:
    # the confirmation names that claim, not a 罚息 of 0.00.
    loan = make_loan("JJ0001", days=10, accelerated=True, overdue_principal=Decimal("0"))
    Path(_one(issue_letters(tmp_path, policy, [loan]), "demand-letter")).unlink()
    later = issue_letters(tmp_path, policy, [loan], AS_OF + 7 * DAY)
    (restored,) = [o for o in later.outcomes if o.code == "restored"]
    assert not any(label.startswith("罚息") for label in _cells(restored.file))
    assert _confirmation(restored.file) == (
        f"借款人确认：截至2026年12月5日，尚欠{BANK}借款本金420,000.00元、欠息1,523.45元，"
        "以及《逾期贷款催收函》所述由债权人另行计算的罚息。")


RESERVED = "，以及《逾期贷款催收函》所述由债权人另行计算的罚息"


@pytest.mark.parametrize(("interest", "penalty", "accelerated", "owed"), [
    ("6843.75", "0", False, "、欠息6,843.75元。"),
    ("6843.75", "0.00", True, f"、欠息6,843.75元{RESERVED}。"),
    ("6843.75", "256.25", False, "、欠息6,843.75元、罚息256.25元。"),
    ("0", "256.25", False, "、罚息256.25元。"),
    ("0.00", "256.25", True, f"、罚息256.25元{RESERVED}。"),
    ("0", "0.00", True, f"{RESERVED}。"),
])
def test_a_rendered_letter_confirms_its_interest_and_penalty_only_when_there_is_some(
        tmp_path, interest, penalty, accelerated, owed) -> None:
    # What follows the principal: each of 欠息 and 罚息 when not nil, then the 罚息 reserved in words.
    examples = Path(__file__).parents[2] / "examples" / "templates" / "demand-letter.yaml"
    data = {**yaml.safe_load(examples.read_text(encoding="utf-8")), "interest": interest, "penalty": penalty,
            "penalty_reserved": True, "accelerated": accelerated}
    out = render("demand-letter", data, tmp_path / "letter.docx", register_path=tmp_path / "r.sqlite").path
    principal = "借款本金1,375,000.00元" + ("" if accelerated else "（其中逾期本金125,000.00元）")
    assert _confirmation(str(out)) == (f"借款人确认：截至2026年11月28日，尚欠杭州临平农村商业银行股份有限公司{principal}"
                                       + owed)
