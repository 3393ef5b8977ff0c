"""A fake MCP server over streamable HTTP at ``/mcp``: sessions, paged ``tools/list``, ``tools/call``
answered as JSON or (with ``sse``) as an event stream, and the configured bearer key checked."""

import asyncio
import json
import uuid
from typing import Any

from aiohttp import web

from tests.fakes.base import FakeServer, serve_main

MCP_SERVER_KEY = "mcp-server-key"
MCP_INSTRUCTIONS = "Use get_weather for weather questions."
MCP_FORECAST = "rainy"

TOOLS = [
    {
        "name": "get_weather",
        "description": "Get the weather for a city.",
        "inputSchema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
    {"name": "fail", "description": "Always fails.", "inputSchema": {"type": "object", "properties": {}}},
    {"name": "slow", "description": "Answers after slow_s seconds.", "inputSchema": {"type": "object"}},
    {"name": "x" * 70, "description": "A tool with a long name.", "inputSchema": {"type": "object"}},
]


class FakeMcpServer(FakeServer):
    """One MCP endpoint; ``sse`` switches answers to ``text/event-stream``."""

    def __init__(
        self, *, api_key: str | None = MCP_SERVER_KEY, sse: bool = False, slow_s: float = 5.0, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.api_key = api_key
        self.sse = sse
        self.slow_s = slow_s
        self.sessions: set[str] = set()
        self.closed_sessions: list[str] = []

    @property
    def endpoint(self) -> str:
        return f"{self.url}/mcp"

    def connection(self, server_id: str = "fakemcp", **overrides: Any) -> dict:
        """This server as one entry of ``TOOL_SERVER_CONNECTIONS``, readable by every signed-in user."""
        entry: dict[str, Any] = {
            "type": "mcp",
            "url": self.endpoint,
            "auth_type": "bearer",
            "key": self.api_key or "",
            "config": {
                "enable": True,
                "access_grants": [{"principal_type": "user", "principal_id": "*", "permission": "read"}],
            },
            "info": {"id": server_id, "name": "Fake MCP", "description": "MCP for tests"},
        }
        entry.update(overrides)
        return entry

    def _add_routes(self, router: web.UrlDispatcher) -> None:
        router.add_post("/mcp", self._post)
        router.add_delete("/mcp", self._delete)

    def _authorised(self, request: web.Request) -> bool:
        return self.api_key is None or request.headers.get("Authorization") == f"Bearer {self.api_key}"

    async def _post(self, request: web.Request) -> web.StreamResponse:
        if not self._authorised(request):
            return web.json_response({"error": "unauthorized"}, status=401)
        message = await request.json()
        method = message.get("method")
        if method == "initialize":
            session = uuid.uuid4().hex
            self.sessions.add(session)
            result = {
                "protocolVersion": message["params"]["protocolVersion"],
                "capabilities": {"tools": {}},
                "serverInfo": {"name": "fake-mcp", "version": "1"},
                "instructions": MCP_INSTRUCTIONS,
            }
            return await self._answer(request, message, result, {"Mcp-Session-Id": session})
        if request.headers.get("Mcp-Session-Id") not in self.sessions:
            return web.json_response({"error": "unknown session"}, status=404)
        if "id" not in message:
            return web.Response(status=202)
        if method == "tools/list":
            # Two pages, so that clients must follow the cursor.
            if message.get("params", {}).get("cursor") == "2":
                return await self._answer(request, message, {"tools": TOOLS[1:]})
            return await self._answer(request, message, {"tools": TOOLS[:1], "nextCursor": "2"})
        if method == "tools/call":
            return await self._call(request, message)
        return await self._answer(
            request, message, None, error={"code": -32601, "message": "Method not found"}
        )

    async def _call(self, request: web.Request, message: dict) -> web.StreamResponse:
        name = message["params"]["name"]
        arguments = message["params"].get("arguments") or {}
        if name == "get_weather":
            text = json.dumps({"city": arguments.get("city"), "forecast": MCP_FORECAST})
            return await self._answer(request, message, {"content": [{"type": "text", "text": text}]})
        if name == "fail":
            result = {"content": [{"type": "text", "text": "it broke"}], "isError": True}
            return await self._answer(request, message, result)
        if name == "slow":
            await asyncio.sleep(self.slow_s)
            return await self._answer(request, message, {"content": [{"type": "text", "text": "late"}]})
        return await self._answer(
            request, message, None, error={"code": -32602, "message": f"Unknown tool: {name}"}
        )

    async def _answer(
        self,
        request: web.Request,
        message: dict,
        result: dict | None,
        headers: dict[str, str] | None = None,
        error: dict | None = None,
    ) -> web.StreamResponse:
        reply: dict[str, Any] = {"jsonrpc": "2.0", "id": message["id"]}
        if error is not None:
            reply["error"] = error
        else:
            reply["result"] = result
        if not self.sse:
            return web.json_response(reply, headers=headers)
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream", **(headers or {})})
        await response.prepare(request)
        # A server notification first: clients must wait for the answer to their own id.
        note = {
            "jsonrpc": "2.0",
            "method": "notifications/message",
            "params": {"level": "info", "data": "hi"},
        }
        await response.write(f"event: message\ndata: {json.dumps(note)}\n\n".encode())
        await response.write(f"event: message\ndata: {json.dumps(reply)}\n\n".encode())
        await response.write_eof()
        return response

    async def _delete(self, request: web.Request) -> web.Response:
        session = request.headers.get("Mcp-Session-Id", "")
        self.sessions.discard(session)
        self.closed_sessions.append(session)
        return web.Response(status=200)


if __name__ == "__main__":
    serve_main(FakeMcpServer, "Fake MCP (streamable HTTP) server for tests.")
