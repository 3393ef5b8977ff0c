"""What usage records cost a chat completion: the same stack, restarted with USAGE_RECORDING on
and off in turns (interleaved, so that drift of a shared machine falls on both), non-streaming
``POST /api/chat/completions`` at 1 and 16 clients; medians over the rounds. Used by
``bench/chat.py --recording-overhead``."""

import asyncio
import statistics

import aiohttp

from services.stack import Stack

MODEL = "llama3.2:latest"
MESSAGES = [{"role": "user", "content": "Why is the sky blue?"}]


async def _measure(base: str, headers: dict[str, str], duration_s: float, load) -> tuple[dict, dict]:  # type: ignore[no-untyped-def]
    body = {"model": MODEL, "messages": MESSAGES, "stream": False}
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=64)) as session:
        one = await load(session, f"{base}/api/chat/completions", body, headers, 1, duration_s)
        many = await load(session, f"{base}/api/chat/completions", body, headers, 16, duration_s)
    return one, many


def recording_overhead(
    stack: Stack, headers: dict[str, str], duration_s: float, rounds: int, load
) -> list[str]:  # type: ignore[no-untyped-def]
    results: dict[str, list[tuple[dict, dict]]] = {"on": [], "off": []}
    for _ in range(rounds):
        for mode in ("on", "off"):
            stack.stop_services()
            stack.config.env["USAGE_RECORDING"] = "true" if mode == "on" else "false"
            stack.start_services()
            results[mode].append(asyncio.run(_measure(stack.gateway_url, headers, duration_s, load)))
    stack.config.env.pop("USAGE_RECORDING", None)

    def median(mode: str, index: int, key: str) -> float:
        return statistics.median(r[index][key] for r in results[mode])

    lines = [
        "| usage records | p50 ms, 1 client | req/s, 16 clients | p50 ms, 16 clients |",
        "|---|---|---|---|",
    ]
    for mode in ("on", "off"):
        lines.append(
            f"| {mode} | {median(mode, 0, 'p50_ms'):.2f} | {median(mode, 1, 'rps'):.0f} | "
            f"{median(mode, 1, 'p50_ms'):.2f} |"
        )
    added = median("on", 0, "p50_ms") - median("off", 0, "p50_ms")
    cost = 1 - median("on", 1, "rps") / median("off", 1, "rps")
    lines.append(
        f"\nrecording adds {added:.3f} ms p50 at 1 client and costs {cost * 100:.1f} % of throughput at "
        f"16 clients (medians of {rounds} interleaved rounds of {duration_s:.0f} s)"
    )
    return lines
