"""The template engine: validation and rules, strict and safe rendering, the fast path vs docxtpl."""
from __future__ import annotations

from docxtext import docx_text

import datetime as dt
import io
import os
import zipfile
from decimal import Decimal
from pathlib import Path

import docx
import openpyxl
import pytest
import yaml
from docxtpl import DocxTemplate

from docgen.core.docxbuild import add_body, new_document
from docgen.core.errors import RenderError, TemplateError
from docgen.core.typography import ascii_punctuation
from docgen.documents.messages import MESSAGES
from docgen.documents.template import Image, jinja_environment, list_templates, load_template

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "templates"


def example(name: str) -> dict:
    """The example data of ``name``; without a serial of its own (the register gives one), the
    seventh in the template's pattern, as a render through a register would number it."""
    data = yaml.safe_load((EXAMPLES / f"{name}.yaml").read_text(encoding="utf-8"))
    data.setdefault("serial", load_template(name).format_serial(7, data))
    return data


def all_text(data: bytes) -> str:
    """Every paragraph of the body and of every table cell, in document order-ish."""
    return docx_text(data, cell_sep=" | ")


def docxtpl_text(template, context) -> str:
    """What docxtpl itself renders for the same template, environment and context."""
    tpl = DocxTemplate(str(template.path))
    tpl.render(context, jinja_environment(), autoescape=True)
    buf = io.BytesIO()
    tpl.save(buf)
    return all_text(buf.getvalue())


def make_template(tmp_path: Path, paragraphs: list[str], schema: dict, *, name: str = "custom") -> Path:
    """A small bank-style template: one paragraph per entry, with its .yaml beside it."""
    doc = new_document()
    for text in paragraphs:
        add_body(doc, text)
    path = tmp_path / f"{name}.docx"
    doc.save(path)
    meta = {"title": "测试", "category": "测试", "key_field": next(iter(schema)), "schema": schema}
    (tmp_path / f"{name}.yaml").write_text(yaml.safe_dump(meta, allow_unicode=True), encoding="utf-8")
    return path


# ------------------------------------------------------------------ shipped templates

def test_shipped_templates_are_listed():
    names = [t.name for t in list_templates()]
    for name in ("demand-letter", "commitment-letter", "irrevocable-commitment", "shareholder-resolution"):
        assert name in names


def test_demand_letter_renders_example_with_expected_text():
    template = load_template("demand-letter")
    context = template.prepare(example("demand-letter"))
    assert context["total"] == Decimal("132100.00")  # derived from principal + interest + penalty
    text = all_text(template.render(context))
    # The letter goes to the borrower itself: its ID number in full (masked only towards third parties).
    assert "杭州临平明远五金制品有限公司（统一社会信用代码：91330110MA2H3K5X4B）：" in text
    assert "编号：催字〔2026〕第00007号" in text
    assert "合计金额（大写）：人民币壹拾叁万贰仟壹佰元整" in text
    assert "逾期本金 | 125,000.00" in text and "合计 | 132,100.00" in text
    assert "请贵方于2026年12月8日前" in text
    assert "债权人：杭州临平农村商业银行股份有限公司" in text and "2026年11月28日" in text
    assert "二〇二六" not in text  # one date style per document
    assert "要求保证人浙江恒信融资担保有限公司、王建国依照保证合同承担保证责任" in text
    assert "送 达 回 证" in text and "受送达人 | 杭州临平明远五金制品有限公司" in text
    assert "金融信用信息基础数据库" in text and "诉讼" in text and "罚息按日利率0.02050%计算" in text


def test_demand_letter_receipt_slip_is_on_its_own_page():
    template = load_template("demand-letter")
    document = docx.Document(io.BytesIO(template.render(template.prepare(example("demand-letter")))))
    # The title starts the page itself: no paragraph holding only a break, which a full first page
    # would push over to leave a blank page.
    (title,) = [p for p in document.paragraphs if p.text == "送 达 回 证"]
    assert title.paragraph_format.page_break_before
    assert 'w:type="page"' not in document.element.xml


def test_demand_letter_without_guarantors_drops_the_copy_line():
    template = load_template("demand-letter")
    data = example("demand-letter")
    data.pop("guarantors")
    data.pop("branch_address")
    text = all_text(template.render(template.prepare(data)))
    assert "抄送" not in text and "联系地址" not in text
    assert "保证人" not in text  # the measure is listed, but there is nobody to call on
    assert "二、依法向人民法院提起诉讼" in text  # numbering closes the gap
    assert "{%" not in text and "{{" not in text


def test_shareholder_resolution_has_a_row_per_shareholder():
    template = load_template("shareholder-resolution")
    data = _three_holders(example("shareholder-resolution"))
    data["shareholders"].append({"name": "赵六", "id_number": "330106198811033524", "share": 0, "vote": "弃权"})
    text = all_text(template.render(template.prepare(data)))
    # a contractual document: the bank's copy identifies every signer in full
    assert "1 | 杭州华安投资集团有限公司 | 91330106147023960D | 60% | 同意" in text
    assert "3 | 王五 | 110105198009211437 | 10% | 反对" in text
    assert "4 | 赵六 | 330106198811033524 | 0% | 弃权" in text
    assert "赵六 |  | 2026年11月18日" in text  # the signature line
    assert "同意的股东代表90%的表决权" in text
    assert "人民币壹亿元整" in text and "授 权 书" in text


def _three_holders(data: dict) -> dict:
    """The example resolution with a third shareholder, 王五, who votes against (90 % in favour)."""
    data["shareholders"][1]["share"] = 30
    data["shareholders"].append({"name": "王五", "id_number": "110105198009211437", "share": 10, "vote": "反对"})
    return data


@pytest.mark.parametrize("name", ["commitment-letter", "irrevocable-commitment"])
def test_annex_letters_render_example(name):
    template = load_template(name)
    context = template.prepare(example(name))
    text = all_text(template.render(context))
    assert "华安置业发展有限公司" in text
    assert "浙江钱塘农村商业银行股份有限公司：" in text
    assert template.title.replace(" ", "") in text.replace(" ", "")
    assert "2026年11月20日" in text and "二〇二六" not in text  # one date style per document


@pytest.mark.parametrize("name", ["demand-letter", "commitment-letter", "irrevocable-commitment", "shareholder-resolution"])
def test_fast_path_text_equals_docxtpl_text(name):
    template = load_template(name)
    context = template.prepare(example(name))
    assert all_text(template.render(context)) == docxtpl_text(template, context)


def test_rendering_is_deterministic():
    template = load_template("demand-letter")
    context = template.prepare(example("demand-letter"))
    assert template.render(context) == template.render(dict(context))


def test_rendered_parts_are_standard_deflate_with_their_crc_and_the_shared_members_unchanged():
    """Each document's rendered parts are deflated per letter (ISA-L), the untouched members once
    (zlib): any zip reader inflates both and finds every CRC-32 right."""
    template = load_template("demand-letter")
    context = {**template.prepare(example("demand-letter")), "serial": "催字〔2026〕第00001号"}
    output = template.render(context)
    source = zipfile.ZipFile(template.path)
    with zipfile.ZipFile(io.BytesIO(output)) as rendered:
        assert rendered.testzip() is None  # every member inflates and matches its CRC-32
        infos = {info.filename: info for info in rendered.infolist()}
        assert all(info.compress_type == zipfile.ZIP_DEFLATED for info in infos.values())
        assert set(infos) == set(source.namelist())
        xml = rendered.read("word/document.xml").decode("utf-8")
        assert "催字〔2026〕第00001号" in xml and xml.startswith("<?xml")
        assert infos["word/document.xml"].compress_size < infos["word/document.xml"].file_size / 3
        for name in source.namelist():
            if name not in ("word/document.xml", "[Content_Types].xml"):
                assert rendered.read(name) == source.read(name)


# ------------------------------------------------------------------ hostile values

def test_hostile_values_render_safely_and_reopen():
    template = load_template("demand-letter")
    data = example("demand-letter")
    long_name = "超长名称" * 75  # 300 characters
    data.update(
        borrower='A&B<公司>"引号"\'单引号\'',
        borrower_address="第一行\r\n第二行{{ 7*7 }}{% if x %}",
        contact="{{ 7*7 }}",
        branch=long_name,
        guarantors="甲&乙、<丙>",
    )
    context = template.prepare(data)
    output = template.render(context)
    text = all_text(output)  # re-opens with python-docx: the XML is intact
    assert 'A&B<公司>"引号"\'单引号\'（统一社会信用代码' in text
    assert "联系人：{{ 7*7 }}" in text and "49" not in text.split("联系人：")[1][:12]
    assert "第一行\n第二行{{ 7*7 }}{% if x %}" in text  # new line -> <w:br/>, tags literal
    assert long_name + "（公章）" in text
    assert "要求保证人甲&乙、<丙>依照保证合同承担保证责任" in text
    xml = zipfile.ZipFile(io.BytesIO(output)).read("word/document.xml").decode()
    assert "A&amp;B&lt;公司&gt;" in xml
    assert "<w:br/>" in xml
    assert text == docxtpl_text(template, context)


def test_control_characters_are_dropped_not_written():
    template = load_template("demand-letter")
    data = example("demand-letter")
    data["borrower"] = "明远\x0b五金\x01公司"
    text = all_text(template.render(template.prepare(data)))
    assert "明远五金公司（统一社会信用代码" in text


@pytest.mark.parametrize(("value", "finalized"), [
    ("明远五金", "明远五金"), ("", ""), ("tab\there", "tab\there"), ("a\r\nb\rc\nd", "a\nb\nc\nd"),
    ("x\x00y\x1fz\x0b", "xyz"), ("\ufffe\uffff止", "止"), ("\r", "\n"),
    ("房产(眉房权证字第7号)", "房产（眉房权证字第7号）"), ("Co.,Ltd 1,000.00 12:30", "Co.,Ltd 1,000.00 12:30"),
    ("甲\r\n乙:丙", "甲\n乙：丙"),
    # a URL's or a path's marks are not the sentence's: they stay as typed
    ("详见http://x.com/查询?id=3,请查收", "详见http://x.com/查询?id=3，请查收"),
    ("路径:C:\\文档\\报告(终稿).docx", "路径：C:\\文档\\报告(终稿).docx")])
def test_finalize_keeps_plain_text_as_it_is_and_mends_line_ends_and_bad_characters(value, finalized):
    from docgen.documents.engine import _finalize

    out = _finalize(value)
    assert out == finalized
    if value == finalized:
        assert out is value  # untouched, not copied


def test_values_typed_with_ascii_marks_read_full_width_in_the_letter():
    # A ledger or row sheet typed on an English keyboard: the letter is still GB/T 15834 Chinese.
    template = load_template("demand-letter")
    data = example("demand-letter")
    data.update(collateral="存单质押(账号尾号0007)", measures=["credit", "collateral", "suit"],
                branch_address="眉县首善街道平阳街1号(东门), 三楼", borrower="明远五金(眉县)有限公司")
    context = template.prepare(data)
    text = all_text(template.render(context))
    assert "（存单质押（账号尾号0007））" in text
    assert "联系地址：眉县首善街道平阳街1号（东门），三楼" in text
    assert "明远五金（眉县）有限公司（统一社会信用代码" in text
    assert ascii_punctuation(text) == []
    assert text == docxtpl_text(template, context)


def test_output_name_is_safe_for_windows_and_capped(tmp_path):
    template = load_template("demand-letter")
    data = example("demand-letter")
    data["borrower"] = 'A/B\\C:D*E?F"G<H>I|J' + "长" * 300
    context = template.prepare(data)
    name = template.output_name(context)
    assert name.startswith("催字〔2026〕第00007号_A_B_C_D_E_F_G_H_I_J")
    assert name.endswith(".docx") and len(name) <= 125
    assert not set('/\\:*?"<>|') & set(name)
    # a name of Chinese characters fits the 255-byte limit of Linux file systems, with room to stage it
    assert len(name.encode("utf-8")) <= 190
    template.write(context, tmp_path / name)
    (tmp_path / f".{name}.1234567-0123abcd.part").write_bytes(b"")
    assert (tmp_path / name).stat().st_size > 0


def test_format_serial_uses_the_letter_year():
    template = load_template("demand-letter")
    context = template.prepare(example("demand-letter"))
    assert template.format_serial(12, context) == "催字〔2026〕第00012号"
    context["letter_date"] = dt.date(2027, 1, 3)
    assert template.format_serial(123456, context) == "催字〔2027〕第123456号"


def test_patterns_take_the_fields_they_name_as_text_numbers_or_iso_dates_and_refuse_the_rest(tmp_path):
    schema = {"key": {"type": "string"}, "when": {"type": "date"}, "n": {"type": "integer"},
              "names": {"type": "list"}, "gone": {"type": "string", "nullable": True}}
    path = make_template(tmp_path, ["{{ key }}"], schema)
    meta = yaml.safe_load(path.with_suffix(".yaml").read_text(encoding="utf-8"))
    context = {"key": "甲", "when": dt.date(2026, 3, 4), "n": 7, "names": ["乙"], "gone": None}
    for filename, expected in (("{key}_{when}_{n:03d}_{year}", "甲_2026-03-04_007_{year}.docx"),
                               ("{names}", None), ("{gone}", None), ("{other}", None)):
        meta["filename"] = filename
        path.with_suffix(".yaml").write_text(yaml.safe_dump(meta, allow_unicode=True), encoding="utf-8")
        template = load_template(path=path)
        if expected is None:  # a list, a null or an absent field: the pattern cannot be filled
            with pytest.raises(TemplateError, match=filename[1:-1]):
                template.output_name(context)
        else:
            assert template.output_name(context) == expected.format(year=dt.date.today().year)
    meta.update(filename="{serial}", serial="{key}-{seq:04d}-{year}", date_field="when")
    path.with_suffix(".yaml").write_text(yaml.safe_dump(meta, allow_unicode=True), encoding="utf-8")
    template = load_template(path=path)
    serial = template.format_serial(12, context)
    assert serial == "甲-0012-2026" and template.output_name({**context, "serial": serial}) == "甲-0012-2026.docx"


def test_patterns_set_after_loading_take_the_fields_they_name_now():
    template = load_template("demand-letter")
    context = template.prepare(example("demand-letter"))
    context["serial"] = template.format_serial(7, context)
    loaded = template.filename_pattern
    template.filename_pattern = "{contract_no}_催收函"
    assert template.output_name(context) == f"{context['contract_no']}_催收函.docx"
    template.serial_pattern = "{borrower}-{seq:{width}}"
    assert template.format_serial(7, {**context, "width": "03d"}) == f"{context['borrower']}-007"
    template.serial_pattern, template.filename_pattern = load_template("demand-letter").serial_pattern, loaded
    assert template.output_name(context) == load_template("demand-letter").output_name(context)


# ------------------------------------------------------------------ validation and rules

def test_missing_field_fails_by_name_and_row():
    template = load_template("demand-letter")
    data = example("demand-letter")
    del data["principal"]
    with pytest.raises(RenderError) as info:
        template.prepare(data, row=7, columns={"principal": "逾期本金"})
    problem = info.value.problems[0]
    assert (problem.path, problem.row, problem.column, problem.code) == ("principal", 7, "逾期本金", "required")
    assert problem.message == "必填字段，不能缺少"
    assert "第7行" in str(info.value) and "demand-letter" in str(info.value)


def test_invalid_values_are_reported_each():
    template = load_template("demand-letter")
    data = example("demand-letter")
    data.update(id_number="110105194912310021", interest="一千", pay_by="2026-13-01")
    _, problems = template.check(data)
    assert {p.path: p.code for p in problems} == {
        "id_number": "invalid-uscc-or-resident-id", "interest": "not-convertible", "pay_by": "not-convertible"}


def test_amount_too_large_to_write_in_words_fails_the_check_not_the_render():
    # Caught by the schema, before a batch reserves serials, not by the 大写 filter half-way.
    for name, field_ in [("demand-letter", "principal"), ("commitment-letter", "loan_amount"),
                         ("irrevocable-commitment", "contract_amount"), ("shareholder-resolution", "loan_amount")]:
        template = load_template(name)
        _, problems = template.check(example(name) | {field_: "1e17"})
        assert field_ in {p.path for p in problems}, name


def test_total_must_equal_its_parts():
    template = load_template("demand-letter")
    data = example("demand-letter", ) | {"total": "132000"}
    _, problems = template.check(data)
    assert [(p.path, p.code) for p in problems] == [("total", "total-mismatch")]
    assert (problems[0].facts["given"], problems[0].facts["expected"]) == (Decimal("132000"), Decimal("132100.00"))
    assert problems[0].message == "合计132,000.00与应还本金+欠息+罚息之和132,100.00不一致"


def test_pay_by_must_follow_the_letter_date():
    template = load_template("demand-letter")
    data = example("demand-letter") | {"pay_by": "2026-11-28"}
    _, problems = template.check(data)
    assert [(p.path, p.code) for p in problems] == [("pay_by", "date-order")]
    assert (problems[0].facts["earlier"], problems[0].facts["later"]) == ("2026-11-28", "2026-11-28")
    assert problems[0].message.startswith("还款期限应晚于发函日期")


def test_a_rule_message_from_the_yaml_is_shown_whole():
    # An ASCII comma in a flow mapping once cut "保证期间已届满,不应再…" down to its first clause.
    template = load_template("guarantor-demand")
    _, problems = template.check(example("guarantor-demand") | {"guarantee_period_end": "2026-11-27"})
    assert [(p.path, p.code) for p in problems] == [("guarantee_period_end", "date-order")]
    assert problems[0].message == "保证期间已届满，不应再向保证人发出通知，收到 2026-11-27"
    _, problems = load_template("demand-letter").check(
        example("demand-letter") | {"principal": 0, "interest": 0, "penalty": 0, "total": 0})
    assert [p.message for p in problems] == ["欠款合计应大于零（无欠款无需催收）"]


@pytest.mark.parametrize("name", ["commitment-letter", "credit-application", "shareholder-resolution"])
@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_header_alias_matches_with_ascii_or_full_width_brackets(name, suffix, tmp_path):
    """The alias is shown as GB/T 15834 writes it (期限（月）); a back-office user types either."""
    from docgen.core.tabular import read_table, stream_table

    template = load_template(name)
    assert "期限（月）" in template.aliases["term_months"]
    aliases = {field: template.aliases.get(field, []) for field in template.schema}
    for header in ("期限(月)", "期限（月）", "期限 ( 月 )"):
        path = tmp_path / f"{header}{suffix}"
        if suffix == ".csv":
            path.write_text(f"{header}\n36\n", encoding="utf-8")
        else:
            book = openpyxl.Workbook()
            book.active.append([header])
            book.active.append([36])
            book.save(path)
        table = read_table(path, aliases, required=["term_months"])
        assert (table.fields, table.columns, table.unknown_headers) == (["term_months"], {"term_months": f"A（{header}）"}, [])
        assert table.rows[0].values["term_months"] in (36, "36")
        assert stream_table(path, aliases, required=["term_months"]).fields == ["term_months"]


def test_shares_must_sum_to_100():
    template = load_template("shareholder-resolution")
    data = _three_holders(example("shareholder-resolution"))
    data["shareholders"][2]["share"] = 5
    _, problems = template.check(data)
    assert [(p.path, p.code) for p in problems] == [("shareholders", "sum-mismatch")]
    assert (problems[0].facts["expected"], problems[0].facts["actual"]) == (100, 95)
    assert problems[0].message == "出资比例合计应为100，实际为95"


def test_votes_must_reach_two_thirds():
    template = load_template("shareholder-resolution")
    data = example("shareholder-resolution")
    data["shareholders"][1]["vote"] = "反对"  # 60 % in favour < 2/3
    _, problems = template.check(data)
    assert [p.code for p in problems] == ["votes-short"]
    assert round(problems[0].facts["ratio_pct"], 2) == 60.0 and problems[0].facts["threshold"] == "2/3"
    assert "60.00%" in problems[0].message and "66.67%" in problems[0].message
    # two thirds is the bank's requirement, not company law's (a majority, 《公司法》第六十六条)
    assert "贷款银行要求" in problems[0].facts["basis"] and "贷款银行要求" in problems[0].message


def test_two_thirds_is_compared_exactly():
    template = load_template("shareholder-resolution")
    data = _three_holders(example("shareholder-resolution"))
    for shares, ok in (((60, "6.67", "33.33"), True), ((60, "6.66", "33.34"), False)):
        for holder, share in zip(data["shareholders"], shares):
            holder["share"] = share
        problems = template.check(data)[1]
        assert (problems == []) is ok, (shares, problems)


def test_vote_threshold_is_configurable(tmp_path):
    meta = yaml.safe_load((load_template("shareholder-resolution").meta_path).read_text(encoding="utf-8"))
    meta["rules"][1]["threshold"] = "1/2"
    (tmp_path / "shareholder-resolution.yaml").write_text(yaml.safe_dump(meta, allow_unicode=True), encoding="utf-8")
    template = load_template(path=load_template("shareholder-resolution").path, meta=tmp_path / "shareholder-resolution.yaml")
    data = example("shareholder-resolution")
    data["shareholders"][1]["vote"] = "反对"
    assert template.check(data)[1] == []


def test_guarantors_from_a_spreadsheet_cell_are_split():
    template = load_template("demand-letter")
    context = template.prepare(example("demand-letter") | {"guarantors": "张三、李四;王五"})
    assert context["guarantors"] == ["张三", "李四", "王五"]
    # What a Chinese keyboard types: full-width ； and ， (escaped: editors fold them into ASCII).
    context = template.prepare(example("demand-letter") | {"guarantors": "张三\uff1b李四\uff0c王五"})
    assert context["guarantors"] == ["张三", "李四", "王五"]


# ------------------------------------------------------------------ strict rendering

def test_undefined_field_in_template_is_a_render_error(tmp_path):
    path = make_template(tmp_path, ["借款人:{{ name }}", "金额:{{ amount_due|amount }}"], {"name": {"type": "string"}})
    template = load_template(path=path, check_variables=False)
    with pytest.raises(RenderError) as info:
        template.render({"name": "张三", "serial": "1"}, row=4)
    [problem] = info.value.problems
    # The filter met the missing field first: the problem names the field of its paragraph, the
    # second, numbered as Word and templates lint number it.
    assert (problem.code, problem.path, problem.row) == ("fill-failed", "amount_due", 4)
    assert (problem.facts["place"], problem.facts["snippet"]) == ("第2段", "金额:{{ amount_due|amount }}")
    assert str(info.value).splitlines()[0] == (
        "模板 custom：无法填写（第2段：金额:{{ amount_due|amount }}）：金额应为数字，收到“Undefined” 第4行")
    assert problem.message == "金额应为数字，收到“Undefined”（第2段：金额:{{ amount_due|amount }}）"
    # in English (the service's English pages), the filter's own sentence too
    assert MESSAGES.text(info.value.code, info.value.facts, "en") == (
        "template custom: cannot be filled (paragraph 2: 金额:{{ amount_due|amount }}): an amount should be a number, "
        "not Undefined (row 4)")
    assert MESSAGES.text(problem.code, problem.facts, "en") == (
        "an amount should be a number, not Undefined (paragraph 2: 金额:{{ amount_due|amount }})")


def test_a_field_missing_outside_a_filter_is_undefined(tmp_path):
    path = make_template(tmp_path, ["借款人:{{ name }}", "地址:{{ address }}"], {"name": {"type": "string"}})
    with pytest.raises(RenderError) as info:
        load_template(path=path, check_variables=False).render({"name": "张三", "serial": "1"})
    [problem] = info.value.problems
    assert (problem.code, problem.path, problem.facts["place"]) == ("undefined-field", "address", "第2段")
    assert str(info.value).splitlines()[0] == "模板 custom：字段 address 未提供（第2段：地址:{{ address }}）"


def test_none_value_is_not_printed_as_blank(tmp_path):
    path = make_template(tmp_path, ["借款人:{{ name }}"], {"name": {"type": "string", "nullable": True}})
    with pytest.raises(RenderError, match="空"):
        load_template(path=path).render({"name": None})


def test_filter_error_names_the_template(tmp_path):
    path = make_template(tmp_path, ["大写:{{ v|amount_in_words }}"], {"v": {"type": "integer"}})
    with pytest.raises(RenderError, match="负数") as err:
        load_template(path=path).render({"v": -5}, row=4)
    # the field the filter failed on
    assert [(p.code, p.path, p.row) for p in err.value.problems] == [("fill-failed", "v", 4)]
    assert MESSAGES.text(err.value.problems[0].code, err.value.problems[0].facts, "en") == (
        "an amount in words cannot be negative: -5 (paragraph 1: 大写:{{ v|amount_in_words }})")


def test_sandbox_blocks_unsafe_attributes(tmp_path):
    path = make_template(tmp_path, ["{{ name.__class__.__mro__ }}"], {"name": {"type": "string"}})
    with pytest.raises(RenderError, match="custom") as err:
        load_template(path=path).render({"name": "x"})
    assert [p.code for p in err.value.problems] == ["unsafe-expression"]


def test_tag_split_across_runs_still_renders(tmp_path):
    doc = new_document()
    paragraph = doc.add_paragraph()
    for piece in ("借款人:{", "{ bor", "rower }", "}。"):
        paragraph.add_run(piece)
    path = tmp_path / "split.docx"
    doc.save(path)
    template = load_template(path=path, meta="demand-letter")
    assert "借款人:A&B。" in all_text(template.render({"borrower": "A&B"}))


def test_broken_tag_is_a_template_error_naming_the_file(tmp_path):
    path = make_template(tmp_path, ["借款人:{{ name }", "{% if x %}没有结束"], {"name": {"type": "string"}})
    with pytest.raises(TemplateError, match="custom.docx"):
        load_template(path=path).render({"name": "张三"})


def test_image_value_renders_as_inline_picture(tmp_path):
    PIL = pytest.importorskip("PIL.Image")
    buf = io.BytesIO()
    PIL.new("RGB", (200, 100), "red").save(buf, format="PNG")
    path = make_template(tmp_path, ["图表:", "{{ chart }}", "完"], {"chart": {"type": "string"}})
    template = load_template(path=path)
    output = template.render({"chart": Image(buf.getvalue(), 150)})
    document = docx.Document(io.BytesIO(output))
    assert len(document.inline_shapes) == 1
    shape = document.inline_shapes[0]
    assert abs(shape.width.mm - 150) < 0.1 and abs(shape.height.mm - 75) < 0.1
    names = zipfile.ZipFile(io.BytesIO(output)).namelist()
    assert "word/media/docgen-image1.png" in names
    # Without a picture the same template still renders from the plain base.
    with pytest.raises(ValueError):
        Image(b"not a picture", 10)


def test_has_images_finds_a_picture_at_any_depth_of_the_context():
    from docgen.documents.image import has_images

    PIL = pytest.importorskip("PIL.Image")
    buf = io.BytesIO()
    PIL.new("RGB", (4, 2), "red").save(buf, format="PNG")
    picture = Image(buf.getvalue(), 20)
    assert not has_images({"a": "x", "b": [1, {"c": ("d", Decimal(1))}], "e": {}})
    for holder in ({"p": picture}, {"a": [picture]}, {"a": [1, {"b": (2, picture)}]}, [{"x": {"y": [picture]}}],
                   (picture,), picture):
        assert has_images(holder), holder
    assert not has_images("x") and not has_images([]) and not has_images(None)


def test_write_is_atomic(tmp_path):
    path = make_template(tmp_path, ["{{ name }}{{ missing }}"], {"name": {"type": "string"}})
    target = tmp_path / "out" / "letter.docx"
    target.parent.mkdir()
    with pytest.raises(RenderError):
        load_template(path=path, check_variables=False).write({"name": "x"}, target)
    assert list(target.parent.iterdir()) == []


# ------------------------------------------------------------------ loading

def test_unknown_template_name_lists_the_known_ones():
    with pytest.raises(TemplateError, match="未知模板 no-such.*demand-letter") as info:
        load_template("no-such")
    assert info.value.exit_code == 2


def test_template_file_that_is_not_a_docx(tmp_path):
    bad = tmp_path / "bad.docx"
    bad.write_bytes(b"not a zip")
    with pytest.raises(TemplateError, match="bad.docx"):
        load_template(path=bad, meta="demand-letter")


def test_edited_template_without_schema_says_how_to_fix(tmp_path):
    doc = new_document()
    doc.save(tmp_path / "edited.docx")
    with pytest.raises(TemplateError, match="--schema"):
        load_template(path=tmp_path / "edited.docx")


def test_bad_yaml_names_file_and_line(tmp_path):
    path = make_template(tmp_path, ["{{ name }}"], {"name": {"type": "string"}})
    path.with_suffix(".yaml").write_text("title: x\nschema: [unclosed\n", encoding="utf-8")
    with pytest.raises(TemplateError, match=r"custom.yaml 第\d+行"):
        load_template(path=path)


def test_variables_lists_top_level_names():
    assert "borrower" in load_template("demand-letter").variables()
    assert "s" not in load_template("shareholder-resolution").variables()
    assert "shareholders" in load_template("shareholder-resolution").variables()


def test_column_loop_fixes_the_table_grid_like_docxtpl(tmp_path):
    from docgen.core.docxbuild import add_table

    doc = new_document()
    add_table(doc, None, [["项目", "{%tc for y in years %}", "{{ y }}年", "{%tc endfor %}"],
                          ["余额", "{%tc for v in values %}", "{{ v|amount }}", "{%tc endfor %}"]], [30, 10, 40, 10])
    path = tmp_path / "cols.docx"
    doc.save(path)
    (tmp_path / "cols.yaml").write_text(yaml.safe_dump(
        {"title": "列循环", "key_field": "years", "schema": {"years": {"type": "list"}, "values": {"type": "list"}}},
        allow_unicode=True), encoding="utf-8")
    template = load_template(path=path)
    context = {"years": [2024, 2025, 2026], "values": [Decimal("1"), Decimal("2.5"), Decimal("1000")]}
    output = template.render(context)
    table = docx.Document(io.BytesIO(output)).tables[0]
    assert [c.text for c in table.rows[0].cells] == ["项目", "2024年", "2025年", "2026年"]
    assert [c.text for c in table.rows[1].cells] == ["余额", "1.00", "2.50", "1,000.00"]
    assert len(table._tbl.tblGrid.findall("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}gridCol")) == 4
    assert all_text(output) == docxtpl_text(template, context)


def test_picture_outside_the_body_is_refused(tmp_path):
    PIL = pytest.importorskip("PIL.Image")
    buf = io.BytesIO()
    PIL.new("RGB", (20, 10), "blue").save(buf, format="PNG")
    doc = new_document()
    doc.sections[0].header.paragraphs[0].add_run("{{ chart }}")
    add_body(doc, "正文")
    path = tmp_path / "hdr.docx"
    doc.save(path)
    (tmp_path / "hdr.yaml").write_text(yaml.safe_dump({"title": "x", "key_field": "chart", "schema": {"chart": {}}}),
                                       encoding="utf-8")
    with pytest.raises(RenderError, match="页眉"):
        load_template(path=path).render({"chart": Image(buf.getvalue(), 20)})


HOSTILE = 'A&B<公司>"甲"\'乙\' {{ 7*7 }} {% if %} }}\n第二行\t制表 &amp; ]]> <w:t>'


@pytest.mark.parametrize("name", ["demand-letter", "commitment-letter", "irrevocable-commitment", "shareholder-resolution"])
def test_every_text_field_of_every_template_survives_hostile_values(name):
    template = load_template(name)
    data = example(name)
    for key, rule in template.schema.items():
        if rule.get("type") == "string" and "check_with" not in rule and key in data:
            data[key] = HOSTILE
    for item in data.get("shareholders", []):
        item["name"] = HOSTILE
    context = template.prepare(data)
    output = template.render(context)
    text = all_text(output)  # re-opens: every part is well-formed
    assert 'A&B<公司>"甲"\'乙\' {{ 7*7 }} {% if %} }}\n第二行' in text
    assert "&amp; ]]> <w:t>" in text
    assert text == docxtpl_text(template, context)


# ------------------------------------------------------------------ compiled-template cache, XML check

def test_preprocessed_template_is_cached_by_its_bytes(tmp_path, monkeypatch):
    from docgen.documents import engine

    path = make_template(tmp_path, ["致{{ name }}:缓存测试。"], {"name": {"type": "string", "required": True}})
    first = load_template(path=path).render({"name": "甲公司"})
    entries = list((Path(os.environ["XDG_CACHE_HOME"]) / "docgen").glob("template-*.json"))  # conftest's folder
    assert len(entries) == 1

    def no_docxtpl(*args, **kwargs):
        raise AssertionError("the cached sources should have been used")

    monkeypatch.setattr(engine, "patched_sources", no_docxtpl)
    again = load_template(path=path).render({"name": "甲公司"})
    assert all_text(again) == all_text(first) and "致甲公司:缓存测试。" in all_text(again)

    # An edited template (other bytes) misses the cache: it is preprocessed anew.
    monkeypatch.undo()
    make_template(tmp_path, ["致{{ name }}:已修改。"], {"name": {"type": "string", "required": True}})
    assert "已修改" in all_text(load_template(path=path).render({"name": "乙公司"}))
    monkeypatch.setenv("DOCGEN_NO_CACHE", "1")
    monkeypatch.setattr(engine, "patched_sources", no_docxtpl)
    with pytest.raises(AssertionError, match="cached sources"):
        load_template(path=path).render({"name": "乙公司"})


def test_a_rendered_part_that_is_not_well_formed_xml_is_a_render_error(tmp_path):
    from docgen.documents.engine import _Part

    path = make_template(tmp_path, ["致{{ name }}"], {"name": {"type": "string", "required": True}})
    template = load_template(path=path)
    engine = template._engine
    part = next(p for p in engine._compile()[0] if p.member == "word/document.xml")
    broken = _Part(part.member, part.source, part.template, part.head, part.tail, True, False)
    with pytest.raises(RenderError, match="第7行.*word/document.xml 不是有效的 XML"):
        engine._finish(broken, ["<w:body><w:p></w:body>"], 7)
    with pytest.raises(RenderError, match="不是有效的 XML"):  # an undeclared prefix is caught too
        engine._finish(broken, ["<w:body><x:p/></w:body>"], 7)
    good = engine._finish(broken, ["<w:body><w:p/></w:body>"], 7)
    assert good.startswith("<?xml") and "<w:body><w:p/></w:body>" in good


def _with_body(tmp_path, source):
    """A template whose document.xml body is the Jinja ``source`` given (head and tail kept)."""
    from docgen.documents.engine import _Part, jinja_environment

    path = make_template(tmp_path, ["致{{ name }}"], {"name": {"type": "string", "required": True}})
    template = load_template(path=path)
    parts = template._engine._compile()[0]
    index = next(i for i, p in enumerate(parts) if p.member == "word/document.xml")
    old = parts[index]
    parts[index] = _Part(old.member, source, jinja_environment().from_string(source), old.head, old.tail, True, False)
    return template


def _parses(monkeypatch):
    from docgen.documents import engine

    calls = []
    real = engine._check_xml
    monkeypatch.setattr(engine, "_check_xml", lambda full: (calls.append(1), real(full))[1])
    return calls


def test_a_proven_shape_renders_without_a_parse_and_every_other_path_is_still_checked(tmp_path, monkeypatch):
    from markupsafe import Markup

    template = _with_body(tmp_path, "<w:body>{% if bad %}<w:p>{% endif %}"
                                    "<w:p><w:r><w:t>{{ name }}</w:t></w:r></w:p>{% for x in items %}"
                                    "<w:p><w:r><w:t>{{ x }}</w:t></w:r></w:p>{% endfor %}</w:body>")
    calls = _parses(monkeypatch)
    first = template.render({"name": "甲", "bad": False, "items": ["1"]})
    assert len(calls) == 1 and "致" not in all_text(first) and "甲" in all_text(first)
    # Same shape, other plain values (escaped & < > and quotes included): no parse, same bytes as parsed.
    again = template.render({"name": "A&B<进出口>\"'", "bad": False, "items": ["2"]})
    assert len(calls) == 1 and "A&B<进出口>\"'" in all_text(again)
    # Another control-flow path is a new shape: parsed, and the broken one refused.
    template.render({"name": "乙", "bad": False, "items": ["1", "2"]})
    assert len(calls) == 2
    with pytest.raises(RenderError, match="不是有效的 XML"):
        template.render({"name": "丙", "bad": True, "items": []})
    # A value that is markup rather than text is parsed even in a proven shape.
    with pytest.raises(RenderError, match="不是有效的 XML"):
        template.render({"name": Markup("</w:t>"), "bad": False, "items": ["1"]})
    with pytest.raises(RenderError, match="不是有效的 XML"):
        template.render({"name": Markup("a & b"), "bad": False, "items": ["1"]})
    # Line breaks in a value become markup (<w:br/>): parsed, and the result is intact.
    calls.clear()
    assert "第一行" in all_text(template.render({"name": "第一行\n第二行", "bad": False, "items": ["1"]}))
    assert len(calls) == 1


def test_a_value_inside_markup_is_never_vouched_for(tmp_path, monkeypatch):
    template = _with_body(tmp_path, '<w:body><w:p w:rsidR="{{ name }}"><w:r><w:t>x</w:t></w:r></w:p></w:body>')
    calls = _parses(monkeypatch)
    for name in ("00A1", "00B2", "00C3"):
        template.render({"name": name})
    assert len(calls) == 3


def test_a_bank_template_using_no_field_of_its_schema_is_refused_on_loading(tmp_path):
    # Loaded with the .yaml beside it, so `templates lint FILE` needs no --schema.
    path = make_template(tmp_path, ["借款人:{{ nmae }}{{ missing }}"], {"name": {"type": "string"}})
    with pytest.raises(TemplateError) as info:
        load_template(path=path)
    assert str(info.value) == (f"{path}：模板中的变量 missing、nmae（应为 name？）不是模板 custom 的字段；"
                               f"请在 Word 中改正这些标签（docgen templates lint {path} 列出所在段落）")
    assert load_template(path=path, check_variables=False).variables() == ["missing", "nmae"]


@pytest.mark.parametrize("name", ["demand-letter", "guarantor-demand"])
def test_a_loan_said_to_have_matured_must_have_matured_by_the_letter_date(name):
    # With matured the letter says 该笔贷款已于{maturity}到期 and demands the whole balance: a maturity
    # after the letter date (a flag set by hand) would have it state a maturity still to come.
    template = load_template(name)
    data = example(name) | {"matured": True, "maturity": "2028-05-20"}
    _, problems = template.check(data)
    assert [(p.path, p.code) for p in problems] == [("letter_date", "date-order")]
    assert problems[0].message == "已到期（matured）的贷款，到期日期应早于发函日期；尚未到期的，matured 应为 false，收到 2026-11-28"
    # Matured the day before the letter: the rule holds; not said to have matured: the rule does not apply.
    assert template.check(data | {"maturity": "2026-11-27"})[1] == []
    assert template.check(data | {"matured": False})[1] == []
    # collect letters sets matured only for maturity < letter_date: matured on the letter date is not yet.
    _, problems = template.check(data | {"maturity": "2026-11-28"})
    assert [(p.path, p.code) for p in problems] == [("letter_date", "date-order")]


def test_a_rule_applying_when_a_field_the_schema_lacks_is_a_template_fault():
    from docgen.documents.template import Template

    shipped = load_template("demand-letter")
    rules = [*shipped.meta["rules"], {"rule": "positive", "when": "overdue_flag", "field": "total"}]
    with pytest.raises(TemplateError) as exc:
        Template("demand-letter", shipped.path, None, {**shipped.meta, "rules": rules})
    assert str(exc.value).endswith("：规则 positive 的 when 字段 overdue_flag 不在 schema 中")
    rules = [*shipped.meta["rules"], {"rule": "zero", "unless": "penalty_agred", "field": "penalty"}]
    with pytest.raises(TemplateError) as exc:
        Template("demand-letter", shipped.path, None, {**shipped.meta, "rules": rules})
    assert str(exc.value).endswith("：规则 zero 的 unless 字段 penalty_agred 不在 schema 中")
