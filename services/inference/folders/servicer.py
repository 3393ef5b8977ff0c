"""FoldersService over gRPC: protobuf in, the folder rules' plain objects, protobuf out."""

import grpc
import orjson

from services.common import access, messages, permissions
from services.common.errors import InvalidArgument, PermissionDenied
from services.common.grpc_identity import current_identity, require_verified
from services.common.identity import Identity
from services.inference.folders.pb import folder_message, grant_message, shared_chat_message
from services.inference.folders.service import FolderService
from services.inference.folders.sharing import CONTINUE, FolderSharing
from webui.inference.v1 import folders_pb2 as pb
from webui.inference.v1 import folders_pb2_grpc

Context = grpc.aio.ServicerContext


def _caller() -> Identity:
    """The verified caller, who needs ``features.folders`` (admins bypass) for every folder route:
    Open WebUI's 403 ACCESS_PROHIBITED without it."""
    identity = require_verified(current_identity())
    if not access.has_permission(identity, permissions.FEATURES_FOLDERS):
        raise PermissionDenied(messages.ACCESS_PROHIBITED, http_status=403)
    return identity


def _object(raw: bytes, name: str) -> dict | None:
    """A JSON object field; empty bytes: not sent."""
    if not raw:
        return None
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise InvalidArgument(f"{name} must be a JSON object") from None
    if not isinstance(value, dict):
        raise InvalidArgument(f"{name} must be a JSON object")
    return value


# A request's share mode → what the sharing rules take: None (unset or unknown) keeps the stored one.
_SHARE_MODES = {
    pb.FOLDER_SHARE_MODE_UNSPECIFIED: None,
    pb.FOLDER_SHARE_MODE_NONE: "",
    pb.FOLDER_SHARE_MODE_CONTINUE: CONTINUE,
}


def _optional(request: object, name: str) -> str | None:
    return getattr(request, name) if request.HasField(name) else None


class FoldersServicer(folders_pb2_grpc.FoldersServiceServicer):
    def __init__(self, folders: FolderService, sharing: FolderSharing) -> None:
        self._folders = folders
        self._sharing = sharing

    async def ListFolders(self, request: pb.ListFoldersRequest, context: Context) -> pb.ListFoldersResponse:  # noqa: N802
        folders = await self._folders.list_folders(_caller())
        return pb.ListFoldersResponse(folders=[folder_message(f) for f in folders])

    async def CreateFolder(  # noqa: N802
        self, request: pb.CreateFolderRequest, context: Context
    ) -> pb.CreateFolderResponse:
        folder = await self._folders.create(
            _caller(),
            request.name,
            _object(request.data_json, "data_json"),
            _object(request.meta_json, "meta_json"),
            _optional(request, "parent_id"),
        )
        return pb.CreateFolderResponse(folder=folder_message(folder))

    async def GetFolder(self, request: pb.GetFolderRequest, context: Context) -> pb.GetFolderResponse:  # noqa: N802
        detail = await self._sharing.detail(_caller(), request.id)
        return pb.GetFolderResponse(
            folder=folder_message(detail.folder),
            access_grants=[grant_message(g) for g in detail.grants],
            write_access=detail.write_access,
        )

    async def UpdateFolder(  # noqa: N802
        self, request: pb.UpdateFolderRequest, context: Context
    ) -> pb.UpdateFolderResponse:
        folder = await self._folders.update(
            _caller(),
            request.id,
            _optional(request, "name"),
            _object(request.data_json, "data_json"),
            _object(request.meta_json, "meta_json"),
        )
        return pb.UpdateFolderResponse(folder=folder_message(folder))

    async def MoveFolder(self, request: pb.MoveFolderRequest, context: Context) -> pb.MoveFolderResponse:  # noqa: N802
        folder = await self._folders.move(_caller(), request.id, _optional(request, "parent_id"))
        return pb.MoveFolderResponse(folder=folder_message(folder))

    async def SetFolderExpanded(  # noqa: N802
        self, request: pb.SetFolderExpandedRequest, context: Context
    ) -> pb.SetFolderExpandedResponse:
        folder = await self._folders.set_expanded(_caller(), request.id, request.is_expanded)
        return pb.SetFolderExpandedResponse(folder=folder_message(folder))

    async def DeleteFolder(  # noqa: N802
        self, request: pb.DeleteFolderRequest, context: Context
    ) -> pb.DeleteFolderResponse:
        deleted = await self._folders.delete(_caller(), request.id, request.delete_contents)
        return pb.DeleteFolderResponse(deleted=deleted)

    async def UpdateFolderAccess(  # noqa: N802
        self, request: pb.UpdateFolderAccessRequest, context: Context
    ) -> pb.UpdateFolderAccessResponse:
        share_mode = _SHARE_MODES.get(request.share_mode)
        folder, grants = await self._sharing.update_access(
            _caller(), request.id, request.access_grants_json, share_mode
        )
        return pb.UpdateFolderAccessResponse(
            folder=folder_message(folder), access_grants=[grant_message(g) for g in grants]
        )

    async def ListSharedFolders(  # noqa: N802
        self, request: pb.ListSharedFoldersRequest, context: Context
    ) -> pb.ListSharedFoldersResponse:
        shared = await self._sharing.shared(_caller())
        return pb.ListSharedFoldersResponse(
            folders=[
                pb.SharedFolder(folder=folder_message(s.folder), permission=s.permission) for s in shared
            ]
        )

    async def ListSharedFolderChats(  # noqa: N802
        self, request: pb.ListSharedFolderChatsRequest, context: Context
    ) -> pb.ListSharedFolderChatsResponse:
        identity = _caller()
        listed = await self._sharing.chats(
            identity, request.id, page=request.page, sort_by=request.sort_by, ascending=request.ascending
        )
        reply = pb.ListSharedFolderChatsResponse(
            chats=[shared_chat_message(c, identity) for c in listed.chats],
            folder_permission=listed.permission,
        )
        if listed.total is not None:
            reply.total = listed.total
        if listed.has_more is not None:
            reply.has_more = listed.has_more
        return reply

    async def MarkFolderRead(  # noqa: N802
        self, request: pb.MarkFolderReadRequest, context: Context
    ) -> pb.MarkFolderReadResponse:
        read = await self._sharing.mark_read(_caller(), request.id)
        return pb.MarkFolderReadResponse(
            folder_id=read.folder_id,
            folder_ids=read.folder_ids,
            updated_count=read.updated_count,
            folder_unread_counts=read.folder_unread_counts,
        )
