"""Input a job could not use is refused before the job is queued: a letters job's ledger (from the API
and from the plan page) as the plan refuses it, and a job run again whose stored input has gone,
changed or no longer reads. Nothing is queued, the uploads go, the register stays empty, and the
refusal is in the audit log."""
from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from docgen.loans.ledger import MAX_BAD_ROWS, write_ledger
from docgen.service.app import create_app
from docgen.service.jobs import JobStore
from ledger_fixtures import row
from service_helpers import LEDGER, PASSWORD, POLICY, HeldRunner, make_settings, rows_csv, wait_job
from test_service_access import login

AS_OF = {"as_of": "2026-06-30"}


class Service:
    """A fresh service (its own data folder), its client and a token per user."""

    def __init__(self, client: TestClient, settings: Any, held: HeldRunner | None) -> None:
        self.client, self.settings, self.held = client, settings, held

    def headers(self, name: str) -> dict[str, str]:
        token = self.client.post("/api/token", data={"username": name, "password": PASSWORD}).json()["access_token"]
        return {"Authorization": f"Bearer {token}"}

    def audited(self, action: str) -> list[dict[str, Any]]:
        return self.client.get("/api/audit", params={"action": action}, headers=self.headers("admin")).json()

    def jobs(self) -> list[dict[str, Any]]:
        return self.client.get("/api/jobs", headers=self.headers("admin")).json()

    def uploads(self) -> list[Path]:
        return sorted(self.settings.uploads_dir.iterdir())

    def register(self) -> list[dict[str, Any]]:
        return self.client.get("/api/register", headers=self.headers("compliance")).json()


@pytest.fixture
def service(tmp_path: Path) -> Iterator[Service]:
    """A fresh service whose jobs run."""
    settings = make_settings(tmp_path / "data")
    with TestClient(create_app(settings)) as client:
        yield Service(client, settings, None)


@pytest.fixture
def held(tmp_path: Path) -> Iterator[Service]:
    """A fresh service whose jobs are queued and held (``HeldRunner``)."""
    settings, runner = make_settings(tmp_path / "data"), HeldRunner()
    with TestClient(create_app(settings, runner=runner)) as client:
        yield Service(client, settings, runner)


def _bad_ledgers(folder: Path) -> list[tuple[str, bytes, int, str]]:
    """Ledgers no letters job can read: (name, content, status, how the refusal begins)."""
    litigation = write_ledger([row("A1", 200000, "次级", days=120, serial=1, litigation="法院已受理")],
                              folder / "诉讼台账.xlsx")  # 法院已受理 is only the bank's policy's word
    mostly_bad = write_ledger([row("G1", 100, serial=1)], folder / "错行台账.csv")
    with mostly_bad.open("a", encoding="utf-8") as fh:
        fh.writelines(f"B{k}\n" for k in range(MAX_BAD_ROWS + 5))
    return [
        ("台账.xlsx", b"not a workbook", 400, "台账.xlsx：内容是文本（CSV 或制表符分隔），不是 Excel 工作簿"),
        ("损坏.xlsx", LEDGER.read_bytes()[:4000], 400, "损坏.xlsx："),
        ("表头.csv", "借据号,余额\nL1,100\n".encode(), 400, "表头.csv："),
        ("台账.docx", b"x", 400, "台账.docx：文件 ledger 应为"),
        (litigation.name, litigation.read_bytes(), 422, f"{litigation.name}："),
        (mostly_bad.name, mostly_bad.read_bytes(), 422, f"{mostly_bad.name}："),
    ]


def test_a_ledger_the_letters_job_could_not_read_is_refused_as_the_plan_refuses_it(service, tmp_path):
    headers = service.headers("manager")
    bad = _bad_ledgers(tmp_path)
    for name, content, status, start in bad:
        files = {"ledger": (name, content)}
        plan = service.client.post("/api/collect/plan", headers=headers, files=files, data=AS_OF)
        letters = service.client.post("/api/collect/letters", headers=headers, files=files, data=AS_OF)
        assert (letters.status_code, letters.json()) == (plan.status_code, plan.json()), name
        assert letters.status_code == status and letters.json()["error"].startswith(start), letters.text
        if status == 422:
            assert letters.json()["problems"] and all(p["row"] for p in letters.json()["problems"])
    stopped = letters.json()  # the last: more than MAX_BAD_ROWS bad rows
    assert f"超过 {MAX_BAD_ROWS} 行" in stopped["error"] and len({p["row"] for p in stopped["problems"]}) == MAX_BAD_ROWS
    assert service.jobs() == [] and service.uploads() == [] and service.register() == []
    refused = service.audited("job-letters-refused")[::-1]
    read = [case for case in bad if not case[0].endswith(".docx")]  # a wrong extension is refused unread
    assert [(e["user"], e["sha256"], e["detail"]["status"]) for e in refused] \
        == [("manager", hashlib.sha256(content).hexdigest(), status) for _, content, status, _ in read]
    assert all(e["detail"]["error"].startswith(start) for e, (_, _, _, start) in zip(refused, read))
    assert service.audited("job-letters") == []

    good = service.client.post("/api/collect/letters", headers=headers, data=AS_OF,
                               files={"ledger": (LEDGER.name, LEDGER.read_bytes()),
                                      "policy": (POLICY.name, POLICY.read_bytes())})
    assert good.status_code == 202, good.text
    job = wait_job(service.client, good.json()["job"], headers)
    assert job["state"] == "done" and job["result"]["written"] > 0, job
    assert [j["id"] for j in service.jobs()] == [job["id"]]
    started = service.audited("job-letters")
    assert [(e["sha256"], e["detail"]) for e in started] == [(hashlib.sha256(LEDGER.read_bytes()).hexdigest(),
                                                              {"job": job["id"]})]


#: What a policy gives for its letters to be signed (``check_letters_policy``), appended to the bank's.
SIGNED = """\
letters:
  bank_legal_name: 陕西眉县农村商业银行股份有限公司
  branches:
    default: {address: 眉县首善镇平阳街8号, phone: 0917-5521234, contact: 王敏}
"""


def test_the_plan_page_letters_are_refused_when_the_kept_ledger_does_not_read(service, bank, tmp_path):
    closing, _, bank_policy = bank
    policy = tmp_path / bank_policy.name  # the bank's words, and the branches and bank that sign its letters
    policy.write_text(bank_policy.read_text(encoding="utf-8") + SIGNED, encoding="utf-8")
    client = TestClient(service.client.app)
    login(client, "manager")
    page = client.post("/collect", data={"csrf": _csrf(client.get("/collect").text), **AS_OF},
                       files={"ledger": (closing.name, closing.read_bytes()), "policy": (policy.name, policy.read_bytes())})
    assert page.status_code == 200, page.text
    kept = {field: re.search(rf'name="{field}" value="([^"]*)"', page.text).group(1) for field in ("ledger", "policy")}
    kept_files = service.uploads()
    assert len(kept_files) == 2

    def letters(**fields: str):
        return client.post("/collect/letters", data={"csrf": _csrf(page.text), **kept, **AS_OF, **fields},
                           follow_redirects=False)

    # Without the bank's policy its ledger does not read: the plan's 422 and rows, on the plan form.
    expected = service.client.post("/api/collect/plan", headers=service.headers("manager"), data=AS_OF,
                                   files={"ledger": (closing.name, closing.read_bytes())}).json()
    refused = letters(policy="")
    assert refused.status_code == 422
    text = html.unescape(refused.text)
    assert expected["error"] in text and all(p["message"] in text for p in expected["problems"])
    assert 'action="/collect"' in refused.text  # the plan form again, to upload what reads
    # A kept ledger that no longer reads (here overwritten) is refused with the plan's 400 for it.
    ledger_path = next(p for p in kept_files if p.suffix == ".xlsx")
    original = ledger_path.read_bytes()
    ledger_path.write_bytes(b"not a workbook")
    broken = letters()
    assert broken.status_code == 400
    assert f"{closing.name}：内容是文本（CSV 或制表符分隔），不是 Excel 工作簿" in html.unescape(broken.text)
    assert service.jobs() == [] and service.register() == []
    assert [e["detail"]["status"] for e in service.audited("job-letters-refused")] == [400, 422]
    assert service.uploads() == kept_files  # the plan page's files stay until their retention ends

    ledger_path.write_bytes(original)
    started = letters()
    assert started.status_code == 303 and started.headers["location"].startswith("/jobs/")
    job = wait_job(service.client, started.headers["location"].rsplit("/", 1)[1], service.headers("manager"))
    assert job["state"] == "done", job


def _csrf(text: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', text).group(1)


def _failed_letters_job(held: Service) -> tuple[str, Path, bytes]:
    """Start a letters job (held), then fail it as a worker would; return its id, stored ledger and bytes."""
    headers = held.headers("manager")
    started = held.client.post("/api/collect/letters", headers=headers, data=AS_OF,
                               files={"ledger": (LEDGER.name, LEDGER.read_bytes()),
                                      "policy": (POLICY.name, POLICY.read_bytes())})
    assert started.status_code == 202, started.text
    job_id = started.json()["job"]
    store = JobStore(held.settings.db_path)
    store.finish(job_id, run=store.start(job_id)["run"], error="LibreOffice stopped")
    return job_id, Path(store.get(job_id)["params"]["ledger"]), LEDGER.read_bytes()


def test_a_letters_job_is_run_again_only_on_the_ledger_it_was_started_with(held):
    job_id, stored, content = _failed_letters_job(held)
    headers = held.headers("manager")
    digest = hashlib.sha256(content).hexdigest()

    def rerun():
        return held.client.post(f"/api/jobs/{job_id}/rerun", headers=headers)

    stored.write_bytes(content + b"\0")  # not the file that was checked and audited
    changed = rerun()
    assert changed.status_code == 400
    assert changed.json()["error"] == (f"{LEDGER.name}：服务器上的文件已不是提交任务时检查过的那份（SHA-256 {digest[:12]}…）；"
                                       "请重新上传后提交新任务")
    stored.unlink()  # the retention sweep took it
    gone = rerun()
    assert gone.status_code == 400
    assert gone.json()["error"] == f"{LEDGER.name}：提交任务时上传的文件已不在服务器上（已过保留期删除）；请重新上传后提交新任务"
    client = TestClient(held.client.app)
    login(client, "manager")
    job_page = client.get(f"/jobs/{job_id}")
    on_page = client.post(f"/jobs/{job_id}/rerun", data={"csrf": _csrf(job_page.text)}, follow_redirects=False)
    assert on_page.status_code == 400 and gone.json()["error"] in html.unescape(on_page.text)
    assert held.client.get(f"/api/jobs/{job_id}", headers=headers).json()["state"] == "failed"
    assert held.held.submitted == [job_id]  # only its start
    refused = held.audited("job-rerun-refused")[::-1]
    assert [(e["detail"]["job"], e["detail"]["status"], e["sha256"]) for e in refused] == [(job_id, 400, digest)] * 3
    assert [e["detail"]["error"] for e in refused] == [changed.json()["error"]] + [gone.json()["error"]] * 2

    stored.write_bytes(content)
    assert rerun().status_code == 202
    assert held.held.submitted == [job_id, job_id]
    assert held.audited("job-rerun")[0]["detail"] == {"job": job_id}


def test_a_job_is_run_again_only_by_its_owner_or_an_admin_from_the_api_and_the_page(held):
    job_id, _, _ = _failed_letters_job(held)
    compliance = held.headers("compliance")
    assert held.client.get(f"/api/jobs/{job_id}", headers=compliance).status_code == 200  # sees every job
    refused = held.client.post(f"/api/jobs/{job_id}/rerun", headers=compliance)
    assert (refused.status_code, refused.json()["error"]) == (403, f"只有任务 {job_id} 的提交人或管理员可以重新运行")
    client = TestClient(held.client.app)
    login(client, "compliance")
    job_page = client.get(f"/jobs/{job_id}")
    assert f'action="/jobs/{job_id}/rerun"' not in job_page.text  # no button it may not press
    on_page = client.post(f"/jobs/{job_id}/rerun", data={"csrf": _csrf(job_page.text)}, follow_redirects=False)
    assert on_page.status_code == 403 and "你的角色不能使用这个页面。" in on_page.text
    owner = TestClient(held.client.app)
    login(owner, "manager")
    assert f'action="/jobs/{job_id}/rerun"' in owner.get(f"/jobs/{job_id}").text
    assert held.held.submitted == [job_id]  # only its start
    assert held.client.post(f"/api/jobs/{job_id}/rerun", headers=held.headers("admin")).status_code == 202
    assert held.held.submitted == [job_id, job_id]


def test_a_batch_job_whose_rows_have_gone_is_not_run_again(held):
    headers = held.headers("backoffice")
    started = held.client.post("/api/batch/demand-letter", headers=headers,
                               files={"rows": ("rows.csv", rows_csv(2), "text/csv")})
    assert started.status_code == 202, started.text
    job_id = started.json()["job"]
    store = JobStore(held.settings.db_path)
    store.finish(job_id, run=store.start(job_id)["run"], error="LibreOffice stopped")
    Path(store.get(job_id)["params"]["rows"]).unlink()
    again = held.client.post(f"/api/jobs/{job_id}/rerun", headers=headers)
    assert (again.status_code, again.json()["error"]) \
        == (400, "rows.csv：提交任务时上传的文件已不在服务器上（已过保留期删除）；请重新上传后提交新任务")
    assert store.get(job_id)["state"] == "failed" and held.held.submitted == [job_id]


def test_refused_batches_and_reports_are_audited_as_refused_and_keep_nothing(service):
    bad_rows = service.client.post("/api/batch/demand-letter", headers=service.headers("backoffice"),
                                   files={"rows": ("rows.csv", rows_csv(2, break_row=1), "text/csv")})
    assert bad_rows.status_code == 422
    report = service.client.post("/api/npl-report?format=docx", headers=service.headers("manager"),
                                 data={"period": "2026Q2"}, files={"ledger": ("台账.xlsx", b"not a workbook")})
    assert report.status_code == 400
    assert service.jobs() == [] and service.uploads() == []
    batch = service.audited("job-batch-refused")
    assert [(e["target"], e["detail"]["error"], e["detail"]["status"]) for e in batch] \
        == [("demand-letter", bad_rows.json()["error"], 422)]
    npl = service.audited("report-refused")
    assert [(e["target"], e["detail"]["error"], e["sha256"]) for e in npl] \
        == [("npl-report 2026Q2", report.json()["error"], hashlib.sha256(b"not a workbook").hexdigest())]
    assert service.audited("job-batch") == service.audited("report") == []
