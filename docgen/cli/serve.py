"""``docgen serve``: the web pages and JSON API (a thin layer over ``docgen.service``)."""
from __future__ import annotations

from pathlib import Path

import click

from docgen.cli.common import handle_errors
from docgen.cli.messages import MESSAGES as CLI, help_text
from docgen.cli.options import CheckedPath

def data_option(func):  # type: ignore[no-untyped-def]
    """The ``--data DIR`` option shared by ``serve`` and ``users``."""
    return click.option("--data", "data_dir", type=CheckedPath(file_okay=False, writable=True, path_type=Path),
                        envvar="DOCGEN_DATA", help=help_text("help/data"))(func)


def _broker_option(func):  # type: ignore[no-untyped-def]
    return click.option("--broker", envvar="DOCGEN_BROKER", show_envvar=True, metavar="redis://…",
                        help=help_text("help/serve-broker"))(func)


def _register_option(func):  # type: ignore[no-untyped-def]
    return click.option("--register", envvar="DOCGEN_REGISTER", show_envvar=True, metavar="FILE|postgresql://…",
                        help=help_text("help/serve-register"))(func)


@click.command("serve", help=help_text("help/command/serve"))
@click.option("--host", default="127.0.0.1", show_default=True, help=help_text("help/serve-host"))
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535),
              help=help_text("help/serve-port"))
@data_option
@click.option("--workers", "job_workers", default=2, show_default=True, type=click.IntRange(1, 64),
              help=help_text("help/serve-workers"))
@click.option("--max-upload-mb", default=256, show_default=True, type=click.IntRange(1, 10_000),
              help=help_text("help/serve-max-upload"))
@click.option("--retention-hours", default=72.0, show_default=True, type=click.FloatRange(min=0.01),
              help=help_text("help/serve-retention"))
@click.option("--secure-cookies", is_flag=True, help=help_text("help/serve-secure-cookies"))
@_broker_option
@_register_option
@click.option("--bundle-root", type=CheckedPath(exists=True, file_okay=False, path_type=Path), metavar="DIR",
              envvar="DOCGEN_BUNDLE_ROOT", show_envvar=True,
              help=help_text("help/serve-bundle-root"))
@handle_errors
def serve_command(host: str, port: int, data_dir: Path | None, job_workers: int, max_upload_mb: int,
                  retention_hours: float, secure_cookies: bool, broker: str | None, register: str | None,
                  bundle_root: Path | None) -> None:
    """``docgen serve``: its help is the cli table's ``help/command/serve``."""
    import uvicorn

    from docgen.service.app import create_app
    from docgen.service.settings import Settings, default_data_dir

    settings = Settings(data_dir or default_data_dir(), job_workers=job_workers,
                        max_upload_bytes=max_upload_mb * 1024 * 1024, retention_hours=retention_hours,
                        secure_cookies=secure_cookies, broker=broker or "", register=register or "",
                        bundle_root=bundle_root)
    runner = None
    if settings.broker:
        from docgen.service.queue import CeleryRunner

        runner = CeleryRunner(settings)
    app = create_app(settings, runner)
    click.echo(CLI.text("serve/listening", {"host": host, "port": port, "data_dir": settings.data_dir}), err=True)
    uvicorn.run(app, host=host, port=port, log_level="info")


@click.command("worker", help=help_text("help/command/worker"))
@click.option("--broker", required=True, envvar="DOCGEN_BROKER", show_envvar=True, metavar="redis://…",
              help=help_text("help/worker-broker"))
@click.option("--concurrency", default=2, show_default=True, type=click.IntRange(1, 256),
              help=help_text("help/worker-concurrency"))
@click.option("--data", "data_dir", type=CheckedPath(file_okay=False, path_type=Path), envvar="DOCGEN_DATA",
              help=help_text("help/worker-data"))
@handle_errors
def worker_command(broker: str, concurrency: int, data_dir: Path | None) -> None:
    """``docgen worker``: its help is the cli table's ``help/command/worker``."""
    from docgen.service.queue import run_worker

    run_worker(broker, concurrency, data_dir)


COMMANDS: list[click.Command] = [serve_command, worker_command]
