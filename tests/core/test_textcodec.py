from __future__ import annotations

from docgen.core.textcodec import decode_chinese

TEXT = "借款人,华安置业"


def test_order_utf8_bom_utf16_then_gb18030() -> None:
    assert decode_chinese(TEXT.encode("utf-8")) == TEXT
    assert decode_chinese(b"\xef\xbb\xbf" + TEXT.encode("utf-8")) == TEXT
    assert decode_chinese(TEXT.encode("utf-16")) == TEXT
    assert decode_chinese(TEXT.encode("gb18030")) == TEXT
    assert decode_chinese(b"\x84\x31\x95\x33" + TEXT.encode("gb18030")) == TEXT  # GB18030's BOM


def test_order_can_put_gb18030_first() -> None:
    # Bytes valid in both: the caller's order decides (zip names from a GBK archive).
    both = "中文".encode("utf-8")
    assert decode_chinese(both, order=("gb18030",)) == both.decode("gb18030")


def test_without_guessing_undecodable_bytes_give_none() -> None:
    assert decode_chinese(b"\x81\x30\xff\xfe\x00", order=("utf-8",), guess=False) is None


def test_lone_surrogate_names_the_first_text_holding_one() -> None:
    from docgen.core.textcodec import lone_surrogate

    clean = {"借款人": "张三", "金额": 1, "担保人": ["李四", {"姓名": "王五"}], 3: ("x", None)}
    assert lone_surrogate(clean) is None
    assert lone_surrogate({**clean, "地址": "杭州\ud800"}) == "地址"
    assert lone_surrogate({**clean, "担保人": ["李四", {"姓名": "王\udfff五"}]}) == "担保人[1].姓名"
    assert lone_surrogate({"a": 1, "键\ud83d": "值"}) == "键\ud83d"
    assert lone_surrogate(["ok", "bad\ud800"]) == "[1]"
    assert lone_surrogate("\ud800") == "（值）" and lone_surrogate("\ud800", "f") == "f"
    assert lone_surrogate("😀 正常") is None  # a real astral character is no surrogate
