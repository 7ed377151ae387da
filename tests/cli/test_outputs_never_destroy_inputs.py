"""No command writes over its own input (same path, symbolic link, hard link), and a batch never
writes over a letter the register records for another row."""
from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from batch_helpers import rows, write_csv, write_xlsx
from click.testing import CliRunner

from docgen.cli import main
from docgen.core.resources import templates_dir
from docgen.documents.batch import run_batch
from docgen.documents.register import Register
from docgen.documents.template import load_template

ROOT = Path(__file__).resolve().parents[2]


def same(path: Path) -> Path:
    return path


def symlink(path: Path) -> Path:
    link = path.with_name("link-" + path.name)
    link.symlink_to(path)
    return link


def hardlink(path: Path) -> Path:
    link = path.with_name("hard-" + path.name)
    os.link(path, link)
    return link


ALIASES = [same, symlink, hardlink]


def refused(result, victim: Path, before: bytes) -> None:
    assert result.exit_code == 2, result.output
    assert "就是输入文件" in result.output and "写入会毁掉输入" in result.output
    assert "Traceback" not in result.output
    assert victim.read_bytes() == before


@pytest.mark.parametrize("alias", ALIASES)
def test_render_refuses_to_write_over_its_template(tmp_path: Path, alias: Callable[[Path], Path]) -> None:
    template = tmp_path / "T.docx"
    shutil.copy(templates_dir() / "commitment-letter.docx", template)
    data = tmp_path / "d.yaml"
    shutil.copy(ROOT / "examples" / "templates" / "commitment-letter.yaml", data)
    before = template.read_bytes()
    result = CliRunner().invoke(main, ["render", "commitment-letter", "--data", str(data), "--template", str(template),
                                       "-o", str(alias(template))])
    refused(result, template, before)


@pytest.mark.parametrize("alias", ALIASES)
def test_batch_merge_pdf_over_the_rows_is_refused_before_any_serial(tmp_path: Path, alias) -> None:
    sheet = write_csv(tmp_path / "rows.csv", rows(2))
    before = sheet.read_bytes()
    reg = tmp_path / "reg.sqlite"
    result = CliRunner().invoke(main, ["batch", "demand-letter", "--rows", str(sheet), "--out", str(tmp_path / "out"),
                                       "--merge-pdf", str(alias(sheet)), "--register", str(reg), "--no-progress"])
    refused(result, sheet, before)
    with Register(reg, readonly=True) as register:
        assert register.records() == []


def test_batch_rows_named_like_its_manifest_are_refused(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    sheet = write_csv(out / "manifest.csv", rows(2))
    before = sheet.read_bytes()
    result = CliRunner().invoke(main, ["batch", "demand-letter", "--rows", str(sheet), "--out", str(out),
                                       "--register", str(tmp_path / "reg.sqlite"), "--no-progress"])
    refused(result, sheet, before)


@pytest.mark.parametrize("alias", ALIASES)
def test_collect_plan_xlsx_over_its_ledger_is_refused(tmp_path: Path, alias) -> None:
    ledger = tmp_path / "L.xlsx"
    shutil.copy(ROOT / "examples" / "ledger" / "ledger-2026Q2.xlsx", ledger)
    before = ledger.read_bytes()
    result = CliRunner().invoke(main, ["collect", "plan", "--ledger", str(ledger), "--as-of", "2026-06-30",
                                       "--format", "xlsx", "-o", str(alias(ledger))])
    refused(result, ledger, before)


def test_npl_report_over_its_template_is_refused(tmp_path: Path) -> None:
    template = tmp_path / "npl.docx"
    shutil.copy(templates_dir() / "npl-report.docx", template)
    before = template.read_bytes()
    result = CliRunner().invoke(main, ["npl-report", "--ledger", str(ROOT / "examples" / "ledger" / "ledger-2026Q2.xlsx"),
                                       "--period", "2026Q2", "--template", str(template), "-o", str(template)])
    refused(result, template, before)


def test_check_report_over_a_file_of_the_bundle_is_refused(tmp_path: Path) -> None:
    bundle = tmp_path / "bundle"
    shutil.copytree(ROOT / "examples" / "bundle", bundle)
    victim = next(p for p in sorted(bundle.rglob("*.pdf")))
    before = victim.read_bytes()
    result = CliRunner().invoke(main, ["check", str(bundle), "--format", "json", "-o", str(victim)])
    refused(result, victim, before)


def test_a_file_name_without_serial_never_overwrites_an_earlier_letter(tmp_path: Path) -> None:
    template = load_template("demand-letter")
    template.filename_pattern = "{borrower}_催收函"
    first, second = rows(2)
    second["借款人"] = first["借款人"]  # the same borrower, another contract: another letter
    out = tmp_path / "out"
    with Register(tmp_path / "reg.sqlite") as reg:
        one = run_batch(template, write_xlsx(tmp_path / "a.xlsx", [first]), out, register=reg)
        letter = one.documents[0].file
        kept = letter.read_bytes()
        two = run_batch(template, write_xlsx(tmp_path / "b.xlsx", [second]), out, register=reg)
    assert letter.read_bytes() == kept
    assert two.documents[0].file.name == f"{first['借款人']}_催收函 (2).docx"
    with Register(tmp_path / "reg.sqlite", readonly=True) as reg:
        assert reg.verify() == []
