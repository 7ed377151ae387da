"""NPL figures against hand-computed values (see ledger_fixtures), boundaries, migration, targets."""
from __future__ import annotations

from scripts import load_script

import dataclasses
import datetime as dt
import os
import re
import time
from decimal import Decimal
from pathlib import Path

import pytest
from ledger_fixtures import AS_OF, loan, overdue_for, seed_snapshots, write_seed_ledgers

from docgen.core import procs
from docgen.core.errors import InputError
from docgen.loans.ledger import read_ledger
from docgen.core.notices import collecting
from docgen.loans.npl import (
    Targets,
    compute_figures,
    load_targets,
    parse_period,
    render_text,
    targets_from_mapping,
)
from docgen.loans.plan import load_policy, overdue_days

ROOT = Path(__file__).resolve().parents[2]
Q2 = parse_period("2026Q2")
SEED_TARGETS = Targets(Decimal(100000), Decimal(350000))


def _flags(loans, as_of=AS_OF, *, grace_days: int = 0):
    """The classification flags of ``loans`` as the report gives them (``compute_figures``), with a
    policy allowing ``grace_days`` before an overdue 正常 loan is flagged."""
    policy = dataclasses.replace(load_policy(), overdue_normal_grace_days=grace_days)
    return compute_figures(loans, period=Q2, as_of=as_of, policy=policy).flags


def _seed_figures(tmp_path: Path, **kw):
    opening, closing, targets = write_seed_ledgers(tmp_path)
    return compute_figures(read_ledger(closing).loans, read_ledger(opening).loans, period=Q2,
                           targets=load_targets(targets), **kw)


def test_seed_figures_from_files(tmp_path: Path) -> None:
    figures = _seed_figures(tmp_path)
    data = figures.to_dict()
    assert data["period"] == "2026Q2" and data["as_of"] == "2026-06-30"
    assert data["on_balance"] == {
        "npl_balance": 1020100.0, "npl_balance_opening": 1040100.0, "change": -20000.0,
        "loan_balance": 84306000.0, "npl_ratio": 0.0121,
        "reduction_target": 100000.0, "reduction_completion": 0.2,
        # Every class agrees with its days past due: the corrected headline is the reported one.
        "npl_balance_corrected": 1020100.0, "npl_ratio_corrected": 0.0121,
        # N1-N3 were overdue at the opening too (N1 since 2026-03-23); all three > 90 days now.
        "overdue_balance": 1020100.0, "overdue_balance_opening": 1040100.0, "overdue_change": -20000.0,
        "overdue90_balance": 1020100.0, "deviation": 1.0,
    }
    assert data["off_balance"] == {
        "npl_balance": 17272500.0, "recovered": 127000.0,
        "recovery_target": 350000.0, "recovery_completion": 0.3629,
    }
    assert data["by_category"] == {"正常": 83285900.0, "关注": 0.0, "次级": 500000.0, "可疑": 400000.0,
                                   "损失": 120100.0}
    assert data["flags"] == []
    assert data["litigation"]["cases"] == 2
    assert data["litigation"]["recovered"] == 107000.0
    assert [c["loan_no"] for c in data["litigation"]["loans"]] == ["N2", "W1"]
    officers = {g["name"]: g for g in data["breakdowns"]["officer"]}
    assert officers["李志强"] == {"name": "李志强", "loans": 2, "balance": 500000.0, "npl_balance": 500000.0,
                               "off_balance": 16272500.0, "recovered": 107000.0}
    branches = {g["name"]: g["loans"] for g in data["breakdowns"]["branch"]}
    assert branches == {"眉县支行营业部": 5, "金渠分理处": 1}
    category = {g["name"]: (g["loans"], g["balance"]) for g in data["breakdowns"]["category"]}
    assert category["次级"] == (1, 500000.0) and category["正常"] == (1, 83285900.0)


def test_seed_text_uses_wan_with_two_decimals(tmp_path: Path) -> None:
    text = render_text(_seed_figures(tmp_path))
    assert "不良贷款余额 102.01 万元，贷款余额 8430.60 万元，不良占比 1.21%" in text
    assert "季初不良余额 104.01 万元，较季初下降 2.00 万元" in text
    assert "压降任务 10.00 万元，完成 20%" in text
    assert "不良贷款余额 1727.25 万元，本季清收 12.70 万元" in text
    assert "清收任务 35.00 万元，完成 36.29%" in text


def test_without_opening_change_and_completion_are_null() -> None:
    _, closing = seed_snapshots()
    loans = [loan(r["loan_no"], r["balance"], r["classification"], on_balance=r["on_balance"] == "表内")
             for r in closing]
    figures = compute_figures(loans, None, period=Q2, targets=SEED_TARGETS)
    on = figures.to_dict()["on_balance"]
    assert on["npl_balance"] == 1020100.0
    assert on["npl_balance_opening"] is None and on["change"] is None and on["reduction_completion"] is None
    assert figures.to_dict()["migration"] is None
    assert "未提供期初台账（--opening）" in render_text(figures)


def test_no_targets_means_no_completion() -> None:
    figures = compute_figures([loan("A", 1000, "次级", days=100)], [], period=Q2)
    data = figures.to_dict()
    assert data["on_balance"]["reduction_target"] is None and data["on_balance"]["reduction_completion"] is None
    assert data["off_balance"]["recovery_completion"] is None
    assert data["on_balance"]["change"] == 1000.0  # rose from nothing


@pytest.mark.parametrize(("days", "classification", "flagged", "required"), [
    (90, "关注", False, None), (91, "关注", True, "次级"), (91, "次级", False, None),
    (270, "次级", False, None), (271, "次级", True, "可疑"), (271, "关注", True, "可疑"),
    (360, "可疑", False, None), (361, "可疑", True, "损失"), (361, "正常", True, "损失"),
    (361, "损失", False, None),
])
def test_overdue_boundaries(days: int, classification: str, flagged: bool, required: str | None) -> None:
    item = loan("B1", 50000, classification, days=days)
    assert overdue_days(item, AS_OF) == days
    flags = _flags([item])
    assert bool(flags) is flagged
    if flagged:
        assert flags[0].code == "misclassified" and flags[0].required == required
        assert flags[0].to_dict() == {
            "loan_no": "B1", "code": "misclassified", "required": required,
            "facts": {"loan_no": "B1", "borrower": "借款人B1", "row": 2, "as_of": "2026-06-30", "days": days,
                      "classification": classification, "required": required},
            "message": f"借据号 B1（借款人B1，第2行）截至2026-06-30逾期{days}天，五级分类为{classification}，"
                       f"按《商业银行金融资产风险分类办法》应至少为{required}",
        }


def test_day_one_is_the_overdue_date_and_future_dates_are_not_overdue() -> None:
    assert overdue_days(loan("C", 1, overdue_since=AS_OF), AS_OF) == 1
    assert overdue_days(loan("C", 1, overdue_since=AS_OF + dt.timedelta(days=1)), AS_OF) == 0
    assert overdue_days(loan("C", 1), AS_OF) == 0
    assert overdue_for(91) == dt.date(2026, 4, 1)


def test_migration_matrix_with_new_and_paid_off_loans() -> None:
    opening = [loan("A", 100, "正常"), loan("B", 50, "关注"), loan("C", 30, "次级", days=100),
               loan("D", 20, "正常"), loan("E", 70, "正常")]
    closing = [loan("A", 90, "关注"), loan("B", 50, "次级", days=100), loan("C", 30, "损失", on_balance=False),
               loan("E", 65, "正常"), loan("F", 10, "正常")]
    matrix = compute_figures(closing, opening, period=Q2).migration.to_dict()
    assert matrix["from"] == ["正常", "关注", "次级", "可疑", "损失", "表外", "新发放"]
    assert matrix["to"] == ["正常", "关注", "次级", "可疑", "损失", "表外", "结清"]
    nonzero = {(a, b): n for a, row in matrix["counts"].items() for b, n in row.items() if n}
    assert nonzero == {("正常", "关注"): 1, ("关注", "次级"): 1, ("次级", "表外"): 1, ("正常", "结清"): 1,
                       ("正常", "正常"): 1, ("新发放", "正常"): 1}
    # Amounts: opening balances (what moved), closing balance for new loans.
    assert matrix["amounts"]["正常"]["关注"] == 100.0
    assert matrix["amounts"]["正常"]["正常"] == 70.0
    assert matrix["amounts"]["正常"]["结清"] == 20.0
    assert matrix["amounts"]["新发放"]["正常"] == 10.0


def test_large_npl_threshold_default_and_from_targets() -> None:
    loans = [loan("A", 100000, "次级", days=100, officer="甲"), loan("B", 99999.99, "可疑", days=300),
             loan("C", 500000, "正常"), loan("D", 300000, "损失", on_balance=False, days=900, officer="乙")]
    default = compute_figures(loans, None, period=Q2).to_dict()
    assert default["large_npl_threshold"] == 100000.0
    assert [(x["loan_no"], x["officer"], x["balance"]) for x in default["large_npls"]] == [
        ("D", "乙", 300000.0), ("A", "甲", 100000.0)]  # 10万 itself is "10万元以上"; performing C is not NPL
    raised = compute_figures(loans, None, period=Q2, targets=targets_from_mapping({"large_npl_threshold": 200000}))
    assert [x["loan_no"] for x in raised.to_dict()["large_npls"]] == ["D"]


@pytest.mark.parametrize(("text", "start", "end"), [
    ("2026Q2", dt.date(2026, 4, 1), dt.date(2026, 6, 30)),
    ("2026q4", dt.date(2026, 10, 1), dt.date(2026, 12, 31)),
    ("2026H1", dt.date(2026, 1, 1), dt.date(2026, 6, 30)),
    ("2026H2", dt.date(2026, 7, 1), dt.date(2026, 12, 31)),
    ("2026", dt.date(2026, 1, 1), dt.date(2026, 12, 31)),
    ("2028-02", dt.date(2028, 2, 1), dt.date(2028, 2, 29)),
    ("2026-6", dt.date(2026, 6, 1), dt.date(2026, 6, 30)),
])
def test_parse_period(text: str, start: dt.date, end: dt.date) -> None:
    period = parse_period(text)
    assert (period.start, period.end) == (start, end)


@pytest.mark.parametrize("text", ["2026Q5", "2026H3", "26Q1", "2026-13", "Q2 2026", ""])
def test_parse_period_rejects(text: str) -> None:
    with pytest.raises(ValueError, match="无法识别的报告期"):
        parse_period(text)


def test_as_of_defaults_to_period_end_and_can_be_set() -> None:
    item = loan("A", 1000, "关注", days=91)
    assert compute_figures([item], period=Q2).as_of == dt.date(2026, 6, 30)
    earlier = compute_figures([item], period=Q2, as_of=dt.date(2026, 6, 29))
    assert earlier.flags == []  # 90 days on the 29th


def test_targets_are_validated(tmp_path: Path) -> None:
    path = tmp_path / "targets.yaml"
    path.write_text("reduction_target: 100000\nrecovery_taget: 350000\n", encoding="utf-8")
    with pytest.raises(InputError, match="recovery_taget：未知字段") as caught:
        load_targets(path)
    assert caught.value.exit_code == 2 and str(path) in str(caught.value)
    with pytest.raises(InputError, match="reduction_target：最小值为 0"):
        targets_from_mapping({"reduction_target": -1})
    with pytest.raises(InputError, match="reduction_target 为 0"):
        targets_from_mapping({"reduction_target": 0})
    with pytest.raises(InputError, match="应为键值映射"):
        targets_from_mapping(["x"])
    path.write_text("reduction_target: [1\n", encoding="utf-8")
    with pytest.raises(InputError, match="目标文件不是合法的 YAML"):
        load_targets(path)
    assert targets_from_mapping({"recovery_target": "350,000"}).recovery_target == Decimal(350000)


def _generator():
    return load_script("examples/make_ledger.py")


def _check_expected(expected: dict, folder: Path) -> None:
    figures = compute_figures(read_ledger(folder / "ledger-2026Q2.xlsx").loans,
                              read_ledger(folder / "ledger-2026Q1.xlsx").loans,
                              period=Q2, targets=load_targets(folder / "targets.yaml"))
    assert figures.npl_balance == expected["npl_balance"]
    assert figures.npl_balance_opening == expected["npl_balance_opening"]
    assert figures.change == expected["change"]
    assert figures.loan_balance == expected["loan_balance"]
    assert figures.npl_ratio == expected["npl_ratio"]
    assert figures.reduction_completion == expected["reduction_completion"]
    assert figures.off_balance == expected["off_balance"]
    assert figures.off_recovered == expected["recovered"]
    assert figures.recovery_completion == expected["recovery_completion"]
    codes: dict[str, int] = {}
    for flag in figures.flags:
        codes[flag.code] = codes.get(flag.code, 0) + 1
    assert codes == expected["flags"]
    assert figures.npl_balance_corrected == expected["npl_balance_corrected"]
    assert figures.npl_ratio_corrected == expected["npl_ratio_corrected"]
    assert len(figures.litigation) == expected["litigation_cases"]
    assert figures.litigation_recovered == expected["litigation_recovered"]


def test_committed_example_ledgers_have_the_announced_figures() -> None:
    _check_expected(_generator().EXPECTED, ROOT / "examples" / "ledger")


def test_generator_is_deterministic_and_small_size_keeps_the_figures(tmp_path: Path) -> None:
    gen = _generator()
    gen.write_examples(tmp_path, size="small")
    _check_expected(gen.EXPECTED, tmp_path)
    first = gen.build("small")
    assert first == gen.build("small")
    assert len(first[1]) < 45
    csv_loans = read_ledger(tmp_path / "ledger-2026Q2-gb18030.csv").loans
    assert csv_loans == read_ledger(tmp_path / "ledger-2026Q2.xlsx").loans


def test_generator_bulk_rows_are_valid(tmp_path: Path) -> None:
    gen = _generator()
    path = gen.write_ledger(gen.bulk(300), tmp_path / "bulk.csv")
    loans = read_ledger(path).loans
    assert len(loans) == 300
    assert any(not x.on_balance for x in loans) and any(x.is_npl for x in loans)


def test_chart_without_cjk_font_warns_and_still_draws(monkeypatch: pytest.MonkeyPatch) -> None:
    from docgen.loans import npl_report

    figures = compute_figures([loan("A", 200000, "次级", days=100, officer="甲")], period=Q2)
    monkeypatch.setattr(npl_report, "cjk_font", lambda: None)
    with collecting() as notices:
        png = npl_report.render_chart(figures, dpi=50)
    assert png.startswith(b"\x89PNG")
    assert [n.code for n in notices] == ["no-cjk-font"]


def test_chart_is_labelled_in_the_language_asked_for_its_officers_by_name(monkeypatch: pytest.MonkeyPatch) -> None:
    from matplotlib.axes import Axes

    from docgen.loans import npl_report

    figures = compute_figures([loan("A", 200000, "次级", days=100, officer="甲")], period=Q2)
    drawn: list[tuple[str, ...]] = []
    title, ticks = Axes.set_title, Axes.barh
    monkeypatch.setattr(Axes, "set_title", lambda self, label, *a, **k: (drawn.append((label,)), title(self, label, *a, **k))[1])
    monkeypatch.setattr(Axes, "barh", lambda self, names, *a, **k: (drawn.append(tuple(names)), ticks(self, names, *a, **k))[1])
    assert npl_report.render_chart(figures, dpi=50, lang="en").startswith(b"\x89PNG")
    assert drawn == [("NPL by category (10k CNY)",), ("甲",), ("甲",), ("NPL by officer (10k CNY)",)]
    drawn.clear()
    npl_report.render_chart(figures, dpi=50)
    assert drawn == [("不良贷款构成（万元）",), ("甲",), ("甲",), ("分客户经理不良余额（万元）",)]


def test_chart_finds_the_cjk_font_through_fontconfig_when_matplotlib_cache_is_stale(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # A font cache written before the CJK fonts were installed lists none of them.
    from matplotlib import font_manager

    from docgen.loans import npl_report

    stale = [f for f in font_manager.fontManager.ttflist
             if "CJK" not in f.name and "WenQuanYi" not in f.name and "Hei" not in f.name]
    monkeypatch.setattr(font_manager.fontManager, "ttflist", stale)
    assert npl_report.cjk_font_files(), "fonts-noto-cjk is installed by .ci/setup"
    assert npl_report.cjk_font() in npl_report._CJK_FONTS[:-1]  # a Simplified Chinese face, not the JP one
    figures = compute_figures([loan("A", 200000, "次级", days=100, officer="甲")], period=Q2)
    with collecting() as notices:
        npl_report.render_chart(figures, dpi=50)
    assert notices == []


def test_notes_are_validated(tmp_path: Path) -> None:
    from docgen.loans.npl_report import load_notes, notes_from_mapping

    notes = notes_from_mapping({"branch": " 眉县支行 ", "plan": "一段计划", "date": "2026-07-02"})
    assert notes.branch == "眉县支行" and notes.plan == ["一段计划"] and notes.recipient == "总行"
    assert notes.date == dt.date(2026, 7, 2)
    with pytest.raises(InputError, match="plann：未知字段"):
        notes_from_mapping({"plann": ["x"]})
    with pytest.raises(InputError, match="date：无法转换"):
        notes_from_mapping({"date": "七月"})
    path = tmp_path / "notes.yaml"
    path.write_bytes("branch: 眉县支行\n".encode("gbk"))  # saved by Notepad on Chinese Windows
    assert load_notes(path).branch == "眉县支行"
    path.write_bytes(b"branch: " + b"\x81\xff\x00" * 40 + b"\n")  # no encoding decodes it
    with pytest.raises(InputError, match=f"^{re.escape(str(path))}：无法识别说明文件的编码（不是 UTF-8 或 GB18030/GBK）"):
        load_notes(path)


def test_opening_read_in_a_second_process_gives_the_same_figures_and_errors(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from ledger_fixtures import row

    from docgen.loans import npl_report
    from docgen.core.errors import RowsError
    from docgen.loans.ledger import write_ledger

    opening, closing, targets = write_seed_ledgers(tmp_path)
    sequential = npl_report.build_report(closing, opening=opening, period=Q2, targets=targets).figures.to_dict()
    summary, _ = npl_report._opening_result(*npl_report._read_opening(str(opening), Q2))
    assert next(summary.rows()) == ("N1", "次级", "520000")
    monkeypatch.setattr(procs, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(npl_report.os, "cpu_count", lambda: 2)
    submitted = []
    import concurrent.futures

    class Pool(concurrent.futures.ProcessPoolExecutor):
        def submit(self, fn, /, *args, **kwargs):  # type: ignore[override]
            submitted.append(fn.__name__)
            return super().submit(fn, *args, **kwargs)

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", Pool)
    parallel = npl_report.build_report(closing, opening=opening, period=Q2, targets=targets).figures.to_dict()
    assert submitted == ["_read_opening"] and parallel == sequential
    bad = write_ledger([row("A1", 1000), row("A2", 1000, "很好")], tmp_path / "bad.xlsx")
    with pytest.raises(RowsError) as caught:
        npl_report.read_figures(closing, bad, period=Q2)
    assert [(p.row, p.column) for p in caught.value.problems] == [(3, "O（五级分类）")]
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a zip")
    with pytest.raises(InputError, match="broken.xlsx"):
        npl_report.read_figures(closing, broken, period=Q2)
    with pytest.raises(InputError, match="broken.xlsx"):  # the closing file's error comes first
        npl_report.read_figures(broken, bad, period=Q2)
    with pytest.raises(RowsError, match="bad.xlsx"):  # the ledgers' errors come before the targets'
        npl_report.read_figures(closing, bad, period=Q2, targets=broken)


def test_text_lists_the_largest_npls_and_counts_the_rest() -> None:
    loans = [loan(f"L{i:02d}", 100000 + i * 1000, "次级", days=100) for i in range(25)]
    text = render_text(compute_figures(loans, period=Q2))
    assert "大额不良（10万元以上）：25 笔" in text
    assert "L24 借款人L24 12.40 万元 次级" in text and "L04 借款人L04" not in text
    assert "…… 另有 5 笔，完整清单见 --format json 或报告表5" in text


# --------------------------------------------------------------------------- classification checks (DESIGN §8.1)


def _codes(flags) -> list[tuple[str, str, str]]:
    return [(f.loan_no, f.code, f.required) for f in flags]


@pytest.mark.parametrize(("grace", "days", "flagged"), [(0, 1, True), (3, 3, False), (3, 4, True)])
def test_overdue_loan_classed_normal(grace: int, days: int, flagged: bool) -> None:
    flags = _flags([loan("A", 1000, "正常", days=days)], grace_days=grace)
    assert _codes(flags) == ([("A", "overdue-normal", "关注")] if flagged else [])


def test_matured_unpaid_counts_from_the_day_after_maturity() -> None:
    # Matured 2026-03-31 with a balance, no 逾期起始日: overdue from 2026-04-01, 91 days on 2026-06-30.
    item = loan("A", 5000, "正常", maturity=dt.date(2026, 3, 31), disbursed_on=dt.date(2025, 3, 31))
    assert _codes(_flags([item])) == [("A", "matured-unpaid", ""), ("A", "misclassified", "次级")]
    repaid = loan("B", 0, "正常", maturity=dt.date(2026, 3, 31), disbursed_on=dt.date(2025, 3, 31))
    assert _flags([repaid]) == []


def test_an_overdue_date_after_the_day_after_maturity_is_flagged_and_counted_from_that_day() -> None:
    # Matured 2025-09-28 with a balance; the ledger says overdue only since 2026-06-28 (3 days on
    # 2026-06-30) and keeps it 正常. Overdue from 2025-09-29: 275 days, at least 可疑.
    item = loan("A", 60000, "正常", maturity=dt.date(2025, 9, 28), disbursed_on=dt.date(2023, 9, 29),
                overdue_since=dt.date(2026, 6, 28))
    flags = _flags([item])
    assert _codes(flags) == [("A", "matured-unpaid", ""), ("A", "misclassified", "可疑")]
    assert flags[0].days_past_due == 275 and flags[0].to_dict()["facts"]["recorded"] == "2026-06-28"
    assert flags[0].message == ("借据号 A（借款人A，第2行）已于2025-09-28到期，余额 60,000.00 元未还，"
                                "台账逾期起始日为2026-06-28，晚于到期日次日；应自2025-09-29起按逾期管理")
    on_time = loan("B", 60000, "可疑", maturity=dt.date(2025, 9, 28), disbursed_on=dt.date(2023, 9, 29),
                   overdue_since=dt.date(2025, 9, 29))
    assert _flags([on_time]) == []


def test_one_company_in_different_classes_is_flagged_at_its_worst_class() -> None:
    company = "91610326MA6X7Y8X0J"
    loans = [loan("A", 1000, "次级", days=100, id_number=company), loan("B", 1000, "关注", id_number=company),
             loan("C", 1000, "正常", serial=8), loan("D", 1000, "关注", serial=8)]  # a person: retail, not checked
    assert _codes(_flags(loans)) == [("B", "debtor-inconsistent", "次级")]


def test_written_off_loans_are_never_flagged() -> None:
    assert _flags([loan("W", 1000, "正常", on_balance=False, days=800)]) == []


def test_the_corrected_headline_applies_the_required_classes() -> None:
    loans = [loan("A", 10000, "关注", days=120), loan("B", 90000, "正常")]
    figures = compute_figures(loans, period=Q2)
    assert (figures.npl_balance, figures.npl_balance_corrected) == (Decimal(0), Decimal(10000))
    assert figures.npl_ratio_corrected == Decimal("0.1000")


def test_figures_summed_in_one_pass_agree_with_each_loan_counted_alone(tmp_path: Path) -> None:
    """compute_figures sums by (officer, branch, class, side, past due) in one pass and finds the
    classification flags as the loans come; counting each loan here by the rules of DESIGN §8.1 (days
    past due, flags, worst class of a debtor) and next_action gives the same."""
    import random
    import sys

    from docgen.loans.npl import NPL_CLASSES
    from docgen.loans.plan import load_policy, next_action

    sys.path.insert(0, str(ROOT / "examples"))
    import make_ledger

    rng = random.Random(5)
    from docgen.loans.ledger import write_ledger

    loans = read_ledger(write_ledger(make_ledger.bulk(1500, seed=5), tmp_path / "bulk.xlsx")).loans
    for item in rng.sample(loans, 200):  # shuffle classes so that misclassified and inconsistent debtors occur
        item.classification = rng.choice(["正常", "关注", "次级", "可疑", "损失"])
    for item in rng.sample(loans, 40):  # one company's loans in several classes
        item.id_number = "91610326MA6X7Y8Z9A" if rng.random() < 0.5 else item.id_number
    matured = [item for item in loans if item.maturity < dt.date(2026, 6, 1) and item.balance > 0]
    for item in rng.sample(matured, min(30, len(matured))):  # 逾期起始日 dated after the day after maturity
        item.overdue_since = item.maturity + dt.timedelta(days=rng.randrange(2, 400))
    as_of = dt.date(2026, 6, 30)
    policy = load_policy()
    figures = compute_figures(loans, period=Q2, as_of=as_of, policy=policy)

    def groups(key: str) -> dict[str, tuple]:
        # Worked out loan by loan here, apart from the tally's own code.
        zero = Decimal(0)
        found: dict[str, tuple] = {}
        for item in loans:
            count, balance, npl, off, recovered = found.get(getattr(item, key), (0, zero, zero, zero, zero))
            if item.on_balance:
                balance += item.balance
                npl += item.balance if item.classification in NPL_CLASSES else zero
            else:
                off += item.balance
            found[getattr(item, key)] = (count + 1, balance, npl, off, recovered + item.recovered)
        return found

    def as_tuples(found: list) -> dict[str, tuple]:
        return {g.name: (g.loans, g.balance, g.npl_balance, g.off_balance, g.recovered) for g in found}

    assert as_tuples(figures.officers) == groups("officer")
    assert as_tuples(figures.branches) == groups("branch")
    on = [item for item in loans if item.on_balance]
    days = {item.loan_no: _days_by_hand(item, as_of) for item in loans}
    assert figures.overdue_balance == sum((i.balance for i in on if days[i.loan_no]), Decimal(0))
    assert figures.overdue90_balance == sum((i.balance for i in on if days[i.loan_no] > 90), Decimal(0))
    assert figures.npl_balance == sum((i.balance for i in on if i.classification in NPL_CLASSES), Decimal(0))
    expected = _flags_by_hand(on, days, policy.overdue_normal_grace_days)
    assert [(f.loan_no, f.code, f.required, f.days_past_due) for f in figures.flags] == expected
    assert {code for _, code, _, _ in expected} >= {"misclassified", "debtor-inconsistent", "matured-unpaid"}
    to_sue = [i for i in loans if days[i.loan_no] and i.balance > 0 and not i.suit_filed
              and "legal-action" in next_action(i, as_of, policy).open_actions]
    assert sorted(i.loan_no for i in figures.to_sue) == sorted(i.loan_no for i in to_sue) and to_sue



def _days_by_hand(item, as_of: dt.date) -> int:
    """Days past due on ``as_of``: from 逾期起始日 (day 1), else from the day after maturity when a
    balance is left; 0 before that day."""
    since = item.overdue_since
    after_maturity = item.maturity + dt.timedelta(days=1)
    if item.balance > 0 and (since is None or since > after_maturity):
        since = after_maturity  # unpaid at maturity: overdue from the next day, whatever the ledger says
    return (as_of - since).days + 1 if since is not None and since <= as_of else 0


def _flags_by_hand(on_balance: list, days: dict[str, int], grace: int) -> list[tuple[str, str, str, int]]:
    """The flags of DESIGN §8.1 of the on-balance loans, worked out here loan by loan, in ledger order:
    ``(loan_no, code, required class, days past due)``."""
    from docgen.core.validation import check_resident_id

    classes = ["正常", "关注", "次级", "可疑", "损失"]
    rank = classes.index
    companies: dict[str, set[str]] = {}  # a non-retail debtor (not a resident ID) -> its loans' classes
    for item in on_balance:
        if check_resident_id(item.id_number) is not None and item.balance > 0:
            companies.setdefault(item.id_number, set()).add(item.classification)
    found = []
    for item in on_balance:
        late = days[item.loan_no]
        # A balance left unpaid at maturity and no 逾期起始日, or one later than the day after it.
        if late and item.balance > 0 and (item.overdue_since is None
                                          or item.overdue_since > item.maturity + dt.timedelta(days=1)):
            found.append((item.loan_no, "matured-unpaid", "", late))
        floor = "损失" if late > 360 else "可疑" if late > 270 else "次级" if late > 90 else None
        if floor is not None and rank(item.classification) < rank(floor):
            found.append((item.loan_no, "misclassified", floor, late))
        elif late > grace and item.classification == "正常":
            found.append((item.loan_no, "overdue-normal", "关注", late))
        debtor = companies.get(item.id_number, set())
        worst = max(debtor, key=rank, default="正常")
        if len(debtor) > 1 and rank(item.classification) < rank(worst):
            found.append((item.loan_no, "debtor-inconsistent", worst, late))
    return found


def test_the_opening_summary_packed_for_another_process_gives_the_same_rows_and_migration() -> None:
    import pickle

    from docgen.loans.npl import NplTally, summarize_opening

    opening = [loan("N1", 520000, "次级"), loan("N2", "1000.50", "正常"), loan("W1", 3000, "损失", on_balance=False)]
    closing = [loan("N1", 500000, "可疑"), loan("N3", 800, "关注")]
    summary = summarize_opening([opening], Q2)
    rows = [("N1", "次级", "520000"), ("N2", "正常", "1000.50"), ("W1", "表外", "3000")]
    assert list(summary.rows()) == rows
    packed = pickle.loads(pickle.dumps(summary.packed()))
    assert isinstance(packed.loan_nos, str) and isinstance(packed.balances, str)
    assert list(packed.rows()) == rows and packed.packed() == packed

    def migration(of: object) -> dict:
        tally = NplTally(AS_OF, migration=True)
        tally.add(closing)
        return tally.figures(Q2, of).to_dict()

    assert migration(packed) == migration(summary) == compute_figures(closing, opening, period=Q2).to_dict()
    matrix = migration(packed)["migration"]
    moved = {(a, b): (n, matrix["amounts"][a][b]) for a, row in matrix["counts"].items() for b, n in row.items() if n}
    assert moved == {("次级", "可疑"): (1, 520000.0), ("正常", "结清"): (1, 1000.5), ("表外", "结清"): (1, 3000.0),
                     ("新发放", "关注"): (1, 800.0)}
    # A 借据号 holding a line break cannot be joined: that column travels as it is.
    odd = summarize_opening([[loan("N1", 1, "正常"), loan("A\nB", 2, "正常")]], Q2).packed()
    assert odd.loan_nos == ["N1", "A\nB"] and isinstance(odd.states, str)
    assert list(odd.rows()) == [("N1", "正常", "1"), ("A\nB", "正常", "2")]
    empty = summarize_opening([], Q2).packed()
    assert list(empty.rows()) == [] and empty.loan_nos == []

_PARENT = os.getpid()
_READ_OPENING = None


def _in_worker() -> bool:
    return os.getpid() != _PARENT


def _dying_worker(*args):  # the worker is killed (out of memory, by an operator)
    if _in_worker():
        os._exit(9)
    return _READ_OPENING(*args)


def _failing_worker(*args):  # the worker fails with something that is not a project error
    if _in_worker():
        raise MemoryError
    return _READ_OPENING(*args)


def _refusing_worker(*args):  # the worker finds the opening ledger unusable: a project error
    if _in_worker():
        from docgen.loans.messages import MESSAGES

        raise MESSAGES.error(InputError, "ledger-no-loans", path=args[0])
    return _READ_OPENING(*args)


def _slow_worker(*args):  # the worker is still reading when the closing file fails
    if _in_worker():
        Path(args[0]).with_suffix(".pid").write_text(str(os.getpid()))
        time.sleep(5)
        Path(args[0]).with_suffix(".finished").write_text("")
    return _READ_OPENING(*args)


@pytest.mark.parametrize("worker", [_dying_worker, _failing_worker])
def test_a_worker_that_fails_leaves_the_opening_ledger_to_be_read_here(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, worker) -> None:
    global _READ_OPENING
    from click.testing import CliRunner

    from docgen.cli import main
    from docgen.loans import npl_report

    opening, closing, targets = write_seed_ledgers(tmp_path)
    expected = npl_report.read_figures(closing, opening, period=Q2, targets=targets).to_dict()
    _READ_OPENING = npl_report._read_opening
    monkeypatch.setattr(npl_report, "_read_opening", worker)
    monkeypatch.setattr(procs, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(npl_report.os, "cpu_count", lambda: 2)
    assert npl_report.read_figures(closing, opening, period=Q2, targets=targets).to_dict() == expected
    result = CliRunner().invoke(main, ["npl-report", "--ledger", str(closing), "--opening", str(opening),
                                       "--period", "2026Q2", "--format", "json"])
    assert result.exit_code == 0 and result.exception is None, result.output


def test_a_project_error_of_the_worker_is_reported_not_read_again_here(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    global _READ_OPENING
    from docgen.loans import npl_report

    opening, closing, _ = write_seed_ledgers(tmp_path)
    _READ_OPENING = npl_report._read_opening
    monkeypatch.setattr(npl_report, "_read_opening", _refusing_worker)
    monkeypatch.setattr(procs, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(npl_report.os, "cpu_count", lambda: 2)
    # Read here, the opening ledger would give figures: the error can only be the worker's.
    with pytest.raises(InputError) as caught:
        npl_report.read_figures(closing, opening, period=Q2)
    assert caught.value.code == "ledger-no-loans" and str(opening) in str(caught.value)


def test_an_early_error_of_the_closing_file_does_not_wait_for_the_worker(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    global _READ_OPENING
    from docgen.loans import npl_report

    opening, _, _ = write_seed_ledgers(tmp_path)
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a zip")
    _READ_OPENING = npl_report._read_opening
    monkeypatch.setattr(npl_report, "_read_opening", _slow_worker)
    monkeypatch.setattr(procs, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(npl_report.os, "cpu_count", lambda: 2)
    with pytest.raises(InputError, match="broken.xlsx"):
        npl_report.read_figures(broken, opening, period=Q2)
    pid_file = Path(opening).with_suffix(".pid")
    for _ in range(200):  # the worker has started, and is gone (or a zombie) once stopped
        if pid_file.exists() and pid_file.read_text():
            stat = Path(f"/proc/{pid_file.read_text()}/stat")
            try:
                if stat.read_text().split(") ")[1][0] in "ZX":
                    break
            except (OSError, IndexError):
                break
        time.sleep(0.05)
    time.sleep(0.2)
    assert not Path(opening).with_suffix(".finished").exists()  # stopped, not waited for


def test_figures_as_of_a_day_before_the_period_are_refused() -> None:
    loans = [loan("A", 1000, "次级", days=100)]
    with pytest.raises(InputError) as err:
        compute_figures(loans, period=Q2, as_of=dt.date(2026, 3, 31))
    assert (err.value.code, err.value.exit_code, dict(err.value.facts)) == (
        "as-of-before-period", 2, {"as_of": "2026-03-31", "period": "2026Q2", "start": "2026-04-01", "end": "2026-06-30"})
    assert compute_figures(loans, period=Q2, as_of=dt.date(2026, 4, 1)).as_of == dt.date(2026, 4, 1)
    assert compute_figures(loans, period=Q2).as_of == dt.date(2026, 6, 30)
    assert compute_figures(loans, period=Q2, as_of=dt.date(2026, 7, 3)).as_of == dt.date(2026, 7, 3)
