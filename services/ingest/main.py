"""Starts the ingest service: pool, migrations, JetStream queue, model, workers, gRPC server."""

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import faiss
import grpc
from nats.aio.client import Client
from nats.aio.msg import Msg

from services.common.authenticators import open_remote_authenticator
from services.common.db import open_pool
from services.common.dependency_health import flag_check, nats_check, pool_check
from services.common.entrypoint import run_service
from services.common.group_directory import RemoteGroupDirectory
from services.common.grpc_identity import verified_only
from services.common.grpc_server import GrpcService, serve_until_signal, start_grpc_service
from services.common.metrics import ServiceMetrics, new_registry
from services.common.migrations import apply_migrations
from services.common.nats_client import close_nats, connect_nats
from services.common.settings import load_settings
from services.common.supervised import Supervised
from services.common.usage.limit_settings import LimitSettings
from services.common.usage.limit_store import LimitStore
from services.common.usage.limiter import Limiter
from services.common.usage.settings import RecordingSettings
from services.common.usage.wiring import Recording, start_recording
from services.ingest.chunk_text_cache import ChunkTextCache
from services.ingest.collections import CollectionIndexes
from services.ingest.daemon_thread import DaemonThread
from services.ingest.documents_core import DocumentsCore
from services.ingest.embedder import Embedder
from services.ingest.embedding_gc import EmbeddingCollector
from services.ingest.events import COLLECTIONS_SUBJECT, EventPublisher, StatusFeed, decode_change
from services.ingest.extract_limits import ExtractLimits
from services.ingest.file_ops_servicer import file_ops_servicer
from services.ingest.file_ops_texts import BatchTextCollections
from services.ingest.files_core import FileLimits, FilesCore
from services.ingest.group_reach import GroupKnowledge, IngestGroupReachServicer
from services.ingest.hybrid import Bm25Cache
from services.ingest.ingest_jobs.delivery import CallbackDelivery
from services.ingest.ingest_jobs.wiring import JOBS_SERVICE_NAME, build_jobs
from services.ingest.jobs import JobQueue, JobQueueConfig
from services.ingest.knowledge_core import KnowledgeCore
from services.ingest.knowledge_dirs_repository import KnowledgeDirsRepository
from services.ingest.knowledge_search_core import KnowledgeSearchCore
from services.ingest.knowledge_search_repository import KnowledgeSearchRepository
from services.ingest.knowledge_search_servicer import KnowledgeSearchServicer
from services.ingest.knowledge_sync_core import KnowledgeSyncCore, SyncLimits
from services.ingest.knowledge_sync_servicer import KnowledgeSyncServicer
from services.ingest.metrics import IngestMetrics
from services.ingest.pending_feed import PendingFeed
from services.ingest.processing import ChunkingParams, FileProcessor
from services.ingest.repository import IngestRepository
from services.ingest.retrieval_wiring import RETRIEVAL_PROCESSING_SERVICE_NAME, build_retrieval_processing
from services.ingest.search_core import SearchCore
from services.ingest.servicer import IngestServicer
from services.ingest.settings import IngestSettings
from services.ingest.upload_staging import StagingLimits, UploadStaging
from services.ingest.vector_index import IndexParams
from services.ingest.web_fetch import WebFetcher
from services.ingest.worker import JobWorkers
from webui.ingest.v1 import (
    file_ops_pb2,
    file_ops_pb2_grpc,
    group_reach_pb2,
    group_reach_pb2_grpc,
    ingest_pb2,
    ingest_pb2_grpc,
    jobs_pb2_grpc,
    knowledge_search_pb2,
    knowledge_search_pb2_grpc,
    knowledge_sync_pb2,
    knowledge_sync_pb2_grpc,
    retrieval_processing_pb2_grpc,
)

log = logging.getLogger(__name__)

# How long a stop waits for a model preload still running (loads take about a second).
_PRELOAD_FINISH_S = 10.0

SERVICE_NAME = ingest_pb2.DESCRIPTOR.services_by_name["IngestService"].full_name
KNOWLEDGE_SEARCH_SERVICE_NAME = knowledge_search_pb2.DESCRIPTOR.services_by_name[
    "KnowledgeSearchService"
].full_name
FILE_OPS_SERVICE_NAME = file_ops_pb2.DESCRIPTOR.services_by_name["FileOpsService"].full_name
GROUP_REACH_SERVICE_NAME = group_reach_pb2.DESCRIPTOR.services_by_name["IngestGroupReachService"].full_name
KNOWLEDGE_SYNC_SERVICE_NAME = knowledge_sync_pb2.DESCRIPTOR.services_by_name["KnowledgeSyncService"].full_name
MIGRATIONS = Path(__file__).parent / "migrations"


def index_params(settings: IngestSettings) -> IndexParams:
    return IndexParams(
        hnsw_threshold=settings.hnsw_threshold,
        hnsw_m=settings.hnsw_m,
        hnsw_ef_construction=settings.hnsw_ef_construction,
        hnsw_ef_search=settings.hnsw_ef_search,
    )


@dataclass
class IngestRuntime:
    """What a started ingest service holds, for the SIGTERM path and for tests."""

    service: GrpcService
    workers: JobWorkers
    indexes: CollectionIndexes
    bm25: Bm25Cache
    embedder: Embedder
    nc: Client
    pool: asyncpg.Pool
    preload: asyncio.Task | None
    auth_channel: grpc.aio.Channel
    upload_sweep: Supervised
    usage: Recording | None = None
    callbacks: CallbackDelivery | None = None
    web_fetcher: WebFetcher | None = None
    embedding_gc: Supervised | None = None

    @property
    def port(self) -> int:
        return self.service.port

    async def stop_workers(self) -> None:
        await self.upload_sweep.stop()
        if self.embedding_gc is not None:
            await self.embedding_gc.stop()
        if self.callbacks is not None:
            await self.callbacks.stop()
        await self.workers.stop()
        if self.preload is not None and not self.preload.done():
            # A model load is let finish (about a second) rather than abandoned: ONNX Runtime aborts
            # the process at exit while a thread of its own is still creating a session.
            with contextlib.suppress(Exception):
                await asyncio.wait_for(asyncio.shield(self.preload), _PRELOAD_FINISH_S)
            self.preload.cancel()

    def cleanups(self, grace_s: float) -> list[Callable[[], Awaitable[None]]]:
        """After the server stopped: workers hand back their jobs, NATS drains, the pool and the
        channel to AuthService close."""
        return [
            self.stop_workers,
            lambda: close_nats(self.nc, grace_s),
            # After the workers stopped: every processed file's record is queued by now.
            *([self.usage.close] if self.usage is not None else []),
            self.pool.close,
            self.auth_channel.close,
            *([self.web_fetcher.close] if self.web_fetcher is not None else []),
        ]

    async def stop(self, grace_s: float) -> None:
        await self.service.stop(grace_s)
        for cleanup in self.cleanups(grace_s):
            await cleanup()


async def start(settings: IngestSettings, embedder: Embedder | None = None) -> IngestRuntime:
    """Wires and starts everything; ``embedder`` lets tests share one loaded model."""
    # Single queries are answered faster on one thread; two threads under load were up to 10x slower.
    faiss.omp_set_num_threads(1)
    pool = await open_pool(
        settings.database_url,
        min_size=settings.db_pool_min,
        max_size=settings.db_pool_max,
        timeout_s=settings.db_timeout_s,
        startup_wait_s=settings.startup_wait_s,
    )
    await apply_migrations(pool, "ingest", MIGRATIONS)
    usage = await start_recording(pool, load_settings(RecordingSettings, "ingest"))
    # Limits live in the same "usage" migration set (applied just above).
    limit_settings = load_settings(LimitSettings, "ingest")
    limiter = Limiter(LimitStore(pool, limit_settings.counter_timeout_s), limit_settings)
    nc = await connect_nats(settings.nats_url, settings.nats_connect_timeout_s, settings.startup_wait_s)
    queue = JobQueue(
        nc.jetstream(), JobQueueConfig(settings.jobs_stream, settings.jobs_consumer, settings.ack_wait_s)
    )
    await queue.declare()

    embedder = embedder or Embedder(
        settings.embedding_batch_size,
        settings.embedding_threads,
        settings.embedding_precision,
        runtime=settings.embedding_runtime,
        query_cache_size=settings.embedding_query_cache_size,
        batch_tokens=settings.embedding_batch_tokens,
    )
    model_thread = DaemonThread("embedding-model")
    repo = IngestRepository(pool)
    publisher = EventPublisher(nc)
    indexes = CollectionIndexes(
        repo,
        index_params(settings),
        publisher,
        uuid.uuid4().hex,
        memory_cap_bytes=settings.index_memory_mb * 2**20,
    )
    metrics = ServiceMetrics(new_registry(), settings.metrics_listen)
    ingest_metrics = IngestMetrics(metrics.registry)
    ingest_metrics.watch_indexes(lambda: indexes.held)
    ingest_metrics.watch_index_memory(lambda: indexes.memory)
    metrics.add_refresher(ingest_metrics.queue_refresher(queue.depth))

    async def on_change(message: Msg) -> None:
        await indexes.on_event(decode_change(message.data))

    await nc.subscribe(COLLECTIONS_SUBJECT, cb=on_change)

    staging = UploadStaging(pool, StagingLimits(settings.upload_max_per_user, settings.upload_idle_timeout_s))
    upload_sweep = Supervised("upload sweep", staging.keep_alive)
    upload_sweep.start()
    embedding_gc = None
    if settings.embedding_gc_interval_s > 0:
        collector = EmbeddingCollector(pool, settings.embedding_gc_batch, settings.embedding_gc_interval_s)
        embedding_gc = Supervised("embedding gc", collector.run)
        embedding_gc.start()
    jobs = build_jobs(settings, pool, queue, publisher)
    jobs.delivery.start()
    files = FilesCore(
        repo,
        queue,
        publisher,
        StatusFeed(nc),
        indexes,
        FileLimits(settings.file_max_size_mb, settings.file_part_bytes),
        staging,
        jobs=jobs.core,
    )
    authenticator, auth_channel = open_remote_authenticator(
        settings.auth_target, settings.auth_timeout_s, settings.auth_cache_ttl_s, settings.grpc_tls
    )
    # Grants naming a group that does not exist are refused: AuthService says which exist.
    knowledge = KnowledgeCore(
        repo, files, indexes, RemoteGroupDirectory(auth_channel, settings.auth_timeout_s)
    )
    bm25 = Bm25Cache(repo, settings.bm25_cache_chunks)
    search = SearchCore(
        repo,
        embedder,
        indexes,
        settings.top_k,
        model_thread,
        bm25,
        settings.hybrid_bm25_weight,
        ChunkTextCache(pool, settings.search_text_cache_mb * 2**20),
    )
    documents = DocumentsCore(repo, search.check_readable)
    processor = FileProcessor(
        repo,
        embedder,
        indexes,
        publisher,
        ChunkingParams(
            settings.chunk_size,
            settings.chunk_overlap,
            settings.markdown_header_splitter,
            extract_limits=ExtractLimits(
                settings.max_extracted_chars, settings.max_archive_bytes, settings.max_archive_xml_bytes
            ),
        ),
        model_thread,
        usage=usage.recorder,
        limiter=limiter,
        jobs=jobs.repo,
    )
    workers = JobWorkers(
        queue,
        processor,
        repo,
        count=settings.workers,
        max_deliver=settings.max_deliver,
        ack_wait_s=settings.ack_wait_s,
        nak_delay_s=settings.nak_delay_s,
        requeue_after_s=settings.requeue_after_s,
        metrics=ingest_metrics,
        jobs=jobs.repo,
    )
    await workers.start()

    servicer = IngestServicer(files, knowledge, search, documents, limiter)
    search_servicer = KnowledgeSearchServicer(
        KnowledgeSearchCore(KnowledgeSearchRepository(pool), repo, indexes, PendingFeed(nc))
    )
    sync_servicer = KnowledgeSyncServicer(
        KnowledgeSyncCore(
            repo,
            KnowledgeDirsRepository(pool),
            files,
            indexes,
            SyncLimits(settings.knowledge_sync_max_entries),
        )
    )

    file_ops = file_ops_servicer(
        settings, repo, embedder, indexes, publisher, knowledge, model_thread, limiter, usage.recorder
    )

    retrieval, web_fetcher = build_retrieval_processing(
        settings, repo, embedder, indexes, model_thread, files
    )
    # process/file into a name that is neither a file's nor a knowledge base's adds the file's text
    # to that free-standing text collection, as process/files/batch does.
    file_ops.core.use_text_collections(BatchTextCollections(retrieval.core))

    reach = IngestGroupReachServicer(GroupKnowledge(pool))

    def register(server: grpc.aio.Server) -> None:
        retrieval_processing_pb2_grpc.add_RetrievalProcessingServiceServicer_to_server(retrieval, server)
        file_ops_pb2_grpc.add_FileOpsServiceServicer_to_server(file_ops, server)
        ingest_pb2_grpc.add_IngestServiceServicer_to_server(servicer, server)
        group_reach_pb2_grpc.add_IngestGroupReachServiceServicer_to_server(reach, server)
        jobs_pb2_grpc.add_IngestJobsServiceServicer_to_server(jobs.servicer, server)
        knowledge_search_pb2_grpc.add_KnowledgeSearchServiceServicer_to_server(search_servicer, server)
        knowledge_sync_pb2_grpc.add_KnowledgeSyncServiceServicer_to_server(sync_servicer, server)

    service = await start_grpc_service(
        settings.listen,
        [
            SERVICE_NAME,
            JOBS_SERVICE_NAME,
            KNOWLEDGE_SEARCH_SERVICE_NAME,
            KNOWLEDGE_SYNC_SERVICE_NAME,
            FILE_OPS_SERVICE_NAME,
            RETRIEVAL_PROCESSING_SERVICE_NAME,
            GROUP_REACH_SERVICE_NAME,
        ],
        register,
        metrics,
        tls=settings.grpc_tls,
        authenticator=authenticator,
        authorize=verified_only,
        max_inflight_rpcs=settings.max_inflight_rpcs,
    )
    # Not ready while PostgreSQL or NATS is down or a job loop is waiting to be restarted.
    service.watch_dependencies(
        {
            "postgres": pool_check(pool),
            "nats": nats_check(nc),
            "job workers": flag_check(lambda: workers.healthy),
            "upload sweep": flag_check(lambda: upload_sweep.healthy),
            "callback delivery": flag_check(lambda: jobs.delivery.healthy),
        }
    )
    preload = None
    if settings.embedding_preload and not embedder.loaded:
        # Once serving, not before: loading (and compiling, on OpenVINO) is what a first search
        # would wait for, but it is CPU the rest of a start needs first. The first inference after
        # it adds about 40 ms and the model's working buffers (35-45 MB), so it is left to the
        # first search or document.
        preload = asyncio.create_task(model_thread.run(embedder.load))
    log.info("ingest service listening on port %d", service.port)
    return IngestRuntime(
        service,
        workers,
        indexes,
        bm25,
        embedder,
        nc,
        pool,
        preload,
        auth_channel,
        upload_sweep,
        usage,
        callbacks=jobs.delivery,
        web_fetcher=web_fetcher,
        embedding_gc=embedding_gc,
    )


async def run(settings: IngestSettings) -> None:
    runtime = await start(settings)
    await serve_until_signal(
        runtime.service, settings.shutdown_grace_s, runtime.cleanups(settings.shutdown_grace_s)
    )


def main() -> None:
    run_service("ingest", IngestSettings, run)


if __name__ == "__main__":
    main()
