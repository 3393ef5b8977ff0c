"""Completions that write into stored chats (api-contract-2.md §1.4): the turn is written before the
completion runs (a new chat, or the user message and an assistant placeholder appended), and the
reply is written into the placeholder when it ends, however it ends.

A turn reads and writes only the messages it touches; a writer that changed the chat meanwhile
makes it read and try again, so two completions appended at once both land."""

import logging
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

import orjson

from services.common import messages
from services.common.errors import AlreadyExists, NotFound, PayloadTooLarge, PermissionDenied
from services.common.identity import Identity
from services.inference.chats import access, tree
from services.inference.chats.records import ChatRow, StoredChat, Tag, TurnState, TurnWrite
from services.inference.chats.reply_record import ReplyRecord
from services.inference.chats.search_query import tag_id
from services.inference.chats.store import ChatStore
from services.inference.chats.turn_request import (
    MESSAGE_EXISTS,
    PARENT_GONE,
    REGENERATE_USER_ONLY,
    TurnRequest,
)

log = logging.getLogger(__name__)

NEW_CHAT_TITLE = "New Chat"


T = TypeVar("T")


class TurnStore(Protocol):
    async def write_turn(
        self,
        chat_id: str,
        message_ids: Sequence[str],
        plan: Callable[[TurnState | None], tuple[TurnWrite | None, T]],
        branch_from: tuple[str | None, str | None] = (None, None),
    ) -> T: ...

    async def branch(self, chat_id: str, leaf_id: str) -> list[dict]: ...

    async def change_blob(
        self, chat_id: str, change: Callable[[dict, dict], tuple[str, dict, dict]]
    ) -> None: ...

    async def folder_data(self, user_id: str, folder_id: str) -> dict | None: ...

    async def replace_message(
        self, chat_id: str, message_id: str, old: dict, new: dict, updated_at: int, max_bytes: int
    ) -> bool: ...


@dataclass(frozen=True)
class Turn:
    """A completion's place in a stored chat, once it is written."""

    request: TurnRequest
    chat_id: str
    # The assistant message the reply fills.
    assistant_id: str
    created: bool
    # The prompt rebuilt from the stored branch (None: the request's messages stand).
    messages: list | None = None
    # The text a continued reply already had.
    earlier_content: str = ""
    # The folder the chat is in: its system prompt and files apply to the completion.
    folder_id: str | None = None
    # The assistant message as the turn wrote it: the reply replaces it in one statement if it is
    # still so.
    written: dict | None = None


def _size(value: object) -> int:
    return len(orjson.dumps(value))


def _fillable(message: dict, identity: Identity, anchor: str | None) -> bool:
    """An assistant placeholder a reply may fill: empty, unfinished, the caller's, and (when the
    request names its user message) under that message."""
    if message.get("role") != "assistant" or message.get("content") or message.get("output"):
        return False
    if message.get("done") is True:
        return False
    if message.get("user_id") not in (None, identity.user_id):
        return False
    return anchor is None or message.get("parentId") in (None, anchor)


def _linked(messages_: dict[str, dict], parent: str | None, child: str) -> None:
    """``child`` listed in its parent's ``childrenIds`` (the parent is among ``messages_``)."""
    if parent is None or parent not in messages_:
        return
    children = messages_[parent].get("childrenIds")
    children = list(children) if isinstance(children, list) else []
    if child not in children:
        messages_[parent] = {**messages_[parent], "childrenIds": [*children, child]}


class ChatTurns:
    def __init__(
        self,
        store: TurnStore,
        chats: ChatStore,
        *,
        max_bytes: int,
        clock: Callable[[], float] = time.time,
        new_id: Callable[[], str] = lambda: str(uuid.uuid4()),
    ) -> None:
        self._store = store
        self._chats = chats
        self._max_bytes = max_bytes
        self._clock = clock
        self._new_id = new_id

    def _now(self) -> int:
        return int(self._clock())

    def _too_large(self) -> PayloadTooLarge:
        return PayloadTooLarge(f"Chat is larger than CHAT_MAX_BYTES ({self._max_bytes} bytes)")

    def _placeholder(
        self, message_id: str, parent: str | None, request: TurnRequest, model_name: str
    ) -> dict:
        return {
            "id": message_id,
            "parentId": parent,
            "childrenIds": [],
            "role": "assistant",
            "content": "",
            "model": request.model,
            "modelName": model_name,
            "modelIdx": 0,
            "done": False,
            "timestamp": self._now(),
        }

    # -- before the completion -----------------------------------------------------------------

    async def begin(self, identity: Identity, request: TurnRequest, body: dict, model_name: str) -> Turn:
        if request.creates:
            return await self._create(identity, request, body, model_name)
        return await self._append(identity, request, body, model_name)

    async def _create(self, identity: Identity, request: TurnRequest, body: dict, model_name: str) -> Turn:
        access.require_stored_chats(identity)
        now = self._now()
        assistant_ids = request.assistant_ids or [self._new_id()]
        chat_messages: dict[str, dict] = {}
        anchor: str | None = None
        if request.user_message is not None:
            anchor = request.user_message.get("id") or self._new_id()
            chat_messages[anchor] = tree.stamp(
                {
                    **request.user_message,
                    "id": anchor,
                    "parentId": None,
                    "childrenIds": [],
                    "timestamp": request.user_message.get("timestamp", now),
                    "models": request.user_message.get("models", [request.model]),
                },
                identity,
            )
        else:
            # No user message: the request's conversation becomes the chat's first branch, so that
            # the chat reads as what was asked.
            for given in body.get("messages") if isinstance(body.get("messages"), list) else []:
                if not isinstance(given, dict) or given.get("role") not in ("user", "assistant"):
                    continue
                key = self._new_id()
                message = {"id": key, "parentId": anchor, "childrenIds": [], "role": given["role"]}
                message.update({"content": given.get("content", ""), "timestamp": now, "done": True})
                if given["role"] == "user":
                    message.pop("done")
                    message["models"] = [request.model]
                chat_messages[key] = tree.stamp(message, identity)
                _linked(chat_messages, anchor, key)
                anchor = key
        for key in assistant_ids:
            chat_messages[key] = tree.stamp(self._placeholder(key, anchor, request, model_name), identity)
            _linked(chat_messages, anchor, key)
        first_user = next((m for m in chat_messages.values() if m.get("role") == "user"), None)
        blob = {
            "title": NEW_CHAT_TITLE,
            "models": [request.model],
            "history": {"messages": None, "currentId": assistant_ids[-1]},
            "messages": [{"role": "user", "content": first_user.get("content", "")}] if first_user else [],
            "files": body.get("files") if isinstance(body.get("files"), list) else [],
            "timestamp": int(self._clock() * 1000),
        }
        folder_id = request.folder_id
        if folder_id is not None and not await self._chats.folder_exists(identity.user_id, folder_id):
            folder_id = None
        row = ChatRow(
            id=self._new_id(),
            user_id=identity.user_id,
            title=NEW_CHAT_TITLE,
            blob=blob,
            meta={},
            variables=request.variables,
            created_at=now,
            updated_at=now,
            current_message_id=assistant_ids[-1],
            folder_id=folder_id,
        )
        if _size(blob) + sum(_size(m) for m in chat_messages.values()) > self._max_bytes:
            raise self._too_large()
        positions = {key: i for i, key in enumerate(chat_messages)}
        await self._chats.insert(StoredChat(row, chat_messages, positions))
        return Turn(
            request,
            row.id,
            assistant_ids[0],
            created=True,
            folder_id=folder_id,
            written=chat_messages[assistant_ids[0]],
        )

    async def _append(self, identity: Identity, request: TurnRequest, body: dict, model_name: str) -> Turn:
        assert request.chat_id is not None
        user_message = request.user_message
        user_id = (user_message or {}).get("id") or (self._new_id() if user_message is not None else None)
        parent_given = (user_message or {}).get("parentId", request.parent_id)
        wanted = [*request.assistant_ids, *(k for k in (user_id, parent_given) if isinstance(k, str))]

        def plan(state: TurnState | None) -> tuple[TurnWrite, tuple[list | None, str, str | None, dict]]:
            if state is None or state.user_id != identity.user_id:
                raise NotFound(messages.NOT_FOUND)
            if not request.assistant_ids:
                raise AlreadyExists(MESSAGE_EXISTS)
            planned, anchor, earlier = self._plan(identity, request, state, user_id, parent_given, model_name)
            self._check_size(state, planned)
            rebuilt = None
            if user_message is not None and anchor is not None:
                # The branch read ends at the user message when it was stored already, else at its
                # parent: then the new message ends it.
                stored = user_id in state.messages
                rebuilt = self._prompt(body, state.branch if stored else [*state.branch, planned[anchor]])
            write = TurnWrite(planned, request.assistant_ids[-1], self._now())
            return write, (rebuilt, earlier, state.folder_id, planned[request.assistant_ids[0]])

        branch_from = (user_id, parent_given) if user_message is not None else (None, None)
        rebuilt, earlier, folder_id, written = await self._store.write_turn(
            request.chat_id, wanted, plan, branch_from
        )
        return Turn(
            request,
            request.chat_id,
            request.assistant_ids[0],
            False,
            rebuilt,
            earlier_content=earlier,
            folder_id=folder_id,
            written=written,
        )

    def _check_size(self, state: TurnState, planned: dict[str, dict]) -> None:
        delta = sum(_size(m) for m in planned.values()) - sum(
            _size(state.messages[k]) for k in planned if k in state.messages
        )
        if state.size_bytes + delta > self._max_bytes:
            raise self._too_large()

    def _plan(
        self,
        identity: Identity,
        request: TurnRequest,
        state: TurnState,
        user_id: str | None,
        parent_given: str | None,
        model_name: str,
    ) -> tuple[dict[str, dict], str | None, str]:
        """The messages the turn writes, the user message the replies answer, and the text a
        continued reply had."""
        stored = state.messages
        planned: dict[str, dict] = {}
        anchor: str | None = None
        if request.user_message is not None and user_id is not None:
            existing = stored.get(user_id)
            if existing is not None:
                if existing.get("role") != "user":
                    raise PermissionDenied(REGENERATE_USER_ONLY, http_status=403)
            else:
                if parent_given is not None and parent_given not in stored:
                    raise AlreadyExists(PARENT_GONE)
                message = {
                    **request.user_message,
                    "id": user_id,
                    "parentId": parent_given,
                    "childrenIds": [],
                    "timestamp": request.user_message.get("timestamp", self._now()),
                    "models": request.user_message.get("models", [request.model]),
                }
                planned[user_id] = tree.stamp(message, identity)
                self._link(planned, parent_given, user_id)
            anchor = user_id
        elif (
            request.continue_id is None and request.parent_id is not None and request.parent_id not in stored
        ):
            raise AlreadyExists(PARENT_GONE)
        earlier = ""
        for key in request.assistant_ids:
            existing = stored.get(key)
            if request.continue_id is not None:
                if (
                    existing is None
                    or existing.get("role") != "assistant"
                    or existing.get("user_id")
                    not in (
                        None,
                        identity.user_id,
                    )
                ):
                    raise PermissionDenied(messages.ACCESS_PROHIBITED, http_status=403)
                content = existing.get("content")
                earlier = content if isinstance(content, str) else ""
                planned[key] = {**existing, "done": False}
                continue
            if existing is not None:
                if not _fillable(existing, identity, anchor):
                    raise AlreadyExists(MESSAGE_EXISTS)
                # A placeholder the client made keeps its place when no user message is sent
                # (Open WebUI resets its parentId to null).
                parent = anchor if anchor is not None else existing.get("parentId")
                message = {**existing, "parentId": parent, "model": request.model, "modelName": model_name}
                message["done"] = False
            else:
                parent = anchor
                if parent is None:
                    parent = request.parent_id if request.parent_id is not None else state.current_message_id
                message = self._placeholder(key, parent, request, model_name)
            planned[key] = tree.stamp(message, identity)
            self._link(planned, message.get("parentId"), key)
        return planned, anchor, earlier

    @staticmethod
    def _link(planned: dict[str, dict], parent: object, child: str) -> None:
        """``child`` listed under a parent the turn writes anyway. A stored parent is left as it is:
        every read lists a message under its parent from ``parentId`` (Open WebUI's repair), so the
        turn need not rewrite the parent's row, which would grow with its children and make every
        reply to one message contend for that row."""
        if not isinstance(parent, str) or parent not in planned:
            return
        _linked(planned, parent, child)

    @staticmethod
    def _prompt(body: dict, branch: list[dict]) -> list:
        """Open WebUI rebuilds the prompt from the stored branch ending at the user message; only a
        system message from the request is kept."""
        given = body.get("messages") if isinstance(body.get("messages"), list) else []
        system = [m for m in given[:1] if isinstance(m, dict) and m.get("role") == "system"]
        return [
            *system,
            *(
                {"role": m.get("role"), "content": m.get("content", "")}
                for m in branch
                if m.get("role") in ("user", "assistant", "system")
            ),
        ]

    async def folder_context(self, identity: Identity, turn: Turn) -> tuple[str | None, list]:
        """The system prompt and files of the chat's folder (Open WebUI applies both to its chats'
        completions)."""
        if turn.folder_id is None:
            return None, []
        data = await self._store.folder_data(identity.user_id, turn.folder_id) or {}
        system, files = data.get("system_prompt"), data.get("files")
        return (system if isinstance(system, str) and system.strip() else None), (
            files if isinstance(files, list) else []
        )

    # -- after the completion ------------------------------------------------------------------

    async def _change_message(
        self, chat_id: str, message_id: str, change: Callable[[TurnState, dict], dict | None]
    ) -> bool:
        """One stored message as ``change`` makes it (None: left as it is); False when the chat or
        the message is gone or nothing changed."""

        def plan(state: TurnState | None) -> tuple[TurnWrite | None, bool]:
            message = state.messages.get(message_id) if state is not None else None
            if state is None or message is None:
                return None, False
            updated = change(state, message)
            if updated is None:
                return None, False
            return TurnWrite({message_id: updated}, state.current_message_id, self._now()), True

        return await self._store.write_turn(chat_id, [message_id], plan)

    async def finish(self, turn: Turn, record: ReplyRecord) -> None:
        """Writes the reply into its assistant message (nothing when the chat or the message is gone
        meanwhile)."""

        fields = record.fields(turn.earlier_content)
        if turn.written is not None:
            replaced = await self._store.replace_message(
                turn.chat_id,
                turn.assistant_id,
                turn.written,
                {**turn.written, **fields},
                self._now(),
                self._max_bytes,
            )
            if replaced:
                return

        def change(state: TurnState, message: dict) -> dict:
            updated = {**message, **fields}
            if state.size_bytes + _size(updated) - _size(message) > self._max_bytes:
                return {**message, "done": True, "error": {"content": self._too_large().detail}}
            return updated

        await self._change_message(turn.chat_id, turn.assistant_id, change)

    async def conversation(self, turn: Turn) -> list[dict]:
        """The branch the reply ends, as ``{role, content}`` (what the background tasks read)."""
        branch = await self._store.branch(turn.chat_id, turn.assistant_id)
        return [{"role": m.get("role"), "content": m.get("content", "")} for m in branch]

    async def store_outlet(self, identity: Identity, chat_id: str, message_id: str, content: str) -> bool:
        """The outlet-filtered text of a stored reply, the text it replaces kept in
        ``originalContent``; False when there is nothing of the caller's to change."""

        def change(state: TurnState, message: dict) -> dict | None:
            if state.user_id != identity.user_id or message.get("role") != "assistant":
                return None
            if message.get("content") == content:
                return None
            return {**message, "content": content, "originalContent": message.get("content", "")}

        return await self._change_message(chat_id, message_id, change)

    async def set_follow_ups(self, turn: Turn, follow_ups: list[str]) -> None:
        await self._change_message(
            turn.chat_id, turn.assistant_id, lambda _state, message: {**message, "followUps": follow_ups}
        )

    async def set_title(self, chat_id: str, title: str) -> None:
        await self._store.change_blob(chat_id, lambda blob, meta: (title, {**blob, "title": title}, meta))

    async def set_tags(self, identity: Identity, chat_id: str, names: list[str]) -> None:
        tags = [Tag(id=tag_id(name), name=name, user_id=identity.user_id) for name in names if name.strip()]
        tags = [tag for tag in tags if tag.id != "none"]
        for tag in tags:
            await self._chats.ensure_tag(tag)
        ids = list(dict.fromkeys(tag.id for tag in tags))

        def change(blob: dict, meta: dict) -> tuple[str, dict, dict]:
            title = blob.get("title")
            return (
                (title if isinstance(title, str) and title.strip() else NEW_CHAT_TITLE),
                blob,
                {**meta, "tags": ids},
            )

        await self._store.change_blob(chat_id, change)
