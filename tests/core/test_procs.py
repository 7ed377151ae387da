"""The one start-method rule for docgen's worker processes."""
from __future__ import annotations

import multiprocessing

import pytest

from docgen.core import procs


def test_fork_where_the_platform_has_it() -> None:
    ctx = procs.process_context()
    if "fork" in multiprocessing.get_all_start_methods():
        assert ctx.get_start_method() == "fork"
        assert procs.shares_memory(ctx)
    else:
        assert ctx.get_start_method() == "spawn"


def test_spawn_where_there_is_no_fork(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    ctx = procs.process_context()
    assert ctx.get_start_method() == "spawn"
    assert not procs.shares_memory(ctx)
