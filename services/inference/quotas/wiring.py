"""Builds the limiter every billable call is admitted by, and QuotasService over it."""

from pathlib import Path

import asyncpg

from services.common.migrations import apply_migrations
from services.common.usage.limit_settings import LimitSettings
from services.common.usage.limit_store import LimitStore
from services.common.usage.limiter import Limiter
from services.inference.quotas.quota_admin import QuotaAdmin
from services.inference.quotas.quota_gate import QuotaGate
from services.inference.quotas.servicer import QuotasServicer

USAGE_MIGRATIONS = Path(__file__).resolve().parents[2] / "common" / "usage" / "migrations"


async def build_quotas(pool: asyncpg.Pool, settings: LimitSettings) -> tuple[QuotaGate, QuotasServicer]:
    # The "usage" set holds the limit and counter tables; applying it again is a no-op (the
    # usage recorder's wiring applies the same set).
    await apply_migrations(pool, "usage", USAGE_MIGRATIONS)
    limiter = Limiter(LimitStore(pool, settings.counter_timeout_s), settings)
    return QuotaGate(limiter, settings), QuotasServicer(QuotaAdmin(limiter, settings))
