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

from docgen.core.errors import DocgenError, InputError
from docgen.core.textcodec import lone_surrogate

#: libyaml's loader when it is compiled in (several times faster), else the pure one; both safe.
SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_yaml(text: str) -> Any:
    """Parse YAML ``text`` with a safe loader; raises ``yaml.YAMLError``."""
    return yaml.load(text, Loader=SafeLoader)  # noqa: S506 - a safe loader


def yaml_error_where(exc: yaml.YAMLError) -> tuple[int, int] | None:
    """Return the 1-based ``(line, column)`` a YAML error points at, when it says."""
    mark = getattr(exc, "problem_mark", None)
    return (mark.line + 1, mark.column + 1) if mark is not None else None


def yaml_error_problem(exc: yaml.YAMLError) -> str:
    """Return the short description of a YAML error (without libyaml's context lines)."""
    return getattr(exc, "problem", None) or str(exc).splitlines()[0]


def read_mapping(
    path: str | os.PathLike[str],
    *,
    what: str,
    error: type[DocgenError] = InputError,
    hint: str = "",
    allow_empty: bool = False,
) -> dict[str, Any]:
    """Return the mapping at the top of a YAML (or ``.json``) file.

    ``what`` names the file for people (e.g. ``催收策略文件``); ``hint`` is appended to the
    "not a mapping" message (e.g. an example key). An empty file gives ``{}`` when
    ``allow_empty``. Raises ``error`` (``InputError`` by default) naming the file, and the
    line and column of a syntax error.
    """
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise error(f"{file}: {what}不存在;请检查路径") from None
    except UnicodeDecodeError:
        raise error(f"{file}: {what}不是 UTF-8 编码;请用 UTF-8 保存") from None
    except OSError as exc:
        raise error(f"{file}: 无法读取{what}({exc.strerror})") from None
    try:
        data = json.loads(text) if file.suffix.lower() == ".json" else parse_yaml(text)
    except json.JSONDecodeError as exc:
        raise error(f"{file} 第{exc.lineno}行第{exc.colno}列: {what}不是合法的 JSON:{exc.msg}") from None
    except yaml.YAMLError as exc:
        where = yaml_error_where(exc)
        at = f" 第{where[0]}行第{where[1]}列" if where else ""
        raise error(f"{file}{at}: {what}不是合法的 YAML:{yaml_error_problem(exc)};请检查缩进和冒号") from None
    if data is None and allow_empty:
        return {}
    if not isinstance(data, dict):
        raise error(f"{file}: {what}顶层应为映射(键: 值){hint}")
    where = lone_surrogate(data)
    if where is not None:
        raise error(f"{file}: {what}中 {where} 含有无效字符(孤立的 UTF-16 代理项,如 JSON 的 \\ud800);请删除或改正该值")
    return data

