"""The JSON API end to end: the same answers as the command line, jobs, files, register, audit."""
from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from docgen.cli import main
from docxtext import docx_text
from service_helpers import (AS_OF, LEDGER, NOTES, OPENING, POLICY, ROWS_XLSX, TARGETS, rows_csv, wait_job)
from wordingkit import punctuation_problems


def _upload(path, field="bundle", name=None):
    return {field: (name or path.name, path.read_bytes(), "application/octet-stream")}


def test_token_needs_the_right_password(api):
    assert api.client.post("/api/token", data={"username": "credit", "password": "nope-nope"}).status_code == 401
    assert api.client.post("/api/token", data={"username": "nobody", "password": "nope-nope"}).status_code == 401
    assert api.client.post("/api/token", data={}).status_code == 401
    good = api.client.post("/api/token", data={"username": "credit", "password": "correct-horse-9"})
    assert good.status_code == 200 and good.json()["token_type"] == "bearer"


def test_check_json_is_exactly_the_cli_json(api, example_zip, monkeypatch):
    answer = api.client.post("/api/check", headers=api.headers("credit"), files=_upload(example_zip),
                             data={"as_of": AS_OF})
    assert answer.status_code == 200, answer.text
    monkeypatch.chdir(example_zip.parent)
    cli = CliRunner().invoke(main, ["check", example_zip.name, "--format", "json", "--as-of", AS_OF])
    assert cli.exit_code == 1
    assert answer.json() == json.loads(cli.stdout)
    site_plan = [i for s in answer.json()["stages"] for i in s["items"] if i["id"] == "site-plan"]
    assert site_plan and site_plan[0]["status"] == "missing"


def test_check_with_a_stage_matches_the_cli(api, example_zip, monkeypatch):
    answer = api.client.post("/api/check", headers=api.headers("compliance"), files=_upload(example_zip),
                             data={"as_of": AS_OF, "stage": "pre-application"})
    monkeypatch.chdir(example_zip.parent)
    cli = CliRunner().invoke(main, ["check", example_zip.name, "--format", "json", "--as-of", AS_OF,
                                    "--stage", "pre-application"])
    assert answer.json() == json.loads(cli.stdout)
    assert [s["id"] for s in answer.json()["stages"]] == ["pre-application"]


def test_check_errors_are_400_with_the_cli_message_and_the_users_file_name(api, tmp_path):
    broken = tmp_path / "客户资料.zip"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    answer = api.client.post("/api/check", headers=api.headers("credit"), files=_upload(broken))
    assert answer.status_code == 400
    message = answer.json()["error"]
    assert message.startswith("客户资料.zip：")
    assert str(api.settings.data_dir) not in message
    wrong = api.client.post("/api/check", headers=api.headers("credit"), files=_upload(broken, name="a.rar"))
    assert wrong.status_code == 400 and "应为 .zip" in wrong.json()["error"]
    bad_date = api.client.post("/api/check", headers=api.headers("credit"), files=_upload(broken),
                               data={"as_of": "28/11/2026"})
    assert bad_date.status_code == 400
    assert bad_date.json()["error"] == "as_of：“28/11/2026”不是有效日期；请写成 YYYY-MM-DD，例如 2026-11-28"
    stage = api.client.post("/api/check", headers=api.headers("credit"), files=_upload(broken),
                            data={"stage": "nonsense"})
    assert stage.status_code == 400


def test_uploads_are_deleted_after_a_check(api, example_zip):
    api.client.post("/api/check", headers=api.headers("credit"), files=_upload(example_zip), data={"as_of": AS_OF})
    assert list(api.settings.uploads_dir.iterdir()) == []


def test_batch_row_errors_are_422_before_anything_runs(api):
    rows = rows_csv(3, break_row=2)
    answer = api.client.post("/api/batch/demand-letter", headers=api.headers("backoffice"),
                             files={"rows": ("催收名单.csv", rows, "text/csv")})
    assert answer.status_code == 422
    body = answer.json()
    assert body["error"].startswith("催收名单.csv：")
    assert [(p["row"], p["column"]) for p in body["problems"]] == [(3, "C（证件号码）")]
    assert api.client.get("/api/register", headers=api.headers("backoffice")).json() == []
    assert api.client.get("/api/jobs", headers=api.headers("backoffice")).json() == []


def _mostly_bad_rows(extra: int) -> bytes:
    """Two good rows of the example, then ``extra`` rows holding only a contract number."""
    return rows_csv(2) + "".join(f"K{k}\r\n" for k in range(extra)).encode("utf-8")


def test_batch_rows_past_the_bad_row_limit_say_where_checking_stopped(api):
    from docgen.documents.batch import MAX_BAD_ROWS

    answer = api.client.post("/api/batch/demand-letter", headers=api.headers("backoffice"),
                             files={"rows": ("催收名单.csv", _mostly_bad_rows(MAX_BAD_ROWS + 5), "text/csv")})
    assert answer.status_code == 422
    body = answer.json()
    # The CLI's batch names the same row: the header, two good rows, then the 1,001st bad one.
    assert body["error"] == (f"催收名单.csv：读到第{MAX_BAD_ROWS + 4}行时已有超过 1000 行数据有误，其后的行未再检查，"
                             "未生成任何文书；下面列出前 1000 行，请改正（并确认选对了文件和工作表）后重新上传")
    assert {p["row"] for p in body["problems"]} == set(range(4, 4 + MAX_BAD_ROWS))
    assert api.client.get("/api/jobs", headers=api.headers("backoffice")).json() == []
    at_limit = api.client.post("/api/batch/demand-letter", headers=api.headers("backoffice"),
                               files={"rows": ("催收名单.csv", _mostly_bad_rows(MAX_BAD_ROWS), "text/csv")})
    assert at_limit.status_code == 422
    assert at_limit.json()["error"].startswith("催收名单.csv：") and "未再检查" not in at_limit.json()["error"]
    assert {p["row"] for p in at_limit.json()["problems"]} == set(range(4, 4 + MAX_BAD_ROWS))


def test_queued_batch_checks_its_rows_with_the_same_limit(tmp_path):
    from docgen.core.errors import RowsError
    from docgen.documents.batch import MAX_BAD_ROWS
    from docgen.service.queue import _split

    rows = tmp_path / "rows.csv"
    rows.write_bytes(_mostly_bad_rows(MAX_BAD_ROWS + 5))
    job = {"params": {"template": "demand-letter", "rows": str(rows), "rows_name": "催收名单.csv"}}
    with pytest.raises(RowsError) as caught:
        _split(None, None, job, None)  # type: ignore[arg-type]
    assert str(caught.value).splitlines()[0] == (f"催收名单.csv：读到第{MAX_BAD_ROWS + 4}行时已有超过 1000 行数据有误，"
                                                 "其后的行未再检查，未生成任何文书")
    assert {p.row for p in caught.value.problems} == set(range(4, 4 + MAX_BAD_ROWS))


@pytest.mark.parametrize("name", ["no-such", "a" * 300])
def test_batch_unknown_template_is_404(api, name):
    """A 300-character name made the lookup raise OSError (File name too long): a 500."""
    answer = api.client.post(f"/api/batch/{name}", headers=api.headers("backoffice"),
                             files={"rows": ("r.csv", b"a,b\n1,2\n", "text/csv")})
    assert answer.status_code == 404 and answer.json()["error"].startswith("没有模板")


@pytest.fixture(scope="module")
def batch_job(api):
    answer = api.client.post("/api/batch/demand-letter", headers=api.headers("backoffice"),
                             files={"rows": ("催收名单.csv", rows_csv(3), "text/csv")})
    assert answer.status_code == 202, answer.text
    return wait_job(api.client, answer.json()["job"], api.headers("backoffice"))


def test_batch_job_gives_a_zip_of_letters_print_pdf_and_manifest(api, batch_job):
    assert batch_job["state"] == "done", batch_job
    assert batch_job["progress"]["done"] == batch_job["progress"]["total"] > 0
    assert len(batch_job["result"]["serials"]) == 3
    archive = next(f for f in batch_job["files"] if f["name"].endswith(".zip"))
    answer = api.client.get(archive["url"], headers=api.headers("backoffice"))
    assert answer.status_code == 200
    names = zipfile.ZipFile(io.BytesIO(answer.content)).namelist()
    letters = [n for n in names if n.startswith("letters/") and n.endswith(".docx")]
    assert len(letters) == 3 and "manifest.csv" in names and "manifest.json" in names
    text = docx_text(zipfile.ZipFile(io.BytesIO(answer.content)).read(letters[0]))
    assert batch_job["result"]["serials"][0] in text
    if api.client.app.state.service.pdf:
        assert "demand-letter-打印.pdf" in names


def test_jobs_are_seen_by_their_owner_admin_and_compliance_only(api, batch_job, tmp_path):
    from docgen.service.users import UserStore

    UserStore(api.settings.db_path).add("backoffice2", "backoffice", "another-pass-1")
    other = api.client.post("/api/token", data={"username": "backoffice2", "password": "another-pass-1"}).json()
    other_headers = {"Authorization": f"Bearer {other['access_token']}"}
    url = f"/api/jobs/{batch_job['id']}"
    assert api.client.get(url, headers=other_headers).status_code == 403
    assert api.client.get(batch_job["files"][0]["url"], headers=other_headers).status_code == 403
    assert api.client.get("/api/jobs", headers=other_headers).json() == []
    for role in ("admin", "compliance"):
        assert api.client.get(url, headers=api.headers(role)).status_code == 200
    assert [j["id"] for j in api.client.get("/api/jobs", headers=api.headers("admin")).json()] == [batch_job["id"]]


def test_rerun_of_a_done_job_is_409(api, batch_job):
    answer = api.client.post(f"/api/jobs/{batch_job['id']}/rerun", headers=api.headers("backoffice"))
    assert answer.status_code == 409


def test_register_search_and_verify(api, batch_job):
    headers = api.headers("compliance")
    rows = api.client.get("/api/register", headers=headers).json()
    assert [r["serial"] for r in rows] == batch_job["result"]["serials"]
    assert all("/" not in (r["file"] or "") for r in rows)  # never the server's folders
    first = rows[0]
    one = api.client.get("/api/register", params={"serial": first["serial"]}, headers=headers).json()
    assert [r["serial"] for r in one] == [first["serial"]]
    borrower = first["file"].split("_")[1]
    assert first["serial"] in [r["serial"] for r in
                               api.client.get("/api/register", params={"borrower": borrower}, headers=headers).json()]
    assert api.client.get("/api/register", params={"template": "commitment-letter"}, headers=headers).json() == []
    assert api.client.get("/api/register", params={"date": "1999-01"}, headers=headers).json() == []
    verified = api.client.post("/api/register/verify", headers=headers).json()
    assert verified == {"checked": 3, "ok": True, "problems": []}


def test_register_verify_of_a_misspelt_template_is_400_naming_the_recorded_ones(api, batch_job):
    headers = api.headers("compliance")
    recorded = sorted({r["template"] for r in api.client.get("/api/register", headers=headers).json()})
    assert "demand-letter" in recorded
    answer = api.client.post("/api/register/verify", params={"template": "demand-leter"}, headers=headers)
    assert answer.status_code == 400, answer.text
    assert answer.json() == {"error": f"登记簿 register.sqlite 中没有模板 demand-leter 的记录，也没有这个模板"
                                      f"（登记簿中的模板：{'、'.join(recorded)}）；请检查 template 的拼写",
                             "problems": []}
    listed = api.client.get("/api/register", params={"template": "demand-leter"}, headers=headers)
    assert (listed.status_code, listed.json()) == (400, answer.json())  # not an empty list, as register list
    # A shipped template nothing has been issued of yet is a true answer, not a typo.
    shipped = api.client.post("/api/register/verify", params={"template": "debt-confirmation"}, headers=headers)
    assert shipped.json() == {"checked": 0, "ok": True, "problems": []}
    assert api.client.post("/api/register/verify", params={"template": "demand-letter"},
                           headers=headers).json() == {"checked": 3, "ok": True, "problems": []}


def test_render_gives_the_docx_with_a_serial_and_422_at_the_field(api):
    from docgen.documents.template import load_data

    from service_helpers import EXAMPLES

    data = load_data(EXAMPLES / "templates" / "commitment-letter.yaml")
    data.pop("serial", None)
    body = json.dumps(data, ensure_ascii=False, default=str)
    answer = api.client.post("/api/render/commitment-letter", headers=api.headers("backoffice"), content=body.encode())
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("application/vnd.openxmlformats")
    text = docx_text(answer.content)
    assert data["borrower"] in text
    bad = dict(data, loan_amount="很多")
    answer = api.client.post("/api/render/commitment-letter", headers=api.headers("backoffice"),
                             content=json.dumps(bad, ensure_ascii=False, default=str).encode())
    assert answer.status_code == 422
    assert [p["field"] for p in answer.json()["problems"]] == ["loan_amount"]
    assert api.client.post("/api/render/no-such", headers=api.headers("backoffice"), content=b"{}").status_code == 404
    assert api.client.post("/api/render/commitment-letter", headers=api.headers("backoffice"),
                           content=b"{not json").status_code == 400
    assert api.client.post("/api/render/commitment-letter?format=odt", headers=api.headers("backoffice"),
                           content=b"{}").status_code == 400


def test_npl_report_figures_equal_the_cli(api):
    files = {"ledger": (LEDGER.name, LEDGER.read_bytes()), "opening": (OPENING.name, OPENING.read_bytes()),
             "targets": (TARGETS.name, TARGETS.read_bytes()), "notes": (NOTES.name, NOTES.read_bytes())}
    answer = api.client.post("/api/npl-report", headers=api.headers("manager"), files=files, data={"period": "2026Q2"})
    assert answer.status_code == 200, answer.text
    cli = CliRunner().invoke(main, ["npl-report", "--ledger", str(LEDGER), "--opening", str(OPENING),
                                    "--targets", str(TARGETS), "--notes", str(NOTES), "--period", "2026Q2",
                                    "--format", "json"])
    assert answer.json() == json.loads(cli.stdout)
    started = api.client.post("/api/npl-report?format=docx", headers=api.headers("manager"), files=files,
                              data={"period": "2026Q2"})
    assert started.status_code == 202, started.text
    job = wait_job(api.client, started.json()["job"], api.headers("manager"))
    assert job["kind"] == "npl-report" and job["state"] == "done", job
    assert [f["name"] for f in job["files"]] == ["不良贷款报告-2026Q2.docx"]
    docx = api.client.get(job["files"][0]["url"], headers=api.headers("manager"))
    assert docx.status_code == 200
    assert "不良贷款" in docx_text(docx.content)
    bad = api.client.post("/api/npl-report", headers=api.headers("manager"), files=files, data={"period": "2026Q9"})
    assert bad.status_code == 400 and bad.json()["error"].startswith("period：")


def test_collect_plan_equals_the_cli(api, tmp_path):
    files = {"ledger": (LEDGER.name, LEDGER.read_bytes())}
    answer = api.client.post("/api/collect/plan", headers=api.headers("manager"), files=files,
                             data={"as_of": "2026-06-30"})
    assert answer.status_code == 200, answer.text
    cli = CliRunner().invoke(main, ["collect", "plan", "--ledger", str(LEDGER), "--as-of", "2026-06-30",
                                    "--format", "json", "--register", str(tmp_path / "none.sqlite")])
    assert answer.json() == json.loads(cli.stdout)
    broken = api.client.post("/api/collect/plan", headers=api.headers("manager"),
                             files={"ledger": ("台账.xlsx", b"not a workbook")}, data={"as_of": "2026-06-30"})
    assert broken.status_code == 400
    assert broken.json()["error"].startswith("台账.xlsx：内容是文本（CSV 或制表符分隔），不是 Excel 工作簿")


def test_a_ledger_is_taken_under_every_extension_the_cli_reads_and_named_for_what_it_is(api):
    headers = api.headers("manager")
    uploads = set(api.settings.uploads_dir.iterdir())

    def plan(name, data):
        return api.client.post("/api/collect/plan", headers=headers, files={"ledger": (name, data)},
                               data={"as_of": "2026-06-30"})

    as_xlsx = plan(LEDGER.name, LEDGER.read_bytes())
    as_xlsm = plan("台账.xlsm", LEDGER.read_bytes())
    assert as_xlsx.status_code == as_xlsm.status_code == 200 and as_xlsm.json() == as_xlsx.json()
    # What core systems export under an .xls name: taken, read by its content, named for what it is.
    export = plan("台账.xls", "<html><table><tr><td>借据号</td></tr></table></html>".encode("gbk"))
    assert export.status_code == 400
    assert export.json()["error"].startswith("台账.xls：内容是网页（HTML）或 XML，不是 Excel 工作簿")
    swapped = plan("台账.xls", LEDGER.read_bytes())
    assert swapped.status_code == 400
    assert swapped.json()["error"].startswith("台账.xls：文件内容是 .xlsx 格式的工作簿，扩展名却是 .xls")
    assert set(api.settings.uploads_dir.iterdir()) == uploads


def test_collect_letters_job_issues_each_letter_once(api):
    files = {"ledger": (LEDGER.name, LEDGER.read_bytes()), "policy": (POLICY.name, POLICY.read_bytes())}
    headers = api.headers("manager")
    first = api.client.post("/api/collect/letters", headers=headers, files=files, data={"as_of": "2026-06-30"})
    assert first.status_code == 202, first.text
    job = wait_job(api.client, first.json()["job"], headers)
    assert job["state"] == "done", job
    assert job["result"]["written"] > 0

    def run_again() -> dict:
        return wait_job(api.client, api.client.post("/api/collect/letters", headers=headers, files=files,
                                                     data={"as_of": "2026-06-30"}).json()["job"], headers)

    # Nothing issued twice. A borrower's letter out, the timetable moves on to the loan's joint
    # guarantors (a notice each, the next run); after that nothing is due.
    again = run_again()
    assert again["state"] == "done"
    assert again["result"]["skipped"] == job["result"]["written"]
    third = run_again()
    assert third["state"] == "done"
    assert third["result"]["written"] == 0 and third["result"]["skipped"] == job["result"]["written"]


def test_audit_names_who_did_what_with_hashes_and_serials(api, batch_job, example_zip):
    import hashlib

    api.client.post("/api/check", headers=api.headers("credit"), files=_upload(example_zip), data={"as_of": AS_OF})
    entries = api.client.get("/api/audit", headers=api.headers("admin")).json()
    checks = [e for e in entries if e["action"] == "check" and e["user"] == "credit"]
    assert checks[0]["sha256"] == hashlib.sha256(example_zip.read_bytes()).hexdigest()
    assert checks[0]["target"] == example_zip.name
    generated = [e for e in entries if e["action"] == "generate" and e["user"] == "backoffice"]
    assert generated[-1]["serials"] == batch_job["result"]["serials"]
    assert generated[-1]["sha256"] == hashlib.sha256(rows_csv(3)).hexdigest()
    downloads = [e for e in entries if e["action"] == "download"]
    assert {"backoffice", "manager"} <= {d["user"] for d in downloads}  # the letters' zip, the NPL report
    assert all(d["detail"]["job"] for d in downloads)
    only = api.client.get("/api/audit", params={"user": "manager"}, headers=api.headers("compliance")).json()
    assert only and {e["user"] for e in only} == {"manager"}


def test_disabled_users_and_changed_passwords_end_tokens(api):
    from docgen.service.users import UserStore

    store = UserStore(api.settings.db_path)
    store.add("temp", "credit", "temporary-1")
    token = api.client.post("/api/token", data={"username": "temp", "password": "temporary-1"}).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert api.client.get("/api/jobs", headers=headers).status_code == 200
    store.set_password("temp", "temporary-2")
    assert api.client.get("/api/jobs", headers=headers).status_code == 401
    token = api.client.post("/api/token", data={"username": "temp", "password": "temporary-2"}).json()["access_token"]
    store.disable("temp")
    assert api.client.get("/api/jobs", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert api.client.post("/api/token", data={"username": "temp", "password": "temporary-2"}).status_code == 401


def test_responses_carry_security_headers(api):
    answer = api.client.get("/login")
    assert answer.headers["x-frame-options"] == "DENY"
    assert "default-src 'self'" in answer.headers["content-security-policy"]
    assert answer.headers["x-content-type-options"] == "nosniff"


def test_draft_gives_the_annexes_as_files_and_names_missing_keys(api, example_zip, monkeypatch, tmp_path):
    headers = api.headers("credit")
    answer = api.client.post("/api/draft", headers=headers, files=_upload(example_zip),
                             data={"annex": ["2", "4", "6"], "as_of": AS_OF})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["bundle"] == example_zip.name
    by_annex = {a["annex"]: a for a in body["annexes"]}
    assert by_annex[6]["status"] == "bank-template" and by_annex[6]["path"] is None
    monkeypatch.chdir(example_zip.parent)
    cli = CliRunner().invoke(main, ["draft", example_zip.name, "--annex", "2", "--annex", "4", "--annex", "6",
                                    "--out", str(tmp_path / "cli"), "--format", "json",
                                    "--register", str(tmp_path / "cli.sqlite")])
    expected = {a["annex"]: a["status"] for a in json.loads(cli.stdout)["annexes"]}
    assert {n: a["status"] for n, a in by_annex.items()} == expected
    drafted = by_annex[4]
    assert drafted["status"] == "drafted" and drafted["path"].startswith("/api/files/")
    document = api.client.get(drafted["path"], headers=headers)
    assert document.status_code == 200 and drafted["serial"] in docx_text(document.content)
    assert api.client.get(drafted["path"], headers=api.headers("backoffice")).status_code == 403
    bad = api.client.post("/api/draft", headers=headers, files=_upload(example_zip), data={"annex": "12"})
    assert bad.status_code == 400 and bad.json()["error"].startswith("annex：“12”")
    entry = api.client.get("/api/audit", params={"action": "draft"}, headers=api.headers("compliance")).json()[0]
    assert entry["serials"] == [a["serial"] for a in body["annexes"] if a["serial"]]


def test_collect_plan_and_letters_read_the_ledger_with_the_policy_vocabulary(api, tmp_path):
    # 诉讼状态 as the bank writes it: unknown to the shipped vocabulary, a synonym in the uploaded policy.
    from ledger_fixtures import row

    from docgen.loans.ledger import write_ledger

    ledger = write_ledger([row("A1", 200000, "次级", days=120, serial=1, litigation="法院已受理"),
                           row("A2", 300000, serial=2)], tmp_path / "台账.xlsx")
    # the example policy, which signs letters, with the bank's synonym
    policy = POLICY.read_bytes() + "vocabulary:\n  litigation:\n    已起诉: [法院已受理]\n".encode("utf-8")
    headers = api.headers("manager")
    ledger_only = {"ledger": (ledger.name, ledger.read_bytes())}
    refused = api.client.post("/api/collect/plan", headers=headers, files=ledger_only, data={"as_of": "2026-06-30"})
    assert refused.status_code == 422 and "法院已受理" in json.dumps(refused.json(), ensure_ascii=False)
    with_policy = {**ledger_only, "policy": ("policy.yaml", policy)}
    plan = api.client.post("/api/collect/plan", headers=headers, files=with_policy, data={"as_of": "2026-06-30"})
    assert plan.status_code == 200, plan.text
    assert [entry["loan_no"] for entry in plan.json()] == ["A1"]
    letters = api.client.post("/api/collect/letters", headers=headers, files=with_policy, data={"as_of": "2026-06-30"})
    assert letters.status_code == 202, letters.text
    job = wait_job(api.client, letters.json()["job"], headers)
    assert job["state"] == "done", job


def test_collect_letters_job_lists_each_refused_letter_under_its_loan(api, tmp_path):
    from ledger_fixtures import row

    from docgen.loans.ledger import write_ledger

    ledger = write_ledger([row("B1", 200000, "关注", days=40, serial=1, overdue_principal=5000)],
                          tmp_path / "台账.xlsx")  # 5,000.00 overdue, no address
    files = {"ledger": (ledger.name, ledger.read_bytes()), "policy": (POLICY.name, POLICY.read_bytes())}
    headers = api.headers("manager")
    started = api.client.post("/api/collect/letters", headers=headers, files=files, data={"as_of": "2026-06-30"})
    job = wait_job(api.client, started.json()["job"], headers)
    # the loan heads the Chinese sentence, with the full-width colon (as the job page shows it)
    (refused,) = job["result"]["refused"]
    assert refused.startswith("B1：台账未填借款人地址") and punctuation_problems(refused) == []


def _npl_cli(*args):
    return CliRunner().invoke(main, ["npl-report", "--period", "2026Q2", *[str(a) for a in args]])


def _bank_files(bank, policy=True):
    closing, opening, policy_path = bank
    files = {"ledger": (closing.name, closing.read_bytes()), "opening": (opening.name, opening.read_bytes())}
    if policy:
        files["policy"] = (policy_path.name, policy_path.read_bytes())
    return files


def _audited(api, action):
    return api.client.get("/api/audit", params={"action": action}, headers=api.headers("admin")).json()


def test_npl_report_reads_with_the_policy_as_the_cli_and_without_it_gives_the_cli_row_error(api, bank, monkeypatch):
    import hashlib

    closing, opening, policy = bank
    monkeypatch.chdir(closing.parent)  # the CLI names the files as the service does: by their names
    headers = api.headers("manager")
    answer = api.client.post("/api/npl-report", headers=headers, files=_bank_files(bank), data={"period": "2026Q2"})
    assert answer.status_code == 200, answer.text
    cli = _npl_cli("--ledger", closing.name, "--opening", opening.name, "--policy", policy.name, "--format", "json")
    assert cli.exit_code == 0, cli.output
    assert answer.json() == json.loads(cli.stdout)
    # each part of the policy reached the figures: its vocabulary, grace days and timetable
    figures = answer.json()
    assert [(loan["loan_no"], loan["status"]) for loan in figures["litigation"]["loans"]] == [("A1", "已起诉")]
    assert figures["flags"] == [] and [loan["loan_no"] for loan in figures["to_sue"]] == ["A4"]
    audited = _audited(api, "report")
    entry = audited[0]
    assert entry["detail"]["policy"] == hashlib.sha256(policy.read_bytes()).hexdigest()
    assert entry["sha256"] == hashlib.sha256(closing.read_bytes()).hexdigest()

    without = api.client.post("/api/npl-report", headers=headers, files=_bank_files(bank, policy=False),
                              data={"period": "2026Q2"})
    cli_without = _npl_cli("--ledger", closing.name, "--opening", opening.name, "--format", "json")
    assert cli_without.exit_code == 1 and without.status_code == 422
    assert f"错误：{without.json()['error']}" in cli_without.stderr
    problems = without.json()["problems"]
    assert [(p["row"], p["field"]) for p in problems] == [(2, "litigation")]
    assert "法院已受理" in problems[0]["message"] and problems[0]["message"] in cli_without.stderr
    assert len(_audited(api, "report")) == len(audited)  # nothing is audited for the refused one


def test_npl_report_docx_job_writes_the_report_with_the_policy(api, bank, tmp_path):
    import hashlib

    from docgen.service.jobs import JobStore

    closing, opening, policy = bank
    headers = api.headers("manager")
    refused = api.client.post("/api/npl-report?format=docx", headers=headers, files=_bank_files(bank, policy=False),
                              data={"period": "2026Q2"})
    assert refused.status_code == 422  # before any job starts
    every = {**_bank_files(bank), "targets": (TARGETS.name, TARGETS.read_bytes()),
             "notes": (NOTES.name, NOTES.read_bytes())}  # the five files one request may carry
    started = api.client.post("/api/npl-report?format=docx", headers=headers, files=every, data={"period": "2026Q2"})
    assert started.status_code == 202, started.text
    job = wait_job(api.client, started.json()["job"], headers)
    assert job["state"] == "done", job  # the job read the ledgers again, with the policy's vocabulary
    report = docx_text(api.client.get(job["files"][0]["url"], headers=headers).content)
    cli = _npl_cli("--ledger", closing, "--opening", opening, "--policy", policy, "--targets", TARGETS,
                   "--notes", NOTES, "-o", tmp_path / "cli.docx")
    assert cli.exit_code == 0, cli.output
    assert report == docx_text((tmp_path / "cli.docx").read_bytes())
    assert "按催收时间表应起诉而尚未起诉的贷款1笔" in report and "未发现需重新认定分类的表内贷款" in report
    params = JobStore(api.settings.db_path).get(job["id"])["params"]
    assert params["policy"] and not Path(params["policy"]).exists()  # kept for the job, deleted after it
    finished = [e for e in _audited(api, "report") if e["detail"].get("job") == job["id"]]
    assert [e["detail"]["policy"] for e in finished] == [hashlib.sha256(policy.read_bytes()).hexdigest()]


def test_a_bad_policy_is_refused_with_the_collection_message(api, bank):
    headers = api.headers("manager")
    uploads = set(api.settings.uploads_dir.iterdir())
    jobs = len(api.client.get("/api/jobs", headers=headers).json())
    for content, key in ((b"timetable: 5\n", "timetable"), (b"overdue_normal_grace_days: -3\n", "overdue_normal_grace_days"),
                         (b"vocabulary:\n  litigation: [1\n", "YAML"), (b"warning_dayz: 90\n", "warning_dayz")):
        files = {**_bank_files(bank), "policy": ("我的策略.yaml", content)}
        plan = api.client.post("/api/collect/plan", headers=headers, files=files, data={"as_of": "2026-06-30"})
        assert plan.status_code == 400, plan.text
        message = plan.json()["error"]
        assert message.startswith("我的策略.yaml") and key in message and str(api.settings.data_dir) not in message
        for fmt in ("json", "docx"):
            npl = api.client.post(f"/api/npl-report?format={fmt}", headers=headers, files=files, data={"period": "2026Q2"})
            assert (npl.status_code, npl.json()["error"]) == (400, message)
        # The letters job is not started on it: the same 400 at once, not a job that fails later.
        letters = api.client.post("/api/collect/letters", headers=headers, files=files, data={"as_of": "2026-06-30"})
        assert (letters.status_code, letters.json()["error"]) == (400, message)
    wrong = api.client.post("/api/npl-report", headers=headers, data={"period": "2026Q2"},
                            files={**_bank_files(bank), "policy": ("策略.txt", b"warning_days: 90\n")})
    assert wrong.status_code == 400 and wrong.json()["error"].startswith("策略.txt：文件 policy 应为 .yaml")
    climbing = api.client.post("/api/npl-report", headers=headers, data={"period": "2026Q2"},
                               files={**_bank_files(bank), "policy": ("..\\../etc/策略.yaml", b"timetable: 5\n")})
    assert climbing.status_code == 400 and climbing.json()["error"].startswith("策略.yaml：timetable")  # a name, never a path
    assert set(api.settings.uploads_dir.iterdir()) == uploads  # nothing kept of the refused requests
    assert len(api.client.get("/api/jobs", headers=headers).json()) == jobs


def test_npl_report_with_a_policy_by_role(api, bank, roles):
    from docgen.service.access import ACCESS

    files = _bank_files(bank)
    answer = api.client.post("/api/npl-report", files=files, data={"period": "2026Q2"})
    assert answer.status_code == 401
    for role in roles:
        answer = api.client.post("/api/npl-report", headers=api.headers(role), files=files, data={"period": "2026Q2"})
        assert answer.status_code == (200 if role in ACCESS["npl-report"] else 403), (role, answer.text)
    bad = api.client.post("/api/npl-report", headers=api.headers("manager"), files=files, data={"period": "2026Q5"})
    assert bad.status_code == 400 and bad.json()["error"].startswith("period：")


def test_a_long_upload_name_keeps_its_extension() -> None:
    from docgen.service.files import display_name

    long = "某某房地产开发有限公司" * 15 + "贷款台账.xlsx"
    shown = display_name(f"C:\\Users\\信贷\\{long}", "x")
    assert len(shown) == 120 and shown.endswith(".xlsx") and shown.startswith("某某房地产")
    assert display_name("台账.xlsx", "x") == "台账.xlsx" and display_name("", "x") == "x"


@pytest.mark.parametrize("as_of", ["9999-12-31", "0001-01-01"])
def test_dates_outside_the_commands_years_are_400_before_any_work(api, as_of):
    """9999-12-31 made the plan's date arithmetic overflow (500) and the letters job fail inside."""
    manager = api.headers("manager")
    ledger = {"ledger": ("台账.xlsx", LEDGER.read_bytes(), "application/octet-stream")}
    jobs_before = len(api.client.get("/api/jobs", headers=manager).json())
    for path in ("/api/collect/plan", "/api/collect/letters"):
        answer = api.client.post(path, headers=manager, files=ledger, data={"as_of": as_of})
        assert answer.status_code == 400, answer.text
        assert answer.json()["error"] == f"as_of：日期“{as_of}”超出可用范围 1900–2199 年（invalid date）"
    assert len(api.client.get("/api/jobs", headers=manager).json()) == jobs_before


@pytest.mark.parametrize("body", [b"[" * 100_000, b'{"a":' * 100_000])
def test_a_json_body_nested_beyond_the_parser_is_400(api, body):
    answer = api.client.post("/api/render/demand-letter", headers=api.headers("backoffice"), content=body)
    assert answer.status_code == 400
    assert answer.json()["error"] == "请求体不是有效的 JSON（the body is not valid JSON）"


@pytest.mark.parametrize(("headers", "kwargs", "reason"), [
    ({"content-type": "multipart/form-data"}, {"content": b"x"}, "Missing boundary"),
    ({}, {"files": [("bundle", (f"b{i}.zip", b"PK", "application/zip")) for i in range(6)]}, "Too many files"),
    ({}, {"data": {"as_of": "x" * (1024 * 1024 + 1)}, "files": {"bundle": ("b.zip", b"PK")}}, "maximum size"),
], ids=["no-boundary", "six-files", "huge-field"])
def test_a_form_the_parser_refuses_is_400_in_the_services_words(api, headers, kwargs, reason):
    answer = api.client.post("/api/check", headers={**api.headers("credit"), **headers}, **kwargs)
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error.startswith("请求的表单无法读取（") and reason in error and error.endswith("（the form cannot be read）")


def test_a_bundle_yaml_with_a_5000_digit_number_is_checked_not_a_500(api):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("bundle.yaml", "borrower:\n  name: 1" + "9" * 5000 + "\n")
    for path, role in (("/api/check", "credit"), ("/api/draft", "credit")):
        answer = api.client.post(path, headers=api.headers(role), files={"bundle": ("b.zip", buffer.getvalue())},
                                 data={"as_of": AS_OF})
        assert answer.status_code in (200, 422), (path, answer.text)
