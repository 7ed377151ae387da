"""click's own words in the command line's language: Chinese unless ``--lang en`` is given.

click words what it refuses (a missing option, a value not among the choices, no such file, an
unknown option or command) and the frame around it (``Usage:``, the hint to ask for help,
``Error:``) through ``gettext``: each of its modules calls ``_`` and ``ngettext`` on an English
message id, then fills it. ``install`` puts docgen's in their place: while a ``docgen`` command
line runs in Chinese (``speaking``), a message id listed in ``docgen.cli.messages.CLICK_WORDS`` is
answered with its Chinese template (the same placeholders, which click fills); otherwise what
click's module's own ``gettext`` answers (its English, or a translation a program using click
installed).

What click writes around its message ids is fitted to Chinese the same way, only while a command
line runs in Chinese: the names it quotes the ASCII way (``'--ledger'``, ``'text', 'json'``) are
quoted “--ledger” (GB/T 15834; the name inside stays as typed), the space it puts after a stop or
before a name goes, ``Usage:`` and the help page's section titles end in a full-width colon, and
the help page's ``[required]``, ``[default: …]``, click's own help texts (``-h``) and the
commands' and options' help texts are said in Chinese. The exit code (2) is click's.
"""
from __future__ import annotations

import contextvars
import copy
import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from docgen.cli.messages import CLICK_WORDS, HELP_TEXTS
from docgen.cli.messages import MESSAGES as CLI
from docgen.core.wording import quoted

__all__ = ["asked_lang", "install", "speaking"]

#: The language click's words are said in; None outside a ``docgen`` command line (click used by
#: anything else in the process says them as it does).
_LANG: contextvars.ContextVar[str | None] = contextvars.ContextVar("docgen_cli_lang", default=None)
#: click's modules that word usage errors, help pages and their frame.
_MODULES = ("click.core", "click.exceptions", "click.types", "click.parser", "click.formatting")
#: A name click quotes with ASCII marks in a parameter's hint ('--ledger', 'BUNDLE').
_ASCII_QUOTED = re.compile(r"'([^']*)'")
#: What ``Option.get_error_hint`` adds for an option read from the environment.
_ENV_HINT = re.compile(r" \(env var: (?P<names>.*)\)$")
#: The bracketed notes ``Option.get_help_record`` puts after an option's help.
_HELP_EXTRA = re.compile(r"\s*\[(?P<extra>.*)\]", re.S)
_MISSING_END = re.compile(r"\.(?=\s|$)")
#: Where a command's English help turns to its example command lines (``docgen.cli.tree.examples``).
_EXAMPLES = re.compile(r"^\x08\nExamples?:\n", re.M)
#: A bracketed note click puts after an option's help on an English page (``[default: text]``,
#: ``[required]``, ``[env var: DOCGEN_REGISTER]``), kept on one line (``_filled``).
_NOTE = re.compile(r"\[[^\[\]\n]*\]")


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


def _in_chinese() -> bool:
    """Return True while a ``docgen`` command line runs in Chinese."""
    return _LANG.get() == "zh"


def _chinese(message: str) -> str | None:
    """Return the Chinese template of click's ``message`` while a command line runs in Chinese, else
    None (click's own words, as its translation gives them)."""
    if not _in_chinese() or message not in CLICK_WORDS:
        return None
    return str(CLI.entry(CLICK_WORDS[message]))


def _mark(function: Callable[..., Any]) -> Callable[..., Any]:
    """Return ``function`` marked as docgen's, so that ``install`` wraps click's own only once."""
    function._docgen = True  # type: ignore[attr-defined]
    return function


def _gettext_over(original: Callable[[str], str]) -> Callable[[str], str]:
    """Return ``gettext`` for a click module whose own is ``original``: the Chinese of a listed
    message while a command line runs in Chinese, else what ``original`` answers (a translation a
    program using click installed stays in force)."""
    def gettext(message: str) -> str:
        chinese = _chinese(message)
        return original(message) if chinese is None else chinese

    return _mark(gettext)


def _ngettext_over(original: Callable[[str, str, int], str]) -> Callable[[str, str, int], str]:
    """Return ``ngettext`` for a click module whose own is ``original`` (Chinese has one form)."""
    def ngettext(singular: str, plural: str, count: int) -> str:
        chinese = _chinese(singular if count == 1 else plural)
        return original(singular, plural, count) if chinese is None else chinese

    return _mark(ngettext)


def _chinese_hint(hint: str) -> str:
    """Return a parameter's hint as click words it (``'-o' / '--output'``, ``'BUNDLE'``, ``'--register'
    (env var: 'DOCGEN_REGISTER')``, or a command's own ``-o/--output``) with Chinese quotation marks
    around each name: ``“-o”/“--output”``."""
    env = _ENV_HINT.search(hint)
    names = hint[:env.start()] if env else hint
    names = (_ASCII_QUOTED.sub(lambda m: quoted(m.group(1)), names).replace(" / ", "/")
             if "'" in names else quoted(names))
    if env is None:
        return names
    return CLI.text("usage/hint-env", {"hint": names, "names": _ASCII_QUOTED.sub(lambda m: quoted(m.group(1)),
                                                                                   env.group("names"))})


def _hints_over(original: Callable[[Any], str | None]) -> Callable[[Any], str | None]:
    """Return click's ``_join_param_hints`` saying the names in Chinese quotation marks while a
    command line runs in Chinese."""
    def join(param_hint: Any) -> str | None:
        hint = original(param_hint)
        return _chinese_hint(hint) if hint and _in_chinese() else hint

    return _mark(join)


def _possibilities_over(original: Callable[[list[str]], str]) -> Callable[[list[str]], str]:
    """Return click's ``_format_possibilities`` (the names it guesses were meant) quoting them the
    Chinese way, parted by 、, while a command line runs in Chinese."""
    def possibilities(names: list[str]) -> str:
        if not _in_chinese():
            return original(names)
        listed = "、".join(quoted(name) for name in sorted(names))
        code = "usage/did-you-mean" if len(names) == 1 else "usage/did-you-mean-one-of"
        return CLI.text(code, {"possibility": listed, "possibilities": listed})

    return _mark(possibilities)


def _choice_over(original: Callable[..., str]) -> Callable[..., str]:
    """Return ``Choice.get_invalid_choice_message`` listing the choices in Chinese quotation marks,
    parted by 、, while a command line runs in Chinese."""
    def message(self: Any, value: Any, ctx: Any) -> str:
        if not _in_chinese():
            return original(self, value, ctx)
        mapping = getattr(self, "_normalized_mapping", None)
        choices = list(mapping(ctx=ctx).values()) if callable(mapping) else [str(c) for c in self.choices]
        listed = "、".join(quoted(choice) for choice in choices)
        code = "usage/not-the-choice" if len(self.choices) == 1 else "usage/not-a-choice"
        return CLI.text(code, {"value": value, "choice": listed, "choices": listed})

    return _mark(message)


def _tidied(format_message: Callable[[Any], str], *, stop: bool) -> Callable[[Any], str]:
    """Wrap an exception's ``format_message``: in Chinese, without the spaces click puts after a
    sentence and before a quoted name, and (``stop``) ending the first sentence with a full-width
    stop where click's ``.`` follows the missing name."""
    def worded(self: Any) -> str:
        text = format_message(self)
        if not _in_chinese():
            return text
        if stop:
            text = _MISSING_END.sub("。", text, count=1)
        return text.replace(" “", "“", 1).replace("。 ", "。")

    worded.__doc__ = format_message.__doc__
    return _mark(worded)


def _usage_over(write_usage: Callable[..., None]) -> Callable[..., None]:
    """Wrap ``HelpFormatter.write_usage``: in Chinese, the usage line opens 用法： (a full-width colon
    takes no space after it)."""
    def written(self: Any, prog: str, args: str = "", prefix: str | None = None) -> None:
        if prefix is None and _in_chinese():
            prefix = CLI.text("usage/usage")
        write_usage(self, prog, args, prefix)

    return _mark(written)


def _heading_over(write_heading: Callable[[Any, str], None]) -> Callable[[Any, str], None]:
    """Wrap ``HelpFormatter.write_heading``: in Chinese, a section's title ends in a full-width colon."""
    def written(self: Any, heading: str) -> None:
        if not _in_chinese():
            write_heading(self, heading)
            return
        self.write(" " * self.current_indent + CLI.text("usage/heading", {"heading": heading}) + "\n")

    return _mark(written)


def _help_record_over(get_help_record: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    """Wrap ``Option.get_help_record``: in Chinese, click's own help texts (``-h, --help``) and docgen's
    options' (``HELP_TEXTS``) are said in Chinese, and the notes click brackets after a help
    ([必填；默认：text]) stand in full-width brackets."""
    def record(self: Any, ctx: Any) -> Any:
        found = get_help_record(self, ctx)
        if found is None or not _in_chinese():
            return found
        names, text = found
        own = self.help or ""
        said = CLI.text(HELP_TEXTS[own]) if own in HELP_TEXTS else own
        extra = _HELP_EXTRA.fullmatch(text[len(own):]) if text.startswith(own) else None
        if extra is None:
            return names, said if text == own else text
        notes = CLI.text("usage/help-notes", {"notes": extra.group("extra").replace("; ", "；")})
        return names, said + (" " if said and said[-1].isascii() else "") + notes

    return _mark(record)


def _chinese_help(code: str, english: str) -> str:
    """Return a command's help in Chinese: the Chinese of ``code``, then the example command lines of its
    English help (``english``), which are the same in either language, under 示例：."""
    said = CLI.text(code)
    examples = _EXAMPLES.search(english)
    if examples is None:
        return said
    return f"{said}\n\n\b\n{CLI.text('usage/examples')}\n{english[examples.end():]}"


def _command_help_over(method: Callable[..., str | None]) -> Callable[..., str | None]:
    """Wrap ``Command.format_help_text`` or ``Command.get_short_help_str``: in Chinese, a command given a
    help text of ``HELP_TEXTS`` is described in Chinese (``_chinese_help``), on its own page and in its
    group's list."""
    def said(self: Any, *args: Any) -> str | None:
        code = HELP_TEXTS.get(self.help) if self.help and _in_chinese() else None
        if code is None:
            return method(self, *args)
        twin = copy.copy(self)  # the command itself keeps its English for any other command line
        twin.help = _chinese_help(code, self.help)
        return method(twin, *args)

    return _mark(said)


def _wrap_text_over(wrap_text: Callable[..., str]) -> Callable[..., str]:
    """Wrap ``click.formatting.wrap_text``, with which click fills the help page's paragraphs and its
    options' help column: while a ``docgen`` command line runs (in either language), a paragraph
    holding Chinese is filled to the width in screen columns (a Chinese character takes two) by
    ``_filled``: on a Chinese page broken where Unicode allows, on an English page at its spaces as
    click breaks English. click counts characters: a Chinese option help ran to 130 columns on an
    80-column screen, one too long was cut inside a name (``register.sqlit`` / ``e``), and on an
    English page a Chinese word (``资料清单``) pushed a line past the screen's edge or was cut in two.
    On an English page a paragraph holding one of click's bracketed notes (``[default: text]``) is
    filled by ``_filled`` too, which keeps the note on one line where click broke it after
    ``[default:``. A paragraph marked ``\\b`` (kept as written: the examples' command lines), any
    other paragraph, and every paragraph outside a docgen command line are click's."""
    def wrapped(text: str, width: int = 78, initial_indent: str = "", subsequent_indent: str = "",
                preserve_paragraphs: bool = False) -> str:
        lang = _LANG.get()
        if lang is None:
            return wrap_text(text, width, initial_indent, subsequent_indent, preserve_paragraphs)
        # Imported here, not with this module: every command line starts by installing the wrapper,
        # and only a help page pays for the width tables.
        from docgen.core.textwidth import has_wide

        english = lang == "en"

        def ours(paragraph: str) -> bool:
            return has_wide(paragraph) or (english and _NOTE.search(paragraph) is not None)

        if not ours(text):
            return wrap_text(text, width, initial_indent, subsequent_indent, preserve_paragraphs)
        paragraphs = re.split(r"\n[ \t]*\n", text) if preserve_paragraphs else [text]
        return "\n\n".join(
            wrap_text(paragraph, width, initial_indent, subsequent_indent, preserve_paragraphs)
            if paragraph.lstrip(" ").startswith("\b") or not ours(paragraph)
            else _filled(paragraph, width, initial_indent, subsequent_indent, english)
            for paragraph in paragraphs if paragraph.strip())

    return _mark(wrapped)


def _spaced(before: str, after: str) -> bool:
    """Whether a line ending in ``before`` joined to one opening with ``after`` takes a space between
    them: two ASCII characters (words), or an ASCII one beside a Chinese character (“用 -o 时”), but
    never one beside a full-width mark (GB/T 15834: “相同：$DOCGEN_REGISTER”, “、manager”) nor
    between two Chinese characters."""
    if before.isascii() and after.isascii():
        return True
    if before.isascii() == after.isascii():
        return False
    wide = after if before.isascii() else before
    return not unicodedata.category(wide).startswith("P")


def _filled(paragraph: str, width: int, initial_indent: str, subsequent_indent: str, english: bool = False) -> str:
    """Return ``paragraph`` (its lines one paragraph, as click reads them) filled to ``width`` columns,
    indented as click indents a paragraph: its first line's own indent after ``initial_indent`` on the
    first line and ``subsequent_indent`` on the others. In Chinese its lines are joined as ``_spaced``
    says and broken where Unicode allows (``textwidth.wrap``); in English (``english``) joined by a
    space and broken at spaces (``textwidth.wrap_at_spaces``), as click does, a bracketed note never
    inside unless it is wider than the line by itself."""
    from docgen.core.textwidth import display_width, wrap, wrap_at_spaces

    lines = paragraph.expandtabs().splitlines()
    own = " " * (len(lines[0]) - len(lines[0].lstrip(" ")))
    text = ""
    for line in (line.strip() for line in lines):
        if text and line and (english or _spaced(text[-1], line[0])):
            text += " "
        text += line
    room = width - len(own) - max(display_width(initial_indent), display_width(subsequent_indent))
    filled = wrap_at_spaces(text, room, _NOTE) if english else wrap(text, room)
    return "\n".join((initial_indent if at == 0 else subsequent_indent) + own + line
                     for at, line in enumerate(filled))


def _wrap(owner: Any, attribute: str, over: Callable[[Any], Any]) -> None:
    """Put ``over(original)`` in place of ``owner.attribute`` unless it is docgen's already or
    missing (a click that moved it: its words stay click's)."""
    original = getattr(owner, attribute, None)
    if callable(original) and not getattr(original, "_docgen", False):
        setattr(owner, attribute, over(original))


def install() -> None:
    """Put docgen's ``gettext`` and wording in click's modules (once; idempotent)."""
    import importlib

    for name in _MODULES:
        try:
            module = importlib.import_module(name)
        except ImportError:  # a click that moved the module: its words stay click's
            continue
        _wrap(module, "_", _gettext_over)
        _wrap(module, "ngettext", _ngettext_over)
    import click.core
    import click.exceptions
    import click.formatting
    import click.types

    _wrap(click.exceptions, "_join_param_hints", _hints_over)
    _wrap(click.exceptions, "_format_possibilities", _possibilities_over)
    _wrap(click.types.Choice, "get_invalid_choice_message", _choice_over)
    _wrap(click.exceptions.MissingParameter, "format_message", lambda f: _tidied(f, stop=True))
    for refusal in (click.exceptions.NoSuchOption, getattr(click.exceptions, "NoSuchCommand", None)):
        if refusal is not None:
            _wrap(refusal, "format_message", lambda f: _tidied(f, stop=False))
    _wrap(click.formatting.HelpFormatter, "write_usage", _usage_over)
    _wrap(click.formatting.HelpFormatter, "write_heading", _heading_over)
    _wrap(click.formatting, "wrap_text", _wrap_text_over)
    _wrap(click.core.Option, "get_help_record", _help_record_over)
    _wrap(click.core.Command, "format_help_text", _command_help_over)
    _wrap(click.core.Command, "get_short_help_str", _command_help_over)
