"""Typed keys of what the gateway app holds (no module globals)."""

from aiohttp import web

from services.gateway.auth_client import AuthClient
from services.gateway.auth_guard import AuthGuard
from services.gateway.inference_client import InferenceClient
from services.gateway.ingest_client import IngestClient
from services.gateway.settings import GatewaySettings

SETTINGS = web.AppKey("settings", GatewaySettings)
AUTH = web.AppKey("auth_client", AuthClient)
GUARD = web.AppKey("auth_guard", AuthGuard)
INFERENCE = web.AppKey("inference_client", InferenceClient)
INGEST = web.AppKey("ingest_client", IngestClient)
