"""SIGTERM mid-stream: the gateway and the inference service stop taking new work, let in-flight
streams finish within SHUTDOWN_GRACE_S, cut what runs longer, and exit 0."""

import json
import signal
import socket
import subprocess
import time
from collections.abc import Iterator

import pytest
import requests

from services.common import messages
from services.stack import Stack
from tests.e2e.conftest import OPENAI_KEY, Account, make_stack, signup, upstream_env
from tests.fakes.ollama import FakeOllama
from tests.fakes.openai import FakeOpenAI

GRACE_S = 2.5
TOKEN_DELAY_S = 0.15
# A short stream ends within the grace period (under 1.1 s after its first chunk); a long one does not.
SHORT_TOKENS = 8
LONG_TOKENS = 100
MESSAGES = [{"role": "user", "content": "Tell me a long story."}]


class Setup:
    def __init__(self, stack: Stack, openai: FakeOpenAI, admin: Account) -> None:
        self.stack = stack
        self.openai = openai
        self.admin = admin


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Setup]:
    with FakeOllama() as ollama, FakeOpenAI(api_key=OPENAI_KEY) as openai:
        stack = make_stack(
            tmp_path_factory.mktemp("shutdown"),
            **upstream_env(ollama, openai),
            SHUTDOWN_GRACE_S=str(GRACE_S),
        )
        stack.start()
        try:
            yield Setup(stack, openai, signup(stack.gateway_url, "admin@example.com", name="Admin"))
        finally:
            stack.stop()


@pytest.fixture
def openai(setup: Setup) -> Iterator[FakeOpenAI]:
    fake = setup.openai
    fake.reset()
    try:
        yield fake
    finally:
        fake.token_delay_s, fake.tokens = 0.0, 8


def open_stream(setup: Setup) -> requests.Response:
    reply = requests.post(
        f"{setup.stack.gateway_url}/api/chat/completions",
        json={"model": "gpt-4o-mini", "messages": MESSAGES, "stream": True},
        headers=setup.admin.headers,
        stream=True,
        timeout=30,
    )
    assert reply.status_code == 200, reply.text
    return reply


def read_events(lines: Iterator[bytes]) -> list[str]:
    """The data of every SSE event until the stream ends (or the connection is cut)."""
    events = []
    try:
        for line in lines:
            if line.startswith(b"data: "):
                events.append(line[6:].decode())
    except requests.exceptions.ChunkedEncodingError:
        pass
    return events


def content(events: list[str]) -> str:
    text = ""
    for event in events:
        if event != "[DONE]":
            for choice in json.loads(event).get("choices", []):
                text += choice.get("delta", {}).get("content") or ""
    return text


def refused(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
    except ConnectionRefusedError:
        return True
    return False


def sigterm(stack: Stack, name: str) -> tuple[subprocess.Popen[bytes], float]:
    process = stack.processes[name]
    process.send_signal(signal.SIGTERM)
    return process, time.monotonic()


def restart(stack: Stack, name: str) -> None:
    """Starts the stopped process ``name`` again."""
    stack.processes.pop(name)
    stack.restart_service(name)


def exit_code(process: subprocess.Popen[bytes], timeout_s: float) -> int:
    try:
        return process.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        raise AssertionError(f"still running {timeout_s} s after SIGTERM") from None


def start_two_streams(setup: Setup, openai: FakeOpenAI) -> tuple[Iterator[bytes], Iterator[bytes]]:
    """A long stream (far longer than the grace period) and a short one (within it), both under way."""
    openai.token_delay_s = TOKEN_DELAY_S
    openai.tokens = LONG_TOKENS
    long = open_stream(setup).iter_lines()
    assert next(long).startswith(b"data: {")
    openai.tokens = SHORT_TOKENS
    short = open_stream(setup).iter_lines()
    assert next(short).startswith(b"data: {")
    return long, short


def test_gateway_sigterm_finishes_streams_within_the_grace_period(setup: Setup, openai: FakeOpenAI) -> None:
    long, short = start_two_streams(setup, openai)
    process, stopped_at = sigterm(setup.stack, "gateway")
    # New connections are refused at once, while the streams go on.
    deadline = time.monotonic() + 1
    while not refused(setup.stack.config.port):
        assert time.monotonic() < deadline, "the gateway still accepts connections"
        time.sleep(0.05)
    assert openai.streams_completed == 0
    # The short stream is delivered whole, to its end.
    events = read_events(short)
    assert events[-1] == "[DONE]"
    assert content(events).endswith(f" t{SHORT_TOKENS}")
    # The long one is cut when the grace period ends, and the gateway exits 0 right after.
    assert exit_code(process, GRACE_S + 5) == 0
    assert GRACE_S - 0.1 < time.monotonic() - stopped_at < GRACE_S + 1.5
    events = read_events(long)
    assert "[DONE]" not in events and f" t{LONG_TOKENS}" not in content(events)
    # The cut reached the upstream too: its request was cancelled, not left generating.
    assert openai.wait_for(lambda f: f.streams_cancelled == 1, 5)
    assert openai.streams_completed == 1
    restart(setup.stack, "gateway")


def test_inference_sigterm_finishes_streams_within_the_grace_period(setup: Setup, openai: FakeOpenAI) -> None:
    url = setup.stack.gateway_url
    long, short = start_two_streams(setup, openai)
    process, stopped_at = sigterm(setup.stack, "inference")
    # The draining replica reports NOT_SERVING at once, so the gateway is no longer ready.
    ready = requests.get(f"{url}/ready", timeout=5)
    assert ready.status_code == 503 and "inference" in ready.json()["detail"]
    events = read_events(short)
    assert events[-1] == "[DONE]"
    assert content(events).endswith(f" t{SHORT_TOKENS}")
    assert exit_code(process, GRACE_S + 5) == 0
    assert GRACE_S - 0.1 < time.monotonic() - stopped_at < GRACE_S + 1.5
    # The gateway stays up and ends the cut stream in-band, as Open WebUI reports a failed stream.
    events = read_events(long)
    assert f" t{LONG_TOKENS}" not in content(events)
    assert json.loads(events[-2]) == {"error": {"message": messages.STREAM_FAILED}}
    assert events[-1] == "[DONE]"
    assert openai.wait_for(lambda f: f.streams_cancelled == 1, 5)
    assert requests.get(f"{url}/health", timeout=5).status_code == 200
    restart(setup.stack, "inference")
    assert wait_ready(url) < 10


def wait_ready(url: str, timeout_s: float = 15) -> float:
    """Seconds until the gateway at ``url`` answers ``/ready`` 200."""
    started = time.monotonic()
    while requests.get(f"{url}/ready", timeout=5).status_code != 200:
        assert time.monotonic() - started < timeout_s, "the gateway did not become ready again"
        time.sleep(0.05)
    return time.monotonic() - started
