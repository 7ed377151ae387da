"""Terminal width of text, for the tables docgen prints (check reports, collection plans).

CJK characters and full-width punctuation take two columns, combining marks none; the
widths come from ``wcwidth`` (the Unicode East-Asian-width and zero-width tables), so every
table in docgen lines up the same way. ``wrap`` breaks a paragraph into lines of a given width
where Unicode's line-breaking rules allow (``uniseg``, UAX #14).
"""
from __future__ import annotations

from wcwidth import wcswidth, wcwidth

__all__ = ["display_width", "has_wide", "pad", "truncate", "wrap"]


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
