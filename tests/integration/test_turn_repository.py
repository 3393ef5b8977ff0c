"""Completions' turns on real PostgreSQL: only the touched messages are read and written, the size
the triggers keep matches the messages, many turns at once all land, and a whole-chat writer that
read before a turn starts again rather than lose it."""

import asyncio

import asyncpg
import orjson
import pytest

from services.inference.chats import turn_request
from services.inference.chats.reply_record import ReplyRecord
from services.inference.chats.repository import ChatRepository
from services.inference.chats.service import ChatService
from services.inference.chats.turn_repository import TurnRepository
from services.inference.chats.turns import ChatTurns
from tests.integration.chat_support import ALICE, Clock

MODEL = "m"


@pytest.fixture
def parts(inference_pool: asyncpg.Pool) -> tuple[ChatTurns, ChatService, asyncpg.Pool]:
    store = ChatRepository(inference_pool)
    turns = ChatTurns(TurnRepository(inference_pool), store, max_bytes=1024 * 1024, clock=Clock())
    return turns, ChatService(store, admin_access=True, max_bytes=1024 * 1024, clock=Clock()), inference_pool


async def _size_matches(pool: asyncpg.Pool, chat_id: str) -> None:
    kept, actual = await pool.fetchrow(
        "SELECT size_bytes, (SELECT coalesce(sum(octet_length(message::text)), 0) "
        "FROM inference_chat_message WHERE chat_id = $1) FROM inference_chat WHERE id = $1",
        chat_id,
    )
    assert kept == actual


def turn(chat_id: str, i: int, parent: str) -> turn_request.TurnRequest:
    parsed = turn_request.parse(
        {
            "chat_id": chat_id,
            "id": f"a{i}",
            "user_message": {"id": f"u{i}", "parentId": parent, "role": "user", "content": f"q{i}"},
        },
        MODEL,
    )
    assert parsed is not None
    return parsed


async def test_turns_at_once_all_land_and_the_size_is_kept(parts) -> None:
    turns, chats, pool = parts
    created = await turns.begin(ALICE, turn_request.parse({"parent_id": None, "id": "a0"}, MODEL), {}, "M")
    chat_id = created.chat_id

    async def one(i: int) -> None:
        begun = await turns.begin(ALICE, turn(chat_id, i, "a0"), {}, "M")
        # The prompt is the stored branch: the first reply, then this turn's question.
        assert begun.messages is not None and begun.messages[-1] == {"role": "user", "content": f"q{i}"}
        record = ReplyRecord()
        record.read_body(200, orjson.dumps({"choices": [{"message": {"content": f"r{i}"}}]}))
        await turns.finish(begun, record)

    await asyncio.gather(*(one(i) for i in range(1, 21)))
    view = await chats.get(ALICE, chat_id)
    history = view.blob["history"]["messages"]
    assert len(history) == 41
    assert sorted(history["a0"]["childrenIds"]) == sorted(f"u{i}" for i in range(1, 21))
    assert all(
        history[f"a{i}"]["content"] == f"r{i}" and history[f"u{i}"]["childrenIds"] == [f"a{i}"]
        for i in range(1, 21)
    )
    positions = await pool.fetch("SELECT position FROM inference_chat_message WHERE chat_id = $1", chat_id)
    assert len({r["position"] for r in positions}) == 41
    await _size_matches(pool, chat_id)


async def test_a_whole_chat_writer_that_read_before_a_turn_starts_again(parts) -> None:
    turns, chats, pool = parts
    created = await turns.begin(ALICE, turn_request.parse({"parent_id": None, "id": "a0"}, MODEL), {}, "M")
    before = await ChatRepository(pool).load(created.chat_id)
    await turns.begin(ALICE, turn(created.chat_id, 1, "a0"), {}, "M")
    # The stale row's version no longer matches: its save is refused, and the service reads again.
    assert await ChatRepository(pool).save(before.row, {}, [], 1) is False
    renamed = await chats.update(ALICE, created.chat_id, orjson.dumps({"chat": {"title": "Renamed"}}))
    assert renamed.row.title == "Renamed" and "u1" in renamed.blob["history"]["messages"]
    await _size_matches(pool, created.chat_id)


async def test_a_turn_reads_only_what_it_touches(parts) -> None:
    turns, _, pool = parts
    created = await turns.begin(ALICE, turn_request.parse({"parent_id": None, "id": "a0"}, MODEL), {}, "M")
    read = []
    repo = TurnRepository(pool)
    original = repo.write_turn

    async def spying(chat_id, ids, plan, branch_from=(None, None)):
        def seen(state):
            read.append(sorted(state.messages) if state else None)
            return plan(state)

        return await original(chat_id, ids, seen, branch_from)

    repo.write_turn = spying  # type: ignore[method-assign]
    spied = ChatTurns(repo, ChatRepository(pool), max_bytes=1024 * 1024, clock=Clock())
    for i in range(1, 6):
        await spied.begin(ALICE, turn(created.chat_id, i, f"a{i - 1}"), {}, "M")
    # The assistant id, the user message, its parent and the current message: never the chat.
    assert all(len(names) <= 3 for names in read)


async def test_a_placeholder_changed_meanwhile_still_gets_the_reply(parts) -> None:
    turns, chats, pool = parts
    created = await turns.begin(ALICE, turn_request.parse({"parent_id": None, "id": "a0"}, MODEL), {}, "M")
    # Something else (a message event, say) changed the placeholder while the reply was coming.
    await chats.upsert_message(ALICE, created.chat_id, "a0", "status so far", None)
    record = ReplyRecord()
    record.read_body(200, orjson.dumps({"choices": [{"message": {"content": "the reply"}}]}))
    await turns.finish(created, record)
    message = (await chats.get(ALICE, created.chat_id)).blob["history"]["messages"]["a0"]
    assert message["content"] == "the reply" and message["done"] is True
    await _size_matches(pool, created.chat_id)
