"""Open WebUI's function administration (``/api/v1/functions``): create, update, toggle, delete
and valves, over a FunctionStore, with Open WebUI's checks and texts."""

import logging
import time
from typing import Literal

import orjson
from pydantic import ValidationError

from services.common import messages
from services.common.errors import InvalidArgument, NotFound, Unauthenticated
from services.common.forms.functions import FunctionForm
from services.common.forms.types import NUL_CHECKED_LATER
from services.common.identity import Identity
from services.inference.functions.catalog import FunctionCatalog
from services.inference.functions.invoke import load_bounded
from services.inference.functions.loader import (
    FunctionLoadError,
    LoadedFunction,
    validate_valves,
    valves_class,
    valves_spec,
)
from services.inference.functions.records import FunctionRecord
from services.inference.functions.repository import Flag, FunctionStore

log = logging.getLogger(__name__)

Scope = Literal["admin", "user"]


def _not_found() -> NotFound:
    # Open WebUI answers a missing function with 401, not 404.
    return NotFound(messages.NOT_FOUND, http_status=401)


def _check_storable(*values: object) -> None:
    """PostgreSQL text and jsonb cannot hold NUL characters."""
    for value in values:
        try:
            text = value if isinstance(value, str) else orjson.dumps(value).decode()
        except TypeError:  # nested deeper than orjson writes (254 levels)
            raise InvalidArgument(messages.JSON_TOO_DEEP) from None
        if "\x00" in text or "\\u0000" in text:
            raise InvalidArgument(messages.FUNCTION_NOT_STORABLE)


class FunctionAdmin:
    """The function routes' logic; every change tells the catalog, so this replica sees it at once."""

    def __init__(self, store: FunctionStore, catalog: FunctionCatalog) -> None:
        self._store = store
        self._catalog = catalog

    async def list(self, caller: Identity) -> list[FunctionRecord]:
        """Every function, most recently updated first; none while functions are off."""
        _require_verified(caller)
        if not self._catalog.enabled:
            return []
        return await self._store.list_all()

    async def create(self, caller: Identity, form_json: object) -> FunctionRecord:
        _require_admin(caller)
        form = _form(form_json)
        if not form.id.isidentifier():
            raise InvalidArgument(messages.FUNCTION_ID_INVALID)
        function_id = form.id.lower()
        _check_storable(form.name, form.content, form.meta.model_dump())
        if await self._store.get(function_id) is not None:
            raise InvalidArgument(messages.ID_TAKEN)
        try:
            loaded = await self._load(function_id, form.content)
        except FunctionLoadError as error:
            raise InvalidArgument(messages.error_with(messages.FUNCTION_CREATE_FAILED, str(error))) from None
        now = int(time.time())
        record = FunctionRecord(
            id=function_id,
            user_id=caller.user_id,
            name=form.name,
            type=loaded.type,
            content=form.content,
            meta=_meta_of(function_id, form, loaded),
            valves=None,
            # New functions start switched off, as in Open WebUI.
            is_active=False,
            is_global=False,
            created_at=now,
            updated_at=now,
        )
        if not await self._store.insert(record):
            raise InvalidArgument(messages.ID_TAKEN)
        self._catalog.remember(function_id, form.content, loaded)
        self._catalog.changed()
        return record

    async def get(self, caller: Identity, function_id: str) -> FunctionRecord:
        _require_admin(caller)
        return await self._record(function_id)

    async def update(self, caller: Identity, function_id: str, form_json: object) -> FunctionRecord:
        """New code, name and meta; code that does not load switches the function off (the old code
        stays stored, with the reason) and fails the call."""
        _require_admin(caller)
        form = _form(form_json)
        _check_storable(form.name, form.content, form.meta.model_dump())
        existing = await self._store.get(function_id)
        try:
            loaded = await self._load(function_id, form.content)
        except FunctionLoadError as error:
            if existing is not None:
                await self._store.mark_load_error(function_id, str(error))
                self._catalog.changed()
            raise InvalidArgument(messages.error_with(messages.FUNCTION_UPDATE_FAILED, str(error))) from None
        updated = await self._store.update_code(
            function_id,
            name=form.name,
            type=loaded.type,
            content=form.content,
            meta=_meta_of(function_id, form, loaded),
        )
        if updated is None:
            # Open WebUI's answer when the function to update does not exist.
            raise InvalidArgument(messages.error_with(messages.FUNCTION_UPDATE_FAILED))
        self._catalog.remember(function_id, form.content, loaded)
        self._catalog.changed()
        return updated

    async def toggle(self, caller: Identity, function_id: str, flag: Flag) -> FunctionRecord:
        _require_admin(caller)
        record = await self._store.toggle(function_id, flag)
        if record is None:
            raise _not_found()
        self._catalog.changed()
        return record

    async def delete(self, caller: Identity, function_id: str) -> bool:
        """True, whether or not the function existed (as Open WebUI answers)."""
        _require_admin(caller)
        if await self._store.delete(function_id):
            self._catalog.forget(function_id)
            self._catalog.changed()
        return True

    async def valves(self, caller: Identity, function_id: str, scope: Scope, spec: bool) -> dict | None:
        """The stored valves (``{}`` when none), or with ``spec`` the JSON schema of the scope's
        valves class (None when the function has none)."""
        _require_scope(caller, scope)
        record = await self._record(function_id)
        if spec:
            loaded = await self._module(record, messages.FUNCTION_LOAD_FAILED)
            try:
                return valves_spec(loaded, scope)
            except Exception as error:  # the function's own model: any error of its making
                raise InvalidArgument(
                    messages.error_with(messages.FUNCTION_VALVES_SPEC_FAILED, str(error))
                ) from None
        if scope == "admin":
            return dict(record.valves or {})
        return await self._store.get_user_valves(function_id, caller.user_id) or {}

    async def update_valves(self, caller: Identity, function_id: str, scope: Scope, values: object) -> dict:
        """Validates ``values`` with the function's Valves (UserValves) model, None values dropped,
        and stores and returns the fields given."""
        _require_scope(caller, scope)
        if not isinstance(values, dict):
            raise InvalidArgument("The valves must be a JSON object")
        record = await self._record(function_id)
        action = (
            messages.FUNCTION_VALVES_UPDATE_FAILED
            if scope == "admin"
            else messages.FUNCTION_USER_VALVES_UPDATE_FAILED
        )
        loaded = await self._module(record, action)
        if valves_class(loaded, scope) is None:
            # Open WebUI: a function without such a class answers as if it did not exist.
            raise _not_found()
        try:
            stored = validate_valves(loaded, values, scope)
        except Exception as error:  # the function's own validators may raise anything
            raise InvalidArgument(messages.error_with(action, str(error))) from None
        _check_storable(stored)
        if scope == "admin":
            if await self._store.set_valves(function_id, stored) is None:
                raise _not_found()
            self._catalog.changed()
        else:
            if not await self._store.set_user_valves(function_id, caller.user_id, stored):
                raise _not_found()
            self._catalog.forget_user_valves(caller.user_id)
        return stored

    async def _record(self, function_id: str) -> FunctionRecord:
        record = await self._store.get(function_id)
        if record is None:
            raise _not_found()
        return record

    async def _module(self, record: FunctionRecord, action: str) -> LoadedFunction:
        try:
            return await self._catalog.module(record)
        except FunctionLoadError as error:
            raise InvalidArgument(messages.error_with(action, str(error))) from None

    async def _load(self, function_id: str, content: str) -> LoadedFunction:
        """Loads code not stored yet; the caller hands it to the catalog once it is stored."""
        return await load_bounded(function_id, content, self._catalog.load_timeout_s)


def _form(form_json: object) -> FunctionForm:
    """The gateway's form, validated again for callers that reach the service directly. NUL
    characters pass here, as they always have: ``_check_storable`` refuses them, with its own text,
    in what is stored (and the id check in a new function's id)."""
    try:
        return FunctionForm.model_validate(form_json, context=NUL_CHECKED_LATER)
    except ValidationError as error:
        raise InvalidArgument(f"Invalid function form: {error.errors(include_url=False)}") from None


def _meta_of(function_id: str, form: FunctionForm, loaded: LoadedFunction) -> dict:
    """The form's meta with the frontmatter as ``manifest`` and ``toggle`` for switchable filters."""
    meta = form.meta.model_dump()
    meta["manifest"] = dict(loaded.manifest)
    if loaded.toggle:
        meta["toggle"] = True
    requirements = loaded.manifest.get("requirements")
    if requirements:
        # Open WebUI pip-installs these; here the service's environment is fixed.
        log.warning("function %s lists requirements (%s); they are not installed", function_id, requirements)
    return meta


def _require_admin(caller: Identity) -> None:
    if not caller.is_admin:
        raise Unauthenticated(messages.ACCESS_PROHIBITED)


def _require_verified(caller: Identity) -> None:
    if caller.role not in ("user", "admin"):
        raise Unauthenticated(messages.ACCESS_PROHIBITED)


def _require_scope(caller: Identity, scope: Scope) -> None:
    if scope == "admin":
        _require_admin(caller)
    else:
        _require_verified(caller)
