"""JSON shapes of folders, as Open WebUI returns them, built from FoldersService's messages."""

import orjson

from webui.inference.v1 import folders_pb2


def _json(raw: bytes) -> object:
    return orjson.loads(raw) if raw else None


def folder_json(folder: folders_pb2.Folder) -> dict:
    """FolderModel."""
    return {
        "id": folder.id,
        "parent_id": folder.parent_id if folder.HasField("parent_id") else None,
        "user_id": folder.user_id,
        "name": folder.name,
        "items": _json(folder.items_json),
        "meta": _json(folder.meta_json),
        "data": _json(folder.data_json),
        "is_expanded": folder.is_expanded,
        "created_at": folder.created_at,
        "updated_at": folder.updated_at,
    }


def folder_detail_json(folder: folders_pb2.Folder) -> dict:
    """``GET /{id}``: the folder with its grants. Folder sharing is not built: no grants, and only
    the owner (who may write) reaches it."""
    return {**folder_json(folder), "access_grants": [], "write_access": True}


def folder_list_item_json(folder: folders_pb2.Folder) -> dict:
    """An item of ``GET /``: the sidebar's fields, ``meta`` cut down to the icon."""
    meta = _json(folder.meta_json)
    return {
        "id": folder.id,
        "name": folder.name,
        "meta": {"icon": meta.get("icon")} if isinstance(meta, dict) else None,
        "parent_id": folder.parent_id if folder.HasField("parent_id") else None,
        "is_expanded": folder.is_expanded,
        "unread_count": folder.unread_count,
        "created_at": folder.created_at,
        "updated_at": folder.updated_at,
    }
