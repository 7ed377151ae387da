"""The NPL report's tally and opening summary read a block of loans a column at a time and make only
the loans the report lists or may flag (``NplTally.add``, ``summarize_opening``). Given lists of
loans or ledger_cache blocks whose loans are not made, in blocks of any size, they give what
counting the loans one at a time by the report's rules gives (``_by_loan`` and ``_opening_by_loan``
below: those rules written loan by loan)."""
from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

import pytest
from collect_helpers import make_loan, resident_id

from docgen.loans import npl
from docgen.loans.ledger import _LOAN_FIELDS, NPL_CLASSES, Loan, is_resident_id
from docgen.loans.ledger_cache import CachedBlock
from docgen.loans.npl import NplTally, OpeningSummary, parse_period, summarize_opening
from docgen.loans.plan import limitation_period, next_action, overdue_days
from docgen.loans.vocabulary import LITIGATION_STATES

Q2 = parse_period("2026Q2")
AS_OF = dt.date(2026, 6, 30)
CLASSES = ("正常", "关注", "次级", "可疑", "损失")
COMPANIES = ("91330100MA27XY1234", "91110000100000000X", "913301007042000000")


def _random_loans(rng: random.Random, count: int) -> list[Loan]:
    loans = []
    for at in range(count):
        maturity = AS_OF + dt.timedelta(days=rng.choice((-800, -400, -100, -1, 0, 1, 30, 700)))
        since = rng.choice((None, None, None, maturity + dt.timedelta(days=1), maturity + dt.timedelta(days=40),
                            AS_OF - dt.timedelta(days=rng.choice((0, 1, 89, 90, 91, 200, 400))),
                            AS_OF + dt.timedelta(days=3)))
        balance = Decimal(rng.choice(("0", "0.00", "1500.50", "99999.99", "100000", "250000.00", "3000000")))
        loans.append(make_loan(
            f"L{at:05d}", days=None, overdue_since=since, maturity=maturity, balance=balance,
            disbursed_on=maturity - dt.timedelta(days=1000),
            classification=rng.choice(CLASSES), on_balance=rng.random() > 0.15,
            recovered=Decimal(rng.choice(("0", "0.00", "120.5", "3000"))),
            officer=rng.choice(("王五", "李四", "张三")), branch=rng.choice(("城东支行", "城西支行")),
            id_number=rng.choice(COMPANIES) if rng.random() < 0.2 else resident_id(rng.randrange(1000)),
            litigation=rng.choice(LITIGATION_STATES), row=at + 2))
    return loans


def _state(loan: Loan) -> str:
    return loan.classification if loan.on_balance else npl.OFF_STATE


def _by_loan(tally: NplTally, loans: list[Loan]) -> None:
    """The tally's rules applied one loan at a time (what ``NplTally.add`` must give)."""
    as_of, policy, threshold = tally.as_of, tally.policy, tally.targets.large_npl_threshold
    for loan in loans:
        balance, on_balance = loan.balance, loan.on_balance
        days = overdue_days(loan, as_of)
        key = (loan.officer, loan.branch, loan.classification, on_balance, 0 if not days else 1 if days <= 90 else 2)
        total = tally._totals.setdefault(key, [0, Decimal(0), Decimal(0)])
        total[0] += 1
        total[1] += loan.recovered
        total[2] += balance
        if on_balance:
            tally._flags.add(loan, days)
        if (not on_balance or loan.classification in NPL_CLASSES) and balance >= threshold and balance > 0:
            tally._large.append(npl._listed(loan))
        if loan.in_litigation:
            tally._litigation.append(npl._listed(loan))
        if (tally._sue_from is not None and days >= tally._sue_from and balance > 0 and not loan.suit_filed
                and "legal-action" in next_action(loan, as_of, policy).open_actions):
            deadline = limitation_period(loan, policy.limitation_years).deadline
            tally._to_sue.append(npl._listed(loan)._replace(limitation_deadline=deadline))
        if tally._states is not None:
            tally._states.setdefault(_state(loan), {})[loan.loan_no] = balance
        tally.loans += 1


def _opening_by_loan(loans: list[Loan]) -> OpeningSummary:
    start = Q2.start - dt.timedelta(days=1)
    npl_balance = overdue = Decimal(0)
    for loan in loans:
        if loan.on_balance and loan.classification in NPL_CLASSES:
            npl_balance += loan.balance
        if loan.on_balance and overdue_days(loan, start):
            overdue += loan.balance
    return OpeningSummary(npl_balance, overdue, [loan.loan_no for loan in loans],
                          [_state(loan) for loan in loans],
                          [str(loan.balance) for loan in loans])


def _cached(loans: list[Loan]) -> CachedBlock:
    columns = [([getattr(loan, name) for loan in loans], None, 1) for name in _LOAN_FIELDS]
    return CachedBlock(Loan, _LOAN_FIELDS, columns, len(loans))


def _blocks(rng: random.Random, loans: list[Loan], cached: bool) -> list[Any]:
    blocks, at = [], 0
    while at < len(loans):
        size = rng.choice((1, 7, 64, 500))
        part = loans[at:at + size]
        blocks.append(_cached(part) if cached else part)
        at += size
    return blocks


def _tally(grace: int, sue_from: int | None, threshold: Decimal) -> NplTally:
    tally = NplTally(AS_OF, targets=npl.Targets(large_npl_threshold=threshold), migration=True)
    tally._flags = npl._FlagFinder(AS_OF, grace)
    tally._sue_from = sue_from
    return tally


@pytest.mark.parametrize("seed", range(12))
def test_a_block_counted_a_column_at_a_time_gives_the_figures_of_its_loans_counted_one_by_one(seed: int) -> None:
    rng = random.Random(seed)
    closing = _random_loans(rng, 600)
    opening = _random_loans(rng, 400) + closing[:200]
    # A policy's grace is at least 0 and its days start at 1; the flags' finder takes any grace.
    grace, sue_from = (-5, 0, 30)[seed % 3], (None, 91, 1, 181)[seed % 4]  # 91: the shipped timetable's
    threshold = Decimal(rng.choice(("0", "100000", "250000")))
    expected_opening = _opening_by_loan(opening)
    reference = _tally(grace, sue_from, threshold)
    _by_loan(reference, closing)
    expected = reference.figures(Q2, expected_opening).to_dict()
    for cached in (False, True):
        summary = summarize_opening(_blocks(rng, opening, cached), Q2)
        assert summary == expected_opening
        tally = _tally(grace, sue_from, threshold)
        for block in _blocks(rng, closing, cached):
            tally.add(block)
        assert tally.figures(Q2, summary).to_dict() == expected
    # The random loans meet every branch the rules take.
    figures = expected
    assert figures["flags"] and figures["large_npls"] and figures["litigation"]
    assert any(not is_resident_id(loan.id_number) for loan in closing)


def test_loans_given_one_at_a_time_as_an_iterator_are_counted_too() -> None:
    rng = random.Random(99)
    closing = _random_loans(rng, 50)
    reference = _tally(0, 90, Decimal(100000))
    _by_loan(reference, closing)
    tally = _tally(0, 90, Decimal(100000))
    tally.add(iter(closing))
    assert tally.figures(Q2).to_dict() == reference.figures(Q2).to_dict()
    assert summarize_opening([iter(closing)], Q2) == _opening_by_loan(closing)
