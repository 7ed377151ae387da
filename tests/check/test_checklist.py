"""Checklist definitions: the shipped dev-loan checklist, a bank's own file, broken files, sandbox."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from docgen.check.checklist import list_checklists, load_checklist
from docgen.core.conditions import Condition
from docgen.core.errors import ChecklistError
from docgen.core.resources import checklists_dir

DESIGN_IDS = {
    "pre-application": [
        "business-license", "org-code-cert", "tax-registration", "account-permit", "legal-rep-id", "loan-card",
        "audit-reports", "capital-verification", "articles", "developer-qualification", "company-profile",
        "credit-application", "site-plan", "feasibility-study", "project-approval", "land-planning-permit",
        "land-use-cert", "construction-planning-permit", "construction-permit", "equity-proof", "land-transfer",
        "capital-reserve-audit", "environmental-assessment", "pre-appraisal", "investigation-report",
        "credit-submission-form", "credit-report", "project-management-plan", "credit-rating-sheet",
        "internal-rating",
    ],
    "pre-contract": [
        "shareholder-resolution", "irrevocable-commitment", "commitment-letter", "personal-guarantee-statement",
        "closed-fund-agreement", "signature-specimen", "loan-contract", "mortgage-contract",
    ],
    "pre-disbursement": [
        "business-application", "business-license", "org-code-cert", "legal-rep-certificate", "tax-registration",
        "articles", "capital-verification", "audit-reports", "account-permit", "signature-specimens", "loan-card",
        "project-approval", "feasibility-study", "environmental-approval", "design-approvals", "progress-evidence",
        "four-permits", "land-transfer-contract", "related-party-declaration", "seal-witness-confirmation",
        "drawdown-application",
    ],
}


def test_dev_loan_has_every_item_of_the_seed_in_order() -> None:
    c = load_checklist()
    assert c.id == "dev-loan"
    assert c.stage_ids == list(DESIGN_IDS)
    for stage in c.stages:
        assert [e.item.id for e in stage.entries] == DESIGN_IDS[stage.id]
    numbers = [e.no for e in c.stage("pre-application").entries]
    assert numbers == [str(n) for n in range(1, 25)] + [f"B{n}" for n in range(1, 7)]
    # 营业执照 and 组织机构代码证 share number 2 in the pre-disbursement list, as in the seed.
    assert [e.item.id for e in c.stage("pre-disbursement").entries_numbered("2")] == ["business-license", "org-code-cert"]


def test_items_reused_across_stages_are_one_object() -> None:
    c = load_checklist("dev-loan")
    first = {e.item.id: e for e in c.stage("pre-application").entries}
    last = {e.item.id: e for e in c.stage("pre-disbursement").entries}
    assert first["business-license"].item is last["business-license"].item
    assert (first["audit-reports"].no, last["audit-reports"].no) == ("7", "7")
    assert (first["articles"].no, last["articles"].no) == ("9", "5")


def test_item_fields() -> None:
    c = load_checklist()
    lic = c.item("business-license")
    assert lic.title == {"zh": "营业执照正副本复印件", "en": "Business licence (original and duplicate), copy"}
    assert lic.group == "applicant" and lic.provider == "client"
    assert "营业执照" in lic.aliases and "business-license" in lic.aliases
    assert set(lic.kinds) == {"pdf", "jpg", "png", "tiff"}
    assert c.item("articles").aliases[:2] == ["公司章程", "章程"]
    bank = [e for e in c.stage("pre-application").entries if e.group == "bank"]
    assert [e.no for e in bank] == ["B1", "B2", "B3", "B4", "B5", "B6"]
    assert all(e.item.provider == "bank" for e in bank)
    annexes = {i.id: i.annex for i in c.items.values() if i.annex}
    assert annexes == {
        "credit-application": "附件一", "shareholder-resolution": "附件二", "irrevocable-commitment": "附件三",
        "commitment-letter": "附件四", "personal-guarantee-statement": "附件五", "closed-fund-agreement": "附件六",
        "signature-specimen": "附件七", "business-application": "附件八", "seal-witness-confirmation": "附件九",
        "related-party-declaration": "附件十", "drawdown-application": "附件十一",
    }
    assert c.item("org-code-cert").rules_of("waive")[0]["when"].source == "true"  # abolished (三证合一)
    assert c.item("credit-report").rules_of("max-age")[0]["days"] == 30
    assert c.group_title("bank") == {"zh": "银行上报资料（银行提供）", "en": "Bank's own reports (provided by the bank)"}
    assert c.stage("pre-application").folder == "01-申请前期"


def test_list_checklists_excludes_the_schema() -> None:
    assert list_checklists() == ["dev-loan"]


def _bank_file(tmp_path: Path, mutate=None) -> Path:
    doc = yaml.safe_load((checklists_dir() / "dev-loan.yaml").read_text(encoding="utf-8"))
    doc["id"] = "my-bank"
    if mutate:
        mutate(doc)
    path = tmp_path / "my-bank.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_a_bank_can_load_its_own_file_by_path(tmp_path: Path) -> None:
    def mutate(doc):
        doc["stages"] = [doc["stages"][0]]
        doc["stages"][0]["entries"] = [{"no": 1, "item": "business-license"}]  # a number, as people type it

    c = load_checklist(_bank_file(tmp_path, mutate))
    assert c.id == "my-bank"
    assert [(e.no, e.item.id) for e in c.stages[0].entries] == [("1", "business-license")]


def test_bare_no_key_read_as_false_by_yaml_is_taken_back(tmp_path: Path) -> None:
    path = tmp_path / "tiny.yaml"
    path.write_text(
        "id: tiny\ntitle: {zh: 小清单, en: Tiny}\n"
        "items:\n  a: {title: {zh: 甲, en: A}, kinds: [pdf]}\n"
        "stages:\n  - id: s1\n    title: {zh: 一, en: One}\n    folder: s1\n    entries:\n      - {no: 1, item: a}\n",
        encoding="utf-8",
    )
    c = load_checklist(str(path))
    assert c.stages[0].entries[0].no == "1"


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda d: d["items"]["site-plan"].__setitem__("kinds", ["pdf", "exe"]),
         "my-bank.yaml：items.site-plan.kinds[1]：不允许的取值 exe"),
        (lambda d: d["items"]["site-plan"].__setitem__("provider", "notary"),
         "items.site-plan.provider：不允许的取值 notary"),
        (lambda d: d["stages"][1]["entries"].append({"no": "9", "item": "no-such-item"}),
         "stages[1].entries[8].item：未定义的项目“no-such-item”"),
        (lambda d: d["items"]["site-plan"].__setitem__("kinds", "scans"),
         "items.site-plan.kinds：未定义的类型集合“scans”"),
        (lambda d: d["items"]["credit-report"]["rules"][0].pop("days"),
         "items.credit-report.rules[0].days：规则 max-age 缺少必填键 days"),
        (lambda d: d["items"]["org-code-cert"]["rules"][0].__setitem__("when", "borrower.uscc and ("),
         "items.org-code-cert.rules[0].when：表达式“borrower.uscc and (”语法错误"),
        (lambda d: d.pop("stages"), "stages：必填字段"),
        # docgen init creates the stage folders: a path would put them outside the client folder.
        (lambda d: d["stages"][0].__setitem__("folder", "../申请前期"), "stages[0].folder：格式不符合要求"),
        (lambda d: d["stages"][0].__setitem__("folder", "/tmp/x"), "stages[0].folder：格式不符合要求"),
        (lambda d: d["stages"][0].__setitem__("folder", ".."), "stages[0].folder：格式不符合要求"),
        (lambda d: d["items"]["four-permits"]["rules"][0].__setitem__("items", ["land-use-cert", "four-permits"]),
         "items.four-permits.rules：all-of 循环引用（four-permits → four-permits）"),
        (lambda d: (d["items"]["land-use-cert"].__setitem__("rules", [{"rule": "all-of", "items": ["four-permits"]}])),
         "items.four-permits.rules：all-of 循环引用（land-use-cert → four-permits → land-use-cert）"),
    ],
)
def test_broken_checklist_names_the_key(tmp_path: Path, mutate, expected: str) -> None:
    with pytest.raises(ChecklistError) as info:
        load_checklist(_bank_file(tmp_path, mutate))
    assert expected in str(info.value)


def test_yaml_syntax_error_names_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("id: x\ntitle: {zh: 甲, en: A\nitems: {}\n", encoding="utf-8")
    with pytest.raises(ChecklistError, match=r"bad.yaml：YAML 语法错误 第3行"):
        load_checklist(path)


def test_yaml_error_without_a_position_has_no_space_before_the_colon(tmp_path: Path) -> None:
    path = tmp_path / "bell.yaml"
    path.write_text("id: x\a\n", encoding="utf-8")
    with pytest.raises(ChecklistError) as info:
        load_checklist(path)
    assert str(info.value) == (f"{path}：YAML 语法错误：unacceptable character #x0007: "
                               "control characters are not allowed")
    assert info.value.code == "checklist-yaml-syntax" and info.value.facts["line"] is None


def test_a_workbook_or_a_scan_given_as_the_checklist_is_named_for_what_it_holds(tmp_path: Path) -> None:
    # Before: an encoding to save as UTF-8 for the workbook, a YAML syntax error at line 1 of the PDF.
    examples = Path(__file__).resolve().parents[2] / "examples"
    said = {}
    for source in ("ledger/ledger-2026Q1.xlsx", "bundle/01-申请前期/营业执照.pdf", "bundle/01-申请前期/法定代表人身份证.jpg"):
        path = tmp_path / f"{Path(source).suffix[1:]}.yaml"
        path.write_bytes((examples / source).read_bytes())
        with pytest.raises(ChecklistError) as info:
            load_checklist(path)
        said[path.stem] = (info.value.code, str(info.value).removeprefix(f"{path}："))
    assert said == {kind: ("checklist-not-text", f"清单文件应为 YAML 文本（文件内容：{content}）；请确认选对了文件")
                    for kind, content in (("xlsx", "Excel 工作簿"), ("pdf", "PDF 文件"), ("jpg", "图片"))}


def test_unknown_name_and_missing_path() -> None:
    with pytest.raises(ChecklistError, match="未知清单“nope”：可用清单为 dev-loan"):
        load_checklist("nope")
    with pytest.raises(ChecklistError, match="清单文件不存在：/no/such/file.yaml"):
        load_checklist("/no/such/file.yaml")


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        ("''.__class__", "不允许访问以下划线开头的属性“__class__”"),
        ("borrower['__class__']", "不允许访问以下划线开头的键"),
        ("''.__class__.__mro__[1].__subclasses__()", "不允许"),
        ("lipsum", "未知名称“lipsum”"),
        ("cycler.__init__.__globals__", "不允许访问以下划线开头的属性“__globals__”"),
        ("9 ** 9 ** 9", "不允许乘方运算"),
        ("borrower.name.upper()", "不允许调用函数"),
        ("'x'|center(999999999)", "不允许使用过滤器“center”"),
        ("shareholders|map(attribute='__class__')|list", "过滤器参数不允许以下划线开头"),
    ],
)
def test_unsafe_expressions_are_refused_at_load(source: str, reason: str) -> None:
    with pytest.raises(ChecklistError) as info:
        Condition(source, "items.x.rules[0].when")
    assert "items.x.rules[0].when" in str(info.value) and reason in str(info.value)


def test_unsafe_expression_in_a_checklist_file_fails_safely(tmp_path: Path) -> None:
    def mutate(d):
        d["items"]["org-code-cert"]["rules"][0]["when"] = "''.__class__.__mro__"

    with pytest.raises(ChecklistError, match=r"items.org-code-cert.rules\[0\].when：.*不安全"):
        load_checklist(_bank_file(tmp_path, mutate))


def test_huge_repetition_is_refused_at_run_time() -> None:
    with pytest.raises(ChecklistError, match="被沙箱拒绝"):
        Condition("'x' * 999999999", "w").evaluate({})
    assert Condition("'ab' * 3", "w").evaluate({}) == "ababab"


def test_expressions_evaluate_in_the_sandbox() -> None:
    cond = Condition("company_age_years is not none and company_age_years < 3", "w")
    assert cond.evaluate({"company_age_years": 2}) is True
    assert cond.evaluate({"company_age_years": None}) is False
    ratio = Condition("project.invested / project.total_investment", "w")
    assert ratio.evaluate({"project": {"invested": 1, "total_investment": 4}}) == 0.25
    # Absent data or arithmetic failures mean "unknown", not a crash.
    assert ratio.evaluate({"project": {}}) is None
    assert ratio.evaluate({"project": {"invested": 1, "total_investment": 0}}) is None
    assert Condition("borrower.uscc", "w").evaluate({}) is None
    holders = {"shareholders": [{"share": 60, "uscc": "x"}, {"share": 40}]}
    assert Condition("shareholders|map(attribute='share')|sum", "w").evaluate(holders) == 100
    assert Condition("shareholders|selectattr('uscc')|list|length", "w").evaluate(holders) == 1


def test_checklist_to_dict_round_trips_ids() -> None:
    data = load_checklist().to_dict()
    assert [s["id"] for s in data["stages"]] == list(DESIGN_IDS)
    first = data["stages"][0]["items"][1]
    assert first["id"] == "org-code-cert" and first["no"] == "2"
    assert first["rules"][0] == {"rule": "waive", "when": "true",
                                 "reason": {"zh": "三证合一后不再核发（营业执照载有统一社会信用代码）",
                                            "en": "abolished by the three-in-one reform: the business licence "
                                                  "carries the unified social credit code"}}


def test_validated_checklists_are_cached_by_content(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from docgen.check import checklist as module

    cache = tmp_path / "cache"
    monkeypatch.setenv("DOCGEN_CACHE_DIR", str(cache))
    path = _bank_file(tmp_path)
    first = load_checklist(path)
    entries = list(cache.glob("checklist-*.json"))
    assert len(entries) == 1
    # A second process would read the cache instead of validating: prove it is used by
    # planting a recognisable (still valid) change in the cached document.
    planted = json.loads(entries[0].read_text(encoding="utf-8"))
    planted["doc"]["title"]["en"] = "from the cache"
    entries[0].write_text(json.dumps(planted), encoding="utf-8")
    module._load_cached.cache_clear()
    assert load_checklist(path).title["en"] == "from the cache"
    assert first.title["en"] != "from the cache"
    # Any edit of the file misses the cache and is validated again.
    path.write_text(path.read_text(encoding="utf-8").replace("site-plan:", "site-plan:\n    provider: notary\n    x-dummy: 1\n  site-plan-old:", 1), encoding="utf-8")
    with pytest.raises(ChecklistError):
        load_checklist(path)
    # A damaged cache entry is ignored: not JSON, or JSON that no longer builds a checklist.
    entries[0].write_text("{not json", encoding="utf-8")
    module._load_cached.cache_clear()
    assert load_checklist(_bank_file(tmp_path)).title["en"] != "from the cache"
    for damaged in ({"doc": {"title": {}}, "plans": {}}, {"doc": {**planted["doc"], "items": []}, "plans": {}}):
        entries[0].write_text(json.dumps(damaged), encoding="utf-8")
        module._load_cached.cache_clear()
        assert load_checklist(_bank_file(tmp_path)).title["en"] != "from the cache"


def test_unusable_cache_folder_is_bypassed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from docgen.check import checklist as module

    blocker = tmp_path / "afile"
    blocker.write_text("x", encoding="utf-8")
    for folder in (blocker, blocker / "cache"):  # a file, and a folder that cannot be made
        monkeypatch.setenv("DOCGEN_CACHE_DIR", str(folder))
        module._load_cached.cache_clear()
        assert load_checklist(_bank_file(tmp_path)).id
    assert blocker.read_text(encoding="utf-8") == "x"


def test_cache_can_be_turned_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCGEN_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("DOCGEN_NO_CACHE", "1")
    load_checklist(_bank_file(tmp_path))
    assert not (tmp_path / "cache").exists()


def test_every_template_an_item_names_is_shipped() -> None:
    from docgen.core.resources import templates_dir

    items = [i for i in load_checklist().items.values() if i.template]
    # every annex of 篇十三 has a template; 附件六 is the bank's own contract (its .yaml only: the bank
    # supplies the .docx with `docgen draft --template`)
    assert sorted(i.annex for i in items) == sorted([f"附件{n}" for n in "一二三四五六七八九十"] + ["附件十一"])
    for item in items:
        assert (templates_dir() / f"{item.template}.yaml").is_file()
        assert (templates_dir() / f"{item.template}.docx").is_file() == (item.annex != "附件六")
