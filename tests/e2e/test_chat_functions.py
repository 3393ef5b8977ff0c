"""Open WebUI functions (``tests/functions/*.py``, in Open WebUI's own format) created, switched on
and configured through ``/api/v1/functions``, then exercised by chat completions with the official
``openai`` client: inlet, stream and outlet filters, toggleable filters, manifold, streaming and dict
pipes, valves and user valves, and a pipe cut off by ``FUNCTION_TIMEOUT_S``."""

import json
import time
from collections.abc import Iterator
from pathlib import Path

import openai
import pytest
import requests

from services.common import messages
from tests.e2e.chat_support import (
    GPT,
    LLAMA,
    chat_calls,
    client,
    create_function,
    delete_function,
    delta_text,
    eventually,
    function_source,
    get,
    installed,
    only_chat_call,
    post,
    sse_events,
    sse_frames,
    stream_chunks,
    toggle,
    update_valves,
)
from tests.e2e.conftest import Account, Running, make_stack, signup, upstream_env
from tests.fakes.base import expected_text, reply_tokens
from tests.fakes.ollama import FakeOllama
from tests.fakes.openai import FakeOpenAI

HELLO = [{"role": "user", "content": "hello"}]
LONG_PROMPT = "Tell me everything about the history of the harbour, in as much detail as possible."
FUNCTION_KEYS = [
    "id",
    "user_id",
    "type",
    "name",
    "meta",
    "is_active",
    "is_global",
    "updated_at",
    "created_at",
]


def models_of(running: Running, account: Account) -> dict[str, dict]:
    reply = get(running, "/api/models", account)
    assert reply.status_code == 200, reply.text
    return {model["id"]: model for model in reply.json()["data"]}


def listed_ids(running: Running) -> set[str]:
    reply = get(running, "/api/v1/functions/", running.admin)
    assert reply.status_code == 200, reply.text
    return {item["id"] for item in reply.json()}


def answer(running: Running, account: Account, model: str) -> str:
    """The reply text of a non-streamed chat saying hello to ``model``."""
    completion = client(running, account).chat.completions.create(model=model, messages=HELLO)
    return completion.choices[0].message.content or ""


def detail(error: openai.APIStatusError) -> object:
    return error.response.json()["detail"]


# --- administration ------------------------------------------------------------------------------


def test_created_function_starts_switched_off(running: Running) -> None:
    with installed(running, "reject_long_admin", "inlet_reject_long", active=False) as created:
        assert list(created) == FUNCTION_KEYS
        assert (created["id"], created["type"], created["user_id"]) == (
            "reject_long_admin",
            "filter",
            running.admin.id,
        )
        assert (created["is_active"], created["is_global"]) == (False, False)
        manifest = created["meta"]["manifest"]
        assert manifest["title"] == "Reject long prompts" and manifest["version"] == "0.1.0"
        assert "reject_long_admin" in listed_ids(running)
        stored = get(running, "/api/v1/functions/id/reject_long_admin", running.admin).json()
        assert stored["content"] == function_source("inlet_reject_long")
        assert toggle(running, "reject_long_admin")["is_active"] is True
        assert toggle(running, "reject_long_admin")["is_active"] is False
    assert "reject_long_admin" not in listed_ids(running)


def test_code_that_does_not_load_is_refused(running: Running) -> None:
    # A colon missing: a SyntaxError when the code is loaded.
    broken = function_source("streaming_pipe").replace("body: dict):", "body: dict)")
    reply = create_function(running, "broken_pipe", broken)
    try:
        assert reply.status_code == 400, reply.text
        assert reply.json()["detail"].startswith(f"[ERROR: {messages.FUNCTION_CREATE_FAILED}")
        assert "SyntaxError" in reply.json()["detail"]
        assert "broken_pipe" not in listed_ids(running)
        no_class = create_function(running, "no_class", "x = 1\n")
        assert no_class.status_code == 400, no_class.text
        bad_id = create_function(running, "bad-id", function_source("streaming_pipe"))
        assert bad_id.status_code == 400
        assert bad_id.json() == {"detail": messages.FUNCTION_ID_INVALID}
    finally:
        delete_function(running, "broken_pipe")
        delete_function(running, "no_class")


def test_update_with_broken_code_switches_the_function_off(running: Running) -> None:
    with installed(running, "story_update", "streaming_pipe"):
        assert "story_update" in models_of(running, running.admin)
        broken = function_source("streaming_pipe") + "\nthis is not python\n"
        form = {"id": "story_update", "name": "Story", "content": broken, "meta": {"description": "x"}}
        reply = post(running, "/api/v1/functions/id/story_update/update", running.admin, form)
        assert reply.status_code == 400, reply.text
        assert reply.json()["detail"].startswith(f"[ERROR: {messages.FUNCTION_UPDATE_FAILED}")
        stored = get(running, "/api/v1/functions/id/story_update", running.admin).json()
        assert stored["is_active"] is False
        assert "story_update" not in models_of(running, running.admin)


def test_functions_are_administered_by_admins_only(running: Running, user: Account) -> None:
    form = {"id": "by_user", "name": "x", "content": function_source("streaming_pipe"), "meta": {}}
    try:
        assert post(running, "/api/v1/functions/create", user, form).status_code in (401, 403)
    finally:
        delete_function(running, "by_user")
    with installed(running, "admin_only", "streaming_pipe", active=False):
        for path in ("/id/admin_only/toggle", "/id/admin_only/toggle/global", "/id/admin_only/valves/update"):
            assert post(running, f"/api/v1/functions{path}", user, {}).status_code in (401, 403)
        assert get(running, "/api/v1/functions/id/admin_only", user).status_code in (401, 403)


# --- filters -------------------------------------------------------------------------------------


def test_inlet_rejects_long_prompts(running: Running, user: Account, ollama: FakeOllama) -> None:
    with installed(running, "reject_long", "inlet_reject_long", is_global=True):
        chat = client(running, user).chat.completions
        for stream in (False, True):
            with pytest.raises(openai.BadRequestError) as refused:
                chat.create(model=LLAMA, messages=[{"role": "user", "content": LONG_PROMPT}], stream=stream)
            assert refused.value.status_code == 400
            assert detail(refused.value) == f"Prompt too long: {len(LONG_PROMPT)} characters, at most 60"
        assert chat_calls(ollama) == []
        # Only filters with a toggle are listed in a model's "filters".
        assert models_of(running, user)[LLAMA]["filters"] == []

        short = chat.create(model=LLAMA, messages=HELLO)
        assert short.choices[0].message.content == expected_text(LLAMA, HELLO, 1)
        assert len(chat_calls(ollama)) == 1


def test_active_filter_that_is_not_global_does_not_run(
    running: Running, user: Account, ollama: FakeOllama
) -> None:
    with installed(running, "reject_long_local", "inlet_reject_long"):
        reply = client(running, user).chat.completions.create(
            model=LLAMA, messages=[{"role": "user", "content": LONG_PROMPT}]
        )
        assert reply.choices[0].message.content
        assert len(chat_calls(ollama)) == 1


def test_valves_spec_and_update_round_trip(running: Running, user: Account, ollama: FakeOllama) -> None:
    with installed(running, "reject_valves", "inlet_reject_long", is_global=True):
        base = "/api/v1/functions/id/reject_valves/valves"
        spec = get(running, f"{base}/spec", running.admin).json()
        assert set(spec["properties"]) == {"priority", "max_length"}
        assert spec["properties"]["max_length"]["default"] == 60
        assert get(running, base, running.admin).json() == {}

        assert update_valves(running, "reject_valves", {"max_length": 10}) == {"max_length": 10}
        assert get(running, base, running.admin).json() == {"max_length": 10}
        refused = post(running, f"{base}/update", running.admin, {"max_length": "many"})
        assert refused.status_code == 400, refused.text
        assert get(running, base, running.admin).json() == {"max_length": 10}

        prompt = "twenty characters!!!"
        with pytest.raises(openai.BadRequestError) as error:
            client(running, user).chat.completions.create(
                model=LLAMA, messages=[{"role": "user", "content": prompt}]
            )
        assert detail(error.value) == f"Prompt too long: {len(prompt)} characters, at most 10"
        assert chat_calls(ollama) == []


def rewritten(model: str, messages: list[dict]) -> str:
    """The fake's reply with the stream filter's rewrite applied to each token."""
    return "".join(t.replace("t3", "THREE") for t in reply_tokens(model, messages, len(messages), 8))


@pytest.mark.parametrize("model", [LLAMA, GPT])
def test_stream_filter_rewrites_each_chunk(
    running: Running, user: Account, ollama: FakeOllama, openai_upstream: FakeOpenAI, model: str
) -> None:
    with installed(running, "rewrite", "stream_rewrite", is_global=True):
        chat = client(running, user).chat.completions
        extras, text = stream_chunks(chat.create(model=model, messages=HELLO, stream=True))
        assert extras == []
        assert text == rewritten(model, HELLO)
        assert " THREE" in text and " t3" not in text
        # A stream filter sees streamed chunks only.
        whole = chat.create(model=model, messages=HELLO)
        assert whole.choices[0].message.content == expected_text(model, HELLO, 1)


def test_stream_filter_sees_the_sources_event_too(
    running: Running, user: Account, ollama: FakeOllama
) -> None:
    with installed(running, "rewrite_rag", "stream_rewrite", is_global=True):
        note = {"type": "text", "content": "The t3 token appears in this note.", "name": "note", "id": "n1"}
        files = [note]
        body = {"model": LLAMA, "messages": HELLO, "stream": True, "files": files}
        reply = post(running, "/api/chat/completions", user, body)
        assert reply.status_code == 200, reply.text
        events = sse_events(reply.content)
        assert list(events[0]) == ["sources"]
        sent = only_chat_call(ollama).json["messages"]
        assert delta_text(events[1:]) == rewritten(LLAMA, sent)
        # The sources event went through the filter too (it has no choices to rewrite).
        assert events[0]["sources"][0]["document"] == [note["content"]]


def read_lines(path: Path, count: int) -> list[dict]:
    def check() -> list[dict]:
        assert path.exists(), path
        lines = [json.loads(line) for line in path.read_text().splitlines()]
        assert len(lines) >= count, lines
        return lines

    return eventually(check)


def test_outlet_records_replies(running: Running, user: Account, ollama: FakeOllama, tmp_path: Path) -> None:
    path = tmp_path / "replies.jsonl"
    with installed(running, "recorder", "outlet_recorder", is_global=True, valves={"path": str(path)}):
        chat = client(running, user).chat.completions
        raw = chat.with_raw_response.create(model=LLAMA, messages=HELLO)
        # Outlets of an API call run for their side effects: the reply is not changed.
        assert "recorded_by" not in json.loads(raw.http_response.text)
        content = raw.parse().choices[0].message.content
        [first] = read_lines(path, 1)
        assert first == {"user_id": user.id, "model": LLAMA, "role": "assistant", "content": content}

        question = [{"role": "user", "content": "and streamed?"}]
        _, streamed = stream_chunks(chat.create(model=LLAMA, messages=question, stream=True))
        second = read_lines(path, 2)[1]
        assert second["content"] == streamed == expected_text(LLAMA, question, 1)

        completed = {
            "model": LLAMA,
            "messages": [*HELLO, {"role": "assistant", "content": "a reply from the UI"}],
            "chat_id": "local:chat-1",
            "session_id": "session-1",
            "id": "message-1",
        }
        reply = post(running, "/api/chat/completed", user, completed)
        assert reply.status_code == 200, reply.text
        assert reply.json() == {**completed, "recorded_by": "recorder"}
        assert read_lines(path, 3)[2]["content"] == "a reply from the UI"


def test_chat_completed_without_outlets_echoes(running: Running, user: Account) -> None:
    completed = {"model": LLAMA, "messages": HELLO, "chat_id": "c", "session_id": "s", "id": "m"}
    reply = post(running, "/api/chat/completed", user, completed)
    assert reply.status_code == 200, reply.text
    assert reply.json() == completed


def test_toggle_filter_runs_only_when_named(running: Running, user: Account, ollama: FakeOllama) -> None:
    with installed(running, "suffix", "toggle_filter", is_global=True):
        llama = models_of(running, user)[LLAMA]
        assert llama["filters"] == [
            {
                "id": "suffix",
                "name": "Suffix",
                "description": "test function suffix",
                "icon": None,
                "has_user_valves": False,
            }
        ]
        chat = client(running, user).chat.completions
        chat.create(model=LLAMA, messages=HELLO)
        assert only_chat_call(ollama).json["messages"] == HELLO
        ollama.reset()
        chat.create(model=LLAMA, messages=HELLO, extra_body={"filter_ids": ["suffix"]})
        assert only_chat_call(ollama).json["messages"] == [{"role": "user", "content": "hello [toggled]"}]
    assert models_of(running, user)[LLAMA]["filters"] == []


# --- pipes ---------------------------------------------------------------------------------------


def test_manifold_pipe_lists_and_answers_two_models(
    running: Running, user: Account, ollama: FakeOllama, openai_upstream: FakeOpenAI
) -> None:
    with installed(running, "duo", "manifold_pipe") as function:
        models = models_of(running, user)
        for sub, name in (("alpha", "Duo: Alpha"), ("beta", "Duo: Beta")):
            model = models[f"duo.{sub}"]
            assert model["pipe"] == {"type": "pipe"}
            assert (model["name"], model["object"], model["owned_by"]) == (name, "model", "openai")
            assert model["created"] == function["created_at"]
            assert model["has_user_valves"] is False
        assert "duo" not in models

        chat = client(running, user).chat.completions
        for sub in ("alpha", "beta"):
            completion = chat.create(model=f"duo.{sub}", messages=HELLO)
            assert completion.choices[0].message.content == f"{sub} says: hello"
            assert completion.choices[0].finish_reason == "stop"
            assert completion.model == f"duo.{sub}"
        _, text = stream_chunks(chat.create(model="duo.beta", messages=HELLO, stream=True))
        assert text == "beta says: hello"
        # The valves reach the pipe.
        update_valves(running, "duo", {"greeting": "sings"})
        sung = chat.create(model="duo.alpha", messages=HELLO)
        assert sung.choices[0].message.content == "alpha sings: hello"
        assert chat_calls(ollama) == chat_calls(openai_upstream) == []
    models = models_of(running, user)
    assert "duo.alpha" not in models and "duo.beta" not in models


@pytest.mark.parametrize(
    ("source", "pieces"),
    [
        ("streaming_pipe", ["Once", " upon", " a", " time"]),
        ("async_streaming_pipe", ["Far", " far", " away"]),
    ],
)
def test_streaming_pipe(running: Running, user: Account, source: str, pieces: list[str]) -> None:
    with installed(running, "storyteller", source):
        chat = client(running, user).chat.completions
        chunks = list(chat.create(model="storyteller", messages=HELLO, stream=True))
        contents = [c.choices[0].delta.content for c in chunks if c.choices and c.choices[0].delta.content]
        assert contents == pieces
        assert chunks[-1].choices[0].finish_reason == "stop"

        body = {"model": "storyteller", "messages": HELLO, "stream": True}
        raw = post(running, "/api/chat/completions", user, body)
        assert raw.headers["Content-Type"].startswith("text/event-stream")
        assert sse_frames(raw.content)[-1] == "[DONE]"

        whole = chat.create(model="storyteller", messages=HELLO)
        assert whole.choices[0].message.content == "".join(pieces)
        assert whole.object == "chat.completion"


def test_dict_pipe(running: Running, user: Account) -> None:
    with installed(running, "dictionary", "dict_pipe"):
        reply = post(running, "/api/chat/completions", user, {"model": "dictionary", "messages": HELLO})
        assert reply.status_code == 200, reply.text
        assert reply.json() == {
            "id": "dict-pipe-1",
            "object": "chat.completion",
            "created": 1700000000,
            "model": "dictionary",
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": "from a dict"},
                    "finish_reason": "stop",
                }
            ],
        }
        completion = client(running, user).chat.completions.create(model="dictionary", messages=HELLO)
        assert completion.choices[0].message.content == "from a dict"
        streamed = post(
            running, "/api/chat/completions", user, {"model": "dictionary", "messages": HELLO, "stream": True}
        )
        assert streamed.status_code == 200, streamed.text
        assert json.loads(sse_frames(streamed.content)[0]) == reply.json()


def test_pipe_that_raises_answers_its_error(running: Running, user: Account) -> None:
    # Open WebUI answers 200 with the error as the body (or as a stream frame).
    with installed(running, "breaker", "raising_pipe"):
        reply = post(running, "/api/chat/completions", user, {"model": "breaker", "messages": HELLO})
        assert reply.status_code == 200, reply.text
        assert reply.json() == {"error": {"detail": "the pipe broke down"}}
        body = {"model": "breaker", "messages": HELLO, "stream": True}
        streamed = post(running, "/api/chat/completions", user, body)
        assert streamed.status_code == 200, streamed.text
        assert json.loads(sse_frames(streamed.content)[0]) == {"error": {"detail": "the pipe broke down"}}


def test_user_valves_reach_the_pipe(running: Running, user: Account) -> None:
    with installed(running, "greeter", "user_valves_pipe"):
        assert models_of(running, user)["greeter"]["has_user_valves"] is True
        base = "/api/v1/functions/id/greeter/valves/user"
        assert set(get(running, f"{base}/spec", user).json()["properties"]) == {"greeting"}
        assert update_valves(running, "greeter", {"greeting": "Ahoy"}, account=user) == {"greeting": "Ahoy"}
        assert get(running, base, user).json() == {"greeting": "Ahoy"}

        seen = json.loads(answer(running, user, "greeter"))
        assert seen == {
            "greeting": "Ahoy",
            "user_id": user.id,
            "name": "Verified User",
            "metadata_user_id": user.id,
            "model_id": "greeter",
            "function_id": "greeter",
        }
        # User valves are each user's own: the admin has none set, so the default applies.
        admin_seen = json.loads(answer(running, running.admin, "greeter"))
        assert (admin_seen["greeting"], admin_seen["user_id"]) == ("Hello", running.admin.id)


# --- FUNCTION_TIMEOUT_S --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def short_timeout(
    tmp_path_factory: pytest.TempPathFactory, fake_ollama: FakeOllama, fake_openai: FakeOpenAI
) -> Iterator[tuple[str, Account]]:
    """A stack of its own whose functions get one second."""
    data_dir = tmp_path_factory.mktemp("timeout-stack")
    stack = make_stack(data_dir, **upstream_env(fake_ollama, fake_openai), FUNCTION_TIMEOUT_S="1")
    stack.start()
    try:
        yield stack.gateway_url, signup(stack.gateway_url, "admin@example.com", "admin password", "Admin")
    finally:
        stack.stop()


@pytest.mark.slow
def test_hanging_pipe_is_cut_off(short_timeout: tuple[str, Account]) -> None:
    url, admin = short_timeout
    form = {"id": "sleeper", "name": "Sleeper", "content": function_source("hanging_pipe"), "meta": {}}
    created = requests.post(f"{url}/api/v1/functions/create", json=form, headers=admin.headers, timeout=30)
    assert created.status_code == 200, created.text
    toggled = requests.post(f"{url}/api/v1/functions/id/sleeper/toggle", headers=admin.headers, timeout=30)
    assert toggled.status_code == 200, toggled.text
    for stream in (False, True):
        started = time.monotonic()
        reply = requests.post(
            f"{url}/api/chat/completions",
            json={"model": "sleeper", "messages": HELLO, "stream": stream},
            headers=admin.headers,
            timeout=30,
        )
        assert reply.status_code == 504, reply.text
        assert "detail" in reply.json()
        assert time.monotonic() - started < 10
