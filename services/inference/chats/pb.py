"""Chats, summaries and tags as ChatsService's messages."""

from services.inference.chats.records import ChatSummary, ChatView, Tag
from services.inference.replies import dumps
from webui.inference.v1 import chats_pb2


def chat_message(view: ChatView) -> chats_pb2.Chat:
    row = view.row
    message = chats_pb2.Chat(
        id=row.id,
        user_id=row.user_id,
        title=row.title,
        chat_json=dumps(view.blob),
        created_at=row.created_at,
        updated_at=row.updated_at,
        archived=row.archived,
        pinned=row.pinned,
        meta_json=dumps(row.meta),
        variables_json=dumps(row.variables),
        tasks_json=dumps(row.tasks) if row.tasks is not None else b"",
        write_access=view.write_access,
    )
    # Unset, not "": the JSON shows null.
    for name, value in (
        ("share_id", row.share_id),
        ("folder_id", row.folder_id),
        ("summary", row.summary),
        ("current_message_id", view.current_message_id),
    ):
        if value is not None:
            setattr(message, name, value)
    return message


def summary_message(chat: ChatSummary) -> chats_pb2.ChatSummary:
    message = chats_pb2.ChatSummary(
        id=chat.id,
        title=chat.title,
        updated_at=chat.updated_at,
        created_at=chat.created_at,
        archived=chat.archived,
    )
    if chat.last_read_at is not None:
        message.last_read_at = chat.last_read_at
    if chat.snippet is not None:
        message.snippet = chat.snippet
    return message


def summaries(chats: list[ChatSummary]) -> list[chats_pb2.ChatSummary]:
    return [summary_message(chat) for chat in chats]


def tag_messages(tags: list[Tag]) -> list[chats_pb2.ChatTag]:
    return [
        chats_pb2.ChatTag(
            id=tag.id,
            name=tag.name,
            user_id=tag.user_id,
            meta_json=dumps(tag.meta) if tag.meta is not None else b"",
        )
        for tag in tags
    ]
