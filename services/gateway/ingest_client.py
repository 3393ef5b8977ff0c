"""IngestService client: one method per RPC, each with the request id and a deadline."""

import grpc

from services.common.request_context import outgoing_metadata
from services.gateway.auth_guard import Principal
from webui.ingest.v1 import ingest_pb2, ingest_pb2_grpc


class IngestClient:
    """Calls IngestService over one shared channel.

    Reads get ``timeout_s``. Uploads, downloads and calls that work on vectors (searching, which
    may first wait for the embedding model to load, and linking, unlinking or deleting indexed
    files) get ``stream_timeout_s``; the service's own deadlines on that work are shorter. A status
    watch gets ``watch_timeout_s``: it lasts until the file is processed, however long that takes.
    """

    def __init__(
        self,
        channel: grpc.aio.Channel,
        timeout_s: float,
        stream_timeout_s: float,
        watch_timeout_s: float | None = None,
    ) -> None:
        self._stub = ingest_pb2_grpc.IngestServiceStub(channel)
        self._timeout_s = timeout_s
        self._stream_timeout_s = stream_timeout_s
        self._watch_timeout_s = watch_timeout_s or stream_timeout_s

    def _unary(self, principal: Principal) -> dict:
        return {"timeout": self._timeout_s, "metadata": outgoing_metadata(principal.credential)}

    def _long(self, principal: Principal) -> dict:
        return {"timeout": self._stream_timeout_s, "metadata": outgoing_metadata(principal.credential)}

    # -- files ------------------------------------------------------------------------------------

    def upload_file(self, principal: Principal) -> grpc.aio.StreamUnaryCall:
        """Opens an upload: write the header, then chunks (and the metadata), then ``done_writing``."""
        return self._stub.UploadFile(
            timeout=self._stream_timeout_s, metadata=outgoing_metadata(principal.credential)
        )

    async def get_file(self, principal: Principal, file_id: str, include_content: bool) -> ingest_pb2.File:
        request = ingest_pb2.GetFileRequest(file_id=file_id, include_content=include_content)
        return (await self._stub.GetFile(request, **self._unary(principal))).file

    async def list_files(
        self, principal: Principal, page: int, page_size: int, include_content: bool
    ) -> ingest_pb2.ListFilesResponse:
        request = ingest_pb2.ListFilesRequest(page=page, page_size=page_size, include_content=include_content)
        return await self._stub.ListFiles(request, **self._unary(principal))

    async def delete_file(self, principal: Principal, file_id: str) -> None:
        request = ingest_pb2.DeleteFileRequest(file_id=file_id)
        await self._stub.DeleteFile(request, **self._long(principal))

    def file_content(self, principal: Principal, file_id: str) -> grpc.aio.UnaryStreamCall:
        request = ingest_pb2.GetFileContentRequest(file_id=file_id)
        return self._stub.GetFileContent(
            request, timeout=self._stream_timeout_s, metadata=outgoing_metadata(principal.credential)
        )

    def watch_file_status(self, principal: Principal, file_id: str) -> grpc.aio.UnaryStreamCall:
        request = ingest_pb2.WatchFileStatusRequest(file_id=file_id)
        return self._stub.WatchFileStatus(
            request, timeout=self._watch_timeout_s, metadata=outgoing_metadata(principal.credential)
        )

    # -- knowledge --------------------------------------------------------------------------------

    async def create_knowledge(
        self, principal: Principal, name: str, description: str, access_grants_json: bytes
    ) -> ingest_pb2.Knowledge:
        request = ingest_pb2.CreateKnowledgeRequest(
            name=name,
            description=description,
            access_grants_json=access_grants_json,
        )
        return (await self._stub.CreateKnowledge(request, **self._unary(principal))).knowledge

    async def list_knowledge(
        self, principal: Principal, page: int, page_size: int
    ) -> ingest_pb2.ListKnowledgeResponse:
        request = ingest_pb2.ListKnowledgeRequest(page=page, page_size=page_size)
        return await self._stub.ListKnowledge(request, **self._unary(principal))

    async def get_knowledge(self, principal: Principal, knowledge_id: str) -> ingest_pb2.Knowledge:
        request = ingest_pb2.GetKnowledgeRequest(knowledge_id=knowledge_id)
        return (await self._stub.GetKnowledge(request, **self._unary(principal))).knowledge

    async def update_knowledge(
        self,
        principal: Principal,
        knowledge_id: str,
        name: str,
        description: str,
        access_grants_json: bytes,
    ) -> ingest_pb2.UpdateKnowledgeResponse:
        request = ingest_pb2.UpdateKnowledgeRequest(
            knowledge_id=knowledge_id,
            name=name,
            description=description,
            access_grants_json=access_grants_json,
        )
        return await self._stub.UpdateKnowledge(request, **self._unary(principal))

    async def update_knowledge_access(
        self, principal: Principal, knowledge_id: str, access_grants_json: bytes
    ) -> ingest_pb2.UpdateKnowledgeAccessResponse:
        request = ingest_pb2.UpdateKnowledgeAccessRequest(
            knowledge_id=knowledge_id, access_grants_json=access_grants_json
        )
        return await self._stub.UpdateKnowledgeAccess(request, **self._unary(principal))

    async def delete_knowledge(self, principal: Principal, knowledge_id: str) -> None:
        request = ingest_pb2.DeleteKnowledgeRequest(knowledge_id=knowledge_id)
        await self._stub.DeleteKnowledge(request, **self._long(principal))

    async def reset_knowledge(self, principal: Principal, knowledge_id: str) -> ingest_pb2.Knowledge:
        request = ingest_pb2.ResetKnowledgeRequest(knowledge_id=knowledge_id)
        return (await self._stub.ResetKnowledge(request, **self._long(principal))).knowledge

    async def add_knowledge_files(
        self, principal: Principal, knowledge_id: str, file_ids: list[str], batch: bool
    ) -> ingest_pb2.AddKnowledgeFilesResponse:
        request = ingest_pb2.AddKnowledgeFilesRequest(
            knowledge_id=knowledge_id, file_ids=file_ids, batch=batch
        )
        return await self._stub.AddKnowledgeFiles(request, **self._long(principal))

    async def update_knowledge_file(
        self, principal: Principal, knowledge_id: str, file_id: str
    ) -> ingest_pb2.UpdateKnowledgeFileResponse:
        request = ingest_pb2.UpdateKnowledgeFileRequest(knowledge_id=knowledge_id, file_id=file_id)
        return await self._stub.UpdateKnowledgeFile(request, **self._long(principal))

    async def remove_knowledge_file(
        self, principal: Principal, knowledge_id: str, file_id: str, delete_file: bool
    ) -> ingest_pb2.RemoveKnowledgeFileResponse:
        request = ingest_pb2.RemoveKnowledgeFileRequest(
            knowledge_id=knowledge_id, file_id=file_id, delete_file=delete_file
        )
        return await self._stub.RemoveKnowledgeFile(request, **self._long(principal))

    async def list_knowledge_files(
        self, principal: Principal, knowledge_id: str, page: int, page_size: int, include_content: bool
    ) -> ingest_pb2.ListKnowledgeFilesResponse:
        request = ingest_pb2.ListKnowledgeFilesRequest(
            knowledge_id=knowledge_id,
            page=page,
            page_size=page_size,
            include_content=include_content,
        )
        return await self._stub.ListKnowledgeFiles(request, **self._unary(principal))

    # -- retrieval --------------------------------------------------------------------------------

    async def search(
        self, principal: Principal, collection_names: list[str], queries: list[str], k: int
    ) -> list[ingest_pb2.SearchHit]:
        request = ingest_pb2.SearchRequest(collection_names=collection_names, queries=queries, k=k)
        return list((await self._stub.Search(request, **self._long(principal))).hits)
