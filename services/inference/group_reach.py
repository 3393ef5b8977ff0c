"""What a group alone lets its members read of the inference service's resources (the group
preview): decided by ``services.common.access`` for a member of that group and no other, with no
grant of their own, as Open WebUI decides it."""

from collections.abc import Sequence
from typing import Protocol

from services.common import access
from services.common.grpc_identity import require_admin
from services.common.identity import Identity
from services.inference.tools.records import ToolRecord
from services.inference.workspace.records import WorkspaceModel

# (id, name)
Item = tuple[str, str]


class ModelRows(Protocol):
    async def snapshot(self) -> tuple[int, dict[str, WorkspaceModel]]: ...


class ToolRows(Protocol):
    async def list_visible(self, user_id: str | None, group_ids: Sequence[str] = ()) -> list[ToolRecord]: ...


class GroupReach:
    def __init__(self, models: ModelRows, tools: ToolRows) -> None:
        self._models = models
        self._tools = tools

    async def reach(self, caller: Identity, group_id: str) -> tuple[list[Item], list[Item]]:
        """The models and tools (each by name) a member of only ``group_id`` may read."""
        require_admin(caller)
        member = Identity(user_id="", group_ids=frozenset({group_id}))
        _, rows = await self._models.snapshot()
        models = sorted(
            (row.id, row.name)
            for row in rows.values()
            if row.is_active and access.granted(member, row.access_grants, access.READ)
        )
        tools = sorted(
            (tool.id, tool.name)
            for tool in await self._tools.list_visible("", [group_id])
            if access.granted(member, tool.access_grants, access.READ)
        )
        return models, tools
