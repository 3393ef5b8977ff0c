"""A minimal MCP client over streamable HTTP (JSON-RPC POSTed to one endpoint; each answer JSON
or an SSE stream), on the service's own aiohttp session so that tool-server rules hold for it too:
only the configured URL, no redirects, a deadline per exchange and a cap on what is read."""

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass

import aiohttp

from services.inference.tools.server_calls import read_limited

PROTOCOL_VERSION = "2025-06-18"
CLIENT_INFO = {"name": "webui-platform", "version": "0.1.0"}
# tools/list pages followed at most (a server answering with cursors forever stops here).
_MAX_PAGES = 20


class McpError(Exception):
    """The exchange failed: unreachable, an HTTP or JSON-RPC error, a malformed or oversized answer."""


class McpTimeout(McpError):
    """The server did not answer within the deadline."""


@dataclass(frozen=True)
class McpLimits:
    timeout: aiohttp.ClientTimeout
    max_bytes: int


async def sse_messages(chunks: AsyncIterator[bytes], max_bytes: int) -> AsyncIterator[object]:
    """The JSON messages of an SSE stream (one per event's ``data`` lines). The cap counts bytes as
    they arrive, so a line that never ends cannot grow past it either."""
    size = 0
    pending = bytearray()
    data: list[str] = []

    def take(line: bytes) -> object | None:
        text = line.decode("utf-8", errors="replace").rstrip("\r")
        if text.startswith("data:"):
            data.append(text[5:].removeprefix(" "))
        elif not text and data:
            message = _parsed("\n".join(data))
            data.clear()
            return message
        return None

    async for chunk in chunks:
        size += len(chunk)
        if size > max_bytes:
            raise McpError(f"The MCP server's answer is larger than {max_bytes} bytes")
        pending += chunk
        while (end := pending.find(b"\n")) != -1:
            line = bytes(pending[:end])
            del pending[: end + 1]
            message = take(line)
            if message is not None:
                yield message
    if pending:
        message = take(bytes(pending))
        if message is not None:
            yield message
    if data:
        yield _parsed("\n".join(data))


def _parsed(text: str) -> object:
    try:
        return json.loads(text)
    except ValueError:
        raise McpError("The MCP server sent a message that is not JSON") from None


class McpSession:
    """One MCP session with one server: ``initialize`` first, ``close`` last."""

    def __init__(self, http: aiohttp.ClientSession, url: str, headers: dict[str, str]) -> None:
        self._http = http
        self._url = url
        self._headers = headers
        self._session_id: str | None = None
        self._next_id = 0
        self.instructions = ""

    def _request_headers(self) -> dict[str, str]:
        headers = {
            **self._headers,
            "Content-Type": "application/json",
            "Accept": "application/json, text/event-stream",
            "MCP-Protocol-Version": PROTOCOL_VERSION,
        }
        if self._session_id:
            headers["Mcp-Session-Id"] = self._session_id
        return headers

    async def _exchange(self, message: dict, limits: McpLimits) -> dict | None:
        """POSTs one message; the JSON-RPC response to it (None for a notification)."""
        wanted = message.get("id")
        try:
            async with self._http.post(
                self._url,
                data=json.dumps(message).encode(),
                headers=self._request_headers(),
                timeout=limits.timeout,
                allow_redirects=False,
            ) as response:
                if response.status >= 300:
                    text = (await response.content.read(2048)).decode("utf-8", errors="replace")
                    raise McpError(f"HTTP error {response.status}: {text}")
                session_id = response.headers.get("Mcp-Session-Id")
                if session_id:
                    self._session_id = session_id
                if wanted is None:
                    return None
                if response.content_type == "text/event-stream":
                    async for found in sse_messages(response.content.iter_any(), limits.max_bytes):
                        if isinstance(found, dict) and found.get("id") == wanted and "method" not in found:
                            return self._result(found)
                    raise McpError("The MCP server closed the stream without an answer")
                body = await read_limited(response.content.iter_any(), limits.max_bytes)
                if body is None:
                    raise McpError(f"The MCP server's answer is larger than {limits.max_bytes} bytes")
                found = _parsed(body.decode("utf-8", errors="replace"))
                if isinstance(found, list):
                    found = next((m for m in found if isinstance(m, dict) and m.get("id") == wanted), None)
                if not isinstance(found, dict):
                    raise McpError("The MCP server's answer is not a JSON-RPC response")
                return self._result(found)
        except TimeoutError:
            raise McpTimeout(f"The MCP server did not answer within {limits.timeout.total:g} s") from None
        except (aiohttp.ClientError, ValueError) as error:
            raise McpError(f"The MCP server could not be reached: {error or type(error).__name__}") from None

    @staticmethod
    def _result(message: dict) -> dict:
        error = message.get("error")
        if error is not None:
            text = error.get("message") if isinstance(error, dict) else error
            raise McpError(f"MCP error: {text}")
        result = message.get("result")
        if not isinstance(result, dict):
            raise McpError("The MCP server's answer has no result")
        return result

    async def _request(self, method: str, params: dict, limits: McpLimits) -> dict:
        self._next_id += 1
        message = {"jsonrpc": "2.0", "id": self._next_id, "method": method, "params": params}
        result = await self._exchange(message, limits)
        if result is None:
            raise McpError("The MCP server's answer has no result")
        return result

    async def initialize(self, limits: McpLimits) -> None:
        params = {"protocolVersion": PROTOCOL_VERSION, "capabilities": {}, "clientInfo": CLIENT_INFO}
        result = await self._request("initialize", params, limits)
        instructions = result.get("instructions")
        self.instructions = instructions if isinstance(instructions, str) else ""
        await self._exchange({"jsonrpc": "2.0", "method": "notifications/initialized"}, limits)

    async def list_tools(self, limits: McpLimits) -> list[dict]:
        tools: list[dict] = []
        params: dict = {}
        for _ in range(_MAX_PAGES):
            result = await self._request("tools/list", params, limits)
            page = result.get("tools")
            tools += [t for t in page if isinstance(t, dict)] if isinstance(page, list) else []
            cursor = result.get("nextCursor")
            if not isinstance(cursor, str) or not cursor:
                break
            params = {"cursor": cursor}
        return tools

    async def call_tool(self, name: str, arguments: dict, limits: McpLimits) -> dict:
        return await self._request("tools/call", {"name": name, "arguments": arguments}, limits)

    async def close(self, limits: McpLimits) -> None:
        """Ends the session on the server (servers without sessions answer 405: nothing to end)."""
        if not self._session_id:
            return
        try:
            async with self._http.delete(
                self._url, headers=self._request_headers(), timeout=limits.timeout, allow_redirects=False
            ):
                pass
        except (aiohttp.ClientError, TimeoutError):
            # The server forgets idle sessions itself; nothing here depends on this answer.
            return
