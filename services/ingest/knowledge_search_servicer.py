"""KnowledgeSearchService over gRPC: converts protobuf to core calls and back, nothing more."""

from services.ingest.knowledge_search_core import KnowledgeSearchCore
from services.ingest.knowledge_search_repository import KnowledgeQuery
from services.ingest.servicer import caller_of, file_pb, knowledge_pb, user_pb
from webui.ingest.v1 import knowledge_search_pb2 as pb
from webui.ingest.v1 import knowledge_search_pb2_grpc

DEFAULT_PAGE_SIZE = 30
MAX_PAGE_SIZE = 100
# A file's text travels in pieces of at most this many bytes (well under gRPC's 4 MiB message).
EXPORT_PIECE_BYTES = 256 * 1024

_VIEWS = {pb.KNOWLEDGE_VIEW_CREATED: "created", pb.KNOWLEDGE_VIEW_SHARED: "shared"}
_SOURCES = {pb.KNOWLEDGE_SOURCE_LOCAL: "local", pb.KNOWLEDGE_SOURCE_EXTERNAL: "external"}
_ORDERS = {
    pb.KNOWLEDGE_ORDER_NAME: "name",
    pb.KNOWLEDGE_ORDER_CREATED_AT: "created_at",
    pb.KNOWLEDGE_ORDER_UPDATED_AT: "updated_at",
}


def _paging(page: int, page_size: int) -> tuple[int, int]:
    """(limit, offset) of a 1-based page; sizes outside 1..MAX_PAGE_SIZE are clamped."""
    limit = min(max(page_size, 1), MAX_PAGE_SIZE) if page_size else DEFAULT_PAGE_SIZE
    return limit, (max(page, 1) - 1) * limit


class KnowledgeSearchServicer(knowledge_search_pb2_grpc.KnowledgeSearchServiceServicer):
    def __init__(self, core: KnowledgeSearchCore) -> None:
        self._core = core

    async def SearchKnowledge(self, request, context):  # noqa: N802 - gRPC method names
        caller = caller_of()
        limit, offset = _paging(request.page, request.page_size)
        query = KnowledgeQuery(
            text=request.query,
            view=_VIEWS.get(request.view, ""),
            source=_SOURCES.get(request.source, ""),
            order=_ORDERS.get(request.order, ""),
            ascending=request.ascending,
            limit=limit,
            offset=offset,
        )
        items, total = await self._core.search(caller, query)
        return pb.SearchKnowledgeResponse(
            items=[knowledge_pb(k, self._core.writable_by(caller, k)) for k in items], total=total
        )

    async def SearchKnowledgeFiles(self, request, context):  # noqa: N802
        limit, offset = _paging(request.page, request.page_size)
        page = await self._core.search_files(
            caller_of(), request.query, request.include_content, limit, offset
        )
        return pb.SearchKnowledgeFilesResponse(
            items=[
                pb.KnowledgeFileHit(
                    file=file_pb(h.file, request.include_content),
                    directory_id=h.directory_id or "",
                    directory_path=h.directory_path,
                    collection=knowledge_pb(h.knowledge),
                )
                for h in page.hits
            ],
            total=page.total,
            owners={uid: user_pb(u) for uid, u in page.owners.items()},
        )

    async def ListPendingFiles(self, request, context):  # noqa: N802
        files = await self._core.pending(caller_of(), request.knowledge_id)
        return pb.ListPendingFilesResponse(files=[file_pb(f) for f in files])

    async def WatchPendingFiles(self, request, context):  # noqa: N802
        async for files in self._core.watch_pending(caller_of(), request.knowledge_id, request.max_seconds):
            yield pb.WatchPendingFilesResponse(files=[file_pb(f) for f in files])

    async def ExportKnowledge(self, request, context):  # noqa: N802
        name, entries = await self._core.export(caller_of(), request.knowledge_id)
        yield pb.ExportKnowledgeResponse(head=pb.ExportHead(name=name))
        async for entry_name, text in entries:
            yield pb.ExportKnowledgeResponse(entry_name=entry_name)
            data = text.encode()
            del text
            for start in range(0, len(data), EXPORT_PIECE_BYTES):
                yield pb.ExportKnowledgeResponse(text=data[start : start + EXPORT_PIECE_BYTES])

    async def ReindexKnowledge(self, request, context):  # noqa: N802
        collections, files = await self._core.reindex(caller_of())
        return pb.ReindexKnowledgeResponse(collections=collections, files=files)

    async def ReindexKnowledgeMetadata(self, request, context):  # noqa: N802
        total, success = await self._core.reindex_metadata(caller_of())
        return pb.ReindexKnowledgeMetadataResponse(total=total, success=success)
