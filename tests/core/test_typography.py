"""GB/T 15834 marks in values that go into Chinese documents (``fullwidth_in_chinese``), and ASCII
quotation marks beside Chinese (``ascii_quotes``)."""
from __future__ import annotations

import pytest

from docgen.core.typography import ascii_punctuation, ascii_quotes, fullwidth_in_chinese


@pytest.mark.parametrize(("typed", "printed"), [
    ("房产(眉房权证字第00007号)", "房产（眉房权证字第00007号）"),
    # The closing bracket follows a digit: it changes with its pair, never alone.
    ("存单质押(账号尾号0007)", "存单质押（账号尾号0007）"),
    ("(1)说明", "（1）说明"),
    ("((嵌套)内)", "（（嵌套）内）"),
    ("华安(HK) Ltd", "华安（HK） Ltd"),
    # The space English typesetting puts beside a mark goes where it meets Chinese.
    ("台账 (元)", "台账（元）"),
    ("甲, 乙", "甲，乙"),
    ("Tom, 你好", "Tom，你好"),
    ("提示:请", "提示：请"),
    ("是否?是!", "是否？是！"),
    ("人民币1,000.00元(大写)", "人民币1,000.00元（大写）"),
    # A mark touching a changed bracket changes too; a changed pause mark keeps no space after it.
    ("存单(尾号0007), 号", "存单（尾号0007），号"),
    ("存单(尾号0007), ABC", "存单（尾号0007），ABC"),
    ("甲(1)(2)", "甲（1）（2）"),
    ("注意: Ltd", "注意：Ltd"),
    # A lone bracket beside Chinese still changes.
    ("中(文", "中（文"),
])
def test_marks_beside_chinese_become_full_width(typed, printed):
    assert fullwidth_in_chinese(typed) == printed
    assert ascii_punctuation(printed) == []


@pytest.mark.parametrize("text", ["1,000元", "Co.,Ltd", "12:30开会", "a(b)c", "Shaanxi Meixian (Branch), Ltd.", "", "明远五金"])
def test_marks_among_latin_letters_and_digits_stay_and_the_text_is_not_copied(text):
    assert fullwidth_in_chinese(text) is text


def test_any_text_comes_out_with_no_ascii_mark_beside_chinese_and_its_pairs_of_one_kind():
    import random

    rng = random.Random(15834)
    alphabet = "中文号 aZ09,:;()!?.（）"
    for _ in range(3000):
        typed = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 14)))
        printed = fullwidth_in_chinese(typed)
        assert ascii_punctuation(printed) == [], (typed, printed)
        assert printed.replace(" ", "").translate(_WIDTH_FOLD) == typed.replace(" ", "").translate(_WIDTH_FOLD)
        if "（" in typed or "）" in typed:
            continue
        # A bracket pair of the typed text is one kind in the printed text.
        stack: list[str] = []
        for char in printed:
            if char in "(（":
                stack.append(char)
            elif char in ")）" and stack:
                assert {stack.pop(), char} in ({"(", ")"}, {"（", "）"}), (typed, printed)


_WIDTH_FOLD = str.maketrans("，：；（）！？", ",:;()!?")


@pytest.mark.parametrize(("text", "marks"), [
    ("无法识别的报告期 '2026Q5'：应为 2026Q2", [(9, "'"), (16, "'")]),  # one space away on one side
    ("用户名'a b'无效", [(3, "'"), (7, "'")]),
    ('请安装（pip install "docgen[scale]"）', [(30, '"')]),
    ("无法识别的报告期“2026Q5”：应为 2026Q2", []),
    # apostrophes and quotations inside English, also beside a Chinese term it names
    ("the bank's ledger (台账)", []),
    ("甲乙（the folder isn't under the root）", []),
    ("need -o FILE: 'docx' or 'pdf'", []),
])
def test_ascii_quotation_marks_beside_chinese_are_found(text, marks):
    assert ascii_quotes(text) == marks
