"""What folder sharing needs of storage (``FolderShareRepository`` on PostgreSQL)."""

from collections.abc import Sequence
from typing import Protocol

from services.inference.folders.records import FolderChat, FolderGrant, FolderRow


class FolderShareStore(Protocol):
    async def folder(self, folder_id: str) -> FolderRow | None:
        """A folder, whoever owns it."""
        ...

    async def parents(self, owner_id: str) -> dict[str, str | None]:
        """The owner's folder tree: parent by folder id, oldest folder first."""
        ...

    async def grants(self, folder_ids: Sequence[str]) -> list[FolderGrant]:
        """The grants on these folders, each folder's in the order they were listed."""
        ...

    async def set_grants(self, folder_id: str, grants: Sequence[FolderGrant]) -> None:
        """Replaces the folder's grants."""
        ...

    async def granted_to_user(self, user_id: str, group_ids: Sequence[str] = ()) -> list[FolderGrant]:
        """``user:<user_id>`` and ``group:<one of group_ids>`` grants on other users' folders."""
        ...

    async def shared_by(self, user_id: str) -> list[str]:
        """Ids of the user's folders that carry any grant, oldest first."""
        ...

    async def chats_in(
        self, folder_id: str, order: str, limit: int | None, offset: int
    ) -> tuple[list[FolderChat], int]:
        """Non-archived chats directly in the folder, whoever owns them (``order`` is fixed SQL),
        and how many there are in all."""
        ...

    async def mark_read(self, user_id: str, folder_ids: Sequence[str]) -> int:
        """The user's non-archived chats in these folders read as of their last change; how many."""
        ...
