"""Groups, memberships and the stored default permissions on Postgres (asyncpg, parameterised SQL).

Changes to the nesting (create with a parent, update, delete) run under one advisory lock and
check the rule the core passes in against the parent map read inside the same transaction, so two
concurrent re-parentings can never close a cycle between them.
"""

import json
import time
from collections.abc import Callable, Iterable

import asyncpg

from services.auth.group_models import GroupFields, GroupRecord
from services.auth.models import UserRecord
from services.auth.postgres_repository import _USER_COLUMNS, _user

# Any constant works: it only has to be the same for every replica.
_HIERARCHY_LOCK = 7_390_211_017
_GROUP_COLUMNS = (
    "g.id, g.user_id, g.name, g.description, g.data, g.meta, g.permissions, g.parent_group_id, "
    "g.created_at, g.updated_at, "
    "(SELECT count(*) FROM auth_group_member m WHERE m.group_id = g.id) AS member_count"
)
# A user's effective groups (direct, then every ancestor; UNION stops on a cycle should one exist),
# their permission trees, and the stored default tree: all Authenticate needs, in one statement.
_ACCESS = """
    WITH RECURSIVE eff(id) AS (
        SELECT group_id FROM auth_group_member WHERE user_id = $1
        UNION
        SELECT g.parent_group_id FROM auth_group g JOIN eff ON g.id = eff.id
        WHERE g.parent_group_id IS NOT NULL
    )
    SELECT coalesce((SELECT array_agg(id) FROM eff), '{}') AS ids,
           coalesce((SELECT jsonb_agg(g.permissions) FROM auth_group g
                     WHERE g.id IN (SELECT id FROM eff) AND g.permissions IS NOT NULL), '[]') AS trees,
           (SELECT tree FROM auth_default_permissions WHERE id = 1) AS defaults"""

Check = Callable[[dict[str, str | None]], None]


def _json(value: object) -> str | None:
    return None if value is None else json.dumps(value)


def _load(value: str | None) -> dict | None:
    return None if value is None else json.loads(value)


def _group(row: asyncpg.Record) -> GroupRecord:
    return GroupRecord(
        id=row["id"],
        user_id=row["user_id"],
        name=row["name"],
        description=row["description"],
        data=_load(row["data"]),
        meta=_load(row["meta"]),
        permissions=_load(row["permissions"]),
        parent_group_id=row["parent_group_id"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        member_count=int(row["member_count"]),
    )


async def _parents(conn: asyncpg.Connection) -> dict[str, str | None]:
    return {
        r["id"]: r["parent_group_id"] for r in await conn.fetch("SELECT id, parent_group_id FROM auth_group")
    }


class PostgresGroupsRepository:
    """Groups and memberships on an asyncpg pool."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    # -- what Authenticate needs ---------------------------------------------------------------

    async def access_of(self, user_id: str) -> tuple[list[str], list[dict], dict | None]:
        """The user's effective group ids, those groups' permission trees, the stored defaults."""
        row = await self._pool.fetchrow(_ACCESS, user_id)
        return list(row["ids"]), json.loads(row["trees"]), _load(row["defaults"])

    # -- groups ---------------------------------------------------------------------------------

    async def list_groups(self) -> list[GroupRecord]:
        rows = await self._pool.fetch(
            f"SELECT {_GROUP_COLUMNS} FROM auth_group g ORDER BY g.created_at, g.id"
        )
        return [_group(r) for r in rows]

    async def get_group(self, group_id: str) -> GroupRecord | None:
        row = await self._pool.fetchrow(
            f"SELECT {_GROUP_COLUMNS} FROM auth_group g WHERE g.id = $1", group_id
        )
        return _group(row) if row else None

    async def get_groups(self, group_ids: list[str]) -> list[GroupRecord]:
        rows = await self._pool.fetch(
            f"""SELECT {_GROUP_COLUMNS} FROM auth_group g WHERE g.id = ANY($1::text[])
                ORDER BY g.created_at, g.id""",
            group_ids,
        )
        return [_group(r) for r in rows]

    async def direct_group_ids(self, user_id: str) -> list[str]:
        rows = await self._pool.fetch("SELECT group_id FROM auth_group_member WHERE user_id = $1", user_id)
        return [r["group_id"] for r in rows]

    async def parent_map(self) -> dict[str, str | None]:
        async with self._pool.acquire() as conn:
            return await _parents(conn)

    async def insert_group(self, group: GroupRecord, check: Check) -> GroupRecord:
        async with self._pool.acquire() as conn, conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock($1)", _HIERARCHY_LOCK)
            check(await _parents(conn))
            await conn.execute(
                """INSERT INTO auth_group (id, user_id, name, description, data, meta, permissions,
                       parent_group_id, created_at, updated_at)
                   VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb, $7::jsonb, $8, $9, $10)""",
                group.id,
                group.user_id,
                group.name,
                group.description,
                _json(group.data),
                _json(group.meta),
                _json(group.permissions),
                group.parent_group_id,
                group.created_at,
                group.updated_at,
            )
            row = await conn.fetchrow(f"SELECT {_GROUP_COLUMNS} FROM auth_group g WHERE g.id = $1", group.id)
        return _group(row)

    async def update_group(self, group_id: str, fields: GroupFields, check: Check) -> GroupRecord | None:
        async with self._pool.acquire() as conn, conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock($1)", _HIERARCHY_LOCK)
            parents = await _parents(conn)
            if group_id not in parents:
                return None
            check(parents)
            await conn.execute(
                """UPDATE auth_group SET name = $2, description = $3, data = $4::jsonb, meta = $5::jsonb,
                       permissions = $6::jsonb, parent_group_id = $7, updated_at = $8
                   WHERE id = $1""",
                group_id,
                fields.name,
                fields.description,
                _json(fields.data),
                _json(fields.meta),
                _json(fields.permissions),
                fields.parent_group_id,
                int(time.time()),
            )
            row = await conn.fetchrow(f"SELECT {_GROUP_COLUMNS} FROM auth_group g WHERE g.id = $1", group_id)
        return _group(row)

    async def delete_group(self, group_id: str) -> bool:
        """Deletes a group; its children move to its parent in the same transaction."""
        async with self._pool.acquire() as conn, conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock($1)", _HIERARCHY_LOCK)
            parent = await conn.fetchrow("SELECT parent_group_id FROM auth_group WHERE id = $1", group_id)
            if parent is None:
                return False
            await conn.execute(
                "UPDATE auth_group SET parent_group_id = $2, updated_at = $3 WHERE parent_group_id = $1",
                group_id,
                parent["parent_group_id"],
                int(time.time()),
            )
            await conn.execute("DELETE FROM auth_group WHERE id = $1", group_id)
        return True

    # -- members --------------------------------------------------------------------------------

    async def add_members(self, group_id: str, user_ids: Iterable[str]) -> GroupRecord | None:
        """Adds the users that exist (unknown ids are dropped); None when the group is gone.
        What the sign-up path calls to put new users in DEFAULT_GROUP_ID."""
        async with self._pool.acquire() as conn, conn.transaction():
            if not await conn.fetchval("SELECT EXISTS (SELECT 1 FROM auth_group WHERE id = $1)", group_id):
                return None
            await conn.execute(
                """INSERT INTO auth_group_member (group_id, user_id, created_at)
                   SELECT $1, u.id, $3 FROM auth_user u WHERE u.id = ANY($2::text[])
                   ON CONFLICT DO NOTHING""",
                group_id,
                list(user_ids),
                int(time.time()),
            )
            await conn.execute(
                "UPDATE auth_group SET updated_at = $2 WHERE id = $1", group_id, int(time.time())
            )
            row = await conn.fetchrow(f"SELECT {_GROUP_COLUMNS} FROM auth_group g WHERE g.id = $1", group_id)
        return _group(row)

    async def remove_members(self, group_id: str, user_ids: Iterable[str]) -> GroupRecord | None:
        async with self._pool.acquire() as conn, conn.transaction():
            if not await conn.fetchval("SELECT EXISTS (SELECT 1 FROM auth_group WHERE id = $1)", group_id):
                return None
            await conn.execute(
                "DELETE FROM auth_group_member WHERE group_id = $1 AND user_id = ANY($2::text[])",
                group_id,
                list(user_ids),
            )
            await conn.execute(
                "UPDATE auth_group SET updated_at = $2 WHERE id = $1", group_id, int(time.time())
            )
            row = await conn.fetchrow(f"SELECT {_GROUP_COLUMNS} FROM auth_group g WHERE g.id = $1", group_id)
        return _group(row)

    async def member_ids(self, group_id: str) -> list[str]:
        rows = await self._pool.fetch(
            "SELECT user_id FROM auth_group_member WHERE group_id = $1 ORDER BY created_at, user_id", group_id
        )
        return [r["user_id"] for r in rows]

    async def members_by_group(self, group_ids: list[str]) -> dict[str, list[UserRecord]]:
        """The direct members (user rows) of each of ``group_ids``."""
        columns = ", ".join("u." + c.strip() for c in _USER_COLUMNS.split(","))
        rows = await self._pool.fetch(
            f"""SELECT m.group_id, {columns} FROM auth_group_member m JOIN auth_user u ON u.id = m.user_id
                WHERE m.group_id = ANY($1::text[]) ORDER BY m.created_at, u.id""",
            group_ids,
        )
        result: dict[str, list[UserRecord]] = {}
        for row in rows:
            result.setdefault(row["group_id"], []).append(_user(row))
        return result

    async def users_with_ids(self, user_ids: list[str]) -> list[UserRecord]:
        """The users among ``user_ids`` that exist, in one statement (a page of the admin list)."""
        rows = await self._pool.fetch(
            f"SELECT {_USER_COLUMNS} FROM auth_user WHERE id = ANY($1::text[])", user_ids
        )
        by_id = {row["id"]: _user(row) for row in rows}
        return [by_id[i] for i in user_ids if i in by_id]

    async def group_refs_of_users(self, user_ids: list[str]) -> dict[str, list[tuple[str, str]]]:
        """Each user's direct groups as ``(id, name)``."""
        rows = await self._pool.fetch(
            """SELECT m.user_id, g.id, g.name FROM auth_group_member m JOIN auth_group g ON g.id = m.group_id
               WHERE m.user_id = ANY($1::text[]) ORDER BY g.created_at, g.id""",
            user_ids,
        )
        result: dict[str, list[tuple[str, str]]] = {}
        for row in rows:
            result.setdefault(row["user_id"], []).append((row["id"], row["name"]))
        return result

    # -- default permissions --------------------------------------------------------------------

    async def get_default_permissions(self) -> dict | None:
        return _load(await self._pool.fetchval("SELECT tree FROM auth_default_permissions WHERE id = 1"))

    async def set_default_permissions(self, tree: dict) -> None:
        await self._pool.execute(
            """INSERT INTO auth_default_permissions (id, tree, updated_at) VALUES (1, $1::jsonb, $2)
               ON CONFLICT (id) DO UPDATE SET tree = EXCLUDED.tree, updated_at = EXCLUDED.updated_at""",
            json.dumps(tree),
            int(time.time()),
        )
