"""The cyclic garbage collector paused while many acyclic objects are built.

Reading 100,000 loans, planning them or turning the plan into JSON allocates hundreds of
thousands of containers; each allocation threshold then starts a collection, and the full ones
walk every live object (all the loans already read) to find nothing: none of these objects is in
a reference cycle, and reference counting frees them as before. Pausing the collector for such a
step measured 0.2 s of a 0.57 s plan and 0.2 s of its 0.36 s JSON list at 100,000 loans.
"""
from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

__all__ = ["collector_paused"]


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Run the block with the cyclic garbage collector off; it is switched back on after (when it was on)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
