"""The ledger reader: Chinese headers, types, encodings, and row problems with row and column."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from ledger_fixtures import resident_id, row, seed_snapshots
from xls_books import xls_copy

from docgen.core.errors import InputError, RowsError
from docgen.loans.ledger import LEDGER_HEADERS, Ledger, _fast_loan, read_ledger, validate_row, write_ledger


def test_xlsx_with_chinese_headers_gives_typed_loans(tmp_path: Path) -> None:
    _, closing = seed_snapshots()
    path = write_ledger(closing, tmp_path / "台账.xlsx")
    # The written header row is the DESIGN §8 Chinese one.
    sheet = openpyxl.load_workbook(path, read_only=True).worksheets[0]
    assert next(sheet.iter_rows(values_only=True))[:4] == ("借据号", "合同号", "借款人", "证件号码")

    ledger = read_ledger(path)
    assert isinstance(ledger, Ledger)
    assert [loan.loan_no for loan in ledger.loans] == ["N1", "N2", "N3", "P1", "W1", "W2"]
    n1, w1, w2 = ledger.loans[0], ledger.loans[4], ledger.loans[5]
    assert n1.balance == Decimal("500000") and isinstance(n1.balance, Decimal)
    assert n1.overdue_since == dt.date(2026, 3, 23)
    assert n1.on_balance is True and w1.on_balance is False
    assert w1.recovered == Decimal(107000) and n1.recovered == Decimal(0)
    assert w1.litigation == "执行中"  # a synonym of the policy vocabulary, stored canonical
    assert w2.guarantors == ("赵一", "钱二", "孙三")
    assert n1.id_number == resident_id(1)
    assert n1.row == 2 and w2.row == 7
    assert n1.overdue_since is not None and ledger.loans[3].overdue_since is None


def test_gb18030_csv_reads_the_same_as_xlsx(tmp_path: Path) -> None:
    _, closing = seed_snapshots()
    xlsx = read_ledger(write_ledger(closing, tmp_path / "a.xlsx"))
    csv_path = write_ledger(closing, tmp_path / "a.csv", encoding="gb18030")
    raw = csv_path.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")  # really GB18030, as Excel on Chinese Windows saves it
    assert raw.decode("gb18030").startswith("借据号,合同号,借款人")
    from_csv = read_ledger(csv_path)
    assert from_csv.loans == xlsx.loans


def test_csv_dates_exported_with_a_midnight_time_read_as_the_dates(tmp_path: Path) -> None:
    # Excel writes 2026-06-30 00:00:00 for a date cell saved as CSV, Kingsoft WPS 2026/6/30 0:00.
    _, closing = seed_snapshots()
    iso = read_ledger(write_ledger(closing, tmp_path / "iso.csv", encoding="gb18030"))
    exported = []
    for n, values in enumerate(closing):
        style = "{:%Y-%m-%d} 00:00:00" if n % 2 else "{0.year}/{0.month}/{0.day} 0:00"
        exported.append({k: style.format(v) if isinstance(v, dt.date) else v for k, v in values.items()})
    path = write_ledger(exported, tmp_path / "excel.csv", encoding="gb18030")
    assert "00:00:00" in path.read_bytes().decode("gb18030") and " 0:00," in path.read_bytes().decode("gb18030")
    assert read_ledger(path).loans == iso.loans


def test_a_csv_date_holding_a_time_of_day_is_a_row_error_naming_it(tmp_path: Path) -> None:
    path = write_ledger([row("A1", 1000), row("A2", 1000, maturity="2027/6/30 14:30")], tmp_path / "t.csv")
    with pytest.raises(RowsError) as caught:
        read_ledger(path)
    assert str(caught.value) == (f"{path}：台账有 1 行数据不合格，请按行列位置修改后重试\n"
                                 "  - 第3行 I（到期日期）列 maturity：无法转换：日期“2027/6/30 14:30”带有时刻 14:30："
                                 "日期字段只应写日期（是否填错了列？）；请改为只写日期，如 2026-06-30")


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".xls"])
def test_a_date_cell_holding_a_time_of_day_is_refused_as_its_text_is(tmp_path: Path, suffix: str) -> None:
    # An Excel date cell at 14:30 (a formula's result, a mistyped value) was taken as its day
    # while the same value in a CSV was refused: now both are one row error quoting it. A date
    # cell at midnight (what a date typed with a time format holds) is the date.
    midnight, moment = dt.datetime(2023, 1, 10), dt.datetime(2027, 6, 30, 14, 30)
    if suffix == ".csv":
        midnight, moment = "2023-01-10 00:00", "2027-06-30 14:30"
    rows = [row("A1", 1000, disbursed_on=midnight), row("A2", 1000, maturity=moment)]
    path = write_ledger(rows, tmp_path / ("t.xlsx" if suffix == ".xls" else f"t{suffix}"))
    if suffix == ".xls":
        path = xls_copy(path, tmp_path / "t.xls")
    with pytest.raises(RowsError) as caught:
        read_ledger(path)
    assert str(caught.value) == (f"{path}：台账有 1 行数据不合格，请按行列位置修改后重试\n"
                                 "  - 第3行 I（到期日期）列 maturity：无法转换：日期“2027-06-30 14:30”带有时刻 14:30："
                                 "日期字段只应写日期（是否填错了列？）；请改为只写日期，如 2026-06-30")
    rows[1] = row("A2", 1000, maturity=moment.replace(hour=0, minute=0) if suffix != ".csv" else "2027-06-30 00:00")
    path.unlink()
    written = write_ledger(rows, tmp_path / ("t.xlsx" if suffix == ".xls" else f"t{suffix}"))
    loans = read_ledger(xls_copy(written, path) if suffix == ".xls" else written).loans
    assert [(loan.disbursed_on, loan.maturity) for loan in loans] == [
        (dt.date(2023, 1, 10), dt.date(2027, 1, 10)), (dt.date(2023, 1, 10), dt.date(2027, 6, 30))]


def test_an_xls_ledger_dated_in_chinese_excel_s_default_format_plans_as_its_xlsx(tmp_path: Path) -> None:
    # An .xls names a date typed in Chinese Excel (2026年3月23日: built-in format 31) by its id alone,
    # which python-calamine-plus does not take for a date: read by it, every date was its serial
    # number and every row refused (日期格式应为 YYYY-MM-DD，收到“46104”).
    from click.testing import CliRunner

    from docgen.cli import main

    _, closing = seed_snapshots()
    xlsx = write_ledger(closing, tmp_path / "台账.xlsx")
    xls = xls_copy(xlsx, tmp_path / "台账.xls", day=31)
    plans = [CliRunner().invoke(main, ["collect", "plan", "--ledger", str(path), "--as-of", "2026-06-30",
                                       "--format", "json"]) for path in (xlsx, xls)]
    assert [(plan.exit_code, plan.stderr) for plan in plans] == [(0, ""), (0, "")]
    assert plans[1].stdout == plans[0].stdout.replace(str(xlsx), str(xls))
    loans = read_ledger(xls).loans
    assert loans == read_ledger(xlsx).loans
    assert (loans[0].loan_no, loans[0].overdue_since, loans[0].maturity) == ("N1", dt.date(2026, 3, 23),
                                                                             dt.date(2027, 1, 10))


def test_canonical_english_headers_are_accepted(tmp_path: Path) -> None:
    _, closing = seed_snapshots()
    path = write_ledger(closing, tmp_path / "en.csv", headers=list(LEDGER_HEADERS))
    assert [loan.balance for loan in read_ledger(path).loans][:1] == [Decimal(500000)]


def _bad_ledger(tmp_path: Path) -> Path:
    rows = [
        row("A1", 1000),
        row("A2", 1000, "很好"),                               # row 3: not a class
        row("A3", "abc"),                                     # row 4: not an amount
        row("A4", 1000, disbursed_on="2026-13-01"),           # row 5: no such date
        row("A1", 2000, serial=9),                             # row 6: duplicate of row 2
        row("A6", 1000, id_number="610326197503121231"),      # row 7: bad check digit
        dict(row("A7", 1000), on_balance="表中"),              # row 8: neither 表内 nor 表外
        row("A8", -5),                                        # row 9: negative balance
    ]
    return write_ledger(rows, tmp_path / "bad.xlsx")


def test_bad_rows_are_all_reported_with_row_and_column(tmp_path: Path) -> None:
    with pytest.raises(RowsError) as caught:
        read_ledger(_bad_ledger(tmp_path))
    err = caught.value
    assert err.exit_code == 1
    where = {(p.row, p.column) for p in err.problems}
    assert (3, "O（五级分类）") in where
    assert (4, "K（贷款余额）") in where
    assert (5, "H（发放日期）") in where
    assert (6, "A（借据号）") in where
    assert (7, "D（证件号码）") in where
    assert (8, "P（表内外）") in where
    assert (9, "K（贷款余额）") in where
    assert 2 not in {p.row for p in err.problems}
    assert err.code == "ledger-bad-rows"
    assert err.facts["count"] == 7
    text = str(err)
    assert "台账有 7 行数据不合格" in text
    assert "第6行 A（借据号）列 loan_no：借据号 A1 重复：第2行与第6行相同，借据号必须唯一" in text
    assert "第4行 K（贷款余额）列 balance：无法转换：金额应为数字，收到“abc”" in text
    assert "第9行 K（贷款余额）列 balance：最小值为 0" in text


def _mostly_bad_ledger(path: Path, bad: int) -> Path:
    """A CSV ledger of two good rows then ``bad`` rows holding only a 借据号 (every other required cell empty)."""
    write_ledger([row("G1", 100, serial=1), row("G2", 100, serial=2)], path)
    with path.open("a", encoding="utf-8") as fh:
        fh.writelines(f"B{k}\n" for k in range(bad))
    return path


def test_a_ledger_of_mostly_bad_rows_is_read_no_further_than_the_first_block_past_the_limit(tmp_path: Path) -> None:
    """1,000 bad rows are enough to say what is wrong: the blocks after the one that passes them are
    not read, and only the first 1,000 bad rows are listed (a 100 KB .xlsx of 400,000 one-cell rows
    took minutes and gigabytes to list them all)."""
    from docgen.loans.ledger import MAX_BAD_ROWS, iter_ledger_blocks

    path = _mostly_bad_ledger(tmp_path / "台账.csv", 3 * MAX_BAD_ROWS)
    blocks = iter_ledger_blocks(path, block_rows=MAX_BAD_ROWS // 2)
    with pytest.raises(RowsError) as caught:
        for _ in blocks:
            pass
    err = caught.value
    assert err.exit_code == 1 and err.code == "ledger-bad-rows-stopped"
    last = 4 + MAX_BAD_ROWS  # the header, two good rows, then the 1,001st bad row (in the third block)
    assert err.facts == {"file": path, "row": last, "count": MAX_BAD_ROWS}
    assert str(err).splitlines()[0] == (f"{path}：台账读到第{last}行时已有超过 1000 行数据不合格，其后的行未再检查；"
                                        "下面列出前 1000 行，请按行列位置修改（并确认选对了文件和工作表）后重试")
    assert sorted({p.row for p in err.problems}) == list(range(4, 4 + MAX_BAD_ROWS))


def test_a_block_of_bad_rows_is_validated_no_further_than_the_row_past_the_limit(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """1,500 bad rows in one block: checking stops at the 1,001st (each bad row costs cerberus about
    3 ms, a 16,384-row block of them 50 s), naming that row and listing the first 1,000 rows' problems
    (the next test compares them with a check of every row)."""
    from docgen.loans import ledger
    from docgen.loans.ledger import MAX_BAD_ROWS, iter_ledger_blocks

    validated: list[int] = []

    def counting(values: Any, row: int, *args: Any, **kwargs: Any) -> Any:
        validated.append(row)
        return validate_row(values, row, *args, **kwargs)

    monkeypatch.setattr(ledger, "validate_row", counting)
    path = _mostly_bad_ledger(tmp_path / "台账.csv", MAX_BAD_ROWS + 500)
    blocks = iter_ledger_blocks(path)
    with pytest.raises(RowsError) as caught:
        for _ in blocks:
            pass
    err = caught.value
    assert err.code == "ledger-bad-rows-stopped"
    assert err.facts == {"file": path, "row": MAX_BAD_ROWS + 4, "count": MAX_BAD_ROWS}
    assert validated == list(range(4, MAX_BAD_ROWS + 5))  # the good rows take the fast path
    assert sorted({p.row for p in err.problems}) == list(range(4, 4 + MAX_BAD_ROWS))


def _mixed_bad_rows(count: int) -> list[dict[str, Any]]:
    """``count`` ledger rows cycling through good rows and every way a row is bad: cells cerberus
    words (the slow path), fields contradicting each other (found column-wise), a 借据号 seen
    before, a text cell in scientific notation (the reader's problem), a reader's problem on a
    row that is otherwise good."""
    kinds = [
        lambda n: row(f"M{n}", 1000, serial=n),
        lambda n: row(f"M{n}", "abc", serial=n),
        lambda n: row(f"M{n}", 1000, serial=n, maturity=dt.date(2020, 1, 1)),
        lambda n: row(f"M{n - 3}", 1000, serial=n),
        lambda n: row(f"M{n}", 1000, serial=n, contract_no="6.1E+17"),
        lambda n: row("6.1E+17", "", serial=n),
        lambda n: row(f"M{n}", 1000, serial=n, borrower=""),
        lambda n: row(f"M{n}", 1000, "坏类", serial=n),
    ]
    return [kinds[n % len(kinds)](n) for n in range(count)]


@pytest.mark.parametrize("block_rows", [None, 7])
@pytest.mark.parametrize("limit", [1, 6, 40])
def test_checking_stops_at_the_row_past_the_limit_listing_what_a_full_check_lists_before_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, block_rows: int | None, limit: int) -> None:
    """Whatever makes rows bad, and wherever the blocks end: past ``MAX_BAD_ROWS`` the error names
    the row that passed it and lists exactly what a check of every row lists for the rows before."""
    from docgen.loans import ledger
    from docgen.loans.ledger import iter_ledger_blocks

    path = write_ledger(_mixed_bad_rows(120), tmp_path / "台账.csv")
    monkeypatch.setattr(ledger, "MAX_BAD_ROWS", 10_000)
    with pytest.raises(RowsError) as every:
        read_ledger(path)
    assert every.value.code == "ledger-bad-rows"
    full = every.value.problems
    rows = sorted({p.row for p in full})
    kinds = {p.code for p in full}
    assert {"not-convertible", "maturity-before-disbursal", "duplicate-loan-no", "scientific-notation",
            "required"} <= kinds, kinds
    monkeypatch.setattr(ledger, "MAX_BAD_ROWS", limit)
    with pytest.raises(RowsError) as caught:
        for _ in iter_ledger_blocks(path, block_rows=block_rows):
            pass
    err = caught.value
    assert err.code == "ledger-bad-rows-stopped"
    assert err.facts["row"] == rows[limit]
    assert [(p.row, p.path, p.code, str(p)) for p in err.problems] == [
        (p.row, p.path, p.code, str(p)) for p in full if p.row in rows[:limit]]


def test_collect_plan_of_a_ledger_past_the_bad_row_limit_exits_1_listing_the_first_rows(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from docgen.cli import main
    from docgen.loans.ledger import MAX_BAD_ROWS

    path = _mostly_bad_ledger(tmp_path / "台账.csv", MAX_BAD_ROWS + 1)
    result = CliRunner().invoke(main, ["collect", "plan", "--ledger", str(path), "--as-of", "2026-06-30"])
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0] == (f"错误：{path}：台账读到第{MAX_BAD_ROWS + 4}行时已有超过 1000 行数据不合格，其后的行未再检查；"
                        "下面列出前 1000 行，请按行列位置修改（并确认选对了文件和工作表）后重试")
    listed = {line.split()[1] for line in lines[1:]}
    assert listed == {f"第{n}行" for n in range(4, 4 + MAX_BAD_ROWS)}  # the 1,001st bad row is not listed


def test_cell_problems_keep_the_validators_code_and_facts(tmp_path: Path) -> None:
    with pytest.raises(RowsError) as caught:
        read_ledger(_bad_ledger(tmp_path))
    found = {(p.row, p.path): (p.code, dict(p.facts)) for p in caught.value.problems}
    assert found[(3, "classification")] == ("not-allowed", {"value": "很好"})
    assert found[(4, "balance")][0] == "not-convertible" and "abc" in found[(4, "balance")][1]["reason"]
    assert found[(5, "disbursed_on")][0] == "not-convertible"
    assert found[(7, "id_number")][0] == "invalid-uscc-or-resident-id"
    assert found[(8, "on_balance")] == ("not-allowed", {"value": "表中"})
    assert found[(9, "balance")] == ("too-small", {"min": 0})
    _, problems = validate_row({**row("A", 1000), "branch": None}, 4)
    assert [(p.code, p.path, p.message) for p in problems] == [("required", "branch", "必填字段，不能缺少")]


def test_id_number_stored_as_a_number_is_an_error_not_a_guess(tmp_path: Path) -> None:
    path = write_ledger([row("A1", 1000)], tmp_path / "n.xlsx")
    workbook = openpyxl.load_workbook(path)
    workbook.active["D2"] = 610326197503121000  # what Excel keeps of a typed 18-digit number
    workbook.save(path)
    with pytest.raises(RowsError) as caught:
        read_ledger(path)
    problems = caught.value.problems
    assert [(p.row, p.column, p.path) for p in problems] == [(2, "D（证件号码）", "id_number")]
    assert "存成了数字" in problems[0].message


def test_missing_required_column_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "short.csv"
    path.write_text("借据号,借款人,贷款余额\nA1,张三,1000\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_ledger(path)
    assert caught.value.exit_code == 2
    assert "证件号码（id_number）" in str(caught.value) and "五级分类（classification）" in str(caught.value)


def test_unreadable_file_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"not a zip")
    with pytest.raises(InputError):
        read_ledger(path)


@pytest.mark.parametrize("values", [
    row("A", 1000),
    row("A", "1,000.50"),                      # cerberus' coercer accepts separators
    row("A", 1000, disbursed_on="2023/1/5"),   # and slashes in dates
    row("A", 1000, disbursed_on="2023年1月5日"),
    row("A", 1000, disbursed_on="２０２３-01-05"),
    row("A", "1,000", "次级类"),                # the class with its 类 suffix
    row("A", 1000, disbursed_on=dt.datetime(2023, 1, 5, 9, 30)),
    row("A", 1000.25, recovered="  "),
    row("A", 1000, borrower="  "),
    row("A", 1000, classification="好"),
    row("A", float("nan")),
    row("A", 1000, id_number=610326197503121000),
    row("A", 1000, maturity=None),
    row("A", 1000, overdue_since="2026-02-30"),
    row("A", True),
    dict(row("A", 1000), loan_no=20260001),
    row("A", 1000, id_number="91610326MA6X7Y8Z9A"),
])
def test_fast_path_agrees_with_cerberus(values: dict) -> None:
    fast, fast_problems = validate_row(values, 5)
    slow, slow_problems = validate_row(values, 5, fast=False)
    assert fast == slow
    assert _fast_loan(values, 5) in (None, fast)  # the fast path never accepts what cerberus refuses
    assert [p.path for p in fast_problems] == [p.path for p in slow_problems]


def test_class_suffix_and_slash_dates_take_the_fast_path() -> None:
    values = row("A", "1,000.50", "次级类", disbursed_on="2023/1/5", days=100)
    fast = _fast_loan(values, 3)
    assert fast is not None
    assert (fast.classification, fast.balance, fast.disbursed_on) == ("次级", Decimal("1000.50"), dt.date(2023, 1, 5))


def test_write_ledger_refuses_unknown_format(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        write_ledger([row("A", 1)], tmp_path / "x.ods")


def test_a_date_past_the_plausible_range_is_a_row_error_not_an_overflow(tmp_path: Path) -> None:
    # 9999-12-31 typed for "no end": deadlines three years on would overflow the calendar.
    far = [row("A1", 1000), row("A2", 1000, maturity=dt.date(9999, 12, 31)),
           row("A3", 1000, last_interruption="9999-12-01")]
    for path in (write_ledger(far, tmp_path / "far.xlsx"), write_ledger(far, tmp_path / "far.csv")):
        with pytest.raises(RowsError) as caught:
            read_ledger(path)
        assert {(p.row, p.path, p.message) for p in caught.value.problems} == {
            (3, "maturity", "最大值为 2199-12-31"), (4, "last_interruption", "最大值为 2199-12-31")}
    assert _fast_loan(row("A", "1000", "次级类", days=100, maturity="2199-12-31"), 3) is not None
    assert _fast_loan(row("A", "1000", "次级类", days=100, maturity="2200-01-01"), 3) is None  # cerberus reports it


# --------------------------------------------------------------------------- vocabularies and cross-field rules


@pytest.mark.parametrize(("text", "canonical"), [
    ("", "未起诉"), ("无", "未起诉"), ("拟起诉", "未起诉"), ("已起诉", "已起诉"), ("终本", "终结本次执行"),
    ("已判决,执行中", "执行中"), ("已判决，执行中", "执行中"), ("撤诉", "已撤诉"),
])
def test_litigation_synonyms_come_out_canonical(text: str, canonical: str) -> None:
    loan, problems = validate_row(row("A", 1000, litigation=text or None), 4)
    assert problems == [] and loan.litigation == canonical


def test_unknown_litigation_text_is_a_row_error_naming_row_and_column(tmp_path: Path) -> None:
    path = write_ledger([row("A1", 1000), row("A2", 1000, litigation="协商中")], tmp_path / "l.xlsx")
    with pytest.raises(RowsError) as caught:
        read_ledger(path)
    (problem,) = caught.value.problems
    assert (problem.row, problem.column, problem.code) == (3, "T（诉讼状态）", "unknown-litigation")
    assert problem.facts["value"] == "协商中"
    assert problem.message.startswith("“协商中”不是可识别的诉讼状态；应为 未起诉、已起诉")


def test_a_policy_vocabulary_adds_synonyms(tmp_path: Path) -> None:
    from docgen.loans.vocabulary import build_vocabulary

    vocabulary = build_vocabulary({"litigation": {"已起诉": ["协商中?不,已立案待审"]}})
    loan, problems = validate_row(row("A", 1000, litigation="协商中?不,已立案待审"), 2, vocabulary=vocabulary)
    assert problems == [] and loan.litigation == "已起诉"


def test_the_shipped_vocabulary_is_named_as_a_policy_vocabulary_is(monkeypatch: pytest.MonkeyPatch) -> None:
    """An error in the shipped policy's vocabulary heads its sentence with the file as a
    policy's own does (``collection-policy.yaml：vocabulary.…：``), the colon full-width."""
    import docgen.core.datafile as datafile
    from docgen.loans.vocabulary import default_vocabulary

    monkeypatch.setattr(datafile, "read_mapping", lambda path, **_: {"vocabulary": {"no_such_column": {}}})
    with pytest.raises(InputError) as caught:
        default_vocabulary.__wrapped__()
    assert "collection-policy.yaml：vocabulary.no_such_column：未知的受控列" in str(caught.value)


@pytest.mark.parametrize(("fields", "code", "column"), [
    ({"overdue_principal": 2000, "days": 10}, "overdue-exceeds-balance", "overdue_principal"),
    ({"last_interruption": dt.date(2020, 1, 1)}, "interruption-before-disbursal", "last_interruption"),
    ({"judgment_due": dt.date(2025, 1, 1)}, "judgment-without-suit", "judgment_due"),
    ({"judgment_due": dt.date(2024, 1, 1), "litigation_filed": dt.date(2024, 6, 1)}, "judgment-before-suit",
     "judgment_due"),
    ({"litigation": "未起诉", "litigation_filed": dt.date(2024, 6, 1)}, "suit-date-with-no-suit", "litigation_filed"),
    ({"guarantor_demanded": dt.date(2024, 6, 1)}, "guarantee-without-guarantors", "guarantor_demanded"),
    ({"interruption_type": "债务人确认"}, "interruption-type-without-date", "interruption_type"),
    ({"maturity": dt.date(2022, 1, 1)}, "maturity-before-disbursal", "maturity"),
    ({"penalty_rate": "6.75"}, "penalty-rate-range", "penalty_rate"),
])
def test_cross_field_contradictions_are_row_errors(fields: dict, code: str, column: str) -> None:
    days = fields.pop("days", 0)
    values = row("A", 1000, days=days, **fields)
    for fast in (True, False):
        loan, problems = validate_row(values, 7, fast=fast)
        assert loan is None
        assert [(p.code, p.path, p.row) for p in problems] == [(code, column, 7)]


def test_empty_controlled_cells_take_their_legal_defaults() -> None:
    loan, _ = validate_row(row("A", 1000, guarantors="李四", last_interruption=dt.date(2024, 3, 1),
                               litigation_filed=dt.date(2024, 6, 1)), 2)
    # 保证方式 not agreed: 一般保证 (art. 686); a date without an event: 催收送达; a filing date: 已起诉.
    assert (loan.guarantee_type, loan.interruption_type, loan.litigation) == ("一般保证", "催收送达", "已起诉")


def test_penalty_rate_as_percent_text_and_acceleration_flag() -> None:
    loan, problems = validate_row(row("A", 1000, penalty_rate="6.75%", accelerated="是"), 2)
    assert problems == [] and loan.penalty_rate == Decimal("0.0675") and loan.accelerated is True
    _, problems = validate_row(row("A", 1000, accelerated="也许"), 2)
    assert [p.code for p in problems] == ["accelerated-value"]


@pytest.mark.parametrize(("value", "accelerated"), [
    ("是", True), ("TRUE", True), ("true", True), (" y ", True), ("Y", True), ("Yes", True), ("1", True), (True, True),
    (1, True), (1.0, True), ("否", False), ("FALSE", False), ("n", False), ("No", False), ("0", False), (False, False),
    (0, False), ("", False), (None, False)])
def test_the_acceleration_flag_reads_yes_no_as_a_template_field_does(value: Any, accelerated: bool) -> None:
    # One reading (values.parse_yes_no) for the ledger's 宣布提前到期 and a letter's accelerated:
    # TRUE, true and a workbook's TRUE cell were refused here, Y and 是 accepted.
    for fast in (True, False):
        loan, problems = validate_row(row("A", 1000, accelerated=value), 2, fast=fast)
        assert problems == [] and loan is not None and loan.accelerated is accelerated


@pytest.mark.parametrize("value", ["也许", "有", "2", 2, 0.5])
def test_an_acceleration_flag_that_is_no_yes_no_is_a_row_error_quoting_it(value: Any) -> None:
    for fast in (True, False):
        loan, problems = validate_row(row("A", 1000, accelerated=value), 2, {"accelerated": "T（宣布提前到期）"}, fast=fast)
        assert loan is None
        assert [str(p) for p in problems] == [
            "第2行 T（宣布提前到期）列 accelerated：宣布提前到期应填“是”或“否”（也可填 true/false、yes/no、Y/N、1/0，"
            f"不区分大小写），收到“{value}”"]


def test_a_workbooks_true_false_and_number_cells_say_whether_a_loan_was_declared_due(tmp_path: Path) -> None:
    path = write_ledger([row("A1", 1000, accelerated="是"), row("A2", 1000), row("A3", 1000)], tmp_path / "t.xlsx")
    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[0]
    column = [cell.value for cell in sheet[1]].index(LEDGER_HEADERS["accelerated"]) + 1
    for at, value in ((2, True), (3, False), (4, 1)):
        sheet.cell(at, column).value = value
    book.save(path)
    assert [loan.accelerated for loan in read_ledger(path).loans] == [True, False, True]
    sheet.cell(4, column).value = "是的吗"
    book.save(path)
    with pytest.raises(RowsError) as caught:
        read_ledger(path)
    letter = openpyxl.utils.get_column_letter(column)
    assert str(caught.value) == (f"{path}：台账有 1 行数据不合格，请按行列位置修改后重试\n"
                                 f"  - 第4行 {letter}（宣布提前到期）列 accelerated：宣布提前到期应填“是”或“否”"
                                 "（也可填 true/false、yes/no、Y/N、1/0，不区分大小写），收到“是的吗”")
