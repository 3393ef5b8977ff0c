"""AuthService over gRPC: converts protobuf to core calls and back, nothing more.

Who may call what is decided here, from the identity the interceptor resolved: the sign-up,
sign-in, credential check and status RPCs are public (services/auth/main.py lists them), a user
manages only its own password, session and key, and user administration needs an admin.
"""

from services.auth import errors
from services.auth.admin_config import AdminConfigCore
from services.auth.core import AuthCore
from services.auth.identity import identity_of
from services.auth.models import Authenticated, CredentialKind, Role, Session, UserChanges, UserRecord
from services.auth.sources import DEFAULT_TRUSTED_NETWORKS, signin_source
from services.common import access, permissions
from services.common.grpc_identity import current_identity, require_admin, require_verified
from services.common.identity import Identity, identity_to_pb
from services.common.networks import Networks
from webui.auth.v1 import auth_pb2, auth_pb2_grpc

_ROLE_TO_PB = {
    Role.PENDING: auth_pb2.ROLE_PENDING,
    Role.USER: auth_pb2.ROLE_USER,
    Role.ADMIN: auth_pb2.ROLE_ADMIN,
}
_ROLE_FROM_PB = {v: k for k, v in _ROLE_TO_PB.items()}
_KIND_TO_PB = {
    CredentialKind.JWT: auth_pb2.CREDENTIAL_KIND_JWT,
    CredentialKind.API_KEY: auth_pb2.CREDENTIAL_KIND_API_KEY,
}


def user_pb(user: UserRecord) -> auth_pb2.User:
    return auth_pb2.User(
        id=user.id,
        name=user.name,
        email=user.email,
        role=_ROLE_TO_PB[user.role],
        profile_image_url=user.profile_image_url,
        created_at=user.created_at,
        updated_at=user.updated_at,
        last_active_at=user.last_active_at,
        primary_admin=user.primary_admin,
    )


def session_pb(session: Session) -> auth_pb2.Session:
    return auth_pb2.Session(
        user=user_pb(session.user), token=session.token, expires_at=session.expires_at or 0
    )


def role_from_pb(role: int, default: Role) -> Role:
    return _ROLE_FROM_PB.get(role, default)


class AuthServicer(auth_pb2_grpc.AuthServiceServicer):
    """Thin gRPC adapter over AuthCore."""

    def __init__(
        self,
        core: AuthCore,
        trusted_networks: Networks = DEFAULT_TRUSTED_NETWORKS,
        admin_config: AdminConfigCore | None = None,
    ) -> None:
        self._core = core
        # The admin config's feature switches GetAuthStatus reports (live); None in tests.
        self._admin_config = admin_config
        # Callers believed when they name the client they sign in for (SigninRequest.client_address).
        self._trusted_networks = trusted_networks

    async def Signup(self, request, context):  # noqa: N802 - gRPC method names
        session = await self._core.signup(
            request.name, request.email, request.password, request.profile_image_url
        )
        return auth_pb2.SignupResponse(session=session_pb(session))

    async def Signin(self, request, context):  # noqa: N802
        source = signin_source(context.peer(), request.client_address, self._trusted_networks)
        session = await self._core.signin(request.email, request.password, source)
        return auth_pb2.SigninResponse(session=session_pb(session))

    async def Authenticate(self, request, context):  # noqa: N802
        result: Authenticated = await self._core.authenticate(request.credential)
        return auth_pb2.AuthenticateResponse(
            user=user_pb(result.user),
            kind=_KIND_TO_PB[result.kind],
            expires_at=result.expires_at or 0,
            identity=identity_to_pb(identity_of(result)),
        )

    async def Signout(self, request, context):  # noqa: N802
        # A caller signs out its own session: the token, if named, must be the call's credential.
        credential = current_identity().credential
        if request.token and request.token != credential:
            raise errors.ActionProhibited()
        await self._core.signout(credential)
        return auth_pb2.SignoutResponse()

    async def ChangePassword(self, request, context):  # noqa: N802
        user_id = current_identity().user_id
        await self._core.change_password(user_id, request.password, request.new_password)
        return auth_pb2.ChangePasswordResponse()

    async def CreateApiKey(self, request, context):  # noqa: N802
        identity = _session_identity()
        if not access.has_permission(identity, permissions.FEATURES_API_KEYS):
            raise errors.ApiKeyFeatureDenied()
        return auth_pb2.CreateApiKeyResponse(api_key=await self._core.create_api_key(identity.user_id))

    async def GetApiKey(self, request, context):  # noqa: N802
        user_id = current_identity().user_id
        return auth_pb2.GetApiKeyResponse(masked_key=await self._core.get_api_key(user_id))

    async def DeleteApiKey(self, request, context):  # noqa: N802
        await self._core.delete_api_key(_session_identity().user_id)
        return auth_pb2.DeleteApiKeyResponse()

    async def GetAuthStatus(self, request, context):  # noqa: N802
        policy = await self._core.current_policy()
        config = await self._admin_config.current() if self._admin_config is not None else {}
        return auth_pb2.GetAuthStatusResponse(
            has_users=await self._core.has_users(),
            enable_signup=policy.enable_signup,
            enable_api_keys=policy.enable_api_keys,
            enable_login_form=config.get("ENABLE_LOGIN_FORM", True),
            enable_folders=config.get("ENABLE_FOLDERS", True),
            enable_community_sharing=config.get("ENABLE_COMMUNITY_SHARING", True),
            enable_message_rating=config.get("ENABLE_MESSAGE_RATING", True),
            pending_user_overlay_title=config.get("PENDING_USER_OVERLAY_TITLE") or "",
            pending_user_overlay_content=config.get("PENDING_USER_OVERLAY_CONTENT") or "",
        )

    async def AddUser(self, request, context):  # noqa: N802
        require_admin(current_identity())
        session = await self._core.add_user(
            request.name,
            request.email,
            request.password,
            request.profile_image_url,
            role_from_pb(request.role, Role.PENDING),
        )
        return auth_pb2.AddUserResponse(session=session_pb(session))

    async def ListUsers(self, request, context):  # noqa: N802
        require_admin(current_identity())
        page = await self._core.list_users(
            request.query, request.order_by, request.direction, request.page, request.page_size or 30
        )
        return auth_pb2.ListUsersResponse(users=[user_pb(u) for u in page.users], total=page.total)

    async def CountActiveUsers(self, request, context):  # noqa: N802
        require_verified(current_identity())
        count = await self._core.count_active_users(request.window_s)
        return auth_pb2.CountActiveUsersResponse(count=count)

    async def GetUser(self, request, context):  # noqa: N802
        # Lists show each row's owner (name, role, e-mail) to any verified user, as Open WebUI does.
        require_verified(current_identity())
        return auth_pb2.GetUserResponse(user=user_pb(await self._core.get_user(request.user_id)))

    async def UpdateUser(self, request, context):  # noqa: N802
        changes = UserChanges(
            role=role_from_pb(request.role, Role.PENDING) if request.HasField("role") else None,
            name=request.name if request.HasField("name") else None,
            email=request.email if request.HasField("email") else None,
            profile_image_url=request.profile_image_url if request.HasField("profile_image_url") else None,
            password=request.password if request.HasField("password") else None,
        )
        actor = require_admin(current_identity())
        user = await self._core.update_user(actor.user_id, request.user_id, changes)
        return auth_pb2.UpdateUserResponse(user=user_pb(user))

    async def DeleteUser(self, request, context):  # noqa: N802
        actor = require_admin(current_identity())
        await self._core.delete_user(actor.user_id, request.user_id)
        return auth_pb2.DeleteUserResponse()


def _session_identity() -> Identity:
    """The caller, who must have signed in: an API key may not mint or delete keys."""
    identity = current_identity()
    if identity.via_api_key:
        raise errors.SessionRequired()
    return identity
