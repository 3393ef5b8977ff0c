"""PostgreSQL stopped for 10 s under running services: calls fail at once with UNAVAILABLE (503 with
Retry-After at the gateway), health and /ready say so, and every file uploaded ends completed."""

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import grpc
import pytest
from aiohttp.test_utils import TestClient, TestServer
from grpc_health.v1 import health_pb2, health_pb2_grpc

from services.auth.main import start as start_auth_service
from services.common import messages
from services.common.grpc_server import start_grpc_service
from services.common.infra import EmbeddedPostgres
from services.gateway.app import create_app
from services.gateway.http_errors import RETRY_AFTER_S
from services.gateway.readiness import BACKEND_SERVICES
from services.gateway.settings import GatewaySettings
from services.ingest.embedder import Embedder
from services.ingest.main import start as start_ingest_service
from tests.integration.accounts import Who, create_accounts
from tests.integration.conftest import auth_settings
from tests.integration.ingest_support import DONE, eventually, ingest_settings, upload
from webui.auth.v1 import auth_pb2_grpc
from webui.ingest.v1 import ingest_pb2, ingest_pb2_grpc

pytestmark = pytest.mark.slow

OUTAGE_S = 10.0
# A call during the outage must be answered well within its deadline, not hang until it.
PROMPT_S = 5.0
SERVING = health_pb2.HealthCheckResponse.SERVING
NOT_SERVING = health_pb2.HealthCheckResponse.NOT_SERVING


def document(name: str, paragraphs: int) -> bytes:
    # Distinct paragraphs, so that each needs its own embedding and a job is still running when
    # the database goes.
    return "\n\n".join(
        f"{name} record {n}: the barge to harbour {n % 89} carried {n * 11} barrels of cider and a "
        f"parcel for the warden of tower {n}. " * 2
        for n in range(paragraphs)
    ).encode()


@pytest.fixture
async def postgres(tmp_path: Path) -> AsyncIterator[EmbeddedPostgres]:
    """A cluster of this test's own, since the test stops it."""
    server = EmbeddedPostgres(tmp_path / "pg", durable=False)
    await asyncio.to_thread(server.start)
    try:
        yield server
    finally:
        await asyncio.to_thread(server.stop)


async def health_status(channel: grpc.aio.Channel, service: str) -> int:
    request = health_pb2.HealthCheckRequest(service=service)
    return (await health_pb2_grpc.HealthStub(channel).Check(request, timeout=5)).status


async def file_status(stub: ingest_pb2_grpc.IngestServiceStub, who: Who, file_id: str) -> int:
    reply = await stub.GetFile(ingest_pb2.GetFileRequest(file_id=file_id), metadata=who.metadata, timeout=10)
    return reply.file.status


async def unavailable_at_once(call) -> None:  # type: ignore[no-untyped-def]
    started = time.monotonic()
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await call
    assert caught.value.code() == grpc.StatusCode.UNAVAILABLE, caught.value
    assert caught.value.details() == messages.SERVICE_UNAVAILABLE
    assert time.monotonic() - started < PROMPT_S


async def test_services_ride_out_a_postgres_outage(
    postgres: EmbeddedPostgres, nats_url: str, tmp_path: Path, embedder: Embedder
) -> None:
    auth, auth_pool = await start_auth_service(auth_settings(postgres.url, tmp_path))
    # A health-only inference, so that the gateway's /ready depends on auth and ingest alone.
    inference = await start_grpc_service(
        "127.0.0.1:0", [BACKEND_SERVICES["inference"]], lambda server: None, authenticator=None
    )
    auth_channel = grpc.aio.insecure_channel(f"127.0.0.1:{auth.port}")
    ingest = await start_ingest_service(
        ingest_settings(postgres.url, nats_url, tmp_path, AUTH_GRPC_TARGET=f"127.0.0.1:{auth.port}"),
        embedder,
    )
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{ingest.port}")
    gateway = TestClient(
        TestServer(
            create_app(
                GatewaySettings(
                    AUTH_GRPC_TARGET=f"127.0.0.1:{auth.port}",
                    INGEST_GRPC_TARGET=f"127.0.0.1:{ingest.port}",
                    INFERENCE_GRPC_TARGET=f"127.0.0.1:{inference.port}",
                )
            )
        )
    )
    await gateway.start_server()
    try:
        stub = ingest_pb2_grpc.IngestServiceStub(channel)
        alice = (await create_accounts(auth_pb2_grpc.AuthServiceStub(auth_channel))).alice
        headers = {"Authorization": f"Bearer {alice.token}"}
        assert (await gateway.get("/ready")).status == 200

        # Queued before the outage: one is being processed when the database goes.
        before = [(await upload(stub, alice, f"before-{n}.txt", document(f"b{n}", 60))).id for n in range(3)]

        async def started_work() -> bool:
            status = await file_status(stub, alice, before[0])
            return status in (ingest_pb2.FILE_STATUS_PROCESSING, ingest_pb2.FILE_STATUS_COMPLETED)

        assert await eventually(started_work, timeout_s=60)

        # An upload still arriving when the database goes.
        outage = asyncio.Event()

        async def slow_parts() -> AsyncIterator[ingest_pb2.UploadFileRequest]:
            header = ingest_pb2.UploadHeader(
                filename="in-flight.txt", content_type="text/plain", process=True
            )
            yield ingest_pb2.UploadFileRequest(header=header)
            yield ingest_pb2.UploadFileRequest(chunk=b"first part\n")
            await outage.wait()
            yield ingest_pb2.UploadFileRequest(chunk=b"last part\n")

        async def send_slowly() -> ingest_pb2.UploadFileResponse:
            return await stub.UploadFile(slow_parts(), metadata=alice.metadata, timeout=30)

        in_flight = asyncio.create_task(send_slowly())
        await asyncio.sleep(0.5)

        started = time.monotonic()
        await asyncio.to_thread(postgres.stop)
        outage.set()
        await unavailable_at_once(in_flight)
        await unavailable_at_once(
            stub.ListFiles(ingest_pb2.ListFilesRequest(page=1), metadata=alice.metadata, timeout=20)
        )
        await unavailable_at_once(
            stub.UploadFile(
                iter(
                    [
                        ingest_pb2.UploadFileRequest(
                            header=ingest_pb2.UploadHeader(filename="during.txt", content_type="text/plain")
                        ),
                        ingest_pb2.UploadFileRequest(chunk=b"written during the outage"),
                    ]
                ),
                metadata=alice.metadata,
                timeout=20,
            )
        )

        reply = await gateway.get("/api/v1/files/", headers=headers)
        assert reply.status == 503, await reply.text()
        assert reply.headers["Retry-After"] == RETRY_AFTER_S
        assert await reply.json() == {"detail": messages.SERVICE_UNAVAILABLE}

        ingest_service = BACKEND_SERVICES["ingest"]

        async def not_serving() -> bool:
            return await health_status(channel, ingest_service) == NOT_SERVING

        async def auth_not_serving() -> bool:
            return await health_status(auth_channel, BACKEND_SERVICES["auth"]) == NOT_SERVING

        # Each service's monitor needs two failed rounds (each up to a 1 s pause and a 2 s check),
        # counted from its own phase, so the two may flip seconds apart.
        assert await eventually(not_serving, timeout_s=10)
        assert await eventually(auth_not_serving, timeout_s=10)
        # Liveness (the whole server) stays: a restart would not bring the database back.
        assert await health_status(channel, "") == SERVING
        ready = await gateway.get("/ready")
        assert ready.status == 503
        assert "ingest is not ready (NOT_SERVING)" in (await ready.json())["detail"]

        await asyncio.sleep(max(0.0, OUTAGE_S - (time.monotonic() - started)))
        await asyncio.to_thread(postgres.start)

        async def serving() -> bool:
            return await health_status(channel, ingest_service) == SERVING

        assert await eventually(serving, timeout_s=15)

        async def gateway_ready() -> bool:
            return (await gateway.get("/ready")).status == 200

        assert await eventually(gateway_ready, timeout_s=15)
        after = (await upload(stub, alice, "after.txt", document("a", 5))).id

        async def all_done() -> bool:
            states = [await file_status(stub, alice, file_id) for file_id in [*before, after]]
            return all(state in DONE for state in states)

        assert await eventually(all_done, timeout_s=180, interval_s=0.5)
        for file_id in [*before, after]:
            assert await file_status(stub, alice, file_id) == ingest_pb2.FILE_STATUS_COMPLETED, file_id
        listed = await gateway.get("/api/v1/files/", headers=headers)
        assert listed.status == 200
        assert {item["id"] for item in (await listed.json())["items"]} == {*before, after}
    finally:
        await gateway.close()
        await channel.close()
        await auth_channel.close()
        await ingest.stop(0)
        await inference.stop(0)
        await auth.stop(0)
        await auth_pool.close()
