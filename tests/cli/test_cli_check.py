"""``docgen check`` and ``docgen init`` through click's CliRunner: exit codes, outputs, messages."""
from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import docx
import pytest
import yaml
from click.testing import CliRunner

from docgen.check.checklist import load_checklist
from docgen.cli import main
from docgen.check.shapes import REPORT_JSON
from docgen.core.jsonshape import mismatches
from example_helper import EXAMPLE_AS_OF, EXAMPLE_BUNDLE, make_bundle
from tests import hostile

EXAMPLE = str(EXAMPLE_BUNDLE)
SUMMARY_ZH = "不完整：3 个阶段，59 项，缺失 2，无效 10，警告 3"
SUMMARY_EN = "INCOMPLETE: 3 stages, 59 items, 2 missing, 10 invalid, 3 warnings"


def run(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture(scope="module")
def complete_bundle(tmp_path_factory) -> Path:
    return make_bundle().build(tmp_path_factory.mktemp("ok") / "complete", demo=False)


def test_complete_bundle_exits_0(complete_bundle):
    result = run("check", complete_bundle, "--as-of", EXAMPLE_AS_OF, "--jobs", "2")
    assert result.exit_code == 0, result.output
    last = result.output.splitlines()[-1]
    assert last.startswith("完整：3 个阶段，59 项，") and last.endswith("缺失 0，无效 0，警告 0")


def test_example_text_exits_1_with_summary_line():
    result = run("check", EXAMPLE, "--as-of", EXAMPLE_AS_OF)
    assert result.exit_code == 1
    assert result.output.splitlines()[-1] == SUMMARY_ZH
    assert f"可立即起草的附件：附件四 承诺函（docgen draft {EXAMPLE} --annex 4）" in result.output
    assert "\x1b[" not in result.output  # not a TTY: no colour


def test_color_flag_forces_colour():
    result = run("check", EXAMPLE, "--as-of", EXAMPLE_AS_OF, "--color", "--stage", "pre-application")
    assert result.exit_code == 1
    assert "\x1b[" in result.output


def test_english_output():
    result = run("check", EXAMPLE, "--as-of", EXAMPLE_AS_OF, "--lang", "en")
    assert result.exit_code == 1
    assert result.output.splitlines()[-1] == SUMMARY_EN
    assert "Stage 2/3  Documents before signing the loan and mortgage contracts (pre-contract)  incomplete" \
        in result.output
    assert f"Annexes that can be drafted now: Annex 4 Commitment letter (docgen draft {EXAMPLE} --annex 4)" \
        in result.output


def test_json_is_exactly_the_design_shape():
    result = run("check", EXAMPLE, "--as-of", EXAMPLE_AS_OF, "--format", "json")
    assert result.exit_code == 1
    assert "\\u" not in result.output and "营业执照" in result.output  # ensure_ascii=False
    data = json.loads(result.output)
    assert mismatches(data, REPORT_JSON) == []  # the shape the README documents
    assert (data["checklist"], data["bundle"], data["as_of"], data["complete"]) == \
        ("dev-loan", EXAMPLE, EXAMPLE_AS_OF, False)
    assert [s["id"] for s in data["stages"]] == load_checklist("dev-loan").stage_ids
    for stage in data["stages"]:
        assert isinstance(stage["complete"], bool)
        for item in stage["items"]:
            assert isinstance(item["no"], str)
            assert item["status"] in {"ok", "missing", "invalid", "waived"}
            assert all(isinstance(f, str) and "\\" not in f for f in item["files"])
    for entry in data["files"]:
        assert isinstance(entry["size"], int) and isinstance(entry["encrypted"], bool)
        assert entry["pages"] is None or isinstance(entry["pages"], int)
        assert entry["sha256"] == "" or len(entry["sha256"]) == 64
    licence = next(f for f in data["files"] if f["path"] == "01-申请前期/营业执照.pdf")
    assert licence["kind"] == "pdf" and licence["pages"] == 1 and licence["items"] == ["business-license"]
    for finding in data["findings"]:
        assert finding["severity"] in {"error", "warning", "info"} and finding["message"]


def test_stage_limits_the_report_to_earlier_stages():
    result = run("check", EXAMPLE, "--as-of", EXAMPLE_AS_OF, "--format", "json", "--stage", "pre-contract")
    data = json.loads(result.output)
    assert [s["id"] for s in data["stages"]] == ["pre-application", "pre-contract"]


def test_markdown_to_file(tmp_path):
    out = tmp_path / "报告.md"
    result = run("check", EXAMPLE, "--as-of", EXAMPLE_AS_OF, "--format", "markdown", "-o", out)
    assert result.exit_code == 1
    text = out.read_text(encoding="utf-8")
    assert f"**{SUMMARY_ZH}**" in text
    assert "## 3. 放款前公司需向银行提供资料清单（`pre-disbursement`）：不完整" in text
    assert "\x1b[" not in text


def test_docx_needs_output_and_is_written(tmp_path):
    result = run("check", EXAMPLE, "--as-of", EXAMPLE_AS_OF, "--format", "docx")
    assert result.exit_code == 2
    assert "docx 报告须用 -o 指定输出文件" in result.output

    out = tmp_path / "资料清单.docx"
    result = run("check", EXAMPLE, "--as-of", EXAMPLE_AS_OF, "--format", "docx", "-o", out)
    assert result.exit_code == 1
    assert [p.name for p in tmp_path.iterdir()] == ["资料清单.docx"]  # no temp file left behind
    document = docx.Document(io.BytesIO(out.read_bytes()))
    paragraphs = [p.text for p in document.paragraphs]
    assert paragraphs[0] == "房地产开发贷款资料清单"
    assert "借款人：华安置业发展有限公司" in paragraphs
    item_rows = [row for table in document.tables for row in table.rows[1:]
                 if len({cell._tc for cell in row.cells}) > 1]  # merged rows are group sub-headings
    marks = {row.cells[3].text for row in item_rows}
    assert marks == {"✓", "✗", "免"}
    assert paragraphs[-1] == "客户经理：____________    复核人：____________    日期：____________"


def test_equity_threshold_option():
    lowered = run("check", EXAMPLE, "--as-of", EXAMPLE_AS_OF, "--format", "json", "--equity-threshold", "40%",
                  "--stage", "pre-application")
    codes = {f["code"] for f in json.loads(lowered.output)["findings"]}
    assert "insufficient" not in codes
    bad = run("check", EXAMPLE, "--equity-threshold", "150")
    assert bad.exit_code == 2
    assert "“150”不是 0 到 100 之间的百分比" in bad.output


@pytest.mark.parametrize("args, message", [
    (["check", "/no/such/bundle"], "错误：“BUNDLE”的取值无效：“/no/such/bundle”不存在"),
    (["check", EXAMPLE, "--as-of", "2026-02-30"], "不存在的日期“2026-02-30”（例如 --as-of 2026-11-28）"),
    (["check", EXAMPLE, "--as-of", "28/11/2026"], "日期格式应为 YYYY-MM-DD，收到“28/11/2026”"),
    (["check", EXAMPLE, "--stage", "pre-loan"],
     "清单 dev-loan 没有阶段“pre-loan”；可用阶段：pre-application、pre-contract、pre-disbursement"),
    (["check", EXAMPLE, "--format", "pdf"], "“--format”的取值无效：“pdf”不是可选值（“text”、“json”、“markdown”、“docx”）之一"),
    (["check", EXAMPLE, "--checklist", "no-such-list"], "未知清单“no-such-list”"),
])
def test_could_not_run_exits_2(args, message):
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert message in result.output


def test_corrupt_zip_exits_2_with_one_clear_line(tmp_path):
    good = make_bundle().make_zip(EXAMPLE_BUNDLE, tmp_path / "good.zip")
    broken = tmp_path / "客户资料.zip"
    broken.write_bytes(good.read_bytes()[: good.stat().st_size // 3])
    result = run("check", broken)
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"错误：{broken}："), result.output
    assert "Traceback" not in result.output


def test_gbk_zip_checks_like_the_folder(tmp_path):
    archive = make_bundle().make_zip(EXAMPLE_BUNDLE, tmp_path / "华安.zip", encoding="gbk")
    from_zip = json.loads(run("check", archive, "--as-of", EXAMPLE_AS_OF, "--format", "json").output)
    from_dir = json.loads(run("check", EXAMPLE, "--as-of", EXAMPLE_AS_OF, "--format", "json").output)
    assert sorted(f["path"] for f in from_zip["files"]) == sorted(f["path"] for f in from_dir["files"])
    assert from_zip["stages"] == from_dir["stages"]


def test_invalid_data_in_bundle_yaml_is_a_finding(tmp_path, complete_bundle):
    bundle = tmp_path / "bad"
    shutil.copytree(complete_bundle, bundle)
    data = yaml.safe_load((bundle / "bundle.yaml").read_text(encoding="utf-8"))
    data["borrower"]["uscc"] = data["borrower"]["uscc"][:-1] + ("0" if data["borrower"]["uscc"][-1] != "0" else "1")
    data["shareholders"][1]["share"] = 30
    (bundle / "bundle.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = run("check", bundle, "--as-of", EXAMPLE_AS_OF, "--format", "json", "--stage", "pre-application")
    assert result.exit_code == 1
    invalid = [f for f in json.loads(result.output)["findings"] if f["code"] == "invalid-data"]
    messages = " ".join(f["message"] for f in invalid)
    assert "borrower.uscc" in messages and "shareholders" in messages
    assert all(f["path"] == "bundle.yaml" and f["stage"] is None for f in invalid)
    text = run("check", bundle, "--as-of", EXAMPLE_AS_OF, "--stage", "pre-application").output
    assert "其他问题（不属于某一阶段）" in text and "borrower.uscc" in text


@pytest.mark.parametrize(("where", "message"), [
    ("name", "bundle.yaml 字段 shareholders[1].name：类型应为文本"),
    ("vote", "bundle.yaml 字段 meeting.votes[123]：类型应为文本"),
])
def test_a_shareholder_or_vote_named_by_a_number_is_its_own_finding(tmp_path, complete_bundle, where, message):
    """A name written .nan or 123 is the field's problem; the vote cross-check compares text only
    (it joined the names into its sentence and failed on a float)."""
    bundle = tmp_path / "bad"
    shutil.copytree(complete_bundle, bundle)
    text = (bundle / "bundle.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    holder = data["shareholders"][1]["name"]
    if where == "name":
        data["shareholders"][1]["name"] = float("nan")
    else:
        data["meeting"]["votes"][123] = data["meeting"]["votes"].pop(holder)
    (bundle / "bundle.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = run("check", bundle, "--as-of", EXAMPLE_AS_OF, "--format", "json")
    assert result.exit_code == 1, result.output
    invalid = [f["message"] for f in json.loads(result.output)["findings"] if f["code"] == "invalid-data"]
    assert invalid == [message]


@pytest.mark.parametrize(("lang", "message"), [
    ("zh", "bundle.yaml 字段 attestations.loan-contract.signed：无法转换：应填“是”或“否”（也可填 true/false、yes/no、Y/N、"
           "1/0，不区分大小写），收到“已签”"),
    ("en", "bundle.yaml field attestations.loan-contract.signed: should be yes or no (是/否, true/false, yes/no, Y/N "
           "or 1/0, in any case), not '已签'"),
])
def test_bundle_yaml_yes_no_fields_read_as_template_fields(tmp_path, complete_bundle, lang, message):
    """是/否, Y, 1 under attestations and documents satisfy the rules as true/false do; anything
    else is the one invalid-data finding, naming the file, the field and the value."""
    bundle = tmp_path / "yes-no"
    shutil.copytree(complete_bundle, bundle)
    data = yaml.safe_load((bundle / "bundle.yaml").read_text(encoding="utf-8"))
    data["attestations"]["shareholder-resolution"].update(signed="是", sealed="Y", company_seal=1,
                                                          legal_rep_seal="ＴＲＵＥ", shareholders_signed=" 是 ")
    data["documents"]["company-profile"] = {"copy": "是", "electronic": "是"}
    (bundle / "bundle.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = run("check", bundle, "--as-of", EXAMPLE_AS_OF, "--lang", lang)
    assert result.exit_code == 0, result.output
    data["attestations"]["loan-contract"]["signed"] = "已签"
    (bundle / "bundle.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = run("check", bundle, "--as-of", EXAMPLE_AS_OF, "--format", "json", "--lang", lang)
    assert result.exit_code == 1, result.output
    findings = json.loads(result.output)["findings"]
    assert [f["message"] for f in findings if f["code"] == "invalid-data"] == [message]
    # The field refused is not used: the loan contract's signature awaits confirmation.
    assert [f["item"] for f in findings if f["code"] == "unattested"] == ["loan-contract"]


# ---- init ---------------------------------------------------------------------------------------


def test_init_scaffolds_and_refuses_to_overwrite(tmp_path):
    target = tmp_path / "客户" / "华安"
    result = run("init", target)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in target.iterdir()) == ["01-申请前期", "02-签约前汇签", "03-放款前", "bundle.yaml"]
    assert "下一步：填写" in result.output

    (target / "bundle.yaml").write_text("checklist: dev-loan\n# 已填写\n", encoding="utf-8")
    again = run("init", target)
    assert again.exit_code == 1
    assert again.output.strip() == (f"错误：{target / 'bundle.yaml'} 已存在，未覆盖；如确需重新生成空白 bundle.yaml，"
                                    "请加 --force（原内容将被替换）")
    assert "# 已填写" in (target / "bundle.yaml").read_text(encoding="utf-8")

    forced = run("init", target, "--force")
    assert forced.exit_code == 0
    assert "（已覆盖原文件）" in forced.output
    assert "# 已填写" not in (target / "bundle.yaml").read_text(encoding="utf-8")


def test_init_bad_checklist_exits_2(tmp_path):
    result = run("init", tmp_path / "x", "--checklist", "no-such-list")
    assert result.exit_code == 2
    assert "未知清单“no-such-list”" in result.output
    assert not (tmp_path / "x").exists()


def test_init_then_check_reports_only_blanks_and_missing_files(tmp_path):
    target = tmp_path / "new"
    assert run("init", target).exit_code == 0
    result = run("check", target, "--as-of", EXAMPLE_AS_OF, "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.output)
    codes = {f["code"] for f in data["findings"]}
    assert codes <= {"missing", "invalid-data"}
    assert any("borrower.name" in f["message"] for f in data["findings"] if f["code"] == "invalid-data")


# ---- progress, help, LibreOffice -----------------------------------------------------------------


def test_progress_bar_on_request_for_big_bundles_only(complete_bundle, monkeypatch):
    import docgen.cli.check as cli_check

    monkeypatch.setattr(cli_check, "PROGRESS_MIN_FILES", 1)  # the bundle's files count as many
    shown = run("check", complete_bundle, "--as-of", EXAMPLE_AS_OF, "--format", "json", "--progress")
    assert shown.exit_code == 0, shown.output
    assert "检查文件 inspecting" in shown.stderr
    assert json.loads(shown.stdout)["complete"] is True  # stdout stays clean JSON
    quiet = run("check", complete_bundle, "--as-of", EXAMPLE_AS_OF, "--format", "json")  # stderr is no terminal
    assert quiet.exit_code == 0 and "inspecting" not in quiet.stderr
    monkeypatch.setattr(cli_check, "PROGRESS_MIN_FILES", 10_000)
    small = run("check", complete_bundle, "--as-of", EXAMPLE_AS_OF, "--format", "json", "--progress")
    assert small.exit_code == 0 and "inspecting" not in small.stderr


def test_help_shows_examples_and_exit_codes():
    result = run("check", "--help")
    assert result.exit_code == 0
    assert "docgen check examples/bundle --as-of 2026-11-28" in result.output
    assert "退出码：0 齐全，1 不齐全，2 无法检查" in result.output
    assert "Exit status: 0 complete, 1 incomplete, 2 the check could not run" in run("check", "--help", "--lang",
                                                                                     "en").output
    assert "docgen init 客户资料/华安置业" in run("init", "--help").output


@pytest.mark.soffice
def test_docx_report_opens_in_libreoffice(tmp_path):
    import subprocess

    out = tmp_path / "checklist.docx"
    assert run("check", EXAMPLE, "--as-of", EXAMPLE_AS_OF, "--format", "docx", "-o", out).exit_code == 1
    profile = (tmp_path / "lo-profile").as_uri()
    subprocess.run(["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(out)], check=True, capture_output=True, timeout=120)
    from pypdf import PdfReader

    text = "".join(page.extract_text() for page in PdfReader(tmp_path / "checklist.pdf").pages)
    assert "资料清单" in text and "华安置业发展有限公司" in text and "客户经理" in text


def test_banks_own_checklist_file(tmp_path):
    from docgen.core.resources import checklists_dir

    own = tmp_path / "我行开发贷清单.yaml"
    text = (checklists_dir() / "dev-loan.yaml").read_text(encoding="utf-8")
    own.write_text(text.replace("title: {zh: 房地产开发贷款资料清单,", "title: {zh: 某银行开发贷资料清单,", 1),
                   encoding="utf-8")
    result = run("check", EXAMPLE, "--as-of", EXAMPLE_AS_OF, "--checklist", own, "--stage", "pre-application")
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == "资料清单检查：dev-loan 某银行开发贷资料清单"


def test_broken_checklist_file_exits_2_naming_the_key(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("id: x\ntitle: {zh: 坏清单, en: broken}\nitems: {}\nstages: []\nbogus: 1\n", encoding="utf-8")
    result = run("check", EXAMPLE, "--checklist", broken)
    assert result.exit_code == 2
    assert result.output.startswith(f"错误：{broken}：") and "bogus" in result.output
    assert "Traceback" not in result.output


def test_text_to_file_has_no_colour(tmp_path):
    out = tmp_path / "report.txt"
    result = run("check", EXAMPLE, "--as-of", EXAMPLE_AS_OF, "-o", out)
    assert result.exit_code == 1
    text = out.read_text(encoding="utf-8")
    assert "\x1b[" not in text and text.splitlines()[-1] == SUMMARY_ZH
    assert f"已写入 {out}" in result.output  # the note goes to stderr, mixed in by CliRunner


def test_control_characters_are_shown_escaped_not_crashing_the_docx(tmp_path):
    z = hostile.write_zip(tmp_path / "b.zip", [
        hostile.Member("a\x01b.pdf", b"x", utf8=True),
        hostile.Member("bundle.yaml", 'borrower: {name: "华安\\x1b[31m置业"}\n'.encode(), utf8=True)])
    out = tmp_path / "r.docx"
    result = run("check", z, "--as-of", EXAMPLE_AS_OF, "--format", "docx", "-o", out)
    assert result.exit_code == 1, result.output
    text = "\n".join(p.text for p in docx.Document(str(out)).paragraphs)
    assert "a\\x01b.pdf" in text and "借款人：华安\\x1b[31m置业" in text
    result = run("check", z, "--as-of", EXAMPLE_AS_OF, "--color")
    assert "\x1b[31m置业" not in result.output and "华安\\x1b[31m置业" in result.output
    data = json.loads(run("check", z, "--as-of", EXAMPLE_AS_OF, "--format", "json").output)
    assert "a\x01b.pdf" in [f["path"] for f in data["findings"]]  # JSON escapes it itself


def test_unwritable_output_exits_2_with_one_line(tmp_path):
    (tmp_path / "a-file").write_text("x")
    out = tmp_path / "a-file" / "r.json"  # its folder cannot be created
    result = run("check", EXAMPLE, "--as-of", EXAMPLE_AS_OF, "--format", "json", "-o", out)
    assert result.exit_code == 2
    assert result.output == f"错误：无法写入 {out}（File exists）；请检查输出路径、写入权限和磁盘空间\n"


def test_stage_of_a_banks_own_checklist(tmp_path):
    from docgen.core.resources import checklists_dir

    own = tmp_path / "我行清单.yaml"
    text = (checklists_dir() / "dev-loan.yaml").read_text(encoding="utf-8")
    own.write_text(text.replace("  - id: pre-contract\n", "  - id: signing\n", 1), encoding="utf-8")
    data = json.loads(run("check", EXAMPLE, "--as-of", EXAMPLE_AS_OF, "--checklist", own, "--stage", "signing",
                          "--format", "json").output)
    assert [s["id"] for s in data["stages"]] == ["pre-application", "signing"]
    result = run("check", EXAMPLE, "--checklist", own, "--stage", "pre-contract")
    assert result.exit_code == 2
    assert "没有阶段“pre-contract”；可用阶段：pre-application、signing、pre-disbursement" in result.output


def test_a_zip_inside_a_folder_bundle_is_named_as_not_opened(tmp_path):
    import zipfile

    folder = tmp_path / "客户资料" / "01-申请前期"
    folder.mkdir(parents=True)
    with zipfile.ZipFile(folder / "证照.zip", "w") as archive:
        archive.writestr("营业执照.pdf", b"%PDF-1.4\n%%EOF\n")
    result = run("check", str(tmp_path / "客户资料"), "--as-of", EXAMPLE_AS_OF, "--format", "json")
    assert result.exit_code == 1
    unmatched = [f for f in json.loads(result.output)["findings"] if f["code"] == "unmatched"]
    assert unmatched == [{"code": "unmatched", "severity": "info", "stage": None, "item": None,
                          "path": "01-申请前期/证照.zip",
                          "message": "压缩包未打开检查，其中的文件不算已提供；请解压到相应的阶段文件夹后重新检查"}]
    text = run("check", str(tmp_path / "客户资料"), "--as-of", EXAMPLE_AS_OF, "--lang", "en")
    assert ("zip archive not opened: its files do not count; unpack it into the stage folder and check again"
            " (01-申请前期/证照.zip)") in text.output


def test_the_draft_commands_a_zip_bundle_suggests_run_and_come_in_annex_order(tmp_path, monkeypatch):
    import re
    import zipfile

    bundle = tmp_path / "客户资料.zip"
    with zipfile.ZipFile(bundle, "w") as archive:
        archive.writestr("bundle.yaml", (EXAMPLE_BUNDLE / "bundle.yaml").read_bytes())
    result = run("check", bundle, "--as-of", EXAMPLE_AS_OF)
    assert result.exit_code == 1
    line = next(x for x in result.output.splitlines() if x.startswith("可立即起草的附件："))
    commands = re.findall(r"（(docgen draft [^）]*)）", line)
    numbers = [int(c.split("--annex ")[1].split()[0]) for c in commands]
    assert numbers == sorted(numbers) and 9 in numbers and 10 in numbers  # 附件九 before 附件十
    assert commands[0] == f"docgen draft {bundle} --annex 1 --out 起草/"
    # draft refuses a .zip without --out: the line suggested is one it runs
    monkeypatch.chdir(tmp_path)
    [four] = [c for c in commands if " --annex 4 " in c]
    drafted = run(*four.split()[1:], "--register", tmp_path / "r.sqlite")
    assert drafted.exit_code == 0, drafted.output
    assert [p.name for p in (tmp_path / "起草").iterdir()] == ["承字〔2026〕第00001号_华安置业发展有限公司_承诺函.docx"]


def test_bundle_yaml_cross_checks_are_worded_in_english_with_lang_en(tmp_path, complete_bundle):
    # --lang en printed these findings in Chinese: a listed file not in the bundle, shares that do
    # not add up, a vote missing, the borrower's USCC left out.
    bundle = tmp_path / "bad"
    shutil.copytree(complete_bundle, bundle)
    data = yaml.safe_load((bundle / "bundle.yaml").read_text(encoding="utf-8"))
    data["documents"] = {"business-license": {"files": ["01-申请前期/营业执照副本.pdf"]}}
    data["shareholders"][1]["share"] = 30
    data["meeting"]["votes"].pop(data["shareholders"][1]["name"])
    del data["borrower"]["uscc"]
    (bundle / "bundle.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = run("check", bundle, "--as-of", EXAMPLE_AS_OF, "--format", "json", "--lang", "en")
    assert result.exit_code == 1, result.output
    invalid = sorted(f["message"] for f in json.loads(result.output)["findings"] if f["code"] == "invalid-data")
    assert invalid == sorted([
        "bundle.yaml field borrower.uscc: unified social credit code missing: every business licence carries one "
        "since the three certificates were merged, and organization code and tax registration certificates are no "
        "longer issued; copy it from the business licence",
        "bundle.yaml field documents.business-license.files[0]: no file 01-申请前期/营业执照副本.pdf in the bundle "
        "(paths are relative to the bundle's root, separated by /)",
        "bundle.yaml field meeting.votes: no vote (for, against or abstain) of shareholder "
        f"{data['shareholders'][1]['name']}",
        "bundle.yaml field shareholders: the shareholders' shares should add up to 100, not 90",
    ])
    chinese = run("check", bundle, "--as-of", EXAMPLE_AS_OF, "--format", "json")
    assert "bundle.yaml 字段 shareholders：股东持股比例合计应为100，实际为90" in [
        f["message"] for f in json.loads(chinese.output)["findings"]]


@pytest.mark.parametrize(("name", "content", "what"), [
    ("营业执照.pdf", b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n", "是单个 PDF 文件"),
    ("客户资料.rar", b"Rar!\x1a\x07\x01\x00" + bytes(32), "是 RAR 压缩包"),
    ("客户资料.zip", b"Rar!\x1a\x07\x00" + bytes(32), "是 RAR 压缩包"),  # renamed, still RAR
    ("资料.zip", b"not a zip at all", "既不是文件夹也不是有效的 .zip 压缩包（文件损坏或格式不对）"),
])
def test_a_file_given_as_the_bundle_is_named_for_what_it_is(tmp_path, name, content, what):
    # WinRAR's .rar and a single scan are what clerks give instead of a folder or a .zip.
    given = tmp_path / name
    given.write_bytes(content)
    result = run("check", given)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [f"错误：{given}：{what}，不是客户资料文件夹或 .zip 压缩包；"
                                          "请给出客户资料文件夹，或用“压缩为 ZIP”重新打包"
                                          if not what.startswith("既") else
                                          f"错误：{given}：{what}；请给出客户资料文件夹，或用“压缩为 ZIP”重新打包"]
