"""The chat configuration (``GET|POST /api/v1/chats/config``): its defaults, the admin's stored
update (one PostgreSQL row every replica reads), and a cache of at most ``ttl_s``."""

import time
from collections.abc import Callable

from pydantic import ValidationError

from services.common import messages
from services.common.forms.chats import ChatConfigForm
from services.common.fresh_value import FreshValue
from services.common.identity import Identity
from services.inference.chats import access
from services.inference.chats.form_json import invalid
from services.inference.config_rows import ConfigRows

DEFAULTS: dict = {
    "CONTEXT_COMPACTION_MODEL": "",
    "ENABLE_CONTEXT_COMPACTION": False,
    "CONTEXT_COMPACTION_TOKEN_THRESHOLD": 80000,
    "CONTEXT_COMPACTION_TOKEN_CAP": None,
    "CONTEXT_COMPACTION_RETENTION_PERCENTAGE": 40,
    "CONTEXT_COMPACTION_PROMPT_TEMPLATE": "",
    "ENABLE_TOOL_PERMISSIONS": False,
    "ENABLE_TOOL_SEARCH": False,
    "TOOL_SEARCH_DEFER_THRESHOLD": 400,
    "TOOL_SEARCH_ALWAYS_LOADED": [],
    "TOOL_SEARCH_DEFER_BUILTIN_TOOLS": False,
}


def shown(stored: dict | None) -> dict:
    """The object Open WebUI answers: every key, a stored value of the default's type over the
    default, and no token cap meaning the threshold."""
    config = dict(DEFAULTS)
    for key, value in (stored or {}).items():
        if key not in DEFAULTS:
            continue
        default = DEFAULTS[key]
        # The cap's default is None; it holds an integer when stored.
        kind = int if default is None else type(default)
        if isinstance(value, kind) and isinstance(value, bool) == isinstance(default, bool):
            config[key] = value
    if config["CONTEXT_COMPACTION_TOKEN_CAP"] is None:
        config["CONTEXT_COMPACTION_TOKEN_CAP"] = config["CONTEXT_COMPACTION_TOKEN_THRESHOLD"]
    return config


def from_form(form: ChatConfigForm) -> dict:
    """What an update stores, bounded as Open WebUI bounds it: a threshold and cap of at least 1, a
    retention of 10–50 %."""
    threshold = max(1, form.CONTEXT_COMPACTION_TOKEN_THRESHOLD)
    return {
        **form.model_dump(),
        "CONTEXT_COMPACTION_MODEL": form.CONTEXT_COMPACTION_MODEL or "",
        "CONTEXT_COMPACTION_TOKEN_THRESHOLD": threshold,
        "CONTEXT_COMPACTION_TOKEN_CAP": max(1, form.CONTEXT_COMPACTION_TOKEN_CAP or threshold),
        "CONTEXT_COMPACTION_RETENTION_PERCENTAGE": min(
            50, max(10, form.CONTEXT_COMPACTION_RETENTION_PERCENTAGE)
        ),
    }


class ChatConfigStore:
    """The configuration in force: read from PostgreSQL at most every ``ttl_s`` per replica, so an
    update made on another replica applies here within that bound. Admins only."""

    def __init__(self, rows: ConfigRows, ttl_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._rows = rows
        self._config = FreshValue(self._load, ttl_s, clock)

    async def _load(self) -> dict:
        return shown(await self._rows.load())

    async def current(self) -> dict:
        return dict(await self._config.get())

    async def get(self, identity: Identity) -> dict:
        _require_admin(identity)
        return await self.current()

    async def update(self, identity: Identity, raw: bytes) -> dict:
        _require_admin(identity)
        try:
            form = ChatConfigForm.model_validate_json(raw)
        except ValidationError as error:
            raise invalid(error) from None
        stored = from_form(form)
        await self._rows.save(stored)
        self._config.put(shown(stored))
        return await self.current()


def _require_admin(identity: Identity) -> None:
    if not identity.is_admin:
        raise access.denied(messages.ACCESS_PROHIBITED)
