"""The small YAML/JSON files users write are decoded as a CSV is: one decoder for both."""
from __future__ import annotations

from pathlib import Path

import pytest

from docgen.core.datafile import read_mapping
from docgen.core.errors import InputError
from docgen.core.tabular import decode_text

#: 𠀀 (U+20000) is not in GBK: GB18030 writes it in four bytes.
NAME = "华安𠀀置业"


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_a_gb18030_data_file_reads_as_its_csv_does(tmp_path: Path, suffix: str) -> None:
    text = f"borrower: {NAME}\n" if suffix == ".yaml" else f'{{"borrower": "{NAME}"}}'
    raw = text.encode("gb18030")
    with pytest.raises(UnicodeEncodeError):
        text.encode("gbk")
    path = tmp_path / f"data{suffix}"
    path.write_bytes(raw)
    assert read_mapping(path, what="数据文件") == {"borrower": NAME}
    assert decode_text(raw, "rows.csv") == text


def test_gbk_bom_and_utf16_data_files(tmp_path: Path) -> None:
    path = tmp_path / "policy.yaml"
    for raw in ("branch: 眉县支行\n".encode("gbk"), "branch: 眉县支行\n".encode("utf-8-sig"),
                "branch: 眉县支行\n".encode("utf-16")):
        path.write_bytes(raw)
        assert read_mapping(path, what="催收策略文件") == {"branch": "眉县支行"}


def test_bytes_no_encoding_decodes_name_the_file(tmp_path: Path) -> None:
    path = tmp_path / "targets.yaml"
    raw = b"branch: " + b"\x81\xff\x00" * 40 + b"\n"
    path.write_bytes(raw)
    with pytest.raises(InputError) as caught:
        read_mapping(path, what="目标文件")
    assert caught.value.code == "datafile-undecodable"
    assert str(caught.value) == f"{path}：无法识别目标文件的编码（不是 UTF-8 或 GB18030/GBK）；请用 UTF-8 保存后重试"
    with pytest.raises(InputError, match="无法识别文件编码"):
        decode_text(raw, "rows.csv")  # the CSV reader refuses the same bytes


def test_a_gb18030_bom_is_no_part_of_the_first_key(tmp_path: Path) -> None:
    path = tmp_path / "notes.yaml"
    path.write_bytes(b"\x84\x31\x95\x33" + "branch: 眉县支行\n".encode("gb18030"))
    assert read_mapping(path, what="说明文件") == {"branch": "眉县支行"}


EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.mark.parametrize(("source", "content"), [
    ("templates/demand-letters.xlsx", "Excel 工作簿"),  # the batch's rows given to render --data
    ("bundle/01-申请前期/公司章程.pdf", "PDF 文件"),
    ("bundle/01-申请前期/法定代表人身份证.jpg", "图片"),
    ("bundle/01-申请前期/公司简历.docx", "Word 文档"),
])
def test_a_file_that_is_no_text_is_named_for_what_it_holds(tmp_path: Path, source: str, content: str) -> None:
    # Before: "无法识别…的编码，请用 UTF-8 保存", or a YAML syntax error at line 1 of a PDF.
    path = tmp_path / "data.yaml"
    path.write_bytes((EXAMPLES / source).read_bytes())
    with pytest.raises(InputError) as caught:
        read_mapping(path, what="数据文件")
    assert caught.value.code == "datafile-not-text"
    assert str(caught.value) == f"{path}：数据文件应为 YAML 或 JSON 文本（文件内容：{content}）；请确认选对了文件"
