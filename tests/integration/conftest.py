"""Integration fixtures: real auth and ingest gRPC servers, in process, on free ports, on real
Postgres and NATS."""

from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import asyncpg
import grpc
import pytest

from services.auth.main import start
from services.auth.settings import AuthSettings
from services.common.infra import EmbeddedNats
from services.common.migrations import apply_migrations
from services.inference.main import MIGRATIONS as INFERENCE_MIGRATIONS
from services.ingest.embedder import Embedder
from services.ingest.main import IngestRuntime
from services.ingest.main import start as start_ingest_service
from tests.integration.accounts import Accounts, AuthServer, create_accounts
from tests.integration.ingest_support import ingest_settings
from webui.auth.v1 import auth_pb2_grpc
from webui.ingest.v1 import ingest_pb2_grpc


def auth_settings(database_url: str, data_dir: Path, **overrides: object) -> AuthSettings:
    values = {
        "DATABASE_URL": database_url,
        "DATA_DIR": str(data_dir),
        "AUTH_GRPC_LISTEN": "127.0.0.1:0",
        "BCRYPT_ROUNDS": 4,
        "WEBUI_SECRET_KEY": "integration-secret-of-at-least-32-bytes",
        "SHUTDOWN_GRACE_S": 1,
    }
    values.update({k: v for k, v in overrides.items()})
    return AuthSettings(**values)


@pytest.fixture
async def start_auth(database_url: str, tmp_path: Path) -> AsyncIterator[Callable]:
    """Starts auth servers (replicas) on ``database_url``; all are stopped afterwards."""
    started = []

    async def _start(**overrides: object) -> tuple[auth_pb2_grpc.AuthServiceStub, grpc.aio.Channel, int]:
        service, pool = await start(auth_settings(database_url, tmp_path, **overrides))
        channel = grpc.aio.insecure_channel(f"127.0.0.1:{service.port}")
        started.append((service, pool, channel))
        return auth_pb2_grpc.AuthServiceStub(channel), channel, service.port

    try:
        yield _start
    finally:
        for service, pool, channel in started:
            await channel.close()
            await service.stop(0)
            await pool.close()


@pytest.fixture
async def auth_stub(start_auth: Callable) -> auth_pb2_grpc.AuthServiceStub:
    stub, _, _ = await start_auth()
    return stub


@pytest.fixture
async def auth_server(start_auth: Callable) -> AuthServer:
    """One auth server on the test's database: the services under test are never given a stand-in.
    Its users may create and share knowledge collections (``workspace.knowledge`` and
    ``sharing.knowledge``, which ingest enforces)."""
    stub, _, port = await start_auth(
        USER_PERMISSIONS_WORKSPACE_KNOWLEDGE_ACCESS=True,
        USER_PERMISSIONS_WORKSPACE_KNOWLEDGE_ALLOW_SHARING=True,
    )
    return AuthServer(stub, f"127.0.0.1:{port}")


@pytest.fixture
async def accounts(auth_server: AuthServer) -> Accounts:
    """Real users of ``auth_server``: an admin, Alice and Bob (users) and a pending account."""
    return await create_accounts(auth_server.stub)


@pytest.fixture
def nats_url(tmp_path: Path) -> Iterator[str]:
    """A fresh JetStream-enabled nats-server for one test."""
    server = EmbeddedNats(tmp_path / "nats")
    server.start()
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    """The real model, loaded once for every ingest test."""
    model = Embedder(batch_size=32)
    model.load()
    return model


@pytest.fixture
async def start_ingest(
    database_url: str, nats_url: str, tmp_path: Path, embedder: Embedder, auth_server: AuthServer
) -> AsyncIterator[Callable]:
    """Starts ingest replicas (in process, real gRPC) on one database and one NATS, resolving
    credentials through ``auth_server``."""
    started = []

    async def _start(**overrides: object) -> tuple[ingest_pb2_grpc.IngestServiceStub, IngestRuntime]:
        settings = ingest_settings(
            database_url, nats_url, tmp_path, **{"AUTH_GRPC_TARGET": auth_server.target, **overrides}
        )
        runtime = await start_ingest_service(settings, embedder)
        channel = grpc.aio.insecure_channel(f"127.0.0.1:{runtime.port}")
        started.append((runtime, channel))
        return ingest_pb2_grpc.IngestServiceStub(channel), runtime

    try:
        yield _start
    finally:
        for runtime, channel in started:
            await channel.close()
            await runtime.stop(0)


@pytest.fixture
async def inference_pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    """A pool on the inference service's migrated schema, for its repositories."""
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=4)
    try:
        await apply_migrations(pool, "inference", INFERENCE_MIGRATIONS)
        yield pool
    finally:
        await pool.close()
