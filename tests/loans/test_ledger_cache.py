"""The parsed ledger kept in the cache (``docgen.loans.ledger_cache``): a ledger read again gives
exactly what the parse gives (every field of every loan with its type, the problems, the unknown
headers, the blocks), whatever damaged or changed in between; the commands' JSON is the same byte
for byte; nothing is cached with ``DOCGEN_NO_CACHE=1`` or where the cache folder cannot be used."""
from __future__ import annotations

import dataclasses
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from ledger_fixtures import row

from docgen.cli import main
from docgen.core import tabular
from docgen.core.errors import InputError, RowsError
from docgen.loans import ledger_cache
from docgen.loans.ledger import MAX_BAD_ROWS, iter_ledger_blocks, read_ledger, write_ledger
from docgen.loans.vocabulary import build_vocabulary

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "ledger"
CLOSING, OPENING = EXAMPLES / "ledger-2026Q2.xlsx", EXAMPLES / "ledger-2026Q1.xlsx"


@pytest.fixture()
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("DOCGEN_CACHE_DIR", str(folder))
    monkeypatch.delenv("DOCGEN_NO_CACHE", raising=False)
    return folder


def _entries(cache: Path) -> list[Path]:
    return sorted((cache / "ledger-records").glob("*.rec"))


def _typed(loan: Any) -> list[tuple[str, str, str]]:
    """Every field of ``loan`` with its type and repr: Decimal('1.0') and Decimal('1.00') differ."""
    return [(f.name, type(getattr(loan, f.name)).__name__, repr(getattr(loan, f.name)))
            for f in dataclasses.fields(loan)]


def _read(path: Path, **options: Any) -> tuple[list[list[list[tuple[str, str, str]]]], list[tuple[Any, ...]], Any]:
    """Read ``path`` block by block: the blocks (loans field by field), the problems (all their
    parts) and the unknown headers and loans counted."""
    blocks = iter_ledger_blocks(path, **options)
    given, problems = [], []
    try:
        for block in blocks:
            given.append([_typed(loan) for loan in block])
    except RowsError as exc:
        problems = [(p.path, p.message, p.row, p.column, p.code, dict(p.facts), str(exc)) for p in exc.problems]
    return given, problems, (blocks.unknown_headers, blocks.loans)


def _no_parse(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make any parse of a ledger fail: what is read now comes from the cache."""
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("parsed")
    monkeypatch.setattr(tabular, "stream_table", refuse)


def _mixed_rows(count: int) -> list[dict[str, Any]]:
    """Valid rows with every kind of value a loan holds: amounts written with 1 or 2 decimals or as
    text, dates, guarantors with addresses and IDs, optional columns filled and empty, flags."""
    rows = []
    for i in range(count):
        item = row(f"C{i:04d}", 1000 + i, days=100 if i % 3 == 0 else 0, serial=i + 1)
        if i % 4 == 1:
            item.update(guarantors="甲公司、乙公司", guarantor_addresses="北京市;上海市", guarantee_type="连带责任保证")
        if i % 5 == 2:
            item.update(balance="1000.10", overdue_interest="12.5", penalty_rate="7.5%", accelerated="是")
        if i % 7 == 3:
            item.update(litigation="已起诉", litigation_filed="2026-01-05", last_interruption="2026-01-05",
                        interruption_type="起诉")
        rows.append(item)
    return rows


def test_a_ledger_read_again_comes_from_the_cache_with_every_field_of_every_loan(
        cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_ledger(_mixed_rows(60), tmp_path / "mixed.xlsx")
    for ledger in (CLOSING, OPENING, path):
        for block_rows in (None, 7):
            cold = _read(ledger, block_rows=block_rows)
            assert cold[0] and not cold[1]
            with monkeypatch.context() as patched:
                _no_parse(patched)
                assert _read(ledger, block_rows=block_rows) == cold  # the blocks too: 7 rows each
    assert len(_entries(cache)) == ledger_cache.KEEP  # six ledgers read, the last four kept
    warm = read_ledger(CLOSING)
    assert [_typed(loan) for loan in warm.loans] == [_typed(loan) for loan in read_ledger(CLOSING).loans]


def test_the_problems_of_a_bad_ledger_come_back_the_same(cache: Path, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    rows = _mixed_rows(30)
    rows[2]["classification"] = "很好"
    rows[5]["loan_no"] = rows[4]["loan_no"]  # a duplicate 借据号
    rows[9]["id_number"] = "110101199003071234"  # a wrong check character
    rows[12]["maturity"] = "2019-01-01"  # before disbursal: a cross-field problem
    rows[20]["principal"] = "很多"
    path = write_ledger(rows, tmp_path / "bad.csv")
    cold = _read(path, block_rows=8)
    assert len(cold[1]) == 5
    _no_parse(monkeypatch)
    assert _read(path, block_rows=8) == cold


def test_a_ledger_stopped_after_too_many_bad_rows_comes_back_the_same(cache: Path, tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    rows = _mixed_rows(MAX_BAD_ROWS + 40)
    for item in rows[20:]:
        item["classification"] = "很好"
    path = write_ledger(rows, tmp_path / "worse.csv")
    cold = _read(path, block_rows=500)
    assert cold[2][1] == 20 and len(cold[1]) == MAX_BAD_ROWS
    _no_parse(monkeypatch)
    assert _read(path, block_rows=500) == cold


def test_unknown_headers_and_vocabulary_and_sheet_are_part_of_the_key(cache: Path, tmp_path: Path) -> None:
    rows = _mixed_rows(12)
    rows[3]["litigation"] = "打官司中"  # a bank's own word: a problem, unless its vocabulary has it
    path = write_ledger(rows, tmp_path / "words.csv")
    text = path.read_text(encoding="utf-8-sig").splitlines()
    path.write_text("\n".join([text[0] + ",备注"] + [line + ",x" for line in text[1:]]) + "\n", encoding="utf-8-sig")
    plain = _read(path)
    assert plain[1] and plain[2][0] == ["备注"]
    words = build_vocabulary({"litigation": {"已起诉": ["打官司中"]}})
    assert not _read(path, vocabulary=words)[1]  # not the entry of the shipped vocabulary
    assert _read(path)[1] == plain[1] and not _read(path, vocabulary=words)[1]
    assert len(_entries(cache)) == 2
    # An .xlsx read with a sheet named: another entry; a sheet that is not there is still an error.
    book = write_ledger(_mixed_rows(5), tmp_path / "book.xlsx")
    first = _read(book)
    assert _read(book, sheet="贷款台账") == first
    assert len(_entries(cache)) == 4
    with pytest.raises(InputError, match="另一张"):
        iter_ledger_blocks(book, sheet="另一张")


def test_an_entry_of_a_reader_blind_to_untitled_columns_never_hides_their_data(
        cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # 欠息 untitled (its first amount on row 4): a reader that passed such a column over kept the
    # ledger's entry; the reader that refuses it has other code, so another key (tabular's source
    # is part of it), and the warm reading is refused as the cold one, keeping nothing.
    rows = _mixed_rows(12)
    path = write_ledger(rows, tmp_path / "l.csv")
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].split(",")[13] == "欠息"
    path.write_text("\n".join([lines[0].replace(",欠息,", ",,")] + lines[1:]) + "\n", encoding="utf-8-sig")
    assert "docgen.core.tabular" in ledger_cache._CODE
    with monkeypatch.context() as earlier:
        earlier.setattr(tabular, "_refuse_untitled", lambda *args: None)
        earlier.setattr(ledger_cache, "code_digest", lambda *modules: "the earlier reader's code")
        assert _read(path)[0] and not _read(path)[1]
    assert len(_entries(cache)) == 1
    said = (f"{path}：第14列（N 列）表头为空，但该列第4行起有数据，无表头的数据无法读取；"
            "请给该列填写表头，或删除该列")
    for _ in range(2):
        with pytest.raises(InputError) as err:
            _read(path)
        assert (str(err.value), err.value.exit_code) == (said, 2)
    assert len(_entries(cache)) == 1


def test_any_change_of_the_file_is_read_afresh(cache: Path, tmp_path: Path) -> None:
    rows = _mixed_rows(10)
    path = write_ledger(rows, tmp_path / "l.csv")
    before = read_ledger(path).loans
    data = path.read_bytes()
    changed = data.replace(b"1003", b"1004", 1)  # one amount of one row, the same size
    assert changed != data and len(changed) == len(data)
    written = os.stat(path)
    path.write_bytes(changed)
    os.utime(path, ns=(written.st_atime_ns, written.st_mtime_ns))  # the same size and time: only the bytes tell
    assert os.stat(path).st_mtime_ns == written.st_mtime_ns
    after = read_ledger(path).loans
    assert [_typed(loan) for loan in after] != [_typed(loan) for loan in before]
    assert [_typed(loan) for loan in after] == [_typed(loan) for loan in _no_cache_read(path)]


def _no_cache_read(path: Path) -> list[Any]:
    os.environ["DOCGEN_NO_CACHE"] = "1"
    try:
        return read_ledger(path).loans
    finally:
        del os.environ["DOCGEN_NO_CACHE"]


def _damages(entry: bytes) -> Iterator[tuple[str, bytes]]:
    yield "empty", b""
    yield "head only", entry[:20]
    for cut in (len(entry) // 3, len(entry) // 2, len(entry) - 1, len(entry) - 30):
        yield f"cut at {cut}", entry[:cut]
    for at in (40, len(entry) // 3, len(entry) // 2, len(entry) - 10):
        flipped = bytearray(entry)
        flipped[at] ^= 0x55
        yield f"byte {at} changed", bytes(flipped)
    yield "a record more", entry + entry[17:200]


def test_a_damaged_entry_is_a_miss_and_the_ledger_is_parsed(cache: Path, tmp_path: Path) -> None:
    rows = _mixed_rows(40)
    rows[30]["classification"] = "很好"
    path = write_ledger(rows, tmp_path / "l.xlsx")
    cold = _read(path, block_rows=9)
    (entry,) = _entries(cache)
    whole = entry.read_bytes()
    for name, data in _damages(whole):
        entry.write_bytes(data)
        assert _read(path, block_rows=9) == cold, name
        assert entry.read_bytes() == whole, name  # the parse put a sound entry back


def test_an_entry_damaged_after_blocks_were_given_goes_on_with_the_parse(cache: Path, tmp_path: Path) -> None:
    path = write_ledger(_mixed_rows(40), tmp_path / "l.xlsx")
    cold = _read(path, block_rows=9)
    (entry,) = _entries(cache)
    whole = entry.read_bytes()
    entry.write_bytes(whole[:int(len(whole) * 0.6)])
    blocks = iter_ledger_blocks(path, block_rows=9)
    given = iter(blocks)
    first = next(given)  # from the entry
    assert [_typed(loan) for loan in first] == cold[0][0]
    rest = [[_typed(loan) for loan in block] for block in given]
    assert [cold[0][0], *rest] == cold[0] and blocks.loans == cold[2][1]


def test_an_abandoned_reading_keeps_nothing(cache: Path, tmp_path: Path) -> None:
    path = write_ledger(_mixed_rows(30), tmp_path / "l.xlsx")
    for _ in iter_ledger_blocks(path, block_rows=5):
        break
    assert not _entries(cache) and not list((cache / "ledger-records").iterdir())


def test_no_cache_writes_nothing_and_parses_every_time(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCGEN_NO_CACHE", "1")
    cold = _read(CLOSING)
    assert _read(CLOSING) == cold and not cache.exists()


def test_an_unusable_cache_folder_only_means_parsing(cache: Path, tmp_path: Path) -> None:
    cold = _read(CLOSING)
    shutil.rmtree(cache)
    cache.write_text("not a folder")  # the folder cannot be made
    assert _read(CLOSING) == cold == _read(CLOSING)
    cache.unlink()
    # A folder others may write to is neither read nor written (what is in it might not be ours).
    (cache / "ledger-records").mkdir(parents=True)
    os.chmod(cache / "ledger-records", 0o777)
    assert _read(CLOSING) == cold and not _entries(cache)
    os.chmod(cache / "ledger-records", 0o700)
    assert _read(CLOSING) == cold and len(_entries(cache)) == 1
    (entry,) = _entries(cache)
    os.chmod(cache / "ledger-records", 0o770)
    assert ledger_cache.find(CLOSING, sheet=None, vocabulary=_vocabulary(), block_rows=None).hit is None
    assert _read(CLOSING) == cold


def _vocabulary() -> Any:
    from docgen.loans.vocabulary import default_vocabulary

    return default_vocabulary()


def test_the_commands_print_the_same_json_from_the_cache(cache: Path, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    runner = CliRunner()
    commands = (
        ["collect", "plan", "--ledger", str(CLOSING), "--as-of", "2026-06-30", "--format", "json"],
        ["npl-report", "--ledger", str(CLOSING), "--opening", str(OPENING), "--period", "2026Q2",
         "--format", "json"],
    )
    for args in commands:
        monkeypatch.setenv("DOCGEN_NO_CACHE", "1")
        parsed = runner.invoke(main, args)
        monkeypatch.delenv("DOCGEN_NO_CACHE")
        cold = runner.invoke(main, args)
        with monkeypatch.context() as patched:
            _no_parse(patched)
            warm = runner.invoke(main, args)
        assert parsed.exit_code == cold.exit_code == warm.exit_code == 0, (cold.output, warm.output)
        assert parsed.stdout_bytes == cold.stdout_bytes == warm.stdout_bytes
        json.loads(warm.stdout_bytes)
    assert len(_entries(cache)) == 2


def test_an_entry_serves_the_next_days_only_for_a_ledger_without_problems(
        cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    good = write_ledger(_mixed_rows(10), tmp_path / "good.csv")
    rows = _mixed_rows(10)
    rows[2]["id_number"] = "110101199003071234"  # refused today; another day might see it otherwise
    bad = write_ledger(rows, tmp_path / "bad.csv")
    cold = {path: _read(path) for path in (good, bad)}
    parses = []
    stream_table = tabular.stream_table
    monkeypatch.setattr(tabular, "stream_table", lambda path, *a, **k: parses.append(path) or stream_table(path, *a, **k))
    today = ledger_cache._today()
    # Each parse writes the entry anew, dated the day it was parsed on.
    for day, parsed in ((today + 1, [bad]), (today + 30, [bad]), (today - 1, [good, bad]), (today, [bad]),
                        (today, [])):
        parses.clear()
        monkeypatch.setattr(ledger_cache, "_today", lambda day=day: day)
        assert {path: _read(path) for path in (good, bad)} == cold
        assert parses == parsed, day


def test_values_shared_by_loans_in_the_parse_are_shared_when_decoded(cache: Path, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    # 400,000 loans name a few branches, dates and amounts: one object each keeps them small.
    path = write_ledger(_mixed_rows(60), tmp_path / "shared.xlsx")
    cold = read_ledger(path).loans
    _no_parse(monkeypatch)
    warm = read_ledger(path).loans
    for name in ("branch", "officer", "classification", "disbursed_on", "maturity", "balance", "overdue_interest",
                 "address"):
        objects = len({id(getattr(loan, name)) for loan in warm})
        # Equal dates and amounts may be one object where the parse made two: never more objects.
        assert objects <= len({id(getattr(loan, name)) for loan in cold}), name
    for name in ("branch", "officer", "classification", "disbursed_on", "overdue_interest"):
        assert len({id(getattr(loan, name)) for loan in warm}) < len(warm) / 4, name
    # Guarantors' addresses repeat as borrowers' do: written once each, not once per loan.
    assert [loan.guarantor_addresses for loan in warm] == [loan.guarantor_addresses for loan in cold]
    addresses = [address for loan in warm for address in loan.guarantor_addresses]
    assert len(addresses) == 30 and len({id(address) for address in addresses}) == 2


def test_the_letters_job_decodes_the_ledger_its_check_has_just_read(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from docgen.documents.register import sha256_file
    from docgen.loans.plan import load_policy
    from docgen.service.work import job_check_task

    policy = EXAMPLES.parent / "collection-policy.yaml"  # one that signs letters: a letters job needs it
    checked = job_check_task("letters", {"ledger": str(CLOSING), "ledger_sha256": sha256_file(CLOSING), "shown": {},
                                         "policy": str(policy)})
    assert checked == {"loans": len(_no_cache_read(CLOSING))}
    _no_parse(monkeypatch)
    assert len(read_ledger(CLOSING, vocabulary=load_policy().vocabulary).loans) == checked["loans"]


def test_another_days_entry_of_a_ledger_with_problems_is_not_read(cache: Path, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    # A borrower born today was refused yesterday (born after that day) and is accepted today: today's
    # read gives that loan, which yesterday's entry, given block by block before its end, would lack.
    import datetime as _dt
    import types

    from ledger_fixtures import WEIGHTS

    from docgen.core import idnumbers
    from docgen.loans import ledger

    today = _dt.date.today()
    body = f"610326{today:%Y%m%d}007"
    rows = _mixed_rows(20)
    rows[4]["id_number"] = body + "10X98765432"[sum(int(d) * w for d, w in zip(body, WEIGHTS)) % 11]
    path = write_ledger(rows, tmp_path / "born.csv")

    class Yesterday(_dt.date):
        @classmethod
        def today(cls) -> _dt.date:
            return _dt.date.today() - _dt.timedelta(days=1)

    with monkeypatch.context() as patched:
        for module in (ledger, idnumbers):
            patched.setattr(module, "_dt", types.SimpleNamespace(**{**vars(_dt), "date": Yesterday}))
        patched.setattr(ledger_cache, "_today", lambda: today.toordinal() - 1)
        assert _read(path, block_rows=6)[1]  # refused the day before
    assert len(_entries(cache)) == 1
    monkeypatch.setenv("DOCGEN_NO_CACHE", "1")
    parsed = _read(path, block_rows=6)
    assert not parsed[1] and parsed[2][1] == 20
    monkeypatch.delenv("DOCGEN_NO_CACHE")
    assert _read(path, block_rows=6) == parsed
    assert len(_entries(cache)) == 2  # yesterday's, with its problem, and today's without

    def found() -> Any:
        return ledger_cache.find(path, sheet=None, vocabulary=_vocabulary(), block_rows=6).hit

    assert found() is not None
    # The clock put back a day: today's entry is not read, before any of its blocks is given.
    monkeypatch.setattr(ledger_cache, "_today", lambda: today.toordinal() - 1)
    assert found() is None


def test_dates_and_amounts_encoded_from_their_cells_decode_as_encoded_from_the_loans(
        cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from docgen.loans import ledger

    rows = _mixed_rows(40)
    # Equal amounts from cells of other types (a number, a text, one with places), dates typed as text.
    rows[1].update(balance="1000", overdue_principal=1000)
    rows[2].update(balance=1000, overdue_principal="1000.00", recovered="1,000.00")
    rows[3].update(disbursed_on="2025/1/5", overdue_since="2026-01-05")
    path = write_ledger(rows, tmp_path / "cells.xlsx")
    encoded: list[str] = []
    encode = ledger_cache._encode_converted
    for block_rows in (None, 7):
        entries = []
        for from_cells in (True, False):
            for entry in _entries(cache):
                entry.unlink()
            with monkeypatch.context() as patched:
                patched.setattr(ledger_cache, "_encode_converted",
                                lambda kind, cells, table: encoded.append(kind) or encode(kind, cells, table))
                if not from_cells:
                    patched.setattr(ledger, "_converted", lambda block, tables: {})
                parsed = _read(path, block_rows=block_rows)
            assert ("d" in encoded and "t" in encoded) is from_cells
            encoded.clear()
            (entry,) = _entries(cache)
            entries.append(entry.read_bytes())
            with monkeypatch.context() as patched:
                _no_parse(patched)
                assert _read(path, block_rows=block_rows) == parsed
        assert entries[0] != entries[1]  # the amounts read as numbers written as their cells
        entries_kinds = [_column_kinds(entry) for entry in entries]
        assert set(entries_kinds[0]["principal"]) == {"n"} and set(entries_kinds[1]["principal"]) == {"d"}


def _column_kinds(data: bytes) -> dict[str, list[str]]:
    """Each field's encoding in each block of the entry ``data`` (a record file: its records read back)."""
    import marshal

    import io

    from docgen.core.cache import _RECORDS_HEAD, _records

    _, names, _ = ledger_cache._loan_fields()
    kinds: dict[str, list[str]] = {name: [] for name in names}
    for record in map(marshal.loads, _records(io.BytesIO(data[len(_RECORDS_HEAD):]))):
        if record[0] == "b":
            for name, column in zip(names, record[2]):
                kinds[name].append(marshal.loads(column)[0])
    return kinds


def _decoded(encoded: tuple[Any, ...], rows: int) -> list[tuple[str, str]]:
    """The column an encoded column reads back as, each value's type and repr."""
    import marshal

    values = ledger_cache._column_values(ledger_cache._load_column(marshal.dumps(encoded, 4), rows))
    return [(type(value).__name__, repr(value)) for value in values]


def test_a_column_encoded_from_its_cells_reads_back_as_the_column_encoded_from_its_values() -> None:
    from datetime import date
    from decimal import Decimal

    one, other, again = Decimal("1000"), Decimal("1000.00"), Decimal("1000")
    day = date(2026, 1, 5)
    cases = [
        (ledger_cache._AMOUNT, [1000, "1000.00", "1000", None, 1000], {1000: one, "1000.00": other, "1000": again,
                                                                        None: None}),
        (ledger_cache._AMOUNT, ["", None, ""], {"": one, None: one}),  # one object: written once
        (ledger_cache._AMOUNT, [None, None], {None: None}),
        (ledger_cache._AMOUNT, [1000, 1.5, "", 1000, 0.0], {1000: one, 1.5: Decimal("1.5"), "": None, 0.0: Decimal(0)}),
        (ledger_cache._AMOUNT, [5, "", 5], {5: Decimal(5), "": Decimal(0)}),
        (ledger_cache._DATE, [day, "2026-01-05", None, day], {day: day, "2026-01-05": date(2026, 1, 5), None: None}),
        (ledger_cache._DATE, ["", ""], {"": None}),
        (ledger_cache._DATE, [day, date(2026, 2, 1), day], {day: day, date(2026, 2, 1): date(2026, 2, 1)}),
    ]
    for kind, cells, table in cases:
        column = [table[cell] for cell in cells]
        assert (_decoded(ledger_cache._encode_converted(kind, cells, table), len(cells))
                == _decoded(ledger_cache._encode_column(kind, column), len(cells))
                == [(type(value).__name__, repr(value)) for value in column]), (kind, cells)
    # Dates that are their own values: each cell's ordinal made from it, not looked up in a table.
    later = date(2026, 2, 1)
    _, ordinals = ledger_cache._encode_converted(ledger_cache._DATE, [day, later, day], {day: day, later: later})
    assert ordinals == [day.toordinal(), later.toordinal(), day.toordinal()] and ordinals[0] is not ordinals[2]
    _, ordinals = ledger_cache._encode_converted(ledger_cache._DATE, [day, "", day], {day: day, "": None})
    assert ordinals == [day.toordinal(), None, day.toordinal()] and ordinals[0] is ordinals[2]
    for kind, table in ((ledger_cache._DATE, {1: Decimal(1)}), (ledger_cache._AMOUNT, {1: day})):
        with pytest.raises(ledger_cache.Unencodable):
            ledger_cache._encode_converted(kind, [1, 2], {**table, 2: None})


def test_amounts_read_from_numbers_are_written_as_their_cells_and_others_as_their_text() -> None:
    from decimal import Decimal

    numbers = {1000: Decimal(1000), 1234.5: Decimal("1234.5"), 2000.0: Decimal(2000), 1e-05: Decimal("0.00001"),
               "": None}
    cells = [1000, 1234.5, "", 2000.0, 1e-05, 1000]
    encoded = ledger_cache._encode_converted(ledger_cache._AMOUNT, cells, numbers)
    assert encoded == ("n", cells, None)  # nothing made per value
    assert _decoded(encoded, 6) == [(type(numbers[cell]).__name__, repr(numbers[cell])) for cell in cells]
    # Not what the ledger's converters give a number, a boolean, text other than the empty cell: as text.
    for table in ({1000: Decimal("1000.00"), 5: Decimal(5)}, {True: Decimal(1), 5: Decimal(5)},
                  {"": None, " ": None, 5: Decimal(5)}, {"1,000": Decimal(1000), 5: Decimal(5)}):
        cells = list(table)
        encoded = ledger_cache._encode_converted(ledger_cache._AMOUNT, cells, table)
        assert encoded[0] == ledger_cache._AMOUNT, table
        assert _decoded(encoded, len(cells)) == _decoded(ledger_cache._encode_column(ledger_cache._AMOUNT,
                                                                                     [table[c] for c in cells]), len(cells))


def test_text_that_mostly_differs_is_written_joined_unless_a_value_holds_the_separator() -> None:
    names = ["B001", "赵一", "", "B001"]
    encoded = ledger_cache._encode_joined(names)
    assert encoded == ("j", "B001\x00赵一\x00\x00B001") and ledger_cache._encode_joined(names, encoded[1]) == encoded
    assert _decoded(encoded, 4) == [("str", repr(name)) for name in names]
    for column in (["a\x00b", "c"], ["a", 5], []):
        assert ledger_cache._encode_joined(column)[0] == "m", column


def test_an_entry_writes_numbers_as_cells_and_the_reader_s_joined_text_as_it_is(
        cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = _mixed_rows(30)
    for i, item in enumerate(rows):
        item.update(principal=[1000, 1234.56, 5e-3][i % 3], overdue_interest="" if i % 2 else 12.5)
    rows[3]["loan_no"] = f" {rows[3]['loan_no']} "  # stripped: that block's 借据号 joined by the writer
    path = write_ledger(rows, tmp_path / "numbers.xlsx")
    joined: list[bool] = []
    encode = ledger_cache._encode_joined
    monkeypatch.setattr(ledger_cache, "_encode_joined",
                        lambda column, text=None: joined.append(text is not None) or encode(column, text))
    cold = _read(path, block_rows=8)
    (entry,) = _entries(cache)
    kinds = _column_kinds(entry.read_bytes())
    assert set(kinds["principal"]) == set(kinds["overdue_interest"]) == {"n"}
    assert set(kinds["loan_no"]) == set(kinds["borrower"]) == {"j"} and set(kinds["branch"]) == {"m"}
    # The reader's joined text, not joined again, but for the 借据号 of the block whose cell was stripped.
    assert joined.count(False) == 1 and len(joined) == 4 * 4
    _no_parse(monkeypatch)
    assert _read(path, block_rows=8) == cold


def test_the_entry_joins_texts_with_the_readers_own_separator() -> None:
    # The reader's joined text of a column is written into the entry as it is.
    from docgen.core.tabular import Block

    assert ledger_cache._SEPARATOR == Block.SEPARATOR
