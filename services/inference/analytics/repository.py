"""The analytics aggregates, computed in PostgreSQL over the stored messages (migration 0013 keeps
each message's model and token counts in indexed columns). Days and hours are UTC."""

import asyncpg

from services.inference.analytics.filters import Window

_FROM = "inference_chat_message m JOIN inference_chat c ON c.id = m.chat_id"
_DAY = "to_char(to_timestamp(m.created_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD')"
# A chat's active time: the gaps between its consecutive messages, those of at most 30 minutes.
_CHAT_GAP_S = 1800


class AnalyticsRepository:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def _fetch(self, sql: str, *args: object) -> list[asyncpg.Record]:
        async with self._pool.acquire() as conn:
            return await conn.fetch(sql, *args)

    # -- one user's usage (/api/v1/users/usage) --------------------------------------------------

    async def user_days(self, user_id: str, start: int, end: int) -> list[asyncpg.Record]:
        """Per (day, chat, model, role): messages and tokens of the user's chats in the period."""
        return await self._fetch(
            f"SELECT {_DAY} AS day, m.chat_id, m.model_id, m.role, count(*) AS messages, "
            "sum(m.input_tokens)::bigint AS input_tokens, sum(m.output_tokens)::bigint AS output_tokens "
            f"FROM {_FROM} WHERE c.user_id = $1 AND m.created_at BETWEEN $2 AND $3 "
            "AND m.role IN ('user', 'assistant') GROUP BY 1, 2, 3, 4",
            user_id,
            start,
            end,
        )

    async def user_lifetime(self, user_id: str) -> asyncpg.Record:
        rows = await self._fetch(
            "SELECT coalesce(sum(m.input_tokens + m.output_tokens), 0)::bigint AS tokens, "
            f"count(DISTINCT m.model_id) AS models FROM {_FROM} WHERE c.user_id = $1",
            user_id,
        )
        return rows[0]

    async def user_chat_count(self, user_id: str, start: int, end: int) -> int:
        rows = await self._fetch(
            "SELECT count(*) AS n FROM inference_chat WHERE user_id = $1 AND created_at BETWEEN $2 AND $3",
            user_id,
            start,
            end,
        )
        return int(rows[0]["n"])

    async def user_longest_chat_seconds(self, user_id: str, start: int, end: int) -> int:
        rows = await self._fetch(
            "SELECT coalesce(max(active), 0) AS seconds FROM ("
            f"  SELECT chat_id, sum(gap) FILTER (WHERE gap <= {_CHAT_GAP_S})::bigint AS active FROM ("
            "    SELECT m.chat_id, m.created_at - lag(m.created_at) OVER ("
            "      PARTITION BY m.chat_id ORDER BY m.created_at) AS gap "
            f"    FROM {_FROM} WHERE c.user_id = $1 AND m.created_at BETWEEN $2 AND $3"
            "  ) gaps GROUP BY chat_id"
            ") chats",
            user_id,
            start,
            end,
        )
        return int(rows[0]["seconds"] or 0)

    async def user_tools(self, user_id: str, start: int, end: int, limit: int) -> list[asyncpg.Record]:
        """Tool calls of the user's assistant messages (their ``function_call`` output items)."""
        return await self._fetch(
            "SELECT item ->> 'name' AS name, count(*) AS count "
            f"FROM {_FROM}, json_array_elements(CASE WHEN json_typeof(m.message -> 'output') = 'array' "
            "  THEN m.message -> 'output' ELSE '[]'::json END) AS item "
            "WHERE c.user_id = $1 AND m.created_at BETWEEN $2 AND $3 AND m.role = 'assistant' "
            "AND json_typeof(item) = 'object' AND item ->> 'type' = 'function_call' "
            "AND item ->> 'name' IS NOT NULL GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT $4",
            user_id,
            start,
            end,
            limit,
        )

    # -- admin analytics (/api/v1/analytics/*) ---------------------------------------------------

    async def by_model(self, window: Window) -> list[asyncpg.Record]:
        args: list = []
        where = window.where(args)
        return await self._fetch(
            "SELECT m.model_id, count(*) AS count, count(DISTINCT c.user_id) AS unique_users, "
            "count(DISTINCT m.chat_id) AS unique_chats, sum(m.input_tokens)::bigint AS input_tokens, "
            "sum(m.output_tokens)::bigint AS output_tokens "
            f"FROM {_FROM} WHERE {where} AND m.model_id IS NOT NULL "
            "GROUP BY 1 ORDER BY 2 DESC, 1",
            *args,
        )

    async def summary(self, window: Window) -> asyncpg.Record:
        args: list = []
        where = window.where(args)
        rows = await self._fetch(
            "SELECT count(*) AS messages, count(DISTINCT m.chat_id) AS chats, "
            "count(DISTINCT m.model_id) AS models, count(DISTINCT c.user_id) AS users "
            f"FROM {_FROM} WHERE {where} AND m.model_id IS NOT NULL",
            *args,
        )
        return rows[0]

    async def by_user(self, window: Window, order: str, limit: int) -> list[asyncpg.Record]:
        """``order``: 'messages' or 'tokens'."""
        args: list = []
        where = window.where(args)
        args.append(limit)
        key = "total_tokens" if order == "tokens" else "count"
        return await self._fetch(
            "SELECT c.user_id, count(*) AS count, sum(m.input_tokens)::bigint AS input_tokens, "
            "sum(m.output_tokens)::bigint AS output_tokens, "
            "sum(m.input_tokens + m.output_tokens)::bigint AS total_tokens "
            f"FROM {_FROM} WHERE {where} AND m.model_id IS NOT NULL "
            f"GROUP BY 1 ORDER BY {key} DESC, 1 LIMIT ${len(args)}",
            *args,
        )

    async def timeseries(
        self, window: Window, bucket_s: int, tokens: bool, offset_s: int = 0
    ) -> list[asyncpg.Record]:
        """Per (bucket, model): assistant messages, or their input + output tokens. Buckets are UTC
        days (``bucket_s`` 86400, ``YYYY-MM-DD``) or ``bucket_s``-long slices of the day
        (``YYYY-MM-DD HH24:MI``), of the messages' times shifted by ``offset_s`` (a comparison
        period laid over the current one)."""
        args: list = []
        where = window.where(args)
        args.append(offset_s)
        shifted = f"(m.created_at + ${len(args)}::bigint)"
        if bucket_s == 86400:
            bucket = f"to_char(to_timestamp({shifted}) AT TIME ZONE 'UTC', 'YYYY-MM-DD')"
        else:
            args.append(bucket_s)
            start = f"(floor({shifted}::float8 / ${len(args)}::bigint) * ${len(args)}::bigint)"
            bucket = f"to_char(to_timestamp({start}) AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI')"
        value = "sum(coalesce(m.input_tokens, 0) + coalesce(m.output_tokens, 0))" if tokens else "count(*)"
        return await self._fetch(
            f"SELECT {bucket} AS date, m.model_id, {value}::bigint AS value FROM {_FROM} "
            f"WHERE {where} AND m.role = 'assistant' AND m.model_id IS NOT NULL "
            "GROUP BY 1, 2 ORDER BY 1, 2",
            *args,
        )

    async def messages(
        self, window: Window, *, chat_id: str, model_id: str, user_id: str, skip: int, limit: int
    ) -> list[asyncpg.Record]:
        """Messages of one chat (all of them), or one model's or one user's (a page)."""
        if chat_id:
            return await self._fetch(
                "SELECT m.chat_id, m.id, m.parent_id, m.role, c.user_id, m.model_id, m.message, "
                f"m.created_at, m.updated_at FROM {_FROM} WHERE m.chat_id = $1 "
                "ORDER BY m.created_at, m.position",
                chat_id,
            )
        args: list = []
        where = window.where(args)
        if model_id:
            args.append(model_id)
            condition = f"m.model_id = ${len(args)}"
        else:
            args.append(user_id)
            condition = f"c.user_id = ${len(args)}"
        args.extend([skip, limit])
        return await self._fetch(
            "SELECT m.chat_id, m.id, m.parent_id, m.role, c.user_id, m.model_id, m.message, "
            f"m.created_at, m.updated_at FROM {_FROM} WHERE {where} AND {condition} "
            f"ORDER BY m.created_at DESC, m.chat_id, m.id OFFSET ${len(args) - 1} LIMIT ${len(args)}",
            *args,
        )

    async def model_chats(self, window: Window, model_id: str, skip: int, limit: int) -> list[asyncpg.Record]:
        """The chats a model answered in, most recently active first, with each chat's first user
        message (its preview)."""
        args: list = []
        where = window.where(args)
        args.extend([model_id, skip, limit])
        n = len(args)
        return await self._fetch(
            "SELECT used.chat_id, used.user_id, used.updated_at, first.content_text AS first_message FROM ("
            "  SELECT m.chat_id, c.user_id, max(m.created_at) AS updated_at "
            f"  FROM {_FROM} WHERE {where} AND m.model_id = ${n - 2} GROUP BY 1, 2"
            f"  ORDER BY 3 DESC, 1 OFFSET ${n - 1} LIMIT ${n}"
            ") used LEFT JOIN LATERAL ("
            "  SELECT f.content_text FROM inference_chat_message f "
            "  WHERE f.chat_id = used.chat_id AND f.role = 'user' ORDER BY f.created_at, f.position LIMIT 1"
            ") first ON TRUE ORDER BY used.updated_at DESC, used.chat_id",
            *args,
        )

    async def model_ratings(self, model_id: str, since: int | None) -> list[asyncpg.Record]:
        """Per day, the model's messages rated up (won) and down (lost): Open WebUI keeps a
        message's rating in its ``annotation``."""
        return await self._fetch(
            f"SELECT {_DAY} AS date, "
            "count(*) FILTER (WHERE m.message -> 'annotation' ->> 'rating' = '1') AS won, "
            "count(*) FILTER (WHERE m.message -> 'annotation' ->> 'rating' = '-1') AS lost "
            "FROM inference_chat_message m "
            "WHERE m.model_id = $1 AND ($2::bigint IS NULL OR m.created_at >= $2) "
            "AND json_typeof(m.message -> 'annotation') = 'object' GROUP BY 1 ORDER BY 1",
            model_id,
            since,
        )

    async def model_tags(self, model_id: str, limit: int) -> list[asyncpg.Record]:
        """The tags of the chats the model answered in, most frequent first."""
        return await self._fetch(
            "SELECT tag, count(*) AS count FROM inference_chat c, "
            "jsonb_array_elements_text(CASE WHEN jsonb_typeof(c.meta -> 'tags') = 'array' "
            "  THEN c.meta -> 'tags' ELSE '[]'::jsonb END) AS tag "
            "WHERE c.id IN (SELECT DISTINCT chat_id FROM inference_chat_message WHERE model_id = $1) "
            "GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT $2",
            model_id,
            limit,
        )
