"""Chat lists of ``/api/v1/chats``: the sidebar list, pinned, archived, search and by tag."""

from services.common.identity import Identity
from services.inference.chats import search_query
from services.inference.chats.records import ChatSummary
from services.inference.chats.store import ChatStore

PAGE_SIZE = 60
# ``GET /folder/{folder_id}/list`` pages are smaller (Open WebUI's sidebar loads a folder lazily).
FOLDER_PAGE_SIZE = 10
# Sort orders of ``GET /`` by (sort_by, ascending): fixed SQL, never the caller's text.
_ORDERS = {
    ("updated_at", False): "updated_at DESC",
    ("updated_at", True): "updated_at ASC",
    ("title", False): "title DESC, updated_at DESC",
    ("title", True): "title ASC, updated_at DESC",
    # Unread chats (changed since last read, or never read) first, then by last change.
    ("unread_updated_at", False): "(coalesce(last_read_at, 0) < updated_at) DESC, updated_at DESC",
    ("unread_updated_at", True): "(coalesce(last_read_at, 0) < updated_at) DESC, updated_at ASC",
}


def _page(page: int) -> tuple[int, int]:
    return PAGE_SIZE, (max(page, 1) - 1) * PAGE_SIZE


class ChatLists:
    def __init__(self, store: ChatStore) -> None:
        self._store = store

    async def active(
        self,
        identity: Identity,
        *,
        page: int,
        include_pinned: bool,
        include_folders: bool,
        sort_by: str,
        ascending: bool,
    ) -> list[ChatSummary]:
        """Own non-archived chats; ``page`` 0 is every one of them. Pinned chats and chats in
        folders only when asked for (they have their own lists in Open WebUI's sidebar)."""
        order = _ORDERS.get((sort_by, ascending), _ORDERS[("updated_at", ascending)])
        limit, offset = _page(page) if page > 0 else (None, 0)
        return await self._store.list_active(
            identity.user_id,
            include_pinned=include_pinned,
            include_folders=include_folders,
            order=order,
            limit=limit,
            offset=offset,
        )

    async def in_folder(
        self, identity: Identity, folder_id: str, *, page: int, sort_by: str, ascending: bool
    ) -> list[ChatSummary]:
        """Own unpinned, non-archived chats directly in a folder, 10 a page."""
        order = _ORDERS.get((sort_by, ascending), _ORDERS[("unread_updated_at", ascending)])
        offset = (max(page, 1) - 1) * FOLDER_PAGE_SIZE
        return await self._store.list_in_folder(identity.user_id, folder_id, order, FOLDER_PAGE_SIZE, offset)

    async def pinned(self, identity: Identity) -> list[ChatSummary]:
        return await self._store.list_pinned(identity.user_id)

    async def archived(
        self, identity: Identity, *, page: int, query: str, order_by: str, ascending: bool
    ) -> list[ChatSummary]:
        limit, offset = _page(page)
        return await self._store.list_archived(
            identity.user_id, query.replace("\x00", ""), order_by, ascending, limit, offset
        )

    async def count_archived(self, identity: Identity) -> int:
        return await self._store.count_archived(identity.user_id)

    async def search(self, identity: Identity, text: str, page: int) -> list[ChatSummary]:
        query = search_query.parse(text.replace("\x00", ""))
        limit, offset = _page(page)
        hits = await self._store.search(
            identity.user_id,
            phrase=query.phrase,
            words=query.words,
            tags=[tag for tag in query.tags if tag != "none"],
            untagged="none" in query.tags,
            pinned=query.pinned,
            archived=query.archived,
            shared=query.shared,
            in_folder_named=query.folder,
            limit=limit,
            offset=offset,
        )
        terms = [query.phrase, *query.words]
        found = []
        for chat, matched in hits:
            shown = search_query.snippet(matched or "", terms) or search_query.snippet(chat.title, terms)
            found.append(ChatSummary(**{**chat.__dict__, "snippet": shown}))
        if not found and page <= 1 and not query.phrase and len(query.tags) == 1:
            # Open WebUI's clean-up: a tag no chat carries any more is dropped when searched for.
            await self._store.drop_unused_tags(identity.user_id, query.tags)
        return found

    async def by_tag(self, identity: Identity, name: str, skip: int, limit: int) -> list[ChatSummary]:
        tag = search_query.tag_id(name.replace("\x00", ""))
        chats = await self._store.list_by_tag(identity.user_id, tag, max(skip, 0), max(limit, 0))
        if not chats:
            await self._store.drop_unused_tags(identity.user_id, [tag])
        return chats
