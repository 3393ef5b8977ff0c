"""Models, chat completions, chat/completed, embeddings and /openai/* through the whole running stack,
with the official ``openai`` client and ``requests``, against the fake Ollama and OpenAI upstreams."""

import base64
import json
import struct
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import openai
import pytest
import requests

from services.common import messages
from tests.e2e.conftest import OPENAI_KEY, Account, Running, make_stack, signup, upstream_env
from tests.fakes.base import (
    EMBEDDING_DIMS,
    JSON_ANSWER,
    TOOL_CITY,
    FakeServer,
    Recorded,
    embedding_vector,
    expected_text,
)
from tests.fakes.ollama import THINKING, FakeOllama, model_entry
from tests.fakes.openai import FakeOpenAI
from tests.shapes import USAGE_KEYS

LLAMA = "llama3.2:latest"
GRANITE = "granite3.1-dense:8b"
GPT = "gpt-4o-mini"
USER_MESSAGES = [{"role": "user", "content": "Why is the sky blue?"}]
# The fake Ollama's /api/ps says "2099-01-01T00:00:00Z".
EXPIRES_2099 = 4070908800

OLLAMA_MODEL_KEYS = [
    "id",
    "name",
    "object",
    "created",
    "owned_by",
    "ollama",
    "loaded",
    "connection_type",
    "tags",
    "actions",
    "filters",
]
COMPLETION_KEYS = ["id", "created", "model", "choices", "object", "usage"]
CHUNK_KEYS = ["id", "created", "model", "choices", "object"]
WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "The weather in a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}
SSE_FAILED = b'data: {"error":{"message":"Chat completion stream failed"}}\n\ndata: [DONE]\n\n'


# --- helpers --------------------------------------------------------------------------------------


def get(url: str, path: str, headers: dict | None = None, **kw) -> requests.Response:
    return requests.get(f"{url}{path}", headers=headers, timeout=10, **kw)


def post(url: str, path: str, body: object, headers: dict | None = None, **kw) -> requests.Response:
    return requests.post(f"{url}{path}", json=body, headers=headers, timeout=10, **kw)


def chat(url: str, body: dict, headers: dict, path: str = "/api/chat/completions") -> requests.Response:
    return post(url, path, body, headers)


def client(running: Running, key: str | None = None) -> openai.OpenAI:
    """The official client on the gateway; no retries, so a failure shows as it happened."""
    return openai.OpenAI(
        base_url=f"{running.url}/api", api_key=key or running.admin.token, max_retries=0, timeout=10
    )


def last(fake: FakeServer, path: str) -> Recorded:
    """The last request the fake received on ``path`` (model-list calls interleave with the rest)."""
    matching = [r for r in fake.requests if r.path == path]
    assert matching, f"the fake received nothing on {path}: {[r.path for r in fake.requests]}"
    return matching[-1]


def sse_payloads(raw: bytes) -> list[object]:
    """The JSON payloads of an SSE body, which must be ``data:`` frames ending with ``[DONE]``."""
    assert raw.endswith(b"data: [DONE]\n\n"), raw[-200:]
    frames = [frame for frame in raw.decode().split("\n\n") if frame]
    assert all(frame.startswith("data: ") for frame in frames), frames
    assert frames[-1] == "data: [DONE]"
    return [json.loads(frame[len("data: ") :]) for frame in frames[:-1]]


def model_by_id(models: list[dict], model_id: str) -> dict:
    found = [m for m in models if m["id"] == model_id]
    assert len(found) == 1, [m["id"] for m in models]
    return found[0]


def ollama_text(messages: list[dict], model: str = LLAMA) -> str:
    return expected_text(model, messages, len(messages))


@pytest.fixture(scope="module")
def api_key(running: Running) -> str:
    reply = post(running.url, "/api/v1/auths/api_key", None, running.admin.headers)
    assert reply.status_code == 200, reply.text
    return reply.json()["api_key"]


# --- GET /api/models ------------------------------------------------------------------------------


def test_models_ollama_object_shape(running: Running, ollama: FakeOllama) -> None:
    reply = get(running.url, "/api/models", running.admin.headers)
    assert reply.status_code == 200 and reply.headers["Content-Type"].startswith("application/json")
    body = reply.json()
    assert list(body) == ["data"]
    llama = model_by_id(body["data"], LLAMA)
    assert list(llama) == OLLAMA_MODEL_KEYS
    assert llama == {
        "id": LLAMA,
        "name": LLAMA,
        "object": "model",
        "created": 0,
        "owned_by": "ollama",
        "ollama": {**model_entry(LLAMA), "connection_type": "local", "urls": [0], "expires_at": EXPIRES_2099},
        "loaded": True,
        "connection_type": "local",
        "tags": [],
        "actions": [],
        "filters": [],
    }
    assert list(llama["ollama"]) == [*model_entry(LLAMA), "connection_type", "urls", "expires_at"]
    granite = model_by_id(body["data"], GRANITE)
    assert granite["loaded"] is False and "expires_at" not in granite["ollama"]
    assert granite["ollama"] == {**model_entry(GRANITE), "connection_type": "local", "urls": [0]}


def test_models_openai_object_shape(running: Running, openai_upstream: FakeOpenAI) -> None:
    data = get(running.url, "/api/models", running.admin.headers).json()["data"]
    raw = {"id": GPT, "object": "model", "created": 1700000000, "owned_by": "system"}
    gpt = model_by_id(data, GPT)
    assert gpt == {
        **raw,
        "owned_by": "openai",
        "name": GPT,
        "openai": raw,
        "connection_type": "external",
        "provider": "",
        "urlIdx": 0,
        "tags": [],
        "actions": [],
        "filters": [],
    }
    assert {m["id"] for m in data if m["owned_by"] == "openai"} == set(openai_upstream.models)


def test_models_for_a_verified_user_and_the_v1_alias(running: Running, user: Account) -> None:
    admin_ids = [m["id"] for m in get(running.url, "/api/models", running.admin.headers).json()["data"]]
    reply = get(running.url, "/api/v1/models", user.headers)
    assert reply.status_code == 200
    # Every verified user may use every upstream model.
    assert [m["id"] for m in reply.json()["data"]] == admin_ids
    assert {LLAMA, GRANITE, GPT} <= set(admin_ids)


def test_models_refresh_sees_new_and_loaded_models(running: Running, ollama: FakeOllama) -> None:
    ollama.models.append("qwen3:4b")
    ollama.loaded.add(GRANITE)
    refreshed = get(running.url, "/api/models?refresh=true", running.admin.headers)
    assert refreshed.status_code == 200
    data = refreshed.json()["data"]
    assert model_by_id(data, "qwen3:4b")["loaded"] is False
    assert model_by_id(data, GRANITE)["loaded"] is True
    assert model_by_id(data, GRANITE)["ollama"]["expires_at"] == EXPIRES_2099
    # The test stack runs with MODELS_CACHE_TTL=0: a plain request sees the change as well.
    ollama.models.append("phi4:14b")
    plain = get(running.url, "/api/models?refresh=false", running.admin.headers).json()["data"]
    assert {"qwen3:4b", "phi4:14b"} <= {m["id"] for m in plain}


def test_models_refresh_must_be_a_boolean(running: Running) -> None:
    reply = get(running.url, "/api/models?refresh=maybe", running.admin.headers)
    assert reply.status_code == 422
    assert reply.json()["detail"][0]["loc"] == ["query", "refresh"]


def test_ollama_chat_messages_must_be_a_list_of_objects(running: Running, ollama: FakeOllama) -> None:
    # Found by tests/e2e/test_openapi_fuzz.py: the conversion to Ollama's shape crashed (a 500).
    for bad in ("hello", [1], [{"role": "user", "content": "hi"}, "x"]):
        body = {"model": "llama3.2:latest", "messages": bad}
        reply = post(running.url, "/api/chat/completions", body, running.admin.headers)
        assert (reply.status_code, reply.json()) == (400, {"detail": "messages must be a list of objects"})


def test_models_auth(running: Running, pending: Account, api_key: str) -> None:
    anonymous = get(running.url, "/api/models")
    assert anonymous.status_code == 401 and anonymous.json() == {"detail": messages.NOT_AUTHENTICATED}
    refused = get(running.url, "/api/models", pending.headers)
    assert refused.status_code == 401 and refused.json() == {"detail": messages.ACCESS_PROHIBITED}
    garbage = get(running.url, "/api/models", {"Authorization": "Bearer not-a-token"})
    assert garbage.status_code == 401 and garbage.json() == {"detail": messages.UNAUTHORIZED}
    unknown_key = get(running.url, "/api/models", {"Authorization": "Bearer sk-" + "0" * 32})
    assert unknown_key.status_code == 401 and unknown_key.json() == {"detail": messages.INVALID_TOKEN}
    by_key = get(running.url, "/api/models", {"Authorization": f"Bearer {api_key}"})
    assert by_key.status_code == 200 and LLAMA in {m["id"] for m in by_key.json()["data"]}


def test_base_models_are_admin_only(running: Running, user: Account) -> None:
    reply = get(running.url, "/api/models/base", running.admin.headers)
    assert reply.status_code == 200
    base = reply.json()["data"]
    assert {LLAMA, GRANITE, GPT} <= {m["id"] for m in base}
    # Without the actions and filters GET /api/models adds.
    assert not any("actions" in m or "filters" in m for m in base)
    full = get(running.url, "/api/models", running.admin.headers).json()["data"]
    assert {k: v for k, v in model_by_id(full, LLAMA).items() if k not in ("actions", "filters")} == (
        model_by_id(base, LLAMA)
    )
    refused = get(running.url, "/api/models/base", user.headers)
    assert refused.status_code == 401 and refused.json() == {"detail": messages.ACCESS_PROHIBITED}


# --- POST /api/chat/completions: Ollama models -----------------------------------------------------


def test_ollama_chat_with_the_openai_client(running: Running, ollama: FakeOllama) -> None:
    raw = client(running).chat.completions.with_raw_response.create(model=LLAMA, messages=USER_MESSAGES)
    completion = raw.parse()
    assert completion.choices[0].message.content == ollama_text(USER_MESSAGES)
    assert completion.choices[0].message.role == "assistant"
    assert completion.choices[0].finish_reason == "stop"
    assert completion.id.startswith(f"{LLAMA}-") and len(completion.id) == len(LLAMA) + 1 + 36
    assert completion.object == "chat.completion" and completion.model == LLAMA
    body = json.loads(raw.http_response.content)
    assert list(body) == COMPLETION_KEYS
    assert list(body["choices"][0]) == ["index", "logprobs", "finish_reason", "message"]
    assert list(body["usage"]) == USAGE_KEYS
    assert body["usage"]["completion_tokens"] == 8 and body["usage"]["approximate_total"] == "0h0m0s"
    assert body["usage"]["completion_tokens_details"] == {
        "reasoning_tokens": 0,
        "accepted_prediction_tokens": 0,
        "rejected_prediction_tokens": 0,
    }
    sent = last(ollama, "/api/chat").json
    assert sent == {"model": LLAMA, "messages": USER_MESSAGES, "stream": False}


def test_ollama_chat_stream_with_the_openai_client(running: Running, ollama: FakeOllama) -> None:
    chunks = list(client(running).chat.completions.create(model=LLAMA, messages=USER_MESSAGES, stream=True))
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == ollama_text(USER_MESSAGES)
    assert len({c.id for c in chunks}) == 1 and chunks[0].id.startswith("chatcmpl-")
    assert chunks[0].choices[0].delta.role == "assistant"
    assert all(c.choices[0].delta.role is None for c in chunks[1:])
    assert all(c.choices[0].finish_reason is None for c in chunks[:-1])
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert chunks[-1].usage is not None and chunks[-1].usage.completion_tokens == 8
    assert all(c.usage is None for c in chunks[:-1])
    assert last(ollama, "/api/chat").json["stream"] is True


def raw_sse(running: Running, path: str, body: dict) -> bytes:
    """The whole SSE body of a streamed chat, as the socket delivered it."""
    with requests.post(
        f"{running.url}{path}", json=body, headers=running.admin.headers, stream=True, timeout=10
    ) as reply:
        assert reply.status_code == 200
        assert reply.headers["Content-Type"].startswith("text/event-stream")
        return b"".join(reply.iter_content(chunk_size=None))


def test_ollama_chat_stream_raw_sse(running: Running, ollama: FakeOllama) -> None:
    raw = raw_sse(
        running, "/api/chat/completions", {"model": LLAMA, "messages": USER_MESSAGES, "stream": True}
    )
    chunks = sse_payloads(raw)
    assert len(chunks) == 9  # 8 tokens, then Ollama's done line
    assert all(list(c) == CHUNK_KEYS for c in chunks[:-1]) and list(chunks[-1]) == [*CHUNK_KEYS, "usage"]
    assert list(chunks[0]["choices"][0]) == ["index", "logprobs", "finish_reason", "delta"]
    assert list(chunks[0]["choices"][0]["delta"]) == ["content", "role"]
    assert chunks[-1]["choices"][0]["delta"] == {} and chunks[-1]["choices"][0]["finish_reason"] == "stop"
    assert list(chunks[-1]["usage"]) == USAGE_KEYS
    # Compact JSON, as Open WebUI's orjson writes it.
    assert b'{"id":"chatcmpl-' in raw and b'", "' not in raw


def test_chat_with_an_api_key_and_the_v1_alias(running: Running, ollama: FakeOllama, api_key: str) -> None:
    completion = client(running, api_key).chat.completions.create(model=LLAMA, messages=USER_MESSAGES)
    assert completion.choices[0].message.content == ollama_text(USER_MESSAGES)
    body = {"model": LLAMA, "messages": USER_MESSAGES}
    reply = chat(running.url, body, running.admin.headers, "/api/v1/chat/completions")
    assert reply.status_code == 200
    assert reply.json()["choices"][0]["message"]["content"] == ollama_text(USER_MESSAGES)
    # Without "stream" the reply is JSON, as for Open WebUI (Ollama's own default is to stream).
    assert last(ollama, "/api/chat").json["stream"] is False


def test_chat_as_a_verified_user_but_not_pending(
    running: Running, ollama: FakeOllama, user: Account, pending: Account
) -> None:
    body = {"model": LLAMA, "messages": USER_MESSAGES}
    assert chat(running.url, body, user.headers).status_code == 200
    refused = chat(running.url, body, pending.headers)
    assert refused.status_code == 401 and refused.json() == {"detail": messages.ACCESS_PROHIBITED}
    anonymous = chat(running.url, body, {})
    assert anonymous.status_code == 401 and anonymous.json() == {"detail": messages.NOT_AUTHENTICATED}


# --- POST /api/chat/completions: OpenAI-compatible models ------------------------------------------


def test_openai_chat_with_the_openai_client(running: Running, openai_upstream: FakeOpenAI) -> None:
    completion = client(running).chat.completions.create(
        model=GPT,
        messages=USER_MESSAGES,
        extra_body={
            "files": [],
            "chat_id": "local:chat",
            "id": "message-1",
            "params": {"temperature": 0.25, "system": "Answer briefly."},
            "tool_ids": [],
            "features": {"web_search": False},
            "model_item": {},
        },
    )
    system = {"role": "system", "content": "Answer briefly."}
    assert completion.choices[0].message.content == expected_text(GPT, [system, *USER_MESSAGES], 2)
    assert completion.choices[0].finish_reason == "stop" and completion.model == GPT
    received = last(openai_upstream, "/v1/chat/completions")
    assert received.headers["Authorization"] == f"Bearer {OPENAI_KEY}"
    assert received.json == {
        "model": GPT,
        "messages": [system, *USER_MESSAGES],
        "temperature": 0.25,
    }


def test_openai_chat_stream_with_the_openai_client(running: Running, openai_upstream: FakeOpenAI) -> None:
    stream = client(running).chat.completions.create(
        model=GPT,
        messages=USER_MESSAGES,
        stream=True,
        stream_options={"include_usage": True},
        temperature=0.5,
        extra_body={"chat_id": "local:chat", "params": {"temperature": 0.9, "seed": 3}},
    )
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == expected_text(GPT, USER_MESSAGES, 1)
    assert chunks[-1].choices == [] and chunks[-1].usage is not None
    assert chunks[-2].choices[0].finish_reason == "stop"
    received = last(openai_upstream, "/v1/chat/completions")
    assert received.headers["Authorization"] == f"Bearer {OPENAI_KEY}"
    # A key the body has wins over the same key in params (0.12); the others are copied up.
    assert received.json["temperature"] == 0.5 and received.json["seed"] == 3
    assert not {"chat_id", "params"} & set(received.json)


def test_openai_chat_stream_raw_sse_is_relayed(running: Running, openai_upstream: FakeOpenAI) -> None:
    raw = raw_sse(
        running, "/api/v1/chat/completions", {"model": GPT, "messages": USER_MESSAGES, "stream": True}
    )
    chunks = sse_payloads(raw)
    assert chunks[0]["choices"][0]["delta"] == {"role": "assistant", "content": ""}
    assert "".join(c["choices"][0]["delta"].get("content", "") for c in chunks) == expected_text(
        GPT, USER_MESSAGES, 1
    )


# --- Ollama translation ---------------------------------------------------------------------------


def test_top_level_sampling_fields_land_in_ollama_options(running: Running, ollama: FakeOllama) -> None:
    completion = client(running).chat.completions.create(
        model=LLAMA,
        messages=USER_MESSAGES,
        temperature=0.1,
        top_p=0.9,
        seed=7,
        stop="END",
        max_tokens=5,
        presence_penalty=0.3,
        frequency_penalty=0.4,
        user="someone",
    )
    assert completion.choices[0].message.content == ollama_text(USER_MESSAGES)
    sent = last(ollama, "/api/chat").json
    assert sent["options"] == {
        "temperature": 0.1,
        "top_p": 0.9,
        "seed": 7,
        "stop": ["END"],
        "presence_penalty": 0.3,
        "frequency_penalty": 0.4,
        "num_predict": 5,
    }
    assert set(sent) == {"model", "messages", "stream", "options"}


def test_params_and_options_precedence(running: Running, ollama: FakeOllama) -> None:
    body = {
        "model": LLAMA,
        "messages": USER_MESSAGES,
        "temperature": 0.1,
        "top_p": 0.5,
        "seed": 1,
        "max_tokens": 10,
        "params": {"temperature": 0.2, "top_p": 0.6, "num_ctx": 4096, "max_tokens": 20},
        "options": {"temperature": 0.3, "keep_alive": "5m"},
    }
    reply = chat(running.url, body, running.admin.headers)
    assert reply.status_code == 200, reply.text
    sent = last(ollama, "/api/chat").json
    # Lowest first: top-level fields, then params, then explicit options.
    assert sent["options"] == {
        "temperature": 0.3,
        "top_p": 0.6,
        "seed": 1,
        "num_predict": 20,
        "num_ctx": 4096,
    }
    assert sent["keep_alive"] == "5m"
    assert "params" not in sent


def test_params_system_adds_a_system_message(running: Running, ollama: FakeOllama) -> None:
    body = {"model": LLAMA, "messages": USER_MESSAGES, "params": {"system": "Answer briefly."}}
    reply = chat(running.url, body, running.admin.headers)
    assert reply.status_code == 200
    expected_messages = [{"role": "system", "content": "Answer briefly."}, *USER_MESSAGES]
    sent = last(ollama, "/api/chat").json
    assert sent["messages"] == expected_messages and "options" not in sent
    assert reply.json()["choices"][0]["message"]["content"] == ollama_text(expected_messages)


def test_image_parts_become_ollama_images(running: Running, ollama: FakeOllama) -> None:
    png = base64.b64encode(b"\x89PNG\r\n\x1a\nfake image").decode()
    content = [
        {"type": "text", "text": "What is in this picture?"},
        {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{png}"}},
    ]
    completion = client(running).chat.completions.create(
        model=LLAMA, messages=[{"role": "user", "content": content}]
    )
    sent = last(ollama, "/api/chat").json
    expected = [{"role": "user", "content": "What is in this picture?", "images": [png]}]
    assert sent["messages"] == expected
    assert completion.choices[0].message.content == ollama_text(expected)


def test_response_format_becomes_ollama_format(running: Running, ollama: FakeOllama) -> None:
    schema = {"type": "object", "properties": {"answer": {"type": "string"}}, "required": ["answer"]}
    completion = client(running).chat.completions.create(
        model=LLAMA,
        messages=USER_MESSAGES,
        response_format={"type": "json_schema", "json_schema": {"name": "answer", "schema": schema}},
    )
    assert last(ollama, "/api/chat").json["format"] == schema
    assert json.loads(completion.choices[0].message.content) == json.loads(JSON_ANSWER)
    client(running).chat.completions.create(
        model=LLAMA, messages=USER_MESSAGES, response_format={"type": "json_object"}
    )
    assert last(ollama, "/api/chat").json["format"] == "json"


def test_tools_give_tool_calls(running: Running, ollama: FakeOllama) -> None:
    completion = client(running).chat.completions.create(
        model=LLAMA, messages=USER_MESSAGES, tools=[WEATHER_TOOL]
    )
    assert last(ollama, "/api/chat").json["tools"] == [WEATHER_TOOL]
    choice = completion.choices[0]
    assert choice.finish_reason == "tool_calls"
    (call,) = choice.message.tool_calls
    assert call.type == "function" and call.id.startswith("call_")
    assert call.function.name == "get_weather"
    assert json.loads(call.function.arguments) == {"city": TOOL_CITY}


def test_tools_give_tool_calls_when_streaming(running: Running, ollama: FakeOllama) -> None:
    chunks = list(
        client(running).chat.completions.create(
            model=LLAMA, messages=USER_MESSAGES, tools=[WEATHER_TOOL], stream=True
        )
    )
    calls = [call for c in chunks for call in c.choices[0].delta.tool_calls or []]
    assert len(calls) == 1 and calls[0].index == 0 and calls[0].id.startswith("call_")
    assert calls[0].function.name == "get_weather"
    assert json.loads(calls[0].function.arguments) == {"city": TOOL_CITY}
    assert chunks[-1].choices[0].finish_reason == "tool_calls"
    assert all(c.choices[0].finish_reason is None for c in chunks[:-1])


def test_tool_call_history_is_sent_in_ollama_shape(running: Running, ollama: FakeOllama) -> None:
    history = [
        *USER_MESSAGES,
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call_1",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "call_1", "content": "sunny"},
    ]
    reply = chat(running.url, {"model": LLAMA, "messages": history}, running.admin.headers)
    assert reply.status_code == 200, reply.text
    sent = last(ollama, "/api/chat").json["messages"]
    assert sent[1] == {
        "role": "assistant",
        "content": "",
        "tool_calls": [
            {"index": 0, "id": "call_1", "function": {"name": "get_weather", "arguments": {"city": "Paris"}}}
        ],
    }
    assert sent[2] == {"role": "tool", "content": "sunny", "tool_call_id": "call_1"}


@pytest.mark.parametrize("request_fields", [{"think": True}, {"reasoning_effort": "low"}])
def test_reasoning_content(running: Running, ollama: FakeOllama, request_fields: dict) -> None:
    body = {"model": LLAMA, "messages": USER_MESSAGES, **request_fields}
    reply = chat(running.url, body, running.admin.headers)
    assert reply.status_code == 200
    assert last(ollama, "/api/chat").json["think"] is True
    message = reply.json()["choices"][0]["message"]
    assert message["reasoning_content"] == THINKING
    assert message["content"] == ollama_text(USER_MESSAGES)

    with requests.post(
        f"{running.url}/api/chat/completions",
        json={**body, "stream": True},
        headers=running.admin.headers,
        stream=True,
        timeout=10,
    ) as streamed:
        chunks = sse_payloads(b"".join(streamed.iter_content(chunk_size=None)))
    assert chunks[0]["choices"][0]["delta"]["reasoning_content"] == THINKING
    assert "".join(c["choices"][0]["delta"].get("reasoning_content", "") for c in chunks) == THINKING


def test_reasoning_with_the_openai_client(running: Running, ollama: FakeOllama) -> None:
    completion = client(running).chat.completions.create(
        model=LLAMA, messages=USER_MESSAGES, reasoning_effort="high"
    )
    assert getattr(completion.choices[0].message, "reasoning_content", None) == THINKING


# --- errors ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("stream", [False, True])
def test_unknown_model(running: Running, stream: bool) -> None:
    body = {"model": "no-such-model", "messages": USER_MESSAGES, "stream": stream}
    reply = chat(running.url, body, running.admin.headers)
    assert reply.status_code == 400 and reply.json() == {"detail": "Model not found"}
    missing = chat(running.url, {"messages": USER_MESSAGES}, running.admin.headers)
    assert missing.status_code == 400 and missing.json() == {"detail": "Model not found"}


def test_unknown_model_with_the_openai_client(running: Running) -> None:
    with pytest.raises(openai.BadRequestError) as raised:
        client(running).chat.completions.create(model="no-such-model", messages=USER_MESSAGES)
    assert raised.value.status_code == 400 and raised.value.body == {"detail": "Model not found"}


def test_body_that_is_not_a_json_object(running: Running) -> None:
    headers = {**running.admin.headers, "Content-Type": "application/json"}
    for data in (b"{not json", b"[1, 2]", b""):
        reply = requests.post(f"{running.url}/api/chat/completions", data=data, headers=headers, timeout=10)
        assert reply.status_code == 422, (data, reply.text)
        assert isinstance(reply.json()["detail"], list)


@pytest.mark.parametrize("stream", [False, True])
def test_openai_upstream_error_passes_through(
    running: Running, openai_upstream: FakeOpenAI, stream: bool
) -> None:
    error = {"error": {"message": "Rate limit reached", "type": "requests", "code": "rate_limit_exceeded"}}
    openai_upstream.fail_status = 429
    openai_upstream.fail_body = error
    openai_upstream.fail_headers = {"Retry-After": "7"}
    body = {"model": GPT, "messages": USER_MESSAGES, "stream": stream}
    reply = chat(running.url, body, running.admin.headers)
    assert reply.status_code == 429
    assert reply.json() == error
    assert reply.headers["Retry-After"] == "7"
    assert reply.headers["Content-Type"].startswith("application/json")


def test_openai_upstream_error_with_the_openai_client(running: Running, openai_upstream: FakeOpenAI) -> None:
    openai_upstream.fail_status = 400
    openai_upstream.fail_body = {"error": {"message": "bad things", "type": "invalid_request_error"}}
    with pytest.raises(openai.BadRequestError) as raised:
        client(running).chat.completions.create(model=GPT, messages=USER_MESSAGES)
    assert raised.value.status_code == 400
    assert raised.value.body == {"message": "bad things", "type": "invalid_request_error"}


@pytest.mark.parametrize("stream", [False, True])
def test_ollama_upstream_error(running: Running, ollama: FakeOllama, stream: bool) -> None:
    ollama.fail_status = 500
    ollama.fail_body = {"error": "boom"}
    body = {"model": LLAMA, "messages": USER_MESSAGES, "stream": stream}
    reply = chat(running.url, body, running.admin.headers)
    assert reply.status_code == 500 and reply.json() == {"detail": "boom"}
    ollama.fail_status = 404
    ollama.fail_body = {"error": 'model "llama3.2:latest" not found, try pulling it first'}
    gone = chat(running.url, body, running.admin.headers)
    assert gone.status_code == 404 and gone.json() == {"detail": ollama.fail_body["error"]}


# --- upstream outages, on a stack of their own -------------------------------------------------------
#
# Stopping the session's fakes would count as failures of their upstreams; three in a row take an
# upstream out of rotation for UPSTREAM_COOLDOWN_S, which would slow the tests that come after. These
# tests therefore get their own stack and fakes (cool-down: tests/e2e/test_upstream_resilience.py).


@dataclass
class Outage:
    url: str
    headers: dict[str, str]
    ollama: FakeOllama
    openai: FakeOpenAI


@pytest.fixture(scope="module")
def outage_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Outage]:
    with FakeOllama() as fake_ollama, FakeOpenAI(api_key=OPENAI_KEY) as fake_openai:
        data_dir: Path = tmp_path_factory.mktemp("outage-stack")
        # upstream_env keeps failures from cooling the upstreams down: each test stops a fake on purpose.
        stack = make_stack(data_dir, **upstream_env(fake_ollama, fake_openai))
        stack.start()
        try:
            headers = signup(stack.gateway_url, "admin@example.com", "admin password", "Admin").headers
            yield Outage(stack.gateway_url, headers, fake_ollama, fake_openai)
        finally:
            stack.stop()


@pytest.fixture
def outage(outage_stack: Outage) -> Iterator[Outage]:
    """The outage stack with both fakes running and settings put back after the test."""
    for fake in (outage_stack.ollama, outage_stack.openai):
        if not fake.running:
            fake.restart()
        fake.token_delay_s = 0.0
        fake.reset()
    # The stack knows the models before the fakes go away.
    assert get(outage_stack.url, "/api/models", outage_stack.headers).status_code == 200
    try:
        yield outage_stack
    finally:
        for fake in (outage_stack.ollama, outage_stack.openai):
            fake.token_delay_s = 0.0
            if not fake.running:
                fake.restart()


@pytest.mark.parametrize("model", [LLAMA, GPT])
@pytest.mark.parametrize("stream", [False, True])
def test_upstream_unreachable_is_a_quick_502(outage: Outage, model: str, stream: bool) -> None:
    fake = outage.ollama if model == LLAMA else outage.openai
    fake.stop()
    started = time.monotonic()
    reply = chat(outage.url, {"model": model, "messages": USER_MESSAGES, "stream": stream}, outage.headers)
    assert time.monotonic() - started < 5
    assert reply.status_code == 502 and reply.json() == {"detail": messages.SERVER_CONNECTION_ERROR}
    # The model list still answers, with the unreachable upstream's last known models.
    started = time.monotonic()
    models = get(outage.url, "/api/models", outage.headers)
    assert time.monotonic() - started < 5
    assert models.status_code == 200 and model in {m["id"] for m in models.json()["data"]}
    fake.restart()
    back = chat(outage.url, {"model": model, "messages": USER_MESSAGES}, outage.headers)
    assert back.status_code == 200, back.text


@pytest.mark.parametrize("model", [LLAMA, GPT])
def test_upstream_failing_mid_stream_ends_the_stream_in_band(outage: Outage, model: str) -> None:
    fake = outage.ollama if model == LLAMA else outage.openai
    fake.token_delay_s = 0.2
    body = {"model": model, "messages": USER_MESSAGES, "stream": True}
    with requests.post(
        f"{outage.url}/api/chat/completions", json=body, headers=outage.headers, stream=True, timeout=10
    ) as reply:
        assert reply.status_code == 200
        parts = reply.iter_content(chunk_size=None)
        first = next(parts)
        assert first.startswith(b"data: {")
        fake.stop()
        rest = b"".join(parts)
    raw = first + rest
    assert raw.endswith(SSE_FAILED), raw[-300:]
    assert b"t8" not in raw
    for frame in raw[: -len(SSE_FAILED)].split(b"\n\n"):
        assert not frame or json.loads(frame[len(b"data: ") :])["object"] == "chat.completion.chunk"


# --- POST /api/chat/completed -----------------------------------------------------------------------


def completed_body(**changes: object) -> dict:
    body = {
        "model": LLAMA,
        "messages": [*USER_MESSAGES, {"role": "assistant", "content": "Rayleigh scattering."}],
        "chat_id": "local:chat-1",
        "session_id": "session-1",
        "id": "message-1",
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


def test_chat_completed_echoes_the_body(running: Running, user: Account) -> None:
    body = completed_body(filter_ids=[])
    for path in ("/api/chat/completed", "/api/v1/chat/completed"):
        reply = post(running.url, path, body, user.headers)
        assert reply.status_code == 200 and reply.json() == body


@pytest.mark.parametrize(
    ("changes", "detail"),
    [
        ({"id": None}, messages.MISSING_MESSAGE_ID),
        ({"model": "no-such-model"}, "Model not found"),
        ({"chat_id": None}, "'chat_id'"),
        ({"session_id": None}, "'session_id'"),
        ({"chat_id": "channel:general"}, "Channel chats are not supported on this endpoint"),
    ],
)
def test_chat_completed_errors(running: Running, changes: dict, detail: str) -> None:
    reply = post(running.url, "/api/chat/completed", completed_body(**changes), running.admin.headers)
    assert reply.status_code == 400 and reply.json() == {"detail": detail}


def test_chat_completed_refuses_pending_users(running: Running, pending: Account) -> None:
    reply = post(running.url, "/api/chat/completed", completed_body(), pending.headers)
    assert reply.status_code == 401 and reply.json() == {"detail": messages.ACCESS_PROHIBITED}


# --- POST /api/embeddings ---------------------------------------------------------------------------


def test_embeddings_with_an_ollama_model(running: Running, ollama: FakeOllama) -> None:
    reply = post(
        running.url, "/api/embeddings", {"model": LLAMA, "input": ["hello", "world"]}, running.admin.headers
    )
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert body == {
        "object": "list",
        "data": [
            {"object": "embedding", "embedding": embedding_vector("hello"), "index": 0},
            {"object": "embedding", "embedding": embedding_vector("world"), "index": 1},
        ],
        "model": LLAMA,
    }
    assert last(ollama, "/api/embed").json == {"model": LLAMA, "input": ["hello", "world"]}
    single = post(
        running.url, "/api/v1/embeddings", {"model": LLAMA, "input": "hello"}, running.admin.headers
    )
    assert single.status_code == 200
    assert single.json()["data"] == [
        {"object": "embedding", "embedding": embedding_vector("hello"), "index": 0}
    ]


@pytest.mark.parametrize("model", [LLAMA, GPT])
def test_embeddings_with_the_openai_client(running: Running, ollama: FakeOllama, model: str) -> None:
    api = client(running)
    # The SDK asks for base64 unless told otherwise and decodes what comes back.
    default = api.embeddings.create(model=model, input=["hello", "world"])
    assert [d.index for d in default.data] == [0, 1]
    for item, text in zip(default.data, ["hello", "world"], strict=True):
        assert len(item.embedding) == EMBEDDING_DIMS
        assert item.embedding == pytest.approx(embedding_vector(text), abs=1e-6)
    as_floats = api.embeddings.create(model=model, input="hello", encoding_format="float")
    assert as_floats.data[0].embedding == embedding_vector("hello")
    as_base64 = api.embeddings.create(model=model, input="hello", encoding_format="base64")
    encoded = as_base64.data[0].embedding
    assert isinstance(encoded, str)
    decoded = struct.unpack(f"<{EMBEDDING_DIMS}f", base64.b64decode(encoded))
    assert list(decoded) == pytest.approx(embedding_vector("hello"), abs=1e-6)


def test_embeddings_unknown_model_is_400(running: Running) -> None:
    reply = post(
        running.url, "/api/embeddings", {"model": "no-such-model", "input": "x"}, running.admin.headers
    )
    assert reply.status_code == 400 and reply.json() == {"detail": "Model not found"}


def test_embeddings_upstream_error(running: Running, ollama: FakeOllama) -> None:
    ollama.fail_status = 500
    ollama.fail_body = {"error": "boom"}
    reply = post(running.url, "/api/embeddings", {"model": LLAMA, "input": "x"}, running.admin.headers)
    assert reply.status_code == 500 and reply.json() == {"detail": "boom"}


# --- /openai/* --------------------------------------------------------------------------------------


def test_openai_models(running: Running, openai_upstream: FakeOpenAI, user: Account) -> None:
    reply = get(running.url, "/openai/models", user.headers)
    assert reply.status_code == 200
    data = reply.json()["data"]
    assert [m["id"] for m in data] == list(openai_upstream.models)
    assert all(m["owned_by"] == "openai" and m["urlIdx"] == 0 and m["openai"]["id"] == m["id"] for m in data)
    by_idx = get(running.url, "/openai/models/0", user.headers)
    assert by_idx.status_code == 200
    assert [m["id"] for m in by_idx.json()["data"]] == list(openai_upstream.models)
    missing = get(running.url, "/openai/models/5", user.headers)
    assert missing.status_code == 404
    refused = get(running.url, "/openai/models", None)
    assert refused.status_code == 401


def test_openai_chat_completions_route(running: Running, openai_upstream: FakeOpenAI, user: Account) -> None:
    api = openai.OpenAI(base_url=f"{running.url}/openai", api_key=user.token, max_retries=0, timeout=10)
    completion = api.chat.completions.create(model=GPT, messages=USER_MESSAGES)
    assert completion.choices[0].message.content == expected_text(GPT, USER_MESSAGES, 1)
    chunks = list(api.chat.completions.create(model=GPT, messages=USER_MESSAGES, stream=True))
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == expected_text(GPT, USER_MESSAGES, 1)
    for model in (LLAMA, "no-such-model"):
        reply = post(
            running.url, "/openai/chat/completions", {"model": model, "messages": USER_MESSAGES}, user.headers
        )
        # Open WebUI's MODEL_NOT_FOUND() called without a name.
        assert reply.status_code == 404 and reply.json() == {"detail": messages.model_not_found("")}


def test_openai_config_is_admin_only_with_masked_keys(
    running: Running, openai_upstream: FakeOpenAI, user: Account
) -> None:
    reply = get(running.url, "/openai/config", running.admin.headers)
    assert reply.status_code == 200
    config = reply.json()
    assert config["ENABLE_OPENAI_API"] is True
    assert config["OPENAI_API_BASE_URLS"] == [openai_upstream.base_url]
    # A deliberate difference: Open WebUI shows the keys in full.
    (masked,) = config["OPENAI_API_KEYS"]
    assert masked != OPENAI_KEY and masked.endswith(OPENAI_KEY[-4:])
    assert OPENAI_KEY not in reply.text
    refused = get(running.url, "/openai/config", user.headers)
    assert refused.status_code == 401 and refused.json() == {"detail": messages.ACCESS_PROHIBITED}


def test_openai_passthrough_is_disabled(running: Running, openai_upstream: FakeOpenAI, user: Account) -> None:
    for method, path in (
        ("GET", "/openai/whatever"),
        ("POST", "/openai/embeddings"),
        ("DELETE", "/openai/files/x"),
    ):
        reply = requests.request(method, f"{running.url}{path}", headers=user.headers, json={}, timeout=10)
        assert reply.status_code == 403, (method, path)
        assert reply.json() == {"detail": messages.OPENAI_PASSTHROUGH_DISABLED}
    assert not openai_upstream.requests or all(r.path == "/v1/models" for r in openai_upstream.requests)
