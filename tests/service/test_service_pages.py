"""The pages through the test client: login, CSRF, the check with what changed, the generated
form with errors at the field, row errors before a batch, the language switch."""
from __future__ import annotations

import re
import zipfile

import pytest
from fastapi.testclient import TestClient

from service_helpers import AS_OF, PASSWORD, bundle_zip, rows_csv
from test_service_access import login
from wordingkit import page_problems


def _csrf(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


@pytest.fixture(scope="module")
def credit(api):
    client = TestClient(api.client.app)
    login(client, "credit")
    return client


@pytest.fixture(scope="module")
def backoffice(api):
    client = TestClient(api.client.app)
    login(client, "backoffice")
    return client


def test_login_refuses_a_wrong_password_and_a_missing_form_token(api):
    client = TestClient(api.client.app)
    token = client.get("/login").cookies["docgen_login"]
    wrong = client.post("/login", data={"username": "credit", "password": "nope-nope", "csrf": token})
    assert wrong.status_code == 401 and "用户名或密码错误" in wrong.text
    forged = TestClient(api.client.app).post("/login", data={"username": "credit", "password": PASSWORD, "csrf": "x"})
    assert forged.status_code == 403 and "docgen_session" not in forged.cookies


def test_the_session_cookie_is_httponly_samesite_and_signed(api):
    client = TestClient(api.client.app)
    token = client.get("/login").cookies["docgen_login"]
    answer = client.post("/login", data={"username": "credit", "password": PASSWORD, "csrf": token},
                         follow_redirects=False)
    cookie = answer.headers["set-cookie"]
    assert "docgen_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    value = client.cookies["docgen_session"]
    assert TestClient(api.client.app, cookies={"docgen_session": value}).get("/check").status_code == 200
    assert TestClient(api.client.app, cookies={"docgen_session": value[:-3] + "abc"}).get("/check").status_code == 401


def test_logout_ends_the_session(api):
    client = TestClient(api.client.app)
    login(client, "manager")
    page = client.get("/collect")
    assert client.post("/logout", data={"csrf": _csrf(page.text)}, follow_redirects=False).status_code == 303
    assert client.get("/collect").status_code == 401


def test_check_page_shows_stages_findings_and_what_changed(api, credit, tmp_path):
    first_zip = bundle_zip(tmp_path / "华安置业.zip")
    form = credit.get("/check")
    first = credit.post("/check", data={"csrf": _csrf(form.text), "as_of": AS_OF},
                        files={"bundle": (first_zip.name, first_zip.read_bytes(), "application/zip")})
    assert first.status_code == 200
    assert "项目总平图" in first.text and "缺少项目总平图" in first.text
    assert "这是该客户的第一次检查。" in first.text or "与上次检查相比" in first.text
    assert page_problems(first.text) == []  # the labels' colons full-width, as the findings' are
    # The client brings the site plan: the next check says it is new and the finding fixed.
    second_zip = tmp_path / "second" / "华安置业.zip"
    second_zip.parent.mkdir()
    second_zip.write_bytes(first_zip.read_bytes())
    with zipfile.ZipFile(second_zip, "a") as zf:
        zf.write(tmp_path / "华安置业.zip", "bundle/01-申请前期/项目总平图.pdf")  # any file with the name
    second = credit.post("/check", data={"csrf": _csrf(form.text), "as_of": AS_OF},
                         files={"bundle": (second_zip.name, second_zip.read_bytes(), "application/zip")})
    assert second.status_code == 200
    changes = second.text.split("与上次检查相比")[1].split("</section>")[0]
    assert "01-申请前期/项目总平图.pdf" in changes.split("新增文件")[1].split("</dd>")[0]
    links = re.findall(r'href="(/api/files/[^"]+)"', second.text)
    assert len(links) == 6  # .docx, Markdown and JSON in the page's language, then in English
    assert "英文版：" in second.text
    docx = credit.get(links[0])
    assert docx.status_code == 200 and docx.content[:2] == b"PK"
    assert len(re.findall(r'href="/check/[0-9a-f]+"', second.text)) >= 2  # the client's earlier checks


def test_check_page_shows_a_bad_upload_in_place(credit):
    form = credit.get("/check")
    answer = credit.post("/check", data={"csrf": _csrf(form.text)},
                         files={"bundle": ("坏文件.zip", b"garbage", "application/zip")})
    assert answer.status_code == 400
    assert 'class="error"' in answer.text and "坏文件.zip" in answer.text


def test_render_form_uses_the_chinese_aliases_and_shows_errors_at_the_field(backoffice):
    from docgen.documents.template import load_template

    template = load_template("commitment-letter")
    form = backoffice.get("/render/commitment-letter")
    for name in ("borrower", "loan_amount", "contract_no"):
        assert f"{template.aliases[name][0]} *" in form.text or template.aliases[name][0] in form.text
    answer = backoffice.post("/render/commitment-letter", data={"csrf": _csrf(form.text), "borrower": "华安置业",
                                                               "loan_amount": "很多"})
    assert answer.status_code == 422
    field = answer.text.split('id="field-loan_amount"')[1].split("</div>")[0]
    assert 'class="field-error"' in field
    assert 'value="华安置业"' in answer.text  # what was typed is kept


def test_render_form_gives_the_document(backoffice):
    from docgen.documents.template import load_data
    from service_helpers import EXAMPLES

    data = load_data(EXAMPLES / "templates" / "irrevocable-commitment.yaml")
    form = backoffice.get("/render/irrevocable-commitment")
    fields = {k: (v.isoformat() if hasattr(v, "isoformat") else str(v)) for k, v in data.items() if k != "serial"}
    answer = backoffice.post("/render/irrevocable-commitment", data={"csrf": _csrf(form.text), **fields})
    assert answer.status_code == 200, re.findall(r'field-error">([^<]+)', answer.text)
    link = re.search(r'href="(/api/files/[^"]+)">\.docx', answer.text).group(1)
    assert "<h1>单份文书：" in answer.text and page_problems(answer.text) == []
    from docxtext import docx_text

    assert data["contractor"] in docx_text(backoffice.get(link).content)


def test_batch_page_lists_row_errors_before_anything_runs(backoffice):
    form = backoffice.get("/batch")
    answer = backoffice.post("/batch", data={"csrf": _csrf(form.text), "template": "demand-letter"},
                             files={"rows": ("名单.csv", rows_csv(3, break_row=1), "text/csv")})
    assert answer.status_code == 422
    table = answer.text.split('class="row-errors"')[1]
    assert "<td>2</td><td>C（证件号码）</td><td>id_number</td>" in table
    assert "（demand-letter）</option>" in form.text and page_problems(answer.text) == []


def test_english_switch(api):
    client = TestClient(api.client.app)
    login(client, "manager")
    assert "催收计划" in client.get("/collect").text
    client.get("/lang/en?next=/collect")
    page = client.get("/collect").text
    assert "Collection plan" in page and 'lang="en"' in page
    client.get("/lang/zh?next=//evil.example")
    assert "催收计划" in client.get("/collect").text


def test_collect_page_plan_and_letters_job(api):
    from service_helpers import LEDGER, POLICY

    client = TestClient(api.client.app)
    login(client, "manager")
    form = client.get("/collect")
    page = client.post("/collect", data={"csrf": _csrf(form.text), "as_of": "2026-06-30"},
                       files={"ledger": (LEDGER.name, LEDGER.read_bytes()), "policy": (POLICY.name, POLICY.read_bytes())})
    assert page.status_code == 200
    assert 'id="plan"' in page.text and 'data-filter="officer"' in page.text
    # the Chinese page names actions and warnings by their labels, the stable id kept in the title
    assert '<td title="demand-letter">送达逾期催收函</td>' in page.text
    # a time-barred claim's demand letter is the 催收通知书 with its 债务确认回执, as collect letters issues it
    barred = page.text.split("<td>JJ20180900031</td>")[1].split("</tr>")[0]
    assert '<td title="demand-letter">送达催收通知书（附债务确认回执）</td>' in barred and "送达逾期催收函" not in barred
    # and so is its warning that the letter due is not issued (the code kept in the title)
    assert "demand-letter-overdue" in barred and "催收通知书未出具" in barred and "催收函逾期未送达" not in barred
    live = page.text.split("<td>JJ20200100024</td>")[1].split("</tr>")[0]
    assert '<td title="demand-letter">送达逾期催收函</td>' in live
    assert "催收函逾期未送达" in live and "催收通知书未出具" not in live
    assert "诉讼时效已届满" in page.text and ">limitation-expired" not in page.text
    ledger_id = re.search(r'name="ledger" value="([^"]+)"', page.text).group(1)
    started = client.post("/collect/letters", data={"csrf": _csrf(page.text), "ledger": ledger_id,
                                                    "policy": re.search(r'name="policy" value="([^"]*)"', page.text).group(1),
                                                    "as_of": "2026-06-30"}, follow_redirects=False)
    assert started.status_code == 303 and started.headers["location"].startswith("/jobs/")
    job_page = client.get(started.headers["location"]).text
    assert "状态：" in job_page and page_problems(job_page) == []
    gone = client.post("/collect/letters", data={"csrf": _csrf(page.text), "ledger": ledger_id, "policy": "0" * 32,
                                                 "as_of": "2026-06-30"}, follow_redirects=False)
    assert gone.status_code == 400 and "催收策略已过期或不存在" in gone.text  # never the shipped policy instead


def test_npl_page_shows_figures_and_chart(api):
    from service_helpers import LEDGER, NOTES, OPENING, TARGETS

    client = TestClient(api.client.app)
    login(client, "manager")
    form = client.get("/npl")
    page = client.post("/npl", data={"csrf": _csrf(form.text), "period": "2026Q2"},
                       files={"ledger": (LEDGER.name, LEDGER.read_bytes()), "opening": (OPENING.name, OPENING.read_bytes()),
                              "targets": (TARGETS.name, TARGETS.read_bytes()), "notes": (NOTES.name, NOTES.read_bytes())})
    assert page.status_code == 200, page.text[-500:]
    assert 'src="data:image/png;base64,' in page.text and "压降完成率" in page.text and "20.00%" in page.text
    job = re.search(r'<p class="downloads" id="report-job"><a href="/jobs/([0-9a-f]+)">', page.text).group(1)
    shown = client.get(f"/jobs/{job}")
    assert shown.status_code == 200 and 'data-job="' + job + '"' in shown.text


def test_npl_page_takes_the_policy(api, bank):
    closing, opening, policy = bank
    client = TestClient(api.client.app)
    login(client, "manager")
    form = client.get("/npl")
    assert 'name="policy" accept=".yaml,.yml"' in form.text and "催收策略 .yaml（可选）" in form.text
    # The ledgers' inputs offer every extension the command line reads a table from.
    assert 'name="opening" accept=".xlsx,.xlsm,.xls,.csv,.txt,.tsv"' in form.text
    # and its label names the kinds a bank exports, its brackets full-width
    assert "期末贷款台账（.xlsx / .xls / .csv）" in form.text and "期初贷款台账（.xlsx / .xls / .csv，可选）" in form.text
    assert "其 vocabulary（诉讼状态、中断事由、保证方式的同义词）用于读取两期台账" in form.text
    ledgers = {"ledger": (closing.name, closing.read_bytes()), "opening": (opening.name, opening.read_bytes())}
    send = lambda files: client.post("/npl", data={"csrf": _csrf(form.text), "period": "2026Q2"}, files=files)  # noqa: E731
    without = send(ledgers)
    assert without.status_code == 422 and 'class="row-errors"' in without.text and "法院已受理" in without.text
    page = send({**ledgers, "policy": (policy.name, policy.read_bytes())})
    assert page.status_code == 200, page.text[-500:]
    assert 'id="report-job"' in page.text and "借款人A1" in page.text  # A1 of the large NPLs, its 诉讼状态 read
    assert "需关注的分类" not in page.text  # the policy's 10 days of grace: A3 is not flagged
    bad = send({**ledgers, "policy": ("我的策略.yaml", b"timetable: 5\n")})
    assert bad.status_code == 400 and 'class="error"' in bad.text and "我的策略.yaml：timetable" in bad.text
