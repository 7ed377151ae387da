"""Jobs survive the runner: a restart marks running jobs interrupted, and running one again
issues nothing twice. Limits: upload size and count, jobs per user; retention deletes old files."""
from __future__ import annotations

import json
import os
import time

from fastapi.testclient import TestClient

from docgen.service.app import create_app
from docgen.service.files import sweep
from docgen.service.jobs import INTERRUPTED_MESSAGE, JobStore
from service_helpers import PASSWORD, make_settings, rows_csv, wait_job


def _token(client, name):
    return {"Authorization": "Bearer " + client.post("/api/token", data={"username": name, "password": PASSWORD})
            .json()["access_token"]}


class HeldRunner:
    """A runner that holds jobs (like a server stopped before its workers got to them)."""

    def __init__(self) -> None:
        self.submitted: list[str] = []

    def submit(self, job_id: str) -> None:
        self.submitted.append(job_id)

    def close(self) -> None:
        pass


def test_restart_marks_jobs_interrupted_and_a_rerun_issues_nothing_twice(tmp_path):
    settings = make_settings(tmp_path / "data")
    held = HeldRunner()
    with TestClient(create_app(settings, runner=held)) as client:
        headers = _token(client, "backoffice")
        answer = client.post("/api/batch/demand-letter", headers=headers,
                             files={"rows": ("rows.csv", rows_csv(2), "text/csv")})
        job_id = answer.json()["job"]
        assert held.submitted == [job_id]
        JobStore(settings.db_path).start(job_id)  # a worker took it, then the server died
        assert client.get(f"/api/jobs/{job_id}", headers=headers).json()["state"] == "running"
    with TestClient(create_app(settings)) as client:  # the restart
        headers = _token(client, "backoffice")
        job = client.get(f"/api/jobs/{job_id}", headers=headers).json()
        assert job["state"] == "interrupted" and job["error"] == INTERRUPTED_MESSAGE
        assert client.post(f"/api/jobs/{job_id}/rerun", headers=_token(client, "credit")).status_code == 403
        assert client.post(f"/api/jobs/{job_id}/rerun", headers=headers).status_code == 202
        first = wait_job(client, job_id, headers)
        assert first["state"] == "done", first
        assert first["result"]["written"] == 2
        again = client.post("/api/batch/demand-letter", headers=headers,
                            files={"rows": ("rows.csv", rows_csv(2), "text/csv")}).json()["job"]
        second = wait_job(client, again, headers)
        assert second["result"]["written"] == 0 and second["result"]["skipped"] == 2
        registered = client.get("/api/register", headers=headers).json()
        assert [r["serial"] for r in registered] == first["result"]["serials"]


def test_upload_size_and_count_limits(tmp_path):
    settings = make_settings(tmp_path / "data", max_upload_bytes=50_000, max_files=2)
    with TestClient(create_app(settings)) as client:
        headers = _token(client, "credit")
        big = client.post("/api/check", headers=headers, files={"bundle": ("big.zip", b"0" * 60_000)})
        assert big.status_code == 413
        assert big.json()["error"].startswith("上传内容超过上限")
        many = client.post("/api/check", headers=headers,
                           files=[("bundle", (f"{i}.zip", b"PK", "application/zip")) for i in range(3)])
        assert many.status_code == 400
        assert list(settings.uploads_dir.iterdir()) == []


def test_jobs_per_user_are_limited(tmp_path):
    settings = make_settings(tmp_path / "data", max_active_jobs=1)
    with TestClient(create_app(settings, runner=HeldRunner())) as client:
        headers = _token(client, "backoffice")
        send = lambda: client.post("/api/batch/demand-letter", headers=headers,  # noqa: E731
                                   files={"rows": ("rows.csv", rows_csv(1), "text/csv")})
        assert send().status_code == 202
        refused = send()
        assert refused.status_code == 429 and "已有 1 个任务" in refused.json()["error"]


def test_retention_deletes_old_uploads_and_results(tmp_path):
    settings = make_settings(tmp_path / "data")
    old_upload = settings.uploads_dir / "a" ; old_upload.write_bytes(b"x")
    new_upload = settings.uploads_dir / "b" ; new_upload.write_bytes(b"y")
    old_result = settings.files_dir / "c" ; old_result.mkdir() ; (old_result / "letter.docx").write_bytes(b"z")
    past = time.time() - 10 * 3600
    for path in (old_upload, old_result):
        os.utime(path, (past, past))
    from docgen.service.files import register_file, get_file

    kept = register_file(settings.db_path, "backoffice", new_upload)
    gone = register_file(settings.db_path, "backoffice", old_result / "letter.docx")
    assert sweep(settings.db_path, settings.uploads_dir, settings.files_dir, 3600) == 2
    assert not old_upload.exists() and not old_result.exists() and new_upload.exists()
    assert get_file(settings.db_path, gone) is None and get_file(settings.db_path, kept) is not None


def test_job_params_never_hold_a_users_path(tmp_path):
    settings = make_settings(tmp_path / "data")
    with TestClient(create_app(settings, runner=HeldRunner())) as client:
        headers = _token(client, "backoffice")
        job_id = client.post("/api/batch/demand-letter", headers=headers,
                             files={"rows": ("../../etc/passwd.csv", rows_csv(1), "text/csv")}).json()["job"]
    params = JobStore(settings.db_path).get(job_id)["params"]
    assert os.path.dirname(params["rows"]) == str(settings.uploads_dir)
    assert params["rows_name"] == "passwd.csv"
    assert json.dumps(params).count("etc") == 0


def test_a_running_server_sweeps_on_its_own(tmp_path):
    settings = make_settings(tmp_path / "data", retention_hours=0.001)  # 3.6 s: swept every second
    with TestClient(create_app(settings)) as client:
        stale = settings.uploads_dir / "stale"
        stale.write_bytes(b"x")
        past = time.time() - 60
        os.utime(stale, (past, past))
        assert client.app.state.service.sweep_every == 1.0
        deadline = time.monotonic() + 10
        while stale.exists() and time.monotonic() < deadline:
            client.get("/login")  # the event loop runs while requests are served
            time.sleep(0.2)
        assert not stale.exists()
