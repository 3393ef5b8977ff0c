"""The body of ``POST /api/v1/auths/admin/config`` (§7.2): validated by the gateway and again by
AdminConfigService for its direct gRPC callers, with this one model."""

import re
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, field_validator, model_validator

from services.common.forms.types import has_nul

# A count or interval the UI leaves blank (""), or an integer (Open WebUI's `int | str | None`).
BlankOrInt = int | str | None
PositiveInt = Annotated[StrictInt, Field(gt=0)]
# `{{name}}` placeholders in an I18N text: a translation must keep the source text's set.
_PLACEHOLDER = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")

# Keys a body may leave out and whose stored value then stays as it is (§7.2 "optional").
OPTIONAL_KEYS = (
    "ENABLE_MFA",
    "MFA_ALLOW_OAUTH_BYPASS",
    "MFA_ALLOW_TRUSTED_HEADER_BYPASS",
    "ENABLE_LOGIN_FORM",
    "ENABLE_ENCRYPTED_CHANNELS",
    "ENABLE_APPS",
    "I18N",
    "ENABLE_SKILL_LAZY_LOADING",
    "SKILL_CONTENT_MAX_CHARS",
    "SKILL_PREVIEW_MAX_CHARS",
    "CHANNEL_MODEL_RESPONSE_MODE",
)
MFA_KEYS = ("ENABLE_MFA", "MFA_ALLOW_OAUTH_BYPASS", "MFA_ALLOW_TRUSTED_HEADER_BYPASS")


def placeholders(text: str) -> set[str]:
    return set(_PLACEHOLDER.findall(text))


class AdminConfigForm(BaseModel):
    """Required keys have no default; optional ones default to None (= absent, left unchanged)."""

    model_config = ConfigDict(extra="ignore")

    SHOW_ADMIN_DETAILS: bool
    ADMIN_EMAIL: str | None = None
    WEBUI_URL: str
    ENABLE_SIGNUP: bool
    ENABLE_API_KEYS: bool
    ENABLE_API_KEYS_ENDPOINT_RESTRICTIONS: bool
    API_KEYS_ALLOWED_ENDPOINTS: str
    # Free text here: a value outside pending|user|admin is ignored (kept), not refused.
    DEFAULT_USER_ROLE: str
    DEFAULT_GROUP_ID: str
    # Ignored (kept) unless it matches Open WebUI's duration pattern.
    JWT_EXPIRES_IN: str
    ENABLE_COMMUNITY_SHARING: bool
    ENABLE_MESSAGE_RATING: bool
    ENABLE_FOLDERS: bool
    # Absent = blank (""): always overwritten, as Open WebUI does.
    FOLDER_MAX_FILE_COUNT: BlankOrInt = Field(default=None, validate_default=True)
    AUTOMATION_MAX_COUNT: BlankOrInt = Field(default=None, validate_default=True)
    AUTOMATION_MIN_INTERVAL: BlankOrInt = Field(default=None, validate_default=True)
    ENABLE_AUTOMATIONS: bool
    ENABLE_CHANNELS: bool
    ENABLE_CALENDAR: bool
    ENABLE_MEMORIES: bool
    ENABLE_MEMORY_SYSTEM_CONTEXT: bool
    ENABLE_NOTES: bool
    ENABLE_USER_WEBHOOKS: bool
    ENABLE_USER_STATUS: bool
    DEFAULT_INTERFACE_SETTINGS: dict | None = None
    PENDING_USER_OVERLAY_TITLE: str | None = None
    PENDING_USER_OVERLAY_CONTENT: str | None = None
    RESPONSE_WATERMARK: str | None = None
    # Optional: None means the key was absent (see OPTIONAL_KEYS).
    ENABLE_MFA: StrictBool | None = None
    MFA_ALLOW_OAUTH_BYPASS: StrictBool | None = None
    MFA_ALLOW_TRUSTED_HEADER_BYPASS: StrictBool | None = None
    ENABLE_LOGIN_FORM: bool | None = None
    ENABLE_ENCRYPTED_CHANNELS: bool | None = None
    ENABLE_APPS: bool | None = None
    I18N: dict[str, dict[str, str]] | None = None
    ENABLE_SKILL_LAZY_LOADING: bool | None = None
    SKILL_CONTENT_MAX_CHARS: PositiveInt | None = None
    SKILL_PREVIEW_MAX_CHARS: PositiveInt | None = None
    CHANNEL_MODEL_RESPONSE_MODE: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _no_nul(cls, data: object) -> object:
        # The row is jsonb, which cannot hold NUL: refused here rather than failed on in SQL.
        if has_nul(data):
            raise ValueError("must not contain NUL characters")
        return data

    @field_validator("FOLDER_MAX_FILE_COUNT", "AUTOMATION_MAX_COUNT", "AUTOMATION_MIN_INTERVAL")
    @classmethod
    def _blank_or_int(cls, value: BlankOrInt) -> int | str:
        # Open WebUI stores int(value) or "" for a falsy one; text that is no integer is refused
        # here (Open WebUI fails it with a 500).
        if value is None or value == "" or value == 0:
            return ""
        if isinstance(value, bool):
            raise ValueError("must be an integer or empty")
        try:
            return int(value)
        except ValueError:
            raise ValueError("must be an integer or empty") from None

    @field_validator("I18N")
    @classmethod
    def _same_placeholders(cls, value: dict[str, dict[str, str]] | None) -> dict | None:
        for texts in (value or {}).values():
            for source, translated in texts.items():
                if placeholders(source) != placeholders(translated):
                    raise ValueError("placeholders must match the source text")
        return value

    def given(self, key: str) -> bool:
        """Whether ``key`` was in the body (for the optional keys, absent = unchanged)."""
        return key in self.model_fields_set and getattr(self, key) is not None
