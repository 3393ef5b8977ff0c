"""JSON shapes of folders, as Open WebUI returns them, built from FoldersService's messages."""

from collections.abc import Iterable, Mapping

import orjson

from webui.inference.v1 import folders_pb2

# Open WebUI's name for an owner whose account is gone.
UNKNOWN_USER = "Unknown"


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


def grant_json(folder_id: str, grant: folders_pb2.FolderAccessGrant) -> dict:
    """AccessGrantModel of a folder grant."""
    return {
        "id": grant.id,
        "resource_type": "folder",
        "resource_id": folder_id,
        "principal_type": grant.principal_type,
        "principal_id": grant.principal_id,
        "permission": grant.permission,
        "created_at": grant.created_at,
    }


def with_grants_json(folder: folders_pb2.Folder, grants: Iterable[folders_pb2.FolderAccessGrant]) -> dict:
    """The folder and its ``access_grants`` (``POST /{id}/access/update``)."""
    return {**folder_json(folder), "access_grants": [grant_json(folder.id, g) for g in grants]}


def folder_detail_json(detail: folders_pb2.GetFolderResponse) -> dict:
    """``GET /{id}``: the folder, its grants, and whether the caller may change it."""
    return {**with_grants_json(detail.folder, detail.access_grants), "write_access": detail.write_access}


def shared_folder_json(shared: folders_pb2.SharedFolder, names: Mapping[str, str]) -> dict:
    """An item of ``GET /shared``: the folder, its owner's name and the caller's access."""
    return {
        **folder_json(shared.folder),
        "owner_name": names.get(shared.folder.user_id, UNKNOWN_USER),
        "permission": shared.permission,
    }


def shared_chat_json(chat: folders_pb2.SharedFolderChat, names: Mapping[str, str]) -> dict:
    """An item of ``GET /{id}/shared/chats``: the chat list entry, its owner's name and its people.
    ``active`` reads true only while a reply is being generated, which stored chats do not do here."""
    return {
        "id": chat.id,
        "title": chat.title,
        "updated_at": chat.updated_at,
        "created_at": chat.created_at,
        "last_read_at": chat.last_read_at if chat.HasField("last_read_at") else None,
        "user_id": chat.user_id,
        "owner_name": names.get(chat.user_id, UNKNOWN_USER),
        "participants": [{"id": p, "name": names.get(p, UNKNOWN_USER)} for p in chat.participant_ids],
        "active": False,
        "readonly": chat.readonly,
    }


def shared_chats_json(reply: folders_pb2.ListSharedFolderChatsResponse, names: Mapping[str, str]) -> dict:
    """``GET /{id}/shared/chats``; ``total`` and ``has_more`` only for a page."""
    body: dict = {
        "chats": [shared_chat_json(c, names) for c in reply.chats],
        "folder_permission": reply.folder_permission,
    }
    if reply.HasField("total"):
        body["total"] = reply.total
    if reply.HasField("has_more"):
        body["has_more"] = reply.has_more
    return body


def folder_read_json(reply: folders_pb2.MarkFolderReadResponse) -> dict:
    """``POST /{id}/read``."""
    return {
        "folder_id": reply.folder_id,
        "folder_ids": list(reply.folder_ids),
        "updated_count": reply.updated_count,
        "folder_unread_counts": dict(reply.folder_unread_counts),
    }


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
