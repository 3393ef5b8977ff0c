"""Chats that come from elsewhere: ``POST /import`` (an export of Open WebUI's) and
``POST /{id}/fork`` (the branch of a chat that ends at one message, as a chat of its own)."""

import copy
import time
import uuid
from collections.abc import Callable

import orjson

from services.common import errors, messages, permissions
from services.common.forms.chats import ChatImportForm, ChatsImportForm
from services.common.identity import Identity
from services.inference.chats import access, blob, tree
from services.inference.chats.form_json import parse_form
from services.inference.chats.records import ChatRow, ChatView, StoredChat, Tag
from services.inference.chats.search_query import tag_id
from services.inference.chats.service import NEW_CHAT_TITLE, ChatService, tag_ids
from services.inference.chats.store import ChatStore

FORK_BUSY = "Wait for the current response to finish before forking."
NOTHING_TO_FORK = "chat has no messages to fork"
MESSAGE_NOT_FOUND = "message not found"
BRANCH_CYCLE = "message branch contains a cycle"
# Tag ``none`` means "untagged" in search: no tag row is made for it.
_RESERVED_TAG = "none"


def _title(value: object) -> str:
    return value if isinstance(value, str) and value.strip() else NEW_CHAT_TITLE


def chat_size(row: ChatRow, chat_messages: dict[str, dict]) -> int:
    return len(orjson.dumps(row.blob)) + sum(len(orjson.dumps(m)) for m in chat_messages.values())


def too_large(max_bytes: int) -> errors.PayloadTooLarge:
    return errors.PayloadTooLarge(f"Chat is larger than CHAT_MAX_BYTES ({max_bytes} bytes)")


def fork_branch(chat_messages: dict[str, dict], source_id: str) -> tuple[dict[str, dict], list[dict]]:
    """The messages from the root down to ``source_id`` as a linear history (each message's one
    child is the next), and the same messages as a list."""
    if not chat_messages:
        raise errors.InvalidArgument(NOTHING_TO_FORK)
    branch, seen, node = [], set(), source_id
    while node:
        if node in seen:
            raise errors.InvalidArgument(BRANCH_CYCLE)
        seen.add(node)
        message = chat_messages.get(node)
        if not isinstance(message, dict):
            raise errors.NotFound(MESSAGE_NOT_FOUND)
        branch.append((node, message))
        parent = message.get("parentId")
        node = parent if isinstance(parent, str) else None
    forked: dict[str, dict] = {}
    parent_id = None
    for key, message in reversed(branch):
        copied = {**copy.deepcopy(message), "id": key, "parentId": parent_id, "childrenIds": []}
        if parent_id is not None:
            forked[parent_id]["childrenIds"] = [key]
        forked[key] = copied
        parent_id = key
    return forked, list(forked.values())


def _generating(chat_messages: dict[str, dict]) -> bool:
    """Whether an assistant reply of the chat is still being written (Open WebUI checks the whole
    chat, not only the branch forked)."""
    return any(m.get("role") == "assistant" and m.get("done") is False for m in chat_messages.values())


class ChatTransfer:
    def __init__(
        self,
        store: ChatStore,
        chats: ChatService,
        *,
        max_bytes: int,
        clock: Callable[[], float] = time.time,
        new_id: Callable[[], str] = lambda: str(uuid.uuid4()),
    ) -> None:
        self._store = store
        self._chats = chats
        self._max_bytes = max_bytes
        self._clock = clock
        self._new_id = new_id

    # -- import --------------------------------------------------------------------------------

    def _parse(self, raw: bytes) -> ChatsImportForm:
        return parse_form(raw, ChatsImportForm)

    async def _imported(self, identity: Identity, form: ChatImportForm, now: int) -> StoredChat:
        kept, sent, current = blob.split(form.chat)
        if "messages" in kept:
            kept["messages"] = tree.stamp_list(kept["messages"], identity)
        chat_messages = {key: tree.stamp(m, identity) for key, m in (sent or {}).items()}
        folder_id = form.folder_id
        if folder_id is not None and not await self._store.folder_exists(identity.user_id, folder_id):
            # Open WebUI clears a folder the importer does not have rather than refusing the chat.
            folder_id = None
        row = ChatRow(
            id=self._new_id(),
            user_id=identity.user_id,
            title=_title(form.chat.get("title")),
            blob=kept,
            meta=form.meta or {},
            variables=form.variables or {},
            created_at=form.created_at or now,
            updated_at=form.updated_at or now,
            folder_id=folder_id,
            archived=bool(form.archived),
            pinned=bool(form.pinned),
            current_message_id=form.current_message_id or current,
        )
        if chat_size(row, chat_messages) > self._max_bytes:
            raise too_large(self._max_bytes)
        return StoredChat(row, chat_messages, {key: i for i, key in enumerate(chat_messages)})

    async def import_chats(self, identity: Identity, raw_form: bytes) -> list[ChatView]:
        """Every chat is checked before any is stored: a bad one fails the whole import."""
        access.require_chat_permission(identity, permissions.CHAT_IMPORT, 403)
        access.require_stored_chats(identity)
        form = self._parse(raw_form)
        now = int(self._clock())
        imported = [await self._imported(identity, chat, now) for chat in form.chats]
        for chat in imported:
            await self._store.insert(chat)
        names = {tag: None for chat in imported for tag in tag_ids(chat.row.meta)}
        for name in names:
            if tag_id(name) != _RESERVED_TAG:
                await self._store.ensure_tag(Tag(id=tag_id(name), name=name, user_id=identity.user_id))
        return [self._chats.view(chat, identity) for chat in imported]

    # -- fork ----------------------------------------------------------------------------------

    async def fork(self, identity: Identity, chat_id: str, message_id: str | None) -> ChatView:
        access.require_chat_permission(identity, permissions.CHAT_IMPORT, 403)
        access.require_stored_chats(identity)
        source = access.require_owner(await self._store.load(chat_id), identity, messages.DEFAULT)
        if _generating(source.messages):
            raise errors.InvalidArgument(FORK_BUSY, http_status=409)
        history = source.row.blob.get("history")
        stored_current = history.get("currentId") if isinstance(history, dict) else None
        source_id = message_id or source.row.current_message_id or stored_current
        if not isinstance(source_id, str) or not source_id:
            raise errors.InvalidArgument(NOTHING_TO_FORK)
        forked, ordered = fork_branch(source.messages, source_id)
        now = int(self._clock())
        title = f"{source.row.title} (fork)"
        kept = {k: v for k, v in source.row.blob.items() if k != "currentId"}
        kept.update(
            {
                "originalChatId": source.row.id,
                "branchPointMessageId": source_id,
                "title": title,
                "history": {"messages": None, "currentId": source_id},
                "messages": tree.stamp_list(ordered, identity),
            }
        )
        chat_messages = {key: tree.stamp(m, identity) for key, m in forked.items()}
        row = ChatRow(
            id=self._new_id(),
            user_id=identity.user_id,
            title=title,
            blob=kept,
            meta={**source.row.meta, "forked_from": source.row.id, "forked_from_message_id": source_id},
            variables=dict(source.row.variables),
            created_at=now,
            updated_at=now,
            folder_id=source.row.folder_id,
            pinned=source.row.pinned,
            current_message_id=source_id,
            last_read_at=now,
        )
        chat = StoredChat(row, chat_messages, {key: i for i, key in enumerate(chat_messages)})
        await self._store.insert(chat)
        return self._chats.view(chat, identity)
