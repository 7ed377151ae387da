"""Users' text never becomes a formula in a spreadsheet docgen writes, and never hides a file name."""
from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pytest
from batch_helpers import rows, write_xlsx
from collect_helpers import AS_OF, make_loan

from docgen.core.cells import csv_safe
from docgen.documents.batch import generate
from docgen.documents.register import Register
from docgen.documents.template import load_template
from docgen.loans.ledger import write_ledger

HOSTILE = ["=HYPERLINK(\"http://x\",\"点我\")", "+1+1", "-2+3", "@SUM(A1:A2)", "\t=1", "\r=1"]


@pytest.mark.parametrize("text", HOSTILE)
def test_csv_cells_that_would_start_a_formula_get_a_quote(text: str) -> None:
    assert csv_safe(text) == "'" + text
    assert csv_safe("临农商借字2026第0001号") == "临农商借字2026第0001号" and csv_safe(12) == 12


def test_manifest_csv_neutralises_formula_row_keys(tmp_path: Path) -> None:
    template = load_template("commitment-letter")
    import yaml

    data = yaml.safe_load((Path(__file__).resolve().parents[2] / "examples" / "templates" /
                           "commitment-letter.yaml").read_text(encoding="utf-8"))
    data.pop("serial", None)
    with Register(tmp_path / "reg.sqlite") as reg:
        result = generate(template, [("=1+2", data)], tmp_path / "out", register=reg)
    with open(result.manifest_csv, encoding="utf-8-sig", newline="") as fh:
        record = next(csv.DictReader(fh))
    assert record["row_key"] == "'=1+2"


def test_plan_xlsx_keeps_formula_like_ledger_text_as_text(tmp_path: Path) -> None:
    from docgen.loans.plan import build_plan, load_policy
    from docgen.loans.plan_output import write_xlsx as write_plan

    loan = make_loan("JJ0001", days=40, borrower='=HYPERLINK("http://evil","点我")', officer="@王五")
    plan = build_plan([loan], AS_OF, load_policy(None))
    path = tmp_path / "plan.xlsx"
    write_plan(plan, path)
    sheet = openpyxl.load_workbook(path).active
    texts = {c.value: c.data_type for row in sheet.iter_rows(min_row=2) for c in row if isinstance(c.value, str)}
    assert texts['=HYPERLINK("http://evil","点我")'] == "s"  # stored as text, exactly as typed
    assert all(kind == "s" for kind in texts.values())


def test_a_ledger_written_back_keeps_formula_like_text_as_text(tmp_path: Path) -> None:
    path = write_ledger([make_loan("JJ0002", borrower="=1+1")], tmp_path / "l.xlsx")
    sheet = openpyxl.load_workbook(path).active
    assert any(c.value == "=1+1" and c.data_type == "s" for row in sheet.iter_rows(min_row=2) for c in row)


def test_bidi_controls_are_stripped_from_output_names(tmp_path: Path) -> None:
    template = load_template("demand-letter")
    data = rows(1)
    data[0]["借款人"] = "杭州\u202ecod.exe\u202c五金有限公司"
    with Register(tmp_path / "reg.sqlite") as reg:
        from docgen.documents.batch import run_batch

        result = run_batch(template, write_xlsx(tmp_path / "r.xlsx", data), tmp_path / "out", register=reg)
    name = result.documents[0].file.name
    assert name == "催字〔2026〕第00001号_杭州cod.exe五金有限公司_逾期贷款催收函.docx"
    assert not any(ch in name for ch in "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
