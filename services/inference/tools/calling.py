"""Native tool calling in a chat completion: the request's server tools offered to the model, each
call the model makes to one of them run here, the results appended, and the model called again,
round after round, until it answers, calls a client's tool, or reaches the round limit. Streamed
and not; what a round did travels in the reply as Open WebUI's ``output`` items."""

import asyncio
import json
import logging
import time
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field

from services.common.errors import InvalidArgument, NotFound, ServiceError
from services.common.identity import Identity
from services.inference.replies import Head, dumps, loads
from services.inference.sse import ChatPart, Marker, Relayed
from services.inference.tools.types import ServerTool, ToolCallContext, ToolResolver

log = logging.getLogger(__name__)

# Open WebUI's text for a loop stopped by CHAT_RESPONSE_MAX_TOOL_CALL_ITERATIONS.
TOOL_LIMIT = "Tool-call limit reached ({n} iterations)."
UNKNOWN_TOOL = "Tool not found: {tool_id}"
BAD_TOOL_IDS = "tool_ids must be a list of strings"

Send = Callable[[dict], AsyncIterator[ChatPart]]


def requested_tool_ids(body: dict) -> list[str]:
    """The request's ``tool_ids`` (deduplicated, in order); [] when it names none."""
    given = body.get("tool_ids")
    if given is None:
        return []
    if not isinstance(given, list) or not all(isinstance(i, str) for i in given):
        raise InvalidArgument(BAD_TOOL_IDS)
    return list(dict.fromkeys(i for i in given if i))


async def resolve_tools(
    resolvers: Sequence[ToolResolver], caller: Identity, tool_ids: Sequence[str]
) -> list[ServerTool]:
    """The caller's server tools for ``tool_ids``; NotFound for an id no resolver serves, or one a
    resolver cannot find or the caller may not read."""
    grouped: dict[int, list[str]] = {}
    for tool_id in tool_ids:
        index = next((i for i, r in enumerate(resolvers) if r.handles(tool_id)), None)
        if index is None:
            raise NotFound(UNKNOWN_TOOL.format(tool_id=tool_id))
        grouped.setdefault(index, []).append(tool_id)
    found = await asyncio.gather(*(resolvers[i].resolve(caller, ids) for i, ids in grouped.items()))
    return [tool for tools in found for tool in tools]


def _function_name(tool: object) -> str | None:
    function = tool.get("function") if isinstance(tool, dict) else None
    name = function.get("name") if isinstance(function, dict) else None
    return name if isinstance(name, str) else None


class ToolSet:
    """A request's server tools by the name the model calls, beside the client's own ``tools``."""

    def __init__(self, tools: Sequence[ServerTool], client_tools: object = None) -> None:
        self.client_tools: list = list(client_tools) if isinstance(client_tools, list) else []
        taken = {n for n in map(_function_name, self.client_tools) if n}
        self.client_names = frozenset(taken)
        self.by_name: dict[str, ServerTool] = {}
        for tool in tools:
            name = tool.name
            if name in taken:
                # Open WebUI's rule for a collision: the later function is renamed <tool_id>_<name>.
                name = f"{tool.tool_id}_{tool.name}".replace(":", "_")
            taken.add(name)
            self.by_name[name] = tool

    def offered(self, body: dict) -> dict:
        """``body`` with the client's tools and the server tools' specs as OpenAI ``tools``."""
        server = [
            {"type": "function", "function": {**tool.spec, "name": name}}
            for name, tool in self.by_name.items()
        ]
        return {**body, "tools": [*self.client_tools, *server]}


@dataclass
class _Call:
    id: str
    name: str
    arguments: str
    # The call as the model sent it (returned unchanged when it is a client's).
    raw: dict = field(default_factory=dict)


def _calls_of(message: dict) -> list[_Call]:
    calls = message.get("tool_calls")
    if not isinstance(calls, list):
        return []
    found = []
    for call in calls:
        if not isinstance(call, dict):
            continue
        function = call.get("function") if isinstance(call.get("function"), dict) else {}
        arguments = function.get("arguments")
        if not isinstance(arguments, str):
            arguments = json.dumps(arguments if arguments is not None else {})
        call_id = call.get("id") if isinstance(call.get("id"), str) else f"call_{uuid.uuid4().hex[:24]}"
        found.append(_Call(call_id, str(function.get("name") or ""), arguments, call))
    return found


def _add_usage(total: dict | None, usage: object) -> dict | None:
    """Usage summed over rounds: numbers add up, anything else keeps the latest value."""
    if not isinstance(usage, dict):
        return total
    if total is None:
        return dict(usage)
    summed = dict(total)
    for key, value in usage.items():
        earlier = summed.get(key)
        if (
            isinstance(value, int | float)
            and isinstance(earlier, int | float)
            and not isinstance(value, bool)
        ):
            summed[key] = earlier + value
        else:
            summed[key] = value
    return summed


def _message_item(text: str, status: str = "completed") -> dict:
    return {
        "type": "message",
        "id": f"msg_{uuid.uuid4().hex}",
        "status": status,
        "role": "assistant",
        "content": [{"type": "output_text", "text": text}],
    }


def _call_item(call: _Call) -> dict:
    return {
        "type": "function_call",
        "id": f"fc_{uuid.uuid4().hex}",
        "call_id": call.id,
        "name": call.name,
        "arguments": call.arguments,
        "status": "completed",
    }


def _result_item(call: _Call, result: str) -> dict:
    return {
        "type": "function_call_output",
        "id": f"fco_{uuid.uuid4().hex}",
        "call_id": call.id,
        "output": [{"type": "input_text", "text": result}],
        "status": "completed",
    }


def _wire_calls(calls: Sequence[_Call]) -> list[dict]:
    return [
        {"id": c.id, "type": "function", "function": {"name": c.name, "arguments": c.arguments}}
        for c in calls
    ]


def _error_result(text: str) -> str:
    return json.dumps({"error": text})


async def run_tool(
    tool: ServerTool, name: str, arguments: dict, context: ToolCallContext, timeout_s: float
) -> str:
    """The text the model gets back: the tool's result, or an error object (a failing tool is the
    model's business, never the request's)."""
    try:
        async with asyncio.timeout(timeout_s):
            result = await tool.call(arguments, context)
    except TimeoutError:
        log.warning("tool %s timed out", name)
        return _error_result(f"{name} timed out after {timeout_s:g} s")
    except Exception as error:
        log.warning("tool %s failed: %s", name, type(error).__name__)
        return _error_result(str(error) or type(error).__name__)
    return result if isinstance(result, str) else json.dumps(result, default=str)


@dataclass
class _Round:
    """What one streamed round said: its calls (gathered from deltas), finish and usage."""

    calls: dict[int, dict] = field(default_factory=dict)
    finish_reason: str | None = None
    usage: dict | None = None

    def add_call_deltas(self, deltas: list) -> None:
        for position, delta in enumerate(deltas):
            if not isinstance(delta, dict):
                continue
            index = delta.get("index") if isinstance(delta.get("index"), int) else position
            call = self.calls.setdefault(index, {"id": None, "name": "", "arguments": ""})
            if isinstance(delta.get("id"), str) and delta["id"]:
                call["id"] = delta["id"]
            function = delta.get("function") if isinstance(delta.get("function"), dict) else {}
            if isinstance(function.get("name"), str):
                call["name"] += function["name"]
            arguments = function.get("arguments")
            if isinstance(arguments, str):
                call["arguments"] += arguments
            elif isinstance(arguments, dict):
                call["arguments"] += json.dumps(arguments)

    def finished_calls(self) -> list[_Call]:
        found = []
        for _, call in sorted(self.calls.items()):
            call_id = call["id"] or f"call_{uuid.uuid4().hex[:24]}"
            wire = {
                "id": call_id,
                "type": "function",
                "function": {"name": call["name"], "arguments": call["arguments"]},
            }
            found.append(_Call(call_id, call["name"], call["arguments"], wire))
        return found


class ToolLoop:
    """One completion with server tools: ``send`` is one call to the model (the pipeline's
    dispatch), ``context`` what a tool call is given for the messages so far."""

    def __init__(
        self,
        tools: ToolSet,
        send: Send,
        context: Callable[[list], ToolCallContext],
        max_rounds: int,
        call_timeout_s: float,
    ) -> None:
        self._tools = tools
        self._send = send
        self._context = context
        # -1: no limit (Open WebUI's value for it).
        self._max_rounds = max_rounds
        self._timeout_s = call_timeout_s

    def run(self, body: dict) -> AsyncIterator[ChatPart]:
        body = self._tools.offered(body)
        return self._streamed(body) if body.get("stream") else self._whole(body)

    def _limit_reached(self, rounds: int) -> bool:
        return 0 <= self._max_rounds <= rounds

    def _split(self, calls: list[_Call]) -> tuple[list[_Call], list[_Call]]:
        """The calls run here, and the client's. A name offered by neither is run here too: the
        model gets an error result rather than the client a call it never offered."""
        client = [c for c in calls if c.name in self._tools.client_names]
        server = [c for c in calls if c.name not in self._tools.client_names]
        return server, client

    async def _run_calls(self, calls: list[_Call], messages: list) -> list[str]:
        context = self._context(messages)
        return list(await asyncio.gather(*(self._run_call(call, context) for call in calls)))

    async def _run_call(self, call: _Call, context: ToolCallContext) -> str:
        tool = self._tools.by_name.get(call.name)
        if tool is None:
            return _error_result(f"Tool {call.name} not found")
        try:
            arguments = json.loads(call.arguments) if call.arguments.strip() else {}
        except ValueError:
            return _error_result(f"The arguments of {call.name} are not valid JSON")
        if not isinstance(arguments, dict):
            return _error_result(f"The arguments of {call.name} must be a JSON object")
        return await run_tool(tool, call.name, arguments, context, self._timeout_s)

    @staticmethod
    def _next_messages(messages: list, content: str, calls: list[_Call], results: list[str]) -> list:
        return [
            *messages,
            {"role": "assistant", "content": content, "tool_calls": _wire_calls(calls)},
            *(
                {"role": "tool", "tool_call_id": call.id, "content": result}
                for call, result in zip(calls, results, strict=True)
            ),
        ]

    # --- a whole reply ---------------------------------------------------------------------------

    async def _whole(self, body: dict) -> AsyncIterator[ChatPart]:
        messages = list(body.get("messages") or [])
        output: list[dict] = []
        usage: dict | None = None
        rounds = 0
        while True:
            head: Head | None = None
            chunks: list[bytes] = []
            parts = self._send({**body, "messages": messages})
            async for part in parts:
                if isinstance(part, Head):
                    head = part
                    if head.streaming:
                        # A model that streams a reply nobody asked to stream (a pipe): relayed.
                        yield part
                        async for rest in parts:
                            yield rest
                        return
                elif isinstance(part, bytes):
                    chunks.append(part)
            assert head is not None
            raw = b"".join(chunks)
            reply = None
            if head.status < 400:
                try:
                    reply = loads(raw)
                except ValueError:
                    reply = None
            choices = reply.get("choices") if isinstance(reply, dict) else None
            if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
                yield head
                yield raw
                return
            assert isinstance(reply, dict)
            usage = _add_usage(usage, reply.get("usage"))
            message = choices[0].get("message") if isinstance(choices[0].get("message"), dict) else {}
            content = message.get("content") if isinstance(message.get("content"), str) else ""
            server, client = self._split(_calls_of(message))
            error: str | None = None
            if server and self._limit_reached(rounds):
                error = TOOL_LIMIT.format(n=rounds)
                server = []
            if server:
                if content:
                    output.append(_message_item(content))
                results = await self._run_calls(server, messages)
                output.extend(map(_call_item, server))
                output.extend(_result_item(c, r) for c, r in zip(server, results, strict=True))
                messages = self._next_messages(messages, content, server, results)
                rounds += 1
                if not client:
                    continue
                content = ""
            final = {**message, "content": content}
            final.pop("tool_calls", None)
            if client:
                final["tool_calls"] = [c.raw for c in client]
            output.append(_message_item(content, "incomplete" if error else "completed"))
            choice = {
                **choices[0],
                "message": final,
                "finish_reason": "tool_calls" if client else choices[0].get("finish_reason"),
            }
            result = {**reply, "choices": [choice, *choices[1:]], "output": output}
            if usage is not None:
                result["usage"] = usage
            if error is not None:
                result["error"] = {"message": error, "type": "tool_call_limit"}
            yield Head(head.status, head.headers)
            yield dumps(result)
            return

    # --- a streamed reply ------------------------------------------------------------------------

    async def _streamed(self, body: dict) -> AsyncIterator[ChatPart]:
        messages = list(body.get("messages") or [])
        usage: dict | None = None
        rounds = 0
        started = False
        template: dict = {}
        while True:
            current = _Round()
            content: list[str] = []
            parts = self._send({**body, "messages": messages})
            try:
                async for part in parts:
                    if isinstance(part, Head):
                        if not started:
                            yield part
                            if not part.streaming or part.status >= 400:
                                # Nothing streamed (an error, or a whole reply): passed on as it is.
                                async for rest in parts:
                                    yield rest
                                return
                            started = True
                            continue
                        if not part.streaming or part.status >= 400:
                            raw = b"".join([p async for p in parts if isinstance(p, bytes)])
                            yield {"error": {"message": _failure_text(part.status, raw)}}
                            yield Marker.DONE
                            return
                        continue
                    if part is Marker.FAILED:
                        yield part
                        return
                    if isinstance(part, Marker):
                        continue
                    if isinstance(part, bytes):
                        continue
                    try:
                        event = part.data() if isinstance(part, Relayed) else part
                    except ValueError:
                        if isinstance(part, Relayed) and part.frame.startswith(b"data: [DONE]"):
                            continue
                        yield part
                        continue
                    if not isinstance(event, dict):
                        yield part
                        continue
                    passed = self._read_chunk(event, current, content, template)
                    if passed is event:
                        yield part
                    elif passed is not None:
                        yield passed
            except ServiceError as error:
                if not started:
                    raise
                # The client has its stream already: a later round that cannot reach the model
                # ends it in-band.
                yield {"error": {"message": error.detail}}
                yield Marker.DONE
                return
            usage = _add_usage(usage, current.usage)
            text = "".join(content)
            server, client = self._split(current.finished_calls())
            if server and self._limit_reached(rounds):
                yield {"error": {"message": TOOL_LIMIT.format(n=rounds), "type": "tool_call_limit"}}
                yield Marker.DONE
                return
            if server:
                yield self._chunk(template, [], output=list(map(_call_item, server)))
                results = await self._run_calls(server, messages)
                yield self._chunk(
                    template, [], output=[_result_item(c, r) for c, r in zip(server, results, strict=True)]
                )
                messages = self._next_messages(messages, text, server, results)
                rounds += 1
                if not client:
                    continue
            if client:
                calls = [{"index": i, **c.raw} for i, c in enumerate(client)]
                yield self._chunk(
                    template, [{"index": 0, "delta": {"tool_calls": calls}, "finish_reason": None}]
                )
            finish = "tool_calls" if client else (current.finish_reason or "stop")
            yield self._chunk(
                template, [{"index": 0, "delta": {}, "logprobs": None, "finish_reason": finish}], usage=usage
            )
            yield Marker.DONE
            return

    @staticmethod
    def _read_chunk(event: dict, current: _Round, content: list[str], template: dict) -> dict | None:
        """The chunk to pass on for ``event`` (``event`` itself when untouched, None when nothing
        is left of it): tool calls, finish and usage are held back until the round is over."""
        if not template:
            template.update({k: event[k] for k in ("id", "object", "created", "model") if k in event})
        held = False
        if event.get("usage") is not None:
            current.usage = event["usage"]
            held = True
        choices = event.get("choices")
        if not isinstance(choices, list) or not choices:
            return None if held else event
        choice = choices[0] if isinstance(choices[0], dict) else {}
        delta = choice.get("delta") if isinstance(choice.get("delta"), dict) else {}
        if isinstance(delta.get("content"), str):
            content.append(delta["content"])
        if delta.get("tool_calls"):
            current.add_call_deltas(delta["tool_calls"])
            delta = {k: v for k, v in delta.items() if k != "tool_calls"}
            held = True
        if choice.get("finish_reason"):
            current.finish_reason = choice["finish_reason"]
            held = True
        if not held:
            return event
        if not any(v for k, v in delta.items() if k != "role") and "role" not in delta:
            return None
        kept = {**choice, "delta": delta, "finish_reason": None}
        return {k: v for k, v in event.items() if k != "usage"} | {"choices": [kept, *choices[1:]]}

    @staticmethod
    def _chunk(
        template: dict, choices: list, *, output: list | None = None, usage: dict | None = None
    ) -> dict:
        chunk = {
            "id": template.get("id") or f"chatcmpl-{uuid.uuid4().hex}",
            "object": "chat.completion.chunk",
            "created": template.get("created") or int(time.time()),
            "model": template.get("model", ""),
            "choices": choices,
        }
        if output is not None:
            chunk["output"] = output
        if usage is not None:
            chunk["usage"] = usage
        return chunk


def _failure_text(status: int, raw: bytes) -> str:
    try:
        reply = loads(raw)
    except ValueError:
        reply = None
    if isinstance(reply, dict):
        detail = reply.get("error", reply.get("detail"))
        if isinstance(detail, dict) and isinstance(detail.get("message"), str):
            return detail["message"]
        if isinstance(detail, str):
            return detail
    return raw.decode("utf-8", "replace")[:1000] or f"HTTP {status}"
