"""Typography of Chinese documents (GB/T 15834 标点符号用法): what every drafted document must
respect, used by ``docgen templates lint`` and by the tests that re-read rendered documents.

- ``ascii_punctuation(text)``: ASCII ``, : ; ( ) ! ?`` next to a Chinese character or a full-width
  mark, where Chinese text needs the full-width ``，：；（）！？``. A space English typesetting puts
  after ``, : ;`` or before ``(`` does not part the mark from the Chinese beside it
  (``台账 (元)``, ``文件: 不存在``);
- ``ascii_quotes(text)``: an ASCII ``'`` or ``"`` touching a Chinese character or a full-width
  mark, or parted from it by one space (``报告期 '2026Q5'：``), where Chinese text quotes with
  “ ”; an apostrophe inside English (``the bank's``) touches no Chinese and is none;
- ``fullwidth_in_chinese(text)``: the same marks made full-width, for a value typed on an English
  keyboard that goes into a Chinese document;
- ``verbatim_spans(text)``: where text is typed to be used as it is, a URL, an e-mail address or a
  file path, whose marks neither of the above touches (``详见https://例子.cn/a?b=1，请查收``);
- ``date_styles(text)``: which date styles a text mixes (``2026年11月20日`` is ``arabic``,
  ``二〇二六年十一月二十日`` is ``chinese``); a document keeps to one.
"""
from __future__ import annotations

import re
from functools import cache
from typing import NamedTuple

#: Han characters and the CJK punctuation and full-width forms that sit among them.
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3001-\u303f\uff01-\uff5e"
#: What each ASCII mark becomes in Chinese text.
FULL_WIDTH = {",": "，", ":": "：", ";": "；", "(": "（", ")": "）", "!": "！", "?": "？"}


class _Patterns(NamedTuple):
    """The regular expressions of this module (``_patterns``)."""

    ascii_punct: re.Pattern[str]
    ascii_quote: re.Pattern[str]
    brackets: re.Pattern[str]
    cjk_char: re.Pattern[str]
    #: Where a verbatim span may start: a URL (http, https or ftp, or a ``www.`` address), an e-mail
    #: address (an internationalised one too: ``张三@例子.cn``), a Windows path (``C:\``, ``D:/``, a
    #: share's ``\\server``) or a Unix one (``/srv/a``, ``/home/张三``, ``./a``, ``../a``, ``~/a``). The
    #: look-behinds keep each attempt to the start of a run, so that a long text is scanned once.
    verbatim_start: re.Pattern[str]
    #: How far a verbatim span can reach: up to white space, a full-width mark or CJK punctuation
    #: (“”‘’…— among them) or what a URL never holds (``<>"``). Han characters may be inside: an
    #: internationalised address (``https://例子.cn``), a path (``C:\文档\报告(终稿).docx``).
    verbatim_run: re.Pattern[str]
    han: re.Pattern[str]
    arabic_date: re.Pattern[str]
    chinese_date: re.Pattern[str]


@cache
def _patterns() -> _Patterns:
    """Return the module's regular expressions, compiled at the first check: the wide CJK classes
    take ~15 ms to compile, which a module importing ``FULL_WIDTH`` alone (every command reading
    the register, through the documents' messages) does not pay."""
    return _Patterns(
        ascii_punct=re.compile(rf"(?<=[{_CJK}])[,:;()!?]|[,:;()!?](?=[{_CJK}])|(?<=[{_CJK}] )\(|[,:;](?= [{_CJK}])"),
        ascii_quote=re.compile(rf"(?<=[{_CJK}])['\"]|(?<=[{_CJK}] )['\"]|['\"](?= ?[{_CJK}])"),
        brackets=re.compile(r"[()]"),
        cjk_char=re.compile(f"[{_CJK}]"),
        verbatim_start=re.compile(
            r"(?<![A-Za-z0-9])(?:(?i:https?|ftp)://|(?:www|WWW)\.)(?=\S)"
            r"|(?<![\w.%+-])[\w.%+-]+@[\w-]+(?:\.[\w-]+)+"
            r"|(?<![A-Za-z0-9])[A-Za-z]:[\\/](?=\S)|(?<!\\)\\\\(?=[^\s\\])"
            r"|(?<![A-Za-z0-9_/.~\\-])(?:(?:~|\.{1,2})/(?=[^\s/])|/(?=[A-Za-z0-9_.]))"),
        verbatim_run=re.compile(r"[^\s<>\"\u2014\u2018-\u201f\u2026\u3000-\u303f\uff00-\uffef]*"),
        han=re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"),
        arabic_date=re.compile(r"\d{4}年\d{1,2}月\d{1,2}日"),
        chinese_date=re.compile(r"[〇零一二三四五六七八九]{4}年[一二三四五六七八九十]{1,3}月[一二三四五六七八九十]{1,3}日"),
    )


#: Marks that end a sentence or clause: at a span's end they are the sentence's, not the address's.
_TRAILING = ",;:!?.'\""


def ascii_punctuation(text: str) -> list[tuple[int, str]]:
    """Return ``(offset, mark)`` for every ASCII ``, : ; ( ) ! ?`` beside Chinese in ``text``, but
    for those of a URL, an e-mail address or a file path (``verbatim_spans``)."""
    found = [(m.start(), m.group()) for m in _patterns().ascii_punct.finditer(text)]
    if found:
        verbatim = _positions(verbatim_spans(text))
        if verbatim:
            return [(at, mark) for at, mark in found if at not in verbatim]
    return found


def verbatim_spans(text: str) -> list[tuple[int, int]]:
    """Return ``(start, end)`` of every URL, e-mail address and file path in ``text``, in order:
    what is typed to be used as it is, so its marks are no punctuation of the Chinese beside it.

    A span runs from its start (``https://``, ``www.``, an e-mail's name, ``C:\\``, ``/srv/``) to
    white space, a full-width mark or CJK punctuation (``_VERBATIM_RUN``), and ends earlier at a
    ``)`` it did not open (``（见https://a.cn/x）`` is written ``(见https://a.cn/x)`` too) and at
    a ``, ; : ! ?`` followed by a Han character (``https://a.cn/x?y=1,请查收``: the comma is the
    sentence's). Marks that end a sentence at its very end are the sentence's too, as
    autolinkers take them (``https://a.cn/x.`` ends before the full stop). A Unix path that starts
    at ``/`` needs a Latin letter, digit, ``_`` or ``.`` after it and a second ``/`` (``/srv/a``),
    so that ``元 /年`` and ``元/年/月`` are none.
    """
    spans: list[tuple[int, int]] = []
    if not _may_hold_verbatim(text):
        return spans
    patterns = _patterns()
    at = 0
    while (m := patterns.verbatim_start.search(text, at)) is not None:
        start = m.start()
        run = patterns.verbatim_run.match(text, start).end()  # type: ignore[union-attr]  # ``*``: always matches
        end, depth = start, 0
        while end < run:
            ch = text[end]
            if ch == "(":
                depth += 1
            elif ch == ")":
                if not depth:
                    break
                depth -= 1
            elif ch in ",;:!?" and patterns.han.match(text, end + 1):
                break
            end += 1
        while end > m.end() and text[end - 1] in _TRAILING:
            end -= 1
        if text[start] == "/" and "/" not in text[start + 1:end]:
            at = start + 1  # one slash between words (元 /年): no path
            continue
        spans.append((start, end))
        at = max(end, m.end())
    return spans


def _may_hold_verbatim(text: str) -> bool:
    """Return whether ``text`` holds a character every verbatim span has (a ``/``, ``@`` or ``\\``)
    or ``www.``: almost no value does, and these few substring tests are the quickest way to pass
    it over."""
    return "/" in text or "@" in text or "\\" in text or "www." in text or "WWW." in text


def _positions(spans: list[tuple[int, int]]) -> set[int]:
    """Return every offset inside ``spans``."""
    return {at for start, end in spans for at in range(start, end)}


def ascii_quotes(text: str) -> list[tuple[int, str]]:
    """Return ``(offset, mark)`` for every ASCII ``'`` or ``"`` beside Chinese in ``text``, touching
    it or one space away."""
    return [(m.start(), m.group()) for m in _patterns().ascii_quote.finditer(text)]


def fullwidth_in_chinese(text: str) -> str:
    """Return ``text`` with each mark ``ascii_punctuation`` finds in it made full-width (GB/T 15834):
    ``房产(眉房权证字第7号)`` becomes ``房产（眉房权证字第7号）``. Returns ``text`` itself when none is found.

    A bracket pair changes as a whole when either bracket touches Chinese (``存单(尾号0007)`` becomes
    ``存单（尾号0007）``, not a full-width opening with an ASCII closing), and a mark that touches a
    changed one changes too (``存单(尾号0007), 号`` becomes ``存单（尾号0007），号``). A space English
    typesetting put after a changed ``, : ; ! ?`` or between a changed mark and Chinese goes (``台账 (元)``,
    ``甲, 乙`` become ``台账（元）``, ``甲，乙``). Marks among Latin letters and digits stay: ``1,000``,
    ``Co.,Ltd``, ``12:30``; so do those of a URL, an e-mail address or a file path (``verbatim_spans``:
    ``详见http://x.com/查询?id=3,请查收`` becomes ``详见http://x.com/查询?id=3，请查收``).
    """
    # Each pass changes at least one mark, so there are at most as many passes as marks.
    while True:
        changed = _fullwidth_pass(text)
        if changed is text:
            return text
        text = changed


def _fullwidth_pass(text: str) -> str:
    patterns = _patterns()
    found = {m.start() for m in patterns.ascii_punct.finditer(text)}
    if not found:
        return text
    # A URL's or a path's marks stay, and its brackets pair with none outside it.
    verbatim = _positions(verbatim_spans(text))  # none without a /, @, \ or www.
    if verbatim:
        found -= verbatim
        if not found:
            return text
    opened: list[int] = []
    for m in patterns.brackets.finditer(text):
        at = m.start()
        if at in verbatim:
            continue
        if m.group() == "(":
            opened.append(at)
        elif opened:
            start = opened.pop()
            if start in found or at in found:
                found.update((start, at))
    chars = list(text)
    for at in found:
        chars[at] = FULL_WIDTH[text[at]]
    for at in found:
        for step in (-1, 1):
            end = at + step
            while 0 <= end < len(text) and text[end] == " ":
                end += step
            if end == at + step:
                continue
            pause_after = step == 1 and text[at] in ",:;!?"
            if pause_after or (0 <= end < len(text) and (end in found or patterns.cjk_char.match(text[end]))):
                for gap in range(min(at, end) + 1, max(at, end)):
                    chars[gap] = ""
    return "".join(chars)


def date_styles(text: str) -> set[str]:
    """Return the date styles ``text`` uses: a subset of ``{"arabic", "chinese"}``."""
    found = set()
    patterns = _patterns()
    if patterns.arabic_date.search(text):
        found.add("arabic")
    if patterns.chinese_date.search(text):
        found.add("chinese")
    return found
