"""An in-memory ToolStore for unit tests."""

from collections.abc import Sequence
from dataclasses import replace

from services.inference.tools.records import ToolRecord, ToolVersion


class FakeToolStore:
    def __init__(self) -> None:
        self.tools: dict[str, ToolRecord] = {}
        self.user_valves: dict[tuple[str, str], dict] = {}
        # Oldest first.
        self.versions: list[ToolVersion] = []
        self.reads = 0

    async def list_visible(self, user_id: str | None, group_ids: Sequence[str] = ()) -> list[ToolRecord]:
        records = sorted(self.tools.values(), key=lambda r: (-r.updated_at, r.id))
        if user_id is None:
            return records
        return [
            r
            for r in records
            if r.user_id == user_id
            or any(
                (g["principal_type"] == "user" and g["principal_id"] in (user_id, "*"))
                or (g["principal_type"] == "group" and g["principal_id"] in group_ids)
                for g in r.access_grants
            )
        ]

    async def get(self, tool_id: str) -> ToolRecord | None:
        self.reads += 1
        return self.tools.get(tool_id)

    async def get_many(self, tool_ids: Sequence[str]) -> list[ToolRecord]:
        self.reads += 1
        return [self.tools[i] for i in tool_ids if i in self.tools]

    async def insert(self, record: ToolRecord, version: ToolVersion | None = None) -> bool:
        if record.id in self.tools:
            return False
        if version is not None:
            record = replace(record, version_id=version.id)
            self.versions.append(version)
        self.tools[record.id] = record
        return True

    async def update_code(
        self,
        tool_id: str,
        *,
        name: str,
        content: str,
        specs: list,
        meta: dict,
        version: ToolVersion | None = None,
    ) -> ToolRecord | None:
        if tool_id not in self.tools:
            return None
        record = replace(self.tools[tool_id], name=name, content=content, specs=specs, meta=meta)
        if version is not None:
            record = replace(record, version_id=version.id)
            self.versions.append(version)
        self.tools[tool_id] = record
        return record

    async def list_versions(self, tool_id: str, offset: int, limit: int) -> list[ToolVersion]:
        mine = [v for v in reversed(self.versions) if v.tool_id == tool_id]
        return mine[offset : offset + limit]

    async def get_version(self, tool_id: str, version_id: str) -> ToolVersion | None:
        return next((v for v in self.versions if v.tool_id == tool_id and v.id == version_id), None)

    async def delete_version(self, tool_id: str, version_id: str) -> bool:
        gone = await self.get_version(tool_id, version_id)
        if gone is None:
            return False
        self.versions = [
            replace(v, parent_id=gone.parent_id) if v.parent_id == gone.id else v
            for v in self.versions
            if v is not gone
        ]
        return True

    async def apply_version(self, tool_id: str, version_id: str) -> ToolRecord | None:
        version = await self.get_version(tool_id, version_id)
        if tool_id not in self.tools or version is None:
            return None
        record = replace(
            self.tools[tool_id],
            name=version.name,
            content=version.content,
            specs=version.specs,
            meta=version.meta,
            version_id=version.id,
        )
        self.tools[tool_id] = record
        return record

    async def set_grants(self, tool_id: str, grants: list[dict]) -> ToolRecord | None:
        if tool_id not in self.tools:
            return None
        record = replace(self.tools[tool_id], access_grants=list(grants))
        self.tools[tool_id] = record
        return record

    async def delete(self, tool_id: str) -> bool:
        self.versions = [v for v in self.versions if v.tool_id != tool_id]
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
