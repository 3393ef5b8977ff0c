"""The environment values behind ``/api/v1/auths/admin/config`` (Open WebUI's names): the defaults
that a value stored by an admin overrides. ENABLE_SIGNUP, DEFAULT_USER_ROLE, ENABLE_API_KEYS and
JWT_EXPIRES_IN stay on AuthSettings itself, where they always were."""

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def _on(name: str) -> bool:
    return Field(default=True, alias=name)


def _off(name: str) -> bool:
    return Field(default=False, alias=name)


def _text(name: str) -> str:
    return Field(default="", alias=name)


class AdminConfigEnv(BaseSettings):
    """Mixed into AuthSettings."""

    model_config = SettingsConfigDict(case_sensitive=False, extra="ignore", frozen=True)

    # How long a replica reuses the stored config before reading it again: with the gateway's
    # AUTH_CACHE_TTL_S on top, the bound on how late a change shows on every replica.
    admin_config_cache_ttl_s: float = Field(default=1.0, alias="ADMIN_CONFIG_CACHE_TTL_S", ge=0, le=2)
    show_admin_details: bool = _on("SHOW_ADMIN_DETAILS")
    admin_email: str | None = Field(default=None, alias="ADMIN_EMAIL")
    webui_url: str = _text("WEBUI_URL")
    enable_login_form: bool = _on("ENABLE_LOGIN_FORM")
    enable_api_keys_endpoint_restrictions: bool = _off("ENABLE_API_KEYS_ENDPOINT_RESTRICTIONS")
    api_keys_allowed_endpoints: str = _text("API_KEYS_ALLOWED_ENDPOINTS")
    default_group_id: str = _text("DEFAULT_GROUP_ID")
    enable_community_sharing: bool = _on("ENABLE_COMMUNITY_SHARING")
    enable_message_rating: bool = _on("ENABLE_MESSAGE_RATING")
    enable_folders: bool = _on("ENABLE_FOLDERS")
    folder_max_file_count: str = _text("FOLDER_MAX_FILE_COUNT")
    automation_max_count: str = _text("AUTOMATION_MAX_COUNT")
    automation_min_interval: str = _text("AUTOMATION_MIN_INTERVAL")
    enable_automations: bool = _on("ENABLE_AUTOMATIONS")
    enable_channels: bool = _off("ENABLE_CHANNELS")
    enable_encrypted_channels: bool = _off("ENABLE_ENCRYPTED_CHANNELS")
    enable_apps: bool = _off("ENABLE_APPS")
    channel_model_response_mode: str = Field(default="thread", alias="CHANNEL_MODEL_RESPONSE_MODE")
    enable_calendar: bool = _on("ENABLE_CALENDAR")
    enable_memories: bool = _on("ENABLE_MEMORIES")
    enable_memory_system_context: bool = _on("ENABLE_MEMORY_SYSTEM_CONTEXT")
    enable_skill_lazy_loading: bool = _off("ENABLE_SKILL_LAZY_LOADING")
    enable_notes: bool = _on("ENABLE_NOTES")
    enable_user_webhooks: bool = _off("ENABLE_USER_WEBHOOKS")
    enable_user_status: bool = _on("ENABLE_USER_STATUS")
    pending_user_overlay_title: str = _text("PENDING_USER_OVERLAY_TITLE")
    pending_user_overlay_content: str = _text("PENDING_USER_OVERLAY_CONTENT")
    response_watermark: str = _text("RESPONSE_WATERMARK")
