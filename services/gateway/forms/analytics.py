"""Query forms of the usage and analytics routes (Open WebUI's FastAPI ``Query`` parameters)."""

from pydantic import BaseModel, Field

# Epoch seconds up to the last second of year 9999 (what a date can hold).
EPOCH_MAX = 253402300799
Epoch = int | None


class UserUsageQuery(BaseModel):
    """``GET /api/v1/users/usage``."""

    days: int = Field(default=730, ge=7, le=732)
    start_date: Epoch = Field(default=None, ge=0, le=EPOCH_MAX)
    end_date: Epoch = Field(default=None, ge=0, le=EPOCH_MAX)


class AnalyticsQuery(BaseModel):
    """The filters every ``/api/v1/analytics/*`` route takes, and those some of them take."""

    start_date: Epoch = Field(default=None, ge=0, le=EPOCH_MAX)
    end_date: Epoch = Field(default=None, ge=0, le=EPOCH_MAX)
    group_id: str | None = None
    limit: int = Field(default=50, ge=1, le=10000)
    skip: int = Field(default=0, ge=0, le=2**31 - 1)
    metric: str = "messages"
    granularity: str = "daily"
    compare: bool = False
    model_id: str | None = None
    user_id: str | None = None
    chat_id: str | None = None


class PageQuery(AnalyticsQuery):
    """Routes that page (``limit`` ≤ 100)."""

    limit: int = Field(default=50, ge=1, le=100)


class OverviewQuery(BaseModel):
    days: int = Field(default=30, ge=0, le=100000)
