"""A tool's stored versions (``/api/v1/tools/id/{id}/history``, ``/update/version``): who may
read, diff, delete and re-apply them. Every create and update stores one (service.py); no I/O
of its own."""

import difflib

import orjson

from services.common import errors, messages
from services.common.identity import Identity
from services.inference.functions.loader import FunctionLoadError
from services.inference.tools.modules import ToolModules
from services.inference.tools.records import ToolRecord, ToolVersion
from services.inference.tools.repository import ToolStore
from services.inference.tools.service import ToolService, ToolView

# Versions per page of ``GET /history?page=``.
PAGE_SIZE = 30
# Pages past this many versions are empty: a bound on the OFFSET a caller can ask for.
MAX_PAGE = 10_000


def _version_missing() -> errors.NotFound:
    return errors.NotFound(messages.VERSION_NOT_FOUND)


def _lines(text: str) -> list[str]:
    return text.splitlines(keepends=True)


def _unified(old: str, new: str, old_name: str, new_name: str) -> str:
    return "".join(difflib.unified_diff(_lines(old), _lines(new), old_name, new_name))


def _meta_text(meta: dict) -> str:
    return orjson.dumps(meta, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS).decode() + "\n"


def version_diff(old: ToolVersion, new: ToolVersion) -> dict:
    """Unified diffs of two versions' code and meta (empty strings where equal), and their names."""
    return {
        "from_id": old.id,
        "to_id": new.id,
        "name": {"from": old.name, "to": new.name},
        "content": _unified(old.content, new.content, f"{old.id}/content", f"{new.id}/content"),
        "meta": _unified(_meta_text(old.meta), _meta_text(new.meta), f"{old.id}/meta", f"{new.id}/meta"),
    }


class ToolHistory:
    def __init__(self, store: ToolStore, modules: ToolModules, rules: ToolService) -> None:
        self._store = store
        self._modules = modules
        self._rules = rules

    async def _writable(self, caller: Identity, tool_id: str) -> ToolRecord:
        """Versions are for those who may write the tool (owner, write grant, bypassing admin)."""
        record = await self._store.get(tool_id)
        if record is None:
            raise errors.NotFound(messages.HISTORY_NOT_FOUND)
        if not self._rules.may_write(caller, record):
            raise errors.Unauthenticated(messages.ACCESS_PROHIBITED)
        return record

    async def _version(self, tool_id: str, version_id: str) -> ToolVersion:
        version = await self._store.get_version(tool_id, version_id) if version_id else None
        if version is None:
            raise _version_missing()
        return version

    async def listed(self, caller: Identity, tool_id: str, page: int) -> list[ToolVersion]:
        """One page (1-based; below 1 reads as 1) of versions, newest first."""
        await self._writable(caller, tool_id)
        page = max(page, 1)
        if page > MAX_PAGE:
            return []
        return await self._store.list_versions(tool_id, (page - 1) * PAGE_SIZE, PAGE_SIZE)

    async def get(self, caller: Identity, tool_id: str, version_id: str) -> ToolVersion:
        await self._writable(caller, tool_id)
        return await self._version(tool_id, version_id)

    async def delete(self, caller: Identity, tool_id: str, version_id: str) -> bool:
        record = await self._writable(caller, tool_id)
        await self._version(tool_id, version_id)
        if version_id == record.version_id:
            # ``version_id`` of the tool would name nothing.
            raise errors.InvalidArgument(messages.CURRENT_VERSION_UNDELETABLE)
        if not await self._store.delete_version(tool_id, version_id):
            raise _version_missing()
        return True

    async def diff(self, caller: Identity, tool_id: str, from_id: str, to_id: str) -> dict:
        """``to_id`` defaults to the current version, ``from_id`` to the parent of ``to``."""
        record = await self._writable(caller, tool_id)
        new = await self._version(tool_id, to_id or record.version_id or "")
        old = await self._version(tool_id, from_id or new.parent_id or "")
        return version_diff(old, new)

    async def restore(self, caller: Identity, tool_id: str, version_id: str) -> ToolView:
        """Makes a stored version current again (its code, name, specs and meta); no new version
        is stored. Code that no longer loads is refused."""
        record = await self._writable(caller, tool_id)
        version = await self._version(tool_id, version_id)
        if version.content != record.content and not self._rules.may_create(caller):
            raise errors.Unauthenticated(messages.UNAUTHORIZED)
        try:
            loaded = await self._modules.load(tool_id, version.content)
        except FunctionLoadError as error:
            raise errors.InvalidArgument(messages.error_with(messages.TOOL_LOAD_FAILED, str(error))) from None
        updated = await self._store.apply_version(tool_id, version_id)
        if updated is None:
            raise _version_missing()
        self._modules.remember(tool_id, version.content, loaded)
        return ToolView(updated, write_access=True, show_content=True)
