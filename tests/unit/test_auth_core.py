"""AuthCore on the in-memory repository: signup, signin, credentials, API keys, user admin."""

import asyncio
import dataclasses
import hashlib
import inspect
import re
import time
import uuid

import jwt
import pytest

from services.auth import errors
from services.auth.core import DEFAULT_PROFILE_IMAGE, AuthCore, AuthPolicy
from services.auth.models import CredentialKind, Role, Session, UserChanges, UserRecord
from services.auth.passwords import PasswordHasher
from services.auth.repository import AuthRepository, EmailTakenError
from services.auth.tokens import TokenIssuer, hash_api_key
from services.common import messages
from tests.unit.fake_auth_repository import FakeAuthRepository

# The brief's short secret trips PyJWT's key-length advice; that is not what these tests are about.
pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")

SECRET = "secret"
PASSWORD = "correct horse battery staple"
SOURCE = "198.51.100.7"


class FakeClock:
    """Epoch seconds that only move when a test says so."""

    def __init__(self) -> None:
        self.now = float(int(time.time()))

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture(scope="module")
def hasher() -> PasswordHasher:
    return PasswordHasher(rounds=4)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def repo(clock: FakeClock) -> FakeAuthRepository:
    return FakeAuthRepository(clock=clock)


@pytest.fixture
def make_core(repo: FakeAuthRepository, hasher: PasswordHasher):
    """Builds an AuthCore on the shared fake repository with the given policy fields."""

    def _make(tokens: TokenIssuer | None = None, **policy: object) -> AuthCore:
        return AuthCore(repo, hasher, tokens or TokenIssuer(SECRET, 3600), AuthPolicy(**policy))

    return _make


@pytest.fixture
def core(make_core) -> AuthCore:
    return make_core()


async def signup(core: AuthCore, name: str, password: str = PASSWORD, email: str | None = None) -> Session:
    return await core.signup(name, email or f"{name.lower()}@example.com", password, "")


@pytest.fixture
async def admin(core: AuthCore) -> Session:
    """The first user: the primary admin."""
    return await signup(core, "Admin")


@pytest.fixture
async def bob(core: AuthCore, admin: Session) -> Session:
    """A second, ordinary (pending) user."""
    return await signup(core, "Bob")


def check_error(excinfo: pytest.ExceptionInfo, text: str) -> None:
    assert excinfo.value.detail == text
    assert str(excinfo.value) == text


# -- the fake repository honours the Protocol --------------------------------------------------


def test_fake_repository_implements_every_protocol_method() -> None:
    members = [
        name
        for name, value in vars(AuthRepository).items()
        if not name.startswith("_") and inspect.isfunction(value)
    ]
    assert members
    for name in members:
        fake = getattr(FakeAuthRepository, name)
        assert inspect.iscoroutinefunction(fake), name
        expected = list(inspect.signature(getattr(AuthRepository, name)).parameters)
        assert list(inspect.signature(fake).parameters) == expected, name


# -- signup ------------------------------------------------------------------------------------


async def test_first_signup_becomes_primary_admin(core: AuthCore) -> None:
    before = int(time.time())
    session = await core.signup("  Ann  ", "  Ann@Example.COM ", PASSWORD, "")
    user = session.user
    assert user.role is Role.ADMIN
    assert user.primary_admin is True
    assert user.email == "ann@example.com"
    assert user.name == "Ann"
    assert user.profile_image_url == DEFAULT_PROFILE_IMAGE
    uuid.UUID(user.id)
    assert session.expires_at is not None
    assert before + 3600 <= session.expires_at <= int(time.time()) + 3600
    assert await core.has_users()


async def test_profile_image_url_is_kept_when_given(core: AuthCore) -> None:
    session = await core.signup("Ann", "ann@example.com", PASSWORD, "https://img.example/a.png")
    assert session.user.profile_image_url == "https://img.example/a.png"


async def test_second_signup_gets_default_role_pending(core: AuthCore, admin: Session) -> None:
    session = await signup(core, "Bob")
    assert session.user.role is Role.PENDING
    assert session.user.primary_admin is False


@pytest.mark.parametrize("role", [Role.USER, Role.ADMIN, Role.PENDING])
async def test_second_signup_gets_configured_role(make_core, role: Role) -> None:
    core = make_core(default_user_role=role)
    first = await signup(core, "Admin")
    second = await signup(core, "Bob")
    assert first.user.role is Role.ADMIN and first.user.primary_admin
    assert second.user.role is role
    assert second.user.primary_admin is False


async def test_signup_disabled_never_blocks_the_first_user(make_core) -> None:
    core = make_core(enable_signup=False)
    session = await signup(core, "Admin")
    assert session.user.role is Role.ADMIN
    assert session.user.primary_admin


async def test_signup_disabled_refuses_once_a_user_exists(make_core, repo: FakeAuthRepository) -> None:
    core = make_core(enable_signup=False)
    await signup(core, "Admin")
    with pytest.raises(errors.SignupDisabled) as excinfo:
        await signup(core, "Bob")
    check_error(excinfo, messages.ACCESS_PROHIBITED)
    assert await repo.count_users() == 1


async def test_has_users(core: AuthCore) -> None:
    assert not await core.has_users()
    await signup(core, "Admin")
    assert await core.has_users()


@pytest.mark.parametrize(
    "email",
    [
        "",
        "   ",
        "plain",
        "no-at.example.com",
        "a@b",
        "a b@example.com",
        "a@@example.com",
        "@example.com",
        "a@.c",
    ],
)
async def test_signup_refuses_invalid_email(core: AuthCore, repo: FakeAuthRepository, email: str) -> None:
    with pytest.raises(errors.InvalidEmail) as excinfo:
        await core.signup("Ann", email, PASSWORD, "")
    check_error(excinfo, messages.INVALID_EMAIL_FORMAT)
    assert await repo.count_users() == 0


async def test_signup_accepts_the_no_auth_admin_address(core: AuthCore) -> None:
    session = await core.signup("Admin", "admin@localhost", PASSWORD, "")
    assert session.user.email == "admin@localhost"


async def test_signup_refuses_duplicate_email_case_insensitively(core: AuthCore, admin: Session) -> None:
    with pytest.raises(errors.EmailTaken) as excinfo:
        await core.signup("Other", "  ADMIN@Example.com ", "another password", "")
    check_error(excinfo, messages.EMAIL_TAKEN)


async def test_email_taken_is_checked_before_password_length(core: AuthCore, admin: Session) -> None:
    with pytest.raises(errors.EmailTaken):
        await core.signup("Other", "admin@example.com", "x" * 100, "")


async def test_concurrent_first_signups_make_exactly_one_primary_admin(core: AuthCore) -> None:
    sessions = await asyncio.gather(*(signup(core, f"User{i}") for i in range(4)))
    assert sum(s.user.primary_admin for s in sessions) == 1
    assert sorted(s.user.role for s in sessions) == sorted([Role.ADMIN, *[Role.PENDING] * 3])
    primary = next(s.user for s in sessions if s.user.primary_admin)
    assert primary.role is Role.ADMIN


async def test_concurrent_signups_with_one_email_create_one_user(
    core: AuthCore, repo: FakeAuthRepository
) -> None:
    results = await asyncio.gather(
        core.signup("A", "same@example.com", PASSWORD, ""),
        core.signup("B", "Same@Example.com", PASSWORD, ""),
        return_exceptions=True,
    )
    assert sum(isinstance(r, Session) for r in results) == 1
    assert sum(isinstance(r, errors.EmailTaken) for r in results) == 1
    assert await repo.count_users() == 1


@pytest.mark.parametrize(
    ("password", "accepted"),
    [
        ("x" * 72, True),
        ("x" * 73, False),
        ("é" * 36, True),  # 36 characters, 72 bytes
        ("é" * 37, False),  # 37 characters, 74 bytes
        ("€" * 24, True),  # 24 characters, 72 bytes
        ("€" * 25, False),  # 25 characters, 75 bytes
        ("x" * 71 + "é", False),  # 72 characters, 73 bytes
    ],
)
async def test_signup_password_limit_counts_utf8_bytes(
    core: AuthCore, repo: FakeAuthRepository, password: str, accepted: bool
) -> None:
    if accepted:
        session = await core.signup("Ann", "ann@example.com", password, "")
        signed_in = await core.signin("ann@example.com", password, SOURCE)
        assert signed_in.user.id == session.user.id
    else:
        with pytest.raises(errors.PasswordTooLong) as excinfo:
            await core.signup("Ann", "ann@example.com", password, "")
        check_error(excinfo, messages.PASSWORD_TOO_LONG)
        assert await repo.count_users() == 0


async def test_password_is_stored_hashed(core: AuthCore, repo: FakeAuthRepository, admin: Session) -> None:
    stored = repo.password_hashes[admin.user.id]
    assert stored != PASSWORD
    assert PASSWORD not in stored
    assert stored.startswith("$2b$04$")


# -- add_user ----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.PENDING, Role.USER, Role.ADMIN])
async def test_add_user_with_a_chosen_role(core: AuthCore, admin: Session, role: Role) -> None:
    session = await core.add_user("Carol", "Carol@Example.com", PASSWORD, "", role)
    assert session.user.role is role
    assert session.user.primary_admin is False
    assert session.user.email == "carol@example.com"
    authenticated = await core.authenticate(session.token)
    assert authenticated.user.id == session.user.id


async def test_add_user_works_when_signup_is_disabled(make_core) -> None:
    core = make_core(enable_signup=False)
    await signup(core, "Admin")
    session = await core.add_user("Carol", "carol@example.com", PASSWORD, "", Role.USER)
    assert session.user.role is Role.USER


async def test_add_user_refuses_taken_email_and_bad_input(core: AuthCore, admin: Session) -> None:
    with pytest.raises(errors.EmailTaken):
        await core.add_user("X", "ADMIN@example.com", PASSWORD, "", Role.USER)
    with pytest.raises(errors.InvalidEmail):
        await core.add_user("X", "nope", PASSWORD, "", Role.USER)
    with pytest.raises(errors.PasswordTooLong):
        await core.add_user("X", "x@example.com", "p" * 73, "", Role.USER)


# -- signin ------------------------------------------------------------------------------------


async def test_signin_ok(core: AuthCore, bob: Session) -> None:
    session = await core.signin("bob@example.com", PASSWORD, SOURCE)
    assert session.user.id == bob.user.id
    assert session.token != bob.token
    assert session.user.last_active_at >= bob.user.last_active_at
    authenticated = await core.authenticate(session.token)
    assert authenticated.user.id == bob.user.id


async def test_signin_lower_cases_and_strips_email(core: AuthCore, bob: Session) -> None:
    session = await core.signin("  BOB@Example.COM  ", PASSWORD, SOURCE)
    assert session.user.id == bob.user.id


async def test_signin_wrong_password(core: AuthCore, bob: Session) -> None:
    with pytest.raises(errors.InvalidCredentials) as excinfo:
        await core.signin("bob@example.com", PASSWORD + "!", SOURCE)
    check_error(excinfo, messages.INVALID_CRED)


async def test_signin_unknown_email(core: AuthCore, bob: Session) -> None:
    with pytest.raises(errors.InvalidCredentials) as excinfo:
        await core.signin("nobody@example.com", PASSWORD, SOURCE)
    check_error(excinfo, messages.INVALID_CRED)


async def test_signin_with_too_long_password_is_just_invalid(core: AuthCore, bob: Session) -> None:
    with pytest.raises(errors.InvalidCredentials):
        await core.signin("bob@example.com", PASSWORD + "x" * 100, SOURCE)


async def test_signin_rate_limit_sixteenth_attempt_refused_even_with_right_password(
    core: AuthCore, bob: Session
) -> None:
    for _ in range(15):
        with pytest.raises(errors.InvalidCredentials):
            await core.signin("bob@example.com", "wrong", SOURCE)
    with pytest.raises(errors.RateLimited) as excinfo:
        await core.signin("bob@example.com", PASSWORD, SOURCE)
    check_error(excinfo, messages.RATE_LIMIT_EXCEEDED)


async def test_signin_rate_limit_counts_failures_only(core: AuthCore, bob: Session) -> None:
    for _ in range(40):
        await core.signin("bob@example.com", PASSWORD, SOURCE)
    for _ in range(14):
        with pytest.raises(errors.InvalidCredentials):
            await core.signin("bob@example.com", "wrong", SOURCE)
    await core.signin("bob@example.com", PASSWORD, SOURCE)


async def test_strangers_failures_do_not_lock_the_owner_out(
    make_core, repo: FakeAuthRepository, clock: FakeClock
) -> None:
    core = make_core(signin_rate_limit=3, signin_rate_window_s=60)
    await signup(core, "Admin")
    await signup(core, "Bob")
    for _ in range(3):
        with pytest.raises(errors.InvalidCredentials):
            await core.signin("bob@example.com", "guess", "203.0.113.9")
    # The stranger is refused, even with the right password ...
    with pytest.raises(errors.RateLimited):
        await core.signin("bob@example.com", PASSWORD, "203.0.113.9")
    # ... and the owner, from a source that has not failed for the e-mail, is not.
    session = await core.signin("bob@example.com", PASSWORD, "198.51.100.20")
    assert session.user.email == "bob@example.com"
    # A fresh source's wrong password is counted, and then that source is refused too.
    with pytest.raises(errors.InvalidCredentials):
        await core.signin("bob@example.com", "typo", "198.51.100.21")
    with pytest.raises(errors.RateLimited):
        await core.signin("bob@example.com", PASSWORD, "198.51.100.21")
    # Refusals checked no password and are not counted: once the window has passed, all may try.
    assert all(row.succeeded is not None for row in repo.signin_attempts.values())
    clock.advance(61)
    await core.signin("bob@example.com", PASSWORD, "203.0.113.9")


async def test_distributed_guessing_gets_one_guess_per_source_once_the_email_is_hot(make_core) -> None:
    core = make_core(signin_rate_limit=3, signin_rate_window_s=60)
    await signup(core, "Admin")
    await signup(core, "Bob")
    # Below the e-mail's limit, one source may guess several times.
    for _ in range(3):
        with pytest.raises(errors.InvalidCredentials):
            await core.signin("bob@example.com", "guess", "192.0.2.1")
    for i in range(8):
        with pytest.raises(errors.InvalidCredentials):
            await core.signin("bob@example.com", "guess", f"203.0.113.{i}")
        with pytest.raises(errors.RateLimited):
            await core.signin("bob@example.com", "guess", f"203.0.113.{i}")


async def test_source_limit_bounds_spraying_across_emails(make_core, clock: FakeClock) -> None:
    core = make_core(signin_source_rate_limit=5, signin_rate_window_s=60)
    await signup(core, "Admin")
    for i in range(5):
        with pytest.raises(errors.InvalidCredentials):
            await core.signin(f"user{i}@example.com", "Winter2024!", "203.0.113.9")
    with pytest.raises(errors.RateLimited) as excinfo:
        await core.signin("admin@example.com", PASSWORD, "203.0.113.9")
    check_error(excinfo, messages.RATE_LIMIT_EXCEEDED)
    # Other sources are not affected; the sprayer may go on after the window.
    await core.signin("admin@example.com", PASSWORD, "198.51.100.20")
    clock.advance(61)
    await core.signin("admin@example.com", PASSWORD, "203.0.113.9")


async def test_ipv6_sources_are_counted_per_64(make_core) -> None:
    core = make_core(signin_source_rate_limit=2)
    await signup(core, "Admin")
    for address in ("2001:db8:1:2::1", "2001:db8:1:2:ffff::9"):
        with pytest.raises(errors.InvalidCredentials):
            await core.signin("admin@example.com", "guess", address)
    with pytest.raises(errors.RateLimited):
        await core.signin("admin@example.com", PASSWORD, "2001:db8:1:2::abcd")
    await core.signin("admin@example.com", PASSWORD, "2001:db8:1:3::1")


async def test_attempts_still_being_checked_count_as_failures(
    make_core, repo: FakeAuthRepository, admin: Session
) -> None:
    core = make_core(signin_source_rate_limit=2)
    # Two attempts from the source whose passwords are still being checked (or whose call died).
    for _ in range(2):
        await repo.begin_signin_attempt("admin@example.com", "203.0.113.9", 180)
    with pytest.raises(errors.RateLimited):
        await core.signin("admin@example.com", PASSWORD, "203.0.113.9")


async def test_signin_rate_limit_is_per_lower_cased_email_and_window(make_core, clock: FakeClock) -> None:
    core = make_core(signin_rate_limit=3, signin_rate_window_s=60)
    await signup(core, "Admin")
    await signup(core, "Bob")
    for email in ("BOB@example.com", "bob@EXAMPLE.com", " bob@example.com"):
        with pytest.raises(errors.InvalidCredentials):
            await core.signin(email, "wrong", SOURCE)
    with pytest.raises(errors.RateLimited):
        await core.signin("bob@example.com", PASSWORD, SOURCE)
    # Another address is not affected.
    await core.signin("admin@example.com", PASSWORD, SOURCE)
    # Once the window has passed, the address may try again.
    clock.advance(61)
    session = await core.signin("bob@example.com", PASSWORD, SOURCE)
    assert session.user.email == "bob@example.com"


# -- authenticate ------------------------------------------------------------------------------


async def test_authenticate_jwt(core: AuthCore, bob: Session) -> None:
    result = await core.authenticate(bob.token)
    assert result.kind is CredentialKind.JWT
    assert result.user.id == bob.user.id
    assert result.expires_at == bob.expires_at


async def test_authenticate_strips_whitespace(core: AuthCore, bob: Session) -> None:
    result = await core.authenticate(f"  {bob.token}\n")
    assert result.user.id == bob.user.id


async def test_authenticate_jwt_that_never_expires(make_core) -> None:
    core = make_core(tokens=TokenIssuer(SECRET, None))
    session = await signup(core, "Admin")
    assert session.expires_at is None
    result = await core.authenticate(session.token)
    assert result.expires_at is None
    assert "exp" not in jwt.decode(session.token, SECRET, algorithms=["HS256"])


async def test_authenticate_api_key(core: AuthCore, bob: Session) -> None:
    key = await core.create_api_key(bob.user.id)
    result = await core.authenticate(key)
    assert result.kind is CredentialKind.API_KEY
    assert result.user.id == bob.user.id
    assert result.expires_at is None


async def test_authenticate_api_key_updates_last_active_at(
    core: AuthCore, repo: FakeAuthRepository, bob: Session
) -> None:
    key = await core.create_api_key(bob.user.id)
    long_ago = int(time.time()) - 3600
    repo.users[bob.user.id] = dataclasses.replace(repo.users[bob.user.id], last_active_at=long_ago)
    await core.authenticate(key)
    assert repo.users[bob.user.id].last_active_at > long_ago


async def test_authenticate_unknown_api_key(core: AuthCore, bob: Session) -> None:
    with pytest.raises(errors.InvalidToken) as excinfo:
        await core.authenticate("sk-" + uuid.uuid4().hex)
    check_error(excinfo, messages.INVALID_TOKEN)


async def test_authenticate_api_key_when_keys_disabled(make_core, bob: Session) -> None:
    key = await make_core().create_api_key(bob.user.id)
    disabled = make_core(enable_api_keys=False)
    with pytest.raises(errors.ApiKeysDisabled) as excinfo:
        await disabled.authenticate(key)
    check_error(excinfo, messages.API_KEY_NOT_ALLOWED)
    # JWTs still work.
    assert (await disabled.authenticate(bob.token)).user.id == bob.user.id


@pytest.mark.parametrize("garbage", ["garbage", "a.b.c", "Bearer x", "eyJhbGciOiJIUzI1NiJ9.e30.xx"])
async def test_authenticate_garbage_token(core: AuthCore, bob: Session, garbage: str) -> None:
    with pytest.raises(errors.BadToken) as excinfo:
        await core.authenticate(garbage)
    check_error(excinfo, messages.UNAUTHORIZED)


async def test_authenticate_token_signed_with_another_secret(core: AuthCore, bob: Session) -> None:
    forged, _ = TokenIssuer("another secret", 3600).issue(bob.user.id, bob.user.session_stamp)
    with pytest.raises(errors.BadToken):
        await core.authenticate(forged)


async def test_authenticate_expired_token_from_issuer(make_core, bob: Session) -> None:
    expired, expires_at = TokenIssuer(SECRET, -10).issue(bob.user.id, bob.user.session_stamp)
    assert expires_at is not None and expires_at < time.time()
    with pytest.raises(errors.BadToken) as excinfo:
        await make_core().authenticate(expired)
    check_error(excinfo, messages.UNAUTHORIZED)


async def test_authenticate_expired_token_encoded_directly(core: AuthCore, bob: Session) -> None:
    now = int(time.time())
    expired = jwt.encode(
        {
            "id": bob.user.id,
            "typ": "session",
            "session_stamp": bob.user.session_stamp,
            "jti": str(uuid.uuid4()),
            "iat": now - 7200,
            "exp": now - 3600,
        },
        SECRET,
        algorithm="HS256",
    )
    with pytest.raises(errors.BadToken):
        await core.authenticate(expired)


@pytest.mark.parametrize("credential", ["", "   ", "\n\t"])
async def test_authenticate_empty_credential(core: AuthCore, credential: str) -> None:
    with pytest.raises(errors.NotAuthenticated) as excinfo:
        await core.authenticate(credential)
    check_error(excinfo, messages.NOT_AUTHENTICATED)


async def test_authenticate_jwt_of_deleted_user(core: AuthCore, admin: Session, bob: Session) -> None:
    await core.delete_user(admin.user.id, bob.user.id)
    with pytest.raises(errors.InvalidToken) as excinfo:
        await core.authenticate(bob.token)
    check_error(excinfo, messages.INVALID_TOKEN)


async def test_authenticate_jwt_with_stale_session_stamp(core: AuthCore, bob: Session) -> None:
    stale, _ = TokenIssuer(SECRET, 3600).issue(bob.user.id, "not-the-stamp")
    with pytest.raises(errors.RevokedToken) as excinfo:
        await core.authenticate(stale)
    check_error(excinfo, messages.REVOKED_TOKEN)


# -- signout -----------------------------------------------------------------------------------


async def test_signout_revokes_that_jwt_only(core: AuthCore, repo: FakeAuthRepository, bob: Session) -> None:
    other = await core.signin("bob@example.com", PASSWORD, SOURCE)
    await core.signout(bob.token)
    with pytest.raises(errors.RevokedToken) as excinfo:
        await core.authenticate(bob.token)
    check_error(excinfo, messages.REVOKED_TOKEN)
    assert (await core.authenticate(other.token)).user.id == bob.user.id
    jti = jwt.decode(bob.token, SECRET, algorithms=["HS256"])["jti"]
    assert repo.revoked == {jti: bob.expires_at}


async def test_signout_twice_is_harmless(core: AuthCore, bob: Session) -> None:
    await core.signout(bob.token)
    await core.signout(bob.token)
    with pytest.raises(errors.RevokedToken):
        await core.authenticate(bob.token)


async def test_signout_with_api_key_or_garbage_does_nothing(
    core: AuthCore, repo: FakeAuthRepository, bob: Session
) -> None:
    key = await core.create_api_key(bob.user.id)
    await core.signout(key)
    await core.signout("garbage")
    await core.signout("")
    assert repo.revoked == {}
    assert (await core.authenticate(key)).user.id == bob.user.id
    assert (await core.authenticate(bob.token)).user.id == bob.user.id


# -- change_password ---------------------------------------------------------------------------


async def test_change_password_wrong_old_password(core: AuthCore, bob: Session) -> None:
    with pytest.raises(errors.IncorrectPassword) as excinfo:
        await core.change_password(bob.user.id, "not it", "new password")
    check_error(excinfo, messages.INCORRECT_PASSWORD)
    assert (await core.authenticate(bob.token)).user.id == bob.user.id
    await core.signin("bob@example.com", PASSWORD, SOURCE)


async def test_change_password_revokes_every_jwt_and_new_password_signs_in(
    core: AuthCore, bob: Session
) -> None:
    second = await core.signin("bob@example.com", PASSWORD, SOURCE)
    await core.change_password(bob.user.id, PASSWORD, "brand new password")
    for token in (bob.token, second.token):
        with pytest.raises(errors.RevokedToken):
            await core.authenticate(token)
    with pytest.raises(errors.InvalidCredentials):
        await core.signin("bob@example.com", PASSWORD, SOURCE)
    fresh = await core.signin("bob@example.com", "brand new password", SOURCE)
    assert (await core.authenticate(fresh.token)).user.id == bob.user.id


async def test_change_password_keeps_the_api_key(core: AuthCore, bob: Session) -> None:
    key = await core.create_api_key(bob.user.id)
    await core.change_password(bob.user.id, PASSWORD, "brand new password")
    assert (await core.authenticate(key)).user.id == bob.user.id


async def test_change_password_refuses_too_long_new_password(core: AuthCore, bob: Session) -> None:
    with pytest.raises(errors.PasswordTooLong):
        await core.change_password(bob.user.id, PASSWORD, "é" * 37)
    assert (await core.authenticate(bob.token)).user.id == bob.user.id
    await core.signin("bob@example.com", PASSWORD, SOURCE)


async def test_change_password_unknown_user(core: AuthCore) -> None:
    with pytest.raises(errors.UserNotFound) as excinfo:
        await core.change_password("nobody", PASSWORD, "x")
    check_error(excinfo, messages.USER_NOT_FOUND)


# -- API keys ----------------------------------------------------------------------------------


async def test_create_api_key_format(core: AuthCore, bob: Session) -> None:
    key = await core.create_api_key(bob.user.id)
    assert re.fullmatch(r"sk-[0-9a-f]{32}", key)


async def test_one_api_key_per_user_create_again_replaces(
    core: AuthCore, repo: FakeAuthRepository, bob: Session
) -> None:
    old = await core.create_api_key(bob.user.id)
    new = await core.create_api_key(bob.user.id)
    assert old != new
    with pytest.raises(errors.InvalidToken):
        await core.authenticate(old)
    assert (await core.authenticate(new)).user.id == bob.user.id
    assert list(repo.api_keys) == [bob.user.id]


async def test_api_keys_of_two_users_are_distinct(core: AuthCore, admin: Session, bob: Session) -> None:
    admin_key = await core.create_api_key(admin.user.id)
    bob_key = await core.create_api_key(bob.user.id)
    assert admin_key != bob_key
    assert (await core.authenticate(admin_key)).user.id == admin.user.id
    assert (await core.authenticate(bob_key)).user.id == bob.user.id


async def test_get_api_key_is_masked(core: AuthCore, bob: Session) -> None:
    key = await core.create_api_key(bob.user.id)
    masked = await core.get_api_key(bob.user.id)
    assert masked == "sk-…" + key[-4:]
    assert key[3:-4] not in masked


async def test_get_api_key_when_none(core: AuthCore, bob: Session) -> None:
    with pytest.raises(errors.ApiKeyNotFound) as excinfo:
        await core.get_api_key(bob.user.id)
    check_error(excinfo, messages.API_KEY_NOT_FOUND)


async def test_delete_api_key(core: AuthCore, bob: Session) -> None:
    key = await core.create_api_key(bob.user.id)
    await core.delete_api_key(bob.user.id)
    with pytest.raises(errors.InvalidToken):
        await core.authenticate(key)
    with pytest.raises(errors.ApiKeyNotFound):
        await core.get_api_key(bob.user.id)
    # Deleting when there is none is fine.
    await core.delete_api_key(bob.user.id)


async def test_stored_api_key_is_a_hash_not_the_key(
    core: AuthCore, repo: FakeAuthRepository, bob: Session
) -> None:
    key = await core.create_api_key(bob.user.id)
    key_hash, last4 = repo.api_keys[bob.user.id]
    assert key_hash != key
    assert key not in key_hash
    assert key_hash == hashlib.sha256(key.encode()).hexdigest() == hash_api_key(key)
    assert last4 == key[-4:]


async def test_api_key_routes_when_keys_disabled(make_core, bob: Session) -> None:
    core = make_core(enable_api_keys=False)
    for call in (core.create_api_key, core.get_api_key, core.delete_api_key):
        with pytest.raises(errors.ApiKeyCreationDisabled) as excinfo:
            await call(bob.user.id)
        check_error(excinfo, messages.API_KEY_CREATION_NOT_ALLOWED)


# -- admin: get / update / delete users --------------------------------------------------------


async def test_get_user(core: AuthCore, bob: Session) -> None:
    assert (await core.get_user(bob.user.id)).email == "bob@example.com"
    with pytest.raises(errors.UserNotFound) as excinfo:
        await core.get_user("nobody")
    check_error(excinfo, messages.USER_NOT_FOUND)


async def test_update_user_role_change_revokes_sessions(
    core: AuthCore, clock: FakeClock, admin: Session, bob: Session
) -> None:
    clock.advance(100)
    updated = await core.update_user(admin.user.id, bob.user.id, UserChanges(role=Role.USER))
    assert updated.role is Role.USER
    assert updated.updated_at == int(clock.now)
    assert updated.session_stamp != bob.user.session_stamp
    with pytest.raises(errors.RevokedToken):
        await core.authenticate(bob.token)
    session = await core.signin("bob@example.com", PASSWORD, SOURCE)
    assert (await core.authenticate(session.token)).user.role is Role.USER


async def test_update_user_same_role_or_profile_keeps_sessions(
    core: AuthCore, admin: Session, bob: Session
) -> None:
    updated = await core.update_user(
        admin.user.id,
        bob.user.id,
        UserChanges(role=Role.PENDING, name="Robert", profile_image_url="/b.png"),
    )
    assert (updated.name, updated.profile_image_url, updated.role) == ("Robert", "/b.png", Role.PENDING)
    assert (await core.authenticate(bob.token)).user.name == "Robert"


async def test_update_user_without_changes_returns_the_user(
    core: AuthCore, admin: Session, bob: Session
) -> None:
    assert await core.update_user(admin.user.id, bob.user.id, UserChanges()) == bob.user


async def test_update_user_password_revokes_sessions(core: AuthCore, admin: Session, bob: Session) -> None:
    await core.update_user(admin.user.id, bob.user.id, UserChanges(password="set by admin"))
    with pytest.raises(errors.RevokedToken):
        await core.authenticate(bob.token)
    with pytest.raises(errors.InvalidCredentials):
        await core.signin("bob@example.com", PASSWORD, SOURCE)
    await core.signin("bob@example.com", "set by admin", SOURCE)


async def test_update_user_password_too_long(core: AuthCore, admin: Session, bob: Session) -> None:
    with pytest.raises(errors.PasswordTooLong):
        await core.update_user(admin.user.id, bob.user.id, UserChanges(password="€" * 25))


async def test_primary_admin_cannot_be_changed_by_another_admin(
    core: AuthCore, admin: Session, bob: Session
) -> None:
    await core.update_user(admin.user.id, bob.user.id, UserChanges(role=Role.ADMIN))
    for changes in (UserChanges(role=Role.USER), UserChanges(name="Hijacked"), UserChanges(password="x")):
        with pytest.raises(errors.ActionProhibited) as excinfo:
            await core.update_user(bob.user.id, admin.user.id, changes)
        check_error(excinfo, messages.ACTION_PROHIBITED)
    assert (await core.get_user(admin.user.id)).name == "Admin"


@pytest.mark.parametrize("role", [Role.USER, Role.PENDING])
async def test_primary_admin_cannot_demote_itself(core: AuthCore, admin: Session, role: Role) -> None:
    with pytest.raises(errors.ActionProhibited):
        await core.update_user(admin.user.id, admin.user.id, UserChanges(role=role))
    assert (await core.get_user(admin.user.id)).role is Role.ADMIN


async def test_primary_admin_may_update_itself(core: AuthCore, admin: Session) -> None:
    updated = await core.update_user(
        admin.user.id, admin.user.id, UserChanges(role=Role.ADMIN, name="Boss", email="BOSS@example.com")
    )
    assert (updated.name, updated.email, updated.role) == ("Boss", "boss@example.com", Role.ADMIN)
    assert updated.primary_admin


async def test_update_user_email_taken(core: AuthCore, admin: Session, bob: Session) -> None:
    with pytest.raises(errors.EmailTaken) as excinfo:
        await core.update_user(admin.user.id, bob.user.id, UserChanges(email=" Admin@Example.com "))
    check_error(excinfo, messages.EMAIL_TAKEN)
    assert (await core.get_user(bob.user.id)).email == "bob@example.com"


async def test_update_user_email_to_its_own_address(core: AuthCore, admin: Session, bob: Session) -> None:
    updated = await core.update_user(admin.user.id, bob.user.id, UserChanges(email="BOB@example.com"))
    assert updated.email == "bob@example.com"


async def test_update_user_invalid_email(core: AuthCore, admin: Session, bob: Session) -> None:
    with pytest.raises(errors.InvalidEmail):
        await core.update_user(admin.user.id, bob.user.id, UserChanges(email="not an email"))


async def test_update_unknown_user(core: AuthCore, admin: Session) -> None:
    with pytest.raises(errors.UserNotFound) as excinfo:
        await core.update_user(admin.user.id, "nobody", UserChanges(name="x"))
    check_error(excinfo, messages.USER_NOT_FOUND)


async def test_delete_primary_admin_prohibited(core: AuthCore, admin: Session, bob: Session) -> None:
    await core.update_user(admin.user.id, bob.user.id, UserChanges(role=Role.ADMIN))
    with pytest.raises(errors.ActionProhibited) as excinfo:
        await core.delete_user(bob.user.id, admin.user.id)
    check_error(excinfo, messages.ACTION_PROHIBITED)
    with pytest.raises(errors.ActionProhibited):
        await core.delete_user(admin.user.id, admin.user.id)
    assert await core.get_user(admin.user.id)


async def test_delete_self_prohibited(core: AuthCore, admin: Session, bob: Session) -> None:
    await core.update_user(admin.user.id, bob.user.id, UserChanges(role=Role.ADMIN))
    with pytest.raises(errors.ActionProhibited):
        await core.delete_user(bob.user.id, bob.user.id)
    assert await core.get_user(bob.user.id)


async def test_delete_unknown_user(core: AuthCore, admin: Session) -> None:
    with pytest.raises(errors.UserNotFound) as excinfo:
        await core.delete_user(admin.user.id, "nobody")
    check_error(excinfo, messages.USER_NOT_FOUND)


async def test_delete_user(core: AuthCore, repo: FakeAuthRepository, admin: Session, bob: Session) -> None:
    key = await core.create_api_key(bob.user.id)
    await core.delete_user(admin.user.id, bob.user.id)
    with pytest.raises(errors.UserNotFound):
        await core.get_user(bob.user.id)
    with pytest.raises(errors.InvalidToken):
        await core.authenticate(key)
    with pytest.raises(errors.InvalidToken):
        await core.authenticate(bob.token)
    with pytest.raises(errors.InvalidCredentials):
        await core.signin("bob@example.com", PASSWORD, SOURCE)
    # The address is free again.
    again = await signup(core, "Bob")
    assert again.user.id != bob.user.id


# -- list_users --------------------------------------------------------------------------------


def _seed(repo: FakeAuthRepository, count: int) -> list[UserRecord]:
    """Users straight into the repository (no hashing), created one second apart."""
    users = []
    for i in range(count):
        user = UserRecord(
            id=f"id-{i:04d}",
            name=f"User {i:04d}",
            email=f"user{i:04d}@example.com",
            role=Role.USER,
            profile_image_url="/user.png",
            created_at=1_700_000_000 + i,
            updated_at=1_700_000_000 + i,
            last_active_at=1_700_000_000 + i,
            primary_admin=i == 0,
            session_stamp="stamp",
        )
        repo.users[user.id] = user
        repo.password_hashes[user.id] = "x"
        users.append(user)
    return users


async def test_list_users_pages(core: AuthCore, repo: FakeAuthRepository) -> None:
    users = _seed(repo, 5)
    ids = [u.id for u in users]
    pages = [await core.list_users("", "created_at", "asc", page, 2) for page in (1, 2, 3, 4)]
    assert [[u.id for u in p.users] for p in pages] == [ids[0:2], ids[2:4], ids[4:5], []]
    assert {p.total for p in pages} == {5}


async def test_list_users_descending(core: AuthCore, repo: FakeAuthRepository) -> None:
    users = _seed(repo, 3)
    page = await core.list_users("", "created_at", "DESC", 1, 10)
    assert [u.id for u in page.users] == [u.id for u in reversed(users)]


@pytest.mark.parametrize("page", [0, -3])
async def test_list_users_page_below_one_is_page_one(
    core: AuthCore, repo: FakeAuthRepository, page: int
) -> None:
    _seed(repo, 5)
    first = await core.list_users("", "created_at", "asc", 1, 2)
    assert await core.list_users("", "created_at", "asc", page, 2) == first


async def test_list_users_page_size_capped_at_100(core: AuthCore, repo: FakeAuthRepository) -> None:
    users = _seed(repo, 150)
    page = await core.list_users("", "created_at", "asc", 1, 1000)
    assert len(page.users) == 100
    assert page.total == 150
    second = await core.list_users("", "created_at", "asc", 2, 1000)
    assert [u.id for u in second.users] == [u.id for u in users[100:]]


async def test_list_users_page_size_at_least_one(core: AuthCore, repo: FakeAuthRepository) -> None:
    _seed(repo, 3)
    page = await core.list_users("", "created_at", "asc", 2, 0)
    assert [u.id for u in page.users] == ["id-0001"]


async def test_list_users_query_matches_name_or_email_case_insensitively(
    core: AuthCore, admin: Session
) -> None:
    await core.add_user("Alice Smith", "alice@corp.example", PASSWORD, "", Role.USER)
    await core.add_user("Bob Jones", "bjones@smithery.example", PASSWORD, "", Role.USER)
    await core.add_user("Carol", "carol@example.com", PASSWORD, "", Role.USER)
    page = await core.list_users("  SMITH ", "name", "asc", 1, 30)
    assert [u.name for u in page.users] == ["Alice Smith", "Bob Jones"]
    assert page.total == 2
    page = await core.list_users("CORP.", "email", "asc", 1, 30)
    assert [u.email for u in page.users] == ["alice@corp.example"]
    page = await core.list_users("nothing-matches", "name", "asc", 1, 30)
    assert (page.users, page.total) == ([], 0)


# -- the fake repository's own semantics -------------------------------------------------------


async def test_fake_update_user_raises_on_duplicate_email(repo: FakeAuthRepository) -> None:
    users = _seed(repo, 2)
    with pytest.raises(EmailTakenError):
        await repo.update_user(users[1].id, {"email": users[0].email})
    with pytest.raises(ValueError):
        await repo.update_user(users[1].id, {"primary_admin": True})
    assert await repo.update_user("nobody", {"name": "x"}) is None
