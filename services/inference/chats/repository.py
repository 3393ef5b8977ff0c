"""Postgres access for stored chats: ``inference_chat`` (one row per chat), ``inference_chat_message``
(one row per message) and ``inference_chat_tag``. A write rewrites the chat row and only the message
rows that changed, in one transaction, and only if the chat is still at the version it was read at."""

from collections.abc import Sequence

import asyncpg
import orjson

from services.inference.chats.records import ChatRow, ChatSummary, StoredChat, Tag
from services.inference.chats.tree import content_text

_ROW = (
    "id, user_id, title, chat, meta, variables, tasks, summary, share_id, folder_id, archived, pinned, "
    "current_message_id, last_read_at, created_at, updated_at, version"
)
_SUMMARY = "id, title, updated_at, created_at, last_read_at, archived"
# Columns ``/archived`` may sort by (Open WebUI takes any chat column).
SORTABLE = frozenset(
    {
        "id",
        "user_id",
        "title",
        "created_at",
        "updated_at",
        "share_id",
        "folder_id",
        "archived",
        "pinned",
        "last_read_at",
    }
)


def _json(value: object) -> str:
    return orjson.dumps(value).decode()


def _loads(raw: str | None) -> object:
    return orjson.loads(raw) if raw is not None else None


def _row(record: asyncpg.Record) -> ChatRow:
    return ChatRow(
        id=record["id"],
        user_id=record["user_id"],
        title=record["title"],
        blob=orjson.loads(record["chat"]),
        meta=orjson.loads(record["meta"]),
        variables=orjson.loads(record["variables"]),
        tasks=_loads(record["tasks"]),
        summary=record["summary"],
        share_id=record["share_id"],
        folder_id=record["folder_id"],
        archived=record["archived"],
        pinned=record["pinned"],
        current_message_id=record["current_message_id"],
        last_read_at=record["last_read_at"],
        created_at=record["created_at"],
        updated_at=record["updated_at"],
        version=record["version"],
    )


def summary(record: asyncpg.Record, snippet: str | None = None) -> ChatSummary:
    return ChatSummary(
        id=record["id"],
        title=record["title"],
        updated_at=record["updated_at"],
        created_at=record["created_at"],
        last_read_at=record["last_read_at"],
        snippet=snippet,
        archived=record["archived"],
    )


def _tag(record: asyncpg.Record) -> Tag:
    return Tag(id=record["id"], name=record["name"], user_id=record["user_id"], meta=_loads(record["meta"]))


def _row_args(row: ChatRow) -> tuple:
    return (
        row.id,
        row.user_id,
        row.title,
        _json(row.blob),
        _json(row.meta),
        _json(row.variables),
        _json(row.tasks) if row.tasks is not None else None,
        row.summary,
        row.share_id,
        row.folder_id,
        row.archived,
        row.pinned,
        row.current_message_id,
        row.last_read_at,
        row.created_at,
        row.updated_at,
    )


def message_args(chat_id: str, key: str, message: dict, position: int, now: int) -> tuple:
    parent = message.get("parentId")
    role = message.get("role")
    author = message.get("user_id")
    return (
        chat_id,
        key,
        parent if isinstance(parent, str) else None,
        role if isinstance(role, str) else None,
        author if isinstance(author, str) else None,
        content_text(message.get("content")),
        _json(message),
        position,
        now,
    )


UPSERT_MESSAGE = (
    "INSERT INTO inference_chat_message "
    "(chat_id, id, parent_id, role, user_id, content_text, message, position, created_at, updated_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7::json, $8, $9, $9) "
    "ON CONFLICT (chat_id, id) DO UPDATE SET parent_id = EXCLUDED.parent_id, role = EXCLUDED.role, "
    "user_id = EXCLUDED.user_id, content_text = EXCLUDED.content_text, message = EXCLUDED.message, "
    "position = EXCLUDED.position, updated_at = EXCLUDED.updated_at"
)


class ChatRepository:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    # -- whole chats ---------------------------------------------------------------------------

    async def load(self, chat_id: str) -> StoredChat | None:
        if "\x00" in chat_id:
            # No row has such an id (text cannot hold NUL), and PostgreSQL refuses the parameter.
            return None
        async with self._pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
            record = await conn.fetchrow(f"SELECT {_ROW} FROM inference_chat WHERE id = $1", chat_id)
            if record is None:
                return None
            rows = await conn.fetch(
                "SELECT id, message, position FROM inference_chat_message WHERE chat_id = $1 "
                "ORDER BY position, id",
                chat_id,
            )
        return StoredChat(
            _row(record),
            {r["id"]: orjson.loads(r["message"]) for r in rows},
            {r["id"]: r["position"] for r in rows},
        )

    async def load_many(self, chat_ids: Sequence[str]) -> list[StoredChat]:
        """These chats (those that still exist), in the order asked, read in one snapshot."""
        async with self._pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
            records = await conn.fetch(
                f"SELECT {_ROW} FROM inference_chat WHERE id = ANY($1::text[])", list(chat_ids)
            )
            rows = await conn.fetch(
                "SELECT chat_id, id, message, position FROM inference_chat_message "
                "WHERE chat_id = ANY($1::text[]) ORDER BY chat_id, position, id",
                list(chat_ids),
            )
        chats = {r["id"]: StoredChat(_row(r)) for r in records}
        for r in rows:
            chat = chats[r["chat_id"]]
            chat.messages[r["id"]] = orjson.loads(r["message"])
            chat.positions[r["id"]] = r["position"]
        return [chats[chat_id] for chat_id in chat_ids if chat_id in chats]

    async def insert(self, chat: StoredChat) -> None:
        row = chat.row
        async with self._pool.acquire() as conn, conn.transaction():
            await conn.execute(
                f"INSERT INTO inference_chat ({_ROW}) VALUES "
                "($1, $2, $3, $4::json, $5::jsonb, $6::jsonb, $7::jsonb, $8, $9, $10, $11, $12, $13, $14, "
                "$15, $16, 0)",
                *_row_args(row),
            )
            await conn.executemany(
                UPSERT_MESSAGE,
                [
                    message_args(row.id, key, message, chat.positions[key], row.updated_at)
                    for key, message in chat.messages.items()
                ],
            )

    async def save(
        self, row: ChatRow, upserts: dict[str, tuple[int, dict]], deletes: Sequence[str], now: int
    ) -> bool:
        """Writes the row and the changed messages if the chat is still at ``row.version``; False
        when it changed meanwhile (or is gone)."""
        async with self._pool.acquire() as conn, conn.transaction():
            updated = await conn.fetchval(
                "UPDATE inference_chat SET title = $3, chat = $4::json, meta = $5::jsonb, "
                "variables = $6::jsonb, tasks = $7::jsonb, summary = $8, share_id = $9, folder_id = $10, "
                "archived = $11, pinned = $12, current_message_id = $13, last_read_at = $14, "
                "updated_at = $15, version = version + 1 "
                "WHERE id = $1 AND user_id = $2 AND version = $16 RETURNING true",
                *_row_args(row)[:14],
                row.updated_at,
                row.version,
            )
            if not updated:
                return False
            if deletes:
                await conn.execute(
                    "DELETE FROM inference_chat_message WHERE chat_id = $1 AND id = ANY($2::text[])",
                    row.id,
                    list(deletes),
                )
            if upserts:
                await conn.executemany(
                    UPSERT_MESSAGE,
                    [
                        message_args(row.id, key, message, position, now)
                        for key, (position, message) in upserts.items()
                    ],
                )
        return True

    async def delete(self, chat_id: str) -> bool:
        return bool(
            await self._pool.fetchval("DELETE FROM inference_chat WHERE id = $1 RETURNING true", chat_id)
        )

    async def delete_all(self, user_id: str) -> None:
        await self._pool.execute("DELETE FROM inference_chat WHERE user_id = $1", user_id)

    async def set_archived_all(self, user_id: str, archived: bool) -> None:
        # Archiving takes every chat out of its folder; unarchiving puts none back.
        await self._pool.execute(
            "UPDATE inference_chat SET archived = $2, "
            "folder_id = CASE WHEN $2 THEN NULL ELSE folder_id END, version = version + 1 "
            "WHERE user_id = $1",
            user_id,
            archived,
        )

    async def chat_ids(self, user_id: str, archived_only: bool) -> list[str]:
        """Ids of a user's chats (all, or the archived ones), newest first."""
        records = await self._pool.fetch(
            "SELECT id FROM inference_chat WHERE user_id = $1 AND (archived OR NOT $2) "
            "ORDER BY updated_at DESC, id",
            user_id,
            archived_only,
        )
        return [r["id"] for r in records]

    # -- lists ---------------------------------------------------------------------------------

    async def list_active(
        self,
        user_id: str,
        *,
        include_pinned: bool,
        include_folders: bool,
        order: str,
        limit: int | None,
        offset: int,
    ) -> list[ChatSummary]:
        """Non-archived chats; ``order`` is one of ORDERS' values (never caller text)."""
        records = await self._pool.fetch(
            f"SELECT {_SUMMARY} FROM inference_chat WHERE user_id = $1 AND NOT archived "
            "AND ($2 OR NOT pinned) AND ($3 OR folder_id IS NULL) "
            f"ORDER BY {order}, id LIMIT $4 OFFSET $5",
            user_id,
            include_pinned,
            include_folders,
            limit,
            offset,
        )
        return [summary(r) for r in records]

    async def list_pinned(self, user_id: str) -> list[ChatSummary]:
        records = await self._pool.fetch(
            f"SELECT {_SUMMARY} FROM inference_chat WHERE user_id = $1 AND pinned AND NOT archived "
            "ORDER BY updated_at DESC, id",
            user_id,
        )
        return [summary(r) for r in records]

    async def list_archived(
        self, user_id: str, query: str, order_by: str, ascending: bool, limit: int, offset: int
    ) -> list[ChatSummary]:
        column = order_by if order_by in SORTABLE else "updated_at"
        direction = "ASC" if ascending else "DESC"
        records = await self._pool.fetch(
            "SELECT id, title, updated_at, created_at FROM inference_chat "
            "WHERE user_id = $1 AND archived AND ($2 = '' OR title ILIKE '%' || $2 || '%') "
            f"ORDER BY {column} {direction}, id LIMIT $3 OFFSET $4",
            user_id,
            _escape_like(query),
            limit,
            offset,
        )
        # Open WebUI's query selects neither ``archived`` nor ``last_read_at``: they read false and null.
        return [ChatSummary(r["id"], r["title"], r["updated_at"], r["created_at"]) for r in records]

    async def count_archived(self, user_id: str) -> int:
        return await self._pool.fetchval(
            "SELECT count(*) FROM inference_chat WHERE user_id = $1 AND archived", user_id
        )

    async def list_by_tag(self, user_id: str, tag_id: str, skip: int, limit: int) -> list[ChatSummary]:
        records = await self._pool.fetch(
            f"SELECT {_SUMMARY} FROM inference_chat WHERE user_id = $1 AND (meta -> 'tags') ? $2 "
            "ORDER BY updated_at DESC, id LIMIT $3 OFFSET $4",
            user_id,
            tag_id,
            limit,
            skip,
        )
        return [summary(r) for r in records]

    async def search(
        self,
        user_id: str,
        *,
        phrase: str,
        words: list[str],
        tags: list[str],
        untagged: bool,
        pinned: bool | None,
        archived: bool,
        shared: bool | None,
        in_folder_named: str | None,
        limit: int,
        offset: int,
    ) -> list[tuple[ChatSummary, str | None]]:
        """Hits with the text of their first matching message (None: only the title matched).

        A phrase matches as a substring (ILIKE, served by the trigram indexes where pg_trgm is
        installed); failing that, every word must match a whole word of the title or of some message
        (full-text, served by the tsvector indexes). Phrase hits come first, then newest. Without a
        phrase (only filters), every chat that passes the filters is a hit."""
        filters = (user_id, archived, pinned, shared, _json(tags), untagged, in_folder_named, limit, offset)
        if not phrase:
            records = await self._pool.fetch(_SEARCH_FILTERED, *filters)
        else:
            pattern = f"%{_escape_like(phrase)}%"
            records = await self._pool.fetch(_SEARCH, *filters, pattern, " ".join(words), words)
        return [(summary(r), r["matched"]) for r in records]

    # -- folders -------------------------------------------------------------------------------

    async def folder_exists(self, user_id: str, folder_id: str) -> bool:
        if "\x00" in folder_id:
            return False
        return bool(
            await self._pool.fetchval(
                "SELECT true FROM inference_folder WHERE id = $1 AND user_id = $2", folder_id, user_id
            )
        )

    async def folder_chat_ids(self, user_id: str, folder_id: str) -> list[str]:
        """Ids of the user's chats in the folder and every folder below it, newest first. UNION (not
        UNION ALL) stops on a parent cycle already stored."""
        if "\x00" in folder_id:
            return []
        records = await self._pool.fetch(
            "WITH RECURSIVE below(id) AS ("
            "  SELECT id FROM inference_folder WHERE id = $2 AND user_id = $1 "
            "  UNION SELECT f.id FROM inference_folder f JOIN below b ON f.parent_id = b.id "
            "  WHERE f.user_id = $1) "
            "SELECT c.id FROM inference_chat c "
            "WHERE c.user_id = $1 AND c.folder_id IN (SELECT id FROM below) "
            "ORDER BY c.updated_at DESC, c.id",
            user_id,
            folder_id,
        )
        return [r["id"] for r in records]

    async def list_in_folder(
        self, user_id: str, folder_id: str, order: str, limit: int, offset: int
    ) -> list[ChatSummary]:
        """Unpinned, non-archived chats directly in the folder; ``order`` is fixed SQL (lists.py)."""
        records = await self._pool.fetch(
            f"SELECT {_SUMMARY} FROM inference_chat WHERE user_id = $1 AND folder_id = $2 "
            f"AND NOT archived AND NOT pinned ORDER BY {order}, id LIMIT $3 OFFSET $4",
            user_id,
            folder_id.replace("\x00", ""),
            limit,
            offset,
        )
        return [summary(r) for r in records]

    # -- tags ----------------------------------------------------------------------------------

    async def tags(self, user_id: str, tag_ids: Sequence[str]) -> list[Tag]:
        """The user's tags with these ids, in the order given."""
        records = await self._pool.fetch(
            "SELECT user_id, id, name, meta FROM inference_chat_tag "
            "WHERE user_id = $1 AND id = ANY($2::text[])",
            user_id,
            list(tag_ids),
        )
        found = {r["id"]: _tag(r) for r in records}
        return [found[tag_id] for tag_id in tag_ids if tag_id in found]

    async def all_tags(self, user_id: str) -> list[Tag]:
        records = await self._pool.fetch(
            "SELECT user_id, id, name, meta FROM inference_chat_tag WHERE user_id = $1 ORDER BY id", user_id
        )
        return [_tag(r) for r in records]

    async def ensure_tag(self, tag: Tag) -> None:
        await self._pool.execute(
            "INSERT INTO inference_chat_tag (user_id, id, name, meta) VALUES ($1, $2, $3, $4::jsonb) "
            "ON CONFLICT (user_id, id) DO NOTHING",
            tag.user_id,
            tag.id,
            tag.name,
            _json(tag.meta) if tag.meta is not None else None,
        )

    async def drop_unused_tags(self, user_id: str, tag_ids: Sequence[str] | None = None) -> None:
        """Deletes the user's tags (these, or all) that no chat of theirs carries."""
        await self._pool.execute(
            "DELETE FROM inference_chat_tag t "
            "WHERE t.user_id = $1 AND ($2::text[] IS NULL OR t.id = ANY($2)) "
            "AND NOT EXISTS (SELECT 1 FROM inference_chat c "
            "  WHERE c.user_id = $1 AND (c.meta -> 'tags') ? t.id)",
            user_id,
            list(tag_ids) if tag_ids is not None else None,
        )


def _escape_like(text: str) -> str:
    """``text`` matched literally by LIKE (its ``%``, ``_`` and ``\\`` escaped)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


# The filters of a search (``tag:``, ``pinned:``, ...) over the caller's chats ``c``: $1 the
# caller, $2 archived, $3 pinned, $4 shared, $5 the tags (JSON), $6 untagged, $7 the folder name.
_SEARCH_FILTERS = (
    "c.user_id = $1 AND c.archived = $2 "
    "AND ($3::boolean IS NULL OR c.pinned = $3) "
    "AND ($4::boolean IS NULL OR (c.share_id IS NOT NULL) = $4) "
    "AND coalesce(c.meta -> 'tags', '[]'::jsonb) @> $5::jsonb "
    "AND (NOT $6 OR coalesce(jsonb_array_length(CASE WHEN jsonb_typeof(c.meta -> 'tags') = 'array' "
    "  THEN c.meta -> 'tags' END), 0) = 0) "
    # `folder:<name>`: chats in the caller's folders of that name (case-insensitive) and in every
    # folder below them.
    "AND ($7::text IS NULL OR c.folder_id IN ("
    "  WITH RECURSIVE named(id) AS ("
    "    SELECT f.id FROM inference_folder f WHERE f.user_id = $1 AND lower(f.name) = lower($7) "
    "    UNION SELECT f.id FROM inference_folder f JOIN named n ON f.parent_id = n.id "
    "    WHERE f.user_id = $1) "
    "  SELECT id FROM named))"
)
_HIT = "c.id, c.title, c.updated_at, c.created_at, c.last_read_at, c.archived"

# Only filters: the page of the chats that pass them, each with its first message.
_SEARCH_FILTERED = (
    f"SELECT {_HIT}, (SELECT m.content_text FROM inference_chat_message m WHERE m.chat_id = c.id "
    "  ORDER BY m.position LIMIT 1) AS matched "
    f"FROM inference_chat c WHERE {_SEARCH_FILTERS} "
    "ORDER BY c.updated_at DESC, c.id LIMIT $8 OFFSET $9"
)

# A phrase ($10, a LIKE pattern) and its words ($11 joined, $12 the list; $8/$9 limit and offset).
# Hits are found from the indexes, each set once: the messages with the phrase (trigram index on
# `content_lower`; `lower(text) LIKE lower(pattern)` is what ILIKE computes, without lower-casing
# every candidate message at query time), the chats whose title has it, and per word the chats
# whose title or some message has it (tsvector indexes), kept when they have every word. Only
# then are the caller's chats read (by key), filtered, sorted and cut to the page; the snippet's
# message is the first (by position) of the page's chats among the phrase's messages and those
# with every word, read by its row address.
_SEARCH = (
    "WITH phrase AS MATERIALIZED ("
    "  SELECT m.chat_id, m.position, m.ctid AS tid FROM inference_chat_message m "
    "  WHERE m.content_lower LIKE lower($10)), "
    "words AS (SELECT DISTINCT w FROM unnest($12::text[]) w), "
    "word_hits AS ("
    "  SELECT hit.id FROM ("
    "    SELECT w.w, m.chat_id AS id FROM words w "
    "    JOIN inference_chat_message m ON m.content_tsv @@ plainto_tsquery('simple', w.w) "
    "    UNION "
    "    SELECT w.w, t.id FROM words w "
    "    JOIN inference_chat t ON t.user_id = $1 AND t.title_tsv @@ plainto_tsquery('simple', w.w)"
    "  ) hit GROUP BY hit.id HAVING count(*) = (SELECT count(*) FROM words)), "
    "page AS MATERIALIZED ("
    f"  SELECT {_HIT}, (c.title ILIKE $10 OR c.id IN (SELECT p.chat_id FROM phrase p)) AS exact "
    "  FROM inference_chat c "
    "  WHERE c.id IN ("
    "    SELECT t.id FROM inference_chat t WHERE t.user_id = $1 AND t.title ILIKE $10 "
    "    UNION SELECT p.chat_id FROM phrase p "
    "    UNION SELECT w.id FROM word_hits w) "
    f"  AND {_SEARCH_FILTERS} "
    "  ORDER BY exact DESC, c.updated_at DESC, c.id LIMIT $8 OFFSET $9), "
    # The page's messages with every word: one scan for the whole page (an array of its ids), not
    # one per chat nor one over every message that has the words.
    "every_word AS MATERIALIZED ("
    "  SELECT m.chat_id, m.position, m.ctid AS tid FROM inference_chat_message m "
    "  WHERE m.chat_id = ANY (ARRAY(SELECT id FROM page)) "
    "  AND m.content_tsv @@ plainto_tsquery('simple', $11)), "
    "firsts AS MATERIALIZED ("
    "  SELECT DISTINCT ON (f.chat_id) f.chat_id, f.tid FROM ("
    "    SELECT p.chat_id, p.position, p.tid FROM phrase p "
    "    UNION ALL SELECT e.chat_id, e.position, e.tid FROM every_word e"
    "  ) f WHERE f.chat_id IN (SELECT id FROM page) ORDER BY f.chat_id, f.position) "
    "SELECT c.id, c.title, c.updated_at, c.created_at, c.last_read_at, c.archived, "
    "  (SELECT m.content_text FROM inference_chat_message m WHERE m.ctid = f.tid) AS matched "
    "FROM page c LEFT JOIN firsts f ON f.chat_id = c.id "
    "ORDER BY c.exact DESC, c.updated_at DESC, c.id"
)
