"""Where the scoped API keys are kept: Postgres in production, a dict in unit tests."""

from typing import Protocol

from services.auth.api_key_models import ApiKeyRecord


class KeyNameTakenError(Exception):
    """Raised by a repository when the user already has a key of that name."""


class ApiKeyRepository(Protocol):
    """The named keys of each user (auth_api_key); the hash never leaves the repository."""

    async def insert_api_key(self, record: ApiKeyRecord, key_hash: str, max_keys: int) -> bool:
        """Stores a new key; False when the user already holds ``max_keys`` keys. Raises
        KeyNameTakenError when the name is the user's already."""
        ...

    async def list_api_keys(self, user_id: str) -> list[ApiKeyRecord]:
        """The user's keys, oldest first."""
        ...

    async def get_api_key(self, user_id: str, key_id: str) -> ApiKeyRecord | None: ...

    async def delete_api_key_by_id(self, user_id: str, key_id: str) -> bool: ...
