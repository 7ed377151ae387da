"""Findings: what a check found, as data (DESIGN §5).

A finding's identity is its stable ``code``; its wording lives apart, in ``MESSAGES``,
so a report can be printed in Chinese or English and tests can pin codes without
pinning sentences. ``params`` fill the message template.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

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

#: lang -> code -> message template (``str.format`` with the finding's params).
MESSAGES: dict[str, dict[str, str]] = {
    "zh": {
        "missing": "缺少{title}",
        "unreadable": "文件无法读取(损坏或不完整):{detail}",
        "encrypted": "文件已加密,无密码无法打开",
        "empty-file": "文件为空(0 字节)",
        "wrong-type": "文件类型不符:{detail}",
        "expired": "{title}已于{date}过期",
        "stale": "{title}已过时:{detail}",
        "insufficient": "{title}不满足要求:{detail}",
        "incomplete-set": "{title}不齐全:{detail}",
        "unattested": "{title}需{detail},尚无人确认(请在 bundle.yaml 的 attestations 中记录)",
        "invalid-data": "bundle.yaml 字段 {field}:{detail}",
        "unsafe-entry": "资料包条目不安全,未读取:{detail}",
        "unmatched": "文件未对应任何清单项目",
    },
    "en": {
        "missing": "{title_en} is missing",
        "unreadable": "file cannot be read (corrupt or truncated): {detail_en}",
        "encrypted": "file is encrypted and cannot be opened without a password",
        "empty-file": "file is empty (0 bytes)",
        "wrong-type": "wrong file type: {detail_en}",
        "expired": "{title_en} expired on {date}",
        "stale": "{title_en} is out of date: {detail_en}",
        "insufficient": "{title_en} does not meet the requirement: {detail_en}",
        "incomplete-set": "{title_en} is incomplete: {detail_en}",
        "unattested": "{title_en} needs {detail_en}; nobody has confirmed it (record it under attestations in bundle.yaml)",
        "invalid-data": "bundle.yaml field {field}: {detail_en}",
        "unsafe-entry": "unsafe bundle entry, not read: {detail_en}",
        "unmatched": "file serves no checklist item",
    },
}


class _Blank(dict):
    """Format mapping that renders absent params as empty rather than raising."""

    def __missing__(self, key: str) -> str:
        return ""


@dataclass
class Finding:
    """One thing a check found. ``message()`` renders it; the code is its identity."""

    code: str
    stage: str | None = None
    item: str | None = None
    path: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    severity: str = ""

    def __post_init__(self) -> None:
        if self.code not in CODES:
            raise ValueError(f"unknown finding code {self.code!r}")
        if not self.severity:
            self.severity = CODES[self.code]

    def message(self, lang: str = "zh") -> str:
        """Return the finding's sentence in ``lang`` ('zh' or 'en')."""
        params = _Blank(self.params)
        params.setdefault("detail_en", params.get("detail", ""))
        params.setdefault("title_en", params.get("title", self.item or ""))
        return MESSAGES[lang][self.code].format_map(params)

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
