"""`docgen check` imports only what its path needs: a regression guard on the import diet.

A first check of a valid bundle needs no cerberus (the plain-Python fast path confirms the
checklist and bundle.yaml) and no Jinja2 (the shipped checklist's conditions are compiled once,
beside the package); pypdf and the worker pool's process machinery only for a file that needs
them (here an encrypted PDF): a bundle of plainly sound files is inspected without either. A
check of a bundle whose checklist, bundle.yaml and files are in the cache must not import
the validation libraries (cerberus, python-stdnum), Jinja2, pypdf, nor any other command's
libraries (Word, Excel, the web service, charts); nor ``importlib.metadata``. Each run is a
fresh interpreter, so what it imported is exactly what the command needed.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BUNDLE = ROOT / "examples" / "bundle"

#: Never needed by `docgen check` (other commands' libraries).
OTHER_COMMANDS = ("docx", "docxtpl", "openpyxl", "fastapi", "starlette", "uvicorn", "matplotlib", "calamine",
                  "python_calamine", "python_calamine_plus", "celery", "redis", "psycopg")
#: Needed only when something is not in the cache.
CACHE_MISS_ONLY = ("cerberus", "stdnum", "jinja2", "pypdf", "importlib.metadata", "multiprocessing")

RUN = r"""
import json, sys
from docgen.cli import main
try:
    main(sys.argv[2:], prog_name="docgen")
except SystemExit as exc:
    code = exc.code
else:
    code = 0
with open(sys.argv[1], "w", encoding="utf-8") as fh:
    json.dump({"code": code, "modules": sorted(sys.modules)}, fh)
"""


def _check(tmp_path: Path, env: dict[str, str], *args: str, bundle: Path = BUNDLE) -> tuple[int, set[str], bytes]:
    """Run `docgen check` in a fresh interpreter; return its exit code, its modules and stdout."""
    record = tmp_path / "modules.json"
    run = subprocess.run([sys.executable, "-c", RUN, str(record), "check", str(bundle), *args],
                         capture_output=True, env=env, cwd=tmp_path, timeout=120)
    assert record.exists(), run.stderr.decode(errors="replace")[-3000:]
    result = json.loads(record.read_text(encoding="utf-8"))
    return result["code"], set(result["modules"]), run.stdout


def _loaded(modules: set[str], names: tuple[str, ...]) -> list[str]:
    return sorted(n for n in names if n in modules or any(m.startswith(n + ".") for m in modules))


def _env(cache: Path) -> dict[str, str]:
    import os

    env = {**os.environ, "DOCGEN_CACHE_DIR": str(cache)}
    env.pop("DOCGEN_NO_CACHE", None)
    # As an installed docgen runs: allowed to keep bytecode and the shipped checklist's compiled
    # form beside the package (under -B they are read but never written, so every first check
    # would compile the conditions with Jinja2).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


@pytest.mark.parametrize("fmt", ["json", "text"])
def test_a_check_of_a_bundle_seen_before_imports_only_what_it_needs(tmp_path: Path, fmt: str) -> None:
    args = ("--format", fmt, "--as-of", "2026-11-28", "--no-progress")
    _check(tmp_path, _env(tmp_path / "other"), *args)  # the shipped checklist compiled at first use
    env = _env(tmp_path / "cache")
    first_code, first, first_out = _check(tmp_path, env, *args)
    assert first_code in (0, 1)
    assert _loaded(first, OTHER_COMMANDS) == []
    assert "pypdf" in first and "multiprocessing" in first  # 验资报告.pdf is encrypted: pypdf reads it
    assert "cerberus" not in first  # valid checklist and bundle.yaml: the fast path vouches for them
    assert "jinja2" not in first  # the shipped checklist's conditions were compiled beside the package

    code, warm, out = _check(tmp_path, env, *args)
    assert (code, out) == (first_code, first_out)  # the same report, from the caches
    assert _loaded(warm, OTHER_COMMANDS + CACHE_MISS_ONLY) == []
    assert "docgen.check.report" in warm  # it did run the check


def test_a_json_report_does_not_load_the_terminal_width_tables(tmp_path: Path) -> None:
    # The help pages' wrapper, installed at every start, imports the width tables (wcwidth) and the
    # line-breaking rules (uniseg) only when it wraps a help page: a JSON report lays out no text.
    env = _env(tmp_path / "cache")
    code, modules, _ = _check(tmp_path, env, "--format", "json", "--as-of", "2026-11-28", "--no-progress")
    assert code in (0, 1)
    assert _loaded(modules, ("wcwidth", "uniseg", "docgen.core.textwidth")) == []


def test_a_first_check_of_plainly_sound_files_needs_neither_pypdf_nor_workers(tmp_path: Path) -> None:
    plain = tmp_path / "bundle"
    shutil.copytree(BUNDLE, plain)
    (plain / "01-申请前期" / "验资报告.pdf").unlink()  # the one encrypted PDF
    args = ("--format", "json", "--as-of", "2026-11-28", "--no-progress")
    _check(tmp_path, _env(tmp_path / "other"), *args, bundle=plain)
    code, first, out = _check(tmp_path, _env(tmp_path / "cache"), *args, bundle=plain)
    assert code in (0, 1)
    assert _loaded(first, OTHER_COMMANDS + ("cerberus", "jinja2", "pypdf", "importlib.metadata",
                                            "multiprocessing")) == []
    report = json.loads(out)
    assert sum(f["pages"] or 0 for f in report["files"] if f["kind"] == "pdf") > 0
    assert "stdnum" in first  # bundle.yaml's ID numbers are checked with python-stdnum


def test_a_first_check_finds_what_python_stdnum_finds_in_id_numbers(tmp_path: Path) -> None:
    bad = tmp_path / "bundle"
    shutil.copytree(BUNDLE, bad)
    yaml_file = bad / "bundle.yaml"
    text = yaml_file.read_text(encoding="utf-8")
    assert "330102198809210426" in text and "91330106147023960D" in text and "330106198403152137" in text
    from stdnum.cn import ric

    nowhere = "990106198403152130"  # a well-formed number of an area stdnum's place table lacks
    nowhere = nowhere[:-1] + ric.calc_check_digit(nowhere)
    # A wrong check digit in two, an unknown place in one: python-stdnum's findings, its place table
    # from the parsed form kept beside the package (written at first use) or, with caching off,
    # parsed by stdnum.
    yaml_file.write_text(text.replace("330102198809210426", "330102198809210427")
                         .replace("91330106147023960D", "91330106147023960E")
                         .replace("330106198403152137", nowhere), encoding="utf-8")
    args = ("--format", "json", "--as-of", "2026-11-28", "--no-progress")
    code, first, out = _check(tmp_path, _env(tmp_path / "cache"), *args, bundle=bad)
    assert code == 1 and "stdnum" in first
    found = [f["message"] for f in json.loads(out)["findings"] if f["code"] == "invalid-data"]
    assert any(m.endswith("shareholders[1].id_number：居民身份证号校验位错误") for m in found), found
    assert any(m.endswith("shareholders[0].uscc：统一社会信用代码校验位错误") for m in found), found
    assert any(m.endswith("legal_rep.id_number：居民身份证号含无效成分（如出生日期或地区码）") for m in found), found
    env = {**_env(tmp_path / "off"), "DOCGEN_NO_CACHE": "1"}
    assert _check(tmp_path, env, *args, bundle=bad)[2] == out  # the same report with nothing cached
