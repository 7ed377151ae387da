"""``npl-report``'s ``period_label``: a required field (it keys the register, is the serial and
names the file) that the text does not print. Data without it, or with a label that is no period,
is a field error naming it; template lint does not ask for it in the text."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from docgen.core.errors import RenderError, TemplateError
from docgen.documents.lint import lint_docx
from docgen.documents.render import render
from docgen.documents.template import Template, load_template
from docgen.loans.npl import parse_period
from docgen.loans.npl_report import Notes, read_figures, render_chart, report_context

LEDGER = Path(__file__).resolve().parents[2] / "examples" / "ledger" / "ledger-2026Q2.xlsx"


@pytest.fixture(scope="module")
def context() -> dict:
    figures = read_figures(LEDGER, None, period=parse_period("2026Q2"))
    return report_context(figures, Notes(), branch="杭州临平农村商业银行南苑支行", chart_png=render_chart(figures))


def _problems(exc: pytest.ExceptionInfo) -> list[tuple[str, str]]:
    return [(p.path, p.code) for p in exc.value.problems]


def test_the_shipped_report_lints_clean_and_requires_its_period_label() -> None:
    template = load_template("npl-report")
    assert template.schema["period_label"]["required"] is True
    assert "period_label" in template.unprinted_fields
    report = lint_docx(template.path, template)
    assert [p for p in report.problems if p.code == "unused-variable"] == []
    assert "period_label" not in report.variables  # the text prints period_name


@pytest.mark.parametrize("label, code", [(None, "required"), ("", "empty"), ("2026Q5", "format"), ("2026q5", "format"),
                                         ("2026-13", "format"), ("2026Q2/../x", "format")])
def test_a_missing_or_invalid_period_label_is_a_field_error(tmp_path: Path, context: dict, label, code) -> None:
    data = {k: v for k, v in context.items() if k != "period_label"}
    if label is not None:
        data["period_label"] = label
    out = tmp_path / "report.docx"
    with pytest.raises(RenderError) as exc:
        render("npl-report", data, out, register_path=tmp_path / "register.sqlite")
    assert _problems(exc) == [("period_label", code)]
    assert "period_label" in str(exc.value)
    assert not out.exists() and list(tmp_path.iterdir()) == []  # nothing written, no register made


def test_the_report_renders_with_its_label_as_serial_and_file_name(tmp_path: Path, context: dict) -> None:
    template = load_template("npl-report")
    out = tmp_path / template.output_name(template.prepare(context))
    rendered = render(template, context, out, register_path=tmp_path / "register.sqlite")
    assert rendered.serial == "2026Q2"
    assert out.name == "杭州临平农村商业银行南苑支行_2026Q2_不良贷款现状及催收管理工作报告.docx" and out.exists()


def test_an_unprinted_field_the_metadata_does_not_use_is_a_template_fault(tmp_path: Path) -> None:
    shipped = load_template("npl-report")
    meta = {**shipped.meta, "schema": {**shipped.meta["schema"],
                                       "recipient": {"type": "string", "required": True, "meta": {"printed": False}}}}
    with pytest.raises(TemplateError, match="recipient.*printed: false"):
        Template("npl-report", shipped.path, None, meta)


@pytest.mark.parametrize("typed, label", [("2026q2", "2026Q2"), (" 2026q2 ", "2026Q2"), ("２０２６ｑ２", "2026Q2"),
                                          ("2026h1", "2026H1"), ("2026-6", "2026-06")])
def test_a_label_typed_in_another_case_is_written_in_its_documented_form(tmp_path: Path, context: dict, typed: str,
                                                                         label: str) -> None:
    # Hand-written data (docgen render npl-report --data): the register, the serial and the file
    # name all take the form the README documents, as `--period 2026q2` does.
    from click.testing import CliRunner

    from docgen.cli import main

    template = load_template("npl-report")
    data = {**context, "period_label": typed}
    prepared = template.prepare(data)
    assert prepared["period_label"] == label
    out = tmp_path / template.output_name(prepared)
    register = tmp_path / "register.sqlite"
    rendered = render(template, data, out, register_path=register)
    assert rendered.serial == label
    assert out.name == f"杭州临平农村商业银行南苑支行_{label}_不良贷款现状及催收管理工作报告.docx" and out.exists()
    listed = CliRunner().invoke(main, ["register", "list", "--register", str(register), "--format", "json"])
    assert listed.exit_code == 0, listed.output
    (entry,) = json.loads(listed.stdout)
    assert (entry["serial"], entry["row_key"], Path(entry["file"]).name) == (label, label, out.name)


# Labels as typed: documented forms, other cases and widths, and near misses of every part.
_TYPED = ["2026Q2", "2026q4", " 2026q2 ", "２０２６ｑ２", "2026H1", "2026h2", "2026", "2026-6", "2026-06", "2026-12",
          "２０２６－６", "2026Q5", "2026Q0", "2026H3", "2026-13", "2026-0", "2026-00", "2026-123", "26Q1", "Q2 2026",
          "2026Q2/../x", "2026-6-1", "2026Q", "2026-", "2026 Q2", "20261", "2026Q2\n", ""]


def test_one_definition_of_a_period_serves_the_label_the_template_and_the_report() -> None:
    # values.PERIOD_LABEL is the form: period_label writes it, the template checks it
    # (check_with, not a pattern of its own) and parse_period reads the period from it.
    from docgen.core.errors import InvalidValueError
    from docgen.core.fastcheck import compile_schema
    from docgen.core.validation import validate
    from docgen.core.values import PERIOD_LABEL, period_label

    rule = load_template("npl-report").schema["period_label"]
    assert rule["check_with"] == "period_label" and "regex" not in rule
    schema = {"period_label": rule}
    fast = compile_schema(schema)
    assert fast is not None
    for typed in _TYPED:
        label = period_label(typed)
        try:
            period = parse_period(typed)
        except InvalidValueError as exc:
            assert exc.code == "period-unknown"
            period = None
        normalized, problems = validate(schema, {"period_label": typed})
        known = PERIOD_LABEL.fullmatch(label) is not None
        assert (period is not None, not problems, fast({"period_label": typed}) is not None) == (known,) * 3, typed
        if known:
            assert period.label == label == normalized["period_label"] == fast({"period_label": typed})["period_label"]
        else:
            assert [p.code for p in problems] == (["empty"] if typed == "" else ["format"])
