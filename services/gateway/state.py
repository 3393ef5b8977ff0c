"""Typed keys of what the gateway app holds (no module globals)."""

import grpc
from aiohttp import web

from services.gateway.admin_config_client import AdminConfigClient
from services.gateway.analytics_client import AnalyticsClient
from services.gateway.api_keys_client import ApiKeysClient
from services.gateway.auth_client import AuthClient
from services.gateway.auth_guard import AuthGuard
from services.gateway.body_budget import BodyBudget
from services.gateway.chats_client import ChatsClient
from services.gateway.file_ops_client import FileOpsClient
from services.gateway.folders_client import FoldersClient
from services.gateway.group_knowledge_client import GroupKnowledgeClient
from services.gateway.group_reach_client import GroupReachClient
from services.gateway.groups_client import GroupsClient
from services.gateway.inference_client import InferenceClient
from services.gateway.ingest_client import IngestClient
from services.gateway.ingest_jobs_client import IngestJobsClient
from services.gateway.knowledge_search_client import KnowledgeSearchClient
from services.gateway.knowledge_sync_client import KnowledgeSyncClient
from services.gateway.metrics import HttpMetrics
from services.gateway.prompts_client import PromptsClient
from services.gateway.quotas_client import QuotasClient
from services.gateway.readiness import Lifecycle
from services.gateway.retrieval_processing_client import RetrievalProcessingClient
from services.gateway.settings import GatewaySettings
from services.gateway.tools_client import ToolsClient
from services.gateway.usage_client import UsageClient

SETTINGS = web.AppKey("settings", GatewaySettings)
AUTH = web.AppKey("auth_client", AuthClient)
GUARD = web.AppKey("auth_guard", AuthGuard)
# Groups and permissions: GroupsService, served by the auth service on the same channel.
GROUPS = web.AppKey("groups_client", GroupsClient)
# The admin config: AdminConfigService, served by the auth service on the auth channel.
ADMIN_CONFIG = web.AppKey("admin_config_client", AdminConfigClient)
# Named, scoped API keys: ApiKeysService, on the auth channel.
API_KEYS = web.AppKey("api_keys_client", ApiKeysClient)
INFERENCE = web.AppKey("inference_client", InferenceClient)
# Stored chats: ChatsService, served by the inference service on the same channel.
CHATS = web.AppKey("chats_client", ChatsClient)
# Chat folders: FoldersService, on the inference channel too.
FOLDERS = web.AppKey("folders_client", FoldersClient)
# Python tools: ToolsService, on the inference channel too.
TOOLS = web.AppKey("tools_client", ToolsClient)
# Prompts: PromptsService, on the inference channel too.
PROMPTS = web.AppKey("prompts_client", PromptsClient)
QUOTAS = web.AppKey("quotas_client", QuotasClient)
# The group preview's models and tools (GroupReachService, inference) and knowledge
# (IngestGroupReachService, ingest).
GROUP_REACH = web.AppKey("group_reach_client", GroupReachClient)
GROUP_KNOWLEDGE = web.AppKey("group_knowledge_client", GroupKnowledgeClient)
# Usage and analytics reports: AnalyticsService, on the inference channel too.
ANALYTICS = web.AppKey("analytics_client", AnalyticsClient)
INGEST = web.AppKey("ingest_client", IngestClient)
# Processing jobs and batches (IngestJobsService, on the ingest channel).
INGEST_JOBS = web.AppKey("ingest_jobs_client", IngestJobsClient)
# Knowledge search, pending files, export and reindexing (KnowledgeSearchService, ingest channel).
KNOWLEDGE_SEARCH = web.AppKey("knowledge_search_client", KnowledgeSearchClient)
# File search, rename, text replacement, delete-all and process/file: FileOpsService, on the ingest channel.
FILE_OPS = web.AppKey("file_ops_client", FileOpsClient)
RETRIEVAL_PROCESSING = web.AppKey("retrieval_processing_client", RetrievalProcessingClient)
# Knowledge directories and folder sync (KnowledgeSyncService, on the ingest channel).
KNOWLEDGE_SYNC = web.AppKey("knowledge_sync_client", KnowledgeSyncClient)
# Usage records (GET /api/v1/usage): UsageService, on the inference channel.
USAGE = web.AppKey("usage_client", UsageClient)
# The backend channels by name (auth, inference, ingest), for `/ready`'s health checks.
CHANNELS = web.AppKey("backend_channels", dict[str, grpc.aio.Channel])
LIFECYCLE = web.AppKey("lifecycle", Lifecycle)
# The app's Prometheus registry and the HTTP metrics recorded into it (`GET /metrics`).
METRICS = web.AppKey("metrics", HttpMetrics)
# Bytes of large request bodies held at once (MAX_INFLIGHT_BODY_BYTES); absent when unbounded.
BODY_BUDGET = web.AppKey("body_budget", BodyBudget)
