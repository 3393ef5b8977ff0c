"""Self-test of the fake LLM upstreams in tests/fakes: streaming, cancellation, records, failures."""

import json
import math
import signal
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest
import requests

from tests.fakes.base import expected_text
from tests.fakes.ollama import FakeOllama
from tests.fakes.openai import FakeOpenAI

MESSAGES = [{"role": "user", "content": "hello"}]


@pytest.fixture
def ollama() -> Iterator[FakeOllama]:
    with FakeOllama().start() as fake:
        yield fake


@pytest.fixture
def openai() -> Iterator[FakeOpenAI]:
    with FakeOpenAI().start() as fake:
        yield fake


def timed_lines(response: requests.Response) -> list[tuple[float, bytes]]:
    return [(time.monotonic(), line) for line in response.iter_lines() if line]


def sse_events(lines: list[tuple[float, bytes]]) -> list[object]:
    payloads = [line.removeprefix(b"data: ") for _, line in lines]
    return [payload.decode() if payload == b"[DONE]" else json.loads(payload) for payload in payloads]


def test_ollama_chat_streams_token_by_token(ollama: FakeOllama) -> None:
    ollama.token_delay_s = 0.04
    body = {"model": "llama3.2:latest", "messages": MESSAGES}
    with requests.post(f"{ollama.url}/api/chat", json=body, stream=True, timeout=5) as response:
        assert response.headers["Content-Type"] == "application/x-ndjson"
        lines = timed_lines(response)
    chunks = [json.loads(line) for _, line in lines]
    assert len(chunks) == 9
    assert lines[-1][0] - lines[0][0] >= 0.2
    text = "".join(chunk["message"]["content"] for chunk in chunks)
    assert text == expected_text("llama3.2:latest", MESSAGES, 1)
    assert text.endswith(" t2 t3 t4 t5 t6 t7 t8")
    assert not any(chunk["done"] for chunk in chunks[:-1])
    assert chunks[-1]["done"] is True
    assert chunks[-1]["done_reason"] == "stop"
    assert chunks[-1]["eval_count"] == 8
    assert (ollama.streams_started, ollama.streams_completed, ollama.streams_cancelled) == (1, 1, 0)


def test_ollama_special_replies(ollama: FakeOllama) -> None:
    chat = f"{ollama.url}/api/chat"
    plain = requests.post(chat, json={"model": "llama3.2", "messages": MESSAGES, "stream": False}, timeout=5)
    assert plain.headers["Content-Type"] == "application/json; charset=utf-8"
    assert plain.json()["message"]["content"] == expected_text("llama3.2", MESSAGES, 1)

    tools = [{"type": "function", "function": {"name": "get_weather", "parameters": {}}}]
    body = {"model": "llama3.2", "messages": MESSAGES, "tools": tools, "think": True}
    first = json.loads(requests.post(chat, json=body, timeout=5).text.splitlines()[0])["message"]
    assert first["content"] == ""
    assert first["thinking"] == "Let me think."
    assert first["tool_calls"] == [{"function": {"name": "get_weather", "arguments": {"city": "Paris"}}}]

    body = {"model": "granite3.1-dense:8b", "prompt": "why?", "format": "json", "stream": False}
    generated = requests.post(f"{ollama.url}/api/generate", json=body, timeout=5).json()
    assert generated["response"] == '{"answer":"FAKE"}'
    assert generated["context"] == [1, 2, 3]

    missing = requests.post(chat, json={"model": "nope", "messages": MESSAGES}, timeout=5)
    assert missing.status_code == 404
    assert missing.json() == {"error": 'model "nope" not found, try pulling it first'}


def test_ollama_models_and_embeddings(ollama: FakeOllama) -> None:
    url = ollama.url
    assert requests.get(url, timeout=5).text == "Ollama is running"
    assert requests.get(f"{url}/api/version", timeout=5).json() == {"version": "0.12.6"}
    names = [model["name"] for model in requests.get(f"{url}/api/tags", timeout=5).json()["models"]]
    assert names == ["llama3.2:latest", "granite3.1-dense:8b"]
    running = requests.get(f"{url}/api/ps", timeout=5).json()["models"]
    assert [model["name"] for model in running] == ["llama3.2:latest"]
    assert requests.post(f"{url}/api/show", json={"model": "x"}, timeout=5).status_code == 404

    copied = requests.post(f"{url}/api/copy", json={"source": "llama3.2", "destination": "mine"}, timeout=5)
    assert (copied.status_code, copied.content) == (200, b"")
    assert requests.delete(f"{url}/api/delete", json={"model": "mine"}, timeout=5).status_code == 200
    assert requests.delete(f"{url}/api/delete", json={"model": "mine"}, timeout=5).status_code == 404
    progress = requests.post(f"{url}/api/pull", json={"model": "qwen3"}, timeout=5).text.splitlines()
    assert json.loads(progress[-1]) == {"status": "success"}
    assert "qwen3:latest" in ollama.models

    body = {"model": "llama3.2", "input": ["a", "b", "a"]}
    embeddings = requests.post(f"{url}/api/embed", json=body, timeout=5).json()["embeddings"]
    assert len(embeddings) == 3
    assert len(embeddings[0]) == 384
    assert embeddings[0] == embeddings[2] != embeddings[1]
    assert math.isclose(math.fsum(x * x for x in embeddings[0]), 1.0)


def test_client_disconnect_counts_as_cancelled(ollama: FakeOllama) -> None:
    ollama.token_delay_s, ollama.tokens = 0.05, 100
    body = {"model": "llama3.2", "messages": MESSAGES}
    response = requests.post(f"{ollama.url}/api/chat", json=body, stream=True, timeout=5)
    next(response.iter_lines())
    response.close()
    assert ollama.wait_for(lambda fake: fake.streams_cancelled == 1, 3)
    assert (ollama.streams_started, ollama.streams_completed) == (1, 0)


def test_requests_are_recorded_and_reset(ollama: FakeOllama) -> None:
    before = time.monotonic()
    body = {"model": "llama3.2", "prompt": "hi", "stream": False}
    requests.post(f"{ollama.url}/api/generate?trace=1", json=body, headers={"X-Probe": "yes"}, timeout=5)
    [recorded] = ollama.requests
    assert (recorded.method, recorded.path, recorded.query) == ("POST", "/api/generate", {"trace": "1"})
    assert recorded.headers["X-Probe"] == "yes"
    assert recorded.json == body
    assert json.loads(recorded.body) == body
    assert recorded.at >= before
    ollama.reset()
    assert ollama.requests == []
    assert ollama.streams_started == 0


def test_injected_failure_and_first_byte_delay(ollama: FakeOllama, openai: FakeOpenAI) -> None:
    openai.fail_status = 429
    openai.fail_body = {"error": {"message": "Rate limit reached", "type": "requests"}}
    openai.fail_headers = {"Retry-After": "7"}
    body = {"model": "gpt-4o-mini", "messages": MESSAGES}
    failed = requests.post(f"{openai.url}/v1/chat/completions", json=body, timeout=5)
    assert failed.status_code == 429
    assert failed.headers["Retry-After"] == "7"
    assert failed.json()["error"]["message"] == "Rate limit reached"
    assert requests.get(f"{openai.url}/v1/models", timeout=5).status_code == 200

    ollama.fail_status, ollama.fail_body = 503, "overloaded"
    failed = requests.post(f"{ollama.url}/api/embed", json={"model": "llama3.2", "input": "x"}, timeout=5)
    assert (failed.status_code, failed.text) == (503, "overloaded")
    ollama.fail_status = None
    ollama.first_byte_delay_s = 0.2
    started = time.monotonic()
    body = {"model": "llama3.2", "messages": MESSAGES}
    with requests.post(f"{ollama.url}/api/chat", json=body, stream=True, timeout=5) as response:
        assert response.status_code == 200
        assert time.monotonic() - started >= 0.2


def test_restart_keeps_the_port_and_stop_is_idempotent() -> None:
    fake = FakeOllama().start()
    port = fake.port
    fake.stop()
    fake.stop()
    with pytest.raises(requests.ConnectionError):
        requests.get(fake.url, timeout=1)
    fake.restart()
    try:
        assert fake.port == port
        assert fake.url == f"http://127.0.0.1:{port}"
        assert requests.get(fake.url, timeout=5).ok
    finally:
        fake.stop()


def test_openai_api_key_is_checked() -> None:
    with FakeOpenAI(api_key="sk-test") as fake:
        denied = requests.get(f"{fake.url}/v1/models", timeout=5)
        assert denied.status_code == 401
        assert denied.json()["error"]["code"] == "invalid_api_key"
        headers = {"Authorization": "Bearer sk-test"}
        listed = requests.get(f"{fake.url}/v1/models", headers=headers, timeout=5).json()
        assert [model["id"] for model in listed["data"]] == ["gpt-4o-mini", "gpt-4.1"]


def test_openai_streaming_with_split_frames_and_usage(openai: FakeOpenAI) -> None:
    openai.token_delay_s, openai.split_frames = 0.03, True
    options = {"include_usage": True}
    body = {"model": "gpt-4.1", "messages": MESSAGES, "stream": True, "stream_options": options}
    with requests.post(f"{openai.url}/v1/chat/completions", json=body, stream=True, timeout=5) as response:
        assert response.headers["Content-Type"] == "text/event-stream"
        writes = [(time.monotonic(), chunk) for chunk in response.raw.read_chunked()]
    assert writes[-1][0] - writes[0][0] >= 0.15
    assert not writes[0][1].endswith(b"\n\n")
    frames = b"".join(chunk for _, chunk in writes).split(b"\n\n")
    events = sse_events([(0.0, frame) for frame in frames if frame])
    assert events[-1] == "[DONE]"
    chunks = events[:-1]
    assert len({chunk["id"] for chunk in chunks}) == 1
    assert chunks[0]["choices"][0]["delta"] == {"role": "assistant", "content": ""}
    text = "".join(chunk["choices"][0]["delta"].get("content", "") for chunk in chunks if chunk["choices"])
    assert text == expected_text("gpt-4.1", MESSAGES, 1)
    assert chunks[-2]["choices"][0]["finish_reason"] == "stop"
    assert chunks[-1]["choices"] == []
    assert chunks[-1]["usage"]["completion_tokens"] == 8


def test_openai_plain_tools_embeddings_and_unknown_model(openai: FakeOpenAI) -> None:
    url = f"{openai.url}/v1"
    body = {"model": "gpt-4o-mini", "messages": MESSAGES}
    reply = requests.post(f"{url}/chat/completions", json=body, timeout=5).json()
    assert reply["object"] == "chat.completion"
    assert reply["choices"][0]["message"]["content"] == expected_text("gpt-4o-mini", MESSAGES, 1)
    assert reply["usage"]["completion_tokens"] == 8

    tools = [{"type": "function", "function": {"name": "get_weather"}}]
    called = requests.post(f"{url}/chat/completions", json={**body, "tools": tools}, timeout=5).json()
    choice = called["choices"][0]
    assert choice["finish_reason"] == "tool_calls"
    assert json.loads(choice["message"]["tool_calls"][0]["function"]["arguments"]) == {"city": "Paris"}

    embedded = requests.post(f"{url}/embeddings", json={"model": "gpt-4.1", "input": ["a", "b"]}, timeout=5)
    assert [item["index"] for item in embedded.json()["data"]] == [0, 1]

    missing = requests.post(f"{url}/chat/completions", json={**body, "model": "gpt-9"}, timeout=5)
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "model_not_found"


def test_process_mode_serves_until_sigterm() -> None:
    command = [sys.executable, "-m", "tests.fakes.ollama", "--port", "0", "--delay-ms", "1", "--tokens", "3"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith("listening on http://127.0.0.1:")
        url = line.split()[-1]
        body = {"model": "llama3.2", "prompt": "x", "stream": False}
        assert requests.post(f"{url}/api/generate", json=body, timeout=5).json()["response"].endswith(" t3")
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=5) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def _tool_history(call_id: str, result: str, rounds: int) -> list[dict]:
    history: list[dict] = list(MESSAGES)
    for index in range(rounds):
        call = {"id": f"{call_id}{index}", "type": "function", "function": {"name": "a", "arguments": "{}"}}
        history.append({"role": "assistant", "content": "", "tool_calls": [call]})
        history.append({"role": "tool", "tool_call_id": f"{call_id}{index}", "content": f"{result}{index}"})
    return history


def test_fakes_call_tools_for_their_rounds_then_answer_from_the_results(
    ollama: FakeOllama, openai: FakeOpenAI
) -> None:
    tools = [
        {"type": "function", "function": {"name": "a", "parameters": {}}},
        {"type": "function", "function": {"name": "b", "parameters": {}}},
    ]
    for fake in (ollama, openai):
        fake.tool_rounds = 2
        fake.call_all_tools = True
        fake.tool_args = {"q": 1}
    chat = f"{ollama.url}/api/chat"

    def ollama_reply(messages: list) -> dict:
        body = {"model": "llama3.2", "messages": messages, "tools": tools, "stream": False}
        return requests.post(chat, json=body, timeout=5).json()["message"]

    def openai_reply(messages: list, stream: bool = False) -> object:
        body = {"model": "gpt-4o-mini", "messages": messages, "tools": tools, "stream": stream}
        reply = requests.post(f"{openai.url}/v1/chat/completions", json=body, timeout=5, stream=stream)
        return sse_events(timed_lines(reply)) if stream else reply.json()["choices"][0]["message"]

    assert [c["function"] for c in ollama_reply(_tool_history("c", "r", 1))["tool_calls"]] == [
        {"name": "a", "arguments": {"q": 1}},
        {"name": "b", "arguments": {"q": 1}},
    ]
    assert ollama_reply(_tool_history("c", "r", 2))["content"] == "TOOL[r1]"
    called = openai_reply(_tool_history("c", "r", 1))
    assert [json.loads(c["function"]["arguments"]) for c in called["tool_calls"]] == [{"q": 1}, {"q": 1}]
    assert openai_reply(_tool_history("c", "r", 2))["content"] == "TOOL[r1]"
    events = openai_reply(MESSAGES, stream=True)
    deltas = [e["choices"][0]["delta"] for e in events if isinstance(e, dict) and e["choices"]]
    calls = [d["tool_calls"][0] for d in deltas if d.get("tool_calls")]
    # Each call streams its id and name first, then its arguments.
    assert [(c["index"], c.get("id") is not None, c["function"]) for c in calls] == [
        (0, True, {"name": "a", "arguments": ""}),
        (0, False, {"arguments": '{"q": 1}'}),
        (1, True, {"name": "b", "arguments": ""}),
        (1, False, {"arguments": '{"q": 1}'}),
    ]
    # A client sending its own tool results (no tools offered) gets an answer from them.
    history = _tool_history("c", "sunny", 1)
    plain = requests.post(
        f"{openai.url}/v1/chat/completions", json={"model": "gpt-4o-mini", "messages": history}, timeout=5
    )
    assert plain.json()["choices"][0]["message"]["content"] == "TOOL[sunny0]"
