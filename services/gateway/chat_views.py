"""JSON shapes of stored chats, as Open WebUI returns them, built from ChatsService's messages."""

import orjson

from webui.inference.v1 import chats_pb2


def _json(raw: bytes, empty: object) -> object:
    return orjson.loads(raw) if raw else empty


def _optional(message: object, name: str) -> object:
    return getattr(message, name) if message.HasField(name) else None


def chat_json(chat: chats_pb2.Chat, *, share_mode: bool = False) -> dict:
    """ChatResponse. ``share_mode``: ``GET /{id}`` adds ``chat.share_mode``, ``"continue"`` for a
    caller who may write the chat, else null."""
    blob = _json(chat.chat_json, {})
    if share_mode:
        blob = {**blob, "share_mode": "continue" if chat.write_access else None}
    return {
        "id": chat.id,
        "user_id": chat.user_id,
        "title": chat.title,
        "chat": blob,
        "updated_at": chat.updated_at,
        "created_at": chat.created_at,
        "share_id": _optional(chat, "share_id"),
        "archived": chat.archived,
        "pinned": chat.pinned,
        "meta": _json(chat.meta_json, {}),
        "variables": _json(chat.variables_json, {}),
        "folder_id": _optional(chat, "folder_id"),
        "tasks": _json(chat.tasks_json, None),
        "summary": _optional(chat, "summary"),
        "current_message_id": _optional(chat, "current_message_id"),
        # Only context compaction fills it, which this platform does not do yet.
        "context_usage": None,
    }


def summary_json(chat: chats_pb2.ChatSummary) -> dict:
    """ChatTitleIdResponse. ``active`` reads true only while a reply is being generated for the
    chat, which stored chats do not do here yet."""
    return {
        "id": chat.id,
        "title": chat.title,
        "updated_at": chat.updated_at,
        "created_at": chat.created_at,
        "last_read_at": _optional(chat, "last_read_at"),
        "snippet": _optional(chat, "snippet"),
        "active": False,
        "archived": chat.archived,
    }


def summaries_json(chats: list[chats_pb2.ChatSummary]) -> list[dict]:
    return [summary_json(chat) for chat in chats]


def tag_json(tag: chats_pb2.ChatTag) -> dict:
    """TagModel."""
    return {"id": tag.id, "name": tag.name, "user_id": tag.user_id, "meta": _json(tag.meta_json, None)}


def tags_json(tags: list[chats_pb2.ChatTag]) -> list[dict]:
    return [tag_json(tag) for tag in tags]


def shared_chat_json(share: chats_pb2.SharedChat) -> dict:
    """SharedChatResponse: ``id`` is the chat's id, ``share_id`` the token."""
    return {
        "id": share.chat_id,
        "chat_id": share.chat_id,
        "title": share.title,
        "share_id": share.share_id,
        "updated_at": share.updated_at,
        "created_at": share.created_at,
    }


def grant_json(grant: chats_pb2.ChatAccessGrant) -> dict:
    return {
        "id": grant.id,
        "principal_type": grant.principal_type,
        "principal_id": grant.principal_id,
        "permission": grant.permission,
    }
