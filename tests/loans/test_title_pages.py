"""A document whose page before a new part is filled to its last line goes on with that part on the
next page, never after a blank page: the 授权书 after the 股东会决议 and the 附件 after the NPL
report start their page themselves (page break before), where a paragraph holding a page break went
over to the next page and its break made yet another, empty, page."""
from __future__ import annotations

import dataclasses
from pathlib import Path

import docx
import pytest
import yaml
from pypdf import PdfReader

from docgen.documents.pdf import convert_to_pdf
from docgen.documents.template import load_template
from docgen.loans.npl import parse_period
from docgen.loans.npl_report import load_notes, read_figures, render_report

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
STARTS = {"shareholder-resolution": ["授 权 书"], "npl-report": ["附件"]}


def _full_resolution() -> bytes:
    """The example 股东会决议 pledging 31 buildings: its signature date ends on the last line of page 2."""
    data = yaml.safe_load((EXAMPLES / "templates" / "shareholder-resolution.yaml").read_text(encoding="utf-8"))
    data["serial"] = "决字〔2026〕第00001号"
    data["collateral"] += [f"云栖花园一期项目第{i}幢在建工程" for i in range(1, 30)]
    template = load_template("shareholder-resolution")
    return template.render(template.prepare(data))


def _full_report() -> bytes:
    """The example NPL report with a third plan paragraph: its date ends on the last line of page 7."""
    ledger = EXAMPLES / "ledger"
    figures = read_figures(ledger / "ledger-2026Q2.xlsx", ledger / "ledger-2026Q1.xlsx",
                           period=parse_period("2026Q2"), targets=ledger / "targets.yaml")
    notes = load_notes(ledger / "notes.yaml")
    plan = notes.plan + ["三是" + "对重点户逐户落实清收责任人，" * 5 + "按月通报清收进度。"]
    return render_report(figures, dataclasses.replace(notes, plan=plan), branch="眉县支行")


# name: (the filled document, its page count, the date closing the filled page, what the next page starts with)
FULL_PAGE = {
    "shareholder-resolution": (_full_resolution, 3, "2026年11月18日", "授权书"),
    "npl-report": (_full_report, 8, "2026年6月30日", "附件表内贷款五级分类检查"),
}


@pytest.mark.parametrize("name", sorted(STARTS))
def test_the_part_after_a_page_break_starts_its_own_page(name: str) -> None:
    document = docx.Document(str(load_template(name).path))
    starts = [p.text for p in document.paragraphs if p.paragraph_format.page_break_before]
    assert starts == STARTS[name]
    assert document.element.body.xpath('.//w:br[@w:type="page"]') == []


@pytest.mark.soffice
@pytest.mark.parametrize("name", sorted(FULL_PAGE))
def test_a_filled_page_is_followed_by_the_next_part(tmp_path: Path, name: str) -> None:
    build, count, date, start = FULL_PAGE[name]
    out = tmp_path / f"{name}.docx"
    out.write_bytes(build())
    (pdf,) = convert_to_pdf([out], tmp_path / "pdf")
    pages = ["".join((page.extract_text() or "").split()) for page in PdfReader(str(pdf)).pages]
    assert len(pages) == count
    assert date in pages[-2][-40:] and pages[-1].startswith(start)
