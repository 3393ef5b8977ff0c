"""Stored chats on real PostgreSQL: the rows a chat is kept in, one-message writes, lists, search
(full-text and trigram indexes), tags, and a writer that lost a race starting again."""

import asyncpg
import orjson
import pytest

from services.common import errors
from services.inference.chats.lists import ChatLists
from services.inference.chats.repository import ChatRepository
from services.inference.chats.service import ChatService
from services.inference.chats.tags import ChatTags
from tests.integration.chat_support import ALICE, BOB, Clock


@pytest.fixture
def pool(inference_pool: asyncpg.Pool) -> asyncpg.Pool:
    return inference_pool


@pytest.fixture
def parts(pool: asyncpg.Pool) -> tuple[ChatRepository, ChatService, ChatLists, ChatTags]:
    store = ChatRepository(pool)
    chats = ChatService(store, admin_access=True, max_bytes=64 * 1024, clock=Clock())
    return store, chats, ChatLists(store), ChatTags(store, chats, admin_access=True)


def form(title: str, *texts: str, **extra: object) -> bytes:
    messages, parent = {}, None
    for i, text in enumerate(texts):
        key = f"m{i}"
        messages[key] = {
            "id": key,
            "parentId": parent,
            "childrenIds": [],
            "role": "user" if i % 2 == 0 else "assistant",
            "content": text,
            "timestamp": 100 + i,
        }
        parent = key
    chat = {"title": title, "models": ["m"], "history": {"messages": messages, "currentId": parent}}
    return orjson.dumps({"chat": chat, **extra})


async def test_a_chat_is_a_row_and_a_row_per_message(parts, pool: asyncpg.Pool) -> None:
    _, chats, _, _ = parts
    view = await chats.create(ALICE, form("Hello", "hi there", "hello back"))
    assert view.blob["history"]["currentId"] == "m1"
    assert view.blob["history"]["messages"]["m0"]["childrenIds"] == ["m1"]
    assert view.blob["history"]["messages"]["m0"]["user"] == {"id": "alice", "name": "Alice"}
    stored = await pool.fetchval("SELECT chat::text FROM inference_chat WHERE id = $1", view.row.id)
    assert '"messages":null' in stored  # the messages live in their own rows
    rows = await pool.fetch(
        "SELECT id, role, parent_id, content_text FROM inference_chat_message "
        "WHERE chat_id = $1 ORDER BY position",
        view.row.id,
    )
    assert [(r["id"], r["role"], r["parent_id"], r["content_text"]) for r in rows] == [
        ("m0", "user", None, "hi there"),
        ("m1", "assistant", "m0", "hello back"),
    ]
    again = await chats.get(ALICE, view.row.id)
    assert again.blob == view.blob
    assert list(again.blob) == ["title", "models", "history"]  # the client's key order


async def test_changing_one_message_rewrites_only_its_row(parts, pool: asyncpg.Pool) -> None:
    _, chats, _, _ = parts
    view = await chats.create(ALICE, form("T", "a", "b", "c"))
    before = {
        r["id"]: r["updated_at"]
        for r in await pool.fetch(
            "SELECT id, updated_at FROM inference_chat_message WHERE chat_id = $1", view.row.id
        )
    }
    changed = await chats.upsert_message(ALICE, view.row.id, "m1", "B!", None)
    assert changed.blob["history"]["messages"]["m1"]["content"] == "B!"
    after = {
        r["id"]: r["updated_at"]
        for r in await pool.fetch(
            "SELECT id, updated_at FROM inference_chat_message WHERE chat_id = $1", view.row.id
        )
    }
    assert after["m0"] == before["m0"] and after["m2"] == before["m2"]
    assert after["m1"] > before["m1"]


async def test_update_unions_histories_and_keeps_foreign_messages(parts) -> None:
    _, chats, _, _ = parts
    view = await chats.create(ALICE, form("T", "a", "b"))
    sent = {
        "chat": {
            "history": {
                "messages": {
                    "m1": {"id": "m1", "parentId": "m0", "role": "assistant", "content": "B"},
                    "m2": {"id": "m2", "parentId": "m1", "role": "user", "content": "c"},
                },
                "currentId": "m2",
            }
        }
    }
    updated = await chats.update(ALICE, view.row.id, orjson.dumps(sent))
    history = updated.blob["history"]
    assert list(history["messages"]) == ["m0", "m1", "m2"]
    assert history["messages"]["m1"]["content"] == "B"
    assert history["messages"]["m1"]["childrenIds"] == ["m2"]
    assert history["currentId"] == "m2"
    assert updated.row.updated_at > view.row.updated_at
    renamed = await chats.update(ALICE, view.row.id, orjson.dumps({"chat": {"title": "New"}}))
    assert renamed.row.title == "New" and renamed.row.updated_at == updated.row.updated_at
    with pytest.raises(errors.PermissionDenied):
        await chats.update(BOB, view.row.id, orjson.dumps({"chat": {"title": "x"}}))


async def test_lists_pinned_archived_and_pages(parts) -> None:
    _, chats, lists, _ = parts
    ids = [(await chats.create(ALICE, form(f"chat {i}"))).row.id for i in range(3)]
    await chats.create(BOB, form("bob's"))
    await chats.pin(ALICE, ids[0])
    await chats.archive(ALICE, ids[1])
    assert [
        c.id
        for c in await lists.active(
            ALICE, page=0, include_pinned=False, include_folders=False, sort_by="updated_at", ascending=False
        )
    ] == [ids[2]]
    both = await lists.active(
        ALICE, page=1, include_pinned=True, include_folders=False, sort_by="title", ascending=True
    )
    assert [c.id for c in both] == [ids[0], ids[2]]
    assert [c.id for c in await lists.pinned(ALICE)] == [ids[0]]
    archived = await lists.archived(ALICE, page=1, query="chat", order_by="title", ascending=True)
    assert [(c.id, c.archived, c.last_read_at) for c in archived] == [(ids[1], False, None)]
    assert await lists.count_archived(ALICE) == 1
    await chats.set_archived_all(ALICE, True)
    assert await lists.count_archived(ALICE) == 3
    await chats.set_archived_all(ALICE, False)
    assert await lists.count_archived(ALICE) == 0
    # Newest first: archiving and pinning touched ``updated_at``.
    assert [v.row.id async for v in chats.stream(ALICE, archived_only=False)] == [ids[1], ids[0], ids[2]]
    await chats.archive(ALICE, ids[2])
    assert [v.row.id async for v in chats.stream(ALICE, archived_only=True)] == [ids[2]]


async def test_search_phrase_words_and_filters(parts) -> None:
    _, chats, lists, tags = parts
    a = (await chats.create(ALICE, form("Cooking", "how to bake sourdough bread", "use a starter"))).row.id
    b = (await chats.create(ALICE, form("Other", "bread and butter", "sourdough is nice"))).row.id
    await chats.create(BOB, form("bob", "sourdough bread"))
    hits = await lists.search(ALICE, "sourdough bread", 1)
    assert [h.id for h in hits] == [a, b]  # the exact phrase first, then every word
    assert "sourdough bread" in hits[0].snippet
    assert [h.id for h in await lists.search(ALICE, "COOK", 1)] == [a]
    await tags.add(ALICE, b, "Baking Stuff")
    assert [h.id for h in await lists.search(ALICE, "bread tag:baking_stuff", 1)] == [b]
    assert [h.id for h in await lists.search(ALICE, "bread tag:none", 1)] == [a]
    assert await lists.search(ALICE, "bread archived:true", 1) == []
    assert await lists.search(ALICE, "bread folder:x", 1) == []


async def test_tags_are_per_user_and_dropped_when_unused(parts) -> None:
    _, chats, lists, tags = parts
    chat = (await chats.create(ALICE, form("T"))).row.id
    assert [t.id for t in await tags.add(ALICE, chat, "My Tag")] == ["my_tag"]
    assert [t.id for t in await tags.add(ALICE, chat, "my tag")] == ["my_tag"]
    with pytest.raises(errors.InvalidArgument):
        await tags.add(ALICE, chat, "None")
    assert [(t.id, t.name, t.user_id) for t in await tags.all(ALICE)] == [("my_tag", "My Tag", "alice")]
    assert await tags.all(BOB) == []
    assert [c.id for c in await lists.by_tag(ALICE, "My Tag", 0, 50)] == [chat]
    assert await tags.remove(ALICE, chat, "my_tag") == []
    assert await tags.all(ALICE) == []


async def test_delete_message_reparents_grandchildren(parts) -> None:
    _, chats, _, _ = parts
    view = await chats.create(ALICE, form("T", "a", "b", "c", "d"))
    after = await chats.delete_message(ALICE, view.row.id, "m1")
    messages = after.blob["history"]["messages"]
    assert list(messages) == ["m0", "m3"]
    assert messages["m3"]["parentId"] == "m0" and messages["m0"]["childrenIds"] == ["m3"]
    assert after.current_message_id == "m3"


async def test_a_lost_race_starts_again(parts) -> None:
    store, chats, _, _ = parts
    view = await chats.create(ALICE, form("T", "a"))
    stale = await store.load(view.row.id)
    await chats.upsert_message(ALICE, view.row.id, "m0", "first", None)
    assert not await store.save(stale.row, {}, [], 5)
    await chats.upsert_message(ALICE, view.row.id, "m0", "second", None)
    assert (await chats.get(ALICE, view.row.id)).blob["history"]["messages"]["m0"]["content"] == "second"


async def test_too_large_and_malformed(parts) -> None:
    _, chats, _, _ = parts
    with pytest.raises(errors.PayloadTooLarge):
        await chats.create(ALICE, form("T", "x" * 70_000))
    with pytest.raises(errors.InvalidArgument, match=r"chat\.history\.messages\.m0\.parentId"):
        await chats.create(ALICE, orjson.dumps({"chat": {"history": {"messages": {"m0": {"parentId": 3}}}}}))


async def test_search_and_pinned_indexes_exist(pool: asyncpg.Pool) -> None:
    names = {r["indexname"] for r in await pool.fetch("SELECT indexname FROM pg_indexes")}
    assert {
        "inference_chat_title_tsv",
        "inference_chat_message_tsv",
        "inference_chat_title_trgm",
        "inference_chat_message_lower_trgm",
        "inference_chat_pinned",
    } <= names
    # Phrase search reads the lower-cased copy; the trigram index on the original text is gone.
    assert "inference_chat_message_trgm" not in names


async def test_phrase_search_is_ilike(parts, pool: asyncpg.Pool) -> None:
    # `content_lower LIKE lower(pattern)` finds what `content_text ILIKE pattern` finds: case
    # folded beyond ASCII, LIKE's wildcards taken literally, a substring of a word.
    _, chats, lists, _ = parts
    a = (await chats.create(ALICE, form("A", "Grüße aus MÜNCHEN", "100%_sure"))).row.id
    b = (await chats.create(ALICE, form("B", "no match here", "une école"))).row.id
    assert [h.id for h in await lists.search(ALICE, "münchen", 1)] == [a]
    assert [h.id for h in await lists.search(ALICE, "GRÜSSE", 1)] == []  # lower(), not case folding
    assert [h.id for h in await lists.search(ALICE, "%_s", 1)] == [a]
    assert await lists.search(ALICE, "0_s", 1) == []  # `_` is not a wildcard
    assert [h.id for h in await lists.search(ALICE, "ÉCOLE", 1)] == [b]
    for text in ("münchen", "%_s", "ÉCOLE", "atch her", "xyz"):
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        by_ilike = await pool.fetch(
            "SELECT id FROM inference_chat_message WHERE content_text ILIKE $1 ORDER BY chat_id, id", pattern
        )
        by_lower = await pool.fetch(
            "SELECT id FROM inference_chat_message WHERE content_lower LIKE lower($1) ORDER BY chat_id, id",
            pattern,
        )
        assert by_ilike == by_lower


async def test_search_hits_order_and_snippets(parts) -> None:
    _, chats, lists, tags = parts
    # A word hit (every word, not the phrase) comes after every phrase hit, however new it is.
    words_only = (await chats.create(ALICE, form("W", "red fox", "a fox that is blue"))).row.id
    in_title = (await chats.create(ALICE, form("Blue fox facts", "nothing", "else"))).row.id
    in_message = (await chats.create(ALICE, form("M", "first", "the blue fox ran", "blue fox again"))).row.id
    newest_words = (await chats.create(ALICE, form("N", "fox", "is blue"))).row.id
    hits = await lists.search(ALICE, "blue fox", 1)
    assert [h.id for h in hits] == [in_message, in_title, newest_words, words_only]
    snippets = [h.snippet for h in hits]
    assert snippets[0] == "the blue fox ran"  # the first matching message, by position
    assert snippets[1] == "Blue fox facts"  # only the title matched
    assert snippets[3] == "a fox that is blue"  # the first message with every word
    # No message has the phrase or every word, nor has the title: no snippet.
    assert snippets[2] is None
    # Only filters: every chat that passes them, newest first, with its first message.
    await tags.add(ALICE, words_only, "Animals")
    await tags.add(ALICE, in_message, "Animals")
    only = await lists.search(ALICE, "tag:animals", 1)
    assert [h.id for h in only] == [in_message, words_only]
    assert await lists.search(ALICE, "tag:animals", 2) == []


async def test_a_huge_message_is_stored_and_found(pool: asyncpg.Pool) -> None:
    # A tsvector holds at most 1 MB: only the start of a message is indexed by words.
    store = ChatRepository(pool)
    chats = ChatService(store, admin_access=True, max_bytes=8 * 1024 * 1024)
    words = " ".join(f"w{i}" for i in range(400_000))
    chat = (await chats.create(ALICE, form("Huge", words + " needle"))).row.id
    hits = await ChatLists(store).search(ALICE, "needle", 1)
    assert [h.id for h in hits] == [chat]


async def test_stream_reads_every_chat_in_batches(parts) -> None:
    _, chats, _, _ = parts
    made = [(await chats.create(ALICE, form(f"c{i}", "q", "a"))).row.id for i in range(25)]
    streamed = [view async for view in chats.stream(ALICE, archived_only=False)]
    assert sorted(v.row.id for v in streamed) == sorted(made)
    assert all(list(v.blob["history"]["messages"]) == ["m0", "m1"] for v in streamed)
