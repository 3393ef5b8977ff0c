"""Usage records from replies as they pass: each upstream call's reply is watched (never changed)
and, when it ends, one record is queued with the upstream's counts (OpenAI ``usage``, Ollama
``prompt_eval_count``/``eval_count``) or, where it gave none, texts for the recorder to count off
the request path (marked estimated)."""

import contextlib
import re
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import orjson

from services.common.identity import Identity
from services.common.usage import record as kinds
from services.common.usage.estimate import input_text, message_text
from services.common.usage.record import PendingEstimate, UsageRecord, status_text
from services.common.usage.recorder import UsageRecorder
from services.inference.model_directory import ChatTarget
from services.inference.model_registry import ModelRoute
from services.inference.replies import Head, Part
from services.inference.sse import ChatPart, Marker, Relayed
from services.inference.usage_tally import UsageTally

# A streamed line that carries counts: OpenAI's usage chunk, Ollama's final object.
_COUNTS = re.compile(rb'"usage"\s*:\s*\{|"prompt_eval_count"|"eval_count"')


def counts_of(value: object) -> tuple[int, int] | None:
    """(input, output) tokens an upstream reported in ``value`` (a reply or chunk), or None."""
    if not isinstance(value, dict):
        return None
    usage = value.get("usage")
    if isinstance(usage, dict):
        prompt = usage.get("prompt_tokens", usage.get("input_tokens"))
        completion = usage.get("completion_tokens", usage.get("output_tokens", 0))
        if isinstance(prompt, int) and isinstance(completion, int):
            return prompt, completion
    if "prompt_eval_count" in value or "eval_count" in value:
        prompt, completion = value.get("prompt_eval_count") or 0, value.get("eval_count") or 0
        if isinstance(prompt, int) and isinstance(completion, int):
            return prompt, completion
    return None


def reply_text(value: object) -> str:
    """The generated text of a reply or chunk (OpenAI message/delta, Ollama message/response)."""
    if not isinstance(value, dict):
        return ""
    choices = value.get("choices")
    if isinstance(choices, list):
        texts = []
        for choice in choices:
            if isinstance(choice, dict):
                part = choice.get("delta") or choice.get("message") or {}
                content = part.get("content") if isinstance(part, dict) else choice.get("text")
                if isinstance(content, str):
                    texts.append(content)
        return "".join(texts)
    message = value.get("message")
    if isinstance(message, dict) and isinstance(message.get("content"), str):
        return message["content"]
    response = value.get("response")
    return response if isinstance(response, str) else ""


def _json_of_line(line: bytes) -> object:
    line = line.strip()
    if line.startswith(b"data:"):
        line = line[5:].strip()
    if not line or line == b"[DONE]":
        return None
    try:
        return orjson.loads(line)
    except ValueError:
        return None


def route_upstream(route: ModelRoute) -> str:
    """The upstreams a call could go to, by name (``ollama[0]``; ``ollama[0,1]`` for a choice)."""
    return f"{route.kind.value}[{','.join(str(u.idx) for u in route.upstreams)}]"


def target_upstream(target: ChatTarget) -> str:
    if target.pipe is not None:
        return f"pipe:{target.pipe.id}"
    return route_upstream(target.route) if target.route is not None else ""


def request_text(body: object) -> str:
    """What a chat, generate or embeddings request sends the model, for an input estimate."""
    if not isinstance(body, dict):
        return ""
    if "messages" in body:
        return message_text(body.get("messages"))
    return input_text(body.get("prompt", body.get("input", "")))


@dataclass
class CallInfo:
    """Who made an upstream call and what it went to."""

    caller: Identity
    kind: str
    model: str
    upstream: str
    request: object
    context_text: str | None = None


class _Watch:
    """The state of one reply being watched."""

    def __init__(self, recorder: UsageRecorder | None, info: CallInfo) -> None:
        self.recorder = recorder
        self.info = info
        self.started = time.perf_counter()
        self.status = "error"
        self.counts: tuple[int, int] | None = None
        self.done = False

    def finish(self, output: Callable[[], str], failed: bool) -> None:
        if self.done:
            return
        self.done = True
        info = self.info
        latency = int((time.perf_counter() - self.started) * 1000)
        status = "error" if failed and self.status == "ok" else self.status
        record = UsageRecord.for_caller(
            info.kind,
            info.caller,
            model=info.model,
            upstream=info.upstream,
            status=status,
            latency_ms=latency,
        )
        pending = PendingEstimate(context_text=info.context_text)
        if self.counts is not None:
            record.input_tokens, record.output_tokens = self.counts
        elif status == "ok":
            # Counted off the request path (estimate.TokenEstimator.settle); the texts are read lazily.
            request = info.request
            pending.input_text = lambda: request_text(request)
            pending.output_text = output
        if pending.input_text is not None or pending.context_text:
            record.pending = pending
        if self.recorder is not None:
            self.recorder.record(record)


async def watch_chat(
    recorder: UsageRecorder | None,
    info: CallInfo,
    parts: AsyncIterator[ChatPart],
    tally: UsageTally | None = None,
) -> AsyncIterator[ChatPart]:
    """``parts`` of one chat upstream call (pipeline stages' events), recorded (with a recorder)
    and added to ``tally`` when they end."""
    watch = _Watch(recorder, info)
    # Without a recorder only the counts are wanted: no texts are kept for an estimate.
    keep = recorder is not None
    head: Head | None = None
    body: list[bytes] = []
    events: list[object] = []
    failed = True
    try:
        async for part in parts:
            if isinstance(part, Head):
                head = part
                watch.status = status_text(part.status)
            elif isinstance(part, bytes):
                body.append(part)
            elif isinstance(part, Relayed):
                if keep:
                    events.append(part)
                if _COUNTS.search(part.frame):
                    watch.counts = counts_of(_json_of_line(part.frame)) or watch.counts
            elif isinstance(part, dict):
                if keep:
                    events.append(part)
                found = counts_of(part)
                if found is not None:
                    watch.counts = found
            elif part is Marker.FAILED:
                watch.status = "error"
            yield part
        failed = False
    finally:
        if head is not None and not head.streaming and body:
            _counts_of_body(watch, body)

        def output() -> str:
            if body:
                return reply_text(_json_of_line(b"".join(body)))
            return "".join(
                reply_text(_json_of_line(e.frame) if isinstance(e, Relayed) else e) for e in events
            )

        if tally is not None:
            tally.add(watch.counts)
        if recorder is not None:
            watch.finish(output, failed)


def _counts_of_body(watch: _Watch, body: list[bytes]) -> None:
    raw = b"".join(body)
    if _COUNTS.search(raw):
        with contextlib.suppress(ValueError):
            watch.counts = counts_of(orjson.loads(raw))


async def watch_raw(
    recorder: UsageRecorder, info: CallInfo, parts: AsyncIterator[Part]
) -> AsyncIterator[Part]:
    """``parts`` of a relayed reply (pass-through routes, embeddings): a JSON body, NDJSON or SSE."""
    watch = _Watch(recorder, info)
    chunks: list[bytes] = []
    failed = True
    try:
        async for part in parts:
            if isinstance(part, Head):
                watch.status = status_text(part.status)
            else:
                chunks.append(part)
            yield part
        failed = False
    finally:
        raw = b"".join(chunks)
        lines = raw.splitlines()
        if len(lines) <= 1:
            _counts_of_body(watch, [raw])
        else:
            for line in reversed(lines):
                if _COUNTS.search(line):
                    watch.counts = counts_of(_json_of_line(line))
                    if watch.counts is not None:
                        break

        def output() -> str:
            if info.kind == kinds.EMBEDDINGS:
                return ""
            if len(lines) <= 1:
                return reply_text(_json_of_line(raw))
            return "".join(reply_text(_json_of_line(line)) for line in lines)

        watch.finish(output, failed)


# Pass-through paths whose replies are billed (a trailing ``/<idx>`` may follow), by backend.
_PROXY_KINDS = {
    "ollama": (
        ("/api/chat", kinds.CHAT),
        ("/api/generate", kinds.CHAT),
        ("/api/embed", kinds.EMBEDDINGS),
        ("/api/embeddings", kinds.EMBEDDINGS),
        ("/v1/chat/completions", kinds.CHAT),
        ("/v1/embeddings", kinds.EMBEDDINGS),
    ),
    "openai": (
        ("/chat/completions", kinds.CHAT),
        ("/completions", kinds.CHAT),
        ("/responses", kinds.CHAT),
        ("/embeddings", kinds.EMBEDDINGS),
    ),
}


def proxy_kind(backend: str, path: str) -> str | None:
    """The record kind of a pass-through call, or None when it is not billed (lists, admin)."""
    for prefix, kind in _PROXY_KINDS.get(backend, ()):
        if (
            path == prefix
            or path.startswith(prefix + "/")
            or (prefix == "/api/embed" and path == "/api/embeddings")
        ):
            return kind
    return None


def body_model(raw: bytes) -> tuple[object, str]:
    """A request body as JSON (None when it is not) and the model it names ('' if none)."""
    try:
        body = orjson.loads(raw) if raw else None
    except ValueError:
        return None, ""
    model = body.get("model") if isinstance(body, dict) else None
    return body, model if isinstance(model, str) else ""
