"""Matching and rules, each with real files in a tmp bundle checked on a fixed as-of date."""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import yaml

from checkkit import AS_OF, complete_bundle, docx_bytes, jpg_bytes, pdf_bytes, put, write_yaml, xlsx_bytes
from docgen.check.report import run_check
from docgen.check.checklist import load_checklist
from docgen.core.errors import ChecklistError
from docgen.check.matching import Matcher, normalize
from docgen.check.rules import company_age_years, latest_due_fiscal_year, years_in_name


def _data(root: Path) -> dict:
    return yaml.safe_load((root / "bundle.yaml").read_text(encoding="utf-8"))


def _edit(root: Path, change) -> None:
    data = _data(root)
    change(data)
    write_yaml(root, data)


def _codes(report, item: str | None = None) -> list[tuple[str, str | None, str]]:
    return [(f.code, f.stage, f.severity) for f in report.findings if item is None or f.item == item]


@pytest.fixture()
def bundle(tmp_path: Path) -> Path:
    return complete_bundle(tmp_path / "华安置业")


# ---- matching ---------------------------------------------------------------------------------

def test_normalize_folds_width_case_and_separators() -> None:
    assert normalize("Business_License (副本).PDF") == normalize("business-license(副本).pdf")
    assert normalize("ＡＢＣ １２") == "abc12"


@pytest.mark.parametrize(
    ("path", "items"),
    [
        ("营业执照(副本)扫描件.pdf", ["business-license"]),
        ("Business License.pdf", ["business-license"]),
        ("business_license.jpg", ["business-license"]),
        ("章程.docx", ["articles"]),
        ("授信业务申请书.pdf", ["credit-application"]),           # not also 业务申请书
        ("资本公积专项审计报告.pdf", ["capital-reserve-audit"]),     # not also 审计报告
        ("不可撤销承诺函.pdf", ["irrevocable-commitment"]),          # not also 承诺函
        ("法定代表人身份证明书.pdf", ["legal-rep-certificate"]),      # not also 法定代表人身份证
        ("国有土地使用权出让合同.pdf", ["land-transfer", "land-transfer-contract"]),  # serves two items
        ("有权人签字样本.pdf", ["signature-specimen", "signature-specimens"]),
        ("审计报告/2023.pdf", ["audit-reports"]),                  # folder name matched when the file says nothing
        ("01-申请前期/12-申请.pdf", ["credit-application"]),        # number prefix in the stage folder
        ("01-申请前期/12、借款申请.docx", ["credit-application"]),
        ("01-申请前期/B3_企业.pdf", ["credit-report"]),
        ("03-放款前/2-证照.pdf", ["business-license", "org-code-cert"]),
        ("pre-contract/7 合同.pdf", ["loan-contract"]),             # stage id works as folder name too
        ("客户/申请前期/13.pdf", ["site-plan"]),                     # stage folder without its "01-"
        ("3 放款前/16-四证.pdf", ["four-permits"]),
        ("其他/12-申请.pdf", []),                                   # number only counts in a stage folder
        ("随便.pdf", []),
        ("法定代表人授权书.pdf", []),                              # not the shareholders' authorization
        ("股东会决议及授权书(盖章版).pdf", ["shareholder-resolution"]),
    ],
)
def test_matching(path: str, items: list[str]) -> None:
    m = Matcher(load_checklist()).match([path])
    assert m.by_file.get(path, []) == items
    assert m.unmatched == ([] if items else [path])


def test_explicit_mapping_wins_over_aliases() -> None:
    m = Matcher(load_checklist()).match(["scans/营业执照.pdf", "x.pdf"], {"articles": ["scans/营业执照.pdf", "x.pdf"]})
    assert m.by_file == {"scans/营业执照.pdf": ["articles"], "x.pdf": ["articles"]}
    assert m.files("business-license") == []


def test_every_client_item_is_found_by_its_first_alias(bundle: Path) -> None:
    report = run_check(bundle, as_of=AS_OF)
    by_path = {f.path: f.items for f in report.files}
    assert by_path["01-申请前期/营业执照.pdf"] == ["business-license"]
    assert by_path["bundle.yaml"] == []
    assert not [f for f in report.findings if f.code == "unmatched"]


# ---- presence, status and completeness --------------------------------------------------------

def test_complete_bundle_is_complete(bundle: Path) -> None:
    report = run_check(bundle, as_of=AS_OF)
    assert report.complete
    # Bank reports are absent from a client's folder: shown as warnings, not blocking.
    assert {(f.code, f.severity) for f in report.findings} == {("missing", "warning")}
    assert {f.item for f in report.findings} == {
        "investigation-report", "credit-submission-form", "credit-report", "project-management-plan",
        "credit-rating-sheet", "internal-rating"}
    assert report.item_result("investigation-report").status == "missing"
    assert report.item_result("business-license").status == "ok"


def test_missing_client_item_is_an_error_in_every_stage_listing_it(bundle: Path) -> None:
    (bundle / "01-申请前期/公司章程.pdf").unlink()
    report = run_check(bundle, as_of=AS_OF)
    assert _codes(report, "articles") == [("missing", "pre-application", "error"),
                                           ("missing", "pre-disbursement", "error")]
    assert not report.complete
    stages = {s.id: s.complete for s in report.stages}
    assert stages == {"pre-application": False, "pre-contract": True, "pre-disbursement": False}
    msg = [f for f in report.findings if f.item == "articles"][0]
    assert msg.message("zh") == "缺少公司章程"
    assert msg.message("en") == "Articles of association: missing"


def test_waiver_under_three_in_one(bundle: Path) -> None:
    report = run_check(bundle, as_of=AS_OF)
    assert report.item_result("org-code-cert").status == "waived"
    assert report.item_result("tax-registration", "pre-disbursement").status == "waived"
    # Without a USCC the abolished certificates are not asked for again: the missing USCC is the problem.
    (bundle / "01-申请前期/组织机构代码证.pdf").unlink()
    (bundle / "01-申请前期/税务登记证.pdf").unlink()
    _edit(bundle, lambda d: d["borrower"].pop("uscc"))
    report = run_check(bundle, as_of=AS_OF)
    assert report.item_result("tax-registration").status == "waived"
    assert report.item_result("org-code-cert").status == "waived"
    uscc = [f for f in report.findings if f.code == "invalid-data"]
    assert [f.params["field"] for f in uscc] == ["borrower.uscc"] and uscc[0].severity == "error"
    assert "三证合一后营业执照均载有统一社会信用代码" in uscc[0].message("zh")
    assert not report.complete


def test_invalid_uscc_is_reported_the_certificates_stay_waived(bundle: Path) -> None:
    (bundle / "01-申请前期/税务登记证.pdf").unlink()
    _edit(bundle, lambda d: d["borrower"].__setitem__("uscc", "91330100MA27U0KX10"))
    report = run_check(bundle, as_of=AS_OF)
    assert ("invalid-data", None, "error") in _codes(report)
    assert report.item_result("tax-registration").status == "waived"


# ---- file problems and kinds ------------------------------------------------------------------

def test_file_problems_make_the_item_invalid(bundle: Path) -> None:
    put(bundle, "01-申请前期/验资报告.pdf", b"")                                  # empty-file
    put(bundle, "01-申请前期/公司章程.pdf", pdf_bytes("x")[:300])                 # unreadable (truncated)
    put(bundle, "01-申请前期/总平图.pdf", jpg_bytes())                            # wrong-type (JPG named .pdf)
    put(bundle, "01-申请前期/开户许可证.xlsx", xlsx_bytes())                       # a kind the item does not accept
    report = run_check(bundle, as_of=AS_OF)
    for item, code in [("capital-verification", "empty-file"), ("articles", "unreadable"),
                       ("site-plan", "wrong-type"), ("account-permit", "wrong-type")]:
        assert report.item_result(item).status == "invalid", item
        assert (code, "pre-application", "error") in _codes(report, item)
    wrong = [f for f in report.findings if f.item == "account-permit" and f.stage == "pre-application"][0]
    assert wrong.path == "01-申请前期/开户许可证.xlsx"
    assert wrong.message("zh") == "文件类型不符：开户许可证复印件不接受XLSX文件（可接受：PDF、JPG、PNG、TIFF）"


def test_encrypted_pdf(bundle: Path) -> None:
    from pypdf import PdfReader, PdfWriter
    import io

    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(pdf_bytes("secret"))))
    writer.encrypt(user_password="open-sesame", owner_password="owner")
    buf = io.BytesIO()
    writer.write(buf)
    put(bundle, "01-申请前期/验资报告.pdf", buf.getvalue())
    report = run_check(bundle, as_of=AS_OF)
    assert report.item_result("capital-verification").status == "invalid"
    assert ("encrypted", "pre-application", "error") in _codes(report, "capital-verification")


# ---- dates --------------------------------------------------------------------------------------

def test_expired(bundle: Path) -> None:
    _edit(bundle, lambda d: d["documents"].__setitem__("developer-qualification", {"expires": "2026-11-27"}))
    report = run_check(bundle, as_of=AS_OF)
    assert _codes(report, "developer-qualification") == [("expired", "pre-application", "error")]
    f = [f for f in report.findings if f.code == "expired"][0]
    assert f.message("zh") == "开发资质证书复印件已于2026-11-27过期"
    # On its last day it is still valid.
    assert run_check(bundle, as_of=dt.date(2026, 11, 27)).item_result("developer-qualification").status == "ok"


def test_stale_credit_report_and_statements(bundle: Path) -> None:
    put(bundle, "01-申请前期/征信报告.pdf")
    _edit(bundle, lambda d: (d["documents"].__setitem__("credit-report", {"issued": "2026-10-28"}),
                             d["documents"]["audit-reports"].__setitem__("issued", "2026-08-01")))
    report = run_check(bundle, as_of=AS_OF)
    assert _codes(report, "credit-report") == [("stale", "pre-application", "warning")]
    assert report.item_result("credit-report").status == "ok"  # a warning does not invalidate
    stale = [f for f in report.findings if f.item == "credit-report"][0]
    assert stale.message("zh") == "企业基本信息信用报告已过时：出具日期 2026-10-28，距检查日已 31 天，超过 30 天的有效期"
    assert ("stale", "pre-application", "warning") in _codes(report, "audit-reports")
    fresh = run_check(bundle, as_of=dt.date(2026, 11, 27))
    assert _codes(fresh, "credit-report") == []


# ---- audit years ----------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("as_of", "latest"),
    [(dt.date(2026, 4, 30), 2024), (dt.date(2026, 5, 1), 2025), (dt.date(2026, 1, 15), 2024),
     (dt.date(2026, 12, 31), 2025)],
)
def test_latest_due_fiscal_year(as_of: dt.date, latest: int) -> None:
    assert latest_due_fiscal_year(as_of) == latest


def test_due_dates_past_month_end_are_clamped() -> None:
    assert latest_due_fiscal_year(dt.date(2025, 3, 1), "02-29") == 2024  # 2025 has no 29 February
    assert latest_due_fiscal_year(dt.date(2026, 4, 30), "04-31") == 2024


@pytest.mark.parametrize(
    ("name", "years"),
    [("审计报告2023.pdf", {2023}), ("2024年度审计报告.pdf", {2024}), ("审计报告2022-2024.pdf", {2022, 2023, 2024}),
     ("2023年至2025年审计报告.pdf", {2023, 2024, 2025}), ("审计报告_20240315.pdf", set()), ("近三年审计报告.pdf", set())],
)
def test_years_in_file_names(name: str, years: set[int]) -> None:
    assert years_in_name(name) == years


def test_audit_years_from_bundle_yaml(bundle: Path) -> None:
    _edit(bundle, lambda d: d["documents"]["audit-reports"].__setitem__("years", [2022, 2024]))
    report = run_check(bundle, as_of=AS_OF)
    found = [f for f in report.findings if f.item == "audit-reports"]
    assert [(f.code, f.stage) for f in found] == [("incomplete-set", "pre-application"),
                                                   ("incomplete-set", "pre-disbursement")]
    assert (found[0].reason, found[0].params["years"], found[0].params["required"]) == (
        "audit-years", [2023, 2025], [2023, 2024, 2025])
    assert "缺少 2023、2025 年度审计报告（须覆盖 2023–2025 年度" in found[0].message("zh")
    assert report.item_result("audit-reports").status == "invalid"


def test_audit_years_from_file_names(bundle: Path) -> None:
    (bundle / "01-申请前期/审计报告.pdf").unlink()
    put(bundle, "01-申请前期/审计报告2023.pdf")
    put(bundle, "01-申请前期/2024年度审计报告.pdf")
    _edit(bundle, lambda d: d["documents"].pop("audit-reports"))
    report = run_check(bundle, as_of=AS_OF)
    assert [f.params["years"] for f in report.findings if f.code == "incomplete-set"] == [[2025], [2025]]
    put(bundle, "01-申请前期/audit-report-2025.pdf")
    assert run_check(bundle, as_of=AS_OF).item_result("audit-reports").status == "ok"


def test_young_company_needs_every_year_since_established(bundle: Path) -> None:
    _edit(bundle, lambda d: (d["borrower"].__setitem__("established", "2024-06-01"),
                             d["documents"]["audit-reports"].__setitem__("years", [2025])))
    report = run_check(bundle, as_of=AS_OF)  # 2 years old: 2024 and 2025 only
    assert [f.params["years"] for f in report.findings if f.code == "incomplete-set"] == [[2024], [2024]]
    _edit(bundle, lambda d: d["documents"]["audit-reports"].__setitem__("years", [2024, 2025]))
    assert run_check(bundle, as_of=AS_OF).item_result("audit-reports").status == "ok"


# ---- equity ratio ---------------------------------------------------------------------------------

def test_equity_ratio(bundle: Path) -> None:
    _edit(bundle, lambda d: d["project"].__setitem__("invested", 120000000))  # 40 %
    report = run_check(bundle, as_of=AS_OF)
    found = [f for f in report.findings if f.item == "equity-proof"]
    assert [(f.code, f.severity, f.reason) for f in found] == [("insufficient", "error", "below-ratio")]
    assert (found[0].params["value"], found[0].params["threshold"]) == (0.4, 0.5)
    assert found[0].message("zh") == "项目自筹资金到位证明不满足要求：已投入资金/总投资为 40%，低于 50%"
    assert found[0].message("en") == ("Proof of the project's self-raised funds: requirement not met — "
                                      "invested / total investment is 40%, below 50%")
    # The threshold is configurable per run.
    assert run_check(bundle, as_of=AS_OF, equity_threshold=0.35).item_result("equity-proof").status == "ok"
    with pytest.raises(ChecklistError, match="0 到 1 之间"):
        run_check(bundle, as_of=AS_OF, equity_threshold=50)


def test_equity_threshold_from_a_banks_checklist(bundle: Path, tmp_path: Path) -> None:
    from docgen.core.resources import checklists_dir

    doc = yaml.safe_load((checklists_dir() / "dev-loan.yaml").read_text(encoding="utf-8"))
    doc["params"]["equity_threshold"] = 0.6
    own = tmp_path / "strict.yaml"
    own.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    report = run_check(bundle, as_of=AS_OF, checklist=own)  # 53.3 % < 60 %
    assert report.item_result("equity-proof").status == "invalid"
    assert "低于 60%" in [f for f in report.findings if f.item == "equity-proof"][0].message("zh")


def test_equity_ratio_unknown_is_a_warning(bundle: Path) -> None:
    _edit(bundle, lambda d: d.pop("project"))
    report = run_check(bundle, as_of=AS_OF)
    assert _codes(report, "equity-proof") == [("insufficient", "pre-application", "warning")]
    assert report.item_result("equity-proof").status == "ok"


# ---- sets -----------------------------------------------------------------------------------------

def test_company_profile_needs_copy_and_editable_version(bundle: Path) -> None:
    (bundle / "01-申请前期/公司简历.docx").unlink()
    report = run_check(bundle, as_of=AS_OF)
    found = [f for f in report.findings if f.item == "company-profile"]
    assert [f.code for f in found] == ["incomplete-set"]
    assert found[0].message("zh") == "公司简历（复印件及电子版）不齐全：缺少可编辑电子版（Word）"
    (bundle / "01-申请前期/公司简历.pdf").unlink()
    put(bundle, "01-申请前期/公司简历.docx", docx_bytes())
    report = run_check(bundle, as_of=AS_OF)
    assert "缺少复印件（PDF或扫描图片）" in [f for f in report.findings if f.item == "company-profile"][0].message("zh")
    # A JPG scan counts as the copy.
    put(bundle, "01-申请前期/公司简历扫描.jpg", jpg_bytes())
    assert run_check(bundle, as_of=AS_OF).item_result("company-profile").status == "ok"


def test_original_and_copy(bundle: Path) -> None:
    _edit(bundle, lambda d: d["documents"].__setitem__("capital-reserve-audit", {"original": True}))
    report = run_check(bundle, as_of=AS_OF)
    assert _codes(report, "capital-reserve-audit") == [("incomplete-set", "pre-application", "error")]
    # Two scans (original and copy) also satisfy it.
    put(bundle, "01-申请前期/资本公积专项审计报告(复印件).pdf")
    assert run_check(bundle, as_of=AS_OF).item_result("capital-reserve-audit").status == "ok"


def test_four_permits(bundle: Path) -> None:
    report = run_check(bundle, as_of=AS_OF)
    four = report.item_result("four-permits")
    assert four.status == "ok" and len(four.files) == 4
    (bundle / "01-申请前期/建筑工程施工许可证.pdf").unlink()
    put(bundle, "01-申请前期/国有土地使用证.pdf", b"")
    report = run_check(bundle, as_of=AS_OF)
    assert report.item_result("four-permits").status == "invalid"
    found = [f for f in report.findings if f.item == "four-permits"]
    assert [(f.code, f.stage) for f in found] == [("incomplete-set", "pre-disbursement")]
    assert found[0].params["items"] == ["land-use-cert", "construction-permit"]
    assert found[0].message("zh") == ("房地产项目四证不齐全：国有土地使用证复印件（无效）、建筑工程施工许可证复印件（缺失）")
    for name in ("国有土地使用证", "建设用地规划许可证", "建筑工程规划许可证"):
        (bundle / f"01-申请前期/{name}.pdf").unlink()
    report = run_check(bundle, as_of=AS_OF)
    assert report.item_result("four-permits").status == "missing"


def test_all_of_items_may_nest_in_a_banks_checklist(bundle: Path, tmp_path: Path) -> None:
    from docgen.core.resources import checklists_dir

    doc = yaml.safe_load((checklists_dir() / "dev-loan.yaml").read_text(encoding="utf-8"))
    # Listed before four-permits, which it is built from: evaluated after it all the same.
    doc["items"] = {"permits-and-licence": {
        "title": {"zh": "四证及营业执照", "en": "Four permits and licence"}, "kinds": "scan",
        "rules": [{"rule": "all-of", "items": ["four-permits", "business-license"]}]}, **doc["items"]}
    doc["stages"][2]["entries"].append({"no": "21", "item": "permits-and-licence"})
    own = tmp_path / "nested.yaml"
    own.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    assert run_check(bundle, as_of=AS_OF, checklist=own).item_result("permits-and-licence").status == "ok"
    (bundle / "01-申请前期/建筑工程施工许可证.pdf").unlink()
    nested = run_check(bundle, as_of=AS_OF, checklist=own).item_result("permits-and-licence")
    assert nested.status == "invalid" and nested.findings[0].params["items"] == ["four-permits"]


def test_unattested(bundle: Path) -> None:
    _edit(bundle, lambda d: (d["attestations"].pop("shareholder-resolution"),
                             d["attestations"].__setitem__("loan-contract", {"sealed": True})))
    report = run_check(bundle, as_of=AS_OF)
    assert _codes(report, "shareholder-resolution") == [("unattested", "pre-contract", "warning")]
    assert _codes(report, "loan-contract") == [("unattested", "pre-contract", "warning")]
    f = [f for f in report.findings if f.item == "shareholder-resolution"][0]
    assert f.message("zh") == ("股东会决议及授权书需股东签字或盖章、借款单位盖章，尚无人确认"
                               "（请在 bundle.yaml 的 attestations 中记录）")
    assert report.item_result("loan-contract").status == "ok"
    assert report.complete  # warnings only


def test_unmatched_files_are_info(bundle: Path) -> None:
    put(bundle, "杂项/照片.jpg", jpg_bytes())
    put(bundle, "杂项/scan-0042.pdf", pdf_bytes()[:200])
    report = run_check(bundle, as_of=AS_OF)
    extra = [(f.code, f.path, f.severity) for f in report.findings if f.path and f.path.startswith("杂项/")]
    # A broken file that serves nothing is shown (it may be the missing document) but does not block.
    assert extra == [("unmatched", "杂项/scan-0042.pdf", "info"), ("unreadable", "杂项/scan-0042.pdf", "warning"),
                     ("unmatched", "杂项/照片.jpg", "info")]
    assert report.complete


def test_rule_when_condition_from_a_banks_checklist(bundle: Path, tmp_path: Path) -> None:
    from docgen.core.resources import checklists_dir

    doc = yaml.safe_load((checklists_dir() / "dev-loan.yaml").read_text(encoding="utf-8"))
    # This bank only insists on a fresh credit report for loans of 100 million or more.
    doc["items"]["credit-report"]["rules"][0]["when"] = "loan.amount >= 100000000"
    own = tmp_path / "big-loans.yaml"
    own.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    put(bundle, "01-申请前期/征信报告.pdf")
    _edit(bundle, lambda d: d["documents"].__setitem__("credit-report", {"issued": "2026-09-01"}))
    report = run_check(bundle, as_of=AS_OF, checklist=own)
    assert _codes(report, "credit-report") == [("stale", "pre-application", "warning")]
    _edit(bundle, lambda d: d["loan"].__setitem__("amount", 50000000))
    assert _codes(run_check(bundle, as_of=AS_OF, checklist=own), "credit-report") == []


@pytest.mark.parametrize(("established", "as_of", "years"), [
    (dt.date(2023, 11, 28), dt.date(2026, 11, 27), 2),
    (dt.date(2023, 11, 28), dt.date(2026, 11, 28), 3),
    (dt.date(2024, 2, 29), dt.date(2027, 2, 27), 2),
    (dt.date(2024, 2, 29), dt.date(2027, 2, 28), 3),  # no 29 February: the month's last day (art. 202)
    (dt.date(2024, 2, 29), dt.date(2028, 2, 29), 4),
])
def test_company_age_counts_calendar_years(established: dt.date, as_of: dt.date, years: int) -> None:
    assert company_age_years(established, as_of) == years
    assert company_age_years("2023-11-28", as_of) is None  # not read as a date: unknown


# ---- compound items: every part present --------------------------------------------------------

def test_compound_item_needs_each_part(bundle: Path) -> None:
    _edit(bundle, lambda d: d["documents"].pop("legal-rep-id"))  # no longer "bound in one file"
    report = run_check(bundle, as_of=AS_OF)
    result = report.item_result("legal-rep-id")
    assert result.status == "invalid"  # the ID scan alone is not 身份证复印件、签字样本及个人简历
    finding = next(f for f in report.findings if f.item == "legal-rep-id")
    assert finding.code == "incomplete-set"
    assert "缺少签字样本、个人简历" in finding.message("zh")
    assert "documents.legal-rep-id.parts" in finding.message("zh")
    # the ids as they are typed into the YAML list, not a Chinese list
    assert re.search(r"parts 中列出：“[a-z-]+(, [a-z-]+)+”）$", finding.message("zh")), finding.message("zh")
    assert "missing the signature specimen and the CV" in finding.message("en")
    put(bundle, "01-申请前期/法定代表人签字样本及个人简历.pdf")
    assert run_check(bundle, as_of=AS_OF).item_result("legal-rep-id").status == "ok"


@pytest.mark.parametrize(("item", "stage", "have", "lacking"), [
    ("signature-specimens", "pre-disbursement", ["03-放款前/有权人签字样本.pdf"], "董事会成员签字样本"),
    ("land-transfer", "pre-application", ["01-申请前期/土地出让合同及契税完税证.pdf"], "土地出让款发票"),
    ("design-approvals", "pre-disbursement", ["03-放款前/规划设计方案批复.pdf"], "土地批复"),
])
def test_each_compound_item_names_its_missing_part(tmp_path: Path, item, stage, have, lacking) -> None:
    root = complete_bundle(tmp_path / "b")
    data = yaml.safe_load((root / "bundle.yaml").read_text(encoding="utf-8"))
    data["documents"].pop(item)
    for path in run_check(root, as_of=AS_OF).item_result(item, stage).files:
        (root / path).unlink()  # the complete bundle's file for the item names every part
    for name in have:
        put(root, name)
    write_yaml(root, data)
    report = run_check(root, as_of=AS_OF)
    messages = [f.message("zh") for f in report.findings if f.item == item and f.code == "incomplete-set"]
    assert messages and lacking in messages[0], messages


@pytest.mark.parametrize(("item", "record", "attested"), [
    ("irrevocable-commitment", {"sealed": True, "signed": True}, False),  # which seal? the seed names two
    ("irrevocable-commitment", {"company_seal": True}, False),            # 公章 without 法人章
    ("irrevocable-commitment", {"company_seal": True, "legal_rep_seal": True}, True),
    ("shareholder-resolution", {"company_seal": True}, False),            # the shareholders have not signed
    ("shareholder-resolution", {"shareholders_signed": True, "company_seal": True}, True),
    ("commitment-letter", {"shareholders_signed": True}, False),          # the borrower has not sealed
])
def test_attestations_distinguish_the_seals_the_seed_names(bundle: Path, item, record, attested) -> None:
    _edit(bundle, lambda d: d["attestations"].__setitem__(item, {**record, "by": "王五", "date": "2026-11-20"}))
    report = run_check(bundle, as_of=AS_OF)
    unattested = [f for f in report.findings if f.item == item and f.code == "unattested"]
    assert (not unattested) is attested
    if unattested:
        need = {"irrevocable-commitment": "施工单位盖公章和法人章", "shareholder-resolution": "股东签字或盖章、借款单位盖章",
                "commitment-letter": "股东盖章或签字、借款单位盖章"}[item]
        assert need in unattested[0].message("zh")


# ---- freshness of the construction-progress evidence at disbursement ---------------------------

def test_progress_evidence_must_be_recent(bundle: Path) -> None:
    assert not [f for f in run_check(bundle, as_of=AS_OF).findings if f.item == "progress-evidence"]
    _edit(bundle, lambda d: d["documents"]["progress-evidence"].__setitem__("issued", "2026-09-30"))
    stale = [f for f in run_check(bundle, as_of=AS_OF).findings if f.item == "progress-evidence"]
    assert [(f.code, f.severity) for f in stale] == [("stale", "warning")]
    assert "出具日期 2026-09-30，距检查日已 59 天，超过 45 天的有效期" in stale[0].message("zh")


def test_progress_evidence_dated_by_the_month_in_its_name(bundle: Path) -> None:
    _edit(bundle, lambda d: d["documents"].pop("progress-evidence"))
    (bundle / "03-放款前/工程监理报告.pdf").rename(bundle / "03-放款前/工程监理报告2026年8月.pdf")
    stale = [f for f in run_check(bundle, as_of=AS_OF).findings if f.item == "progress-evidence"]
    assert len(stale) == 1 and "文件名所示月份截至 2026-08-31" in stale[0].message("zh")
    (bundle / "03-放款前/工程监理报告2026年8月.pdf").rename(bundle / "03-放款前/工程监理报告2026年11月.pdf")
    assert not [f for f in run_check(bundle, as_of=AS_OF).findings if f.item == "progress-evidence"]
    (bundle / "03-放款前/工程监理报告2026年11月.pdf").rename(bundle / "03-放款前/工程监理报告.pdf")
    undated = [f for f in run_check(bundle, as_of=AS_OF).findings if f.item == "progress-evidence"]
    assert len(undated) == 1 and "请在文件名中写明年月" in undated[0].message("zh")


def test_month_in_name() -> None:
    from docgen.check.rules import month_in_name

    assert month_in_name("工程监理报告2026年10月.pdf") == dt.date(2026, 10, 31)
    assert month_in_name("监理月报2026-02、2026-03.pdf") == dt.date(2026, 3, 31)
    assert month_in_name("形象进度.pdf") is None and month_in_name("报告2026年13月.pdf") is None
