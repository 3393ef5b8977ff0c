"""``/api/chat/completions``, ``/api/chat/completed`` and ``/api/embeddings`` (with ``/api/v1``
aliases): the body goes to InferenceService untouched, the reply comes back as it is produced."""

from aiohttp import web

from services.gateway.auth_guard import Level
from services.gateway.body import read_json_object
from services.gateway.http_errors import raw_json_response
from services.gateway.relay import relay
from services.gateway.state import GUARD, INFERENCE, SETTINGS

routes = web.RouteTableDef()


@routes.post("/api/chat/completions")
@routes.post("/api/v1/chat/completions")
async def chat_completions(request: web.Request) -> web.StreamResponse:
    principal = await request.app[GUARD].require(request, Level.VERIFIED)
    body = await read_json_object(request, request.app[SETTINGS].inference_max_body_bytes)
    return await relay(request, request.app[INFERENCE].chat_completion(principal, body))


@routes.post("/api/chat/completed")
@routes.post("/api/v1/chat/completed")
async def chat_completed(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.VERIFIED)
    body = await read_json_object(request, request.app[SETTINGS].inference_max_body_bytes)
    reply = await request.app[INFERENCE].chat_completed(principal, body)
    return raw_json_response(reply)


@routes.post("/api/embeddings")
@routes.post("/api/v1/embeddings")
async def embeddings(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.VERIFIED)
    body = await read_json_object(request, request.app[SETTINGS].inference_max_body_bytes)
    reply = await request.app[INFERENCE].embeddings(principal, body)
    return web.Response(status=reply.head.status, body=reply.body, headers=dict(reply.head.headers))
