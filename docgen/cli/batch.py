"""Commands ``docgen batch`` and ``docgen register list|verify``: a thin layer over
``docgen.documents.batch`` and ``docgen.documents.register``."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click

from docgen.cli.common import dump_json, emit, handle_errors, rows_as_json
from docgen.cli.options import CheckedPath, format_option, new_register_option, progress_option, register_option
from docgen.cli.progress import BATCH_STAGES, Progress
from docgen.cli.messages import MESSAGES as CLI, help_text
from docgen.documents.batch import run_batch
from docgen.documents.register import Register
from docgen.documents.register_report import list_register, verify_register

def _settings(ctx: click.Context, param: click.Parameter, value: tuple[str, ...]) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in value:
        name, sep, text = item.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(CLI.text("option/setting-form", {"item": item}))
        out[name.strip()] = text.strip()
    return out


def _jobs(ctx: click.Context, param: click.Parameter, value: int) -> int:
    if value < 1:
        raise click.BadParameter(CLI.text("option/at-least-one"))
    return value


@click.command("batch", help=help_text("help/command/batch"))
@click.argument("name")
@click.option("--rows", "rows_path", required=True, metavar="FILE.xlsx|csv",
              type=CheckedPath(exists=True, dir_okay=False, path_type=Path),
              help=help_text("help/batch-rows"))
@click.option("--out", "out_dir", required=True, type=CheckedPath(file_okay=False, writable=True, path_type=Path),
              help=help_text("help/batch-out"))
@click.option("--pdf", is_flag=True, help=help_text("help/batch-pdf"))
@click.option("--merge-pdf", "merge_pdf", metavar="FILE.pdf", type=CheckedPath(dir_okay=False, writable=True, path_type=Path),
              help=help_text("help/batch-merge-pdf"))
@click.option("--jobs", "-j", default=1, show_default=True, type=int, callback=_jobs,
              help=help_text("help/batch-jobs"))
@click.option("--skip-invalid", is_flag=True,
              help=help_text("help/batch-skip-invalid"))
@click.option("--template", "template_file", metavar="FILE.docx",
              type=CheckedPath(exists=True, dir_okay=False, path_type=Path),
              help=help_text("help/template-file"))
@click.option("--sheet", help=help_text("help/batch-sheet"))
@click.option("--set", "settings", multiple=True, callback=_settings, metavar="FIELD=VALUE",
              help=help_text("help/batch-set"))
@register_option()
@new_register_option()
@format_option("text", "json")
@progress_option()
@handle_errors
def batch_command(name: str, rows_path: Path, out_dir: Path, pdf: bool, merge_pdf: Path | None, jobs: int,
                  skip_invalid: bool, template_file: Path | None, sheet: str | None, settings: dict[str, str],
                  register_path: Path, new_register: bool, fmt: str, progress: bool | None) -> None:
    """``docgen batch``: its help is the cli table's ``help/command/batch``."""
    # The bars close before anything is printed, the JSON of a RowsError included.
    with rows_as_json(fmt, lambda exc: {"template": name, "written": 0}), \
            Register(register_path, new_register=new_register) as register, \
            Progress(progress, labels=BATCH_STAGES) as bars:
        result = run_batch(
            name, rows_path, out_dir, register=register, template_file=template_file, sheet=sheet, defaults=settings,
            pdf=pdf, merge_pdf=merge_pdf, jobs=jobs, skip_invalid=skip_invalid,
            progress=bars.stage,
        )
    for line in result.warning_lines():
        click.echo(line, err=True)
    # text a line at a time: a batch of any size prints in flat memory
    emit(dump_json(result.to_dict()) if fmt == "json" else result.text_lines(), None)


@click.group("register", help=help_text("help/command/register"))
def register_group() -> None:
    """``docgen register``: its help is the cli table's ``help/command/register``."""


def _register_query(fn: Callable[..., None]) -> Callable[..., None]:
    """The options ``register list`` and ``register verify`` share: ``--template``, ``--register``, ``--format``."""
    for decorate in reversed((click.option("--template", "template", help=help_text("help/register-template")),
                              register_option(), format_option("text", "json"), handle_errors)):
        fn = decorate(fn)
    return fn


@register_group.command("list", help=help_text("help/command/register-list"))
@_register_query
def register_list(template: str | None, register_path: Path | str, fmt: str) -> None:
    """``docgen register list``: its help is the cli table's ``help/command/register-list``."""
    listing = list_register(register_path, template)
    emit(dump_json(listing.to_json()) if fmt == "json" else listing.to_text(), None)


@register_group.command("verify", help=help_text("help/command/register-verify"))
@_register_query
def register_verify(template: str | None, register_path: Path | str, fmt: str) -> None:
    """``docgen register verify``: its help is the cli table's ``help/command/register-verify``."""
    result = verify_register(register_path, template)
    emit(dump_json(result.to_dict()) if fmt == "json" else result.to_text(), None)
    if not result.ok:
        click.get_current_context().exit(1)


@register_group.command("migrate", help=help_text("help/command/register-migrate"))
@click.option("--from", "source", required=True, metavar="FILE.sqlite",
              type=CheckedPath(exists=True, dir_okay=False, path_type=Path), help=help_text("help/migrate-from"))
@click.option("--to", "target", required=True, metavar="postgresql://…",
              help=help_text("help/migrate-to"))
@format_option("text", "json")
@handle_errors
def register_migrate(source: Path, target: str, fmt: str) -> None:
    """``docgen register migrate``: its help is the cli table's ``help/command/register-migrate``."""
    from docgen.core.userdirs import register_path
    from docgen.documents.register_migrate import migrate_register

    done = migrate_register(source, register_path(target))
    emit(dump_json(done.to_dict()) if fmt == "json" else done.to_text(), None)


COMMANDS: list[click.Command] = [batch_command, register_group]
