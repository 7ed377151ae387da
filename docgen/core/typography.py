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
- ``date_styles(text)``: which date styles a text mixes (``2026年11月20日`` is ``arabic``,
  ``二〇二六年十一月二十日`` is ``chinese``); a document keeps to one.
"""
from __future__ import annotations

import re

#: Han characters and the CJK punctuation and full-width forms that sit among them.
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3001-\u303f\uff01-\uff5e"
_ASCII_PUNCT = re.compile(rf"(?<=[{_CJK}])[,:;()!?]|[,:;()!?](?=[{_CJK}])|(?<=[{_CJK}] )\(|[,:;](?= [{_CJK}])")
_ASCII_QUOTE = re.compile(rf"(?<=[{_CJK}])['\"]|(?<=[{_CJK}] )['\"]|['\"](?= ?[{_CJK}])")
_BRACKETS = re.compile(r"[()]")
_CJK_CHAR = re.compile(f"[{_CJK}]")
#: What each ASCII mark becomes in Chinese text.
FULL_WIDTH = {",": "，", ":": "：", ";": "；", "(": "（", ")": "）", "!": "！", "?": "？"}

_ARABIC_DATE = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日")
_CHINESE_DATE = re.compile(r"[〇零一二三四五六七八九]{4}年[一二三四五六七八九十]{1,3}月[一二三四五六七八九十]{1,3}日")


def ascii_punctuation(text: str) -> list[tuple[int, str]]:
    """Return ``(offset, mark)`` for every ASCII ``, : ; ( ) ! ?`` beside Chinese in ``text``."""
    return [(m.start(), m.group()) for m in _ASCII_PUNCT.finditer(text)]


def ascii_quotes(text: str) -> list[tuple[int, str]]:
    """Return ``(offset, mark)`` for every ASCII ``'`` or ``"`` beside Chinese in ``text``, touching
    it or one space away."""
    return [(m.start(), m.group()) for m in _ASCII_QUOTE.finditer(text)]


def fullwidth_in_chinese(text: str) -> str:
    """Return ``text`` with each mark ``ascii_punctuation`` finds in it made full-width (GB/T 15834):
    ``房产(眉房权证字第7号)`` becomes ``房产（眉房权证字第7号）``. Returns ``text`` itself when none is found.

    A bracket pair changes as a whole when either bracket touches Chinese (``存单(尾号0007)`` becomes
    ``存单（尾号0007）``, not a full-width opening with an ASCII closing), and a mark that touches a
    changed one changes too (``存单(尾号0007), 号`` becomes ``存单（尾号0007），号``). A space English
    typesetting put after a changed ``, : ; ! ?`` or between a changed mark and Chinese goes (``台账 (元)``,
    ``甲, 乙`` become ``台账（元）``, ``甲，乙``). Marks among Latin letters and digits stay: ``1,000``,
    ``Co.,Ltd``, ``12:30``.
    """
    # Each pass changes at least one mark, so there are at most as many passes as marks.
    while True:
        changed = _fullwidth_pass(text)
        if changed is text:
            return text
        text = changed


def _fullwidth_pass(text: str) -> str:
    found = {m.start() for m in _ASCII_PUNCT.finditer(text)}
    if not found:
        return text
    opened: list[int] = []
    for m in _BRACKETS.finditer(text):
        at = m.start()
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
            if pause_after or (0 <= end < len(text) and (end in found or _CJK_CHAR.match(text[end]))):
                for gap in range(min(at, end) + 1, max(at, end)):
                    chars[gap] = ""
    return "".join(chars)


def date_styles(text: str) -> set[str]:
    """Return the date styles ``text`` uses: a subset of ``{"arabic", "chinese"}``."""
    found = set()
    if _ARABIC_DATE.search(text):
        found.add("arabic")
    if _CHINESE_DATE.search(text):
        found.add("chinese")
    return found
