"""Chat completion benchmark: throughput, added latency, time to first token, memory.

Starts the fake Ollama (``tests/fakes/ollama.py``) as its own process, a stack in a temp DATA_DIR
pointed at it, and measures through the gateway with aiohttp clients in this process:

1. non-streaming ``POST /api/chat/completions`` at 1 client, against the same request sent to the
   fake directly (``POST /api/chat``): the p50 difference is the latency we add;
2. the same at 16 clients: req/s, p50, p99;
3. streaming with a 50 ms pause between tokens: time to the first token through the gateway,
   against the fake directly;
4. resident memory of the gateway and inference processes after the load.

    python bench/chat.py --duration 10
"""

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
import psutil

from bench.usage_overhead import recording_overhead
from services.common.infra import free_port, wait_for_port
from services.stack import ROOT, Stack, StackConfig, child_env

MODEL = "llama3.2:latest"
MESSAGES = [{"role": "user", "content": "Why is the sky blue?"}]


def start_fake(delay_ms: float) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.fakes.ollama", "--port", str(port), "--delay-ms", str(delay_ms)],
        cwd=ROOT,
        env=child_env(),
        stdout=subprocess.DEVNULL,
    )
    wait_for_port("127.0.0.1", port, timeout_s=20)
    return process, f"http://127.0.0.1:{port}"


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()


async def timed_post(session: aiohttp.ClientSession, url: str, body: dict, headers: dict[str, str]) -> float:
    started = time.perf_counter()
    async with session.post(url, json=body, headers=headers) as response:
        await response.read()
        if response.status != 200:
            raise RuntimeError(f"{url} answered {response.status}")
    return time.perf_counter() - started


async def first_token(session: aiohttp.ClientSession, url: str, body: dict, headers: dict[str, str]) -> float:
    """Seconds until the first body line that carries content."""
    started = time.perf_counter()
    async with session.post(url, json=body, headers=headers) as response:
        if response.status != 200:
            raise RuntimeError(f"{url} answered {response.status}")
        async for line in response.content:
            if line.strip():
                elapsed = time.perf_counter() - started
                break
        await response.read()
    return elapsed


async def load(
    session: aiohttp.ClientSession, url: str, body: dict, headers: dict, clients: int, duration_s: float
) -> dict:
    async def loop(until: float, latencies: list[float]) -> None:
        while time.perf_counter() < until:
            latencies.append(await timed_post(session, url, body, headers))

    await asyncio.gather(*(loop(time.perf_counter() + 1.0, []) for _ in range(clients)))  # warm-up
    latencies: list[float] = []
    started = time.perf_counter()
    await asyncio.gather(*(loop(started + duration_s, latencies) for _ in range(clients)))
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "rps": len(latencies) / elapsed,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1] * 1000,
        "requests": len(latencies),
    }


async def sign_up(base: str) -> dict[str, str]:
    async with aiohttp.ClientSession() as session:
        body = {"name": "Bench", "email": f"bench-{time.time_ns()}@example.com", "password": "bench password"}
        async with session.post(f"{base}/api/v1/auths/signup", json=body) as response:
            response.raise_for_status()
            return {"Authorization": f"Bearer {(await response.json())['token']}"}


def cpu_seconds(pids: dict[str, int]) -> dict[str, float]:
    times = {name: psutil.Process(pid).cpu_times() for name, pid in pids.items()}
    return {name: t.user + t.system for name, t in times.items()}


async def throughput(
    base: str, fake: str, headers: dict[str, str], duration_s: float, pids: dict[str, int]
) -> list[str]:
    ours = f"{base}/api/chat/completions"
    direct = f"{fake}/api/chat"
    body = {"model": MODEL, "messages": MESSAGES, "stream": False}
    rows = []
    connector = aiohttp.TCPConnector(limit=64)
    async with aiohttp.ClientSession(connector=connector) as session:
        fake_one = await load(session, direct, body, {}, 1, duration_s)
        one = await load(session, ours, body, headers, 1, duration_s)
        before = cpu_seconds(pids)
        many = await load(session, ours, body, headers, 16, duration_s)
        after = cpu_seconds(pids)
    rows.append(
        f"| fake Ollama directly | 1 | {fake_one['rps']:.0f} | {fake_one['p50_ms']:.2f} | "
        f"{fake_one['p99_ms']:.2f} |"
    )
    rows.append(
        f"| gateway, non-streaming | 1 | {one['rps']:.0f} | {one['p50_ms']:.2f} | {one['p99_ms']:.2f} |"
    )
    rows.append(
        f"| gateway, non-streaming | 16 | {many['rps']:.0f} | {many['p50_ms']:.2f} | {many['p99_ms']:.2f} |"
    )
    rows.append(f"\nadded p50 latency at 1 client: {one['p50_ms'] - fake_one['p50_ms']:.2f} ms")
    # Where the two cores went during the 16-client run (1 s warm-up included), per request.
    per_request = {name: (after[name] - before[name]) / many["requests"] * 1000 for name in pids}
    shares = ", ".join(f"{name} {ms:.2f}" for name, ms in per_request.items())
    rows.append(f"CPU ms per request at 16 clients: {shares}")
    return rows


async def time_to_first_token(base: str, fake: str, headers: dict[str, str], runs: int) -> str:
    body = {"model": MODEL, "messages": MESSAGES, "stream": True}
    async with aiohttp.ClientSession() as session:
        for _ in range(5):  # warm-up
            await first_token(session, f"{base}/api/chat/completions", body, headers)
        direct = [await first_token(session, f"{fake}/api/chat", body, {}) for _ in range(runs)]
        ours = [
            await first_token(session, f"{base}/api/chat/completions", body, headers) for _ in range(runs)
        ]
    d, o = statistics.median(direct) * 1000, statistics.median(ours) * 1000
    return (
        f"time to first token (50 ms/token, p50 of {runs}): direct {d:.2f} ms, gateway {o:.2f} ms, "
        f"added {o - d:.2f} ms"
    )


def memory(stack: Stack) -> str:
    sizes = {
        name: psutil.Process(stack.processes[name].pid).memory_info().rss for name in ("gateway", "inference")
    }
    total = sum(sizes.values()) / 2**20
    parts = ", ".join(f"{name} {size / 2**20:.0f} MB" for name, size in sizes.items())
    return f"resident memory after the load: {parts}; together {total:.0f} MB"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per throughput measurement")
    parser.add_argument("--ttft-runs", type=int, default=50)
    parser.add_argument(
        "--recording-overhead",
        type=int,
        default=0,
        metavar="ROUNDS",
        help="also measure usage records on against off (USAGE_RECORDING), in this many interleaved rounds",
    )
    args = parser.parse_args()
    fast, fast_url = start_fake(0)
    slow, slow_url = start_fake(50)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            env = {"OLLAMA_BASE_URLS": fast_url, "ENABLE_OPENAI_API": "false", "LOG_LEVEL": "WARNING"}
            stack = Stack(
                StackConfig(data_dir=Path(tmp), port=free_port(), env=env, log_dir=Path(tmp) / "logs")
            )
            stack.start()
            try:
                headers = asyncio.run(sign_up(stack.gateway_url))
                print("| path | clients | req/s | p50 ms | p99 ms |")
                print("|---|---|---|---|---|")
                pids = {
                    "gateway": stack.processes["gateway"].pid,
                    "inference": stack.processes["inference"].pid,
                    "fake Ollama": fast.pid,
                    "load generator": os.getpid(),
                }
                rows = asyncio.run(throughput(stack.gateway_url, fast_url, headers, args.duration, pids))
                for row in rows:
                    print(row, flush=True)
                print(memory(stack), flush=True)
                if args.recording_overhead:
                    lines = recording_overhead(stack, headers, args.duration, args.recording_overhead, load)
                    print("\n".join(lines), flush=True)
                stack.stop_services()
                stack.config.env["OLLAMA_BASE_URLS"] = slow_url
                # The JWT outlives the restart (the signing key is kept in DATA_DIR).
                stack.start_services()
                print(asyncio.run(time_to_first_token(stack.gateway_url, slow_url, headers, args.ttft_runs)))
            finally:
                stack.stop()
    finally:
        stop(fast)
        stop(slow)


if __name__ == "__main__":
    main()
