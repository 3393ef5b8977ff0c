"""Runs a grpc.aio server with health, reflection and the SIGTERM path every service shares."""

import asyncio
import logging
import signal
from collections.abc import Awaitable, Callable, Mapping, Sequence

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from services.common.admission import Admission
from services.common.admission_interceptor import AdmissionInterceptor
from services.common.dependency_health import Check, DependencyHealth
from services.common.grpc_errors import ServiceInterceptor
from services.common.grpc_identity import Authenticator, Authorize
from services.common.grpc_tls import GrpcTls
from services.common.metrics import ServiceMetrics

log = logging.getLogger(__name__)

_MAX_MESSAGE_BYTES = 32 * 1024 * 1024
_MAX_CONNECTION_AGE_MS = 5 * 60 * 1000


class GrpcService:
    """A started gRPC server and its health servicer."""

    def __init__(
        self,
        server: grpc.aio.Server,
        health_servicer: health.aio.HealthServicer,
        port: int,
        metrics: ServiceMetrics | None = None,
        service_names: Sequence[str] = (),
    ) -> None:
        self.server = server
        self.health = health_servicer
        self.port = port
        self.metrics = metrics
        self.service_names = tuple(service_names)
        self.dependencies: DependencyHealth | None = None

    def watch_dependencies(self, checks: Mapping[str, Check]) -> DependencyHealth:
        """From now on the services' health follows ``checks`` (services/common/dependency_health.py)."""
        self.dependencies = DependencyHealth(self.health, self.service_names, checks)
        self.dependencies.start()
        return self.dependencies

    @property
    def metrics_port(self) -> int:
        """The port ``/metrics`` is served on (0 when it is not)."""
        return self.metrics.endpoint.port if self.metrics is not None else 0

    async def stop(self, grace_s: float) -> None:
        """Health NOT_SERVING first, so balancers stop sending, then a graceful stop; the metrics
        endpoint last, so the drain can still be scraped."""
        if self.dependencies is not None:
            await self.dependencies.stop()
        await self.health.enter_graceful_shutdown()
        await self.server.stop(grace_s)
        if self.metrics is not None:
            await self.metrics.stop()


async def start_grpc_service(
    listen: str,
    service_names: Sequence[str],
    register: Callable[[grpc.aio.Server], None],
    metrics: ServiceMetrics | None = None,
    tls: GrpcTls | None = None,
    *,
    authenticator: Authenticator | None,
    public_methods: Sequence[str] = (),
    authorize: Authorize | None = None,
    max_inflight_rpcs: int = 0,
) -> GrpcService:
    """Builds, binds and starts a server; ``register`` adds the servicers of ``service_names``.
    With ``metrics``, every call is counted and timed, and ``/metrics`` is served on its address.
    With ``tls``, the port speaks only TLS and admits only clients whose certificate the CA signed.
    Every call but health, reflection and ``public_methods`` must carry a credential that
    ``authenticator`` resolves, and that ``authorize`` admits (services/common/grpc_identity.py).
    Past ``max_inflight_rpcs`` calls in flight (0: no limit), a new one is refused at once."""
    # The metrics interceptor goes outside, so that it sees the status ServiceInterceptor's aborts set.
    # Admission before ServiceInterceptor, so that a refused call costs no credential check.
    interceptors: list[grpc.aio.ServerInterceptor] = [
        AdmissionInterceptor(Admission(max_inflight_rpcs)),
        ServiceInterceptor(authenticator, public_methods, authorize),
    ]
    if metrics is not None:
        interceptors.insert(0, metrics.interceptor())
    server = grpc.aio.server(
        interceptors=interceptors,
        options=[
            ("grpc.max_receive_message_length", _MAX_MESSAGE_BYTES),
            ("grpc.max_send_message_length", _MAX_MESSAGE_BYTES),
            ("grpc.so_reuseport", 0),
            # Clients re-resolve a headless Service's DNS name only when a connection closes: ending
            # each connection after about 5 minutes (gRPC adds jitter; calls in flight finish, the
            # grace is unlimited) lets running gateways find replicas an autoscaler added.
            ("grpc.max_connection_age_ms", _MAX_CONNECTION_AGE_MS),
        ],
    )
    register(server)
    health_servicer = health.aio.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    reflection.enable_server_reflection(
        [*service_names, health.SERVICE_NAME, reflection.SERVICE_NAME], server
    )
    if tls is None:
        port = server.add_insecure_port(listen)
    else:
        port = server.add_secure_port(listen, tls.server_credentials())
    if port == 0:
        raise OSError(f"could not bind gRPC server to {listen}")
    if metrics is not None:
        try:
            await metrics.serve()
        except OSError:
            await server.stop(0)
            raise
    await server.start()
    for name in ("", *service_names):
        await health_servicer.set(name, health_pb2.HealthCheckResponse.SERVING)
    return GrpcService(server, health_servicer, port, metrics, service_names)


async def wait_for_stop_signal() -> None:
    """Returns on SIGTERM or SIGINT."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()


async def serve_until_signal(
    service: GrpcService,
    grace_s: float,
    cleanups: Sequence[Callable[[], Awaitable[None]]] = (),
) -> None:
    """Serves until SIGTERM/SIGINT, then stops gracefully and runs ``cleanups`` in order, each
    given at most ``grace_s`` (at least a second) so that a dead dependency cannot stall the exit."""
    await wait_for_stop_signal()
    log.info("stopping: health NOT_SERVING, draining for up to %.1f s", grace_s)
    await service.stop(grace_s)
    for cleanup in cleanups:
        try:
            await asyncio.wait_for(cleanup(), max(grace_s, 1.0))
        except TimeoutError:
            log.warning("a clean-up step did not finish in %.1f s; exiting anyway", max(grace_s, 1.0))
    log.info("stopped")
