"""The RPCs of ChatsService beyond the basic ones (import, fork, params, events, read state, admin
views, configuration, statistics): protobuf in, the rules' plain objects, protobuf out."""

from collections.abc import AsyncIterator

import grpc
import orjson

from services.common.errors import InvalidArgument
from services.common.grpc_identity import current_identity, require_verified
from services.common.identity import Identity
from services.inference.chats.extras import ChatExtras
from services.inference.chats.pb import chat_message, summaries
from services.inference.replies import dumps
from webui.inference.v1 import chats_pb2 as pb

Context = grpc.aio.ServicerContext


def _caller() -> Identity:
    return require_verified(current_identity())


def _object(raw: bytes, name: str) -> dict:
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise InvalidArgument(f"{name} must be a JSON object") from None
    if not isinstance(value, dict):
        raise InvalidArgument(f"{name} must be a JSON object")
    return value


class ChatExtrasRpcs:
    """Mixed into ChatsServicer, which sets ``_extras``."""

    _extras: ChatExtras

    async def ImportChats(self, request: pb.ImportChatsRequest, context: Context) -> pb.ImportChatsResponse:  # noqa: N802
        views = await self._extras.transfer.import_chats(_caller(), request.form_json)
        return pb.ImportChatsResponse(chats=[chat_message(view) for view in views])

    async def ForkChat(self, request: pb.ForkChatRequest, context: Context) -> pb.ForkChatResponse:  # noqa: N802
        message_id = request.message_id if request.HasField("message_id") else None
        return pb.ForkChatResponse(
            chat=chat_message(await self._extras.transfer.fork(_caller(), request.id, message_id))
        )

    async def UpdateChatParams(  # noqa: N802
        self, request: pb.UpdateChatParamsRequest, context: Context
    ) -> pb.UpdateChatParamsResponse:
        params = _object(request.params_json, "params_json")
        merged = await self._extras.events.update_params(_caller(), request.id, params)
        return pb.UpdateChatParamsResponse(params_json=dumps(merged))

    async def ListUserChats(  # noqa: N802
        self, request: pb.ListUserChatsRequest, context: Context
    ) -> pb.ListUserChatsResponse:
        chats = await self._extras.admin.user_chats(
            _caller(),
            request.user_id,
            page=request.page,
            query=request.query,
            order_by=request.order_by,
            direction=request.direction,
        )
        return pb.ListUserChatsResponse(chats=summaries(chats))

    async def StreamAllChats(  # noqa: N802
        self, request: pb.StreamAllChatsRequest, context: Context
    ) -> AsyncIterator[pb.StreamAllChatsResponse]:
        async for view in self._extras.admin.all_chats(_caller()):
            yield pb.StreamAllChatsResponse(chat=chat_message(view))

    async def MarkChatsRead(  # noqa: N802
        self, request: pb.MarkChatsReadRequest, context: Context
    ) -> pb.MarkChatsReadResponse:
        updated, counts = await self._extras.read_state.mark_all_read(_caller())
        return pb.MarkChatsReadResponse(updated_count=updated, folder_unread_counts=counts)

    async def MarkChatUnread(  # noqa: N802
        self, request: pb.MarkChatUnreadRequest, context: Context
    ) -> pb.MarkChatUnreadResponse:
        unread = await self._extras.read_state.mark_unread(_caller(), request.id)
        reply = pb.MarkChatUnreadResponse(
            chat_id=unread.chat_id,
            last_read_at=unread.last_read_at,
            folder_unread_counts=unread.folder_unread_counts,
        )
        if unread.folder_id is not None:
            reply.folder_id = unread.folder_id
        return reply

    async def SendChatMessageEvent(  # noqa: N802
        self, request: pb.SendChatMessageEventRequest, context: Context
    ) -> pb.SendChatMessageEventResponse:
        data = _object(request.data_json, "data_json")
        sent = await self._extras.events.send(
            _caller(), request.chat_id, request.message_id, request.type, data
        )
        return pb.SendChatMessageEventResponse(sent=sent)

    async def GetChatConfig(  # noqa: N802
        self, request: pb.GetChatConfigRequest, context: Context
    ) -> pb.GetChatConfigResponse:
        return pb.GetChatConfigResponse(config_json=dumps(await self._extras.config.get(_caller())))

    async def UpdateChatConfig(  # noqa: N802
        self, request: pb.UpdateChatConfigRequest, context: Context
    ) -> pb.UpdateChatConfigResponse:
        config = await self._extras.config.update(_caller(), request.config_json)
        return pb.UpdateChatConfigResponse(config_json=dumps(config))

    async def GetChatUsageStats(  # noqa: N802
        self, request: pb.GetChatUsageStatsRequest, context: Context
    ) -> pb.GetChatUsageStatsResponse:
        items, total = await self._extras.stats.usage(_caller(), request.page, request.items_per_page)
        return pb.GetChatUsageStatsResponse(items_json=[dumps(item) for item in items], total=total)

    async def ExportChatStats(  # noqa: N802
        self, request: pb.ExportChatStatsRequest, context: Context
    ) -> pb.ExportChatStatsResponse:
        updated_after = request.updated_after or None
        items, total = await self._extras.stats.export(_caller(), updated_after, request.page)
        return pb.ExportChatStatsResponse(items_json=[dumps(item) for item in items], total=total)

    async def ExportOneChatStats(  # noqa: N802
        self, request: pb.ExportOneChatStatsRequest, context: Context
    ) -> pb.ExportOneChatStatsResponse:
        stats = await self._extras.stats.export_one(_caller(), request.chat_id)
        return pb.ExportOneChatStatsResponse(stats_json=dumps(stats))
