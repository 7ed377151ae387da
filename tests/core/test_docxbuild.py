"""``add_paragraphs``: a long list in one style, in order, before what is added after it."""
from __future__ import annotations

import io

import docx

from docgen.core.docxbuild import add_paragraphs, new_document


def test_paragraphs_keep_their_order_style_and_text_and_what_follows_them() -> None:
    doc = new_document()
    doc.add_paragraph("前言")
    texts = [f"第{i}项\t缺失" for i in range(3000)] + ["末项\n换行"]
    added = add_paragraphs(doc, texts, "List Bullet")
    doc.add_paragraph("结语")
    buffer = io.BytesIO()
    doc.save(buffer)
    read = docx.Document(io.BytesIO(buffer.getvalue())).paragraphs
    assert [p.text for p in read] == ["前言", *texts, "结语"]
    assert {p.style.name for p in read[1:-1]} == {"List Bullet"} and read[-1].style.name != "List Bullet"
    assert [p.text for p in added] == texts
    assert add_paragraphs(doc, [], "List Bullet") == []
