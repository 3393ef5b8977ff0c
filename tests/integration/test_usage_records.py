"""Usage records against a real PostgreSQL: the recorder (and a failing flush that recovers), the
roll-up (totals unchanged), who may query what, and a SIGTERM during a burst losing no record."""

import asyncio
import datetime
import json
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator

import asyncpg
import grpc
import pytest

from services.common.errors import PermissionDenied
from services.common.identity import Identity
from services.common.infra import free_port, wait_for_port
from services.common.usage.query import UsageFilter, query_usage
from services.common.usage.record import CHAT, EMBEDDINGS, INGEST, UsageRecord
from services.common.usage.rollup import cutoff_ms, roll_up
from services.common.usage.settings import RecordingSettings
from services.common.usage.wiring import start_recording
from services.inference.usage.queries import UsageQueries
from services.stack import ROOT, child_env
from tests.fakes.ollama import FakeOllama
from tests.integration.accounts import Accounts, AuthServer
from webui.inference.v1 import inference_pb2, inference_pb2_grpc

_DAY_MS = 86_400_000


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=4)
    try:
        yield pool
    finally:
        await pool.close()


def _settings(**values: object) -> RecordingSettings:
    base: dict[str, object] = {
        "USAGE_BATCH_SIZE": 50,
        "USAGE_FLUSH_INTERVAL_S": 0.05,
        "USAGE_RETRY_BACKOFF_MAX_S": 0.2,
        "USAGE_ROLLUP_INTERVAL_S": 3600,
    }
    base.update(values)
    return RecordingSettings(**base)  # type: ignore[arg-type]


async def test_records_reach_postgres_in_batches(pool: asyncpg.Pool) -> None:
    recording = await start_recording(pool, _settings())
    for n in range(120):
        recording.recorder.record(UsageRecord(CHAT, f"u{n % 3}", model="m", input_tokens=1, output_tokens=2))
    await recording.close()
    assert await pool.fetchval("SELECT count(*) FROM usage_record") == 120
    rows = await query_usage(pool, UsageFilter(group_by=("user",)))
    assert [(r["user"], r["requests"], r["output_tokens"]) for r in rows] == [
        ("u0", 40, 80),
        ("u1", 40, 80),
        ("u2", 40, 80),
    ]


async def test_a_failing_flush_is_retried_and_recovers(pool: asyncpg.Pool) -> None:
    recording = await start_recording(pool, _settings(USAGE_WRITE_RETRIES=30))
    # The table is away for a while: every write fails until it is back.
    await pool.execute("ALTER TABLE usage_record RENAME TO usage_record_away")
    for _ in range(10):
        recording.recorder.record(UsageRecord(CHAT, "u", model="m"))
    await asyncio.sleep(0.6)
    assert recording.recorder.stats.written == 0
    await pool.execute("ALTER TABLE usage_record_away RENAME TO usage_record")
    await recording.close()
    assert recording.recorder.stats.dropped == 0
    assert await pool.fetchval("SELECT count(*) FROM usage_record") == 10


async def test_roll_up_keeps_every_total(pool: asyncpg.Pool) -> None:
    recording = await start_recording(pool, _settings())
    now = int(time.time() * 1000)
    for day in range(12):
        for n in range(5):
            record = UsageRecord.for_caller(
                CHAT if n % 2 else EMBEDDINGS,
                Identity(f"u{n % 2}", role="user", group_ids=frozenset({"g1"} if n else set())),
                model=f"m{n % 3}",
                input_tokens=n,
                output_tokens=10 * n,
                status="ok" if n else "502",
                at=now - day * _DAY_MS,
            )
            recording.recorder.record(record)
    await recording.close()
    groupings = [(), ("day",), ("user", "model"), ("kind", "group"), ("day", "user", "key", "model", "kind")]
    before = [await query_usage(pool, UsageFilter(group_by=g)) for g in groupings]
    filtered = UsageFilter(
        user_id="u1", group_id="g1", start_day=datetime.date.today() - datetime.timedelta(days=9)
    )
    before_filtered = await query_usage(pool, filtered)
    rolled = await roll_up(pool, cutoff_ms(now, 3), batch=7)
    assert rolled >= 40
    assert await pool.fetchval("SELECT count(*) FROM usage_record") == 60 - rolled
    assert await pool.fetchval("SELECT count(*) FROM usage_daily") > 0
    assert [await query_usage(pool, UsageFilter(group_by=g)) for g in groupings] == before
    assert await query_usage(pool, filtered) == before_filtered
    # Running it again (another replica, or the next round) finds nothing more to do.
    assert await roll_up(pool, cutoff_ms(now, 3), batch=7) == 0


async def test_users_see_their_own_usage_and_admins_everyones(pool: asyncpg.Pool) -> None:
    recording = await start_recording(pool, _settings())
    for user in ("alice", "bob", "bob"):
        recording.recorder.record(UsageRecord(INGEST, user, chunks=3))
    await recording.close()
    queries = UsageQueries(pool, 5)
    alice, admin = Identity("alice", role="user"), Identity("root", role="admin")
    assert [r["chunks"] for r in await queries.query(alice)] == [3]
    with pytest.raises(PermissionDenied):
        await queries.query(alice, user_id="bob")
    assert [(r["user"], r["requests"]) for r in await queries.query(admin, group_by=["user"])] == [
        ("alice", 1),
        ("bob", 2),
    ]


async def test_sigterm_during_a_burst_loses_no_record(
    database_url: str, auth_server: AuthServer, accounts: Accounts, pool: asyncpg.Pool
) -> None:
    fake = FakeOllama(token_delay_s=0.05).start()
    port = free_port()
    # Its own process, so that the SIGTERM path is the real one (asyncio's subprocess API is no help:
    # the test reads the output only after the exit).
    process = subprocess.Popen(  # noqa: ASYNC220
        [sys.executable, "-m", "services.inference.main"],
        env=child_env(
            INFERENCE_GRPC_LISTEN=f"127.0.0.1:{port}",
            DATABASE_URL=database_url,
            OLLAMA_BASE_URLS=fake.url,
            ENABLE_OPENAI_API="false",
            AUTH_GRPC_TARGET=auth_server.target,
            SHUTDOWN_GRACE_S="20",
            # Records wait in the queue until the SIGTERM path writes them.
            USAGE_FLUSH_INTERVAL_S="60",
            USAGE_BATCH_SIZE="10000",
        ),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    burst = 40
    try:
        wait_for_port("127.0.0.1", port, timeout_s=30)
        channel = grpc.aio.insecure_channel(f"127.0.0.1:{port}")
        stub = inference_pb2_grpc.InferenceServiceStub(channel)
        body = {"model": "llama3.2:latest", "messages": [{"role": "user", "content": "hi"}], "stream": True}
        request = inference_pb2.ChatCompletionRequest(body_json=json.dumps(body).encode())
        started = asyncio.Event()
        begun = 0

        async def one() -> int:
            nonlocal begun
            chunks = 0
            async for _ in stub.ChatCompletion(request, metadata=accounts.alice.metadata, timeout=30):
                chunks += 1
                if chunks == 2:
                    begun += 1
                    if begun == burst:
                        started.set()
            return chunks

        calls = [asyncio.create_task(one()) for _ in range(burst)]
        await asyncio.wait_for(started.wait(), 30)
        process.send_signal(signal.SIGTERM)
        results = await asyncio.gather(*calls)
        assert all(chunks > 2 for chunks in results)
        await channel.close()
        assert await asyncio.to_thread(process.wait, 30) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        fake.stop()
    output = process.stdout.read().decode() if process.stdout else ""
    assert "none dropped" in output, output[-3000:]
    assert (
        await pool.fetchval("SELECT count(*) FROM usage_record WHERE user_id = $1", accounts.alice.user_id)
        == burst
    )
