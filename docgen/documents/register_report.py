"""What ``docgen register list`` and ``register verify`` report: the register's records, and whether
the register and every issued file are intact, as data with their text and JSON forms.

The register is only ever opened read-only here, and a register that does not exist is not created.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from docgen.core import resources
from docgen.core.errors import InputError
from docgen.documents.messages import MESSAGES
from docgen.documents.register import Record, Register, RegisterIssue, missing_register_issues
from docgen.documents.register_path import register_exists
from docgen.documents.register_store import redact

__all__ = ["RegisterListing", "RegisterVerification", "list_register", "verify_register"]


def _shown(path: str | os.PathLike[str]) -> str:
    """The register as output names it (a URL without its password)."""
    return redact(str(path))


@dataclass
class RegisterListing:
    """The records of a register (of one template when asked), in register order."""

    register: str
    records: list[Record] = field(default_factory=list)

    def to_json(self) -> list[dict[str, Any]]:
        """Return the JSON form: one object per record."""
        return [r.to_dict() for r in self.records]

    def to_text(self) -> str:
        """Return the operator's listing: a head line, one tab-separated line per record, reserved serials."""
        if not self.records:
            return MESSAGES.text("register-list/empty", {"register": self.register}) + "\n"
        lines = [MESSAGES.text("register-list/head", {"register": self.register, "count": len(self.records)})]
        for r in self.records:
            state = r.completed or MESSAGES.text("register-list/reserved-state", {"created": r.created})
            lines.append(f"{r.serial}\t{r.template}\t{r.row_key}\t{r.file or '-'}\t{r.sha256 or '-'}\t{state}")
        reserved = [r.serial for r in self.records if not r.is_complete]
        if reserved:
            lines.append(MESSAGES.text("register-list/reserved", {"serials": reserved}))
        return "\n".join(lines) + "\n"


@dataclass
class RegisterVerification:
    """The register's own issues, how many records were checked, and each file that failed with its status
    (``missing``, ``changed``, ``incomplete``: see ``Register.verify``)."""

    register: str
    checked: int = 0
    issues: list[RegisterIssue] = field(default_factory=list)
    failures: list[tuple[Record, str]] = field(default_factory=list)

    @property
    def problems(self) -> list[RegisterIssue]:
        """The issues that make the register suspect (a missing anchor is re-created, so it is only said)."""
        return [i for i in self.issues if i.code != "unanchored"]

    @property
    def ok(self) -> bool:
        """True when the register is sound and every issued file is intact."""
        return not self.failures and not self.problems

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form ``{register, checked, ok, register_issues, problems}``."""
        return {"register": self.register, "checked": self.checked, "ok": self.ok,
                "register_issues": [i.to_dict() for i in self.issues],
                "problems": [{**r.to_dict(), "status": status} for r, status in self.failures]}

    def to_text(self) -> str:
        """Return one line per issue and per failed file, then the summary line."""
        lines = [MESSAGES.text("register-verify/issue", {"register": self.register, "message": i.message})
                 for i in self.issues]
        lines += [MESSAGES.text(f"register-verify/{status}", {"serial": r.serial, "file": r.file or r.row_key})
                  for r, status in self.failures]
        lines.append(MESSAGES.text("register-verify/summary", {
            "register": self.register, "checked": self.checked, "bad": len(self.failures) + len(self.problems)}))
        return "\n".join(lines) + "\n"


def list_register(path: str | os.PathLike[str], template: str | None = None) -> RegisterListing:
    """Return the records of the register at ``path`` (only ``template``'s when given).

    A register that does not exist lists nothing and is not created. Raises ``RegisterError``
    (or ``RegisterDamagedError``) when the database cannot be opened or read, ``InputError`` when
    ``template`` is neither shipped nor in the register (a misspelt name).
    """
    listing = RegisterListing(_shown(path))
    if register_exists(path):
        with Register(path, readonly=True) as register:
            listing.records = register.records(template)
            if template is not None and not listing.records:
                refuse_unknown_template(register, template, listing.register)
    return listing


def refuse_unknown_template(register: Register, template: str, shown: str, option: str = "--template") -> None:
    """Raise ``InputError`` when ``template`` names neither a shipped template nor one the register
    has records of (``demand-leter``): nothing listed, or 0 files checked and "all intact",
    would read as an answer about the template meant. ``shown`` is the register as the message
    names it, ``option`` what the caller passed the name as (the service's ``template`` parameter).
    Returns None when the name is known."""
    recorded = sorted({record.template for record in register.records()})
    shipped = {yml.stem for yml in resources.templates_dir().glob("*.yaml")}
    if template not in shipped and template not in recorded:
        raise MESSAGES.error(InputError, "register-template-unknown", register=shown, template=template,
                             recorded=recorded, option=option)


def verify_register(path: str | os.PathLike[str], template: str | None = None) -> RegisterVerification:
    """Audit the register at ``path`` and re-hash every issued file (only ``template``'s when given).

    A corrupt database is reported as an issue and its files are not checked. Raises
    ``RegisterError`` when the database cannot be opened at all, ``InputError`` as
    ``list_register`` does for a misspelt ``template``.
    """
    result = RegisterVerification(_shown(path), issues=missing_register_issues(path))
    if register_exists(path):
        with Register(path, readonly=True) as register:
            result.issues = register.audit()
            if not any(i.code == "corrupt" for i in result.issues):
                result.checked = len(register.records(template))
                if template is not None and not result.checked:
                    refuse_unknown_template(register, template, result.register)
                result.failures = register.verify(template)
    return result
