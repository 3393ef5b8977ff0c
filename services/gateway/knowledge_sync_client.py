"""KnowledgeSyncService client: one function per RPC, each with the caller's credential and a deadline."""

from collections.abc import Mapping, Sequence
from typing import Any

import grpc

from services.common.request_context import outgoing_metadata
from services.gateway.auth_guard import Principal
from webui.ingest.v1 import knowledge_sync_pb2 as pb
from webui.ingest.v1 import knowledge_sync_pb2_grpc


class KnowledgeSyncClient:
    """Calls KnowledgeSyncService (served by the ingest service) over the ingest channel."""

    def __init__(self, channel: grpc.aio.Channel, timeout_s: float) -> None:
        self._stub = knowledge_sync_pb2_grpc.KnowledgeSyncServiceStub(channel)
        self._timeout_s = timeout_s

    def _opts(self, principal: Principal) -> dict:
        return {"timeout": self._timeout_s, "metadata": outgoing_metadata(principal.credential)}

    async def create_directory(
        self, principal: Principal, knowledge_id: str, name: str, parent_id: str | None
    ) -> pb.KnowledgeDirectory:
        request = pb.CreateKnowledgeDirectoryRequest(
            knowledge_id=knowledge_id, name=name, parent_id=parent_id or ""
        )
        reply = await self._stub.CreateKnowledgeDirectory(request, **self._opts(principal))
        return reply.directory

    async def update_directory(
        self,
        principal: Principal,
        knowledge_id: str,
        directory_id: str,
        *,
        name: str | None,
        move: bool,
        parent_id: str | None,
    ) -> pb.KnowledgeDirectory:
        request = pb.UpdateKnowledgeDirectoryRequest(
            knowledge_id=knowledge_id, directory_id=directory_id, move=move, parent_id=parent_id or ""
        )
        if name is not None:
            request.name = name
        reply = await self._stub.UpdateKnowledgeDirectory(request, **self._opts(principal))
        return reply.directory

    async def delete_directory(
        self, principal: Principal, knowledge_id: str, directory_id: str, move_files: bool
    ) -> None:
        request = pb.DeleteKnowledgeDirectoryRequest(
            knowledge_id=knowledge_id, directory_id=directory_id, move_files=move_files
        )
        await self._stub.DeleteKnowledgeDirectory(request, **self._opts(principal))

    async def clear_directories(self, principal: Principal, knowledge_id: str) -> None:
        request = pb.ClearKnowledgeDirectoriesRequest(knowledge_id=knowledge_id)
        await self._stub.ClearKnowledgeDirectories(request, **self._opts(principal))

    async def move_file(
        self, principal: Principal, knowledge_id: str, file_id: str, directory_id: str | None
    ) -> None:
        request = pb.MoveKnowledgeFileRequest(
            knowledge_id=knowledge_id, file_id=file_id, directory_id=directory_id or ""
        )
        await self._stub.MoveKnowledgeFile(request, **self._opts(principal))

    async def place_files(
        self, principal: Principal, knowledge_id: str, placements: list[tuple[str, str]], *, check_only: bool
    ) -> None:
        request = pb.PlaceKnowledgeFilesRequest(
            knowledge_id=knowledge_id,
            placements=[pb.FilePlacement(file_id=f, directory_id=d) for f, d in placements],
            check_only=check_only,
        )
        await self._stub.PlaceKnowledgeFiles(request, **self._opts(principal))

    async def describe_files(
        self, principal: Principal, knowledge_id: str, file_ids: list[str]
    ) -> pb.GetKnowledgeFileDirectoriesResponse:
        request = pb.GetKnowledgeFileDirectoriesRequest(knowledge_id=knowledge_id, file_ids=file_ids)
        return await self._stub.GetKnowledgeFileDirectories(request, **self._opts(principal))

    async def list_folder(
        self,
        principal: Principal,
        knowledge_id: str,
        directory_id: str | None,
        page: int,
        page_size: int,
        *,
        include_content: bool,
    ) -> pb.ListKnowledgeFolderResponse:
        request = pb.ListKnowledgeFolderRequest(
            knowledge_id=knowledge_id,
            directory_id=directory_id or "",
            page=page,
            page_size=page_size,
            include_content=include_content,
        )
        return await self._stub.ListKnowledgeFolder(request, **self._opts(principal))

    async def diff(
        self, principal: Principal, knowledge_id: str, manifest: Sequence[Mapping[str, Any]]
    ) -> pb.DiffKnowledgeSyncResponse:
        """``manifest``: entries with ``filename``, ``path``, ``checksum`` and ``size``."""
        request = pb.DiffKnowledgeSyncRequest(
            knowledge_id=knowledge_id,
            filenames=[e["filename"] for e in manifest],
            paths=[e["path"] for e in manifest],
            checksums=[e["checksum"] for e in manifest],
            sizes=[e["size"] for e in manifest],
        )
        return await self._stub.DiffKnowledgeSync(request, **self._opts(principal))

    async def cleanup(
        self, principal: Principal, knowledge_id: str, file_ids: list[str], directory_ids: list[str]
    ) -> None:
        request = pb.CleanupKnowledgeSyncRequest(
            knowledge_id=knowledge_id, file_ids=file_ids, directory_ids=directory_ids
        )
        await self._stub.CleanupKnowledgeSync(request, **self._opts(principal))
