"""Who is asking, and may they: signed session cookies, bearer tokens, CSRF tokens, roles.

A session cookie and an API token are both ``itsdangerous`` signatures (different salts) of
the user name, the user's ``version`` and a random session id; they expire after
``Settings.session_seconds`` and die at once when the user is disabled or changes password
(the version moves on). Page forms carry a CSRF token, an HMAC of the session id, checked on
every POST; the login form uses a double-submit cookie because there is no session yet.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer

from docgen.service.users import User, UserStore

SESSION_COOKIE = "docgen_session"
LOGIN_CSRF_COOKIE = "docgen_login"


@dataclass(frozen=True)
class Principal:
    """An authenticated user for the length of one request."""

    name: str
    role: str
    session: str
    via: str  # "session" or "token"


class Auth:
    """Issues and checks session cookies, API tokens and CSRF tokens with one secret key."""

    def __init__(self, secret: bytes, users: UserStore, max_age: int) -> None:
        self._secret = secret
        self.users = users
        self.max_age = max_age
        self._sessions = URLSafeTimedSerializer(secret, salt="docgen-session")
        self._tokens = URLSafeTimedSerializer(secret, salt="docgen-api-token")

    @staticmethod
    def _payload(user: User) -> dict[str, Any]:
        return {"u": user.name, "v": user.version, "s": secrets.token_hex(16)}

    def issue_session(self, user: User) -> str:
        """Return a new signed session cookie value for ``user``."""
        return self._sessions.dumps(self._payload(user))

    def issue_token(self, user: User) -> str:
        """Return a new signed bearer token for ``user``."""
        return self._tokens.dumps(self._payload(user))

    def _load(self, serializer: URLSafeTimedSerializer, value: str, via: str) -> Principal | None:
        try:
            data = serializer.loads(value, max_age=self.max_age)
        except BadSignature:  # also SignatureExpired
            return None
        if not isinstance(data, dict):
            return None
        user = self.users.get(str(data.get("u", "")))
        if user is None or not user.active or user.version != data.get("v"):
            return None
        return Principal(user.name, user.role, str(data.get("s", "")), via)

    def from_session(self, cookie: str | None) -> Principal | None:
        """Return the principal of a session cookie, or None (absent, forged, expired, revoked)."""
        return self._load(self._sessions, cookie, "session") if cookie else None

    def from_bearer(self, header: str | None) -> Principal | None:
        """Return the principal of an ``Authorization: Bearer …`` header, or None."""
        if not header:
            return None
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            return None
        return self._load(self._tokens, value.strip(), "token")

    def csrf_token(self, principal: Principal) -> str:
        """Return the CSRF token forms of this session must carry."""
        return hmac.new(self._secret, f"csrf:{principal.session}".encode(), hashlib.sha256).hexdigest()

    def csrf_ok(self, principal: Principal, token: str | None) -> bool:
        """Return True when ``token`` is this session's CSRF token."""
        return bool(token) and hmac.compare_digest(self.csrf_token(principal), str(token))
