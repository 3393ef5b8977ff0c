"""What a group alone lets its members read of the ingest service's knowledge bases (the group
preview): candidates by their stored grants, decided by ``services.common.access`` for a member of
that group and no other, with no grant of their own, as Open WebUI decides it."""

import asyncpg
import grpc
import orjson

from services.common import access
from services.common.errors import InvalidArgument
from services.common.grpc_identity import current_identity, require_admin, require_verified
from services.common.identity import Identity
from webui.ingest.v1 import group_reach_pb2, group_reach_pb2_grpc

# Knowledge bases with a read grant to the group or to every user (jsonb containment, then the
# rules of services.common.access decide).
_CANDIDATES = (
    "SELECT id, name, access_grants FROM ingest_knowledge "
    "WHERE access_grants @> $1::jsonb OR access_grants @> $2::jsonb ORDER BY id"
)


def _grant(principal_type: str, principal_id: str) -> str:
    grant = {"principal_type": principal_type, "principal_id": principal_id, "permission": access.READ}
    return orjson.dumps([grant]).decode()


class GroupKnowledge:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def readable(self, caller: Identity, group_id: str) -> list[tuple[str, str]]:
        """(id, name) of every knowledge base a member of only ``group_id`` may read."""
        require_admin(caller)
        rows = await self._pool.fetch(_CANDIDATES, _grant("group", group_id), _grant("user", "*"))
        member = Identity(user_id="", group_ids=frozenset({group_id}))
        return [
            (row["id"], row["name"])
            for row in rows
            if access.granted(member, _grants(row["access_grants"]), access.READ)
        ]


def _grants(raw: object) -> list:
    value = orjson.loads(raw) if isinstance(raw, str | bytes) else raw
    return value if isinstance(value, list) else []


class IngestGroupReachServicer(group_reach_pb2_grpc.IngestGroupReachServiceServicer):
    def __init__(self, knowledge: GroupKnowledge) -> None:
        self._knowledge = knowledge

    async def GetGroupKnowledge(  # noqa: N802 - gRPC method names
        self, request: group_reach_pb2.GetGroupKnowledgeRequest, context: grpc.aio.ServicerContext
    ) -> group_reach_pb2.GetGroupKnowledgeResponse:
        if not request.group_id:
            raise InvalidArgument("group_id is required")
        found = await self._knowledge.readable(require_verified(current_identity()), request.group_id)
        return group_reach_pb2.GetGroupKnowledgeResponse(
            knowledge=[group_reach_pb2.ReachableKnowledge(id=i, name=n) for i, n in found]
        )
