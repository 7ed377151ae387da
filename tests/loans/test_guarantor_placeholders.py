"""Guarantor cells: placeholders (无, N/A, / …) name no guarantor, brackets are never split, addresses
keep their slash, and a batch reads 担保人 as the ledger does (《民法典》第六百八十一条: a letter names
no party who is not a guarantor)."""
from __future__ import annotations

from docxtext import docx_text

from pathlib import Path

import pytest
import yaml
from collect_helpers import AS_OF, POLICY_TEXT
from ledger_fixtures import resident_id, row

from docgen.loans.ledger import (
    read_ledger, split_guarantor_ids, split_guarantors, split_party_values, validate_row, write_ledger,
)

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "templates"
# What a clerk types for "none", in any case, with white space and separators around it.
_PLACEHOLDERS = ["无", "暂无", "没有", "N/A", "n/a", "N／A", " n / a ", "NA", "na", "-", "--", "—", "——", "/", "\uff0f",
                 "无/", "/无", " 无 ", "无、", "-无-", "N/A;"]


@pytest.mark.parametrize("cell", _PLACEHOLDERS)
def test_a_placeholder_cell_names_no_guarantor_no_id_and_no_address(cell: str) -> None:
    assert split_guarantors(cell) == []
    assert split_guarantor_ids(cell) == ()
    assert split_party_values(cell) == ()


@pytest.mark.parametrize(("cell", "names"), [
    ("张三、无", ["张三"]), ("张三/N/A", ["张三"]), ("N/A、张三", ["张三"]), ("张三;暂无;李四", ["张三", "李四"]),
    ("张三，-", ["张三"]), ("无/李四", ["李四"]),
    # A name holding the character of a placeholder is a name (张无忌, 无锡某某公司, Nana).
    ("张无忌/李四", ["张无忌", "李四"]), ("无锡恒信担保有限公司", ["无锡恒信担保有限公司"]), ("Nana", ["Nana"]),
])
def test_a_placeholder_between_separators_is_left_out(cell: str, names: list[str]) -> None:
    assert split_guarantors(cell) == names


def test_placeholders_among_ids_and_addresses_keep_the_positions() -> None:
    assert split_guarantor_ids(f"{resident_id(5)}/无") == (resident_id(5), "")
    assert split_guarantor_ids(f"N/A;{resident_id(5)}") == ("", resident_id(5))
    assert split_party_values("甲地;无") == ("甲地", "")
    assert split_party_values("/;乙地") == ("", "乙地")
    # An address keeps its slash (3/5号), and a dash inside it.
    assert split_party_values("眉县城关镇3/5号") == ("眉县城关镇3/5号",)
    assert split_party_values("眉县城关镇3-5号;N/A") == ("眉县城关镇3-5号", "")


@pytest.mark.parametrize(("cell", "names"), [
    ("张三（夫/妻）", ["张三（夫/妻）"]), ("张三(夫/妻)", ["张三(夫/妻)"]), ("张三【夫、妻】/李四", ["张三【夫、妻】", "李四"]),
    ("张三[甲,乙];李四（丙；丁）", ["张三[甲,乙]", "李四（丙；丁）"]), ("某公司（无）", ["某公司（无）"]),
])
def test_a_separator_inside_brackets_separates_nothing(cell: str, names: list[str]) -> None:
    assert split_guarantors(cell) == names


def test_brackets_keep_ids_and_addresses_whole() -> None:
    assert split_party_values("眉县城关镇（老街、东段）5号") == ("眉县城关镇（老街、东段）5号",)
    assert split_party_values("眉县城关镇（老街、东段）5号、横渠镇2号") == ("眉县城关镇（老街、东段）5号", "横渠镇2号")
    assert split_guarantor_ids(f"{resident_id(5)}（张三/李四共用）/{resident_id(6)}") == (
        f"{resident_id(5)}（张三/李四共用）", resident_id(6))


def test_a_bracket_never_closed_keeps_the_guarantors_after_it_apart() -> None:
    # A typing slip (the closing bracket left out) must not make the guarantors after it one name with it:
    # 李四 would get no notice of his own.
    assert split_guarantors("张三（夫妻、李四") == ["张三（夫妻", "李四"]
    assert split_guarantors("张三(夫妻/李四") == ["张三(夫妻", "李四"]
    assert split_party_values("甲地（老街;乙地") == ("甲地（老街", "乙地")
    assert split_guarantor_ids(f"{resident_id(5)}（/{resident_id(6)}") == (f"{resident_id(5)}（", resident_id(6))


def test_the_blocks_split_agrees_with_the_cell_by_cell_one() -> None:
    """A block's column split at once (placeholder or bracket cells alone) gives what each cell gives."""
    from docgen.loans import ledger

    cells = ["张三/李四", "无", "N/A", "张三（夫/妻）", "王五", "", "无/", "张无忌", "n/a、赵六", "-", "——", "/",
             "甲地、乙地", "眉县3/5号;无", "，", "孙七", "NA", "张三（夫妻、李四", "甲地(老街;乙地"]
    assert ledger._all_guarantors(cells)[:4] == [("张三", "李四"), (), (), ("张三（夫/妻）",)]
    assert ledger._all_guarantors(cells) == [tuple(split_guarantors(text)) for text in cells]
    assert ledger._all_guarantor_ids(cells) == [split_guarantor_ids(text) for text in cells]
    assert ledger._all_party_values(cells) == [split_party_values(text) for text in cells]


# (担保人, 保证人证件号码, 保证人地址) -> (guarantors, ID numbers, addresses) of the loan read.
_CELLS = [
    ("张三/N/A", resident_id(5), "眉县城关镇3/5号", ("张三",), (resident_id(5),), ("眉县城关镇3/5号",)),
    ("张三/李四", f"{resident_id(5)}/N/A", "眉县城关镇3/5号;/", ("张三", "李四"), (resident_id(5), ""),
     ("眉县城关镇3/5号", "")),
    ("N/A", "N/A", "N/A", (), (), ()),
    ("无", "无", "无", (), (), ()),
    ("无/", None, "/", (), (), ()),
    ("张三（夫/妻）", resident_id(6), "眉县城关镇（老街、东段）5号", ("张三（夫/妻）",), (resident_id(6),),
     ("眉县城关镇（老街、东段）5号",)),
    ("李四", resident_id(7), "眉县横渠镇2号", ("李四",), (resident_id(7),), ("眉县横渠镇2号",)),
    ("王五、暂无", resident_id(8), "眉县横渠镇3号", ("王五",), (resident_id(8),), ("眉县横渠镇3号",)),
    ("-", "-", "-", (), (), ()),
]


def _rows() -> list[dict]:
    return [row(f"A{at}", 1000, serial=at, guarantors=names, guarantor_ids=ids, guarantor_addresses=addresses)
            for at, (names, ids, addresses, *_) in enumerate(_CELLS)]


def test_placeholder_and_bracket_cells_read_alike_from_xlsx_csv_and_the_cache(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No row is refused (a 保证人地址 of / with no guarantor is none, not a guarantee without guarantors),
    and .xlsx, CSV, the cache entry and a row checked alone give the same guarantors."""
    monkeypatch.delenv("DOCGEN_NO_CACHE", raising=False)
    expected = [cell[3:] for cell in _CELLS]
    for values in _rows():
        for fast in (True, False):
            loan, problems = validate_row(values, 2, fast=fast)
            assert problems == [], (values["guarantors"], fast, problems)
    assert [(loan.guarantors, loan.guarantor_ids, loan.guarantor_addresses)
            for loan in (validate_row(values, 2)[0] for values in _rows())] == expected
    for suffix in (".xlsx", ".csv"):
        path = write_ledger(_rows(), tmp_path / f"台账{suffix}")
        monkeypatch.setenv("DOCGEN_CACHE_DIR", str(tmp_path / "cache" / suffix))
        for _ in range(2):  # cold (writing the cache entry), then from the cache
            loans = read_ledger(path).loans
            assert [(loan.guarantors, loan.guarantor_ids, loan.guarantor_addresses) for loan in loans] == expected
        assert len(list((tmp_path / "cache" / suffix / "ledger-records").glob("*.rec"))) == 1


@pytest.fixture()
def policy(tmp_path: Path):
    from docgen.loans.plan import load_policy

    path = tmp_path / "policy.yaml"
    path.write_text(POLICY_TEXT, encoding="utf-8")
    return load_policy(path)


@pytest.mark.parametrize(("cell", "named"), [
    ("N/A", ""), ("无/", ""), ("张三/N/A", "张三"), ("张三（夫/妻）", "张三（夫/妻）"),
])
def test_a_demand_letter_names_no_placeholder(tmp_path: Path, policy, cell: str, named: str) -> None:
    """The ledger's letter, re-opened: 要求保证人N、A… before; now the guarantors only, or no guarantor."""
    from collect_helpers import make_loan

    from docgen.documents.register import Register
    from docgen.loans.letters import make_letters

    extra = {"guarantee_type": "连带责任保证"} if named else {}  # none without a guarantor
    loan, problems = validate_row(row("JJ0003", 420000, guarantors=cell, **extra), 4)
    assert problems == []
    fields = {name: getattr(loan, name) for name in ("guarantors", "guarantee_type", "guarantor_addresses")}
    made = make_loan("JJ0003", days=30, borrower="李小明", **fields)
    with Register(tmp_path / "register.sqlite") as register:
        result = make_letters([made], AS_OF, tmp_path / "out", policy=policy, register=register)
    letter = next(w for w in result.written if w.loan_no == "JJ0003")  # the borrower's letter comes first
    text = docx_text(Path(letter.file))
    for wrong in ("N/A", "N、A", "保证人N", "保证人/", "保证人无", "（夫、"):
        assert wrong not in text, wrong
    if named:
        assert f"要求保证人{named}依照保证合同承担保证责任" in text
    else:
        assert "要求保证人" not in text


@pytest.mark.parametrize("cell", ["张三/李四", "张三／李四", "/", "N/A", "无/", "张三（夫/妻）", "张三、无", "张三\n李四",
                                  "张无忌;暂无"])
def test_a_batch_reads_guarantors_as_the_ledger_does(cell: str) -> None:
    """The batch's 担保人 cell and the ledger's give the same guarantors; the letter re-opened names them."""
    from docgen.documents.template import load_template

    template = load_template("demand-letter")
    data = yaml.safe_load((EXAMPLES / "demand-letter.yaml").read_text(encoding="utf-8"))
    data.update(guarantors=cell, serial="催字〔2026〕第00007号")
    context = template.prepare(data)
    loan, problems = validate_row(row("A1", 1000, guarantors=cell), 2)
    assert problems == [] and context["guarantors"] == list(loan.guarantors)
    text = docx_text(template.render(context))
    if loan.guarantors:
        assert f"要求保证人{'、'.join(loan.guarantors)}依照保证合同承担保证责任" in text
    else:
        assert "要求保证人" not in text
    for wrong in ("要求保证人/", "N/A", "保证人无", "保证人N"):
        assert wrong not in text
