"""Report formats (text, Markdown, docx, json) on a hand-built §5 dict and on real checks."""
from __future__ import annotations

from docxtext import docx_text

import datetime as dt
import io
import json
import re

import docx
import pytest
from docx.oxml.ns import qn
from docx.shared import Mm

from docgen.check.report import run_check
from docgen.check.output import check_report
from docgen.check.formats import (
    ReportMeta,
    draftable_entries,
    render,
    render_docx,
    render_markdown,
    render_text,
    summary_line,
)
from docgen.core.textwidth import display_width
from example_helper import EXAMPLE_AS_OF, EXAMPLE_BUNDLE, make_bundle
from wordingkit import punctuation_problems

ANSI = re.compile(r"\x1b\[[0-9;]*m")
AS_OF = dt.date.fromisoformat(EXAMPLE_AS_OF)


def hand_report() -> dict:
    """A small DESIGN §5 report: every status, a stage finding, a bundle-level finding, a draftable annex."""
    return {
        "checklist": "dev-loan", "bundle": "客户/华安", "as_of": "2026-11-28", "complete": False,
        "stages": [
            {"id": "pre-application", "complete": False, "items": [
                {"id": "business-license", "no": "1", "title": {"zh": "营业执照正副本复印件", "en": "Business licence"},
                 "status": "ok", "files": ["01-申请前期/营业执照.pdf"]},
                {"id": "org-code-cert", "no": "2", "title": {"zh": "组织机构代码证正副本复印件", "en": "Org code"},
                 "status": "waived", "files": []},
                {"id": "site-plan", "no": "13", "title": {"zh": "项目总平图", "en": "Site plan"},
                 "status": "missing", "files": []},
                {"id": "credit-report", "no": "B3", "title": {"zh": "企业基本信息信用报告", "en": "Credit report"},
                 "status": "invalid", "files": ["银行/征信|报告.pdf"]},
            ]},
            {"id": "pre-contract", "complete": True, "items": [
                {"id": "loan-contract", "no": "7", "title": {"zh": "固定资产借款合同", "en": "Loan contract"},
                 "status": "ok", "files": ["02/借款合同.pdf"]},
            ]},
        ],
        "files": [],
        "findings": [
            {"code": "missing", "severity": "error", "stage": "pre-application", "item": "site-plan",
             "path": None, "message": "缺少项目总平图"},
            {"code": "stale", "severity": "warning", "stage": "pre-application", "item": "credit-report",
             "path": None, "message": "企业基本信息信用报告已过时"},
            {"code": "invalid-data", "severity": "error", "stage": None, "item": None, "path": "bundle.yaml",
             "message": "bundle.yaml 字段 borrower.uscc:校验位不正确"},
        ],
        "draftable": [{"id": "commitment-letter", "annex": "附件四", "template": "commitment-letter",
                       "title": {"zh": "承诺函", "en": "Commitment letter"}}],
    }


META = ReportMeta(
    checklist_title={"zh": "房地产开发贷款资料清单", "en": "Development loan checklist"},
    stage_titles={"pre-application": {"zh": "申请开发贷前期所需提供资料", "en": "Application documents"},
                  "pre-contract": {"zh": "签订借款合同和抵押合同前汇签资料", "en": "Before signing"}},
    providers={"business-license": "client", "credit-report": "bank"},
    borrower="华安置业发展有限公司", project="云栖花园一期",
)


# ---- pieces -----------------------------------------------------------------------------------


def test_summary_line_exact_in_both_languages():
    report = hand_report()
    assert summary_line(report, "zh") == "不完整：2 个阶段，5 项，缺失 1，无效 1，警告 1"
    assert summary_line(report, "en") == "INCOMPLETE: 2 stages, 5 items, 1 missing, 1 invalid, 1 warning"
    report["complete"] = True
    assert summary_line(report, "zh").startswith("完整：")
    assert summary_line(report, "en").startswith("COMPLETE: ")


def test_draftable_entries_label_and_command():
    report = {"bundle": "客户资料/华安 置业", "draftable": [{"id": "commitment-letter", "annex": "附件四", "template": "commitment-letter",
                             "title": {"zh": "承诺函", "en": "Commitment letter"}},
                            {"id": "x", "annex": None, "template": "npl-report", "title": {"zh": "", "en": ""}}]}
    assert draftable_entries(report, "zh") == [
        ("附件四 承诺函", "docgen draft '客户资料/华安 置业' --annex 4"),  # quoted for the shell
        ("npl-report", "docgen render npl-report …"),  # not an annex: its data is not in bundle.yaml
    ]
    assert draftable_entries(report, "en")[0] == ("Annex 4 Commitment letter", "docgen draft '客户资料/华安 置业' --annex 4")


# ---- text -------------------------------------------------------------------------------------


def test_text_table_aligns_cjk_columns_and_ends_in_summary():
    text = render_text(hand_report(), "zh", color=False, meta=META)
    lines = text.splitlines()
    assert lines[-1] == "不完整：2 个阶段，5 项，缺失 1，无效 1，警告 1"
    assert "\x1b[" not in text
    # The files column starts at the same display column on the header and every item row.
    stage = lines.index(next(line for line in lines if "申请开发贷前期所需提供资料" in line))
    table = lines[stage + 1: stage + 6]
    assert table[0].split()[:3] == ["状态", "序号", "资料名称"]
    starts = {display_width(row[: row.index(marker)])
              for row, marker in zip(table, ["文件", "01-申请前期", "—", "—", "银行"])}
    assert len(starts) == 1
    assert [row.split()[0] for row in table[1:]] == ["✓", "○", "✗", "!"]
    assert "13：缺少项目总平图" in text
    assert "bundle.yaml 字段 borrower.uscc:校验位不正确（bundle.yaml）" in text
    assert "可立即起草的附件：附件四 承诺函（docgen draft 客户/华安 --annex 4）" in text
    assert "借款人：华安置业发展有限公司" in text


def test_text_colour_only_when_asked():
    coloured = render_text(hand_report(), "zh", color=True, meta=META)
    assert "\x1b[" in coloured
    assert ANSI.sub("", coloured) == render_text(hand_report(), "zh", color=False, meta=META)


def test_text_english_titles_and_summary():
    text = render_text(hand_report(), "en", meta=META)
    assert "  ✓       1    Business licence  01-申请前期/营业执照.pdf" in text.splitlines()
    assert "Stage 1/2  Application documents (pre-application)  incomplete" in text
    assert text.splitlines()[-1] == "INCOMPLETE: 2 stages, 5 items, 1 missing, 1 invalid, 1 warning"


def test_text_without_meta_falls_back_to_ids():
    text = render_text(hand_report(), "zh")
    assert "阶段 1/2  pre-application（pre-application）" in text


# ---- markdown ---------------------------------------------------------------------------------


def test_markdown_headings_tables_findings_summary():
    md = render_markdown(hand_report(), "zh", meta=META)
    assert md.startswith("# 资料清单检查：华安置业发展有限公司\n")
    assert "## 1. 申请开发贷前期所需提供资料（`pre-application`）：不完整" in md
    english = render_markdown(hand_report(), "en", meta=META)
    assert "## 1. Application documents (`pre-application`): incomplete" in english
    assert "| 状态 | 序号 | 资料名称 | 文件 |" in md
    assert "| ✗ | 13 | 项目总平图 | — |" in md
    assert "| ! | B3 | 企业基本信息信用报告 | 银行/征信\\|报告.pdf |" in md  # pipe escaped
    assert "- ! B3：企业基本信息信用报告已过时" in md
    assert "- 附件四 承诺函：`docgen draft 客户/华安 --annex 4`" in md
    assert "**不完整：2 个阶段，5 项，缺失 1，无效 1，警告 1**" in md


# ---- docx -------------------------------------------------------------------------------------


def _docx_text(data: bytes) -> tuple[docx.document.Document, str]:
    document = docx.Document(io.BytesIO(data))
    return document, docx_text(document, cell_sep="\t")


def _json_text(value: object) -> str:
    """Return every string of a loaded JSON document, one a line: what people read of it (its
    quotation marks and the English keys are JSON's syntax)."""
    if isinstance(value, str):
        return value
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    return "\n".join(_json_text(item) for item in items)


def test_docx_is_a_printable_checklist():
    document, text = _docx_text(render_docx(hand_report(), "zh", meta=META))
    assert document.paragraphs[0].text == "房地产开发贷款资料清单"
    assert "借款人：华安置业发展有限公司" in text
    assert "检查日期：2026-11-28" in text
    assert len(document.tables) == 2
    header = [c.text for c in document.tables[0].rows[0].cells]
    assert header == ["序号", "资料名称", "提供方", "状态", "文件"]
    rows = [[c.text for c in r.cells] for r in document.tables[0].rows[1:]]
    assert rows[0] == ["1", "营业执照正副本复印件", "客户", "✓", "01-申请前期/营业执照.pdf"]
    assert [r[3] for r in rows] == ["✓", "免", "✗", "✗"]
    assert rows[3][2] == "银行"
    assert "13：缺少项目总平图" in text
    assert [p.text for p in document.paragraphs if p.style.name == "Heading 1"][:2] == [
        "1. 申请开发贷前期所需提供资料（不完整）", "2. 签订借款合同和抵押合同前汇签资料（完整）"]
    assert "不完整：2 个阶段，5 项，缺失 1，无效 1，警告 1" in [p.text for p in document.paragraphs]
    assert document.paragraphs[-1].text == "客户经理：____________    复核人：____________    日期：____________"
    section = document.sections[0]
    # Word stores twips, so millimetres come back rounded.
    assert abs(section.page_width - Mm(210)) < Mm(0.1) and abs(section.page_height - Mm(297)) < Mm(0.1)
    fonts = document.styles["Normal"].element.rPr.find(qn("w:rFonts"))
    assert fonts.get(qn("w:eastAsia")) == "宋体"
    lang = document.styles["Normal"].element.rPr.find(qn("w:lang"))
    assert lang.get(qn("w:eastAsia")) == "zh-CN"


def test_docx_title_without_and_with_checklist_title():
    plain, _ = _docx_text(render_docx(hand_report(), "zh"))
    assert plain.paragraphs[0].text == "资料清单"
    other = ReportMeta(checklist_title={"zh": "流动资金贷款"})
    named, _ = _docx_text(render_docx(hand_report(), "zh", meta=other))
    assert named.paragraphs[0].text == "流动资金贷款资料清单"


def test_docx_english_labels():
    document, text = _docx_text(render_docx(hand_report(), "en", meta=META))
    assert document.paragraphs[0].text == "Document checklist: Development loan checklist"
    assert "No.\tDocument\tProvider\tStatus\tFiles" in text
    assert "Account manager: ____________" in text
    assert "1. Application documents (incomplete)" in [p.text for p in document.paragraphs]


def _footer(document: docx.document.Document) -> list[tuple[str, str]]:
    """Return every section footer's runs in order: ``("text", …)`` for a run's text, ``("field",
    …)`` for a field's instruction, ``("mark", begin|separate|end)`` for its field characters."""
    runs = []
    for section in document.sections:
        for paragraph in section.footer.paragraphs:
            for run in paragraph.runs:
                for child in run._element:
                    if child.tag == qn("w:t"):
                        runs.append(("text", child.text))
                    elif child.tag == qn("w:instrText"):
                        runs.append(("field", child.text))
                    elif child.tag == qn("w:fldChar"):
                        runs.append(("mark", child.get(qn("w:fldCharType"))))
    return runs


def _numbered(before: str, between: str, after: str) -> list[tuple[str, str]]:
    """The footer runs of ``{before}PAGE{between}NUMPAGES{after}``, each field showing 1 until updated."""
    def field(name: str) -> list[tuple[str, str]]:
        return [("mark", "begin"), ("field", f" {name} "), ("mark", "separate"), ("text", "1"), ("mark", "end")]

    return [("text", before), *field("PAGE"), ("text", between), *field("NUMPAGES")] + (
        [("text", after)] if after else [])


def test_docx_page_footer_is_in_the_reports_language():
    english, _ = _docx_text(render_docx(hand_report(), "en", meta=META))
    assert _footer(english) == _numbered("Page ", " of ", "")
    assert english.sections[0].footer.paragraphs[0].text == "Page 1 of 1"
    chinese, _ = _docx_text(render_docx(hand_report(), "zh", meta=META))
    assert _footer(chinese) == _numbered("第 ", " 页 共 ", " 页")
    assert chinese.sections[0].footer.paragraphs[0].text == "第 1 页 共 1 页"


def test_docx_english_column_titles_have_room():
    # Provider and Status are wider words than 提供方 and 状态: their columns are widened from the title's
    def widths(lang: str) -> list[int]:
        document, _ = _docx_text(render_docx(hand_report(), lang, meta=META))
        return [round(cell.width / Mm(1)) for cell in document.tables[0].rows[0].cells]

    assert widths("zh") == [12, 70, 16, 14, 48]
    assert widths("en") == [12, 59, 23, 18, 48]


def test_render_json_is_the_dict_verbatim():
    report = hand_report()
    assert json.loads(render(report, "json")) == report
    assert "营业执照" in render(report, "json")  # ensure_ascii=False
    with pytest.raises(ValueError):
        render(report, "pdf")


# ---- on real checks ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def complete_bundle(tmp_path_factory):
    return make_bundle().build(tmp_path_factory.mktemp("complete") / "华安", demo=False)


def test_every_format_on_a_complete_bundle(complete_bundle):
    report = run_check(complete_bundle, as_of=AS_OF, jobs=2)
    data = report.to_dict("zh")
    assert data["complete"] is True, [f["message"] for f in data["findings"]]
    line = summary_line(data)
    assert line.startswith("完整：3 个阶段，") and line.endswith("缺失 0，无效 0，警告 0")
    text = render_text(data, "zh")
    assert text.splitlines()[-1] == line
    rows = [row for row in text.splitlines() if row.startswith("  ") and row.split()[0] in "✓✗!○"]
    assert len(rows) == 59 and {row.split()[0] for row in rows} <= {"✓", "○"}
    assert f"**{line}**" in render_markdown(data)
    _, doc_text = _docx_text(render_docx(data))
    assert "✗" not in doc_text and "✓" in doc_text and line in doc_text


@pytest.fixture(scope="module")
def example_output():
    return check_report(EXAMPLE_BUNDLE, fmt="text", as_of=AS_OF, jobs=2)


@pytest.mark.parametrize("fmt", ["text", "markdown", "docx", "json"])
def test_every_format_on_the_example_bundle(example_output, fmt):
    assert example_output.complete is False
    line = "不完整：3 个阶段，59 项，缺失 2，无效 10，警告 3"
    assert summary_line(example_output.data) == line
    rendered = render(example_output.data, fmt, "zh", meta=example_output.meta)
    # GB/T 15834 throughout the Chinese report, its headings and the findings' wording alike
    shown = {"docx": lambda: _docx_text(rendered)[1], "json": lambda: _json_text(json.loads(rendered))}
    assert punctuation_problems(shown.get(fmt, lambda: rendered)()) == []
    if fmt == "text":
        assert rendered == example_output.rendered
        assert rendered.splitlines()[-1] == line
        assert "借款人：华安置业发展有限公司    项目：云栖花园一期" in rendered
    elif fmt == "markdown":
        assert f"**{line}**" in rendered
    elif fmt == "docx":
        _, text = _docx_text(rendered)
        assert "借款人：华安置业发展有限公司" in text and line in text and "客户经理：" in text
    else:
        assert json.loads(rendered) == example_output.data


def test_group_subheadings_from_the_checklist(example_output):
    lines = example_output.rendered.splitlines()
    first = lines.index("  【申请人基本资料】")
    assert lines[first + 1].split()[:2] == ["✓", "1"]
    bank = lines.index("  【银行上报资料（银行提供）】")
    assert lines[bank + 1].split()[1] == "B1"
    md = render_markdown(example_output.data, "en", meta=example_output.meta)
    assert "|  |  | **Project documents** |  |" in md
    document, _ = _docx_text(render_docx(example_output.data, "zh", meta=example_output.meta))
    group_rows = [r for r in document.tables[0].rows if len({c._tc for c in r.cells}) == 1]
    assert [r.cells[0].text for r in group_rows] == ["申请人基本资料", "项目资料", "银行上报资料（银行提供）"]
