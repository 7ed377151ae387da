"""A seeded mutation fuzz over what users hand docgen: batch rows, ledgers, bundle.yaml and zips.

Each case starts from a valid example, applies a few mutations drawn from a seeded random
generator (byte flips and cuts, hostile values: formula text, lone numbers far out of range,
ambiguous separators, control and bidi characters, very long text, other encodings) and runs
the library on it. The contract checked is docgen's: the call succeeds, or it raises a
``DocgenError`` (a clear message and an exit code) -- never another exception, never a
process abort (the zip and spreadsheet cases run the command in a child process, where an
abort would show as a signal). Batches that succeed must leave a sound register. Zips and
ledgers are also posted to the service's JSON API, which must answer 200 or a 4xx with a message.

The suite runs a few cases per input kind (``DOCGEN_FUZZ_CASES``, default 12) from a fixed
seed (``DOCGEN_FUZZ_SEED``); a longer run: ``DOCGEN_FUZZ_CASES=500 pytest tests/test_fuzz.py``.
A failure names the seed and case, so it replays exactly.
"""
from __future__ import annotations

import io
import os
import random
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from batch_helpers import rows, write_csv

from docgen.core.errors import DocgenError

ROOT = Path(__file__).resolve().parents[1]
CASES = int(os.environ.get("DOCGEN_FUZZ_CASES", "12"))
SEED = int(os.environ.get("DOCGEN_FUZZ_SEED", "20261201"))

HOSTILE_TEXT = [
    "=HYPERLINK(\"http://x\")", "+1+1", "@SUM(A1)", "-1e308", "1e30", "1.234,56", "1,23", "NaN", "inf",
    "9" * 40, "\u202ecod.exe", "\u0000", "\x1b[31m", "a{_{b}_}", "{{ 7*7 }}", "{% for %}", "长" * 400,
    "2026-02-30", "0000-00-00", "99999-01-01", "\ufeff", "'", "\"", ",", "\r\n", "；", "𠮷",
]


def mutate_bytes(data: bytes, rng: random.Random) -> bytes:
    """A few random byte-level mutations: flip, cut, duplicate, insert hostile text."""
    buf = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        kind = rng.randrange(5)
        at = rng.randrange(len(buf) + 1) if buf else 0
        if kind == 0 and buf:
            buf[min(at, len(buf) - 1)] ^= 1 << rng.randrange(8)
        elif kind == 1:
            del buf[at:at + rng.randint(1, 64)]
        elif kind == 2 and buf:
            piece = buf[at:at + rng.randint(1, 256)]
            buf[at:at] = piece
        elif kind == 3:
            buf[at:at] = rng.choice(HOSTILE_TEXT).encode("utf-8")
        else:
            buf = buf[: max(0, len(buf) - rng.randint(1, 512))]  # truncated
    return bytes(buf)


def run_case(name: str, index: int, action: Callable[[], object]) -> None:
    """Run one case; anything but success or a DocgenError fails, naming how to replay it."""
    try:
        action()
    except DocgenError as exc:
        assert str(exc).strip(), f"{name} case {index}: empty error message"
    except Exception as exc:  # noqa: BLE001 - exactly what the fuzz is looking for
        raise AssertionError(f"{name} case {index} (DOCGEN_FUZZ_SEED={SEED}): {type(exc).__name__}: {exc}") from exc


def test_fuzz_batch_rows_csv(tmp_path: Path) -> None:
    from docgen.documents.batch import run_batch
    from docgen.documents.register import Register

    rng = random.Random(SEED)
    valid = write_csv(tmp_path / "valid.csv", rows(4, seed=11)).read_bytes()
    template = __import__("docgen.documents.template", fromlist=["load_template"]).load_template("demand-letter")
    for index in range(CASES):
        case = tmp_path / f"c{index}"
        case.mkdir()
        sheet = case / "rows.csv"
        sheet.write_bytes(mutate_bytes(valid, rng))
        with Register(case / "reg.sqlite") as register:
            run_case("rows.csv", index, lambda: run_batch(template, sheet, case / "out", register=register,
                                                           skip_invalid=rng.random() < 0.5))
            assert [i for i in register.audit(integrity=False) if i.code != "unanchored"] == []


def _hostile_xlsx(path: Path, rng: random.Random) -> Path:
    data = rows(3, seed=rng.randrange(1000))
    book = openpyxl.Workbook()
    sheet = book.active
    headers = list(data[0])
    sheet.append(headers)
    for record in data:
        values = list(record.values())
        for _ in range(rng.randint(1, 3)):
            column = rng.randrange(len(values))
            value = rng.choice([*HOSTILE_TEXT, -1e308, 1e308, 1e30, -1, 0.1, 2 ** 63, True, None])
            if isinstance(value, str) and ILLEGAL_CHARACTERS_RE.search(value):
                value = ILLEGAL_CHARACTERS_RE.sub("", value)  # a worksheet cannot hold them at all
            values[column] = value
        sheet.append(values)
    if rng.random() < 0.3:
        sheet.cell(row=rng.choice([1048576, 500000, 10]), column=rng.choice([16384, 702, 3]), value="far")
    if rng.random() < 0.5:
        column = rng.randrange(1, len(headers) + 1)
        for row in range(2, 5):
            sheet.cell(row=row, column=column).number_format = "yyyy-mm-dd"
    book.save(path)
    return path


def _docgen(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DOCGEN_REGISTER": str(cwd / "reg.sqlite"), "DOCGEN_REGISTER_WAIT": "5"}
    return subprocess.run([sys.executable, "-m", "docgen", *args], capture_output=True, text=True, timeout=300,
                          cwd=cwd, env=env)


def _assert_contract(result: subprocess.CompletedProcess[str], what: str) -> None:
    assert result.returncode in (0, 1, 2), f"{what} (DOCGEN_FUZZ_SEED={SEED}): exit {result.returncode}\n{result.stderr[-800:]}"
    assert "Traceback" not in result.stderr, f"{what} (DOCGEN_FUZZ_SEED={SEED}):\n{result.stderr[-800:]}"


def test_fuzz_batch_rows_xlsx_in_a_child_process(tmp_path: Path) -> None:
    rng = random.Random(SEED + 1)
    for index in range(max(2, CASES // 3)):
        case = tmp_path / f"c{index}"
        case.mkdir()
        sheet = _hostile_xlsx(case / "rows.xlsx", rng)
        result = _docgen("batch", "demand-letter", "--rows", str(sheet), "--out", str(case / "out"),
                         "--no-progress", "--skip-invalid", cwd=case)
        _assert_contract(result, f"rows.xlsx case {index}")


def test_fuzz_ledger(tmp_path: Path) -> None:
    import datetime as dt

    from docgen.loans.ledger import read_ledger
    from docgen.loans.plan import build_plan, load_policy

    rng = random.Random(SEED + 2)
    valid = (ROOT / "examples" / "ledger" / "ledger-2026Q2-gb18030.csv").read_bytes()
    lines = valid.split(b"\r\n") if b"\r\n" in valid else valid.split(b"\n")
    head, body = lines[0], [line for line in lines[1:40] if line]
    for index in range(CASES):
        sample = rng.sample(body, min(len(body), 8))
        data = mutate_bytes(b"\n".join([head, *sample]) + b"\n", rng)
        path = tmp_path / f"ledger{index}.csv"
        path.write_bytes(data)

        def check() -> None:
            ledger = read_ledger(path)
            build_plan(ledger.loans, dt.date(2026, 6, 30), load_policy(None))

        run_case("ledger.csv", index, check)


def test_fuzz_bundle_yaml(tmp_path: Path) -> None:
    from docgen.check.bundledata import load_bundle_data
    from docgen.check.checklist import load_checklist

    rng = random.Random(SEED + 3)
    valid = (ROOT / "examples" / "bundle" / "bundle.yaml").read_bytes()
    checklist = load_checklist("dev-loan")
    for index in range(CASES * 3):
        raw = mutate_bytes(valid, rng)
        run_case("bundle.yaml", index, lambda: load_bundle_data(raw, checklist))


def _bundle_zip(rng: random.Random) -> bytes:
    folder = ROOT / "examples" / "bundle"
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    chosen = [folder / "bundle.yaml", *rng.sample(files, 6)]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in dict.fromkeys(chosen):
            archive.write(path, path.relative_to(folder).as_posix())
    return buf.getvalue()


def test_fuzz_bundle_zip_in_a_child_process(tmp_path: Path) -> None:
    rng = random.Random(SEED + 4)
    for index in range(max(2, CASES // 3)):
        case = tmp_path / f"c{index}"
        case.mkdir()
        path = case / "bundle.zip"
        path.write_bytes(mutate_bytes(_bundle_zip(rng), rng))
        result = _docgen("check", str(path), "--format", "json", "--as-of", "2026-11-28", cwd=case)
        _assert_contract(result, f"bundle.zip case {index}")


def test_the_mutator_is_deterministic_for_a_seed() -> None:
    data = b"abcdefghijklmnopqrstuvwxyz" * 10
    assert mutate_bytes(data, random.Random(5)) == mutate_bytes(data, random.Random(5))
    assert any(mutate_bytes(data, random.Random(seed)) != data for seed in range(5))


def test_fuzz_service_uploads(tmp_path: Path) -> None:
    """Mutated bundle zips and ledgers posted to the JSON API: an expected status whose error is
    JSON with a message, never a 500 (``tools/fuzz_hostile.py`` sends a longer, hand-made set)."""
    from fastapi.testclient import TestClient

    from docgen.service.app import create_app
    from docgen.service.settings import Settings
    from docgen.service.users import UserStore

    rng = random.Random(SEED + 5)
    settings = Settings(tmp_path / "data", check_workers=1, job_workers=1)
    settings.prepare()
    for role in ("credit", "manager"):
        UserStore(settings.db_path).add(role, role, "correct-horse-9")
    valid = (ROOT / "examples" / "ledger" / "ledger-2026Q2-gb18030.csv").read_bytes()
    lines = valid.split(b"\r\n") if b"\r\n" in valid else valid.split(b"\n")
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        headers = {role: {"Authorization": "Bearer " + client.post(
            "/api/token", data={"username": role, "password": "correct-horse-9"}).json()["access_token"]}
            for role in ("credit", "manager")}
        for index in range(max(2, CASES // 3)):
            ledger = mutate_bytes(b"\n".join([lines[0], *rng.sample(lines[1:40], 8)]) + b"\n", rng)
            for what, role, path, upload, data in (
                    ("bundle.zip", "credit", "/api/check", {"bundle": ("b.zip", mutate_bytes(_bundle_zip(rng), rng))},
                     {"as_of": "2026-11-28"}),
                    ("ledger.csv", "manager", "/api/collect/plan", {"ledger": ("台账.csv", ledger)},
                     {"as_of": "2026-06-30"})):
                answer = client.post(path, headers=headers[role], files=upload, data=data)
                where = f"{what} to {path}, case {index} (DOCGEN_FUZZ_SEED={SEED})"
                assert answer.status_code in (200, 400, 413, 422), f"{where}: {answer.status_code} {answer.text[:300]}"
                if answer.status_code != 200:
                    assert answer.json()["error"].strip(), where
