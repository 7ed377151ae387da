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
    assert lines[3] == "   文件夹 / folder: 01-申请前期"
    assert any(line.endswith("[org-code-cert]  (可免：三证合一后不再核发（营业执照载有统一社会信用代码） / abolished by "
                             "the three-in-one reform: the business licence carries the unified social credit code)")
               for line in lines)


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
