"""The ledger read a block at a time (``iter_ledger_blocks``) and the figures and plan built from
its blocks as they come: the same loans, errors, figures and plan as from the whole ledger, whatever
the block size; nothing published when a late block holds a bad row."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from ledger_fixtures import AS_OF, row

from docgen.cli import main
from docgen.core import tabular
from docgen.core.errors import RowsError
from docgen.loans import ledger_cache
from docgen.loans.ledger import iter_ledger_blocks, read_ledger, write_ledger
from docgen.loans.npl import compute_figures, load_targets, parse_period
from docgen.loans.npl_report import read_figures
from docgen.loans.plan import build_plan, load_policy, plan_ledger

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "ledger"
CLOSING, OPENING, TARGETS = EXAMPLES / "ledger-2026Q2.xlsx", EXAMPLES / "ledger-2026Q1.xlsx", EXAMPLES / "targets.yaml"
Q2 = parse_period("2026Q2")


def _rows(count: int, **bad: dict[str, object]) -> list[dict[str, object]]:
    """``count`` valid rows (借据号 B000…), with the cells of ``bad`` (借据号 -> cells) replaced."""
    rows = [row(f"B{i:03d}", 1000 + i, days=100 if i % 4 == 0 else 0, serial=i + 1) for i in range(count)]
    for item in rows:
        item.update(bad.get(str(item["loan_no"]), {}))
    return rows


def test_blocks_give_the_loans_of_read_ledger_a_block_at_a_time() -> None:
    whole = read_ledger(CLOSING).loans
    blocks = iter_ledger_blocks(CLOSING, block_rows=50)
    assert blocks.unknown_headers == [] and blocks.path == CLOSING
    sizes, loans = [], []
    for block in blocks:
        sizes.append(len(block))
        loans.extend(block)
    assert loans == whole and blocks.loans == len(whole)
    assert sizes[:-1] == [50] * (len(sizes) - 1) and len(sizes) == -(-len(whole) // 50)


def test_a_bad_row_in_a_late_block_is_raised_after_the_last_block_with_every_bad_row(tmp_path: Path) -> None:
    path = write_ledger(_rows(20, B001={"classification": "很好"}, B018={"balance": "很多"}), tmp_path / "bad.xlsx")
    blocks = iter_ledger_blocks(path, block_rows=4)
    seen = []
    with pytest.raises(RowsError) as caught:
        for block in blocks:
            seen.extend(loan.loan_no for loan in block)
    # Every good loan came out before the error, which lists the bad rows of the first and the last block.
    assert len(seen) == 18 and "B001" not in seen and "B018" not in seen
    assert [(p.row, p.path) for p in caught.value.problems] == [(3, "classification"), (20, "balance")]
    with pytest.raises(RowsError) as whole:
        read_ledger(path)
    assert [(p.row, p.message) for p in whole.value.problems] == [(p.row, p.message) for p in caught.value.problems]


def test_a_loan_number_seen_in_an_earlier_block_is_a_bad_row(tmp_path: Path) -> None:
    rows = _rows(12)
    rows[10]["loan_no"] = "B001"  # row 12, in the third block of four rows; first seen on row 3
    path = write_ledger(rows, tmp_path / "twice.xlsx")
    with pytest.raises(RowsError) as caught:
        for _ in iter_ledger_blocks(path, block_rows=4):
            pass
    [problem] = caught.value.problems
    assert (problem.row, problem.code, problem.facts["first_row"]) == (12, "duplicate-loan-no", 3)


@pytest.mark.parametrize("cached", [False, True])
def test_a_parsed_block_of_loans_alone_is_given_lazily_as_the_columns_they_were_checked_in(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cached: bool) -> None:
    rows = _rows(24, B005={"classification": "很好"}, B013={"overdue_principal": 99999, "balance": 100})
    rows[10]["loan_no"] = "B009"  # the same 借据号 twice in the third block
    rows[17]["loan_no"] = "B001"  # and in the fifth, first seen in the first
    path = write_ledger(rows, tmp_path / "台账.xlsx")
    monkeypatch.setenv("DOCGEN_NO_CACHE", "" if cached else "1")
    eager: list[Any] = []
    lazy: list[Any] = []
    errors, entries = [], []
    for given in (eager, lazy):
        folder = tmp_path / f"cache-{len(errors)}"  # each parsed, its entry written when caching
        monkeypatch.setenv("DOCGEN_CACHE_DIR", str(folder))
        blocks = iter_ledger_blocks(path, block_rows=4)
        with pytest.raises(RowsError) as caught:
            given.extend(blocks.lazily() if given is lazy else blocks)
        errors.append([(p.row, p.code, p.message) for p in caught.value.problems])
        entries.append({path.name: path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()})
    assert entries[0] == entries[1] and bool(entries[0]) is cached
    assert errors[0] == errors[1] and [code for _, code, _ in errors[0]] == [
        "not-allowed", "duplicate-loan-no", "overdue-exceeds-balance", "duplicate-loan-no"]
    # A bad row, a 借据号 seen before (in the block or earlier), a row its cross-check refuses: a list.
    kinds = [type(block).__name__ for block in lazy]
    assert kinds == ["CachedBlock", "list", "list", "list", "list", "CachedBlock"]
    assert [len(block) for block in lazy] == [len(block) for block in eager] == [4, 3, 3, 3, 3, 4]
    made = [block.loans() if isinstance(block, ledger_cache.CachedBlock) else block for block in lazy]
    assert made == eager
    assert lazy[0].loans([3, 1]) == [eager[0][3], eager[0][1]]
    assert lazy[-1].column("loan_no") == [loan.loan_no for loan in eager[-1]]


def test_a_plan_of_a_parsed_ledger_makes_only_the_loans_it_lists(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_ledger(_rows(30), tmp_path / "台账.xlsx")
    monkeypatch.setenv("DOCGEN_NO_CACHE", "1")
    whole = build_plan(read_ledger(path).loans, AS_OF, load_policy()).to_list()
    made: list[int] = []
    loans = ledger_cache.CachedBlock.loans
    monkeypatch.setattr(ledger_cache.CachedBlock, "loans",
                        lambda self, rows=None: made.append(len(rows)) or loans(self, rows))
    assert plan_ledger(path, AS_OF, load_policy()).to_list() == whole
    assert sum(made) == len(whole) == 8  # the overdue loans, one in four


@pytest.mark.parametrize("size", [1, 2, 7, 64])
def test_figures_and_plan_built_block_by_block_equal_those_of_the_whole_ledger(
        size: int, monkeypatch: pytest.MonkeyPatch) -> None:
    targets = load_targets(TARGETS)
    policy = load_policy()
    expected = compute_figures(read_ledger(CLOSING).loans, read_ledger(OPENING).loans, period=Q2,
                               targets=targets).to_dict()
    plain = compute_figures(read_ledger(CLOSING).loans, period=Q2, as_of=dt.date(2026, 6, 15)).to_dict()
    planned = build_plan(read_ledger(CLOSING).loans, AS_OF, policy).to_list()
    assert expected["flags"] and expected["large_npls"] and expected["to_sue"] and expected["litigation"]["loans"]
    assert {flag["code"] for flag in expected["flags"]} >= {"debtor-inconsistent", "misclassified"}
    monkeypatch.setattr(tabular, "BLOCK_ROWS", size)
    assert read_figures(CLOSING, OPENING, period=Q2, targets=TARGETS).to_dict() == expected
    assert read_figures(CLOSING, None, period=Q2, as_of=dt.date(2026, 6, 15)).to_dict() == plain
    plan = plan_ledger(CLOSING, AS_OF, policy)
    assert plan.to_list() == planned and all(entry.loan is None for entry in plan.entries)


@pytest.fixture()
def late_bad_row(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(tabular, "BLOCK_ROWS", 3)
    return write_ledger(_rows(10, B000={"classification": "很好"}, B009={"maturity": "明年"}), tmp_path / "bad.xlsx")


@pytest.mark.parametrize("fmt", ["json", "xlsx", "text"])
def test_collect_plan_writes_nothing_when_a_late_block_has_a_bad_row(late_bad_row: Path, tmp_path: Path,
                                                                      fmt: str) -> None:
    out = tmp_path / f"plan.{fmt}"
    result = CliRunner().invoke(main, ["collect", "plan", "--ledger", str(late_bad_row), "--as-of", "2026-06-30",
                                       "--register", str(tmp_path / "none.sqlite"), "--format", fmt, "-o", str(out)])
    assert result.exit_code == 1, result.output
    assert "第2行" in result.stderr and "第11行" in result.stderr
    assert not out.exists() and list(tmp_path.iterdir()) == [late_bad_row]


def test_npl_report_writes_nothing_when_a_late_block_has_a_bad_row(late_bad_row: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.docx"
    result = CliRunner().invoke(main, ["npl-report", "--ledger", str(late_bad_row), "--period", "2026Q2",
                                       "--format", "json", "-o", str(out)])
    assert result.exit_code == 1, result.output
    # On stdout the bad rows, not figures (LEDGER_ROWS_ERROR_JSON).
    payload = json.loads(result.stdout)
    assert sorted(payload) == ["file", "problems"] and {p["row"] for p in payload["problems"]} == {2, 11}
    assert "第2行" in result.stderr and "第11行" in result.stderr
    assert list(tmp_path.iterdir()) == [late_bad_row]


def test_collect_plan_json_is_the_same_whatever_the_block_size(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def plan() -> list[dict[str, object]]:
        result = CliRunner().invoke(main, ["collect", "plan", "--ledger", str(CLOSING), "--as-of", "2026-06-30",
                                           "--register", str(tmp_path / "none.sqlite"), "--format", "json"])
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    whole = plan()
    monkeypatch.setattr(tabular, "BLOCK_ROWS", 5)
    assert plan() == whole and whole


def test_the_blocks_and_the_tally_are_used_once_and_say_so_when_used_again(tmp_path: Path) -> None:
    from docgen.loans.npl import NplTally

    blocks = iter_ledger_blocks(write_ledger(_rows(5), tmp_path / "once.xlsx"), block_rows=2)
    tally = NplTally(AS_OF, migration=True)
    for loans in blocks:
        tally.add(loans)
    with pytest.raises(RuntimeError) as caught:
        iter(blocks)
    assert caught.value.code == "ledger-blocks-iterated"
    assert tally.figures(Q2).loans == 5
    # A second call would give the figures without the closing states the first took away.
    for misuse in (lambda: tally.figures(Q2), lambda: tally.add([])):
        with pytest.raises(RuntimeError) as caught:
            misuse()
        assert caught.value.code == "tally-figured"


def test_a_ledger_without_loans_is_refused_after_its_blocks_also_from_the_cache(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from docgen.core.errors import InputError

    monkeypatch.setenv("DOCGEN_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("DOCGEN_NO_CACHE", raising=False)
    from docgen.loans import ledger_cache
    from docgen.loans.vocabulary import default_vocabulary

    path = write_ledger([], tmp_path / "台账.xlsx")
    for cached in (False, True):  # parsed, then from the cache entry the parse wrote
        hit = ledger_cache.find(path, sheet=None, vocabulary=default_vocabulary(), block_rows=None).hit
        assert (hit is not None) == cached
        with pytest.raises(InputError) as caught:
            list(iter_ledger_blocks(path))
        assert caught.value.code == "ledger-no-loans" and str(path) in str(caught.value)
        with pytest.raises(InputError):
            read_ledger(path)
