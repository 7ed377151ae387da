"""A letter filling its page to the last line is followed by its slip on the next page, never by a blank
page: the 送达回证 (and the 债务确认回执) title starts its page itself (page break before), where a
paragraph holding a page break went over to the next page and its break made yet another, an empty
sheet in every printed letter of that length and in the merged print file."""
from __future__ import annotations

from pathlib import Path

import docx
import pytest
from pypdf import PdfReader

from docgen.documents.pdf import convert_to_pdf
from docgen.documents.render import render
from docgen.documents.template import load_template

TITLES = {"demand-letter": ["送 达 回 证"], "guarantor-demand": ["送 达 回 证"],
          "debt-confirmation": ["债 务 确 认 回 执", "送 达 回 证"]}

# A matured loan's letter whose close ends on the last line of its first page (11 pt, 1.15 lines).
FULL_PAGE = {
    "letter_date": "2026-06-30", "bank_legal_name": "陕西眉县农村商业银行股份有限公司", "borrower": "史国强",
    "id_number": "610326196303017151", "borrower_address": "陕西省宝鸡市眉县常兴镇1组",
    "contract_no": "眉农信借字2024第00013号", "loan_date": "2024-06-07", "loan_amount": "100000",
    "maturity": "2024-07-30", "matured": True, "overdue_since": "2024-07-31", "principal_label": "贷款本金余额",
    "principal": "50000", "balance": "50000", "interest": "200", "penalty": "6562.50", "penalty_annual": "6.75%",
    "penalty_daily": "0.01875%", "pay_by": "2026-07-10", "measures": ["credit", "collateral", "suit"],
    "collateral": "房产（眉房权证字第00013号）", "branch": "常兴分理处",
    "branch_address": "陕西省宝鸡市眉县首善街道平阳街1号（眉县支行）", "contact": "眉县支行风险管理部",
    "phone": "0917-5540000",
}


@pytest.mark.parametrize("name", sorted(TITLES))
def test_each_slip_title_starts_its_own_page(name: str) -> None:
    document = docx.Document(str(load_template(name).path))
    starts = [p.text for p in document.paragraphs if p.paragraph_format.page_break_before]
    assert starts == TITLES[name]
    breaks = document.element.body.xpath('.//w:br[@w:type="page"]')
    assert breaks == []


@pytest.mark.soffice
def test_a_letter_filling_its_page_is_followed_by_its_receipt(tmp_path: Path) -> None:
    out = render("demand-letter", FULL_PAGE, tmp_path / "letter.docx", register_path=tmp_path / "r.sqlite").path
    (pdf,) = convert_to_pdf([out], tmp_path / "pdf")
    pages = ["".join((page.extract_text() or "").split()) for page in PdfReader(str(pdf)).pages]
    assert len(pages) == 2
    assert "2026年6月30日" in pages[0][-40:] and pages[1].startswith("送达回证")
