"""Usage limits benchmark: what enforcement costs a chat completion, and how exact a shared limit is.

1. Through the whole stack (fake Ollama, gateway, inference; an API key), non-streaming
   ``POST /api/chat/completions`` at 16 clients, limits off and on in the same run, alternated
   (off, on, three times): "on" gives the key an rpm, a tpm and a monthly budget large enough never to
   refuse, so every request goes through the request and token counters (leases).
2. Shared-limit accuracy: two limiters (two replicas, each with its own pool) on one PostgreSQL,
   paced at 500 admissions/s spread over both, against an rpm limit smaller than the offered load:
   how many were admitted against the limit, when the first refusal came, round trips, admit latency.

    python bench/quota.py --duration 10 --accuracy-seconds 10
"""

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from pathlib import Path

import aiohttp
import asyncpg

from bench.chat import MESSAGES, MODEL, load, start_fake, stop
from services.common.identity import Identity, KeyScope
from services.common.infra import EmbeddedPostgres, free_port
from services.common.migrations import apply_migrations
from services.common.usage.limit_settings import LimitSettings
from services.common.usage.limit_store import LimitStore, StoredLimits
from services.common.usage.limiter import Limiter
from services.common.usage.rate_limited import RateLimited
from services.stack import Stack, StackConfig

USAGE_MIGRATIONS = Path(__file__).resolve().parents[1] / "services" / "common" / "usage" / "migrations"
HUGE = {"rpm": 10**9, "tpm": 10**12, "budget_month": 10**15}


async def admin_and_key(base: str) -> tuple[dict[str, str], dict]:
    async with aiohttp.ClientSession() as session:
        body = {"name": "Admin", "email": f"bench-{time.time_ns()}@example.com", "password": "bench password"}
        async with session.post(f"{base}/api/v1/auths/signup", json=body) as response:
            response.raise_for_status()
            admin = {"Authorization": f"Bearer {(await response.json())['token']}"}
        async with session.post(
            f"{base}/api/v1/auths/api_keys", json={"name": "bench"}, headers=admin
        ) as response:
            response.raise_for_status()
            return admin, await response.json()


async def set_limits(base: str, admin: dict, key_id: str, on: bool) -> None:
    async with aiohttp.ClientSession() as session:
        if on:
            body = {"subject_type": "key", "subject_id": key_id, **HUGE}
            async with session.post(f"{base}/api/v1/usage/limits", json=body, headers=admin) as response:
                response.raise_for_status()
        else:
            async with session.delete(f"{base}/api/v1/usage/limits/key/{key_id}", headers=admin) as response:
                assert response.status in (200, 404)


async def on_and_off(base: str, duration_s: float) -> list[str]:
    admin, key = await admin_and_key(base)
    headers = {"Authorization": f"Bearer {key['api_key']}"}
    body = {"model": MODEL, "messages": MESSAGES, "stream": False}
    results: dict[str, list[dict]] = {"off": [], "on": []}
    connector = aiohttp.TCPConnector(limit=64)
    async with aiohttp.ClientSession(connector=connector) as session:
        for state in ("off", "on") * 3:
            await set_limits(base, admin, key["id"], state == "on")
            results[state].append(
                await load(session, f"{base}/api/chat/completions", body, headers, 16, duration_s)
            )
    rows = ["| limits | run | req/s | p50 ms | p99 ms |", "|---|---|---|---|---|"]
    for state in ("off", "on"):
        for run, result in enumerate(results[state], 1):
            rows.append(
                f"| {state} | {run} | {result['rps']:.0f} | {result['p50_ms']:.2f} | {result['p99_ms']:.2f} |"
            )
    off_rps = statistics.mean(r["rps"] for r in results["off"])
    on_rps = statistics.mean(r["rps"] for r in results["on"])
    off_p50 = statistics.mean(r["p50_ms"] for r in results["off"])
    on_p50 = statistics.mean(r["p50_ms"] for r in results["on"])
    rows.append(
        f"\nmean: off {off_rps:.0f} req/s p50 {off_p50:.2f} ms; on {on_rps:.0f} req/s p50 {on_p50:.2f} ms; "
        f"throughput cost {(1 - on_rps / off_rps) * 100:.1f} %, added p50 {on_p50 - off_p50:.3f} ms"
    )
    return rows


class CountingStore(LimitStore):
    leases = 0

    async def lease(self, *args, **kwargs):  # type: ignore[override]
        CountingStore.leases += 1
        return await super().lease(*args, **kwargs)


async def accuracy(url: str, rate: float, seconds: float, limit: int, divisor: int, split: float) -> str:
    pools = [await asyncpg.create_pool(url, min_size=2, max_size=8) for _ in range(2)]
    try:
        await apply_migrations(pools[0], "usage", USAGE_MIGRATIONS)
        await pools[0].execute("TRUNCATE usage_counter, usage_limit")
        now = time.time()
        # One clock for both, fixed inside one minute: the run measures one window's limit.
        settings = LimitSettings(USAGE_LEASE_DIVISOR=divisor)
        limiters = [Limiter(CountingStore(pool, 5.0), settings, clock=lambda: now) for pool in pools]
        await limiters[0].put_limits(StoredLimits("key", "bench", rpm=limit))
        caller = Identity(user_id="u", via_api_key=True, scope=KeyScope(key_id="bench"))
        CountingStore.leases = 0
        admitted, first_refusal, latencies = 0, None, []
        total = int(rate * seconds)
        started = time.perf_counter()
        rng = random.Random(7)

        async def one(index: int) -> None:
            nonlocal admitted, first_refusal
            limiter = limiters[0] if rng.random() < split else limiters[1]
            t0 = time.perf_counter()
            try:
                await limiter.admit(caller, 0)
                admitted += 1
            except RateLimited:
                if first_refusal is None:
                    # How many were admitted when the first refusal came (the limit, when exact).
                    first_refusal = admitted
            latencies.append(time.perf_counter() - t0)

        tasks = []
        for index in range(total):
            # Paced: request i leaves at i / rate.
            delay = started + index / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.ensure_future(one(index)))
        await asyncio.gather(*tasks)
        elapsed = time.perf_counter() - started
        latencies.sort()
        offered = f"{total} in {elapsed:.1f} s"
        return (
            f"| {limit} | {divisor} | {split:.0%}/{1 - split:.0%} | {offered} | {admitted} | {first_refusal} "
            f"| {CountingStore.leases} | {statistics.median(latencies) * 1000:.3f} | "
            f"{latencies[int(len(latencies) * 0.99) - 1] * 1000:.3f} |"
        )
    finally:
        for pool in pools:
            await pool.close()


async def admit_cost(url: str, calls: int) -> list[str]:
    """In-process cost of one admission and its settlement, per call: no limits (the common case)
    and limits that hold (the lease-hit path; round trips only when a slice runs out)."""
    pool = await asyncpg.create_pool(url, min_size=1, max_size=4)
    try:
        await apply_migrations(pool, "usage", USAGE_MIGRATIONS)
        await pool.execute("TRUNCATE usage_counter, usage_limit")
        limiter = Limiter(LimitStore(pool, 5.0), LimitSettings())
        caller = Identity(user_id="u", via_api_key=True, scope=KeyScope(key_id="bench"))
        body = b'{"model":"m","messages":[{"role":"user","content":"Why is the sky blue?"}],"max_tokens":50}'
        rows = []
        for label, limits in (("no limits", None), ("rpm + tpm + monthly budget", HUGE)):
            if limits is not None:
                await limiter.put_limits(StoredLimits("key", "bench", **limits))
            for _ in range(1000):  # warm-up: the first slices, the book
                ticket = await limiter.admit(caller, lambda: len(body) // 4 + 50)
                await ticket.settle(40)
            samples = []
            for _ in range(calls):
                t0 = time.perf_counter()
                ticket = await limiter.admit(caller, lambda: len(body) // 4 + 50)
                await ticket.settle(40)
                samples.append(time.perf_counter() - t0)
            samples.sort()
            rows.append(
                f"| {label} | {calls} | {statistics.median(samples) * 1e6:.1f} | "
                f"{samples[int(len(samples) * 0.99) - 1] * 1e6:.1f} | {statistics.mean(samples) * 1e6:.1f} |"
            )
        return rows
    finally:
        await pool.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per on/off throughput run")
    parser.add_argument("--accuracy-seconds", type=float, default=10.0)
    parser.add_argument("--rate", type=float, default=500.0)
    parser.add_argument("--skip-stack", action="store_true", help="only the shared-limit accuracy part")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if not args.skip_stack:
            fake, fake_url = start_fake(0)
            try:
                env = {"OLLAMA_BASE_URLS": fake_url, "ENABLE_OPENAI_API": "false", "LOG_LEVEL": "WARNING"}
                stack = Stack(
                    StackConfig(
                        data_dir=Path(tmp) / "stack", port=free_port(), env=env, log_dir=Path(tmp) / "logs"
                    )
                )
                stack.start()
                try:
                    for row in asyncio.run(on_and_off(stack.gateway_url, args.duration)):
                        print(row, flush=True)
                finally:
                    stack.stop()
            finally:
                stop(fake)
        pg = EmbeddedPostgres(Path(tmp) / "pg", durable=False)
        pg.start()
        try:
            print("\n| admission + settlement | calls | p50 µs | p99 µs | mean µs |")
            print("|---|---|---|---|---|")
            for row in asyncio.run(admit_cost(pg.url, 100_000)):
                print(row, flush=True)
            print(
                "\n| rpm limit | lease divisor | split A/B | offered | admitted | admitted at 1st refusal "
                "| round trips | admit p50 ms | admit p99 ms |"
            )
            print("|---|---|---|---|---|---|---|---|---|")
            total = int(args.rate * args.accuracy_seconds)
            for limit, divisor, split in (
                (total // 2, 16, 0.5),
                (total // 2, 16, 0.8),
                (total // 2, 4, 0.5),
                (100, 16, 0.5),
            ):
                print(
                    asyncio.run(accuracy(pg.url, args.rate, args.accuracy_seconds, limit, divisor, split)),
                    flush=True,
                )
        finally:
            pg.stop()


if __name__ == "__main__":
    main()
