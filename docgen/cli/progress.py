"""The one way commands show progress: a click progress bar on stderr while long work runs.

The library reports progress through plain callbacks; ``Progress`` turns them into bars. It
draws at most one bar at a time, only when enabled (``--progress``, or by default when stderr
is a terminal) and only for work of at least ``min_total`` steps, so short runs and piped
output stay quiet and stdout (JSON, reports) is never touched.
"""
from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import Any

import click

from docgen.cli.messages import MESSAGES

__all__ = ["BATCH_STAGES", "Progress"]

#: Labels of the stages a batch of documents reports (``docgen batch``, ``docgen collect letters``).
BATCH_STAGES: dict[str, str] = {stage: MESSAGES.text(f"progress/{stage}") for stage in ("render", "pdf")}


class Progress:
    """Progress bars on stderr; use as a context manager so the last bar is closed.

    ``enabled`` None means: when stderr is a terminal. ``labels`` names the stages of
    ``stages()`` work (stage id -> label shown before the bar).
    """

    def __init__(self, enabled: bool | None = None, *, min_total: int = 1,
                 labels: Mapping[str, str] | None = None) -> None:
        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        self.min_total = max(1, min_total)
        self.labels = dict(labels or {})
        self._bar: Any = None
        self._stage: str | None = None
        self._done = 0

    def bar(self, total: int, label: str) -> Callable[[int], None] | None:
        """Start a bar of ``total`` steps (closing the previous one) and return its ``advance(n)``.

        Returns None, and draws nothing, when disabled or ``total`` is below ``min_total``:
        the library then skips its progress calls altogether.
        """
        self.close()
        if not self.enabled or total < self.min_total:
            return None
        self._bar = click.progressbar(length=total, label=label, file=sys.stderr, show_pos=True)
        self._bar.__enter__()
        return self._bar.update

    def counter(self, label: str) -> Callable[[int], None] | None:
        """Start a count of steps whose total is not known in advance (closing the previous bar),
        e.g. loans planned as a ledger is read, and return its ``advance(n)``.

        Returns None when disabled; the count is drawn (``label  N``, rewritten in place) once it
        has reached ``min_total``, so short work stays quiet here too.
        """
        self.close()
        if not self.enabled:
            return None
        self._bar = _Count(label, self.min_total)
        return self._bar.update

    def stage(self, stage: str, done: int, total: int) -> None:
        """Follow work reported per stage as (stage id, steps done so far, stage total).

        A new stage id starts a new bar labelled from ``labels``; ``done`` is cumulative
        within a stage, so repeated or late reports never move the bar back.
        """
        if stage != self._stage:
            self._stage, self._done = stage, 0
            self.bar(total, self.labels.get(stage, stage))
        if self._bar is not None and done > self._done:
            self._bar.update(done - self._done)
            self._done = done

    def close(self) -> None:
        """Finish the current bar, if any (safe to call more than once)."""
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


class _Count:
    """What ``Progress.counter`` draws: a label and the steps counted so far, on one stderr line."""

    def __init__(self, label: str, min_total: int) -> None:
        self.label = label
        self.min_total = min_total
        self.done = 0

    def update(self, steps: int) -> None:
        self.done += steps
        if self.done >= self.min_total:
            click.echo(f"\r{self.label}  {self.done}", err=True, nl=False)

    def __exit__(self, *exc: object) -> None:
        if self.done >= self.min_total:
            click.echo("", err=True)
