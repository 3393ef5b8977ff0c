"""Workspace model CRUD (``/api/v1/models/*``): the rules of Open WebUI's ``routers/models.py``."""

import time
from collections.abc import Callable
from typing import Protocol

from services.common import access_grants, messages
from services.common.access_grants import Principal
from services.common.errors import AlreadyExists, InvalidArgument, NotFound, PermissionDenied
from services.inference.workspace.records import WorkspaceModel

MAX_ID_LENGTH = 256
RESOURCE_TYPE = "model"
# ModelMeta's declared fields and their defaults, first in a stored ``meta``.
_META_DEFAULTS = {"profile_image_url": "/static/favicon.png", "description": None, "capabilities": None}


class ModelStore(Protocol):
    async def get(self, model_id: str) -> WorkspaceModel | None: ...

    async def presets(self) -> list[WorkspaceModel]: ...

    async def insert(self, model: WorkspaceModel) -> bool: ...

    async def update(
        self,
        model_id: str,
        *,
        base_model_id: str | None,
        name: str,
        params: dict,
        meta: dict,
        is_active: bool,
        access_grants: list[dict] | None,
        updated_at: int,
    ) -> WorkspaceModel | None: ...

    async def toggle(self, model_id: str, updated_at: int) -> WorkspaceModel | None: ...

    async def delete(self, model_id: str) -> bool: ...


class Invalidatable(Protocol):
    def invalidate(self) -> None: ...


def _has_nul(value: object) -> bool:
    """PostgreSQL text and jsonb cannot hold NUL: such input is refused, not failed on."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def _text(form: dict, key: str, *, optional: bool = False) -> str | None:
    value = form.get(key)
    if value is None and optional:
        return None
    if not isinstance(value, str):
        raise InvalidArgument(f"{key} must be a string")
    if "\x00" in value:
        raise InvalidArgument(f"{key} must not contain NUL characters")
    return value


def _object(form: dict, key: str) -> dict:
    value = form.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InvalidArgument(f"{key} must be an object")
    if _has_nul(value):
        raise InvalidArgument(f"{key} must not contain NUL characters")
    return value


def normalize_meta(meta: dict) -> dict:
    """``meta`` as Open WebUI's ModelMeta stores it: its declared fields first (with defaults),
    then the rest; ``tags`` as ``[{"name"}]`` (plain strings are wrapped, other entries dropped)."""
    for key in ("profile_image_url", "description"):
        if meta.get(key) is not None and not isinstance(meta[key], str):
            raise InvalidArgument(f"meta.{key} must be a string")
    if meta.get("capabilities") is not None and not isinstance(meta["capabilities"], dict):
        raise InvalidArgument("meta.capabilities must be an object")
    normalized = {**_META_DEFAULTS, **meta}
    tags = normalized.get("tags")
    if isinstance(tags, list):
        normalized["tags"] = [
            {"name": tag} if isinstance(tag, str) else tag
            for tag in tags
            if isinstance(tag, str) or (isinstance(tag, dict) and "name" in tag)
        ]
    return normalized


class ModelForm:
    """The validated model form: ``{id, base_model_id, name, meta, params, access_grants, is_active}``."""

    def __init__(self, form: object) -> None:
        if not isinstance(form, dict):
            raise InvalidArgument("The model form must be a JSON object")
        self.id = _text(form, "id") or ""
        self.base_model_id = _text(form, "base_model_id", optional=True)
        self.name = _text(form, "name") or ""
        self.meta = normalize_meta(_object(form, "meta"))
        self.params = _object(form, "params")
        grants = form.get("access_grants")
        if grants is not None and not isinstance(grants, list):
            raise InvalidArgument("access_grants must be a list")
        self.access_grants: list | None = grants
        is_active = form.get("is_active", True)
        if not isinstance(is_active, bool):
            raise InvalidArgument("is_active must be a boolean")
        self.is_active = is_active


def _not_found() -> NotFound:
    # Open WebUI answers a missing model with 401 on every route but ``GET /model``.
    return NotFound(messages.NOT_FOUND, http_status=401)


def _unauthorized() -> PermissionDenied:
    return PermissionDenied(messages.UNAUTHORIZED, http_status=401)


def with_write_access(row: WorkspaceModel, caller: Principal) -> dict:
    """The row as the list and ``GET /model`` show it: ``write_access`` added, and ``params`` (the
    system prompt, …) emptied for a caller who may only read."""
    write = access_grants.can_write(caller, row.user_id, row.access_grants)
    body = row.to_json()
    if not write:
        body["params"] = {}
    body["write_access"] = write
    return body


def _matches(row: WorkspaceModel, query: str) -> bool:
    needle = query.lower()
    return any(needle in (value or "").lower() for value in (row.name, row.id, row.base_model_id))


class ModelAdmin:
    """Create, read, update, toggle and delete workspace models; every change invalidates the catalog."""

    def __init__(
        self, store: ModelStore, catalog: Invalidatable, clock: Callable[[], float] = time.time
    ) -> None:
        self._store = store
        self._catalog = catalog
        self._clock = clock

    def _now(self) -> int:
        return int(self._clock())

    async def list(self, caller: Principal, query: str = "", page: int = 1, page_size: int = 30) -> dict:
        """``{"items": [row + write_access], "total"}``: the presets (rows with a base model) the
        caller can read, newest first, filtered by ``query`` on name, id and base model id; ``page``
        is 1-based (0: every row)."""
        rows = [
            row
            for row in await self._store.presets()
            if access_grants.can_read(caller, row.user_id, row.access_grants)
            and (not query or _matches(row, query))
        ]
        shown = rows if page <= 0 else rows[(page - 1) * page_size : page * page_size]
        items = [with_write_access(row, caller) for row in shown]
        for item in items:
            # Profile images are served on their own route, not in the list.
            item["meta"] = {k: v for k, v in item["meta"].items() if k != "profile_image_url"}
        return {"items": items, "total": len(rows)}

    async def create(self, caller: Principal, raw_form: object) -> WorkspaceModel:
        form = ModelForm(raw_form)
        if await self._store.get(form.id) is not None:
            raise AlreadyExists(messages.MODEL_ID_TAKEN, http_status=401)
        if not form.id or len(form.id) > MAX_ID_LENGTH:
            raise InvalidArgument(messages.MODEL_ID_TOO_LONG)
        now = self._now()
        model = WorkspaceModel(
            id=form.id,
            user_id=caller.user_id,
            base_model_id=form.base_model_id,
            name=form.name,
            params=form.params,
            meta=form.meta,
            access_grants=access_grants.clean_grants(form.access_grants, caller, RESOURCE_TYPE, form.id),
            is_active=form.is_active,
            created_at=now,
            updated_at=now,
        )
        if not await self._store.insert(model):
            # Created by someone else since the check above.
            raise AlreadyExists(messages.MODEL_ID_TAKEN, http_status=401)
        self._catalog.invalidate()
        return model

    async def get(self, caller: Principal, model_id: str) -> dict:
        row = await self._store.get(model_id)
        if row is None:
            raise NotFound(messages.NOT_FOUND)
        if not access_grants.can_read(caller, row.user_id, row.access_grants):
            raise PermissionDenied(messages.ACCESS_PROHIBITED, http_status=401)
        return with_write_access(row, caller)

    async def update(self, caller: Principal, raw_form: object) -> WorkspaceModel:
        form = ModelForm(raw_form)
        row = await self._store.get(form.id)
        if row is None:
            raise _not_found()
        if not access_grants.can_write(caller, row.user_id, row.access_grants):
            raise PermissionDenied(messages.ACCESS_PROHIBITED, http_status=400)
        grants = (
            access_grants.clean_grants(form.access_grants, caller, RESOURCE_TYPE, form.id)
            if form.access_grants is not None
            else None
        )
        updated = await self._store.update(
            form.id,
            base_model_id=form.base_model_id,
            name=form.name,
            params=form.params,
            meta=form.meta,
            is_active=form.is_active,
            access_grants=grants,
            updated_at=self._now(),
        )
        if updated is None:
            raise _not_found()
        self._catalog.invalidate()
        return updated

    async def toggle(self, caller: Principal, model_id: str) -> WorkspaceModel:
        row = await self._store.get(model_id)
        if row is None:
            raise _not_found()
        if not access_grants.can_write(caller, row.user_id, row.access_grants):
            raise _unauthorized()
        toggled = await self._store.toggle(model_id, self._now())
        if toggled is None:
            raise _not_found()
        self._catalog.invalidate()
        return toggled

    async def delete(self, caller: Principal, model_id: str) -> bool:
        row = await self._store.get(model_id)
        if row is None:
            raise _not_found()
        if not access_grants.can_write(caller, row.user_id, row.access_grants):
            raise _unauthorized()
        deleted = await self._store.delete(model_id)
        self._catalog.invalidate()
        return deleted
