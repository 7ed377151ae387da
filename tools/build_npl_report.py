"""Build ``templates/npl-report.docx``, the 关于不良贷款现状及催收管理工作报告 template (seed 篇十二).

Run ``python tools/build_npl_report.py`` after changing the wording here. It uses the same
python-docx helpers as the other shipped templates (``docgen.core.docxbuild``: East-Asian fonts,
zh-CN, A4, page numbers). The context it expects is documented in ``npl-report.yaml`` and
produced by ``docgen.loans.npl_report.report_context``; figures arrive preformatted (万元 with two
decimals, percentages as the seed writes them) so the template only places them.
"""
from __future__ import annotations

import sys
from pathlib import Path

from docx.shared import Pt

from docgen.core.docxbuild import (
    add_body,
    add_heading,
    add_signature_block,
    add_table,
    add_tag_paragraph,
    add_title,
    fullwidth_punctuation,
    new_document,
    save_templates,
    set_core_properties,
)

HERE = Path(__file__).resolve().parents[1] / "templates"
NAME = "npl-report"

# Columns of the migration table: the closing states, in the order npl.MIGRATION_TO lists them.
MIGRATION_COLUMNS = ("正常", "关注", "次级", "可疑", "损失", "表外", "结清")


def _loop_table(doc, header, cells, widths, align, *, total=None):
    """A table whose body rows repeat over a list: ``cells`` is the row template, e.g.
    ``("{{ r.name }}", …)`` inside ``{%tr for r in … %}``; ``total`` an optional last row."""
    loop_var, source = cells[0], cells[1]
    body = [[f"{{%tr for {loop_var} in {source} %}}"] + [""] * (len(header) - 1),
            list(cells[2]),
            ["{%tr endfor %}"] + [""] * (len(header) - 1)]
    bold = []
    if total is not None:
        body.append(list(total))
        bold = [3]
    return add_table(doc, header, body, widths, align=align, bold_rows=bold)


def npl_report():
    """The periodic report to head office on NPL status and collection (seed 篇十二)."""
    doc = new_document()
    set_core_properties(doc, "关于不良贷款现状及催收管理工作报告", "不良贷款管理")
    add_title(doc, "关于不良贷款现状及催收管理工作报告")
    add_body(doc, "{{ recipient }}:", indent=False)
    add_body(doc, "按照{{ recipient }}相关要求,结合我行实际,现就我行目前不良贷款现状及催收管理工作报告如下:")

    # 一、基本情况: the seed's sentence, with the parts that need an opening ledger or a target
    # switched on only when those figures exist (never a blank where a figure belongs).
    add_heading(doc, "一、基本情况")
    add_body(
        doc,
        "截至{{ as_of|date_cn }},支行表内不良贷款余额{{ npl_balance }}万元,"
        "{% if has_opening %}较{{ start_word }}{{ change_direction }}"
        "{% if change_direction != '持平' %}{{ change }}万元{% endif %},{% endif %}"
        "不良占比{{ npl_ratio }}"
        "{% if has_opening and has_reduction_target %},完成{{ task_word }}{{ reduction_target }}万元的"
        "{{ reduction_completion }}{% endif %};"
        "表外不良贷款余额{{ off_balance }}万元,{{ span_word }}清收{{ recovered }}万元"
        "{% if has_recovery_target %},完成{{ task_word }}{{ recovery_target }}万元的{{ recovery_completion }}{% endif %}。",
    )
    add_tag_paragraph(doc, "{%p if flag_count %}")
    add_body(doc, "按附件所列分类检查结果校正五级分类后,表内不良贷款余额为{{ npl_balance_corrected }}万元,"
                  "不良占比{{ npl_ratio_corrected }}。")
    add_tag_paragraph(doc, "{%p endif %}")
    add_body(doc, "截至{{ as_of|date_cn }},表内逾期贷款余额{{ overdue_balance }}万元"
                  "{% if overdue_change_direction %},较{{ start_word }}{{ overdue_change_direction }}"
                  "{% if overdue_change_direction != '持平' %}{{ overdue_change }}万元{% endif %}{% endif %};"
                  "其中逾期90天以上贷款{{ overdue90_balance }}万元,与不良贷款之比(偏离度)为{{ deviation }}。")
    add_tag_paragraph(doc, "{%p if not has_opening %}")
    add_body(doc, "(本期未提供{{ start_word }}贷款台账,{{ start_word }}不良余额、较{{ start_word }}变动、"
                  "压降任务完成情况及五级分类迁徙无法计算。)")
    add_tag_paragraph(doc, "{%p endif %}")
    add_body(doc, "从五级分类看,全行表内贷款{{ loan_count }}笔、余额{{ loan_balance }}万元,其中正常类{{ cat.normal }}万元、"
                  "关注类{{ cat.special }}万元、次级类{{ cat.substandard }}万元、可疑类{{ cat.doubtful }}万元、损失类{{ cat.loss }}万元"
                  "(见表1)。")
    add_body(doc, "表1  表内贷款五级分类情况(单位:万元)", indent=False, align="center", style="Normal")
    _loop_table(
        doc, ["五级分类", "笔数", "余额", "占比"],
        ("c", "categories", ("{{ c.name }}", "{{ c.loans }}", "{{ c.balance }}", "{{ c.share }}")),
        [40, 30, 45, 40], ["center", "right", "right", "right"],
        total=("合计", "{{ loan_count }}", "{{ loan_balance }}", "100%"),
    )
    add_tag_paragraph(doc, "{%p if has_opening %}")
    add_body(doc, "与{{ start_word }}相比,五级分类迁徙情况见表2(每格上为笔数、下为{{ start_word }}余额,单位:万元;"
                  "新发放贷款按期末余额计)。")
    add_body(doc, "表2  五级分类迁徙情况", indent=False, align="center", style="Normal")
    migration = add_table(
        doc,
        ["{{ start_word }}\\期末", *MIGRATION_COLUMNS],
        [
            ["{%tr for m in migration %}"] + [""] * len(MIGRATION_COLUMNS),
            ["{{ m.label }}"] + [f"{{{{ m.cells[{i}] }}}}" for i in range(len(MIGRATION_COLUMNS))],
            ["{%tr endfor %}"] + [""] * len(MIGRATION_COLUMNS),
        ],
        [21] + [19] * len(MIGRATION_COLUMNS),
        align=["center"] * (len(MIGRATION_COLUMNS) + 1),
    )
    # Eight columns on A4: a smaller face keeps "7784.25" on one line.
    for table_row in migration.rows:
        for cell in table_row.cells:
            for paragraph in cell.paragraphs:
                for run in paragraph.runs:
                    run.font.size = Pt(8.5)
    add_tag_paragraph(doc, "{%p endif %}")
    add_body(doc, "{{ chart }}", indent=False, align="center", style="Normal")
    add_body(doc, "{{ chart_caption }}", indent=False, align="center", style="Normal")
    add_body(doc, "分客户经理、分机构的贷款及不良情况见表3、表4。")
    add_body(doc, "表3  分客户经理贷款及不良情况(单位:万元)", indent=False, align="center", style="Normal")
    _loop_table(
        doc, ["客户经理", "笔数", "表内余额", "表内不良", "表外不良", "本期收回"],
        ("g", "officers", ("{{ g.name }}", "{{ g.loans }}", "{{ g.balance }}", "{{ g.npl_balance }}",
                           "{{ g.off_balance }}", "{{ g.recovered }}")),
        [30, 18, 30, 26, 26, 26], ["center", "right", "right", "right", "right", "right"],
    )
    add_body(doc, "表4  分机构贷款及不良情况(单位:万元)", indent=False, align="center", style="Normal")
    _loop_table(
        doc, ["机构", "笔数", "表内余额", "表内不良", "表外不良", "本期收回"],
        ("g", "branches", ("{{ g.name }}", "{{ g.loans }}", "{{ g.balance }}", "{{ g.npl_balance }}",
                           "{{ g.off_balance }}", "{{ g.recovered }}")),
        [38, 16, 28, 24, 26, 24], ["center", "right", "right", "right", "right", "right"],
    )

    add_heading(doc, "二、催收情况")
    add_tag_paragraph(doc, "{%p for para in collection %}")
    add_body(doc, "{{ para }}")
    add_tag_paragraph(doc, "{%p endfor %}")
    add_tag_paragraph(doc, "{%p if large_npls %}")
    add_body(doc, "截至{{ as_of|date_cn }},{{ large_threshold }}万元以上大额不良贷款共{{ large_count }}笔、"
                  "合计{{ large_total }}万元,逐户落实清收责任人(见表5):{{ large_summary }}。")
    add_body(doc, "表5  大额不良贷款清收责任表(单位:万元)", indent=False, align="center", style="Normal")
    # The 责任行领导 column appears when the ledger names the leaders (seed: 行长负责大额不良).
    # 分类 holds 损失（表外）, six characters, on one line (30 mm); the width comes from 借款人,
    # whose names are left-aligned and may wrap.
    add_tag_paragraph(doc, "{%p if has_leaders %}")
    _loop_table(
        doc, ["序号", "借款人", "借据号", "余额", "分类", "客户经理", "责任行领导"],
        ("l", "large_npls", ("{{ l.seq }}", "{{ l.borrower }}", "{{ l.loan_no }}", "{{ l.balance }}",
                             "{{ l.classification }}", "{{ l.officer }}", "{{ l.leader }}")),
        [10, 26, 34, 20, 30, 18, 18], ["center", "left", "center", "right", "center", "center", "center"],
    )
    add_tag_paragraph(doc, "{%p else %}")
    _loop_table(
        doc, ["序号", "借款人", "借据号", "余额", "分类", "客户经理"],
        ("l", "large_npls", ("{{ l.seq }}", "{{ l.borrower }}", "{{ l.loan_no }}", "{{ l.balance }}",
                             "{{ l.classification }}", "{{ l.officer }}")),
        [12, 34, 38, 22, 30, 20], ["center", "left", "center", "right", "center", "center"],
    )
    add_tag_paragraph(doc, "{%p endif %}")
    add_tag_paragraph(doc, "{%p else %}")
    add_body(doc, "截至{{ as_of|date_cn }},无{{ large_threshold }}万元以上大额不良贷款。")
    add_tag_paragraph(doc, "{%p endif %}")

    add_heading(doc, "三、诉讼情况")
    add_tag_paragraph(doc, "{%p if litigation %}")
    add_body(doc, "目前涉诉贷款{{ litigation_count }}笔、余额{{ litigation_balance }}万元,"
                  "{{ span_word }}通过诉讼及执行收回{{ litigation_recovered }}万元{{ litigation_recovered_detail }}。")
    add_tag_paragraph(doc, "{%p for para in litigation_notes %}")
    add_body(doc, "{{ para }}")
    add_tag_paragraph(doc, "{%p endfor %}")
    add_body(doc, "表6  涉诉贷款情况(单位:万元)", indent=False, align="center", style="Normal")
    _loop_table(
        doc, ["借款人", "借据号", "诉讼状态", "余额", "本期收回", "客户经理"],
        ("s", "litigation", ("{{ s.borrower }}", "{{ s.loan_no }}", "{{ s.status }}", "{{ s.balance }}",
                             "{{ s.recovered }}", "{{ s.officer }}")),
        [30, 38, 30, 20, 20, 18], ["left", "center", "left", "right", "right", "center"],
    )
    add_tag_paragraph(doc, "{%p else %}")
    add_body(doc, "本期无涉诉贷款。")
    add_tag_paragraph(doc, "{%p endif %}")
    add_tag_paragraph(doc, "{%p if to_sue %}")
    # A time-barred claim may still be sued on, but the debtor may refuse to perform (art. 192):
    # the report says how many and marks them, so head office decides knowing it.
    add_body(doc, "按催收时间表应起诉而尚未起诉的贷款{{ to_sue_count }}笔、余额{{ to_sue_balance }}万元,"
                  "拟报{{ recipient }}起诉(见表7)"
                  "{% if to_sue_barred %};按台账记载的到期日、逾期起始日和时效中断事由计算,其中{{ to_sue_barred }}笔"
                  "诉讼时效已届满(表7“诉讼时效届满日”栏注明),"
                  "债务人可以提出不履行义务的抗辩(《中华人民共和国民法典》第一百九十二条第一款),起诉前宜先取得"
                  "债务人对债务的书面确认(同条第二款){% endif %}。")
    add_body(doc, "表7  拟报起诉贷款名单(单位:万元)", indent=False, align="center", style="Normal")
    _loop_table(
        doc, ["序号", "借款人", "借据号", "逾期天数", "余额", "客户经理", "诉讼时效届满日"],
        ("u", "to_sue", ("{{ u.seq }}", "{{ u.borrower }}", "{{ u.loan_no }}", "{{ u.days }}", "{{ u.balance }}",
                         "{{ u.officer }}",
                         "{{ u.limitation_deadline|date_cn }}{% if u.barred %}\n(已届满){% endif %}")),
        [11, 19, 34, 16, 18, 16, 40], ["center", "left", "center", "right", "right", "center", "center"],
    )
    add_tag_paragraph(doc, "{%p endif %}")

    add_heading(doc, "四、下一步工作计划")
    add_tag_paragraph(doc, "{%p for para in plan %}")
    add_body(doc, "{{ para }}")
    add_tag_paragraph(doc, "{%p endfor %}")

    add_signature_block(doc, ["{{ branch }}", "{{ report_date|date_cn }}"])

    # The annex starts its page with its own label (page break before): a paragraph holding a page break
    # would go over to the next page after a report filling its last page, leaving a blank page.
    add_body(doc, "附件", indent=False, style="Normal").paragraph_format.page_break_before = True
    add_title(doc, "表内贷款五级分类检查")
    add_body(doc, "依据《商业银行金融资产风险分类办法》,逾期超过90天的贷款至少应为次级类,超过270天至少为可疑类,"
                  "超过360天应为损失类;逾期贷款至少应为关注类(操作性或技术性原因导致的7天内短期逾期除外,"
                  "须逐笔认定);到期未还的贷款自到期次日起按逾期管理;同一非零售"
                  "债务人在本行的各笔债权分类应一致。检查范围为表内贷款(报告期{{ period_name }},逾期起始日为逾期第1天,"
                  "计算至{{ as_of|date_cn }})。")
    add_tag_paragraph(doc, "{%p if flags %}")
    add_body(doc, "经检查,共{{ flag_count }}项需重新认定或补登逾期;按应至少分类校正后,表内不良贷款余额"
                  "{{ npl_balance_corrected }}万元、不良占比{{ npl_ratio_corrected }}:")
    _loop_table(
        doc, ["序号", "借据号", "借款人", "检查项", "逾期天数", "现分类", "应至少为", "客户经理"],
        ("f", "flags", ("{{ f.seq }}", "{{ f.loan_no }}", "{{ f.borrower }}", "{{ f.check }}", "{{ f.days }}",
                        "{{ f.classification }}", "{{ f.required }}", "{{ f.officer }}")),
        [10, 32, 26, 26, 16, 16, 16, 16], ["center", "center", "left", "left", "right", "center", "center", "center"],
    )
    add_tag_paragraph(doc, "{%p else %}")
    add_body(doc, "经检查,未发现需重新认定分类的表内贷款。")
    add_tag_paragraph(doc, "{%p endif %}")
    return doc


def build(out_dir: Path = HERE) -> Path:
    """Write ``npl-report.docx`` into ``out_dir`` atomically and return its path (full-width
    punctuation in the Chinese text, GB/T 15834)."""
    return save_templates({NAME: npl_report}, None, out_dir, finish=fullwidth_punctuation)[0]


if __name__ == "__main__":
    print(build(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE))
