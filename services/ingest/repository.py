"""Postgres access for files, their bytes, chunks, embeddings and knowledge collections."""

import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence

import asyncpg
import numpy as np
import orjson

from services.common.collection_names import file_collection, file_id_of
from services.common.identity import Identity
from services.ingest.embedding_gc import pin_embeddings
from services.ingest.models import FileRecord, FileStatus, KnowledgeRecord, StoredChunk, UserRef

_FILE_COLUMNS = (
    "f.id, f.user_id, f.filename, f.content_type, f.size, f.file_hash, f.hash, f.status, f.error, "
    "f.client_meta, f.created_at, f.updated_at, f.key_id, f.group_ids"
)
_KNOWLEDGE_COLUMNS = (
    "k.id, k.user_id, k.name, k.description, k.meta, k.access_grants, k.created_at, k.updated_at, "
    "(SELECT count(*) FROM ingest_knowledge_file kf WHERE kf.knowledge_id = k.id) AS file_count, "
    "u.name AS owner_name, u.role AS owner_role, u.email AS owner_email"
)


def now() -> int:
    return int(time.time())


def _storable_id(value: str) -> bool:
    """Whether a row could have this id: PostgreSQL text cannot hold NUL, and refuses it as a
    parameter, so an id with one is simply not found."""
    return "\x00" not in value


def _json(value: object) -> str:
    return orjson.dumps(value).decode()


async def store_file_text(
    conn: asyncpg.Connection,
    file_id: str,
    content: str,
    text_hash: str,
    chunks: Sequence[StoredChunk],
    new_vectors: dict[bytes, np.ndarray],
) -> None:
    """Replaces a locked file's chunks and text and marks it completed, inside the caller's
    transaction. Stores the new vectors and keeps the reused ones from the embedding collector until
    commit; raises EmbeddingsGone when one it reuses was collected since known_embeddings."""
    await conn.execute("DELETE FROM ingest_chunk WHERE file_id = $1", file_id)
    await pin_embeddings(conn, (c.text_hash for c in chunks), new_vectors)
    await conn.copy_records_to_table(
        "ingest_chunk",
        records=[(file_id, c.seq, c.text, c.text_hash, _json(c.metadata)) for c in chunks],
        columns=["file_id", "seq", "text", "text_hash", "metadata"],
    )
    await conn.execute(
        "UPDATE ingest_file SET status = 'completed', error = NULL, content = $2, hash = $3, "
        "updated_at = $4 WHERE id = $1",
        file_id,
        content,
        text_hash,
        now(),
    )


async def knowledge_holding(conn: asyncpg.Connection, file_id: str) -> list[str]:
    """The knowledge collections the file is in, in a fixed order (bumps lock in that order)."""
    rows = await conn.fetch(
        "SELECT knowledge_id FROM ingest_knowledge_file WHERE file_id = $1 ORDER BY knowledge_id", file_id
    )
    return [row["knowledge_id"] for row in rows]


def _file(row: asyncpg.Record, content: str | None = None) -> FileRecord:
    return FileRecord(
        id=row["id"],
        user_id=row["user_id"],
        filename=row["filename"],
        content_type=row["content_type"],
        size=row["size"],
        file_hash=row["file_hash"],
        hash=row["hash"],
        status=FileStatus(row["status"]) if row["status"] else None,
        error=row["error"],
        content=content,
        client_meta=orjson.loads(row["client_meta"]),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        key_id=row.get("key_id") or "",
        group_ids=tuple(row.get("group_ids") or ()),
    )


def _knowledge(row: asyncpg.Record) -> KnowledgeRecord:
    owner = None
    if row["owner_name"] is not None:
        owner = UserRef(row["user_id"], row["owner_name"], row["owner_role"], row["owner_email"])
    return KnowledgeRecord(
        id=row["id"],
        user_id=row["user_id"],
        name=row["name"],
        description=row["description"],
        meta=orjson.loads(row["meta"]) if row["meta"] is not None else None,
        access_grants=orjson.loads(row["access_grants"]),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        file_count=row["file_count"],
        owner=owner,
    )


async def bump_collection(conn: asyncpg.Connection, name: str) -> int:
    """The collection's next version (created at 1), inside the caller's transaction."""
    return await conn.fetchval(
        "INSERT INTO ingest_collection (name) VALUES ($1) "
        "ON CONFLICT (name) DO UPDATE SET version = ingest_collection.version + 1 RETURNING version",
        name,
    )


class IngestRepository:
    """Parameterised SQL over one pool; methods that change several tables use one transaction."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    # --- users -------------------------------------------------------------------------------

    async def remember_user(self, conn: asyncpg.Connection | asyncpg.Pool, caller: Identity) -> None:
        await conn.execute(
            "INSERT INTO ingest_user (id, name, email, role, updated_at) VALUES ($1, $2, $3, $4, $5) "
            "ON CONFLICT (id) DO UPDATE SET name = $2, email = $3, role = $4, updated_at = $5 "
            "WHERE (ingest_user.name, ingest_user.email, ingest_user.role) IS DISTINCT FROM ($2, $3, $4)",
            caller.user_id,
            caller.name,
            caller.email,
            caller.role,
            now(),
        )

    async def users(self, ids: Sequence[str]) -> dict[str, UserRef]:
        rows = await self.pool.fetch(
            "SELECT id, name, role, email FROM ingest_user WHERE id = ANY($1::text[])", list(set(ids))
        )
        return {r["id"]: UserRef(r["id"], r["name"], r["role"], r["email"]) for r in rows}

    # --- files -------------------------------------------------------------------------------

    async def insert_file(self, conn: asyncpg.Connection, record: FileRecord) -> None:
        await conn.execute(
            "INSERT INTO ingest_file (id, user_id, filename, content_type, status, created_at, updated_at, "
            "key_id, group_ids) VALUES ($1, $2, $3, $4, $5, $6, $6, $7, $8::text[])",
            record.id,
            record.user_id,
            record.filename,
            record.content_type,
            record.status.value if record.status else None,
            record.created_at,
            record.key_id,
            list(record.group_ids),
        )

    async def insert_part(self, conn: asyncpg.Connection, file_id: str, seq: int, data: bytes) -> None:
        await conn.execute(
            "INSERT INTO ingest_file_part (file_id, seq, data) VALUES ($1, $2, $3)", file_id, seq, data
        )

    async def finish_upload(
        self, conn: asyncpg.Connection, file_id: str, size: int, file_hash: str, client_meta: dict
    ) -> None:
        await conn.execute(
            "UPDATE ingest_file SET size = $2, file_hash = $3, client_meta = $4::jsonb WHERE id = $1",
            file_id,
            size,
            file_hash,
            _json(client_meta),
        )

    async def get_file(self, file_id: str, include_content: bool = False) -> FileRecord | None:
        if not _storable_id(file_id):
            return None
        content_column = ", f.content" if include_content else ""
        row = await self.pool.fetchrow(
            f"SELECT {_FILE_COLUMNS}{content_column} FROM ingest_file f WHERE f.id = $1", file_id
        )
        if row is None:
            return None
        return _file(row, row["content"] if include_content else None)

    async def get_files(self, file_ids: Sequence[str]) -> dict[str, FileRecord]:
        rows = await self.pool.fetch(
            f"SELECT {_FILE_COLUMNS} FROM ingest_file f WHERE f.id = ANY($1::text[])",
            [i for i in file_ids if _storable_id(i)],
        )
        return {r["id"]: _file(r) for r in rows}

    async def list_files(
        self, owner_id: str | None, limit: int, offset: int, include_content: bool
    ) -> tuple[list[FileRecord], int]:
        """A page of files, newest first; ``owner_id`` None lists everyone's."""
        content_column = ", f.content" if include_content else ""
        where = "WHERE f.user_id = $1" if owner_id is not None else "WHERE $1::text IS NULL"
        rows = await self.pool.fetch(
            f"SELECT {_FILE_COLUMNS}{content_column} FROM ingest_file f {where} "
            "ORDER BY f.seq DESC LIMIT $2 OFFSET $3",
            owner_id,
            limit,
            offset,
        )
        total = await self.pool.fetchval(f"SELECT count(*) FROM ingest_file f {where}", owner_id)
        files = [_file(r, r["content"] if include_content else None) for r in rows]
        return files, total

    async def file_parts(self, file_id: str) -> AsyncIterator[bytes]:
        """The stored bytes in order, one part at a time (a cursor, so a big file is never whole)."""
        async with self.pool.acquire() as conn, conn.transaction():
            async for row in conn.cursor(
                "SELECT data FROM ingest_file_part WHERE file_id = $1 ORDER BY seq", file_id, prefetch=4
            ):
                yield bytes(row["data"])

    async def file_bytes(self, file_id: str) -> bytes:
        rows = await self.pool.fetch(
            "SELECT data FROM ingest_file_part WHERE file_id = $1 ORDER BY seq", file_id
        )
        return b"".join(bytes(r["data"]) for r in rows)

    async def claim_for_processing(self, file_id: str) -> FileRecord | None:
        """Marks a pending (or interrupted) file `processing`; None when it is gone or finished."""
        row = await self.pool.fetchrow(
            f"UPDATE ingest_file f SET status = 'processing', updated_at = $2 "
            f"WHERE f.id = $1 AND f.status IN ('pending', 'processing') RETURNING {_FILE_COLUMNS}",
            file_id,
            now(),
        )
        return _file(row) if row is not None else None

    async def reset_to_pending(self, file_id: str) -> None:
        await self.pool.execute(
            "UPDATE ingest_file SET status = 'pending', updated_at = $2 "
            "WHERE id = $1 AND status = 'processing'",
            file_id,
            now(),
        )

    async def fail_file(self, file_id: str, error: str) -> bool:
        status = await self.pool.execute(
            "UPDATE ingest_file SET status = 'failed', error = $2, hash = NULL, updated_at = $3 "
            "WHERE id = $1 AND status IN ('pending', 'processing')",
            file_id,
            error,
            now(),
        )
        return status.endswith(" 1")

    async def known_embeddings(self, hashes: Sequence[bytes]) -> set[bytes]:
        rows = await self.pool.fetch(
            "SELECT text_hash FROM ingest_embedding WHERE text_hash = ANY($1::bytea[])", list(hashes)
        )
        return {bytes(r["text_hash"]) for r in rows}

    async def complete_file(
        self,
        file_id: str,
        content: str,
        text_hash: str,
        chunks: Sequence[StoredChunk],
        new_vectors: dict[bytes, np.ndarray],
        guard: Callable[[asyncpg.Connection], Awaitable[None]] | None = None,
    ) -> list[tuple[str, int]] | None:
        """Stores chunks, new embeddings and the `completed` status in one transaction.

        Returns every collection that changed with its new version (``file-<id>`` first, then each
        knowledge collection holding the file), or None when the file was deleted meanwhile.
        ``guard`` runs in the transaction once the file is locked (the job completing with it); what
        it raises rolls everything back.
        """
        async with self.pool.acquire() as conn, conn.transaction():
            locked = await conn.fetchval(
                "SELECT id FROM ingest_file WHERE id = $1 AND status IN ('pending', 'processing') FOR UPDATE",
                file_id,
            )
            if locked is None:
                return None
            if guard is not None:
                await guard(conn)
            await store_file_text(conn, file_id, content, text_hash, chunks, new_vectors)
            changed = [(file_collection(file_id), await bump_collection(conn, file_collection(file_id)))]
            for knowledge_id in await knowledge_holding(conn, file_id):
                changed.append((knowledge_id, await bump_collection(conn, knowledge_id)))
            return changed

    async def delete_file(self, file_id: str) -> list[tuple[str, int]]:
        """Deletes the file with its bytes, chunks and links; returns the knowledge collections it
        left with their new versions."""
        async with self.pool.acquire() as conn, conn.transaction():
            knowledge_ids = [
                r["knowledge_id"]
                for r in await conn.fetch(
                    "SELECT knowledge_id FROM ingest_knowledge_file WHERE file_id = $1 "
                    "ORDER BY knowledge_id FOR UPDATE",
                    file_id,
                )
            ]
            await conn.execute("DELETE FROM ingest_file WHERE id = $1", file_id)
            await conn.execute("DELETE FROM ingest_collection WHERE name = $1", file_collection(file_id))
            return [(kid, await bump_collection(conn, kid)) for kid in knowledge_ids]

    async def stale_pending_files(self, older_than: int, limit: int = 500) -> list[str]:
        rows = await self.pool.fetch(
            "SELECT id FROM ingest_file WHERE status = 'pending' AND updated_at < $1 "
            "ORDER BY updated_at LIMIT $2",
            older_than,
            limit,
        )
        return [r["id"] for r in rows]

    # --- vectors -----------------------------------------------------------------------------

    async def collection_version(self, name: str) -> int:
        version = await self.pool.fetchval("SELECT version FROM ingest_collection WHERE name = $1", name)
        return version or 0

    async def collection_versions(self, names: Sequence[str]) -> dict[str, int]:
        rows = await self.pool.fetch(
            "SELECT name, version FROM ingest_collection WHERE name = ANY($1::text[])", list(names)
        )
        return {r["name"]: r["version"] for r in rows}

    async def file_vectors(self, file_ids: Sequence[str]) -> tuple[list[str], np.ndarray, np.ndarray]:
        """(file id per row, chunk ids, vectors) of the completed files among ``file_ids``."""
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(
                "SELECT c.file_id, c.id, e.vector FROM ingest_chunk c "
                "JOIN ingest_file f ON f.id = c.file_id AND f.status = 'completed' "
                "JOIN ingest_embedding e ON e.text_hash = c.text_hash "
                "WHERE c.file_id = ANY($1::text[]) "
                # Texts of free-standing collections are members too (text_repository.py).
                "UNION ALL SELECT t.document_id, t.id, e.vector FROM ingest_text_chunk t "
                "JOIN ingest_embedding e ON e.text_hash = t.text_hash "
                "WHERE t.document_id = ANY($1::text[]) ORDER BY 2",
                list(file_ids),
            )
        owners = [r["file_id"] for r in rows]
        ids = np.fromiter((r["id"] for r in rows), dtype=np.int64, count=len(rows))
        if not rows:
            return owners, ids, np.zeros((0, 0), dtype=np.float32)
        blob = b"".join(r["vector"] for r in rows)
        vectors = np.frombuffer(blob, dtype="<f4").reshape(len(rows), -1).astype(np.float32, copy=False)
        return owners, ids, vectors

    async def collection_file_ids(self, name: str) -> list[str] | None:
        """The files whose vectors make up collection ``name``; None when it does not exist."""
        file_id = file_id_of(name)
        if file_id is not None:
            exists = await self.pool.fetchval("SELECT 1 FROM ingest_file WHERE id = $1", file_id)
            return [file_id] if exists else None
        texts = [
            r["id"]
            for r in await self.pool.fetch("SELECT id FROM ingest_text_document WHERE collection = $1", name)
        ]
        exists = await self.pool.fetchval("SELECT 1 FROM ingest_knowledge WHERE id = $1", name)
        if not exists:
            text_collection = await self.pool.fetchval(
                "SELECT 1 FROM ingest_text_collection WHERE name = $1", name
            )
            return texts if text_collection else None
        rows = await self.pool.fetch(
            "SELECT file_id FROM ingest_knowledge_file WHERE knowledge_id = $1", name
        )
        return [r["file_id"] for r in rows] + texts

    async def chunk_texts(self, file_ids: Sequence[str]) -> tuple[list[int], list[str]]:
        """(chunk ids, texts) of the completed files among ``file_ids``, by chunk id."""
        rows = await self.pool.fetch(
            "SELECT c.id, c.text FROM ingest_chunk c "
            "JOIN ingest_file f ON f.id = c.file_id AND f.status = 'completed' "
            "WHERE c.file_id = ANY($1::text[]) "
            "UNION ALL SELECT t.id, t.text FROM ingest_text_chunk t "
            "WHERE t.document_id = ANY($1::text[]) ORDER BY 1",
            list(file_ids),
        )
        return [r["id"] for r in rows], [r["text"] for r in rows]

    async def completed_files(self, file_ids: Sequence[str]) -> dict[str, FileRecord]:
        """The completed files among ``file_ids``, with their extracted content."""
        rows = await self.pool.fetch(
            f"SELECT {_FILE_COLUMNS}, f.content FROM ingest_file f "
            "WHERE f.id = ANY($1::text[]) AND f.status = 'completed'",
            list(file_ids),
        )
        return {r["id"]: _file(r, r["content"]) for r in rows}

    async def chunks(self, chunk_ids: Sequence[int]) -> dict[int, tuple[str, dict]]:
        rows = await self.pool.fetch(
            "SELECT id, text, metadata FROM ingest_chunk WHERE id = ANY($1::bigint[]) "
            "UNION ALL SELECT id, text, metadata FROM ingest_text_chunk WHERE id = ANY($1::bigint[])",
            list(chunk_ids),
        )
        return {r["id"]: (r["text"], orjson.loads(r["metadata"])) for r in rows}

    # --- knowledge ---------------------------------------------------------------------------

    async def insert_knowledge(self, record: KnowledgeRecord, caller: Identity) -> None:
        async with self.pool.acquire() as conn, conn.transaction():
            await self.remember_user(conn, caller)
            await conn.execute(
                "INSERT INTO ingest_knowledge (id, user_id, name, description, meta, access_grants, "
                "created_at, updated_at) VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb, $7, $7)",
                record.id,
                record.user_id,
                record.name,
                record.description,
                _json(record.meta) if record.meta is not None else None,
                _json(record.access_grants),
                record.created_at,
            )
            await bump_collection(conn, record.id)

    async def get_knowledge(self, knowledge_id: str) -> KnowledgeRecord | None:
        if not _storable_id(knowledge_id):
            return None
        row = await self.pool.fetchrow(
            f"SELECT {_KNOWLEDGE_COLUMNS} FROM ingest_knowledge k "
            "LEFT JOIN ingest_user u ON u.id = k.user_id WHERE k.id = $1",
            knowledge_id,
        )
        return _knowledge(row) if row is not None else None

    async def all_knowledge(self) -> list[KnowledgeRecord]:
        """Every collection, newest first (access is filtered by the caller's rules)."""
        rows = await self.pool.fetch(
            f"SELECT {_KNOWLEDGE_COLUMNS} FROM ingest_knowledge k "
            "LEFT JOIN ingest_user u ON u.id = k.user_id ORDER BY k.updated_at DESC, k.id"
        )
        return [_knowledge(r) for r in rows]

    async def knowledge_readable_by(self, user_id: str, group_ids: Sequence[str]) -> list[KnowledgeRecord]:
        """The collections a user owns or holds a read grant on (to them, to every user or to one
        of ``group_ids``), newest first: the rows ``services.common.access`` then decides on, so
        that a list reads and parses only candidates, not every collection."""
        rows = await self.pool.fetch(
            f"SELECT {_KNOWLEDGE_COLUMNS} FROM ingest_knowledge k "
            "LEFT JOIN ingest_user u ON u.id = k.user_id "
            "WHERE k.user_id = $1 OR EXISTS (SELECT 1 FROM jsonb_array_elements("
            "CASE WHEN jsonb_typeof(k.access_grants) = 'array' THEN k.access_grants ELSE '[]'::jsonb END) g "
            "WHERE g->>'permission' = 'read' AND ("
            "(g->>'principal_type' = 'user' AND g->>'principal_id' IN ($1, '*')) "
            "OR (g->>'principal_type' = 'group' AND g->>'principal_id' = ANY($2::text[])))) "
            "ORDER BY k.updated_at DESC, k.id",
            user_id,
            list(group_ids),
        )
        return [_knowledge(r) for r in rows]

    async def knowledge_of_file(self, file_id: str) -> list[KnowledgeRecord]:
        rows = await self.pool.fetch(
            f"SELECT {_KNOWLEDGE_COLUMNS} FROM ingest_knowledge k "
            "JOIN ingest_knowledge_file kf ON kf.knowledge_id = k.id AND kf.file_id = $1 "
            "LEFT JOIN ingest_user u ON u.id = k.user_id",
            file_id,
        )
        return [_knowledge(r) for r in rows]

    async def update_knowledge(
        self, knowledge_id: str, name: str, description: str, access_grants: list[dict] | None
    ) -> None:
        await self.pool.execute(
            "UPDATE ingest_knowledge SET name = $2, description = $3, "
            "access_grants = COALESCE($4::jsonb, access_grants), updated_at = $5 WHERE id = $1",
            knowledge_id,
            name,
            description,
            _json(access_grants) if access_grants is not None else None,
            now(),
        )

    async def delete_knowledge(self, knowledge_id: str) -> None:
        async with self.pool.acquire() as conn, conn.transaction():
            await conn.execute("DELETE FROM ingest_knowledge WHERE id = $1", knowledge_id)
            await conn.execute("DELETE FROM ingest_collection WHERE name = $1", knowledge_id)
            await conn.execute("DELETE FROM ingest_text_document WHERE collection = $1", knowledge_id)

    async def link_files(self, knowledge_id: str, file_ids: Sequence[str]) -> list[tuple[str, int]]:
        """Links the files not yet linked; returns each with the collection version it made."""
        async with self.pool.acquire() as conn, conn.transaction():
            stamp = now()
            added = [
                r["file_id"]
                for r in await conn.fetch(
                    "INSERT INTO ingest_knowledge_file (knowledge_id, file_id, added_at) "
                    "SELECT $1, unnest($2::text[]), $3 ON CONFLICT DO NOTHING RETURNING file_id",
                    knowledge_id,
                    list(dict.fromkeys(file_ids)),
                    stamp,
                )
            ]
            if not added:
                return []
            await conn.execute(
                "UPDATE ingest_knowledge SET updated_at = $2 WHERE id = $1", knowledge_id, stamp
            )
            return [(file_id, await bump_collection(conn, knowledge_id)) for file_id in added]

    async def unlink_files(self, knowledge_id: str, file_ids: Sequence[str] | None) -> tuple[list[str], int]:
        """Unlinks the given files (all when None); returns those unlinked and the new version."""
        async with self.pool.acquire() as conn, conn.transaction():
            rows = await conn.fetch(
                "DELETE FROM ingest_knowledge_file WHERE knowledge_id = $1 "
                "AND ($2::text[] IS NULL OR file_id = ANY($2::text[])) RETURNING file_id",
                knowledge_id,
                list(file_ids) if file_ids is not None else None,
            )
            if not rows:
                return [], 0
            await conn.execute(
                "UPDATE ingest_knowledge SET updated_at = $2 WHERE id = $1", knowledge_id, now()
            )
            return [r["file_id"] for r in rows], await bump_collection(conn, knowledge_id)

    @staticmethod
    async def _touch(conn: asyncpg.Connection, knowledge_id: str, stamp: int) -> None:
        await conn.execute("UPDATE ingest_knowledge SET updated_at = $2 WHERE id = $1", knowledge_id, stamp)

    async def touch_collection(self, knowledge_id: str) -> int:
        async with self.pool.acquire() as conn, conn.transaction():
            return await bump_collection(conn, knowledge_id)

    async def knowledge_file_ids(self, knowledge_id: str) -> list[str]:
        rows = await self.pool.fetch(
            "SELECT file_id FROM ingest_knowledge_file WHERE knowledge_id = $1 ORDER BY added_at, file_id",
            knowledge_id,
        )
        return [r["file_id"] for r in rows]

    async def knowledge_files(
        self, knowledge_id: str, limit: int, offset: int, include_content: bool
    ) -> tuple[list[FileRecord], int]:
        content_column = ", f.content" if include_content else ""
        rows = await self.pool.fetch(
            f"SELECT {_FILE_COLUMNS}{content_column} FROM ingest_file f "
            "JOIN ingest_knowledge_file kf ON kf.file_id = f.id AND kf.knowledge_id = $1 "
            "ORDER BY f.updated_at DESC, f.id LIMIT $2 OFFSET $3",
            knowledge_id,
            limit,
            offset,
        )
        total = await self.pool.fetchval(
            "SELECT count(*) FROM ingest_knowledge_file WHERE knowledge_id = $1", knowledge_id
        )
        return [_file(r, r["content"] if include_content else None) for r in rows], total
