"""The pages in a real Chromium (Debian's, driven by Playwright) against uvicorn on 127.0.0.1.

Screenshots of each page go to ``out/screenshots/`` of the checkout.
"""
from __future__ import annotations

import io
import socket
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from service_helpers import AS_OF, EXAMPLES, LEDGER, NOTES, OPENING, PASSWORD, ROOT, ROWS_XLSX, bundle_zip, make_settings

pytestmark = pytest.mark.browser
SHOTS = ROOT / "out" / "screenshots"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """uvicorn serving a fresh data folder on 127.0.0.1, in a thread, for this module only."""
    import uvicorn

    from docgen.service.app import create_app

    settings = make_settings(tmp_path_factory.mktemp("browser") / "data", bundle_root=EXAMPLES)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=30)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _login(browser, base: str, name: str):
    page = browser.new_context(accept_downloads=True, locale="zh-CN").new_page()
    page.set_default_timeout(60_000)
    page.goto(f"{base}/login")
    page.fill("input[name=username]", name)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
    return page


def _site_plan_reported_missing(page, heading: str, shot: str) -> None:
    """On the check result titled ``heading``: 项目总平图 is ✗ 缺失 with its finding; screenshot ``shot``."""
    page.wait_for_selector(f"h1:has-text('{heading}')")
    row = page.locator("tr", has_text="项目总平图").first
    assert "✗" in row.inner_text() and "缺失" in row.inner_text()
    assert page.locator("text=缺少项目总平图").count() >= 1
    page.screenshot(path=str(SHOTS / shot), full_page=True)


def _download_when_done(page, base: str, shot: str):
    """On the job page ``page`` is led to: wait until the job is done, screenshot, download its first file."""
    page.wait_for_url(f"{base}/jobs/*")
    page.wait_for_selector("#job[data-state=done]", state="attached", timeout=240_000)
    assert page.inner_text("#job-state") == "已完成"
    page.screenshot(path=str(SHOTS / shot), full_page=True)
    with page.expect_download() as info:
        page.click("#job-files a[href^='/api/files/'] >> nth=0")
    return info.value


def test_login_and_check_the_example_bundle(server, browser, tmp_path):
    page = browser.new_context().new_page()
    page.goto(f"{server}/check")
    assert page.locator("input[name=password]").is_visible()  # 401 shows the login form
    page.screenshot(path=str(SHOTS / "01-login.png"), full_page=True)
    page = _login(browser, server, "credit")
    page.screenshot(path=str(SHOTS / "02-home-credit.png"), full_page=True)
    page.click("text=资料检查")
    archive = bundle_zip(tmp_path / "华安置业.zip")
    page.set_input_files("input[name=bundle]", str(archive))
    page.fill("input[name=as_of]", AS_OF)
    page.click("text=开始检查")
    _site_plan_reported_missing(page, "华安置业.zip", "03-check-result.png")


def test_batch_from_the_example_spreadsheet_and_download_the_zip(server, browser):
    page = _login(browser, server, "backoffice")
    page.click("text=批量生成")
    page.select_option("select[name=template]", "demand-letter")
    page.set_input_files("input[name=rows]", str(ROWS_XLSX))
    page.screenshot(path=str(SHOTS / "04-batch-form.png"), full_page=True)
    page.click("text=检查并生成")
    download = _download_when_done(page, server, "05-batch-job-done.png")
    assert download.suggested_filename.endswith(".zip")
    names = zipfile.ZipFile(io.BytesIO(Path(download.path()).read_bytes())).namelist()
    assert len([n for n in names if n.startswith("letters/") and n.endswith(".docx")]) == 20
    assert {"manifest.csv", "manifest.json"} <= set(names)
    page.goto(f"{server}/register")
    assert page.locator("table tbody tr").count() == 20
    page.screenshot(path=str(SHOTS / "06-register.png"), full_page=True)


def test_another_roles_page_is_refused(server, browser):
    page = _login(browser, server, "backoffice")
    response = page.goto(f"{server}/check")
    assert response.status == 403
    assert "你的角色不能使用这个页面。" in page.inner_text("main")
    page.screenshot(path=str(SHOTS / "07-forbidden.png"), full_page=True)


def test_collection_plan_sorts_and_filters(server, browser):
    page = _login(browser, server, "manager")
    page.goto(f"{server}/collect")
    _make_plan(page, LEDGER, "生成计划")
    rows = page.locator("#plan tbody tr")
    total = rows.count()
    assert total > 1
    page.click("#plan th:has-text('逾期天数')")
    days = [int(x) for x in page.locator("#plan tbody tr td:nth-child(5)").all_inner_texts()]
    assert days == sorted(days)
    officer = page.locator("select[data-filter=officer] option").nth(1).inner_text()
    page.select_option("select[data-filter=officer]", officer)
    visible = page.locator("#plan tbody tr:visible")
    assert 0 < visible.count() < total
    assert set(page.locator("#plan tbody tr:visible td:nth-child(3)").all_inner_texts()) == {officer}
    page.screenshot(path=str(SHOTS / "08-collect-plan.png"), full_page=True)
    page.click("a:has-text('English')")
    page.wait_for_selector("text=Collection plan")
    page.screenshot(path=str(SHOTS / "09-collect-english.png"), full_page=True)


def test_render_form_and_audit_pages(server, browser):
    page = _login(browser, server, "backoffice")
    page.goto(f"{server}/render/commitment-letter")
    page.fill("input[name=loan_amount]", "-5")
    page.click("form.fields button[type=submit]")
    page.wait_for_selector(".field-error")
    page.screenshot(path=str(SHOTS / "10-render-errors.png"), full_page=True)
    admin = _login(browser, server, "admin")
    admin.goto(f"{server}/audit")
    assert admin.locator("td", has_text="login").count() >= 2
    admin.screenshot(path=str(SHOTS / "11-audit.png"), full_page=True)


def test_draft_page(server, browser, tmp_path):
    page = _login(browser, server, "credit")
    page.click("text=起草附件")
    page.set_input_files("input[name=bundle]", str(bundle_zip(tmp_path / "华安置业.zip")))
    for number in ("2", "4", "6"):
        page.check(f"input[name=annex][value='{number}']")
    page.click("form button[type=submit]")
    page.wait_for_selector("tr.draft-drafted")
    assert page.locator("tr.draft-bank-template").count() == 1
    assert page.locator("tr.draft-drafted a[href^='/api/files/']").count() >= 2
    page.screenshot(path=str(SHOTS / "12-draft.png"), full_page=True)


def test_pick_the_example_bundle_folder_under_the_root(server, browser):
    page = _login(browser, server, "credit")
    page.click("text=资料检查")
    picker = page.locator("#folder-picker")
    assert picker.locator("a", has_text="ledger").count() == 1  # the root's sub-folders are listed
    picker.locator("a", has_text="bundle").first.click()
    page.wait_for_url(f"{server}/check?folder=bundle")
    assert picker.locator("a", has_text="01-申请前期").count() == 1  # and its own sub-folders
    page.check("#folder-picker input[name=folder][value=bundle]")
    picker.locator("input[name=as_of]").fill(AS_OF)
    page.screenshot(path=str(SHOTS / "13-check-folder-picker.png"), full_page=True)
    picker.locator("button[type=submit]").click()
    _site_plan_reported_missing(page, "资料检查：bundle", "14-check-folder-result.png")


def test_npl_report_docx_made_by_a_job_and_downloaded(server, browser):
    page = _login(browser, server, "manager")
    page.click("text=不良贷款报告")
    page.set_input_files("input[name=ledger]", str(LEDGER))
    page.set_input_files("input[name=notes]", str(NOTES))
    page.fill("input[name=period]", "2026Q2")
    page.click("form button[type=submit]")
    page.wait_for_selector("#report-job a[href^='/jobs/']")
    assert page.locator("img.chart").count() == 1  # the figures and chart do not wait for the job
    page.screenshot(path=str(SHOTS / "15-npl-figures.png"), full_page=True)
    page.click("#report-job a")
    assert _download_when_done(page, server, "16-npl-report-job.png").suggested_filename == "不良贷款报告-2026Q2.docx"


def _make_plan(page, ledger: Path, button: str, **files: Path) -> None:
    """On the collection-plan page: send ``ledger`` (and ``files``: input name -> path) for 2026-06-30
    with the button labelled ``button``, and wait for the plan."""
    for name, path in {"ledger": ledger, **files}.items():
        page.set_input_files(f"input[name={name}]", str(path))
    page.fill("input[name=as_of]", "2026-06-30")
    page.click(f"text={button}")
    page.wait_for_selector("#plan")


def _send_npl(page, ledger: Path, opening: Path, **files: object) -> None:
    """On the NPL page: send ``ledger``, ``opening`` and ``files`` (input name -> path or file) for 2026Q2."""
    for name, value in {"ledger": str(ledger), "opening": str(opening), **files}.items():
        page.set_input_files(f"input[name={name}]", value)
    page.fill("input[name=period]", "2026Q2")
    page.click("form button[type=submit]")


def test_npl_report_with_the_banks_policy(server, browser, bank):
    closing, opening, policy = bank
    page = _login(browser, server, "manager")
    page.click("text=不良贷款报告")
    hint = page.locator("#policy-hint")
    assert hint.is_visible() and "用于读取两期台账" in hint.inner_text()
    assert page.locator("input[name=policy]").get_attribute("aria-describedby") == "policy-hint"
    _send_npl(page, closing, opening, policy={"name": "我的策略.yaml", "mimeType": "application/yaml",
                                              "buffer": b"timetable: 5\n"})
    error = page.locator("p.error")
    error.wait_for()
    assert error.inner_text().startswith("我的策略.yaml：timetable")  # said in place, the form kept
    page.screenshot(path=str(SHOTS / "17-npl-policy-refused.png"), full_page=True)
    _send_npl(page, closing, opening, policy=str(policy))
    page.wait_for_selector("#report-job a[href^='/jobs/']")
    assert page.locator("p.error").count() == 0 and page.locator("img.chart").count() == 1
    page.screenshot(path=str(SHOTS / "18-npl-policy-figures.png"), full_page=True)
    page.click("#report-job a")
    assert _download_when_done(page, server, "19-npl-policy-job.png").suggested_filename == "不良贷款报告-2026Q2.docx"


def test_check_in_english(server, browser, tmp_path):
    page = _login(browser, server, "credit")
    page.click("a:has-text('English')")
    page.click("text=Bundle check")
    archive = bundle_zip(tmp_path / "华安置业.zip")
    page.set_input_files("input[name=bundle]", str(archive))
    page.fill("input[name=as_of]", AS_OF)
    page.select_option("select[name=stage]", "pre-contract")
    page.click("button:has-text('Check')")
    page.wait_for_selector("h1:has-text('华安置业.zip')")
    row = page.locator("tr", has_text="Project site plan").first
    assert "✗" in row.inner_text() and "missing" in row.inner_text()
    findings = page.locator("section", has_text="Findings and what to do").inner_text()
    assert "Project site plan: missing" in findings and "Commitment letter: missing" in findings
    assert "缺少" not in page.inner_text("main")
    page.screenshot(path=str(SHOTS / "20-check-english.png"), full_page=True)


def test_collection_plan_and_npl_pages_in_english(server, browser, bank):
    closing, opening, _ = bank
    page = _login(browser, server, "manager")
    page.click("a:has-text('English')")
    page.click("nav >> text=Collection plan")
    _make_plan(page, LEDGER, "Make the plan")
    page.click("#plan th:has-text('Days past due')")
    days = [int(x) for x in page.locator("#plan tbody tr td:nth-child(5)").all_inner_texts()]
    assert days == sorted(days)
    actions = set(page.locator("#plan tbody tr td:nth-child(7)").all_inner_texts())
    assert "Serve the overdue demand letter" in actions and not any("送达" in a for a in actions)
    page.screenshot(path=str(SHOTS / "21-collect-plan-english.png"), full_page=True)
    page.click("nav >> text=NPL report")
    _send_npl(page, LEDGER, OPENING, notes=str(NOTES))
    page.wait_for_selector("#report-job a[href^='/jobs/']")
    assert page.locator("img.chart").count() == 1
    assert "Special mention" in page.inner_text("main") and "classed substandard" in page.inner_text("main")
    page.screenshot(path=str(SHOTS / "22-npl-figures-english.png"), full_page=True)
    _send_npl(page, closing, opening)
    page.locator("p.error").wait_for()
    assert page.inner_text("p.error") == ("台账-2026Q2.xlsx: 1 row of the ledger has errors; correct them at the rows "
                                          "and columns shown and try again")
    assert "T (诉讼状态)" in page.inner_text("table.row-errors")
    page.screenshot(path=str(SHOTS / "23-npl-refused-english.png"), full_page=True)


def test_a_letters_job_from_the_english_plan_page(server, browser, tmp_path):
    """The job page says in English which letters could not be issued once the job ends (it reloads
    then, the list being the page's, in its language)."""
    from ledger_fixtures import row

    from docgen.loans.ledger import write_ledger
    from service_helpers import POLICY

    owed = {"overdue_principal": 5000, "address": "陕西省宝鸡市眉县首善镇平阳街8号"}
    ledger = write_ledger([row("E1", 200000, "关注", days=40, serial=6, overdue_principal=5000),  # no address
                           row("E2", 300000, "关注", days=40, serial=7, **owed)], tmp_path / "台账.xlsx")
    page = _login(browser, server, "manager")
    page.click("a:has-text('English')")
    page.click("nav >> text=Collection plan")
    _make_plan(page, ledger, "Make the plan", policy=POLICY)
    page.click("text=Issue the letters due (as a job)")
    page.wait_for_url(f"{server}/jobs/*")
    page.wait_for_selector("h2:has-text('Letters that could not be issued')", timeout=240_000)
    assert page.inner_text("h1").startswith("Collection letters job ")
    assert page.inner_text("#job-state") == "done"
    assert page.inner_text("ul.error li") == (
        "E1: the ledger gives no borrower address (the address for service), so the overdue loan demand letter "
        "cannot be served and was not made; fill in the column 借款人地址")
    assert page.locator("p.muted", has_text="Serial numbers: ").count() == 1
    page.screenshot(path=str(SHOTS / "24-letters-job-english.png"), full_page=True)


def test_the_render_form_in_english_labels_its_fields_in_english(server, browser):
    page = _login(browser, server, "backoffice")
    page.click("a:has-text('English')")
    page.goto(f"{server}/render")
    page.click("a:has-text(\"Shareholders' resolution and authorization\")")
    page.wait_for_selector("form.fields")
    assert page.url.endswith("/render/shareholder-resolution")
    # the template by its English title, where the page showed its Chinese one
    assert page.locator("h1").inner_text() == "Single document: Shareholders' resolution and authorization"
    assert page.title() == "Shareholders' resolution and authorization · docgen"
    form = page.locator("form.fields")
    assert form.locator("label", has_text="Date of the meeting").count() == 1
    assert form.locator("legend", has_text="Shareholders present").count() == 1
    assert form.locator("th").all_inner_texts()[:4] == ["Shareholder's name *", "Shareholder's ID number *",
                                                         "Capital contribution (%) *", "Vote *"]
    assert "会议日期" not in form.inner_text() and "股东名称" not in form.inner_text()
    page.screenshot(path=str(SHOTS / "25-render-form-english.png"), full_page=True)
