"""Postgres access for file searches, counts, renames, text replacement and deleting every file."""

from collections.abc import Sequence

import asyncpg
import numpy as np

from services.common.collection_names import file_collection
from services.ingest.models import FileRecord, StoredChunk
from services.ingest.repository import (
    _FILE_COLUMNS,
    _file,
    _storable_id,
    bump_collection,
    knowledge_holding,
    now,
    store_file_text,
)


def glob_to_like(pattern: str) -> str:
    """A glob (``*`` any run, ``?`` one character, the rest literal) as a LIKE pattern escaped with
    a backslash: LIKE's own ``%``, ``_`` and ``\\`` in the glob match only themselves."""
    out = []
    for char in pattern:
        if char == "*":
            out.append("%")
        elif char == "?":
            out.append("_")
        elif char in ("%", "_", "\\"):
            out.append("\\" + char)
        else:
            out.append(char)
    return "".join(out)


class FileOpsRepository:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def search(
        self, owner_id: str | None, pattern: str, skip: int, limit: int, include_content: bool
    ) -> list[FileRecord]:
        """Files whose name matches the glob case-insensitively, newest first; ``owner_id`` None
        searches everyone's."""
        content_column = ", f.content" if include_content else ""
        rows = await self.pool.fetch(
            f"SELECT {_FILE_COLUMNS}{content_column} FROM ingest_file f "
            "WHERE ($1::text IS NULL OR f.user_id = $1) AND f.filename ILIKE $2 ESCAPE '\\' "
            "ORDER BY f.seq DESC LIMIT $3 OFFSET $4",
            owner_id,
            glob_to_like(pattern),
            limit,
            skip,
        )
        return [_file(r, r["content"] if include_content else None) for r in rows]

    async def count(self, owner_id: str | None) -> int:
        return await self.pool.fetchval(
            "SELECT count(*) FROM ingest_file WHERE $1::text IS NULL OR user_id = $1", owner_id
        )

    async def rename(self, file_id: str, filename: str) -> FileRecord | None:
        if not _storable_id(file_id):
            return None
        row = await self.pool.fetchrow(
            f"UPDATE ingest_file f SET filename = $2, updated_at = $3 WHERE f.id = $1 "
            f"RETURNING {_FILE_COLUMNS}, f.content",
            file_id,
            filename,
            now(),
        )
        return _file(row, row["content"]) if row is not None else None

    async def replace_text(
        self,
        file_id: str,
        content: str,
        text_hash: str,
        chunks: Sequence[StoredChunk],
        new_vectors: dict[bytes, np.ndarray],
    ) -> tuple[int, list[tuple[str, int, int]]] | None:
        """Replaces the file's chunks and text and marks it completed, in one transaction.

        Returns the new version of ``file-<id>`` and, for each knowledge collection holding the
        file, (name, version of the removal of the old vectors, version of the addition of the new
        ones); None when the file is gone. Whatever its status was (a job still queued for it finds
        it completed and skips it).
        """
        async with self.pool.acquire() as conn, conn.transaction():
            locked = await conn.fetchval("SELECT id FROM ingest_file WHERE id = $1 FOR UPDATE", file_id)
            if locked is None:
                return None
            await store_file_text(conn, file_id, content, text_hash, chunks, new_vectors)
            file_version = await bump_collection(conn, file_collection(file_id))
            knowledge = []
            for name in await knowledge_holding(conn, file_id):
                removed = await bump_collection(conn, name)
                knowledge.append((name, removed, await bump_collection(conn, name)))
            return file_version, knowledge

    async def fail(self, file_id: str, error: str) -> None:
        """Marks a file failed with its hash cleared (Open WebUI's ``process_file`` on an error)."""
        await self.pool.execute(
            "UPDATE ingest_file SET status = 'failed', error = $2, hash = NULL, updated_at = $3 "
            "WHERE id = $1",
            file_id,
            error,
            now(),
        )

    async def delete_all(self) -> tuple[list[str], list[tuple[str, int]]]:
        """Deletes every file (bytes, chunks and links with it) in one transaction; returns the
        deleted ids and each knowledge collection with its new version (a collection that stays
        gets a new version, so that no replica keeps serving its old copy)."""
        async with self.pool.acquire() as conn, conn.transaction():
            # Uploads and processing wait for this to finish rather than interleave with it.
            await conn.execute("LOCK TABLE ingest_file IN SHARE ROW EXCLUSIVE MODE")
            knowledge_ids = [
                r["knowledge_id"]
                for r in await conn.fetch(
                    "SELECT DISTINCT knowledge_id FROM ingest_knowledge_file ORDER BY knowledge_id"
                )
            ]
            await conn.execute("DELETE FROM ingest_knowledge_file")
            ids = [r["id"] for r in await conn.fetch("DELETE FROM ingest_file RETURNING id")]
            await conn.execute(
                "DELETE FROM ingest_collection WHERE name = ANY($1::text[])",
                [file_collection(i) for i in ids],
            )
            stamp = now()
            versions = []
            for knowledge_id in knowledge_ids:
                await conn.execute(
                    "UPDATE ingest_knowledge SET updated_at = $2 WHERE id = $1", knowledge_id, stamp
                )
                versions.append((knowledge_id, await bump_collection(conn, knowledge_id)))
            return ids, versions
