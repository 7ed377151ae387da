"""Build the collection letters' Word templates (``templates/*.docx``) with python-docx.

Run ``python tools/build_loan_letters.py [NAME ...]`` after changing the wording here. Three
letters drive collection (DESIGN §8.1), each followed by a 送达回证 on its own page:

- ``demand-letter``: 逾期贷款催收函 to the borrower of a claim still inside its limitation period;
  the only letter that says the period is interrupted (《民法典》第一百九十五条), and only on the
  condition that it is served before the period ends when that is near (``serve_by``), and, for a
  loan not yet matured, that the period has begun (an instalment debt's runs from the last
  instalment's due date, 第一百八十九条);
- ``debt-confirmation``: 催收通知书 with a 债务确认回执, for a time-barred claim: it asks for
  repayment and the debtor's written confirmation (which revives the claim, art. 192) and
  asserts no legal effect of its own;
- ``guarantor-demand``: 保证人履行保证责任通知书 to a joint guarantor still liable (art. 688,
  693, 694); the borrower's ID number is masked (a notice to a third party), the guarantor's own
  ID number and address are printed in full (the notice is addressed to that guarantor); its
  effect is stated only on the condition of service within the guarantee period when that ends
  soon (``serve_by``), and, for a loan neither matured nor declared due early (whose guarantee
  period may not have begun, art. 692), as a demand made before the period ends (art. 694 para. 2);
  following an earlier demand for part of the debt (``earlier_demand``), its service is said to
  interrupt that part's limitation (art. 195) and start the rest's; on a loan in court (``in_court``),
  only to start the rest's.

No letter claims, describes or has confirmed an item of nil: an amount row, a demand (并支付逾期罚息,
本金及利息; a principal repaid in full, 全部贷款本金), a 借款本金 of 0.00 in a debt confirmation, the 罚息's
computation, a reservation of 罚息 for a loan bearing none (``penalty_agreed``). A letter with nothing
at all to claim is never made (``docgen.loans.letters``: ``nothing-owed``; the templates' 合计 rule).
One date style (``date_cn``: 2026年6月30日) throughout each document; full-width punctuation.
The shared docx helpers live in ``docgen.core.docxbuild``.
"""
from __future__ import annotations

import sys
from pathlib import Path

from docx.shared import Mm

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from docgen.core.docxbuild import (  # noqa: E402
    HEI,
    add_body,
    add_signature_block,
    add_table,
    add_tag_paragraph,
    add_title,
    fullwidth_punctuation,
    new_document,
    save_templates,
    set_core_properties,
    set_run_font,
)

HERE = Path(__file__).resolve().parents[1] / "templates"

# A company is named with its 统一社会信用代码, a person with the 证件号码 (id_label decides).
_BORROWER = "{{ borrower }}({{ id_number|id_label }}:{{ id_number }}):"

_NUMERALS = "['一', '二', '三', '四', '五', '六']"
# The guarantor's ID number when the ledger gives it (保证人证件号码); a notice is not refused for
# lack of it: the server writes it on the 送达回证 from the document shown at service.
_GUARANTOR_ID = ("{% if guarantor_id is defined and guarantor_id %}({{ guarantor_id|id_label }}:{{ guarantor_id }})"
                 "{% endif %}")


def _contract(borrower: str) -> str:
    """Return a letter's opening sentence: ``borrower``'s loan contract with the bank, the day and amount
    lent and the agreed maturity. The day is the loan's (``loan_date``: the ledger's 发放日期), not
    the contract's signing, which the ledger does not record: the letter dates the lending only."""
    return (borrower + "与{{ bank_legal_name }}(以下简称“我行”)签订编号为{{ contract_no }}的借款合同,于"
            "{{ loan_date|date_cn }}向我行借款人民币{{ loan_amount|amount }}元,约定到期日为{{ maturity|date_cn }}。")


def _amount_table(doc, principal_label: str = "{{ principal_label }}") -> None:
    """The amounts claimed and their 合计: an item of nil has no row (a line of 0.00 would read as a
    claim of nothing, of a 罚息 the loan does not bear), so the rows add up to the 合计 and its 大写."""

    def claimed(item: str, label: str, figure: str) -> list[list[str]]:
        return [["{%tr if " + item + " %}", ""], [label, figure], ["{%tr endif %}", ""]]

    add_table(
        doc,
        ["项目", "金额(元)"],
        [
            *claimed("principal", principal_label, "{{ principal|amount }}"),
            *claimed("interest", "欠息", "{{ interest|amount }}"),
            # The window of docgen.loans.letters.penalty: the letter date is one of its days.
            *claimed("penalty", "罚息(计至{{ letter_date|date_cn }},含当日)", "{{ penalty|amount }}"),
            ["合计", "{{ total|amount }}"],
        ],
        [86, 44],  # the 罚息 line with its window (about 18 characters) on one line
        align=["center", "right"],
        bold_rows=[9],
    )


# What fell due and is unpaid, as the overdue recital names it. A letter demanding only what is overdue
# has it in its table (principal, interest: each named only when not nil); a letter demanding the whole
# balance (declared due early) has it from docgen (``overdue_items``: 本息, 本金 or 利息), the table's
# principal being the balance: a borrower who missed only interest is never said to owe principal past due.
_OVERDUE_NOW = "{% if principal and interest %}本息{% elif interest %}利息{% else %}本金{% endif %}"
_OVERDUE_BEFORE = "{{ overdue_items }}"


# 罚息 as the letter reserves it (计收至实际清偿之日止, as the contract provides): a loan whose 罚息 rate
# is nil (penalty_agreed false: the ledger's 罚息利率, else the policy's rate, is 0) bears none, and a
# letter claiming no 罚息 figure reserves none; a figure of 罚息 shows a rate, whatever the flag says.
_PENALTY_AGREED = "(penalty or penalty_agreed)"


def _penalty_reservation(doc, declared: str, *, addressee: str, claim: str) -> None:
    """The 罚息 a letter claims but cannot figure (``docgen.loans.letters.penalty``). Its table's 罚息
    runs on the overdue principal (and, once the loan has matured, on the rest from the day after
    maturity), while the rest of a balance declared due early (宣布提前到期) fell due when the
    declaration reached the borrower (《民法典》第一百三十七条第二款), a day the register does not
    record (it holds the letter's issue date, not its service). A letter made after the declaring
    letter went out in an earlier run (``declared`` before maturity; ``penalty_reserved`` after it)
    reserves that claim in words: never left out, and no figure asserted that the bank could not prove.
    With no 罚息 figured the sentence names no table row; for a loan bearing no 罚息 there is none.
    """
    law = "依照借款合同约定及《中华人民共和国民法典》第五百七十七条、第六百七十六条的规定,"
    # A table without a 罚息 row (none figured: only interest overdue) is not referred to; a loan bearing
    # no 罚息 at all has nothing reserved.
    listed = "{% if penalty %}未列入上表,{% endif %}"
    add_tag_paragraph(doc, "{%p if " + declared + " and not matured and " + _PENALTY_AGREED + " %}")
    add_body(doc, "{% if penalty %}上表罚息仅按逾期本金计算。贷款本金余额中其余部分{% else %}贷款本金余额中逾期本金以外的部分"
                  f"{{% endif %}}自宣布提前到期生效之日(即该宣布到达{addressee}之日)"
                  f"起到期,{law}自该日次日起按借款合同约定计收罚息;该部分罚息{listed}由我行另行计算并{claim}主张。")
    # Matured since: the figure covers the rest from the day after maturity; what fell due earlier by
    # the declaration is claimed only if it took effect before maturity (served late, nothing is).
    add_tag_paragraph(doc, "{%p elif matured and penalty_reserved and " + _PENALTY_AGREED + " %}")
    add_body(doc, "{% if penalty %}上表罚息中,贷款本金余额中逾期本金以外的部分自到期日次日起计算。{% endif %}"
                  f"我行此前已向{addressee}宣布该笔贷款提前到期;该宣布到达{addressee}之日(宣布提前到期生效之日)早于到期日的,"
                  "{% if penalty %}该部分本金{% else %}贷款本金余额中逾期本金以外的部分{% endif %}"
                  f"自该日起到期,{law}自该日次日起至{{{{ maturity|date_cn }}}}止的罚息{listed}由我行另行计算并{claim}主张。")
    add_tag_paragraph(doc, "{%p endif %}")


def _contact_lines(doc) -> None:
    add_body(doc, "联系人:{{ contact }}    联系电话:{{ phone }}")
    add_tag_paragraph(doc, "{%p if branch_address is defined and branch_address %}")
    add_body(doc, "联系地址:{{ branch_address }}")
    add_tag_paragraph(doc, "{%p endif %}")


def _closing(doc, sign_off: str) -> None:
    """The letter's close: ``sign_off`` (特此函告。), the contact lines and the signature, kept on one
    page together with the last paragraph of the body before it (keep with next, that paragraph kept
    whole): a letter whose variable text runs long (a reservation of 罚息, a conditional effect, many
    guarantors) moves its close to the next page with that paragraph, never leaving the signature
    and date alone there, apart from the text they sign. That paragraph is printed whatever the data
    (a tag paragraph, removed when rendering, would carry the keep away with it): ``ValueError`` else."""
    last = doc.paragraphs[-1]
    if last.style.name != "Body Text" or last.text.startswith("{%"):
        raise ValueError(f"the close follows a paragraph that may not be printed: {last.text!r}")
    last.paragraph_format.keep_together = True
    add_body(doc, sign_off)
    _contact_lines(doc)
    _signature(doc)
    paragraphs = doc.paragraphs
    start = next(i for i, paragraph in enumerate(paragraphs) if paragraph._p is last._p)
    for paragraph in paragraphs[start:-1]:
        paragraph.paragraph_format.keep_with_next = True


def _signature(doc, role: str = "债权人") -> None:
    add_signature_block(doc, [f"{role}:{{{{ bank_legal_name }}}}", "经办机构:{{ branch }}(公章)",
                              "{{ letter_date|date_cn }}"], space_before=1)


def _receipt(doc, document: str, addressee: str, *, id_cell: str, address_cell: str,
             confirmation: str | None = None) -> None:
    """The 送达回证: who was served what, how, by whom (two servers), with room for a proxy."""
    add_title(doc, "送 达 回 证", new_page=True)
    rows = [
        ["送达文书", f"{document}(编号:{{{{ serial }}}})"],
        ["受送达人", addressee],
        ["受送达人证件号码", id_cell],
        ["受送达人电话", ""],
        ["送达地址", address_cell],
        ["送达方式", "□直接送达  □留置送达  □邮寄送达(邮寄单号:                    )"],
        ["送达日期", "          年      月      日"],
        ["受送达人签收", "本人已收到上述文书。\n签名(盖章):                    年      月      日"],
    ]
    if confirmation is not None:
        rows.append(["债务确认", confirmation])
    rows += [
        ["代收人及与受送达人关系", "代收人:                  关系:"],
        ["送达人签名", "送达人一:                  送达人二:"],
        ["见证人", ""],
        ["备注", "受送达人拒绝签收的,送达人应在备注栏写明情况,并由见证人签名。"],
    ]
    table = add_table(doc, None, rows, [40, 116], align=["center", "left"])
    for row in table.rows:
        row.height = Mm(11)
        set_run_font(row.cells[0].paragraphs[0].runs[0], HEI)
    table.rows[7].height = Mm(22)
    if confirmation is not None:
        table.rows[8].height = Mm(30)
    add_signature_block(doc, ["送达机构:{{ bank_legal_name }}{{ branch }}(公章)"], space_before=1)


def _head(title: str, addressee: str, *, heading: str | None = None, **layout: float):
    """Return a new letter: properties, title, serial number line and the addressee line."""
    doc = new_document(**layout)
    set_core_properties(doc, title, "贷后管理")
    add_title(doc, heading or title)
    add_body(doc, "编号:{{ serial }}", indent=False, align="right")
    add_body(doc, addressee, indent=False)
    return doc


def demand_letter():
    """逾期贷款催收函 with its 送达回证 (seed: 贷款逾期催收工作, day 7)."""
    # 11 pt and 1.15 lines: the letter itself fits on one page.
    doc = _head("逾期贷款催收函", _BORROWER, letter_size=11, line_spacing=1.15)
    add_body(doc, _contract("贵方"))
    # The demand names what the table claims, each item only when it is not nil: no 欠息 owed, no 利息
    # demanded; no 罚息 figured, none demanded, and 第六百七十六条 (逾期利息) is then not relied on. The
    # principal is claimed under 第六百七十五条 (returning the loan), the 欠息 under 第六百七十四条 (paying
    # interest when agreed): a letter claiming both cites both, one claiming no principal (only interest
    # overdue, or the principal repaid) 第六百七十四条 alone, one claiming no 欠息 第六百七十五条 alone.
    law = ("《中华人民共和国民法典》{% if principal %}{% if interest %}第六百七十四条、{% endif %}第六百七十五条"
           "{% else %}第六百七十四条{% endif %}{% if penalty %}、第六百七十六条{% endif %}的规定,")
    # A balance of nil (the principal repaid, interest still owed) is not demanded: the letter asks for
    # the interest alone, never for a principal of 0.00.
    whole = ("{% if principal %}全部贷款本金{% if interest %}及利息{% endif %}{% else %}所欠贷款利息{% endif %}"
             "{% if penalty %},并支付逾期罚息{% endif %}。")
    add_tag_paragraph(doc, "{%p if matured %}")
    add_body(doc, "该笔贷款已于{{ maturity|date_cn }}到期,贵方未按约归还,自{{ overdue_since|date_cn }}起已构成逾期。"
                  f"依照借款合同约定及{law}贵方应立即归还{whole}截至{{{{ letter_date|date_cn }}}},贵方尚欠我行款项如下:")
    add_tag_paragraph(doc, "{%p elif accelerated %}")
    add_body(doc, f"贵方自{{{{ overdue_since|date_cn }}}}起未按合同约定归还到期贷款{_OVERDUE_BEFORE},已构成违约。依照借款合同约定,"
                  f"我行现宣布上述贷款全部提前到期。依照{law}"
                  f"贵方应立即归还{whole}截至{{{{ letter_date|date_cn }}}},贵方尚欠我行款项如下:")
    add_tag_paragraph(doc, "{%p else %}")
    add_body(doc, f"贵方自{{{{ overdue_since|date_cn }}}}起未按合同约定归还到期贷款{_OVERDUE_NOW},已构成逾期。依照借款合同约定及"
                  f"{law}贵方应归还到期贷款{_OVERDUE_NOW}"
                  "{% if penalty %},并支付逾期罚息{% endif %}。截至{{ letter_date|date_cn }},贵方尚欠我行到期款项如下:")
    add_tag_paragraph(doc, "{%p endif %}")
    _amount_table(doc)
    # How the 罚息 was figured, only for a 罚息 the table claims.
    add_body(doc, "合计金额(大写):{{ total|amount_in_words }}。{% if penalty %}罚息按{% if penalty_annual %}借款合同约定的罚息"
                  "利率年{{ penalty_annual }}(日利率为年利率÷360){% else %}日利率{{ penalty_daily }}{% endif %}"
                  "计算,计息天数为逾期天数,自逾期之日(逾期第1日)起计至{{ letter_date|date_cn }}(含当日);{% endif %}"
                  "欠息{% if " + _PENALTY_AGREED + " %}、罚息{% endif %}及复利按借款合同约定计收至实际清偿之日止。",
             indent=False)
    # The declaring letter itself claims no 罚息 on the rest of the balance: it is not due on the
    # letter date. Made again in a later run (its file lost: restored), it may be (penalty_reserved).
    _penalty_reservation(doc, "accelerated and penalty_reserved", addressee="贵方", claim="向贵方")
    add_body(doc, "请贵方于{{ pay_by|date_cn }}前将上述欠款足额存入还款账户,或到我行办理还款手续。逾期仍未归还的,"
                  "我行将依照借款合同及有关法律规定采取下列措施:")
    # A measure is printed only when it can be taken: no guarantor or collateral, no such threat. The
    # costs of a suit are claimed, not said to fall on the borrower: the court apportions the court fees
    # (《诉讼费用交纳办法》第二十九条) and the borrower bears counsel's fees only as the contract provides.
    add_tag_paragraph(doc, "{%p for m in measures if (m != 'guarantors' or guarantors) "
                           "and (m != 'collateral' or collateral) %}")
    add_body(doc, "{{ " + _NUMERALS + "[loop.index0] }}、"
                  "{% if m == 'credit' %}将贵方的逾期记录报送金融信用信息基础数据库,影响贵方今后办理信贷业务;"
                  "{% elif m == 'guarantors' %}要求保证人{{ guarantors|join('、') }}依照保证合同承担保证责任;"
                  "{% elif m == 'collateral' %}依法处置抵押物、质押物({{ collateral }}),并以所得价款优先受偿;"
                  "{% else %}依法向人民法院提起诉讼,并依法及依照借款合同约定要求贵方承担诉讼费、律师费等实现债权的费用。"
                  "{% endif %}")
    add_tag_paragraph(doc, "{%p endfor %}")
    # Service interrupts the period only while it runs (art. 195): when it ends within the policy's
    # service margin of the letter date (serve_by), the letter says so as a condition, never as a fact.
    # Nor does it interrupt a period not yet running: a debt repaid in instalments has one period,
    # counted from the last instalment's due date (art. 189), so the letter of a loan not yet matured
    # (its overdue instalments demanded, or its balance declared due by this very letter) states the
    # interruption only for a period that has begun. A matured loan's period has begun.
    add_body(doc, "依照《中华人民共和国民法典》第一百九十五条的规定,本函送达即构成我行向贵方提出履行请求"
                  "{% if matured %}{% if serve_by %};本函在诉讼时效期间届满前送达的,{% else %},{% endif %}上述债权的"
                  "{% else %};上述债权的诉讼时效期间已经开始计算{% if serve_by %}、本函在该期间届满前送达{% endif %}的,"
                  "{% endif %}诉讼时效自本函送达之日起中断并重新计算。如对上述欠款金额有异议,请于收到本函之日起三日内与我行联系。")
    _closing(doc, "特此函告。")
    # The borrower's signed confirmation (an acknowledgment: 《民法典》第一百九十五条) confirms what the
    # letter claims: the principal owed (and, when the letter demands only what is overdue, that part
    # of it, when not nil), the 欠息 and the 罚息 of the table, to the same day, each only when it is not nil, and the
    # 罚息 the letter reserves in words without a figure, under _penalty_reservation's own condition
    # (penalty_reserved, for a balance declared due early or matured); never an amount the letter does
    # not claim, nor an item of nothing.
    _receipt(
        doc, "逾期贷款催收函", "{{ borrower }}", id_cell="{{ id_number }}", address_cell="{{ borrower_address }}",
        confirmation="借款人确认:截至{{ letter_date|date_cn }},尚欠{{ bank_legal_name }}"
                     "{% for item, owed in [('借款本金', balance), ('欠息', interest), ('罚息', penalty)] if owed %}"
                     "{% if not loop.first %}、{% endif %}{{ item }}{{ owed|amount }}元"
                     "{% if loop.first and item == '借款本金' and not matured and not accelerated and principal %}"
                     "(其中{{ principal_label }}{{ principal|amount }}元){% endif %}{% endfor %}"
                     "{% if penalty_reserved and (accelerated or matured) and " + _PENALTY_AGREED + " %}"
                     ",以及《逾期贷款催收函》所述由债权人另行计算的罚息"
                     "{% endif %}。"
                     "\n借款人签名(盖章):                    年      月      日",
    )
    return doc


def debt_confirmation():
    """催收通知书 with a 债务确认回执, for a claim whose limitation period has run out."""
    doc = _head("催收通知书", _BORROWER, heading="催 收 通 知 书",
                line_spacing=1.3)
    # 借款本金 and 利息 each named only when some is owed: the notice and the debtor's confirmation claim
    # no item of nil (a principal repaid in full is not confirmed as 0.00 owed).
    add_body(doc, _contract("贵方") + "截至{{ letter_date|date_cn }},该合同项下尚有{% if balance and interest %}借款本金"
                  "{{ balance|amount }}元、利息{{ interest|amount }}元未归还,合计人民币{{ total|amount }}元"
                  "(大写:{{ total|amount_in_words }})。{% else %}{% if balance %}借款本金{% else %}利息{% endif %}"
                  "人民币{{ total|amount }}元(大写:{{ total|amount_in_words }})未归还。{% endif %}")
    add_body(doc, "请贵方于{{ pay_by|date_cn }}前与我行联系,归还上述款项或商定还款安排,并在随附的《债务确认回执》上"
                  "签字(盖章)后交回我行。")
    _closing(doc, "特此通知。")
    add_title(doc, "债 务 确 认 回 执", new_page=True)
    add_body(doc, "{{ bank_legal_name }}{{ branch }}:", indent=False)
    # The confirmation names the debtor and its ID number in full: it is the debtor's own act that
    # revives the time-barred claim (《民法典》第一百九十二条第二款), so it must say whose it is.
    add_body(doc, "{{ borrower }}({{ id_number|id_label }}:{{ id_number }},以下称“本人(本单位)”)确认:截至{{ letter_date|date_cn }},"
                  "本人(本单位)在编号为{{ contract_no }}的借款合同项下尚欠贵行"
                  "{% if balance and interest %}借款本金人民币{{ balance|amount }}元、利息人民币{{ interest|amount }}元,合计"
                  "{% elif balance %}借款本金{% else %}利息{% endif %}"
                  "人民币{{ total|amount }}元(大写:{{ total|amount_in_words }}),本人(本单位)同意归还上述欠款。")
    add_signature_block(doc, ["确认人:{{ borrower }}(签字或盖章)",
                              "          年      月      日"], space_before=2)
    _receipt(doc, "催收通知书及债务确认回执", "{{ borrower }}", id_cell="{{ id_number }}",
             address_cell="{{ borrower_address }}")
    return doc


def _guarantee_demand(served: str, made: str, made_if_served: str, debt: str) -> str:
    """Return the guarantor notice's sentence on its effect (《民法典》第六百九十四条第二款): a demand
    ``made`` (when the notice is) in the words of the period it is made in, or, with ``serve_by``, on the
    condition of its service ``served`` so, a demand ``made_if_served``; ``debt`` narrows the guarantee
    debt whose limitation the demand starts (``_limitation``)."""
    return ("{% if serve_by %}本通知" + served + "送达贵方的,即为我行" + made_if_served + "向贵方提出的承担保证责任的"
            "请求,{% else %}本通知系我行" + made + "向贵方提出的承担保证责任的请求;{% endif %}" + _limitation(debt))


def _limitation(debt: str) -> str:
    """Return what the notice's service does to the limitation of the guarantee debt: starts it
    (《民法典》第六百九十四条第二款; ``debt`` narrows the debt). A guarantor asked before for part of
    the debt (``earlier_demand``: the overdue amounts, before the balance fell due) has the limitation of
    that part running since that demand: the notice, a new demand for it, interrupts it (第一百九十五条),
    and starts that of the rest. The interruption holds only while that limitation runs: when it may end
    before the notice is served (``earlier_claim_near``), it is stated on that condition, never as a fact.
    On a loan in court (``in_court``) the guarantor may be a party to the suit, which claimed that part:
    its limitation then stays interrupted until the proceedings end, or gives way to the time to apply
    for enforcement of a judgment, and a restart from this notice's service does not hold; nothing is
    said of that part (a request interrupts by law all the same)."""
    return ("依照《中华人民共和国民法典》第六百九十四条第二款的规定,{% if earlier_demand %}"
            "贵方就上述欠款中我行此前未向贵方主张的部分所负保证债务的诉讼时效自本通知送达之日起计算"
            "{% if in_court %}。{% else %};"
            "就我行此前已向贵方主张的部分,{% if earlier_claim_near %}本通知在该部分保证债务的诉讼时效期间届满前送达贵方的,"
            "{% else %}本通知系我行再次提出的履行请求,{% endif %}依照该法第一百九十五条的规定,该部分保证债务的诉讼时效"
            "自本通知送达之日起中断并重新计算。{% endif %}{% else %}贵方" + debt + "保证债务的诉讼时效自本通知送达之日起计算。{% endif %}")


def guarantor_demand():
    """保证人履行保证责任通知书 to one joint guarantor still liable, with its 送达回证."""
    doc = _head("保证人履行保证责任通知书", "{{ guarantor }}" + _GUARANTOR_ID + ":", line_spacing=1.2)
    add_body(doc, _contract("借款人{{ borrower }}({{ borrower_id|id_label }}:{{ borrower_id|mask_id }})")
             + "贵方为该笔借款提供连带责任保证。")
    # The declaring letter is named by its serial, and by the date it bears when docgen could read it from
    # the letter as issued (declared_on): the register's time of the serial need not be that date, nor
    # is the date a letter bears the day it went out, so it is given as the letter's date (落款日期).
    declared = (f"借款人自{{{{ overdue_since|date_cn }}}}起未按合同约定归还到期贷款{_OVERDUE_BEFORE},已构成违约,我行已"
                "依照借款合同约定向借款人发出{% if declaration_serial %}编号为{{ declaration_serial }}"
                "{% if declared_on %}、落款日期为{{ declared_on|date_cn }}{% endif %}的"
                "{% elif declared_on %}落款日期为{{ declared_on|date_cn }}的{% endif %}《逾期贷款催收函》,"
                "宣布该笔贷款全部提前到期")
    add_tag_paragraph(doc, "{%p if matured %}")
    # Matured: the whole balance fell due at maturity, or earlier by a declaration (declared_early), which
    # the notice still names. A guarantor asked before maturity for the overdue instalments (earlier_demand)
    # is told the rest fell due at maturity: the demand asks what that earlier one could not.
    add_body(doc, "{% if declared_early %}" + declared + ";该笔贷款亦已于{{ maturity|date_cn }}到期。"
                  f"{{% elif earlier_demand %}}借款人自{{{{ overdue_since|date_cn }}}}起未按合同约定归还到期贷款{_OVERDUE_BEFORE},"
                  "已构成逾期;该笔贷款已于{{ maturity|date_cn }}到期,贷款本金余额已于该日全部到期,借款人仍未归还。"
                  "{% else %}该笔贷款已于{{ maturity|date_cn }}到期,借款人未按约归还,自{{ overdue_since|date_cn }}起已构成逾期。"
                  "{% endif %}截至{{ letter_date|date_cn }},借款人尚欠我行款项如下:")
    # The whole balance of an unmatured loan is due only by the early maturity declared to the
    # borrower, which takes effect when the declaration reaches it (art. 137): docgen sets
    # accelerated only when the borrower's demand letter was issued in an earlier run, and the
    # notice says what the bank did (sent the letter declaring it), not that it took effect.
    add_tag_paragraph(doc, "{%p elif accelerated %}")
    add_body(doc, declared + "。截至{{ letter_date|date_cn }},借款人尚欠我行款项如下:")
    add_tag_paragraph(doc, "{%p else %}")
    add_body(doc, f"借款人自{{{{ overdue_since|date_cn }}}}起未按合同约定归还到期贷款{_OVERDUE_NOW},已构成逾期。截至"
                  "{{ letter_date|date_cn }},借款人尚欠我行到期款项如下:")
    add_tag_paragraph(doc, "{%p endif %}")
    _amount_table(doc)
    add_body(doc, "合计金额(大写):{{ total|amount_in_words }}。欠息{% if " + _PENALTY_AGREED + " %}、罚息{% endif %}"
                  "按借款合同约定计收至实际清偿之日止。", indent=False)
    # accelerated: the declaring letter was issued in an earlier run, so the balance claimed fell due
    # on a day this notice cannot name; penalty_reserved: the declaration went out before and the loan
    # has matured since.
    _penalty_reservation(doc, "accelerated", addressee="借款人", claim="在保证范围内向贵方")
    # A notice reaching the guarantor after the guarantee period has no effect (the guarantor is
    # discharged, art. 693 para. 2): when the period ends within the policy's service margin of the
    # letter date (serve_by), the notice states its effect (art. 694 para. 2) only on the condition of
    # service in time, never as a fact. The period's end is printed either way, as the guarantee
    # contract or the law fixes it. The demand rests on art. 688 para. 2 (a debtor not paying a debt
    # due: the creditor may call the joint guarantor within the guarantee); art. 693 para. 2 says what
    # follows when no demand is made, and grounds no demand.
    # A loan neither matured nor declared due early: the guarantee period runs from the main debt's
    # maturity unless the contract fixes otherwise (art. 692), so it may not have begun on the letter
    # date, and the notice says only what art. 694 para. 2 asks, a demand before the period ends. It
    # claims only the overdue amounts, and so starts the limitation of the guarantee debt for those:
    # the instalments not yet due cannot be claimed from the guarantor yet.
    # period_disputed: the loan was declared due early and the period counted from the declaration has
    # ended, the one counted from the agreed maturity (guarantee_period_end) not yet. Whether the notice
    # comes within the period is then disputed: it states its effect only on the condition that the
    # period counts from maturity and the notice is served within it, never as a fact.
    end = "{{ guarantee_period_end|date_cn }}"
    add_body(doc, "依照《中华人民共和国民法典》第六百八十八条第二款的规定及保证合同的约定,我行现请求"
                  "贵方在保证范围内承担连带保证责任,于{{ pay_by|date_cn }}前代借款人清偿上述欠款。"
                  "{% if period_disputed %}保证期间自借款合同约定的到期日({{ maturity|date_cn }})起算的,至" + end
                  + "届满;本通知于该期间内送达贵方的,即为我行在保证期间内向贵方提出的承担保证责任的请求," + _limitation("")
                  + "{% elif matured or accelerated %}"
                  + _guarantee_demand(f"于保证期间(至{end}届满)内", f"在保证期间(至{end}届满)内", "在保证期间内", "")
                  + "{% else %}"
                  + _guarantee_demand(f"在保证期间于{end}届满前", f"在保证期间于{end}届满前", "在保证期间届满前",
                                      "就上述欠款所负")
                  + "{% endif %}")
    add_body(doc, "如对上述金额有异议,请于收到本通知之日起三日内与我行联系。")
    _closing(doc, "特此通知。")
    _receipt(doc, "保证人履行保证责任通知书", "{{ guarantor }}", id_cell="{% if guarantor_id is defined %}"
             "{{ guarantor_id }}{% endif %}", address_cell="{{ guarantor_address }}")
    return doc


BUILDERS = {
    "demand-letter": demand_letter,
    "debt-confirmation": debt_confirmation,
    "guarantor-demand": guarantor_demand,
}


def build(names: list[str] | None = None, out_dir: Path = HERE) -> list[Path]:
    """Build the named letters (all by default) into ``out_dir``; return the written paths."""
    return save_templates(BUILDERS, names, out_dir, finish=fullwidth_punctuation)


if __name__ == "__main__":
    for path in build(sys.argv[1:] or None):
        print(path)
