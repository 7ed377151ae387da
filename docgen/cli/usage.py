"""click's own usage errors in the command line's language: Chinese unless ``--lang en`` is given.

click words what it refuses (a missing option, a value not among the choices, no such file, an
unknown option or command) through ``gettext``: each of its modules calls ``_`` and ``ngettext``
on an English message id, then fills it. ``install`` puts docgen's in their place: while a
``docgen`` command line runs in Chinese (``speaking``), a message id listed in
``docgen.cli.messages.CLICK_WORDS`` is answered with its Chinese template (the same placeholders,
which click fills); otherwise what click's module's own ``gettext`` answers (its English, or a
translation a program using click installed). The exit code (2) and the ``Error:`` line are click's.
"""
from __future__ import annotations

import contextvars
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

from docgen.cli.messages import CLICK_WORDS
from docgen.cli.messages import MESSAGES as CLI

__all__ = ["asked_lang", "install", "speaking"]

#: The language click's words are said in; None outside a ``docgen`` command line (click used by
#: anything else in the process says them as it does).
_LANG: contextvars.ContextVar[str | None] = contextvars.ContextVar("docgen_cli_lang", default=None)
#: click's modules that word usage errors.
_MODULES = ("click.core", "click.exceptions", "click.types", "click.parser")


def asked_lang(args: Sequence[str]) -> str:
    """Return the language a command line asks for: ``en`` when its last ``--lang`` (before a
    ``--`` ending the options) is ``en``, else ``zh``, docgen's language."""
    lang = "zh"
    words = list(args)
    for index, word in enumerate(words):
        if word == "--":
            break
        if word == "--lang" and index + 1 < len(words):
            lang = words[index + 1]
        elif word.startswith("--lang="):
            lang = word.split("=", 1)[1]
    return "en" if lang == "en" else "zh"


@contextmanager
def speaking(lang: str) -> Iterator[None]:
    """Say click's words in ``lang`` while the block runs (a command line)."""
    token = _LANG.set(lang)
    try:
        yield
    finally:
        _LANG.reset(token)


def _chinese(message: str) -> str | None:
    """Return the Chinese template of click's ``message`` while a command line runs in Chinese, else
    None (click's own words, as its translation gives them)."""
    if _LANG.get() != "zh" or message not in CLICK_WORDS:
        return None
    return str(CLI.entry(CLICK_WORDS[message]))


def _gettext_over(original: Callable[[str], str]) -> Callable[[str], str]:
    """Return ``gettext`` for a click module whose own is ``original``: the Chinese of a listed
    message while a command line runs in Chinese, else what ``original`` answers (a translation a
    program using click installed stays in force)."""
    def gettext(message: str) -> str:
        chinese = _chinese(message)
        return original(message) if chinese is None else chinese

    gettext._docgen = True  # type: ignore[attr-defined]
    return gettext


def _ngettext_over(original: Callable[[str, str, int], str]) -> Callable[[str, str, int], str]:
    """Return ``ngettext`` for a click module whose own is ``original`` (Chinese has one form)."""
    def ngettext(singular: str, plural: str, count: int) -> str:
        chinese = _chinese(singular if count == 1 else plural)
        return original(singular, plural, count) if chinese is None else chinese

    ngettext._docgen = True  # type: ignore[attr-defined]
    return ngettext


_MISSING_END = re.compile(r"\.(?=\s|$)")


def _missing_message(format_message):  # type: ignore[no-untyped-def]
    """Wrap ``MissingParameter.format_message``, which ends the missing name with ``.`` itself: in
    Chinese, with a full-width stop."""
    def worded(self) -> str:  # type: ignore[no-untyped-def]
        text = format_message(self)
        return _MISSING_END.sub("。", text, count=1) if _LANG.get() == "zh" else text

    worded.__doc__ = format_message.__doc__
    return worded


def install() -> None:
    """Put docgen's ``gettext`` in click's modules (once; idempotent)."""
    import importlib

    import click.exceptions

    for name in _MODULES:
        try:
            module = importlib.import_module(name)
        except ImportError:  # a click that moved the module: its words stay click's
            continue
        for attribute, over in (("_", _gettext_over), ("ngettext", _ngettext_over)):
            original = getattr(module, attribute, None)
            if callable(original) and not getattr(original, "_docgen", False):
                setattr(module, attribute, over(original))
    missing = click.exceptions.MissingParameter
    if not getattr(missing.format_message, "_docgen", False):
        missing.format_message = _missing_message(missing.format_message)  # type: ignore[method-assign]
        missing.format_message._docgen = True  # type: ignore[attr-defined]
