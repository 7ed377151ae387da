"""Each start of a job is a run (``jobs.JobStore.start``), and a runner's writes apply only while the
job is in its run: a runner silent past its lease, whose job the sweep failed and a user put back in
the queue and started again, changes nothing of the new run when its database takes writes again.
Also here: the schema version that brings the run (a data folder of the previous version migrated,
by the service and by a ``docgen worker`` at its first task), and the queue's visibility timeout
read from the environment.

Every database is a real SQLite file under ``tmp_path``; the stale runner is two runs of one job id
(start, sweep, back in the queue, start again).
"""
from __future__ import annotations

import datetime as _dt
import logging
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from docgen.cli import main
from docgen.core.errors import InputError
from docgen.service import audit, work
from docgen.service import store as store_module
from docgen.service.files import files_of_job
from docgen.service.app import create_app
from docgen.service.jobs import JobEnds, JobStore, Lease, run_folder
from docgen.service.messages import MESSAGES as SERVICE
from docgen.service.queue import make_app
from docgen.service.settings import QUEUE_VISIBILITY_ENV, queue_visibility_seconds
from docgen.service.store import MIGRATIONS, SCHEMA, SCHEMA_VERSION, ensure_schema, init_db
from service_helpers import PASSWORD, HeldRunner, eager_celery, make_settings, rows_csv

STALE = "its runner is stale"


def _entry(job_id: str, serial: str) -> dict[str, Any]:
    """The audit entry of a job that issued ``serial`` (``audit.insert``'s keyword arguments)."""
    return {"user": "backoffice", "role": "backoffice", "action": "generate", "target": "demand-letter",
            "sha256": "0" * 64, "serials": [serial], "detail": {"job": job_id}}


def _generated(db_path: Path, job_id: str) -> list[dict[str, Any]]:
    return [e for e in audit.entries(db_path, action="generate") if e["detail"].get("job") == job_id]


def _rerun(store: JobStore, job_id: str) -> str:
    """Sweep the running job ``job_id`` (its lease long out), put it back in the queue and start it
    again; return the new run."""
    assert store.expire(now=time.time() + 3600) == [job_id]
    assert store.requeue(job_id)
    assert store.get(job_id)["run"] is None  # back in the queue: no run until started
    job = store.start(job_id, 60)
    assert job is not None
    return job["run"]


def test_a_stale_runner_changes_nothing_of_the_jobs_next_run(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    store = JobStore(make_settings(tmp_path / "data").db_path)
    out = tmp_path / "out"
    job_id = store.create("batch", "backoffice", {"out": str(out)})
    first = store.start(job_id, 60)
    old = first["run"]
    assert store.progress(job_id, 1, 4, run=old)
    new = _rerun(store, job_id)
    second = store.get(job_id)
    assert new != old
    (out / new).mkdir(parents=True)  # the new run's folder: the old run's held end must not delete it
    before = store.get(job_id)
    caplog.set_level(logging.WARNING, "docgen.service")
    # The old run's writes, once its database takes them: each changes nothing, and says so.
    assert not store.progress(job_id, 4, 4, run=old)
    assert not store.add_file(first, out / "demand-letter.zip")
    assert not store.renew(job_id, before["runner"], time.time() + 7200, run=old)
    assert not store.finish(job_id, run=old, result={"written": 4}, entry=_entry(job_id, "old"))
    assert not store.finish(job_id, run=old, error="LibreOffice stopped")
    ends = JobEnds(store, every=3600)
    ends.add({"job": job_id, "run": old, "error": "磁盘已满", "audit": _entry(job_id, "old")})
    assert store.give_up({"job": job_id, "run": old, "error": "磁盘已满", "audit": None}) is None
    assert ends.record() == 1 and ends.held == []  # let go: recording it again would not help
    ends.close()
    assert store.get(job_id) == before
    assert (out / new).is_dir() and _generated(store.db_path, job_id) == []
    assert files_of_job(store.db_path, job_id) == []
    stale = [r.getMessage() for r in caplog.records if STALE in r.getMessage()]
    assert len(stale) == 7 and all(old in line and new in line for line in stale), stale
    # The new run's own writes apply.
    assert store.progress(job_id, 2, 4, run=new)
    assert store.add_file(second, out / "demand-letter.zip")
    assert store.renew(job_id, before["runner"], time.time() + 120, run=new)
    assert store.finish(job_id, run=new, result={"written": 4}, entry=_entry(job_id, "new"))
    job = store.get(job_id)
    assert (job["state"], job["done"], job["result"]) == ("done", 2, {"written": 4})
    assert [e["serials"] for e in _generated(store.db_path, job_id)] == [["new"]]
    assert [f["name"] for f in files_of_job(store.db_path, job_id)] == ["demand-letter.zip"]


def test_a_silent_runner_still_takes_back_a_job_only_marked_lost_but_not_one_run_again(tmp_path: Path) -> None:
    store = JobStore(make_settings(tmp_path / "data").db_path)
    job_id = store.create("letters", "manager", {"out": str(tmp_path / "out")})
    run = store.start(job_id, 60)["run"]
    assert store.expire(now=time.time() + 3600) == [job_id]
    runner = store.get(job_id)["runner"]
    assert store.renew(job_id, runner, time.time() + 60, run=run)  # the mark only: its run still
    assert store.get(job_id)["state"] == "running"
    new = _rerun(store, job_id)
    assert not store.renew(job_id, runner, time.time() + 60, run=run)
    assert store.stale(job_id, run) and not store.stale(job_id, new)
    # A lease kept by the old run's process stops renewing at its first dropped renewal.
    lease_then = store.get(job_id)["lease"]
    with Lease(store, job_id, run, 0.05) as lease:
        lease.hand_on(3600)
        deadline = time.monotonic() + 60
        while not lease.stale:
            assert time.monotonic() < deadline, "the lease never found its run over"
            time.sleep(0.01)
    assert store.get(job_id)["lease"] == lease_then  # not even the hand-on renewal at its end
    with Lease(store, job_id, new, 60) as lease:
        pass
    assert not lease.stale and store.get(job_id)["lease"] > lease_then


def _blocking_handler(monkeypatch: pytest.MonkeyPatch, kind: str) -> tuple[threading.Event, threading.Event]:
    """Make the handler of ``kind`` block its first run until ``release`` is set (``started`` set
    when it blocks) and end it done, its serial ``old``; later runs end done at once (``new``)."""
    started, release = threading.Event(), threading.Event()
    runs: list[str] = []

    def handler(settings: Any, job: dict[str, Any], store: Any) -> dict[str, Any]:
        runs.append(job["run"])
        serial = "old" if len(runs) == 1 else "new"
        if serial == "old":
            started.set()
            assert release.wait(120)
        store.progress(job["id"], 1, 1, run=job["run"])
        return {"written": 1, "serials": [serial], "audit": {"action": "generate", "target": "demand-letter",
                                                             "sha256": "0" * 64, "serials": [serial]}}

    monkeypatch.setitem(work.HANDLERS, kind, handler)
    return started, release


def test_a_worker_silent_while_its_job_was_run_again_ends_nothing_of_the_new_run(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Through the workers' path (``work.execute_job``): the first run's worker blocks (its database
    refusing, standing for it), the sweep fails its job, a user runs it again and the second run
    ends done; then the first worker ends its run: its end changes nothing."""
    settings = make_settings(tmp_path / "data")
    store = JobStore(settings.db_path)
    job_id = store.create("letters", "manager", {"out": str(tmp_path / "out"), "role": "manager"})
    started, release = _blocking_handler(monkeypatch, "letters")
    ends: list[Any] = []
    old = threading.Thread(target=lambda: ends.append(work.execute_job(str(settings.data_dir), job_id)))
    old.start()
    try:
        assert started.wait(120)
        first = store.get(job_id)["run"]
        # Silent: the first run's lease is renewed no more (a renewal between the sweep and the rerun
        # would bring the job it marked lost back to running, as a live runner's does).
        renew = JobStore.renew
        monkeypatch.setattr(JobStore, "renew", lambda self, job, runner, until, *, run:
                            False if run == first else renew(self, job, runner, until, run=run))
        assert store.expire(now=time.time() + 3600) == [job_id] and store.requeue(job_id)
        assert work.execute_job(str(settings.data_dir), job_id) is None  # the second run, to its end
        done = store.get(job_id)
        assert done["state"] == "done" and done["run"] != first
    finally:
        release.set()
        old.join(120)
    assert ends == [None]  # its end was not refused: dropped as another run's
    assert store.get(job_id) == done
    assert [e["serials"] for e in _generated(settings.db_path, job_id)] == [["new"]]


def test_a_celery_chunk_or_assembly_of_an_earlier_run_leaves_the_job_alone(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data")
    store = JobStore(settings.db_path)
    out = tmp_path / "out"
    job_id = store.create("batch", "backoffice", {"out": str(out), "template": "demand-letter", "pdf": False})
    old = store.start(job_id, 60)["run"]
    new = _rerun(store, job_id)
    assert store.progress(job_id, 0, 4, run=new)
    before = store.get(job_id)
    app = eager_celery()
    args = (str(settings.data_dir), job_id, "")
    done = app.tasks["docgen.chunk"].apply(args=(*args, 0, old)).get()
    assert done["error"] == SERVICE.text("job-not-running") and done["documents"] == []
    assert not out.exists()  # nothing made for the earlier run
    # What its chunks made before the job was run again is in its run's folder: the assembly deletes it.
    made = out / old / "chunks" / "00000"
    made.mkdir(parents=True)
    (made / "manifest.json").write_text("{}", encoding="utf-8")
    (out / new).mkdir()
    app.tasks["docgen.assemble"].apply(args=([done], *args, old)).get()
    assert store.get(job_id) == before
    assert [entry.name for entry in out.iterdir()] == [new]


def _auth(client: TestClient, role: str) -> dict[str, str]:
    answer = client.post("/api/token", data={"username": role, "password": PASSWORD})
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def _downloads(client: TestClient, job_id: str, auth: dict[str, str]) -> dict[str, bytes]:
    """What the job's page offers its owner, downloaded through the API: name -> content."""
    got = {}
    for listed in client.get(f"/api/jobs/{job_id}", headers=auth).json()["files"]:
        answer = client.get(listed["url"], headers=auth)
        assert answer.status_code == 200, answer.text
        got[listed["name"]] = answer.content
    return got


def _batch(client: TestClient, auth: dict[str, str], rows: int = 2) -> str:
    started = client.post("/api/batch/demand-letter", headers=auth,
                          files={"rows": ("rows.csv", rows_csv(rows), "text/csv")})
    assert started.status_code == 202, started.text
    return started.json()["job"]


def _files(folder: Path) -> dict[Path, bytes]:
    return {path: path.read_bytes() for path in folder.rglob("*") if path.is_file()}


def test_a_stale_run_neither_replaces_nor_deletes_the_new_runs_files_and_its_own_are_deleted(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    """Two runs of one batch job with real files: the first run's worker falls silent once started,
    the sweep fails the job, a user runs it again and the second run ends done; then the first
    worker writes its letters and .zip and ends. The second run's files stay as they were and are
    what the owner downloads; the first run's folder is gone (and so is one its held end names)."""
    settings = make_settings(tmp_path / "data")
    zipped: list[Path] = []
    real_zip = work._zip

    def zip_seen(target: Path, members: list[tuple[Path, str]]) -> None:
        real_zip(target, members)
        zipped.append(target)

    monkeypatch.setattr(work, "_zip", zip_seen)
    with TestClient(create_app(settings, runner=HeldRunner())) as client:
        auth = _auth(client, "backoffice")
        job_id = _batch(client, auth)
        store = JobStore(settings.db_path)
        first = store.start(job_id, 60)  # its worker is silent from here (its database refusing, say)
        assert store.expire(now=time.time() + 3600) == [job_id] and store.requeue(job_id)
        assert work.execute_job(str(settings.data_dir), job_id) is None  # the second run, to its end
        second = store.get(job_id)
        assert second["state"] == "done" and second["run"] != first["run"]
        out, new = Path(second["params"]["out"]), run_folder(second)
        assert new.parent == out and new.name == second["run"] and zipped == [new / f"demand-letter-{job_id}.zip"]
        kept = _files(new)
        served = _downloads(client, job_id, auth)  # the .zip, the print PDF, the manifests: the new run's
        assert zipped[0].name in served and served == {path.name: kept[path] for path in kept if path.name in served}
        # The first run's worker takes writes again: its handler runs to its end (the real batch).
        caplog.set_level(logging.WARNING, "docgen.service")
        assert work.run_handler(settings, store, first, lambda: work._run_job(settings, first, store)) is None
        old = run_folder(first)
        assert old == out / first["run"] and zipped[1] == old / zipped[0].name  # it made its .zip, in its folder
        assert not old.exists()  # deleted when its end was dropped
        assert [entry.name for entry in out.iterdir()] == [second["run"]]
        assert _files(new) == kept and store.get(job_id) == second
        assert _downloads(client, job_id, auth) == served
        said = [r.getMessage() for r in caplog.records if r.name == "docgen.service"]
        assert f"job {job_id}: the files of its stale run {first['run']} deleted" in said, said
        # Its end held instead (the database refused it): recorded, it deletes that run's folder only.
        old.mkdir()
        (old / zipped[0].name).write_bytes(b"PK stale")
        ends = JobEnds(store, every=3600)
        ends.add({"job": job_id, "run": first["run"], "error": "磁盘已满", "audit": None})
        assert ends.record() == 1
        ends.close()
        assert not old.exists() and _files(new) == kept and _downloads(client, job_id, auth) == served
        assert store.get(job_id) == second


def test_a_job_without_a_result_folder_starts_and_ends_touching_no_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A job whose params name no result folder: neither its start nor its held end sets aside what
    is in the working directory (``Path('')``)."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "kept.txt").write_text("kept", encoding="utf-8")
    store = JobStore(make_settings(tmp_path / "data").db_path)
    job_id = store.create("letters", "manager", {})
    assert store.start(job_id, 60)["state"] == "running"
    with sqlite3.connect(store.db_path) as db:  # as a job started before runs were kept
        db.execute("UPDATE jobs SET run = NULL WHERE id = ?", (job_id,))
    db.close()
    assert store.give_up({"job": job_id, "run": None, "error": "磁盘已满", "audit": None}) == ""
    assert sorted(entry.name for entry in tmp_path.iterdir()) == ["data", "kept.txt"]


def test_a_job_run_again_forgets_its_earlier_runs_files_and_deletes_them(tmp_path: Path) -> None:
    """A run leaves its files in its folder when the job fails (interrupted by a restart, say); run
    again, the job lists only the new run's files, and the earlier run's folder is gone."""
    settings = make_settings(tmp_path / "data")
    with TestClient(create_app(settings, runner=HeldRunner())) as client:
        auth = _auth(client, "backoffice")
        job_id = _batch(client, auth)
        store = JobStore(settings.db_path)
        first = store.start(job_id, 60)
        run_folder(first).mkdir(parents=True)
        left = run_folder(first) / f"demand-letter-{job_id}.zip"
        left.write_bytes(b"PK earlier")
        assert store.add_file(first, left)
        assert store.finish(job_id, run=first["run"], error="LibreOffice stopped")
        [earlier] = files_of_job(settings.db_path, job_id)  # not offered (the job failed), but recorded
        assert client.get(earlier["url"], headers=auth).content == b"PK earlier"
        assert client.post(f"/api/jobs/{job_id}/rerun", headers=auth).status_code == 202
        assert work.execute_job(str(settings.data_dir), job_id) is None
        second = store.get(job_id)
        out = Path(second["params"]["out"])
        assert second["state"] == "done" and [entry.name for entry in out.iterdir()] == [second["run"]]
        served = _downloads(client, job_id, auth)
        assert served[left.name] == (run_folder(second) / left.name).read_bytes() != b"PK earlier"
        assert client.get(earlier["url"], headers=auth).status_code == 404  # forgotten


def test_a_job_from_before_runs_were_kept_still_renders_and_downloads(tmp_path: Path) -> None:
    """A job a docgen before runs started (``run`` NULL, its files in its result folder itself):
    ended by its runner now, it writes and records its files there, which its owner downloads,
    also from its page; run again, its new run writes in a folder of its own and the old files go."""
    from test_service_access import login

    settings = make_settings(tmp_path / "data")
    with TestClient(create_app(settings, runner=HeldRunner())) as client:
        auth = _auth(client, "backoffice")
        job_id = _batch(client, auth)
        with sqlite3.connect(settings.db_path) as db:  # as the migration leaves a job then running
            db.execute("UPDATE jobs SET state = 'running', started = '2026-01-01T00:00:00+08:00', run = NULL "
                       "WHERE id = ?", (job_id,))
        db.close()
        store = JobStore(settings.db_path)
        job = store.get(job_id)
        assert job["run"] is None and run_folder(job) == Path(job["params"]["out"])
        assert work.run_handler(settings, store, job, lambda: work._run_job(settings, job, store)) is None
        done = store.get(job_id)
        out = Path(done["params"]["out"])
        bundle = out / f"demand-letter-{job_id}.zip"
        assert done["state"] == "done" and done["result"]["written"] == 2 and bundle.is_file()
        assert _downloads(client, job_id, auth)[bundle.name] == bundle.read_bytes()
        login(client, "backoffice")
        page = client.get(f"/jobs/{job_id}")
        assert page.status_code == 200 and bundle.name in page.text
        # Run again (failed first), the new run's files are its own folder's; the old layout is gone.
        assert store.finish(job_id, run=None, error="LibreOffice stopped")
        assert client.post(f"/api/jobs/{job_id}/rerun", headers=auth).status_code == 202
        assert work.execute_job(str(settings.data_dir), job_id) is None
        again = store.get(job_id)
        assert again["state"] == "done" and [entry.name for entry in out.iterdir()] == [again["run"]]
        assert _downloads(client, job_id, auth)[bundle.name] == (run_folder(again) / bundle.name).read_bytes()


def _dropped_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    said = [r.getMessage() for r in caplog.records if r.name == "docgen.service"]
    return [line for line in said if "message of its run" in line]


def test_a_celery_message_of_an_earlier_run_or_of_none_changes_nothing_of_the_jobs_new_run(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    """A batch of two chunks started by its start message (run one), whose worker died mid-split;
    the sweep fails it, a user runs it again and a worker starts run two. Then the first run's
    messages are delivered again (the broker's visibility timeout, ``acks_late``): its start message
    (sent while queued: no run), its split and a chunk of run one; each is dropped with one line
    and changes nothing (the batch is not split a second time); run two's split, delivered again
    after its worker died, carries on and ends the job, its files its run's alone."""
    monkeypatch.setenv("DOCGEN_CHUNK_ROWS", "2")  # 4 rows: two chunks and the assembly
    settings = make_settings(tmp_path / "data")
    with TestClient(create_app(settings, runner=HeldRunner())) as client:
        auth = _auth(client, "backoffice")
        job_id = _batch(client, auth, rows=4)
        store = JobStore(settings.db_path)
        app = eager_celery()
        args = (str(settings.data_dir), job_id, "")
        first = store.start(job_id, 60)["run"]  # what the start message's worker did before it died
        second = _rerun(store, job_id)  # the start message of the rerun, taken by another worker
        running = store.get(job_id)
        out = Path(running["params"]["out"])
        spooled = out / first / "chunks" / "00000.rows.json"  # what run one's split left, late
        spooled.parent.mkdir(parents=True)
        spooled.write_text("[]", encoding="utf-8")
        caplog.set_level(logging.WARNING, "docgen.service")
        app.tasks["docgen.job"].apply(args=args).get()  # run one's start message, delivered again
        app.tasks["docgen.split"].apply(args=(*args, first)).get()
        assert app.tasks["docgen.chunk"].apply(args=(*args, 0, first)).get()["documents"] == []
        assert store.get(job_id) == running  # not split, no progress, no lease taken
        assert not (out / first).exists() and files_of_job(settings.db_path, job_id) == []
        now = f"dropped: the job is running in run {second} now"
        assert _dropped_lines(caplog) == [f"job {job_id}: a start message of its run (none) {now}",
                                          f"job {job_id}: a split message of its run {first} {now}",
                                          f"job {job_id}: a chunk message of its run {first} {now}"]
        # Run two's split (its worker died before the chunks were sent): it carries on, once.
        app.tasks["docgen.split"].apply(args=(*args, second)).get()
        done = store.get(job_id)
        assert (done["state"], done["run"], done["result"]["written"], done["result"]["chunks"]) == \
            ("done", second, 4, 2), done
        assert [entry.name for entry in out.iterdir()] == [second]
        assert sorted(p.name for p in (out / second / "chunks").glob("*.rows.json")) == ["00000.rows.json",
                                                                                         "00001.rows.json"]
        served = _downloads(client, job_id, auth)
        bundle = out / second / f"demand-letter-{job_id}.zip"
        assert served[bundle.name] == bundle.read_bytes()
        # Once the job ended in run two, run one's start message still changes nothing.
        app.tasks["docgen.job"].apply(args=args).get()
        assert store.get(job_id) == done and _dropped_lines(caplog)[3:] == [
            f"job {job_id}: a start message of its run (none) dropped: the job is done in run {second} now"]
        assert _downloads(client, job_id, auth) == served


def test_a_batch_whose_worker_died_before_a_split_took_it_is_carried_on_by_its_start_message_delivered_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    """A worker took a batch's start message, started the job and died before a split took the
    batch (maybe before it sent the split). The start message, delivered again (``acks_late``; at
    once when only the worker's process died), tells its own run from a later one: it sends the
    split of that run again and the batch runs to its end in that run, where it waited out its
    lease and read failed. Another start message of the job is still dropped. Once a split took the
    batch, the start message delivered again is dropped, and so is a second split message of the
    run (the first sent just before the worker died): the batch is split once."""
    monkeypatch.setenv("DOCGEN_CHUNK_ROWS", "2")  # 4 rows: two chunks and the assembly
    settings = make_settings(tmp_path / "data")
    with TestClient(create_app(settings, runner=HeldRunner())) as client:
        auth = _auth(client, "backoffice")
        store = JobStore(settings.db_path)
        app = eager_celery()
        caplog.set_level(logging.WARNING, "docgen.service")
        # The split never sent: the start message delivered again sends it.
        job_id = _batch(client, auth, rows=4)
        args = (str(settings.data_dir), job_id, "")
        run = store.start(job_id, 60, carried_by="start-1")["run"]  # what the worker did before it died
        running = store.get(job_id)
        app.tasks["docgen.job"].apply(args=args, task_id="start-2").get()  # the job's start sent twice
        assert store.get(job_id) == running
        assert _dropped_lines(caplog) == [f"job {job_id}: a start message of its run (none) dropped: the job is "
                                          f"running in run {run} now"]
        app.tasks["docgen.job"].apply(args=args, task_id="start-1").get()  # delivered again
        said = [r.getMessage() for r in caplog.records if r.name == "docgen.service"]
        assert f"job {job_id}: its start message delivered again before a split took the batch (its worker died): " \
               f"the split of its run {run} sent again" in said
        done = store.get(job_id)
        assert (done["state"], done["run"], done["result"]["written"], done["result"]["chunks"]) == \
            ("done", run, 4, 2), done
        assert _downloads(client, job_id, auth)
        # The split sent, and taken by a worker still splitting the batch: the start message
        # delivered again, and the split message it would send, are dropped; the one that took it,
        # delivered again once its worker died, carries on.
        caplog.clear()
        job_id = _batch(client, auth, rows=4)
        args = (str(settings.data_dir), job_id, "")
        run = store.start(job_id, 60, carried_by="start-3")["run"]
        assert store.take_split(job_id, run, "start-3", "split-1")
        assert store.take_split(job_id, run, "start-3", "split-1")  # the same, delivered again
        running = store.get(job_id)
        app.tasks["docgen.job"].apply(args=args, task_id="start-3").get()
        app.tasks["docgen.split"].apply(args=(*args, run), kwargs={"start": "start-3"}, task_id="split-2").get()
        assert store.get(job_id) == running and not store.take_split(job_id, run, "start-3", "split-2")
        assert _dropped_lines(caplog) == [
            f"job {job_id}: a start message of its run (none) dropped: the job is running in run {run} now",
            f"job {job_id}: a split message of its run {run} dropped: another split message of that run took "
            "the batch"]
        app.tasks["docgen.split"].apply(args=(*args, run), kwargs={"start": "start-3"}, task_id="split-1").get()
        done = store.get(job_id)
        assert (done["state"], done["run"], done["result"]["chunks"]) == ("done", run, 2), done
        assert done["result"]["written"] + done["result"]["skipped"] == 4, done


class _Queue(HeldRunner):
    """Jobs handed to a queue (``CeleryRunner``'s): they outlive the service; what it holds is what was sent."""

    durable = True


def test_a_batch_whose_workers_machine_was_lost_is_put_back_in_the_queue_once_its_lease_lapsed(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """A worker's machine took a batch's start message, started the job, issued its letters and went
    (its process and its broker connection with it): the message would come again only after the
    visibility timeout. Once the job's lease lapsed (a fake clock), the sweep puts it back in the
    queue and sends a fresh start message, once; the job runs in a new run to its end, its letters
    under the serials the lost run issued (none new, none lost), its files the new run's alone. The
    lost run's start and split messages, delivered again an hour later, are dropped."""
    settings = make_settings(tmp_path / "data")
    queue = _Queue()
    with TestClient(create_app(settings, runner=queue)) as client:
        auth = _auth(client, "backoffice")
        job_id = _batch(client, auth, rows=4)
        store = JobStore(settings.db_path)
        service = client.app.state.service
        # What the lost machine did: started the job (start-1) and issued the four letters in its run.
        lost = store.start(job_id, 60, carried_by="start-1")
        assert store.renew(job_id, "lost-host:4242", time.time() + 60, run=lost["run"])
        from docgen.documents.batch import generate, read_rows, resolve_template
        from docgen.documents.register import Register

        template = resolve_template("demand-letter")
        with Register(settings.register_path) as register:
            issued = generate(template, read_rows(template, lost["params"]["rows"]), run_folder(lost) / "letters",
                              register=register)
        serials = [d.serial for d in issued.written]
        assert len(serials) == 4
        lease = store.get(job_id)["lease"]
        caplog.set_level(logging.WARNING, "docgen.service")
        assert service.expire_jobs(now=lease - 1) == 0 and queue.submitted == [job_id]  # still vouched for
        assert service.expire_jobs(now=lease + 1) == 0
        queued = store.get(job_id)
        assert (queued["state"], queued["run"], queued["runner"], queued["error"]) == ("queued", None, None, None)
        assert queue.submitted == [job_id, job_id]
        said = [r.getMessage() for r in caplog.records if r.name == "docgen.service"]
        assert f"job {job_id}: its runner lost-host:4242 is gone (its lease ran out); put back in the queue and " \
               "handed to the runner again" in said
        assert service.expire_jobs(now=lease + 2) == 0 and queue.submitted == [job_id, job_id]  # sent once
        # The fresh start message, taken by a live worker: the job runs to its end in a new run.
        app = eager_celery()
        args = (str(settings.data_dir), job_id, "")
        app.tasks["docgen.job"].apply(args=args, task_id="start-2").get()
        done = store.get(job_id)
        assert (done["state"], done["result"]["written"], done["result"]["serials"]) == ("done", 4, serials), done
        assert done["run"] not in (None, lost["run"])
        out = Path(done["params"]["out"])
        assert [entry.name for entry in out.iterdir()] == [done["run"]]
        with Register(settings.register_path) as register:
            assert sorted(r.serial for r in register.records("demand-letter")) == sorted(serials)
        assert [e["serials"] for e in _generated(settings.db_path, job_id)] == [serials]
        served = _downloads(client, job_id, auth)
        # The lost run's messages, delivered again past the visibility timeout: dropped.
        caplog.clear()
        app.tasks["docgen.job"].apply(args=args, task_id="start-1").get()
        app.tasks["docgen.split"].apply(args=(*args, lost["run"]), kwargs={"start": "start-1"}).get()
        assert store.get(job_id) == done and _downloads(client, job_id, auth) == served
        now = f"dropped: the job is done in run {done['run']} now"
        assert _dropped_lines(caplog) == [f"job {job_id}: a start message of its run (none) {now}",
                                          f"job {job_id}: a split message of its run {lost['run']} {now}"]
        assert [entry.name for entry in out.iterdir()] == [done["run"]]
        # Put back once and lost again, a job reads failed; run again by a user, it may be put back once more.
        second = _batch(client, auth, rows=1)
        for state in ("queued", "failed"):
            store.start(second, 60)
            assert service.expire_jobs(now=store.get(second)["lease"] + 1) == (state == "failed")
            assert store.get(second)["state"] == state
        assert store.get(second)["lost"] and store.requeue(second) and store.get(second)["recovered"] == 0


def test_a_batch_meeting_rows_another_machine_reserved_within_the_hour_fails_saying_so(tmp_path: Path) -> None:
    """A batch put back in the queue after its machine was lost meets the rows that machine reserved
    and did not write: they stay its own for an hour (a claim from another machine). The job fails
    saying so, as a split batch's assembly does, where an unsplit batch read done without them."""
    from docgen.documents.batch import generate, read_rows, resolve_template
    from docgen.documents.register import Register

    settings = make_settings(tmp_path / "data")
    with TestClient(create_app(settings, runner=HeldRunner())) as client:
        auth = _auth(client, "backoffice")
        job_id = _batch(client, auth, rows=2)
        store = JobStore(settings.db_path)
        template = resolve_template("demand-letter")
        rows = read_rows(template, store.get(job_id)["params"]["rows"])
        with Register(tmp_path / "scratch.sqlite") as scratch:  # the rows' keys, as the batch reserves them
            keys = [d.row_key for d in generate(template, rows, tmp_path / "scratch", register=scratch).documents]
        with Register(settings.register_path) as register:  # what the lost machine reserved, not written
            register.reserve_many("demand-letter", [(keys[1], lambda seq: f"LOST-{seq:05d}")],
                                  owner="lost-host:4242")
        eager_celery().tasks["docgen.job"].apply(args=(str(settings.data_dir), job_id, "")).get()
        job = client.get(f"/api/jobs/{job_id}", headers=auth).json()
        assert (job["state"], job["error"]) == ("failed", SERVICE.text("rows-held", {"count": 1, "first": keys[1]}))


def _dead_pid() -> int:
    """The id of a process of this host that has ended (a worker's process killed)."""
    import subprocess
    import sys

    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


@pytest.mark.parametrize("kind", ["letters", "npl-report"])
def test_a_letters_or_npl_job_whose_worker_died_runs_again_from_its_start_message_delivered_again(
        tmp_path: Path, caplog: pytest.LogCaptureFixture, kind: str) -> None:
    """A worker took a letters (or NPL report) job's start message, started it, made its letters and
    died before ending it. The message delivered again (``acks_late``: at once when only the
    worker's process died) runs the job again, in a new run, once its runner is gone: the letters
    keep the serials the dead run issued (written again under them, as its files went with its run),
    none is issued twice, and the job ends done once (an NPL report reading the ledgers its dead run
    read, which go only once the job is done). While its runner may be alive (another host,
    its lease running) the message is dropped, as another start message of the job is."""
    import socket

    from service_helpers import LEDGER, NOTES, POLICY, TARGETS

    settings = make_settings(tmp_path / "data")
    with TestClient(create_app(settings, runner=HeldRunner())) as client:
        auth = _auth(client, "manager")
        if kind == "letters":
            files = {"ledger": (LEDGER.name, LEDGER.read_bytes()), "policy": (POLICY.name, POLICY.read_bytes())}
            started = client.post("/api/collect/letters", headers=auth, files=files, data={"as_of": "2026-06-30"})
        else:
            files = {"ledger": (LEDGER.name, LEDGER.read_bytes()), "targets": (TARGETS.name, TARGETS.read_bytes()),
                     "notes": (NOTES.name, NOTES.read_bytes())}
            started = client.post("/api/npl-report?format=docx", headers=auth, files=files, data={"period": "2026Q2"})
        assert started.status_code == 202, started.text
        job_id = started.json()["job"]
        store = JobStore(settings.db_path)
        # What the worker did before it died: started the job (start-1) and made what it makes, unended.
        dead = store.start(job_id, 60, carried_by="start-1")
        made = work.HANDLERS[kind](settings, dead, store)
        assert made is not None and dead["run"] and run_folder(dead).is_dir()
        app = eager_celery()
        args = (str(settings.data_dir), job_id, "")
        caplog.set_level(logging.WARNING, "docgen.service")
        # Its runner on another host, its lease running: it may be alive, the message is dropped.
        assert store.renew(job_id, "other-host:4242", time.time() + 60, run=dead["run"])
        running = store.get(job_id)
        app.tasks["docgen.job"].apply(args=args, task_id="start-1").get()
        assert store.get(job_id) == running
        assert _dropped_lines(caplog) == [f"job {job_id}: a start message of its run (none) dropped: the job is "
                                          f"running in run {dead['run']} now"]
        # Its runner a process of this host that has ended: the job runs again, to its end.
        runner = f"{socket.gethostname()}:{_dead_pid()}"
        with sqlite3.connect(settings.db_path) as db:
            db.execute("UPDATE jobs SET runner = ? WHERE id = ?", (runner, job_id))
        db.close()
        app.tasks["docgen.job"].apply(args=args, task_id="start-2").get()  # another start message: dropped
        assert store.get(job_id)["run"] == dead["run"]
        app.tasks["docgen.job"].apply(args=args, task_id="start-1").get()
        said = [r.getMessage() for r in caplog.records if r.name == "docgen.service"]
        assert f"job {job_id}: its start message delivered again after its runner {runner} was gone: run again in " \
               f"a new run (its run {dead['run']} is over)" in said
        done = store.get(job_id)
        assert done["state"] == "done" and done["run"] not in (None, dead["run"]), done
        out = Path(done["params"]["out"])
        assert [entry.name for entry in out.iterdir()] == [done["run"]]
        assert len(_downloads(client, job_id, auth)) == 1
        action = "generate" if kind == "letters" else "report"
        entries = [e for e in audit.entries(settings.db_path, action=action) if e["detail"].get("job") == job_id]
        assert len(entries) == 1  # the job's, made once
        if kind == "letters":
            # The dead run's letters written again under their serials (restored), none issued twice; a
            # run again plans with what the register holds, so the guarantors' notices due once the
            # borrowers' letters are out are issued too, as by any run of the job again.
            from docgen.documents.register import Register
            from docgen.loans.letters import DOCUMENTS

            issued, serials = made["serials"], done["result"]["serials"]
            assert issued and set(issued) <= set(serials) and len(set(serials)) == len(serials)
            assert done["result"]["written"] == len(serials) and entries[0]["serials"] == serials
            with Register(settings.register_path) as register:
                kept = [r for name in DOCUMENTS for r in register.records(name)]
            assert sorted(r.serial for r in kept) == sorted(serials) and all(r.is_complete for r in kept)
            assert all(Path(r.file).is_relative_to(out / done["run"]) for r in kept)
        # Delivered once more (the job ended): dropped.
        app.tasks["docgen.job"].apply(args=args, task_id="start-1").get()
        assert store.get(job_id) == done


def test_a_letters_job_meeting_letters_another_machine_reserved_fails_saying_so(tmp_path: Path) -> None:
    """A letters job run again after its machine was lost meets a letter that machine reserved and
    did not write (its own for an hour: a claim from another machine). The job fails saying so, in
    Chinese and English, where it read done without that letter."""
    from docgen.documents.register import Register
    from docgen.loans.ledger import read_ledger
    from docgen.loans.letters import make_letters
    from docgen.loans.plan import load_policy
    from service_helpers import LEDGER, POLICY

    settings = make_settings(tmp_path / "data")
    policy = load_policy(str(POLICY))
    with Register(tmp_path / "scratch.sqlite") as scratch:  # a letter's key, as the job reserves it
        made = make_letters(read_ledger(LEDGER, vocabulary=policy.vocabulary).loans, _dt.date(2026, 6, 30),
                            tmp_path / "scratch", policy=policy, register=scratch)
        key = scratch.records("demand-letter")[0].row_key
    assert made.written
    with Register(settings.register_path) as register:
        register.reserve_many("demand-letter", [(key, lambda seq: f"LOST-{seq:05d}")], owner="lost-host:4242")
    with TestClient(create_app(settings, runner=HeldRunner())) as client:
        auth = _auth(client, "manager")
        files = {"ledger": (LEDGER.name, LEDGER.read_bytes()), "policy": (POLICY.name, POLICY.read_bytes())}
        started = client.post("/api/collect/letters", headers=auth, files=files, data={"as_of": "2026-06-30"})
        job_id = started.json()["job"]
        eager_celery().tasks["docgen.job"].apply(args=(str(settings.data_dir), job_id, "")).get()
        job = client.get(f"/api/jobs/{job_id}", headers=auth).json()
        facts = {"count": 1, "first": key.split(":")[0]}
        assert (job["state"], job["error"]) == ("failed", SERVICE.text("letters-held", facts)), job
        assert JobStore(settings.db_path).get(job_id)["result"]["worded"]["en"] == \
            SERVICE.text("letters-held", facts, "en")


def test_a_start_message_queued_by_a_docgen_before_runs_starts_a_queued_job_and_carries_on_a_run_less_batch(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Start messages have no run, as before runs were kept: one still waiting in the broker starts
    a queued job; delivered again for a batch an earlier docgen left running in no run, it carries
    on as that docgen did (the same rows: the second batch skips what the first issued)."""
    settings = make_settings(tmp_path / "data")
    with TestClient(create_app(settings, runner=HeldRunner())) as client:
        auth = _auth(client, "backoffice")
        queued, left = _batch(client, auth), _batch(client, auth)
    with sqlite3.connect(settings.db_path) as db:  # as the migration leaves a batch then running
        db.execute("UPDATE jobs SET state = 'running', started = '2026-01-01T00:00:00+08:00', run = NULL "
                   "WHERE id = ?", (left,))
    db.close()
    app = eager_celery()
    caplog.set_level(logging.WARNING, "docgen.service")
    store = JobStore(settings.db_path)
    for job_id in (queued, left):
        app.tasks["docgen.job"].apply(args=(str(settings.data_dir), job_id, "")).get()
        job = store.get(job_id)
        assert job["state"] == "done" and job["result"]["written"] + job["result"]["skipped"] == 2, job
    assert store.get(queued)["run"] and store.get(left)["run"] is None
    assert (Path(store.get(left)["params"]["out"]) / f"demand-letter-{left}.zip").is_file()
    assert _dropped_lines(caplog) == []


def _sqlite_full() -> sqlite3.OperationalError:
    exc = sqlite3.OperationalError("database or disk is full")
    exc.sqlite_errorcode = 13  # type: ignore[attr-defined]  # what SQLite sets (SQLITE_FULL)
    return exc


def _start_refused(*_: Any, **__: Any) -> None:
    raise _sqlite_full()


def test_the_held_end_of_a_refused_start_fails_no_queued_job_nor_another_runs(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    """Through the workers' path: the database refuses a job's start for the whole wait, so its
    worker holds an end without a run. Recorded while the job runs in a run another worker started,
    it changes nothing of that run; recorded once that run failed and the job was put back in the
    queue, it leaves it queued (not failed) and has it started, to its end."""
    settings = make_settings(tmp_path / "data")
    store = JobStore(settings.db_path)
    out = tmp_path / "out"
    job_id = store.create("letters", "manager", {"out": str(out), "role": "manager"})
    _blocking_handler(monkeypatch, "letters")[1].set()  # runs end at once: "old", then "new"
    monkeypatch.setattr(work, "_RECORD_EVERY", 0.01)
    with monkeypatch.context() as refusing:
        refusing.setattr(JobStore, "start", _start_refused)
        end = work.execute_job(str(settings.data_dir), job_id, record_wait=0.05)
    assert end is not None and end["run"] is None and store.get(job_id)["state"] == "queued"
    started: list[Any] = []

    def again(job: str, refused: int, attempt: str | None) -> None:  # as the service's submit: its workers run it
        started.append(work.execute_job(str(settings.data_dir), job, refused=refused, attempt=attempt))

    ends = JobEnds(store, every=3600, again=again)
    # Another worker started the job meanwhile (a message sent twice, a submit after a broken pool).
    run = store.start(job_id, 60)["run"]
    (out / run).mkdir(parents=True)
    (out / run / "letters.json").write_text("{}", encoding="utf-8")
    running = store.get(job_id)
    caplog.set_level(logging.WARNING, "docgen.service")
    caplog.clear()  # the refused start's own lines
    ends.add(end)
    assert ends.record() == 1 and ends.held == []
    assert store.get(job_id) == running and started == []
    assert (out / run / "letters.json").is_file()
    said = [r.getMessage() for r in caplog.records if r.name == "docgen.service"]
    assert said == [f"job {job_id}: the held end of its run (none) dropped: the job is in run {run} now "
                    "(its runner is stale)"], said
    # That run fails and the job is put back in the queue: the same end leaves it queued, and starts it.
    assert store.finish(job_id, run=run, error="LibreOffice stopped") and store.requeue(job_id)
    queued = store.get(job_id)
    assert (queued["state"], queued["run"]) == ("queued", None)
    with monkeypatch.context() as watching:
        states: list[str] = []
        real_start = JobStore.start

        def start(self: JobStore, job: str, lease: float | None = None) -> dict[str, Any] | None:
            states.append(self.get(job)["state"])  # what the held end left the job in
            return real_start(self, job, lease)

        watching.setattr(JobStore, "start", start)
        ends.add(end)
        assert ends.record() == 1 and ends.held == []
    ends.close()
    assert states == ["queued"] and started == [None]
    done = store.get(job_id)
    assert (done["state"], done["error"], done["result"]) == ("done", None, {"written": 1, "serials": ["old"]})
    assert done["run"] not in (None, run) and [entry.name for entry in out.iterdir()] == [done["run"]]
    assert [e["serials"] for e in _generated(settings.db_path, job_id)] == [["old"]]


def test_a_refused_start_whose_queue_refuses_its_message_again_stays_held_until_it_takes_it(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """The held end of a refused start, recorded while the broker refuses the job's start message
    (``again`` raises): the job is still queued with nothing on its way to start it, so the end
    stays held and the message is sent at the next try, once; the job is never failed."""
    store = JobStore(make_settings(tmp_path / "data").db_path)
    job_id = store.create("letters", "manager", {"out": str(tmp_path / "out"), "role": "manager"})
    sent: list[str] = []

    def again(job: str, *_: Any) -> None:  # as a worker's send of the start message, its broker down at first
        if not sent:
            sent.append("refused")
            raise ConnectionError("Error 111 connecting to localhost:6379. Connection refused.")
        sent.append(job)

    ends = JobEnds(store, every=3600, again=again)
    caplog.set_level(logging.WARNING, "docgen.service")
    ends.add({"job": job_id, "run": None, "error": "database is locked", "audit": None})
    assert ends.record() == 0 and ends.held == [job_id] and sent == ["refused"]
    assert any(f"job {job_id} could not be submitted again" in r.getMessage() for r in caplog.records)
    assert store.get(job_id)["state"] == "queued"
    assert ends.record() == 1 and ends.held == [] and sent == ["refused", job_id]
    assert ends.record() == 0 and sent == ["refused", job_id]  # let go: sent once
    ends.close()
    queued = store.get(job_id)
    assert (queued["state"], queued["error"], queued["run"]) == ("queued", None, None)


def test_a_celery_worker_whose_database_refused_a_start_sends_it_again_once_it_takes_writes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The worker's held end of a refused start fails nothing: once the database takes writes, the
    worker sends the job's start message again, and the job runs (a queued batch, to its end)."""
    from docgen.service import queue
    from docgen.service.settings import RECORD_WAIT_ENV

    settings = make_settings(tmp_path / "data")
    with TestClient(create_app(settings, runner=HeldRunner())) as client:
        auth = _auth(client, "backoffice")
        job_id = _batch(client, auth)
        monkeypatch.setenv(RECORD_WAIT_ENV, "0.05")
        monkeypatch.setattr(work, "_RECORD_EVERY", 0.01)
        app = eager_celery()
        try:
            with monkeypatch.context() as refusing:
                refusing.setattr(JobStore, "start", _start_refused)
                app.tasks["docgen.job"].apply(args=(str(settings.data_dir), job_id, "")).get()
            ends = queue._ENDS[settings.db_path]
            ends.close()  # recorded here, not by its thread
            store = JobStore(settings.db_path)
            assert ends.held == [job_id] and store.get(job_id)["state"] == "queued"
            assert ends.record() == 1 and ends.held == []
        finally:
            queue._ENDS.pop(settings.db_path, None)
        done = store.get(job_id)
        assert (done["state"], done["error"], done["result"]["written"]) == ("done", None, 2), done
        bundle = run_folder(done) / f"demand-letter-{job_id}.zip"
        assert _downloads(client, job_id, auth)[bundle.name] == bundle.read_bytes()


def _previous_version(path: Path, version: int = SCHEMA_VERSION - 1) -> None:
    """Make at ``path`` a database of the schema ``version`` (its tables and version; by default the
    one before this docgen's)."""
    with sqlite3.connect(path) as db:
        db.executescript(SCHEMA)
        for step in range(2, version + 1):
            for statement in MIGRATIONS[step]:
                db.execute(statement, {"until": None, "start_until": None})
        db.execute(f"PRAGMA user_version = {version}")
    db.close()


def _version(path: Path) -> int:
    with sqlite3.connect(path) as db:
        found = db.execute("PRAGMA user_version").fetchone()[0]
    db.close()
    return found


def test_a_database_of_an_earlier_version_gets_leases_for_jobs_left_running_or_queued_without_one(
        tmp_path: Path) -> None:
    path = tmp_path / "service.sqlite"
    _previous_version(path, 2)  # before runs and the queued jobs' deadlines
    far = time.time() + 86400
    with sqlite3.connect(path) as db:
        rows = [("done", "done", None, None), ("bare", "running", None, None),  # an older docgen's: no lease
                ("leased", "running", "host:1", far), ("waiting", "queued", None, None)]
        db.executemany("INSERT INTO jobs (id, kind, owner, state, params, created, runner, lease) "
                       "VALUES (?, 'batch', 'li', ?, '{}', '2026-01-01T00:00:00+08:00', ?, ?)", rows)
    db.close()
    before = time.time()
    init_db(path, job_lease=30, start_wait=90)
    after = time.time()
    init_db(path, job_lease=30, start_wait=90)  # again: nothing to do
    assert _version(path) == SCHEMA_VERSION
    store = JobStore(path)
    bare = store.get("bare")
    assert before + 30 <= bare["lease"] <= after + 30 and bare["runner"] is None
    assert store.get("leased")["lease"] == far
    assert store.get("done")["lease"] is None
    # The job left queued gets the time by which it should have started: the sweep hands it to the
    # runner again then, should its start message have been lost.
    waiting = store.get("waiting")["lease"]
    assert before + 90 <= waiting <= after + 90
    assert store.overdue(90, now=before + 89) == []
    assert store.overdue(90, now=after + 91) == [("waiting", 180)]
    assert all(store.get(job)["run"] is None for job in ("done", "bare", "leased", "waiting"))
    # Nobody renews it: the sweep fails it once that lease has run out, not before.
    assert store.expire(now=before + 29) == []
    assert store.expire(now=after + 31) == ["bare"]
    # A job left running before runs were kept is still ended by writes naming no run.
    assert store.finish("leased", run=None, error="LibreOffice stopped")
    assert store.get("leased")["state"] == "failed"


def test_services_and_workers_migrating_at_once_migrate_once(tmp_path: Path) -> None:
    path = tmp_path / "service.sqlite"
    _previous_version(path)
    gate = threading.Barrier(4)
    failures: list[BaseException] = []

    def migrate() -> None:
        gate.wait()
        try:
            ensure_schema(path)
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            failures.append(exc)

    threads = [threading.Thread(target=migrate) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == [] and _version(path) == SCHEMA_VERSION


@pytest.mark.parametrize("version", range(0, SCHEMA_VERSION))
def test_a_database_of_each_earlier_version_migrated_by_several_at_once_is_that_of_a_new_one(
        tmp_path: Path, version: int) -> None:
    """From each earlier version (0: made before versions were kept), services and workers bringing
    it up to date at once leave the tables a new database has, once: a job left queued without a
    deadline for its start gets one (before version 4), one left running without a lease gets one
    (before version 3), the columns added since read as a job of no backoff or carrier, each job is
    given a queueing of its own, and doing it again changes nothing."""
    fresh = tmp_path / "fresh.sqlite"
    init_db(fresh)
    path = tmp_path / "service.sqlite"
    _previous_version(path, version)
    with sqlite3.connect(path) as db:
        db.executemany("INSERT INTO jobs (id, kind, owner, state, params, created) "
                       "VALUES (?, 'batch', 'li', ?, '{}', '2026-01-01T00:00:00+08:00')",
                       [("waiting", "queued"), ("bare", "running")])
    db.close()
    gate = threading.Barrier(4)
    failures: list[BaseException] = []

    def migrate() -> None:
        gate.wait()
        try:
            ensure_schema(path, 30, 90)
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            failures.append(exc)

    before = time.time()
    threads = [threading.Thread(target=migrate) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    after = time.time()
    assert failures == [] and _version(path) == SCHEMA_VERSION

    def tables(at: Path) -> list[tuple[Any, ...]]:
        with sqlite3.connect(at) as db:
            found = [tuple(row) for table in ("users", "jobs", "files", "audit", "checks")
                     for row in db.execute(f"PRAGMA table_info({table})")]
        db.close()
        return found

    assert tables(path) == tables(fresh)
    store = JobStore(path)
    waiting, bare = store.get("waiting"), store.get("bare")
    if version < 4:
        assert before + 90 <= waiting["lease"] <= after + 90
    else:  # a docgen of that version gave every queued job its deadline: none is made up
        assert waiting["lease"] is None
    if version < 3:
        assert before + 30 <= bare["lease"] <= after + 30
    else:
        assert bare["lease"] is None
    for job in (waiting, bare):
        assert (job["resent"], job["carried_by"], job["run"], job["recovered"]) == (0, None, None, 0)
        if version < 8:  # each in a queueing of its own (a fresh token, as ``create`` gives)
            assert len(job["attempt"]) == 16 and int(job["attempt"], 16) >= 0
        else:  # a docgen of that version gave every job its queueing: none is made up
            assert job["attempt"] is None
    if version < 8:
        assert waiting["attempt"] != bare["attempt"]
    ensure_schema(path, 30, 90)  # again: nothing to do
    assert store.get("waiting") == waiting and store.get("bare") == bare


def _holding_the_write_lock(path: Path) -> sqlite3.Connection:
    """Open ``path`` (still in rollback-journal mode) and take its write lock (RESERVED), as a
    second service would while switching it to WAL; return the connection holding it."""
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    return holder


def test_a_switch_to_wal_refused_without_waiting_is_tried_again_until_the_other_connection_lets_go(
        tmp_path: Path) -> None:
    # The interleaving that made services starting at once fail: another connection holds the
    # write lock while this one reads the header to switch it, so SQLite refuses at once, the busy
    # timeout not waited.
    path = tmp_path / "service.sqlite"
    _previous_version(path)
    holder = _holding_the_write_lock(path)
    release = threading.Timer(0.5, holder.execute, ("COMMIT",))
    release.start()
    began = time.monotonic()
    try:
        ensure_schema(path)
    finally:
        release.join()
        holder.close()
    assert time.monotonic() - began >= 0.4  # it waited for the holder, then switched and migrated
    assert _version(path) == SCHEMA_VERSION
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    db.close()


def test_a_switch_to_wal_held_up_past_the_wait_fails_as_sqlite_words_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store_module, "BUSY_SECONDS", 0.3)
    path = tmp_path / "service.sqlite"
    _previous_version(path)
    holder = _holding_the_write_lock(path)
    try:
        began = time.monotonic()
        with pytest.raises(sqlite3.OperationalError, match="^database is locked$"):
            ensure_schema(path)
        assert 0.3 <= time.monotonic() - began < 5
        with pytest.raises(InputError) as refused:
            init_db(path)
        assert str(refused.value) == SERVICE.text(
            "database-unusable", {"path": str(path), "reason": "database is locked"})
    finally:
        holder.close()
    assert _version(path) == SCHEMA_VERSION - 1


def _worker_data(tmp_path: Path, version: int) -> tuple[Path, str]:
    """A data folder whose database is of schema ``version`` (the previous one, or a later one)
    with one queued letters job; return the folder and the job's id."""
    data = tmp_path / "data"
    data.mkdir()
    _previous_version(data / "service.sqlite")
    with sqlite3.connect(data / "service.sqlite") as db:
        db.execute("INSERT INTO jobs (id, kind, owner, state, params, created) VALUES ('j1', 'letters', "
                   "'manager', 'queued', ?, '2026-01-01T00:00:00+08:00')", (f'{{"out": "{tmp_path / "out"}"}}',))
        db.execute(f"PRAGMA user_version = {version}")
    db.close()
    return data, "j1"


def test_a_worker_brings_a_database_of_the_previous_version_up_to_date_and_runs_the_job(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data, job_id = _worker_data(tmp_path, SCHEMA_VERSION - 1)
    _blocking_handler(monkeypatch, "letters")[1].set()
    eager_celery().tasks["docgen.job"].apply(args=[str(data), job_id, ""]).get()
    assert _version(data / "service.sqlite") == SCHEMA_VERSION
    job = JobStore(data / "service.sqlite").get(job_id)
    assert job["state"] == "done" and job["run"] and job["result"] == {"written": 1, "serials": ["old"]}


def test_a_worker_leaves_alone_a_job_of_a_later_docgens_database_saying_why_in_one_line(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    data, job_id = _worker_data(tmp_path, SCHEMA_VERSION + 1)
    _blocking_handler(monkeypatch, "letters")[1].set()
    caplog.set_level(logging.ERROR, "docgen.service")
    eager_celery().tasks["docgen.job"].apply(args=[str(data), job_id, ""]).get()  # no exception
    path = data / "service.sqlite"
    newer = SERVICE.text("database-newer/worker", {"path": str(path), "found": SCHEMA_VERSION + 1,
                                                   "known": SCHEMA_VERSION})
    said = [r.getMessage() for r in caplog.records if r.name == "docgen.service"]
    assert said == [f"job {job_id} not run by this worker: {newer}"]
    assert _version(path) == SCHEMA_VERSION + 1
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT state FROM jobs WHERE id = ?", (job_id,)).fetchone() == ("queued",)
    db.close()


def test_a_worker_that_met_a_database_before_a_later_docgen_upgraded_it_leaves_its_next_job(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    """A worker process ran a job of a data folder, then a later docgen (its service, or a worker of
    it) brought the database up to its own version: the worker's next job there is left alone with
    one line saying what to do, where it ran it with this docgen's writes against a later schema."""
    data, job_id = _worker_data(tmp_path, SCHEMA_VERSION - 1)
    _blocking_handler(monkeypatch, "letters")[1].set()
    app = eager_celery()
    app.tasks["docgen.job"].apply(args=[str(data), job_id, ""]).get()
    path = data / "service.sqlite"
    store = JobStore(path)
    assert store.get(job_id)["state"] == "done"
    later = store.create("letters", "manager", {"out": str(tmp_path / "out")})
    with sqlite3.connect(path) as db:  # what a later docgen's migration leaves
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.close()
    caplog.set_level(logging.ERROR, "docgen.service")
    app.tasks["docgen.job"].apply(args=[str(data), later, ""]).get()
    newer = SERVICE.text("database-newer/worker", {"path": str(path), "found": SCHEMA_VERSION + 1,
                                                   "known": SCHEMA_VERSION})
    assert [r.getMessage() for r in caplog.records if r.name == "docgen.service"] == \
        [f"job {later} not run by this worker: {newer}"]
    assert store.get(later)["state"] == "queued"


def test_a_worker_given_a_data_folder_a_later_docgen_upgraded_refuses_to_start(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``docgen worker --data`` (or ``$DOCGEN_DATA``) checks the service database before taking any
    job: one of a later docgen is refused with one line naming both versions and what to do, exit 2;
    one of this docgen or an earlier one is not (nothing connects to the broker before that: the
    broker here is a closed port, so a worker passing the check stops on it, not exit 2's line)."""
    data, _ = _worker_data(tmp_path, SCHEMA_VERSION + 1)
    newer = SERVICE.text("database-newer/worker", {"path": str(data / "service.sqlite"),
                                                   "found": SCHEMA_VERSION + 1, "known": SCHEMA_VERSION})
    monkeypatch.delenv("DOCGEN_DATA", raising=False)
    broker = ["worker", "--broker", "redis://127.0.0.1:1/0"]
    done = CliRunner().invoke(main, [*broker, "--data", str(data)])
    assert done.exit_code == 2 and done.output.strip().endswith(newer) and "Traceback" not in done.output, done.output
    monkeypatch.setenv("DOCGEN_DATA", str(data))
    done = CliRunner().invoke(main, broker)
    assert done.exit_code == 2 and done.output.strip().endswith(newer), done.output
    assert _version(data / "service.sqlite") == SCHEMA_VERSION + 1  # read only
    from docgen.service.queue import run_worker

    with sqlite3.connect(data / "service.sqlite") as db:
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    db.close()
    started: list[Any] = []
    monkeypatch.setattr("celery.Celery.worker_main", lambda self, argv: started.append(argv))
    run_worker("redis://127.0.0.1:1/0", 1, data)
    assert len(started) == 1


def test_the_queues_visibility_timeout_is_read_and_checked_as_the_other_seconds(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(QUEUE_VISIBILITY_ENV, raising=False)
    assert queue_visibility_seconds() == 3600
    monkeypatch.setenv(QUEUE_VISIBILITY_ENV, "20")
    app = make_app("redis://127.0.0.1:1/0")  # the broker's own: nothing connects until a task is sent
    try:
        assert app.conf.broker_transport_options["visibility_timeout"] == 20.0
    finally:
        app.close()
    for bad in ("0", "-3", "nan", "inf", "一小时"):
        monkeypatch.setenv(QUEUE_VISIBILITY_ENV, bad)
        with pytest.raises(InputError) as caught:
            queue_visibility_seconds()
        assert caught.value.code == "seconds-invalid"
        assert str(caught.value) == SERVICE.text("seconds-invalid", {"name": QUEUE_VISIBILITY_ENV, "value": bad,
                                                                     "example": 3600})
    # A worker, and a service queueing on a broker, refuse to start on it: one line, exit 2.
    line = SERVICE.text("seconds-invalid", {"name": QUEUE_VISIBILITY_ENV, "value": "一小时", "example": 3600})
    for command in (["worker", "--broker", "redis://127.0.0.1:1/0"],
                    ["serve", "--data", str(tmp_path / "data"), "--port", "1", "--broker", "redis://127.0.0.1:1/0"]):
        done = CliRunner().invoke(main, command)
        assert done.exit_code == 2 and done.output.strip().endswith(line) and "Traceback" not in done.output, \
            done.output
