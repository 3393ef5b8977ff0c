"""What calling a function hook costs: ``call_hook`` on a no-op ``async def`` and ``def`` hook (the
latter on a worker thread), against a direct call, and per item of sync and async generators.

    PYTHONPATH=.:gen .venv/bin/python bench/function_hooks.py --calls 5000
"""

import argparse
import asyncio
import statistics
import time
from collections.abc import AsyncIterator, Callable, Iterator

from services.inference.functions.invoke import call_hook, iterate_result

INJECTED = {"__user__": {"id": "u"}, "__metadata__": {}, "__model__": {}, "__id__": "noop"}


class Hooks:
    async def async_inlet(self, body: dict, __user__: dict | None = None) -> dict:
        return body

    def sync_inlet(self, body: dict, __user__: dict | None = None) -> dict:
        return body

    def sync_items(self, n: int) -> Iterator[str]:
        yield from ("x" for _ in range(n))

    async def async_items(self, n: int) -> AsyncIterator[str]:
        for _ in range(n):
            yield "x"


async def per_call_us(call: Callable, calls: int) -> float:
    """Median over 5 batches of the mean time per call, in microseconds."""
    batches = []
    for _ in range(5):
        started = time.perf_counter()
        for _ in range(calls // 5):
            await call()
        batches.append((time.perf_counter() - started) / (calls // 5) * 1e6)
    return statistics.median(batches)


async def main(calls: int) -> None:
    hooks = Hooks()
    body = {"model": "m", "messages": []}
    rows = {
        "direct await of an async def hook": lambda: hooks.async_inlet(body=body),
        "call_hook, async def hook": lambda: call_hook(hooks.async_inlet, (), {"body": body, **INJECTED}, 5),
        "call_hook, def hook (worker thread)": lambda: call_hook(
            hooks.sync_inlet, (), {"body": body, **INJECTED}, 5
        ),
        "asyncio.to_thread, def hook (for comparison)": lambda: asyncio.to_thread(hooks.sync_inlet, body),
    }
    for name, call in rows.items():
        await per_call_us(call, calls // 5)  # warm-up
        print(f"| {name} | {await per_call_us(call, calls):.1f} µs |", flush=True)
    items = max(100, calls // 5)
    for name, make in (("sync generator", hooks.sync_items), ("async generator", hooks.async_items)):
        started = time.perf_counter()
        async for _ in iterate_result(make(items), 5):
            pass
        print(
            f"| iterate_result, {name}, per item | {(time.perf_counter() - started) / items * 1e6:.1f} µs |"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=5000)
    asyncio.run(main(parser.parse_args().calls))
