"""The chat blob split into what the chat row keeps and the message rows, checked on the way in
(a malformed history is a 400 naming the field), and put back together on the way out."""

from services.common.errors import InvalidArgument

# Stands where ``history.messages`` was, so the client's key order comes back as it was sent.
_PLACEHOLDER = None


def _field(path: str, must: str) -> InvalidArgument:
    return InvalidArgument(f"{path} must be {must}")


def check_message(path: str, message: object) -> dict:
    if not isinstance(message, dict):
        raise _field(path, "an object")
    parent = message.get("parentId")
    if parent is not None and not isinstance(parent, str):
        raise _field(f"{path}.parentId", "a string or null")
    children = message.get("childrenIds")
    if children is not None and not (
        isinstance(children, list) and all(isinstance(c, str) for c in children)
    ):
        raise _field(f"{path}.childrenIds", "a list of strings")
    role = message.get("role")
    if role is not None and not isinstance(role, str):
        raise _field(f"{path}.role", "a string")
    return message


def split(chat: dict) -> tuple[dict, dict[str, dict] | None, str | None]:
    """(the blob without ``history.messages``, the messages or None when not sent, ``currentId``)."""
    if "history" not in chat:
        return dict(chat), None, None
    history = chat["history"]
    if not isinstance(history, dict):
        raise _field("chat.history", "an object")
    current = history.get("currentId")
    if current is not None and not isinstance(current, str):
        raise _field("chat.history.currentId", "a string or null")
    raw = history.get("messages", {})
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise _field("chat.history.messages", "an object")
    messages = {}
    for key, message in raw.items():
        if not key:
            raise _field("chat.history.messages", "keyed by non-empty ids")
        messages[key] = check_message(f"chat.history.messages.{key}", message)
    kept_history = {k: (_PLACEHOLDER if k == "messages" else v) for k, v in history.items()}
    kept_history.setdefault("messages", _PLACEHOLDER)
    return {**chat, "history": kept_history}, messages, current


def assemble(blob: dict, messages: dict[str, dict], current_id: str | None) -> dict:
    """The blob with ``history.messages`` and ``history.currentId`` filled in."""
    if "history" not in blob and not messages:
        return dict(blob)
    history = blob.get("history") if isinstance(blob.get("history"), dict) else {}
    filled = {k: v for k, v in history.items()}
    filled["messages"] = messages
    filled["currentId"] = current_id
    if "history" in blob:
        return {k: (filled if k == "history" else v) for k, v in blob.items()}
    return {**blob, "history": filled}
