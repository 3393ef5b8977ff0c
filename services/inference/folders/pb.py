"""Folders as FoldersService's messages."""

from services.inference.folders.records import FolderRow
from services.inference.replies import dumps
from webui.inference.v1 import folders_pb2


def folder_message(row: FolderRow) -> folders_pb2.Folder:
    message = folders_pb2.Folder(
        id=row.id,
        user_id=row.user_id,
        name=row.name,
        # Empty, not "null": the gateway shows empty as null.
        items_json=dumps(row.items) if row.items is not None else b"",
        meta_json=dumps(row.meta) if row.meta is not None else b"",
        data_json=dumps(row.data) if row.data is not None else b"",
        is_expanded=row.is_expanded,
        created_at=row.created_at,
        updated_at=row.updated_at,
        unread_count=row.unread_count,
    )
    if row.parent_id is not None:
        message.parent_id = row.parent_id
    return message
