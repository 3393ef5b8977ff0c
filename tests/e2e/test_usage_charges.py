"""What the token limits are charged for a chat completion: every upstream call's reported tokens
(all rounds of a tool loop), an OpenAI stream's usage even when the client did not ask for it (and
the client's stream stays as it would be), and a stored chat's stream like any other."""

import time
import uuid

import openai
import requests

from tests.e2e.chat_support import GPT, chat_calls, sse_events
from tests.e2e.conftest import Running
from tests.e2e.test_stored_completions import new_chat
from tests.e2e.test_tool_calling import QUESTION, WEATHER, python_tool
from tests.e2e.test_usage_limits import new_key, set_limits
from tests.fakes.base import canonical_json, count_tokens, reply_tokens, tool_answer_tokens, tool_results
from tests.fakes.openai import FakeOpenAI

BUDGET = 100_000


def limited_key(running: Running) -> dict:
    key = new_key(running)
    set_limits(running, subject_type="key", subject_id=key["id"], budget_day=BUDGET)
    return key


def upstream_tokens(fake: FakeOpenAI, tokens_per_reply: int) -> int:
    """What the fake reported over every chat call it answered (as it counts them)."""
    total = 0
    for call in chat_calls(fake):
        messages = call.json["messages"]
        prompt = count_tokens(canonical_json(messages))
        if call.json.get("tools") and not tool_results(messages):
            completion = 1  # the round that calls the tool
        elif tool_results(messages):
            completion = len(tool_answer_tokens(tool_results(messages)))
        else:
            completion = len(reply_tokens(call.json["model"], messages, len(messages), tokens_per_reply))
        total += prompt + completion
    return total


def charged(running: Running, key: dict, expected: int) -> int:
    """What the key has been charged, read off a refusal's headers (exact on one inference
    replica: the shared counter less this replica's unspent lease); waits for the settlement."""
    headers = {"Authorization": f"Bearer {key['api_key']}"}
    body = {"model": GPT, "messages": [{"role": "user", "content": "x"}], "max_tokens": 10 * BUDGET}
    deadline = time.monotonic() + 5
    while True:
        reply = requests.post(f"{running.url}/api/chat/completions", json=body, headers=headers, timeout=30)
        assert reply.status_code == 429, reply.text
        spent = BUDGET - int(reply.headers["x-ratelimit-remaining-tokens"])
        if spent == expected or time.monotonic() > deadline:
            return spent
        time.sleep(0.1)


def test_streamed_tool_loop_is_charged_every_round_without_usage_asked(
    running: Running, openai_upstream: FakeOpenAI
) -> None:
    key = limited_key(running)
    api = openai.OpenAI(base_url=f"{running.url}/api", api_key=key["api_key"], max_retries=0, timeout=30)
    with python_tool(running, f"weather_{uuid.uuid4().hex[:6]}", "weather_tool") as tool_id:
        stream = api.chat.completions.create(
            model=GPT, messages=QUESTION, stream=True, extra_body={"tool_ids": [tool_id]}
        )
        chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == f"TOOL[{WEATHER}]"
    # The client did not ask for usage: none reaches it, though the upstream was asked each round.
    assert all(chunk.usage is None for chunk in chunks)
    calls = chat_calls(openai_upstream)
    assert len(calls) == 2
    assert all(call.json["stream_options"] == {"include_usage": True} for call in calls)
    expected = upstream_tokens(openai_upstream, openai_upstream.tokens)
    assert charged(running, key, expected) == expected


def test_whole_tool_loop_is_charged_every_round(running: Running, openai_upstream: FakeOpenAI) -> None:
    key = limited_key(running)
    api = openai.OpenAI(base_url=f"{running.url}/api", api_key=key["api_key"], max_retries=0, timeout=30)
    with python_tool(running, f"weather_{uuid.uuid4().hex[:6]}", "weather_tool") as tool_id:
        completion = api.chat.completions.create(
            model=GPT, messages=QUESTION, extra_body={"tool_ids": [tool_id]}
        )
    assert completion.usage is not None
    expected = upstream_tokens(openai_upstream, openai_upstream.tokens)
    assert completion.usage.total_tokens == expected
    assert charged(running, key, expected) == expected


def test_stream_without_usage_asked_is_relayed_unchanged_and_charged_actual(
    running: Running, openai_upstream: FakeOpenAI
) -> None:
    key = limited_key(running)
    headers = {"Authorization": f"Bearer {key['api_key']}"}
    body = {"model": GPT, "messages": [{"role": "user", "content": "hello"}], "stream": True}
    reply = requests.post(f"{running.url}/api/chat/completions", json=body, headers=headers, timeout=30)
    assert reply.status_code == 200, reply.text
    events = sse_events(reply.content)
    assert events and all("usage" not in event for event in events)
    assert reply.content.rstrip().endswith(b"data: [DONE]")
    assert chat_calls(openai_upstream)[0].json["stream_options"] == {"include_usage": True}
    expected = upstream_tokens(openai_upstream, openai_upstream.tokens)
    assert charged(running, key, expected) == expected


def test_client_that_asked_for_usage_still_gets_it(running: Running, openai_upstream: FakeOpenAI) -> None:
    key = limited_key(running)
    api = openai.OpenAI(base_url=f"{running.url}/api", api_key=key["api_key"], max_retries=0, timeout=30)
    stream = api.chat.completions.create(
        model=GPT, messages=QUESTION, stream=True, stream_options={"include_usage": True}
    )
    usage = [chunk.usage for chunk in stream if chunk.usage is not None]
    assert len(usage) == 1
    expected = upstream_tokens(openai_upstream, openai_upstream.tokens)
    assert usage[0].total_tokens == expected


def test_stored_chat_stream_is_charged_its_actual_usage(
    running: Running, openai_upstream: FakeOpenAI
) -> None:
    key = limited_key(running)
    chat_id = new_chat(running, running.admin, "u1", "a1", "Hello there")
    body = {
        "model": GPT,
        "stream": True,
        "messages": [{"role": "user", "content": "Hello there"}],
        "chat_id": chat_id,
        "id": "a1",
        "user_message": {"id": "u1", "role": "user", "content": "Hello there"},
    }
    reply = requests.post(
        f"{running.url}/api/chat/completions",
        json=body,
        headers={"Authorization": f"Bearer {key['api_key']}"},
        timeout=30,
    )
    assert reply.status_code == 200, reply.text
    assert reply.headers.get("X-Chat-Id") == chat_id
    assert all("usage" not in event for event in sse_events(reply.content))
    expected = upstream_tokens(openai_upstream, openai_upstream.tokens)
    assert expected > 0
    assert charged(running, key, expected) == expected


def test_openai_pass_through_stream_is_relayed_unchanged_and_charged_actual(
    running: Running, openai_upstream: FakeOpenAI
) -> None:
    key = limited_key(running)
    headers = {"Authorization": f"Bearer {key['api_key']}"}
    body = {"model": GPT, "messages": [{"role": "user", "content": "hello"}], "stream": True}
    reply = requests.post(f"{running.url}/openai/chat/completions", json=body, headers=headers, timeout=30)
    assert reply.status_code == 200, reply.text
    events = sse_events(reply.content)
    assert events and all("usage" not in event for event in events)
    assert reply.content.rstrip().endswith(b"data: [DONE]")
    assert chat_calls(openai_upstream)[0].json["stream_options"] == {"include_usage": True}
    expected = upstream_tokens(openai_upstream, openai_upstream.tokens)
    assert charged(running, key, expected) == expected
    # A client that asks gets the usage chunk.
    asked = {**body, "stream_options": {"include_usage": True}}
    reply = requests.post(f"{running.url}/openai/chat/completions", json=asked, headers=headers, timeout=30)
    assert [e["usage"]["total_tokens"] for e in sse_events(reply.content) if e.get("usage")]
