"""CLI: docgen templates list|show|lint and docgen render — exit codes and messages."""
from __future__ import annotations

import json
from pathlib import Path

import docx
import pytest
import yaml
from click.testing import CliRunner

from docgen.cli import main
from docgen.core.jsonshape import mismatches
from docgen.documents.register import Register
from docgen.documents.shapes import LINT_JSON, TEMPLATE_JSON, TEMPLATE_LIST_JSON
from docgen.core.docxbuild import add_body, new_document
from wordingkit import bracket_problems, punctuation_problems

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "templates"


@pytest.fixture()
def runner() -> CliRunner:
    return CliRunner()


def run(runner: CliRunner, *args: str):
    return runner.invoke(main, list(args), catch_exceptions=False)


def edited_template(tmp_path: Path, *paragraphs: str) -> Path:
    """A bank's copy of a template: a document of ``paragraphs``, saved as 我行催收函.docx."""
    doc = new_document()
    for text in paragraphs:
        add_body(doc, text)
    path = tmp_path / "我行催收函.docx"
    doc.save(path)
    return path


def test_templates_list(runner):
    result = run(runner, "templates", "list")
    assert result.exit_code == 0
    assert "demand-letter" in result.output and "逾期贷款催收函" in result.output
    lines = result.output.splitlines()
    assert "demand-letter                 逾期贷款催收函（贷后管理·逾期催收）" in lines
    assert [line for line in lines if punctuation_problems(line) or bracket_problems(line)] == []
    data = json.loads(run(runner, "templates", "list", "--format", "json").output)
    assert mismatches(data, TEMPLATE_LIST_JSON) == []  # the shape the README documents
    assert {"name": "shareholder-resolution", "title": "股东会决议及授权书",
            "title_en": "Shareholders' resolution and authorization", "category": "开发贷·签约前汇签资料"} in data


def test_templates_list_and_show_with_lang_en_give_the_english_titles(runner):
    """An English listing showed each template's Chinese title: with --lang en, its ``title_en``; the JSON
    gives both whatever the language; without --lang, the Chinese listing as before."""
    english = run(runner, "templates", "list", "--lang", "en")
    assert english.exit_code == 0
    lines = english.output.splitlines()
    assert "demand-letter                 Overdue loan demand letter (Post-loan management · collection of overdue loans)" in lines
    assert "逾期贷款催收函" not in english.output and "（" not in english.output
    assert "Overdue loan demand letter" not in run(runner, "templates", "list").output
    assert json.loads(run(runner, "templates", "list", "--format", "json", "--lang", "en").output) == json.loads(
        run(runner, "templates", "list", "--format", "json").output)
    shown = run(runner, "templates", "show", "demand-letter", "--lang", "en")
    assert shown.exit_code == 0
    assert shown.output.startswith("demand-letter  Overdue loan demand letter (Post-loan management · collection of overdue loans)\n")
    assert "\nFields:\n" in shown.output and "\nRules:\n" in shown.output
    assert "  principal                  amount   required  Principal due  headers: 应还本金, 逾期本金" in shown.output
    assert "      - name                       string   required  headers: 股东名称, 股东姓名" in run(
        runner, "templates", "show", "shareholder-resolution", "--lang", "en").output
    assert "逾期贷款催收函" not in shown.output.split("\n", 1)[0]
    data = json.loads(run(runner, "templates", "show", "guarantor-demand", "--format", "json", "--lang", "en").output)
    assert (data["title"], data["title_en"]) == ("保证人履行保证责任通知书", "Notice to the guarantor to perform the guarantee")
    assert run(runner, "templates", "show", "demand-letter").output.startswith("demand-letter  逾期贷款催收函（贷后管理·逾期催收）\n")


def test_a_template_without_an_english_title_is_listed_by_its_chinese_one(runner, tmp_path, monkeypatch):
    from docgen.core import resources
    from docgen.documents.template import load_template

    shipped = resources.templates_dir()
    meta = (shipped / "commitment-letter.yaml").read_text(encoding="utf-8")
    assert 'title_en: "Letter of commitment"\n' in meta
    meta = meta.replace('title_en: "Letter of commitment"\n', "")
    meta = meta.replace('category_en: "Development loan · documents signed before the contract"\n', "")
    (tmp_path / "bank-letter.yaml").write_text(meta, encoding="utf-8")
    (tmp_path / "bank-letter.docx").write_bytes((shipped / "commitment-letter.docx").read_bytes())
    template = load_template(path=tmp_path / "bank-letter.docx", meta=tmp_path / "bank-letter.yaml")
    assert (template.title, template.title_en) == ("承诺函", "承诺函")
    monkeypatch.setattr(resources, "templates_dir", lambda: tmp_path)
    assert run(runner, "templates", "list", "--lang", "en").output == "bank-letter  承诺函 (开发贷·签约前汇签资料)\n"
    assert json.loads(run(runner, "templates", "list", "--format", "json").output)[0]["title_en"] == "承诺函"


def test_templates_list_and_show_with_lang_en_give_the_english_categories(runner):
    """An English listing showed each template's category in Chinese ((贷后管理·逾期催收)): with --lang en,
    its ``category_en``, the same for every template of a category; the Chinese listing as before."""
    english = run(runner, "templates", "list", "--lang", "en")
    assert english.exit_code == 0
    lines = english.output.splitlines()
    assert "npl-report                    Report on non-performing loans and their collection " \
           "(Non-performing loan management)" in lines
    assert "credit-application            Credit facility application " \
           "(Development loan · application-stage documents)" in lines
    assert "drawdown-application          Drawdown application (Development loan · pre-disbursement documents)" in lines
    assert "commitment-letter             Letter of commitment " \
           "(Development loan · documents signed before the contract)" in lines
    assert all(ord(ch) < 0x2e80 for ch in english.output), english.output  # no Chinese left in the listing
    shown = run(runner, "templates", "show", "guarantor-demand", "--lang", "en")
    assert shown.exit_code == 0
    assert shown.output.startswith("guarantor-demand  Notice to the guarantor to perform the guarantee "
                                   "(Post-loan management · collection of overdue loans)\n")
    assert "demand-letter                 逾期贷款催收函（贷后管理·逾期催收）" in run(runner, "templates", "list").output.splitlines()
    from docgen.documents.template import list_templates

    english_of: dict[str, set[str]] = {}
    for template in list_templates():
        english_of.setdefault(template.category, set()).add(template.category_en)
    assert all(len(names) == 1 for names in english_of.values()), english_of


def test_templates_show_with_lang_en_gives_the_english_description(runner, tmp_path, monkeypatch):
    """docgen templates show --lang en printed the template's description in Chinese: now its
    ``description_en`` (every shipped template gives one, and its category's); a bank's template without
    one shows its Chinese description and category; the Chinese page as before."""
    shown = run(runner, "templates", "show", "demand-letter", "--lang", "en")
    assert shown.exit_code == 0
    assert shown.output.splitlines()[1] == (
        "The demand letter served on the borrower on the 7th day of arrears, stating the principal due, the "
        "interest in arrears, the penalty interest and their total in words, citing Civil Code arts. 674 "
        "(interest), 675 (principal), 676 and 195; with a proof of service (including a debt acknowledgement section).")
    assert "joint and several guarantor" in run(runner, "templates", "show", "guarantor-demand", "--lang", "en").output
    assert run(runner, "templates", "show", "demand-letter").output.splitlines()[1].startswith("逾期第7日向借款人送达的催收函")
    from docgen.core import resources
    from docgen.documents.template import list_templates

    for template in list_templates():
        assert template.meta.get("description_en") and template.meta.get("category_en"), template.name
    shipped = resources.templates_dir()
    meta = yaml.safe_load((shipped / "commitment-letter.yaml").read_text(encoding="utf-8"))
    del meta["description_en"], meta["category_en"]
    (tmp_path / "bank-letter.yaml").write_text(yaml.safe_dump(meta, allow_unicode=True), encoding="utf-8")
    (tmp_path / "bank-letter.docx").write_bytes((shipped / "commitment-letter.docx").read_bytes())
    monkeypatch.setattr(resources, "templates_dir", lambda: tmp_path)
    bank = run(runner, "templates", "show", "bank-letter", "--lang", "en")
    assert bank.exit_code == 0
    assert bank.output.splitlines()[:2] == ["bank-letter  Letter of commitment (开发贷·签约前汇签资料)", meta["description"]]


def test_templates_show_text_and_json(runner):
    result = run(runner, "templates", "show", "demand-letter")
    assert result.exit_code == 0
    assert "principal" in result.output and "逾期本金" in result.output and "必填" in result.output
    # the description and the fields' labels as GB/T 15834 words them (the rules are JSON, apart)
    shown = result.output.split("\n规则：")[0]
    assert "附送达回证（含债务确认栏）。" in shown and "合计（不填则自动计算）  表头：合计、欠款合计" in shown
    assert punctuation_problems(shown) == [] and bracket_problems(shown) == []
    data = json.loads(run(runner, "templates", "show", "shareholder-resolution", "--format", "json").output)
    assert mismatches(data, TEMPLATE_JSON) == []
    fields = {f["name"]: f for f in data["fields"]}
    assert fields["meeting_date"] == {"name": "meeting_date", "type": "date", "required": True,
                                      "aliases": ["会议日期"], "description": "会议日期"}
    assert {"name": "share", "type": "amount", "required": True, "aliases": ["出资比例", "持股比例"]} in fields["shareholders"]["items"]


def test_templates_show_unknown_exits_2(runner):
    result = run(runner, "templates", "show", "nope")
    assert result.exit_code == 2
    assert "未知模板 nope" in result.output


def test_render_example(runner, tmp_path):
    out = tmp_path / "letter.docx"
    result = run(runner, "render", "demand-letter", "--data", str(EXAMPLES / "demand-letter.yaml"), "-o", str(out))
    assert result.exit_code == 0, result.output
    text = "\n".join(p.text for p in docx.Document(out).paragraphs)
    assert "人民币壹拾叁万贰仟壹佰元整" in text


def test_render_json_data_and_edited_template(runner, tmp_path):
    data = yaml.safe_load((EXAMPLES / "demand-letter.yaml").read_text(encoding="utf-8"))
    data_file = tmp_path / "d.json"
    data_file.write_text(json.dumps(data, ensure_ascii=False, default=str), encoding="utf-8")
    doc = new_document()
    add_body(doc, "我行版本:{{ borrower }},合计{{ total|amount_in_words }},编号{{ serial }}")
    edited = tmp_path / "我行催收函.docx"
    doc.save(edited)
    out = tmp_path / "out.docx"
    result = run(runner, "render", "demand-letter", "--template", str(edited), "--data", str(data_file), "-o", str(out))
    assert result.exit_code == 0, result.output
    text = docx.Document(out).paragraphs[0].text
    # The example gives no serial: the test's own register numbers it.
    assert text == "我行版本:杭州临平明远五金制品有限公司,合计人民币壹拾叁万贰仟壹佰元整,编号催字〔2026〕第00001号"


def test_render_invalid_data_exits_1_naming_fields_and_writes_nothing(runner, tmp_path):
    data = yaml.safe_load((EXAMPLES / "demand-letter.yaml").read_text(encoding="utf-8"))
    del data["principal"]
    data["pay_by"] = "2026-11-01"
    data_file = tmp_path / "d.yaml"
    data_file.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "out.docx"
    result = run(runner, "render", "demand-letter", "--data", str(data_file), "-o", str(out))
    assert result.exit_code == 1
    assert "模板 demand-letter：数据未通过检查" in result.output
    assert "principal：必填字段，不能缺少" in result.output
    assert not out.exists()


def test_render_of_a_misspelt_key_names_the_field_it_was_meant_for(runner, tmp_path):
    data = yaml.safe_load((EXAMPLES / "demand-letter.yaml").read_text(encoding="utf-8"))
    data["borower"] = data.pop("borrower")
    data_file = tmp_path / "d.yaml"
    data_file.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "out.docx"
    result = run(runner, "render", "demand-letter", "--data", str(data_file), "-o", str(out))
    assert result.exit_code == 1 and not out.exists()
    assert result.output.splitlines() == ["错误：模板 demand-letter：数据未通过检查（2 处问题）",
                                          "  - borower：未知字段（请检查拼写，是否应为 borrower？）",
                                          "  - borrower：必填字段，不能缺少"]


def test_render_of_a_bare_date_that_does_not_exist_exits_1_naming_the_field(runner, tmp_path):
    data_file = tmp_path / "d.yaml"
    text = (EXAMPLES / "demand-letter.yaml").read_text(encoding="utf-8")
    data_file.write_text(text.replace("letter_date: 2026-11-28", "letter_date: 2026-02-30"), encoding="utf-8")
    out = tmp_path / "out.docx"
    result = run(runner, "render", "demand-letter", "--data", str(data_file), "-o", str(out))
    assert result.exit_code == 1
    assert result.output == ("错误：模板 demand-letter：数据未通过检查（1 处问题）\n"
                             "  - letter_date：无法转换：不存在的日期“2026-02-30”\n")
    assert not out.exists()


def test_render_malformed_data_file_exits_2(runner, tmp_path):
    bad = tmp_path / "d.yaml"
    bad.write_text("borrower: [unclosed\n", encoding="utf-8")
    result = run(runner, "render", "demand-letter", "--data", str(bad), "-o", str(tmp_path / "o.docx"))
    assert result.exit_code == 2
    assert "d.yaml 第2行第1列：数据文件不是合法的 YAML：" in result.output
    listing = tmp_path / "l.yaml"
    listing.write_text("- a\n- b\n", encoding="utf-8")
    result = run(runner, "render", "demand-letter", "--data", str(listing), "-o", str(tmp_path / "o.docx"))
    assert result.exit_code == 2 and "l.yaml：数据文件顶层应为映射（“键: 值”），如“borrower: 张三”" in result.output


@pytest.mark.parametrize("encoding, borrower", [
    ("gbk", "杭州临平明远五金制品有限公司"),  # Notepad's "ANSI" on Chinese Windows
    ("gb18030", "杭州𠀀明远五金制品有限公司"),  # 𠀀 (U+20000) is beyond GBK: four bytes in GB18030
])
def test_render_reads_a_data_file_saved_in_gbk_or_gb18030(runner, tmp_path, encoding, borrower):
    text = (EXAMPLES / "demand-letter.yaml").read_text(encoding="utf-8")
    text = text.replace("borrower: 杭州临平明远五金制品有限公司", f"borrower: {borrower}")
    data_file = tmp_path / "催收函.yaml"
    data_file.write_bytes(text.encode(encoding))
    with pytest.raises(UnicodeDecodeError):
        data_file.read_bytes().decode("utf-8")
    out = tmp_path / "letter.docx"
    result = run(runner, "render", "demand-letter", "--data", str(data_file), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert borrower in "\n".join(p.text for p in docx.Document(out).paragraphs)


def test_render_of_a_data_file_no_encoding_decodes_exits_2_naming_it(runner, tmp_path):
    data_file = tmp_path / "d.yaml"
    data_file.write_bytes(b"borrower: " + b"\x81\xff\x00" * 40 + b"\n")
    out = tmp_path / "o.docx"
    result = run(runner, "render", "demand-letter", "--data", str(data_file), "-o", str(out))
    assert result.exit_code == 2
    assert result.output == (f"错误：{data_file}：无法识别数据文件的编码（不是 UTF-8 或 GB18030/GBK）；"
                             "请用 UTF-8 保存后重试\n")
    assert not out.exists()


def test_render_without_serial_takes_one_from_the_register(runner, tmp_path):
    data = yaml.safe_load((EXAMPLES / "demand-letter.yaml").read_text(encoding="utf-8"))
    assert "serial" not in data  # the example leaves the numbering to the register
    data_file = tmp_path / "d.yaml"
    data_file.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    register = str(tmp_path / "reg.sqlite")

    def render(out: str) -> str:
        result = run(runner, "render", "demand-letter", "--data", str(data_file), "-o", str(tmp_path / out),
                     "--register", register)
        assert result.exit_code == 0, result.output
        return "\n".join(p.text for p in docx.Document(tmp_path / out).paragraphs)

    assert "编号：催字〔2026〕第00001号" in render("a.docx")
    assert "编号：催字〔2026〕第00001号" in render("again.docx")  # same contract keeps its serial
    data["contract_no"] = "临农商借字2025第0999号"
    data_file.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert "编号：催字〔2026〕第00002号" in render("b.docx")
    from docgen.documents.register import Register

    with Register(register) as reg:
        records = reg.records("demand-letter")
    assert [(r.serial, Path(r.file).name) for r in records] == [
        ("催字〔2026〕第00001号", "again.docx"), ("催字〔2026〕第00002号", "b.docx")]
    # every rendered file is recorded with its hash: verify finds nothing reserved-but-unwritten
    verify = run(runner, "register", "verify", "--register", register)
    assert verify.exit_code == 0, verify.output
    (tmp_path / "b.docx").write_bytes(b"edited")
    verify = run(runner, "register", "verify", "--register", register)
    assert verify.exit_code == 1 and "b.docx" in verify.output


def test_render_refuses_a_serial_from_the_data_that_the_register_issued_to_another_contract(runner, tmp_path):
    # The data says 催字〔2026〕第00007号; a batch through the same register gave that number to
    # its seventh contract. Two letters must not carry one number.
    data = yaml.safe_load((EXAMPLES / "demand-letter.yaml").read_text(encoding="utf-8"))
    data["serial"] = "催字〔2026〕第00007号"
    given = tmp_path / "given.yaml"
    given.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    register = tmp_path / "reg.sqlite"

    with Register(register) as reg:
        for seq in range(1, 8):
            reg.reserve("demand-letter", f"临农商借字2026第{seq:04d}号", lambda n: f"催字〔2026〕第{n:05d}号")
    out = tmp_path / "letter.docx"
    result = run(runner, "render", "demand-letter", "--data", str(given), "-o", str(out), "--register", str(register))
    assert result.exit_code == 1
    assert result.output == (
        "错误：模板 demand-letter：数据未通过检查（1 处问题）\n"
        f"  - serial：编号 催字〔2026〕第00007号 已由登记簿 {register} 出具给 临农商借字2026第0007号，不能再用于本文书；"
        "请删去数据中的 serial（由登记簿编号），或改正 contract_no\n")
    assert not out.exists()
    # The contract the register gave it to may be printed again under its own number.
    data["contract_no"] = "临农商借字2026第0007号"
    again = tmp_path / "d.yaml"
    again.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = run(runner, "render", "demand-letter", "--data", str(again), "-o", str(out), "--register", str(register))
    assert result.exit_code == 0, result.output
    # No register yet: one is made, holding the data's serial for this contract.
    result = run(runner, "render", "demand-letter", "--data", str(given), "-o", str(out),
                 "--register", str(tmp_path / "new.sqlite"))
    assert result.exit_code == 0, result.output
    with Register(tmp_path / "new.sqlite", readonly=True) as reg:
        assert [(r.serial, r.row_key, r.seq) for r in reg.records()] == [
            ("催字〔2026〕第00007号", "临农商借字2025第0312号", 7)]


def test_a_serial_from_the_data_is_recorded_and_never_issued_again(runner, tmp_path):
    data = yaml.safe_load((EXAMPLES / "demand-letter.yaml").read_text(encoding="utf-8"))
    data["serial"] = "催字〔2026〕第00003号"
    register = tmp_path / "reg.sqlite"

    def render(name: str, values: dict, exit_code: int) -> str:
        """Render ``values`` to NAME.docx; return the output, the exit code checked (and on a
        refusal, that nothing was written)."""
        (tmp_path / f"{name}.yaml").write_text(yaml.safe_dump(values, allow_unicode=True), encoding="utf-8")
        out = tmp_path / f"{name}.docx"
        result = run(runner, "render", "demand-letter", "--data", str(tmp_path / f"{name}.yaml"), "-o", str(out),
                     "--register", str(register))
        assert result.exit_code == exit_code and out.exists() == (exit_code == 0), result.output
        return result.output

    assert render("a", data, 0) == f"已生成 {tmp_path / 'a.docx'}（编号 催字〔2026〕第00003号）\n"
    render("again", data, 0)  # the same letter printed again: same serial, allowed
    listed = json.loads(run(runner, "register", "list", "--register", str(register), "--format", "json").output)
    assert [(r["serial"], r["row_key"], r["seq"], Path(r["file"]).name) for r in listed] == [
        ("催字〔2026〕第00003号", "临农商借字2025第0312号", 3, "again.docx")]
    # Another contract may not carry that number, and this contract may not carry a second one.
    head = "错误：模板 demand-letter：数据未通过检查（1 处问题）\n  - serial："
    assert render("other", dict(data, contract_no="临农商借字2025第0999号"), 1) == (
        f"{head}编号 催字〔2026〕第00003号 已由登记簿 {register} 出具给 临农商借字2025第0312号，不能再用于本文书；"
        "请删去数据中的 serial（由登记簿编号），或改正 contract_no\n")
    assert render("second", dict(data, serial="催字〔2026〕第00009号"), 1) == (
        f"{head}登记簿 {register} 已为本文书（contract_no 临农商借字2025第0312号）编号 催字〔2026〕第00003号，"
        "与数据中的编号 催字〔2026〕第00009号 不符，一份文书不能有两个编号；请删去数据中的 serial，或改为 催字〔2026〕第00003号\n")
    # A batch through the same register numbers its letters around the recorded serial.
    result = run(runner, "batch", "demand-letter", "--rows", str(EXAMPLES / "demand-letters.xlsx"),
                 "--out", str(tmp_path / "letters"), "--register", str(register), "--format", "json")
    assert result.exit_code == 0, result.output
    serials = [doc["serial"] for doc in json.loads(result.output)["documents"]]
    assert serials == [f"催字〔2026〕第{n:05d}号" for n in [1, 2, *range(4, 22)]]
    verify = run(runner, "register", "verify", "--register", str(register))
    assert verify.exit_code == 0, verify.output


def test_render_to_an_unwritable_path_is_one_clear_line(runner, tmp_path):
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    out = tmp_path / "afile" / "催收函.docx"  # a file where the folder should be
    register = tmp_path / "reg.sqlite"
    given = tmp_path / "given.yaml"
    data = yaml.safe_load((EXAMPLES / "demand-letter.yaml").read_text(encoding="utf-8"))
    given.write_text(yaml.safe_dump(dict(data, serial="催字〔2026〕第00003号"), allow_unicode=True), encoding="utf-8")
    for source in (EXAMPLES / "demand-letter.yaml", given):  # a serial the register issues, and one given
        result = run(runner, "render", "demand-letter", "--data", str(source), "-o", str(out),
                     "--register", str(register))
        assert result.exit_code == 2
        assert result.output == f"错误：无法写入 {out}（File exists）；请检查输出路径、写入权限和磁盘空间\n"
        assert not register.exists()  # refused before the register was opened: no serial reserved, never printed


def test_render_usage_errors(runner, tmp_path):
    data = str(EXAMPLES / "demand-letter.yaml")
    assert run(runner, "render", "demand-letter", "--data", data, "-o", str(tmp_path / "x.pdf")).exit_code == 2
    assert run(runner, "render", "--data", data, "-o", str(tmp_path / "x.docx")).exit_code == 2
    assert run(runner, "render", "demand-letter", "--data", str(tmp_path / "none.yaml"), "-o", "x.docx").exit_code == 2


def test_lint_command_exit_codes_and_json(runner, tmp_path):
    doc = new_document()
    add_body(doc, "致:{{ borrower }")
    add_body(doc, "{{ unknown_field }}")
    path = tmp_path / "edited.docx"
    doc.save(path)
    result = run(runner, "templates", "lint", str(path), "--schema", "demand-letter", "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert mismatches(data, LINT_JSON) == []
    assert {p["code"] for p in data["problems"]} >= {"broken-tag"}
    text = run(runner, "templates", "lint", str(path), "--schema", "demand-letter")
    assert text.exit_code == 1 and "错误 [broken-tag] word/document.xml 第1段" in text.output
    clean = run(runner, "templates", "lint", str(Path(__file__).resolve().parents[2] / "templates" / "commitment-letter.docx"))
    assert clean.exit_code == 0 and "0 个错误，0 个警告" in clean.output
    # warnings (here ASCII punctuation in Chinese text) leave the template usable: exit 0
    doc = new_document()
    add_body(doc, "借款人:{{ borrower }},请于三日内还款。")
    doc.save(path)
    warned = run(runner, "templates", "lint", str(path), "--format", "json")
    assert warned.exit_code == 0
    assert [p["code"] for p in json.loads(warned.output)["problems"]] == ["ascii-punctuation"]


def test_lint_not_a_docx_exits_2(runner, tmp_path):
    bad = tmp_path / "x.docx"
    bad.write_bytes(b"plain text")
    result = run(runner, "templates", "lint", str(bad))
    assert result.exit_code == 2 and "不是有效的 Word .docx 文件" in result.output


@pytest.mark.parametrize(("damage", "reason"), [
    ("deflate", "Error -3 while decompressing data: invalid block type"),
    ("password", "File 'word/document.xml' is encrypted, password required for extraction"),
])
def test_lint_of_a_docx_whose_member_cannot_be_read_exits_2_naming_it(runner, tmp_path, damage, reason):
    """A member whose compressed bytes are broken, or that claims a password: one line, no traceback."""
    import struct
    import zipfile

    source = Path(__file__).resolve().parents[2] / "templates" / "demand-letter.docx"
    bad = tmp_path / "我行催收函.docx"
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(bad, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            out.writestr(info.filename, src.read(info.filename))
    raw = bytearray(bad.read_bytes())
    with zipfile.ZipFile(bad) as archive:
        info = archive.getinfo("word/document.xml")
    local = info.header_offset
    name_length, extra_length = struct.unpack_from("<HH", raw, local + 26)
    if damage == "deflate":
        raw[local + 30 + name_length + extra_length] = 0xFF  # a block of the reserved type 3
    else:  # the "encrypted" flag, in the local header and in the central one (its name's last copy)
        raw[local + 6] |= 1
        raw[raw.rindex(b"word/document.xml") - 46 + 8] |= 1
    bad.write_bytes(bytes(raw))
    result = run(runner, "templates", "lint", str(bad))
    assert result.exit_code == 2
    assert result.output == (f"错误：{bad}：不是有效的 Word .docx 文件，其中的 word/document.xml 无法读取"
                             f"（{reason}）；请在 Word 中打开并另存为 .docx\n")


def test_a_template_whose_document_unpacks_past_64_mb_exits_2_for_lint_and_render(runner, tmp_path):
    """A few hundred KB that unpack to 65 MB of empty paragraphs: refused by its declared size
    before any of it is read (lint ran for minutes on such a file)."""
    import zipfile

    source = Path(__file__).resolve().parents[2] / "templates" / "demand-letter.docx"
    bad = tmp_path / "我行催收函.docx"
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(bad, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename != "word/document.xml":
                out.writestr(info.filename, body)
                continue
            head, _, tail = body.partition(b"<w:body>")
            with out.open(info.filename, "w") as part:
                part.write(head + b"<w:body>")
                for _ in range(65):
                    part.write(b"<w:p/>" * 174763)  # 1 MB of empty paragraphs
                part.write(tail)
    assert bad.stat().st_size < 1 << 20
    out = tmp_path / "o.docx"
    lint = run(runner, "templates", "lint", str(bad))
    render = run(runner, "render", "demand-letter", "--template", str(bad), "--data",
                 str(EXAMPLES / "demand-letter.yaml"), "-o", str(out))
    for result in (lint, render):
        assert result.exit_code == 2
        assert result.output == (f"错误：{bad}：其中的 word/document.xml 解压后 65 MB，超过模板可用的上限 64 MB；"
                                 "请确认选对了文件，或在 Word 中打开后另存为 .docx 再重试\n")
    assert not out.exists()


def test_corrupt_document_xml_exits_2_naming_the_file(runner, tmp_path):
    import zipfile

    source = Path(__file__).resolve().parents[2] / "templates" / "demand-letter.docx"
    bad = tmp_path / "我行催收函.docx"
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(bad, "w") as out:
        for info in src.infolist():
            data = src.read(info.filename)
            out.writestr(info, data[: len(data) // 2] if info.filename == "word/document.xml" else data)
    lint = run(runner, "templates", "lint", str(bad))
    render = run(runner, "render", "demand-letter", "--template", str(bad), "--data",
                 str(EXAMPLES / "demand-letter.yaml"), "-o", str(tmp_path / "o.docx"))
    for result in (lint, render):
        assert result.exit_code == 2
        assert result.output.startswith(f"错误：{bad}：不是有效的 Word .docx 文件，请在 Word 中打开并另存为 .docx（")
    assert not (tmp_path / "o.docx").exists()


@pytest.mark.soffice
def test_render_with_pdf(runner, tmp_path):
    from pypdf import PdfReader

    out = tmp_path / "催收函.docx"
    result = run(runner, "render", "demand-letter", "--data", str(EXAMPLES / "demand-letter.yaml"), "-o", str(out), "--pdf")
    assert result.exit_code == 0, result.output
    pdf_path = tmp_path / "催收函.pdf"
    assert pdf_path.exists() and f"已生成 {pdf_path}" in result.output
    text = "".join("".join(page.extract_text() or "" for page in PdfReader(pdf_path).pages).split())
    assert "人民币壹拾叁万贰仟壹佰元整" in text and "送达回证" in text


def test_a_bank_template_with_a_misspelled_field_exits_2_naming_the_tag_not_the_data(runner, tmp_path):
    # A typo in the bank's copy ({{ borower }}) is the template's fault: the data has the field.
    edited = edited_template(tmp_path, "致：{{ borower }}，合计{{ total|amount_in_words }}，编号{{ serial }}")
    out = tmp_path / "out.docx"
    result = runner.invoke(main, ["render", "demand-letter", "--template", str(edited), "--data",
                                  str(EXAMPLES / "demand-letter.yaml"), "-o", str(out)])
    assert result.exit_code == 2, result.output
    assert result.output == (
        f"错误：{edited}：模板中的变量 borower（应为 borrower？）不是模板 demand-letter 的字段；"
        f"请在 Word 中改正这些标签（docgen templates lint {edited} --schema demand-letter 列出所在段落）\n")
    assert not out.exists()


def test_lint_of_an_unknown_filter_does_not_call_every_field_unused(runner, tmp_path):
    edited = edited_template(tmp_path, "致：{{ borrower }}，合计{{ total|amount_in_word }}")
    result = run(runner, "templates", "lint", str(edited), "--schema", "demand-letter", "--format", "json")
    assert result.exit_code == 1
    problems = json.loads(result.output)["problems"]
    assert [p["code"] for p in problems if p["severity"] != "info"] == ["unknown-filter"]


def test_render_of_a_bank_template_with_a_misspelled_filter_speaks_chinese_and_names_the_lint_paragraph(runner, tmp_path):
    edited = edited_template(tmp_path, "致：{{ borrower }}", "合计{{ total|amount_in_word }}")
    result = runner.invoke(main, ["render", "demand-letter", "--template", str(edited), "--data",
                                  str(EXAMPLES / "demand-letter.yaml"), "-o", str(tmp_path / "out.docx")])
    assert result.exit_code == 2
    assert result.output == (
        f"错误：{edited}：word/document.xml 第2段模板标签有误：没有名为 amount_in_word 的过滤器（可用：amount, "
        "amount_in_words, date_cn, date_upper, id_label, mask_id, percent, wan 及 Jinja 内置过滤器）。"
        f"该段：合计{{{{ total|amount_in_word }}}}。请运行 docgen templates lint {edited} 查看详情\n")
    lint = run(runner, "templates", "lint", str(edited), "--schema", "demand-letter", "--format", "json")
    [problem] = [p for p in json.loads(lint.output)["problems"] if p["code"] == "unknown-filter"]
    assert problem["location"] == "word/document.xml 第2段"


def test_the_example_letter_then_the_example_batch_issue_no_serial_twice(runner, tmp_path):
    # The demo renders the example letter, then the batch, through one register: the example
    # brings no serial, so the register numbers (and records) it and the batch continues after it.
    register = str(tmp_path / "reg.sqlite")
    letter = run(runner, "render", "demand-letter", "--data", str(EXAMPLES / "demand-letter.yaml"),
                 "-o", str(tmp_path / "letter.docx"), "--register", register)
    assert letter.exit_code == 0, letter.output
    batch = run(runner, "batch", "demand-letter", "--rows", str(EXAMPLES / "demand-letters.xlsx"),
                "--out", str(tmp_path / "letters"), "--register", register)
    assert batch.exit_code == 0, batch.output
    from docgen.documents.register import Register

    with Register(register) as reg:
        holders = {r.serial: Path(r.file).name for r in reg.records("demand-letter")}
    text = "\n".join(p.text for p in docx.Document(tmp_path / "letter.docx").paragraphs)
    assert "编号：催字〔2026〕第00001号" in text and holders["催字〔2026〕第00001号"] == "letter.docx"
    assert len(holders) > 8 and sorted(holders) == [f"催字〔2026〕第{n:05d}号" for n in range(1, len(holders) + 1)]


@pytest.mark.parametrize("name", ["demand-letter", "debt-confirmation", "guarantor-demand"])
def test_a_letter_whose_loan_matures_before_it_was_lent_is_refused(runner, tmp_path, name):
    # 借款日期 2025-05-20, 到期日期 typed 2024-…: the letter would state a loan due a year before it was made.
    data = yaml.safe_load((EXAMPLES / f"{name}.yaml").read_text(encoding="utf-8"))
    loan_date = data["loan_date"]
    data["maturity"] = loan_date.replace(year=loan_date.year - 1)
    data_file = tmp_path / "d.yaml"
    data_file.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "out.docx"
    result = run(runner, "render", name, "--data", str(data_file), "-o", str(out), "--register", str(tmp_path / "r.sqlite"))
    assert result.exit_code == 1 and not out.exists()
    assert f"  - maturity：到期日期应晚于借款日期，收到 {data['maturity'].isoformat()}" in result.output.splitlines()


@pytest.mark.parametrize(("name", "field", "value", "limit", "wording"), [
    ("demand-letter", "principal", 1400000, "balance", "应还本金不应大于贷款余额"),
    ("demand-letter", "balance", 1575000, "loan_amount", "贷款余额不应大于借款金额"),
    ("debt-confirmation", "balance", 10 ** 9, "loan_amount", "借款本金余额不应大于借款金额"),
    ("guarantor-demand", "principal", 10 ** 9, "loan_amount", "应还本金不应大于借款金额"),
])
def test_a_letter_whose_amounts_contradict_each_other_is_refused(runner, tmp_path, name, field, value, limit, wording):
    # The overdue principal is part of the balance, the balance part of the amount lent.
    data = yaml.safe_load((EXAMPLES / f"{name}.yaml").read_text(encoding="utf-8"))
    data[field] = value
    data.pop("total", None)
    data_file = tmp_path / "d.yaml"
    data_file.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "out.docx"
    result = run(runner, "render", name, "--data", str(data_file), "-o", str(out), "--register", str(tmp_path / "r.sqlite"))
    assert result.exit_code == 1 and not out.exists()
    assert result.output.splitlines()[1:] == [f"  - {field}：{wording}，收到 {value:,.2f}（大于 {data[limit]:,.2f}）"]


def test_the_lint_command_an_error_suggests_runs_as_pasted_from_a_folder_with_a_space(runner, tmp_path):
    folder = tmp_path / "我行 模板"
    folder.mkdir()
    broken = edited_template(folder, "合计{{ total|amount_in_word }}")
    data = ["--data", str(EXAMPLES / "demand-letter.yaml"), "-o", str(tmp_path / "out.docx")]
    result = runner.invoke(main, ["render", "demand-letter", "--template", str(broken), *data])
    assert result.exit_code == 2 and result.output.endswith(f"请运行 docgen templates lint '{broken}' 查看详情\n")
    misspelt = edited_template(folder, "致：{{ borower }}")
    result = runner.invoke(main, ["render", "demand-letter", "--template", str(misspelt), *data])
    assert result.exit_code == 2
    assert f"（docgen templates lint '{misspelt}' --schema demand-letter 列出所在段落）" in result.output


def test_templates_show_unknown_with_lang_en_says_so_in_english(runner):
    """docgen templates show NOSUCH --lang en said 未知模板 in Chinese though the documents table words it
    in English; exit 2 as before, and the Chinese as before without --lang en."""
    result = run(runner, "templates", "show", "NOSUCH", "--lang", "en")
    assert result.exit_code == 2
    assert result.output == (
        "Error: unknown template NOSUCH (the templates: business-application, commitment-letter, credit-application, "
        "debt-confirmation, demand-letter, drawdown-application, guarantor-demand, irrevocable-commitment, npl-report, "
        "personal-guarantee-statement, related-party-declaration, seal-witness-confirmation, shareholder-resolution, "
        "signature-specimen)\n")
    unnamed = run(runner, "templates", "show", "", "--lang", "en")
    assert (unnamed.exit_code, unnamed.output) == (2, "Error: give a template's name or a --template file\n")
    chinese = run(runner, "templates", "show", "NOSUCH")
    assert chinese.exit_code == 2 and chinese.output.startswith("错误：未知模板 NOSUCH（可用：business-application、")


@pytest.mark.parametrize(("meta", "said"), [
    ("title: [x\n", "{path}, line 2, column 1: the template metadata is not valid YAML: did not find expected ',' or "
                    "']'; check the indentation and the colons"),
    ("- title\n", "{path}: the top level of the template metadata should be a mapping ('key: value'), e.g. "
                  "'title: …' and 'schema: …'"),
    ("title: 逾期贷款催收函\n", "{path}: no schema (the field definitions)"),
    (None, "{path}: the key_field nosuch is not in the schema"),
])
def test_templates_list_and_show_with_lang_en_word_unusable_metadata_in_english(runner, tmp_path, monkeypatch, meta, said):
    """A shipped template's metadata that cannot be read or used stopped templates list|show --lang en in
    Chinese; now in English (the metadata named as such), exit 2 as before."""
    from docgen.core import resources

    shipped = resources.templates_dir()
    if meta is None:
        meta = (shipped / "demand-letter.yaml").read_text(encoding="utf-8").replace(
            "\nkey_field: contract_no ", "\nkey_field: nosuch ")
    (tmp_path / "demand-letter.yaml").write_text(meta, encoding="utf-8")
    (tmp_path / "demand-letter.docx").write_bytes((shipped / "demand-letter.docx").read_bytes())
    monkeypatch.setattr(resources, "templates_dir", lambda: tmp_path)
    line = "Error: " + said.format(path=tmp_path / "demand-letter.yaml") + "\n"
    for args in (["list"], ["show", "demand-letter"]):
        result = run(runner, "templates", *args, "--lang", "en")
        assert (result.exit_code, result.output) == (2, line)
        assert run(runner, "templates", *args).exit_code == 2


#: Runs docgen's CLI (sys.argv[2:]) with the shipped templates' folder at sys.argv[1].
_IN_FOLDER = """
import sys
from pathlib import Path
from docgen.core import resources
resources.templates_dir = lambda: Path(sys.argv[1])
from docgen.cli import main
main(sys.argv[2:], prog_name="docgen")
"""


def test_templates_list_and_show_with_lang_en_word_an_unreadable_folder_or_file_in_english(tmp_path):
    """The templates' folder, or a template's .yaml or .docx, that may not be read stopped templates
    list|show --lang en in Chinese; now in English, exit 2. A folder that may not be listed was listed as
    holding no template (exit 0), and show called every template unknown: now the folder is named."""
    from docgen.core import resources
    from unprivileged import assert_denied, modes, python_denied

    folder = tmp_path / "templates"
    folder.mkdir()
    for name in ("demand-letter.yaml", "demand-letter.docx"):
        (folder / name).write_bytes((resources.templates_dir() / name).read_bytes())

    def docgen(*args: str):
        return python_denied("-c", _IN_FOLDER, folder, "templates", *args)

    cases = [
        ((folder, 0o000), "list", f"Error: {folder}: no permission to list the folder; check its permissions "
                                  "(readable and enterable)\n"),
        ((folder, 0o300), "list", f"Error: {folder}: no permission to list the folder; check its permissions "
                                  "(readable and enterable)\n"),
        ((folder / "demand-letter.yaml", 0o000), "read",
         f"Error: {folder / 'demand-letter.yaml'}: no permission to read the file; check its permissions, or ask an "
         "administrator to let this user read it\n"),
        ((folder / "demand-letter.docx", 0o000), "read",
         f"Error: {folder / 'demand-letter.docx'}: no permission to read the file; check its permissions, or ask an "
         "administrator to let this user read it\n"),
    ]
    for change, how, said in cases:
        with modes(change):
            assert_denied(change[0], how)
            listed = docgen("list", "--lang", "en")
            assert (listed.returncode, listed.stdout, listed.stderr) == (2, "", said)
            assert docgen("list").returncode == 2
            if change[1] == 0o000:  # a folder that may be entered but not listed still shows a template it holds
                shown = docgen("show", "demand-letter", "--lang", "en")
                assert (shown.returncode, shown.stderr) == (2, said)
