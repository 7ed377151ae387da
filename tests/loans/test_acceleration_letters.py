"""A loan flagged 宣布提前到期 after its demand letter went out: the declaration gets a letter and a
register key of its own, and the guarantors are asked for the balance only once that letter was
issued in an earlier run (《民法典》第一百三十七条第二款). Re-read from the Word files."""
from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from collect_helpers import AS_OF, POLICY_TEXT, make_loan, serials_taken_on, write_loans
from docxtext import docx_text

from docgen.cli import main
from docgen.documents.batch import generate
from docgen.documents.register import Register
from docgen.documents.template import load_template
from docgen.loans.letters import guarantor_data, issued_keys, letter_data, make_letters
from docgen.loans.plan import build_plan, letter_key, load_policy

DAY = dt.timedelta(days=1)
DECLARES = "依照借款合同约定，我行现宣布上述贷款全部提前到期。"
SENT = "我行已依照借款合同约定向借款人发出《逾期贷款催收函》，宣布该笔贷款全部提前到期。"
"""What a notice says of the declaration when it cannot name the declaring letter (made by hand)."""


def sent(day: str, serial: str) -> str:
    """What a notice made by ``collect letters`` says of the declaration: the letter by its serial and the
    date it bears (not the day it went out, which no record holds)."""
    return f"我行已依照借款合同约定向借款人发出编号为{serial}、落款日期为{day}的《逾期贷款催收函》，宣布该笔贷款全部提前到期。"


@pytest.fixture(autouse=True)
def register_clock(monkeypatch):
    # Every serial taken after the letters' dates, as when letters are dated the day they are made or
    # earlier: a notice names the declaring letter's date (``IssuedKeys.declaration``), whatever the clock.
    serials_taken_on(monkeypatch, AS_OF + 30 * DAY)


@pytest.fixture()
def policy(tmp_path: Path):
    path = tmp_path / "policy.yaml"
    path.write_text(POLICY_TEXT, encoding="utf-8")
    return load_policy(path)


def _loan(accelerated: bool = False, **fields):
    # Day 10 on AS_OF, maturing 2027-11-30; the guarantee period ends 95 days after AS_OF, so the
    # guarantor is called (inside the 90-day warning window) from AS_OF + 5 on.
    return make_loan("JJ0001", days=10, guarantors=["钱七"], guarantee_period_end=AS_OF + 95 * DAY,
                     accelerated=accelerated, **fields)


def _run(tmp_path: Path, policy, loan, as_of: dt.date):
    with Register(tmp_path / "register.sqlite") as register:
        return make_letters([loan], as_of, tmp_path / "out", policy=policy, register=register)


def _written(result) -> dict[tuple[str, str], str]:
    return {(o.document, o.party): docx_text(Path(o.file)) for o in result.written}


def _plan(tmp_path: Path, policy, loan, as_of: dt.date):
    (entry,) = build_plan([loan], as_of, policy, issued=issued_keys(tmp_path / "register.sqlite")).entries
    return entry


def test_acceleration_flagged_after_the_first_letter_is_declared_by_a_letter_of_its_own(tmp_path, policy) -> None:
    first = _run(tmp_path, policy, _loan(), AS_OF)
    ((key, text),) = _written(first).items()
    assert key == ("demand-letter", "杭州云栖贸易有限公司")
    assert "提前到期" not in text and "逾期本金\n20,000.00" in text  # the overdue amounts, nothing declared

    # The row is flagged 宣布提前到期 afterwards: the plan asks for the declaring letter.
    loan = _loan(accelerated=True)
    entry = _plan(tmp_path, policy, loan, AS_OF + DAY)
    assert entry.next_action == "declare-acceleration" and entry.next_action_due == AS_OF + DAY
    assert entry.to_dict()["actions"][0] == "declare-acceleration"

    second = _run(tmp_path, policy, loan, AS_OF + 5 * DAY)
    texts = _written(second)
    assert sorted(texts) == [("demand-letter", "杭州云栖贸易有限公司"), ("guarantor-demand", "钱七")]
    letter = texts[("demand-letter", "杭州云栖贸易有限公司")]
    assert DECLARES in letter and "贷款本金余额\n420,000.00" in letter
    assert letter.startswith("逾期贷款催收函\n编号：催字〔2026〕第00002号")
    (declaring,) = [o for o in second.written if o.document == "demand-letter"]
    assert declaring.facts == {"declares_acceleration": True}
    assert declaring.message == "已生成逾期贷款催收函（宣布提前到期） 催字〔2026〕第00002号"
    # The first letter stays what it was; the guarantor is called in the run of the declaration,
    # which has not reached the borrower yet: the overdue amounts, no word of it.
    assert [o.code for o in second.outcomes if o.document == "demand-letter"] == ["issued-before", "issued"]
    notice = texts[("guarantor-demand", "钱七")]
    assert "提前到期" not in notice and "420,000.00" not in notice
    assert "借款人尚欠我行到期款项如下：" in notice and "逾期本金\n20,000.00" in notice

    # The next run: the declaration went out in an earlier run; the guarantor is asked for the balance.
    entry = _plan(tmp_path, policy, loan, AS_OF + 6 * DAY)
    assert "declare-acceleration" not in entry.actions and entry.next_action == "guarantor-demand"
    third = _run(tmp_path, policy, loan, AS_OF + 6 * DAY)
    ((key, notice),) = _written(third).items()
    assert key == ("guarantor-demand", "钱七")
    assert ("借款人自2026年11月19日起未按合同约定归还到期贷款本息，已构成违约，"
            + sent("2026年12月3日", "催字〔2026〕第00002号") + "截至2026年12月4日，借款人尚欠我行款项如下：") in notice
    assert "贷款本金余额\n420,000.00" in notice and "合计" in notice

    # Once more: nothing issued twice.
    again = _run(tmp_path, policy, loan, AS_OF + 6 * DAY)
    assert again.written == [] and {o.code for o in again.outcomes} == {"issued-before"}
    assert len(again.outcomes) == 3  # both borrower letters, the notice asking the balance
    with Register(tmp_path / "register.sqlite") as register:
        keys = {r.row_key for r in register.records()}
    assert keys == {letter_key(loan), letter_key(loan, declaring=True),
                    letter_key(loan, "guarantor-demand", "钱七"),
                    letter_key(loan, "guarantor-demand", "钱七", declaring=True)}


def test_a_loan_accelerated_from_the_start_gets_one_declaring_letter(tmp_path, policy) -> None:
    loan = _loan(accelerated=True)
    first = _run(tmp_path, policy, loan, AS_OF)
    ((key, text),) = _written(first).items()
    assert DECLARES in text
    assert _plan(tmp_path, policy, loan, AS_OF + DAY).next_action == "guarantor-demand"
    second = _run(tmp_path, policy, loan, AS_OF + DAY)
    ((key, notice),) = _written(second).items()
    assert key == ("guarantor-demand", "钱七") and sent("2026年11月28日", "催字〔2026〕第00001号") in notice
    # The flag cleared later: no ordinary letter is added to the episode.
    third = _run(tmp_path, policy, _loan(), AS_OF + 2 * DAY)
    assert [o.document for o in third.written] == ["guarantor-demand"]  # the notice asks overdue amounts
    assert [o.code for o in third.outcomes if o.document == "demand-letter"] == ["issued-before"]


def _old_letter(tmp_path: Path, policy, loan, *, declares: bool) -> Path:
    """A letter issued by an earlier docgen under the ordinary key, saying what it said then."""
    data = {**letter_data(loan, AS_OF, policy, ["钱七"], declares=declares), "last_interruption": None}
    with Register(tmp_path / "register.sqlite") as register:
        batch = generate(load_template("demand-letter"), [(letter_key(loan), data)], tmp_path / "out",
                         register=register)
    return batch.documents[0].file


def _old_notice(tmp_path: Path, policy, loan) -> Path:
    """A guarantor notice an earlier docgen issued under the ordinary key, asking for the balance."""
    (entry,) = build_plan([loan], AS_OF + DAY, policy).entries
    data = guarantor_data(loan, "钱七", entry, AS_OF + DAY, policy, declared=True)
    with Register(tmp_path / "register.sqlite") as register:
        batch = generate(load_template("guarantor-demand"), [(letter_key(loan, "guarantor-demand", "钱七"), data)],
                         tmp_path / "out" / "保证人通知书", register=register)
    return batch.documents[0].file


def test_an_old_ordinary_key_letter_that_demanded_the_balance_counts_as_declaring(tmp_path, policy) -> None:
    loan = _loan(accelerated=True)
    assert DECLARES in docx_text(_old_letter(tmp_path, policy, loan, declares=True))
    assert _plan(tmp_path, policy, loan, AS_OF + 6 * DAY).next_action == "guarantor-demand"
    result = _run(tmp_path, policy, loan, AS_OF + 6 * DAY)
    ((key, notice),) = _written(result).items()  # no second declaration
    # The letter that declared it is named: an earlier version's, under the ordinary key.
    assert key == ("guarantor-demand", "钱七") and "贷款本金余额\n420,000.00" in notice
    assert sent("2026年11月28日", "催字〔2026〕第00001号") in notice


def test_an_old_guarantor_notice_that_asked_the_balance_is_not_sent_again(tmp_path, policy) -> None:
    loan = _loan(accelerated=True)
    _old_letter(tmp_path, policy, loan, declares=True)
    assert SENT in docx_text(_old_notice(tmp_path, policy, loan))
    assert _plan(tmp_path, policy, loan, AS_OF + 6 * DAY).next_action == "phone"
    result = _run(tmp_path, policy, loan, AS_OF + 6 * DAY)
    assert result.written == []
    assert [(o.code, o.document) for o in result.outcomes] == [("issued-before", "demand-letter"),
                                                               ("issued-before", "guarantor-demand")]


def test_an_old_guarantor_notice_that_claimed_a_declaration_no_letter_made_is_followed_by_a_true_one(
        tmp_path, policy) -> None:
    # An earlier version asked the guarantor for the balance, saying the borrower had been sent a
    # letter declaring the loan due early, when its letter had declared nothing: that notice is
    # no demand made after a declaration; once the declaring letter is out, the guarantor gets one.
    loan = _loan(accelerated=True)
    _old_letter(tmp_path, policy, _loan(), declares=False)
    assert SENT in docx_text(_old_notice(tmp_path, policy, loan))
    declaring = _run(tmp_path, policy, loan, AS_OF + DAY)
    assert DECLARES in _written(declaring)[("demand-letter", "杭州云栖贸易有限公司")]
    assert _plan(tmp_path, policy, loan, AS_OF + 6 * DAY).next_action == "guarantor-demand"
    result = _run(tmp_path, policy, loan, AS_OF + 6 * DAY)
    ((key, notice),) = _written(result).items()
    assert key == ("guarantor-demand", "钱七") and "贷款本金余额\n420,000.00" in notice
    assert sent("2026年11月29日", "催字〔2026〕第00002号") in notice  # the letter that declared it
    with Register(tmp_path / "register.sqlite") as register:
        assert {r.row_key for r in register.records("guarantor-demand")} == {
            letter_key(loan, "guarantor-demand", "钱七"), letter_key(loan, "guarantor-demand", "钱七", declaring=True)}


def test_an_old_letter_that_declared_nothing_or_was_altered_is_followed_by_the_declaring_letter(
        tmp_path, policy) -> None:
    loan = _loan(accelerated=True)
    _old_letter(tmp_path / "plain", policy, _loan(), declares=False)
    altered = _old_letter(tmp_path / "altered", policy, loan, declares=True)
    altered.write_bytes(altered.read_bytes() + b"\0")  # no longer the letter issued: proves nothing
    for where in ("plain", "altered"):
        assert _plan(tmp_path / where, policy, loan, AS_OF + DAY).next_action == "declare-acceleration"
        result = _run(tmp_path / where, policy, loan, AS_OF + 6 * DAY)
        texts = _written(result)
        assert DECLARES in texts[("demand-letter", "杭州云栖贸易有限公司")]
        assert "提前到期" not in texts[("guarantor-demand", "钱七")]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
@pytest.mark.parametrize("swap", ["fifo", "link to a fifo"])
def test_an_old_letter_swapped_for_a_fifo_proves_nothing_and_is_not_waited_on(tmp_path, policy, swap) -> None:
    loan = _loan(accelerated=True)
    old = _old_letter(tmp_path, policy, loan, declares=True)
    old.unlink()
    if swap == "fifo":
        os.mkfifo(old)
    else:
        os.mkfifo(tmp_path / "fifo")
        old.symlink_to(tmp_path / "fifo")
    # Opened for reading, a FIFO without a writer would hold the plan for ever.
    assert _plan(tmp_path, policy, loan, AS_OF + DAY).next_action == "declare-acceleration"


def test_collect_plan_shows_the_declaration_due(tmp_path, policy) -> None:
    policy_file = tmp_path / "policy.yaml"
    register = tmp_path / "register.sqlite"
    _run(tmp_path, policy, _loan(), AS_OF)
    ledger = write_loans(tmp_path / "ledger.xlsx", [_loan(accelerated=True)])
    common = ["--ledger", str(ledger), "--as-of", (AS_OF + DAY).isoformat(), "--policy", str(policy_file),
              "--register", str(register)]
    result = CliRunner().invoke(main, ["collect", "plan", *common, "--format", "json"])
    assert result.exit_code == 0, result.output
    (entry,) = json.loads(result.stdout)
    assert entry["next_action"] == "declare-acceleration" and entry["next_action_due"] == "2026-11-29"
    table = CliRunner().invoke(main, ["collect", "plan", *common])
    assert "送达宣布提前到期的催收函" in table.stdout
