"""Upstreams that misbehave, on a stack with the default model-list TTL and cool-down: chats send no
model lists, an outage answers 502 (not "Model not found") and ends as soon as the upstream is back,
and a stream the upstream ends early ends in-band as a failure."""

import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import requests

from services.common import messages
from services.common.stream_frames import SSE_STREAM_FAILED
from tests.e2e.conftest import OPENAI_KEY, make_stack, signup
from tests.fakes.base import FakeServer
from tests.fakes.ollama import FakeOllama
from tests.fakes.openai import FakeOpenAI

LLAMA = "llama3.2:latest"
GPT = "gpt-4o-mini"
MESSAGES = [{"role": "user", "content": "Why is the sky blue?"}]
LIST_PATHS = ("/api/tags", "/api/ps", "/v1/models")
# MODELS_CACHE_TTL's default.
TTL_S = 1.0


@dataclass
class Upstreams:
    url: str
    headers: dict[str, str]
    ollama: FakeOllama
    openai: FakeOpenAI

    def fake(self, model: str) -> FakeServer:
        return self.ollama if model == LLAMA else self.openai

    def chat(
        self, model: str, stream: bool = False, path: str = "/api/chat/completions"
    ) -> requests.Response:
        body = {"model": model, "messages": MESSAGES, "stream": stream}
        return requests.post(f"{self.url}{path}", json=body, headers=self.headers, timeout=30)

    def model_ids(self) -> set[str]:
        reply = requests.get(f"{self.url}/api/models", headers=self.headers, timeout=30)
        assert reply.status_code == 200, reply.text
        return {m["id"] for m in reply.json()["data"]}


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Upstreams]:
    with FakeOllama() as fake_ollama, FakeOpenAI(api_key=OPENAI_KEY) as fake_openai:
        running = make_stack(
            tmp_path_factory.mktemp("upstream-resilience"),
            OLLAMA_BASE_URLS=fake_ollama.url,
            OPENAI_API_BASE_URLS=fake_openai.base_url,
            OPENAI_API_KEYS=OPENAI_KEY,
        )
        running.start()
        try:
            headers = signup(running.gateway_url, "admin@example.com", "admin password", "Admin").headers
            yield Upstreams(running.gateway_url, headers, fake_ollama, fake_openai)
        finally:
            running.stop()


@pytest.fixture
def upstreams(stack: Upstreams) -> Iterator[Upstreams]:
    """Both fakes running, their models known to the stack, recording afresh."""
    for fake in (stack.ollama, stack.openai):
        if not fake.running:
            fake.restart()
    assert {LLAMA, GPT} <= stack.model_ids()
    for fake in (stack.ollama, stack.openai):
        fake.reset()
    try:
        yield stack
    finally:
        for fake in (stack.ollama, stack.openai):
            fake.truncate_stream = None
            if not fake.running:
                fake.restart()


def list_requests(fake: FakeServer) -> list[str]:
    return [r.path for r in fake.requests if r.path in LIST_PATHS]


def test_chats_send_no_model_lists(upstreams: Upstreams) -> None:
    # Some servers end a running stream when another request arrives: a list sent with a chat would
    # cut its stream short.
    deadline = time.monotonic() + 2.5 * TTL_S
    chats = 0
    while time.monotonic() < deadline:
        for model in (LLAMA, GPT):
            for stream in (False, True):
                reply = upstreams.chat(model, stream)
                assert reply.status_code == 200, reply.text
                chats += 1
        time.sleep(0.3)
    assert chats >= 8
    assert list_requests(upstreams.ollama) == [] and list_requests(upstreams.openai) == []


@pytest.mark.parametrize("model", [LLAMA, GPT])
def test_an_outage_is_502_and_ends_when_the_upstream_answers(upstreams: Upstreams, model: str) -> None:
    fake = upstreams.fake(model)
    fake.stop()
    # Past the failure threshold (3): the upstream is cooling down, and the model list is stale.
    for stream in (False, True, False, True):
        reply = upstreams.chat(model, stream)
        assert reply.status_code == 502, reply.text
        assert reply.json() == {"detail": messages.SERVER_CONNECTION_ERROR}
    time.sleep(TTL_S)
    assert model in upstreams.model_ids()
    assert upstreams.chat(model).status_code == 502
    if model == GPT:
        proxied = upstreams.chat(model, path="/openai/chat/completions")
        assert proxied.status_code == 502, proxied.text
    fake.restart()
    started = time.monotonic()
    reply = upstreams.chat(model)
    assert reply.status_code == 200, reply.text
    assert time.monotonic() - started < 1.0


@pytest.mark.parametrize("model", [LLAMA, GPT])
def test_a_stream_the_upstream_ends_early_fails_in_band(upstreams: Upstreams, model: str) -> None:
    upstreams.fake(model).truncate_stream = 3
    reply = upstreams.chat(model, stream=True)
    assert reply.status_code == 200
    assert reply.content.endswith(SSE_STREAM_FAILED), reply.content[-300:]
    assert b'"finish_reason":"stop"' not in reply.content
    # The same request answered in full ends as usual.
    upstreams.fake(model).truncate_stream = None
    whole = upstreams.chat(model, stream=True)
    assert whole.status_code == 200 and whole.content.endswith(b"data: [DONE]\n\n")
    assert SSE_STREAM_FAILED not in whole.content
