"""The collection-plan and NPL pages read in English (the ``lang`` cookie ``en``): their headings, buttons,
table headers, the plan's actions and warnings, the loan classes, the classification flags, and why a plan,
a report or the letters cannot be made. What the ledgers hold (names, branches, officers, loan numbers,
its controlled values) and the files' names stay as they are; the API keeps its Chinese messages.
"""
from __future__ import annotations

import html
import re
from pathlib import Path

import openpyxl
import pytest
from fastapi.testclient import TestClient

from service_helpers import LEDGER, NOTES, OPENING, POLICY, TARGETS
from test_service_access import login

_CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef\u3000-\u303f]")
_TAG = re.compile(r"<[^>]+>")
#: The roles that see the collection-plan and NPL pages (``docgen.service.access.ACCESS``).
ROLES = ["manager"]


def _csrf(page: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def _text(page: str) -> str:
    """Return the text ``page`` shows (tags out, entities read), the language switch (中文) left out."""
    return html.unescape(_TAG.sub("\n", page)).replace("中文", "")


def _ledger_values(*books: Path) -> list[str]:
    """Every value the ledgers ``books`` hold, as text, longest first: the user's data."""
    found: set[str] = set()
    for book in books:
        workbook = openpyxl.load_workbook(book, read_only=True)
        for sheet in workbook.worksheets:
            for row in sheet.iter_rows(values_only=True):
                found.update(str(value).strip() for value in row if value is not None and str(value).strip())
        workbook.close()
    return sorted(found, key=len, reverse=True)


def _docgen_worded_cjk(page: str, data: list[str]) -> list[str]:
    """Return the lines of ``page``'s text that hold CJK once ``data`` (the user's) is taken out."""
    text = _text(page)
    for value in data:
        text = text.replace(value, "")
    return [line.strip() for line in text.splitlines() if _CJK.search(line)]


def _user(api, role: str, lang: str, page: str) -> TestClient:
    client = TestClient(api.client.app)
    login(client, role)
    client.get(f"/lang/{lang}?next={page}")
    return client


def _plan(client: TestClient, **files: tuple[str, bytes]):
    form = client.get("/collect")
    return client.post("/collect", data={"csrf": _csrf(form.text), "as_of": files.pop("as_of", ("", b""))[0]
                                         or "2026-06-30"}, files=files)


def _letters_from_plan(api, ledger: Path, policy: Path | None = None):
    """Plan ``ledger`` (with ``policy``) on the English collect page as a manager, then ask for its letters.

    Returns the letters form's response, not followed."""
    client = _user(api, "manager", "en", "/collect")
    files = {"ledger": _upload(ledger)} | ({"policy": _upload(policy)} if policy else {})
    page = _plan(client, **files)
    assert page.status_code == 200, page.text
    kept = {name: re.search(rf'name="{name}" value="([^"]*)"', page.text).group(1) for name in ("ledger", "policy")
            if policy or name == "ledger"}
    return client.post("/collect/letters", data={"csrf": _csrf(page.text), "policy": "", **kept,
                                                 "as_of": "2026-06-30"}, follow_redirects=False)


def _npl(client: TestClient, period: str = "2026Q2", **files: tuple[str, bytes]):
    form = client.get("/npl")
    return client.post("/npl", data={"csrf": _csrf(form.text), "period": period}, files=files)


def _upload(path: Path, name: str | None = None) -> tuple[str, bytes]:
    return (name or path.name, path.read_bytes())


@pytest.mark.parametrize("role", ROLES)
def test_the_collection_plan_reads_in_english(api, role):
    client = _user(api, role, "en", "/collect")
    form = client.get("/collect").text
    assert "Make the plan" in form and _docgen_worded_cjk(form, []) == []
    page = _plan(client, ledger=_upload(LEDGER), policy=_upload(POLICY))
    assert page.status_code == 200
    # actions and warnings by their English names, the stable id kept in the cell's title
    assert '<td title="demand-letter">Serve the overdue demand letter</td>' in page.text
    barred = page.text.split("<td>JJ20180900031</td>")[1].split("</tr>")[0]
    assert '<td title="demand-letter">Serve the collection notice (with its debt confirmation slip)</td>' in barred
    assert "Limitation period expired, Guarantee period expired, Collection notice not issued, Suit due, not filed" \
        in barred
    live = page.text.split("<td>JJ20200100024</td>")[1].split("</tr>")[0]
    assert "Demand letter overdue, not served" in live and "Collection notice not issued" not in live
    for heading in ("Loan no.", "Borrower", "Days past due", "Next action", "Limitation deadline", "Plan .xlsx",
                    "Issue the letters due (as a job)"):
        assert heading in page.text
    assert _docgen_worded_cjk(page.text, _ledger_values(LEDGER)) == []


@pytest.mark.parametrize("role", ROLES)
def test_the_npl_figures_read_in_english(api, role):
    client = _user(api, role, "en", "/npl")
    form = client.get("/npl").text
    assert "Compute" in form and _docgen_worded_cjk(form, []) == []
    page = _npl(client, ledger=_upload(LEDGER), opening=_upload(OPENING), targets=_upload(TARGETS),
                notes=_upload(NOTES))
    assert page.status_code == 200
    text = _text(page.text)
    assert "\nPass\n" in text and "\nSpecial mention\n" in text and "\nLoss\n" in text
    assert ("JJ20230900006 · misclassified · loan no. JJ20230900006 (蒋秀英, row 77) is 300 days past due on "
            "2026-06-30 and classed substandard; the NFRA rules on classifying financial assets require at least "
            "doubtful") in text
    assert ("loan no. JJ20230900064 (曾梅鹏, row 373) is 2 days past due on 2026-06-30 yet classed pass; an overdue "
            "loan is at least special mention") in text
    assert 'src="data:image/png;base64,' in page.text and "Report .docx" in text
    assert _docgen_worded_cjk(page.text, _ledger_values(LEDGER, OPENING)) == []
    chinese = _user(api, role, "zh", "/npl")
    page = _npl(chinese, ledger=_upload(LEDGER), opening=_upload(OPENING), targets=_upload(TARGETS),
                notes=_upload(NOTES))
    assert "<th>关注</th>" in page.text and "五级分类为次级，按《商业银行金融资产风险分类办法》应至少为可疑" in page.text


@pytest.mark.parametrize("role", ROLES)
def test_why_a_report_cannot_be_made_is_said_in_english(api, bank, role):
    closing, opening, policy = bank
    client = _user(api, role, "en", "/npl")
    ledgers = {"ledger": _upload(closing), "opening": _upload(opening)}
    refused = _npl(client, **ledgers)
    assert refused.status_code == 422
    text = _text(refused.text)
    assert "台账-2026Q2.xlsx: 1 row of the ledger has errors; correct them at the rows and columns shown and try again" \
        in text
    assert ("'法院已受理' is not a litigation status docgen knows; use one of 未起诉, 已起诉, 已判决, 执行中, 终结本次执行, "
            "已撤诉, 已结案 (synonyms go in the policy's vocabulary.litigation)") in text
    assert "<td>T (诉讼状态)</td>" in refused.text
    # the values the ledger must hold are its own (the vocabulary's), as the file is
    data = _ledger_values(closing, opening) + ["未起诉", "已起诉", "已判决", "执行中", "终结本次执行", "已撤诉", "已结案",
                                               closing.name]
    assert _docgen_worded_cjk(refused.text, data) == []
    bad = _npl(client, **ledgers, policy=("我的策略.yaml", b"timetable: 5\n"))
    assert bad.status_code == 400 and "我的策略.yaml: timetable: should be a list" in _text(bad.text)
    period = _npl(client, "2026Q9", **ledgers)
    assert period.status_code == 400
    assert ("period: unknown reporting period '2026Q9': use 2026Q2 (quarter), 2026H1 (half year), 2026 (year) or "
            "2026-06 (month)") in _text(period.text)
    assert _docgen_worded_cjk(period.text, []) == []
    junk = _npl(client, ledger=("台账.xlsx", b"loan,amount\n1,2\n"))
    assert junk.status_code == 400
    assert ("台账.xlsx: the content is text (CSV or tab-separated), not an Excel workbook; rename it to .csv and try "
            "again, or open it in Excel and save it as .xlsx") in _text(junk.text)
    # in Chinese as before
    chinese = _user(api, role, "zh", "/npl")
    refused = _npl(chinese, **ledgers)
    assert refused.status_code == 422 and "台账-2026Q2.xlsx：台账有 1 行数据不合格" in refused.text
    assert "<td>T（诉讼状态）</td>" in refused.text


@pytest.mark.parametrize("role", ROLES)
def test_why_a_plan_or_its_letters_cannot_be_made_is_said_in_english(api, bank, role):
    closing, _, policy = bank
    client = _user(api, role, "en", "/collect")
    refused = _plan(client, ledger=_upload(closing))
    assert refused.status_code == 422 and "1 row of the ledger has errors" in _text(refused.text)
    date = _plan(client, ledger=_upload(LEDGER), as_of=("2026-13-01", b""))
    assert date.status_code == 400
    assert "as_of: '2026-13-01' is not a date; write it YYYY-MM-DD, e.g. 2026-11-28" in _text(date.text)
    page = _plan(client, ledger=_upload(closing), policy=_upload(policy))
    assert page.status_code == 200
    ledger_id = re.search(r'name="ledger" value="([^"]+)"', page.text).group(1)
    send = lambda **fields: client.post("/collect/letters", data={"csrf": _csrf(page.text), "as_of": "2026-06-30",  # noqa: E731
                                                                  **fields}, follow_redirects=False)
    gone = send(ledger=ledger_id, policy="0" * 32)
    assert gone.status_code == 400
    assert ("the collection policy is gone (its retention ended); upload the ledger and the policy again to make the "
            "plan") in _text(gone.text)
    gone = send(ledger="0" * 32)
    assert gone.status_code == 400
    assert "the ledger is gone (its retention ended); upload the ledger again to make the plan" in _text(gone.text)
    assert _docgen_worded_cjk(gone.text, []) == []
    # the kept ledger without the policy its 诉讼状态 needs: the job's check refuses it, in English
    refused = send(ledger=ledger_id, policy="")
    assert refused.status_code == 422 and "1 row of the ledger has errors" in _text(refused.text)


def test_other_roles_are_refused_the_pages_in_english(api):
    client = _user(api, "credit", "en", "/collect")
    for path in ("/collect", "/npl"):
        answer = client.get(path)
        assert answer.status_code == 403 and "Your role may not use this page." in answer.text


def test_the_api_keeps_its_chinese_messages(api, bank):
    closing, opening, _ = bank
    client = TestClient(api.client.app, cookies={"lang": "en"})
    answer = client.post("/api/npl-report", data={"period": "2026Q2"}, headers=api.headers("manager"),
                         files={"ledger": _upload(closing), "opening": _upload(opening)})
    assert answer.status_code == 422
    assert answer.json()["error"] == "台账-2026Q2.xlsx：台账有 1 行数据不合格，请按行列位置修改后重试"
    assert answer.json()["problems"][0]["column"] == "T（诉讼状态）"
    answer = client.post("/api/collect/plan", data={"as_of": "2026-13-01"}, headers=api.headers("manager"),
                         files={"ledger": _upload(LEDGER)})
    assert answer.status_code == 400 and answer.json()["error"].startswith("as_of：“2026-13-01”不是有效日期")
