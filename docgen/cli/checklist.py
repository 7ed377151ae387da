"""``docgen checklist``: show the shipped (or a bank's own) checklist, bilingually."""
from __future__ import annotations

from pathlib import Path

import click

from docgen.check.checklist import list_checklists, load_checklist
from docgen.check.checklist_text import checklist_json, render_checklist, validity_line
from docgen.check.messages import OUTPUT, in_english
from docgen.cli.common import dump_json, emit, handle_errors, worded_in
from docgen.cli.messages import help_text
from docgen.cli.options import CheckedPath, format_option, lang_option, output_option

@click.group("checklist", help=help_text("help/command/checklist"))
def checklist_group() -> None:
    """``docgen checklist``: its help is the cli table's ``help/command/checklist``."""


@checklist_group.command("list", help=help_text("help/command/checklist-list"))
def list_command() -> None:
    """``docgen checklist list``: its help is the cli table's ``help/command/checklist-list``."""
    for name in list_checklists():
        click.echo(name)


@checklist_group.command("show", help=help_text("help/command/checklist-show"))
@click.argument("name", required=False, default="dev-loan", metavar="[NAME|FILE]")
@click.option("--stage", "-s", help=help_text("help/checklist-stage"))
@lang_option(help_text("help/checklist-lang"), default=None)
@format_option("text", "json")
@output_option(help_text("help/checklist-output"))
@handle_errors
def show_command(name: str, stage: str | None, lang: str | None, fmt: str, output: Path | None) -> None:
    """``docgen checklist show``: its help is the cli table's ``help/command/checklist-show``."""
    # why it cannot be shown (a checklist unknown or unusable, a stage unknown, the file unwritable),
    # in the language asked for
    with worded_in(lang, in_english):
        checklist = load_checklist(name)
        if fmt == "json":
            emit(dump_json(checklist_json(checklist, stage)), output)
        else:
            emit(render_checklist(checklist, stage, lang), output)
    if output is not None and str(output) != "-":  # as check says where its report went
        click.echo(OUTPUT.text("wrote", {"path": output}, lang or "zh"), err=True)


@checklist_group.command("validate", help=help_text("help/command/checklist-validate"))
# a FILE missing or a folder is the loader's to refuse, in the tables' words and the language asked
# for, as checklist show and check --checklist say it (click would say it in its own English)
@click.argument("file", type=CheckedPath())
@lang_option(help_text("help/checklist-lang"), default=None)
@handle_errors
def validate_command(file: str, lang: str | None) -> None:
    """``docgen checklist validate``: its help is the cli table's ``help/command/checklist-validate``."""
    # why the file is no usable checklist, in the language asked for; FILE is the bank's file, even
    # one saved as ``dev-loan`` with no .yaml, never the shipped checklist of that name
    with worded_in(lang, in_english):
        checklist = load_checklist(file, file=True)
    click.echo(validity_line(file, checklist, lang))


COMMANDS: list[click.Command] = [checklist_group]
