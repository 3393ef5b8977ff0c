"""Limits' defaults and tuning from the environment (0 everywhere: no limit, no counter work)."""

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class LimitSettings(BaseSettings):
    """Read by every service that admits billable work (inference, ingest)."""

    model_config = SettingsConfigDict(case_sensitive=False, extra="ignore", frozen=True)

    # Defaults per subject type, used where an admin stored none (0: no limit).
    default_key_rpm: int = Field(default=0, alias="USAGE_DEFAULT_KEY_RPM", ge=0)
    default_key_tpm: int = Field(default=0, alias="USAGE_DEFAULT_KEY_TPM", ge=0)
    default_key_tpd: int = Field(default=0, alias="USAGE_DEFAULT_KEY_TPD", ge=0)
    default_key_budget_day: int = Field(default=0, alias="USAGE_DEFAULT_KEY_BUDGET_DAY", ge=0)
    default_key_budget_month: int = Field(default=0, alias="USAGE_DEFAULT_KEY_BUDGET_MONTH", ge=0)
    default_user_rpm: int = Field(default=0, alias="USAGE_DEFAULT_USER_RPM", ge=0)
    default_user_tpm: int = Field(default=0, alias="USAGE_DEFAULT_USER_TPM", ge=0)
    default_user_tpd: int = Field(default=0, alias="USAGE_DEFAULT_USER_TPD", ge=0)
    default_user_budget_day: int = Field(default=0, alias="USAGE_DEFAULT_USER_BUDGET_DAY", ge=0)
    default_user_budget_month: int = Field(default=0, alias="USAGE_DEFAULT_USER_BUDGET_MONTH", ge=0)
    default_group_rpm: int = Field(default=0, alias="USAGE_DEFAULT_GROUP_RPM", ge=0)
    default_group_tpm: int = Field(default=0, alias="USAGE_DEFAULT_GROUP_TPM", ge=0)
    default_group_tpd: int = Field(default=0, alias="USAGE_DEFAULT_GROUP_TPD", ge=0)
    default_group_budget_day: int = Field(default=0, alias="USAGE_DEFAULT_GROUP_BUDGET_DAY", ge=0)
    default_group_budget_month: int = Field(default=0, alias="USAGE_DEFAULT_GROUP_BUDGET_MONTH", ge=0)

    # How long a replica reuses the stored limits before reading them again: the bound on how late
    # an admin's change bites on another replica.
    limits_ttl_s: float = Field(default=2.0, alias="USAGE_LIMITS_TTL_S", ge=0, le=60)
    # A replica leases 1/divisor of what remains of a window (at least what the request costs):
    # larger = fewer PostgreSQL round trips, wider tolerance (see docs/configuration.md).
    lease_divisor: int = Field(default=16, alias="USAGE_LEASE_DIVISOR", ge=1, le=10_000)
    # Output tokens assumed when admitting a request that names no max_tokens; the actual usage is
    # charged when the reply ends.
    default_completion_tokens: int = Field(default=256, alias="USAGE_DEFAULT_COMPLETION_TOKENS", ge=0)
    # Deadline of one counter statement; past it the request is refused as unavailable.
    counter_timeout_s: float = Field(default=2.0, alias="USAGE_COUNTER_TIMEOUT_S", gt=0)

    def defaults(self, subject_type: str) -> tuple[int, int, int, int, int]:
        """(rpm, tpm, tpd, budget_day, budget_month) for a subject type without stored limits."""
        return tuple(  # type: ignore[return-value]
            getattr(self, f"default_{subject_type}_{name}")
            for name in ("rpm", "tpm", "tpd", "budget_day", "budget_month")
        )
