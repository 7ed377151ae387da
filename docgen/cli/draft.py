"""Command ``docgen draft``: the annexes of 篇十三 from a bundle's ``bundle.yaml`` (DESIGN §10)."""
from __future__ import annotations

import datetime as _dt
from pathlib import Path

import click

from docgen.cli.common import dump_json, emit, handle_errors
from docgen.cli.messages import help_text
from docgen.cli.options import CheckedPath, as_of_option, format_option, register_option
from docgen.documents.draft import draft_annexes


@click.command("draft", help=help_text("help/command/draft"))
@click.argument("bundle", type=CheckedPath(exists=True, path_type=Path))
@click.option("--annex", "annexes", type=click.IntRange(1, 11), multiple=True, metavar="N",
              help=help_text("help/draft-annex"))
@click.option("--out", "out_dir", type=CheckedPath(file_okay=False, writable=True, path_type=Path),
              help=help_text("help/draft-out"))
@click.option("--pdf", is_flag=True, help=help_text("help/draft-pdf"))
@format_option("text", "json")
@click.option("--template", "template_file", type=CheckedPath(exists=True, dir_okay=False, path_type=Path),
              metavar="FILE.docx",
              help=help_text("help/draft-template"))
@as_of_option(help_text("help/draft-as-of"))
@register_option(help_text("help/draft-register"))
@handle_errors
def draft_command(bundle: Path, annexes: tuple[int, ...], out_dir: Path | None, pdf: bool, fmt: str,
                  template_file: Path | None, as_of: _dt.date, register_path: Path) -> None:
    """``docgen draft``: its help is the cli table's ``help/command/draft``."""
    result = draft_annexes(bundle, annexes=list(annexes) or None, out_dir=out_dir, pdf=pdf,
                           template_file=template_file, register_path=register_path,
                           as_of=as_of)
    emit(dump_json(result.to_dict()) if fmt == "json" else result.to_text(), None)
    if not result.complete:
        raise click.exceptions.Exit(1)


COMMANDS: list[click.Command] = [draft_command]
