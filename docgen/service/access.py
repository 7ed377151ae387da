"""Which role may do what (DESIGN §11), in one table, and the checks every route uses."""
from __future__ import annotations

from docgen.service.users import ROLES

#: capability -> roles allowed. Every route names exactly one capability.
ACCESS: dict[str, tuple[str, ...]] = {
    "check": ("credit", "compliance"),
    "draft": ("credit",),
    "render": ("backoffice",),
    "batch": ("backoffice",),
    "register": ("backoffice", "compliance"),
    "npl-report": ("manager",),
    "collect": ("manager",),
    "audit": ("compliance", "admin"),
    "jobs": ROLES,
}

#: Roles that see every user's jobs and files, not only their own.
SEE_ALL = ("admin", "compliance")


def allowed(role: str, capability: str) -> bool:
    """Return True when ``role`` may use ``capability``."""
    return role in ACCESS[capability]


def may_see(role: str, name: str, owner: str) -> bool:
    """Return True when user ``name`` with ``role`` may see a job or file owned by ``owner``."""
    return owner == name or role in SEE_ALL


def may_rerun(role: str, name: str, owner: str) -> bool:
    """Return True when user ``name`` with ``role`` may run again a job owned by ``owner``: its owner
    or an admin (compliance sees every job but runs nobody else's)."""
    return owner == name or role == "admin"
