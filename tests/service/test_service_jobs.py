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
from docxtext import docx_text
from service_helpers import (LEDGER, NOTES, OPENING, PASSWORD, TARGETS, HeldRunner, make_settings, rows_csv,
                             wait_job)


def _token(client, name):
    return {"Authorization": "Bearer " + client.post("/api/token", data={"username": name, "password": PASSWORD})
            .json()["access_token"]}


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
        policy = client.post("/api/npl-report", headers=_token(client, "manager"), data={"period": "2026Q2"},
                             files={"ledger": ("台账.csv", b"x"), "policy": ("策略.yaml", b"#" * 60_000)})
        assert policy.status_code == 413
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


def _aged_job(settings, store, name, *, uploads=1):
    """Create a queued job reading ``uploads`` files of uploads/ and writing a result folder in files/;
    return its id and its entries (``_age`` makes them old)."""
    inputs = [settings.uploads_dir / f"{name}-{index}.csv" for index in range(uploads)]
    out = settings.files_dir / name
    out.mkdir()
    (out / "letter.docx").write_bytes(b"z")
    for path in inputs:
        path.write_bytes(b"x")
    params = {"rows": str(inputs[0]), "uploads": [str(p) for p in inputs[1:]], "out": str(out), "pdf": False}
    return store.create("batch", "backoffice", params), [*inputs, out]


def _age(paths):
    """Make ``paths`` modified long before the retention period (a start changes its job's folder)."""
    past = time.time() - 10 * 3600
    for path in paths:
        if path.exists():
            os.utime(path, (past, past))


def _ended(settings, job_id, state, hours_ago):
    """Mark ``job_id`` ended in ``state`` ``hours_ago`` hours ago, its lease long out."""
    import datetime as dt
    import sqlite3

    at = (dt.datetime.now().astimezone() - dt.timedelta(hours=hours_ago)).isoformat(timespec="seconds")
    with sqlite3.connect(settings.db_path) as db:
        db.execute("UPDATE jobs SET state = ?, finished = ?, lease = ? WHERE id = ?",
                   (state, at, time.time() - hours_ago * 3600, job_id))
    db.close()


def test_retention_keeps_what_a_queued_running_or_leased_job_needs_and_what_an_ended_one_made_lately(tmp_path):
    settings = make_settings(tmp_path / "data")
    store = JobStore(settings.db_path)
    queued, queued_paths = _aged_job(settings, store, "queued", uploads=2)
    # marked lost by a sweep reading the clock an hour on; its runner vouches for it still
    lost, lost_paths = _aged_job(settings, store, "lost")
    store.start(lost, 60)
    assert store.expire(now=time.time() + 3600) == [lost]
    running, running_paths = _aged_job(settings, store, "running")
    store.start(running, 60)
    recent, recent_paths = _aged_job(settings, store, "recent")
    _ended(settings, recent, "done", 0.5)
    old_ones = [_aged_job(settings, store, state) for state in ("done", "failed", "interrupted")]
    for (job_id, _), state in zip(old_ones, ("done", "failed", "interrupted")):
        _ended(settings, job_id, state, 5)
    assert store.get(lost)["state"] == "failed" and store.get(running)["state"] == "running"
    everything = queued_paths + running_paths + lost_paths + recent_paths + [p for _, ps in old_ones for p in ps]
    _age(everything)

    assert sweep(settings.db_path, settings.uploads_dir, settings.files_dir, 3600) == 6
    for path in queued_paths + running_paths + lost_paths + recent_paths:
        assert path.exists(), path
    for _, paths in old_ones:
        assert not any(path.exists() for path in paths)
    # ended long enough ago, they go as well
    _ended(settings, queued, "failed", 2)
    _ended(settings, lost, "failed", 2)
    _age(everything)
    assert sweep(settings.db_path, settings.uploads_dir, settings.files_dir, 3600) == 5
    assert not any(path.exists() for path in queued_paths + lost_paths)
    assert all(path.exists() for path in running_paths + recent_paths)


def test_retention_keeps_what_a_job_marked_lost_needs_while_its_runner_vouches_for_it(tmp_path):
    # Its end is past the retention period (a sweep whose clock ran ahead marked it), but the lease
    # its runner last renewed runs still: the runner may take the job back and write its results.
    import datetime as dt
    import sqlite3

    settings = make_settings(tmp_path / "data")
    store = JobStore(settings.db_path)
    lost, paths = _aged_job(settings, store, "lost")
    store.start(lost, 3600)
    assert store.expire(now=time.time() + 7200) == [lost]
    ended = (dt.datetime.now().astimezone() - dt.timedelta(hours=5)).isoformat(timespec="seconds")
    with sqlite3.connect(settings.db_path) as db:
        db.execute("UPDATE jobs SET finished = ? WHERE id = ?", (ended, lost))
    db.close()
    _age(paths)
    assert sweep(settings.db_path, settings.uploads_dir, settings.files_dir, 3600) == 0
    assert all(path.exists() for path in paths)
    with sqlite3.connect(settings.db_path) as db:  # the lease ran out: nothing vouches for it
        db.execute("UPDATE jobs SET lease = ? WHERE id = ?", (time.time() - 1, lost))
    db.close()
    assert sweep(settings.db_path, settings.uploads_dir, settings.files_dir, 3600) == 2
    assert not any(path.exists() for path in paths)


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



def test_a_running_server_sweeps_again_after_a_sweep_the_storage_or_a_bug_refused(tmp_path, monkeypatch, caplog):
    # The sweep that frees a full disk must not stop at the first refusal of that disk.
    import logging
    import sqlite3

    from docgen.service.service import Service

    settings = make_settings(tmp_path / "data", retention_hours=0.001)
    real = Service.sweep
    calls = []

    def sweep_refused_at_first(self):
        calls.append(len(calls))
        if len(calls) == 2:  # the first after start-up
            full = sqlite3.OperationalError("database or disk is full")
            full.sqlite_errorcode = 13  # SQLITE_FULL
            raise full
        if len(calls) == 3:
            raise RuntimeError("a bug")
        return real(self)

    monkeypatch.setattr(Service, "sweep", sweep_refused_at_first)
    caplog.set_level(logging.WARNING, "docgen.service")
    with TestClient(create_app(settings)) as client:
        stale = settings.uploads_dir / "stale"
        stale.write_bytes(b"x")
        past = time.time() - 60
        os.utime(stale, (past, past))
        deadline = time.monotonic() + 20
        while stale.exists() and time.monotonic() < deadline:
            client.get("/login")  # the event loop runs while requests are served
            time.sleep(0.2)
        assert not stale.exists() and len(calls) >= 4
    said = [r.getMessage() for r in caplog.records if r.name == "docgen.service" and r.levelno >= logging.ERROR]
    assert said == ["old uploads and results could not be swept"]

def _npl_files(with_opening: bool = True) -> dict[str, tuple[str, bytes]]:
    files = {"ledger": (LEDGER.name, LEDGER.read_bytes()), "targets": (TARGETS.name, TARGETS.read_bytes()),
             "notes": (NOTES.name, NOTES.read_bytes())}
    if with_opening:
        files["opening"] = (OPENING.name, OPENING.read_bytes())
    return files


def test_the_npl_report_docx_is_a_job_only_its_owner_admin_and_compliance_see(tmp_path):
    from docgen.service.users import UserStore

    settings = make_settings(tmp_path / "data")
    UserStore(settings.db_path).add("manager2", "manager", PASSWORD)
    with TestClient(create_app(settings)) as client:
        headers = _token(client, "manager")
        started = client.post("/api/npl-report?format=docx", headers=headers, files=_npl_files(),
                              data={"period": "2026Q2"})
        assert started.status_code == 202, started.text
        job_id = started.json()["job"]
        job = wait_job(client, job_id, headers)
        assert job["state"] == "done", job
        assert job["progress"] == {"done": 1, "total": 1}
        assert job["result"]["period"] == "2026Q2"
        report = job["files"][0]
        assert report["name"] == "不良贷款报告-2026Q2.docx"
        answer = client.get(report["url"], headers=headers)
        assert answer.status_code == 200 and "不良贷款" in docx_text(answer.content)
        assert list(settings.uploads_dir.iterdir()) == []  # the ledgers went with the finished job
        stored = JobStore(settings.db_path).get(job_id)
        assert stored["state"] == "done" and stored["kind"] == "npl-report"  # the state is in SQLite
        other = _token(client, "manager2")
        assert client.get(f"/api/jobs/{job_id}", headers=other).status_code == 403
        assert client.get(report["url"], headers=other).status_code == 403
        assert client.get(f"/api/jobs/{job_id}", headers=_token(client, "credit")).status_code == 403
        assert client.post(f"/api/jobs/{job_id}/rerun", headers=other).status_code == 403
        assert client.get(f"/api/jobs/{job_id}", headers=_token(client, "admin")).status_code == 200
        assert client.get(report["url"], headers=_token(client, "compliance")).status_code == 200
        assert client.get("/api/jobs/ffffffffffffffff", headers=headers).status_code == 404
        entries = client.get("/api/audit", headers=_token(client, "admin")).json()
        assert {"job-npl-report", "report", "download"} <= {e["action"] for e in entries}
        assert [e["detail"].get("job") for e in entries if e["action"] == "report" and e["detail"].get("job")] \
            == [job_id]


def test_bad_ledgers_are_refused_before_any_npl_job_starts(tmp_path):
    settings = make_settings(tmp_path / "data")
    held = HeldRunner()
    with TestClient(create_app(settings, runner=held)) as client:
        headers = _token(client, "manager")
        files = _npl_files()
        files["ledger"] = ("台账.csv", "借据号,余额\nL1,abc\n".encode("utf-8"))
        answer = client.post("/api/npl-report?format=docx", headers=headers, files=files, data={"period": "2026Q2"})
        assert answer.status_code in (400, 422) and answer.json()["error"].startswith("台账.csv")
        bad_period = client.post("/api/npl-report?format=docx", headers=headers, files=_npl_files(),
                                 data={"period": "2026Q9"})
        assert bad_period.status_code == 400
        without_notes = client.post("/api/npl-report?format=docx", headers=headers,
                                    files={"ledger": (LEDGER.name, LEDGER.read_bytes())}, data={"period": "2026Q2"})
        assert without_notes.status_code == 400  # the report would have no unit to sign it: said now, not by the job
        assert without_notes.json()["error"] == (f"{LEDGER.name}：台账包含 5 个机构，无法确定报告单位；"
                                                 "请在 notes.yaml 中填写 branch（如 眉县支行）")
        assert held.submitted == [] and client.get("/api/jobs", headers=headers).json() == []
        assert list(settings.uploads_dir.iterdir()) == []


def test_a_restart_marks_the_npl_job_interrupted_and_it_runs_again(tmp_path):
    settings = make_settings(tmp_path / "data")
    held = HeldRunner()
    with TestClient(create_app(settings, runner=held)) as client:
        headers = _token(client, "manager")
        job_id = client.post("/api/npl-report?format=docx", headers=headers, files=_npl_files(with_opening=False),
                             data={"period": "2026Q2"}).json()["job"]
        assert held.submitted == [job_id]
        JobStore(settings.db_path).start(job_id)  # a worker took it, then the server died
    with TestClient(create_app(settings)) as client:
        headers = _token(client, "manager")
        job = client.get(f"/api/jobs/{job_id}", headers=headers).json()
        assert job["state"] == "interrupted" and job["error"] == INTERRUPTED_MESSAGE and job["files"] == []
        assert client.post(f"/api/jobs/{job_id}/rerun", headers=headers).status_code == 202
        done = wait_job(client, job_id, headers)
        assert done["state"] == "done", done
        assert [f["name"] for f in done["files"]] == ["不良贷款报告-2026Q2.docx"]
        assert client.get(done["files"][0]["url"], headers=headers).status_code == 200
