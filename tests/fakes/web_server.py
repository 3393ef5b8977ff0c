"""A small web site on loopback for the fetcher's tests: pages, redirects, big and slow bodies."""

import asyncio
import socket
import threading
from typing import Self

from aiohttp import web

PAGE_TEXT = "Zebrafish regenerate their heart muscle after injury."
PAGE_HTML = (
    "<html><head><title>Zebrafish</title><style>p{color:red}</style>"
    "<script>var hidden = 'script text';</script></head>"
    f"<body><h1>Fish facts</h1><p>{PAGE_TEXT}</p></body></html>"
)
PNG_BYTES = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def free_port(host: str) -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


class FakeWebServer:
    """Serves on ``host`` (127.0.0.2 by default, so that a stack allowing only that address still
    refuses 127.0.0.1) in a thread of its own."""

    def __init__(self, host: str = "127.0.0.2", big_bytes: int = 8 * 1024 * 1024) -> None:
        self.host = host
        self.port = free_port(host)
        self.big_bytes = big_bytes
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def _app(self) -> web.Application:
        app = web.Application()

        async def page(_: web.Request) -> web.Response:
            return web.Response(text=PAGE_HTML, content_type="text/html")

        async def plain(_: web.Request) -> web.Response:
            return web.Response(text=f"Plain notes. {PAGE_TEXT}", content_type="text/plain")

        async def csv(_: web.Request) -> web.Response:
            return web.Response(text="animal,organ\nzebrafish,heart\n", content_type="text/csv")

        async def image(_: web.Request) -> web.Response:
            return web.Response(body=PNG_BYTES, content_type="image/png")

        async def big(request: web.Request) -> web.StreamResponse:
            # No Content-Length: the cap must bite while streaming.
            response = web.StreamResponse(headers={"Content-Type": "text/html"})
            response.enable_chunked_encoding()
            await response.prepare(request)
            block = b"<p>" + b"x" * 65536 + b"</p>"
            sent = 0
            while sent < self.big_bytes:
                await response.write(block)
                sent += len(block)
            await response.write_eof()
            return response

        async def slow(request: web.Request) -> web.StreamResponse:
            await asyncio.sleep(3)
            return web.Response(text="late")

        async def redirect(request: web.Request) -> web.Response:
            raise web.HTTPFound(request.query.get("to", "/page.html"))

        async def missing(_: web.Request) -> web.Response:
            return web.Response(status=404, text="no")

        app.router.add_get("/page.html", page)
        app.router.add_get("/plain.txt", plain)
        app.router.add_get("/data.csv", csv)
        app.router.add_get("/image.png", image)
        app.router.add_get("/big", big)
        app.router.add_get("/slow", slow)
        app.router.add_get("/redirect", redirect)
        app.router.add_get("/missing", missing)
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
        async def stop() -> None:
            if self._runner is not None:
                await self._runner.cleanup()
            # Handlers still sleeping (/slow) end here rather than being destroyed pending.
            others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in others:
                task.cancel()
            await asyncio.gather(*others, return_exceptions=True)

        asyncio.run_coroutine_threadsafe(stop(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
