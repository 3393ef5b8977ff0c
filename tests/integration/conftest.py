"""Integration fixtures: the real auth gRPC server, in process, on a free port, on real Postgres."""

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import grpc
import pytest

from services.auth.main import start
from services.auth.settings import AuthSettings
from webui.auth.v1 import auth_pb2_grpc


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
