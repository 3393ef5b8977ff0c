"""``/metrics`` of the gRPC services: real auth and ingest servers in process with METRICS_LISTEN on
a free port, real calls, scraped over HTTP."""

import aiohttp
import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from prometheus_client.parser import text_string_to_metric_families

from services.common.collection_names import file_collection
from services.common.infra import free_port
from tests.integration.accounts import Accounts
from tests.integration.ingest_support import search_texts, upload, wait_done
from webui.auth.v1 import auth_pb2
from webui.ingest.v1 import ingest_pb2

SCRAPE_TIMEOUT = aiohttp.ClientTimeout(total=5)
AUTH = "/webui.auth.v1.AuthService"
INGEST = "/webui.ingest.v1.IngestService"


async def scrape(port: int) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample at ``/metrics`` by (name, sorted labels)."""
    url = f"http://127.0.0.1:{port}/metrics"
    async with aiohttp.ClientSession(timeout=SCRAPE_TIMEOUT) as session, session.get(url) as response:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/plain; version=")
        text = await response.text()
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(samples: dict, name: str, **labels: str) -> float | None:
    return samples.get((name, tuple(sorted(labels.items()))))


async def test_auth_counts_calls_by_method_and_code(start_auth) -> None:
    port = free_port()
    stub, channel, _ = await start_auth(METRICS_LISTEN=f"127.0.0.1:{port}")
    await stub.Signup(auth_pb2.SignupRequest(name="Ann", email="ann@example.com", password="pw-123456"))
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await stub.Signin(auth_pb2.SigninRequest(email="ann@example.com", password="wrong"))
    await health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=5)

    samples = await scrape(port)
    assert value(samples, "webui_grpc_requests_total", method=f"{AUTH}/Signup", code="OK") == 1
    code = refused.value.code().name
    assert value(samples, "webui_grpc_requests_total", method=f"{AUTH}/Signin", code=code) == 1
    assert value(samples, "webui_grpc_requests_total", method="/grpc.health.v1.Health/Check", code="OK") == 1
    assert value(samples, "webui_grpc_request_duration_seconds_count", method=f"{AUTH}/Signup") == 1
    signup_seconds = value(samples, "webui_grpc_request_duration_seconds_sum", method=f"{AUTH}/Signup")
    assert signup_seconds is not None and signup_seconds > 0
    bucket = "webui_grpc_request_duration_seconds_bucket"
    assert value(samples, bucket, method=f"{AUTH}/Signup", le="+Inf") == 1
    # The standard process metrics come with every registry.
    assert (value(samples, "process_resident_memory_bytes") or 0) > 0


async def test_ingest_reports_jobs_queue_and_faiss_copies(start_ingest, accounts: Accounts) -> None:
    alice = accounts.alice
    port = free_port()
    stub, runtime = await start_ingest(METRICS_LISTEN=f"127.0.0.1:{port}")
    assert runtime.service.metrics_port == port

    before = await scrape(port)
    assert value(before, "webui_faiss_collections") == 0
    assert value(before, "webui_ingest_queue_depth") == 0

    text = "The lighthouse keeper counts seventeen gulls every morning.\n\nNothing else happens."
    stored = await upload(stub, alice, "gulls.txt", text.encode())
    final = await wait_done(stub, alice, stored.id)
    assert final.status == ingest_pb2.FILE_STATUS_COMPLETED, final.error
    assert await search_texts(stub, alice, [file_collection(stored.id)], "how many gulls?")

    after = await scrape(port)
    assert value(after, "webui_ingest_job_duration_seconds_count", outcome="completed") == 1
    assert value(after, "webui_ingest_queue_depth") == 0
    assert value(after, "webui_faiss_collections") == 1
    vectors = value(after, "webui_faiss_vectors")
    assert vectors is not None and vectors >= 1
    # A client stream (the upload), a server stream (the status watch, timed to its end), unary.
    for method in ("UploadFile", "WatchFileStatus", "Search"):
        assert value(after, "webui_grpc_requests_total", method=f"{INGEST}/{method}", code="OK") == 1
    assert value(after, "webui_grpc_request_duration_seconds_count", method=f"{INGEST}/WatchFileStatus") == 1
