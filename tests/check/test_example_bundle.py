"""The example bundle: reproducible from its script, small, valid data, and showing every finding."""
from __future__ import annotations

import datetime as dt
import hashlib
import zipfile
from pathlib import Path

import pytest
from stdnum.cn import ric, uscc

from docgen.check.report import run_check
from docgen.check.findings import CODES
from example_helper import EXAMPLE_AS_OF, EXAMPLE_BUNDLE, make_bundle

AS_OF = dt.date.fromisoformat(EXAMPLE_AS_OF)


def _tree(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def report():
    return run_check(EXAMPLE_BUNDLE, as_of=AS_OF, jobs=2).to_dict(draftable=True)


def test_script_is_deterministic_and_matches_the_committed_bundle(tmp_path):
    first = _tree(make_bundle().build(tmp_path / "a"))
    assert _tree(make_bundle().build(tmp_path / "b")) == first  # byte for byte
    committed = _tree(EXAMPLE_BUNDLE)
    # Same files and data; the bytes of PDFs/JPEGs may differ under other reportlab/Pillow versions.
    assert set(committed) == set(first), "run: .venv/bin/python examples/make_bundle.py"
    assert committed["bundle.yaml"] == first["bundle.yaml"]


def test_bundle_is_small_and_laid_out_by_stage():
    files = [p for p in EXAMPLE_BUNDLE.rglob("*") if p.is_file()]
    assert sum(p.stat().st_size for p in files) < 1_000_000
    top = {p.relative_to(EXAMPLE_BUNDLE).parts[0] for p in files}
    assert {"01-申请前期", "02-签约前汇签", "03-放款前", "bundle.yaml"} <= top


def test_every_finding_code_but_invalid_data_and_unsafe_entry(report):
    codes = {f["code"] for f in report["findings"]}
    assert codes == set(CODES) - {"invalid-data", "unsafe-entry"}
    assert report["complete"] is False


@pytest.mark.parametrize("code, item, path", [
    ("missing", "site-plan", None),
    ("missing", "commitment-letter", None),
    ("unreadable", "environmental-assessment", "01-申请前期/环境评估报告.pdf"),
    ("encrypted", "capital-verification", "01-申请前期/验资报告.pdf"),
    ("empty-file", "pre-appraisal", "01-申请前期/预评估报告.pdf"),
    ("wrong-type", "account-permit", "01-申请前期/开户许可证.pdf"),
    ("expired", "developer-qualification", None),
    ("stale", "credit-report", None),
    ("insufficient", "equity-proof", None),
    ("incomplete-set", "audit-reports", None),
    ("unattested", "mortgage-contract", None),
    ("unattested", "drawdown-application", None),
    ("unmatched", None, "会议纪要.pdf"),
])
def test_each_planted_defect_is_found_where_planted(report, code, item, path):
    assert any(f["code"] == code and f["item"] == item and f["path"] == path for f in report["findings"]), \
        [(f["code"], f["item"], f["path"]) for f in report["findings"]]


def test_real_file_kinds_and_chinese_names(report):
    kinds = {f["kind"] for f in report["files"]}
    assert {"pdf", "docx", "jpg"} <= kinds
    by_path = {f["path"]: f for f in report["files"]}
    assert by_path["01-申请前期/公司简历.docx"]["kind"] == "docx"
    assert by_path["01-申请前期/法定代表人身份证.jpg"]["kind"] == "jpg"
    assert by_path["01-申请前期/开户许可证.pdf"]["kind"] == "jpg"  # a photo named .pdf
    assert by_path["01-申请前期/可行性研究报告.pdf"]["pages"] == 5
    assert by_path["01-申请前期/验资报告.pdf"]["encrypted"] is True


def test_draftable_annex(report):
    assert [d["template"] for d in report["draftable"]] == ["commitment-letter"]


def test_identifiers_pass_their_checksums():
    mb = make_bundle()
    data = mb.bundle_data()
    for number in (data["borrower"]["uscc"], data["shareholders"][0]["uscc"], data["contractor"]["uscc"]):
        assert uscc.is_valid(number)
    for number in (data["borrower"]["legal_rep"]["id_number"], data["shareholders"][1]["id_number"]):
        assert ric.is_valid(number)
    assert ric.get_birth_date(mb.LEGAL_REP_ID) == dt.date(1984, 3, 15)
    assert sum(s["share"] for s in data["shareholders"]) == 100


def test_gbk_zip_has_legacy_names_without_utf8_flag(tmp_path):
    archive = make_bundle().make_zip(EXAMPLE_BUNDLE, tmp_path / "b.zip", encoding="gbk")
    with zipfile.ZipFile(archive) as zf:
        infos = zf.infolist()
    assert infos and all(not info.flag_bits & 0x800 for info in infos)
    # Without the flag, zipfile decodes names as cp437: re-encoding gives the raw GBK bytes.
    names = {info.filename.encode("cp437").decode("gbk") for info in infos}
    assert "01-申请前期/营业执照.pdf" in names
    report = run_check(archive, as_of=AS_OF, jobs=2).to_dict()
    assert "01-申请前期/营业执照.pdf" in {f["path"] for f in report["files"]}


def test_complete_variant_is_complete(tmp_path):
    root = make_bundle().build(tmp_path / "ok", demo=False)
    report = run_check(root, as_of=AS_OF, jobs=2).to_dict()
    assert report["complete"] is True
    assert {f["code"] for f in report["findings"]} == set()


def test_script_command_line_writes_folder_and_zip(tmp_path, capsys):
    assert make_bundle().main(["--out", str(tmp_path / "b"), "--zip", str(tmp_path / "b.zip")]) == 0
    out = capsys.readouterr().out
    assert "49 files" in out and "names in gbk" in out
    assert (tmp_path / "b" / "bundle.yaml").is_file() and zipfile.is_zipfile(tmp_path / "b.zip")
