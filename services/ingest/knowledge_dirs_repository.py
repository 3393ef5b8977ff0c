"""Postgres access for knowledge directories, the directory of each link, and the sync's views.

Every change to one base's tree first locks the base's row, so that concurrent moves cannot build
a loop between them and a delete sees the subtree it removes.
"""

from collections.abc import Sequence

import asyncpg

from services.ingest.models import FileRecord, FileStatus
from services.ingest.repository import _FILE_COLUMNS, _file, bump_collection, now
from services.ingest.sync_diff import DirectoryRecord, HeldFile, subtree_first, would_cycle

_DIR_COLUMNS = "id, knowledge_id, parent_id, name, user_id, created_at, updated_at"
_UNFINISHED = [FileStatus.PENDING.value, FileStatus.PROCESSING.value]


def _directory(row: asyncpg.Record) -> DirectoryRecord:
    return DirectoryRecord(
        row["id"],
        row["knowledge_id"],
        row["parent_id"],
        row["name"],
        row["user_id"],
        row["created_at"],
        row["updated_at"],
    )


async def _lock_base(conn: asyncpg.Connection, knowledge_id: str) -> bool:
    return (
        await conn.fetchval("SELECT true FROM ingest_knowledge WHERE id = $1 FOR UPDATE", knowledge_id)
        or False
    )


async def _tree(conn: asyncpg.Connection | asyncpg.Pool, knowledge_id: str) -> list[DirectoryRecord]:
    rows = await conn.fetch(
        f"SELECT {_DIR_COLUMNS} FROM ingest_knowledge_dir WHERE knowledge_id = $1 ORDER BY name, id",
        knowledge_id,
    )
    return [_directory(r) for r in rows]


async def _unlink(
    conn: asyncpg.Connection, knowledge_id: str, rows: Sequence[asyncpg.Record]
) -> list[tuple[str, int]]:
    """One version per unlinked file, so that each replica applies each removal in turn."""
    return [(r["file_id"], await bump_collection(conn, knowledge_id)) for r in rows]


class KnowledgeDirsRepository:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def directories(self, knowledge_id: str) -> list[DirectoryRecord]:
        return await _tree(self.pool, knowledge_id)

    async def get_directory(self, directory_id: str) -> DirectoryRecord | None:
        if "\x00" in directory_id:
            return None
        row = await self.pool.fetchrow(
            f"SELECT {_DIR_COLUMNS} FROM ingest_knowledge_dir WHERE id = $1", directory_id
        )
        return _directory(row) if row is not None else None

    async def insert_directory(self, record: DirectoryRecord) -> bool:
        """False when the name is taken at that level or the parent is gone."""
        try:
            await self.pool.execute(
                f"INSERT INTO ingest_knowledge_dir ({_DIR_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                record.id,
                record.knowledge_id,
                record.parent_id,
                record.name,
                record.user_id,
                record.created_at,
                record.updated_at,
            )
        except (asyncpg.UniqueViolationError, asyncpg.ForeignKeyViolationError):
            return False
        return True

    async def update_directory(
        self, knowledge_id: str, directory_id: str, name: str | None, move: bool, parent_id: str | None
    ) -> DirectoryRecord | None:
        """Renames and/or moves (``move``; ``parent_id`` None: to the root). None when the new
        parent is not a directory of this base, the move would make a loop, or the name is taken."""
        try:
            async with self.pool.acquire() as conn, conn.transaction():
                await _lock_base(conn, knowledge_id)
                tree = await _tree(conn, knowledge_id)
                current = next((d for d in tree if d.id == directory_id), None)
                if current is None:
                    return None
                if move:
                    if parent_id is not None and not any(d.id == parent_id for d in tree):
                        return None
                    if would_cycle(tree, directory_id, parent_id):
                        return None
                row = await conn.fetchrow(
                    "UPDATE ingest_knowledge_dir SET name = COALESCE($2, name), "
                    "parent_id = CASE WHEN $3 THEN $4 ELSE parent_id END, updated_at = $5 "
                    f"WHERE id = $1 RETURNING {_DIR_COLUMNS}",
                    directory_id,
                    name,
                    move,
                    parent_id,
                    now(),
                )
                return _directory(row)
        except asyncpg.UniqueViolationError:
            return None

    async def delete_directories(
        self, knowledge_id: str, directory_ids: Sequence[str], move_files: bool
    ) -> tuple[list[str], list[tuple[str, int]]]:
        """Deletes each directory of this base with its subtree (ids of other bases, or gone, are
        skipped). Files inside move to the deleted directory's parent (``move_files``) or are
        unlinked. Returns the directories deleted and each unlinked file with its version."""
        deleted: list[str] = []
        unlinked: list[tuple[str, int]] = []
        async with self.pool.acquire() as conn, conn.transaction():
            await _lock_base(conn, knowledge_id)
            tree = await _tree(conn, knowledge_id)
            by_id = {d.id: d for d in tree}
            for directory_id in directory_ids:
                top = by_id.get(directory_id)
                if top is None or directory_id in deleted:
                    continue
                subtree = subtree_first(tree, directory_id)
                if move_files:
                    await conn.execute(
                        "UPDATE ingest_knowledge_file SET directory_id = $3 "
                        "WHERE knowledge_id = $1 AND directory_id = ANY($2::text[])",
                        knowledge_id,
                        subtree,
                        top.parent_id,
                    )
                else:
                    rows = await conn.fetch(
                        "DELETE FROM ingest_knowledge_file WHERE knowledge_id = $1 "
                        "AND directory_id = ANY($2::text[]) RETURNING file_id",
                        knowledge_id,
                        subtree,
                    )
                    unlinked += await _unlink(conn, knowledge_id, rows)
                await conn.execute("DELETE FROM ingest_knowledge_dir WHERE id = $1", directory_id)
                deleted += subtree
            if deleted:
                await conn.execute(
                    "UPDATE ingest_knowledge SET updated_at = $2 WHERE id = $1", knowledge_id, now()
                )
        return deleted, unlinked

    async def move_file(self, knowledge_id: str, file_id: str, directory_id: str | None) -> bool:
        """False when the file is not linked to this base or the directory is not one of it."""
        async with self.pool.acquire() as conn, conn.transaction():
            await _lock_base(conn, knowledge_id)
            if directory_id is not None and not await conn.fetchval(
                "SELECT true FROM ingest_knowledge_dir WHERE id = $1 AND knowledge_id = $2",
                directory_id,
                knowledge_id,
            ):
                return False
            status = await conn.execute(
                "UPDATE ingest_knowledge_file SET directory_id = $3 WHERE knowledge_id = $1 AND file_id = $2",
                knowledge_id,
                file_id,
                directory_id,
            )
            return status != "UPDATE 0"

    async def place_files(self, knowledge_id: str, placements: Sequence[tuple[str, str]]) -> None:
        """Puts each (file, directory) pair's file, when linked, into the directory, when of this
        base."""
        await self.pool.execute(
            "UPDATE ingest_knowledge_file kf SET directory_id = p.directory_id "
            "FROM unnest($2::text[], $3::text[]) AS p(file_id, directory_id) "
            "WHERE kf.knowledge_id = $1 AND kf.file_id = p.file_id AND EXISTS ("
            "SELECT 1 FROM ingest_knowledge_dir d WHERE d.id = p.directory_id AND d.knowledge_id = $1)",
            knowledge_id,
            [f for f, _ in placements],
            [d for _, d in placements],
        )

    async def file_directories(self, knowledge_id: str, file_ids: Sequence[str]) -> dict[str, str]:
        """The directory of each of the files linked to this base in one."""
        rows = await self.pool.fetch(
            "SELECT file_id, directory_id FROM ingest_knowledge_file "
            "WHERE knowledge_id = $1 AND file_id = ANY($2::text[]) AND directory_id IS NOT NULL",
            knowledge_id,
            [f for f in file_ids if "\x00" not in f],
        )
        return {r["file_id"]: r["directory_id"] for r in rows}

    async def folder_files(
        self, knowledge_id: str, directory_id: str | None, limit: int, offset: int, include_content: bool
    ) -> tuple[list[FileRecord], int]:
        """One page of the files directly in a folder of the base (None: its root), as
        ``GET /{id}/files`` orders them."""
        content_column = ", f.content" if include_content else ""
        rows = await self.pool.fetch(
            f"SELECT {_FILE_COLUMNS}{content_column} FROM ingest_file f "
            "JOIN ingest_knowledge_file kf ON kf.file_id = f.id AND kf.knowledge_id = $1 "
            "WHERE kf.directory_id IS NOT DISTINCT FROM $2 "
            "ORDER BY f.updated_at DESC, f.id LIMIT $3 OFFSET $4",
            knowledge_id,
            directory_id,
            limit,
            offset,
        )
        total = await self.pool.fetchval(
            "SELECT count(*) FROM ingest_knowledge_file WHERE knowledge_id = $1 "
            "AND directory_id IS NOT DISTINCT FROM $2",
            knowledge_id,
            directory_id,
        )
        return [_file(r, r["content"] if include_content else None) for r in rows], total

    async def is_linked(self, knowledge_id: str, file_id: str) -> bool:
        if "\x00" in file_id:
            return False
        return bool(
            await self.pool.fetchval(
                "SELECT true FROM ingest_knowledge_file WHERE knowledge_id = $1 AND file_id = $2",
                knowledge_id,
                file_id,
            )
        )

    async def linked_files(self, knowledge_id: str) -> list[HeldFile]:
        rows = await self.pool.fetch(
            "SELECT f.id, f.filename, f.file_hash, kf.directory_id FROM ingest_knowledge_file kf "
            "JOIN ingest_file f ON f.id = kf.file_id WHERE kf.knowledge_id = $1 ORDER BY kf.added_at, f.id",
            knowledge_id,
        )
        return [HeldFile(r["id"], r["filename"], r["directory_id"], r["file_hash"]) for r in rows]

    async def pending_files(self, knowledge_id: str, since: int) -> list[HeldFile]:
        """Files uploaded for this base (``metadata.knowledge_id``) since ``since``, still waiting
        or processing and not linked yet; their directory is the upload's ``directory_id``."""
        rows = await self.pool.fetch(
            "SELECT f.id, f.filename, f.file_hash, f.client_meta->>'directory_id' AS directory_id "
            "FROM ingest_file f WHERE f.status = ANY($2::text[]) AND f.created_at >= $3 "
            "AND f.client_meta->>'knowledge_id' = $1 AND NOT EXISTS ("
            "SELECT 1 FROM ingest_knowledge_file kf WHERE kf.knowledge_id = $1 AND kf.file_id = f.id)",
            knowledge_id,
            _UNFINISHED,
            since,
        )
        return [HeldFile(r["id"], r["filename"], r["directory_id"], r["file_hash"]) for r in rows]

    async def unlink_files(self, knowledge_id: str, file_ids: Sequence[str]) -> list[tuple[str, int]]:
        """Unlinks those of the files linked to this base; each with the version it made."""
        async with self.pool.acquire() as conn, conn.transaction():
            rows = await conn.fetch(
                "DELETE FROM ingest_knowledge_file WHERE knowledge_id = $1 AND file_id = ANY($2::text[]) "
                "RETURNING file_id",
                knowledge_id,
                [f for f in dict.fromkeys(file_ids) if "\x00" not in f],
            )
            if rows:
                await conn.execute(
                    "UPDATE ingest_knowledge SET updated_at = $2 WHERE id = $1", knowledge_id, now()
                )
            return await _unlink(conn, knowledge_id, rows)

    async def still_linked(self, file_ids: Sequence[str]) -> set[str]:
        """Those of the files some knowledge base still links."""
        rows = await self.pool.fetch(
            "SELECT DISTINCT file_id FROM ingest_knowledge_file WHERE file_id = ANY($1::text[])",
            list(file_ids),
        )
        return {r["file_id"] for r in rows}
