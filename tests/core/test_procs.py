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


def test_a_second_process_is_worth_it_for_a_large_file_on_two_cpus(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    small, large = tmp_path / "small.xlsx", tmp_path / "large.xlsx"
    small.write_bytes(b"x" * 10)
    large.write_bytes(b"x" * 100)
    monkeypatch.setattr(procs, "PARALLEL_MIN_BYTES", 100)
    monkeypatch.setattr(procs.os, "cpu_count", lambda: 2)
    assert procs.worth_a_process(large) and not procs.worth_a_process(small)
    assert not procs.worth_a_process(tmp_path / "missing.xlsx")
    for cpus in (1, None):  # one CPU, or none known
        monkeypatch.setattr(procs.os, "cpu_count", lambda: cpus)
        assert not procs.worth_a_process(large)
