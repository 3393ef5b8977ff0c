"""Container health probe: ``python -m services.healthcheck TARGET`` exits 0 when TARGET is healthy.

TARGET is a gRPC address (``127.0.0.1:50051``: the standard health service answers SERVING for the
whole server, what liveness asks; ``127.0.0.1:50051 webui.auth.v1.AuthService``: for that named
service, which turns NOT_SERVING while a database or broker it needs is down, what readiness asks)
or an HTTP URL (``http://127.0.0.1:8080/ready``: a 2xx answer). Unhealthy or no answer
within the deadline: exit 1; bad usage or bad GRPC_TLS_* files: exit 2. The image has no curl or
grpc_health_probe, so docker-compose runs this with the image's own Python; so do Kubernetes' exec
probes, because its native gRPC probe cannot speak TLS. With GRPC_TLS_CERT, GRPC_TLS_KEY and
GRPC_TLS_CA set (as the service beside it has them), the gRPC check uses mutual TLS with those files.
"""

import os
import sys
import urllib.error
import urllib.request
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from services.common.grpc_tls import GrpcTls

TIMEOUT_S = 3.0
USAGE = "usage: python -m services.healthcheck <host:port [service] | http://host:port/path>"


def http_healthy(url: str, timeout_s: float) -> bool:
    # No proxies: the probe asks the process beside it, whatever HTTP(S)_PROXY says.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=timeout_s) as response:
            return 200 <= response.status < 300
    except (urllib.error.URLError, OSError, ValueError):
        return False


def grpc_healthy(target: str, timeout_s: float, tls: "GrpcTls | None" = None, service: str = "") -> bool:
    # Imported here: the HTTP probe does not pay for grpc's import.
    import grpc
    from grpc_health.v1 import health_pb2, health_pb2_grpc

    from services.common.grpc_tls import blocking_channel

    with blocking_channel(target, tls) as channel:
        try:
            reply = health_pb2_grpc.HealthStub(channel).Check(
                health_pb2.HealthCheckRequest(service=service), timeout=timeout_s
            )
        except grpc.RpcError:
            return False
    return reply.status == health_pb2.HealthCheckResponse.SERVING


def main(args: list[str]) -> int:
    target = args[0] if args else ""
    is_http = target.startswith(("http://", "https://"))
    if not target or len(args) > (1 if is_http else 2):
        print(USAGE, file=sys.stderr)
        return 2
    if is_http:
        healthy = http_healthy(target, TIMEOUT_S)
    else:
        from services.common.grpc_tls import GrpcTls

        try:
            tls = GrpcTls.from_env(os.environ)
        except ValueError as error:
            print(f"healthcheck: {error}", file=sys.stderr)
            return 2
        healthy = grpc_healthy(target, TIMEOUT_S, tls, args[1] if len(args) > 1 else "")
    if not healthy:
        print(f"{target}: not healthy", file=sys.stderr)
    return 0 if healthy else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
