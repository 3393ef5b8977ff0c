"""gRPC mutual TLS (services/common/grpc_tls.py): a real server from start_grpc_service and clients from
open_channel and the container probe, with certificates made on the spot."""

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from pydantic import ValidationError

from services import healthcheck
from services.common.grpc_channel import open_channel
from services.common.grpc_server import GrpcService, start_grpc_service
from services.common.grpc_tls import GrpcTls
from services.common.settings import CommonSettings, describe_error
from services.dev_certs import DevCerts, write_dev_certs

SERVICE = "test.v1.Probe"


def load(certs: DevCerts) -> GrpcTls:
    tls = GrpcTls.from_files(str(certs.cert), str(certs.key), str(certs.ca))
    assert tls is not None
    return tls


async def serve(tls: GrpcTls) -> GrpcService:
    """A health-only server on a free port (no authenticator: TLS alone is under test)."""
    return await start_grpc_service(
        "127.0.0.1:0", [SERVICE], lambda server: None, tls=tls, authenticator=None
    )


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> DevCerts:
    return write_dev_certs(tmp_path_factory.mktemp("tls"))


@pytest.fixture
async def server(certs: DevCerts) -> AsyncIterator[GrpcService]:
    service = await serve(load(certs))
    try:
        yield service
    finally:
        await service.stop(0)


async def check(channel: grpc.aio.Channel) -> grpc.StatusCode | int:
    """The health status of SERVICE, or the status code of the failed call."""
    try:
        async with channel:
            reply = await health_pb2_grpc.HealthStub(channel).Check(
                health_pb2.HealthCheckRequest(service=SERVICE), timeout=5
            )
    except grpc.aio.AioRpcError as error:
        return error.code()
    return reply.status


async def test_a_client_with_a_certificate_of_the_ca_is_served(server: GrpcService, certs: DevCerts):
    tls = load(certs)
    for target in (f"127.0.0.1:{server.port}", f"localhost:{server.port}"):
        assert await check(open_channel(target, tls=tls)) == health_pb2.HealthCheckResponse.SERVING


async def test_a_multi_address_target_is_checked_against_its_first_host(server: GrpcService, certs: DevCerts):
    # The stack's targets for several replicas; their authority is the address list itself.
    other = await serve(load(certs))
    try:
        target = f"ipv4:127.0.0.1:{server.port},127.0.0.1:{other.port}"
        channel = open_channel(target, tls=load(certs))
        assert await check(channel) == health_pb2.HealthCheckResponse.SERVING
    finally:
        await other.stop(0)


async def test_plaintext_and_certificate_less_clients_are_refused(server: GrpcService, certs: DevCerts):
    target = f"127.0.0.1:{server.port}"
    assert await check(open_channel(target)) == grpc.StatusCode.UNAVAILABLE
    # Server authenticated (the CA is trusted), but no client certificate to show.
    anonymous = grpc.ssl_channel_credentials(root_certificates=certs.ca.read_bytes())
    assert await check(grpc.aio.secure_channel(target, anonymous)) == grpc.StatusCode.UNAVAILABLE


async def test_a_certificate_of_another_ca_is_refused_both_ways(
    server: GrpcService, certs: DevCerts, tmp_path: Path
):
    stranger = load(write_dev_certs(tmp_path / "other"))
    assert await check(open_channel(f"127.0.0.1:{server.port}", tls=stranger)) == grpc.StatusCode.UNAVAILABLE
    # Our CA, someone else's server.
    impostor = await serve(stranger)
    try:
        channel = open_channel(f"127.0.0.1:{impostor.port}", tls=load(certs))
        assert await check(channel) == grpc.StatusCode.UNAVAILABLE
    finally:
        await impostor.stop(0)


async def test_a_name_the_certificate_does_not_hold_is_refused(server: GrpcService, certs: DevCerts):
    channel = open_channel(
        f"127.0.0.1:{server.port}", [("grpc.ssl_target_name_override", "auth")], tls=load(certs)
    )
    assert await check(channel) == grpc.StatusCode.UNAVAILABLE


async def test_the_container_probe_uses_the_tls_environment(
    server: GrpcService, certs: DevCerts, monkeypatch: pytest.MonkeyPatch
):
    target = f"127.0.0.1:{server.port}"
    # The probe runs in its own process, blocking: keep the loop serving.
    assert await asyncio.to_thread(healthcheck.main, [target]) == 1
    for name, value in certs.env().items():
        monkeypatch.setenv(name, value)
    assert await asyncio.to_thread(healthcheck.main, [target]) == 0
    monkeypatch.delenv("GRPC_TLS_CA")
    assert await asyncio.to_thread(healthcheck.main, [target]) == 2


def test_settings_take_all_three_files_or_none(certs: DevCerts, tmp_path: Path):
    assert CommonSettings().grpc_tls is None
    env = {"GRPC_TLS_CERT": str(certs.cert), "GRPC_TLS_KEY": str(certs.key), "GRPC_TLS_CA": str(certs.ca)}
    tls = CommonSettings(**env).grpc_tls
    assert tls is not None and tls.ca == certs.ca.read_bytes()
    assert "PRIVATE" not in repr(tls)
    not_pem = tmp_path / "not.pem"
    not_pem.write_text("hello")
    cases = {
        "GRPC_TLS_KEY, GRPC_TLS_CA must be set too": {"GRPC_TLS_CERT": env["GRPC_TLS_CERT"]},
        f"GRPC_TLS_CA: cannot read {tmp_path / 'missing'}": {**env, "GRPC_TLS_CA": str(tmp_path / "missing")},
        f"GRPC_TLS_KEY: {not_pem} is not a PEM file": {**env, "GRPC_TLS_KEY": str(not_pem)},
    }
    for expected, values in cases.items():
        with pytest.raises(ValidationError) as caught:
            CommonSettings(**values)
        assert describe_error(caught.value).startswith(expected), describe_error(caught.value)
