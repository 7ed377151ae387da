"""Shared makers for the service tests: a data folder with one user per role, uploads, waiting for jobs."""
from __future__ import annotations

import csv
import io
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl

from docgen.service.settings import Settings
from docgen.service.users import ROLES, UserStore

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
ROWS_XLSX = EXAMPLES / "templates" / "demand-letters.xlsx"
LEDGER = EXAMPLES / "ledger" / "ledger-2026Q2.xlsx"
OPENING = EXAMPLES / "ledger" / "ledger-2026Q1.xlsx"
TARGETS = EXAMPLES / "ledger" / "targets.yaml"
NOTES = EXAMPLES / "ledger" / "notes.yaml"
POLICY = EXAMPLES / "collection-policy.yaml"
PASSWORD = "correct-horse-9"
AS_OF = "2026-11-28"


class HeldRunner:
    """A runner that holds jobs (like a server stopped before its workers got to them)."""

    def __init__(self) -> None:
        self.submitted: list[str] = []
        #: the starts refused in a row each submission came after, in order
        self.refused: list[int] = []
        #: the queueing of the job each submission was for (None: not said)
        self.attempts: list[str | None] = []

    def submit(self, job_id: str, refused: int = 0, attempt: str | None = None) -> None:
        self.submitted.append(job_id)
        self.refused.append(refused)
        self.attempts.append(attempt)

    def close(self) -> None:
        pass


def run_scenarios(scenarios: list[Callable[..., None]], *args: Any) -> None:
    """Run each of ``scenarios`` with ``args``, printing ``NAME ok`` after each (what a child script
    run by a permission test reports)."""
    for scenario in scenarios:
        scenario(*args)
        print(scenario.__name__, "ok", flush=True)


def eager_celery() -> Any:
    """Return docgen's Celery application in eager mode: a job's task, its chunks (a chord) and
    their assembly run in this process as a ``docgen worker`` runs them, without a broker."""
    from docgen.service.queue import make_app

    app = make_app("memory://")
    app.conf.update(task_always_eager=True, task_eager_propagates=True, result_backend="cache+memory://")
    return app


def make_settings(data: Path, **overrides: Any) -> Settings:
    """Return settings for a test data folder with one user per role (named after the role)."""
    settings = Settings(data, check_workers=1, job_workers=1, **overrides)
    settings.prepare()
    users = UserStore(settings.db_path)
    for role in ROLES:
        if users.get(role) is None:
            users.add(role, role, PASSWORD)
    return settings


def bundle_zip(target: Path) -> Path:
    """Zip the example client bundle (folder ``bundle/`` inside) to ``target``."""
    source = EXAMPLES / "bundle"
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(source.rglob("*")):
            if path.is_file():
                zf.write(path, Path("bundle") / path.relative_to(source))
    return target


def rows_csv(count: int, *, break_row: int | None = None) -> bytes:
    """Return the first ``count`` rows of the example spreadsheet as UTF-8 CSV (Chinese headers);
    ``break_row`` (1-based data row) gets an invalid ID number."""
    sheet = openpyxl.load_workbook(ROWS_XLSX, read_only=True).worksheets[0]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    header, data = rows[0], rows[1:count + 1]
    if break_row is not None:
        column = next(i for i, h in enumerate(header) if h and "证件" in str(h))
        data[break_row - 1][column] = "110105194912310021"
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(header)
    for row in data:
        writer.writerow(["" if v is None else (v.isoformat()[:10] if hasattr(v, "isoformat") else v) for v in row])
    return buf.getvalue().encode("utf-8")


def wait_job(client: Any, job_id: str, headers: dict[str, str], timeout: float = 180.0) -> dict[str, Any]:
    """Poll ``/api/jobs/{id}`` until the job leaves queued/running; return it."""
    deadline = time.monotonic() + timeout
    while True:
        job = client.get(f"/api/jobs/{job_id}", headers=headers).json()
        if job["state"] not in ("queued", "running") or time.monotonic() > deadline:
            return job
        time.sleep(0.3)


#: A collection policy only under which the ledgers of ``bank_ledgers`` read (诉讼状态 法院已受理 is
#: 已起诉); its grace for 逾期仍为正常 (10 days) and its timetable (suit from day 31) differ from the
#: shipped policy's too, so the figures show whether each part of it was used.
BANK_POLICY = """\
vocabulary:
  litigation:
    已起诉: [法院已受理]
overdue_normal_grace_days: 10
timetable:
  - {action: phone, from: 1, to: 30}
  - {action: legal-action, from: 31, once: true}
  - {action: phone, from: 31}
"""


def bank_ledgers(folder: Path) -> tuple[Path, Path, Path]:
    """Write to ``folder`` the closing and opening ledgers of one branch writing 诉讼状态 in the bank's
    own words (row 2 of each: 法院已受理) and ``BANK_POLICY``; return (closing, opening, policy).

    Under the policy: A3 (5 days overdue, 正常) is not flagged, A4 (45 days, not sued) is to be sued.
    """
    from ledger_fixtures import row

    from docgen.loans.ledger import write_ledger

    closing = write_ledger([row("A1", 200000, "次级", days=120, serial=1, litigation="法院已受理"),
                            row("A2", 300000, serial=2), row("A3", 150000, days=5, serial=3),
                            row("A4", 600000, "关注", days=45, serial=4)], folder / "台账-2026Q2.xlsx")
    opening = write_ledger([row("A1", 210000, "次级", days=30, serial=1, litigation="法院已受理"),
                            row("A2", 300000, serial=2), row("A4", 600000, serial=4)], folder / "台账-2026Q1.xlsx")
    policy = folder / "本行催收策略.yaml"
    policy.write_text(BANK_POLICY, encoding="utf-8")
    return closing, opening, policy
