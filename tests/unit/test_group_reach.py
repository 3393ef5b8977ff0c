"""The group preview's models and tools: what a member of only that group may read, decided by
services.common.access (a read grant to the group or to every user; write alone is not read)."""

import asyncio

import pytest

from services.common.errors import PermissionDenied
from services.common.identity import ROLE_ADMIN, ROLE_USER, Identity
from services.inference.group_reach import GroupReach
from services.inference.tools.records import ToolRecord
from services.inference.workspace.records import WorkspaceModel


def grant(kind: str, principal: str, permission: str = "read") -> dict:
    return {"principal_type": kind, "principal_id": principal, "permission": permission}


def model(model_id: str, grants: list[dict], active: bool = True) -> WorkspaceModel:
    return WorkspaceModel(model_id, "owner", "base", model_id.upper(), {}, {}, grants, active, 0, 0)


def tool(tool_id: str, grants: list[dict]) -> ToolRecord:
    return ToolRecord(tool_id, "owner", tool_id.title(), "", [], {}, None, 0, 0, access_grants=grants)


class Models:
    async def snapshot(self):  # type: ignore[no-untyped-def]
        rows = [
            model("read", [grant("group", "g1")]),
            model("write", [grant("group", "g1", "write")]),
            model("other", [grant("group", "g2")]),
            model("public", [grant("user", "*")]),
            model("off", [grant("group", "g1")], active=False),
            model("owner-only", []),
        ]
        return 1, {row.id: row for row in rows}


class Tools:
    def __init__(self) -> None:
        self.asked: tuple = ()

    async def list_visible(self, user_id, group_ids=()):  # type: ignore[no-untyped-def]
        self.asked = (user_id, list(group_ids))
        return [tool("shared", [grant("group", "g1")]), tool("written", [grant("group", "g1", "write")])]


def test_reach_of_a_group():
    tools = Tools()
    reach = GroupReach(Models(), tools)
    admin = Identity(user_id="a", role=ROLE_ADMIN)
    models, found = asyncio.run(reach.reach(admin, "g1"))
    assert models == [("public", "PUBLIC"), ("read", "READ")]
    assert found == [("shared", "Shared")]
    assert tools.asked == ("", ["g1"])
    with pytest.raises(PermissionDenied):
        asyncio.run(reach.reach(Identity(user_id="u", role=ROLE_USER), "g1"))
