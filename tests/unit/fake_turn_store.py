"""An in-memory TurnStore over a FakeChatStore's chats, for unit tests of the turn rules."""

import copy
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TypeVar

import orjson

from services.inference.chats.records import StoredChat, TurnState, TurnWrite
from tests.unit.fake_chat_store import FakeChatStore

T = TypeVar("T")


def _size(chat: StoredChat) -> int:
    return len(orjson.dumps(chat.row.blob)) + sum(len(orjson.dumps(m)) for m in chat.messages.values())


class FakeTurnStore:
    def __init__(self, chats: FakeChatStore) -> None:
        self.chats = chats
        # (user id, folder id) → the folder's ``data``.
        self.folder_datas: dict[tuple[str, str], dict] = {}

    async def write_turn(
        self,
        chat_id: str,
        message_ids: Sequence[str],
        plan: Callable[[TurnState | None], tuple[TurnWrite | None, T]],
        branch_from: tuple[str | None, str | None] = (None, None),
    ) -> T:
        chat = self.chats.chats.get(chat_id)
        if chat is None:
            return plan(None)[1]
        wanted = {*message_ids, chat.row.current_message_id}
        state = TurnState(
            chat_id=chat_id,
            user_id=chat.row.user_id,
            title=chat.row.title,
            current_message_id=chat.row.current_message_id,
            folder_id=chat.row.folder_id,
            version=chat.row.version,
            size_bytes=_size(chat),
            next_position=max(chat.positions.values(), default=-1) + 1,
            messages={k: copy.deepcopy(m) for k, m in chat.messages.items() if k in wanted},
            positions={k: p for k, p in chat.positions.items() if k in wanted},
        )
        leaf, fallback = branch_from
        start = leaf if leaf in chat.messages else fallback
        if isinstance(start, str):
            state.branch = await self.branch(chat_id, start)
        write, result = plan(state)
        if write is None:
            return result
        position = state.next_position
        for key, message in write.messages.items():
            if key not in chat.positions:
                chat.positions[key], position = position, position + 1
            chat.messages[key] = copy.deepcopy(message)
        chat.row = replace(
            chat.row,
            current_message_id=write.current_message_id,
            updated_at=write.updated_at,
            version=chat.row.version + 1,
        )
        return result

    async def branch(self, chat_id: str, leaf_id: str) -> list[dict]:
        chat = self.chats.chats[chat_id]
        branch, node = [], chat.messages.get(leaf_id)
        while node is not None and len(branch) < 10_000:
            branch.append(copy.deepcopy(node))
            parent = node.get("parentId")
            node = chat.messages.get(parent) if isinstance(parent, str) else None
        return branch[::-1]

    async def change_blob(self, chat_id: str, change: Callable[[dict, dict], tuple[str, dict, dict]]) -> None:
        chat = self.chats.chats.get(chat_id)
        if chat is None:
            return
        title, blob, meta = change(copy.deepcopy(chat.row.blob), copy.deepcopy(chat.row.meta))
        chat.row = replace(chat.row, title=title, blob=blob, meta=meta, version=chat.row.version + 1)

    async def folder_data(self, user_id: str, folder_id: str) -> dict | None:
        return self.folder_datas.get((user_id, folder_id))

    async def replace_message(
        self, chat_id: str, message_id: str, old: dict, new: dict, updated_at: int, max_bytes: int
    ) -> bool:
        chat = self.chats.chats.get(chat_id)
        if chat is None or chat.messages.get(message_id) != old:
            return False
        if _size(chat) - len(orjson.dumps(old)) + len(orjson.dumps(new)) > max_bytes:
            return False
        chat.messages[message_id] = copy.deepcopy(new)
        chat.row = replace(chat.row, updated_at=updated_at, version=chat.row.version + 1)
        return True
