"""Runs a pipe function as a chat model: its result (text, dict, model, generator) becomes an
OpenAI completion or a stream of events, as Open WebUI's ``generate_function_chat_completion`` does."""

import asyncio
import logging
import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import aclosing

from prometheus_client import CollectorRegistry
from pydantic import BaseModel

from services.common.errors import Timeout
from services.inference.functions.filters import prepare
from services.inference.functions.invoke import FunctionTimeout, call_hook, iterate_result
from services.inference.functions.records import ActiveFunction
from services.inference.metrics import UpstreamMetrics
from services.inference.replies import SSE_TYPE, Head, json_reply
from services.inference.sse import ChatPart, Event, Marker, Relayed

log = logging.getLogger(__name__)


def _plain(value: object) -> object:
    return value.model_dump() if isinstance(value, BaseModel) else value


class PipeRunner:
    def __init__(
        self,
        timeout_s: float,
        new_id: Callable[[], str] = lambda: str(uuid.uuid4()),
        clock: Callable[[], float] = time.time,
        metrics: UpstreamMetrics | None = None,
    ) -> None:
        self._timeout_s = timeout_s
        self._new_id = new_id
        self._clock = clock
        # Pipe calls count as upstream requests of kind "pipe".
        self._metrics = metrics or UpstreamMetrics(CollectorRegistry())

    def _message(self, model: str, content: str) -> dict:
        return {
            "id": f"{model}-{self._new_id()}",
            "created": int(self._clock()),
            "model": model,
            "object": "chat.completion",
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": content},
                    "logprobs": None,
                    "finish_reason": "stop",
                }
            ],
        }

    def _chunk(self, model: str, content: str | None, chunk_id: str) -> dict:
        delta = {"content": content} if content is not None else {}
        return {
            "id": chunk_id,
            "created": int(self._clock()),
            "model": model,
            "choices": [
                {
                    "index": 0,
                    "delta": delta,
                    "logprobs": None,
                    "finish_reason": None if content is not None else "stop",
                }
            ],
            "object": "chat.completion.chunk",
        }

    async def run(
        self, function: ActiveFunction, body: dict, injected: dict[str, object], stream: bool
    ) -> AsyncIterator[ChatPart]:
        model = str(body.get("model", function.id))
        method = prepare(function).pipe  # type: ignore[attr-defined]
        try:
            result = await call_hook(method, (), {"body": body, **injected}, self._timeout_s)
        except FunctionTimeout as error:
            self._metrics.error("pipe", "timeout")
            raise Timeout(f"Pipe '{function.id}': {error}") from None
        except Exception as error:
            log.warning("pipe %s failed: %s", function.id, type(error).__name__)
            self._metrics.error("pipe", "exception")
            if stream:
                yield Head(200, {"Content-Type": SSE_TYPE}, streaming=True)
                yield {"error": {"detail": str(error)}}
            else:
                for part in json_reply({"error": {"detail": str(error)}}):
                    yield part
            return
        if stream:
            yield Head(200, {"Content-Type": SSE_TYPE}, streaming=True)
            async for part in self._stream(function, model, result):
                yield part
            return
        result = _plain(result)
        if isinstance(result, dict):
            self._metrics.ok("pipe")
            for part in json_reply(result):
                yield part
            return
        try:
            if isinstance(result, str):
                content = result
            else:
                async with aclosing(iterate_result(result, self._timeout_s)) as items:
                    pieces = [item async for item in items]
                content = "".join(p for p in pieces if isinstance(p, str))
        except FunctionTimeout as error:
            self._metrics.error("pipe", "timeout")
            raise Timeout(f"Pipe '{function.id}': {error}") from None
        except Exception as error:
            self._metrics.error("pipe", "exception")
            for part in json_reply({"error": {"detail": str(error)}}):
                yield part
            return
        self._metrics.ok("pipe")
        for part in json_reply(self._message(model, content)):
            yield part

    def _event(self, model: str, item: object, chunk_id: str) -> Event | None:
        """One generator item as an event: text becomes a chunk, a ``data:`` line passes as it is,
        a dict is sent as its JSON; anything else is skipped."""
        if isinstance(item, str):
            if item.startswith("data:"):
                return Relayed.of_line(item)
            return self._chunk(model, item, chunk_id) if item else None
        if isinstance(item, dict):
            return item
        return None

    async def _stream(self, function: ActiveFunction, model: str, result: object) -> AsyncIterator[Event]:
        chunk_id = f"{model}-{self._new_id()}"
        result = _plain(result)
        try:
            if isinstance(result, str):
                yield self._chunk(model, result, chunk_id)
            elif isinstance(result, dict):
                yield result
            else:
                async with aclosing(iterate_result(result, self._timeout_s)) as items:
                    async for item in items:
                        event = self._event(model, _plain(item), chunk_id)
                        if event is not None:
                            yield event
        except (GeneratorExit, asyncio.CancelledError):
            self._metrics.cancelled("pipe")
            raise
        except Exception as error:
            log.warning("pipe %s failed while streaming: %s", function.id, type(error).__name__)
            reason = "timeout" if isinstance(error, FunctionTimeout) else "exception"
            self._metrics.error("pipe", reason)
            yield {"error": {"detail": str(error)}}
        else:
            self._metrics.ok("pipe")
        yield self._chunk(model, None, chunk_id)
        yield Marker.DONE
