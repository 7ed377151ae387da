"""Core's message table: the wording of data-validation and spreadsheet problems (Chinese).

Codes are the identity programs and tests use; the sentences here are only what users read.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from docgen.core.wording import MessageTable

__all__ = ["MESSAGES", "TYPE_NAMES"]

#: Schema type -> the name users recognise.
TYPE_NAMES = {
    "string": "文本", "integer": "整数", "number": "数字", "float": "数字", "boolean": "是/否",
    "date": "日期(YYYY-MM-DD)", "amount": "金额", "list": "列表", "dict": "映射",
}

#: Why an identification number failed (``facts["reason"]``) -> the words after the number's name.
_REASONS = {
    "checksum": "校验位错误",
    "length": "长度错误",
    "format": "格式错误",
    "component": "含无效成分(如出生日期或地区码)",
}


def _type(facts: Mapping[str, Any]) -> str:
    return "类型应为" + "或".join(TYPE_NAMES.get(n, str(n)) for n in facts["expected"])


def _resident_id(facts: Mapping[str, Any]) -> str:
    if facts["reason"] == "length":
        return f"居民身份证号应为18位,实际为{facts['length']}位"
    if facts["reason"] == "future-birth":
        return "居民身份证号中的出生日期晚于今天"
    return "居民身份证号" + _REASONS.get(facts["reason"], "无效")


MESSAGES = MessageTable("core", {
    # cerberus rules, by the code docgen gives each
    "required": "必填字段,不能缺少",
    "unknown-field": "未知字段(请检查拼写)",
    "dependency": "需要同时提供字段 '{needs}'",
    "empty": "不能为空",
    "null": "不能为空值(null)",
    "type": _type,
    "not-mapping": "应为映射(键: 值)",
    "items-length": "列表长度应为 {expected},实际为 {actual}",
    "too-short": "最小长度为 {min}",
    "too-long": "最大长度为 {max}",
    "format": "格式不符合要求",
    "too-small": "最小值为 {min}",
    "too-large": "最大值为 {max}",
    "not-allowed": "不允许的取值 {value}",
    "not-convertible": "无法转换:{reason}",
    "invalid": "{reason}",
    # identification numbers (check_with)
    "invalid-uscc": lambda f: "统一社会信用代码" + _REASONS.get(f["reason"], "无效"),
    "invalid-resident-id": _resident_id,
    "invalid-uscc-or-resident-id": "既不是有效的统一社会信用代码,也不是有效的居民身份证号",
    # spreadsheet cells
    "number-stored": "{title}被 Excel 存成了数字(位数可能已丢失),请把该列设为文本后重新录入",
    "scientific-notation": "{title}是科学计数法 {value}(Excel 已丢失位数),请把该列设为文本后重新录入",
    # spreadsheets that cannot be read at all (InputError)
    "sheet-not-found": lambda f: f"{f['path']}: 找不到工作表 {f['sheet']!r};现有工作表:{'、'.join(f['sheets'])}",
    "table-unreadable": "{path}: 无法读取文件({reason})",
    "csv-syntax": "{path}: 第{line}行 CSV 格式错误({reason})",
    "table-not-found": "{path}: 文件不存在",
    "table-format-unknown": lambda f: (f"{f['path']}: 无法识别的表格格式 {f['suffix'] or '(无扩展名)'};"
                                       "请提供 .xlsx 或 .csv 文件"),
    "header-missing-columns": "{path}: 第{row}行表头缺少必需的列:{wanted};请在表头加上这些列",
    "table-empty": "{path}: 表格是空的,找不到表头行",
})
