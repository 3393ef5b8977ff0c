"""An in-memory FolderStore for unit tests of the folder rules."""

from collections.abc import Sequence

from services.inference.folders import tree
from services.inference.folders.records import FolderChat, FolderGrant, FolderRow


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


class FakeFolderShareStore:
    """Folder grants, and the chats of folders, in memory over a FakeFolderStore's folders."""

    def __init__(self, folders: FakeFolderStore) -> None:
        self.folders = folders
        self.rows: dict[str, list[FolderGrant]] = {}
        # Every chat: (chat, folder id, archived).
        self.chats: list[tuple[FolderChat, str, bool]] = []
        self.marked: list[tuple[str, list[str]]] = []

    async def folder(self, folder_id: str) -> FolderRow | None:
        return self.folders.rows.get(folder_id)

    async def parents(self, owner_id: str) -> dict[str, str | None]:
        return {f.id: f.parent_id for f in self.folders.rows.values() if f.user_id == owner_id}

    async def grants(self, folder_ids: Sequence[str]) -> list[FolderGrant]:
        return [g for folder_id in sorted(set(folder_ids)) for g in self.rows.get(folder_id, [])]

    async def set_grants(self, folder_id: str, grants: Sequence[FolderGrant]) -> None:
        self.rows[folder_id] = list(grants)

    async def granted_to_user(
        self, user_id: str, group_ids: Sequence[str] = ()
    ) -> list[tuple[str, FolderGrant]]:
        found = []
        for folder_id, grants in self.rows.items():
            folder = self.folders.rows.get(folder_id)
            if folder is None or folder.user_id == user_id:
                continue
            found += [
                (folder.user_id, g)
                for g in grants
                if (g.principal_type, g.principal_id) == ("user", user_id)
                or (g.principal_type == "group" and g.principal_id in group_ids)
            ]
        return found

    async def shared_by(self, user_id: str) -> list[str]:
        return [
            folder_id
            for folder_id, grants in self.rows.items()
            if grants and folder_id in self.folders.rows and self.folders.rows[folder_id].user_id == user_id
        ]

    async def chats_in(
        self, folder_id: str, order: str, limit: int | None, offset: int
    ) -> tuple[list[FolderChat], int]:
        """Newest first, whatever ``order`` says."""
        inside = [c for c, f, archived in self.chats if f == folder_id and not archived]
        inside.sort(key=lambda c: (-c.updated_at, c.id))
        end = None if limit is None else offset + limit
        return inside[offset:end], len(inside)

    async def mark_read(self, user_id: str, folder_ids: Sequence[str]) -> int:
        self.marked.append((user_id, list(folder_ids)))
        return sum(
            1 for c, f, archived in self.chats if c.user_id == user_id and f in folder_ids and not archived
        )
