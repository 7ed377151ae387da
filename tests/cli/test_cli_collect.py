"""`docgen collect plan` and `docgen collect letters` through click's CliRunner: exit codes, outputs."""
from __future__ import annotations

import datetime as dt
import json
import os
import socket
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from collect_helpers import AS_OF, POLICY_TEXT, make_loan, write_loans
from xls_books import merge_header

from docgen.cli import main
from docgen.documents.register import Register
from docgen.loans.plan import letter_key
from docgen.core.jsonshape import mismatches
from docgen.loans.shapes import PLAN_JSON


@pytest.fixture(autouse=True)
def _own_register(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test gets its own default register, never the user's."""
    path = tmp_path / "default-register.sqlite"
    monkeypatch.setenv("DOCGEN_REGISTER", str(path))
    return path


@pytest.fixture()
def runner() -> CliRunner:
    return CliRunner()


POLICY = POLICY_TEXT


@pytest.fixture()
def ledger(tmp_path: Path) -> Path:
    loans = [
        make_loan("JJ0001", days=2, row=2),
        make_loan("JJ0002", days=10, guarantors=["李四", "王二"], row=3),
        make_loan("JJ0003", days=None, row=4),
        make_loan("JJ0004", overdue_since=dt.date(2026, 8, 21), maturity=dt.date(2026, 8, 20), guarantors=["赵六"], row=5),
    ]
    return write_loans(tmp_path / "台账.xlsx", loans)


def test_plan_json_lists_overdue_loans_most_urgent_first(runner: CliRunner, ledger: Path) -> None:
    result = runner.invoke(main, ["collect", "plan", "--ledger", str(ledger), "--as-of", "2026-11-28",
                                  "--format", "json"])
    assert result.exit_code == 0, result.output
    plan = json.loads(result.stdout)
    assert mismatches(plan, PLAN_JSON) == []  # the shape the README documents
    assert [p["loan_no"] for p in plan] == ["JJ0004", "JJ0002", "JJ0001"]
    first = plan[0]
    assert first["guarantee_deadline"] == "2027-02-20"
    assert first["warnings"] == ["guarantee-near", "demand-letter-overdue", "legal-action-overdue"]
    assert plan[1]["next_action"] == "demand-letter"
    assert plan[2]["next_action"] == "phone"
    assert plan[2]["next_action_due"] == "2026-11-28"


def test_plan_text_is_the_default(runner: CliRunner, ledger: Path) -> None:
    result = runner.invoke(main, ["collect", "plan", "--ledger", str(ledger), "--as-of", "2026-11-28"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "催收计划  截至 2026-11-28  逾期贷款 3 笔"
    assert lines[3].startswith("JJ0004")
    assert "保证期间即将届满、催收函逾期未送达、应起诉未起诉" in lines[3]
    assert lines[-1] == "期限预警 1 笔（时效或保证期间 90 天内届满或已届满）；应办未办 2 笔。"


def test_a_ledger_whose_interest_column_lost_its_header_to_a_merged_cell_exits_2(runner: CliRunner,
                                                                                 ledger: Path) -> None:
    # 逾期本金 merged over M and N (合并后居中) leaves 欠息's column unnamed: its amounts were
    # dropped and the plan, and the letters after it, said 欠息 0.
    assert merge_header(ledger, "M1:N1") == ("逾期本金", "欠息")
    args = ["collect", "plan", "--ledger", str(ledger), "--as-of", "2026-11-28"]
    said = (f"错误：{ledger}：工作表“贷款台账”的 N 列表头为空（N1），但该列第2行起有数据，无表头的数据无法读取："
            "N1 在合并单元格 M1:N1 中，表头“逾期本金”只属于 M 列；请取消合并，给 N 列填写表头；确认该列数据无用的，方可删除该列\n")
    for _ in range(2):  # the second reading as the first: nothing of the first was kept
        result = runner.invoke(main, args)
        assert (result.exit_code, result.stdout, result.stderr) == (2, "", said)
    # The same column holding nothing is no data: the plan is made.
    book = openpyxl.load_workbook(ledger)
    for cells in book.active.iter_rows(min_row=2, min_col=14, max_col=14):
        cells[0].value = None
    book.save(ledger)
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output


def test_a_ledger_with_data_left_of_its_first_header_exits_2(runner: CliRunner, ledger: Path) -> None:
    # A column put before 借据号 with its header left empty: row numbers are what a sheet keeps there;
    # a loan number there is a row pasted one column to the left, whose cells the plan would misread.
    book = openpyxl.load_workbook(ledger)
    sheet = book.active
    sheet.insert_cols(1)
    for row in range(2, sheet.max_row + 1):
        sheet.cell(row, 1).value = row - 1
    book.save(ledger)
    args = ["collect", "plan", "--ledger", str(ledger), "--as-of", "2026-11-28"]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    sheet["A4"] = "JJ0003"
    book.save(ledger)
    result = runner.invoke(main, args)
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", (
        f"错误：{ledger}：工作表“贷款台账”的 A 列表头为空（A1），位于第一个表头左侧，但该列第4行有数据“JJ0003”"
        "（不是序号或合计），无表头的数据无法读取；表格可能整体错位，请核对各列数据是否与表头对齐，或给该列填写表头，"
        "或删除该列\n"))


def test_plan_xlsx_needs_an_output_file(runner: CliRunner, ledger: Path, tmp_path: Path) -> None:
    result = runner.invoke(main, ["collect", "plan", "--ledger", str(ledger), "--as-of", "2026-11-28",
                                  "--format", "xlsx"])
    assert result.exit_code == 2
    assert "--format xlsx 需要 -o 输出文件" in result.output
    out = tmp_path / "计划.xlsx"
    result = runner.invoke(main, ["collect", "plan", "--ledger", str(ledger), "--as-of", "2026-11-28",
                                  "--format", "xlsx", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines()[-1] == f"已写入 {out}：逾期贷款 3 笔"
    sheet = openpyxl.load_workbook(out).active
    assert [r[0] for r in sheet.iter_rows(min_row=2, values_only=True)] == ["JJ0004", "JJ0002", "JJ0001"]
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    blocked = tmp_path / "afile" / "计划.xlsx"  # a file where the folder should be
    result = runner.invoke(main, ["collect", "plan", "--ledger", str(ledger), "--as-of", "2026-11-28",
                                  "--format", "xlsx", "-o", str(blocked)])
    assert result.exit_code == 2
    assert result.stderr == f"错误：无法写入 {blocked}（File exists）；请检查输出路径、写入权限和磁盘空间\n"


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_plan_written_to_a_file_says_so_in_every_format(runner: CliRunner, ledger: Path, tmp_path: Path,
                                                       fmt: str) -> None:
    # Silent before, except for xlsx: the clerk could not tell the plan had gone anywhere.
    out = tmp_path / f"计划.{fmt}"
    result = runner.invoke(main, ["collect", "plan", "--ledger", str(ledger), "--as-of", "2026-11-28",
                                  "--format", fmt, "-o", str(out)])
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", f"已写入 {out}：逾期贷款 3 笔\n")
    assert "JJ0004" in out.read_text(encoding="utf-8")


def test_plan_reads_a_gb18030_csv_ledger(runner: CliRunner, tmp_path: Path) -> None:
    from docgen.loans.ledger import write_ledger

    path = write_ledger([make_loan("JJ0009", days=40, borrower="陕西眉县某某农业合作社")], tmp_path / "台账.csv",
                        encoding="gb18030")
    result = runner.invoke(main, ["collect", "plan", "--ledger", str(path), "--as-of", "2026-11-28",
                                  "--format", "json"])
    assert result.exit_code == 0, result.output
    (item,) = json.loads(result.stdout)
    assert (item["borrower"], item["bucket"]) == ("陕西眉县某某农业合作社", "M2")


def test_plan_xlsx_of_a_ledger_with_control_characters_shows_them(runner: CliRunner, tmp_path: Path) -> None:
    """A NUL or escape in a CSV ledger's text (a damaged export) cannot be stored in a worksheet:
    the plan shows the character's symbol where it was, it does not fail on it."""
    from docgen.loans.ledger import write_ledger

    path = write_ledger([make_loan("JJ0009", days=40, borrower="眉县某某合作社")], tmp_path / "台账.csv")
    raw = path.read_bytes()
    path.write_bytes(raw.replace(b"JJ0009", b"JJ\x000009").replace("眉县".encode(), "眉\x1b县".encode()))
    out = tmp_path / "计划.xlsx"
    result = runner.invoke(main, ["collect", "plan", "--ledger", str(path), "--as-of", "2026-11-28",
                                  "--format", "xlsx", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines()[-1] == f"已写入 {out}：逾期贷款 1 笔"
    (row,) = openpyxl.load_workbook(out).active.iter_rows(min_row=2, values_only=True)
    assert row[0] == "JJ\u24000009" and "眉\u241b县某某合作社" in row


def test_plan_bad_date_is_a_usage_error(runner: CliRunner, ledger: Path) -> None:
    result = runner.invoke(main, ["collect", "plan", "--ledger", str(ledger), "--as-of", "28/11/2026"])
    assert result.exit_code == 2
    assert "--as-of" in result.output
    assert "例如 --as-of 2026-11-28" in result.output
    far = runner.invoke(main, ["collect", "plan", "--ledger", str(ledger), "--as-of", "9999-12-31"])
    assert far.exit_code == 2 and "日期“9999-12-31”超出可用范围 1900–2199 年" in far.output


def test_plan_missing_ledger_exits_2(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["collect", "plan", "--ledger", str(tmp_path / "none.xlsx"), "--as-of", "2026-11-28"])
    assert result.exit_code == 2
    assert f"错误：“--ledger”的取值无效：“{tmp_path / 'none.xlsx'}”不存在" in result.output


def test_plan_bad_policy_exits_2_naming_the_key(runner: CliRunner, ledger: Path, tmp_path: Path) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text("warning_days: -5\n", encoding="utf-8")
    result = runner.invoke(main, ["collect", "plan", "--ledger", str(ledger), "--as-of", "2026-11-28",
                                  "--policy", str(policy)])
    assert result.exit_code == 2
    assert f"{policy}：warning_days：最小值为 0" in result.output


def test_plan_invalid_rows_exit_1_with_row_and_column(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "台账.csv"
    from docgen.loans.ledger import write_ledger

    write_ledger([make_loan("JJ0001", days=3), make_loan("JJ0002", days=3, id_number="11010519800101001")], path)
    result = runner.invoke(main, ["collect", "plan", "--ledger", str(path), "--as-of", "2026-11-28"])
    assert result.exit_code == 1
    assert "第3行" in result.output
    assert "证件号码" in result.output
    assert "Traceback" not in result.output


def test_plan_custom_policy_changes_the_timetable(runner: CliRunner, ledger: Path, tmp_path: Path) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text(
        "timetable:\n"
        "  - {action: phone, from: 1, to: 1}\n"
        "  - {action: demand-letter, from: 2, once: true}\n"
        "  - {action: visit, from: 3}\n",
        encoding="utf-8",
    )
    result = runner.invoke(main, ["collect", "plan", "--ledger", str(ledger), "--as-of", "2026-11-28",
                                  "--policy", str(policy), "--format", "json"])
    assert result.exit_code == 0, result.output
    by_no = {p["loan_no"]: p for p in json.loads(result.stdout)}
    assert (by_no["JJ0001"]["next_action"], by_no["JJ0001"]["next_action_due"]) == ("demand-letter", "2026-11-28")


def test_help_has_examples(runner: CliRunner) -> None:
    result = runner.invoke(main, ["collect", "plan", "--help"])
    assert result.exit_code == 0
    assert "docgen collect plan --ledger ledger.xlsx --as-of 2026-11-28" in result.output


def test_as_of_defaults_to_today(runner: CliRunner, ledger: Path) -> None:
    result = runner.invoke(main, ["collect", "plan", "--ledger", str(ledger), "--format", "json"])
    assert result.exit_code == 0, result.output
    plan = json.loads(result.stdout)
    today = dt.date.today()
    assert all(p["days_past_due"] == (today - dt.date.fromisoformat(p["overdue_since"])).days + 1 for p in plan)


# --------------------------------------------------------------------------- letters


@pytest.fixture()
def policy_file(tmp_path: Path) -> Path:
    path = tmp_path / "policy.yaml"
    path.write_text(POLICY, encoding="utf-8")
    return path


def _letters(runner: CliRunner, ledger: Path, out: Path, *extra: str, as_of: str = "2026-11-28"):
    return runner.invoke(main, ["collect", "letters", "--ledger", str(ledger), "--as-of", as_of,
                                "--out", str(out), *extra])


def test_letters_then_rerun_generates_none(runner: CliRunner, ledger: Path, policy_file: Path,
                                           tmp_path: Path) -> None:
    out = tmp_path / "letters"
    register = tmp_path / "reg.sqlite"
    first = _letters(runner, ledger, out, "--policy", str(policy_file), "--register", str(register))
    assert first.exit_code == 0, first.output
    lines = first.stdout.splitlines()
    # JJ0002 (day 10) and JJ0004 (day 95) are due; JJ0001 (day 2) is not, JJ0003 is not overdue.
    # JJ0004's joint guarantee lapses on 2027-02-20, inside the 90-day window: 赵六 is called on too.
    assert lines[0] == ("催收文书  截至 2026-11-28：应发 3 份，本次生成 3 份，此前已发 0 份，他处生成中 0 份，"
                        "无法生成 0 份")
    assert lines[1] == "  第2行 JJ0001  未到发函时点（逾期第2天，下一步：电话催收，2026-11-28）"
    assert lines[2].startswith("  第3行 JJ0002  已生成逾期贷款催收函 催字〔2026〕第00001号  ")
    assert lines[3].startswith("  第5行 JJ0004  已生成逾期贷款催收函 催字〔2026〕第00002号  ")
    assert lines[4].startswith("  第5行 JJ0004（赵六）  已生成保证人履行保证责任通知书 保催字〔2026〕第00001号  ")
    assert lines[5] == "      送达后请在台账“向保证人主张日”填写实际送达日（须不晚于保证期间届满日 2027-02-20）"
    assert len(list(out.glob("*.docx"))) == 2

    again = _letters(runner, ledger, out, "--policy", str(policy_file), "--register", str(register),
                     "--format", "json", as_of="2026-11-30")
    assert again.exit_code == 0, again.output
    summary = json.loads(again.stdout)
    # Two days on, JJ0002's guarantors are due their notices (day 12, joint guarantee).
    assert [(w["loan_no"], w["party"]) for w in summary["written"]] == [("JJ0002", "李四"), ("JJ0002", "王二")]
    assert [(s["loan_no"], s["document"]) for s in summary["skipped"]] == [
        ("JJ0002", "demand-letter"), ("JJ0004", "demand-letter"), ("JJ0004", "guarantor-demand")]
    assert len(list(out.glob("*.docx"))) == 2

    # The plan sees the letters in the same register and moves on.
    plan = runner.invoke(main, ["collect", "plan", "--ledger", str(ledger), "--as-of", "2026-11-28",
                                "--register", str(register), "--format", "json"])
    by_no = {p["loan_no"]: p for p in json.loads(plan.stdout)}
    assert by_no["JJ0002"]["next_action"] == "phone"  # letter and guarantor notices are out
    # JJ0004's guarantor has been called on: the suit is next.
    assert by_no["JJ0004"]["next_action"] == "legal-action"


def test_a_guarantor_without_an_address_is_reported_on_its_loan_line(runner: CliRunner, policy_file: Path,
                                                                     tmp_path: Path) -> None:
    # Joint guarantee lapsing 2027-02-20, inside the warning window: both guarantors are called on
    # now, but the ledger gives 吴九 no address (the second entry of 保证人地址 is empty).
    loan = make_loan("JJ0001", days=40, maturity=dt.date(2026, 8, 20), disbursed_on=dt.date(2024, 8, 20),
                     guarantors=["周八", "吴九"], guarantor_addresses=("浙江省杭州市拱墅区湖墅南路8号", ""))
    ledger = write_loans(tmp_path / "ledger.xlsx", [loan])
    result = _letters(runner, ledger, tmp_path / "out", "--policy", str(policy_file),
                      "--register", str(tmp_path / "reg.sqlite"))
    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    assert lines[0].endswith("无法生成 1 份")
    assert ("  第2行 JJ0001（吴九）  台账未填担保人吴九的地址（送达地址），无法送达，未生成保证人履行保证责任通知书；"
            "请在“保证人地址”列按担保人顺序补填") in lines
    assert any(line.startswith("  第2行 JJ0001（周八）  已生成保证人履行保证责任通知书 保催字〔2026〕第00001号  ")
               for line in lines)
    data = json.loads(_letters(runner, ledger, tmp_path / "out", "--policy", str(policy_file), "--format", "json",
                               "--register", str(tmp_path / "reg.sqlite")).stdout)
    assert [(r["party"], r["code"], r["facts"]) for r in data["refused"]] == [
        ("吴九", "no-guarantor-address", {"guarantor": "吴九"})]


def test_letters_use_the_default_register(runner: CliRunner, ledger: Path, policy_file: Path,
                                          tmp_path: Path, _own_register: Path) -> None:
    result = _letters(runner, ledger, tmp_path / "out", "--policy", str(policy_file))
    assert result.exit_code == 0, result.output
    assert _own_register.exists()
    plan = runner.invoke(main, ["collect", "plan", "--ledger", str(ledger), "--as-of", "2026-11-28",
                                "--format", "json"])
    assert "demand-letter-overdue" not in plan.stdout


def test_letters_without_any_branch_contacts_exit_2(runner: CliRunner, ledger: Path, tmp_path: Path) -> None:
    result = _letters(runner, ledger, tmp_path / "out")
    assert result.exit_code == 2
    assert "letters.branches：催收策略没有任何机构的联系方式" in result.output
    assert "examples/collection-policy.yaml" in result.output


def test_letters_for_a_branch_without_contacts_exit_1_naming_row_and_reason(
    runner: CliRunner, ledger: Path, tmp_path: Path
) -> None:
    policy = tmp_path / "west.yaml"
    policy.write_text("letters:\n  bank_legal_name: 杭州联合农村商业银行股份有限公司\n  branches:\n"
                      "    城西支行: {address: 某路1号, phone: '0571-1', contact: 赵六}\n", encoding="utf-8")
    result = _letters(runner, ledger, tmp_path / "out", "--policy", str(policy), "--format", "json")
    assert result.exit_code == 1
    summary = json.loads(result.stdout)
    assert summary["written"] == []
    assert [(r["loan_no"], r["row"], r["code"]) for r in summary["refused"]] == [
        ("JJ0002", 3, "no-branch-contact"), ("JJ0004", 5, "no-branch-contact"), ("JJ0004", 5, "no-branch-contact")]
    assert summary["refused"][0]["facts"] == {"branch": "城东支行"}
    text = _letters(runner, ledger, tmp_path / "out", "--policy", str(policy))
    assert text.exit_code == 1
    assert "  第3行 JJ0002  催收策略中没有机构“城东支行”的联系方式" in text.stdout


def test_letters_bad_options_exit_2(runner: CliRunner, ledger: Path, tmp_path: Path) -> None:
    result = _letters(runner, ledger, tmp_path / "out", as_of="2026-13-01")
    assert result.exit_code == 2
    assert "不存在的日期“2026-13-01”" in result.output
    result = runner.invoke(main, ["collect", "letters", "--ledger", str(ledger), "--as-of", "2026-11-28"])
    assert result.exit_code == 2
    assert "--out" in result.output


def test_letters_invalid_ledger_rows_exit_1(runner: CliRunner, tmp_path: Path, policy_file: Path) -> None:
    from docgen.loans.ledger import write_ledger

    path = write_ledger([make_loan("JJ0001", days=10), make_loan("JJ0001", days=12)], tmp_path / "台账.xlsx")
    result = _letters(runner, path, tmp_path / "out", "--policy", str(policy_file))
    assert result.exit_code == 1
    assert "借据号 JJ0001 重复" in result.output
    assert not (tmp_path / "out").exists()


@pytest.mark.soffice
def test_letters_merge_into_one_pdf(runner: CliRunner, ledger: Path, policy_file: Path, tmp_path: Path) -> None:
    from pypdf import PdfReader

    merged = tmp_path / "催收函.pdf"
    result = _letters(runner, ledger, tmp_path / "out", "--policy", str(policy_file), "--merge-pdf", str(merged))
    assert result.exit_code == 0, result.output
    assert f"合并 PDF：{merged}" in result.stdout
    text = "".join(page.extract_text() for page in PdfReader(str(merged)).pages)
    assert "杭州云栖贸易有限公司" in text
    assert len(list((tmp_path / "out").glob("*.pdf"))) == 2


def test_plan_shows_progress_on_big_ledgers(runner: CliRunner, ledger: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import docgen.cli.collect as cli_collect

    monkeypatch.setattr(cli_collect, "_PROGRESS_MIN", 2)  # the fixture's 4 loans count as big
    result = runner.invoke(main, ["collect", "plan", "--ledger", str(ledger), "--as-of", "2026-11-28",
                                  "--format", "json", "--progress"])
    assert result.exit_code == 0, result.output
    assert "计算催收计划" in result.stderr
    assert json.loads(result.stdout)[0]["loan_no"] == "JJ0004"  # stdout stays clean JSON


def test_plan_for_one_officer(runner: CliRunner, ledger: Path) -> None:
    result = runner.invoke(main, ["collect", "plan", "--ledger", str(ledger), "--as-of", "2026-11-28",
                                  "--officer", "王五", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)) == 3
    # An officer no loan has is a typing error, not an officer without work: exit 2, no empty list.
    result = runner.invoke(main, ["collect", "plan", "--ledger", str(ledger), "--as-of", "2026-11-28",
                                  "--officer", "无此人", "--format", "json"])
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.startswith("错误：台账“客户经理”列中没有“无此人”；台账中有：")


def test_every_overdue_loan_is_accounted_for(runner: CliRunner, tmp_path: Path, policy_file: Path) -> None:
    loans = [make_loan("JJ0001", days=2, row=2), make_loan("JJ0002", days=10, row=3),
             make_loan("JJ0003", days=12, row=4, address=""), make_loan("JJ0004", days=None, row=5)]
    ledger = write_loans(tmp_path / "台账.xlsx", loans)
    result = _letters(runner, ledger, tmp_path / "out", "--policy", str(policy_file),
                      "--register", str(tmp_path / "reg.sqlite"))
    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == ("催收文书  截至 2026-11-28：应发 2 份，本次生成 1 份，此前已发 0 份，他处生成中 0 份，"
                        "无法生成 1 份")
    assert lines[1] == "  第2行 JJ0001  未到发函时点（逾期第2天，下一步：电话催收，2026-11-28）"
    assert lines[2].startswith("  第3行 JJ0002  已生成逾期贷款催收函 催字〔2026〕第00001号  ")
    assert lines[3].startswith("  第4行 JJ0003  台账未填借款人地址（送达地址），无法送达，未生成逾期贷款催收函")
    assert len(lines) == 4  # JJ0004 is not overdue


def test_a_second_concurrent_run_says_the_other_run_holds_the_letters(runner: CliRunner, tmp_path: Path,
                                                                      policy_file: Path) -> None:
    loan = make_loan("JJ0001", days=10, row=2)
    ledger = write_loans(tmp_path / "台账.xlsx", [loan])
    register = tmp_path / "reg.sqlite"
    # Another, still running process (our parent) has reserved the letter and not written it yet.
    with Register(register) as reg:
        reg.reserve_many("demand-letter", [(letter_key(loan), lambda seq: f"催字〔2026〕第{seq:05d}号")],
                         owner=f"{socket.gethostname()}:{os.getppid()}")
    result = _letters(runner, ledger, tmp_path / "out", "--policy", str(policy_file), "--register", str(register),
                      "--format", "json")
    assert result.exit_code == 1, result.output
    assert "另一个正在运行的 collect letters 正在生成 1 笔贷款的文书（JJ0001）" in result.stderr
    assert result.stdout.count('"code": "held-elsewhere"') == 2  # in held_elsewhere and in loans


def test_loans_dated_after_the_as_of_date_are_reported(runner: CliRunner, tmp_path: Path) -> None:
    loans = [make_loan("JJ0001", days=10, row=2),
             make_loan("JJ0002", row=3, days=None, overdue_since=AS_OF + dt.timedelta(days=3))]
    ledger = write_loans(tmp_path / "台账.xlsx", loans)
    result = runner.invoke(main, ["collect", "plan", "--ledger", str(ledger), "--as-of", "2026-11-28",
                                  "--format", "json"])
    assert result.exit_code == 0, result.output
    assert "注意：1 笔贷款的日期晚于计划日期 2026-11-28（第3行 JJ0002），未列入计划" in result.stderr


def test_plan_reads_the_sheet_excel_shows_when_the_first_is_hidden(runner: CliRunner, ledger: Path) -> None:
    # The bank's export keeps its code list in a hidden first sheet; the plan is the ledger's,
    # where the first sheet was read as a header-less table before (exit 2, 第1行不是表头).
    import openpyxl

    book = openpyxl.load_workbook(ledger)
    codes = book.create_sheet("代码表", 0)
    codes.append(["五级分类代码", "名称"])
    codes.sheet_state = "hidden"
    book.active = 1
    book.save(ledger)
    result = runner.invoke(main, ["collect", "plan", "--ledger", str(ledger), "--as-of", "2026-11-28",
                                  "--format", "json"])
    assert result.exit_code == 0, result.output
    assert [p["loan_no"] for p in json.loads(result.stdout)] == ["JJ0004", "JJ0002", "JJ0001"]


def _merge_branch(ws) -> str:
    """Merge 机构 over rows 2-3 (row 3's cell emptied, as Excel keeps it); return row 3's problem."""
    column = next(c.column_letter for c in ws[1] if c.value == "机构")
    ws[f"{column}3"] = None
    ws.merge_cells(f"{column}2:{column}3")
    return (f"第3行 {column}（机构）列 branch：{column}3 在合并单元格 {column}2:{column}3 中，"
            f"合并单元格的值只保存在 {column}2，其余各格是空的；请取消合并，在每一行填写")


def _sum_at_foot(ws) -> str:
    """Add a totals row under the loans, labelled in 借款人; return its problem."""
    column = next(c.column_letter for c in ws[1] if c.value == "借款人")
    ws[f"{column}{ws.max_row + 1}"] = "合计"
    return f"第6行 {column}（借款人）列 borrower：这一行是合计行（“合计”），不是一笔数据；请删除该行（或把合计放到另一张工作表）后重试"


def _sum_in_a_serial_column(ws) -> str:
    """Put a 序号 column (which the ledger does not read) first and label the totals row there,
    with the sum under 贷款余额; return its problem."""
    ws.insert_cols(1)
    ws["A1"] = "序号"
    for number in range(2, ws.max_row + 1):
        ws[f"A{number}"] = number - 1
    foot = ws.max_row + 1
    ws[f"A{foot}"] = "合计"
    balance = next(c.column_letter for c in ws[1] if c.value == "贷款余额")
    ws[f"{balance}{foot}"] = sum(ws[f"{balance}{n}"].value or 0 for n in range(2, foot))
    return f"第{foot}行 A（序号）列：这一行是合计行（“合计”），不是一笔数据；请删除该行（或把合计放到另一张工作表）后重试"


def _formula_balance(ws) -> str:
    """Make row 3's 贷款余额 a formula, saved (as a program saves it) without its result; return its problem."""
    column = next(c.column_letter for c in ws[1] if c.value == "贷款余额")
    ws[f"{column}3"] = f"={column}2*2"
    return (f"第3行 {column}（贷款余额）列 balance：{column}3 是公式“={column}2*2”，文件中没有它的计算结果"
            f"（表格由程序生成、未经 Excel 计算保存），或结果为空；请在 Excel 中打开该文件、保存后重试，或把公式改为数值")


@pytest.mark.parametrize("edit", [_merge_branch, _sum_at_foot, _sum_in_a_serial_column, _formula_balance],
                         ids=["merged-cell", "totals-row", "totals-row-in-serial-column", "formula-without-result"])
def test_plan_names_what_the_sheet_holds_instead_of_a_loan(runner: CliRunner, ledger: Path, edit) -> None:
    import openpyxl

    book = openpyxl.load_workbook(ledger)
    problem = edit(book.active)
    book.save(ledger)
    result = runner.invoke(main, ["collect", "plan", "--ledger", str(ledger), "--as-of", "2026-11-28"])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [f"错误：{ledger}：台账有 1 行数据不合格，请按行列位置修改后重试", f"  - {problem}"]


def test_plan_of_a_branch_the_ledger_does_not_hold_exits_2_naming_the_ones_it_does(runner: CliRunner,
                                                                                    ledger: Path) -> None:
    # 横渠 for 横渠分理处: before, 无逾期贷款 and exit 0, as if the branch had no work.
    result = runner.invoke(main, ["collect", "plan", "--ledger", str(ledger), "--as-of", "2026-11-28",
                                  "--branch", "城东"])
    assert result.exit_code == 2
    branches = "、".join(sorted({loan.branch for loan in [make_loan("x")]}))
    assert result.stderr.splitlines() == [f"错误：台账“机构”列中没有“城东”；台账中有：{branches}。请照台账中的写法填写"]
    assert result.stdout == ""


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_a_ledger_of_only_a_header_is_refused_by_plan_and_letters_as_by_npl_report(
        runner: CliRunner, tmp_path: Path, suffix: str) -> None:
    # An empty plan would tell the collectors there is no work, where the file or sheet was wrong.
    empty = write_loans(tmp_path / f"台账{suffix}", [])
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY, encoding="utf-8")
    expected = f"错误：{empty}：台账中没有贷款数据（只有表头）；请检查是否选错了文件或工作表\n"
    for command in (["collect", "plan", "--format", "json"],
                    ["collect", "letters", "--policy", str(policy), "--out", str(tmp_path / "out"), "--format", "json"],
                    ["npl-report", "--period", "2026Q2", "--format", "json"]):
        result = runner.invoke(main, [*command, "--ledger", str(empty),
                                      *(["--as-of", "2026-11-28"] if command[0] == "collect" else [])])
        assert (result.exit_code, result.stdout, result.stderr) == (2, "", expected), command
        assert not (tmp_path / "out").exists()
        # Read from the cache the second time: the same refusal.
        again = runner.invoke(main, [*command, "--ledger", str(empty),
                                     *(["--as-of", "2026-11-28"] if command[0] == "collect" else [])])
        assert (again.exit_code, again.stderr) == (2, expected), command


def test_a_ledger_behind_an_empty_first_sheet_names_the_sheets(runner: CliRunner, ledger: Path) -> None:
    book = openpyxl.load_workbook(ledger)
    book.active.title = "贷款台账"
    book.create_sheet("填表说明", 0)
    book.save(ledger)
    result = runner.invoke(main, ["collect", "plan", "--ledger", str(ledger), "--as-of", "2026-11-28"])
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (f"错误：{ledger}：工作表“填表说明”是空的，找不到表头行（工作簿中另有工作表：贷款台账）；"
                             "请把数据所在的工作表移到最前面，或删除这张空表\n")
