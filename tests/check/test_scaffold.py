"""``docgen.check.scaffold``: stage folders and a commented bundle.yaml that checks clean once filled."""
from __future__ import annotations

import datetime as dt
import re
import shutil

import pytest
import yaml

from docgen.check.report import run_check
from docgen.check.checklist import load_checklist
from docgen.core.errors import ChecklistError, InputError, OutputExistsError
from docgen.core.resources import checklists_dir
from docgen.check.scaffold import BUNDLE_FILE, bundle_yaml_text, scaffold
from example_helper import EXAMPLE_BUNDLE, make_bundle

AS_OF = dt.date(2026, 11, 28)

#: Every key of DESIGN §3, as dotted paths into bundle.yaml.
DESIGN_KEYS = [
    "checklist", "borrower", "borrower.name", "borrower.uscc", "borrower.established", "borrower.legal_rep",
    "borrower.legal_rep.name", "borrower.legal_rep.id_number", "borrower.registered_capital", "shareholders",
    "project", "project.name", "project.total_investment", "project.invested", "loan", "loan.amount",
    "loan.term_months", "contractor", "contractor.name", "contractor.uscc", "documents", "attestations",
]


def _has(data: dict, dotted: str) -> bool:
    node = data
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return True


def test_scaffold_makes_stage_folders_and_bundle_yaml(tmp_path):
    result = scaffold(tmp_path / "c")
    checklist = load_checklist()
    assert [f.name for f in result.folders] == [s.folder for s in checklist.stages]
    assert all(f.is_dir() for f in result.folders)
    assert result.bundle_yaml == tmp_path / "c" / BUNDLE_FILE and not result.overwritten


def test_bundle_yaml_has_every_design_key_with_a_chinese_comment(tmp_path):
    text = scaffold(tmp_path / "c").bundle_yaml.read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    for key in DESIGN_KEYS:
        assert _has(data, key), key
    assert set(data["shareholders"][0]) == {"name", "uscc", "share"}
    assert set(data["shareholders"][1]) == {"name", "id_number", "share"}
    # Every key line says in Chinese what to fill in.
    for line in text.splitlines():
        if re.match(r"^\s*(- )?[a-z_]+:", line):
            comment = line.split("#", 1)[1] if "#" in line else ""
            assert re.search(r"[\u4e00-\u9fff]", comment), line
    # Stage folders and attestable items are explained.
    assert "#   01-申请前期/  申请开发贷前期所需提供资料（pre-application）" in text
    assert "#   mortgage-contract: {signed: true, sealed: true" in text


def _fill(data: dict) -> dict:
    """Fill the scaffold's blanks the way a credit officer would (values from the example client)."""
    mb = make_bundle()
    data["borrower"].update(name=mb.BORROWER, uscc=mb.BORROWER_USCC, established=dt.date(2021, 4, 8),
                            registered_capital=50_000_000)
    data["borrower"]["legal_rep"].update(name=mb.LEGAL_REP, id_number=mb.LEGAL_REP_ID)
    data["shareholders"][0].update(name=mb.HOLDING, uscc=mb.HOLDING_USCC, share=60)
    data["shareholders"][1].update(name=mb.SHAREHOLDER_PERSON, id_number=mb.PERSON_ID, share=40)
    data["project"].update(name=mb.PROJECT, total_investment=300_000_000, invested=160_000_000)
    data["loan"].update(amount=100_000_000, term_months=36)
    data["contractor"].update(name=mb.CONTRACTOR, uscc=mb.CONTRACTOR_USCC)
    return data


def test_unfilled_scaffold_reports_blanks_filled_one_validates(tmp_path):
    root = scaffold(tmp_path / "c").root
    blank = run_check(root, as_of=AS_OF, jobs=1).to_dict()
    invalid = [f["message"] for f in blank["findings"] if f["code"] == "invalid-data"]
    assert any("borrower.name" in m for m in invalid)
    assert {f["code"] for f in blank["findings"]} <= {"missing", "invalid-data"}

    path = root / BUNDLE_FILE
    path.write_text(yaml.safe_dump(_fill(yaml.safe_load(path.read_text(encoding="utf-8"))), allow_unicode=True),
                    encoding="utf-8")
    filled = run_check(root, as_of=AS_OF, jobs=1).to_dict()
    assert [f for f in filled["findings"] if f["code"] == "invalid-data"] == []
    # With the example client's files in the stage folders, the filled scaffold checks like the example.
    for folder in ("01-申请前期", "02-签约前汇签", "03-放款前"):
        shutil.rmtree(root / folder)
        shutil.copytree(EXAMPLE_BUNDLE / folder, root / folder)
    report = run_check(root, as_of=AS_OF, jobs=2).to_dict()
    assert "invalid-data" not in {f["code"] for f in report["findings"]}
    assert report["stages"][0]["items"][1]["status"] == "waived"  # the USCC waives the org-code certificate


def test_refuses_to_overwrite_without_force(tmp_path):
    target = tmp_path / "c"
    scaffold(target)
    (target / BUNDLE_FILE).write_text("borrower: {name: 已填写}\n", encoding="utf-8")
    (target / "01-申请前期" / "营业执照.pdf").write_bytes(b"%PDF-1.4 kept")
    with pytest.raises(OutputExistsError) as err:
        scaffold(target)
    assert err.value.exit_code == 1
    assert "已存在，未覆盖" in str(err.value) and "--force" in str(err.value)
    assert "已填写" in (target / BUNDLE_FILE).read_text(encoding="utf-8")
    result = scaffold(target, force=True)
    assert result.overwritten
    assert "已填写" not in (target / BUNDLE_FILE).read_text(encoding="utf-8")
    assert (target / "01-申请前期" / "营业执照.pdf").read_bytes() == b"%PDF-1.4 kept"  # files are kept


def test_target_is_a_file(tmp_path):
    (tmp_path / "f").write_text("x")
    with pytest.raises(InputError) as err:
        scaffold(tmp_path / "f")
    assert err.value.exit_code == 2 and "不是文件夹" in str(err.value)


def test_unknown_checklist(tmp_path):
    with pytest.raises(ChecklistError):
        scaffold(tmp_path / "c", "no-such-list")


def test_banks_own_checklist_file(tmp_path):
    own = tmp_path / "my-bank.yaml"
    text = (checklists_dir() / "dev-loan.yaml").read_text(encoding="utf-8")
    own.write_text(text.replace("folder: 01-申请前期", "folder: 一、申请资料"), encoding="utf-8")
    result = scaffold(tmp_path / "c", own)
    assert result.folders[0].name == "一、申请资料"
    written = yaml.safe_load(result.bundle_yaml.read_text(encoding="utf-8"))
    assert written["checklist"] == str(own)


def test_bundle_yaml_text_is_valid_yaml_for_the_shipped_checklist():
    text = bundle_yaml_text(load_checklist())
    assert yaml.safe_load(text)["checklist"] == "dev-loan"


def test_scaffold_says_what_it_made_and_the_next_step(tmp_path) -> None:
    result = scaffold(tmp_path / "华安置业")
    lines = result.to_text().splitlines()
    assert lines[0] == f"已创建 {tmp_path / '华安置业'}/"
    assert lines[1:-2] == [f"  {folder.name}/" for folder in result.folders] and len(lines) > 3
    assert lines[-2] == "  bundle.yaml"
    assert lines[-1] == (f"下一步：填写 {tmp_path / '华安置业' / 'bundle.yaml'}，放入资料文件后运行 "
                         f"docgen check {tmp_path / '华安置业'}")
    assert scaffold(tmp_path / "华安置业", force=True).to_text().splitlines()[-2] == "  bundle.yaml（已覆盖原文件）"


def test_the_next_step_runs_as_pasted_for_a_folder_named_with_spaces(tmp_path) -> None:
    # Unquoted, the shell reads "docgen check …/客户 资料" as two bundles.
    root = tmp_path / "客户 资料" / "华安置业"
    assert scaffold(root).to_text().splitlines()[-1].endswith(f"放入资料文件后运行 docgen check '{root}'")
