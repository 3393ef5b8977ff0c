"""The chat pipeline's side of stored completions: ties a request to its chat before the
completion, passes the reply through while reading it, and stores it when it ends (answered,
failed, or cut short by a client that left)."""

import asyncio
import logging
from collections.abc import AsyncIterator

from services.common.errors import ServiceError
from services.common.identity import Identity
from services.inference.chats import turn_request
from services.inference.chats.reply_record import INTERRUPTED, ReplyRecord
from services.inference.chats.turn_tasks import TurnTasks
from services.inference.chats.turns import ChatTurns, Turn
from services.inference.params import add_system_prompt
from services.inference.replies import Head, dumps, loads
from services.inference.sse import ChatPart, Marker

log = logging.getLogger(__name__)

# Names the stored chat a completion wrote into (new or not): Open WebUI returns no id for a chat
# its completion created.
CHAT_ID_HEADER = "X-Chat-Id"


def _with_chat_id(raw: bytes, chat_id: str) -> bytes:
    try:
        reply = loads(raw)
    except ValueError:
        return raw
    if not isinstance(reply, dict):
        return raw
    return dumps({**reply, "chat_id": chat_id})


class ChatRecorder:
    def __init__(self, turns: ChatTurns, tasks: TurnTasks) -> None:
        self._turns = turns
        self._tasks = tasks
        self._background: set[asyncio.Task] = set()

    async def tie(
        self, caller: Identity, body: dict, model: str, model_name: str
    ) -> tuple[Turn | None, dict]:
        """The request's turn, written into its chat, and the body the completion runs on: the
        chat and message ids filled in (filters read them), the prompt rebuilt from the stored branch
        where Open WebUI rebuilds it."""
        request = turn_request.parse(body, model)
        if request is None:
            return None, body
        turn = await self._turns.begin(caller, request, body, model_name)
        body = {**body, "chat_id": turn.chat_id, "id": turn.assistant_id}
        if turn.messages is not None:
            body["messages"] = turn.messages
        system, files = await self._turns.folder_context(caller, turn)
        if system is not None:
            given = body.get("messages") if isinstance(body.get("messages"), list) else []
            body["messages"] = add_system_prompt(system, given)
        if files:
            given_files = body.get("files") if isinstance(body.get("files"), list) else []
            body["files"] = [*files, *given_files]
        return turn, body

    async def failed(self, caller: Identity, turn: Turn, error: ServiceError) -> None:
        """A completion that failed before its reply began: the error goes into the reply."""
        record = ReplyRecord()
        record.failed(error.detail)
        await self._store(caller, turn, record, background=False)

    async def record(
        self, caller: Identity, turn: Turn, parts: AsyncIterator[ChatPart]
    ) -> AsyncIterator[ChatPart]:
        """``parts`` as they come, the chat's id added to the head (and to a JSON reply). The reply
        is stored before its last part goes out, so a client that reads the chat next sees it."""
        record = ReplyRecord()
        head: Head | None = None
        stored = False
        try:
            async for part in parts:
                if isinstance(part, Head):
                    head = part
                    yield Head(part.status, {**part.headers, CHAT_ID_HEADER: turn.chat_id}, part.streaming)
                    continue
                if head is not None and not head.streaming and isinstance(part, bytes):
                    record.read_body(head.status, part)
                    stored = True
                    await self._store(caller, turn, record)
                    yield _with_chat_id(part, turn.chat_id) if head.status < 400 else part
                    continue
                record.read_event(part)
                if isinstance(part, Marker):
                    stored = True
                    await self._store(caller, turn, record)
                yield part
            if not stored:
                stored = True
                await self._store(caller, turn, record)
        except ServiceError as error:
            if not stored:
                stored = True
                record.failed(error.detail)
                await self._store(caller, turn, record, background=False)
            raise
        finally:
            if not stored:
                # The client left (the call was cancelled): what came so far is stored, marked.
                record.failed(INTERRUPTED)
                self._spawn(self._store(caller, turn, record, background=False))

    async def _store(
        self, caller: Identity, turn: Turn, record: ReplyRecord, background: bool = True
    ) -> None:
        try:
            await self._turns.finish(turn, record)
        except Exception:
            log.exception("the reply for chat %s could not be stored", turn.chat_id)
            return
        if background and turn.request.background and record.error is None:
            self._spawn(self._tasks.run(caller, turn))

    def _spawn(self, work: object) -> None:
        async def guarded() -> None:
            try:
                await work  # type: ignore[misc]
            except Exception:
                log.exception("stored-chat work after a completion failed")

        task = asyncio.create_task(guarded())
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def store_outlet(self, caller: Identity, body: dict) -> None:
        """``/api/chat/completed`` for a stored chat: the outlet-filtered reply is stored."""
        chat_id, message_id = body.get("chat_id"), body.get("id")
        if not (isinstance(chat_id, str) and chat_id and isinstance(message_id, str)):
            return
        if chat_id.startswith(turn_request.UNSTORED_PREFIXES):
            return
        given = body.get("messages")
        if not isinstance(given, list):
            return
        matching = [m for m in given if isinstance(m, dict) and m.get("id") == message_id]
        if not matching:
            matching = [m for m in given if isinstance(m, dict) and m.get("role") == "assistant"][-1:]
        content = matching[0].get("content") if matching else None
        if isinstance(content, str):
            await self._turns.store_outlet(caller, chat_id, message_id, content)

    async def close(self) -> None:
        """Lets stores and background tasks still running finish."""
        while self._background:
            await asyncio.gather(*list(self._background), return_exceptions=True)
