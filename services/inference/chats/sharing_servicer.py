"""ChatsService's sharing RPCs over gRPC: protobuf in, the sharing rules' plain objects, protobuf
out. Mixed into ChatsServicer, which sets ``_sharing``."""

import grpc

from services.common.grpc_identity import current_identity, require_verified
from services.common.identity import Identity
from services.inference.chats.pb import chat_message
from services.inference.chats.share_store import AccessGrant, SharedChat
from services.inference.chats.sharing import ChatSharing, ShareMode
from webui.inference.v1 import chats_pb2 as pb

Context = grpc.aio.ServicerContext
_MODES = {
    pb.CHAT_SHARE_MODE_UNSPECIFIED: ShareMode.KEEP,
    pb.CHAT_SHARE_MODE_NONE: ShareMode.NONE,
    pb.CHAT_SHARE_MODE_CONTINUE: ShareMode.CONTINUE,
}


def _caller() -> Identity:
    return require_verified(current_identity())


def _mode(value: int) -> ShareMode:
    return _MODES.get(value, ShareMode.KEEP)


def shared_chat_message(share: SharedChat) -> pb.SharedChat:
    return pb.SharedChat(
        share_id=share.id,
        chat_id=share.chat_id,
        title=share.title,
        created_at=share.created_at,
        updated_at=share.updated_at,
    )


def grant_message(grant: AccessGrant) -> pb.ChatAccessGrant:
    return pb.ChatAccessGrant(
        id=grant.id,
        principal_type=grant.principal_type,
        principal_id=grant.principal_id,
        permission=grant.permission,
    )


class ChatSharingRpcs:
    _sharing: ChatSharing

    async def ShareChat(self, request: pb.ShareChatRequest, context: Context) -> pb.ShareChatResponse:  # noqa: N802
        view = await self._sharing.share(_caller(), request.id, _mode(request.share_mode))
        return pb.ShareChatResponse(chat=chat_message(view))

    async def UnshareChat(self, request: pb.UnshareChatRequest, context: Context) -> pb.UnshareChatResponse:  # noqa: N802
        return pb.UnshareChatResponse(done=await self._sharing.unshare(_caller(), request.id))

    async def UnshareAllChats(  # noqa: N802
        self, request: pb.UnshareAllChatsRequest, context: Context
    ) -> pb.UnshareAllChatsResponse:
        return pb.UnshareAllChatsResponse(done=await self._sharing.unshare_all(_caller()))

    async def ListSharedChats(  # noqa: N802
        self, request: pb.ListSharedChatsRequest, context: Context
    ) -> pb.ListSharedChatsResponse:
        shares = await self._sharing.list_shares(
            _caller(),
            page=request.page,
            query=request.query,
            order_by=request.order_by,
            ascending=request.ascending,
        )
        return pb.ListSharedChatsResponse(shares=[shared_chat_message(share) for share in shares])

    async def GetSharedChat(  # noqa: N802
        self, request: pb.GetSharedChatRequest, context: Context
    ) -> pb.GetSharedChatResponse:
        return pb.GetSharedChatResponse(
            chat=chat_message(await self._sharing.get(_caller(), request.share_id))
        )

    async def CloneSharedChat(  # noqa: N802
        self, request: pb.CloneSharedChatRequest, context: Context
    ) -> pb.CloneSharedChatResponse:
        return pb.CloneSharedChatResponse(chat=chat_message(await self._sharing.clone(_caller(), request.id)))

    async def ListChatAccessGrants(  # noqa: N802
        self, request: pb.ListChatAccessGrantsRequest, context: Context
    ) -> pb.ListChatAccessGrantsResponse:
        grants = await self._sharing.grants(_caller(), request.chat_id)
        return pb.ListChatAccessGrantsResponse(grants=[grant_message(grant) for grant in grants])

    async def UpdateChatAccessGrants(  # noqa: N802
        self, request: pb.UpdateChatAccessGrantsRequest, context: Context
    ) -> pb.UpdateChatAccessGrantsResponse:
        view = await self._sharing.update_grants(
            _caller(), request.chat_id, request.access_grants_json, _mode(request.share_mode)
        )
        return pb.UpdateChatAccessGrantsResponse(chat=chat_message(view))
