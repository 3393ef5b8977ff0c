"""Inference service settings, from the environment (Open WebUI's names where they exist)."""

import json

from pydantic import Field, field_validator, model_validator

from services.common.networks import Networks, NetworksText, parse_networks
from services.common.settings import ServiceSettings
from services.common.usage.limit_settings import LimitSettings
from services.inference.tools.connections import ToolServerConnection, parse_connections


def split_list(value: str) -> list[str]:
    """Open WebUI's `;`-separated lists, items stripped, empty items dropped."""
    return [item.strip() for item in value.split(";") if item.strip()]


def _check_url(url: str) -> str:
    if not url.lower().startswith(("http://", "https://")):
        raise ValueError(f"upstream URL {url!r} must start with http:// or https://")
    return url.rstrip("/")


class InferenceSettings(ServiceSettings):
    listen: str = Field(default="127.0.0.1:50052", alias="INFERENCE_GRPC_LISTEN")
    # Retrieval for chat completions goes to IngestService.
    ingest_target: str = Field(default="127.0.0.1:50053", alias="INGEST_GRPC_TARGET")
    ingest_timeout_s: float = Field(default=30.0, alias="INGEST_TIMEOUT_S", gt=0)

    # Retrieval-augmented chat (Open WebUI's names and defaults, except query generation).
    rag_top_k: int = Field(default=3, alias="RAG_TOP_K", ge=1)
    rag_template: str = Field(default="", alias="RAG_TEMPLATE")
    rag_system_context: bool = Field(default=False, alias="RAG_SYSTEM_CONTEXT")
    # Off here (Open WebUI: on): it costs one more upstream call per RAG chat.
    enable_retrieval_query_generation: bool = Field(default=False, alias="ENABLE_RETRIEVAL_QUERY_GENERATION")
    query_generation_prompt_template: str = Field(default="", alias="QUERY_GENERATION_PROMPT_TEMPLATE")
    enable_rag_hybrid_search: bool = Field(default=False, alias="ENABLE_RAG_HYBRID_SEARCH")

    # Tasks (/api/v1/tasks): the defaults of the stored task configuration, Open WebUI's names.
    # ENABLE_RETRIEVAL_QUERY_GENERATION and QUERY_GENERATION_PROMPT_TEMPLATE (above) are two of them.
    task_model: str = Field(default="", alias="TASK_MODEL")
    task_model_external: str = Field(default="", alias="TASK_MODEL_EXTERNAL")
    task_model_params_text: str = Field(default="{}", alias="TASK_MODEL_PARAMS")
    enable_title_generation: bool = Field(default=True, alias="ENABLE_TITLE_GENERATION")
    title_generation_prompt_template: str = Field(default="", alias="TITLE_GENERATION_PROMPT_TEMPLATE")
    image_prompt_generation_prompt_template: str = Field(
        default="", alias="IMAGE_PROMPT_GENERATION_PROMPT_TEMPLATE"
    )
    enable_autocomplete_generation: bool = Field(default=False, alias="ENABLE_AUTOCOMPLETE_GENERATION")
    autocomplete_generation_input_max_length: int = Field(
        default=-1, alias="AUTOCOMPLETE_GENERATION_INPUT_MAX_LENGTH"
    )
    autocomplete_generation_prompt_template: str = Field(
        default="", alias="AUTOCOMPLETE_GENERATION_PROMPT_TEMPLATE"
    )
    enable_tags_generation: bool = Field(default=True, alias="ENABLE_TAGS_GENERATION")
    tags_generation_prompt_template: str = Field(default="", alias="TAGS_GENERATION_PROMPT_TEMPLATE")
    enable_follow_up_generation: bool = Field(default=True, alias="ENABLE_FOLLOW_UP_GENERATION")
    follow_up_generation_prompt_template: str = Field(
        default="", alias="FOLLOW_UP_GENERATION_PROMPT_TEMPLATE"
    )
    enable_search_query_generation: bool = Field(default=True, alias="ENABLE_SEARCH_QUERY_GENERATION")
    tools_function_calling_prompt_template: str = Field(
        default="", alias="TOOLS_FUNCTION_CALLING_PROMPT_TEMPLATE"
    )
    enable_voice_mode_prompt: bool = Field(default=True, alias="ENABLE_VOICE_MODE_PROMPT")
    voice_mode_prompt_template: str = Field(default="", alias="VOICE_MODE_PROMPT_TEMPLATE")

    # Stored chats (/api/v1/chats). Admins may read any user's chats (Open WebUI's default).
    enable_admin_chat_access: bool = Field(default=True, alias="ENABLE_ADMIN_CHAT_ACCESS")
    # The largest chat stored (its blob and messages as JSON): a bigger write is refused with 413.
    chat_max_bytes: int = Field(default=8 * 1024 * 1024, alias="CHAT_MAX_BYTES", ge=1024, le=24 * 1024 * 1024)
    # Admins may export every user's chats (GET /api/v1/chats/all/db).
    enable_admin_export: bool = Field(default=True, alias="ENABLE_ADMIN_EXPORT")
    # Users who are not admins may export their chat statistics (GET /api/v1/chats/stats/export*).
    enable_community_sharing: bool = Field(default=True, alias="ENABLE_COMMUNITY_SHARING")

    # Functions and workspace models.
    enable_functions: bool = Field(default=True, alias="ENABLE_FUNCTIONS")
    function_timeout_s: float = Field(default=30.0, alias="FUNCTION_TIMEOUT_S", gt=0)
    enable_api_outlet_filters: bool = Field(default=True, alias="ENABLE_API_OUTLET_FILTERS")
    # Rounds of server tool calls one chat completion may run (-1: no limit, as in Open WebUI,
    # whose default is 256).
    chat_max_tool_call_iterations: int = Field(
        default=10, alias="CHAT_RESPONSE_MAX_TOOL_CALL_ITERATIONS", ge=-1
    )
    # How long another replica's change to functions or workspace models may take to show here.
    catalog_ttl_s: float = Field(default=1.0, alias="FUNCTIONS_CACHE_TTL_S", ge=0)
    bypass_model_access_control: bool = Field(default=True, alias="BYPASS_MODEL_ACCESS_CONTROL")

    # Python tools (/api/v1/tools). Admins see and change every tool (Open WebUI's default).
    enable_tools: bool = Field(default=True, alias="ENABLE_TOOLS")
    bypass_admin_access_control: bool = Field(default=True, alias="BYPASS_ADMIN_ACCESS_CONTROL")

    # OpenAPI tool servers (tool ids ``server:<id>``), configured in Open WebUI's connection format.
    enable_tool_servers: bool = Field(default=True, alias="ENABLE_TOOL_SERVERS")
    tool_server_connections_text: str = Field(default="[]", alias="TOOL_SERVER_CONNECTIONS", repr=False)
    tool_server_data_timeout_s: float = Field(
        default=10.0, alias="AIOHTTP_CLIENT_TIMEOUT_TOOL_SERVER_DATA", gt=0
    )
    tool_server_timeout_s: float = Field(default=30.0, alias="AIOHTTP_CLIENT_TIMEOUT_TOOL_SERVER", gt=0)
    tool_server_max_response_bytes: int = Field(
        default=1024 * 1024, alias="TOOL_SERVER_MAX_RESPONSE_BYTES", ge=1
    )
    tool_server_max_spec_bytes: int = Field(default=8 * 1024 * 1024, alias="TOOL_SERVER_MAX_SPEC_BYTES", ge=1)
    tool_server_refresh_s: float = Field(default=300.0, alias="TOOL_SERVER_REFRESH_S", ge=1)

    # Usage limits (USAGE_DEFAULT_*, USAGE_LEASE_DIVISOR, ...): read from the environment on their own.
    usage_limits: LimitSettings = Field(default_factory=LimitSettings)

    enable_ollama_api: bool = Field(default=True, alias="ENABLE_OLLAMA_API")
    ollama_base_url: str = Field(default="http://localhost:11434", alias="OLLAMA_BASE_URL")
    ollama_base_urls_raw: str = Field(default="", alias="OLLAMA_BASE_URLS")
    enable_openai_api: bool = Field(default=True, alias="ENABLE_OPENAI_API")
    openai_api_base_url: str = Field(default="https://api.openai.com/v1", alias="OPENAI_API_BASE_URL")
    openai_api_base_urls_raw: str = Field(default="", alias="OPENAI_API_BASE_URLS")
    openai_api_key: str = Field(default="", alias="OPENAI_API_KEY", repr=False)
    openai_api_keys_raw: str = Field(default="", alias="OPENAI_API_KEYS", repr=False)
    enable_openai_api_passthrough: bool = Field(default=False, alias="ENABLE_OPENAI_API_PASSTHROUGH")

    # How long upstream model lists are reused (Open WebUI's default is 1 s).
    models_cache_ttl_s: float = Field(default=1.0, alias="MODELS_CACHE_TTL", ge=0)
    # Deadline of a whole upstream call, streams included (Open WebUI: AIOHTTP_CLIENT_TIMEOUT).
    upstream_timeout_s: float = Field(default=300.0, alias="AIOHTTP_CLIENT_TIMEOUT", gt=0)
    # Deadline of a model-list call; an upstream slower than this keeps its last known models.
    model_list_timeout_s: float = Field(default=10.0, alias="AIOHTTP_CLIENT_TIMEOUT_MODEL_LIST", gt=0)
    upstream_connect_timeout_s: float = Field(default=3.0, alias="UPSTREAM_CONNECT_TIMEOUT_S", gt=0)
    upstream_max_connections: int = Field(default=100, alias="UPSTREAM_MAX_CONNECTIONS", ge=1)
    # This many failures in a row take an upstream out of rotation for UPSTREAM_COOLDOWN_S.
    upstream_failure_threshold: int = Field(default=3, alias="UPSTREAM_FAILURE_THRESHOLD", ge=1)
    upstream_cooldown_s: float = Field(default=10.0, alias="UPSTREAM_COOLDOWN_S", gt=0)
    # Where an admin's connection test (/ollama/verify, /openai/verify) may connect: CIDRs or
    # addresses; empty (or *) allows any address.
    verify_allowed_networks_text: NetworksText = Field(default="", alias="VERIFY_ALLOWED_NETWORKS")
    # POST /api/v1/tools/load/url (held to VERIFY_ALLOWED_NETWORKS): the deadline of the whole
    # fetch and the most bytes of tool source it reads.
    tool_load_url_timeout_s: float = Field(default=15.0, alias="TOOL_LOAD_URL_TIMEOUT_S", gt=0)
    tool_load_url_max_bytes: int = Field(default=1024 * 1024, alias="TOOL_LOAD_URL_MAX_BYTES", gt=0)

    @field_validator("task_model_params_text")
    @classmethod
    def _check_task_model_params(cls, value: str) -> str:
        try:
            parsed = json.loads(value or "{}")
        except ValueError:
            raise ValueError("TASK_MODEL_PARAMS must be a JSON object") from None
        if not isinstance(parsed, dict):
            raise ValueError("TASK_MODEL_PARAMS must be a JSON object")
        return value

    @field_validator("tool_server_connections_text")
    @classmethod
    def _check_tool_server_connections(cls, value: str) -> str:
        parse_connections(value)
        return value

    @property
    def tool_server_connections(self) -> list[ToolServerConnection]:
        return parse_connections(self.tool_server_connections_text)

    @property
    def task_model_params(self) -> dict:
        return json.loads(self.task_model_params_text or "{}")

    @model_validator(mode="after")
    def _check_urls(self) -> "InferenceSettings":
        for url in (*self.ollama_base_urls, *self.openai_api_base_urls):
            _check_url(url)
        return self

    @property
    def verify_allowed_networks(self) -> Networks:
        return parse_networks(self.verify_allowed_networks_text)

    @property
    def ollama_base_urls(self) -> list[str]:
        urls = split_list(self.ollama_base_urls_raw) or split_list(self.ollama_base_url)
        return [url.rstrip("/") for url in urls]

    def _openai_pairs(self) -> list[tuple[str, str]]:
        """(base URL, key) matched by position in the raw lists, before empty URL items are dropped,
        so that ``a;;c`` with ``ka;;kc`` still gives ``c`` the key ``kc``."""
        raw_urls = self.openai_api_base_urls_raw if self.openai_api_base_urls_raw.strip() else ""
        urls = [u.strip() for u in (raw_urls or self.openai_api_base_url).split(";")]
        raw_keys = self.openai_api_keys_raw if self.openai_api_keys_raw.strip() else self.openai_api_key
        keys = [key.strip() for key in raw_keys.split(";")]
        keys = (keys + [""] * len(urls))[: len(urls)]
        return [(url.rstrip("/"), key) for url, key in zip(urls, keys, strict=True) if url]

    @property
    def openai_api_base_urls(self) -> list[str]:
        return [url for url, _ in self._openai_pairs()]

    @property
    def openai_api_keys(self) -> list[str]:
        """One key per base URL, matched by index; missing keys are empty (no Authorization)."""
        return [key for _, key in self._openai_pairs()]
