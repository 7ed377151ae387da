"""Collection letters due (DESIGN §8.1): from the ledger to Word files, through batch and register.

``make_letters(loans, as_of, out_dir, ...)`` builds the collection plan and decides, loan by loan,
which letter is due and may lawfully be sent:

- a loan whose timetable has the demand letter due (``docgen.loans.plan.letter_due_date``) gets
  the ``demand-letter`` (逾期贷款催收函) while its claim is inside the limitation period, and the
  ``debt-confirmation`` (催收通知书 with a 债务确认回执) once the period has run out: a
  time-barred claim never receives a letter saying the period is interrupted;
- each joint guarantor still liable gets a ``guarantor-demand`` (保证人履行保证责任通知书) when the
  plan's next action is ``guarantor-demand``, or the guarantee lapses inside the warning window;
  a discharged guarantor is never named in any letter;
- a loan in court (已起诉/已判决/执行中/终结本次执行) gets no letter to the borrower (the proceedings
  collect the debt), but its joint guarantors get the notices a loan out of court would (one piece of
  code, ``plan_letters``'s ``call_guarantors``): each one asked for less than the balance that fell due
  (``PlanEntry.balance_guarantors``), and each not yet asked while the plan calls on them or the
  guarantee lapses inside the warning window; a suit against the borrower alone keeps no joint
  guarantor liable (《民法典》第六百九十三条第二款). Their wording is that of a loan in court (``in_court``).

Letter amounts: a matured loan's letter demands the whole balance, otherwise the overdue
principal; 罚息 comes from the loan's own 罚息利率 (annual / 360) or the policy's daily rate, on the
overdue principal (and a matured loan's rest from the day after maturity). The rest of a balance
declared due early fell due when the declaration reached the borrower, a day the register does not
hold (it records the issue date): a letter made after the declaring letter was issued in an earlier
run claims that 罚息 in words, computed separately (``penalty_reserved``), never as a figure. A loan
to be declared due early (宣布提前到期, ``plan.accelerating``) gets a letter declaring it and
demanding the balance under a key of its own (``letter_key(..., declaring=True)``): as the
episode's first letter, or after an ordinary letter that declared nothing (the flag came later).
Its guarantors are asked for the balance, by a notice of its own, only once that letter was
issued in an earlier run (《民法典》第一百三十七条第二款), the loan matured since or not (the notice
then says both); a letter of an earlier version that declared it under the ordinary key counts
(``IssuedKeys``). A guarantor asked before for less (the overdue amounts: ``plan.balance_notices_due``)
gets that notice too, though 向保证人主张日 keeps the guarantee for what was asked then; the notice
names the declaring letter by serial and date. So does a guarantor asked for the overdue instalments
of a loan that then matured without a declaration: a notice of its own (``plan.MATURED_BALANCE``)
says the whole balance fell due at maturity. A notice following such an earlier demand says its
service interrupts the limitation of what was asked then (《民法典》第一百九十五条) and starts that of
the rest (第六百九十四条第二款); it is written for a loan in court as well (a suit against the
borrower keeps no joint guarantor liable), where no other letter is.
A letter needs its addressee's address (the borrower's 借款人地址, a guarantor's entry in
保证人地址), the bank's legal name (``letters.bank_legal_name``) and the branch's contact details;
without one, the loan is reported with the reason and no letter is written. A guarantor's notice
prints that guarantor's own ID number in full (保证人证件号码) and the borrower's masked. Every letter goes through ``docgen.documents.batch.generate`` with the register (row keys
from ``docgen.loans.plan.letter_key``), so a second run issues nothing twice. ``LettersResult``
holds one ``Outcome`` per overdue loan and letter: what was issued, or why nothing was.
"""
from __future__ import annotations

import datetime as _dt
import os
import re
from collections.abc import Callable, Container, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from docgen.core.errors import InputError
from docgen.core.periods import add_years
from docgen.core.validation import Problem
from docgen.loans.messages import DOCUMENT_NAMES_EN, MESSAGES, plan_label
from docgen.loans.plan import (
    DECLARING,
    MATURED_BALANCE,
    Plan,
    PlanEntry,
    Policy,
    accelerating,
    asked_for_less,
    balance_fell_due,
    balance_notice_key,
    build_plan,
    complaint_flag,
    days_past_due,
    declaration_issued,
    guarantee_call_due,
    guarantor_notice_key,
    key_beginnings,
    letter_due_date,
    letter_key,
    load_policy,
    notice_window,
    penalty_assumed_none,
    recorded,
    service_deadline,
)

TEMPLATE = "demand-letter"
DOCUMENTS: dict[str, str] = {
    "demand-letter": "逾期贷款催收函",
    "debt-confirmation": "催收通知书",
    "guarantor-demand": "保证人履行保证责任通知书",
}
"""Letter template -> its title, as printed in outcomes."""

SUBFOLDERS: dict[str, str] = {"demand-letter": "", "debt-confirmation": "催收通知书", "guarantor-demand": "保证人通知书"}
"""Where each letter goes inside ``--out`` (each folder keeps its own manifest)."""

_FEN = Decimal("0.01")

#: letter field -> where its value comes from, for problem messages.
SOURCES: dict[str, str] = {
    "borrower": "借款人", "id_number": "证件号码", "borrower_id": "证件号码", "contract_no": "合同号",
    "loan_date": "发放日期", "loan_amount": "发放金额", "maturity": "到期日期", "overdue_since": "逾期起始日",
    "principal": "逾期本金", "balance": "贷款余额", "interest": "欠息", "penalty": "逾期本金", "total": "逾期本金/欠息",
    "overdue_items": "逾期本金/欠息",
    "borrower_address": "借款人地址", "letter_date": "--as-of", "pay_by": "letters.pay_within_days",
    "bank_legal_name": "letters.bank_legal_name", "branch": "机构", "branch_address": "letters.branches",
    "contact": "letters.branches", "phone": "letters.branches", "guarantor": "担保人",
    "guarantor_address": "保证人地址", "guarantor_id": "保证人证件号码",
}


def daily_penalty_rate(loan: Any, policy: Policy) -> Decimal:
    """Return the daily 罚息 rate: the loan's own annual 罚息利率 / 360, else the policy's daily rate."""
    rate = getattr(loan, "penalty_rate", None)
    return Decimal(rate) / 360 if rate is not None else policy.penalty_daily_rate


def _percent(value: Decimal) -> str:
    text = f"{(value * 100).normalize():f}"
    return f"{text}%"


def _printed_daily_rate(loan: Any, policy: Policy) -> str:
    """Return the daily rate as the letter prints it: the policy's rate exactly as the 罚息 was
    computed with it (0.018125%, never cut to 0.0181%); for a loan with its own annual rate, whose
    letter prints that rate instead, its daily share to six places."""
    rate = daily_penalty_rate(loan, policy)
    if getattr(loan, "penalty_rate", None) is not None:
        rate = rate.quantize(Decimal("0.000001"))
    return _percent(rate)


def penalty(loan: Any, letter_date: _dt.date, policy: Policy) -> Decimal:
    """Return the 罚息 to the letter date, rounded half-up to the fen; zero when nothing is overdue.

    The overdue principal bears penalty from its first overdue day; for a matured loan the rest
    of the balance bears it from the day after maturity. Never None.

    Day count (one convention for the letters, the plan and the example rows): each part bears
    罚息 for its 逾期天数 on the letter date, ``days_past_due(first overdue day, letter_date)``:
    from the first overdue day to the letter date, both counted, so a letter served on day 7 of
    arrears claims 7 days, and one dated the first overdue day claims 1. The letters print this
    window (罚息计至发函日，含当日; 自逾期之日（逾期第1日）起计; ``tools/build_loan_letters.py``),
    and the plan reports the same 逾期天数. For a sum due on day D (first overdue day D + 1)
    that is ``(letter_date - D).days`` days.
    """
    from docgen.loans.plan import overdue_start

    rate = daily_penalty_rate(loan, policy)
    since = overdue_start(loan)
    if since is None:
        return Decimal(0)
    overdue = min(Decimal(loan.overdue_principal), Decimal(loan.balance))
    amount = overdue * rate * days_past_due(since, letter_date)
    if loan.maturity < letter_date:
        rest = Decimal(loan.balance) - overdue
        # From the day after maturity: overdue_start is never later while a balance is left.
        amount += rest * rate * days_past_due(loan.maturity + _dt.timedelta(days=1), letter_date)
    return amount.quantize(_FEN, ROUND_HALF_UP)


def _common(loan: Any, letter_date: _dt.date, policy: Policy) -> dict[str, Any]:
    data: dict[str, Any] = {
        "letter_date": letter_date,
        "bank_legal_name": policy.bank_legal_name,
        "contract_no": loan.contract_no,
        "loan_date": loan.disbursed_on,
        "loan_amount": loan.principal,
        "maturity": loan.maturity,
        "pay_by": letter_date + _dt.timedelta(days=policy.pay_within_days),
        "branch": loan.branch,
    }
    contact = policy.contact(loan.branch)
    if contact is not None:
        data.update(branch=contact.name, branch_address=contact.address, phone=contact.phone,
                    contact=contact.contact)
    if not data["bank_legal_name"]:
        del data["bank_legal_name"]  # reported by name, never printed blank
    return data


def _amounts(loan: Any, letter_date: _dt.date, policy: Policy, *, declared: bool = True) -> dict[str, Any]:
    """Return the amounts a letter demands: the whole balance of a matured loan, or of one to be
    declared due early (``accelerating``) when ``declared``; else the overdue amounts (an
    unmatured loan whose early maturity this letter does not declare, or was not declared yet).
    ``penalty_agreed`` is False when the 罚息 rate is nil (the ledger's 罚息利率 is 0, or it gives none and
    the policy's daily rate is 0): the loan bears no 罚息, and its letters neither claim nor reserve any.
    ``overdue_items`` names what fell due unpaid (本息, 本金 or 利息, from 逾期本金 and 欠息): a letter
    demanding the whole balance says what the default was, its table's principal being the balance."""
    from docgen.loans.plan import overdue_start

    matured = loan.maturity < letter_date
    whole = matured or (declared and accelerating(loan, letter_date, policy))
    principal = Decimal(loan.balance) if whole else Decimal(loan.overdue_principal)
    interest = Decimal(loan.overdue_interest)
    fine = penalty(loan, letter_date, policy)
    owes_principal, owes_interest = Decimal(loan.overdue_principal) > 0, interest > 0
    return {
        "matured": matured,
        "accelerated": whole and not matured,
        "overdue_since": overdue_start(loan),
        "principal_label": "贷款本金余额" if whole else "逾期本金",
        "principal": principal, "interest": interest, "penalty": fine, "total": principal + interest + fine,
        "penalty_agreed": daily_penalty_rate(loan, policy) > 0,
        "overdue_items": "本息" if owes_principal == owes_interest else "利息" if owes_interest else "本金",
    }


def _reserved(amounts: dict[str, Any], declared_earlier: bool) -> bool:
    """Return whether a letter demanding ``amounts`` (``_amounts``) claims in words the 罚息 its
    figure leaves out (``penalty_reserved``): the declaration went out in an earlier run
    (``plan.declaration_issued``) and the letter demands the whole balance, declared due early
    (the rest's 罚息 from the day after the declaration took effect) or matured since (that 罚息 up to
    maturity; the figure runs from the day after)."""
    return declared_earlier and (amounts["accelerated"] or amounts["matured"])


def letter_data(loan: Any, letter_date: _dt.date, policy: Policy,
                guarantors: Sequence[str] = (), *, declares: bool = True,
                declared_earlier: bool = False) -> dict[str, Any]:
    """Return the ``demand-letter`` data of ``loan`` (not yet validated).

    ``guarantors`` are those still liable (the plan's ``liable_guarantors``): only they are named
    in the security clause; the collateral clause appears only when the ledger records collateral.
    ``declares`` False: the letter declares nothing, so an unmatured loan's letter demands its
    overdue amounts even when it is to be declared due early (a letter of its own does that).
    ``declared_earlier``: the declaring letter was issued in an earlier run (``plan.declaration_issued``),
    so a letter made now (restored) claims in words (``_reserved``) the 罚息 on the rest of the
    balance from the day after the declaration took effect, which no figure can show.
    Fields the ledger or policy cannot supply are left out, so the template's check names them.
    """
    data = _common(loan, letter_date, policy)
    data.update(_amounts(loan, letter_date, policy, declared=declares))
    data["penalty_reserved"] = _reserved(data, declared_earlier)
    measures = ["credit"]
    if guarantors:
        measures.append("guarantors")
    if getattr(loan, "collateral", ""):
        measures.append("collateral")
    measures.append("suit")
    data.update(
        borrower=loan.borrower, id_number=loan.id_number, balance=Decimal(loan.balance),
        penalty_annual=_percent(Decimal(loan.penalty_rate)) if getattr(loan, "penalty_rate", None) is not None else "",
        penalty_daily=_printed_daily_rate(loan, policy),
        measures=measures, guarantors=list(guarantors),
        collateral=getattr(loan, "collateral", "") or "",
    )
    if getattr(loan, "address", ""):
        data["borrower_address"] = loan.address
    return data


def confirmation_data(loan: Any, letter_date: _dt.date, policy: Policy) -> dict[str, Any]:
    """Return the ``debt-confirmation`` data of a time-barred ``loan``: balance and interest owed."""
    data = _common(loan, letter_date, policy)
    balance, interest = Decimal(loan.balance), Decimal(loan.overdue_interest)
    data.update(borrower=loan.borrower, id_number=loan.id_number, balance=balance, interest=interest,
                total=balance + interest)
    if getattr(loan, "address", ""):
        data["borrower_address"] = loan.address
    return data


def guarantor_party(loan: Any, guarantor: str) -> tuple[str, str]:
    """Return ``(address, id_number)`` of ``guarantor`` from the loan's 保证人地址 and 保证人证件号码
    (the values in the position of that name in 担保人); ``""`` for what the ledger does not give."""
    names = list(getattr(loan, "guarantors", ()))
    at = names.index(guarantor) if guarantor in names else -1

    def value(column: str) -> str:
        values = getattr(loan, column, ())
        return values[at] if 0 <= at < len(values) else ""

    return value("guarantor_addresses"), value("guarantor_ids")


def guarantor_data(loan: Any, guarantor: str, entry: PlanEntry, letter_date: _dt.date,
                   policy: Policy, *, declared: bool = True, declared_earlier: bool | None = None,
                   declaration: tuple[str, _dt.date | None] | None = None) -> dict[str, Any]:
    """Return the ``guarantor-demand`` data of one liable joint guarantor of ``loan``.

    ``declared``: the borrower's letter declaring the loan due early (宣布提前到期) was issued in an
    earlier run (``plan.declaration_issued``: one issued in this run has not reached the borrower
    yet). Until then the guarantor of an unmatured loan is asked for the overdue amounts only;
    after, for the whole balance, and the notice says the bank sent the letter declaring it (matured
    since: ``declared_early``, and that the loan has matured as well); its
    罚息 figure stays that of the overdue principal, and the notice claims in words the 罚息 on the
    rest of the balance from the day after the declaration took effect (that day, its service on the
    borrower, is recorded nowhere: no figure is asserted that the bank could not prove).
    ``declared_earlier`` (``plan.declaration_issued``; default ``declared``): a notice on a loan
    matured since the declaration claims that 罚息 up to maturity in words as well (``_reserved``).
    ``declaration`` (``IssuedKeys.declaration``): the serial and date of the letter that declared it,
    which a notice asking the balance names (the date only when read from that letter's unaltered file).
    The guarantee period the notice states is ``plan.notice_window``'s: a guarantee kept by an
    earlier demand for less may have its end counted from the declaration passed, the one from
    maturity not (the notice then states its effect on that count's condition).
    The guarantor's address and ID number are left out when the ledger lacks them (no address:
    the notice is refused by ``plan_letters``; no ID number: the 送达回证 leaves it to the server).
    """
    data = _common(loan, letter_date, policy)
    data.update(_amounts(loan, letter_date, policy, declared=declared))
    data["penalty_reserved"] = _reserved(data, declared if declared_earlier is None else declared_earlier)
    assert entry.guarantee is not None
    # A guarantee period ending within the service margin makes the notice's effect conditional
    # on its service before the period ends (``serve_by``).
    # Past the end counted from the declaration of early maturity (``Guarantee.disputed_end``), the notice
    # goes out before the end counted from maturity, its effect stated on that count's condition.
    window = notice_window(entry.guarantee, letter_date)
    end, disputed = window or (entry.guarantee.period_end, entry.guarantee.disputed_end is not None)
    data.update(guarantor=guarantor, borrower=loan.borrower, borrower_id=loan.id_number,
                guarantee_period_end=end, serve_by=service_deadline(end, letter_date, policy),
                period_disputed=disputed)
    # Matured since the declaration, the notice still says the balance fell due by it (the declaring letter named).
    data["declared_early"] = declared and data["matured"]
    if declaration is not None and (data["accelerated"] or data["declared_early"]):
        data["declaration_serial"], data["declared_on"] = declaration
    address, id_number = guarantor_party(loan, guarantor)
    if address:
        data["guarantor_address"] = address
    if id_number:
        data["guarantor_id"] = id_number
    return data


def letters_due(loans: Iterable[Any], as_of: _dt.date, policy: Policy) -> list[Any]:
    """Return the loans whose timetable has a borrower letter due on or before ``as_of``, in ledger order."""
    return [loan for loan in loans if letter_due_date(loan, as_of, policy) is not None]


#: What the body of a letter declaring a loan due early says (the demand letter's 宣布上述贷款全部提前到期,
#: the guarantor notice's 宣布该笔贷款全部提前到期); no other letter says it.
DECLARATION = "全部提前到期"


class IssuedKeys(frozenset):  # type: ignore[type-arg]
    """The row keys of the collection letters a register holds as issued (``frozenset[str]``).

    A declaring key (``letter_key(..., declaring=True)``) is held too when the episode's letter
    under the ordinary key declared the early maturity itself, as docgen did before declaring
    letters had keys of their own: its recorded file, unaltered (the SHA-256 the register holds),
    says so (``DECLARATION``). A file gone, altered or unreadable proves nothing: the loan is then
    declared again by a letter of its own. Files are read only when asked, once each.
    """

    _files: dict[str, tuple[str, str]]
    _said: dict[str, bool]
    _dated: dict[str, tuple[str, str, str]]
    _serials: dict[str, str]
    _bears: dict[str, _dt.date | None]

    def __new__(cls, keys: Iterable[str], files: dict[str, tuple[str, str]] | None = None,
                dated: dict[str, tuple[str, str, str]] | None = None,
                serials: dict[str, str] | None = None) -> IssuedKeys:
        self = super().__new__(cls, keys)
        self._files = files or {}  # ordinary key -> (file, sha256) of the letters that may have declared
        self._said = {}
        self._dated = dated or {}  # demand letter's or guarantor notice's key -> (file, sha256, created)
        self._serials = serials or {}  # demand letter's key -> serial
        self._bears = {}  # key -> bears_date, each file read once
        return self

    def declaration(self, key: str) -> tuple[str, _dt.date | None] | None:
        """Return ``(serial, date)`` of the demand letter held under declaring ``key`` (or, read into
        an ordinary letter of an earlier version, that letter's), or None when none is held or its
        serial is unknown. The date is the one the letter bears, read from its recorded file when
        unaltered, and only when no later than the day its serial was taken: a letter made again
        later (restored, under its old serial) bears the later date, not the one served; None then,
        and when the file proves nothing (the day the serial was taken may not be the letter's)."""
        if key not in self:
            return None
        held = key if key in self._serials else key[: -len(DECLARING)] if key.endswith(DECLARING) else key
        serial = self._serials.get(held)
        if serial is None:
            return None
        return serial, self.bears_date(held)

    def bears_date(self, key: str) -> _dt.date | None:
        """Return the date the letter held under ``key`` itself bears (a demand letter or a guarantor
        notice), read from its recorded file when unaltered, and only when no later than the day its
        serial was taken: a letter made again later (restored, under its old serial) bears the later
        date, not the one served. None then, when the file proves nothing, or when none is held."""
        if key in self._bears:
            return self._bears[key]
        found = self._dated.get(key)
        dated = None
        if found is not None:
            file, sha256, created = found
            dated = _letter_date(file, sha256)
            if dated is not None and dated > _dt.datetime.fromisoformat(created).date():
                dated = None
        self._bears[key] = dated
        return dated

    def issued_on(self, key: str) -> _dt.date | None:
        """Return the date of the demand letter held under ``key`` (a declaring key read into an
        ordinary letter of an earlier version: that letter's), or None when none is held.

        The earlier of the date the letter bears (its 发函日期, read from its recorded file when
        unaltered) and the day its serial was allocated (``Record.created``): a letter made again
        later (restored, under its old serial) bears a later date than the one first served.
        Files are read only when asked."""
        if key not in self:
            return None
        found = self._dated.get(key)
        if found is None and key.endswith(DECLARING):
            found = self._dated.get(key[: -len(DECLARING)])
        if found is None:
            return None
        file, sha256, created = found
        allocated = _dt.datetime.fromisoformat(created).date()
        dated = _letter_date(file, sha256)
        return allocated if dated is None else min(dated, allocated)

    def __contains__(self, key: object) -> bool:
        if super().__contains__(key):
            return True
        if not isinstance(key, str) or not key.endswith(DECLARING):
            return False
        ordinary = key[: -len(DECLARING)]
        if ordinary not in self._files:
            return False
        if ordinary not in self._said:
            self._said[ordinary] = _declares(*self._files[ordinary])
        return self._said[ordinary]

    def recorded(self, key: str) -> bool:
        """Return True when the register holds ``key`` itself (not read into an older letter)."""
        return super().__contains__(key)

    def loan_numbers(self) -> frozenset[str]:
        """Return what the keys held may begin with as a loan's number (``plan.held_loans``): those of
        the keys themselves and of the letters a declaring key is read into (``__contains__``)."""
        return key_beginnings([*self, *self._files])


#: A letter docgen wrote is tens of KB: a recorded file larger than this is not the one issued.
_LETTER_LIMIT = 16 << 20


def _issued_letter(file: str, sha256: str) -> list[str] | None:
    """Return the paragraphs' text of the letter at ``file`` when it is still the one issued
    (``sha256``); None when it is gone, altered, unreadable or not a regular file. The file is read
    once, at most ``_LETTER_LIMIT`` bytes: the bytes parsed are those checked."""
    import hashlib
    import io
    import zipfile

    import docx

    from docgen.core.regularfile import open_regular

    try:
        with open_regular(file) as stream:  # a FIFO or device put in its place is refused, never waited on
            content = stream.read(_LETTER_LIMIT + 1)
        if len(content) > _LETTER_LIMIT or hashlib.sha256(content).hexdigest() != sha256:
            return None
        document = docx.Document(io.BytesIO(content))
    except (OSError, ValueError, KeyError, zipfile.BadZipFile):
        return None
    return [paragraph.text for paragraph in document.paragraphs]


def _declares(file: str, sha256: str) -> bool:
    """Return True when the letter at ``file``, still the one issued (``sha256``), declares the
    loan due early; False when it does not, or is gone, altered, unreadable or not a regular file."""
    paragraphs = _issued_letter(file, sha256)
    return paragraphs is not None and any(DECLARATION in text for text in paragraphs)


#: A letter's date line under its signature (``date_cn``), the letter's only paragraph that is a date alone.
_DATE_LINE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")


def _letter_date(file: str, sha256: str) -> _dt.date | None:
    """Return the date the letter at ``file`` bears (the last paragraph that is a date alone: its
    signature's), when it is still the one issued (``sha256``); else None."""
    paragraphs = _issued_letter(file, sha256)
    for text in reversed(paragraphs or []):
        found = _DATE_LINE.fullmatch(text.strip())
        if found:
            try:
                return _dt.date(*map(int, found.groups()))
            except ValueError:
                return None
    return None


def issued_keys(register_path: str | os.PathLike[str] | None) -> IssuedKeys:
    """Return the row keys of collection letters the register holds as issued (file written),
    as ``IssuedKeys``.

    ``None`` means the default register; a register that does not exist yet has issued nothing
    (and is not created by asking). Raises ``RegisterError`` when the file is not a register.
    """
    from docgen.core.userdirs import register_path as resolve_register
    from docgen.documents.register_path import register_exists

    path = resolve_register(register_path)
    if not register_exists(path):
        return IssuedKeys(())  # the register's code (sqlite3, its store and lock) is not even imported
    from docgen.documents.register import Register

    with Register(path, readonly=True) as register:  # a plan only reads the register
        return _issued(register)


def _issued(register: Any) -> IssuedKeys:
    records = [r for name in DOCUMENTS for r in register.records(name) if r.is_complete]
    # A letter under an ordinary key may have declared the early maturity (earlier versions did).
    files = {r.row_key: (r.file, r.sha256) for r in records
             if r.template in ("demand-letter", "guarantor-demand") and not r.row_key.endswith(DECLARING)}
    # The demand letters' dates: a declaration's starts the guarantee period it may shorten (plan.declared_on);
    # a guarantor notice's says whether it asked the balance of a loan matured since (plan.asked_for_less).
    dated = {r.row_key: (r.file, r.sha256, r.created) for r in records
             if r.template in ("demand-letter", "guarantor-demand")}
    serials = {r.row_key: r.serial for r in records if r.template == "demand-letter"}
    return IssuedKeys((r.row_key for r in records), files, dated, serials)


@dataclass
class Outcome:
    """What ``collect letters`` did for one loan (and one addressee): a stable ``code`` and facts.

    Codes: ``issued``, ``restored``, ``issued-before``, ``held-elsewhere`` (another run is writing
    it), ``not-due``, ``litigation-pending``, and the refusals ``no-address`` (borrower),
    ``no-guarantor-address``, ``no-bank-name``, ``no-branch-contact``, ``template-check``,
    ``nothing-owed`` (every amount the letter would claim is nil: no letter states 0.00 as owed). ``document`` is the template id when a letter was
    concerned; ``party`` the addressee (borrower or guarantor).
    """

    loan_no: str
    row: int
    code: str
    document: str = ""
    party: str = ""
    serial: str = ""
    file: str = ""
    pdf: str | None = None
    facts: dict[str, Any] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    REFUSALS = frozenset({"no-address", "no-guarantor-address", "no-bank-name", "no-branch-contact",
                          "template-check", "nothing-owed"})

    @property
    def refused(self) -> bool:
        """True when a letter was due and could not be written."""
        return self.code in self.REFUSALS

    @property
    def next_step(self) -> str | None:
        """What the user does with the letter once written (the Chinese sentence), or None: serve a
        letter whose period ends soon (``serve_by``: a demand letter's limitation period, a guarantor
        notice's guarantee period) in person by that day; record a guarantor notice's service as
        向保证人主张日."""
        if self.code not in ("issued", "restored", "issued-before"):
            return None
        if self.document == "guarantor-demand":
            step = self._guarantor_step()
            if step is not None and self.facts.get("in_court"):
                return MESSAGES.text("guarantor-demand-next/in-court", {
                    "step": step, "filed": self.facts.get("filed", ""), "complaint": self.facts.get("complaint"),
                    "record_suit": self.facts.get("record_suit")})
            return step
        if self.document == "demand-letter" and "serve_by" in self.facts:
            return MESSAGES.text("demand-letter-next", self.facts)
        return None

    def _guarantor_step(self) -> str | None:
        """Return ``next_step`` of a guarantor notice, the loan not in court, or None."""
        if "kept" in self.facts and self.code != "issued-before":
            return MESSAGES.text("guarantor-demand-next/balance", self.facts)
        if "serve_by" in self.facts:
            return MESSAGES.text("guarantor-demand-next/serve-by", self.facts)
        if "deadline" in self.facts and self.code != "issued-before":
            return MESSAGES.text("guarantor-demand-next", self.facts)
        return None

    @property
    def message(self) -> str:
        """The Chinese sentence of this outcome (``docgen.loans.messages``)."""
        return self.worded()

    def worded(self, lang: str = "zh") -> str:
        """Return the sentence of this outcome in ``lang``: Chinese, or English (``en``) for a refusal
        (``REFUSALS``), as the service's English job page lists the letters not made, the letter by
        its English name and a template's problems by their codes; any other outcome in Chinese."""
        english = lang == "en" and self.refused
        document = (DOCUMENT_NAMES_EN if english else DOCUMENTS).get(self.document, "")
        lang = "en" if english else "zh"
        if self.facts.get("declares_acceleration"):
            document = MESSAGES.text("document/declaring", {"document": document}, lang)
        facts = {"document": document, "serial": self.serial, **self.facts}
        if self.code == "template-check":
            facts["problems"] = [MESSAGES.text("template-check-problem" if p.column else "template-check-problem/no-column",
                                               _problem_facts(p, english), lang)
                                 for p in self.problems]
        said = MESSAGES.text(self.code, facts, lang)
        if self.facts.get("penalty_none") and self.code in ("issued", "restored", "issued-before"):
            said += MESSAGES.text("penalty-none-letter", facts)  # never a refusal: Chinese
        return said

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form."""
        return {"loan_no": self.loan_no, "row": self.row, "code": self.code, "document": self.document or None,
                "party": self.party or None, "serial": self.serial or None, "file": self.file or None,
                "pdf": self.pdf, "facts": dict(self.facts), "message": self.message, "next_step": self.next_step,
                "problems": [p.to_dict() for p in self.problems]}


def _problem_facts(problem: Problem, english: bool) -> dict[str, Any]:
    """The facts wording one of a template-check refusal's ``problem``s: its field, its ledger column
    and what is wrong, in English by its code (``T（诉讼状态）`` as ``T (诉讼状态)``) when ``english``."""
    if not english:
        return {"path": problem.path, "column": problem.column, "message": problem.message}
    from docgen.check.messages import problem_in_english
    from docgen.core.messages import english_column

    return {"path": problem.path, "column": english_column(problem.column or ""),
            "message": problem_in_english(problem)}


@dataclass
class LettersResult:
    """What ``make_letters`` did: one ``Outcome`` per overdue loan and letter, and the merged PDF."""

    as_of: _dt.date
    outcomes: list[Outcome] = field(default_factory=list)
    merged_pdf: str | None = None
    after_as_of: list[tuple[str, int]] = field(default_factory=list)

    def _with(self, *codes: str) -> list[Outcome]:
        return [o for o in self.outcomes if o.code in codes]

    @property
    def written(self) -> list[Outcome]:
        """Letters written by this run (new, or restored under their old serial)."""
        return self._with("issued", "restored")

    @property
    def skipped(self) -> list[Outcome]:
        """Letters issued before and left alone."""
        return self._with("issued-before")

    @property
    def held(self) -> list[Outcome]:
        """Letters another running ``collect letters`` holds (reserved, being written)."""
        return self._with("held-elsewhere")

    @property
    def refused(self) -> list[Outcome]:
        """Letters due that could not be written, each with its reason."""
        return [o for o in self.outcomes if o.refused]

    @property
    def due(self) -> int:
        """Letters due on the as-of date (written now, before, held elsewhere or refused)."""
        return len(self.written) + len(self.skipped) + len(self.held) + len(self.refused)

    @property
    def complete(self) -> bool:
        """True when every letter due exists (written now or before) and none is held elsewhere."""
        return not self.refused and not self.held

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form printed by ``docgen collect letters --format json``."""
        return {
            "as_of": self.as_of.isoformat(), "due": self.due,
            "written": [o.to_dict() for o in self.written], "skipped": [o.to_dict() for o in self.skipped],
            "held_elsewhere": [o.to_dict() for o in self.held], "refused": [o.to_dict() for o in self.refused],
            "loans": [o.to_dict() for o in self.outcomes],
            "after_as_of": [{"loan_no": no, "row": row} for no, row in self.after_as_of],
            "merged_pdf": self.merged_pdf,
        }


@dataclass
class _Job:
    entry: PlanEntry
    document: str
    key: str
    data: dict[str, Any]
    party: str


def _refusal(entry: PlanEntry, document: str, party: str, policy: Policy, data: dict[str, Any],
             problems: list[Problem]) -> Outcome | None:
    loan = entry.loan
    base = dict(loan_no=entry.loan_no, row=entry.row, document=document, party=party)
    if "bank_legal_name" not in data:
        return Outcome(**base, code="no-bank-name")
    if policy.contact(loan.branch) is None:
        return Outcome(**base, code="no-branch-contact", facts={"branch": loan.branch})
    if document == "guarantor-demand":
        if "guarantor_address" not in data:
            return Outcome(**base, code="no-guarantor-address", facts={"guarantor": party})
    elif not getattr(loan, "address", ""):
        return Outcome(**base, code="no-address")
    if problems:
        return Outcome(**base, code="template-check", problems=problems)
    return None


def plan_letters(plan: Plan, templates: dict[str, Any],
                 issued: Container[str] = frozenset()) -> tuple[list[_Job], list[Outcome]]:
    """Return the letters the plan calls for (checked against their templates) and the outcomes
    of loans that get none or whose letter is refused. ``templates`` maps template id -> Template;
    ``issued`` the row keys the register holds (``IssuedKeys``: letters issued before this run).

    A loan to be declared due early (``plan.accelerating``) gets the declaring demand letter
    (its own key, ``letter_key(..., declaring=True)``) as its first letter of the episode, or after
    an ordinary one that declared nothing; letters issued before are passed on again so the batch
    reports them (or restores a lost file) under their own key and with what they said."""
    policy = plan.policy
    as_of = plan.as_of
    jobs: list[_Job] = []
    outcomes: list[Outcome] = []

    def add(entry: PlanEntry, document: str, key: str, data: dict[str, Any], party: str) -> None:
        """Queue the letter, or its refusal."""
        if data.get("total") == 0:
            # Nothing to claim: a letter stating 0.00 as owed is never made. The ledger says the loan
            # is overdue (逾期起始日) while every amount it could demand is nil: the row is to be fixed.
            outcomes.append(Outcome(entry.loan_no, entry.row, "nothing-owed", document, party,
                                    facts=_owed(entry.loan)))
            return
        _, problems = templates[document].check(data, row=entry.row, columns=SOURCES)
        refused = _refusal(entry, document, party, policy, data, problems)
        if refused is not None:
            outcomes.append(refused)
            return
        jobs.append(_Job(entry, document, key, data, party))

    def call_guarantors(entry: PlanEntry, *, in_court: bool) -> None:
        """Queue the notices to the joint guarantors of ``entry``'s loan the plan calls on: each one
        to be asked for the balance that fell due (``PlanEntry.balance_guarantors``), and, while the
        guarantee needs a demand and one is due (the plan's next action, or the guarantee lapses inside
        the warning window: ``guarantee_call_due``), each liable guarantor not yet asked; a notice the
        register holds under the key asked now is passed again (the batch reports or restores it, never
        issues it twice). ``in_court``: the loan is in court, where the guarantor may be a party to the
        suit: the notice says nothing of the limitation of what was claimed before, and its next step
        says when it need not be served."""
        loan, guarantee = entry.loan, entry.guarantee
        calling = guarantee is not None and guarantee.needs_demand
        if not entry.balance_guarantors and not (calling and (
                entry.next_action == "guarantor-demand" or guarantee_call_due(guarantee, as_of, policy))):
            return
        # Early maturity is declared by the borrower's letter, and only takes effect once that
        # letter reaches the borrower (《民法典》第一百三十七条第二款): one queued in this run has
        # not, so its guarantors are asked for what is due without it. After it, a notice of
        # its own asks them for the balance, the loan matured since or not.
        fell_due = balance_fell_due(loan, as_of, policy, issued)
        declared = fell_due == "declared"
        for name in entry.liable_guarantors:
            balance = name in entry.balance_guarantors
            key = (balance_notice_key(loan, name, fell_due, issued) if balance
                   else guarantor_notice_key(loan, name, declared, issued))
            if not calling and not balance and not recorded(issued, key):
                continue  # kept by an earlier demand that may have asked the balance: nothing to ask again
            # A notice asking the balance (now, or made again) follows an earlier demand for less.
            earlier = balance or key.endswith(MATURED_BALANCE) or (
                declared and key.endswith(DECLARING) and asked_for_less(loan, name, fell_due, issued))
            data = _guarantor_notice(loan, name, entry, as_of, policy, issued, fell_due, earlier=earlier)
            if in_court:
                data["in_court"] = True
            add(entry, "guarantor-demand", key, data, name)

    for entry in plan.entries:
        loan = entry.loan
        if loan.in_litigation:
            # The proceedings collect the debt from the borrower; a joint guarantor is still called on
            # (not yet asked, the guarantee lapsing, or asked for less than the balance that fell due):
            # a suit against the borrower alone keeps no joint guarantor liable (《民法典》第六百九十三条第二款).
            outcomes.append(Outcome(entry.loan_no, entry.row, "litigation-pending",
                                    facts={"litigation": loan.litigation}))
            call_guarantors(entry, in_court=True)
            continue
        before = len(jobs) + len(outcomes)
        if letter_due_date(loan, as_of, policy) is not None:
            if entry.time_barred:
                add(entry, "debt-confirmation", letter_key(loan, "debt-confirmation"),
                    confirmation_data(loan, as_of, policy), loan.borrower)
            else:
                # The template checks its interruption sentence against the period the plan found;
                # a period ending within the service margin makes that sentence conditional.
                period = {"last_interruption": entry.limitation_start,
                          "serve_by": service_deadline(entry.limitation_deadline, as_of, policy)}
                earlier = declaration_issued(loan, policy, issued)
                for declares in _demand_letters(loan, as_of, policy, issued):
                    add(entry, "demand-letter", letter_key(loan, declaring=declares),
                        {**letter_data(loan, as_of, policy, entry.liable_guarantors, declares=declares,
                                       declared_earlier=earlier), **period},
                        loan.borrower)
        call_guarantors(entry, in_court=False)
        if len(jobs) + len(outcomes) == before:
            outcomes.append(Outcome(entry.loan_no, entry.row, "not-due", facts={
                "days": entry.days_past_due, "action": plan_label(entry.next_action, entry.time_barred),
                "due": entry.next_action_due.isoformat()}))
    return jobs, outcomes


def _guarantor_notice(loan: Any, name: str, entry: PlanEntry, as_of: _dt.date, policy: Policy,
                      issued: Container[str], fell_due: str, *, earlier: bool) -> dict[str, Any]:
    """Return ``guarantor_data`` of the notice to ``name``, the balance having fallen due as ``fell_due``
    says (``plan.balance_fell_due``); ``earlier``: an earlier demand asked that guarantor for less."""
    declared = fell_due == "declared"
    data = guarantor_data(loan, name, entry, as_of, policy, declared=declared,
                          declared_earlier=declaration_issued(loan, policy, issued),
                          declaration=_declaration(issued, loan) if declared else None)
    if earlier:
        data["earlier_demand"] = True
        start = _earlier_demand_date(loan, name, issued)
        # The earlier claim's limitation (three years from that demand's service, never earlier than the
        # date it bears) may end before this notice is served: its interruption is then stated on that condition.
        end = None if start is None else add_years(start, policy.limitation_years)
        data["earlier_claim_near"] = end is None or end < as_of or service_deadline(end, as_of, policy) is not None
    return data


def _earlier_demand_date(loan: Any, name: str, issued: Container[str]) -> _dt.date | None:
    """Return the earliest day the earlier demand on guarantor ``name`` can have been made: the ledger's
    向保证人主张日, or the day the register dates this episode's ordinary notice to that guarantor
    (``IssuedKeys.issued_on``: the date it bears or the day its serial was taken, whichever is earlier);
    None when neither is known."""
    days = [loan.guarantor_demanded] if loan.guarantor_demanded is not None else []
    dated = getattr(issued, "issued_on", None)
    ordinary = letter_key(loan, "guarantor-demand", name)
    if dated is not None and recorded(issued, ordinary):
        found = dated(ordinary)
        if found is not None:
            days.append(found)
    return min(days) if days else None


def _declaration(issued: Container[str], loan: Any) -> tuple[str, _dt.date | None] | None:
    """Return ``(serial, date)`` of the letter that declared ``loan`` due early as the register holds
    it (``IssuedKeys.declaration``), or None when ``issued`` cannot tell."""
    found = getattr(issued, "declaration", None)
    return None if found is None else found(letter_key(loan, declaring=True))


def _owed(loan: Any) -> dict[str, str]:
    """Return the amounts of ``loan``'s ledger row a letter claims from, as the ``nothing-owed`` refusal
    names them (yuan, with thousands separators)."""
    return {"balance": f"{loan.balance:,.2f}", "overdue_principal": f"{loan.overdue_principal:,.2f}",
            "interest": f"{loan.overdue_interest:,.2f}"}


def _demand_letters(loan: Any, as_of: _dt.date, policy: Policy, issued: Container[str]) -> list[bool]:
    """Return which demand letters of this episode to pass to the batch, by whether each declares
    the loan due early: those the register holds under their own key, and the one now due (the
    first letter, declaring when the loan is to be declared due early; or the declaring letter
    after an ordinary one that declared nothing). A letter read as declaring in an ordinary
    letter of an earlier version (``IssuedKeys``) is not written again."""
    ordinary = recorded(issued, letter_key(loan))
    declaring = recorded(issued, letter_key(loan, declaring=True))
    accelerate = accelerating(loan, as_of, policy)
    letters = []
    if ordinary or not (accelerate or declaring):
        letters.append(False)
    if declaring or (accelerate and letter_key(loan, declaring=True) not in issued):
        letters.append(True)
    return letters


def check_letters_policy(policy: Policy) -> None:
    """Raise ``InputError`` (exit 2) naming ``policy``'s file when the letters it would sign cannot
    be made: it gives no branch's contact details (``policy-no-branches``) or no legal name of the
    bank (``policy-no-bank-name``), as docgen's own policy does."""
    if not policy.branches:
        raise MESSAGES.error(InputError, "policy-no-branches", source=policy.source)
    if not policy.bank_legal_name:
        raise MESSAGES.error(InputError, "policy-no-bank-name", source=policy.source)


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
    """Generate the collection letters due on ``as_of`` into ``out_dir``; return what happened.

    ``register`` is an open ``docgen.documents.register.Register`` (default: the default register).
    Letters already in the register for the same arrears episode are not issued again
    (``issued-before``; one whose file has gone is written again under its old serial,
    ``restored``); letters another running batch holds are ``held-elsewhere``. Raises
    ``InputError`` when letters are due but the policy has no branch contacts or no bank legal
    name at all (every letter would be refused for the same reason), and ``TemplateError``,
    ``RegisterError`` or ``ConversionError`` when the machinery itself fails.
    ``progress(stage, done, total)`` is the batch's callback (stages ``render`` and ``pdf``).
    """
    from docgen.documents.batch import generate
    from docgen.documents.register import Register
    from docgen.documents.template import load_template

    policy = policy or load_policy()
    loans = list(loans)
    own_register = register is None
    register = register or Register()
    try:
        issued = _issued(register)
        plan = build_plan(loans, as_of, policy, issued=issued)
        templates = {name: load_template(name) for name in DOCUMENTS}
        jobs, outcomes = plan_letters(plan, templates, issued)
        jobs.sort(key=lambda job: job.entry.row)  # serials follow the ledger's order
        due = jobs or [o for o in outcomes if o.refused]
        if due:
            check_letters_policy(policy)
        result = LettersResult(as_of=as_of, outcomes=outcomes, after_as_of=list(plan.after_as_of))
        pdfs: list[Path] = []
        for name in DOCUMENTS:
            batch_jobs = [job for job in jobs if job.document == name]
            if not batch_jobs:
                continue
            folder = Path(out_dir) / SUBFOLDERS[name]
            batch = generate(templates[name], [(job.key, job.data) for job in batch_jobs], folder,
                             register=register, pdf=pdf or bool(merge_pdf), progress=progress)
            by_key = {job.key: job for job in batch_jobs}
            for doc in batch.documents:
                job = by_key[doc.row_key]
                code = {"skipped": "issued-before", "restored": "restored"}.get(doc.status, "issued")
                result.outcomes.append(Outcome(job.entry.loan_no, job.entry.row, code, name, job.party,
                                               doc.serial, str(doc.file), str(doc.pdf) if doc.pdf else None,
                                               facts=_next_step(job, policy)))
                if doc.pdf is not None:
                    pdfs.append(doc.pdf)
            for key in batch.in_progress:
                job = by_key[key]
                result.outcomes.append(Outcome(job.entry.loan_no, job.entry.row, "held-elsewhere", name, job.party))
    finally:
        if own_register:
            register.close()
    if merge_pdf and pdfs:
        from docgen.documents.pdf import merge_pdfs

        merge_pdfs(pdfs, merge_pdf)
        result.merged_pdf = str(merge_pdf)
    kinds = list(DOCUMENTS)
    result.outcomes.sort(key=lambda o: (o.row, kinds.index(o.document) if o.document else -1, o.party))
    return result


def _next_step(job: _Job, policy: Policy) -> dict[str, Any]:
    """Facts of a letter for the user: one claiming no 罚息 on a rate of nil says where the nil came
    from (``penalty_none``: ``plan.penalty_assumed_none``); a demand letter declaring the loan due early says so
    (``declares_acceleration``), one whose limitation period ends within the service margin names
    that day (``serve_by``: to be served in person by then); a guarantor notice, the date to enter
    as 向保证人主张日 and the last day it may be served, and ``serve_by`` when its guarantee period
    ends within the service margin; a notice asking the balance that fell due of a guarantor the ledger
    has a 向保证人主张日 for (``PlanEntry.balance_guarantors``), that date (``kept``: to be left as it is),
    and whether its service interrupts the limitation of what was asked then only if in time
    (``claim_near``: ``earlier_claim_near``); a notice on a loan in court, ``in_court`` (the guarantor
    may be a party to the suit: the notice then need not be served, and interrupts nothing) and the
    ledger's 起诉日期 as ``filed``, ``record_suit`` when the ledger has no 向保证人主张日 (the suit's date to be
    entered there when every guarantor was so sued), and ``complaint`` when the complaint may have declared
    the loan due early (the plan's ``guarantee-complaint-declared``, ``plan.complaint_may_declare``: legal
    review before service), what flags the loan to be declared (``plan.complaint_flag``: ledger or policy)."""
    facts: dict[str, Any] = {}
    if job.data.get("penalty_agreed") is False:
        # The letter neither claims nor reserves any 罚息 on a rate of nil: staff confirm the contract agrees none.
        facts["penalty_none"] = penalty_assumed_none(job.entry.loan, policy)
    if job.document == "demand-letter" and job.key.endswith(DECLARING):
        facts["declares_acceleration"] = True
    if job.document == "guarantor-demand" and job.entry.guarantee is not None:
        facts.update(deadline=job.data["guarantee_period_end"].isoformat(), ledger_column="向保证人主张日")
        kept = job.entry.loan.guarantor_demanded
        if job.party in job.entry.balance_guarantors and kept is not None:
            # The ledger's date is the earlier demand's: the limitation of what it claimed runs from it.
            facts["kept"] = kept.isoformat()
            facts["claim_near"] = bool(job.data.get("earlier_claim_near"))
        if job.data.get("in_court"):
            facts["in_court"] = True
            filed = job.entry.loan.litigation_filed
            if filed is not None:
                facts["filed"] = filed.isoformat()
            if kept is None:
                # Guarantors sued in that case need not be served, but the suit is to be recorded as the demand
                # that kept them liable, or the plan later finds the guarantee lapsed: in the loan's one cell, only
                # when every guarantor was so sued (else it would show the others kept) and while it is empty (a
                # date there, kept, proves an earlier demand).
                facts["record_suit"] = True
            if "guarantee-complaint-declared" in job.entry.warnings:
                # The complaint may have declared the loan due early: legal review first (what flags it, worded).
                facts["complaint"] = complaint_flag(job.entry.loan)
    if job.document in ("demand-letter", "guarantor-demand") and job.data.get("serve_by") is not None:
        facts["serve_by"] = job.data["serve_by"].isoformat()
    return facts


def held_notice(result: LettersResult) -> Any:
    """Return the ``letters-held-elsewhere`` notice when another run holds some letters, else None."""

    held = result.held
    if not held:
        return None
    loans = sorted({o.loan_no for o in held})
    shown = "、".join(loans[:5]) + (f" 等 {len(loans)} 笔" if len(loans) > 5 else "")
    return MESSAGES.notice("letters-held-elsewhere", count=len(loans), loans=shown)
