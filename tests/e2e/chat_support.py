"""Helpers of the chat e2e tests: the openai client, what the fake upstreams were asked, SSE bodies,
processed collections, and Open WebUI functions (from ``tests/functions/``) installed through the API."""

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import openai
import requests

from tests.e2e.conftest import (
    PROCESSING_DEADLINE_S,
    Account,
    Running,
    query_collection,
    uploaded,
    wait_processed,
)
from tests.fakes.base import FakeServer, Recorded

FUNCTIONS_DIR = Path(__file__).resolve().parent.parent / "functions"
LLAMA = "llama3.2:latest"
GPT = "gpt-4o-mini"
# The paths a chat completion reaches on each fake (model lists interleave with them).
CHAT_PATHS = ("/api/chat", "/v1/chat/completions")


def client(running: Running, account: Account | None = None) -> openai.OpenAI:
    """The official client on the gateway; no retries, so a failure shows as it happened."""
    token = (account or running.admin).token
    return openai.OpenAI(base_url=f"{running.url}/api", api_key=token, max_retries=0, timeout=30)


def post(running: Running, path: str, account: Account, body: object = None, **kw) -> requests.Response:
    return requests.post(f"{running.url}{path}", json=body, headers=account.headers, timeout=30, **kw)


def get(running: Running, path: str, account: Account) -> requests.Response:
    return requests.get(f"{running.url}{path}", headers=account.headers, timeout=30)


def chat_calls(fake: FakeServer) -> list[Recorded]:
    """The chat completions the fake was asked for, oldest first."""
    return [r for r in fake.requests if r.path in CHAT_PATHS]


def only_chat_call(fake: FakeServer) -> Recorded:
    calls = chat_calls(fake)
    assert len(calls) == 1, [r.path for r in fake.requests]
    return calls[0]


def sse_frames(raw: bytes) -> list[str]:
    """The ``data:`` payloads of an SSE body, as text (``[DONE]`` included)."""
    frames = [frame.strip() for frame in raw.decode().split("\n\n") if frame.strip()]
    assert all(frame.startswith("data: ") for frame in frames), frames
    return [frame[len("data: ") :] for frame in frames]


def sse_events(raw: bytes) -> list[dict]:
    """The JSON events of an SSE body that ends with ``data: [DONE]``."""
    frames = sse_frames(raw)
    assert frames and frames[-1] == "[DONE]", frames[-3:]
    return [json.loads(frame) for frame in frames[:-1]]


def delta_text(events: list[dict]) -> str:
    """The streamed reply text of ``events`` (chunks with ``choices``)."""
    text = []
    for event in events:
        for choice in event.get("choices") or []:
            content = (choice.get("delta") or {}).get("content")
            if isinstance(content, str):
                text.append(content)
    return "".join(text)


def stream_chunks(stream: object) -> tuple[list[dict], str]:
    """Reads an openai client stream: the extra keys of chunks without ``choices`` (Open WebUI's
    ``{"sources": …}`` event), and the reply text."""
    extras, text = [], []
    for chunk in stream:  # type: ignore[attr-defined]
        choices = getattr(chunk, "choices", None)
        if not choices:
            extras.append(dict(chunk.model_extra or {}))
            continue
        content = choices[0].delta.content
        if content:
            text.append(content)
    return extras, "".join(text)


def eventually(check, deadline_s: float = 10.0, pause_s: float = 0.05):
    """Retries ``check`` (an assertion) until it passes; returns what it returns."""
    deadline = time.monotonic() + deadline_s
    while True:
        try:
            return check()
        except AssertionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(pause_s)


# -- files and collections ------------------------------------------------------------------------


def processed_file(running: Running, account: Account, filename: str, text: str) -> str:
    """Uploads ``text`` and waits until it is processed; the file id."""
    file_id = uploaded(running.url, account, filename, text.encode())["id"]
    assert wait_processed(running.url, account, file_id)["data"]["status"] == "completed"
    return file_id


def collection_with(running: Running, account: Account, name: str, file_id: str, probe: str) -> str:
    """A knowledge collection of ``account`` holding ``file_id``, searchable (``probe`` finds it)."""
    created = post(running, "/api/v1/knowledge/create", account, {"name": name, "description": name})
    assert created.status_code == 200, created.text
    knowledge_id = created.json()["id"]
    added = post(running, f"/api/v1/knowledge/{knowledge_id}/file/add", account, {"file_id": file_id})
    assert added.status_code == 200, added.text

    def searchable() -> None:
        found = query_collection(running.url, account, [knowledge_id], probe, k=1)
        assert found["documents"] and found["documents"][0], found

    eventually(searchable, PROCESSING_DEADLINE_S, 0.1)
    return knowledge_id


# -- functions ------------------------------------------------------------------------------------


def function_source(name: str) -> str:
    """The text of ``tests/functions/<name>.py``."""
    return (FUNCTIONS_DIR / f"{name}.py").read_text(encoding="utf-8")


def create_function(
    running: Running, function_id: str, content: str, name: str | None = None
) -> requests.Response:
    form = {
        "id": function_id,
        "name": name or function_id.replace("_", " ").title(),
        "content": content,
        "meta": {"description": f"test function {function_id}"},
    }
    return post(running, "/api/v1/functions/create", running.admin, form)


def delete_function(running: Running, function_id: str) -> None:
    requests.delete(
        f"{running.url}/api/v1/functions/id/{function_id}/delete", headers=running.admin.headers, timeout=30
    )


def toggle(running: Running, function_id: str, flag: str = "") -> dict:
    """``POST /id/{id}/toggle`` (or ``/toggle/global`` with ``flag="global"``): the function after."""
    path = f"/api/v1/functions/id/{function_id}/toggle" + (f"/{flag}" if flag else "")
    reply = post(running, path, running.admin)
    assert reply.status_code == 200, reply.text
    return reply.json()


def update_valves(running: Running, function_id: str, values: dict, account: Account | None = None) -> dict:
    scope = "/user" if account is not None else ""
    reply = post(
        running, f"/api/v1/functions/id/{function_id}/valves{scope}/update", account or running.admin, values
    )
    assert reply.status_code == 200, reply.text
    return reply.json()


@contextmanager
def installed(
    running: Running,
    function_id: str,
    source: str,
    *,
    active: bool = True,
    is_global: bool = False,
    valves: dict | None = None,
    content: str | None = None,
) -> Iterator[dict]:
    """A function created from ``tests/functions/<source>.py`` (or ``content``), switched on as asked,
    and deleted afterwards whatever happens (an active global filter would touch every other test)."""
    code = content if content is not None else function_source(source)
    created = create_function(running, function_id, code)
    assert created.status_code == 200, created.text
    try:
        function = created.json()
        if valves is not None:
            update_valves(running, function_id, valves)
        if active:
            function = toggle(running, function_id)
            assert function["is_active"] is True
        if is_global:
            function = toggle(running, function_id, "global")
            assert function["is_global"] is True
        yield function
    finally:
        delete_function(running, function_id)
