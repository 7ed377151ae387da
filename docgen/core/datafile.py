"""Reading the small YAML/JSON files users write: policies, targets, notes, template data.

One place decides how a bad file is reported: the file, the line and column, what is wrong
and how to fix it, as one line and with the exception class the caller's contract names.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import yaml

from docgen.core.access import when_denied
from docgen.core.errors import DocgenError, InputError
from docgen.core.messages import CONTENT_NAMES, MESSAGES
from docgen.core.regularfile import read_regular
from docgen.core.textcodec import decode_chinese, lone_surrogate

#: libyaml's loader when it is compiled in (several times faster), else the pure one; both safe.
_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class SafeLoader(_BaseLoader):  # type: ignore[misc, valid-type]
    """The safe loader, except that a date or time that does not exist (``2026-02-30``,
    ``25:00``) stays the text it is: the field's own check names it, where PyYAML would raise
    a bare ``ValueError`` from its timestamp constructor."""

    def construct_yaml_timestamp(self, node: yaml.Node) -> Any:
        try:
            return super().construct_yaml_timestamp(node)
        except (ValueError, OverflowError):
            return self.construct_scalar(node)

    def construct_yaml_int(self, node: yaml.Node) -> Any:
        """An integer, except one of more digits than Python converts (4,300) stays its text,
        for the field's check to name (PyYAML would raise a bare ``ValueError``)."""
        try:
            return super().construct_yaml_int(node)
        except ValueError:
            return self.construct_scalar(node)


SafeLoader.add_constructor("tag:yaml.org,2002:timestamp", SafeLoader.construct_yaml_timestamp)
SafeLoader.add_constructor("tag:yaml.org,2002:int", SafeLoader.construct_yaml_int)


def parse_yaml(text: str) -> Any:
    """Parse YAML ``text`` with a safe loader; raises ``yaml.YAMLError``."""
    return yaml.load(text, Loader=SafeLoader)  # noqa: S506 - a safe loader


def _json_int(text: str) -> int | str:
    """An integer, or its text when it has more digits than Python converts (as YAML's stay)."""
    try:
        return int(text)
    except ValueError:
        return text


def parse_json(text: str | bytes) -> Any:
    """Parse JSON ``text``; an integer too long to convert stays its text (as in ``parse_yaml``).

    Raises ``json.JSONDecodeError`` (a ``ValueError``) for bad syntax, and for nesting deeper
    than the parser can follow (at the start of the text).
    """
    try:
        return json.loads(text, parse_int=_json_int)
    except RecursionError:
        raise json.JSONDecodeError(MESSAGES.text("json-too-deep"), text if isinstance(text, str) else "", 0) from None


def yaml_error_where(exc: yaml.YAMLError) -> tuple[int, int] | None:
    """Return the 1-based ``(line, column)`` a YAML error points at, when it says."""
    mark = getattr(exc, "problem_mark", None)
    return (mark.line + 1, mark.column + 1) if mark is not None else None


def yaml_error_problem(exc: yaml.YAMLError) -> str:
    """Return the short description of a YAML error (without libyaml's context lines)."""
    return getattr(exc, "problem", None) or str(exc).splitlines()[0]


def binary_content(raw: bytes) -> str | None:
    """Return the kind (``docgen.core.sniff``) of a file that is plainly no text, an Excel
    workbook, a PDF, a Word document, an image or a ZIP, else None: its bytes would otherwise be
    reported as an encoding or a YAML syntax that cannot be fixed, being neither."""
    from docgen.core.sniff import UTF16_BOMS, looks_like_text, sniff_kind

    head = raw[:1 << 16]
    if head.startswith(b"%PDF-"):
        return "pdf"  # its first kilobytes often decode as GB18030
    if not head or looks_like_text(head) or head.startswith(UTF16_BOMS):
        return None
    kind = sniff_kind(raw)
    return kind if kind in CONTENT_NAMES and kind not in ("unknown", "empty") else None


def read_mapping(
    path: str | os.PathLike[str],
    *,
    what: str,
    what_en: str = "",
    error: type[DocgenError] = InputError,
    hint: str = "",
    hint_en: str = "",
    allow_empty: bool = False,
) -> dict[str, Any]:
    """Return the mapping at the top of a YAML (or ``.json``) file.

    The bytes are decoded as a CSV's are (``decode_chinese``): UTF-8 (a BOM stripped), UTF-16
    by its BOM, GB18030 (so GBK), and charset-normalizer's guess only when none of them does.

    ``what`` names the file for people (e.g. ``催收策略文件``), ``what_en`` in English for the service's
    English pages (``collection policy file``; ``file`` when not given); ``hint`` (``hint_en``) is
    appended to the "not a mapping" message (e.g. an example key). An empty file gives ``{}`` when
    ``allow_empty``. Raises ``error`` (``InputError`` by default) naming the file (and what it
    holds instead, when it is a workbook, a PDF, a Word document, an image or a ZIP), and the
    line and column of a syntax error.
    """
    file = Path(path)
    named = {"what": what, "what_en": what_en}  # every error names the file's kind, in either language
    try:
        raw = read_regular(file)
    except FileNotFoundError:
        raise MESSAGES.error(error, "datafile-not-found", file=str(file), **named) from None
    except OSError as exc:
        when_denied(exc, error, file)
        raise MESSAGES.error(error, "datafile-unreadable", file=str(file), **named, reason=exc.strerror) from None
    content = binary_content(raw)
    if content is not None:  # the batch's spreadsheet given as --data, a scan as the policy
        raise MESSAGES.error(error, "datafile-not-text", file=str(file), **named, content=CONTENT_NAMES[content])
    # The decoder a CSV goes through: Notepad on Chinese Windows saves these files in GBK.
    text = decode_chinese(raw)
    if text is None:
        raise MESSAGES.error(error, "datafile-undecodable", file=str(file), **named)
    try:
        data = parse_json(text) if file.suffix.lower() == ".json" else parse_yaml(text)
    except json.JSONDecodeError as exc:
        raise MESSAGES.error(error, "datafile-json-syntax", file=str(file), **named, line=exc.lineno,
                             column=exc.colno, problem=exc.msg) from None
    except yaml.YAMLError as exc:
        line, column = yaml_error_where(exc) or (None, None)
        raise MESSAGES.error(error, "datafile-yaml-syntax", file=str(file), **named, line=line, column=column,
                             problem=yaml_error_problem(exc)) from None
    if data is None and allow_empty:
        return {}
    if not isinstance(data, dict):
        raise MESSAGES.error(error, "datafile-not-mapping", file=str(file), **named, hint=hint, hint_en=hint_en)
    where = lone_surrogate(data)
    if where is not None:
        raise MESSAGES.error(error, "datafile-lone-surrogate", file=str(file), **named, where=where)
    return data

