"""A process that runs one job and never ends it, to be killed (SIGKILL) by
``test_service_leases.py``: the job's lease must run out and the service's sweep mark it failed.

Usage: ``job_lease_child.py DATA JOB MODE READY``. The job's handler (``work.HANDLERS`` of its
kind, standing for a long batch) creates the file READY and waits for ever. MODE ``local`` runs
the job as ``ProcessRunner``'s workers do (``work.execute_job``); ``celery`` runs its Celery task
(``docgen.job``) as a ``docgen worker`` does, in eager mode (no broker). The lease is the
environment's (``$DOCGEN_JOB_LEASE``), as in a worker.
"""
from __future__ import annotations

import sys
import threading
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

from service_helpers import eager_celery  # noqa: E402

from docgen.service import work  # noqa: E402
from docgen.service.jobs import JobStore  # noqa: E402
from docgen.service.settings import Settings  # noqa: E402


def main(data: str, job_id: str, mode: str, ready: str) -> None:
    kind = JobStore(Settings(Path(data)).db_path).get(job_id)["kind"]

    def endless(settings: Any, job: dict[str, Any], store: Any) -> dict[str, Any]:
        Path(ready).touch()
        threading.Event().wait()
        raise AssertionError("unreachable")

    work.HANDLERS[kind] = endless
    if mode == "local":
        work.execute_job(data, job_id)
    else:
        eager_celery().tasks["docgen.job"].apply(args=[data, job_id, ""])


if __name__ == "__main__":
    main(*sys.argv[1:])
