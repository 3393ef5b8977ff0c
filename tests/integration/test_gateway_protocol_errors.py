"""GatewayRunner on a real socket: what aiohttp's parser refuses is a JSON 4xx, not plain text."""

import asyncio
import json
from collections.abc import AsyncIterator

import pytest
from aiohttp import web

from services.gateway.protocol_errors import MAX_LINE_BYTES, GatewayRunner


async def _ok(request: web.Request) -> web.Response:
    return web.json_response({"path_bytes": len(request.raw_path)})


@pytest.fixture
async def port() -> AsyncIterator[int]:
    app = web.Application()
    app.router.add_get("/{tail:.*}", _ok)
    runner = GatewayRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield runner.addresses[0][1]
    finally:
        await runner.cleanup()


async def exchange(port: int, raw: bytes) -> tuple[int, dict[str, str], bytes]:
    """Sends ``raw`` and reads the one answer: status, headers (lower-cased names), body."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(raw)
        await writer.drain()
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
        lines = head.decode("latin-1").split("\r\n")
        headers = dict(line.split(": ", 1) for line in lines[1:] if line)
        headers = {name.lower(): value for name, value in headers.items()}
        body = await asyncio.wait_for(reader.readexactly(int(headers.get("content-length", "0"))), 5)
        headers["x-closed"] = "yes" if await asyncio.wait_for(reader.read(1), 5) == b"" else "no"
        return int(lines[0].split()[1]), headers, body
    finally:
        writer.close()


def get(path: str, *headers: str) -> bytes:
    return "\r\n".join([f"GET {path} HTTP/1.1", "Host: x", *headers, "", ""]).encode("latin-1")


@pytest.mark.parametrize(
    ("raw", "status", "detail"),
    [
        (get("/" + "a" * 9000), 414, "Request-URI Too Long"),
        (get("/" + "a" * MAX_LINE_BYTES), 414, "Request-URI Too Long"),
        (get("/", "X-Big: " + "a" * 9000), 431, "Request Header Fields Too Large"),
        (get("/", "X-" + "a" * 9000 + ": 1"), 431, "Request Header Fields Too Large"),
        (get("/", "No colon here"), 400, "Bad Request"),
        (get("/", "X-Ctl: a\x01b"), 400, "Bad Request"),
        (get("/", *(f"X-H{i}: v" for i in range(300))), 400, "Bad Request"),
        (b"NOT HTTP AT ALL\r\n\r\n", 400, "Bad Request"),
        (get("/", "Content-Length: 1", "Content-Length: 2"), 400, "Bad Request"),
    ],
)
async def test_parser_refusals_are_json(port: int, raw: bytes, status: int, detail: str) -> None:
    got, headers, body = await exchange(port, raw)
    assert (got, json.loads(body)) == (status, {"detail": detail})
    assert headers["content-type"].startswith("application/json")
    # The connection is closed after it: what follows in its bytes cannot be trusted.
    assert headers["x-closed"] == "yes"


async def test_a_url_just_within_the_limit_is_served(port: int) -> None:
    path = "/" + "a" * (MAX_LINE_BYTES - 1)
    got, _, body = await exchange(port, get(path, "Connection: close"))
    assert (got, json.loads(body)) == (200, {"path_bytes": MAX_LINE_BYTES})
