"""What each user task does, once, for both the JSON API and the pages.

Every action takes the request, the caller and the parsed form, stores uploads under random
names, runs the library in a worker process, records the audit entry and returns plain
data; input problems are raised as ``ApiError`` (400 unreadable, 422 bad data).
"""
from __future__ import annotations

import base64
import json
import hashlib
from pathlib import Path
from typing import Any

from fastapi import Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from docgen.core.errors import DocgenError, InputError
from docgen.core.tabular import TABLE_SUFFIXES
from docgen.service import audit, folders, history, work
from docgen.service.auth import Principal
from docgen.service.files import Stored, new_result_dir, register_file
from docgen.service.i18n import translator
from docgen.service.messages import MESSAGES as SERVICE
from docgen.service.web import ApiError, failure_error, form_text, parse_iso, raise_failure, save_upload, service

#: What the command line reads a ledger or a sheet of rows from (.xls exports of core systems too).
LEDGER_SUFFIXES = TABLE_SUFFIXES
YAML_SUFFIXES = (".yaml", ".yml")
#: The loan actions' uploads, as ``_uploads`` takes them: form field, extensions, required.
LEDGER = ("ledger", LEDGER_SUFFIXES, True)
#: The collection policy (optional), read by the worker with ``load_policy`` as ``--policy FILE.yaml`` is.
POLICY = ("policy", YAML_SUFFIXES, False)


def _audit(request: Request, who: Principal, action: str, **kw: Any) -> None:
    audit.record(service(request).settings.db_path, who.name, who.role, action, **kw)


def known_template(name: str) -> Any:
    """Return the shipped template ``name``; 404 when there is none."""
    from docgen.documents.template import load_template

    if not name.replace("-", "").isalnum():
        raise ApiError(404, SERVICE.text("no-template", {"name": name}))
    try:
        return load_template(name)
    except DocgenError:
        raise ApiError(404, SERVICE.text("no-template-listed", {"name": name})) from None


# ----------------------------------------------------------------------------------- check

async def check(request: Request, who: Principal, form: FormData, lang: str = "zh") -> dict[str, Any]:
    """Check the uploaded bundle zip; keep it in the client's history.

    Returns ``{"id", "report", "files"}``: the check's id, the §5 report and the download file ids.
    The report, its files and why the bundle could not be checked (an ``ApiError`` of ``work.failure``)
    are in ``lang``; its findings are kept in both languages too (``history.in_language``).
    """
    svc = service(request)
    as_of = parse_iso(form_text(form, "as_of"), "as_of")
    stage = form_text(form, "stage")
    stored = await save_upload(request, form, "bundle", suffixes=(".zip",))
    assert stored is not None
    try:
        result = await svc.compute(work.check_task, str(stored.path), stored.display_name, as_of.isoformat(),
                                   stage, lang)
    finally:
        stored.path.unlink(missing_ok=True)  # the report is what is kept, not the client's files
    return _keep_check(request, who, result, stored.display_name, stored.sha256, "upload")


async def check_folder(request: Request, who: Principal, form: FormData, lang: str = "zh") -> dict[str, Any]:
    """Check, in place and read only, the client folder ``folder`` (relative to the bundle root).

    Returns what ``check`` returns; the folder's relative path stands where an upload's name
    would (in the report, the history and the audit log). Raises ``ApiError``: 404 without a
    bundle root or for a folder that is not there, 400 for a path that is refused.
    """
    svc = service(request)
    as_of = parse_iso(form_text(form, "as_of"), "as_of")
    stage = form_text(form, "stage")
    raw = form.get("folder")
    real, shown = await run_in_threadpool(folders.bundle_folder, svc.settings.bundle_root,
                                          raw if isinstance(raw, str) else None)
    result = await svc.compute(work.check_task, str(real), shown, as_of.isoformat(), stage, lang)
    sha256 = folders.content_sha256(result["report"]) if "report" in result else None
    return _keep_check(request, who, result, shown, sha256, "folder")


def _keep_check(request: Request, who: Principal, result: dict[str, Any], shown: str, sha256: str | None,
                source: str) -> dict[str, Any]:
    """Keep a finished check (its downloads and the client's history) and audit it; raise its failure."""
    svc = service(request)
    if "failure" in result:
        _audit(request, who, "check", target=shown, sha256=sha256,
               detail={"error": result["failure"]["error"], "source": source})
        raise_failure(result["failure"])
    from docgen.core.atomic import write_bytes_atomic

    out = new_result_dir(svc.settings.files_dir)
    stem = Path(shown).stem or "bundle"
    reports: dict[str, dict[str, str]] = {}
    try:
        for each, made in result["outputs"].items():
            name = translator(each)("report_file").format(stem=stem)
            for fmt, suffix, data in (("docx", ".docx", base64.b64decode(made["docx"])),
                                      ("markdown", ".md", made["markdown"].encode()),
                                      ("json", ".json", made["json"].encode())):
                path = out / f"report-{each}.{fmt}"
                write_bytes_atomic(path, data)  # a full disk leaves no half report under its name
                reports.setdefault(each, {})[fmt] = register_file(svc.settings.db_path, who.name, path, name + suffix)
        files = reports[result["lang"]]
        check_id = history.save(svc.settings.db_path, who.name, result["client"], shown, sha256 or "",
                                {"report": result["report"], "files": {**files, "reports": reports,
                                                                        "stage_titles": result["stage_titles"],
                                                                        "messages": result["messages"]}})
    except BaseException:
        work.remove_tree(str(out))  # the storage failed half-way (503): no result is kept
        raise
    _audit(request, who, "check", target=shown, sha256=sha256,
           detail={"check": check_id, "client": result["client"], "complete": result["complete"], "source": source})
    return {"id": check_id, "report": result["report"], "files": files}


async def draft(request: Request, who: Principal, form: FormData, lang: str = "zh") -> dict[str, Any]:
    """Draft the annexes of the uploaded bundle (all the check reports missing, or ``annex`` 1-11).

    Returns the DESIGN §10 JSON; each drafted file's ``path`` is its ``/api/files/…`` address.
    Why the bundle cannot be drafted from is worded in ``lang`` where it has English (``work.failure``).
    """
    svc = service(request)
    numbers: list[int] = []
    for value in form.getlist("annex"):
        text = str(value).strip()
        if not text.isdigit() or not 1 <= int(text) <= 11:
            raise ApiError(400, SERVICE.text("annex-invalid", {"text": text}))
        numbers.append(int(text))
    as_of = parse_iso(form_text(form, "as_of"), "as_of")
    pdf = form_text(form, "pdf") is not None and svc.pdf
    stored = await save_upload(request, form, "bundle", suffixes=(".zip",))
    assert stored is not None
    out = _result_dir(request, stored)
    try:
        result = await svc.compute(work.draft_task, str(stored.path), stored.display_name, numbers, str(out),
                                   str(svc.settings.register_path), pdf, as_of.isoformat(), lang)
    finally:
        stored.path.unlink(missing_ok=True)
    if "failure" in result:
        work.remove_tree(str(out))
        raise_failure(result["failure"])
    serials = []
    for entry in result["annexes"]:
        for key in ("path", "pdf"):
            if entry.get(key):
                local = Path(entry[key])
                entry[key] = f"/api/files/{register_file(svc.settings.db_path, who.name, local)}"
                entry[f"{key}_name"] = local.name
        if entry.get("serial"):
            serials.append(entry["serial"])
    _audit(request, who, "draft", target=stored.display_name, sha256=stored.sha256, serials=serials,
           detail={"annexes": [a["annex"] for a in result["annexes"]], "complete": result["complete"]})
    return result


# ------------------------------------------------------------------------------- documents

async def render_one(request: Request, who: Principal, template: str, data: Any, pdf: bool,
                     lang: str = "zh") -> dict[str, Any]:
    """Fill ``template`` with ``data`` (a mapping); return ``{"docx", "pdf", "serial", ids}``. Why it
    cannot be filled (the error and each field's problem) is worded in ``lang`` (a page's)."""
    svc = service(request)
    known_template(template)
    if not isinstance(data, dict):
        raise ApiError(400, SERVICE.text("body-not-object"))
    if pdf and not svc.pdf:
        raise ApiError(503, SERVICE.text("pdf-unavailable"))
    digest = hashlib.sha256(json.dumps(data, ensure_ascii=False, sort_keys=True, default=str).encode()).hexdigest()
    out = new_result_dir(svc.settings.files_dir)
    result = await svc.compute(work.render_task, template, data, str(svc.settings.register_path), str(out), pdf,
                               lang)
    if "failure" in result:
        work.remove_tree(str(out))
        raise_failure(result["failure"])
    ids = {"docx": register_file(svc.settings.db_path, who.name, Path(result["docx"]))}
    if result["pdf"]:
        ids["pdf"] = register_file(svc.settings.db_path, who.name, Path(result["pdf"]))
    _audit(request, who, "render", target=template, sha256=digest, serials=[result["serial"]],
           detail={"document_sha256": result["sha256"]})
    return {**result, "files": ids}


async def start_batch(request: Request, who: Principal, template: str, form: FormData,
                      lang: str = "zh") -> dict[str, Any]:
    """Check every row of the uploaded sheet; start the batch job when all are valid.

    Returns ``{"job": id}``; raises 400 for a sheet that cannot be read and 422 listing every row
    error (row, column, message), the upload deleted and the refusal audited, nothing queued; the
    refusal worded in ``lang`` (a page's).
    """
    svc = service(request)
    known_template(template)
    stored = await save_upload(request, form, "rows", suffixes=LEDGER_SUFFIXES)
    assert stored is not None
    params = {"template": template, "rows": str(stored.path), "rows_name": stored.display_name,
              "rows_sha256": stored.sha256, "pdf": svc.pdf, "shown": {str(stored.path): stored.display_name}}
    await _job_input(request, who, "batch", params, stored, lang=lang)
    return _start_job(request, who, "batch", params, stored)


def _job_target(kind: str, params: dict[str, Any]) -> str:
    """Return what a job's audit entries name: its template, its period, or its kind."""
    return params.get("template") or params.get("period") or kind


def _job_sha256(kind: str, params: dict[str, Any]) -> str | None:
    """Return the SHA-256 of a job's main input (the rows, the ledger), which its audit entries name:
    the input ``work.JOB_INPUTS`` lists first, whose SHA-256 every kind records."""
    field = next(iter(work.JOB_INPUTS[kind].values()))
    assert field is not None
    return params.get(field)


async def _job_input(request: Request, who: Principal, kind: str, params: dict[str, Any], *stored: Stored | None,
                     action: str | None = None, detail: dict[str, Any] | None = None,
                     lang: str = "zh") -> dict[str, Any]:
    """Check the input of a job of ``kind`` with ``params`` as its handler will read it
    (``work.job_check_task``, in the compute pool), before the job is queued; return the check's result.

    A refused input raises 400 (unreadable, gone, changed) or 422 (bad data: every row error), the
    uploads ``stored`` deleted and the refusal audited (``_Refusal``) as ``action`` (default
    ``job-<kind>``) refused, with ``detail``; the refusal is worded in ``lang``.
    """
    refusal = _Refusal(request, who, action or f"job-{kind}", _job_target(kind, params), _job_sha256(kind, params),
                       stored, detail or {})
    checked = await refusal.checked(work.job_check_task, kind, params, lang)
    if checked.get("problems"):
        from docgen.documents.batch import MAX_BAD_ROWS

        name = params["rows_name"]
        if checked["stopped"] is not None:
            message = SERVICE.text("upload-rows-rejected/stopped", {"name": name, "row": checked["stopped"],
                                                                    "count": MAX_BAD_ROWS}, lang)
        else:
            message = SERVICE.text("upload-rows-rejected", {"name": name, "count": len(checked["problems"])}, lang)
        refusal.refuse(ApiError(422, message, checked["problems"]))
    return checked


class _Refusal:
    """How a request refuses its input: its uploads ``stored`` deleted, then an ``<action>-refused``
    entry in the audit log (as ``login-failed`` beside ``login``: the entries of ``action`` stay
    those of work done) on ``target``, with the input's ``sha256`` and ``detail`` plus the
    message and status."""

    def __init__(self, request: Request, who: Principal, action: str, target: str, sha256: str | None,
                 stored: tuple[Stored | None, ...], detail: dict[str, Any] | None = None) -> None:
        self.request, self.who, self.action, self.target, self.sha256 = request, who, action, target, sha256
        self.stored, self.detail = stored, detail or {}

    async def checked(self, fn: Any, *args: Any) -> dict[str, Any]:
        """Run the check ``fn(*args)`` in the compute pool (a worker process) and return its result;
        refuse its failure (``failure_error``: 400 unreadable, 422 bad data). The uploads are deleted
        too when the check itself breaks."""
        try:
            result = await service(self.request).compute(fn, *args)
        except BaseException:
            _discard(*self.stored)
            raise
        if "failure" in result:
            self.refuse(failure_error(result["failure"]))
        return result

    def refuse(self, error: ApiError) -> None:
        """Delete the uploads, audit the refusal and raise ``error``."""
        _discard(*self.stored)
        _audit(self.request, self.who, f"{self.action}-refused", target=self.target, sha256=self.sha256,
               detail={**self.detail, "error": error.message, "status": error.status_code})
        raise error


def _start_job(request: Request, who: Principal, kind: str, params: dict[str, Any], *stored: Stored | None) -> dict[str, Any]:
    """Queue a job of ``kind`` (its input checked) and audit it; return ``{"job": id}``. Raises 429
    past the jobs a user may have queued or running, the uploads ``stored`` deleted."""
    svc = service(request)
    if svc.jobs.active_count(who.name) >= svc.settings.max_active_jobs:
        _discard(*stored)
        raise ApiError(429, SERVICE.text("too-many-jobs", {"count": svc.settings.max_active_jobs}))
    out = _result_dir(request, *stored)
    params = {**params, "out": str(out), "role": who.role}
    try:
        job_id = svc.jobs.create(kind, who.name, params, svc.start_wait)
    except BaseException:  # the database refused the job (503): nothing of it is kept
        _discard(*stored)
        work.remove_tree(str(out))
        raise
    svc.submit(job_id)
    _audit(request, who, f"job-{kind}", target=_job_target(kind, params), sha256=_job_sha256(kind, params),
           detail={"job": job_id})
    return {"job": job_id}


def job_view(request: Request, job: dict[str, Any]) -> dict[str, Any]:
    """Return a job as the API shows it (DESIGN §11)."""
    from docgen.service.files import files_of_job

    result = job.get("result") or {}
    return {"id": job["id"], "kind": job["kind"], "owner": job["owner"], "state": job["state"],
            "progress": {"done": job["done"], "total": job["total"]},
            "files": files_of_job(service(request).settings.db_path, job["id"]) if job["state"] == "done" else [],
            "error": job["error"], "result": result, "created": job["created"], "finished": job["finished"]}


# ----------------------------------------------------------------------------------- loans

def _result_dir(request: Request, *stored: Stored | None) -> Path:
    """Return a new folder under files/ for a request's or job's results. When files/ refuses it
    (the storage failing: 503), the uploads ``stored`` are deleted and the error propagates."""
    try:
        return new_result_dir(service(request).settings.files_dir)
    except BaseException:
        _discard(*stored)
        raise


def _discard(*stored: Stored | None) -> None:
    """Delete uploads a failed request no longer needs."""
    for item in stored:
        if item is not None:
            item.path.unlink(missing_ok=True)


async def _uploads(request: Request, form: FormData,
                   *fields: tuple[str, tuple[str, ...], bool]) -> dict[str, Stored | None]:
    """Store the uploads ``fields`` (form field, extensions, required) in order; return them by field,
    None for an optional one not sent. Raises the ``ApiError`` of the first refused (400, 413),
    the uploads stored before it deleted."""
    stored: dict[str, Stored | None] = {}
    try:
        for field, suffixes, required in fields:
            stored[field] = await save_upload(request, form, field, required=required, suffixes=suffixes)
    except ApiError:
        _discard(*stored.values())
        raise
    return stored


def _shown(*stored: Stored | None) -> dict[str, str]:
    """Return stored path -> what the user called the file, for the worker to word its messages with."""
    return {str(item.path): item.display_name for item in stored if item is not None}


async def npl(request: Request, who: Principal, form: FormData, *, docx: bool, chart: bool = False,
              lang: str = "zh") -> dict[str, Any]:
    """Compute the NPL figures from the uploaded ledgers; with ``docx``, start the job writing the report.

    Returns the figures (and the chart, base64, with ``chart``); with ``docx`` also ``"job"``, the
    id of the job that makes the .docx (the ledgers are kept for it). Bad input is refused here,
    before any job starts (400 unreadable, 422 bad data), worded in ``lang`` as the chart is (a
    page's language; the API's answers are Chinese).
    """
    from docgen.loans.npl import parse_period

    period = form_text(form, "period")
    if period is None:
        raise ApiError(400, SERVICE.text("period-missing", None, lang))
    try:
        parse_period(period)
    except ValueError as exc:
        reason = work.worded(exc, lang) if isinstance(exc, DocgenError) else exc
        raise ApiError(400, SERVICE.text("period-invalid", {"reason": reason}, lang)) from None
    stored = await _uploads(request, form, LEDGER, ("opening", LEDGER_SUFFIXES, False),
                            ("targets", YAML_SUFFIXES, False), ("notes", YAML_SUFFIXES, False), POLICY)
    ledger, opening, policy = stored["ledger"], stored["opening"], stored["policy"]
    assert ledger is not None
    uploads = [u for u in stored.values() if u is not None]
    shown = _shown(*uploads)
    paths = {field: str(u.path) if u else None for field, u in stored.items()}
    refusal = _Refusal(request, who, "report", f"npl-report {period}", ledger.sha256, tuple(uploads))
    result = await refusal.checked(work.npl_task, paths["ledger"], paths["opening"], paths["targets"], paths["notes"],
                                   period, shown, chart, None, docx, paths["policy"], lang)
    if not docx:
        _discard(*uploads)
    policy_sha256 = policy.sha256 if policy else None
    _audit(request, who, "report", target=f"npl-report {period}", sha256=ledger.sha256,
           detail={"docx": bool(docx), "opening": opening.sha256 if opening else None, "policy": policy_sha256})
    if docx:
        started = _start_job(request, who, "npl-report", {
            **paths, "period": period, "shown": shown, "ledger_sha256": ledger.sha256,
            "policy_sha256": policy_sha256, "uploads": [str(u.path) for u in uploads]}, *uploads)
        result["job"] = started["job"]
    return result


async def plan(request: Request, who: Principal, form: FormData, *, xlsx: bool, keep: bool = False,
               lang: str = "zh") -> dict[str, Any]:
    """Build the collection plan from the uploaded ledger; ``keep`` keeps the ledger for letters. Why
    it cannot be built is worded in ``lang`` (a page's; the API's answers are Chinese)."""
    svc = service(request)
    as_of = parse_iso(form_text(form, "as_of"), "as_of", lang=lang)
    stored = await _uploads(request, form, LEDGER, POLICY)
    ledger, policy = stored["ledger"], stored["policy"]
    assert ledger is not None
    out = _result_dir(request, ledger, policy) if xlsx else None
    target = str(out / f"催收计划-{as_of.isoformat()}.xlsx") if out else None
    try:
        result = await _Refusal(request, who, "plan", ledger.display_name, ledger.sha256, (ledger, policy)).checked(
            work.plan_task, str(ledger.path), _shown(ledger, policy), as_of.isoformat(),
            str(policy.path) if policy else None, str(svc.settings.register_path), target, lang)
    except BaseException:
        if out is not None:
            work.remove_tree(str(out))
        raise
    if not keep:
        _discard(ledger, policy)
    if target:
        result["file"] = register_file(svc.settings.db_path, who.name, Path(target))
    if keep:
        result["ledger"] = register_file(svc.settings.db_path, who.name, ledger.path, ledger.display_name)
        result["ledger_sha256"] = ledger.sha256
        result["policy"] = register_file(svc.settings.db_path, who.name, policy.path, policy.display_name) if policy else None
    result["as_of"] = as_of.isoformat()
    _audit(request, who, "plan", target=ledger.display_name, sha256=ledger.sha256,
           detail={"as_of": as_of.isoformat(), "policy": policy.sha256 if policy else None})
    return result


async def start_letters(request: Request, who: Principal, ledger: Stored, as_of: str, policy: Stored | None, *,
                        uploaded: bool, lang: str = "zh") -> dict[str, Any]:
    """Start the job issuing the demand letters due on ``as_of`` from a stored ledger (and policy).

    The ledger is read first as the job will read it (with the policy's vocabulary): a policy or
    ledger the job could not use is refused here, before any job starts, with the plan's 400
    (unreadable, a wrong header, a policy that cannot be used) or 422 (rows with errors) and an
    audit entry. The files are deleted with the refusal (and with a 429, past the jobs allowed)
    when they were ``uploaded`` by this request; the plan page's kept files stay until their
    retention ends. Returns ``{"job": id}``; a refusal is worded in ``lang``.
    """
    svc = service(request)
    params = {"ledger": str(ledger.path), "ledger_sha256": ledger.sha256, "as_of": as_of,
              "policy": str(policy.path) if policy else None, "policy_sha256": policy.sha256 if policy else None,
              "pdf": svc.pdf, "shown": _shown(ledger, policy)}
    owned = (ledger, policy) if uploaded else ()
    await _job_input(request, who, "letters", params, *owned, lang=lang)
    return _start_job(request, who, "letters", params, *owned)


async def letters(request: Request, who: Principal, form: FormData) -> dict[str, Any]:
    """Start the letters job from an uploaded ledger (and policy), as ``start_letters`` does."""
    as_of = parse_iso(form_text(form, "as_of"), "as_of")
    stored = await _uploads(request, form, LEDGER, POLICY)
    ledger, policy = stored["ledger"], stored["policy"]
    assert ledger is not None
    return await start_letters(request, who, ledger, as_of.isoformat(), policy, uploaded=True)


async def rerun(request: Request, who: Principal, job: dict[str, Any]) -> dict[str, Any]:
    """Run the failed or interrupted ``job`` again; return ``{"job": id}``.

    Its stored input is checked first as when it was started (``_job_input``): an input since
    deleted by the retention sweep, changed, or no longer valid is refused with 400/422 and a
    ``job-rerun-refused`` audit entry, and the job stays as it was. Raises 409 for a job in another state.
    """
    svc = service(request)
    wrong_state = ApiError(409, SERVICE.text("rerun-wrong-state", {"job_id": job["id"], "state": job["state"]}))
    if job["state"] not in ("failed", "interrupted"):
        raise wrong_state
    await _job_input(request, who, job["kind"], job["params"], action="job-rerun", detail={"job": job["id"]})
    if not svc.jobs.requeue(job["id"], svc.start_wait):  # another request ran it again meanwhile
        raise wrong_state
    svc.submit(job["id"])
    _audit(request, who, "job-rerun", target=job["kind"], detail={"job": job["id"]})
    return {"job": job["id"]}


# -------------------------------------------------------------------------------- register

def _known_template(register: Any, template: str, path: Any) -> None:
    """Raise ``ApiError`` 400 when ``template`` is neither shipped nor in ``register`` (a misspelt
    name would otherwise be answered with nothing found), as ``docgen register`` exits 2. The
    register is named by its file name only: never the server's folders (a URL without its password)."""
    from docgen.documents.register_report import refuse_unknown_template
    from docgen.documents.register_store import redact

    shown = path.name if isinstance(path, Path) else redact(str(path))
    try:
        refuse_unknown_template(register, template, shown, option="template")
    except InputError as exc:
        raise failure_error(work.failure(exc)) from None


def register_rows(request: Request, template: str | None = None, serial: str | None = None,
                  borrower: str | None = None, date: str | None = None) -> list[dict[str, Any]]:
    """Return register records matching every filter given (borrower: in the row key or file name).

    Raises ``ApiError`` 400 when ``template`` names neither a shipped template nor one the register
    holds (``_known_template``)."""
    from docgen.documents.register import Register

    path = service(request).settings.register_path
    if not path.exists():
        return []
    with Register(path) as register:
        records = [r.to_dict() for r in register.records(template or None)]
        if template and not records:
            _known_template(register, template, path)
    out = []
    for r in records:
        if serial and serial not in (r.get("serial") or ""):
            continue
        if borrower and borrower not in (r.get("row_key") or "") and borrower not in Path(r.get("file") or "").name:
            continue
        if date and not str(r.get("created") or "").startswith(date):
            continue
        r["file"] = Path(r["file"]).name if r.get("file") else None  # never the server's folders
        out.append(r)
    return out


async def verify_register(request: Request, who: Principal, template: str | None) -> dict[str, Any]:
    """Re-hash every issued file; return ``{"checked", "ok", "problems"}`` and audit it.

    Raises ``ApiError`` 400 when ``template`` is neither shipped nor in the register (a misspelt
    name would otherwise be answered "0 checked, ok"), as ``docgen register verify`` exits 2.
    """
    from docgen.documents.register import Register

    path = service(request).settings.register_path

    def run() -> dict[str, Any]:
        if not path.exists():
            return {"checked": 0, "ok": True, "problems": []}
        with Register(path) as register:
            total = len(register.records(template or None))
            if template and not total:
                _known_template(register, template, path)
            failures = register.verify(template or None)
        problems = [{**r.to_dict(), "file": Path(r.file).name if r.file else None, "status": s} for r, s in failures]
        return {"checked": total, "ok": not failures, "problems": problems}

    result = await run_in_threadpool(run)
    _audit(request, who, "verify", target=template or "*", serials=[p["serial"] for p in result["problems"]],
           detail={"checked": result["checked"], "ok": result["ok"]})
    return result
