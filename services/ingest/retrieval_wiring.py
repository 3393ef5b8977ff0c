"""Builds RetrievalProcessingService's object graph from the ingest settings."""

from services.common.settings import load_settings
from services.ingest.collections import CollectionIndexes
from services.ingest.daemon_thread import DaemonThread
from services.ingest.embedder import Embedder
from services.ingest.extract_limits import ExtractLimits
from services.ingest.files_core import FilesCore
from services.ingest.processing import ChunkingParams
from services.ingest.repository import IngestRepository
from services.ingest.retrieval_core import RetrievalLimits, RetrievalProcessingCore
from services.ingest.retrieval_servicer import RetrievalProcessingServicer
from services.ingest.settings import IngestSettings
from services.ingest.text_repository import TextRepository
from services.ingest.web_fetch import FetchPolicy, WebFetcher
from services.ingest.web_settings import WebFetchSettings
from webui.ingest.v1 import retrieval_processing_pb2

RETRIEVAL_PROCESSING_SERVICE_NAME = retrieval_processing_pb2.DESCRIPTOR.services_by_name[
    "RetrievalProcessingService"
].full_name


def build_retrieval_processing(
    settings: IngestSettings,
    repo: IngestRepository,
    embedder: Embedder,
    indexes: CollectionIndexes,
    model_thread: DaemonThread,
    files: FilesCore,
) -> tuple[RetrievalProcessingServicer, WebFetcher]:
    """The servicer, and the fetcher whose HTTP session is to be closed at shutdown."""
    web = load_settings(WebFetchSettings, "ingest")
    fetcher = WebFetcher(FetchPolicy.from_settings(web))
    chunking = ChunkingParams(
        settings.chunk_size,
        settings.chunk_overlap,
        settings.markdown_header_splitter,
        extract_limits=ExtractLimits(
            settings.max_extracted_chars, settings.max_archive_bytes, settings.max_archive_xml_bytes
        ),
    )
    core = RetrievalProcessingCore(
        repo,
        TextRepository(repo.pool),
        embedder,
        indexes,
        model_thread,
        chunking,
        fetcher,
        files,
        RetrievalLimits(
            max_text_chars=settings.max_extracted_chars,
            max_download_bytes=settings.file_max_size_mb * 1024 * 1024,
        ),
    )
    return RetrievalProcessingServicer(core), fetcher
