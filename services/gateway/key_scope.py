"""The gateway's API-key scope check: a middleware that refuses (403) a request whose sk- key's kind
does not reach the route's area, by the route-area table of ``services.common.key_routes``."""

import grpc
from aiohttp import web

from services.common.identity import KEY_KIND_FULL, Identity, KeyScope
from services.common.key_routes import (  # noqa: F401 - re-exported for the gateway's tests
    ACCOUNT,
    CHAT,
    INGEST,
    OTHER,
    PUBLIC,
    RouteArea,
    refusal,
    route_area,
)
from services.gateway.auth_guard import find_credential
from services.gateway.http_errors import ApiError
from services.gateway.state import GUARD, SETTINGS
from webui.common.v1 import identity_pb2


def _scope_identity(user_id: str, message: identity_pb2.KeyScope) -> Identity:
    scope = KeyScope(key_id=message.key_id, name=message.name, kind=message.kind)
    return Identity(user_id=user_id, scope=scope)


@web.middleware
async def key_scope_middleware(request: web.Request, handler) -> web.StreamResponse:
    """Refuses (403, naming the key and its scope) a request with an sk- key outside its scope.

    Only sk- keys are looked at; the credential check is the AuthGuard's cached one, so this costs
    a dictionary lookup. A key that does not verify is left to the handler, which answers for it.
    """
    resource = request.match_info.route.resource
    if resource is None:
        return await handler(request)
    credential = find_credential(request, request.app[SETTINGS].custom_api_key_header)
    if credential is None or not credential.startswith("sk-"):
        return await handler(request)
    method, path = request.method, resource.canonical
    found = route_area(method, path)
    if found is not None and found.area == PUBLIC:
        return await handler(request)
    try:
        result = await request.app[GUARD].verify(credential)
    except grpc.aio.AioRpcError:
        return await handler(request)
    if not result.identity.HasField("key_scope") or result.identity.key_scope.kind in ("", KEY_KIND_FULL):
        return await handler(request)
    reason = refusal(_scope_identity(result.user.id, result.identity.key_scope), found, method, path)
    if reason is not None:
        raise ApiError(403, reason)
    return await handler(request)
