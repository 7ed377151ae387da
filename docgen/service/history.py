"""Every check of a client is kept, so the next one can say what changed since the last.

A client is its borrower's USCC (else its name, else the upload's name). The difference
lists new, changed and removed files (by path and SHA-256) and the findings fixed and new
(by code, stage, item and path).
"""
from __future__ import annotations

import json
import secrets
from pathlib import Path
from typing import Any

from docgen.service.audit import now_iso
from docgen.service.store import connect


def _finding_key(f: dict[str, Any]) -> tuple[Any, ...]:
    return (f.get("code"), f.get("stage"), f.get("item"), f.get("path"))


def save(db_path: Path, owner: str, client: str, upload_name: str, sha256: str, result: dict[str, Any]) -> str:
    """Store one check (the report and its downloads' file ids); return its id."""
    check_id = secrets.token_hex(8)
    with connect(db_path) as db:
        db.execute("INSERT INTO checks (id, owner, client, upload_name, sha256, at, report, files) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                   (check_id, owner, client, upload_name, sha256, now_iso(),
                    json.dumps(result["report"], ensure_ascii=False), json.dumps(result.get("files") or {})))
    return check_id


def load(db_path: Path, check_id: str) -> dict[str, Any] | None:
    """Return a stored check (report decoded) or None."""
    with connect(db_path) as db:
        row = db.execute("SELECT * FROM checks WHERE id = ?", (check_id,)).fetchone()
    if row is None:
        return None
    out = dict(row)
    out["report"] = json.loads(out["report"])
    out["files"] = json.loads(out["files"])
    return out


def in_language(check: dict[str, Any], lang: str) -> dict[str, Any]:
    """Return ``check`` (as ``load`` returns it) in ``lang``: its findings' sentences as the check kept
    them in every language (``files["messages"]``, ``work.check_task``) and its downloads (``files``'
    docx, markdown and json) those it made in ``lang`` (``files["reports"]``). What a check kept before
    it kept both languages (sentences, downloads) stays as it was made, in its language."""
    files = check["files"]
    reports = files.get("reports") or {}
    if isinstance(reports.get(lang), dict):
        check = {**check, "files": {**files, **reports[lang]}}
    messages = (files.get("messages") or {}).get(lang)
    findings = check["report"].get("findings", [])
    if not isinstance(messages, list) or len(messages) != len(findings):
        return check
    report = {**check["report"], "findings": [{**f, "message": m} for f, m in zip(findings, messages)]}
    return {**check, "report": report}


def other_reports(check: dict[str, Any], lang: str) -> dict[str, str] | None:
    """Return the downloads (file ids by format) ``check`` made in the language other than ``lang``,
    or None when it made them in one language only (a check kept before it made both)."""
    reports = check["files"].get("reports") or {}
    other = next((each for each in reports if each != lang), None)
    return reports[other] if other is not None and isinstance(reports[other], dict) else None


def previous(db_path: Path, check: dict[str, Any]) -> dict[str, Any] | None:
    """Return the client's check before ``check``, or None when it is the first."""
    with connect(db_path) as db:
        row = db.execute("SELECT id FROM checks WHERE client = ? AND rowid < (SELECT rowid FROM checks WHERE id = ?) "
                         "ORDER BY rowid DESC LIMIT 1", (check["client"], check["id"])).fetchone()
    return load(db_path, row["id"]) if row else None


def earlier(db_path: Path, client: str, limit: int = 20) -> list[dict[str, Any]]:
    """Return the client's checks, newest first (id, at, owner, upload name, complete)."""
    with connect(db_path) as db:
        rows = db.execute("SELECT id, at, owner, upload_name, report FROM checks WHERE client = ? "
                          "ORDER BY rowid DESC LIMIT ?", (client, limit)).fetchall()
    return [{"id": r["id"], "at": r["at"], "owner": r["owner"], "upload_name": r["upload_name"],
             "complete": json.loads(r["report"]).get("complete")} for r in rows]


def changes(before: dict[str, Any] | None, after: dict[str, Any]) -> dict[str, Any] | None:
    """Return what changed from report ``before`` to report ``after`` (None without ``before``).

    ``{"since", "new_files", "changed_files", "removed_files", "fixed", "new_findings"}``;
    files are paths, findings are the finding dicts.
    """
    if before is None:
        return None
    old_files = {f["path"]: f.get("sha256") for f in before["report"].get("files", [])}
    new_files = {f["path"]: f.get("sha256") for f in after["report"].get("files", [])}
    old_findings = {_finding_key(f): f for f in before["report"].get("findings", [])}
    new_findings = {_finding_key(f): f for f in after["report"].get("findings", [])}
    return {
        "since": before["at"],
        "new_files": sorted(p for p in new_files if p not in old_files),
        "changed_files": sorted(p for p in new_files if p in old_files and old_files[p] != new_files[p]),
        "removed_files": sorted(p for p in old_files if p not in new_files),
        "fixed": [f for k, f in old_findings.items() if k not in new_findings],
        "new_findings": [f for k, f in new_findings.items() if k not in old_findings],
    }
