"""What a tool-server call adds over the tool server's own time: ``ServerTool.call`` of the fake
tool server's ``get_weather`` (request built from the model's arguments, sent, answer turned into
the model's text) against the same GET made directly with a pooled aiohttp session. The fake runs
as a process of its own, so that its time is the same in both rows.

    PYTHONPATH=.:gen .venv/bin/python bench/tool_servers.py --calls 2000
"""

import argparse
import asyncio
import json
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable

import aiohttp

from services.common.identity import Identity
from services.inference.tools.connections import parse_connections
from services.inference.tools.servers import ToolServerLimits, ToolServers
from services.inference.tools.types import ToolCallContext
from tests.fakes.tool_server import TOOL_SERVER_KEY, FakeToolServer

ARGUMENTS = {"city": "Paris", "days": 2, "unit": "celsius"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def wait_listening(url: str) -> None:
    async with aiohttp.ClientSession() as session:
        for _ in range(200):
            try:
                async with session.get(
                    url + "/openapi.json", headers={"Authorization": f"Bearer {TOOL_SERVER_KEY}"}
                ):
                    return
            except aiohttp.ClientError:
                await asyncio.sleep(0.05)
    raise RuntimeError("the fake tool server did not start")


async def timings_ms(call: Callable[[], Awaitable[object]], calls: int) -> list[float]:
    times = []
    for _ in range(calls):
        started = time.perf_counter()
        await call()
        times.append((time.perf_counter() - started) * 1000)
    return times


def row(name: str, times: list[float]) -> str:
    cut = sorted(times)
    return f"| {name} | {statistics.median(cut):.3f} | {cut[int(len(cut) * 0.99) - 1]:.3f} |"


async def measure(url: str, calls: int) -> None:
    await wait_listening(url)
    entry = FakeToolServer().connection("bench")
    entry["url"] = url
    servers = ToolServers(parse_connections(json.dumps([entry])), ToolServerLimits())
    caller = Identity("bench-user", role="admin")
    context = ToolCallContext(caller=caller, metadata={"chat_id": ""}, messages=[], model={})
    tool = next(t for t in await servers.resolve(caller, ["server:bench"]) if t.name == "get_weather")
    headers = {"Authorization": f"Bearer {TOOL_SERVER_KEY}"}
    query = {"days": "2", "unit": "celsius"}
    async with aiohttp.ClientSession() as session:

        async def direct() -> object:
            async with session.get(f"{url}/weather/Paris", params=query, headers=headers) as response:
                return await response.json()

        async def through_tool() -> str:
            return await tool.call(ARGUMENTS, context)

        assert json.loads(await through_tool()) == await direct()
        await timings_ms(direct, calls // 10)
        await timings_ms(through_tool, calls // 10)
        direct_ms: list[float] = []
        tool_ms: list[float] = []
        # Interleaved batches, so that drift on the machine hits both rows alike.
        for _ in range(10):
            direct_ms += await timings_ms(direct, calls // 10)
            tool_ms += await timings_ms(through_tool, calls // 10)
    await servers.close()
    print("| path | p50 ms | p99 ms |\n|---|---|---|")
    print(row("direct aiohttp GET (the tool server's own time)", direct_ms))
    print(row("ServerTool.call (get_weather)", tool_ms))
    print(f"added p50: {statistics.median(tool_ms) - statistics.median(direct_ms):.3f} ms")


def main(calls: int) -> None:
    port = free_port()
    fake = subprocess.Popen(
        [sys.executable, "-m", "tests.fakes.tool_server", "--port", str(port)], stdout=subprocess.DEVNULL
    )
    try:
        asyncio.run(measure(f"http://127.0.0.1:{port}", calls))
    finally:
        fake.terminate()
        fake.wait(timeout=10)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000)
    main(parser.parse_args().calls)
