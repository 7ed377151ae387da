from __future__ import annotations

import importlib

from click.testing import CliRunner

from docgen.cli import COMMAND_AUDIENCE, COMMAND_MODULES, main


def test_every_registered_command_resolves() -> None:
    for name, module in COMMAND_MODULES.items():
        command = main.get_command(None, name)  # type: ignore[arg-type]
        assert command is not None and command.name == name
        assert command in importlib.import_module(f"docgen.cli.{module}").COMMANDS


def test_every_command_says_who_uses_it() -> None:
    assert set(COMMAND_AUDIENCE) == set(COMMAND_MODULES)  # the README's command table needs it


def test_every_module_command_is_registered() -> None:
    for module in set(COMMAND_MODULES.values()):
        for command in importlib.import_module(f"docgen.cli.{module}").COMMANDS:
            assert COMMAND_MODULES.get(command.name) == module, command.name


def test_help_lists_commands_and_unknown_command_is_usage_error() -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["--help"])
    assert result.exit_code == 0
    for name in COMMAND_MODULES:
        assert name in result.output
    result = runner.invoke(main, ["no-such-command"])
    assert result.exit_code == 2
    assert "错误：没有命令“no-such-command”。" in result.output
