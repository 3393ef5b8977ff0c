"""Who may read or change a file or a knowledge collection (Open WebUI's access grants)."""

import time
import uuid

from services.ingest.models import Caller, FileRecord, KnowledgeRecord

_PERMISSIONS = ("read", "write")
_PRINCIPALS = ("user", "group")


def _granted(grants: list[dict], caller: Caller, permissions: tuple[str, ...]) -> bool:
    for grant in grants:
        if grant.get("permission") not in permissions or grant.get("principal_type") != "user":
            continue
        if grant.get("principal_id") in (caller.user_id, "*"):
            return True
    return False


def can_read_knowledge(caller: Caller, knowledge: KnowledgeRecord) -> bool:
    if caller.is_admin or knowledge.user_id == caller.user_id:
        return True
    return _granted(knowledge.access_grants, caller, _PERMISSIONS)


def can_write_knowledge(caller: Caller, knowledge: KnowledgeRecord) -> bool:
    if caller.is_admin or knowledge.user_id == caller.user_id:
        return True
    return _granted(knowledge.access_grants, caller, ("write",))


def owns_file(caller: Caller, record: FileRecord) -> bool:
    return caller.is_admin or record.user_id == caller.user_id


def can_read_file(caller: Caller, record: FileRecord, containing: list[KnowledgeRecord]) -> bool:
    """Owner, admin, or a reader of a collection that holds the file."""
    return owns_file(caller, record) or any(can_read_knowledge(caller, k) for k in containing)


def clean_grants(raw: object, caller: Caller, knowledge_id: str) -> list[dict]:
    """Valid grants in Open WebUI's stored shape; invalid entries are dropped silently, and a
    public grant (``user:*``) from a non-admin is dropped (``sharing.public_knowledge`` is off)."""
    if not isinstance(raw, list):
        return []
    cleaned = []
    seen = set()
    for item in raw:
        if not isinstance(item, dict):
            continue
        principal_type = item.get("principal_type")
        principal_id = item.get("principal_id")
        permission = item.get("permission")
        if principal_type not in _PRINCIPALS or permission not in _PERMISSIONS:
            continue
        if not isinstance(principal_id, str) or not principal_id:
            continue
        if principal_id == "*" and (principal_type != "user" or not caller.is_admin):
            continue
        key = (principal_type, principal_id, permission)
        if key in seen:
            continue
        seen.add(key)
        cleaned.append(
            {
                "id": str(uuid.uuid4()),
                "resource_type": "knowledge",
                "resource_id": knowledge_id,
                "principal_type": principal_type,
                "principal_id": principal_id,
                "permission": permission,
                "created_at": int(time.time()),
            }
        )
    return cleaned
