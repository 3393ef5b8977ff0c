"""The message tree of a chat (``history.messages``): authorship stamps on write, repair on read,
the union an update makes, and deleting a message. Pure functions over plain dicts."""

from collections.abc import Iterable

from services.common.identity import Identity


def stamp(message: dict, identity: Identity) -> dict:
    """Open WebUI's authorship stamps: every message written by a caller is theirs (``user_id``);
    a user message also names them (``user``)."""
    stamped = {**message, "user_id": identity.user_id}
    if message.get("role") == "user":
        stamped["user"] = {"id": identity.user_id, "name": identity.name}
    return stamped


def stamp_list(messages: object, identity: Identity) -> object:
    """The legacy flat ``messages`` list, stamped; anything else is kept as sent."""
    if not isinstance(messages, list):
        return messages
    return [stamp(m, identity) if isinstance(m, dict) else m for m in messages]


def _children(messages: dict[str, dict], message_id: str) -> list[str]:
    children = messages[message_id].get("childrenIds")
    return [c for c in children if isinstance(c, str) and c in messages] if isinstance(children, list) else []


def _timestamp(message: dict) -> float:
    value = message.get("timestamp")
    return value if isinstance(value, int | float) and not isinstance(value, bool) else 0


def repair(messages: dict[str, dict], current_id: object) -> tuple[dict[str, dict], str | None]:
    """The tree as Open WebUI repairs it on every read: a message missing from its parent's
    ``childrenIds`` is appended there, and ``currentId`` moves down to the last descendant of a
    valid message (following the last child), else to the newest leaf by ``timestamp``."""
    repaired = {key: dict(message) for key, message in messages.items()}
    for key, message in repaired.items():
        parent = message.get("parentId")
        if isinstance(parent, str) and parent in repaired and parent != key:
            siblings = repaired[parent].get("childrenIds")
            siblings = list(siblings) if isinstance(siblings, list) else []
            if key not in siblings:
                repaired[parent]["childrenIds"] = [*siblings, key]
    if not repaired:
        return repaired, current_id if isinstance(current_id, str) else None
    if isinstance(current_id, str) and current_id in repaired:
        node, seen = current_id, {current_id}
        while children := [c for c in _children(repaired, node) if c not in seen]:
            node = children[-1]
            seen.add(node)
        return repaired, node
    leaves = [key for key in repaired if not _children(repaired, key)] or list(repaired)
    # max() keeps the first of equals: reversed, so that the last of equal timestamps wins.
    newest = max(reversed(leaves), key=lambda key: _timestamp(repaired[key]))
    return repaired, newest


def recompute_children(messages: dict[str, dict]) -> dict[str, dict]:
    """``childrenIds`` of every message rebuilt from the ``parentId``s, in map order."""
    children: dict[str, list[str]] = {key: [] for key in messages}
    for key, message in messages.items():
        parent = message.get("parentId")
        if isinstance(parent, str) and parent in children and parent != key:
            children[parent].append(key)
    return {key: {**message, "childrenIds": children[key]} for key, message in messages.items()}


def _protected(stored: dict, identity: Identity) -> bool:
    """A stored message an update may not overwrite: a reply still being generated, or a message
    another user wrote."""
    if stored.get("role") == "assistant" and stored.get("done") is False:
        return True
    author = stored.get("user_id")
    return isinstance(author, str) and author != identity.user_id


def merge(stored: dict[str, dict], sent: dict[str, dict], identity: Identity) -> dict[str, dict]:
    """The union ``POST /{id}`` makes: sent messages (stamped) replace stored ones of the same id,
    except protected ones; stored ones not sent survive; ``childrenIds`` rebuilt."""
    merged = dict(stored)
    for key, message in sent.items():
        if key in stored and _protected(stored[key], identity):
            continue
        merged[key] = stamp(message, identity)
    return recompute_children(merged)


def delete(messages: dict[str, dict], message_id: str) -> dict[str, dict]:
    """Drops a message and its direct children; its grandchildren move up to its parent."""
    if message_id not in messages:
        return dict(messages)
    parent = messages[message_id].get("parentId")
    parent = parent if isinstance(parent, str) and parent in messages else None
    doomed = {message_id} | {
        key for key, message in messages.items() if message.get("parentId") == message_id
    }
    kept = {}
    for key, message in messages.items():
        if key in doomed:
            continue
        if message.get("parentId") in doomed:
            message = {**message, "parentId": parent}
        kept[key] = message
    return recompute_children(kept)


def after_delete_current(messages: dict[str, dict], current_id: object, deleted_parent: object) -> str | None:
    """``currentId`` once a message is gone: kept if it survived, else the deleted message's parent
    (repair then follows its last branch down), else the newest leaf."""
    if isinstance(current_id, str) and current_id in messages:
        return current_id
    if isinstance(deleted_parent, str) and deleted_parent in messages:
        return deleted_parent
    return repair(messages, None)[1]


def content_text(content: object) -> str:
    """The searchable text of a message's ``content``: a string, or the text of its parts."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(_part_texts(content))
    return ""


def _part_texts(parts: Iterable[object]) -> Iterable[str]:
    for part in parts:
        if isinstance(part, str):
            yield part
        elif isinstance(part, dict) and isinstance(part.get("text"), str):
            yield part["text"]
