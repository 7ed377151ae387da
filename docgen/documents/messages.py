"""The documents part's message table: the wording of template data problems, batch row errors,
render errors and lint results (Chinese, the users' language).

Codes are the identity programs and tests use. A lint code may have several sentences, one per
place it is found: those entries are keyed ``code/variant``.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from docgen.core.typography import FULL_WIDTH
from docgen.core.wording import MessageTable

__all__ = ["MESSAGES", "where"]


def where(facts: Mapping[str, Any]) -> str:
    """Return the place of a render error in the template: ``(第3段: 致 {{ borrower }})`` or ''."""
    paragraph, snippet = facts.get("paragraph"), facts.get("snippet")
    if not paragraph:
        return ""
    return f"(第{paragraph}段: {snippet})" if snippet else f"(第{paragraph}段)"


def _row(facts: Mapping[str, Any]) -> str:
    return f" 第{facts['row']}行" if facts.get("row") is not None else ""


_MARKS = {"written": "新", "restored": "补", "skipped": "跳过"}
_SEVERITY = {"error": "错误", "warning": "警告", "info": "提示"}


def _row_at(facts: Mapping[str, Any]) -> str:
    return f"第{facts['row']}行 " if facts.get("row") is not None else ""


def _date_order(facts: Mapping[str, Any]) -> str:
    head = facts.get("message") or f"应{'晚于' if facts['strict'] else '不早于'}{facts['earlier_field']}({facts['earlier']})"
    return f"{head},收到 {facts['later']}"


MESSAGES = MessageTable("documents", {
    # template data (Template.check)
    "data-not-mapping": "数据应为映射(字段: 值)",
    "lone-surrogate": "含有无效字符(孤立的 UTF-16 代理项);请删除或改正该值",
    "sum-mismatch": lambda f: f"{f['label']}合计应为{f['expected'].normalize():f},实际为{f['actual'].normalize():f}",
    "votes-short": "同意票所代表的表决权为{ratio_pct:.2f}%,未达到{basis}的{needed_pct:.2f}%({threshold}),不能据此决议办理",
    "total-mismatch": "合计{given:,.2f}与{parts}之和{expected:,.2f}不一致",
    "date-order": _date_order,
    "not-positive": lambda f: f.get("message") or "金额应大于零",
    # filling a template (render errors)
    "undefined-field": lambda f: f"未提供(模板需要此字段){where(f)}",
    "unsafe-expression": lambda f: f"不安全的模板表达式: {f['error']}{where(f)}",
    "fill-failed": lambda f: f"{f['error']}{where(f)}",
    # ... and the error's own line, naming the template (and the row in a batch)
    "undefined-field/error": lambda f: f"模板 {f['template']}: 字段 {f['field']} 未提供{where(f)}{_row(f)}",
    "unsafe-expression/error": lambda f: f"模板 {f['template']}: 不安全的模板表达式{where(f)}: {f['error']}{_row(f)}",
    "fill-failed/error": lambda f: f"模板 {f['template']}: 无法填写{where(f)}: {f['error']}{_row(f)}",
    # ... and the headline of an error carrying several problems
    "data-rejected/error": lambda f: f"模板 {f['template']}{_row(f)}: 数据未通过检查({f['count']} 处问题)",
    "rows-rejected/error": lambda f: (f"模板 {f['template']}: "
                                      + (f"第{'、'.join(map(str, f['rows']))}行" if f["rows"] else f"{f['count']} 处")
                                      + "数据有误,未生成任何文书;请改正后重新运行(或用 --skip-invalid 跳过这些行)"),
    "invalid-xml/error": lambda f: (f"模板 {f['template']}{_row(f)}: 生成的 {f['member']} 不是有效的 XML({f['error']});"
                                    "请运行 docgen templates lint 检查模板标签"),
    # the batch's text report
    "batch-text/head": lambda f: (f"模板 {f['template']}: 写入 {f['written']} 份,跳过 {f['skipped']} 份(已出具)"
                                  + (f",{f['invalid']} 行数据有误未生成" if f["invalid"] is not None else "")),
    "batch-text/document": lambda f: f"  [{_MARKS[f['status']]}] {_row_at(f)}{f['serial']}  {f['key']}  {f['name']}",
    "batch-text/merged": "合并打印 PDF: {path}",
    "batch-text/manifests": "清单: {csv}  {json}",
    "batch-text/in-progress": lambda f: (f"另一个正在运行的批次已预留以下 {len(f['serials'])} 份,本次未生成:"
                                         + "、".join(f["serials"][:20]) + ("…" if len(f["serials"]) > 20 else "")),
    "batch-text/invalid-head": "以下 {count} 行数据有误,未生成:",
    # batch rows
    "number-truncated": "超过15位的数字已被 Excel 截断,请把该列设为文本后重新录入",
    "keyed": "[{key}] {message}",
    "missing-key": "缺少这一行的唯一编号(登记簿以它识别同一份文书)",
    "duplicate-key": lambda f: (f"{f['key']} 与{'第%s行' % f['earlier_row'] if f.get('earlier_row') is not None else '前面'}"
                                f"重复:同一{f['field']}只能出一份文书"),
    # lint
    "broken-tag": "标签 {tag} 不完整或不成对(标签不能跨段落,也不能缺少括号): {snippet}",
    "unclosed-block": "{{% {keyword} %}} 没有对应的 {{% end{keyword} %}}: {snippet}",
    "unexpected-end": "{{% {keyword} %}} 前面没有对应的 {{% {opening} %}}: {snippet}",
    "syntax/xml": "XML 损坏: {error}",
    "syntax/assertion": "模板语法错误: {error}",
    "syntax/parse": "模板语法错误({error}): {snippet}",
    "unknown-filter": "没有名为 {filter} 的过滤器(可用: {available} 及 Jinja 内置过滤器): {snippet}",
    "unknown-variable": "变量 {name} 不在模板 {template} 的字段定义中(拼写错误?): {snippet}",
    "unused-variable": "必填字段 {name} 在文档中没有使用(被删掉了?)",
    "east-asian-font/no-styles": "文档没有样式表,无法设定中文字体;请在 Word 中设置正文样式的中文字体",
    "east-asian-font/defaults": "文档默认字体未设置中文字体(w:eastAsia);请在 Word 的字体对话框中设置“中文字体”(如宋体)",
    "east-asian-font/style": "样式“{style}”设置了西文字体 {latin} 但未设置中文字体(w:eastAsia)",
    "east-asian-font/run": "中文文字设置了西文字体 {latin} 但未设置中文字体,将沿用样式的中文字体: {snippet}",
    "ascii-punctuation": lambda f: (f"中文中使用了半角标点({'、'.join(f'{m}→{FULL_WIDTH[m]}' for m in f['marks'])}),"
                                    f"应使用全角标点(GB/T 15834): {f['snippet']}"),
    # lint's text report
    "lint-text/problem": lambda f: f"{_SEVERITY.get(f['severity'], f['severity'])} [{f['code']}] {f['location']}: {f['message']}",
    "lint-text/variables": lambda f: f"{f['path']}: 变量 {', '.join(f['variables']) or '(无)'}",
    "lint-text/summary": lambda f: (f"{f['errors']} 个错误, {f['warnings']} 个警告"
                                    + (",模板可以使用" if not f["errors"] else ",请修改后再使用")),
    "east-asian-lang": "文档默认语言未设为中文(w:lang w:eastAsia=\"zh-CN\");请在 Word 的“语言”中将东亚语言设为中文(中国)",
    # the register's own state (Register.audit), and the detail each names
    "register/corrupt": "数据库已损坏(SQLite 完整性检查:{detail});请从备份恢复登记簿(连同 -wal 文件)",
    "register/replaced": "不是原来的登记簿({detail});请从备份恢复,确认要另起新登记簿时才加 --new-register",
    "register/truncated": "记录被截断或回退({detail});可能恢复时缺少 -wal 文件,请从备份完整恢复",
    "register/altered": "模板 {template} 编号 {serial} 的记录被改动,或它之前的一条记录被删除",
    "register/gap": "模板 {template} 缺少第 {seq} 号记录(编号序列中断,记录被删除)",
    "register/unanchored": "登记簿旁没有校验文件(.anchor),无法证明它未被替换;已重新建立",
    "register-detail/foreign-anchor": "校验文件 .anchor 属于另一个登记簿或已损坏",
    "register-detail/short": "校验文件记录应有 {records} 条、最后一条为 {last},现有 {count} 条",
    "register-detail/integrity": lambda f: f"{f['first']}" + (f" 等 {f['count']} 处" if f["count"] > 1 else ""),
    "register-detail/no-database": "数据库文件不存在,校验文件记录原有 {records} 条",
    "register-migrate/done": "已迁移登记簿 {source} → {target}:{records} 条记录、{templates} 个模板的编号序列;"
                              "副本已逐条核对一致并通过检查。请改用新登记簿,不要再向旧文件分配编号",
    # draft's text report
    "draft-text/drafted": "{label}:已起草 {path}(编号 {serial})",
    "draft-text/pdf": "    PDF:{pdf}",
    "draft-text/bank-template": ("{label}:本行自有合同,请用 --template 我行协议书.docx 起草"
                                 "(先用 docgen templates lint 我行协议书.docx --schema {template} 核对字段)"),
    "draft-text/missing": "{label}:缺少数据,未起草;请在 bundle.yaml 中填写:",
    "draft-text/hint": "    {key}:{hint}",
    "draft-text/total": "共 {total} 份:已起草 {drafted} 份,未起草 {left} 份。",
    # register list / verify
    "register-list/empty": "登记簿 {register} 中没有记录",
    "register-list/head": "登记簿 {register}: {count} 条",
    "register-list/reserved-state": "{created}(已预留,未生成)",
    "register-list/reserved": lambda f: (f"其中 {len(f['serials'])} 个编号已预留但未生成文书({f['serials'][0]}"
                                         + (f" 至 {f['serials'][-1]}" if len(f['serials']) > 1 else "")
                                         + "):重新运行原批次即按这些编号生成"),
    "register-verify/issue": "登记簿 {register}: {message}",
    "register-verify/changed": "{serial}  {file}: 已被改动",
    "register-verify/missing": "{serial}  {file}: 文件不存在",
    "register-verify/incomplete": "{serial}  {file}: 已预留编号但未生成文件",
    "register-verify/summary": lambda f: (f"登记簿 {f['register']}: 检查 {f['checked']} 份,"
                                          + ("全部完好" if not f["bad"] else f"{f['bad']} 处有问题")),
})
