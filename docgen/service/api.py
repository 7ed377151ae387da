"""The JSON API (DESIGN §11). Every route names its capability; errors are ``{"error", "problems"}``."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, JSONResponse
from starlette.concurrency import run_in_threadpool

from docgen.core.datafile import parse_json
from docgen.service import actions, audit, folders
from docgen.service.access import SEE_ALL, may_rerun, may_see
from docgen.service.files import get_file
from docgen.service.messages import MESSAGES as SERVICE
from docgen.service.web import ApiError, form_text, read_form, require_api, service

router = APIRouter(prefix="/api")


def _download(path: str, name: str) -> FileResponse:
    return FileResponse(path, filename=name)


@router.post("/token")
async def token(request: Request) -> dict[str, str]:
    """Exchange ``username`` and ``password`` (form fields) for a bearer token."""
    form = await read_form(request)
    name, password = form_text(form, "username"), form.get("password")
    svc = service(request)
    user = svc.users.authenticate(name or "", str(password or "")) if name and password else None
    if user is None:
        audit.record(svc.settings.db_path, name or "-", None, "login-failed", detail={"via": "api"})
        raise ApiError(401, SERVICE.text("login-failed"),
                       headers={"WWW-Authenticate": "Bearer"})
    audit.record(svc.settings.db_path, user.name, user.role, "login", detail={"via": "api"})
    return {"access_token": svc.auth.issue_token(user), "token_type": "bearer"}


@router.post("/check")
async def check(request: Request) -> dict[str, Any]:
    """Check an uploaded bundle .zip; the report exactly as ``docgen check --format json``."""
    who = require_api(request, "check")
    return (await actions.check(request, who, await read_form(request)))["report"]


@router.post("/check/folder")
async def check_folder(request: Request) -> dict[str, Any]:
    """Check a client folder under the bundle root (form ``folder``: its relative path; optional
    ``as_of``, ``stage``), in place and read only; the report exactly as ``docgen check --format json``."""
    who = require_api(request, "check")
    return (await actions.check_folder(request, who, await read_form(request)))["report"]


@router.get("/bundles")
async def bundles(request: Request, path: str = "") -> dict[str, Any]:
    """The client folders under the bundle root (``path``: a sub-folder to list, relative to the root)."""
    require_api(request, "check")
    return await run_in_threadpool(folders.listing, service(request).settings.bundle_root, path)


@router.post("/draft")
async def draft(request: Request) -> dict[str, Any]:
    """Draft the annexes of an uploaded bundle .zip (DESIGN §10); files under ``/api/files/…``."""
    who = require_api(request, "draft")
    result = await actions.draft(request, who, await read_form(request))
    result.pop("complete", None)
    return result


@router.post("/render/{template}")
async def render(request: Request, template: str, format: str = "docx") -> FileResponse:
    """Fill one template from the JSON body; the .docx (``?format=pdf``: the PDF)."""
    who = require_api(request, "render")
    if format not in ("docx", "pdf"):
        raise ApiError(400, SERVICE.text("format-docx-pdf", {"format": format}))
    try:
        data = parse_json(await request.body())
    except ValueError:
        raise ApiError(400, SERVICE.text("body-not-json")) from None
    result = await actions.render_one(request, who, template, data, format == "pdf")
    path = result["pdf"] if format == "pdf" else result["docx"]
    return _download(path, Path(path).name)


@router.post("/batch/{template}", status_code=202)
async def batch(request: Request, template: str) -> dict[str, str]:
    """Check the uploaded ``rows`` (.xlsx/.csv) as the batch job will read them, then start it: 202 and
    ``{"job": id}``. A sheet that cannot be read is refused with 400, rows with errors with 422
    listing every one (row, column, message), before any job starts."""
    who = require_api(request, "batch")
    return await actions.start_batch(request, who, template, await read_form(request))


@router.get("/jobs")
async def jobs(request: Request) -> list[dict[str, Any]]:
    """The caller's jobs (every user's for admin and compliance), newest first."""
    who = require_api(request, "jobs")
    store = service(request).jobs
    listed = store.list(None if who.role in SEE_ALL else who.name)
    return [actions.job_view(request, j) for j in listed]


def _visible_job(request: Request, job_id: str, capability: str = "jobs") -> tuple[Any, dict[str, Any]]:
    who = require_api(request, capability)
    job = service(request).jobs.get(job_id)
    if job is None:
        raise ApiError(404, SERVICE.text("no-job", {"job_id": job_id}))
    if not may_see(who.role, who.name, job["owner"]):
        raise ApiError(403, SERVICE.text("not-your-job", {"job_id": job_id}))
    return who, job


@router.get("/jobs/{job_id}")
async def job(request: Request, job_id: str) -> dict[str, Any]:
    """One job: state, progress, files, error."""
    _, found = _visible_job(request, job_id)
    return actions.job_view(request, found)


@router.post("/jobs/{job_id}/rerun", status_code=202)
async def rerun(request: Request, job_id: str) -> dict[str, str]:
    """Run a failed or interrupted job again (serials already issued are reused, never doubled);
    202 and ``{"job": id}``. Its stored input is checked first as when the job was started: an
    input since deleted (past the retention period), changed, or no longer valid is refused with
    the same 400/422 and message the job's first request would get, and the job is left as it was.
    409 for a job neither failed nor interrupted; only its owner or an admin may run it again (403)."""
    who, found = _visible_job(request, job_id)
    if not may_rerun(who.role, who.name, found["owner"]):
        raise ApiError(403, SERVICE.text("rerun-not-allowed", {"job_id": job_id}))
    return await actions.rerun(request, who, found)


@router.get("/files/{file_id}")
async def download(request: Request, file_id: str) -> FileResponse:
    """Download a result file (its owner, or admin and compliance)."""
    who = require_api(request, "jobs")
    svc = service(request)
    found = get_file(svc.settings.db_path, file_id)
    if found is None or not Path(found["path"]).is_file():
        raise ApiError(404, SERVICE.text("no-file"))
    if not may_see(who.role, who.name, found["owner"]):
        raise ApiError(403, SERVICE.text("not-your-file"))
    audit.record(svc.settings.db_path, who.name, who.role, "download", target=found["name"],
                 detail={"file": file_id, "job": found["job"]})
    return FileResponse(found["path"], filename=found["name"], media_type=found["media_type"])


@router.get("/register")
async def register(request: Request, template: str | None = None, serial: str | None = None,
                   borrower: str | None = None, date: str | None = None) -> list[dict[str, Any]]:
    """Register records filtered by template, serial, borrower (row key or file name) and date."""
    require_api(request, "register")
    return actions.register_rows(request, template, serial, borrower, date)


@router.post("/register/verify")
async def verify(request: Request, template: str | None = None) -> JSONResponse:
    """Re-hash every issued document: ``{"checked", "ok", "problems"}``."""
    who = require_api(request, "register")
    return JSONResponse(await actions.verify_register(request, who, template))


@router.post("/npl-report")
async def npl_report(request: Request, format: str = "json") -> Any:
    """The NPL figures (§8 JSON) from the uploaded ledgers, as ``docgen npl-report --format json``
    gives them: multipart ``ledger`` (.xlsx/.csv) and ``period``; optional ``opening``, ``targets``,
    ``notes`` and ``policy`` (the collection policy .yaml, as ``--policy``: its vocabulary reads both
    ledgers). With ``?format=docx``, 202 and ``{"job": id}``: the job writing the report .docx
    (follow it at ``/api/jobs/{id}``, download the file it lists). Bad ledgers and a bad policy are
    refused (400/422) before any job starts."""
    who = require_api(request, "npl-report")
    if format not in ("json", "docx"):
        raise ApiError(400, SERVICE.text("format-json-docx", {"format": format}))
    result = await actions.npl(request, who, await read_form(request), docx=format == "docx")
    if format == "docx":
        return JSONResponse({"job": result["job"]}, status_code=202)
    return result["figures"]


@router.post("/collect/plan")
async def collect_plan(request: Request) -> list[dict[str, Any]]:
    """The collection plan (§8) of the uploaded ``ledger`` on ``as_of``; optional ``policy`` (.yaml, as ``--policy``)."""
    who = require_api(request, "collect")
    return (await actions.plan(request, who, await read_form(request), xlsx=False))["plan"]


@router.post("/collect/letters", status_code=202)
async def collect_letters(request: Request) -> dict[str, str]:
    """Start the job issuing the demand letters due on ``as_of`` from the uploaded ``ledger`` (202 and
    ``{"job": id}``); optional ``policy`` (.yaml, as ``--policy``: its vocabulary reads the ledger).
    The ledger is read first as the job will read it: a policy that cannot be used or a ledger that
    cannot be read (not a table, damaged, a required column missing) is refused with 400, rows with
    errors (every one listed, up to the first 1,000) with 422, the same status and message
    ``/api/collect/plan`` gives for those files, before any job starts."""
    who = require_api(request, "collect")
    return await actions.letters(request, who, await read_form(request))


@router.get("/audit")
async def audit_log(request: Request, user: str | None = None, action: str | None = None,
                    limit: int = 500) -> list[dict[str, Any]]:
    """Who did what when, newest first."""
    require_api(request, "audit")
    return audit.entries(service(request).settings.db_path, user=user, action=action, limit=max(1, min(limit, 5000)))
