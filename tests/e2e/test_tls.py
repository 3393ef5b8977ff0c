"""The whole stack with gRPC mutual TLS (StackConfig.tls): the gateway works as usual, and every gRPC port
admits only clients that present a certificate of the stack's CA."""

import subprocess
import sys
from collections.abc import Iterator

import grpc
import pytest
import requests
from grpc_health.v1 import health_pb2, health_pb2_grpc

from services.common.grpc_tls import GrpcTls
from services.common.infra import free_port
from services.stack import GRPC_SERVICES, ROOT, Stack, StackConfig
from tests.e2e.conftest import TEST_ENV, signup, upstream_env
from tests.fakes.ollama import FakeOllama
from tests.fakes.openai import FakeOpenAI


@pytest.fixture(scope="module")
def stack(
    tmp_path_factory: pytest.TempPathFactory, fake_ollama: FakeOllama, fake_openai: FakeOpenAI
) -> Iterator[Stack]:
    data_dir = tmp_path_factory.mktemp("tls-stack")
    stack = Stack(
        StackConfig(
            data_dir=data_dir,
            port=free_port(),
            durable=False,
            env={**TEST_ENV, **upstream_env(fake_ollama, fake_openai)},
            log_dir=data_dir / "logs",
            tls=True,
        )
    )
    try:
        stack.start()
        yield stack
    finally:
        stack.stop()


def tls_of(stack: Stack) -> GrpcTls:
    assert stack.tls_certs is not None
    tls = GrpcTls.from_env(stack.tls_certs.env())
    assert tls is not None
    return tls


def health(channel: grpc.Channel) -> grpc.StatusCode | int:
    """The whole server's health status, or the status code of the failed call."""
    with channel:
        try:
            reply = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=5)
        except grpc.RpcError as error:
            return error.code()
    return reply.status


def test_the_gateway_serves_through_tls_backends(stack: Stack, fake_ollama: FakeOllama) -> None:
    url = stack.gateway_url
    # `/ready` asks each backend's health service over the gateway's TLS channels.
    assert requests.get(f"{url}/ready", timeout=10).json() == {"status": True}
    admin = signup(url, "admin@example.com", "admin password", "Admin")
    models = requests.get(f"{url}/api/models", headers=admin.headers, timeout=10)
    assert models.status_code == 200, models.text
    assert set(fake_ollama.models) <= {model["id"] for model in models.json()["data"]}
    upload = requests.post(
        f"{url}/api/v1/files/?process=false",
        headers=admin.headers,
        files={"file": ("note.txt", b"over mutual TLS", "text/plain")},
        timeout=30,
    )
    assert upload.status_code == 200, upload.text
    content = requests.get(
        f"{url}/api/v1/files/{upload.json()['id']}/content", headers=admin.headers, timeout=10
    )
    assert content.status_code == 200 and content.content == b"over mutual TLS"


@pytest.mark.parametrize("service", GRPC_SERVICES)
def test_grpc_ports_want_a_client_certificate_of_the_ca(stack: Stack, service: str) -> None:
    target = f"127.0.0.1:{stack.grpc_ports[service]}"
    tls = tls_of(stack)
    assert health(grpc.insecure_channel(target)) == grpc.StatusCode.UNAVAILABLE
    anonymous = grpc.ssl_channel_credentials(root_certificates=tls.ca)
    assert health(grpc.secure_channel(target, anonymous)) == grpc.StatusCode.UNAVAILABLE
    served = grpc.secure_channel(target, tls.channel_credentials())
    assert health(served) == health_pb2.HealthCheckResponse.SERVING


def test_the_container_probe_speaks_tls_with_the_service_environment(stack: Stack) -> None:
    command = [sys.executable, "-m", "services.healthcheck", f"127.0.0.1:{stack.grpc_ports['auth']}"]
    with_tls = subprocess.run(command, env=stack.service_env(), cwd=ROOT, capture_output=True, timeout=30)
    assert with_tls.returncode == 0, with_tls.stderr
    plain_env = {k: v for k, v in stack.service_env().items() if not k.startswith("GRPC_TLS_")}
    plain = subprocess.run(command, env=plain_env, cwd=ROOT, capture_output=True, timeout=30)
    assert plain.returncode == 1, plain.stderr
