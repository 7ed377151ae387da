"""The server-rendered pages, one per user task, Chinese first with an English switch.

Pages share the API's actions (``docgen.service.actions``); they add the session cookie,
CSRF tokens on every form, and show errors in place: at the field, in a row table, or as a
page with the status code the API would give (401 shows the login form).
"""
from __future__ import annotations

import secrets
import sqlite3
from pathlib import Path
from typing import Any, Awaitable, Callable

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from docgen.core.tabular import TABLE_SUFFIXES
from docgen.loans.messages import plan_label
from docgen.service import actions, audit, folders, history
from docgen.service.access import SEE_ALL, allowed, may_rerun, may_see
from docgen.service.auth import LOGIN_CSRF_COOKIE, SESSION_COOKIE, Principal
from docgen.service.i18n import LANGS, translator
from docgen.service.users import ROLE_LABELS
from docgen.service.messages import MESSAGES as SERVICE
from docgen.service.storage import storage_cause
from docgen.service.web import ApiError, form_text, principal, read_form, service

router = APIRouter()
templates = Jinja2Templates(directory=str(Path(__file__).with_name("templates")))
# The file inputs offer what the command line reads a table from.
templates.env.globals["table_accept"] = ",".join(TABLE_SUFFIXES)

#: The pages' menu, in order: capability, path.
MENU = [("check", "/check"), ("draft", "/draft"), ("render", "/render"), ("batch", "/batch"),
        ("register", "/register"), ("npl-report", "/npl"), ("collect", "/collect"), ("jobs", "/jobs"),
        ("audit", "/audit")]
SYMBOLS = {"ok": "✓", "missing": "✗", "invalid": "!", "waived": "○"}


def lang_of(request: Request) -> str:
    """Return the page language: the ``lang`` cookie, Chinese by default."""
    lang = request.cookies.get("lang", "zh")
    return lang if lang in LANGS else "zh"


def _menu(who: Principal | None) -> list[tuple[str, str]]:
    if who is None:
        return []
    return [(cap, path) for cap, path in MENU if allowed(who.role, cap)]


def page(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    """Render template ``name`` with the common context (language, user, menu, CSRF token)."""
    lang = lang_of(request)
    who = context.pop("who", None) or _viewer(request)
    csrf = service(request).auth.csrf_token(who) if who else None
    return templates.TemplateResponse(request, name, {
        "t": translator(lang), "lang": lang, "who": who, "csrf": csrf, "menu": _menu(who),
        "role_label": (ROLE_LABELS[who.role][lang] if who else ""), "symbols": SYMBOLS, **context,
    }, status_code=status)


def _viewer(request: Request) -> Principal | None:
    """Return who is logged in, or None; also None when the database holding the users cannot be
    used (the page then says why, without the user's menu)."""
    try:
        return principal(request, bearer=False)
    except (OSError, sqlite3.Error) as exc:
        if storage_cause(exc) is None:
            raise
        return None


def _refused(request: Request, name: str, exc: ApiError, who: Principal, **context: Any) -> Response:
    """The form page ``name`` again, saying why the user's input was refused (400, 413, 422).

    Any other error is not the input's fault and propagates to the error page.
    """
    if exc.status_code not in (400, 413, 422):
        raise exc
    return page(request, name, status=exc.status_code, who=who, result=None, error=exc.message,
                problems=exc.problems, **context)


def error_page(request: Request, status: int, message: str, problems: list[Any] | None = None,
               headers: dict[str, str] | None = None) -> Response:
    """The page for an error: the login form for 401, a message page otherwise."""
    if status == 401:
        return _login_page(request, status=401, error=None)
    response = page(request, "error.html", status=status, message=message, problems=problems or [])
    for key, value in (headers or {}).items():
        if key.lower() != "www-authenticate":
            response.headers[key] = value
    return response


def require_page(request: Request, capability: str) -> Principal:
    """Return the logged-in user allowed ``capability``; 401 (login form) or 403 otherwise."""
    who = principal(request, bearer=False)
    if who is None:
        raise ApiError(401, translator(lang_of(request))("login_needed"))
    if not allowed(who.role, capability):
        raise ApiError(403, translator(lang_of(request))("forbidden_text"))
    return who


async def posted(request: Request, capability: str) -> tuple[Principal, Any]:
    """Return the user and the form of a page POST, after the role and CSRF checks (403)."""
    who = require_page(request, capability)
    form = await read_form(request)
    if not service(request).auth.csrf_ok(who, form_text(form, "csrf")):
        raise ApiError(403, SERVICE.text("csrf-failed"))
    return who, form


async def _answer(request: Request, capability: str, name: str, act: Callable[[Principal, Any], Awaitable[Any]],
                 shown: Callable[[Any, Any], dict[str, Any]] = lambda form, result: {}) -> Response:
    """Return page ``name`` showing what ``act(who, form)`` made of the form posted to ``capability``,
    or the form again saying why its input was refused (``_refused``). ``shown(form, result)`` is
    what else the page shows; ``result`` is None when the input was refused."""
    who, form = await posted(request, capability)
    try:
        result = await act(who, form)
    except ApiError as exc:
        return _refused(request, name, exc, who, **shown(form, None))
    return page(request, name, who=who, result=result, error=None, **shown(form, result))


# ----------------------------------------------------------------------------- login, home

def _safe_next(value: str | None) -> str:
    return value if value and value.startswith("/") and not value.startswith("//") and "\\" not in value else "/"


def _login_page(request: Request, *, status: int = 200, error: str | None = None) -> HTMLResponse:
    token = secrets.token_urlsafe(24)
    target = request.query_params.get("next") or (request.url.path if request.method == "GET" else "/")
    response = page(request, "login.html", status=status, who=None, login_csrf=token, error=error,
                    next=_safe_next(target if target != "/login" else "/"))
    response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict",
                        secure=service(request).settings.secure_cookies, path="/login")
    return response


@router.get("/login", response_class=HTMLResponse)
async def login_form(request: Request) -> Response:
    """The login form."""
    return _login_page(request)


@router.post("/login")
async def login(request: Request) -> Response:
    """Check the password; set the signed session cookie and go to the page asked for."""
    svc = service(request)
    form = await read_form(request)
    expected = request.cookies.get(LOGIN_CSRF_COOKIE)
    given = form_text(form, "csrf")
    t = translator(lang_of(request))
    if not expected or not given or not secrets.compare_digest(expected, given):
        return _login_page(request, status=403, error=SERVICE.text("login-form-expired"))
    name = form_text(form, "username") or ""
    user = svc.users.authenticate(name, str(form.get("password") or ""))
    if user is None:
        audit.record(svc.settings.db_path, name or "-", None, "login-failed", detail={"via": "page"})
        return _login_page(request, status=401, error=t("login_failed"))
    audit.record(svc.settings.db_path, user.name, user.role, "login", detail={"via": "page"})
    response = RedirectResponse(_safe_next(form_text(form, "next")), status_code=303)
    response.set_cookie(SESSION_COOKIE, svc.auth.issue_session(user), httponly=True, samesite="lax",
                        secure=svc.settings.secure_cookies, max_age=svc.settings.session_seconds)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    """End the session (the cookie is dropped)."""
    await posted(request, "jobs")
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/lang/{code}")
async def switch_language(request: Request, code: str, next: str = "/") -> Response:
    """Switch the pages' language (zh or en) and go back."""
    response = RedirectResponse(_safe_next(next), status_code=303)
    if code in LANGS:
        response.set_cookie("lang", code, samesite="lax", max_age=365 * 86400)
    return response


@router.get("/", response_class=HTMLResponse)
async def home(request: Request) -> Response:
    """The user's tasks."""
    who = require_page(request, "jobs")
    return page(request, "home.html", who=who)


# ----------------------------------------------------------------------------------- check

def _check_form(request: Request, who: Principal, *, status: int = 200, error: str | None = None,
                folder: str | None = None) -> HTMLResponse:
    """The check form: the .zip upload and, with a bundle root, the folder picker at ``folder``.

    A folder that cannot be listed shows the root's listing with the reason (status 400 or 404).
    """
    root = service(request).settings.bundle_root
    picker = None
    if root is not None:
        try:
            picker = folders.listing(root, folder)
        except ApiError as exc:
            if exc.status_code not in (400, 404):
                raise
            status, error, picker = exc.status_code, exc.message, folders.listing(root, "")
    return page(request, "check_form.html", status=status, who=who, error=error, picker=picker)


@router.get("/check", response_class=HTMLResponse)
async def check_form(request: Request, folder: str | None = None) -> Response:
    """Upload form of the bundle check, with the folder picker (``folder``: the sub-folder shown)."""
    who = require_page(request, "check")
    return await run_in_threadpool(_check_form, request, who, folder=folder)


async def _checked(request: Request, run: Callable[..., Any], refused: tuple[int, ...]) -> Response:
    """Run check action ``run`` on the posted form and show the kept check; the form again, saying
    why, for a refusal status in ``refused``."""
    who, form = await posted(request, "check")
    try:
        done = await run(request, who, form, lang_of(request))
    except ApiError as exc:
        if exc.status_code in refused:
            return await run_in_threadpool(_check_form, request, who, status=exc.status_code, error=exc.message)
        raise
    return RedirectResponse(f"/check/{done['id']}", status_code=303)


@router.post("/check")
async def check_post(request: Request) -> Response:
    """Check the uploaded .zip, keep it, and show it."""
    return await _checked(request, actions.check, (400, 413, 422))


@router.post("/check/folder")
async def check_folder_post(request: Request) -> Response:
    """Check the picked client folder in place, keep it, and show it (404 page without a bundle root)."""
    refused = (400, 404, 422) if service(request).settings.bundle_root is not None else (400, 422)
    return await _checked(request, actions.check_folder, refused)


@router.get("/check/{check_id}", response_class=HTMLResponse)
async def check_result(request: Request, check_id: str) -> Response:
    """A kept check: stages, findings, what changed since the client's previous check, downloads."""
    who = require_page(request, "check")
    db = service(request).settings.db_path
    found = history.load(db, check_id)
    if found is None:
        raise ApiError(404, SERVICE.text("no-check", {"check_id": check_id}))
    lang = lang_of(request)
    other = history.other_reports(found, lang)
    found = history.in_language(found, lang)
    before = history.previous(db, found)
    return page(request, "check_result.html", who=who, check=found, report=found["report"], other=other,
                changes=history.changes(before and history.in_language(before, lang), found),
                earlier=history.earlier(db, found["client"]))


@router.get("/draft", response_class=HTMLResponse)
async def draft_form(request: Request) -> Response:
    """Upload form of annex drafting."""
    who = require_page(request, "draft")
    return page(request, "draft.html", who=who, result=None, error=None, pdf_available=service(request).pdf)


@router.post("/draft", response_class=HTMLResponse)
async def draft_post(request: Request) -> Response:
    """Draft the annexes; show each with its download, or the bundle.yaml keys it still lacks."""
    pdf = service(request).pdf
    return await _answer(request, "draft", "draft.html", lambda who, form: actions.draft(request, who, form, lang_of(request)),
                        lambda form, result: {"pdf_available": pdf})


# ------------------------------------------------------------------------------- documents

_FORM_TYPES = {"string": "text", "date": "date", "amount": "number", "number": "number", "integer": "number",
               "float": "number", "boolean": "checkbox"}
_LIST_ROWS = 4


def _form_fields(template: Any, lang: str = "zh") -> list[dict[str, Any]] | None:
    """Return the form's fields, or None when a field cannot be a form input. A field's label is its
    first Chinese alias (else its name); on an English page (``lang`` ``en``) its English label
    (``Template.labels_en``) where the template gives one."""
    english = template.labels_en if lang == "en" else {}
    out = []
    for f in template.fields():
        if f["name"] == "serial":
            continue
        label = english.get(f["name"]) or (f["aliases"] or [f["name"]])[0]
        if f["type"] == "list" and f.get("items"):
            items = [{**i, "label": english.get(f"{f['name']}.{i['name']}") or (i["aliases"] or [i["name"]])[0],
                      "input": _FORM_TYPES.get(i["type"], "text")}
                     for i in f["items"]]
            out.append({**f, "label": label, "input": "table", "items": items, "rows": range(_LIST_ROWS)})
        elif f["type"] == "list":
            out.append({**f, "label": label, "input": "textarea"})
        elif f["type"] in _FORM_TYPES:
            out.append({**f, "label": label, "input": _FORM_TYPES[f["type"]]})
        else:
            return None
    return out


def _form_templates() -> list[Any]:
    from docgen.documents.template import list_templates

    return [t for t in list_templates() if _form_fields(t) is not None]


def _data_from_form(fields: list[dict[str, Any]], form: Any) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for f in fields:
        name = f["name"]
        if f["input"] == "table":
            rows = []
            for i in range(_LIST_ROWS):
                row = {item["name"]: form_text(form, f"{name}[{i}].{item['name']}") for item in f["items"]}
                row = {k: v for k, v in row.items() if v is not None}
                if row:
                    rows.append(row)
            if rows:
                data[name] = rows
        elif f["input"] == "checkbox":
            data[name] = form_text(form, name) is not None
        else:
            value = form_text(form, name)
            if value is not None:
                data[name] = value
    return data


@router.get("/render", response_class=HTMLResponse)
async def render_list(request: Request) -> Response:
    """The templates that can be filled in one at a time."""
    who = require_page(request, "render")
    return page(request, "render_list.html", who=who, templates=_form_templates())


def _render_page(request: Request, who: Principal, template: Any, *, status: int = 200, values: Any = None,
                 errors: dict[str, list[str]] | None = None, error: str | None = None,
                 result: dict[str, Any] | None = None) -> HTMLResponse:
    fields = _form_fields(template, lang_of(request))
    if fields is None:
        raise ApiError(404, SERVICE.text("template-no-form", {"template": template.name}))
    return page(request, "render_form.html", status=status, who=who, template=template, fields=fields,
                values=values or {}, errors=errors or {}, error=error, result=result,
                pdf_available=service(request).pdf)


@router.get("/render/{name}", response_class=HTMLResponse)
async def render_form(request: Request, name: str) -> Response:
    """The form of one template, generated from its schema."""
    who = require_page(request, "render")
    return _render_page(request, who, actions.known_template(name))


@router.post("/render/{name}", response_class=HTMLResponse)
async def render_post(request: Request, name: str) -> Response:
    """Fill the template; errors at their field, or the download links."""
    who, form = await posted(request, "render")
    template = actions.known_template(name)
    fields = _form_fields(template) or []
    data = _data_from_form(fields, form)
    values = {k: form_text(form, k) for k in form.keys() if k != "csrf"}
    try:
        result = await actions.render_one(request, who, name, data, form_text(form, "pdf") is not None,
                                          lang_of(request))
    except ApiError as exc:
        if exc.status_code not in (400, 422, 503):
            raise
        errors: dict[str, list[str]] = {}
        for p in exc.problems:
            top = str(p.get("field") or "").split(".")[0].split("[")[0]
            errors.setdefault(top, []).append(p.get("message", ""))
        return _render_page(request, who, template, status=exc.status_code, values=values, errors=errors,
                            error=exc.message)
    return _render_page(request, who, template, values=values, result=result)


@router.get("/batch", response_class=HTMLResponse)
async def batch_form(request: Request) -> Response:
    """Upload form of a batch."""
    who = require_page(request, "batch")
    return page(request, "batch.html", who=who, templates=_batch_templates(), problems=[], error=None, chosen=None)


def _batch_templates() -> list[Any]:
    from docgen.documents.template import list_templates

    return [t for t in list_templates() if t.aliases]


@router.post("/batch", response_class=HTMLResponse)
async def batch_post(request: Request) -> Response:
    """Check every row; show the row errors, or start the job and follow it."""
    who, form = await posted(request, "batch")
    name = form_text(form, "template") or ""
    try:
        started = await actions.start_batch(request, who, name, form, lang_of(request))
    except ApiError as exc:
        if exc.status_code not in (400, 404, 413, 422, 429):
            raise
        return page(request, "batch.html", status=exc.status_code, who=who, templates=_batch_templates(),
                    problems=exc.problems, error=exc.message, chosen=name)
    return RedirectResponse(f"/jobs/{started['job']}", status_code=303)


# ------------------------------------------------------------------------------------ jobs

@router.get("/jobs", response_class=HTMLResponse)
async def jobs_page(request: Request) -> Response:
    """The user's jobs (everyone's for admin and compliance)."""
    who = require_page(request, "jobs")
    listed = service(request).jobs.list(None if who.role in SEE_ALL else who.name)
    return page(request, "jobs.html", who=who, jobs=[actions.job_view(request, j) for j in listed])


def _job_for(request: Request, who: Principal, job_id: str) -> dict[str, Any]:
    job = service(request).jobs.get(job_id)
    if job is None:
        raise ApiError(404, SERVICE.text("no-job-page", {"job_id": job_id}))
    if not may_see(who.role, who.name, job["owner"]):
        raise ApiError(403, translator(lang_of(request))("forbidden_text"))
    return job


@router.get("/jobs/{job_id}", response_class=HTMLResponse)
async def job_page(request: Request, job_id: str) -> Response:
    """One job, with its progress (refreshed by script) and downloads."""
    who = require_page(request, "jobs")
    job = _job_for(request, who, job_id)
    return page(request, "job.html", who=who, job=actions.job_view(request, job),
                may_rerun=may_rerun(who.role, who.name, job["owner"]))


@router.post("/jobs/{job_id}/rerun")
async def job_rerun(request: Request, job_id: str) -> Response:
    """Run a failed or interrupted job again, its stored input checked first as the API's rerun checks
    it (a refusal shows the error page with its status and message)."""
    who, _ = await posted(request, "jobs")
    job = _job_for(request, who, job_id)
    if not may_rerun(who.role, who.name, job["owner"]):
        raise ApiError(403, translator(lang_of(request))("forbidden_text"))
    await actions.rerun(request, who, job)
    return RedirectResponse(f"/jobs/{job_id}", status_code=303)


# -------------------------------------------------------------------------------- register

@router.get("/register", response_class=HTMLResponse)
async def register_page(request: Request, template: str | None = None, serial: str | None = None,
                        borrower: str | None = None, date: str | None = None) -> Response:
    """Search the register."""
    who = require_page(request, "register")
    from docgen.documents.template import list_templates

    rows = actions.register_rows(request, template, serial, borrower, date)
    return page(request, "register.html", who=who, rows=rows, verified=None,
                query={"template": template or "", "serial": serial or "", "borrower": borrower or "",
                       "date": date or ""}, templates=[t.name for t in list_templates()])


@router.post("/register/verify", response_class=HTMLResponse)
async def register_verify(request: Request) -> Response:
    """Verify every issued file and show the result above the register."""
    who, form = await posted(request, "register")
    from docgen.documents.template import list_templates

    verified = await actions.verify_register(request, who, form_text(form, "template"))
    return page(request, "register.html", who=who, rows=actions.register_rows(request), verified=verified,
                query={"template": "", "serial": "", "borrower": "", "date": ""},
                templates=[t.name for t in list_templates()])


# ----------------------------------------------------------------------------------- loans

@router.get("/npl", response_class=HTMLResponse)
async def npl_form(request: Request) -> Response:
    """Upload form of the NPL report."""
    who = require_page(request, "npl-report")
    return page(request, "npl.html", who=who, result=None, error=None, period="")


@router.post("/npl", response_class=HTMLResponse)
async def npl_post(request: Request) -> Response:
    """Figures and chart; the report .docx is started as a job, linked from the page."""
    lang = lang_of(request)
    return await _answer(request, "npl-report", "npl.html",
                        lambda who, form: actions.npl(request, who, form, docx=True, chart=True, lang=lang),
                        lambda form, result: {"period": form_text(form, "period") or "", **_npl_words(lang)})


def _npl_words(lang: str) -> dict[str, Callable[..., str]]:
    """Return how the NPL page names a loan class (``class_name``) and words a classification flag
    (``flag_sentence``: its code and facts) in ``lang``."""
    from docgen.loans.messages import class_name, flag_sentence

    return {"class_name": lambda name: class_name(name, lang),
            "flag_sentence": lambda flag: flag_sentence(flag["code"], flag["facts"], lang)}


@router.get("/collect", response_class=HTMLResponse)
async def collect_form(request: Request) -> Response:
    """Upload form of the collection plan."""
    who = require_page(request, "collect")
    return page(request, "collect.html", who=who, result=None, error=None)


@router.post("/collect", response_class=HTMLResponse)
async def collect_post(request: Request) -> Response:
    """The plan table (sortable, filterable), its .xlsx, and the button issuing the letters due."""
    return await _answer(request, "collect", "collect.html",
                        lambda who, form: actions.plan(request, who, form, xlsx=True, keep=True,
                                                       lang=lang_of(request)),
                        lambda form, result: {} if result is None else _plan_filters(result, lang_of(request)))


def _plan_filters(result: dict[str, Any], lang: str) -> dict[str, Any]:
    """Return what the plan table filters by (its officers and branches) and how it names actions."""
    return {"officers": sorted({e["officer"] for e in result["plan"] if e.get("officer")}),
            "branches": sorted({e["branch"] for e in result["plan"] if e.get("branch")}),
            "plan_label": _plan_labeller(lang)}


def _plan_labeller(lang: str) -> Callable[..., str]:
    """Return how the plan table names an action or warning: its label in ``lang`` (its stable id is
    the cell's title). Each is named for its entry (``time_barred``: the entry's claim is time-barred,
    and its demand letter is the 催收通知书 with its 债务确认回执)."""
    return lambda code, time_barred=False: plan_label(code, time_barred, lang)


@router.post("/collect/letters")
async def collect_letters(request: Request) -> Response:
    """Start the letters job from the ledger (and policy) kept by the plan page, read first as the job
    will read them: what the job could not use shows the plan form again with the API's 400/422
    message (the kept files stay until their retention ends)."""
    from docgen.service.files import Stored, get_file
    from docgen.documents.register import sha256_file

    who, form = await posted(request, "collect")
    db = service(request).settings.db_path
    lang = lang_of(request)

    def kept(field: str, expired: str) -> Stored | None:
        """The file the plan page kept for ``field`` (None when it kept none); 400 ``expired`` when it
        is not the user's or no longer there."""
        if form_text(form, field) is None:
            return None
        found = get_file(db, form_text(form, field) or "")
        if found is None or found["owner"] != who.name or not Path(found["path"]).is_file():
            raise ApiError(400, SERVICE.text(expired, None, lang))
        return Stored(Path(found["path"]), found["name"], Path(found["path"]).stat().st_size, sha256_file(found["path"]))

    ledger = kept("ledger", "ledger-expired")
    if ledger is None:
        raise ApiError(400, SERVICE.text("ledger-expired", None, lang))
    as_of = form_text(form, "as_of") or ""
    from docgen.service.web import parse_iso

    try:
        started = await actions.start_letters(request, who, ledger, parse_iso(as_of, "as_of", lang=lang).isoformat(),
                                              kept("policy", "policy-expired"), uploaded=False, lang=lang)
    except ApiError as exc:  # the ledger or policy the job could not read: the plan form again, saying why
        return _refused(request, "collect.html", exc, who)
    return RedirectResponse(f"/jobs/{started['job']}", status_code=303)


# ----------------------------------------------------------------------------------- audit

@router.get("/audit", response_class=HTMLResponse)
async def audit_page(request: Request, user: str | None = None, action: str | None = None) -> Response:
    """The audit log, newest first."""
    who = require_page(request, "audit")
    entries = audit.entries(service(request).settings.db_path, user=user or None, action=action or None)
    return page(request, "audit.html", who=who, entries=entries, user=user or "", action=action or "")
