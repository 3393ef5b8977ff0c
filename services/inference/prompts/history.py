"""A prompt's stored versions (``/api/v1/prompts/id/{id}/history``): readers list, read and diff
them, writers delete them. Creates and updates store them (service.py); no I/O of its own."""

import difflib

from services.common import errors, messages
from services.common.identity import Identity
from services.inference.prompts.records import PromptVersion
from services.inference.prompts.repository import PromptStore
from services.inference.prompts.service import PromptService, not_found

# Versions per page of ``GET /history?page=`` (0-based pages, as Open WebUI).
PAGE_SIZE = 20
# Pages past this one are empty: a bound on the OFFSET a caller can ask for.
MAX_PAGE = 10_000


def version_diff(old: PromptVersion, new: PromptVersion) -> dict:
    """Open WebUI's diff: both snapshots, the unified diff of the content as a list of lines, and
    whether the name changed."""
    old_content = str(old.snapshot.get("content") or "")
    new_content = str(new.snapshot.get("content") or "")
    lines = difflib.unified_diff(
        old_content.splitlines(keepends=True),
        new_content.splitlines(keepends=True),
        fromfile=f"v{old.id[:8]}",
        tofile=f"v{new.id[:8]}",
        lineterm="",
    )
    return {
        "from_id": old.id,
        "to_id": new.id,
        "from_snapshot": old.snapshot,
        "to_snapshot": new.snapshot,
        "content_diff": list(lines),
        "name_changed": old.snapshot.get("name") != new.snapshot.get("name"),
    }


class PromptHistory:
    def __init__(self, store: PromptStore, rules: PromptService) -> None:
        self._store = store
        self._rules = rules

    async def listed(self, caller: Identity, prompt_id: str, page: int) -> list[PromptVersion]:
        """One page (0-based; below 0 reads as 0) of versions, newest first."""
        await self._rules.checked(caller, prompt_id, write=False)
        page = max(page, 0)
        if page > MAX_PAGE:
            return []
        return await self._store.list_versions(prompt_id, page * PAGE_SIZE, PAGE_SIZE)

    async def get(self, caller: Identity, prompt_id: str, version_id: str) -> PromptVersion:
        await self._rules.checked(caller, prompt_id, write=False)
        version = await self._store.get_version(prompt_id, version_id) if version_id else None
        if version is None:
            raise not_found()
        return version

    async def delete(self, caller: Identity, prompt_id: str, version_id: str) -> bool:
        record = await self._rules.checked(caller, prompt_id, write=True)
        if version_id == record.version_id:
            raise errors.InvalidArgument(messages.PRODUCTION_VERSION_UNDELETABLE)
        if not version_id or not await self._store.delete_version(prompt_id, version_id):
            raise not_found()
        return True

    async def diff(self, caller: Identity, prompt_id: str, from_id: str, to_id: str) -> dict:
        await self._rules.checked(caller, prompt_id, write=False)
        old = await self._store.get_version(prompt_id, from_id) if from_id else None
        new = await self._store.get_version(prompt_id, to_id) if to_id else None
        if old is None or new is None:
            raise errors.NotFound(messages.PROMPT_VERSIONS_NOT_FOUND)
        return version_diff(old, new)
