"""Postgres access for knowledge search, knowledge file search, pending files, exports and reindexing.

The access rules are applied in SQL only to narrow and page (the same candidate rule as
``IngestRepository.knowledge_readable_by``); the caller still decides on every row it returns with
``services.ingest.access``.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import asyncpg

from services.ingest.models import FileRecord, KnowledgeRecord
from services.ingest.repository import (
    _FILE_COLUMNS,
    _KNOWLEDGE_COLUMNS,
    _file,
    _knowledge,
    _storable_id,
)

# Directories nest at most this deep when their path is built (a guard against a cycle).
_MAX_DIR_DEPTH = 64
_ORDER_COLUMNS = {"name": "k.name", "created_at": "k.created_at", "updated_at": "k.updated_at"}


def like_pattern(text: str) -> str:
    """``%text%`` with LIKE's own ``%``, ``_`` and ``\\`` matching only themselves."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


@dataclass(frozen=True, slots=True)
class Reader:
    """Whose reads a query narrows to: None ``group_ids`` for an admin (every collection);
    ``knowledge_ids`` the collections an API key lists (None: no list)."""

    user_id: str
    group_ids: list[str] | None
    knowledge_ids: list[str] | None


@dataclass(frozen=True, slots=True)
class KnowledgeQuery:
    text: str
    # "created", "shared" or "" (both).
    view: str
    # "local", "external" or "" (both).
    source: str
    # "name", "created_at", "updated_at" or "" (most recently updated first).
    order: str
    ascending: bool
    limit: int
    offset: int


@dataclass(frozen=True, slots=True)
class FileHitRow:
    file: FileRecord
    knowledge_id: str
    directory_id: str | None


# $1 user id, $2 group ids (NULL: admin, every collection), $3 the key's collections (NULL: any).
_READABLE = (
    "($2::text[] IS NULL OR k.user_id = $1 OR EXISTS (SELECT 1 FROM jsonb_array_elements("
    "CASE WHEN jsonb_typeof(k.access_grants) = 'array' THEN k.access_grants ELSE '[]'::jsonb END) g "
    "WHERE g->>'permission' = 'read' AND ("
    "(g->>'principal_type' = 'user' AND g->>'principal_id' IN ($1, '*')) "
    "OR (g->>'principal_type' = 'group' AND g->>'principal_id' = ANY($2::text[]))))) "
    "AND ($3::text[] IS NULL OR k.id = ANY($3::text[]))"
)


class KnowledgeSearchRepository:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool
        self._has_directories: bool | None = None

    async def has_directories(self) -> bool:
        """Whether knowledge directories exist in this schema (``ingest_knowledge_file.directory_id``)."""
        if self._has_directories is None:
            self._has_directories = bool(
                await self.pool.fetchval(
                    "SELECT 1 FROM information_schema.columns WHERE table_name = 'ingest_knowledge_file' "
                    "AND column_name = 'directory_id'"
                )
            )
        return self._has_directories

    async def search_knowledge(
        self, reader: Reader, query: KnowledgeQuery
    ) -> tuple[list[KnowledgeRecord], int]:
        conditions = [_READABLE]
        args: list[object] = [reader.user_id, reader.group_ids, reader.knowledge_ids]
        if query.text:
            args.append(like_pattern(query.text))
            n = len(args)
            conditions.append(
                f"(k.name ILIKE ${n} OR k.description ILIKE ${n} OR u.name ILIKE ${n} OR u.email ILIKE ${n})"
            )
        if query.view == "created":
            conditions.append("k.user_id = $1")
        elif query.view == "shared":
            conditions.append("k.user_id <> $1")
        if query.source == "external":
            conditions.append("k.meta->>'source' = 'external'")
        elif query.source == "local":
            conditions.append("COALESCE(k.meta->>'source', '') <> 'external'")
        column = _ORDER_COLUMNS.get(query.order)
        order = (
            f"{column} {'ASC' if query.ascending else 'DESC'}, k.id ASC"
            if column
            else "k.updated_at DESC, k.id ASC"
        )
        where = " AND ".join(conditions)
        args += [query.limit, query.offset]
        rows = await self.pool.fetch(
            f"SELECT {_KNOWLEDGE_COLUMNS}, count(*) OVER () AS total FROM ingest_knowledge k "
            f"LEFT JOIN ingest_user u ON u.id = k.user_id WHERE {where} "
            f"ORDER BY {order} LIMIT ${len(args) - 1} OFFSET ${len(args)}",
            *args,
        )
        if rows:
            total = rows[0]["total"]
        elif query.offset:
            total = await self.pool.fetchval(
                "SELECT count(*) FROM ingest_knowledge k LEFT JOIN ingest_user u ON u.id = k.user_id "
                f"WHERE {where}",
                *args[:-2],
            )
        else:
            total = 0
        return [_knowledge(r) for r in rows], total

    async def search_files(
        self, reader: Reader, text: str, include_content: bool, limit: int, offset: int
    ) -> tuple[list[FileHitRow], int]:
        """(file, collection) links of readable collections, most recently updated file first."""
        directories = await self.has_directories()
        args: list[object] = [reader.user_id, reader.group_ids, reader.knowledge_ids]
        conditions = [_READABLE]
        if text:
            args.append(like_pattern(text))
            n = len(args)
            content = f" OR f.content ILIKE ${n}" if include_content else ""
            conditions.append(f"(f.filename ILIKE ${n}{content})")
        where = " AND ".join(conditions)
        directory = ", kf.directory_id" if directories else ", NULL::text AS directory_id"
        content_column = ", f.content" if include_content else ""
        joins = (
            "FROM ingest_knowledge_file kf JOIN ingest_knowledge k ON k.id = kf.knowledge_id "
            "JOIN ingest_file f ON f.id = kf.file_id "
        )
        # Counted apart: a window count would make the page read and sort every match first, where
        # the page alone walks the files newest first and stops after `limit`.
        count_joins = joins if text else joins.replace("JOIN ingest_file f ON f.id = kf.file_id ", "")
        total = await self.pool.fetchval(f"SELECT count(*) {count_joins}WHERE {where}", *args)
        if total <= offset:
            return [], total
        args += [limit, offset]
        rows = await self.pool.fetch(
            f"SELECT {_FILE_COLUMNS}{content_column}, kf.knowledge_id{directory} {joins}"
            f"WHERE {where} ORDER BY f.updated_at DESC, f.id ASC, kf.knowledge_id ASC "
            f"LIMIT ${len(args) - 1} OFFSET ${len(args)}",
            *args,
        )
        hits = [
            FileHitRow(
                _file(r, r["content"] if include_content else None), r["knowledge_id"], r["directory_id"]
            )
            for r in rows
        ]
        return hits, total

    async def knowledge_by_ids(self, ids: Sequence[str]) -> dict[str, KnowledgeRecord]:
        rows = await self.pool.fetch(
            f"SELECT {_KNOWLEDGE_COLUMNS} FROM ingest_knowledge k "
            "LEFT JOIN ingest_user u ON u.id = k.user_id WHERE k.id = ANY($1::text[])",
            list(set(ids)),
        )
        return {r["id"]: _knowledge(r) for r in rows}

    async def directory_paths(self, directory_ids: Sequence[str]) -> dict[str, str]:
        """Each directory's path from its collection's root, ``a/b/c``."""
        if not directory_ids or not await self.has_directories():
            return {}
        rows = await self.pool.fetch(
            "WITH RECURSIVE up AS ("
            "SELECT d.id AS start, d.parent_id, d.name, 0 AS depth FROM ingest_knowledge_dir d "
            "WHERE d.id = ANY($1::text[]) "
            "UNION ALL SELECT up.start, d.parent_id, d.name, up.depth + 1 FROM up "
            "JOIN ingest_knowledge_dir d ON d.id = up.parent_id WHERE up.depth < $2) "
            "SELECT start, string_agg(name, '/' ORDER BY depth DESC) AS path FROM up GROUP BY start",
            list(set(directory_ids)),
            _MAX_DIR_DEPTH,
        )
        return {r["start"]: r["path"] for r in rows}

    async def pending_files(self, knowledge_id: str, limit: int) -> list[FileRecord]:
        """Files uploaded for the collection, still waiting or processing, not linked to it yet."""
        if not _storable_id(knowledge_id):
            return []
        rows = await self.pool.fetch(
            f"SELECT {_FILE_COLUMNS} FROM ingest_file f "
            "WHERE f.status IN ('pending', 'processing') AND f.client_meta->>'knowledge_id' = $1 "
            "AND NOT EXISTS (SELECT 1 FROM ingest_knowledge_file kf "
            "WHERE kf.knowledge_id = $1 AND kf.file_id = f.id) "
            "ORDER BY f.seq LIMIT $2",
            knowledge_id,
            limit,
        )
        return [_file(r) for r in rows]

    async def linked_file_ids(self, knowledge_id: str) -> list[str]:
        rows = await self.pool.fetch(
            "SELECT file_id FROM ingest_knowledge_file WHERE knowledge_id = $1 ORDER BY added_at, file_id",
            knowledge_id,
        )
        return [r["file_id"] for r in rows]

    async def file_text(self, file_id: str) -> tuple[str, str] | None:
        """(filename, extracted text) of a file with non-empty text; None otherwise."""
        row = await self.pool.fetchrow(
            "SELECT filename, content FROM ingest_file WHERE id = $1 AND content IS NOT NULL "
            "AND content <> ''",
            file_id,
        )
        return (row["filename"], row["content"]) if row is not None else None

    async def knowledge_ids_after(self, after: str, limit: int) -> list[tuple[str, int]]:
        """(id, linked file count) of the collections whose id sorts after ``after``, in id order."""
        rows = await self.pool.fetch(
            "SELECT k.id, (SELECT count(*) FROM ingest_knowledge_file kf WHERE kf.knowledge_id = k.id) "
            "AS files FROM ingest_knowledge k WHERE k.id > $1 ORDER BY k.id LIMIT $2",
            after,
            limit,
        )
        return [(r["id"], r["files"]) for r in rows]

    async def bump_collections(self, names: Sequence[str]) -> list[tuple[str, int]]:
        """Each collection's next version (created at 1), in one statement."""
        rows = await self.pool.fetch(
            "INSERT INTO ingest_collection (name) SELECT unnest($1::text[]) ON CONFLICT (name) "
            "DO UPDATE SET version = ingest_collection.version + 1 RETURNING name, version",
            list(names),
        )
        return [(r["name"], r["version"]) for r in rows]

    async def count_knowledge(self) -> int:
        return await self.pool.fetchval("SELECT count(*) FROM ingest_knowledge")
