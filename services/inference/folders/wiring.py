"""The folders object graph, built in one place: repositories, rules, servicer."""

import asyncpg

from services.common.group_check import GroupDirectory
from services.inference.chats.extras_repository import ChatExtrasRepository
from services.inference.chats.read_state import ChatReadState
from services.inference.folders.repository import FolderRepository
from services.inference.folders.service import FolderService
from services.inference.folders.servicer import FoldersServicer
from services.inference.folders.share_repository import FolderShareRepository
from services.inference.folders.sharing import FolderSharing


def build_folders_servicer(pool: asyncpg.Pool, groups: GroupDirectory | None = None) -> FoldersServicer:
    folders = FolderRepository(pool)
    # Folder unread counts follow the chats' read-state rules.
    read_state = ChatReadState(ChatExtrasRepository(pool))
    sharing = FolderSharing(folders, FolderShareRepository(pool), read_state, groups=groups)
    return FoldersServicer(FolderService(folders), sharing)
