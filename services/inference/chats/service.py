"""Stored chats: the rules of Open WebUI's ``routers/chats.py`` over a chat store. No I/O of its own."""

import time
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import replace

import orjson

from services.common import errors, messages, permissions
from services.common.forms.chats import ChatForm
from services.common.forms.types import has_nul
from services.common.identity import Identity
from services.inference.chats import access, blob, tree
from services.inference.chats.form_json import parse_form
from services.inference.chats.records import ChatRow, ChatView, StoredChat
from services.inference.chats.store import ChatStore

NEW_CHAT_TITLE = "New Chat"
# Chats ``GET /all`` reads from the store at a time.
STREAM_BATCH = 20
INVALID_TITLE = "[ERROR: Invalid title]"
# A chat changed by another writer between our read and our write is read and changed again.
_WRITE_ATTEMPTS = 5

Change = Callable[[StoredChat], tuple[ChatRow, dict[str, dict]]]


def _dumps_size(value: object) -> int:
    return len(orjson.dumps(value))


def _title(value: object) -> str:
    return value if isinstance(value, str) and value.strip() else NEW_CHAT_TITLE


class ChatService:
    def __init__(
        self,
        store: ChatStore,
        *,
        admin_access: bool,
        max_bytes: int,
        clock: Callable[[], float] = time.time,
        new_id: Callable[[], str] = lambda: str(uuid.uuid4()),
    ) -> None:
        self._store = store
        self._admin_access = admin_access
        self._max_bytes = max_bytes
        self._clock = clock
        self._new_id = new_id

    def _now(self) -> int:
        return int(self._clock())

    # -- reading -------------------------------------------------------------------------------

    def view(self, chat: StoredChat, identity: Identity) -> ChatView:
        """The chat assembled from its rows, the tree repaired, trimmed for a reader who is not the
        owner."""
        repaired, current = tree.repair(chat.messages, chat.row.current_message_id)
        owner = access.is_owner(chat, identity)
        shown_blob, shown = (
            (chat.row.blob, repaired) if owner else access.trim_for_reader(chat.row.blob, repaired, identity)
        )
        row = chat.row if owner else replace(chat.row, variables={})
        return ChatView(row, blob.assemble(shown_blob, shown, current), current, owner)

    async def get(self, identity: Identity, chat_id: str) -> ChatView:
        chat = await self._store.load(chat_id)
        access.require_reader(chat, identity, self._admin_access, messages.NOT_FOUND)
        return self.view(chat, identity)

    async def stream(self, identity: Identity, archived_only: bool) -> AsyncIterator[ChatView]:
        """Every chat of the caller (or the archived ones), newest first, read a batch at a time so
        that no process holds them all."""
        ids = await self._store.chat_ids(identity.user_id, archived_only)
        for start in range(0, len(ids), STREAM_BATCH):
            for chat in await self._store.load_many(ids[start : start + STREAM_BATCH]):
                yield self.view(chat, identity)

    async def in_folder(self, identity: Identity, folder_id: str) -> list[ChatView]:
        """The caller's chats in a folder and its subfolders, newest first."""
        ids = await self._store.folder_chat_ids(identity.user_id, folder_id)
        return [self.view(chat, identity) for chat in await self._store.load_many(ids)]

    # -- writing -------------------------------------------------------------------------------

    def _parse(self, raw: bytes) -> ChatForm:
        if len(raw) > self._max_bytes:
            raise self._too_large()
        return parse_form(raw, ChatForm)

    def _too_large(self) -> errors.PayloadTooLarge:
        return errors.PayloadTooLarge(f"Chat is larger than CHAT_MAX_BYTES ({self._max_bytes} bytes)")

    def _check_size(self, row: ChatRow, chat_messages: dict[str, dict]) -> None:
        size = _dumps_size(row.blob) + sum(_dumps_size(m) for m in chat_messages.values())
        if size > self._max_bytes:
            raise self._too_large()

    async def create(self, identity: Identity, raw_form: bytes) -> ChatView:
        form = self._parse(raw_form)
        access.require_stored_chats(identity)
        await self._require_folder(identity, form.folder_id)
        kept, sent, current = blob.split(form.chat)
        if "messages" in kept:
            kept["messages"] = tree.stamp_list(kept["messages"], identity)
        chat_messages = {key: tree.stamp(m, identity) for key, m in (sent or {}).items()}
        now = self._now()
        row = ChatRow(
            id=self._new_id(),
            user_id=identity.user_id,
            title=_title(form.chat.get("title")),
            blob=kept,
            meta={},
            variables=form.variables or {},
            created_at=now,
            updated_at=now,
            current_message_id=current,
            folder_id=form.folder_id,
        )
        self._check_size(row, chat_messages)
        chat = StoredChat(row, chat_messages, {key: i for i, key in enumerate(chat_messages)})
        await self._store.insert(chat)
        return self.view(chat, identity)

    async def change_chat(
        self, chat_id: str, check: Callable[[StoredChat | None], StoredChat], change: Change
    ) -> StoredChat:
        """Reads the chat, lets ``change`` compute its new row and messages, writes what differs;
        again from the read when another writer got there first."""
        for _ in range(_WRITE_ATTEMPTS):
            stored = check(await self._store.load(chat_id))
            row, new_messages = change(stored)
            positions = dict(stored.positions)
            next_position = max(positions.values(), default=-1) + 1
            upserts = {}
            for key, message in new_messages.items():
                if key not in positions:
                    positions[key] = next_position
                    next_position += 1
                if stored.messages.get(key) != message:
                    upserts[key] = (positions[key], message)
            deletes = [key for key in stored.messages if key not in new_messages]
            if await self._store.save(row, upserts, deletes, self._now()):
                kept_positions = {key: positions[key] for key in new_messages}
                return StoredChat(replace(row, version=row.version + 1), new_messages, kept_positions)
        raise errors.Unavailable("The chat is being changed by another request; try again")

    def _owned(self, identity: Identity, text: str) -> Callable[[StoredChat | None], StoredChat]:
        return lambda chat: access.require_owner(chat, identity, text)

    def _owned_or_admin(self, identity: Identity, text: str) -> Callable[[StoredChat | None], StoredChat]:
        return lambda chat: access.require_reader(chat, identity, self._admin_access, text)

    async def update(self, identity: Identity, chat_id: str, raw_form: bytes) -> ChatView:
        form = self._parse(raw_form)
        sent_blob, sent_messages, sent_current = blob.split(form.chat)
        if "title" in form.chat and not (isinstance(form.chat["title"], str) and form.chat["title"].strip()):
            raise errors.InvalidArgument(INVALID_TITLE)

        def change(stored: StoredChat) -> tuple[ChatRow, dict[str, dict]]:
            merged_blob = {**stored.row.blob, **sent_blob}
            if "history" in sent_blob:
                old = stored.row.blob.get("history")
                merged_blob["history"] = {**(old if isinstance(old, dict) else {}), **sent_blob["history"]}
            if "messages" in sent_blob:
                merged_blob["messages"] = tree.stamp_list(sent_blob["messages"], identity)
            chat_messages = stored.messages
            current = stored.row.current_message_id
            if sent_messages is not None:
                chat_messages = tree.merge(stored.messages, sent_messages, identity)
                if sent_current in chat_messages:
                    current = sent_current
            touched = "history" in form.chat or "messages" in form.chat
            row = replace(
                stored.row,
                title=_title(merged_blob.get("title")),
                blob=merged_blob,
                current_message_id=current,
                variables=form.variables if form.variables is not None else stored.row.variables,
                updated_at=self._now() if touched else stored.row.updated_at,
            )
            self._check_size(row, chat_messages)
            return row, chat_messages

        chat = await self.change_chat(chat_id, self._owned(identity, messages.ACCESS_PROHIBITED), change)
        return self.view(chat, identity)

    async def delete(self, identity: Identity, chat_id: str) -> bool:
        chat = access.require_deleter(await self._store.load(chat_id), identity, self._admin_access)
        deleted = await self._store.delete(chat_id)
        await self._store.drop_unused_tags(chat.row.user_id, tag_ids(chat.row.meta))
        return deleted

    async def delete_all(self, identity: Identity) -> bool:
        access.require_chat_permission(identity, permissions.CHAT_DELETE, 401)
        await self._store.delete_all(identity.user_id)
        await self._store.drop_unused_tags(identity.user_id)
        return True

    async def set_archived_all(self, identity: Identity, archived: bool) -> bool:
        await self._store.set_archived_all(identity.user_id, archived)
        return True

    async def is_pinned(self, identity: Identity, chat_id: str) -> bool:
        chat = access.require_owner(await self._store.load(chat_id), identity, messages.DEFAULT)
        return chat.row.pinned

    async def pin(self, identity: Identity, chat_id: str) -> ChatView:
        def change(stored: StoredChat) -> tuple[ChatRow, dict[str, dict]]:
            now = self._now()
            return replace(
                stored.row, pinned=not stored.row.pinned, updated_at=now, last_read_at=now
            ), stored.messages

        return self.view(
            await self.change_chat(chat_id, self._owned(identity, messages.DEFAULT), change), identity
        )

    async def archive(self, identity: Identity, chat_id: str) -> ChatView:
        def change(stored: StoredChat) -> tuple[ChatRow, dict[str, dict]]:
            row = replace(
                stored.row, archived=not stored.row.archived, folder_id=None, updated_at=self._now()
            )
            return row, stored.messages

        return self.view(
            await self.change_chat(chat_id, self._owned(identity, messages.DEFAULT), change), identity
        )

    async def _require_folder(self, identity: Identity, folder_id: str | None) -> None:
        """A chat may only go into a folder of its caller's (a folder shared with them opens its
        chats to reading, not to moving chats in); any other folder reads as missing."""
        if folder_id is not None and not await self._store.folder_exists(identity.user_id, folder_id):
            raise errors.NotFound(messages.NOT_FOUND)

    async def move_to_folder(self, identity: Identity, chat_id: str, folder_id: str | None) -> ChatView:
        """Open WebUI unpins a chat it moves (the pinned list is a section of its own) and
        unarchives one moved into a folder (an archived chat shows in no folder). The chat is
        checked before the folder, as Open WebUI checks them: a foreign chat is 401 whatever the
        folder."""
        access.require_owner(await self._store.load(chat_id), identity, messages.DEFAULT)
        await self._require_folder(identity, folder_id)

        def change(stored: StoredChat) -> tuple[ChatRow, dict[str, dict]]:
            row = replace(
                stored.row,
                folder_id=folder_id,
                pinned=False,
                archived=stored.row.archived and folder_id is None,
                updated_at=self._now(),
            )
            return row, stored.messages

        return self.view(
            await self.change_chat(chat_id, self._owned(identity, messages.DEFAULT), change), identity
        )

    async def clone(self, identity: Identity, chat_id: str, title: str | None) -> ChatView:
        if title is not None and "\x00" in title:
            raise errors.InvalidArgument(messages.FUNCTION_NOT_STORABLE)
        access.require_chat_permission(identity, permissions.CHAT_IMPORT, 403)
        access.require_stored_chats(identity)
        source = access.require_owner(await self._store.load(chat_id), identity, messages.DEFAULT)
        new_title = title if title is not None else f"Clone of {source.row.title}"
        now = self._now()
        row = replace(
            source.row,
            id=self._new_id(),
            title=_title(new_title),
            blob={
                **source.row.blob,
                "originalChatId": source.row.id,
                "branchPointMessageId": tree.repair(source.messages, source.row.current_message_id)[1],
                "title": new_title,
            },
            share_id=None,
            archived=False,
            last_read_at=None,
            created_at=now,
            updated_at=now,
            version=0,
        )
        chat = StoredChat(row, dict(source.messages), dict(source.positions))
        await self._store.insert(chat)
        return self.view(chat, identity)

    # -- one message ---------------------------------------------------------------------------

    async def upsert_message(
        self, identity: Identity, chat_id: str, message_id: str, content: str | None, voice: dict | None
    ) -> ChatView:
        if content is None and voice is None:
            raise errors.InvalidArgument("No message changes supplied")
        if voice is not None and len(orjson.dumps(voice)) > VOICE_MAX_CHARS:
            raise errors.InvalidArgument("Voice metadata is too large")
        if has_nul([message_id, content, voice]):
            raise errors.InvalidArgument(messages.FUNCTION_NOT_STORABLE)

        def change(stored: StoredChat) -> tuple[ChatRow, dict[str, dict]]:
            now = self._now()
            chat_messages = dict(stored.messages)
            current = stored.row.current_message_id
            existing = chat_messages.get(message_id)
            if existing is None:
                if voice is not None:
                    raise errors.NotFound(messages.NOT_FOUND)
                chat_messages[message_id] = {
                    "id": message_id,
                    "parentId": None,
                    "childrenIds": [],
                    "role": "assistant",
                    "content": content,
                    "timestamp": now,
                }
                current = message_id
            else:
                updated = dict(existing)
                if content is not None:
                    updated["content"] = content
                if voice is not None:
                    meta = updated.get("meta") if isinstance(updated.get("meta"), dict) else {}
                    updated["meta"] = {**meta, "voice": voice}
                chat_messages[message_id] = updated
            row = replace(stored.row, current_message_id=current, updated_at=now)
            self._check_size(row, chat_messages)
            return row, chat_messages

        check = self._owned_or_admin(identity, messages.ACCESS_PROHIBITED)
        return self.view(await self.change_chat(chat_id, check, change), identity)

    async def delete_message(self, identity: Identity, chat_id: str, message_id: str) -> ChatView:
        def change(stored: StoredChat) -> tuple[ChatRow, dict[str, dict]]:
            gone = stored.messages.get(message_id)
            if gone is None:
                return stored.row, stored.messages
            kept = tree.delete(stored.messages, message_id)
            current = tree.after_delete_current(kept, stored.row.current_message_id, gone.get("parentId"))
            return replace(stored.row, current_message_id=current, updated_at=self._now()), kept

        check = self._owned_or_admin(identity, messages.ACCESS_PROHIBITED)
        return self.view(await self.change_chat(chat_id, check, change), identity)


# Open WebUI's bound on a message's voice metadata, in characters of its JSON.
VOICE_MAX_CHARS = 100_000


def tag_ids(meta: dict) -> list[str]:
    tags = meta.get("tags")
    return [t for t in tags if isinstance(t, str)] if isinstance(tags, list) else []
