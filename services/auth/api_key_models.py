"""Plain records of the scoped API keys (many named keys per user)."""

from dataclasses import dataclass

from services.common.identity import KEY_KIND_FULL, KeyScope

# The key Open WebUI's single-key routes (/api/v1/auths/api_key) create, show and delete.
DEFAULT_KEY_NAME = "default"


@dataclass(frozen=True, slots=True)
class ApiKeySpec:
    """What a new key may reach; empty id lists mean "any"."""

    name: str
    kind: str = KEY_KIND_FULL
    expires_at: int | None = None
    model_ids: tuple[str, ...] = ()
    knowledge_ids: tuple[str, ...] = ()
    file_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ApiKeyRecord:
    """A stored key, without its hash: ``last4`` is all that is left of the secret."""

    id: str
    user_id: str
    name: str
    kind: str
    last4: str
    created_at: int
    expires_at: int | None = None
    last_used_at: int | None = None
    model_ids: tuple[str, ...] = ()
    knowledge_ids: tuple[str, ...] = ()
    file_ids: tuple[str, ...] = ()

    def expired(self, now: float) -> bool:
        return self.expires_at is not None and self.expires_at <= now

    def scope(self) -> KeyScope:
        """What the key may reach, in the shape every service reads (``Identity.scope``)."""
        return KeyScope(
            key_id=self.id,
            name=self.name,
            kind=self.kind,
            model_ids=frozenset(self.model_ids),
            knowledge_ids=frozenset(self.knowledge_ids),
            file_ids=frozenset(self.file_ids),
            expires_at=self.expires_at or 0,
        )
