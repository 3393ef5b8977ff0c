"""CPU cost of usage records per chat completion, in process (no network, so a busy machine does
not blur it): a non-streaming reply and a 64-chunk stream watched and recorded against the same
reply passed straight through, and the cost of writing the records to PostgreSQL in batches.

    python bench/usage_record_cost.py
"""

import asyncio
import tempfile
import time
from pathlib import Path

import asyncpg

from services.common.identity import Identity, KeyScope
from services.common.infra import EmbeddedPostgres
from services.common.migrations import apply_migrations
from services.common.usage.record import CHAT, UsageRecord
from services.common.usage.recorder import PostgresSink, UsageRecorder
from services.common.usage.settings import RecordingSettings
from services.common.usage.wiring import MIGRATIONS
from services.inference.replies import Head
from services.inference.sse import Marker
from services.inference.usage_meter import CallInfo, watch_chat

CALLER = Identity("user-1", role="user", group_ids=frozenset({"g1", "g2"}), scope=KeyScope("key-1"))
BODY = (
    b'{"id":"x","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"'
    + (b"word " * 60)
    + b'"},"finish_reason":"stop"}],"usage":{"prompt_tokens":12,"completion_tokens":60,"total_tokens":72}}'
)
CHUNK = {"choices": [{"index": 0, "delta": {"content": "word "}}]}
LAST = {
    "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
    "usage": {"prompt_tokens": 12, "completion_tokens": 64},
}


class Discard:
    enabled = True

    def record(self, record: UsageRecord) -> None:
        pass


async def _reply(stream: bool):  # type: ignore[no-untyped-def]
    if stream:
        yield Head(200, streaming=True)
        for _ in range(63):
            yield CHUNK
        yield LAST
        yield Marker.DONE
    else:
        yield Head(200)
        yield BODY


async def _per_reply_us(stream: bool, watched: bool, recorder: object, n: int) -> float:
    request = {"model": "m", "messages": [{"role": "user", "content": "hi"}]}
    started = time.perf_counter()
    for _ in range(n):
        parts = _reply(stream)
        if watched:
            parts = watch_chat(recorder, CallInfo(CALLER, CHAT, "m", "ollama[0]", request), parts)  # type: ignore[arg-type]
        async for _ in parts:
            pass
    return (time.perf_counter() - started) / n * 1e6


async def main() -> None:
    n = 20000
    lines = ["| reply | passed through, µs | watched and recorded, µs | added, µs |", "|---|---|---|---|"]
    for stream in (False, True):
        recorder = UsageRecorder(PostgresSink(None, 1), RecordingSettings(USAGE_QUEUE_MAX=10**7))  # type: ignore[arg-type]
        await _per_reply_us(stream, True, recorder, 1000)  # warm-up
        plain = min([await _per_reply_us(stream, False, recorder, n) for _ in range(3)])
        watched = min([await _per_reply_us(stream, True, recorder, n) for _ in range(3)])
        name = "stream, 64 chunks" if stream else "non-streaming"
        lines.append(f"| {name} | {plain:.1f} | {watched:.1f} | {watched - plain:.1f} |")
    with tempfile.TemporaryDirectory() as tmp:
        server = EmbeddedPostgres(Path(tmp) / "pg", durable=False)
        server.start()
        try:
            pool = await asyncpg.create_pool(server.url, min_size=1, max_size=2)
            await apply_migrations(pool, "usage", MIGRATIONS)
            sink = PostgresSink(pool, 10)
            records = [
                UsageRecord.for_caller(CHAT, CALLER, model="m", input_tokens=12, output_tokens=60)
                for _ in range(50_000)
            ]
            started_cpu, started = time.process_time(), time.perf_counter()
            for i in range(0, len(records), 500):
                await sink.write(records[i : i + 500])
            cpu = (time.process_time() - started_cpu) / len(records) * 1e6
            wall = (time.perf_counter() - started) / len(records) * 1e6
            await pool.close()
        finally:
            server.stop()
    lines.append(
        f"\nwriting records in batches of 500: {cpu:.1f} µs of the writing process's CPU per record "
        f"({wall:.1f} µs wall, PostgreSQL included)"
    )
    print("\n".join(lines))


if __name__ == "__main__":
    asyncio.run(main())
