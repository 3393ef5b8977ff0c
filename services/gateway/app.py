"""The gateway app factory: routes, middleware, and backend channels opened in a cleanup context."""

from collections.abc import AsyncIterator

import grpc
from aiohttp import web

from services.gateway.auth_client import AuthClient
from services.gateway.auth_guard import AuthGuard
from services.gateway.credential_cache import CredentialCache
from services.gateway.middleware import edge_middleware
from services.gateway.routes import auths, system, users
from services.gateway.settings import GatewaySettings
from services.gateway.state import AUTH, GUARD, SETTINGS

# Bodies are read through our own size checks per route; this only caps aiohttp's own readers.
_CLIENT_MAX_SIZE = 1024 * 1024 * 1024


async def _backends(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    auth_channel = grpc.aio.insecure_channel(settings.auth_target)
    client = AuthClient(auth_channel, settings.grpc_timeout_s)
    app[AUTH] = client
    app[GUARD] = AuthGuard(
        client,
        CredentialCache(settings.auth_cache_ttl_s, settings.auth_cache_max_entries),
        settings.custom_api_key_header,
        status_ttl_s=settings.auth_cache_ttl_s,
    )
    try:
        yield
    finally:
        await auth_channel.close()


def create_app(settings: GatewaySettings) -> web.Application:
    # `/api/v1/users` → 307 to `/api/v1/users/`, as FastAPI redirects a missing trailing slash.
    slash = web.normalize_path_middleware(append_slash=True, redirect_class=web.HTTPTemporaryRedirect)
    app = web.Application(middlewares=[edge_middleware, slash], client_max_size=_CLIENT_MAX_SIZE)
    app[SETTINGS] = settings
    app.cleanup_ctx.append(_backends)
    for module in (system, auths, users):
        app.add_routes(module.routes)
    return app
