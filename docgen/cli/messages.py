"""The command line's own message table: what the commands say besides the parts' words.

Option errors, progress labels, the text reports the commands print themselves (``docgen
templates show``, ``docgen render``, ``docgen collect letters``, ``docgen users``) and the help
texts of the commands and their options (``help/…``: the English each is given, which a ``--lang
en`` page shows, and the Chinese a Chinese page says) are keyed by a stable code here; errors of
the library come worded from their part's table.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from docgen.core.wording import MessageTable

__all__ = ["CLICK_HELP_TEXTS", "CLICK_WORDS", "HELP_TEXTS", "MESSAGES", "help_text"]


def _field_in(required: str, optional: str, sep: str, headers: str) -> Callable[[Mapping[str, Any]], str]:
    """Return how ``docgen templates show`` lines up a field (name, type, required, label, header aliases)
    in a language's words."""
    def line(f: Mapping[str, Any]) -> str:
        need = required if f["required"] else optional
        label = f"  {f['description']}" if f.get("description") else ""
        aliases = sep.join(f.get("aliases") or [])
        return f"{f['indent']}{f['name']:<26} {f['type']:<8} {need}{label}" + (f"  {headers}{aliases}" if aliases else "")

    return line


_field = _field_in("必填", "可选", "、", "表头：")
_field_en = _field_in("required", "optional", ", ", "headers: ")


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
    "usage/examples": "示例：",
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
    "help/templates-lang": "列出及报错的语言：en 时显示模板的英文标题、类别、说明和字段名（生成的文书仍为中文）。",
    "help/render-data": "字段取值：.yaml 或 .json 文件。",
    "help/render-output": "要写入的 .docx（原子写入）。",
    "help/render-pdf": "同时在 OUT.docx 旁生成 PDF（用 LibreOffice）。",
    "help/render-register": ("编号登记簿：数据中没有编号时由它出具，有编号时记入其中"
                             "（默认为 $DOCGEN_REGISTER 所指的登记簿，未设置时为本用户的登记簿）。"),
    # the commands' help texts on a Chinese help page, up to their examples (the English one's follow them:
    # ``docgen.cli.usage``)
    "help/command/docgen": ("docgen：开发贷资料清单检查、Word 模板批量生成、不良贷款报告。\n"
                            "\n"
                            "\b\n"
                            "检查客户的开发贷资料包，用 Excel 数据批量填写 Word 模板，\n"
                            "根据贷款台账计算定期的不良贷款报告和催收计划。"),
    "help/command/batch": ("按模板 NAME 为 --rows 的每一行生成一份带编号的文书。\n"
                           "\n"
                           "\b\n"
                           "先逐行检查；有误的行连同行号、列（表头）和改正方法一并报告，除非用\n"
                           "--skip-invalid，否则一份也不写（退出码 1）。每份文书从登记簿取下一个编号；已\n"
                           "出具过的行（同一模板、同一行键，如借款合同号）跳过并保留原编号，所以重新运行\n"
                           "批次（包括中断过的批次）不会重复出具。文件以原子方式写入；manifest.csv 和\n"
                           "manifest.json 列出行号、行键、编号、文件和 SHA-256。\n"
                           "\n"
                           "\b\n"
                           "退出码：0 完成（用 --skip-invalid 时也是），1 有误的行，2 输入无法读取。"),
    "help/command/check": ("对照开发贷资料清单检查客户资料包 BUNDLE（文件夹或 .zip）。\n"
                           "\n"
                           "\b\n"
                           "按阶段报告哪些资料齐全、缺少、无效或已豁免，发现的每个问题（文件无法读取、加\n"
                           "密或为空，类型不符，资料过期或陈旧，资本金比例，缺少的审计年度，未确认的印章\n"
                           "和签字……），以及现在可以起草哪些附件。\n"
                           "\n"
                           "\b\n"
                           "退出码：0 齐全，1 不齐全，2 无法检查\n"
                           "（资料包或清单无法读取、选项有误）。"),
    "help/command/checklist": ("清单：查看资料清单。"),
    "help/command/checklist-list": ("列出内置清单。\n"
                                    "\n"
                                    "每个名称都可用于“docgen checklist show NAME”或“docgen check --checklist NAME”。"),
    "help/command/checklist-show": ("显示资料清单（中英文对照）。\n"
                                    "\n"
                                    "\b\n"
                                    "NAME 为内置清单（默认 dev-loan）或银行自己的 YAML 文件路径。清单或阶段不存在\n"
                                    "时退出码为 2；用 --lang en 时以英文说明原因。"),
    "help/command/checklist-validate": ("校验银行自己的清单文件 FILE。\n"
                                        "\n"
                                        "\b\n"
                                        "文件有效时打印一行摘要，退出码为 0；否则打印出错的键（如\n"
                                        "“items.site-plan.kinds[1]：不允许的取值 exe”；文件引用而未定义的每一项，各附\n"
                                        "其键），退出码为 2；用 --lang en 时以英文说明。"),
    "help/command/collect": ("催收：逾期贷款催收计划与到期催收函。"),
    "help/command/collect-letters": ("为到期应发函的逾期贷款批量生成催收函、催收通知书（时效已届满）与保证人履行保证责任通知书。\n"
                                     "\n"
                                     "\b\n"
                                     "对每笔逾期贷款，打印出具了哪份文书或未出具的原因。时间表规定应发函（默认为逾\n"
                                     "期第 7 天）的贷款，债权仍在诉讼时效期间内的，出具逾期贷款催收函；否则出具催\n"
                                     "收通知书，附债务确认回执（不写任何称时效已中断的语句）。仍须承担保证责任的连\n"
                                     "带责任保证人，在催收计划要求向其主张时，收到保证人履行保证责任通知书（之后请\n"
                                     "把送达日期填为向保证人主张日）。落款日期距诉讼时效届满日不足\n"
                                     "letters.service_margin_days 天的催收函，写明只有在届满前送达才中断诉讼时效，\n"
                                     "并要求在该日前当面送达；保证期间即将届满的保证人通知书同样如此。每份文书从登\n"
                                     "记簿取编号，所以重新运行不会重复出具。应发的函都已生成时退出码为 0；部分无法\n"
                                     "生成（无地址、无联系方式）、部分正由另一个运行中的“collect letters”处理，或\n"
                                     "台账行无效时为 1；文件无法读取或选项有误时为 2。\n"
                                     "\n"
                                     "\b\n"
                                     "台账的可选列及其作用：\n"
                                     "  借款人地址 address              借款人的送达地址；没有则不出函（打印原因）\n"
                                     "  保证人地址 guarantor_addresses  各保证人的送达地址，按担保人顺序以“;”分隔；\n"
                                     "                                  没有地址的保证人不出通知书（打印原因）\n"
                                     "  保证人证件号码 guarantor_ids    只在该保证人本人的通知书中完整打印\n"
                                     "  宣布提前到期 accelerated        为“是”时，函中宣布贷款提前到期，要求偿还全部\n"
                                     "                                  余额（此前已发普通催收函的，另出一份宣布提前\n"
                                     "                                  到期的函）\n"
                                     "  抵质押物 collateral             抵质押条款（为空时不写）\n"
                                     "  罚息利率 penalty_rate           罚息利率（为空时用策略的 letters.penalty）\n"
                                     "  保证方式、向保证人主张日        哪些保证人仍须承担保证责任（只写这些保证人）"),
    "help/command/collect-plan": ("列出逾期贷款的下一步催收动作、诉讼时效与保证期间届满日。\n"
                                  "\n"
                                  "\b\n"
                                  "对计划日期当天逾期的每笔贷款，列出逾期天数、逾期档次（M1-M3+，以及默认策略的\n"
                                  "前期、中期、后期、长期）、时间表的下一步动作及其应办日期、客户经理、诉讼时效\n"
                                  "和保证期间的届满日。届满日落在预警期（默认 90 天）内或已经届满的贷款排在前面。\n"
                                  "成功时退出码为 0；台账行无效时为 1（逐一列出行号和列）；文件无法读取或选项有\n"
                                  "误时为 2。"),
    "help/command/draft": ("按 BUNDLE 的 bundle.yaml 起草篇十三的附件（附件一至附件十一）。\n"
                           "\n"
                           "\b\n"
                           "缺少数据的附件不写；输出指出每个缺少的 bundle.yaml 键及应填写的内容。起草的\n"
                           "文件以其清单项目命名，因此“docgen check”能找到它们（签字盖章前报告为未确认）。\n"
                           "所请求的附件都已起草时退出码为 0；部分缺少数据时为 1；无法运行时为 2。"),
    "help/command/init": ("新建空的客户资料文件夹 DIRECTORY：每个阶段一个子文件夹，另有带注释的 bundle.yaml。\n"
                          "\n"
                          "\b\n"
                          "填写 bundle.yaml（每个键都有中文注释说明填什么），把客户的文件放进各阶段文件\n"
                          "夹，然后运行“docgen check DIRECTORY”。已有的 bundle.yaml 不加 --force 不会被\n"
                          "覆盖（退出码 1）。"),
    "help/command/inspect": ("显示检查程序在 FILE 中看到的内容：类型（按内容判断）、大小、SHA-256、页数、是否加密。\n"
                             "\n"
                             "\b\n"
                             "退出码：0 文件正常，1 文件有问题（为空、无法读取、已加密，\n"
                             "或内容与扩展名不符），2 文件不存在。"),
    "help/command/npl-report": ("关于不良贷款现状及催收管理工作报告：根据贷款台账计算不良贷款数据并写出报告。\n"
                                "\n"
                                "打印各项数据（text 或 JSON），用 -o 时写出 Word 报告（一、基本情况……四、下一\n"
                                "步工作计划，含表格、图表，以及五级分类优于其逾期天数所对应分类的贷款附表）。\n"
                                "不用 --opening 时，不计算期初余额、变动、压降完成情况和迁徙（JSON 中为 null）。\n"
                                "\n"
                                "\b\n"
                                "退出码：0 已生成报告（提示事项只列出，不致失败）；\n"
                                "1 台账行校验未通过（逐一指明行号和列）；2 文件或选项无法使用。"),
    "help/command/register": ("编号登记簿：出具了哪些文书，文件是否完好。"),
    "help/command/register-list": ("列出已出具的文书：编号、模板、行键、文件、SHA-256、时间。"),
    "help/command/register-migrate": ("把登记簿迁移到另一个数据库，保留每个编号、链接和封签，并核验副本。\n"
                                      "\n"
                                      "\b\n"
                                      "对副本进行审计（哈希链、编号缺口、完整性），并与源登记簿逐条比对；有任何不同\n"
                                      "时退出码为 1。迁移后，让每个 docgen 都改用新登记簿\n"
                                      "（DOCGEN_REGISTER=postgresql://…），不再使用旧文件。"),
    "help/command/register-verify": ("检查登记簿并重新计算每个已出具文件的哈希；逐一指明问题，退出码为 1（全部完好时为 0）。\n"
                                     "\n"
                                     "\b\n"
                                     "先检查登记簿本身：数据库的完整性检查、锚文件（REGISTER.anchor：数据库被清空、\n"
                                     "替换或回滚）、记录上的哈希链（指明第一条被修改的记录，或被删除记录之后的那一\n"
                                     "条）以及各模板序号的缺口。数据库以只读方式打开。\n"
                                     "\n"
                                     "\b\n"
                                     "批次在写出文件前中止而预留的编号报告为未完成：重新运行该批次即可出具。"),
    "help/command/render": ("用 --data 中的值填写模板 NAME，写出 OUT.docx。\n"
                            "\n"
                            "\b\n"
                            "先检查每个字段（模式和规则：合计、日期、份额、表决）；有问题时逐一指明字段，\n"
                            "退出码为 1，不写任何文件。编号取自数据（“serial:”，记入登记簿，此后登记簿不\n"
                            "再出具该编号；登记簿中该编号已属另一份文书，或本文书已有另一编号时，退出码为\n"
                            "1），数据中没有编号时由登记簿出具（同一关键字段保留原编号）。文件或模板无法\n"
                            "使用时退出码为 2。"),
    "help/command/serve": ("为信贷、后台运营、合规和管理人员提供网页和 JSON API。\n"
                           "\n"
                           "\b\n"
                           "先用“docgen users add NAME --role ROLE”添加用户。用 --bundle-root 时，信贷人\n"
                           "员还可以检查服务器上的客户文件夹（DIR 下的任一子文件夹；指向其外的路径会被拒\n"
                           "绝），不必上传 .zip。用 Ctrl-C 停止；届时仍在运行的任务在下次启动时标记为已\n"
                           "中断，可以重新运行（不会重复出具）。"),
    "help/command/templates": ("Word 模板：列出模板、显示字段、检查银行修改过的副本。"),
    "help/command/templates-lint": ("检查银行修改过的 Word 模板：损坏的标签、未知和未使用的变量、字体。\n"
                                    "\n"
                                    "\b\n"
                                    "模板可以使用时（允许有警告）退出码为 0，发现任何错误时为 1。"),
    "help/command/templates-list": ("列出内置模板：名称、标题、类别。"),
    "help/command/templates-show": ("显示模板的字段：类型、是否必填、中文表头别名。"),
    "help/command/users": ("“docgen serve”的本地用户及其角色。\n"
                           "\n"
                           "角色：credit（客户经理）、backoffice（后台运营）、compliance（放款审核与合规）、\n"
                           "manager（支行管理）、admin（系统管理员）。密码以 argon2 哈希保存；设置了\n"
                           "$DOCGEN_PASSWORD 时从中读取，否则要求输入两次。"),
    "help/command/users-add": ("添加用户 NAME，角色为 ROLE（用户名已被占用或密码太短时退出码为 1）。\n"
                               "\n"
                               "\b\n"
                               "设置了 $DOCGEN_PASSWORD 时从中读取密码，否则要求输入两次。"),
    "help/command/users-disable": ("停用 NAME：此后无法登录，其会话和令牌随即失效。"),
    "help/command/users-list": ("列出用户：用户名、角色、是否启用、创建时间。"),
    "help/command/users-set-password": ("设置 NAME 的密码（并重新启用）；其现有的会话和令牌随即失效。"),
    "help/command/worker": ("在本机执行“docgen serve --broker”排入队列的任务，直到被停止。\n"
                            "\n"
                            "\b\n"
                            "本机须在相同路径挂载服务的数据目录，并能访问其登记簿（postgresql:// 地址，即\n"
                            "传给“docgen serve --register”的地址）。月末需要多少 worker，就在多少台机器上\n"
                            "启动多少个；某个 worker 中途退出，其未完成的分块由另一个 worker 重新执行，不\n"
                            "会重复出具。每个 worker 须运行与服务相同版本的 docgen：较早版本的 worker 拒\n"
                            "绝使用已由较新版本升级的数据库（用 --data 时在启动时检查，并在每个任务开始时\n"
                            "检查）。"),
}, {
    # the options of a command whose --lang is en (``docgen check``), in its language
    "option/percent": "{value!r} is not a percentage between 0 and 100; e.g. 50 for 50%",
    "option/docx-needs-output": "a docx report needs an output file: give -o, e.g. -o checklist.docx",
    "option/date": "{reason} (e.g. --as-of 2026-11-28)",
    "option/output-folder": ("{path} ends with a path separator, so it is a folder; give the name of the file to "
                             "write, e.g. {path}report.json"),
    "progress/inspecting": "inspecting files",
    # docgen templates list|show --lang en (the names, patterns, types and header aliases as they are)
    "templates-list/line": lambda f: f"{f['name']:<{int(f['width'])}}  {f['title']} ({f['category']})",
    "templates-show/head": "{name}  {title} ({category})",
    "templates-show/patterns": "Serial: {serial}    File name: {filename}.docx    Key: {key_field}",
    "templates-show/fields": "Fields:",
    "templates-show/field": _field_en,
    "templates-show/rules": "Rules:",
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
    "help/templates-lang": "Language of the listing and its errors: en gives the templates' English titles, "
                           "categories, descriptions and field names (the documents they make stay Chinese).",
    "help/render-data": "Field values: a .yaml or .json file.",
    "help/render-output": "The .docx to write (written atomically).",
    "help/render-pdf": "Also write a PDF beside OUT.docx (LibreOffice).",
    "help/render-register": ("Serial-number register: issues the serial when the data has none, "
                             "records the data's otherwise (default: $DOCGEN_REGISTER or the per-user register)."),
    # the commands' help texts, as the commands are given them (said in Chinese on a Chinese help page)
    "help/command/docgen": ("docgen：开发贷资料清单检查、Word 模板批量生成、不良贷款报告。\n"
                            "\n"
                            "\b\n"
                            "Check a client's development-loan bundle, fill Word templates from Excel,\n"
                            "and compute the periodic NPL report and collection plan from the loan ledger.\n"
                            "\n"
                            "\b\n"
                            "Examples:\n"
                            "  docgen check examples/bundle --as-of 2026-11-28\n"
                            "  docgen draft examples/bundle --annex 4 --out 起草/\n"
                            "  docgen render commitment-letter --data examples/templates/commitment-letter.yaml -o 承诺函.docx\n"
                            "  docgen batch demand-letter --rows examples/templates/demand-letters.xlsx --out out/\n"
                            "  docgen npl-report --ledger examples/ledger/ledger-2026Q2.xlsx --period 2026Q2 -o report.docx\n"
                            "  docgen collect plan --ledger examples/ledger/ledger-2026Q2.xlsx --as-of 2026-06-30\n"
                            "  docgen serve --port 8000 --data /srv/docgen"),
    "help/command/batch": ("Generate one serial-numbered document per row of --rows with template NAME.\n"
                           "\n"
                           "Every row is checked first; any bad row is reported with its row and column (the\n"
                           "spreadsheet header) and what to fix, and NOTHING is written (exit 1) unless\n"
                           "--skip-invalid. Each document gets the next serial from the register; a row already\n"
                           "issued (same template and row key, e.g. 借款合同号) is skipped and keeps its serial, so\n"
                           "re-running a batch -- also one that was interrupted -- never issues a letter twice.\n"
                           "Files are written atomically; manifest.csv and manifest.json list row, row key,\n"
                           "serial, file and SHA-256.\n"
                           "\n"
                           "\b\n"
                           "Exit status: 0 done (also with --skip-invalid), 1 bad rows, 2 unreadable\n"
                           "input.\n"
                           "\n"
                           "\b\n"
                           "Examples:\n"
                           "  docgen batch demand-letter --rows examples/templates/demand-letters.xlsx --out out/letters\n"
                           "  docgen batch demand-letter --rows 催收名单.csv --out out/ --pdf --merge-pdf out/打印.pdf -j 2\n"
                           "  docgen batch demand-letter --rows 名单.xlsx --out out/ --template 我行催收函.docx --skip-invalid\n"
                           "  docgen batch demand-letter --rows 名单.csv --out out/ --set letter_date=2026-11-28 --set contact=陈晓燕"),
    "help/command/check": ("Check a client BUNDLE (folder or .zip) against the development-loan checklist.\n"
                           "\n"
                           "Reports, per stage, which documents are present, missing, invalid or waived, every\n"
                           "problem found (unreadable, encrypted or empty files, wrong types, expired or stale\n"
                           "documents, equity ratio, missing audit years, unconfirmed seals and signatures …),\n"
                           "and which annexes can be drafted now.\n"
                           "\n"
                           "\b\n"
                           "Exit status: 0 complete, 1 incomplete, 2 the check could not run\n"
                           "(bundle or checklist unreadable, bad option).\n"
                           "\n"
                           "\b\n"
                           "Examples:\n"
                           "  docgen check examples/bundle --as-of 2026-11-28\n"
                           "  docgen check 客户资料.zip --stage pre-contract --lang en\n"
                           "  docgen check examples/bundle --format json -o report.json\n"
                           "  docgen check examples/bundle --format docx -o 资料清单.docx\n"
                           "  docgen check examples/bundle --format markdown --equity-threshold 40"),
    "help/command/checklist": ("清单：查看资料清单 / Show document checklists.\n"
                               "\n"
                               "\b\n"
                               "Examples:\n"
                               "  docgen checklist list\n"
                               "  docgen checklist show\n"
                               "  docgen checklist show dev-loan --stage pre-contract --lang en\n"
                               "  docgen checklist show my-bank/dev-loan.yaml --format json\n"
                               "  docgen checklist validate my-bank/dev-loan.yaml"),
    "help/command/checklist-list": ("List the shipped checklists / 列出内置清单。\n"
                                    "\n"
                                    "Each name can be given to `docgen checklist show NAME` or `docgen check --checklist NAME`.\n"
                                    "\n"
                                    "\b\n"
                                    "Example:\n"
                                    "  docgen checklist list"),
    "help/command/checklist-show": ("Print a checklist bilingually / 显示资料清单（中英文）。\n"
                                    "\n"
                                    "NAME is a shipped checklist (default dev-loan) or the path of a bank's own YAML file.\n"
                                    "Exits 2 when the checklist or the stage is unknown; with --lang en, why is said in English.\n"
                                    "\n"
                                    "\b\n"
                                    "Examples:\n"
                                    "  docgen checklist show\n"
                                    "  docgen checklist show --stage pre-disbursement --lang zh\n"
                                    "  docgen checklist show ./我行清单.yaml --format json"),
    "help/command/checklist-validate": ("Validate a bank's own checklist FILE / 校验自定义清单文件。\n"
                                        "\n"
                                        "Prints a one-line summary and exits 0 when the file is valid; otherwise prints the key that\n"
                                        "fails (e.g. ``items.site-plan.kinds[1]：不允许的取值 exe``; every reference to what the file does\n"
                                        "not define, each with its key) and exits 2; with --lang en, in English.\n"
                                        "\n"
                                        "\b\n"
                                        "Examples:\n"
                                        "  docgen checklist validate ./我行清单.yaml\n"
                                        "  docgen checklist validate ./我行清单.yaml --lang en"),
    "help/command/collect": ("催收：逾期贷款催收计划与到期催收函。Collection plan and demand letters due.\n"
                             "\n"
                             "\b\n"
                             "Examples:\n"
                             "  docgen collect plan --ledger examples/ledger/ledger-2026Q2.xlsx --as-of 2026-06-30\n"
                             "  docgen collect letters --ledger ledger.xlsx --as-of 2026-06-30 --policy examples/collection-policy.yaml --out letters/"),
    "help/command/collect-letters": ("为到期应发函的逾期贷款批量生成催收函、催收通知书（时效已届满）与保证人履行保证责任通知书。\n"
                                     "\n"
                                     "For every overdue loan, prints which document it issued or why none. A loan whose timetable\n"
                                     "has the letter due (day 7 of arrears by default) gets the 逾期贷款催收函 while its claim is\n"
                                     "inside the limitation period, else the 催收通知书 with a 债务确认回执 (never a sentence\n"
                                     "saying the period is interrupted); joint guarantors still liable get a 保证人履行保证责任\n"
                                     "通知书 when the plan calls on them (then enter the service date as 向保证人主张日). A\n"
                                     "催收函 dated within letters.service_margin_days of the limitation deadline says the period is\n"
                                     "interrupted only if served before it ends, and asks for service in person by that day; a\n"
                                     "保证人通知书 likewise when the guarantee period ends that soon. Each\n"
                                     "document takes a serial number from the register, so running again issues none twice.\n"
                                     "Exit 0 when every letter due exists, 1 when some could not be generated (no address, no\n"
                                     "contact), another running `collect letters` holds some, or ledger rows are invalid, 2 when\n"
                                     "a file cannot be read or an option is wrong.\n"
                                     "\n"
                                     "\b\n"
                                     "Optional ledger columns and what they drive:\n"
                                     "  借款人地址 address              the borrower's 送达地址; without it no\n"
                                     "                                  letter (reason printed)\n"
                                     "  保证人地址 guarantor_addresses  each guarantor's 送达地址, in 担保人 order\n"
                                     "                                  with ; between; a guarantor without one\n"
                                     "                                  gets no notice (reason printed)\n"
                                     "  保证人证件号码 guarantor_ids    printed in full in that guarantor's own\n"
                                     "                                  notice only\n"
                                     "  宣布提前到期 accelerated        when 是, a letter declares the loan due\n"
                                     "                                  early, demands the balance (after an\n"
                                     "                                  ordinary letter: a declaring letter of its\n"
                                     "                                  own)\n"
                                     "  抵质押物 collateral             the collateral clause (none when empty)\n"
                                     "  罚息利率 penalty_rate           the penalty rate (else the policy's\n"
                                     "                                  letters.penalty)\n"
                                     "  保证方式、向保证人主张日        which guarantors are still liable (only they\n"
                                     "                                  are named)\n"
                                     "\n"
                                     "\b\n"
                                     "Examples:\n"
                                     "  docgen collect letters --ledger ledger.xlsx --as-of 2026-11-28 --out letters/ --policy policy.yaml\n"
                                     "  docgen collect letters --ledger ledger.xlsx --as-of 2026-11-28 --out letters/ --merge-pdf letters.pdf"),
    "help/command/collect-plan": ("列出逾期贷款的下一步催收动作、诉讼时效与保证期间届满日。\n"
                                  "\n"
                                  "For every loan overdue on the as-of date: days past due, bucket (M1-M3+ and the seed's\n"
                                  "前期/中期/后期/长期), the next action of the timetable and its due date, the officer, the\n"
                                  "limitation and guarantee deadlines. Loans whose deadline falls within the warning window\n"
                                  "(default 90 days) or has passed come first. Exit 0 on success, 1 when ledger rows are\n"
                                  "invalid (each listed with row and column), 2 when a file cannot be read or an option is wrong.\n"
                                  "\n"
                                  "\b\n"
                                  "Examples:\n"
                                  "  docgen collect plan --ledger ledger.xlsx --as-of 2026-11-28\n"
                                  "  docgen collect plan --ledger ledger.csv --as-of 2026-11-28 --format json -o plan.json\n"
                                  "  docgen collect plan --ledger ledger.xlsx --as-of 2026-11-28 --format xlsx -o 催收计划.xlsx\n"
                                  "  docgen collect plan --ledger ledger.xlsx --as-of 2026-11-28 --officer 王五"),
    "help/command/draft": ("Draft the annexes of 篇十三 (附件一 … 附件十一) from BUNDLE's bundle.yaml.\n"
                           "\n"
                           "An annex whose data is missing is not written; the output names each missing bundle.yaml\n"
                           "key and what to put there. Drafted files are named after their checklist item, so\n"
                           "`docgen check` finds them (reported unattested until signed and sealed).\n"
                           "Exit 0 when every requested annex was drafted, 1 when some lack data, 2 when it could not run.\n"
                           "\n"
                           "\b\n"
                           "Examples:\n"
                           "  docgen draft examples/bundle --annex 2 --annex 4 --out 起草/\n"
                           "  docgen draft 客户资料/ --pdf\n"
                           "  docgen draft 客户资料/ --annex 6 --template 我行资金封闭运作管理协议书.docx"),
    "help/command/init": ("Scaffold an empty client folder DIRECTORY: a sub-folder per stage and a commented bundle.yaml.\n"
                          "\n"
                          "Fill in bundle.yaml (every key has a Chinese comment saying what to write), put the\n"
                          "client's files into the stage folders, then run `docgen check DIRECTORY`.\n"
                          "An existing bundle.yaml is never overwritten without --force (exit 1).\n"
                          "\n"
                          "\b\n"
                          "Examples:\n"
                          "  docgen init 客户资料/华安置业\n"
                          "  docgen init clients/acme --checklist my-bank-checklist.yaml"),
    "help/command/inspect": ("Show what the checker sees in FILE: kind (from content), size, SHA-256, pages, encryption.\n"
                             "\n"
                             "\b\n"
                             "Exit status: 0 the file is fine, 1 it has a problem (empty, unreadable,\n"
                             "encrypted, or its content does not match its extension), 2 it does not exist.\n"
                             "\n"
                             "\b\n"
                             "Examples:\n"
                             "  docgen inspect 申请人资料/营业执照.pdf\n"
                             "  docgen inspect 审计报告2023.pdf --format json"),
    "help/command/npl-report": ("关于不良贷款现状及催收管理工作报告：compute the NPL figures from the ledger and write the report.\n"
                                "\n"
                                "\b\n"
                                "Prints the figures (text or JSON) and, with -o, writes the Word report\n"
                                "(一、基本情况 … 四、下一步工作计划, tables, chart, and an annex of loans whose\n"
                                "five-category class is better than their days past due allow). Without\n"
                                "--opening the opening balance, change, reduction completion and migration are\n"
                                "not computed (null in JSON).\n"
                                "Exit status: 0 report produced (flags are listed, not fatal); 1 ledger rows\n"
                                "failed validation (each named by row and column); 2 a file or option could not\n"
                                "be used.\n"
                                "\n"
                                "\b\n"
                                "Examples:\n"
                                "  docgen npl-report --ledger examples/ledger/ledger-2026Q2.xlsx \\\n"
                                "      --opening examples/ledger/ledger-2026Q1.xlsx --period 2026Q2 \\\n"
                                "      --targets examples/ledger/targets.yaml --notes examples/ledger/notes.yaml -o report.docx\n"
                                "  docgen npl-report --ledger ledger.csv --period 2026Q2 --format json\n"
                                "  docgen npl-report --ledger ledger.xlsx --period 2026Q2 --policy examples/collection-policy.yaml"),
    "help/command/register": ("The serial-number register: what was issued, and whether the files are intact.\n"
                              "\n"
                              "\b\n"
                              "Examples:\n"
                              "  docgen register list --template demand-letter\n"
                              "  docgen register verify --register out/register.sqlite"),
    "help/command/register-list": ("List issued documents: serial, template, row key, file, SHA-256, time.\n"
                                   "\n"
                                   "\b\n"
                                   "Examples:\n"
                                   "  docgen register list\n"
                                   "  docgen register list --template demand-letter --format json"),
    "help/command/register-migrate": ("Move a register to another database, keeping every serial, link and seal; verify the copy.\n"
                                      "\n"
                                      "The copy is audited (chain, gaps, integrity) and compared record for record with the\n"
                                      "source; exit 1 if anything differs. Afterwards point every docgen at the new register\n"
                                      "(DOCGEN_REGISTER=postgresql://…) and stop using the old file.\n"
                                      "\n"
                                      "\b\n"
                                      "Examples:\n"
                                      "  docgen register migrate --from register.sqlite --to postgresql://docgen@db.bank/docgen"),
    "help/command/register-verify": ("Check the register and re-hash every issued file; exit 1 naming each problem (0 when all intact).\n"
                                     "\n"
                                     "The register itself is checked first: the database's integrity check, its anchor file\n"
                                     "(REGISTER.anchor: an emptied, replaced or rolled-back database), the hash chain over its\n"
                                     "records (the first edited record, or the one after a deleted record, is named) and gaps\n"
                                     "in each template's sequence numbers. The database is opened read-only.\n"
                                     "\n"
                                     "A serial reserved by a batch that stopped before writing its file is reported as\n"
                                     "incomplete: re-run that batch to issue it.\n"
                                     "\n"
                                     "\b\n"
                                     "Examples:\n"
                                     "  docgen register verify\n"
                                     "  docgen register verify --template demand-letter --format json"),
    "help/command/render": ("Fill template NAME with the values in --data and write OUT.docx.\n"
                            "\n"
                            "Every field is checked first (schema and rules: totals, dates, shares, votes); a problem\n"
                            "exits 1 naming each field, and nothing is written. The serial number comes from the data\n"
                            "(`serial:`, recorded in the register so it never issues that number again; exit 1 when the\n"
                            "register holds it for another document, or another serial for this one) or, when absent,\n"
                            "from the register (the same key field keeps its serial). Exit 2 when a file or the template\n"
                            "cannot be used.\n"
                            "\n"
                            "\b\n"
                            "Examples:\n"
                            "  docgen render demand-letter --data examples/templates/demand-letter.yaml -o 催收函.docx\n"
                            "  docgen render demand-letter --data d.json -o out.docx --template 我行催收函.docx --pdf"),
    "help/command/serve": ("Serve the pages and the JSON API for credit staff, back office, compliance and management.\n"
                           "\n"
                           "Add users first with `docgen users add NAME --role ROLE`. With --bundle-root, credit\n"
                           "staff may also check a client's folder on the server (any sub-folder of DIR; paths\n"
                           "leading out of it are refused) instead of uploading a .zip. Stop with Ctrl-C; jobs still\n"
                           "running then are marked interrupted at the next start and can be run again (nothing is\n"
                           "issued twice).\n"
                           "\n"
                           "\b\n"
                           "Examples:\n"
                           "  docgen users add wang --role credit --data /srv/docgen\n"
                           "  docgen serve --data /srv/docgen\n"
                           "  docgen serve --host 0.0.0.0 --port 8080 --secure-cookies\n"
                           "  docgen serve --data /srv/docgen --bundle-root /srv/客户资料\n"
                           "  docgen serve --data /srv/docgen --broker redis://queue.bank:6379/0 --register postgresql://docgen@db.bank/docgen"),
    "help/command/templates": ("Word templates: list them, show their fields, lint a bank-edited copy.\n"
                               "\n"
                               "\b\n"
                               "Examples:\n"
                               "  docgen templates list\n"
                               "  docgen templates show demand-letter\n"
                               "  docgen templates lint 我行催收函.docx --schema demand-letter"),
    "help/command/templates-lint": ("Lint a Word template a bank edited: broken tags, unknown and unused variables, fonts.\n"
                                    "\n"
                                    "Exit 0 when the template can be used (warnings allowed), 1 when any error was found.\n"
                                    "\n"
                                    "\b\n"
                                    "Examples:\n"
                                    "  docgen templates lint 我行催收函.docx --schema demand-letter\n"
                                    "  docgen templates lint templates/demand-letter.docx --format json"),
    "help/command/templates-list": ("List the shipped templates: name, title, category.\n"
                                    "\n"
                                    "\b\n"
                                    "Example:\n"
                                    "  docgen templates list --format json"),
    "help/command/templates-show": ("Show a template's fields: type, required, Chinese header aliases.\n"
                                    "\n"
                                    "\b\n"
                                    "Examples:\n"
                                    "  docgen templates show demand-letter\n"
                                    "  docgen templates show shareholder-resolution --format json"),
    "help/command/users": ("Local users of `docgen serve` and their roles.\n"
                           "\n"
                           "Roles: credit (客户经理), backoffice (后台运营), compliance (放款审核/合规),\n"
                           "manager (支行管理), admin (系统管理员). Passwords are stored as argon2 hashes; they\n"
                           "are read from $DOCGEN_PASSWORD when set, otherwise asked twice.\n"
                           "\n"
                           "\b\n"
                           "Examples:\n"
                           "  docgen users add wang --role credit\n"
                           "  docgen users add li --role backoffice --data /srv/docgen\n"
                           "  docgen users list\n"
                           "  docgen users disable wang\n"
                           "  docgen users set-password wang"),
    "help/command/users-add": ("Add user NAME with ROLE (exit 1 when the name is taken or the password too short).\n"
                               "\n"
                               "The password comes from $DOCGEN_PASSWORD when set, otherwise it is asked twice.\n"
                               "\n"
                               "\b\n"
                               "Examples:\n"
                               "  docgen users add wang --role credit\n"
                               "  docgen users add li --role backoffice --data /srv/docgen"),
    "help/command/users-disable": ("Disable NAME: it can no longer log in, and its sessions and tokens stop working.\n"
                                   "\n"
                                   "\b\n"
                                   "Examples:\n"
                                   "  docgen users disable wang"),
    "help/command/users-list": ("List users: name, role, active, created.\n"
                                "\n"
                                "\b\n"
                                "Examples:\n"
                                "  docgen users list\n"
                                "  docgen users list --format json --data /srv/docgen"),
    "help/command/users-set-password": ("Set NAME's password (and enable it again); its existing sessions and tokens end.\n"
                                        "\n"
                                        "\b\n"
                                        "Examples:\n"
                                        "  docgen users set-password wang"),
    "help/command/worker": ("Run the jobs a `docgen serve --broker` queues, on this machine, until stopped.\n"
                            "\n"
                            "The machine must mount the service's data folder at the same path and reach its\n"
                            "register (a postgresql:// URL, given to `docgen serve --register`). Start as many\n"
                            "workers, on as many machines, as the month-end needs; a worker that dies has its\n"
                            "unfinished chunk run again by another, and nothing is issued twice. Every worker runs the\n"
                            "docgen the services run: a worker of an earlier one refuses a database a later one brought up\n"
                            "to date (at start with --data, and at each job).\n"
                            "\n"
                            "\b\n"
                            "Examples:\n"
                            "  docgen worker --broker redis://queue.bank:6379/0 --concurrency 4 --data /srv/docgen"),
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
