"""Open WebUI's tool routes (``/api/v1/tools``): who may list, read, create, change, share and
delete Python tools and their valves, with Open WebUI's checks, status codes and texts. No I/O of
its own.

Owners and admins (``BYPASS_ADMIN_ACCESS_CONTROL``) may always write. A read check matches read
grants only, a write check write grants (§6.2), to the user, a group of theirs or every user.
Creating a tool (or changing its code) needs ``workspace.tools``; the grants a caller may give
follow ``sharing.tools`` / ``sharing.public_tools`` and ``access_grants.allow_*``
(``services.common.access``); ``anyone:*`` is never allowed on a tool."""

import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, Protocol

import orjson
from pydantic import ValidationError

from services.common import access, errors, messages, permissions
from services.common.forms.tools import ToolForm
from services.common.forms.types import NUL_CHECKED_LATER
from services.common.group_check import GroupDirectory, require_known_groups
from services.common.identity import Identity
from services.inference.functions.loader import (
    FunctionLoadError,
    LoadedFunction,
    validate_valves,
    valves_class,
    valves_spec,
)
from services.inference.tools.modules import ToolModules
from services.inference.tools.records import ToolRecord, ToolVersion
from services.inference.tools.repository import ToolStore
from services.inference.tools.specs import tool_specs

log = logging.getLogger(__name__)

Scope = Literal["admin", "user"]
READ = "read"
WRITE = "write"


class ToolServerLister(Protocol):
    """The OpenAPI/MCP tool servers a caller may use, as ``GET /api/v1/tools/`` lists them
    (``{"id": "server:<id>", "user_id", "name", "meta"}``): see tools/servers.py."""

    async def listed(self, caller: Identity) -> list[dict]: ...

    async def mcp_specs(self, caller: Identity, tool_id: str) -> list[dict]:
        """``server:mcp:<id>``'s tools as ``{"name", "description"}``, listed now; NotFound for any
        other id or a server the caller may not use, Timeout or BadGateway when it fails."""
        ...


@dataclass(frozen=True)
class ToolView:
    """A tool as one caller sees it."""

    record: ToolRecord
    write_access: bool
    # Readers without write access do not see the code.
    show_content: bool

    @property
    def has_user_valves(self) -> bool:
        return bool(self.record.meta.get("has_user_valves"))


@dataclass(frozen=True)
class ToolList:
    tools: list[ToolView]
    servers: list[dict]


def _unauthorized() -> errors.Unauthenticated:
    return errors.Unauthenticated(messages.UNAUTHORIZED)


def _missing_401() -> errors.NotFound:
    # Open WebUI answers some of its tool routes' missing tool with 401, not 404.
    return errors.NotFound(messages.NOT_FOUND, http_status=401)


def _check_storable(*values: object) -> None:
    """PostgreSQL text and jsonb cannot hold NUL characters."""
    for value in values:
        try:
            text = value if isinstance(value, str) else orjson.dumps(value).decode()
        except TypeError:  # nested deeper than orjson writes (254 levels)
            raise errors.InvalidArgument(messages.JSON_TOO_DEEP) from None
        if "\x00" in text or "\\u0000" in text:
            raise errors.InvalidArgument(messages.FUNCTION_NOT_STORABLE)


class ToolService:
    def __init__(
        self,
        store: ToolStore,
        modules: ToolModules,
        *,
        enabled: bool = True,
        bypass_admin_access_control: bool = True,
        # Hook for the OpenAPI/MCP tool servers (tools/servers.py); None lists none.
        servers: ToolServerLister | None = None,
        clock: Callable[[], float] = time.time,
        new_id: Callable[[], str] = lambda: str(uuid.uuid4()),
        groups: GroupDirectory | None = None,
    ) -> None:
        self._store = store
        self._modules = modules
        self._enabled = enabled
        self._groups = groups
        self._bypass = bypass_admin_access_control
        self._servers = servers
        self._clock = clock
        self._new_id = new_id

    @property
    def enabled(self) -> bool:
        """ENABLE_TOOLS: when false no Python tool is listed or runs."""
        return self._enabled

    def set_servers(self, servers: ToolServerLister | None) -> None:
        """Wires the tool-server list in after construction (the servers are built elsewhere)."""
        self._servers = servers

    # Who may do what.

    def _admin(self, caller: Identity) -> bool:
        return caller.is_admin and self._bypass

    def may_read(self, caller: Identity, record: ToolRecord) -> bool:
        return access.has_access(
            caller, record.user_id, record.access_grants, READ, bypass_admin=self._bypass
        )

    def may_write(self, caller: Identity, record: ToolRecord) -> bool:
        return access.has_access(
            caller, record.user_id, record.access_grants, WRITE, bypass_admin=self._bypass
        )

    @staticmethod
    def may_create(caller: Identity) -> bool:
        """Admins, or users holding ``workspace.tools``."""
        return access.has_permission(caller, permissions.WORKSPACE_TOOLS)

    async def _visible(self, caller: Identity) -> list[ToolRecord]:
        if self._admin(caller):
            return await self._store.list_visible(None)
        return await self._store.list_visible(caller.user_id, sorted(caller.group_ids))

    def _view(self, caller: Identity, record: ToolRecord) -> ToolView:
        write = self.may_write(caller, record)
        return ToolView(record, write, show_content=write)

    # Routes.

    async def listed(self, caller: Identity, query: str = "", include_servers: bool = False) -> ToolList:
        """Readable tools, most recently updated first, optionally filtered by a name substring
        (case-insensitive); with ``include_servers`` the caller's tool servers after them."""
        needle = query.casefold()
        views: list[ToolView] = []
        if self._enabled:
            records = await self._visible(caller)
            views = [
                self._view(caller, r)
                for r in records
                if self.may_read(caller, r) and needle in r.name.casefold()
            ]
        servers: list[dict] = []
        if include_servers and self._servers is not None:
            servers = [
                item
                for item in await self._servers.listed(caller)
                if needle in str(item.get("name") or "").casefold()
            ]
        return ToolList(views, servers)

    async def server_specs(self, caller: Identity, tool_id: str) -> list[dict]:
        """``GET /id/{id}/specs``: served for MCP servers only (Python tools carry their specs)."""
        if self._servers is None:
            raise errors.NotFound(messages.TOOL_NOT_FOUND)
        try:
            return await self._servers.mcp_specs(caller, tool_id)
        except errors.Timeout as error:
            # Open WebUI's own text, not the gateway's generic deadline text.
            raise errors.Timeout(error.detail, http_status=504) from None

    async def export(self, caller: Identity) -> list[ToolRecord]:
        """Every tool the caller may write, with its code (admins: ``workspace.tools_export`` is
        not granted to users by default)."""
        if not caller.is_admin:
            raise _unauthorized()
        if not self._enabled:
            return []
        records = await self._visible(caller)
        return [r for r in records if self.may_write(caller, r)]

    async def create(self, caller: Identity, form_json: object) -> ToolView:
        if not self.may_create(caller):
            raise _unauthorized()
        form = _form(form_json)
        if not form.id.isidentifier():
            raise errors.InvalidArgument(messages.FUNCTION_ID_INVALID)
        tool_id = form.id.lower()
        _check_storable(form.name, form.content, form.commit_message or "", form.meta.model_dump())
        if await self._store.get(tool_id) is not None:
            raise errors.InvalidArgument(messages.ID_TAKEN)
        try:
            loaded = await self._modules.load(tool_id, form.content)
            specs = tool_specs(loaded.instance)
        except FunctionLoadError as error:
            raise errors.InvalidArgument(
                messages.error_with(messages.TOOL_CREATE_FAILED, str(error))
            ) from None
        now = int(self._clock())
        meta = _meta_of(tool_id, form, loaded)
        version = self.new_version(caller, tool_id, None, form, specs, meta)
        record = ToolRecord(
            id=tool_id,
            user_id=caller.user_id,
            name=form.name,
            content=form.content,
            specs=specs,
            meta=meta,
            valves=None,
            created_at=now,
            updated_at=now,
            # On create, grants the caller may not give are dropped silently.
            access_grants=await self._grants(caller, tool_id, form.access_grants or [], [], strict=False),
            version_id=version.id,
        )
        if not await self._store.insert(record, version):
            raise errors.InvalidArgument(messages.ID_TAKEN)
        self._modules.remember(tool_id, form.content, loaded)
        return self._view(caller, record)

    async def get(self, caller: Identity, tool_id: str) -> ToolView:
        record = await self._store.get(tool_id)
        if record is None:
            raise errors.NotFound(messages.NOT_FOUND)
        if not self.may_read(caller, record):
            raise errors.Unauthenticated(messages.ACCESS_PROHIBITED)
        return self._view(caller, record)

    async def update(self, caller: Identity, tool_id: str, form_json: object) -> ToolView:
        """New name, meta and code; grants in the form are ignored (``/access/update`` sets them).
        Changing the code needs the right to create tools as well as write access."""
        record = await self._writable(caller, tool_id)
        form = _form(form_json)
        _check_storable(form.name, form.content, form.commit_message or "", form.meta.model_dump())
        if form.content != record.content and not self.may_create(caller):
            raise _unauthorized()
        try:
            loaded = await self._modules.load(tool_id, form.content)
            specs = tool_specs(loaded.instance)
        except FunctionLoadError as error:
            raise errors.InvalidArgument(str(error)) from None
        meta = _meta_of(tool_id, form, loaded)
        updated = await self._store.update_code(
            tool_id,
            name=form.name,
            content=form.content,
            specs=specs,
            meta=meta,
            version=self.new_version(caller, tool_id, record.version_id, form, specs, meta),
        )
        if updated is None:
            raise _missing_401()
        self._modules.remember(tool_id, form.content, loaded)
        return self._view(caller, updated)

    async def update_access(self, caller: Identity, tool_id: str, raw_grants: object) -> ToolView:
        record = await self._store.get(tool_id)
        if record is None:
            raise errors.NotFound(messages.NOT_FOUND)
        if not self.may_write(caller, record):
            raise _unauthorized()
        grants = await self._grants(caller, tool_id, raw_grants, record.access_grants, strict=True)
        updated = await self._store.set_grants(tool_id, grants)
        if updated is None:
            raise errors.NotFound(messages.NOT_FOUND)
        return self._view(caller, updated)

    async def delete(self, caller: Identity, tool_id: str) -> bool:
        await self._writable(caller, tool_id)
        deleted = await self._store.delete(tool_id)
        self._modules.forget(tool_id)
        return deleted

    async def valves(self, caller: Identity, tool_id: str, scope: Scope, spec: bool) -> dict | None:
        """The stored valves (``{}`` when none) — the tool's own for writers, the caller's for
        readers — or with ``spec`` the JSON schema of the scope's class (None without one)."""
        record = await self._store.get(tool_id)
        if record is None:
            raise errors.NotFound(messages.NOT_FOUND)
        allowed = self.may_write(caller, record) if scope == "admin" else self.may_read(caller, record)
        if not allowed:
            raise errors.Unauthenticated(messages.ACCESS_PROHIBITED)
        if spec:
            loaded = await self._module(record, messages.TOOL_LOAD_FAILED)
            try:
                return valves_spec(loaded, scope)
            except Exception as error:  # the tool's own model: any error of its making
                raise errors.InvalidArgument(
                    messages.error_with(messages.TOOL_VALVES_GET_FAILED, str(error))
                ) from None
        if scope == "admin":
            return dict(record.valves or {})
        return await self._store.get_user_valves(tool_id, caller.user_id) or {}

    async def update_valves(self, caller: Identity, tool_id: str, scope: Scope, values: object) -> dict:
        """Validates ``values`` with the tool's Valves (UserValves) model, None values dropped,
        and stores and returns the fields given."""
        if not isinstance(values, dict):
            raise errors.InvalidArgument("The valves must be a JSON object")
        record = await self._store.get(tool_id)
        if record is None:
            raise _missing_401()
        if scope == "admin" and not self.may_write(caller, record):
            # Open WebUI's answer to a reader here is a 400.
            raise errors.InvalidArgument(messages.ACCESS_PROHIBITED)
        if scope == "user" and not self.may_read(caller, record):
            raise errors.Unauthenticated(messages.ACCESS_PROHIBITED)
        action = (
            messages.TOOL_VALVES_UPDATE_FAILED
            if scope == "admin"
            else messages.TOOL_USER_VALVES_UPDATE_FAILED
        )
        loaded = await self._module(record, action)
        if valves_class(loaded, scope) is None:
            raise _missing_401()
        try:
            stored = validate_valves(loaded, values, scope)
        except Exception as error:  # the tool's own validators may raise anything
            raise errors.InvalidArgument(messages.error_with(action, str(error))) from None
        _check_storable(stored)
        if scope == "admin":
            if await self._store.set_valves(tool_id, stored) is None:
                raise _missing_401()
        elif not await self._store.set_user_valves(tool_id, caller.user_id, stored):
            raise _missing_401()
        return stored

    # Helpers.

    def new_version(
        self, caller: Identity, tool_id: str, parent_id: str | None, form: ToolForm, specs: list, meta: dict
    ) -> ToolVersion:
        """The history entry a create or update stores."""
        return ToolVersion(
            id=self._new_id(),
            tool_id=tool_id,
            parent_id=parent_id,
            user_id=caller.user_id,
            commit_message=form.commit_message,
            name=form.name,
            content=form.content,
            specs=specs,
            meta=meta,
            created_at=int(self._clock()),
        )

    async def _writable(self, caller: Identity, tool_id: str) -> ToolRecord:
        record = await self._store.get(tool_id)
        if record is None:
            raise _missing_401()
        if not self.may_write(caller, record):
            raise _unauthorized()
        return record

    async def _module(self, record: ToolRecord, action: str) -> LoadedFunction:
        try:
            return await self._modules.module(record)
        except FunctionLoadError as error:
            raise errors.InvalidArgument(messages.error_with(action, str(error))) from None

    async def _grants(
        self, caller: Identity, tool_id: str, raw: object, existing: list[dict], *, strict: bool
    ) -> list[dict]:
        """The normalised grants in Open WebUI's stored shape (one kept from before keeps its id
        and age). A grant the caller may not give (§6.2) refuses the request with ``strict`` (403)
        and is dropped without; a group that does not exist is a 400."""
        allowed = access.shareable_grants(caller, "tool", raw, strict=strict)
        await require_known_groups(self._groups, caller, allowed)
        return access.grant_records(allowed, "tool", tool_id, existing, int(self._clock()), self._new_id)


def _form(form_json: object) -> ToolForm:
    """The gateway's form, validated again for callers that reach the service directly."""
    try:
        return ToolForm.model_validate(form_json, context=NUL_CHECKED_LATER)
    except ValidationError as error:
        raise errors.InvalidArgument(f"Invalid tool form: {error.errors(include_url=False)}") from None


def _meta_of(tool_id: str, form: ToolForm, loaded: LoadedFunction) -> dict:
    """The form's meta with the frontmatter as ``manifest`` and ``has_user_valves``."""
    meta = form.meta.model_dump()
    meta["manifest"] = dict(loaded.manifest)
    meta["has_user_valves"] = loaded.has_user_valves
    requirements = loaded.manifest.get("requirements")
    if requirements:
        # Open WebUI pip-installs these; here the service's environment is fixed.
        log.warning("tool %s lists requirements (%s); they are not installed", tool_id, requirements)
    return meta
