"""``tool_ids`` in ``POST /api/chat/completions`` through the gateway, with the official ``openai``
client: Python tools and a tool-server operation run by the server, streamed and not, over several
rounds, failing and timing out, the round limit, client tools passed through, unknown and unreadable
ids refused, prompt-based mode, and what a stored chat keeps."""

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager

import openai
import pytest
import requests

from tests.e2e.chat_support import GPT, LLAMA, chat_calls, client, function_source, post, stream_chunks
from tests.e2e.conftest import Account, Running, make_stack, signup, upstream_env
from tests.fakes.mcp_server import FakeMcpServer
from tests.fakes.ollama import FakeOllama
from tests.fakes.openai import FakeOpenAI
from tests.fakes.tool_server import FakeToolServer

QUESTION = [{"role": "user", "content": "What is the weather in Paris?"}]
WEATHER = "Weather in Paris for 1 day(s): sunny, 21 C"
CLIENT_TOOL = {
    "type": "function",
    "function": {
        "name": "open_door",
        "description": "Opens a door on the client.",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
    },
}


def create_tool(url: str, account: Account, tool_id: str, source: str) -> None:
    form = {
        "id": tool_id,
        "name": tool_id,
        "content": function_source(source),
        "meta": {"description": tool_id},
    }
    reply = requests.post(f"{url}/api/v1/tools/create", json=form, headers=account.headers, timeout=30)
    assert reply.status_code == 200, reply.text


def delete_tool(url: str, account: Account, tool_id: str) -> None:
    requests.delete(f"{url}/api/v1/tools/id/{tool_id}/delete", headers=account.headers, timeout=30)


@contextmanager
def python_tool(running: Running, tool_id: str, source: str) -> Iterator[str]:
    """A Python tool of the admin's from ``tests/functions/<source>.py``, deleted afterwards."""
    create_tool(running.url, running.admin, tool_id, source)
    try:
        yield tool_id
    finally:
        delete_tool(running.url, running.admin, tool_id)


def tool_messages(body: dict) -> list[dict]:
    return [m for m in body["messages"] if m.get("role") == "tool"]


# --- a Python tool, for a plain API caller --------------------------------------------------------


def test_openai_upstream_runs_the_tool_and_answers_from_it(
    running: Running, openai_upstream: FakeOpenAI
) -> None:
    with python_tool(running, "weather_plain", "weather_tool") as tool_id:
        completion = client(running).chat.completions.create(
            model=GPT, messages=QUESTION, extra_body={"tool_ids": [tool_id]}
        )
    assert completion.choices[0].message.content == f"TOOL[{WEATHER}]"
    assert completion.choices[0].finish_reason == "stop"
    assert not completion.choices[0].message.tool_calls
    first, second = (r.json for r in chat_calls(openai_upstream))
    assert [t["function"]["name"] for t in first["tools"]] == ["get_weather"]
    assert "tool_ids" not in first
    assert tool_messages(second)[0]["content"] == WEATHER
    output = completion.model_extra["output"]
    assert [item["type"] for item in output] == ["function_call", "function_call_output", "message"]
    assert output[0]["name"] == "get_weather" and json.loads(output[0]["arguments"]) == {"city": "Paris"}
    assert output[1]["output"] == [{"type": "input_text", "text": WEATHER}]
    # Summed over both rounds: the call (1 token), then the answer (3).
    assert completion.usage is not None and completion.usage.completion_tokens == 1 + 3


def test_ollama_upstream_streams_the_answer(running: Running, ollama: FakeOllama) -> None:
    with python_tool(running, "weather_stream", "weather_tool") as tool_id:
        stream = client(running).chat.completions.create(
            model=LLAMA, messages=QUESTION, stream=True, extra_body={"tool_ids": [tool_id]}
        )
        extras, text = stream_chunks(stream)
    assert text == f"TOOL[{WEATHER}]"
    items = [item for extra in extras for item in extra.get("output", [])]
    assert [item["type"] for item in items] == ["function_call", "function_call_output"]
    calls = chat_calls(ollama)
    assert len(calls) == 2 and all(c.json["stream"] for c in calls)
    assert calls[0].json["tools"][0]["function"]["name"] == "get_weather"
    assert tool_messages(calls[1].json)[0]["content"] == WEATHER


@pytest.mark.parametrize("stream", [False, True])
def test_several_rounds(running: Running, openai_upstream: FakeOpenAI, stream: bool) -> None:
    openai_upstream.tool_rounds = 3
    openai_upstream.tool_args = {"city": "Rome", "days": 2}
    rome = "Weather in Rome for 2 day(s): sunny, 21 C"
    with python_tool(running, f"weather_rounds_{int(stream)}", "weather_tool") as tool_id:
        reply = client(running).chat.completions.create(
            model=GPT, messages=QUESTION, stream=stream, extra_body={"tool_ids": [tool_id]}
        )
        text = stream_chunks(reply)[1] if stream else reply.choices[0].message.content
    assert text == f"TOOL[{rome}]"
    calls = chat_calls(openai_upstream)
    assert len(calls) == 4
    assert len(tool_messages(calls[-1].json)) == 3


def test_the_round_limit_ends_the_reply_with_an_error(running: Running, openai_upstream: FakeOpenAI) -> None:
    openai_upstream.tool_rounds = 1000
    with python_tool(running, "weather_limit", "weather_tool") as tool_id:
        reply = post(
            running,
            "/api/chat/completions",
            running.admin,
            {"model": GPT, "messages": QUESTION, "tool_ids": [tool_id]},
        )
        assert reply.status_code == 200, reply.text
        assert reply.json()["error"]["message"] == "Tool-call limit reached (10 iterations)."
        assert len(chat_calls(openai_upstream)) == 11
        with pytest.raises(openai.APIError, match="Tool-call limit reached"):
            stream_chunks(
                client(running).chat.completions.create(
                    model=GPT, messages=QUESTION, stream=True, extra_body={"tool_ids": [tool_id]}
                )
            )


@pytest.mark.parametrize("stream", [False, True])
def test_a_raising_tool_gives_the_model_an_error(running: Running, ollama: FakeOllama, stream: bool) -> None:
    ollama.tool_args = {"reason": "kaput"}
    with python_tool(running, f"raiser_{int(stream)}", "raising_tool") as tool_id:
        reply = client(running).chat.completions.create(
            model=LLAMA, messages=QUESTION, stream=stream, extra_body={"tool_ids": [tool_id]}
        )
        text = stream_chunks(reply)[1] if stream else reply.choices[0].message.content
    result = tool_messages(chat_calls(ollama)[-1].json)[0]["content"]
    assert "kaput" in json.loads(result)["error"]
    assert text == f"TOOL[{result}]"


# --- client tools ---------------------------------------------------------------------------------


@pytest.mark.parametrize("stream", [False, True])
def test_client_tools_without_tool_ids_pass_through(
    running: Running, openai_upstream: FakeOpenAI, stream: bool
) -> None:
    reply = client(running).chat.completions.create(
        model=GPT,
        messages=QUESTION,
        tools=[CLIENT_TOOL],
        stream=stream,  # type: ignore[list-item]
    )
    if stream:
        chunks = list(reply)  # type: ignore[arg-type]
        deltas = [
            c.choices[0].delta.tool_calls for c in chunks if c.choices and c.choices[0].delta.tool_calls
        ]
        assert deltas[0][0].function.name == "open_door"
        assert [c.choices[0].finish_reason for c in chunks if c.choices][-1] == "tool_calls"
    else:
        assert reply.choices[0].message.tool_calls[0].function.name == "open_door"  # type: ignore[union-attr]
        assert reply.choices[0].finish_reason == "tool_calls"  # type: ignore[union-attr]
    assert [r.json["tools"] for r in chat_calls(openai_upstream)] == [[CLIENT_TOOL]]


@pytest.mark.parametrize("stream", [False, True])
def test_a_round_calling_both_runs_the_server_tool_and_returns_the_client_call(
    running: Running, openai_upstream: FakeOpenAI, stream: bool
) -> None:
    openai_upstream.call_all_tools = True
    with python_tool(running, f"weather_mixed_{int(stream)}", "weather_tool") as tool_id:
        reply = client(running).chat.completions.create(
            model=GPT,
            messages=QUESTION,
            tools=[CLIENT_TOOL],  # type: ignore[list-item]
            stream=stream,
            extra_body={"tool_ids": [tool_id]},
        )
        if stream:
            chunks = list(reply)  # type: ignore[arg-type]
            calls = [
                c.choices[0].delta.tool_calls for c in chunks if c.choices and c.choices[0].delta.tool_calls
            ]
            names = [call.function.name for group in calls for call in group]
            outputs = [i for c in chunks for i in (c.model_extra or {}).get("output", [])]
            finish = [c.choices[0].finish_reason for c in chunks if c.choices][-1]
        else:
            names = [c.function.name for c in reply.choices[0].message.tool_calls]  # type: ignore[union-attr]
            outputs = reply.model_extra["output"]  # type: ignore[union-attr]
            finish = reply.choices[0].finish_reason  # type: ignore[union-attr]
    assert names == ["open_door"] and finish == "tool_calls"
    assert [i["type"] for i in outputs][:2] == ["function_call", "function_call_output"]
    assert len(chat_calls(openai_upstream)) == 1
    sent = [t["function"]["name"] for t in chat_calls(openai_upstream)[0].json["tools"]]
    assert sent == ["open_door", "get_weather"]


# --- refusals -------------------------------------------------------------------------------------


def test_an_unknown_tool_id_is_refused_before_the_model(
    running: Running, openai_upstream: FakeOpenAI
) -> None:
    with pytest.raises(openai.NotFoundError):
        client(running).chat.completions.create(
            model=GPT, messages=QUESTION, extra_body={"tool_ids": ["no_such"]}
        )
    reply = post(
        running, "/api/chat/completions", running.admin, {"model": GPT, "messages": QUESTION, "tool_ids": 3}
    )
    assert reply.status_code == 400 and "detail" in reply.json()
    assert chat_calls(openai_upstream) == []


def test_another_user_s_private_tool_is_refused(
    running: Running, openai_upstream: FakeOpenAI, user: Account
) -> None:
    with python_tool(running, "weather_private", "weather_tool") as tool_id:
        reply = post(
            running,
            "/api/chat/completions",
            user,
            {"model": GPT, "messages": QUESTION, "tool_ids": [tool_id]},
        )
    assert 400 <= reply.status_code < 500 and "detail" in reply.json()
    assert chat_calls(openai_upstream) == []


# --- prompt-based mode ----------------------------------------------------------------------------


def test_legacy_mode_gives_the_result_as_a_source(running: Running, ollama: FakeOllama) -> None:
    picked = {"tool_calls": [{"name": "get_weather", "parameters": {"city": "Oslo"}}]}
    # The selection request's user message is "Query: <the question>".
    ollama.scripted = {f"Query: {QUESTION[0]['content']}": json.dumps(picked)}
    with python_tool(running, "weather_legacy", "weather_tool") as tool_id:
        completion = client(running).chat.completions.create(
            model=LLAMA,
            messages=QUESTION,
            extra_body={"tool_ids": [tool_id], "params": {"function_calling": "legacy"}},
        )
    oslo = "Weather in Oslo for 1 day(s): sunny, 21 C"
    sources = completion.model_extra["sources"]
    assert sources[0]["source"] == {"name": f"{tool_id}/get_weather"} and sources[0]["tool_result"] is True
    assert sources[0]["document"] == [oslo]
    selection, answer = (r.json for r in chat_calls(ollama))
    assert (
        selection["messages"][0]["role"] == "system" and "get_weather" in selection["messages"][0]["content"]
    )
    assert "tools" not in answer and oslo in json.dumps(answer["messages"])


# --- a stored chat --------------------------------------------------------------------------------


@pytest.mark.parametrize("stream", [False, True])
def test_a_stored_chat_keeps_the_rounds(running: Running, openai_upstream: FakeOpenAI, stream: bool) -> None:
    with python_tool(running, f"weather_stored_{int(stream)}", "weather_tool") as tool_id:
        raw = client(running).chat.completions.with_raw_response.create(
            model=GPT,
            messages=QUESTION,
            stream=stream,
            extra_body={
                "tool_ids": [tool_id],
                "parent_id": None,
                "user_message": {"id": "u1", "role": "user", "content": QUESTION[0]["content"]},
                "id": "a1",
            },
        )
        chat_id = raw.headers["X-Chat-Id"]
        reply = raw.parse()
        if stream:
            stream_chunks(reply)
    stored = requests.get(f"{running.url}/api/v1/chats/{chat_id}", headers=running.admin.headers, timeout=30)
    assert stored.status_code == 200, stored.text
    message = stored.json()["chat"]["history"]["messages"]["a1"]
    assert message["content"] == f"TOOL[{WEATHER}]" and message["done"] is True
    assert [i["type"] for i in message["output"]] == ["function_call", "function_call_output", "message"]
    assert message["output"][1]["output"][0]["text"] == WEATHER
    assert "error" not in message
    # A stream carries usage only when asked (stream_options.include_usage).
    assert stream or message["usage"]["total_tokens"] > 0


# --- a stack of its own: tools get one second, and a tool server is configured -------------------


@pytest.fixture(scope="module")
def tool_server() -> Iterator[FakeToolServer]:
    with FakeToolServer() as fake:
        yield fake


@pytest.fixture(scope="module")
def mcp_server() -> Iterator[FakeMcpServer]:
    with FakeMcpServer() as fake:
        yield fake


@pytest.fixture(scope="module")
def short_timeout(
    tmp_path_factory: pytest.TempPathFactory,
    fake_ollama: FakeOllama,
    fake_openai: FakeOpenAI,
    tool_server: FakeToolServer,
    mcp_server: FakeMcpServer,
) -> Iterator[tuple[str, Account]]:
    """A stack of its own whose functions and tools get one second, with the fake tool server
    configured as ``server:weather`` and the fake MCP server as ``server:mcp:fakemcp`` (every
    user), ``server:mcp:private`` (admins) and ``server:mcp:badkey`` (refused by the server)."""
    data_dir = tmp_path_factory.mktemp("tool-timeout-stack")
    stack = make_stack(
        data_dir,
        **upstream_env(fake_ollama, fake_openai),
        FUNCTION_TIMEOUT_S="1",
        TOOL_SERVER_CONNECTIONS=json.dumps(
            [
                tool_server.connection("weather"),
                mcp_server.connection(),
                mcp_server.connection("private", config={"enable": True}, info={"id": "private"}),
                mcp_server.connection("badkey", key="wrong", info={"id": "badkey"}),
            ]
        ),
    )
    stack.start()
    try:
        yield stack.gateway_url, signup(stack.gateway_url, "admin@example.com", "admin password", "Admin")
    finally:
        stack.stop()


@pytest.mark.parametrize("stream", [False, True])
def test_a_tool_server_operation_runs_and_the_model_answers_from_it(
    short_timeout: tuple[str, Account], openai_upstream: FakeOpenAI, tool_server: FakeToolServer, stream: bool
) -> None:
    url, admin = short_timeout
    openai_upstream.tool_args = {"city": "Lyon", "days": 3}
    llm = openai.OpenAI(base_url=f"{url}/api", api_key=admin.token, max_retries=0, timeout=30)
    reply = llm.chat.completions.create(
        model=GPT, messages=QUESTION, stream=stream, extra_body={"tool_ids": ["server:weather"]}
    )
    text = stream_chunks(reply)[1] if stream else reply.choices[0].message.content
    first, second = (r.json for r in chat_calls(openai_upstream))
    assert first["tools"][0]["function"]["name"] == "get_weather"
    result = tool_messages(second)[0]["content"]
    assert json.loads(result) == {"city": "Lyon", "days": 3, "unit": "celsius", "forecast": "sunny"}
    assert text == f"TOOL[{result}]"
    assert any(r.path == "/weather/Lyon" for r in tool_server.requests)


@pytest.mark.slow
@pytest.mark.parametrize("stream", [False, True])
def test_a_timed_out_tool_gives_the_model_an_error(
    short_timeout: tuple[str, Account], openai_upstream: FakeOpenAI, stream: bool
) -> None:
    url, admin = short_timeout
    tool_id = f"sleeper_{int(stream)}"
    openai_upstream.tool_args = {"seconds": 30}
    create_tool(url, admin, tool_id, "sleeping_tool")
    try:
        started = time.monotonic()
        llm = openai.OpenAI(base_url=f"{url}/api", api_key=admin.token, max_retries=0, timeout=30)
        reply = llm.chat.completions.create(
            model=GPT, messages=QUESTION, stream=stream, extra_body={"tool_ids": [tool_id]}
        )
        text = stream_chunks(reply)[1] if stream else reply.choices[0].message.content
        assert time.monotonic() - started < 10
    finally:
        delete_tool(url, admin, tool_id)
    result = tool_messages(chat_calls(openai_upstream)[-1].json)[0]["content"]
    assert "error" in json.loads(result)
    assert text == f"TOOL[{result}]"


def _specs(url: str, account: Account, tool_id: str) -> requests.Response:
    return requests.get(f"{url}/api/v1/tools/id/{tool_id}/specs", headers=account.headers, timeout=30)


def _verified_user(url: str, admin: Account, email: str) -> Account:
    account = signup(url, email)
    promoted = requests.post(
        f"{url}/api/v1/users/{account.id}/update", json={"role": "user"}, headers=admin.headers, timeout=10
    )
    assert promoted.status_code == 200, promoted.text
    signin = requests.post(
        f"{url}/api/v1/auths/signin", json={"email": email, "password": account.password}, timeout=10
    )
    assert signin.status_code == 200, signin.text
    account.token = signin.json()["token"]
    return account


def test_an_mcp_server_s_specs_are_listed(short_timeout: tuple[str, Account]) -> None:
    url, admin = short_timeout
    reply = _specs(url, admin, "server:mcp:fakemcp")
    assert reply.status_code == 200, reply.text
    specs = reply.json()["specs"]
    assert specs[0] == {"name": "get_weather", "description": "Get the weather for a city."}
    assert [s["name"] for s in specs][:3] == ["get_weather", "fail", "slow"]
    assert all(set(s) == {"name", "description"} for s in specs)


def test_specs_of_anything_but_a_usable_mcp_server_are_not_found(short_timeout: tuple[str, Account]) -> None:
    url, admin = short_timeout
    create_tool(url, admin, "specs_weather", "weather_tool")
    try:
        for tool_id in ("specs_weather", "server:weather", "server:mcp:nope"):
            reply = _specs(url, admin, tool_id)
            assert (reply.status_code, reply.json()) == (404, {"detail": "Tool not found"}), tool_id
    finally:
        delete_tool(url, admin, "specs_weather")
    user = _verified_user(url, admin, "specs-user@example.com")
    assert _specs(url, user, "server:mcp:fakemcp").status_code == 200
    refused = _specs(url, user, "server:mcp:private")
    assert (refused.status_code, refused.json()) == (404, {"detail": "Tool not found"})
    assert _specs(url, admin, "server:mcp:private").status_code == 200
    assert requests.get(f"{url}/api/v1/tools/id/server:mcp:fakemcp/specs", timeout=10).status_code == 401


def test_an_mcp_server_that_refuses_is_a_502(short_timeout: tuple[str, Account]) -> None:
    url, admin = short_timeout
    reply = _specs(url, admin, "server:mcp:badkey")
    assert (reply.status_code, reply.json()) == (502, {"detail": "Unable to load tools"})
