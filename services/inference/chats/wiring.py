"""The stored-chats object graph, built in one place: repository, rules, servicer."""

import asyncpg

from services.inference.chats.lists import ChatLists
from services.inference.chats.repository import ChatRepository
from services.inference.chats.service import ChatService
from services.inference.chats.servicer import ChatsServicer
from services.inference.chats.tags import ChatTags
from services.inference.settings import InferenceSettings


def build_chats_servicer(pool: asyncpg.Pool, settings: InferenceSettings) -> ChatsServicer:
    store = ChatRepository(pool)
    chats = ChatService(
        store, admin_access=settings.enable_admin_chat_access, max_bytes=settings.chat_max_bytes
    )
    tags = ChatTags(store, chats, admin_access=settings.enable_admin_chat_access)
    return ChatsServicer(chats, ChatLists(store), tags)
