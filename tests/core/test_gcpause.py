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
