"""``/openai/*``: the OpenAI-compatible upstreams' models and chat completions; anything else is the
opt-in pass-through (InferenceService refuses it unless ENABLE_OPENAI_API_PASSTHROUGH is set)."""

from aiohttp import web

from services.gateway.auth_guard import Level
from services.gateway.routes.proxy import proxy_handler

PREFIX = "/openai"

routes = [
    web.get(f"{PREFIX}/config", proxy_handler("openai", PREFIX, Level.ADMIN)),
    web.post(f"{PREFIX}/config/update", proxy_handler("openai", PREFIX, Level.ADMIN)),
    web.post(f"{PREFIX}/verify", proxy_handler("openai", PREFIX, Level.ADMIN)),
    web.get(f"{PREFIX}/models", proxy_handler("openai", PREFIX, Level.VERIFIED)),
    web.get(PREFIX + r"/models/{url_idx:\d+}", proxy_handler("openai", PREFIX, Level.VERIFIED)),
    web.post(f"{PREFIX}/chat/completions", proxy_handler("openai", PREFIX, Level.VERIFIED)),
    web.route("*", PREFIX + "/{path:.+}", proxy_handler("openai", PREFIX, Level.VERIFIED)),
]
