"""Chinese formatting conventions for documents; each function is also a Jinja filter (``FILTERS``).

- ``amount_in_words``: 人民币大写 per the PBOC rules for filling in vouchers and settlement forms
  (正确填写票据和结算凭证的基本规定): ``整`` after 元, none after 分; a ``零`` where the 角 is zero but
  the 分 is not; and, where the 元 digit is zero but the 角 is not, the optional ``零`` is written
  (the rules allow either; writing it leaves no gap to tamper with).
- ``amount`` / ``wan``: figures with thousands separators, in yuan or in 万元.
- ``date_cn`` / ``date_upper``: 2026年11月28日 and 二〇二六年十一月二十八日.
- ``mask_id``: 居民身份证号 or USCC with only the first 6 and last 4 characters shown.
- ``id_label``: what to call a party's number: 统一社会信用代码 for a company's, else 证件号码.
- ``percent``: a fraction as a percentage.

Amounts are rounded half-up to the fen (or to ``places``) with ``Decimal``, never through floats.
Every function raises ``InvalidValueError`` (a ``ValueError``, worded from the core table) for a
value it cannot format, so a template never prints a blank or a guess where a legal letter needs a figure.
"""
from __future__ import annotations

import datetime as _dt
import functools
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from docgen.core.errors import InvalidValueError
from docgen.core.messages import MESSAGES
from docgen.core.values import parse_amount, parse_date

_UPPER_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_LOWER_DIGITS = "〇一二三四五六七八九"


def _decimal(value: Any) -> Decimal:
    if value is None:
        raise MESSAGES.error(InvalidValueError, "amount-missing")
    return parse_amount(value)


def _quantize(value: Decimal, places: int) -> Decimal:
    if places < 0:
        raise MESSAGES.error(InvalidValueError, "places-negative", places=places)
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


@functools.lru_cache(maxsize=4096)
def _yuan_in_words(yuan: int) -> str:
    """Return whole yuan in capital numerals (cn2an), remembered: a batch's letters repeat
    the same principals and totals, and cn2an takes a tenth of a millisecond each."""
    # Imported here: cn2an costs ~0.3 s to import, which every CLI start would pay otherwise.
    import cn2an

    return cn2an.an2cn(str(yuan), "up")


def amount_in_words(value: Any) -> str:
    """Return ``value`` (yuan) as 人民币大写, rounded half-up to the fen.

    ``100000`` -> ``人民币壹拾万元整``; ``0.05`` -> ``人民币伍分``; ``1000000.10`` ->
    ``人民币壹佰万元零壹角``; ``325.04`` -> ``人民币叁佰贰拾伍元零肆分``.
    Raises ``ValueError`` for negative, non-numeric or missing amounts.
    """
    amount_ = _quantize(_decimal(value), 2)
    if amount_ < 0:
        raise MESSAGES.error(InvalidValueError, "amount-words-negative", value=value)
    fen_total = int(amount_ * 100)
    yuan, rest = divmod(fen_total, 100)
    jiao, fen = divmod(rest, 10)
    if fen_total == 0:
        return "人民币零元整"
    parts: list[str] = ["人民币"]
    if yuan:
        parts.append(_yuan_in_words(yuan) + "元")
    if jiao == 0 and fen == 0:
        parts.append("整")
        return "".join(parts)
    if yuan and (jiao == 0 or yuan % 10 == 0):
        # 角 zero before a 分 needs 零 (required); 元 digit zero before 角 takes the optional 零.
        parts.append("零")
    if jiao:
        parts.append(_UPPER_DIGITS[jiao] + "角")
    if fen:
        parts.append(_UPPER_DIGITS[fen] + "分")
    return "".join(parts)


def amount(value: Any, places: int = 2, *, grouping: bool = True) -> str:
    """Return ``value`` with ``places`` decimals and thousands separators: ``1,234,567.89``.

    ``grouping=False`` leaves the separators out (``1234567.89``). Raises ``ValueError`` for
    non-numeric or missing values.
    """
    comma = "," if grouping else ""
    return f"{_quantize(_decimal(value), places):{comma}.{places}f}"


def wan(value: Any, places: int = 2, *, grouping: bool = True, missing: str | None = None) -> str:
    """Return a yuan ``value`` as a 万元 figure: ``1020100`` -> ``102.01`` (separators above 1,000万).

    ``grouping=False`` writes ``1727.25`` rather than ``1,727.25`` (the NPL report's style).
    ``missing`` is returned for ``None`` when given (a report's ``—``); without it, and for
    non-numeric values, raises ``ValueError``, so a letter never shows a blank amount.
    """
    if value is None and missing is not None:
        return missing
    return amount(_decimal(value) / Decimal(10000), places, grouping=grouping)


def percent(value: Any, places: int = 2) -> str:
    """Return a fraction as a percentage: ``0.3629`` -> ``36.29%``.

    Raises ``ValueError`` for non-numeric or missing values.
    """
    return f"{_quantize(_decimal(value) * 100, places):.{places}f}%"


def _date(value: Any) -> _dt.date:
    if value is None:
        raise MESSAGES.error(InvalidValueError, "date-missing")
    if isinstance(value, _dt.datetime):
        # A moment a template formats (a signing time it computed) prints its day; a date field
        # holding a time of day was refused where the data was read (parse_date).
        return value.date()
    return parse_date(value)


def date_cn(value: Any) -> str:
    """Return a date as ``2026年11月28日`` (no leading zeros). Raises ``ValueError`` if not a date."""
    d = _date(value)
    return f"{d.year}年{d.month}月{d.day}日"


def _small_number(n: int) -> str:
    """1..31 in lower-case Chinese numerals: 十, 十一, 二十, 二十八, 三十一."""
    tens, ones = divmod(n, 10)
    text = ""
    if tens:
        text = ("" if tens == 1 else _LOWER_DIGITS[tens]) + "十"
    if ones:
        text += _LOWER_DIGITS[ones]
    return text


def date_upper(value: Any) -> str:
    """Return a date as ``二〇二六年十一月二十八日`` (the form used on seals and formal letters).

    Raises ``ValueError`` if not a date.
    """
    d = _date(value)
    year = "".join(_LOWER_DIGITS[int(c)] for c in f"{d.year:04d}")
    return f"{year}年{_small_number(d.month)}月{_small_number(d.day)}日"


def mask_id(value: Any) -> str:
    """Return an ID number or USCC with all but the first 6 and last 4 characters masked.

    ``110105194912310021`` -> ``110105********0021``. Numbers shorter than 11 characters keep
    only their last 2 characters (too short to show 10). Raises ``ValueError`` when empty.
    """
    text = "" if value is None else str(value).strip()
    if not text:
        raise MESSAGES.error(InvalidValueError, "id-number-missing")
    if len(text) < 11:
        return "*" * (len(text) - 2) + text[-2:] if len(text) > 2 else "*" * len(text)
    return text[:6] + "*" * (len(text) - 10) + text[-4:]


def id_label(value: Any) -> str:
    """Return the label a document prints before ``value``: 统一社会信用代码 when it is a valid one,
    else 证件号码. A number shaped like a 居民身份证号 (17 digits holding a birth date) is a
    person's even when its 18 characters also pass the USCC check, as one in 31 do by chance.
    Never raises: an empty or odd value is labelled 证件号码 and left to its field's own check."""
    from docgen.core.idnumbers import uscc_issue

    text = "" if value is None else str(value).strip()
    company = len(text) == 18 and not _person_shaped(text) and uscc_issue(text) is None
    return MESSAGES.text("id-label/uscc" if company else "id-label/other")


def _person_shaped(text: str) -> bool:
    if not text[:17].isdigit():
        return False
    try:
        born = _dt.date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        return False
    return born.year >= 1900


#: Argument types whose equal values always format alike (``bool`` is left out: ``True == 1``,
#: yet ``amount(True)`` is refused; ``datetime`` is not ``date``).
_REMEMBERED_TYPES = frozenset({int, str, float, Decimal, _dt.date})
#: Results a remembered filter keeps (then it starts again): bounded whatever a batch's size.
REMEMBER_MAX = 4096


def _remembered(format_: Callable[..., str]) -> Callable[..., str]:
    """Return ``format_`` with its results remembered per exact ``(type, value)`` and extra
    arguments that are all exactly ``int`` (the places of ``amount``).

    A batch's letters repeat the same dates (the letter date six times a letter, the same in
    every letter) and many of the same amounts; each ``date_cn`` costs ~1.4 µs and each
    ``amount`` ~3.9 µs, ~0.05 ms a demand letter in all. The filters are pure functions of the
    value's type and number, so a remembered result is the one ``format_`` gives. Zero is
    never remembered (``0.0 == -0.0`` and ``Decimal("0") == Decimal("-0.00")``, which may
    print differently); errors are raised again each time; keyword arguments, unhashable
    values and any extra argument of another class (``True == 1`` and ``2.0 == 2``, which
    ``format_`` may treat differently) go straight to ``format_``.
    """
    results: dict[tuple[Any, ...], str] = {}

    @functools.wraps(format_)
    def remembered(value: Any, *args: Any, **kwargs: Any) -> str:
        kind = value.__class__
        if (kwargs or kind not in _REMEMBERED_TYPES or (not value and kind is not str)
                or (args and any(arg.__class__ is not int for arg in args))):
            return format_(value, *args, **kwargs)
        key = (kind, value, *args)
        try:
            return results[key]
        except KeyError:
            pass
        except TypeError:  # an unhashable argument, a signalling NaN
            return format_(value, *args)
        text = format_(value, *args)
        if len(results) >= REMEMBER_MAX:
            results.clear()
        results[key] = text
        return text

    return remembered


#: The template filters; the formatting ones remember their results (``_remembered``).
FILTERS: dict[str, Callable[..., str]] = {
    "amount_in_words": _remembered(amount_in_words),
    "amount": _remembered(amount),
    "wan": wan,
    "percent": percent,
    "date_cn": _remembered(date_cn),
    "date_upper": _remembered(date_upper),
    "mask_id": mask_id,
    "id_label": id_label,
}
