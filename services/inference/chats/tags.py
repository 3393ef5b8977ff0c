"""Chat tags (``/api/v1/chats/{id}/tags``, ``/all/tags``): per-user tag rows, and the ids a chat
carries in ``meta.tags``."""

from dataclasses import replace

from services.common import errors, messages
from services.common.identity import Identity
from services.inference.chats import access
from services.inference.chats.records import ChatRow, StoredChat, Tag
from services.inference.chats.search_query import tag_id
from services.inference.chats.service import ChatService
from services.inference.chats.service import tag_ids as chat_tag_ids
from services.inference.chats.store import ChatStore

RESERVED_TAG = "none"


class ChatTags:
    def __init__(self, store: ChatStore, chats: ChatService, *, admin_access: bool) -> None:
        self._store = store
        self._chats = chats
        self._admin_access = admin_access

    async def of_chat(self, identity: Identity, chat_id: str) -> list[Tag]:
        chat = access.require_reader(
            await self._store.load(chat_id), identity, self._admin_access, messages.NOT_FOUND
        )
        return await self._store.tags(chat.row.user_id, chat_tag_ids(chat.row.meta))

    async def all(self, identity: Identity) -> list[Tag]:
        return await self._store.all_tags(identity.user_id)

    async def add(self, identity: Identity, chat_id: str, name: str) -> list[Tag]:
        _check_name(name)
        new = tag_id(name)
        if new == RESERVED_TAG:
            raise errors.InvalidArgument("[ERROR: Tag name cannot be 'None']")
        access.require_owner(await self._store.load(chat_id), identity, messages.DEFAULT)
        await self._store.ensure_tag(Tag(id=new, name=name, user_id=identity.user_id))

        def change(stored: StoredChat) -> tuple[ChatRow, dict[str, dict]]:
            ids = chat_tag_ids(stored.row.meta)
            meta = stored.row.meta if new in ids else {**stored.row.meta, "tags": [*ids, new]}
            return replace(stored.row, meta=meta), stored.messages

        check = lambda chat: access.require_owner(chat, identity, messages.DEFAULT)  # noqa: E731
        chat = await self._chats.change_chat(chat_id, check, change)
        return await self._store.tags(identity.user_id, chat_tag_ids(chat.row.meta))

    async def remove(self, identity: Identity, chat_id: str, name: str) -> list[Tag]:
        _check_name(name)
        gone = tag_id(name)

        def change(stored: StoredChat) -> tuple[ChatRow, dict[str, dict]]:
            ids = [t for t in chat_tag_ids(stored.row.meta) if t != gone]
            return replace(stored.row, meta={**stored.row.meta, "tags": ids}), stored.messages

        check = lambda chat: access.require_owner(chat, identity, messages.NOT_FOUND)  # noqa: E731
        chat = await self._chats.change_chat(chat_id, check, change)
        await self._store.drop_unused_tags(identity.user_id, [gone])
        return await self._store.tags(identity.user_id, chat_tag_ids(chat.row.meta))


def _check_name(name: str) -> None:
    # PostgreSQL text cannot hold NUL: refused here, not failed on in the database.
    if "\x00" in name:
        raise errors.InvalidArgument(messages.FUNCTION_NOT_STORABLE)
