"""Open WebUI's prompt routes (``/api/v1/prompts``): who may list, read, create, change, share,
switch off and delete prompts, with Open WebUI's checks, status codes and texts. No I/O of its own.

Every access decision goes through ``services.common.access``: owners and (with
``BYPASS_ADMIN_ACCESS_CONTROL``) admins always; otherwise a read check matches read grants only and
a write check write grants, to the user, to every user or to one of the user's groups."""

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from services.common import access, errors, messages
from services.common.forms.prompts import PromptForm, PromptMetaForm
from services.common.forms.types import NUL_CHECKED_LATER, has_nul
from services.common.group_check import GroupDirectory, require_known_groups
from services.common.identity import Identity
from services.inference.prompts.records import Audience, PromptRecord, PromptSearch, PromptVersion
from services.inference.prompts.repository import CommandTaken, PromptStore

# Prompts per page of ``GET /list``.
PAGE_SIZE = 30
# Pages past this many prompts are empty: a bound on the OFFSET a caller can ask for.
MAX_PAGE = 10_000
CREATE_PERMISSIONS = ("workspace.prompts", "workspace.prompts_import")
INITIAL_COMMIT = "Initial version"
M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class PromptView:
    """A prompt as one caller sees it."""

    record: PromptRecord
    write_access: bool


def not_found() -> errors.NotFound:
    return errors.NotFound(messages.NOT_FOUND)


def prohibited() -> errors.Unauthenticated:
    # Open WebUI answers a caller without the right with 401, not 403.
    return errors.Unauthenticated(messages.ACCESS_PROHIBITED)


def _validated(model: type[M], raw: object) -> M:
    """The gateway's form, validated again for callers that reach the service directly."""
    try:
        return model.model_validate(raw, context=NUL_CHECKED_LATER)
    except ValidationError as error:
        raise errors.InvalidArgument(f"Invalid prompt form: {error.errors(include_url=False)}") from None


def _check_storable(*values: object) -> None:
    """PostgreSQL text and jsonb cannot hold NUL characters."""
    if any(has_nul(value) for value in values):
        raise errors.InvalidArgument(messages.FUNCTION_NOT_STORABLE)


def snapshot_of(record: PromptRecord) -> dict:
    """What a version keeps (Open WebUI's snapshot)."""
    return {
        "name": record.name,
        "content": record.content,
        "command": record.command,
        "data": record.data,
        "meta": record.meta,
        "tags": record.tags,
        "access_grants": record.access_grants,
    }


class PromptService:
    def __init__(
        self,
        store: PromptStore,
        *,
        bypass_admin_access_control: bool = True,
        # The hook that refuses grants to groups that do not exist (helper E's GroupsService
        # lookup, services.common.group_check); None lets every group id through.
        groups: GroupDirectory | None = None,
        clock: Callable[[], float] = time.time,
        new_id: Callable[[], str] = lambda: str(uuid.uuid4()),
    ) -> None:
        self._store = store
        self._bypass = bypass_admin_access_control
        self._groups = groups
        self._clock = clock
        self._new_id = new_id

    def set_groups(self, groups: GroupDirectory | None) -> None:
        """Wires the group directory in after construction."""
        self._groups = groups

    # Who may do what.

    def _admin(self, caller: Identity) -> bool:
        return caller.is_admin and self._bypass

    def may_read(self, caller: Identity, record: PromptRecord) -> bool:
        return access.can_read(caller, record.user_id, record.access_grants, bypass_admin=self._bypass)

    def may_write(self, caller: Identity, record: PromptRecord) -> bool:
        return access.can_write(caller, record.user_id, record.access_grants, bypass_admin=self._bypass)

    def may_create(self, caller: Identity) -> bool:
        return any(access.has_permission(caller, key) for key in CREATE_PERMISSIONS)

    def audience(self, caller: Identity) -> Audience:
        return Audience(caller.user_id, tuple(sorted(caller.group_ids)), self._admin(caller))

    def view(self, caller: Identity, record: PromptRecord) -> PromptView:
        return PromptView(record, self.may_write(caller, record))

    async def readable(self, caller: Identity, prompt_id: str) -> PromptRecord:
        """404 for a prompt that is missing and for one the caller may not read (as Open WebUI's
        ``GET /id/{id}``)."""
        record = await self._store.get(prompt_id)
        if record is None or not self.may_read(caller, record):
            raise not_found()
        return record

    async def checked(self, caller: Identity, prompt_id: str, *, write: bool) -> PromptRecord:
        """404 for a missing prompt, 401 ACCESS_PROHIBITED without the right."""
        record = await self._store.get(prompt_id)
        if record is None:
            raise not_found()
        allowed = self.may_write(caller, record) if write else self.may_read(caller, record)
        if not allowed:
            raise prohibited()
        return record

    # Routes.

    async def listed(self, caller: Identity) -> list[PromptView]:
        """``GET /``: the active prompts the caller may read, most recently updated first."""
        records = await self._store.list_readable(self.audience(caller), active_only=True)
        return [self.view(caller, r) for r in records if self.may_read(caller, r)]

    async def tags(self, caller: Identity) -> list[str]:
        return await self._store.tags(self.audience(caller))

    async def search(
        self,
        caller: Identity,
        *,
        query: str = "",
        view_option: str = "",
        tag: str = "",
        order_by: str = "",
        ascending: bool = False,
        page: int = 1,
    ) -> tuple[list[PromptView], int]:
        """``GET /list``: one page (30) of readable prompts, active or not."""
        page = max(page, 1)
        search = PromptSearch(
            query=query,
            view_option=view_option,
            tag=tag,
            order_by=order_by or "updated_at",
            ascending=ascending,
            offset=(min(page, MAX_PAGE) - 1) * PAGE_SIZE,
            limit=PAGE_SIZE if page <= MAX_PAGE else 0,
        )
        _check_storable(query, tag)
        records, total = await self._store.search(self.audience(caller), search)
        return [self.view(caller, r) for r in records], total

    async def get(self, caller: Identity, prompt_id: str) -> PromptView:
        return self.view(caller, await self.readable(caller, prompt_id))

    async def create(self, caller: Identity, form_json: object) -> PromptView:
        if not self.may_create(caller):
            raise errors.Unauthenticated(messages.UNAUTHORIZED)
        form = _validated(PromptForm, form_json)
        _check_storable(
            form.command, form.name, form.content, form.data, form.meta, form.tags, form.commit_message
        )
        if await self._store.get_by_command(form.command) is not None:
            raise errors.InvalidArgument(messages.COMMAND_TAKEN)
        prompt_id = self._new_id()
        # On create, grants the caller may not give are dropped silently (§6.2).
        grants = await self._grants(caller, prompt_id, form.access_grants or [], [], strict=False)
        now = int(self._clock())
        version_id = self._new_id()
        record = PromptRecord(
            id=prompt_id,
            command=form.command,
            user_id=caller.user_id,
            name=form.name,
            content=form.content,
            data=form.data or {},
            meta=form.meta or {},
            tags=list(form.tags or []),
            is_active=True,
            version_id=version_id,
            created_at=now,
            updated_at=now,
            access_grants=grants,
        )
        version = self._version(caller, record, version_id, None, form.commit_message or INITIAL_COMMIT)
        try:
            await self._store.insert(record, version)
        except CommandTaken:
            raise errors.InvalidArgument(messages.COMMAND_TAKEN) from None
        return self.view(caller, record)

    async def update(self, caller: Identity, prompt_id: str, form_json: object) -> PromptView:
        """New command, name, content, data, meta and tags. A version is stored when name, command,
        content or tags changed; it goes live unless ``is_production`` is false, in which case the
        live name, content, data, meta and tags stay (the command still changes). Grants in the
        form are ignored: ``/access/update`` sets them."""
        record = await self.checked(caller, prompt_id, write=True)
        form = _validated(PromptForm, form_json)
        _check_storable(
            form.command, form.name, form.content, form.data, form.meta, form.tags, form.commit_message
        )
        await self._command_free(record, form.command, by_another=True)
        tags = list(form.tags) if form.tags is not None else record.tags
        proposed = replace(
            record,
            command=form.command,
            name=form.name,
            content=form.content,
            # Open WebUI keeps the stored data and meta when the form's are empty.
            data=form.data or record.data,
            meta=form.meta or record.meta,
            tags=tags,
        )
        changed = (
            record.name != proposed.name
            or record.command != proposed.command
            or record.content != proposed.content
            or record.tags != proposed.tags
        )
        version = None
        if changed:
            parent = await self._store.latest_version_id(record.id)
            version = self._version(caller, proposed, self._new_id(), parent, form.commit_message)
        production = form.is_production is not False
        stored = proposed if production else replace(record, command=form.command)
        updated = await self._write(
            stored, version, make_live=production, command=form.command, by_another=True
        )
        return self.view(caller, updated)

    async def update_meta(self, caller: Identity, prompt_id: str, form_json: object) -> PromptView:
        """New name, command and tags; no version is stored."""
        record = await self.checked(caller, prompt_id, write=True)
        form = _validated(PromptMetaForm, form_json)
        _check_storable(form.command, form.name, form.tags)
        await self._command_free(record, form.command, by_another=False)
        tags = list(form.tags) if form.tags is not None else record.tags
        stored = replace(record, name=form.name, command=form.command, tags=tags)
        updated = await self._write(stored, None, make_live=False, command=form.command, by_another=False)
        return self.view(caller, updated)

    async def set_version(self, caller: Identity, prompt_id: str, version_id: str) -> PromptView:
        """Makes a stored version live: its name, content, data, meta and tags (not its command
        or grants). A version that is not this prompt's is Open WebUI's 400 ``DEFAULT()``."""
        await self.checked(caller, prompt_id, write=True)
        updated = await self._store.apply_version(prompt_id, version_id) if version_id else None
        if updated is None:
            raise errors.InvalidArgument(messages.DEFAULT)
        return self.view(caller, updated)

    async def update_access(self, caller: Identity, prompt_id: str, raw_grants: object) -> PromptView:
        record = await self.checked(caller, prompt_id, write=True)
        grants = await self._grants(caller, prompt_id, raw_grants, record.access_grants, strict=True)
        updated = await self._store.set_grants(prompt_id, grants)
        if updated is None:
            raise not_found()
        return self.view(caller, updated)

    async def toggle(self, caller: Identity, prompt_id: str) -> PromptView:
        record = await self.checked(caller, prompt_id, write=True)
        updated = await self._store.set_active(prompt_id, not record.is_active)
        if updated is None:
            raise not_found()
        return self.view(caller, updated)

    async def delete(self, caller: Identity, prompt_id: str) -> bool:
        await self.checked(caller, prompt_id, write=True)
        return await self._store.delete(prompt_id)

    # Helpers.

    async def _command_free(self, record: PromptRecord, command: str, *, by_another: bool) -> None:
        if command == record.command:
            return
        holder = await self._store.get_by_command(command)
        if holder is not None and holder.id != record.id:
            raise errors.InvalidArgument(messages.command_in_use(command, by_another=by_another))

    async def _write(
        self,
        record: PromptRecord,
        version: PromptVersion | None,
        *,
        make_live: bool,
        command: str,
        by_another: bool,
    ) -> PromptRecord:
        try:
            updated = await self._store.update(record, version, make_live=make_live)
        except CommandTaken:
            # Another prompt took the command since the check above.
            raise errors.InvalidArgument(messages.command_in_use(command, by_another=by_another)) from None
        if updated is None:
            raise not_found()
        return updated

    def _version(
        self,
        caller: Identity,
        record: PromptRecord,
        version_id: str,
        parent_id: str | None,
        commit_message: str | None,
    ) -> PromptVersion:
        return PromptVersion(
            id=version_id,
            prompt_id=record.id,
            parent_id=parent_id,
            snapshot=snapshot_of(record),
            user_id=caller.user_id,
            commit_message=commit_message,
            created_at=int(self._clock()),
        )

    async def _grants(
        self, caller: Identity, prompt_id: str, raw: object, existing: list[dict], *, strict: bool
    ) -> list[dict]:
        """The grants the caller may give (§6.2), in Open WebUI's stored shape, every group they
        name checked to exist (400 otherwise)."""
        allowed = access.shareable_grants(caller, "prompt", raw, strict=strict)
        await require_known_groups(self._groups, caller, allowed)
        # A grant kept from before keeps its id and age.
        known = {(g["principal_type"], g["principal_id"], g["permission"]): g for g in existing}
        now = int(self._clock())
        return [
            known.get(grant)
            or {
                "id": self._new_id(),
                "resource_type": "prompt",
                "resource_id": prompt_id,
                "principal_type": grant[0],
                "principal_id": grant[1],
                "permission": grant[2],
                "created_at": now,
            }
            for grant in allowed
        ]
