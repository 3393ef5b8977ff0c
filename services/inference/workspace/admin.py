"""Workspace model CRUD (``/api/v1/models/*``): the rules of Open WebUI's ``routers/models.py``."""

import dataclasses
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Protocol

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from services.common import access, messages, permissions
from services.common.errors import AlreadyExists, InvalidArgument, NotFound, PermissionDenied
from services.common.forms.types import has_nul
from services.common.forms.workspace_models import ModelForm, ModelMetaForm
from services.common.group_check import GroupDirectory, require_known_groups
from services.common.identity import Identity
from services.inference.workspace.merge import claims_base_model
from services.inference.workspace.records import ModelPage, ReadableModel, WorkspaceModel

MAX_ID_LENGTH = 256
RESOURCE_TYPE = "model"
# The form's free-form objects: stored as jsonb, so NUL characters anywhere in them are refused.
_FREE_FORM = ("meta", "params")
# What a value failing pydantic's check of this type must be, in the service's texts. ``missing``:
# id and name, the only required fields once meta and params default to {}.
_MUST_BE = {
    "missing": "a string",
    "string_type": "a string",
    "model_type": "an object",
    "dict_type": "an object",
    "list_type": "a list",
    "bool_type": "a boolean",
}


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


# The base models (upstream and pipe models, before workspace rows apply) as the model list shows them.
BaseModels = Callable[[], Awaitable[list[dict]]]


def _lenient(form: dict) -> dict:
    """What the service has always taken from callers that reach it directly, and the gateway's form
    refuses: a missing or null ``meta`` or ``params`` as ``{}``, and access grants that are not
    objects, dropped here as ``access.normalise_grants`` drops them."""
    lenient = dict(form)
    for key in _FREE_FORM:
        if lenient.get(key) is None:
            lenient[key] = {}
    grants = lenient.get("access_grants")
    if isinstance(grants, list):
        lenient["access_grants"] = [grant for grant in grants if isinstance(grant, dict)]
    return lenient


def _error_text(error: ErrorDetails) -> str:
    where = ".".join(str(part) for part in error["loc"])
    if error["type"] == "value_error":  # the form's only own check: Text's refusal of NUL
        return f"{where} must not contain NUL characters"
    return f"{where} must be {_MUST_BE.get(error['type'], 'valid')}"


def _first_problem(form: dict, errors: list[ErrorDetails]) -> str | None:
    """The text of the first check ``form`` fails, field by field in the form's order, as the
    service has always checked: a field's type, then NUL characters anywhere in a free-form object,
    then the fields inside it."""
    for field in ModelForm.model_fields:
        found = [error for error in errors if error["loc"][0] == field]
        if found and len(found[0]["loc"]) == 1:
            return _error_text(found[0])
        if field in _FREE_FORM and has_nul(form[field]):
            return f"{field} must not contain NUL characters"
        if found:
            return _error_text(found[0])
    return None


def model_form(raw: object) -> ModelForm:
    """``raw`` validated with the gateway's ModelForm, strictly (JSON's types, none coerced, as the
    service has always checked), or InvalidArgument with the text of the first check it fails."""
    if not isinstance(raw, dict):
        raise InvalidArgument("The model form must be a JSON object")
    form = _lenient(raw)
    errors: list[ErrorDetails] = []
    try:
        validated = ModelForm.model_validate(form, strict=True)
    except ValidationError as error:
        errors = error.errors(include_url=False)
    # Any error makes a problem (its location starts with a field), so ``validated`` is set below.
    problem = _first_problem(form, errors)
    if problem is not None:
        raise InvalidArgument(problem)
    return validated


def normalize_meta(meta: ModelMetaForm) -> dict:
    """``meta`` as Open WebUI's ModelMeta stores it: its declared fields first (with defaults),
    then the rest; ``tags`` as ``[{"name"}]`` (plain strings are wrapped, other entries dropped)."""
    normalized = meta.model_dump()
    tags = normalized.get("tags")
    if isinstance(tags, list):
        normalized["tags"] = [
            {"name": tag} if isinstance(tag, str) else tag
            for tag in tags
            if isinstance(tag, str) or (isinstance(tag, dict) and "name" in tag)
        ]
    return normalized


def _not_found() -> NotFound:
    # Open WebUI answers a missing model with 401 on every route but ``GET /model``.
    return NotFound(messages.NOT_FOUND, http_status=401)


def _unauthorized() -> PermissionDenied:
    return PermissionDenied(messages.UNAUTHORIZED, http_status=401)


def readable(row: WorkspaceModel, caller: Identity) -> ReadableModel:
    """The row as the list and ``GET /model`` show it: ``params`` (the system prompt, …) emptied for
    a caller who may only read."""
    write = access.can_write(caller, row.user_id, row.access_grants)
    return ReadableModel(row if write else dataclasses.replace(row, params={}), write)


def _without_image(model: ReadableModel) -> ReadableModel:
    # Profile images (often data URLs) are served on their own route, not carried in the list.
    meta = {k: v for k, v in model.row.meta.items() if k != "profile_image_url"}
    return dataclasses.replace(model, row=dataclasses.replace(model.row, meta=meta))


def _matches(row: WorkspaceModel, query: str) -> bool:
    needle = query.lower()
    return any(needle in (value or "").lower() for value in (row.name, row.id, row.base_model_id))


class ModelAdmin:
    """Create, read, update, toggle and delete workspace models; every change invalidates the catalog."""

    def __init__(
        self,
        store: ModelStore,
        catalog: Invalidatable,
        base_models: BaseModels,
        clock: Callable[[], float] = time.time,
        groups: GroupDirectory | None = None,
        new_id: Callable[[], str] = lambda: str(uuid.uuid4()),
    ) -> None:
        self._store = store
        self._catalog = catalog
        self._base_models = base_models
        self._clock = clock
        self._groups = groups
        self._new_id = new_id

    def _now(self) -> int:
        return int(self._clock())

    async def _grants(
        self, caller: Identity, model_id: str, raw: object, existing: list[dict], *, strict: bool
    ) -> list[dict]:
        """The grants of ``raw`` the caller may give (§6.2: dropped on the create and update forms,
        a 403 on ``/access/update``) in the stored shape; a group they name must exist (400)."""
        grants = access.shareable_grants(caller, RESOURCE_TYPE, raw, strict=strict)
        await require_known_groups(self._groups, caller, grants)
        return access.grant_records(grants, RESOURCE_TYPE, model_id, existing, self._now(), self._new_id)

    async def list(self, caller: Identity, query: str = "", page: int = 1, page_size: int = 30) -> ModelPage:
        """The presets (rows with a base model) the caller can read, newest first, filtered by
        ``query`` on name, id and base model id; ``page`` is 1-based (0: every row)."""
        rows = [
            row
            for row in await self._store.presets()
            if access.can_read(caller, row.user_id, row.access_grants) and (not query or _matches(row, query))
        ]
        shown = rows if page <= 0 else rows[(page - 1) * page_size : page * page_size]
        return ModelPage([_without_image(readable(row, caller)) for row in shown], len(rows))

    async def create(self, caller: Identity, raw_form: object) -> WorkspaceModel:
        form = model_form(raw_form)
        # Open WebUI's answer without ``workspace.models``: 401 UNAUTHORIZED.
        if not access.has_permission(caller, permissions.WORKSPACE_MODELS):
            raise _unauthorized()
        if await self._store.get(form.id) is not None:
            raise AlreadyExists(messages.MODEL_ID_TAKEN, http_status=401)
        if not form.id or len(form.id) > MAX_ID_LENGTH:
            raise InvalidArgument(messages.MODEL_ID_TOO_LONG)
        if not caller.is_admin and claims_base_model(form.id, await self._base_models()):
            # A row with a base model's id renames, hides or re-prompts that model for everyone:
            # customising base models is for admins (as in Open WebUI's admin settings).
            raise AlreadyExists(messages.MODEL_ID_TAKEN, http_status=401)
        now = self._now()
        model = WorkspaceModel(
            id=form.id,
            user_id=caller.user_id,
            base_model_id=form.base_model_id,
            name=form.name,
            params=form.params.model_dump(),
            meta=normalize_meta(form.meta),
            access_grants=await self._grants(caller, form.id, form.access_grants, [], strict=False),
            is_active=form.is_active,
            created_at=now,
            updated_at=now,
        )
        if not await self._store.insert(model):
            # Created by someone else since the check above.
            raise AlreadyExists(messages.MODEL_ID_TAKEN, http_status=401)
        self._catalog.invalidate()
        return model

    async def get(self, caller: Identity, model_id: str) -> ReadableModel:
        row = await self._store.get(model_id)
        if row is None:
            raise NotFound(messages.NOT_FOUND)
        if not access.can_read(caller, row.user_id, row.access_grants):
            raise PermissionDenied(messages.ACCESS_PROHIBITED, http_status=401)
        return readable(row, caller)

    async def update(self, caller: Identity, raw_form: object) -> WorkspaceModel:
        form = model_form(raw_form)
        row = await self._store.get(form.id)
        if row is None:
            raise _not_found()
        if not access.can_write(caller, row.user_id, row.access_grants):
            raise PermissionDenied(messages.ACCESS_PROHIBITED, http_status=400)
        grants = (
            await self._grants(caller, form.id, form.access_grants, row.access_grants, strict=False)
            if form.access_grants is not None
            else None
        )
        updated = await self._store.update(
            form.id,
            base_model_id=form.base_model_id,
            name=form.name,
            params=form.params.model_dump(),
            meta=normalize_meta(form.meta),
            is_active=form.is_active,
            access_grants=grants,
            updated_at=self._now(),
        )
        if updated is None:
            raise _not_found()
        self._catalog.invalidate()
        return updated

    async def update_access(
        self, caller: Identity, model_id: str, name: str, raw_grants: object
    ) -> WorkspaceModel:
        """``POST /model/access/update`` (§6.3): replaces a model's grants (owner, writer, admin).
        A raw backend model has no row yet: an admin's call creates a minimal one (which is what
        makes a raw model visible to the users it grants), anyone else's is 403."""
        if not model_id or len(model_id) > MAX_ID_LENGTH or any(c.isspace() for c in model_id):
            raise InvalidArgument(
                messages.MODEL_ID_TOO_LONG if model_id else "The model id must not be empty"
            )
        row = await self._store.get(model_id)
        if row is None:
            if not caller.is_admin:
                raise PermissionDenied(messages.ACCESS_PROHIBITED, http_status=403)
            now = self._now()
            row = WorkspaceModel(
                id=model_id,
                user_id=caller.user_id,
                base_model_id=None,
                name=name or model_id,
                params={},
                meta={},
                access_grants=[],
                is_active=True,
                created_at=now,
                updated_at=now,
            )
            if not await self._store.insert(row):
                row = await self._store.get(model_id)
                if row is None:
                    raise InvalidArgument(messages.error_with("Error creating model entry"))
        if not access.can_write(caller, row.user_id, row.access_grants):
            raise PermissionDenied(messages.ACCESS_PROHIBITED, http_status=400)
        grants = await self._grants(caller, model_id, raw_grants, row.access_grants, strict=True)
        updated = await self._store.update(
            model_id,
            base_model_id=row.base_model_id,
            name=row.name,
            params=row.params,
            meta=row.meta,
            is_active=row.is_active,
            access_grants=grants,
            updated_at=self._now(),
        )
        if updated is None:
            raise _not_found()
        self._catalog.invalidate()
        return updated

    async def toggle(self, caller: Identity, model_id: str) -> WorkspaceModel:
        row = await self._store.get(model_id)
        if row is None:
            raise _not_found()
        if not access.can_write(caller, row.user_id, row.access_grants):
            raise _unauthorized()
        toggled = await self._store.toggle(model_id, self._now())
        if toggled is None:
            raise _not_found()
        self._catalog.invalidate()
        return toggled

    async def delete(self, caller: Identity, model_id: str) -> bool:
        row = await self._store.get(model_id)
        if row is None:
            raise _not_found()
        if not access.can_write(caller, row.user_id, row.access_grants):
            raise _unauthorized()
        deleted = await self._store.delete(model_id)
        self._catalog.invalidate()
        return deleted
