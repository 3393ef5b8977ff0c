"""Readiness: whether every backend answers the standard gRPC health check, and whether we are stopping."""

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

# The service each backend's health check asks about (NOT_SERVING once that replica drains).
BACKEND_SERVICES = {
    "auth": "webui.auth.v1.AuthService",
    "inference": "webui.inference.v1.InferenceService",
    "ingest": "webui.ingest.v1.IngestService",
}


@dataclass
class Lifecycle:
    """Set once the gateway has been told to stop: from then on it is no longer ready."""

    stopping: bool = False


async def backend_problem(name: str, channel: grpc.aio.Channel, timeout_s: float) -> str | None:
    """None when ``name``'s health check answers SERVING within ``timeout_s``, else why not."""
    request = health_pb2.HealthCheckRequest(service=BACKEND_SERVICES[name])
    try:
        reply = await health_pb2_grpc.HealthStub(channel).Check(request, timeout=timeout_s)
    except grpc.aio.AioRpcError as error:
        return f"{name} is not ready ({error.code().name})"
    if reply.status != health_pb2.HealthCheckResponse.SERVING:
        return f"{name} is not ready ({health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status)})"
    return None


async def readiness_problems(channels: Mapping[str, grpc.aio.Channel], timeout_s: float) -> list[str]:
    """Every backend's problem, checked concurrently; an empty list means all are ready."""
    results = await asyncio.gather(
        *(backend_problem(name, channel, timeout_s) for name, channel in channels.items())
    )
    return [problem for problem in results if problem is not None]
