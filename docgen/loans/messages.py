"""Every sentence the loans part says to people, keyed by a stable code (cerberus-style).

Row errors, plan warnings, classification flags and letter outcomes are data: a ``code`` and a
dict of ``facts``. Their wording lives only here, one table per language, so code and tests
branch on codes and facts and never on text. ``MESSAGES`` (a ``docgen.core.wording.MessageTable``,
as every part has) renders them; a code without wording raises ``KeyError`` (a bug, not a user error).
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from docgen.core import messages as core_messages
from docgen.core.messages import english_column
from docgen.core.wording import MessageTable, joined, quoted


def _invalid(kind: str, keys: str) -> Any:
    """Return the entry of a small file (``kind``) whose keys failed their schema: every
    ``problems`` (path, Chinese, English) named, then the keys there are."""
    return lambda f: (f"{f['source']}：{kind}有误（{'；'.join(f'{path}：{text}' for path, text, *_ in f['problems'])}）；"
                      f"可用的键为 {keys}")


def _policy_invalid(f: Mapping[str, Any]) -> str:
    actions = f"（可用：{'、'.join(f['actions'])}）"
    return "\n".join(f"{f['source']}：{path}：{text}" + (actions if path.endswith(".action") else "")
                     for path, text, *_ in f["problems"])


#: The rule that a suit against the debtor withdrawn keeps no general guarantee (``guarantee_acts``).
_ART31 = "《最高人民法院关于适用〈中华人民共和国民法典〉有关担保制度的解释》第三十一条第一款"
_ART31_EN = "the Supreme People's Court's Interpretation on the Guarantee System under the Civil Code, art. 31 para. 1"


def _withdrawn(f: Mapping[str, Any]) -> str:
    """What a guarantee warning adds when the suit against the debtor was withdrawn (fact ``withdrawn``,
    its filing date): not filed again, it has not the effect of a suit inside the guarantee period; else
    nothing."""
    if not f.get("withdrawn"):
        return ""
    return f"；{f['withdrawn']}对债务人提起的诉讼已撤回，未再行起诉的，不产生在保证期间内起诉的效果（{_ART31}）"


def _withdrawn_early(f: Mapping[str, Any]) -> bool:
    """True when ``guarantee-disputed``'s suit withdrawn (fact ``withdrawn``) was filed inside the period
    counted from the declaration (ending ``earlier``; both ISO dates): the clause on that period tells it."""
    return bool(f.get("withdrawn")) and f["withdrawn"] <= f["earlier"]


def _flagged_by(flagged: str) -> str:
    """What flags a loan to be declared due early (``plan.complaint_flag``): its row, or the policy alone."""
    return "台账标记宣布提前到期" if flagged == "ledger" else "催收策略设定宣布提前到期（accelerate）"


def _registered(f: Mapping[str, Any]) -> str:
    """How the ledger failed to register a matured, unpaid loan as overdue (``matured-unpaid``)."""
    if f.get("recorded"):
        return f"台账逾期起始日为{f['recorded']}，晚于到期日次日"
    return "台账未填逾期起始日"


ZH: dict[str, str] = {
    # ---- ledger row errors (row and column are given by the Problem itself)
    "duplicate-loan-no": "借据号 {loan_no} 重复：第{first_row}行与第{row}行相同，借据号必须唯一",
    "id-stored-as-number": "证件号码被存成了数字（{value}），末位可能已丢失；请把该列设为文本格式后重新录入",
    "unknown-litigation": "“{value}”不是可识别的诉讼状态；应为 {allowed} 之一（同义词可在催收策略 vocabulary.litigation 中添加）",
    "unknown-interruption_type": "“{value}”不是可识别的中断事由；应为 {allowed} 之一（同义词可在催收策略 vocabulary.interruption_type 中添加）",
    "unknown-guarantee_type": "“{value}”不是可识别的保证方式；应为 {allowed} 之一（同义词可在催收策略 vocabulary.guarantee_type 中添加）",
    "overdue-exceeds-balance": "逾期本金 {overdue_principal} 元大于贷款余额 {balance} 元；请核对两列",
    "maturity-before-disbursal": "到期日期 {maturity} 早于发放日期 {disbursed_on}；请核对",
    "overdue-before-disbursal": "逾期起始日 {overdue_since} 早于发放日期 {disbursed_on}；请核对",
    "interruption-before-disbursal": "时效中断日 {last_interruption} 早于发放日期 {disbursed_on}，不能中断尚未发生的债权的时效；请核对",
    "interruption-type-without-date": "填写了中断事由“{interruption_type}”但没有时效中断日；请补填日期或清空中断事由",
    "suit-before-disbursal": "起诉日期 {litigation_filed} 早于发放日期 {disbursed_on}；请核对",
    "suit-date-with-no-suit": "诉讼状态为“未起诉”却填写了起诉日期 {litigation_filed}；请改正其中之一",
    "judgment-without-suit": "填写了判决履行期限届满日 {judgment_due}，但诉讼状态为“{litigation}”；有判决必有起诉，请改正诉讼状态或起诉日期",
    "judgment-before-suit": "判决履行期限届满日 {judgment_due} 早于起诉日期 {litigation_filed}；请核对",
    "guarantee-without-guarantors": "填写了{column_label}但担保人为空；请补填担保人或清空该列",
    "guarantor-values-count": "{column_label}有 {count} 项，担保人“{guarantors}”有 {expected} 人；请按担保人的顺序每人填一项，用“;”分隔（某人暂缺可留空，如“地址1;;地址3”）",
    "guarantor-id-invalid": "担保人{guarantor}的证件号码“{value}”不是有效的居民身份证号或统一社会信用代码；请核对",
    "demand-before-maturity": "向保证人主张日 {guarantor_demanded} 早于发放日期 {disbursed_on}；请核对",
    "penalty-rate-range": "罚息利率 {value} 应为年利率，如 0.0675 或 6.75%（小于 100%）",
    # read as a template's yes/no field is (``values.parse_yes_no``): worded as its refusal is
    "accelerated-value": lambda f: "宣布提前到期" + core_messages.MESSAGES.text("yes-no-value", f),
    "loan-after-as-of": "发放日期 {disbursed_on} 晚于计划日期 {as_of}",
    # ---- plan warnings
    "limitation-expired": "诉讼时效已于{deadline}届满（起算：{basis}）",
    "limitation-near": "诉讼时效将于{deadline}届满（起算：{basis}）",
    "interruption-after-expiry": "{event_date}的{event}发生在诉讼时效届满（{deadline}）之后，不能中断时效；只有债务人确认或部分还款才能恢复（《民法典》第一百九十二条）",
    "enforcement-expired": "申请执行期间已于{deadline}届满（判决履行期限届满日 {judgment_due}）",
    "enforcement-near": "申请执行期间将于{deadline}届满，请尽快申请强制执行（判决履行期限届满日 {judgment_due}）",
    "judgment-due-missing": "诉讼状态为已判决但未填写判决履行期限届满日，无法计算申请执行期间",
    "guarantee-expired": lambda f: (
        f"保证期间已于{f['deadline']}届满且{f['reason']}，保证人{f['guarantors']}不再承担保证责任" if not f.get("withdrawn")
        else f"保证期间已于{f['deadline']}届满：{f['withdrawn']}对债务人提起的诉讼已撤回，保证期间届满前未再行起诉或申请仲裁，"
        f"保证人{f['guarantors']}不再承担保证责任（{_ART31}）"),
    # past the end counted from the declaration of early maturity, before the one counted from maturity
    "guarantee-disputed": lambda f: (
        f"贷款已宣布提前到期（催收函于{f['declared']}出具），自宣布提前到期起算的保证期间已于{f['earlier']}届满，"
        + ((f"其间于{f['withdrawn']}对债务人提起的诉讼已撤回，未再行提起诉讼或申请仲裁（{_ART31}）" if _withdrawn_early(f)
            else f"其间未{f['remedy']}")
           + f"；自原到期日起算则至{f['deadline']}届满。保证人{f['guarantors']}是否仍承担保证责任有争议："
           f"仍须在{f['deadline']}前{f['remedy']}，并经法律审查" if "kept" not in f else
           f"于{f['kept']}{f['act']}已晚于该日，早于自原到期日起算的{f['deadline']}：保证人{f['guarantors']}"
           "是否仍承担保证责任有争议，请经法律审查") + ("" if _withdrawn_early(f) else _withdrawn(f))),
    "guarantee-accelerated": lambda f: (
        f"贷款已宣布提前到期（催收函于{f['declared']}出具）：保证期间自宣布提前到期起算{f['months']}个月，"
        f"至{f['deadline']}届满，早于自原到期日起算的{f['later']}，以较早者为准（《民法典》第六百九十二条），"
        f"须在{f['deadline']}前{f['remedy']}" + _withdrawn(f)),
    "guarantee-near": lambda f: (
        f"保证期间将于{f['deadline']}届满，须在此前{f['remedy']}" if not f.get("withdrawn")
        else f"{f['withdrawn']}对债务人提起的诉讼已撤回，须在{f['deadline']}前再行提起诉讼或申请仲裁，否则保证人不再承担"
        f"保证责任（{_ART31}）"),
    # asked for the overdue amounts before the declaration of early maturity reached the borrower, or
    # before the loan matured (matured: its maturity, never declared)
    "guarantor-balance-undemanded": lambda f: (
        (f"贷款已于{f['matured']}到期" if f.get("matured") else
         "贷款已宣布提前到期" + (f"（催收函于{f['declared']}出具）" if f["declared"] else ""))
        + f"，保证人{f['guarantors']}此前仅被要求就当时逾期的款项承担保证责任：须在保证期间内（至{f['deadline']}届满）"
        "向其发出保证人履行保证责任通知书，主张" + ("到期的全部贷款余额（《民法典》第六百九十二条、第六百九十三条第二款）"
                                                  if f.get("matured") else "提前到期的全部贷款余额（《民法典》第六百九十三条第二款）")
        + ("；自宣布提前到期起算的保证期间已届满，该日系自原到期日起算，有争议，请经法律审查" if f["disputed"] else "")),
    # the same guarantors once the guarantee period counted from the balance falling due ended, docgen's own notice
    # showing they were asked the overdue amounts only: worded as what staff verify, not as a settled release
    "guarantor-balance-lapsed": lambda f: (
        (f"贷款已于{f['matured']}到期" if f.get("matured") else
         "贷款已宣布提前到期" + (f"（催收函于{f['declared']}出具）" if f["declared"] else ""))
        + f"，此前（{f['kept']}）以保证人履行保证责任通知书向保证人{f['guarantors']}主张的仅为当时逾期的款项，"
        f"保证期间已于{f['deadline']}届满" + (f"（自宣布提前到期起算则已于{f['earlier']}届满）" if f.get("earlier") else "")
        + "，其间未向其发出主张" + ("到期的" if f.get("matured") else "提前到期的") + "全部贷款余额的通知："
        "如无其他在保证期间内主张全部余额的凭证（如对保证人的起诉），保证人对其余部分可能不再承担保证责任"
        "（《民法典》第六百九十三条第二款）；请核实并经法律审查"),
    # a loan in court flagged 宣布提前到期, sued before maturity, no declaring letter in the register (plan.complaint_may_declare)
    # (``flagged``: ledger, the row's 宣布提前到期; policy, the policy's accelerate alone)
    "guarantee-complaint-declared": lambda f: (
        (f"本行已于{f['filed']}对借款人提起诉讼" if f.get("filed") else "贷款已在诉讼中") + f"，{_flagged_by(f['flagged'])}"
        + f"，但登记簿中没有本行宣布提前到期的催收函：请核查起诉状是否宣布贷款提前到期。如已宣布，保证人{f['guarantors']}"
        f"就全部贷款余额的保证期间可能自起诉状副本送达借款人之日起算（《民法典》第六百九十二条），早于计划所示的{f['deadline']}，"
        "而保证人履行保证责任通知书只主张当时逾期的款项；通知书送达前请经法律审查"),
    "guarantee-claim-expired": "对保证人的诉讼时效已于{deadline}届满（自{demanded}向保证人主张起算，《民法典》第六百九十四条）",
    "guarantee-claim-near": "对保证人的诉讼时效将于{deadline}届满（自{demanded}向保证人主张起算，《民法典》第六百九十四条）",
    "matured-unpaid": lambda f: (f"贷款已于{f['maturity']}到期，余额 {f['balance']} 元未还，{_registered(f)}；"
                                 f"按{f['overdue_since']}起逾期处理"),
    "penalty-none": lambda f: (("台账罚息利率为0，按借款合同未约定罚息处理" if f["source"] == "ledger" else
                                "台账未填罚息利率，催收策略的罚息日利率为0，按借款合同未约定罚息处理")
                               + "：催收文书不主张、也不保留罚息；请核对借款合同，合同约定了罚息的，请在台账“罚息利率”列"
                               + "填写约定的罚息年利率" + ("（0系漏填的，清空该格即按催收策略的罚息日利率计算）"
                                                           if f["source"] == "ledger" else "")),
    "demand-letter-overdue": "催收函应于{due}送达，至今未出具",
    # a time-barred claim (entry_wording): no letter interrupts its period any more, so no date by which
    # one should have been served matters; what the notice can still obtain is the debtor's consent
    "demand-letter-overdue/time-barred": ("诉讼时效已届满，催收通知书（附债务确认回执）至今未出具；借款人在债务确认回执上"
                                          "签字同意归还的，不得再以诉讼时效期间届满为由抗辩（《民法典》第一百九十二条第二款）"),
    "demand-letter-serve-by": ("诉讼时效将于{deadline}届满：催收函须于该日（含当日）前直接送达借款人，并由其在送达回证上签收；"
                               "届满后才送达的，不能中断诉讼时效（《民法典》第一百九十五条）"),
    "guarantor-demand-serve-by": ("保证期间将于{deadline}届满：保证人履行保证责任通知书须于该日（含当日）前直接送达保证人{guarantors}，"
                                  "并由其在送达回证上签收；届满后才送达的，保证人不再承担保证责任（《民法典》第六百九十三条第二款）"),
    "legal-action-overdue": "应于{due}起诉，至今未起诉",
    # ---- notices printed to the user (not stored per loan)
    "no-cjk-font": "未找到中文字体（如 Noto Sans CJK、文泉驿），图表改用英文标注；请安装 fonts-noto-cjk",
    "notes-without-plan": "notes.yaml 未提供 plan（下一步工作计划），报告中该节为提示语",
    "unknown-ledger-columns": "{path}：未识别的列 {columns}（已忽略；表头见 DESIGN §8）",
    "loans-after-as-of": "注意：{count} 笔贷款的日期晚于计划日期 {as_of}（{rows}），未列入计划；请核对 --as-of 或台账",
    "letters-held-elsewhere": "另一个正在运行的 collect letters 正在生成 {count} 笔贷款的文书（{loans}）；本次未生成，请待其结束后重新运行",
    # ---- classification flags
    "misclassified": "借据号 {loan_no}（{borrower}，第{row}行）截至{as_of}逾期{days}天，五级分类为{classification}，按《商业银行金融资产风险分类办法》应至少为{required}",
    "overdue-normal": "借据号 {loan_no}（{borrower}，第{row}行）截至{as_of}逾期{days}天仍分类为正常，逾期贷款应至少为关注",
    "matured-unpaid-flag": lambda f: (f"借据号 {f['loan_no']}（{f['borrower']}，第{f['row']}行）已于{f['maturity']}到期，"
                                      f"余额 {f['balance']} 元未还，{_registered(f)}；应自{f['overdue_since']}起按逾期管理"),
    "debtor-inconsistent": "借据号 {loan_no}（{borrower}，统一社会信用代码 {id_number}，第{row}行）分类为{classification}，同一债务人另有贷款分类为{required}；同一非零售债务人各笔债权的分类应一致",
    # ---- letters: what was issued for a loan, or why nothing was
    # a demand letter that declares the loan due early, as outcomes name it
    "document/declaring": "{document}（宣布提前到期）",
    "issued": "已生成{document} {serial}",
    "issued-before": "此前已出具{document} {serial}",
    "restored": "重新生成此前出具的{document} {serial}（原文件已不在）",
    "not-due": "未到发函时点（逾期第{days}天，下一步：{action}，{due}）",
    "litigation-pending": "诉讼状态为{litigation}，由诉讼程序处理，不发催收函",
    "held-elsewhere": "另一个运行中的 collect letters 正在生成{document}，本次未生成",
    "no-address": "台账未填借款人地址（送达地址），无法送达，未生成{document}；请在“借款人地址”列补填",
    "no-guarantor-address": "台账未填担保人{guarantor}的地址（送达地址），无法送达，未生成{document}；请在“保证人地址”列按担保人顺序补填",
    "no-branch-contact": "催收策略中没有机构“{branch}”的联系方式（也没有 default）：请在策略文件 letters.branches 下添加“{branch}: {{address: …, phone: …, contact: …}}”，用 --policy 指定",
    "no-bank-name": "催收策略未设置 letters.bank_legal_name（银行法定名称），文书无法署名；请在策略文件中填写",
    "template-check": joined("{problems}", "problems", sep="；"),
    # what an issued letter of a loan taken to bear no 罚息 (``plan.penalty_assumed_none``) leaves out
    "penalty-none-letter": lambda f: ("（未主张罚息：" + ("台账罚息利率为0" if f["penalty_none"] == "ledger" else
                                                     "台账未填罚息利率且催收策略的罚息日利率为0")
                                      + "，按借款合同未约定罚息处理；合同约定了罚息的，请更正台账）"),
    "nothing-owed": ("台账所列可催收的款项均为零（贷款余额{balance}元、逾期本金{overdue_principal}元、欠息{interest}元），"
                     "未生成{document}；贷款已结清或已不再逾期的，请清空“逾期起始日”；尚有逾期未还款项的，"
                     "请在“逾期本金”“欠息”列填写金额"),
    "opening-is-closing": ("{file}：期初台账（--opening）与期末台账（--ledger）是同一个文件，变动和迁徙都会是 0；"
                           "请给出上期末的台账"),
    "as-of-before-period": ("数据截止日 {as_of} 早于报告期 {period} 的起始日 {start}，报告不能截至报告期开始之前；"
                            "请检查截止日（不填则为报告期末 {end}）"),
    "plan-filter-unknown": lambda f: (
        f"台账“{'机构' if f['which'] == 'branch' else '客户经理'}”列中没有{quoted(f['value'])}"
        + (f"；台账中有：{'、'.join(f['known'])}" + (f" 等 {f['count']} 个" if f["more"] else "")
           if f["known"] else "；台账中这一列是空的")
        + "。请照台账中的写法填写"),
    # one problem the template's check found in a loan's values: the field, its ledger column
    "template-check-problem": "{path}（{column}）：{message}",
    "template-check-problem/no-column": "{path}：{message}",
    "guarantor-demand-next": "送达后请在台账“向保证人主张日”填写实际送达日（须不晚于保证期间届满日 {deadline}）",
    "guarantor-demand-next/serve-by": ("保证期间将于{serve_by}届满：请于该日（含当日）前直接送达本通知，并由保证人在送达回证上签收；"
                                       "届满后才送达的，保证人不再承担保证责任（《民法典》第六百九十三条第二款）。送达后请在台账"
                                       "“向保证人主张日”填写实际送达日"),
    # a notice asking the balance that fell due, the guarantee kept for less by the demand the ledger dates
    "guarantor-demand-next/balance": lambda f: (
        (f"保证期间将于{f['serve_by']}届满：请于该日（含当日）前直接送达本通知，并由保证人在送达回证上签收。"
         if f.get("serve_by") else f"本通知须于保证期间届满日 {f['deadline']} 前送达。")
        + f"台账“向保证人主张日”请保留原填的{f['kept']}，不要改为本通知的送达日：该日证明此前主张的款项系在保证期间届满前主张"
        + ("" if f.get("in_court") else
           ("；本通知在该部分保证债务的诉讼时效届满前送达的，" if f.get("claim_near") else "；本通知送达后，")
           + "该部分保证债务的诉讼时效中断并自送达之日起重新计算（《民法典》第一百九十五条），"
           "计划按原填日期提示的时效届满日早于实际，不会延误")),
    # a notice on a loan in court: the suit may have named the guarantor and claimed the whole balance
    # (``filed``: the ledger's 起诉日期, the suit that keeps such guarantors liable once recorded as 向保证人主张日;
    # ``record_suit``: that cell empty, one for all the loan's guarantors, so filled in only if all were sued)
    "guarantor-demand-next/in-court": lambda f: (
        "贷款已在诉讼或执行中：保证人已在该案中被诉请清偿全部贷款余额的，本通知无须送达"
        + ("；各保证人均已在该案中被诉请清偿全部贷款余额的，请在台账“向保证人主张日”填写起诉日期"
           + (f"（{f['filed']}）" if f.get("filed") else "") if f.get("record_suit") else "")
        + f"；未被起诉或仅被诉请部分欠款的，{f['step']}"
        # (``complaint``: plan.complaint_may_declare)
        + (f"。{_flagged_by(f['complaint'])}而登记簿中没有本行宣布提前到期的催收函：请核查起诉状是否宣布贷款提前到期，"
           "如已宣布，全部贷款余额的保证期间可能自起诉状副本送达借款人之日起算（《民法典》第六百九十二条），早于本通知所载的"
           "届满日，而本通知只主张当时逾期的款项；本通知送达前请经法律审查" if f.get("complaint") else "")),
    "demand-letter-next": ("诉讼时效将于{serve_by}届满：请于该日（含当日）前直接送达本函，并由借款人在送达回证上签收；"
                           "届满后才送达的，不能中断诉讼时效（《民法典》第一百九十五条）。送达后请在台账"
                           "“时效中断日”填写实际送达日、“中断事由”填写催收送达"),
    # ---- progress and outcome lines of the loans commands (stderr)
    "ledger-reading": "读取台账 {path}（{megabytes:.0f} MB）…",
    "plan-written": "已写入 {output}：逾期贷款 {count} 笔",
    "report-written": "已生成 {path}",
    # ---- errors: a ledger or a collection policy that cannot be used at all
    "ledger-missing-columns": "{file}：台账缺少必需的列 {wanted}；请在表头行添加这些列",
    "ledger-amount-unit": lambda f: (f"{f['file']}：{core_messages.sheet_cell(f)} 的{quoted(f['text'])}"
                                     f"写明金额以{f['unit']}为单位，但台账的金额一律按元读取，"
                                     "按元读会把每一笔金额读错；请把各金额列换算成元（单位写“元”）后重试"),
    "ledger-bad-rows": "{file}：台账有 {count} 行数据不合格，请按行列位置修改后重试",
    "ledger-bad-rows-stopped": ("{file}：台账读到第{row}行时已有超过 {count} 行数据不合格，其后的行未再检查；"
                                "下面列出前 {count} 行，请按行列位置修改（并确认选对了文件和工作表）后重试"),
    # where a policy's vocabulary stands, for the errors below (``{source}``)
    "vocabulary-source": "{source}：vocabulary",
    "vocabulary-unknown-column": "{source}.{name}：未知的受控列（可用：{available}）",
    "vocabulary-not-canonical": "{source}.{name}.{canonical}：不是该列的规范取值（可用：{available}）",
    "vocabulary-synonym-taken": "{source}.{name}.{canonical}：“{text}”已是“{taken_by}”的同义词",
    "targets-not-mapping": "{source}：应为键值映射，例如 reduction_target: 100000",
    "targets-zero": "{source}：{key} 为 0，无法计算完成率；请填写大于 0 的金额或删除该键",
    "notes-not-mapping": "{source}：应为键值映射（branch、recipient、date、collection、litigation、plan）",
    "ledger-no-loans": "{path}：台账中没有贷款数据（只有表头）；请检查是否选错了文件或工作表",
    "policy-unknown-key": "{path}：{key}：未知的键（请检查拼写；可用的键：{known}）",
    "policy-bucket-gap": "{where}.from：应为 {expected}（各档须从第1天起首尾相接，不重叠、不留空）",
    "policy-to-before-from": "{where}.to：不能小于 from（{first}）",
    "policy-bucket-open-not-last": "{where}.to：只有最后一档可以不设 to（不封顶）",
    "policy-last-bucket-closed": "{source}：{key}[{index}].to：最后一档应不设 to，以覆盖更长的逾期",
    "policy-once-untracked": "{where}.once：只有 {tracked} 能确认已办理（登记簿、诉讼状态），{action} 请设窗口 from/to 而不是 once",
    "policy-once-with-to": "{where}.to：once 步骤办结前一直待办，不设 to",
    "policy-due-outside": "{where}.due：应在 from 与 to 之间",
    "policy-due-not-once": "{where}.due：日常步骤在窗口内每天都应办理，只有 once 步骤可设 due",
    "policy-invalid": _policy_invalid,
    "policy-no-branches": ("{source}：letters.branches：催收策略没有任何机构的联系方式，催收文书无法填写联系人和电话；"
                           "请用 --policy 指定策略文件并在 letters.branches 下填写各机构（或 default）的 address、phone、contact"
                           "（示例见 examples/collection-policy.yaml）"),
    "policy-no-bank-name": ("{source}：letters.bank_legal_name：催收策略没有填写银行法定名称，催收文书无法署名；"
                            "请在策略文件 letters 下填写 bank_legal_name（如 某某农村商业银行股份有限公司）"),
    "notes-invalid": _invalid("说明文件", "branch、recipient、date、collection、litigation、plan"),
    "targets-invalid": _invalid("目标设置", "reduction_target、recovery_target、large_npl_threshold，金额以元为单位"),
    "report-branch-unknown": "{path}：台账包含 {count} 个机构，无法确定报告单位；请在 notes.yaml 中填写 branch（如 眉县支行）",
    "period-unknown": "无法识别的报告期{text!q}：应为 2026Q2（季度）、2026H1（半年）、2026（年度）或 2026-06（月份）",
    # what the small files are called in errors (``what`` and ``hint`` of read_mapping)
    "file/policy": "催收策略文件",
    "file/policy-hint": "，例如“warning_days: 90”",
    "file/notes": "说明文件",
    "file/notes-hint": "，例如“branch: 某某支行”",
    "file/targets": "目标文件",
    "file/targets-hint": "，例如“reduction_target: 100000”",
    "policy-last-step-closed": "{source}：timetable[{index}]：最后一步应为不设 to 的日常步骤（如 phone），使任何逾期天数都有下一步",
    # ---- the NPL figures' states and words (the migration matrix's extra rows and columns)
    "migration/new": "新发放",
    "migration/paid": "结清",
    "migration/off": "表外",
    "direction/flat": "持平",
    "direction/down": "下降",
    "direction/up": "上升",
    # The reporting period as the report's text names it (its label 2026Q2 keys the file only).
    "period-name/Q1": "{year}年第一季度",
    "period-name/Q2": "{year}年第二季度",
    "period-name/Q3": "{year}年第三季度",
    "period-name/Q4": "{year}年第四季度",
    "period-name/H1": "{year}年上半年",
    "period-name/H2": "{year}年下半年",
    "period-name/year": "{year}年度",
    "period-name/month": "{year}年{month}月",
    # ---- the NPL text summary (`docgen npl-report --format text`), a line each; amounts are 万元 text
    "npl-text/head": "不良贷款报告 {label}（{start} 至 {end}），截至 {as_of}，共 {loans} 笔贷款\n表内：",
    "npl-text/on-balance": "  不良贷款余额 {npl} 万元，贷款余额 {loans} 万元，不良占比 {ratio}%",
    "npl-text/corrected": "  按分类校正后 {npl} 万元、{ratio}%（按下列分类检查调整五级分类后）",
    "npl-text/opening": "  {start_word}不良余额 {opening} 万元，较{start_word}{direction} {change} 万元",
    "npl-text/no-opening": "  未提供期初台账（--opening）：{start_word}余额、变动、压降完成率与迁徙矩阵无法计算",
    "npl-text/reduction": "  压降任务 {target} 万元，完成 {completion}%",
    "npl-text/overdue": lambda f: ("  逾期贷款余额 {overdue} 万元"
                                   + ("，较{start_word}{direction} {change} 万元" if f["changed"] else "")
                                   + "；逾期90天以上 {overdue90} 万元，与不良贷款之比（偏离度）{deviation}%").format_map(f),
    "npl-text/off-balance": "表外：\n  不良贷款余额 {off} 万元，{span_word}清收 {recovered} 万元",
    "npl-text/recovery": "  清收任务 {target} 万元，完成 {completion}%",
    "npl-text/categories": lambda f: "五级分类（表内，万元）：" + "，".join(f"{k} {v}" for k, v in f["categories"]),
    "npl-text/large": "大额不良（{threshold}万元以上）：{count} 笔",
    "npl-text/large-loan": lambda f: ("  {loan_no} {borrower} {balance} 万元 {classification}"
                                      + ("（表外）" if f["off_balance"] else "") + " 客户经理 {officer}"
                                      + (" 责任行领导 {leader}" if f["leader"] else "")).format_map(f),
    "npl-text/large-more": "  …… 另有 {count} 笔，完整清单见 --format json 或报告表5",
    "npl-text/litigation": "诉讼案件：{count} 笔，{span_word}收回 {recovered} 万元",
    "npl-text/to-sue": "应起诉未起诉（报总行起诉名单）：{count} 笔，余额 {balance} 万元",
    "npl-text/to-sue-loan": lambda f: ("  {loan_no} {borrower} {balance} 万元 逾期{days}天"
                                       + ("（表外）" if f["off_balance"] else "") + " 客户经理 {officer}").format_map(f),
    "npl-text/to-sue-more": "  …… 另有 {count} 笔，完整清单见 --format json 或报告附表",
    "npl-text/officers": "按客户经理（万元）：",
    "npl-text/officer": "  {name}：{loans} 笔，表内余额 {balance}，表内不良 {npl}，表外 {off}，收回 {recovered}",
    "npl-text/flags": lambda f: ("分类检查（表内贷款，《商业银行金融资产风险分类办法》）："
                                 + (f"{f['count']} 项" if f["count"] else "未发现问题")),
    # ---- the collection plan for people (text table and workbook)
    "plan-text/head": "催收计划  截至 {as_of}  逾期贷款 {count} 笔",
    "plan-text/none": "无逾期贷款。",
    "plan-text/summary": "期限预警 {urgent} 笔（时效或保证期间 {warning_days} 天内届满或已届满）；应办未办 {overdue} 笔。",
    "plan-sheet": "催收计划",
}

#: Reporting period kind -> the words the NPL report uses for it: the period's start (季初), its
#: task (季度任务) and the span so far (本季).
PERIOD_WORDS: dict[str, tuple[str, str, str]] = {
    "quarter": ("季初", "季度任务", "本季"),
    "half": ("期初", "半年任务", "本半年"),
    "year": ("年初", "年度任务", "本年"),
    "month": ("月初", "月度任务", "本月"),
}

#: The collection plan's columns, in order: header and width in Excel characters (text and workbook).
PLAN_COLUMNS: tuple[tuple[str, int], ...] = (
    ("借据号", 18), ("借款人", 26), ("机构", 14), ("客户经理", 10), ("逾期起始日", 12), ("逾期天数", 9),
    ("档次", 7), ("阶段", 7), ("下一步", 16), ("应办日期", 12), ("诉讼时效届满", 14), ("保证期间届满", 14),
    ("贷款余额（元）", 16), ("提示", 40),
)
#: Positions in ``PLAN_COLUMNS`` of the numbers the text table aligns right: 逾期天数, 贷款余额(元).
PLAN_NUMERIC = frozenset({5, 12})

ACTION_LABELS: dict[str, str] = {
    "phone": "电话催收",
    "visit": "上门催收",
    "demand-letter": "送达逾期催收函",
    "guarantor-demand": "向担保人催收",
    "legal-action": "提起诉讼",
    "declare-acceleration": "送达宣布提前到期的催收函",
}
"""Plan action id -> Chinese name."""

TIME_BARRED_LABELS: dict[str, str] = {
    "demand-letter": "送达催收通知书（附债务确认回执）",
    "demand-letter-overdue": "催收通知书未出具",
}
"""Plan action id or warning code -> its Chinese name for a time-barred claim, where that differs: the
demand letter due then is the ``debt-confirmation`` notice (DESIGN §8.1), never a 逾期催收函 saying the
period is interrupted. The codes stay (``demand-letter``, ``demand-letter-overdue``: DESIGN §8); a
warning's sentence for such a claim is worded under ``entry_wording``'s key in ``ZH``."""


def entry_wording(code: str, time_barred: bool = False) -> str:
    """Return the key under which a plan entry's action id or warning ``code`` is worded:
    ``code/time-barred`` when the entry's claim is ``time_barred`` (``PlanEntry.time_barred``) and the
    letter ``code`` concerns is then the 催收通知书 (its name in ``TIME_BARRED_LABELS``, a warning's
    sentence in ``ZH`` under that key), else ``code`` itself. Never raises."""
    return f"{code}/time-barred" if time_barred and code in TIME_BARRED_LABELS else code


def plan_label(code: str, time_barred: bool = False, lang: str = "zh") -> str:
    """Return the name in ``lang`` ('zh' or 'en') of a plan entry's action id or warning ``code``: the
    name of what is actually done or missing for it, given whether the entry's claim is ``time_barred``;
    the code itself when it has no name. Never raises."""
    english = lang == "en"
    if entry_wording(code, time_barred) != code:
        return (TIME_BARRED_LABELS_EN if english else TIME_BARRED_LABELS)[code]
    warnings, actions = (WARNING_LABELS_EN, ACTION_LABELS_EN) if english else (WARNING_LABELS, ACTION_LABELS)
    return warnings.get(code) or actions.get(code, code)


WARNING_LABELS: dict[str, str] = {
    "limitation-expired": "诉讼时效已届满",
    "limitation-near": "诉讼时效即将届满",
    "interruption-after-expiry": "时效届满后的催收不能中断时效",
    "enforcement-expired": "申请执行期间已届满",
    "enforcement-near": "申请执行期间即将届满",
    "judgment-due-missing": "缺判决履行期限届满日",
    "guarantee-expired": "保证期间已届满",
    "guarantee-near": "保证期间即将届满",
    "guarantee-claim-expired": "对保证人的诉讼时效已届满",
    "guarantee-claim-near": "对保证人的诉讼时效即将届满",
    "matured-unpaid": "到期未还未按期登记逾期",
    "penalty-none": "罚息利率为零，按未约定罚息处理",
    "guarantee-accelerated": "保证期间自宣布提前到期起算",
    "guarantee-disputed": "保证期间是否届满有争议",
    "guarantor-balance-undemanded": "保证人未被要求清偿已到期的全部余额",
    "guarantor-balance-lapsed": "保证人对已到期的其余余额可能不再承担保证责任",
    "guarantee-complaint-declared": "起诉状可能已宣布提前到期，保证期间待核",
    "demand-letter-overdue": "催收函逾期未送达",
    "demand-letter-serve-by": "催收函须在时效届满前当面送达",
    "guarantor-demand-serve-by": "保证人通知书须在保证期间届满前当面送达",
    "legal-action-overdue": "应起诉未起诉",
}
"""Plan warning code -> short Chinese label for tables (the full sentences are in ``ZH``)."""

DOCUMENT_NAMES_EN: dict[str, str] = {
    "demand-letter": "overdue loan demand letter",
    "debt-confirmation": "collection notice",
    "guarantor-demand": "notice to the guarantor to perform the guarantee",
}
"""The letters ``collect letters`` makes (``letters.DOCUMENTS``), by template id -> English name."""

ACTION_LABELS_EN: dict[str, str] = {
    "phone": "Phone the borrower",
    "visit": "Visit the borrower",
    "demand-letter": "Serve the overdue demand letter",
    "guarantor-demand": "Demand payment of the guarantors",
    "legal-action": "Sue",
    "declare-acceleration": "Serve the letter declaring the loan due",
}
"""Plan action id -> English name (the service's English pages)."""

TIME_BARRED_LABELS_EN: dict[str, str] = {
    "demand-letter": "Serve the collection notice (with its debt confirmation slip)",
    "demand-letter-overdue": "Collection notice not issued",
}
"""``TIME_BARRED_LABELS`` in English."""

WARNING_LABELS_EN: dict[str, str] = {
    "limitation-expired": "Limitation period expired",
    "limitation-near": "Limitation period ending soon",
    "interruption-after-expiry": "Collection after the limitation period cannot interrupt it",
    "enforcement-expired": "Enforcement period expired",
    "enforcement-near": "Enforcement period ending soon",
    "judgment-due-missing": "Judgment due date missing",
    "guarantee-expired": "Guarantee period expired",
    "guarantee-near": "Guarantee period ending soon",
    "guarantee-claim-expired": "Limitation period against the guarantors expired",
    "guarantee-claim-near": "Limitation period against the guarantors ending soon",
    "matured-unpaid": "Matured unpaid, not recorded overdue",
    "penalty-none": "Penalty rate nil: taken as no penalty agreed",
    "guarantee-accelerated": "Guarantee period counted from the acceleration",
    "guarantee-disputed": "Guarantee period possibly ended: disputed",
    "guarantor-balance-undemanded": "Guarantors not asked for the whole balance now due",
    "guarantor-balance-lapsed": "Guarantors possibly discharged of the rest of the balance now due",
    "guarantee-complaint-declared": "Complaint may have declared the loan due: guarantee period to check",
    "demand-letter-overdue": "Demand letter overdue, not served",
    "demand-letter-serve-by": "Demand letter to be served in person before the limitation period ends",
    "guarantor-demand-serve-by": "Guarantor notice to be served in person before the guarantee period ends",
    "legal-action-overdue": "Suit due, not filed",
}
"""``WARNING_LABELS`` in English."""

def class_name(name: str, lang: str = "zh") -> str:
    """Return the loan class ``name`` (正常 … 损失, as the ledger and the figures hold it) in ``lang``:
    itself in Chinese, its English name (``CLASS_NAMES_EN``, capitalized) in English."""
    return _class_en(name).capitalize() if lang == "en" and name in CLASS_NAMES_EN else name


def flag_sentence(code: str, facts: Mapping[str, Any], lang: str = "zh") -> str:
    """Return the sentence of a classification flag ``code`` (DESIGN §8.1) with its ``facts`` in ``lang``.

    Raises ``KeyError`` for a code without wording (a bug)."""
    return MESSAGES.text("matured-unpaid-flag" if code == "matured-unpaid" else code, facts, lang)


FLAG_LABELS: dict[str, str] = {
    "misclassified": "逾期天数与分类不符",
    "overdue-normal": "逾期仍为正常类",
    "matured-unpaid": "到期未还未按期登记逾期",
    "debtor-inconsistent": "同一债务人分类不一致",
}
"""Classification flag code -> the short label of the report's check table."""



def _listed(text: str) -> str:
    """Return a list the facts hold joined the Chinese way (、) joined the English way."""
    return str(text).replace("、", ", ")


def _invalid_en(kind: str, keys: str) -> Any:
    """The English of ``_invalid``: ``problems`` are (path, Chinese, English)."""
    return lambda f: (f"{f['source']}: the {kind} is not valid ("
                      + "; ".join(f"{path}: {p[-1]}" for path, *p in f["problems"])
                      + f"); its keys are {keys}")


def _policy_invalid_en(f: Mapping[str, Any]) -> str:
    actions = f" (actions: {', '.join(f['actions'])})"
    return "\n".join(f"{f['source']}: {path}: {p[-1]}" + (actions if path.endswith(".action") else "")
                     for path, *p in f["problems"])


def _registered_en(f: Mapping[str, Any]) -> str:
    if f.get("recorded"):
        return f"the ledger's overdue start {f['recorded']} is later than the day after maturity"
    return "the ledger gives no overdue start"


#: The five loan classes (五级分类) as English names them; the ledger and the report keep the Chinese.
CLASS_NAMES_EN: dict[str, str] = {"正常": "pass", "关注": "special mention", "次级": "substandard",
                                  "可疑": "doubtful", "损失": "loss"}


def _withdrawn_en(f: Mapping[str, Any]) -> str:
    """``_withdrawn`` in English."""
    if not f.get("withdrawn"):
        return ""
    return (f"; the suit against the debtor filed on {f['withdrawn']} was withdrawn: unless the debtor is sued again, "
            f"it does not keep the guarantee ({_ART31_EN})")


#: The plan's remedies of a guarantee about to lapse (fact ``remedy`` of ``guarantee-near``) in English.
_REMEDIES_EN = {"向保证人书面主张保证责任": "call on the guarantors in writing",
                "对债务人提起诉讼或申请仲裁": "sue the debtor or apply for arbitration"}


def _class_en(name: str) -> str:
    return CLASS_NAMES_EN.get(str(name), str(name))


EN: dict[str, Any] = {
    # what a policy, notes or targets file is called in the errors of reading it (``what_en`` of read_mapping)
    "file/policy": "collection policy file",
    "file/policy-hint": ", e.g. 'warning_days: 90'",
    "file/notes": "notes file",
    "file/notes-hint": ", e.g. 'recipient: head office'",
    "file/targets": "targets file",
    "file/targets-hint": ", e.g. 'reduction_target: 100000'",
    # ---- ledger row errors, as the service's English pages show them
    "duplicate-loan-no": "loan no. {loan_no} is used twice: rows {first_row} and {row}; loan numbers must be unique",
    "id-stored-as-number": ("the ID number is stored as a number ({value}) and its last digits may be lost; format the "
                            "column as text and type it again"),
    "unknown-litigation": lambda f: (f"'{f['value']}' is not a litigation status docgen knows; use one of "
                                     f"{_listed(f['allowed'])} (synonyms go in the policy's vocabulary.litigation)"),
    "unknown-interruption_type": lambda f: (f"'{f['value']}' is not an interruption cause docgen knows; use one of "
                                            f"{_listed(f['allowed'])} (synonyms go in the policy's "
                                            "vocabulary.interruption_type)"),
    "unknown-guarantee_type": lambda f: (f"'{f['value']}' is not a guarantee type docgen knows; use one of "
                                         f"{_listed(f['allowed'])} (synonyms go in the policy's "
                                         "vocabulary.guarantee_type)"),
    "overdue-exceeds-balance": "overdue principal {overdue_principal} yuan is more than the balance {balance} yuan; check both",
    "maturity-before-disbursal": "maturity {maturity} is before disbursement {disbursed_on}; check them",
    "overdue-before-disbursal": "overdue start {overdue_since} is before disbursement {disbursed_on}; check them",
    "interruption-before-disbursal": ("interruption {last_interruption} is before disbursement {disbursed_on}: a claim "
                                      "not yet made cannot be interrupted; check them"),
    "interruption-type-without-date": ("an interruption cause '{interruption_type}' is given without its date; add "
                                       "the date or clear the cause"),
    "suit-before-disbursal": "suit filed {litigation_filed} is before disbursement {disbursed_on}; check them",
    "suit-date-with-no-suit": "no suit is recorded, yet a filing date {litigation_filed} is; correct one of them",
    "judgment-without-suit": ("a judgment due date {judgment_due} is given, but the litigation status is "
                              "'{litigation}'; a judgment needs a suit: correct the status or the filing date"),
    "judgment-before-suit": "judgment due date {judgment_due} is before the suit filed {litigation_filed}; check them",
    "guarantee-without-guarantors": lambda f: (f"{f['column_label']} is given but no guarantor is; add the "
                                               "guarantors or clear the column"),
    "guarantor-values-count": lambda f: (f"{f['column_label']} holds {f['count']} values for {f['expected']} "
                                         f"guarantors ('{f['guarantors']}'); give one per guarantor in their order, "
                                         "separated by ';' (leave one empty if unknown: 'address 1;;address 3')"),
    "guarantor-id-invalid": ("the ID number '{value}' of guarantor {guarantor} is neither a valid resident ID nor a "
                             "unified social credit code; check it"),
    "demand-before-maturity": "demand on the guarantor {guarantor_demanded} is before disbursement {disbursed_on}; check them",
    "penalty-rate-range": "penalty rate {value} should be a yearly rate such as 0.0675 or 6.75% (below 100%)",
    "accelerated-value": lambda f: "acceleration " + core_messages.MESSAGES.text("yes-no-value", f, "en"),
    "loan-after-as-of": "disbursed {disbursed_on}, after the plan date {as_of}",
    # ---- a ledger or a file beside it that cannot be used at all
    "ledger-amount-unit": lambda f: (f"{f['file']}: {core_messages.sheet_cell_en(f)} ({f['text']!r}) states the amounts in "
                                     f"{core_messages.unit_en(f)}, but the ledger's amounts are read as yuan, "
                                     "which would misread every amount; convert the amount columns to yuan (the unit "
                                     "written as 元) and try again"),
    "ledger-missing-columns": lambda f: (f"{f['file']}: the ledger lacks the required columns "
                                         f"{_listed(english_column(f['wanted']))}; add them to the header row"),
    "ledger-bad-rows": lambda f: (f"{f['file']}: " + ("1 row of the ledger has errors" if f["count"] == 1 else
                                                      f"{f['count']} rows of the ledger have errors")
                                  + "; correct them at the rows and columns shown and try again"),
    "ledger-bad-rows-stopped": ("{file}: more than {count} rows had errors by row {row}, so the rows after it were not "
                                "checked; the first {count} are listed: correct them (and check that the file and "
                                "sheet are the right ones) and try again"),
    "ledger-no-loans": "{path}: the ledger holds no loans (only its header); check the file and the sheet",
    "vocabulary-source": "{source}: vocabulary",
    "vocabulary-unknown-column": "{source}.{name}: not a column with a vocabulary (these have one: {available})",
    "vocabulary-not-canonical": "{source}.{name}.{canonical}: not one of the column's values (its values: {available})",
    "vocabulary-synonym-taken": "{source}.{name}.{canonical}: '{text}' is already a synonym of '{taken_by}'",
    "targets-not-mapping": "{source}: should be a mapping of keys to values, e.g. reduction_target: 100000",
    "targets-zero": "{source}: {key} is 0, so no completion rate can be worked out; give an amount above 0 or remove the key",
    "notes-not-mapping": "{source}: should be a mapping (branch, recipient, date, collection, litigation, plan)",
    "notes-invalid": _invalid_en("notes file", "branch, recipient, date, collection, litigation, plan"),
    "targets-invalid": _invalid_en("targets file", "reduction_target, recovery_target, large_npl_threshold, in yuan"),
    "policy-unknown-key": "{path}: {key}: unknown key (check the spelling; the keys are {known})",
    "policy-invalid": _policy_invalid_en,
    "policy-bucket-gap": "{where}.from: should be {expected} (the buckets run from day 1, end to end, no overlap, no gap)",
    "policy-to-before-from": "{where}.to: cannot be less than from ({first})",
    "policy-bucket-open-not-last": "{where}.to: only the last bucket may leave out to (no upper end)",
    "policy-last-bucket-closed": "{source}: {key}[{index}].to: the last bucket should leave out to, to cover longer arrears",
    "policy-last-step-closed": ("{source}: timetable[{index}]: the last step should be a daily one without to (such as "
                                "phone), so that every day past due has a next step"),
    "policy-once-untracked": ("{where}.once: only {tracked} can be seen done (the register, the litigation status); "
                              "give {action} a window from/to instead of once"),
    "policy-once-with-to": "{where}.to: a once step stays due until done; leave out to",
    "policy-due-outside": "{where}.due: should lie between from and to",
    "policy-due-not-once": "{where}.due: a daily step is due every day of its window; only a once step takes due",
    "report-branch-unknown": ("{path}: the ledger holds {count} branches, so the reporting unit is not known; give "
                              "branch in notes.yaml (e.g. 眉县支行)"),
    "period-unknown": ("unknown reporting period '{text}': use 2026Q2 (quarter), 2026H1 (half year), 2026 (year) or "
                       "2026-06 (month)"),
    "opening-is-closing": ("{file}: the opening ledger (--opening) is the same file as the closing one (--ledger), so "
                           "every change and migration would be 0; give the ledger of the period before"),
    "as-of-before-period": ("the data date {as_of} is before {start}, the start of the period {period}: a report cannot "
                            "end before its period begins; check the date (none: the period's end, {end})"),
    # ---- classification flags, as the NPL page lists them (the classes by their English names)
    "misclassified": lambda f: (f"loan no. {f['loan_no']} ({f['borrower']}, row {f['row']}) is {f['days']} days past "
                                f"due on {f['as_of']} and classed {_class_en(f['classification'])}; the NFRA rules on "
                                f"classifying financial assets require at least {_class_en(f['required'])}"),
    "overdue-normal": lambda f: (f"loan no. {f['loan_no']} ({f['borrower']}, row {f['row']}) is {f['days']} days past "
                                 f"due on {f['as_of']} yet classed pass; an overdue loan is at least special mention"),
    "matured-unpaid-flag": lambda f: (f"loan no. {f['loan_no']} ({f['borrower']}, row {f['row']}) matured on "
                                      f"{f['maturity']} with {f['balance']} yuan unpaid, and {_registered_en(f)}; it is "
                                      f"overdue from {f['overdue_since']}"),
    "debtor-inconsistent": lambda f: (f"loan no. {f['loan_no']} ({f['borrower']}, unified social credit code "
                                      f"{f['id_number']}, row {f['row']}) is classed "
                                      f"{_class_en(f['classification'])} while another loan of the same debtor is "
                                      f"{_class_en(f['required'])}; a non-retail debtor's claims share one class"),
    "loans-after-as-of": "note: {count} loans are dated after the as-of date {as_of} ({rows}) and are not in the plan",
    "letters-held-elsewhere": "another running `collect letters` holds {count} loans ({loans}); nothing issued for them",
    # ---- letters: why a letter due was not made, as the service's English job page lists them
    "document/declaring": "{document} (declaring the loan due early)",
    "no-address": ("the ledger gives no borrower address (the address for service), so the {document} cannot be served "
                   "and was not made; fill in the column 借款人地址"),
    "no-guarantor-address": ("the ledger gives no address for service of guarantor {guarantor}, so the {document} "
                             "cannot be served and was not made; fill in the column 保证人地址, one address per guarantor "
                             "in their order"),
    "no-branch-contact": ("the collection policy gives no contact details for branch '{branch}' (nor a default): add "
                          "'{branch}: {{address: …, phone: …, contact: …}}' under letters.branches in the policy file"),
    "no-bank-name": ("the collection policy does not set letters.bank_legal_name (the bank's legal name), so the "
                     "letters cannot be signed; fill it in in the policy file"),
    "template-check": joined("{problems}", "problems", sep="; "),
    "template-check-problem": "{path} ({column}): {message}",
    "template-check-problem/no-column": "{path}: {message}",
    "policy-no-branches": ("{source}: letters.branches: the collection policy gives no branch's contact details, so the "
                           "letters cannot name a contact or a phone; give a policy whose letters.branches lists each "
                           "branch (or default) with its address, phone and contact (see examples/collection-policy.yaml)"),
    "policy-no-bank-name": ("{source}: letters.bank_legal_name: the collection policy gives no legal name of the bank, so "
                            "the letters cannot be signed; give it under letters in the policy file (such as Meixian "
                            "Rural Commercial Bank Co., Ltd.)"),
    "limitation-expired": "limitation period expired on {deadline} (from {basis})",
    "limitation-near": "limitation period ends on {deadline} (from {basis})",
    "guarantee-expired": lambda f: (
        f"guarantee period ended on {f['deadline']}; guarantors {f['guarantors']} are discharged" if not f.get("withdrawn")
        else f"guarantee period ended on {f['deadline']}; the suit against the debtor filed on {f['withdrawn']} was "
        f"withdrawn and none was filed again before then, so guarantors {f['guarantors']} are discharged ({_ART31_EN})"),
    "guarantee-near": lambda f: (
        f"guarantee period ends on {f['deadline']}; before then {_REMEDIES_EN.get(f['remedy'], f['remedy'])}"
        if not f.get("withdrawn") else
        f"the suit against the debtor filed on {f['withdrawn']} was withdrawn: sue the debtor again or apply for "
        f"arbitration before {f['deadline']}, or the guarantors are discharged ({_ART31_EN})"),
    "guarantee-disputed": lambda f: (
        f"the loan was declared due early (letter of {f['declared']}): the guarantee period counted from then ended on "
        f"{f['earlier']}, " + (
            (f"the suit against the debtor filed in it on {f['withdrawn']} withdrawn and none filed again "
             f"({_ART31_EN})" if _withdrawn_early(f) else
             "with the guarantors not called on (or, under a general guarantee, the debtor not sued) by then")
            + f"; counted from the original maturity it ends on {f['deadline']}. Whether guarantors "
            f"{f['guarantors']} are still liable is disputed: act before {f['deadline']} all the same, and have it "
            "reviewed by legal counsel"
            if "kept" not in f else
            f"before the guarantee was acted on ({f['kept']}), which is before {f['deadline']} counted from the original "
            f"maturity: whether guarantors {f['guarantors']} are still liable is disputed; have it reviewed by legal "
            "counsel") + ("" if _withdrawn_early(f) else _withdrawn_en(f))),
    "guarantor-balance-undemanded": lambda f: (
        (f"the loan matured on {f['matured']}" if f.get("matured") else
         "the loan was declared due early" + (f" (letter of {f['declared']})" if f["declared"] else ""))
        + f"; guarantors {_listed(f['guarantors'])} were asked only for the amounts overdue then: serve them a notice "
        "claiming the whole balance " + ("that fell due at maturity" if f.get("matured") else "declared due")
        + f" within the guarantee period (ends {f['deadline']}; Civil Code "
        + ("arts. 692 and 693 para. 2)" if f.get("matured") else "art. 693 para. 2)")
        + ("; counted from the declaration that period has ended, this end counts from the "
           "original maturity and is disputed: have it reviewed by legal counsel" if f["disputed"] else "")),
    "guarantor-balance-lapsed": lambda f: (
        (f"the loan matured on {f['matured']}" if f.get("matured") else
         "the loan was declared due early" + (f" (letter of {f['declared']})" if f["declared"] else ""))
        + f"; the guarantor notice of {f['kept']} asked guarantors {_listed(f['guarantors'])} only for the amounts "
        f"overdue then, and the guarantee period ended on {f['deadline']}"
        + (f" (counted from the declaration, on {f['earlier']})" if f.get("earlier") else "")
        + " with no notice claiming the whole balance "
        + ("that fell due at maturity" if f.get("matured") else "declared due")
        + " sent to them: unless other evidence shows the whole balance was claimed within the period (such as a suit "
        "against the guarantors), they may no longer be liable for the rest (Civil Code art. 693 para. 2); verify this "
        "and have it reviewed by legal counsel"),
    "guarantee-complaint-declared": lambda f: (
        (f"the bank sued the borrower on {f['filed']}" if f.get("filed") else "the loan is in court")
        + (", the ledger flagging the loan" if f["flagged"] == "ledger" else ", the collection policy (accelerate) "
           "flagging the loan") + " to be declared due early, and the register holds no letter of the bank declaring "
        "it: check whether the complaint declared "
        f"the loan due early; if it did, the guarantee period of guarantors {_listed(f['guarantors'])} for the whole "
        "balance may count from its service on the borrower (Civil Code art. 692), ending before "
        f"{f['deadline']} shown by the plan, while the guarantor notices claim only the amounts overdue: have them "
        "reviewed by legal counsel before they are served"),
    "guarantee-accelerated": lambda f: (
        f"the loan was declared due early (letter of {f['declared']}): the guarantee period counted from then ends on "
        f"{f['deadline']}, before {f['later']} counted from the original maturity; act by the earlier (Civil Code "
        "art. 692)" + _withdrawn_en(f)),
    "penalty-none": lambda f: (("the ledger's penalty rate is 0" if f["source"] == "ledger" else
                                "the ledger gives no penalty rate and the policy's daily rate is 0")
                               + ", so the loan is taken to bear no penalty interest: the letters neither claim nor "
                               "reserve any; check the loan contract and, if it agrees a penalty rate, enter it as "
                               "the ledger's penalty rate" + (" (a 0 typed for a blank: clear the cell and the "
                                                              "policy's daily rate applies)"
                                                              if f["source"] == "ledger" else "")),
    "penalty-none-letter": lambda f: (" (no penalty interest claimed: " + (
        "the ledger's penalty rate is 0" if f["penalty_none"] == "ledger"
        else "no penalty rate in the ledger and the policy's daily rate is 0")
        + ", taken as none agreed; correct the ledger if the contract agrees one)"),
    "nothing-owed": ("every amount the ledger gives to claim is nil (balance {balance} yuan, overdue principal "
                     "{overdue_principal} yuan, interest {interest} yuan), so no {document} was made; if the loan is "
                     "repaid or no longer overdue, clear its overdue start; if something is still overdue, enter it "
                     "as overdue principal or interest"),
    # a program's own mistakes (``MESSAGES.fault``): read by programmers
    "ledger-headers-short": "headers must name every ledger column",
    "ledger-format-unsupported": "unsupported ledger format {suffix!r}: use .xlsx or .csv",
    "tally-without-migration": "an opening snapshot needs a tally made with migration=True",
    "tally-figured": "a tally gives its figures once: make a new NplTally to count again",
    "ledger-blocks-iterated": "a ledger's blocks can be iterated once: call iter_ledger_blocks again",
}
"""English wording for what the service's English pages show of a ledger, a plan or an NPL report (a row's
errors, why a file cannot be used, the classification flags), for the few messages shown to operators, and
for programmers' mistakes (``MESSAGES.fault``); the documents, the workbooks and the command line stay Chinese."""

MESSAGES = MessageTable("loans", ZH, EN)
"""The loans part's table: build its errors with ``MESSAGES.error``, its notices with
``MESSAGES.notice`` and any other sentence with ``MESSAGES.text``."""
