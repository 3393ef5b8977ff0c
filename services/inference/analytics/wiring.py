"""The analytics object graph, built in one place: repository, rules and servicer."""

import asyncpg

from services.inference.analytics.repository import AnalyticsRepository
from services.inference.analytics.service import AnalyticsService
from services.inference.analytics.servicer import AnalyticsServicer


def build_analytics_servicer(pool: asyncpg.Pool) -> AnalyticsServicer:
    return AnalyticsServicer(AnalyticsService(AnalyticsRepository(pool)))
