"""保证人地址 and 保证人证件号码: per-guarantor ledger columns, checked against 担保人 row by row."""
from __future__ import annotations

from pathlib import Path

import pytest
from ledger_fixtures import resident_id, row

from docgen.core.errors import RowsError
from docgen.loans.ledger import read_ledger, split_party_values, validate_row, write_ledger

def _uscc() -> str:
    from stdnum.cn import uscc

    body = "91610326MA6X7Y8B2"
    return body + uscc.calc_check_digit(body)


@pytest.mark.parametrize(("text", "values"), [
    ("", ()), ("  ", ()), ("甲地", ("甲地",)),
    ("甲地、乙地", ("甲地", "乙地")),
    # ASCII and full-width semicolons (escaped: editors fold ； into ;).
    ("甲地;乙地", ("甲地", "乙地")), ("甲地\uff1b乙地", ("甲地", "乙地")),
    # With a semicolon, 、 stays inside an address; commas (either width) never separate.
    ("A路1号、2号;B村,3组", ("A路1号、2号", "B村,3组")),
    ("A路1号、2号\uff1bB村\uff0c3组", ("A路1号、2号", "B村\uff0c3组")),
    ("甲地;;丙地", ("甲地", "", "丙地")),
])
def test_split_party_values_keeps_positions(text: str, values: tuple[str, ...]) -> None:
    assert split_party_values(text) == values


def test_addresses_and_ids_are_read_in_guarantor_order(tmp_path: Path) -> None:
    company = _uscc()
    values = row("A1", 1000, guarantors="张三、某某公司", guarantor_addresses="陕西省眉县首善街道1号;陕西省眉县横渠镇2号",
                 guarantor_ids=f"{resident_id(5)};{company}")
    for fast in (True, False):
        loan, problems = validate_row(values, 2, fast=fast)
        assert problems == []
        assert loan.guarantor_addresses == ("陕西省眉县首善街道1号", "陕西省眉县横渠镇2号")
        assert loan.guarantor_ids == (resident_id(5), company)
    # Written and read back through a file, .xlsx and .csv.
    for suffix in (".xlsx", ".csv"):
        path = write_ledger([values], tmp_path / f"g{suffix}")
        (loan,) = read_ledger(path).loans
        assert loan.guarantor_addresses == ("陕西省眉县首善街道1号", "陕西省眉县横渠镇2号")
        assert loan.guarantor_ids == (resident_id(5), company)
        again = write_ledger([loan], tmp_path / f"again{suffix}")
        assert read_ledger(again).loans[0].guarantor_ids == (resident_id(5), company)


@pytest.mark.parametrize(("fields", "code", "column"), [
    ({"guarantors": "张三、李四", "guarantor_addresses": "甲地"}, "guarantor-values-count", "guarantor_addresses"),
    ({"guarantors": "张三", "guarantor_ids": f"{resident_id(1)};{resident_id(2)}"}, "guarantor-values-count",
     "guarantor_ids"),
    ({"guarantors": "张三、李四", "guarantor_ids": f"{resident_id(1)};610326197503121231"}, "guarantor-id-invalid",
     "guarantor_ids"),
    ({"guarantor_addresses": "甲地"}, "guarantee-without-guarantors", "guarantor_addresses"),
    ({"guarantor_ids": resident_id(3)}, "guarantee-without-guarantors", "guarantor_ids"),
])
def test_mismatch_and_bad_ids_are_row_errors(fields: dict, code: str, column: str) -> None:
    for fast in (True, False):
        loan, problems = validate_row(row("A", 1000, **fields), 7, fast=fast)
        assert loan is None
        assert [(p.code, p.path, p.row) for p in problems] == [(code, column, 7)]


def test_a_bad_guarantor_id_in_a_file_names_row_column_and_guarantor(tmp_path: Path) -> None:
    rows = [row("A1", 1000, guarantors="张三", guarantor_ids=resident_id(4)),
            row("A2", 1000, guarantors="张三、李四", guarantor_ids=f"{resident_id(4)}、12345"),
            row("A3", 1000, guarantors="张三、李四", guarantor_addresses="甲地;乙地;丙地")]
    path = write_ledger(rows, tmp_path / "bad.xlsx")
    with pytest.raises(RowsError) as caught:
        read_ledger(path)
    # The column as the sheet shows it: its letter and header.
    found = [(p.row, p.column, p.code) for p in caught.value.problems]
    assert found == [(3, "AG（保证人证件号码）", "guarantor-id-invalid"), (4, "AF（保证人地址）", "guarantor-values-count")]
    bad_id, count = caught.value.problems
    assert "李四" in bad_id.message and "12345" in bad_id.message
    assert "3 项" in count.message and "2 人" in count.message


# DESIGN §8's columns; every other column the reader accepts is one of docgen's extensions.
DESIGN_COLUMNS = {
    "loan_no", "contract_no", "borrower", "id_number", "branch", "officer", "product", "disbursed_on", "maturity",
    "principal", "balance", "overdue_since", "overdue_principal", "overdue_interest", "classification",
    "on_balance", "recovered", "guarantors", "guarantee_period_end", "litigation", "last_interruption",
    "interruption_type", "litigation_filed", "judgment_due", "guarantee_type", "guarantor_demanded", "collateral",
    "address", "penalty_rate",
}


def test_every_column_beyond_design_is_an_extension_in_the_readme_and_help() -> None:
    from click.testing import CliRunner

    from docgen.cli import main
    from docgen.loans.ledger import LEDGER_HEADERS
    from docgen.loans.ledger_extensions import EXTENSION_COLUMNS, extension_table

    assert set(LEDGER_HEADERS) - DESIGN_COLUMNS == set(EXTENSION_COLUMNS)
    assert DESIGN_COLUMNS <= set(LEDGER_HEADERS)
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    for row in extension_table()[1:]:
        assert "| " + " | ".join(row) + " |" in readme
    help_text = CliRunner().invoke(main, ["collect", "letters", "--help"]).output
    for name in ("address", "guarantor_addresses", "guarantor_ids", "accelerated", "collateral", "penalty_rate"):
        assert f"{LEDGER_HEADERS[name]} {name}" in help_text


def test_full_width_separators_split_guarantors_and_their_values(tmp_path: Path) -> None:
    """What a Chinese keyboard types: ， and ； between guarantors, ％ after a rate, ￥ and ， in amounts."""
    from decimal import Decimal

    from docgen.loans.ledger import split_guarantors

    assert split_guarantors("马芳\uff0c邱春") == ["马芳", "邱春"]
    assert split_guarantors("马芳\uff1b邱春、王五") == ["马芳", "邱春", "王五"]
    values = row("A1", 1000, guarantors="马芳\uff0c邱春", guarantor_addresses="陕西省眉县首善街道1号\uff1b陕西省眉县横渠镇2号",
                 guarantor_ids=f"{resident_id(5)}\uff1b{resident_id(6)}", penalty_rate="6.75\uff05")
    for fast in (True, False):
        loan, problems = validate_row(values, 2, fast=fast)
        assert problems == [], problems
        assert loan.guarantors == ("马芳", "邱春") and loan.guarantor_ids == (resident_id(5), resident_id(6))
        assert loan.penalty_rate == Decimal("0.0675")
    (loan,) = read_ledger(write_ledger([values], tmp_path / "g.xlsx")).loans  # the column-wise path
    assert loan.guarantors == ("马芳", "邱春")
    assert loan.guarantor_addresses == ("陕西省眉县首善街道1号", "陕西省眉县横渠镇2号")
    assert loan.penalty_rate == Decimal("0.0675")


def test_a_ledgers_guarantor_ids_are_checked_and_not_remembered(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import docgen.loans.ledger as ledger

    for name, empty in (("_RESIDENTS", set()), ("_NOT_RESIDENTS", set()), ("_USCCS", {}), ("_BORN", set())):
        monkeypatch.setattr(ledger, name, empty)
    rows = [row(f"A{n}", 1000, id_number=resident_id(n), guarantors="张三、李四",
                guarantor_ids=f"{resident_id(100 + n)};{resident_id(200 + n)}") for n in range(30)]
    rows[7]["guarantor_ids"] = f"{resident_id(107)};610326197503121231"  # a wrong check character
    with pytest.raises(RowsError) as caught:
        read_ledger(write_ledger(rows, tmp_path / "g.xlsx"))
    assert [(p.row, p.code) for p in caught.value.problems] == [(9, "guarantor-id-invalid")]
    # The borrowers' verdicts are kept (the NPL report asks them again), the guarantors' are not (but
    # those of the bad row, which validate_row checked alone).
    assert ledger._RESIDENTS >= {resident_id(n) for n in range(30)}
    assert ledger._RESIDENTS.isdisjoint(resident_id(at + n) for at in (100, 200) for n in range(30) if n != 7)


def test_slashes_separate_guarantors_and_their_ids_and_alone_name_none() -> None:
    """Clerks write 张三/李四 (or 张三／李四) and a lone / for "none": a slash separates the names of
    担保人 and their 保证人证件号码 as 、 does, and a cell of separators only names no one; every
    converter of a row (the plain one, cerberus' and the block's) reads them alike."""
    from docgen.loans import ledger
    from docgen.loans.ledger import split_guarantor_ids, split_guarantors

    assert split_guarantors("张三/李四") == split_guarantors("张三\uff0f李四") == ["张三", "李四"]
    assert split_guarantors("/") == split_guarantors("\uff0f") == split_guarantors(" / ") == []
    assert split_guarantor_ids(f"{resident_id(5)}/{resident_id(6)}") == (resident_id(5), resident_id(6))
    assert split_guarantor_ids(f"{resident_id(5)}\uff0f{resident_id(6)}") == (resident_id(5), resident_id(6))
    assert split_guarantor_ids("/") == () and split_guarantor_ids("") == ()
    # An address keeps its slash (3/5号): only the guarantor columns split at it.
    assert split_party_values("眉县城关镇3/5号") == ("眉县城关镇3/5号",)
    texts = ["张三/李四", "", "/", "王五\uff0f赵六;孙七", " 周八 / 吴九 "]
    assert ledger._all_guarantors(texts) == [tuple(split_guarantors(text)) for text in texts]
    ids = [f"{resident_id(5)}/{resident_id(6)}", "", "/", "\uff0f", f"{resident_id(7)}\uff0f{resident_id(8)}"]
    assert ledger._all_guarantor_ids(ids) == [split_guarantor_ids(text) for text in ids]
    assert ledger._all_guarantor_ids(ids, "\x00".join(ids)) == [split_guarantor_ids(text) for text in ids]
    pairs = [("张三/李四", f"{resident_id(5)}/{resident_id(6)}", ("张三", "李四"), (resident_id(5), resident_id(6))),
             ("张三\uff0f李四", f"{resident_id(5)}\uff0f{resident_id(6)}", ("张三", "李四"),
              (resident_id(5), resident_id(6))),
             ("/", "/", (), ()), ("\uff0f", "\uff0f", (), ()), ("/", None, (), ()),
             ("张三/李四/王五", "/", ("张三", "李四", "王五"), ())]
    for names, numbers, guarantors, guarantor_ids in pairs:
        values = row("A1", 1000, guarantors=names, guarantor_ids=numbers, contract_no="眉农信借字2024/13号",
                     address="眉县城关镇3/5号")
        for fast in (True, False):
            loan, problems = validate_row(values, 2, fast=fast)
            assert problems == [], (names, numbers, fast, problems)
            assert (loan.guarantors, loan.guarantor_ids) == (guarantors, guarantor_ids)
            assert (loan.contract_no, loan.address) == ("眉农信借字2024/13号", "眉县城关镇3/5号")
    # A count that does not match is still refused, a slash counting as 、 does.
    values = row("A1", 1000, guarantors="张三/李四", guarantor_ids=f"{resident_id(5)}/{resident_id(6)}/{resident_id(7)}")
    assert [p.code for p in validate_row(values, 2)[1]] == ["guarantor-values-count"]


@pytest.mark.parametrize("every_row", [True, False], ids=["every-row-guaranteed", "some-rows-not"])
def test_slashed_guarantors_read_alike_from_xlsx_xls_csv_and_the_cache(tmp_path: Path, every_row: bool,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """The same ledger as .xlsx, .xls and CSV gives the same loans and the same row errors, read cold
    (a column of text in every row is split from the reader's joined cells, one with empty cells from
    its distinct ones) and again from the cache entry the cold read wrote; a slash in a contract
    number or an address separates nothing."""
    from xls_books import xls_copy

    cache = tmp_path / "cache"
    monkeypatch.delenv("DOCGEN_NO_CACHE", raising=False)
    # (担保人, 保证人证件号码, 保证人地址) -> (guarantors, their ID numbers)
    cells = [
        ("张三/李四", f"{resident_id(5)}/{resident_id(6)}", "眉县城关镇3/5号;眉县横渠镇2号",
         ("张三", "李四"), (resident_id(5), resident_id(6))),
        ("王五\uff0f赵六", f"{resident_id(7)}\uff0f{resident_id(8)}", "眉县城关镇3/5号、眉县横渠镇2号",
         ("王五", "赵六"), (resident_id(7), resident_id(8))),
        ("/", "/", None, (), ()),
        ("\uff0f", "\uff0f", None, (), ()),
        ("孙七", resident_id(9), "眉县城关镇3/5号", ("孙七",), (resident_id(9),)),
        ("/" if every_row else None, None, None, (), ()),
    ]
    rows = [row(f"A{at}", 1000, guarantors=names, guarantor_ids=numbers, guarantor_addresses=addresses,
                contract_no=f"眉农信借字2024/{at}号", address="眉县城关镇3/5号")
            for at, (names, numbers, addresses, _, _) in enumerate(cells)]
    # Two guarantors and three ID numbers: refused, naming the row and the column, whatever the format.
    bad = row("B1", 1000, guarantors="周八/吴九", guarantor_ids=f"{resident_id(10)}/{resident_id(11)}/{resident_id(12)}")
    made = {name: write_ledger(rows, tmp_path / f"台账{name}") for name in (".xlsx", ".csv")}
    made[".xls"] = xls_copy(made[".xlsx"], tmp_path / "台账.xls")
    wrong = {name: write_ledger([*rows, bad], tmp_path / f"错{name}") for name in (".xlsx", ".csv")}
    wrong[".xls"] = xls_copy(wrong[".xlsx"], tmp_path / "错.xls")
    for suffix, path in made.items():
        monkeypatch.setenv("DOCGEN_CACHE_DIR", str(cache / suffix))
        for _ in range(2):  # cold (writing the cache entry), then from the cache
            loans = read_ledger(path).loans
            assert len(list((cache / suffix / "ledger-records").glob("*.rec"))) == 1
            assert [(loan.guarantors, loan.guarantor_ids) for loan in loans] == [cell[3:] for cell in cells], suffix
            assert [(loan.contract_no, loan.address) for loan in loans] == \
                [(f"眉农信借字2024/{at}号", "眉县城关镇3/5号") for at in range(len(cells))]
            assert [loan.guarantor_addresses for loan in loans][:2] == [("眉县城关镇3/5号", "眉县横渠镇2号")] * 2
        for _ in range(2):
            with pytest.raises(RowsError) as caught:
                read_ledger(wrong[suffix])
            assert [(p.row, p.column, p.code) for p in caught.value.problems] == \
                [(8, "AG（保证人证件号码）", "guarantor-values-count")], suffix
