"""Message tables: wording kept apart from identity.

Each part (core, check, documents, loans, service and the command line) keeps all its Chinese and English sentences in one
``MessageTable`` (its ``messages`` module), keyed by the stable code a finding, problem or
notice carries; the code and structured facts are what programs and tests look at, the
sentence is rendered from them. An entry is a ``str.format`` template over the facts, or a
function of the facts when the sentence needs a choice (a list joined with 、, a clause that
only some facts call for).

A value the user gave is quoted the Chinese way (GB/T 15834), “2026Q5”, not as Python's ``repr``
quotes it ('2026Q5', ASCII marks beside Chinese): a template writes ``{text!q}``, a function of
the facts calls ``quoted``. English wording keeps ``{text!r}``.
"""
from __future__ import annotations

import numbers
import re
import string
from collections.abc import Callable, Mapping
from decimal import Decimal, localcontext
from typing import Any, TypeVar, Union

from docgen.core.errors import DocgenError
from docgen.core.notices import Notice
from docgen.core.problems import Problem

__all__ = ["QUOTE_LIMIT", "Derive", "Entry", "MessageTable", "command_word", "fill", "joined", "quoted", "reason_of"]

#: One wording: a ``str.format`` template over the facts, or a function of the facts.
Entry = Union[str, Callable[[Mapping[str, Any]], str]]
#: Facts a table computes from the given ones for a language (names of kinds, say), so that its
#: entries stay plain templates.
Derive = Callable[[Mapping[str, Any], str], Mapping[str, Any]]

_E = TypeVar("_E", bound=DocgenError)
_F = TypeVar("_F", bound=Exception)


class _Blank(dict):  # type: ignore[type-arg]
    """Format mapping that renders an absent fact as empty rather than raising."""

    def __missing__(self, key: str) -> str:
        return ""


#: The most characters a quoted value shows between its quotation marks; a longer one is cut to
#: its first ``QUOTE_LIMIT - 1`` shown characters and …, so that a row's message stays readable
#: and says which value is meant (a CSV cell of 309 digits, a pasted paragraph). Long enough for
#: what people write on purpose and may need to see whole: a client folder four levels deep, a
#: policy's ``when`` condition, a filename pattern.
QUOTE_LIMIT = 120
#: The longest a number is written whole (a 20-digit account number, say); a longer one is
#: written in scientific notation to ``_NUMBER_DIGITS`` significant digits, as many as Excel shows.
_NUMBER_WIDTH, _NUMBER_DIGITS = 20, 15


def _number_text(value: numbers.Number) -> str:
    """Return ``value`` as ``str`` writes it or, when that is longer than ``_NUMBER_WIDTH``, in
    scientific notation without trailing zeros: a whole-number cell of 1e308 (read as a
    309-digit ``int``) is written ``1e+308``, as Python writes the float it came from."""
    text = str(value)
    if len(text) <= _NUMBER_WIDTH or not isinstance(value, (int, float, Decimal)):
        return text
    number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if not number.is_finite():
        return text
    with localcontext() as context:
        context.prec = _NUMBER_DIGITS
        number = (+number).normalize()  # unary plus rounds to the context's precision
    return f"{number:e}"


def quoted(value: Any) -> str:
    """Return ``value`` between the Chinese quotation marks “ ”, with what cannot be seen spelled
    out as ``repr`` spells it: ``“2026Q5”``, ``“a\\tb”`` for a tab, ``“\\u200b2026Q5”`` for a
    zero-width space, ``“a\\\\b”`` for a backslash (so that an escape is never mistaken for typed
    text). Spaces at either end show against the quotation marks. A number is written as ``str``
    writes it (``“NaN”``, not ``Decimal('NaN')``), one of more than 20 characters in scientific
    notation (``“1e+308”``: ``_number_text``); any other value as its ``repr`` (``“None”``,
    ``“Undefined”``: a template's missing field, whose ``str`` would raise). What would show more
    than ``QUOTE_LIMIT`` characters is cut to its first ``QUOTE_LIMIT - 1`` and ``…`` (an escape
    is never cut in two)."""
    if isinstance(value, str):
        text = value
    else:
        text = _number_text(value) if isinstance(value, numbers.Number) and not isinstance(value, bool) else repr(value)
    if len(text) <= QUOTE_LIMIT and text.isprintable() and "\\" not in text:
        return f"“{text}”"  # what almost every message quotes: short, plain text
    shown: list[str] = []
    width = 0
    for ch in text:
        # repr of one character is its escape between quotes; printable characters stay as typed
        piece = ch if ch.isprintable() and ch != "\\" else repr(ch)[1:-1]
        width += len(piece)
        shown.append(piece)
        if width > QUOTE_LIMIT:
            break
    if width > QUOTE_LIMIT:
        while width > QUOTE_LIMIT - 1:
            width -= len(shown.pop())
        shown.append("…")
    return f"“{''.join(shown)}”"


def reason_of(exc: BaseException) -> str:
    """Return what a library's exception says, fit for the parenthesis of a one-line message:
    its first non-blank line (a Rust or YAML error adds context lines, a traceback of its own),
    cut like a quoted value to ``QUOTE_LIMIT - 1`` characters and ``…`` when longer; the
    exception's class name when it says nothing."""
    text = next((line.strip() for line in str(exc).splitlines() if line.strip()), "")
    if not text:
        return type(exc).__name__
    return text if len(text) <= QUOTE_LIMIT else text[:QUOTE_LIMIT - 1] + "…"


class _Formatter(string.Formatter):
    """``str.format`` with the conversion ``!q`` (``quoted``) beside ``!r`` and ``!s``; ``fill``
    passes the facts as its keyword mapping."""

    def convert_field(self, value: Any, conversion: str | None) -> Any:
        return quoted(value) if conversion == "q" else super().convert_field(value, conversion)


_FORMATTER = _Formatter()


def fill(template: str, facts: Mapping[str, Any]) -> str:
    """Return ``template`` filled with ``facts`` as ``str.format_map`` fills it, ``{name!q}``
    written as ``quoted(facts["name"])``. Raises what ``str.format_map`` raises for a fact the
    mapping lacks or a spec the value refuses."""
    # Most templates quote nothing: str.format_map is several times faster than string.Formatter.
    return template.format_map(facts) if "!q" not in template else _FORMATTER.vformat(template, (), facts)


#: What a shell reads as more than one plain word; plain Chinese is not, so it stays unquoted.
_SHELL_SPECIAL = re.compile(r"[\s'\"$`\\!*?&;|<>()\[\]{}#~]")


def command_word(text: str) -> str:
    """Return ``text`` (a path) as one word of a command docgen suggests, quoted for the shell
    (``'/客户 资料/华安'``) only when it holds a space or a character the shell would read, so
    that the line runs as pasted."""
    import shlex

    return shlex.quote(text) if _SHELL_SPECIAL.search(text) else text


def joined(template: str, *keys: str, sep: str = "、") -> Callable[[Mapping[str, Any]], str]:
    """Return an entry that fills ``template`` with the facts, each fact named in ``keys`` (a list)
    written as its items joined by ``sep`` (by default the 、 that parts a Chinese list)."""
    def entry(facts: Mapping[str, Any]) -> str:
        return fill(template, _Blank({**facts, **{key: sep.join(map(str, facts[key])) for key in keys}}))

    return entry


class MessageTable:
    """Code -> wording per language (``zh``, and ``en`` where a part speaks English).

    ``name`` says whose table it is in errors. Raises ``KeyError`` for a code the table lacks:
    a code without wording is a bug, found by the tests that render every code.
    """

    def __init__(self, name: str, zh: Mapping[str, Entry], en: Mapping[str, Entry] | None = None, *,
                 derive: Derive | None = None) -> None:
        self.name = name
        self._tables: dict[str, Mapping[str, Entry]] = {"zh": zh, "en": en or {}}
        self._derive = derive

    @classmethod
    def bilingual(cls, name: str, entries: Mapping[str, tuple[Entry, ...]], *,
                  derive: Derive | None = None) -> MessageTable:
        """Return a table from ``code: (Chinese,)`` or ``code: (Chinese, English)`` entries."""
        return cls(name, {code: pair[0] for code, pair in entries.items()},
                   {code: pair[1] for code, pair in entries.items() if len(pair) > 1}, derive=derive)

    def codes(self, lang: str = "zh") -> set[str]:
        """Return every code with wording in ``lang``."""
        return set(self._tables[lang])

    def entry(self, code: str, lang: str = "zh") -> Entry:
        """Return the wording of ``code`` in ``lang`` as written: a template or a function of the
        facts (for the tests that render every entry). Raises ``KeyError`` when there is none."""
        return self._tables[lang][code]

    def text(self, code: str, facts: Mapping[str, Any] | None = None, lang: str = "zh") -> str:
        """Return the sentence for ``code`` filled with ``facts`` in ``lang``.

        Raises ``KeyError`` naming the table and code when there is no such wording.
        """
        try:
            entry = self._tables[lang][code]
        except KeyError:
            from docgen.core.messages import MESSAGES  # core's table is built with this class

            if self is MESSAGES and code == "no-wording":  # core's own entry gone: say so plainly
                raise
            raise MESSAGES.fault(KeyError, "no-wording", table=self.name, lang=lang, code=code) from None
        values = _Blank(facts or {})
        if self._derive is not None:
            values.update(self._derive(values, lang))
        return entry(values) if callable(entry) else fill(entry, values)

    def problem(self, code: str, path: str, *, row: int | None = None, column: str | None = None,
                **facts: Any) -> Problem:
        """Return a ``Problem`` with ``code``, ``facts`` and the Chinese sentence they render to."""
        return Problem(path, self.text(code, facts), row=row, column=column, code=code, facts=facts)

    def error(self, cls: type[_E], code: str, /, *args: Any, **facts: Any) -> _E:
        """Return a ``cls`` exception worded by ``code`` in Chinese, carrying ``code`` and ``facts``.

        This is the one way a ``DocgenError`` is built, from whichever part's table. ``args`` go
        to ``cls`` after the sentence (a ``ProblemsError``'s problems). Raises ``KeyError`` when
        the table has no wording for ``code``.
        """
        exc = cls(self.text(code, facts), *args)
        exc.code = code
        exc.facts = dict(facts)
        return exc

    def fault(self, cls: type[_F], code: str, /, **facts: Any) -> _F:
        """Return a built-in ``cls`` exception (``ValueError``, ``KeyError`` …) for a program's own
        mistake, worded in English by ``code``, carrying ``code`` and ``facts``.

        Its reader is a programmer calling the library, so the wording is the table's English
        one. Raises ``KeyError`` when the table has no English wording for ``code``.
        """
        exc = cls(self.text(code, facts, "en"))
        exc.code = code  # type: ignore[attr-defined]
        exc.facts = dict(facts)  # type: ignore[attr-defined]
        return exc

    def notice(self, code: str, /, **facts: Any) -> Notice:
        """Return ``code`` with ``facts`` as a ``Notice`` worded in Chinese, and in English where
        the table has it. Raises ``KeyError`` when there is no Chinese wording for ``code``."""
        english = self.text(code, facts, "en") if code in self._tables["en"] else ""
        return Notice(code, self.text(code, facts), english, dict(facts))


def english_of(error: BaseException, *tables: MessageTable) -> str:
    """Return ``error`` (a ``DocgenError``) worded in English by its code and facts: by the first of
    ``tables`` that has English for its code; its own (Chinese) text when none has."""
    code = getattr(error, "code", None)
    for table in tables:
        if code in table.codes("en"):
            return table.text(code, getattr(error, "facts", {}), "en")
    return str(error)
