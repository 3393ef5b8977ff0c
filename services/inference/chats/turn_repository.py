"""Postgres access for completions that write into stored chats. A turn reads the chat row and only
the messages it touches (one statement), and writes only those, never the chat blob (one more), so
its cost does not grow with the chat: a turn in a 5,000-message chat costs what one in a
2-message chat costs. Every write moves the chat's version, so whole-chat writers
(``ChatRepository.save``) read again rather than lose it."""

from collections.abc import Callable, Sequence
from typing import TypeVar

import asyncpg
import orjson

from services.inference.chats.records import TurnState, TurnWrite
from services.inference.chats.repository import message_args
from services.inference.chats.tree import content_text

# The settings of the pool a TurnRepository is given. Its statements look rows up by key, so one
# plan serves every call; PostgreSQL would otherwise plan each call again (0.3–0.5 ms a statement,
# as long as the statement itself), judging a generic plan for `id = ANY($2)` no cheaper.
POOL_SETTINGS = {"plan_cache_mode": "force_generic_plan"}

# How deep a branch is followed from a message up to its root.
MAX_BRANCH = 10_000

T = TypeVar("T")


# A turn writes in one statement if the chat did not change since it was read; after this many
# tries it takes the chat row's lock, so a writer on a busy chat still gets through.
_OPTIMISTIC_ATTEMPTS = 3

# One step up a branch: the parent by its key. LIMIT keeps it a lookup per step; as a join the
# planner may scan the whole chat at every step (a 5,000-message branch: 25 M row tests).
_PARENT = (
    "LATERAL (SELECT p.id, p.parent_id, p.message FROM inference_chat_message p "
    "WHERE p.chat_id = $1 AND p.id = up.parent_id LIMIT 1) m"
)

# The chat's facts, the messages a turn touches, and (when asked) the branch above the turn's user
# message: the branch from $3 when that message exists, else from $4 (its parent). One statement:
# the branch comes in the same round trip as the rest.
_READ = (
    "WITH RECURSIVE c AS ("
    "  SELECT user_id, title, current_message_id, folder_id, version, "
    "  size_bytes + octet_length(chat::text) AS size, "
    "  (SELECT coalesce(max(p.position), -1) + 1 FROM inference_chat_message p WHERE p.chat_id = $1) AS next "
    "  FROM inference_chat WHERE id = $1), "
    "up(id, parent_id, message, depth) AS ("
    "  SELECT id, parent_id, message, 0 FROM inference_chat_message WHERE chat_id = $1 AND id = coalesce("
    "    (SELECT id FROM inference_chat_message WHERE chat_id = $1 AND id = $3), $4) "
    "  UNION ALL "
    "  SELECT m.id, m.parent_id, m.message, up.depth + 1 FROM up, " + _PARENT + " WHERE up.depth < $5), "
    "touched AS ("
    "  SELECT false AS in_branch, m.id, m.message, m.position, 0 AS depth FROM inference_chat_message m, c "
    "  WHERE m.chat_id = $1 AND (m.id = ANY($2::text[]) OR m.id = c.current_message_id) "
    "  UNION ALL SELECT true, id, message, NULL, depth FROM up) "
    "SELECT c.*, t.in_branch, t.id AS message_id, t.message, t.position FROM c "
    "LEFT JOIN touched t ON true ORDER BY t.in_branch, t.depth DESC"
)
# The row moves on only if it is at the version read, and the messages are written only if it
# did: one statement, so it is all or nothing without a transaction of our own. The message size
# triggers fire once for the statement.
_WRITE = (
    "WITH moved AS ("
    "  UPDATE inference_chat SET current_message_id = $3, updated_at = $4, version = version + 1 "
    "  WHERE id = $1 AND version = $2 RETURNING id), "
    "written AS ("
    "  INSERT INTO inference_chat_message "
    "  (chat_id, id, parent_id, role, user_id, content_text, message, position, created_at, updated_at) "
    "  SELECT $1, m.id, m.parent_id, m.role, m.user_id, m.content_text, m.message::json, m.position, $4, $4 "
    "  FROM unnest($5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::bigint[]) "
    "    AS m(id, parent_id, role, user_id, content_text, message, position) "
    "  WHERE EXISTS (SELECT 1 FROM moved) "
    "  ON CONFLICT (chat_id, id) DO UPDATE SET parent_id = EXCLUDED.parent_id, role = EXCLUDED.role, "
    "  user_id = EXCLUDED.user_id, content_text = EXCLUDED.content_text, message = EXCLUDED.message, "
    "  position = EXCLUDED.position, updated_at = EXCLUDED.updated_at) "
    "SELECT EXISTS (SELECT 1 FROM moved)"
)

# A reply replaces its placeholder in one statement when the placeholder is still as the turn wrote
# it (its JSON text: `json` keeps the text it was given) and the chat stays under its size limit;
# false otherwise, and nothing changes but, at worst, the chat's version.
_REPLACE = (
    "WITH target AS ("
    "  SELECT 1 FROM inference_chat_message WHERE chat_id = $1 AND id = $2 AND message::text = $3), "
    "moved AS ("
    "  UPDATE inference_chat SET updated_at = $4, version = version + 1 "
    "  WHERE id = $1 AND EXISTS (SELECT 1 FROM target) "
    "  AND size_bytes + octet_length(chat::text) + $5 <= $6 RETURNING id), "
    "written AS ("
    "  UPDATE inference_chat_message SET message = $7::json, content_text = $8, updated_at = $4 "
    "  WHERE chat_id = $1 AND id = $2 AND message::text = $3 AND EXISTS (SELECT 1 FROM moved) RETURNING 1) "
    "SELECT EXISTS (SELECT 1 FROM written)"
)


async def _read(
    conn: asyncpg.Pool | asyncpg.Connection,
    chat_id: str,
    message_ids: list[str],
    branch_from: tuple[str | None, str | None],
) -> TurnState | None:
    records = await conn.fetch(_READ, chat_id, message_ids, *branch_from, MAX_BRANCH - 1)
    if not records:
        return None
    first = records[0]
    state = TurnState(
        chat_id=chat_id,
        user_id=first["user_id"],
        title=first["title"],
        current_message_id=first["current_message_id"],
        folder_id=first["folder_id"],
        version=first["version"],
        size_bytes=first["size"],
        next_position=first["next"],
    )
    for r in records:
        if r["message_id"] is None:
            continue
        if r["in_branch"]:
            state.branch.append(orjson.loads(r["message"]))
        else:
            state.messages[r["message_id"]] = orjson.loads(r["message"])
            state.positions[r["message_id"]] = r["position"]
    return state


async def _write(conn: asyncpg.Pool | asyncpg.Connection, state: TurnState, write: TurnWrite) -> bool:
    columns: list[list] = [[] for _ in range(7)]
    position = state.next_position
    for key, message in write.messages.items():
        at = state.positions.get(key)
        if at is None:
            at, position = position, position + 1
        # message_args: (chat_id, id, parent_id, role, user_id, content_text, message, position, now)
        for column, value in zip(columns, message_args(state.chat_id, key, message, at, 0)[1:8], strict=True):
            column.append(value)
    return bool(
        await conn.fetchval(
            _WRITE, state.chat_id, state.version, write.current_message_id, write.updated_at, *columns
        )
    )


class TurnRepository:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def write_turn(
        self,
        chat_id: str,
        message_ids: Sequence[str],
        plan: Callable[[TurnState | None], tuple[TurnWrite | None, T]],
        branch_from: tuple[str | None, str | None] = (None, None),
    ) -> T:
        """Reads the chat's facts and these messages (those that exist, and the current one), and
        the branch ending at ``branch_from[0]`` (or, when it does not exist, at ``branch_from[1]``);
        lets ``plan`` decide what to write (it may raise, and nothing is written), writes it; returns
        what ``plan`` returned beside its write. ``plan`` runs again on a fresh read when another
        writer changed the chat in between."""
        if "\x00" in chat_id:
            return plan(None)[1]
        wanted = [m for m in message_ids if "\x00" not in m]
        for _ in range(_OPTIMISTIC_ATTEMPTS):
            state = await _read(self._pool, chat_id, wanted, branch_from)
            write, result = plan(state)
            if state is None or write is None or await _write(self._pool, state, write):
                return result
        async with self._pool.acquire() as conn, conn.transaction():
            await conn.execute("SELECT 1 FROM inference_chat WHERE id = $1 FOR UPDATE", chat_id)
            state = await _read(conn, chat_id, wanted, branch_from)
            write, result = plan(state)
            if state is not None and write is not None:
                await _write(conn, state, write)
            return result

    async def branch(self, chat_id: str, leaf_id: str) -> list[dict]:
        """The messages from the root down to ``leaf_id``, following ``parentId``."""
        records = await self._pool.fetch(
            "WITH RECURSIVE up(id, parent_id, message, depth) AS ("
            "  SELECT id, parent_id, message, 0 FROM inference_chat_message WHERE chat_id = $1 AND id = $2 "
            "  UNION ALL "
            "  SELECT m.id, m.parent_id, m.message, up.depth + 1 FROM up, "
            + _PARENT
            + " WHERE up.depth < $3) "
            "SELECT message FROM up ORDER BY depth DESC",
            chat_id,
            leaf_id,
            MAX_BRANCH - 1,
        )
        return [orjson.loads(r["message"]) for r in records]

    async def change_blob(self, chat_id: str, change: Callable[[dict, dict], tuple[str, dict, dict]]) -> None:
        """The chat's title, blob and ``meta`` as ``change`` makes them from the stored blob and
        ``meta`` (a generated title or tags). ``updated_at`` is kept, as a rename keeps it."""
        async with self._pool.acquire() as conn, conn.transaction():
            record = await conn.fetchrow(
                "SELECT chat, meta FROM inference_chat WHERE id = $1 FOR UPDATE", chat_id
            )
            if record is None:
                return
            title, blob, meta = change(orjson.loads(record["chat"]), orjson.loads(record["meta"]))
            await conn.execute(
                "UPDATE inference_chat SET title = $2, chat = $3::json, meta = $4::jsonb, "
                "version = version + 1 WHERE id = $1",
                chat_id,
                title,
                orjson.dumps(blob).decode(),
                orjson.dumps(meta).decode(),
            )

    async def folder_data(self, user_id: str, folder_id: str) -> dict | None:
        data = await self._pool.fetchval(
            "SELECT data FROM inference_folder WHERE id = $1 AND user_id = $2", folder_id, user_id
        )
        loaded = orjson.loads(data) if data is not None else None
        return loaded if isinstance(loaded, dict) else None

    async def replace_message(
        self, chat_id: str, message_id: str, old: dict, new: dict, updated_at: int, max_bytes: int
    ) -> bool:
        old_json, new_json = orjson.dumps(old).decode(), orjson.dumps(new).decode()
        return bool(
            await self._pool.fetchval(
                _REPLACE,
                chat_id,
                message_id,
                old_json,
                updated_at,
                len(new_json.encode()) - len(old_json.encode()),
                max_bytes,
                new_json,
                content_text(new.get("content")),
            )
        )
