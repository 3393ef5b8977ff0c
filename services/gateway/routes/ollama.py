"""``/ollama/*``: Ollama's API for clients that speak it, each route at Open WebUI's auth level."""

from aiohttp import web

from services.common import proxy_routes
from services.gateway.http_errors import json_response
from services.gateway.routes.proxy import passthrough_routes

PREFIX = "/ollama"


async def status(request: web.Request) -> web.Response:
    return json_response({"status": True})


# Levels and paths are services/common/proxy_routes.py's, which InferenceService checks as well.
routes = [web.get(f"{PREFIX}/", status), *passthrough_routes("ollama", PREFIX, proxy_routes.OLLAMA)]
