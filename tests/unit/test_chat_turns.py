"""The rules of completions tied to stored chats (api-contract-2.md §1.4): the request's fields, the
turn written before the completion, and the reply written after it."""

import asyncio

import pytest

from services.common.errors import AlreadyExists, InvalidArgument, NotFound, PayloadTooLarge, PermissionDenied
from services.common.identity import Identity
from services.inference.chats import tree, turn_request
from services.inference.chats.records import ChatRow, StoredChat
from services.inference.chats.reply_record import INTERRUPTED, ReplyRecord
from services.inference.chats.turns import ChatTurns
from services.inference.sse import Marker, Relayed
from tests.unit.fake_chat_store import FakeChatStore
from tests.unit.fake_turn_store import FakeTurnStore

MODEL = "llama3.2:latest"
ALICE = Identity("alice", name="Alice")
BOB = Identity("bob", name="Bob")


def run(coro):
    return asyncio.run(coro)


def ids():
    counter = iter(range(1000))
    return lambda: f"id{next(counter)}"


def setup(max_bytes: int = 1_000_000) -> tuple[ChatTurns, FakeChatStore]:
    chats = FakeChatStore()
    turns = ChatTurns(FakeTurnStore(chats), chats, max_bytes=max_bytes, clock=lambda: 1000.0, new_id=ids())
    return turns, chats


def seeded(chats: FakeChatStore, *messages: dict, current: str | None = None) -> str:
    row = ChatRow(
        id="c1",
        user_id="alice",
        title="Chat",
        blob={"title": "Chat", "history": {"messages": None, "currentId": current}},
        meta={},
        variables={},
        created_at=1,
        updated_at=1,
        current_message_id=current,
    )
    chats.chats["c1"] = StoredChat(
        row, {m["id"]: m for m in messages}, {m["id"]: i for i, m in enumerate(messages)}
    )
    return "c1"


def user_msg(key: str, parent: str | None = None, **extra) -> dict:
    return {"id": key, "parentId": parent, "childrenIds": [], "role": "user", "content": key, **extra}


def placeholder(key: str, parent: str | None, **extra) -> dict:
    return {"id": key, "parentId": parent, "childrenIds": [], "role": "assistant", "content": "", **extra}


def request(**body) -> turn_request.TurnRequest:
    parsed = turn_request.parse(body, MODEL)
    assert parsed is not None
    return parsed


# -- the request ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"chat_id": None},
        {"chat_id": "local:x", "id": "a"},
        {"chat_id": "temporary:x"},
        {"parent_id": "p"},
    ],
)
def test_plain_calls_are_not_tied(body: dict) -> None:
    assert turn_request.parse(body, MODEL) is None


def test_parent_id_null_creates() -> None:
    parsed = request(parent_id=None, background_tasks={"title_generation": True, "tags_generation": False})
    assert parsed.creates and parsed.assistant_ids == [] and parsed.background == {"title_generation"}


def test_message_ids_pick_this_models_entries() -> None:
    listed = request(
        chat_id="c", id="x", message_ids=[{"model_id": MODEL, "message_id": "m1"}, {"model_id": "o"}]
    )
    assert listed.assistant_ids == ["m1"]
    legacy = request(chat_id="c", message_ids={MODEL: "m2", "other": "m3"})
    assert legacy.assistant_ids == ["m2"]


@pytest.mark.parametrize(
    ("body", "error", "text"),
    [
        ({"chat_id": "c", "id": ""}, AlreadyExists, turn_request.MESSAGE_EXISTS),
        ({"chat_id": "c", "message_ids": [{"model_id": MODEL, "message_id": "a"}] * 2}, AlreadyExists, None),
        ({"chat_id": "c", "id": "a", "assistant_message_id": "b"}, InvalidArgument, "Invalid response ID."),
        ({"chat_id": "c", "id": "a", "user_message": {"id": "u"}}, InvalidArgument, "'role'"),
        ({"chat_id": 5, "id": "a"}, InvalidArgument, None),
    ],
)
def test_bad_ties_are_refused(body: dict, error: type, text: str | None) -> None:
    with pytest.raises(error) as raised:
        turn_request.parse(body, MODEL)
    if text is not None:
        assert raised.value.detail == text


# -- a new chat -------------------------------------------------------------------------------------


def test_creating_with_a_user_message() -> None:
    turns, chats = setup()
    parsed = request(parent_id=None, id="a1", user_message={"id": "u1", "role": "user", "content": "Hi"})
    turn = run(turns.begin(ALICE, parsed, {"messages": []}, "Llama"))
    chat = chats.chats[turn.chat_id]
    assert turn.created and turn.assistant_id == "a1"
    assert chat.row.title == "New Chat" and chat.row.blob["models"] == [MODEL]
    assert chat.row.blob["messages"] == [{"role": "user", "content": "Hi"}]
    assert chat.messages["u1"]["childrenIds"] == ["a1"] and chat.messages["u1"]["user"] == {
        "id": "alice",
        "name": "Alice",
    }
    assert chat.messages["a1"]["parentId"] == "u1" and chat.messages["a1"]["done"] is False
    assert chat.row.current_message_id == "a1"


def test_creating_without_user_message_keeps_the_conversation() -> None:
    turns, chats = setup()
    body = {"messages": [{"role": "system", "content": "s"}, {"role": "user", "content": "q"}]}
    turn = run(turns.begin(ALICE, request(parent_id=None), body, "Llama"))
    chat = chats.chats[turn.chat_id]
    user = next(m for m in chat.messages.values() if m["role"] == "user")
    assert user["content"] == "q" and chat.messages[turn.assistant_id]["parentId"] == user["id"]
    assert len(chat.messages) == 2


def test_creating_ignores_a_folder_that_is_not_the_callers() -> None:
    turns, chats = setup()
    chats.folders.add(("alice", "mine"))
    mine = run(turns.begin(ALICE, request(parent_id=None, folder_id="mine"), {}, "L"))
    theirs = run(turns.begin(ALICE, request(parent_id=None, folder_id="bobs"), {}, "L"))
    assert chats.chats[mine.chat_id].row.folder_id == "mine"
    assert chats.chats[theirs.chat_id].row.folder_id is None


def test_creating_past_the_size_limit_is_413() -> None:
    turns, _ = setup(max_bytes=300)
    parsed = request(parent_id=None, user_message={"role": "user", "content": "x" * 400})
    with pytest.raises(PayloadTooLarge):
        run(turns.begin(ALICE, parsed, {}, "L"))


# -- appending ----------------------------------------------------------------------------------------


def test_filling_a_placeholder_with_its_user_message() -> None:
    turns, chats = setup()
    seeded(chats, user_msg("u1", childrenIds=["a1"]), placeholder("a1", "u1"), current="a1")
    body = {"messages": [{"role": "system", "content": "sys"}, {"role": "user", "content": "ignored"}]}
    parsed = request(chat_id="c1", id="a1", user_message={"id": "u1", "role": "user", "content": "u1"})
    turn = run(turns.begin(ALICE, parsed, body, "Llama"))
    # The prompt is the stored branch, with the request's system message.
    assert turn.messages == [{"role": "system", "content": "sys"}, {"role": "user", "content": "u1"}]
    a1 = chats.chats["c1"].messages["a1"]
    assert a1["parentId"] == "u1" and a1["done"] is False and a1["model"] == MODEL


def test_a_placeholder_keeps_its_parent_without_user_message() -> None:
    turns, chats = setup()
    seeded(chats, user_msg("u1"), placeholder("a1", "u1"), current="a1")
    turn = run(turns.begin(ALICE, request(chat_id="c1", id="a1"), {}, "L"))
    assert turn.messages is None and chats.chats["c1"].messages["a1"]["parentId"] == "u1"


def test_a_new_turn_hangs_under_its_parent_and_is_listed_there() -> None:
    turns, chats = setup()
    seeded(
        chats,
        user_msg("u1", childrenIds=["a1"]),
        placeholder("a1", "u1", content="hi", done=True),
        current="a1",
    )
    parsed = request(
        chat_id="c1", id="a2", user_message={"id": "u2", "parentId": "a1", "role": "user", "content": "more"}
    )
    run(turns.begin(ALICE, parsed, {}, "L"))
    chat = chats.chats["c1"]
    # The stored parent's row is not rewritten; every read lists the child under it.
    assert chat.messages["a1"]["childrenIds"] == [] and chat.messages["u2"]["childrenIds"] == ["a2"]
    assert tree.repair(chat.messages, chat.row.current_message_id)[0]["a1"]["childrenIds"] == ["u2"]
    assert chat.row.current_message_id == "a2" and chat.positions["u2"] < chat.positions["a2"]


def test_a_new_placeholder_without_user_message_goes_under_the_current_message() -> None:
    turns, chats = setup()
    seeded(chats, user_msg("u1"), current="u1")
    run(turns.begin(ALICE, request(chat_id="c1", id="a1"), {}, "L"))
    chat = chats.chats["c1"]
    assert chat.messages["a1"]["parentId"] == "u1"
    assert tree.repair(chat.messages, None)[0]["u1"]["childrenIds"] == ["a1"]


@pytest.mark.parametrize(
    "stored",
    [
        placeholder("a1", "u1", done=True),
        placeholder("a1", "u1", content="already"),
        placeholder("a1", "u1", user_id="bob"),
        user_msg("a1"),
    ],
)
def test_a_message_that_is_not_an_open_placeholder_is_409(stored: dict) -> None:
    turns, chats = setup()
    seeded(chats, user_msg("u1"), stored, current="a1")
    with pytest.raises(AlreadyExists) as raised:
        run(turns.begin(ALICE, request(chat_id="c1", id="a1"), {}, "L"))
    assert raised.value.detail == turn_request.MESSAGE_EXISTS


def test_append_refusals() -> None:
    turns, chats = setup()
    seeded(chats, user_msg("u1"), placeholder("a1", "u1", content="x", done=True), current="a1")
    with pytest.raises(AlreadyExists, match="Message already exists"):
        run(turns.begin(ALICE, request(chat_id="c1"), {}, "L"))
    with pytest.raises(PermissionDenied) as regenerate:
        run(
            turns.begin(
                ALICE, request(chat_id="c1", id="a2", user_message={"id": "a1", "role": "user"}), {}, "L"
            )
        )
    assert (regenerate.value.detail, regenerate.value.http_status) == (turn_request.REGENERATE_USER_ONLY, 403)
    gone = request(chat_id="c1", id="a2", user_message={"id": "u2", "parentId": "zz", "role": "user"})
    with pytest.raises(AlreadyExists, match="Parent message no longer exists"):
        run(turns.begin(ALICE, gone, {}, "L"))
    with pytest.raises(NotFound):
        run(turns.begin(BOB, request(chat_id="c1", id="a2"), {}, "L"))
    with pytest.raises(NotFound):
        run(turns.begin(ALICE, request(chat_id="nope", id="a2"), {}, "L"))
    assert sorted(chats.chats["c1"].messages) == ["a1", "u1"]


def test_appending_past_the_size_limit_is_413() -> None:
    turns, chats = setup(max_bytes=400)
    seeded(chats, user_msg("u1"), current="u1")
    parsed = request(
        chat_id="c1",
        id="a1",
        user_message={"id": "u2", "parentId": "u1", "role": "user", "content": "x" * 300},
    )
    with pytest.raises(PayloadTooLarge):
        run(turns.begin(ALICE, parsed, {}, "L"))


def test_continuing_a_reply_appends_to_it() -> None:
    turns, chats = setup()
    seeded(
        chats,
        user_msg("u1"),
        placeholder("a1", "u1", content="Hello", done=True, user_id="alice"),
        current="a1",
    )
    turn = run(turns.begin(ALICE, request(chat_id="c1", assistant_message_id="a1"), {}, "L"))
    record = ReplyRecord()
    record.read_body(200, b'{"choices":[{"message":{"content":" world"}}]}')
    run(turns.finish(turn, record))
    assert chats.chats["c1"].messages["a1"]["content"] == "Hello world"
    with pytest.raises(PermissionDenied):
        run(turns.begin(ALICE, request(chat_id="c1", assistant_message_id="u1"), {}, "L"))


# -- the reply ----------------------------------------------------------------------------------------


def test_a_streamed_reply_is_stored_with_usage_and_sources() -> None:
    turns, chats = setup()
    seeded(chats, user_msg("u1"), placeholder("a1", "u1"), current="a1")
    turn = run(turns.begin(ALICE, request(chat_id="c1", id="a1"), {}, "L"))
    record = ReplyRecord()
    record.read_event({"sources": [{"source": {"id": "f"}}]})
    record.read_event(Relayed(b'data: {"choices":[{"delta":{"content":"Hel"}}]}\n\n'))
    record.read_event(
        {"choices": [{"delta": {"content": "lo"}}], "usage": {"prompt_tokens": 3, "completion_tokens": 2}}
    )
    record.read_event(Marker.DONE)
    run(turns.finish(turn, record))
    a1 = chats.chats["c1"].messages["a1"]
    assert a1["content"] == "Hello" and a1["done"] is True and "error" not in a1
    assert a1["usage"] == {
        "prompt_tokens": 3,
        "completion_tokens": 2,
        "input_tokens": 3,
        "output_tokens": 2,
        "total_tokens": 5,
    }
    assert a1["sources"] == [{"source": {"id": "f"}}]
    assert a1["output"][0]["content"] == [{"type": "output_text", "text": "Hello"}]


def test_failures_and_interruptions_are_marked() -> None:
    failed = ReplyRecord()
    failed.read_body(500, b'{"error": {"message": "boom"}}')
    assert failed.fields()["error"] == {"content": "boom"} and failed.fields()["done"] is True
    cut = ReplyRecord()
    cut.read_event({"choices": [{"delta": {"content": "part"}}]})
    cut.failed(INTERRUPTED)
    fields = cut.fields()
    assert fields["content"] == "part" and fields["error"] == {"content": INTERRUPTED}
    assert fields["output"][0]["status"] == "incomplete"


def test_a_reply_for_a_deleted_chat_is_dropped() -> None:
    turns, chats = setup()
    seeded(chats, user_msg("u1"), placeholder("a1", "u1"), current="a1")
    turn = run(turns.begin(ALICE, request(chat_id="c1", id="a1"), {}, "L"))
    del chats.chats["c1"]
    run(turns.finish(turn, ReplyRecord()))
    assert chats.chats == {}


def test_outlet_text_is_stored_with_the_original() -> None:
    turns, chats = setup()
    seeded(chats, user_msg("u1"), placeholder("a1", "u1", content="raw", done=True), current="a1")
    assert run(turns.store_outlet(ALICE, "c1", "a1", "filtered")) is True
    a1 = chats.chats["c1"].messages["a1"]
    assert (a1["content"], a1["originalContent"]) == ("filtered", "raw")
    assert run(turns.store_outlet(BOB, "c1", "a1", "evil")) is False
    assert run(turns.store_outlet(ALICE, "c1", "u1", "not a reply")) is False


def test_background_results_are_written() -> None:
    turns, chats = setup()
    seeded(chats, user_msg("u1"), placeholder("a1", "u1"), current="a1")
    turn = run(turns.begin(ALICE, request(chat_id="c1", id="a1"), {}, "L"))
    run(turns.set_title("c1", "Mars"))
    run(turns.set_tags(ALICE, "c1", ["Science", "Outer Space", "none"]))
    run(turns.set_follow_ups(turn, ["Why?"]))
    chat = chats.chats["c1"]
    assert chat.row.title == "Mars" and chat.row.blob["title"] == "Mars"
    assert chat.row.meta["tags"] == ["science", "outer_space"]
    assert sorted(tag_id for (_, tag_id) in chats.tag_rows) == ["outer_space", "science"]
    assert chat.messages["a1"]["followUps"] == ["Why?"]
    assert run(turns.conversation(turn)) == [
        {"role": "user", "content": "u1"},
        {"role": "assistant", "content": ""},
    ]


def test_nul_in_what_would_be_stored_is_400() -> None:
    with pytest.raises(InvalidArgument, match="NUL"):
        turn_request.parse({"chat_id": "c", "id": "a\x00"}, MODEL)
    with pytest.raises(InvalidArgument, match="NUL"):
        turn_request.parse({"parent_id": None, "messages": [{"role": "user", "content": "\x00"}]}, MODEL)
    record = ReplyRecord()
    record.read_event({"choices": [{"delta": {"content": "a\x00b"}}]})
    assert record.fields()["content"] == "ab"


def test_the_chats_folder_gives_its_system_prompt_and_files() -> None:
    turns, chats = setup()
    store = turns._store
    seeded(chats, user_msg("u1"), placeholder("a1", "u1"), current="a1")
    chats.chats["c1"].row.folder_id = "f1"
    store.folder_datas[("alice", "f1")] = {
        "system_prompt": "Be brief.",
        "files": [{"type": "file", "id": "x"}],
    }
    turn = run(turns.begin(ALICE, request(chat_id="c1", id="a1"), {}, "L"))
    assert run(turns.folder_context(ALICE, turn)) == ("Be brief.", [{"type": "file", "id": "x"}])
    plain = run(turns.begin(ALICE, request(parent_id=None), {}, "L"))
    assert run(turns.folder_context(ALICE, plain)) == (None, [])


def test_a_reply_replaces_its_placeholder_even_when_it_changed() -> None:
    turns, chats = setup()
    seeded(chats, user_msg("u1"), placeholder("a1", "u1"), current="a1")
    turn = run(turns.begin(ALICE, request(chat_id="c1", id="a1"), {}, "L"))
    assert turn.written is not None and turn.written["done"] is False
    chats.chats["c1"].messages["a1"]["statusHistory"] = [{"description": "searching"}]
    record = ReplyRecord()
    record.read_body(200, b'{"choices":[{"message":{"content":"done"}}]}')
    run(turns.finish(turn, record))
    a1 = chats.chats["c1"].messages["a1"]
    assert a1["content"] == "done" and a1["statusHistory"] == [{"description": "searching"}]
