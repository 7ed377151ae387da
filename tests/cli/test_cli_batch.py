"""``docgen batch`` and ``docgen register list|verify`` through click's test runner."""
from __future__ import annotations

import datetime as dt
import json
import shutil
import zipfile
from pathlib import Path

import docx
import pytest
from batch_helpers import rows, write_csv, write_xlsx
from click.testing import CliRunner
from xls_books import merge_header

from docgen.cli import main
from docgen.core.jsonshape import mismatches
from docgen.documents.batch import MANIFEST_FIELDS
from docgen.documents.shapes import (BATCH_JSON, BATCH_ROWS_ERROR_JSON, MANIFEST_JSON, REGISTER_LIST_JSON,
                                     VERIFY_JSON)
from docgen.core.resources import templates_dir


@pytest.fixture()
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("DOCGEN_REGISTER", str(tmp_path / "env-register.sqlite"))
    return CliRunner()


def test_batch_then_rerun_then_register(runner: CliRunner, tmp_path: Path) -> None:
    sheet = write_xlsx(tmp_path / "rows.xlsx", rows(3))
    out = tmp_path / "out"
    result = runner.invoke(main, ["batch", "demand-letter", "--rows", str(sheet), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "模板 demand-letter：写入 3 份，跳过 0 份（已出具）"
    assert "[新] 第2行 催字〔2026〕第00001号" in result.stdout
    assert (tmp_path / "env-register.sqlite").exists()  # DOCGEN_REGISTER was used
    assert len(list(out.glob("*.docx"))) == 3

    again = runner.invoke(main, ["batch", "demand-letter", "--rows", str(sheet), "--out", str(out),
                                 "--format", "json"])
    assert again.exit_code == 0
    summary = json.loads(again.stdout)
    assert (summary["written"], summary["skipped"]) == (0, 3)
    assert [d["serial"] for d in summary["documents"]] == [f"催字〔2026〕第{n:05d}号" for n in (1, 2, 3)]
    assert mismatches(summary, BATCH_JSON) == [] and summary["documents"]  # the shapes the README documents
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert mismatches(manifest, MANIFEST_JSON) == []
    assert (out / "manifest.csv").read_text(encoding="utf-8-sig").splitlines()[0] == ",".join(MANIFEST_FIELDS)

    listed = runner.invoke(main, ["register", "list", "--format", "json"])
    assert listed.exit_code == 0
    records = json.loads(listed.stdout)
    assert [r["serial"] for r in records] == [d["serial"] for d in summary["documents"]]
    assert mismatches(records, REGISTER_LIST_JSON) == []
    text = runner.invoke(main, ["register", "list", "--template", "demand-letter"])
    assert text.exit_code == 0 and "催字〔2026〕第00003号\tdemand-letter\t" in text.stdout

    ok = runner.invoke(main, ["register", "verify"])
    assert ok.exit_code == 0
    assert ok.stdout.strip().endswith("检查 3 份，全部完好")
    changed = out / summary["documents"][0]["file"]
    changed.write_bytes(changed.read_bytes() + b"\0")
    missing = out / summary["documents"][2]["file"]
    missing.unlink()
    bad = runner.invoke(main, ["register", "verify"])
    assert bad.exit_code == 1
    assert f"催字〔2026〕第00001号  {changed.resolve()}：已被改动" in bad.stdout
    assert f"催字〔2026〕第00003号  {missing.resolve()}：文件不存在" in bad.stdout
    as_json = json.loads(runner.invoke(main, ["register", "verify", "--format", "json"]).stdout)
    assert as_json["ok"] is False and [p["status"] for p in as_json["problems"]] == ["changed", "missing"]
    assert mismatches(as_json, VERIFY_JSON) == []


def test_bad_row_exit_1_names_row_and_column_and_writes_nothing(runner: CliRunner, tmp_path: Path) -> None:
    data = rows(3)
    data[1]["逾期本金"] = "一万"
    sheet = write_xlsx(tmp_path / "rows.xlsx", data)
    out = tmp_path / "out"
    register = tmp_path / "reg.sqlite"
    result = runner.invoke(main, ["batch", "demand-letter", "--rows", str(sheet), "--out", str(out),
                                  "--register", str(register)])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        f"错误：模板 demand-letter：{sheet} 第3行数据有误，未生成任何文书；请改正后重新运行（或用 --skip-invalid 跳过这些行）")
    assert "  - 第3行 I（逾期本金）列 principal：无法转换：金额应为数字，收到“一万”" in result.stderr
    assert not out.exists()

    data[1]["逾期本金"] = "1.5万元"
    write_xlsx(sheet, data)
    result = runner.invoke(main, ["batch", "demand-letter", "--rows", str(sheet), "--out", str(out),
                                  "--register", str(register)])
    assert result.exit_code == 1 and not out.exists()
    assert "  - 第3行 I（逾期本金）列 principal：无法转换：金额以元为单位填写，收到“1.5万元”；请写作 15000" in result.stderr

    skipped = runner.invoke(main, ["batch", "demand-letter", "--rows", str(sheet), "--out", str(out),
                                   "--register", str(register), "--skip-invalid"])
    assert skipped.exit_code == 0
    assert "以下 1 行数据有误，未生成：" in skipped.stderr
    assert "写入 2 份，跳过 0 份（已出具），1 行数据有误未生成" in skipped.stdout
    assert len(list(out.glob("*.docx"))) == 2


def test_a_sheet_of_mostly_bad_rows_is_checked_no_further_than_1000_bad_rows(runner: CliRunner, tmp_path: Path) -> None:
    """A sheet whose rows are nearly all wrong is reported by its first 1,000 bad rows (a 16 KB
    .xlsx of 118,000 one-cell rows ran past 300 s checking every one); --skip-invalid still checks all."""
    from docgen.documents.batch import MAX_BAD_ROWS

    sheet = write_csv(tmp_path / "rows.csv", rows(2))
    with sheet.open("a", encoding="utf-8") as fh:
        fh.writelines(f"K{k}\n" for k in range(MAX_BAD_ROWS + 5))
    out = tmp_path / "out"
    result = runner.invoke(main, ["batch", "demand-letter", "--rows", str(sheet), "--out", str(out), "--no-progress"])
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0] == (f"错误：模板 demand-letter：{sheet} 读到第{MAX_BAD_ROWS + 4}行时已有超过 1000 行数据有误，"
                        "其后的行未再检查，未生成任何文书；下面列出前 1000 行，请改正（并确认选对了文件和工作表）后重新运行")
    assert {line.split()[1] for line in lines[1:]} == {f"第{n}行" for n in range(4, 4 + MAX_BAD_ROWS)}
    assert not out.exists()
    skipped = runner.invoke(main, ["batch", "demand-letter", "--rows", str(sheet), "--out", str(out), "--no-progress",
                                   "--skip-invalid"])
    assert skipped.exit_code == 0
    assert f"以下 {MAX_BAD_ROWS + 5} 行数据有误，未生成：" in skipped.stderr
    assert len(list(out.glob("*.docx"))) == 2


def test_bad_row_json_lists_problems(runner: CliRunner, tmp_path: Path) -> None:
    data = rows(2)
    data[0]["证件号码"] = 330102198501011234
    sheet = write_xlsx(tmp_path / "rows.xlsx", data)
    result = runner.invoke(main, ["batch", "demand-letter", "--rows", str(sheet), "--out", str(tmp_path / "o"),
                                  "--format", "json"])
    assert result.exit_code == 1
    payload = json.loads(result.stdout)
    assert mismatches(payload, BATCH_ROWS_ERROR_JSON) == []
    assert payload["problems"] == [{"row": 2, "column": "C（证件号码）", "field": "id_number",
                                    "message": "证件号码被 Excel 存成了数字（位数可能已丢失），请把该列设为文本后重新录入"}]


def test_unreadable_rows_exit_2(runner: CliRunner, tmp_path: Path) -> None:
    sheet = tmp_path / "rows.csv"
    sheet.write_text("借款人,证件号码\n张三,x\n", encoding="utf-8")
    result = runner.invoke(main, ["batch", "demand-letter", "--rows", str(sheet), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"错误：{sheet}：第1行表头缺少必需的列：发函日期（letter_date）、")
    assert "Traceback" not in result.output
    unknown = runner.invoke(main, ["batch", "no-such", "--rows", str(sheet), "--out", str(tmp_path / "o")])
    assert unknown.exit_code == 2 and "未知模板 no-such" in unknown.stderr
    header_only = write_csv(tmp_path / "header.csv", rows(1))
    header_only.write_text(header_only.read_text(encoding="utf-8-sig").splitlines()[0] + "\n", encoding="utf-8")
    empty = runner.invoke(main, ["batch", "demand-letter", "--rows", str(header_only), "--out", str(tmp_path / "o")])
    assert empty.exit_code == 2
    assert empty.stderr == f"错误：{header_only}：表格中没有数据行（只有表头）；请检查是否选错了文件或工作表（--sheet）\n"
    assert not (tmp_path / "o").exists()


def test_a_rows_csv_with_a_quote_left_open_exits_2_naming_the_cell(runner: CliRunner, tmp_path: Path) -> None:
    sheet = write_csv(tmp_path / "rows.csv", rows(3))
    lines = sheet.read_text(encoding="utf-8-sig").splitlines()
    lines[2] = '"' + lines[2]  # a clerk's stray quote before the second letter's borrower
    sheet.write_text("\n".join(lines + lines[1:2] * 1000) + "\n", encoding="utf-8")
    result = runner.invoke(main, ["batch", "demand-letter", "--rows", str(sheet), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2, result.output
    assert result.stderr == (f"错误：{sheet}：第3行第1列（A 列）的单元格超过可读取的上限（131072 个字符）。该格以英文双引号开头："
                             "引号未闭合时，其后各行都会被读进这一格；请检查该格的引号是否成对（格内的双引号应写成两个），"
                             "或删减其内容，再重试\n")
    assert not (tmp_path / "o").exists()


def test_a_rows_csv_with_a_stray_quote_exits_2_naming_the_cell(runner: CliRunner, tmp_path: Path) -> None:
    """Read without a word, the letters of the rows after the stray quote were never made."""
    sheet = write_csv(tmp_path / "rows.csv", rows(3))
    lines = sheet.read_text(encoding="utf-8-sig").splitlines()
    lines[2] = '"' + lines[2]  # a clerk's stray quote before the second letter's borrower
    sheet.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = runner.invoke(main, ["batch", "demand-letter", "--rows", str(sheet), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2, result.output
    # The next row's quoted cell closes it: the second letter's row, whole, read into that cell.
    assert result.stderr == (f"错误：{sheet}：第3行第1列（A 列）的单元格以英文双引号开头，引号直到文件第4行才闭合，"
                             "文件第3行至第4行被读成了这一格，其中有整行的数据（分隔符与表头一样多），不是格内换行的文字；"
                             "请检查该格的引号是否成对（格内的双引号应写成两个），删去多余的引号后重试\n")
    assert not (tmp_path / "o").exists()


def test_options_are_validated(runner: CliRunner, tmp_path: Path) -> None:
    sheet = write_csv(tmp_path / "rows.csv", rows(1))
    bad_jobs = runner.invoke(main, ["batch", "demand-letter", "--rows", str(sheet), "--out", str(tmp_path), "-j", "0"])
    assert bad_jobs.exit_code == 2 and "至少为 1" in bad_jobs.stderr
    missing = runner.invoke(main, ["batch", "demand-letter", "--rows", str(tmp_path / "nope.xlsx"), "--out", "x"])
    assert missing.exit_code == 2
    help_text = runner.invoke(main, ["batch", "--help"]).stdout
    assert "docgen batch demand-letter --rows examples/templates/demand-letters.xlsx" in help_text
    assert "DOCGEN_REGISTER" in help_text


def test_bank_edited_template_jobs_and_csv(runner: CliRunner, tmp_path: Path) -> None:
    edited = tmp_path / "我行催收函.docx"
    shutil.copy(templates_dir() / "demand-letter.docx", edited)
    sheet = write_csv(tmp_path / "rows.csv", rows(4), encoding="gb18030")
    result = runner.invoke(main, ["batch", "demand-letter", "--rows", str(sheet), "--out", str(tmp_path / "o"),
                                  "--template", str(edited), "--jobs", "2", "--register", str(tmp_path / "r.sqlite")])
    assert result.exit_code == 0, result.output
    assert "写入 4 份" in result.stdout
    assert len(list((tmp_path / "o").glob("*.docx"))) == 4


def test_csv_dates_exported_by_excel_or_wps_with_midnight_are_dates(runner: CliRunner, tmp_path: Path) -> None:
    data = rows(3)
    for n, values in enumerate(data):
        for name, value in values.items():
            if isinstance(value, dt.date):  # Excel's export, then Kingsoft WPS's
                values[name] = f"{value:%Y-%m-%d} 00:00:00" if n % 2 else f"{value.year}/{value.month}/{value.day} 0:00"
    sheet = write_csv(tmp_path / "rows.csv", data, encoding="gb18030")
    args = ["batch", "demand-letter", "--rows", str(sheet), "--register", str(tmp_path / "r.sqlite"), "--format", "json"]
    result = runner.invoke(main, [*args, "--out", str(tmp_path / "o")])
    assert result.exit_code == 0, result.output
    iso = runner.invoke(main, ["batch", "demand-letter", "--rows", str(write_csv(tmp_path / "iso.csv", rows(3))),
                               "--out", str(tmp_path / "iso"), "--register", str(tmp_path / "iso.sqlite")])
    assert iso.exit_code == 0, iso.output
    texts = {}
    for folder in ("o", "iso"):
        texts[folder] = sorted("\n".join(p.text for p in docx.Document(f).paragraphs)
                               for f in (tmp_path / folder).glob("*.docx"))
    assert len(texts["o"]) == 3 and texts["o"] == texts["iso"]
    data[2]["还款期限"] = "2026/12/8 9:15"  # a time of day: a date field holding one is likely the wrong column
    write_csv(sheet, data, encoding="gb18030")
    refused = runner.invoke(main, [*args[:-2], "--out", str(tmp_path / "again")])
    assert refused.exit_code == 1
    assert ("  - 第4行 M（还款期限）列 pay_by：无法转换：日期“2026/12/8 9:15”带有时刻 9:15：日期字段只应写日期"
            "（是否填错了列？）；请改为只写日期，如 2026-06-30\n") in refused.output


def test_an_excel_date_cell_holding_a_time_of_day_is_refused_as_csv_text_is(runner: CliRunner, tmp_path: Path) -> None:
    # A date cell at 9:15 was taken as its day, the same value in a CSV refused; a date cell at
    # midnight is the date.
    data = rows(3)
    data[0]["还款期限"] = dt.datetime.combine(data[0]["还款期限"], dt.time(0, 0))
    data[2]["还款期限"] = dt.datetime(2026, 12, 8, 9, 15)
    args = ["batch", "demand-letter", "--register", str(tmp_path / "r.sqlite"), "--out", str(tmp_path / "o")]
    refused = runner.invoke(main, [*args, "--rows", str(write_xlsx(tmp_path / "rows.xlsx", data))])
    assert refused.exit_code == 1
    assert ("  - 第4行 M（还款期限）列 pay_by：无法转换：日期“2026-12-08 09:15”带有时刻 09:15：日期字段只应写日期"
            "（是否填错了列？）；请改为只写日期，如 2026-06-30\n") in refused.output
    assert "第2行" not in refused.output
    data[2]["还款期限"] = "2026-12-08 09:15"
    typed = runner.invoke(main, [*args, "--rows", str(write_csv(tmp_path / "rows.csv", data))])
    assert typed.exit_code == 1 and typed.output == refused.output.replace("rows.xlsx", "rows.csv")


def test_empty_register_list(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["register", "list", "--register", str(tmp_path / "new.sqlite")])
    assert result.exit_code == 0
    assert result.stdout == f"登记簿 {tmp_path / 'new.sqlite'} 中没有记录\n"
    assert not (tmp_path / "new.sqlite").exists()
    verify = runner.invoke(main, ["register", "verify", "--register", str(tmp_path / "new.sqlite")])
    assert verify.exit_code == 0 and "检查 0 份，全部完好" in verify.stdout


def test_set_fills_columns_the_sheet_lacks(runner: CliRunner, tmp_path: Path) -> None:
    data = rows(2)
    for row in data:
        del row["发函日期"]
    data[1]["联系人"] = None
    module_rows = __import__("batch_helpers").make_rows_module()
    headers = [h for h in module_rows.HEADERS if h != "发函日期"]
    sheet = tmp_path / "rows.csv"
    sheet.write_text(
        "\n".join([",".join(headers)] + [",".join("" if r[h] is None else str(r[h]) for h in headers) for r in data]) + "\n",
        encoding="utf-8")
    out = tmp_path / "o"
    result = runner.invoke(main, ["batch", "demand-letter", "--rows", str(sheet), "--out", str(out),
                                  "--set", "letter_date=2026-11-28", "--set", "contact=何测试"])
    assert result.exit_code == 0, result.output
    from docxtext import docx_text

    texts = [docx_text(p) for p in sorted(out.glob("*.docx"))]
    assert all("2026年11月28日" in t for t in texts)
    assert sum("何测试" in t for t in texts) == 1  # only the row whose cell was empty
    unknown = runner.invoke(main, ["batch", "demand-letter", "--rows", str(sheet), "--out", str(out),
                                   "--set", "letter_date=2026-11-28", "--set", "colour=red"])
    assert unknown.exit_code == 2 and "模板 demand-letter 没有字段 colour" in unknown.stderr
    malformed = runner.invoke(main, ["batch", "demand-letter", "--rows", str(sheet), "--out", str(out), "--set", "x"])
    assert malformed.exit_code == 2 and "应写成 字段=值" in malformed.stderr
    # A field named as the sheet's header would title it (发函日期, 联系人 ) is that field.
    titled = runner.invoke(main, ["batch", "demand-letter", "--rows", str(sheet), "--out", str(tmp_path / "t"),
                                  "--register", str(tmp_path / "t.sqlite"),
                                  "--set", "发函日期=2026-11-28", "--set", "联系人 =何测试"])
    assert titled.exit_code == 0, titled.output
    assert [docx_text(p) for p in sorted((tmp_path / "t").glob("*.docx"))] == texts


def test_a_bank_template_with_a_misspelled_field_stops_the_batch_before_any_row(runner: CliRunner, tmp_path: Path) -> None:
    # {{ borrower_adress }} in the bank's copy: row 2 is not to blame, and nothing is reserved.
    edited = tmp_path / "我行催收函.docx"
    with zipfile.ZipFile(templates_dir() / "demand-letter.docx") as src, zipfile.ZipFile(edited, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "word/document.xml":
                assert b"{{ borrower_address }}" in data
                data = data.replace(b"{{ borrower_address }}", b"{{ borrower_adress }}")
            dst.writestr(item, data)
    sheet = write_csv(tmp_path / "rows.csv", rows(2))
    out = tmp_path / "o"
    result = runner.invoke(main, ["batch", "demand-letter", "--rows", str(sheet), "--out", str(out),
                                  "--template", str(edited), "--register", str(tmp_path / "r.sqlite")])
    assert result.exit_code == 2, result.output
    assert result.stderr == (
        f"错误：{edited}：模板中的变量 borrower_adress（应为 borrower_address？）不是模板 demand-letter 的字段；"
        f"请在 Word 中改正这些标签（docgen templates lint {edited} --schema demand-letter 列出所在段落）\n")
    assert not out.exists() or not list(out.glob("*.docx"))
    listed = runner.invoke(main, ["register", "list", "--register", str(tmp_path / "r.sqlite")])
    assert listed.stdout == f"登记簿 {tmp_path / 'r.sqlite'} 中没有记录\n"


def test_amounts_typed_with_yuan_are_read_and_a_general_date_cell_is_named_as_a_serial(runner: CliRunner,
                                                                                      tmp_path: Path) -> None:
    import openpyxl

    data = rows(2)
    sheet = write_xlsx(tmp_path / "rows.xlsx", data)
    wb = openpyxl.load_workbook(sheet)
    ws = wb.active
    headers = [c.value for c in ws[1]]
    col = {h: i + 1 for i, h in enumerate(headers)}
    principal = ws.cell(2, col["逾期本金"]).value
    ws.cell(2, col["逾期本金"]).value = f"{principal:,.2f}元"  # "150,000.00元": text, as typed
    interest = ws.cell(2, col["欠息"]).value
    # typed in the input method's full-width mode: ２９，９５０．００
    ws.cell(2, col["欠息"]).value = f"{interest:,.2f}".translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789,."})
    ws.cell(3, col["发函日期"]).value = 46354  # 2026-11-28 in a cell formatted 常规
    ws.cell(3, col["发函日期"]).number_format = "General"
    wb.save(sheet)
    letter_col = openpyxl.utils.get_column_letter(col["发函日期"])
    result = runner.invoke(main, ["batch", "demand-letter", "--rows", str(sheet), "--out", str(tmp_path / "o")])
    assert result.exit_code == 1, result.output
    assert result.stderr.splitlines()[1:] == [
        f"  - 第3行 {letter_col}（发函日期）列 letter_date：无法转换：日期格式应为 YYYY-MM-DD，收到“46354”"
        "（是 Excel 的日期序号，即 2026-11-28？请把该列单元格设为日期格式，或写作 2026-11-28）"]
    ws.cell(3, col["发函日期"]).value = data[1]["发函日期"]
    wb.save(sheet)
    result = runner.invoke(main, ["batch", "demand-letter", "--rows", str(sheet), "--out", str(tmp_path / "o")])
    assert result.exit_code == 0, result.output
    import docx

    first = sorted((tmp_path / "o").glob("*.docx"))[0]
    cells = [c.text for t in docx.Document(first).tables for r in t.rows for c in r.cells]
    assert f"{principal:,.2f}" in cells and f"{interest:,.2f}" in cells


def test_a_sheet_with_its_title_above_the_header_is_read_below_it(runner: CliRunner, tmp_path: Path) -> None:
    import openpyxl

    sheet = write_xlsx(tmp_path / "催收名单.xlsx", rows(2))
    wb = openpyxl.load_workbook(sheet)
    ws = wb.active
    ws.insert_rows(1)
    ws["A1"] = "2026年11月催收名单"
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=ws.max_column)
    wb.save(sheet)
    result = runner.invoke(main, ["batch", "demand-letter", "--rows", str(sheet), "--out", str(tmp_path / "o")])
    assert result.exit_code == 0, result.output
    # The rows are named by the numbers Excel shows: the header is row 2.
    assert "[新] 第3行 催字〔2026〕第00001号" in result.stdout and "[新] 第4行" in result.stdout
    assert len(list((tmp_path / "o").glob("*.docx"))) == 2


@pytest.mark.parametrize("kind", ["xlsx", "utf-8-sig", "gb18030"])
def test_a_sheet_whose_unit_row_says_wan_yuan_exits_2_and_writes_no_letter(runner: CliRunner, tmp_path: Path,
                                                                           kind: str) -> None:
    # Passed over as a title, 单位：万元 would have had the letters demand 125,000 万元 as 125,000 yuan.
    import openpyxl

    if kind == "xlsx":
        sheet = write_xlsx(tmp_path / "催收名单.xlsx", rows(1))
        wb = openpyxl.load_workbook(sheet)
        wb.active.insert_rows(1, 2)
        wb.active["A1"], wb.active["A2"] = "2026年11月催收名单", "单位：万元"
        wb.save(sheet)
    else:
        sheet = write_csv(tmp_path / "催收名单.csv", rows(1), encoding=kind)
        text = sheet.read_bytes().decode(kind)
        sheet.write_bytes(("2026年11月催收名单\r\n单位：万元\r\n" + text.lstrip("\ufeff")).encode(kind))
    result = runner.invoke(main, ["batch", "demand-letter", "--rows", str(sheet), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    # A workbook's cell is named with its sheet, as the workbook's other errors name it; a CSV has none.
    where = f"工作表“{openpyxl.load_workbook(sheet).active.title}”的 " if kind == "xlsx" else ""
    assert result.stderr == (f"错误：{sheet}：{where}A2 的“单位：万元”写明金额以万元为单位，但表格的金额一律按元读取，"
                             "按元读会把文书中的每一笔金额写错；请把各金额列换算成元（单位写“元”）后重试\n")
    assert not (tmp_path / "o").exists() or not list((tmp_path / "o").glob("*.docx"))


def test_a_column_of_its_own_in_wan_yuan_is_no_unit_of_the_amounts_read(runner: CliRunner, tmp_path: Path) -> None:
    # 授信金额（万元） names no field: the letters are written; 合计（万元） leaves a field unread: refused.
    import openpyxl

    sheet = write_xlsx(tmp_path / "催收名单.xlsx", rows(1))
    wb = openpyxl.load_workbook(sheet)
    wb.active.cell(row=1, column=wb.active.max_column + 1).value = "授信金额（万元）"
    wb.save(sheet)
    result = runner.invoke(main, ["batch", "demand-letter", "--rows", str(sheet), "--out", str(tmp_path / "o")])
    assert result.exit_code == 0, result.output
    wb.active.cell(row=1, column=[c.value for c in wb.active[1]].index("合计") + 1).value = "合计（万元）"
    wb.save(sheet)
    result = runner.invoke(main, ["batch", "demand-letter", "--rows", str(sheet), "--out", str(tmp_path / "p")])
    assert result.exit_code == 2 and "的“合计（万元）”写明金额以万元为单位" in result.stderr


def test_a_data_sheet_whose_guarantor_column_lost_its_header_exits_2(runner: CliRunner, tmp_path: Path) -> None:
    # 还款期限 merged over M and N leaves 担保人 unnamed: the letters named no guarantor.
    sheet = write_xlsx(tmp_path / "催收名单.xlsx", rows(2))
    assert merge_header(sheet, "M1:N1") == ("还款期限", "担保人")
    result = runner.invoke(main, ["batch", "demand-letter", "--rows", str(sheet), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert result.stderr == (f"错误：{sheet}：工作表“催收名单”的 N 列表头为空（N1），但该列第2行起有数据，"
                             "无表头的数据无法读取：N1 在合并单元格 M1:N1 中，表头“还款期限”只属于 M 列；"
                             "请取消合并，给 N 列填写表头；确认该列数据无用的，方可删除该列\n")
    assert not (tmp_path / "o").exists() or not list((tmp_path / "o").iterdir())
    # The same sheet as CSV: the column's number and letter.
    csv = write_csv(tmp_path / "催收名单.csv", rows(2))
    lines = csv.read_text(encoding="utf-8-sig").splitlines()
    csv.write_text("\n".join([lines[0].replace(",担保人,", ",,")] + lines[1:]) + "\n", encoding="gb18030")
    result = runner.invoke(main, ["batch", "demand-letter", "--rows", str(csv), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert result.stderr == (f"错误：{csv}：第14列（N 列）表头为空，但该列第2行起有数据，"
                             "无表头的数据无法读取；请给该列填写表头，或删除该列\n")


def test_register_list_and_verify_refuse_a_misspelt_template_instead_of_all_intact(runner: CliRunner,
                                                                                  tmp_path: Path) -> None:
    from docgen.documents.register import Register

    register = tmp_path / "r.sqlite"
    with Register(register) as reg:
        reg.reserve("demand-letter", "临农商借字2026第0001号", lambda n: f"催字〔2026〕第{n:05d}号")
    expected = (f"错误：登记簿 {register} 中没有模板 demand-leter 的记录，也没有这个模板（登记簿中的模板：demand-letter）；"
                "请检查 --template 的拼写\n")
    for command in ("list", "verify"):
        result = runner.invoke(main, ["register", command, "--register", str(register), "--template", "demand-leter"])
        assert (result.exit_code, result.stderr) == (2, expected), result.output
    # A shipped template the register has nothing of yet is a true answer, not a typo.
    verify = runner.invoke(main, ["register", "verify", "--register", str(register), "--template", "commitment-letter"])
    assert verify.exit_code == 0 and verify.stdout == f"登记簿 {register}：检查 0 份，全部完好\n"


def _entry_sheet(path: Path, name: str, entries_as: dict[str, str]) -> Path:
    """A one-row sheet of ``examples/templates/NAME.yaml`` headed by field names, its list of
    entries (shareholders) given one column per entry field (``entries_as``: field -> header)."""
    import openpyxl
    import yaml

    data = yaml.safe_load((Path(__file__).resolve().parents[2] / "examples" / "templates" / f"{name}.yaml")
                          .read_text(encoding="utf-8"))
    entries = data.pop("shareholders")
    row = {key: "、".join(value) if isinstance(value, list) else value for key, value in data.items()}
    row.update({header: "、".join(str(e[key]) for e in entries) for key, header in entries_as.items()})
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(list(row))
    ws.append([str(v) if isinstance(v, str) else v for v in row.values()])
    for cell in ws[2]:
        cell.number_format = "@" if isinstance(cell.value, str) else cell.number_format
    wb.save(path)
    return path


@pytest.mark.parametrize(("name", "entries_as"), [
    ("commitment-letter", {"name": "股东名称", "id_number": "股东证件号码"}),
    ("shareholder-resolution", {"name": "股东名称", "id_number": "股东证件号码", "share": "出资比例", "vote": "表决意见"}),
])
def test_a_list_of_shareholders_comes_from_one_column_per_field(runner: CliRunner, tmp_path: Path, name: str,
                                                                 entries_as: dict[str, str]) -> None:
    # README: back office fills 承诺函 and 股东会决议 in batch from Excel; their shareholders could
    # not be given in a sheet at all (第1行表头缺少必需的列：股东).
    import docx

    sheet = _entry_sheet(tmp_path / "rows.xlsx", name, entries_as)
    result = runner.invoke(main, ["batch", name, "--rows", str(sheet), "--out", str(tmp_path / "o")])
    assert result.exit_code == 0, result.output
    [written] = (tmp_path / "o").glob("*.docx")
    cells = [[c.text for c in r.cells] for t in docx.Document(written).tables for r in t.rows]
    assert any("杭州华安投资集团有限公司" in row and "91330106147023960D" in row for row in cells)
    assert any("李文涛" in row and "330102198809210426" in row for row in cells)


def test_shareholder_columns_holding_different_numbers_of_entries_name_them(runner: CliRunner, tmp_path: Path) -> None:
    import openpyxl

    sheet = _entry_sheet(tmp_path / "rows.xlsx", "commitment-letter", {"name": "股东名称", "id_number": "股东证件号码"})
    wb = openpyxl.load_workbook(sheet)
    ws = wb.active
    ws.cell(2, ws.max_column).value = "91330106147023960D"  # one ID for two names
    wb.save(sheet)
    result = runner.invoke(main, ["batch", "commitment-letter", "--rows", str(sheet), "--out", str(tmp_path / "o")])
    assert result.exit_code == 1
    names, ids = (openpyxl.utils.get_column_letter(ws.max_column - 1), openpyxl.utils.get_column_letter(ws.max_column))
    assert result.stderr.splitlines()[1] == (
        f"  - 第2行 {names}（股东名称）列 shareholders：各列的项数不一致（{names}（股东名称） 2 项，"
        f"{ids}（股东证件号码） 1 项）；多项以“、”分隔，请逐项对应")
    assert not (tmp_path / "o").exists() or not list((tmp_path / "o").glob("*.docx"))


def test_shareholder_columns_left_empty_are_named_by_their_first_column(runner: CliRunner, tmp_path: Path) -> None:
    import openpyxl

    sheet = _entry_sheet(tmp_path / "rows.xlsx", "commitment-letter", {"name": "股东名称", "id_number": "股东证件号码"})
    wb = openpyxl.load_workbook(sheet)
    ws = wb.active
    ws.cell(2, ws.max_column).value = ws.cell(2, ws.max_column - 1).value = None
    wb.save(sheet)
    result = runner.invoke(main, ["batch", "commitment-letter", "--rows", str(sheet), "--out", str(tmp_path / "o")])
    assert result.exit_code == 1
    names = openpyxl.utils.get_column_letter(ws.max_column - 1)
    assert result.stderr.splitlines()[1] == f"  - 第2行 {names}（股东名称）列 shareholders：必填字段，不能缺少"


def test_a_repeated_contract_number_is_named_as_the_sheet_names_it(runner: CliRunner, tmp_path: Path) -> None:
    # The same 借款合同号 typed again with a trailing space is the same contract: one letter only,
    # and the message names the column the clerk sees, not the field's program name.
    data = rows(3)
    data[2]["借款合同号"] = data[0]["借款合同号"] + " "
    sheet = write_xlsx(tmp_path / "rows.xlsx", data)
    result = runner.invoke(main, ["batch", "demand-letter", "--rows", str(sheet), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1 and not (tmp_path / "out").exists()
    assert result.stderr.splitlines()[1:] == [
        f"  - 第4行 E（借款合同号）列 contract_no：{data[0]['借款合同号']} 与第2行重复：同一借款合同号只能出一份文书"]


def test_a_branch_merged_over_rows_is_named_as_a_merged_cell(runner: CliRunner, tmp_path: Path) -> None:
    # 贷款机构 merged over rows 2-4: Excel shows 南苑支行 on all three, rows 3 and 4 hold nothing.
    import openpyxl

    sheet = write_xlsx(tmp_path / "rows.xlsx", rows(3))
    book = openpyxl.load_workbook(sheet)
    ws = book.active
    column = next(c.column_letter for c in ws[1] if c.value == "贷款机构")
    for row in (3, 4):
        ws[f"{column}{row}"] = None
    ws.merge_cells(f"{column}2:{column}4")
    book.save(sheet)
    result = runner.invoke(main, ["batch", "demand-letter", "--rows", str(sheet), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1 and not (tmp_path / "out").exists()
    assert result.stderr.splitlines()[1:] == [
        f"  - 第{row}行 {column}（贷款机构）列 branch：{column}{row} 在合并单元格 {column}2:{column}4 中，"
        f"合并单元格的值只保存在 {column}2，其余各格是空的；请取消合并，在每一行填写" for row in (3, 4)]


def test_a_formula_saved_without_its_result_is_named_not_called_missing(runner: CliRunner, tmp_path: Path) -> None:
    # A sheet a program wrote: 还款期限 =发函日期+10, which Excel computes on opening and no reader can.
    import openpyxl

    sheet = write_xlsx(tmp_path / "rows.xlsx", rows(2))
    book = openpyxl.load_workbook(sheet)
    ws = book.active
    column = next(c.column_letter for c in ws[1] if c.value == "还款期限")
    ws[f"{column}3"] = "=A3+10"
    book.save(sheet)
    result = runner.invoke(main, ["batch", "demand-letter", "--rows", str(sheet), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1 and not (tmp_path / "out").exists()
    assert result.stderr.splitlines()[1:] == [
        f"  - 第3行 {column}（还款期限）列 pay_by：{column}3 是公式“=A3+10”，文件中没有它的计算结果"
        "（表格由程序生成、未经 Excel 计算保存），或结果为空；请在 Excel 中打开该文件、保存后重试，或把公式改为数值"]


def test_a_totals_row_at_the_foot_of_the_sheet_is_one_line(runner: CliRunner, tmp_path: Path) -> None:
    import openpyxl

    sheet = write_xlsx(tmp_path / "rows.xlsx", rows(2))
    book = openpyxl.load_workbook(sheet)
    ws = book.active
    ws.append([])
    ws.append(["合计"] + [None] * 7 + ["=SUM(I2:I3)"])
    book.save(sheet)
    result = runner.invoke(main, ["batch", "demand-letter", "--rows", str(sheet), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1 and not (tmp_path / "out").exists()
    assert ws["A1"].value == "发函日期"
    assert result.stderr.splitlines()[1:] == [
        "  - 第5行 A（发函日期）列 letter_date：这一行是合计行（“合计”），不是一笔数据；"
        "请删除该行（或把合计放到另一张工作表）后重试"]
    skipped = runner.invoke(main, ["batch", "demand-letter", "--rows", str(sheet), "--out", str(tmp_path / "out"),
                                   "--skip-invalid"])
    assert skipped.exit_code == 0 and len(list((tmp_path / "out").glob("*.docx"))) == 2


def test_a_totals_row_labelled_in_a_serial_column_is_one_line(runner: CliRunner, tmp_path: Path) -> None:
    import openpyxl

    sheet = write_xlsx(tmp_path / "rows.xlsx", rows(2))
    book = openpyxl.load_workbook(sheet)
    ws = book.active
    ws.insert_cols(1)  # a 序号 column the template has no field for
    ws["A1"], ws["A2"], ws["A3"] = "序号", 1, 2
    ws.append(["合计"] + [None] * 8 + [ws["J2"].value + ws["J3"].value])  # the sum as Excel saves it
    book.save(sheet)
    args = ["batch", "demand-letter", "--rows", str(sheet), "--out", str(tmp_path / "out")]
    result = runner.invoke(main, [*args, "--format", "json"])
    assert result.exit_code == 1 and not (tmp_path / "out").exists()
    assert result.stderr.splitlines()[1:] == [
        "  - 第4行 A（序号）列：这一行是合计行（“合计”），不是一笔数据；请删除该行（或把合计放到另一张工作表）后重试"]
    assert [(p["row"], p["column"], p["field"]) for p in json.loads(result.stdout)["problems"]] == [(4, "A（序号）", "")]
    skipped = runner.invoke(main, [*args, "--skip-invalid"])
    assert skipped.exit_code == 0 and len(list((tmp_path / "out").glob("*.docx"))) == 2


def test_an_id_number_typed_full_width_or_with_a_lower_case_x_is_printed_as_issued(runner: CliRunner,
                                                                                 tmp_path: Path) -> None:
    from docxtext import docx_text

    data = rows(2)
    typed = data[0]["证件号码"]
    data[0]["证件号码"] = typed.lower().translate({c: c + 0xFEE0 for c in range(0x21, 0x7F)})  # full-width forms
    data[1]["证件号码"] = data[1]["证件号码"].lower()
    sheet = write_xlsx(tmp_path / "rows.xlsx", data)
    result = runner.invoke(main, ["batch", "demand-letter", "--rows", str(sheet), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    first, second = (docx_text(p) for p in sorted((tmp_path / "out").glob("*.docx")))
    assert f"：{typed.upper()}）" in first and f"：{rows(2)[1]['证件号码'].upper()}）" in second
