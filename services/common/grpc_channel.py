"""Client channels to the platform's gRPC services, spread over every replica behind a target."""

import json
from collections.abc import Sequence

import grpc

from services.common.grpc_tls import GrpcTls

# Replies (a model list, a non-streamed completion, a file with its extracted text) may be larger
# than gRPC's 4 MiB default.
MAX_MESSAGE_BYTES = 32 * 1024 * 1024

# round_robin, not gRPC's default pick_first: a target may name several replicas, either as a
# multi-address URI (`ipv4:127.0.0.1:1,127.0.0.1:2`, as services/stack.py starts them) or as a
# headless Kubernetes Service (`dns:///inference:50052`, one A record per pod). pick_first would
# connect to one address and send every call there, pinning a client to a single replica;
# round_robin keeps a subchannel to each address and spreads calls over the ready ones, dropping a
# replica that goes away and taking it back when it returns (DNS is re-resolved on failures).
# A replica that restarts or is replaced (a new pod) leaves its subchannel in backoff for a moment;
# round_robin fails a call at once while no subchannel is ready, where pick_first would have
# reconnected on the call. gRPC's own retry policy covers that moment: a call that failed
# UNAVAILABLE before any reply came is tried again, up to 3 more times within about 1.4 s. Our
# servers mark the errors they answer themselves as not to be retried (a negative
# `grpc-retry-pushback-ms`, services/common/grpc_errors.py: an upstream that failed is UNAVAILABLE
# too), so only calls no replica served are sent again. A call that got a reply, a request stream
# longer than gRPC's retry buffer, and health checks are not retried.
_SERVICE_CONFIG = {
    "methodConfig": [
        {
            "name": [{}],
            "retryPolicy": {
                "maxAttempts": 4,
                "initialBackoff": "0.2s",
                "maxBackoff": "1s",
                "backoffMultiplier": 2,
                "retryableStatusCodes": ["UNAVAILABLE"],
            },
        },
        # Health checks (`/ready`) report what they see at once, without retries.
        {"name": [{"service": "grpc.health.v1.Health"}]},
    ]
}

CHANNEL_OPTIONS: tuple[tuple[str, int | str], ...] = (
    ("grpc.service_config", json.dumps(_SERVICE_CONFIG)),
    ("grpc.lb_policy_name", "round_robin"),
    ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
    ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
    # gRPC's reconnect backoff grows to 120 s by default: a backend back after an outage would stay
    # unused (and `/ready` 503) for up to two minutes.
    ("grpc.max_reconnect_backoff_ms", 5000),
    # And it starts at 1 s: a channel that first tried a backend still starting (the gateway's
    # `/ready` during a start, when every process starts at once) would see it serving up to a second
    # late. From 0.1 s it grows (x1.6) past 1 s after five failed attempts.
    ("grpc.initial_reconnect_backoff_ms", 100),
)


def _tls_name_options(target: str) -> list[tuple[str, str]]:
    """gRPC checks the server's certificate against the target's authority, which for a multi-address
    URI (``ipv4:127.0.0.1:1,127.0.0.1:2``) is the whole address list, a name no certificate holds: check
    the first address's host instead (its replicas share one certificate)."""
    scheme, _, addresses = target.partition(":")
    if scheme not in ("ipv4", "ipv6") or "," not in addresses:
        return []
    first = addresses.split(",", 1)[0]
    host = first[1 : first.find("]")] if first.startswith("[") else first.partition(":")[0]
    return [("grpc.ssl_target_name_override", host)]


def open_channel(
    target: str, options: Sequence[tuple[str, int | str]] = (), tls: GrpcTls | None = None
) -> grpc.aio.Channel:
    """A `grpc.aio` channel to ``target`` (any gRPC target string) with round_robin load balancing and
    32 MiB message limits; ``options`` add to or override those. Plaintext without ``tls``; with it,
    mutual TLS: the server's certificate must chain to its CA and name the host dialled, and ours is
    presented in turn."""
    if tls is None:
        return grpc.aio.insecure_channel(target, options=[*CHANNEL_OPTIONS, *options])
    return grpc.aio.secure_channel(
        target,
        tls.channel_credentials(),
        options=[*CHANNEL_OPTIONS, *_tls_name_options(target), *options],
    )
