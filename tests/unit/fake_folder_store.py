"""An in-memory FolderStore for unit tests of the folder rules."""

from collections.abc import Sequence

from services.inference.folders import tree
from services.inference.folders.records import FolderRow


class FakeFolderStore:
    """Folders in a dict; the name rule is checked as the unique index checks it."""

    def __init__(self) -> None:
        self.rows: dict[str, FolderRow] = {}
        self.deleted: list[tuple[list[str], bool]] = []

    def _clash(self, row: FolderRow) -> bool:
        return any(
            other.id != row.id
            and other.user_id == row.user_id
            and other.parent_id == row.parent_id
            and tree.name_key(other.name) == tree.name_key(row.name)
            for other in self.rows.values()
        )

    async def of_user(self, user_id: str) -> list[FolderRow]:
        return [r for r in self.rows.values() if r.user_id == user_id]

    async def get(self, user_id: str, folder_id: str) -> FolderRow | None:
        row = self.rows.get(folder_id)
        return row if row is not None and row.user_id == user_id else None

    async def insert(self, row: FolderRow) -> bool:
        if self._clash(row):
            return False
        self.rows[row.id] = row
        return True

    async def update(self, row: FolderRow) -> bool:
        return await self.insert(row)

    async def delete(self, user_id: str, folder_ids: Sequence[str], delete_contents: bool) -> None:
        self.deleted.append((sorted(folder_ids), delete_contents))
        for folder_id in folder_ids:
            self.rows.pop(folder_id, None)
