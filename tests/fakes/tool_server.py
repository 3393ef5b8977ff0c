"""A fake OpenAPI tool server: ``/openapi.json`` (and ``.yaml``) describing a handful of operations,
each bearing the configured key: a GET with path and query parameters, a POST with a JSON body,
one that fails, one that is slow and one whose answer is huge."""

import asyncio
import json
from typing import Any

import yaml
from aiohttp import web

from tests.fakes.base import FakeServer, Handler, serve_main

TOOL_SERVER_KEY = "tool-server-key"
TOOL_SERVER_TITLE = "Fake Tools"
FORECAST = "sunny"
FAIL_TEXT = "the tool server broke"

SPEC: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": TOOL_SERVER_TITLE, "description": "Weather and notes for tests", "version": "1"},
    "paths": {
        "/weather/{city}": {
            "get": {
                "operationId": "get_weather",
                "summary": "Get the weather for a city.",
                "parameters": [
                    {"name": "city", "in": "path", "required": True, "schema": {"type": "string"}},
                    {"name": "days", "in": "query", "schema": {"type": "integer", "default": 1}},
                    {
                        "name": "unit",
                        "in": "query",
                        "description": "Temperature unit",
                        "schema": {"type": "string", "enum": ["celsius", "fahrenheit"]},
                    },
                    {"name": "X-Trace", "in": "header", "schema": {"type": "string"}},
                ],
            }
        },
        "/notes": {
            "post": {
                "operationId": "create_note",
                "description": "Store a note.",
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Note"}}},
                },
            },
            "get": {"summary": "no operationId: not a tool"},
        },
        "/fail": {"get": {"operationId": "fail", "description": "Always answers 500."}},
        "/slow": {"get": {"operationId": "slow", "description": "Answers after slow_s seconds."}},
        "/huge": {"get": {"operationId": "huge", "description": "Answers huge_bytes bytes."}},
        "/text": {"get": {"operationId": "plain_text", "description": "Answers plain text."}},
    },
    "components": {
        "schemas": {
            "Note": {
                "type": "object",
                "required": ["title"],
                "properties": {
                    "title": {"type": "string", "description": "Its title"},
                    "body": {"type": "string"},
                    "priority": {"$ref": "#/components/schemas/Priority"},
                },
            },
            "Priority": {"type": "string", "enum": ["low", "high"], "description": "How urgent"},
        }
    },
}


class FakeToolServer(FakeServer):
    """Serves ``SPEC``; with ``api_key`` set (the default), every request must bear it."""

    def __init__(
        self,
        *,
        api_key: str | None = TOOL_SERVER_KEY,
        slow_s: float = 5.0,
        huge_bytes: int = 2 * 1024 * 1024,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.api_key = api_key
        self.slow_s = slow_s
        self.huge_bytes = huge_bytes

    def connection(self, server_id: str = "fake", **overrides: Any) -> dict:
        """This server as one entry of ``TOOL_SERVER_CONNECTIONS`` (Open WebUI's format); readable by
        every signed-in user unless ``config`` is overridden."""
        entry: dict[str, Any] = {
            "type": "openapi",
            "url": self.url,
            "path": "openapi.json",
            "auth_type": "bearer",
            "key": self.api_key or "",
            "config": {
                "enable": True,
                "access_grants": [{"principal_type": "user", "principal_id": "*", "permission": "read"}],
            },
            "info": {"id": server_id, "name": "Fake tool server", "description": "for tests"},
        }
        entry.update(overrides)
        return entry

    def _middlewares(self) -> list[Any]:
        return [self._auth_middleware]

    def _add_routes(self, router: web.UrlDispatcher) -> None:
        router.add_get("/openapi.json", self._spec_json)
        router.add_get("/openapi.yaml", self._spec_yaml)
        router.add_get("/weather/{city}", self._weather)
        router.add_post("/notes", self._notes)
        router.add_get("/fail", self._fail)
        router.add_get("/slow", self._slow)
        router.add_get("/huge", self._huge)
        router.add_get("/text", self._text)

    @web.middleware
    async def _auth_middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if self.api_key is not None and request.headers.get("Authorization") != f"Bearer {self.api_key}":
            return web.json_response({"detail": "Not authenticated"}, status=401)
        return await handler(request)

    async def _spec_json(self, request: web.Request) -> web.Response:
        return web.json_response(SPEC)

    async def _spec_yaml(self, request: web.Request) -> web.Response:
        return web.Response(text=yaml.safe_dump(SPEC), content_type="application/yaml")

    async def _weather(self, request: web.Request) -> web.Response:
        return web.json_response(
            {
                "city": request.match_info["city"],
                "days": int(request.query.get("days", "1")),
                "unit": request.query.get("unit", "celsius"),
                "forecast": FORECAST,
            }
        )

    async def _notes(self, request: web.Request) -> web.Response:
        note = await request.json()
        return web.json_response({"stored": note}, status=201)

    async def _fail(self, request: web.Request) -> web.Response:
        return web.Response(status=500, text=FAIL_TEXT)

    async def _slow(self, request: web.Request) -> web.Response:
        await asyncio.sleep(self.slow_s)
        return web.json_response({"slept": self.slow_s})

    async def _huge(self, request: web.Request) -> web.Response:
        return web.Response(
            body=json.dumps({"data": "x" * self.huge_bytes}).encode(), content_type="application/json"
        )

    async def _text(self, request: web.Request) -> web.Response:
        return web.Response(text="just text")


if __name__ == "__main__":
    serve_main(FakeToolServer, "Fake OpenAPI tool server for tests and benchmarks.")
