"""Plain records the ingest core works with (no gRPC, no asyncpg types)."""

import enum
from dataclasses import dataclass, field

from services.common.collection_names import file_collection


class FileStatus(enum.StrEnum):
    PENDING = "pending"
    PROCESSING = "processing"
    COMPLETED = "completed"
    FAILED = "failed"
    # Its processing job was cancelled (an ingest job API); treated as failed wherever that matters.
    CANCELLED = "cancelled"


TERMINAL_STATUSES = frozenset({FileStatus.COMPLETED, FileStatus.FAILED, FileStatus.CANCELLED})


@dataclass(frozen=True, slots=True)
class UserRef:
    id: str
    name: str
    role: str
    email: str


@dataclass(slots=True)
class FileRecord:
    id: str
    user_id: str
    filename: str
    content_type: str
    size: int
    file_hash: str | None
    hash: str | None
    # None: uploaded with process=false.
    status: FileStatus | None
    error: str | None
    content: str | None
    client_meta: dict
    created_at: int
    updated_at: int
    # What the upload is charged to beyond its user (usage records, token limits): its API key
    # ('' for a session) and the user's effective groups when it was uploaded.
    key_id: str = ""
    group_ids: tuple[str, ...] = ()

    @property
    def collection_name(self) -> str:
        return file_collection(self.id)


@dataclass(slots=True)
class KnowledgeRecord:
    id: str
    user_id: str
    name: str
    description: str
    meta: dict | None
    access_grants: list[dict]
    created_at: int
    updated_at: int
    file_count: int = 0
    owner: UserRef | None = None


@dataclass(frozen=True, slots=True)
class StoredChunk:
    """A chunk ready to be written: its text, the sha256 of the text, and its metadata."""

    seq: int
    text: str
    text_hash: bytes
    metadata: dict


@dataclass(frozen=True, slots=True)
class SearchHit:
    collection_name: str
    text: str
    score: float
    metadata: dict


@dataclass(frozen=True, slots=True)
class CollectionChange:
    """A change to one collection, applied locally and published to the other replicas.

    ``op`` is ``add`` (the file's current vectors join), ``remove`` (the file's vectors leave)
    or ``drop`` (forget the whole index). ``version`` is the collection's version after it.
    """

    collection: str
    version: int
    op: str
    file_id: str = ""
    origin: str = field(default="", compare=False)
