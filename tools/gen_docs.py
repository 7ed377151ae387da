"""Regenerate the parts of README.md that the code defines, or check that they are current.

    python tools/gen_docs.py           rewrite the generated sections of README.md in place
    python tools/gen_docs.py --check   exit 1 naming every stale section (CI runs this)

A generated section sits between ``<!-- gen:KIND ARG -->`` and ``<!-- /gen -->``:

- ``commands``: the command table, one row per command of the click tree of ``docgen.cli:main``
  (who uses it from ``docgen.cli.COMMAND_AUDIENCE``, its synopsis, the first paragraph of its help);
- ``shape MODULE:NAME``: a JSON shape constant (``docgen.core.jsonshape``) in a code block;
- ``values MODULE:NAME``: the keys of a dict or the items of a sequence, as inline code;
- ``table MODULE:NAME``: a Markdown table from a function returning rows of cells (header row first).

The check also reads every hand-written ``docgen …`` command line and ``--option`` in the
README and fails when one names a command or option that does not exist, or when a JSON shape
(``{"…``) is written by hand instead of generated. Output depends only on
the code (no dates, no terminal width), so running it twice changes nothing.
"""
from __future__ import annotations

import argparse
import importlib
import re
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import click

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
if str(ROOT) not in sys.path:  # run from a checkout without installing
    sys.path.insert(0, str(ROOT))

from docgen.cli import COMMAND_AUDIENCE, main  # noqa: E402
from docgen.cli.tree import example_problems, summary, synopsis, walk  # noqa: E402
from docgen.core.atomic import write_text_atomic  # noqa: E402
from docgen.core.jsonshape import render  # noqa: E402

SECTION = re.compile(r"<!-- gen:(?P<kind>[a-z]+)(?: (?P<arg>\S+))? -->(?P<body>.*?)<!-- /gen -->", re.S)
WIDTH = 100


class StaleError(Exception):
    """A section that cannot be generated (unknown kind, missing constant, command without audience)."""


def _constant(arg: str | None) -> object:
    module_name, _, name = (arg or "").partition(":")
    if not module_name or not name:
        raise StaleError(f"expected MODULE:NAME, got {arg!r}")
    try:
        return getattr(importlib.import_module(module_name), name)
    except (ImportError, AttributeError) as exc:
        raise StaleError(f"{arg} does not exist ({exc})") from None


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def commands_table(arg: str | None = None) -> str:
    """Return the Markdown command table: who, synopsis, what it does; leaf commands only."""
    audiences = list(dict.fromkeys(COMMAND_AUDIENCE.values()))
    rows = []
    for path, command in walk(main):
        if len(path) < 2 or isinstance(command, click.Group):
            continue
        who = COMMAND_AUDIENCE.get(path[1])
        if who is None:
            raise StaleError(f"command {path[1]!r} has no entry in docgen.cli.COMMAND_AUDIENCE: add who uses it")
        rows.append((audiences.index(who), list(COMMAND_AUDIENCE).index(path[1]), path, who, command))
    rows.sort(key=lambda r: r[:3])
    lines = ["| who | command | what it does |", "| --- | --- | --- |"]
    for *_, path, who, command in rows:
        lines.append(f"| {who} | `{_cell(synopsis(path, command))}` | {_cell(summary(command))} |")
    return "\n" + "\n".join(lines) + "\n"


def shape_block(arg: str | None) -> str:
    """Return the shape constant ``arg`` rendered and wrapped in a fenced code block."""
    text = render(_constant(arg))
    wrapped = textwrap.wrap(text, WIDTH, subsequent_indent=" ", break_long_words=False, break_on_hyphens=False)
    return "\n```\n" + "\n".join(wrapped) + "\n```\n"


def values_inline(arg: str | None) -> str:
    """Return the keys (dict) or items (sequence) of the constant ``arg`` as inline code, comma separated."""
    value = _constant(arg)
    if not isinstance(value, (dict, list, tuple)):
        raise StaleError(f"{arg} is not a dict or a sequence")
    return ", ".join(f"`{v}`" for v in value)


def rows_table(arg: str | None) -> str:
    """Return the rows of the function ``arg`` (header row first) as a Markdown table block."""
    maker = _constant(arg)
    rows = maker() if callable(maker) else maker
    if not isinstance(rows, (list, tuple)) or len(rows) < 2 or len({len(row) for row in rows}) != 1:
        raise StaleError(f"{arg} must give a header row and at least one row, all of one width")
    header, *body = rows
    lines = ["| " + " | ".join(_cell(str(cell)) for cell in header) + " |", "|" + " --- |" * len(header)]
    lines += ["| " + " | ".join(_cell(str(cell)) for cell in row) + " |" for row in body]
    return "\n" + "\n".join(lines) + "\n"


KINDS: dict[str, Callable[[str | None], str]] = {
    "commands": commands_table,
    "shape": shape_block,
    "values": values_inline,
    "table": rows_table,
}


def section_name(match: re.Match[str]) -> str:
    """Return how a section is named in messages, e.g. ``shape docgen.check.shapes:REPORT_JSON``."""
    return " ".join(p for p in (match["kind"], match["arg"]) if p)


def generate(text: str) -> tuple[str, list[str], list[str]]:
    """Return ``text`` with every section regenerated, the names of stale sections, and errors."""
    stale: list[str] = []
    errors: list[str] = []

    def replace(match: re.Match[str]) -> str:
        name = section_name(match)
        maker = KINDS.get(match["kind"])
        try:
            if maker is None:
                raise StaleError(f"unknown kind {match['kind']!r} (known: {', '.join(KINDS)})")
            body = maker(match["arg"])
        except StaleError as exc:
            errors.append(f"section '{name}': {exc}")
            return match.group(0)
        if "\n" in body:  # a block: indented like its marker (e.g. inside a list item)
            line_start = text.rfind("\n", 0, match.start()) + 1
            indent = text[line_start:match.start()]
            if indent.strip():
                errors.append(f"section '{name}': a block section's marker must start its line")
                return match.group(0)
            first, *middle, last = body.split("\n")
            body = "\n".join([first, *(indent + line if line else "" for line in middle), indent + last])
        if body != match["body"]:
            stale.append(name)
        return f"<!-- gen:{name} -->{body}<!-- /gen -->"

    return SECTION.sub(replace, text), stale, errors


def prose_problems(text: str) -> list[str]:
    """Return every hand-written ``docgen …`` line or ``--option`` in ``text`` that the CLI lacks."""
    hand = SECTION.sub("", text)
    options = {"-h", "--help"} | {name for _, command in walk(main) for p in command.params
                                  for name in (*p.opts, *p.secondary_opts)}
    problems = []
    spans = re.findall(r"```(?:bash)?\n(.*?)```", hand, re.S)
    lines = [line for block in spans for line in block.splitlines()]
    lines += re.findall(r"(?<!`)`([^`\n]+)`(?!`)", re.sub(r"```.*?```", "", hand, flags=re.S))
    for line in lines:
        line = line.strip()
        if line.startswith("docgen "):
            problems += example_problems(main, line.replace("…", "").replace("\\|", "|"), group_ok=True)
        elif re.match(r'\[?\{"', line):
            problems.append(f"{line[:40]!r}…: a JSON shape written by hand; declare it in docgen/<part>/shapes.py "
                            "and embed it with <!-- gen:shape MODULE:NAME --><!-- /gen -->")
        elif re.match(r"--?[a-z]", line):
            name = line.split()[0].split("=")[0]
            if name not in options:
                problems.append(f"{line!r}: no docgen command has the option {name}")
    return problems


def run(check: bool, readme: Path = README) -> int:
    """Regenerate (or with ``check`` only verify) ``readme``; return the exit status, reporting on stderr."""
    text = readme.read_text(encoding="utf-8")
    new, stale, errors = generate(text)
    if not SECTION.search(text):
        errors.append(f"{readme.name} has no generated sections (<!-- gen:KIND ARG --> … <!-- /gen -->)")
    errors += [f"hand-written text {p}" for p in prose_problems(new)]
    for message in errors:
        print(f"{readme.name}: {message}", file=sys.stderr)
    if check:
        for name in stale:
            print(f"{readme.name}: section '{name}' is stale; run: python tools/gen_docs.py", file=sys.stderr)
        return 1 if stale or errors else 0
    if new != text:
        write_text_atomic(readme, new)
        print(f"{readme.name}: regenerated {', '.join(stale)}", file=sys.stderr)
    return 1 if errors else 0


def cli(argv: list[str] | None = None) -> int:
    """Parse ``argv`` and run; return the exit status."""
    parser = argparse.ArgumentParser(description="Regenerate README.md's generated sections from the code.")
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 naming each stale section")
    args = parser.parse_args(argv)
    return run(args.check)


if __name__ == "__main__":
    sys.exit(cli())
