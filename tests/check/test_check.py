"""run_check end to end: the DESIGN §5 report, stages, zip bundles, bundle.yaml effects, errors."""
from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
import yaml

from checkkit import AS_OF, complete_bundle, put, write_yaml
from docgen.check.report import run_check
from docgen.core.errors import BundleError, ChecklistError
from docgen.core.resources import checklists_dir


@pytest.fixture()
def bundle(tmp_path: Path) -> Path:
    return complete_bundle(tmp_path / "华安置业")


def _edit(root: Path, change) -> None:
    data = yaml.safe_load((root / "bundle.yaml").read_text(encoding="utf-8"))
    change(data)
    write_yaml(root, data)


def test_report_json_is_design_section_5(bundle: Path) -> None:
    (bundle / "01-申请前期/总平图.pdf").unlink()
    report = run_check(bundle, as_of=AS_OF)
    data = json.loads(json.dumps(report.to_dict()))  # JSON-serializable as is
    assert set(data) == {"checklist", "bundle", "as_of", "complete", "stages", "files", "findings"}
    assert (data["checklist"], data["bundle"], data["as_of"], data["complete"]) == (
        "dev-loan", str(bundle), "2026-11-28", False)
    assert [s["id"] for s in data["stages"]] == ["pre-application", "pre-contract", "pre-disbursement"]
    stage = data["stages"][0]
    assert set(stage) == {"id", "complete", "items"} and stage["complete"] is False
    assert stage["items"][0] == {"id": "business-license", "no": "1",
                                 "title": {"zh": "营业执照正副本复印件",
                                           "en": "Business licence (original and duplicate), copy"},
                                 "status": "ok", "files": ["01-申请前期/营业执照.pdf"]}
    lic = [f for f in data["files"] if f["path"] == "01-申请前期/营业执照.pdf"][0]
    assert set(lic) == {"path", "kind", "size", "sha256", "pages", "encrypted", "items"}
    assert (lic["kind"], lic["pages"], lic["encrypted"], lic["items"], len(lic["sha256"])) == (
        "pdf", 1, False, ["business-license"], 64)
    missing = [f for f in data["findings"] if f["item"] == "site-plan"]
    assert missing == [{"code": "missing", "severity": "error", "stage": "pre-application", "item": "site-plan",
                        "path": None, "message": "缺少项目总平图"}]
    en = report.to_dict("en")
    assert [f["message"] for f in en["findings"] if f["item"] == "site-plan"] == ["Project site plan: missing"]


def test_checking_a_stage_reports_earlier_stages_too(bundle: Path) -> None:
    (bundle / "03-放款前/提款申请书.pdf").unlink()
    report = run_check(bundle, stage="pre-contract", as_of=AS_OF)
    assert [s.id for s in report.stages] == ["pre-application", "pre-contract"]
    assert report.complete  # the later stage's gap is not in this report
    first = run_check(bundle, stage="pre-application", as_of=AS_OF)
    assert [s.id for s in first.stages] == ["pre-application"]
    full = run_check(bundle, stage="pre-disbursement", as_of=AS_OF)
    assert not full.complete and full.item_result("drawdown-application").status == "missing"
    with pytest.raises(ChecklistError, match="没有阶段“signing”"):
        run_check(bundle, stage="signing", as_of=AS_OF)


def test_draftable_annexes(bundle: Path) -> None:
    for name in ("股东会决议", "承诺函"):
        (bundle / f"02-签约前汇签/{name}.pdf").unlink()
    report = run_check(bundle, as_of=AS_OF)
    assert [i.id for i in report.draftable] == ["shareholder-resolution", "commitment-letter"]
    assert report.to_dict(draftable=True)["draftable"] == [
        {"id": "shareholder-resolution", "annex": "附件二", "template": "shareholder-resolution",
         "title": {"zh": "股东会决议及授权书", "en": "Shareholders' resolution and authorization"}},
        {"id": "commitment-letter", "annex": "附件四", "template": "commitment-letter",
         "title": {"zh": "承诺函", "en": "Commitment letter"}},
    ]


def test_zip_bundle_gives_the_same_report(bundle: Path, tmp_path: Path) -> None:
    archive = tmp_path / "华安置业.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in sorted(bundle.rglob("*")):
            if path.is_file():
                zf.write(path, path.relative_to(bundle.parent).as_posix())  # a top folder, as Explorer makes
    folder = run_check(bundle, as_of=AS_OF).to_dict()
    zipped = run_check(archive, as_of=AS_OF).to_dict()
    assert zipped["stages"] == folder["stages"]
    assert zipped["complete"] is True


def test_unsafe_entries_are_findings_and_block_completeness(bundle: Path, tmp_path: Path) -> None:
    archive = tmp_path / "bundle.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in sorted(bundle.rglob("*")):
            if path.is_file():
                zf.write(path, path.relative_to(bundle).as_posix())
        zf.writestr("../../etc/evil.pdf", b"%PDF-1.4")
    report = run_check(archive, as_of=AS_OF)
    unsafe = [f for f in report.findings if f.code == "unsafe-entry"]
    assert len(unsafe) == 1 and unsafe[0].severity == "error"
    assert not report.complete
    assert all(s.complete for s in report.stages)


def test_explicit_documents_mapping(bundle: Path) -> None:
    put(bundle, "扫描/scan001.pdf")
    (bundle / "01-申请前期/验资报告.pdf").unlink()
    _edit(bundle, lambda d: d["documents"].__setitem__(
        "capital-verification", {"files": ["扫描/scan001.pdf", "扫描/scan002.pdf"]}))
    report = run_check(bundle, as_of=AS_OF)
    assert report.item_result("capital-verification").files == ["扫描/scan001.pdf"]
    assert report.item_result("capital-verification").status == "ok"
    bad = [f for f in report.findings if f.code == "invalid-data"]
    assert [f.params["field"] for f in bad] == ["documents.capital-verification.files[1]"]
    assert bad[0].message("zh").startswith("bundle.yaml 字段 documents.capital-verification.files[1]：资料包中没有文件 扫描/scan002.pdf")


def test_invalid_bundle_yaml_is_reported_not_raised(bundle: Path) -> None:
    (bundle / "bundle.yaml").write_text("borrower: {name: 华安\n", encoding="utf-8")
    report = run_check(bundle, as_of=AS_OF)
    bad = [f for f in report.findings if f.code == "invalid-data"]
    assert len(bad) == 1 and bad[0].params["line"] == 2
    # Without data: no attestations; the certificates 三证合一 abolished stay waived.
    assert report.item_result("org-code-cert").status == "waived"
    assert report.item_result("loan-contract").findings[0].code == "unattested"


def test_checklist_named_in_bundle_yaml(bundle: Path, tmp_path: Path) -> None:
    doc = yaml.safe_load((checklists_dir() / "dev-loan.yaml").read_text(encoding="utf-8"))
    doc["id"] = "short"
    doc["stages"] = doc["stages"][:1]
    own = tmp_path / "short.yaml"
    own.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    _edit(bundle, lambda d: d.__setitem__("checklist", str(own)))
    report = run_check(bundle, as_of=AS_OF)
    assert report.checklist.id == "short" and [s.id for s in report.stages] == ["pre-application"]
    # An explicit checklist argument wins over bundle.yaml.
    assert run_check(bundle, as_of=AS_OF, checklist="dev-loan").checklist.id == "dev-loan"
    # A relative path is taken from the bundle folder first.
    (bundle / "清单").mkdir()
    (bundle / "清单" / "short.yaml").write_text(own.read_text(encoding="utf-8"), encoding="utf-8")
    _edit(bundle, lambda d: d.__setitem__("checklist", "清单/short.yaml"))
    assert run_check(bundle, as_of=AS_OF).checklist.id == "short"
    _edit(bundle, lambda d: d.__setitem__("checklist", "no-such-list"))
    with pytest.raises(ChecklistError, match="未知清单“no-such-list”"):
        run_check(bundle, as_of=AS_OF)


def test_progress_is_reported_per_file(bundle: Path) -> None:
    seen: list[int] = []
    report = run_check(bundle, as_of=AS_OF, jobs=1, progress=seen.append)
    assert sum(seen) == len(report.files)


def test_start_sizes_progress_before_inspection(bundle: Path) -> None:
    totals: list[int] = []
    seen: list[int] = []

    def start(total: int):
        totals.append(total)
        return seen.append

    report = run_check(bundle, as_of=AS_OF, jobs=1, start=start)
    assert totals == [len(report.files)] and sum(seen) == len(report.files)


def test_report_keeps_bundle_yaml_as_written_for_headers(bundle: Path) -> None:
    # An invalid USCC is dropped from the validated data, yet the borrower keeps its name.
    _edit(bundle, lambda d: d["borrower"].__setitem__("uscc", "91330100MA2XXXXXX0"))
    report = run_check(bundle, as_of=AS_OF)
    assert any(f.code == "invalid-data" for f in report.findings)
    assert report.bundle_yaml["borrower"]["name"] == yaml.safe_load(
        (bundle / "bundle.yaml").read_text(encoding="utf-8"))["borrower"]["name"]


def test_bundle_that_cannot_be_opened(tmp_path: Path) -> None:
    with pytest.raises(BundleError, match="资料包不存在"):
        run_check(tmp_path / "nope")
    fake = tmp_path / "fake.zip"
    fake.write_bytes(b"not a zip")
    with pytest.raises(BundleError):
        run_check(fake)


def test_empty_folder_reports_everything_missing(tmp_path: Path) -> None:
    report = run_check(tmp_path, as_of=AS_OF)
    counts = report.counts()
    # everything missing but the certificates 三证合一 abolished (two items, each in two stages)
    assert counts == {"ok": 0, "missing": 55, "invalid": 0, "waived": 4}
    assert report.files == [] and not report.complete


def test_zip_from_chinese_windows_with_gbk_names(bundle: Path, tmp_path: Path) -> None:
    from hostile import Member, write_zip

    members = [Member(p.relative_to(bundle).as_posix(), p.read_bytes(),
                      raw_name=p.relative_to(bundle).as_posix().encode("gbk"))
               for p in sorted(bundle.rglob("*")) if p.is_file()]
    archive = write_zip(tmp_path / "华安置业.zip", members)
    report = run_check(archive, as_of=AS_OF)
    assert report.complete
    assert report.item_result("business-license").files == ["01-申请前期/营业执照.pdf"]
    assert report.to_dict()["stages"] == run_check(bundle, as_of=AS_OF).to_dict()["stages"]


def test_alias_bomb_in_bundle_yaml_is_a_finding(tmp_path: Path) -> None:
    lines = ["l0: &l0 [a, a, a, a, a, a, a, a, a, a]"]
    lines += [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 10)}]" for i in range(1, 9)]
    (tmp_path / "bundle.yaml").write_text("\n".join(lines) + "\nborrower: {name: *l8}\n", encoding="utf-8")
    report = run_check(tmp_path, as_of=AS_OF)
    assert report.bundle_yaml == {}  # the report headers do not walk it either
    assert [f.params["field"] for f in report.findings if f.code == "invalid-data"] == ["（文件）"]


def test_huge_bundle_yaml_is_not_parsed(tmp_path: Path) -> None:
    (tmp_path / "bundle.yaml").write_bytes(b"notes:\n" + b"  - x\n" * 200_000)  # 1.2 MB
    report = run_check(tmp_path, as_of=AS_OF)
    (finding,) = [f for f in report.findings if f.code == "invalid-data"]
    assert finding.message("zh") == ("bundle.yaml 字段 （文件）：无法读取：文件过大（1200007 字节，上限 1048576 字节）；"
                                     "bundle.yaml 只应填写申请数据")
