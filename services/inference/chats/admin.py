"""Admin views of every user's stored chats: ``GET /list/user/{user_id}`` and ``GET /all/db``."""

from collections.abc import AsyncIterator

from services.common import messages
from services.common.identity import Identity
from services.inference.chats import access, blob, tree
from services.inference.chats.extras_store import ChatExtrasStore
from services.inference.chats.lists import PAGE_SIZE
from services.inference.chats.records import ChatSummary, ChatView, StoredChat
from services.inference.chats.service import STREAM_BATCH
from services.inference.chats.store import ChatStore


def whole_view(chat: StoredChat, identity: Identity) -> ChatView:
    """The chat as its owner sees it (an admin export is not trimmed), the tree repaired."""
    repaired, current = tree.repair(chat.messages, chat.row.current_message_id)
    return ChatView(
        chat.row, blob.assemble(chat.row.blob, repaired, current), current, access.is_owner(chat, identity)
    )


class ChatAdmin:
    def __init__(
        self, store: ChatStore, extras: ChatExtrasStore, *, admin_access: bool, admin_export: bool
    ) -> None:
        self._store = store
        self._extras = extras
        self._admin_access = admin_access
        self._admin_export = admin_export

    async def user_chats(
        self, identity: Identity, user_id: str, *, page: int, query: str, order_by: str, direction: str
    ) -> list[ChatSummary]:
        """A user's chats, archived ones too, 60 a page. A column sorts only with a direction (as in
        Open WebUI); an unknown column or direction is the default, newest first."""
        if not (identity.is_admin and self._admin_access):
            raise access.denied(messages.ACCESS_PROHIBITED)
        direction = direction.lower()
        order = order_by if order_by and direction in ("asc", "desc") else None
        offset = (max(page, 1) - 1) * PAGE_SIZE
        return await self._extras.list_user_chats(
            user_id, query.replace("\x00", ""), order, direction == "asc", PAGE_SIZE, offset
        )

    async def all_chats(self, identity: Identity) -> AsyncIterator[ChatView]:
        """Every user's chats, newest first, read a batch at a time."""
        if not (identity.is_admin and self._admin_export):
            raise access.denied(messages.ACCESS_PROHIBITED)
        ids = await self._extras.all_chat_ids()
        for start in range(0, len(ids), STREAM_BATCH):
            for chat in await self._store.load_many(ids[start : start + STREAM_BATCH]):
                yield whole_view(chat, identity)
