"""``GET /api/models``: every model the caller may use, from InferenceService."""

import orjson
from aiohttp import web

from services.gateway.auth_guard import Level
from services.gateway.body import query_bool
from services.gateway.state import GUARD, INFERENCE

routes = web.RouteTableDef()


async def _models_reply(request: web.Request, level: Level, base: bool = False) -> web.Response:
    principal = await request.app[GUARD].require(request, level)
    models = await request.app[INFERENCE].list_models(principal, query_bool(request, "refresh"))
    if base:
        # Base models (functions and upstreams, no workspace presets); actions and filters belong
        # to /api/models only.
        models = orjson.dumps(
            [
                {k: v for k, v in m.items() if k not in ("actions", "filters")}
                for m in orjson.loads(models)
                if not m.get("preset")
            ]
        )
    # The list arrives as JSON bytes: wrapped, not re-encoded.
    return web.Response(body=b'{"data":' + models + b"}", content_type="application/json")


@routes.get("/api/models")
@routes.get("/api/v1/models")
async def list_models(request: web.Request) -> web.Response:
    return await _models_reply(request, Level.VERIFIED)


@routes.get("/api/models/base")
async def list_base_models(request: web.Request) -> web.Response:
    return await _models_reply(request, Level.ADMIN, base=True)
