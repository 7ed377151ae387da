#!/usr/bin/env python3
"""Generate the example loan ledgers (deterministic: same seed, same files).

Two snapshots of one county branch's loan book, an opening one (2026-03-31) and a closing one
(2026-06-30), whose headline figures are fixed in advance and equal those of the seed's report
(篇十二): on-balance NPL 102.01万 (104.01万 at the quarter start, so down 2万 = 20 % of the 10万
target), NPL ratio 1.21 % of 8430.60万, off-balance NPL 1727.25万 of which 12.70万 was recovered
this quarter (36.29 % of the 35万 target). Around those fixed loans sit a few hundred random
performing loans (Chinese names, valid ID-card and USCC checksums, several branches and
officers), written-off loans, litigation cases, overdue loans at every collection stage, and
three loans whose class contradicts their days past due (the consistency flags).

    python examples/make_ledger.py                    # writes examples/ledger/
    python examples/make_ledger.py --size small --out DIR   # only the fixed loans + one filler
    python examples/make_ledger.py --rows 100000 --out DIR  # bulk ledger for the benchmark

``EXPECTED`` holds the figures the generated pair must give; the tests check it.
"""
from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import yaml  # noqa: E402
from stdnum.cn import ric, uscc  # noqa: E402

from docgen.loans.ledger import write_ledger  # noqa: E402

OPENING_DATE = dt.date(2026, 3, 31)
CLOSING_DATE = dt.date(2026, 6, 30)
QUARTER_START = dt.date(2026, 4, 1)

EXPECTED: dict[str, Any] = {
    "npl_balance": Decimal("1020100"),
    "npl_balance_opening": Decimal("1040100"),
    "change": Decimal("-20000"),
    "loan_balance": Decimal("84306000"),
    "npl_ratio": Decimal("0.0121"),
    "reduction_completion": Decimal("0.2"),
    "off_balance": Decimal("17272500"),
    "recovered": Decimal("127000"),
    "recovery_completion": Decimal("0.3629"),
    "flags": {"misclassified": 3, "overdue-normal": 2, "debtor-inconsistent": 1},
    # Corrected by the flags: 韩立新 50,000 关注 -> 次级 and the company's 40,000 关注 -> 可疑.
    "npl_balance_corrected": Decimal("1110100"),
    "npl_ratio_corrected": Decimal("0.0132"),
    "litigation_cases": 13,
    "litigation_recovered": Decimal("28000"),
}
"""Figures of the generated 2026Q2 pair (as of 2026-06-30, with ``targets.yaml``)."""

TARGETS = {"reduction_target": 100000, "recovery_target": 350000, "large_npl_threshold": 100000}

NOTES = {
    "branch": "眉县支行",
    "recipient": "总行",
    "collection": [
        "年初,统一制定不良清收计划,并落实到每一位客户经理;对10万元以上大额不良贷款,由行长负责、"
        "全行客户经理共同攻坚清收。各客户经理按照全行清收计划确定自己的清收目标,逐户跟进。",
        "一是行长带头,全员参与,与客户经理逐笔分析不良贷款,制定一户一策的清收方案。"
        "二是转变清收思路,边清收边总结,把有效的做法及时用于下一步清收。"
        "三是依靠村干部人熟、情况熟的优势,以点带面清收。"
        "四是任务到人,每周例会汇报上周清收实绩和问题,确定本周重点工作和目标。"
        "五是与清收公司密切配合,提供不良贷款户信息,协作清收。",
    ],
    "litigation": [
        "我行自接到判决书后对上述已判决案件的借款人逐户实地走访或电话通知,告知判决结果及不还款的后果。",
    ],
    "plan": [
        "一是通过全员清收、依法清收、清收小组清收等手段,全力清降存量不良贷款;及时上报总行起诉贷款名单及资料,"
        "加强与法院的协调与对接,加大已诉案件的执行力度,对拒不还款的借款人或担保人申请纳入失信被执行人名单;"
        "加大与清收公司的配合力度,利用猕猴桃销售旺季增派人员、错时上门清收。",
        "二是前移风险关口。严格执行贷款“三查”制度,对保证担保贷款严加审核,对出现风险信号的贷款加大贷后检查"
        "及催收频次,及时制定化解措施,防止风险扩大;加大对到期、逾期及可能反弹贷款的风险监测力度。",
    ],
}

BRANCHES = ("眉县支行营业部", "金渠分理处", "首善分理处", "横渠分理处", "常兴分理处")
OFFICERS = {
    "眉县支行营业部": ("王立新", "赵晓燕"),
    "金渠分理处": ("李志强", "杨小军"),
    "首善分理处": ("张红梅", "刘建平"),
    "横渠分理处": ("陈海涛",),
    "常兴分理处": ("周文斌", "孙丽娟"),
}
PRODUCTS = ("农户小额信用贷款", "农户联保贷款", "个人经营性贷款", "个人消费贷款", "小微企业流动资金贷款")
AREAS = ("610326", "610323", "610324", "610322", "610327")
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
GIVEN = "建国军平明华强伟芳丽敏静秀英海涛鹏飞霞红玲娟兵林峰刚勇辉杰成文斌生荣宝春梅银哲安民志新庆云亮宏军利学"
TOWNS = ("首善街道", "横渠镇", "金渠镇", "常兴镇", "汤峪镇", "齐镇", "槐芽镇", "营头镇")
COLLATERAL = ("房产(眉房权证字第{n:05d}号)", "土地使用权(眉国用第{n:05d}号)", "存单质押(账号尾号{n:04d})",
              "农村承包土地经营权(眉农经权字第{n:05d}号)")
COMPANY_WORDS = ("秦川", "太白", "渭河", "金渠", "汤峪", "终南", "红河谷", "齐峰", "横渠")
COMPANY_TRADES = ("果业", "农产品贸易", "冷链物流", "建材", "农业科技", "食品")


class Maker:
    """Deterministic source of names, ID numbers and loan rows."""

    def __init__(self, seed: int = 20260630) -> None:
        self.rng = random.Random(seed)
        # Guarantors' addresses and ID numbers come from their own stream, so adding them left
        # every other drawn value (and so every figure of the examples) as it was.
        self.party_rng = random.Random(f"{seed}-guarantors")
        self.serial = 0
        self.used_names: set[str] = set()

    # ----------------------------------------------------------- identities
    def person_name(self) -> str:
        for _ in range(1000):
            name = self.rng.choice(SURNAMES) + "".join(self.rng.choice(GIVEN) for _ in range(self.rng.choice((1, 2))))
            if name not in self.used_names:
                self.used_names.add(name)
                return name
        return name

    def resident_id(self, rng: random.Random | None = None) -> str:
        rng = rng or self.rng
        birth = dt.date(1962, 1, 1) + dt.timedelta(days=rng.randrange(0, 33 * 365))
        body = f"{rng.choice(AREAS)}{birth:%Y%m%d}{rng.randrange(0, 1000):03d}"
        return body + ric.calc_check_digit(body + "0")

    def company(self) -> tuple[str, str]:
        name = f"眉县{self.rng.choice(COMPANY_WORDS)}{self.rng.choice(COMPANY_TRADES)}有限公司"
        while name in self.used_names:
            name = name.replace("有限公司", f"{self.rng.randrange(2, 9)}有限公司")
        self.used_names.add(name)
        alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
        body = "91610326" + "".join(self.rng.choice(alphabet) for _ in range(9))
        return name, body + uscc.calc_check_digit(body)

    # ----------------------------------------------------------- loans
    def address(self, company: bool, rng: random.Random | None = None) -> str:
        rng = rng or self.rng
        town = rng.choice(TOWNS)
        if company:
            return f"陕西省宝鸡市眉县{town}{rng.choice(COMPANY_WORDS)}路{rng.randrange(1, 300)}号"
        return f"陕西省宝鸡市眉县{town}{rng.choice(COMPANY_WORDS)}村{rng.randrange(1, 12)}组"

    def guarantor_parties(self, guarantors: str) -> tuple[str | None, str | None]:
        """Return the 保证人地址 and 保证人证件号码 cells of ``guarantors`` (one value each, ; between)."""
        names = [name for name in guarantors.split("、") if name]
        if not names:
            return None, None
        addresses = [self.address(False, self.party_rng) for _ in names]
        ids = [self.resident_id(self.party_rng) for _ in names]
        return ";".join(addresses), ";".join(ids)

    def loan(self, balance: Decimal | int, classification: str = "正常", *, on_balance: bool = True,
             borrower: str | None = None, dpd: int = 0, disbursed: dt.date | None = None,
             company: bool = False, id_number: str | None = None, **extra: Any) -> dict[str, Any]:
        """Return one closing-snapshot row; ``dpd`` days past due on 2026-06-30 (0: current).

        A current loan whose term has run out by the closing date was extended (展期): its maturity
        moves on by whole years, so no loan sits past maturity with a balance and no arrears.
        Guaranteed loans get a 保证方式 (mostly 连带责任保证); overdue ones of those were mostly
        called on inside the guarantee period (向保证人主张日). Every borrower and guarantor has an
        address, and every guarantor an ID number (保证人地址, 保证人证件号码).
        """
        self.serial += 1
        branch = self.rng.choice(BRANCHES)
        if company:
            name, company_id = self.company()
            name = borrower or name
            id_number = id_number or company_id
        else:
            name, id_number = borrower or self.person_name(), id_number or self.resident_id()
            self.used_names.add(name)
        balance = Decimal(balance)
        if disbursed is None:
            disbursed = dt.date(2023, 1, 1) + dt.timedelta(days=self.rng.randrange(0, 3 * 365 - 100))
        term = self.rng.choice((12, 24, 36))
        maturity = _add_months(disbursed, term)
        overdue_since = CLOSING_DATE - dt.timedelta(days=dpd - 1) if dpd > 0 else None
        if overdue_since and (maturity >= overdue_since and not on_balance
                              or maturity < overdue_since - dt.timedelta(days=1)):
            # Written off after maturity; or matured unpaid, which makes it overdue from the next
            # day: a ledger dating 逾期起始日 later contradicts itself (``matured-unpaid``).
            maturity = overdue_since - dt.timedelta(days=1)
        if overdue_since is not None and overdue_since <= disbursed:
            disbursed = overdue_since - dt.timedelta(days=400)
            maturity = overdue_since - dt.timedelta(days=1)
        principal = max(balance, _round_to(balance * Decimal(self.rng.choice(("1", "1.2", "1.5", "2"))), 1000))
        while dpd == 0 and maturity <= CLOSING_DATE:
            maturity = _add_months(maturity, 12)  # extended (展期)
        guarantor = "、".join(self.person_name() for _ in range(self.rng.choice((0, 1, 1, 2))))
        guarantee_type = demanded = None
        if guarantor:
            guarantee_type = "连带责任保证" if self.rng.random() < 0.8 else "一般保证"
            period_end = _add_months(maturity, 6)
            if (guarantee_type == "连带责任保证" and overdue_since is not None and dpd > 30
                    and self.rng.random() < 0.75):
                # Called on in time: some weeks after the loan fell overdue, inside the period.
                demanded = min(overdue_since + dt.timedelta(days=self.rng.randrange(20, 90)), period_end,
                               CLOSING_DATE)
        guarantor_addresses, guarantor_ids = self.guarantor_parties(guarantor)
        interruption = interruption_type = None
        if overdue_since and dpd > 200:
            interruption = overdue_since + dt.timedelta(days=self.rng.randrange(7, 200))
            interruption_type = self.rng.choice(("催收送达", "催收送达", "债务人确认", "部分还款"))
        row = {
            "loan_no": f"JJ{disbursed:%Y%m}{self.serial:05d}",
            "contract_no": f"眉农信借字{disbursed.year}第{self.serial:05d}号",
            "borrower": name,
            "id_number": id_number,
            "branch": branch,
            "officer": self.rng.choice(OFFICERS[branch]),
            "product": "小微企业流动资金贷款" if company else self.rng.choice(PRODUCTS[:4]),
            "disbursed_on": disbursed,
            "maturity": maturity,
            "principal": principal,
            "balance": balance,
            "overdue_since": overdue_since,
            "overdue_principal": min(balance, _round_to(balance * Decimal("0.3"), 100)) if dpd else None,
            "overdue_interest": Decimal(self.rng.randrange(1, 80) * 100) if dpd else None,
            "classification": classification,
            "on_balance": "表内" if on_balance else "表外",
            "recovered": None,
            "guarantors": guarantor or None,
            "guarantee_period_end": None,
            "litigation": None,
            "last_interruption": interruption,
            "interruption_type": interruption_type,
            "litigation_filed": None,
            "judgment_due": None,
            "guarantee_type": guarantee_type,
            "guarantor_demanded": demanded,
            "collateral": (self.rng.choice(COLLATERAL).format(n=self.serial)
                           if self.rng.random() < 0.3 else None),
            "address": self.address(company),
            "penalty_rate": self.rng.choice((None, None, "0.0675", "0.0783")),
            "accelerated": None,
            "leader": None,
            "guarantor_addresses": guarantor_addresses,
            "guarantor_ids": guarantor_ids,
        }
        row.update(extra)
        return row

    def sued(self, row: dict[str, Any], status: str) -> dict[str, Any]:
        """Mark ``row`` as in court (``status``): a filing date after it fell overdue, and for a
        judged case the last day to perform under the judgment."""
        since = row["overdue_since"]
        filed = since + dt.timedelta(days=self.rng.randrange(120, 200))
        row.update(litigation=status, litigation_filed=filed)
        if status != "已起诉":
            row["judgment_due"] = filed + dt.timedelta(days=self.rng.randrange(90, 200))
        return row


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(day.day, 28))


def _round_to(value: Decimal, step: int) -> Decimal:
    return (value / step).to_integral_value() * step


def _fill(maker: Maker, total: Decimal, count: int, low: int, high: int, step: int = 1000) -> list[Decimal]:
    """Return ``count`` random balances (multiples of ``step``, roughly in [low, high]) summing to ``total``.

    Random draws are scaled to the total; the last balance takes the rounding remainder.
    """
    draws = [Decimal(maker.rng.randrange(low // step, high // step + 1) * step) for _ in range(count)]
    scale = total / sum(draws)
    values = [max(Decimal(step), _round_to(v * scale, step)) for v in draws[:-1]]
    values.append(total - sum(values))
    return values


def build(size: str = "full", seed: int = 20260630) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Return ``(opening_rows, closing_rows)`` with the ``EXPECTED`` figures.

    ``size="small"``: the fixed loans and one performing filler; ``"full"``: a few hundred loans.
    """
    m = Maker(seed)
    closing: list[dict[str, Any]] = []
    opening_changes: dict[str, dict[str, Any]] = {}  # loan_no -> fields that differ at the opening
    opening_only: list[dict[str, Any]] = []

    # On-balance NPLs at the close: 1,020,100 in all.
    npl = [
        m.loan(180000, "次级", dpd=150, borrower="雷建军"),      # repaid 5,000 this quarter
        m.loan(65000, "次级", dpd=100, borrower="马小平"),       # was 关注 at the opening (downgraded)
        m.loan(210000, "可疑", dpd=280, borrower="郭海涛"),      # was 次级 at the opening
        m.loan(136100, "可疑", dpd=400, borrower="邓志刚"),      # flag: > 360 days must be 损失
        m.loan(98000, "损失", dpd=500, borrower="冯银生"),
        m.loan(120000, "次级", dpd=300, borrower="蒋秀英"),      # flag: > 270 days must be 可疑
        m.loan(211000, "可疑", dpd=320, company=True),
    ]
    closing += npl
    opening_changes[npl[0]["loan_no"]] = {"balance": Decimal(185000), "classification": "次级"}
    opening_changes[npl[1]["loan_no"]] = {"classification": "关注"}
    opening_changes[npl[2]["loan_no"]] = {"classification": "次级"}
    # At the opening only: a 次级 loan repaid in full this quarter.
    paid_npl = m.loan(30000, "次级", dpd=100, borrower="尹红霞")
    paid_npl["overdue_since"] = OPENING_DATE - dt.timedelta(days=120)
    opening_only.append(paid_npl)

    # Off-balance (written-off) loans: 1727.25万 at the close, 12.70万 recovered this quarter.
    judged = ["李银哲", "吴小静", "朱军平", "康建成", "钱志新", "汤宏亮", "易春梅", "乔庆云", "贺学民", "赖安民",
              "龚利平", "文建华", "段勇"]
    fixed_off = [
        m.sued(m.loan(958000, "损失", on_balance=False, dpd=1500, borrower="朱军平", leader="何振华"), "执行中"),
        m.sued(m.loan(400000, "损失", on_balance=False, dpd=1300, borrower="康建成", leader="何振华"), "执行中"),
        m.sued(m.loan(198000, "损失", on_balance=False, dpd=1200, borrower="吴小静", recovered=Decimal(8000),
                      leader="黄志明"), "执行中"),
        m.sued(m.loan(62000, "损失", on_balance=False, dpd=1100, borrower="李银哲", recovered=Decimal(20000)),
               "执行中"),
        # Written off this quarter: an on-balance 损失 loan of 50,000 at the opening.
        m.loan(50000, "损失", on_balance=False, dpd=700, borrower="史国强"),
    ]
    opening_changes[fixed_off[4]["loan_no"]] = {"on_balance": "表内"}
    for name in judged[4:]:
        fixed_off.append(m.sued(m.loan(m.rng.randrange(30, 90) * 1000, "损失", on_balance=False,
                                       dpd=m.rng.randrange(900, 2000), borrower=name), "已判决"))
    other_off = 8 if size == "small" else 40
    fixed_total = sum(Decimal(r["balance"]) for r in fixed_off)
    for amount in _fill(m, Decimal(17272500) - fixed_total, other_off, 50000, 600000):
        fixed_off.append(m.loan(amount, "损失", on_balance=False, dpd=m.rng.randrange(800, 2500)))
    # A demand served after the period had run out (interrupts nothing, art. 192/195), and an
    # acknowledgment signed after it (revives the claim).
    for row, kind in zip(fixed_off[len(judged) + 1:len(judged) + 3], ("催收送达", "债务人确认")):
        since = CLOSING_DATE - dt.timedelta(days=1500)
        row.update(overdue_since=since, maturity=since - dt.timedelta(days=1),
                   disbursed_on=since - dt.timedelta(days=730), guarantor_demanded=None,
                   last_interruption=_add_months(since, 12 * 3 + 5), interruption_type=kind)
    recoveries = [Decimal(x) for x in (30000, 22000, 15000, 12000, 9000, 6000, 5000)]  # 99,000
    for row, amount in zip(fixed_off[-len(recoveries):], recoveries):
        row["recovered"] = amount
    for row in fixed_off:
        if row["recovered"]:
            opening_changes.setdefault(row["loan_no"], {})["balance"] = row["balance"] + row["recovered"]
    closing += fixed_off

    # Performing on-balance loans: 84,306,000 − 1,020,100 in all.
    performing_total = Decimal(84306000) - Decimal(1020100)
    special = [
        m.loan(50000, "关注", dpd=120, borrower="韩立新"),        # flag: > 90 days must be 次级
        m.loan(80000, "正常", dpd=2), m.loan(60000, "正常", dpd=3), m.loan(45000, "关注", dpd=5),
        m.loan(70000, "关注", dpd=8), m.loan(90000, "关注", dpd=20), m.loan(120000, "关注", dpd=45),
        m.loan(30000, "关注", dpd=75), m.loan(55000, "关注", dpd=90),  # day 90: still allowed as 关注
        # flag debtor-inconsistent: the same company's other loan is 可疑.
        m.loan(40000, "关注", company=True, borrower=npl[6]["borrower"], id_number=npl[6]["id_number"]),
    ]
    opening_changes[special[0]["loan_no"]] = {"classification": "关注"}
    performing = list(special)
    rest = performing_total - sum(Decimal(r["balance"]) for r in special)
    if size == "small":
        performing.append(m.loan(rest, "正常", company=True))
    else:
        companies = 12
        company_amounts = [Decimal(m.rng.randrange(80, 300) * 10000) for _ in range(companies)]
        for amount in company_amounts:
            performing.append(m.loan(amount, "正常", company=True))
        rest -= sum(company_amounts)
        for amount in _fill(m, rest, 360, 20000, 300000):
            cls = "关注" if m.rng.random() < 0.06 else "正常"
            performing.append(m.loan(amount, cls))
        # New this quarter (absent at the opening).
        for row in performing[-25:]:
            row["disbursed_on"] = QUARTER_START + dt.timedelta(days=m.rng.randrange(0, 80))
            row["maturity"] = _add_months(row["disbursed_on"], 12)
            row["principal"] = row["balance"]
        # A few migrated 正常 -> 关注 during the quarter.
        for row in [r for r in performing[len(special):-25] if r["classification"] == "关注"][:5]:
            opening_changes[row["loan_no"]] = {"classification": "正常"}
        # Performing loans repaid in full this quarter (opening only).
        for _ in range(15):
            opening_only.append(m.loan(m.rng.randrange(20, 200) * 1000, "正常"))
    closing += performing

    opening: list[dict[str, Any]] = []
    new_since = QUARTER_START
    for row in closing:
        if row["disbursed_on"] >= new_since:
            continue
        before = dict(row, recovered=None)
        before.update(opening_changes.get(row["loan_no"], {}))
        if before["classification"] == "正常" and before["on_balance"] == "表内" and row["loan_no"] not in opening_changes:
            before["balance"] = min(Decimal(row["principal"]), Decimal(row["balance"]) + m.rng.randrange(0, 20) * 500)
        if before["overdue_since"] is not None and before["overdue_since"] > OPENING_DATE:
            before["overdue_since"] = before["overdue_principal"] = before["overdue_interest"] = None
        # The opening snapshot cannot know of events after its own date.
        for name, paired in (("last_interruption", "interruption_type"), ("guarantor_demanded", None),
                             ("litigation_filed", None), ("judgment_due", None)):
            if before.get(name) is not None and before[name] > OPENING_DATE:
                before[name] = None
                if paired:
                    before[paired] = None
        if before["litigation_filed"] is None and before["litigation"]:
            before["litigation"] = before["judgment_due"] = None
        opening.append(before)
    opening.extend(opening_only)
    m.rng.shuffle(opening)
    m.rng.shuffle(closing)
    return opening, closing


def bulk(rows: int, seed: int = 7) -> Iterator[dict[str, Any]]:
    """Yield ``rows`` random closing-snapshot rows (about 2 % NPL, 1 % off-balance): bench input."""
    m = Maker(seed)
    for _ in range(rows):
        r = m.rng.random()
        if r < 0.01:
            yield m.loan(m.rng.randrange(10, 500) * 1000, "损失", on_balance=False, dpd=m.rng.randrange(400, 2000),
                         recovered=Decimal(m.rng.randrange(0, 3) * 1000) or None,
                         litigation="已判决" if m.rng.random() < 0.3 else None)
        elif r < 0.03:
            cls = m.rng.choice(("次级", "可疑", "损失"))
            dpd = {"次级": m.rng.randrange(91, 271), "可疑": m.rng.randrange(271, 361),
                   "损失": m.rng.randrange(361, 900)}[cls]
            if m.rng.random() < 0.05:
                dpd += 120  # misclassified: more days than the class allows
            yield m.loan(m.rng.randrange(10, 400) * 1000, cls, dpd=dpd)
        elif r < 0.08:
            yield m.loan(m.rng.randrange(10, 300) * 1000, "关注", dpd=m.rng.randrange(1, 91))
        else:
            yield m.loan(m.rng.randrange(10, 500) * 1000, "正常")


def write_examples(out: Path, size: str = "full", seed: int = 20260630) -> list[Path]:
    """Write both snapshots (xlsx), a GB18030 CSV copy of the closing one, targets.yaml and notes.yaml."""
    out.mkdir(parents=True, exist_ok=True)
    opening, closing = build(size, seed)
    paths = [
        write_ledger(opening, out / "ledger-2026Q1.xlsx"),
        write_ledger(closing, out / "ledger-2026Q2.xlsx"),
        write_ledger(closing, out / "ledger-2026Q2-gb18030.csv", encoding="gb18030"),
    ]
    for name, data in (("targets.yaml", TARGETS), ("notes.yaml", NOTES)):
        path = out / name
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=200), encoding="utf-8")
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "ledger")
    parser.add_argument("--size", choices=("full", "small"), default="full")
    parser.add_argument("--rows", type=int, help="write one bulk ledger of N rows instead (ledger-N.xlsx)")
    parser.add_argument("--format", choices=("xlsx", "csv"), default="xlsx", help="with --rows")
    parser.add_argument("--seed", type=int, default=20260630)
    args = parser.parse_args(argv)
    if args.rows:
        path = write_ledger(bulk(args.rows, args.seed), args.out / f"ledger-{args.rows}.{args.format}")
        print(path)
        return 0
    for path in write_examples(args.out, args.size, args.seed):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
