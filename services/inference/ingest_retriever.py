"""IngestService over gRPC as retrieval's ``Retriever``: search and whole documents, each call with
its deadline, the request id and the end user's own credential (never a broader one), so ingest
decides access exactly as for the user's direct calls; its refusals keep their status and text."""

from collections.abc import Sequence

import grpc
import orjson

from services.common.grpc_errors import service_error_from_rpc
from services.common.identity import Identity
from services.common.request_context import outgoing_metadata
from services.inference.rag.sources import Document, Hit
from webui.ingest.v1 import ingest_pb2, ingest_pb2_grpc

INGEST_UNREACHABLE = "Retrieval is unavailable: the ingest service did not answer"


def _metadata(raw: bytes) -> dict:
    value = orjson.loads(raw) if raw else {}
    return value if isinstance(value, dict) else {}


class IngestRetriever:
    def __init__(self, channel: grpc.aio.Channel, timeout_s: float) -> None:
        self._stub = ingest_pb2_grpc.IngestServiceStub(channel)
        self._timeout_s = timeout_s

    async def search(
        self, caller: Identity, names: Sequence[str], queries: Sequence[str], k: int, hybrid: bool
    ) -> list[Hit]:
        request = ingest_pb2.SearchRequest(collection_names=names, queries=queries, k=k, hybrid=hybrid)
        try:
            reply = await self._stub.Search(
                request, timeout=self._timeout_s, metadata=outgoing_metadata(caller.credential)
            )
        except grpc.aio.AioRpcError as error:
            raise service_error_from_rpc(error, INGEST_UNREACHABLE) from None
        return [Hit(h.collection_name, h.text, h.score, _metadata(h.metadata_json)) for h in reply.hits]

    async def read_documents(self, caller: Identity, names: Sequence[str]) -> list[Document]:
        request = ingest_pb2.ReadDocumentsRequest(collection_names=names)
        try:
            reply = await self._stub.ReadDocuments(
                request, timeout=self._timeout_s, metadata=outgoing_metadata(caller.credential)
            )
        except grpc.aio.AioRpcError as error:
            raise service_error_from_rpc(error, INGEST_UNREACHABLE) from None
        return [Document(d.collection_name, d.text, _metadata(d.metadata_json)) for d in reply.documents]
