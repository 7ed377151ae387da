"""The shipped Word templates as documents: A4, Chinese fonts and language, page numbers, metadata,
and the committed .docx files in step with their generator (tools/build_templates.py)."""
from __future__ import annotations

from scripts import load_script

import re
import zipfile
from pathlib import Path

import docx
import pytest
import yaml
from docx.oxml.ns import qn

from docgen.documents.template import load_template

ROOT = Path(__file__).resolve().parents[2]
NAMES = ["demand-letter", "debt-confirmation", "guarantor-demand", "commitment-letter", "irrevocable-commitment",
         "shareholder-resolution"]
LOAN_LETTERS = {"demand-letter", "debt-confirmation", "guarantor-demand"}


def _builder(name: str = ""):
    """The script that builds ``name``: the collection letters have their own."""
    return load_script("tools/build_loan_letters.py" if name in LOAN_LETTERS else "tools/build_templates.py")


@pytest.mark.parametrize("name", NAMES)
def test_template_is_a4_with_margins_and_page_numbers(name):
    document = docx.Document(ROOT / "templates" / f"{name}.docx")
    section = document.sections[0]
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297
    assert 20 <= section.left_margin.mm <= 35 and 20 <= section.top_margin.mm <= 40
    footer_xml = section.footer._element.xml
    assert "PAGE" in footer_xml and "NUMPAGES" in footer_xml and "fldChar" in footer_xml


@pytest.mark.parametrize("name", NAMES)
def test_template_styles_carry_east_asian_fonts_and_zh_cn(name):
    with zipfile.ZipFile(ROOT / "templates" / f"{name}.docx") as zf:
        styles = zf.read("word/styles.xml").decode("utf-8")
    document = docx.Document(ROOT / "templates" / f"{name}.docx")
    defaults = document.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    assert defaults.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "宋体"
    assert defaults.find(qn("w:lang")).get(qn("w:eastAsia")) == "zh-CN"
    fonts = {s.name: s.element.find(qn("w:rPr")).find(qn("w:rFonts")).get(qn("w:eastAsia"))
             for s in document.styles if s.name in ("Normal", "Title", "Body Text", "Heading 1")}
    assert fonts == {"Normal": "宋体", "Title": "黑体", "Body Text": "仿宋", "Heading 1": "黑体"}
    assert 'w:eastAsia="zh-CN"' in styles


@pytest.mark.parametrize("name", NAMES)
def test_metadata_is_complete_and_example_validates(name):
    meta = yaml.safe_load((ROOT / "templates" / f"{name}.yaml").read_text(encoding="utf-8"))
    for key in ("title", "category", "key_field", "serial", "filename", "schema", "aliases"):
        assert meta.get(key), (name, key)
    template = load_template(name)
    for field_name, rule in template.schema.items():
        if rule.get("required") and field_name != "serial":
            assert template.aliases.get(field_name), f"{name}.{field_name} has no Chinese header alias"
    example = yaml.safe_load((ROOT / "examples" / "templates" / f"{name}.yaml").read_text(encoding="utf-8"))
    context, problems = template.check(example)
    assert problems == []
    assert template.format_serial(1, context).endswith("00001号")


@pytest.mark.parametrize("name", NAMES)
def test_committed_docx_matches_its_generator(name, tmp_path):
    built = _builder(name).build([name], tmp_path)[0]

    def texts(path):
        document = docx.Document(path)
        body = [p.text for p in document.paragraphs]
        cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
        return body, cells

    assert texts(built) == texts(ROOT / "templates" / f"{name}.docx"), "run: python tools/build_templates.py and tools/build_loan_letters.py"


def test_receipt_slip_and_signature_blocks_are_present():
    document = docx.Document(ROOT / "templates" / "demand-letter.docx")
    text = "\n".join(p.text for p in document.paragraphs)
    assert "送 达 回 证" in text and "经办机构：{{ branch }}（公章）" in text
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    for row in ("受送达人签收", "受送达人证件号码", "受送达人电话", "债务确认", "代收人及与受送达人关系", "送达人签名", "见证人"):
        assert row in cells
    assert any("送达人一：" in c and "送达人二：" in c for c in cells)
    assert any("邮寄单号" in c for c in cells)
    resolution = docx.Document(ROOT / "templates" / "shareholder-resolution.docx")
    rows = [[c.text for c in r.cells] for t in resolution.tables for r in t.rows]
    assert ["{%tr for s in shareholders %}", "", "", "", ""] in rows


@pytest.mark.soffice
def test_every_template_converts_to_pdf_with_borrower_and_amount_in_words(tmp_path):
    from docgen.documents import pdf
    from pypdf import PdfReader

    expected = {
        "demand-letter": ("杭州临平明远五金制品有限公司", "人民币壹拾叁万贰仟壹佰元整"),
        "debt-confirmation": ("龙安", "人民币贰拾贰万肆仟肆佰伍拾元零伍角"),
        "guarantor-demand": ("王建国", "人民币壹佰肆拾贰万伍仟零叁拾壹元贰角伍分"),
        "commitment-letter": ("华安置业发展有限公司", "人民币壹亿元整"),
        "irrevocable-commitment": ("浙江宏建建设集团有限公司", "人民币壹亿捌仟陆佰伍拾万元整"),
        "shareholder-resolution": ("华安置业发展有限公司", "人民币壹亿元整"),
    }
    sources = []
    for name in NAMES:
        template = load_template(name)
        example = yaml.safe_load((ROOT / "examples" / "templates" / f"{name}.yaml").read_text(encoding="utf-8"))
        example.setdefault("serial", template.format_serial(1, example))  # the register's, when the data has none
        path = tmp_path / f"{name}.docx"
        template.write(template.prepare(example), path)
        sources.append(path)
    pdfs = pdf.convert_to_pdf(sources, tmp_path / "pdf", timeout=240)  # ONE LibreOffice run for all
    assert [p.stem for p in pdfs] == NAMES
    for name, path in zip(NAMES, pdfs):
        text = "".join("".join(page.extract_text() or "" for page in PdfReader(path).pages).split())
        borrower, words = expected[name]
        assert borrower in text, name
        assert words in text, name


@pytest.mark.parametrize("name", NAMES)
def test_template_package_keeps_only_the_styles_it_uses(name):
    with zipfile.ZipFile(ROOT / "templates" / f"{name}.docx") as zf:
        names = zf.namelist()
        styles = zf.read("word/styles.xml").decode("utf-8")
        used = set()
        for part in names:
            if part.startswith("word/") and part.endswith(".xml") and part != "word/styles.xml":
                used.update(re.findall(r'<w:(?:pStyle|rStyle|tblStyle) w:val="([^"]+)"', zf.read(part).decode("utf-8")))
    defined = set(re.findall(r'w:styleId="([^"]+)"', styles))
    assert used <= defined  # nothing the letter needs was dropped
    assert len(defined) <= 25  # python-docx's default template has 166
    assert "word/stylesWithEffects.xml" not in names
    assert "<w:latentStyles" not in styles


def test_slim_styles_keeps_what_a_document_uses_and_its_bases(tmp_path):
    from docgen.core.docxbuild import new_document

    doc = new_document()
    doc.add_paragraph("引文", style="Intense Quote")  # built-in styles no helper uses
    doc.add_paragraph("列表", style="List Number 2")
    path = tmp_path / "slim.docx"
    doc.save(str(path))
    reopened = docx.Document(str(path))
    names = {s.name for s in reopened.styles}
    assert {"Intense Quote", "List Number 2", "Normal", "Heading 1", "Body Text"} <= names
    assert "Heading 9" not in names and "Light Grid Accent 1" not in names
    assert [p.style.name for p in reopened.paragraphs] == ["Intense Quote", "List Number 2"]


@pytest.mark.parametrize("path", sorted((ROOT / "templates").glob("*.docx")), ids=lambda p: p.stem)
def test_a_date_column_holds_a_chinese_date_on_one_line(path: Path) -> None:
    # 2026年11月20日 in the table text's size needs about 32 mm besides the cell's margins: a
    # narrower column broke it as 2026年11 / 月20日 (附件九's 确认日期 was 24 mm, 附件二's 日期 34 mm).
    narrow = []
    for table in docx.Document(path).tables:
        widths = [col.w for col in table._tbl.tblGrid.gridCol_lst]
        for title, width in zip((cell.text for cell in table.rows[0].cells), widths):
            if title.endswith("日期") and width is not None and width.mm < 37.5:
                narrow.append((title, round(width.mm)))
    assert narrow == []
