"""Builders shared by the collection tests: ledger loans and ledger files with known dates."""
from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from docxtext import docx_text
from stdnum.cn import ric

from docgen.documents.register import Register
from docgen.loans.ledger import Loan, write_ledger
from docgen.loans.letters import LettersResult, Outcome, make_letters
from docgen.loans.plan import Policy, load_policy

AS_OF = dt.date(2026, 11, 28)

BANK = "杭州联合农村商业银行股份有限公司"
POLICY_TEXT = """\
letters:
  bank_legal_name: 杭州联合农村商业银行股份有限公司
  pay_within_days: 10
  penalty: {daily_rate: 0.0005}
  branches:
    城东支行: {address: 杭州市上城区解放路100号, phone: 0571-87000000, contact: 王五}
    default: {address: 杭州市西湖区文三路1号, phone: 0571-88000000, contact: 风险管理部}
"""
"""A collection policy with the bank's name and branch contacts: what letters need."""


def resident_id(serial: int) -> str:
    """Return a valid 18-digit 居民身份证号 (Beijing, born 1980-01-01) for ``serial`` 0..999."""
    body = f"11010519800101{serial % 1000:03d}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    check = "10X98765432"[sum(int(d) * w for d, w in zip(body, weights)) % 11]
    assert ric.is_valid(body + check)
    return body + check


def overdue_for(days: int, as_of: dt.date = AS_OF) -> dt.date:
    """Return the ``overdue_since`` date that makes a loan ``days`` past due on ``as_of``."""
    return as_of - dt.timedelta(days=days - 1)


def make_loan(loan_no: str = "JJ0001", *, days: int | None = 10, as_of: dt.date = AS_OF, **fields: Any) -> Loan:
    """Return a ``Loan`` overdue ``days`` days on ``as_of`` (None: not overdue); ``fields`` override."""
    values: dict[str, Any] = dict(
        loan_no=loan_no, contract_no=f"HT-{loan_no}", borrower="杭州云栖贸易有限公司", id_number=resident_id(1),
        branch="城东支行", officer="王五", product="小微经营贷", disbursed_on=dt.date(2025, 12, 1),
        maturity=dt.date(2027, 11, 30), principal=Decimal("500000"), balance=Decimal("420000"),
        overdue_since=None if days is None else overdue_for(days, as_of),
        overdue_principal=Decimal("20000"), overdue_interest=Decimal("1523.45"), classification="关注",
        on_balance=True, recovered=Decimal(0), guarantors=[], guarantee_period_end=None, litigation="",
        last_interruption=None, row=2, address="浙江省杭州市西湖区文三路100号",
    )
    values.update(fields)
    if values["guarantors"] and "guarantee_type" not in fields:
        values["guarantee_type"] = "连带责任保证"  # the usual bank contract; tests of 一般保证 say so
    if values["guarantors"] and "guarantor_addresses" not in fields:
        # Every guarantor reachable (保证人地址); tests of a missing address say so.
        values["guarantor_addresses"] = tuple(f"浙江省杭州市余杭区良渚街道{at + 1}号" for at in range(len(values["guarantors"])))
    if "litigation" not in fields:
        values["litigation"] = "未起诉"
    return Loan(**values)


def write_loans(path: Path, loans: list[Loan]) -> Path:
    """Write ``loans`` as a ledger file (.xlsx or .csv by suffix) with Chinese headers; return it."""
    return write_ledger(loans, path)


def policy_in(folder: Path, extra: str = "") -> Policy:
    """Return the policy of ``POLICY_TEXT`` plus ``extra`` (lines under ``letters:``), loaded from a
    file written in ``folder`` (made when missing)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "policy.yaml"
    path.write_text(POLICY_TEXT + extra, encoding="utf-8")
    return load_policy(path)


def issue_letters(folder: Path, policy: Policy, loans: list[Loan], as_of: dt.date = AS_OF) -> LettersResult:
    """Return the result of ``make_letters`` for ``loans`` on ``as_of``, written to ``folder``/out
    with the register ``folder``/register.sqlite."""
    with Register(folder / "register.sqlite") as register:
        return make_letters(loans, as_of, folder / "out", policy=policy, register=register)


def written(result: LettersResult, document: str) -> tuple[Outcome, str]:
    """Return the one ``document`` written in ``result`` and its text re-read from the Word file."""
    (outcome,) = [o for o in result.written if o.document == document]
    return outcome, docx_text(Path(outcome.file))



def plan_and_letters(folder: Path, loans: list[Loan], as_of: dt.date = AS_OF) -> tuple[str, str, list[dict[str, Any]]]:
    """Write ``POLICY_TEXT`` and a ledger of ``loans`` into ``folder``, run ``docgen collect plan``,
    ``collect letters`` and ``collect letters --format json`` again on ``as_of`` (each must exit 0);
    return the plan's and the letters' text and the second run's ``loans`` outcomes."""
    from click.testing import CliRunner

    from docgen.cli import main

    (folder / "policy.yaml").write_text(POLICY_TEXT, encoding="utf-8")
    ledger = write_loans(folder / "ledger.xlsx", loans)
    common = ["--ledger", str(ledger), "--as-of", as_of.isoformat(), "--policy", str(folder / "policy.yaml"),
              "--register", str(folder / "register.sqlite")]
    runs = [CliRunner().invoke(main, args) for args in (
        ["collect", "plan", *common],
        ["collect", "letters", *common, "--out", str(folder / "out")],
        ["collect", "letters", *common, "--out", str(folder / "out"), "--format", "json"])]
    for run in runs:
        assert run.exit_code == 0, run.output
    return runs[0].stdout, runs[1].stdout, json.loads(runs[2].stdout)["loans"]


def serials_taken_on(monkeypatch: Any, day: dt.date) -> None:
    """Have the register record every serial it allocates as taken on ``day`` (09:00, the machine's
    time zone), not on the machine clock's date: a declaration's guarantee period counts from the
    earlier of its letter's date and that day (``letters.IssuedKeys.issued_on``), so a test of it
    holds on any date the clock shows."""
    import docgen.documents.register as register

    taken = dt.datetime.combine(day, dt.time(9)).astimezone().isoformat(timespec="seconds")
    monkeypatch.setattr(register, "_now", lambda: taken)
