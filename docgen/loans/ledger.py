"""The loan ledger (贷款台账): one row per loan, read from .xlsx or .csv (DESIGN §8).

``read_ledger(path)`` returns a ``Ledger`` of ``Loan``s. Headers are matched through
``LEDGER_ALIASES`` (canonical names and the Chinese headers bank staff use); the file is
read by ``docgen.core.tabular.read_table`` (encodings, header matching, Excel cell types).

Every row is validated against ``LEDGER_SCHEMA`` (cerberus, ``docgen.core.validation``). A ledger
has tens of thousands of rows and cerberus costs ~0.1 ms per field, so rows first go through
``_fast_loan``, a plain-Python check that accepts only what the schema accepts; a row it
refuses is handed to cerberus, which either accepts it after all (its coercions are a little
wider) or produces the Chinese messages. ``write_ledger`` writes rows back out (used by the
example generator, the benchmark and tests).
"""
from __future__ import annotations

import csv
import datetime as _dt
import math
import os
import re
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields
from itertools import chain, compress, repeat
from operator import attrgetter, itemgetter, lt, ne, not_
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from docgen.core.cells import xlsx_cell
from docgen.core.errors import InputError, InvalidValueError, RowsError
from docgen.core.gcpause import collector_paused
from docgen.core.idnumbers import place_known, resident_checksums_ok
from docgen.core.parties import (AROUND_PLACEHOLDERS as _AROUND_PLACEHOLDERS, FULL_SEMICOLON as _FULL_SEMICOLON,
                                  FULL_SLASH as _FULL_SLASH, GUARANTOR_SEPARATORS as _GUARANTOR_SEPARATORS,
                                  OPENINGS as _OPENINGS, PLACEHOLDER_CHARACTERS as _PLACEHOLDER_CHARACTERS,
                                  SLASHES as _SLASHES, split_guarantor_ids,
                                  split_guarantors, split_party_values)
from docgen.core.validation import (
    DATE_MAX, DATE_MIN, MAX_AMOUNT, Problem, check_uscc, parse_amount, parse_date, parse_yes_no, validate,
)
from docgen.core.values import other_unit
from docgen.loans import ledger_cache
from docgen.loans.messages import MESSAGES
from docgen.loans.vocabulary import FIELDS as VOCAB_FIELDS
from docgen.loans.vocabulary import JUDGED_STATES, PENDING_STATES, Vocabulary, default_vocabulary

if TYPE_CHECKING:
    from docgen.core.tabular import Block

CLASSIFICATIONS: tuple[str, ...] = ("正常", "关注", "次级", "可疑", "损失")
"""The five categories (五级分类), best first; their index is the rank used by the checks."""

NPL_CLASSES: frozenset[str] = frozenset({"次级", "可疑", "损失"})
_RANKS = frozenset(CLASSIFICATIONS)
# Many ledgers write the class with its suffix: 次级类 is 次级.
_CLASS_ALIASES: dict[str, str] = {f"{name}类": name for name in CLASSIFICATIONS}
"""Non-performing = 次级 + 可疑 + 损失."""

ON_BALANCE_VALUES: dict[str, bool] = {"表内": True, "表外": False}

# Each column: its canonical name, then the Chinese headers accepted for it besides that name:
# the DESIGN §8 header first (written ledgers use it and error messages quote it), then variants
# core-banking exports use. Rows are in the order a written ledger uses.
_COLUMNS = """
loan_no               借据号 借据编号 贷款账号
contract_no           合同号 借款合同号 合同编号
borrower              借款人 客户名称 借款人名称
id_number             证件号码 身份证号 统一社会信用代码
branch                机构 支行 经办机构
officer               客户经理 管户客户经理 管户人
product               产品 贷款品种 产品名称
disbursed_on          发放日期 放款日期 借款日期
maturity              到期日期 到期日
principal             发放金额 借款金额 合同金额
balance               贷款余额 余额
overdue_since         逾期起始日 逾期日期
overdue_principal     逾期本金
overdue_interest      欠息 欠息金额
classification        五级分类 风险分类
on_balance            表内外 表内外标志
recovered             本期收回 本期清收
guarantors            担保人 保证人
guarantee_period_end  保证期间届满日
litigation            诉讼状态 诉讼情况
last_interruption     时效中断日
interruption_type     中断事由 时效中断事由
litigation_filed      起诉日期 立案日期
judgment_due          判决履行期限届满日 履行期限届满日
guarantee_type        保证方式 担保方式
guarantor_demanded    向保证人主张日 向担保人主张日
collateral            抵质押物 抵押物 押品
address               借款人地址 送达地址 地址
penalty_rate          罚息利率 逾期罚息利率
accelerated           宣布提前到期 提前到期
leader                责任行领导 包片行领导
guarantor_addresses   保证人地址 担保人地址 保证人送达地址
guarantor_ids         保证人证件号码 担保人证件号码 保证人身份证号
"""
_COLUMN_ROWS = [line.split() for line in _COLUMNS.strip().splitlines()]

LEDGER_HEADERS: dict[str, str] = {name: headers[0] for name, *headers in _COLUMN_ROWS}
"""Canonical name -> Chinese header (DESIGN §8), in the order a written ledger uses."""

LEDGER_ALIASES: dict[str, list[str]] = {name: headers for name, *headers in _COLUMN_ROWS}
"""Headers accepted for each column besides its canonical name (the reader adds that)."""

REQUIRED_COLUMNS: tuple[str, ...] = (
    "loan_no", "borrower", "id_number", "branch", "officer", "disbursed_on", "maturity",
    "principal", "balance", "classification", "on_balance",
)
"""Columns a ledger must have (and every row must fill); the others may be absent or empty."""

TEXT_FIELDS: tuple[str, ...] = ("loan_no", "contract_no", "id_number", "guarantor_ids")
"""Identifiers: kept as text; an ID number Excel stored as a number has lost digits."""

_VOCAB_FIELDS = tuple(VOCAB_FIELDS)
# Written as escapes: the full-width ％ looks like ASCII in many editors and gets folded into it.
_FULL_PERCENT = "\uff05"


def _text(required: bool) -> dict[str, Any]:
    rule: dict[str, Any] = {"type": "string", "coerce": "strip"}
    if required:
        rule.update(required=True, empty=False)
    else:
        rule.update(nullable=True)
    return rule




def _date(required: bool) -> dict[str, Any]:
    rule: dict[str, Any] = {"type": "date", "coerce": "to_date", "min": DATE_MIN, "max": DATE_MAX}
    return {**rule, "required": True} if required else {**rule, "nullable": True}


def _amount(required: bool) -> dict[str, Any]:
    rule: dict[str, Any] = {"type": "amount", "coerce": "to_amount", "min": Decimal(0)}
    return {**rule, "required": True} if required else {**rule, "nullable": True}


LEDGER_SCHEMA: dict[str, Any] = {
    "loan_no": _text(True),
    "contract_no": _text(False),
    "borrower": _text(True),
    "id_number": {**_text(True), "check_with": "uscc_or_resident_id"},
    "branch": _text(True),
    "officer": _text(True),
    "product": _text(False),
    "disbursed_on": _date(True),
    "maturity": _date(True),
    "principal": _amount(True),
    "balance": _amount(True),
    "overdue_since": _date(False),
    "overdue_principal": _amount(False),
    "overdue_interest": _amount(False),
    "classification": {**_text(True), "allowed": list(CLASSIFICATIONS)},
    "on_balance": {**_text(True), "allowed": list(ON_BALANCE_VALUES)},
    "recovered": _amount(False),
    "guarantors": _text(False),
    "guarantee_period_end": _date(False),
    "litigation": _text(False),
    "last_interruption": _date(False),
    "interruption_type": _text(False),
    "litigation_filed": _date(False),
    "judgment_due": _date(False),
    "guarantee_type": _text(False),
    "guarantor_demanded": _date(False),
    "collateral": _text(False),
    "address": _text(False),
    "penalty_rate": _amount(False),
    "accelerated": _text(False),
    "leader": _text(False),
    "guarantor_addresses": _text(False),
    "guarantor_ids": _text(False),  # each ID checked in cross_check, which knows the guarantors
}
"""Cerberus schema of one ledger row (after empty cells are dropped)."""


@dataclass(slots=True)
class Loan:
    """One loan of the ledger, normalized. Amounts are ``Decimal`` yuan; ``row`` is the sheet row."""

    loan_no: str
    contract_no: str
    borrower: str
    id_number: str
    branch: str
    officer: str
    product: str
    disbursed_on: _dt.date
    maturity: _dt.date
    principal: Decimal
    balance: Decimal
    overdue_since: _dt.date | None
    overdue_principal: Decimal
    overdue_interest: Decimal
    classification: str
    on_balance: bool
    recovered: Decimal
    guarantors: tuple[str, ...]
    guarantee_period_end: _dt.date | None
    litigation: str
    last_interruption: _dt.date | None
    row: int = 0
    interruption_type: str = ""
    litigation_filed: _dt.date | None = None
    judgment_due: _dt.date | None = None
    guarantee_type: str = ""
    guarantor_demanded: _dt.date | None = None
    collateral: str = ""
    address: str = ""
    penalty_rate: Decimal | None = None
    accelerated: bool = False
    leader: str = ""
    guarantor_addresses: tuple[str, ...] = ()
    guarantor_ids: tuple[str, ...] = ()

    @property
    def is_npl(self) -> bool:
        """True when the loan is non-performing (次级, 可疑 or 损失)."""
        return self.classification in NPL_CLASSES

    @property
    def in_litigation(self) -> bool:
        """True when a suit is pending or judged and not closed (已起诉/已判决/执行中/终结本次执行)."""
        return self.litigation in PENDING_STATES

    @property
    def judged(self) -> bool:
        """True when a judgment (or another enforceable title) exists."""
        return self.litigation in JUDGED_STATES

    @property
    def suit_filed(self) -> bool:
        """True when legal action has been taken and not withdrawn (any state but 未起诉/已撤诉)."""
        return self.litigation not in ("未起诉", "已撤诉", "")


@dataclass
class Ledger:
    """A read ledger: its file, its loans in sheet order, and headers nobody asked for."""

    path: Path
    loans: list[Loan]
    unknown_headers: list[str] = field(default_factory=list)


# Borrowers recur across loans and snapshots (and the report asks again which debtors are
# individuals): the verdicts on an ID number never change. One cache per verdict: whether a number
# is a resident ID, kept as sets so that a block's IDs are sorted into known and new by set
# operations in C, not a lookup per ID in Python; and, for the numbers that are not, whether they
# are a USCC.
_RESIDENTS: set[str] = set()  # valid resident IDs
_NOT_RESIDENTS: set[str] = set()  # numbers checked and found not to be one
_USCCS: dict[str, bool] = {}  # numbers not a resident ID -> whether a valid USCC
_CACHE_LIMIT = 500_000
# Refreshed at each ledger read: a birth date after today makes an ID invalid.
_TODAY = [_dt.date.today()]
_BORN: set[str] = set()  # the eight digits of birth dates found to be dates not after today
# An ID's birth date, and its area code and year of birth (on which alone its place depends).
_BIRTH, _PLACE = itemgetter(slice(6, 14)), itemgetter(slice(10))


def _valid_resident_ids(texts: Iterable[str]) -> Collection[str]:
    """Return those of ``texts`` for which ``check_resident_id(text) is None``: computed the same
    way, a column at a time, each birth date and each (area, year) of birth looked at once. A list
    when every ID of the right shape and check character is valid (the usual block: no set made
    of 4,096 IDs that only go into other sets), else a set."""
    signed = resident_checksums_ok(texts)
    births = set(map(_BIRTH, signed)).difference(_BORN)  # a birth date once past stays past
    unborn = {digits for digits in births if not _born(digits)}
    if len(_BORN) < _CACHE_LIMIT:
        _BORN.update(births.difference(unborn))
    unknown = {prefix for prefix in set(map(_PLACE, signed)) if not place_known(prefix)}
    if not unborn and not unknown:
        return signed
    return {text for text in signed if text[6:14] not in unborn and text[:10] not in unknown}


def _born(digits: str) -> bool:
    """Whether the eight digits of an ID's birth date are a date, and not after today."""
    try:
        return _dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:])) <= _TODAY[0]
    except ValueError:
        return False


def is_resident_id(text: str) -> bool:
    """Return True when ``text`` is a valid 居民身份证号 (an individual, i.e. a retail debtor)."""
    if text in _RESIDENTS:
        return True
    if text in _NOT_RESIDENTS:
        return False
    return bool(_resident_verdicts({text}))


def not_resident_ids(texts: Iterable[str]) -> set[str]:
    """Return the distinct ones of ``texts`` that are not valid 居民身份证号 (``is_resident_id`` is
    False): those known valid are set aside at once, by a set operation, not asked one by one."""
    return {text for text in set(texts).difference(_RESIDENTS) if not is_resident_id(text)}


def _resident_verdicts(texts: set[str]) -> Collection[str]:
    """Return the valid resident IDs among ``texts`` none of which has a verdict yet, remembering
    every verdict while there is room."""
    return _sort_residents(texts)[0]


def _sort_residents(texts: set[str], remember: bool = True) -> tuple[Collection[str], set[str]]:
    """Return the valid resident IDs among ``texts`` (none of which has a verdict yet) and the
    others, remembering every verdict while there is room when ``remember``."""
    valid = _valid_resident_ids(texts)
    # Every one valid (the usual block): no copy of the block's IDs made only to be emptied.
    others = set() if len(valid) == len(texts) else texts.difference(valid)
    if remember and len(_RESIDENTS) + len(_NOT_RESIDENTS) < _CACHE_LIMIT:
        _RESIDENTS.update(valid)
        _NOT_RESIDENTS.update(others)
    return valid, others


def _uscc_ok(text: str) -> bool:
    """Whether ``text``, not a resident ID, is a valid USCC (remembered while there is room)."""
    ok = _USCCS.get(text)
    if ok is None:
        ok = check_uscc(text) is None
        if len(_USCCS) < _CACHE_LIMIT:
            _USCCS[text] = ok
    return ok


def _id_ok(value: str) -> bool:
    """Whether ``value`` is an ID number the ledger accepts: a valid resident ID or USCC."""
    return is_resident_id(value) or _uscc_ok(value)


def _wrong_ids(texts: set[str], remember: bool = True) -> set[str]:
    """Return those of the distinct ID numbers ``texts`` that are neither a valid resident ID nor a
    USCC (not ``_id_ok``); the ones without a resident verdict yet checked together
    (``_valid_resident_ids``), then only the others' USCC verdicts asked. When not ``remember``
    (numbers nobody asks about again: a guarantor's), the resident verdicts are neither looked up
    nor kept: each is ~100 bytes in sets of 100,000s, whose probes and growth miss the caches."""
    if not remember:
        others = _sort_residents(texts, remember)[1]
        return {text for text in others if not _uscc_ok(text)}
    fresh = texts.difference(_RESIDENTS, _NOT_RESIDENTS)
    if not fresh:
        others = texts.difference(_RESIDENTS)
    else:
        valid, others = _sort_residents(fresh)
        if len(fresh) < len(texts):  # some had a verdict before: the known non-residents join the new
            others = texts.difference(_RESIDENTS, valid)
    return {text for text in others if not _uscc_ok(text)}


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# The fast path below runs once per ledger row (100,000 rows must take seconds, not minutes):
# exact-type checks and positional construction, no per-field dicts. Each helper accepts only
# what the schema's coercers accept with the same result, and raises ValueError otherwise.
_ZERO = Decimal(0)
_DATE, _DATETIME = _dt.date, _dt.datetime


def _req_text(value: Any) -> str:
    cls = value.__class__
    if cls is str:
        value = value.strip()
        if value:
            return value
    elif cls is int:
        return str(value)
    raise ValueError


def _opt_text(value: Any) -> str:
    cls = value.__class__
    if value is None:
        return ""
    if cls is str:
        return value.strip()
    if cls is int:
        return str(value)
    raise ValueError


def _opt_date(value: Any) -> _dt.date | None:
    cls = value.__class__
    if value is None:
        return None
    if cls is _DATE:
        result = value
    elif cls is _DATETIME:
        result = parse_date(value)  # a time of day other than midnight is refused, as in text
    elif cls is str:
        text = value.strip()
        if not text:
            return None
        if len(text) == 10 and text[4] == "-" and text[7] == "-" and text.isascii():
            result = _DATE(int(text[:4]), int(text[5:7]), int(text[8:]))
        else:
            result = parse_date(text)  # 2026/6/30, 2026年6月30日: what the schema's coercer accepts
    else:
        raise ValueError
    if not DATE_MIN <= result <= DATE_MAX:
        raise ValueError  # cerberus reports it
    return result


def _opt_amount(value: Any) -> Decimal | None:
    cls = value.__class__
    if value is None:
        return None
    if cls is int:
        if value < 0 or value > MAX_AMOUNT:
            raise ValueError
        return Decimal(value)
    if cls is float:
        result = Decimal(repr(value))
    elif cls is str:
        text = value.strip()
        if not text:
            return None
        try:
            result = Decimal(text)  # what parse_amount gives for plain digits, without its clean-up
        except ArithmeticError:
            result = parse_amount(text)  # "1,234.50", "¥1000" as the schema's coercer reads them
    else:
        raise ValueError
    if not result.is_finite() or result < 0 or result > MAX_AMOUNT:
        raise ValueError
    return result


def _opt_rate(value: Any) -> Decimal | None:
    """Return a rate cell as a fraction: ``6.75%`` is 0.0675; plain numbers are taken as given."""
    if value.__class__ is str and value.strip().endswith(("%", _FULL_PERCENT)):
        return Decimal(value.strip()[:-1].strip()) / 100
    return _opt_amount(value)


def _opt_flag(value: Any) -> bool:
    if _blank(value):
        return False
    return parse_yes_no(value)  # ValueError: not a yes/no, the slow path explains


def _fast_loan(values: Mapping[str, Any], row: int, vocabulary: Vocabulary | None = None) -> Loan | None:
    """Return the row as a ``Loan`` if it is plainly valid, else None (cerberus then decides)."""
    get = values.get
    lookup = (vocabulary or default_vocabulary()).lookup
    try:
        id_number = get("id_number")
        if id_number.__class__ is not str:
            return None
        id_number = id_number.strip()
        classification = _req_text(get("classification"))
        classification = _CLASS_ALIASES.get(classification, classification)
        on_balance = ON_BALANCE_VALUES.get(_req_text(get("on_balance")))
        if on_balance is None or classification not in _RANKS or not id_number or not _id_ok(id_number):
            return None
        disbursed_on = _opt_date(get("disbursed_on"))
        maturity = _opt_date(get("maturity"))
        principal = _opt_amount(get("principal"))
        balance = _opt_amount(get("balance"))
        if disbursed_on is None or maturity is None or principal is None or balance is None:
            return None
        guarantors = _opt_text(get("guarantors"))
        controlled = []
        for name in _VOCAB_FIELDS:
            text = _opt_text(get(name))
            if text:
                text = lookup[name].get(text)
                if text is None:
                    return None  # maybe a synonym written with other spaces or commas: the slow path decides
            controlled.append(text)
        loan = Loan(
            _req_text(get("loan_no")), _opt_text(get("contract_no")), _req_text(get("borrower")), id_number,
            _req_text(get("branch")), _req_text(get("officer")), _opt_text(get("product")),
            disbursed_on, maturity, principal, balance, _opt_date(get("overdue_since")),
            _opt_amount(get("overdue_principal")) or _ZERO, _opt_amount(get("overdue_interest")) or _ZERO,
            classification, on_balance, _opt_amount(get("recovered")) or _ZERO,
            tuple(split_guarantors(guarantors)) if guarantors else (),
            _opt_date(get("guarantee_period_end")), controlled[0],
            _opt_date(get("last_interruption")), row, controlled[1],
            _opt_date(get("litigation_filed")), _opt_date(get("judgment_due")), controlled[2],
            _opt_date(get("guarantor_demanded")), _opt_text(get("collateral")), _opt_text(get("address")),
            _opt_rate(get("penalty_rate")), _opt_flag(get("accelerated")), _opt_text(get("leader")),
            split_party_values(_opt_text(get("guarantor_addresses"))),
            split_guarantor_ids(_opt_text(get("guarantor_ids"))),
        )
        _complete(loan)
        return loan
    except (ValueError, ArithmeticError, AttributeError, KeyError):
        return None


def _loan_from_document(doc: Mapping[str, Any], row: int) -> Loan:
    def amount(name: str) -> Decimal:
        value = doc.get(name)
        return Decimal(0) if value is None else Decimal(value)

    return Loan(
        loan_no=doc["loan_no"], contract_no=doc.get("contract_no") or "", borrower=doc["borrower"],
        id_number=doc["id_number"], branch=doc["branch"], officer=doc["officer"], product=doc.get("product") or "",
        disbursed_on=doc["disbursed_on"], maturity=doc["maturity"], principal=amount("principal"),
        balance=amount("balance"), overdue_since=doc.get("overdue_since"),
        overdue_principal=amount("overdue_principal"), overdue_interest=amount("overdue_interest"),
        classification=doc["classification"], on_balance=ON_BALANCE_VALUES[doc["on_balance"]],
        recovered=amount("recovered"), guarantors=tuple(split_guarantors(doc.get("guarantors"))),
        guarantee_period_end=doc.get("guarantee_period_end"), litigation=doc.get("litigation") or "",
        last_interruption=doc.get("last_interruption"), row=row,
        interruption_type=doc.get("interruption_type") or "", litigation_filed=doc.get("litigation_filed"),
        judgment_due=doc.get("judgment_due"), guarantee_type=doc.get("guarantee_type") or "",
        guarantor_demanded=doc.get("guarantor_demanded"), collateral=doc.get("collateral") or "",
        address=doc.get("address") or "", penalty_rate=doc.get("penalty_rate"),
        accelerated=bool(doc.get("accelerated")), leader=doc.get("leader") or "",
        guarantor_addresses=split_party_values(doc.get("guarantor_addresses")),
        guarantor_ids=split_guarantor_ids(doc.get("guarantor_ids")),
    )


def _complete(loan: Loan) -> None:
    """Fill the implied values of empty controlled cells (DESIGN §8): status, event type, guarantee type."""
    if not loan.litigation:
        loan.litigation = "已起诉" if loan.litigation_filed is not None else "未起诉"
    if not loan.interruption_type and loan.last_interruption is not None:
        loan.interruption_type = "催收送达"
    if not loan.guarantee_type and loan.guarantors:
        loan.guarantee_type = "一般保证"  # art. 686: no agreed type means a general guarantee


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, _dt.date) else (f"{value:f}" if isinstance(value, Decimal) else value)


# Per-guarantor columns: one value per name of 担保人, in its order.
_PARTY_COLUMNS = ("guarantor_addresses", "guarantor_ids")


def cross_check(loan: Loan, columns: Mapping[str, str] | None = None, *, explicit_status: bool = True) -> list[Problem]:
    """Return the row errors between fields of one loan (DESIGN §8.1): dates out of order, amounts
    that cannot both hold, a judgment without a suit. Each names the row, the column and its code.

    ``explicit_status`` says whether 诉讼状态 was written in the row (an empty cell is not a claim).
    """
    columns = columns or {}
    problems: list[Problem] = []

    def add(code: str, name: str, **facts: Any) -> None:
        facts = {k: _iso(v) for k, v in facts.items()}
        problems.append(Problem(name, MESSAGES.text(code, facts), row=loan.row,
                                column=columns.get(name) or LEDGER_HEADERS[name], code=code, facts=facts))

    if loan.overdue_principal > loan.balance:
        add("overdue-exceeds-balance", "overdue_principal", overdue_principal=loan.overdue_principal,
            balance=loan.balance)
    if loan.maturity < loan.disbursed_on:
        add("maturity-before-disbursal", "maturity", maturity=loan.maturity, disbursed_on=loan.disbursed_on)
    if loan.overdue_since is not None and loan.overdue_since < loan.disbursed_on:
        add("overdue-before-disbursal", "overdue_since", overdue_since=loan.overdue_since,
            disbursed_on=loan.disbursed_on)
    if loan.last_interruption is not None and loan.last_interruption < loan.disbursed_on:
        add("interruption-before-disbursal", "last_interruption", last_interruption=loan.last_interruption,
            disbursed_on=loan.disbursed_on)
    if loan.interruption_type and loan.last_interruption is None:
        add("interruption-type-without-date", "interruption_type", interruption_type=loan.interruption_type)
    if loan.litigation_filed is not None:
        if loan.litigation_filed < loan.disbursed_on:
            add("suit-before-disbursal", "litigation_filed", litigation_filed=loan.litigation_filed,
                disbursed_on=loan.disbursed_on)
        if explicit_status and loan.litigation == "未起诉":
            add("suit-date-with-no-suit", "litigation_filed", litigation_filed=loan.litigation_filed)
    if loan.judgment_due is not None:
        if loan.litigation in ("未起诉", "已撤诉"):
            add("judgment-without-suit", "judgment_due", judgment_due=loan.judgment_due, litigation=loan.litigation)
        elif loan.litigation_filed is not None and loan.judgment_due < loan.litigation_filed:
            add("judgment-before-suit", "judgment_due", judgment_due=loan.judgment_due,
                litigation_filed=loan.litigation_filed)
    # A per-guarantor cell of empty values only (a value for no one) says "none".
    if not loan.guarantors:
        for name in ("guarantee_type", "guarantor_demanded"):
            if getattr(loan, name):
                add("guarantee-without-guarantors", name, column_label=LEDGER_HEADERS[name])
        for name in _PARTY_COLUMNS:
            if any(getattr(loan, name)):
                add("guarantee-without-guarantors", name, column_label=LEDGER_HEADERS[name])
    else:
        if loan.guarantor_demanded is not None and loan.guarantor_demanded < loan.disbursed_on:
            add("demand-before-maturity", "guarantor_demanded", guarantor_demanded=loan.guarantor_demanded,
                disbursed_on=loan.disbursed_on)
        for name in _PARTY_COLUMNS:
            values = getattr(loan, name)
            if any(values) and len(values) != len(loan.guarantors):
                add("guarantor-values-count", name, column_label=LEDGER_HEADERS[name], count=len(values),
                    guarantors="、".join(loan.guarantors), expected=len(loan.guarantors))
            elif name == "guarantor_ids":
                for guarantor, value in zip(loan.guarantors, values):
                    if value and not _id_ok(value):
                        add("guarantor-id-invalid", name, guarantor=guarantor, value=value)
    if loan.penalty_rate is not None and loan.penalty_rate >= 1:
        add("penalty-rate-range", "penalty_rate", value=loan.penalty_rate)
    return problems


def _document(values: Mapping[str, Any]) -> dict[str, Any]:
    """Return the row as cerberus sees it: empty cells dropped, integer identifiers as text.

    An integer cell in a text column (a loan number typed as 20260001) is exact, so it is
    taken as its digits; a float there (digits may be lost) is left for cerberus to refuse.
    """
    document: dict[str, Any] = {}
    for name, value in values.items():
        if name not in LEDGER_SCHEMA or _blank(value):
            continue
        if isinstance(value, float) and not math.isfinite(value):
            # As text it fails the amount coercion with a clear message; a float NaN would
            # instead break cerberus' min comparison (Decimal refuses to compare with NaN).
            value = str(value)
        if name == "classification" and isinstance(value, str):
            value = _CLASS_ALIASES.get(value.strip(), value)
        if (name != "id_number" and LEDGER_SCHEMA[name]["type"] == "string"
                and isinstance(value, int) and not isinstance(value, bool)):
            value = str(value)
        document[name] = value
    return document


def _problem(code: str, name: str, at_row: int, columns: Mapping[str, str], **facts: Any) -> Problem:
    return Problem(name, MESSAGES.text(code, facts), row=at_row, column=columns.get(name) or LEDGER_HEADERS.get(name),
                   code=code, facts=facts)


def validate_row(
    values: Mapping[str, Any], row: int, columns: Mapping[str, str] | None = None, *, fast: bool = True,
    vocabulary: Vocabulary | None = None,
) -> tuple[Loan | None, list[Problem]]:
    """Validate one ledger row (raw cell values keyed by canonical name).

    Returns ``(loan, [])`` when valid, ``(None, problems)`` otherwise; each problem carries
    ``row``, the column label from ``columns``, a stable ``code`` and its ``facts``. ``fast=False``
    skips the plain-Python path and always asks cerberus (the tests compare both).
    ``vocabulary`` gives the accepted 诉讼状态/中断事由/保证方式 texts (default: the shipped policy's).
    """
    vocabulary = vocabulary or default_vocabulary()
    columns = dict(columns or {})
    explicit_status = not _blank(values.get("litigation"))
    if fast:
        loan = _fast_loan(values, row, vocabulary)
        if loan is not None:
            problems = cross_check(loan, columns, explicit_status=explicit_status)
            return (None, problems) if problems else (loan, [])
    document = _document(values)
    early: list[Problem] = []
    number_id = document.get("id_number")
    if isinstance(number_id, (int, float)) and not isinstance(number_id, bool):
        # Excel keeps 15 significant digits: an 18-digit ID stored as a number has lost its tail.
        del document["id_number"]
        early.append(_problem("id-stored-as-number", "id_number", row, columns, value=str(number_id)))
    for name in _VOCAB_FIELDS:
        text = document.get(name)
        if text is None:
            continue
        canonical = vocabulary.canonical(name, str(text))
        if canonical is None:
            del document[name]
            early.append(_problem(f"unknown-{name}", name, row, columns, value=str(text).strip(),
                                  allowed="、".join(VOCAB_FIELDS[name])))
        else:
            document[name] = canonical
    rate = document.get("penalty_rate")
    if isinstance(rate, str) and rate.strip().endswith(("%", _FULL_PERCENT)):
        try:
            document["penalty_rate"] = Decimal(rate.strip()[:-1].strip()) / 100
        except ArithmeticError:
            pass  # cerberus reports the text
    flag = document.pop("accelerated", None)
    if flag is not None:
        # Read as every yes/no field of a template is: the same words mean the same answer.
        try:
            if parse_yes_no(flag):
                document["accelerated"] = "是"
        except InvalidValueError as refusal:
            early.append(_problem("accelerated-value", "accelerated", row, columns, **refusal.facts))
    # cerberus' problems keep their own code (required, type, not-convertible …) and facts.
    normalized, problems = validate(LEDGER_SCHEMA, document, row=row, columns=columns)
    if early:
        problems = early + [p for p in problems if p.path not in {e.path for e in early}]
    if problems:
        return None, problems
    loan = _loan_from_document(normalized, row)
    _complete(loan)
    problems = cross_check(loan, columns, explicit_status=explicit_status)
    return (None, problems) if problems else (loan, [])


def loans_from_rows(
    rows: Iterable[tuple[int, Mapping[str, Any], Mapping[str, str]]], *, fast: bool = True,
    vocabulary: Vocabulary | None = None,
) -> tuple[list[Loan], list[Problem]]:
    """Validate ``(row_number, values, columns)`` triples; return the loans and every problem.

    Besides each row's own problems, a ``loan_no`` seen twice is a problem on the later row
    naming the earlier one.
    """
    loans: list[Loan] = []
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    # Building 100,000 objects would trigger many full garbage collections that find nothing
    # (no cycles here); pausing the collector makes the loop several times faster.
    _TODAY[0] = _dt.date.today()
    with collector_paused():
        _collect(rows, loans, problems, seen, fast, vocabulary or default_vocabulary())
    return loans, problems


def _collect(rows: Iterable[tuple[int, Mapping[str, Any], Mapping[str, str]]], loans: list[Loan],
             problems: list[Problem], seen: dict[str, int], fast: bool, vocabulary: Vocabulary) -> None:
    for number, values, columns in rows:
        loan, row_problems = validate_row(values, number, columns, fast=fast, vocabulary=vocabulary)
        _accept([(number, row_problems if row_problems else loan)], columns, seen, loans, problems)


def read_ledger(path: str | os.PathLike[str], *, sheet: str | None = None,
                vocabulary: Vocabulary | None = None) -> Ledger:
    """Read and validate the ledger at ``path`` (.xlsx, or .csv in UTF-8 / UTF-8-BOM / GB18030).

    Returns a ``Ledger``. Raises ``InputError`` (exit 2) when the file cannot be read, lacks a
    required column or holds no loan, and ``RowsError`` (exit 1) listing every bad row with row and column (the
    first ``MAX_BAD_ROWS`` when there are more: reading stops there).

    The loans of ``iter_ledger_blocks`` gathered in one list: memory holds every loan (about
    1 KB each); a command that needs only figures or some of the loans reads the blocks instead.
    """
    blocks = iter_ledger_blocks(path, sheet=sheet, vocabulary=vocabulary)
    loans: list[Loan] = []
    for block in blocks:  # the blocks pause the collector while they are read (LedgerBlocks)
        loans.extend(block)
    return Ledger(path=blocks.path, loans=loans, unknown_headers=list(blocks.unknown_headers))


#: Bad rows after which a ledger is read no further: a file whose rows are nearly all wrong (the
#: wrong sheet, or a 100 KB .xlsx declaring 400,000 one-cell rows) is reported by its first rows
#: in seconds, instead of every row's problems costing minutes and gigabytes.
MAX_BAD_ROWS = 1_000


class LedgerBlocks:
    """A ledger being read a block of rows at a time (``iter_ledger_blocks``): its ``path``, its
    ``unknown_headers`` and, once iterated, the number of ``loans`` accepted so far.

    Iterating it (once: iterating it again raises ``RuntimeError``) yields lists of accepted
    ``Loan``s in sheet order, one list per block of rows, and then raises ``RowsError`` listing
    every bad row of the whole file when there was one (the first ``MAX_BAD_ROWS`` when there are
    more, naming the row that passed them: the rows after it, in its block or later, are not
    validated and no further block is read), or ``InputError`` when it held no loan at all (only
    a header, or blank rows): a caller must not publish
    anything built from the blocks before the iteration ended.

    The blocks come from the file's entry in the cache when ``lookup`` has one (the same blocks,
    loans and problems the parse gave: ``docgen.loans.ledger_cache``; ``lazily`` gives such a block
    as a ``ledger_cache.CachedBlock``, for a caller that needs few of its loans), else from ``stream``,
    the entry written as they come (``lazily`` gives a parsed block whose every row is a loan as a
    ``CachedBlock`` of the columns they were checked in). ``stream`` is the ledger's ``TableStream``, or a
    ``docgen.loans.ledger_pipe.PipedReader`` giving the same column blocks from a child process
    that reads the workbook while this one validates: then the child is stopped (killed, not
    waited for) however the iteration ends, early ones included (``MAX_BAD_ROWS``, an exception,
    a consumer that stops iterating).
    """

    def __init__(self, path: Path, stream: Any, vocabulary: Vocabulary, block_rows: int | None,
                 lookup: ledger_cache.Lookup, sheet: str | None = None) -> None:
        self.path = path
        self.unknown_headers: list[str] = list(lookup.hit.unknown_headers if stream is None and lookup.hit
                                               else stream.unknown_headers)
        self.loans = 0
        self._stream = stream
        self._vocabulary = vocabulary
        self._block_rows = block_rows
        self._lookup: ledger_cache.Lookup | None = lookup
        self._sheet = sheet

    def __iter__(self) -> Iterator[list[Loan]]:
        return self._blocks(lazy=False)

    def lazily(self) -> Iterator[list[Loan] | ledger_cache.CachedBlock]:
        """Iterate as ``iter(self)`` does, a block of the cache entry given as the entry's
        ``CachedBlock`` (its loans made when asked for, or only some of them), a parsed one whose
        every row is a loan as a ``CachedBlock`` of its columns too, any other as its list."""
        return self._blocks(lazy=True)

    def _blocks(self, lazy: bool) -> Iterator[Any]:
        stream, self._stream = self._stream, None  # the reader is the iteration's from now on
        lookup, self._lookup = self._lookup, None
        if lookup is None:
            raise MESSAGES.fault(RuntimeError, "ledger-blocks-iterated")
        if stream is None and lookup.hit is not None:
            return self._some(self._cached(lookup, lazy))
        return self._some(self._loans(stream, lookup, lazy=lazy))

    def _some(self, blocks: Iterator[Any]) -> Iterator[Any]:
        """``blocks``, then ``InputError`` (``ledger-no-loans``) when they held no loan and no bad
        row: a ledger of nothing is almost always the wrong file or sheet, not an empty loan book,
        and a plan or report of nothing would tell its reader there is no work."""
        yield from blocks
        if not self.loans:
            raise MESSAGES.error(InputError, "ledger-no-loans", path=self.path)

    def _cached(self, lookup: ledger_cache.Lookup, lazy: bool = False) -> Iterator[Any]:
        entry = lookup.hit
        assert entry is not None
        given = 0
        blocks = entry.blocks(lazy)
        with collector_paused():  # as the parse: a block of new objects, no cycles
            while True:
                try:
                    loans = next(blocks, None)
                except Exception:  # noqa: BLE001 -- whatever a damaged entry raises, it is a miss
                    break
                if loans is None:
                    self.loans = entry.loans
                    if entry.problems:
                        raise _rows_error(self.path, entry.problems, self._sheet)
                    return
                self.loans += len(loans)
                given += 1
                yield loans
        # A damaged entry: the ledger is parsed after all, its blocks given from the first not given yet.
        stream = _open_stream(self.path, self._sheet)
        self.loans = 0
        yield from self._loans(stream, ledger_cache.Lookup(self.path, lookup.key, lookup.state), skip=given,
                               lazy=lazy)

    def _loans(self, stream: Any, lookup: ledger_cache.Lookup, skip: int = 0,
               lazy: bool = False) -> Iterator[list[Loan] | ledger_cache.CachedBlock]:
        vocabulary, columns = self._vocabulary, stream.columns
        problems: list[Problem] = []
        reader_problems: list[Problem] = []
        seen: dict[str, int] = {}  # 借据号 -> its first row, across blocks
        writer = lookup.writer(stream.unknown_headers)
        built: list[tuple[list[list[Any]], dict[str, Any]]] | None = [] if writer is not None else None
        # A reader in a child process (ledger_pipe) is stopped however the reading ends.
        close = getattr(stream, "close", None)
        # Read here, the rows are folded into columns as they come too (as the child does,
        # ``ledger_pipe``): the cells a block does not keep die while in the processor's cache, and
        # each column's distinct cells are known as it is folded, not found by a pass of their own.
        blocks = (stream.column_blocks(self._block_rows) if close is not None
                  else stream.column_blocks(self._block_rows, _JOINED, shared=True))
        try:
            # A loan and its values per row: no cycles, so collections only cost time; the caller's work
            # between blocks runs paused too (it builds no cycles either: figures, plan entries).
            with collector_paused():
                _TODAY[0] = _dt.date.today()
                bad: set[int | None] = set()  # the rows with a problem so far
                for block in blocks:
                    # The block's rows are validated up to the one that passes MAX_BAD_ROWS (the
                    # reader's problems of later rows are then past it, never listed).
                    results: Any = _block_loans(block, columns, vocabulary, MAX_BAD_ROWS - len(bad), built, lazy)
                    reader_problems.extend(block.problems)
                    bad.update(p.row for p in block.problems)
                    loans: Any = []
                    start = len(problems)
                    if results.__class__ is not list:  # every row a loan, as the columns they were checked in
                        if list(map(seen.setdefault, results.column("loan_no"), block.numbers)) == block.numbers:
                            loans = results  # their 借据号 all new: made only when the caller asks
                        else:
                            results = results.loans()
                    if results.__class__ is list:
                        _accept_block(block.numbers, results, columns, seen, loans, problems)
                    bad.update(p.row for p in problems[start:])
                    del block
                    self.loans += len(loans)
                    if len(bad) > MAX_BAD_ROWS:
                        break  # the rest is not read: see MAX_BAD_ROWS
                    if loans:
                        if writer is not None:
                            # Every row a loan built from the block's columns: the entry takes the columns
                            # (its dates and amounts from the cells they were converted from).
                            writer.block(loans, *(built[0] if built and len(loans) == len(results) else ()))
                            built.clear()
                        if skip:
                            skip -= 1  # given from the cache before its entry proved damaged
                        else:
                            yield loans
                    elif built:
                        built.clear()
                    del results
            # The reader's tables (a shared-string table of an .xlsx: ~90 MB at 400,000 loans) go now,
            # not when the caller lets go of this object.
            stream = None
            problems = sorted(reader_problems + problems, key=lambda p: (p.row or 0, p.path))
            if writer is not None:
                writer.finish(self.loans, problems)
                writer = None
        finally:
            if close is not None:
                close()
            if writer is not None:
                writer.discard()  # the reading did not end: nothing is kept
        if problems:
            raise _rows_error(self.path, problems, self._sheet)


def _rows_error(path: Path, problems: list[Problem], sheet: str | None = None) -> RowsError:
    """Return the ``RowsError`` of a ledger whose bad rows have ``problems`` (sorted by row), a
    value missing under a merged cell or in a formula cell said to be so (``explain_empty``).
    Raises ``InputError`` only as reading the sheet again for its merged and formula cells may."""
    from docgen.core.mergedcells import explain_empty  # read only when a ledger has bad rows

    rows = sorted({p.row or 0 for p in problems})
    if len(rows) > MAX_BAD_ROWS:
        # Checking stopped at the row that made more than MAX_BAD_ROWS rows bad: the
        # problems of the rows before it are listed, the rest was not read or not kept.
        kept = set(rows[:MAX_BAD_ROWS])
        exc = MESSAGES.error(RowsError, "ledger-bad-rows-stopped", file=path, row=rows[MAX_BAD_ROWS],
                             count=MAX_BAD_ROWS)
        exc.problems = explain_empty(path, sheet, [p for p in problems if (p.row or 0) in kept])
    else:
        exc = MESSAGES.error(RowsError, "ledger-bad-rows", file=path, count=len(rows))
        exc.problems = explain_empty(path, sheet, problems)
    return exc


def iter_ledger_blocks(path: str | os.PathLike[str], *, sheet: str | None = None,
                       vocabulary: Vocabulary | None = None, block_rows: int | None = None,
                       parallel: bool = True) -> LedgerBlocks:
    """Open the ledger at ``path`` to be read and validated a block of rows at a time.

    Returns a ``LedgerBlocks``: iterate it for lists of accepted ``Loan``s (``block_rows`` rows
    read per block, default ``docgen.core.tabular.BLOCK_ROWS``), so memory holds one block of
    cells and what the caller keeps of the loans, not the whole ledger. Raises ``InputError``
    (exit 2) now when the file cannot be opened or lacks a required column, and, while iterating,
    ``InputError`` when the rest of the file cannot be read or holds data in a column its header
    leaves untitled (``column-untitled``); after the last block ``RowsError``
    (exit 1) listing every bad row, a 借据号 seen on an earlier row (of any block) among them
    (the first ``MAX_BAD_ROWS`` when there are more), or ``InputError`` when there was no loan.

    Each block is read column by column (``TableStream.column_blocks``) and validated column-wise
    (``_block_loans``), giving the loans and problems ``validate_row`` gives row by row. A ledger
    read before with the same bytes and choices comes from the user's cache instead
    (``docgen.loans.ledger_cache``; ``DOCGEN_NO_CACHE=1`` turns it off): the same blocks, loans
    and problems, decoded a block at a time.

    A ledger parsed (not in the cache) that is large (``docgen.core.procs.PARALLEL_MIN_BYTES``),
    on a machine with a second CPU where ``fork`` is, is read by two processes when ``parallel``
    (``docgen.loans.ledger_pipe``): a forked child opens the workbook and reads its column blocks,
    this process validates them, writes the cache entry and gives the loans as they come (the
    child at most one block ahead of what this process took). The loans, problems, errors (the header's raised now, as here),
    cache entry and unknown headers are the same; a child that dies is replaced by reading the
    file here. ``parallel=False``: a caller that already reads another ledger in a second process
    (the NPL report's opening one), or is that process, reads it in this one only.
    """
    file = Path(path)
    vocabulary = vocabulary or default_vocabulary()
    lookup = ledger_cache.find(file, sheet=sheet, vocabulary=vocabulary, block_rows=block_rows)
    stream = None
    if lookup.hit is None:
        if parallel:
            from docgen.loans import ledger_pipe  # a cold read only: what it imports costs a warm one nothing

            if ledger_pipe.worth_piping(file):
                stream = ledger_pipe.PipedReader.start(_open_stream, file, sheet, block_rows, _JOINED)
        if stream is None:
            stream = _open_stream(file, sheet)
    return LedgerBlocks(file, stream, vocabulary, block_rows, lookup, sheet)


def _open_stream(file: Path, sheet: str | None) -> Any:
    """Return the ledger's ``TableStream``, its header read; raises ``InputError`` (exit 2) when the
    file cannot be opened or lacks a required column."""
    from docgen.core.tabular import alias_map, normalize_header, stream_table, where_read  # the shared spreadsheet reader

    with collector_paused():
        stream = stream_table(file, LEDGER_ALIASES, required=REQUIRED_COLUMNS, text_fields=TEXT_FIELDS, sheet=sheet)
    missing = [name for name in REQUIRED_COLUMNS if name not in stream.columns]
    if missing:
        wanted = "、".join(f"{LEDGER_HEADERS[name]}（{name}）" for name in missing)
        raise MESSAGES.error(InputError, "ledger-missing-columns", file=file, wanted=wanted, missing=missing)
    lookup = alias_map(LEDGER_ALIASES)
    _refuse_other_units(file, stream.other_titles, stream.unknown_headers,
                        lambda text: normalize_header(text) in lookup, lambda: where_read(file, sheet))
    return stream


def _refuse_other_units(file: Path, titles: Iterable[tuple[str, str]], unread: Collection[str],
                        names: Callable[[str], bool], where: Callable[[], dict[str, Any]]) -> None:
    """Raise ``InputError`` (``ledger-amount-unit``) when one of ``titles`` (``(cell, text)``: a title or a
    unit row above the header, a header no column is read under: ``unread``) states amounts in another
    unit than the yuan (``other_unit``, a header only for a field it ``names``): the ledger's amounts
    are read as yuan (DESIGN §8), and 万元 read so would make every balance and claim ten thousand
    times too small. The error names the cell's sheet (``where``'s facts: ``tabular.where_read``)."""
    found = other_unit(titles, unread, names)
    if found is not None:
        cell, text, unit = found
        raise MESSAGES.error(InputError, "ledger-amount-unit", file=file, cell=cell, text=text, unit=unit, **where())


def _accept_block(numbers: list[int], results: list[Loan | list[Problem]], columns: Mapping[str, str],
                  seen: dict[str, int], loans: list[Loan], problems: list[Problem]) -> None:
    """``_accept`` of a block's ``results`` for its rows ``numbers`` (one to one, or the first
    ``len(results)`` of them). A block of loans alone whose 借据号 were all new is taken at once."""
    if list not in set(map(type, results)):
        firsts = list(map(seen.setdefault, map(_LOAN_NO, results), numbers))
        if firsts == numbers[:len(results)]:
            loans.extend(results)
            return
    # setdefault remembers a number once: asking again for the same rows gives the same answers.
    _accept(zip(numbers, results), columns, seen, loans, problems)


_LOAN_NO = attrgetter("loan_no")


def _accept(results: Iterable[tuple[int, Loan | list[Problem]]], columns: Mapping[str, str], seen: dict[str, int],
            loans: list[Loan], problems: list[Problem]) -> None:
    """Append each ``(row, loan or its problems)`` to ``loans`` or ``problems``; a loan whose 借据号
    was seen on an earlier row is a problem naming that row. One loop for a whole block of rows."""
    setdefault, append = seen.setdefault, loans.append
    for number, result in results:
        if result.__class__ is list:
            problems.extend(result)
            continue
        first = setdefault(result.loan_no, number)
        if first != number:
            problems.append(_problem("duplicate-loan-no", "loan_no", number, columns, loan_no=result.loan_no,
                                     first_row=first, row=number))
        else:
            append(result)


# --------------------------------------------------------------------------- column-wise validation
# A ledger block is validated a column at a time: each column's distinct cells are converted once
# by the same helpers ``_fast_loan`` uses (equal cells then share one str, date or Decimal, which
# also keeps 400,000 loans small), the rows whose every cell converted are built into ``Loan``s
# directly, and the cross-field checks run only on rows whose columns could contradict each other.
# Any other row goes through ``validate_row`` as a whole, so its errors are exactly the row path's.

def _required(convert: Any) -> Any:
    def required(value: Any) -> Any:
        result = convert(value)
        if result is None:
            raise ValueError
        return result
    return required


def _or_zero(value: Any) -> Decimal:
    return _opt_amount(value) or _ZERO


def _id_number(value: Any) -> str:
    if value.__class__ is not str:
        raise ValueError
    value = value.strip()
    if not value or not _id_ok(value):
        raise ValueError
    return value


def _classification(value: Any) -> str:
    text = _req_text(value)
    text = _CLASS_ALIASES.get(text, text)
    if text not in _RANKS:
        raise ValueError
    return text


def _on_balance(value: Any) -> bool:
    return ON_BALANCE_VALUES[_req_text(value)]


def _guarantor_names(value: Any) -> tuple[str, ...]:
    text = _opt_text(value)
    return tuple(split_guarantors(text)) if text else ()


def _party_values(value: Any) -> tuple[str, ...]:
    return split_party_values(_opt_text(value))


def _guarantor_id_values(value: Any) -> tuple[str, ...]:
    return split_guarantor_ids(_opt_text(value))


def _controlled(lookup: Mapping[str, str]) -> Any:
    def controlled(value: Any) -> str:
        text = _opt_text(value)
        return lookup[text] if text else text  # KeyError: maybe a synonym spelt otherwise; validate_row decides
    return controlled


# Field -> converter of one cleaned cell, for every field but the controlled ones (per vocabulary).
_CONVERTERS: dict[str, Any] = {
    "loan_no": _req_text, "contract_no": _opt_text, "borrower": _req_text, "id_number": _id_number,
    "branch": _req_text, "officer": _req_text, "product": _opt_text,
    "disbursed_on": _required(_opt_date), "maturity": _required(_opt_date),
    "principal": _required(_opt_amount), "balance": _required(_opt_amount),
    "overdue_since": _opt_date, "overdue_principal": _or_zero, "overdue_interest": _or_zero,
    "classification": _classification, "on_balance": _on_balance, "recovered": _or_zero,
    "guarantors": _guarantor_names, "guarantee_period_end": _opt_date, "last_interruption": _opt_date,
    "litigation_filed": _opt_date, "judgment_due": _opt_date, "guarantor_demanded": _opt_date,
    "collateral": _opt_text, "address": _opt_text, "penalty_rate": _opt_rate, "accelerated": _opt_flag,
    "leader": _opt_text, "guarantor_addresses": _party_values, "guarantor_ids": _guarantor_id_values,
}
# A block's distinct cells converted at once (``Block.convert``'s ``at_once``): what the field's
# converter gives each of them, for a column of plain cells only (stripped text, whole numbers,
# fractions, dates, the empty text); None for anything else or when some cell would be refused,
# and the converter then goes cell by cell and says which. Text and dates that convert to
# themselves are the cells themselves: a column the reader made one object per value is then
# kept as it is (``Block.convert``), with no look-up per cell.

def _texts_at_once(required: bool) -> Callable[[list[Any], set[type]], list[Any] | None]:
    def at_once(cells: list[Any], kinds: set[type]) -> list[Any] | None:
        if kinds != _STR_KINDS:
            return None  # a number in a text column: str() of it, cell by cell
        texts = list(map(str.strip, cells))
        return None if required and "" in texts else texts
    return at_once


def _controlled_at_once(lookup: Mapping[str, str]) -> Callable[[list[Any], set[type]], list[Any] | None]:
    def at_once(cells: list[Any], kinds: set[type]) -> list[Any] | None:
        if kinds != _STR_KINDS:
            return None
        found = []
        for cell in cells:
            text = cell.strip()
            if text:
                word = lookup.get(text)
                if word is None:
                    return None  # maybe a synonym spelt otherwise: validate_row decides
                text = cell if word == cell else word  # the cell is the word: the cell itself
            found.append(text)
        return found
    return at_once


def _amounts_at_once(empty: Any) -> Callable[[list[Any], set[type]], list[Any] | None]:
    """Return the ``at_once`` of a column of amounts whose empty cell converts to ``empty``
    (``_REFUSED``: refused, a required column) and whose zero is ``_ZERO`` (``_or_zero``) when
    ``empty`` is, for whole numbers and fractions as ``_opt_amount`` reads them."""
    def at_once(cells: list[Any], kinds: set[type]) -> list[Any] | None:
        numbers = cells
        if str in kinds:
            if empty is _REFUSED or "" not in cells:
                return None
            numbers = [cell for cell in cells if cell.__class__ is not str]
            if len(numbers) != len(cells) - 1:
                return None  # text other than the empty cell: parsed cell by cell
        if not kinds <= _AMOUNT_KINDS or not numbers:
            return None
        if float in kinds and not all(map(math.isfinite, [n for n in numbers if n.__class__ is float])):
            return None
        # A whole float is read as the whole number (_excel_value), a fraction as its shortest text.
        made = list(map(ledger_cache.amount_of_number, numbers))
        # Float and whole bounds compare exactly; a fraction's shortest text is on the float's side of them.
        if min(numbers) < 0 or max(numbers) > _MAX_WHOLE:
            return None
        if empty is _ZERO and 0 in numbers:
            made[numbers.index(0)] = _ZERO
        if numbers is not cells:
            made.insert(cells.index(""), empty)
        return made
    return at_once


def _dates_at_once(required: bool) -> Callable[[list[Any], set[type]], list[Any] | None]:
    def at_once(cells: list[Any], kinds: set[type]) -> list[Any] | None:
        dates = cells
        if kinds != _DATE_KINDS:
            if required or kinds != _DATE_OR_TEXT or "" not in cells:
                return None
            dates = [cell for cell in cells if cell.__class__ is _DATE]
            if len(dates) != len(cells) - 1:
                return None
        if min(dates) < DATE_MIN or max(dates) > DATE_MAX:
            return None
        return cells if dates is cells else [None if cell.__class__ is str else cell for cell in cells]
    return at_once


_REFUSED = object()
_STR_KINDS = {str}
_DATE_KINDS = {_DATE}
_DATE_OR_TEXT = {_DATE, str}
_AMOUNT_KINDS = frozenset({int, float, str})
_MAX_WHOLE = int(MAX_AMOUNT)
_AT_ONCE: dict[str, Callable[[list[Any], set[type]], list[Any] | None]] = {
    "branch": _texts_at_once(True), "officer": _texts_at_once(True), "product": _texts_at_once(False),
    "collateral": _texts_at_once(False), "leader": _texts_at_once(False),
    "disbursed_on": _dates_at_once(True), "maturity": _dates_at_once(True),
    **{name: _dates_at_once(False) for name in ("overdue_since", "guarantee_period_end", "last_interruption",
                                                "litigation_filed", "judgment_due", "guarantor_demanded")},
    "principal": _amounts_at_once(_REFUSED), "balance": _amounts_at_once(_REFUSED),
    **{name: _amounts_at_once(_ZERO) for name in ("overdue_principal", "overdue_interest", "recovered")},
    "penalty_rate": _amounts_at_once(None),
}


# What the fast helpers raise for a cell they do not accept (as _fast_loan catches them).
_CONVERT_ERRORS = (ValueError, ArithmeticError, AttributeError, KeyError)
_LOAN_FIELDS = tuple(f.name for f in fields(Loan))
# Columns whose cells mostly differ (converting each distinct cell once would not save work).
_MOSTLY_DISTINCT = frozenset({"loan_no", "contract_no", "borrower", "id_number", "address", "guarantors",
                              "guarantor_addresses", "guarantor_ids"})
_REQUIRED_TEXT = frozenset({"loan_no", "borrower"})
# Columns of identifiers and names, whose cells differ from loan to loan in any ledger: the reading
# child joins them for the pipe instead of making a set of their cells that this process makes again.
_JOINED = frozenset({"loan_no", "contract_no", "borrower", "id_number", "guarantors", "guarantor_ids"})


def _all_guarantors(texts: list[str], joined: str | None = None) -> list[tuple[str, ...]]:
    """Return ``tuple(split_guarantors(text))`` of each of ``texts`` (``joined``: them joined by
    ``_PIECE``, when known), in order: all of them split at once when no name would be stripped or
    dropped (no white space at all, no empty name but an empty text's), else one by one; a text
    with a bracket or a placeholder alone (``_apart``)."""
    return _apart(texts, joined, _NAMES_APART, _guarantors_together, _guarantor_tuple)


def _guarantor_tuple(text: str) -> tuple[str, ...]:
    """Return ``split_guarantors(text)`` as a tuple (a ``Loan``'s guarantors)."""
    return tuple(split_guarantors(text))


def _guarantors_together(texts: list[str], joined: str) -> list[tuple[str, ...]]:
    """``_all_guarantors`` of texts holding no bracket nor placeholder."""
    comma = _GUARANTOR_SEPARATORS[0]
    for separator in _GUARANTOR_SEPARATORS[1:]:
        joined = joined.replace(separator, comma)
    if (_spaced(joined) or comma * 2 in joined or joined.startswith(comma) or joined.endswith(comma)
            or _PIECE + comma in joined or comma + _PIECE in joined):
        return [tuple(split_guarantors(text)) for text in texts]
    return _split_pieces(joined, comma, texts)


def _all_party_values(texts: list[str], joined: str | None = None) -> list[tuple[str, ...]]:
    """Return ``split_party_values(text)`` of each of ``texts`` (``joined``: them joined by ``_PIECE``,
    when known), in order: all of them split at once when those holding a separator are all split
    by the same character and no value would be stripped (no white space at all), else one by one;
    a text with a bracket or a placeholder alone (``_apart``)."""
    return _apart(texts, joined, _VALUES_APART, _party_values_together, split_party_values)


def _party_values_together(texts: list[str], joined: str,
                           one: Callable[[str], tuple[str, ...]] | None = None) -> list[tuple[str, ...]]:
    """``_all_party_values`` of texts holding no bracket nor placeholder; ``one`` splits a text as
    ``split_party_values`` splits the ``joined`` given (``split_guarantor_ids``, its slashes made 、)."""
    joined = joined.replace(_FULL_SEMICOLON, ";")
    comma = _GUARANTOR_SEPARATORS[0]
    # A cell holding a semicolon is split by it alone (an address may hold 、), any other by 、.
    separator = comma if ";" not in joined else ";" if comma not in joined else None
    if separator is None or _spaced(joined):
        return list(map(one or split_party_values, texts))
    return _split_pieces(joined, separator, texts)


def _all_guarantor_ids(texts: list[str], joined: str | None = None) -> list[tuple[str, ...]]:
    """Return ``split_guarantor_ids(text)`` of each of ``texts`` (``joined``: them joined by
    ``_PIECE``, when known), in order, as ``_all_party_values`` splits them, the slashes made 、
    first (a pass in C each, the full-width one only in text that is not all ASCII)."""
    return _apart(texts, joined, _IDS_APART, _guarantor_ids_together, split_guarantor_ids)


def _guarantor_ids_together(texts: list[str], joined: str) -> list[tuple[str, ...]]:
    """``_all_guarantor_ids`` of texts holding no bracket nor placeholder."""
    joined = joined.replace("/", _GUARANTOR_SEPARATORS[0])
    if not joined.isascii():  # a flag of the string, no scan
        joined = joined.replace(_FULL_SLASH, _GUARANTOR_SEPARATORS[0])
    return _party_values_together(texts, joined, split_guarantor_ids)


def _apart(texts: list[str], joined: str | None, apart: tuple[Any, str, tuple[str, ...]],
           together: Callable[[list[str], str], list[tuple[str, ...]]],
           one: Callable[[str], tuple[str, ...]]) -> list[tuple[str, ...]]:
    """Return ``one(text)`` of each of ``texts`` (``joined``: them joined by ``_PIECE``, when known):
    ``together`` splits them all at once, a text that is a placeholder as a whole made empty first
    (``_WHOLE``, in C), but for the texts in which ``apart`` (``_apart_pattern``) finds an opening
    bracket or a placeholder between separators, split by ``one`` alone. Each found by passes in C
    (none of their characters in the texts: a pass per character and no more), then a step in
    Python per text found, not per text."""
    joined = _PIECE.join(texts) if joined is None else joined
    if joined.count(_PIECE) != len(texts) - 1:
        return list(map(one, texts))  # a text holds _PIECE: where each begins is not known
    if _spaced(joined):
        # White space around a cell (张三 ) is what every split strips first: stripped here, in C, it no
        # longer sends the whole block to the split one by one (white space inside a cell still does).
        texts = list(map(str.strip, texts))
        joined = _PIECE.join(texts)
    pattern, starts, fillers = apart
    found = any(map(joined.__contains__, starts))
    if found or joined.startswith(fillers) or any(map(joined.__contains__, map(_PIECE.__add__, fillers))):
        # A cell that is a placeholder (无, N/A, / …: a ledger's usual "none") made empty in C, as
        # ``one`` gives it: ``()``; the rest of the work sees it no more.
        cleared = _WHOLE.sub(_PIECE, _PIECE + joined + _PIECE)[1:-1]
        if len(cleared) != len(joined):
            joined, texts = cleared, cleared.split(_PIECE)
            found = any(map(joined.__contains__, starts))
    alone: list[int] = []
    at = last = 0
    search = pattern.search
    match = search(joined) if found else None
    while match is not None:
        start = match.start()
        if match.lastgroup == "token":  # a placeholder's start: a separator before it, or none
            before = start
            while before and joined[before - 1] not in _BOUNDARIES and (
                    joined[before - 1].isspace() or joined[before - 1] in _AROUND_PLACEHOLDERS):
                before -= 1
            if before and joined[before - 1] not in _BOUNDARIES:
                match = search(joined, start + 1)  # not one: a placeholder may begin inside it
                continue
        at += joined.count(_PIECE, last, start)
        last = start
        if not alone or alone[-1] != at:
            alone.append(at)
        match = search(joined, match.end())
    if not alone:
        return together(texts, joined)
    kept = list(texts)
    for at in alone:
        kept[at] = ""
    split = together(kept, _PIECE.join(kept))
    for at in alone:
        split[at] = one(texts[at])
    return split


# A text split alone (``_apart``): one opening a bracket, or holding a placeholder (``parties.is_placeholder``)
# followed by a separator or the end (the separator before it is checked in Python: a pattern
# beginning with a look-behind would be tried at every character). A value of slashes or commas
# only is one where they do not separate (a comma in 保证人证件号码, both in 保证人地址): where they do,
# the column's own split gives the empty values it makes. Any separator of any column bounds a
# placeholder: a text split alone needlessly is split the same. The pattern is looked for only
# where a character it begins with is found, a pass in C (the pattern is tried at every character).
_BOUNDARIES = "\u3001;\uff1b,\uff0c/\uff0f\x00"


def _apart_pattern(starts: str) -> tuple[Any, str, tuple[str, ...]]:
    """Return the pattern of ``_apart`` for placeholders beginning with a word, a dash or one of
    ``starts``, the characters one of its matches begins with (each looked for by ``in``: no pass
    at all for those a text's kind cannot hold, 无 in a column of ASCII ID numbers), and the separators
    that may begin a cell of separators only (``_WHOLE`` clears it: it names no guarantor and gives no
    value, as each column's split of it alone gives)."""
    words = f"\u6682\u65e0|\u6ca1\u6709|\u65e0|[Nn]\\s*[/\uff0f]\\s*[Aa]|[Nn][Aa]|[-\u2014\uff0d\u2015{starts}]"
    around = "[\\s\\-\u2014\uff0d\u2015/\uff0f,\uff0c\u3001;\uff1b]*"
    pattern = re.compile(f"[\uff08(\u3010\\[]|(?P<token>(?:{words}){around})(?=[{_BOUNDARIES}]|$)")
    return pattern, _OPENINGS + "\u6682\u6ca1\u65e0Nn-\u2014\uff0d\u2015" + starts, _FILLERS


# A cell that is a placeholder as a whole, between the _PIECE before it and the one after it (added
# at the ends), which ``_apart`` makes empty: found from the character that begins each cell.
_WORD = "(?:\u6682\u65e0|\u6ca1\u6709|\u65e0|[Nn]\\s*[/\uff0f]\\s*[Aa]|[Nn][Aa])"  # 暂无 没有 无 N/A NA
_FILL = "[\\s\\-\u2014\uff0d\u2015/\uff0f,\uff0c\u3001;\uff1b]"
_WHOLE = re.compile(f"\x00(?:{_FILL}+(?:{_WORD}{_FILL}*)?|{_WORD}{_FILL}*)(?=\x00)")
_FILLERS = ("/", "\uff0f", ",", "\uff0c", "\u3001", ";", "\uff1b")
_NAMES_APART = _apart_pattern("")
_IDS_APART = _apart_pattern(",\uff0c")
_VALUES_APART = _apart_pattern(",\uff0c/\uff0f")


def _split_pieces(joined: str, separator: str, texts: list[str]) -> list[tuple[str, ...]]:
    """Return the ``texts`` joined as ``joined`` (by ``_PIECE``) each split at ``separator`` into a
    tuple, an empty text into ``()`` (no guarantor: no value)."""
    found = list(map(tuple, map(str.split, joined.split(_PIECE), repeat(separator))))
    if "" in texts:
        for at in compress(range(len(texts)), map(not_, texts)):
            found[at] = ()
    return found


def _spaced(text: str) -> bool:
    """Whether ``text`` holds white space (what ``str.strip`` strips), found in one pass in C:
    split at white space, a text without any is the one piece."""
    return bool(text) and text.split(None, 1) != [text]


# Joins the texts split together: a character no clerk types, yet a CSV cell may hold it (a block
# with such a cell is split one by one).
_PIECE = "\x00"
# Columns of one value per guarantor: how their stripped cells are split (all of a block's at once),
# and the characters that make a cell need its split: a separator, or a character of a placeholder
# or a bracket (``_apart``).
_NOT_ONE = (*_OPENINGS, *_PLACEHOLDER_CHARACTERS)
_SPLIT: dict[str, tuple[Any, frozenset[str]]] = {
    "guarantors": (_all_guarantors, frozenset((*_GUARANTOR_SEPARATORS, *_NOT_ONE))),
    "guarantor_addresses": (_all_party_values, frozenset((";", _FULL_SEMICOLON, _GUARANTOR_SEPARATORS[0], *_NOT_ONE))),
    "guarantor_ids": (_all_guarantor_ids, frozenset((";", _FULL_SEMICOLON, _GUARANTOR_SEPARATORS[0], *_SLASHES,
                                                     *_NOT_ONE))),
}


def _block_loans(block: Block, columns: Mapping[str, str], vocabulary: Vocabulary, budget: int,
                 built_from: list[tuple[list[list[Any]], dict[str, Any]]] | None = None,
                 lazy: bool = False) -> list[Loan | list[Problem]] | ledger_cache.CachedBlock:
    """Validate one block of ledger rows (``docgen.core.tabular.Block``) column by column.

    Returns, for each row of the block in order, its ``Loan`` or its list of problems: what
    ``validate_row`` gives for that row (the same loan, the same problems in the same order).
    Cells the reader already reported (``block.problems``) are left out of their row. When some
    row needs ``validate_row`` (a cell that does not convert, an empty 借据号 or borrower, an ID
    number that is empty or wrong, a cell the reader reported), the rows stop at the first one
    that makes more than ``budget`` rows of the block bad (a problem of its own or of the
    reader's): the rows after it are not validated, so a block of bad rows costs
    ``validate_row`` for ``budget + 1`` of them, not for the whole block. When none does, every
    row is given (its bad rows were found column-wise, at no extra cost; the caller cuts them).
    Then, when ``built_from`` is a list, the columns the loans were built from (one list per
    ``Loan`` field, in field order) are appended to it, with the cells of its date and amount
    columns and each distinct cell's value (``_converted``: what the cache entry encodes them
    from). When ``lazy`` and every row is a loan, the
    loans are not made: a ``ledger_cache.CachedBlock`` of those columns is returned instead (a
    caller such as the plan makes the few it needs; only the rows whose fields might contradict
    each other are made here, to be checked).
    """
    from docgen.core.tabular import containing  # the reader's module, imported with the reading
    count = len(block.numbers)
    out: dict[str, list[Any]] = {}
    slow: set[int] = set()
    tables: dict[str, Any] | None = {} if built_from is not None else None
    for name in LEDGER_HEADERS:
        joined = block.joined(name) if name in _SPLIT and name in _JOINED else None
        if joined is not None:
            # Names or ID numbers the reader joined (cells that differ from loan to loan): each row split
            # from them at once, no set of the cells nor a strip of each made (a cell with white space
            # makes every cell split alone, and split_guarantors and split_party_values strip).
            out[name] = _SPLIT[name][0](block.raw[name], joined)
            continue
        text = block.text(name) if name in _MOSTLY_DISTINCT else None
        if text is not None:
            # Text that differs from row to row: one pass over the column instead of a call per cell.
            texts, distinct = text
            if name in _SPLIT:
                split, separators = _SPLIT[name]
                if name in _JOINED:
                    # Cells that differ from loan to loan (names, ID numbers): each row split, no table
                    # of distinct cells made (the cache entry writes these tuples as they are, unshared).
                    out[name] = split(texts)
                    continue
                # Most cells name one party: only those with a separator are split.
                parts = dict(zip(distinct, zip(distinct)))
                parts[""] = ()
                several = list(containing(distinct, separators))
                if several:
                    parts.update(zip(several, split(several)))
                out[name] = list(map(parts.__getitem__, texts))
            else:
                out[name] = texts = _shared(texts, distinct)
                joined = block.joined(name)
                if tables is not None and joined is not None and distinct is block.distinct(name):
                    # Text needing no strip (its distinct values are the cells'): the column is the
                    # reader's joined cells, which the cache entry writes as they are.
                    tables[name] = joined
                if name in _REQUIRED_TEXT:
                    if "" in distinct:
                        slow.update(at for at, text in enumerate(texts) if not text)
                elif name == "id_number":
                    wrong = _wrong_ids(distinct - {""})
                    wrong.add("")
                    if not wrong.isdisjoint(distinct):
                        slow.update(at for at, text in enumerate(texts) if text in wrong)
            continue
        if name in _VOCAB_FIELDS:
            lookup = vocabulary.lookup[name]
            convert, at_once = _controlled(lookup), _controlled_at_once(lookup)
        else:
            convert, at_once = _CONVERTERS[name], _AT_ONCE.get(name)
        out[name], failed = block.convert(name, convert, _CONVERT_ERRORS,
                                          tables if name in _CONVERTED_FOR_ENTRY else None, at_once)
        slow.update(failed)
    out["row"] = block.numbers
    # 诉讼状态 written in the row (an empty cell is not a claim a suit date contradicts): a converted
    # cell is empty exactly when the cell was.
    out["stated"] = list(map(bool, out["litigation"]))
    # What _complete fills in for empty controlled cells (DESIGN §8).
    out["litigation"] = [text or ("已起诉" if filed is not None else "未起诉")
                         for text, filed in zip(out["litigation"], out["litigation_filed"])]
    out["interruption_type"] = [text or ("催收送达" if date is not None else "")
                                for text, date in zip(out["interruption_type"], out["last_interruption"])]
    out["guarantee_type"] = [text or ("一般保证" if names else "")
                             for text, names in zip(out["guarantee_type"], out["guarantors"])]
    bad_cells: dict[int, set[str]] = {}
    if block.problems:
        at_of = {number: at for at, number in enumerate(block.numbers)}
        for problem in block.problems:
            if problem.row in at_of:  # a totals row the reader left out of the block has no cells here
                bad_cells.setdefault(at_of[problem.row], set()).add(problem.path)
        slow.update(bad_cells)
    keep = [True] * count
    for at in slow:
        keep[at] = False
    if slow:
        out = {name: list(compress(column, keep)) for name, column in out.items()}
    explicit = out["stated"]
    suspects = None
    if lazy and not slow:
        made = [out[name] for name in _LOAN_FIELDS]
        suspects = _suspects(out)
        if not any(cross_check(Loan(*(column[at] for column in made)), columns, explicit_status=explicit[at])
                   for at in suspects):
            if built_from is not None:
                built_from.append((made, _converted(block, tables)))
            return ledger_cache.CachedBlock(Loan, _LOAN_FIELDS, [(column, None, 1) for column in made], count)
    built: list[Any] = list(map(Loan, *(out[name] for name in _LOAN_FIELDS)))
    for at in _suspects(out) if suspects is None else suspects:
        problems = cross_check(built[at], columns, explicit_status=explicit[at])
        if problems:
            built[at] = problems
    if not slow:
        if built_from is not None:
            built_from.append(([out[name] for name in _LOAN_FIELDS], _converted(block, tables)))
        return built  # no row costs validate_row: the caller cuts what passes the budget
    results: list[Loan | list[Problem]] = []
    fast = iter(built)
    # Bad rows the block may still hold (the rows where validate_row is slow are most of a
    # block of bad rows: it stops at the row that passes the budget, not at the block's end).
    left = budget
    for at in range(count):
        if keep[at]:
            result = next(fast)
            bad = result.__class__ is list
        else:
            skip = bad_cells.get(at, ())
            cells_of_row = {name: block.cell(name, at) for name in block.raw if name not in skip}
            loan, problems = validate_row(cells_of_row, block.numbers[at], columns, vocabulary=vocabulary)
            if skip:
                # The reader already explained those cells; "required field missing" would only repeat it.
                problems = [p for p in problems if p.path not in skip]
            result = problems if loan is None else loan
            bad = loan is None or bool(skip)
        results.append(result)
        if bad:
            left -= 1
            if left < 0:
                break
    return results


# The date and amount columns, which the cache entry encodes from their cells (``_converted``).
_CONVERTED_FOR_ENTRY = frozenset(name for name, rule in LEDGER_SCHEMA.items() if rule["type"] in ("date", "amount"))


def _converted(block: Block, tables: dict[str, Any] | None) -> dict[str, tuple[Any, ...]]:
    """Return, for each field ``tables`` holds, what ``ledger_cache.EntryWriter.block`` encodes the
    field's column from: for a date or amount field (``Block.convert``'s table) the block's cells of
    that field and each distinct cell's converted value; for a text field the column's values
    joined by ``Block.SEPARATOR`` (``Block.joined``: the cells, which needed no strip)."""
    return {name: (table,) if table.__class__ is str else (block.raw[name], table)
            for name, table in (tables or {}).items()}


def _shared(texts: list[str], distinct: set[str]) -> list[str]:
    """Return ``texts`` (whose distinct values are ``distinct``) with equal strings made one object
    where they repeat (400,000 loans name a few hundred addresses: 40 MB of copies), or ``texts``
    itself where most of them differ."""
    if len(distinct) * 2 > len(texts):
        return texts
    first = {text: text for text in distinct}
    return list(map(first.__getitem__, texts))


def _suspects(out: Mapping[str, list[Any]]) -> list[int]:
    """Return the indexes of the rows whose fields might contradict each other (``cross_check``
    says which do): a superset, found a column at a time over the converted columns ``out``.

    Comparisons every row needs run as ``map``s of ``operator`` functions (no Python step per
    row); a check of an optional column looks only at the rows where it is filled (``compress``:
    a date is always true, an empty cell None, an empty tuple false).
    """
    column = out.__getitem__
    rows = range(len(out["row"]))
    disbursed, litigation = column("disbursed_on"), column("litigation")
    filed, guarantors, demanded = column("litigation_filed"), column("guarantors"), column("guarantor_demanded")
    last, since, judged = column("last_interruption"), column("overdue_since"), column("judgment_due")
    kinds = column("interruption_type")
    found: set[int] = set()
    # Amounts are never negative, so a zero overdue principal exceeds no balance.
    overdue, balance = column("overdue_principal"), column("balance")
    found.update(at for at in compress(rows, overdue) if overdue[at] > balance[at])
    found.update(compress(rows, map(lt, column("maturity"), disbursed)))
    found.update(at for at in compress(rows, since) if since[at] < disbursed[at])
    found.update(at for at in compress(rows, last) if last[at] < disbursed[at])
    found.update(at for at in compress(rows, kinds) if last[at] is None)
    found.update(at for at in compress(rows, filed) if filed[at] < disbursed[at] or litigation[at] == "未起诉")
    found.update(at for at in compress(rows, judged)
                 if litigation[at] in ("未起诉", "已撤诉") or (filed[at] is not None and judged[at] < filed[at]))
    found.update(at for at in compress(rows, column("guarantee_type")) if not guarantors[at])
    found.update(at for at in compress(rows, demanded) if not guarantors[at] or demanded[at] < disbursed[at])
    rates = column("penalty_rate")
    high = {rate for rate in set(rates) if rate is not None and rate >= 1}
    if high:
        found.update(at for at, rate in enumerate(rates) if rate in high)
    counts = list(map(len, guarantors))
    party_ids = column("guarantor_ids")
    for values in (column("guarantor_addresses"), party_ids):
        # Filled (a non-empty tuple) with another count of values than of guarantors.
        found.update(at for at in compress(rows, map(ne, map(len, values), counts)) if values[at])
    # The guarantors' ID numbers, each distinct one checked once for the whole block (their verdicts
    # not kept: only the borrowers' are asked for again, by the NPL report).
    named = set(chain.from_iterable(party_ids))
    named.discard("")
    wrong = _wrong_ids(named, remember=False)
    if wrong:
        found.update(at for at, values in enumerate(party_ids) if not wrong.isdisjoint(values))
    return sorted(found)


def _cell(name: str, value: Any) -> Any:
    if value is None:
        return None
    if name == "on_balance" and isinstance(value, bool):
        return "表内" if value else "表外"
    if name == "guarantors" and isinstance(value, (list, tuple)):
        return "、".join(value)
    if name in _PARTY_COLUMNS and isinstance(value, (list, tuple)):
        return ";".join(value) or None
    if name == "accelerated" and isinstance(value, bool):
        return "是" if value else None
    if value == "":
        return None
    if isinstance(value, Decimal):
        return float(value)
    return value


def write_ledger(
    rows: Iterable[Mapping[str, Any] | Loan],
    path: str | os.PathLike[str],
    *,
    encoding: str = "utf-8-sig",
    headers: Sequence[str] | None = None,
) -> Path:
    """Write ledger rows (mappings by canonical name, or ``Loan``s) to .xlsx or .csv atomically.

    Headers are the Chinese ones of ``LEDGER_HEADERS`` (or ``headers``, one per column, in the
    canonical order). CSV dates are ISO and encoding is ``encoding`` (e.g. ``gb18030``); xlsx
    dates are date cells and ID numbers text cells. Returns the path written.
    """
    from docgen.core.atomic import atomic_output

    target = Path(path)
    names = list(LEDGER_HEADERS)
    titles = list(headers) if headers is not None else [LEDGER_HEADERS[n] for n in names]
    if len(titles) != len(names):
        raise MESSAGES.fault(ValueError, "ledger-headers-short")

    def values(item: Mapping[str, Any] | Loan) -> list[Any]:
        get = (lambda n: getattr(item, n)) if isinstance(item, Loan) else item.get
        return [_cell(n, get(n)) for n in names]

    suffix = target.suffix.lower()
    if suffix == ".csv":
        with atomic_output(target, "wb") as fh:
            import io

            text = io.TextIOWrapper(fh, encoding=encoding, newline="")
            writer = csv.writer(text)
            writer.writerow(titles)
            for item in rows:
                writer.writerow(["" if v is None else (v.isoformat() if isinstance(v, _dt.date) else v)
                                 for v in values(item)])
            text.flush()
            text.detach()
        return target
    if suffix != ".xlsx":
        raise MESSAGES.fault(ValueError, "ledger-format-unsupported", suffix=suffix)
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("贷款台账")
    sheet.append(titles)
    for item in rows:
        sheet.append([xlsx_cell(sheet, value) for value in values(item)])
    with atomic_output(target, "wb") as fh:
        workbook.save(fh)
    return target
