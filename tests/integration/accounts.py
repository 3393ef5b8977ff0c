"""Real users made through a real AuthService, for the auth tests and for those of the services that
resolve their callers' credentials through it (ingest, inference)."""

from dataclasses import dataclass

from services.common.grpc_identity import bearer_metadata
from webui.auth.v1 import auth_pb2, auth_pb2_grpc

PASSWORD = "correct horse"


@dataclass(frozen=True)
class AuthServer:
    """The auth server that ingest and inference resolve credentials through in a test."""

    stub: auth_pb2_grpc.AuthServiceStub
    target: str


@dataclass(frozen=True)
class Who:
    """A signed-in user: the id the services store with what it owns, and its credential."""

    user_id: str
    token: str
    email: str = ""

    @property
    def metadata(self) -> tuple[tuple[str, str], ...]:
        """What a call made as this user carries (``authorization: Bearer <token>``)."""
        return bearer_metadata(self.token)


@dataclass(frozen=True)
class Accounts:
    """The first user (admin), two verified users and one still pending."""

    admin: Who
    alice: Who
    bob: Who
    pending: Who


def who(session: auth_pb2.Session) -> Who:
    return Who(session.user.id, session.token, session.user.email)


async def add_user(
    stub: auth_pb2_grpc.AuthServiceStub, admin: Who, name: str, role: int = auth_pb2.ROLE_USER
) -> Who:
    """A user the admin adds (as Open WebUI's admin panel does), signed in."""
    reply = await stub.AddUser(
        auth_pb2.AddUserRequest(name=name, email=f"{name.lower()}@example.com", password=PASSWORD, role=role),
        metadata=admin.metadata,
        timeout=10,
    )
    return who(reply.session)


async def create_accounts(stub: auth_pb2_grpc.AuthServiceStub) -> Accounts:
    """Signs up the admin (the first user of an empty database becomes admin) and adds the rest."""
    reply = await stub.Signup(
        auth_pb2.SignupRequest(name="Admin", email="admin@example.com", password=PASSWORD), timeout=10
    )
    admin = who(reply.session)
    assert reply.session.user.role == auth_pb2.ROLE_ADMIN
    return Accounts(
        admin=admin,
        alice=await add_user(stub, admin, "Alice"),
        bob=await add_user(stub, admin, "Bob"),
        pending=await add_user(stub, admin, "Pending", auth_pb2.ROLE_PENDING),
    )
