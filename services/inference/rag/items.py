"""The ``files`` of a chat request, checked and turned into what retrieval searches."""

import json
from dataclasses import dataclass

from services.common.collection_names import file_collection
from services.common.errors import InvalidArgument


@dataclass(frozen=True)
class Item:
    # The request item minus "data" (what the reply's ``source`` shows).
    source: dict
    kind: str
    # The ingest collection searched: ``file-<id>`` or the knowledge id; "" for text items.
    collection: str
    full: bool
    text: str = ""


def _item(raw: dict) -> Item | None:
    kind = raw.get("type") or ("collection" if raw.get("collection_name") else "file")
    source = {k: v for k, v in raw.items() if k != "data"}
    full = raw.get("context") == "full"
    if kind == "text":
        content = raw.get("content")
        if content is None:
            file = raw.get("file")
            data = file.get("data") if isinstance(file, dict) else None
            content = data.get("content") if isinstance(data, dict) else None
        if not isinstance(content, str):
            raise InvalidArgument("A file item of type 'text' needs a 'content' string")
        return Item(source, kind, "", True, content)
    item_id = raw.get("id")
    if kind == "file":
        if not isinstance(item_id, str) or not item_id:
            raise InvalidArgument("A file item needs an 'id'")
        return Item(source, kind, file_collection(item_id), full)
    if kind == "collection":
        name = item_id or raw.get("collection_name")
        if not isinstance(name, str) or not name:
            raise InvalidArgument("A collection item needs an 'id'")
        return Item(source, kind, name, full)
    # Open WebUI's other kinds (notes, chats, folders, URLs, web search) have no store here, and
    # "filesystem" items are ignored by Open WebUI itself.
    return None


def parse_items(files: object) -> list[Item]:
    """The retrievable items of ``files``, duplicates (same JSON) removed; 400 when malformed."""
    if files is None:
        return []
    if not isinstance(files, list):
        raise InvalidArgument("'files' must be a list")
    seen: set[str] = set()
    items = []
    for raw in files:
        if not isinstance(raw, dict):
            raise InvalidArgument("Each item of 'files' must be an object")
        key = json.dumps(raw, sort_keys=True, default=str)
        if key in seen:
            continue
        seen.add(key)
        item = _item(raw)
        if item is not None:
            items.append(item)
    return items


def knowledge_items(knowledge: object) -> list[dict]:
    """A workspace model's ``meta.knowledge`` as request items: collections unless typed as files."""
    if not isinstance(knowledge, list):
        return []
    items = []
    for entry in knowledge:
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
            continue
        kind = entry.get("type") if entry.get("type") in ("file", "collection") else "collection"
        item = {"type": kind, "id": entry["id"]}
        if isinstance(entry.get("name"), str):
            item["name"] = entry["name"]
        items.append(item)
    return items
