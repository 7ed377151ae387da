"""The documents part's message table: the wording of template data problems, batch row errors,
render errors and lint results (Chinese, the users' language).

Codes are the identity programs and tests use. A lint code may have several sentences, one per
place it is found: those entries are keyed ``code/variant``.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from docgen.core.typography import FULL_WIDTH
from docgen.core import messages as core_messages
from docgen.core.wording import MessageTable, command_word, english_of, joined, quoted

#: What a lint warning suggests for each ASCII mark: its full-width form between “ ”, or, for a
#: quote, the pair that replaces a pair of them.
_FULL_WIDTH_FORMS = {**{mark: f"“{form}”" for mark, form in FULL_WIDTH.items()}, '"': "“…”", "'": "‘…’"}

__all__ = ["ENGLISH", "MESSAGES", "english_detail", "where"]


def where(facts: Mapping[str, Any]) -> str:
    """Return the place of a render error in the template: ``（第3段：致 {{ borrower }}）`` or ''
    (``place`` as ``docgen.documents.paragraphs.places`` names it)."""
    place, snippet = facts.get("place"), facts.get("snippet")
    if not place:
        return ""
    return f"（{place}：{snippet}）" if snippet else f"（{place}）"


def _row(facts: Mapping[str, Any]) -> str:
    return f" 第{facts['row']}行" if facts.get("row") is not None else ""


def _source(facts: Mapping[str, Any]) -> str:
    """The rows' file a batch's error names before its rows (none for rows a program gave)."""
    return f"{facts['source']} " if facts.get("source") else ""


_MARKS = {"written": "新", "restored": "补", "skipped": "跳过"}
_SEVERITY = {"error": "错误", "warning": "警告", "info": "提示"}


def _row_at(facts: Mapping[str, Any]) -> str:
    return f"第{facts['row']}行 " if facts.get("row") is not None else ""


def _date_order(facts: Mapping[str, Any]) -> str:
    head = facts.get("message") or f"应{'晚于' if facts['strict'] else '不早于'}{facts['earlier_field']}（{facts['earlier']}）"
    return f"{head}，收到 {facts['later']}"


def _unsound(then: str) -> Any:
    """Return the entry of a register refused for what its audit found (``issue`` is the
    ``register/…`` code, with that entry's facts beside it), ending with ``then``."""
    return lambda f: f"{f['register']}：{MESSAGES.text('register/' + f['issue'], f)}；{then}"


def _conversion_failed(f: Mapping[str, Any]) -> str:
    failed = f["failed"]
    detail = f.get("detail") or []
    return (f"LibreOffice 未能把 {len(failed)} 个文件转换为 PDF：{'、'.join(failed[:10])}"
            + ("…" if len(failed) > 10 else "")
            + (f"（退出码 {f['returncode']}；{' '.join(detail)}）" if detail or f["returncode"] else "")
            + "。请确认文件能在 Word/LibreOffice 中打开")


#: How a shipped template is named when it cannot be found: the names there are, or 无.
def _known(f: Mapping[str, Any]) -> str:
    return "、".join(f["known"]) or "无"


_INSTALL_HINT = ("未找到 LibreOffice（soffice），无法生成 PDF。请安装后重试："
                 "Debian/Ubuntu：sudo apt-get install libreoffice-writer-nogui fonts-noto-cjk；"
                 "Windows/macOS：从 https://www.libreoffice.org 安装；"
                 "或用环境变量 DOCGEN_SOFFICE 指明 soffice 的完整路径")


def _place_en(place: str) -> str:
    """Return a place in a template (``places``: 第3段, 表格1 第2行 第3列, in a part) in English."""
    place = re.sub(r"表格(\d+) 第(\d+)行 第(\d+)列", r"table \1, row \2, column \3", place)
    return re.sub(r"第(\d+)段", r"paragraph \1", place)


def _counted(count: int, noun: str) -> str:
    """``1 file``, ``2 files``: a count and its noun in English."""
    return f"{count} {noun}" + ("" if count == 1 else "s")


def _where_en(facts: Mapping[str, Any]) -> str:
    """``where`` in English: `` (paragraph 3: Dear {{ borrower }})`` or ''."""
    place, snippet = facts.get("place"), facts.get("snippet")
    if not place:
        return ""
    return f" ({_place_en(str(place))}: {snippet})" if snippet else f" ({_place_en(str(place))})"


def _row_en(facts: Mapping[str, Any]) -> str:
    return f" (row {facts['row']})" if facts.get("row") is not None else ""


def _at_row_en(facts: Mapping[str, Any]) -> str:
    return f", row {facts['row']}" if facts.get("row") is not None else ""


def _date_order_en(facts: Mapping[str, Any]) -> str:
    head = facts.get("message_en") or (f"should be {'after' if facts['strict'] else 'on or after'} "
                                       f"{facts['earlier_field']} ({facts['earlier']})")
    return f"{head}, got {facts['later']}"


def _unsound_en(then: str) -> Any:
    """``_unsound`` in English (the issue's ``detail_en`` for its ``detail``, where it has one)."""
    return lambda f: f"{f['register']}: {MESSAGES.text('register/' + f['issue'], english_detail(f), 'en')}; {then}"


def english_detail(facts: Mapping[str, Any]) -> dict[str, Any]:
    """Return a register issue's ``facts`` with its ``detail`` in English (``detail_en``, where given)."""
    return {**facts, "detail": facts.get("detail_en") or facts.get("detail", "")}


def _conversion_failed_en(f: Mapping[str, Any]) -> str:
    failed = f["failed"]
    detail = f.get("detail") or []
    return (f"LibreOffice could not convert {_counted(len(failed), 'file')} to PDF: {', '.join(failed[:10])}"
            + ("…" if len(failed) > 10 else "")
            + (f" (exit code {f['returncode']}; {' '.join(detail)})" if detail or f["returncode"] else "")
            + "; check that the files open in Word or LibreOffice")


_INSTALL_HINT_EN = ("LibreOffice (soffice) was not found, so no PDF can be made; install it and try again "
                    "(Debian/Ubuntu: sudo apt-get install libreoffice-writer-nogui fonts-noto-cjk; Windows/macOS: "
                    "from https://www.libreoffice.org), or give the full path of soffice in the environment "
                    "variable DOCGEN_SOFFICE")

#: What the pages read in English say (the service's English job page, render form and batch rows;
#: ``docgen.service.work.failure``): template data problems and the errors a batch, a render or a
#: draft can end with: filling a template, the register, PDF conversion.
ENGLISH: dict[str, Any] = {
    # template data (Template.check): a rule's own sentence in English is its ``message_en``
    "data-not-mapping": "the data should be a mapping ('field: value')",
    "lone-surrogate": "holds an invalid character (a lone UTF-16 surrogate); delete or correct the value",
    "sum-mismatch": lambda f: (f"{f.get('label_en') or f['label']} should add up to {f['expected'].normalize():f}; "
                               f"they add up to {f['actual'].normalize():f}"),
    "votes-short": lambda f: (f"the votes in favour carry {f['ratio_pct']:.2f}% of the voting rights, short of the "
                              f"{f['needed_pct']:.2f}% ({f['threshold']}) of {f.get('basis_en') or 'the required voting ratio'}; "
                              "the resolution cannot be acted on"),
    "total-mismatch": "the total {given:,.2f} is not the sum of {parts_en} ({expected:,.2f})",
    "date-order": _date_order_en,
    "not-positive": lambda f: f.get("message_en") or "the amount should be greater than zero",
    "not-zero": lambda f: f"{f.get('message_en') or 'the amount should be nil'}, got {f['value']:,.2f}",
    "amount-above": lambda f: (f"{f.get('message_en') or 'should not be more than ' + str(f['limit_field'])}, "
                               f"got {f['value']:,.2f} (more than {f['limit']:,.2f})"),
    "period-run-out": lambda f: (f"{f.get('message_en') or 'the period has run out'} (counted from {f['start']}, it "
                                 f"ran out on {f['deadline']}), got {f['on']}"),
    # filling a template
    "undefined-field": lambda f: f"not given (the template needs this field){_where_en(f)}",
    "unsafe-expression": lambda f: f"unsafe template expression: {f['error']}{_where_en(f)}",
    "fill-failed": lambda f: f"{f.get('error_en') or f['error']}{_where_en(f)}",
    "undefined-field/error": lambda f: f"template {f['template']}: the field {f['field']} is not given{_where_en(f)}{_row_en(f)}",
    "unsafe-expression/error": lambda f: (f"template {f['template']}: unsafe template expression{_where_en(f)}: "
                                          f"{f['error']}{_row_en(f)}"),
    "fill-failed/error": lambda f: (f"template {f['template']}: cannot be filled{_where_en(f)}: "
                                    f"{f.get('error_en') or f['error']}{_row_en(f)}"),
    "data-rejected/error": lambda f: (f"template {f['template']}{_at_row_en(f)}: the data failed its checks "
                                      f"({_counted(f['count'], 'problem')})"),
    "rows-rejected/error": lambda f: (f"template {f['template']}: {_source(f)}"
                                      + (f"rows {', '.join(map(str, f['rows']))}" if f["rows"] else f"{f['count']} values")
                                      + " have errors in the data; no document was made; correct them and run again "
                                      "(or skip these rows with --skip-invalid)"),
    "rows-rejected/stopped": ("template {template}: {source}more than {count} rows had errors by row {row}; the rows "
                              "after it were not checked and no document was made; the first {count} are listed "
                              "below: correct them (and check that the right file and sheet were chosen), then run "
                              "again"),
    "items-rejected/stopped": ("template {template}: more than {count} items had errors by item {position} (key "
                               "{key!r}); the items after it were not checked and no document was made; the first "
                               "{count} are listed below: correct them, then run again"),
    "invalid-xml/error": lambda f: (f"template {f['template']}{_at_row_en(f)}: the {f['member']} made is not valid XML "
                                    f"({f['error']}); check the template's tags with docgen templates lint"),
    # batch rows
    "number-truncated": ("Excel cut this number of more than 15 digits short; set the column to text and enter it "
                         "again"),
    "keyed": "[{key}] {message}",
    "missing-key": lambda f: ((f"item {f['position']} has no key" if f.get("position") is not None
                               else "this row has no key") + " (the register knows a document by it)"),
    "serial-taken": ("the register {register} issued the serial {serial} to {holder}, so it cannot be used for this "
                     "document; delete the serial from the data (the register numbers it), or correct {key_field}"),
    "serial-differs": ("the register {register} numbered this document ({key_field} {key}) {issued}, not the "
                       "data's {serial}: a document cannot have two serials; delete the serial from the data, or "
                       "make it {issued}"),
    "entries-uneven": lambda f: ("the columns give different numbers of entries ("
                                 + ", ".join(f"{column}: {count}" for column, count in f["counts"])
                                 + "); entries are parted by 、, one for one"),
    "duplicate-key": lambda f: (
        (f"the key {f['key']} of item {f['position']} repeats item {f['earlier_position']}"
         if f.get("position") is not None
         else f"{f['key']} repeats " + (f"row {f['earlier_row']}" if f.get("earlier_row") is not None else "a row above"))
        + f": one {f.get('label_en') or f['field']} makes one document"),
    # the register's own state (Register.audit)
    "register/corrupt": "the database is damaged (SQLite's integrity check: {detail}); restore the register (with its -wal file) from a backup",
    "register/replaced": ("it is not the register it was ({detail}); restore it from a backup, or start a new register "
                          "only if that is meant (--new-register)"),
    "register/truncated": ("records were cut off or rolled back ({detail}); the -wal file was perhaps missing when it "
                           "was restored: restore the whole register from a backup"),
    "register/altered": "the record of serial {serial} of template {template} was changed, or a record before it deleted",
    "register-detail/foreign-anchor": "the check file .anchor belongs to another register or is damaged",
    "register-detail/short": "the check file vouches for {records} records, the last {last}; there are {count}",
    "register-detail/integrity": lambda f: f"{f['first']}" + (f" and {f['count'] - 1} more" if f["count"] > 1 else ""),
    "register-detail/no-database": "the database file does not exist; the check file vouches for {records} records",
    "register/gap": "template {template} has no record number {seq} (the serials have a gap: a record was deleted)",
    "register/unanchored": ("there is no check file (.anchor) beside the register, so it cannot be shown not to have "
                            "been replaced; a new one was made"),
    # the register cannot be used
    "register-open-damaged": ("{register}: the register's database cannot be opened ({reason}); restore the register "
                              "(with its -wal file) from a backup"),
    "register-open-failed": "{register}: the register cannot be opened ({reason})",
    "register-emptied": lambda f: (f"{f['register']}: a register was here ({f['records']} records"
                                   + (f", the last {f['last_template']} {f['last_serial']}" if f.get("last_serial") else "")
                                   + "), and its database is now empty or gone; serials do not start again. Restore the "
                                   "register (with its -wal file) from a backup; start a new register only if that is "
                                   "meant (--new-register)"),
    "register-unsound/anchor": _unsound_en("no serial is issued from it"),
    "register-unsound/issue": _unsound_en("no serial is issued from it (docgen register verify shows why)"),
    "register-busy": lambda f: (f"{f['register']}: the register is held by "
                                + (f"{f['holder']}" if f.get("holder") else "another program")
                                + f", not let go after {f['seconds']:.0f} seconds; wait for it to end (or end it), "
                                "then run again"),
    "register-readonly": "{register}: the register was opened read-only and cannot be written",
    "register-serial-clash": ("{register}: the serial {serial} of template {template} is already used for {row_key}; "
                              "the serial pattern must hold the sequence number (seq)"),
    "register-not-reserved": "{register}: no serial was reserved for {row_key} of template {template}, so it cannot be recorded",
    "register-db-locked": "{register}: the register is held by another program ({reason}); wait for it to end, then run again",
    "register-write-failed": "{register}: the register could not be written ({reason})",
    "register-db-damaged": ("{register}: the register's database is damaged ({reason}); restore the register (with its "
                            "-wal file) from a backup"),
    "register-path-unusable": "{path}: the register cannot be reached ({reason}); check the path given by --register",
    "register-no-key": "template {template}: {key_field} is missing, so the register cannot number it",
    "register-needs-psycopg": "{register}: a PostgreSQL register needs psycopg; install docgen[scale] (pip install 'docgen[scale]')",
    "register-unreachable": ("{register}: the register's database server cannot be reached ({reason}); check the "
                             "server's address, its port and the password (~/.pgpass)"),
    # templates and batches that cannot start
    "template-unknown": lambda f: f"unknown template {f['name']} (the templates: {', '.join(f['known']) or 'none'})",
    # templates and their metadata (TemplateError: docgen templates list|show --lang en)
    "template-name-missing": "give a template's name or a --template file",
    "template-file-not-found": "the template file does not exist: {path}",
    "template-no-schema-file": ("{path}: no field definitions found; give a template's name (such as demand-letter) "
                                "or a .yaml file with --schema"),
    "template-unreadable": "the template {path} cannot be read: {reason}",
    "template-not-docx": "{path}: not a valid Word .docx file (it should be a zip file; save a .doc as .docx in Word)",
    "template-part-too-large": ("{path}: its {member} unpacks to {megabytes} MB, more than the {limit} MB a template "
                                "may hold; check that the right file was chosen, or open it in Word, save it as .docx "
                                "and try again"),
    "meta-no-schema": "{path}: no schema (the field definitions)",
    "meta-pattern-syntax": "{file}: the {key} pattern is wrong: {reason}",
    "meta-pattern-field": "{file}: the placeholder {{{field}}} in {key} can only be a field's name",
    "meta-unknown-rule": lambda f: f"{f['file']}: unknown rule {f['rule']!r} (the rules: {', '.join(f['available'])})",
    "meta-rule-when-field": "{file}: the {key} field {field} of rule {rule} is not in the schema",
    "meta-key-field": "{file}: the key_field {key_field} is not in the schema",
    "meta-alias-field": "{file}: the field {field} in aliases is not in the schema",
    "meta-unprinted-field": ("{file}: the field {field} is marked as not printed in the text (printed: false), but none "
                             "of key_field, date_field, serial and filename uses it"),
    "file/template-meta": "template metadata",
    "file/template-meta-hint": ", e.g. 'title: …' and 'schema: …'",
    "batch-unknown-defaults": lambda f: (f"template {f['template']} has no field {', '.join(f['unknown'])} (its fields: "
                                         f"{', '.join(f['fields'])})"),
    "batch-no-rows": "{path}: the sheet has no data rows (only its header); check that the right file and sheet (--sheet) were chosen",
    "batch-amount-unit": lambda f: (f"{f['path']}: {core_messages.sheet_cell_en(f)} ({f['text']!r}) states the amounts "
                                    f"in {core_messages.unit_en(f)}, not in yuan, but the sheet's amounts are read as yuan, which would "
                                    "put every amount wrong in the documents; convert the amount columns to yuan, write "
                                    "the unit as 元 and try again"),
    "batch-unwritable": ("{where} cannot be written ({reason}); check that the output folder {out_dir} may be written "
                         "and that its disk has room"),
    "draft-no-annex": "there is no template for annex {annex}",
    "draft-unknown-annexes": lambda f: (f"there is no template for annex {', '.join(map(str, f['unknown']))} (the "
                                        f"annexes that can be drafted: {', '.join(map(str, f['known']))})"),
    # PDF conversion, merging and print runs
    "soffice-missing": _INSTALL_HINT_EN,
    "soffice-env-missing": "DOCGEN_SOFFICE names {path}, which does not exist. " + _INSTALL_HINT_EN,
    "soffice-timeout": ("LibreOffice took longer than {seconds:.0f} seconds to convert ({count} files, the first "
                        "{first}); try again, or convert fewer files at once"),
    "soffice-start-failed": "LibreOffice ({soffice}) cannot be started: {reason}",
    "conversion-failed": _conversion_failed_en,
    "convert-missing-files": lambda f: "the files to convert are not there: " + ", ".join(f["missing"]),
    "convert-same-names": lambda f: ("files of the same name would make PDFs of the same name, so they cannot be "
                                     "converted together: " + ", ".join(f["names"])),
    "merge-nothing": "there is no PDF to merge",
    "merge-unreadable": "{path}: the PDF cannot be read, so it cannot be merged ({reason})",
    "print-unreadable-docx": "{path}: not a Word document that can be read, so it cannot be converted to PDF ({reason})",
    "print-unreadable-body": "{path}: the document's body cannot be read, so it cannot be merged for printing ({reason})",
    "print-no-section": "{path}: the document has no section settings (w:sectPr), so it cannot be merged for printing",
    "print-letter-start": ("{path}: the first page of document {number} cannot be found in the PDF, so it cannot be "
                           "split into documents; try again, or convert them one by one"),
    "print-split-failed": "{path}: the PDF cannot be split ({reason})",
}


MESSAGES = MessageTable("documents", {
    # template data (Template.check)
    "data-not-mapping": "数据应为映射（“字段: 值”）",
    "lone-surrogate": "含有无效字符（孤立的 UTF-16 代理项）；请删除或改正该值",
    "sum-mismatch": lambda f: f"{f['label']}合计应为{f['expected'].normalize():f}，实际为{f['actual'].normalize():f}",
    "votes-short": "同意票所代表的表决权为{ratio_pct:.2f}%，未达到{basis}的{needed_pct:.2f}%（{threshold}），不能据此决议办理",
    "total-mismatch": "合计{given:,.2f}与{parts}之和{expected:,.2f}不一致",
    "date-order": _date_order,
    "not-positive": lambda f: f.get("message") or "金额应大于零",
    "not-zero": lambda f: f"{f.get('message') or '金额应为零'}，收到 {f['value']:,.2f}",
    "amount-above": lambda f: (f"{f.get('message') or '不应大于' + str(f['limit_field'])}，"
                               f"收到 {f['value']:,.2f}（大于 {f['limit']:,.2f}）"),
    "period-run-out": lambda f: (f"{f.get('message') or '期间已届满'}（自{f['start']}起算，{f['deadline']}届满），"
                                 f"收到 {f['on']}"),
    # filling a template (render errors)
    "undefined-field": lambda f: f"未提供（模板需要此字段）{where(f)}",
    "unsafe-expression": lambda f: f"不安全的模板表达式：{f['error']}{where(f)}",
    "fill-failed": lambda f: f"{f['error']}{where(f)}",
    # ... and the error's own line, naming the template (and the row in a batch)
    "undefined-field/error": lambda f: f"模板 {f['template']}：字段 {f['field']} 未提供{where(f)}{_row(f)}",
    "unsafe-expression/error": lambda f: f"模板 {f['template']}：不安全的模板表达式{where(f)}：{f['error']}{_row(f)}",
    "fill-failed/error": lambda f: f"模板 {f['template']}：无法填写{where(f)}：{f['error']}{_row(f)}",
    # ... and the headline of an error carrying several problems
    "data-rejected/error": lambda f: f"模板 {f['template']}{_row(f)}：数据未通过检查（{f['count']} 处问题）",
    "rows-rejected/error": lambda f: (f"模板 {f['template']}：{_source(f)}"
                                      + (f"第{'、'.join(map(str, f['rows']))}行" if f["rows"] else f"{f['count']} 处")
                                      + "数据有误，未生成任何文书；请改正后重新运行（或用 --skip-invalid 跳过这些行）"),
    "rows-rejected/stopped": lambda f: (f"模板 {f['template']}：{_source(f)}读到第{f['row']}行时已有超过 {f['count']} 行"
                                        "数据有误，其后的行未再检查，未生成任何文书；"
                                        f"下面列出前 {f['count']} 行，请改正（并确认选对了文件和工作表）后重新运行"),
    # ... the same for (key, data) items given by a program: no row, their position and key instead
    "items-rejected/stopped": ("模板 {template}：检查到第{position}项（唯一编号{key!q}）时已有超过 {count} 项数据有误，"
                               "其后的项未再检查，未生成任何文书；下面列出前 {count} 项，请改正后重新运行"),
    "invalid-xml/error": lambda f: (f"模板 {f['template']}{_row(f)}：生成的 {f['member']} 不是有效的 XML（{f['error']}）；"
                                    "请运行 docgen templates lint 检查模板标签"),
    # the batch's text report
    "batch-text/head": lambda f: (f"模板 {f['template']}：写入 {f['written']} 份，跳过 {f['skipped']} 份（已出具）"
                                  + (f"，{f['invalid']} 行数据有误未生成" if f["invalid"] is not None else "")),
    "batch-text/document": lambda f: f"  [{_MARKS[f['status']]}] {_row_at(f)}{f['serial']}  {f['key']}  {f['name']}",
    "batch-text/merged": "合并打印 PDF：{path}",
    "batch-text/manifests": "清单：{csv}  {json}",
    "batch-text/in-progress": lambda f: (f"另一个正在运行的批次已预留以下 {len(f['serials'])} 份，本次未生成："
                                         + "、".join(f["serials"][:20]) + ("…" if len(f["serials"]) > 20 else "")),
    "batch-text/invalid-head": "以下 {count} 行数据有误，未生成：",
    # batch rows
    "number-truncated": "超过15位的数字已被 Excel 截断，请把该列设为文本后重新录入",
    "keyed": "[{key}] {message}",
    # a (key, data) item given by a program has no row: its position names it
    "missing-key": lambda f: (f"第{f['position']}项缺少唯一编号" if f.get("position") is not None
                              else "缺少这一行的唯一编号") + "（登记簿以它识别同一份文书）",
    "serial-taken": ("编号 {serial} 已由登记簿 {register} 出具给 {holder}，不能再用于本文书；"
                     "请删去数据中的 serial（由登记簿编号），或改正 {key_field}"),
    "serial-differs": ("登记簿 {register} 已为本文书（{key_field} {key}）编号 {issued}，与数据中的编号 {serial} 不符，"
                       "一份文书不能有两个编号；请删去数据中的 serial，或改为 {issued}"),
    "entries-uneven": lambda f: ("各列的项数不一致（" + "，".join(f"{column} {count} 项" for column, count in f["counts"])
                                 + "）；多项以“、”分隔，请逐项对应"),
    "duplicate-key": lambda f: (
        (f"第{f['position']}项的唯一编号 {f['key']} 与第{f['earlier_position']}项" if f.get("position") is not None
         else f"{f['key']} 与{'第%s行' % f['earlier_row'] if f.get('earlier_row') is not None else '前面'}")
        + f"重复：同一{f.get('label') or f['field']}只能出一份文书"),
    # lint
    "broken-tag": "标签 {tag} 不完整或不成对（标签不能跨段落，也不能缺少括号）：{snippet}",
    "unclosed-block": "{{% {keyword} %}} 没有对应的 {{% end{keyword} %}}：{snippet}",
    "unexpected-end": "{{% {keyword} %}} 前面没有对应的 {{% {opening} %}}：{snippet}",
    "syntax/xml": "XML 损坏：{error}",
    "syntax/assertion": "模板语法错误：{error}",
    "syntax/parse": "模板语法错误（{error}）：{snippet}",
    "unknown-filter": lambda f: f"{MESSAGES.text('filter-unknown', f)}：{f['snippet']}",
    "filter-unknown": "没有名为 {filter} 的过滤器（可用：{available} 及 Jinja 内置过滤器）",
    "unknown-variable": "变量 {name} 不在模板 {template} 的字段定义中（拼写错误？）：{snippet}",
    "unused-variable": "必填字段 {name} 在文档中没有使用（被删掉了？）",
    "east-asian-font/no-styles": "文档没有样式表，无法设定中文字体；请在 Word 中设置正文样式的中文字体",
    "east-asian-font/defaults": "文档默认字体未设置中文字体（w:eastAsia）；请在 Word 的字体对话框中设置“中文字体”（如宋体）",
    "east-asian-font/style": "样式“{style}”设置了西文字体 {latin} 但未设置中文字体（w:eastAsia）",
    "east-asian-font/run": "中文文字设置了西文字体 {latin} 但未设置中文字体，将沿用样式的中文字体：{snippet}",
    "ascii-punctuation": lambda f: (f"中文中使用了半角标点（{'、'.join(f'“{m}”→{_FULL_WIDTH_FORMS[m]}' for m in f['marks'])}），"
                                    f"应使用全角标点（GB/T 15834）：{f['snippet']}"),
    # where lint found a problem (its ``location``)
    "place/paragraph": "第{index}段",
    "place/cell": "表格{table} 第{row}行 第{column}列",
    "place/in-part": "{part} {place}",
    "lint-where/style-defaults": "word/styles.xml 默认字体",
    "lint-where/lang-defaults": "word/styles.xml 默认语言",
    "lint-where/style": "word/styles.xml 样式 {style}",
    "lint-where/preprocessed": "{part} 预处理后第{line}行",
    # lint's text report
    "lint-text/problem": lambda f: f"{_SEVERITY.get(f['severity'], f['severity'])} [{f['code']}] {f['location']}：{f['message']}",
    "lint-text/variables": lambda f: f"{f['path']}：变量 {'、'.join(f['variables']) or '（无）'}",
    "lint-text/summary": lambda f: (f"{f['errors']} 个错误，{f['warnings']} 个警告"
                                    + ("，模板可以使用" if not f["errors"] else "，请修改后再使用")),
    "east-asian-lang": "文档默认语言未设为中文（“w:lang w:eastAsia=\"zh-CN\"”）；请在 Word 的“语言”中将东亚语言设为中文（中国）",
    # the register's own state (Register.audit), and the detail each names
    "register/corrupt": "数据库已损坏（SQLite 完整性检查：{detail}）；请从备份恢复登记簿（连同 -wal 文件）",
    "register/replaced": "不是原来的登记簿（{detail}）；请从备份恢复，确认要另起新登记簿时才加 --new-register",
    "register/truncated": "记录被截断或回退（{detail}）；可能恢复时缺少 -wal 文件，请从备份完整恢复",
    "register/altered": "模板 {template} 编号 {serial} 的记录被改动，或它之前的一条记录被删除",
    "register/gap": "模板 {template} 缺少第 {seq} 号记录（编号序列中断，记录被删除）",
    "register/unanchored": "登记簿旁没有校验文件（.anchor），无法证明它未被替换；已重新建立",
    "register-detail/foreign-anchor": "校验文件 .anchor 属于另一个登记簿或已损坏",
    "register-detail/short": "校验文件记录应有 {records} 条、最后一条为 {last}，现有 {count} 条",
    "register-detail/integrity": lambda f: f"{f['first']}" + (f" 等 {f['count']} 处" if f["count"] > 1 else ""),
    "register-detail/no-database": "数据库文件不存在，校验文件记录原有 {records} 条",
    "register-migrate/done": "已迁移登记簿 {source} → {target}：{records} 条记录、{templates} 个模板的编号序列；"
                              "副本已逐条核对一致并通过检查。请改用新登记簿，不要再向旧文件分配编号",
    # the register cannot be used (RegisterError and its kinds)
    "register-open-damaged": "{register}：无法打开登记簿数据库（{reason}）；请从备份恢复登记簿（连同 -wal 文件）",
    "register-open-failed": "{register}：无法打开登记簿（{reason}）",
    "register-emptied": lambda f: (f"{f['register']}：这里原有一个登记簿（共 {f['records']} 条记录"
                                   + (f"，最后一份为 {f['last_template']} {f['last_serial']}" if f.get("last_serial") else "")
                                   + "），现在数据库为空或已不存在；编号不会从头再来。请从备份恢复登记簿（连同 -wal 文件）；"
                                   "确认要另起新登记簿时加 --new-register"),
    "register-unsound/anchor": _unsound("不再从它分配编号"),
    "register-unsound/issue": _unsound("不再从它分配编号（运行 docgen register verify 查看）"),
    "register-unsound/migrate-source": _unsound("损坏的登记簿不迁移，请先从备份恢复"),
    "register-unsound/migrate-copy": _unsound("迁移后的副本未通过检查"),
    "register-busy": lambda f: (f"{f['register']}：登记簿" + (f"被 {f['holder']} 占用" if f.get("holder") else "被另一个程序占用")
                                + f"，等待 {f['seconds']:.0f} 秒仍未释放；请等它结束（或结束它）后重新运行"),
    "register-readonly": "{register}：登记簿以只读方式打开，不能写入",
    "register-serial-clash": "{register}：模板 {template} 的编号 {serial} 已用于 {row_key}；编号格式必须包含流水号（seq）",
    "register-not-reserved": "{register}：模板 {template} 的 {row_key} 没有预留编号，无法登记",
    "register-db-locked": "{register}：登记簿被另一个程序占用（{reason}）；请等它结束后重新运行",
    "register-write-failed": "{register}：登记簿写入失败（{reason}）",
    "register-db-damaged": "{register}：登记簿数据库已损坏（{reason}）；请从备份恢复登记簿（连同 -wal 文件）",
    "register-path-unusable": "{path}：无法访问登记簿（{reason}）；请检查 --register 的路径",
    "register-no-key": "模板 {template}：缺少 {key_field}，无法在登记簿中分配编号",
    "register-needs-psycopg": "{register}：PostgreSQL 登记簿需要 psycopg；请安装 docgen[scale]（“pip install 'docgen[scale]'”）",
    "register-unreachable": "{register}：无法连接登记簿数据库（{reason}）；请检查服务器地址、端口和口令（~/.pgpass）",
    "register-migrate/no-source": "{source}：没有登记簿可迁移；请检查 --from 的路径",
    "register-migrate/same": "{target}：迁移的目标就是源登记簿；请换一个 --to",
    "register-migrate/not-empty": "{target}：目标登记簿已有 {count} 条记录；只能迁移到空的登记簿（否则两个编号序列会混在一起）",
    "register-migrate/differs": "{target}：迁移后的副本与源登记簿 {source} 不一致；请勿使用该副本",
    "register-waiting": lambda f: (f"登记簿 {f['register']} " + (f"被 {f['holder']} 占用" if f.get("holder") else "被另一个程序占用")
                                   + f"，已等待 {f['elapsed']:.0f} 秒（最多 {f['limit']:.0f} 秒）…"),
    # templates and their metadata (TemplateError)
    "template-name-missing": "请给出模板名称或 --template 文件",
    "template-unknown": lambda f: f"未知模板 {f['name']}（可用：{_known(f)}）",
    "template-file-not-found": "模板文件不存在：{path}",
    "template-no-schema-file": "{path}：找不到字段定义；请用 --schema 指定模板名称（如 demand-letter）或 .yaml 文件",
    "template-unreadable": "无法读取模板 {path}：{reason}",
    "template-not-docx": "{path}：不是有效的 Word .docx 文件（应为 zip 格式；.doc 请在 Word 中另存为 .docx）",
    "template-part-too-large": ("{path}：其中的 {member} 解压后 {megabytes} MB，超过模板可用的上限 {limit} MB；"
                                "请确认选对了文件，或在 Word 中打开后另存为 .docx 再重试"),
    "template-not-word": lambda f: (f"{f['name']}：" if f.get("name") else "")
                                   + f"不是有效的 Word .docx 文件，请在 Word 中打开并另存为 .docx（{f['reason']}）",
    "template-tag-syntax": lambda f: (f"{f['path']}：{f['where']}模板标签有误：{f['reason']}。该段：{f['snippet']}。"
                                      f"请运行 docgen templates lint {command_word(str(f['path']))} 查看详情"),
    "template-unknown-variables": lambda f: (
        f"{f['path']}：模板中的变量 " + "、".join(
            name + (f"（应为 {like}？）" if like else "") for name, like in zip(f["unknown"], f["like"]))
        + ("" if f["like"][-1] else " ")
        + f"不是模板 {f['template']} 的字段；请在 Word 中改正这些标签（docgen templates lint {command_word(str(f['path']))}"
        + (f" --schema {f['schema']}" if f.get("schema") else "") + " 列出所在段落）"),
    "meta-no-schema": "{path}：缺少 schema（字段定义）",
    "meta-pattern-syntax": "{file}：{key} 格式错误：{reason}",
    "meta-pattern-field": "{file}：{key} 中的占位符 {{{field}}} 只能是字段名",
    "meta-unknown-rule": joined("{file}：未知规则{rule!q}（可用：{available}）", "available"),
    "meta-rule-when-field": "{file}：规则 {rule} 的 {key} 字段 {field} 不在 schema 中",
    "meta-key-field": "{file}：key_field {key_field} 不在 schema 中",
    "meta-alias-field": "{file}：aliases 中的字段 {field} 不在 schema 中",
    "meta-unprinted-field": ("{file}：字段 {field} 标为正文不打印（printed: false），但 key_field、date_field、"
                             "serial、filename 都没有用到它"),
    "serial-pattern-unusable": "{file}：serial 格式{pattern!q}无法使用：{reason}",
    "filename-pattern-field": "{file}：filename 格式{pattern!q}缺少字段 {reason}",
    "meta-bundle-missing": "{file}：缺少“bundle:”（模板字段与 bundle.yaml 键的对应关系）",
    "meta-bundle-field": "{file}：bundle.{field} 不是模板 schema 中的字段",
    "where/key": "{where}：{key}",
    "meta-bundle-each": "{file}：bundle.{field} 应写作“{{each: 列表, fields: {{字段: 表达式}}}}”",
    "lint-unreadable": "无法读取 {path}：{reason}",
    "lint-not-docx": "{path}：不是有效的 Word .docx 文件（.doc 请在 Word 中另存为 .docx）",
    "lint-no-document": "{path}：缺少 word/document.xml，不是 Word 文档",
    "lint-damaged": "{path}：不是有效的 Word .docx 文件，其中的 {member} 无法读取（{reason}）；请在 Word 中打开并另存为 .docx",
    # what a data file, a template's metadata or a default is called in errors (``what`` of read_mapping)
    "file/template-meta": "模板说明",
    "file/template-meta-hint": "(title, schema, …)",
    "file/data": "数据文件",
    "file/data-hint": "，如“borrower: 张三”",
    # values a template's filters, rules and pictures refuse (InvalidValueError)
    "value-none": "值为空（None），模板中不能出现空白",
    "ratio-format": "表决比例应写作 2/3、0.5 或 66.67%，收到{value!q}",
    "ratio-range": "表决比例应在 0 与 1 之间，收到{value!q}",
    "image-format": "图片应为 PNG 或 JPEG",
    "image-width": "图片宽度应大于零",
    "image-outside-body": "图片只能放在正文中（页眉、页脚不支持）",
    "document-too-large": "文档过大（超过 4 GB）",
    # the sandbox's limits (jinja's SecurityError carries these)
    "render-too-slow": "模板渲染超过 {seconds:.0f} 秒（循环过多？），已停止",
    "render-too-big": "模板表达式的结果过大（约 {size:,} 个字符，上限 {limit:,}），已停止",
    "render-power-too-big": "模板表达式 {left} ** {right} 的结果过大，已停止",
    # batches and drafts that cannot start
    "batch-unknown-defaults": joined("模板 {template} 没有字段 {unknown}（可用字段：{fields}）", "unknown", "fields"),
    "batch-no-rows": "{path}：表格中没有数据行（只有表头）；请检查是否选错了文件或工作表（--sheet）",
    "batch-amount-unit": lambda f: (f"{f['path']}：{core_messages.sheet_cell(f)} 的{quoted(f['text'])}"
                                    f"写明金额以{f['unit']}为单位，但表格的金额一律按元读取，"
                                    "按元读会把文书中的每一笔金额写错；请把各金额列换算成元（单位写“元”）后重试"),
    "batch-unwritable": "无法写入 {where}（{reason}）；请检查输出文件夹 {out_dir} 的写入权限和磁盘空间",
    "draft-no-annex": "没有附件 {annex} 的模板",
    "draft-unknown-annexes": joined("没有附件 {unknown} 的模板（可起草的附件：{known}）", "unknown", "known"),
    "draft-zip-needs-out": "{bundle}：资料包是 zip 文件，请用 --out 指定起草文件的输出文件夹",
    # PDF conversion, merging and print runs (ConversionError)
    "soffice-missing": _INSTALL_HINT,
    "soffice-env-missing": "DOCGEN_SOFFICE 指向的 {path} 不存在。" + _INSTALL_HINT,
    "soffice-timeout": "LibreOffice 转换超时（{seconds:.0f} 秒，{count} 个文件，首个 {first}）；请重试，或减少一次转换的文件数",
    "soffice-start-failed": "无法启动 LibreOffice（{soffice}）：{reason}",
    "conversion-failed": _conversion_failed,
    "convert-missing-files": lambda f: "找不到要转换的文件：" + "、".join(f["missing"]),
    "convert-same-names": lambda f: "同名文件会生成同名 PDF，无法一起转换：" + "、".join(f["names"]),
    "merge-nothing": "没有可合并的 PDF",
    "merge-unreadable": "{path}：无法读取 PDF，不能合并（{reason}）",
    "print-unreadable-docx": "{path}：不是可读取的 Word 文档，无法转换为 PDF（{reason}）",
    "print-unreadable-body": "{path}：无法读取文书正文，不能合并打印（{reason}）",
    "print-no-section": "{path}：文书缺少分节设置（w:sectPr），不能合并打印",
    "print-letter-start": "{path}：PDF 中找不到第 {number} 封文书的起始页，无法按文书拆分；请重试或逐份转换",
    "print-split-failed": "{path}：无法拆分 PDF（{reason}）",
    # draft's text report
    "draft-text/drafted": "{label}：已起草 {path}（编号 {serial}）",
    "draft-text/pdf": "    PDF：{pdf}",
    "draft-text/bank-template": ("{label}：本行自有合同，请用 --template 我行协议书.docx 起草"
                                 "（先用 docgen templates lint 我行协议书.docx --schema {template} 核对字段）"),
    "draft-text/missing": "{label}：缺少数据，未起草；请在 bundle.yaml 中填写：",
    "draft-text/hint": "    {key}：{hint}",
    "draft-hint/invalid": "有误：{detail}",
    "draft-hint/fill-in": "请在 bundle.yaml 中填写",
    "draft-hint/misspelt": "{label}（bundle.yaml 中有 {key}，是这个键写错了吗？请改成 {right}）",
    "draft-text/total": "共 {total} 份：已起草 {drafted} 份，未起草 {left} 份。",
    # register list / verify
    "register-list/empty": "登记簿 {register} 中没有记录",
    "register-template-unknown": lambda f: (f"登记簿 {f['register']} 中没有模板 {f['template']} 的记录，也没有这个模板"
                                            f"（登记簿中的模板：{'、'.join(f['recorded']) or '无'}）；请检查 {f['option']} 的拼写"),
    "register-list/head": "登记簿 {register}：{count} 条",
    "register-list/reserved-state": "{created}（已预留，未生成）",
    "register-list/reserved": lambda f: (f"其中 {len(f['serials'])} 个编号已预留但未生成文书（{f['serials'][0]}"
                                         + (f" 至 {f['serials'][-1]}" if len(f['serials']) > 1 else "")
                                         + "）：重新运行原批次即按这些编号生成"),
    "register-verify/issue": "登记簿 {register}：{message}",
    "register-verify/changed": "{serial}  {file}：已被改动",
    "register-verify/missing": "{serial}  {file}：文件不存在",
    "register-verify/unreadable": "{serial}  {file}：无权读取（权限不足），无法核对；请检查文件权限后重新核对",
    "register-verify/incomplete": "{serial}  {file}：已预留编号但未生成文件",
    "register-verify/summary": lambda f: (f"登记簿 {f['register']}：检查 {f['checked']} 份，"
                                          + ("全部完好" if not f["bad"] else f"{f['bad']} 处有问题")),
}, ENGLISH)


def in_english(error: Exception) -> str:
    """Return ``error`` (what stops ``docgen templates list|show``: a template unknown, its folder or a
    file of it unreadable, its metadata unusable) worded in English by its code and facts: by this
    part's table, or by core's (a permission refused, a metadata file that cannot be read or parsed);
    its own (Chinese) text when neither has English for its code."""
    return english_of(error, MESSAGES, core_messages.MESSAGES)
