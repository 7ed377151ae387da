"""Findings: what a check found, as data (DESIGN §5).

A finding's identity is its stable ``code``, with a ``reason`` saying which rule or limit
raised it and ``params``, the structured facts (item titles, years, ratios, sizes …). Its
wording lives apart, in ``docgen.check.messages``, so a report can be printed in Chinese or
English and tests can pin codes and facts without pinning sentences.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from docgen.check.messages import DETAILS, ERRORS, FINDINGS

ERROR = "error"
WARNING = "warning"
INFO = "info"

#: code -> default severity. The codes are a public contract: never rename one.
CODES: dict[str, str] = {
    "missing": ERROR,
    "unreadable": ERROR,
    "encrypted": ERROR,
    "empty-file": ERROR,
    "wrong-type": ERROR,
    "expired": ERROR,
    "stale": WARNING,
    "insufficient": ERROR,
    "incomplete-set": ERROR,
    "unattested": WARNING,
    "invalid-data": ERROR,
    "unsafe-entry": ERROR,
    "unmatched": INFO,
}

@dataclass
class Finding:
    """One thing a check found. ``message()`` renders it; the code is its identity.

    ``reason`` (e.g. ``audit-years``, ``zip-bomb``) names the wording of the ``detail`` in
    ``docgen.check.messages.DETAILS``; without one, ``params["detail"]`` is used as given.
    """

    code: str
    stage: str | None = None
    item: str | None = None
    path: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    severity: str = ""
    reason: str = ""

    def __post_init__(self) -> None:
        if self.code not in CODES:
            raise ERRORS.fault(ValueError, "finding-code-unknown", code=self.code)
        if not self.severity:
            self.severity = CODES[self.code]

    def _facts(self) -> dict[str, Any]:
        params = dict(self.params)
        if self.reason:
            params["detail"] = DETAILS.text(self.reason, params)
            if self.reason in DETAILS.codes("en"):
                params["detail_en"] = DETAILS.text(self.reason, params, "en")
        params.setdefault("detail_en", params.get("detail", ""))
        params.setdefault("title_en", params.get("title", self.item or ""))
        params.setdefault("field_en", params.get("field", ""))  # a field's path is the same in both
        return params

    def detail(self, lang: str = "zh") -> str:
        """Return the ``detail`` part of the sentence in ``lang`` (empty when the code has none)."""
        return self._facts()["detail_en" if lang == "en" else "detail"]

    def message(self, lang: str = "zh") -> str:
        """Return the finding's sentence in ``lang`` ('zh' or 'en')."""
        return FINDINGS.text(self.code, self._facts(), lang)

    def to_dict(self, lang: str = "zh") -> dict[str, Any]:
        """Return the DESIGN §5 JSON form of this finding."""
        return {
            "code": self.code,
            "severity": self.severity,
            "stage": self.stage,
            "item": self.item,
            "path": self.path,
            "message": self.message(lang),
        }
