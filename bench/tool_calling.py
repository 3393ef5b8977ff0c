"""What one round of server tool calling adds: non-streamed ``POST /api/chat/completions`` with
``tool_ids`` naming a no-op Python tool, where the model calls it once and then answers from its
result (two upstream calls and the tool), against the same request whose messages already end with
the tool's result (answered at once: one upstream call, the tools resolved all the same) plus the
second upstream call made directly to the fake. The difference is what the round itself costs:
reading the call, running the tool, building and sending the second request, and the reply. A
plain request (no ``tool_ids``) shows what resolving the tools costs on its own.

Starts the fake OpenAI-compatible server (``tests/fakes/openai.py``) as its own process and a stack
in a temp DATA_DIR pointed at it; measures in interleaved batches after a warm-up batch.

    PYTHONPATH=.:gen .venv/bin/python bench/tool_calling.py --requests 2000
"""

import argparse
import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

from services.common.infra import free_port, wait_for_port
from services.stack import ROOT, Stack, StackConfig, child_env

MODEL = "gpt-4o-mini"
QUESTION = [{"role": "user", "content": "Anything to do?"}]
TOOL_ID = "noop_tool"
NOOP_TOOL = '''"""
title: No-op
"""


class Tools:
    def noop(self, city: str = "") -> str:
        """
        Does nothing.
        :param city: Ignored
        """
        return "ok"
'''
SPEC = {
    "name": "noop",
    "description": "Does nothing.",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
}


def start_fake() -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.fakes.openai", "--port", str(port)],
        cwd=ROOT,
        env=child_env(),
        stdout=subprocess.DEVNULL,
    )
    wait_for_port("127.0.0.1", port, timeout_s=20)
    return process, f"http://127.0.0.1:{port}/v1"


async def sign_up_admin(session: aiohttp.ClientSession, base: str) -> dict[str, str]:
    body = {"name": "Bench", "email": "bench@example.com", "password": "bench password"}
    async with session.post(f"{base}/api/v1/auths/signup", json=body) as response:
        response.raise_for_status()
        return {"Authorization": f"Bearer {(await response.json())['token']}"}


async def timed_ms(session: aiohttp.ClientSession, url: str, body: dict, headers: dict[str, str]) -> float:
    started = time.perf_counter()
    async with session.post(url, json=body, headers=headers) as response:
        reply = await response.read()
        if response.status != 200:
            raise RuntimeError(f"{url} answered {response.status}: {reply[:200]!r}")
    return (time.perf_counter() - started) * 1000


def row(name: str, times: list[float]) -> str:
    cut = sorted(times)
    return f"| {name} | {statistics.median(cut):.2f} | {cut[int(len(cut) * 0.99) - 1]:.2f} |"


async def measure(base: str, fake: str, requests: int) -> None:
    ours = f"{base}/api/chat/completions"
    async with aiohttp.ClientSession() as session:
        headers = await sign_up_admin(session, base)
        form = {"id": TOOL_ID, "name": "No-op", "content": NOOP_TOOL, "meta": {"description": "no-op"}}
        async with session.post(f"{base}/api/v1/tools/create", json=form, headers=headers) as response:
            if response.status != 200:
                raise RuntimeError(f"creating the tool answered {response.status}: {await response.text()}")
        call = {"id": "call_1", "type": "function", "function": {"name": "noop", "arguments": "{}"}}
        answered = [
            *QUESTION,
            {"role": "assistant", "content": "", "tool_calls": [call]},
            {"role": "tool", "tool_call_id": "call_1", "content": "ok"},
        ]
        offered = [{"type": "function", "function": SPEC}]
        rows = {
            "plain, the messages ending with the result": (ours, {"messages": answered}, headers),
            "tool_ids, the messages ending with the result (no round)": (
                ours,
                {"messages": answered, "tool_ids": [TOOL_ID]},
                headers,
            ),
            "tool_ids, one round (call, no-op tool, answer)": (ours, {"tool_ids": [TOOL_ID]}, headers),
            "the second upstream call, to the fake directly": (
                f"{fake}/chat/completions",
                {"messages": answered, "tools": offered},
                {},
            ),
        }
        times: dict[str, list[float]] = {name: [] for name in rows}
        batches = 10
        for batch in range(batches + 1):
            for name, (url, extra, sent_headers) in rows.items():
                body = {"model": MODEL, "messages": QUESTION, "stream": False, **extra}
                taken = [await timed_ms(session, url, body, sent_headers) for _ in range(requests // batches)]
                # The first batch warms every path up and is not counted.
                if batch:
                    times[name] += taken
    print("| path | p50 ms | p99 ms |\n|---|---|---|")
    for name, taken in times.items():
        print(row(name, taken))
    plain, resolved, round_trip, second = (statistics.median(taken) for taken in times.values())
    print(f"added p50 by the round, beyond the second upstream call: {round_trip - resolved - second:.2f} ms")
    print(f"added p50 by resolving tool_ids (no round): {resolved - plain:.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=2000, help="requests per path")
    args = parser.parse_args()
    fake, fake_url = start_fake()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            env = {
                "OPENAI_API_BASE_URLS": fake_url,
                "OPENAI_API_KEYS": "bench",
                "ENABLE_OLLAMA_API": "false",
                "LOG_LEVEL": "WARNING",
            }
            stack = Stack(
                StackConfig(data_dir=Path(tmp), port=free_port(), env=env, log_dir=Path(tmp) / "logs")
            )
            stack.start()
            try:
                asyncio.run(measure(stack.gateway_url, fake_url, args.requests))
            finally:
                stack.stop()
    finally:
        fake.terminate()
        fake.wait(timeout=10)


if __name__ == "__main__":
    main()
