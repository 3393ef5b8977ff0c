"""Who a request acts for: the one identity type every service and the gateway share."""

from dataclasses import dataclass, field

from webui.common.v1 import identity_pb2

ROLE_ADMIN = "admin"
ROLE_USER = "user"
ROLE_PENDING = "pending"

# API key kinds (KeyScope.kind): whatever the user may, models and retrieval only, files and
# knowledge only, or reads only.
KEY_KIND_FULL = "full"
KEY_KIND_CHAT = "chat"
KEY_KIND_INGEST = "ingest"
KEY_KIND_READ = "read"
KEY_KINDS = (KEY_KIND_FULL, KEY_KIND_CHAT, KEY_KIND_INGEST, KEY_KIND_READ)


@dataclass(frozen=True, slots=True)
class KeyScope:
    """What one API key may reach, beyond what its user may: empty id lists mean "any"."""

    key_id: str
    name: str = ""
    kind: str = KEY_KIND_FULL
    model_ids: frozenset[str] = frozenset()
    knowledge_ids: frozenset[str] = frozenset()
    file_ids: frozenset[str] = frozenset()
    expires_at: int = 0


@dataclass(frozen=True, slots=True)
class Identity:
    """A user as their credential proved them: never built from what a request body says.

    ``via_api_key`` is true when the credential was an ``sk-`` key rather than a session JWT;
    some actions (creating or deleting keys) need a session. ``credential`` is the secret that
    proved it, kept so that a call made on the user's behalf (inference asking ingest for
    retrieval) carries exactly the user's own credential; it is left out of ``repr`` and equality
    so that it never reaches a log line.

    ``group_ids`` are the user's effective groups (direct and inherited), ``permissions`` the
    dotted permission keys that are true for the user, and ``scope`` the API key's scope (None for
    a session). Access decisions read them through ``services.common.access``.
    """

    user_id: str
    role: str = ROLE_USER
    name: str = ""
    email: str = ""
    via_api_key: bool = False
    credential: str = field(default="", repr=False, compare=False)
    group_ids: frozenset[str] = frozenset()
    permissions: frozenset[str] = frozenset()
    scope: KeyScope | None = None
    # The grant principals this identity matches, ("user", id), ("user", "*"), ("group", id):
    # computed once so that a grant check is a set lookup.
    principals: frozenset[tuple[str, str]] = field(init=False, repr=False, compare=False, default=frozenset())

    def __post_init__(self) -> None:
        keys = {("user", self.user_id), ("user", "*")}
        keys.update(("group", group_id) for group_id in self.group_ids)
        object.__setattr__(self, "principals", frozenset(keys))

    @property
    def is_admin(self) -> bool:
        return self.role == ROLE_ADMIN

    @property
    def is_verified(self) -> bool:
        """A user or admin; a pending account may only look at itself."""
        return self.role in (ROLE_USER, ROLE_ADMIN)


def _scope_from_pb(message: identity_pb2.KeyScope) -> KeyScope:
    return KeyScope(
        key_id=message.key_id,
        name=message.name,
        kind=message.kind or KEY_KIND_FULL,
        model_ids=frozenset(message.model_ids),
        knowledge_ids=frozenset(message.knowledge_ids),
        file_ids=frozenset(message.file_ids),
        expires_at=message.expires_at,
    )


def identity_from_pb(message: identity_pb2.Identity, credential: str = "") -> Identity:
    """The one converter from the wire shape (``webui.common.v1.Identity``)."""
    return Identity(
        user_id=message.user_id,
        role=message.role or ROLE_PENDING,
        name=message.name,
        email=message.email,
        via_api_key=message.via_api_key,
        credential=credential,
        group_ids=frozenset(message.group_ids),
        permissions=frozenset(message.permissions),
        scope=_scope_from_pb(message.key_scope) if message.HasField("key_scope") else None,
    )


def identity_to_pb(identity: Identity) -> identity_pb2.Identity:
    """The wire shape of ``identity``; the credential never travels in a message."""
    message = identity_pb2.Identity(
        user_id=identity.user_id,
        role=identity.role,
        name=identity.name,
        email=identity.email,
        via_api_key=identity.via_api_key,
        group_ids=sorted(identity.group_ids),
        permissions=sorted(identity.permissions),
    )
    if identity.scope is not None:
        scope = identity.scope
        message.key_scope.CopyFrom(
            identity_pb2.KeyScope(
                key_id=scope.key_id,
                name=scope.name,
                kind=scope.kind,
                model_ids=sorted(scope.model_ids),
                knowledge_ids=sorted(scope.knowledge_ids),
                file_ids=sorted(scope.file_ids),
                expires_at=scope.expires_at,
            )
        )
    return message
