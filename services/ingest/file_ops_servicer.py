"""FileOpsService over gRPC: converts protobuf to core calls and back, nothing more."""

from services.common.usage.limiter import Limiter
from services.common.usage.recorder import UsageRecorder
from services.ingest.chunk_vectors import ChunkVectors
from services.ingest.collections import CollectionIndexes
from services.ingest.content_update import ContentUpdater
from services.ingest.daemon_thread import DaemonThread
from services.ingest.embedder import Embedder
from services.ingest.events import EventPublisher
from services.ingest.extract_limits import ExtractLimits
from services.ingest.file_ops_core import FileOpsCore
from services.ingest.file_ops_repository import FileOpsRepository
from services.ingest.knowledge_core import KnowledgeCore
from services.ingest.processing import ChunkingParams
from services.ingest.repository import IngestRepository
from services.ingest.servicer import caller_of, file_pb
from services.ingest.settings import IngestSettings
from webui.ingest.v1 import file_ops_pb2, file_ops_pb2_grpc


class FileOpsServicer(file_ops_pb2_grpc.FileOpsServiceServicer):
    def __init__(self, core: FileOpsCore) -> None:
        self._core = core

    @property
    def core(self) -> FileOpsCore:
        return self._core

    async def SearchFiles(self, request, context):  # noqa: N802 - gRPC method names
        files = await self._core.search(
            caller_of(),
            request.pattern,
            request.include_content,
            request.skip,
            request.limit or 100,
            request.own_only,
        )
        return file_ops_pb2.SearchFilesResponse(files=[file_pb(f, request.include_content) for f in files])

    async def CountFiles(self, request, context):  # noqa: N802
        return file_ops_pb2.CountFilesResponse(count=await self._core.count(caller_of(), request.own_only))

    async def RenameFile(self, request, context):  # noqa: N802
        record = await self._core.rename(caller_of(), request.file_id, request.filename)
        return file_ops_pb2.RenameFileResponse(file=file_pb(record, include_content=True))

    async def UpdateFileContent(self, request, context):  # noqa: N802
        content = await self._core.update_content(caller_of(), request.file_id, request.content)
        return file_ops_pb2.UpdateFileContentResponse(content=content)

    async def DeleteAllFiles(self, request, context):  # noqa: N802
        return file_ops_pb2.DeleteAllFilesResponse(deleted=await self._core.delete_all(caller_of()))

    async def ProcessFile(self, request, context):  # noqa: N802
        result = await self._core.process(
            caller_of(),
            request.file_id,
            request.content if request.has_content else None,
            request.collection_name,
        )
        return file_ops_pb2.ProcessFileResponse(
            collection_name=result.collection_name, filename=result.filename, content=result.content
        )


def file_ops_servicer(
    settings: IngestSettings,
    repo: IngestRepository,
    embedder: Embedder,
    indexes: CollectionIndexes,
    publisher: EventPublisher,
    knowledge: KnowledgeCore,
    model_thread: DaemonThread,
    limiter: Limiter | None,
    usage: UsageRecorder | None = None,
) -> FileOpsServicer:
    """The servicer with its core, chunking and limits as the service's settings give them."""
    limits = ExtractLimits(
        settings.max_extracted_chars, settings.max_archive_bytes, settings.max_archive_xml_bytes
    )
    params = ChunkingParams(
        settings.chunk_size, settings.chunk_overlap, settings.markdown_header_splitter, extract_limits=limits
    )
    ops = FileOpsRepository(repo.pool)
    max_bytes = settings.file_max_size_mb * 1024 * 1024
    vectors = ChunkVectors(repo.known_embeddings, embedder, model_thread, params.embed_slice)
    updater = ContentUpdater(ops, vectors, indexes, publisher, params, max_bytes, limiter, usage)
    return FileOpsServicer(FileOpsCore(repo, ops, updater, knowledge, indexes, publisher, limits))
