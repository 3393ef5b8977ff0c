"""Container health probe: ``python -m services.healthcheck TARGET`` exits 0 when TARGET is healthy.

TARGET is a gRPC address (``127.0.0.1:50051``: the standard health service answers SERVING for the
whole server) or an HTTP URL (``http://127.0.0.1:8080/ready``: a 2xx answer). Unhealthy or no answer
within the deadline: exit 1; bad usage: exit 2. The image has no curl or grpc_health_probe, so
docker-compose runs this with the image's own Python.
"""

import sys
import urllib.error
import urllib.request

TIMEOUT_S = 3.0
USAGE = "usage: python -m services.healthcheck <host:port | http://host:port/path>"


def http_healthy(url: str, timeout_s: float) -> bool:
    # No proxies: the probe asks the process beside it, whatever HTTP(S)_PROXY says.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=timeout_s) as response:
            return 200 <= response.status < 300
    except (urllib.error.URLError, OSError, ValueError):
        return False


def grpc_healthy(target: str, timeout_s: float) -> bool:
    # Imported here: the HTTP probe does not pay for grpc's import.
    import grpc
    from grpc_health.v1 import health_pb2, health_pb2_grpc

    with grpc.insecure_channel(target) as channel:
        try:
            reply = health_pb2_grpc.HealthStub(channel).Check(
                health_pb2.HealthCheckRequest(service=""), timeout=timeout_s
            )
        except grpc.RpcError:
            return False
    return reply.status == health_pb2.HealthCheckResponse.SERVING


def main(args: list[str]) -> int:
    if len(args) != 1 or not args[0]:
        print(USAGE, file=sys.stderr)
        return 2
    target = args[0]
    if target.startswith(("http://", "https://")):
        healthy = http_healthy(target, TIMEOUT_S)
    else:
        healthy = grpc_healthy(target, TIMEOUT_S)
    if not healthy:
        print(f"{target}: not healthy", file=sys.stderr)
    return 0 if healthy else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
