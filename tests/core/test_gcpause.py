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
