"""A callback receiver on loopback for ingest job callbacks: records every POST, can fail the next
few (500) or answer with a redirect, and checks nothing itself (tests verify the signatures)."""

import asyncio
import socket
import threading
import time
from dataclasses import dataclass
from typing import Self

import orjson
from aiohttp import web


def free_port(host: str) -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    status: int
    at: float

    @property
    def json(self) -> dict:
        return orjson.loads(self.body)


class CallbackReceiver:
    """Serves in a thread of its own (usable from sync and async tests alike). ``fail_next`` makes
    the next n deliveries answer 500; ``/redirect`` always answers 302."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.host = host
        self.port = free_port(host)
        self.received: list[Received] = []
        self._fail = 0
        self._lock = threading.Lock()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._runner: web.AppRunner | None = None

    def url(self, path: str = "/hook") -> str:
        return f"http://{self.host}:{self.port}{path}"

    def fail_next(self, count: int) -> None:
        with self._lock:
            self._fail = count

    def delivered(self) -> list[Received]:
        """The requests answered 2xx."""
        with self._lock:
            return [r for r in self.received if 200 <= r.status < 300]

    def wait_for(self, count: int, timeout_s: float = 20.0) -> list[Received]:
        """Blocks until ``count`` deliveries were answered 2xx (or the timeout)."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            delivered = self.delivered()
            if len(delivered) >= count:
                return delivered
            time.sleep(0.05)
        return self.delivered()

    async def wait_for_async(self, count: int, timeout_s: float = 20.0) -> list[Received]:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            delivered = self.delivered()
            if len(delivered) >= count:
                return delivered
            await asyncio.sleep(0.05)
        return self.delivered()

    def _app(self) -> web.Application:
        async def hook(request: web.Request) -> web.Response:
            body = await request.read()
            with self._lock:
                status = 500 if self._fail > 0 else 200
                self._fail = max(self._fail - 1, 0)
                if request.path == "/redirect":
                    status = 302
                self.received.append(Received(request.path, dict(request.headers), body, status, time.time()))
            if status == 302:
                return web.Response(status=302, headers={"Location": "/hook"})
            return web.Response(status=status, text="ok" if status == 200 else "down")

        app = web.Application()
        app.router.add_post("/{tail:.*}", hook)
        return app

    def __enter__(self) -> Self:
        self._thread.start()

        async def start() -> None:
            self._runner = web.AppRunner(self._app(), shutdown_timeout=0.05)
            await self._runner.setup()
            await web.TCPSite(self._runner, self.host, self.port).start()

        asyncio.run_coroutine_threadsafe(start(), self._loop).result(10)
        return self

    def __exit__(self, *_: object) -> None:
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
