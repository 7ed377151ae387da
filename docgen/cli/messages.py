"""The command line's own message table: what the commands say besides the parts' words.

Option errors, progress labels and the text reports the commands print themselves (``docgen
templates show``, ``docgen render``, ``docgen collect letters``, ``docgen users``) are keyed by
a stable code here; errors of the library come worded from their part's table.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from docgen.core.wording import MessageTable

__all__ = ["CLICK_HELP_TEXTS", "CLICK_WORDS", "HELP_TEXTS", "MESSAGES", "help_text"]


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
    # the options' help texts on a Chinese help page; the options are given the English below, which a
    # --lang en page keeps (``HELP_TEXTS``, ``docgen.cli.usage``)
    "help/register": ("编号登记簿：SQLite 文件，或多台机器共用的 postgresql:// 地址。默认为 $DOCGEN_REGISTER 所指的登记簿，"
                      "未设置时为用户数据目录（Linux 下 ~/.local/share/docgen，"
                      "Windows 下 %LOCALAPPDATA%\\docgen）中的 register.sqlite。"),
    "help/new-register": ("在锚文件（REGISTER.anchor）记载原有登记簿之处新建登记簿，编号从 1 重新开始。"
                          "仅当旧登记簿确已停用时使用；否则请从备份恢复。"),
    "help/progress": "耗时较长的工作在标准错误输出上显示进度条。默认：标准错误输出是终端时显示。",
    "help/template-file": "用银行修改过的 .docx 代替内置模板填写（字段按 NAME 的定义）。",
    "help/data": ("数据目录（用户、任务、审计日志、登记簿、上传文件）。默认为 $DOCGEN_DATA 所指的目录，"
                  "未设置时为用户数据目录（Linux 下 ~/.local/share/docgen）。"),
    "help/check-stage": ("检查到清单的这一阶段为止（此前各阶段一并报告）："
                         "开发贷为 pre-application、pre-contract 或 pre-disbursement。默认：全部阶段。"),
    "help/check-format": ("text 供终端阅读，json 供程序读取（格式稳定），markdown 用于电子邮件，"
                          "docx 为可打印的资料清单（须用 -o）。"),
    "help/check-lang": "标题和提示信息的语言。",
    "help/check-as-of": "判断资料是否过期、是否陈旧所依据的日期，格式 YYYY-MM-DD。默认：今天。",
    "help/check-checklist": ("清单名称，或银行自己的 YAML 清单文件。默认：bundle.yaml 指定的清单，"
                             "未指定时为 dev-loan。"),
    "help/check-equity": "自筹资金占总投资的最低比例，按百分数填写（默认 50）。",
    "help/check-output": "把报告写入此文件（原子写入），不打印到屏幕。",
    "help/check-jobs": "并行检查的文件数。默认：CPU 核数。",
    "help/check-color": "文本报告着色。默认：仅在输出到终端时着色。",
    "help/init-checklist": "按哪份清单建立文件夹。默认：dev-loan。",
    "help/init-force": "用空白的 bundle.yaml 替换已有的 bundle.yaml。",
    "help/checklist-stage": "只显示这一阶段（如 pre-application、pre-contract、pre-disbursement）。",
    "help/checklist-lang": "只用一种语言（错误信息也是）；默认中英文对照。",
    "help/checklist-output": "写入此文件，不打印到屏幕。",
    "help/batch-rows": "数据行：.xlsx 或 .csv（UTF-8，带或不带 BOM；或 GB18030/GBK）；表头可用中文。",
    "help/batch-out": "存放文书及 manifest.csv、manifest.json 的文件夹。",
    "help/batch-pdf": "同时把每份文书转成 PDF（用 LibreOffice）。",
    "help/batch-merge-pdf": "把整批文书按编号顺序合成一个打印用 PDF（每封函各自编页码）。",
    "help/batch-jobs": "用 N 个进程检查和生成；用 --pdf 时启动 N 个 LibreOffice。",
    "help/batch-skip-invalid": "生成有效的行并报告有误的行，而不是一份也不写。",
    "help/batch-sheet": "工作表名称（默认：第一个未隐藏的工作表）。",
    "help/batch-set": ("表中没有这一列或这一列为空时，各行统一使用的值（如 --set letter_date=2026-11-28，"
                       "或按表头写 --set 发函日期=2026-11-28）。可重复使用。"),
    "help/register-template": "只看这一模板的记录。",
    "help/migrate-from": "要迁移的登记簿（只读取）。",
    "help/migrate-to": "迁入的空登记簿（需要时新建），通常是 PostgreSQL 地址。",
    "help/draft-annex": "附件编号 1 至 11（附件N）；可重复指定多个。默认：检查报告缺少的全部附件。",
    "help/draft-out": "起草文件的输出文件夹（默认：资料包中各附件所属阶段的文件夹）。",
    "help/draft-pdf": "同时在每个 .docx 旁生成 PDF（用 LibreOffice）。",
    "help/draft-template": "银行自己的资金封闭运作管理协议书（附件六）.docx，用同样的数据填写。",
    "help/draft-as-of": "检查据以判断缺少哪些资料的日期（默认：今天）。",
    "help/draft-register": "编号登记簿（默认为 $DOCGEN_REGISTER 所指的登记簿，未设置时为本用户的登记簿）。",
    "help/inspect-format": "text 供人阅读，json 供程序读取（报告中 files 条目的字段，另加 readable）。",
    "help/inspect-timeout": "超过这么多秒仍未读完，即报告文件无法读取（防范恶意文件）。",
    "help/npl-ledger": "期末贷款台账（.xlsx 或 .csv）。",
    "help/npl-opening": "期初贷款台账（用于计算变动、完成情况和迁徙）。",
    "help/npl-period": "报告期：2026Q2、2026H1、2026 或 2026-06。",
    "help/npl-as-of": "数据截止日（YYYY-MM-DD）；默认：报告期末。",
    "help/npl-targets": "目标文件 targets.yaml，写 reduction_target、recovery_target、large_npl_threshold（元）。",
    "help/npl-notes": "说明文件 notes.yaml，写 branch、recipient、date 及 collection、litigation、plan 各段文字。",
    "help/npl-output": "把报告写成此 .docx 文件（原子写入）。",
    "help/npl-pdf": "同时把 .docx 转成 PDF，放在它旁边（用 LibreOffice）。",
    "help/npl-template": "用银行修改过的 templates/npl-report.docx 副本代替内置模板生成报告。",
    "help/npl-format": "在屏幕上打印什么：中文摘要（text）或 JSON 数字（json）。",
    "help/serve-host": "监听地址。",
    "help/serve-port": "端口。",
    "help/serve-workers": "执行任务（批量生成、催收函、PDF）的工作进程数。",
    "help/serve-max-upload": "允许上传的最大文件，单位 MB。",
    "help/serve-retention": "上传文件和结果超过这么多小时即删除。",
    "help/serve-secure-cookies": "给会话 Cookie 加 Secure 标记（经 HTTPS 访问时）。",
    "help/serve-broker": "把任务排入这个 Celery 队列，由“docgen worker”进程执行（默认：在本机进程中执行）。",
    "help/serve-register": ("各任务取编号的登记簿（默认：数据目录中的 register.sqlite）；"
                            "多个实例或 worker 共用时用 postgresql:// 地址。"),
    "help/serve-bundle-root": ("客户资料包所在的文件夹，每个子文件夹一个资料包：“资料检查”页列出它们，"
                               "并在原处只读检查选中的一个（默认：只接受上传的 .zip）。"),
    "help/worker-broker": "服务排入任务的 Celery 队列。",
    "help/worker-concurrency": "本 worker 同时执行的任务（或批量任务的分块）数，每个一个进程。",
    "help/worker-data": ("服务的数据目录，启动时检查：已由较新版本 docgen 升级的服务数据库将被拒绝（退出码 2）。"
                         "默认为 $DOCGEN_DATA 所指的目录，未设置时不检查（各任务自带数据目录）。"),
    "help/lint-schema": "与这一模板的字段比对变量（默认：FILE 旁的 .yaml）。",
    "help/render-data": "字段取值：.yaml 或 .json 文件。",
    "help/render-output": "要写入的 .docx（原子写入）。",
    "help/render-pdf": "同时在 OUT.docx 旁生成 PDF（用 LibreOffice）。",
    "help/render-register": ("编号登记簿：数据中没有编号时由它出具，有编号时记入其中"
                             "（默认为 $DOCGEN_REGISTER 所指的登记簿，未设置时为本用户的登记簿）。"),
}, {
    # the options of a command whose --lang is en (``docgen check``), in its language
    "option/percent": "{value!r} is not a percentage between 0 and 100; e.g. 50 for 50%",
    "option/docx-needs-output": "a docx report needs an output file: give -o, e.g. -o checklist.docx",
    "option/date": "{reason} (e.g. --as-of 2026-11-28)",
    "option/output-folder": ("{path} ends with a path separator, so it is a folder; give the name of the file to "
                             "write, e.g. {path}report.json"),
    "progress/inspecting": "inspecting files",
    # the options' help texts, as the options are given them (said in Chinese on a Chinese help page)
    "help/register": ("Serial-number register: a SQLite file or a postgresql:// URL shared by many machines. "
                      "Default: $DOCGEN_REGISTER, "
                      "else register.sqlite in the per-user data folder (~/.local/share/docgen on Linux, "
                      "%LOCALAPPDATA%\\docgen on Windows)."),
    "help/new-register": ("Start a fresh register where the anchor file (REGISTER.anchor) says one was: "
                          "serials restart at 1. Only when the old register is truly retired; "
                          "otherwise restore it from backup."),
    "help/progress": "Progress bar on stderr for long work. Default: when stderr is a terminal.",
    "help/template-file": "A bank-edited .docx to fill instead of the shipped one (fields from NAME).",
    "help/data": ("Data folder (users, jobs, audit log, register, uploads). Default: $DOCGEN_DATA, "
                  "else the per-user data folder (~/.local/share/docgen on Linux)."),
    "help/check-stage": ("Check up to this stage of the checklist (earlier stages are reported too): "
                         "for dev-loan pre-application, pre-contract or pre-disbursement. Default: all stages."),
    "help/check-format": ("text for the terminal, json for machines (stable), markdown for e-mail, "
                          "docx a printable 资料清单 (needs -o)."),
    "help/check-lang": "Language of titles and messages.",
    "help/check-as-of": "Date to check expiry and staleness against, YYYY-MM-DD. Default: today.",
    "help/check-checklist": "Checklist name or a bank's own YAML file. Default: bundle.yaml's, else dev-loan.",
    "help/check-equity": "Minimum self-raised funds / total investment, in percent (default 50).",
    "help/check-output": "Write the report to this file (atomically) instead of stdout.",
    "help/check-jobs": "Files inspected in parallel. Default: CPU count.",
    "help/check-color": "Colour the text report. Default: only when writing to a terminal.",
    "help/init-checklist": "Checklist to scaffold for. Default: dev-loan.",
    "help/init-force": "Replace an existing bundle.yaml with a blank one.",
    "help/checklist-stage": "Only this stage (e.g. pre-application, pre-contract, pre-disbursement).",
    "help/checklist-lang": "One language only, its errors too; both (中文 / English) by default.",
    "help/checklist-output": "Write to this file instead of stdout.",
    "help/batch-rows": "Rows: .xlsx or .csv (UTF-8 with/without BOM, or GB18030/GBK); Chinese headers allowed.",
    "help/batch-out": "Folder for the documents, manifest.csv and manifest.json.",
    "help/batch-pdf": "Also convert each document to PDF (LibreOffice).",
    "help/batch-merge-pdf": ("Write one print PDF of the whole batch, "
                             "in serial order (each letter its own page numbers)."),
    "help/batch-jobs": "Check and render in N processes; N LibreOffice instances for --pdf.",
    "help/batch-skip-invalid": "Generate the valid rows and report the bad ones, instead of writing nothing.",
    "help/batch-sheet": "Worksheet name (default: the first sheet not hidden).",
    "help/batch-set": ("A value for every row where the sheet has no such column or leaves it empty (e.g. "
                       "--set letter_date=2026-11-28, or by its header: --set 发函日期=2026-11-28). Repeatable."),
    "help/register-template": "Only this template's records.",
    "help/migrate-from": "The register to move (only read).",
    "help/migrate-to": "The empty register to move it to (created if needed): usually a PostgreSQL URL.",
    "help/draft-annex": ("Annex number 1-11 (附件N); repeat for several. Default: "
                         "every annex the check reports missing."),
    "help/draft-out": "Folder for the drafted files (default: the bundle's stage folder of each annex).",
    "help/draft-pdf": "Also write a PDF beside each .docx (LibreOffice).",
    "help/draft-template": "The bank's own 资金封闭运作管理协议书 (附件六) .docx, filled with the same data.",
    "help/draft-as-of": "Date the check uses to decide what is missing (default: today).",
    "help/draft-register": "Serial-number register (default: $DOCGEN_REGISTER or the per-user register).",
    "help/inspect-format": ("text for people, "
                            "json for machines (the fields of a report's files entry plus readable)."),
    "help/inspect-timeout": "Seconds allowed before the file is reported unreadable (hostile files).",
    "help/npl-ledger": "Closing snapshot of the loan ledger (.xlsx or .csv).",
    "help/npl-opening": "Opening snapshot of the loan ledger (for the change, completion and migration).",
    "help/npl-period": "Reporting period: 2026Q2, 2026H1, 2026 or 2026-06.",
    "help/npl-as-of": "Data cut-off date (YYYY-MM-DD); default: the period end.",
    "help/npl-targets": "targets.yaml: reduction_target, recovery_target, large_npl_threshold (yuan).",
    "help/npl-notes": "notes.yaml: branch, recipient, date, collection, litigation, plan paragraphs.",
    "help/npl-output": "Write the report as .docx here (written atomically).",
    "help/npl-pdf": "Also convert the .docx to PDF beside it (LibreOffice).",
    "help/npl-template": "A bank-edited copy of templates/npl-report.docx to render instead of the shipped one.",
    "help/npl-format": "What to print on stdout: a Chinese summary or the JSON figures.",
    "help/serve-host": "Address to listen on.",
    "help/serve-port": "Port.",
    "help/serve-workers": "Worker processes for jobs (batches, letters, PDF).",
    "help/serve-max-upload": "Largest upload accepted, in MB.",
    "help/serve-retention": "Uploads and results older than this are deleted.",
    "help/serve-secure-cookies": "Mark the session cookie Secure (behind HTTPS).",
    "help/serve-broker": ("Queue jobs on this Celery broker for `docgen worker` processes (default: "
                          "run them in local processes)."),
    "help/serve-register": ("The register every job issues serials from (default: "
                            "register.sqlite in the data folder); "
                            "a postgresql:// URL when several instances or workers share it."),
    "help/serve-bundle-root": ("Folder whose sub-folders are client bundles: "
                               "资料检查 lists them and checks the one picked, in place and read only (default: "
                               ".zip uploads only)."),
    "help/worker-broker": "The Celery broker the service queues jobs on.",
    "help/worker-concurrency": "Jobs (or chunks of a batch) this worker runs at once, one process each.",
    "help/worker-data": ("The service's data folder, checked at start: "
                         "a service database a later docgen brought up to date is refused (exit 2). Default: "
                         "$DOCGEN_DATA, else none checked (each job names its own)."),
    "help/lint-schema": "Compare variables with this template's fields (default: the .yaml beside FILE).",
    "help/render-data": "Field values: a .yaml or .json file.",
    "help/render-output": "The .docx to write (written atomically).",
    "help/render-pdf": "Also write a PDF beside OUT.docx (LibreOffice).",
    "help/render-register": ("Serial-number register: issues the serial when the data has none, "
                             "records the data's otherwise (default: $DOCGEN_REGISTER or the per-user register)."),
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

#: Every option help text said in Chinese as a Chinese help page is written -> the code of its Chinese:
#: click's own, and docgen's options' (each given its ``help/…`` entry's English, ``help_text``).
HELP_TEXTS: dict[str, str] = {**CLICK_HELP_TEXTS, **{
    MESSAGES.text(code, lang="en"): code for code in sorted(MESSAGES.codes("en")) if code.startswith("help/")}}


def help_text(code: str) -> str:
    """Return the help text an option is given: the English of ``help/…`` entry ``code`` (a ``--lang en``
    help page shows it; a Chinese one says its Chinese, ``HELP_TEXTS``). Raises ``KeyError`` for a code
    without English."""
    return MESSAGES.text(code, lang="en")
