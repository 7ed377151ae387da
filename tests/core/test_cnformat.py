"""Chinese formatting filters: PBOC amount words, separators, 万元, dates, masks, percentages."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from docgen.core import cnformat
from docgen.core.cnformat import amount, amount_in_words, date_cn, date_upper, mask_id, percent, wan


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (0.05, "人民币伍分"),
        (100000, "人民币壹拾万元整"),
        ("1000000.10", "人民币壹佰万元零壹角"),
        (Decimal("1020100"), "人民币壹佰零贰万零壹佰元整"),
        ("1409.50", "人民币壹仟肆佰零玖元伍角"),
        ("325.04", "人民币叁佰贰拾伍元零肆分"),  # 角 zero, 分 not: 零 required
        ("16409.02", "人民币壹万陆仟肆佰零玖元零贰分"),
        ("1680.32", "人民币壹仟陆佰捌拾元零叁角贰分"),
        ("107000.53", "人民币壹拾万柒仟元零伍角叁分"),
        (10, "人民币壹拾元整"),  # 壹拾, never bare 拾
        (0, "人民币零元整"),
        ("0.50", "人民币伍角"),
        ("1,234.5", "人民币壹仟贰佰叁拾肆元伍角"),
        (100000000, "人民币壹亿元整"),
        ("132100", "人民币壹拾叁万贰仟壹佰元整"),
    ],
)
def test_amount_in_words_follows_pboc_rules(value, words):
    assert amount_in_words(value) == words


def test_amount_in_words_rounds_half_up_to_the_fen():
    assert amount_in_words("0.005") == "人民币壹分"
    assert amount_in_words("12.344") == "人民币壹拾贰元叁角肆分"
    assert amount_in_words(2.675) == "人民币贰元陆角捌分"  # not binary-float 2.67
    assert amount_in_words("99.995") == "人民币壹佰元整"


@pytest.mark.parametrize("bad", [-1, "-0.01", "abc", None, True, float("nan")])
def test_amount_in_words_rejects_what_it_cannot_write(bad):
    with pytest.raises(ValueError):
        amount_in_words(bad)


def test_amount_separators_and_places():
    assert amount(1234567.891) == "1,234,567.89"
    assert amount("1,234.5") == "1,234.50"
    assert amount(0) == "0.00"
    assert amount(1234.5, places=0) == "1,235"
    assert amount(Decimal("-20000")) == "-20,000.00"


def test_wan_converts_yuan_to_ten_thousands():
    assert wan(1020100) == "102.01"
    assert wan(127000) == "12.70"
    assert wan(17272500, places=4) == "1,727.2500"
    assert wan(0) == "0.00"


def test_wan_without_separators_and_with_a_mark_for_missing():
    # The NPL report's style: no separators, half-up to the fen of 万元, "—" for no figure.
    assert wan(17272500, grouping=False) == "1727.25"
    assert wan(Decimal("12345"), grouping=False) == "1.23"
    assert wan(Decimal("12350"), grouping=False) == "1.24"
    assert wan(None, missing="—") == "—"
    with pytest.raises(ValueError, match="金额不能为空"):
        wan(None)


def test_percent():
    assert percent(0.3629) == "36.29%"
    assert percent("0.2") == "20.00%"
    assert percent(0.0121, places=1) == "1.2%"


def test_dates_in_both_chinese_forms():
    d = dt.date(2026, 11, 28)
    assert date_cn(d) == "2026年11月28日"
    assert date_upper(d) == "二〇二六年十一月二十八日"
    assert date_upper("2030-01-10") == "二〇三〇年一月十日"
    assert date_upper(dt.datetime(2026, 10, 31, 9, 0)) == "二〇二六年十月三十一日"
    assert date_upper(dt.date(2026, 12, 20)) == "二〇二六年十二月二十日"
    assert date_cn("2026/3/5") == "2026年3月5日"
    with pytest.raises(ValueError):
        date_cn("28.11.2026x")
    with pytest.raises(ValueError):
        date_upper(None)


def test_mask_id_keeps_first_six_and_last_four():
    assert mask_id("11010519491231002X") == "110105********002X"
    assert mask_id("91330110MA2H3K5X4B") == "913301********5X4B"
    assert mask_id(" 330106198606124013 ") == "330106********4013"
    assert mask_id("12345") == "***45"
    with pytest.raises(ValueError):
        mask_id("")


def test_every_filter_is_registered():
    assert set(cnformat.FILTERS) == {"amount_in_words", "amount", "wan", "percent", "date_cn", "date_upper", "mask_id", "id_label"}


def _outcome(format_, value):
    try:
        return format_(value)
    except (ValueError, TypeError, ArithmeticError) as exc:
        return type(exc)


@pytest.mark.parametrize("name", ["amount_in_words", "amount", "date_cn", "date_upper"])
def test_a_remembered_filter_gives_what_the_function_gives_for_every_kind_of_value(name):
    plain = getattr(cnformat, name)
    remembered = cnformat.FILTERS[name]
    assert remembered is not plain
    if name.startswith("date"):
        values = [dt.date(2026, 11, 28), dt.datetime(2026, 11, 28, 9, 30), "2026-11-28", "2026-11-28",
                  dt.date(2026, 1, 1), "2026-13-01", None, 3.5]
    else:
        values = [Decimal("1.0"), Decimal("1.00"), 1, 1.0, "1", Decimal("0"), Decimal("-0.00"), 0.0, -0.0, 0,
                  Decimal("180174.645"), 180174.645, "1,234.5", Decimal("1E+3"), 1000, -5,
                  True, None, "十万", float("nan"), Decimal("sNaN"), [1]]
    outcomes = [_outcome(plain, value) for value in values]
    assert any(isinstance(o, type) for o in outcomes) and any(isinstance(o, str) for o in outcomes)
    for _ in range(2):  # the second round is served from memory
        assert [_outcome(remembered, value) for value in values] == outcomes
    if name == "amount":
        assert remembered(Decimal("1234.5"), 0) == plain(Decimal("1234.5"), 0) == "1,235"
        assert remembered(Decimal("1234.5"), grouping=False) == "1234.50"


def test_a_remembered_result_is_computed_once_per_exact_type_and_value_and_bounded(monkeypatch):
    calls = []

    def formatter(value, places=2):
        calls.append((type(value), value, places))
        return f"{value!r}/{places}"

    monkeypatch.setattr(cnformat, "REMEMBER_MAX", 3)
    remembered = cnformat._remembered(formatter)
    for _ in range(3):
        assert remembered(Decimal("2.5")) == "Decimal('2.5')/2"
    assert remembered(2.5) == "2.5/2" and remembered(2.5, 1) == "2.5/1"
    assert len(calls) == 3  # Decimal, float, float with other places: once each
    assert remembered(Decimal("2.50")) == "Decimal('2.5')/2"  # equal Decimals print the same once quantized
    assert remembered(True) == "True/2" and remembered(True) == "True/2"  # bool: never remembered
    assert remembered(0.0) == "0.0/2" and remembered(-0.0) == "-0.0/2"  # zero: never remembered
    assert len(calls) == 3 + 4
    remembered("x")  # a fourth entry: memory starts again, bounded
    remembered(Decimal("2.5"))
    assert len(calls) == 3 + 4 + 2


@pytest.mark.parametrize(("first", "then"), [(1, True), (2, 2.0), (0, False), (True, 1), (2.0, 2)])
def test_extra_arguments_equal_in_value_but_of_another_class_are_never_served_from_memory(first, then):
    remembered = cnformat._remembered(amount)
    value = Decimal("1234.567")
    assert _outcome(lambda v: remembered(v, first), value) == _outcome(lambda v: amount(v, first), value)
    assert _outcome(lambda v: remembered(v, then), value) == _outcome(lambda v: amount(v, then), value)
    assert _outcome(lambda v: cnformat.FILTERS["amount"](v, first), value) == _outcome(lambda v: amount(v, first), value)
    assert _outcome(lambda v: cnformat.FILTERS["amount"](v, then), value) == _outcome(lambda v: amount(v, then), value)
