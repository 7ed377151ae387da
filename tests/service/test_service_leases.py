"""A job whose process is gone is marked failed, not left running: the process running a job
renews its lease (``jobs.Lease``), and the service's sweep (``JobStore.expire``, at start and every
half lease) fails each running job whose lease ran out, for local workers and Celery alike. The
jobs' new columns come with a schema version the service brings an existing database up to.

Leases here are a second or less (``Settings.job_lease``); nothing asserts how long anything takes:
each wait polls for a state with a generous deadline.
"""
from __future__ import annotations

import datetime as _dt
import logging
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from docgen.cli import main

from docgen.core.errors import InputError
from docgen.documents.register import Register
from docgen.service.app import create_app
from docgen.service.jobs import JobEnds, JobStore
from docgen.service.messages import MESSAGES as SERVICE
from docgen.service.settings import JOB_LEASE_ENV, RECORD_WAIT_ENV, START_WAIT_ENV, Settings
from docgen.service.store import SCHEMA, SCHEMA_VERSION, init_db
from service_helpers import PASSWORD, HeldRunner, make_settings, rows_csv, wait_job

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
LEASE = 1.0


def _until(check: Callable[[], Any], what: str, timeout: float = 120.0) -> Any:
    """Poll ``check()`` until it returns something true; return it (fail naming ``what`` past the deadline)."""
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        assert time.monotonic() < deadline, f"never: {what}"
        time.sleep(0.05)


def _lost_line(runner: str, lease: float) -> str:
    expired = _dt.datetime.fromtimestamp(lease).astimezone().isoformat(timespec="seconds")
    return SERVICE.text("job-lost", {"runner": runner, "expired": expired})


def _token(client: TestClient, name: str) -> dict[str, str]:
    answer = client.post("/api/token", data={"username": name, "password": PASSWORD})
    return {"Authorization": "Bearer " + answer.json()["access_token"]}


class QueueRunner(HeldRunner):
    """Jobs handed to a queue (as ``CeleryRunner``'s): they outlive the service, which marks none
    interrupted at start; what it holds is what was submitted."""

    durable = True


@pytest.mark.parametrize("mode", ["local", "celery"])
def test_a_job_whose_process_is_killed_is_marked_failed_by_the_sweep(tmp_path: Path, mode: str) -> None:
    settings = make_settings(tmp_path / "data", job_lease=LEASE)
    store = JobStore(settings.db_path)
    job_id = store.create("letters", "manager", {"out": str(tmp_path / "out"), "role": "manager"})
    ready = tmp_path / "ready"
    env = {**os.environ, JOB_LEASE_ENV: str(LEASE),
           "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)}
    child = subprocess.Popen([sys.executable, str(HERE / "job_lease_child.py"), str(settings.data_dir), job_id, mode,
                              str(ready)], env=env, stdin=subprocess.DEVNULL)
    try:
        _until(lambda: ready.exists() or child.poll() is not None, "the job running")
        assert child.poll() is None, "the child ended before its job blocked"
        job = store.get(job_id)
        assert job is not None and job["state"] == "running"
        assert job["runner"].rpartition(":")[2] == str(child.pid)
        # Alive, it renews its lease: the sweep at the time its first lease ran out leaves the job.
        first = job["lease"]
        _until(lambda: store.get(job_id)["lease"] > first, "a renewal")
        assert store.expire(now=first + 1e-3) == []
        os.kill(child.pid, signal.SIGKILL)
    finally:
        if child.poll() is None:
            child.kill()
        child.wait()
    # Killed, it renews nothing: once its lease runs out the sweep marks the job failed, saying why.
    assert _until(lambda: store.expire(), "the sweep failing the job") == [job_id]
    job = store.get(job_id)
    assert job["state"] == "failed" and job["finished"] and job["lost"]
    assert job["error"] == _lost_line(job["runner"], job["lease"])
    assert store.expire() == []  # once
    # Another process does not take it over; it is run again as any failed job.
    assert not store.renew(job_id, "elsewhere:1", time.time() + 60, run=job["run"])
    assert store.requeue(job_id)
    job = store.get(job_id)
    assert (job["state"], job["runner"], job["lease"], job["lost"], job["error"], job["run"]) \
        == ("queued", None, None, None, None, None)


def test_a_killed_job_worker_fails_its_job_and_the_next_job_runs_on_new_workers(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``ProcessRunner``'s worker is killed while its batch waits for the register (held here): the
    job reads failed with the lost line, the job queued behind it in the dead pool runs (submitted
    again, not left queued), and the next job runs (a pool whose worker died takes no more work: new
    workers are started)."""
    monkeypatch.setenv("DOCGEN_REGISTER_WAIT", "600")  # the worker waits for the register, not gives up
    settings = make_settings(tmp_path / "data", job_lease=LEASE)
    with Register(settings.register_path):
        pass
    holder = sqlite3.connect(str(settings.register_path), timeout=0)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with TestClient(create_app(settings)) as client:
            headers = _token(client, "backoffice")
            answer = client.post("/api/batch/demand-letter", headers=headers,
                                 files={"rows": ("rows.csv", rows_csv(2), "text/csv")})
            assert answer.status_code == 202, answer.text
            job_id = answer.json()["job"]
            store = JobStore(settings.db_path)
            job = _until(lambda: (j := store.get(job_id)) and j["state"] == "running" and j["runner"] and j,
                         "the job running")
            pid = int(job["runner"].rpartition(":")[2])
            assert pid != os.getpid()
            # a job the dead pool holds queued behind it (one worker): submitted again to the new one;
            # its row is the third, so the register's numbering of the next job's two is its own
            header, *lines = rows_csv(3).decode("utf-8").splitlines(keepends=True)
            waiting = client.post("/api/batch/demand-letter", headers=headers,
                                  files={"rows": ("rows.csv", (header + lines[2]).encode("utf-8"), "text/csv")})
            assert waiting.status_code == 202, waiting.text
            assert store.get(waiting.json()["job"])["state"] == "queued"
            os.kill(pid, signal.SIGKILL)
            holder.rollback()
            failed = wait_job(client, job_id, headers)
            assert failed["state"] == "failed", failed
            row = store.get(job_id)
            assert failed["error"] == _lost_line(job["runner"], row["lease"])
            resubmitted = wait_job(client, waiting.json()["job"], headers)
            assert resubmitted["state"] == "done", resubmitted
            again = client.post("/api/batch/demand-letter", headers=headers,
                                files={"rows": ("rows.csv", rows_csv(2), "text/csv")})
            assert again.status_code == 202, again.text
            done = wait_job(client, again.json()["job"], headers)
            assert done["state"] == "done", done
            assert len(done["result"]["serials"]) == 2
    finally:
        holder.close()


def test_the_service_puts_back_in_the_queue_at_start_and_while_it_runs_the_queue_jobs_whose_lease_ran_out(
        tmp_path: Path) -> None:
    """On a queue, a running job whose lease ran out (its worker's machine gone) is put back in the
    queue and handed to the runner again, at the service's start and by its sweep while it runs;
    lost again, it reads failed naming its runner."""
    settings = make_settings(tmp_path / "data", job_lease=0.2)
    store = JobStore(settings.db_path)

    def running(lease: float | None, runner: str = "worker-host:4242", job_id: str | None = None) -> str:
        job_id = job_id or store.create("letters", "manager", {"out": str(tmp_path / "out")})
        job = store.start(job_id)
        assert job is not None
        if lease is not None:
            assert store.renew(job_id, runner, lease, run=job["run"])
        return job_id

    gone = running(time.time() - 5)           # its worker died while no service ran
    alive = running(time.time() + 3600)       # a worker vouches for it for an hour
    older = running(None)                     # started by a docgen before leases: left alone
    queue = QueueRunner()
    with TestClient(create_app(settings, runner=queue)) as client:
        job = store.get(gone)
        assert (job["state"], job["run"], job["runner"], job["error"], job["recovered"]) == \
            ("queued", None, None, None, 1)
        assert queue.submitted == [gone]
        assert store.get(alive)["state"] == store.get(older)["state"] == "running"
        # While it runs, the service sweeps on its own: a job whose worker stops renewing is handed again.
        later = running(time.time() + 0.5, "worker-host:77")
        _until(lambda: later in queue.submitted, "the job handed again")
        assert store.get(later)["state"] == "queued" and queue.submitted == [gone, later]
        # Run again and lost again: it reads failed, as a job on local workers does.
        running(time.time() + 0.5, "worker-host:78", job_id=gone)
        headers = _token(client, "manager")
        job = wait_job(client, gone, headers)
        assert (job["state"], job["error"]) == ("failed", _lost_line("worker-host:78", store.get(gone)["lease"]))
        assert store.get(alive)["state"] == store.get(older)["state"] == "running"
        assert queue.submitted == [gone, later]


def test_a_silent_runner_takes_its_job_back_and_a_held_end_is_recorded_over_the_mark(tmp_path: Path) -> None:
    """The sweep marks lost a job whose runner only could not write (its database refused writes
    past its lease): the runner's next renewal runs it again, and an end it held is recorded."""
    settings = make_settings(tmp_path / "data")
    store = JobStore(settings.db_path)
    job_id = store.create("batch", "backoffice", {"out": str(tmp_path / "out")})
    run = store.start(job_id)["run"]
    assert store.renew(job_id, "host:1", time.time() + 60, run=run)
    assert store.renew(job_id, "host:2", time.time() + 1, run=run)  # another chunk's shorter lease: the longer holds
    lease = store.get(job_id)["lease"]
    assert lease > time.time() + 30
    assert store.expire(now=lease + 1) == [job_id]  # a minute later, nothing renewed it
    assert not store.renew(job_id, "host:1", lease + 61, run=run)  # not the process it was last marked running by
    assert store.renew(job_id, "host:2", lease + 61, run=run)
    job = store.get(job_id)
    assert (job["state"], job["error"], job["finished"], job["lost"]) == ("running", None, None, None)
    assert store.expire(now=lease + 62) == [job_id]
    (tmp_path / "out").mkdir()
    ends = JobEnds(store)
    entry = {"user": "backoffice", "role": "backoffice", "action": "generate", "target": "demand-letter",
             "sha256": "0" * 64, "serials": ["催字〔2026〕第00001号"], "detail": {"job": job_id}}
    ends.add({"job": job_id, "run": run, "error": "磁盘已满", "audit": entry})
    try:
        assert ends.record() == 1
    finally:
        ends.close()
    job = store.get(job_id)
    assert (job["state"], job["error"], job["lost"]) == ("failed", "磁盘已满", None)
    assert not (tmp_path / "out").exists()


def test_an_existing_database_is_brought_up_to_the_schema_version_and_a_later_one_refused(tmp_path: Path) -> None:
    path = tmp_path / "service.sqlite"
    with sqlite3.connect(path) as db:  # a data folder of a docgen before versions: the first tables
        db.executescript(SCHEMA)
        db.execute("INSERT INTO jobs (id, kind, owner, state, params, created) "
                   "VALUES ('j1', 'batch', 'li', 'done', '{}', '2026-01-01T00:00:00+08:00')")
    db.close()
    init_db(path)
    init_db(path)  # again: nothing to do
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        columns = {row[1] for row in db.execute("PRAGMA table_info(jobs)")}
        assert {"runner", "lease", "lost", "run"} <= columns
        assert db.execute("SELECT id, state FROM jobs").fetchall() == [("j1", "done")]
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.close()
    with pytest.raises(InputError) as caught:
        init_db(path)
    assert str(caught.value) == SERVICE.text("database-newer", {"path": str(path), "found": SCHEMA_VERSION + 1,
                                                                "known": SCHEMA_VERSION})


def test_a_queued_job_not_started_in_time_is_handed_again_once_by_one_sweep(tmp_path: Path) -> None:
    store = JobStore(make_settings(tmp_path / "data").db_path)
    due = store.create("letters", "manager", {"out": str(tmp_path / "a")}, start_wait=5)
    older = store.create("letters", "manager", {"out": str(tmp_path / "b")})  # queued by an earlier docgen
    started = store.create("letters", "manager", {"out": str(tmp_path / "c")}, start_wait=5)
    assert store.start(started, 60) is not None
    lease = store.get(due)["lease"]
    assert time.time() < lease <= time.time() + 5 and store.get(older)["lease"] is None
    assert store.overdue(30, now=lease - 1) == []  # still in time
    assert store.overdue(30, now=lease + 1) == [(due, 60)]
    assert store.get(due)["lease"] == lease + 61 and store.get(due)["state"] == "queued"
    assert store.overdue(30, now=lease + 2) == []  # handed by that sweep: not by the next, nor a second service's
    assert store.overdue(30, now=lease + 62) == [(due, 120)]  # its start never came: handed again
    # A job run again is queued with a lease of its own.
    assert store.start(due, 60) is not None and store.finish(due, run=store.get(due)["run"], error="x")
    assert store.requeue(due, start_wait=5) and time.time() < store.get(due)["lease"] <= time.time() + 5


def test_a_job_waiting_long_in_the_queue_is_handed_again_less_and_less_often_but_always_again(
        tmp_path: Path) -> None:
    """Each hand of a job still queued doubles the wait for the next, up to eight start waits: a
    job waiting its turn behind others gets a duplicate start seldom, and one whose start was lost
    is still handed again, however long ago it was queued. Run again, it waits one start wait again.
    The clock is the sweep's ``now``."""
    store = JobStore(make_settings(tmp_path / "data").db_path)
    job_id = store.create("letters", "manager", {"out": str(tmp_path / "a")}, start_wait=10)
    lease = store.get(job_id)["lease"]
    waits = []
    for _ in range(6):
        assert store.overdue(10, now=lease - 0.5) == []  # not before its time
        handed = store.overdue(10, now=lease + 0.5)
        assert [job for job, _ in handed] == [job_id]
        waits.append(handed[0][1])
        assert store.get(job_id)["lease"] == lease + 0.5 + handed[0][1]
        lease = store.get(job_id)["lease"]
    assert waits == [20, 40, 80, 80, 80, 80]
    # Its start comes at last: it is no longer handed; run again, its waits start over.
    started = store.start(job_id, 60)
    assert started is not None and store.overdue(10, now=lease + 3600) == []
    assert store.finish(job_id, run=started["run"], error="LibreOffice stopped")
    assert store.requeue(job_id, start_wait=10)
    lease = store.get(job_id)["lease"]
    assert store.overdue(10, now=lease + 0.5) == [(job_id, 20)]


def test_a_queued_job_whose_refused_start_was_held_by_a_process_now_gone_is_handed_again_by_the_sweep(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    """A worker's database refuses a job's start for the whole wait: the worker hands back an end
    without a run, whose holder would start the job again once the database takes writes. That
    process dies first; the database takes writes; the job is queued with nothing on its way. The
    running service's sweep hands it to the runner again once its lease (the worker's wait and a
    lease) has run out, and the job runs to its end."""
    from docgen.service import work

    settings = make_settings(tmp_path / "data", record_wait=0.5, job_lease=0.5)
    held = HeldRunner()
    with TestClient(create_app(settings, runner=held)) as client:
        service = client.app.state.service
        assert service.start_wait == 1.0
        headers = _token(client, "backoffice")
        answer = client.post("/api/batch/demand-letter", headers=headers,
                             files={"rows": ("rows.csv", rows_csv(1), "text/csv")})
        job_id = answer.json()["job"]
        handed = time.time()
        assert held.submitted == [job_id]
        store = JobStore(settings.db_path)
        with monkeypatch.context() as refusing:
            def refused(*_: Any, **__: Any) -> None:
                exc = sqlite3.OperationalError("database or disk is full")
                exc.sqlite_errorcode = 13  # type: ignore[attr-defined]  # SQLITE_FULL
                raise exc

            refusing.setattr(JobStore, "start", refused)
            refusing.setattr(work, "_RECORD_EVERY", 0.01)
            end = work.execute_job(str(settings.data_dir), job_id, record_wait=0.05)
        assert end is not None and end["run"] is None  # held by nothing: its process is gone
        assert store.get(job_id)["state"] == "queued"
        caplog.set_level(logging.WARNING, "docgen.service")
        _until(lambda: len(held.submitted) == 2, "the job handed again", timeout=30)
        assert time.time() - handed >= service.start_wait - 0.1
        assert held.submitted == [job_id, job_id]
        said = [r.getMessage() for r in caplog.records if r.name == "docgen.service"]
        assert (f"job {job_id}: still queued past the time it should have started by; handed to the runner "
                "again, and again in 2 s if still queued") in said
        assert work.execute_job(str(settings.data_dir), job_id) is None  # as the runner runs it
        job = client.get(f"/api/jobs/{job_id}", headers=headers).json()
        assert (job["state"], job["error"], job["result"]["written"]) == ("done", None, 1), job


def test_a_queued_job_the_queue_refuses_to_take_again_is_handed_again_at_the_next_period_and_others_still_are(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    from docgen.service.service import Service

    class RefusingOnce(HeldRunner):
        refused_job = ""

        def submit(self, job_id: str, refused: int = 0, attempt: str | None = None) -> None:
            if not self.refused_job:  # a broker down for the first message
                self.refused_job = job_id
                raise ConnectionError("Error 111 connecting to localhost:6379. Connection refused.")
            super().submit(job_id, refused, attempt)

    settings = make_settings(tmp_path / "data", record_wait=1, job_lease=1)  # a period of 2 s
    runner = RefusingOnce()
    service = Service(settings, runner)
    jobs = [service.jobs.create("letters", "manager", {"out": str(tmp_path / name)}, start_wait=0)
            for name in ("a", "b")]
    time.sleep(0.01)
    caplog.set_level(logging.WARNING, "docgen.service")
    assert service.expire_jobs() == 0
    refused = runner.refused_job
    other = next(job for job in jobs if job != refused)
    assert runner.submitted == [other]  # the other handed still
    assert f"job {refused} could not be submitted again" in [r.getMessage() for r in caplog.records]
    assert service.expire_jobs() == 0 and runner.submitted == [other]  # not before its period
    time.sleep(service.start_wait + 0.05)
    # The one never sent is handed again at the next period; the one handed waits twice as long.
    assert service.expire_jobs() == 0 and runner.submitted == [other, refused]
    service.stop()


def test_how_long_a_queued_job_may_wait_for_its_start_is_a_setting_of_its_own_and_checked(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The sweep hands a queued job again after ``$DOCGEN_START_WAIT`` seconds: on a queue the job
    waits behind others and for a worker's own record wait, which the service's record wait does
    not measure. By default it is the record wait and a lease, as before."""
    for name in (RECORD_WAIT_ENV, JOB_LEASE_ENV, START_WAIT_ENV):
        monkeypatch.delenv(name, raising=False)
    assert Settings(tmp_path).start_wait == 360
    assert Settings(tmp_path, record_wait=10, job_lease=2).start_wait == 12
    monkeypatch.setenv(START_WAIT_ENV, "1800")  # a queue whose jobs wait long behind others
    assert Settings(tmp_path, start_wait=7).start_wait == 7.0  # given beats the environment
    settings = make_settings(tmp_path / "data", record_wait=0.5, job_lease=0.5)
    assert settings.start_wait == 1800
    held = HeldRunner()
    with TestClient(create_app(settings, runner=held)) as client:
        service = client.app.state.service
        answer = client.post("/api/batch/demand-letter", headers=_token(client, "backoffice"),
                             files={"rows": ("rows.csv", rows_csv(1), "text/csv")})
        job_id = answer.json()["job"]
        lease = JobStore(settings.db_path).get(job_id)["lease"]
        assert time.time() + 1700 < lease <= time.time() + 1800
        assert service.expire_jobs() == 0 and held.submitted == [job_id]
        assert JobStore(settings.db_path).overdue(service.start_wait, now=lease - 1) == []
    for bad in ("0", "-3", "nan", "inf", "半小时"):
        monkeypatch.setenv(START_WAIT_ENV, bad)
        with pytest.raises(InputError) as caught:
            Settings(tmp_path)
        assert str(caught.value) == SERVICE.text("seconds-invalid", {"name": START_WAIT_ENV, "value": bad,
                                                                     "example": 360})
    # The service refuses to start on it: one line, exit 2.
    done = CliRunner().invoke(main, ["serve", "--data", str(tmp_path / "data"), "--port", "1"])
    assert done.exit_code == 2 and done.output.strip().endswith(
        SERVICE.text("seconds-invalid", {"name": START_WAIT_ENV, "value": "半小时", "example": 360})), done.output
