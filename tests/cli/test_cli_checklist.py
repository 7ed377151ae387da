"""`docgen checklist show|list` through click's CliRunner: output, languages, exit codes."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from docgen.cli import main
from docgen.core.resources import checklists_dir


def _run(*args: str):
    return CliRunner().invoke(main, ["checklist", *args])


def test_show_is_bilingual_by_default() -> None:
    result = _run("show")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "房地产开发贷款资料清单 / Real-estate development loan document checklist  [dev-loan]"
    assert "== 申请开发贷前期所需提供资料 / Documents for the development loan application  [pre-application]" in lines
    assert "   文件夹 / folder：01-申请前期" in lines
    assert "  -- 申请人基本资料 / Applicant's basic documents" in lines
    assert "    1. 营业执照正副本复印件 / Business licence (original and duplicate), copy  [business-license]" in lines
    assert ("   B1. 房地产开发贷款调查报告 / Development loan investigation report  [investigation-report]"
            "  （银行提供 / provided by the bank）") in lines
    assert "    3. 承诺函 / Commitment letter  [commitment-letter]  （附件四）" in lines
    assert any(line.startswith("    2. 组织机构代码证正副本复印件") and "可免：三证合一" in line for line in lines)
    assert "== 放款前公司需向银行提供资料清单 / Documents the company gives the bank before disbursement  [pre-disbursement]" in lines


def test_show_one_stage_one_language() -> None:
    zh = _run("show", "--stage", "pre-contract", "--lang", "zh")
    assert zh.exit_code == 0
    assert zh.output.splitlines()[:4] == [
        "房地产开发贷款资料清单  [dev-loan]", "", "== 签订借款合同和抵押合同前汇签资料  [pre-contract]", "   文件夹：02-签约前汇签"]
    assert "    1. 股东会决议及授权书  [shareholder-resolution]  （附件二）" in zh.output.splitlines()
    assert "申请开发贷前期" not in zh.output and "Commitment" not in zh.output
    en = _run("show", "dev-loan", "-s", "pre-contract", "--lang", "en")
    assert "    1. Shareholders' resolution and authorization  [shareholder-resolution]  (annex 附件二)" in en.output.splitlines()
    assert "股东会决议" not in en.output


def test_show_json() -> None:
    result = _run("show", "--format", "json", "--stage", "pre-disbursement")
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert [s["id"] for s in data["stages"]] == ["pre-disbursement"]
    four = [i for i in data["stages"][0]["items"] if i["id"] == "four-permits"][0]
    assert four["no"] == "16" and four["rules"][0]["rule"] == "all-of"


def test_show_a_banks_own_file(tmp_path: Path) -> None:
    doc = yaml.safe_load((checklists_dir() / "dev-loan.yaml").read_text(encoding="utf-8"))
    doc["id"] = "my-bank"
    doc["title"] = {"zh": "我行开发贷清单", "en": "Our checklist"}
    path = tmp_path / "我行清单.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    result = _run("show", str(path), "--lang", "zh")
    assert result.exit_code == 0
    assert result.output.splitlines()[0] == "我行开发贷清单  [my-bank]"


def test_output_file(tmp_path: Path) -> None:
    out = tmp_path / "list.txt"
    result = _run("show", "--lang", "en", "-o", str(out))
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", f"wrote {out}\n")  # as check says it
    assert _run("show", "-o", str(tmp_path / "清单.txt")).stderr == f"已写入 {tmp_path / '清单.txt'}\n"
    assert out.read_text(encoding="utf-8").startswith("Real-estate development loan document checklist")


def test_unknown_stage_or_checklist_exits_2(tmp_path: Path) -> None:
    result = _run("show", "--stage", "signing")
    assert result.exit_code == 2
    assert "没有阶段“signing”；可用阶段：pre-application、pre-contract、pre-disbursement" in result.output
    result = _run("show", "no-such-list")
    assert result.exit_code == 2
    assert "未知清单“no-such-list”：可用清单为 dev-loan" in result.output
    broken = tmp_path / "broken.yaml"
    broken.write_text("id: x\ntitle: {zh: 甲, en: A}\nitems: {a: {title: {zh: 甲, en: A}, kinds: [exe]}}\n"
                      "stages: [{id: s, title: {zh: 一, en: One}, folder: s, entries: [{no: '1', item: a}]}]\n",
                      encoding="utf-8")
    result = _run("show", str(broken))
    assert result.exit_code == 2
    assert "items.a.kinds[0]：不允许的取值 exe" in result.output
    assert _run("show", "--lang", "fr").exit_code == 2


def test_list() -> None:
    result = _run("list")
    assert result.exit_code == 0 and result.output == "dev-loan\n"


def test_validate_a_banks_file(tmp_path: Path) -> None:
    good = tmp_path / "good.yaml"
    good.write_text((checklists_dir() / "dev-loan.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    result = _run("validate", str(good))
    assert result.exit_code == 0
    assert result.output == (f"{good}：有效 / valid — dev-loan：3 个阶段 / stages，49 个项目 / items，"
                             "59 个清单条目 / entries\n")
    bad = tmp_path / "bad.yaml"
    bad.write_text(good.read_text(encoding="utf-8").replace('when: "true"', "when: borrower.__class__", 1),
                   encoding="utf-8")
    result = _run("validate", str(bad))
    assert result.exit_code == 2
    assert "items.org-code-cert.rules[0].when：表达式“borrower.__class__”不安全或无效" in result.output
    assert _run("validate", str(tmp_path / "none.yaml")).exit_code == 2


def test_a_condition_that_reads_as_two_expressions_is_a_syntax_error(tmp_path: Path) -> None:
    # Inside the {{ ( ) }} it is checked in, the text parses; alone it is no expression: no traceback.
    bad = tmp_path / "bad.yaml"
    source = "borrower.uscc ) }}{{ ( borrower"
    bad.write_text((checklists_dir() / "dev-loan.yaml").read_text(encoding="utf-8")
                   .replace('when: "true"', f'when: "{source}"', 1), encoding="utf-8")
    result = _run("validate", str(bad))
    assert (result.exit_code, result.output) == (
        2, f"错误：{bad}：items.org-code-cert.rules[0].when：表达式“{source}”语法错误：unexpected ')'\n")


def test_validate_reads_the_file_given_when_it_bears_a_shipped_checklists_name(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("dev-loan").write_text("id: [\n", encoding="utf-8")  # a bank's copy saved without its .yaml
    result = _run("validate", "dev-loan")
    assert (result.exit_code, result.output) == (
        2, f"错误：{(tmp_path / 'dev-loan').resolve()}：YAML 语法错误 第2行第1列：did not find expected node content\n")
    assert _run("show", "dev-loan").output.startswith("房地产开发贷款资料清单")  # a name, as it was


def test_a_banks_file_saved_in_gbk_is_read_and_one_no_encoding_decodes_is_named(tmp_path: Path) -> None:
    text = (checklists_dir() / "dev-loan.yaml").read_text(encoding="utf-8")
    notepad = tmp_path / "我行清单.yaml"
    notepad.write_bytes(text.encode("gbk"))  # Notepad's "ANSI" on Chinese Windows
    result = _run("validate", str(notepad))
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"{notepad}：有效 / valid — dev-loan：3 个阶段")
    assert _run("show", str(notepad), "--lang", "zh").output == _run("show", "dev-loan", "--lang", "zh").output
    broken = tmp_path / "broken.yaml"
    broken.write_bytes(b"id: " + b"\x81\xff\x00" * 40 + b"\n")
    result = _run("validate", str(broken))
    assert result.exit_code == 2
    assert result.output == (f"错误：{broken}：无法识别清单文件的编码（不是 UTF-8 或 GB18030/GBK）；"
                             "请保存为 UTF-8 编码的 YAML\n")


def test_unwritable_output_exits_2(tmp_path):
    (tmp_path / "a-file").write_text("x")
    out = tmp_path / "a-file" / "清单.txt"  # its folder cannot be created
    result = _run("show", "-o", str(out))
    assert result.exit_code == 2
    assert f"无法写入 {out}（File exists）" in result.output and "Traceback" not in result.output
