"""The folders object graph, built in one place: repository, rules, servicer."""

import asyncpg

from services.inference.folders.repository import FolderRepository
from services.inference.folders.service import FolderService
from services.inference.folders.servicer import FoldersServicer


def build_folders_servicer(pool: asyncpg.Pool) -> FoldersServicer:
    return FoldersServicer(FolderService(FolderRepository(pool)))
