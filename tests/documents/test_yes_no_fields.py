"""A template's yes/no fields given as a clerk writes them, in a CSV, a workbook or a YAML data file
(``docgen batch``, ``docgen render`` and the library), and a 罚息 demanded of a loan said to bear none."""
from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import docx
import pytest
import yaml
from click.testing import CliRunner
from docxtext import docx_text
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from docgen.cli import main
from docgen.core.errors import RenderError, RowsError
from docgen.core.resources import templates_dir
from docgen.documents.batch import run_batch
from docgen.documents.register import Register
from docgen.documents.template import load_template

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "templates" / "demand-letter.yaml"
ACCEPTED = "应填“是”或“否”（也可填 true/false、yes/no、Y/N、1/0，不区分大小写）"
#: What each flag changes in the letter: the declaration of early maturity, the 罚息 reserved.
DECLARED = "我行现宣布上述贷款全部提前到期"
PENALTY_RESERVED, NO_PENALTY_RESERVED = "欠息、罚息及复利按借款合同约定计收", "欠息及复利按借款合同约定计收"
#: (yes, no) as a clerk may type them in a CSV cell or a YAML string.
SPELLINGS = [("是", "否"), ("true", "false"), ("TRUE", "FALSE"), ("Yes", "No"), ("y", "n"), ("Y", "N"), ("1", "0"),
             (" 是 ", " 否 ")]


@pytest.fixture()
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("DOCGEN_REGISTER", str(tmp_path / "register.sqlite"))
    return CliRunner()


def _letter(**changes: Any) -> dict[str, Any]:
    """The example letter's data with ``changes``, one spreadsheet row (lists as 、-separated text)."""
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    data["guarantors"] = "、".join(data["guarantors"])
    data["measures"] = "credit"
    return data | changes


def _two_letters(yes: Any, no: Any) -> list[dict[str, Any]]:
    """A letter declaring the loan due early whose contract bears no 罚息, and one that is neither."""
    return [_letter(accelerated=yes, penalty_agreed=no, penalty=0),
            _letter(contract_no="临农商借字2025第0313号", borrower="杭州临平明远五金制品有限公司二厂",
                    accelerated=no, penalty_agreed=yes)]


def _write_csv(path: Path, rows: list[dict[str, Any]]) -> Path:
    with path.open("w", newline="", encoding="utf-8-sig") as f:
        writer = csv.DictWriter(f, list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def _write_xlsx(path: Path, rows: list[dict[str, Any]]) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.append(list(rows[0]))
    for row in rows:
        sheet.append(list(row.values()))
    book.save(path)
    return path


def _column(rows: list[dict[str, Any]], field: str) -> str:
    return f"{get_column_letter(list(rows[0]).index(field) + 1)}（{field}）"


def _texts(out: Path) -> list[str]:
    """The batch's letters, by row, reopened with python-docx."""
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    return [docx_text(docx.Document(out / entry["file"])) for entry in sorted(manifest["documents"],
                                                                              key=lambda e: e["row"])]


def _assert_flags_took_effect(first: str, second: str) -> None:
    assert DECLARED in first and NO_PENALTY_RESERVED in first and PENALTY_RESERVED not in first
    assert DECLARED not in second and PENALTY_RESERVED in second


#: (suffix, yes, no): text in a CSV cell; in a workbook, a TRUE/FALSE cell, a number or text.
BATCH_ANSWERS = [(".csv", yes, no) for yes, no in SPELLINGS] + [
    (".xlsx", True, False), (".xlsx", 1, 0), (".xlsx", 1.0, 0.0), (".xlsx", "是", "否"), (".xlsx", "TRUE", "false")]


@pytest.mark.parametrize(("suffix", "yes", "no"), BATCH_ANSWERS)
def test_a_batch_reads_yes_no_as_a_clerk_writes_it(runner: CliRunner, tmp_path: Path, suffix: str, yes: Any,
                                                   no: Any) -> None:
    write = _write_xlsx if suffix == ".xlsx" else _write_csv
    rows = write(tmp_path / f"催收名单{suffix}", _two_letters(yes, no))
    out = tmp_path / "out"
    result = runner.invoke(main, ["batch", "demand-letter", "--rows", str(rows), "--out", str(out)])
    assert result.exit_code == 0, result.output
    _assert_flags_took_effect(*_texts(out))


def test_the_library_batch_reads_them_alike(tmp_path: Path) -> None:
    rows = _write_csv(tmp_path / "rows.csv", _two_letters("是", "否"))
    with Register(tmp_path / "r.sqlite") as register:
        result = run_batch("demand-letter", rows, tmp_path / "out", register=register)
    assert len(result.documents) == 2
    _assert_flags_took_effect(*_texts(tmp_path / "out"))


def test_an_empty_cell_keeps_the_default(runner: CliRunner, tmp_path: Path) -> None:
    # penalty_agreed defaults to yes (the contract's 罚息 reserved), accelerated to no.
    rows = _write_csv(tmp_path / "rows.csv", [_letter(accelerated="", penalty_agreed="")])
    out = tmp_path / "out"
    result = runner.invoke(main, ["batch", "demand-letter", "--rows", str(rows), "--out", str(out)])
    assert result.exit_code == 0, result.output
    (text,) = _texts(out)
    assert DECLARED not in text and PENALTY_RESERVED in text


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_refused_answer_names_row_column_and_value_and_writes_nothing(runner: CliRunner, tmp_path: Path,
                                                                        suffix: str) -> None:
    data = _two_letters("是", "否")
    data[1]["accelerated"] = "是的吗"
    data[0]["penalty_agreed"] = 2 if suffix == ".xlsx" else "2"
    write = _write_xlsx if suffix == ".xlsx" else _write_csv
    rows = write(tmp_path / f"rows{suffix}", data)
    out = tmp_path / "out"
    result = runner.invoke(main, ["batch", "demand-letter", "--rows", str(rows), "--out", str(out)])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"错误：模板 demand-letter：{rows} 第2、3行数据有误，未生成任何文书；请改正后重新运行（或用 --skip-invalid 跳过这些行）",
        f"  - 第2行 {_column(data, 'penalty_agreed')}列 penalty_agreed：无法转换：{ACCEPTED}，收到“2”",
        f"  - 第3行 {_column(data, 'accelerated')}列 accelerated：无法转换：{ACCEPTED}，收到“是的吗”",
    ]
    assert not out.exists()


def test_set_gives_a_yes_no_for_every_row(runner: CliRunner, tmp_path: Path) -> None:
    rows = _write_csv(tmp_path / "rows.csv", [_letter()])
    out = tmp_path / "out"
    result = runner.invoke(main, ["batch", "demand-letter", "--rows", str(rows), "--out", str(out),
                                  "--set", "accelerated=是"])
    assert result.exit_code == 0, result.output
    (text,) = _texts(out)
    assert DECLARED in text


def _yaml_data(tmp_path: Path, text: str, penalty: str = "256.25") -> Path:
    """The example's data file with ``text`` added (and its 罚息 ``penalty``)."""
    data = EXAMPLE.read_text(encoding="utf-8").replace("penalty: 256.25\n", f"penalty: {penalty}\n") + text
    assert f"penalty: {penalty}\n" in data
    path = tmp_path / "催收函.yaml"
    path.write_text(data, encoding="utf-8")
    return path


@pytest.mark.parametrize("answers", [
    "accelerated: 是\npenalty_agreed: 否\n",
    "accelerated: \"true\"\npenalty_agreed: \"FALSE\"\n",
    "accelerated: Y\npenalty_agreed: n\n",
    "accelerated: 1\npenalty_agreed: 0\n",
    "accelerated: yes\npenalty_agreed: no\n",  # YAML's own booleans, as before
])
def test_a_yaml_data_file_gives_yes_no_as_text_numbers_or_booleans(runner: CliRunner, tmp_path: Path,
                                                                   answers: str) -> None:
    data = _yaml_data(tmp_path, answers, penalty="0")
    out = tmp_path / "letter.docx"
    result = runner.invoke(main, ["render", "demand-letter", "--data", str(data), "-o", str(out)])
    assert result.exit_code == 0, result.output
    text = docx_text(docx.Document(out))
    assert DECLARED in text and NO_PENALTY_RESERVED in text and PENALTY_RESERVED not in text


def test_a_yaml_data_file_with_a_refused_answer_exits_1_quoting_it(runner: CliRunner, tmp_path: Path) -> None:
    data = _yaml_data(tmp_path, "accelerated: 有\n")
    out = tmp_path / "letter.docx"
    result = runner.invoke(main, ["render", "demand-letter", "--data", str(data), "-o", str(out)])
    assert result.exit_code == 1
    assert result.output == ("错误：模板 demand-letter：数据未通过检查（1 处问题）\n"
                             f"  - accelerated：无法转换：{ACCEPTED}，收到“有”\n")
    assert not out.exists()


@pytest.mark.parametrize("name", ["demand-letter", "guarantor-demand"])
def test_every_shipped_boolean_field_reads_yes_no(name: str) -> None:
    template = load_template(name)
    flags = [field for field, rule in template.schema.items() if rule.get("type") == "boolean"]
    assert {"matured", "accelerated", "penalty_reserved", "penalty_agreed"} <= set(flags)
    assert all(template.schema[field]["coerce"] == "to_yes_no" for field in flags)
    # The shipped YAML declares none: the loader gives every boolean field, a bank's own template's too.
    shipped = yaml.safe_load((templates_dir() / f"{name}.yaml").read_text(encoding="utf-8"))
    assert all("coerce" not in shipped["schema"][field] for field in flags)


PENALTY_CONTRADICTION = ("借款合同未约定计收罚息（penalty_agreed 为否）的，罚息应为零；"
                         "合同约定了罚息的，penalty_agreed 应为是，收到 256.25")


@pytest.mark.parametrize("name", ["demand-letter", "guarantor-demand"])
def test_a_penalty_demanded_of_a_loan_said_to_bear_none_is_refused(name: str) -> None:
    template = load_template(name)
    data = yaml.safe_load((EXAMPLE.parent / f"{name}.yaml").read_text(encoding="utf-8")) | {"penalty": "256.25", "penalty_agreed": "否"}
    _, problems = template.check(data)
    assert [(p.path, p.code, p.message) for p in problems] == [("penalty", "not-zero", PENALTY_CONTRADICTION)]
    with pytest.raises(RenderError):
        template.prepare(data)
    # A 罚息 of nil with no 罚息 agreed, or a 罚息 the contract agrees: no contradiction.
    assert template.check(data | {"penalty": 0})[1] == []
    assert template.check(data | {"penalty_agreed": "是"})[1] == []


def test_batch_refuses_the_contradiction_naming_row_and_column(runner: CliRunner, tmp_path: Path) -> None:
    data = [_letter(penalty_agreed="否")]
    rows = _write_csv(tmp_path / "rows.csv", data)
    result = runner.invoke(main, ["batch", "demand-letter", "--rows", str(rows), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"错误：模板 demand-letter：{rows} 第2行数据有误，未生成任何文书；请改正后重新运行（或用 --skip-invalid 跳过这些行）",
        f"  - 第2行 {_column(data, 'penalty')}列 penalty：{PENALTY_CONTRADICTION}"]
    with Register(tmp_path / "r.sqlite") as register, pytest.raises(RowsError) as exc:
        run_batch("demand-letter", rows, tmp_path / "lib", register=register)
    assert [(p.row, p.path, p.code) for p in exc.value.problems] == [(2, "penalty", "not-zero")]
