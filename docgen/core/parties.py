"""Guarantor cells of a ledger or a batch row split into the parties they name.

One splitter for every reader, so that the same 担保人 cell names the same guarantors in a batch's
letters and in the ledger's: 、 ; , / (ASCII or full-width) separate, never inside brackets; a
placeholder for none (无, N/A, ``/``, ``-`` …) names nobody. A letter must never name a party who is
not a guarantor (《民法典》第六百八十一条).
"""
from __future__ import annotations

import re

__all__ = ["AROUND_PLACEHOLDERS", "FULL_COMMA", "FULL_SEMICOLON", "FULL_SLASH", "GUARANTOR_SEPARATORS", "OPENINGS",
           "PLACEHOLDER_CHARACTERS", "SLASHES", "is_placeholder", "split_guarantor_ids", "split_guarantors",
           "split_party_values"]

# Written as escapes: full-width ； ， ／ look like ASCII in many editors and get folded into them.
FULL_SEMICOLON, FULL_COMMA, FULL_SLASH = "\uff1b", "\uff0c", "\uff0f"
# A slash separates guarantors as well (张三/李四, and a lone / for none): only in the guarantor
# columns, never in a contract number (眉农信借字2024/13号) or an address.
SLASHES = ("/", FULL_SLASH)
GUARANTOR_SEPARATORS = ("、", ";", FULL_SEMICOLON, ",", FULL_COMMA, *SLASHES)



def split_guarantors(text: str | None) -> list[str]:
    """Return the guarantor names in ``text``, separated by 、, ``;``, ``,`` or ``/`` (ASCII or
    full-width) or a line break, outside brackets (张三（夫/妻） is one name); a placeholder (无, N/A, ``-`` …:
    ``is_placeholder``), as the cell or between separators, and a cell of separators only (a lone
    ``/``) name none."""
    if not text:
        return []
    masked = _masked(text)
    names = _names_of(text if masked is None else masked)
    return names if masked is None else [name.translate(_UNMASK) for name in names]


def split_party_values(text: str | None) -> tuple[str, ...]:
    """Return the per-guarantor values in ``text`` (保证人地址, 保证人证件号码), in guarantor order.

    Values are separated by ``;`` (ASCII or full-width) when the cell has one (an address may itself hold 、),
    else by 、, never inside brackets; an empty value between separators is kept (that guarantor has none),
    and a placeholder (无, N/A, ``/``, ``-`` …: ``is_placeholder``) is such an empty value. Commas and
    slashes never separate: addresses hold them (眉县城关镇3/5号). An empty cell, or one of separators
    and placeholders only, gives ``()``.
    """
    if not text or not text.strip():
        return ()
    masked = _masked(text)
    values = _values_of(text if masked is None else masked)
    return values if masked is None else tuple(value.translate(_UNMASK) for value in values)


def split_guarantor_ids(text: str | None) -> tuple[str, ...]:
    """Return the guarantor ID numbers in ``text`` (保证人证件号码), in guarantor order: as
    ``split_party_values`` splits them, a slash (``/``, ``／``: 张三/李四's IDs) separating as 、
    does (no ID number holds one) outside brackets. A cell of separators or placeholders only (a
    lone ``/``, 无, N/A) gives ``()``."""
    if not text:
        return ()
    masked = _masked(text)
    plain = text if masked is None else masked
    if "/" in plain or FULL_SLASH in plain:
        plain = _NOT_APPLICABLE.sub(r"\1", plain)  # N/A before its slash separates N from A
        for slash in SLASHES:
            plain = plain.replace(slash, GUARANTOR_SEPARATORS[0])
    values = _values_of(plain) if plain.strip() else ()
    return values if masked is None else tuple(value.translate(_UNMASK) for value in values)


def _names_of(text: str) -> list[str]:
    """Return ``split_guarantors(text)`` of a ``text`` whose bracketed separators are masked."""
    if "/" in text or FULL_SLASH in text:
        text = _NOT_APPLICABLE.sub(r"\1", text)  # N/A before its slash separates N from A
    # A line break separates names as well (a cell of one name a line, as a batch has always read it).
    for sep in (*GUARANTOR_SEPARATORS[1:], "\r", "\n"):
        text = text.replace(sep, GUARANTOR_SEPARATORS[0])
    return [name for name in _cleaned(text, text.split(GUARANTOR_SEPARATORS[0])) if name]


def _values_of(text: str) -> tuple[str, ...]:
    """Return ``split_party_values(text)`` of a non-blank ``text`` whose bracketed separators are
    masked: ``()`` when no value is left (a cell of separators or placeholders only says none)."""
    text = text.replace(FULL_SEMICOLON, ";")
    values = _cleaned(text, text.split(";") if ";" in text else text.split(GUARANTOR_SEPARATORS[0]))
    return tuple(values) if any(values) else ()


def _cleaned(text: str, parts: list[str]) -> list[str]:
    """Return ``parts`` (of ``text``) stripped, each placeholder made the empty text: a placeholder
    is looked for only when ``text`` holds a character of one (a pass in C)."""
    values = list(map(str.strip, parts))
    if _PLACEHOLDER_CHARACTER(text) is None:
        return values
    return ["" if is_placeholder(value) else value for value in values]


def is_placeholder(value: str) -> bool:
    """Whether ``value`` (a guarantor's name, ID number or address) says "none": 无, 暂无, 没有,
    N/A, NA (any case), dashes (-, --, —, ——), slashes or commas only, white space inside and
    dashes, slashes and commas around it ignored (无/, -无-). A letter must never name a party who
    is not a guarantor (《民法典》第六百八十一条)."""
    key = "".join(value.split()).upper().strip(AROUND_PLACEHOLDERS)
    return not key or key in _PLACEHOLDERS


def _masked(text: str) -> str | None:
    """Return ``text`` with each separator inside brackets (（）, (), 【】, []) made a private
    character (``_UNMASK`` makes it again), or None when ``text`` opens no bracket (no pass in
    Python then: cells with a bracket are rare). A bracket never closed masks nothing (None): it
    would hold the rest of the cell, the guarantors after it read as one name with it (张三（夫妻、李四),
    where a typing slip is likelier than a name running to the cell's end."""
    if _OPENING_BRACKET(text) is None:
        return None
    out, depth = [], 0
    for char in text:
        if char in OPENINGS:
            depth += 1
        elif char in _CLOSINGS:
            depth = max(depth - 1, 0)
        elif depth:
            char = char.translate(_MASK)
        out.append(char)
    return None if depth else "".join(out)


OPENINGS, _CLOSINGS = "\uff08(\u3010[", "\uff09)\u3011]"  # （ ( 【 [ and their closings
_OPENING_BRACKET = re.compile("[\uff08(\u3010\\[]").search
_MASKED = "\u3001;\uff1b,\uff0c/\uff0f"  # every character that separates some guarantor column
_MASK = str.maketrans({char: chr(0xF0000 + at) for at, char in enumerate(_MASKED)})
_UNMASK = str.maketrans({chr(0xF0000 + at): char for at, char in enumerate(_MASKED)})
# Placeholders for "none" as is_placeholder compares them (white space removed, upper case).
_PLACEHOLDERS = frozenset({"\u65e0", "\u6682\u65e0", "\u6ca1\u6709", "N/A", "N\uff0fA", "NA"})  # 无 暂无 没有
AROUND_PLACEHOLDERS = "-\u2014\uff0d\u2015/\uff0f,\uff0c\u3001;\uff1b"  # - — － ― / ／ , ， 、 ; ；
PLACEHOLDER_CHARACTERS = "\u65e0\u6ca1Nn" + AROUND_PLACEHOLDERS  # 无 没 N n
_PLACEHOLDER_CHARACTER = re.compile(f"[{re.escape(PLACEHOLDER_CHARACTERS)}]").search
# N/A as a value of its own (between separators or the cell's ends, white space and dashes around
# it), any case: made the empty value, the separator before it kept.
_NOT_APPLICABLE = re.compile("(^|[\u3001;\uff1b,\uff0c/\uff0f\x00])[\\s\\-\u2014\uff0d\u2015]*[Nn]\\s*[/\uff0f]\\s*[Aa]"
                             "[\\s\\-\u2014\uff0d\u2015]*(?=[\u3001;\uff1b,\uff0c/\uff0f\x00]|$)")
