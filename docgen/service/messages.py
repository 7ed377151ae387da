"""The web service's message table: what its API answers and its errors say, by stable code.

The pages' labels and headings are in ``docgen.service.i18n``; errors of the library come worded
from their part's table. Most answers carry both languages in one line (Chinese, then English in
brackets), as API clients and the pages show them.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from docgen.core.wording import MessageTable, joined

__all__ = ["FOLDERS", "MESSAGES", "ON_SERVICE"]

MESSAGES = MessageTable("service", {
    # users (UserError)
    "user-password-short": "密码至少 {min} 个字符（password must have at least {min} characters）",
    "user-name-invalid": "用户名{name!q}无效：只能用字母、数字、汉字、_ . -，最长 64 个字符",
    "user-role-invalid": joined("角色{role!q}无效；可用角色：{roles}", "roles"),
    "user-exists": "用户 {name} 已存在；改密码请用 docgen users set-password {name}",
    "user-unknown": "没有用户 {name}；先用 docgen users add {name} --role ROLE 添加",
    # the service's own files (InputError)
    "data-dir-unwritable": "{path}：无法创建数据目录（{reason}）；请用 --data 指定可写的文件夹",
    "database-unusable": "{path}：不是可用的 docgen 服务数据库（{reason}）；请用 --data 指定另一个文件夹",
    "database-newer": ("{path}：服务数据库的版本（{found}）比这个 docgen 所知的（{known}）新，是更新的 docgen 创建或升级的；"
                       "请用那个版本运行服务，或用 --data 指定另一个文件夹（the database was made by a newer docgen）"),
    "database-newer/worker": ("{path}：服务数据库的版本（{found}）比这个 docgen worker 所知的（{known}）新，已由更新的 docgen 升级；"
                              "本 worker 不运行其中的任务。请先停下所有旧版本的 docgen worker，在本机安装与服务相同版本的 docgen 后"
                              "重新启动（this worker's docgen is older than the service database）"),
    # the data folder, uploads/, files/ or the database failing while the service runs (503; jobs fail so)
    "storage-denied": ("服务无权写入 {path}（权限不足）；请管理员让运行 docgen serve 的用户可以写入它，恢复后重试"
                       "（the service may not write {path}）"),
    "storage-full": ("{path} 所在磁盘空间已满，服务无法写入；请管理员清理磁盘空间，恢复后重试"
                     "（no space left on the disk of {path}）"),
    "storage-failed": ("服务无法写入 {path}（{reason}）；请管理员检查它的权限和所在磁盘，恢复后重试"
                       "（the service cannot write {path}）"),
    # jobs
    "rows-rejected": "{rows}：{count} 处数据有误，未生成任何文书",
    "rows-rejected/stopped": "{rows}：读到第{row}行时已有超过 {count} 行数据有误，其后的行未再检查，未生成任何文书",
    "rows-held": "{count} 行（如 {first}）正由另一个仍在运行的批次生成；待其结束后重新运行本任务，已出具的文书不会重复出具",
    "letters-held": ("{count} 笔贷款的催收函（如贷款 {first}）正由另一个仍在运行的任务生成，本任务未出具；待其结束后重新运行本任务，"
                     "已出具的催收函不会重复出具"),
    "upload-rows-rejected": "{name}：{count} 处数据有误，未生成任何文书；请改正后重新上传",
    "upload-rows-rejected/stopped": ("{name}：读到第{row}行时已有超过 {count} 行数据有误，其后的行未再检查，未生成任何文书；"
                                     "下面列出前 {count} 行，请改正（并确认选对了文件和工作表）后重新上传"),
    "too-many-jobs": "已有 {count} 个任务在排队或运行；请等它们完成后再提交",
    "job-not-running": "任务已不在运行",
    # a job's stored input, checked when the job is queued (started or run again) and when it runs
    "job-input-gone": "{name}：提交任务时上传的文件已不在服务器上（已过保留期删除）；请重新上传后提交新任务",
    "job-input-changed": ("{name}：服务器上的文件已不是提交任务时检查过的那份（SHA-256 {sha256}…）；"
                          "请重新上传后提交新任务"),
    # a letter the collect-letters job could not issue, as its page lists it: the loan, then why
    "letter-refused": "{loan_no}：{message}",
    # a letters job started without a policy: docgen's own gives no branch nor bank to sign them
    "letters-default-policy": ("未上传催收策略，而 docgen 自带的默认催收策略没有填写各机构的联系方式（letters.branches）和"
                               "银行法定名称（letters.bank_legal_name），催收文书无法署名和填写联系人；请上传填写了这两项的"
                               "催收策略文件（示例见 examples/collection-policy.yaml）后重新提交"),
    "job-internal-error": "内部错误（{error}）；请把任务编号 {job_id} 告知系统管理员",
    "seconds-invalid": ("{name}：{value!q}不是正的秒数；请写一个大于 0 的数字，如 {example}"
                        "（{name} must be a positive number of seconds）"),
    "job-interrupted": "服务重启时该任务尚未完成；可重新运行，已出具的文书不会重复出具",
    # the database refused a queued job's start for the whole wait START_TRIES times in a row
    # (``jobs.JobEnds``); ``problem`` is the storage's line (a full disk: ``storage-full``)
    "job-start-refused": ("任务连续 {count} 次未能开始，不再自动重试：{problem}；恢复后可重新运行该任务"
                          "（the job could not be started {count} times in a row）"),
    "job-lost": ("运行该任务的进程 {runner} 已不在运行（它报告任务仍在运行的期限 {expired} 已过，未再续报），任务未完成；"
                 "可重新运行，已出具的文书不会重复出具（the process running the job is gone）"),
    # HTTP answers (ApiError)
    "no-template": "没有模板 {name}（no such template）",
    "no-template-listed": "没有模板 {name}；可用模板见 docgen templates list（no such template）",
    "annex-invalid": "annex：{text!q}不是附件编号；请写 1 到 11 之间的数字（annex must be 1-11）",
    "body-not-object": "请求体应为 JSON 对象（“字段: 值”）（the body must be a JSON object）",
    "body-not-json": "请求体不是有效的 JSON（the body is not valid JSON）",
    "pdf-unavailable": "服务器未安装 LibreOffice，无法生成 PDF；请下载 .docx（PDF needs LibreOffice）",
    "period-missing": "缺少报告期 period，例如 2026Q2、2026H1、2026 或 2026-06",
    "period-invalid": "period：{reason}",
    "login-failed": "用户名或密码错误，或用户已停用（wrong user name or password）",
    "format-docx-pdf": "format 只能是 docx 或 pdf，收到{format!q}",
    "format-json-docx": "format 只能是 json 或 docx，收到{format!q}",
    "no-job": "没有任务 {job_id}（no such job）",
    "no-job-page": "没有任务 {job_id}",
    "not-your-job": "任务 {job_id} 不是你的（not your job）",
    "rerun-not-allowed": "只有任务 {job_id} 的提交人或管理员可以重新运行",
    "rerun-wrong-state": "任务 {job_id} 当前状态为 {state}，只有失败或中断的任务可以重新运行",
    "no-file": "文件不存在或已过保留期被删除（no such file, or deleted after the retention period）",
    "not-your-file": "这个文件不是你的（not your file）",
    "csrf-failed": "表单已过期或来源不明（CSRF 校验失败）；请刷新页面后重试",
    "no-check": "没有检查记录 {check_id}",
    "template-no-form": "模板 {template} 不能用表单填写",
    "ledger-expired": "台账已过期或不存在；请重新上传台账生成计划",
    "policy-expired": "催收策略已过期或不存在；请重新上传台账和催收策略生成计划",
    "not-authenticated": "未登录或令牌已失效；请先 POST /api/token 取得令牌（not authenticated）",
    "role-forbidden": "角色 {role} 无权使用此功能（role {role} may not use {capability}）",
    "upload-missing": "缺少上传文件 {field}（multipart 字段 {field}）（missing file {field}）",
    "upload-suffix": lambda f: (f"{f['name']}：文件 {f['field']} 应为 {' / '.join(f['suffixes'])} 格式"
                                f"（expected {' or '.join(f['suffixes'])}）"),
    "upload-too-large": "{name}：文件超过上限 {megabytes} MB（too large）",
    "request-too-large": "上传内容超过上限 {megabytes} MB（request too large）",
    "parameter-invalid": "参数 {path} 无效：{reason}（invalid parameter）",
    "login-form-expired": "表单已过期；请重新登录（form expired）",
    "date-invalid": "{field}：{value!q}不是有效日期；请写成 YYYY-MM-DD，例如 2026-11-28",
    "date-out-of-range": "{field}：{reason}（invalid date）",
    "form-unreadable": ("请求的表单无法读取（{reason}）；请用 multipart/form-data 提交，文件不超过 {files} 个，"
                        "字段不超过 {fields} 个，每个文本字段不超过 1 MB（the form cannot be read）"),
}, {
    # what the pages read in English say where the answer above has no English of its own (the API's
    # answers stay in Chinese)
    "job-input-gone": ("{name}: the file uploaded with the job is no longer on the server (deleted after the "
                       "retention period); upload it again and start a new job"),
    "job-input-changed": ("{name}: the file on the server is no longer the one checked when the job was started "
                          "(SHA-256 {sha256}…); upload it again and start a new job"),
    "period-missing": "the reporting period is missing: e.g. 2026Q2, 2026H1, 2026 or 2026-06",
    "period-invalid": "period: {reason}",
    "ledger-expired": "the ledger is gone (its retention ended); upload the ledger again to make the plan",
    "policy-expired": "the collection policy is gone (its retention ended); upload the ledger and the policy again to make the plan",
    "date-invalid": "{field}: '{value}' is not a date; write it YYYY-MM-DD, e.g. 2026-11-28",
    "date-out-of-range": "{field}: {reason}",
    # a job's page read in English: a batch job's rows refused when it runs (checked when it was started)
    # or held by another batch, a letter the letters job could not issue, a job failed by a bug
    "rows-rejected": "{rows}: {count} errors in the data; no document was made",
    "rows-rejected/stopped": ("{rows}: more than {count} rows had errors by row {row}; the rows after it were not "
                              "checked and no document was made"),
    "rows-held": ("{count} rows (such as {first}) are being made by another batch still running; run this job again "
                  "once it has ended: no document already issued is issued twice"),
    "letters-held": ("the letters of {count} loans (such as loan {first}) are being made by another job still running "
                     "and were not issued by this one; run this job again once it has ended: no letter already issued "
                     "is issued twice"),
    "job-not-running": "the job is no longer running",
    # a batch's rows refused before it starts (the batch page read in English)
    "upload-rows-rejected": lambda f: (f"{f['name']}: {f['count']} error{'' if f['count'] == 1 else 's'} in the "
                                       "data; no document was made; correct the rows and upload again"),
    "upload-rows-rejected/stopped": ("{name}: more than {count} rows had errors by row {row}; the rows after it were "
                                     "not checked and no document was made; the first {count} are listed below: "
                                     "correct them (and check that the right file and sheet were chosen), then "
                                     "upload again"),
    "letter-refused": "{loan_no}: {message}",
    "letters-default-policy": ("no collection policy was uploaded, and docgen's default policy gives neither the "
                               "branches' contact details (letters.branches) nor the bank's legal name "
                               "(letters.bank_legal_name), so the letters cannot be signed or name a contact; upload "
                               "a collection policy that gives both (see examples/collection-policy.yaml) and try "
                               "again"),
    "job-internal-error": "internal error ({error}); tell the administrator the job's number, {job_id}",
    # the service's storage refusing a job (its run, its start): the line the English page shows
    "storage-denied": ("the service may not write {path} (permission denied); ask the administrator to let the user "
                       "running docgen serve write it, then try again"),
    "storage-full": ("no space left on the disk of {path}, so the service cannot write; ask the administrator to free "
                     "disk space, then try again"),
    "storage-failed": ("the service cannot write {path} ({reason}); ask the administrator to check its permissions "
                       "and its disk, then try again"),
    "job-start-refused": ("the job could not be started {count} times in a row and is not tried again: {problem}; "
                          "run it again once that is put right"),
    "job-interrupted": ("the job had not finished when the service restarted; run it again: no document already "
                        "issued is issued twice"),
    "job-lost": ("the process {runner} running the job is gone (the time it gave for the job to be still running, "
                 "{expired}, passed without renewal) and the job did not finish; run it again: no document already "
                 "issued is issued twice"),
})

#: Picking a client folder under the bundle root (``docgen.service.folders``); ``path`` is what the user sent.
FOLDERS = MessageTable("service folders", {
    "no-root": "服务未配置资料根目录，只能上传 .zip；管理员可用 docgen serve --bundle-root DIR 配置"
               "（no bundle root configured: start the service with --bundle-root DIR）",
    "root-missing": "{root}：资料根目录不存在或不是文件夹；请用 --bundle-root 指定存放客户资料文件夹的目录"
                    "（the bundle root is not a folder）",
    "folder-missing": "缺少字段 folder：请填写资料根目录下客户文件夹的相对路径，例如 华安置业"
                      "（missing field folder: the client folder's path relative to the bundle root）",
    "root-itself": "不能检查资料根目录本身；请选择其中的客户文件夹（pick a client folder under the bundle root, not the root）",
    "nul-byte": "folder：路径含空字符（NUL），已拒绝；请从列表中选择文件夹（the path contains a NUL byte）",
    "control-characters": "folder：{path!q}含控制字符，已拒绝；请从列表中选择文件夹（the path contains control characters）",
    "path-too-long": "folder：路径超过 {limit} 个字符，已拒绝（the path is longer than {limit} characters）",
    "name-too-long": "folder：{path!q}中有文件夹名超过 {limit} 字节，已拒绝（a folder name is longer than {limit} bytes）",
    "absolute-path": "folder：{path!q}是绝对路径；请写资料根目录下的相对路径"
                     "（absolute paths are refused: give a path relative to the bundle root）",
    "parent-path": "folder：{path!q}含 ..，不能离开资料根目录（.. is refused: the folder must be under the bundle root）",
    "outside-root": "folder：{path!q}经符号链接指向资料根目录之外，已拒绝"
                    "（a symbolic link leads out of the bundle root）",
    "not-found": "folder：资料根目录下没有文件夹{path!q}；请从列表中选择（no such folder under the bundle root）",
    "not-a-folder": "folder：{path!q}是文件而不是文件夹；请选择客户文件夹（not a folder）",
    "unreadable": "folder：无法打开{path!q}（{reason}）；请联系管理员检查权限（the folder cannot be opened）",
    "denied": ("folder：服务无权读取{path!q}（权限不足）；请联系管理员让运行服务的用户可读取、可进入该文件夹"
               "（the service may not list or enter the folder: file permissions）"),
})


def _register_issue(f: Mapping[str, Any], lang: str) -> str:
    """The register's own state as the service words it: a register not the one it was is for the
    administrator to restore (``docgen register`` may start a new one, the service may not), else as
    the documents part words it."""
    from docgen.documents.messages import MESSAGES as DOCUMENTS
    from docgen.documents.messages import english_detail

    if lang == "en":
        f = english_detail(f)
    if f["issue"] == "replaced":
        return ON_SERVICE.text("register/replaced", f, lang)
    return DOCUMENTS.text(f"register/{f['issue']}", f, lang)


#: What the service says instead of a part's sentence that tells the user to pass a command-line
#: option (``--policy``, ``--sheet``, ``--skip-invalid``, ``--new-register``): what to do on the
#: service, in the words of its pages and forms; keyed by the part's code, with its facts
#: (``docgen.service.work.failure``, a letter the letters job could not issue).
ON_SERVICE = MessageTable("service wording", {
    # loans: a policy that cannot sign letters, a branch it gives no contact for
    "policy-no-branches": ("{source}：letters.branches：催收策略没有任何机构的联系方式，催收文书无法填写联系人和电话；"
                           "请在策略文件的 letters.branches 下填写各机构（或 default）的 address、phone、contact，"
                           "在“催收策略”（policy）一栏上传后重新提交（示例见 examples/collection-policy.yaml）"),
    "no-branch-contact": ("催收策略中没有机构“{branch}”的联系方式（也没有 default）：请在策略文件 letters.branches 下添加"
                          "“{branch}: {{address: …, phone: …, contact: …}}”，在“催收策略”（policy）一栏上传后重新出具"),
    # documents: a sheet without rows, rows refused when the batch runs
    "batch-no-rows": "{path}：表格中没有数据行（只有表头）；请检查是否上传错了文件（服务读取 Excel 显示的第一个工作表）",
    "rows-rejected/error": lambda f: (f"模板 {f['template']}：{f['source'] + ' ' if f.get('source') else ''}"
                                      + (f"第{'、'.join(map(str, f['rows']))}行" if f["rows"] else f"{f['count']} 处")
                                      + "数据有误，未生成任何文书；请改正后重新上传"),
    # documents: the service's register, which only its administrator can restore or set
    "register-emptied": lambda f: (f"{f['register']}：这里原有一个登记簿（共 {f['records']} 条记录"
                                   + (f"，最后一份为 {f['last_template']} {f['last_serial']}" if f.get("last_serial") else "")
                                   + "），现在数据库为空或已不存在；编号不会从头再来。请管理员从备份恢复登记簿（连同 -wal 文件）"),
    "register/replaced": "不是原来的登记簿（{detail}）；请管理员从备份恢复",
    "register-unsound/anchor": lambda f: f"{f['register']}：{_register_issue(f, 'zh')}；不再从它分配编号",
    "register-unsound/issue": lambda f: (f"{f['register']}：{_register_issue(f, 'zh')}；不再从它分配编号"
                                         "（请管理员运行 docgen register verify 查看）"),
    "register-path-unusable": "{path}：无法访问登记簿（{reason}）；请管理员检查服务的登记簿路径（docgen serve --register）",
}, {
    "policy-no-branches": ("{source}: letters.branches: the collection policy gives no branch's contact details, so the "
                           "letters cannot name a contact or a phone; list each branch (or default) with its address, "
                           "phone and contact under letters.branches in the policy file, upload it in the policy field "
                           "and try again (see examples/collection-policy.yaml)"),
    "no-branch-contact": ("the collection policy gives no contact details for branch '{branch}' (nor a default): add "
                          "'{branch}: {{address: …, phone: …, contact: …}}' under letters.branches in the policy file, "
                          "upload it in the policy field and issue the letters again"),
    "batch-no-rows": ("{path}: the sheet has no data rows (only its header); check that the right file was uploaded "
                      "(the service reads the first sheet Excel shows)"),
    "rows-rejected/error": lambda f: (f"template {f['template']}: {f['source'] + ' ' if f.get('source') else ''}"
                                      + (f"rows {', '.join(map(str, f['rows']))}" if f["rows"] else f"{f['count']} values")
                                      + " have errors in the data; no document was made; correct them and upload again"),
    "register-emptied": lambda f: (f"{f['register']}: a register was here ({f['records']} records"
                                   + (f", the last {f['last_template']} {f['last_serial']}" if f.get("last_serial") else "")
                                   + "), and its database is now empty or gone; serials do not start again: the "
                                   "administrator should restore the register (with its -wal file) from a backup"),
    "register/replaced": "it is not the register it was ({detail}); the administrator should restore it from a backup",
    "register-unsound/anchor": lambda f: f"{f['register']}: {_register_issue(f, 'en')}; no serial is issued from it",
    "register-unsound/issue": lambda f: (f"{f['register']}: {_register_issue(f, 'en')}; no serial is issued from it "
                                         "(the administrator can see why with docgen register verify)"),
    "register-path-unusable": ("{path}: the register cannot be reached ({reason}); the administrator should check the "
                               "service's register path (docgen serve --register)"),
})
