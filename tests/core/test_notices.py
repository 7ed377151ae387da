"""One reporter for user-facing warnings: handlers, collection, logging, the command line's stderr."""
from __future__ import annotations

import logging
import warnings

import click
import pytest
from click.testing import CliRunner

from docgen.cli.common import handle_errors
from docgen.core.notices import Notice, collecting, notify, reporting

FONT = Notice("chart-font-missing", "未找到中文字体,图表改用英文标注", "no Chinese font: the chart is labelled in English",
              {"fonts": ["Noto Sans CJK"]})


def test_collecting_gathers_notices_in_order() -> None:
    other = Notice("unknown-columns", "未识别的列 备注", facts={"columns": ["备注"]})
    with collecting() as notices:
        notify(FONT)
        notify(other)
    assert [(n.code, dict(n.facts)) for n in notices] == [
        ("chart-font-missing", {"fonts": ["Noto Sans CJK"]}), ("unknown-columns", {"columns": ["备注"]})]
    assert notices[0].to_dict("en") == {"code": "chart-font-missing", "facts": {"fonts": ["Noto Sans CJK"]},
                                        "message": "no Chinese font: the chart is labelled in English"}
    assert other.text("en") == "未识别的列 备注"  # no English wording: the Chinese one


def test_handlers_nest_and_restore() -> None:
    outer: list[Notice] = []
    with reporting(outer.append):
        with collecting() as inner:
            notify(FONT)
        notify(FONT)
    assert len(inner) == 1 and len(outer) == 1


def test_without_a_handler_the_notice_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="docgen"):
        notify(FONT)
    assert [(r.name, r.levelno, r.getMessage()) for r in caplog.records] == [
        ("docgen", logging.WARNING, "未找到中文字体,图表改用英文标注")]


def test_library_warnings_are_kept_from_users_unless_asked() -> None:
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        with collecting():
            warnings.warn("Glyph 20013 missing from font(s) DejaVu Sans.", UserWarning)
        with collecting(quiet_libraries=False):
            warnings.warn("kept", UserWarning)
    assert [str(w.message) for w in seen] == ["kept"]


def test_command_line_prints_notices_on_stderr_and_no_library_warning() -> None:
    @click.command()
    @handle_errors
    def command() -> None:
        warnings.warn("Glyph 20013 missing from font(s) DejaVu Sans.", UserWarning)
        notify(FONT)
        click.echo("done")

    result = CliRunner().invoke(command, [])
    assert result.exit_code == 0
    assert result.stderr == "警告：未找到中文字体,图表改用英文标注\n"
    assert result.stdout == "done\n"
