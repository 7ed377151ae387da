"""The ``docgen`` command line: a thin layer over the library.

Each area keeps its commands in its own module here (a ``COMMANDS`` list); this module
only assembles them. Modules are imported when their command runs, so ``docgen check``
does not pay for the template engine or the ledger reader at start-up.
Exit codes (DESIGN §9): 0 success or complete, 1 incomplete or a domain error,
2 usage or unreadable input.
"""
from __future__ import annotations

import importlib
from typing import Any

import click

from docgen import __version__
from docgen.cli.messages import MESSAGES as CLI, help_text
from docgen.cli.tree import name_values
from docgen.cli.usage import install

install()  # click's usage errors in docgen's language

#: command name -> module under docgen.cli that defines it (in its COMMANDS list).
COMMAND_MODULES: dict[str, str] = {
    "check": "check",
    "init": "check",
    "checklist": "checklist",
    "inspect": "inspect",
    "templates": "templates",
    "render": "templates",
    "batch": "batch",
    "register": "batch",
    "npl-report": "npl",
    "collect": "collect",
    "draft": "draft",
    "serve": "serve",
    "worker": "serve",
    "users": "users",
}

#: command name -> who uses it: the first column of the README's command table, in this order
#: (tools/gen_docs.py fails on a command missing here).
COMMAND_AUDIENCE: dict[str, str] = {
    "check": "credit staff",
    "init": "credit staff",
    "draft": "credit staff",
    "inspect": "credit staff",
    "checklist": "everyone",
    "render": "back office",
    "batch": "back office",
    "templates": "back office",
    "register": "back office",
    "npl-report": "management",
    "collect": "collectors",
    "serve": "administrator",
    "worker": "administrator",
    "users": "administrator",
}


class LazyGroup(click.Group):
    """A group that imports a command's module only when that command is used, and says click's
    usage errors in the command line's language (``docgen.cli.usage``: Chinese unless ``--lang en``)."""

    def main(self, args: Any = None, *rest: Any, **kwargs: Any) -> Any:
        import sys

        from docgen.cli.usage import asked_lang, speaking

        words = sys.argv[1:] if args is None else list(args)
        with speaking(asked_lang([str(word) for word in words])):
            return super().main(args, *rest, **kwargs)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMAND_MODULES)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module_name = COMMAND_MODULES.get(cmd_name)
        if module_name is None:
            return None
        module = importlib.import_module(f"docgen.cli.{module_name}")
        for command in module.COMMANDS:
            if command.name == cmd_name:
                return name_values(command)
        raise CLI.fault(RuntimeError, "command-not-defined", module=module_name, command=cmd_name)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
             help=help_text("help/command/docgen"))
@click.version_option(__version__, prog_name="docgen")
def main() -> None:
    """``docgen``: its help is the cli table's ``help/command/docgen``."""
