"""The stored-chats object graph, built in one place: repository, rules, servicer."""

import asyncpg

from services.common.group_check import GroupDirectory
from services.inference.chats.admin import ChatAdmin
from services.inference.chats.chat_config import ChatConfigStore
from services.inference.chats.events import ChatEvents
from services.inference.chats.extras import ChatExtras
from services.inference.chats.extras_repository import ChatExtrasRepository
from services.inference.chats.lists import ChatLists
from services.inference.chats.read_state import ChatReadState
from services.inference.chats.repository import ChatRepository
from services.inference.chats.service import ChatService
from services.inference.chats.servicer import ChatsServicer
from services.inference.chats.share_repository import ChatShareRepository
from services.inference.chats.sharing import ChatSharing
from services.inference.chats.sharing_switch import CommunitySharing
from services.inference.chats.stats import ChatStats
from services.inference.chats.tags import ChatTags
from services.inference.chats.transfer import ChatTransfer
from services.inference.config_rows import ConfigRowRepository
from services.inference.settings import InferenceSettings


def build_chats_servicer(
    pool: asyncpg.Pool,
    settings: InferenceSettings,
    groups: GroupDirectory | None = None,
    community_sharing: CommunitySharing | None = None,
) -> ChatsServicer:
    store = ChatRepository(pool)
    chats = ChatService(
        store, admin_access=settings.enable_admin_chat_access, max_bytes=settings.chat_max_bytes
    )
    tags = ChatTags(store, chats, admin_access=settings.enable_admin_chat_access)
    sharing = ChatSharing(
        store, ChatShareRepository(pool), chats, admin_access=settings.enable_admin_chat_access, groups=groups
    )
    return ChatsServicer(
        chats,
        ChatLists(store),
        tags,
        sharing=sharing,
        extras=build_chat_extras(pool, settings, store, chats, community_sharing),
    )


def build_chat_extras(
    pool: asyncpg.Pool,
    settings: InferenceSettings,
    store: ChatRepository,
    chats: ChatService,
    community_sharing: CommunitySharing | None = None,
) -> ChatExtras:
    extras = ChatExtrasRepository(pool)
    admin_access = settings.enable_admin_chat_access
    # The admin config's switch (AuthService); without it wired, the environment's.
    sharing = community_sharing if community_sharing is not None else settings.enable_community_sharing
    return ChatExtras(
        transfer=ChatTransfer(store, chats, max_bytes=settings.chat_max_bytes),
        events=ChatEvents(chats, admin_access=admin_access, max_bytes=settings.chat_max_bytes),
        read_state=ChatReadState(extras),
        admin=ChatAdmin(store, extras, admin_access=admin_access, admin_export=settings.enable_admin_export),
        # Every replica reads the stored chat configuration at most a second old.
        config=ChatConfigStore(
            ConfigRowRepository(pool, "inference_chat_config"), min(settings.catalog_ttl_s, 1.0)
        ),
        stats=ChatStats(store, extras, community_sharing=sharing),
    )
