#!/usr/bin/env python3
"""Generate the example batch of overdue borrowers for ``docgen batch demand-letter``.

One branch's demand letters due on 2026-11-28: each loan fell overdue six days earlier, so
the letter is served on day 7 of arrears (seed: 贷款逾期催收工作), and its 罚息 is computed for
those 7 days (the first overdue day and the letter date both counted: the convention
``docgen.loans.letters.penalty`` states and ``docgen collect letters`` applies). Borrowers are companies
(统一社会信用代码) and individuals (居民身份证号), all with valid checksums, stored as TEXT
cells the way a careful back office keeps them; amounts are numbers, dates are date cells;
headers are the Chinese ones the demand-letter template accepts. Deterministic: same seed,
same rows.

    python examples/make_rows.py                          # examples/templates/demand-letters.xlsx
    python examples/make_rows.py --count 2000 --out /tmp/rows.xlsx   # bulk rows for the benchmark
    python examples/make_rows.py --count 50 --out rows.csv --encoding gb18030
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
import re
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from stdnum.cn import ric, uscc

from docgen.loans.plan import days_past_due

HEADERS = [
    "发函日期", "借款人", "证件号码", "送达地址", "借款合同号", "借款日期", "借款金额", "逾期起始日",
    "逾期本金", "欠息", "罚息", "合计", "还款期限", "担保人", "贷款机构", "联系地址", "联系人", "联系电话",
    # What a letter a bank's legal department signs also needs (the creditor, the maturity, the
    # balance it may demand, the penalty rate it states).
    "银行法定名称", "到期日期", "贷款余额", "罚息日利率",
]
TEXT_COLUMNS = {"证件号码", "借款合同号", "联系电话"}
DATE_COLUMNS = {"发函日期", "借款日期", "到期日期", "逾期起始日", "还款期限"}
AMOUNT_COLUMNS = {"借款金额", "逾期本金", "贷款余额", "欠息", "罚息", "合计"}

LETTER_DATE = dt.date(2026, 11, 28)
BANK = "杭州临平农村商业银行股份有限公司"
BRANCH = "南苑支行"
BRANCH_ADDRESS = "杭州市临平区南苑街道人民大道88号"
OFFICERS = [("陈晓燕", "0571-86201234"), ("周建军", "0571-86201235"), ("沈丽华", "0571-86201238")]

COMPANY_PREFIX = ["明远", "恒丰", "鑫达", "华锦", "永盛", "瑞隆", "天成", "宏泰", "嘉禾", "金穗", "汇通", "新禾"]
COMPANY_TRADE = ["五金制品", "纺织", "服饰", "建材", "机械配件", "包装材料", "家居用品", "电子科技", "食品", "物流"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁沈"
GIVEN = ["建国", "丽娟", "志强", "海燕", "国平", "晓明", "秀英", "文斌", "桂芳", "永强", "春梅", "立新", "雪芬", "伟东"]
STREETS = ["世纪大道", "迎宾路", "星光街", "超峰东路", "藕花洲大街", "望梅路", "北沙东路", "荷花塘路"]
TOWNS = ["南苑街道", "临平街道", "东湖街道", "星桥街道", "乔司街道", "崇贤街道"]
# Region codes of Hangzhou districts that existed in the birth years used (first six digits
# of a resident ID; the checker rejects a district code that did not exist at birth).
REGIONS = ["330102", "330105", "330106", "330122", "330127"]
# Enterprise registration codes (USCC digits 3-8): Hangzhou districts as of today.
COMPANY_REGIONS = ["330110", "330113", "330106", "330105", "330108", "330109"]


def _money(value: float | Decimal) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


SCIENTIFIC_LOOKING = re.compile(r"^\d+E\d+$")


def resident_id(rng: random.Random) -> str:
    """A valid 18-digit 居民身份证号 (born 1984-1995 in Hangzhou)."""
    birth = dt.date(1984, 1, 1) + dt.timedelta(days=rng.randrange(0, 12 * 365))
    body = f"{rng.choice(REGIONS)}{birth:%Y%m%d}{rng.randrange(0, 1000):03d}"
    return body + ric.calc_check_digit(body + "0")  # stdnum expects a placeholder check digit


def company_code(rng: random.Random) -> str:
    """A valid 统一社会信用代码 of an enterprise registered in Hangzhou."""
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    while True:
        org = "".join(rng.choice(alphabet) for _ in range(8))
        body = "91" + rng.choice(COMPANY_REGIONS) + org + rng.choice("0123456789")
        code = body + uscc.calc_check_digit(body)
        # Digits around a single E (91330109007997E433) is also how a number Excel has mangled
        # reads, and docgen refuses such a cell; draw again so bulk rows of any size pass.
        if not SCIENTIFIC_LOOKING.match(code):
            return code


def make_rows(count: int, seed: int = 20261128) -> list[dict[str, object]]:
    """Return ``count`` rows (header -> value) of loans on day 7 of arrears on the letter date
    (逾期起始日 six days before it)."""
    rng = random.Random(seed)
    rows: list[dict[str, object]] = []
    for n in range(1, count + 1):
        company = rng.random() < 0.6
        if company:
            name = f"杭州{rng.choice(['临平', '余杭', '萧山'])}{rng.choice(COMPANY_PREFIX)}{rng.choice(COMPANY_TRADE)}有限公司"
            id_number = company_code(rng)
            amount = rng.choice([500_000, 800_000, 1_000_000, 1_500_000, 2_000_000, 3_000_000])
        else:
            name = rng.choice(SURNAMES) + rng.choice(GIVEN)
            id_number = resident_id(rng)
            amount = rng.choice([100_000, 200_000, 300_000, 500_000])
        if n == 3:
            # A name with characters XML must escape: it has to print as typed.
            name = "杭州临平A&B<进出口>贸易有限公司"
        overdue_since = LETTER_DATE - dt.timedelta(days=6)  # the letter goes out on day 7
        loan_date = overdue_since - dt.timedelta(days=rng.choice([181, 274, 365, 548]))
        principal = _money(amount * rng.choice([0.05, 0.08, 0.1, 0.25, 1.0]))
        annual = Decimal("0.0435") + Decimal(rng.randrange(0, 200)) / Decimal(10000)
        interest = _money(Decimal(amount) * annual / 360 * rng.choice([30, 60, 90]))
        daily = (annual * Decimal("1.5") / 360).quantize(Decimal("0.0000001"))
        penalty = _money(principal * daily * days_past_due(overdue_since, LETTER_DATE))
        maturity = loan_date + dt.timedelta(days=rng.choice([730, 1095]))
        guarantors = []
        if rng.random() < 0.7:
            guarantors.append(rng.choice(SURNAMES) + rng.choice(GIVEN))
        if company and rng.random() < 0.4:
            guarantors.append("浙江恒信融资担保有限公司")
        officer, phone = OFFICERS[n % len(OFFICERS)]
        rows.append({
            "发函日期": LETTER_DATE,
            "银行法定名称": BANK,
            "借款人": name,
            "证件号码": id_number,
            "送达地址": f"杭州市临平区{rng.choice(TOWNS)}{rng.choice(STREETS)}{rng.randrange(1, 400)}号",
            "借款合同号": f"临农商借字{loan_date.year}第{n:04d}号",
            "借款日期": loan_date,
            "借款金额": amount,
            "到期日期": maturity,
            "逾期起始日": overdue_since,
            "逾期本金": principal,
            "贷款余额": max(principal, _money(amount * 0.6)),
            "欠息": interest,
            "罚息": penalty,
            "罚息日利率": f"{(daily * 100).normalize():f}%",
            "合计": principal + interest + penalty,
            "还款期限": LETTER_DATE + dt.timedelta(days=10),
            "担保人": "、".join(guarantors),
            "贷款机构": BRANCH,
            "联系地址": BRANCH_ADDRESS,
            "联系人": officer,
            "联系电话": phone,
        })
    return rows


def write_xlsx(rows: list[dict[str, object]], path: Path) -> None:
    """Write ``rows`` as an .xlsx: ID numbers, contract numbers and phones as TEXT cells."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    wb = Workbook()
    ws = wb.active
    ws.title = "催收名单"
    ws.append(HEADERS)
    for cell in ws[1]:
        cell.font = Font(bold=True, name="宋体")
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        cell.alignment = Alignment(horizontal="center")
    for row in rows:
        ws.append([float(v) if isinstance(v, Decimal) else v for v in (row[h] for h in HEADERS)])
    for col, header in enumerate(HEADERS, start=1):
        letter = ws.cell(row=1, column=col).column_letter
        width = {"借款人": 34, "送达地址": 40, "银行法定名称": 32, "贷款机构": 14, "联系地址": 32, "借款合同号": 24, "证件号码": 22}.get(header, 13)
        ws.column_dimensions[letter].width = width
        fmt = "@" if header in TEXT_COLUMNS else "yyyy-mm-dd" if header in DATE_COLUMNS else "#,##0.00" if header in AMOUNT_COLUMNS else None
        if fmt:
            for cells in ws.iter_rows(min_row=2, min_col=col, max_col=col):
                for cell in cells:
                    cell.number_format = fmt
    ws.freeze_panes = "C2"
    stamp = dt.datetime(2026, 11, 28, 9, 0, 0)
    wb.properties.creator = "docgen examples"
    wb.properties.created = stamp
    wb.properties.modified = stamp
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)


def write_csv(rows: list[dict[str, object]], path: Path, encoding: str = "utf-8-sig") -> None:
    """Write ``rows`` as CSV in ``encoding`` (utf-8-sig like Excel's "CSV UTF-8", or gb18030)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding=encoding) as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADERS)
        for row in rows:
            writer.writerow([v.isoformat() if isinstance(v, dt.date) else v for v in (row[h] for h in HEADERS)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=20, help="number of borrowers (default 20)")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "templates" / "demand-letters.xlsx",
                        help="output .xlsx or .csv")
    parser.add_argument("--encoding", default="utf-8-sig", help="CSV encoding (utf-8-sig, utf-8, gb18030)")
    parser.add_argument("--seed", type=int, default=20261128)
    args = parser.parse_args()
    rows = make_rows(args.count, args.seed)
    if args.out.suffix.lower() == ".csv":
        write_csv(rows, args.out, args.encoding)
    else:
        write_xlsx(rows, args.out)
    print(f"wrote {len(rows)} rows to {args.out}")


if __name__ == "__main__":
    main()
