"""User-facing warnings: one reporter every part sends its notices through.

A notice is something the user should know that does not stop the work (a chart drawn without a
Chinese font, a ledger column docgen ignored). Library code calls ``notify(Notice(...))``;
whoever runs it decides where notices go:

- the command line wraps each command in ``reporting(handler)``, which prints each notice on
  stderr as it comes and keeps third-party libraries' own warnings (matplotlib, pypdf …) away
  from users, who can do nothing about them;
- a program collects them with ``with collecting() as notices: …``;
- with neither, a notice is logged on the ``docgen`` logger at WARNING level.

Notices are data like findings: a stable ``code``, structured ``facts`` and the wording, which
each part renders from its own message table. ``warnings.warn`` is not used for users.
"""
from __future__ import annotations

import contextlib
import contextvars
import logging
import warnings
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Notice", "notify", "reporting", "collecting"]

_LOG = logging.getLogger("docgen")


@dataclass(frozen=True)
class Notice:
    """One user-facing warning: ``code`` (stable identity), ``facts`` and its wording.

    ``message`` is the Chinese sentence, ``message_en`` the English one (may be empty).
    """

    code: str
    message: str
    message_en: str = ""
    facts: Mapping[str, Any] = field(default_factory=dict)

    def text(self, lang: str = "zh") -> str:
        """Return the wording in ``lang`` ('zh' or 'en'; English falls back to Chinese)."""
        return self.message_en if lang == "en" and self.message_en else self.message

    def to_dict(self, lang: str = "zh") -> dict[str, Any]:
        """Return the JSON form: ``{"code", "facts", "message"}``."""
        return {"code": self.code, "facts": dict(self.facts), "message": self.text(lang)}


_HANDLER: contextvars.ContextVar[Callable[[Notice], None] | None] = contextvars.ContextVar(
    "docgen_notice_handler", default=None)


def notify(notice: Notice) -> None:
    """Send ``notice`` to the current handler (``reporting``/``collecting``), else log it.

    Never raises for the notice itself; a handler's own errors propagate.
    """
    handler = _HANDLER.get()
    if handler is None:
        _LOG.warning("%s", notice.message)
    else:
        handler(notice)


@contextlib.contextmanager
def reporting(handler: Callable[[Notice], None], *, quiet_libraries: bool = True) -> Iterator[None]:
    """Within the block, pass every notice to ``handler`` as it is raised.

    With ``quiet_libraries`` (the default) Python warnings raised by other libraries inside the
    block are dropped: users act on docgen's notices, not on a plotting library's internals.
    """
    token = _HANDLER.set(handler)
    try:
        with warnings.catch_warnings():
            if quiet_libraries:
                warnings.simplefilter("ignore")
            yield
    finally:
        _HANDLER.reset(token)


@contextlib.contextmanager
def collecting(*, quiet_libraries: bool = True) -> Iterator[list[Notice]]:
    """Within the block, gather notices into the yielded list (in the order raised)."""
    notices: list[Notice] = []
    with reporting(notices.append, quiet_libraries=quiet_libraries):
        yield notices
