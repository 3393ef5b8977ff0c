"""Usage recording's settings, read by every service that writes usage records (inference, ingest)."""

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class RecordingSettings(BaseSettings):
    model_config = SettingsConfigDict(case_sensitive=False, extra="ignore", frozen=True)

    # Off: nothing is recorded (the bench's baseline; usage routes then show only older records).
    enabled: bool = Field(default=True, alias="USAGE_RECORDING")
    # A batch is written when it has this many records or when the interval has passed.
    batch_size: int = Field(default=500, alias="USAGE_BATCH_SIZE", ge=1, le=10_000)
    flush_interval_s: float = Field(default=1.0, alias="USAGE_FLUSH_INTERVAL_S", gt=0, le=60)
    # Records waiting past this many are dropped (counted and logged): the request path never waits.
    queue_max: int = Field(default=100_000, alias="USAGE_QUEUE_MAX", ge=1)
    # A failing write is retried this many times, backing off from 0.2 s doubling up to the max.
    write_retries: int = Field(default=8, alias="USAGE_WRITE_RETRIES", ge=0, le=100)
    retry_backoff_max_s: float = Field(default=5.0, alias="USAGE_RETRY_BACKOFF_MAX_S", gt=0)
    write_timeout_s: float = Field(default=10.0, alias="USAGE_WRITE_TIMEOUT_S", gt=0)
    # Records older than this many whole UTC days are summed into usage_daily and deleted.
    rollup_after_days: int = Field(default=7, alias="USAGE_ROLLUP_AFTER_DAYS", ge=1)
    rollup_interval_s: float = Field(default=600.0, alias="USAGE_ROLLUP_INTERVAL_S", gt=0)
    rollup_batch: int = Field(default=5000, alias="USAGE_ROLLUP_BATCH", ge=1)
