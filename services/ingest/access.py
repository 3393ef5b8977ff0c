"""Who may read or change a file or a knowledge collection: Open WebUI's access grants, decided by
``services.common.access`` (group grants included; a read check matches read grants only)."""

import time
import uuid

from services.common import access
from services.common.identity import Identity
from services.ingest.models import FileRecord, KnowledgeRecord


def can_read_knowledge(caller: Identity, knowledge: KnowledgeRecord) -> bool:
    # An API key that lists collections or files reaches only those, whatever its user may.
    return access.key_allows_knowledge(caller, knowledge.id) and access.can_read(
        caller, knowledge.user_id, knowledge.access_grants
    )


def can_write_knowledge(caller: Identity, knowledge: KnowledgeRecord) -> bool:
    return access.key_allows_knowledge(caller, knowledge.id) and access.can_write(
        caller, knowledge.user_id, knowledge.access_grants
    )


def key_lists_reads(caller: Identity) -> bool:
    """Whether the caller's API key names the collections or files it may read."""
    scope = caller.scope
    return scope is not None and bool(scope.knowledge_ids or scope.file_ids)


def owns_file(caller: Identity, record: FileRecord) -> bool:
    return caller.is_admin or record.user_id == caller.user_id


def can_read_file(caller: Identity, record: FileRecord, containing: list[KnowledgeRecord]) -> bool:
    """Owner, admin, or a reader of a collection that holds the file; and, for an API key that
    lists collections or files, a file it lists or one of a collection it lists."""
    if not access.key_allows_file(caller, record.id, [k.id for k in containing]):
        return False
    return owns_file(caller, record) or any(
        access.can_read(caller, k.user_id, k.access_grants) for k in containing
    )


def shared_grants(
    raw: object, caller: Identity, knowledge_id: str, existing: list[dict], *, strict: bool
) -> tuple[list[access.Grant], list[dict]]:
    """The grants of ``raw`` the caller may give on a collection (§6.2: dropped on create and
    update forms, a 403 on ``/access/update``), and the same in the stored shape."""
    grants = access.shareable_grants(caller, "knowledge", raw, strict=strict)
    records = access.grant_records(
        grants, "knowledge", knowledge_id, existing, int(time.time()), lambda: str(uuid.uuid4())
    )
    return grants, records
