"""Open WebUI's access grants, shared by every service: who may read or change a shared resource,
and the cleaning of the grants a client submits."""

import time
import uuid
from typing import Protocol

PERMISSIONS = ("read", "write")
PRINCIPAL_TYPES = ("user", "group")
# A grant to this principal id (of type "user") is a grant to every signed-in user.
EVERYONE = "*"


class Principal(Protocol):
    """Whoever asks: each service's own caller type fits (it has these two attributes)."""

    @property
    def user_id(self) -> str: ...

    @property
    def is_admin(self) -> bool: ...


def granted(grants: list[dict], user_id: str, permissions: tuple[str, ...]) -> bool:
    """Whether a user grant (to ``user_id`` or to everyone) gives one of ``permissions``.

    Group grants are kept as stored but grant nothing here: this deployment has no groups."""
    for grant in grants:
        if not isinstance(grant, dict):
            continue
        if grant.get("permission") not in permissions or grant.get("principal_type") != "user":
            continue
        if grant.get("principal_id") in (user_id, EVERYONE):
            return True
    return False


def can_read(principal: Principal, owner_id: str, grants: list[dict]) -> bool:
    """Owner, admin, or a read or write grant."""
    if principal.is_admin or owner_id == principal.user_id:
        return True
    return granted(grants, principal.user_id, PERMISSIONS)


def can_write(principal: Principal, owner_id: str, grants: list[dict]) -> bool:
    """Owner, admin, or a write grant."""
    if principal.is_admin or owner_id == principal.user_id:
        return True
    return granted(grants, principal.user_id, ("write",))


def clean_grants(raw: object, principal: Principal, resource_type: str, resource_id: str) -> list[dict]:
    """Valid grants in Open WebUI's stored shape; invalid entries are dropped silently, and a public
    grant (``user:*``) from a non-admin is dropped (``sharing.public_*`` is off by default)."""
    if not isinstance(raw, list):
        return []
    cleaned = []
    seen = set()
    created_at = int(time.time())
    for item in raw:
        if not isinstance(item, dict):
            continue
        principal_type = item.get("principal_type")
        principal_id = item.get("principal_id")
        permission = item.get("permission")
        if principal_type not in PRINCIPAL_TYPES or permission not in PERMISSIONS:
            continue
        if not isinstance(principal_id, str) or not principal_id or "\x00" in principal_id:
            continue
        if principal_id == EVERYONE and (principal_type != "user" or not principal.is_admin):
            continue
        key = (principal_type, principal_id, permission)
        if key in seen:
            continue
        seen.add(key)
        cleaned.append(
            {
                "id": str(uuid.uuid4()),
                "resource_type": resource_type,
                "resource_id": resource_id,
                "principal_type": principal_type,
                "principal_id": principal_id,
                "permission": permission,
                "created_at": created_at,
            }
        )
    return cleaned


# The principals a shared chat or folder may name (``anyone`` only as ``anyone:*:read``).
SHARE_PRINCIPAL_TYPES = ("user", "group", "anyone")
AUDIENCE_DENIED = "You do not have permission to share with the requested audience"
# More grants than anyone lists by hand: a bound on what one request writes.
MAX_GRANTS = 1000
# Longer than any user or group id; a bound that keeps grants within a btree index entry.
MAX_PRINCIPAL_ID_CHARS = 255


def normalise_grants(raw: object) -> list[tuple[str, str, str]]:
    """(principal type, principal id, permission) of the entries Open WebUI keeps: known types and
    permissions, non-empty ids (of at most 255 characters), ``anyone`` only as ``anyone:*:read``,
    duplicates once."""
    kept: list[tuple[str, str, str]] = []
    for entry in raw if isinstance(raw, list) else []:
        if not isinstance(entry, dict):
            continue
        grant = (entry.get("principal_type"), entry.get("principal_id"), entry.get("permission"))
        kind, principal, permission = grant
        if kind not in SHARE_PRINCIPAL_TYPES or permission not in PERMISSIONS:
            continue
        if not isinstance(principal, str) or not principal.strip() or "\x00" in principal:
            continue
        if len(principal) > MAX_PRINCIPAL_ID_CHARS:
            continue
        if kind == "anyone" and (principal != EVERYONE or permission != "read"):
            continue
        if grant not in kept:
            kept.append(grant)
    return kept
