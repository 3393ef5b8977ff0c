"""CPU cost of charging a chat completion every upstream call's tokens, in process (no network):
what the per-completion tally adds to the quota gate over reading the reply's tail, and what asking
an OpenAI upstream for a stream's usage and taking it out again costs a 64-chunk stream.

    python bench/usage_tally_cost.py
"""

import asyncio
import time

import orjson

from services.common.identity import Identity
from services.inference.quotas.quota_gate import QuotaGate
from services.inference.replies import Head
from services.inference.sse import Relayed, framed
from services.inference.usage_meter import CallInfo, watch_chat
from services.inference.usage_tally import UsageTally, unasked_usage_removed

BODY = (
    b'{"id":"x","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"'
    + (b"word " * 60)
    + b'"},"finish_reason":"stop"}],"usage":{"prompt_tokens":12,"completion_tokens":60,"total_tokens":72}}'
)
HEAD = {"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1, "model": "gpt-4o-mini"}


def frame(value: dict) -> Relayed:
    return Relayed(b"data: " + orjson.dumps(value) + b"\n\n")


CHUNKS = [frame({**HEAD, "choices": [{"index": 0, "delta": {"content": "word "}}]}) for _ in range(64)]
USAGE = frame({**HEAD, "choices": [], "usage": {"prompt_tokens": 12, "completion_tokens": 64}})
DONE = Relayed(b"data: [DONE]\n\n")
INFO = CallInfo(Identity("user-1", role="user"), "chat", "gpt-4o-mini", "openai[0]", {})


class Ticket:
    def __init__(self) -> None:
        self.headers = {"x-ratelimit-limit-tokens": "1000000"}

    async def settle(self, tokens: int | None) -> None:
        return None


class Discard:
    """A usage recorder that keeps nothing (recording is on by default)."""

    enabled = True

    def record(self, record: object) -> None:
        pass


async def whole():  # type: ignore[no-untyped-def]
    yield Head(200, {})
    yield BODY


async def stream(with_usage: bool):  # type: ignore[no-untyped-def]
    yield Head(200, {}, streaming=True)
    for chunk in CHUNKS:
        yield chunk
    if with_usage:
        yield USAGE
    yield DONE


async def stripped(parts):  # type: ignore[no-untyped-def]
    async for part in parts:
        kept = unasked_usage_removed(part)
        if kept is not None:
            yield kept


async def before(streamed: bool, recording: bool) -> None:
    """The commit before: the reply (watched when recording), the gate reading its tail."""
    parts = stream(False) if streamed else whole()
    if recording:
        parts = watch_chat(Discard(), INFO, parts)  # type: ignore[arg-type]
    async for _ in QuotaGate(None, None).charged(Ticket(), framed(parts)):  # type: ignore[arg-type]
        pass


async def now(streamed: bool, recording: bool) -> None:
    """This commit: watched always (the tally), usage asked of the stream and taken out again."""
    tally = UsageTally()
    recorder = Discard() if recording else None
    parts = watch_chat(recorder, INFO, stream(True) if streamed else whole(), tally)  # type: ignore[arg-type]
    if streamed:
        parts = stripped(parts)
    async for _ in QuotaGate(None, None).charged(Ticket(), framed(parts), tally):  # type: ignore[arg-type]
        pass


async def timed(run, streamed: bool, recording: bool, n: int) -> float:  # type: ignore[no-untyped-def]
    best = float("inf")
    for _ in range(7):
        started = time.perf_counter()
        for _ in range(n):
            await run(streamed, recording)
        best = min(best, (time.perf_counter() - started) / n * 1e6)
    return best


async def main() -> None:
    print("| reply (limits on) | USAGE_RECORDING | before, µs | now, µs | added, µs |")
    print("|---|---|---|---|---|")
    for streamed, n in ((False, 20_000), (True, 4_000)):
        for recording in (True, False):
            was = await timed(before, streamed, recording, n)
            is_ = await timed(now, streamed, recording, n)
            what = "64-chunk OpenAI stream, usage not asked" if streamed else "non-streaming"
            print(f"| {what} | {str(recording).lower()} | {was:.1f} | {is_:.1f} | {is_ - was:.1f} |")


if __name__ == "__main__":
    asyncio.run(main())
