"""Who may do what with a chat (Open WebUI's ``routers/chats.py`` gates), and the trimmed view a
reader who does not own it gets."""

from services.common import access, messages, permissions
from services.common.errors import NotFound, PermissionDenied
from services.common.identity import Identity
from services.inference.chats.records import StoredChat

# Keys of the blob only the owner sees: the owner's per-chat settings.
_OWNER_ONLY_KEYS = ("params", "tool_servers", "tool_ids", "filter_ids", "variables")


def is_owner(chat: StoredChat | None, identity: Identity) -> bool:
    return chat is not None and chat.row.user_id == identity.user_id


def may_read(chat: StoredChat | None, identity: Identity, admin_access: bool) -> bool:
    """The owner; an admin too while ``ENABLE_ADMIN_CHAT_ACCESS`` is on."""
    return chat is not None and (is_owner(chat, identity) or (admin_access and identity.is_admin))


def denied(text: str) -> PermissionDenied:
    """Open WebUI answers 401 (with varying texts) where a chat is missing or not the caller's; a
    missing and a foreign chat look the same."""
    return PermissionDenied(text, http_status=401)


def require_owner(chat: StoredChat | None, identity: Identity, text: str) -> StoredChat:
    if chat is None or not is_owner(chat, identity):
        raise denied(text)
    return chat


def require_reader(chat: StoredChat | None, identity: Identity, admin_access: bool, text: str) -> StoredChat:
    if chat is None or not may_read(chat, identity, admin_access):
        raise denied(text)
    return chat


def require_deleter(chat: StoredChat | None, identity: Identity, admin_access: bool) -> StoredChat:
    """``DELETE /{id}``: own chats; any chat for an admin with admin chat access; else 404. Role
    ``user`` also needs ``chat.delete`` (401 ACCESS_PROHIBITED, as Open WebUI answers)."""
    if chat is None or not may_read(chat, identity, admin_access):
        raise NotFound(messages.NOT_FOUND)
    require_chat_permission(identity, permissions.CHAT_DELETE, 401)
    return chat


def require_chat_permission(identity: Identity, key: str, status: int) -> None:
    """A ``chat.*`` permission (§1.2; admins bypass): ACCESS_PROHIBITED with Open WebUI's status
    for the route (401 for delete and share, 403 for import, clone and fork)."""
    if not access.has_permission(identity, key):
        raise PermissionDenied(messages.ACCESS_PROHIBITED, http_status=status)


def require_stored_chats(identity: Identity) -> None:
    """Refuses (403) storing a new chat (new, import, clone, fork, a completion that starts a
    chat) for a user whose ``chat.temporary`` and ``chat.temporary_enforced`` are both on: their
    chats must stay temporary. Admins bypass it."""
    held = identity.permissions
    if (
        not identity.is_admin
        and permissions.CHAT_TEMPORARY in held
        and permissions.CHAT_TEMPORARY_ENFORCED in held
    ):
        raise PermissionDenied(messages.ACCESS_PROHIBITED, http_status=403)


def trim_for_reader(blob: dict, chat_messages: dict[str, dict], identity: Identity) -> tuple[dict, dict]:
    """What a reader who does not own the chat sees: no owner settings, no ``meta`` of messages
    that are not theirs."""
    trimmed = {k: v for k, v in blob.items() if k not in _OWNER_ONLY_KEYS}
    shown = {
        key: (
            message
            if message.get("user_id") == identity.user_id
            else {k: v for k, v in message.items() if k != "meta"}
        )
        for key, message in chat_messages.items()
    }
    return trimmed, shown
