#!/usr/bin/env python3
"""Make the example client bundle of a development loan (华安置业发展有限公司, 云栖花园一期).

Run from the repository root::

    .venv/bin/python examples/make_bundle.py                 # regenerate examples/bundle/
    .venv/bin/python examples/make_bundle.py --zip out.zip   # also a zip with GBK names (as Chinese Windows makes)
    .venv/bin/python examples/make_bundle.py --complete --out /tmp/ok   # a bundle with nothing to report

The demo bundle is nearly complete but shows each kind of finding once or more, checked with
``--as-of 2026-11-28`` (``docgen check examples/bundle --as-of 2026-11-28``):

=================  =========================================================================
missing            no 项目总平图 (site-plan); no 承诺函 (commitment-letter, 附件四: it can be drafted
                   with ``docgen render commitment-letter``, so the report lists it as draftable)
unreadable         环境评估报告.pdf is truncated
encrypted          验资报告.pdf needs a user password
empty-file         预评估报告.pdf has 0 bytes
wrong-type         开户许可证.pdf is a JPEG photo
expired            开发资质证书 expired on 2026-06-30 (documents.developer-qualification.expires)
stale              企业征信报告 issued 2026-09-15, more than 30 days before the as-of date
insufficient       invested 140,000,000 of 300,000,000 (46.7 % < 50 %)
incomplete-set     audit reports for 2023 and 2025 only (2024 missing)
unattested         抵押合同 and 提款申请书 have no attestation
unmatched          会议纪要.pdf serves no item
=================  =========================================================================

Everything is deterministic (fixed dates, texts and timestamps; no randomness), so re-running
it reproduces the committed files byte for byte. Needs reportlab, Pillow, python-docx, pypdf and
python-stdnum (the project's test extras).
"""
from __future__ import annotations

import argparse
import io
import shutil
import sys
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE / "bundle"
AS_OF = date(2026, 11, 28)
#: Timestamp stamped into every zip member and document property, so output is reproducible.
FIXED_TIME = (2026, 11, 20, 9, 30, 0)

BORROWER = "华安置业发展有限公司"
PROJECT = "云栖花园一期"
CONTRACTOR = "浙江宏建建设集团有限公司"
HOLDING = "杭州华安投资集团有限公司"
LEGAL_REP = "张建华"
SHAREHOLDER_PERSON = "李文涛"
STAGE_FOLDERS = ("01-申请前期", "02-签约前汇签", "03-放款前")


# --------------------------------------------------------------------------------------------
# Identifiers that pass the checksums (python-stdnum computes the check digits)


_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def org_code(base8: str) -> str:
    """Return the 9-character organization code (GB 11714) for 8 base digits, check digit included."""
    total = sum(int(c) * w for c, w in zip(base8, _ORG_WEIGHTS))
    check = 11 - total % 11
    return base8 + {10: "X", 11: "0"}.get(check, str(check))


def make_uscc(division: str, base8: str) -> str:
    """Return a checksum-valid USCC: 9 (market regulator) 1 (enterprise), division, org code, check."""
    from stdnum.cn import uscc

    body = "91" + division + org_code(base8)
    full = body + uscc.calc_check_digit(body)
    return uscc.validate(full)


def make_resident_id(division: str, birth: str, sequence: str) -> str:
    """Return a checksum-valid 18-digit resident ID number for a birth date ``YYYYMMDD``."""
    from stdnum.cn import ric

    body = division + birth + sequence
    # calc_check_digit expects a full-length number and ignores its last character.
    return ric.validate(body + ric.calc_check_digit(body + "0"))


BORROWER_USCC = make_uscc("330106", "57831204")
HOLDING_USCC = make_uscc("330106", "14702396")
CONTRACTOR_USCC = make_uscc("330102", "25509817")
LEGAL_REP_ID = make_resident_id("330106", "19840315", "213")
PERSON_ID = make_resident_id("330102", "19880921", "042")
FINANCE_ID = make_resident_id("330106", "19860712", "262")      # 王丽, 财务负责人 and the meeting's agent
CONTRACTOR_REP_ID = make_resident_id("330106", "19840305", "411")
PROPERTY_USCC = make_uscc("330106", "32145678")                  # a related company of the holding

BANK = "浙江钱塘农村商业银行股份有限公司"
BANK_BRANCH = "西湖支行"
FINANCE = "王丽"
CONTRACTOR_REP = "赵永强"
PROPERTY_COMPANY = "杭州华安物业服务有限公司"
SUPPLIER = "杭州奥达电梯工程有限公司"
CONTRACT_NO = "钱农商固借字2026第0045号"


# --------------------------------------------------------------------------------------------
# File makers


def _pdf(title: str, lines: list[str], pages: int = 1) -> bytes:
    """Return a small Chinese PDF: a title and body lines per page, in the built-in STSong-Light CID font.

    ``invariant`` makes reportlab leave out timestamps and random ids, so the bytes are reproducible.
    """
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    if "STSong-Light" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=1)
    pdf.setTitle(title)
    pdf.setAuthor(BORROWER)
    width, height = A4
    for page in range(1, pages + 1):
        pdf.setFont("STSong-Light", 18)
        pdf.drawCentredString(width / 2, height - 90, title)
        pdf.setFont("STSong-Light", 11)
        y = height - 140
        for line in lines:
            pdf.drawString(72, y, line)
            y -= 20
        pdf.setFont("STSong-Light", 9)
        pdf.drawCentredString(width / 2, 40, f"第 {page} 页 共 {pages} 页")
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _encrypted_pdf(title: str, lines: list[str]) -> bytes:
    """Return a PDF that needs a user password to open (the checker must report ``encrypted``).

    RC4-128 derives its key from the passwords and the first document id, which is pinned, so the
    bytes are stable.
    """
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import ArrayObject, ByteStringObject

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(_pdf(title, lines))))
    file_id = ByteStringObject(b"docgen-example-1")
    writer._ID = ArrayObject((file_id, file_id))  # noqa: SLF001
    writer.encrypt(user_password="huaan2026", owner_password="huaan-owner", algorithm="RC4-128")
    # encrypt() draws a random second id; the key derives from the first only, so pin both.
    writer._ID = ArrayObject((file_id, file_id))  # noqa: SLF001
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _jpeg(caption: str, size: tuple[int, int] = (480, 300)) -> bytes:
    """Return a small JPEG 'photo of a document': a pale card with ruled lines (deterministic)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", size, (244, 241, 232))
    draw = ImageDraw.Draw(image)
    draw.rectangle((12, 12, size[0] - 12, size[1] - 12), outline=(150, 40, 40), width=3)
    for y in range(60, size[1] - 30, 28):
        draw.line((40, y, size[0] - 40, y), fill=(120, 120, 120), width=2)
    # A red circle where a seal would be; the caption is ASCII because Pillow's default font has no CJK.
    draw.ellipse((size[0] - 140, size[1] - 130, size[0] - 40, size[1] - 30), outline=(200, 20, 20), width=4)
    draw.text((40, 25), caption, fill=(30, 30, 30))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=70)
    return buffer.getvalue()


def _fix_zip_times(data: bytes) -> bytes:
    """Return the zip ``data`` rewritten with every member stamped ``FIXED_TIME`` (reproducible)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            target.writestr(fixed, source.read(info))
    return out.getvalue()


def _docx(title: str, paragraphs: list[str]) -> bytes:
    """Return an editable Word document (python-docx) with Chinese fonts set, reproducibly stamped."""
    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Pt

    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.size = Pt(11)
    fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), "宋体")
    doc.add_heading(title, level=1)
    for text in paragraphs:
        doc.add_paragraph(text)
    stamp = datetime(*FIXED_TIME)
    props = doc.core_properties
    props.author = props.last_modified_by = BORROWER
    props.title = title
    props.created = props.modified = stamp
    props.revision = 1
    buffer = io.BytesIO()
    doc.save(buffer)
    return _fix_zip_times(buffer.getvalue())


# --------------------------------------------------------------------------------------------
# The bundle


def _company_lines(extra: list[str]) -> list[str]:
    return [
        f"申请人:{BORROWER}",
        f"统一社会信用代码:{BORROWER_USCC}",
        f"法定代表人:{LEGAL_REP}",
        f"项目名称:{PROJECT}(杭州市西湖区)",
        *extra,
    ]


@dataclass(frozen=True)
class Spec:
    """One file of the bundle: where, what, and the defect it carries in the demo (None: sound)."""

    path: str
    title: str
    lines: tuple[str, ...] = ()
    pages: int = 1
    kind: str = "pdf"            # pdf, docx, jpg
    defect: str | None = None    # truncated, encrypted, empty, jpg-as-pdf, stray
    demo_only: bool = False      # only in the demo (a stray file)
    complete_only: bool = False  # left out of the demo on purpose (its absence is a finding)


def _specs() -> list[Spec]:
    a, b, c = STAGE_FOLDERS
    return [
        # ---- 01 申请前期 ---------------------------------------------------------------------------
        Spec(f"{a}/营业执照.pdf", "营业执照(副本)",
             ("名称:" + BORROWER, "类型:有限责任公司", "注册资本:伍仟万元整", "成立日期:2021年04月08日",
              "营业期限:2021年04月08日至2041年04月07日", "经营范围:房地产开发经营;物业管理")),
        Spec(f"{a}/开户许可证.pdf", "基本存款账户信息", ("开户银行:某商业银行杭州西湖支行", "账户性质:基本存款账户"),
             defect="jpg-as-pdf"),
        Spec(f"{a}/法定代表人身份证.jpg", "legal representative ID card (front and back)", kind="jpg"),
        Spec(f"{a}/法定代表人签字样本及个人简历.pdf", "法定代表人签字样本及个人简历",
             (f"姓名:{LEGAL_REP}", "2006年毕业于浙江大学土木工程专业", "2010年起从事房地产开发管理", "签字样本:"), pages=2),
        Spec(f"{a}/机构信用代码证.pdf", "机构信用代码证", ("机构信用代码:G1033010600451234X",)),
        Spec(f"{a}/审计报告2023年度.pdf", "2023年度审计报告", ("会计师事务所:浙江诚信会计师事务所", "审计意见:标准无保留意见"),
             pages=3),
        Spec(f"{a}/审计报告2025年度.pdf", "2025年度审计报告", ("会计师事务所:浙江诚信会计师事务所", "审计意见:标准无保留意见"),
             pages=3),
        Spec(f"{a}/审计报告2024年度.pdf", "2024年度审计报告", ("会计师事务所:浙江诚信会计师事务所", "审计意见:标准无保留意见"),
             pages=3, complete_only=True),
        Spec(f"{a}/近期财务报表2026年9月.pdf", "财务报表(2026年9月30日)", ("资产负债表、利润表、现金流量表",), pages=2),
        Spec(f"{a}/验资报告.pdf", "验资报告", ("注册资本伍仟万元已全部缴足",), defect="encrypted"),
        Spec(f"{a}/公司章程.pdf", "公司章程", ("第一章 总则", "第二章 经营范围", "第三章 注册资本与股东"), pages=4),
        Spec(f"{a}/开发资质证书.pdf", "房地产开发企业资质证书", ("资质等级:二级", "有效期至:2026年06月30日")),
        Spec(f"{a}/公司简历.pdf", "公司简历", ("公司成立以来开发项目:云栖花园一期",)),
        Spec(f"{a}/公司简历.docx", "公司简历",
             (f"{BORROWER}成立于2021年4月8日,注册资本5000万元,主营房地产开发经营。",
              f"控股股东为{HOLDING},持股60%;自然人股东{SHAREHOLDER_PERSON}持股40%。",
              f"公司目前开发{PROJECT}项目,总建筑面积约12万平方米。"), kind="docx"),
        Spec(f"{a}/12-授信业务申请书.pdf", "授信业务申请书(借款申请报告)",
             ("申请金额:人民币壹亿元整", "申请期限:36个月", "用途:云栖花园一期项目建设")),
        Spec(f"{a}/项目总平图.pdf", "云栖花园一期总平面图", ("比例 1:1000",), complete_only=True),
        Spec(f"{a}/可行性研究报告.pdf", "云栖花园一期项目可行性研究报告",
             ("总投资:30000万元", "建设内容:住宅及配套商业", "结论:项目可行"), pages=5),
        Spec(f"{a}/立项批复.pdf", "关于云栖花园一期项目备案的通知", ("杭州市西湖区发展和改革局",)),
        Spec(f"{a}/建设用地规划许可证.pdf", "建设用地规划许可证", ("地字第330106202200123号",)),
        Spec(f"{a}/国有土地使用证.pdf", "不动产权证书", ("浙(2022)杭州市不动产权第0123456号",)),
        Spec(f"{a}/建设工程规划许可证.pdf", "建设工程规划许可证", ("建字第330106202300456号",)),
        Spec(f"{a}/施工许可证.pdf", "建筑工程施工许可证", ("编号:330106202305120101",)),
        Spec(f"{a}/自筹资金到位证明.pdf", "项目自筹资金到位证明", ("截至2026年10月31日已投入14000万元", "附:付款凭证及发票清单"),
             pages=2),
        Spec(f"{a}/土地出让合同、出让款发票及契税完税证.pdf", "国有建设用地使用权出让合同、出让款发票及契税完税证明",
             ("出让宗地编号:杭西政储出[2022]12号", "出让价款:9800万元(附出让款发票)", "契税已完税"), pages=3),
        Spec(f"{a}/资本公积专项审计报告.pdf", "资本公积专项审计报告", ("审计期间:2021年4月至2026年9月",)),
        Spec(f"{a}/环境评估报告.pdf", "建设项目环境影响报告表", ("评价结论:项目建设环境可行",), pages=3,
             defect="truncated"),
        Spec(f"{a}/预评估报告.pdf", "土地及在建工程预评估报告", ("评估机构:浙江中衡资产评估有限公司",), defect="empty"),
        Spec(f"{a}/银行上报/房地产开发贷款调查报告.pdf", "房地产开发贷款调查报告", ("调查人:王晓明、陈静",), pages=4),
        Spec(f"{a}/银行上报/信用业务送审表.pdf", "银行信用业务送审表", ("送审金额:10000万元",)),
        Spec(f"{a}/银行上报/企业征信报告.pdf", "企业基本信息信用报告", ("报告日期:2026年09月15日", "未发现不良信贷记录")),
        Spec(f"{a}/银行上报/项目操作管理方案.pdf", "房地产开发贷款项目操作管理方案", ("资金封闭运作、按进度放款",), pages=2),
        Spec(f"{a}/银行上报/信用评级工作表.pdf", "公司客户信用评级工作表", ("评级结果:A",)),
        Spec(f"{a}/银行上报/内部评级认定表.pdf", "非零售客户内部评级认定表", ("认定等级:BBB+",)),
        # ---- 02 签约前汇签 ---------------------------------------------------------------------------
        Spec(f"{b}/股东会决议及授权书.pdf", "股东会决议及授权书", (f"同意向银行申请开发贷款人民币壹亿元,以{PROJECT}土地及在建工程抵押",)),
        Spec(f"{b}/不可撤销承诺函.pdf", "不可撤销承诺函", (f"承诺人:{CONTRACTOR}", "承诺工程款优先受偿权放弃")),
        Spec(f"{b}/股东承诺函.pdf", "承诺函", (f"承诺人:{HOLDING}、{SHAREHOLDER_PERSON}",), complete_only=True),
        Spec(f"{b}/个人保证声明书.pdf", "房地产项目资金封闭运作个人保证声明书", (f"声明人:{LEGAL_REP}",)),
        Spec(f"{b}/资金封闭运作管理协议书.pdf", "房地产项目资金封闭运作管理协议书", ("甲方:某商业银行杭州西湖支行", f"乙方:{BORROWER}"),
             pages=3),
        Spec(f"{b}/有权人签字样本.pdf", "有权人签字样本", (f"{LEGAL_REP}", "王丽(财务负责人)")),
        Spec(f"{b}/固定资产借款合同.pdf", "固定资产借款合同", ("借款金额:人民币壹亿元整", "借款期限:36个月"), pages=6),
        Spec(f"{b}/抵押合同.pdf", "抵押合同", (f"抵押物:{PROJECT}国有建设用地使用权及在建工程",), pages=4),
        # ---- 03 放款前 -----------------------------------------------------------------------------
        Spec(f"{c}/业务申请书.pdf", "业务申请书", ("申请放款金额:3000万元",)),
        Spec(f"{c}/法定代表人身份证明书.pdf", "法定代表人身份证明书", (f"{LEGAL_REP}同志在我公司任执行董事兼总经理职务",)),
        Spec(f"{c}/董事会成员签字样本.pdf", "董事会成员签字样本", (LEGAL_REP, SHAREHOLDER_PERSON, "王丽")),
        Spec(f"{c}/环保批复.pdf", "关于云栖花园一期项目环境影响报告表的批复", ("杭州市生态环境局西湖分局",)),
        Spec(f"{c}/土地规划及设计方案批复.pdf", "关于云栖花园一期用地、规划及建筑设计方案的批复", ("杭州市规划和自然资源局",)),
        Spec(f"{c}/工程监理报告2026年10月.pdf", "工程监理月报(2026年10月)", ("形象进度:主体结构施工至第12层",), pages=2),
        Spec(f"{c}/关联方关系声明函.pdf", "股东或关联方关系声明函", (f"股东:{HOLDING}、{SHAREHOLDER_PERSON}",)),
        Spec(f"{c}/印章签字见证确认书.pdf", "印章签字见证确认书", ("见证人:王晓明、陈静",)),
        Spec(f"{c}/提款申请书.pdf", "提款申请书", ("提款金额:3000万元", "用途:支付工程款")),
        # ---- a stray file nobody filed ---------------------------------------------------------------
        Spec("会议纪要.pdf", "项目推进会会议纪要", ("2026年11月18日 项目现场",), defect="stray", demo_only=True),
    ]


def _file_bytes(spec: Spec, *, demo: bool) -> bytes:
    lines = _company_lines(list(spec.lines)) if spec.kind == "pdf" else list(spec.lines)
    defect = spec.defect if demo else None
    if defect == "empty":
        return b""
    if defect == "jpg-as-pdf":
        return _jpeg("account permit (photo)")
    if defect == "encrypted":
        return _encrypted_pdf(spec.title, lines)
    if spec.kind == "jpg":
        return _jpeg(spec.title)
    if spec.kind == "docx":
        return _docx(spec.title, lines)
    data = _pdf(spec.title, lines, spec.pages)
    if defect == "truncated":
        # Cut mid-file: the cross-reference table and trailer are gone, as after a broken download.
        return data[: len(data) // 2]
    return data


def bundle_data(*, demo: bool = True) -> dict:
    """Return the bundle.yaml data: valid in both variants; the demo's facts trigger findings."""
    attest = {"signed": True, "sealed": True, "by": "王晓明", "date": date(2026, 11, 20)}
    # The seals the seed names apart, where it names them (篇十三 二、1-3).
    seals = {"shareholder-resolution": {"shareholders_signed": True, "company_seal": True},
             "irrevocable-commitment": {"company_seal": True, "legal_rep_seal": True},
             "commitment-letter": {"shareholders_signed": True, "company_seal": True}}
    branch_bank = BANK + BANK_BRANCH
    attested = ["shareholder-resolution", "irrevocable-commitment", "commitment-letter",
                "personal-guarantee-statement", "closed-fund-agreement", "signature-specimen", "loan-contract",
                "business-application", "related-party-declaration", "seal-witness-confirmation"]
    if not demo:
        attested += ["mortgage-contract", "drawdown-application"]
    return {
        "checklist": "dev-loan",
        "bank": {"name": BANK, "branch": BANK_BRANCH, "address": "杭州市西湖区文三路200号",
                 "witnesses": ["王晓明", "陈静"]},
        "borrower": {
            "name": BORROWER,
            "uscc": BORROWER_USCC,
            "established": date(2021, 4, 8),
            "legal_rep": {"name": LEGAL_REP, "id_number": LEGAL_REP_ID},
            "registered_capital": 50_000_000,
            "address": "杭州市西湖区转塘街道云栖路88号",
            "phone": "0571-87651234",
        },
        "shareholders": [
            {"name": HOLDING, "uscc": HOLDING_USCC, "share": 60},
            {"name": SHAREHOLDER_PERSON, "id_number": PERSON_ID, "share": 40},
        ],
        "project": {"name": PROJECT, "location": "杭州市西湖区转塘街道云栖路以南地块",
                    "total_investment": 300_000_000, "invested": 140_000_000 if demo else 160_000_000},
        "loan": {
            "amount": 100_000_000,
            "term_months": 36,
            "contract_no": CONTRACT_NO,
            "purpose": f"{PROJECT}项目开发建设",
            "rate": 4.35,
            "repayment_source": f"{PROJECT}项目销售回笼款",
            "collateral": [f"{PROJECT}项目国有建设用地使用权（浙（2022）杭州市不动产权第0123456号）",
                           f"{PROJECT}项目在建工程"],
            "supervised_account": {"name": BORROWER, "number": "201000345678901", "bank": branch_bank},
            "application_date": date(2026, 9, 20),
            "contract_date": date(2026, 11, 20),
        },
        "contractor": {
            "name": CONTRACTOR,
            "uscc": CONTRACTOR_USCC,
            "legal_rep": {"name": CONTRACTOR_REP, "id_number": CONTRACTOR_REP_ID},
            "qualification": "建筑工程施工总承包壹级（证书编号D233012345）",
            "contract_no": "云栖施字2026-001",
            "contract_amount": 186_500_000,
            "account": {"name": CONTRACTOR, "number": "201000456789012", "bank": branch_bank},
        },
        "meeting": {
            "date": date(2026, 11, 18),
            "place": "杭州市西湖区转塘街道云栖路88号公司会议室",
            "chair": LEGAL_REP,
            "recorder": FINANCE,
            "votes": {HOLDING: "同意", SHAREHOLDER_PERSON: "同意"},
            "agent": {"name": FINANCE, "id_number": FINANCE_ID, "position": "财务负责人"},
        },
        "authorised_signatories": [
            {"name": LEGAL_REP, "id_number": LEGAL_REP_ID, "role": "法定代表人"},
            {"name": FINANCE, "id_number": FINANCE_ID, "role": "财务负责人、授权经办人"},
        ],
        "actual_controller": {"name": LEGAL_REP, "id_number": LEGAL_REP_ID},
        "related_parties": [
            {"name": HOLDING, "uscc": HOLDING_USCC, "relation": "控股股东"},
            {"name": PROPERTY_COMPANY, "uscc": PROPERTY_USCC, "relation": "控股股东控制的其他企业"},
        ],
        "drawdowns": [
            {"amount": 26_000_000, "date": date(2026, 12, 1), "purpose": f"支付{PROJECT}主体结构工程款",
             "payee": {"name": CONTRACTOR, "account": "201000456789012", "bank": branch_bank}},
            {"amount": 4_000_000, "date": date(2026, 12, 1), "purpose": f"支付{PROJECT}电梯设备采购款",
             "payee": {"name": SUPPLIER, "account": "3301040160008123456", "bank": "中国建设银行股份有限公司杭州西湖支行"}},
        ],
        "documents": {
            "business-license": {"files": [f"{STAGE_FOLDERS[0]}/营业执照.pdf"], "expires": date(2041, 4, 7)},
            "developer-qualification": {"expires": date(2026, 6, 30) if demo else date(2028, 6, 30)},
            "audit-reports": {"years": [2023, 2025] if demo else [2023, 2024, 2025], "issued": date(2026, 9, 30)},
            "credit-report": {"issued": date(2026, 9, 15) if demo else date(2026, 11, 16)},
            "capital-reserve-audit": {"original": True, "copy": True},
            "environmental-assessment": {"original": True, "copy": True},
        },
        "attestations": {item: {**attest, **seals.get(item, {})} for item in attested},
    }


_YAML_HEADER = """\
# 示例客户资料包:{borrower} {project}(由 examples/make_bundle.py 生成,请勿手改)
# 检查:docgen check examples/bundle --as-of 2026-11-28
"""


def bundle_yaml(*, demo: bool = True) -> str:
    """Return bundle.yaml text (block style, Chinese kept readable, keys in DESIGN §3 order)."""
    import yaml

    body = yaml.safe_dump(bundle_data(demo=demo), allow_unicode=True, sort_keys=False, width=100)
    return _YAML_HEADER.format(borrower=BORROWER, project=PROJECT) + body


def build(dest: str | Path = DEFAULT_OUT, *, demo: bool = True) -> Path:
    """Write the bundle into ``dest`` (emptied first) and return it.

    ``demo=True`` makes the example with its deliberate defects; ``demo=False`` a bundle that
    checks complete (every item present, sound and attested; the site plan included).
    """
    dest = Path(dest)
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    # The demo leaves out the 2024 audit report (incomplete-set), the site plan and the
    # commitment letter (missing; the letter has a template, so it shows as draftable).
    specs = [s for s in _specs() if not (s.complete_only if demo else s.demo_only)]
    for spec in specs:
        target = dest / spec.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(_file_bytes(spec, demo=demo))
    (dest / "bundle.yaml").write_text(bundle_yaml(demo=demo), encoding="utf-8")
    return dest


class _LegacyNameInfo(zipfile.ZipInfo):
    """A zip member whose name is stored in a legacy code page without the UTF-8 flag (bit 11).

    That is what the Windows shell's "send to compressed folder" does on a Chinese system.
    """

    encoding = "gbk"

    def _encodeFilenameFlags(self):  # noqa: N802 - overrides zipfile's private hook
        return self.filename.encode(self.encoding), self.flag_bits & ~0x800


def make_zip(folder: str | Path, dest: str | Path, *, encoding: str = "gbk", top: str | None = None) -> Path:
    """Zip ``folder`` into ``dest`` with member names in ``encoding`` (``gbk``: no UTF-8 flag; ``utf-8``: flagged).

    ``top`` puts everything under one top-level folder, as zipping a folder from Explorer does.
    Members are sorted and stamped ``FIXED_TIME``. Returns ``dest``.
    """
    folder, dest = Path(folder), Path(dest)
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            name = path.relative_to(folder).as_posix()
            if top:
                name = f"{top}/{name}"
            info = _LegacyNameInfo(name, FIXED_TIME) if encoding.lower() != "utf-8" else \
                zipfile.ZipInfo(name, FIXED_TIME)
            if isinstance(info, _LegacyNameInfo):
                info.encoding = encoding
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, path.read_bytes())
    return dest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Make the example development-loan client bundle.")
    parser.add_argument("--out", default=str(DEFAULT_OUT), help="folder to write (emptied first)")
    parser.add_argument("--complete", action="store_true", help="make a bundle with nothing to report")
    parser.add_argument("--zip", metavar="FILE", help="also write a zip of the bundle")
    parser.add_argument("--zip-encoding", default="gbk", help="member-name encoding of the zip (default gbk)")
    args = parser.parse_args(argv)
    out = build(args.out, demo=not args.complete)
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    print(f"wrote {out} ({sum(1 for p in out.rglob('*') if p.is_file())} files, {size:,} bytes)")
    if args.zip:
        make_zip(out, args.zip, encoding=args.zip_encoding)
        print(f"wrote {args.zip} (names in {args.zip_encoding})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
