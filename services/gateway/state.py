"""Typed keys of what the gateway app holds (no module globals)."""

import grpc
from aiohttp import web

from services.gateway.auth_client import AuthClient
from services.gateway.auth_guard import AuthGuard
from services.gateway.body_budget import BodyBudget
from services.gateway.chats_client import ChatsClient
from services.gateway.folders_client import FoldersClient
from services.gateway.inference_client import InferenceClient
from services.gateway.ingest_client import IngestClient
from services.gateway.metrics import HttpMetrics
from services.gateway.readiness import Lifecycle
from services.gateway.settings import GatewaySettings
from services.gateway.tools_client import ToolsClient

SETTINGS = web.AppKey("settings", GatewaySettings)
AUTH = web.AppKey("auth_client", AuthClient)
GUARD = web.AppKey("auth_guard", AuthGuard)
INFERENCE = web.AppKey("inference_client", InferenceClient)
# Stored chats: ChatsService, served by the inference service on the same channel.
CHATS = web.AppKey("chats_client", ChatsClient)
# Chat folders: FoldersService, on the inference channel too.
FOLDERS = web.AppKey("folders_client", FoldersClient)
# Python tools: ToolsService, on the inference channel too.
TOOLS = web.AppKey("tools_client", ToolsClient)
INGEST = web.AppKey("ingest_client", IngestClient)
# The backend channels by name (auth, inference, ingest), for `/ready`'s health checks.
CHANNELS = web.AppKey("backend_channels", dict[str, grpc.aio.Channel])
LIFECYCLE = web.AppKey("lifecycle", Lifecycle)
# The app's Prometheus registry and the HTTP metrics recorded into it (`GET /metrics`).
METRICS = web.AppKey("metrics", HttpMetrics)
# Bytes of large request bodies held at once (MAX_INFLIGHT_BODY_BYTES); absent when unbounded.
BODY_BUDGET = web.AppKey("body_budget", BodyBudget)
