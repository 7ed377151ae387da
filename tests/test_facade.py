"""The ``docgen`` facade: every exported name resolves, lazily, to the part that owns it."""
from __future__ import annotations

import datetime as _dt
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import docgen
from docgen.check.report import Report, run_check
from docgen.documents.batch import run_batch
from docgen.loans.npl import compute_figures
from docgen.loans.plan import build_plan
from tests.docxtext import docx_text
from tests.example_helper import EXAMPLE_AS_OF, EXAMPLE_BUNDLE

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "templates"


@pytest.mark.parametrize("name", [n for n in docgen.__all__ if n != "__version__"])
def test_every_exported_name_resolves(name: str) -> None:
    value = getattr(docgen, name)
    assert callable(value), name
    assert name in dir(docgen)


def test_names_are_the_parts_own_objects() -> None:
    assert docgen.check_bundle is run_check
    assert docgen.run_batch is run_batch
    assert docgen.npl_figures is compute_figures
    assert docgen.collection_plan is build_plan


def test_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'no_such_thing'"):
        docgen.no_such_thing  # noqa: B018


def test_import_docgen_loads_no_part() -> None:
    # The command line imports docgen first; the facade must not pull in the parts.
    code = ("import sys, docgen; "
            "print(sorted(m for m in sys.modules if m.startswith(('docgen.', 'jinja2', 'pypdf', 'openpyxl'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_check_bundle_returns_the_report() -> None:
    report = docgen.check_bundle(EXAMPLE_BUNDLE, as_of=_dt.date.fromisoformat(EXAMPLE_AS_OF), jobs=1)
    assert isinstance(report, Report)
    shape = report.to_dict()
    assert (shape["checklist"], shape["as_of"]) == ("dev-loan", EXAMPLE_AS_OF)
    assert len(shape["files"]) == len([p for p in EXAMPLE_BUNDLE.rglob("*") if p.is_file()])


def test_render_writes_the_document_and_takes_a_serial_from_the_register(tmp_path: Path) -> None:
    data = yaml.safe_load((EXAMPLES / "demand-letter.yaml").read_text(encoding="utf-8"))
    data["serial"] = "催字〔2026〕第00007号"  # a serial the data brings is used as given, and recorded
    given = docgen.render("demand-letter", data, tmp_path / "given.docx", register_path=tmp_path / "reg.sqlite")
    assert given.serial == "催字〔2026〕第00007号"
    assert "催字〔2026〕第00007号" in docx_text(given.path)
    del data["serial"]
    again = docgen.render("demand-letter", data, tmp_path / "again.docx", register_path=tmp_path / "reg.sqlite")
    assert again.serial == "催字〔2026〕第00007号"  # the same contract keeps the serial it was printed with
    data["contract_no"] = "临农商借字2025第0999号"
    numbered = docgen.render("demand-letter", data, tmp_path / "n.docx", register_path=tmp_path / "reg.sqlite")
    assert numbered.serial == "催字〔2026〕第00001号"
    assert "催字〔2026〕第00001号" in docx_text(tmp_path / "n.docx")
    with docgen.Register(tmp_path / "reg.sqlite") as reg:
        assert [(r.seq, Path(r.file).name) for r in reg.records("demand-letter")] == [(1, "n.docx"), (7, "again.docx")]
