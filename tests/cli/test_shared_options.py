"""Options shared by several commands behave the same in each: --as-of, --register, unwritable outputs."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from batch_helpers import rows, write_xlsx
from click.testing import CliRunner

from docgen.cli import main
from example_helper import EXAMPLE_BUNDLE

ROOT = Path(__file__).resolve().parents[2]
LEDGER = ROOT / "examples" / "ledger" / "ledger-2026Q2.xlsx"
POLICY = ROOT / "examples" / "collection-policy.yaml"


def _run(*args: object):
    return CliRunner().invoke(main, [str(a) for a in args])


def _commands_with_as_of(tmp_path: Path) -> dict[str, list[object]]:
    return {
        "check": ["check", EXAMPLE_BUNDLE],
        "collect plan": ["collect", "plan", "--ledger", LEDGER],
        "collect letters": ["collect", "letters", "--ledger", LEDGER, "--policy", POLICY, "--out", tmp_path / "letters"],
        "npl-report": ["npl-report", "--ledger", LEDGER, "--period", "2026Q2"],
        "draft": ["draft", EXAMPLE_BUNDLE, "--out", tmp_path / "drafts"],
    }


@pytest.mark.parametrize("command", ["check", "collect plan", "npl-report"])
def test_as_of_with_slashes_is_accepted_everywhere(command: str, tmp_path: Path) -> None:
    slashed = _run(*_commands_with_as_of(tmp_path)[command], "--as-of", "2026/06/30", "--format", "json")
    dashed = _run(*_commands_with_as_of(tmp_path)[command], "--as-of", "2026-06-30", "--format", "json")
    assert slashed.exit_code in (0, 1), slashed.output
    assert (slashed.exit_code, slashed.stdout) == (dashed.exit_code, dashed.stdout)
    assert "2026-06-30" in slashed.stdout


def test_check_as_of_with_slashes_gives_the_report_of_that_day() -> None:
    result = _run("check", EXAMPLE_BUNDLE, "--as-of", "2026/11/28", "--format", "json")
    assert result.exit_code == 1, result.output  # the example bundle is incomplete, on purpose
    assert json.loads(result.stdout)["as_of"] == "2026-11-28"


@pytest.mark.parametrize(("value", "message"), [
    ("2026-02-30", "不存在的日期“2026-02-30”（例如 --as-of 2026-11-28）"),
    ("2026/13/01", "不存在的日期“2026/13/01”（例如 --as-of 2026-11-28）"),
    ("28/11/2026", "日期格式应为 YYYY-MM-DD，收到“28/11/2026”（例如 --as-of 2026-11-28）"),
    ("9999-12-31", "日期“9999-12-31”超出可用范围 1900–2199 年（例如 --as-of 2026-11-28）"),
])
def test_a_bad_as_of_is_the_same_one_line_everywhere(value: str, message: str, tmp_path: Path) -> None:
    for command, args in _commands_with_as_of(tmp_path).items():
        result = _run(*args, "--as-of", value)
        assert result.exit_code == 2, (command, result.output)
        assert result.stderr.splitlines()[-1] == f"错误：“--as-of”的取值无效：{message}", command
    assert not (tmp_path / "letters").exists() and not (tmp_path / "drafts").exists()


def test_register_option_and_environment_name_the_same_register(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    env_register = tmp_path / "env.sqlite"
    monkeypatch.setenv("DOCGEN_REGISTER", str(env_register))
    sheet = write_xlsx(tmp_path / "rows.xlsx", rows(2))
    made = _run("batch", "demand-letter", "--rows", sheet, "--out", tmp_path / "out", "--format", "json")
    assert made.exit_code == 0, made.output
    for listing in (_run("register", "list", "--format", "json"),
                    _run("register", "list", "--format", "json", "--register", env_register)):
        assert [r["serial"] for r in json.loads(listing.stdout)] == ["催字〔2026〕第00001号", "催字〔2026〕第00002号"]
    verify = _run("register", "verify", "--format", "json")
    assert json.loads(verify.stdout)["register"] == str(env_register)
    other = _run("register", "verify", "--format", "json", "--register", tmp_path / "other.sqlite")
    assert json.loads(other.stdout) == {"register": str(tmp_path / "other.sqlite"), "checked": 0, "ok": True,
                                        "register_issues": [], "problems": []}
    for command in (["batch"], ["render"], ["draft"], ["register", "list"], ["collect", "letters"],
                    ["collect", "plan"]):
        assert "（环境变量：DOCGEN_REGISTER）" in "".join(_run(*command, "--help").output.split()), command


# ---- outputs that cannot be written: exit 2, one line, whichever command --------------------------


def _blocked(tmp_path: Path) -> Path:
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    return tmp_path / "afile" / "out"  # a file where the folder should be


def test_batch_into_an_unwritable_folder_exits_2_like_render(tmp_path: Path) -> None:
    sheet = write_xlsx(tmp_path / "rows.xlsx", rows(2))
    out = _blocked(tmp_path)
    batch = _run("batch", "demand-letter", "--rows", sheet, "--out", out, "--no-progress")
    assert batch.exit_code == 2, batch.output
    assert batch.stderr.startswith(f"错误：无法写入 {out}") and len(batch.stderr.splitlines()) == 1
    assert "请检查输出文件夹" in batch.stderr and "Traceback" not in batch.output
    render = _run("render", "demand-letter", "--data", ROOT / "examples" / "templates" / "demand-letter.yaml",
                  "-o", out / "催收函.docx")
    assert render.exit_code == 2, render.output


def test_collect_letters_into_an_unwritable_folder_exits_2(tmp_path: Path) -> None:
    out = _blocked(tmp_path)
    result = _run("collect", "letters", "--ledger", LEDGER, "--policy", POLICY, "--as-of", "2026-06-30",
                  "--out", out)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"错误：无法写入 {out}") and len(result.stderr.splitlines()) == 1


# ---- a cache folder that cannot be used never fails a check ----------------------------------------


@pytest.mark.parametrize("where", ["under-a-file", "a-file"])
def test_unusable_cache_folder_does_not_fail_check(where: str, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from docgen.check import checklist

    usual = _run("check", EXAMPLE_BUNDLE, "--as-of", "2026-11-28", "--format", "json")
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    cache = tmp_path / "afile" / "cache" if where == "under-a-file" else tmp_path / "afile"
    monkeypatch.setenv("DOCGEN_CACHE_DIR", str(cache))
    checklist._load_cached.cache_clear()  # make this run validate and try to write the cache
    result = _run("check", EXAMPLE_BUNDLE, "--as-of", "2026-11-28", "--format", "json")
    assert result.exit_code == usual.exit_code == 1, result.output
    assert result.stdout == usual.stdout
    assert result.stderr == ""
    assert (tmp_path / "afile").read_text(encoding="utf-8") == "x"
