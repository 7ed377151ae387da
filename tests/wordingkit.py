"""What the wording tests share: sample facts to render a message entry with, and where Chinese
text on screen breaks GB/T 15834 (``docgen.core.typography.ascii_punctuation`` and
``ascii_quotes`` decide).

The rule the wording follows (GB/T 15834): Chinese text takes the full-width ``，：；（）！？``,
and a mark that touches Chinese, or a full-width mark, on either side is full-width, so a
Chinese clause followed by an English one ends with a full-width mark
(``期末贷款台账（.xlsx / .csv），closing snapshot of the loan ledger.``). ASCII stays inside
English clauses, also around a Chinese term they name (``credit (客户经理)``), and in what is
quoted verbatim between “ ” or ` ` (a value the user types, a YAML example, a menu item). A
value the user gave is quoted with “ ” too (``{text!q}``), never with the ASCII ``' '`` of ``repr``;
an apostrophe inside an English clause (``the bank's``) is no quotation mark.
"""
from __future__ import annotations

import html
import inspect
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from docgen.core.typography import ascii_punctuation, ascii_quotes
from docgen.core.wording import fill

_QUOTED = re.compile(r"“[^”]*”|`[^`]*`")
#: Where help text parts into clauses of one language: column gaps (a line's indentation too, once
#: lines are joined), click's no-rewrap mark, the `` / `` between an English and a Chinese wording,
#: the end of a Chinese sentence.
_CLAUSE_BREAK = re.compile(r"\s{2,}|\x08| / |(?<=。)")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]")


def punctuation_problems(text: str) -> list[str]:
    """Return a snippet around every ASCII mark or quotation mark beside Chinese in ``text``,
    quotations apart."""
    # A quotation is kept as one Chinese character, so the marks around it are still judged.
    plain = _QUOTED.sub("〇", text)
    return [plain[max(0, i - 8):i + 8] for i, _ in sorted(ascii_punctuation(plain) + ascii_quotes(plain))]


#: Each opening bracket and the closing one that answers it: a full-width ``（`` is closed by ``）``,
#: an ASCII ``(`` by ``)``, never by the other.
_PAIRS = {"（": "）", "(": ")"}
_CLOSERS = {close: open_ for open_, close in _PAIRS.items()}


def bracket_problems(text: str) -> list[str]:
    """Return a snippet around every bracket in ``text`` that is not answered by its own kind
    (``（… )``, a lone ``(`` or ``）``), quotations apart."""
    plain = _QUOTED.sub("〇", text)
    found, stack = [], []
    for i, mark in enumerate(plain):
        if mark in _PAIRS:
            stack.append(i)
        elif mark in _CLOSERS:
            if stack and plain[stack[-1]] == _CLOSERS[mark]:
                stack.pop()
            else:
                found.append(plain[max(0, i - 12):i + 4])
                if stack:
                    stack.pop()
    return found + [plain[i:i + 12] for i in stack]


#: A location heading a Chinese sentence with an English colon (``policy.yaml.to: once 步骤…``):
#: the location is part of the sentence and takes its full-width colon.
_LOCATION_HEAD = re.compile(r"^[^\s：:]+: (?=.*[\u3400-\u4dbf\u4e00-\u9fff])")
#: Syntax the user types, given full-width outside quotation marks: a key and value placeholder
#: (``键：值``) or a key named with its colon and nothing after it (``bundle：（…``). An IME's
#: full-width colon is what breaks a YAML file, so the typed form is quoted in ASCII (“键: 值”).
_TYPED_SYNTAX = re.compile(r"[\w.]+：(?=值|[（）])")


def location_problems(text: str) -> list[str]:
    """Return the head of ``text`` when a location opens a Chinese sentence with an ASCII ``: ``,
    quotations apart."""
    plain = _QUOTED.sub("〇", text)
    return [m.group() for m in [_LOCATION_HEAD.match(plain)] if m]


def typed_syntax_problems(text: str) -> list[str]:
    """Return every bit of syntax to be typed that ``text`` gives with a full-width colon outside
    quotation marks (``（键：值）``, ``缺少 bundle：（…）``)."""
    return _TYPED_SYNTAX.findall(_QUOTED.sub("〇", text))


_UNSEEN = re.compile(r"<(script|style)\b.*?</\1>|<!--.*?-->", re.S)
_TAG = re.compile(r"<[^>]*>")


def page_problems(page: str, verbatim: Iterable[str] = ()) -> list[str]:
    """Return a snippet around every ASCII mark beside Chinese, and every bracket not closed by
    its own kind, in the text an HTML ``page`` shows (tags, scripts and styles apart); the texts
    in ``verbatim`` (a template's title as its metadata gives it) are shown as written, apart."""
    text = html.unescape(_TAG.sub("", _UNSEEN.sub("", page)))
    for shown in verbatim:
        text = text.replace(shown, "〇")
    return punctuation_problems(text) + bracket_problems(text)


def chinese_clauses(help_text: str) -> Iterator[str]:
    """Yield the clauses of ``help_text`` that are Chinese: those that begin with a Han character
    or hold more Han characters than Latin letters. An English clause that names a Chinese term
    (``credit (客户经理)``) is English and keeps ASCII around it."""
    for clause in _CLAUSE_BREAK.split(inspect.cleandoc(help_text).replace("\n", " ")):
        first = _HAN.search(clause)
        if first is None:
            continue
        latin = _LATIN.search(clause)
        if latin is None or first.start() < latin.start() or len(_HAN.findall(clause)) > len(_LATIN.findall(clause)):
            yield clause


class Fact(str):
    """A sample fact: Chinese text (the hardest neighbour for a mark) that also serves where an
    entry takes a number (format specs, arithmetic), a list (iteration, pairs, indexing) or a
    mapping (``label["zh"]``)."""

    def __new__(cls) -> Fact:
        return super().__new__(cls, "甲乙")

    def __format__(self, spec: str) -> str:
        try:
            return format(str(self), spec)
        except ValueError:  # a numeric spec (``:,`` ``.0f`` ``g``): the fact is a number
            return format(5, spec)

    def __getitem__(self, key: Any) -> Fact:
        return self

    def __iter__(self) -> Iterator[Fact]:
        return iter((Fact(), Fact()))

    def __mul__(self, other: Any) -> Fact:
        return self

    __rmul__ = __truediv__ = __sub__ = __rsub__ = __add__ = __mul__

    def __lt__(self, other: Any) -> bool:
        return 5 < other if isinstance(other, (int, float)) else str.__lt__(self, other)

    def __gt__(self, other: Any) -> bool:
        return 5 > other if isinstance(other, (int, float)) else str.__gt__(self, other)

    def __int__(self) -> int:
        return 5

    def __float__(self) -> float:
        return 5.0

    def normalize(self) -> Fact:  # a Decimal's
        return self


class Facts(dict):  # type: ignore[type-arg]
    """Facts in which every name is a ``Fact``; ``optional`` says whether ``get`` finds them too
    (an entry's optional clauses present) or not (absent)."""

    def __init__(self, *, optional: bool) -> None:
        super().__init__()
        self.optional = optional

    def __missing__(self, key: str) -> Fact:
        return Fact()

    def __contains__(self, key: object) -> bool:
        return self.optional

    def get(self, key: str, default: Any = None) -> Any:
        return self[key] if self.optional else default


def renderings(entry: str | Callable[[Mapping[str, Any]], str],
               samples: Iterable[Mapping[str, Any]] = ()) -> list[str]:
    """Return ``entry`` rendered with sample facts, those of each of ``samples`` over them (facts
    an entry looks up in a table of its own, or that are never Chinese); a function of the facts
    with its optional facts given and without. Raises what the entry raises when it cannot take
    any of them."""
    texts, failure = [], None
    for given in samples or ({},):
        for optional in (True, False) if callable(entry) else (True,):
            facts = Facts(optional=optional)
            facts.update(given)
            try:
                texts.append(entry(facts) if callable(entry) else fill(entry, facts))
            except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
                failure = exc
    if not texts and failure is not None:
        raise failure
    return texts


def typed_values(data: Any) -> list[str]:
    """Return every key and value in ``data`` (what a user typed in a YAML file), each as typed and
    as English wording quotes it (``repr``), longest first: what a sweep takes out of a message
    before looking for Chinese that docgen wrote."""
    found: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                found.add(str(key))
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        elif value is not None:
            found.update({str(value), repr(value)})

    walk(data)
    return sorted(found, key=len, reverse=True)
