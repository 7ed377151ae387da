from __future__ import annotations

import re

from docgen.core.textwidth import display_width, has_wide, pad, truncate, wrap, wrap_at_spaces


def test_display_width_counts_east_asian_wide_as_two():
    assert display_width("abc") == 3
    assert display_width("营业执照") == 8
    assert display_width("\uff08附件一\uff09") == 10  # full-width brackets are wide too
    assert display_width("(附件一)") == 8
    assert display_width("，：；") == 6
    assert display_width("✓") == 1


def test_display_width_ignores_combining_and_control_characters():
    assert display_width("e\u0301") == 1
    # wcswidth gives -1 for a string with a control character; the rest still counts.
    assert display_width("借款\t人") == 6


def test_pad_left_and_right_to_columns():
    assert pad("借款人", 8) == "借款人  "
    assert pad("12", 5, right=True) == "   12"
    assert pad("营业执照", 4) == "营业执照"  # never cut by padding


def test_truncate_keeps_within_width_and_marks_the_cut():
    cut = truncate("房地产项目资金封闭运作个人保证声明书", 12)
    assert cut == "房地产项目…" and display_width(cut) <= 12
    assert truncate("营业执照", 8) == "营业执照"


def test_wrap_breaks_chinese_by_columns_where_unicode_allows():
    text = "登记簿：其中已出具的催收函视为已送达（默认与 collect letters 相同：用户数据目录下的 register.sqlite；不存在时视为尚未发函）。"
    lines = wrap(text, 30)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    assert all(display_width(line) <= 30 for line in lines)
    assert any(line.endswith("register.sqlite；") or "register.sqlite；" in line for line in lines)
    assert not [line for line in lines if line[0] in "，。；：）、"]  # GB/T 15834: no line opens with a closing mark
    assert not [line for line in lines if line[-1] in "（“"]  # nor ends with an opening one
    assert wrap("逾期本金，欠息。", 8) == ["逾期本", "金，欠", "息。"]  # the comma goes down with the character before it


def test_wrap_keeps_words_whole_and_line_breaks_and_drops_trailing_spaces():
    assert wrap("averyveryverylongword x", 5) == ["averyveryverylongword", "x"]
    assert wrap("第一行\n第二行", 40) == ["第一行", "第二行"]
    assert wrap("one two three", 8) == ["one two", "three"]
    assert wrap("", 10) == []


def test_has_wide_tells_chinese_from_ascii():
    assert has_wide("登记簿 register") and has_wide("（")
    assert not has_wide("register.sqlite [default: text]")


def test_wrap_at_spaces_breaks_english_at_its_spaces_by_columns():
    note = re.compile(r"\[[^\[\]]*\]")
    text = "a printable 资料清单 for the dev-loan list.  [default: text]"
    # a Chinese word takes two columns a character and stays whole; no break at the hyphen
    assert wrap_at_spaces(text, 24, note) == ["a printable 资料清单 for", "the dev-loan list.", "[default: text]"]
    # the white space of a line is kept as written; a note wider than the line breaks at its space
    assert wrap_at_spaces(text, 34, note) == ["a printable 资料清单 for the", "dev-loan list.  [default: text]"]
    assert wrap_at_spaces("x  [default: text]", 10, note) == ["x", "[default:", "text]"]
    # without a pattern of spans kept whole, a note breaks as any words do
    assert wrap_at_spaces("x  [default: text]", 16, note) == ["x", "[default: text]"]
    assert wrap_at_spaces("x  [default: text]", 16) == ["x  [default:", "text]"]
    # a word wider than the line breaks where Unicode allows, else stands alone
    assert wrap_at_spaces("见 到这一天应送达催收函的贷款都生成。 ok", 12) == ["见", "到这一天应送", "达催收函的贷", "款都生成。", "ok"]
    assert wrap_at_spaces("a averyveryverylongword b", 5) == ["a", "averyveryverylongword", "b"]
    assert wrap_at_spaces("", 10) == [] and wrap_at_spaces("  ", 10) == []
