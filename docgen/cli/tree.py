"""The command line describing itself: its command tree, each command's synopsis and examples.

The README's command table (``tools/gen_docs.py``) and the tests of every ``--help`` read the
commands through here, so a new command or a renamed option shows up in both without anyone
listing it. The convention for examples: a command's help has a line ``Examples:`` (or
``Example:`` / ``示例:``) followed by indented lines, each a complete ``docgen …`` command line
(a trailing ``\\`` continues it on the next line).
"""
from __future__ import annotations

import re
import shlex
from collections.abc import Iterator

import click

__all__ = ["examples", "example_problems", "name_values", "resolve", "summary", "synopsis", "walk"]

_EXAMPLES_HEADING = re.compile(r"^\s*(?:Examples?|示例)\s*[:：]\s*$")
_ROOT = "docgen"


def walk(command: click.Command, path: tuple[str, ...] = (_ROOT,)) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    """Yield ``(path, command)`` for ``command`` and every visible sub-command, depth first, by name.

    ``path`` is the words that invoke it, e.g. ``("docgen", "collect", "plan")``.
    """
    yield path, command
    if isinstance(command, click.Group):
        ctx = click.Context(command, info_name=path[-1])
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            if sub is not None and not sub.hidden:
                yield from walk(sub, path + (name,))


def resolve(root: click.Command, words: list[str]) -> tuple[tuple[str, ...], click.Command, list[str]]:
    """Follow ``words`` (after ``docgen``) down the groups; return the path, the command, the rest."""
    path: tuple[str, ...] = (_ROOT,)
    command = root
    rest = list(words)
    while isinstance(command, click.Group) and rest:
        sub = command.get_command(click.Context(command, info_name=path[-1]), rest[0])
        if sub is None:
            break
        path += (rest.pop(0),)
        command = sub
    return path, command, rest


def _value_metavar(param: click.Parameter) -> str:
    """Return the placeholder of an option's value: its metavar, else one derived from its type."""
    if param.metavar:
        return param.metavar
    kind = param.type
    if isinstance(kind, click.Choice):
        return "|".join(str(c) for c in kind.choices)
    if isinstance(kind, click.Path):
        return "DIR" if not kind.file_okay else "FILE" if not kind.dir_okay else "PATH"
    if isinstance(kind, (click.types.IntParamType, click.IntRange)):
        return "N"
    if isinstance(kind, (click.types.FloatParamType, click.FloatRange)):
        return "SECONDS" if param.name == "timeout" else "NUMBER"
    return (param.name or "value").upper()


def name_values(command: click.Command) -> click.Command:
    """Give each option of ``command`` (and of its sub-commands) that click would show by its
    value's type (``--sheet TEXT``, ``--timeout FLOAT RANGE``, ``-j INTEGER``) the placeholder
    the synopsis shows (``SHEET``, ``SECONDS``, ``N``), so ``--help`` and the README's command
    table say the same; return ``command``."""
    for param in command.params:
        if (isinstance(param, click.Option) and not param.is_flag and param.metavar is None
                and isinstance(param.type, (click.types.StringParamType, click.types.IntParamType,
                                            click.types.FloatParamType))):
            param.metavar = _value_metavar(param)
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            name_values(sub)
    return command


def _param_synopsis(param: click.Parameter) -> str | None:
    """Return how ``param`` is written in a synopsis (``[--format text|json]``), None to leave it out."""
    if getattr(param, "hidden", False):
        return None
    if isinstance(param, click.Argument):
        text = param.metavar or (param.name or "ARG").upper()
        if param.nargs == -1:
            text += " …"
        return text if param.required or text.startswith("[") else f"[{text}]"
    assert isinstance(param, click.Option)
    if param.is_flag and param.secondary_opts:
        text = f"{param.opts[0]}/{param.secondary_opts[0]}"
    elif param.is_flag:
        text = param.opts[0]
    else:
        text = f"{param.opts[0]} {_value_metavar(param)}"
        if param.multiple:
            text += " …"
    return text if param.required else f"[{text}]"


def synopsis(path: tuple[str, ...], command: click.Command) -> str:
    """Return ``command``'s one-line synopsis: its words, arguments, then options in declared order.

    Required options are bare, optional ones bracketed; ``--help`` is left out.
    """
    ctx = click.Context(command, info_name=path[-1])
    help_names = set(ctx.help_option_names)
    params = [p for p in command.params if not (isinstance(p, click.Option) and set(p.opts) & help_names)]
    parts = [_param_synopsis(p) for p in params if isinstance(p, click.Argument)]
    parts += [_param_synopsis(p) for p in params if not isinstance(p, click.Argument)]
    if isinstance(command, click.Group):
        parts.append("COMMAND …")
    return " ".join([*path, *(p for p in parts if p)])


def summary(command: click.Command) -> str:
    """Return the first paragraph of ``command``'s help on one line (empty when it has none)."""
    text = (command.help or "").strip()
    first = re.split(r"\n\s*\n", text, maxsplit=1)[0]
    return " ".join(line.strip() for line in first.splitlines() if line.strip() != "\b")


def examples(help_text: str) -> list[str]:
    """Return the example command lines under the ``Examples:`` heading(s) of ``help_text``.

    A heading is a line ``Examples:``, ``Example:`` or ``示例:``; its examples are the indented
    lines that follow, up to a blank or unindented line; a line ending in ``\\`` continues.
    """
    out: list[str] = []
    lines = help_text.splitlines()
    i = 0
    while i < len(lines):
        heading = lines[i]
        i += 1
        if not _EXAMPLES_HEADING.match(heading):
            continue
        indent = len(heading) - len(heading.lstrip())
        pending = ""
        while i < len(lines) and lines[i].strip() and len(lines[i]) - len(lines[i].lstrip()) > indent:
            part = lines[i].strip()
            i += 1
            if part.endswith("\\"):
                pending += part[:-1].strip() + " "
                continue
            out.append(pending + part)
            pending = ""
        if pending:
            out.append(pending.strip())
    return out


def _option_names(command: click.Command) -> set[str]:
    ctx = click.Context(command, info_name=command.name)
    names = set(ctx.help_option_names)
    for param in command.params:
        if isinstance(param, click.Option):
            names.update(param.opts, param.secondary_opts)
    return names


def example_problems(root: click.Command, line: str, *, group_ok: bool = False) -> list[str]:
    """Return what is wrong with the command line ``line`` against the tree under ``root`` ([] if none).

    Checks that it starts with ``docgen``, that the sub-command exists (a group needs one
    unless ``group_ok`` and nothing follows, as when prose names ``docgen collect``) and that
    every option it uses is one of that command's options.
    """
    try:
        words = shlex.split(line)
    except ValueError as exc:
        return [f"{line!r}: cannot be split into words ({exc})"]
    if not words or words[0] != _ROOT:
        return [f"{line!r}: does not start with {_ROOT!r}"]
    path, command, rest = resolve(root, words[1:])
    if isinstance(command, click.Group):
        if group_ok and not rest:
            return []
        subs = ", ".join(command.list_commands(click.Context(command)))
        return [f"{line!r}: {' '.join(path)} needs one of its sub-commands ({subs})"]
    known = _option_names(command)
    problems = []
    for word in rest:
        if word == "--":
            break
        if word.startswith("-") and len(word) > 1 and not re.fullmatch(r"-\d[\d.]*", word):
            name = word.split("=", 1)[0]
            if name not in known:
                problems.append(f"{line!r}: {' '.join(path)} has no option {name}")
    return problems
