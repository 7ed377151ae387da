"""``collector_paused``: the collector off inside the block, back as it was after (even on error)."""
from __future__ import annotations

import gc

import pytest

from docgen.core.gcpause import collector_paused


def test_paused_inside_and_restored_after() -> None:
    assert gc.isenabled()
    with pytest.raises(KeyError):
        with collector_paused():
            assert not gc.isenabled()
            raise KeyError("x")
    assert gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # a caller's own pause is left alone
    finally:
        gc.enable()


def test_one_shot_freezes_what_a_paused_step_built_and_only_inside() -> None:
    from docgen.core.gcpause import one_shot

    before = gc.get_freeze_count()  # other tests' command runs may have frozen objects already
    with collector_paused():
        built = [[n] for n in range(1000)]
    assert gc.get_freeze_count() <= before  # a service's process: nothing frozen
    with one_shot():
        with collector_paused():
            kept = [[n] for n in range(1000)]
        assert gc.isenabled() and gc.get_freeze_count() >= before + 1000
    frozen = gc.get_freeze_count()
    with collector_paused():
        again = [[n] for n in range(10)]
    assert gc.get_freeze_count() <= frozen  # the setting ended with the block
    assert len(built) == len(kept) == 1000 and again


def test_sweep_young_frees_a_paused_steps_cycles_and_leaves_a_running_collector_alone() -> None:
    import weakref

    from docgen.core.gcpause import sweep_young

    class Node:
        pass

    seen: list[int] = []

    def watch(phase: str, info: dict) -> None:
        if phase == "start":
            seen.append(info["generation"])

    gc.callbacks.append(watch)
    try:
        with collector_paused():
            node = Node()
            node.self = node  # a reference cycle: only the collector frees it
            alive = weakref.ref(node)
            del node
            assert alive() is not None
            sweep_young()
            assert alive() is None and seen == [0]
        seen.clear()
        sweep_young()  # the collector is on: it runs on its own, the sweep does nothing
        assert seen == []
    finally:
        gc.callbacks.remove(watch)


def test_sweep_young_never_collects_when_someone_else_switched_the_collector_off() -> None:
    from docgen.core.gcpause import sweep_young

    seen: list[int] = []

    def watch(phase: str, info: dict) -> None:
        if phase == "start":
            seen.append(info["generation"])

    was_enabled = gc.isenabled()
    gc.callbacks.append(watch)
    try:
        gc.disable()  # an embedding application that wants no collections
        sweep_young()
        with collector_paused():  # a paused step inside it: the collector was already off
            sweep_young()
        assert seen == [] and not gc.isenabled()
        gc.enable()
        with collector_paused():
            with collector_paused():  # nested inside ours: still ours
                sweep_young()
            sweep_young()
        assert seen == [0, 0]
    finally:
        gc.callbacks.remove(watch)
        if was_enabled:
            gc.enable()
        else:
            gc.disable()
