"""KnowledgeSearchService client: one method per RPC, each with the request id and a deadline."""

import grpc

from services.common.request_context import outgoing_metadata
from services.gateway.auth_guard import Principal
from webui.ingest.v1 import knowledge_search_pb2 as pb
from webui.ingest.v1 import knowledge_search_pb2_grpc


class KnowledgeSearchClient:
    """Searches get ``timeout_s``; an export and a reindex (which walk every file or collection)
    get ``stream_timeout_s``; a pending-files watch gets ``watch_timeout_s`` (the service ends it
    after an hour)."""

    def __init__(
        self, channel: grpc.aio.Channel, timeout_s: float, stream_timeout_s: float, watch_timeout_s: float
    ) -> None:
        self._stub = knowledge_search_pb2_grpc.KnowledgeSearchServiceStub(channel)
        self._timeout_s = timeout_s
        self._stream_timeout_s = stream_timeout_s
        self._watch_timeout_s = watch_timeout_s

    def _call(self, principal: Principal, timeout_s: float) -> dict:
        return {"timeout": timeout_s, "metadata": outgoing_metadata(principal.credential)}

    async def search_knowledge(
        self, principal: Principal, request: pb.SearchKnowledgeRequest
    ) -> pb.SearchKnowledgeResponse:
        return await self._stub.SearchKnowledge(request, **self._call(principal, self._timeout_s))

    async def search_knowledge_files(
        self, principal: Principal, query: str, include_content: bool, page: int, page_size: int
    ) -> pb.SearchKnowledgeFilesResponse:
        request = pb.SearchKnowledgeFilesRequest(
            query=query, include_content=include_content, page=page, page_size=page_size
        )
        return await self._stub.SearchKnowledgeFiles(request, **self._call(principal, self._timeout_s))

    async def list_pending_files(
        self, principal: Principal, knowledge_id: str
    ) -> pb.ListPendingFilesResponse:
        request = pb.ListPendingFilesRequest(knowledge_id=knowledge_id)
        return await self._stub.ListPendingFiles(request, **self._call(principal, self._timeout_s))

    def watch_pending_files(self, principal: Principal, knowledge_id: str) -> grpc.aio.UnaryStreamCall:
        request = pb.WatchPendingFilesRequest(knowledge_id=knowledge_id)
        return self._stub.WatchPendingFiles(request, **self._call(principal, self._watch_timeout_s))

    def export_knowledge(self, principal: Principal, knowledge_id: str) -> grpc.aio.UnaryStreamCall:
        request = pb.ExportKnowledgeRequest(knowledge_id=knowledge_id)
        return self._stub.ExportKnowledge(request, **self._call(principal, self._stream_timeout_s))

    async def reindex_knowledge(self, principal: Principal) -> pb.ReindexKnowledgeResponse:
        request = pb.ReindexKnowledgeRequest()
        return await self._stub.ReindexKnowledge(request, **self._call(principal, self._stream_timeout_s))

    async def reindex_knowledge_metadata(self, principal: Principal) -> pb.ReindexKnowledgeMetadataResponse:
        request = pb.ReindexKnowledgeMetadataRequest()
        return await self._stub.ReindexKnowledgeMetadata(request, **self._call(principal, self._timeout_s))
