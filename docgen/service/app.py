"""The FastAPI application: routes, limits, security headers and error answers."""
from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from docgen import __version__
from docgen.core.errors import DocgenError
from docgen.service.jobs import JobRunner
from docgen.service.messages import MESSAGES as SERVICE
from docgen.service.service import Service
from docgen.service.settings import Settings
from docgen.service.storage import STATUS as UNAVAILABLE, storage_problem
from docgen.service.web import ApiError

log = logging.getLogger("docgen.service")

STATIC = Path(__file__).with_name("static")

_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"content-security-policy",
     b"default-src 'self'; img-src 'self' data:; script-src 'self'; style-src 'self'; frame-ancestors 'none'"),
]


class LimitsMiddleware:
    """Refuse bodies over the upload limit (413, counted as they arrive, whatever Content-Length
    says) and add security headers to every answer."""

    def __init__(self, app: ASGIApp, max_body: int) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_body:
            await _too_large(self.max_body, send)
            return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body:
                    raise _BodyTooLarge()
            return message

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message = {**message, "headers": list(message.get("headers", [])) + _HEADERS}
            await send(message)

        try:
            await self.app(scope, limited_receive, send_with_headers)
        except _BodyTooLarge:
            if not started:
                await _too_large(self.max_body, send)


class _BodyTooLarge(Exception):
    pass


async def _too_large(limit: int, send: Send) -> None:
    body = JSONResponse({"error": SERVICE.text("request-too-large", {"megabytes": limit // (1024 * 1024)}),
                         "problems": []}, status_code=413).body
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
                + _HEADERS})
    await send({"type": "http.response.body", "body": body})


def create_app(settings: Settings | None = None, runner: JobRunner | None = None) -> FastAPI:
    """Return the service's ASGI application for ``settings`` (the data folder is created)."""
    from docgen.service import api, pages

    svc = Service(settings or Settings(), runner)

    async def every(seconds: float, sweep: Callable[[], Any], what: str) -> None:
        # A sweep that raised does not end the loop: the retention sweep frees the disk whose
        # fullness may be what refused it.
        while True:
            await asyncio.sleep(seconds)
            try:
                await run_in_threadpool(sweep)
            except Exception as exc:  # noqa: BLE001 - the storage refusing is waited out: the next sweep
                if storage_problem(exc, database=svc.settings.db_path) is None:
                    log.exception("%s could not be swept", what)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        svc.start()
        tasks = [asyncio.create_task(every(svc.sweep_every, svc.sweep, "old uploads and results")),
                 asyncio.create_task(every(svc.expire_every, svc.expire_jobs, "the jobs' leases"))]
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            svc.stop()

    app = FastAPI(title="docgen", version=__version__, lifespan=lifespan, docs_url="/api/docs",
                  openapi_url="/api/openapi.json", redoc_url=None)
    app.state.service = svc
    app.add_middleware(LimitsMiddleware, max_body=svc.settings.max_upload_bytes)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(api.router)
    app.include_router(pages.router)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = exc.message if isinstance(exc, ApiError) else str(exc.detail)
        problems: list[Any] = exc.problems if isinstance(exc, ApiError) else []
        if not request.url.path.startswith("/api/"):
            return pages.error_page(request, exc.status_code, message, problems, exc.headers)
        return JSONResponse({"error": message, "problems": problems}, status_code=exc.status_code,
                            headers=exc.headers)

    @app.exception_handler(OSError)
    @app.exception_handler(sqlite3.Error)
    @app.exception_handler(DocgenError)
    async def storage_error(request: Request, exc: Exception) -> Response:
        # The data folder, uploads/, files/ or the database stopped taking writes (or the disk
        # filled) after start-up: 503 with one line naming it; the next request tries again. A
        # library error (an atomic write's OutputError) carries the system's refusal as its context.
        problem = storage_problem(exc, folder=svc.settings.data_dir, database=svc.settings.db_path)
        if problem is None:
            raise exc  # not the service's storage: the server error it always was
        log.warning("%s %s: %s", request.method, request.url.path, problem.message)
        return await http_error(request, ApiError(UNAVAILABLE, problem.message))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        problems = [{"path": ".".join(str(p) for p in e.get("loc", ())), "message": e.get("msg", "")}
                    for e in exc.errors()]
        first = problems[0] if problems else {"path": "", "message": ""}
        message = SERVICE.text("parameter-invalid", {"path": first["path"], "reason": first["message"]})
        if not request.url.path.startswith("/api/"):
            return pages.error_page(request, 400, message, problems)
        return JSONResponse({"error": message, "problems": problems}, status_code=400)

    return app
