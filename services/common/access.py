"""The one place that decides access (Open WebUI §6.2, §6.4), for every service and the gateway.

Decisions read only the verified ``Identity`` (its role, effective groups, permission keys and API
key scope) and what the resource stores (its owner and grants), so that the same question gets the
same answer in every process. Nothing here does I/O.

- ``has_access``/``can_read``/``can_write``: owner, admin (Open WebUI's
  ``BYPASS_ADMIN_ACCESS_CONTROL``), or a grant to the user, to every user (``user:*``), to one of
  the user's groups (inherited included) or, where a resource allows it, to anyone. A read check
  matches only read grants and a write check only write grants, as in Open WebUI.
- ``has_permission``: a key of the permission tree; admins have them all.
- ``shareable_grants``: the grants a caller may give on a resource (the sharing table of §6.2).
- ``key_allows_*``: what an API key's scope lets through, on top of the user's own access.
"""

from collections.abc import Callable, Iterable
from typing import Any

from services.common import errors, permissions
from services.common.identity import (
    KEY_KIND_CHAT,
    KEY_KIND_FULL,
    KEY_KIND_INGEST,
    KEY_KIND_READ,
    Identity,
)

READ = "read"
WRITE = "write"
PERMISSIONS = (READ, WRITE)
EVERYONE = "*"
PRINCIPAL_TYPES = ("user", "group", "anyone")
AUDIENCE_DENIED = "You do not have permission to share with the requested audience"
# More grants than anyone lists by hand: a bound on what one request writes.
MAX_GRANTS = 1000
# Longer than any user or group id; a bound that keeps grants within a btree index entry.
MAX_PRINCIPAL_ID_CHARS = 255

# (principal type, principal id, permission): a grant as the rules see it.
Grant = tuple[str, str, str]

# The resource types of §6.2 whose sharing is governed by ``sharing.<x>`` / ``sharing.public_<x>``.
_SHARING_SECTION = {
    "model": "models",
    "knowledge": "knowledge",
    "prompt": "prompts",
    "tool": "tools",
    "skill": "skills",
    "note": "notes",
}
RESOURCE_TYPES = (*_SHARING_SECTION, "folder", "shared_chat")


def grant_tuple(grant: Any) -> Grant | None:
    """A stored grant (Open WebUI's dict, or an object with the three attributes) as a tuple."""
    if isinstance(grant, dict):
        parts = (grant.get("principal_type"), grant.get("principal_id"), grant.get("permission"))
    else:
        parts = (
            getattr(grant, "principal_type", None),
            getattr(grant, "principal_id", None),
            getattr(grant, "permission", None),
        )
    return parts if all(isinstance(p, str) for p in parts) else None  # type: ignore[return-value]


def granted(identity: Identity, grants: Iterable[Any], permission: str, *, anyone: bool = False) -> bool:
    """Whether one of ``grants`` gives ``identity`` exactly ``permission``. ``anyone`` lets an
    ``anyone:*`` grant count (shared chats only)."""
    principals = identity.principals
    # The hot loop of every list filter: the permission first (half the grants stop there), then
    # one set lookup; no tuple is built for a grant of the other permission.
    for grant in grants:
        if isinstance(grant, dict):
            if grant.get("permission") != permission:
                continue
            kind, principal = grant.get("principal_type"), grant.get("principal_id")
        else:
            if getattr(grant, "permission", None) != permission:
                continue
            kind, principal = getattr(grant, "principal_type", None), getattr(grant, "principal_id", None)
        if not isinstance(principal, str):
            continue
        if (kind, principal) in principals:
            return True
        if anyone and kind == "anyone" and principal == EVERYONE:
            return True
    return False


def has_access(
    identity: Identity,
    owner_id: str,
    grants: Iterable[Any],
    permission: str,
    *,
    bypass_admin: bool = True,
    anyone: bool = False,
) -> bool:
    """Owner, (bypassing) admin, or a grant of ``permission``."""
    if owner_id == identity.user_id or (bypass_admin and identity.is_admin):
        return True
    return granted(identity, grants, permission, anyone=anyone)


def can_read(identity: Identity, owner_id: str, grants: Iterable[Any], *, bypass_admin: bool = True) -> bool:
    return has_access(identity, owner_id, grants, READ, bypass_admin=bypass_admin)


def can_write(identity: Identity, owner_id: str, grants: Iterable[Any], *, bypass_admin: bool = True) -> bool:
    return has_access(identity, owner_id, grants, WRITE, bypass_admin=bypass_admin)


# -- permissions ---------------------------------------------------------------------------------


def has_permission(identity: Identity, key: str) -> bool:
    """Whether the permission key (``"workspace.knowledge"``) is true for the caller; admins have
    every permission."""
    return identity.is_admin or key in identity.permissions


def require_permission(identity: Identity, key: str, message: str) -> None:
    if not has_permission(identity, key):
        raise errors.PermissionDenied(message)


# -- grants a caller may give ---------------------------------------------------------------------


def normalise_grants(raw: object) -> list[Grant]:
    """(principal type, principal id, permission) of the entries Open WebUI keeps: known types and
    permissions, non-empty ids (of at most 255 characters), ``anyone`` only as ``anyone:*:read``,
    duplicates once."""
    kept: list[Grant] = []
    for entry in raw if isinstance(raw, list) else []:
        if not isinstance(entry, dict):
            continue
        kind, principal, permission = (
            entry.get("principal_type"),
            entry.get("principal_id"),
            entry.get("permission"),
        )
        if kind not in PRINCIPAL_TYPES or permission not in PERMISSIONS:
            continue
        if not isinstance(principal, str) or not principal.strip() or "\x00" in principal:
            continue
        if len(principal) > MAX_PRINCIPAL_ID_CHARS:
            continue
        if kind == "anyone" and (principal != EVERYONE or permission != READ):
            continue
        grant = (kind, principal, permission)
        if grant not in kept:
            kept.append(grant)
    return kept


def audience_allowed(identity: Identity, resource_type: str, grant: Grant) -> bool:
    """Whether ``identity`` may give ``grant`` on a resource of ``resource_type`` (§6.2).

    Unsupported audiences are refused to everyone, admins included: ``anyone:*`` except on a
    shared chat, ``user:*`` on a folder. Everything else is a permission, which admins have."""
    kind, principal, _ = grant
    public = principal == EVERYONE
    if kind == "anyone":
        return resource_type == "shared_chat" and has_permission(identity, "sharing.open_chats")
    if resource_type == "folder":
        if public:
            return False
        if not has_permission(identity, "sharing.folders"):
            return False
    elif resource_type == "shared_chat":
        if public and not has_permission(identity, "sharing.public_chats"):
            return False
    else:
        section = _SHARING_SECTION.get(resource_type)
        if section is None:
            return identity.is_admin
        if not has_permission(identity, f"sharing.{section}"):
            return False
        if public and not has_permission(identity, f"sharing.public_{section}"):
            return False
    if kind == "user" and not public and not has_permission(identity, permissions.ALLOW_USERS):
        return False
    return kind != "group" or has_permission(identity, permissions.ALLOW_GROUPS)


def shareable_grants(identity: Identity, resource_type: str, raw: object, *, strict: bool) -> list[Grant]:
    """The normalised grants of ``raw`` that ``identity`` may give on ``resource_type``.

    On create forms (``strict=False``) a grant the caller may not give is dropped silently; on the
    ``…/access/update`` routes (``strict=True``) it refuses the whole request with Open WebUI's 403.
    More than ``MAX_GRANTS`` entries is a bad request either way."""
    wanted = normalise_grants(raw)
    if len(wanted) > MAX_GRANTS:
        raise errors.InvalidArgument(f"At most {MAX_GRANTS} access grants")
    allowed = [grant for grant in wanted if audience_allowed(identity, resource_type, grant)]
    if strict and len(allowed) != len(wanted):
        raise errors.PermissionDenied(AUDIENCE_DENIED)
    return allowed


def group_ids_named(grants: Iterable[Grant]) -> set[str]:
    """The group ids ``grants`` name, for the caller to check that they exist."""
    return {principal for kind, principal, _ in grants if kind == "group"}


def grant_records(
    grants: Iterable[Grant],
    resource_type: str,
    resource_id: str,
    existing: Iterable[Any],
    now: int,
    new_id: Callable[[], str],
) -> list[dict]:
    """``grants`` in Open WebUI's stored shape (``{"id", "resource_type", "resource_id",
    "principal_type", "principal_id", "permission", "created_at"}``); a grant kept from
    ``existing`` (stored dicts) keeps its id and age."""
    known: dict[Grant, dict] = {}
    for old in existing:
        parts = grant_tuple(old)
        if parts is not None and isinstance(old, dict):
            known.setdefault(parts, old)
    return [
        known.get(grant)
        or {
            "id": new_id(),
            "resource_type": resource_type,
            "resource_id": resource_id,
            "principal_type": grant[0],
            "principal_id": grant[1],
            "permission": grant[2],
            "created_at": now,
        }
        for grant in grants
    ]


# -- API key scopes ------------------------------------------------------------------------------

# What each kind of key may do, by the area of the API a route belongs to (the gateway's route
# table names each route's area; services check the resource-level rules below).
AREA_CHAT = "chat"  # completions, models, embeddings, retrieval queries
AREA_INGEST = "ingest"  # files, knowledge, retrieval processing
AREA_ACCOUNT = "account"  # the caller's own session and profile
AREA_OTHER = "other"  # everything else (chats, folders, tools, prompts, admin, …)
_KIND_AREAS = {
    KEY_KIND_FULL: frozenset({AREA_CHAT, AREA_INGEST, AREA_ACCOUNT, AREA_OTHER}),
    KEY_KIND_CHAT: frozenset({AREA_CHAT, AREA_ACCOUNT}),
    KEY_KIND_INGEST: frozenset({AREA_INGEST, AREA_ACCOUNT}),
    KEY_KIND_READ: frozenset({AREA_CHAT, AREA_INGEST, AREA_ACCOUNT, AREA_OTHER}),
}


def key_allows_area(identity: Identity, area: str, reads_only: bool) -> bool:
    """Whether the caller's key may call a route of ``area``; ``reads_only`` is true for a route
    that changes nothing. A session (no key scope) may call anything its role allows."""
    scope = identity.scope
    if scope is None:
        return True
    if area not in _KIND_AREAS.get(scope.kind, frozenset()):
        return False
    return reads_only or scope.kind != KEY_KIND_READ


def key_allows_model(identity: Identity, model_id: str) -> bool:
    scope = identity.scope
    return scope is None or not scope.model_ids or model_id in scope.model_ids


def key_allows_knowledge(identity: Identity, knowledge_id: str) -> bool:
    """A key that lists collections or files reads only the listed collections."""
    scope = identity.scope
    if scope is None or (not scope.file_ids and not scope.knowledge_ids):
        return True
    return knowledge_id in scope.knowledge_ids


def key_allows_file(identity: Identity, file_id: str, knowledge_ids: Iterable[str] = ()) -> bool:
    """A key with a file list reads those files; a key with a collection list also reads the files
    of those collections (``knowledge_ids``: the collections that hold the file)."""
    scope = identity.scope
    if scope is None or (not scope.file_ids and not scope.knowledge_ids):
        return True
    if file_id in scope.file_ids:
        return True
    return any(k in scope.knowledge_ids for k in knowledge_ids)


def scope_refusal(identity: Identity, what: str) -> errors.PermissionDenied:
    """The 403 for a request outside the key's scope: it names the scope and what it lacks."""
    scope = identity.scope
    kind = scope.kind if scope is not None else KEY_KIND_FULL
    name = scope.name if scope is not None else ""
    return errors.PermissionDenied(f"This API key ({name!r}, scope '{kind}') does not allow {what}.")
