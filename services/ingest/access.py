"""Who may read or change a file or a knowledge collection (Open WebUI's access grants, in
``services.common.access_grants``)."""

from services.common import access_grants
from services.common.identity import Identity
from services.ingest.models import FileRecord, KnowledgeRecord


def can_read_knowledge(caller: Identity, knowledge: KnowledgeRecord) -> bool:
    return access_grants.can_read(caller, knowledge.user_id, knowledge.access_grants)


def can_write_knowledge(caller: Identity, knowledge: KnowledgeRecord) -> bool:
    return access_grants.can_write(caller, knowledge.user_id, knowledge.access_grants)


def owns_file(caller: Identity, record: FileRecord) -> bool:
    return caller.is_admin or record.user_id == caller.user_id


def can_read_file(caller: Identity, record: FileRecord, containing: list[KnowledgeRecord]) -> bool:
    """Owner, admin, or a reader of a collection that holds the file."""
    return owns_file(caller, record) or any(can_read_knowledge(caller, k) for k in containing)


def clean_grants(raw: object, caller: Identity, knowledge_id: str) -> list[dict]:
    """The submitted grants of a collection, cleaned (see ``access_grants.clean_grants``)."""
    return access_grants.clean_grants(raw, caller, "knowledge", knowledge_id)
