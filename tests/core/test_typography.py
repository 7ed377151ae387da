"""GB/T 15834 marks in values that go into Chinese documents (``fullwidth_in_chinese``), but for
those of URLs, e-mail addresses and file paths (``verbatim_spans``), and ASCII quotation marks
beside Chinese (``ascii_quotes``)."""
from __future__ import annotations

import pytest

from docgen.core.typography import ascii_punctuation, ascii_quotes, fullwidth_in_chinese, verbatim_spans


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
    # A URL keeps its marks; the sentence's marks around it change. It ends at white space, a
    # full-width mark, a ``, ; : ! ?`` before a Han character, a ``)`` it did not open.
    ("详见https://a.cn/x?y=1,请查收", "详见https://a.cn/x?y=1，请查收"),
    ("网址https://例子.cn/a?b=1。", "网址https://例子.cn/a?b=1。"),
    ("见http://x.com/查询?id=3,谢谢", "见http://x.com/查询?id=3，谢谢"),
    ("http://x.com/查询?id=3", "http://x.com/查询?id=3"),
    ("请访问(http://a.cn/x)了解", "请访问（http://a.cn/x）了解"),
    ("(见https://a.cn/x)说明, 谢谢", "（见https://a.cn/x）说明，谢谢"),
    ("详见www.例子.cn/a?b=1,请查收", "详见www.例子.cn/a?b=1，请查收"),
    ("FTP:ftp://a.cn/x;y,完", "FTP:ftp://a.cn/x;y，完"),
    ("百科https://zh.wikipedia.org/wiki/眉县_(陕西)。", "百科https://zh.wikipedia.org/wiki/眉县_(陕西)。"),
    ("网址是http://x.com/查询?", "网址是http://x.com/查询？"),  # a trailing mark is the sentence's
    ("甲, http://a.cn", "甲，http://a.cn"),
    # e-mail addresses
    ("邮箱:zhang.san@例子.cn,或致电", "邮箱：zhang.san@例子.cn，或致电"),
    ("是吗?a@b.cn", "是吗？a@b.cn"),
    # Windows and Unix paths: a file's own brackets stay
    ("路径:C:\\文档\\报告(终稿).docx,请查收", "路径：C:\\文档\\报告(终稿).docx，请查收"),
    ("见(C:\\a\\报告(2).docx)说明", "见（C:\\a\\报告(2).docx）说明"),
    ("共享\\\\srv\\文档(1)\\a.docx!", "共享\\\\srv\\文档(1)\\a.docx!"),
    ("文件在/home/张三/笔记(1).txt;请看", "文件在/home/张三/笔记(1).txt；请看"),
    ("见~/笔记(1).txt", "见~/笔记(1).txt"),
    ("见../报告(1).txt,谢谢", "见../报告(1).txt，谢谢"),
    # a slash between Chinese words is no path
    ("价格(元/年)", "价格（元/年）"),
    ("单价(元/年/月)", "单价（元/年/月）"),
    ("元 /年(含税)", "元 /年（含税）"),
])
def test_marks_beside_chinese_become_full_width_but_in_urls_e_mail_addresses_and_paths(typed, printed):
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


def test_ascii_punctuation_leaves_a_urls_marks_alone():
    assert ascii_punctuation("见http://x.com/查询?id=3,谢谢") == [(21, ",")]
    assert verbatim_spans("见http://x.com/查询?id=3,谢谢 和 a@b.cn") == [(1, 21), (27, 33)]


_VERBATIM = ["https://例子.cn/a?b=1", "http://x.com/查询?id=3", "www.a.cn/x?y=(1);z", "ftp://a.cn/甲(乙)",
             "zhang.san@例子.cn", "C:\\文档\\报告(终稿),v2.docx", "\\\\srv\\甲(1)", "/home/张三/笔记(1).txt",
             "~/甲:a(1)", "../a(1)/b?c"]


def test_any_text_around_a_url_or_path_leaves_it_whole():
    """Random Chinese and English text around a URL, an e-mail address or a path: the span comes
    out as typed, and no ASCII mark is left beside Chinese outside it."""
    import random

    rng = random.Random(3986)
    alphabet = "中文号 aZ09,:;()!?.（）"
    for _ in range(3000):
        item = rng.choice(_VERBATIM)
        before = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 8))) + rng.choice(" 中，(")
        after = rng.choice(" 。，") + "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 8)))
        typed = before + item + after
        printed = fullwidth_in_chinese(typed)
        assert item in printed, (typed, printed)
        assert ascii_punctuation(printed) == [], (typed, printed)
        assert printed.replace(" ", "").translate(_WIDTH_FOLD) == typed.replace(" ", "").translate(_WIDTH_FOLD)


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


def test_importing_the_full_width_forms_compiles_no_pattern() -> None:
    from scripts import fresh_python_prints

    # Every command reading the register imports the documents' messages, which name FULL_WIDTH.
    probe = ("import docgen.documents.register, docgen.core.typography as t; print(t._patterns.cache_info().currsize); "
             "t.ascii_punctuation('台账(元)'); print(t._patterns.cache_info().currsize)")
    assert fresh_python_prints(probe) == ["0", "1"]
