"""OpenAI embeddings (``POST /api/embeddings``) served by Ollama ``/api/embed`` or an OpenAI upstream."""

import base64
import struct
from collections.abc import AsyncIterator

from services.inference.chat import ChatService
from services.inference.dispatch import Dispatcher
from services.inference.ollama_convert import ollama_error_message
from services.inference.replies import Head, Part, detail_reply, dumps, json_reply, loads, relayed_headers
from services.inference.upstreams import Kind

# What Ollama's /api/embed accepts besides the model and the input.
_OLLAMA_EMBED_FIELDS = ("truncate", "options", "keep_alive", "dimensions")


def ollama_embeddings_to_openai(reply: dict, model: str, encoding_format: object = None) -> dict:
    vectors = reply.get("embeddings") or []
    if encoding_format == "base64":
        # As OpenAI answers (and its SDK asks by default): little-endian float32, base64-encoded.
        vectors = [base64.b64encode(struct.pack(f"<{len(v)}f", *v)).decode() for v in vectors]
    return {
        "object": "list",
        "data": [{"object": "embedding", "embedding": v, "index": i} for i, v in enumerate(vectors)],
        "model": model,
    }


class EmbeddingsService:
    def __init__(self, chat: ChatService, dispatcher: Dispatcher) -> None:
        # The chat service resolves model ids (and refuses unknown ones with 400) the same way.
        self._chat = chat
        self._dispatcher = dispatcher

    async def embed(self, body: object) -> AsyncIterator[Part]:
        route = await self._chat.route_for(body)
        assert isinstance(body, dict)
        if route.kind is Kind.OLLAMA:
            payload = {"model": route.upstream_model, "input": body.get("input", "")}
            payload.update({k: body[k] for k in _OLLAMA_EMBED_FIELDS if k in body})
            async with self._dispatcher.send(route.upstreams, "POST", "/api/embed", dumps(payload)) as (
                _,
                response,
            ):
                raw = await response.read()
                if response.status >= 400:
                    for part in detail_reply(response.status, ollama_error_message(raw)):
                        yield part
                    return
            reply = loads(raw)
            for part in json_reply(
                ollama_embeddings_to_openai(
                    reply if isinstance(reply, dict) else {}, body["model"], body.get("encoding_format")
                )
            ):
                yield part
            return
        payload = {**body, "model": route.upstream_model}
        async with self._dispatcher.send(route.upstreams, "POST", "/embeddings", dumps(payload)) as (
            _,
            response,
        ):
            raw = await response.read()
            yield Head(response.status, relayed_headers(response.headers))
            yield raw
