"""The checklist as people read it: stages, groups and items in one language or both."""
from __future__ import annotations

import pytest

from docgen.check.checklist import load_checklist
from docgen.check.checklist_text import checklist_json, render_checklist, validity_line
from docgen.core.errors import ChecklistError
from wordingkit import bracket_problems, punctuation_problems


@pytest.fixture(scope="module")
def checklist():
    return load_checklist("dev-loan")


def test_both_languages_by_default(checklist) -> None:
    lines = render_checklist(checklist).splitlines()
    assert lines[0] == "房地产开发贷款资料清单 / Real-estate development loan document checklist  [dev-loan]"
    # the folder's name and every aside open with Chinese: their marks are full-width (GB/T 15834)
    assert lines[3] == "   文件夹 / folder：01-申请前期"
    assert any(line.endswith("[org-code-cert]  （可免：三证合一后不再核发（营业执照载有统一社会信用代码） / abolished by "
                             "the three-in-one reform: the business licence carries the unified social credit code）")
               for line in lines)
    assert "   12. 授信业务申请书（借款申请报告） / Credit application (loan application report)  [credit-application]  （附件一）" in lines
    assert [line for line in lines if punctuation_problems(line) or bracket_problems(line)] == []


def test_both_languages_part_asides_with_the_full_width_separator(tmp_path) -> None:
    path = tmp_path / "tiny.yaml"
    path.write_text(
        "id: tiny\ntitle: {zh: 小清单, en: Tiny}\n"
        "items:\n  a: {title: {zh: 甲, en: A}, kinds: [pdf], annex: 附件一, provider: bank}\n"
        "stages:\n  - id: s1\n    title: {zh: 一, en: One}\n    folder: 一、申请资料\n    entries:\n      - {no: 1, item: a}\n",
        encoding="utf-8")
    lines = render_checklist(load_checklist(str(path))).splitlines()
    assert lines[3:5] == ["   文件夹 / folder：一、申请资料", "    1. 甲 / A  [a]  （附件一；银行提供 / provided by the bank）"]
    assert render_checklist(load_checklist(str(path)), lang="en").splitlines()[3:5] == [
        "   folder: 一、申请资料", "    1. A  [a]  (annex 附件一; provided by the bank)"]


def test_one_language_words_its_notes_in_it(checklist) -> None:
    english = render_checklist(checklist, lang="en").splitlines()
    assert "   12. Credit application (loan application report)  [credit-application]  (annex 附件一)" in english
    assert not any("可免" in line or "文件夹" in line for line in english)
    chinese = render_checklist(checklist, "pre-application", "zh").splitlines()
    assert chinese[2] == "== 申请开发贷前期所需提供资料  [pre-application]" and "   文件夹：01-申请前期" in chinese
    assert "    2. 组织机构代码证正副本复印件  [org-code-cert]  （可免：三证合一后不再核发（营业执照载有统一社会信用代码））" in chinese
    assert [line for line in chinese if punctuation_problems(line) or bracket_problems(line)] == []
    assert not any(line.startswith("== ") for line in chinese[3:])


def test_json_keeps_only_the_stage_asked_for(checklist) -> None:
    assert [s["id"] for s in checklist_json(checklist, "pre-contract")["stages"]] == ["pre-contract"]
    assert len(checklist_json(checklist)["stages"]) == len(checklist.stages)
    with pytest.raises(ChecklistError):
        checklist_json(checklist, "no-such-stage")


def test_validity_line_counts(checklist) -> None:
    entries = sum(len(s.entries) for s in checklist.stages)
    assert validity_line("x.yaml", checklist) == (
        f"x.yaml：有效 / valid — dev-loan：{len(checklist.stages)} 个阶段 / stages，{len(checklist.items)} 个项目 / items，"
        f"{entries} 个清单条目 / entries")
    assert validity_line("x.yaml", checklist, "zh") == (
        f"x.yaml：有效 — dev-loan：{len(checklist.stages)} 个阶段，{len(checklist.items)} 个项目，{entries} 个清单条目")
    assert validity_line("x.yaml", checklist, "en") == (
        f"x.yaml: valid — dev-loan: {len(checklist.stages)} stages, {len(checklist.items)} items, {entries} entries")
