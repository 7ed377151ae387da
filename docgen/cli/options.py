"""Options several commands share, declared once so they read and behave the same everywhere.

Each function returns a click decorator. A command keeps its own help text where its use of
the option differs (what the date means, what is written); the type, the parsing, the
defaults and the error messages come from here.
"""
from __future__ import annotations

import datetime as _dt
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from docgen.cli.messages import MESSAGES as CLI, help_text
from docgen.core.messages import MESSAGES as CORE
from docgen.core.wording import english_of

F = TypeVar("F", bound=Callable[..., Any])

__all__ = ["CheckedPath", "as_of_option", "format_option", "lang_option", "option_lang", "output_option",
           "policy_option", "progress_option", "register_option", "worded", "REGISTER_HELP"]

REGISTER_HELP = help_text("help/register")


def format_option(*choices: str, default: str = "text", help: str | None = None) -> Callable[[F], F]:
    """``--format`` (parameter ``fmt``): one of ``choices``, ``default`` shown in the help."""
    return click.option("--format", "fmt", type=click.Choice(list(choices)), default=default,
                        show_default=True, help=help)


def lang_option(help: str, *, default: str | None = "zh") -> Callable[[F], F]:
    """``--lang zh|en`` (parameter ``lang``, default ``default``; None for a command that speaks both
    languages unless told): the language of a command's report and messages. Read before the other
    options (eager), so that their errors are worded in it (``option_lang``)."""
    return click.option("--lang", type=click.Choice(["zh", "en"]), default=default,
                        show_default=default is not None, is_eager=True, help=help)


def option_lang(ctx: click.Context | None) -> str:
    """Return the language the command's options are worded in: its ``--lang`` (``lang_option``)
    when it has one and it is ``en``, else ``zh``."""
    return "en" if ctx is not None and ctx.params.get("lang") == "en" else "zh"


def worded(error: Exception, lang: str) -> str:
    """Return ``error`` worded in ``lang``: in English by its code and facts from core's table
    (a date, a permission refused) where that has English for it, else its own (Chinese) text."""
    return english_of(error, CORE) if lang == "en" else str(error)


class CheckedPath(click.Path):
    """click's ``Path``, with permission refusals worded as docgen words them everywhere.

    Before click's own checks, a path that exists but may not be read (a file of mode 000, a
    folder that may not be listed or entered, a path through a folder that may not be entered)
    and, for a ``writable`` path, a folder a file may not be made in stop the command with one
    line from ``docgen.core.access`` (exit 2), where click would say in English that the path
    is "not readable", or that a path it may not look at "does not exist". A ``writable`` path
    is an output: it need not be readable.
    """

    def __init__(self, **kwargs: Any) -> None:
        if kwargs.get("writable"):
            kwargs.setdefault("readable", False)
        super().__init__(**kwargs)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from docgen.cli.common import DocgenClickError
        from docgen.core.access import check_readable, check_writable
        from docgen.core.errors import DocgenError

        if not (self.allow_dash and os.fspath(value) == "-") and self._accepts(value):
            try:
                if self.writable:
                    check_writable(value, folder=not self.file_okay)
                elif self.readable:
                    check_readable(value)
            except DocgenError as exc:
                raise DocgenClickError(exc, worded(exc, option_lang(ctx))) from None
        return super().convert(value, param, ctx)

    def _accepts(self, value: Any) -> bool:
        """Whether what is at ``value`` is of the kind this option takes (or nothing is there, or it
        cannot be seen): a folder given for a file, or a file for a folder, is click's to refuse as
        such, whatever its permissions."""
        try:
            mode = os.stat(value).st_mode
        except (OSError, ValueError):
            return True
        return (self.dir_okay or not stat.S_ISDIR(mode)) and (self.file_okay or stat.S_ISDIR(mode))


class _OutputFile(CheckedPath):
    """A file to write: click's ``Path`` (an existing folder refused), and a name ending in a
    separator refused too, since ``Path("out/")`` would quietly become a file called ``out``."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        text = os.fspath(value)
        if text.endswith(("/", os.sep)):
            self.fail(CLI.text("option/output-folder", {"path": text}, option_lang(ctx)), param, ctx)
        return super().convert(value, param, ctx)


def output_option(help: str, *, required: bool = False, metavar: str | None = None) -> Callable[[F], F]:
    """``-o/--output`` (parameter ``output``, a ``Path`` or None): a file, never a folder.

    ``metavar`` names the kind of file in the help (``FILE.docx``); default ``FILE``.
    """
    return click.option("-o", "--output", type=_OutputFile(dir_okay=False, writable=True, path_type=Path),
                        required=required, metavar=metavar, help=help)


def _register_path(ctx: click.Context, param: click.Parameter, value: str | None) -> Path | str:
    from docgen.core.userdirs import register_path

    return register_path(value)


def register_option(help: str = REGISTER_HELP) -> Callable[[F], F]:
    """``--register`` (parameter ``register_path``): a ``Path``, or a ``postgresql://`` URL as text;
    the default one filled in.

    ``$DOCGEN_REGISTER`` stands in for the option; without either, the per-user register
    (``docgen.core.userdirs.default_register_path``).
    """
    return click.option("--register", "register_path", envvar="DOCGEN_REGISTER", show_envvar=True,
                        metavar="FILE|postgresql://…", callback=_register_path, help=help)


def new_register_option() -> Callable[[F], F]:
    """``--new-register``: start a fresh register where its anchor says one was (serials restart at 1)."""
    return click.option("--new-register", is_flag=True, help=help_text("help/new-register"))


def _today_or_date(ctx: click.Context, param: click.Parameter, value: str | None) -> _dt.date:
    return _dt.date.today() if value is None else _date(ctx, param, value)


def _date(ctx: click.Context, param: click.Parameter, value: str | None) -> _dt.date | None:
    from docgen.core.values import parse_working_date

    if value is None:
        return None
    try:
        return parse_working_date(value)
    except ValueError as exc:
        lang = option_lang(ctx)
        raise click.BadParameter(CLI.text("option/date", {"reason": worded(exc, lang)}, lang)) from None


def as_of_option(help: str, *, default_today: bool = True) -> Callable[[F], F]:
    """``--as-of DATE`` (parameter ``as_of``), read by ``parse_working_date``.

    2026-11-28, 2026/11/28, 2026.11.28 and 2026年11月28日 are accepted; a bad or impossible
    date, or one outside 1900–2199, is a usage error (exit 2) with the same message in every
    command. Absent, it is today, or None when ``default_today`` is False (the command
    picks its own default).
    """
    return click.option("--as-of", "as_of", metavar="DATE", help=help,
                        callback=_today_or_date if default_today else _date)


def policy_option(help: str) -> Callable[[F], F]:
    """``--policy FILE`` (parameter ``policy_path``): an existing, readable collection policy YAML."""
    return click.option("--policy", "policy_path", metavar="FILE.yaml",
                        type=CheckedPath(exists=True, dir_okay=False, path_type=Path), help=help)


def progress_option() -> Callable[[F], F]:
    """``--progress/--no-progress`` (parameter ``progress``): None means "when stderr is a terminal"."""
    return click.option("--progress/--no-progress", default=None, help=help_text("help/progress"))
