from __future__ import annotations

from docgen.core.textwidth import display_width, pad, truncate


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
