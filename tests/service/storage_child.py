"""The service's folders made unwritable while it runs, in a process file permissions apply to.

``test_service_storage.py`` runs this script through ``tests/unprivileged.py`` (as root, without
the capabilities that override file modes), so a folder of mode 0500 really refuses new files.
It starts the service on a fresh data folder under ``sys.argv[1]``, takes away the write
permission of ``uploads/``, ``files/``, the data folder and the database in turn, and checks
what every family of requests then answers (503 and one line naming the folder, on the API and
on the pages), that nothing is left behind, and that the same requests succeed once the mode is
given back. Each scenario asserts; the script prints one line per scenario passed and exits 0.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

import yaml  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402

from service_helpers import (AS_OF, LEDGER, PASSWORD, POLICY, HeldRunner, bundle_zip, make_settings, rows_csv,  # noqa: E402
                             run_scenarios)
from test_service_access import login  # noqa: E402
from unprivileged import modes  # noqa: E402

from docgen.service import work  # noqa: E402
from docgen.service.app import create_app  # noqa: E402
from docgen.service.jobs import JobStore  # noqa: E402
from docgen.service.messages import MESSAGES as SERVICE  # noqa: E402

#: The example data of the 承诺函 without its serial: the register (in the data folder) numbers it.
COMMITMENT = {key: str(value) if hasattr(value, "isoformat") else value for key, value in yaml.safe_load(
    (HERE.parents[1] / "examples" / "templates" / "commitment-letter.yaml").read_text(encoding="utf-8")).items()
    if key != "serial"}


def unavailable(answer, path: Path) -> None:
    """Assert ``answer`` is the API's 503 naming ``path`` as a folder the service may not write."""
    assert answer.status_code == 503, (answer.status_code, answer.text[:400])
    assert answer.json() == {"error": SERVICE.text("storage-denied", {"path": str(path)}), "problems": []}


def unavailable_page(answer, path: Path) -> None:
    """Assert ``answer`` is the 503 page saying in one line that ``path`` may not be written."""
    assert answer.status_code == 503, (answer.status_code, answer.text[:400])
    assert "text/html" in answer.headers["content-type"]
    assert SERVICE.text("storage-denied", {"path": str(path)}) in answer.text
    assert "Traceback" not in answer.text


def files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


class Run:
    def __init__(self, client: TestClient, settings, held: HeldRunner, tmp: Path) -> None:
        self.client, self.settings, self.held, self.tmp = client, settings, held, tmp
        self.zip = bundle_zip(tmp / "华安置业.zip")
        self.rows = rows_csv(3)
        self.tokens: dict[str, dict[str, str]] = {}
        self.credit = TestClient(client.app)
        login(self.credit, "credit")
        for role in ("credit", "backoffice", "manager", "compliance", "admin"):
            self.auth(role)  # before any folder is taken away: logging in writes the audit log

    def auth(self, role: str) -> dict[str, str]:
        if role not in self.tokens:
            answer = self.client.post("/api/token", data={"username": role, "password": PASSWORD})
            assert answer.status_code == 200, answer.text
            self.tokens[role] = {"Authorization": f"Bearer {answer.json()['access_token']}"}
        return self.tokens[role]

    # one request of each family that writes -----------------------------------------------
    def check(self):
        return self.client.post("/api/check", headers=self.auth("credit"), data={"as_of": AS_OF},
                                files={"bundle": (self.zip.name, self.zip.read_bytes(), "application/zip")})

    def check_page(self):
        form = self.credit.get("/check")
        csrf = form.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
        return self.credit.post("/check", data={"csrf": csrf, "as_of": AS_OF},
                                files={"bundle": (self.zip.name, self.zip.read_bytes(), "application/zip")})

    def draft(self):
        return self.client.post("/api/draft", headers=self.auth("credit"), data={"annex": "4", "as_of": AS_OF},
                                files={"bundle": (self.zip.name, self.zip.read_bytes(), "application/zip")})

    def render(self):
        return self.client.post("/api/render/commitment-letter", headers=self.auth("backoffice"), json=COMMITMENT)

    def batch(self):
        return self.client.post("/api/batch/demand-letter", headers=self.auth("backoffice"),
                                files={"rows": ("rows.csv", self.rows, "text/csv")})

    def npl(self):
        return self.client.post("/api/npl-report", headers=self.auth("manager"), data={"period": "2026Q2"},
                                files={"ledger": (LEDGER.name, LEDGER.read_bytes())})

    def plan(self):
        return self.client.post("/api/collect/plan", headers=self.auth("manager"), data={"as_of": AS_OF},
                                files={"ledger": (LEDGER.name, LEDGER.read_bytes())})

    def letters(self):
        return self.client.post("/api/collect/letters", headers=self.auth("manager"), data={"as_of": AS_OF},
                                files={"ledger": (LEDGER.name, LEDGER.read_bytes()),
                                       "policy": (POLICY.name, POLICY.read_bytes())})


def uploads_unwritable(run: Run) -> None:
    """uploads/ refuses new files: every request with an upload is 503 naming it, on the API and the
    page; nothing is queued; once writable again the same requests succeed."""
    uploads = run.settings.uploads_dir
    jobs_before = len(run.client.get("/api/jobs", headers=run.auth("admin")).json())
    with modes((uploads, 0o500)):
        for request in (run.check, run.draft, run.batch, run.npl, run.plan, run.letters):
            unavailable(request(), uploads)
        unavailable_page(run.check_page(), uploads)
    assert files(uploads) == []
    assert len(run.client.get("/api/jobs", headers=run.auth("admin")).json()) == jobs_before
    assert run.check().status_code == 200
    assert run.plan().status_code == 200
    assert run.batch().status_code == 202
    assert files(uploads) != []  # the batch's rows, kept for its job


def files_unwritable(run: Run) -> None:
    """files/ refuses the result folders: 503 naming files/, the uploads deleted, no job queued and
    no folder left; the requests succeed again afterwards."""
    results, uploads = run.settings.files_dir, run.settings.uploads_dir
    before_results, before_uploads = files(results), files(uploads)
    jobs_before = len(run.client.get("/api/jobs", headers=run.auth("admin")).json())
    with modes((results, 0o500)):
        for request in (run.check, run.draft, run.render, run.batch, run.letters):
            unavailable(request(), results)
        unavailable_page(run.check_page(), results)
    assert files(results) == before_results and files(uploads) == before_uploads
    assert len(run.client.get("/api/jobs", headers=run.auth("admin")).json()) == jobs_before
    rendered = run.render()
    assert rendered.status_code == 200, rendered.text
    assert run.check().status_code == 200


def data_folder_unwritable(run: Run) -> None:
    """The data folder refuses new files: the database cannot make its journal, so every request that
    uses it (token, jobs, pages, downloads, the register) is 503 naming the data folder, and pages
    say so without the user's menu; all recover."""
    data = run.settings.data_dir
    drafted = run.draft()
    assert drafted.status_code == 200, drafted.text
    download = drafted.json()["annexes"][0]["path"]  # /api/files/…: a download is audited
    with modes((data, 0o500)):
        unavailable(run.client.post("/api/token", data={"username": "credit", "password": PASSWORD}), data)
        unavailable(run.client.get("/api/jobs", headers=run.auth("admin")), data)
        unavailable(run.client.get(download, headers=run.auth("credit")), data)
        unavailable(run.client.get("/api/audit", headers=run.auth("admin")), data)
        unavailable(run.client.post("/api/register/verify", headers=run.auth("compliance")), data)
        unavailable(run.render(), data)
        unavailable_page(run.credit.get("/"), data)
        unavailable_page(run.credit.get("/jobs"), data)
    assert run.client.get("/api/jobs", headers=run.auth("admin")).status_code == 200
    assert run.client.get(download, headers=run.auth("credit")).status_code == 200
    assert run.credit.get("/").status_code == 200


def database_read_only(run: Run) -> None:
    """The database file itself made read-only: what writes it is 503 naming the file; SQLite made
    its -shm file with the same mode then, and while that one stays read-only it is the file named;
    writable again, all recover."""
    db = run.settings.db_path
    shm = Path(f"{db}-shm")
    with modes((db, 0o400)):
        unavailable(run.client.post("/api/token", data={"username": "credit", "password": PASSWORD}), db)
        unavailable(run.render(), db)
    assert shm.exists() and not os.access(shm, os.W_OK)
    unavailable(run.client.post("/api/token", data={"username": "credit", "password": PASSWORD}), shm)
    shm.chmod(0o600)
    again = run.client.post("/api/token", data={"username": "credit", "password": PASSWORD})
    assert again.status_code == 200, again.text


def job_folder_unwritable(run: Run) -> None:
    """A job whose result folder refuses its files fails with the one line naming that folder (not
    a traceback, not left running), leaves no file under a final name, and runs again once the
    folder is writable."""
    started = run.batch()
    assert started.status_code == 202, started.text
    job_id = started.json()["job"]
    job = run.client.get(f"/api/jobs/{job_id}", headers=run.auth("backoffice")).json()
    assert job["state"] == "queued" and run.held.submitted[-1] == job_id
    folder = Path(JobStore(run.settings.db_path).get(job_id)["params"]["out"])
    assert folder.is_dir() and list(folder.iterdir()) == []
    with modes((folder, 0o500)):
        work.execute_job(str(run.settings.data_dir), job_id)
    failed = run.client.get(f"/api/jobs/{job_id}", headers=run.auth("backoffice")).json()
    assert failed["state"] == "failed", failed
    assert failed["error"] == SERVICE.text("storage-denied", {"path": str(folder)}), failed["error"]
    assert list(folder.iterdir()) == []
    again = run.client.post(f"/api/jobs/{job_id}/rerun", headers=run.auth("backoffice"))
    assert again.status_code == 202, again.text
    work.execute_job(str(run.settings.data_dir), job_id)
    done = run.client.get(f"/api/jobs/{job_id}", headers=run.auth("backoffice")).json()
    assert done["state"] == "done" and done["result"]["written"] == 3, done
    assert not [p for p in folder.rglob("*") if p.name.startswith(".")]  # no temporary file left


SCENARIOS = [uploads_unwritable, files_unwritable, data_folder_unwritable, database_read_only, job_folder_unwritable]


def main(tmp: Path) -> None:
    settings = make_settings(tmp / "data")
    held = HeldRunner()
    with TestClient(create_app(settings, runner=held)) as client:
        run = Run(client, settings, held, tmp)
        run_scenarios(SCENARIOS, run)


if __name__ == "__main__":
    os.umask(0o022)
    main(Path(sys.argv[1]))
