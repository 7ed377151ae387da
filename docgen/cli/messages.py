"""The command line's own message table: what the commands say besides the parts' words.

Option errors, progress labels and the text reports the commands print themselves (``docgen
templates show``, ``docgen render``, ``docgen collect letters``, ``docgen users``) are keyed by
a stable code here; errors of the library come worded from their part's table.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from docgen.core.wording import MessageTable

__all__ = ["CLICK_HELP_TEXTS", "CLICK_WORDS", "MESSAGES"]


def _field(f: Mapping[str, Any]) -> str:
    need = "必填" if f["required"] else "可选"
    label = f"  {f['description']}" if f.get("description") else ""
    aliases = "、".join(f.get("aliases") or [])
    return f"{f['indent']}{f['name']:<26} {f['type']:<8} {need}{label}" + (f"  表头：{aliases}" if aliases else "")


MESSAGES = MessageTable("cli", {
    # options the command line checks itself (click's BadParameter/UsageError)
    "option/setting-form": "{item!q}应写成 字段=值，例如 letter_date=2026-11-28",
    "option/at-least-one": "至少为 1",
    "option/percent": "{value!q}不是 0 到 100 之间的百分比；例如 50 表示 50%（expected a percentage 0-100）",
    "option/docx-needs-output": "docx 报告须用 -o 指定输出文件，例如 -o 资料清单.docx（docx needs -o FILE）",
    "option/xlsx-needs-output": "--format xlsx 需要 -o 输出文件，例如 -o 催收计划.xlsx",
    "option/pdf-needs-output": "--pdf needs -o/--output (the .docx to convert)",
    "option/report-docx": "the report is a Word file: give a name ending in .docx",
    "option/date": "{reason}（例如 --as-of 2026-11-28）",
    "option/output-folder": "{path} 以路径分隔符结尾，是文件夹；请给出要写入的文件名，例如 {path}报告.json",
    "option/render-what": "请给出模板名称 NAME 或 --template FILE.docx",
    "option/output-docx": "输出文件应以 .docx 结尾",
    # every command: a notice, a path the system refuses
    "notice": "警告：{message}",
    "path-refused": "{path}：无法访问（{reason}）；请检查路径",
    # progress bars
    "progress/inspecting": "检查文件 inspecting",
    "progress/plan": "计算催收计划",
    "progress/render": "生成文书",
    "progress/pdf": "转换 PDF",
    # docgen templates list (names padded to ``width`` so the titles line up)
    "templates-list/line": lambda f: f"{f['name']:<{int(f['width'])}}  {f['title']}（{f['category']}）",
    # docgen templates show
    "templates-show/head": "{name}  {title}（{category}）",
    "templates-show/patterns": "编号格式：{serial}    文件名：{filename}.docx    唯一键：{key_field}",
    "templates-show/fields": "字段：",
    "templates-show/field": _field,
    "templates-show/rules": "规则：",
    # docgen render
    "render/written": "已生成 {path}（编号 {serial}）",
    "render/pdf": "已生成 {path}",
    # docgen collect letters
    "letters-text/head": ("催收文书  截至 {as_of}：应发 {due} 份，本次生成 {written} 份，"
                          "此前已发 {skipped} 份，他处生成中 {held} 份，无法生成 {refused} 份"),
    "letters-text/outcome": lambda f: (f"  第{f['row']}行 {f['loan_no']}" + (f"（{f['party']}）" if f.get("party") else "")
                                       + f"  {f['message']}" + (f"  {f['file']}" if f.get("file") else "")),
    "letters-text/merged": "合并 PDF：{path}",
    # docgen serve
    "serve/listening": "docgen serve：http://{host}:{port}/  数据目录 {data_dir}",
    # docgen users
    "users/password-prompt": "密码 Password",
    "users/password-repeat": "再次输入 Repeat",
    "users/added": "已添加用户 {name}（角色 {role}）",
    "users/none": "还没有用户；用 docgen users add NAME --role ROLE 添加",
    "users/line": lambda f: f"{f['name']}\t{f['role']}\t{'启用' if f['active'] else '已停用'}\t{f['created']}",
    "users/disabled": "已停用用户 {name}",
    "users/password-set": "已更新用户 {name} 的密码",
    # click's own words (a usage error and its frame, a help page's titles and notes), in Chinese unless
    # the command's --lang is en (``docgen.cli.usage``): templates over click's placeholders, which
    # click fills; a name click gives comes quoted “--ledger” already
    "usage/usage": "用法：",
    "usage/error": "错误：{message}",
    "usage/aborted": "已中止。",
    "usage/heading": "{heading}：",
    "usage/options": "选项",
    "usage/commands": "命令",
    "usage/arguments": "参数",
    "usage/required": "必填",
    "usage/default": "默认：{default}",
    "usage/env-var": "环境变量：{var}",
    "usage/help-notes": "（{notes}）",
    "usage/help-option": "显示本帮助并退出。",
    "usage/version-option": "显示版本号并退出。",
    "usage/hint-env": "{hint}（环境变量{names}）",
    "usage/try-help": "请运行“{command} {option}”查看帮助。",
    "usage/invalid-value": "取值无效：{message}",
    "usage/invalid-value-for": "{param_hint}的取值无效：{message}",
    "usage/missing-argument": "缺少参数",
    "usage/missing-option": "缺少选项",
    "usage/missing-parameter": "缺少参数",
    "usage/missing-kind": "缺少{param_type}",
    "usage/no-such-option": "没有选项“{name}”。",
    "usage/no-such-command": "没有命令“{name}”。",
    "usage/did-you-mean": "是否要用{possibility}？",
    "usage/did-you-mean-one-of": "是否要用其中之一：{possibilities}？",
    "usage/cannot-open": "无法打开文件“{filename}”：{message}",
    "usage/not-the-choice": "“{value}”不是可选值{choice}",
    "usage/not-a-choice": "“{value}”不是可选值（{choices}）之一",
    "usage/choose-from": "可选值：\n\t{choices}",
    "usage/not-a-number": "“{value}”不是有效的数值（{number_type}）",
    "usage/out-of-range": "{value} 不在范围 {range} 之内",
    "usage/path-missing": "“{filename}”不存在",
    "usage/path-is-file": "“{filename}”是文件，此处应为文件夹",
    "usage/path-is-folder": "“{filename}”是文件夹，此处应为文件",
    "usage/path-unreadable": "“{filename}”不可读取",
    "usage/path-unwritable": "“{filename}”不可写入",
    "usage/path-not-executable": "“{filename}”不可执行",
    "usage/needs-a-value": "选项“{name}”需要一个值",
    "usage/needs-values": "选项“{name}”需要 {nargs} 个值",
    "usage/takes-no-value": "选项“{name}”不接受值",
    "usage/argument-values": "参数“{name}”需要 {nargs} 个值",
    "usage/extra-argument": "多余的参数（{args}）",
    "usage/missing-command": "缺少子命令",
}, {
    # the options of a command whose --lang is en (``docgen check``), in its language
    "option/percent": "{value!r} is not a percentage between 0 and 100; e.g. 50 for 50%",
    "option/docx-needs-output": "a docx report needs an output file: give -o, e.g. -o checklist.docx",
    "option/date": "{reason} (e.g. --as-of 2026-11-28)",
    "option/output-folder": ("{path} ends with a path separator, so it is a folder; give the name of the file to "
                             "write, e.g. {path}report.json"),
    "progress/inspecting": "inspecting files",
    # a program's own mistakes (``MESSAGES.fault``): read by programmers, so in English only
    "command-not-defined": "docgen.cli.{module} does not define the command {command!r}",
})

#: click's own words (its gettext message ids: the singular one of a plural pair) -> the code of
#: their Chinese above. A message id click no longer uses is simply never asked for; one it adds
#: stays English until it is listed here.
CLICK_WORDS: dict[str, str] = {
    "Error: {message}": "usage/error",
    "Aborted!": "usage/aborted",
    "Options": "usage/options",
    "Commands": "usage/commands",
    "Positional arguments": "usage/arguments",
    "required": "usage/required",
    "default: {default}": "usage/default",
    "env var: {var}": "usage/env-var",
    "Try '{command} {option}' for help.": "usage/try-help",
    "Invalid value: {message}": "usage/invalid-value",
    "Invalid value for {param_hint}: {message}": "usage/invalid-value-for",
    "Missing argument": "usage/missing-argument",
    "Missing option": "usage/missing-option",
    "Missing parameter": "usage/missing-parameter",
    "Missing {param_type}": "usage/missing-kind",
    "No such option {name!r}.": "usage/no-such-option",
    "No such command {name!r}.": "usage/no-such-command",
    "Did you mean {possibility}?": "usage/did-you-mean",
    "(Did you mean one of: {possibilities}?)": "usage/did-you-mean-one-of",
    "Could not open file {filename!r}: {message}": "usage/cannot-open",
    "{value!r} is not {choice}.": "usage/not-the-choice",
    "{value!r} is not one of {choices}.": "usage/not-a-choice",
    "Choose from:\n\t{choices}": "usage/choose-from",
    "{value!r} is not a valid {number_type}.": "usage/not-a-number",
    "{value} is not in the range {range}.": "usage/out-of-range",
    "{name} {filename!r} does not exist.": "usage/path-missing",
    "{name} {filename!r} is a file.": "usage/path-is-file",
    "{name} {filename!r} is a directory.": "usage/path-is-folder",
    "{name} {filename!r} is not readable.": "usage/path-unreadable",
    "{name} {filename!r} is not writable.": "usage/path-unwritable",
    "{name} {filename!r} is not executable.": "usage/path-not-executable",
    "Option {name!r} requires an argument.": "usage/needs-a-value",
    "Option {name!r} requires {nargs} arguments.": "usage/needs-values",
    "Option {name!r} does not take a value.": "usage/takes-no-value",
    "Argument {name!r} takes {nargs} values.": "usage/argument-values",
    "Got unexpected extra argument ({args})": "usage/extra-argument",
    "Got unexpected extra arguments ({args})": "usage/extra-argument",
    "Missing command.": "usage/missing-command",
}

#: click's own help texts (its ``-h, --help`` and ``--version`` options') -> the code of their Chinese.
#: click fixes them when it first makes the option, whatever the language then, so they are said
#: in Chinese as a help page is written (``docgen.cli.usage``), not through its gettext.
CLICK_HELP_TEXTS: dict[str, str] = {
    "Show this message and exit.": "usage/help-option",
    "Show the version and exit.": "usage/version-option",
}
