from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from docgen.check.findings import Finding
from docgen.core.errors import InvalidValueError
from docgen.core.fastcheck import validate_quickly
from docgen.core.validation import DATE_MAX, DATE_MIN, Problem, parse_amount, parse_date, parse_working_date, validate

SCHEMA = {
    "borrower": {"type": "dict", "schema": {"uscc": {"type": "string", "check_with": "uscc"}}},
    "shareholders": {
        "type": "list",
        "schema": {
            "type": "dict",
            "schema": {
                "id_number": {"type": "string", "check_with": "resident_id"},
                "share": {"type": "amount", "coerce": "to_amount"},
            },
        },
    },
    "established": {"type": "date", "coerce": "to_date"},
}


def test_valid_document_is_normalized() -> None:
    doc, problems = validate(
        SCHEMA,
        {
            "borrower": {"uscc": "91110000600037341L"},
            "shareholders": [{"id_number": "11010519491231002X", "share": "60"}],
            "established": "2021-04-08",
        },
    )
    assert problems == []
    assert doc["shareholders"][0]["share"] == Decimal("60")
    assert doc["established"] == dt.date(2021, 4, 8)


def test_problems_carry_field_paths_and_reasons() -> None:
    _, problems = validate(
        SCHEMA,
        {
            "borrower": {"uscc": "91110000600037341A"},
            "shareholders": [{"id_number": "11010519491231002X"}, {"id_number": "110105194912310021"}],
            "established": "2021-02-30",
            "typo": 1,
        },
    )
    assert [(p.path, p.code, dict(p.facts)) for p in problems] == [
        ("borrower.uscc", "invalid-uscc", {"reason": "checksum"}),
        ("established", "not-convertible", {"reason": "不存在的日期“2021-02-30”", "cause": "date-no-such-day",
                                            "text": "2021-02-30"}),
        ("shareholders[1].id_number", "invalid-resident-id", {"reason": "checksum", "length": 18}),
        ("typo", "unknown-field", {}),
    ]
    # The wording, exactly as users read it.
    assert [(p.path, p.message) for p in problems] == [
        ("borrower.uscc", "统一社会信用代码校验位错误"),
        ("established", "无法转换：不存在的日期“2021-02-30”"),
        ("shareholders[1].id_number", "居民身份证号校验位错误"),
        ("typo", "未知字段（请检查拼写）"),
    ]


def test_problem_names_row_and_column() -> None:
    _, problems = validate({"id_number": {"type": "string"}}, {"id_number": 1101}, row=7, columns={"id_number": "D"})
    assert str(problems[0]) == "第7行 D列 id_number：类型应为文本"
    assert problems[0] == Problem("id_number", "类型应为文本", row=7, column="D", code="type",
                                  facts={"expected": ["string"]})


# Full-width forms as escapes (editors fold them into ASCII): ￥ U+FFE5, ， U+FF0C.
@pytest.mark.parametrize("text", ["1,234.50", "\u00a51,234.50", "\uffe51,234.50", "1\uff0c234.50", " 1234.5 "])
def test_parse_amount_accepts_separators(text: str) -> None:
    assert parse_amount(text) == Decimal("1234.50")


# A clerk types the unit after the figure: 元 is what every amount is in, so it is read away.
@pytest.mark.parametrize("text", ["1234.50元", "1,234.50元", " 1234.5 元", "\uffe51,234.50元", "１２３４.５０元"])
def test_parse_amount_reads_a_trailing_yuan(text: str) -> None:
    assert parse_amount(text) == Decimal("1234.50")


# The Chinese input method's full-width mode: every mark full-width, the decimal point and minus too.
@pytest.mark.parametrize(("text", "amount"), [("１２３４．５０", "1234.50"), ("－５", "-5"), ("￥１，２３４．５０元", "1234.50")])
def test_parse_amount_reads_full_width_forms(text: str, amount: str) -> None:
    assert parse_amount(text) == Decimal(amount)


def test_parse_date_reads_full_width_forms_and_quotes_them_as_typed() -> None:
    assert parse_date("２０２６．６．３０") == parse_date("２０２６／６／３０") == dt.date(2026, 6, 30)
    with pytest.raises(ValueError, match="^不存在的日期“２０２６．２．３０”$"):
        parse_date("２０２６．２．３０")


def test_a_grouped_amount_with_yuan_is_not_blamed_on_its_commas() -> None:
    assert parse_amount("1,000,000.00元") == Decimal("1000000.00")
    # Another unit is no yuan: 15万元 is not 15, nor silently 150000; the message says what to type.
    with pytest.raises(ValueError, match="^金额以元为单位填写，收到“15万元”；请写作 150000$"):
        parse_amount("15万元")


@pytest.mark.parametrize(("typed", "message"), [
    ("1.5万", "金额以元为单位填写，收到“1.5万”；请写作 15000"),
    ("1,200万元", "金额以元为单位填写，收到“1,200万元”；请写作 12000000"),
    ("１５ 万元", "金额以元为单位填写，收到“１５ 万元”；请写作 150000"),
    ("0.00015万", "金额以元为单位填写，收到“0.00015万”；请写作 1.5"),
    ("1.2亿元", "金额以元为单位填写，收到“1.2亿元”；请写作 120000000"),
    ("20000000亿", "金额应为数字，收到“20000000亿”"),
    # Not a number before 万, or one past the limit: no yuan to suggest.
    ("万元", "金额应为数字，收到“万元”"),
    ("一万", "金额应为数字，收到“一万”"),
    ("1e3万", "金额应为数字，收到“1e3万”"),
    ("1000000000000万", "金额应为数字，收到“1000000000000万”"),
])
def test_an_amount_in_wan_is_refused_with_the_yuan_to_type(typed: str, message: str) -> None:
    with pytest.raises(ValueError) as err:
        parse_amount(typed)
    assert str(err.value) == message


@pytest.mark.parametrize("bad", [True, "12a", float("nan"), "元", "15万元"])
def test_parse_amount_rejects(bad: object) -> None:
    with pytest.raises(ValueError):
        parse_amount(bad)


def test_parse_working_date_reads_like_parse_date_within_range() -> None:
    assert parse_working_date("2026/11/28") == parse_date("2026-11-28") == dt.date(2026, 11, 28)
    assert parse_working_date(DATE_MIN) == DATE_MIN and parse_working_date(DATE_MAX) == DATE_MAX
    with pytest.raises(ValueError, match="^日期“9999-12-31”超出可用范围 1900–2199 年$"):
        parse_working_date(" 9999-12-31 ")
    with pytest.raises(ValueError, match="^日期“1899-12-31”超出可用范围"):
        parse_working_date(dt.date(1899, 12, 31))
    with pytest.raises(ValueError, match="^不存在的日期“2026-02-30”$"):
        parse_working_date("2026-02-30")


def test_parse_date_forms() -> None:
    assert parse_date("2026/11/28") == dt.date(2026, 11, 28)
    assert parse_date("2026年11月28日") == dt.date(2026, 11, 28)
    assert parse_date(dt.datetime(2026, 11, 28)) == dt.date(2026, 11, 28)
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        parse_date("28.11.26")


# An Excel date cell (or a YAML timestamp) holding a time of day is read as its text would be.
@pytest.mark.parametrize(("moment", "shown", "time"), [
    (dt.datetime(2026, 11, 28, 9, 30), "2026-11-28 09:30", "09:30"),
    (dt.datetime(2026, 6, 30, 14, 30, 15), "2026-06-30 14:30:15", "14:30:15"),
    (dt.datetime(2026, 6, 30, 0, 0, 0, 500_000), "2026-06-30 00:00:00.500000", "00:00:00.500000"),
    (dt.datetime(2026, 6, 30, 23, 59, tzinfo=dt.timezone(dt.timedelta(hours=8))), "2026-06-30 23:59", "23:59"),
])
def test_a_datetime_with_a_time_of_day_is_refused_as_its_text_is(moment: dt.datetime, shown: str, time: str) -> None:
    with pytest.raises(InvalidValueError) as caught:
        parse_date(moment)
    assert (caught.value.code, caught.value.facts) == ("date-has-time", {"value": shown, "time": time})
    assert parse_date(moment.replace(hour=0, minute=0, second=0, microsecond=0)) == moment.date()


# What Excel and Kingsoft WPS write for a date cell exported to CSV.
@pytest.mark.parametrize("text", ["2026-06-30 00:00:00", "2026/6/30 0:00", "2026-06-30 00:00", "2026-06-30T00:00:00",
                                  "2026-06-30 00:00:00.000", "2026年6月30日 0:00", "２０２６／６／３０　０：００"])
def test_a_date_may_end_in_midnight(text: str) -> None:
    assert parse_date(text) == parse_working_date(text) == dt.date(2026, 6, 30)


@pytest.mark.parametrize(("text", "time"), [("2026-06-30 14:30", "14:30"), ("2026/6/30 0:00:01", "0:00:01"),
                                            ("2026-06-30T12:00:00", "12:00:00"), ("2026-06-30 23:59", "23:59")])
def test_a_date_with_another_time_of_day_is_refused_naming_it(text: str, time: str) -> None:
    with pytest.raises(InvalidValueError) as caught:
        parse_date(text)
    assert (caught.value.code, caught.value.facts) == ("date-has-time", {"value": text, "time": time})
    assert str(caught.value) == (f"日期“{text}”带有时刻 {time}：日期字段只应写日期（是否填错了列？）；"
                                 "请改为只写日期，如 2026-06-30")


@pytest.mark.parametrize("text", ["2026-06-30 0:0", "2026-06-3000:00", "2026-06-30 00:00 下午", "2026-06-30 24:00",
                                  "2026-06-30 12:60"])
def test_a_time_of_another_shape_is_no_date(text: str) -> None:
    with pytest.raises(InvalidValueError, match="YYYY-MM-DD"):
        parse_date(text)


def test_a_day_the_calendar_lacks_is_named_with_its_midnight() -> None:
    with pytest.raises(InvalidValueError, match="^不存在的日期“2026-02-30 00:00”$"):
        parse_date("2026-02-30 00:00")


@pytest.mark.parametrize("value", [46354, 46354.0, "46354", " 46354 "])
def test_a_date_typed_in_a_general_cell_is_named_as_the_excel_serial_it_is(value: object) -> None:
    # A cell formatted 常规 gives the serial: named with its day, never silently taken for it.
    with pytest.raises(ValueError) as info:
        parse_date(value)
    shown = str(value).strip()
    assert str(info.value) == (f"日期格式应为 YYYY-MM-DD，收到“{shown}”（是 Excel 的日期序号，即 2026-11-28？"
                               "请把该列单元格设为日期格式，或写作 2026-11-28）")


@pytest.mark.parametrize("value", [2026, "2026", 20261128, 46354.5, True, "１２３４５"])
def test_numbers_that_are_no_plausible_serial_get_the_plain_message(value: object) -> None:
    with pytest.raises(ValueError) as info:
        parse_date(value)
    assert str(info.value) == f"日期格式应为 YYYY-MM-DD，收到“{value}”"


def test_finding_messages_are_kept_apart_from_codes() -> None:
    f = Finding("missing", stage="pre-application", item="site-plan", params={"title": "项目总平图", "title_en": "Site plan"})
    assert f.severity == "error"
    assert f.message("zh") == "缺少项目总平图"
    assert f.message("en") == "Site plan: missing"
    assert f.to_dict()["code"] == "missing"
    with pytest.raises(ValueError):
        Finding("no-such-code")


def test_problems_are_coded_with_facts() -> None:
    schema = {
        "borrower": {"type": "string", "required": True},
        "amount": {"type": "amount", "coerce": "to_amount", "min": 1},
        "kind": {"type": "string", "allowed": ["loan", "bill"]},
        "signed": {"type": "date", "coerce": "to_date"},
        "id_number": {"type": "string", "check_with": "resident_id"},
        "party": {"type": "string", "check_with": "uscc_or_resident_id"},
        "name": {"type": "string", "maxlength": 4},
    }
    _, problems = validate(schema, {"amount": 0, "kind": "lease", "signed": "2026-13-01",
                                    "id_number": "1101", "party": "x", "name": "杭州临平明远"})
    by = {p.path: (p.code, dict(p.facts)) for p in problems}
    assert by == {
        "borrower": ("required", {}),
        "amount": ("too-small", {"min": 1}),
        "kind": ("not-allowed", {"value": "lease"}),
        # the failed coercion stands alone: no second "type" problem for the same field
        # with the value parser's own code and facts (``cause``), which word it in English too
        "signed": ("not-convertible", {"reason": "不存在的日期“2026-13-01”", "cause": "date-no-such-day",
                                       "text": "2026-13-01"}),
        "id_number": ("invalid-resident-id", {"reason": "length", "length": 4}),
        "party": ("invalid-uscc-or-resident-id", {}),
        "name": ("too-long", {"max": 4}),
    }
    assert {p.path: p.message for p in problems} == {
        "borrower": "必填字段，不能缺少",
        "amount": "最小值为 1",
        "kind": "不允许的取值 lease",
        "signed": "无法转换：不存在的日期“2026-13-01”",
        "id_number": "居民身份证号应为18位，实际为4位",
        "party": "既不是有效的统一社会信用代码，也不是有效的居民身份证号",
        "name": "最大长度为 4",
    }


def test_a_birth_date_after_today_is_its_own_reason() -> None:
    from docgen.core.validation import check_resident_id, resident_id_issue
    from stdnum.cn import ric

    future = dt.date.today() + dt.timedelta(days=400)
    body = "110101" + future.strftime("%Y%m%d") + "001"
    number = body + ric.calc_check_digit(body + "0")  # stdnum ignores the last digit given
    assert resident_id_issue(number) == {"reason": "future-birth", "length": 18}
    assert check_resident_id(number) == "居民身份证号中的出生日期晚于今天"


def test_resident_id_reasons_agree_with_stdnum_validate() -> None:
    """The step-by-step check with its remembered places gives stdnum's own verdict and reason."""
    import random

    from stdnum.cn import ric
    from stdnum.exceptions import ValidationError

    from docgen.core.idnumbers import _reason, resident_id_issue

    def stdnum_reason(text: str) -> str | None:
        try:
            ric.validate(text)
        except ValidationError as exc:
            return _reason(exc)
        except KeyError:
            return "component"
        return "future-birth" if ric.get_birth_date(text) > dt.date.today() else None

    rng = random.Random(5)
    texts = {"", "61032619750312001", "６１０３２６１９７５０３１２００１Ｘ", "6103261975031200１", "610326 19750312001"}
    for _ in range(3000):  # bad dates, births to come, unknown areas, wrong check characters; areas repeat
        body = f"{rng.choice(['610326', '110105', '330110', '610001', '999999'])}{rng.randint(1890, 2100)}" \
               f"{rng.randint(0, 13):02d}{rng.randint(0, 32):02d}{rng.randint(0, 999):03d}"
        texts.add(body + rng.choice("0123456789XxY"))
        texts.add(body + ric.calc_check_digit(body + "0"))
    verdicts = {text: resident_id_issue(text) for text in sorted(texts)}
    expected = {text: stdnum_reason(text.strip()) if len(text.strip()) == 18 else "length" for text in texts}
    assert {t: (v or {}).get("reason") for t, v in verdicts.items()} == expected
    assert sum(v is None for v in verdicts.values()) > 300


def test_every_core_code_has_wording() -> None:
    from docgen.core.messages import MESSAGES
    from docgen.core.validation import _CODES

    assert set(_CODES.values()) <= MESSAGES.codes()


def test_every_problem_a_bundle_yaml_value_can_have_is_worded_in_english() -> None:
    """``docgen check --lang en`` words bundle.yaml's problems from their codes and facts: every
    code validation gives, and every code the value parsers refuse a date or an amount with."""
    import re
    from pathlib import Path

    import docgen.core.values as values
    from docgen.core.messages import MESSAGES
    from docgen.core.validation import _CODES

    parsers = set(re.findall(r'MESSAGES\.error\(InvalidValueError, "([a-z-]+)"',
                             Path(values.__file__).read_text(encoding="utf-8")))
    assert {"date-format", "date-no-such-day", "date-has-time", "amount-in-wan", "amount-too-large"} <= parsers
    checks = {"invalid", "invalid-uscc", "invalid-resident-id", "invalid-uscc-or-resident-id"}
    assert set(_CODES.values()) | checks | parsers <= MESSAGES.codes("en")


def test_a_failed_coercion_is_worded_in_english_from_its_cause() -> None:
    from docgen.core.messages import MESSAGES

    schema = {"amount": {"type": "amount", "coerce": "to_amount"}, "day": {"type": "date", "coerce": "to_date"},
              "other": {"type": "integer", "coerce": int}}
    _, problems = validate(schema, {"amount": "1.5万元", "day": "2026-02-30", "other": "x"})
    english = {p.path: MESSAGES.text(p.code, p.facts, "en") for p in problems}
    assert english == {"amount": "amounts are written in yuan, not '1.5万元': write 15000",
                       "day": "no such date: '2026-02-30'",
                       # not a value parser's: the coercer's own reason
                       "other": "cannot convert: invalid literal for int() with base 10: 'x'"}


@pytest.mark.parametrize("check", [validate, validate_quickly])
def test_a_blank_date_amount_or_yes_no_not_nullable_is_refused_as_null_not_quoted(check) -> None:
    """YAML's null (a notes.yaml's ``date:``, a bundle.yaml share left blank) is said as any field's
    null is, never as a date, amount or yes/no written wrong quoting Python's None; a nullable
    field stays blank."""
    schema = {"day": {"type": "date", "coerce": "to_date"}, "amount": {"type": "amount", "coerce": "to_amount"},
              "flag": {"type": "boolean", "coerce": "to_yes_no"},
              "since": {"type": "date", "coerce": "to_date", "nullable": True}}
    normalized, problems = check(schema, {"day": None, "amount": None, "flag": None, "since": None})
    assert sorted((p.path, p.code, p.message) for p in problems) == [
        ("amount", "null", "不能为空值（null）"), ("day", "null", "不能为空值（null）"), ("flag", "null", "不能为空值（null）")]
    assert normalized == {"day": None, "amount": None, "flag": None, "since": None}


def test_id_number_coercer_prints_identification_numbers_upper_case() -> None:
    # GB 11643's check character is X and GB 32100's letters are capitals; both checks take
    # lower case as typed, so the coercer is what keeps 102x out of a contract.
    schema = {"id": {"type": "string", "coerce": "id_number", "check_with": "resident_id"},
              "uscc": {"type": "string", "coerce": "id_number", "check_with": "uscc"},
              "name": {"type": "string", "coerce": "id_number"}}
    doc, problems = validate(schema, {"id": " 11010519491231002x ", "uscc": "91110000600037341l", "name": "张三x"})
    assert problems == []
    assert doc == {"id": "11010519491231002X", "uscc": "91110000600037341L", "name": "张三x"}
    # Typed in the input method's full-width mode: the same numbers (U+FF10… as escapes).
    wide = {"id": "\uff11\uff11\uff10\uff11\uff10\uff15\uff11\uff19\uff14\uff19\uff11\uff12\uff13\uff11\uff10\uff10\uff12\uff58",
            "uscc": "\uff19\uff11\uff11\uff11\uff10\uff10\uff10\uff10\uff16\uff10\uff10\uff10\uff13\uff17\uff13\uff14\uff11\uff2c",
            "name": "张三"}
    assert validate(schema, wide) == ({"id": "11010519491231002X", "uscc": "91110000600037341L", "name": "张三"}, [])


def test_an_unknown_field_names_the_field_it_looks_like_a_misspelling_of() -> None:
    _, problems = validate(SCHEMA, {"borower": {}, "borrower": {"usc": "x"},
                                    "shareholders": [{"id_number": "11010519491231002X"}, {"id_numbr": "1"}],
                                    "remarks": "x"})
    assert sorted((p.path, p.message, dict(p.facts)) for p in problems) == [
        ("borower", "未知字段（请检查拼写，是否应为 borrower？）", {"known": "borrower"}),
        ("borrower.usc", "未知字段（请检查拼写，是否应为 uscc？）", {"known": "uscc"}),
        ("remarks", "未知字段（请检查拼写）", {}),  # like no field: nothing to suggest
        ("shareholders[1].id_numbr", "未知字段（请检查拼写，是否应为 id_number？）", {"known": "id_number"}),
    ]


#: Fields as a bank may name them in its own template (Chinese) and as docgen's are named.
_CHINESE_FIELDS = ["借款人", "保证人", "抵押物", "年利率", "借款金额", "到期日期", "借款合同号", "发函日期", "证件号码",
                   "法定代表人", "送达地址"]
_ENGLISH_FIELDS = ["borrower", "uscc", "name", "rate", "amount", "loan_amount", "contract_no", "letter_date",
                   "id_number", "borrower_address", "term_months", "guarantors"]


@pytest.mark.parametrize("typed, meant", [
    # one character off, as the input method's wrong pick of a homophone leaves it
    ("借宽人", "借款人"), ("保正人", "保证人"), ("抵压物", "抵押物"), ("年利律", "年利率"), ("借款金鹅", "借款金额"),
    ("到期日起", "到期日期"), ("借款合同好", "借款合同号"), ("法定带表人", "法定代表人"), ("送达地止", "送达地址"),
    # or one left out
    ("借款合同", "借款合同号"), ("法定代表", "法定代表人"),
    # two letters swapped, one left out or doubled
    ("ucsc", "uscc"), ("nmae", "name"), ("rtae", "rate"), ("borrwoer", "borrower"), ("borower", "borrower"),
    ("amuont", "amount"), ("laon_amount", "loan_amount"), ("contract_on", "contract_no"),
    ("letter_daet", "letter_date"), ("id_numbr", "id_number"), ("borrower_adress", "borrower_address"),
    ("term_monhts", "term_months"), ("guarantorss", "guarantors"),
])
def test_a_name_a_clerk_mistyped_is_matched_to_the_field_meant(typed: str, meant: str) -> None:
    from docgen.core.validation import close_name

    assert close_name(typed, _CHINESE_FIELDS + _ENGLISH_FIELDS) == meant


@pytest.mark.parametrize("typed", ["备注", "经办人签字", "附言", "利息", "remarks", "typo", "note", "comment", "extra"])
def test_a_name_that_is_no_misspelling_gets_no_suggestion(typed: str) -> None:
    from docgen.core.validation import close_name

    assert close_name(typed, _CHINESE_FIELDS + _ENGLISH_FIELDS) is None


def test_cerberus_is_imported_at_the_first_validation_only() -> None:
    import subprocess
    import sys
    from pathlib import Path

    # A fresh interpreter: the ledger's and the plan's modules read dates and amounts without
    # cerberus; the first validate imports it and still words its problems.
    probe = ("import sys; import docgen.core.validation as v, docgen.loans.ledger, docgen.loans.plan; "
             "print('cerberus' in sys.modules); "
             "doc, problems = v.validate({'n': {'type': 'integer', 'min': 1}}, {'n': 0}); "
             "print('cerberus' in sys.modules, [p.code for p in problems])")
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120,
                         cwd=Path(__file__).resolve().parents[2])
    assert run.stdout.split("\n")[:2] == ["False", "True ['too-small']"], run.stderr[-2000:]
