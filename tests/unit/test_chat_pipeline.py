"""ChatPipeline with fakes around real function code: sources first, inlet / stream / outlet filters,
toggles and priorities, /api/chat/completed, and pipes as models."""

from collections.abc import AsyncIterator, Sequence

import orjson
import pytest

from services.common.errors import InvalidArgument, PermissionDenied, Timeout
from services.common.identity import Identity
from services.common.stream_frames import SSE_STREAM_FAILED
from services.inference.functions.filters import FilterRunner
from services.inference.functions.loader import load_function, make_valves
from services.inference.functions.pipes import PipeRunner
from services.inference.functions.records import ActiveFunction, FunctionRecord, FunctionSnapshot
from services.inference.model_directory import ChatTarget
from services.inference.model_registry import ModelRoute
from services.inference.pipeline import ChatPipeline
from services.inference.rag.retrieval import RagConfig, Retrieval
from services.inference.rag.sources import Document, Hit
from services.inference.replies import Head, Part, dumps
from services.inference.sse import ChatPart, Marker, Relayed
from services.inference.sse import frame as wire_frame
from services.inference.upstreams import Kind
from services.inference.workspace.records import WorkspaceModel

CALLER = Identity(user_id="u1", email="u1@example.com", name="User One", role="user")
ROUTE = ModelRoute("gpt-x", Kind.OPENAI, (), "gpt-x")
FILE_ITEM = {"type": "file", "id": "f1", "name": "a.txt"}
HIT = Hit("file-f1", "X is a letter.", 0.75, {"source": "a.txt", "name": "a.txt", "file_id": "f1"})
SOURCE_JSON = {
    "source": FILE_ITEM,
    "document": ["X is a letter."],
    "metadata": [{"source": "a.txt", "name": "a.txt", "file_id": "f1"}],
    "distances": [0.75],
}


# --- function sources ----------------------------------------------------------------------------

TAGGER = """
from pydantic import BaseModel

class Filter:
    class Valves(BaseModel):
        priority: int = 0

    def __init__(self):
        self.valves = self.Valves()

    def inlet(self, body, __id__):
        body.setdefault("trail", []).append(__id__)
        return body
"""

TOGGLED = """
class Filter:
    def __init__(self):
        self.toggle = True

    def inlet(self, body, __id__):
        body.setdefault("trail", []).append(__id__)
        return body
"""

RAISING_INLET = """
class Filter:
    def inlet(self, body):
        raise ValueError("blocked by policy")
"""

LIST_INLET = """
class Filter:
    def inlet(self, body):
        return ["not", "a", "body"]
"""

HANGING_INLET = """
import asyncio

class Filter:
    async def inlet(self, body):
        await asyncio.sleep(30)
        return body
"""

INLET_ADDS_FILE = """
class Filter:
    def inlet(self, body):
        body["files"] = [{"type": "file", "id": "f1", "name": "a.txt"}]
        body["messages"][-1]["content"] = "rewritten: " + body["messages"][-1]["content"]
        return body
"""

FILE_HANDLER = """
class Filter:
    def __init__(self):
        self.file_handler = True

    def inlet(self, body):
        body["handled"] = [f["id"] for f in body.get("files", [])]
        return body
"""

USER_VALVES = """
from pydantic import BaseModel

class Filter:
    class UserValves(BaseModel):
        shout: bool = False

    def inlet(self, body, __user__):
        body["user_seen"] = {k: v for k, v in __user__.items() if k != "valves"}
        body["shout"] = __user__["valves"].shout
        return body
"""

STREAM_UPPER = """
class Filter:
    def stream(self, event):
        if "sources" in event:
            event["seen_by_stream"] = True
            return event
        delta = event["choices"][0]["delta"]
        if delta.get("content") == "drop":
            return None
        if "content" in delta:
            delta["content"] = delta["content"].upper()
        return event
"""

STREAM_RAISES = """
class Filter:
    def stream(self, event):
        raise RuntimeError("bad stream filter")
"""

STREAM_HANGS = """
import asyncio

class Filter:
    async def stream(self, event):
        await asyncio.sleep(30)
"""

OUTLET = """
class Filter:
    def __init__(self):
        self.seen = []

    async def outlet(self, body, __user__, __metadata__):
        self.seen.append((body, __user__, __metadata__))
        return {**body, "outlet": "ran"}
"""

OUTLET_RAISES = """
class Filter:
    def outlet(self, body):
        raise KeyError("no such thing")
"""

PIPE_STR = """
class Pipe:
    def __init__(self):
        self.bodies = []

    def pipe(self, body, __user__, __files__):
        self.bodies.append((body, __user__, __files__))
        return "hello from " + body["model"]
"""

PIPE_DICT = """
class Pipe:
    def pipe(self, body):
        message = {"role": "assistant", "content": "dict"}
        return {"id": "custom", "choices": [{"index": 0, "message": message}]}
"""

PIPE_GENERATOR = """
class Pipe:
    def pipe(self, body):
        yield "Hel"
        yield ""
        yield "lo"
"""

PIPE_ASYNC_GENERATOR = """
class Pipe:
    async def pipe(self, body):
        yield "a"
        yield {"choices": [{"index": 0, "delta": {"content": "b"}}]}
        yield "data: {\\"raw\\": true}"
"""

PIPE_RAISES = """
class Pipe:
    def pipe(self, body):
        raise RuntimeError("pipe broke")
"""

PIPE_HANGS = """
import asyncio

class Pipe:
    async def pipe(self, body):
        await asyncio.sleep(30)
        return "late"
"""

PIPE_GENERATOR_HANGS = """
import asyncio

class Pipe:
    async def pipe(self, body):
        yield "first"
        await asyncio.sleep(30)
        yield "never"
"""


def active(
    function_id: str, source: str, *, is_global: bool = True, valves: dict | None = None
) -> ActiveFunction:
    loaded = load_function(function_id, source)
    record = FunctionRecord(
        id=function_id,
        user_id="admin",
        name=function_id.title(),
        type=loaded.type,
        content=source,
        meta={"description": ""},
        valves=valves,
        is_active=True,
        is_global=is_global,
        created_at=1,
        updated_at=1,
    )
    return ActiveFunction(record, loaded, make_valves(loaded, valves, "admin"))


def snapshot_of(*functions: ActiveFunction) -> FunctionSnapshot:
    return FunctionSnapshot({f.id: f for f in functions})


def upstream_target(*functions: ActiveFunction, row: WorkspaceModel | None = None) -> ChatTarget:
    model = {"id": row.id if row else "gpt-x", "name": "GPT X", "owned_by": "openai"}
    return ChatTarget("gpt-x", model, ROUTE, None, row, snapshot_of(*functions))


def pipe_target(
    pipe: ActiveFunction, *functions: ActiveFunction, row: WorkspaceModel | None = None
) -> ChatTarget:
    model = {"id": row.id if row else pipe.id, "name": pipe.record.name, "pipe": {"type": "pipe"}}
    return ChatTarget(pipe.id, model, None, pipe, row, snapshot_of(pipe, *functions))


def row(model_id: str, base: str | None, **meta: object) -> WorkspaceModel:
    return WorkspaceModel(
        id=model_id,
        user_id="u1",
        base_model_id=base,
        name=model_id.title(),
        params={"temperature": 0.2},
        meta=dict(meta),
        access_grants=[],
        is_active=True,
        created_at=1,
        updated_at=1,
    )


# --- fakes ---------------------------------------------------------------------------------------


def json_parts(value: object, status: int = 200) -> list[Part]:
    return [Head(status, {"Content-Type": "application/json"}), dumps(value)]


def completion(content: str) -> dict:
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}
        ],
    }


def chunk(content: str) -> dict:
    return {
        "id": "c1",
        "object": "chat.completion.chunk",
        "choices": [{"index": 0, "delta": {"content": content}}],
    }


def sse_parts(*contents: str) -> list[ChatPart]:
    # Upstream frames with spaces, as an OpenAI-compatible server may send them.
    frames = [Relayed(b"data: " + orjson.dumps(chunk(c)).replace(b",", b", ") + b"\n\n") for c in contents]
    return [Head(200, {"Content-Type": "text/event-stream"}, streaming=True), *frames, Marker.DONE]


def wire(parts: list[ChatPart]) -> list[bytes]:
    """The frames a client reads for ``parts`` (events only)."""
    return [wire_frame(part) for part in parts if not isinstance(part, Head | bytes)]


class FakeChat:
    """ChatService.dispatch: answers each call with the next reply (the last one repeats)."""

    def __init__(self, *replies: list[ChatPart]) -> None:
        self.replies = list(replies) or [json_parts(completion("ok"))]
        self.calls: list[tuple[dict, ModelRoute]] = []

    async def dispatch(self, body: dict, route: ModelRoute) -> AsyncIterator[ChatPart]:
        self.calls.append((body, route))
        reply = self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]
        for part in reply:
            yield part


class FakeDirectory:
    def __init__(self, *targets: ChatTarget, **by_id: ChatTarget) -> None:
        self.targets = {t.model["id"]: t for t in targets} | by_id

    async def target(self, caller: Identity, model_id: object) -> ChatTarget:
        if model_id not in self.targets:
            raise InvalidArgument("Model not found")
        return self.targets[model_id]  # type: ignore[index]


class FakeCatalog:
    def __init__(self, valves: dict[str, dict] | None = None) -> None:
        self.valves = valves or {}
        self.asked: list[tuple[str, list[str]]] = []

    async def user_valves(self, user_id: str, function_ids: Sequence[str]) -> dict[str, dict]:
        self.asked.append((user_id, list(function_ids)))
        return {i: self.valves.get(i, {}) for i in function_ids}


class FakeRetriever:
    def __init__(self, hits: Sequence[Hit] = (HIT,), error: Exception | None = None) -> None:
        self.hits = list(hits)
        self.error = error
        self.searches: list[tuple[list[str], list[str], int]] = []

    async def search(
        self, caller: Identity, names: Sequence[str], queries: Sequence[str], k: int, hybrid: bool
    ) -> list[Hit]:
        self.searches.append((list(names), list(queries), k))
        if self.error is not None:
            raise self.error
        return [h for h in self.hits if h.collection_name in names]

    async def read_documents(self, caller: Identity, names: Sequence[str]) -> list[Document]:
        return []


def build(
    *targets: ChatTarget,
    chat: FakeChat | None = None,
    retriever: FakeRetriever | None = None,
    rag: RagConfig | None = None,
    catalog: FakeCatalog | None = None,
    outlets: bool = True,
    timeout_s: float = 5,
) -> ChatPipeline:
    return ChatPipeline(
        FakeDirectory(*targets),  # type: ignore[arg-type]
        chat or FakeChat(),  # type: ignore[arg-type]
        Retrieval(retriever or FakeRetriever(), rag or RagConfig(template="CTX:{{CONTEXT}}")),
        catalog or FakeCatalog(),  # type: ignore[arg-type]
        FilterRunner(timeout_s),
        PipeRunner(timeout_s, new_id=lambda: "uuid", clock=lambda: 1000.0),
        outlets,
    )


async def run(pipeline: ChatPipeline, body: dict) -> tuple[Head, list[bytes]]:
    parts = [part async for part in pipeline.complete(CALLER, body)]
    head, *rest = parts
    assert isinstance(head, Head)
    assert all(isinstance(p, bytes) for p in rest)
    return head, rest  # type: ignore[return-value]


def events(frames: list[bytes]) -> list[object]:
    """The JSON of each ``data:`` frame; "[DONE]" for the end."""
    out: list[object] = []
    for frame in frames:
        assert frame.startswith(b"data: ") and frame.endswith(b"\n\n"), frame
        payload = frame[6:].strip()
        out.append("[DONE]" if payload == b"[DONE]" else orjson.loads(payload))
    return out


def user(text: str = "What is X?") -> list[dict]:
    return [{"role": "user", "content": text}]


# --- sources -------------------------------------------------------------------------------------


async def test_json_reply_has_sources_as_its_first_key_and_context_reaches_the_model() -> None:
    chat = FakeChat(json_parts(completion("X is a letter [1].")))
    retriever = FakeRetriever()
    pipeline = build(upstream_target(), chat=chat, retriever=retriever)
    head, body = await run(pipeline, {"model": "gpt-x", "messages": user(), "files": [FILE_ITEM]})
    assert head.status == 200 and not head.streaming
    reply = orjson.loads(b"".join(body))
    assert list(reply) == ["sources", "id", "object", "choices"]
    assert reply["sources"] == [SOURCE_JSON]
    assert reply["choices"][0]["message"]["content"] == "X is a letter [1]."
    assert retriever.searches == [(["file-f1"], ["What is X?"], 3)]
    [(sent, route)] = chat.calls
    assert route is ROUTE
    assert sent["messages"] == [
        {
            "role": "user",
            "content": 'CTX:<source id="1" name="a.txt" resource-type="file" resource-id="f1">'
            "X is a letter.</source>\nWhat is X?",
        }
    ]


async def test_sse_reply_starts_with_the_sources_event() -> None:
    chat = FakeChat(sse_parts("X", " is"))
    head, frames = await run(
        build(upstream_target(), chat=chat),
        {"model": "gpt-x", "messages": user(), "files": [FILE_ITEM], "stream": True},
    )
    assert head.streaming
    assert frames[0] == b"data: " + orjson.dumps({"sources": [SOURCE_JSON]}) + b"\n\n"
    # Without stream or outlet filters the upstream frames pass as they came.
    assert frames[1:] == wire(sse_parts("X", " is"))


async def test_without_files_the_reply_is_untouched() -> None:
    raw = dumps(completion("hi"))
    chat = FakeChat([Head(200, {"Content-Type": "application/json"}), raw])
    _, body = await run(build(upstream_target(), chat=chat), {"model": "gpt-x", "messages": user()})
    assert body == [raw]
    assert chat.calls[0][0] == {"model": "gpt-x", "messages": user()}


async def test_unlisted_sources_still_give_context() -> None:
    chat = FakeChat(json_parts(completion("ok")))
    body = {"model": "gpt-x", "messages": user(), "files": [{"type": "text", "content": "inline"}]}
    _, reply = await run(build(upstream_target(), chat=chat), body)
    assert "sources" not in orjson.loads(b"".join(reply))
    assert (
        chat.calls[0][0]["messages"][0]["content"]
        == 'CTX:<source id="1" resource-type="text">inline</source>\nWhat is X?'
    )


async def test_error_replies_get_no_sources() -> None:
    error = json_parts({"error": {"message": "rate limited"}}, status=429)
    _, body = await run(
        build(upstream_target(), chat=FakeChat(error)),
        {"model": "gpt-x", "messages": user(), "files": [FILE_ITEM]},
    )
    assert orjson.loads(b"".join(body)) == {"error": {"message": "rate limited"}}


async def test_permission_denied_from_retrieval_propagates() -> None:
    chat = FakeChat()
    pipeline = build(upstream_target(), chat=chat, retriever=FakeRetriever(error=PermissionDenied("no")))
    with pytest.raises(PermissionDenied):
        await run(pipeline, {"model": "gpt-x", "messages": user(), "files": [FILE_ITEM]})
    assert chat.calls == []


async def test_malformed_files_are_400() -> None:
    with pytest.raises(InvalidArgument, match="'files' must be a list"):
        await run(build(upstream_target()), {"model": "gpt-x", "messages": user(), "files": "f1"})


async def test_unknown_model_and_non_object_body() -> None:
    pipeline = build(upstream_target())
    with pytest.raises(InvalidArgument, match="Model not found"):
        await run(pipeline, {"model": "nope", "messages": user()})
    with pytest.raises(InvalidArgument, match="JSON object"):
        await run(pipeline, ["not", "a", "dict"])  # type: ignore[arg-type]


async def test_query_generation_asks_the_chat_model_first() -> None:
    chat = FakeChat(
        json_parts(completion('{"queries": ["x meaning", "x letter"]}')),
        json_parts(completion("answer")),
    )
    retriever = FakeRetriever()
    pipeline = build(upstream_target(), chat=chat, retriever=retriever, rag=RagConfig(query_generation=True))
    _, body = await run(
        pipeline, {"model": "gpt-x", "messages": user(), "files": [FILE_ITEM], "stream": True}
    )
    assert len(chat.calls) == 2
    generation, _ = chat.calls[0]
    assert generation["stream"] is False and generation["model"] == "gpt-x"
    assert "USER: What is X?" in generation["messages"][0]["content"]
    assert retriever.searches[0][1] == ["x meaning", "x letter"]
    assert orjson.loads(b"".join(body))["choices"][0]["message"]["content"] == "answer"


async def test_failed_query_generation_searches_the_user_message() -> None:
    chat = FakeChat(json_parts({"error": "down"}, status=500), json_parts(completion("answer")))
    retriever = FakeRetriever()
    pipeline = build(upstream_target(), chat=chat, retriever=retriever, rag=RagConfig(query_generation=True))
    await run(pipeline, {"model": "gpt-x", "messages": user(), "files": [FILE_ITEM]})
    assert retriever.searches[0][1] == ["What is X?"]


# --- workspace rows ------------------------------------------------------------------------------


async def test_preset_sends_the_base_model_with_row_params_and_knowledge() -> None:
    preset = row("helper", "gpt-x", knowledge=[{"id": "f1", "type": "file", "name": "a.txt"}])
    chat = FakeChat()
    retriever = FakeRetriever()
    pipeline = build(upstream_target(row=preset), chat=chat, retriever=retriever)
    await run(pipeline, {"model": "helper", "messages": user(), "params": {"top_p": 0.5}})
    sent, route = chat.calls[0]
    assert sent["model"] == "gpt-x" and route is ROUTE
    assert sent["params"] == {"temperature": 0.2, "top_p": 0.5}
    assert sent["files"] == [{"type": "file", "id": "f1", "name": "a.txt"}]
    assert retriever.searches == [(["file-f1"], ["What is X?"], 3)]


# --- inlet ---------------------------------------------------------------------------------------


async def test_inlet_modifies_the_body_before_retrieval() -> None:
    chat = FakeChat()
    retriever = FakeRetriever()
    pipeline = build(upstream_target(active("adder", INLET_ADDS_FILE)), chat=chat, retriever=retriever)
    messages = user("Q")
    await run(pipeline, {"model": "gpt-x", "messages": messages})
    assert retriever.searches == [(["file-f1"], ["rewritten: Q"], 3)]
    assert chat.calls[0][0]["messages"][0]["content"].endswith("\nrewritten: Q")


async def test_inlet_exception_is_400_with_its_text() -> None:
    chat = FakeChat()
    pipeline = build(upstream_target(active("guard", RAISING_INLET)), chat=chat)
    with pytest.raises(InvalidArgument) as caught:
        await run(pipeline, {"model": "gpt-x", "messages": user()})
    assert caught.value.detail == "blocked by policy"
    assert chat.calls == []


async def test_inlet_must_return_a_body() -> None:
    with pytest.raises(InvalidArgument, match="must return the request body"):
        await run(build(upstream_target(active("bad", LIST_INLET))), {"model": "gpt-x", "messages": user()})


async def test_inlet_past_its_time_is_a_timeout() -> None:
    pipeline = build(upstream_target(active("slow", HANGING_INLET)), timeout_s=0.05)
    with pytest.raises(Timeout, match="slow"):
        await run(pipeline, {"model": "gpt-x", "messages": user()})


async def test_file_handler_filter_takes_the_files_away_from_retrieval() -> None:
    chat = FakeChat()
    retriever = FakeRetriever()
    pipeline = build(upstream_target(active("handler", FILE_HANDLER)), chat=chat, retriever=retriever)
    await run(pipeline, {"model": "gpt-x", "messages": user(), "files": [FILE_ITEM]})
    assert retriever.searches == []
    sent = chat.calls[0][0]
    assert "files" not in sent and sent["handled"] == ["f1"]


async def test_user_valves_reach_the_filter() -> None:
    catalog = FakeCatalog({"uv": {"shout": True}})
    chat = FakeChat()
    pipeline = build(
        upstream_target(active("uv", USER_VALVES), active("plain", TAGGER)), chat=chat, catalog=catalog
    )
    await run(pipeline, {"model": "gpt-x", "messages": user()})
    assert catalog.asked == [("u1", ["uv"])]
    sent = chat.calls[0][0]
    assert sent["shout"] is True
    assert sent["user_seen"] == {"id": "u1", "email": "u1@example.com", "name": "User One", "role": "user"}


async def test_no_user_valves_no_catalog_call() -> None:
    catalog = FakeCatalog()
    await run(
        build(upstream_target(active("plain", TAGGER)), catalog=catalog),
        {"model": "gpt-x", "messages": user()},
    )
    assert catalog.asked == []


# --- selection and order -------------------------------------------------------------------------


async def test_toggle_filters_run_only_when_named_in_filter_ids() -> None:
    target = upstream_target(active("always", TAGGER), active("switch", TOGGLED))
    chat = FakeChat()
    pipeline = build(target, chat=chat)
    await run(pipeline, {"model": "gpt-x", "messages": user()})
    await run(pipeline, {"model": "gpt-x", "messages": user(), "filter_ids": ["switch"]})
    assert [body["trail"] for body, _ in chat.calls] == [["always"], ["always", "switch"]]


async def test_filter_ids_that_are_not_names_select_nothing() -> None:
    target = upstream_target(active("always", TAGGER), active("switch", TOGGLED))
    chat = FakeChat()
    pipeline = build(target, chat=chat)
    await run(pipeline, {"model": "gpt-x", "messages": user(), "filter_ids": [[], {"a": 1}, "switch"]})
    assert chat.calls[0][0]["trail"] == ["always", "switch"]
    assert await pipeline.completed(CALLER, {**COMPLETED, "filter_ids": [[]]})


async def test_model_filters_run_only_for_their_model() -> None:
    local = active("local", TAGGER, is_global=False)
    chat = FakeChat()
    plain = build(upstream_target(local), chat=chat)
    await run(plain, {"model": "gpt-x", "messages": user()})
    assert "trail" not in chat.calls[0][0]
    preset = row("helper", "gpt-x", filterIds=["local"])
    with_row = build(upstream_target(local, row=preset), chat=chat)
    await run(with_row, {"model": "helper", "messages": user()})
    assert chat.calls[1][0]["trail"] == ["local"]


async def test_filters_run_by_priority_then_id() -> None:
    target = upstream_target(
        active("zeta", TAGGER, valves={"priority": 1}),
        active("beta", TAGGER, valves={"priority": 2}),
        active("alpha", TAGGER, valves={"priority": 1}),
        active("omega", TAGGER),
    )
    chat = FakeChat()
    await run(build(target, chat=chat), {"model": "gpt-x", "messages": user()})
    assert chat.calls[0][0]["trail"] == ["omega", "alpha", "zeta", "beta"]


# --- stream filters ------------------------------------------------------------------------------


async def test_stream_filter_rewrites_and_drops_events() -> None:
    chat = FakeChat(sse_parts("hello", "drop", " world"))
    pipeline = build(upstream_target(active("upper", STREAM_UPPER)), chat=chat)
    body = {"model": "gpt-x", "messages": user(), "files": [FILE_ITEM], "stream": True}
    _, frames = await run(pipeline, body)
    assert events(frames) == [
        {"sources": [SOURCE_JSON], "seen_by_stream": True},
        chunk("HELLO"),
        chunk(" WORLD"),
        "[DONE]",
    ]
    # Re-emitted compact, as Open WebUI 0.12 does.
    assert frames[1] == b"data: " + orjson.dumps(chunk("HELLO")) + b"\n\n"


async def test_failing_stream_filter_passes_the_event_on() -> None:
    chat = FakeChat(sse_parts("a"))
    _, frames = await run(
        build(upstream_target(active("bad", STREAM_RAISES)), chat=chat),
        {"model": "gpt-x", "messages": user(), "stream": True},
    )
    assert events(frames) == [chunk("a"), "[DONE]"]


async def test_hanging_stream_filter_ends_the_stream_in_band() -> None:
    chat = FakeChat(sse_parts("a", "b"))
    pipeline = build(upstream_target(active("slow", STREAM_HANGS)), chat=chat, timeout_s=0.05)
    head, frames = await run(pipeline, {"model": "gpt-x", "messages": user(), "stream": True})
    assert head.status == 200
    assert frames == [SSE_STREAM_FAILED]


async def test_hanging_stream_filter_on_the_sources_event_ends_the_stream_in_band() -> None:
    chat = FakeChat(sse_parts("a"))
    pipeline = build(upstream_target(active("slow", STREAM_HANGS)), chat=chat, timeout_s=0.05)
    body = {"model": "gpt-x", "messages": user(), "files": [FILE_ITEM], "stream": True}
    parts: list[Part] = []
    # After the head the client must read an in-band failure: either the pipeline writes it, or it
    # raises and the gateway's relay writes the same SSE_STREAM_FAILED frame.
    with pytest.raises(Timeout):
        async for part in pipeline.complete(CALLER, body):
            parts.append(part)
        raise Timeout("in band") if parts[1:] == [SSE_STREAM_FAILED] else AssertionError(parts)
    assert isinstance(parts[0], Head) and parts[0].streaming
    assert parts[1:] in ([], [SSE_STREAM_FAILED])


async def test_stream_filter_may_drop_the_sources_event() -> None:
    chat = FakeChat(sse_parts("a"))
    dropper = active(
        "drop",
        "class Filter:\n    def stream(self, event):\n        return None if 'sources' in event else event\n",
    )
    body = {"model": "gpt-x", "messages": user(), "files": [FILE_ITEM], "stream": True}
    _, frames = await run(build(upstream_target(dropper), chat=chat), body)
    assert events(frames) == [chunk("a"), "[DONE]"]


# --- outlet --------------------------------------------------------------------------------------


async def test_outlet_runs_after_a_streamed_reply_with_its_content() -> None:
    outlet = active("out", OUTLET)
    chat = FakeChat(sse_parts("Hel", "lo"))
    pipeline = build(upstream_target(outlet), chat=chat)
    messages = [{"role": "system", "content": "sys"}, *user()]
    body = {
        "model": "gpt-x",
        "messages": messages,
        "stream": True,
        "chat_id": "c1",
        "id": "m1",
        "files": [FILE_ITEM],
    }
    _, frames = await run(pipeline, body)
    await pipeline.close()
    [(seen, seen_user, metadata)] = outlet.loaded.instance.seen  # type: ignore[attr-defined]
    # The messages as the caller sent them (no RAG context), plus the assembled reply.
    assert seen == {
        "model": "gpt-x",
        "messages": [*messages, {"role": "assistant", "content": "Hello"}],
        "filter_ids": [],
        "chat_id": "c1",
        "session_id": None,
        "id": "m1",
    }
    assert seen_user["id"] == "u1"
    assert metadata["chat_id"] == "c1" and metadata["message_id"] == "m1" and metadata["user_id"] == "u1"
    # The outlet's result never changes the reply; read for the outlet only, frames pass as they came.
    assert events(frames)[1:] == [chunk("Hel"), chunk("lo"), "[DONE]"]
    assert frames[1:] == wire(sse_parts("Hel", "lo"))


async def test_outlet_runs_after_a_json_reply_and_leaves_it_alone() -> None:
    outlet = active("out", OUTLET)
    raw = dumps(completion("done"))
    chat = FakeChat([Head(200, {"Content-Type": "application/json"}), raw])
    pipeline = build(upstream_target(outlet), chat=chat)
    _, body = await run(pipeline, {"model": "gpt-x", "messages": user()})
    await pipeline.close()
    assert b"".join(body) == raw
    [(seen, _, _)] = outlet.loaded.instance.seen  # type: ignore[attr-defined]
    assert seen["messages"][-1] == {"role": "assistant", "content": "done"}


async def test_outlet_errors_are_ignored() -> None:
    pipeline = build(upstream_target(active("bad", OUTLET_RAISES)), chat=FakeChat())
    _, body = await run(pipeline, {"model": "gpt-x", "messages": user()})
    await pipeline.close()
    assert orjson.loads(b"".join(body))["choices"][0]["message"]["content"] == "ok"


async def test_no_outlet_after_an_error_reply() -> None:
    outlet = active("out", OUTLET)
    pipeline = build(upstream_target(outlet), chat=FakeChat(json_parts({"error": "x"}, status=500)))
    await run(pipeline, {"model": "gpt-x", "messages": user()})
    await pipeline.close()
    assert outlet.loaded.instance.seen == []  # type: ignore[attr-defined]


async def test_api_outlet_filters_off_means_no_outlet() -> None:
    outlet = active("out", OUTLET)
    for reply, stream in ((json_parts(completion("x")), False), (sse_parts("x"), True)):
        pipeline = build(upstream_target(outlet), chat=FakeChat(reply), outlets=False)
        _, frames = await run(pipeline, {"model": "gpt-x", "messages": user(), "stream": stream})
        await pipeline.close()
        if stream:
            assert frames == wire(sse_parts("x"))
    assert outlet.loaded.instance.seen == []  # type: ignore[attr-defined]


# --- /api/chat/completed -------------------------------------------------------------------------

COMPLETED = {
    "model": "gpt-x",
    "messages": [*user(), {"role": "assistant", "content": "X is a letter."}],
    "id": "m1",
    "chat_id": "c1",
    "session_id": "s1",
    "model_item": {"id": "gpt-x"},
}


async def test_completed_runs_outlets_and_returns_their_body() -> None:
    outlet = active("out", OUTLET)
    pipeline = build(upstream_target(outlet))
    result = await pipeline.completed(CALLER, dict(COMPLETED))
    expected = {k: v for k, v in COMPLETED.items() if k != "model_item"}
    assert result == {**expected, "outlet": "ran"}
    [(seen, _, metadata)] = outlet.loaded.instance.seen  # type: ignore[attr-defined]
    assert seen == expected
    assert metadata == {
        "chat_id": "c1",
        "message_id": "m1",
        "filter_ids": [],
        "session_id": "s1",
        "user_id": "u1",
    }


async def test_completed_without_outlets_echoes_the_body() -> None:
    pipeline = build(upstream_target(active("in_only", TAGGER)))
    result = await pipeline.completed(CALLER, dict(COMPLETED))
    assert result == {k: v for k, v in COMPLETED.items() if k != "model_item"}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"id": None}, "Missing message id"),
        ({"id": ""}, "Missing message id"),
        ({"chat_id": None}, "'chat_id'"),
        ({"session_id": None}, "'session_id'"),
        ({"model": None}, "'model'"),
        ({"model": "nope"}, "Model not found"),
    ],
)
async def test_completed_400_texts(change: dict, message: str) -> None:
    body = dict(COMPLETED)
    for key, value in change.items():
        if value is None and key != "id":
            del body[key]
        else:
            body[key] = value
    with pytest.raises(InvalidArgument) as caught:
        await build(upstream_target()).completed(CALLER, body)
    assert caught.value.detail == message


async def test_completed_refuses_channel_chats() -> None:
    with pytest.raises(InvalidArgument, match="Channel chats are not supported"):
        await build(upstream_target()).completed(CALLER, {**COMPLETED, "chat_id": "channel:abc"})


async def test_completed_outlet_error_is_400() -> None:
    pipeline = build(upstream_target(active("bad", OUTLET_RAISES)))
    with pytest.raises(InvalidArgument) as caught:
        await pipeline.completed(CALLER, dict(COMPLETED))
    assert caught.value.detail == "'no such thing'"


# --- pipes ---------------------------------------------------------------------------------------


async def test_pipe_returning_text_as_json() -> None:
    pipe = active("echo", PIPE_STR)
    retriever = FakeRetriever()
    pipeline = build(pipe_target(pipe), retriever=retriever)
    body = {"model": "echo", "messages": user(), "files": [FILE_ITEM], "params": {"temperature": 0.3}}
    head, parts = await run(pipeline, body)
    assert head.status == 200 and not head.streaming
    reply = orjson.loads(b"".join(parts))
    assert next(iter(reply)) == "sources"
    assert reply == {
        "sources": [SOURCE_JSON],
        "id": "echo-uuid",
        "created": 1000,
        "model": "echo",
        "object": "chat.completion",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": "hello from echo"},
                "logprobs": None,
                "finish_reason": "stop",
            }
        ],
    }
    [(seen, seen_user, files)] = pipe.loaded.instance.bodies  # type: ignore[attr-defined]
    # The pipe gets the post-RAG body with params applied at the top level.
    assert seen["temperature"] == 0.3 and "params" not in seen
    assert seen["messages"][0]["content"].startswith("CTX:<source")
    assert seen_user["id"] == "u1"
    assert files == [FILE_ITEM]


async def test_pipe_returning_text_streamed() -> None:
    pipeline = build(pipe_target(active("echo", PIPE_STR)))
    head, frames = await run(pipeline, {"model": "echo", "messages": user(), "stream": True})
    assert head.streaming
    parsed = events(frames)
    assert parsed[0]["choices"][0]["delta"] == {"content": "hello from echo"}  # type: ignore[index]
    assert parsed[1]["choices"][0] == {"index": 0, "delta": {}, "logprobs": None, "finish_reason": "stop"}  # type: ignore[index]
    assert parsed[2:] == ["[DONE]"]
    assert parsed[0]["id"] == "echo-uuid" and parsed[0]["object"] == "chat.completion.chunk"  # type: ignore[index]


async def test_pipe_returning_a_dict() -> None:
    pipeline = build(pipe_target(active("d", PIPE_DICT)))
    _, parts = await run(pipeline, {"model": "d", "messages": user()})
    assert orjson.loads(b"".join(parts))["id"] == "custom"
    _, frames = await run(pipeline, {"model": "d", "messages": user(), "stream": True})
    assert events(frames)[0]["id"] == "custom"  # type: ignore[index]


@pytest.mark.parametrize(
    ("source", "text"),
    # Open WebUI joins every item as text ("data:" lines included); dict items are left out here.
    [(PIPE_GENERATOR, "Hello"), (PIPE_ASYNC_GENERATOR, 'adata: {"raw": true}')],
)
async def test_generator_pipe_joined_when_not_streamed(source: str, text: str) -> None:
    pipeline = build(pipe_target(active("gen", source)))
    _, parts = await run(pipeline, {"model": "gen", "messages": user()})
    assert orjson.loads(b"".join(parts))["choices"][0]["message"]["content"] == text


async def test_sync_generator_pipe_streamed() -> None:
    pipeline = build(pipe_target(active("gen", PIPE_GENERATOR)))
    _, frames = await run(pipeline, {"model": "gen", "messages": user(), "stream": True})
    parsed = events(frames)
    assert [e["choices"][0]["delta"] for e in parsed[:-1]] == [{"content": "Hel"}, {"content": "lo"}, {}]  # type: ignore[index]
    assert parsed[-1] == "[DONE]"


async def test_async_generator_pipe_streamed_through_filters_and_outlet() -> None:
    outlet = active("out", OUTLET)
    upper = active("upper", STREAM_UPPER)
    pipeline = build(pipe_target(active("gen", PIPE_ASYNC_GENERATOR), outlet, upper))
    _, frames = await run(pipeline, {"model": "gen", "messages": user(), "stream": True})
    await pipeline.close()
    parsed = events(frames)
    assert parsed[0]["choices"][0]["delta"] == {"content": "A"}  # type: ignore[index]
    assert parsed[1] == {"choices": [{"index": 0, "delta": {"content": "B"}}]}
    assert parsed[2] == {"raw": True}
    assert parsed[-1] == "[DONE]"
    [(seen, _, _)] = outlet.loaded.instance.seen  # type: ignore[attr-defined]
    assert seen["messages"][-1] == {"role": "assistant", "content": "ab"}


async def test_raising_pipe_is_200_with_the_error() -> None:
    pipeline = build(pipe_target(active("boom", PIPE_RAISES)))
    head, parts = await run(pipeline, {"model": "boom", "messages": user()})
    assert head.status == 200
    assert orjson.loads(b"".join(parts)) == {"error": {"detail": "pipe broke"}}
    head, frames = await run(pipeline, {"model": "boom", "messages": user(), "stream": True})
    assert head.status == 200 and head.streaming
    assert events(frames) == [{"error": {"detail": "pipe broke"}}]


async def test_hanging_pipe_is_a_timeout() -> None:
    pipeline = build(pipe_target(active("slow", PIPE_HANGS)), timeout_s=0.05)
    for stream in (False, True):
        with pytest.raises(Timeout, match="slow"):
            await run(pipeline, {"model": "slow", "messages": user(), "stream": stream})


async def test_hanging_pipe_generator() -> None:
    pipeline = build(pipe_target(active("slow", PIPE_GENERATOR_HANGS)), timeout_s=0.05)
    with pytest.raises(Timeout):
        await run(pipeline, {"model": "slow", "messages": user()})
    # Once streaming has begun the failure is reported in band.
    _, frames = await run(pipeline, {"model": "slow", "messages": user(), "stream": True})
    parsed = events(frames)
    assert parsed[0]["choices"][0]["delta"] == {"content": "first"}  # type: ignore[index]
    assert "error" in parsed[1]  # type: ignore[operator]
    assert parsed[-1] == "[DONE]"


async def test_preset_of_a_pipe_gives_the_pipe_its_base_model_id() -> None:
    pipe = active("echo", PIPE_STR)
    preset = row("echo-preset", "echo")
    pipeline = build(pipe_target(pipe, row=preset))
    _, parts = await run(pipeline, {"model": "echo-preset", "messages": user()})
    [(seen, _, _)] = pipe.loaded.instance.bodies  # type: ignore[attr-defined]
    assert seen["temperature"] == 0.2  # the row's params
    # Open WebUI substitutes base_model_id before calling the pipe.
    assert seen["model"] == "echo"
    assert orjson.loads(b"".join(parts))["choices"][0]["message"]["content"] == "hello from echo"


async def test_pipe_query_generation_calls_the_pipe() -> None:
    pipe = active("echo", PIPE_STR)
    retriever = FakeRetriever()
    pipeline = build(pipe_target(pipe), retriever=retriever, rag=RagConfig(query_generation=True))
    await run(pipeline, {"model": "echo", "messages": user(), "files": [FILE_ITEM]})
    assert len(pipe.loaded.instance.bodies) == 2  # type: ignore[attr-defined]
    # The pipe's text holds no JSON object: it is the query.
    assert retriever.searches[0][1] == ["hello from echo"]
