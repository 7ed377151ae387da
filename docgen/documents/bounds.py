"""Limits on what a template may cost to render: time, output size, and the few operators
that can build a huge value in one step.

Jinja's sandbox stops templates reaching Python internals but not a template that loops a
billion times or multiplies a string by ``10**9``: a bank-edited template (or one sent by
someone else) could hang a batch or exhaust memory. Every render runs under a deadline and
an output budget, both checked as the output is produced and on every step of ``range``;
``*`` and ``**`` refuse results beyond the budget before computing them.
"""
from __future__ import annotations

import contextvars
import time
from collections.abc import Iterable, Iterator
from typing import Any

from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment, safe_range

from docgen.documents.messages import MESSAGES

__all__ = ["MAX_OUTPUT_CHARS", "RENDER_SECONDS", "BoundedSandbox", "render_bounded", "render_pieces"]

#: Characters one template part may produce (a letter's XML is well under 1 MB).
MAX_OUTPUT_CHARS = 20_000_000
#: Seconds one template part may take to render.
RENDER_SECONDS = 20.0
_MAX_POWER_BITS = 4096

_DEADLINE: contextvars.ContextVar[float | None] = contextvars.ContextVar("docgen_render_deadline", default=None)


def _check_time() -> None:
    deadline = _DEADLINE.get()
    if deadline is not None and time.monotonic() > deadline:
        raise SecurityError(MESSAGES.text("render-too-slow", {"seconds": RENDER_SECONDS}))


def _too_big(size: int) -> SecurityError:
    return SecurityError(MESSAGES.text("render-too-big", {"size": size, "limit": MAX_OUTPUT_CHARS}))


def _bounded_range(*args: int) -> Iterator[int]:
    """``range`` as the sandbox allows it, checking the deadline on every step."""
    for value in safe_range(*args):
        _check_time()
        yield value


class BoundedSandbox(SandboxedEnvironment):
    """The sandbox with ``*`` and ``**`` bounded and a time-checked ``range``; no ``lipsum``."""

    intercepted_binops = frozenset({"*", "**"})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.globals["range"] = _bounded_range
        self.globals.pop("lipsum", None)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "*":
            for seq, count in ((left, right), (right, left)):
                if isinstance(seq, (str, bytes, list, tuple)) and isinstance(count, int):
                    if len(seq) * max(count, 0) > MAX_OUTPUT_CHARS:
                        raise _too_big(len(seq) * count)
        elif operator == "**" and isinstance(left, int) and isinstance(right, int) and right > 0:
            if abs(left) > 1 and right * abs(left).bit_length() > _MAX_POWER_BITS:
                raise SecurityError(MESSAGES.text("render-power-too-big", {"left": left, "right": right}))
        return super().call_binop(context, operator, left, right)


def render_pieces(chunks: Iterable[str]) -> list[str]:
    """Collect a template's output (``template.generate(context)``) within the time and size
    budget; return the pieces as Jinja produced them (constants of the template and escaped
    values, in order).

    Raises ``jinja2.exceptions.SecurityError`` (reported like any render error) when the
    output passes ``MAX_OUTPUT_CHARS`` or rendering passes ``RENDER_SECONDS``.
    """
    token = _DEADLINE.set(time.monotonic() + RENDER_SECONDS)
    try:
        out: list[str] = []
        size = 0
        for chunk in chunks:
            size += len(chunk)
            if size > MAX_OUTPUT_CHARS:
                raise _too_big(size)
            out.append(chunk)
            # The clock every 64 pieces: a piece is produced in bounded time (``range`` steps
            # and ``*``/``**`` are checked themselves), and reading it per piece cost more
            # than a tenth of a letter's render.
            if not len(out) & 63:
                _check_time()
        _check_time()
        return out
    finally:
        _DEADLINE.reset(token)


def render_bounded(chunks: Iterable[str]) -> str:
    """Join a template's output (``template.generate(context)``) within the time and size budget.

    Raises ``jinja2.exceptions.SecurityError`` (reported like any render error) when the
    output passes ``MAX_OUTPUT_CHARS`` or rendering passes ``RENDER_SECONDS``.
    """
    return "".join(render_pieces(chunks))
