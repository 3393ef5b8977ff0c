"""Gateway settings, from the environment (Open WebUI's names where they exist)."""

from typing import Literal

from pydantic import Field, model_validator

from services.common.networks import Networks, NetworksText, parse_networks
from services.common.settings import CommonSettings

API_VERSION = "0.12.4"


class GatewaySettings(CommonSettings):
    host: str = Field(default="127.0.0.1", alias="HOST")
    port: int = Field(default=3000, alias="PORT", ge=0, le=65535)
    auth_target: str = Field(default="127.0.0.1:50051", alias="AUTH_GRPC_TARGET")
    inference_target: str = Field(default="127.0.0.1:50052", alias="INFERENCE_GRPC_TARGET")
    ingest_target: str = Field(default="127.0.0.1:50053", alias="INGEST_GRPC_TARGET")
    grpc_timeout_s: float = Field(default=10.0, alias="GRPC_TIMEOUT_S", gt=0)
    # Deadline of streamed calls (chat, proxies): longer than the inference service's upstream
    # deadline (AIOHTTP_CLIENT_TIMEOUT, 300 s), so that the upstream's own error is what arrives.
    grpc_stream_timeout_s: float = Field(default=330.0, alias="GRPC_STREAM_TIMEOUT_S", gt=0)
    # Chat and proxy bodies carry images; the gRPC hop carries at most 32 MiB.
    inference_max_body_bytes: int = Field(
        default=30 * 1024 * 1024, alias="INFERENCE_MAX_BODY_BYTES", ge=1024, le=30 * 1024 * 1024
    )
    # JSON request bodies with more values than this are refused (413) before they are parsed: a
    # parsed value costs up to about 125 bytes here and in inference, from as few as 3 bytes of text.
    json_max_values: int = Field(default=200_000, alias="JSON_MAX_VALUES", ge=1000)
    # Bytes of request bodies over 1 MiB held at once (each costs about four times its size while
    # it is parsed and sent on); a body finding no room within 10 s gets 503. 0: no bound.
    max_inflight_body_bytes: int = Field(default=64 * 1024 * 1024, alias="MAX_INFLIGHT_BODY_BYTES", ge=0)
    # Verified credentials are reused this long; revocation must reach every replica within 5 s.
    auth_cache_ttl_s: float = Field(default=2.0, alias="AUTH_CACHE_TTL_S", ge=0, le=5)
    auth_cache_max_entries: int = Field(default=10000, alias="AUTH_CACHE_MAX_ENTRIES", ge=1)
    auth_max_body_bytes: int = Field(default=1024 * 1024, alias="AUTH_MAX_BODY_BYTES", ge=1024)
    # JSON bodies of the knowledge and retrieval routes, and an upload's `metadata` form field
    # (the file itself is streamed; its size limit is the ingest service's RAG_FILE_MAX_SIZE).
    ingest_max_body_bytes: int = Field(default=1024 * 1024, alias="INGEST_MAX_BODY_BYTES", ge=1024)
    # `POST /api/v1/knowledge/{id}/sync/diff|cleanup`: a folder's manifest (about 200 bytes an entry)
    # and its entries or ids (the ingest service refuses more than its own KNOWLEDGE_SYNC_MAX_ENTRIES).
    knowledge_sync_max_body_bytes: int = Field(
        default=8 * 1024 * 1024, alias="KNOWLEDGE_SYNC_MAX_BODY_BYTES", ge=1024
    )
    knowledge_sync_max_entries: int = Field(default=20000, alias="KNOWLEDGE_SYNC_MAX_ENTRIES", ge=1)
    # The ingest service's upload limit, checked here too: a body over it is refused before its
    # bytes travel on (Content-Length up front, the file's bytes as they stream, after decoding).
    file_max_size_mb: int = Field(default=100, alias="RAG_FILE_MAX_SIZE", ge=1)
    # An upload body that sends nothing for this long is refused (408) and its bytes dropped.
    upload_idle_timeout_s: float = Field(default=60.0, alias="UPLOAD_IDLE_TIMEOUT_S", gt=0)
    # Deadline of `GET /api/v1/files/{id}/process/status?stream=true` (Open WebUI stops after 7200
    # one-second polls).
    file_status_stream_timeout_s: float = Field(default=7200.0, alias="FILE_STATUS_STREAM_TIMEOUT_S", gt=0)
    # JSON bodies of the workspace model routes (a model's meta may hold an inline profile image).
    workspace_max_body_bytes: int = Field(default=4 * 1024 * 1024, alias="WORKSPACE_MAX_BODY_BYTES", ge=1024)
    # JSON bodies of the stored-chat routes; the inference service refuses a chat over its own
    # CHAT_MAX_BYTES (set both alike).
    chat_max_bytes: int = Field(default=8 * 1024 * 1024, alias="CHAT_MAX_BYTES", ge=1024)
    # Open WebUI's folders switch: off, every `/api/v1/folders` route answers 403.
    enable_folders: bool = Field(default=True, alias="ENABLE_FOLDERS")
    # Open WebUI's admin analytics routes (/api/v1/analytics/*) are mounted only when this is on.
    enable_admin_analytics: bool = Field(default=True, alias="ENABLE_ADMIN_ANALYTICS")
    # Off: `GET /api/usage` answers admins only (403 to others), as Open WebUI.
    enable_public_active_users_count: bool = Field(default=True, alias="ENABLE_PUBLIC_ACTIVE_USERS_COUNT")
    webui_name: str = Field(default="Open WebUI", alias="WEBUI_NAME")
    deployment_id: str = Field(default="", alias="DEPLOYMENT_ID")
    cookie_same_site: str = Field(
        default="lax", alias="WEBUI_AUTH_COOKIE_SAME_SITE", pattern="(?i)^(lax|strict|none)$"
    )
    cookie_secure: bool = Field(default=False, alias="WEBUI_AUTH_COOKIE_SECURE")
    custom_api_key_header: str = Field(default="x-api-key", alias="CUSTOM_API_KEY_HEADER")
    # Reverse proxies (CIDRs or addresses, `*` for any) whose X-Forwarded-For names the client that
    # sign-in limits count; uvicorn's name, but none by default: any other peer could forge it.
    forwarded_allow_ips: NetworksText = Field(default="", alias="FORWARDED_ALLOW_IPS")
    # `dev` (the default, as Open WebUI's pip install) serves `/docs` and `/openapi.json`; `prod` does not.
    env: Literal["dev", "prod"] = Field(default="dev", alias="ENV")
    # SIGTERM: stop accepting, let in-flight requests and streams finish for this long, then cut them.
    shutdown_grace_s: float = Field(default=10.0, alias="SHUTDOWN_GRACE_S", ge=0)
    # `GET /ready`: each backend's gRPC health check must answer SERVING within this deadline.
    ready_timeout_s: float = Field(default=1.0, alias="READY_TIMEOUT_S", gt=0)
    # Requests in flight (streams until their end) past which a new one gets 503 with Retry-After
    # at once, rather than queueing without bound; /health, /ready and /metrics are exempt. 0: no limit.
    max_inflight_requests: int = Field(default=512, alias="MAX_INFLIGHT_REQUESTS", ge=0)

    @property
    def trusted_proxies(self) -> Networks:
        return parse_networks(self.forwarded_allow_ips)

    @model_validator(mode="after")
    def _budget_holds_the_largest_body(self) -> "GatewaySettings":
        largest = max(
            self.inference_max_body_bytes,
            self.workspace_max_body_bytes,
            self.ingest_max_body_bytes,
            self.knowledge_sync_max_body_bytes,
            self.chat_max_bytes,
        )
        if self.max_inflight_body_bytes and self.max_inflight_body_bytes < largest:
            raise ValueError(
                f"MAX_INFLIGHT_BODY_BYTES must be 0 or at least the largest body limit ({largest})"
            )
        return self
