"""``POST /api/chat/completions`` tied to stored chats (api-contract-2.md §1.4, §1.5): the
backend-controlled flow step by step, the one-call flow streamed and not with the ``openai``
client, the 409/403/404 rules, background tasks, failures and a client that leaves mid-stream."""

import json
import threading
import time
import uuid

import pytest
import requests

from tests.e2e.chat_support import LLAMA, client, delta_text, eventually, installed, post, sse_events
from tests.e2e.conftest import Account, Running
from tests.fakes.ollama import FakeOllama

NOT_FOUND = "We could not find what you're looking for :/"
MESSAGE_EXISTS = "Message already exists or has an invalid ID."
TITLE_TASK = "Generate a concise title summarizing"
TAGS_TASK = "Generate 1-3 broad tags"
FOLLOW_UP_TASK = "Suggest 3-5 relevant follow-up questions"


def chat_of(running: Running, account: Account, chat_id: str) -> dict:
    reply = requests.get(f"{running.url}/api/v1/chats/{chat_id}", headers=account.headers, timeout=30)
    assert reply.status_code == 200, reply.text
    return reply.json()


def new_chat(running: Running, account: Account, user_id: str, assistant_id: str, text: str) -> str:
    """Step 1 of §1.5: a chat holding user message ``user_id`` and an empty placeholder."""
    history = {
        "currentId": assistant_id,
        "messages": {
            user_id: {
                "id": user_id,
                "parentId": None,
                "childrenIds": [assistant_id],
                "role": "user",
                "content": text,
                "timestamp": 1_796_220_000,
            },
            assistant_id: {
                "id": assistant_id,
                "parentId": user_id,
                "childrenIds": [],
                "role": "assistant",
                "content": "",
                "model": LLAMA,
                "timestamp": 1_796_220_001,
            },
        },
    }
    reply = post(running, "/api/v1/chats/new", account, {"chat": {"title": "Flow", "history": history}})
    assert reply.status_code == 200, reply.text
    return reply.json()["id"]


def complete(running: Running, account: Account, body: dict) -> requests.Response:
    return post(running, "/api/chat/completions", account, {"model": LLAMA, "stream": False, **body})


def test_backend_controlled_flow_step_by_step(running: Running, ollama: FakeOllama, user: Account) -> None:
    chat_id = new_chat(running, user, "u1", "a1", "Hello there")
    step2 = complete(
        running,
        user,
        {
            "messages": [{"role": "user", "content": "Hello there"}],
            "chat_id": chat_id,
            "id": "a1",
            "user_message": {"id": "u1", "role": "user", "content": "Hello there"},
        },
    )
    assert step2.status_code == 200, step2.text
    answer = step2.json()
    assert answer["chat_id"] == chat_id and step2.headers["X-Chat-Id"] == chat_id
    text = answer["choices"][0]["message"]["content"]

    stored = chat_of(running, user, chat_id)
    messages = stored["chat"]["history"]["messages"]
    reply = messages["a1"]
    assert reply["content"] == text and reply["done"] is True
    assert reply["parentId"] == "u1" and messages["u1"]["childrenIds"] == ["a1"]
    assert reply["model"] == LLAMA and isinstance(reply["timestamp"], int)
    assert reply["output"][0]["type"] == "message"
    assert reply["output"][0]["content"][0] == {"type": "output_text", "text": text}
    usage = reply["usage"]
    assert usage["input_tokens"] == usage["prompt_tokens"] and usage["output_tokens"] > 0
    assert stored["chat"]["history"]["currentId"] == "a1" and stored["current_message_id"] == "a1"

    # Step 5: the same placeholder again is refused; the next turn hangs under the reply.
    again = complete(running, user, {"messages": [], "chat_id": chat_id, "id": "a1"})
    assert (again.status_code, again.json()) == (409, {"detail": MESSAGE_EXISTS})
    turn2 = complete(
        running,
        user,
        {
            "messages": [{"role": "user", "content": "ignored: the branch is the prompt"}],
            "chat_id": chat_id,
            "id": "a2",
            "user_message": {"id": "u2", "parentId": "a1", "role": "user", "content": "And then?"},
        },
    )
    assert turn2.status_code == 200, turn2.text
    # The prompt was rebuilt from the stored branch: u1, a1, u2.
    sent = json.loads(ollama.requests[-1].body)["messages"]
    assert [m["content"] for m in sent] == ["Hello there", text, "And then?"]
    messages = chat_of(running, user, chat_id)["chat"]["history"]["messages"]
    assert messages["a1"]["childrenIds"] == ["u2"] and messages["u2"]["childrenIds"] == ["a2"]
    assert messages["u2"]["user"]["id"] == user.id and messages["a2"]["done"] is True


def test_placeholder_keeps_its_parent_without_user_message(running: Running, user: Account) -> None:
    chat_id = new_chat(running, user, "u1", "a1", "Keep my parent")
    reply = complete(
        running,
        user,
        {"messages": [{"role": "user", "content": "Keep my parent"}], "chat_id": chat_id, "id": "a1"},
    )
    assert reply.status_code == 200, reply.text
    messages = chat_of(running, user, chat_id)["chat"]["history"]["messages"]
    # Open WebUI resets it to null here (a documented difference).
    assert messages["a1"]["parentId"] == "u1" and messages["a1"]["done"] is True


def test_refusals(running: Running, user: Account, other_user: Account) -> None:
    chat_id = new_chat(running, user, "u1", "a1", "Rules")
    body = {"messages": [{"role": "user", "content": "x"}], "chat_id": chat_id}
    no_id = complete(running, user, body)
    assert (no_id.status_code, no_id.json()) == (409, {"detail": MESSAGE_EXISTS})
    regenerate = complete(running, user, {**body, "id": "a9", "user_message": {"id": "a1", "role": "user"}})
    assert (regenerate.status_code, regenerate.json()) == (
        403,
        {"detail": "You can only regenerate replies to user messages."},
    )
    gone = complete(
        running, user, {**body, "id": "a9", "user_message": {"id": "u9", "parentId": "nope", "role": "user"}}
    )
    assert (gone.status_code, gone.json()) == (409, {"detail": "Parent message no longer exists."})
    unknown = complete(running, user, {**body, "chat_id": str(uuid.uuid4()), "id": "a9"})
    assert (unknown.status_code, unknown.json()) == (404, {"detail": NOT_FOUND})
    foreign = complete(running, other_user, {**body, "id": "a9"})
    assert (foreign.status_code, foreign.json()) == (404, {"detail": NOT_FOUND})
    no_role = complete(running, user, {**body, "id": "a9", "user_message": {"id": "u9"}})
    assert (no_role.status_code, no_role.json()) == (400, {"detail": "'role'"})
    # Nothing was written by the refused requests.
    messages = chat_of(running, user, chat_id)["chat"]["history"]["messages"]
    assert sorted(messages) == ["a1", "u1"] and messages["a1"]["content"] == ""


def test_temporary_chat_ids_store_nothing(running: Running, user: Account) -> None:
    before = requests.get(f"{running.url}/api/v1/chats/", headers=user.headers, timeout=30).json()
    reply = complete(
        running, user, {"messages": [{"role": "user", "content": "hi"}], "chat_id": "local:abc", "id": "a1"}
    )
    assert reply.status_code == 200 and "chat_id" not in reply.json() and "X-Chat-Id" not in reply.headers
    after = requests.get(f"{running.url}/api/v1/chats/", headers=user.headers, timeout=30).json()
    assert after == before


def test_one_call_flow_with_openai_client_creates_the_chat(
    running: Running, ollama: FakeOllama, user: Account
) -> None:
    ollama.scripted = {
        TITLE_TASK: '{"title": "Fake title"}',
        TAGS_TASK: '{"tags": ["Science", "Outer Space"]}',
        FOLLOW_UP_TASK: 'Sure: {"follow_ups": ["Why?", "How far?"]}',
    }
    raw = client(running, user).chat.completions.with_raw_response.create(
        model=LLAMA,
        messages=[{"role": "user", "content": "Tell me about Mars"}],
        extra_body={
            "parent_id": None,
            "user_message": {"id": "u1", "role": "user", "content": "Tell me about Mars"},
            "id": "a1",
            "background_tasks": {
                "title_generation": True,
                "tags_generation": True,
                "follow_up_generation": True,
            },
        },
    )
    chat_id = raw.headers["X-Chat-Id"]
    completion = raw.parse()
    assert completion.model_extra["chat_id"] == chat_id
    text = completion.choices[0].message.content
    stored = chat_of(running, user, chat_id)
    history = stored["chat"]["history"]
    assert history["messages"]["u1"]["childrenIds"] == ["a1"] and history["messages"]["a1"]["content"] == text
    assert (
        stored["chat"]["models"] == [LLAMA]
        and stored["chat"]["messages"][0]["content"] == "Tell me about Mars"
    )

    def generated() -> dict:
        chat = chat_of(running, user, chat_id)
        assert chat["title"] == "Fake title" and chat["chat"]["title"] == "Fake title"
        assert chat["meta"].get("tags") == ["science", "outer_space"]
        assert chat["chat"]["history"]["messages"]["a1"].get("followUps") == ["Why?", "How far?"]
        return chat

    eventually(generated)
    tags = requests.get(f"{running.url}/api/v1/chats/{chat_id}/tags", headers=user.headers, timeout=30).json()
    assert [t["name"] for t in tags] == ["Science", "Outer Space"]
    listed = requests.get(f"{running.url}/api/v1/chats/", headers=user.headers, timeout=30).json()
    assert chat_id in [c["id"] for c in listed]


def test_one_call_flow_streamed_stores_the_reply(running: Running, user: Account) -> None:
    with client(running, user).chat.completions.with_streaming_response.create(
        model=LLAMA,
        messages=[{"role": "user", "content": "Stream it"}],
        stream=True,
        extra_body={"parent_id": None},
    ) as response:
        chat_id = response.headers["X-Chat-Id"]
        text = "".join(chunk.choices[0].delta.content or "" for chunk in response.parse() if chunk.choices)
    assert text
    history = chat_of(running, user, chat_id)["chat"]["history"]
    # Without user_message the request's conversation is stored, then the reply under it.
    reply = history["messages"][history["currentId"]]
    assert reply["content"] == text and reply["done"] is True and "error" not in reply
    assert history["messages"][reply["parentId"]]["content"] == "Stream it"


def test_streamed_turn_in_existing_chat(running: Running, user: Account) -> None:
    chat_id = new_chat(running, user, "u1", "a1", "Stream into me")
    reply = complete(
        running,
        user,
        {
            "stream": True,
            "messages": [{"role": "user", "content": "Stream into me"}],
            "chat_id": chat_id,
            "id": "a1",
        },
    )
    # Open WebUI answers `null` here; the reply streams.
    assert reply.status_code == 200 and reply.headers["X-Chat-Id"] == chat_id
    text = delta_text(sse_events(reply.content))
    stored = chat_of(running, user, chat_id)["chat"]["history"]["messages"]["a1"]
    assert stored["content"] == text and stored["done"] is True


def test_upstream_failure_is_stored_as_the_reply_error(
    running: Running, ollama: FakeOllama, user: Account
) -> None:
    chat_id = new_chat(running, user, "u1", "a1", "Fail please")
    ollama.fail_status = 500
    ollama.fail_body = {"error": "the model exploded"}
    reply = complete(
        running, user, {"messages": [{"role": "user", "content": "x"}], "chat_id": chat_id, "id": "a1"}
    )
    assert reply.status_code >= 400
    stored = chat_of(running, user, chat_id)["chat"]["history"]["messages"]["a1"]
    assert stored["done"] is True and stored["error"]["content"]


def test_client_leaving_mid_stream_leaves_the_partial_reply(
    running: Running, ollama: FakeOllama, user: Account
) -> None:
    chat_id = new_chat(running, user, "u1", "a1", "Slow one")
    ollama.tokens = 40
    ollama.token_delay_s = 0.1
    with requests.post(
        f"{running.url}/api/chat/completions",
        json={
            "model": LLAMA,
            "stream": True,
            "messages": [{"role": "user", "content": "x"}],
            "chat_id": chat_id,
            "id": "a1",
        },
        headers=user.headers,
        stream=True,
        timeout=30,
    ) as reply:
        lines = reply.iter_lines()
        seen = [next(lines) for _ in range(6)]
        assert any(line.startswith(b"data: {") for line in seen)
    # The client hung up long before the 4 s reply would have ended.

    def stored() -> dict:
        message = chat_of(running, user, chat_id)["chat"]["history"]["messages"]["a1"]
        assert message["done"] is True and "disconnected" in message["error"]["content"]
        return message

    message = eventually(stored)
    assert message["content"].startswith("FAKE[") and not message["content"].endswith("t40")


@pytest.mark.parametrize("messages_count", [0])
def test_new_chat_without_anything_is_created(running: Running, user: Account, messages_count: int) -> None:
    reply = complete(
        running, user, {"messages": [{"role": "user", "content": "only this"}], "parent_id": None}
    )
    assert reply.status_code == 200, reply.text
    chat = chat_of(running, user, reply.headers["X-Chat-Id"])
    assert chat["title"] == "New Chat" and len(chat["chat"]["history"]["messages"]) == 2


def test_two_turns_at_once_lose_nothing(running: Running, user: Account) -> None:
    """Many completions appended to one chat at once (the two-gateway test is in
    test_stored_completions_replicas.py)."""
    chat_id = new_chat(running, user, "u0", "a0", "Start")
    errors: list[str] = []

    def turn(i: int) -> None:
        reply = complete(
            running,
            user,
            {
                "messages": [],
                "chat_id": chat_id,
                "id": f"a{i}",
                "user_message": {"id": f"u{i}", "parentId": "a0", "role": "user", "content": f"turn {i}"},
            },
        )
        if reply.status_code != 200:
            errors.append(reply.text)

    threads = [threading.Thread(target=turn, args=(i,)) for i in range(1, 9)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors and time.monotonic() - started < 30
    messages = chat_of(running, user, chat_id)["chat"]["history"]["messages"]
    assert len(messages) == 18
    assert sorted(messages["a0"]["childrenIds"]) == sorted(f"u{i}" for i in range(1, 9))
    assert all(messages[f"a{i}"]["done"] is True and messages[f"a{i}"]["content"] for i in range(1, 9))


UPPERCASE_OUTLET = """
class Filter:
    def outlet(self, body: dict) -> dict:
        for message in body["messages"]:
            if message.get("role") == "assistant":
                message["content"] = message["content"].upper()
        return body
"""


def test_chat_completed_stores_the_outlet_filtered_reply(running: Running, user: Account) -> None:
    chat_id = new_chat(running, user, "u1", "a1", "Outlet me")
    reply = complete(
        running,
        user,
        {"messages": [{"role": "user", "content": "Outlet me"}], "chat_id": chat_id, "id": "a1"},
    )
    text = reply.json()["choices"][0]["message"]["content"]
    with installed(running, "upper", "", is_global=True, content=UPPERCASE_OUTLET):
        completed = post(
            running,
            "/api/chat/completed",
            user,
            {
                "model": LLAMA,
                "messages": [
                    {"role": "user", "content": "Outlet me"},
                    {"id": "a1", "role": "assistant", "content": text},
                ],
                "chat_id": chat_id,
                "session_id": "s1",
                "id": "a1",
            },
        )
    assert completed.status_code == 200, completed.text
    assert completed.json()["messages"][-1]["content"] == text.upper()
    # Open WebUI stores nothing here; the stored chat keeps what the outlets made of the reply.
    stored = chat_of(running, user, chat_id)["chat"]["history"]["messages"]["a1"]
    assert stored["content"] == text.upper() and stored["originalContent"] == text


def test_a_folders_system_prompt_applies_to_its_chats(
    running: Running, ollama: FakeOllama, user: Account
) -> None:
    folder = post(
        running,
        "/api/v1/folders/",
        user,
        {"name": f"Brief {uuid.uuid4().hex[:6]}", "data": {"system_prompt": "Be brief."}},
    )
    assert folder.status_code == 200, folder.text
    reply = complete(
        running,
        user,
        {
            "messages": [{"role": "user", "content": "In a folder"}],
            "parent_id": None,
            "folder_id": folder.json()["id"],
        },
    )
    assert reply.status_code == 200, reply.text
    sent = json.loads(ollama.requests[-1].body)["messages"]
    assert sent[0] == {"role": "system", "content": "Be brief."}
    assert chat_of(running, user, reply.headers["X-Chat-Id"])["folder_id"] == folder.json()["id"]
