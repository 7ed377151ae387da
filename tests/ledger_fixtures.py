"""Hand-sized ledgers for the NPL tests, with figures computed by hand in the docstrings.

``seed_snapshots()`` reproduces the figures of the seed's report (篇十二) with six loans:

closing (2026-06-30)                         opening (2026-03-31)
  N1 次级 表内   500,000  (100 days overdue)    N1 次级 520,000
  N2 可疑 表内   400,000  (300 days)            N2 可疑 400,000
  N3 损失 表内   120,100  (400 days)            N3 损失 120,100
  P1 正常 表内 83,285,900                       P1 正常 83,285,900
  W1 损失 表外 16,272,500  recovered 107,000    W1 16,379,500
  W2 损失 表外  1,000,000  recovered  20,000    W2  1,020,000

on-balance NPL 500,000 + 400,000 + 120,100 = 1,020,100 (102.01万); opening 1,040,100 (104.01万);
change −20,000; loan balance 84,306,000; ratio 1,020,100 / 84,306,000 = 0.01209997… → 0.0121;
reduction 20,000 / 100,000 = 20 %; off-balance 17,272,500 (1727.25万); recovered 127,000
(12.70万) / 350,000 = 0.362857… → 36.29 %. N2 (300 days, 可疑) and N3 (400 days, 损失) are
consistent; N1 (100 days, 次级) too: no flags.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

from docgen.loans.ledger import Loan, write_ledger

AS_OF = dt.date(2026, 6, 30)
OPENING_AS_OF = dt.date(2026, 3, 31)
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def resident_id(serial: int) -> str:
    """Return a valid 居民身份证号 (眉县, born 1975-03-12) for ``serial`` 0..999."""
    body = f"61032619750312{serial % 1000:03d}"
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, WEIGHTS)) % 11]


def overdue_for(days: int, as_of: dt.date = AS_OF) -> dt.date:
    """Return the ``overdue_since`` that makes a loan ``days`` past due on ``as_of`` (day 1 = that date)."""
    return as_of - dt.timedelta(days=days - 1)


def row(loan_no: str, balance: Any, classification: str = "正常", *, on_balance: bool = True,
        days: int = 0, serial: int = 0, **extra: Any) -> dict[str, Any]:
    """Return one ledger row keyed by canonical names (values as a spreadsheet would hold them)."""
    data = {
        "loan_no": loan_no,
        "contract_no": f"HT-{loan_no}",
        "borrower": f"借款人{loan_no}",
        "id_number": resident_id(serial),
        "branch": "眉县支行营业部",
        "officer": "王立新",
        "product": "个人经营性贷款",
        "disbursed_on": dt.date(2023, 1, 10),
        "maturity": dt.date(2027, 1, 10),
        "principal": Decimal(balance) * 2 if isinstance(balance, (int, Decimal)) and balance > 0 else 1000000,
        "balance": Decimal(balance) if isinstance(balance, int) and not isinstance(balance, bool) else balance,
        "overdue_since": overdue_for(days) if days else None,
        "overdue_principal": None,
        "overdue_interest": None,
        "classification": classification,
        "on_balance": "表内" if on_balance else "表外",
        "recovered": None,
        "guarantors": None,
        "guarantee_period_end": None,
        "litigation": None,
        "last_interruption": None,
    }
    data.update(extra)
    since = data["overdue_since"]
    if isinstance(since, dt.date) and "disbursed_on" not in extra and since <= data["disbursed_on"]:
        # A loan is disbursed before it can fall overdue (a ledger saying otherwise is a row error).
        data["disbursed_on"] = since - dt.timedelta(days=730)
        if "maturity" not in extra:
            data["maturity"] = since - dt.timedelta(days=1)
    return data


def loan(loan_no: str, balance: Any, classification: str = "正常", **kw: Any) -> Loan:
    """Return a ``Loan`` built from ``row(...)`` (for in-memory figure tests)."""
    from docgen.loans.ledger import validate_row

    result, problems = validate_row(row(loan_no, balance, classification, **kw), 2)
    assert not problems, problems
    assert result is not None
    return result


def seed_snapshots() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Return ``(opening_rows, closing_rows)`` of the module docstring."""
    closing = [
        row("N1", 500000, "次级", days=100, serial=1, officer="李志强"),
        row("N2", 400000, "可疑", days=300, serial=2, officer="张红梅", litigation="已起诉"),
        row("N3", 120100, "损失", days=400, serial=3),
        row("P1", 83285900, "正常", serial=4, branch="金渠分理处", officer="张红梅"),
        row("W1", 16272500, "损失", on_balance=False, days=1500, serial=5, recovered=107000,
            officer="李志强", litigation="已判决,执行中"),
        row("W2", 1000000, "损失", on_balance=False, days=1200, serial=6, recovered=20000,
            guarantors="赵一、钱二;孙三"),
    ]
    opening = [dict(r, recovered=None) for r in closing]
    opening[0]["balance"] = Decimal(520000)
    opening[4]["balance"] = Decimal(16379500)
    opening[5]["balance"] = Decimal(1020000)
    return opening, closing


def write_seed_ledgers(folder: Path, suffix: str = ".xlsx") -> tuple[Path, Path, Path]:
    """Write the seed snapshots and targets into ``folder``; return (opening, closing, targets)."""
    opening, closing = seed_snapshots()
    opening_path = write_ledger(opening, folder / f"opening{suffix}")
    closing_path = write_ledger(closing, folder / f"closing{suffix}")
    targets = folder / "targets.yaml"
    targets.write_text("reduction_target: 100000\nrecovery_target: 350000\n", encoding="utf-8")
    return opening_path, closing_path, targets
