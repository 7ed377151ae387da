"""Jobs on Celery with a Redis broker: the service's job runner for many machines.

``docgen serve --broker redis://…`` queues each job as a Celery task; ``docgen worker --broker
redis://…`` processes, on any machine that mounts the same data folder and uses the same
register (a ``postgresql://`` URL), run them. A batch larger than one chunk is split: each
chunk of rows is its own task (rendered and converted to PDF by one LibreOffice call), all
chunks run in parallel on every worker, and when the last one ends a final task assembles
the merged print PDF in serial order (streamed from the chunks' print PDFs, fonts embedded
once per chunk), the .zip and the job's result (a Celery chord). The split spools each
chunk's checked rows, so a chunk reads its own rows, not the whole sheet.

Late acknowledgement (``acks_late``, ``reject_on_worker_lost``, one message prefetched at
a time): a chunk's message is acknowledged only after the chunk is done, so a worker killed
mid-chunk has its chunk delivered again, to itself once restarted or to another worker.
The re-run issues nothing twice: the register keeps each row's serial, a row written before
the kill is skipped, a row reserved by the dead process is taken over and written under the
serial it already had. Without ``--broker`` none of this is loaded: jobs run in local
processes (``docgen.service.jobs.ProcessRunner``).

The storage refusing a job's state is waited out for ``Settings.record_wait`` (``recorded``), then
the job's end is held by the worker process that ran it (``_hand_on``, ``JobEnds``) and recorded
failed as soon as the database takes writes again, as the service does for its local workers. A
chunk that meets the storage refusing returns the storage's line, so the assembly still runs and
fails the job with it (raised, it would end the chord and leave the job running).

Every message of a job carries the run it was sent for, and a worker taking one acts only while
the job is in that run (a message delivered again after a visibility timeout, or after its worker
died under ``acks_late``, may come after the job was put back in the queue and started again). The
start message (``docgen.job``) is sent while the job is queued, before any run exists (a run is
made by the worker's ``jobs.JobStore.start``): it carries none, starts the job only while it is
queued, and is dropped, with one line in the log, once the job has a run (whichever start message
comes first starts the job; this one is delivered again, or was sent twice). So a batch's start
does no more than start it and send the split (``docgen.split``) with its run: the rows are
checked, spooled and handed to the chunks (``docgen.chunk``) and the assembly (``docgen.assemble``)
by a message of that run, which carries on while the job runs in that run (delivered again after
its worker died mid-split) and is dropped with one line once the job is in another (it would split
the batch a second time beside the new run's). A dropped split or assembly deletes its run's folder
(``jobs.discard_stale_run``). The job keeps the message carrying it on (``carried_by``): the start
message that started it, so that message delivered again (its worker died between the start and the
split taking the batch, the split maybe never sent) tells its own run from a later one and sends the
split of its run again, at once when only the worker's process died; then the split message that
takes the batch from it (``jobs.JobStore.take_split``), so of two split messages of one run (the
first sent just before the worker died) the later is dropped and a batch is split once per run. A
worker whose machine went has its message delivered again only after the visibility timeout, by when
the job's lease ran out and the service's sweep put it back in the queue with a fresh start message
(``jobs.JobStore.recover``, once per queueing; then it reads failed): that message is dropped. A
letters or NPL job is not split: its start message delivered again once the job's runner is gone
(``jobs.runner_gone``: a process of this machine no longer there, or a lease run out) runs it again
from its start in a new run (``jobs.JobStore.restart``; the register keeps what the dead run issued).
Every write names its message's run (``jobs.JobStore``), and its files are in the run's own folder
(``jobs.run_folder``).

Messages queued by a docgen before this one: a start message has the same form and is read as
above (a job still queued starts; one in a run drops it: a batch whose worker died between its
start and its split under that docgen waits out its lease and reads failed, to be run again). A
chunk or assembly carrying no run (queued before runs were kept) acts only on a job in no run
(started before runs were kept), as does a start message delivered again for such a batch.

A worker brings the data folder's database up to its schema at the first task it runs there
(``store.ensure_schema``, the service's migration); one of a later docgen it refuses, with one line
in its log. A job whose start the database refused for the whole wait is held (``_hand_on``) and
its start message sent again once the database takes writes (``jobs.JobEnds``' ``again``), with
the number of starts refused in a row and the job's queueing they count in, which the worker taking
it hands on: the third fails the job (``jobs.START_TRIES``); a count of an earlier queueing (the job
run again while the message waited) starts over (``work.run_job``).
"""
from __future__ import annotations

import json
import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from celery import Celery, chord

from docgen.core.errors import InputError
from docgen.core.tabular import Row
from docgen.service.messages import MESSAGES as SERVICE
from docgen.service.settings import (Settings, job_lease_seconds, queue_visibility_seconds, record_wait_seconds,
                                     start_wait_seconds)
from docgen.service.storage import storage_problem

__all__ = ["CeleryRunner", "chunk_rows", "make_app", "run_worker"]

QUEUE = "docgen"
log = logging.getLogger("docgen.service")


def chunk_rows() -> int:
    """Rows per chunk of a split batch: ``$DOCGEN_CHUNK_ROWS`` or 200 (one LibreOffice call each)."""
    try:
        return max(1, int(os.environ.get("DOCGEN_CHUNK_ROWS", "200")))
    except ValueError:
        return 200


#: Seconds between two looks of a worker for messages past their visibility timeout (kombu's
#: Redis transport: its default looks every 10 x 10 s, which the lease would have to wait out too).
_RESTORE_EVERY = 10


def handed_on_lease(settings: Settings) -> float:
    """Seconds a batch handed to its chunks keeps its lease from its split, while a chunk runs and
    from each chunk's end: the visibility timeout and the time until a worker looks for such
    messages (a chunk taken by a worker that died is delivered again then), and a lease more for
    the chunk delivered again to start and renew it."""
    return queue_visibility_seconds() + 2 * _RESTORE_EVERY + settings.job_lease


def make_app(broker: str) -> Celery:
    """Return the Celery application on ``broker`` (Redis also keeps the chord's results)."""
    app = Celery("docgen", broker=broker, backend=broker, set_as_current=False)
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_default_queue=QUEUE,
        task_serializer="json", result_serializer="json", accept_content=["json"],
        # A message not acknowledged within this time (its worker's machine died) is delivered again.
        broker_transport_options={"visibility_timeout": queue_visibility_seconds(),
                                  "unacked_restore_interval": _RESTORE_EVERY, "unacked_restore_throttle": 1},
        result_expires=7 * 24 * 3600,
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
    )
    app.task(name="docgen.job", bind=True)(_job_task)
    app.task(name="docgen.split", bind=True)(_split_task)
    app.task(name="docgen.chunk", bind=True)(_chunk_task)
    app.task(name="docgen.assemble", bind=True)(_assemble_task)
    return app


class CeleryRunner:
    """The ``JobRunner`` that queues jobs on the broker; jobs outlive the service that queued them."""

    #: Jobs belong to the queue, not to this process: a restart must not mark them interrupted.
    durable = True

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.app = make_app(settings.broker)

    def submit(self, job_id: str, refused: int = 0, attempt: str | None = None) -> None:
        """Queue job ``job_id`` (its start message carries no run: the job is queued, in none), with the
        starts of it the database ``refused`` in a row in its queueing ``attempt`` (``_start_message``)."""
        self.app.send_task("docgen.job", **_start_message(self.settings, job_id, refused, attempt))

    def close(self) -> None:
        """Nothing runs here; queued and running jobs carry on in the workers."""
        self.app.close()


def _start_message(settings: Settings, job_id: str, refused: int, attempt: str | None = None) -> dict[str, Any]:
    """The arguments of job ``job_id``'s start message: its data folder, its id and the register,
    and, after a start the database refused, how many were in a row and the job's queueing they
    count in (``jobs.JobEnds``: a worker taking the message once the job was run and queued again
    starts the count over); a message after none has the form of a docgen before refusals were
    counted."""
    return {"args": [str(settings.data_dir), job_id, settings.register],
            "kwargs": {"refused": refused, "attempt": attempt} if refused else {}}


def _settings(data_dir: str, register: str) -> Settings:
    return Settings(Path(data_dir), register=register)


#: The databases this worker process brought up to its schema (or found up to date).
_SCHEMA_READY: set[Path] = set()


def _schema_ready(settings: Settings) -> None:
    """Bring the data folder's database up to this docgen's schema, once per process: the service
    that queued the job may be of an earlier docgen (``store.ensure_schema``: the service's
    migration, in one transaction whose version check a service migrating at once waits for). Its
    version is read at every task: a later docgen may have brought it up to its own since this
    process last looked, and this docgen's writes would not be that docgen's. Raises ``InputError``
    when the database is of a later docgen (``database-newer/worker``), ``sqlite3.Error`` as it does."""
    from docgen.service.store import ensure_schema, refuse_newer_for_worker

    refuse_newer_for_worker(settings.db_path)
    if settings.db_path not in _SCHEMA_READY:
        ensure_schema(settings.db_path, settings.job_lease, settings.start_wait)
        _SCHEMA_READY.add(settings.db_path)


def _not_run(job_id: str, exc: InputError) -> None:
    """Say in the log, in one line, why this worker leaves job ``job_id`` alone (its database is
    of a later docgen)."""
    log.error("job %s not run by this worker: %s", job_id, exc)


#: This worker process's ends of jobs the database refused for the whole wait, per database: held
#: and recorded as soon as it takes writes again (``JobEnds``), as the service does for its own.
_ENDS: dict[Path, Any] = {}


def _hand_on(app: Celery, settings: Settings, end: Any) -> None:
    """Hold ``end`` (a ``JobEnd``, or None: nothing to hold) until its database takes it; a job whose
    start it refused gets its start message again then (sent on ``app``)."""
    from docgen.service.jobs import JobEnds, JobStore

    def again(job_id: str, refused: int, attempt: str | None) -> None:
        app.signature("docgen.job", **_start_message(settings, job_id, refused, attempt)).apply_async()

    if end is not None:
        _ENDS.setdefault(settings.db_path, JobEnds(JobStore(settings.db_path), again=again)).add(end)


def _dropped(job_id: str, message: str, run: str | None, job: dict[str, Any] | None) -> None:
    """Say in the log, in one line, that a ``message`` of job ``job_id`` sent for its run ``run`` (None:
    a start message, or one of a docgen before runs were kept) changes nothing: the job (``job``, its
    row or None) is in another run now, or gone."""
    now = "gone" if job is None else f"{job['state']} in " + (f"run {job['run']}" if job["run"] else "no run")
    log.warning("job %s: a %s message of its run %s dropped: the job is %s now", job_id, message, run or "(none)",
                now)


def _job_task(task: Any, data_dir: str, job_id: str, register: str, refused: int = 0,
              attempt: str | None = None) -> None:
    """Start a queued job (a message sent while it was queued: of no run) and run it; a batch is
    handed on to its split (``docgen.split``, in its run), which checks and splits it. A job already
    in a run is left alone (the message is logged dropped: it was delivered again, or sent twice),
    but for a batch this message started that no split took yet: its worker died in between, and
    the split of its run is sent again; and for a letters or NPL job this message started whose
    runner is gone (``jobs.runner_gone``): it is run again in a new run.
    ``refused``: the starts of the job the database refused in a row before this message, in its
    queueing ``attempt`` (a count of an earlier queueing starts over: ``work.run_job``)."""
    from docgen.service.jobs import JobStore, runner_gone
    from docgen.service.work import _run_job, run_job

    settings = _settings(data_dir, register)
    store = JobStore(settings.db_path)

    def begin() -> dict[str, Any] | None:
        _schema_ready(settings)
        job = store.get(job_id)
        if job is not None and job["state"] == "queued":
            # None: another start took it meanwhile
            return store.start(job_id, settings.job_lease, carried_by=task.request.id)
        if job is not None and job["state"] == "running" and job["kind"] != "batch" and job["run"] is not None \
                and job.get("carried_by") == task.request.id and runner_gone(job):
            # Its worker died (delivered again at once; its machine: once the lease ran out): a
            # letters or NPL job runs again from its start, in a new run (nothing issued twice).
            log.warning("job %s: its start message delivered again after its runner %s was gone: run again in a "
                        "new run (its run %s is over)", job_id, job["runner"] or "?", job["run"])
            return store.restart(job_id, job["run"], task.request.id, settings.job_lease)
        if job is not None and job["state"] == "running" and job["kind"] == "batch":
            if job["run"] is None:
                # Started before runs were kept, its message delivered again (its worker died): carry on.
                return job
            if job.get("carried_by") == task.request.id:
                log.warning("job %s: its start message delivered again before a split took the batch (its worker "
                            "died): the split of its run %s sent again", job_id, job["run"])
                return job
        _dropped(job_id, "start", None, job)
        return None

    def handler(job: dict[str, Any]) -> dict[str, Any] | None:
        if job["kind"] == "batch":  # the rows are read by a message of its run, which may be delivered again
            task.app.signature("docgen.split", args=(data_dir, job_id, register, job["run"]),
                               kwargs={"start": task.request.id}).apply_async()
            return None
        return _run_job(settings, job, store)

    try:
        _hand_on(task.app, settings, run_job(settings, store, job_id, begin, handler,
                                             hand_on=handed_on_lease(settings), refused=refused,
                                             attempt=attempt))
    except InputError as exc:  # from ``begin``: the handler's own end the job
        _not_run(job_id, exc)


def _split_task(task: Any, data_dir: str, job_id: str, register: str, run: str | None,
                start: str | None = None) -> None:
    """Check the rows of the batch job ``job_id`` started in the run ``run`` and run it, or split it
    into a chord of chunks and an assembly (``_split``), while the job runs in that run: delivered
    again after its worker died, it carries on; once the job is in another run (put back in the
    queue and started again), it is dropped with one line and its run's folder deleted. ``start``:
    the start message that sent it (None: one of a docgen before it was said), from which it takes
    the batch (``jobs.JobStore.take_split``): a second split message of the run (its start message
    delivered again sent one more) finds the batch taken and is dropped with one line."""
    from docgen.service.jobs import JobStore
    from docgen.service.work import run_job

    settings = _settings(data_dir, register)
    store = JobStore(settings.db_path)

    def begin() -> dict[str, Any] | None:
        job = _running_in(settings, store, job_id, run, "split")
        if job is not None and run is not None and start is not None \
                and not store.take_split(job_id, run, start, task.request.id):
            log.warning("job %s: a split message of its run %s dropped: another split message of that run took "
                        "the batch", job_id, run)
            return None
        return job

    try:
        _hand_on(task.app, settings, run_job(settings, store, job_id, begin,
                                             lambda job: _split(task.app, settings, job, store),
                                             hand_on=handed_on_lease(settings), run=run))
    except InputError as exc:  # from ``begin``: the handler's own end the job
        _not_run(job_id, exc)


def _running_in(settings: Settings, store: Any, job_id: str, run: str | None, message: str) -> dict[str, Any] | None:
    """Return job ``job_id`` when it runs in the run ``run`` of a ``message`` (a split, an assembly),
    else None: a job ended in that run meanwhile (failed, marked lost) has nothing to carry on; one
    in another run, or gone, drops the message (``_dropped``) and what that run made (its folder:
    what its chunks or an earlier split left is no result)."""
    from docgen.service.jobs import discard_stale_run

    _schema_ready(settings)
    job = store.get(job_id)
    if job is not None and job["state"] == "running" and job["run"] == run:
        return job
    if job is None or job["run"] != run:
        _dropped(job_id, message, run, job)
        discard_stale_run(store, job_id, run)
    return None


def _split(app: Celery, settings: Settings, job: dict[str, Any], store: Any) -> dict[str, Any] | None:
    """Check every row first (nothing runs with a bad row); then run one batch, or queue the chunks."""
    from docgen.core.errors import RowsError
    from docgen.documents.batch import MAX_BAD_ROWS, check_rows, read_rows, resolve_template
    from docgen.service.work import HANDLERS, same_inputs

    p = job["params"]
    same_inputs("batch", p)
    template = resolve_template(p["template"])
    table = read_rows(template, p["rows"], defaults=p.get("defaults") or {})
    problems, stopped = check_rows(table, template)
    rows_name = p.get("rows_name") or p["rows"]
    if stopped is not None:
        raise SERVICE.error(RowsError, "rows-rejected/stopped", problems, rows=rows_name, row=stopped,
                            count=MAX_BAD_ROWS)
    if problems:
        raise SERVICE.error(RowsError, "rows-rejected", problems, rows=rows_name, count=len(problems))
    size = chunk_rows()
    if len(table.rows) <= size:
        return HANDLERS["batch"](settings, job, store)
    ranges = [(start, min(start + size, len(table.rows))) for start in range(0, len(table.rows), size)]
    for index, (start, stop) in enumerate(ranges):
        _spool_rows(table.rows[start:stop], _chunk_rows_path(job, index))
    store.progress(job["id"], 0, len(table.rows), run=job["run"])
    args = (str(settings.data_dir), job["id"], settings.register)
    header = [app.signature("docgen.chunk", args=(*args, index, job["run"])) for index in range(len(ranges))]
    chord(header)(app.signature("docgen.assemble", args=(*args, job["run"])))
    return None


def _chunk_dir(job: dict[str, Any], index: int) -> Path:
    from docgen.service.jobs import run_folder

    return run_folder(job) / "chunks" / f"{index:05d}"


def _chunk_rows_path(job: dict[str, Any], index: int) -> Path:
    return _chunk_dir(job, index).with_suffix(".rows.json")


def _chunk_print_path(job: dict[str, Any], index: int) -> Path:
    """The chunk's print PDF (its letters in serial order), beside its folder: the job's print
    file is merged from these, not from the letters' own PDFs (each embedding its fonts)."""
    return _chunk_dir(job, index).with_name(f"{index:05d}-print.pdf")


def _spool_rows(rows: Sequence[Row], path: Path) -> None:
    """Write the checked ``rows`` of one chunk where its task reads them (atomically), so a
    chunk reads its own rows, not the whole sheet again."""
    from docgen.core.atomic import atomic_output
    from docgen.core.cache import encode_value

    path.parent.mkdir(parents=True, exist_ok=True)
    data = [[row.number, encode_value(row.values), row.columns] for row in rows]
    with atomic_output(path) as fh:
        fh.write(json.dumps(data, ensure_ascii=False).encode("utf-8"))


def _spooled_rows(path: Path) -> list[Row]:
    """The rows ``_spool_rows`` wrote to ``path``. Raises ``OSError``/``ValueError`` when unreadable."""
    from docgen.core.cache import decode_value

    with path.open(encoding="utf-8") as fh:
        return [Row(number, decode_value(values), columns) for number, values, columns in json.load(fh)]


def _chunk_task(task: Any, data_dir: str, job_id: str, register: str, index: int,
                run: str | None = None) -> dict[str, Any]:
    """Generate chunk ``index`` of the job's batch (its rows spooled for it by the split) into
    their own folder, with the chunk's print PDF when the job makes PDFs; return what was written.
    ``run``: the run of the split (None: a split of a docgen before runs were kept); a job no
    longer running in it is left alone.

    Returns ``{"written", "skipped", "in_progress", "print", "documents": [{"row_key", "serial", "seq", "file",
    "pdf"}], "error", "error_en"}``;
    a domain error is returned (the assembly fails the job with it), not raised, so the chord ends.
    """
    from docgen.core.errors import DocgenError
    from docgen.documents.batch import generate, resolve_template
    from docgen.documents.register import Register
    from docgen.service.jobs import JobStore, Lease
    from docgen.service.work import failure

    settings = _settings(data_dir, register)
    store = JobStore(settings.db_path)
    shown: dict[str, str] = {}
    try:
        _schema_ready(settings)
        job = store.get(job_id)
        if job is None or job["state"] != "running" or job["run"] != run:
            if job is None or job["run"] != run:
                _dropped(job_id, "chunk", run, job)
            return {"written": 0, "skipped": 0, "documents": [], "error": SERVICE.text("job-not-running")}
        p = job["params"]
        shown = p.get("shown") or {}
        template = resolve_template(p["template"])
        rows = _spooled_rows(_chunk_rows_path(job, index))
        # This worker vouches for the job while the chunk runs, for as long as a chunk handed on:
        # should it die, the broker delivers the chunk again after the visibility timeout, and
        # the worker taking it renews the lease; then the next chunk may wait on the queue.
        handed_on = handed_on_lease(settings)
        with Lease(store, job_id, run, handed_on) as lease, Register(settings.register_path, waiter=False) as reg:
            lease.hand_on(handed_on)
            result = generate(template, rows, _chunk_dir(job, index), register=reg, pdf=p["pdf"],
                              merge_pdf=_chunk_print_path(job, index) if p["pdf"] else None)
        done = sum(1 for _ in _chunk_dir(job, index).parent.glob("*/manifest.json"))
        store.progress(job_id, min(done * chunk_rows(), job.get("total") or 0), job.get("total") or 0, run=run)
    except DocgenError as exc:  # in English too, for the job's page read in English (``_JobFailure``)
        return {"written": 0, "skipped": 0, "documents": [], "error": failure(exc, shown)["error"],
                "error_en": failure(exc, shown, "en")["error"]}
    except Exception as exc:
        # The data folder or the database refusing a write ends the chunk with the storage's line
        # (the assembly fails the job with it); raised, it would end the chord with no assembly.
        problem = storage_problem(exc, folder=settings.data_dir, database=settings.db_path)
        if problem is None:
            raise
        return {"written": 0, "skipped": 0, "documents": [], "error": problem.message}
    return {"written": len(result.written), "skipped": len(result.skipped),
            "in_progress": list(result.in_progress),
            "print": str(result.merged) if result.merged else None,
            "documents": [{"row_key": d.row_key, "serial": d.serial, "seq": d.seq, "file": str(d.file),
                           "pdf": str(d.pdf) if d.pdf else None} for d in result.documents]}


def _assemble_task(task: Any, results: list[dict[str, Any]], data_dir: str, job_id: str, register: str,
                   run: str | None = None) -> None:
    """After the last chunk: the merged print PDF in serial order, the .zip, the job's result, if
    the job still runs in the run ``run`` of its split (None: a split before runs were kept)."""
    from docgen.service.jobs import JobStore, run_folder
    from docgen.service.work import _JobFailure, run_job

    settings = _settings(data_dir, register)
    store = JobStore(settings.db_path)

    def begin() -> dict[str, Any] | None:
        return _running_in(settings, store, job_id, run, "assembly")

    def assemble(job: dict[str, Any]) -> dict[str, Any]:
        from docgen.documents.pdf import merge_pdfs
        from docgen.service.work import _zip

        failed = [r for r in results if r.get("error")]
        if failed:
            raise _JobFailure(failed[0]["error"], failed[0].get("error_en", ""))
        held = [key for r in results for key in r.get("in_progress", [])]
        if held:
            raise _JobFailure.of("rows-held", {"count": len(held), "first": held[0]})
        p = job["params"]
        documents = sorted((d for r in results for d in r["documents"]), key=lambda d: d["seq"])
        out = run_folder(job)
        members = [(Path(d["file"]), f"letters/{Path(d['file']).name}") for d in documents]
        members += [(Path(d["pdf"]), f"letters/{Path(d['pdf']).name}") for d in documents if d["pdf"]]
        extras: list[Path] = []
        if p["pdf"]:
            merged = out / f"{p['template']}-打印.pdf"
            merge_pdfs(_print_parts(results, documents), merged)
            extras.append(merged)
        members += [(x, x.name) for x in extras]
        members += [(m, f"manifests/{m.parent.name}-{m.name}") for m in sorted(out.glob("chunks/*/manifest.*"))]
        bundle = out / f"{p['template']}-{job_id}.zip"
        _zip(bundle, members)
        store.add_file(job, bundle)
        for extra in extras:
            store.add_file(job, extra)
        serials = [d["serial"] for d in documents]
        store.progress(job_id, len(documents), len(documents), run=run)
        return {"template": p["template"], "written": sum(r["written"] for r in results),
                "skipped": sum(r["skipped"] for r in results), "serials": serials, "pdf": bool(p["pdf"]),
                "chunks": len(results),
                "audit": {"action": "generate", "target": p["template"], "sha256": p["rows_sha256"],
                          "serials": serials}}

    try:
        _hand_on(task.app, settings, run_job(settings, store, job_id, begin, assemble, run=run))
    except InputError as exc:  # from ``begin``: the assembly's own end the job
        _not_run(job_id, exc)


def _print_parts(results: list[dict[str, Any]], documents: list[dict[str, Any]]) -> list[str]:
    """The PDFs whose concatenation is the job's print file, its letters in serial order.

    Each chunk's print PDF holds its letters in serial order, and a chunk's serials are one
    range (reserved in one transaction), so the chunks' PDFs ordered by their first serial
    are the whole run in order. Letters that kept serials of an earlier batch can make the
    chunks' ranges interleave: the print file is then merged from the letters' own PDFs.
    """
    chunks = sorted((r for r in results if r["documents"]), key=lambda r: min(d["seq"] for d in r["documents"]))
    if all(r.get("print") for r in chunks) and \
            [d["seq"] for r in chunks for d in sorted(r["documents"], key=lambda d: d["seq"])] == \
            [d["seq"] for d in documents]:
        return [r["print"] for r in chunks]
    return [d["pdf"] for d in documents]


def run_worker(broker: str, concurrency: int, data_dir: Path | None = None) -> None:
    """Run a Celery worker on ``broker`` with ``concurrency`` processes until stopped. Raises
    ``InputError`` before taking any job when ``$DOCGEN_RECORD_WAIT``, ``$DOCGEN_JOB_LEASE``,
    ``$DOCGEN_QUEUE_VISIBILITY`` or ``$DOCGEN_START_WAIT`` (which its migration of an earlier
    database gives the jobs left queued) is not a number of seconds (each job would fail to start
    on it), or when the service database of ``data_dir`` (the service's data folder, when given) is
    of a later docgen (``store.refuse_newer_for_worker``: this worker would leave each of its jobs)."""
    from docgen.service.store import refuse_newer_for_worker

    record_wait_seconds()
    job_lease_seconds()
    queue_visibility_seconds()
    start_wait_seconds()
    if data_dir is not None:
        refuse_newer_for_worker(Settings(Path(data_dir)).db_path)
    app = make_app(broker)
    app.worker_main(["worker", "--loglevel=INFO", f"--concurrency={concurrency}", "--pool=prefork", "-Q", QUEUE,
                     "--without-gossip", "--without-mingle", "-n", f"docgen-{os.getpid()}@%h"])
