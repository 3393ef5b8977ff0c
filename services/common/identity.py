"""Who a request acts for: the one identity type every service and the gateway share."""

from dataclasses import dataclass, field

from webui.common.v1 import identity_pb2

ROLE_ADMIN = "admin"
ROLE_USER = "user"
ROLE_PENDING = "pending"


@dataclass(frozen=True, slots=True)
class Identity:
    """A user as their credential proved them: never built from what a request body says.

    ``via_api_key`` is true when the credential was an ``sk-`` key rather than a session JWT;
    some actions (creating or deleting keys) need a session. ``credential`` is the secret that
    proved it, kept so that a call made on the user's behalf (inference asking ingest for
    retrieval) carries exactly the user's own credential; it is left out of ``repr`` and equality
    so that it never reaches a log line.
    """

    user_id: str
    role: str = ROLE_USER
    name: str = ""
    email: str = ""
    via_api_key: bool = False
    credential: str = field(default="", repr=False, compare=False)

    @property
    def is_admin(self) -> bool:
        return self.role == ROLE_ADMIN

    @property
    def is_verified(self) -> bool:
        """A user or admin; a pending account may only look at itself."""
        return self.role in (ROLE_USER, ROLE_ADMIN)


def identity_from_pb(message: identity_pb2.Identity, credential: str = "") -> Identity:
    """The one converter from the wire shape (``webui.common.v1.Identity``)."""
    return Identity(
        user_id=message.user_id,
        role=message.role or ROLE_PENDING,
        name=message.name,
        email=message.email,
        via_api_key=message.via_api_key,
        credential=credential,
    )


def identity_to_pb(identity: Identity) -> identity_pb2.Identity:
    """The wire shape of ``identity``; the credential never travels in a message."""
    return identity_pb2.Identity(
        user_id=identity.user_id,
        role=identity.role,
        name=identity.name,
        email=identity.email,
        via_api_key=identity.via_api_key,
    )
