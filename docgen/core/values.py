"""Reading the dates and amounts users write: text, spreadsheet cells and YAML values.

Kept apart from ``docgen.core.validation`` so that reading an ``--as-of`` or an amount does not
import the validation libraries (cerberus, python-stdnum); ``validation`` re-exports them.
"""
from __future__ import annotations

import datetime as _dt
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from collections.abc import Callable, Collection, Iterable
from typing import Any

from docgen.core.errors import InvalidValueError
from docgen.core.messages import MESSAGES

__all__ = ["DATE_MAX", "DATE_MIN", "MAX_AMOUNT", "PERIOD_LABEL", "YES_NO_WORDS", "id_text", "parse_amount",
           "other_unit", "parse_date", "parse_working_date", "parse_yes_no", "period_label"]


def parse_date(value: Any) -> _dt.date:
    """Return ``value`` as a date: a ``date``, a ``datetime`` or ISO text (2026-11-28, 2026/11/28).

    Text may end in a time of day that is midnight (``2026-06-30 00:00:00``, ``2026/6/30 0:00``):
    what Excel and Kingsoft WPS write for a date cell they export to CSV. A ``datetime`` (an Excel
    date cell, a YAML timestamp) is read by the same rule: at midnight it is its date.

    Raises ``InvalidValueError`` (a ``ValueError``) coded ``date-format``, ``date-no-such-day`` or
    ``date-has-time`` (any other time of day, in text or in a ``datetime``: a date field holding one
    is probably the wrong column, or a formula's result) otherwise.
    """
    if isinstance(value, _dt.datetime):
        moment = value.time()
        if moment == _dt.time(0, 0):
            return value.date()
        # Quoted as the cell shows it (2027-06-30 14:30), seconds only when there are some.
        time = moment.isoformat(timespec="minutes" if not (moment.second or moment.microsecond) else "auto")
        raise MESSAGES.error(InvalidValueError, "date-has-time", value=f"{value:%Y-%m-%d} {time}", time=time)
    if isinstance(value, _dt.date):
        return value
    if isinstance(value, str):
        text = value.strip()  # as typed, for the messages
        m = _DATE_TEXT.fullmatch(_halfwidth(text))
        if m:
            try:
                date = _dt.date(int(m["year"]), int(m["month"]), int(m["day"]))
            except ValueError:
                raise MESSAGES.error(InvalidValueError, "date-no-such-day", text=text) from None
            if m["time"] is not None and not _MIDNIGHT.fullmatch(m["time"]):
                raise MESSAGES.error(InvalidValueError, "date-has-time", value=text, time=m["time"])
            return date
        raise MESSAGES.error(InvalidValueError, "date-format", value=text, excel=_excel_serial_date(text))
    if isinstance(value, _dt.time):
        # A spreadsheet cell holding a time of day (a date serial below 1, or a negative one,
        # under a date format): shown as Excel shows it, not as Python's datetime.time(0, 0).
        value = value.isoformat()
    raise MESSAGES.error(InvalidValueError, "date-format", value=value, excel=_excel_serial_date(value))


#: A date as users write it, with the time of day a spreadsheet's export may add (``T`` as in
#: ISO 8601, or spaces): a time of day that exists (25:00 is no time, and the text no date).
_DATE_TEXT = re.compile(r"(?P<year>\d{4})[-/.年](?P<month>\d{1,2})[-/.月](?P<day>\d{1,2})日?"
                        r"(?:(?:T|\s+)(?P<time>(?:[01]?\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d+)?)?))?")
#: Midnight, with or without seconds (and their fraction): the only time a date may carry.
_MIDNIGHT = re.compile(r"0{1,2}:00(?::00(?:\.0+)?)?")


#: The words a yes/no cell may hold, as read (any case, full-width forms half-width, spaces around
#: ignored) -> the answer. 有/无 are not among them: a clerk also writes 无 in a cell with nothing to
#: say (the ledger's 诉讼状态 reads it so), and in a field whose default is yes (penalty_agreed) that
#: reading would silently turn the answer to no.
YES_NO_WORDS: dict[str, bool] = {"是": True, "否": False, "true": True, "false": False, "yes": True, "no": False,
                                 "y": True, "n": False, "1": True, "0": False}


def parse_yes_no(value: Any) -> bool:
    """Return a yes/no answer as a clerk writes it: ``True``/``False`` (a YAML boolean, a workbook's
    TRUE/FALSE cell), the numbers 1 and 0 (a workbook's number cell, 1.0 included), or text among
    ``YES_NO_WORDS`` (是/否, true/false, yes/no, y/n, 1/0).

    Raises ``InvalidValueError`` (a ``ValueError``) coded ``yes-no-value`` for anything else (是的吗,
    2, empty text), quoting the value as given.
    """
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float, Decimal)):
        if value == 1 or value == 0:  # NaN equals neither
            return value == 1
    elif isinstance(value, str):
        answer = YES_NO_WORDS.get(_halfwidth(value).strip().casefold())
        if answer is not None:
            return answer
    raise MESSAGES.error(InvalidValueError, "yes-no-value", value=value.strip() if isinstance(value, str) else value)


def id_text(value: Any) -> Any:
    """Return an identification number as documents print it: text stripped, its letters upper-case.

    A 居民身份证号's check character is ``X`` (GB 11643) and a 统一社会信用代码 has upper-case
    letters only (GB 32100); both checks accept ``x`` and lower-case letters as typed, so without
    this a contract would print ``33010619840315102x``. A number typed in the input method's
    full-width mode (３３０１…) is made ASCII first, as amounts and dates are (``_halfwidth``);
    text that is still not ASCII then fails its check and is named as typed. Any other value is
    returned as it is. Never raises.
    """
    if not isinstance(value, str):
        return value
    text = _halfwidth(value).strip()
    return text.upper() if text.isascii() else value.strip()


def _halfwidth(text: str) -> str:
    """Return ``text`` with full-width forms made ASCII (NFKC): a clerk typing in the Chinese input
    method's full-width mode writes １２３．５０, －５, ２０２６．６．３０ and ￥ for 123.50, -5, 2026.6.30 and ¥.
    Plain ASCII, almost every value, is returned as it is without the normalization's cost."""
    return text if text.isascii() else unicodedata.normalize("NFKC", text)


def _excel_serial_date(value: Any) -> str | None:
    """Return the day an Excel date serial stands for (46354: ``2026-11-28``) when ``value`` (a
    number, or its digits as a CSV has them) is a serial of a day from 1950 to ``DATE_MAX``, else None.

    A date typed in a cell formatted 常规 (General) reaches docgen as that number. It is named in
    the message, never taken for the date; a year typed alone (2026, a serial of 1905) is not one.
    """
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value):
        return None
    if not (_EXCEL_FIRST - _EXCEL_EPOCH).days <= value <= (DATE_MAX - _EXCEL_EPOCH).days:
        return None
    return (_EXCEL_EPOCH + _dt.timedelta(days=int(value))).isoformat()


# Dates docgen computes with. Beyond them deadline arithmetic (three years, six months on)
# would run past the calendar's end instead of reporting the typo (9999-12-31).
DATE_MIN, DATE_MAX = _dt.date(1900, 1, 1), _dt.date(2199, 12, 31)
# Excel's day 0 (its serials after February 1900 count from here) and the first day a serial
# is taken to be meant as a date rather than a count or a year.
_EXCEL_EPOCH, _EXCEL_FIRST = _dt.date(1899, 12, 30), _dt.date(1950, 1, 1)


def parse_working_date(value: Any) -> _dt.date:
    """Return ``value`` as a date (as ``parse_date`` reads it) between ``DATE_MIN`` and ``DATE_MAX``.

    Every ``--as-of`` is read with this. Raises ``ValueError`` with a Chinese message: the
    format, a day the calendar does not have, or the range (``InvalidValueError``, a ``ValueError``).
    """
    date = parse_date(value)
    if not DATE_MIN <= date <= DATE_MAX:
        text = value.strip() if isinstance(value, str) else date.isoformat()
        raise MESSAGES.error(InvalidValueError, "date-out-of-range", text=text, first=DATE_MIN.year,
                             last=DATE_MAX.year)
    return date


def period_label(value: Any) -> Any:
    """Return a reporting period's label in its documented form (``PERIOD_LABEL``): a quarter
    ``2026Q2``, a half ``2026H1``, a year ``2026`` or a month ``2026-06``.

    The letter is made upper case (``2026q2``), the month two digits (``2026-6``), full-width
    forms half-width. Other text is returned stripped (and anything else as given), for the
    caller's check to name as typed. Never raises.
    """
    if not isinstance(value, str):
        return value
    value = value.strip()
    text = _halfwidth(value).upper()
    if len(text) == 6 and text[4] == "-":
        text = text[:5] + "0" + text[5]  # 2026-6 is 2026-06
    return text if PERIOD_LABEL.fullmatch(text) else value


#: A reporting period's label in its documented form: a year, then a quarter (Q1–Q4), a half
#: (H1, H2), a month (-01 to -12) or nothing. The one definition of it: ``period_label`` writes
#: labels so, templates check a label against it (``check_with: period_label``) and the NPL
#: report reads its period from it (``docgen.loans.npl.parse_period``).
PERIOD_LABEL = re.compile(r"\d{4}(Q[1-4]|H[12]|-(0[1-9]|1[0-2]))?")


def parse_amount(value: Any) -> Decimal:
    """Return ``value`` as a ``Decimal`` amount; text may carry thousands separators, ¥ or a trailing 元.

    Raises ``InvalidValueError`` (a ``ValueError``) coded ``amount-…`` for anything else (bools included).
    """
    if isinstance(value, bool):
        raise MESSAGES.error(InvalidValueError, "amount-not-number", value=value)
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, float):
        result = Decimal(repr(value))
    elif isinstance(value, str):
        # The yen/yuan sign (U+00A5, as an escape: editors fold it); full-width forms are half-width by now.
        text = _halfwidth(value).strip().lstrip("\u00a5").strip()
        # Amounts are yuan: a trailing 元 (150000元) says so again.
        if text.endswith("元"):
            text = text[:-1].rstrip()
        if text[-1:] in _UNITS:
            # 15万元 (or 1亿元) is refused, never multiplied: a column of 万元 beside one of 元 is a
            # typing error docgen cannot see. The message gives the yuan to type instead.
            _refuse_unit(value, text[:-1].rstrip(), _UNITS[text[-1]])
        if "," in text and not _GROUPED.fullmatch(text):
            # "1.234,56" (a European decimal comma) must not silently become 1.23456.
            raise MESSAGES.error(InvalidValueError, "amount-ambiguous", value=value)
        try:
            result = Decimal(text.replace(",", ""))
        except InvalidOperation:
            raise MESSAGES.error(InvalidValueError, "amount-not-number", value=value) from None
    else:
        raise MESSAGES.error(InvalidValueError, "amount-not-number", value=value)
    if not result.is_finite():
        raise MESSAGES.error(InvalidValueError, "amount-not-finite", value=value)
    if abs(result) > MAX_AMOUNT:
        raise MESSAGES.error(InvalidValueError, "amount-too-large", value=value, limit=MAX_AMOUNT)
    return result


def _refuse_unit(value: str, number: str, unit: int) -> None:
    """Raise ``amount-in-wan`` for ``value``, an amount typed in 万 or 亿 (``unit`` yuan), with the
    yuan it stands for when ``number`` (the text before the unit) is a plain number, else
    ``amount-not-number``."""
    count = Decimal(number.replace(",", "")) if _PLAIN.fullmatch(number) else None
    if count is None or abs(count) * unit > MAX_AMOUNT:
        raise MESSAGES.error(InvalidValueError, "amount-not-number", value=value)
    raise MESSAGES.error(InvalidValueError, "amount-in-wan", value=value, yuan=format((count * unit).normalize(), "f"))


#: The units of yuan a clerk may type after an amount, and how many yuan each is.
_UNITS = {"万": 10_000, "亿": 100_000_000}

# A unit of amount other than the yuan: a multiple of it (万元, 千万元, 万 alone, as 单位：万 says) or
# another currency, not followed by what it would count instead (万户, 千笔).
_OTHER = r"(?:[十百千万亿]+元?(?![户笔人个家件])|美元|港元|港币|欧元|日元|英镑)"
# Stated as a unit (单位：万元, 金额单位为人民币万元, 以万元为单位) or as the whole of a bracket (贷款余额（万元）),
# in text of NFKC form (full-width colon and brackets made ASCII): a bracket merely opening with one
# (备注（美元贷款）) states no unit.
_OTHER_UNIT = re.compile(rf"单位\s*(?:[:为是]\s*)?(?:人民币\s*)?({_OTHER})|\(\s*(?:人民币\s*)?({_OTHER})\s*\)"
                         rf"|以\s*(?:人民币\s*)?({_OTHER})\s*为\s*单位")


def other_unit(texts: Iterable[tuple[str, str]], unread: Collection[str] = (),
               names: Callable[[str], bool] | None = None) -> tuple[str, str, str] | None:
    """Return ``(cell, text, unit)`` of the first of ``texts`` (``(cell, text)``: a title or a unit row
    above a sheet's header, a header cell no column is read under) stating amounts in another unit
    than the yuan (万元, 千元, 美元 …), or None. Amounts are read as yuan: 万元 read so would make each
    ten thousand times too small.

    A header cell of ``unread`` (the header's texts naming no field) stating its unit in brackets
    only counts when the rest of it ``names`` a field (逾期本金（万元）: that column's amounts left
    unread); a column of its own in another unit (授信金额（万元）), read by nothing, states no unit
    of the amounts read."""
    for cell, text in texts:
        normal = unicodedata.normalize("NFKC", text)
        found = _OTHER_UNIT.search(normal)
        if found is None:
            continue
        if (found[2] is not None and names is not None and text in unread
                and not names(normal[:found.start()] + normal[found.end():])):
            continue
        return cell, text, found[1] or found[2] or found[3]
    return None


#: The largest amount docgen accepts (one quadrillion yuan): beyond it an amount is a typing
#: error, and it would overflow the exact arithmetic and the amounts in words of the documents.
MAX_AMOUNT = Decimal(10) ** 15
_GROUPED = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?")
_PLAIN = re.compile(r"[+-]?(\d+|\d{1,3}(,\d{3})+)(\.\d+)?")
