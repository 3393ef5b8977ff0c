"""Folders as FoldersService's messages."""

from services.common.identity import Identity
from services.inference.folders.records import FolderChat, FolderGrant, FolderRow
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


def grant_message(grant: FolderGrant) -> folders_pb2.FolderAccessGrant:
    return folders_pb2.FolderAccessGrant(
        id=grant.id,
        principal_type=grant.principal_type,
        principal_id=grant.principal_id,
        permission=grant.permission,
        created_at=grant.created_at,
    )


def shared_chat_message(chat: FolderChat, identity: Identity) -> folders_pb2.SharedFolderChat:
    message = folders_pb2.SharedFolderChat(
        id=chat.id,
        user_id=chat.user_id,
        title=chat.title,
        created_at=chat.created_at,
        updated_at=chat.updated_at,
        participant_ids=chat.participant_ids,
        readonly=chat.user_id != identity.user_id,
    )
    if chat.last_read_at is not None:
        message.last_read_at = chat.last_read_at
    return message
