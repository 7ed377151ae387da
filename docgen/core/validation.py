"""Data validation shared by bundle.yaml, template data and ledger rows (cerberus).

``validate()`` returns the normalized document and a flat list of ``Problem``s whose
``path`` reads like ``shareholders[1].id_number``. Schemas may use, beyond cerberus':

- types ``date`` (a ``datetime.date``) and ``amount`` (int, float or Decimal, not bool);
- coercers ``to_date`` (ISO text, ``datetime``, ``date``; Excel serials are rejected
  here on purpose: spreadsheet readers convert real date cells) and ``to_amount``
  (numbers or text such as ``"1,234.50"``, to ``Decimal``); ``strip`` for text;
- ``check_with``: ``uscc`` (统一社会信用代码), ``resident_id`` (居民身份证号, checksum and
  birth date), ``uscc_or_resident_id``.

Messages are Chinese, the users' language.
"""
from __future__ import annotations

import datetime as _dt
import re
import threading
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import cerberus
from cerberus import errors as cerrors
from stdnum.cn import ric, uscc
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength, ValidationError

_MESSAGES_ZH: dict[int, str] = {
    0x00: "{0}",
    0x02: "必填字段,不能缺少",
    0x03: "未知字段(请检查拼写)",
    0x04: "需要同时提供字段 '{0}'",
    0x22: "不能为空",
    0x23: "不能为空值(null)",
    0x24: "类型应为 {constraint}",
    0x25: "应为映射(键: 值)",
    0x26: "列表长度应为 {0},实际为 {1}",
    0x27: "最小长度为 {constraint}",
    0x28: "最大长度为 {constraint}",
    0x41: "格式不符合要求",
    0x42: "最小值为 {constraint}",
    0x43: "最大值为 {constraint}",
    0x44: "不允许的取值 {value}",
    0x45: "不允许的取值 {0}",
    0x46: "不允许的取值 {value}",
    0x47: "不允许的取值 {0}",
    0x61: "无法转换:{0}",
}

_TYPE_NAMES_ZH = {
    "string": "文本", "integer": "整数", "number": "数字", "float": "数字", "boolean": "是/否",
    "date": "日期(YYYY-MM-DD)", "amount": "金额", "list": "列表", "dict": "映射",
}


class ChineseErrorHandler(cerrors.BasicErrorHandler):
    """Cerberus error handler speaking Chinese, with type names users recognise."""

    messages = {**cerrors.BasicErrorHandler.messages, **_MESSAGES_ZH}

    def _format_message(self, field: Any, error: cerrors.ValidationError) -> str:
        if error.code == cerrors.BAD_TYPE.code:
            names = error.constraint if isinstance(error.constraint, (list, tuple)) else [error.constraint]
            return "类型应为" + "或".join(_TYPE_NAMES_ZH.get(n, str(n)) for n in names)
        if error.code == cerrors.COERCION_FAILED.code:
            return "无法转换:" + str(error.info[0] if error.info else "")
        return super()._format_message(field, error)


@dataclass(frozen=True)
class Problem:
    """One validation problem: where (field path, optional spreadsheet row/column) and what."""

    path: str
    message: str
    row: int | None = None
    column: str | None = None
    # Identity apart from wording: a stable code (e.g. ``unknown-litigation``) and the facts the
    # message was made from, so callers test and branch on data, never on the sentence.
    code: str = ""
    facts: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"第{self.row}行")
        if self.column:
            where.append(f"{self.column}列")
        prefix = (" ".join(where) + " ") if where else ""
        return f"{prefix}{self.path}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form: ``{"row", "column", "field", "message"}``."""
        data: dict[str, Any] = {"row": self.row, "column": self.column, "field": self.path, "message": self.message}
        if self.code:
            data["code"] = self.code
            data["facts"] = dict(self.facts)
        return data


def parse_date(value: Any) -> _dt.date:
    """Return ``value`` as a date: a ``date``, a ``datetime`` or ISO text (2026-11-28, 2026/11/28).

    Raises ``ValueError`` with a Chinese message otherwise.
    """
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    if isinstance(value, str):
        text = value.strip()
        m = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", text)
        if m:
            try:
                return _dt.date(int(m[1]), int(m[2]), int(m[3]))
            except ValueError:
                raise ValueError(f"不存在的日期 {text}") from None
        raise ValueError(f"日期格式应为 YYYY-MM-DD,收到 {text!r}")
    raise ValueError(f"日期格式应为 YYYY-MM-DD,收到 {value!r}")


# Dates docgen computes with. Beyond them deadline arithmetic (three years, six months on)
# would run past the calendar's end instead of reporting the typo (9999-12-31).
DATE_MIN, DATE_MAX = _dt.date(1900, 1, 1), _dt.date(2199, 12, 31)


def parse_working_date(value: Any) -> _dt.date:
    """Return ``value`` as a date (as ``parse_date`` reads it) between ``DATE_MIN`` and ``DATE_MAX``.

    Every ``--as-of`` is read with this. Raises ``ValueError`` with a Chinese message: the
    format, a day the calendar does not have, or the range.
    """
    date = parse_date(value)
    if not DATE_MIN <= date <= DATE_MAX:
        text = value.strip() if isinstance(value, str) else date.isoformat()
        raise ValueError(f"{text} 超出可用范围 {DATE_MIN.year}–{DATE_MAX.year} 年")
    return date


def parse_amount(value: Any) -> Decimal:
    """Return ``value`` as a ``Decimal`` amount; text may carry thousands separators or ¥.

    Raises ``ValueError`` with a Chinese message for anything else (bools included).
    """
    if isinstance(value, bool):
        raise ValueError("金额应为数字")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, float):
        result = Decimal(repr(value))
    elif isinstance(value, str):
        text = value.strip().lstrip("¥¥").strip().replace(",", ",")
        if "," in text and not _GROUPED.fullmatch(text):
            # "1.234,56" (a European decimal comma) must not silently become 1.23456.
            raise ValueError(f"金额 {value!r} 的写法不明确:千位分隔符只能是每三位一个逗号,小数点用“.”,如 1,234.56")
        try:
            result = Decimal(text.replace(",", ""))
        except InvalidOperation:
            raise ValueError(f"金额应为数字,收到 {value!r}") from None
    else:
        raise ValueError(f"金额应为数字,收到 {value!r}")
    if not result.is_finite():
        raise ValueError(f"金额应为有限数字,收到 {value!r}")
    if abs(result) > MAX_AMOUNT:
        raise ValueError(f"金额 {value!r} 超出范围(上限 {MAX_AMOUNT:,} 元);请检查是否多输入了位数")
    return result


#: The largest amount docgen accepts (one quadrillion yuan): beyond it an amount is a typing
#: error, and it would overflow the exact arithmetic and the amounts in words of the documents.
MAX_AMOUNT = Decimal(10) ** 15
_GROUPED = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?")


_STDNUM_REASONS = (
    (InvalidChecksum, "校验位错误"),
    (InvalidLength, "长度错误"),
    (InvalidFormat, "格式错误"),
    (InvalidComponent, "含无效成分(如出生日期或地区码)"),
)


def _reason(exc: ValidationError) -> str:
    for cls, text in _STDNUM_REASONS:
        if isinstance(exc, cls):
            return text
    return "无效"


def check_uscc(value: str) -> str | None:
    """Return None when ``value`` is a valid 统一社会信用代码, else the Chinese reason."""
    try:
        uscc.validate(value)
    except ValidationError as exc:
        return f"统一社会信用代码{_reason(exc)}"
    return None


def check_resident_id(value: str) -> str | None:
    """Return None when ``value`` is a valid 18-digit 居民身份证号, else the Chinese reason."""
    text = str(value).strip()
    if len(text) != 18:
        return f"居民身份证号应为18位,实际为{len(text)}位"
    try:
        ric.validate(text)
    except ValidationError as exc:
        return f"居民身份证号{_reason(exc)}"
    except KeyError:
        # stdnum's place table has province-level rows without a county (e.g. 610001...): a lookup
        # of such a code raises KeyError instead of InvalidComponent. It is not a valid area code.
        return "居民身份证号含无效成分(如出生日期或地区码)"
    birth = ric.get_birth_date(text)
    if birth > _dt.date.today():
        return "居民身份证号中的出生日期晚于今天"
    return None


class DocgenValidator(cerberus.Validator):
    """Cerberus validator with the project's types, coercers and checks (see module doc)."""

    types_mapping = cerberus.Validator.types_mapping.copy()
    types_mapping["date"] = cerberus.TypeDefinition("date", (_dt.date,), (_dt.datetime,))
    types_mapping["amount"] = cerberus.TypeDefinition("amount", (int, float, Decimal), (bool,))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("error_handler", ChineseErrorHandler)
        super().__init__(*args, **kwargs)

    def _normalize_coerce_to_date(self, value: Any) -> Any:
        return parse_date(value)

    def _normalize_coerce_to_amount(self, value: Any) -> Any:
        return parse_amount(value)

    def _normalize_coerce_strip(self, value: Any) -> Any:
        return value.strip() if isinstance(value, str) else value

    # A null reaches check_with (cerberus' nullable does not skip it): a blank that the schema
    # allows to be null is not a wrong number.
    def _check_with_uscc(self, field: str, value: Any) -> None:
        if value is None:
            return
        problem = check_uscc(str(value))
        if problem:
            self._error(field, problem)

    def _check_with_resident_id(self, field: str, value: Any) -> None:
        if value is None:
            return
        problem = check_resident_id(str(value))
        if problem:
            self._error(field, problem)

    def _check_with_uscc_or_resident_id(self, field: str, value: Any) -> None:
        if value is None:
            return
        text = str(value).strip()
        # An all-digit USCC exists, so the shape alone cannot tell the two apart: accept either.
        if check_uscc(text) and check_resident_id(text):
            self._error(field, "既不是有效的统一社会信用代码,也不是有效的居民身份证号")


def flatten_errors(tree: dict[Any, list[Any]], prefix: str = "") -> list[tuple[str, str]]:
    """Flatten cerberus' nested ``errors`` into ``(path, message)`` pairs.

    Paths join mapping keys with ``.`` and list indexes as ``[i]``: ``shareholders[1].id_number``.
    """
    out: list[tuple[str, str]] = []
    for key, entries in tree.items():
        if isinstance(key, int):
            path = f"{prefix}[{key}]"
        else:
            path = f"{prefix}.{key}" if prefix else str(key)
        for entry in entries:
            if isinstance(entry, dict):
                out.extend(flatten_errors(entry, path))
            else:
                out.append((path, str(entry)))
    return out


_VALIDATORS = threading.local()


def _validator(schema: dict[str, Any], allow_unknown: bool) -> DocgenValidator:
    """Return a validator for ``schema``, reused across calls in this thread.

    Building a cerberus validator re-checks the whole schema (most of the cost of
    validating one spreadsheet row); batches validate thousands of rows against one schema.
    Keyed by the schema object itself, so a different (or rebuilt) schema gets its own.
    """
    cache = getattr(_VALIDATORS, "cache", None)
    if cache is None:
        cache = _VALIDATORS.cache = {}
    key = (id(schema), allow_unknown)
    hit = cache.get(key)
    if hit is not None and hit[0] is schema:
        return hit[1]
    if len(cache) >= 64:
        cache.clear()
    validator = DocgenValidator(schema, allow_unknown=allow_unknown)
    cache[key] = (schema, validator)  # holding the schema keeps its id from being reused
    return validator


def validate(
    schema: dict[str, Any],
    document: dict[str, Any],
    *,
    allow_unknown: bool = False,
    row: int | None = None,
    columns: dict[str, str] | None = None,
) -> tuple[dict[str, Any], list[Problem]]:
    """Validate and normalize ``document`` against ``schema``.

    Returns ``(normalized, problems)``; ``normalized`` is only meaningful when ``problems``
    is empty. ``row`` and ``columns`` (top-level field -> spreadsheet column label) are
    copied into each problem so messages can point at the cell.
    """
    validator = _validator(schema, allow_unknown)
    ok = validator.validate(document)
    if ok:
        return validator.document, []
    columns = columns or {}
    problems = []
    pairs = flatten_errors(validator.errors)
    # A failed coercion leaves the raw value, which then fails other rules of the field too
    # (type, max): the coercion message alone says what is wrong.
    coerce_failed = {path for path, message in pairs if message.startswith("无法转换")}
    for path, message in pairs:
        if path in coerce_failed and not message.startswith("无法转换"):
            continue
        top = re.split(r"[.\[]", path, maxsplit=1)[0]
        problems.append(Problem(path, message, row=row, column=columns.get(top)))
    return validator.document or {}, problems
