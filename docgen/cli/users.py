"""``docgen users add|list|disable|set-password``: the service's local users."""
from __future__ import annotations

import os
from pathlib import Path

import click

from docgen.cli.common import dump_json, emit, handle_errors
from docgen.cli.messages import MESSAGES as CLI, help_text
from docgen.cli.options import format_option
from docgen.cli.serve import data_option


def _store(data_dir: Path | None):  # type: ignore[no-untyped-def]
    from docgen.service.settings import Settings, default_data_dir
    from docgen.service.users import UserStore

    settings = Settings(data_dir or default_data_dir())
    settings.prepare()
    return UserStore(settings.db_path)


def _password() -> str:
    """The password from $DOCGEN_PASSWORD, else asked twice (hidden)."""
    env = os.environ.get("DOCGEN_PASSWORD")
    if env is not None:
        return env
    return click.prompt(CLI.text("users/password-prompt"), hide_input=True,
                        confirmation_prompt=CLI.text("users/password-repeat"))


@click.group("users", help=help_text("help/command/users"))
def users_group() -> None:
    """``docgen users``: its help is the cli table's ``help/command/users``."""


@users_group.command("add", help=help_text("help/command/users-add"))
@click.argument("name")
@click.option("--role", required=True, type=click.Choice(["credit", "backoffice", "compliance", "manager", "admin"]))
@data_option
@handle_errors
def add_command(name: str, role: str, data_dir: Path | None) -> None:
    """``docgen users add``: its help is the cli table's ``help/command/users-add``."""
    store = _store(data_dir)
    user = store.add(name, role, _password())
    click.echo(CLI.text("users/added", {"name": user.name, "role": user.role}))


@users_group.command("list", help=help_text("help/command/users-list"))
@data_option
@format_option("text", "json")
@handle_errors
def list_command(data_dir: Path | None, fmt: str) -> None:
    """``docgen users list``: its help is the cli table's ``help/command/users-list``."""
    users = _store(data_dir).list()
    if fmt == "json":
        emit(dump_json([{"name": u.name, "role": u.role, "active": u.active, "created": u.created} for u in users]), None)
        return
    if not users:
        emit(CLI.text("users/none") + "\n", None)
        return
    emit("".join(CLI.text("users/line", {"name": u.name, "role": u.role, "active": u.active, "created": u.created}) + "\n"
                 for u in users), None)


@users_group.command("disable", help=help_text("help/command/users-disable"))
@click.argument("name")
@data_option
@handle_errors
def disable_command(name: str, data_dir: Path | None) -> None:
    """``docgen users disable``: its help is the cli table's ``help/command/users-disable``."""
    _store(data_dir).disable(name)
    click.echo(CLI.text("users/disabled", {"name": name}))


@users_group.command("set-password", help=help_text("help/command/users-set-password"))
@click.argument("name")
@data_option
@handle_errors
def set_password_command(name: str, data_dir: Path | None) -> None:
    """``docgen users set-password``: its help is the cli table's ``help/command/users-set-password``."""
    store = _store(data_dir)
    store.set_password(name, _password())
    click.echo(CLI.text("users/password-set", {"name": name}))


COMMANDS: list[click.Command] = [users_group]
