"""Identity check cost on a gRPC service: what the server interceptor adds to each call once the
caller's credential is cached (AUTH_CACHE_TTL_S), measured two ways.

1. The check alone, in process: read the bearer credential from metadata, find it in the cache,
   apply the role rule, set the call's identity (what ``ServiceInterceptor`` runs per call).
2. A real unary RPC over loopback (grpc.health-like echo on a tiny servicer) with the interceptor
   resolving a cached credential, against the same server with the method declared public, so the
   difference is the check as a client sees it.

    python bench/identity_check.py --calls 20000 --rpcs 3000
"""

import argparse
import asyncio
import statistics
import time

import grpc

from services.common.authenticators import CachedAuthenticator
from services.common.grpc_errors import ServiceInterceptor
from services.common.grpc_identity import credential_from_metadata, identity_var, verified_only
from services.common.identity import Identity
from webui.auth.v1 import auth_pb2

CREDENTIAL = "eyJhbGciOiJIUzI1NiJ9." + "x" * 180 + ".signature-of-forty-three-characters-long-xx"
METHOD = "/webui.auth.v1.AuthService/GetAuthStatus"


class OneUser:
    """Answers every credential with one identity (a cache miss happens once)."""

    async def identify(self, credential: str) -> Identity:
        return Identity("u1", "user", "User", "u@example.com", credential=credential)


async def check_alone(calls: int) -> float:
    authenticator = CachedAuthenticator(OneUser(), ttl_s=5.0)
    metadata = (("x-request-id", "r" * 32), ("authorization", f"Bearer {CREDENTIAL}"))
    await authenticator.identify(CREDENTIAL)
    started = time.perf_counter()
    for _ in range(calls):
        identity = await authenticator.identify(credential_from_metadata(metadata))
        verified_only(METHOD, identity)
        identity_var.set(identity)
    return (time.perf_counter() - started) / calls * 1e6


class StatusServicer:
    async def status(self, request: auth_pb2.GetAuthStatusRequest, context) -> auth_pb2.GetAuthStatusResponse:
        return auth_pb2.GetAuthStatusResponse(has_users=identity_var.get() is not None)


async def rpc_round_trips(rpcs: int, checked: bool) -> list[float]:
    public = () if checked else (METHOD,)
    server = grpc.aio.server(
        interceptors=[ServiceInterceptor(CachedAuthenticator(OneUser(), 5.0), public, verified_only)]
    )
    handler = grpc.method_handlers_generic_handler(
        "webui.auth.v1.AuthService",
        {
            "GetAuthStatus": grpc.unary_unary_rpc_method_handler(
                StatusServicer().status,
                request_deserializer=auth_pb2.GetAuthStatusRequest.FromString,
                response_serializer=auth_pb2.GetAuthStatusResponse.SerializeToString,
            )
        },
    )
    server.add_generic_rpc_handlers((handler,))
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    metadata = (("authorization", f"Bearer {CREDENTIAL}"),)
    samples: list[float] = []
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
            call = channel.unary_unary(
                METHOD,
                auth_pb2.GetAuthStatusRequest.SerializeToString,
                auth_pb2.GetAuthStatusResponse.FromString,
            )
            for i in range(rpcs + 200):
                started = time.perf_counter()
                reply = await call(auth_pb2.GetAuthStatusRequest(), metadata=metadata, timeout=5)
                if i >= 200:  # warm-up
                    samples.append(time.perf_counter() - started)
                assert reply.has_users is checked
    finally:
        await server.stop(0)
    return samples


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--calls", type=int, default=20000)
    parser.add_argument("--rpcs", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    alone = [await check_alone(args.calls) for _ in range(args.rounds)]
    print(
        f"check alone (cached): median {statistics.median(alone):.2f} µs per call over {args.rounds} rounds"
    )
    print("| round | public p50 µs | checked p50 µs | difference µs |")
    print("|---|---|---|---|")
    for round_ in range(args.rounds):
        # Alternate which goes first, so neither always runs on a warmer process.
        order = (False, True) if round_ % 2 == 0 else (True, False)
        p50 = {}
        for checked in order:
            p50[checked] = statistics.median(await rpc_round_trips(args.rpcs, checked)) * 1e6
        print(f"| {round_ + 1} | {p50[False]:.0f} | {p50[True]:.0f} | {p50[True] - p50[False]:+.0f} |")


if __name__ == "__main__":
    asyncio.run(main())
