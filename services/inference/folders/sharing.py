"""Folder sharing (Open WebUI's ``/api/v1/folders`` access routes): grants saying who besides the
owner may read or write a folder, the folders and chats they reach, and marking a folder read. No
I/O of its own.

A grant on a folder reaches the folders below it too. Owners and admins (Open WebUI's
``BYPASS_ADMIN_ACCESS_CONTROL``, on by default) may always write. Giving grants needs
``sharing.folders`` (and ``access_grants.allow_*``); ``user:*`` and ``anyone:*`` are never allowed
on a folder (§6.2, decided by ``services.common.access``); a group grant reaches the group's
effective members, and a group it names must exist (400)."""

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Protocol

import orjson

from services.common import access as grants_access
from services.common import errors, messages
from services.common.group_check import GroupDirectory, require_known_groups
from services.common.identity import Identity
from services.inference.folders import tree
from services.inference.folders.records import FolderChat, FolderGrant, FolderRow
from services.inference.folders.share_store import FolderShareStore
from services.inference.folders.store import FolderStore

READ = "read"
WRITE = "write"
# ``GET /{id}/shared/chats``: pages of 10 (the sidebar loads a folder lazily); unpaged, the first 60.
PAGE_SIZE = 10
UNPAGED_LIMIT = 60
# Sort orders by (sort_by, ascending), as the chat lists sort: fixed SQL, never the caller's text.
_ORDERS = {
    ("updated_at", False): "updated_at DESC",
    ("updated_at", True): "updated_at ASC",
    ("title", False): "title DESC, updated_at DESC",
    ("title", True): "title ASC, updated_at DESC",
    ("unread_updated_at", False): "(coalesce(last_read_at, 0) < updated_at) DESC, updated_at DESC",
    ("unread_updated_at", True): "(coalesce(last_read_at, 0) < updated_at) DESC, updated_at ASC",
}
# ``share_mode`` as a request sets it: None keeps the stored one; "" removes it.
KEEP = None
CONTINUE = "continue"


class UnreadCounts(Protocol):
    """The chats' read state (``ChatReadState``): a user's unread chats per folder."""

    async def folder_unread_counts(self, user_id: str) -> dict[str, int]: ...


@dataclass(frozen=True)
class FolderDetail:
    folder: FolderRow
    grants: list[FolderGrant]
    write_access: bool


@dataclass(frozen=True)
class SharedFolder:
    folder: FolderRow
    permission: str


@dataclass(frozen=True)
class SharedChats:
    chats: list[FolderChat]
    permission: str
    # Paged requests only.
    total: int | None = None
    has_more: bool | None = None


@dataclass(frozen=True)
class FolderRead:
    folder_id: str
    folder_ids: list[str]
    updated_count: int
    folder_unread_counts: dict[str, int]


class FolderSharing:
    def __init__(
        self,
        folders: FolderStore,
        shares: FolderShareStore,
        read_state: UnreadCounts,
        *,
        clock: Callable[[], float] = time.time,
        new_id: Callable[[], str] = lambda: str(uuid.uuid4()),
        groups: GroupDirectory | None = None,
    ) -> None:
        self._folders = folders
        self._shares = shares
        self._read_state = read_state
        self._groups = groups
        self._clock = clock
        self._new_id = new_id

    async def access(self, identity: Identity, folder: FolderRow) -> str | None:
        """``write``, ``read`` or None: the caller's access to a folder, through a grant on it or
        on a folder above it. A read check matches read grants, a write check write grants; either
        kind lets the caller see the folder."""
        if folder.user_id == identity.user_id or identity.is_admin:
            return WRITE
        chain = tree.ancestors(folder.id, await self._shares.parents(folder.user_id))
        grants = await self._shares.grants(chain)
        if grants_access.granted(identity, grants, WRITE):
            return WRITE
        if grants_access.granted(identity, grants, READ):
            return READ
        return None

    async def _existing(self, folder_id: str) -> FolderRow:
        folder = await self._shares.folder(folder_id)
        if folder is None:
            raise errors.NotFound(messages.NOT_FOUND)
        return folder

    async def _readable(self, identity: Identity, folder_id: str) -> tuple[FolderRow, str]:
        """A folder the caller may read, and their access; a missing one is 404, one they may not
        read 403 (Open WebUI's answers on the sharing routes)."""
        folder = await self._existing(folder_id)
        permission = await self.access(identity, folder)
        if permission is None:
            raise errors.PermissionDenied(messages.ACCESS_PROHIBITED)
        return folder, permission

    async def detail(self, identity: Identity, folder_id: str) -> FolderDetail:
        """``GET /{id}``: a folder the caller may read, with its grants; any other reads as missing."""
        folder = await self._shares.folder(folder_id)
        permission = await self.access(identity, folder) if folder is not None else None
        if folder is None or permission is None:
            raise errors.NotFound(messages.NOT_FOUND)
        return FolderDetail(folder, await self._shares.grants([folder.id]), permission == WRITE)

    async def update_access(
        self, identity: Identity, folder_id: str, raw_grants: bytes, share_mode: str | None
    ) -> tuple[FolderRow, list[FolderGrant]]:
        """Replaces the folder's grants with the normalised list (owner or admin). Any grant the
        caller may not give refuses the whole request (403), as Open WebUI's access-update routes
        do. ``share_mode``: None keeps ``data.share_mode``, ``continue`` sets it, anything else
        removes it."""
        folder = await self._existing(folder_id)
        if folder.user_id != identity.user_id and not identity.is_admin:
            raise errors.PermissionDenied(messages.ACCESS_PROHIBITED)
        try:
            raw = orjson.loads(raw_grants) if raw_grants else []
        except orjson.JSONDecodeError:
            raise errors.InvalidArgument("access_grants_json must be a JSON list") from None
        wanted = grants_access.shareable_grants(identity, "folder", raw, strict=True)
        await require_known_groups(self._groups, identity, wanted)
        # A grant kept from before keeps its id and age.
        known = {
            (g.principal_type, g.principal_id, g.permission): g
            for g in await self._shares.grants([folder.id])
        }
        now = int(self._clock())
        grants = [
            known.get(grant) or FolderGrant(self._new_id(), folder.id, *grant, created_at=now)
            for grant in wanted
        ]
        await self._shares.set_grants(folder.id, grants)
        if share_mode is not KEEP:
            data = {k: v for k, v in (folder.data or {}).items() if k != "share_mode"}
            if share_mode == CONTINUE:
                data["share_mode"] = CONTINUE
            folder = replace(folder, data=data, updated_at=now)
            # The name and parent are unchanged, so the name rule cannot refuse this.
            await self._folders.update(folder)
        return folder, grants

    async def shared(self, identity: Identity) -> list[SharedFolder]:
        """Folders shared with the caller (by a ``user:<id>`` grant) and the caller's own folders
        that carry grants, each followed by the folders below it (with its access: the widest of
        the grants that reach it)."""
        roots: dict[str, tuple[str, str]] = {}  # folder id → (owner id, permission)
        for owner_id, grant in await self._shares.granted_to_user(
            identity.user_id, sorted(identity.group_ids)
        ):
            _, permission = roots.get(grant.folder_id, (owner_id, READ))
            roots[grant.folder_id] = (
                owner_id,
                WRITE if WRITE in (permission, grant.permission) else permission,
            )
        for folder_id in await self._shares.shared_by(identity.user_id):
            roots.setdefault(folder_id, (identity.user_id, WRITE))
        owners: dict[str, dict[str, FolderRow]] = {}
        found: dict[str, SharedFolder] = {}
        depth: dict[str, int] = {}
        for root_id, (owner_id, permission) in roots.items():
            if owner_id not in owners:
                owners[owner_id] = {f.id: f for f in await self._folders.of_user(owner_id)}
            rows = owners[owner_id]
            if root_id not in rows:
                continue
            parents = {f.id: f.parent_id for f in rows.values()}
            for folder_id in tree.subtree(root_id, parents):
                depth[folder_id] = len(tree.ancestors(folder_id, parents))
                # A folder reached through two grants has the wider access of the two.
                if folder_id not in found or permission == WRITE:
                    found[folder_id] = SharedFolder(rows[folder_id], permission)
        # Parents before the folders below them; then oldest first.
        return sorted(found.values(), key=lambda s: (depth[s.folder.id], s.folder.created_at, s.folder.id))

    async def chats(
        self, identity: Identity, folder_id: str, *, page: int, sort_by: str, ascending: bool
    ) -> SharedChats:
        """The non-archived chats directly in a folder the caller may read, whoever owns them:
        10 a page, with the total and whether more follow; without a page, the first 60."""
        folder, permission = await self._readable(identity, folder_id)
        order = _ORDERS.get((sort_by, ascending), _ORDERS[("unread_updated_at", ascending)])
        if page <= 0:
            chats, _ = await self._shares.chats_in(folder.id, order, UNPAGED_LIMIT, 0)
            return SharedChats(chats, permission)
        offset = (page - 1) * PAGE_SIZE
        chats, total = await self._shares.chats_in(folder.id, order, PAGE_SIZE, offset)
        return SharedChats(chats, permission, total, offset + len(chats) < total)

    async def mark_read(self, identity: Identity, folder_id: str) -> FolderRead:
        """The caller's chats in a folder they may read and in the folders below it, read. Read
        state is the chat owner's: a reader's call leaves other users' chats as they are."""
        folder, _ = await self._readable(identity, folder_id)
        below = tree.subtree(folder.id, await self._shares.parents(folder.user_id))
        folder_ids = [folder.id, *(f for f in below if f != folder.id)]
        updated = await self._shares.mark_read(identity.user_id, folder_ids)
        counts = await self._read_state.folder_unread_counts(identity.user_id)
        return FolderRead(folder.id, folder_ids, updated, counts)
