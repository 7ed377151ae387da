"""Worker processes: one start-method rule for every process pool docgen starts.

Threads (which only wait on other programs) use ``concurrent.futures.ThreadPoolExecutor``;
processes are started from the context returned here.
"""
from __future__ import annotations

import multiprocessing
import os
from multiprocessing.context import BaseContext

__all__ = ["PARALLEL_MIN_BYTES", "process_context", "shares_memory", "worth_a_process"]

#: A file read by a second process must be at least this large (bytes): below it starting the
#: process costs more than it saves. One threshold for every such reader (a ledger's).
PARALLEL_MIN_BYTES = 2_000_000


def process_context() -> BaseContext:
    """Return the multiprocessing context for docgen's worker processes.

    ``fork`` where the platform has it: a worker starts in milliseconds with everything the
    parent imported and loaded (a template, pypdf), nothing pickled. Elsewhere (Windows) it
    is ``spawn``, which works too, only slower to start.
    """
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def shares_memory(ctx: BaseContext) -> bool:
    """Return True when workers of ``ctx`` start with a copy of the parent's memory (``fork``)."""
    return ctx.get_start_method() == "fork"


def worth_a_process(path: str | os.PathLike[str]) -> bool:
    """Return True when the file at ``path`` is large enough (``PARALLEL_MIN_BYTES``) for a second
    process reading it to pay, and this machine has a second CPU to run it; False too when the
    file cannot be looked at (its reader says why)."""
    if (os.cpu_count() or 1) < 2:
        return False
    try:
        return os.stat(path).st_size >= PARALLEL_MIN_BYTES
    except (OSError, ValueError):
        return False
