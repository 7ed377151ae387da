"""``dump_json`` (orjson) writes the text ``json.dumps(indent=2, ensure_ascii=False)`` wrote."""
from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

from docgen.cli.common import dump_json

ROOT = Path(__file__).resolve().parents[2]


def _reference(data: object) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n"


def test_same_text_as_the_standard_encoder() -> None:
    data = {"金额": [0, 1, -2.5, 1020100.0, 0.0121, 1e16, 123456789012345.67, None, True, False],
            "text": "中文 \"引号\" \\ \n\t\u2028\x1f", "date": dt.date(2026, 6, 30),
            "moment": dt.datetime(2026, 6, 30, 9, 5), "amount": Decimal("1.50"), "path": Path("a/台账.xlsx"),
            "empty": {}, "none": [], "nested": [{"a": [[]]}]}
    assert dump_json(data) == _reference(data)


def test_what_orjson_refuses_is_still_written() -> None:
    for data in ({"big": 2 ** 70}, {1: "integer key"}):
        assert dump_json(data) == _reference(data)


def test_a_collection_plan_is_written_as_before() -> None:
    from docgen.loans.ledger import read_ledger
    from docgen.loans.plan import build_plan, load_policy

    ledger = read_ledger(ROOT / "examples" / "ledger" / "ledger-2026Q2.xlsx")
    data = build_plan(ledger.loans, dt.date(2026, 6, 30), load_policy(None), issued=set()).to_list()
    assert data and dump_json(data) == _reference(data)


def test_a_list_written_item_by_item_is_the_lists_text() -> None:
    from docgen.cli.common import dump_json_items

    items = [{"金额": 1.5, "日期": dt.date(2026, 6, 30), "空": [], "套": [{"a": [[]]}], "文": "行\n二"}, None, [],
             "中文", {"big": 2 ** 70}]
    for count in range(len(items) + 1):
        assert "".join(dump_json_items(iter(items[:count]))) == dump_json(items[:count])


def test_items_written_in_batches_are_each_items_own_text(monkeypatch) -> None:
    from docgen.cli import common

    # Batches of three over eight items: the integer orjson refuses sends its batch item by item,
    # where only that item is ``json``'s (1e-05); its neighbours keep orjson's plain 0.00001.
    monkeypatch.setattr(common, "_JSON_BATCH", 3)
    items = [{"n": at, "小": 0.00001, "d": dt.date(2026, 6, 30), "套": [{"a": []}]} for at in range(8)]
    items[4]["big"] = 2 ** 70

    def one_by_one(part: list[dict]) -> str:  # the text written item by item before batches
        if not part:
            return "[]\n"
        return "[\n  " + ",\n  ".join(common.dump_json(item)[:-1].replace("\n", "\n  ") for item in part) + "\n]\n"

    for count in range(len(items) + 1):
        pieces = list(common.dump_json_items(iter(items[:count])))
        assert len(pieces) == -(-count // 3) + 1 and "".join(pieces) == one_by_one(items[:count])
    whole = one_by_one(items)
    assert whole.count('"小": 0.00001') == 7 and whole.count('"小": 1e-05') == 1
    assert "".join(common.dump_json_items(iter(items[:3]))) == common.dump_json(items[:3])


def test_collect_plan_json_is_the_plans_list_whether_printed_or_written(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from docgen.cli import main
    from docgen.loans.ledger import read_ledger
    from docgen.loans.plan import build_plan, load_policy

    ledger_path = ROOT / "examples" / "ledger" / "ledger-2026Q2.xlsx"
    plan = build_plan(read_ledger(ledger_path).loans, dt.date(2026, 6, 30), load_policy(None), issued=set())
    args = ["collect", "plan", "--ledger", str(ledger_path), "--as-of", "2026-06-30", "--format", "json",
            "--register", str(tmp_path / "r.sqlite")]
    printed = CliRunner().invoke(main, args)
    assert printed.exit_code == 0, printed.output
    assert printed.stdout == dump_json(plan.to_list())
    written = CliRunner().invoke(main, [*args, "-o", str(tmp_path / "plan.json")])
    assert written.exit_code == 0, written.output
    assert (tmp_path / "plan.json").read_text(encoding="utf-8") == dump_json(plan.to_list())


def test_items_are_given_as_orjsons_bytes_where_they_would_be_written_so(tmp_path: Path, monkeypatch) -> None:
    import io
    import sys

    from docgen.cli import common

    monkeypatch.setattr(common, "_JSON_BATCH", 1)
    items = [{"金额": 1.5, "日期": dt.date(2026, 6, 30), "文": "行\n二\x1b[31m"}, {"big": 2 ** 70}, "中文"]
    pieces = list(common.dump_json_items(iter(items), encoded=True))
    assert [type(piece) for piece in pieces] == [bytes, str, bytes, str]  # the integer orjson refuses: text
    assert b"".join(p if isinstance(p, bytes) else p.encode() for p in pieces).decode() == dump_json(items)
    assert all(isinstance(p, str) for p in common.dump_json_items(iter(items)))
    # A file is written in UTF-8; a standard output in another encoding is given text.
    assert common._writes_utf8(tmp_path / "plan.json")
    stdout = sys.stdout
    try:
        sys.stdout = io.TextIOWrapper(io.BytesIO(), encoding="gb18030")
        assert not common._writes_utf8(None)
        sys.stdout = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
        assert common._writes_utf8("-")
        sys.stdout = io.StringIO()  # no bytes beneath
        assert not common._writes_utf8(None)
    finally:
        sys.stdout = stdout
    common.emit_json_items(iter(items), tmp_path / "plan.json")
    assert (tmp_path / "plan.json").read_text(encoding="utf-8") == dump_json(items)


def test_collect_plan_json_on_a_stdout_of_another_encoding_is_that_text(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from docgen.cli import main
    from docgen.loans.ledger import read_ledger
    from docgen.loans.plan import build_plan, load_policy

    ledger_path = ROOT / "examples" / "ledger" / "ledger-2026Q2.xlsx"
    plan = build_plan(read_ledger(ledger_path).loans, dt.date(2026, 6, 30), load_policy(None), issued=set())
    printed = CliRunner(charset="gb18030").invoke(main, [
        "collect", "plan", "--ledger", str(ledger_path), "--as-of", "2026-06-30", "--format", "json",
        "--register", str(tmp_path / "r.sqlite")])
    assert printed.exit_code == 0, printed.output
    assert printed.stdout_bytes == dump_json(plan.to_list()).encode("gb18030")
