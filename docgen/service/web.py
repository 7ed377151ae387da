"""Request plumbing shared by the API and the pages: who is asking, forms, uploads, errors."""
from __future__ import annotations

import datetime as _dt
from typing import Any

from fastapi import HTTPException, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException

from docgen.core.errors import DocgenError
from docgen.core.values import parse_working_date
from docgen.service.access import allowed
from docgen.service.auth import SESSION_COOKIE, Principal
from docgen.service.files import Stored, UploadTooLarge, store_upload
from docgen.service.messages import MESSAGES as SERVICE
from docgen.service.service import Service


class ApiError(HTTPException):
    """An error answered as ``{"error": message, "problems": [...]}`` (pages show it in place)."""

    def __init__(self, status: int, message: str, problems: list[dict[str, Any]] | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(status, message, headers=headers)
        self.message = message
        self.problems = problems or []


def service(request: Request) -> Service:
    """Return the running ``Service``."""
    return request.app.state.service


def principal(request: Request, *, cookie: bool = True, bearer: bool = True) -> Principal | None:
    """Return who is asking (bearer token first, then the session cookie), or None."""
    auth = service(request).auth
    found = auth.from_bearer(request.headers.get("authorization")) if bearer else None
    if found is None and cookie:
        found = auth.from_session(request.cookies.get(SESSION_COOKIE))
    return found


def require_api(request: Request, capability: str) -> Principal:
    """Return the caller of an API route allowed ``capability``; raise 401 or 403.

    A POST needs a bearer token (a session cookie alone would let another site post on the
    user's behalf); a GET also accepts the session cookie (pages poll jobs and download files).
    """
    who = principal(request, cookie=request.method == "GET")
    if who is None:
        raise ApiError(401, SERVICE.text("not-authenticated"),
                       headers={"WWW-Authenticate": "Bearer"})
    if not allowed(who.role, capability):
        raise ApiError(403, SERVICE.text("role-forbidden", {"role": who.role, "capability": capability}))
    return who


async def read_form(request: Request) -> FormData:
    """Parse a form with the service's file and field count limits.

    Raises a 400 ``ApiError`` worded by the service's table when the form cannot be read: past
    those limits, a text field over 1 MB, a multipart body without its boundary or cut short.
    """
    settings = service(request).settings
    try:
        return await request.form(max_files=settings.max_files, max_fields=settings.max_fields)
    except StarletteHTTPException as exc:  # how Starlette reports a form it cannot parse
        if exc.status_code != 400:
            raise
        raise ApiError(400, SERVICE.text("form-unreadable", {"reason": exc.detail, "files": settings.max_files,
                                                             "fields": settings.max_fields})) from None


async def save_upload(request: Request, form: FormData, field: str, *, required: bool = True,
                      suffixes: tuple[str, ...] = ()) -> Stored | None:
    """Store the uploaded file of ``field`` under a random name; return it (None when optional and absent).

    Raises 400 when a required file is missing or has the wrong extension, 413 when too large.
    """
    value = form.get(field)
    if not isinstance(value, UploadFile) or not (value.filename or "").strip():
        if required:
            raise ApiError(400, SERVICE.text("upload-missing", {"field": field}))
        return None
    name = value.filename or ""
    if suffixes and not name.lower().endswith(suffixes):
        raise ApiError(400, SERVICE.text("upload-suffix", {"name": name, "field": field, "suffixes": suffixes}))
    settings = service(request).settings
    try:
        return await run_in_threadpool(store_upload, value.file, name, settings.uploads_dir,
                                       settings.max_upload_bytes)
    except UploadTooLarge:
        raise ApiError(413, SERVICE.text("upload-too-large", {"name": name,
                                                             "megabytes": settings.max_upload_bytes // (1024 * 1024)})) from None


def form_text(form: FormData, field: str) -> str | None:
    """Return a text field of the form, stripped, or None when absent or empty."""
    value = form.get(field)
    if value is None or isinstance(value, UploadFile):
        return None
    text = str(value).strip()
    return text or None


def parse_iso(value: str | None, field: str, default: _dt.date | None = None, lang: str = "zh") -> _dt.date:
    """Return ``value`` (YYYY-MM-DD) as a date, ``default`` or today when absent.

    Raises a 400 ``ApiError`` naming ``field`` for any other text or a year outside 1900-2199,
    worded in ``lang`` (a page's; the API's answers are Chinese).
    """
    if value is None:
        return default or _dt.date.today()
    try:
        date = _dt.date.fromisoformat(value)
    except ValueError:
        raise ApiError(400, SERVICE.text("date-invalid", {"field": field, "value": value}, lang)) from None
    try:  # the years every command's --as-of takes: date arithmetic past 9999 would overflow
        return parse_working_date(date)
    except ValueError as exc:
        from docgen.service.work import worded

        reason = worded(exc, lang) if isinstance(exc, DocgenError) else exc
        raise ApiError(400, SERVICE.text("date-out-of-range", {"field": field, "reason": reason}, lang)) from None


def failure_error(failure: dict[str, Any]) -> ApiError:
    """Return the HTTP error for a worker's failure: 400 unreadable input, 422 bad data, or the
    failure's own ``status`` (503: the service's storage failed, ``work.failure``)."""
    status = failure.get("status") or (400 if failure["exit_code"] == 2 else 422)
    return ApiError(status, failure["error"], failure.get("problems"))


def raise_failure(failure: dict[str, Any]) -> None:
    """Raise the HTTP error for a worker's failure (``failure_error``)."""
    raise failure_error(failure)
