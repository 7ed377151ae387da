"""Lint of bank-edited templates: broken tags, blocks, variables, East-Asian fonts, locations."""
from __future__ import annotations

from pathlib import Path

from docx.oxml.ns import qn

from docgen.core.docxbuild import add_body, add_table, new_document
from docgen.documents.lint import format_text, lint_docx
from docgen.documents.template import list_templates, load_template


def build(tmp_path: Path, paragraphs: list[str], *, table: list[list[str]] | None = None, doc=None) -> Path:
    doc = doc or new_document()
    for text in paragraphs:
        add_body(doc, text)
    if table:
        add_table(doc, None, table, [40] * len(table[0]))
    path = tmp_path / "edited.docx"
    doc.save(path)
    return path


def codes(report) -> list[tuple[str, str]]:
    return [(p.code, p.severity) for p in report.problems]


def test_shipped_templates_lint_clean():
    for template in list_templates():
        report = lint_docx(template.path, template)
        # every shipped letter, annex and report, full-width punctuation included (GB/T 15834)
        assert report.problems == [], (template.name, format_text(report))
        assert report.ok


def test_broken_tag_reported_with_paragraph_and_snippet(tmp_path):
    path = build(tmp_path, ["致:{{ borrower }}", "金额:{{ total|amount }", "正常段落"])
    report = lint_docx(path, load_template("demand-letter"))
    broken = [p for p in report.problems if p.code == "broken-tag"]
    assert len(broken) == 1 and broken[0].severity == "error"
    assert broken[0].location == "word/document.xml 第2段"
    assert broken[0].facts == {"tag": "{{ }}", "snippet": "金额:{{ total|amount }"}
    assert broken[0].message == "标签 {{ }} 不完整或不成对（标签不能跨段落，也不能缺少括号）：金额:{{ total|amount }"
    assert not report.ok


def test_tag_split_across_runs_is_fine(tmp_path):
    doc = new_document()
    paragraph = doc.add_paragraph()
    for piece in ("致:{", "{ borr", "ower }", "}"):
        paragraph.add_run(piece)
    path = build(tmp_path, [], doc=doc)
    report = lint_docx(path)
    assert report.ok and report.variables == ["borrower"]
    assert [p for p in report.problems if p.severity == "error"] == []


def test_unclosed_and_unexpected_blocks(tmp_path):
    path = build(tmp_path, ["{%p if guarantors %}", "抄送:{{ guarantors|join('、') }}", "结尾", "{%p endfor %}"])
    report = lint_docx(path)
    assert ("unexpected-end", "error") in codes(report)
    unclosed = [p for p in report.problems if p.code == "unclosed-block"]
    assert unclosed and unclosed[0].location == "word/document.xml 第1段"
    assert unclosed[0].facts["keyword"] == "if"
    assert unclosed[0].message == "{% if %} 没有对应的 {% endif %}：{%p if guarantors %}"


def test_jinja_syntax_error_is_reported(tmp_path):
    path = build(tmp_path, ["{{ borrower borrower }}"])
    report = lint_docx(path)
    assert [c for c in codes(report) if c[1] == "error"] == [("syntax", "error")]
    assert "borrower borrower" in report.problems[0].facts["snippet"]


def test_unknown_and_unused_variables_against_schema(tmp_path):
    template = load_template("demand-letter")
    path = build(tmp_path, ["致:{{ borower }}(拼错)"], table=[["逾期本金", "{{ principal|amount }}"]])
    report = lint_docx(path, template)
    unknown = [p for p in report.problems if p.code == "unknown-variable"]
    assert len(unknown) == 1 and unknown[0].facts["name"] == "borower"
    assert unknown[0].location == "word/document.xml 第1段"
    unused = {p.facts["name"] for p in report.problems if p.code == "unused-variable"}
    assert "borrower" in unused and "total" not in unused and "principal" not in unused
    assert "serial" not in unused  # injected by the register
    assert report.variables == ["borower", "principal"]


def test_unknown_variable_in_a_table_cell_has_cell_location(tmp_path):
    path = build(tmp_path, ["正文"], table=[["a", "b"], ["c", "{{ nope }}"]])
    report = lint_docx(path, load_template("demand-letter"))
    unknown = [p for p in report.problems if p.code == "unknown-variable"]
    assert unknown[0].location == "word/document.xml 表格1 第2行 第2列"


def test_missing_east_asian_fonts_and_language(tmp_path):
    doc = new_document()
    rpr = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    rpr.find(qn("w:rFonts")).attrib.pop(qn("w:eastAsia"))
    rpr.remove(rpr.find(qn("w:lang")))
    normal = doc.styles["Normal"].element.find(qn("w:rPr")).find(qn("w:rFonts"))
    normal.attrib.pop(qn("w:eastAsia"))
    paragraph = doc.add_paragraph()
    run = paragraph.add_run("中文用了西文字体")
    run.font.name = "Arial"  # sets ascii/hAnsi only
    path = build(tmp_path, [], doc=doc)
    report = lint_docx(path)
    found = {(p.code, p.severity, p.location) for p in report.problems}
    assert ("east-asian-font", "warning", "word/styles.xml 默认字体") in found
    assert ("east-asian-lang", "warning", "word/styles.xml 默认语言") in found
    assert ("east-asian-font", "warning", "word/styles.xml 样式 Normal") in found
    assert any(p.code == "east-asian-font" and p.severity == "info"
               and p.facts == {"latin": "Arial", "snippet": "中文用了西文字体"} for p in report.problems)
    assert report.ok  # fonts are warnings: the template still renders


def test_json_shape(tmp_path):
    path = build(tmp_path, ["{{ b }}{{ a.x }}", "{% for s in rows %}{{ s.name }}{% endfor %}"])
    data = lint_docx(path).to_dict()
    assert set(data) == {"variables", "problems"}
    assert data["variables"] == ["a", "b", "rows"]
    for problem in data["problems"]:
        assert set(problem) == {"code", "severity", "location", "message"}


def test_unknown_filter_is_an_error_with_location(tmp_path):
    path = build(tmp_path, ["正文", "合计:{{ total|amount_in_word }}"])
    report = lint_docx(path, load_template("demand-letter"))
    found = [p for p in report.problems if p.code == "unknown-filter"]
    assert len(found) == 1 and found[0].location == "word/document.xml 第2段"
    assert found[0].facts["filter"] == "amount_in_word" and "amount_in_words" in found[0].facts["available"]
    assert not report.ok


def test_ascii_punctuation_beside_chinese_is_flagged_with_its_full_width_form(tmp_path):
    path = build(tmp_path, ["编号:{{ serial }}", "{{ borrower }}(证件号码:{{ id_number }}):", "借款合同,向我行借款",
                            "全角标点：（正确），无误；", "比例 1:1000 (scale)", "网址：http://x.com/查询?id=3"])
    report = lint_docx(path)
    flagged = [p for p in report.problems if p.code == "ascii-punctuation"]
    assert [p.location for p in flagged] == ["word/document.xml 第1段", "word/document.xml 第2段", "word/document.xml 第3段"]
    assert all(p.severity == "warning" for p in flagged) and report.ok
    assert "“:”→“：”" in flagged[0].message and "“(”→“（”" in flagged[1].message and "“,”→“，”" in flagged[2].message


def test_ascii_quotes_beside_chinese_are_flagged_with_their_full_width_pair(tmp_path):
    path = build(tmp_path, ['签订编号为"{{ contract_no }}"的借款合同', "以下简称“我行”", "the bank's own form",
                            "所谓'保证'即"])
    report = lint_docx(path)
    flagged = [p for p in report.problems if p.code == "ascii-punctuation"]
    assert [p.location for p in flagged] == ["word/document.xml 第1段", "word/document.xml 第4段"]
    assert flagged[0].facts["marks"] == ['"'] and "“\"”→“…”" in flagged[0].message
    assert flagged[1].facts["marks"] == ["'"] and "“'”→‘…’" in flagged[1].message


def _after_a_table_and_a_p_block(tmp_path: Path, faulty: str, *, cell: str = "{{ contract_no }}") -> Path:
    """致, then a table (4 cell paragraphs), then a ``{%p if %}`` block (3 paragraphs), then ``faulty``:
    the 5th paragraph outside tables, the 9th ``<w:p>`` of the body."""
    doc = new_document()
    add_body(doc, "致：{{ borrower }}")
    add_table(doc, None, [["借款合同号", cell], ["借款金额", "{{ principal }}"]], [40, 40])
    for text in ("{%p if guarantors %}", "抄送：{{ guarantors|join('、') }}", "{%p endif %}", faulty):
        add_body(doc, text)
    path = tmp_path / "edited.docx"
    doc.save(path)
    return path


def test_lint_and_render_errors_number_a_paragraph_after_a_table_and_a_p_block_alike(tmp_path):
    import docx
    import pytest

    from docgen.core.errors import RenderError, TemplateError

    schema = load_template("demand-letter")
    # A filter misspelt: lint's error and the template's refusal to load name one paragraph.
    path = _after_a_table_and_a_p_block(tmp_path, "合计{{ total|amount_in_word }}")
    assert docx.Document(path).paragraphs[4].text == "合计{{ total|amount_in_word }}"  # Word's 5th
    [problem] = [p for p in lint_docx(path, schema).problems if p.severity == "error"]
    assert (problem.code, problem.location) == ("unknown-filter", "word/document.xml 第5段")
    with pytest.raises(TemplateError, match=r"：word/document\.xml 第5段模板标签有误：没有名为 amount_in_word 的过滤器"):
        load_template("demand-letter", path=path)
    # A tag Jinja cannot parse: lint's syntax error is placed by paragraph too, not by preprocessed line.
    path = _after_a_table_and_a_p_block(tmp_path, "合计{{ total | }}")
    [problem] = [p for p in lint_docx(path, schema).problems if p.severity == "error"]
    assert (problem.code, problem.location) == ("syntax", "word/document.xml 第5段")
    with pytest.raises(TemplateError, match=r"：word/document\.xml 第5段模板标签有误"):
        load_template("demand-letter", path=path)
    # A field the schema lacks: lint's unknown variable and the render's missing field.
    path = _after_a_table_and_a_p_block(tmp_path, "说明：{{ remark }}")
    [problem] = [p for p in lint_docx(path, schema).problems if p.severity == "error"]
    assert (problem.code, problem.location) == ("unknown-variable", "word/document.xml 第5段")
    template = load_template("demand-letter", path=path, check_variables=False)
    values = {"borrower": "甲", "contract_no": "HT-1", "principal": 1, "guarantors": ["乙"]}
    with pytest.raises(RenderError) as info:
        template.render(values)
    assert info.value.problems[0].facts["place"] == "第5段"
    assert str(info.value).startswith("模板 demand-letter：字段 remark 未提供（第5段：说明：{{ remark }}）")
    # In a table cell: the cell, both ways.
    path = _after_a_table_and_a_p_block(tmp_path, "结尾", cell="{{ remark }}")
    [problem] = [p for p in lint_docx(path, schema).problems if p.severity == "error"]
    assert (problem.code, problem.location) == ("unknown-variable", "word/document.xml 表格1 第1行 第2列")
    with pytest.raises(RenderError) as info:
        load_template("demand-letter", path=path, check_variables=False).render(values)
    assert info.value.problems[0].facts["place"] == "表格1 第1行 第2列"
