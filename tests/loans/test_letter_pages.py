"""A letter filling its page to the last line is followed by its slip on the next page, never by a blank
page: the 送达回证 (and the 债务确认回执) title starts its page itself (page break before), where a
paragraph holding a page break went over to the next page and its break made yet another, an empty
sheet in every printed letter of that length and in the merged print file.

A letter whose body fills its first page takes the last paragraph of its body over to the next page
with its close (keep with next, that paragraph kept whole): the bank's signature and date never stand
alone on a page, apart from the text they sign."""
from __future__ import annotations

import re
from pathlib import Path

import docx
import pytest
from pypdf import PdfReader

from docgen.documents.pdf import convert_to_pdf
from docgen.documents.render import render
from docgen.documents.template import load_template

LETTERS = {"demand-letter": "特此函告。", "guarantor-demand": "特此通知。", "debt-confirmation": "特此通知。"}
"""Each letter template the letters tool builds, and its sign-off."""

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


# The notice to a joint guarantor of a loan declared due early and matured since (《民法典》第一百三十七条第二款: the
# 罚息 up to maturity reserved in words), whose body ends on the last lines of its first page (12 pt, 1.2 lines).
DECLARED_THEN_MATURED = {
    "letter_date": "2026-12-08", "bank_legal_name": "陕西眉县农村商业银行股份有限公司",
    "guarantor": "宝鸡市眉县常兴镇农产品贸易有限责任公司", "guarantor_address": "陕西省宝鸡市眉县常兴镇1组",
    "guarantor_id": "610326196303017151", "borrower": "史国强", "borrower_id": "610326196303017151",
    "contract_no": "眉农信借字2024第00013号", "loan_date": "2024-06-07", "loan_amount": "500000",
    "maturity": "2026-12-01", "matured": True, "declared_early": True, "declaration_serial": "催字〔2026〕第00001号",
    "declared_on": "2026-11-28", "penalty_reserved": True, "overdue_since": "2026-11-19", "overdue_items": "本息",
    "guarantee_period_end": "2027-05-28", "principal_label": "贷款本金余额", "principal": "420000",
    "interest": "1523.45", "penalty": "1600", "pay_by": "2026-12-18", "branch": "常兴分理处",
    "branch_address": "陕西省宝鸡市眉县首善街道平阳街1号（眉县支行）", "contact": "眉县支行风险管理部",
    "phone": "0917-5540000",
}
LAST_BODY = "如对上述金额有异议，请于收到本通知之日起三日内与我行联系。"


@pytest.mark.parametrize("name", sorted(LETTERS))
def test_each_letters_close_is_kept_with_the_last_paragraph_of_its_body(name: str) -> None:
    paragraphs = docx.Document(str(load_template(name).path)).paragraphs
    texts = [p.text for p in paragraphs]
    sign_off = texts.index(LETTERS[name])
    last = paragraphs[sign_off - 1]
    # A paragraph printed whatever the data (a tag paragraph, removed when rendering, would keep nothing).
    assert last.style.name == "Body Text" and not last.text.startswith("{%")
    assert last.paragraph_format.keep_together  # it goes over whole
    date = next(i for i in range(sign_off, len(texts)) if texts[i] == "{{ letter_date|date_cn }}")
    assert [bool(p.paragraph_format.keep_with_next) for p in paragraphs[sign_off - 1:date + 1]] == \
        [True] * (date - sign_off + 1) + [False]


def _pages(pdf: Path) -> list[str]:
    """Return each page's text without white space and without its footer (第1页共3页)."""
    texts = ["".join((page.extract_text() or "").split()) for page in PdfReader(str(pdf)).pages]
    return [re.sub(r"第\d+页共\d+页$", "", text) for text in texts]


@pytest.mark.soffice
def test_a_notice_whose_body_fills_its_page_takes_its_last_paragraph_over_with_the_signature(tmp_path: Path) -> None:
    out = render("guarantor-demand", DECLARED_THEN_MATURED, tmp_path / "notice.docx",
                 register_path=tmp_path / "r.sqlite").path
    assert LAST_BODY in [p.text for p in docx.Document(str(out)).paragraphs]
    (pdf,) = convert_to_pdf([out], tmp_path / "pdf")
    pages = _pages(pdf)
    assert len(pages) == 3  # no blank page
    # Page 2 opens with the body's last paragraph, then the close, signature and date.
    assert pages[1].startswith(LAST_BODY + "特此通知。") and pages[1].endswith("2026年12月8日")
    # The body runs to the foot of page 1: its demand (第六百九十四条第二款) ends there.
    assert pages[0].endswith("贵方保证债务的诉讼时效自本通知送达之日起计算。")
    assert pages[2].startswith("送达回证")
