"""The gateway app factory: routes, middleware, and backend channels opened in a cleanup context."""

from collections.abc import AsyncIterator

from aiohttp import web

from services.common.admission import Admission
from services.common.grpc_channel import open_channel
from services.common.metrics import new_registry
from services.gateway.admin_config_client import AdminConfigClient
from services.gateway.admission import admission_middleware
from services.gateway.analytics_client import AnalyticsClient
from services.gateway.api_keys_client import ApiKeysClient
from services.gateway.auth_client import AuthClient
from services.gateway.auth_guard import AuthGuard
from services.gateway.body_budget import BodyBudget, body_budget_middleware
from services.gateway.chats_client import ChatsClient
from services.gateway.credential_cache import CredentialCache
from services.gateway.file_ops_client import FileOpsClient
from services.gateway.folders_client import FoldersClient
from services.gateway.group_knowledge_client import GroupKnowledgeClient
from services.gateway.group_reach_client import GroupReachClient
from services.gateway.groups_client import GroupsClient
from services.gateway.inference_client import InferenceClient
from services.gateway.ingest_client import IngestClient
from services.gateway.ingest_jobs_client import IngestJobsClient
from services.gateway.key_scope import key_scope_middleware
from services.gateway.knowledge_search_client import KnowledgeSearchClient
from services.gateway.knowledge_sync_client import KnowledgeSyncClient
from services.gateway.metrics import HttpMetrics
from services.gateway.middleware import edge_middleware, stamp_response
from services.gateway.no_store import no_store_on_auths
from services.gateway.prompts_client import PromptsClient
from services.gateway.quotas_client import QuotasClient
from services.gateway.readiness import Lifecycle
from services.gateway.retrieval_processing_client import RetrievalProcessingClient
from services.gateway.routes import (
    admin_config,
    analytics,
    api_keys,
    auths,
    chat,
    chats,
    files,
    files_more,
    folders,
    functions,
    groups,
    ingest_jobs,
    knowledge,
    knowledge_search,
    knowledge_sync,
    metrics,
    models,
    ollama,
    openai,
    prompts,
    retrieval,
    retrieval_process,
    system,
    tasks,
    tools,
    usage,
    usage_limits,
    usage_records,
    user_groups,
    users,
    workspace_models,
)
from services.gateway.routes.docs import setup_docs
from services.gateway.settings import GatewaySettings
from services.gateway.state import (
    ADMIN_CONFIG,
    ANALYTICS,
    API_KEYS,
    AUTH,
    BODY_BUDGET,
    CHANNELS,
    CHATS,
    FILE_OPS,
    FOLDERS,
    GROUP_KNOWLEDGE,
    GROUP_REACH,
    GROUPS,
    GUARD,
    INFERENCE,
    INGEST,
    INGEST_JOBS,
    KNOWLEDGE_SEARCH,
    KNOWLEDGE_SYNC,
    LIFECYCLE,
    METRICS,
    PROMPTS,
    QUOTAS,
    RETRIEVAL_PROCESSING,
    SETTINGS,
    TOOLS,
    USAGE,
)
from services.gateway.tools_client import ToolsClient
from services.gateway.usage_client import UsageClient

# How long the auth status (sign-up, API keys, the admin config's switches) is reused: with the auth
# service's ≤ 2 s cache of the stored config, a change shows on every gateway within 5 s.
STATUS_TTL_MAX_S = 3.0
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
    app[PROMPTS] = PromptsClient(inference_channel, settings.grpc_timeout_s)
    app[USAGE] = UsageClient(inference_channel, settings.grpc_timeout_s)
    app[QUOTAS] = QuotasClient(inference_channel, settings.grpc_timeout_s)
    app[GROUP_REACH] = GroupReachClient(inference_channel, settings.grpc_timeout_s)
    app[GROUP_KNOWLEDGE] = GroupKnowledgeClient(ingest_channel, settings.grpc_timeout_s)
    app[ANALYTICS] = AnalyticsClient(inference_channel, settings.grpc_timeout_s)
    app[INGEST] = IngestClient(
        ingest_channel,
        settings.grpc_timeout_s,
        settings.grpc_stream_timeout_s,
        watch_timeout_s=settings.file_status_stream_timeout_s,
    )
    app[KNOWLEDGE_SEARCH] = KnowledgeSearchClient(
        ingest_channel,
        settings.grpc_timeout_s,
        settings.grpc_stream_timeout_s,
        settings.file_status_stream_timeout_s,
    )
    app[FILE_OPS] = FileOpsClient(ingest_channel, settings.grpc_timeout_s, settings.grpc_stream_timeout_s)
    app[RETRIEVAL_PROCESSING] = RetrievalProcessingClient(ingest_channel, settings.grpc_stream_timeout_s)
    app[KNOWLEDGE_SYNC] = KnowledgeSyncClient(ingest_channel, settings.grpc_timeout_s)
    app[INGEST_JOBS] = IngestJobsClient(ingest_channel, settings.grpc_timeout_s)
    client = AuthClient(auth_channel, settings.grpc_timeout_s)
    app[AUTH] = client
    app[ADMIN_CONFIG] = AdminConfigClient(auth_channel, settings.grpc_timeout_s)
    app[API_KEYS] = ApiKeysClient(auth_channel, settings.grpc_timeout_s)
    app[GROUPS] = GroupsClient(auth_channel, settings.grpc_timeout_s)
    app[GUARD] = AuthGuard(
        client,
        CredentialCache(settings.auth_cache_ttl_s, settings.auth_cache_max_entries),
        settings.custom_api_key_header,
        # The auth status carries the admin config's live switches: within STATUS_TTL_MAX_S plus
        # the auth service's own cache (ADMIN_CONFIG_CACHE_TTL_S ≤ 2 s), a change shows here.
        status_ttl_s=min(settings.auth_cache_ttl_s, STATUS_TTL_MAX_S),
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
        # The key-scope check after the slash redirect, so that it sees the route that will answer.
        middlewares=[edge_middleware, *admit, *give_back, slash, key_scope_middleware],
        client_max_size=_CLIENT_MAX_SIZE,
    )
    app[SETTINGS] = settings
    if budget is not None:
        app[BODY_BUDGET] = budget
    # One registry per app (no process-wide default): two apps in one process count apart.
    app[METRICS] = HttpMetrics(new_registry())
    app[LIFECYCLE] = Lifecycle()
    app.on_response_prepare.append(stamp_response)
    app.on_response_prepare.append(no_store_on_auths)
    app.cleanup_ctx.append(_backends)
    for module in (
        system,
        auths,
        admin_config,
        api_keys,
        # Before users: their fixed paths (/groups, /permissions, /usage) must win over /{user_id}.
        user_groups,
        usage,
        users,
        groups,
        models,
        workspace_models,
        chat,
        chats,
        folders,
        ollama,
        openai,
        # Before files: its literal paths (/files/search, /files/all, …) must win over /{file_id}.
        files_more,
        files,
        # Before knowledge: literal paths under /api/v1/knowledge/{id}/ that its patterns must not take.
        knowledge_sync,
        knowledge_search,
        knowledge,
        retrieval,
        retrieval_process,
        ingest_jobs,
        functions,
        tools,
        prompts,
        tasks,
        usage_records,
        usage_limits,
        metrics,
    ):
        app.add_routes(module.routes)
    if settings.enable_admin_analytics:
        # As Open WebUI: without ENABLE_ADMIN_ANALYTICS the analytics routes do not exist (404).
        app.add_routes(analytics.routes)
    if settings.env == "dev":
        # As Open WebUI: API docs only in development; with ENV=prod these paths are unknown (404).
        setup_docs(app)
    return app
