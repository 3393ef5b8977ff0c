"""Completions appended to one stored chat through two gateway replicas at once (api-contract-2.md
§1.4): every user message and reply lands, none overwrites another."""

import json
import threading

import requests

from tests.e2e.chat_support import CHAT_PATHS, LLAMA, delta_text, sse_events
from tests.e2e.conftest import Account, Running
from tests.fakes.ollama import FakeOllama

TURNS_PER_GATEWAY = 6


def shared_chat(running: Running, account: Account) -> str:
    """A chat of one user message and its reply, the parent of every turn below."""
    history = {
        "currentId": "a0",
        "messages": {
            "u0": {
                "id": "u0",
                "parentId": None,
                "childrenIds": ["a0"],
                "role": "user",
                "content": "Start",
                "timestamp": 1_796_220_000,
            },
            "a0": {
                "id": "a0",
                "parentId": "u0",
                "childrenIds": [],
                "role": "assistant",
                "content": "Hello",
                "model": LLAMA,
                "done": True,
                "timestamp": 1_796_220_001,
            },
        },
    }
    reply = requests.post(
        f"{running.url}/api/v1/chats/new",
        json={"chat": {"title": "Shared", "history": history}},
        headers=account.headers,
        timeout=30,
    )
    assert reply.status_code == 200, reply.text
    return reply.json()["id"]


def test_two_gateways_append_to_one_chat_at_once(
    running: Running, second_gateway: str, ollama: FakeOllama, user: Account
) -> None:
    chat_id = shared_chat(running, user)
    # Replies that take a while, so that turns begin while others are still answering.
    ollama.token_delay_s = 0.02
    turns = [
        (url, f"{side}{i}")
        for side, url in (("x", running.url), ("y", second_gateway))
        for i in range(TURNS_PER_GATEWAY)
    ]
    start = threading.Barrier(len(turns))
    answers: dict[str, str] = {}
    errors: list[str] = []

    def turn(url: str, name: str, stream: bool) -> None:
        body = {
            "model": LLAMA,
            "stream": stream,
            "messages": [{"role": "user", "content": f"turn {name}"}],
            "chat_id": chat_id,
            "id": f"a-{name}",
            "user_message": {"id": f"u-{name}", "parentId": "a0", "role": "user", "content": f"turn {name}"},
        }
        start.wait(timeout=30)
        try:
            reply = requests.post(f"{url}/api/chat/completions", json=body, headers=user.headers, timeout=60)
        except requests.RequestException as error:
            errors.append(f"{name}: {error}")
            return
        if reply.status_code != 200 or reply.headers.get("X-Chat-Id") != chat_id:
            errors.append(f"{name}: {reply.status_code} {reply.text[:200]}")
            return
        if stream:
            answers[name] = delta_text(sse_events(reply.content))
        else:
            answers[name] = reply.json()["choices"][0]["message"]["content"]

    threads = [
        threading.Thread(target=turn, args=(url, name, n % 2 == 1)) for n, (url, name) in enumerate(turns)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    assert not errors, errors
    names = [name for _, name in turns]
    assert sorted(answers) == sorted(names) and all(answers.values())

    # Read through both replicas: the same chat, holding every turn.
    for url in (running.url, second_gateway):
        reply = requests.get(f"{url}/api/v1/chats/{chat_id}", headers=user.headers, timeout=30)
        assert reply.status_code == 200, reply.text
        history = reply.json()["chat"]["history"]
        messages = history["messages"]
        assert len(messages) == 2 + 2 * len(turns)
        assert sorted(messages["a0"]["childrenIds"]) == sorted(f"u-{name}" for name in names)
        assert messages["a0"]["content"] == "Hello" and messages["u0"]["childrenIds"] == ["a0"]
        for name in names:
            asked, answered = messages[f"u-{name}"], messages[f"a-{name}"]
            assert asked["role"] == "user" and asked["content"] == f"turn {name}"
            assert asked["parentId"] == "a0" and asked["childrenIds"] == [f"a-{name}"]
            assert answered["role"] == "assistant" and answered["parentId"] == f"u-{name}"
            assert answered["done"] is True and "error" not in answered
            assert answered["content"] == answers[name]
        assert history["currentId"] in {f"a-{name}" for name in names}

    # Each prompt was its own branch, rebuilt from the stored chat: u0, a0 and that turn's message.
    prompts = [json.loads(r.body)["messages"] for r in ollama.requests if r.path in CHAT_PATHS]
    assert sorted(tuple(m["content"] for m in p) for p in prompts) == sorted(
        ("Start", "Hello", f"turn {name}") for name in names
    )
