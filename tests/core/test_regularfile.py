"""A user's file is read only when it is a regular file: a FIFO, a device or a folder is refused
before a byte is read, never waited on (a FIFO) or read without end (``/dev/zero``)."""
from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any, Callable

import pytest

from docgen.core.datafile import parse_json, parse_yaml, read_mapping
from docgen.core.errors import InputError
from docgen.core.regularfile import NotRegularFile, is_regular, open_regular, read_regular


def _within(seconds: float, call: Callable[[], Any]) -> BaseException | None:
    """Run ``call`` in a thread; return what it raised (None if nothing), failing if it is still
    running after ``seconds`` (it blocked on a FIFO: the thread is left behind, the test fails)."""
    raised: list[BaseException | None] = [None]

    def run() -> None:
        try:
            call()
        except BaseException as exc:  # noqa: BLE001 - handed back to the test
            raised[0] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), "the reader blocked"
    return raised[0]


@pytest.fixture
def fifo(tmp_path: Path):
    """A FIFO with a writer holding it open: a reader that opens it would wait for ever."""
    path = tmp_path / "policy.yaml"
    os.mkfifo(path)
    fd = os.open(path, os.O_RDWR | os.O_NONBLOCK)
    os.write(fd, b"a: 1\n")
    yield path
    os.close(fd)


def test_a_fifo_is_refused_without_waiting(fifo: Path) -> None:
    raised = _within(10, lambda: read_regular(fifo))
    assert isinstance(raised, NotRegularFile) and raised.strerror == "不是普通文件，而是文件夹、管道或设备"


def test_a_small_data_file_on_a_fifo_is_an_input_error_naming_it(fifo: Path) -> None:
    raised = _within(10, lambda: read_mapping(fifo, what="催收策略文件"))
    assert isinstance(raised, InputError)
    assert str(raised) == f"{fifo}：无法读取催收策略文件（不是普通文件，而是文件夹、管道或设备）"


@pytest.mark.parametrize("path", ["/dev/zero", "folder"])
def test_a_device_or_a_folder_is_refused(tmp_path: Path, path: str) -> None:
    target = Path(path) if path.startswith("/") else tmp_path / path
    if not target.exists():
        target.mkdir()
    with pytest.raises(NotRegularFile):
        read_regular(target)


def test_is_regular_tells_a_file_nothing_and_something_else_apart(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("a: 1\n", encoding="utf-8")
    assert is_regular(tmp_path / "a.yaml") is True
    assert is_regular(tmp_path / "none.yaml") is False
    assert is_regular(tmp_path / "a.yaml" / "b.yaml") is False  # a file where a folder should be
    with pytest.raises(NotRegularFile, match="不是普通文件"):
        is_regular(tmp_path)
    with pytest.raises(OSError) as refused:  # the system's own reason, not "not a regular file"
        is_regular(tmp_path / ("长" * 300))
    assert not isinstance(refused.value, NotRegularFile)


@pytest.mark.skipif(not hasattr(os, "O_NOFOLLOW"), reason="the system cannot refuse to follow a link")
def test_a_link_is_refused_by_the_system_when_links_are_not_followed(tmp_path: Path) -> None:
    (tmp_path / "a.pdf").write_bytes(b"%PDF")
    (tmp_path / "link.pdf").symlink_to(tmp_path / "a.pdf")
    with open_regular(tmp_path / "link.pdf") as stream:
        assert stream.read() == b"%PDF"
    with pytest.raises(OSError) as refused:
        open_regular(tmp_path / "link.pdf", follow_links=False)
    assert not isinstance(refused.value, NotRegularFile)


def test_a_regular_file_is_read_whole(tmp_path: Path) -> None:
    (tmp_path / "a.bin").write_bytes(b"\x00\xff" * 70000)
    assert read_regular(tmp_path / "a.bin") == b"\x00\xff" * 70000


def test_integers_longer_than_python_converts_stay_text_in_yaml_and_json() -> None:
    digits = "1" + "9" * 5000
    assert parse_yaml(f"a: {digits}\nb: 12\n") == {"a": digits, "b": 12}
    assert parse_json(f'{{"a": {digits}, "b": 12}}') == {"a": digits, "b": 12}


def test_json_nested_deeper_than_the_parser_follows_is_a_syntax_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="嵌套层数过多"):
        parse_json("[" * 100_000)
    (tmp_path / "d.json").write_text('{"a":' * 100_000, encoding="utf-8")
    with pytest.raises(InputError, match=r"d\.json 第1行第1列：数据文件不是合法的 JSON：嵌套层数过多"):
        read_mapping(tmp_path / "d.json", what="数据文件")
