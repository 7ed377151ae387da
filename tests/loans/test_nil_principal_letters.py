"""No letter states a principal of nil as owed, and none is made when nothing at all is owed.

A loan whose principal is repaid in full (贷款余额 0) while interest is still owed is asked for the
interest alone: the 催收通知书 and its 债务确认回执 name 利息 only, the demand letter of a matured loan
demands 所欠贷款利息 (not 全部贷款本金), and the 债务确认 row of its 送达回证 names no 借款本金, as nil 欠息
and 罚息 are already left out. Such a loan is not declared due early: nothing is left to fall due. A
loan the ledger has overdue (逾期起始日) with every amount a letter could claim nil gets no letter
(``nothing-owed``), the row and what to fix named. Each letter is issued by ``make_letters`` (or by
``docgen collect letters``) and re-opened with python-docx.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner
from collect_helpers import AS_OF, BANK, POLICY_TEXT, issue_letters, make_loan, policy_in, write_loans

from docgen.cli import main

OWED = "人民币壹仟伍佰贰拾叁元肆角伍分"
NIL = re.compile(r"(?<![\d,])0\.00")
"""An amount of nil, as a letter would print it."""


@pytest.fixture()
def policy(tmp_path: Path):
    return policy_in(tmp_path / "policy")


def _text(file: str) -> str:
    document = docx.Document(file)
    return "\n".join([p.text for p in document.paragraphs]
                     + [c.text for t in document.tables for r in t.rows for c in r.cells])


def _written(result, document: str) -> str:
    (outcome,) = [o for o in result.written if o.document == document]
    return outcome.file


def _confirmation(file: str) -> str:
    cells = {row.cells[0].text: row.cells[1].text for table in docx.Document(file).tables for row in table.rows
             if len(row.cells) == 2}
    return cells["债务确认"].split("\n")[0]


def _amounts(file: str) -> list[tuple[str, str]]:
    table = docx.Document(file).tables[0]
    return [(row.cells[0].text, row.cells[1].text) for row in table.rows][1:]


def test_a_time_barred_notice_on_a_repaid_principal_names_the_interest_alone(tmp_path, policy) -> None:
    loan = make_loan("JJ0001", days=1595, maturity=dt.date(2022, 7, 17), disbursed_on=dt.date(2020, 7, 17),
                     balance=Decimal("0"), overdue_principal=Decimal("0"))
    file = _written(issue_letters(tmp_path, policy, [loan]), "debt-confirmation")
    paragraphs = [p.text for p in docx.Document(file).paragraphs]
    assert any(p.endswith(f"截至2026年11月28日，该合同项下尚有利息人民币1,523.45元（大写：{OWED}）未归还。")
               for p in paragraphs)
    assert any(p.endswith("确认：截至2026年11月28日，本人（本单位）在编号为HT-JJ0001的借款合同项下尚欠贵行利息"
                          f"人民币1,523.45元（大写：{OWED}），本人（本单位）同意归还上述欠款。") for p in paragraphs)
    assert "借款本金" not in _text(file) and not NIL.search(_text(file))


def test_a_time_barred_notice_owing_both_still_names_both(tmp_path, policy) -> None:
    loan = make_loan("JJ0001", days=1595, maturity=dt.date(2022, 7, 17), disbursed_on=dt.date(2020, 7, 17),
                     balance=Decimal("88000"), overdue_principal=Decimal("88000"))
    text = _text(_written(issue_letters(tmp_path, policy, [loan]), "debt-confirmation"))
    assert "尚有借款本金88,000.00元、利息1,523.45元未归还，合计人民币89,523.45元" in text
    assert "尚欠贵行借款本金人民币88,000.00元、利息人民币1,523.45元，合计人民币89,523.45元" in text


def test_a_matured_loan_with_its_principal_repaid_is_asked_for_the_interest_alone(tmp_path, policy) -> None:
    loan = make_loan("JJ0001", days=40, maturity=dt.date(2026, 10, 19), disbursed_on=dt.date(2024, 10, 19),
                     balance=Decimal("0"), overdue_principal=Decimal("0"))
    file = _written(issue_letters(tmp_path, policy, [loan]), "demand-letter")
    assert ("该笔贷款已于2026年10月19日到期，贵方未按约归还，自2026年10月20日起已构成逾期。依照借款合同约定及"
            "《中华人民共和国民法典》第六百七十四条的规定，贵方应立即归还所欠贷款利息。截至2026年11月28日，"
            "贵方尚欠我行款项如下：") in [p.text for p in docx.Document(file).paragraphs]
    assert _amounts(file) == [("欠息", "1,523.45"), ("合计", "1,523.45")]
    assert _confirmation(file) == f"借款人确认：截至2026年11月28日，尚欠{BANK}欠息1,523.45元。"
    assert "全部贷款本金" not in _text(file) and "借款本金" not in _text(file) and not NIL.search(_text(file))


def test_a_repaid_principal_is_not_declared_due_early(tmp_path, policy) -> None:
    # Flagged 宣布提前到期, unmatured, principal repaid, interest owed: nothing is left to fall due early,
    # so the letter declares nothing and demands the interest overdue.
    loan = make_loan("JJ0001", days=10, accelerated=True, balance=Decimal("0"), overdue_principal=Decimal("0"))
    result = issue_letters(tmp_path, policy, [loan])
    file = _written(result, "demand-letter")
    assert "提前到期" not in _text(file)
    assert "贵方自2026年11月19日起未按合同约定归还到期贷款利息，已构成逾期。" in _text(file)
    assert _confirmation(file) == f"借款人确认：截至2026年11月28日，尚欠{BANK}欠息1,523.45元。"
    assert [o.facts.get("declares_acceleration") for o in result.written] == [None]


def test_an_unmatured_loan_owing_a_balance_and_nothing_overdue_keeps_its_principal_line(tmp_path, policy) -> None:
    # Only interest overdue: the confirmation names the balance owed first, with no 逾期本金 part of nil.
    file = _written(issue_letters(tmp_path, policy, [make_loan("JJ0001", days=10, overdue_principal=Decimal("0"))]),
                    "demand-letter")
    assert _confirmation(file) == f"借款人确认：截至2026年11月28日，尚欠{BANK}借款本金420,000.00元、欠息1,523.45元。"


NOTHING = ("台账所列可催收的款项均为零（贷款余额{balance}元、逾期本金0.00元、欠息0.00元），未生成{document}；"
           "贷款已结清或已不再逾期的，请清空“逾期起始日”；尚有逾期未还款项的，请在“逾期本金”“欠息”列填写金额")


@pytest.mark.parametrize(("fields", "document", "title", "balance"), [
    # Unmatured, nothing overdue, yet an overdue start: the demand letter would claim 0.00.
    ({"days": 10, "overdue_principal": Decimal("0"), "overdue_interest": Decimal("0")},
     "demand-letter", "逾期贷款催收函", "420,000.00"),
    # Time-barred, repaid in full: the notice would ask the debtor to confirm 0.00.
    ({"days": 1595, "maturity": dt.date(2022, 7, 17), "disbursed_on": dt.date(2020, 7, 17), "balance": Decimal("0"),
      "overdue_principal": Decimal("0"), "overdue_interest": Decimal("0")},
     "debt-confirmation", "催收通知书", "0.00"),
])
def test_a_letter_with_nothing_to_claim_is_refused_naming_what_to_fix(tmp_path, policy, fields, document, title,
                                                                       balance) -> None:
    result = issue_letters(tmp_path, policy, [make_loan("JJ0001", guarantors=["钱七"], **fields)])
    assert not result.written and not result.complete
    refused = [(o.code, o.document, o.message) for o in result.refused]
    assert (("nothing-owed", document, NOTHING.format(balance=balance, document=title)) in refused)
    assert all(code == "nothing-owed" for code, _, _ in refused)
    assert not list((tmp_path / "out").rglob("*.docx"))


def test_collect_letters_refuses_a_letter_of_nil_with_exit_1_and_the_row(tmp_path) -> None:
    (tmp_path / "policy.yaml").write_text(POLICY_TEXT, encoding="utf-8")
    loan = make_loan("JJ0001", days=10, overdue_principal=Decimal("0"), overdue_interest=Decimal("0"))
    ledger = write_loans(tmp_path / "ledger.xlsx", [loan])
    args = ["collect", "letters", "--ledger", str(ledger), "--as-of", AS_OF.isoformat(), "--policy",
            str(tmp_path / "policy.yaml"), "--register", str(tmp_path / "register.sqlite"), "--out", str(tmp_path / "out")]
    run = CliRunner().invoke(main, [*args, "--format", "json"])
    assert run.exit_code == 1, run.output
    (outcome,) = json.loads(run.stdout)["refused"]
    assert (outcome["row"], outcome["loan_no"], outcome["code"]) == (2, "JJ0001", "nothing-owed")
    assert outcome["message"] == NOTHING.format(balance="420,000.00", document="逾期贷款催收函")
    text = CliRunner().invoke(main, args)
    assert text.exit_code == 1
    assert NOTHING.format(balance="420,000.00", document="逾期贷款催收函") in text.stdout
