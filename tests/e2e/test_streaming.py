"""Streaming through the whole stack: every upstream chunk reaches the client as it is produced,
and a client that leaves cancels the upstream request."""

import time

import requests

from tests.e2e.conftest import Account, Running, make_stack, signup
from tests.fakes.ollama import FakeOllama
from tests.fakes.openai import FakeOpenAI

MESSAGES = [{"role": "user", "content": "Why is the sky blue?"}]


def open_stream(running: Running, account: Account, path: str, body: dict) -> requests.Response:
    reply = requests.post(f"{running.url}{path}", json=body, headers=account.headers, stream=True, timeout=30)
    assert reply.status_code == 200, reply.text
    return reply


def arrivals(reply: requests.Response, pieces_iter=None) -> list[tuple[float, bytes]]:
    """(seconds since the first byte, piece) for each piece as the socket delivers it."""
    started = None
    pieces = []
    for piece in pieces_iter or reply.iter_content(chunk_size=None):
        now = time.monotonic()
        started = started or now
        pieces.append((now - started, piece))
    return pieces


def test_chat_stream_is_incremental(running: Running, user: Account, ollama: FakeOllama) -> None:
    ollama.token_delay_s = 0.15
    started = time.monotonic()
    reply = open_stream(
        running,
        user,
        "/api/chat/completions",
        {"model": "llama3.2:latest", "messages": MESSAGES, "stream": True},
    )
    pieces = reply.iter_content(chunk_size=None)
    first = next(pieces)
    first_at = time.monotonic() - started
    # The first token reached us while the upstream was still generating the rest.
    assert ollama.streams_completed == 0
    assert first.startswith(b"data: {")
    rest = b"".join(piece for _, piece in arrivals(reply, pieces))
    total = time.monotonic() - started
    assert first_at < 0.5
    assert total - first_at > 0.15 * 6
    assert (first + rest).endswith(b"data: [DONE]\n\n")


def test_openai_stream_is_incremental(running: Running, user: Account, openai_upstream: FakeOpenAI) -> None:
    openai_upstream.token_delay_s = 0.15
    reply = open_stream(
        running, user, "/api/chat/completions", {"model": "gpt-4o-mini", "messages": MESSAGES, "stream": True}
    )
    pieces = arrivals(reply)
    assert len(pieces) > 5
    assert pieces[-1][0] > 0.15 * 6
    assert b"".join(p for _, p in pieces).endswith(b"data: [DONE]\n\n")


def test_ollama_ndjson_is_incremental(running: Running, user: Account, ollama: FakeOllama) -> None:
    ollama.token_delay_s = 0.15
    reply = open_stream(running, user, "/ollama/api/chat", {"model": "llama3.2:latest", "messages": MESSAGES})
    assert reply.headers["Content-Type"].startswith("application/x-ndjson")
    pieces = arrivals(reply)
    assert len(pieces) > 5
    assert pieces[-1][0] > 0.15 * 6


def test_client_disconnect_cancels_the_upstream(running: Running, user: Account, ollama: FakeOllama) -> None:
    ollama.token_delay_s = 0.2
    reply = open_stream(
        running,
        user,
        "/api/chat/completions",
        {"model": "llama3.2:latest", "messages": MESSAGES, "stream": True},
    )
    next(reply.iter_content(chunk_size=None))
    reply.close()
    assert ollama.wait_for(lambda f: f.streams_cancelled == 1, 5)
    assert ollama.streams_completed == 0


def test_proxy_disconnect_cancels_the_upstream(running: Running, user: Account, ollama: FakeOllama) -> None:
    ollama.token_delay_s = 0.2
    reply = open_stream(running, user, "/ollama/api/generate", {"model": "llama3.2:latest", "prompt": "hi"})
    next(reply.iter_content(chunk_size=None))
    reply.close()
    assert ollama.wait_for(lambda f: f.streams_cancelled == 1, 5)


def test_openai_disconnect_cancels_the_upstream(
    running: Running, user: Account, openai_upstream: FakeOpenAI
) -> None:
    openai_upstream.token_delay_s = 0.2
    reply = open_stream(
        running, user, "/api/chat/completions", {"model": "gpt-4o-mini", "messages": MESSAGES, "stream": True}
    )
    next(reply.iter_content(chunk_size=None))
    reply.close()
    assert openai_upstream.wait_for(lambda f: f.streams_cancelled == 1, 5)


def test_split_sse_frames_are_reassembled(
    running: Running, user: Account, openai_upstream: FakeOpenAI
) -> None:
    openai_upstream.split_frames = True
    reply = open_stream(
        running, user, "/api/chat/completions", {"model": "gpt-4o-mini", "messages": MESSAGES, "stream": True}
    )
    pieces = [p for _, p in arrivals(reply)]
    # Each piece we relay is whole events, although the upstream wrote every one in two halves.
    assert all(p.endswith(b"\n\n") for p in pieces)
    events = b"".join(pieces).split(b"\n\n")
    assert all(e.startswith(b"data: ") for e in events if e)


def test_inference_dying_mid_stream_ends_the_stream_in_band(tmp_path) -> None:
    with FakeOllama(token_delay_s=0.2) as fake:
        stack = make_stack(tmp_path, **upstream_env_ollama_only(fake))
        stack.start()
        try:
            url = stack.gateway_url
            headers = signup(url, "a@example.com").headers
            body = {"model": "llama3.2:latest", "messages": MESSAGES, "stream": True}
            with requests.post(
                f"{url}/api/chat/completions", json=body, headers=headers, stream=True, timeout=10
            ) as reply:
                pieces = reply.iter_content(chunk_size=None)
                first = next(pieces)
                logs = (stack.log_tail("gateway"), stack.log_tail("inference"))
                assert first.startswith(b"data: {"), (first, logs)
                stack.processes["inference"].kill()
                rest = b"".join(pieces)
            assert rest.endswith(
                b'data: {"error":{"message":"Chat completion stream failed"}}\n\ndata: [DONE]\n\n'
            )
            # With the service gone, new requests fail fast with a clear status.
            down = requests.post(f"{url}/api/chat/completions", json=body, headers=headers, timeout=10)
            assert down.status_code == 503
            assert down.json() == {"detail": "Service temporarily unavailable"}
        finally:
            stack.stop()


def upstream_env_ollama_only(fake: FakeOllama) -> dict[str, str]:
    return {"OLLAMA_BASE_URLS": fake.url, "ENABLE_OPENAI_API": "false"}
