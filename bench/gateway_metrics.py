"""What the gateway's HTTP metrics cost per request: the app answering ``GET /api/version`` with and
without its metrics registry, in alternating rounds on one event loop, measured in CPU time (client
and server share the process, so other load on the machine matters less than in bench/load.py).

    PYTHONPATH=.:gen .venv/bin/python bench/gateway_metrics.py --rounds 12 --requests 2000
"""

import argparse
import asyncio
import statistics
import time

import aiohttp
from aiohttp.test_utils import TestServer

from services.gateway.app import create_app
from services.gateway.settings import GatewaySettings
from services.gateway.state import METRICS


async def cpu_us_per_request(session: aiohttp.ClientSession, url: str, count: int) -> float:
    started = time.process_time()
    for _ in range(count):
        async with session.get(url) as response:
            await response.read()
    return (time.process_time() - started) / count * 1e6


async def measure(rounds: int, count: int) -> dict[str, list[float]]:
    servers = {}
    for variant in ("with metrics", "without"):
        app = create_app(GatewaySettings())
        if variant == "without":
            del app[METRICS]
        servers[variant] = TestServer(app)
        await servers[variant].start_server()
    results: dict[str, list[float]] = {variant: [] for variant in servers}
    try:
        async with aiohttp.ClientSession() as session:
            urls = {variant: str(server.make_url("/api/version")) for variant, server in servers.items()}
            for url in urls.values():
                await cpu_us_per_request(session, url, count // 4)  # warm-up
            for _ in range(rounds):
                for variant, url in urls.items():
                    results[variant].append(await cpu_us_per_request(session, url, count))
    finally:
        for server in servers.values():
            await server.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=12)
    parser.add_argument("--requests", type=int, default=2000, help="requests per round and variant")
    args = parser.parse_args()
    results = asyncio.run(measure(args.rounds, args.requests))
    print("| variant | median µs/request (CPU) | min | max |")
    print("|---|---|---|---|")
    for variant, values in results.items():
        print(f"| {variant} | {statistics.median(values):.1f} | {min(values):.1f} | {max(values):.1f} |")
    paired = [a - b for a, b in zip(results["with metrics"], results["without"], strict=True)]
    print(
        f"\nper-round difference (with − without): median {statistics.median(paired):+.1f} µs, "
        f"range {min(paired):+.1f} … {max(paired):+.1f} µs"
    )


if __name__ == "__main__":
    main()
