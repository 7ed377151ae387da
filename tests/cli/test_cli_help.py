"""Every command's ``--help``: it works, it ends with examples that name real commands and options, and
its options are helped in Chinese unless ``--lang en`` asks for their English.

The commands come from walking the click tree of ``docgen.cli:main``, so a new command or
sub-command is covered without being listed here.
"""
from __future__ import annotations

import re

import click
import pytest
from click.testing import CliRunner

from docgen.cli import main
from docgen.cli.messages import HELP_TEXTS, MESSAGES
from docgen.cli.options import new_register_option
from docgen.cli.tree import example_problems, examples, resolve, summary, synopsis, walk
from docgen.core.textwidth import display_width
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


#: Three English words in a row: an English sentence, or most of one (a Chinese help names files,
#: options and values in ASCII one or two words at a time: “.xlsx 或 .csv”, “pre-application”).
_ENGLISH = re.compile(r"[A-Za-z]{2,}(?:[ ,'’]+[A-Za-z]{2,}){2,}")


def _option_helps(page: str) -> dict[str, str]:
    """Return each option's help on a help page, by the option's names as shown (``-o, --output FILE``),
    its wrapped lines joined, without the bracketed notes click adds: the entries of the options section."""
    section = re.split(r"^(?:选项：|Options:)\n", page, maxsplit=1, flags=re.M)[1]
    section = re.split(r"\n\n", section, maxsplit=1)[0]
    entries: dict[str, str] = {}
    for names, text in re.findall(r"^  (-\S.*?)(?: {2,}|\n {20,})(.*?)(?=^  -|\Z)", section + "\n", re.M | re.S):
        entries[names.strip()] = " ".join(text.split())
    return entries


def _unwrapped(page: str) -> str:
    """Return ``page`` without its white space: a help wrapped at any width, compared whole."""
    return re.sub(r"\s+", "", page)


def _chinese_pages() -> list[tuple[str, str]]:
    """Return ``(command, help page)`` for every command of the tree, asked without ``--lang``."""
    return [(" ".join(path), CliRunner().invoke(main, [*path[1:], "--help"]).output) for path, _ in COMMANDS]


def test_option_helps_are_read_from_a_help_page() -> None:
    page = CliRunner().invoke(main, ["check", "--help"]).output
    helps = _option_helps(page)
    assert helps["--lang [zh|en]"] == "标题和提示信息的语言。（默认：zh）"
    assert helps["--format [text|json|markdown|docx]"].endswith("（须用 -o）。（默认：text）")
    assert helps["-h, --help"] == "显示本帮助并退出。"
    assert len(helps) == len([p for p in main.get_command(click.Context(main), "check").params
                              if isinstance(p, click.Option)]) + 1  # -h


def test_every_option_is_helped_in_chinese_on_a_chinese_help_page() -> None:
    """No option's help is left in English on a help page that is Chinese (every page without ``--lang en``):
    its English is what ``--lang en`` shows, and the table's Chinese what the Chinese page shows."""
    english = [f"{command} {names}: {text}" for command, page in _chinese_pages() for names, text in _option_helps(page).items()
               if _ENGLISH.search(text)]
    assert english == []


def test_english_wording_in_an_option_help_would_be_caught() -> None:
    assert _ENGLISH.search("耗时较长的工作显示进度条。Default: when stderr is a terminal.")
    assert _ENGLISH.search("Only this template's records.")
    assert not _ENGLISH.search("用 N 个进程检查和生成；用 --pdf 时启动 N 个 LibreOffice。（默认：1）")
    assert not _ENGLISH.search("开发贷为 pre-application、pre-contract 或 pre-disbursement。")
    assert not _ENGLISH.search("多个实例或 worker 共用时用 postgresql:// 地址。")
    assert not _ENGLISH.search("判断资料是否过期的日期，格式 YYYY-MM-DD。")


def test_a_lang_en_help_page_keeps_every_option_help_in_english() -> None:
    """The commands that speak English when told (``--lang``) show each option's help as the option is given
    it (the table's English), not its Chinese."""
    told = [(path, command) for path, command in COMMANDS if any(p.name == "lang" for p in command.params)]
    assert {" ".join(path) for path, _ in told} == {"docgen check", "docgen checklist show",
                                                   "docgen checklist validate", "docgen templates list",
                                                   "docgen templates show"}
    for path, command in told:
        page = _unwrapped(CliRunner().invoke(main, [*path[1:], "--help", "--lang", "en"]).output)
        assert "选项" not in page
        assert [p.name for p in command.params if isinstance(p, click.Option) and p.help
                and _unwrapped(p.help) not in page] == []
        assert [p.name for p in command.params if p.help in HELP_TEXTS
                and _unwrapped(MESSAGES.text(HELP_TEXTS[p.help])) in page] == []


def test_every_help_entry_is_given_to_a_command_or_option_and_said_in_both_languages() -> None:
    codes = {code for code in MESSAGES.codes("zh") | MESSAGES.codes("en") if code.startswith("help/")}
    assert {code for code in codes if code not in MESSAGES.codes("zh") or code not in MESSAGES.codes("en")} == set()
    assert len({MESSAGES.text(code, lang="en") for code in codes}) == len(codes)  # each English says one Chinese
    given = {param.help for _, command in COMMANDS for param in command.params if getattr(param, "help", None)}
    given |= {command.help for _, command in COMMANDS}
    assert {code for code in codes if MESSAGES.text(code, lang="en") not in given} == set()


#: The Chinese of the options every long-running command shares (``docgen.cli.options``), as a help page
#: shows it, and the English a ``--lang en`` page keeps.
NEW_REGISTER = ("在锚文件（REGISTER.anchor）记载原有登记簿之处新建登记簿，编号从 1 重新开始。"
                "仅当旧登记簿确已停用时使用；否则请从备份恢复。",
                "Start a fresh register where the anchor file (REGISTER.anchor) says one was: serials restart at 1. "
                "Only when the old register is truly retired; otherwise restore it from backup.")
PROGRESS = ("耗时较长的工作在标准错误输出上显示进度条。默认：标准错误输出是终端时显示。",
            "Progress bar on stderr for long work. Default: when stderr is a terminal.")
SHARED = [(" ".join(path), param.name, {"new_register": NEW_REGISTER, "progress": PROGRESS}[param.name])
          for path, command in COMMANDS for param in command.params if param.name in ("new_register", "progress")]


def test_the_shared_options_are_found_where_they_are_used() -> None:
    assert sorted((command, name) for command, name, _ in SHARED) == [
        ("docgen batch", "new_register"), ("docgen batch", "progress"), ("docgen check", "progress"),
        ("docgen collect letters", "new_register"), ("docgen collect letters", "progress"),
        ("docgen collect plan", "progress")]


@pytest.mark.parametrize(("command", "name", "wording"), SHARED, ids=[f"{c} {n}" for c, n, _ in SHARED])
def test_a_shared_option_is_helped_in_chinese_on_a_chinese_page(command: str, name: str,
                                                                 wording: tuple[str, str]) -> None:
    result = CliRunner().invoke(main, [*command.split()[1:], "--help"])
    assert result.exit_code == 0
    page = _unwrapped(result.output)
    assert _unwrapped(wording[0]) in page and _unwrapped(wording[1]) not in page


def test_the_shared_options_keep_their_english_with_lang_en() -> None:
    result = CliRunner().invoke(main, ["check", "--help", "--lang", "en"])
    assert result.exit_code == 0
    page = _unwrapped(result.output)
    assert _unwrapped(PROGRESS[1]) in page and _unwrapped(PROGRESS[0]) not in page

    # no command with --lang has --new-register: the option as any page outside a Chinese command line shows it
    @click.command()
    @new_register_option()
    def anywhere(new_register: bool) -> None:
        """A command of another program."""

    assert _unwrapped(NEW_REGISTER[1]) in _unwrapped(CliRunner().invoke(anywhere, ["--help"]).output)


def _description(page: str) -> str:
    """Return what a help page says of its command: between its usage line and its options, without the
    example command lines and what a user types, quoted “docgen check DIRECTORY”."""
    text = re.split(r"^(?:选项：|Options:)$", page, maxsplit=1, flags=re.M)[0].split("\n", 1)[1]
    text = "\n".join(line for line in text.splitlines() if not line.strip().startswith("docgen "))
    return re.sub(r"“[^”]*”", "", text)


def _listed(page: str) -> list[str]:
    """Return the lines of a group's help page that list its commands."""
    return page.split("\n命令：\n", 1)[1].splitlines() if "\n命令：\n" in page else []


def test_every_command_is_described_in_chinese_on_a_chinese_help_page() -> None:
    """No command's description (its page's and its line in its group's list) is left in English on a
    Chinese page; the example command lines are the same in both languages."""
    english = [f"{command}: {line.strip()}" for command, page in _chinese_pages()
               for line in _description(page).splitlines() + _listed(page) if _ENGLISH.search(line)]
    assert english == []


def test_a_chinese_description_keeps_the_examples_and_columns_the_english_one_shows() -> None:
    for path, command in COMMANDS:
        page = CliRunner().invoke(main, [*path[1:], "--help"]).output
        assert examples(page) == examples(command.help), " ".join(path)
    letters = CliRunner().invoke(main, ["collect", "letters", "--help"]).output
    assert "\n  台账的可选列及其作用：\n    借款人地址 address              借款人的送达地址；" in letters
    assert "Optional ledger columns" not in letters and "Optional ledger columns" in _english("collect-letters")


def _english(command: str) -> str:
    """Return the English description the command ``docgen COMMAND…`` (words joined by -) is given."""
    return MESSAGES.text(f"help/command/{command}", lang="en")


def test_a_lang_en_help_page_describes_its_command_in_english() -> None:
    page = CliRunner().invoke(main, ["check", "--help", "--lang", "en"], prog_name="docgen").output
    assert page.startswith("Usage: docgen check [OPTIONS] BUNDLE\n\n  Check a client BUNDLE (folder or .zip) against "
                           "the development-loan checklist.\n")
    assert "Exit status: 0 complete, 1 incomplete, 2 the check could not run" in page
    assert re.search(r"[\u4e00-\u9fff]", _description(page)) is None


def test_the_chinese_description_is_said_only_on_a_chinese_page() -> None:
    # the command keeps its English: the README's command table and any other program read it
    _, command, _ = resolve(main, ["batch"])
    CliRunner().invoke(main, ["batch", "--help"])
    assert command.help == _english("batch") and summary(command).startswith("Generate one serial-numbered document")
    assert command.get_short_help_str(80) == "Generate one serial-numbered document per row of --rows with template NAME."


def test_a_chinese_help_page_fits_an_80_column_screen() -> None:
    """click counts characters and breaks only at spaces: a Chinese option help ran past the screen's
    edge (130 columns) and one was cut inside a file name. Every line fits 80 columns but the
    example command lines, which are kept as written."""
    wide = [f"{command}: {line}" for command, page in _chinese_pages()
            for line in re.sub(r"^  示例：\n(?: {4}.*\n)*", "", page, flags=re.M).splitlines() if display_width(line) > 80]
    assert wide == []
    page = CliRunner().invoke(main, ["collect", "plan", "--help"]).output
    assert "register.sqlite；" in page and "register.sqlit\n" not in page
    assert "--progress / --no-progress      耗时较长的工作在标准错误输出上显示进度条。默\n" in page


def test_wrapped_chinese_lines_join_without_a_space() -> None:
    # A paragraph click joins from its lines gets no space between two Chinese characters, one where
    # a side is ASCII; a paragraph marked \\b keeps its lines as written.
    from docgen.cli import usage

    formatter = click.HelpFormatter(width=30)
    token = usage._LANG.set("zh")
    try:
        formatter.write_text("第一行的文字\n第二行 collect\nletters 第三行\n\n\b\n不动的第一行\n不动的第二行")
        formatter.write_text("角色：credit（客户经理）、\nmanager（支行）。用\n-o 时写出\nWord 报告，\n与 collect\nletters 相同：\n$DOCGEN_REGISTER")
    finally:
        usage._LANG.reset(token)
    assert formatter.getvalue() == ("第一行的文字第二行 collect\nletters 第三行\n\n不动的第一行\n不动的第二行\n"
                                    "角色：credit（客户经理）、\nmanager（支行）。用 -o 时写出\n"
                                    "Word 报告，与 collect letters\n相同：$DOCGEN_REGISTER\n")


def test_text_outside_a_docgen_command_line_is_wrapped_by_click() -> None:
    from click._textwrap import TextWrapper

    text = "登记簿：其中已出具的催收函视为已送达（默认与 collect letters 相同）"
    assert click.formatting.wrap_text(text, 20) == TextWrapper(20, replace_whitespace=False).fill(text)


def _english_pages(width: int = 80) -> list[tuple[str, str]]:
    """Return ``(command, help page)`` for every command of the tree in English on a ``width``-column
    screen: asked with ``--lang en`` where the command has it, else written while a command line runs in
    English (``usage.speaking``), as a ``--lang en`` page of that command would be."""
    from docgen.cli.usage import speaking

    pages = []
    for path, command in COMMANDS:
        if any(p.name == "lang" for p in command.params):
            result = CliRunner().invoke(main, [*path[1:], "--help", "--lang", "en"], prog_name="docgen",
                                        terminal_width=width)
            assert result.exit_code == 0, result.output
            page = result.output
        else:
            with speaking("en"):
                page = command.get_help(click.Context(command, info_name=" ".join(path), terminal_width=width,
                                                      max_content_width=100))
        pages.append((" ".join(path), page))
    return pages


#: A bracketed note click puts after an option's help, opened on a line that does not close it.
_NOTE_CUT = re.compile(r"\[(?:default:|env var:|required)[^\]]*$")


def test_an_english_help_page_fits_an_80_column_screen_and_keeps_its_notes_whole() -> None:
    """On an English page a help holding a Chinese word was filled by Unicode's rules (``资料`` / ``清单``)
    and click broke its bracketed notes after ``[default:``: every line fits 80 columns but the example
    command lines (kept as written), and no note is cut."""
    pages = _english_pages()
    assert [command for command, page in pages if "Options:" not in page] == []
    wide = [f"{command}: {line}" for command, page in pages
            for line in re.sub(r"^  Examples?:\n(?: {4}.*\n)*", "", page, flags=re.M).splitlines()
            if display_width(line) > 80]
    assert wide == []
    cut = [f"{command}: {line}" for command, page in pages for line in page.splitlines() if _NOTE_CUT.search(line)]
    assert cut == []
    page = dict(pages)["docgen check"]
    assert ("  --format [text|json|markdown|docx]\n"
            "                                  text for the terminal, json for machines\n"
            "                                  (stable), markdown for e-mail, docx a\n"
            "                                  printable 资料清单 (needs -o).\n"
            "                                  [default: text]\n"
            "  --lang [zh|en]                  Language of titles and messages.\n"
            "                                  [default: zh]\n") in page
    # English lines without a note or a Chinese word are click's, as before
    assert ("  --stage STAGE                   Check up to this stage of the checklist\n"
            "                                  (earlier stages are reported too): for dev-\n") in page
    assert "  --jobs N                        Files inspected in parallel. Default: CPU\n" in page


def test_an_english_help_with_a_chinese_word_breaks_at_spaces_by_columns() -> None:
    from docgen.cli import usage

    formatter = click.HelpFormatter(width=44)
    token = usage._LANG.set("en")
    try:
        formatter.write_dl([("--format", "docx a printable 资料清单 for the dev-loan checklist.  [default: text]"),
                            ("--register", "The register.  [env var: DOCGEN_REGISTER_OF_A_VERY_LONG_NAME]")])
    finally:
        usage._LANG.reset(token)
    # a Chinese word counts two columns a character and is not cut; no break at a hyphen or inside a note
    # but one wider than the line by itself, which breaks at its space
    assert formatter.getvalue() == ("--format    docx a printable 资料清单 for\n"
                                    "            the dev-loan checklist.\n"
                                    "            [default: text]\n"
                                    "--register  The register.  [env var:\n"
                                    "            DOCGEN_REGISTER_OF_A_VERY_LONG_NAME]\n")
