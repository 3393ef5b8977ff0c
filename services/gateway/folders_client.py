"""FoldersService client: one function per RPC, each with the caller's credential and a deadline."""

import grpc
import orjson

from services.common.request_context import outgoing_metadata
from services.gateway.auth_guard import Principal
from webui.inference.v1 import folders_pb2 as pb
from webui.inference.v1 import folders_pb2_grpc


def _json(value: dict | None) -> bytes:
    return orjson.dumps(value) if value is not None else b""


class FoldersClient:
    """Calls FoldersService (served by the inference service) over the inference channel."""

    def __init__(self, channel: grpc.aio.Channel, timeout_s: float) -> None:
        self._stub = folders_pb2_grpc.FoldersServiceStub(channel)
        self._timeout_s = timeout_s

    def _opts(self, principal: Principal) -> dict:
        return {"timeout": self._timeout_s, "metadata": outgoing_metadata(principal.credential)}

    async def list_folders(self, principal: Principal) -> list[pb.Folder]:
        reply = await self._stub.ListFolders(pb.ListFoldersRequest(), **self._opts(principal))
        return list(reply.folders)

    async def create(
        self, principal: Principal, name: str, data: dict | None, meta: dict | None, parent_id: str | None
    ) -> pb.Folder:
        request = pb.CreateFolderRequest(name=name, data_json=_json(data), meta_json=_json(meta))
        if parent_id is not None:
            request.parent_id = parent_id
        return (await self._stub.CreateFolder(request, **self._opts(principal))).folder

    async def update(
        self, principal: Principal, folder_id: str, name: str | None, data: dict | None, meta: dict | None
    ) -> pb.Folder:
        request = pb.UpdateFolderRequest(id=folder_id, data_json=_json(data), meta_json=_json(meta))
        if name is not None:
            request.name = name
        return (await self._stub.UpdateFolder(request, **self._opts(principal))).folder

    async def move(self, principal: Principal, folder_id: str, parent_id: str | None) -> pb.Folder:
        request = pb.MoveFolderRequest(id=folder_id)
        if parent_id is not None:
            request.parent_id = parent_id
        return (await self._stub.MoveFolder(request, **self._opts(principal))).folder

    async def set_expanded(self, principal: Principal, folder_id: str, expanded: bool) -> pb.Folder:
        request = pb.SetFolderExpandedRequest(id=folder_id, is_expanded=expanded)
        return (await self._stub.SetFolderExpanded(request, **self._opts(principal))).folder

    async def delete(self, principal: Principal, folder_id: str, delete_contents: bool) -> bool:
        request = pb.DeleteFolderRequest(id=folder_id, delete_contents=delete_contents)
        return (await self._stub.DeleteFolder(request, **self._opts(principal))).deleted

    async def get_detail(self, principal: Principal, folder_id: str) -> pb.GetFolderResponse:
        """The folder with its grants and whether the caller may write it."""
        return await self._stub.GetFolder(pb.GetFolderRequest(id=folder_id), **self._opts(principal))

    async def update_access(
        self,
        principal: Principal,
        folder_id: str,
        grants_json: bytes,
        share_mode: str | None,
        share_mode_sent: bool,
    ) -> pb.UpdateFolderAccessResponse:
        if not share_mode_sent:
            mode = pb.FOLDER_SHARE_MODE_UNSPECIFIED
        elif share_mode == "continue":
            mode = pb.FOLDER_SHARE_MODE_CONTINUE
        else:
            mode = pb.FOLDER_SHARE_MODE_NONE
        request = pb.UpdateFolderAccessRequest(id=folder_id, access_grants_json=grants_json, share_mode=mode)
        return await self._stub.UpdateFolderAccess(request, **self._opts(principal))

    async def list_shared(self, principal: Principal) -> list[pb.SharedFolder]:
        reply = await self._stub.ListSharedFolders(pb.ListSharedFoldersRequest(), **self._opts(principal))
        return list(reply.folders)

    async def shared_chats(
        self, principal: Principal, folder_id: str, *, page: int, sort_by: str, ascending: bool
    ) -> pb.ListSharedFolderChatsResponse:
        request = pb.ListSharedFolderChatsRequest(
            id=folder_id, page=page, sort_by=sort_by, ascending=ascending
        )
        return await self._stub.ListSharedFolderChats(request, **self._opts(principal))

    async def mark_read(self, principal: Principal, folder_id: str) -> pb.MarkFolderReadResponse:
        return await self._stub.MarkFolderRead(
            pb.MarkFolderReadRequest(id=folder_id), **self._opts(principal)
        )
