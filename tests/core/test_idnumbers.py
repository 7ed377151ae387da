"""stdnum's place table kept parsed beside the package: stdnum answers from it as from its own parse."""
from __future__ import annotations

import codecs
from importlib.resources import files
from pathlib import Path

import pytest
from stdnum import numdb
from stdnum.cn import ric

from docgen.core import idnumbers

KNOWN = "110101199003077777"  # 北京市东城区
UNKNOWN = "990106198403152130"  # an area the table lacks


def _id(number: str) -> str:
    return number[:-1] + ric.calc_check_digit(number)


def _stdnums_own_parse() -> list:
    with codecs.getreader("utf-8")(files("stdnum").joinpath("cn/loc.dat").open("rb")) as fh:
        return numdb.read(fh).prefixes


@pytest.fixture()
def kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh process's state: stdnum holds no table, no lookup remembered; the kept form in tmp_path."""
    target = tmp_path / "pycache" / "stdnum-cn-loc.marshal"
    monkeypatch.setattr(idnumbers, "_compiled_table", lambda: target)
    monkeypatch.setattr(idnumbers.sys, "dont_write_bytecode", False)  # whatever PYTHONDONTWRITEBYTECODE says
    monkeypatch.setattr(numdb, "_open_databases", {})
    monkeypatch.setattr(idnumbers, "_PLACES", {})
    return target


def _fresh(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(numdb, "_open_databases", {})
    monkeypatch.setattr(idnumbers, "_PLACES", {})


def test_the_first_lookup_keeps_stdnums_parse_and_later_ones_use_it(kept: Path, monkeypatch) -> None:  # noqa: ANN001
    assert idnumbers.resident_id_issue(_id(KNOWN)) is None
    assert kept.is_file()  # stdnum parsed its table; the parse was kept
    _fresh(monkeypatch)

    def refuse(fp):  # noqa: ANN001, ANN202
        raise AssertionError("stdnum parsed its table again")

    monkeypatch.setattr(numdb, "read", refuse)
    assert idnumbers.resident_id_issue(_id(KNOWN)) is None
    assert idnumbers.resident_id_issue(_id(UNKNOWN)) == {"reason": "component", "length": 18}
    handed = numdb._open_databases["cn/loc"].prefixes
    monkeypatch.undo()
    # What stdnum was handed is exactly what it parses itself, so every lookup answers the same.
    assert handed == _stdnums_own_parse()


@pytest.mark.parametrize("damage", [
    lambda data: data[:-100],  # cut short
    lambda data: data.replace(b"\n", b"\nx", 1),  # another key (stdnum upgraded, another Python)
    lambda data: data[:-3] + bytes([data[-3] ^ 1]) + data[-2:],  # a flipped bit in the table
    lambda data: b"",
])
def test_a_damaged_or_foreign_kept_form_is_never_used(kept: Path, monkeypatch, damage) -> None:  # noqa: ANN001
    assert idnumbers.place_known(_id(KNOWN))
    good = kept.read_bytes()
    kept.write_bytes(damage(good))
    _fresh(monkeypatch)
    parsed = []
    real_read = numdb.read
    monkeypatch.setattr(numdb, "read", lambda fp: parsed.append(1) or real_read(fp))
    assert idnumbers.place_known(_id(KNOWN)) and not idnumbers.place_known(_id(UNKNOWN))
    assert parsed == [1]  # stdnum parsed its own table
    assert kept.read_bytes() == good  # and the kept form was written again


def test_nothing_is_kept_when_caching_is_off(kept: Path, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setattr(idnumbers, "_compiled_table", lambda: None)
    assert idnumbers.place_known(_id(KNOWN)) and not idnumbers.place_known(_id(UNKNOWN))
    assert not kept.exists()


def test_the_kept_form_is_beside_the_package_and_off_with_the_cache(monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setattr(idnumbers.sys, "dont_write_bytecode", False)  # whatever PYTHONDONTWRITEBYTECODE says
    target = idnumbers._compiled_table()
    assert target is not None and target.parent == Path(idnumbers.__file__).parent / "__pycache__"
    monkeypatch.setenv("DOCGEN_NO_CACHE", "1")
    assert idnumbers._compiled_table() is None


_FIND = numdb.NumDB._find


class _SlottedNumDB:
    """A stdnum whose database keeps its table under another name and takes no other attribute."""

    __slots__ = ("rows",)
    _find = staticmethod(_FIND)  # stdnum's lookup finds itself through the class

    def __init__(self) -> None:
        self.rows: list = []

    def info(self, number: str) -> list:
        return _FIND(number, self.rows)


class _OtherNumDB(_SlottedNumDB):
    """The same, taking any attribute (a table handed to it would be silently ignored)."""


@pytest.mark.parametrize("other", [_OtherNumDB, _SlottedNumDB])
@pytest.mark.parametrize("kept_first", [True, False])
def test_a_stdnum_built_otherwise_is_left_to_parse_its_table(kept: Path, monkeypatch, other, kept_first) -> None:  # noqa: ANN001
    if kept_first:  # a kept form written by the stdnum installed before
        assert idnumbers.place_known(_id(KNOWN))
        assert kept.is_file()
        _fresh(monkeypatch)
    rows = _stdnums_own_parse()

    def get(name: str):  # noqa: ANN202 - that stdnum's own parse
        if name not in numdb._open_databases:
            db = other.__new__(other)
            db.rows = rows
            numdb._open_databases[name] = db
        return numdb._open_databases[name]

    monkeypatch.setattr(numdb, "NumDB", other)
    monkeypatch.setattr(numdb, "get", get)
    assert idnumbers.resident_id_issue(_id(KNOWN)) is None
    assert idnumbers.resident_id_issue(_id(UNKNOWN)) == {"reason": "component", "length": 18}
    assert isinstance(numdb._open_databases["cn/loc"], other)


def test_python_told_to_write_no_bytecode_reads_a_kept_form_but_writes_none(kept: Path, monkeypatch) -> None:  # noqa: ANN001
    # As with .pyc files under -B / PYTHONDONTWRITEBYTECODE: nothing is written ...
    monkeypatch.setattr(idnumbers.sys, "dont_write_bytecode", True)
    parsed: list = []
    real_read = numdb.read
    monkeypatch.setattr(numdb, "read", lambda fp: parsed.append(1) or real_read(fp))
    assert idnumbers.place_known(_id(KNOWN)) and not idnumbers.place_known(_id(UNKNOWN))
    assert parsed == [1] and not kept.exists()  # stdnum parsed its own table; nothing written
    # ... but a form kept by a run allowed to write is read.
    monkeypatch.setattr(idnumbers.sys, "dont_write_bytecode", False)
    _fresh(monkeypatch)
    assert idnumbers.place_known(_id(KNOWN)) and kept.is_file()
    monkeypatch.setattr(idnumbers.sys, "dont_write_bytecode", True)
    _fresh(monkeypatch)
    parsed.clear()
    assert idnumbers.place_known(_id(KNOWN)) and not idnumbers.place_known(_id(UNKNOWN))
    assert parsed == []


def _per_text(texts: list[str]) -> list[str]:
    """The rule of ``resident_checksums_ok`` text by text: the shape, then stdnum's check character
    (an ``x`` standing for ``X``)."""
    return [text for text in texts if len(text) == 18 and text.isascii() and text[:17].isdigit()
            and text[17].upper() == ric.calc_check_digit(text)]


def test_a_block_of_resident_ids_is_checked_in_one_go_with_stdnums_check_characters() -> None:
    import random

    rng = random.Random(7)
    bodies = [f"{rng.choice(['610326', '110105', '990106'])}{rng.randint(1900, 2030)}{rng.randint(0, 13):02d}"
              f"{rng.randint(0, 32):02d}{rng.randint(0, 999):03d}" for _ in range(2000)]
    good = [_id(body + "0") for body in bodies]
    assert idnumbers.resident_checksums_ok(good) is good  # all of them checked together: the list itself back
    # Every one of the shape, some with a wrong check character, an x for X, a letter that is none.
    shaped = [body + rng.choice("0123456789XxY") for body in bodies] + [text[:-1] + "x" for text in good
                                                                      if text.endswith("X")]
    assert any(text.endswith("x") for text in shaped) and 0 < len(_per_text(shaped)) < len(shaped)
    assert idnumbers.resident_checksums_ok(shaped) == _per_text(shaped)
    # Any text of another shape among them: each text looked at alone, the same verdicts.
    for other in ("91350100M000100Y43", "61032619750312001", "6103261975031200123", "６１０３２６１９７５０３１２００１Ｘ",
                  "61032619750312001\u00e9", "1" * 17 + "Y", ""):
        texts = [*shaped[:50], other, *shaped[50:100]]
        assert idnumbers.resident_checksums_ok(texts) == _per_text(texts)
    assert idnumbers.resident_checksums_ok(iter(good[:10])) == good[:10]
    assert idnumbers.resident_checksums_ok([]) == []

