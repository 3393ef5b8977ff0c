"""Wires the inference service's object graph from its settings: upstreams, dispatcher, registry,
chat, embeddings and the two proxies."""

from dataclasses import dataclass

import asyncpg
import grpc

from services.inference.chat import ChatService
from services.inference.dispatch import Dispatcher
from services.inference.embeddings import EmbeddingsService
from services.inference.model_registry import ModelRegistry
from services.inference.ollama_proxy import OllamaProxy
from services.inference.openai_proxy import OpenAIProxy
from services.inference.settings import InferenceSettings
from services.inference.transport import Timeouts, Transport
from services.inference.upstreams import Kind, Upstream, UpstreamPool


@dataclass(frozen=True)
class InferenceCore:
    dispatcher: Dispatcher
    registry: ModelRegistry
    chat: ChatService
    embeddings: EmbeddingsService
    ollama: OllamaProxy
    openai: OpenAIProxy


def upstreams_from(settings: InferenceSettings) -> list[Upstream]:
    ollama = [Upstream(Kind.OLLAMA, i, url) for i, url in enumerate(settings.ollama_base_urls)]
    openai = [
        Upstream(Kind.OPENAI, i, url, key)
        for i, (url, key) in enumerate(
            zip(settings.openai_api_base_urls, settings.openai_api_keys, strict=True)
        )
    ]
    return ollama + openai


def build_core(
    settings: InferenceSettings, transport: Transport, pool: asyncpg.Pool, ingest_channel: grpc.aio.Channel
) -> InferenceCore:
    pool = UpstreamPool(
        upstreams_from(settings), settings.upstream_failure_threshold, settings.upstream_cooldown_s
    )
    timeouts = Timeouts(total_s=settings.upstream_timeout_s, connect_s=settings.upstream_connect_timeout_s)
    list_timeouts = Timeouts(
        total_s=settings.model_list_timeout_s,
        connect_s=min(settings.upstream_connect_timeout_s, settings.model_list_timeout_s),
    )
    dispatcher = Dispatcher(pool, transport, timeouts)
    registry = ModelRegistry(
        dispatcher,
        {Kind.OLLAMA: settings.enable_ollama_api, Kind.OPENAI: settings.enable_openai_api},
        settings.models_cache_ttl_s,
        list_timeouts,
    )
    chat = ChatService(registry, dispatcher)
    return InferenceCore(
        dispatcher=dispatcher,
        registry=registry,
        chat=chat,
        embeddings=EmbeddingsService(chat, dispatcher),
        ollama=OllamaProxy(registry, dispatcher, settings.enable_ollama_api, list_timeouts),
        openai=OpenAIProxy(
            registry,
            dispatcher,
            chat,
            settings.enable_openai_api,
            settings.enable_openai_api_passthrough,
            list_timeouts,
        ),
    )
