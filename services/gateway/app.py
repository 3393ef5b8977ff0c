"""The gateway app factory: routes, middleware, and backend channels opened in a cleanup context."""

from collections.abc import AsyncIterator

import grpc
from aiohttp import web

from services.gateway.auth_client import AuthClient
from services.gateway.auth_guard import AuthGuard
from services.gateway.credential_cache import CredentialCache
from services.gateway.inference_client import InferenceClient
from services.gateway.ingest_client import IngestClient
from services.gateway.middleware import edge_middleware, stamp_response
from services.gateway.routes import (
    auths,
    chat,
    files,
    functions,
    knowledge,
    models,
    ollama,
    openai,
    retrieval,
    system,
    users,
    workspace_models,
)
from services.gateway.settings import GatewaySettings
from services.gateway.state import AUTH, GUARD, INFERENCE, INGEST, SETTINGS

# Bodies are read through our own size checks per route; this only caps aiohttp's own readers.
_CLIENT_MAX_SIZE = 1024 * 1024 * 1024


# Replies (a model list, a non-streamed completion, a file with its extracted text) may be larger
# than gRPC's 4 MiB default.
_CHANNEL_OPTIONS = [
    ("grpc.max_receive_message_length", 32 * 1024 * 1024),
    ("grpc.max_send_message_length", 32 * 1024 * 1024),
]


async def _backends(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    auth_channel = grpc.aio.insecure_channel(settings.auth_target)
    inference_channel = grpc.aio.insecure_channel(settings.inference_target, options=_CHANNEL_OPTIONS)
    ingest_channel = grpc.aio.insecure_channel(settings.ingest_target, options=_CHANNEL_OPTIONS)
    app[INFERENCE] = InferenceClient(
        inference_channel, settings.grpc_timeout_s, settings.grpc_stream_timeout_s
    )
    app[INGEST] = IngestClient(
        ingest_channel,
        settings.grpc_timeout_s,
        settings.grpc_stream_timeout_s,
        watch_timeout_s=settings.file_status_stream_timeout_s,
    )
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
        await inference_channel.close()
        await ingest_channel.close()


def create_app(settings: GatewaySettings) -> web.Application:
    # `/api/v1/users` → 307 to `/api/v1/users/`, as FastAPI redirects a missing trailing slash.
    slash = web.normalize_path_middleware(append_slash=True, redirect_class=web.HTTPTemporaryRedirect)
    app = web.Application(middlewares=[edge_middleware, slash], client_max_size=_CLIENT_MAX_SIZE)
    app[SETTINGS] = settings
    app.on_response_prepare.append(stamp_response)
    app.cleanup_ctx.append(_backends)
    for module in (
        system,
        auths,
        users,
        models,
        workspace_models,
        chat,
        ollama,
        openai,
        files,
        knowledge,
        retrieval,
        functions,
    ):
        app.add_routes(module.routes)
    return app
