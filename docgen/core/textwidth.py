"""Terminal width of text, for the tables docgen prints (check reports, collection plans).

CJK characters and full-width punctuation take two columns, combining marks none; the
widths come from ``wcwidth`` (the Unicode East-Asian-width and zero-width tables), so every
table in docgen lines up the same way. ``wrap`` breaks a paragraph into lines of a given width
where Unicode's line-breaking rules allow (``uniseg``, UAX #14); ``wrap_at_spaces`` only at its
spaces, as English is broken.
"""
from __future__ import annotations

import re

from wcwidth import wcswidth, wcwidth

__all__ = ["display_width", "has_wide", "pad", "truncate", "wrap", "wrap_at_spaces"]

_WORD = re.compile(r"\S+")


def display_width(text: str) -> int:
    """Return how many terminal columns ``text`` takes (wide and full-width characters count 2).

    Control characters, which ``wcswidth`` refuses with -1, count as zero columns each
    rather than spoiling the whole sum.
    """
    width = wcswidth(text)
    if width >= 0:
        return width
    return sum(max(0, wcwidth(ch)) for ch in text)


def pad(text: str, width: int, right: bool = False) -> str:
    """Return ``text`` padded with spaces to ``width`` columns (on the left when ``right``)."""
    gap = " " * max(0, width - display_width(text))
    return gap + text if right else text + gap


def truncate(text: str, width: int) -> str:
    """Return ``text`` cut to at most ``width`` columns, ending in ``…`` when cut."""
    if display_width(text) <= width:
        return text
    out, used = [], 0
    for ch in text:
        w = display_width(ch)
        if used + w > width - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + "…"


def has_wide(text: str) -> bool:
    """Return True when ``text`` holds a character that takes two columns (Chinese, full-width marks)."""
    return display_width(text) > len(text)


def wrap(text: str, width: int) -> list[str]:
    """Return the paragraph ``text`` broken into lines of at most ``width`` columns (``display_width``),
    trailing spaces dropped.

    Lines break where Unicode's line-breaking rules (UAX #14, ``uniseg``) allow: between two Chinese
    characters or at a space, never before a closing mark (，。；）」) nor after an opening one
    (（「), never inside an ASCII word or name (``register.sqlite``). A word wider than ``width``
    has a line of its own, unbroken. Line breaks in ``text`` are kept; an empty ``text`` has no line.
    """
    from uniseg.wrap import tt_wrap  # only a help page or a table wide enough to wrap pays its import

    return [line.rstrip(" \n") for line in tt_wrap(text, max(width, 1))]


def wrap_at_spaces(text: str, width: int, whole: re.Pattern[str] | None = None) -> list[str]:
    """Return the paragraph ``text`` broken at its spaces only into lines of at most ``width`` columns
    (``display_width``: a Chinese word in an English sentence takes two a character), as click breaks
    an English paragraph by characters. The white space between two words of one line is kept as in
    ``text``; a span that ``whole`` matches (click's ``[default: text]``) is not broken at its spaces
    unless it is wider than ``width`` by itself; a word wider than ``width`` is broken where Unicode
    allows (``wrap``: a Chinese sentence between two spaces), else has a line of its own, unbroken.
    An empty ``text`` has no line."""
    words = [m.span() for m in _WORD.finditer(text)]
    kept = [m.span() for m in whole.finditer(text)] if whole is not None else []
    # runs of words that no line may break between: those a kept span joins across their spaces
    runs: list[tuple[int, int]] = []
    for start, end in words:
        if runs and any(left < start and right > runs[-1][1] for left, right in kept):
            runs[-1] = (runs[-1][0], end)
        else:
            runs.append((start, end))
    pieces: list[tuple[int, int]] = []
    for start, end in runs:
        if display_width(text[start:end]) <= width:
            pieces.append((start, end))
            continue
        # wider than the line by itself: broken at its spaces after all, and a word too wide where
        # Unicode allows (its lines are pieces of it, one after another)
        for left, right in words:
            if not start <= left < end:
                continue
            if display_width(text[left:right]) <= width:
                pieces.append((left, right))
                continue
            at = left
            for part in wrap(text[left:right], width):
                at = text.index(part, at)
                pieces.append((at, at + len(part)))
                at += len(part)
    lines: list[str] = []
    first = last = -1
    for start, end in pieces:
        if first >= 0 and display_width(text[first:end]) <= width:
            last = end
            continue
        if first >= 0:
            lines.append(text[first:last])
        first, last = start, end
    if first >= 0:
        lines.append(text[first:last])
    return lines
