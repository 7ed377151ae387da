"""click's usage errors (a missing option, a value not among the choices, no such file, an unknown
option or command) in docgen's language: Chinese, as the rest of what docgen says, unless the
command's ``--lang`` is ``en``; exit code 2 either way."""
from __future__ import annotations

import gettext
import string
import struct
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from docgen.cli import main
from docgen.cli.messages import CLICK_WORDS
from docgen.cli.messages import MESSAGES as CLI
from docgen.cli.usage import asked_lang, install

EXAMPLE = str(Path(__file__).resolve().parents[2] / "examples" / "bundle")


def _run(*args: str) -> tuple[int, str]:
    """Return the exit code and the whole output of ``docgen args``."""
    result = CliRunner().invoke(main, list(args), prog_name="docgen")
    return result.exit_code, result.output


def _error(*args: str) -> tuple[int, str, str]:
    """Return the exit code, the hint line and the error line of ``docgen args``."""
    code, output = _run(*args)
    lines = output.strip().splitlines()
    return code, lines[1] if len(lines) > 2 else "", lines[-1]


def _framed(command: str, usage: str, error: str, lang: str = "zh") -> tuple[int, str]:
    """Return exit code 2 and the whole output of a usage error of ``command`` in ``lang``: the usage
    line, the hint to ask for help, a blank line, the error."""
    if lang == "en":
        return 2, f"Usage: {command} {usage}\nTry '{command} --help' for help.\n\nError: {error}\n"
    return 2, f"用法：{command} {usage}\n请运行“{command} --help”查看帮助。\n\n错误：{error}\n"


def test_a_missing_option_is_said_in_chinese_frame_and_all() -> None:
    assert _run("collect", "plan", "--as-of", "2026-11-28") == (2, (
        "用法：docgen collect plan [OPTIONS]\n"
        "请运行“docgen collect plan --help”查看帮助。\n"
        "\n"
        "错误：缺少选项“--ledger”。\n"))
    assert _run("check") == _framed("docgen check", "[OPTIONS] BUNDLE", "缺少参数“BUNDLE”。")


def test_a_value_not_among_the_choices_is_said_in_chinese_and_in_english_with_lang_en() -> None:
    assert _run("check", EXAMPLE, "--format", "pdf") == _framed(
        "docgen check", "[OPTIONS] BUNDLE", "“--format”的取值无效：“pdf”不是可选值（“text”、“json”、“markdown”、“docx”）之一")
    assert _run("check", EXAMPLE, "--format", "pdf", "--lang", "en") == _framed(
        "docgen check", "[OPTIONS] BUNDLE",
        "Invalid value for '--format': 'pdf' is not one of 'text', 'json', 'markdown', 'docx'.", "en")
    # --lang itself refused: said in Chinese, docgen's language
    assert _error("check", EXAMPLE, "--lang", "fr")[2] == "错误：“--lang”的取值无效：“fr”不是可选值（“zh”、“en”）之一"


def test_no_such_file_is_said_in_chinese(tmp_path: Path) -> None:
    missing = tmp_path / "台账.xlsx"
    assert _run("npl-report", "--ledger", str(missing), "--period", "2026Q2") == _framed(
        "docgen npl-report", "[OPTIONS]", f"“--ledger”的取值无效：“{missing}”不存在")
    assert _run("check", str(missing), "--lang", "en") == _framed(
        "docgen check", "[OPTIONS] BUNDLE", f"Invalid value for 'BUNDLE': Path '{missing}' does not exist.", "en")
    assert _error("render", "commitment-letter", "--data", str(tmp_path), "-o", str(tmp_path / "r.docx"))[::2] == (
        2, f"错误：“--data”的取值无效：“{tmp_path}”是文件夹，此处应为文件")


def test_an_unknown_option_or_command_is_said_in_chinese() -> None:
    assert _run("check", EXAMPLE, "--stagee", "pre-contract") == _framed(
        "docgen check", "[OPTIONS] BUNDLE", "没有选项“--stagee”。是否要用“--stage”？")
    assert _error("check", EXAMPLE, "--stag", "pre-contract")[2] == (
        "错误：没有选项“--stag”。是否要用其中之一：“--lang”、“--stage”？")
    assert _run("no-such-command") == _framed("docgen", "[OPTIONS] COMMAND [ARGS]...", "没有命令“no-such-command”。")
    assert _run("no-such-command", "--lang", "en") == _framed(
        "docgen", "[OPTIONS] COMMAND [ARGS]...", "No such command 'no-such-command'.", "en")
    assert _error("check", EXAMPLE, "extra")[::2] == (2, "错误：多余的参数（extra）")
    assert _error("batch", "demand-letter", "--rows")[::2] == (2, "错误：选项“--rows”需要一个值")


def test_a_hint_of_the_commands_own_is_quoted_the_chinese_way_too() -> None:
    ledger = str(Path(EXAMPLE).parent / "ledger" / "ledger-2026Q2.xlsx")
    assert _error("npl-report", "--ledger", ledger, "--period", "2026Q2", "-o", "report.pdf")[2].startswith(
        "错误：“-o/--output”的取值无效：")
    assert _error("check", EXAMPLE, "-o", "x/")[2].startswith("错误：“-o”/“--output”的取值无效：x/ 以路径分隔符结尾")
    assert _error("check", EXAMPLE, "--format", "docx")[2].startswith("错误：“--format docx”的取值无效：docx 报告须用 -o")


def test_an_option_read_from_the_environment_is_named_with_its_variable() -> None:
    # click names the variable beside the option when it refuses an option shown with it
    import click.exceptions

    @click.command()
    @click.option("--register", envvar="DOCGEN_REGISTER", show_envvar=True, type=click.IntRange(1))
    def other(register: int) -> None:
        pass

    from docgen.cli.usage import speaking

    with speaking("zh"):
        refused = click.exceptions.BadParameter("x", param=other.params[0])
        assert refused.format_message() == "“--register”（环境变量“DOCGEN_REGISTER”）的取值无效：x"
    assert refused.format_message() == "Invalid value for '--register' (env var: 'DOCGEN_REGISTER'): x"


def test_a_prompt_given_up_is_said_in_chinese(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["users", "add", "bob", "--role", "credit", "--data", str(tmp_path)],
                                input="", prog_name="docgen")
    assert result.exit_code == 1
    assert result.output.endswith("已中止。\n")


def test_the_help_page_is_framed_in_chinese_and_in_english_with_lang_en() -> None:
    code, chinese = _run("collect", "-h")
    assert code == 0
    assert chinese.startswith("用法：docgen collect [OPTIONS] COMMAND [ARGS]...\n")
    assert "\n选项：\n  -h, --help  显示本帮助并退出。\n\n命令：\n  letters  " in chinese
    code, plan = _run("collect", "plan", "-h")
    assert code == 0 and plan.startswith("用法：docgen collect plan [OPTIONS]\n")
    assert "\n选项：\n" in plan and "Options:" not in plan
    # The help column is wrapped by screen columns, Chinese lines broken between characters: compared
    # without white space.
    flat = "".join(plan.split())
    for shown in ("--ledger FILE.xlsx|csv 贷款台账 .xlsx 或 .csv（UTF-8 / GB18030）。（必填）",
                  "--format [text|json|xlsx] （默认：text）", "（环境变量：DOCGEN_REGISTER）",
                  "终端时显示。 -h, --help 显示本帮助并退出。"):
        assert "".join(shown.split()) in flat, shown
    assert "stderr" not in flat
    # the same command's page in English after the Chinese one: click's words, its option made once
    code, english = _run("check", "-h", "--lang", "en")
    assert code == 0 and english.startswith("Usage: docgen check [OPTIONS] BUNDLE\n")
    assert "\nOptions:\n" in english and "[default: text]" in " ".join(english.split())
    assert english.rstrip().endswith("-h, --help                      Show this message and exit.")
    assert "用法" not in english and "选项" not in english
    assert _run("check", "-h")[1].rstrip().endswith("-h, --help                      显示本帮助并退出。")


def test_the_top_help_page_lists_its_commands_under_a_chinese_title() -> None:
    code, page = _run("--help")
    assert code == 0
    assert page.startswith("用法：docgen [OPTIONS] COMMAND [ARGS]...\n")
    assert "\n选项：\n  --version   显示版本号并退出。\n  -h, --help  显示本帮助并退出。\n\n命令：\n" in page


@pytest.mark.parametrize(("args", "lang"), [
    (["check", "x", "--lang", "en"], "en"), (["check", "--lang=en", "x"], "en"), (["check", "x"], "zh"),
    (["check", "--lang", "en", "--lang", "zh"], "zh"), (["render", "--", "--lang", "en"], "zh")])
def test_the_language_asked_is_the_last_lang_before_the_options_end(args: list[str], lang: str) -> None:
    assert asked_lang(args) == lang


def test_click_outside_docgen_keeps_its_own_words() -> None:
    @click.command()
    @click.option("--size", type=click.Choice(["a", "b"]), required=True)
    def other(size: str) -> None:
        pass

    result = CliRunner().invoke(other, ["--size", "c"])
    assert (result.exit_code, result.output) == (2, (
        "Usage: other [OPTIONS]\nTry 'other --help' for help.\n\n"
        "Error: Invalid value for '--size': 'c' is not one of 'a', 'b'.\n"))
    assert CliRunner().invoke(other, []).output.splitlines()[-3:] == ["Error: Missing option '--size'. Choose from:",
                                                                       "\ta,", "\tb"]
    page = CliRunner().invoke(other, ["--help"]).output
    assert page == ("Usage: other [OPTIONS]\n\nOptions:\n  --size [a|b]  [required]\n"
                    "  --help        Show this message and exit.\n")


def _fields(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field}


def test_a_chinese_template_fills_only_what_click_gives_its_message_id() -> None:
    # click fills a message id's own placeholders: a Chinese one asking for another would crash
    for message_id, code in CLICK_WORDS.items():
        assert _fields(str(CLI.entry(code))) <= _fields(message_id), code


def test_a_translation_installed_for_click_stays_in_force_outside_a_docgen_command_line(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    catalog = {"Missing option": "Option fehlt"}
    keys, values = [key.encode() for key in catalog], [value.encode() for value in catalog.values()]
    start = 28 + 16 * len(keys)
    table, blob = b"", b""
    for strings in (keys, values):
        for text in strings:
            table += struct.pack("<2I", len(text), start + len(blob))
            blob += text + b"\0"
    mo = tmp_path / "de" / "LC_MESSAGES" / "messages.mo"
    mo.parent.mkdir(parents=True)
    mo.write_bytes(struct.pack("<7I", 0x950412DE, 0, len(keys), 28, 28 + 8 * len(keys), 0, 0) + table + blob)
    monkeypatch.setitem(gettext._localedirs, "messages", str(tmp_path))  # type: ignore[attr-defined]
    monkeypatch.setenv("LANGUAGE", "de")

    @click.command()
    @click.option("--size", required=True)
    def other(size: str) -> None:
        pass

    assert CliRunner().invoke(other, []).output.strip().splitlines()[-1] == "Error: Option fehlt '--size'."
    # in a docgen command line, docgen's Chinese
    assert _error("collect", "plan", "--as-of", "2026-11-28")[2] == "错误：缺少选项“--ledger”。"


def test_click_keeps_its_words_after_a_docgen_command_line_raised() -> None:
    with pytest.raises(click.UsageError):
        main.main(["check", EXAMPLE, "--format", "pdf"], prog_name="docgen", standalone_mode=False)

    @click.command()
    @click.option("--size", required=True)
    def other(size: str) -> None:
        pass

    assert CliRunner().invoke(other, []).output.strip().splitlines()[-1] == "Error: Missing option '--size'."


def test_install_twice_wraps_click_once() -> None:
    import click.core

    import click.exceptions
    import click.formatting

    def now() -> list[object]:
        return [click.core._, click.exceptions._join_param_hints, click.exceptions.MissingParameter.format_message,
                click.formatting.HelpFormatter.write_usage, click.core.Option.get_help_record,
                click.core.Command.format_help_text, click.core.Command.get_short_help_str]

    wrapped = now()
    install()
    assert now() == wrapped
