"""Ingest metrics: the job queue's depth, job durations, and the FAISS copies this replica holds."""

import logging
from collections.abc import Awaitable, Callable, Iterator

from prometheus_client import CollectorRegistry, Gauge, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from services.ingest.index_memory import IndexMemory

log = logging.getLogger(__name__)

# Seconds; a short text file takes well under a second, a large PDF minutes.
JOB_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0)

# completed / failed (for good: unreadable, or the last attempt) / retried (an attempt failed and
# the job went back to the queue) / skipped (gone, or finished by an earlier delivery).
JOB_OUTCOMES = ("completed", "failed", "retried", "skipped", "cancelled")


class FaissCollector(Collector):
    """``webui_faiss_collections`` and ``webui_faiss_vectors``, read from ``held()`` at each scrape
    (which runs on the service's event loop, the owner of the copies)."""

    def __init__(self, held: Callable[[], dict[str, int]]) -> None:
        self._held = held

    def _families(self, held: dict[str, int]) -> list[GaugeMetricFamily]:
        return [
            GaugeMetricFamily(
                "webui_faiss_collections", "Collections whose FAISS copy this replica holds.", len(held)
            ),
            GaugeMetricFamily(
                "webui_faiss_vectors", "Vectors in the FAISS copies this replica holds.", sum(held.values())
            ),
        ]

    def describe(self) -> list[GaugeMetricFamily]:
        return self._families({})

    def collect(self) -> Iterator[GaugeMetricFamily]:
        yield from self._families(self._held())


class FaissMemoryCollector(Collector):
    """``webui_faiss_bytes`` (estimated), ``webui_faiss_memory_cap_bytes`` and
    ``webui_faiss_evictions_total``, read from ``memory()`` at each scrape."""

    def __init__(self, memory: Callable[[], IndexMemory]) -> None:
        self._memory = memory

    @staticmethod
    def _families(memory: IndexMemory) -> list[GaugeMetricFamily | CounterMetricFamily]:
        return [
            GaugeMetricFamily(
                "webui_faiss_bytes",
                "Estimated bytes of the FAISS copies this replica holds.",
                memory.held_bytes,
            ),
            GaugeMetricFamily(
                "webui_faiss_memory_cap_bytes",
                "The cap on those bytes (INGEST_INDEX_MEMORY_MB; 0: none).",
                memory.cap_bytes,
            ),
            CounterMetricFamily(
                "webui_faiss_evictions",
                "FAISS copies dropped to stay under the memory cap.",
                memory.evictions,
            ),
        ]

    def describe(self) -> list[GaugeMetricFamily | CounterMetricFamily]:
        return self._families(IndexMemory(0, 0, 0))

    def collect(self) -> Iterator[GaugeMetricFamily | CounterMetricFamily]:
        yield from self._families(self._memory())


class IngestMetrics:
    """What the ingest service records besides its gRPC calls."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self._registry = registry
        self.queue_depth = Gauge(
            "webui_ingest_queue_depth",
            "Processing jobs waiting or in progress (the JetStream consumer's pending plus unacked), "
            "read at each scrape.",
            registry=registry,
        )
        self.job_duration = Histogram(
            "webui_ingest_job_duration_seconds",
            "Time a worker spent on one delivery of a processing job, by outcome.",
            ["outcome"],
            buckets=JOB_BUCKETS,
            registry=registry,
        )

    def observe_job(self, outcome: str, seconds: float) -> None:
        self.job_duration.labels(outcome).observe(seconds)

    def watch_indexes(self, held: Callable[[], dict[str, int]]) -> None:
        self._registry.register(FaissCollector(held))

    def watch_index_memory(self, memory: Callable[[], IndexMemory]) -> None:
        self._registry.register(FaissMemoryCollector(memory))

    def queue_refresher(self, depth: Callable[[], Awaitable[int]]) -> Callable[[], Awaitable[None]]:
        """A refresh to run before each scrape: reads the depth (the caller gives it a deadline)."""

        async def refresh() -> None:
            self.queue_depth.set(await depth())

        return refresh
