"""``docgen npl-report`` end to end: exit codes, JSON shape, and the Word report re-opened."""
from __future__ import annotations

import json
from pathlib import Path

import docx
import openpyxl
import pytest
from click.testing import CliRunner
from docx.oxml.ns import qn
from ledger_fixtures import row, write_seed_ledgers

from docgen.cli import main
from docgen.core.jsonshape import mismatches
from docgen.loans.ledger import LEDGER_HEADERS, write_ledger
from docgen.loans.shapes import NPL_FIGURES_JSON

NOTES = """\
branch: 眉县支行
collection:
  - 年初统一制定不良清收计划,落实到每一位客户经理。
litigation: 我行接到判决书后逐户走访借款人。
plan:
  - 一是全员清收、依法清收,全力清降存量不良贷款。
  - 二是前移风险关口,严格执行贷款“三查”制度。
"""

# The seed's own sentence (篇十二): 截至, whole 万元 written without decimals, full-width punctuation.
SENTENCE = ("截至2026年6月30日，支行表内不良贷款余额102.01万元，较季初下降2万元，不良占比1.21%，"
            "完成季度任务10万元的20%；表外不良贷款余额1727.25万元，本季清收12.70万元，"
            "完成季度任务35万元的36.29%。")


def _run(*args: str):
    return CliRunner().invoke(main, ["npl-report", *args])


@pytest.fixture(scope="module")
def seed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("seed")
    opening, closing, targets = write_seed_ledgers(folder)
    notes = folder / "notes.yaml"
    notes.write_text(NOTES, encoding="utf-8")
    # One misclassified loan beside the seed's: 关注 but 120 days overdue, so the annex lists it.
    from ledger_fixtures import seed_snapshots

    _, rows = seed_snapshots()
    flagged = write_ledger([*rows, row("M1", 0, "关注", days=120, serial=7, officer="赵晓燕")],
                           folder / "closing-flagged.xlsx")
    return {"opening": opening, "closing": closing, "targets": targets, "notes": notes,
            "flagged": flagged, "dir": folder}


@pytest.fixture(scope="module")
def report(seed: dict[str, Path]) -> tuple[object, Path]:
    out = seed["dir"] / "report.docx"
    result = _run("--ledger", str(seed["flagged"]), "--opening", str(seed["opening"]), "--period", "2026Q2",
                  "--targets", str(seed["targets"]), "--notes", str(seed["notes"]), "-o", str(out))
    return result, out


def test_json_shape_and_figures(seed: dict[str, Path]) -> None:
    result = _run("--ledger", str(seed["closing"]), "--opening", str(seed["opening"]), "--period", "2026Q2",
                  "--targets", str(seed["targets"]), "--format", "json")
    assert result.exit_code == 0, result.output + result.stderr
    data = json.loads(result.stdout)
    assert mismatches(data, NPL_FIGURES_JSON) == []  # the shape the README documents
    assert data["large_npls"] and data["litigation"]["loans"] and data["breakdowns"]["officer"]
    assert data["on_balance"] == {"npl_balance": 1020100.0, "npl_balance_opening": 1040100.0, "change": -20000.0,
                                  "loan_balance": 84306000.0, "npl_ratio": 0.0121, "reduction_target": 100000.0,
                                  "reduction_completion": 0.2, "npl_balance_corrected": 1020100.0,
                                  "npl_ratio_corrected": 0.0121, "overdue_balance": 1020100.0,
                                  "overdue_balance_opening": 1040100.0, "overdue_change": -20000.0,
                                  "overdue90_balance": 1020100.0, "deviation": 1.0}
    # Overdue > 90 days and no suit: W2 (written off), N1, N3; N2 and W1 are in court already.
    assert [item["loan_no"] for item in data["to_sue"]] == ["W2", "N1", "N3"]  # largest first
    assert data["off_balance"] == {"npl_balance": 17272500.0, "recovered": 127000.0, "recovery_target": 350000.0,
                                   "recovery_completion": 0.3629}
    assert data["migration"]["counts"]["次级"]["次级"] == 1


def test_json_without_opening_has_nulls(seed: dict[str, Path]) -> None:
    result = _run("--ledger", str(seed["closing"]), "--period", "2026Q2", "--as-of", "2026-06-09",
                  "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["as_of"] == "2026-06-09"
    assert data["on_balance"]["npl_balance_opening"] is None
    assert data["on_balance"]["change"] is None and data["on_balance"]["reduction_completion"] is None
    assert data["migration"] is None
    assert mismatches(data, NPL_FIGURES_JSON) == []


@pytest.mark.parametrize("typed", ["2026q2", " 2026Q2 ", "２０２６ｑ２"])
def test_a_period_in_another_case_is_reported_in_its_documented_form(seed: dict[str, Path], tmp_path: Path,
                                                                     typed: str) -> None:
    result = _run("--ledger", str(seed["closing"]), "--period", typed, "--format", "json")
    assert result.exit_code == 0, result.output + result.stderr
    data = json.loads(result.stdout)
    assert (data["period"], data["period_start"], data["period_end"]) == ("2026Q2", "2026-04-01", "2026-06-30")
    out = tmp_path / "r.docx"
    result = _run("--ledger", str(seed["closing"]), "--period", typed, "--notes", str(seed["notes"]), "-o", str(out))
    assert result.exit_code == 0, result.output + result.stderr
    # The report prints the period as a Chinese document names it (the label keys the file only).
    assert any("（报告期2026年第二季度，" in p.text for p in docx.Document(str(out)).paragraphs)


def test_text_output_lists_flags(seed: dict[str, Path]) -> None:
    result = _run("--ledger", str(seed["flagged"]), "--period", "2026Q2")
    assert result.exit_code == 0, result.stderr
    assert "未提供期初台账（--opening）" in result.stdout
    assert ("[misclassified] 借据号 M1（借款人M1，第8行）截至2026-06-30逾期120天，五级分类为关注，"
            "按《商业银行金融资产风险分类办法》应至少为次级") in result.stdout


def test_docx_report(report: tuple[object, Path]) -> None:
    result, out = report
    assert result.exit_code == 0, result.stderr
    assert f"已生成 {out}" in result.stderr
    document = docx.Document(str(out))
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == "关于不良贷款现状及催收管理工作报告"
    assert texts[1] == "总行："
    for heading in ("一、基本情况", "二、催收情况", "三、诉讼情况", "四、下一步工作计划"):
        assert heading in texts
    basic = texts.index("一、基本情况")
    assert texts[basic + 1] == SENTENCE
    # The notes were typed with ASCII commas: the report to head office prints them full-width.
    assert "年初统一制定不良清收计划，落实到每一位客户经理。" in texts
    assert "二是前移风险关口，严格执行贷款“三查”制度。" in texts
    assert ("截至2026年6月30日，10万元以上大额不良贷款共5笔、合计1829.26万元，逐户落实清收责任人（见表5）："
            "借款人W11627.25万元（客户经理李志强）、借款人W2100.00万元（客户经理王立新）、"
            "借款人N150.00万元（客户经理李志强）等。") in texts
    assert "目前涉诉贷款2笔、余额1667.25万元，本季通过诉讼及执行收回10.70万元，其中借款人W110.70万元。" in texts
    assert "眉县支行" in texts and "2026年6月30日" in texts
    # The chart is one inline picture, embedded as PNG.
    assert len(document.inline_shapes) == 1
    assert any(rel.reltype.endswith("/image") for rel in document.part.rels.values())
    # Annex: the flagged loan, with its days and the class it needs.
    annex = texts.index("表内贷款五级分类检查")
    assert "《商业银行金融资产风险分类办法》" in texts[annex + 1]
    assert any(t.startswith("经检查，共1项需重新认定或补登逾期；按应至少分类校正后，表内不良贷款余额") for t in texts[annex:])
    flag_table = document.tables[-1]
    assert [c.text for c in flag_table.rows[1].cells] == [
        "1", "M1", "借款人M1", "逾期天数与分类不符", "120", "关注", "次级", "赵晓燕"]
    # The corrected headline beside the reported one.
    assert any(t.startswith("按附件所列分类检查结果校正五级分类后，表内不良贷款余额为") for t in texts)
    # Large-NPL table with the officer in charge.
    large = next(t for t in document.tables if t.rows[0].cells[0].text == "序号" and t.rows[0].cells[5].text == "客户经理")
    assert [c.text for c in large.rows[1].cells] == ["1", "借款人W1", "W1", "1627.25", "损失（表外）", "李志强"]
    # Migration table: N1 stayed 次级 (1 loan, 52.00万 at the opening); M1 is new.
    migration = next(t for t in document.tables if t.rows[0].cells[0].text == "季初\\期末")
    rows = {r.cells[0].text: [c.text for c in r.cells[1:]] for r in migration.rows[1:]}
    assert rows["次级"][2] == "1笔\n52.00"
    assert rows["新发放"][1] == "1笔\n0.00"


def test_docx_without_opening_and_notes(seed: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "r.docx"
    single = write_ledger([row("A1", 1000000, "次级", days=100), row("A2", 9000000)], tmp_path / "one.xlsx")
    result = _run("--ledger", str(single), "--period", "2026Q2", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert "警告：notes.yaml 未提供 plan" in result.stderr
    texts = [p.text for p in docx.Document(str(out)).paragraphs]
    assert "截至2026年6月30日，支行表内不良贷款余额100.00万元，不良占比10%；表外不良贷款余额0.00万元，本季清收0.00万元。" in texts
    assert any("本期未提供季初贷款台账" in t for t in texts)
    assert "本期无涉诉贷款。" in texts
    assert "眉县支行营业部" in texts  # the ledger's only branch signs when notes name none


def test_bad_rows_exit_1_with_row_and_column(tmp_path: Path) -> None:
    bad = write_ledger([row("A1", 1000), row("A2", 1000, "很好")], tmp_path / "bad.xlsx")
    out = tmp_path / "never.docx"
    result = _run("--ledger", str(bad), "--period", "2026Q2", "-o", str(out))
    assert result.exit_code == 1
    assert "台账有 1 行数据不合格" in result.stderr
    assert "第3行 O（五级分类）列 classification：不允许的取值 很好" in result.stderr
    assert not out.exists()


def test_a_ledger_whose_interest_column_has_no_header_exits_2(tmp_path: Path) -> None:
    rows = [row("A1", 1000, overdue_interest="12.50"), row("A2", 2000)]
    path = write_ledger(rows, tmp_path / "台账.xlsx")
    book = openpyxl.load_workbook(path)
    assert book.active["N1"].value == LEDGER_HEADERS["overdue_interest"]
    book.active["N1"] = None
    book.save(path)
    out = tmp_path / "never.docx"
    result = _run("--ledger", str(path), "--period", "2026Q2", "-o", str(out))
    assert result.exit_code == 2
    assert result.stderr == (f"错误：{path}：工作表“贷款台账”的 N 列表头为空（N1），但该列第2行起有数据，"
                             "无表头的数据无法读取；请给该列填写表头，或删除该列\n")
    assert not out.exists()
    # As the opening ledger too, saved as CSV (the column's number said as well).
    closing = write_ledger(rows, tmp_path / "closing.xlsx")
    opening = write_ledger(rows, tmp_path / "opening.csv")
    lines = opening.read_text(encoding="utf-8-sig").splitlines()
    opening.write_text("\n".join([lines[0].replace(",欠息,", ",,")] + lines[1:]) + "\n", encoding="utf-8-sig")
    result = _run("--ledger", str(closing), "--opening", str(opening), "--period", "2026Q2", "-o", str(out))
    assert result.exit_code == 2
    assert result.stderr == (f"错误：{opening}：第14列（N 列）表头为空，但该列第2行起有数据，"
                             "无表头的数据无法读取；请给该列填写表头，或删除该列\n")
    assert not out.exists()


@pytest.mark.parametrize(("args", "message"), [
    (["--ledger", "missing.xlsx", "--period", "2026Q2"], "“--ledger”的取值无效：“missing.xlsx”不存在"),
    (["--period", "2026Q5"], "无法识别的报告期“2026Q5”"),
    # a zero-width space pasted with the period: the message spells it out
    (["--period", "2026Q2\u200b"], "无法识别的报告期“2026Q2\\u200b”："),
    (["--period", "2026Q2", "--as-of", "30/06/2026"], "日期格式应为 YYYY-MM-DD"),
    (["--period", "2026Q2", "--pdf"], "--pdf needs -o/--output"),
    (["--period", "2026Q2", "-o", "report.pdf"], "ending in .docx"),
])
def test_usage_errors_exit_2(seed: dict[str, Path], args: list[str], message: str) -> None:
    if "--ledger" not in args:
        args = ["--ledger", str(seed["closing"]), *args]
    result = _run(*args)
    assert result.exit_code == 2
    assert message in result.stderr


def test_bad_targets_and_multi_branch_without_notes_exit_2(seed: dict[str, Path], tmp_path: Path) -> None:
    targets = tmp_path / "t.yaml"
    targets.write_text("reduction_target: -5\n", encoding="utf-8")
    result = _run("--ledger", str(seed["closing"]), "--period", "2026Q2", "--targets", str(targets))
    assert result.exit_code == 2
    assert "reduction_target：最小值为 0" in result.stderr
    result = _run("--ledger", str(seed["closing"]), "--period", "2026Q2", "-o", str(tmp_path / "x.docx"))
    assert result.exit_code == 2
    assert "台账包含 2 个机构，无法确定报告单位；请在 notes.yaml 中填写 branch" in result.stderr
    assert not (tmp_path / "x.docx").exists()


def test_a_target_of_nan_is_one_line_naming_the_key(seed: dict[str, Path], tmp_path: Path) -> None:
    """YAML's .nan reads as a float NaN: its conversion is refused, and the bound (min 0) is not
    compared with it (decimal raises on a NaN where cerberus expects a TypeError)."""
    targets = tmp_path / "t.yaml"
    targets.write_text("reduction_target: 100000\nlarge_npl_threshold: .nan\n", encoding="utf-8")
    out = tmp_path / "r.docx"
    result = _run("--ledger", str(seed["closing"]), "--period", "2026Q2", "--targets", str(targets), "-o", str(out))
    assert result.exit_code == 2
    assert result.stderr == (f"错误：{targets}：目标设置有误（large_npl_threshold：无法转换：金额应为有限数字，收到“nan”）；"
                             "可用的键为 reduction_target、recovery_target、large_npl_threshold，金额以元为单位\n")
    assert not out.exists()


@pytest.mark.soffice
def test_pdf(seed: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "报告.docx"
    result = _run("--ledger", str(seed["closing"]), "--opening", str(seed["opening"]), "--period", "2026Q2",
                  "--targets", str(seed["targets"]), "--notes", str(seed["notes"]), "-o", str(out), "--pdf")
    assert result.exit_code == 0, result.stderr
    pdf = tmp_path / "报告.pdf"
    from pypdf import PdfReader

    text = "".join(page.extract_text() for page in PdfReader(str(pdf)).pages)
    assert "102.01" in text.replace(" ", "") and "关于不良贷款现状及催收管理工作报告" in text.replace(" ", "")


def test_docx_unchanged_npl_says_flat(tmp_path: Path) -> None:
    rows = [row("A1", 1000000, "次级", days=100), row("A2", 9000000)]
    opening = write_ledger(rows, tmp_path / "open.xlsx")
    closing = write_ledger(rows, tmp_path / "close.xlsx")
    notes = tmp_path / "notes.yaml"
    notes.write_text("branch: 眉县支行\nplan: [继续清收。]\n", encoding="utf-8")
    out = tmp_path / "flat.docx"
    result = _run("--ledger", str(closing), "--opening", str(opening), "--period", "2026Q2", "--notes", str(notes),
                  "-o", str(out))
    assert result.exit_code == 0, result.stderr
    texts = [p.text for p in docx.Document(str(out)).paragraphs]
    assert "截至2026年6月30日，支行表内不良贷款余额100.00万元，较季初持平，不良占比10%；表外不良贷款余额0.00万元，本季清收0.00万元。" in texts


def test_unknown_header_is_reported_not_silently_dropped(tmp_path: Path) -> None:
    headers = ["借据号", "合同号", "借款人", "证件号码", "机构", "客户经理", "产品", "发放日期", "到期日期", "发放金额",
               "贷款余额", "逾期起始日", "逾期本金", "欠息", "五级分类", "表内外", "本期收回", "担保人", "保证期间届满日",
               "诉讼状态", "时效终端日"]  # the last one misspelt
    headers += list(LEDGER_HEADERS.values())[len(headers):]
    path = write_ledger([row("A1", 1000)], tmp_path / "typo.csv", headers=headers)
    result = _run("--ledger", str(path), "--period", "2026Q2")
    assert result.exit_code == 0
    assert "未识别的列 时效终端日（已忽略" in result.stderr


def test_half_year_report_uses_half_year_words(seed: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "h1.docx"
    result = _run("--ledger", str(seed["closing"]), "--opening", str(seed["opening"]), "--period", "2026H1",
                  "--targets", str(seed["targets"]), "--notes", str(seed["notes"]), "-o", str(out))
    assert result.exit_code == 0, result.stderr
    texts = [p.text for p in docx.Document(str(out)).paragraphs]
    assert ("截至2026年6月30日，支行表内不良贷款余额102.01万元，较期初下降2万元，不良占比1.21%，"
            "完成半年任务10万元的20%；表外不良贷款余额1727.25万元，本半年清收12.70万元，"
            "完成半年任务35万元的36.29%。") in texts


def test_bank_edited_template(seed: dict[str, Path], tmp_path: Path) -> None:
    from docgen.core.resources import templates_dir

    edited = docx.Document(str(templates_dir() / "npl-report.docx"))
    edited.paragraphs[0].runs[0].text = "关于不良贷款现状及催收管理工作的报告(眉县支行)"
    custom = tmp_path / "我行模板.docx"
    edited.save(str(custom))
    out = tmp_path / "custom.docx"
    result = _run("--ledger", str(seed["closing"]), "--period", "2026Q2", "--notes", str(seed["notes"]),
                  "--template", str(custom), "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert docx.Document(str(out)).paragraphs[0].text == "关于不良贷款现状及催收管理工作的报告(眉县支行)"
    broken = tmp_path / "broken.docx"
    broken.write_bytes(b"not a docx")
    result = _run("--ledger", str(seed["closing"]), "--period", "2026Q2", "--notes", str(seed["notes"]),
                  "--template", str(broken), "-o", str(tmp_path / "x.docx"))
    assert result.exit_code == 2
    assert "不是有效的 Word .docx 文件" in result.stderr


def test_ledger_with_only_a_header_exits_2(tmp_path: Path) -> None:
    path = write_ledger([], tmp_path / "empty.xlsx")
    result = _run("--ledger", str(path), "--period", "2026Q2")
    assert result.exit_code == 2
    assert "台账中没有贷款数据（只有表头）" in result.stderr


def test_output_that_cannot_be_written_is_one_clear_line(seed: dict[str, Path], tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    out = tmp_path / "afile" / "report.docx"  # a file where the folder should be
    result = _run("--ledger", str(seed["closing"]), "--period", "2026Q2", "--notes", str(seed["notes"]),
                  "-o", str(out))
    assert result.exit_code == 2
    assert result.stderr == f"错误：无法写入 {out}（File exists）；请检查输出路径、写入权限和磁盘空间\n"


def test_users_see_docgen_notices_only_never_matplotlib_internals(report: tuple[object, Path],
                                                                   monkeypatch: pytest.MonkeyPatch,
                                                                   tmp_path: Path) -> None:
    result, out = report
    assert result.stderr.splitlines() == [f"已生成 {out}"]
    # Without any Chinese font the chart falls back to English: one docgen notice, no library noise.
    from docgen.loans import npl_report

    monkeypatch.setattr(npl_report, "cjk_font", lambda: None)
    again = _run("--ledger", str(report[1].parent / "closing.xlsx"), "--period", "2026Q2",
                 "--notes", str(report[1].parent / "notes.yaml"), "-o", str(tmp_path / "r.docx"))
    assert again.exit_code == 0, again.stderr
    assert again.stderr.splitlines()[0].startswith("警告：未找到中文字体")
    assert "findfont" not in again.stderr and "Warning" not in again.stderr


def test_policy_vocabulary_reads_the_bank_own_words(tmp_path: Path) -> None:
    # 诉讼状态 written as the bank writes it: unknown to the shipped vocabulary, a synonym in the policy.
    ledger = write_ledger([row("A1", 200000, "次级", days=120, serial=1, litigation="法院已受理"),
                           row("A2", 300000, serial=2)], tmp_path / "ledger.xlsx")
    without = _run("--ledger", str(ledger), "--period", "2026Q2", "--format", "json")
    assert without.exit_code == 1
    assert "第2行 T（诉讼状态）列" in without.stderr and "法院已受理" in without.stderr
    policy = tmp_path / "policy.yaml"
    policy.write_text("vocabulary:\n  litigation:\n    已起诉: [法院已受理]\n", encoding="utf-8")
    result = _run("--ledger", str(ledger), "--period", "2026Q2", "--format", "json", "--policy", str(policy))
    assert result.exit_code == 0, result.output + result.stderr
    data = json.loads(result.stdout)
    assert [item["loan_no"] for item in data["litigation"]["loans"]] == ["A1"]  # counted as a case in court
    bad = _run("--ledger", str(ledger), "--period", "2026Q2", "--policy", str(tmp_path / "none.yaml"))
    assert bad.exit_code == 2 and "--policy" in bad.stderr


def test_policy_grace_days_reach_the_report_flags(tmp_path: Path) -> None:
    # Overdue 5 days and still 正常: flagged under the shipped policy (no grace), not under a 10-day grace.
    ledger = write_ledger([row("A1", 200000, "正常", days=5, serial=1), row("A2", 300000, serial=2)],
                          tmp_path / "ledger.xlsx")
    shipped = _run("--ledger", str(ledger), "--period", "2026Q2", "--format", "json")
    assert shipped.exit_code == 0, shipped.stderr
    assert [(f["loan_no"], f["code"]) for f in json.loads(shipped.stdout)["flags"]] == [("A1", "overdue-normal")]
    policy = tmp_path / "policy.yaml"
    policy.write_text("overdue_normal_grace_days: 10\n", encoding="utf-8")
    graced = _run("--ledger", str(ledger), "--period", "2026Q2", "--format", "json", "--policy", str(policy))
    assert graced.exit_code == 0, graced.stderr
    assert json.loads(graced.stdout)["flags"] == []


def test_template_headings_take_no_full_stop_and_the_class_column_holds_its_longest_value(tmp_path: Path) -> None:
    from docx.shared import Pt

    from docgen.core.resources import templates_dir
    from scripts import load_script

    built = load_script("tools/build_npl_report.py").build(tmp_path)
    shipped = templates_dir() / "npl-report.docx"
    for path in (shipped, built):  # the committed file is the generator's
        document = docx.Document(str(path))
        headings = [p.text for p in document.paragraphs if p.style.name.startswith(("Heading", "Title"))]
        assert "一、基本情况" in headings and len(headings) >= 5
        assert [h for h in headings if h.endswith(("。", "."))] == []
        # 表5 (with and without 责任行领导): 损失（表外） on one line at the table text size, inside
        # the cell margins Word and LibreOffice leave (0.2 cm a side at most).
        size = document.styles["Table Text"].font.size or Pt(10.5)
        needed = len("损失（表外）") * size.twips + 2 * 115
        head = ["序号", "借款人", "借据号", "余额", "分类"]
        large = [t for t in document.tables if [c.text for c in t.rows[0].cells][:5] == head]
        assert len(large) == 2
        for table in large:
            widths = [int(col.get(qn("w:w"))) for col in table._tbl.tblGrid.findall(qn("w:gridCol"))]
            assert widths[4] >= needed, (widths, needed)
            assert table.rows[0].cells[4].width.twips >= needed


def test_an_as_of_before_the_period_exits_2_and_writes_nothing(seed: dict[str, Path]) -> None:
    # 2026-03-01 for 2026-06-01: the report of 2026Q2 would say 截至2026年3月1日 to head office.
    out = seed["dir"] / "early.docx"
    result = _run("--ledger", str(seed["closing"]), "--period", "2026Q2", "--as-of", "2026-03-01",
                  "--notes", str(seed["notes"]), "-o", str(out))
    assert result.exit_code == 2 and not out.exists()
    assert result.stderr.splitlines() == [
        "错误：数据截止日 2026-03-01 早于报告期 2026Q2 的起始日 2026-04-01，报告不能截至报告期开始之前；"
        "请检查截止日（不填则为报告期末 2026-06-30）"]
    # The period's first day (an interim report) is a day of the period.
    first = _run("--ledger", str(seed["closing"]), "--period", "2026Q2", "--as-of", "2026-04-01", "--format", "json")
    assert first.exit_code == 0 and json.loads(first.stdout)["as_of"] == "2026-04-01"


def test_the_closing_ledger_given_as_the_opening_one_exits_2(seed: dict[str, Path]) -> None:
    link = seed["dir"] / "last-quarter.xlsx"
    link.symlink_to(seed["closing"])
    for opening in (seed["closing"], link):
        result = _run("--ledger", str(seed["closing"]), "--opening", str(opening), "--period", "2026Q2",
                      "--format", "json")
        assert (result.exit_code, result.stdout) == (2, "")
        assert result.stderr.splitlines() == [
            f"错误：{opening}：期初台账（--opening）与期末台账（--ledger）是同一个文件，变动和迁徙都会是 0；请给出上期末的台账"]
