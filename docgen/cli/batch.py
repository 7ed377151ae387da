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


@click.command("batch")
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
    """Generate one serial-numbered document per row of --rows with template NAME.

    Every row is checked first; any bad row is reported with its row and column (the
    spreadsheet header) and what to fix, and NOTHING is written (exit 1) unless
    --skip-invalid. Each document gets the next serial from the register; a row already
    issued (same template and row key, e.g. 借款合同号) is skipped and keeps its serial, so
    re-running a batch -- also one that was interrupted -- never issues a letter twice.
    Files are written atomically; manifest.csv and manifest.json list row, row key,
    serial, file and SHA-256.

    \b
    Exit status: 0 done (also with --skip-invalid), 1 bad rows, 2 unreadable input.

    \b
    Examples:
      docgen batch demand-letter --rows examples/templates/demand-letters.xlsx --out out/letters
      docgen batch demand-letter --rows 催收名单.csv --out out/ --pdf --merge-pdf out/打印.pdf -j 2
      docgen batch demand-letter --rows 名单.xlsx --out out/ --template 我行催收函.docx --skip-invalid
      docgen batch demand-letter --rows 名单.csv --out out/ --set letter_date=2026-11-28 --set contact=陈晓燕
    """
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


@click.group("register")
def register_group() -> None:
    """The serial-number register: what was issued, and whether the files are intact.

    \b
    Examples:
      docgen register list --template demand-letter
      docgen register verify --register out/register.sqlite
    """


def _register_query(fn: Callable[..., None]) -> Callable[..., None]:
    """The options ``register list`` and ``register verify`` share: ``--template``, ``--register``, ``--format``."""
    for decorate in reversed((click.option("--template", "template", help=help_text("help/register-template")),
                              register_option(), format_option("text", "json"), handle_errors)):
        fn = decorate(fn)
    return fn


@register_group.command("list")
@_register_query
def register_list(template: str | None, register_path: Path | str, fmt: str) -> None:
    """List issued documents: serial, template, row key, file, SHA-256, time.

    \b
    Examples:
      docgen register list
      docgen register list --template demand-letter --format json
    """
    listing = list_register(register_path, template)
    emit(dump_json(listing.to_json()) if fmt == "json" else listing.to_text(), None)


@register_group.command("verify")
@_register_query
def register_verify(template: str | None, register_path: Path | str, fmt: str) -> None:
    """Check the register and re-hash every issued file; exit 1 naming each problem (0 when all intact).

    The register itself is checked first: the database's integrity check, its anchor file
    (REGISTER.anchor: an emptied, replaced or rolled-back database), the hash chain over its
    records (the first edited record, or the one after a deleted record, is named) and gaps
    in each template's sequence numbers. The database is opened read-only.

    A serial reserved by a batch that stopped before writing its file is reported as
    incomplete: re-run that batch to issue it.

    \b
    Examples:
      docgen register verify
      docgen register verify --template demand-letter --format json
    """
    result = verify_register(register_path, template)
    emit(dump_json(result.to_dict()) if fmt == "json" else result.to_text(), None)
    if not result.ok:
        click.get_current_context().exit(1)


@register_group.command("migrate")
@click.option("--from", "source", required=True, metavar="FILE.sqlite",
              type=CheckedPath(exists=True, dir_okay=False, path_type=Path), help=help_text("help/migrate-from"))
@click.option("--to", "target", required=True, metavar="postgresql://…",
              help=help_text("help/migrate-to"))
@format_option("text", "json")
@handle_errors
def register_migrate(source: Path, target: str, fmt: str) -> None:
    """Move a register to another database, keeping every serial, link and seal; verify the copy.

    The copy is audited (chain, gaps, integrity) and compared record for record with the
    source; exit 1 if anything differs. Afterwards point every docgen at the new register
    (DOCGEN_REGISTER=postgresql://…) and stop using the old file.

    \b
    Examples:
      docgen register migrate --from register.sqlite --to postgresql://docgen@db.bank/docgen
    """
    from docgen.core.userdirs import register_path
    from docgen.documents.register_migrate import migrate_register

    done = migrate_register(source, register_path(target))
    emit(dump_json(done.to_dict()) if fmt == "json" else done.to_text(), None)


COMMANDS: list[click.Command] = [batch_command, register_group]
