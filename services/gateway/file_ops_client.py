"""FileOpsService client: one method per RPC, each with the request id and a deadline."""

import grpc

from services.common.request_context import outgoing_metadata
from services.gateway.auth_guard import Principal
from webui.ingest.v1 import file_ops_pb2, file_ops_pb2_grpc, ingest_pb2


class FileOpsClient:
    """Calls FileOpsService on the ingest channel. Reads and renames get ``timeout_s``; calls that
    embed or drop vectors (content updates, processing, deleting every file) ``stream_timeout_s``."""

    def __init__(self, channel: grpc.aio.Channel, timeout_s: float, stream_timeout_s: float) -> None:
        self._stub = file_ops_pb2_grpc.FileOpsServiceStub(channel)
        self._timeout_s = timeout_s
        self._stream_timeout_s = stream_timeout_s

    def _unary(self, principal: Principal) -> dict:
        return {"timeout": self._timeout_s, "metadata": outgoing_metadata(principal.credential)}

    def _long(self, principal: Principal) -> dict:
        return {"timeout": self._stream_timeout_s, "metadata": outgoing_metadata(principal.credential)}

    async def search_files(
        self,
        principal: Principal,
        pattern: str,
        include_content: bool,
        skip: int,
        limit: int,
        own_only: bool,
    ) -> list[ingest_pb2.File]:
        request = file_ops_pb2.SearchFilesRequest(
            pattern=pattern, include_content=include_content, skip=skip, limit=limit, own_only=own_only
        )
        return list((await self._stub.SearchFiles(request, **self._unary(principal))).files)

    async def count_files(self, principal: Principal, own_only: bool) -> int:
        request = file_ops_pb2.CountFilesRequest(own_only=own_only)
        return (await self._stub.CountFiles(request, **self._unary(principal))).count

    async def rename_file(self, principal: Principal, file_id: str, filename: str) -> ingest_pb2.File:
        request = file_ops_pb2.RenameFileRequest(file_id=file_id, filename=filename)
        return (await self._stub.RenameFile(request, **self._unary(principal))).file

    async def update_content(self, principal: Principal, file_id: str, content: str) -> str:
        request = file_ops_pb2.UpdateFileContentRequest(file_id=file_id, content=content)
        return (await self._stub.UpdateFileContent(request, **self._long(principal))).content

    async def delete_all_files(self, principal: Principal) -> int:
        request = file_ops_pb2.DeleteAllFilesRequest()
        return (await self._stub.DeleteAllFiles(request, **self._long(principal))).deleted

    async def process_file(
        self, principal: Principal, file_id: str, content: str | None, collection_name: str
    ) -> file_ops_pb2.ProcessFileResponse:
        request = file_ops_pb2.ProcessFileRequest(
            file_id=file_id,
            content=content or "",
            has_content=content is not None,
            collection_name=collection_name,
        )
        return await self._stub.ProcessFile(request, **self._long(principal))
