"""A collection plan of a ledger read from the cache (``plan_ledger`` over ``LedgerBlocks.lazily``):
the loans it lists are made from the entry's columns and no other, and the plan is the one the
parse gives, entry for entry, with the same loans left out for their dates, the same filters, the
same refusals and the same progress."""
from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from pathlib import Path
from typing import Any

import pytest
from ledger_fixtures import AS_OF, row

from docgen.core.errors import InputError
from docgen.loans import ledger, ledger_cache
from docgen.loans.ledger import iter_ledger_blocks, write_ledger
from docgen.loans.plan import load_policy, plan_ledger


@pytest.fixture()
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("DOCGEN_CACHE_DIR", str(folder))
    monkeypatch.delenv("DOCGEN_NO_CACHE", raising=False)
    # Blocks of 7 rows: a ledger of a few dozen loans comes in several.
    monkeypatch.setattr(ledger, "iter_ledger_blocks", functools.partial(iter_ledger_blocks, block_rows=7))
    return folder


def _rows() -> list[dict[str, Any]]:
    """Current, overdue and matured-unpaid loans of two branches and three officers, some dated
    after ``AS_OF`` (disbursed, fallen overdue or interrupted later), a few in court."""
    later = AS_OF + dt.timedelta(days=20)
    rows = []
    for i in range(40):
        extra: dict[str, Any] = {"branch": "金渠分理处" if i % 3 else "眉县支行营业部",
                                 "officer": ("王立新", "李志强", "张红梅")[i % 4 % 3]}
        days = (0, 5, 40, 200, 900)[i % 5]
        if i % 11 == 4:
            extra.update(maturity=dt.date(2026, 3, 31))  # matured with its balance unpaid
            days = 0
        if i % 13 == 6:
            extra.update(litigation="已起诉", litigation_filed=dt.date(2025, 9, 1), last_interruption=dt.date(2025, 9, 1),
                         interruption_type="起诉")
        if i % 17 == 8:
            extra.update(guarantors="甲公司", guarantee_type="连带责任保证")
        if i == 9:
            extra.update(disbursed_on=later, maturity=dt.date(2028, 1, 1))
            days = 0
        if i == 21:
            extra.update(overdue_since=later)
            days = 0
        if i == 33:
            extra.update(last_interruption=later, interruption_type="债务人确认")
        rows.append(row(f"JJ{i:04d}", 10000 + 1000 * i, days=days, serial=i, **extra))
    return rows


def _plan(path: Path, as_of: dt.date, **filters: Any) -> tuple[list[dict[str, Any]], list[Any], list[int]]:
    steps: list[int] = []
    plan = plan_ledger(path, as_of, load_policy(), progress=steps.append, **filters)
    assert all(entry.loan is None for entry in plan.entries)
    return plan.to_list(), plan.after_as_of, steps


def _made(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count the loans the cache entry's blocks make from now on."""
    made: list[int] = []
    loans = ledger_cache.CachedBlock.loans

    def counting(self: ledger_cache.CachedBlock, rows: Any = None) -> list[Any]:
        given = loans(self, rows)
        made.append(len(given))
        return given

    monkeypatch.setattr(ledger_cache.CachedBlock, "loans", counting)
    return made


@pytest.mark.parametrize("as_of", [AS_OF, dt.date(2026, 7, 31)])
@pytest.mark.parametrize("filters", [{}, {"branch": "金渠分理处"}, {"officer": " 张红梅"},
                                     {"branch": "眉县支行营业部", "officer": "王立新"}])
def test_a_plan_from_the_cache_is_the_parses_and_makes_only_its_loans(
        cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, as_of: dt.date, filters: dict[str, str]) -> None:
    path = write_ledger(_rows(), tmp_path / "台账.xlsx")
    monkeypatch.setenv("DOCGEN_NO_CACHE", "1")
    parsed = _plan(path, as_of, **filters)
    monkeypatch.delenv("DOCGEN_NO_CACHE")
    assert _plan(path, as_of, **filters) == parsed  # parsed again, the entry written
    made = _made(monkeypatch)
    warm = _plan(path, as_of, **filters)
    assert warm == parsed
    entries, after, steps = warm
    assert entries and sum(steps) == 40 and steps == [40]  # fewer than 1,000 loans: one call at the end
    assert sum(made) == len(entries) < 40  # only the overdue loans the filters keep were made
    if not filters and as_of == AS_OF:
        assert [number for number, _ in after] == ["JJ0009", "JJ0021", "JJ0033"]


def test_a_filter_no_cached_loan_matches_is_refused_as_when_parsed(cache: Path, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_ledger(_rows(), tmp_path / "台账.csv")
    refusals = []
    for _ in range(2):  # parsed, then from the cache
        with pytest.raises(InputError) as caught:
            plan_ledger(path, AS_OF, load_policy(), officer="赵六")
        refusals.append((caught.value.code, str(caught.value), caught.value.facts))
    assert refusals[0] == refusals[1] and refusals[0][0] == "plan-filter-unknown"
    assert refusals[0][2]["known"] == ["张红梅", "李志强", "王立新"]


def test_progress_from_cached_blocks_comes_every_thousand_loans(cache: Path, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ledger, "iter_ledger_blocks", functools.partial(iter_ledger_blocks, block_rows=700))
    rows = [row(f"JJ{i:05d}", 5000, days=30 if i % 50 == 0 else 0, serial=i) for i in range(2500)]
    path = write_ledger(rows, tmp_path / "台账.csv")
    parsed = _plan(path, AS_OF)
    made = _made(monkeypatch)
    warm = _plan(path, AS_OF)
    assert warm == parsed and warm[2] == [1000, 1000, 500]
    assert sum(made) == len(warm[0]) == 50


def test_a_cached_block_makes_any_of_its_loans_as_the_whole_block_holds_them(cache: Path, tmp_path: Path) -> None:
    path = write_ledger(_rows(), tmp_path / "台账.xlsx")
    parsed = [[dataclasses.astuple(loan) for loan in block] for block in iter_ledger_blocks(path, block_rows=7)]
    blocks = list(iter_ledger_blocks(path, block_rows=7).lazily())
    assert all(isinstance(block, ledger_cache.CachedBlock) for block in blocks)
    assert [len(block) for block in blocks] == [len(block) for block in parsed] == [7, 7, 7, 7, 7, 5]
    for block, loans in zip(blocks, parsed):
        first = block.loans([4, 0, 4])
        assert [dataclasses.astuple(loan) for loan in first] == [loans[4], loans[0], loans[4]]
        assert block.loans([]) == []
        whole = block.loans()
        assert [dataclasses.astuple(loan) for loan in whole] == loans
        assert block.column("loan_no") == [values[0] for values in loans]
        # Made before the whole columns or after them: the objects the whole block holds.
        again = block.loans([1, 4])
        for loan, at in ((first[0], 4), (again[0], 1), (again[1], 4)):
            assert all(getattr(loan, name) is getattr(whole[at], name)
                       for name in ("branch", "maturity", "balance", "overdue_since", "guarantors")), at


@pytest.mark.parametrize("kept", [0.0, 0.3, 0.6, 0.95])
def test_a_plan_from_an_entry_damaged_midway_goes_on_with_the_parse(
        cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kept: float) -> None:
    path = write_ledger(_rows(), tmp_path / "台账.xlsx")
    parsed = _plan(path, AS_OF)
    (entry,) = sorted((cache / "ledger-records").glob("*.rec"))
    whole = entry.read_bytes()
    entry.write_bytes(whole[:int(len(whole) * kept)])
    made = _made(monkeypatch)
    # The blocks decoded before the damage are the entry's, the rest the parse's: one plan.
    assert _plan(path, AS_OF) == parsed
    # The entry's blocks and the parse's alike make only the loans the plan lists.
    assert sum(made) == len(parsed[0])
    assert entry.read_bytes() == whole  # the parse put a sound entry back
