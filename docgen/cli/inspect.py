"""``docgen inspect``: what the checker sees in one file."""
from __future__ import annotations

import click

from docgen.cli.common import dump_json, handle_errors
from docgen.cli.messages import help_text
from docgen.cli.options import CheckedPath, format_option
from docgen.check.inspection import inspect_path
from docgen.check.messages import OUTPUT

#: The fields shown, in order; each is labelled by ``inspect/<field>`` in the check output table.
_FIELDS = ("kind", "size", "sha256", "pages", "encrypted", "readable", "signed", "problem")


def _value(key: str, value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return OUTPUT.text("inspect/yes" if value else "inspect/no")
    if key == "size":
        return OUTPUT.text("inspect/bytes", {"size": value})
    return str(value)


@click.command("inspect", help=help_text("help/command/inspect"))
@click.argument("file", type=CheckedPath(exists=True, dir_okay=False))
@format_option("text", "json", help=help_text("help/inspect-format"))
@click.option("--timeout", type=click.FloatRange(min=0.1), default=10.0, show_default=True,
              help=help_text("help/inspect-timeout"))
@handle_errors
def inspect_command(file: str, fmt: str, timeout: float) -> None:
    """``docgen inspect``: its help is the cli table's ``help/command/inspect``."""
    info = inspect_path(file, timeout=timeout)
    if fmt == "json":
        click.echo(dump_json(info.to_dict()), nl=False)
    else:
        click.echo(OUTPUT.text("inspect/file", {"path": info.path}))
        for key in _FIELDS:
            value = getattr(info, key)
            text = _value(key, value)
            if key == "problem" and value:
                text = click.style(OUTPUT.text("inspect/problem-detail", {"problem": value, "detail": info.detail}), fg="red")
            click.echo(OUTPUT.text("inspect/field", {"label": OUTPUT.text(f"inspect/{key}"), "value": text}))
    if info.problem is not None:
        click.get_current_context().exit(1)


COMMANDS: list[click.Command] = [inspect_command]
