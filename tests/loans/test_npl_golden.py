"""The NPL figures pinned: what the code gave before the ledger was read in blocks (commit e446ecc,
which held every loan and counted them in one pass) is what it must give now.

``npl_golden.json`` holds ``NplFigures.to_dict()`` (as JSON) of each scenario below, made by that
commit's ``compute_figures`` on the example ledgers and on the synthetic ledgers ``write_synthetic``
writes (mixed classes, off-balance loans, recovered amounts, balances in fen, a non-retail debtor with
two loans, opening loans that stay, migrate, disappear or first appear). Made again with::

    git archive e446ecc | tar -x -C /tmp/old
    python tests/loans/test_npl_golden.py /tmp/old   # writes tests/loans/npl_golden.json

Comparing today's figures with themselves (block sizes, orders) cannot catch a figure counted wrong
both ways; these can. The messages have since taken full-width marks, and the example ledgers' overdue
loans past maturity their maturity the day before 逾期起始日 (the opening overdue balance and its
change moved with them: e446ecc's code on today's examples gives the same two figures).
"""
from __future__ import annotations

import datetime as dt
import json
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "ledger"
GOLDEN = Path(__file__).with_name("npl_golden.json")
#: name -> (closing ledger, opening ledger or None, as_of or None, with targets); ``ex:`` names are examples.
SCENARIOS: dict[str, tuple[str, str | None, dt.date | None, bool]] = {
    "Q2-vs-Q1": ("ex:ledger-2026Q2.xlsx", "ex:ledger-2026Q1.xlsx", None, True),
    "Q2-alone": ("ex:ledger-2026Q2.xlsx", None, dt.date(2026, 6, 15), False),
    "Q2-csv-vs-Q1": ("ex:ledger-2026Q2-gb18030.csv", "ex:ledger-2026Q1.xlsx", None, False),
    "synthetic": ("close.xlsx", "open.xlsx", None, True),
    "synthetic-alone": ("close.xlsx", None, None, False),
    "synthetic-reversed": ("open.xlsx", "close.xlsx", None, False),
    "one-vs-all-off": ("one.xlsx", "alloff.xlsx", None, False),
    "all-off-vs-one": ("alloff.xlsx", "one.xlsx", None, False),
}
USCC = "91330109007997E433"


def write_synthetic(folder: Path) -> None:
    """Write the synthetic ledgers (close, open, one, alloff .xlsx) into ``folder``."""
    sys.path.insert(0, str(ROOT / "tests"))
    from ledger_fixtures import row

    from docgen.loans.ledger import write_ledger

    classes = ["正常", "关注", "次级", "可疑", "损失"]
    closing = [row(f"C{i:03d}", Decimal(f"{1000 + i * 37}.{i % 100:02d}"), classes[i % 5],
                   days=[0, 40, 100, 200, 400][i % 5], serial=i + 1, on_balance=i % 7 != 0,
                   recovered=Decimal(f"{i * 3}.5") if i % 3 == 0 else None) for i in range(40)]
    closing += [row("U1", 500000, "正常", serial=90, id_number=USCC),
                row("U2", 300000, "可疑", days=200, serial=91, id_number=USCC)]
    # C000-C038 (even) stay or migrate, C040-C048 are gone by the closing date, the odd ones are new.
    migrated = ["正常", "次级", "关注", "损失", "可疑"]
    opening = [row(f"C{i:03d}", Decimal(f"{2000 + i}.10"), migrated[i % 5], days=[0, 100, 40, 400, 200][i % 5],
                   serial=i + 1, on_balance=i % 6 != 0) for i in range(0, 50, 2)]
    write_ledger(closing, folder / "close.xlsx")
    write_ledger(opening, folder / "open.xlsx")
    write_ledger([row("S1", 100, "次级", days=100, serial=1)], folder / "one.xlsx")
    write_ledger([row(f"A{i}", Decimal("0.01") * (i + 1), "损失", days=500, serial=i + 1, on_balance=False,
                      recovered=Decimal("0.33")) for i in range(30)], folder / "alloff.xlsx")


def _file(name: str, folder: Path) -> Path:
    return EXAMPLES / name[3:] if name.startswith("ex:") else folder / name


def _json(figures: Any) -> Any:
    return json.loads(json.dumps(figures.to_dict(), ensure_ascii=False, sort_keys=True, default=str))


def compute_all(folder: Path) -> dict[str, Any]:
    """Return every scenario's figures as ``compute_figures`` gives them (ledgers read whole)."""
    from docgen.loans.ledger import read_ledger
    from docgen.loans.npl import compute_figures, load_targets, parse_period

    period, targets = parse_period("2026Q2"), load_targets(EXAMPLES / "targets.yaml")
    out = {}
    for name, (closing, opening, as_of, with_targets) in SCENARIOS.items():
        figures = compute_figures(
            read_ledger(_file(closing, folder)).loans,
            None if opening is None else read_ledger(_file(opening, folder)).loans,
            period=period, as_of=as_of, targets=targets if with_targets else None)
        out[name] = _json(figures)
    return out


@pytest.fixture(scope="module")
def golden(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    folder = tmp_path_factory.mktemp("golden")
    write_synthetic(folder)
    return folder, json.loads(GOLDEN.read_text(encoding="utf-8"))


def test_the_figures_are_those_of_the_whole_ledger_reading(golden: tuple[Path, dict[str, Any]]) -> None:
    folder, expected = golden
    got = compute_all(folder)
    assert sorted(expected) == sorted(SCENARIOS)
    for name in SCENARIOS:
        assert got[name] == expected[name], name


@pytest.mark.parametrize("block", [3, None])
def test_the_report_read_in_blocks_gives_the_pinned_figures(golden: tuple[Path, dict[str, Any]], block: int | None,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    from docgen.core import tabular
    from docgen.loans.npl import load_targets, parse_period
    from docgen.loans.npl_report import read_figures

    folder, expected = golden
    if block is not None:
        monkeypatch.setattr(tabular, "BLOCK_ROWS", block)
    for name, (closing, opening, as_of, with_targets) in SCENARIOS.items():
        figures = read_figures(_file(closing, folder), None if opening is None else _file(opening, folder),
                               period=parse_period("2026Q2"), as_of=as_of,
                               targets=load_targets(EXAMPLES / "targets.yaml") if with_targets else None)
        assert _json(figures) == expected[name], name


if __name__ == "__main__":  # python tests/loans/test_npl_golden.py OLD_TREE: write the golden file
    import subprocess
    import tempfile

    if len(sys.argv) == 2:
        with tempfile.TemporaryDirectory() as scratch:
            write_synthetic(Path(scratch))  # written by today's code, read by the old one
            subprocess.run([sys.executable, __file__, sys.argv[1], scratch], check=True,
                           env={"PYTHONPATH": sys.argv[1], "PATH": "/usr/bin:/bin"})
    else:
        import docgen

        assert docgen.__file__.startswith(sys.argv[1]), docgen.__file__
        GOLDEN.write_text(json.dumps(compute_all(Path(sys.argv[2])), ensure_ascii=False, sort_keys=True, indent=1)
                          + "\n", encoding="utf-8")
