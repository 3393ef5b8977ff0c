"""FoldersService over gRPC: protobuf in, the folder rules' plain objects, protobuf out."""

import grpc
import orjson

from services.common.errors import InvalidArgument
from services.common.grpc_identity import current_identity, require_verified
from services.common.identity import Identity
from services.inference.folders.pb import folder_message
from services.inference.folders.service import FolderService
from webui.inference.v1 import folders_pb2 as pb
from webui.inference.v1 import folders_pb2_grpc

Context = grpc.aio.ServicerContext


def _caller() -> Identity:
    return require_verified(current_identity())


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


def _optional(request: object, name: str) -> str | None:
    return getattr(request, name) if request.HasField(name) else None


class FoldersServicer(folders_pb2_grpc.FoldersServiceServicer):
    def __init__(self, folders: FolderService) -> None:
        self._folders = folders

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
        return pb.GetFolderResponse(folder=folder_message(await self._folders.get(_caller(), request.id)))

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
