"""A 罚息利率 of 0 is taken as "no 罚息 agreed", and the plan and the letters say so for staff to confirm.

A 0 in the ledger's 罚息利率 may be a clerk's blank typed as 0. It is still read as no 罚息 agreed (the
policy's rate is never put in its place: a letter must not claim a 罚息 the contract may not give), and
``collect plan`` warns ``penalty-none`` on the loan, as it does when the ledger gives no rate and the
policy's daily rate is 0; ``collect letters`` says of each letter it issues for such a loan that no 罚息
was claimed, and why. A loan with its own rate, or none and the policy's, gets no such warning.
"""
from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner
from collect_helpers import AS_OF, POLICY_TEXT, make_loan, write_loans

from docgen.cli import main

LEDGER_ZERO = ("台账罚息利率为0，按借款合同未约定罚息处理：催收文书不主张、也不保留罚息；请核对借款合同，合同约定了罚息的，"
               "请在台账“罚息利率”列填写约定的罚息年利率（0系漏填的，清空该格即按催收策略的罚息日利率计算）")
POLICY_ZERO = ("台账未填罚息利率，催收策略的罚息日利率为0，按借款合同未约定罚息处理：催收文书不主张、也不保留罚息；"
               "请核对借款合同，合同约定了罚息的，请在台账“罚息利率”列填写约定的罚息年利率")


def _run(folder: Path, loans, *command: str, policy_text: str = POLICY_TEXT):
    (folder / "policy.yaml").write_text(policy_text, encoding="utf-8")
    ledger = write_loans(folder / "ledger.xlsx", loans)
    args = [*command, "--ledger", str(ledger), "--as-of", AS_OF.isoformat(), "--policy", str(folder / "policy.yaml"),
            "--register", str(folder / "register.sqlite")]
    if command[-1] == "letters":
        args += ["--out", str(folder / "out")]
    return CliRunner().invoke(main, args + ["--format", "json"])


@pytest.mark.parametrize(("rate", "policy_text", "said"), [
    (Decimal("0"), POLICY_TEXT, LEDGER_ZERO),
    (None, POLICY_TEXT.replace("daily_rate: 0.0005", "daily_rate: 0"), POLICY_ZERO),
    (None, POLICY_TEXT, None),
    (Decimal("0.0675"), POLICY_TEXT, None),
    # The ledger's own rate governs, the policy's nil rate notwithstanding.
    (Decimal("0.0675"), POLICY_TEXT.replace("daily_rate: 0.0005", "daily_rate: 0"), None),
])
def test_the_plan_warns_when_it_takes_the_loan_to_bear_no_penalty(tmp_path, rate, policy_text, said) -> None:
    run = _run(tmp_path, [make_loan("JJ0001", days=10, penalty_rate=rate)], "collect", "plan", policy_text=policy_text)
    assert run.exit_code == 0, run.output
    (entry,) = json.loads(run.stdout)
    details = {d["code"]: d["message"] for d in entry["warning_details"]}
    assert ("penalty-none" in entry["warnings"]) is (said is not None)
    assert details.get("penalty-none") == said


def test_the_plan_text_names_the_warning(tmp_path) -> None:
    (tmp_path / "policy.yaml").write_text(POLICY_TEXT, encoding="utf-8")
    ledger = write_loans(tmp_path / "ledger.xlsx", [make_loan("JJ0001", days=10, penalty_rate=Decimal("0"))])
    run = CliRunner().invoke(main, ["collect", "plan", "--ledger", str(ledger), "--as-of", AS_OF.isoformat(),
                                    "--policy", str(tmp_path / "policy.yaml"), "--register",
                                    str(tmp_path / "register.sqlite")])
    assert run.exit_code == 0, run.output
    assert "罚息利率为零，按未约定罚息处理" in run.stdout


def test_a_letter_issued_on_a_rate_of_nil_claims_none_and_says_why(tmp_path) -> None:
    loan = make_loan("JJ0001", days=10, penalty_rate=Decimal("0"), guarantors=["钱七"])
    run = _run(tmp_path, [loan], "collect", "letters")
    assert run.exit_code == 0, run.output
    written = {o["document"]: o for o in json.loads(run.stdout)["written"]}
    letter = written["demand-letter"]
    assert letter["facts"]["penalty_none"] == "ledger"
    assert letter["message"] == (f"已生成逾期贷款催收函 {letter['serial']}（未主张罚息：台账罚息利率为0，按借款合同未约定罚息"
                                 "处理；合同约定了罚息的，请更正台账）")
    document = docx.Document(letter["file"])
    text = "\n".join([p.text for p in document.paragraphs]
                     + [c.text for t in document.tables for r in t.rows for c in r.cells])
    assert "罚息" not in text  # neither claimed, figured, reserved nor confirmed


def test_a_letter_on_a_loan_with_its_rate_says_nothing_of_it(tmp_path) -> None:
    run = _run(tmp_path, [make_loan("JJ0001", days=10, penalty_rate=Decimal("0.0675"))], "collect", "letters")
    assert run.exit_code == 0, run.output
    (letter,) = json.loads(run.stdout)["written"]
    assert "penalty_none" not in letter["facts"]
    assert letter["message"] == f"已生成逾期贷款催收函 {letter['serial']}"
