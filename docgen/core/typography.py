"""Typography of Chinese documents (GB/T 15834 标点符号用法): what every drafted document must
respect, used by ``docgen templates lint`` and by the tests that re-read rendered documents.

- ``ascii_punctuation(text)``: ASCII ``, : ; ( ) ! ?`` next to a Chinese character or a full-width
  mark, where Chinese text needs the full-width ``，：；（）！？``. A space English typesetting puts
  after ``, : ;`` or before ``(`` does not part the mark from the Chinese beside it
  (``台账 (元)``, ``文件: 不存在``);
- ``date_styles(text)``: which date styles a text mixes (``2026年11月20日`` is ``arabic``,
  ``二〇二六年十一月二十日`` is ``chinese``); a document keeps to one.
"""
from __future__ import annotations

import re

#: Han characters and the CJK punctuation and full-width forms that sit among them.
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3001-\u303f\uff01-\uff5e"
_ASCII_PUNCT = re.compile(rf"(?<=[{_CJK}])[,:;()!?]|[,:;()!?](?=[{_CJK}])|(?<=[{_CJK}] )\(|[,:;](?= [{_CJK}])")
#: What each ASCII mark becomes in Chinese text.
FULL_WIDTH = {",": "，", ":": "：", ";": "；", "(": "（", ")": "）", "!": "！", "?": "？"}

_ARABIC_DATE = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日")
_CHINESE_DATE = re.compile(r"[〇零一二三四五六七八九]{4}年[一二三四五六七八九十]{1,3}月[一二三四五六七八九十]{1,3}日")


def ascii_punctuation(text: str) -> list[tuple[int, str]]:
    """Return ``(offset, mark)`` for every ASCII ``, : ; ( ) ! ?`` beside Chinese in ``text``."""
    return [(m.start(), m.group()) for m in _ASCII_PUNCT.finditer(text)]


def date_styles(text: str) -> set[str]:
    """Return the date styles ``text`` uses: a subset of ``{"arabic", "chinese"}``."""
    found = set()
    if _ARABIC_DATE.search(text):
        found.add("arabic")
    if _CHINESE_DATE.search(text):
        found.add("chinese")
    return found
