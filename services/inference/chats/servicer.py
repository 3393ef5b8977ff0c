"""ChatsService over gRPC: protobuf in, the chat rules' plain objects, protobuf out."""

from collections.abc import AsyncIterator

import grpc
import orjson

from services.common.errors import InvalidArgument
from services.common.grpc_identity import current_identity, require_verified
from services.common.identity import Identity
from services.inference.chats.extras import ChatExtras
from services.inference.chats.lists import ChatLists
from services.inference.chats.pb import chat_message, summaries, tag_messages
from services.inference.chats.service import ChatService
from services.inference.chats.servicer_extras import ChatExtrasRpcs
from services.inference.chats.sharing import ChatSharing
from services.inference.chats.sharing_servicer import ChatSharingRpcs
from services.inference.chats.tags import ChatTags
from webui.inference.v1 import chats_pb2 as pb
from webui.inference.v1 import chats_pb2_grpc

_SORTS = {
    pb.CHAT_SORT_UNSPECIFIED: "updated_at",
    pb.CHAT_SORT_UPDATED_AT: "updated_at",
    pb.CHAT_SORT_TITLE: "title",
    pb.CHAT_SORT_UNREAD_UPDATED_AT: "unread_updated_at",
}
Context = grpc.aio.ServicerContext


def _caller() -> Identity:
    return require_verified(current_identity())


def _voice(raw: bytes) -> dict | None:
    if not raw:
        return None
    try:
        voice = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise InvalidArgument("voice_json must be a JSON object") from None
    if not isinstance(voice, dict):
        raise InvalidArgument("voice_json must be a JSON object")
    return voice


class ChatsServicer(ChatSharingRpcs, ChatExtrasRpcs, chats_pb2_grpc.ChatsServiceServicer):
    def __init__(
        self,
        chats: ChatService,
        lists: ChatLists,
        tags: ChatTags,
        *,
        sharing: ChatSharing,
        extras: ChatExtras,
    ) -> None:
        self._chats = chats
        self._extras = extras
        self._sharing = sharing
        self._lists = lists
        self._tags = tags

    async def CreateChat(self, request: pb.CreateChatRequest, context: Context) -> pb.CreateChatResponse:  # noqa: N802
        return pb.CreateChatResponse(
            chat=chat_message(await self._chats.create(_caller(), request.form_json))
        )

    async def GetChat(self, request: pb.GetChatRequest, context: Context) -> pb.GetChatResponse:  # noqa: N802
        return pb.GetChatResponse(chat=chat_message(await self._chats.get(_caller(), request.id)))

    async def UpdateChat(self, request: pb.UpdateChatRequest, context: Context) -> pb.UpdateChatResponse:  # noqa: N802
        view = await self._chats.update(_caller(), request.id, request.form_json)
        return pb.UpdateChatResponse(chat=chat_message(view))

    async def ListChats(self, request: pb.ListChatsRequest, context: Context) -> pb.ListChatsResponse:  # noqa: N802
        chats = await self._lists.active(
            _caller(),
            page=request.page,
            include_pinned=request.include_pinned,
            include_folders=request.include_folders,
            sort_by=_SORTS.get(request.sort, "updated_at"),
            ascending=request.ascending,
        )
        return pb.ListChatsResponse(chats=summaries(chats))

    async def ListPinnedChats(  # noqa: N802
        self, request: pb.ListPinnedChatsRequest, context: Context
    ) -> pb.ListPinnedChatsResponse:
        return pb.ListPinnedChatsResponse(chats=summaries(await self._lists.pinned(_caller())))

    async def ListArchivedChats(  # noqa: N802
        self, request: pb.ListArchivedChatsRequest, context: Context
    ) -> pb.ListArchivedChatsResponse:
        chats = await self._lists.archived(
            _caller(),
            page=request.page,
            query=request.query,
            order_by=request.order_by,
            ascending=request.ascending,
        )
        return pb.ListArchivedChatsResponse(chats=summaries(chats))

    async def CountArchivedChats(  # noqa: N802
        self, request: pb.CountArchivedChatsRequest, context: Context
    ) -> pb.CountArchivedChatsResponse:
        return pb.CountArchivedChatsResponse(count=await self._lists.count_archived(_caller()))

    async def SearchChats(self, request: pb.SearchChatsRequest, context: Context) -> pb.SearchChatsResponse:  # noqa: N802
        chats = await self._lists.search(_caller(), request.text, request.page)
        return pb.SearchChatsResponse(chats=summaries(chats))

    async def ListChatsByTag(  # noqa: N802
        self, request: pb.ListChatsByTagRequest, context: Context
    ) -> pb.ListChatsByTagResponse:
        chats = await self._lists.by_tag(_caller(), request.name, request.skip, request.limit)
        return pb.ListChatsByTagResponse(chats=summaries(chats))

    async def StreamChats(  # noqa: N802
        self, request: pb.StreamChatsRequest, context: Context
    ) -> AsyncIterator[pb.StreamChatsResponse]:
        async for view in self._chats.stream(_caller(), request.archived_only):
            yield pb.StreamChatsResponse(chat=chat_message(view))

    async def DeleteChat(self, request: pb.DeleteChatRequest, context: Context) -> pb.DeleteChatResponse:  # noqa: N802
        return pb.DeleteChatResponse(deleted=await self._chats.delete(_caller(), request.id))

    async def DeleteAllChats(  # noqa: N802
        self, request: pb.DeleteAllChatsRequest, context: Context
    ) -> pb.DeleteAllChatsResponse:
        return pb.DeleteAllChatsResponse(deleted=await self._chats.delete_all(_caller()))

    async def GetChatPinned(  # noqa: N802
        self, request: pb.GetChatPinnedRequest, context: Context
    ) -> pb.GetChatPinnedResponse:
        return pb.GetChatPinnedResponse(pinned=await self._chats.is_pinned(_caller(), request.id))

    async def PinChat(self, request: pb.PinChatRequest, context: Context) -> pb.PinChatResponse:  # noqa: N802
        return pb.PinChatResponse(chat=chat_message(await self._chats.pin(_caller(), request.id)))

    async def ArchiveChat(self, request: pb.ArchiveChatRequest, context: Context) -> pb.ArchiveChatResponse:  # noqa: N802
        return pb.ArchiveChatResponse(chat=chat_message(await self._chats.archive(_caller(), request.id)))

    async def ArchiveAllChats(  # noqa: N802
        self, request: pb.ArchiveAllChatsRequest, context: Context
    ) -> pb.ArchiveAllChatsResponse:
        return pb.ArchiveAllChatsResponse(done=await self._chats.set_archived_all(_caller(), True))

    async def UnarchiveAllChats(  # noqa: N802
        self, request: pb.UnarchiveAllChatsRequest, context: Context
    ) -> pb.UnarchiveAllChatsResponse:
        return pb.UnarchiveAllChatsResponse(done=await self._chats.set_archived_all(_caller(), False))

    async def CloneChat(self, request: pb.CloneChatRequest, context: Context) -> pb.CloneChatResponse:  # noqa: N802
        title = request.title if request.HasField("title") else None
        return pb.CloneChatResponse(chat=chat_message(await self._chats.clone(_caller(), request.id, title)))

    async def ListChatTags(  # noqa: N802
        self, request: pb.ListChatTagsRequest, context: Context
    ) -> pb.ListChatTagsResponse:
        return pb.ListChatTagsResponse(
            tags=tag_messages(await self._tags.of_chat(_caller(), request.chat_id))
        )

    async def AddChatTag(self, request: pb.AddChatTagRequest, context: Context) -> pb.AddChatTagResponse:  # noqa: N802
        tags = await self._tags.add(_caller(), request.chat_id, request.name)
        return pb.AddChatTagResponse(tags=tag_messages(tags))

    async def RemoveChatTag(  # noqa: N802
        self, request: pb.RemoveChatTagRequest, context: Context
    ) -> pb.RemoveChatTagResponse:
        tags = await self._tags.remove(_caller(), request.chat_id, request.name)
        return pb.RemoveChatTagResponse(tags=tag_messages(tags))

    async def ListTags(self, request: pb.ListTagsRequest, context: Context) -> pb.ListTagsResponse:  # noqa: N802
        return pb.ListTagsResponse(tags=tag_messages(await self._tags.all(_caller())))

    async def UpsertChatMessage(  # noqa: N802
        self, request: pb.UpsertChatMessageRequest, context: Context
    ) -> pb.UpsertChatMessageResponse:
        content = request.content if request.HasField("content") else None
        view = await self._chats.upsert_message(
            _caller(), request.chat_id, request.message_id, content, _voice(request.voice_json)
        )
        return pb.UpsertChatMessageResponse(chat=chat_message(view))

    async def DeleteChatMessage(  # noqa: N802
        self, request: pb.DeleteChatMessageRequest, context: Context
    ) -> pb.DeleteChatMessageResponse:
        view = await self._chats.delete_message(_caller(), request.chat_id, request.message_id)
        return pb.DeleteChatMessageResponse(chat=chat_message(view))

    async def MoveChatToFolder(  # noqa: N802
        self, request: pb.MoveChatToFolderRequest, context: Context
    ) -> pb.MoveChatToFolderResponse:
        folder_id = request.folder_id if request.HasField("folder_id") else None
        view = await self._chats.move_to_folder(_caller(), request.id, folder_id)
        return pb.MoveChatToFolderResponse(chat=chat_message(view))

    async def ListFolderChats(  # noqa: N802
        self, request: pb.ListFolderChatsRequest, context: Context
    ) -> pb.ListFolderChatsResponse:
        views = await self._chats.in_folder(_caller(), request.folder_id)
        return pb.ListFolderChatsResponse(chats=[chat_message(view) for view in views])

    async def ListFolderChatSummaries(  # noqa: N802
        self, request: pb.ListFolderChatSummariesRequest, context: Context
    ) -> pb.ListFolderChatSummariesResponse:
        # Unset sort: the folder list's default, unread first.
        sort_by = _SORTS.get(request.sort, "updated_at") if request.sort else "unread_updated_at"
        chats = await self._lists.in_folder(
            _caller(), request.folder_id, page=request.page, sort_by=sort_by, ascending=request.ascending
        )
        return pb.ListFolderChatSummariesResponse(chats=summaries(chats))
