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
    assert f"{source}：数据文件中 borrower 含有无效字符" in result.output and "Traceback" not in result.output
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


# ------------------------------------------------------------------ template bounds and literal values

def _one_paragraph_template(tmp_path: Path, text: str, fields: dict | None = None):
    from docgen.core.docxbuild import add_body, new_document

    doc = new_document()
    add_body(doc, text)
    tmp_path = tmp_path / f"t{len(list(tmp_path.iterdir()))}"  # a folder per template: loads are cached by path
    tmp_path.mkdir()
    path = tmp_path / "t.docx"
    doc.save(path)
    schema = fields or {"name": {"type": "string"}}
    meta = {"title": "测试", "category": "测试", "key_field": next(iter(schema)), "schema": schema}
    (tmp_path / "t.yaml").write_text(yaml.safe_dump(meta, allow_unicode=True), encoding="utf-8")
    return load_template(path=path)


def _text(data: bytes) -> str:
    from docxtext import docx_text

    return docx_text(data)


def test_a_huge_string_expression_is_refused_not_a_memory_error(tmp_path: Path) -> None:
    import pytest
    from docgen.core.errors import RenderError

    template = _one_paragraph_template(tmp_path, "{{ 'a' * 10**9 }}{{ name }}")
    with pytest.raises(RenderError, match="结果过大"):
        template.render({"name": "x", "serial": "1"})
    power = _one_paragraph_template(tmp_path, "{{ 7 ** 100000000 }}{{ name }}")
    with pytest.raises(RenderError, match="结果过大"):
        power.render({"name": "x", "serial": "1"})


def test_nested_loops_stop_at_the_output_or_time_budget(tmp_path: Path, monkeypatch) -> None:
    import time

    import pytest
    from docgen.core.errors import RenderError
    from docgen.documents import bounds

    monkeypatch.setattr(bounds, "RENDER_SECONDS", 1.0)
    loud = _one_paragraph_template(
        tmp_path, "{% for i in range(100000) %}{% for j in range(100000) %}xxxxxxxxxx{% endfor %}{% endfor %}{{ name }}")
    start = time.monotonic()
    with pytest.raises(RenderError, match="过大|超过"):
        loud.render({"name": "x", "serial": "1"})
    quiet = _one_paragraph_template(
        tmp_path, "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}{{ name }}")
    with pytest.raises(RenderError, match="超过 1 秒"):
        quiet.render({"name": "x", "serial": "1"})
    assert time.monotonic() - start < 30


def test_docxtpl_escape_syntax_in_a_value_is_printed_exactly(tmp_path: Path) -> None:
    template = _one_paragraph_template(tmp_path, "值:{{ name }};字面:{_{ x }_}")
    text = _text(template.render({"name": "a{_{b}_}{_%c%_}", "serial": "1"}))
    assert "值:a{_{b}_}{_%c%_};" in text
    assert "字面:{{ x }}" in text  # the template author's own escape still prints braces
