"""A stream the upstream ends before its end (`[DONE]` or a finish_reason; Ollama's `done` line) ends
the client's stream with the in-band failure, not as a complete answer."""

import json
import random

import pytest

from services.common.stream_frames import SSE_DONE, SSE_STREAM_FAILED
from services.inference.chat import ChatService
from services.inference.dispatch import Dispatcher
from services.inference.model_registry import ModelRoute
from services.inference.replies import Head
from services.inference.sse import framed
from services.inference.transport import Timeouts
from services.inference.upstreams import Kind, Upstream, UpstreamPool
from tests.unit.fake_transport import FakeResponse, FakeTransport

OLLAMA = Upstream(Kind.OLLAMA, 0, "http://ollama:11434")
OPENAI = Upstream(Kind.OPENAI, 0, "http://llm:8080/v1")
SSE = {"Content-Type": "text/event-stream"}
NDJSON = {"Content-Type": "application/x-ndjson"}


def chat_service(response: FakeResponse) -> ChatService:
    pool = UpstreamPool([OLLAMA, OPENAI], 3, 30.0, rng=random.Random(1))
    transport = FakeTransport({"ollama[0]": response, "openai[0]": response})
    # The registry is not asked: the tests give the route.
    return ChatService(None, Dispatcher(pool, transport, Timeouts(5.0, 1.0)))  # type: ignore[arg-type]


async def streamed(response: FakeResponse, upstream: Upstream) -> bytes:
    route = ModelRoute("m", upstream.kind, (upstream,), "m")
    body = {"model": "m", "messages": [{"role": "user", "content": "hi"}], "stream": True}
    parts = [p async for p in framed(chat_service(response).dispatch(body, route))]
    assert isinstance(parts[0], Head) and parts[0].status == 200 and parts[0].streaming
    return b"".join(parts[1:])


def sse_chunk(content: str | None, finish: str | None = None) -> bytes:
    delta = {} if content is None else {"content": content}
    choice = {"index": 0, "delta": delta, "finish_reason": finish}
    return b"data: " + json.dumps({"object": "chat.completion.chunk", "choices": [choice]}).encode() + b"\n\n"


def ollama_line(content: str, done: bool = False) -> bytes:
    return json.dumps({"message": {"role": "assistant", "content": content}, "done": done}).encode() + b"\n"


@pytest.mark.parametrize(
    ("parts", "complete"),
    [
        ([sse_chunk("a"), sse_chunk(None, "stop"), SSE_DONE], True),
        # Some servers send no [DONE]: the finish_reason says the answer is whole.
        ([sse_chunk("a"), sse_chunk(None, "length")], True),
        ([sse_chunk("a"), b"data:[DONE]\n\n"], True),
        ([sse_chunk("a"), sse_chunk("b")], False),
        ([sse_chunk("a", None)], False),
        ([], False),
    ],
)
async def test_openai_stream_ending_early_fails_in_band(parts: list[bytes], complete: bool) -> None:
    raw = await streamed(FakeResponse(headers=SSE, parts=parts), OPENAI)
    assert raw.startswith(b"".join(parts))
    if complete:
        assert raw == b"".join(parts)
    else:
        assert raw == b"".join(parts) + SSE_STREAM_FAILED


async def test_ollama_stream_without_its_done_line_fails_in_band() -> None:
    raw = await streamed(FakeResponse(headers=NDJSON, parts=[ollama_line("a"), ollama_line("b")]), OLLAMA)
    assert raw.endswith(SSE_STREAM_FAILED)
    assert b'"finish_reason": "stop"' not in raw and b'"finish_reason":"stop"' not in raw
    assert raw.count(b'"content"') == 2


async def test_ollama_stream_with_its_done_line_finishes() -> None:
    parts = [ollama_line("a"), ollama_line("", done=True)]
    raw = await streamed(FakeResponse(headers=NDJSON, parts=parts), OLLAMA)
    assert raw.endswith(b"\n\n" + SSE_DONE)
    assert SSE_STREAM_FAILED not in raw
    assert b'"finish_reason":"stop"' in raw
