"""``/ollama/*``: Ollama's API for clients that speak it, each route at Open WebUI's auth level."""

from aiohttp import web

from services.gateway.auth_guard import Level
from services.gateway.http_errors import json_response
from services.gateway.routes.proxy import proxy_handler

PREFIX = "/ollama"

# (methods, path, level without /{url_idx}, level with it; None: no /{url_idx} form).
_TABLE = (
    ("POST", "/verify", Level.ADMIN, None),
    ("GET", "/config", Level.ADMIN, None),
    ("POST", "/config/update", Level.ADMIN, None),
    ("POST", "/models/download", Level.ADMIN, Level.ADMIN),
    ("POST", "/models/upload", Level.ADMIN, Level.ADMIN),
    ("GET", "/api/tags", Level.VERIFIED, Level.ADMIN),
    ("GET", "/api/ps", Level.ADMIN, None),
    ("GET", "/api/version", Level.VERIFIED, Level.ADMIN),
    ("POST", "/api/unload", Level.ADMIN, None),
    ("POST", "/api/pull", Level.ADMIN, Level.ADMIN),
    # Open WebUI serves push as DELETE; Ollama's clients send POST. Both are accepted.
    ("DELETE POST", "/api/push", Level.ADMIN, Level.ADMIN),
    ("POST", "/api/create", Level.ADMIN, Level.ADMIN),
    ("POST", "/api/copy", Level.ADMIN, Level.ADMIN),
    ("DELETE", "/api/delete", Level.ADMIN, Level.ADMIN),
    ("POST", "/api/show", Level.VERIFIED, None),
    ("POST", "/api/embed", Level.VERIFIED, Level.VERIFIED),
    ("POST", "/api/embeddings", Level.VERIFIED, Level.VERIFIED),
    ("POST", "/api/generate", Level.VERIFIED, Level.VERIFIED),
    ("POST", "/api/chat", Level.VERIFIED, Level.VERIFIED),
    ("POST", "/v1/completions", Level.VERIFIED, Level.VERIFIED),
    ("POST", "/v1/chat/completions", Level.VERIFIED, Level.VERIFIED),
    ("POST", "/v1/embeddings", Level.VERIFIED, Level.VERIFIED),
    ("POST", "/v1/messages", Level.VERIFIED, Level.VERIFIED),
    ("POST", "/v1/responses", Level.VERIFIED, Level.VERIFIED),
    ("GET", "/v1/models", Level.VERIFIED, Level.ADMIN),
)


async def status(request: web.Request) -> web.Response:
    return json_response({"status": True})


def _build() -> list[web.RouteDef]:
    defs = [web.get(f"{PREFIX}/", status)]
    for methods, path, level, idx_level in _TABLE:
        for method in methods.split():
            defs.append(web.route(method, PREFIX + path, proxy_handler("ollama", PREFIX, level)))
            if idx_level is not None:
                handler = proxy_handler("ollama", PREFIX, idx_level)
                defs.append(web.route(method, PREFIX + path + r"/{url_idx:\d+}", handler))
    return defs


routes = _build()
