"""The controlled vocabularies of the ledger (DESIGN §8.1): 诉讼状态, 中断事由, 保证方式.

Each column accepts its canonical values plus the synonyms listed under ``vocabulary`` in the
collection policy (``docgen/data/collection-policy.yaml``; a bank's policy file may add its
own). Text outside the vocabulary is a row error naming row and column, never a guess: a
status read as "not in court" silences every limitation warning.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from docgen.core.errors import InputError
from docgen.loans.messages import MESSAGES

LITIGATION_STATES: tuple[str, ...] = ("未起诉", "已起诉", "已判决", "执行中", "终结本次执行", "已撤诉", "已结案")
"""诉讼状态 values; an empty cell is 未起诉 (or 已起诉 when 起诉日期 is filled in)."""

PENDING_STATES: frozenset[str] = frozenset({"已起诉", "已判决", "执行中", "终结本次执行"})
"""States that count as litigation cases and stop limitation warnings (DESIGN §8.1)."""

JUDGED_STATES: frozenset[str] = frozenset({"已判决", "执行中", "终结本次执行", "已结案"})
"""States in which a judgment (or another enforceable title) exists."""

INTERRUPTION_TYPES: tuple[str, ...] = ("催收送达", "债务人确认", "部分还款", "起诉")
"""中断事由 values (art. 195); an empty cell with a 时效中断日 is 催收送达."""

REVIVING_TYPES: frozenset[str] = frozenset({"债务人确认", "部分还款"})
"""Events that revive a time-barred claim (art. 192: the debtor's own acknowledgment or payment)."""

GUARANTEE_TYPES: tuple[str, ...] = ("连带责任保证", "一般保证")
"""保证方式 values; empty with guarantors is 一般保证 (art. 686)."""

FIELDS: dict[str, tuple[str, ...]] = {
    "litigation": LITIGATION_STATES,
    "interruption_type": INTERRUPTION_TYPES,
    "guarantee_type": GUARANTEE_TYPES,
}
"""Ledger column -> its canonical values."""


_HALF_WIDTH = str.maketrans({"\uff0c": ",", "\uff08": "(", "\uff09": ")", "\u3001": ","})


def _key(text: str) -> str:
    # Full- and half-width commas, spaces and brackets differ between exports of the same word.
    return "".join(text.split()).translate(_HALF_WIDTH)


@dataclass(frozen=True)
class Vocabulary:
    """Text accepted in each controlled column: ``lookup[field][normalized text] -> canonical``."""

    lookup: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def canonical(self, name: str, text: str) -> str | None:
        """Return the canonical value of ``text`` in column ``name``, or None when it is not in the vocabulary."""
        return self.lookup[name].get(_key(text))


def build_vocabulary(synonyms: Mapping[str, Mapping[str, Any]] | None, source: str = "vocabulary") -> Vocabulary:
    """Return the vocabulary: every canonical value plus ``synonyms[field][canonical] = [text, ...]``.

    Raises ``InputError`` naming ``source`` when a synonym points at a value that does not exist
    or one text is given for two values.
    """
    lookup: dict[str, dict[str, str]] = {name: {_key(v): v for v in values} for name, values in FIELDS.items()}
    for name, entries in (synonyms or {}).items():
        if name not in FIELDS:
            raise MESSAGES.error(InputError, "vocabulary-unknown-column", source=source, name=name, available="、".join(FIELDS))
        for canonical, texts in (entries or {}).items():
            if canonical not in FIELDS[name]:
                raise MESSAGES.error(InputError, "vocabulary-not-canonical", source=source, name=name, canonical=canonical,
                            available="、".join(FIELDS[name]))
            for text in texts or []:
                key = _key(str(text))
                if lookup[name].get(key, canonical) != canonical:
                    raise MESSAGES.error(InputError, "vocabulary-synonym-taken", source=source, name=name, canonical=canonical,
                                text=text, taken_by=lookup[name][key])
                lookup[name][key] = canonical
    return Vocabulary(lookup)


@lru_cache(maxsize=1)
def default_vocabulary() -> Vocabulary:
    """Return the vocabulary of the shipped collection policy (its ``vocabulary`` key)."""
    from docgen.core.datafile import read_mapping

    path = Path(str(resources.files("docgen") / "data" / "collection-policy.yaml"))
    data = read_mapping(path, what=MESSAGES.text("file/policy"), what_en=MESSAGES.text("file/policy", lang="en"),
                        allow_empty=True)
    return build_vocabulary(data.get("vocabulary"), MESSAGES.text("vocabulary-source", {"source": path}))
