"""Core's message table: the wording of data-validation and spreadsheet problems, and of the
errors of core's readers, value parsers, conditions and output files (Chinese); in English too,
the problems a bundle.yaml value can have (validation's and the value parsers'), a refused
permission to read a bundle's file and what is wrong with a checklist's condition, which
``docgen check --lang en`` reports, and why a spreadsheet, its cells or a data file cannot be read,
which the service's English pages show.

Codes are the identity programs and tests use; the sentences here are only what users read.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from docgen.core.wording import MessageTable, joined, quoted

__all__ = ["CONTENT_NAMES", "CONTENT_NAMES_EN", "MESSAGES", "PAGE_FOOTER", "TYPE_NAMES", "TYPE_NAMES_EN", "english_column"]

#: A document's page-number footer by language: ``{PAGE}`` and ``{NUMPAGES}`` stand where Word's
#: fields of those names go (``docgen.core.docxbuild.add_page_number_footer``).
PAGE_FOOTER = {"zh": "第 {PAGE} 页 共 {NUMPAGES} 页", "en": "Page {PAGE} of {NUMPAGES}"}

#: Schema type -> the name users recognise.
TYPE_NAMES = {
    "string": "文本", "integer": "整数", "number": "数字", "float": "数字", "boolean": "是/否",
    "date": "日期（YYYY-MM-DD）", "amount": "金额", "list": "列表", "dict": "映射",
}
TYPE_NAMES_EN = {
    "string": "text", "integer": "a whole number", "number": "a number", "float": "a number",
    "boolean": "yes/no", "date": "a date (YYYY-MM-DD)", "amount": "an amount", "list": "a list",
    "dict": "a mapping",
}

#: What a file given as a table or a YAML/JSON file really holds (``docgen.core.sniff`` kinds), in
#: the words of ``excel-not-workbook``, ``table-not-text`` and ``datafile-not-text``.
CONTENT_NAMES = {"pdf": "PDF 文件", "docx": "Word 文档", "doc": "Word 97-2003 文档", "xlsx": "Excel 工作簿",
                 "xls": "Excel 97-2003 工作簿", "jpg": "图片", "png": "图片", "tiff": "图片",
                 "zip": "ZIP 格式的文件，如压缩包或改了扩展名的 .xlsx 工作簿",
                 "archive": "ZIP 压缩包，其中没有 Excel 工作簿的内容", "unknown": "无法识别的内容",
                 "empty": "空文件，0 字节", "ole": "Office 97-2003 格式的其他文件"}

#: ``CONTENT_NAMES`` in English, by the same kinds.
CONTENT_NAMES_EN = {"pdf": "a PDF file", "docx": "a Word document", "doc": "a Word 97-2003 document",
                    "xlsx": "an Excel workbook", "xls": "an Excel 97-2003 workbook", "jpg": "an image",
                    "png": "an image", "tiff": "an image",
                    "zip": "a ZIP file, such as an archive or an .xlsx workbook renamed",
                    "archive": "a ZIP archive without a workbook's content", "unknown": "content not recognised",
                    "empty": "an empty file, 0 bytes", "ole": "another Office 97-2003 file"}
#: A content's Chinese name, as an error's facts hold it, -> its English one.
_CONTENT_EN = {CONTENT_NAMES[kind]: english for kind, english in CONTENT_NAMES_EN.items()}


def _content_en(name: Any) -> str:
    """Return what a file holds (a ``CONTENT_NAMES`` value, as the facts give it) in English."""
    return _CONTENT_EN.get(str(name), str(name))


#: Why an identification number failed (``facts["reason"]``) -> the words after the number's name.
_REASONS = {
    "checksum": "校验位错误",
    "length": "长度错误",
    "format": "格式错误",
    "component": "含无效成分（如出生日期或地区码）",
}
_REASONS_EN = {
    "checksum": "has a wrong check character", "length": "has the wrong length", "format": "is malformed",
    "component": "contains an invalid part (such as a birth date or an area code)",
}


def _type(facts: Mapping[str, Any]) -> str:
    return "类型应为" + "或".join(TYPE_NAMES.get(n, str(n)) for n in facts["expected"])


def _type_en(facts: Mapping[str, Any]) -> str:
    return "should be " + " or ".join(TYPE_NAMES_EN.get(n, str(n)) for n in facts["expected"])


def _resident_id(facts: Mapping[str, Any]) -> str:
    if facts["reason"] == "length":
        return f"居民身份证号应为18位，实际为{facts['length']}位"
    if facts["reason"] == "future-birth":
        return "居民身份证号中的出生日期晚于今天"
    return "居民身份证号" + _REASONS.get(facts["reason"], "无效")


def _resident_id_en(facts: Mapping[str, Any]) -> str:
    whole = {"length": f"a resident ID number has 18 characters, not {facts.get('length')}",
             "future-birth": "the birth date in the resident ID number is after today"}
    return whole.get(facts["reason"]) or "the resident ID number " + _REASONS_EN.get(facts["reason"], "is invalid")


def _amount_not_number(facts: Mapping[str, Any]) -> str:
    # A bool is no amount even though Python counts it a number; its repr would only confuse.
    value = facts.get("value")
    return "金额应为数字" if isinstance(value, bool) or "value" not in facts else f"金额应为数字，收到{quoted(value)}"


def _amount_not_number_en(facts: Mapping[str, Any]) -> str:
    value = facts.get("value")
    return ("an amount should be a number" if isinstance(value, bool) or "value" not in facts
            else f"an amount should be a number, not {value!r}")


def _not_convertible_en(facts: Mapping[str, Any]) -> str:
    # A value parser's refusal (a date, an amount) carries its own code and facts (``cause``):
    # worded from them. Any other coercer's reason is the library's own sentence.
    cause = facts.get("cause")
    if cause and cause in MESSAGES.codes("en"):
        return MESSAGES.text(cause, facts, "en")
    return f"cannot convert: {facts['reason']}"


#: The program that saves a spreadsheet in its own format as .xlsx (by the file's suffix).
_SAVED_BY = {".et": "WPS", ".ett": "WPS", ".ods": "LibreOffice 或 WPS", ".numbers": "Numbers"}


def _header_missing_columns(facts: Mapping[str, Any]) -> str:
    """The header row lacks required columns: which, and what the row holds instead that explains it
    (a title row above the header, a renamed column, a merged header cell leaving a column untitled)."""
    head = f"{facts['path']}：第{facts['row']}行"
    strangers, blanks = facts.get("strangers") or [], facts.get("blanks") or []
    if not facts.get("matched") and strangers:
        # Not one column name known: this row is a title or a note above the header.
        return (head + f"不是表头（没有一个可识别的列名：{'、'.join(strangers[:3])}"
                + ("…" if len(strangers) > 3 else "") + "），其下十行内也没有表头；表头上方可以有标题行、单位行（至多十行），"
                "表头本身须写明可识别的列名：请检查列名，删去表头上方多余的行，或检查是否选错了文件或工作表")
    text = head + f"表头缺少必需的列：{facts['wanted']}；请在表头加上这些列"
    if strangers:
        text += f"（未识别的列：{'、'.join(strangers)}，若是改了名，请改回上述列名）"
    if blanks:
        text += f"（{'、'.join(blanks)} 列表头为空，合并单元格的表头请拆分后逐列填写）"
    return text


def sheet_cell(facts: Mapping[str, Any]) -> str:
    """Return the cell of ``facts`` (``A2``) named as a workbook's problems name it: with its sheet
    (``工作表“台账”的 A2``) when ``facts`` name one (``tabular.where_read``), alone for a CSV's."""
    sheet = f"工作表{quoted(facts['sheet'])}的 " if facts.get("sheet") else ""
    return f"{sheet}{facts['cell']}"


def sheet_cell_en(facts: Mapping[str, Any]) -> str:
    """``sheet_cell`` in English: ``A2 of sheet '台账'``."""
    sheet = f" of sheet {str(facts['sheet'])!r}" if facts.get("sheet") else ""
    return f"{facts['cell']}{sheet}"


#: The units of amount other than the yuan a sheet may state (``values.other_unit``), in English.
UNITS_EN = {"百万元": "millions of yuan (百万元)", "万元": "tens of thousands of yuan (万元)",
            "千元": "thousands of yuan (千元)", "亿元": "hundreds of millions of yuan (亿元)", "美元": "US dollars",
            "港元": "Hong Kong dollars", "港币": "Hong Kong dollars", "欧元": "euros", "日元": "yen",
            "英镑": "pounds sterling"}


def unit_en(facts: Mapping[str, Any]) -> str:
    """Return the ``unit`` of ``facts`` (a ledger's or a batch sheet's ``amount-unit``) in English,
    as ``UNITS_EN`` names it, else as written (千万元)."""
    return UNITS_EN.get(facts["unit"], facts["unit"])


def _cell_error(facts: Mapping[str, Any]) -> str:
    """An Excel error value where a cell's value should be: which cell of which sheet, why it is no
    value, and that an empty cell is no way round it (it says the item is not there)."""
    if facts.get("csv"):
        head = f"该格是 Excel 的错误值 {facts['value']}（另存为 CSV 之前公式就没有算出结果）"
    else:
        head = f"{sheet_cell(facts)} 是 Excel 的错误值 {facts['value']}（公式没有算出结果）"
    return (head + "，不是数据，也不能当作空白（空白表示没有这一项，日期为空即该事未发生）；"
                   "请把公式的错误改为实际的值，确实没有的留空，然后重试")


def _cell_error_en(facts: Mapping[str, Any]) -> str:
    """``_cell_error`` in English."""
    if facts.get("csv"):
        head = (f"the cell holds Excel's error value {facts['value']} (its formula found no result before the "
                "sheet was saved as CSV)")
    else:
        head = f"{sheet_cell_en(facts)} holds Excel's error value {facts['value']} (its formula found no result)"
    return (head + ", which is no data and cannot be read as an empty cell either (an empty cell says there is "
                   "none, an empty date that it never happened); replace the formula's error with the value, or leave "
                   "the cell empty where there is none, and try again")


def _untitled_where(facts: Mapping[str, Any], ways: tuple[str, str, str]) -> str:
    """Return which of ``ways`` (a CSV's column, a workbook's with its sheet, one without) names the
    untitled column of ``column-untitled``."""
    return ways[0] if facts.get("csv") else ways[1] if facts.get("sheet") else ways[2]


def _column_untitled(facts: Mapping[str, Any]) -> str:
    """A column holding data under an empty header cell: where, from which row, why its header is
    empty when a merged header cell covers it, and the two ways to fix it."""
    where = _untitled_where(facts, (f"{facts['path']}：第{facts['number']}列（{facts['letter']} 列）",
                                    f"{facts['path']}：工作表{quoted(facts['sheet'])}的 {facts['letter']} 列",
                                    f"{facts['path']}：{facts['letter']} 列"))
    cell = "" if facts.get("csv") else f"（{facts['cell']}）"
    if facts.get("leading"):
        # left of the first title, where only row numbers and totals labels are expected
        return where + (f"表头为空{cell}，位于第一个表头左侧，但该列第{facts['row']}行有数据{quoted(facts['value'])}"
                        "（不是序号或合计），无表头的数据无法读取；表格可能整体错位，请核对各列数据是否与表头对齐，"
                        "或给该列填写表头，或删除该列")
    text = where + f"表头为空{cell}，但该列第{facts['row']}行起有数据，无表头的数据无法读取"
    if facts.get("merged"):
        return text + (f"：{facts['cell']} 在合并单元格 {facts['merged']} 中，表头{quoted(facts['title'])}只属于"
                       f" {facts['first']} 列；请取消合并，给 {facts['letter']} 列填写表头；"
                       "确认该列数据无用的，方可删除该列")
    return text + "；请给该列填写表头，或删除该列"


def _what_en(facts: Mapping[str, Any]) -> str:
    """What a data file is (``read_mapping``'s ``what_en``: ``collection policy file``), or ``file``."""
    return str(facts.get("what_en") or "file")


def english_column(name: str) -> str:
    """Return a column as English names it, the sheet's own header kept: ``T（诉讼状态）`` as
    ``T (诉讼状态)``, ``诉讼状态（litigation）`` as ``诉讼状态 (litigation)``."""
    return re.sub(r"（([^）]*)）", r" (\1)", name)


def _english_list(text: str) -> str:
    """Return a list of columns joined the Chinese way (、) as English joins and brackets them."""
    return english_column(str(text)).replace("、", ", ")


def _header_missing_columns_en(facts: Mapping[str, Any]) -> str:
    """``_header_missing_columns`` in English: the columns by letter, each with the sheet's own title."""
    head = f"{facts['path']}: row {facts['row']}"
    strangers = [english_column(s) for s in facts.get("strangers") or []]
    blanks = facts.get("blanks") or []
    if not facts.get("matched") and strangers:
        return (head + f" is not the header (not one column name is known: {', '.join(strangers[:3])}"
                + ("…" if len(strangers) > 3 else "") + "), nor is any of the ten rows below it; a title or a "
                "unit row (ten rows at most) may stand above the header, but the header itself must give known "
                "column names: check them, delete the extra rows above the header, and check that the right file "
                "and sheet were chosen")
    text = head + f": the header lacks the required columns {_english_list(facts['wanted'])}; add them to the header"
    if strangers:
        text += f" (columns not recognised: {', '.join(strangers)}; if one was renamed, give it the name above)"
    if blanks:
        text += (f" (the header of {'column' if len(blanks) == 1 else 'columns'} {', '.join(blanks)} is empty: "
                 "unmerge a merged header cell and give each column its own title)")
    return text


def _column_untitled_en(facts: Mapping[str, Any]) -> str:
    """``_column_untitled`` in English."""
    where = _untitled_where(facts, (f"{facts['path']}: column {facts['number']} ({facts['letter']})",
                                    f"{facts['path']}: column {facts['letter']} of sheet {str(facts['sheet'])!r}",
                                    f"{facts['path']}: column {facts['letter']}"))
    cell = "" if facts.get("csv") else f" ({facts['cell']})"
    if facts.get("leading"):
        return where + (f" has an empty header{cell}, left of the first header, but holds {str(facts['value'])!r} "
                        f"in row {facts['row']} (neither a row number nor a total); data without a header cannot be "
                        "read; the table may be shifted: check that each column's data sit under its header, or give "
                        "the column a header, or delete it")
    text = where + (f" has an empty header{cell} but holds data from row {facts['row']} on; data without a header "
                    "cannot be read")
    if facts.get("merged"):
        return text + (f": {facts['cell']} lies in the merged cell {facts['merged']}, whose header "
                       f"{str(facts['title'])!r} belongs to column {facts['first']} only; unmerge it and give column "
                       f"{facts['letter']} a header; delete the column only once you are sure its data are not needed")
    return text + "; give the column a header, or delete it"


def _too_many_cells(facts: Mapping[str, Any]) -> str:
    declared = f"（声明范围到 {facts['declared']}）" if facts.get("declared") else ""
    return (f"{facts['path']}：工作表有内容写到 {facts['corner']}{declared}，共约 {facts['rows']} 行 × "
            f"{facts['columns']} 列，超过可读上限 {facts['limit']:,} 格；请在 Excel 中删除最后一行、一列之后的"
            "多余单元格（Ctrl+End 可定位）后另存")


def _too_many_cells_en(facts: Mapping[str, Any]) -> str:
    declared = f" (its range declared to {facts['declared']})" if facts.get("declared") else ""
    return (f"{facts['path']}: the sheet has content up to {facts['corner']}{declared}, about {facts['rows']} rows × "
            f"{facts['columns']} columns, over the {facts['limit']:,} cells that can be read; in Excel delete the "
            "cells past the last row and column (Ctrl+End finds them) and save again")


#: ``_SAVED_BY`` in English.
_SAVED_BY_EN = {".et": "WPS", ".ett": "WPS", ".ods": "LibreOffice or WPS", ".numbers": "Numbers"}


def _format_unknown_en(facts: Mapping[str, Any]) -> str:
    suffix = str(facts["suffix"]).lower()
    return (f"{facts['path']}: unknown table format {facts['suffix'] or '(no extension)'}; give an .xlsx, .xls or "
            ".csv file" + (f" (save it as .xlsx with 'Save As' in {_SAVED_BY_EN[suffix]})" if suffix in _SAVED_BY_EN
                           else ""))


def _reason_en(reason: Any) -> str:
    """Return why a file cannot be read (an ``OSError``'s words) in English: docgen's own reason for a
    folder, a pipe or a device (``not-regular-file``) translated, the system's as it is."""
    return MESSAGES.text("not-regular-file", lang="en") if reason == MESSAGES.text("not-regular-file") else str(reason)


#: What a condition may not do (``facts["rule"]`` of ``condition-unsafe``) -> the reason users read.
_UNSAFE = {
    "call": lambda f: "不允许调用函数",
    "filter": joined("不允许使用过滤器{name!q}（可用：{available}）", "available"),
    "filter-argument": lambda f: "过滤器参数不允许以下划线开头",
    "power": lambda f: "不允许乘方运算（**）",
    "private-attribute": lambda f: f"不允许访问以下划线开头的属性{quoted(f['name'])}",
    "private-key": lambda f: f"不允许访问以下划线开头的键{quoted(f['name'])}",
    "unknown-name": joined("未知名称{name!q}（可用：{available}）", "available"),
}
_UNSAFE_EN = {
    "call": lambda f: "calling a function is not allowed",
    "filter": joined("the filter {name!r} is not allowed (allowed: {available})", "available", sep=", "),
    "filter-argument": lambda f: "a filter's argument may not begin with an underscore",
    "power": lambda f: "raising to a power (**) is not allowed",
    "private-attribute": lambda f: f"the attribute {f['name']!r} begins with an underscore and is not allowed",
    "private-key": lambda f: f"the key {f['name']!r} begins with an underscore and is not allowed",
    "unknown-name": joined("unknown name {name!r} (known: {available})", "available", sep=", "),
}


def _condition_place(facts: Mapping[str, Any], lang: str) -> str:
    """Where a condition sits: its key path (``where``), after its file's label when the condition
    has one (``label``, a checklist file's), in ``lang``'s punctuation."""
    if not facts.get("label"):
        return str(facts["where"])
    return f"{facts['label']}{'：' if lang == 'zh' else ': '}{facts['where']}"


def _condition_refused_en(facts: Mapping[str, Any]) -> str:
    # the sandbox's refusal: docgen's own (``cause``, a code of this table, with its facts) or
    # Jinja2's, whose reason is its library's sentence
    cause = facts.get("cause")
    reason = MESSAGES.text(cause, facts, "en") if cause else facts["reason"]
    return f"{_condition_place(facts, 'en')}: expression {facts['source']!r} refused by the sandbox: {reason}"


MESSAGES = MessageTable("core", {
    # cerberus rules, by the code docgen gives each
    "required": "必填字段，不能缺少",
    "unknown-field": lambda f: f"未知字段（请检查拼写，是否应为 {f['known']}？）" if f.get("known") else "未知字段（请检查拼写）",
    "dependency": "需要同时提供字段{needs!q}",
    "empty": "不能为空",
    "null": "不能为空值（null）",
    "type": _type,
    "not-mapping": "应为映射（“键: 值”）",
    "items-length": "列表长度应为 {expected}，实际为 {actual}",
    "too-short": "最小长度为 {min}",
    "too-long": "最大长度为 {max}",
    "format": "格式不符合要求",
    "too-small": "最小值为 {min}",
    "too-large": "最大值为 {max}",
    "not-allowed": "不允许的取值 {value}",
    "not-convertible": "无法转换：{reason}",
    "invalid": "{reason}",
    # identification numbers (check_with)
    "invalid-uscc": lambda f: "统一社会信用代码" + _REASONS.get(f["reason"], "无效"),
    "invalid-resident-id": _resident_id,
    "invalid-uscc-or-resident-id": "既不是有效的统一社会信用代码，也不是有效的居民身份证号",
    # spreadsheet cells
    "total-row": "这一行是合计行（{value!q}），不是一笔数据；请删除该行（或把合计放到另一张工作表）后重试",
    "merged-cell": ("{cell} 在合并单元格 {range} 中，合并单元格的值只保存在 {first}，其余各格是空的；"
                    "请取消合并，在每一行填写"),
    "formula-no-value": lambda f: (f"{f['cell']} 是公式" + (quoted(f["formula"]) if f.get("formula") else "")
                                   + "，文件中没有它的计算结果（表格由程序生成、未经 Excel 计算保存），或结果为空；"
                                     "请在 Excel 中打开该文件、保存后重试，或把公式改为数值"),
    "cell-error": _cell_error,
    "number-stored": "{title}被 Excel 存成了数字（位数可能已丢失），请把该列设为文本后重新录入",
    "scientific-notation": "{title}是科学计数法 {value}（Excel 已丢失位数），请把该列设为文本后重新录入",
    # spreadsheets that cannot be read at all (InputError)
    "sheet-not-found": joined("{path}：找不到工作表{sheet!q}；现有工作表：{sheets}", "sheets"),
    "table-unreadable": "{path}：无法读取文件（{reason}）",
    "csv-syntax": "{path}：第{line}行 CSV 格式错误（{reason}）",
    "csv-cell-too-long": lambda f: (
        (f"{f['path']}：第{f['row']}行第{f['number']}列（{f['letter']} 列）的单元格" if f.get("number")
         else f"{f['path']}：第{f['row']}行有单元格") + f"超过可读取的上限（{f['limit']} 个字符）"
        + ("。该格以英文双引号开头：引号未闭合时，其后各行都会被读进这一格；请检查该格的引号是否成对"
           "（格内的双引号应写成两个），或删减其内容，再重试" if f.get("quoted") else "；请删减该格内容后重试")),
    "csv-quote-open": ("{path}：第{row}行第{number}列（{letter} 列）的单元格以英文双引号开头，引号直到文件末尾都未闭合，"
                       "其后各行都被读进了这一格，无法逐行读取；请检查该格的引号是否成对（格内的双引号应写成两个）后重试"),
    # a stray quote closed rows later: whole rows read into one cell, as if typed on several lines in it
    "csv-quote-merged": ("{path}：第{row}行第{number}列（{letter} 列）的单元格以英文双引号开头，引号直到文件第{end}行才闭合，"
                         "文件第{start}行至第{end}行被读成了这一格，其中有整行的数据（分隔符与表头一样多），"
                         "不是格内换行的文字；请检查该格的引号是否成对（格内的双引号应写成两个），删去多余的引号后重试"),
    "csv-quote-stray": ("{path}：第{row}行第{number}列（{letter} 列）的单元格以英文双引号开头，其后的引号后面紧跟着文字而不是分隔符，"
                        "文件第{start}行至第{end}行被读成了这一格；Excel 保存的 CSV 不会这样写，多半是多打或漏打了引号；"
                        "请检查这几行的引号是否成对（格内的双引号应写成两个），改正后重试"),
    "table-not-found": "{path}：文件不存在",
    "table-not-regular": "{path}：不是普通文件，而是文件夹、管道或设备；请给出 .xlsx、.xls 或 .csv 文件",
    "table-format-unknown": lambda f: (f"{f['path']}：无法识别的表格格式 {f['suffix'] or '（无扩展名）'}；"
                                       "请提供 .xlsx、.xls 或 .csv 文件"
                                       + (f"（请在 {_SAVED_BY[str(f['suffix']).lower()]} 中用“另存为”存成 .xlsx）"
                                          if str(f["suffix"]).lower() in _SAVED_BY else "")),
    "header-missing-columns": _header_missing_columns,
    "column-untitled": _column_untitled,
    "table-empty": "{path}：表格是空的，找不到表头行",
    "sheet-empty": joined("{path}：工作表{sheet!q}是空的，找不到表头行（工作簿中另有工作表：{others}）；"
                          "请把数据所在的工作表移到最前面，或删除这张空表", "others"),
    "text-undecodable": ("{source}：无法识别文件编码（不是 UTF-8 或 GB18030/GBK）。请在 Excel 中另存为"
                         "“CSV UTF-8(逗号分隔)”或 .xlsx 后重试"),
    "excel-unreadable": ("{path}：无法读取 Excel 文件（{error}：{reason}）。文件可能已损坏或不完整；"
                         "请重新导出或复制该文件，或在 Excel 中打开后另存为 .xlsx，再重试"),
    "rows-above-header": ("{path}：第{row}行在表头（第{header}行）上方，却有数字或日期，是数据行而不是标题行或单位行，"
                          "表头上方的行不会被读取；表格可能在排序时把表头行排进了数据中间（排序时未勾选“数据包含标题”）："
                          "请把表头行移回所有数据的上方后重试"),
    "excel-error-unknown": ("{path}：表格中有新版 Excel 的错误值 {value}（公式没有算出结果），"
                            "读取时无法识别这种错误值，文件本身并未损坏；请在 Excel 中把显示 {value} 的公式改为实际的值，"
                            "确实没有的留空，然后重试"),
    # a cell the reader could not convert (a date serial past the calendar): the file itself is whole
    "excel-cell-unconvertible": ("{path}：无法读取 Excel 文件（{error}：{reason}）。"
                                 "请检查其中的日期和数字单元格，或用 Excel 另存为 .xlsx 后重试"),
    "excel-encrypted": "{path}：工作簿设有打开密码（已加密），无法读取；请在 Excel 中取消密码后另存，再重试",
    "excel-misnamed": "{path}：文件内容是 {right} 格式的工作簿，扩展名却是 {suffix}；请把扩展名改为 {right} 后重试",
    "excel-is-markup": ("{path}：内容是网页（HTML）或 XML，不是 Excel 工作簿（业务系统“导出 Excel”常生成这种文件）；"
                        "请在 Excel 中打开后另存为 .xlsx，再重试"),
    "excel-is-text": ("{path}：内容是文本（CSV 或制表符分隔），不是 Excel 工作簿；请把扩展名改为 .csv 后重试，"
                      "或在 Excel 中打开后另存为 .xlsx"),
    "excel-not-workbook": "{path}：不是 Excel 工作簿（文件内容：{what}）；请确认选对了文件，或在 Excel 中打开后另存为 .xlsx，再重试",
    "table-is-workbook": "{path}：文件内容是 Excel 工作簿，扩展名却是 {suffix}；请把扩展名改为 .xlsx（或 .xls）后重试",
    "table-not-text": "{path}：不是文本表格（文件内容：{what}）；请确认选对了文件，或提供 .xlsx 或 .csv 文件",
    "header-duplicate": "{path}：表头重复：{first} 与 {second} 都对应字段 {field}；请删除或改名其中一列",
    "sheet-too-large": "{path}：工作表解压后 {megabytes} MB，超过可读上限 {limit_megabytes} MB；请删除多余内容后另存",
    "sheet-too-many-cells": _too_many_cells,
    # small YAML/JSON files users write (the error class is the caller's; ``what`` names the file)
    "datafile-not-found": "{file}：{what}不存在；请检查路径",
    "datafile-not-text": "{file}：{what}应为 YAML 或 JSON 文本（文件内容：{content}）；请确认选对了文件",
    "datafile-undecodable": "{file}：无法识别{what}的编码（不是 UTF-8 或 GB18030/GBK）；请用 UTF-8 保存后重试",
    "datafile-unreadable": "{file}：无法读取{what}（{reason}）",
    # what ``regularfile.NotRegularFile`` says as its reason (a folder, a FIFO or a device given as a file)
    "not-regular-file": "不是普通文件，而是文件夹、管道或设备",
    "json-too-deep": "嵌套层数过多",
    "datafile-json-syntax": "{file} 第{line}行第{column}列：{what}不是合法的 JSON：{problem}",
    "datafile-yaml-syntax": lambda f: (f"{f['file']}" + (f" 第{f['line']}行第{f['column']}列" if f.get("line") else "")
                                       + f"：{f['what']}不是合法的 YAML：{f['problem']}；请检查缩进和冒号"),
    "datafile-not-mapping": "{file}：{what}顶层应为映射（“键: 值”）{hint}",
    "datafile-lone-surrogate": "{file}：{what}中 {where} 含有无效字符（孤立的 UTF-16 代理项，如 JSON 的 \\ud800）；请删除或改正该值",
    # single values (InvalidValueError): dates, amounts, what a Word filter is given
    "date-no-such-day": "不存在的日期{text!q}",
    "date-format": lambda f: (f"日期格式应为 YYYY-MM-DD，收到{quoted(f['value'])}"
                              + (f"（是 Excel 的日期序号，即 {f['excel']}？请把该列单元格设为日期格式，或写作 {f['excel']}）"
                                 if f.get("excel") else "")),
    "date-has-time": ("日期{value!q}带有时刻 {time}：日期字段只应写日期（是否填错了列？）；"
                      "请改为只写日期，如 2026-06-30"),
    "date-out-of-range": "日期{text!q}超出可用范围 {first}–{last} 年",
    "date-missing": "日期不能为空",
    "amount-not-number": _amount_not_number,
    "amount-in-wan": "金额以元为单位填写，收到{value!q}；请写作 {yuan}",
    "amount-ambiguous": "金额{value!q}的写法不明确：千位分隔符只能是每三位一个逗号，小数点用“.”，如 1,234.56",
    "amount-not-finite": "金额应为有限数字，收到{value!q}",
    "amount-too-large": "金额{value!q}超出范围（上限 {limit:,} 元）；请检查是否多输入了位数",
    "amount-missing": "金额不能为空",
    "amount-words-negative": "大写金额不能为负数：{value}",
    "places-negative": "小数位数不能为负：{places}",
    "id-number-missing": "证件号码不能为空",
    "yes-no-value": "应填“是”或“否”（也可填 true/false、yes/no、Y/N、1/0，不区分大小写），收到{value!q}",
    # the label a document prints before a party's number (id_label)
    "id-label/uscc": "统一社会信用代码",
    "id-label/other": "证件号码",
    # checklist and template conditions (the error class is the caller's: the file is theirs)
    "condition-syntax": lambda f: f"{_condition_place(f, 'zh')}：表达式{quoted(f['source'])}语法错误：{f['reason']}",
    "condition-refused": lambda f: f"{_condition_place(f, 'zh')}：表达式{quoted(f['source'])}被沙箱拒绝：{f['reason']}",
    "condition-unsafe": lambda f: (f"{_condition_place(f, 'zh')}：表达式{quoted(f['source'])}不安全或无效："
                                   f"{_UNSAFE[f['rule']](f)}"),
    "condition-repeat-too-large": "重复生成的序列超过 {limit} 个元素",
    # the user stopped a command (Ctrl-C): what was made, and that a re-run goes on
    "interrupted": lambda f: ("已中断，"
                              + (f"已生成 {f['made']} 份" + ("（PDF 未全部完成）" if f.get("pdf_unfinished") else "") + "，"
                                 if f.get("made") is not None else "")
                              + "重新运行可继续"),
    # a path the system refuses for lack of permission (``docgen.core.access``)
    "access-read": "{path}：无权读取该文件（权限不足）；请检查文件权限，或请管理员为当前用户开放读取权限",
    "access-list": "{path}：无权读取该文件夹的内容（权限不足）；请检查文件夹权限（须可读、可进入）",
    "access-search": "{path}：无权进入其所在的文件夹（权限不足）；请检查路径上各级文件夹的权限",
    "access-write": "{path}：无权写入（权限不足）；请检查文件夹 {folder} 的写入权限，或换一个有写入权限的位置",
    "access-change": "{path}：无权修改该文件（权限不足，只读）；请检查文件权限",
    "access-any": "{path}：无权访问（权限不足）；请检查该文件或文件夹及其上级文件夹的权限",
    # output files
    "output-is-input": "输出文件 {target} 就是输入文件 {source}（同一文件、链接或别名），写入会毁掉输入；请换一个输出文件名",
    "output-unwritable": "无法写入 {target}（{reason}）；请检查输出路径、写入权限和磁盘空间",
    "output-not-regular": "{target} 已存在，不是普通文件，而是文件夹、管道或设备；写入会替换它，已拒绝；请换一个输出文件名",
}, {
    # why a spreadsheet (a ledger) cannot be read, as the service's English pages say it
    "column-untitled": _column_untitled_en,
    "header-missing-columns": _header_missing_columns_en,
    "header-duplicate": lambda f: (f"{f['path']}: duplicate header: {english_column(str(f['first']))} and "
                                   f"{english_column(str(f['second']))} both stand for the field {f['field']}; "
                                   "delete or rename one of them"),
    "sheet-empty": joined("{path}: sheet {sheet!r} is empty: no header row found (the workbook's other sheets: "
                          "{others}); move the sheet holding the data to the front, or delete the empty one",
                          "others", sep=", "),
    "sheet-not-found": joined("{path}: no sheet {sheet!r}; the sheets are {sheets}", "sheets", sep=", "),
    "sheet-too-many-cells": _too_many_cells_en,
    "table-not-text": lambda f: (f"{f['path']}: not a text table (the file holds {_content_en(f['what'])}); check "
                                 "that the right file was chosen, or give an .xlsx or .csv file"),
    "excel-not-workbook": lambda f: (f"{f['path']}: not an Excel workbook (the file holds {_content_en(f['what'])}); "
                                     "check that the right file was chosen, or open it in Excel, save it as .xlsx "
                                     "and try again"),
    "table-format-unknown": _format_unknown_en,
    "table-not-regular": ("{path}: not a regular file but a folder, a pipe or a device; give an .xlsx, .xls or "
                          ".csv file"),
    "not-regular-file": "not a regular file but a folder, a pipe or a device",
    # a ledger's cells, as the service's English pages list a row's errors
    "merged-cell": ("{cell} lies in the merged cell {range}, whose value is kept in {first} only, the other cells "
                    "being empty; unmerge it and fill in every row"),
    "formula-no-value": lambda f: (f"{f['cell']} is a formula" + (f" {f['formula']!r}" if f.get("formula") else "")
                                   + " whose result the file does not hold (the sheet was made by a program and never "
                                     "calculated and saved by Excel) or is empty; open the file in Excel and save it, "
                                     "then try again, or replace the formula by its value"),
    "cell-error": _cell_error_en,
    "number-stored": ("{title} was stored by Excel as a number (digits may be lost); format the column as text and "
                      "type it again"),
    "scientific-notation": ("{title} is in scientific notation, {value} (Excel has lost digits); format the column "
                            "as text and type it again"),
    "amount-missing": "an amount cannot be empty",
    "amount-words-negative": "an amount in words cannot be negative: {value}",
    "places-negative": "the number of decimal places cannot be negative: {places}",
    "id-number-missing": "the ID number cannot be empty",
    "excel-is-text": ("{path}: the content is text (CSV or tab-separated), not an Excel workbook; rename it to .csv "
                      "and try again, or open it in Excel and save it as .xlsx"),
    "excel-is-markup": ("{path}: the content is a web page (HTML) or XML, not an Excel workbook (core systems' 'export "
                        "to Excel' often makes one); open it in Excel, save it as .xlsx and try again"),
    "excel-encrypted": "{path}: the workbook has an opening password (encrypted); remove it in Excel, save, and try again",
    "excel-misnamed": "{path}: the content is a {right} workbook but the extension is {suffix}; rename it to {right} and try again",
    "rows-above-header": ("{path}: row {row} stands above the header (row {header}) but holds numbers or dates: it is "
                          "a row of data, not a title or unit row, and rows above the header are not read; the table "
                          "may have been sorted with its header row among the data (\"my data has headers\" unticked): "
                          "move the header row back above all the data and try again"),
    "excel-error-unknown": ("{path}: a cell holds a later Excel's error value {value} (its formula found no result), "
                            "which cannot be read; the file is not damaged: in Excel, replace "
                            "each formula showing {value} by its value, or leave the cell empty where there is none, and "
                            "try again"),
    "excel-unreadable": ("{path}: the Excel file cannot be read ({error}: {reason}); it may be damaged or cut short: "
                         "export or copy it again, or open it in Excel and save it as .xlsx, then try again"),
    "excel-cell-unconvertible": ("{path}: the Excel file cannot be read ({error}: {reason}); check its date and number "
                                 "cells, or save it again as .xlsx in Excel and try again"),
    "table-empty": "{path}: the table is empty: no header row found",
    "table-not-found": "{path}: no such file",
    "table-unreadable": lambda f: f"{f['path']}: the file cannot be read ({_reason_en(f['reason'])})",
    "table-is-workbook": ("{path}: the content is an Excel workbook but the extension is {suffix}; rename it to .xlsx "
                          "(or .xls) and try again"),
    "text-undecodable": ("{source}: the file's encoding is not recognised (neither UTF-8 nor GB18030/GBK); save it from "
                         "Excel as 'CSV UTF-8 (comma delimited)' or .xlsx and try again"),
    "csv-syntax": "{path}: CSV error at line {line} ({reason})",
    "csv-cell-too-long": lambda f: (
        (f"{f['path']}: the cell in row {f['row']}, column {f['number']} ({f['letter']})," if f.get("number")
         else f"{f['path']}: a cell in row {f['row']}") + f" is longer than the {f['limit']} characters that can be read"
        + (". It opens with a double quote: if the closing quote is missing, every line after it is read into that "
           "cell; check that its quotes are paired (a quote inside a cell is written twice), or shorten it, then try "
           "again" if f.get("quoted") else "; shorten it and try again")),
    "csv-quote-merged": ("{path}: the cell in row {row}, column {number} ({letter}), opens with a double quote that is closed "
                         "only on line {end} of the file, so lines {start} to {end} were read as that one cell, and one "
                         "of them holds a whole row (as many delimiters as the header), not text typed on several lines; "
                         "check that its quotes are paired (a quote inside a cell is written twice), delete the stray "
                         "quote and try again"),
    "csv-quote-stray": ("{path}: the cell in row {row}, column {number} ({letter}), opens with a double quote, and a later "
                        "quote is followed by text instead of a delimiter, so lines {start} to {end} of the file were read "
                        "as that one cell; Excel never writes a CSV so, and a quote was most likely typed by mistake or "
                        "left out; check that the quotes on those lines are paired (a quote inside a cell is written "
                        "twice), correct them and try again"),
    "csv-quote-open": ("{path}: the cell in row {row}, column {number} ({letter}), opens with a double quote that is never "
                       "closed, so every line after it, to the end of the file, is read into that cell; check that its "
                       "quotes are paired (a quote inside a cell is written twice) and try again"),
    "sheet-too-large": ("{path}: the sheet is {megabytes} MB unpacked, over the {limit_megabytes} MB that can be read; "
                        "delete what is not needed and save again"),
    "total-row": "this row is a total ('{value}'), not a record; delete it (or put the totals on another sheet) and try again",
    # ``what_en``: what the file is (the Chinese ``what`` in English), ``file`` when the caller has no English name
    "datafile-not-found": lambda f: f"{f['file']}: no such {_what_en(f)}; check the path",
    "datafile-unreadable": lambda f: f"{f['file']}: the {_what_en(f)} cannot be read ({_reason_en(f['reason'])})",
    "datafile-not-text": lambda f: (f"{f['file']}: the {_what_en(f)} should be YAML or JSON text (the file holds "
                                    f"{_content_en(f['content'])}); check that the right file was chosen"),
    "datafile-not-mapping": lambda f: (f"{f['file']}: the top level of the {_what_en(f)} should be a mapping "
                                       f"('key: value'){f.get('hint_en') or ''}"),
    "datafile-undecodable": lambda f: (f"{f['file']}: the encoding of the {_what_en(f)} is not recognised (neither "
                                       "UTF-8 nor GB18030/GBK); save it as UTF-8 and try again"),
    "datafile-yaml-syntax": lambda f: (f"{f['file']}" + (f", line {f['line']}, column {f['column']}" if f.get("line")
                                                         else "") + f": the {_what_en(f)} is not valid YAML: "
                                       f"{f['problem']}; check the indentation and the colons"),
    "datafile-json-syntax": lambda f: (f"{f['file']}, line {f['line']}, column {f['column']}: the {_what_en(f)} is "
                                       f"not valid JSON: {f['problem']}"),
    "datafile-lone-surrogate": lambda f: (f"{f['file']}: {f['where']} in the {_what_en(f)} holds an invalid character "
                                          "(a lone UTF-16 surrogate, such as JSON's \\ud800); delete or correct the "
                                          "value"),
    # what the English report of ``docgen check --lang en`` says of a bundle.yaml value: the
    # problems of validation and of the value parsers its fields are read with
    "required": "required field missing",
    "unknown-field": lambda f: (f"unknown field (check the spelling: did you mean {f['known']}?)" if f.get("known")
                                else "unknown field (check the spelling)"),
    "dependency": "needs the field {needs!r} as well",
    "empty": "cannot be empty",
    "null": "cannot be null",
    "type": _type_en,
    "not-mapping": "should be a mapping ('key: value')",
    "items-length": "should be a list of {expected} items, not {actual}",
    "too-short": "shorter than the minimum length of {min}",
    "too-long": "longer than the maximum length of {max}",
    "format": "does not have the required format",
    "too-small": "below the minimum of {min}",
    "too-large": "above the maximum of {max}",
    "not-allowed": "value {value!r} is not allowed",
    "not-convertible": _not_convertible_en,
    "invalid": "{reason}",
    "invalid-uscc": lambda f: "the unified social credit code " + _REASONS_EN.get(f["reason"], "is invalid"),
    "invalid-resident-id": _resident_id_en,
    "invalid-uscc-or-resident-id": "neither a valid unified social credit code nor a valid resident ID number",
    "date-no-such-day": "no such date: {text!r}",
    "date-format": lambda f: (f"a date is written YYYY-MM-DD, not {f['value']!r}"
                              + (f" (an Excel date serial, i.e. {f['excel']}? format the column's cells as dates, "
                                 f"or write {f['excel']})" if f.get("excel") else "")),
    "date-has-time": ("date {value!r} carries the time of day {time}: a date field holds a date only (the wrong "
                      "column?); write the date alone, e.g. 2026-06-30"),
    "date-out-of-range": "{text} is outside the years {first}–{last}",
    "amount-not-number": _amount_not_number_en,
    "amount-in-wan": "amounts are written in yuan, not {value!r}: write {yuan}",
    "amount-ambiguous": ("amount {value!r} is ambiguous: the thousands separator is a comma every three digits "
                         "and the decimal point a '.', as in 1,234.56"),
    "amount-not-finite": "an amount should be a finite number, not {value!r}",
    "amount-too-large": "amount {value!r} is out of range (at most {limit:,} yuan); check for extra digits",
    "yes-no-value": "should be yes or no (是/否, true/false, yes/no, Y/N or 1/0, in any case), not {value!r}",
    # checklist conditions, which a bank's own checklist may get wrong (``docgen check`` stops, exit 2)
    "condition-syntax": lambda f: (f"{_condition_place(f, 'en')}: syntax error in expression {f['source']!r}: "
                                   f"{f['reason']}"),
    "condition-refused": _condition_refused_en,
    "condition-unsafe": lambda f: (f"{_condition_place(f, 'en')}: expression {f['source']!r} is unsafe or invalid: "
                                   f"{_UNSAFE_EN[f['rule']](f)}"),
    "condition-repeat-too-large": "a repeated sequence would have over {limit} items",
    # what stops ``docgen check --lang en`` besides its bundle and checklist: an --as-of left empty,
    # the report's file, the user's Ctrl-C
    "date-missing": "a date cannot be empty",
    "output-is-input": ("the output file {target} is the input {source} (the same file, a link or an alias): writing "
                        "would destroy the input; choose another output file name"),
    "output-unwritable": "cannot write {target} ({reason}); check the output path, write permission and disk space",
    "output-not-regular": ("{target} exists and is a folder, pipe or device, not a regular file: writing would replace "
                           "it, so it was refused; choose another output file name"),
    "interrupted": lambda f: ("interrupted"
                              + (f"; {f['made']} made" + (" (the PDFs not all finished)" if f.get("pdf_unfinished")
                                                          else "") if f.get("made") is not None else "")
                              + "; run it again to go on"),
    # a path the system refuses for lack of permission (a bundle's file the check may not read)
    "access-read": ("{path}: no permission to read the file; check its permissions, or ask an administrator to "
                    "let this user read it"),
    "access-list": "{path}: no permission to list the folder; check its permissions (readable and enterable)",
    "access-search": "{path}: no permission to enter its folder; check the permissions of each folder on the path",
    "access-write": ("{path}: no permission to write; check that folder {folder} may be written, or choose a place "
                     "that may"),
    "access-change": "{path}: no permission to change the file (read-only); check its permissions",
    "access-any": "{path}: no permission to access it; check the permissions of the file or folder and its parents",
    # a program's own mistakes (``MESSAGES.fault``): read by programmers, so in English only
    "no-wording": "{table} messages: no {lang} wording for {code!r}",
    "no-attribute": "module {module!r} has no attribute {name!r}",
    "cache-not-encoded": "not an encoded value",
    "cache-unknown-tag": "unknown tag {tag!r}",
    "not-json-shape": "not a JSON shape: {shape!r}",
})
