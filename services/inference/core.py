"""Wires the inference service's object graph from its settings: upstreams, dispatcher, registry,
chat, embeddings and the two proxies."""

from dataclasses import dataclass

import asyncpg
import grpc

from services.common.group_check import GroupDirectory
from services.inference.chat import ChatService
from services.inference.chats.recorder import ChatRecorder
from services.inference.chats.repository import ChatRepository
from services.inference.chats.turn_repository import TurnRepository
from services.inference.chats.turn_tasks import TurnTasks
from services.inference.chats.turns import ChatTurns
from services.inference.config_rows import ConfigRowRepository
from services.inference.dispatch import Dispatcher
from services.inference.embeddings import EmbeddingsService
from services.inference.functions.admin import FunctionAdmin
from services.inference.functions.catalog import FunctionCatalog
from services.inference.functions.filters import FilterRunner
from services.inference.functions.pipes import PipeRunner
from services.inference.functions.repository import FunctionRepository
from services.inference.ingest_retriever import IngestRetriever
from services.inference.metrics import UpstreamMetrics
from services.inference.model_directory import ModelDirectory
from services.inference.model_registry import ModelRegistry
from services.inference.ollama_proxy import OllamaProxy
from services.inference.openai_proxy import OpenAIProxy
from services.inference.pipeline import ChatPipeline
from services.inference.rag.retrieval import RagConfig, Retrieval
from services.inference.settings import InferenceSettings
from services.inference.tasks.config import TaskConfigStore, defaults_from
from services.inference.tasks.core import TaskService
from services.inference.tools.servers import ToolServerLimits, ToolServers
from services.inference.tools.wiring import PythonTools, build_python_tools
from services.inference.transport import Timeouts, Transport
from services.inference.upstreams import Kind, Upstream, UpstreamPool
from services.inference.verify_target import VerifyTargets
from services.inference.workspace.admin import ModelAdmin
from services.inference.workspace.catalog import WorkspaceCatalog
from services.inference.workspace.repository import WorkspaceRepository


@dataclass(frozen=True)
class InferenceCore:
    dispatcher: Dispatcher
    registry: ModelRegistry
    chat: ChatService
    embeddings: EmbeddingsService
    ollama: OllamaProxy
    openai: OpenAIProxy
    # Workspace models: the cached rows (merged into the model list) and their CRUD.
    workspace: WorkspaceCatalog
    model_admin: ModelAdmin
    # Functions: the cached active ones (for the chat pipeline) and their CRUD.
    functions: FunctionCatalog
    function_admin: FunctionAdmin
    # Every model a caller may list or use, and POST /api/chat/completions end to end.
    directory: ModelDirectory
    pipeline: ChatPipeline
    # /api/v1/tasks: the stored task configuration and the task completions.
    tasks: TaskService
    # OpenAPI tool servers: the resolver of ``server:<id>`` tool ids and their tool-list entries.
    tool_servers: ToolServers
    # Python tools: the /api/v1/tools rules (``python_tools.rules``) and the resolver of their ids
    # in ``tool_ids`` (``python_tools.resolver``, a ToolResolver).
    python_tools: PythonTools


def upstreams_from(settings: InferenceSettings) -> list[Upstream]:
    ollama = [Upstream(Kind.OLLAMA, i, url) for i, url in enumerate(settings.ollama_base_urls)]
    openai = [
        Upstream(Kind.OPENAI, i, url, key)
        for i, (url, key) in enumerate(
            zip(settings.openai_api_base_urls, settings.openai_api_keys, strict=True)
        )
    ]
    return ollama + openai


def tool_servers_from(settings: InferenceSettings) -> ToolServers:
    limits = ToolServerLimits(
        spec_timeout_s=settings.tool_server_data_timeout_s,
        call_timeout_s=settings.tool_server_timeout_s,
        connect_timeout_s=settings.upstream_connect_timeout_s,
        max_response_bytes=settings.tool_server_max_response_bytes,
        max_spec_bytes=settings.tool_server_max_spec_bytes,
        refresh_s=settings.tool_server_refresh_s,
        max_connections=settings.upstream_max_connections,
    )
    return ToolServers(settings.tool_server_connections, limits, enabled=settings.enable_tool_servers)


def build_core(
    settings: InferenceSettings,
    transport: Transport,
    pool: asyncpg.Pool,
    turn_pool: asyncpg.Pool,
    ingest_channel: grpc.aio.Channel,
    metrics: UpstreamMetrics | None = None,
    groups: GroupDirectory | None = None,
) -> InferenceCore:
    """``groups``: which group ids exist (AuthService), so that grants naming an unknown group
    are refused (400); None lets any through."""
    upstream_pool = UpstreamPool(
        upstreams_from(settings), settings.upstream_failure_threshold, settings.upstream_cooldown_s
    )
    timeouts = Timeouts(total_s=settings.upstream_timeout_s, connect_s=settings.upstream_connect_timeout_s)
    list_timeouts = Timeouts(
        total_s=settings.model_list_timeout_s,
        connect_s=min(settings.upstream_connect_timeout_s, settings.model_list_timeout_s),
    )
    dispatcher = Dispatcher(upstream_pool, transport, timeouts, metrics)
    # Connection tests resolve their URL's host within the connect timeout of a model-list call.
    verify_targets = VerifyTargets(settings.verify_allowed_networks, list_timeouts.connect_s)
    registry = ModelRegistry(
        dispatcher,
        {Kind.OLLAMA: settings.enable_ollama_api, Kind.OPENAI: settings.enable_openai_api},
        settings.models_cache_ttl_s,
        list_timeouts,
    )
    chat = ChatService(registry, dispatcher)
    workspace = WorkspaceCatalog(WorkspaceRepository(pool), settings.catalog_ttl_s)
    function_store = FunctionRepository(pool)
    functions = FunctionCatalog(
        function_store,
        settings.catalog_ttl_s,
        enabled=settings.enable_functions,
        load_timeout_s=settings.function_timeout_s,
    )
    directory = ModelDirectory(
        registry, functions, workspace, settings.function_timeout_s, settings.bypass_model_access_control
    )
    # Every replica reads the stored task configuration at most a second old.
    task_config = TaskConfigStore(
        ConfigRowRepository(pool, "inference_task_config"),
        defaults_from(settings),
        min(settings.catalog_ttl_s, 1.0),
    )
    retrieval = Retrieval(
        IngestRetriever(ingest_channel, settings.ingest_timeout_s),
        RagConfig(
            top_k=settings.rag_top_k,
            template=settings.rag_template,
            system_context=settings.rag_system_context,
            hybrid=settings.enable_rag_hybrid_search,
            query_generation=settings.enable_retrieval_query_generation,
            query_template=settings.query_generation_prompt_template,
        ),
        task_config.query_generation,
    )
    # The pipeline resolves ``server:<id>`` tool ids through it.
    tool_servers = tool_servers_from(settings)
    python_tools = build_python_tools(
        pool, settings, servers=tool_servers, targets=verify_targets, groups=groups
    )
    pipeline = ChatPipeline(
        directory,
        chat,
        retrieval,
        functions,
        FilterRunner(settings.function_timeout_s),
        PipeRunner(settings.function_timeout_s, metrics=metrics),
        settings.enable_api_outlet_filters,
        # Server ids first: Python tools take every other id.
        tool_resolvers=[tool_servers, python_tools.resolver],
        max_tool_rounds=settings.chat_max_tool_call_iterations,
        # A last guard only: each kind of tool keeps its own, shorter, deadline.
        tool_timeout_s=max(settings.function_timeout_s, settings.tool_server_timeout_s) + 1.0,
    )
    tasks = TaskService(task_config, directory, workspace, pipeline)
    # Prompt-based tool calling picks its tools with the task model, through the task path.
    pipeline.select_tools_with(tasks.select_tools)
    # Completions tied to stored chats write into them; their background tasks (title, tags,
    # follow-ups) run through the task routes' path.
    turns = ChatTurns(TurnRepository(turn_pool), ChatRepository(pool), max_bytes=settings.chat_max_bytes)
    pipeline.store_chats_with(ChatRecorder(turns, TurnTasks(turns, tasks.run)))
    return InferenceCore(
        dispatcher=dispatcher,
        registry=registry,
        chat=chat,
        embeddings=EmbeddingsService(chat, dispatcher),
        ollama=OllamaProxy(registry, dispatcher, settings.enable_ollama_api, list_timeouts, verify_targets),
        openai=OpenAIProxy(
            registry,
            dispatcher,
            chat,
            settings.enable_openai_api,
            settings.enable_openai_api_passthrough,
            list_timeouts,
            verify_targets,
        ),
        workspace=workspace,
        model_admin=ModelAdmin(WorkspaceRepository(pool), workspace, directory.base_models, groups=groups),
        functions=functions,
        function_admin=FunctionAdmin(function_store, functions),
        directory=directory,
        pipeline=pipeline,
        tasks=tasks,
        tool_servers=tool_servers,
        python_tools=python_tools,
    )
