"""Build the shipped Word templates (``templates/*.docx``) with python-docx.

Run ``python tools/build_templates.py [NAME ...]`` to rebuild them after changing the
wording here. The committed .docx files are ordinary Word documents a bank may open and edit;
this script is only how the originals were made. Tags are docxtpl/Jinja2: ``{{ field }}``,
``{%p if … %}`` paragraphs and ``{%tr for … %}`` table rows. Filters: see ``docgen.core.cnformat``.
"""
from __future__ import annotations

import sys
from pathlib import Path

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm, Pt

from docgen.core.docxbuild import (
    HEI,
    add_body,
    add_heading,
    add_numbered,
    add_page_break,
    add_signature_block,
    add_table,
    add_tag_paragraph,
    add_title,
    new_document,
    set_core_properties,
    set_run_font,
)

HERE = Path(__file__).resolve().parents[1] / "templates"


def demand_letter():
    """逾期贷款催收函 with a 送达回证 receipt slip on its own page (seed: 贷款逾期催收工作, day 7)."""
    doc = new_document(line_spacing=1.25)  # the letter itself fits on one page
    set_core_properties(doc, "逾期贷款催收函", "贷后管理")
    add_title(doc, "逾期贷款催收函")
    add_body(doc, "编号:{{ serial }}", indent=False, align="right")
    add_body(doc, "{{ borrower }}(证件号码:{{ id_number|mask_id }}):", indent=False)
    add_body(doc, "贵方于{{ loan_date|date_cn }}与我行签订编号为{{ contract_no }}的借款合同,向我行借款人民币"
                  "{{ loan_amount|amount }}元。贵方自{{ overdue_since|date_cn }}起未按合同约定归还到期贷款本息,"
                  "已构成逾期。截至{{ letter_date|date_cn }},贵方尚欠我行款项如下:")
    add_table(
        doc,
        ["项目", "金额(元)"],
        [
            ["逾期本金", "{{ principal|amount }}"],
            ["欠息", "{{ interest|amount }}"],
            ["罚息", "{{ penalty|amount }}"],
            ["合计", "{{ total|amount }}"],
        ],
        [60, 60],
        align=["center", "right"],
        bold_rows=[3],
    )
    add_body(doc, "合计金额(大写):{{ total|amount_in_words }}", indent=False)
    add_body(doc, "请贵方务必于{{ pay_by|date_cn }}前将上述欠款足额存入还款账户,或到我行办理还款手续。"
                  "逾期仍未归还的,我行将依照借款合同及有关法律规定采取下列措施:")
    add_numbered(doc, [
        "将贵方的逾期记录报送金融信用信息基础数据库(征信系统),影响贵方今后在各金融机构办理信贷业务;",
        "自逾期之日起按借款合同约定对逾期本金计收罚息、对欠息计收复利,逾期时间越长,罚息越多;",
        "要求保证人承担保证责任,并依法处置抵押物、质押物;",
        "依法向人民法院提起诉讼,由此产生的诉讼费、律师费等实现债权的费用由贵方承担。",
    ])
    add_body(doc, "本函送达即构成我行对上述债权的催收,诉讼时效自送达之日起中断并重新计算。"
                  "如对上述欠款金额有异议,请于收到本函之日起三日内与我行联系。")
    add_body(doc, "特此函告。")
    add_body(doc, "联系人:{{ contact }}    联系电话:{{ phone }}")
    add_tag_paragraph(doc, "{%p if branch_address is defined and branch_address %}")
    add_body(doc, "联系地址:{{ branch_address }}")
    add_tag_paragraph(doc, "{%p endif %}")
    add_signature_block(doc, ["{{ branch }}(公章)", "{{ letter_date|date_upper }}"], space_before=1)
    add_tag_paragraph(doc, "{%p if guarantors %}")
    add_body(doc, "抄送:{{ guarantors|join('、') }}(担保人)", indent=False)
    add_tag_paragraph(doc, "{%p endif %}")

    add_page_break(doc)
    add_title(doc, "送 达 回 证")
    table = add_table(
        doc,
        None,
        [
            ["送达文书", "逾期贷款催收函(编号:{{ serial }})"],
            ["受送达人", "{{ borrower }}"],
            ["送达地址", "{{ borrower_address|default('') }}"],
            ["送达方式", "□直接送达    □邮寄送达    □留置送达"],
            ["送达日期", "        年      月      日"],
            ["受送达人签收", "本人已收到上述文书。\n\n\n签名(盖章):                    年      月      日"],
            ["送达人", ""],
            ["见证人", ""],
            ["备注", "受送达人拒绝签收的,送达人应在备注栏写明情况,并由见证人签名。"],
        ],
        [38, 118],
        align=["center", "left"],
    )
    for row in table.rows:
        row.height = Mm(14)
        set_run_font(row.cells[0].paragraphs[0].runs[0], HEI)
    table.rows[5].height = Mm(45)
    add_signature_block(doc, ["送达机构:{{ branch }}(公章)"], space_before=1)
    return doc


def commitment_letter():
    """承诺函 (附件四): the borrower and all its shareholders commit to the lending bank."""
    doc = new_document()
    set_core_properties(doc, "承诺函", "开发贷签约前汇签资料 附件四")
    add_body(doc, "附件四", indent=False, style="Normal")
    add_title(doc, "承 诺 函")
    add_body(doc, "编号:{{ serial }}", indent=False, align="right")
    add_body(doc, "{{ bank }}:", indent=False)
    add_body(doc, "{{ borrower }}(统一社会信用代码:{{ borrower_uscc }},以下简称“本公司”)因开发建设"
                  "{{ project }}项目,向贵行申请房地产开发贷款人民币{{ loan_amount|amount }}元"
                  "(大写:{{ loan_amount|amount_in_words }}),期限{{ term_months }}个月,借款合同编号为"
                  "{{ contract_no }}。为保障贵行债权安全,本公司及本公司全体股东郑重承诺如下:")
    add_numbered(doc, [
        "项目资本金按规定比例及时足额到位,不抽逃、不挪用;贷款发放前已投入项目的自有资金真实、合法。",
        "贷款资金专款专用,仅用于上述项目建设,不用于缴纳土地出让金,不挪作他用;项目资金实行封闭运作,"
        "销售回笼款项全部存入贵行指定的监管账户。",
        "按照借款合同约定按时足额归还贷款本息,项目销售进度达到约定比例时按约定提前还款。",
        "发生股权转让、增减资、合并分立、重大资产处置、对外提供担保或涉及重大诉讼等事项时,事先书面通知贵行"
        "并征得贵行同意。",
        "如实提供财务报表及项目进度资料,配合贵行的贷后检查。",
        "如违反上述承诺,贵行有权停止发放贷款、提前收回已发放贷款,并依照借款合同追究违约责任;"
        "本公司全体股东对上述承诺的履行承担连带责任。",
    ])
    add_body(doc, "本承诺函自签署之日起生效,至借款合同项下全部债务清偿完毕之日止。")
    add_signature_block(doc, [
        "承诺人(借款人):{{ borrower }}(公章)",
        "法定代表人(签字):                    ",
        "{{ date|date_upper }}",
    ])
    add_heading(doc, "全体股东签字(盖章):")
    add_table(
        doc,
        ["序号", "股东名称(姓名)", "证件号码", "签字(盖章)"],
        [
            ["{%tr for s in shareholders %}", "", "", ""],
            ["{{ loop.index }}", "{{ s.name }}", "{{ s.id_number|mask_id }}", ""],
            ["{%tr endfor %}", "", "", ""],
        ],
        [14, 58, 46, 38],
        align=["center", "left", "center", "center"],
    )
    add_body(doc, "日期:{{ date|date_cn }}", indent=False, align="right")
    return doc


def irrevocable_commitment():
    """不可撤销承诺函 (附件三): the contractor waives its priority and commits to the bank."""
    doc = new_document()
    set_core_properties(doc, "不可撤销承诺函", "开发贷签约前汇签资料 附件三")
    add_body(doc, "附件三", indent=False, style="Normal")
    add_title(doc, "不可撤销承诺函")
    add_body(doc, "编号:{{ serial }}", indent=False, align="right")
    add_body(doc, "{{ bank }}:", indent=False)
    add_body(doc, "我公司{{ contractor }}(统一社会信用代码:{{ contractor_uscc }})为{{ borrower }}开发的"
                  "{{ project }}项目的施工单位,双方签订的建设工程施工合同编号为{{ construction_contract_no }},"
                  "合同价款人民币{{ contract_amount|amount }}元(大写:{{ contract_amount|amount_in_words }})。鉴于{{ borrower }}以该项目在建工程向贵行"
                  "抵押,申请房地产开发贷款人民币{{ loan_amount|amount }}元(借款合同编号:{{ contract_no }}),"
                  "我公司在此不可撤销地承诺:")
    add_numbered(doc, [
        "我公司放弃就上述工程价款对抵押的在建工程及其折价、拍卖所得价款享有的优先受偿权,"
        "不以建设工程价款优先受偿权对抗贵行的抵押权。",
        "上述项目的工程款收款账户开立在贵行,工程款结算资金通过该账户收付,接受贵行监督。",
        "我公司不将上述工程转包或违法分包,按合同约定的工期和质量要求组织施工,确保项目如期竣工。",
        "我公司与{{ borrower }}之间的工程款争议,不影响贵行抵押权的实现。",
    ])
    add_body(doc, "本承诺函不可撤销,自我公司盖章及法定代表人签章之日起生效,至上述借款合同项下债务全部清偿之日止。"
                  "我公司的合并、分立、更名或法定代表人变更,均不影响本承诺函的效力。")
    add_signature_block(doc, [
        "承诺人:{{ contractor }}(公章)",
        "法定代表人:{{ contractor_legal_rep }}(签章)",
        "{{ date|date_upper }}",
    ])
    return doc


def shareholder_resolution():
    """股东会决议及授权书 (附件二): borrowing, mortgage, and authority for the legal representative."""
    doc = new_document()
    set_core_properties(doc, "股东会决议及授权书", "开发贷签约前汇签资料 附件二")
    add_body(doc, "附件二", indent=False, style="Normal")
    add_title(doc, "{{ company }}\n股东会决议")
    add_body(doc, "编号:{{ serial }}", indent=False, align="right")
    add_body(doc, "{{ company }}(统一社会信用代码:{{ company_uscc }},以下简称“公司”)于{{ meeting_date|date_cn }}"
                  "在{{ meeting_place }}召开股东会,会议由{{ chair }}主持。会议的召集、召开程序符合《中华人民共和国"
                  "公司法》及公司章程的规定。出席会议的股东及其出资比例如下:")
    add_table(
        doc,
        ["序号", "股东名称(姓名)", "证件号码", "出资比例", "表决意见"],
        [
            ["{%tr for s in shareholders %}", "", "", "", ""],
            ["{{ loop.index }}", "{{ s.name }}", "{{ s.id_number|mask_id }}", "{{ s.share }}%", "{{ s.vote }}"],
            ["{%tr endfor %}", "", "", "", ""],
        ],
        [14, 56, 44, 22, 20],
        align=["center", "left", "center", "center", "center"],
    )
    add_body(doc, "出席会议的股东代表公司{{ total_share }}%的表决权,其中同意的股东代表{{ favour_share }}%的表决权,"
                  "达到公司章程规定的表决比例。经审议,会议形成决议如下:")
    add_numbered(doc, [
        "同意公司向{{ bank }}申请{{ loan_type }}人民币{{ loan_amount|amount }}元(大写:"
        "{{ loan_amount|amount_in_words }}),期限{{ term_months }}个月,用于{{ purpose }}"
        "(借款合同编号:{{ contract_no }})。",
        "同意以{{ collateral }}作为上述借款的抵押担保,并办理抵押登记手续。",
        "授权公司法定代表人{{ legal_rep }}(身份证号:{{ legal_rep_id|mask_id }})代表公司办理上述借款及抵押事宜,"
        "签署借款合同、抵押合同及相关法律文件,其签字对公司具有约束力。",
        "公司全体股东保证按期归还上述借款本息,并对贷款资金的封闭运作予以配合。",
    ])
    add_body(doc, "本决议一式三份,公司留存一份,报送{{ bank }}两份。")
    add_heading(doc, "股东签字(盖章):")
    add_table(
        doc,
        ["股东名称(姓名)", "签字(盖章)", "日期"],
        [
            ["{%tr for s in shareholders %}", "", ""],
            ["{{ s.name }}", "", "{{ meeting_date|date_cn }}"],
            ["{%tr endfor %}", "", ""],
        ],
        [66, 50, 40],
        align=["left", "center", "center"],
    )
    add_signature_block(doc, ["{{ company }}(公章)", "{{ meeting_date|date_upper }}"], space_before=1)

    add_page_break(doc)
    add_title(doc, "授 权 书")
    add_body(doc, "{{ bank }}:", indent=False)
    add_body(doc, "根据{{ company }}{{ meeting_date|date_cn }}股东会决议,本公司授权法定代表人{{ legal_rep }}"
                  "(身份证号:{{ legal_rep_id|mask_id }})为本公司的授权代表,代表本公司办理向贵行申请"
                  "{{ loan_type }}人民币{{ loan_amount|amount }}元及以{{ collateral }}设定抵押的全部事宜,"
                  "签署相关合同、协议、承诺及其他法律文件。授权期限自本授权书签署之日起至上述借款合同项下"
                  "债务全部清偿之日止。授权代表在授权范围内签署的文件,本公司均予承认。")
    add_body(doc, "授权代表签字样本:____________________")
    add_signature_block(doc, [
        "授权人:{{ company }}(公章)",
        "法定代表人(签字):                    ",
        "{{ meeting_date|date_upper }}",
    ])
    return doc


BUILDERS = {
    "demand-letter": demand_letter,
    "commitment-letter": commitment_letter,
    "irrevocable-commitment": irrevocable_commitment,
    "shareholder-resolution": shareholder_resolution,
}


def build(names: list[str] | None = None, out_dir: Path = HERE) -> list[Path]:
    """Build the named templates (all by default) into ``out_dir``; return the written paths."""
    from docgen.core.atomic import atomic_output

    written = []
    for name in names or list(BUILDERS):
        doc = BUILDERS[name]()
        path = out_dir / f"{name}.docx"
        with atomic_output(path, "wb") as fh:
            doc.save(fh)
        written.append(path)
    return written


if __name__ == "__main__":
    for path in build(sys.argv[1:] or None):
        print(path)
