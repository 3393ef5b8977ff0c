"""ChatsService client: one function per RPC, each with the caller's credential and a deadline."""

import grpc

from services.common.request_context import outgoing_metadata
from services.gateway.auth_guard import Principal
from webui.inference.v1 import chats_pb2 as pb
from webui.inference.v1 import chats_pb2_grpc

SORTS = {
    "updated_at": pb.CHAT_SORT_UPDATED_AT,
    "title": pb.CHAT_SORT_TITLE,
    "unread_updated_at": pb.CHAT_SORT_UNREAD_UPDATED_AT,
}


class ChatsClient:
    """Calls ChatsService (served by the inference service) over the inference channel.

    Unary calls get ``timeout_s``; ``GET /all`` streams every chat of a user and gets
    ``stream_timeout_s``."""

    def __init__(self, channel: grpc.aio.Channel, timeout_s: float, stream_timeout_s: float) -> None:
        self._stub = chats_pb2_grpc.ChatsServiceStub(channel)
        self._timeout_s = timeout_s
        self._stream_timeout_s = stream_timeout_s

    def _opts(self, principal: Principal) -> dict:
        return {"timeout": self._timeout_s, "metadata": outgoing_metadata(principal.credential)}

    async def create(self, principal: Principal, form: bytes) -> pb.Chat:
        reply = await self._stub.CreateChat(pb.CreateChatRequest(form_json=form), **self._opts(principal))
        return reply.chat

    async def get(self, principal: Principal, chat_id: str) -> pb.Chat:
        return (await self._stub.GetChat(pb.GetChatRequest(id=chat_id), **self._opts(principal))).chat

    async def update(self, principal: Principal, chat_id: str, form: bytes) -> pb.Chat:
        request = pb.UpdateChatRequest(id=chat_id, form_json=form)
        return (await self._stub.UpdateChat(request, **self._opts(principal))).chat

    async def list_chats(
        self,
        principal: Principal,
        *,
        page: int,
        include_pinned: bool,
        include_folders: bool,
        sort_by: str,
        ascending: bool,
    ) -> list[pb.ChatSummary]:
        request = pb.ListChatsRequest(
            page=page,
            include_pinned=include_pinned,
            include_folders=include_folders,
            sort=SORTS.get(sort_by, pb.CHAT_SORT_UPDATED_AT),
            ascending=ascending,
        )
        return list((await self._stub.ListChats(request, **self._opts(principal))).chats)

    async def list_pinned(self, principal: Principal) -> list[pb.ChatSummary]:
        reply = await self._stub.ListPinnedChats(pb.ListPinnedChatsRequest(), **self._opts(principal))
        return list(reply.chats)

    async def list_archived(
        self, principal: Principal, *, page: int, query: str, order_by: str, ascending: bool
    ) -> list[pb.ChatSummary]:
        request = pb.ListArchivedChatsRequest(page=page, query=query, order_by=order_by, ascending=ascending)
        return list((await self._stub.ListArchivedChats(request, **self._opts(principal))).chats)

    async def count_archived(self, principal: Principal) -> int:
        reply = await self._stub.CountArchivedChats(pb.CountArchivedChatsRequest(), **self._opts(principal))
        return reply.count

    async def search(self, principal: Principal, text: str, page: int) -> list[pb.ChatSummary]:
        request = pb.SearchChatsRequest(text=text, page=page)
        return list((await self._stub.SearchChats(request, **self._opts(principal))).chats)

    async def list_by_tag(
        self, principal: Principal, name: str, skip: int, limit: int
    ) -> list[pb.ChatSummary]:
        request = pb.ListChatsByTagRequest(name=name, skip=skip, limit=limit)
        return list((await self._stub.ListChatsByTag(request, **self._opts(principal))).chats)

    def stream(self, principal: Principal, archived_only: bool) -> grpc.aio.UnaryStreamCall:
        """The call itself (StreamChatsResponse messages), so that a handler can cancel it when its
        client leaves."""
        return self._stub.StreamChats(
            pb.StreamChatsRequest(archived_only=archived_only),
            timeout=self._stream_timeout_s,
            metadata=outgoing_metadata(principal.credential),
        )

    async def delete(self, principal: Principal, chat_id: str) -> bool:
        return (
            await self._stub.DeleteChat(pb.DeleteChatRequest(id=chat_id), **self._opts(principal))
        ).deleted

    async def delete_all(self, principal: Principal) -> bool:
        return (await self._stub.DeleteAllChats(pb.DeleteAllChatsRequest(), **self._opts(principal))).deleted

    async def is_pinned(self, principal: Principal, chat_id: str) -> bool:
        reply = await self._stub.GetChatPinned(pb.GetChatPinnedRequest(id=chat_id), **self._opts(principal))
        return reply.pinned

    async def pin(self, principal: Principal, chat_id: str) -> pb.Chat:
        return (await self._stub.PinChat(pb.PinChatRequest(id=chat_id), **self._opts(principal))).chat

    async def archive(self, principal: Principal, chat_id: str) -> pb.Chat:
        return (await self._stub.ArchiveChat(pb.ArchiveChatRequest(id=chat_id), **self._opts(principal))).chat

    async def archive_all(self, principal: Principal) -> bool:
        return (await self._stub.ArchiveAllChats(pb.ArchiveAllChatsRequest(), **self._opts(principal))).done

    async def unarchive_all(self, principal: Principal) -> bool:
        reply = await self._stub.UnarchiveAllChats(pb.UnarchiveAllChatsRequest(), **self._opts(principal))
        return reply.done

    async def clone(self, principal: Principal, chat_id: str, title: str | None) -> pb.Chat:
        request = (
            pb.CloneChatRequest(id=chat_id, title=title)
            if title is not None
            else pb.CloneChatRequest(id=chat_id)
        )
        return (await self._stub.CloneChat(request, **self._opts(principal))).chat

    async def chat_tags(self, principal: Principal, chat_id: str) -> list[pb.ChatTag]:
        reply = await self._stub.ListChatTags(
            pb.ListChatTagsRequest(chat_id=chat_id), **self._opts(principal)
        )
        return list(reply.tags)

    async def add_tag(self, principal: Principal, chat_id: str, name: str) -> list[pb.ChatTag]:
        request = pb.AddChatTagRequest(chat_id=chat_id, name=name)
        return list((await self._stub.AddChatTag(request, **self._opts(principal))).tags)

    async def remove_tag(self, principal: Principal, chat_id: str, name: str) -> list[pb.ChatTag]:
        request = pb.RemoveChatTagRequest(chat_id=chat_id, name=name)
        return list((await self._stub.RemoveChatTag(request, **self._opts(principal))).tags)

    async def all_tags(self, principal: Principal) -> list[pb.ChatTag]:
        return list((await self._stub.ListTags(pb.ListTagsRequest(), **self._opts(principal))).tags)

    async def upsert_message(
        self, principal: Principal, chat_id: str, message_id: str, content: str | None, voice: bytes
    ) -> pb.Chat:
        request = pb.UpsertChatMessageRequest(chat_id=chat_id, message_id=message_id, voice_json=voice)
        if content is not None:
            request.content = content
        return (await self._stub.UpsertChatMessage(request, **self._opts(principal))).chat

    async def delete_message(self, principal: Principal, chat_id: str, message_id: str) -> pb.Chat:
        request = pb.DeleteChatMessageRequest(chat_id=chat_id, message_id=message_id)
        return (await self._stub.DeleteChatMessage(request, **self._opts(principal))).chat

    async def move_to_folder(self, principal: Principal, chat_id: str, folder_id: str | None) -> pb.Chat:
        request = pb.MoveChatToFolderRequest(id=chat_id)
        if folder_id is not None:
            request.folder_id = folder_id
        return (await self._stub.MoveChatToFolder(request, **self._opts(principal))).chat

    async def folder_chats(self, principal: Principal, folder_id: str) -> list[pb.Chat]:
        request = pb.ListFolderChatsRequest(folder_id=folder_id)
        return list((await self._stub.ListFolderChats(request, **self._opts(principal))).chats)

    async def folder_chat_list(
        self, principal: Principal, folder_id: str, *, page: int, sort_by: str, ascending: bool
    ) -> list[pb.ChatSummary]:
        request = pb.ListFolderChatSummariesRequest(
            folder_id=folder_id,
            page=page,
            sort=SORTS.get(sort_by, pb.CHAT_SORT_UNREAD_UPDATED_AT),
            ascending=ascending,
        )
        return list((await self._stub.ListFolderChatSummaries(request, **self._opts(principal))).chats)

    # -- sharing -------------------------------------------------------------------------------

    @staticmethod
    def _share_mode(sent: bool, value: str | None) -> int:
        if not sent:
            return pb.CHAT_SHARE_MODE_UNSPECIFIED
        return pb.CHAT_SHARE_MODE_CONTINUE if value == "continue" else pb.CHAT_SHARE_MODE_NONE

    async def share(
        self, principal: Principal, chat_id: str, *, share_mode: str | None, share_mode_sent: bool
    ) -> pb.Chat:
        request = pb.ShareChatRequest(id=chat_id, share_mode=self._share_mode(share_mode_sent, share_mode))
        return (await self._stub.ShareChat(request, **self._opts(principal))).chat

    async def unshare(self, principal: Principal, chat_id: str) -> bool:
        return (await self._stub.UnshareChat(pb.UnshareChatRequest(id=chat_id), **self._opts(principal))).done

    async def unshare_all(self, principal: Principal) -> bool:
        return (await self._stub.UnshareAllChats(pb.UnshareAllChatsRequest(), **self._opts(principal))).done

    async def list_shared(
        self, principal: Principal, *, page: int, query: str, order_by: str, ascending: bool
    ) -> list[pb.SharedChat]:
        request = pb.ListSharedChatsRequest(page=page, query=query, order_by=order_by, ascending=ascending)
        return list((await self._stub.ListSharedChats(request, **self._opts(principal))).shares)

    async def get_shared(self, principal: Principal, share_id: str) -> pb.Chat:
        request = pb.GetSharedChatRequest(share_id=share_id)
        return (await self._stub.GetSharedChat(request, **self._opts(principal))).chat

    async def clone_shared(self, principal: Principal, source_id: str) -> pb.Chat:
        request = pb.CloneSharedChatRequest(id=source_id)
        return (await self._stub.CloneSharedChat(request, **self._opts(principal))).chat

    async def access_grants(self, principal: Principal, chat_id: str) -> list[pb.ChatAccessGrant]:
        request = pb.ListChatAccessGrantsRequest(chat_id=chat_id)
        return list((await self._stub.ListChatAccessGrants(request, **self._opts(principal))).grants)

    async def update_access_grants(
        self,
        principal: Principal,
        chat_id: str,
        grants: bytes,
        *,
        share_mode: str | None,
        share_mode_sent: bool,
    ) -> pb.Chat:
        request = pb.UpdateChatAccessGrantsRequest(
            chat_id=chat_id,
            access_grants_json=grants,
            share_mode=self._share_mode(share_mode_sent, share_mode),
        )
        return (await self._stub.UpdateChatAccessGrants(request, **self._opts(principal))).chat

    # -- import, fork, params, events, read state, admin, config, statistics -----------------------

    async def import_chats(self, principal: Principal, form: bytes) -> list[pb.Chat]:
        reply = await self._stub.ImportChats(pb.ImportChatsRequest(form_json=form), **self._opts(principal))
        return list(reply.chats)

    async def fork(self, principal: Principal, chat_id: str, message_id: str | None) -> pb.Chat:
        request = pb.ForkChatRequest(id=chat_id)
        if message_id is not None:
            request.message_id = message_id
        return (await self._stub.ForkChat(request, **self._opts(principal))).chat

    async def update_params(self, principal: Principal, chat_id: str, params: bytes) -> bytes:
        request = pb.UpdateChatParamsRequest(id=chat_id, params_json=params)
        return (await self._stub.UpdateChatParams(request, **self._opts(principal))).params_json

    async def user_chats(
        self, principal: Principal, user_id: str, *, page: int, query: str, order_by: str, direction: str
    ) -> list[pb.ChatSummary]:
        request = pb.ListUserChatsRequest(
            user_id=user_id, page=page, query=query, order_by=order_by, direction=direction
        )
        return list((await self._stub.ListUserChats(request, **self._opts(principal))).chats)

    def stream_all_users(self, principal: Principal) -> grpc.aio.UnaryStreamCall:
        """Every user's chats (admins), one StreamAllChatsResponse each."""
        return self._stub.StreamAllChats(
            pb.StreamAllChatsRequest(),
            timeout=self._stream_timeout_s,
            metadata=outgoing_metadata(principal.credential),
        )

    async def mark_read(self, principal: Principal) -> pb.MarkChatsReadResponse:
        return await self._stub.MarkChatsRead(pb.MarkChatsReadRequest(), **self._opts(principal))

    async def mark_unread(self, principal: Principal, chat_id: str) -> pb.MarkChatUnreadResponse:
        return await self._stub.MarkChatUnread(pb.MarkChatUnreadRequest(id=chat_id), **self._opts(principal))

    async def send_event(
        self, principal: Principal, chat_id: str, message_id: str, kind: str, data: bytes
    ) -> bool:
        request = pb.SendChatMessageEventRequest(
            chat_id=chat_id, message_id=message_id, type=kind, data_json=data
        )
        return (await self._stub.SendChatMessageEvent(request, **self._opts(principal))).sent

    async def get_config(self, principal: Principal) -> bytes:
        return (
            await self._stub.GetChatConfig(pb.GetChatConfigRequest(), **self._opts(principal))
        ).config_json

    async def update_config(self, principal: Principal, config: bytes) -> bytes:
        request = pb.UpdateChatConfigRequest(config_json=config)
        return (await self._stub.UpdateChatConfig(request, **self._opts(principal))).config_json

    async def usage_stats(
        self, principal: Principal, page: int, items_per_page: int
    ) -> pb.GetChatUsageStatsResponse:
        request = pb.GetChatUsageStatsRequest(page=page, items_per_page=items_per_page)
        return await self._stub.GetChatUsageStats(request, **self._opts(principal))

    async def export_stats(
        self, principal: Principal, updated_after: int, page: int
    ) -> pb.ExportChatStatsResponse:
        request = pb.ExportChatStatsRequest(updated_after=updated_after, page=page)
        return await self._stub.ExportChatStats(request, **self._opts(principal))

    async def export_chat_stats(self, principal: Principal, chat_id: str) -> bytes:
        request = pb.ExportOneChatStatsRequest(chat_id=chat_id)
        return (await self._stub.ExportOneChatStats(request, **self._opts(principal))).stats_json
