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

@click.group("checklist")
def checklist_group() -> None:
    """清单：查看资料清单 / Show document checklists.

    \b
    Examples:
      docgen checklist list
      docgen checklist show
      docgen checklist show dev-loan --stage pre-contract --lang en
      docgen checklist show my-bank/dev-loan.yaml --format json
      docgen checklist validate my-bank/dev-loan.yaml
    """


@checklist_group.command("list")
def list_command() -> None:
    """List the shipped checklists / 列出内置清单。

    Each name can be given to `docgen checklist show NAME` or `docgen check --checklist NAME`.

    \b
    Example:
      docgen checklist list
    """
    for name in list_checklists():
        click.echo(name)


@checklist_group.command("show")
@click.argument("name", required=False, default="dev-loan", metavar="[NAME|FILE]")
@click.option("--stage", "-s", help=help_text("help/checklist-stage"))
@lang_option(help_text("help/checklist-lang"), default=None)
@format_option("text", "json")
@output_option(help_text("help/checklist-output"))
@handle_errors
def show_command(name: str, stage: str | None, lang: str | None, fmt: str, output: Path | None) -> None:
    """Print a checklist bilingually / 显示资料清单（中英文）。

    NAME is a shipped checklist (default dev-loan) or the path of a bank's own YAML file.
    Exits 2 when the checklist or the stage is unknown; with --lang en, why is said in English.

    \b
    Examples:
      docgen checklist show
      docgen checklist show --stage pre-disbursement --lang zh
      docgen checklist show ./我行清单.yaml --format json
    """
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


@checklist_group.command("validate")
# a FILE missing or a folder is the loader's to refuse, in the tables' words and the language asked
# for, as checklist show and check --checklist say it (click would say it in its own English)
@click.argument("file", type=CheckedPath())
@lang_option(help_text("help/checklist-lang"), default=None)
@handle_errors
def validate_command(file: str, lang: str | None) -> None:
    """Validate a bank's own checklist FILE / 校验自定义清单文件。

    Prints a one-line summary and exits 0 when the file is valid; otherwise prints the key that
    fails (e.g. ``items.site-plan.kinds[1]：不允许的取值 exe``; every reference to what the file does
    not define, each with its key) and exits 2; with --lang en, in English.

    \b
    Examples:
      docgen checklist validate ./我行清单.yaml
      docgen checklist validate ./我行清单.yaml --lang en
    """
    # why the file is no usable checklist, in the language asked for; FILE is the bank's file, even
    # one saved as ``dev-loan`` with no .yaml, never the shipped checklist of that name
    with worded_in(lang, in_english):
        checklist = load_checklist(file, file=True)
    click.echo(validity_line(file, checklist, lang))


COMMANDS: list[click.Command] = [checklist_group]
