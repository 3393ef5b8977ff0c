"""Load benchmark: req/s, p50 and p99 of gateway routes at several concurrencies.

Starts its own stack (embedded Postgres and NATS, the four services) in a temp DATA_DIR unless
``--url`` points at a running gateway, signs up a user, then drives each route with N concurrent
aiohttp clients for a fixed time. Prints one Markdown table row per (route, concurrency).

    python bench/load.py --duration 10 --concurrency 1 16

``--scoped`` measures the authenticated route with an unscoped (``full``) key and a scoped one
(kind ``read``, which the gateway checks against its route-area table on every request),
alternating ``--pairs`` times, and prints the scoped/unscoped ratio:

    python bench/load.py --scoped --duration 5 --concurrency 16 --pairs 3
"""

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

import aiohttp

from services.common.infra import free_port
from services.stack import Stack, StackConfig

# name: (path, credential: "jwt", "key", "scoped" or None)
SCOPED_ROUTES = {
    "GET /api/v1/auths/api_key (full sk- key)": ("/api/v1/auths/api_key", "key"),
    "GET /api/v1/auths/api_key (scoped sk- key, kind read)": ("/api/v1/auths/api_key", "scoped"),
}
ROUTES = {
    "GET /api/v1/auths/ (JWT)": ("/api/v1/auths/", "jwt"),
    "GET /api/v1/auths/api_key (sk- key)": ("/api/v1/auths/api_key", "key"),
    "GET /api/version": ("/api/version", None),
}


async def client_loop(
    session: aiohttp.ClientSession, url: str, headers: dict[str, str], until: float, latencies: list[float]
) -> int:
    errors = 0
    while time.perf_counter() < until:
        started = time.perf_counter()
        async with session.get(url, headers=headers) as response:
            await response.read()
            if response.status != 200:
                errors += 1
        latencies.append(time.perf_counter() - started)
    return errors


async def measure(base: str, path: str, headers: dict[str, str], clients: int, duration_s: float) -> dict:
    connector = aiohttp.TCPConnector(limit=clients)
    async with aiohttp.ClientSession(connector=connector) as session:
        # Warm-up: connections open, credential cached.
        warm_until = time.perf_counter() + 1.0
        await asyncio.gather(
            *(client_loop(session, base + path, headers, warm_until, []) for _ in range(clients))
        )
        latencies: list[float] = []
        started = time.perf_counter()
        until = started + duration_s
        errors = await asyncio.gather(
            *(client_loop(session, base + path, headers, until, latencies) for _ in range(clients))
        )
        elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "requests": len(latencies),
        "errors": sum(errors),
        "rps": len(latencies) / elapsed,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1] * 1000,
    }


async def credentials(base: str) -> dict[str | None, str]:
    """Signs up a user and makes it an API key."""
    async with aiohttp.ClientSession() as session:
        body = {"name": "Bench", "email": f"bench-{time.time_ns()}@example.com", "password": "bench password"}
        async with session.post(f"{base}/api/v1/auths/signup", json=body) as response:
            response.raise_for_status()
            token = (await response.json())["token"]
        headers = {"Authorization": f"Bearer {token}"}
        async with session.post(f"{base}/api/v1/auths/api_key", headers=headers) as response:
            response.raise_for_status()
            key = (await response.json())["api_key"]
        scoped = {"name": "bench-scoped", "kind": "read"}
        async with session.post(f"{base}/api/v1/auths/api_keys", json=scoped, headers=headers) as response:
            response.raise_for_status()
            scoped_key = (await response.json())["api_key"]
    return {"jwt": token, "key": key, "scoped": scoped_key}


async def run(base: str, duration_s: float, concurrency: list[int], scoped_pairs: int = 0) -> None:
    creds = await credentials(base)
    print("| route | clients | req/s | p50 ms | p99 ms | requests | errors |")
    print("|---|---|---|---|---|---|---|")
    routes = list(SCOPED_ROUTES.items()) * scoped_pairs if scoped_pairs else list(ROUTES.items())
    rates: dict[tuple[str, int], list[float]] = {}
    for name, (path, credential) in routes:
        headers = {"Authorization": f"Bearer {creds[credential]}"} if credential else {}
        for clients in concurrency:
            r = await measure(base, path, headers, clients, duration_s)
            rates.setdefault((credential or "", clients), []).append(r["rps"])
            print(
                f"| {name} | {clients} | {r['rps']:.0f} | {r['p50_ms']:.2f} | {r['p99_ms']:.2f} "
                f"| {r['requests']} | {r['errors']} |",
                flush=True,
            )
    if scoped_pairs:
        for clients in concurrency:
            full = statistics.mean(rates[("key", clients)])
            scoped = statistics.mean(rates[("scoped", clients)])
            ratio = scoped / full
            print(f"\n{clients} clients: scoped/full = {ratio:.3f} ({scoped:.0f} vs {full:.0f} req/s)")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", help="a running gateway; default: start a stack in a temp dir")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per measurement")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 16])
    parser.add_argument(
        "--no-cache",
        action="store_true",
        help="AUTH_CACHE_TTL_S=0: every request verifies its credential through AuthService and Postgres",
    )
    parser.add_argument(
        "--scoped",
        action="store_true",
        help="only the sk- key route, with a full and a scoped key in turn (--pairs times)",
    )
    parser.add_argument("--pairs", type=int, default=3, help="alternating pairs of the --scoped mode")
    args = parser.parse_args()
    pairs = args.pairs if args.scoped else 0
    if args.url:
        asyncio.run(run(args.url.rstrip("/"), args.duration, args.concurrency, pairs))
        return
    with tempfile.TemporaryDirectory() as tmp:
        env = {"AUTH_CACHE_TTL_S": "0"} if args.no_cache else {}
        stack = Stack(StackConfig(data_dir=Path(tmp), port=free_port(), env=env, log_dir=Path(tmp) / "logs"))
        stack.start()
        try:
            asyncio.run(run(stack.gateway_url, args.duration, args.concurrency, pairs))
        finally:
            stack.stop()


if __name__ == "__main__":
    main()
