"""Pieces every command module shares: error translation and output helpers."""
from __future__ import annotations

import codecs
import functools
import json
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from itertools import islice
from pathlib import Path
from typing import Any, TypeVar

import click

from docgen.cli.messages import MESSAGES as CLI
from docgen.core.atomic import atomic_output, write_bytes_atomic
from docgen.core.access import is_denied
from docgen.core.errors import DocgenError, InputError, Interrupted, RowsError
from docgen.core.messages import MESSAGES as CORE
from docgen.core.notices import Notice, reporting

F = TypeVar("F", bound=Callable[..., Any])


class DocgenClickError(click.ClickException):
    """A ``DocgenError`` shown as one clear line (plus its problems) with its exit code."""

    def __init__(self, error: DocgenError, message: str | None = None) -> None:
        """``message``: the error worded otherwise than its own text (in English), when given."""
        super().__init__(str(error) if message is None else message)
        self.exit_code = error.exit_code


def echo_notice(notice: Notice) -> None:
    """Print a user-facing warning on stderr: ``警告: …``."""
    click.echo(CLI.text("notice", {"message": notice.message}), err=True)


def handle_errors(func: F) -> F:
    """Decorate a command so project errors become click errors with the right exit code.

    While the command runs, docgen's notices are printed on stderr as they come and other
    libraries' Python warnings are kept from the user (``docgen.core.notices.reporting``).
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            with reporting(echo_notice):
                return func(*args, **kwargs)
        except DocgenError as exc:
            raise DocgenClickError(exc) from exc
        except KeyboardInterrupt:
            raise DocgenClickError(CORE.error(Interrupted, "interrupted")) from None
        except BrokenPipeError:
            raise
        except OSError as exc:
            # A path the system refuses (a name too long, a device gone, no permission) that no
            # part caught: still one line naming it, exit 2 (the command could not run), never a
            # traceback.
            if is_denied(exc) and exc.filename:
                raise DocgenClickError(CORE.error(InputError, "access-any", path=exc.filename)) from None
            error = click.ClickException(CLI.text("path-refused", {"path": exc.filename or "",
                                                                   "reason": exc.strerror or exc}))
            error.exit_code = 2
            raise error from exc

    return wrapper  # type: ignore[return-value]


@contextmanager
def worded_in(lang: str | None, english: Callable[[DocgenError], str]) -> Iterator[None]:
    """Run the block; when ``lang`` is ``en``, what stops it (a ``DocgenError``, Ctrl-C) is raised as a
    ``DocgenClickError`` worded by ``english`` (a part's ``in_english``: its code and facts by the
    tables), with the error's exit code. Any other language lets it go on as it is (Chinese)."""
    try:
        yield
    except DocgenError as exc:
        if lang == "en":
            raise DocgenClickError(exc, english(exc)) from exc
        raise
    except KeyboardInterrupt:
        if lang == "en":
            stopped = CORE.error(Interrupted, "interrupted")
            raise DocgenClickError(stopped, english(stopped)) from None
        raise


@contextmanager
def rows_as_json(fmt: str, head: Callable[[RowsError], Mapping[str, Any]]) -> Iterator[None]:
    """Run the block; when it raises ``RowsError`` and ``fmt`` is ``json``, first print on stdout
    ``head(error)`` with the bad rows under ``problems`` (each row's documented JSON form), then let
    the error go on to be reported on stderr with its exit code (1). A program reading the JSON
    gets the rows, a person the same lines as in text."""
    try:
        yield
    except RowsError as exc:
        if fmt == "json":
            emit(dump_json({**head(exc), "problems": [p.to_dict() for p in exc.problems]}), None)
        raise


def ledger_head(exc: RowsError) -> dict[str, Any]:
    """The head of a ledger's bad rows in JSON (``rows_as_json``): the file they are in."""
    return {"file": str(exc.facts.get("file", ""))}


def dump_json(data: Any) -> str:
    """Return ``data`` as pretty JSON (two-space indent) with Chinese kept readable (no \\u escapes).

    Encoded with orjson: a 100,000-loan collection plan (10 MB) in a tenth of ``json.dumps``'s
    time, with the same text, except that a float below 1e-4 is written in plain notation
    (``0.00001``, not ``1e-05``: the same number when parsed). Dates, ``Decimal``s and anything
    else JSON has no type for are written as their ``str``; what orjson refuses (an integer past
    64 bits, a key that is not text) is encoded by ``json`` instead.
    """
    try:
        return _orjson_text(data) + "\n"
    except TypeError:
        return json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n"


def _orjson_text(data: Any) -> str:
    """Return ``data`` encoded by orjson as ``dump_json`` does (no final newline); raises
    ``TypeError`` for what orjson refuses."""
    return _orjson_bytes(data).decode()


def _orjson_bytes(data: Any) -> bytes:
    """Return ``_orjson_text(data)`` in UTF-8, as orjson makes it."""
    import orjson

    return orjson.dumps(data, default=str, option=orjson.OPT_INDENT_2 | orjson.OPT_PASSTHROUGH_DATETIME
                        | orjson.OPT_PASSTHROUGH_DATACLASS)


#: Items encoded together by ``dump_json_items``: one encoder call and one write per batch, not per
#: item (7,900 plan entries cost 0.13 s item by item), and still a bounded text at a time.
_JSON_BATCH = 256


def dump_json_items(items: Iterable[Any], *, encoded: bool = False) -> Iterator[str | bytes]:
    """Yield the text ``dump_json(list(items))`` returns, in pieces, a batch of items at a time.

    Each batch is encoded as a list of its own, whose lines are already those of the whole
    list's, so neither the list nor its whole text is ever held: the JSON of a 400,000-loan
    collection plan (32,000 entries, 40 MB) peaked at 160 MB above the plan as one string, its
    dicts and its bytes. ``encoded``: the pieces orjson makes are given as its UTF-8 bytes (the
    text, not decoded only to be encoded again when written: ``emit_json_items``); the others
    are text.
    """
    empty = True
    source = iter(items)
    while batch := list(islice(source, _JSON_BATCH)):
        piece: str | bytes | None = None
        if encoded:
            try:
                piece = (b"[\n" if empty else b",\n") + _orjson_bytes(batch)[2:-2]  # b"[\n" ... b"\n]"
            except TypeError:
                pass  # written as text, item by item where orjson refuses one
        yield ("[\n" if empty else ",\n") + _items_text(batch) if piece is None else piece
        empty = False
    yield "[]\n" if empty else "\n]\n"


def _items_text(batch: list[Any]) -> str:
    """Return the lines of ``batch``'s items in a two-space indented list (no brackets, no final
    newline): orjson's list without its first and last line, or, when orjson refuses an item,
    each item as ``dump_json`` writes it (the others keep orjson's text), indented one level."""
    try:
        return _orjson_text(batch)[2:-2]  # "[\n" ... "\n]"
    except TypeError:
        # JSON strings escape line breaks: every \n in an item's text is layout.
        return ",\n".join("  " + dump_json(item)[:-1].replace("\n", "\n  ") for item in batch)


def emit_json_items(items: Iterable[Any], output: str | Path | None) -> None:
    """Write ``dump_json(list(items))`` to ``output`` as ``emit`` does, a batch at a time
    (``dump_json_items``); where that text is written in UTF-8 as it is (a file, or a UTF-8
    stdout, with no line ends translated), orjson's bytes are written without being decoded and
    encoded again (11 MB for 8,000 plan entries)."""
    emit(dump_json_items(items, encoded=_writes_utf8(output)), output)


def _writes_utf8(output: str | Path | None) -> bool:
    """Return True when ``emit`` writes text to ``output`` as its UTF-8 bytes, unchanged: a file
    (``atomic_output`` writes UTF-8) or a standard output in UTF-8 with a binary buffer beneath,
    where line ends are not translated. JSON's text has no ANSI codes for click to strip: a
    control character in a string is escaped."""
    if os.linesep != "\n":
        return False
    if output is not None and str(output) != "-":
        return True
    encoding = getattr(sys.stdout, "encoding", None)
    if not encoding or getattr(sys.stdout, "buffer", None) is None:
        return False
    try:
        return codecs.lookup(encoding).name == "utf-8"
    except LookupError:
        return False


def emit(text: str | bytes | Iterable[str | bytes], output: str | Path | None) -> None:
    """Write ``text`` (or its pieces, written as they come) to ``output`` atomically, or to stdout
    when ``output`` is None or '-'. Bytes are written as they are, text in UTF-8 to a file."""
    pieces = [text] if isinstance(text, (str, bytes)) else text
    if output is None or str(output) == "-":
        for piece in pieces:
            if isinstance(piece, bytes):
                sys.stdout.buffer.write(piece)
            else:
                click.echo(piece, nl=False)
        return
    if isinstance(text, bytes):
        write_bytes_atomic(output, text)
    else:
        with atomic_output(output, "w") as fh:
            for piece in pieces:
                if isinstance(piece, bytes):
                    fh.flush()  # the text before it first
                    fh.buffer.write(piece)
                else:
                    fh.write(piece)
