"""The auth core: signup, signin, credentials, API keys and user administration. No I/O of its own."""

import asyncio
import logging
import re
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace

from services.auth import errors
from services.auth.group_models import UserAccess
from services.auth.models import (
    Authenticated,
    CredentialKind,
    Role,
    Session,
    UserChanges,
    UserPage,
    UserRecord,
)
from services.auth.passwords import PasswordHasher, password_too_long
from services.auth.repository import AuthRepository, EmailTakenError, SigninAttempt
from services.auth.sources import source_key
from services.auth.tokens import (
    API_KEY_PREFIX,
    DEFAULT_LIFETIME,
    TokenIssuer,
    hash_api_key,
    mask_api_key,
    new_api_key,
    new_session_stamp,
)
from services.common.settings import parse_duration

log = logging.getLogger(__name__)
# Resolves a user id to its effective groups and true permission keys.
UserAccessLookup = Callable[[str], Awaitable[UserAccess]]

# Open WebUI's validate_email_format, plus its special case for the no-auth admin.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
DEFAULT_PROFILE_IMAGE = "/user.png"
# API-key use refreshes last_active_at at most this often: a write per request would cost too much.
_ACTIVITY_RESOLUTION_S = 60


@dataclass(frozen=True, slots=True)
class AuthPolicy:
    """The settings that shape the core's decisions."""

    enable_signup: bool = True
    default_user_role: Role = Role.PENDING
    enable_api_keys: bool = True
    signin_rate_limit: int = 15
    signin_rate_window_s: int = 180
    signin_source_rate_limit: int = 30
    # Lifetime of new JWTs (Open WebUI's duration text); "" = the token issuer's own (from start).
    jwt_expires_in: str = ""
    # Group new sign-ups join (DEFAULT_GROUP_ID); "" = none.
    default_group_id: str = ""


def signin_refusal(attempt: SigninAttempt, policy: AuthPolicy) -> str | None:
    """Why a sign-in attempt is refused before its password is checked, or None.

    Only failures within the window count (an attempt still being checked counts as one):
    - a source with ``signin_source_rate_limit`` failures, whatever the e-mails, is refused: one
      address cannot spray passwords across accounts;
    - once an e-mail has ``signin_rate_limit`` failures from all sources together, a source that
      has itself failed for it is refused, but a source that has not may still try. A stranger
      therefore cannot lock the owner out, and each source is held to one guess at that e-mail
      per window once the e-mail is under attack: a distributed attacker gets at most
      ``signin_rate_limit`` plus one per source, and each source is bounded by the first rule.
    """
    if attempt.source_failures >= policy.signin_source_rate_limit:
        return "too many failed sign-ins from this source"
    if attempt.email_failures >= policy.signin_rate_limit and attempt.email_source_failures > 0:
        return "too many failed sign-ins for this e-mail, this source among them"
    return None


def _plausible_id(user_id: str) -> bool:
    """Ids are ours (uuid4 strings); anything else cannot name a user, and NUL cannot reach SQL."""
    return 0 < len(user_id) <= 64 and "\x00" not in user_id


def valid_email(email: str) -> bool:
    return email == "admin@localhost" or bool(_EMAIL.match(email))


class AuthCore:
    """Auth rules on top of a repository, a password hasher and a token issuer."""

    def __init__(
        self,
        repo: AuthRepository,
        hasher: PasswordHasher,
        tokens: TokenIssuer,
        policy: AuthPolicy,
        access: UserAccessLookup | None = None,
        live_policy: Callable[[], Awaitable[AuthPolicy]] | None = None,
        join_group: Callable[[str, str], Awaitable[object]] | None = None,
    ) -> None:
        self._repo = repo
        self._hasher = hasher
        self._tokens = tokens
        self._policy = policy
        # The admin config's live values (LivePolicy), and how a new user joins DEFAULT_GROUP_ID
        # (group id, user id; an unknown group is skipped): both optional, for tests.
        self._live_policy = live_policy
        self._join_group = join_group
        # Groups and permissions of an authenticated user (GroupsCore.access_of); none without it.
        self._access = access

    @property
    def policy(self) -> AuthPolicy:
        return self._policy

    async def current_policy(self) -> AuthPolicy:
        """The policy now: the admin config's live values (services/auth/admin_config.py) over the
        one fixed at start, at most a few seconds old."""
        return await self._live_policy() if self._live_policy is not None else self._policy

    # -- sessions -----------------------------------------------------------------------------

    async def signup(self, name: str, email: str, password: str, profile_image_url: str) -> Session:
        policy = await self.current_policy()
        if await self._repo.count_users() > 0 and not policy.enable_signup:
            raise errors.SignupDisabled()
        user = await self._create_user(name, email, password, profile_image_url, policy.default_user_role)
        if policy.default_group_id and self._join_group is not None:
            await self._join_group(policy.default_group_id, user.id)
        return await self._session(user, policy)

    async def add_user(
        self, name: str, email: str, password: str, profile_image_url: str, role: Role
    ) -> Session:
        """An admin adds a user with the role it chooses."""
        return await self._session(await self._create_user(name, email, password, profile_image_url, role))

    async def signin(self, email: str, password: str, source: str) -> Session:
        """Signs in from ``source`` (the client's address), within the limits of ``signin_refusal``."""
        email = email.strip().lower()
        source = source_key(source)
        attempt = await self._repo.begin_signin_attempt(email, source, self._policy.signin_rate_window_s)
        refusal = signin_refusal(attempt, self._policy)
        if refusal is not None:
            # A refused attempt checked no password, so it is not counted as a guess.
            await self._repo.withdraw_signin_attempt(attempt.id)
            log.info("sign-in from %s refused: %s", source, refusal)
            raise errors.RateLimited()
        found = await self._repo.get_user_with_hash(email)
        stored_hash = found[1] if found else None
        user = None
        if await asyncio.to_thread(self._hasher.verify, password, stored_hash) and found is not None:
            user = await self._repo.touch_last_active(found[0].id, int(time.time()))
        # An attempt that never gets here (an error, a cancelled call) stays counted as a failure.
        await self._repo.settle_signin_attempt(attempt.id, succeeded=user is not None)
        if user is None:
            raise errors.InvalidCredentials()
        return await self._session(user)

    async def authenticate(self, credential: str) -> Authenticated:
        """The credential's user, with its effective groups and permissions (one more statement:
        they change without the credential changing, so they are read on every check)."""
        result = await self._check_credential(credential)
        if self._access is None:
            return result
        access = await self._access(result.user.id)
        return replace(result, group_ids=access.group_ids, permissions=access.permissions)

    async def _check_credential(self, credential: str) -> Authenticated:
        credential = credential.strip()
        if not credential:
            raise errors.NotAuthenticated()
        if credential.startswith(API_KEY_PREFIX):
            if not (await self.current_policy()).enable_api_keys:
                raise errors.ApiKeysDisabled()
            found = await self._repo.get_api_key_user(hash_api_key(credential))
            if found is None:
                raise errors.InvalidToken()
            user, key = found
            now = int(time.time())
            if key.expired(now):
                raise errors.ExpiredApiKey()
            if now - user.last_active_at >= _ACTIVITY_RESOLUTION_S:
                user = await self._repo.touch_last_active(user.id, now) or user
            if key.last_used_at is None or now - key.last_used_at >= _ACTIVITY_RESOLUTION_S:
                await self._repo.touch_api_key(key.id, now)
            return Authenticated(
                user=user, kind=CredentialKind.API_KEY, expires_at=key.expires_at, scope=key.scope()
            )
        claims = self._tokens.decode(credential)
        found = await self._repo.get_session_user(claims.user_id, claims.jti)
        if found is None:
            raise errors.InvalidToken()
        user, revoked = found
        if revoked or claims.session_stamp != user.session_stamp:
            raise errors.RevokedToken()
        # Open WebUI counts any authenticated request as activity (``is_active`` in §7.1).
        now = int(time.time())
        if now - user.last_active_at >= _ACTIVITY_RESOLUTION_S:
            user = await self._repo.touch_last_active(user.id, now) or user
        return Authenticated(user=user, kind=CredentialKind.JWT, expires_at=claims.expires_at)

    async def signout(self, token: str) -> None:
        """Revokes one JWT; an API key or an invalid token has nothing to revoke."""
        if token.startswith(API_KEY_PREFIX):
            return
        try:
            claims = self._tokens.decode(token)
        except errors.BadToken:
            return
        await self._repo.revoke_token(claims.jti, claims.expires_at)

    async def change_password(self, user_id: str, password: str, new_password: str) -> None:
        stored = await self._repo.get_password_hash(user_id)
        if stored is None:
            raise errors.UserNotFound()
        if not await asyncio.to_thread(self._hasher.verify, password, stored):
            raise errors.IncorrectPassword()
        if password_too_long(new_password):
            raise errors.PasswordTooLong()
        new_hash = await asyncio.to_thread(self._hasher.hash, new_password)
        # A new stamp revokes every session of the user, the caller's included.
        await self._repo.update_user(
            user_id, {"password_hash": new_hash, "session_stamp": new_session_stamp()}
        )

    # -- API keys -----------------------------------------------------------------------------

    async def create_api_key(self, user_id: str) -> str:
        if not (await self.current_policy()).enable_api_keys:
            raise errors.ApiKeyCreationDisabled()
        key = new_api_key()
        await self._repo.set_api_key(user_id, hash_api_key(key), key[-4:])
        return key

    async def get_api_key(self, user_id: str) -> str:
        if not (await self.current_policy()).enable_api_keys:
            raise errors.ApiKeyCreationDisabled()
        last4 = await self._repo.get_api_key_last4(user_id)
        if last4 is None:
            raise errors.ApiKeyNotFound()
        return mask_api_key(last4)

    async def delete_api_key(self, user_id: str) -> None:
        if not (await self.current_policy()).enable_api_keys:
            raise errors.ApiKeyCreationDisabled()
        await self._repo.delete_api_key(user_id)

    # -- users --------------------------------------------------------------------------------

    async def has_users(self) -> bool:
        return await self._repo.count_users() > 0

    async def count_active_users(self, window_s: int) -> int:
        return await self._repo.count_active_users(int(time.time()) - max(window_s, 0))

    async def get_user(self, user_id: str) -> UserRecord:
        if not _plausible_id(user_id):
            raise errors.UserNotFound()
        user = await self._repo.get_user(user_id)
        if user is None:
            raise errors.UserNotFound()
        return user

    async def list_users(
        self, query: str, order_by: str, direction: str, page: int, page_size: int
    ) -> UserPage:
        page = max(page, 1)
        page_size = min(max(page_size, 1), 100)
        users, total = await self._repo.list_users(
            query.replace("\x00", "").strip(),
            order_by,
            direction.lower() == "desc",
            page_size,
            (page - 1) * page_size,
        )
        return UserPage(users=users, total=total)

    async def update_user(self, actor_id: str, user_id: str, changes: UserChanges) -> UserRecord:
        target = await self.get_user(user_id)
        if target.primary_admin:
            if actor_id != target.id:
                raise errors.ActionProhibited()
            if changes.role is not None and changes.role != Role.ADMIN:
                raise errors.ActionProhibited()
        fields: dict[str, object] = {}
        if changes.name is not None:
            fields["name"] = changes.name
        if changes.profile_image_url is not None:
            fields["profile_image_url"] = changes.profile_image_url
        if changes.email is not None:
            email = changes.email.strip().lower()
            if not valid_email(email):
                raise errors.InvalidEmail()
            fields["email"] = email
        if changes.password:
            if password_too_long(changes.password):
                raise errors.PasswordTooLong()
            fields["password_hash"] = await asyncio.to_thread(self._hasher.hash, changes.password)
            fields["session_stamp"] = new_session_stamp()
        if changes.role is not None and changes.role != target.role:
            fields["role"] = changes.role.value
            # A role change revokes the user's sessions, as a password change does.
            fields["session_stamp"] = new_session_stamp()
        if not fields:
            return target
        try:
            updated = await self._repo.update_user(user_id, fields)
        except EmailTakenError:
            raise errors.EmailTaken() from None
        if updated is None:
            raise errors.UserNotFound()
        return updated

    async def delete_user(self, actor_id: str, user_id: str) -> None:
        target = await self.get_user(user_id)
        if target.primary_admin or target.id == actor_id:
            raise errors.ActionProhibited()
        if not await self._repo.delete_user(user_id):
            raise errors.UserNotFound()

    # -- helpers ------------------------------------------------------------------------------

    async def _create_user(
        self, name: str, email: str, password: str, profile_image_url: str, role: Role
    ) -> UserRecord:
        email = email.strip().lower()
        if not valid_email(email):
            raise errors.InvalidEmail()
        if await self._repo.get_user_with_hash(email) is not None:
            raise errors.EmailTaken()
        if password_too_long(password):
            raise errors.PasswordTooLong()
        password_hash = await asyncio.to_thread(self._hasher.hash, password)
        now = int(time.time())
        record = UserRecord(
            id=str(uuid.uuid4()),
            name=name.strip(),
            email=email,
            role=role,
            profile_image_url=profile_image_url or DEFAULT_PROFILE_IMAGE,
            created_at=now,
            updated_at=now,
            last_active_at=now,
            primary_admin=False,
            session_stamp=new_session_stamp(),
        )
        try:
            return await self._repo.insert_user(record, password_hash, first_user_role=Role.ADMIN)
        except EmailTakenError:
            raise errors.EmailTaken() from None

    async def _session(self, user: UserRecord, policy: AuthPolicy | None = None) -> Session:
        policy = policy or await self.current_policy()
        # JWT_EXPIRES_IN is live: new sessions take the admin config's lifetime.
        lifetime = parse_duration(policy.jwt_expires_in) if policy.jwt_expires_in else DEFAULT_LIFETIME
        token, expires_at = self._tokens.issue(user.id, user.session_stamp, lifetime)
        return Session(user=user, token=token, expires_at=expires_at)
