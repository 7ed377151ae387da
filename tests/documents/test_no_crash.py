"""Hostile values and files give one clear line, never a traceback, and never a stranded serial."""
from __future__ import annotations

import json
from pathlib import Path

import yaml
from click.testing import CliRunner

from docgen.cli import main
from docgen.documents.batch import generate
from docgen.documents.register import Register
from docgen.documents.template import load_template

ROOT = Path(__file__).resolve().parents[2]


def _commitment_data() -> dict:
    data = yaml.safe_load((ROOT / "examples" / "templates" / "commitment-letter.yaml").read_text(encoding="utf-8"))
    data.pop("serial", None)
    return data


def test_lone_surrogate_in_json_data_is_one_line_and_reserves_nothing(tmp_path: Path) -> None:
    data = _commitment_data()
    text = json.dumps(data, ensure_ascii=True, default=str).replace(
        json.dumps(data["borrower"], ensure_ascii=True), '"\\ud800\\u516c\\u53f8"')
    source = tmp_path / "d.json"
    source.write_text(text, encoding="utf-8")
    reg = tmp_path / "reg.sqlite"
    result = CliRunner().invoke(main, ["render", "commitment-letter", "--data", str(source),
                                       "-o", str(tmp_path / "x.docx"), "--register", str(reg)])
    assert result.exit_code == 2, result.output
    assert f"{source}: 数据文件中 borrower 含有无效字符" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "x.docx").exists()
    assert not reg.exists() or Register(reg, readonly=True).records() == []


def test_lone_surrogate_in_library_data_is_a_row_problem_not_a_reserved_serial(tmp_path: Path) -> None:
    from docgen.core.errors import RowsError
    import pytest

    data = _commitment_data()
    data["borrower"] = "甲\udc80乙"
    with Register(tmp_path / "reg.sqlite") as reg:
        with pytest.raises(RowsError) as err:
            generate(load_template("commitment-letter"), [("K-1", data)], tmp_path / "out", register=reg)
        assert "borrower" in str(err.value) and "孤立的 UTF-16 代理项" in str(err.value)
        assert reg.records() == []
