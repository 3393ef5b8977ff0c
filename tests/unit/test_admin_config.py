"""The admin config (§7.2): validation rules, stored values over environment defaults, the
per-replica cache, MFA refusals, and the live auth policy (sign-up, role, group, keys, JWT)."""

import jwt
import pytest
from pydantic import ValidationError

from services.auth import errors
from services.auth.admin_config import (
    CONFIG_KEYS,
    AdminConfigCore,
    LivePolicy,
    MfaPolicyConflict,
    MfaSessionRequired,
    changes_of,
    environment_defaults,
)
from services.auth.admin_config_settings import AdminConfigEnv
from services.auth.core import AuthCore, AuthPolicy
from services.auth.models import Role
from services.auth.passwords import PasswordHasher
from services.auth.tokens import TokenIssuer
from services.common import messages
from services.common.forms.admin_config import AdminConfigForm
from tests.unit.fake_auth_repository import FakeAuthRepository

pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")

REQUIRED = {
    "SHOW_ADMIN_DETAILS": True,
    "WEBUI_URL": "",
    "ENABLE_SIGNUP": True,
    "ENABLE_API_KEYS": True,
    "ENABLE_API_KEYS_ENDPOINT_RESTRICTIONS": False,
    "API_KEYS_ALLOWED_ENDPOINTS": "",
    "DEFAULT_USER_ROLE": "pending",
    "DEFAULT_GROUP_ID": "",
    "JWT_EXPIRES_IN": "4w",
    "ENABLE_COMMUNITY_SHARING": True,
    "ENABLE_MESSAGE_RATING": True,
    "ENABLE_FOLDERS": True,
    "ENABLE_AUTOMATIONS": True,
    "ENABLE_CHANNELS": False,
    "ENABLE_CALENDAR": True,
    "ENABLE_MEMORIES": True,
    "ENABLE_MEMORY_SYSTEM_CONTEXT": True,
    "ENABLE_NOTES": True,
    "ENABLE_USER_WEBHOOKS": False,
    "ENABLE_USER_STATUS": True,
}


class FakeStore:
    """The one stored row, shared by the 'replicas' built over it."""

    def __init__(self) -> None:
        self.stored: dict = {}
        self.loads = 0

    async def load(self) -> dict:
        self.loads += 1
        return dict(self.stored)

    async def merge(self, changes: dict) -> dict:
        self.stored = {**self.stored, **changes}
        return dict(self.stored)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def defaults() -> dict:
    return environment_defaults(AdminConfigEnv(), True, Role.PENDING, True, "4w")


def form(**changes) -> AdminConfigForm:
    return AdminConfigForm.model_validate({**REQUIRED, **changes})


def test_defaults_come_from_the_environment_in_open_webui_order() -> None:
    env = AdminConfigEnv(ENABLE_FOLDERS="false", DEFAULT_GROUP_ID="g1", FOLDER_MAX_FILE_COUNT="5")
    config = environment_defaults(env, False, Role.USER, False, "1h")
    assert tuple(config) == CONFIG_KEYS
    assert config["ENABLE_FOLDERS"] is False and config["DEFAULT_GROUP_ID"] == "g1"
    assert config["FOLDER_MAX_FILE_COUNT"] == 5 and config["AUTOMATION_MAX_COUNT"] == ""
    assert (config["ENABLE_SIGNUP"], config["DEFAULT_USER_ROLE"], config["JWT_EXPIRES_IN"]) == (
        False,
        "user",
        "1h",
    )
    assert config["ENABLE_MFA"] is False and config["I18N"] == {} and config["ADMIN_EMAIL"] is None


@pytest.mark.parametrize("missing", sorted(REQUIRED))
def test_every_required_key_is_required(missing: str) -> None:
    body = {k: v for k, v in REQUIRED.items() if k != missing}
    with pytest.raises(ValidationError):
        AdminConfigForm.model_validate(body)


@pytest.mark.parametrize(
    "changes",
    [
        {"ENABLE_MFA": "true"},
        {"MFA_ALLOW_OAUTH_BYPASS": 1},
        {"SKILL_CONTENT_MAX_CHARS": "10"},
        {"SKILL_PREVIEW_MAX_CHARS": 0},
        {"SKILL_PREVIEW_MAX_CHARS": True},
        {"FOLDER_MAX_FILE_COUNT": "many"},
        {"I18N": {"de": {"Hello {{name}}": "Hallo"}}},
        {"I18N": {"de": "not an object"}},
        {"WEBUI_URL": "http://x\x00"},
        {"ENABLE_SIGNUP": "maybe"},
    ],
)
def test_invalid_values_are_refused(changes: dict) -> None:
    with pytest.raises(ValidationError):
        form(**changes)


def test_optional_keys_absent_are_left_unchanged() -> None:
    changes = changes_of(form())
    for key in (
        "ENABLE_LOGIN_FORM",
        "I18N",
        "ENABLE_APPS",
        "SKILL_CONTENT_MAX_CHARS",
        "MFA_ALLOW_OAUTH_BYPASS",
    ):
        assert key not in changes
    given = changes_of(
        form(
            ENABLE_LOGIN_FORM=False,
            I18N={"de": {"Hi {{name}}": "Hallo {{ name }}"}},
            SKILL_CONTENT_MAX_CHARS=500,
            MFA_ALLOW_OAUTH_BYPASS=True,
        )
    )
    assert given["ENABLE_LOGIN_FORM"] is False and given["SKILL_CONTENT_MAX_CHARS"] == 500
    assert given["I18N"] == {"de": {"Hi {{name}}": "Hallo {{ name }}"}}
    assert given["MFA_ALLOW_OAUTH_BYPASS"] is True


def test_always_overwritten_keys_take_their_blank_values() -> None:
    changes = changes_of(form(DEFAULT_INTERFACE_SETTINGS=None, FOLDER_MAX_FILE_COUNT="7"))
    assert changes["DEFAULT_INTERFACE_SETTINGS"] == {}
    assert changes["FOLDER_MAX_FILE_COUNT"] == 7 and changes["AUTOMATION_MAX_COUNT"] == ""
    assert changes["PENDING_USER_OVERLAY_TITLE"] == "" and changes["ADMIN_EMAIL"] is None


def test_invalid_role_mode_and_duration_are_ignored() -> None:
    changes = changes_of(
        form(DEFAULT_USER_ROLE="king", CHANNEL_MODEL_RESPONSE_MODE="shout", JWT_EXPIRES_IN="bogus")
    )
    assert "DEFAULT_USER_ROLE" not in changes
    assert "CHANNEL_MODEL_RESPONSE_MODE" not in changes
    assert "JWT_EXPIRES_IN" not in changes
    valid = changes_of(
        form(DEFAULT_USER_ROLE="user", CHANNEL_MODEL_RESPONSE_MODE="channel", JWT_EXPIRES_IN="-1")
    )
    assert (valid["DEFAULT_USER_ROLE"], valid["CHANNEL_MODEL_RESPONSE_MODE"], valid["JWT_EXPIRES_IN"]) == (
        "user",
        "channel",
        "-1",
    )


async def test_update_round_trip_and_ignored_values_keep_the_old_ones() -> None:
    core = AdminConfigCore(FakeStore(), defaults(), ttl_s=1)
    config, revoked = await core.update(form(ENABLE_SIGNUP=False, JWT_EXPIRES_IN="2h"), via_api_key=False)
    assert revoked is False and config["ENABLE_SIGNUP"] is False and config["JWT_EXPIRES_IN"] == "2h"
    config, _ = await core.update(form(ENABLE_SIGNUP=False, JWT_EXPIRES_IN="bogus"), via_api_key=False)
    assert config["JWT_EXPIRES_IN"] == "2h"
    assert (await core.current()) == config and tuple(config) == CONFIG_KEYS


async def test_mfa_flags_need_a_session_and_mfa_cannot_be_enabled() -> None:
    core = AdminConfigCore(FakeStore(), defaults(), ttl_s=1)
    with pytest.raises(MfaSessionRequired) as refused:
        await core.update(form(ENABLE_MFA=False), via_api_key=True)
    assert str(refused.value) == messages.MFA_HUMAN_ADMIN_REQUIRED
    with pytest.raises(MfaPolicyConflict) as conflict:
        await core.update(form(ENABLE_MFA=True), via_api_key=False)
    assert str(conflict.value) == messages.MFA_POLICY_UPDATE_FAILED
    # Without MFA flags an API key may change the rest.
    config, revoked = await core.update(form(ENABLE_NOTES=False), via_api_key=True)
    assert config["ENABLE_NOTES"] is False and revoked is False


async def test_another_replica_sees_a_change_after_its_cache_period() -> None:
    store, clock = FakeStore(), Clock()
    writer = AdminConfigCore(store, defaults(), ttl_s=1, clock=clock)
    reader = AdminConfigCore(store, defaults(), ttl_s=1, clock=clock)
    assert (await reader.current())["ENABLE_SIGNUP"] is True
    await writer.update(form(ENABLE_SIGNUP=False), via_api_key=False)
    assert (await writer.current())["ENABLE_SIGNUP"] is False
    assert (await reader.current())["ENABLE_SIGNUP"] is True
    loads = store.loads
    clock.now += 1.01
    assert (await reader.current())["ENABLE_SIGNUP"] is False
    assert store.loads == loads + 1
    await reader.current()
    assert store.loads == loads + 1


async def test_live_policy_drives_signup_role_group_keys_and_jwt_lifetime() -> None:
    store = FakeStore()
    config = AdminConfigCore(store, defaults(), ttl_s=0)
    joined: list[tuple[str, str]] = []

    async def join(group_id: str, user_id: str) -> None:
        joined.append((group_id, user_id))

    tokens = TokenIssuer("secret", 3600)
    core = AuthCore(
        FakeAuthRepository(),
        PasswordHasher(rounds=4),
        tokens,
        AuthPolicy(),
        live_policy=LivePolicy(AuthPolicy(), config),
        join_group=join,
    )
    admin = await core.signup("Admin", "admin@example.com", "pw", "")
    await config.update(
        form(DEFAULT_USER_ROLE="user", DEFAULT_GROUP_ID="g1", JWT_EXPIRES_IN="-1"), via_api_key=False
    )
    user = await core.signup("User", "user@example.com", "pw", "")
    assert user.user.role is Role.USER and user.expires_at is None
    assert "exp" not in jwt.decode(user.token, "secret", algorithms=["HS256"])
    assert joined == [("g1", user.user.id)]
    key = await core.create_api_key(admin.user.id)
    assert (await core.authenticate(key)).user.id == admin.user.id
    await config.update(form(ENABLE_SIGNUP=False, ENABLE_API_KEYS=False), via_api_key=False)
    with pytest.raises(errors.SignupDisabled):
        await core.signup("Late", "late@example.com", "pw", "")
    with pytest.raises(errors.ApiKeysDisabled):
        await core.authenticate(key)
    assert (await core.current_policy()).enable_signup is False
