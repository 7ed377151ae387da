"""Worker processes: one start-method rule for every process pool docgen starts.

Threads (which only wait on other programs) use ``concurrent.futures.ThreadPoolExecutor``;
processes are started from the context returned here.
"""
from __future__ import annotations

import multiprocessing
from multiprocessing.context import BaseContext

__all__ = ["process_context", "shares_memory"]


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
