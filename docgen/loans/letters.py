"""Demand letters due (逾期贷款催收函): from the ledger to Word files, through batch and register.

``letters_due(loans, as_of, policy)`` picks exactly the loans whose timetable has a demand letter
due on or before ``as_of`` (``docgen.loans.plan.letter_due_date``). ``letter_data`` maps a ledger
loan onto the ``demand-letter`` template's fields:

=================  =====================================================================
letter field       source
=================  =====================================================================
letter_date        the as-of date (the day the letters are generated)
borrower, id_number, contract_no, overdue_since, guarantors   the ledger columns
loan_date          发放日期; loan_amount: 发放金额
principal          逾期本金; interest: 欠息
penalty            罚息 = 逾期本金 x policy ``letters.penalty.daily_rate`` x days past due on the
                   letter date, rounded half-up to the fen (computed, never blank)
total              principal + interest + penalty
pay_by             letter date + policy ``letters.pay_within_days``
branch, branch_address, contact, phone   policy ``letters.branches[<机构>]`` (or ``default``);
                   a branch with neither gets no letter (reported: never a blank contact)
=================  =====================================================================

``make_letters`` validates every letter first with the template's own checks: a loan that
cannot give a valid letter is reported (row, field, why), never dropped silently; the valid
ones go through ``docgen.documents.batch.generate`` with the register, row key
``{loan_no}:demand-letter:{overdue_since}`` (``docgen.loans.plan.letter_key``), so a second run on
the same or a later day issues nothing new for the same arrears episode.
"""
from __future__ import annotations

import datetime as _dt
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from docgen.loans.plan import Policy, days_past_due, letter_due_date, letter_key, load_policy
from docgen.core.errors import InputError
from docgen.core.validation import Problem

TEMPLATE = "demand-letter"
_FEN = Decimal("0.01")

#: letter field -> where its value comes from, for problem messages (the ledger's Chinese header,
#: or the policy key to fill in).
SOURCES: dict[str, str] = {
    "borrower": "借款人", "id_number": "证件号码", "contract_no": "合同号", "loan_date": "发放日期",
    "loan_amount": "发放金额", "overdue_since": "逾期起始日", "principal": "逾期本金", "interest": "欠息",
    "penalty": "逾期本金", "total": "逾期本金/欠息", "guarantors": "担保人", "letter_date": "--as-of",
    "pay_by": "letters.pay_within_days", "branch": "机构", "branch_address": "letters.branches",
    "contact": "letters.branches", "phone": "letters.branches",
}


def penalty(loan: Any, letter_date: _dt.date, policy: Policy) -> Decimal:
    """Return the 罚息 printed on the letter: overdue principal x daily rate x days past due.

    Days past due are counted on the letter date (``overdue_since`` is day 1); the result is
    rounded half-up to the fen. Zero when nothing is overdue in principal, never None.
    """
    days = days_past_due(loan.overdue_since, letter_date)
    return (Decimal(loan.overdue_principal) * policy.penalty_daily_rate * days).quantize(_FEN, ROUND_HALF_UP)


def letter_data(loan: Any, letter_date: _dt.date, policy: Policy) -> dict[str, Any]:
    """Return the ``demand-letter`` data of ``loan`` (see the module's table); not yet validated.

    Fields the policy cannot supply (no contact for the branch) are left out, so the template's
    check reports them by name instead of a blank reaching the letter.
    """
    principal = Decimal(loan.overdue_principal)
    interest = Decimal(loan.overdue_interest)
    fine = penalty(loan, letter_date, policy)
    data: dict[str, Any] = {
        "letter_date": letter_date,
        "borrower": loan.borrower,
        "id_number": loan.id_number,
        "contract_no": loan.contract_no,
        "loan_date": loan.disbursed_on,
        "loan_amount": loan.principal,
        "overdue_since": loan.overdue_since,
        "principal": principal,
        "interest": interest,
        "penalty": fine,
        "total": principal + interest + fine,
        "pay_by": letter_date + _dt.timedelta(days=policy.pay_within_days),
        "guarantors": list(loan.guarantors),
        "branch": loan.branch,
    }
    contact = policy.contact(loan.branch)
    if contact is not None:
        data.update(branch=contact.name, branch_address=contact.address, phone=contact.phone,
                    contact=contact.contact)
    return data


def letters_due(loans: Iterable[Any], as_of: _dt.date, policy: Policy) -> list[Any]:
    """Return the loans whose timetable has a demand letter due on or before ``as_of``, in ledger order."""
    return [loan for loan in loans if letter_due_date(loan, as_of, policy) is not None]


def issued_keys(register_path: str | os.PathLike[str] | None) -> frozenset[str]:
    """Return the row keys of demand letters the register holds as issued (file written).

    ``None`` means the default register; a register that does not exist yet has issued nothing
    (and is not created by asking). Raises ``RegisterError`` when the file is not a register.
    """
    from docgen.core.userdirs import register_path as resolve_register
    from docgen.documents.register import Register

    path = resolve_register(register_path)
    if not path.exists():
        return frozenset()
    with Register(path) as register:
        return frozenset(r.row_key for r in register.records(TEMPLATE) if r.is_complete)


@dataclass
class RefusedLetter:
    """A loan due a letter that cannot have one: its loan number, ledger row, and the problems."""

    loan_no: str
    row: int
    problems: list[Problem]

    def to_dict(self) -> dict[str, Any]:
        """Return ``{"loan_no", "row", "problems": [{"field", "column", "message"}]}``."""
        return {"loan_no": self.loan_no, "row": self.row,
                "problems": [{"field": p.path, "column": p.column, "message": p.message} for p in self.problems]}

    def __str__(self) -> str:
        reasons = ";".join(f"{p.path}({p.column}):{p.message}" if p.column else f"{p.path}:{p.message}"
                           for p in self.problems)
        return f"第{self.row}行 借据号 {self.loan_no}: {reasons}"


@dataclass
class LettersResult:
    """What ``make_letters`` did: letters written now, already issued before, and refused loans."""

    as_of: _dt.date
    due: int
    written: list[dict[str, Any]] = field(default_factory=list)  # status written or restored
    skipped: list[dict[str, Any]] = field(default_factory=list)
    refused: list[RefusedLetter] = field(default_factory=list)
    merged_pdf: str | None = None

    @property
    def complete(self) -> bool:
        """True when every loan due a letter has one (written now or before)."""
        return not self.refused

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form printed by ``docgen collect letters --format json``."""
        return {
            "as_of": self.as_of.isoformat(), "due": self.due,
            "written": self.written, "skipped": self.skipped,
            "refused": [r.to_dict() for r in self.refused],
            "merged_pdf": self.merged_pdf,
        }


def check_letters(
    loans: Sequence[Any], as_of: _dt.date, policy: Policy, template: Any
) -> tuple[list[tuple[Any, dict[str, Any]]], list[RefusedLetter]]:
    """Return ``([(loan, data)], [RefusedLetter])``: the letters that pass the template's checks and the rest."""
    good: list[tuple[Any, dict[str, Any]]] = []
    refused: list[RefusedLetter] = []
    for loan in loans:
        data = letter_data(loan, as_of, policy)
        _, problems = template.check(data, row=loan.row, columns=SOURCES)
        if policy.contact(loan.branch) is None:
            # One clear reason instead of "contact missing" and "phone missing".
            problems = [p for p in problems if p.path not in ("contact", "phone", "branch_address")]
            problems.insert(0, Problem(
                "letters.branches",
                f"催收策略中没有机构“{loan.branch}”的联系方式(也没有 default):请在策略文件 letters.branches 下"
                f"添加 {loan.branch}: {{address: …, phone: …, contact: …}},用 --policy 指定",
                row=loan.row, column="机构",
            ))
        if problems:
            refused.append(RefusedLetter(loan.loan_no, loan.row, problems))
        else:
            good.append((loan, data))
    return good, refused


def make_letters(
    loans: Iterable[Any],
    as_of: _dt.date,
    out_dir: str | os.PathLike[str],
    *,
    policy: Policy | None = None,
    register: Any = None,
    pdf: bool = False,
    merge_pdf: str | os.PathLike[str] | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> LettersResult:
    """Generate the demand letters due on ``as_of`` into ``out_dir``; return what happened.

    ``register`` is an open ``docgen.documents.register.Register`` (default: the default register).
    Letters already in the register for the same arrears episode are not issued again (listed
    as skipped; one whose file has gone is written again under its old serial, status
    ``restored``). Raises ``InputError`` when letters are due but the policy has no branch
    contacts at all (every letter would lack its contact lines), and ``TemplateError``,
    ``RegisterError`` or ``ConversionError`` when the machinery itself fails; loans that cannot
    give a valid letter are in ``refused``. ``progress(stage, done, total)`` is the batch's
    callback (stages ``render`` and ``pdf``).
    """
    from docgen.documents.batch import generate
    from docgen.documents.register import Register
    from docgen.documents.template import load_template

    policy = policy or load_policy()
    template = load_template(TEMPLATE)
    due = letters_due(loans, as_of, policy)
    if due and not policy.branches:
        # Every letter would be refused for the same reason: say it once, as a usage problem.
        raise InputError(
            f"{policy.source}: letters.branches: 催收策略没有任何机构的联系方式,催收函无法填写联系人和电话;"
            "请用 --policy 指定策略文件并在 letters.branches 下填写各机构(或 default)的 address、phone、contact"
            "(示例见 examples/collection-policy.yaml)"
        )
    good, refused = check_letters(due, as_of, policy, template)
    result = LettersResult(as_of=as_of, due=len(due), refused=refused)
    own_register = register is None
    register = register or Register()
    try:
        items = [(letter_key(loan), data) for loan, data in good]
        batch = generate(template, items, Path(out_dir), register=register, pdf=pdf, merge_pdf=merge_pdf,
                         progress=progress)
    finally:
        if own_register:
            register.close()
    by_key = {letter_key(loan): loan for loan, _ in good}
    _collect_outcome(batch, by_key, result)
    return result


def _collect_outcome(batch: Any, by_key: dict[str, Any], result: LettersResult) -> None:
    """Sort the batch's documents into written by this run and issued before (left alone)."""
    for doc in batch.documents:
        loan = by_key.get(doc.row_key)
        entry = {"loan_no": loan.loan_no if loan else doc.row_key, "row": loan.row if loan else None,
                 "row_key": doc.row_key, "serial": doc.serial, "file": str(doc.file), "status": doc.status,
                 "pdf": str(doc.pdf) if doc.pdf else None}
        (result.skipped if doc.status == "skipped" else result.written).append(entry)
    result.merged_pdf = str(batch.merged) if batch.merged else None
