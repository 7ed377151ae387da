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


def _error(*args: str) -> tuple[int, str, str]:
    """Return the exit code, the hint line and the error line of ``docgen args``."""
    result = CliRunner().invoke(main, list(args), prog_name="docgen")
    lines = result.output.strip().splitlines()
    return result.exit_code, lines[1] if len(lines) > 2 else "", lines[-1]


def test_a_missing_option_is_said_in_chinese() -> None:
    assert _error("collect", "plan", "--as-of", "2026-11-28") == (
        2, "请运行“docgen collect plan --help”查看帮助", "Error: 缺少选项 '--ledger'。")
    assert _error("check") == (2, "请运行“docgen check --help”查看帮助", "Error: 缺少参数 'BUNDLE'。")


def test_a_value_not_among_the_choices_is_said_in_chinese_and_in_english_with_lang_en() -> None:
    assert _error("check", EXAMPLE, "--format", "pdf")[2] == (
        "Error: '--format' 的取值无效：“pdf”不是可选值（'text', 'json', 'markdown', 'docx'）之一")
    assert _error("check", EXAMPLE, "--format", "pdf", "--lang", "en") == (
        2, "Try 'docgen check --help' for help.",
        "Error: Invalid value for '--format': 'pdf' is not one of 'text', 'json', 'markdown', 'docx'.")
    # --lang itself refused: said in Chinese, docgen's language
    assert _error("check", EXAMPLE, "--lang", "fr")[2] == "Error: '--lang' 的取值无效：“fr”不是可选值（'zh', 'en'）之一"


def test_no_such_file_is_said_in_chinese(tmp_path: Path) -> None:
    missing = tmp_path / "台账.xlsx"
    assert _error("npl-report", "--ledger", str(missing), "--period", "2026Q2")[::2] == (
        2, f"Error: '--ledger' 的取值无效：“{missing}”不存在")
    assert _error("check", str(missing), "--lang", "en")[::2] == (
        2, f"Error: Invalid value for 'BUNDLE': Path '{missing}' does not exist.")
    assert _error("render", "commitment-letter", "--data", str(tmp_path), "-o", str(tmp_path / "r.docx"))[::2] == (
        2, f"Error: '--data' 的取值无效：“{tmp_path}”是文件夹，此处应为文件")


def test_an_unknown_option_command_or_extra_argument_is_said_in_chinese() -> None:
    assert _error("check", EXAMPLE, "--stagee", "pre-contract")[::2] == (
        2, "Error: 没有选项“--stagee”。 是否要用 '--stage'？")
    assert _error("no-such-command")[::2] == (2, "Error: 没有命令“no-such-command”。")
    assert _error("check", EXAMPLE, "extra")[::2] == (2, "Error: 多余的参数（extra）")
    assert _error("batch", "demand-letter", "--rows")[::2] == (2, "Error: 选项 --rows 需要一个值")


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
    assert result.exit_code == 2
    assert result.output.strip().splitlines()[-1] == "Error: Invalid value for '--size': 'c' is not one of 'a', 'b'."


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
    assert _error("collect", "plan", "--as-of", "2026-11-28")[2] == "Error: 缺少选项 '--ledger'。"


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

    before = click.core._
    install()
    assert click.core._ is before
