"""Chat folders: the rules of Open WebUI's ``routers/folders.py`` over a folder store. No I/O of its
own. Only the owner changes a folder here, so a foreign folder and a missing one both read 404;
what others may read of a shared folder is in ``sharing.py``."""

import time
import uuid
from collections.abc import Callable
from dataclasses import replace

from services.common import access, errors, messages, permissions
from services.common.forms.types import has_nul
from services.common.identity import Identity
from services.inference.folders import tree
from services.inference.folders.records import FolderRow
from services.inference.folders.store import FolderStore

EXISTS = "[ERROR: Folder already exists]"
INTO_ITSELF = "[ERROR: Cannot move a folder into itself or one of its subfolders]"
# The name is in a btree index (the name rule), whose entries must stay under ~2.7 kB: 255
# characters of up to 4 bytes each keep well inside that. Open WebUI sets no bound.
NAME_MAX_CHARS = 255


def _storable(name: str | None, *values: object) -> None:
    if has_nul([name, *values]):
        raise errors.InvalidArgument(messages.FUNCTION_NOT_STORABLE)
    if name is not None and len(name) > NAME_MAX_CHARS:
        raise errors.InvalidArgument(f"Folder name is longer than {NAME_MAX_CHARS} characters")


class FolderService:
    def __init__(
        self,
        store: FolderStore,
        *,
        clock: Callable[[], float] = time.time,
        new_id: Callable[[], str] = lambda: str(uuid.uuid4()),
    ) -> None:
        self._store = store
        self._clock = clock
        self._new_id = new_id

    def _now(self) -> int:
        return int(self._clock())

    async def _own(self, identity: Identity, folder_id: str) -> FolderRow:
        folder = await self._store.get(identity.user_id, folder_id)
        if folder is None:
            raise errors.NotFound(messages.NOT_FOUND)
        return folder

    async def list_folders(self, identity: Identity) -> list[FolderRow]:
        folders = await self._store.of_user(identity.user_id)
        parents = {f.id: f.parent_id for f in folders}
        return [replace(f, parent_id=tree.shown_parent(f.id, parents)) for f in folders]

    async def get(self, identity: Identity, folder_id: str) -> FolderRow:
        return await self._own(identity, folder_id)

    async def create(
        self, identity: Identity, name: str, data: dict | None, meta: dict | None, parent_id: str | None
    ) -> FolderRow:
        _storable(name, data, meta, parent_id)
        if parent_id is not None:
            await self._own(identity, parent_id)
        now = self._now()
        row = FolderRow(
            id=self._new_id(),
            user_id=identity.user_id,
            name=name,
            parent_id=parent_id,
            data=data,
            meta=meta,
            created_at=now,
            updated_at=now,
        )
        if not await self._store.insert(row):
            raise errors.InvalidArgument(EXISTS)
        return row

    async def _save(self, row: FolderRow) -> FolderRow:
        if not await self._store.update(row):
            raise errors.InvalidArgument(EXISTS)
        return row

    async def update(
        self, identity: Identity, folder_id: str, name: str | None, data: dict | None, meta: dict | None
    ) -> FolderRow:
        """``data`` and ``meta`` are merged one level deep into the stored ones, as Open WebUI does."""
        _storable(name, data, meta)
        folder = await self._own(identity, folder_id)
        return await self._save(
            replace(
                folder,
                name=name if name is not None else folder.name,
                data={**(folder.data or {}), **data} if data is not None else folder.data,
                meta={**(folder.meta or {}), **meta} if meta is not None else folder.meta,
                updated_at=self._now(),
            )
        )

    async def move(self, identity: Identity, folder_id: str, parent_id: str | None) -> FolderRow:
        folder = await self._own(identity, folder_id)
        if parent_id is not None:
            folders = await self._store.of_user(identity.user_id)
            if parent_id not in {f.id for f in folders}:
                raise errors.NotFound(messages.NOT_FOUND)
            if tree.is_within(parent_id, folder_id, {f.id: f.parent_id for f in folders}):
                raise errors.InvalidArgument(INTO_ITSELF)
        return await self._save(replace(folder, parent_id=parent_id, updated_at=self._now()))

    async def set_expanded(self, identity: Identity, folder_id: str, expanded: bool) -> FolderRow:
        folder = await self._own(identity, folder_id)
        return await self._save(replace(folder, is_expanded=expanded, updated_at=self._now()))

    async def delete(self, identity: Identity, folder_id: str, delete_contents: bool) -> bool:
        """The folder and every folder below it; their chats deleted or moved to the root. Deleting
        the chats too needs ``chat.delete`` (403, as Open WebUI; admins bypass it). Open WebUI asks
        only when the folders hold chats: here it asks whenever ``delete_contents`` is set."""
        await self._own(identity, folder_id)
        if delete_contents and not access.has_permission(identity, permissions.CHAT_DELETE):
            raise errors.PermissionDenied(messages.ACCESS_PROHIBITED, http_status=403)
        folders = await self._store.of_user(identity.user_id)
        ids = tree.subtree(folder_id, {f.id: f.parent_id for f in folders})
        await self._store.delete(identity.user_id, ids, delete_contents)
        return True
