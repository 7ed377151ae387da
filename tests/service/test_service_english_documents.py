"""The single-document form and the batch page read in English (the ``lang`` cookie ``en``): the form's
fields are labelled in English (each field's ``label_en``, else its Chinese label), and why the data
cannot be filled in, a template rule's own sentence among them, is said in English (the rule's
``message_en``, else the documents table's English); in Chinese, and on the API, as before."""
from __future__ import annotations

import csv
import html
import io
import re

import pytest
from fastapi.testclient import TestClient

from docgen.core.errors import DocgenError
from docgen.documents.batch import generate, resolve_template
from docgen.documents.register import Register
from docgen.service.work import failure
from service_helpers import EXAMPLES, rows_csv
from test_service_english_loans import _csrf, _docgen_worded_cjk, _text, _user


def _demand_letter(**changed: str) -> dict[str, str]:
    from docgen.documents.template import load_data

    data = load_data(EXAMPLES / "templates" / "demand-letter.yaml")
    form = {k: (v.isoformat() if hasattr(v, "isoformat") else str(v)) for k, v in data.items()
            if not isinstance(v, list)}
    # no penalty interest: the example's contract agrees one, which the form's checkbox would have to say
    return {**form, "penalty": "0", **changed}


def _render(client: TestClient, data: dict[str, str]):
    form = client.get("/render/demand-letter")
    return client.post("/render/demand-letter", data={"csrf": _csrf(form.text), **data})


def _field_errors(page: str, field: str) -> list[str]:
    block = page.split(f'id="field-{field}"')[1].split("</div>")[0]
    return [_text(m) for m in re.findall(r'<p class="field-error">(.*?)</p>', block)]


def test_why_a_document_cannot_be_filled_in_is_said_in_english(api) -> None:
    data = _demand_letter(pay_by="2026-11-20")  # before the letter
    english = _user(api, "backoffice", "en", "/render")
    page = _render(english, data)
    assert page.status_code == 422, page.text
    assert _field_errors(page.text, "pay_by") == ["the date to repay by should be after the letter's date, "
                                                  "got 2026-11-20"]
    assert "Please correct the fields marked in red — template demand-letter: the data failed its checks (1 problem)" \
        in _text(page.text)
    # the form's labels in English too: only the template's title and the data typed stay Chinese
    from docgen.documents.template import load_template

    assert _docgen_worded_cjk(page.text, [load_template("demand-letter").title, *data.values()]) == []
    chinese = _render(_user(api, "backoffice", "zh", "/render"), data)
    assert _field_errors(chinese.text, "pay_by") == ["还款期限应晚于发函日期，收到 2026-11-20"]
    answer = api.client.post("/api/render/demand-letter", headers=api.headers("backoffice"), json=data)
    assert answer.status_code == 422
    assert answer.json()["problems"][0]["message"] == "还款期限应晚于发函日期，收到 2026-11-20"  # the API's, Chinese
    # a value the schema refuses, in the schema's (core's) English
    page = _render(english, _demand_letter(loan_amount="很多"))
    assert page.status_code == 422, page.text
    assert len(_field_errors(page.text, "loan_amount")) == 1
    assert _docgen_worded_cjk(page.text, [load_template("demand-letter").title, "很多", *data.values()]) == []


def _field_paths(template) -> set[str]:
    """Every field the form of ``template`` asks for: ``borrower``, ``shareholders.name``."""
    return {path for f in template.fields() if f["name"] != "serial"
            for path in [f["name"], *(f"{f['name']}.{i['name']}" for i in f.get("items") or [])]}


def test_every_field_of_every_form_has_an_english_label() -> None:
    from docgen.service.pages import _form_templates

    templates = _form_templates()
    assert len(templates) >= 13
    for template in templates:
        assert _field_paths(template) - set(template.labels_en) == set(), template.name
        assert not [label for label in template.labels_en.values() if re.search(r"[\u4e00-\u9fff]", label)]


def test_the_english_form_labels_its_fields_in_english_and_the_chinese_form_keeps_its_labels(api) -> None:
    from docgen.service.pages import _form_templates

    english, chinese = _user(api, "backoffice", "en", "/render"), _user(api, "backoffice", "zh", "/render")
    for template in _form_templates():
        page_en = english.get(f"/render/{template.name}")
        page_zh = chinese.get(f"/render/{template.name}")
        assert page_en.status_code == page_zh.status_code == 200
        shown_en, shown_zh = _text(page_en.text), _text(page_zh.text)
        for path, label in template.labels_en.items():
            assert label in shown_en, (template.name, path)
            assert label not in shown_zh, (template.name, path)
        # no Chinese on the English form, the template's title included (its ``title_en``)
        assert _docgen_worded_cjk(page_en.text, []) == [], template.name
        # the Chinese form labels each field by its first Chinese alias (else its name), as before
        for f in template.fields():
            if f["name"] != "serial":
                assert (f["aliases"] or [f["name"]])[0] in shown_zh, (template.name, f["name"])
            for item in f.get("items") or []:
                assert f'aria-label="{(item["aliases"] or [item["name"]])[0]}"' in page_zh.text
    # a list's columns: their headers and each input's name for a screen reader
    form = english.get("/render/shareholder-resolution").text
    assert "<th>Shareholder&#39;s name *</th>" in form and 'aria-label="Vote"' in form
    assert "<legend>Shareholders present *</legend>" in form


def test_a_field_without_an_english_label_keeps_its_chinese_one_on_the_english_form(tmp_path) -> None:
    from docgen.core.resources import templates_dir
    from docgen.documents.template import load_template
    from docgen.service.pages import _form_fields

    shipped = templates_dir()
    meta = (shipped / "commitment-letter.yaml").read_text(encoding="utf-8")
    for label in (', label_en: "Borrower"', ', meta: {label_en: "Shareholder\'s name"}'):
        assert label in meta
        meta = meta.replace(label, "")
    (tmp_path / "bank.yaml").write_text(meta, encoding="utf-8")
    (tmp_path / "bank.docx").write_bytes((shipped / "commitment-letter.docx").read_bytes())
    template = load_template(path=tmp_path / "bank.docx", meta=tmp_path / "bank.yaml")
    assert "borrower" not in template.labels_en and "shareholders.name" not in template.labels_en
    fields = {f["name"]: f for f in _form_fields(template, "en") or []}
    assert (fields["borrower"]["label"], fields["bank"]["label"]) == ("借款人", "Lending bank")
    assert [i["label"] for i in fields["shareholders"]["items"]] == ["股东名称", "Shareholder's ID number"]
    assert fields["shareholders"]["label"] == "Shareholders"
    chinese = {f["name"]: f for f in _form_fields(template) or []}
    assert (chinese["borrower"]["label"], chinese["bank"]["label"]) == ("借款人", "贷款银行")


def test_a_rule_without_english_of_its_own_is_said_by_the_tables_english(api) -> None:
    data = _demand_letter(principal="6000000")  # more than the balance and the amount lent
    page = _render(_user(api, "backoffice", "en", "/render"), data)
    assert page.status_code == 422, page.text
    assert _field_errors(page.text, "principal") == [
        "the principal demanded should not be more than the loan's balance, got 6,000,000.00 (more than "
        "1,375,000.00)"]
    from docgen.documents.messages import MESSAGES

    facts = {"field": "principal", "value": 6000000, "limit_field": "balance", "limit": 1375000, "message": "应还本金过多"}
    assert MESSAGES.text("amount-above", facts, "en") == ("should not be more than balance, got 6,000,000.00 (more than "
                                                           "1,375,000.00)")


def _rows_with(column: str, value: str) -> bytes:
    """The example sheet's first 3 rows, the second's ``column`` (a header) set to ``value``."""
    rows = list(csv.reader(io.StringIO(rows_csv(3).decode("utf-8"))))
    rows[2][rows[0].index(column)] = value
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8")


def test_a_batchs_rows_refused_are_said_in_english(api) -> None:
    english = _user(api, "backoffice", "en", "/batch")
    form = english.get("/batch")
    header = next(csv.reader(io.StringIO(rows_csv(1).decode("utf-8"))))
    pay_by = next(h for h in header if h in ("还款期限", "限期还款日", "最后还款日"))
    answer = english.post("/batch", data={"csrf": _csrf(form.text), "template": "demand-letter"},
                          files={"rows": ("名单.csv", _rows_with(pay_by, "2020-01-01"), "text/csv")})
    assert answer.status_code == 422, answer.text
    text = _text(answer.text)
    assert "名单.csv: 1 error in the data; no document was made; correct the rows and upload again" in text, text
    assert re.search(r"<td>3</td><td>\w+ \(" + pay_by + r"\)</td><td>pay_by</td><td>the date to repay by should be "
                     r"after the letter's date, got 2020-01-01</td>", html.unescape(answer.text)), answer.text
    titles = re.findall(r"<option[^>]*>([^<]+)</option>", answer.text)  # the templates' own titles
    assert _docgen_worded_cjk(answer.text, ["名单.csv", pay_by] + titles) == []
    chinese = _user(api, "backoffice", "zh", "/batch")
    answer = chinese.post("/batch", data={"csrf": _csrf(chinese.get("/batch").text), "template": "demand-letter"},
                          files={"rows": ("名单.csv", _rows_with(pay_by, "2020-01-01"), "text/csv")})
    assert "还款期限应晚于发函日期，收到 2020-01-01" in answer.text


def test_a_batch_items_problems_keep_its_key_in_english(tmp_path) -> None:
    # the letters job checks (loan number, data) items: each problem names its loan, in English too
    with Register(tmp_path / "reg.sqlite") as register, pytest.raises(DocgenError) as refused:
        generate(resolve_template("demand-letter"), [("B1", {"borrower": "甲公司"})], tmp_path / "out",
                 register=register)
    zh, en = failure(refused.value, {}, "zh"), failure(refused.value, {}, "en")
    assert zh["problems"] and all(p["message"].startswith("[B1] ") for p in zh["problems"])
    assert [p["message"] for p in en["problems"]][:1] == ["[B1] required field missing"]
    assert all(p["message"].startswith("[B1] ") for p in en["problems"])


def _escaped(text: str) -> str:
    """Return ``text`` as the pages' templates write it (Jinja2's escaping: ``'`` is ``&#39;``)."""
    from markupsafe import escape

    return str(escape(text))


def test_the_english_pages_name_each_template_by_its_english_title_and_the_chinese_pages_by_its_chinese(api) -> None:
    """The single-document list and form and the batch page's choice showed a template's Chinese title on an
    English page: each shipped template gives its ``title_en`` beside its ``title``."""
    from docgen.documents.template import list_templates
    from docgen.service.pages import _batch_templates, _form_templates

    shipped = list_templates()
    assert [t.name for t in shipped if t.title_en == t.title or re.search(r"[\u4e00-\u9fff]", t.title_en)] == []
    english, chinese = _user(api, "backoffice", "en", "/render"), _user(api, "backoffice", "zh", "/render")
    listed_en, listed_zh = _text(english.get("/render").text), _text(chinese.get("/render").text)
    batch_en, batch_zh = _text(english.get("/batch").text), _text(chinese.get("/batch").text)
    for template in _form_templates():
        assert template.title_en in listed_en and template.title not in listed_en, template.name
        assert template.title in listed_zh and template.title_en not in listed_zh, template.name
        form_en, form_zh = english.get(f"/render/{template.name}").text, chinese.get(f"/render/{template.name}").text
        assert f"<title>{_escaped(template.title_en)} · docgen</title>" in form_en, template.name
        assert f"<h1>Single document: {_escaped(template.title_en)}</h1>" in form_en, template.name
        assert f"<h1>单份文书：{template.title}</h1>" in form_zh and template.title_en not in _text(form_zh)
    for template in _batch_templates():
        assert f"{template.title_en} ({template.name})" in batch_en and template.title not in batch_en
        assert f"{template.title}（{template.name}）" in batch_zh and template.title_en not in batch_zh


def test_a_drafted_annex_is_named_by_its_english_title_on_the_english_page(api, tmp_path) -> None:
    from service_helpers import bundle_zip

    archive = bundle_zip(tmp_path / "华安置业.zip")
    pages = {}
    for lang in ("en", "zh"):
        client = _user(api, "credit", lang, "/draft")
        form = client.get("/draft")
        answer = client.post("/draft", data={"csrf": _csrf(form.text), "annex": ["4", "6"], "as_of": "2026-11-28"},
                             files={"bundle": (archive.name, archive.read_bytes(), "application/zip")})
        assert answer.status_code == 200, answer.text
        pages[lang] = answer.text
    for title_en, title in (("Letter of commitment", "承诺函"),
                            ("Agreement on the closed management of a real estate project's funds",
                             "房地产项目资金封闭运作管理协议书")):
        assert f"<td>{_escaped(title_en)}</td>" in pages["en"] and f"<td>{title}</td>" not in pages["en"]
        assert f"<td>{title}</td>" in pages["zh"] and _escaped(title_en) not in pages["zh"]
    # the API's answer gives both, as docgen draft --format json does
    answer = api.client.post("/api/draft", headers=api.headers("credit"), data={"annex": "6", "as_of": "2026-11-28"},
                             files={"bundle": (archive.name, archive.read_bytes(), "application/zip")})
    (annex,) = answer.json()["annexes"]
    assert (annex["title"], annex["title_en"]) == ("房地产项目资金封闭运作管理协议书",
                                                   "Agreement on the closed management of a real estate project's funds")
