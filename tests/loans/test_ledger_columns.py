"""The column-wise ledger reader gives what validating row by row gives: the same loans, the same
row errors (code, facts, wording, row, column) in the same order, on a ledger full of bad cells."""
from __future__ import annotations

import datetime as dt
import random
import sys
from pathlib import Path
from typing import Any

import pytest
from ledger_fixtures import resident_id, row

from docgen.core.errors import RowsError
from docgen.core.problems import Problem
from docgen.core.tabular import BLOCK_ROWS, read_table
from docgen.loans.ledger import (
    LEDGER_ALIASES, REQUIRED_COLUMNS, TEXT_FIELDS, loans_from_rows, read_ledger, write_ledger,
)

ROOT = Path(__file__).resolve().parents[2]

# Cells a bank's ledger really holds by mistake, for any column.
_JUNK: list[Any] = [
    None, "  ", "abc", -5, 1e20, "1,000.50", "¥1000", "2023/1/5", "2023年1月5日", "２０２３-01-05", "2026-13-01",
    "2026-02-30", "9999-12-31", dt.date(1899, 1, 1), dt.date(2199, 12, 31), dt.date(2200, 1, 1),
    dt.datetime(2023, 1, 5, 9, 30), True, False, 0, 1, 1.5, "次级类", "很好", "表中", "表外", "6.75%", "6.75",
    "0.5", "是", "否", "也许", "无", "拟起诉", "协商中", "已判决,执行中", "终本", "撤诉", "债务人确认", "连带责任保证",
    "一般", 610326197503121000, "6.10326E+17", "  A1 ", "赵一、钱二;孙三", ",", "91610326MA6X7Y8Z9A",
    resident_id(7), "610326197503121231", dt.date(2020, 1, 1), dt.date(2024, 6, 1), dt.date(2027, 6, 1),
    "甲地;乙地", "甲地;;丙地", f"{resident_id(8)};610326197503121231", f"{resident_id(8)}、{resident_id(9)}",
]


def _row_path(path: Path) -> tuple[list[Any], list[Problem]]:
    """The ledger read row by row: read_table's rows through validate_row, as the reader did before."""
    table = read_table(path, LEDGER_ALIASES, required=REQUIRED_COLUMNS, text_fields=TEXT_FIELDS)
    bad_cells = {(p.row, p.path) for p in table.problems}
    rows = ((r.number, {k: v for k, v in r.values.items() if (r.number, k) not in bad_cells}, r.columns)
            for r in table.rows)
    loans, problems = loans_from_rows(rows)
    problems = [p for p in problems if (p.row, p.path) not in bad_cells]
    return loans, sorted(table.problems + problems, key=lambda p: (p.row or 0, p.path))


def _facts(problems: list[Problem]) -> list[tuple[Any, ...]]:
    return [(p.row, p.column, p.path, p.code, p.message, dict(p.facts)) for p in problems]


def _mutated_rows(seed: int, count: int) -> list[dict[str, Any]]:
    sys.path.insert(0, str(ROOT / "examples"))
    import make_ledger

    rng = random.Random(seed)
    rows = list(make_ledger.bulk(count, seed=seed))
    names = list(rows[0])
    for item in rows:
        if rng.random() < 0.4:
            for _ in range(rng.choice((1, 1, 2, 3))):
                item[rng.choice(names)] = rng.choice(_JUNK)
    rows[5]["loan_no"] = rows[3]["loan_no"]  # a duplicate 借据号
    rows.insert(9, {})  # a blank row keeps its number out of the loans
    return rows


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
@pytest.mark.parametrize("seed", [1, 2])
def test_column_path_equals_row_path_on_bad_cells(tmp_path: Path, suffix: str, seed: int) -> None:
    path = write_ledger(_mutated_rows(seed, 400), tmp_path / f"mixed{suffix}")
    loans, problems = _row_path(path)
    assert problems and loans  # the ledger has both good and bad rows
    with pytest.raises(RowsError) as caught:
        read_ledger(path)
    assert _facts(caught.value.problems) == _facts(problems)


def test_column_path_equals_row_path_on_good_rows(tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "examples"))
    import make_ledger

    # Blocks of 4,096 rows: 20,000 rows cross block boundaries.
    path = write_ledger(make_ledger.bulk(20_000, seed=3), tmp_path / "good.xlsx")
    loans, problems = _row_path(path)
    assert problems == []
    ledger = read_ledger(path)
    assert ledger.loans == loans
    # Equal cells share one object (memory): within a block, text columns too; guarantors are tuples.
    by_address: dict[str, Any] = {}
    for loan in ledger.loans[:BLOCK_ROWS]:
        assert by_address.setdefault(loan.address, loan.address) is loan.address
        assert loan.guarantors.__class__ is tuple
    assert len(by_address) < BLOCK_ROWS // 2


def test_duplicate_across_blocks_and_numeric_cells(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = [row(f"A{i}", 1000, serial=i) for i in range(20)]
    rows[17]["loan_no"] = "A2"
    rows[4]["borrower"] = 20260001  # an integer cell in a text column is its digits
    rows[6]["contract_no"] = 20260002  # except in an identifier column: Excel may have dropped digits
    path = write_ledger(rows, tmp_path / "dup.xlsx")
    from docgen.core import tabular

    for size in (3, 7, tabular.BLOCK_ROWS):
        monkeypatch.setattr(tabular, "BLOCK_ROWS", size)
        stream = tabular.stream_table(path, LEDGER_ALIASES)
        assert [len(block.numbers) for block in stream.column_blocks()][0] == min(size, 20)
        with pytest.raises(RowsError) as caught:
            read_ledger(path)
        assert _facts(caught.value.problems) == _facts(_row_path(path)[1])
        assert [(p.row, p.code) for p in caught.value.problems] == [(8, "number-stored"), (19, "duplicate-loan-no")]
    rows[17]["loan_no"], rows[6]["contract_no"] = "A17", "HT-A6"
    ledger = read_ledger(write_ledger(rows, tmp_path / "ok.xlsx"))
    assert ledger.loans[4].borrower == "20260001"


def test_resident_ids_checked_together_agree_with_stdnum() -> None:
    from docgen.core.validation import check_resident_id
    from docgen.loans.ledger import _valid_resident_ids

    rng = random.Random(11)
    texts = {resident_id(n) for n in range(300)}
    for _ in range(3000):  # random bodies: bad dates, births to come, unknown areas, wrong check characters
        body = f"{rng.choice(['610326', '110105', '999999', '000000'])}{rng.randint(1890, 2100)}" \
               f"{rng.randint(0, 13):02d}{rng.randint(0, 32):02d}{rng.randint(0, 999):03d}"
        texts.add(body + rng.choice("0123456789XY"))
    texts |= {"", "61032619750312001", "６１０３２６１９７５０３１２００１Ｘ", "91610326MA6X7Y8Z9A", "6103261975031200１"}
    # A check character X written lower-case: stdnum upper-cases it (``ric.compact``).
    ending_x = [text for text in map(resident_id, range(300)) if text.endswith("X")]
    texts |= {text[:-1] + "x" for text in ending_x}
    valid = set(_valid_resident_ids(texts))
    assert valid == {text for text in texts if check_resident_id(text) is None}
    # A block of valid IDs alone: the same IDs, given without a set made of them.
    good = sorted(valid)
    assert _valid_resident_ids(good).__class__ is list and sorted(_valid_resident_ids(good)) == good
    assert ending_x and {text[:-1] + "x" for text in ending_x} <= valid
    assert len(valid) > 300  # the valid ones are really there


def test_wrong_ids_of_a_block_are_those_neither_a_resident_id_nor_a_uscc(monkeypatch: pytest.MonkeyPatch) -> None:
    import docgen.loans.ledger as ledger
    from docgen.core.validation import check_resident_id, check_uscc

    texts = {resident_id(n) for n in range(50)} | {"91350100M000100Y43", "91610326MA6X7Y8Z9A", "61032619750312001X",
                                                   "610326202612310012", "999999197503120012", "not an id"}
    expected = {text for text in texts if check_resident_id(text) is not None and check_uscc(text) is not None}
    assert "91350100M000100Y43" not in expected and len(expected) >= 4  # a USCC is a valid ID number too
    for limit in (ledger._CACHE_LIMIT, 0):  # verdicts remembered, and with no room left to remember them
        monkeypatch.setattr(ledger, "_CACHE_LIMIT", limit)
        for name, empty in (("_RESIDENTS", set()), ("_NOT_RESIDENTS", set()), ("_USCCS", {}), ("_BORN", set())):
            monkeypatch.setattr(ledger, name, empty)
        assert ledger._wrong_ids(texts) == expected
        assert ledger._wrong_ids(texts) == expected  # the second time from what was remembered
        for name, empty in (("_RESIDENTS", set()), ("_NOT_RESIDENTS", set()), ("_USCCS", {}), ("_BORN", set())):
            monkeypatch.setattr(ledger, name, empty)
        # Some of a block's numbers known from an earlier block (a valid ID, a USCC, a wrong one), the others new.
        known = {resident_id(1), "91350100M000100Y43", "not an id", "999999197503120012"}
        assert ledger._wrong_ids(known) == expected & known
        assert ledger._wrong_ids(texts) == expected
        assert {text for text in texts if ledger.is_resident_id(text)} == \
            {text for text in texts if check_resident_id(text) is None}
        # Numbers asked about once (a block's guarantors'): the same verdicts, none looked up or kept.
        for name, empty in (("_RESIDENTS", set()), ("_NOT_RESIDENTS", set()), ("_USCCS", {}), ("_BORN", set())):
            monkeypatch.setattr(ledger, name, empty)
        ledger._RESIDENTS.add("not an id")  # a verdict looked up would be this wrong one
        assert ledger._wrong_ids(texts, remember=False) == expected
        assert ledger._RESIDENTS == {"not an id"} and not ledger._NOT_RESIDENTS


def test_a_blocks_loans_are_accepted_at_once_as_row_by_row() -> None:
    from docgen.loans.ledger import _accept, _accept_block, validate_row

    def loan(number: int, loan_no: str) -> Any:
        found, problems = validate_row(row(loan_no, 1000, serial=number), number)
        assert found is not None, problems
        return found

    bad = [Problem("balance", "贷款余额不能为空", row=5, column="K（贷款余额）", code="required")]
    # Rows, their 借据号 (None: a bad row), those seen in blocks before, then loans and problems expected.
    cases = {
        "new": ([2, 3, 4, 5], ["A", "B", "C", "D"], {}, 4, 0),
        "twice in the block": ([2, 3, 4, 5], ["A", "B", "A", "D"], {}, 3, 1),
        "seen in a block before": ([9, 10, 11], ["A", "E", "F"], {"E": 3}, 2, 1),
        "a bad row": ([2, 3, 4, 5], ["A", "B", "C", None], {"C": 1}, 2, 2),
        "stopped early at the budget": ([2, 3, 4, 5, 6], ["A", "B", "C"], {}, 3, 0),
    }
    for label, (numbers, names, before, accepted, refused) in cases.items():
        results = [bad if name is None else loan(number, name) for number, name in zip(numbers, names)]
        expected: tuple[list[Any], list[Any], dict[str, int]] = ([], [], dict(before))
        _accept(zip(numbers, results), {}, expected[2], expected[0], expected[1])
        given: tuple[list[Any], list[Any], dict[str, int]] = ([], [], dict(before))
        _accept_block(numbers, results, {}, given[2], given[0], given[1])
        assert given == expected, label
        assert (len(given[0]), len(given[1])) == (accepted, refused), label


# One row per contradiction between the fields of a row (cross_check), each next to good rows.
_CONTRADICTIONS: list[tuple[dict[str, Any], str]] = [
    ({"overdue_principal": 2000, "days": 10}, "overdue-exceeds-balance"),
    ({"maturity": dt.date(2022, 1, 1)}, "maturity-before-disbursal"),
    ({"overdue_since": dt.date(2022, 1, 1), "disbursed_on": dt.date(2023, 1, 10)}, "overdue-before-disbursal"),
    ({"last_interruption": dt.date(2020, 1, 1)}, "interruption-before-disbursal"),
    ({"interruption_type": "债务人确认"}, "interruption-type-without-date"),
    ({"litigation_filed": dt.date(2022, 6, 1)}, "suit-before-disbursal"),
    ({"litigation": "未起诉", "litigation_filed": dt.date(2024, 6, 1)}, "suit-date-with-no-suit"),
    ({"judgment_due": dt.date(2025, 1, 1)}, "judgment-without-suit"),
    ({"judgment_due": dt.date(2024, 1, 1), "litigation_filed": dt.date(2024, 6, 1)}, "judgment-before-suit"),
    ({"guarantee_type": "连带责任保证"}, "guarantee-without-guarantors"),
    ({"guarantor_demanded": dt.date(2024, 6, 1)}, "guarantee-without-guarantors"),
    ({"guarantors": "张三", "guarantor_demanded": dt.date(2022, 6, 1)}, "demand-before-maturity"),
    ({"guarantors": "张三、李四", "guarantor_addresses": "甲地"}, "guarantor-values-count"),
    ({"guarantors": "张三", "guarantor_ids": f"{resident_id(1)};{resident_id(2)}"}, "guarantor-values-count"),
    ({"guarantors": "张三、李四", "guarantor_ids": f"{resident_id(1)};610326197503121231"}, "guarantor-id-invalid"),
    ({"penalty_rate": "6.75"}, "penalty-rate-range"),
    ({"penalty_rate": 1}, "penalty-rate-range"),
]


def test_each_contradiction_is_found_column_wise_as_row_by_row(tmp_path: Path) -> None:
    rows = [row(f"G{n}", 1000, serial=n) for n in range(5)]
    for n, (fields, _) in enumerate(_CONTRADICTIONS):
        fields = dict(fields)
        rows.append(row(f"C{n}", 1000, days=fields.pop("days", 0), serial=n, **fields))
        rows.append(row(f"H{n}", 1000, serial=n, guarantors="王五", guarantor_demanded=dt.date(2027, 2, 1),
                        penalty_rate="0.5", overdue_principal=500, days=30))
    path = write_ledger(rows, tmp_path / "contradictions.xlsx")
    _, problems = _row_path(path)
    with pytest.raises(RowsError) as caught:
        read_ledger(path)
    assert _facts(caught.value.problems) == _facts(problems)
    assert [(p.row, p.code) for p in problems] == [(7 + 2 * n, code) for n, (_, code) in enumerate(_CONTRADICTIONS)]


def test_a_blocks_guarantor_cells_split_together_as_one_by_one(monkeypatch: pytest.MonkeyPatch) -> None:
    from docgen.loans import ledger
    from docgen.loans.ledger import split_guarantors, split_party_values

    def alike(texts: list[str]) -> None:
        assert ledger._all_guarantors(texts) == [tuple(split_guarantors(text)) for text in texts]
        assert ledger._all_party_values(texts) == [split_party_values(text) for text in texts]

    # Split together: no white space, no empty name, one separator for all the values.
    names, values = ["赵一、钱二", "孙三；李四,周五", "吴六，郑七、王八"], ["甲地;乙地", "丙地；丁地", "戊地;"]
    alike(names)
    alike(values)
    # Split one by one: white space beside a separator (stripped), an empty name (dropped), values split
    # by ; in one cell and by 、 in another, white space inside a name, a cell holding the joining character.
    for texts in (["赵一、 钱二", "孙三、李四"], ["赵一、\u3000钱二"], ["赵一、、钱二"], ["、赵一"], ["赵一、"],
                  ["赵一;", "钱二、孙三"], ["甲地;乙地", "丙、丁"], ["Li Lei、Han Mei"], ["赵一\x00钱二、孙三"],
                  ["赵一 ;钱二"], ["甲地;;丙地"]):
        alike(texts)
    calls: list[str] = []
    monkeypatch.setattr(ledger, "split_guarantors", lambda text: calls.append(text) or split_guarantors(text))
    monkeypatch.setattr(ledger, "split_party_values", lambda text: calls.append(text) or split_party_values(text))
    ledger._all_guarantors(names)
    ledger._all_party_values(values)
    # A whole column of names or ID numbers: empty cells (no one) and cells naming one among them.
    for texts in (["", "赵一", "赵一、钱二", "", "孙三"], ["", "610326197503121231", "甲地;乙地", ""], [""], ["赵一"]):
        alike(texts)
    assert ledger._all_guarantors(["", "赵一", "赵一、钱二"]) == [(), ("赵一",), ("赵一", "钱二")]
    assert ledger._all_party_values(["", "甲地", "甲地;;丙地"]) == [(), ("甲地",), ("甲地", "", "丙地")]
    assert calls == []  # split together, not cell by cell
    ledger._all_guarantors(["赵一、、钱二", "孙三、李四"])
    ledger._all_party_values(["甲地 ;乙地"])
    assert calls == ["赵一、、钱二", "孙三、李四", "甲地 ;乙地"]
    assert ledger._spaced("赵一 钱二") and ledger._spaced(" 赵一") and ledger._spaced("赵一\u3000")
    assert ledger._spaced(" ") and ledger._spaced("\u3000\u3000")
    assert not ledger._spaced("赵一、钱二") and not ledger._spaced("")
    # A column as the reader joined it (by the character the splits join by): its cells, white space and all.
    from docgen.core.tabular import Block

    assert ledger._PIECE == Block.SEPARATOR
    for texts in (["", "赵一", "赵一、钱二"], [" 赵一、钱二", "孙三 ", "", "\u3000"], ["甲地;乙地 ", "丙地"]):
        assert ledger._all_guarantors(texts, Block.SEPARATOR.join(texts)) == \
            [tuple(split_guarantors(text)) for text in texts]
        assert ledger._all_party_values(texts, Block.SEPARATOR.join(texts)) == [split_party_values(text) for text in texts]


# What a clerk types into a guarantor cell: names (one with a space inside, one with the character
# the block's cells are joined by), every separator, full-width or not (／ and / too), and
# white space of every kind, inside a cell or beside a separator.
_PARTS = ["赵一", "钱二", "孙三", "甲地、乙地", "610326197503121231", "A"]
_NOISY_PARTS = _PARTS + ["Li Lei", "\x00"]
_SEPARATORS = ["、", "，", ",", "；", ";", "／", "/"]
_SPACES = [" ", "\t", "\u00a0", "\u3000", "\n", "\r\n"]


def _random_cell(rng: random.Random, noisy: bool, xlsx: bool = False) -> str:
    """A cell of names and separators; when ``noisy``, maybe with white space, empty names, a
    leading separator or the joining character (split one by one), else without (split together);
    never the joining character when written to an ``xlsx`` (a character it may not hold)."""
    names = (_NOISY_PARTS[:-1] if xlsx else _NOISY_PARTS) if noisy else _PARTS
    pieces = [rng.choice(names)]
    for _ in range(rng.randrange(4)):
        if noisy and rng.random() < 0.2:
            pieces.append(rng.choice(_SPACES))
        pieces.append(rng.choice(_SEPARATORS) * (rng.choice((1, 1, 1, 2)) if noisy else 1))
        if noisy and rng.random() < 0.2:
            pieces.append(rng.choice(_SPACES))
        pieces.append(rng.choice(names + [""] if noisy else names))
    if noisy and rng.random() < 0.1:
        pieces.insert(0, rng.choice(_SEPARATORS))
    return "".join(pieces)


def test_random_guarantor_cells_split_together_as_one_by_one(monkeypatch: pytest.MonkeyPatch) -> None:
    from docgen.core.tabular import containing
    from docgen.loans import ledger
    from docgen.loans.ledger import split_guarantor_ids, split_guarantors, split_party_values

    calls: list[str] = []
    monkeypatch.setattr(ledger, "split_guarantors", lambda text: calls.append(text) or split_guarantors(text))
    monkeypatch.setattr(ledger, "split_party_values", lambda text: calls.append(text) or split_party_values(text))
    monkeypatch.setattr(ledger, "split_guarantor_ids", lambda text: calls.append(text) or split_guarantor_ids(text))
    splits = [(ledger._all_guarantors, lambda text: tuple(split_guarantors(text)), "guarantors"),
              (ledger._all_party_values, split_party_values, "guarantor_addresses"),
              (ledger._all_guarantor_ids, split_guarantor_ids, "guarantor_ids")]
    together = dict.fromkeys(("guarantors", "guarantor_addresses", "guarantor_ids"), 0)
    alone = dict(together)
    rng = random.Random(13)
    for _ in range(3000):
        # A block's distinct stripped cells, as _block_loans gives them (those holding a separator).
        noise = rng.choice((0, 0.2, 1))  # a clean block, a block of a few noisy cells, a noisy block
        distinct = {_random_cell(rng, rng.random() < noise).strip() for _ in range(rng.randrange(1, 8))}
        for split, one, name in splits:
            several = list(containing(distinct, ledger._SPLIT[name][1]))
            if several:
                expected = [one(text) for text in several]  # split_guarantor_ids calls split_party_values
                calls.clear()
                assert split(several) == expected, several
                (alone if calls else together)[name] += 1
            # The whole column of a block (names, ID numbers), its empty cells and those naming one too.
            column = [*distinct, "", *several]
            assert split(column) == [one(text) for text in column], column
    # Both ways taken often: the cells that may be split together are split together.
    assert min(together.values()) > 300 and min(alone.values()) > 300, (together, alone)


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_column_path_equals_row_path_on_random_guarantor_cells(tmp_path: Path, suffix: str,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    sys.path.insert(0, str(ROOT / "examples"))
    import make_ledger

    from docgen.core import tabular
    from docgen.loans import ledger

    rng = random.Random(17)
    rows = list(make_ledger.bulk(600, seed=17))
    for item in rows[:300]:  # names only, each cell naming someone: every row a loan
        item["guarantors"] = _random_cell(rng, rng.random() < 0.1, suffix == ".xlsx")
        item["guarantor_addresses"] = item["guarantor_ids"] = None
    for item in rows[300:]:  # addresses and ID numbers too: their counts, their IDs checked
        item["guarantors"], item["guarantor_addresses"], item["guarantor_ids"] = (
            _random_cell(rng, rng.random() < 0.1, suffix == ".xlsx") if rng.random() < 0.8 else None for _ in range(3))
    # Blocks of 5 rows: some blocks' cells are split together, the others' one by one.
    monkeypatch.setattr(tabular, "BLOCK_ROWS", 5)
    path = write_ledger(rows[:300], tmp_path / f"names{suffix}")
    loans, problems = _row_path(path)
    assert problems == [] and sum(len(loan.guarantors) > 1 for loan in loans) > 100
    alone: list[str] = []
    split_guarantors = ledger.split_guarantors
    monkeypatch.setattr(ledger, "split_guarantors", lambda text: alone.append(text) or split_guarantors(text))
    assert read_ledger(path).loans == loans
    assert 20 < len(alone) < sum(len(loan.guarantors) > 1 for loan in loans) - 50
    path = write_ledger(rows[300:], tmp_path / f"values{suffix}")
    problems = _row_path(path)[1]
    assert len(problems) > 50
    with pytest.raises(RowsError) as caught:
        read_ledger(path)
    assert _facts(caught.value.problems) == _facts(problems)


# Cells of every kind a converted column may hold, each converter's at-once twin checked on them.
_NUMBER_CELLS: list[Any] = [
    0, 1, 7, 1000, 307000, 10**15, 10**15 + 1, -1, 0.0, -0.0, 1.5, 0.25, 1234.56, 0.1 + 0.2, 1e-5, 5e-324, 1e15,
    1e15 + 0.125, 1e20, 307000.0, -1.5, float("inf"), float("-inf"), float("nan"), "", "  ", "1,000.50", "1000.00",
    "abc", True, False, None, dt.date(2026, 1, 5),
]
_DATE_CELLS: list[Any] = [
    dt.date(2026, 1, 5), dt.date(2020, 2, 29), dt.date(1900, 1, 1), dt.date(2199, 12, 31), dt.date(1899, 12, 31),
    dt.date(2200, 1, 1), dt.datetime(2026, 1, 5), dt.datetime(2026, 1, 5, 9, 30), "", " ", "2026-01-05", "2026/1/5",
    "abc", 45000, None,
]
_TEXT_CELLS: list[Any] = ["a", " a ", "a b", "", "  ", "眉县支行", "眉县支行 ", "\u3000乙\u3000", 5, 1.5, None]


def _one_by_one(convert: Any, cells: list[Any]) -> list[Any] | None:
    """What Block.convert's per-cell path gives each cell (None for the whole when one is refused)."""
    from docgen.core.tabular import _clean, _excel_value
    from docgen.loans.ledger import _CONVERT_ERRORS

    found = []
    for cell in cells:
        try:
            found.append(convert(cell if cell.__class__ in (int, dt.date) else _clean(_excel_value(cell))))
        except _CONVERT_ERRORS:
            return None
    return found


def test_a_blocks_distinct_cells_converted_at_once_as_one_by_one() -> None:
    from docgen.loans import ledger
    from docgen.loans.vocabulary import default_vocabulary

    lookup = default_vocabulary().lookup
    pools: dict[str, list[Any]] = {name: _DATE_CELLS if "date" in str(rule["type"]) else _NUMBER_CELLS
                                   for name, rule in ledger.LEDGER_SCHEMA.items() if name in ledger._AT_ONCE}
    pools.update({name: _TEXT_CELLS for name in ("branch", "officer", "product", "collateral", "leader")})
    cases = [(name, ledger._CONVERTERS[name], ledger._AT_ONCE[name], pool) for name, pool in pools.items()]
    for name in ledger._VOCAB_FIELDS:
        words = sorted({*lookup[name], *lookup[name].values()})
        cases.append((name, ledger._controlled(lookup[name]), ledger._controlled_at_once(lookup[name]),
                      words + [f" {word}" for word in words[:3]] + ["", "  ", "也许", 5]))
    rng = random.Random(2026)
    for name, convert, at_once, pool in cases:
        taken = 0
        for _ in range(300):
            # A column of one kind of cell, or any: at once only for plain ones.
            plain = [cell for cell in pool if at_once([cell], {type(cell)}) is not None] + [""]
            chosen = rng.choice((plain, pool))
            cells = rng.sample(chosen, rng.randint(2, min(6, len(chosen))))
            cells = list(dict.fromkeys(cells)) if len(set(map(type, cells))) == 1 else cells
            if len(set(cells)) != len(cells):
                continue  # equal cells of two types (1 and 1.0): one of them in a block's set
            found = at_once(list(cells), set(map(type, cells)))
            if found is None:
                continue
            taken += 1
            expected = _one_by_one(convert, cells)
            assert expected is not None, (name, cells)  # at once never accepts a cell refused alone
            assert [(type(value), repr(value)) for value in found] == [(type(value), repr(value)) for value in expected], (
                name, cells)
            assert [value for value in found if value == value] == [value for value in expected if value == value]
        assert taken > 20, name


def test_plain_columns_are_converted_at_once_and_refused_cells_left_to_the_converter() -> None:
    from decimal import Decimal

    from docgen.loans import ledger

    day = dt.date(2026, 1, 5)
    principal, overdue, since = ledger._AT_ONCE["principal"], ledger._AT_ONCE["overdue_principal"], ledger._AT_ONCE["overdue_since"]
    assert principal([1000, 1234.5, 2000.0], {int, float}) == [Decimal(1000), Decimal("1234.5"), Decimal(2000)]
    found = overdue(["", 0, 5], {str, int})
    assert found == [0, 0, 5] and found[0] is ledger._ZERO and found[1] is ledger._ZERO
    assert since([day, ""], {dt.date, str}) == [day, None] and since([day, ""], {dt.date, str})[0] is day
    assert ledger._AT_ONCE["branch"](["甲", " 乙 "], {str}) == ["甲", "乙"]
    for at_once, cells in ((principal, [1000, ""]), (principal, [1000, -1]), (overdue, [1, "abc"]),
                           (overdue, [1, float("nan")]), (principal, [True, 5]), (since, [day, dt.date(2200, 1, 1)]),
                           (ledger._AT_ONCE["disbursed_on"], [day, ""]), (ledger._AT_ONCE["branch"], ["甲", " "])):
        assert at_once(cells, set(map(type, cells))) is None, cells
