"""nats-server stopped for 8 s under a running ingest service: its named health turns NOT_SERVING and
back by itself, and every file uploaded before and during the outage ends completed (one uploaded
while the broker was away is queued again by the re-queue sweep)."""

import asyncio
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from services.common.infra import EmbeddedNats
from services.gateway.readiness import BACKEND_SERVICES
from tests.integration.accounts import Accounts
from tests.integration.ingest_support import eventually, upload
from webui.ingest.v1 import ingest_pb2

pytestmark = pytest.mark.slow

OUTAGE_S = 8.0
SERVING = health_pb2.HealthCheckResponse.SERVING
NOT_SERVING = health_pb2.HealthCheckResponse.NOT_SERVING


@pytest.fixture
def nats(tmp_path: Path) -> Iterator[EmbeddedNats]:
    """A nats-server of this test's own, since the test stops it (same port and store on restart)."""
    server = EmbeddedNats(tmp_path / "nats-outage")
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def nats_url(nats: EmbeddedNats) -> str:
    return nats.url


async def test_ingest_rides_out_a_broker_outage(
    nats: EmbeddedNats, start_ingest: Callable, accounts: Accounts
) -> None:
    stub, runtime = await start_ingest(INGEST_REQUEUE_AFTER_S=2)
    alice = accounts.alice
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{runtime.port}")
    health = health_pb2_grpc.HealthStub(channel)
    service = BACKEND_SERVICES["ingest"]

    async def status(name: str) -> int:
        return (await health.Check(health_pb2.HealthCheckRequest(service=name), timeout=5)).status

    async def file_status(file_id: str) -> int:
        request = ingest_pb2.GetFileRequest(file_id=file_id)
        return (await stub.GetFile(request, metadata=alice.metadata, timeout=10)).file.status

    try:
        before = [
            (await upload(stub, alice, f"before-{n}.txt", b"before the outage %d" % n)).id for n in range(2)
        ]
        started = time.monotonic()
        await asyncio.to_thread(nats.stop)

        async def not_serving() -> bool:
            return await status(service) == NOT_SERVING

        assert await eventually(not_serving, timeout_s=6)
        # Liveness stays: restarting the process would not bring the broker back.
        assert await status("") == SERVING
        # The bytes are stored; the job waits for the broker (the upload itself needs no broker).
        during = (await upload(stub, alice, "during.txt", b"uploaded while the broker was away")).id

        await asyncio.sleep(max(0.0, OUTAGE_S - (time.monotonic() - started)))
        await asyncio.to_thread(nats.start)

        async def serving() -> bool:
            return await status(service) == SERVING

        assert await eventually(serving, timeout_s=20)
        after = (await upload(stub, alice, "after.txt", b"uploaded once the broker was back")).id
        files = [*before, during, after]

        async def all_completed() -> bool:
            return all([await file_status(f) == ingest_pb2.FILE_STATUS_COMPLETED for f in files])

        assert await eventually(all_completed, timeout_s=90, interval_s=0.5), [
            await file_status(f) for f in files
        ]
    finally:
        await channel.close()
