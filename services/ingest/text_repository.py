"""Postgres access for free-standing text collections and the texts added to any collection."""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

import asyncpg
import numpy as np
import orjson

from services.common import access
from services.common.identity import Identity
from services.ingest.embedding_gc import pin_embeddings
from services.ingest.models import StoredChunk
from services.ingest.repository import bump_collection, now

# Text documents are collection members next to files; their ids never look like a file's uuid.
TEXT_MEMBER_PREFIX = "text-"


@dataclass(frozen=True, slots=True)
class TextCollection:
    name: str
    user_id: str
    access_grants: list[dict]


@dataclass(frozen=True, slots=True)
class TextDocument:
    """A text to add: its name, its sha256 hex, its chunks, the whole text and its metadata."""

    name: str
    content_hash: str
    chunks: Sequence[StoredChunk]
    content: str = ""
    metadata: dict = field(default_factory=dict)


async def text_collection(conn: asyncpg.Pool | asyncpg.Connection, name: str) -> TextCollection | None:
    if "\x00" in name:
        # PostgreSQL text cannot hold NUL (and refuses it as a parameter): no collection has it.
        return None
    row = await conn.fetchrow(
        "SELECT name, user_id, access_grants FROM ingest_text_collection WHERE name = $1", name
    )
    if row is None:
        return None
    return TextCollection(row["name"], row["user_id"], orjson.loads(row["access_grants"]))


class TextRepository:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def get(self, name: str) -> TextCollection | None:
        return await text_collection(self.pool, name)

    async def create(self, name: str, user_id: str) -> TextCollection:
        """The collection ``name``, created for ``user_id`` unless someone created it first."""
        stamp = now()
        await self.pool.execute(
            "INSERT INTO ingest_text_collection (name, user_id, created_at, updated_at) "
            "VALUES ($1, $2, $3, $3) ON CONFLICT (name) DO NOTHING",
            name,
            user_id,
            stamp,
        )
        found = await text_collection(self.pool, name)
        assert found is not None  # text collections are never deleted
        return found

    async def known_hashes(self, collection: str, hashes: Sequence[str]) -> set[str]:
        rows = await self.pool.fetch(
            "SELECT content_hash FROM ingest_text_document WHERE collection = $1 "
            "AND content_hash = ANY($2::text[])",
            collection,
            list(hashes),
        )
        return {r["content_hash"] for r in rows}

    async def add(
        self,
        collection: str,
        user_id: str,
        documents: Sequence[TextDocument],
        new_vectors: dict[bytes, np.ndarray],
    ) -> list[tuple[str, int]]:
        """Adds the documents whose text the collection does not hold yet, with the new embeddings,
        in one transaction; returns (member id, collection version) per document added."""
        added: list[tuple[str, int]] = []
        async with self.pool.acquire() as conn, conn.transaction():
            # Stores the new vectors and keeps the reused ones from the collector until commit
            # (EmbeddingsGone, a 503, when one went since the lookup).
            await pin_embeddings(conn, (c.text_hash for d in documents for c in d.chunks), new_vectors)
            stamp = now()
            for document in documents:
                member = TEXT_MEMBER_PREFIX + uuid.uuid4().hex
                inserted = await conn.fetchval(
                    "INSERT INTO ingest_text_document (id, collection, content_hash, name, user_id, "
                    "content, metadata, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
                    "ON CONFLICT (collection, content_hash) DO NOTHING RETURNING id",
                    member,
                    collection,
                    document.content_hash,
                    document.name,
                    user_id,
                    document.content,
                    orjson.dumps(document.metadata).decode(),
                    stamp,
                )
                if inserted is None:
                    continue
                await conn.copy_records_to_table(
                    "ingest_text_chunk",
                    records=[
                        (member, c.seq, c.text, c.text_hash, orjson.dumps(c.metadata).decode())
                        for c in document.chunks
                    ],
                    columns=["document_id", "seq", "text", "text_hash", "metadata"],
                )
                added.append((member, await bump_collection(conn, collection)))
            if added:
                await conn.execute(
                    "UPDATE ingest_text_collection SET updated_at = $2 WHERE name = $1", collection, stamp
                )
        return added


def can_read_text_collection(caller: Identity, collection: TextCollection) -> bool:
    """Owner, admin or a read grant; an API key that lists collections reaches only those."""
    return access.key_allows_knowledge(caller, collection.name) and access.can_read(
        caller, collection.user_id, collection.access_grants
    )


async def text_documents(pool: asyncpg.Pool, collections: Sequence[str]) -> list[tuple[str, str, dict]]:
    """(collection, whole text, metadata) of every text document of ``collections``, oldest first."""
    rows = await pool.fetch(
        "SELECT collection, content, metadata FROM ingest_text_document "
        "WHERE collection = ANY($1::text[]) AND content <> '' ORDER BY created_at, id",
        [name for name in collections if "\x00" not in name],
    )
    return [(r["collection"], r["content"], orjson.loads(r["metadata"])) for r in rows]
