"""The service's storage failing while it runs: 503 and one line naming the folder on the API and
the pages, jobs failing with that line recorded, nothing half-written, recovery once it is fixed.

Real permission flips (uploads/, files/, the data folder, the database, a job's folder) run in a
child process file permissions apply to (``storage_child.py``, and ``job_end_child.py`` for a
job's end refused past the wait, on local workers and on Celery, through ``tests/unprivileged.py``);
a full disk cannot be made on purpose, so ENOSPC (and SQLite's "database or disk is full") is
raised in-process where the service writes.
"""
from __future__ import annotations

import errno
import json
import logging
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from service_helpers import (AS_OF, PASSWORD, HeldRunner, bundle_zip, eager_celery, make_settings, rows_csv,
                             wait_job)
from test_service_access import login
from unprivileged import python_denied

import docgen.core.atomic as atomic
from docgen.core.access import denied
from docgen.cli import main
from docgen.core.errors import InputError
from docgen.service import audit
from docgen.service import files as service_files
from docgen.service import work
from docgen.service.app import create_app
from docgen.service.jobs import JobEnds, JobStore
from docgen.service.messages import MESSAGES as SERVICE
from docgen.service.settings import JOB_LEASE_ENV, RECORD_WAIT_ENV, START_WAIT_ENV, Settings
from docgen.service.storage import storage_problem

HERE = Path(__file__).resolve().parent


def test_folders_made_unwritable_while_the_service_runs(tmp_path: Path) -> None:
    done = python_denied(HERE / "storage_child.py", tmp_path, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    assert done.stdout.split() == [word for name in ("uploads_unwritable", "files_unwritable",
                                                     "data_folder_unwritable", "database_read_only",
                                                     "job_folder_unwritable") for word in (name, "ok")]
    assert "Traceback" not in done.stderr


def test_a_job_end_the_database_refuses_past_the_wait_is_recorded_failed_once_it_takes_writes(tmp_path: Path) -> None:
    done = python_denied(HERE / "job_end_child.py", tmp_path, env={RECORD_WAIT_ENV: "1"}, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    assert done.stdout.split() == [word for name in ("local_workers_end_refused",
                                                     "local_workers_end_refused_by_the_database_file",
                                                     "celery_end_refused")
                                   for word in (name, "ok")]
    assert "Traceback" not in done.stderr


class Held:
    def __init__(self, client: TestClient, settings: Any, held: HeldRunner) -> None:
        self.client, self.settings, self.held = client, settings, held
        self.headers: dict[str, dict[str, str]] = {}
        for role in ("credit", "backoffice", "admin"):
            answer = client.post("/api/token", data={"username": role, "password": PASSWORD})
            self.headers[role] = {"Authorization": f"Bearer {answer.json()['access_token']}"}


@pytest.fixture(scope="module")
def held(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Held]:
    """A running service whose jobs wait until the test runs them (``work.execute_job``)."""
    settings = make_settings(tmp_path_factory.mktemp("storage") / "data")
    runner = HeldRunner()
    with TestClient(create_app(settings, runner=runner)) as client:
        yield Held(client, settings, runner)


def _full(*_: Any, **__: Any) -> None:
    raise OSError(errno.ENOSPC, "No space left on device")


def _full_message(path: Path) -> str:
    return SERVICE.text("storage-full", {"path": str(path)})


class _FillingFile:
    """A file whose second write finds the disk full (the first block got through)."""

    def __init__(self, real: Any) -> None:
        self.real, self.writes = real, 0

    def write(self, block: bytes) -> int:
        self.writes += 1
        if self.writes > 1:
            _full()
        return self.real.write(block)

    def __enter__(self) -> _FillingFile:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.real.close()


def test_a_full_disk_while_an_upload_is_stored(held: Held, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    zipped = bundle_zip(tmp_path / "华安置业.zip")
    monkeypatch.setattr(service_files, "_CHUNK", 4096)
    monkeypatch.setattr(service_files, "open", lambda path, mode: _FillingFile(open(path, mode)), raising=False)
    answer = held.client.post("/api/check", headers=held.headers["credit"], data={"as_of": AS_OF},
                              files={"bundle": (zipped.name, zipped.read_bytes(), "application/zip")})
    assert answer.status_code == 503
    assert answer.json() == {"error": _full_message(held.settings.data_dir), "problems": []}
    # The page says the same in one line, without a traceback.
    page = TestClient(held.client.app)
    login(page, "credit")
    form = page.get("/check").text
    csrf = form.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    shown = page.post("/check", data={"csrf": csrf, "as_of": AS_OF},
                      files={"bundle": (zipped.name, zipped.read_bytes(), "application/zip")})
    assert shown.status_code == 503 and _full_message(held.settings.data_dir) in shown.text
    assert list(held.settings.uploads_dir.iterdir()) == []  # the partial upload went
    monkeypatch.undo()
    again = held.client.post("/api/check", headers=held.headers["credit"], data={"as_of": AS_OF},
                             files={"bundle": (zipped.name, zipped.read_bytes(), "application/zip")})
    assert again.status_code == 200


def test_a_full_disk_while_a_check_report_is_kept(held: Held, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    zipped = bundle_zip(tmp_path / "华安置业.zip")
    results = held.settings.files_dir
    before = sorted(results.iterdir())
    real = atomic.write_bytes_atomic

    def half_written(path: Any, data: bytes) -> None:
        with atomic.atomic_output(path) as fh:
            fh.write(data[:100])
            _full()

    monkeypatch.setattr(atomic, "write_bytes_atomic", half_written)
    answer = held.client.post("/api/check", headers=held.headers["credit"], data={"as_of": AS_OF},
                              files={"bundle": (zipped.name, zipped.read_bytes(), "application/zip")})
    assert answer.status_code == 503
    assert answer.json() == {"error": _full_message(held.settings.data_dir), "problems": []}
    assert sorted(results.iterdir()) == before  # neither the half report nor its folder is kept
    monkeypatch.setattr(atomic, "write_bytes_atomic", real)
    assert held.client.post("/api/check", headers=held.headers["credit"], data={"as_of": AS_OF},
                            files={"bundle": (zipped.name, zipped.read_bytes(), "application/zip")}).status_code == 200


def test_a_job_that_meets_a_full_disk_fails_with_one_line_and_runs_again(held: Held,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    started = held.client.post("/api/batch/demand-letter", headers=held.headers["backoffice"],
                               files={"rows": ("rows.csv", rows_csv(2), "text/csv")})
    assert started.status_code == 202, started.text
    job_id = started.json()["job"]
    out = Path(JobStore(held.settings.db_path).get(job_id)["params"]["out"])
    monkeypatch.setattr(atomic.os, "fsync", _full)  # every atomic write finds the disk full
    work.execute_job(str(held.settings.data_dir), job_id)
    monkeypatch.undo()
    job = held.client.get(f"/api/jobs/{job_id}", headers=held.headers["backoffice"]).json()
    assert job["state"] == "failed"
    folder = Path(job["error"].split(" ", 1)[0])  # a folder on the full disk: the data folder or one in it
    assert job["error"] == _full_message(folder) and folder.is_relative_to(held.settings.data_dir), job["error"]
    assert [p for p in out.rglob("*") if p.is_file()] == []  # nothing under a final name, no .part
    assert held.client.post(f"/api/jobs/{job_id}/rerun", headers=held.headers["backoffice"]).status_code == 202
    work.execute_job(str(held.settings.data_dir), job_id)
    done = held.client.get(f"/api/jobs/{job_id}", headers=held.headers["backoffice"]).json()
    assert done["state"] == "done" and done["result"]["written"] == 2, done


def _sqlite_full() -> sqlite3.OperationalError:
    exc = sqlite3.OperationalError("database or disk is full")
    exc.sqlite_errorcode = 13  # type: ignore[attr-defined]  # what SQLite sets (SQLITE_FULL)
    return exc


def test_a_job_whose_database_is_full_when_it_ends_is_recorded_once_it_has_room(
        held: Held, monkeypatch: pytest.MonkeyPatch) -> None:
    started = held.client.post("/api/batch/demand-letter", headers=held.headers["backoffice"],
                               files={"rows": ("rows.csv", rows_csv(1), "text/csv")})
    job_id = started.json()["job"]
    real_finish = JobStore.finish
    refused: list[str] = []

    def finish(self: JobStore, *args: Any, **kwargs: Any) -> None:
        if len(refused) < 2:  # full twice, then room again
            refused.append(job_id)
            raise _sqlite_full()
        real_finish(self, *args, **kwargs)

    monkeypatch.setattr(JobStore, "finish", finish)
    monkeypatch.setattr(work, "_RECORD_EVERY", 0.01)
    work.execute_job(str(held.settings.data_dir), job_id)
    assert len(refused) == 2
    job = held.client.get(f"/api/jobs/{job_id}", headers=held.headers["backoffice"]).json()
    assert job["state"] == "done" and job["result"]["written"] + job["result"]["skipped"] == 1  # not left running
    # The audit entry was made once, not once per attempt at recording the job's end.
    made = [e for e in audit.entries(held.settings.db_path, action="generate") if e["detail"].get("job") == job_id]
    assert len(made) == 1, made


def _refused(*_: Any, **__: Any) -> None:
    raise _sqlite_full()


def test_a_job_the_database_refuses_to_start_for_the_whole_wait_is_started_again_once_it_has_room(
        held: Held, monkeypatch: pytest.MonkeyPatch) -> None:
    started = held.client.post("/api/batch/demand-letter", headers=held.headers["backoffice"],
                               files={"rows": ("rows.csv", rows_csv(1), "text/csv")})
    job_id = started.json()["job"]
    monkeypatch.setattr(JobStore, "start", _refused)
    monkeypatch.setattr(work, "_RECORD_EVERY", 0.01)
    end = work.execute_job(str(held.settings.data_dir), job_id, record_wait=0.05)  # waits, then hands it back
    monkeypatch.undo()
    full = _full_message(held.settings.data_dir)
    store = JobStore(held.settings.db_path)
    assert end == {"job": job_id, "run": None, "error": full, "audit": None, "refused": 1,
                   "attempt": store.get(job_id)["attempt"],
                   "error_en": SERVICE.text("storage-full", {"path": str(held.settings.data_dir)}, "en")}
    assert store.get(job_id)["state"] == "queued"  # never half-started
    submitted: list[str] = []

    def again(job: str, refused: int, attempt: str | None) -> None:  # as the service's submit: its workers run it
        submitted.append(job)
        assert work.execute_job(str(held.settings.data_dir), job, refused=refused, attempt=attempt) is None

    ends = JobEnds(store, every=0.01, again=again)
    monkeypatch.setattr(JobStore, "give_up", _refused)
    ends.add(end)
    assert ends.record() == 0 and ends.held == [job_id] and submitted == []  # the database still refuses
    monkeypatch.undo()
    job = wait_job(held.client, job_id, held.headers["backoffice"], timeout=120)  # the held end's own thread
    ends.close()  # waits for that thread to let the end go
    # Not failed for a start that ran nothing: started once the database takes writes, and done.
    assert (job["state"], job["error"]) == ("done", None), job
    assert job["result"]["written"] + job["result"]["skipped"] == 1, job  # its row issued by an earlier test
    assert submitted == [job_id] and ends.held == [] and ends.record() == 0


class InlineRunner:
    """Runs each job at once, in this thread, as ``ProcessRunner``'s workers do (``work.execute_job``
    with a wait of a few hundredths of a second), the database refusing every start while
    ``full`` holds; returns the run's future as they do."""

    def __init__(self, settings: Any) -> None:
        self.settings = settings
        self.full = True
        self.refused: list[int] = []  # the starts refused in a row each submission came after

    def submit(self, job_id: str, refused: int = 0, attempt: str | None = None) -> Any:
        import concurrent.futures

        self.refused.append(refused)
        future: concurrent.futures.Future[Any] = concurrent.futures.Future()
        with pytest.MonkeyPatch.context() as refusing:
            if self.full:
                refusing.setattr(JobStore, "start", _refused)
            future.set_result(work.execute_job(str(self.settings.data_dir), job_id, record_wait=0.05,
                                               refused=refused, attempt=attempt))
        return future

    def close(self) -> None:
        pass


def test_a_job_whose_starts_a_full_disk_refuses_again_and_again_is_failed_saying_so(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each start the database refuses for the whole wait is handed back, and handed again once the
    database takes writes; a disk that stays full would have it so for ever, a worker held each
    time. The third start refused in a row is not handed again: the job is failed with a line
    saying the disk is full and what to do, once the database takes that write."""
    from docgen.service.jobs import START_TRIES

    assert START_TRIES == 3
    monkeypatch.setattr(work, "_RECORD_EVERY", 0.01)
    settings = make_settings(tmp_path / "data")
    runner = InlineRunner(settings)
    with TestClient(create_app(settings, runner=runner)) as client:
        service = client.app.state.service
        service.ends.close()  # recorded here, not by its thread
        service.ends.every = 3600
        headers = {"Authorization": "Bearer " + client.post(
            "/api/token", data={"username": "backoffice", "password": PASSWORD}).json()["access_token"]}
        job_id = client.post("/api/batch/demand-letter", headers=headers,
                             files={"rows": ("rows.csv", rows_csv(1), "text/csv")}).json()["job"]
        store = JobStore(settings.db_path)
        assert runner.refused == [0] and service.ends.held == [job_id]
        assert service.ends.record() == 1 and runner.refused == [0, 1]  # handed again: refused again
        monkeypatch.setattr(JobStore, "fail_start", _refused)  # the failure itself refused: held
        assert service.ends.record() == 1 and runner.refused == [0, 1, 2]
        assert service.ends.record() == 0 and service.ends.held == [job_id]
        assert store.get(job_id)["state"] == "queued"
        monkeypatch.undo()
        monkeypatch.setattr(work, "_RECORD_EVERY", 0.01)
        assert service.ends.record() == 1 and service.ends.held == [] and runner.refused == [0, 1, 2]
        assert service.ends.record() == 0
        job = client.get(f"/api/jobs/{job_id}", headers=headers).json()
        full = _full_message(settings.data_dir)
        said = SERVICE.text("job-start-refused", {"count": 3, "problem": full})
        assert (job["state"], job["error"]) == ("failed", said), job
        assert said.startswith("任务连续 3 次未能开始，不再自动重试：") and "磁盘空间已满" in said
        assert "请管理员清理磁盘空间" in said
        # Once the disk has room, it is run again as any failed job.
        runner.full = False
        assert client.post(f"/api/jobs/{job_id}/rerun", headers=headers).status_code == 202
        assert runner.refused[-1] == 0
        job = client.get(f"/api/jobs/{job_id}", headers=headers).json()
        assert (job["state"], job["error"]) == ("done", None), job


def test_local_workers_carry_the_count_of_starts_refused_to_the_start_they_make(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``ProcessRunner`` hands the count to its worker (here a thread, as its pool's process would
    run it), whose refused start counts one more: the count does not start again at one."""
    import concurrent.futures

    from docgen.service.jobs import ProcessRunner

    monkeypatch.setattr(ProcessRunner, "_new_pool",
                        lambda self: concurrent.futures.ThreadPoolExecutor(max_workers=1))
    monkeypatch.setattr(work, "_RECORD_EVERY", 0.01)
    monkeypatch.setattr(JobStore, "start", _refused)
    settings = make_settings(tmp_path / "data")
    store = JobStore(settings.db_path)
    job_id = store.create("letters", "manager", {"out": str(tmp_path / "out"), "role": "manager"})
    runner = ProcessRunner(settings.data_dir, 1, record_wait=0.05)
    try:
        end = runner.submit(job_id, 2, store.get(job_id)["attempt"]).result(timeout=30)
    finally:
        runner.close()
    assert end is not None and (end["job"], end["run"], end["refused"]) == (job_id, None, 3)


def test_starts_refused_in_an_earlier_queueing_of_a_job_run_again_count_no_more(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    """The count of starts refused in a row belongs to one queueing of the job. While a start
    carrying a count waited (its message in a busy queue, an end held), another start ran the job,
    which failed, and a user ran it again: that count neither fails the job run again nor carries
    on into its own, which counts from its first refused start to the third."""
    from docgen.service.jobs import START_TRIES

    monkeypatch.setattr(work, "_RECORD_EVERY", 0.01)
    settings = make_settings(tmp_path / "data")
    store = JobStore(settings.db_path)
    job_id = store.create("letters", "manager", {"out": str(tmp_path / "out"), "role": "manager"}, start_wait=60)
    first = store.get(job_id)["attempt"]
    run = store.start(job_id, 60)["run"]
    assert store.finish(job_id, run=run, error="LibreOffice stopped") and store.requeue(job_id, 60)
    second = store.get(job_id)["attempt"]
    assert second not in (None, first)
    caplog.set_level(logging.WARNING, "docgen.service")
    # The start that waited, two refused before it in the first queueing, refused too: it is the
    # first refused of the job's queueing now.
    with monkeypatch.context() as refusing:
        refusing.setattr(JobStore, "start", _refused)
        end = work.execute_job(str(settings.data_dir), job_id, record_wait=0.05, refused=2, attempt=first)
    assert end is not None and (end["run"], end["refused"], end["attempt"]) == (None, 1, second)
    said = [r.getMessage() for r in caplog.records if r.name == "docgen.service"]
    assert f"job {job_id}: the 2 starts refused in a row counted for its queueing {first} start over: it was run " \
           f"and queued again since (now {second})" in said
    # An end held since the first queueing, its count the last allowed: it fails nothing, and the
    # job is handed again with no count.
    handed: list[tuple[str, int, str | None]] = []
    ends = JobEnds(store, every=3600, again=lambda *args: handed.append(args))
    ends.add({"job": job_id, "run": None, "error": "磁盘已满", "audit": None, "refused": START_TRIES,
              "attempt": first})
    assert ends.record() == 1 and ends.held == [] and handed == [(job_id, 0, second)]
    assert store.get(job_id)["state"] == "queued"
    # The job's own count carries on, and its third refused start fails it.
    ends.add(end)
    assert ends.record() == 1 and handed[1:] == [(job_id, 1, second)]
    ends.add({**end, "refused": START_TRIES})
    assert ends.record() == 1 and handed[2:] == []
    ends.close()
    job = store.get(job_id)
    said = SERVICE.text("job-start-refused", {"count": START_TRIES, "problem": end["error"]})
    assert (job["state"], job["error"]) == ("failed", said)


def test_a_job_queued_before_queueings_were_kept_and_run_again_while_an_old_end_is_held_counts_afresh(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    """A job queued by a docgen of schema 5 (before queueings were kept, ``jobs.attempt``) whose start
    the database refused once after the upgrade: the end is held. Meanwhile another start ran the job,
    which failed, and a user ran it again. The held end's refusal belongs to the job's first queueing:
    recorded, it hands the job again with no count, and the job run again fails only at the third
    refused start of its own queueing, not at the second."""
    import sqlite3 as sqlite

    from docgen.service.jobs import START_TRIES
    from docgen.service.store import MIGRATIONS, SCHEMA, init_db

    monkeypatch.setattr(work, "_RECORD_EVERY", 0.01)
    data = tmp_path / "data"
    data.mkdir()
    path = data / "service.sqlite"
    with sqlite.connect(path) as db:  # the database as a docgen of schema 5 left it, the job queued
        db.executescript(SCHEMA)
        for step in range(2, 6):
            for statement in MIGRATIONS[step]:
                db.execute(statement, {"until": None, "start_until": None})
        db.execute("PRAGMA user_version = 5")
        db.execute("INSERT INTO jobs (id, kind, owner, state, params, created, lease) VALUES ('j5', 'letters', "
                   "'manager', 'queued', ?, '2026-01-01T00:00:00+08:00', ?)",
                   (json.dumps({"out": str(tmp_path / "out"), "role": "manager"}), time.time() + 60))
    db.close()
    init_db(path, 60, 60)
    store = JobStore(path)
    first = store.get("j5")["attempt"]
    assert first is not None  # the upgrade gives the job the queueing it is in
    with monkeypatch.context() as refusing:
        refusing.setattr(JobStore, "start", _refused)
        held = work.execute_job(str(data), "j5", record_wait=0.05)
    assert held is not None and (held["run"], held["refused"], held["attempt"]) == (None, 1, first)
    run = store.start("j5", 60)["run"]  # another start ran it meanwhile; it failed and was run again
    assert store.finish("j5", run=run, error="LibreOffice stopped") and store.requeue("j5", 60)
    second = store.get("j5")["attempt"]
    assert second not in (None, first)
    handed: list[tuple[str, int, str | None]] = []
    ends = JobEnds(store, every=3600, again=lambda *args: handed.append(args))
    caplog.set_level(logging.WARNING, "docgen.service")
    ends.add(held)
    assert ends.record() == 1 and handed == [("j5", 0, second)]
    said = [r.getMessage() for r in caplog.records if r.name == "docgen.service"]
    assert f"job j5: the 1 starts refused in a row counted for its queueing {first} start over: it was run and " \
           f"queued again since (now {second})" in said
    # The starts of its queueing now: the first and second refused hand it again, the third fails it.
    for count in range(START_TRIES):
        _, refused, carried = handed[-1]
        with monkeypatch.context() as refusing:
            refusing.setattr(JobStore, "start", _refused)
            end = work.execute_job(str(data), "j5", record_wait=0.05, refused=refused, attempt=carried)
        assert end is not None and (end["refused"], end["attempt"]) == (count + 1, second)
        ends.add(end)
        assert ends.record() == 1
        assert store.get("j5")["state"] == ("failed" if count + 1 == START_TRIES else "queued")
    ends.close()
    assert handed == [("j5", 0, second), ("j5", 1, second), ("j5", 2, second)]
    assert store.get("j5")["error"] == SERVICE.text("job-start-refused", {"count": START_TRIES,
                                                                           "problem": end["error"]})


def test_starts_refused_while_the_job_could_not_even_be_read_still_count_and_fail_the_job_at_the_third(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    """A storage that refuses to read the job before its start (a share gone) refuses the start too:
    the start cannot say which queueing of the job its refusal counts in. That refusal is the job's
    own in the queueing it is in (no run ended it meanwhile), so it counts there: it neither starts
    the count over with a line saying the job was run again (it was not) nor lets such starts be
    made for ever; the third refused in a row fails the job."""
    from docgen.service.jobs import START_TRIES

    monkeypatch.setattr(work, "_RECORD_EVERY", 0.01)
    settings = make_settings(tmp_path / "data")
    store = JobStore(settings.db_path)
    job_id = store.create("letters", "manager", {"out": str(tmp_path / "out"), "role": "manager"}, start_wait=60)
    attempt = store.get(job_id)["attempt"]
    caplog.set_level(logging.WARNING, "docgen.service")
    handed: list[tuple[str, int, str | None]] = []
    ends = JobEnds(store, every=3600, again=lambda *args: handed.append(args))
    refused, carried = 0, None  # the first start message carries no count
    for _ in range(START_TRIES):
        with monkeypatch.context() as refusing:
            refusing.setattr(JobStore, "start", _refused)
            refusing.setattr(JobStore, "get", _refused)
            end = work.execute_job(str(settings.data_dir), job_id, record_wait=0.05, refused=refused,
                                   attempt=carried)
        assert end is not None and end["run"] is None and end["refused"] == refused + 1
        ends.add(end)
        assert ends.record() == 1 and ends.held == []
        if handed:
            _, refused, carried = handed.pop()
            assert (refused, carried) == (end["refused"], attempt)
    ends.close()
    said = [r.getMessage() for r in caplog.records if r.name == "docgen.service"]
    assert not [line for line in said if "start over" in line], said
    job = store.get(job_id)
    assert (job["state"], job["error"]) == (
        "failed", SERVICE.text("job-start-refused", {"count": START_TRIES, "problem": end["error"]}))


def test_a_celery_start_refused_again_and_again_carries_its_count_in_the_message_and_fails_the_job(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """On Celery the job's start is handed again as a message another worker may take: the count of
    starts refused in a row goes with it, and the third refused fails the job."""
    from docgen.service import queue

    monkeypatch.setenv(RECORD_WAIT_ENV, "0.05")
    monkeypatch.setattr(work, "_RECORD_EVERY", 0.01)
    monkeypatch.setattr(JobStore, "start", _refused)
    settings = make_settings(tmp_path / "data")
    store = JobStore(settings.db_path)
    job_id = store.create("letters", "manager", {"out": str(tmp_path / "out"), "role": "manager"})
    app = eager_celery()
    sent: list[dict[str, Any]] = []
    real = queue._start_message

    def start_message(*args: Any) -> dict[str, Any]:
        sent.append(real(*args))
        return sent[-1]

    monkeypatch.setattr(queue, "_start_message", start_message)
    try:
        app.tasks["docgen.job"].apply(args=(str(settings.data_dir), job_id, "")).get()
        ends = queue._ENDS[settings.db_path]
        ends.close()  # recorded here, not by its thread
        ends.every = 3600
        for _ in range(3):  # each record sends the start again (run at once, eagerly), refused again
            ends.record()
        attempt = store.get(job_id)["attempt"]
        assert [message["kwargs"] for message in sent] == [{"refused": 1, "attempt": attempt},
                                                           {"refused": 2, "attempt": attempt}]
        assert ends.held == []
    finally:
        queue._ENDS.pop(settings.db_path, None)
    job = store.get(job_id)
    said = SERVICE.text("job-start-refused", {"count": 3, "problem": _full_message(settings.data_dir)})
    assert (job["state"], job["error"], job["run"]) == ("failed", said, None)
    assert real(settings, job_id, 0) == {"args": [str(settings.data_dir), job_id, ""], "kwargs": {}}


def test_a_finished_job_whose_end_the_database_refuses_for_the_whole_wait_fails_once_with_its_entry(
        held: Held, monkeypatch: pytest.MonkeyPatch) -> None:
    started = held.client.post("/api/batch/demand-letter", headers=held.headers["backoffice"],
                               files={"rows": ("rows.csv", rows_csv(4), "text/csv")})
    job_id = started.json()["job"]
    store = JobStore(held.settings.db_path)
    out = Path(store.get(job_id)["params"]["out"])
    monkeypatch.setattr(JobStore, "finish", _refused)
    monkeypatch.setattr(work, "_RECORD_EVERY", 0.01)
    end = work.execute_job(str(held.settings.data_dir), job_id, record_wait=0.05)
    monkeypatch.undo()
    assert end is not None and end["error"] == _full_message(held.settings.data_dir)
    assert end["audit"] is not None and end["audit"]["detail"] == {"job": job_id}
    assert store.get(job_id)["state"] == "running"  # what the worker leaves: its end is held
    assert any(p.suffix == ".zip" for p in out.glob("*/*"))  # made, in its run's folder: no result yet
    ends = JobEnds(store, every=3600)  # recorded here, not by its thread
    ends.add(end)
    ends.add(end)  # handed on twice: still one job, one end
    assert ends.record() == 1 and ends.record() == 0
    ends.close()
    job = held.client.get(f"/api/jobs/{job_id}", headers=held.headers["backoffice"]).json()
    assert (job["state"], job["error"], job["files"]) == ("failed", end["error"], []), job
    assert not out.exists()  # nothing it made stays under a final name
    made = [e for e in audit.entries(held.settings.db_path, action="generate") if e["detail"].get("job") == job_id]
    assert len(made) == 1 and made[0]["serials"] == end["audit"]["serials"] != [], made
    assert store.give_up(end) is None  # a job already ended is left as it is
    # Run again, it issues nothing twice (the register kept the serials).
    assert held.client.post(f"/api/jobs/{job_id}/rerun", headers=held.headers["backoffice"]).status_code == 202
    assert work.execute_job(str(held.settings.data_dir), job_id) is None
    done = held.client.get(f"/api/jobs/{job_id}", headers=held.headers["backoffice"]).json()
    assert done["state"] == "done" and done["result"]["written"] + done["result"]["skipped"] == 4, done


def test_a_celery_chunk_the_database_refuses_fails_the_job_with_its_line(held: Held,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCGEN_CHUNK_ROWS", "2")  # 4 rows: two chunks, then the assembly
    started = held.client.post("/api/batch/demand-letter", headers=held.headers["backoffice"],
                               files={"rows": ("rows.csv", rows_csv(4), "text/csv")})
    job_id = started.json()["job"]
    out = Path(JobStore(held.settings.db_path).get(job_id)["params"]["out"])
    real = JobStore.progress

    def progress(self: JobStore, job: str, done: int, total: int, **run: Any) -> bool:
        if done:  # a chunk's progress: the database is full by then
            raise _sqlite_full()
        return real(self, job, done, total, **run)

    monkeypatch.setattr(JobStore, "progress", progress)
    eager_celery().tasks["docgen.job"].apply(args=(str(held.settings.data_dir), job_id, "")).get()
    monkeypatch.undo()
    job = held.client.get(f"/api/jobs/{job_id}", headers=held.headers["backoffice"]).json()
    assert (job["state"], job["error"]) == ("failed", _full_message(held.settings.data_dir)), job  # not left running
    assert len(list(out.glob("*/chunks/*.rows.json"))) == 2
    made = [p for p in out.rglob("*") if p.is_file()]
    assert not [p for p in made if p.name.startswith(".")] and not [p for p in made if p.suffix == ".zip"]  # no part, no result
    assert not [e for e in audit.entries(held.settings.db_path, action="generate") if e["detail"].get("job") == job_id]


@pytest.mark.parametrize("name,default,attribute", [(RECORD_WAIT_ENV, 300, "record_wait"),
                                                    (JOB_LEASE_ENV, 60, "job_lease"),
                                                    (START_WAIT_ENV, 360, "start_wait")])
def test_how_long_a_job_waits_for_the_database_and_its_lease_are_set_and_checked(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, default: int, attribute: str) -> None:
    monkeypatch.delenv(name, raising=False)
    assert getattr(Settings(tmp_path), attribute) == default
    monkeypatch.setenv(name, "1.5")
    assert getattr(Settings(tmp_path), attribute) == 1.5
    assert getattr(Settings(tmp_path, **{attribute: 7}), attribute) == 7.0  # given beats the environment
    for bad in ("0", "-3", "nan", "inf", "五分钟"):
        monkeypatch.setenv(name, bad)
        with pytest.raises(InputError) as caught:
            Settings(tmp_path)
        assert caught.value.code == "seconds-invalid"
        assert str(caught.value) == SERVICE.text("seconds-invalid", {"name": name, "value": bad, "example": default})
    # The service and a worker refuse to start on it: one line, exit 2 (the worker before its broker).
    for command in (["serve", "--data", str(tmp_path / "data"), "--port", "1"],
                    ["worker", "--broker", "redis://127.0.0.1:1/0"]):
        done = CliRunner().invoke(main, command)
        assert done.exit_code == 2 and done.output.strip().endswith(
            SERVICE.text("seconds-invalid", {"name": name, "value": "五分钟", "example": default})), done.output


def test_the_database_full_on_a_request_is_503_naming_it(held: Held, monkeypatch: pytest.MonkeyPatch) -> None:
    def full(*_: Any, **__: Any) -> None:
        raise _sqlite_full()

    monkeypatch.setattr(audit, "record", full)
    answer = held.client.post("/api/token", data={"username": "credit", "password": PASSWORD})
    assert answer.status_code == 503
    assert answer.json() == {"error": _full_message(held.settings.data_dir), "problems": []}
    monkeypatch.undo()
    assert held.client.post("/api/token", data={"username": "credit", "password": PASSWORD}).status_code == 200


def test_only_the_storage_refusing_is_a_storage_problem(tmp_path: Path) -> None:
    assert storage_problem(FileNotFoundError(errno.ENOENT, "No such file", str(tmp_path / "x"))) is None
    assert storage_problem(ValueError("x")) is None
    busy = sqlite3.OperationalError("database is locked")
    busy.sqlite_errorcode = 5  # type: ignore[attr-defined]
    assert storage_problem(busy, database=tmp_path / "s.sqlite") is None
    full = storage_problem(OSError(errno.ENOSPC, "No space left on device"), folder=tmp_path)
    assert full is not None and (full.code, full.path) == ("storage-full", str(tmp_path))
    # A library error keeps the system's refusal as its context (raise ... from None).
    try:
        try:
            raise OSError(errno.EROFS, "Read-only file system", str(tmp_path / "a.docx"))
        except OSError:
            raise RuntimeError("wrapped") from None
    except RuntimeError as exc:
        wrapped = storage_problem(exc)
    assert wrapped is not None and wrapped.code == "storage-denied" and wrapped.reason == "Read-only file system"
    # A user's file that may not be read is the user's problem, whatever the system said.
    (tmp_path / "rows.xlsx").write_bytes(b"")
    try:
        try:
            raise PermissionError(errno.EACCES, "Permission denied", str(tmp_path / "rows.xlsx"))
        except OSError:
            raise denied(InputError, tmp_path / "rows.xlsx") from None
    except InputError as exc:
        assert exc.code == "access-read" and storage_problem(exc, folder=tmp_path) is None
        assert work.failure(exc)["kind"] == "input"
