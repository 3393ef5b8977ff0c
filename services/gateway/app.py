"""The gateway app factory: routes, middleware, and backend channels opened in a cleanup context."""

from collections.abc import AsyncIterator

from aiohttp import web

from services.common.admission import Admission
from services.common.grpc_channel import open_channel
from services.common.metrics import new_registry
from services.gateway.admission import admission_middleware
from services.gateway.auth_client import AuthClient
from services.gateway.auth_guard import AuthGuard
from services.gateway.body_budget import BodyBudget, body_budget_middleware
from services.gateway.chats_client import ChatsClient
from services.gateway.credential_cache import CredentialCache
from services.gateway.folders_client import FoldersClient
from services.gateway.inference_client import InferenceClient
from services.gateway.ingest_client import IngestClient
from services.gateway.metrics import HttpMetrics
from services.gateway.middleware import edge_middleware, stamp_response
from services.gateway.readiness import Lifecycle
from services.gateway.routes import (
    auths,
    chat,
    chats,
    files,
    folders,
    functions,
    knowledge,
    metrics,
    models,
    ollama,
    openai,
    retrieval,
    system,
    tasks,
    tools,
    users,
    workspace_models,
)
from services.gateway.routes.docs import setup_docs
from services.gateway.settings import GatewaySettings
from services.gateway.state import (
    AUTH,
    BODY_BUDGET,
    CHANNELS,
    CHATS,
    FOLDERS,
    GUARD,
    INFERENCE,
    INGEST,
    LIFECYCLE,
    METRICS,
    SETTINGS,
    TOOLS,
)
from services.gateway.tools_client import ToolsClient

# Bodies are read through our own size checks per route; this only caps aiohttp's own readers.
_CLIENT_MAX_SIZE = 1024 * 1024 * 1024


async def _backends(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    # Each target may name several replicas; the channels spread calls over them (round_robin).
    auth_channel = open_channel(settings.auth_target, tls=settings.grpc_tls)
    inference_channel = open_channel(settings.inference_target, tls=settings.grpc_tls)
    ingest_channel = open_channel(settings.ingest_target, tls=settings.grpc_tls)
    app[CHANNELS] = {"auth": auth_channel, "inference": inference_channel, "ingest": ingest_channel}
    app[INFERENCE] = InferenceClient(
        inference_channel, settings.grpc_timeout_s, settings.grpc_stream_timeout_s
    )
    app[CHATS] = ChatsClient(inference_channel, settings.grpc_timeout_s, settings.grpc_stream_timeout_s)
    app[FOLDERS] = FoldersClient(inference_channel, settings.grpc_timeout_s)
    app[TOOLS] = ToolsClient(inference_channel, settings.grpc_timeout_s, settings.grpc_stream_timeout_s)
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
    # Admission right after the edge (so a refusal still has a request id and is counted) and before
    # any handler, the auth guard's lookups included; with no limit it is left out altogether.
    limit = settings.max_inflight_requests
    admit = [admission_middleware(Admission(limit))] if limit else []
    budget = BodyBudget(settings.max_inflight_body_bytes) if settings.max_inflight_body_bytes else None
    give_back = [body_budget_middleware(budget)] if budget is not None else []
    app = web.Application(
        middlewares=[edge_middleware, *admit, *give_back, slash], client_max_size=_CLIENT_MAX_SIZE
    )
    app[SETTINGS] = settings
    if budget is not None:
        app[BODY_BUDGET] = budget
    # One registry per app (no process-wide default): two apps in one process count apart.
    app[METRICS] = HttpMetrics(new_registry())
    app[LIFECYCLE] = Lifecycle()
    app.on_response_prepare.append(stamp_response)
    app.cleanup_ctx.append(_backends)
    for module in (
        system,
        auths,
        users,
        models,
        workspace_models,
        chat,
        chats,
        folders,
        ollama,
        openai,
        files,
        knowledge,
        retrieval,
        functions,
        tools,
        tasks,
        metrics,
    ):
        app.add_routes(module.routes)
    if settings.env == "dev":
        # As Open WebUI: API docs only in development; with ENV=prod these paths are unknown (404).
        setup_docs(app)
    return app
