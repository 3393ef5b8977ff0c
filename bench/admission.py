"""Admission control's throughput cost: 16 clients, limits off against limits on but not reached.

Starts the fake Ollama (``tests/fakes/ollama.py``) as its own process and two stacks pointed at it:
one with MAX_INFLIGHT_REQUESTS=0 and MAX_INFLIGHT_RPCS=0 (no admission middleware, no counting in
the services), one with the defaults (512 and 256, far above 16 clients). Non-streaming
``POST /api/chat/completions`` loads them in turn, alternating, so that drift on the machine falls
on both alike; the report is the median req/s of each and the gateway's CPU time per request.
On a busy machine the end-to-end difference drowns in noise, so the per-request cost of the
gateway middleware and of the gRPC interceptor is also timed alone, in this process, against the
gateway's CPU time per request.

    python bench/admission.py --rounds 6 --duration 5
"""

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

import aiohttp
import grpc
from aiohttp import web
from aiohttp.test_utils import make_mocked_request

from bench.chat import MESSAGES, MODEL, cpu_seconds, load, sign_up, start_fake, stop
from services.common.admission import Admission
from services.common.admission_interceptor import AdmissionInterceptor
from services.common.infra import free_port
from services.gateway.admission import admission_middleware
from services.stack import Stack, StackConfig

CLIENTS = 16
ARMS = {
    "off": {"MAX_INFLIGHT_REQUESTS": "0", "MAX_INFLIGHT_RPCS": "0"},
    "on, not reached": {},
}


async def measure(stack: Stack, headers: dict[str, str], duration_s: float) -> tuple[float, float]:
    """Req/s at CLIENTS clients, and the gateway's CPU milliseconds per request."""
    body = {"model": MODEL, "messages": MESSAGES, "stream": False}
    gateway = {"gateway": stack.processes["gateway"].pid}
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=64)) as session:
        before = cpu_seconds(gateway)["gateway"]
        result = await load(
            session, f"{stack.gateway_url}/api/chat/completions", body, headers, CLIENTS, duration_s
        )
        spent = cpu_seconds(gateway)["gateway"] - before
    # The CPU time covers load()'s 1 s warm-up too; the requests counted do not: a small overcount,
    # alike in both arms.
    return result["rps"], spent / result["requests"] * 1000


class _CallDetails(grpc.HandlerCallDetails):
    def __init__(self, method: str) -> None:
        self.method = method
        self.invocation_metadata = ()


async def _per_call_us(call, iterations: int) -> float:
    started = time.perf_counter()
    for _ in range(iterations):
        await call()
    return (time.perf_counter() - started) / iterations * 1e6


async def micro(iterations: int) -> dict[str, float]:
    """Microseconds each layer adds to one request or call, admitted: best of five runs, each against
    the same handler called directly."""
    request = make_mocked_request("POST", "/api/chat/completions")
    response = web.Response()

    async def handler(request: web.Request) -> web.Response:
        return response

    admit = admission_middleware(Admission(512))
    interceptor = AdmissionInterceptor(Admission(256))

    async def behaviour(request: bytes, context: object) -> bytes:
        return request

    async def continuation(details: grpc.HandlerCallDetails) -> grpc.RpcMethodHandler:
        return grpc.unary_unary_rpc_method_handler(behaviour)

    details = _CallDetails("/webui.inference.v1.InferenceService/ChatCompletion")

    async def intercepted() -> bytes:
        # Per call, as grpc.aio does: the interceptor wraps the handler, then the call runs.
        wrapped = await interceptor.intercept_service(continuation, details)
        return await wrapped.unary_unary(b"", None)

    async def bare() -> bytes:
        return await (await continuation(details)).unary_unary(b"", None)

    costs = {"gateway middleware": [], "gRPC interceptor": []}
    for _ in range(5):
        direct = await _per_call_us(lambda: handler(request), iterations)
        costs["gateway middleware"].append(
            await _per_call_us(lambda: admit(request, handler), iterations) - direct
        )
        direct = await _per_call_us(bare, iterations)
        costs["gRPC interceptor"].append(await _per_call_us(intercepted, iterations) - direct)
    return {name: min(values) for name, values in costs.items()}


def start_stacks(tmp: Path, fake_url: str, stacks: dict[str, Stack]) -> None:
    """One stack per arm, added to ``stacks`` as each starts (so that a failed start still stops
    the ones before it)."""
    for i, (arm, extra) in enumerate(ARMS.items()):
        env = {"OLLAMA_BASE_URLS": fake_url, "ENABLE_OPENAI_API": "false", "LOG_LEVEL": "WARNING", **extra}
        data = tmp / f"stack{i}"
        stacks[arm] = Stack(
            StackConfig(data_dir=data, port=free_port(), env=env, log_dir=data / "logs", durable=False)
        )
        stacks[arm].start()


def compare(stacks: dict[str, Stack], rounds: int, duration_s: float) -> None:
    headers = {arm: asyncio.run(sign_up(stack.gateway_url)) for arm, stack in stacks.items()}
    rps: dict[str, list[float]] = {arm: [] for arm in ARMS}
    cpu: dict[str, list[float]] = {arm: [] for arm in ARMS}
    for round_ in range(rounds):
        # Alternate which arm goes first, so that neither always follows the other.
        for arm in list(ARMS) if round_ % 2 == 0 else list(reversed(ARMS)):
            r, c = asyncio.run(measure(stacks[arm], headers[arm], duration_s))
            rps[arm].append(r)
            cpu[arm].append(c)
            print(f"round {round_ + 1} {arm}: {r:.0f} req/s, gateway {c:.3f} CPU ms/request", flush=True)
    print(f"\n| admission, {CLIENTS} clients | req/s, median of {rounds} | gateway CPU ms/request |")
    print("|---|---|---|")
    for arm in ARMS:
        print(f"| {arm} | {statistics.median(rps[arm]):.0f} | {statistics.median(cpu[arm]):.3f} |")
    off, on = (statistics.median(rps[arm]) for arm in ARMS)
    print(f"\nthroughput cost of admission control, end to end: {(off - on) / off * 100:+.1f}%")
    gateway_us = statistics.median(cpu["off"]) * 1000
    for name, us in asyncio.run(micro(100_000)).items():
        print(
            f"{name}, timed alone: {us:.2f} us per request, {us / gateway_us * 100:.2f}% of the gateway's CPU"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=6, help="measurements per arm, alternating")
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per measurement")
    args = parser.parse_args()
    fake, fake_url = start_fake(0)
    stacks: dict[str, Stack] = {}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            try:
                start_stacks(Path(tmp), fake_url, stacks)
                compare(stacks, args.rounds, args.duration)
            finally:
                for stack in stacks.values():
                    stack.stop()
    finally:
        stop(fake)


if __name__ == "__main__":
    main()
