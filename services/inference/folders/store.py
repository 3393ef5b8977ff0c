"""What the folder rules need of storage (``FolderRepository`` on PostgreSQL)."""

from collections.abc import Sequence
from typing import Protocol

from services.inference.folders.records import FolderRow


class FolderStore(Protocol):
    async def of_user(self, user_id: str) -> list[FolderRow]: ...

    async def get(self, user_id: str, folder_id: str) -> FolderRow | None: ...

    async def insert(self, row: FolderRow) -> bool: ...

    async def update(self, row: FolderRow) -> bool: ...

    async def delete(self, user_id: str, folder_ids: Sequence[str], delete_contents: bool) -> None: ...
