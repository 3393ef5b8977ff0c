"""``POST /{id}/messages/{message_id}/event`` and ``PATCH /{id}/params``: small changes to a stored
chat that a client (or a tool acting for it) sends outside a full update.

Open WebUI also broadcasts an event to the owner's Socket.IO room; there is no Socket.IO here, so an
event is only stored (for the types Open WebUI stores)."""

import time
from collections.abc import Callable
from dataclasses import replace

from services.common import errors, messages
from services.common.forms.types import has_nul
from services.common.identity import Identity
from services.inference.chats import access
from services.inference.chats.records import ChatRow, StoredChat
from services.inference.chats.service import ChatService
from services.inference.chats.transfer import chat_size, too_large

# Types whose change moves the chat's ``updated_at`` (the others add metadata only).
_TOUCHING = frozenset({"message", "replace"})


def _list(value: object) -> list:
    return list(value) if isinstance(value, list) else []


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _new_message(chat_messages: dict[str, dict], message_id: str, now: int) -> dict:
    """A message an event names before it exists: Open WebUI adds it under the message that lists
    it as a child, else as a root, as an assistant reply."""
    parent = next(
        (key for key, m in chat_messages.items() if message_id in _list(m.get("childrenIds"))), None
    )
    return {"id": message_id, "parentId": parent, "childrenIds": [], "role": "assistant", "timestamp": now}


def apply_event(message: dict | None, kind: str, data: dict) -> dict | None:
    """The message after the event, or None when the event stores nothing (an unknown type, or a
    ``status``/``message`` event for a message that does not exist). ``message`` is None when the
    chat has no such message; the types that upsert start from an empty one."""
    if kind == "status":
        if message is None:
            return None
        history = _list(message.get("statusHistory"))
        status_id = data.get("id")
        same = next(
            (
                i
                for i, item in enumerate(history)
                if status_id and isinstance(item, dict) and item.get("id") == status_id
            ),
            None,
        )
        if same is None:
            history.append(data)
        else:
            history[same] = data
        return {**message, "statusHistory": history}
    if kind == "message":
        if message is None:
            return None
        return {**message, "content": _text(message.get("content")) + _text(data.get("content"))}
    base = message if message is not None else {}
    if kind == "replace":
        return {**base, "content": _text(data.get("content"))}
    if kind == "embeds":
        embeds = _list(data.get("embeds"))
        if not data.get("replace", False):
            embeds += _list(base.get("embeds"))
        return {**base, "embeds": embeds}
    if kind == "files":
        return {**base, "files": _list(data.get("files")) + _list(base.get("files"))}
    if kind in ("source", "citation") and data.get("type") is None:
        return {**base, "sources": [*_list(base.get("sources")), data]}
    return None


class ChatEvents:
    def __init__(
        self,
        chats: ChatService,
        *,
        admin_access: bool,
        max_bytes: int,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._chats = chats
        self._admin_access = admin_access
        self._max_bytes = max_bytes
        self._clock = clock

    async def send(self, identity: Identity, chat_id: str, message_id: str, kind: str, data: dict) -> bool:
        if has_nul([message_id, kind, data]):
            raise errors.InvalidArgument(messages.FUNCTION_NOT_STORABLE)

        def change(stored: StoredChat) -> tuple[ChatRow, dict[str, dict]]:
            now = int(self._clock())
            existing = stored.messages.get(message_id)
            changed = apply_event(existing, kind, data)
            if changed is None or changed == existing:
                return stored.row, stored.messages
            row = stored.row
            if existing is None:
                changed = {**_new_message(stored.messages, message_id, now), **changed}
                row = replace(row, current_message_id=message_id)
            if kind in _TOUCHING:
                row = replace(row, updated_at=now)
            chat_messages = {**stored.messages, message_id: changed}
            if chat_size(row, chat_messages) > self._max_bytes:
                raise too_large(self._max_bytes)
            return row, chat_messages

        check = lambda chat: access.require_reader(  # noqa: E731
            chat, identity, self._admin_access, messages.ACCESS_PROHIBITED
        )
        await self._chats.change_chat(chat_id, check, change)
        return True

    async def update_params(self, identity: Identity, chat_id: str, params: dict) -> dict:
        """``chat.params`` with ``params``' keys merged over it; ``updated_at`` stays."""
        if has_nul(params):
            raise errors.InvalidArgument(messages.FUNCTION_NOT_STORABLE)
        merged: dict = {}

        def change(stored: StoredChat) -> tuple[ChatRow, dict[str, dict]]:
            nonlocal merged
            old = stored.row.blob.get("params")
            merged = {**(old if isinstance(old, dict) else {}), **params}
            row = replace(stored.row, blob={**stored.row.blob, "params": merged})
            if chat_size(row, stored.messages) > self._max_bytes:
                raise too_large(self._max_bytes)
            return row, stored.messages

        check = lambda chat: access.require_owner(chat, identity, messages.ACCESS_PROHIBITED)  # noqa: E731
        await self._chats.change_chat(chat_id, check, change)
        return merged
