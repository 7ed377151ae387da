"""``docgen init``: scaffold an empty client folder for a checklist.

The folder gets one sub-folder per stage (the stage's ``folder`` in the checklist, so files put
there match by item number too) and a ``bundle.yaml`` carrying every DESIGN §3 key, empty, each
with a Chinese comment saying what to fill in. Left unfilled, ``docgen check`` reports the empty
keys as ``invalid-data``; filled, it validates.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from docgen.core.access import when_denied
from docgen.core.atomic import write_text_atomic
from docgen.check.bundledata import SCHEMA as BUNDLE_SCHEMA
from docgen.check.checklist import Checklist, load_checklist
from docgen.core.errors import InputError, OutputExistsError
from docgen.core.wording import command_word
from docgen.check.messages import ERRORS, OUTPUT

BUNDLE_FILE = "bundle.yaml"


@dataclass
class ScaffoldResult:
    """What ``scaffold`` made: the bundle root, the stage folders (created or already there), bundle.yaml."""

    root: Path
    bundle_yaml: Path
    folders: list[Path] = field(default_factory=list)
    overwritten: bool = False

    def to_text(self) -> str:
        """Return what was made, one line each, and the next step (Chinese)."""
        lines = [OUTPUT.text("scaffold/created", {"root": self.root})]
        lines += [OUTPUT.text("scaffold/folder", {"name": folder.name}) for folder in self.folders]
        lines.append(OUTPUT.text("scaffold/bundle-yaml", {"name": self.bundle_yaml.name, "overwritten": self.overwritten}))
        # The command as it can be pasted: a folder named with a space is quoted.
        lines.append(OUTPUT.text("scaffold/next", {"bundle_yaml": self.bundle_yaml, "root": command_word(str(self.root))}))
        return "\n".join(lines) + "\n"


def _stage_lines(checklist: Checklist) -> list[str]:
    lines = []
    for stage in checklist.stages:
        lines.append(f"#   {stage.folder}/  {stage.title.get('zh', stage.id)}（{stage.id}）")
    return lines


def _attested_items(checklist: Checklist) -> list[tuple[str, str, str, str]]:
    """Return ``(item id, zh title, what must be confirmed, the flags to record)`` for items with an
    attestation rule; the flags are those its condition reads (``company_seal: true, …``)."""
    out = []
    for item in checklist.items.values():
        for rule in item.rules_of("attestation"):
            need = rule.get("need") or {}
            source = getattr(rule.get("satisfied"), "source", "") or ""
            names = list(dict.fromkeys(re.findall(r"attestation\.([a-z_]+)", source))) or ["signed", "sealed"]
            if names in (["sealed"], ["signed"], ["sealed", "signed"], ["signed", "sealed"]):
                names = ["signed", "sealed"]
            flags = "".join(f"{n}: true, " for n in names)
            out.append((item.id, item.title.get("zh", item.id), need.get("zh", "") if isinstance(need, dict) else "", flags))
    return out


def _dated_items(checklist: Checklist, rule: str) -> list[str]:
    return [item.id for item in checklist.items.values() if item.rules_of(rule)]


#: Example entries shown (commented) under the list keys the annexes need.
_LIST_EXAMPLES = {
    "collateral": "- 某某花园一期项目国有建设用地使用权（浙（2022）杭州市不动产权第0123456号）",
    "witnesses": "- 王晓明",
    "authorised_signatories": "- {name: 张三, id_number: 330106198403152137, role: 法定代表人}",
    "related_parties": "- {name: 某某物业服务有限公司, uscc: 91330106321456789L, relation: 控股股东控制的其他企业}",
    "drawdowns": "- {amount: 26000000, date: 2026-12-01, purpose: 支付主体结构工程款, "
                 "payee: {name: 收款人户名, account: '201000456789012', bank: 收款人开户行}}",
}


def _label(rule: dict[str, Any]) -> str:
    meta = rule.get("meta")
    return str(meta.get("label", "")) if isinstance(meta, dict) else ""


def schema_lines(section: str, *, skip: tuple[str, ...] = (), indent: int = 0) -> list[str]:
    """Return blank, commented bundle.yaml lines for ``section`` of the bundle schema (its keys
    and, below a mapping, its sub-keys), each commented with the schema's label; list keys are
    written empty (``[]``) with an example entry commented below. ``skip`` leaves out keys the
    caller writes by hand.
    """
    rule = BUNDLE_SCHEMA[section]
    pad = "  " * indent

    def line(text: str, comment: str) -> str:
        return f"{text:<32}# {comment}" if comment else text

    def walk(key: str, rule: dict[str, Any], depth: int) -> list[str]:
        lead = pad + "  " * depth
        if rule.get("type") == "dict" and isinstance(rule.get("schema"), dict):
            out = [line(f"{lead}{key}:", _label(rule))]
            for sub, sub_rule in rule["schema"].items():
                out += walk(sub, sub_rule, depth + 1)
            return out
        if rule.get("type") == "list":
            out = [line(f"{lead}{key}: []", _label(rule) + "；按下例逐项填写")]
            if key in _LIST_EXAMPLES:
                out.append(f"{lead}#   {_LIST_EXAMPLES[key]}")
            return out
        return [line(f"{lead}{key}:", _label(rule))]

    if rule.get("type") == "dict":
        out = []
        for sub, sub_rule in rule["schema"].items():
            if sub not in skip:
                out += walk(sub, sub_rule, 0)
        return out
    return walk(section, rule, 0)


def _annex_sections() -> str:
    """The keys only ``docgen draft`` needs, blank and commented (empty values validate)."""
    lines = ["# ---- 起草附件（docgen draft）所需的数据：检查资料清单时可不填，起草附件前填写 ----", ""]
    for section in ("bank", "meeting", "actual_controller"):
        lines += [f"{section}:".ljust(32) + f"# {_label(BUNDLE_SCHEMA[section])}"]
        lines += schema_lines(section, indent=1)
        lines.append("")
    for section in ("authorised_signatories", "related_parties", "drawdowns"):
        lines += schema_lines(section) + [""]
    return "\n".join(lines)


def bundle_yaml_text(checklist: Checklist) -> str:
    """Return the commented ``bundle.yaml`` scaffold for ``checklist`` (every DESIGN §3 key, empty)."""
    stage_lines = "\n".join(_stage_lines(checklist))
    first_stage = checklist.stages[0].id if checklist.stages else ""
    attested = "\n".join(f"#   {item_id}: {{{flags}by: 复核人姓名, date: 2026-11-20}}"
                         f"   # {title}：{need}" for item_id, title, need, flags in _attested_items(checklist))
    stale = "、".join(_dated_items(checklist, "max-age")) or "—"
    loan_more = "\n".join(schema_lines("loan", skip=("amount", "term_months"), indent=1))
    contractor_more = "\n".join(schema_lines("contractor", skip=("name", "uscc"), indent=1))
    annex_sections = _annex_sections()
    pairs = "、".join(_dated_items(checklist, "original-and-copy")) or "—"
    return f"""\
# bundle.yaml：客户资料包的申请数据，供 docgen check 校验并用于规则判断。
# 清单：{checklist.id} {checklist.title.get('zh', '')}
#
# 填写说明
# - 日期一律写成 YYYY-MM-DD（例如 2021-04-08）；金额以“元”为单位，写数字（例如 50000000）。
# - 统一社会信用代码 18 位、居民身份证号 18 位，均会校验校验位；身份证号末位 X 请写大写。
# - 留空的字段会在检查报告中列为 invalid-data（数据有误），请全部填写后再检查。
# - 资料文件按阶段放入下列子文件夹，文件名中写明资料名称（例如“营业执照.pdf”）即可自动对应：
{stage_lines}
# 填好后运行：docgen check . --stage {first_stage}

checklist: {checklist.id}  # 使用的资料清单（默认 dev-loan，或银行自己的清单文件）

borrower:                       # 借款人
  name:                         # 借款人全称，与营业执照一致
  uscc:                         # 统一社会信用代码（18 位）；填写即视为三证合一，组织机构代码证、税务登记证免于提供
  established:                  # 成立日期；成立不足三年的，审计报告提交自成立以来的各年度
  legal_rep:                    # 法定代表人
    name:                       # 姓名
    id_number:                  # 居民身份证号（18 位）
  registered_capital:           # 注册资本（元）
  address:                      # 住所（与营业执照一致；起草附件用）
  phone:                        # 联系电话

shareholders:                   # 股东及持股比例（%），合计须为 100；法人股东填 uscc，自然人股东填 id_number
  - name:                       # 法人股东名称
    uscc:                       # 法人股东的统一社会信用代码
    share:                      # 持股比例，例如 60
  - name:                       # 自然人股东姓名
    id_number:                  # 自然人股东的居民身份证号
    share:                      # 持股比例，例如 40

project:                        # 开发项目
  name:                         # 项目名称，例如 某某花园一期
  location:                     # 项目坐落（起草附件用）
  total_investment:             # 项目总投资（元）
  invested:                     # 已到位的自筹资金（元）；已投入/总投资须不低于 50%（项目自筹资金到位证明）

loan:                           # 申请的贷款
  amount:                       # 贷款金额（元）
  term_months:                  # 贷款期限（月）
{loan_more}

contractor:                     # 施工单位（出具不可撤销承诺函）
  name:                         # 施工单位全称
  uscc:                         # 施工单位的统一社会信用代码
{contractor_more}

{annex_sections}

documents: {{}}                    # 可选：按清单项目 id 写明文件和事实，例如：
#   business-license: {{files: [{checklist.stages[0].folder if checklist.stages else ''}/营业执照.pdf], expires: 2041-04-07}}
#   developer-qualification: {{expires: 2027-06-30}}          # 有有效期的证照写 expires（到期日）
#   audit-reports: {{years: [2023, 2024, 2025], issued: 2026-09-30}}   # 审计年度；issued 为近期财务报表日
#   credit-report: {{issued: 2026-11-20}}                       # 出具日期；有时效要求的项目：{stale}
#   capital-reserve-audit: {{original: true, copy: true}}       # 需原件及复印件的项目：{pairs}

attestations: {{}}                 # 复核人当面确认的签字、盖章，按清单项目 id 记录，例如：
{attested}
"""


def scaffold(directory: str | os.PathLike[str], checklist: str | os.PathLike[str] | None = None,
             *, force: bool = False) -> ScaffoldResult:
    """Create ``directory`` with a sub-folder per stage and a commented ``bundle.yaml``.

    Existing stage folders and their files are kept. Returns a ``ScaffoldResult``.
    Raises ``OutputExistsError`` when bundle.yaml exists and ``force`` is false,
    ``ChecklistError`` for an unknown or broken checklist, and ``InputError`` when
    ``directory`` is a file or cannot be created.
    """
    loaded = load_checklist(checklist)
    root = Path(directory)
    target = root / BUNDLE_FILE
    try:
        if root.exists() and not root.is_dir():
            raise ERRORS.error(InputError, "scaffold-file-in-the-way", root=root)
        existed = target.exists()
    except OSError as exc:  # a name too long for the file system, a path through a file
        raise ERRORS.error(InputError, "scaffold-bad-path", root=root, reason=exc.strerror or str(exc)) from None
    if existed and not force:
        raise ERRORS.error(OutputExistsError, "scaffold-exists", target=str(target))
    result = ScaffoldResult(root=root, bundle_yaml=target, overwritten=existed)
    try:
        root.mkdir(parents=True, exist_ok=True)
        for stage in loaded.stages:
            folder = root / stage.folder
            folder.mkdir(exist_ok=True)
            result.folders.append(folder)
        text = bundle_yaml_text(loaded)
        # A checklist id from a bank's own file is used verbatim; a path would not resolve from
        # inside the bundle, so a file-based checklist is named by its path as given.
        if checklist is not None and str(checklist) != loaded.id:
            text = text.replace(f"checklist: {loaded.id} ", f"checklist: {_yaml_scalar(checklist)} ", 1)
        write_text_atomic(target, text)
    except OSError as exc:
        when_denied(exc, InputError, exc.filename or root, writing=True)
        raise ERRORS.error(InputError, "scaffold-write-failed", root=root, reason=exc.strerror or str(exc)) from None
    return result


def _yaml_scalar(value: Any) -> str:
    """Return ``value`` as a safe one-line YAML scalar (quoted when YAML would misread it)."""
    import yaml

    return yaml.safe_dump(str(value), allow_unicode=True, default_flow_style=True).strip().removesuffix("...").strip()
