"""Services started before their database: the first connection waits for it (STARTUP_WAIT_S), and
a refused login is retried only within that window."""

import asyncio
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import asyncpg
import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from services.common.db import open_pool
from services.common.grpc_tls import blocking_channel
from services.common.infra import EmbeddedPostgres, free_port
from services.stack import ROOT, Stack, StackConfig, child_env


def _serving(port: int, deadline: float, process: subprocess.Popen[bytes]) -> bool:
    with blocking_channel(f"127.0.0.1:{port}", None) as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        while time.monotonic() < deadline and process.poll() is None:
            try:
                reply = stub.Check(health_pb2.HealthCheckRequest(), timeout=0.5)
                if reply.status == health_pb2.HealthCheckResponse.SERVING:
                    return True
            except grpc.RpcError:
                time.sleep(0.05)
    return False


def _wait_for_line(log: Path, text: str, deadline: float, process: subprocess.Popen[bytes]) -> None:
    while text not in log.read_text(errors="replace"):
        assert process.poll() is None, log.read_text(errors="replace")
        assert time.monotonic() < deadline, f"no {text!r} in:\n{log.read_text(errors='replace')}"
        time.sleep(0.05)


def test_a_service_started_before_postgres_comes_up_once_it_does(tmp_path: Path) -> None:
    # A cluster that does not exist yet: the URL (port, password) is known before initdb runs.
    postgres = EmbeddedPostgres(tmp_path / "pg", durable=False)
    port = free_port()
    log = tmp_path / "auth.log"
    env = child_env(
        DATABASE_URL=postgres.url,
        DATA_DIR=str(tmp_path),
        AUTH_GRPC_LISTEN=f"127.0.0.1:{port}",
        METRICS_LISTEN="",
        STARTUP_WAIT_S="60",
        LOG_LEVEL="INFO",
        WEBUI_SECRET_KEY="startup-wait-secret-of-at-least-32-bytes",
    )
    with open(log, "wb") as out:
        command = [sys.executable, "-m", "services.auth.main"]
        process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        # It tried before there was a database to connect to...
        _wait_for_line(log, "database not ready yet", deadline, process)
        postgres.start()
        # ... and serves once there is one, migrations applied.
        assert _serving(port, deadline, process), log.read_text(errors="replace")
    finally:
        process.terminate()
        process.wait(timeout=30)
        postgres.stop()


async def test_a_refused_login_fails_at_once_outside_the_startup_window(pg_server: EmbeddedPostgres) -> None:
    wrong = f"postgresql://nobody_{uuid.uuid4().hex[:8]}:wrong@127.0.0.1:{pg_server.port}/postgres"
    started = time.monotonic()
    with pytest.raises(asyncpg.InvalidAuthorizationSpecificationError):
        await open_pool(wrong, min_size=1, max_size=1, timeout_s=5)
    assert time.monotonic() - started < 2
    started = time.monotonic()
    with pytest.raises(asyncpg.InvalidAuthorizationSpecificationError):
        await open_pool(wrong, min_size=1, max_size=1, timeout_s=5, startup_wait_s=0.6)
    # Retried (one attempt takes milliseconds), and given up on once the next would fall outside it.
    assert 0.25 <= time.monotonic() - started < 5


async def test_a_refused_login_is_retried_within_the_startup_window(pg_server: EmbeddedPostgres) -> None:
    # As while a launcher is still setting the password: logins fail until the role can log in.
    role = f"late_{uuid.uuid4().hex[:8]}"
    url = f"postgresql://{role}:secret@127.0.0.1:{pg_server.port}/postgres"
    opening = asyncio.create_task(open_pool(url, min_size=1, max_size=1, timeout_s=5, startup_wait_s=30))
    await asyncio.sleep(0.5)
    assert not opening.done()
    admin = await asyncpg.connect(pg_server.url)
    try:
        await admin.execute(f"CREATE ROLE {role} LOGIN PASSWORD 'secret'")
        pool = await asyncio.wait_for(opening, 10)
        try:
            assert await pool.fetchval("SELECT current_user") == role
        finally:
            await pool.close()
    finally:
        await admin.execute(f"DROP ROLE IF EXISTS {role}")
        await admin.close()


def test_a_first_start_spawns_beside_initdb_only_what_the_other_cores_can_run(tmp_path: Path) -> None:
    stack = Stack(StackConfig(data_dir=tmp_path, port=free_port()))
    stack._plan_infrastructure()
    spare = max(1, len(os.sched_getaffinity(0)) - 1)
    assert stack._early_count(4) == min(spare, 4)
    # A cluster that exists needs no initdb: every service is spawned at once.
    (tmp_path / "postgres").mkdir(exist_ok=True)
    (tmp_path / "postgres" / "PG_VERSION").write_text("18\n")
    assert stack._early_count(4) == 4
    # Nothing embedded to wait for.
    external = Stack(
        StackConfig(data_dir=tmp_path / "x", database_url="postgresql://h/db", nats_url="nats://h")
    )
    external._plan_infrastructure()
    assert external._early_count(4) == 4
    assert not external._infra_pending()
