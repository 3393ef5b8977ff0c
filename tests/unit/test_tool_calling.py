"""The tool-calling loop (services/inference/tools/calling.py) on its own and inside ChatPipeline:
fake resolvers, a scripted model; rounds, limits, failing tools, client tools, streamed and not."""

import asyncio
import json
from collections.abc import AsyncIterator, Sequence

import orjson
import pytest

from services.common.errors import BadGateway, InvalidArgument, NotFound
from services.common.identity import Identity
from services.inference.chats.reply_record import ReplyRecord
from services.inference.functions.filters import FilterRunner
from services.inference.functions.pipes import PipeRunner
from services.inference.functions.records import FunctionSnapshot
from services.inference.model_directory import ChatTarget
from services.inference.model_registry import ModelRoute
from services.inference.pipeline import ChatPipeline
from services.inference.rag.retrieval import RagConfig, Retrieval
from services.inference.replies import Head, dumps, loads
from services.inference.sse import ChatPart, Marker, Relayed
from services.inference.sse import frame as wire_frame
from services.inference.tools.calling import TOOL_LIMIT, ToolLoop, ToolSet, resolve_tools
from services.inference.tools.legacy import parse_selection, selection_messages
from services.inference.tools.types import ServerTool, ToolCallContext
from services.inference.upstreams import Kind

CALLER = Identity(user_id="u1", email="u1@example.com", name="User One", role="user")
ROUTE = ModelRoute("gpt-x", Kind.OPENAI, (), "gpt-x")
TARGET = ChatTarget("gpt-x", {"id": "gpt-x", "name": "GPT X"}, ROUTE, None, None, FunctionSnapshot({}))
SPEC = {
    "name": "weather",
    "description": "The weather.",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
}
CLIENT_TOOL = {"type": "function", "function": {"name": "local_fn", "parameters": {"type": "object"}}}


# --- fakes ---------------------------------------------------------------------------------------


def server_tool(name: str = "weather", tool_id: str = "wx", behaviour: str = "ok") -> ServerTool:
    seen: list[tuple[dict, ToolCallContext]] = []

    async def call(arguments: dict, context: ToolCallContext) -> str:
        seen.append((arguments, context))
        if behaviour == "raise":
            raise RuntimeError("the weather service is down")
        if behaviour == "hang":
            await asyncio.sleep(30)
        return f"sunny in {arguments.get('city', '?')}"

    tool = ServerTool(name=name, spec={**SPEC, "name": name}, tool_id=tool_id, call=call)
    object.__setattr__(tool, "seen", seen)
    return tool


class FakeResolver:
    def __init__(self, prefix: str, tools: dict[str, list[ServerTool]]) -> None:
        self.prefix = prefix
        self.tools = tools
        self.asked: list[list[str]] = []

    def handles(self, tool_id: str) -> bool:
        return tool_id.startswith(self.prefix)

    async def resolve(self, caller: Identity, tool_ids: Sequence[str]) -> list[ServerTool]:
        self.asked.append(list(tool_ids))
        found = []
        for tool_id in tool_ids:
            if tool_id not in self.tools:
                raise NotFound("We could not find what you're looking for :/")
            found.extend(self.tools[tool_id])
        return found


def call_of(name: str, arguments: dict | str | None = None, call_id: str | None = None) -> dict:
    text = arguments if isinstance(arguments, str) else json.dumps(arguments or {"city": "Paris"})
    return {
        "id": call_id or f"call_{name}",
        "type": "function",
        "function": {"name": name, "arguments": text},
    }


class ScriptedModel:
    """Answers each call with the next scripted turn: ``{"calls": [...], "content": str}`` or
    ``{"text": str}``; as JSON or as an OpenAI SSE stream, as the body asks."""

    def __init__(self, *turns: dict) -> None:
        self.turns = list(turns)
        self.bodies: list[dict] = []

    async def send(self, body: dict) -> AsyncIterator[ChatPart]:
        self.bodies.append(json.loads(json.dumps(body)))
        turn = self.turns.pop(0) if len(self.turns) > 1 else self.turns[0]
        if turn.get("status"):
            yield Head(turn["status"], {"Content-Type": "application/json"})
            yield dumps({"error": {"message": "upstream says no"}})
            return
        calls = turn.get("calls") or []
        content = turn.get("text", turn.get("content", ""))
        usage = {"prompt_tokens": 10, "completion_tokens": 2, "total_tokens": 12}
        finish = "tool_calls" if calls else "stop"
        if not body.get("stream"):
            message: dict = {"role": "assistant", "content": content or None}
            if calls:
                message["tool_calls"] = calls
            yield Head(200, {"Content-Type": "application/json"})
            yield dumps(
                {
                    "id": "chatcmpl-1",
                    "object": "chat.completion",
                    "model": "gpt-x",
                    "choices": [{"index": 0, "message": message, "finish_reason": finish}],
                    "usage": usage,
                }
            )
            return
        yield Head(200, {"Content-Type": "text/event-stream"}, streaming=True)
        head = {"id": "c1", "object": "chat.completion.chunk", "created": 5, "model": "gpt-x"}

        def relayed(delta: dict, finish_reason: str | None = None, **extra: object) -> Relayed:
            choice = {"index": 0, "delta": delta, "finish_reason": finish_reason}
            return Relayed(b"data: " + orjson.dumps({**head, "choices": [choice], **extra}) + b"\n\n")

        yield relayed({"role": "assistant", "content": ""})
        for piece in [content[: len(content) // 2], content[len(content) // 2 :]] if content else []:
            yield relayed({"content": piece})
        for index, call in enumerate(calls):
            start = {**call, "function": {"name": call["function"]["name"], "arguments": ""}}
            yield relayed({"tool_calls": [{"index": index, **start}]})
            arguments = call["function"]["arguments"]
            yield relayed({"tool_calls": [{"index": index, "function": {"arguments": arguments}}]})
        yield relayed({}, finish)
        yield Relayed(b"data: " + orjson.dumps({**head, "choices": [], "usage": usage}) + b"\n\n")
        yield Relayed(b"data: [DONE]\n\n")


def loop_of(model: ScriptedModel, *tools: ServerTool, max_rounds: int = 5, timeout_s: float = 5) -> ToolLoop:
    return ToolLoop(
        ToolSet(tools, None),
        model.send,
        lambda messages: ToolCallContext(CALLER, {"chat_id": ""}, messages, {"id": "gpt-x"}),
        max_rounds,
        timeout_s,
    )


async def whole(parts: AsyncIterator[ChatPart]) -> tuple[Head, dict]:
    collected = [part async for part in parts]
    head, body = collected
    assert isinstance(head, Head) and isinstance(body, bytes)
    return head, loads(body)  # type: ignore[return-value]


async def streamed(parts: AsyncIterator[ChatPart]) -> tuple[Head, list[object]]:
    collected = [part async for part in parts]
    head, *events = collected
    assert isinstance(head, Head) and head.streaming
    out: list[object] = []
    for event in events:
        raw = wire_frame(event)  # type: ignore[arg-type]
        payload = raw[6:].strip()
        out.append("[DONE]" if payload == b"[DONE]" else orjson.loads(payload))
    return head, out


def text_of(events: list[object]) -> str:
    return "".join(
        (e["choices"][0]["delta"].get("content") or "")
        for e in events
        if isinstance(e, dict) and e.get("choices")
    )


def user_body(stream: bool = False, **extra: object) -> dict:
    return {
        "model": "gpt-x",
        "messages": [{"role": "user", "content": "Weather?"}],
        "stream": stream,
        **extra,
    }


# --- resolving -----------------------------------------------------------------------------------


async def test_ids_go_to_the_resolver_that_handles_them() -> None:
    local = FakeResolver("", {"wx": [server_tool()]})
    servers = FakeResolver("server:", {"server:a": [server_tool("op", "server:a")]})
    found = await resolve_tools([servers, local], CALLER, ["wx", "server:a"])
    assert [t.name for t in found] == ["weather", "op"]
    assert servers.asked == [["server:a"]] and local.asked == [["wx"]]


async def test_an_id_no_resolver_handles_is_not_found() -> None:
    with pytest.raises(NotFound):
        await resolve_tools([FakeResolver("server:", {})], CALLER, ["nope"])


def test_a_server_tool_named_like_a_client_tool_is_renamed() -> None:
    clashing = server_tool("local_fn", "wx")
    tools = ToolSet([clashing], [CLIENT_TOOL])
    offered = tools.offered({"messages": []})["tools"]
    assert offered[0] == CLIENT_TOOL
    assert offered[1]["function"]["name"] == "wx_local_fn"
    assert set(tools.by_name) == {"wx_local_fn"}


# --- a whole reply -------------------------------------------------------------------------------


async def test_one_round_runs_the_tool_and_answers_from_its_result() -> None:
    tool = server_tool()
    model = ScriptedModel(
        {"calls": [call_of("weather")], "content": "Let me look."}, {"text": "It is sunny."}
    )
    head, reply = await whole(loop_of(model, tool).run(user_body()))
    assert head.status == 200
    assert reply["choices"][0]["message"] == {"role": "assistant", "content": "It is sunny."}
    assert reply["choices"][0]["finish_reason"] == "stop"
    assert reply["usage"] == {"prompt_tokens": 20, "completion_tokens": 4, "total_tokens": 24}
    first, second = model.bodies
    assert first["tools"] == [{"type": "function", "function": SPEC}]
    assert second["messages"][1:] == [
        {"role": "assistant", "content": "Let me look.", "tool_calls": [call_of("weather")]},
        {"role": "tool", "tool_call_id": "call_weather", "content": "sunny in Paris"},
    ]
    assert [item["type"] for item in reply["output"]] == [
        "message",
        "function_call",
        "function_call_output",
        "message",
    ]
    call, result = reply["output"][1:3]
    assert (call["call_id"], call["name"], call["arguments"]) == (
        "call_weather",
        "weather",
        '{"city": "Paris"}',
    )
    assert result["output"] == [{"type": "input_text", "text": "sunny in Paris"}]
    arguments, context = tool.seen[0]  # type: ignore[attr-defined]
    assert arguments == {"city": "Paris"} and context.caller == CALLER
    assert context.messages == first["messages"]


async def test_several_rounds_then_the_limit() -> None:
    model = ScriptedModel({"calls": [call_of("weather")]})
    head, reply = await whole(loop_of(model, server_tool(), max_rounds=3).run(user_body()))
    assert head.status == 200
    assert len(model.bodies) == 4
    assert reply["error"]["message"] == TOOL_LIMIT.format(n=3) == "Tool-call limit reached (3 iterations)."
    assert [i["type"] for i in reply["output"]].count("function_call_output") == 3
    assert reply["output"][-1]["status"] == "incomplete"
    assert "tool_calls" not in reply["choices"][0]["message"]


async def test_a_raising_tool_and_a_hanging_tool_give_the_model_an_error() -> None:
    raising = server_tool("broken", behaviour="raise")
    hanging = server_tool("slow", behaviour="hang")
    model = ScriptedModel({"calls": [call_of("broken"), call_of("slow")]}, {"text": "sorry"})
    head, reply = await whole(loop_of(model, raising, hanging, timeout_s=0.05).run(user_body()))
    assert head.status == 200 and reply["choices"][0]["message"]["content"] == "sorry"
    results = [m for m in model.bodies[1]["messages"] if m["role"] == "tool"]
    assert json.loads(results[0]["content"]) == {"error": "the weather service is down"}
    assert "timed out" in json.loads(results[1]["content"])["error"]


async def test_unparsable_arguments_are_the_model_s_error() -> None:
    model = ScriptedModel({"calls": [call_of("weather", "{not json")]}, {"text": "ok"})
    await whole(loop_of(model, server_tool()).run(user_body()))
    result = model.bodies[1]["messages"][-1]["content"]
    assert "not valid JSON" in json.loads(result)["error"]


async def test_client_calls_come_back_unchanged() -> None:
    client_call = call_of("local_fn", {"x": 1}, "call_c")
    model = ScriptedModel({"calls": [client_call]})
    loop = ToolLoop(
        ToolSet([server_tool()], [CLIENT_TOOL]),
        model.send,
        lambda messages: ToolCallContext(CALLER, {}, messages, {}),
        5,
        5,
    )
    _, reply = await whole(loop.run(user_body()))
    assert reply["choices"][0]["finish_reason"] == "tool_calls"
    assert reply["choices"][0]["message"]["tool_calls"] == [client_call]
    assert [t["function"]["name"] for t in model.bodies[0]["tools"]] == ["local_fn", "weather"]


async def test_a_round_with_both_runs_the_server_call_and_returns_the_client_call() -> None:
    tool = server_tool()
    client_call = call_of("local_fn", {"x": 1}, "call_c")
    model = ScriptedModel({"calls": [call_of("weather"), client_call]})
    loop = ToolLoop(
        ToolSet([tool], [CLIENT_TOOL]), model.send, lambda m: ToolCallContext(CALLER, {}, m, {}), 5, 5
    )
    _, reply = await whole(loop.run(user_body()))
    assert len(model.bodies) == 1 and len(tool.seen) == 1  # type: ignore[attr-defined]
    assert reply["choices"][0]["message"]["tool_calls"] == [client_call]
    assert [i["type"] for i in reply["output"]] == ["function_call", "function_call_output", "message"]


async def test_an_upstream_error_passes_through() -> None:
    model = ScriptedModel({"calls": [call_of("weather")]}, {"status": 500})
    head, reply = await whole(loop_of(model, server_tool()).run(user_body()))
    assert head.status == 500 and reply == {"error": {"message": "upstream says no"}}


# --- a streamed reply ----------------------------------------------------------------------------


async def test_streamed_rounds_show_their_calls_and_stream_the_answer() -> None:
    model = ScriptedModel(
        {"calls": [call_of("weather")], "content": "Looking."},
        {"calls": [call_of("weather", {"city": "Rome"}, "call_2")]},
        {"text": "Sunny both."},
    )
    head, events = await streamed(loop_of(model, server_tool()).run(user_body(stream=True)))
    assert head.status == 200
    assert events[-1] == "[DONE]"
    assert text_of(events) == "Looking.Sunny both."
    assert not any(
        e["choices"][0]["delta"].get("tool_calls") for e in events if isinstance(e, dict) and e.get("choices")
    )
    outputs = [item for e in events if isinstance(e, dict) for item in e.get("output", [])]
    assert [(i["type"], i["call_id"]) for i in outputs] == [
        ("function_call", "call_weather"),
        ("function_call_output", "call_weather"),
        ("function_call", "call_2"),
        ("function_call_output", "call_2"),
    ]
    assert outputs[3]["output"][0]["text"] == "sunny in Rome"
    finishes = [e["choices"][0]["finish_reason"] for e in events if isinstance(e, dict) and e.get("choices")]
    assert [f for f in finishes if f] == ["stop"]
    final = events[-2]
    assert isinstance(final, dict) and final["usage"]["total_tokens"] == 36
    assert len(model.bodies) == 3 and all(b["stream"] for b in model.bodies)
    assert model.bodies[2]["messages"][-1] == {
        "role": "tool",
        "tool_call_id": "call_2",
        "content": "sunny in Rome",
    }


async def test_streamed_limit_ends_with_an_error_event() -> None:
    model = ScriptedModel({"calls": [call_of("weather")]})
    _, events = await streamed(loop_of(model, server_tool(), max_rounds=1).run(user_body(stream=True)))
    assert events[-2] == {"error": {"message": TOOL_LIMIT.format(n=1), "type": "tool_call_limit"}}
    assert events[-1] == "[DONE]"


async def test_streamed_client_calls_come_back_whole() -> None:
    client_call = call_of("local_fn", {"x": 1}, "call_c")
    model = ScriptedModel({"calls": [client_call]})
    loop = ToolLoop(
        ToolSet([server_tool()], [CLIENT_TOOL]),
        model.send,
        lambda m: ToolCallContext(CALLER, {}, m, {}),
        5,
        5,
    )
    _, events = await streamed(loop.run(user_body(stream=True)))
    calls = [
        e["choices"][0]["delta"]["tool_calls"]
        for e in events
        if isinstance(e, dict) and e.get("choices") and e["choices"][0]["delta"].get("tool_calls")
    ]
    assert calls == [[{"index": 0, **client_call}]]
    assert events[-2]["choices"][0]["finish_reason"] == "tool_calls"  # type: ignore[index]


async def test_a_later_round_that_fails_ends_the_stream_in_band() -> None:
    model = ScriptedModel({"calls": [call_of("weather")]}, {"status": 502})
    _, events = await streamed(loop_of(model, server_tool()).run(user_body(stream=True)))
    assert events[-2] == {"error": {"message": "upstream says no"}}
    assert events[-1] == "[DONE]"


async def test_a_stream_that_fails_is_passed_on_failed() -> None:
    async def send(body: dict) -> AsyncIterator[ChatPart]:
        yield Head(200, {}, streaming=True)
        yield Marker.FAILED

    loop = ToolLoop(ToolSet([server_tool()]), send, lambda m: ToolCallContext(CALLER, {}, m, {}), 5, 5)
    parts = [p async for p in loop.run(user_body(stream=True))]
    assert parts[-1] is Marker.FAILED


# --- in the pipeline -----------------------------------------------------------------------------


class FakeDirectory:
    async def target(self, caller: Identity, model_id: object) -> ChatTarget:
        return TARGET


class FakeChat:
    def __init__(self, model: ScriptedModel) -> None:
        self.model = model

    def dispatch(self, body: dict, route: ModelRoute) -> AsyncIterator[ChatPart]:
        return self.model.send(body)


class NoRetriever:
    async def search(self, *args: object) -> list:
        return []

    async def read_documents(self, *args: object) -> list:
        return []


def pipeline(model: ScriptedModel, *resolvers: FakeResolver, max_rounds: int = 5) -> ChatPipeline:
    return ChatPipeline(
        FakeDirectory(),  # type: ignore[arg-type]
        FakeChat(model),  # type: ignore[arg-type]
        Retrieval(NoRetriever(), RagConfig(template="CTX:{{CONTEXT}}")),  # type: ignore[arg-type]
        None,  # type: ignore[arg-type]
        FilterRunner(5),
        PipeRunner(5),
        False,
        tool_resolvers=resolvers,
        max_tool_rounds=max_rounds,
        tool_timeout_s=5,
    )


async def test_pipeline_without_tool_ids_sends_the_body_as_it_came() -> None:
    model = ScriptedModel({"calls": [call_of("local_fn")]})
    body = user_body(tools=[CLIENT_TOOL])
    parts = [p async for p in pipeline(model, FakeResolver("", {})).complete(CALLER, body)]
    assert loads(parts[1])["choices"][0]["message"]["tool_calls"] == [call_of("local_fn")]  # type: ignore[arg-type]
    assert model.bodies == [body]


async def test_pipeline_refuses_an_unknown_tool_before_the_model() -> None:
    model = ScriptedModel({"text": "hi"})
    with pytest.raises(NotFound):
        [
            p
            async for p in pipeline(model, FakeResolver("", {})).complete(
                CALLER, user_body(tool_ids=["nope"])
            )
        ]
    with pytest.raises(InvalidArgument):
        [p async for p in pipeline(model).complete(CALLER, user_body(tool_ids="wx"))]
    assert model.bodies == []


async def test_pipeline_runs_tools_with_the_request_metadata() -> None:
    tool = server_tool()
    model = ScriptedModel({"calls": [call_of("weather")]}, {"text": "done"})
    resolver = FakeResolver("", {"wx": [tool]})
    parts = [p async for p in pipeline(model, resolver).complete(CALLER, user_body(tool_ids=["wx"]))]
    reply = loads(parts[1])  # type: ignore[arg-type]
    assert reply["choices"][0]["message"]["content"] == "done"  # type: ignore[index]
    _, context = tool.seen[0]  # type: ignore[attr-defined]
    assert context.metadata["tool_ids"] == ["wx"] and context.metadata["user_id"] == "u1"
    assert context.metadata["chat_id"] == ""
    assert context.model == TARGET.model


# --- what a stored chat keeps --------------------------------------------------------------------


async def test_the_record_of_a_streamed_tool_reply_keeps_its_rounds() -> None:
    model = ScriptedModel({"calls": [call_of("weather")], "content": "Looking."}, {"text": "Sunny."})
    record = ReplyRecord()
    async for part in loop_of(model, server_tool()).run(user_body(stream=True)):
        if not isinstance(part, Head):
            record.read_event(part)
    fields = record.fields()
    assert fields["content"] == "Sunny."
    assert [i["type"] for i in fields["output"]] == [
        "message",
        "function_call",
        "function_call_output",
        "message",
    ]
    assert fields["output"][0]["content"][0]["text"] == "Looking."
    assert fields["output"][-1]["content"][0]["text"] == "Sunny."
    assert fields["usage"]["total_tokens"] == 24


async def test_the_record_of_a_whole_tool_reply_keeps_its_output() -> None:
    model = ScriptedModel({"calls": [call_of("weather")]})
    head, reply = await whole(loop_of(model, server_tool(), max_rounds=1).run(user_body()))
    record = ReplyRecord()
    record.read_body(head.status, dumps(reply))
    fields = record.fields()
    assert fields["output"] == reply["output"]
    assert fields["error"] == {"content": TOOL_LIMIT.format(n=1)}


# --- prompt-based ("legacy") tool calling --------------------------------------------------------


def test_the_selection_prompt_carries_the_specs_history_and_query() -> None:
    history = [
        {"role": "user", "content": "Hi"},
        {"role": "assistant", "content": "Hello"},
        {"role": "user", "content": "Weather in Rome?"},
    ]
    system, user = selection_messages("", ToolSet([server_tool()]), history)
    assert system["role"] == "system"
    assert system["content"].startswith(f"Available Tools: {json.dumps([SPEC])}\n\nYour task is")
    assert user == {
        "role": "user",
        "content": 'History:\nUSER: """Hi"""\nASSISTANT: """Hello"""\nQuery: Weather in Rome?',
    }
    _, alone = selection_messages("T {{TOOLS}}", ToolSet([]), history[-1:])
    assert alone["content"] == "Query: Weather in Rome?"


@pytest.mark.parametrize(
    ("content", "picked"),
    [
        (
            'Sure: {"tool_calls": [{"name": "a", "parameters": {"x": 1}}, {"name": "b"}]}',
            [("a", {"x": 1}), ("b", {})],
        ),
        ('{"name": "a", "parameters": {"x": 1}}', [("a", {"x": 1})]),
        ('{"tool_calls": []}', []),
        ("no json here", []),
        ("{broken", []),
    ],
)
def test_the_selection_is_parsed_as_open_webui_parses_it(content: str, picked: list) -> None:
    assert parse_selection(content) == picked


async def test_legacy_mode_runs_the_picked_tools_and_gives_their_results_as_sources() -> None:
    tool = server_tool()
    model = ScriptedModel({"text": "From the context."})
    chat = pipeline(model, FakeResolver("", {"wx": [tool]}))
    asked: list[tuple[str, list]] = []

    async def select(caller: Identity, model_id: str, tools: ToolSet, history: list) -> str:
        asked.append((model_id, list(tools.by_name)))
        picked = [{"name": "weather", "parameters": {"city": "Rome", "bogus": 1}}, {"name": "nope"}]
        return "Here: " + json.dumps({"tool_calls": picked})

    chat.select_tools_with(select)
    body = user_body(tool_ids=["wx"], params={"function_calling": "legacy"})
    parts = [p async for p in chat.complete(CALLER, body)]
    reply = loads(parts[1])  # type: ignore[arg-type]
    assert asked == [("gpt-x", ["weather"])]
    assert tool.seen[0][0] == {"city": "Rome"}  # type: ignore[attr-defined]
    assert reply["sources"] == [  # type: ignore[index]
        {
            "source": {"name": "wx/weather"},
            "document": ["sunny in Rome"],
            "metadata": [{"source": "wx/weather", "parameters": {"city": "Rome"}}],
            "tool_result": True,
        }
    ]
    sent = model.bodies[0]
    assert "tools" not in sent
    assert "sunny in Rome" in json.dumps(sent["messages"])


async def test_legacy_mode_with_nothing_picked_is_a_plain_completion() -> None:
    model = ScriptedModel({"text": "plain"})
    chat = pipeline(model, FakeResolver("", {"wx": [server_tool()]}))

    async def select(caller: Identity, model_id: str, tools: ToolSet, history: list) -> str:
        return '{"tool_calls": []}'

    chat.select_tools_with(select)
    body = user_body(tool_ids=["wx"], params={"function_calling": "legacy"})
    parts = [p async for p in chat.complete(CALLER, body)]
    assert "sources" not in loads(parts[1])  # type: ignore[arg-type, operator]
    assert model.bodies[0]["messages"] == body["messages"]


async def test_a_call_to_a_tool_nobody_offered_gives_the_model_an_error() -> None:
    model = ScriptedModel({"calls": [call_of("made_up")]}, {"text": "sorry"})
    _, reply = await whole(loop_of(model, server_tool()).run(user_body()))
    assert reply["choices"][0]["message"] == {"role": "assistant", "content": "sorry"}
    result = model.bodies[1]["messages"][-1]
    assert json.loads(result["content"]) == {"error": "Tool made_up not found"}


async def test_legacy_mode_streamed_sends_the_tool_sources_first() -> None:
    model = ScriptedModel({"text": "From the context."})
    chat = pipeline(model, FakeResolver("", {"wx": [server_tool()]}))

    async def select(caller: Identity, model_id: str, tools: ToolSet, history: list) -> str:
        return '{"name": "weather", "parameters": {"city": "Oslo"}}'

    chat.select_tools_with(select)
    body = user_body(stream=True, tool_ids=["wx"], params={"function_calling": "legacy"})
    frames = [p async for p in chat.complete(CALLER, body)][1:]
    first = orjson.loads(frames[0][6:])  # type: ignore[index]
    assert first["sources"][0]["document"] == ["sunny in Oslo"]
    assert frames[-1] == b"data: [DONE]\n\n"


async def test_a_later_round_that_cannot_reach_the_model_ends_the_stream_in_band() -> None:
    first = ScriptedModel({"calls": [call_of("weather")]})
    sent: list[dict] = []

    async def send(body: dict) -> AsyncIterator[ChatPart]:
        sent.append(body)
        if len(sent) > 1:
            raise BadGateway("Open WebUI: Server Connection Error")
        async for part in first.send(body):
            yield part

    loop = ToolLoop(ToolSet([server_tool()]), send, lambda m: ToolCallContext(CALLER, {}, m, {}), 5, 5)
    _, events = await streamed(loop.run(user_body(stream=True)))
    assert events[-2] == {"error": {"message": "Open WebUI: Server Connection Error"}}
    assert events[-1] == "[DONE]"
    with pytest.raises(BadGateway):
        sent.clear()
        sent.append({})
        [p async for p in loop.run(user_body(stream=True))]
