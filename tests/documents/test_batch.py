"""Batch generation (library): validation first, serials, re-runs, interruption, processes."""
from __future__ import annotations

from docxtext import docx_text

import csv
import json
import multiprocessing
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from batch_helpers import rows, write_csv, write_xlsx

from docgen.documents.batch import generate, run_batch
from docgen.core.cnformat import amount_in_words
from docgen.core.errors import RowsError
from docgen.documents.register import Register, sha256_file
from docgen.core.tabular import Row
from docgen.documents.template import load_template


def names(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


@pytest.fixture(scope="module")
def template():
    return load_template("demand-letter")


def test_batch_writes_letters_manifest_and_register(tmp_path: Path, template) -> None:
    data = rows(4)
    sheet = write_xlsx(tmp_path / "rows.xlsx", data)
    out = tmp_path / "out"
    with Register(tmp_path / "reg.sqlite") as reg:
        result = run_batch("demand-letter", sheet, out, register=reg)
        records = reg.records("demand-letter")
    assert [d.serial for d in result.documents] == [f"催字〔2026〕第{n:05d}号" for n in range(1, 5)]
    assert [d.row for d in result.documents] == [2, 3, 4, 5]
    assert [d.status for d in result.documents] == ["written"] * 4
    assert names(out) == {d.file.name for d in result.documents} | {"manifest.csv", "manifest.json"}
    for doc, row in zip(result.documents, data):
        text = docx_text(doc.file)
        assert doc.serial in text
        assert row["借款人"] in text
        assert row["借款合同号"] in text
        assert amount_in_words(Decimal(str(row["合计"]))) in text
        assert sha256_file(doc.file) == doc.sha256
    assert [(r.serial, r.row_key, r.sha256) for r in records] == [
        (d.serial, d.row_key, d.sha256) for d in result.documents]
    assert all(r.file == str(d.file.resolve()) for r, d in zip(records, result.documents))

    with open(out / "manifest.csv", encoding="utf-8-sig", newline="") as fh:
        manifest = list(csv.DictReader(fh))
    assert [m["serial"] for m in manifest] == [d.serial for d in result.documents]
    assert manifest[0] == {"row": "2", "row_key": data[0]["借款合同号"], "serial": "催字〔2026〕第00001号",
                           "file": result.documents[0].file.name, "sha256": result.documents[0].sha256,
                           "status": "written", "pdf": ""}
    text = (out / "manifest.json").read_text(encoding="utf-8")
    summary = json.loads(text)
    assert summary["template"] == "demand-letter" and summary["written"] == 4 and summary["skipped"] == 0
    assert summary["documents"][3]["file"] == result.documents[3].file.name
    assert summary["rows"] == str(sheet)
    # Written a document at a time, but the same text as the summary dumped whole.
    assert text == json.dumps(summary, ensure_ascii=False, indent=2) + "\n"
    assert summary["documents"] == [d.to_dict(out) for d in result.documents]


def test_one_bad_row_writes_nothing_and_names_row_and_column(tmp_path: Path, template) -> None:
    data = rows(4)
    data[2]["还款期限"] = data[2]["发函日期"]           # pay-by not after the letter date
    data[3]["证件号码"] = "330102198501011234"          # wrong check digit
    sheet = write_xlsx(tmp_path / "rows.xlsx", data)
    with Register(tmp_path / "reg.sqlite") as reg:
        with pytest.raises(RowsError) as err:
            run_batch("demand-letter", sheet, tmp_path / "out", register=reg)
        assert reg.records() == []  # no serial was reserved either
    assert not (tmp_path / "out").exists()
    problems = {(p.row, p.column, p.path) for p in err.value.problems}
    assert (4, "M（还款期限）", "pay_by") in problems
    assert (5, "C（证件号码）", "id_number") in problems
    assert str(err.value).startswith(f"模板 demand-letter：{sheet} 第4、5行数据有误，未生成任何文书")
    assert "第5行 C（证件号码）列 id_number：既不是有效的统一社会信用代码，也不是有效的居民身份证号" in str(err.value)


def test_a_row_that_could_not_be_rendered_is_caught_before_any_serial(tmp_path: Path) -> None:
    data = rows(3)
    data[1]["逾期本金"] = 1e17  # beyond what 人民币大写 can write
    data[1]["合计"] = None
    sheet = write_xlsx(tmp_path / "rows.xlsx", data)
    with Register(tmp_path / "reg.sqlite") as reg:
        with pytest.raises(RowsError) as err:
            run_batch("demand-letter", sheet, tmp_path / "out", register=reg)
        assert reg.records() == []
    assert not (tmp_path / "out").exists()
    assert [(p.row, p.column, p.path) for p in err.value.problems] == [(3, "I（逾期本金）", "principal")]


def test_numeric_id_cell_and_duplicate_key_are_row_errors(tmp_path: Path) -> None:
    data = rows(3)
    data[1]["证件号码"] = 330102198501011234  # what Excel does to an ID typed into a General cell
    data[2]["借款合同号"] = data[0]["借款合同号"]
    sheet = write_xlsx(tmp_path / "rows.xlsx", data)
    with Register(tmp_path / "reg.sqlite") as reg, pytest.raises(RowsError) as err:
        run_batch("demand-letter", sheet, tmp_path / "out", register=reg)
    assert {(p.row, p.column): (p.code, p.facts.get("key"), p.facts.get("earlier_row")) for p in err.value.problems} == {
        (3, "C（证件号码）"): ("number-stored", None, None),
        (4, "E（借款合同号）"): ("duplicate-key", data[0]["借款合同号"], 2)}
    messages = {(p.row, p.column): p.message for p in err.value.problems}
    assert messages[(3, "C（证件号码）")] == "证件号码被 Excel 存成了数字（位数可能已丢失），请把该列设为文本后重新录入"
    assert messages[(4, "E（借款合同号）")] == f"{data[0]['借款合同号']} 与第2行重复：同一借款合同号只能出一份文书"
    assert len(err.value.problems) == 2


def test_skip_invalid_writes_the_good_rows(tmp_path: Path) -> None:
    data = rows(3)
    data[1]["逾期本金"] = "十万"
    sheet = write_xlsx(tmp_path / "rows.xlsx", data)
    with Register(tmp_path / "reg.sqlite") as reg:
        result = run_batch("demand-letter", sheet, tmp_path / "out", register=reg, skip_invalid=True)
    assert [d.row for d in result.documents] == [2, 4]
    assert [d.serial for d in result.documents] == ["催字〔2026〕第00001号", "催字〔2026〕第00002号"]
    assert result.invalid_rows == [3]
    assert result.invalid[0].column == "I（逾期本金）"
    summary = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert summary["invalid_rows"] == [3] and summary["problems"][0]["row"] == 3


def test_rerun_writes_nothing_new_and_restores_a_missing_file(tmp_path: Path) -> None:
    sheet = write_xlsx(tmp_path / "rows.xlsx", rows(3))
    out = tmp_path / "out"
    with Register(tmp_path / "reg.sqlite") as reg:
        first = run_batch("demand-letter", sheet, out, register=reg)
        mtimes = {d.file: d.file.stat().st_mtime_ns for d in first.documents}
        again = run_batch("demand-letter", sheet, out, register=reg)
        assert again.written == [] and len(again.skipped) == 3
        assert [d.serial for d in again.documents] == [d.serial for d in first.documents]
        assert {d.file: d.file.stat().st_mtime_ns for d in first.documents} == mtimes
        first.documents[1].file.unlink()
        third = run_batch("demand-letter", sheet, out, register=reg)
        assert [(d.status, d.serial) for d in third.documents] == [
            ("skipped", first.documents[0].serial), ("restored", first.documents[1].serial),
            ("skipped", first.documents[2].serial)]
        assert third.documents[1].sha256 == first.documents[1].sha256  # same serial, same bytes
        assert len(reg.records()) == 3 and reg.verify() == []
        # New rows added to the sheet get the next serials; old ones are left alone.
        more = write_xlsx(tmp_path / "more.xlsx", rows(5))
        fourth = run_batch("demand-letter", more, out, register=reg)
        assert [(d.status, d.seq) for d in fourth.documents] == [
            ("skipped", 1), ("skipped", 2), ("skipped", 3), ("written", 4), ("written", 5)]


def test_killed_batch_rerun_completes_without_duplicates(tmp_path: Path) -> None:
    sheet = write_xlsx(tmp_path / "rows.xlsx", rows(6))
    out = tmp_path / "out"

    class Killed(BaseException):
        pass

    def kill_after_three(stage: str, done: int, total: int) -> None:
        if done == 3:
            raise Killed()

    with Register(tmp_path / "reg.sqlite") as reg:
        with pytest.raises(Killed):
            run_batch("demand-letter", sheet, out, register=reg, progress=kill_after_three)
        done_files = sorted(p.name for p in out.glob("*.docx"))
        assert len(done_files) == 3
        assert not list(out.glob(".*.part"))  # no half-written leftovers
        assert sum(r.is_complete for r in reg.records()) == 3
        assert {s for _, s in reg.verify()} == {"incomplete"}
        result = run_batch("demand-letter", sheet, out, register=reg)
        assert [d.status for d in result.documents] == ["skipped"] * 3 + ["written"] * 3
        records = reg.records("demand-letter")
        assert [r.seq for r in records] == [1, 2, 3, 4, 5, 6]
        assert reg.verify() == []
    assert len(list(out.glob("*.docx"))) == 6


def test_jobs_two_gives_the_same_documents(tmp_path: Path) -> None:
    sheet = write_xlsx(tmp_path / "rows.xlsx", rows(8))
    with Register(tmp_path / "a.sqlite") as reg:
        one = run_batch("demand-letter", sheet, tmp_path / "one", register=reg, jobs=1)
    with Register(tmp_path / "b.sqlite") as reg:
        two = run_batch("demand-letter", sheet, tmp_path / "two", register=reg, jobs=2)
        assert reg.verify() == []
    assert [(d.serial, d.file.name, d.sha256) for d in one.documents] == [
        (d.serial, d.file.name, d.sha256) for d in two.documents]


def _batch_in_process(args: tuple[str, str, str]) -> list[str]:
    sheet, out, register = args
    with Register(register) as reg:
        return [d.serial for d in run_batch("demand-letter", sheet, out, register=reg).documents]


def test_two_batches_at_once_never_share_a_serial(tmp_path: Path) -> None:
    data = rows(24)
    a = write_xlsx(tmp_path / "a.xlsx", data[:12])
    b = write_xlsx(tmp_path / "b.xlsx", data[12:])
    register = str(tmp_path / "reg.sqlite")
    Register(register).close()
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        first, second = pool.map(_batch_in_process, [(str(a), str(tmp_path / "A"), register),
                                                     (str(b), str(tmp_path / "B"), register)])
    assert not set(first) & set(second)
    with Register(register) as reg:
        assert [r.seq for r in reg.records()] == list(range(1, 25))
        assert len({r.serial for r in reg.records()}) == 24
        assert reg.verify() == []


def test_csv_in_gb18030_and_plain_items(tmp_path: Path, template) -> None:
    data = rows(2)
    sheet = write_csv(tmp_path / "rows.csv", data, encoding="gb18030")
    with Register(tmp_path / "reg.sqlite") as reg:
        result = run_batch("demand-letter", sheet, tmp_path / "out", register=reg)
        assert [d.row for d in result.documents] == [2, 3]
        assert data[1]["借款人"] in docx_text(result.documents[1].file)
        # Items may also be (row key, data) pairs built by code.
        item = _code_item(id_number=data[0]["证件号码"])
        made = generate(template, [("HT-X", item)], tmp_path / "code", register=reg)
        assert made.documents[0].serial == "催字〔2026〕第00003号"
        assert "王五" in docx_text(made.documents[0].file)
        rows_as_objects = [Row(2, {"borrower": "张三"}, {"borrower": "A（借款人）"})]
        with pytest.raises(RowsError) as err:
            generate(template, rows_as_objects, tmp_path / "bad", register=reg)
        assert any(p.path == "id_number" and p.row == 2 for p in err.value.problems)


def _code_item(**changes: Any) -> dict[str, Any]:
    """A valid demand-letter item as a program gives it: canonical field names (``changes`` applied)."""
    item = {"letter_date": "2026-11-28", "borrower": "王五", "id_number": "11010519491231002X",
            "contract_no": "HT-X", "loan_date": "2025-01-02", "loan_amount": 100000,
            "overdue_since": "2026-11-22", "principal": 100, "interest": 1, "penalty": 0.5,
            "pay_by": "2026-12-08", "branch": "某支行", "contact": "陈晓燕", "phone": "0571-1",
            "bank_legal_name": "某农村商业银行股份有限公司", "borrower_address": "某市某路1号",
            "maturity": "2027-01-02", "balance": 50000, "penalty_daily": "0.02%"}
    return {**item, **changes}


def _bad_items(count: int) -> list[tuple[str, dict[str, Any]]]:
    """``count`` (key, data) items cycling through a good one and every way an item is bad: data
    the template refuses, a key given before, no key."""
    kinds = [
        lambda n: (f"HT-{n}", _code_item(contract_no=f"HT-{n}")),
        lambda n: (f"HT-{n}", {"borrower": "张三"}),
        lambda n: (f"HT-{n - 2}", _code_item(contract_no=f"HT-{n - 2}")),
        lambda n: ("", _code_item()),
        lambda n: (f"HT-{n}", _code_item(contract_no=f"HT-{n}", principal="一百")),
    ]
    return [kinds[n % len(kinds)](n) for n in range(count)]


def _rejected(template, items: list[tuple[str, dict[str, Any]]], folder: Path) -> RowsError:
    with Register(folder / "reg.sqlite") as reg:
        with pytest.raises(RowsError) as caught:
            generate(template, items, folder / "out", register=reg)
        assert not (folder / "out").exists() and reg.records("demand-letter") == []
    return caught.value


def _listed(err: RowsError) -> list[tuple[Any, ...]]:
    return [(p.path, p.code, p.message, dict(p.facts)) for p in err.problems]


@pytest.mark.parametrize("limit", [1, 4, 9])
def test_items_given_by_code_are_checked_no_further_than_the_limit_of_bad_ones(
        tmp_path: Path, template, monkeypatch: pytest.MonkeyPatch, limit: int) -> None:
    """(key, data) items have no row: past ``MAX_BAD_ROWS`` bad ones -- whatever makes them bad --
    checking stops at the item that passed it, named by its position and key, and the problems
    listed are exactly those of the items before it."""
    from docgen.documents import batch

    items = _bad_items(30)
    monkeypatch.setattr(batch, "MAX_BAD_ROWS", limit)
    err = _rejected(template, items, tmp_path / "cut")
    assert err.code == "items-rejected/stopped"
    position = err.facts["position"]
    assert err.facts == {"template": "demand-letter", "position": position, "key": items[position - 1][0],
                         "count": limit}
    assert str(err).splitlines()[0] == (
        f"模板 demand-letter：检查到第{position}项（唯一编号“{items[position - 1][0]}”）时已有超过 {limit} 项数据有误，"
        f"其后的项未再检查，未生成任何文书；下面列出前 {limit} 项，请改正后重新运行")
    # The items before it hold exactly ``limit`` bad ones, the problems listed.
    monkeypatch.setattr(batch, "MAX_BAD_ROWS", 1_000)
    before = _rejected(template, items[:position - 1], tmp_path / "before")
    assert before.code == "rows-rejected/error"
    assert _listed(err) == _listed(before)
    everything = _rejected(template, items[:position], tmp_path / "all")
    assert len(everything.problems) > len(before.problems)  # the item it stopped at is bad


def test_items_of_only_repeated_or_missing_keys_stop_at_the_limit_too(
        tmp_path: Path, template, monkeypatch: pytest.MonkeyPatch) -> None:
    """Good data under a key given before (or none): each is a bad item counted to the limit."""
    from docgen.documents import batch

    monkeypatch.setattr(batch, "MAX_BAD_ROWS", 3)
    repeated = [("HT-X", _code_item())] * 8
    err = _rejected(template, repeated, tmp_path / "repeated")
    assert (err.code, err.facts["position"], err.facts["key"]) == ("items-rejected/stopped", 5, "HT-X")
    assert [p.code for p in err.problems] == ["duplicate-key"] * 3
    keyless = _rejected(template, [("", _code_item())] * 8, tmp_path / "keyless")
    assert (keyless.code, keyless.facts["position"], keyless.facts["key"]) == ("items-rejected/stopped", 4, "")
    assert [p.code for p in keyless.problems] == ["missing-key"] * 3
    # An item has no row: its position names it, and the one its key repeats.
    assert [p.message for p in keyless.problems] == [
        f"第{n}项缺少唯一编号（登记簿以它识别同一份文书）" for n in (1, 2, 3)]
    assert [p.message for p in err.problems] == [
        f"第{n}项的唯一编号 HT-X 与第1项重复：同一借款合同号只能出一份文书" for n in (2, 3, 4)]
    # Up to the limit, every problem, as before.
    at_limit = _rejected(template, repeated[:4], tmp_path / "at-limit")
    assert at_limit.code == "rows-rejected/error" and [p.code for p in at_limit.problems] == ["duplicate-key"] * 3
    # Rows of a sheet count theirs the same way, named by row.
    sheet_rows = [Row(n, _code_item(), {"contract_no": "D（借款合同号）"}) for n in range(2, 10)]
    by_row = _rejected(template, sheet_rows, tmp_path / "rows")
    assert (by_row.code, by_row.facts["row"]) == ("rows-rejected/stopped", 6)
    assert [(p.code, p.row) for p in by_row.problems] == [("duplicate-key", n) for n in (3, 4, 5)]
    # Rows a program gives in another order: the bad ones before the row it stopped at, whatever their numbers.
    backwards = _rejected(template, sheet_rows[::-1], tmp_path / "backwards")
    assert (backwards.code, backwards.facts["row"]) == ("rows-rejected/stopped", 5)
    assert [(p.code, p.row) for p in backwards.problems] == [("duplicate-key", n) for n in (8, 7, 6)]


def test_unwritable_output_is_one_clear_error(tmp_path: Path) -> None:
    from docgen.core.errors import OutputError

    sheet = write_xlsx(tmp_path / "rows.xlsx", rows(1))
    blocker = tmp_path / "out"
    blocker.write_text("a file where the folder should be")
    with Register(tmp_path / "reg.sqlite") as reg, pytest.raises(OutputError) as err:
        run_batch("demand-letter", sheet, blocker, register=reg)
    assert err.value.exit_code == 2  # like every output that cannot be written
    assert str(err.value).startswith(f"无法写入 {blocker}")
    assert "请检查输出文件夹" in str(err.value)


def test_jobs_with_spawned_workers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Windows and macOS start workers by spawning: they reload the template by name and path.
    import docgen.documents.batch as batch_module

    monkeypatch.setattr(batch_module, "process_context", lambda: multiprocessing.get_context("spawn"))
    sheet = write_xlsx(tmp_path / "rows.xlsx", rows(3))
    with Register(tmp_path / "reg.sqlite") as reg:
        result = run_batch("demand-letter", sheet, tmp_path / "out", register=reg, jobs=2)
        assert reg.verify() == []
    assert [d.status for d in result.documents] == ["written"] * 3
    assert all(d.file.is_file() for d in result.documents)


def test_batch_killed_with_sigkill_then_rerun(tmp_path: Path) -> None:
    import os
    import signal
    import subprocess
    import sys
    import time

    sheet = write_xlsx(tmp_path / "rows.xlsx", rows(300, seed=3))
    out = tmp_path / "out"
    env = {**os.environ, "DOCGEN_REGISTER": str(tmp_path / "reg.sqlite")}
    command = [sys.executable, "-m", "docgen", "batch", "demand-letter", "--rows", str(sheet),
               "--out", str(out), "--no-progress"]
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        # Killed while rendering: the documents are staged, none is durable or recorded yet.
        if out.is_dir() and len(list(out.glob(".*.part"))) >= 30:
            proc.send_signal(signal.SIGKILL)  # as abrupt as a power cut for the process
            break
        time.sleep(0.01)
    proc.wait()
    staged_left = len(list(out.glob(".*.part"))) if out.is_dir() else 0
    killed_with = len(list(out.glob("*.docx"))) if out.is_dir() else 0
    rerun = subprocess.run(command, env=env, capture_output=True, text=True)
    assert rerun.returncode == 0, rerun.stderr
    with Register(tmp_path / "reg.sqlite") as reg:
        records = reg.records("demand-letter")
        assert [r.seq for r in records] == list(range(1, 301))
        assert len({r.serial for r in records}) == 300
        assert reg.verify() == []
    assert len(list(out.glob("*.docx"))) == 300
    assert not list(out.glob(".*.part"))  # the killed run's staged files were cleaned up
    if proc.returncode == -signal.SIGKILL and killed_with == 0:  # (a fast machine may be renaming already)
        assert staged_left >= 30  # nothing was under its final name before the barrier


def test_one_durability_barrier_per_batch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    calls: list[int] = []
    real_sync = getattr(os, "sync", lambda: None)
    monkeypatch.setattr(os, "sync", lambda: (calls.append(len(list(out.glob("*.docx")))), real_sync())[1],
                        raising=False)
    sheet = write_xlsx(tmp_path / "rows.xlsx", rows(230, seed=5))
    out = tmp_path / "out"
    with Register(tmp_path / "reg.sqlite") as reg:
        result = run_batch("demand-letter", sheet, out, register=reg)
        assert len(result.written) == 230
        assert calls == [0]  # one sync, before any document had its final name
        assert sum(r.is_complete for r in reg.records()) == 230
        assert reg.verify() == []
    assert len(list(out.glob("*.docx"))) == 230 and not list(out.glob(".*.part"))


def test_jobs_two_checks_rows_in_workers_and_reports_all(tmp_path: Path) -> None:
    data = rows(6)
    data[4]["罚息"] = "abc"
    sheet = write_xlsx(tmp_path / "rows.xlsx", data)
    with Register(tmp_path / "reg.sqlite") as reg, pytest.raises(RowsError) as err:
        run_batch("demand-letter", sheet, tmp_path / "out", register=reg, jobs=2)
    assert [(p.row, p.column) for p in err.value.problems] == [(6, "K（罚息）")]
    assert not (tmp_path / "out").exists()


def test_empty_cell_reads_as_missing_and_optional_lists_default(tmp_path: Path) -> None:
    data = rows(2)
    data[0]["逾期本金"] = None   # required: the message says it is missing
    data[1]["担保人"] = None     # optional list: no guarantors
    sheet = write_xlsx(tmp_path / "rows.xlsx", data)
    with Register(tmp_path / "reg.sqlite") as reg:
        with pytest.raises(RowsError) as err:
            run_batch("demand-letter", sheet, tmp_path / "out", register=reg)
        assert [(p.row, p.column, p.code, p.message) for p in err.value.problems] == [
            (2, "I（逾期本金）", "required", "必填字段，不能缺少")]
        result = run_batch("demand-letter", sheet, tmp_path / "out", register=reg, skip_invalid=True)
    assert [d.row for d in result.documents] == [3]


def test_rows_claimed_by_a_running_batch_are_left_to_it(tmp_path: Path) -> None:
    import socket
    import subprocess
    import sys

    sheet = write_xlsx(tmp_path / "rows.xlsx", rows(3))
    template = load_template("demand-letter")
    key = rows(3)[1]["借款合同号"]
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        with Register(tmp_path / "reg.sqlite") as reg:
            # Another batch (a live process) reserved row 2 and is writing it.
            reg.reserve_many(template.name, [(key, lambda s: f"催字〔2026〕第{s:05d}号")],
                             owner=f"{socket.gethostname()}:{sleeper.pid}")
            result = run_batch(template, sheet, tmp_path / "out", register=reg)
            assert result.in_progress == [key]
            assert [d.row_key for d in result.documents] == [rows(3)[0]["借款合同号"], rows(3)[2]["借款合同号"]]
            assert [d.seq for d in result.documents] == [2, 3]
    finally:
        sleeper.kill()
        sleeper.wait()
    with Register(tmp_path / "reg.sqlite") as reg:
        # Its process is gone: the next run takes the claim over and writes the row with serial 1.
        again = run_batch(template, sheet, tmp_path / "out", register=reg)
        assert again.in_progress == []
        assert [(d.seq, d.status) for d in again.documents] == [(1, "written"), (2, "skipped"), (3, "skipped")]
        assert reg.verify() == []


def _same_rows_in_process(args: tuple[str, str, str]) -> list[str]:
    sheet, out, register = args
    with Register(register) as reg:
        return [d.row_key for d in run_batch("demand-letter", sheet, out, register=reg).written]


def test_same_rows_run_twice_at_once_are_written_once(tmp_path: Path) -> None:
    sheet = write_xlsx(tmp_path / "rows.xlsx", rows(40))
    register = str(tmp_path / "reg.sqlite")
    Register(register).close()
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        first, second = pool.map(_same_rows_in_process, [(str(sheet), str(tmp_path / "A"), register),
                                                         (str(sheet), str(tmp_path / "B"), register)])
    assert not set(first) & set(second)
    assert len(first) + len(second) == 40
    with Register(register) as reg:
        assert [r.seq for r in reg.records()] == list(range(1, 41))
        assert reg.verify() == []


def test_row_errors_of_code_built_items_and_long_numbers_are_coded(tmp_path: Path, template) -> None:
    import yaml

    example = Path(__file__).resolve().parents[2] / "examples" / "templates" / "demand-letter.yaml"
    good = {k: v for k, v in yaml.safe_load(example.read_text(encoding="utf-8")).items() if k != "serial"}
    with Register(tmp_path / "reg.sqlite") as reg:
        with pytest.raises(RowsError) as err:
            generate(template, [("HT-Y", {k: v for k, v in good.items() if k != "principal"})], tmp_path / "a",
                     register=reg)
        [keyed] = err.value.problems
        assert (keyed.code, keyed.path, keyed.facts) == ("required", "principal", {"key": "HT-Y"})
        assert keyed.message == "[HT-Y] 必填字段，不能缺少"
        long_number = Row(2, {**good, "contract_no": 1234567890123456789}, {"contract_no": "D（借款合同号）"})
        with pytest.raises(RowsError) as err:
            generate(template, [long_number], tmp_path / "b", register=reg)
        assert [(p.row, p.column, p.code, dict(p.facts)) for p in err.value.problems] == [
            (2, "D（借款合同号）", "number-truncated", {"value": 1234567890123456789, "digits": 19})]
        assert [p.message for p in err.value.problems] == ["超过15位的数字已被 Excel 截断，请把该列设为文本后重新录入"]
        assert reg.records() == []


def test_ctrl_c_during_the_commit_waits_for_its_end(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os
    import signal

    from docgen.core.errors import Interrupted

    sheet = write_xlsx(tmp_path / "rows.xlsx", rows(5))
    out = tmp_path / "out"
    real = Register.complete_many

    def interrupted_midway(self, *args, **kwargs):
        os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C between the renames and the register
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Register, "complete_many", interrupted_midway)
    with Register(tmp_path / "reg.sqlite") as reg:
        with pytest.raises(Interrupted, match="已生成 5 份"):
            run_batch("demand-letter", sheet, out, register=reg)
        assert sum(r.is_complete for r in reg.records()) == 5  # the register kept up with the files
    assert len(list(out.glob("*.docx"))) == 5 and not list(out.glob(".*.part"))


def test_ctrl_c_before_any_letter_says_none_was_made_and_the_rerun_completes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from docgen.core.errors import Interrupted

    sheet = write_xlsx(tmp_path / "rows.xlsx", rows(3))
    out = tmp_path / "out"
    real = Register.reserve_many

    def ctrl_c_while_reserving(self, *args, **kwargs):
        raise KeyboardInterrupt  # Ctrl-C while the serials are being reserved, before any rendering

    monkeypatch.setattr(Register, "reserve_many", ctrl_c_while_reserving)
    with Register(tmp_path / "reg.sqlite") as reg:
        with pytest.raises(Interrupted) as err:
            run_batch("demand-letter", sheet, out, register=reg)
        assert str(err.value) == "已中断，已生成 0 份，重新运行可继续"
        monkeypatch.setattr(Register, "reserve_many", real)
        again = run_batch("demand-letter", sheet, out, register=reg)
    assert [d.status for d in again.documents] == ["written"] * 3


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_batch_worked_in_blocks_smaller_than_itself_gives_the_same_outputs(tmp_path: Path, monkeypatch, jobs) -> None:
    from docgen.documents import batch, spool

    monkeypatch.setattr(batch, "_BLOCK", 2)  # every step holds two letters at most
    monkeypatch.setattr(spool, "KEEP", 1)  # and the batch's records go through the on-disk spools
    data = rows(5)
    data[4]["借款合同号"] = data[0]["借款合同号"]  # a duplicate three blocks later
    sheet = write_xlsx(tmp_path / "rows.xlsx", data)
    out = tmp_path / "out"
    with Register(tmp_path / "reg.sqlite") as reg:
        with pytest.raises(RowsError) as err:
            run_batch("demand-letter", sheet, out, register=reg, jobs=jobs)
        assert [(p.row, p.code, p.facts.get("earlier_row")) for p in err.value.problems] == [(6, "duplicate-key", 2)]
        data = rows(5)
        first = run_batch("demand-letter", write_xlsx(tmp_path / "rows.xlsx", data[:3]), out, register=reg, jobs=jobs)
        first.documents[0].file.unlink()
        # Restored (seq 1), skipped (2, 3) and new (4, 5): documents and manifests in serial order.
        again = run_batch("demand-letter", write_xlsx(tmp_path / "more.xlsx", data[2::-1] + data[3:]), out,
                          register=reg, jobs=jobs)
        assert [(d.status, d.seq, d.row) for d in again.documents] == [
            ("restored", 1, 4), ("skipped", 2, 3), ("skipped", 3, 2), ("written", 4, 5), ("written", 5, 6)]
        assert again.documents[0].sha256 == first.documents[0].sha256 and reg.verify() == []
        assert len(again.written) == 3 and len(again.skipped) == 2 and again.documents[-1].seq == 5
        with open(out / "manifest.csv", encoding="utf-8-sig", newline="") as fh:
            listed = [(r["serial"], r["file"], r["sha256"], r["status"]) for r in csv.DictReader(fh)]
        assert listed == [(d.serial, d.file.name, d.sha256, d.status) for d in again.documents]
        summary = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        assert summary == {**again.to_dict(), "rows": str(tmp_path / "more.xlsx"), "generated": summary["generated"]}
        assert sorted(p.name for p in out.iterdir() if p.name.startswith(".")) == []


def test_the_batch_runs_with_the_collector_paused_and_leaves_no_cycle_per_letter(tmp_path: Path) -> None:
    import gc

    states: list[bool] = []
    with Register(tmp_path / "reg.sqlite") as reg:
        run_batch("demand-letter", write_xlsx(tmp_path / "warm.xlsx", rows(2, seed=1)), tmp_path / "warm", register=reg,
                  progress=lambda stage, done, total: states.append(gc.isenabled()))
        assert states and not any(states) and gc.isenabled()  # paused while rendering, on again after
        # The pause is safe because what a batch leaves in reference cycles is the same few
        # whatever its size: the few a letter's render makes are freed by the batch's own sweep
        # after each block of rows. No collection runs on its own
        # meanwhile (threshold 0), yet the collector stays on, so the batch's own pause and
        # sweeps run as ever (the collector switched off would be an embedding application's
        # wish: nothing swept).
        found = []
        thresholds = gc.get_threshold()
        gc.collect()
        gc.set_threshold(0)
        try:
            for count, seed in ((3, 2), (23, 3)):
                run_batch("demand-letter", write_xlsx(tmp_path / f"rows{count}.xlsx", rows(count, seed=seed)),
                          tmp_path / f"out{count}", register=reg)
                found.append(gc.collect())
        finally:
            gc.set_threshold(*thresholds)
    assert found[1] - found[0] < 20, found


def test_bad_rows_cerberus_cycles_are_swept_a_block_at_a_time(tmp_path: Path, monkeypatch) -> None:
    import gc

    from docgen.documents import batch

    monkeypatch.setattr(batch, "_BLOCK", 2)
    data = rows(8)
    for row in data[::2]:
        row["逾期本金"] = "十万"  # refused by cerberus, whose error trees are reference cycles
    sheet = write_xlsx(tmp_path / "rows.xlsx", data)
    young: list[int] = []

    def watch(phase: str, info: dict) -> None:
        if phase == "start" and info["generation"] == 0 and not gc.isenabled():
            young.append(1)

    gc.callbacks.append(watch)
    try:
        with Register(tmp_path / "reg.sqlite") as reg:
            result = run_batch("demand-letter", sheet, tmp_path / "out", register=reg, skip_invalid=True)
    finally:
        gc.callbacks.remove(watch)
    assert result.invalid_rows == [2, 4, 6, 8] and len(result.documents) == 4
    assert len(young) >= 4 + 2  # a sweep after each block checked (4) and each block rendered (2)


def test_a_staged_file_holds_exactly_its_bytes_and_its_sha256_is_theirs(tmp_path: Path) -> None:
    import hashlib

    from docgen.documents.batch import _write_staged

    staged = tmp_path / ".letter.docx.1-ab.part"
    staged.write_bytes(b"x" * 100_000)  # a longer leftover under the same name is cut, as open("wb") does
    data = bytes(range(256)) * 300
    assert _write_staged(str(staged), data) == hashlib.sha256(data).hexdigest()
    assert staged.read_bytes() == data
    with pytest.raises(OSError):
        _write_staged(str(tmp_path / "no-such-folder" / "x.part"), data)


@pytest.mark.parametrize("keep", [0, 2, 100])  # all on disk, some in memory, all in memory
def test_a_spool_gives_back_its_records_by_index_and_in_order_between_appends(keep: int) -> None:
    from docgen.documents.spool import Spool

    spool = Spool(keep)
    for n in range(5):
        spool.append({"n": n, "amount": Decimal(n) / 4})
    assert spool[3] == {"n": 3, "amount": Decimal("0.75")} and spool[-1]["n"] == 4
    spool.append({"n": 5})  # appended after a read: still found, and the reads before it intact
    assert [r["n"] for r in spool.read()] == [0, 1, 2, 3, 4, 5]
    assert [r["n"] for r in spool.read([5, 0, 2])] == [5, 0, 2] and len(spool) == 6
    assert [spool[i]["n"] for i in (-6, -1, 1)] == [0, 5, 1]
    assert [r["n"] for r in spool.read([-6, -1])] == [0, 5]
    for outside in (6, -7, -12):  # past either end, wherever the records are kept
        with pytest.raises(IndexError):
            spool[outside]
        with pytest.raises(IndexError):
            list(spool.read([outside]))
    spool.close()
