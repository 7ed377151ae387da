"""The single-document form and the batch page read in English (the ``lang`` cookie ``en``): why the data
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
    # the form's labels are the template's own (Chinese), as its fields are named in the sheet
    from docgen.documents.template import load_template

    labels = (re.findall(r"<label>([^<*]+)", page.text) + re.findall(r"<legend>([^<*]+)", page.text)
              + [load_template("demand-letter").title])
    assert _docgen_worded_cjk(page.text, labels + list(data.values())) == []
    chinese = _render(_user(api, "backoffice", "zh", "/render"), data)
    assert _field_errors(chinese.text, "pay_by") == ["还款期限应晚于发函日期，收到 2026-11-20"]
    answer = api.client.post("/api/render/demand-letter", headers=api.headers("backoffice"), json=data)
    assert answer.status_code == 422
    assert answer.json()["problems"][0]["message"] == "还款期限应晚于发函日期，收到 2026-11-20"  # the API's, Chinese
    # a value the schema refuses, in the schema's (core's) English
    page = _render(english, _demand_letter(loan_amount="很多"))
    assert page.status_code == 422, page.text
    assert len(_field_errors(page.text, "loan_amount")) == 1
    assert _docgen_worded_cjk(page.text, labels + ["很多"] + list(data.values())) == []


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
