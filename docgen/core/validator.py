"""docgen's cerberus validator: the types, coercers and checks ``docgen.core.validation``
documents, and its error handler giving every error docgen's code, facts and Chinese wording.

Apart from ``validation`` so that cerberus is imported at the first ``validate`` only, not by
every module that reads a date or an amount (``validation.validate`` imports this module).
"""
from __future__ import annotations

import contextlib
import datetime as _dt
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

import cerberus
from cerberus import errors as cerrors

from docgen.core.errors import InvalidValueError
from docgen.core.idnumbers import resident_id_issue, uscc_issue
from docgen.core.validation import _CODES, _Coded
from docgen.core.values import PERIOD_LABEL, id_text, parse_amount, parse_date, parse_yes_no, period_label

__all__ = ["ChineseErrorHandler", "DocgenValidator"]


def _facts(error: cerrors.ValidationError) -> dict[str, Any]:
    """Return the structured facts of a cerberus error, by its code."""
    code, info = error.code, error.info
    if code == 0x24:
        names = error.constraint if isinstance(error.constraint, (list, tuple)) else [error.constraint]
        return {"expected": list(names)}
    if code in (0x27, 0x42):
        return {"min": error.constraint}
    if code in (0x28, 0x43):
        return {"max": error.constraint}
    if code == 0x26:
        return {"expected": info[0], "actual": info[1]}
    if code == 0x04:
        return {"needs": info[0]}
    if code == 0x41:
        return {"pattern": error.constraint, "value": error.value}
    if code in (0x44, 0x46):
        return {"value": error.value}
    if code in (0x45, 0x47):
        return {"value": info[0]}
    if code == 0x61:
        failure = info[0] if info else ""
        # A value parser's refusal (``DocgenValidator._error``) keeps its own code and facts, so
        # that it can be worded in either language; any other coercer's, its text.
        cause = {"cause": failure.code, **failure.facts} if isinstance(failure, InvalidValueError) else {}
        return {"reason": str(failure), **cause}
    return {}


class ChineseErrorHandler(cerrors.BasicErrorHandler):
    """Cerberus error handler giving each error docgen's code, facts and Chinese wording."""

    def _format_message(self, field: Any, error: cerrors.ValidationError) -> str:
        if error.code == cerrors.CUSTOM.code and error.info and isinstance(error.info[0], _Coded):
            return error.info[0]  # a docgen check (check_with) already coded it
        code = _CODES.get(error.code)
        if code is not None:
            return _Coded(code, _facts(error))
        # A rule docgen's schemas do not use: cerberus' own sentence, under the generic code.
        return _Coded("invalid", {"rule": error.rule, "reason": super()._format_message(field, error)})




class DocgenValidator(cerberus.Validator):
    """Cerberus validator with the project's types, coercers and checks (see module doc)."""

    types_mapping = cerberus.Validator.types_mapping.copy()
    types_mapping["date"] = cerberus.TypeDefinition("date", (_dt.date,), (_dt.datetime,))
    types_mapping["amount"] = cerberus.TypeDefinition("amount", (int, float, Decimal), (bool,))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("error_handler", ChineseErrorHandler)
        super().__init__(*args, **kwargs)

    #: The value parser's refusal being reported (``_parsed``, then ``_error``), else None.
    _refusal: InvalidValueError | None = None

    def _parsed(self, parse: Callable[[Any], Any], value: Any) -> Any:
        # A blank (YAML's null) is the nullable rule's to judge, "null" as for any field: refused
        # by the parser it was quoted as Python's None (收到“None”).
        if value is None:
            return None
        try:
            return parse(value)
        except InvalidValueError as exc:
            self._refusal = exc
            raise

    def _error(self, *args: Any) -> None:
        # cerberus hands a failed coercion on as its exception's text: the refusal it stands
        # for goes to the error handler instead, with the code and facts that word it.
        refusal, self._refusal = self._refusal, None
        if (refusal is not None and len(args) == 3 and args[1] is cerrors.COERCION_FAILED
                and args[2] == str(refusal)):
            args = (args[0], args[1], refusal)
        super()._error(*args)

    def _normalize_coerce_to_date(self, value: Any) -> Any:
        return self._parsed(parse_date, value)

    def _normalize_coerce_to_amount(self, value: Any) -> Any:
        return self._parsed(parse_amount, value)

    def _normalize_coerce_to_yes_no(self, value: Any) -> Any:
        return self._parsed(parse_yes_no, value)

    def _normalize_coerce_to_period_label(self, value: Any) -> Any:
        return period_label(value)

    def _normalize_coerce_strip(self, value: Any) -> Any:
        return value.strip() if isinstance(value, str) else value

    def _normalize_coerce_id_number(self, value: Any) -> Any:
        return id_text(value)

    # A value that failed its coercion stays as given and still meets min and max; a NaN (YAML's
    # .nan) compared with a Decimal bound raises decimal's InvalidOperation, where cerberus only
    # expects TypeError. Its coercion's problem already names it. (The docstrings are cerberus'
    # rule schemas, as in the methods overridden.)
    def _validate_min(self, min_value: Any, field: str, value: Any) -> None:
        """{'nullable': False }"""
        with contextlib.suppress(InvalidOperation):
            super()._validate_min(min_value, field, value)

    def _validate_max(self, max_value: Any, field: str, value: Any) -> None:
        """{'nullable': False }"""
        with contextlib.suppress(InvalidOperation):
            super()._validate_max(max_value, field, value)

    # A null reaches check_with (cerberus' nullable does not skip it): a blank that the schema
    # allows to be null is not a wrong number.
    def _check_number(self, field: str, value: Any, issue: Any, code: str) -> None:
        if value is None:
            return
        facts = issue(str(value))
        if facts:
            self._error(field, _Coded(code, facts))

    def _check_with_uscc(self, field: str, value: Any) -> None:
        self._check_number(field, value, uscc_issue, "invalid-uscc")

    def _check_with_resident_id(self, field: str, value: Any) -> None:
        self._check_number(field, value, resident_id_issue, "invalid-resident-id")

    def _check_with_period_label(self, field: str, value: Any) -> None:
        # As a regex rule would: text only (a number is the type rule's), the error a pattern's.
        if isinstance(value, str) and not PERIOD_LABEL.fullmatch(value):
            self._error(field, _Coded("format", {"pattern": PERIOD_LABEL.pattern, "value": value}))

    def _check_with_uscc_or_resident_id(self, field: str, value: Any) -> None:
        if value is None:
            return
        text = str(value).strip()
        # An all-digit USCC exists, so the shape alone cannot tell the two apart: accept either.
        if uscc_issue(text) and resident_id_issue(text):
            self._error(field, _Coded("invalid-uscc-or-resident-id", {}))
