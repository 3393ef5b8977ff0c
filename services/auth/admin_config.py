"""The admin config (``/api/v1/auths/admin/config``, §7.2): stored values over environment
defaults, the update rules, and the live auth policy every replica reads from it. No I/O of its own.

Each replica reads the stored row again at most every ``ttl_s`` (≤ 2 s), so a change made through
any replica shows on all of them within that bound plus the callers' own caches (the gateway's
AUTH_CACHE_TTL_S): sign-up, the default role and group, API keys and the JWT lifetime of new
sessions follow it without a restart.
"""

import dataclasses
import re
import time
from collections.abc import Callable
from typing import Protocol

from services.auth.admin_config_settings import AdminConfigEnv
from services.auth.core import AuthPolicy
from services.auth.models import Role
from services.common import messages
from services.common.errors import AlreadyExists, PermissionDenied
from services.common.forms.admin_config import MFA_KEYS, AdminConfigForm
from services.common.fresh_value import FreshValue
from services.common.settings import parse_duration

# The keys GET returns, in Open WebUI's order (§7.2).
CONFIG_KEYS = (
    "ENABLE_MFA",
    "MFA_ALLOW_OAUTH_BYPASS",
    "MFA_ALLOW_TRUSTED_HEADER_BYPASS",
    "SHOW_ADMIN_DETAILS",
    "ADMIN_EMAIL",
    "WEBUI_URL",
    "ENABLE_LOGIN_FORM",
    "ENABLE_SIGNUP",
    "ENABLE_API_KEYS",
    "ENABLE_API_KEYS_ENDPOINT_RESTRICTIONS",
    "API_KEYS_ALLOWED_ENDPOINTS",
    "DEFAULT_USER_ROLE",
    "DEFAULT_GROUP_ID",
    "DEFAULT_INTERFACE_SETTINGS",
    "I18N",
    "JWT_EXPIRES_IN",
    "ENABLE_COMMUNITY_SHARING",
    "ENABLE_MESSAGE_RATING",
    "ENABLE_FOLDERS",
    "FOLDER_MAX_FILE_COUNT",
    "AUTOMATION_MAX_COUNT",
    "AUTOMATION_MIN_INTERVAL",
    "ENABLE_AUTOMATIONS",
    "ENABLE_CHANNELS",
    "ENABLE_ENCRYPTED_CHANNELS",
    "ENABLE_APPS",
    "CHANNEL_MODEL_RESPONSE_MODE",
    "ENABLE_CALENDAR",
    "ENABLE_MEMORIES",
    "ENABLE_MEMORY_SYSTEM_CONTEXT",
    "ENABLE_SKILL_LAZY_LOADING",
    "SKILL_CONTENT_MAX_CHARS",
    "SKILL_PREVIEW_MAX_CHARS",
    "ENABLE_NOTES",
    "ENABLE_USER_WEBHOOKS",
    "ENABLE_USER_STATUS",
    "PENDING_USER_OVERLAY_TITLE",
    "PENDING_USER_OVERLAY_CONTENT",
    "RESPONSE_WATERMARK",
)
# Written from every body (required keys, and the ones Open WebUI always overwrites).
_ALWAYS_SET = (
    "SHOW_ADMIN_DETAILS",
    "ADMIN_EMAIL",
    "WEBUI_URL",
    "ENABLE_SIGNUP",
    "ENABLE_API_KEYS",
    "ENABLE_API_KEYS_ENDPOINT_RESTRICTIONS",
    "API_KEYS_ALLOWED_ENDPOINTS",
    "DEFAULT_GROUP_ID",
    "ENABLE_COMMUNITY_SHARING",
    "ENABLE_MESSAGE_RATING",
    "ENABLE_FOLDERS",
    "FOLDER_MAX_FILE_COUNT",
    "AUTOMATION_MAX_COUNT",
    "AUTOMATION_MIN_INTERVAL",
    "ENABLE_AUTOMATIONS",
    "ENABLE_CHANNELS",
    "ENABLE_CALENDAR",
    "ENABLE_MEMORIES",
    "ENABLE_MEMORY_SYSTEM_CONTEXT",
    "ENABLE_NOTES",
    "ENABLE_USER_WEBHOOKS",
    "ENABLE_USER_STATUS",
)
# Optional keys: written only when the body has them (absent or null = unchanged).
_SET_WHEN_GIVEN = (
    "MFA_ALLOW_OAUTH_BYPASS",
    "MFA_ALLOW_TRUSTED_HEADER_BYPASS",
    "ENABLE_LOGIN_FORM",
    "ENABLE_ENCRYPTED_CHANNELS",
    "ENABLE_APPS",
    "I18N",
    "ENABLE_SKILL_LAZY_LOADING",
    "SKILL_CONTENT_MAX_CHARS",
    "SKILL_PREVIEW_MAX_CHARS",
)
_ROLES = frozenset(role.value for role in Role)
_RESPONSE_MODES = frozenset({"thread", "channel"})
# Open WebUI's check of JWT_EXPIRES_IN; a value that fails it is ignored (the old one stays).
_DURATION = re.compile(r"^(-1|0|(-?\d+(\.\d+)?)(ms|s|m|h|d|w))$")


class MfaSessionRequired(PermissionDenied):
    """MFA flags in a body sent with an API key."""

    def __init__(self) -> None:
        super().__init__(messages.MFA_HUMAN_ADMIN_REQUIRED)


class MfaPolicyConflict(AlreadyExists):
    """An MFA policy this server cannot apply: it has no MFA, so MFA cannot be switched on (409)."""

    def __init__(self) -> None:
        super().__init__(messages.MFA_POLICY_UPDATE_FAILED)


class AdminConfigStore(Protocol):
    """Where the stored values live (PostgreSQL: auth_admin_config)."""

    async def load(self) -> dict:
        """The stored values (an empty dict when nothing was ever stored)."""
        ...

    async def merge(self, changes: dict) -> dict:
        """Sets ``changes`` over the stored values in one statement and returns them all."""
        ...


def environment_defaults(
    settings: AdminConfigEnv,
    enable_signup: bool,
    default_user_role: Role,
    enable_api_keys: bool,
    jwt_expires_in: str,
) -> dict:
    """The config before any admin change: the environment's values, in CONFIG_KEYS' order."""
    defaults = {
        "ENABLE_MFA": False,
        "MFA_ALLOW_OAUTH_BYPASS": False,
        "MFA_ALLOW_TRUSTED_HEADER_BYPASS": False,
        "SHOW_ADMIN_DETAILS": settings.show_admin_details,
        "ADMIN_EMAIL": settings.admin_email,
        "WEBUI_URL": settings.webui_url,
        "ENABLE_LOGIN_FORM": settings.enable_login_form,
        "ENABLE_SIGNUP": enable_signup,
        "ENABLE_API_KEYS": enable_api_keys,
        "ENABLE_API_KEYS_ENDPOINT_RESTRICTIONS": settings.enable_api_keys_endpoint_restrictions,
        "API_KEYS_ALLOWED_ENDPOINTS": settings.api_keys_allowed_endpoints,
        "DEFAULT_USER_ROLE": default_user_role.value,
        "DEFAULT_GROUP_ID": settings.default_group_id,
        "DEFAULT_INTERFACE_SETTINGS": {},
        "I18N": {},
        "JWT_EXPIRES_IN": jwt_expires_in,
        "ENABLE_COMMUNITY_SHARING": settings.enable_community_sharing,
        "ENABLE_MESSAGE_RATING": settings.enable_message_rating,
        "ENABLE_FOLDERS": settings.enable_folders,
        "FOLDER_MAX_FILE_COUNT": _blank_or_int(settings.folder_max_file_count),
        "AUTOMATION_MAX_COUNT": _blank_or_int(settings.automation_max_count),
        "AUTOMATION_MIN_INTERVAL": _blank_or_int(settings.automation_min_interval),
        "ENABLE_AUTOMATIONS": settings.enable_automations,
        "ENABLE_CHANNELS": settings.enable_channels,
        "ENABLE_ENCRYPTED_CHANNELS": settings.enable_encrypted_channels,
        "ENABLE_APPS": settings.enable_apps,
        "CHANNEL_MODEL_RESPONSE_MODE": settings.channel_model_response_mode,
        "ENABLE_CALENDAR": settings.enable_calendar,
        "ENABLE_MEMORIES": settings.enable_memories,
        "ENABLE_MEMORY_SYSTEM_CONTEXT": settings.enable_memory_system_context,
        "ENABLE_SKILL_LAZY_LOADING": settings.enable_skill_lazy_loading,
        "SKILL_CONTENT_MAX_CHARS": None,
        "SKILL_PREVIEW_MAX_CHARS": None,
        "ENABLE_NOTES": settings.enable_notes,
        "ENABLE_USER_WEBHOOKS": settings.enable_user_webhooks,
        "ENABLE_USER_STATUS": settings.enable_user_status,
        "PENDING_USER_OVERLAY_TITLE": settings.pending_user_overlay_title,
        "PENDING_USER_OVERLAY_CONTENT": settings.pending_user_overlay_content,
        "RESPONSE_WATERMARK": settings.response_watermark,
    }
    assert tuple(defaults) == CONFIG_KEYS
    return defaults


def _blank_or_int(value: str) -> int | str:
    text = value.strip()
    return int(text) if text.lstrip("-").isdigit() and int(text) else ""


def valid_duration(value: str) -> bool:
    """Open WebUI's pattern, and one our token issuer can use."""
    if not _DURATION.match(value):
        return False
    try:
        parse_duration(value)
    except ValueError:
        return False
    return True


def changes_of(form: AdminConfigForm) -> dict:
    """What a validated body writes (§7.2): required and always-overwritten keys, the optional ones
    it names, and the three checked ones only when valid. ENABLE_MFA is handled by the caller."""
    changes = {key: getattr(form, key) for key in _ALWAYS_SET}
    changes["DEFAULT_INTERFACE_SETTINGS"] = form.DEFAULT_INTERFACE_SETTINGS or {}
    for key in ("PENDING_USER_OVERLAY_TITLE", "PENDING_USER_OVERLAY_CONTENT", "RESPONSE_WATERMARK"):
        changes[key] = getattr(form, key) or ""
    for key in _SET_WHEN_GIVEN:
        if form.given(key):
            changes[key] = getattr(form, key)
    if form.DEFAULT_USER_ROLE in _ROLES:
        changes["DEFAULT_USER_ROLE"] = form.DEFAULT_USER_ROLE
    if form.given("CHANNEL_MODEL_RESPONSE_MODE") and form.CHANNEL_MODEL_RESPONSE_MODE in _RESPONSE_MODES:
        changes["CHANNEL_MODEL_RESPONSE_MODE"] = form.CHANNEL_MODEL_RESPONSE_MODE
    if valid_duration(form.JWT_EXPIRES_IN):
        changes["JWT_EXPIRES_IN"] = form.JWT_EXPIRES_IN
    return changes


def effective(defaults: dict, stored: dict) -> dict:
    """Stored values over the defaults, known keys only, in CONFIG_KEYS' order."""
    return {key: stored.get(key, defaults[key]) for key in CONFIG_KEYS}


class AdminConfigCore:
    """Reads (cached per replica for ``ttl_s``) and updates the admin config."""

    def __init__(
        self,
        store: AdminConfigStore,
        defaults: dict,
        ttl_s: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._store = store
        self._defaults = dict(defaults)
        self._stored = FreshValue(store.load, ttl_s, clock)

    async def current(self) -> dict:
        """The effective config, at most ``ttl_s`` old."""
        return effective(self._defaults, await self._stored.get())

    async def update(self, form: AdminConfigForm, via_api_key: bool) -> tuple[dict, bool]:
        """Applies a validated body; returns the new config and whether sessions were revoked."""
        if any(key in form.model_fields_set for key in MFA_KEYS) and via_api_key:
            raise MfaSessionRequired()
        # This server has no MFA: switching it on is a policy it cannot apply. Since ENABLE_MFA
        # therefore never changes, no update revokes sessions.
        if form.ENABLE_MFA:
            raise MfaPolicyConflict()
        stored = await self._store.merge(changes_of(form))
        self._stored.put(stored)
        return effective(self._defaults, stored), False


class LivePolicy:
    """The auth core's policy with its live parts taken from the admin config."""

    def __init__(self, base: AuthPolicy, config: AdminConfigCore) -> None:
        self._base = base
        self._config = config

    async def __call__(self) -> AuthPolicy:
        current = await self._config.current()
        role = current["DEFAULT_USER_ROLE"]
        return dataclasses.replace(
            self._base,
            enable_signup=bool(current["ENABLE_SIGNUP"]),
            default_user_role=Role(role) if role in _ROLES else self._base.default_user_role,
            enable_api_keys=bool(current["ENABLE_API_KEYS"]),
            jwt_expires_in=str(current["JWT_EXPIRES_IN"]),
            default_group_id=str(current["DEFAULT_GROUP_ID"] or ""),
        )
