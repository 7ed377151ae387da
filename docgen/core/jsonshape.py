"""JSON shapes: one declaration per documented JSON output, rendered for the README and checked
against real output by the tests, so the documentation and the code cannot disagree unnoticed.

A shape is plain Python data:

- a ``dict`` maps keys to shapes; a key ending in ``?`` may be absent; a ``tuple`` of keys
  gives them all the same shape; ``None`` as a value means "any value" (a leaf);
- a one-element ``list`` is a list whose every entry has that shape;
- a ``str`` is a leaf described in words (``"row numbers"``), rendered bare;
- ``Literal(v)`` is exactly the JSON value ``v``; ``Nullable(s)`` is ``s`` or null;
  ``MapOf(label, s)`` is an object with data-dependent keys whose values have shape ``s``.

Keys must appear in the declared order: the README lists them as the output prints them.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from docgen.core.messages import MESSAGES

__all__ = ["Literal", "MapOf", "Nullable", "mismatches", "render"]


@dataclass(frozen=True)
class Literal:
    """Exactly this JSON value (e.g. ``Literal("misclassified")``, ``Literal(0)``)."""

    value: Any


@dataclass(frozen=True)
class Nullable:
    """The ``shape``, or null."""

    shape: Any


@dataclass(frozen=True)
class MapOf:
    """An object whose keys are data (rendered as ``label``), every value of ``shape``."""

    label: str
    shape: Any


def _entries(shape: dict[Any, Any]) -> list[tuple[str, bool, Any]]:
    """Return ``(key, optional, value shape)`` for each key of a dict shape, tuples expanded."""
    out = []
    for key, value in shape.items():
        for name in key if isinstance(key, tuple) else (key,):
            out.append((name.removesuffix("?"), name.endswith("?"), value))
    return out


def render(shape: Any) -> str:
    """Return ``shape`` in the README's notation, e.g. ``{"id", "items": [{"id", "title": {"zh", "en"}}]}``.

    Raises ``TypeError`` for something that is not a shape.
    """
    if shape is None:
        return "…"
    if isinstance(shape, str):
        return shape
    if isinstance(shape, Literal):
        return json.dumps(shape.value, ensure_ascii=False)
    if isinstance(shape, Nullable):
        return f"{render(shape.shape)} | null"
    if isinstance(shape, MapOf):
        return f"{{{shape.label}: {render(shape.shape)}}}"
    if isinstance(shape, list) and len(shape) == 1:
        return f"[{render(shape[0])}]"
    if isinstance(shape, dict):
        parts = []
        for key, value in shape.items():
            names = key if isinstance(key, tuple) else (key,)
            labels = [json.dumps(n.removesuffix("?"), ensure_ascii=False) + ("?" if n.endswith("?") else "")
                      for n in names]
            if value is None:
                parts += labels
            else:  # several keys of one shape: "officer"/"branch"/"category": [...]
                parts.append(f"{'/'.join(labels)}: {render(value)}")
        return "{" + ", ".join(parts) + "}"
    raise MESSAGES.fault(TypeError, "not-json-shape", shape=shape)


def mismatches(value: Any, shape: Any, where: str = "$") -> list[str]:
    """Return where ``value`` (parsed JSON) departs from ``shape``, one line each; [] when it conforms.

    Checks keys (none missing, none extra, in the declared order), list entries, nulls and
    literals; leaves (``None`` or a description) accept any value.
    """
    if shape is None or isinstance(shape, str):
        return []
    if isinstance(shape, Literal):
        return [] if value == shape.value else [f"{where}: {value!r} is not {shape.value!r}"]
    if isinstance(shape, Nullable):
        return [] if value is None else mismatches(value, shape.shape, where)
    if isinstance(shape, MapOf):
        if not isinstance(value, dict):
            return [f"{where}: expected an object, got {type(value).__name__}"]
        return [m for key, item in value.items() for m in mismatches(item, shape.shape, f"{where}.{key}")]
    if isinstance(shape, list):
        if not isinstance(value, list):
            return [f"{where}: expected a list, got {type(value).__name__}"]
        return [m for i, item in enumerate(value) for m in mismatches(item, shape[0], f"{where}[{i}]")]
    if isinstance(shape, dict):
        if not isinstance(value, dict):
            return [f"{where}: expected an object, got {type(value).__name__}"]
        entries = _entries(shape)
        declared = [name for name, _, _ in entries]
        out = [f"{where}: undocumented key {key!r}" for key in value if key not in declared]
        out += [f"{where}: missing key {name!r}" for name, optional, _ in entries
                if not optional and name not in value]
        present = [key for key in value if key in declared]
        if not out and present != [name for name in declared if name in value]:
            out.append(f"{where}: keys in order {present}, documented {declared}")
        for name, _, sub in entries:
            if name in value:
                out += mismatches(value[name], sub, f"{where}.{name}")
        return out
    raise MESSAGES.fault(TypeError, "not-json-shape", shape=shape)
