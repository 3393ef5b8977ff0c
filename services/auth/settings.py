"""Auth service settings, from the environment (Open WebUI's names where they exist)."""

from pydantic import Field, field_validator

from services.auth.admin_config_settings import AdminConfigEnv
from services.auth.models import Role
from services.auth.permission_settings import PermissionEnv
from services.common.networks import PRIVATE_NETWORKS, Networks, NetworksText, parse_networks
from services.common.settings import ServiceSettings, parse_duration


class AuthSettings(ServiceSettings, PermissionEnv, AdminConfigEnv):
    listen: str = Field(default="127.0.0.1:50051", alias="AUTH_GRPC_LISTEN")
    webui_secret_key: str = Field(default="", alias="WEBUI_SECRET_KEY")
    jwt_expires_in: str = Field(default="4w", alias="JWT_EXPIRES_IN")
    enable_signup: bool = Field(default=True, alias="ENABLE_SIGNUP")
    default_user_role: Role = Field(default=Role.PENDING, alias="DEFAULT_USER_ROLE")
    enable_api_keys: bool = Field(default=True, alias="ENABLE_API_KEYS")
    bcrypt_rounds: int = Field(default=12, alias="BCRYPT_ROUNDS", ge=4, le=16)
    signin_rate_limit: int = Field(default=15, alias="SIGNIN_RATE_LIMIT", ge=1)
    signin_rate_window_s: int = Field(default=180, alias="SIGNIN_RATE_WINDOW_S", ge=1)
    # Failed sign-ins one source address may make across all e-mails per window (password spraying).
    signin_source_rate_limit: int = Field(default=30, alias="SIGNIN_SOURCE_RATE_LIMIT", ge=1)
    # Callers (our gateway) whose SigninRequest.client_address is believed; anyone else is counted
    # under its own address, so a stranger cannot pick the address it is limited as.
    trusted_networks_text: NetworksText = Field(default=PRIVATE_NETWORKS, alias="AUTH_TRUSTED_NETWORKS")

    @field_validator("jwt_expires_in")
    @classmethod
    def _check_duration(cls, value: str) -> str:
        parse_duration(value)
        return value

    @property
    def jwt_expires_in_s(self) -> float | None:
        return parse_duration(self.jwt_expires_in)

    @property
    def trusted_networks(self) -> Networks:
        return parse_networks(self.trusted_networks_text)
