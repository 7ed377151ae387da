"""``docgen draft`` through click's CliRunner: exit codes, the text and JSON outputs, messages."""
from __future__ import annotations

import json
import shutil

import yaml
from click.testing import CliRunner

from docgen.cli import main
from docgen.core.jsonshape import mismatches
from docgen.documents.shapes import DRAFT_JSON
from docxtext import docx_text
from example_helper import EXAMPLE_BUNDLE


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_every_requested_annex_drafted_exits_0(tmp_path):
    result = run("draft", EXAMPLE_BUNDLE, "--annex", "3", "--annex", "4", "--out", tmp_path)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("附件三 不可撤销承诺函：已起草 ") and "（编号 诺字〔2026〕第00001号）" in lines[0]
    assert lines[1].startswith("附件四 承诺函：已起草 ")
    assert lines[-1] == "共 2 份：已起草 2 份，未起草 0 份。"
    assert len(list(tmp_path.glob("*.docx"))) == 2


def test_json_output_is_design_10(tmp_path):
    result = run("draft", EXAMPLE_BUNDLE, "--annex", "4", "--annex", "6", "--out", tmp_path, "--format", "json")
    assert result.exit_code == 1  # 附件六 needs the bank's own file
    data = json.loads(result.output)
    assert mismatches(data, DRAFT_JSON) == []  # the shape the README documents
    assert data["bundle"] == str(EXAMPLE_BUNDLE)
    four, six = data["annexes"]
    assert set(four) >= {"annex", "template", "title", "status", "path", "serial", "missing"}
    assert (four["annex"], four["template"], four["title"], four["status"], four["missing"]) == \
        (4, "commitment-letter", "承诺函", "drafted", [])
    assert four["path"].endswith("_承诺函.docx") and four["serial"] == "承字〔2026〕第00001号"
    assert (six["annex"], six["status"], six["path"], six["serial"]) == (6, "bank-template", None, None)


def test_missing_data_exits_1_naming_each_key_and_what_to_put_there(tmp_path):
    bundle = tmp_path / "b"
    bundle.mkdir()
    data = yaml.safe_load((EXAMPLE_BUNDLE / "bundle.yaml").read_text(encoding="utf-8"))
    del data["loan"]["contract_no"]
    (bundle / "bundle.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = run("draft", bundle, "--annex", "1", "--annex", "4", "--out", tmp_path / "out")
    assert result.exit_code == 1
    assert "附件四 承诺函：缺少数据，未起草；请在 bundle.yaml 中填写：" in result.output
    assert "    loan.contract_no：固定资产借款合同编号，如 临农商固借字2026第0045号" in result.output
    assert result.output.splitlines()[-1] == "共 2 份：已起草 1 份，未起草 1 份。"
    assert [p.name.split("_")[-1] for p in (tmp_path / "out").iterdir()] == ["授信业务申请书.docx"]


def test_unreadable_input_exits_2(tmp_path):
    assert run("draft", tmp_path / "nowhere").exit_code == 2
    assert run("draft", EXAMPLE_BUNDLE, "--annex", "12").exit_code == 2
    archive = shutil.make_archive(str(tmp_path / "b"), "zip", EXAMPLE_BUNDLE)
    result = run("draft", archive, "--annex", "4")
    assert result.exit_code == 2
    assert "资料包是 zip 文件，请用 --out 指定起草文件的输出文件夹" in result.output
    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"PK\x03\x04 not a zip")
    assert run("draft", broken, "--annex", "4", "--out", tmp_path / "o").exit_code == 2


def test_a_misspelt_bundle_key_is_named_beside_the_key_missing(tmp_path):
    # term_month for term_months: the annex lacks the key, and the hint says which line to mend.
    bundle = tmp_path / "客户资料"
    bundle.mkdir()
    text = (EXAMPLE_BUNDLE / "bundle.yaml").read_text(encoding="utf-8")
    assert "\n  term_months: 36\n" in text
    (bundle / "bundle.yaml").write_text(text.replace("\n  term_months: 36\n", "\n  term_month: 36\n"), encoding="utf-8")
    result = run("draft", bundle, "--annex", "4", "--out", tmp_path / "out", "--format", "json",
                 "--register", tmp_path / "r.sqlite")
    assert result.exit_code == 1, result.output
    [annex] = json.loads(result.output)["annexes"]
    assert (annex["status"], annex["missing"]) == ("missing-data", ["loan.term_months"])
    assert annex["hints"] == {"loan.term_months": "贷款期限（月）（bundle.yaml 中有 loan.term_month，是这个键写错了吗？"
                                                  "请改成 loan.term_months）"}
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())


def test_ids_typed_lower_case_are_printed_as_on_the_card(tmp_path):
    # The legal representative's 身份证号 ends in a check character typed x, the shareholder's
    # USCC in a lower-case letter: the resolution and the statement print them as issued.
    bundle = tmp_path / "b"
    bundle.mkdir()
    data = yaml.safe_load((EXAMPLE_BUNDLE / "bundle.yaml").read_text(encoding="utf-8"))
    data["borrower"]["legal_rep"]["id_number"] = "33010619840315102x"
    data["shareholders"][0]["uscc"] = "91330106147023960d"
    (bundle / "bundle.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = run("draft", bundle, "--annex", "2", "--annex", "5", "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    resolution, statement = (docx_text(next((tmp_path / "out").glob(f"*{name}.docx")))
                             for name in ("股东会决议及授权书", "资金封闭运作个人保证声明书"))
    assert "张建华（居民身份证号：33010619840315102X）" in resolution
    assert "杭州华安投资集团有限公司\n91330106147023960D" in resolution
    assert "本人张建华（居民身份证号：33010619840315102X）" in statement
    assert "102x" not in resolution + statement and "960d" not in resolution


def test_a_loan_amount_typed_in_yi_is_refused_with_the_yuan_to_type(tmp_path):
    bundle = tmp_path / "b"
    bundle.mkdir()
    data = yaml.safe_load((EXAMPLE_BUNDLE / "bundle.yaml").read_text(encoding="utf-8"))
    data["loan"]["amount"] = "1亿元"
    (bundle / "bundle.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = run("draft", bundle, "--annex", "1", "--out", tmp_path / "out")
    assert result.exit_code == 1
    assert "    loan.amount：有误：无法转换：金额以元为单位填写，收到“1亿元”；请写作 100000000" in result.output.splitlines()
