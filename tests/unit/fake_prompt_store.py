"""An in-memory PromptStore for unit tests."""

from dataclasses import replace

from services.inference.prompts.records import Audience, PromptRecord, PromptSearch, PromptVersion
from services.inference.prompts.repository import CommandTaken


def _readable(record: PromptRecord, audience: Audience) -> bool:
    if audience.everything or record.user_id == audience.user_id:
        return True
    return any(
        g["permission"] == "read"
        and (
            (g["principal_type"] == "user" and g["principal_id"] in (audience.user_id, "*"))
            or (g["principal_type"] == "group" and g["principal_id"] in audience.group_ids)
        )
        for g in record.access_grants
    )


class FakePromptStore:
    def __init__(self) -> None:
        self.prompts: dict[str, PromptRecord] = {}
        # Oldest first.
        self.versions: list[PromptVersion] = []
        self.clock = 1000

    def _tick(self) -> int:
        self.clock += 1
        return self.clock

    def _taken(self, command: str, prompt_id: str) -> bool:
        return any(p.command == command and p.id != prompt_id for p in self.prompts.values())

    async def list_readable(self, audience: Audience, active_only: bool) -> list[PromptRecord]:
        records = sorted(self.prompts.values(), key=lambda r: (-r.updated_at, r.id))
        return [r for r in records if _readable(r, audience) and (r.is_active or not active_only)]

    async def tags(self, audience: Audience) -> list[str]:
        found = {t for r in await self.list_readable(audience, True) for t in r.tags if t}
        return sorted(found)

    async def search(self, audience: Audience, search: PromptSearch) -> tuple[list[PromptRecord], int]:
        records = [r for r in self.prompts.values() if _readable(r, audience)]
        q = search.query.casefold()
        if q:
            records = [r for r in records if q in (r.name + "\n" + r.command + "\n" + r.content).casefold()]
        if search.view_option == "created":
            records = [r for r in records if r.user_id == audience.user_id]
        elif search.view_option == "shared":
            records = [r for r in records if r.user_id != audience.user_id]
        if search.tag:
            records = [r for r in records if search.tag.casefold() in (t.casefold() for t in r.tags)]
        records.sort(key=lambda r: (getattr(r, search.order_by), r.id), reverse=not search.ascending)
        return records[search.offset : search.offset + search.limit], len(records)

    async def get(self, prompt_id: str) -> PromptRecord | None:
        return self.prompts.get(prompt_id)

    async def get_by_command(self, command: str) -> PromptRecord | None:
        return next((p for p in self.prompts.values() if p.command == command), None)

    async def insert(self, record: PromptRecord, version: PromptVersion) -> None:
        if self._taken(record.command, record.id):
            raise CommandTaken
        self.prompts[record.id] = replace(record, updated_at=self._tick())
        self.versions.append(version)

    async def update(
        self, record: PromptRecord, version: PromptVersion | None, *, make_live: bool
    ) -> PromptRecord | None:
        if record.id not in self.prompts:
            return None
        if self._taken(record.command, record.id):
            raise CommandTaken
        current = self.prompts[record.id]
        updated = replace(
            record,
            access_grants=current.access_grants,
            is_active=current.is_active,
            updated_at=self._tick(),
            version_id=version.id if version is not None and make_live else current.version_id,
        )
        self.prompts[record.id] = updated
        if version is not None:
            self.versions.append(version)
        return updated

    async def _change(self, prompt_id: str, **changes: object) -> PromptRecord | None:
        if prompt_id not in self.prompts:
            return None
        self.prompts[prompt_id] = replace(self.prompts[prompt_id], updated_at=self._tick(), **changes)
        return self.prompts[prompt_id]

    async def set_grants(self, prompt_id: str, grants: list[dict]) -> PromptRecord | None:
        return await self._change(prompt_id, access_grants=grants)

    async def set_active(self, prompt_id: str, active: bool) -> PromptRecord | None:
        return await self._change(prompt_id, is_active=active)

    async def apply_version(self, prompt_id: str, version_id: str) -> PromptRecord | None:
        version = await self.get_version(prompt_id, version_id)
        if version is None or prompt_id not in self.prompts:
            return None
        snap = version.snapshot
        return await self._change(
            prompt_id,
            name=snap["name"],
            content=snap["content"],
            data=snap["data"],
            meta=snap["meta"],
            tags=list(snap["tags"]),
            version_id=version_id,
        )

    async def delete(self, prompt_id: str) -> bool:
        self.versions = [v for v in self.versions if v.prompt_id != prompt_id]
        return self.prompts.pop(prompt_id, None) is not None

    async def latest_version_id(self, prompt_id: str) -> str | None:
        mine = [v for v in self.versions if v.prompt_id == prompt_id]
        return mine[-1].id if mine else None

    async def list_versions(self, prompt_id: str, offset: int, limit: int) -> list[PromptVersion]:
        mine = [v for v in reversed(self.versions) if v.prompt_id == prompt_id]
        return mine[offset : offset + limit]

    async def get_version(self, prompt_id: str, version_id: str) -> PromptVersion | None:
        return next((v for v in self.versions if v.prompt_id == prompt_id and v.id == version_id), None)

    async def delete_version(self, prompt_id: str, version_id: str) -> bool:
        gone = await self.get_version(prompt_id, version_id)
        if gone is None:
            return False
        self.versions = [
            replace(v, parent_id=gone.parent_id) if v.parent_id == version_id else v
            for v in self.versions
            if v is not gone
        ]
        return True
