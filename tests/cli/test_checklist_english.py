"""``docgen checklist show --lang en`` says in English why a checklist cannot be shown (a stage or
checklist unknown, a bank's file broken), by the same tables as ``docgen check --lang en``; in
Chinese, and with both languages (no ``--lang``), it says so in Chinese as before. What the checklist's
data holds (a folder's name, an annex's label) stays as the data has it.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from docgen.cli import main

_CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef\u3000-\u303f]")


def _said(*args: str) -> tuple[str, str, str]:
    """Return what ``checklist show ARGS`` prints when it cannot show the checklist, with --lang en,
    --lang zh and without --lang (both languages); each exits 2."""
    said = []
    for lang in (["--lang", "en"], ["--lang", "zh"], []):
        result = CliRunner().invoke(main, ["checklist", "show", *args, *lang])
        assert result.exit_code == 2, result.output
        said.append(result.output.strip())
    return said[0], said[1], said[2]


def test_an_unknown_stage_is_named_in_english() -> None:
    english, chinese, both = _said("--stage", "nope")
    assert english == ("Error: checklist dev-loan has no stage 'nope'; its stages: pre-application, pre-contract, "
                       "pre-disbursement")
    assert chinese == both == "错误：清单 dev-loan 没有阶段“nope”；可用阶段：pre-application、pre-contract、pre-disbursement"


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_an_unknown_checklist_is_named_in_english_in_either_format(fmt: str) -> None:
    english, chinese, both = _said("nope", "--format", fmt)
    assert english == "Error: unknown checklist 'nope': the checklists are dev-loan, or give the path of a checklist YAML file"
    assert chinese == both == "错误：未知清单“nope”：可用清单为 dev-loan，或传入清单 YAML 文件的路径"


def test_lang_is_read_before_the_options_it_words() -> None:
    # -o before --lang: the output option's refusal is worded in English all the same
    result = CliRunner().invoke(main, ["checklist", "show", "-o", "out/", "--lang", "en"])
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == ("Error: Invalid value for '-o' / '--output': out/ ends with a path "
                                              "separator, so it is a folder; give the name of the file to write, "
                                              "e.g. out/report.json")


def test_a_broken_bank_checklist_is_said_in_english(tmp_path: Path) -> None:
    broken = tmp_path / "我行清单.yaml"
    broken.write_text("id: bank\nitems: [\n", encoding="utf-8")
    english, chinese, both = _said(str(broken))
    assert english == f"Error: {broken}, line 3, column 1: YAML syntax error: did not find expected node content"
    assert chinese == both == f"错误：{broken}：YAML 语法错误 第3行第1列：did not find expected node content"
    broken.write_text("id: bank\nitems: 3\n", encoding="utf-8")
    english, chinese, both = _said(str(broken), "--format", "json")
    assert english == (f"Error: {broken}: items: should be a mapping; stages: required field missing; "
                       "title: required field missing")
    assert chinese == both == f"错误：{broken}：items：类型应为映射；stages：必填字段，不能缺少；title：必填字段，不能缺少"
    broken.write_text("id: bank\ntitle: {zh: 清单, en: List}\nitems:\n  a: {title: {zh: 甲, en: A}, kinds: [pdf]}\n"
                      "stages:\n  - {id: s, title: {zh: 一, en: One}, folder: s, entries: [{no: '1', item: b}]}\n",
                      encoding="utf-8")
    english, chinese, both = _said(str(broken), "--stage", "s")
    assert english == f"Error: {broken}: stages[0].entries[0].item: item 'b' is not defined (define it under items first)"
    assert chinese == both == f"错误：{broken}：stages[0].entries[0].item：未定义的项目“b”（请先在 items 中定义）"
    folder = tmp_path / "清单.yaml"
    folder.mkdir()
    english, chinese, both = _said(str(folder))
    assert english == (f"Error: the checklist file {folder} is a folder, pipe or device, not a regular file "
                       "(give a .yaml file)")
    assert chinese == both == f"错误：清单文件不是普通文件，而是文件夹、管道或设备：{folder}（请给出 .yaml 文件）"

def test_the_english_checklist_holds_no_chinese_but_its_data() -> None:
    result = CliRunner().invoke(main, ["checklist", "show", "--lang", "en"])
    assert result.exit_code == 0
    # a stage's folder and an annex's label are the checklist's data, named as the bundle names them
    text = re.sub(r"folder: \S+|annex 附件\S+\)", "", result.output)
    assert not _CJK.search(text), [line for line in text.splitlines() if _CJK.search(line)]
    data = json.loads(CliRunner().invoke(main, ["checklist", "show", "--lang", "en", "--format", "json"]).output)
    assert data["title"] == {"zh": "房地产开发贷款资料清单", "en": "Real-estate development loan document checklist"}
