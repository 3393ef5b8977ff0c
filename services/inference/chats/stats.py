"""Statistics of stored chats (``GET /stats/usage``, ``GET /stats/export[/{chat_id}]``): counts,
models and lengths over each chat's messages, computed as Open WebUI computes them."""

from services.common import errors, messages
from services.common.identity import Identity
from services.inference.chats import access, tree
from services.inference.chats.extras_store import ChatExtrasStore
from services.inference.chats.records import StoredChat
from services.inference.chats.service import tag_ids
from services.inference.chats.sharing_switch import CommunitySharing
from services.inference.chats.store import ChatStore

EXPORT_PAGE_SIZE = 10


def _number(value: object) -> float | int:
    return value if isinstance(value, int | float) and not isinstance(value, bool) else 0


def branch(chat_messages: dict[str, dict], current_id: str | None) -> list[dict]:
    """The messages from the root down to ``current_id`` (Open WebUI's ``get_message_list``)."""
    found, seen, node = [], set(), current_id
    while isinstance(node, str) and node in chat_messages and node not in seen:
        seen.add(node)
        found.append(chat_messages[node])
        node = chat_messages[node].get("parentId")
    return found[::-1]


def _plain_length(message: dict) -> int:
    """``/stats/usage`` measures ``len(content)`` whatever the content is."""
    content = message.get("content", "")
    return len(content) if isinstance(content, str | list | dict) else 0


def _text_length(message: dict) -> int:
    """``/stats/export`` measures text: a string, or the ``text`` parts of a list."""
    content = message.get("content", "")
    if isinstance(content, str):
        return len(content)
    if isinstance(content, list):
        return sum(
            len(part.get("text", "")) if isinstance(part.get("text", ""), str) else 0
            for part in content
            if isinstance(part, dict) and part.get("type") == "text"
        )
    return 0


def _average(values: list[float | int]) -> float:
    return float(sum(values) / len(values)) if values else 0.0


def _model_counts(found: list[dict]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for message in found:
        model = message.get("model")
        if message.get("role") == "assistant" and isinstance(model, str) and model:
            counts[model] = counts.get(model, 0) + 1
    return counts


def aggregates(chat_messages: dict[str, dict], current_id: str | None, length: object) -> dict:
    users = [m for m in chat_messages.values() if m.get("role") == "user"]
    assistants = [m for m in chat_messages.values() if m.get("role") == "assistant"]
    response_times = []
    for message in assistants:
        parent = (
            chat_messages.get(message.get("parentId")) if isinstance(message.get("parentId"), str) else None
        )
        if parent is not None:
            response_times.append(_number(message.get("timestamp")) - _number(parent.get("timestamp")))
    found = branch(chat_messages, current_id)
    return {
        "average_response_time": _average(response_times),
        "average_user_message_content_length": _average([length(m) for m in users]),
        "average_assistant_message_content_length": _average([length(m) for m in assistants]),
        "models": _model_counts(list(reversed(found))),
        "message_count": len(found),
        "history_models": _model_counts(list(chat_messages.values())),
        "history_message_count": len(chat_messages),
        "history_user_message_count": len(users),
        "history_assistant_message_count": len(assistants),
    }


def usage_item(chat: StoredChat) -> dict | None:
    """One chat of ``/stats/usage``; None for a chat without messages or current message (Open
    WebUI skips those, and any chat whose current branch is empty)."""
    chat_messages, current = tree.repair(chat.messages, chat.row.current_message_id)
    found = branch(chat_messages, current)
    if not chat_messages or not current or not found:
        return None
    stats = aggregates(chat_messages, current, _plain_length)
    return {
        "id": chat.row.id,
        "models": stats["models"],
        "message_count": stats["message_count"],
        "history_models": stats["history_models"],
        "history_message_count": stats["history_message_count"],
        "history_user_message_count": stats["history_user_message_count"],
        "history_assistant_message_count": stats["history_assistant_message_count"],
        "average_response_time": stats["average_response_time"],
        "average_user_message_content_length": stats["average_user_message_content_length"],
        "average_assistant_message_content_length": stats["average_assistant_message_content_length"],
        "tags": tag_ids(chat.row.meta),
        "last_message_at": found[-1].get("timestamp"),
        "updated_at": chat.row.updated_at,
        "created_at": chat.row.created_at,
    }


def _optional_int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _message_stats(message: dict) -> dict | None:
    """A message of the export (Open WebUI's MessageStats); one without a string id and role is
    left out, as Open WebUI's validation drops it."""
    if not isinstance(message.get("id"), str) or not isinstance(message.get("role"), str):
        return None
    annotation = message.get("annotation") if isinstance(message.get("annotation"), dict) else {}
    tags = annotation.get("tags")
    return {
        "id": message["id"],
        "role": message["role"],
        "model": message.get("model") if isinstance(message.get("model"), str) else None,
        "content_length": _text_length(message),
        "token_count": None,
        "timestamp": _optional_int(message.get("timestamp")),
        "rating": _optional_int(annotation.get("rating")),
        "tags": [t for t in tags if isinstance(t, str)] if isinstance(tags, list) else None,
    }


def export_item(chat: StoredChat) -> dict:
    """One chat of ``/stats/export`` (Open WebUI's ChatStatsExport)."""
    chat_messages, current = tree.repair(chat.messages, chat.row.current_message_id)
    shown = {}
    for key, message in chat_messages.items():
        stats = _message_stats(message)
        if stats is not None:
            shown[key] = stats
    return {
        "id": chat.row.id,
        "user_id": chat.row.user_id,
        "created_at": chat.row.created_at,
        "updated_at": chat.row.updated_at,
        "tags": tag_ids(chat.row.meta),
        "stats": aggregates(chat_messages, current, _text_length),
        "chat": {"history": {"messages": shown, "currentId": current}},
    }


class ChatStats:
    def __init__(
        self, store: ChatStore, extras: ChatExtrasStore, *, community_sharing: bool | CommunitySharing
    ) -> None:
        self._store = store
        self._extras = extras
        # Users other than admins export only while the admin config's switch is on.
        if isinstance(community_sharing, bool):
            community_sharing = CommunitySharing(None, community_sharing)
        self._community_sharing = community_sharing

    async def usage(self, identity: Identity, page: int, items_per_page: int) -> tuple[list[dict], int]:
        """A page of the caller's chats, newest change first; ``total`` counts every chat."""
        limit = max(items_per_page, 1)
        ids, total = await self._extras.chat_id_page(
            identity.user_id,
            updated_after=None,
            ascending=False,
            limit=limit,
            offset=(max(page, 1) - 1) * limit,
        )
        items = [usage_item(chat) for chat in await self._store.load_many(ids)]
        return [item for item in items if item is not None], total

    async def _require_export(self, identity: Identity) -> None:
        if not identity.is_admin and not await self._community_sharing.enabled():
            raise access.denied(messages.ACCESS_PROHIBITED)

    async def export(
        self, identity: Identity, updated_after: int | None, page: int
    ) -> tuple[list[dict], int]:
        """A page of 10 of the caller's chats changed after ``updated_after``, oldest change first."""
        await self._require_export(identity)
        ids, total = await self._extras.chat_id_page(
            identity.user_id,
            updated_after=updated_after,
            ascending=True,
            limit=EXPORT_PAGE_SIZE,
            offset=(max(page, 1) - 1) * EXPORT_PAGE_SIZE,
        )
        return [export_item(chat) for chat in await self._store.load_many(ids)], total

    async def export_one(self, identity: Identity, chat_id: str) -> dict:
        await self._require_export(identity)
        chat = await self._store.load(chat_id)
        if chat is None:
            raise errors.NotFound(messages.NOT_FOUND)
        if not (access.is_owner(chat, identity) or identity.is_admin):
            raise access.denied(messages.ACCESS_PROHIBITED)
        return export_item(chat)
