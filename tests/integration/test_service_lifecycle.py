"""Each gRPC service as its own process: health, reflection, bad settings, SIGTERM shutdown."""

import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest
import requests
from grpc_health.v1 import health_pb2, health_pb2_grpc

from services.common.infra import EmbeddedNats, EmbeddedPostgres, free_port, wait_for_port
from services.stack import ROOT, child_env


@pytest.fixture(scope="module")
def nats_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedNats]:
    server = EmbeddedNats(tmp_path_factory.mktemp("nats"))
    server.start()
    try:
        yield server
    finally:
        server.stop()


def spawn(service: str, env: dict[str, str]) -> subprocess.Popen[bytes]:
    full_env = child_env(**env)
    return subprocess.Popen(
        [sys.executable, "-m", f"services.{service}.main"],
        env=full_env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def health_status(port: int, service: str) -> int:
    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        reply = health_pb2_grpc.HealthStub(channel).Check(
            health_pb2.HealthCheckRequest(service=service), timeout=5
        )
        return reply.status


@pytest.mark.parametrize(
    ("service", "full_name"),
    [
        ("auth", "webui.auth.v1.AuthService"),
        ("inference", "webui.inference.v1.InferenceService"),
        ("ingest", "webui.ingest.v1.IngestService"),
    ],
)
def test_service_serves_health_and_stops_cleanly_on_sigterm(
    service: str, full_name: str, pg_server: EmbeddedPostgres, nats_server: EmbeddedNats, tmp_path: Path
) -> None:
    port = free_port()
    process = spawn(
        service,
        {
            f"{service.upper()}_GRPC_LISTEN": f"127.0.0.1:{port}",
            "DATABASE_URL": pg_server.url,
            "NATS_URL": nats_server.url,
            "DATA_DIR": str(tmp_path),
            "SHUTDOWN_GRACE_S": "2",
            # Nothing listens there: a service starts, serves health and stops without AuthService
            # (health needs no credential), and never reaches whatever else holds the default port.
            "AUTH_GRPC_TARGET": f"127.0.0.1:{free_port()}",
        },
    )
    try:
        wait_for_port("127.0.0.1", port, timeout_s=30)
        assert health_status(port, full_name) == health_pb2.HealthCheckResponse.SERVING
        started = time.monotonic()
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0
        assert time.monotonic() - started < 10
        output = process.stdout.read().decode() if process.stdout else ""
        assert '"msg": "stopped"' in output
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


@pytest.mark.parametrize(
    ("service", "env", "expected"),
    [
        ("auth", {}, "DATABASE_URL is required"),
        ("auth", {"DATABASE_URL": "postgresql://x", "BCRYPT_ROUNDS": "many"}, "BCRYPT_ROUNDS"),
        ("auth", {"DATABASE_URL": "postgresql://x", "JWT_EXPIRES_IN": "forever"}, "JWT_EXPIRES_IN"),
        ("ingest", {"DATABASE_URL": "postgresql://x"}, "NATS_URL is required"),
        ("gateway", {"PORT": "http"}, "PORT"),
    ],
)
def test_bad_settings_stop_the_process_with_one_line(
    service: str, env: dict[str, str], expected: str
) -> None:
    process = spawn(service, env)
    output, _ = process.communicate(timeout=30)
    lines = output.decode().strip().splitlines()
    assert process.returncode == 2
    assert len(lines) == 1
    assert lines[0].startswith(f"{service}: invalid configuration") and expected in lines[0]


def test_gateway_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    port = free_port()
    # No backend is running: the gateway starts anyway and answers what needs none.
    process = spawn("gateway", {"PORT": str(port), "AUTH_GRPC_TARGET": f"127.0.0.1:{free_port()}"})
    try:
        wait_for_port("127.0.0.1", port, timeout_s=30)
        assert requests.get(f"http://127.0.0.1:{port}/health", timeout=5).json() == {"status": True}
        down = requests.post(
            f"http://127.0.0.1:{port}/api/v1/auths/signin",
            json={"email": "a@b.co", "password": "x"},
            timeout=30,
        )
        assert (down.status_code, down.json()) == (503, {"detail": "Service temporarily unavailable"})
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
