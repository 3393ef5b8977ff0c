"""RetrievalProcessingService: protobuf in and out around ``RetrievalProcessingCore``."""

from services.ingest.retrieval_core import BatchFile, RetrievalProcessingCore
from services.ingest.servicer import caller_of, file_pb
from webui.ingest.v1 import retrieval_processing_pb2 as pb
from webui.ingest.v1 import retrieval_processing_pb2_grpc as pb_grpc

_KINDS = {"web": pb.URL_KIND_WEB, "file": pb.URL_KIND_FILE, "image": pb.URL_KIND_IMAGE}


class RetrievalProcessingServicer(pb_grpc.RetrievalProcessingServiceServicer):
    def __init__(self, core: RetrievalProcessingCore) -> None:
        self._core = core

    @property
    def core(self) -> RetrievalProcessingCore:
        return self._core

    async def ProcessText(self, request, context):  # noqa: N802 - gRPC method names
        name = await self._core.process_text(
            caller_of(), request.name, request.content, request.collection_name or None
        )
        return pb.ProcessTextResponse(collection_name=name)

    async def ProcessFilesBatch(self, request, context):  # noqa: N802
        outcomes = await self._core.process_files_batch(
            caller_of(), [BatchFile(f.file_id, f.content) for f in request.files], request.collection_name
        )
        return pb.ProcessFilesBatchResponse(
            results=[pb.BatchResult(file_id=o.file_id, error=o.error or "") for o in outcomes]
        )

    async def ProcessWeb(self, request, context):  # noqa: N802
        page = await self._core.process_web(
            caller_of(), request.url, request.collection_name or None, not request.skip_processing
        )
        return pb.ProcessWebResponse(
            collection_name=page.collection_name or "", content=page.content, url=page.url
        )

    async def ProcessUrl(self, request, context):  # noqa: N802
        outcome = await self._core.process_url(
            caller_of(), request.url, request.collection_name or None, not request.skip_processing
        )
        reply = pb.ProcessUrlResponse(
            kind=_KINDS[outcome.kind],
            name=outcome.name,
            url=outcome.url,
            collection_name=outcome.collection_name or "",
            content=outcome.content or "",
        )
        if outcome.file is not None:
            reply.file.CopyFrom(file_pb(outcome.file))
        return reply
