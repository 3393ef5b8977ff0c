"""Many named, scoped API keys per user: create, list, get and revoke. No I/O of its own.

A key is shown in full once, when it is made; afterwards only its last four characters. Who may
make keys: ENABLE_API_KEYS must be on and, for a non-admin, the permission ``features.api_keys``
must be true; only a signed-in session (not a key) may create or revoke keys, so that a leaked key
cannot mint its successor (the servicer checks that). Whether the model, collection and file ids
of a scope exist for the caller is checked by whoever can ask those services (the gateway).
"""

import time
import unicodedata
import uuid
from collections.abc import Awaitable, Callable

from services.auth import errors
from services.auth.api_key_models import ApiKeyRecord, ApiKeySpec
from services.auth.api_key_repository import ApiKeyRepository, KeyNameTakenError
from services.auth.tokens import hash_api_key, new_api_key
from services.common import access, permissions
from services.common.identity import KEY_KINDS, Identity

MAX_KEYS_PER_USER = 100
MAX_NAME_CHARS = 100
MAX_SCOPE_IDS = 100
MAX_ID_CHARS = 255


def _clean_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise errors.InvalidApiKeySpec("name must not be empty")
    if len(name) > MAX_NAME_CHARS:
        raise errors.InvalidApiKeySpec(f"name must be at most {MAX_NAME_CHARS} characters")
    if any(unicodedata.category(c).startswith("C") for c in name):
        raise errors.InvalidApiKeySpec("name must not contain control characters")
    return name


def _clean_ids(field: str, ids: tuple[str, ...]) -> tuple[str, ...]:
    kept = tuple(dict.fromkeys(i.strip() for i in ids))
    if len(kept) > MAX_SCOPE_IDS:
        raise errors.InvalidApiKeySpec(f"{field} may name at most {MAX_SCOPE_IDS} ids")
    for value in kept:
        if not value or len(value) > MAX_ID_CHARS or "\x00" in value:
            raise errors.InvalidApiKeySpec(f"{field} holds an empty or invalid id")
    return kept


def clean_spec(spec: ApiKeySpec, now: float) -> ApiKeySpec:
    """``spec`` with its name trimmed and lists de-duplicated; InvalidApiKeySpec says what is wrong."""
    if spec.kind not in KEY_KINDS:
        raise errors.InvalidApiKeySpec(f"kind must be one of {', '.join(KEY_KINDS)}")
    if spec.expires_at is not None and spec.expires_at <= now:
        raise errors.InvalidApiKeySpec("expires_at must lie in the future")
    return ApiKeySpec(
        name=_clean_name(spec.name),
        kind=spec.kind,
        expires_at=spec.expires_at,
        model_ids=_clean_ids("model_ids", spec.model_ids),
        knowledge_ids=_clean_ids("knowledge_ids", spec.knowledge_ids),
        file_ids=_clean_ids("file_ids", spec.file_ids),
    )


class ApiKeysCore:
    """Named keys of the calling user, on top of an ApiKeyRepository."""

    def __init__(self, repo: ApiKeyRepository, enabled: Callable[[], Awaitable[bool]]) -> None:
        self._repo = repo
        # ENABLE_API_KEYS as it is now (the admin config's live value, or the environment's).
        self._enabled = enabled

    async def _check_enabled(self) -> None:
        if not await self._enabled():
            raise errors.ApiKeyCreationDisabled()

    async def _check_allowed(self, caller: Identity) -> None:
        await self._check_enabled()
        if not access.has_permission(caller, permissions.FEATURES_API_KEYS):
            raise errors.ApiKeyFeatureDenied()

    async def create(self, caller: Identity, spec: ApiKeySpec) -> tuple[str, ApiKeyRecord]:
        """A new key in full (shown this once) and its record."""
        await self._check_allowed(caller)
        now = time.time()
        spec = clean_spec(spec, now)
        key = new_api_key()
        record = ApiKeyRecord(
            id=str(uuid.uuid4()),
            user_id=caller.user_id,
            name=spec.name,
            kind=spec.kind,
            last4=key[-4:],
            created_at=int(now),
            expires_at=spec.expires_at,
            model_ids=spec.model_ids,
            knowledge_ids=spec.knowledge_ids,
            file_ids=spec.file_ids,
        )
        try:
            stored = await self._repo.insert_api_key(record, hash_api_key(key), MAX_KEYS_PER_USER)
        except KeyNameTakenError:
            raise errors.ApiKeyNameTaken() from None
        if not stored:
            raise errors.TooManyApiKeys(MAX_KEYS_PER_USER)
        return key, record

    async def list(self, caller: Identity) -> list[ApiKeyRecord]:
        await self._check_enabled()
        return await self._repo.list_api_keys(caller.user_id)

    async def get(self, caller: Identity, key_id: str) -> ApiKeyRecord:
        await self._check_enabled()
        record = await self._repo.get_api_key(caller.user_id, key_id) if _plausible(key_id) else None
        if record is None:
            raise errors.ApiKeyNotFound()
        return record

    async def revoke(self, caller: Identity, key_id: str) -> ApiKeyRecord:
        """Deletes the key (it stops working at once here, within the cache bound elsewhere)."""
        await self._check_enabled()
        record = await self.get(caller, key_id)
        if not await self._repo.delete_api_key_by_id(caller.user_id, key_id):
            raise errors.ApiKeyNotFound()
        return record


def _plausible(key_id: str) -> bool:
    """Ids are ours (uuid4 strings); anything else names no key, and NUL cannot reach SQL."""
    return 0 < len(key_id) <= 64 and "\x00" not in key_id
