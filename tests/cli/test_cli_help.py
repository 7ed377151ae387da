"""Every command's ``--help``: it works, and it ends with examples that name real commands and options.

The commands come from walking the click tree of ``docgen.cli:main``, so a new command or
sub-command is covered without being listed here.
"""
from __future__ import annotations

import re

import click
import pytest
from click.testing import CliRunner

from docgen.cli import main
from docgen.cli.tree import example_problems, examples, resolve, synopsis, walk
from wordingkit import chinese_clauses, punctuation_problems

COMMANDS = list(walk(main))


def test_the_tree_reaches_every_level() -> None:
    paths = {" ".join(path) for path, _ in COMMANDS}
    assert {"docgen", "docgen check", "docgen collect", "docgen collect plan", "docgen register verify"} <= paths
    assert len(paths) == len(COMMANDS)


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=[" ".join(p) for p, _ in COMMANDS])
def test_help_exits_0_and_shows_working_examples(path: tuple[str, ...], command: click.Command) -> None:
    result = CliRunner().invoke(main, [*path[1:], "--help"])
    assert result.exit_code == 0, result.output
    shown = examples(result.output)
    assert shown, f"{' '.join(path)} --help has no 'Examples:' block of docgen command lines"
    own = [line for line in shown if line == " ".join(path) or line.startswith(" ".join(path) + " ")]
    assert own, f"{' '.join(path)} --help: no example runs {' '.join(path)} itself: {shown}"
    assert [p for line in shown for p in example_problems(main, line)] == []


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=[" ".join(p) for p, _ in COMMANDS])
def test_help_names_option_values_as_the_synopsis_does(path: tuple[str, ...], command: click.Command) -> None:
    # `--sheet TEXT`, `--timeout FLOAT RANGE` told a clerk nothing the README's SHEET, SECONDS did.
    result = CliRunner().invoke(main, [*path[1:], "--help"])
    shown = re.findall(r"^\s+(?:-\w, )?(--[\w-]+) ([A-Z][A-Z.|/:…-]*(?: RANGE)?)", result.output, re.M)
    assert [(opt, meta) for opt, meta in shown if meta in {"TEXT", "INTEGER", "FLOAT", "INTEGER RANGE", "FLOAT RANGE"}] == []
    line = synopsis(path, command)
    named = {"--timeout": "SECONDS", "--sheet": "SHEET", "--jobs": "N", "--branch": "BRANCH", "--host": "HOST"}
    assert [(opt, meta) for opt, meta in shown if opt in named and (meta != named[opt] or opt not in line)] == []


def test_examples_block_parsing() -> None:
    text = ("Do things.\n\n  Examples:\n    docgen npl-report --ledger a.xlsx \\\n        --period 2026Q2\n"
            "    docgen check b\n\n  More text.\n    docgen not-an-example\n")
    assert examples(text) == ["docgen npl-report --ledger a.xlsx --period 2026Q2", "docgen check b"]
    assert examples("示例:\n  docgen templates list\n") == ["docgen templates list"]
    assert examples("No examples here.\n  docgen check x\n") == []


def test_example_problems_name_the_wrong_part() -> None:
    assert example_problems(main, "docgen batch x --rows r.xlsx --out o --skip-bad") == [
        "'docgen batch x --rows r.xlsx --out o --skip-bad': docgen batch has no option --skip-bad"]
    assert example_problems(main, "docgen collect --ledger l.xlsx") == [
        "'docgen collect --ledger l.xlsx': docgen collect needs one of its sub-commands (letters, plan)"]
    assert example_problems(main, "docgen collect", group_ok=True) == []
    assert example_problems(main, "python -m docgen") == ["'python -m docgen': does not start with 'docgen'"]
    assert example_problems(main, "docgen check b --as-of=2026-11-28 -o r.json --no-color") == []


def test_synopsis_marks_required_and_optional() -> None:
    path, command, rest = resolve(main, ["collect", "plan"])
    assert path == ("docgen", "collect", "plan") and rest == []
    line = synopsis(path, command)
    assert line.startswith("docgen collect plan --ledger FILE.xlsx|csv [--as-of DATE] ")
    assert "[--format text|json|xlsx]" in line and "[-o FILE]" in line
    path, command, _ = resolve(main, ["batch"])
    line = synopsis(path, command)
    assert "[--set FIELD=VALUE …]" in line and "[--progress/--no-progress]" in line and "--help" not in line


def _help_texts() -> list[tuple[str, str]]:
    """Return ``(place, text)`` for every help a user reads: each command's help and short help,
    each option's and argument's help."""
    texts = []
    for path, command in COMMANDS:
        where = " ".join(path)
        texts += [(where, text) for text in (command.help, command.short_help, command.epilog) if text]
        texts += [(f"{where} {param.name}", param.help) for param in command.params
                  if getattr(param, "help", None)]
    return texts


def test_chinese_help_takes_full_width_punctuation() -> None:
    """GB/T 15834 in ``--help`` as in the documents: the Chinese clauses of every help text."""
    found = [f"{where}: …{snippet}…" for where, text in _help_texts() for clause in chinese_clauses(text)
             for snippet in punctuation_problems(clause)]
    assert found == []


def test_help_clauses_part_chinese_from_english() -> None:
    text = ("期末贷款台账 (.xlsx / .csv),closing snapshot of the loan ledger.\n\n"
            "Roles: credit (客户经理), backoffice (后台运营).\n"
            "    \x08\n    Optional columns:\n      保证方式, 向保证人主张日        which guarantors are liable\n"
            "Show checklists / 显示资料清单(中英文).")
    clauses = list(chinese_clauses(text))
    assert [c for c in clauses if punctuation_problems(c)] == [
        "期末贷款台账 (.xlsx", "保证方式, 向保证人主张日", "显示资料清单(中英文)."]
    assert not punctuation_problems("".join(chinese_clauses("期末贷款台账（.xlsx / .csv），closing snapshot.")))
