"""An in-memory ToolStore for unit tests."""

from collections.abc import Sequence
from dataclasses import replace

from services.inference.tools.records import ToolRecord


class FakeToolStore:
    def __init__(self) -> None:
        self.tools: dict[str, ToolRecord] = {}
        self.user_valves: dict[tuple[str, str], dict] = {}
        self.reads = 0

    async def list_visible(self, user_id: str | None) -> list[ToolRecord]:
        records = sorted(self.tools.values(), key=lambda r: (-r.updated_at, r.id))
        if user_id is None:
            return records
        return [
            r
            for r in records
            if r.user_id == user_id
            or any(
                g["principal_type"] == "user" and g["principal_id"] in (user_id, "*") for g in r.access_grants
            )
        ]

    async def get(self, tool_id: str) -> ToolRecord | None:
        self.reads += 1
        return self.tools.get(tool_id)

    async def get_many(self, tool_ids: Sequence[str]) -> list[ToolRecord]:
        self.reads += 1
        return [self.tools[i] for i in tool_ids if i in self.tools]

    async def insert(self, record: ToolRecord) -> bool:
        if record.id in self.tools:
            return False
        self.tools[record.id] = record
        return True

    async def update_code(
        self, tool_id: str, *, name: str, content: str, specs: list, meta: dict
    ) -> ToolRecord | None:
        if tool_id not in self.tools:
            return None
        record = replace(self.tools[tool_id], name=name, content=content, specs=specs, meta=meta)
        self.tools[tool_id] = record
        return record

    async def set_grants(self, tool_id: str, grants: list[dict]) -> ToolRecord | None:
        if tool_id not in self.tools:
            return None
        record = replace(self.tools[tool_id], access_grants=list(grants))
        self.tools[tool_id] = record
        return record

    async def delete(self, tool_id: str) -> bool:
        return self.tools.pop(tool_id, None) is not None

    async def set_valves(self, tool_id: str, valves: dict) -> ToolRecord | None:
        if tool_id not in self.tools:
            return None
        record = replace(self.tools[tool_id], valves=valves)
        self.tools[tool_id] = record
        return record

    async def get_user_valves(self, tool_id: str, user_id: str) -> dict | None:
        return self.user_valves.get((tool_id, user_id))

    async def set_user_valves(self, tool_id: str, user_id: str, valves: dict) -> bool:
        if tool_id not in self.tools:
            return False
        self.user_valves[(tool_id, user_id)] = valves
        return True
