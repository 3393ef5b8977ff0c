"""Builds the jobs API, the callback delivery loop and the servicer from the ingest settings."""

from dataclasses import dataclass

import asyncpg

from services.ingest.events import EventPublisher
from services.ingest.ingest_jobs.callback_urls import CallbackPolicy
from services.ingest.ingest_jobs.core import JobsCore
from services.ingest.ingest_jobs.delivery import CallbackDelivery, DeliverySettings
from services.ingest.ingest_jobs.repository import JobsRepository
from services.ingest.ingest_jobs.servicer import SERVICE_NAME, IngestJobsServicer
from services.ingest.ingest_jobs.starter import JobStarter
from services.ingest.jobs import JobQueue
from services.ingest.settings import IngestSettings

JOBS_SERVICE_NAME = SERVICE_NAME


@dataclass
class JobsWiring:
    repo: JobsRepository
    core: JobsCore
    starter: JobStarter
    delivery: CallbackDelivery
    servicer: IngestJobsServicer


def delivery_settings(settings: IngestSettings) -> DeliverySettings:
    return DeliverySettings(
        secret=settings.callback_secret,
        policy=CallbackPolicy.parse(settings.callback_allowed_hosts, settings.callback_secret),
        timeout_s=settings.callback_timeout_s,
        max_attempts=settings.callback_max_attempts,
        retry_base_s=settings.callback_retry_base_s,
        retry_max_s=settings.callback_retry_max_s,
        poll_s=settings.callback_poll_s,
    )


def build_jobs(
    settings: IngestSettings, pool: asyncpg.Pool, queue: JobQueue, publisher: EventPublisher
) -> JobsWiring:
    """Everything of the jobs API; the caller starts ``delivery`` (and stops it at shutdown)."""
    repo = JobsRepository(pool)
    starter = JobStarter(pool, queue)
    deliver = delivery_settings(settings)
    core = JobsCore(repo, starter, publisher, deliver.policy)
    return JobsWiring(repo, core, starter, CallbackDelivery(repo, deliver), IngestJobsServicer(core))
