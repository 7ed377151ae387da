"""bundle.yaml validation: each problem an invalid-data finding naming the field; bad fields unused."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import yaml

from checkkit import ID_HOLDER, ID_LEGAL_REP, USCC_BORROWER, USCC_HOLDER, good_data
from docgen.check.bundledata import load_bundle_data
from docgen.check.checklist import load_checklist


def _load(data) -> object:
    raw = data if isinstance(data, bytes) else yaml.safe_dump(data, allow_unicode=True).encode("utf-8")
    return load_bundle_data(raw, load_checklist())


def _fields(result) -> dict[str, str]:
    """Field -> the wording of its problem."""
    assert all(f.code == "invalid-data" and f.path == "bundle.yaml" and f.severity == "error" for f in result.findings)
    return {f.params["field"]: f.detail() for f in result.findings}


def _codes(result) -> dict[str, str]:
    """Field -> the identity of its problem: the validation code, or the check's own reason."""
    return {f.params["field"]: f.params.get("problem") or f.reason for f in result.findings}


def test_valid_data_is_normalized() -> None:
    result = _load(good_data(documents={"business-license": {"files": ["a.pdf"], "expires": "2041-04-07"},
                                        "audit-reports": {"years": [2023, 2024, 2025]}},
                             attestations={"shareholder-resolution": {"signed": True, "sealed": True,
                                                                      "by": "王五", "date": "2026-11-20"}}))
    assert result.findings == []
    assert result.present
    assert result.section("borrower")["established"] == dt.date(2019, 4, 8)
    assert result.section("project")["invested"] == Decimal(160000000)
    assert result.document("business-license")["expires"] == dt.date(2041, 4, 7)
    assert result.attestation("shareholder-resolution")["date"] == dt.date(2026, 11, 20)


def test_no_bundle_yaml() -> None:
    result = load_bundle_data(None, load_checklist())
    assert (result.present, result.findings, result.data) == (False, [], {})


def test_all_digit_ids_read_as_numbers_are_accepted() -> None:
    data = good_data()
    data["shareholders"][1]["id_number"] = 440301199006151236  # YAML gives an int
    result = _load(data)
    assert result.findings == []
    assert result.data["shareholders"][1]["id_number"] == ID_HOLDER


@pytest.mark.parametrize(
    ("mutate", "field", "detail", "code"),
    [
        (lambda d: d["borrower"].__setitem__("uscc", USCC_BORROWER[:-1] + "0"), "borrower.uscc", "统一社会信用代码校验位错误", "invalid-uscc"),
        (lambda d: d["borrower"]["legal_rep"].__setitem__("id_number", ID_LEGAL_REP[:-1] + "1"),
         "borrower.legal_rep.id_number", "居民身份证号校验位错误", "invalid-resident-id"),
        (lambda d: d["borrower"]["legal_rep"].__setitem__("id_number", "110105194913310021"),
         "borrower.legal_rep.id_number", "居民身份证号含无效成分", "invalid-resident-id"),
        (lambda d: d["shareholders"][1].__setitem__("id_number", "4403011990061512"),
         "shareholders[1].id_number", "居民身份证号应为18位，实际为16位", "invalid-resident-id"),
        (lambda d: d["shareholders"][1].__setitem__("share", 30), "shareholders", "股东持股比例合计应为100，实际为90", "shares-total"),
        (lambda d: d["shareholders"][0].pop("uscc"), "shareholders[0]", "须填写统一社会信用代码（uscc）或居民身份证号", "shareholder-id"),
        (lambda d: d["borrower"].__setitem__("established", "2021-02-30"), "borrower.established", "不存在的日期“2021-02-30”", "not-convertible"),
        (lambda d: d["borrower"].__setitem__("established", "去年"), "borrower.established", "日期格式应为 YYYY-MM-DD", "not-convertible"),
        (lambda d: d["project"].__setitem__("invested", -5), "project.invested", "最小值为 0", "too-small"),
        (lambda d: d["project"].__setitem__("invested", 400000000), "project.invested", "不能大于总投资（300000000）", "invested-over-total"),
        (lambda d: d["loan"].__setitem__("amount", "一亿"), "loan.amount", "金额应为数字", "not-convertible"),
        (lambda d: d.__setitem__("documents", {"bussiness-license": {"files": ["a.pdf"]}}),
         "documents.bussiness-license", "清单 dev-loan 中没有项目“bussiness-license”", "unknown-item"),
        (lambda d: d.__setitem__("documents", {"audit-reports": {"years": ["二〇二三"]}}),
         "documents.audit-reports.years[0]", "类型应为整数", "type"),
        (lambda d: d.__setitem__("attestations", {"loan-contract": {"signed": "是的"}}),
         "attestations.loan-contract.signed", "无法转换：应填“是”或“否”（也可填 true/false、yes/no、Y/N、1/0，不区分大小写），"
         "收到“是的”", "not-convertible"),
        (lambda d: d.__setitem__("documents", {"company-profile": {"electronic": 2}}),
         "documents.company-profile.electronic", "收到“2”", "not-convertible"),
        # Left blank: refused as any blank field is, not quoting Python's None.
        (lambda d: d.__setitem__("attestations", {"loan-contract": {"sealed": None}}),
         "attestations.loan-contract.sealed", "不能为空值（null）", "null"),
        (lambda d: d["shareholders"][1].__setitem__("share", None), "shareholders[1].share", "不能为空值（null）", "null"),
        (lambda d: d.__setitem__("attestations", {"nope": {"signed": True}}), "attestations.nope", "没有项目“nope”", "unknown-item"),
        (lambda d: d.__setitem__("borower", {}), "borower", "未知字段", "unknown-field"),
    ],
)
def test_each_problem_names_its_field(mutate, field: str, detail: str, code: str) -> None:
    data = good_data()
    mutate(data)
    result = _load(data)
    assert _codes(result).get(field) == code, _codes(result)
    assert detail in _fields(result)[field]


@pytest.mark.parametrize(("written", "detail"), [
    ("2021-02-30", "无法转换：不存在的日期“2021-02-30”"),
    ("2021-13-01", "无法转换：不存在的日期“2021-13-01”"),
    ("2021-04-08 25:00:00", "无法转换：日期格式应为 YYYY-MM-DD，收到“2021-04-08 25:00:00”"),
])
def test_a_date_that_does_not_exist_written_bare_is_the_fields_problem(written: str, detail: str) -> None:
    """YAML reads a bare 2021-02-30 as a timestamp it cannot build; the field says so, like a quoted one."""
    raw = yaml.safe_dump(good_data(), allow_unicode=True).encode("utf-8")
    raw = raw.replace(b"established: '2019-04-08'", f"established: {written}".encode())
    assert f"established: {written}".encode() in raw
    result = _load(raw)
    assert _codes(result) == {"borrower.established": "not-convertible"}
    assert _fields(result)["borrower.established"] == detail


def test_an_amount_of_nan_is_the_fields_problem() -> None:
    """bundle.yaml's .nan amount is refused as not finite, naming the field."""
    data = good_data()
    data["project"]["invested"] = float("nan")
    result = _load(data)
    assert _codes(result) == {"project.invested": "not-convertible"}
    assert _fields(result)["project.invested"] == "无法转换：金额应为有限数字，收到“nan”"


def test_failed_fields_are_not_used() -> None:
    data = good_data(documents={"audit-reports": {"years": [2024, "x"], "issued": "2026-10-01"}})
    data["borrower"]["uscc"] = USCC_BORROWER[:-1] + "0"
    data["shareholders"][1]["id_number"] = "123"
    result = _load(data)
    assert "uscc" not in result.section("borrower")  # no 三证合一 waiver from a wrong code
    assert result.section("borrower")["name"] == "华安置业发展有限公司"
    assert "years" not in result.document("audit-reports")
    assert result.document("audit-reports")["issued"] == dt.date(2026, 10, 1)
    assert result.data["shareholders"][0]["uscc"] == USCC_HOLDER
    assert "id_number" not in result.data["shareholders"][1]


def test_shares_in_thirds_may_round() -> None:
    data = good_data()
    data["shareholders"] = [dict(data["shareholders"][0], share=33.33), dict(data["shareholders"][1], share=33.33),
                            dict(data["shareholders"][1], name="王五", share=33.33)]
    assert _load(data).findings == []
    data["shareholders"][2]["share"] = 33.3
    assert _fields(_load(data)) == {"shareholders": "股东持股比例合计应为100，实际为99.96"}


def test_unreadable_bundle_yaml() -> None:
    from docgen.check.bundledata import unreadable_bundle_data

    from docgen.check.messages import ERRORS
    from docgen.core.errors import BundleError

    result = unreadable_bundle_data(ERRORS.error(BundleError, "bundle-read-failed", label="bundle.yaml",
                                                 reason="Input/output error"))
    assert result.present and result.data == {}
    assert [f.message("zh") for f in result.findings] == [
        "bundle.yaml 字段 （文件）：无法读取：bundle.yaml：读取失败（Input/output error）"]
    # the English report names the place and the reason in English
    assert result.findings[0].message("en") == (
        "bundle.yaml field (the file): cannot be read: bundle.yaml: reading failed (Input/output error)")


def test_share_sum_problem_drops_shareholders() -> None:
    data = good_data()
    data["shareholders"][0]["share"] = 70
    result = _load(data)
    assert _fields(result) == {"shareholders": "股东持股比例合计应为100，实际为110"}
    assert "shareholders" not in result.data


def test_yaml_syntax_error_is_one_finding_with_line_and_column() -> None:
    result = _load("borrower:\n  name: 华安\n  uscc: [91330100\nproject: {}\n".encode("utf-8"))
    assert len(result.findings) == 1
    finding = result.findings[0]
    assert finding.code == "invalid-data"
    assert finding.params["line"] == 4 and finding.params["column"] >= 1
    assert finding.message("zh").startswith("bundle.yaml 第4行")
    assert finding.message("en").startswith("bundle.yaml, line 4, column ")
    assert "YAML 语法错误" in finding.message("zh")
    assert result.data == {}


def test_not_a_mapping_and_gbk_text() -> None:
    assert _fields(_load(b"- a\n- b\n")) == {"（根）": "bundle.yaml 应为映射（borrower: …、project: … 等键值）"}
    (root,) = _load(b"- a\n- b\n").findings
    assert root.message("en") == "bundle.yaml field (top level): bundle.yaml must be a mapping (borrower:, project: …)"
    gbk = f"borrower:\n  name: 华安置业\n  uscc: '{USCC_BORROWER}'\n".encode("gb18030")
    result = _load(gbk)
    assert result.findings == [] and result.section("borrower")["name"] == "华安置业"


@pytest.mark.parametrize("text", [
    "\n".join(["l0: &l0 [a, a, a, a, a, a, a, a, a, a]"]
              + [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 10)}]" for i in range(1, 9)])
    + "\nborrower: {name: *l8}\n",  # "billion laughs": 10^9 values from 400 bytes
    "a: &a [*a]\n",  # an alias inside itself
])
def test_alias_bombs_are_one_finding_not_a_hang(text) -> None:
    result = _load(text.encode("utf-8"))
    assert _fields(result) == {"（文件）": "内容展开后超过 100000 个值（别名 & / * 嵌套过多）；请直接写出各字段"}
    assert result.data == {}


def test_a_few_aliases_are_fine() -> None:
    result = _load(f"borrower: &b {{name: 华安, uscc: '{USCC_BORROWER}'}}\ncontractor: *b\n".encode("utf-8"))
    assert result.findings == [] and result.section("contractor")["name"] == "华安"


def test_annex_keys_are_validated_and_normalized() -> None:
    data = good_data()
    data["loan"].update(contract_no=" 钱农商固借字2026第0045号 ", rate="4.35", contract_date="2026-11-20",
                        collateral=["在建工程"], supervised_account={"name": "华安", "number": "2010 0034 5678", "bank": "西湖支行"})
    data["meeting"] = {"date": "2026-11-18", "votes": {"杭州某投资有限公司": "同意", "李四": "弃权"},
                       "agent": {"name": "王丽", "id_number": ID_LEGAL_REP}}
    data["drawdowns"] = [{"amount": "1,000,000", "date": "2026-12-01", "purpose": "工程款",
                          "payee": {"name": "某建设公司", "account": "201000456789012", "bank": "某银行"}}]
    result = _load(data)
    assert result.findings == [], [f.params for f in result.findings]
    assert result.section("loan")["contract_no"] == "钱农商固借字2026第0045号"
    assert result.section("loan")["rate"] == Decimal("4.35")
    assert result.section("loan")["contract_date"] == dt.date(2026, 11, 20)
    assert result.data["drawdowns"][0]["amount"] == Decimal(1000000)


def test_annex_key_problems_name_the_key() -> None:
    data = good_data()
    data["meeting"] = {"votes": {"杭州某投资有限公司": "赞成", "陌生人": "同意"}}
    data["loan"]["supervised_account"] = {"number": "账号见附件"}
    data["drawdowns"] = [{"amount": 0, "date": "2026-12-01", "purpose": "工程款", "payee": {"name": "某公司"}}]
    fields = _fields(_load(data))
    assert "不允许的取值" in fields["meeting.votes.杭州某投资有限公司"]
    assert "loan.supervised_account.number" in fields
    assert "最小值" in fields["drawdowns[0].amount"]


def test_votes_must_name_every_shareholder_and_no_one_else() -> None:
    data = good_data()
    data["meeting"] = {"votes": {"杭州某投资有限公司": "同意", "陌生人": "同意"}}
    fields = _fields(_load(data))
    assert fields["meeting.votes"] in ("陌生人 不是 shareholders 中的股东", "缺少股东 李四 的表决意见（同意/反对/弃权）")
    messages = [f.params["detail"] for f in _load(data).findings]
    assert "陌生人 不是 shareholders 中的股东" in messages and "缺少股东 李四 的表决意见（同意/反对/弃权）" in messages


def test_every_key_says_what_to_put_there() -> None:
    from docgen.check.bundledata import key_label

    assert key_label("loan.contract_no").startswith("固定资产借款合同编号")
    assert key_label("drawdowns[3].payee.account") == "收款人账号"
    assert key_label("meeting.agent.id_number") == "居民身份证号（18 位）"
    assert key_label("no.such.key") == ""


def test_a_borrower_without_uscc_is_itself_the_problem() -> None:
    data = good_data()
    del data["borrower"]["uscc"]
    fields = _fields(_load(data))
    assert list(fields) == ["borrower.uscc"]
    assert "组织机构代码证、税务登记证已停止核发" in fields["borrower.uscc"]


def test_a_second_load_of_the_same_bytes_comes_from_the_cache(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCGEN_CACHE_DIR", str(tmp_path / "cache"))
    data = good_data(documents={"business-license": {"files": ["a.pdf"], "expires": "2041-04-07", "note": 1.5}})
    data["borrower"]["uscc"] = USCC_BORROWER[:-1] + "0"  # a problem, with its facts
    data["project"]["invested"] = "1.234,5"
    data["loan"]["rate"] = 99
    data["meeting"] = {"date": dt.datetime(2026, 11, 20, 9, 30), "votes": {"李四": "同意"}}
    raw = yaml.safe_dump(data, allow_unicode=True).encode("utf-8")
    fresh = load_bundle_data(raw, load_checklist())
    entries = list((tmp_path / "cache").glob("bundle-yaml-*.json"))
    assert len(entries) == 1 and fresh.findings
    from docgen.core import validation

    def refuse(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise AssertionError("validated again")

    monkeypatch.setattr(validation, "validate", refuse)
    cached = load_bundle_data(raw, load_checklist())
    assert cached.data == fresh.data
    assert [(f.params, f.detail()) for f in cached.findings] == [(f.params, f.detail()) for f in fresh.findings]
    assert {type(v) for v in cached.section("project").values()} == {type(v) for v in fresh.section("project").values()}
    # A damaged entry is a miss, validated again.
    monkeypatch.undo()
    monkeypatch.setenv("DOCGEN_CACHE_DIR", str(tmp_path / "cache"))
    entries[0].write_text('{"data": ["m", [["x", ["d", "not a number"]]]], "problems": []}', encoding="utf-8")
    again = load_bundle_data(raw, load_checklist())
    assert again.data == fresh.data and len(again.findings) == len(fresh.findings)


def test_values_the_cache_cannot_keep_are_validated_each_time(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCGEN_CACHE_DIR", str(tmp_path / "cache"))
    raw = b"checklist: dev-loan\nborrower: !!set {a, b}\n"
    first = load_bundle_data(raw, load_checklist())
    assert not list((tmp_path / "cache").glob("bundle-yaml-*.json"))
    assert _codes(load_bundle_data(raw, load_checklist())) == _codes(first) == {"borrower": "type"}


def test_every_bundle_label_names_a_key_of_the_schema() -> None:
    """The labels live in the check table by key path; a path the schema lacks would label nothing."""
    from docgen.check.bundledata import SCHEMA, key_label
    from docgen.check.messages import BUNDLE_LABELS

    def labelled(schema: dict, prefix: str = "") -> dict[str, str]:
        found: dict[str, str] = {}
        for key, rule in schema.items():
            inner = rule.get("schema")
            if rule.get("type") == "list" and isinstance(inner, dict):
                inner = inner.get("schema") if inner.get("type") == "dict" else None
            if isinstance(inner, dict):
                found.update(labelled(inner, prefix + key + "."))
            if "meta" in rule:
                found[prefix + key] = rule["meta"]["label"]
        return found

    assert labelled(SCHEMA) == BUNDLE_LABELS
    assert key_label("drawdowns[2].payee.bank") == BUNDLE_LABELS["drawdowns.payee.bank"]


def test_id_numbers_typed_lower_case_are_read_upper_case() -> None:
    data = good_data()
    data["borrower"]["legal_rep"]["id_number"] = ID_LEGAL_REP.lower()
    data["shareholders"][0]["uscc"] = USCC_HOLDER.lower()
    result = _load(data)
    assert result.findings == []
    assert result.section("borrower")["legal_rep"]["id_number"] == ID_LEGAL_REP
    assert result.data["shareholders"][0]["uscc"] == USCC_HOLDER


@pytest.mark.parametrize(("written", "answer"), [
    ("是", True), ("否", False), (" Y ", True), ("n", False), ("TRUE", True), ("no", False), ("１", True), ("０", False),
    ("ｙｅｓ", True), (1, True), (0, False), (True, True), (False, False),
])
def test_yes_no_fields_read_what_a_template_field_reads(written, answer) -> None:
    """A reviewer's 是/否 under attestations and documents reads as a batch sheet's does (values.parse_yes_no)."""
    result = _load(good_data(documents={"company-profile": {"copy": written, "electronic": written}},
                             attestations={"loan-contract": {"signed": written, "sealed": written,
                                                             "company_seal": written, "legal_rep_seal": written,
                                                             "shareholders_signed": written}}))
    assert result.findings == []
    assert result.document("company-profile") == {"copy": answer, "electronic": answer}
    assert {k: v for k, v in result.attestation("loan-contract").items()} == dict.fromkeys(
        ["signed", "sealed", "company_seal", "legal_rep_seal", "shareholders_signed"], answer)


def test_a_yes_no_field_refused_names_the_field_and_the_value_in_english_too() -> None:
    result = _load(good_data(attestations={"loan-contract": {"signed": "有", "sealed": "否"}}))
    (finding,) = result.findings
    assert finding.params["field"] == "attestations.loan-contract.signed"
    assert finding.detail() == "无法转换：应填“是”或“否”（也可填 true/false、yes/no、Y/N、1/0，不区分大小写），收到“有”"
    assert finding.params["detail_en"] == "should be yes or no (是/否, true/false, yes/no, Y/N or 1/0, in any case), not '有'"
    assert result.attestation("loan-contract") == {"sealed": False}
