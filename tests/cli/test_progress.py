"""The progress adapter: bars on stderr only when enabled and the work is long enough."""
from __future__ import annotations

import pytest

from docgen.cli.progress import BATCH_STAGES, Progress


def test_disabled_or_short_work_draws_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    with Progress(False) as bars:
        assert bars.bar(500, "检查文件") is None
        bars.stage("render", 1, 500)
    with Progress(True, min_total=20) as bars:
        assert bars.bar(19, "检查文件") is None
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == ("", "")


def test_default_follows_whether_stderr_is_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    assert Progress().enabled is True
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False, raising=False)
    assert Progress().enabled is False
    assert Progress(True).enabled is True


def test_a_bar_counts_steps_on_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    with Progress(True, min_total=3) as bars:
        advance = bars.bar(3, "检查文件 inspecting")
        assert callable(advance)
        for _ in range(3):
            advance(1)
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "检查文件 inspecting" in captured.err


def test_stages_get_one_bar_each_and_never_move_back(capsys: pytest.CaptureFixture[str]) -> None:
    with Progress(True, labels=BATCH_STAGES) as bars:
        bars.stage("render", 0, 2)
        bars.stage("render", 2, 2)
        assert bars._done == 2
        bars.stage("render", 1, 2)  # a late report does not move the bar back
        assert bars._done == 2
        bars.stage("pdf", 1, 2)
        assert (bars._stage, bars._done) == ("pdf", 1)
    err = capsys.readouterr().err
    assert "生成文书" in err and "转换 PDF" in err
    assert bars._bar is None  # closed on leaving the block


def test_a_count_of_unknown_total_is_drawn_once_long_enough(capsys: pytest.CaptureFixture[str]) -> None:
    with Progress(True, min_total=1500) as bars:
        advance = bars.counter("计算催收计划")
        assert callable(advance)
        advance(1000)
        assert capsys.readouterr().err == ""  # not yet long enough to show
        advance(1000)
    assert capsys.readouterr().err == "\r计算催收计划  2000\n"
    with Progress(False) as bars:
        assert bars.counter("计算催收计划") is None
