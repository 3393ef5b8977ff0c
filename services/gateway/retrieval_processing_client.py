"""RetrievalProcessingService client: one method per RPC, each with the request id and a deadline."""

import grpc

from services.common.request_context import outgoing_metadata
from services.gateway.auth_guard import Principal
from webui.ingest.v1 import retrieval_processing_pb2 as pb
from webui.ingest.v1 import retrieval_processing_pb2_grpc as pb_grpc


class RetrievalProcessingClient:
    """Every call embeds (and may fetch a page first): each gets ``timeout_s``, the gateway's long
    deadline; the service's own fetch deadline (WEB_LOADER_TIMEOUT) is shorter."""

    def __init__(self, channel: grpc.aio.Channel, timeout_s: float) -> None:
        self._stub = pb_grpc.RetrievalProcessingServiceStub(channel)
        self._timeout_s = timeout_s

    def _call(self, principal: Principal) -> dict:
        return {"timeout": self._timeout_s, "metadata": outgoing_metadata(principal.credential)}

    async def process_text(self, principal: Principal, name: str, content: str, collection_name: str) -> str:
        request = pb.ProcessTextRequest(name=name, content=content, collection_name=collection_name)
        return (await self._stub.ProcessText(request, **self._call(principal))).collection_name

    async def process_files_batch(
        self, principal: Principal, files: list[tuple[str, str]], collection_name: str
    ) -> list[pb.BatchResult]:
        request = pb.ProcessFilesBatchRequest(
            files=[pb.BatchFile(file_id=i, content=c) for i, c in files], collection_name=collection_name
        )
        return list((await self._stub.ProcessFilesBatch(request, **self._call(principal))).results)

    async def process_web(
        self, principal: Principal, url: str, collection_name: str, process: bool
    ) -> pb.ProcessWebResponse:
        request = pb.ProcessWebRequest(url=url, collection_name=collection_name, skip_processing=not process)
        return await self._stub.ProcessWeb(request, **self._call(principal))

    async def process_url(
        self, principal: Principal, url: str, collection_name: str, process: bool
    ) -> pb.ProcessUrlResponse:
        request = pb.ProcessUrlRequest(url=url, collection_name=collection_name, skip_processing=not process)
        return await self._stub.ProcessUrl(request, **self._call(principal))
