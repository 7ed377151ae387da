"""Option values that name the wrong kind of thing: a device or FIFO where a file is read, and a
FIFO or folder where a file is written. Each is one line and exit 2, before anything is read
from the device (``/dev/zero`` never ends, a FIFO blocks) or written over the special file (a
rename would put a regular file in its place: as root, ``-o /dev/full`` replaced the device)."""
from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from docgen.cli import main
from docgen.core.resources import templates_dir

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
LEDGER = str(EXAMPLES / "ledger" / "ledger-2026Q2.xlsx")
DATA = str(EXAMPLES / "templates" / "commitment-letter.yaml")
NOT_REGULAR = "不是普通文件，而是文件夹、管道或设备"

#: Commands reading a small file or a template from an option (``{}`` is where the device goes).
READERS = [
    ["render", "commitment-letter", "--data", "{}", "-o", "o.docx"],
    ["render", "commitment-letter", "--data", DATA, "--template", "{}", "-o", "o.docx"],
    ["draft", str(EXAMPLES / "bundle"), "--annex", "4", "--template", "{}", "--out", "out", "--as-of", "2026-11-28"],
    ["npl-report", "--ledger", LEDGER, "--period", "2026Q2", "--targets", "{}"],
    ["npl-report", "--ledger", LEDGER, "--period", "2026Q2", "--notes", "{}"],
    ["collect", "plan", "--ledger", LEDGER, "--as-of", "2026-06-30", "--policy", "{}"],
    ["templates", "lint", "{}"],
    ["templates", "lint", str(templates_dir() / "demand-letter.docx"), "--schema", "{}"],
]


def _one_line_exit_2(result, *words: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and all(w in lines[0] for w in words), result.output


# /dev/null rather than /dev/zero: were the check lost, the test would fail on the empty read
# instead of reading without end.
@pytest.mark.skipif(not os.path.exists("/dev/null"), reason="a POSIX device")
@pytest.mark.parametrize("args", READERS, ids=lambda a: " ".join(a[:2]) + " " + a[a.index("{}") - 1])
def test_a_device_given_as_a_file_is_refused_before_it_is_read(args: list[str], tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DOCGEN_REGISTER", str(tmp_path / "reg.sqlite"))
    result = CliRunner().invoke(main, [a.replace("{}", "/dev/null") for a in args])
    _one_line_exit_2(result, "/dev/null", NOT_REGULAR)


#: Commands writing one file with ``-o`` (``{}`` is where the FIFO or folder goes).
WRITERS = [
    ["check", str(EXAMPLES / "bundle"), "--as-of", "2026-11-28", "--format", "json", "-o", "{}"],
    ["collect", "plan", "--ledger", LEDGER, "--as-of", "2026-06-30", "--format", "json", "-o", "{}"],
    ["collect", "plan", "--ledger", LEDGER, "--as-of", "2026-06-30", "--format", "xlsx", "-o", "{}"],
    ["checklist", "show", "dev-loan", "-o", "{}"],
    ["render", "commitment-letter", "--data", DATA, "-o", "{}.docx"],
]


@pytest.mark.parametrize("args", WRITERS, ids=lambda a: " ".join(a[:2]) + " " + a[a.index("--format") + 1]
                         if "--format" in a else " ".join(a[:2]))
def test_an_output_on_a_fifo_is_refused_and_the_fifo_kept(args: list[str], tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCGEN_REGISTER", str(tmp_path / "reg.sqlite"))
    fifo = tmp_path / ("pipe.docx" if "{}.docx" in args else "pipe")
    os.mkfifo(fifo)
    result = CliRunner().invoke(main, [a.replace("{}.docx", str(fifo)).replace("{}", str(fifo)) for a in args])
    _one_line_exit_2(result, str(fifo), NOT_REGULAR, "已拒绝")
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "reg.sqlite") == [fifo.name]


def test_render_into_an_existing_folder_named_like_the_docx_is_refused(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCGEN_REGISTER", str(tmp_path / "reg.sqlite"))
    (tmp_path / "承诺函.docx").mkdir()
    shutil.copy(DATA, tmp_path / "d.yaml")
    result = CliRunner().invoke(main, ["render", "commitment-letter", "--data", str(tmp_path / "d.yaml"),
                                       "-o", str(tmp_path / "承诺函.docx")])
    assert result.exit_code == 2 and "Traceback" not in result.output, result.output
    assert (tmp_path / "承诺函.docx").is_dir()


@pytest.mark.parametrize("name", ["a" * 300, "../templates/demand-letter"])
def test_a_template_name_too_long_for_the_file_system_or_with_a_folder_is_unknown(name: str) -> None:
    """300 characters made the shipped-template lookup raise OSError (File name too long)."""
    result = CliRunner().invoke(main, ["templates", "show", name])
    _one_line_exit_2(result, "未知模板")


@pytest.mark.parametrize("command", [["register", "verify"], ["register", "list"],
                                     ["collect", "plan", "--ledger", LEDGER, "--as-of", "2026-06-30"]])
def test_a_register_that_is_a_folder_is_refused_not_read_as_empty(command: list[str], tmp_path: Path) -> None:
    """``register verify --register FOLDER`` said "0 checked, all intact" and exited 0."""
    result = CliRunner().invoke(main, [*command, "--register", str(tmp_path)])
    _one_line_exit_2(result, str(tmp_path), "无法访问登记簿", NOT_REGULAR)


@pytest.mark.parametrize("args", [["check", str(EXAMPLES / "bundle"), "--format", "json", "--as-of", "2026-11-28"],
                                  ["checklist", "show", "dev-loan"],
                                  ["collect", "plan", "--ledger", LEDGER, "--as-of", "2026-06-30", "--format", "json"]],
                         ids=lambda a: " ".join(a[:2]))
def test_an_output_ending_in_a_separator_is_a_folder_not_a_file_named_without_it(args: list[str],
                                                                                tmp_path: Path) -> None:
    """``-o out/`` wrote a file called ``out``."""
    result = CliRunner().invoke(main, [*args, "-o", f"{tmp_path}/out/"])
    assert result.exit_code == 2 and "以路径分隔符结尾" in result.output, result.output
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("args", [["batch", "demand-letter", "--out", "out", "--rows"],
                                  ["collect", "plan", "--as-of", "2026-06-30", "--ledger"],
                                  ["check", str(EXAMPLES / "bundle"), "--checklist"]],
                         ids=lambda a: " ".join(a[:2]))
def test_a_fifo_given_as_a_sheet_or_checklist_is_named_as_not_a_file(args: list[str], tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """It was "文件不存在" (no such file) of a FIFO that is there."""
    monkeypatch.chdir(tmp_path)
    os.mkfifo(tmp_path / "名单.yaml")
    result = CliRunner().invoke(main, [*args, str(tmp_path / "名单.yaml")])
    _one_line_exit_2(result, "名单.yaml", NOT_REGULAR)
