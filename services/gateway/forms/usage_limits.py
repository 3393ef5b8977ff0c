"""The form of ``POST /api/v1/usage/limits``: one subject's limits (null: the default, 0: none)."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class UsageLimitsForm(BaseModel):
    model_config = ConfigDict(extra="ignore")

    subject_type: Literal["key", "user", "group"]
    subject_id: str = Field(min_length=1, max_length=256)
    rpm: int | None = Field(default=None, ge=0, le=2**62, description="Requests per minute")
    tpm: int | None = Field(default=None, ge=0, le=2**62, description="Tokens per minute")
    tpd: int | None = Field(default=None, ge=0, le=2**62, description="Tokens per UTC day")
    budget_day: int | None = Field(default=None, ge=0, le=2**62, description="Token budget per UTC day")
    budget_month: int | None = Field(default=None, ge=0, le=2**62, description="Token budget per UTC month")
