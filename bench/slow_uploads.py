"""Slow uploads against everyone else: another user's request latency while N uploads trickle in.

Starts a stack in a temp DATA_DIR with ``DB_POOL_MAX=10``, signs up N uploaders and one other user,
and times the other user's ``GET /api/v1/files/`` (sequentially, 20 times) with no upload running,
then while N uploads (more than the pool holds) send a kilobyte every 0.2 s; then one small upload
of the other user. Prints p50 and max of each.

    python bench/slow_uploads.py --uploads 12
"""

import argparse
import asyncio
import statistics
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp

from services.common.infra import free_port
from services.stack import Stack, StackConfig

PIECE = b"x" * 1024
ROUNDS = 20


async def upload(
    session: aiohttp.ClientSession, url: str, token: str, trickle_s: float = 0.0, stall_s: float = 0.0
) -> tuple[int, dict, dict]:
    """A multipart upload whose file arrives a kilobyte every 0.2 s for ``trickle_s`` (after
    ``stall_s`` of silence following its first kilobyte); returns status, JSON and headers."""
    boundary = uuid.uuid4().hex
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="slow.txt"\r\n'
        "Content-Type: text/plain\r\n\r\n"
    ).encode()

    async def body() -> AsyncIterator[bytes]:
        yield head + PIECE
        await asyncio.sleep(stall_s)
        deadline = time.monotonic() + trickle_s
        while time.monotonic() < deadline:
            await asyncio.sleep(0.2)
            yield PIECE
        yield f"\r\n--{boundary}--\r\n".encode()

    async with session.post(
        f"{url}/api/v1/files/?process=false",
        data=body(),
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": f"multipart/form-data; boundary={boundary}",
        },
    ) as reply:
        return reply.status, await reply.json(), dict(reply.headers)


async def signup(session: aiohttp.ClientSession, url: str, email: str) -> str:
    form = {"name": "Bench", "email": email, "password": "bench password"}
    async with session.post(f"{url}/api/v1/auths/signup", json=form) as reply:
        assert reply.status == 200, await reply.text()
        return (await reply.json())["token"]


async def listing_times(session: aiohttp.ClientSession, url: str, token: str) -> list[float]:
    times = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        async with session.get(f"{url}/api/v1/files/", headers={"Authorization": f"Bearer {token}"}) as reply:
            await reply.read()
            assert reply.status == 200, reply.status
        times.append((time.perf_counter() - started) * 1000)
        await asyncio.sleep(0.1)
    return times


def summary(name: str, times_ms: list[float]) -> str:
    return f"{name}: p50 {statistics.median(times_ms):.1f} ms, max {max(times_ms):.1f} ms"


async def measure(url: str, uploads: int, trickle_s: float) -> None:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=trickle_s + 120)) as session:
        await signup(session, url, "admin@example.com")
        uploaders = [await signup(session, url, f"u{n}@example.com") for n in range(uploads)]
        other = await signup(session, url, "other@example.com")
        print(summary("files list, no upload running", await listing_times(session, url, other)))
        slow = [asyncio.create_task(upload(session, url, token, trickle_s)) for token in uploaders]
        await asyncio.sleep(1.0)
        print(summary(f"files list, {uploads} uploads trickling", await listing_times(session, url, other)))
        started = time.perf_counter()
        status, _, _ = await upload(session, url, other)
        print(f"small upload during them: {status} in {(time.perf_counter() - started) * 1000:.1f} ms")
        results = await asyncio.gather(*slow)
        print(f"slow uploads: {[status for status, _, _ in results].count(200)}/{uploads} stored")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--uploads", type=int, default=12)
    parser.add_argument("--trickle-s", type=float, default=8.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            "DB_POOL_MAX": "10",
            "DEFAULT_USER_ROLE": "user",
            "BCRYPT_ROUNDS": "4",
            "EMBEDDING_PRELOAD": "false",
        }
        stack = Stack(StackConfig(data_dir=Path(tmp), port=free_port(), durable=False, env=env))
        stack.start()
        try:
            asyncio.run(measure(stack.gateway_url, args.uploads, args.trickle_s))
        finally:
            stack.stop()


if __name__ == "__main__":
    main()
