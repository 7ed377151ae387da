"""Ctrl-C and kills: one line and exit 130, nothing lost, LibreOffice stopped with the command,
and temporary files and folders of a killed run removed by the next one."""
from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from batch_helpers import rows, write_xlsx

from docgen.core.atomic import write_text_atomic
from docgen.core.errors import ConversionError
from docgen.documents.pdf import convert_to_pdf
from docgen.documents.register import Register

ROOT = Path(__file__).resolve().parents[2]


def dead_pid() -> int:
    """The pid of a process that has just exited."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (exited, not yet reaped by its parent) counts as gone.
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rpartition(")")[2].split()[0] != "Z"
    except OSError:
        return False


def fake_soffice(tmp_path: Path) -> Path:
    """A stand-in for LibreOffice: records its pid and its child's (as soffice starts soffice.bin), then hangs."""
    script = tmp_path / "soffice"
    script.write_text(
        f"#!{sys.executable}\n"
        "import os, subprocess, sys\n"
        f"open({str(tmp_path / 'soffice.pid')!r}, 'w').write(str(os.getpid()))\n"
        "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(300)'])\n"
        f"open({str(tmp_path / 'child.pid')!r}, 'w').write(str(child.pid))\n"
        "child.wait()\n"
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return script


def as_at_a_terminal() -> None:
    """Run in the child before exec: Ctrl-C's default action, as a foreground command has.

    A suite started in the background by a shell without job control inherits SIGINT ignored,
    and so would docgen and LibreOffice, so no Ctrl-C could be tested.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def wait_for(path: Path, timeout: float = 30) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.is_file() and path.read_text().strip():
            return path.read_text().strip()
        time.sleep(0.02)
    raise AssertionError(f"{path} never appeared")


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_ctrl_c_during_a_batch_is_one_line_exit_130_and_the_rerun_completes(tmp_path: Path, jobs: str) -> None:
    sheet = write_xlsx(tmp_path / "rows.xlsx", rows(600, seed=5))
    out = tmp_path / "out"
    env = {**os.environ, "DOCGEN_REGISTER": str(tmp_path / "reg.sqlite")}
    command = [sys.executable, "-m", "docgen", "batch", "demand-letter", "--rows", str(sheet), "--out", str(out),
               "--no-progress", "-j", jobs]
    # Its own session, so SIGINT goes to its whole process group as a terminal's Ctrl-C does.
    proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, preexec_fn=as_at_a_terminal)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if out.is_dir() and any(out.glob(".*.part")) or any(out.glob("*.docx")) if out.is_dir() else False:
            os.killpg(proc.pid, signal.SIGINT)
            break
        time.sleep(0.005)
    _, err = proc.communicate(timeout=120)
    if proc.returncode == 0:
        pytest.skip("the batch finished before it could be interrupted")
    assert proc.returncode == 130, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    assert lines[0].startswith("错误：已中断，已生成 ") and lines[0].endswith(" 份，重新运行可继续")
    written = int(lines[0].split("已生成 ")[1].split(" 份")[0])
    assert written == len(list(out.glob("*.docx")))
    rerun = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    with Register(tmp_path / "reg.sqlite", readonly=True) as reg:
        assert [r.seq for r in reg.records("demand-letter")] == list(range(1, 601))
        assert reg.verify() == [] and reg.audit() == []
    assert len(list(out.glob("*.docx"))) == 600 and not list(out.glob(".*.part"))


def test_a_stale_part_of_a_killed_run_is_removed_when_the_output_is_written_again(tmp_path: Path) -> None:
    target = tmp_path / "manifest.csv"
    stale = tmp_path / f".manifest.csv.{dead_pid()}-0badc0de.part"
    stale.write_text("half")
    live = tmp_path / f".manifest.csv.{os.getppid()}-0badc0de.part"  # a live writer's: kept
    live.write_text("writing")
    other = tmp_path / f".other.csv.{dead_pid()}-0badc0de.part"  # another output's: left for its own write
    other.write_text("half")
    write_text_atomic(target, "ok")
    assert target.read_text() == "ok"
    assert not stale.exists() and live.exists() and other.exists()


def test_libreoffice_and_its_children_die_on_timeout_and_leftovers_are_swept(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCGEN_SOFFICE", str(fake_soffice(tmp_path)))
    docx = tmp_path / "a.docx"
    docx.write_bytes(b"not really a document")
    out = tmp_path / "pdf"
    out.mkdir()
    gone = dead_pid()
    staging = out / f".pdf-{gone}-abc123"
    staging.mkdir()
    profile = Path(tempfile.gettempdir()) / f"docgen-lo-profile-{gone}-abc123"
    profile.mkdir(exist_ok=True)
    (profile / "user").mkdir(exist_ok=True)
    with pytest.raises(ConversionError, match="超时"):
        convert_to_pdf([docx], out, timeout=1)
    soffice, child = int(wait_for(tmp_path / "soffice.pid")), int(wait_for(tmp_path / "child.pid"))
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and (alive(soffice) or alive(child)):
        time.sleep(0.05)
    assert not alive(soffice) and not alive(child)
    assert not staging.exists() and not profile.exists()
    assert not list(Path(tempfile.gettempdir()).glob(f"docgen-lo-profile-{os.getpid()}-*"))
    assert [p.name for p in out.iterdir()] == []


def test_ctrl_c_while_libreoffice_converts_stops_it(tmp_path: Path) -> None:
    sheet = write_xlsx(tmp_path / "rows.xlsx", rows(2))
    env = {**os.environ, "DOCGEN_REGISTER": str(tmp_path / "reg.sqlite"), "DOCGEN_SOFFICE": str(fake_soffice(tmp_path))}
    proc = subprocess.Popen([sys.executable, "-m", "docgen", "batch", "demand-letter", "--rows", str(sheet),
                             "--out", str(tmp_path / "out"), "--pdf", "--no-progress", "-j", "2"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
                            preexec_fn=as_at_a_terminal)
    child = int(wait_for(tmp_path / "child.pid", 120))
    soffice = int(wait_for(tmp_path / "soffice.pid"))
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert err.strip() == "错误：已中断，已生成 2 份（PDF 未全部完成），重新运行可继续"
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and (alive(soffice) or alive(child)):
        time.sleep(0.05)
    assert not alive(soffice) and not alive(child)
    assert not list((tmp_path / "out").glob(".pdf-*"))


def test_a_commit_interrupted_and_resumed_renames_only_what_is_left(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from docgen.documents import batch
    from docgen.documents.spool import Spool

    journal = Spool()
    for n in range(3):
        (tmp_path / f".d{n}.docx.1-0badc0de.part").write_text(str(n))
        journal.append((f"key{n}", f"d{n}.docx", "sha"))
    renamed = [0]
    real_replace, calls = os.replace, []

    def interrupted_once(src: str, dst: object) -> None:
        calls.append(src)
        if len(calls) == 2:
            raise KeyboardInterrupt
        real_replace(src, dst)

    monkeypatch.setattr(batch.os, "replace", interrupted_once)
    with pytest.raises(KeyboardInterrupt):
        batch._commit(journal, renamed, tmp_path, "1-0badc0de")
    assert renamed == [1]
    batch._commit(journal, renamed, tmp_path, "1-0badc0de")  # the clean-up: no FileNotFoundError for d0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d0.docx", "d1.docx", "d2.docx"]
    assert renamed == [3]
