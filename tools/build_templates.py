"""Build the shipped Word templates (``templates/*.docx``) with python-docx.

Run ``python tools/build_templates.py [NAME ...]`` to rebuild them after changing the
wording here. The committed .docx files are ordinary Word documents a bank may open and edit;
this script is only how the originals were made. Tags are docxtpl/Jinja2: ``{{ field }}``,
``{%p if … %}`` paragraphs and ``{%tr for … %}`` table rows. Filters: see ``docgen.core.cnformat``.
"""
from __future__ import annotations

import sys
from pathlib import Path

from docx.shared import Mm

from docgen.core.docxbuild import (
    add_body,
    add_heading,
    add_numbered,
    add_signature_block,
    add_table,
    add_title,
    new_document,
    save_templates,
    set_core_properties,
)

HERE = Path(__file__).resolve().parents[1] / "templates"


# ---------------------------------------------------------------------------------------------
# The annexes of 篇十三 (附件一 … 附件十一). Each is headed "附件N" with the seed's title and carries
# the signature and seal blocks the seed asks for. Conventions shared by every annex:
# - one date style per document (2026年11月20日, the ``date_cn`` filter) and full-width punctuation;
# - full ID numbers: these are contractual documents kept by the bank (masking is for notices);
# - nobody is made a guarantor by a letter or resolution: where a commitment could be read as a
#   guarantee the text says it is not one (《民法典》第六百八十一条), so a personal guarantee needs
#   its own contract with amount, scope and period.


def _annex_document(annex: str, title: str, subject: str, *, heading: str | None = None):
    """Start an annex: A4, "附件N" top left, the seed's title, the serial number on the right."""
    doc = new_document()
    set_core_properties(doc, title, f"开发贷资料 {annex}")
    add_body(doc, annex, indent=False, style="Normal")
    add_title(doc, heading or title)
    add_body(doc, "编号：{{ serial }}", indent=False, align="right")
    return doc


def _specimen_rows(table, first: int, height_mm: float = 16) -> None:
    """Give the rows from ``first`` on room for a handwritten signature or a seal impression."""
    for row in table.rows[first:]:
        row.height = Mm(height_mm)


def _shareholder_table(doc) -> None:
    """The shareholders and their shares, one row per shareholder (附件一 and 附件十 list them alike)."""
    add_table(
        doc,
        ["序号", "股东名称（姓名）", "统一社会信用代码或居民身份证号", "持股比例"],
        [
            ["{%tr for s in shareholders %}", "", "", ""],
            ["{{ loop.index }}", "{{ s.name }}", "{{ s.id_number }}", "{{ s.share }}%"],
            ["{%tr endfor %}", "", "", ""],
        ],
        [14, 62, 56, 24],
        align=["center", "left", "center", "center"],
    )


def credit_application():
    """授信业务申请书(借款申请报告) (附件一): the borrower applies to the bank for the loan."""
    doc = _annex_document("附件一", "授信业务申请书", "项目资料", heading="授信业务申请书\n（借款申请报告）")
    add_body(doc, "{{ bank }}{{ branch }}：", indent=False)
    add_body(doc, "{{ borrower }}（统一社会信用代码：{{ borrower_uscc }}，以下简称“本公司”）成立于"
                  "{{ established|date_cn }}，注册资本人民币{{ registered_capital|amount }}元，住所：{{ borrower_address }}，"
                  "法定代表人{{ legal_rep }}（居民身份证号：{{ legal_rep_id }}）。本公司股东及持股比例如下：")
    _shareholder_table(doc)
    add_body(doc, "本公司实际控制人为{{ actual_controller }}。")
    add_body(doc, "本公司开发建设的{{ project }}项目位于{{ project_location }}，项目总投资人民币"
                  "{{ total_investment|amount }}元，截至申请日已投入自筹资金人民币{{ invested|amount }}元。"
                  "为保证项目顺利建设，本公司特向贵行申请授信如下：")
    add_numbered(doc, [
        "业务品种：{{ loan_type }}。",
        "申请金额：人民币{{ loan_amount|amount }}元（大写：{{ loan_amount|amount_in_words }}）。",
        "申请期限：{{ term_months }}个月。",
        "借款用途：{{ purpose }}。",
        "还款来源：{{ repayment_source }}。",
        "担保方式：以下列财产抵押：{{ collateral|join('；') }}。",
    ])
    add_body(doc, "本公司保证所提供的资料真实、完整、有效，同意贵行查询本公司的企业信用报告，"
                  "并按贵行要求提供调查、审查所需的其他资料。贷款利率、还款方式等以贵行审批及双方签订的借款合同为准。")
    add_body(doc, "特此申请。")
    add_signature_block(doc, [
        "申请人：{{ borrower }}（公章）",
        "法定代表人（签字或盖章）：                    ",
        "{{ date|date_cn }}",
    ])
    return doc


def shareholder_resolution():
    """股东会决议及授权书 (附件二): borrowing and mortgage approved; an agent (经办人) authorised.

    No clause binds the shareholders personally: a resolution decides for the company, it cannot
    make a shareholder (least of all one who voted against) a guarantor.
    """
    doc = _annex_document("附件二", "股东会决议及授权书", "签约前汇签资料", heading="{{ company }}\n股东会决议")
    add_body(doc, "{{ company }}（统一社会信用代码：{{ company_uscc }}，以下简称“公司”）于{{ meeting_date|date_cn }}"
                  "在{{ meeting_place }}召开股东会，会议由{{ chair }}主持，{{ recorder }}记录。"
                  "出席会议的股东、出资比例及表决意见如下：")
    add_table(
        doc,
        ["序号", "股东名称（姓名）", "统一社会信用代码或居民身份证号", "出资比例", "表决意见"],
        [
            ["{%tr for s in shareholders %}", "", "", "", ""],
            ["{{ loop.index }}", "{{ s.name }}", "{{ s.id_number }}", "{{ s.share }}%", "{{ s.vote }}"],
            ["{%tr endfor %}", "", "", "", ""],
        ],
        [12, 52, 52, 20, 20],
        align=["center", "left", "center", "center", "center"],
    )
    add_body(doc, "出席会议的股东代表公司{{ total_share }}%的表决权。依照《中华人民共和国公司法》第六十六条，"
                  "股东会决议应当经代表过半数表决权的股东通过，公司章程另有规定的从其规定；{{ bank }}另要求本决议经代表"
                  "三分之二以上表决权的股东同意。本次会议同意的股东代表{{ favour_share }}%的表决权，"
                  "决议通过。会议形成决议如下：")
    add_numbered(doc, [
        "同意公司向{{ bank }}申请{{ loan_type }}人民币{{ loan_amount|amount }}元（大写："
        "{{ loan_amount|amount_in_words }}），期限{{ term_months }}个月，用于{{ purpose }}，"
        "借款合同编号为{{ contract_no }}，利率、还款方式等以借款合同约定为准。",
        "同意以公司名下的下列财产为上述借款提供抵押担保，并办理抵押登记：{{ collateral|join('；') }}。",
        "同意由公司法定代表人{{ legal_rep }}（居民身份证号：{{ legal_rep_id }}）代表公司签署借款合同、抵押合同"
        "及相关法律文件。",
        "授权{{ agent }}（居民身份证号：{{ agent_id }}，职务：{{ agent_position }}）为公司经办人，"
        "按本决议后附授权书的范围办理上述借款及抵押的具体事宜。",
        "上述借款以公司的经营收入和项目销售回笼款偿还。本决议是公司的意思表示，不构成任何股东为上述借款"
        "提供保证或者承担其他个人责任的意思表示。",
    ])
    add_body(doc, "本决议一式三份，公司留存一份，报送{{ bank }}两份。")
    add_heading(doc, "股东签字或盖章：")
    sign = add_table(
        doc,
        ["股东名称（姓名）", "签字或盖章", "日期"],
        [
            ["{%tr for s in shareholders %}", "", ""],
            ["{{ s.name }}", "", "{{ meeting_date|date_cn }}"],
            ["{%tr endfor %}", "", ""],
        ],
        [60, 52, 44],
        align=["left", "center", "center"],
    )
    _specimen_rows(sign, 2, 14)
    add_signature_block(doc, ["借款单位：{{ company }}（公章）", "{{ meeting_date|date_cn }}"], space_before=1)

    add_title(doc, "授 权 书", new_page=True)
    add_body(doc, "{{ bank }}：", indent=False)
    add_body(doc, "根据本公司{{ meeting_date|date_cn }}股东会决议，本公司授权{{ agent }}（居民身份证号："
                  "{{ agent_id }}，职务：{{ agent_position }}）为本公司经办人，代表本公司办理下列事项：")
    add_numbered(doc, [
        "向贵行提交借款申请及贵行要求的资料，签收贵行的通知、文书；",
        "在股东会决议确定的金额、期限和用途范围内，签署借款合同（编号：{{ contract_no }}）、抵押合同及提款申请书；",
        "办理抵押登记、提款及受托支付的手续。",
    ])
    add_body(doc, "经办人无权变更借款金额、期限、用途和担保方式，也无权转委托。授权期限自本授权书签署之日起"
                  "至上述借款合同项下债务全部清偿之日止；本公司撤销授权的，自贵行收到书面通知之日起生效。"
                  "经办人在授权范围内签署的文件，本公司均予承认。")
    add_body(doc, "经办人签字样本：", indent=False)
    specimen = add_table(doc, None, [["", "", ""]], [52, 52, 52])
    _specimen_rows(specimen, 0, 18)
    add_signature_block(doc, [
        "授权人：{{ company }}（公章）",
        "法定代表人（签字）：                    ",
        "{{ meeting_date|date_cn }}",
    ], space_before=1)
    return doc


def irrevocable_commitment():
    """不可撤销承诺函 (附件三): the contractor's waiver of its priority right, within the law.

    《民法典》第八百零七条 gives the contractor priority over the mortgagee; a waiver is valid only
    so far as it does not harm construction workers' wages (法释〔2020〕25号 第四十二条), so the
    waiver carves them out. The letter names the 工程款 account at the bank and the contractor's
    qualification; the seed asks for the company seal and the legal representative's seal.
    """
    doc = _annex_document("附件三", "不可撤销承诺函", "签约前汇签资料")
    add_body(doc, "{{ bank }}：", indent=False)
    add_body(doc, "我公司{{ contractor }}（统一社会信用代码：{{ contractor_uscc }}，施工资质：{{ contractor_qualification }}）"
                  "承建{{ borrower }}开发的{{ project }}项目，双方签订的建设工程施工合同编号为{{ construction_contract_no }}，"
                  "合同价款人民币{{ contract_amount|amount }}元（大写：{{ contract_amount|amount_in_words }}）。"
                  "鉴于{{ borrower }}向贵行申请房地产开发贷款人民币{{ loan_amount|amount }}元（借款合同编号："
                  "{{ contract_no }}），并以该项目国有建设用地使用权及在建工程向贵行设定抵押，"
                  "我公司在此不可撤销地承诺：")
    add_numbered(doc, [
        "就上述施工合同项下的工程价款，我公司放弃依《中华人民共和国民法典》第八百零七条对上述抵押财产折价或者"
        "拍卖所得价款享有的优先于贵行抵押权受偿的权利。依照《最高人民法院关于审理建设工程施工合同纠纷案件适用"
        "法律问题的解释（一）》（法释〔2020〕25号）第四十二条，上述放弃不及于依法应当支付给建筑工人的工资部分。",
        "上述项目的工程款收款账户开立在贵行：户名{{ account_name }}，账号{{ account_number }}，开户行"
        "{{ account_bank }}。工程款通过该账户收取，我公司同意贵行对该账户的资金往来进行监督，"
        "并优先以该账户资金支付建筑工人工资。",
        "我公司具备承建上述工程的资质，资质证书在施工期间持续有效；我公司不转包、不违法分包，"
        "按合同约定的工期和质量要求组织施工。",
        "我公司与{{ borrower }}之间的工程款争议，不影响贵行依抵押合同实现抵押权。",
    ])
    add_body(doc, "本承诺函自我公司加盖公章并经法定代表人签字、加盖法人章之日起生效，至上述借款合同项下债务全部清偿"
                  "之日止。我公司合并、分立、更名或者法定代表人变更，不影响本承诺函的效力。")
    add_signature_block(doc, [
        "承诺人：{{ contractor }}（公章）",
        "法定代表人：{{ contractor_legal_rep }}（签字并加盖法人章）",
        "{{ date|date_cn }}",
    ])
    return doc


def commitment_letter():
    """承诺函 (附件四): the borrower's commitments, countersigned by every shareholder.

    The shareholders commit only to what is in their own hands (no withdrawal of capital, no
    transfer of project money through related dealings, notice before changes in shareholding);
    the letter says it is not a guarantee, so no shareholder is bound for the debt itself.
    """
    doc = _annex_document("附件四", "承诺函", "签约前汇签资料", heading="承 诺 函")
    add_body(doc, "{{ bank }}：", indent=False)
    add_body(doc, "{{ borrower }}（统一社会信用代码：{{ borrower_uscc }}，以下简称“本公司”）因开发建设"
                  "{{ project }}项目，向贵行申请房地产开发贷款人民币{{ loan_amount|amount }}元"
                  "（大写：{{ loan_amount|amount_in_words }}），期限{{ term_months }}个月，借款合同编号为"
                  "{{ contract_no }}。本公司承诺如下：")
    add_numbered(doc, [
        "项目资本金按规定比例及时足额到位；贷款发放前已投入项目的自有资金真实、合法。",
        "贷款资金专款专用，仅用于上述项目建设，不用于缴纳土地出让价款，不挪作他用；项目资金实行封闭运作，"
        "销售回笼款项全部存入贵行监管账户（户名{{ account_name }}，账号{{ account_number }}）。",
        "按照借款合同约定按时足额归还贷款本息，项目销售进度达到约定比例时按约定提前还款。",
        "发生股权转让、增资减资、合并分立、重大资产处置、对外提供担保或者涉及重大诉讼等事项时，事先书面通知贵行。",
        "如实提供财务报表及项目进度资料，配合贵行的贷后检查。",
    ])
    add_body(doc, "本公司全体股东承诺：不抽逃出资；不通过关联交易转移项目资金；转让所持本公司股权或者在股权上设定质押前，"
                  "书面通知贵行。")
    add_body(doc, "违反上述承诺的，贵行有权依照借款合同停止发放贷款、提前收回已发放贷款。本承诺函不构成任何股东为上述借款"
                  "提供保证的意思表示；贵行要求股东提供保证的，应当另行签订保证合同，约定保证的债权范围、"
                  "保证方式和保证期间（《中华人民共和国民法典》第六百八十一条、第六百九十二条）。")
    add_body(doc, "本承诺函自签署之日起生效，至借款合同项下全部债务清偿完毕之日止。")
    add_signature_block(doc, [
        "承诺人（借款单位）：{{ borrower }}（公章）",
        "法定代表人（签字）：                    ",
        "{{ date|date_cn }}",
    ])
    add_heading(doc, "全体股东盖章或签字：")
    table = add_table(
        doc,
        ["序号", "股东名称（姓名）", "统一社会信用代码或居民身份证号", "盖章或签字"],
        [
            ["{%tr for s in shareholders %}", "", "", ""],
            ["{{ loop.index }}", "{{ s.name }}", "{{ s.id_number }}", ""],
            ["{%tr endfor %}", "", "", ""],
        ],
        [14, 56, 52, 34],
        align=["center", "left", "center", "center"],
    )
    _specimen_rows(table, 2, 14)
    add_body(doc, "日期：{{ date|date_cn }}", indent=False, align="right")
    return doc


def personal_guarantee_statement():
    """房地产项目资金封闭运作个人保证声明书 (附件五): the legal representative's personal statement.

    The seed's name says 保证, but a statement without amount, scope and period is no guarantee
    (《民法典》第六百八十一条): it is written as the legal representative's own undertakings on the
    closed operation of the project funds and says so.
    """
    doc = _annex_document("附件五", "房地产项目资金封闭运作个人保证声明书", "签约前汇签资料",
                          heading="房地产项目资金封闭运作\n个人保证声明书")
    add_body(doc, "{{ bank }}：", indent=False)
    add_body(doc, "本人{{ legal_rep }}（居民身份证号：{{ legal_rep_id }}）系{{ borrower }}（统一社会信用代码："
                  "{{ borrower_uscc }}）的法定代表人。该公司以{{ project }}项目向贵行借款人民币{{ loan_amount|amount }}元"
                  "（借款合同编号：{{ contract_no }}），项目资金在贵行实行封闭运作。本人声明并保证：")
    add_numbered(doc, [
        "本人将督促公司把项目销售回笼款、贷款资金及其他项目资金全部存入贵行监管账户（户名{{ account_name }}，"
        "账号{{ account_number }}，开户行{{ account_bank }}），不在其他银行另开账户收取售房款。",
        "本人不以个人名义或者通过他人收取、截留、挪用项目资金，不指使他人将项目资金用于其他项目或者关联方。",
        "项目资金的支付按借款合同和资金封闭运作管理协议书的约定办理，需受托支付的，不拆分规避。",
        "本人如实向贵行报告项目销售、资金使用情况，发现资金被挪用时立即书面告知贵行。",
    ])
    add_body(doc, "本声明书是本人就项目资金封闭运作所作的承诺，不构成《中华人民共和国民法典》第六百八十一条规定的保证；"
                  "贵行要求本人为上述借款提供保证的，应当另行签订保证合同。本人违反本声明书，给贵行造成损失的，依法承担责任。")
    add_signature_block(doc, [
        "声明人（签字）：                    ",
        "{{ date|date_cn }}",
    ])
    return doc


def signature_specimen():
    """有权人签字样本 (附件七): each authorised signatory's name, full ID, role and specimen boxes,
    and the seals the borrower reserves with the bank."""
    doc = _annex_document("附件七", "有权人签字样本", "签约前汇签资料")
    add_body(doc, "{{ bank }}：", indent=False)
    add_body(doc, "{{ borrower }}（统一社会信用代码：{{ borrower_uscc }}）在贵行办理借款、提款及相关业务，"
                  "下列人员为本公司有权签字人，其签字样本及本公司预留印鉴如下。有权签字人或者印鉴变更的，"
                  "本公司将书面通知贵行并重新留存样本。")
    table = add_table(
        doc,
        ["序号", "姓名", "居民身份证号", "身份", "签字样本（一）", "签字样本（二）"],
        [
            ["{%tr for s in signatories %}", "", "", "", "", ""],
            ["{{ loop.index }}", "{{ s.name }}", "{{ s.id_number }}", "{{ s.role }}", "", ""],
            ["{%tr endfor %}", "", "", "", "", ""],
        ],
        [10, 20, 42, 26, 29, 29],
        align=["center", "center", "center", "center", "center", "center"],
    )
    _specimen_rows(table, 2, 18)
    add_heading(doc, "预留印鉴：")
    seals = add_table(doc, ["公章", "财务专用章", "法定代表人名章"], [["", "", ""]], [52, 52, 52])
    _specimen_rows(seals, 1, 45)
    add_signature_block(doc, [
        "借款单位：{{ borrower }}（公章）",
        "法定代表人（签字）：                    ",
        "{{ date|date_cn }}",
    ], space_before=1)
    return doc


def business_application():
    """业务申请书 (附件八): at disbursement, the borrower asks the bank to put the signed contract into effect."""
    doc = _annex_document("附件八", "业务申请书", "放款前资料")
    add_body(doc, "{{ bank }}{{ branch }}：", indent=False)
    # The mortgage exists only once registered (《民法典》第四百零二条): the application says it is
    # registered only when it gives the registration's number, never as a bare statement.
    add_body(doc, "{{ borrower }}（统一社会信用代码：{{ borrower_uscc }}）已与贵行签订借款合同（编号：{{ contract_no }}）"
                  "{% if mortgage_registration %}，抵押已办理登记（不动产登记证明号：{{ mortgage_registration }}）{% endif %}。"
                  "现申请贵行按合同约定办理放款，业务要素如下：")
    add_table(
        doc,
        None,
        [
            ["业务品种", "{{ loan_type }}"],
            ["借款合同编号", "{{ contract_no }}"],
            ["合同金额", "人民币{{ loan_amount|amount }}元（大写：{{ loan_amount|amount_in_words }}）"],
            ["借款期限", "{{ term_months }}个月"],
            ["年利率", "{{ rate }}%"],
            ["借款用途", "{{ purpose }}"],
            ["还款来源", "{{ repayment_source }}"],
            ["担保方式", "抵押：{{ collateral|join('；') }}"],
            ["监管账户", "户名{{ account_name }}，账号{{ account_number }}，开户行{{ account_bank }}"],
            ["本次申请提款", "共{{ drawdown_count }}笔，合计人民币{{ drawdown_total|amount }}元（大写："
                           "{{ drawdown_total|amount_in_words }}），每笔另附提款申请书"],
        ],
        [38, 118],
        align=["center", "left"],
    )
    add_body(doc, "本公司确认：借款合同约定的提款条件均已满足；所提交的资料真实、完整、有效；贷款资金按约定用途使用，"
                  "并按贵行要求通过受托支付方式支付给交易对象。")
    add_signature_block(doc, [
        "申请人：{{ borrower }}（公章）",
        "法定代表人或授权经办人（签字）：                    ",
        "{{ date|date_cn }}",
    ])
    return doc


def seal_witness_confirmation():
    """印章签字见证确认书 (附件九): which contract-stage documents were signed and sealed, by whom,
    when, witnessed by two bank staff."""
    doc = _annex_document("附件九", "印章签字见证确认书", "放款前资料")
    add_body(doc, "{{ borrower }}（统一社会信用代码：{{ borrower_uscc }}）与{{ bank }}办理借款合同（编号："
                  "{{ contract_no }}）项下业务，下列文件的签字、盖章由签章方在本行工作人员面前当面完成，"
                  "经本行两名工作人员见证，确认如下：")
    add_table(
        doc,
        ["序号", "文件名称", "应有的签字盖章", "已确认的签字盖章", "确认日期"],
        [
            ["{%tr for d in documents %}", "", "", "", ""],
            ["{{ loop.index }}", "{{ d.title }}", "{{ d.need }}", "{{ d.done }}", "{{ d.date|date_cn }}"],
            ["{%tr endfor %}", "", "", "", ""],
        ],
        [12, 38, 36, 32, 38],
        align=["center", "left", "left", "left", "center"],
    )
    add_body(doc, "签章方确认：上述印章为其真实印章，签字为签字人本人所签；签字人在签署时具有相应的权限。")
    add_signature_block(doc, [
        "借款单位：{{ borrower }}（公章）",
        "法定代表人或授权经办人（签字）：                    ",
    ], space_before=1)
    add_heading(doc, "见证人（本行工作人员）：")
    witnesses = add_table(
        doc,
        ["见证人", "签字", "日期"],
        [
            ["{%tr for w in witnesses %}", "", ""],
            ["{{ w }}", "", "{{ date|date_cn }}"],
            ["{%tr endfor %}", "", ""],
        ],
        [52, 64, 40],
    )
    _specimen_rows(witnesses, 2, 14)
    add_signature_block(doc, ["{{ bank }}{{ branch }}（业务专用章）", "{{ date|date_cn }}"], space_before=1)
    return doc


def related_party_declaration():
    """股东或关联方关系声明函 (附件十): the borrower declares its shareholders, actual controller
    and related parties, with full identifiers."""
    doc = _annex_document("附件十", "股东或关联方关系声明函", "放款前资料")
    add_body(doc, "{{ bank }}：", indent=False)
    add_body(doc, "{{ borrower }}（统一社会信用代码：{{ borrower_uscc }}，以下简称“本公司”）就在贵行申请的"
                  "{{ loan_type }}，声明本公司的股东、实际控制人及其他关联方如下：")
    add_heading(doc, "一、股东")
    _shareholder_table(doc)
    add_heading(doc, "二、实际控制人")
    add_body(doc, "{{ actual_controller }}（证件号码：{{ actual_controller_id }}）。")
    add_heading(doc, "三、其他关联方")
    add_table(
        doc,
        ["序号", "关联方名称（姓名）", "统一社会信用代码或居民身份证号", "关联关系"],
        [
            ["{%tr for r in related_parties %}", "", "", ""],
            ["{{ loop.index }}", "{{ r.name }}", "{{ r.id_number }}", "{{ r.relation }}"],
            ["{%tr endfor %}", "", "", ""],
        ],
        [14, 56, 50, 36],
        align=["center", "left", "center", "left"],
    )
    add_body(doc, "本公司声明：上述内容真实、完整，不存在隐瞒的关联方；本公司与上述关联方之间的交易按公允价格进行，"
                  "不通过关联交易转移贷款资金或者项目资金。上述情况发生变化的，本公司自变化之日起十日内书面告知贵行。")
    add_signature_block(doc, [
        "声明人：{{ borrower }}（公章）",
        "法定代表人（签字）：                    ",
        "{{ date|date_cn }}",
    ], space_before=1)  # the signature and its date stay on the page of the declaration
    return doc


def drawdown_application():
    """提款申请书 (附件十一): one per drawdown, with the 受托支付 payee."""
    doc = _annex_document("附件十一", "提款申请书", "放款前资料")
    add_body(doc, "{{ bank }}{{ branch }}：", indent=False)
    add_body(doc, "根据本公司与贵行签订的借款合同（编号：{{ contract_no }}，合同金额人民币{{ loan_amount|amount }}元），"
                  "本公司申请提取第{{ number }}笔借款，具体如下：")
    add_table(
        doc,
        None,
        [
            ["提款金额", "人民币{{ amount|amount }}元（大写：{{ amount|amount_in_words }}）"],
            ["提款日期", "{{ drawdown_date|date_cn }}"],
            ["借款用途", "{{ drawdown_purpose }}"],
            ["支付方式", "贷款人受托支付"],
            ["收款人户名", "{{ payee_name }}"],
            ["收款人账号", "{{ payee_account }}"],
            ["收款人开户行", "{{ payee_bank }}"],
        ],
        [38, 118],
        align=["center", "left"],
    )
    add_body(doc, "本公司委托贵行将上述款项直接支付给收款人，并随本申请书提交与该笔支付相对应的交易合同、"
                  "发票或者工程进度证明。本公司确认：本笔提款符合借款合同约定的用途和提款条件，"
                  "所附资料真实、有效。")
    add_signature_block(doc, [
        "借款单位：{{ borrower }}（公章）",
        "法定代表人或授权经办人（签字）：                    ",
        "{{ drawdown_date|date_cn }}",
    ])
    return doc


BUILDERS = {
    "credit-application": credit_application,
    "shareholder-resolution": shareholder_resolution,
    "irrevocable-commitment": irrevocable_commitment,
    "commitment-letter": commitment_letter,
    "personal-guarantee-statement": personal_guarantee_statement,
    "signature-specimen": signature_specimen,
    "business-application": business_application,
    "seal-witness-confirmation": seal_witness_confirmation,
    "related-party-declaration": related_party_declaration,
    "drawdown-application": drawdown_application,
}


def build(names: list[str] | None = None, out_dir: Path = HERE) -> list[Path]:
    """Build the named templates (all by default) into ``out_dir``; return the written paths.

    The collection letters (demand-letter, debt-confirmation, guarantor-demand) are built by
    ``tools/build_loan_letters.py``.
    """
    return save_templates(BUILDERS, names, out_dir)


if __name__ == "__main__":
    for path in build(sys.argv[1:] or None):
        print(path)
