"""Local users of the service: roles, argon2 password hashes, enable/disable.

``version`` increases whenever a password changes or a user is disabled, and every session
cookie and API token carries the version it was issued under: both die at once.
"""
from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from docgen.core.errors import UserError
from docgen.service.store import connect, init_db
from docgen.service.messages import MESSAGES as SERVICE

ROLES = ("credit", "backoffice", "compliance", "manager", "admin")
ROLE_LABELS = {
    "credit": {"zh": "客户经理", "en": "Credit staff"},
    "backoffice": {"zh": "后台运营", "en": "Back office"},
    "compliance": {"zh": "放款审核/合规", "en": "Compliance"},
    "manager": {"zh": "支行管理", "en": "Branch management"},
    "admin": {"zh": "系统管理员", "en": "Administrator"},
}
_NAME_RE = re.compile(r"^[A-Za-z0-9_.\-\u4e00-\u9fff]{1,64}$")
MIN_PASSWORD = 8

_hasher = PasswordHasher()
#: Verified against when the user does not exist, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash("docgen-no-such-user")


@dataclass(frozen=True)
class User:
    """A user as stored (without the hash)."""

    name: str
    role: str
    active: bool
    version: int
    created: str


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise SERVICE.error(UserError, "user-password-short", min=MIN_PASSWORD)


class UserStore:
    """The users table of a service database (created on first use)."""

    def __init__(self, db_path: Path) -> None:
        self.db_path = Path(db_path)
        self.db_path.parent.mkdir(parents=True, exist_ok=True)
        init_db(self.db_path)

    def add(self, name: str, role: str, password: str) -> User:
        """Add an active user; raise ``UserError`` for a bad name, role or password, or a taken name."""
        if not _NAME_RE.match(name):
            raise SERVICE.error(UserError, "user-name-invalid", name=name)
        if role not in ROLES:
            raise SERVICE.error(UserError, "user-role-invalid", role=role, roles=list(ROLES))
        _check_password(password)
        now = _dt.datetime.now().astimezone().isoformat(timespec="seconds")
        with connect(self.db_path) as db:
            if db.execute("SELECT 1 FROM users WHERE name = ?", (name,)).fetchone():
                raise SERVICE.error(UserError, "user-exists", name=name)
            db.execute("INSERT INTO users (name, role, password_hash, created) VALUES (?, ?, ?, ?)",
                       (name, role, _hasher.hash(password), now))
        return self.get(name)  # type: ignore[return-value]

    def get(self, name: str) -> User | None:
        """Return the user called ``name`` or None."""
        with connect(self.db_path) as db:
            row = db.execute("SELECT name, role, active, version, created FROM users WHERE name = ?",
                             (name,)).fetchone()
        return None if row is None else User(row["name"], row["role"], bool(row["active"]), row["version"],
                                             row["created"])

    def list(self) -> list[User]:
        """Return every user, by name."""
        with connect(self.db_path) as db:
            rows = db.execute("SELECT name, role, active, version, created FROM users ORDER BY name").fetchall()
        return [User(r["name"], r["role"], bool(r["active"]), r["version"], r["created"]) for r in rows]

    def _require(self, name: str) -> User:
        user = self.get(name)
        if user is None:
            raise SERVICE.error(UserError, "user-unknown", name=name)
        return user

    def disable(self, name: str) -> User:
        """Disable ``name`` (its sessions and tokens stop working); ``UserError`` if unknown."""
        self._require(name)
        with connect(self.db_path) as db:
            db.execute("UPDATE users SET active = 0, version = version + 1 WHERE name = ?", (name,))
        return self._require(name)

    def set_password(self, name: str, password: str) -> User:
        """Set a new password and re-enable ``name``; existing sessions and tokens end."""
        self._require(name)
        _check_password(password)
        with connect(self.db_path) as db:
            db.execute("UPDATE users SET password_hash = ?, active = 1, version = version + 1 WHERE name = ?",
                       (_hasher.hash(password), name))
        return self._require(name)

    def authenticate(self, name: str, password: str) -> User | None:
        """Return the active user when ``password`` is theirs, else None (same cost either way)."""
        with connect(self.db_path) as db:
            row = db.execute("SELECT password_hash, active FROM users WHERE name = ?", (name,)).fetchone()
        stored = row["password_hash"] if row is not None else _DUMMY_HASH
        try:
            _hasher.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return None
        if row is None or not row["active"]:
            return None
        if _hasher.check_needs_rehash(stored):
            with connect(self.db_path) as db:
                db.execute("UPDATE users SET password_hash = ? WHERE name = ?", (_hasher.hash(password), name))
        return self.get(name)
