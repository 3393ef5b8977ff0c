"""What read state, the admin lists and the statistics need of storage beyond ``ChatStore``
(``ChatExtrasRepository`` on PostgreSQL; the fake store in unit tests)."""

from typing import Protocol

from services.inference.chats.records import ChatSummary


class ChatExtrasStore(Protocol):
    async def mark_all_read(self, user_id: str) -> int: ...

    async def mark_unread(self, chat_id: str, user_id: str) -> tuple[bool, str | None]: ...

    async def unread_by_folder(self, user_id: str) -> dict[str, int]: ...

    async def folder_parents(self, user_id: str) -> dict[str, str | None]: ...

    async def list_user_chats(
        self, user_id: str, query: str, order_by: str | None, ascending: bool, limit: int, offset: int
    ) -> list[ChatSummary]: ...

    async def all_chat_ids(self) -> list[str]: ...

    async def chat_id_page(
        self, user_id: str, *, updated_after: int | None, ascending: bool, limit: int, offset: int
    ) -> tuple[list[str], int]: ...
