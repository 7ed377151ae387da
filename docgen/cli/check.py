"""``docgen check`` (check a client bundle against its checklist) and ``docgen init`` (scaffold one).

Options are validated here (paths exist, choices, dates, percentages); the work is
``docgen.check.output.check_report`` and ``docgen.check.scaffold.scaffold``.
"""
from __future__ import annotations

import datetime as _dt
import sys
from pathlib import Path

import click

from docgen.core.atomic import refuse_overwriting_inputs
from docgen.cli.common import emit, handle_errors, worded_in
from docgen.cli.messages import MESSAGES as CLI, help_text
from docgen.cli.options import (CheckedPath, as_of_option, format_option, lang_option, option_lang, output_option,
                                progress_option)
from docgen.cli.progress import Progress
from docgen.check.messages import OUTPUT, in_english

#: Below this many files a progress bar would only flicker.
PROGRESS_MIN_FILES = 20


def parse_percent(ctx: click.Context, param: click.Parameter, value: str | None) -> float | None:
    """Return a percentage such as ``50`` or ``50%`` as the fraction 0.5; BadParameter outside 0–100."""
    if value is None:
        return None
    text = value.strip().removesuffix("%").strip()
    try:
        pct = float(text)
    except ValueError:
        pct = -1.0
    if not 0 <= pct <= 100:
        raise click.BadParameter(CLI.text("option/percent", {"value": value}, option_lang(ctx)))
    return pct / 100


@click.command("check", help=help_text("help/command/check"))
@click.argument("bundle", type=CheckedPath(exists=True, file_okay=True, dir_okay=True))
@click.option("--stage", metavar="STAGE", help=help_text("help/check-stage"))
@format_option("text", "json", "markdown", "docx", help=help_text("help/check-format"))
@lang_option(help_text("help/check-lang"))
@as_of_option(help_text("help/check-as-of"))
@click.option("--checklist", metavar="NAME|FILE", help=help_text("help/check-checklist"))
@click.option("--equity-threshold", metavar="PCT", callback=parse_percent, help=help_text("help/check-equity"))
@output_option(help_text("help/check-output"))
@click.option("--jobs", type=click.IntRange(min=1), metavar="N", help=help_text("help/check-jobs"))
@click.option("--color/--no-color", default=None, help=help_text("help/check-color"))
@progress_option()
@handle_errors
def check_command(bundle: str, stage: str | None, fmt: str, lang: str, as_of: _dt.date, checklist: str | None,
                  equity_threshold: float | None, output: Path | None, jobs: int | None,
                  color: bool | None, progress: bool | None) -> None:
    """``docgen check``: its help is the cli table's ``help/command/check``."""
    from docgen.check.output import check_report

    if fmt == "docx" and not output:
        raise click.BadParameter(CLI.text("option/docx-needs-output", lang=lang), param_hint="'--format docx'")
    if color is None:
        color = output is None and sys.stdout.isatty()
    # why the check could not run (a bundle or checklist unusable, a stage unknown, the report's file
    # unwritable), in the report's language
    with worded_in(lang, in_english):
        if output:
            refuse_overwriting_inputs(output, [bundle, checklist])
        with Progress(progress, min_total=PROGRESS_MIN_FILES) as bars:
            result = check_report(bundle, fmt=fmt, lang=lang, color=bool(color) and fmt == "text", stage=stage,
                                  checklist=checklist, as_of=as_of, equity_threshold=equity_threshold, jobs=jobs,
                                  progress=lambda total: bars.bar(total, CLI.text("progress/inspecting", lang=lang)))
        if output is None and isinstance(result.rendered, str) and color:
            # click.echo strips ANSI codes when stdout is not a terminal unless told otherwise.
            click.echo(result.rendered, nl=False, color=True)
        else:
            emit(result.rendered, output)
    if output:
        click.echo(OUTPUT.text("wrote", {"path": output}, lang), err=True)
    click.get_current_context().exit(0 if result.complete else 1)


@click.command("init", help=help_text("help/command/init"))
@click.argument("directory", type=CheckedPath(file_okay=False, writable=True))
@click.option("--checklist", metavar="NAME|FILE", help=help_text("help/init-checklist"))
@click.option("--force", is_flag=True, help=help_text("help/init-force"))
@handle_errors
def init_command(directory: str, checklist: str | None, force: bool) -> None:
    """``docgen init``: its help is the cli table's ``help/command/init``."""
    from docgen.check.scaffold import scaffold

    result = scaffold(directory, checklist, force=force)
    click.echo(result.to_text(), nl=False)


COMMANDS: list[click.Command] = [check_command, init_command]
