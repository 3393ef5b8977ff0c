"""``/openai/*``: the OpenAI-compatible upstreams' models and chat completions; anything else is the
opt-in pass-through (InferenceService refuses it unless ENABLE_OPENAI_API_PASSTHROUGH is set)."""

from aiohttp import web

from services.common import proxy_routes
from services.gateway.routes.proxy import LEVELS, passthrough_routes, proxy_handler

PREFIX = "/openai"

# Levels and paths are services/common/proxy_routes.py's, which InferenceService checks as well;
# the catch-all comes last so that it serves only the paths not listed there.
routes = [
    *passthrough_routes("openai", PREFIX, proxy_routes.OPENAI),
    web.route(
        "*", PREFIX + "/{path:.+}", proxy_handler("openai", PREFIX, LEVELS[proxy_routes.OPENAI_OTHER_PATHS])
    ),
]
