"""The chat message tree without storage: authorship stamps, repair on read, the update union,
deleting a message, the blob split into row and message rows and put back, and search text."""

import pytest

from services.common.errors import InvalidArgument
from services.common.identity import Identity
from services.inference.chats import blob, search_query, tree

ALICE = Identity("alice", role="user", name="Alice")


def msg(key: str, parent: str | None, role: str = "user", **extra: object) -> dict:
    return {"id": key, "parentId": parent, "childrenIds": [], "role": role, "content": key, **extra}


def test_stamps_mark_every_message_and_name_the_user_on_user_messages() -> None:
    assert tree.stamp(msg("u", None), ALICE)["user"] == {"id": "alice", "name": "Alice"}
    stamped = tree.stamp(msg("a", "u", "assistant", user_id="someone"), ALICE)
    assert stamped["user_id"] == "alice" and "user" not in stamped
    assert tree.stamp_list([{"role": "user"}, "odd"], ALICE) == [
        {"role": "user", "user_id": "alice", "user": {"id": "alice", "name": "Alice"}},
        "odd",
    ]


def test_repair_links_children_and_moves_current_down_the_last_branch() -> None:
    messages = {"u": msg("u", None), "a": msg("a", "u", "assistant"), "b": msg("b", "u", "assistant")}
    repaired, current = tree.repair(messages, "u")
    assert repaired["u"]["childrenIds"] == ["a", "b"]
    assert current == "b"
    assert messages["u"]["childrenIds"] == []  # the input is left alone


def test_repair_keeps_listed_children_in_their_order() -> None:
    messages = {"u": msg("u", None, childrenIds=["b", "a"]), "a": msg("a", "u"), "b": msg("b", "u")}
    repaired, current = tree.repair(messages, "u")
    assert repaired["u"]["childrenIds"] == ["b", "a"] and current == "a"


def test_repair_picks_the_newest_leaf_when_current_is_not_a_message() -> None:
    messages = {
        "u": msg("u", None, timestamp=1),
        "a": msg("a", "u", timestamp=5),
        "b": msg("b", "u", timestamp=3),
    }
    assert tree.repair(messages, "gone")[1] == "a"
    assert tree.repair(messages, None)[1] == "a"
    assert tree.repair({}, "x") == ({}, "x")


def test_repair_survives_cycles() -> None:
    messages = {"a": msg("a", "b", childrenIds=["b"]), "b": msg("b", "a", childrenIds=["a"])}
    assert tree.repair(messages, "a")[1] in ("a", "b")


def test_merge_unions_and_protects_replies_in_progress_and_other_authors() -> None:
    stored = {
        "u": msg("u", None, user_id="alice"),
        "a": msg("a", "u", "assistant", user_id="alice", done=False),
        "x": msg("x", "u", "user", user_id="bob"),
    }
    sent = {"a": msg("a", "u", "assistant", content="overwrite"), "x": msg("x", "u"), "n": msg("n", "a")}
    merged = tree.merge(stored, sent, ALICE)
    assert list(merged) == ["u", "a", "x", "n"]
    assert merged["a"]["content"] == "a" and merged["x"]["user_id"] == "bob"
    assert merged["n"]["user_id"] == "alice"
    assert merged["u"]["childrenIds"] == ["a", "x"] and merged["a"]["childrenIds"] == ["n"]


def test_delete_drops_children_and_lifts_grandchildren() -> None:
    messages = tree.recompute_children(
        {"u": msg("u", None), "a": msg("a", "u"), "b": msg("b", "a"), "c": msg("c", "b"), "d": msg("d", "a")}
    )
    kept = tree.delete(messages, "a")
    assert list(kept) == ["u", "c"]
    assert kept["c"]["parentId"] == "u" and kept["u"]["childrenIds"] == ["c"]
    assert tree.after_delete_current(kept, "d", "u") == "u"
    assert tree.after_delete_current(kept, "c", "u") == "c"
    assert tree.delete(messages, "nope") == messages


def test_content_text_of_strings_and_parts() -> None:
    assert tree.content_text("hi") == "hi"
    assert tree.content_text([{"type": "text", "text": "a"}, {"type": "image_url"}, "b"]) == "a\nb"
    assert tree.content_text(None) == ""


def test_split_and_assemble_keep_the_clients_key_order() -> None:
    chat = {"title": "t", "history": {"messages": {"u": msg("u", None)}, "currentId": "u"}, "models": []}
    kept, messages, current = blob.split(chat)
    assert kept == {"title": "t", "history": {"messages": None, "currentId": "u"}, "models": []}
    assert list(messages) == ["u"] and current == "u"
    assembled = blob.assemble(kept, messages, "u")
    assert assembled == chat and list(assembled) == ["title", "history", "models"]
    assert list(assembled["history"]) == ["messages", "currentId"]


def test_split_without_history_and_assemble_with_new_messages() -> None:
    kept, messages, current = blob.split({"title": "t"})
    assert (kept, messages, current) == ({"title": "t"}, None, None)
    assert blob.assemble(kept, {}, None) == {"title": "t"}
    assert blob.assemble(kept, {"n": {"id": "n"}}, "n")["history"] == {
        "messages": {"n": {"id": "n"}},
        "currentId": "n",
    }


@pytest.mark.parametrize(
    ("chat", "field"),
    [
        ({"history": []}, "chat.history must be an object"),
        ({"history": {"messages": []}}, "chat.history.messages must be an object"),
        ({"history": {"messages": {"m": "x"}}}, "chat.history.messages.m must be an object"),
        (
            {"history": {"messages": {"m": {"parentId": 1}}}},
            "chat.history.messages.m.parentId must be a string or null",
        ),
        (
            {"history": {"messages": {"m": {"childrenIds": [1]}}}},
            "chat.history.messages.m.childrenIds must be",
        ),
        ({"history": {"currentId": 5}}, "chat.history.currentId must be a string or null"),
    ],
)
def test_a_malformed_history_names_the_field(chat: dict, field: str) -> None:
    with pytest.raises(InvalidArgument) as raised:
        blob.split(chat)
    assert raised.value.detail.startswith(field)


def test_search_text_filters_and_words() -> None:
    query = search_query.parse(
        "Sourdough  Bread tag:My_Tag pinned:true archived:true shared:false folder:Work"
    )
    assert query.phrase == "Sourdough Bread" and query.words == ["sourdough", "bread"]
    assert query.tags == ["my_tag"] and query.pinned is True and query.archived is True
    assert query.shared is False and query.folder == "Work"
    assert search_query.parse("x").archived is False and search_query.parse("x").pinned is None


def test_snippet_is_cut_around_the_first_match() -> None:
    text = "a" * 300 + " needle " + "b" * 300
    shown = search_query.snippet(text, ["NEEDLE"])
    assert shown.startswith("…") and shown.endswith("…") and "needle" in shown
    assert len(shown) <= search_query.SNIPPET_CHARS + 2
    assert search_query.snippet("short needle", ["needle"]) == "short needle"
    assert search_query.snippet("nothing", ["needle"]) is None
