"""``POST /api/chat/completions`` as Open WebUI runs it: the model (upstream, pipe or workspace
preset), inlet filters, retrieval, the completion, stream filters, ``sources`` first, and outlet
filters after the reply; and ``POST /api/chat/completed``."""

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass

from services.common import messages
from services.common.errors import InvalidArgument, ServiceError
from services.common.identity import Identity
from services.common.usage.record import CHAT, TOOL_ROUND
from services.common.usage.recorder import UsageRecorder
from services.inference.chat import ChatService
from services.inference.chats.recorder import ChatRecorder
from services.inference.chats.turns import Turn as StoredTurn
from services.inference.functions.catalog import FunctionCatalog
from services.inference.functions.filters import FilterRunner, HookContext, select_filters
from services.inference.functions.pipes import PipeRunner
from services.inference.functions.records import ActiveFunction
from services.inference.model_directory import ChatTarget, ModelDirectory
from services.inference.params import apply_params, merge_params_for_openai
from services.inference.rag.items import knowledge_items, parse_items
from services.inference.rag.retrieval import Retrieval
from services.inference.rag.sources import Source
from services.inference.replies import Head, Part, dumps, loads
from services.inference.sse import ChatPart, Marker, Relayed, framed
from services.inference.tools.calling import ToolLoop, ToolSet, requested_tool_ids, resolve_tools
from services.inference.tools.legacy import is_legacy, tool_sources
from services.inference.tools.types import ToolCallContext, ToolResolver
from services.inference.upstreams import Kind
from services.inference.usage_meter import CallInfo, target_upstream, watch_chat
from services.inference.usage_tally import UsageTally, asking_usage, unasked_usage_removed, wants_usage

log = logging.getLogger(__name__)

# The task model's pick of tools for a chat (prompt-based tool calling): caller, chat model id,
# the tools, the messages → the model's text.
SelectTools = Callable[[Identity, str, ToolSet, list], Awaitable[str]]


@dataclass
class _Turn:
    """One request on its way through the pipeline."""

    caller: Identity
    target: ChatTarget
    body: dict
    # The messages as the caller sent them (what outlet filters see, with the reply).
    request_messages: list
    filters: list[ActiveFunction]
    ctx: HookContext
    sources: list[Source]


def _metadata(caller: Identity, body: dict, target: ChatTarget) -> dict:
    given = body.get("metadata")
    metadata = dict(given) if isinstance(given, dict) else {}
    metadata.update(
        {
            "user_id": caller.user_id,
            "chat_id": body.get("chat_id", ""),
            "message_id": body.get("id"),
            "session_id": body.get("session_id"),
            "filter_ids": body.get("filter_ids") or [],
            "files": body.get("files"),
            "features": body.get("features") or {},
            "variables": body.get("variables") or {},
            "model": target.model,
            "direct": False,
        }
    )
    return metadata


def _with_row(body: dict, target: ChatTarget) -> dict:
    """A workspace row's params (request params win) and its knowledge (added to ``files``)."""
    row = target.row
    if row is None:
        return body
    body = dict(body)
    if row.params:
        given = body.get("params")
        body["params"] = {**row.params, **(given if isinstance(given, dict) else {})}
    knowledge = knowledge_items((row.meta or {}).get("knowledge"))
    if knowledge:
        files = body.get("files")
        body["files"] = [*(files if isinstance(files, list) else []), *knowledge]
    return body


async def _without_unasked_usage(parts: AsyncIterator[ChatPart]) -> AsyncIterator[ChatPart]:
    async for part in parts:
        kept = unasked_usage_removed(part)
        if kept is not None:
            yield kept


def _delta_text(event: object) -> str:
    if not isinstance(event, dict):
        return ""
    choices = event.get("choices")
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        return ""
    delta = choices[0].get("delta") or choices[0].get("message") or {}
    content = delta.get("content") if isinstance(delta, dict) else None
    return content if isinstance(content, str) else ""


class ChatPipeline:
    def __init__(
        self,
        directory: ModelDirectory,
        chat: ChatService,
        retrieval: Retrieval,
        functions: FunctionCatalog,
        filters: FilterRunner,
        pipes: PipeRunner,
        api_outlet_filters: bool,
        tool_resolvers: Sequence[ToolResolver] = (),
        max_tool_rounds: int = 10,
        tool_timeout_s: float = 30.0,
    ) -> None:
        self._directory = directory
        self._chat = chat
        self._retrieval = retrieval
        self._functions = functions
        self._filters = filters
        self._pipes = pipes
        self._api_outlets = api_outlet_filters
        self._background: set[asyncio.Task] = set()
        self._recorder: ChatRecorder | None = None
        self._tool_resolvers = list(tool_resolvers)
        self._max_tool_rounds = max_tool_rounds
        self._tool_timeout_s = tool_timeout_s
        self._select_tools: SelectTools | None = None
        self._usage: UsageRecorder | None = None

    def record_usage_with(self, recorder: UsageRecorder) -> None:
        """Every upstream call (each round of a tool loop, retrieval's query generation) queues a
        usage record in ``recorder`` (set once at wiring)."""
        self._usage = recorder

    def select_tools_with(self, select: SelectTools) -> None:
        """Prompt-based tool calling asks ``select`` (the task model) which tools to run (set once
        at wiring: it runs through this pipeline)."""
        self._select_tools = select

    def store_chats_with(self, recorder: ChatRecorder) -> None:
        """Completions tied to stored chats write into them through ``recorder`` (set once at
        wiring: its background tasks run through this pipeline)."""
        self._recorder = recorder

    async def _context(self, caller: Identity, body: dict, target: ChatTarget) -> tuple[list, HookContext]:
        filters = select_filters(target.snapshot, target.filter_ids, body.get("filter_ids"))
        ctx = HookContext(caller, target.model, _metadata(caller, body, target))
        with_user_valves = [f.id for f in filters if f.loaded.has_user_valves]
        if target.pipe is not None and target.pipe.loaded.has_user_valves:
            with_user_valves.append(target.pipe.id)
        if with_user_valves:
            ctx.user_valves = await self._functions.user_valves(caller.user_id, with_user_valves)
        return filters, ctx

    async def complete(
        self, caller: Identity, body: object, tally: UsageTally | None = None
    ) -> AsyncIterator[Part]:
        """The reply; every upstream call it makes adds its reported tokens to ``tally``."""
        if not isinstance(body, dict):
            raise InvalidArgument("The request body must be a JSON object")
        target = await self._directory.target(caller, body.get("model"))
        stored: StoredTurn | None = None
        if self._recorder is not None:
            model_id = str(target.model.get("id", target.id))
            model_name = str(target.model.get("name") or model_id)
            stored, body = await self._recorder.tie(caller, body, model_id, model_name)
        try:
            parts = await self._prepare(caller, body, target, tally)
        except ServiceError as error:
            if stored is not None and self._recorder is not None:
                await self._recorder.failed(caller, stored, error)
            raise
        if stored is not None and self._recorder is not None:
            parts = self._recorder.record(caller, stored, parts)
        async for part in framed(parts):
            yield part

    async def _prepare(
        self, caller: Identity, body: dict, target: ChatTarget, tally: UsageTally | None
    ) -> AsyncIterator[ChatPart]:
        """Inlet filters and retrieval done; the reply still to come."""
        request_messages = body.get("messages") if isinstance(body.get("messages"), list) else []
        body = _with_row(body, target)
        # Unknown or unreadable tools are refused before anything reaches the model.
        tool_ids = requested_tool_ids(body)
        tools: ToolSet | None = None
        if tool_ids:
            found = await resolve_tools(self._tool_resolvers, caller, tool_ids)
            tools = ToolSet(found, body.get("tools"))
        filters, ctx = await self._context(caller, body, target)
        inlets = FilterRunner.with_hook(filters, "inlet")
        if inlets:
            body = await self._inlet(inlets, body, ctx)
        sources: list[Source] = []
        messages_in = body.get("messages") if isinstance(body.get("messages"), list) else []
        metadata = ctx.metadata
        if tools is not None:
            metadata = {**ctx.metadata, "tool_ids": tool_ids, "params": body.get("params") or {}}
        if tools is not None and is_legacy(body):
            sources, file_handler = await self._legacy_tools(caller, target, tools, messages_in, metadata)
            if file_handler:
                body = {k: v for k, v in body.items() if k != "files"}
            # The model gets the results as context, not the tools.
            tools = None
        items = parse_items(body.get("files"))
        if items:
            sources += await self._retrieval.sources(
                caller, items, messages_in, lambda prompt: self._generate(target, prompt, ctx, tally)
            )
        if sources:
            body = {**body, "messages": self._retrieval.apply(messages_in, sources)}
        turn = _Turn(caller, target, body, request_messages, filters, ctx, sources)
        # The injected context's tokens are billed on the turn's first upstream call.
        context = "\n".join(doc for source in sources for doc in source.documents) or None
        if tools is None:
            return self._finish(turn, self._metered(target, body, ctx, CHAT, context, tally))
        rounds = [0]

        def round_call(round_body: dict) -> AsyncIterator[ChatPart]:
            rounds[0] += 1
            first = rounds[0] == 1
            kind = CHAT if first else TOOL_ROUND
            return self._metered(target, round_body, ctx, kind, context if first else None, tally)

        loop = ToolLoop(
            tools,
            round_call,
            lambda messages_so_far: ToolCallContext(caller, metadata, messages_so_far, target.model),
            self._max_tool_rounds,
            self._tool_timeout_s,
        )
        return self._finish(turn, loop.run(body))

    async def _legacy_tools(
        self, caller: Identity, target: ChatTarget, tools: ToolSet, messages_in: list, metadata: dict
    ) -> tuple[list[Source], bool]:
        """Prompt-based tool calling: the task model picks, the picked tools run, their results
        become sources; without a task model wired, nothing is picked."""
        if self._select_tools is None:
            return [], False
        model_id = str(target.model.get("id", target.id))
        content = await self._select_tools(caller, model_id, tools, messages_in)
        context = ToolCallContext(caller, metadata, messages_in, target.model)
        return await tool_sources(tools, content, context, self._tool_timeout_s)

    async def _inlet(self, inlets: list[ActiveFunction], body: dict, ctx: HookContext) -> dict:
        try:
            result = await self._filters.run("inlet", inlets, body, ctx)
        except ServiceError:
            raise
        except Exception as error:
            raise InvalidArgument(str(error) or type(error).__name__) from None
        if not isinstance(result, dict):
            raise InvalidArgument("An inlet filter must return the request body (a JSON object)")
        if any(f.loaded.file_handler for f in inlets):
            result = {k: v for k, v in result.items() if k != "files"}
        return result

    def _metered(
        self,
        target: ChatTarget,
        body: dict,
        ctx: HookContext,
        kind: str,
        context: str | None = None,
        tally: UsageTally | None = None,
    ) -> AsyncIterator[ChatPart]:
        """One upstream call, its usage recorded and added to ``tally`` when its reply ends."""
        recorder = self._usage if self._usage is not None and self._usage.enabled else None
        if recorder is None and tally is None:
            return self._dispatch(target, body, ctx)
        # An OpenAI upstream reports a stream's usage only when asked: asked always, and what it
        # adds is taken out again for a client that did not ask.
        unasked = (
            target.pipe is None
            and target.route is not None
            and target.route.kind is Kind.OPENAI
            and body.get("stream") is True
            and not wants_usage(body)
        )
        parts = self._dispatch(target, asking_usage(body) if unasked else body, ctx)
        model = str(target.model.get("id", target.id))
        info = CallInfo(ctx.caller, kind, model, target_upstream(target), body, context)
        parts = watch_chat(recorder, info, parts, tally)
        return _without_unasked_usage(parts) if unasked else parts

    def _dispatch(self, target: ChatTarget, body: dict, ctx: HookContext) -> AsyncIterator[ChatPart]:
        if target.pipe is not None:
            # Open WebUI gives the pipe the preset's base model id; pipes may rely on it
            # (docs/compatibility.md).
            pipe_body, sampling = apply_params({**body, "model": target.id} if target.row else body)
            pipe_body = merge_params_for_openai(pipe_body, sampling)
            injected = {
                **ctx.injected(target.pipe, False),
                "__files__": body.get("files") or [],
                "__task__": None,
                "__task_body__": None,
                "__tools__": {},
            }
            return self._pipes.run(target.pipe, pipe_body, injected, bool(pipe_body.get("stream")))
        assert target.route is not None
        return self._chat.dispatch({**body, "model": target.id} if target.row else body, target.route)

    async def _generate(
        self, target: ChatTarget, prompt: str, ctx: HookContext, tally: UsageTally | None = None
    ) -> str:
        """One non-streaming completion of ``prompt`` by the chat's model (retrieval queries)."""
        body = {"model": target.id, "messages": [{"role": "user", "content": prompt}], "stream": False}
        head: Head | None = None
        chunks: list[bytes] = []
        async for part in self._metered(target, body, ctx, CHAT, tally=tally):
            if isinstance(part, Head):
                head = part
            elif isinstance(part, bytes):
                chunks.append(part)
        if head is None or head.status >= 400:
            return ""
        try:
            reply = loads(b"".join(chunks))
        except ValueError:
            return ""
        if not isinstance(reply, dict) or not isinstance(reply.get("choices"), list) or not reply["choices"]:
            return ""
        return _delta_text(reply)

    async def _finish(self, turn: _Turn, parts: AsyncIterator[ChatPart]) -> AsyncIterator[ChatPart]:
        """The reply with ``sources`` first, stream filters applied, and outlet filters started
        once it is complete."""
        streams = FilterRunner.with_hook(turn.filters, "stream")
        outlets = FilterRunner.with_hook(turn.filters, "outlet") if self._api_outlets else []
        sources = [s.to_json() for s in turn.sources if s.listed]
        head: Head | None = None
        collected: list[str] = []
        body_parts: list[bytes] = []
        async for part in parts:
            if isinstance(part, Head):
                head = part
                yield part
                if head.streaming and sources and head.status < 400:
                    try:
                        event = await self._stream_event({"sources": sources}, streams, turn)
                    except ServiceError as error:
                        log.warning("stream filter stopped the stream: %s", error.detail)
                        yield Marker.FAILED
                        return
                    if event is not None:
                        yield event
                continue
            assert head is not None
            if not head.streaming:
                assert isinstance(part, bytes)
                body_parts.append(part)
                continue
            if not (streams or outlets) or isinstance(part, Marker):
                yield part
                continue
            try:
                event = part.data() if isinstance(part, Relayed) else part
            except ValueError:
                yield part
                continue
            if outlets:
                collected.append(_delta_text(event))
            if not streams:
                # Read for the outlet only: the event goes on unchanged, as it came.
                yield part
                continue
            try:
                filtered = await self._stream_event(event, streams, turn)
            except ServiceError as error:
                log.warning("stream filter stopped the stream: %s", error.detail)
                yield Marker.FAILED
                return
            if filtered is not None:
                yield filtered
        if head is not None and not head.streaming:
            raw = b"".join(body_parts)
            reply = None
            if head.status < 400 and (sources or outlets):
                try:
                    reply = loads(raw)
                except ValueError:
                    reply = None
            if isinstance(reply, dict):
                collected.append(_delta_text(reply))
                if sources:
                    raw = dumps({"sources": sources, **{k: v for k, v in reply.items() if k != "sources"}})
            yield raw
        if outlets and head is not None and head.status < 400 and any(collected):
            self._start_outlet(outlets, turn, "".join(collected))

    async def _stream_event(self, event: object, streams: list[ActiveFunction], turn: _Turn) -> object:
        """``event`` (a JSON value) through the stream filters; None when one drops it."""
        if not streams:
            return event
        try:
            result = await self._filters.run("stream", streams, event, turn.ctx)
        except ServiceError:
            raise
        except Exception as error:
            log.warning("stream filter failed: %s", type(error).__name__)
            return event
        return result

    def _start_outlet(self, outlets: list[ActiveFunction], turn: _Turn, content: str) -> None:
        body = {
            "model": turn.target.model.get("id", turn.target.id),
            "messages": [*turn.request_messages, {"role": "assistant", "content": content}],
            "filter_ids": turn.body.get("filter_ids") or [],
            "chat_id": turn.body.get("chat_id"),
            "session_id": turn.body.get("session_id"),
            "id": turn.body.get("id"),
        }
        task = asyncio.create_task(self._outlet(outlets, body, turn.ctx))
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _outlet(self, outlets: list[ActiveFunction], body: dict, ctx: HookContext) -> None:
        """Outlets of an API call run for their side effects; the reply has gone already."""
        try:
            await self._filters.run("outlet", outlets, body, ctx)
        except Exception as error:
            log.warning("outlet filter failed: %s", type(error).__name__)

    async def completed(self, caller: Identity, body: object) -> dict:
        """``POST /api/chat/completed``: Open WebUI's checks, then the outlet filters; returns the
        body they produce."""
        if not isinstance(body, dict):
            raise InvalidArgument("The request body must be a JSON object")
        if "model" not in body:
            raise InvalidArgument("'model'")
        target = await self._directory.target(caller, body.get("model"))
        if not body.get("id"):
            raise InvalidArgument(messages.MISSING_MESSAGE_ID)
        for key in ("chat_id", "session_id"):
            if key not in body:
                raise InvalidArgument(f"'{key}'")
        if str(body["chat_id"] or "").startswith("channel:"):
            raise InvalidArgument(messages.CHANNEL_CHATS_UNSUPPORTED)
        body = {k: v for k, v in body.items() if k != "model_item"}
        filters, ctx = await self._context(caller, body, target)
        ctx.metadata = {
            "chat_id": body["chat_id"],
            "message_id": body["id"],
            "filter_ids": body.get("filter_ids") or [],
            "session_id": body["session_id"],
            "user_id": caller.user_id,
        }
        outlets = FilterRunner.with_hook(filters, "outlet")
        if not outlets:
            return body
        try:
            result = await self._filters.run("outlet", outlets, body, ctx)
        except ServiceError:
            raise
        except Exception as error:
            raise InvalidArgument(str(error) or type(error).__name__) from None
        result = result if isinstance(result, dict) else body
        if self._recorder is not None:
            # Open WebUI stores nothing here; a stored chat keeps the reply its outlets produced.
            await self._recorder.store_outlet(
                caller, {**result, "chat_id": body["chat_id"], "id": body["id"]}
            )
        return result

    async def close(self) -> None:
        """Lets outlet filters, reply stores and background tasks still running finish."""
        if self._background:
            await asyncio.gather(*self._background, return_exceptions=True)
        if self._recorder is not None:
            await self._recorder.close()
