"""A fake Ollama server: the native /api routes and Ollama's OpenAI-compatible /v1 routes."""

import hashlib
import time
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from tests.fakes.base import (
    EMBEDDING_DIMS,
    JSON_ANSWER,
    ApiError,
    FakeServer,
    Frame,
    canonical_json,
    compact,
    count_tokens,
    embedding_vector,
    openai_error,
    read_json_object,
    reply_tokens,
    serve_main,
    tool_answer_tokens,
    tool_results,
)

DEFAULT_MODELS = ("llama3.2:latest", "granite3.1-dense:8b")
DEFAULT_LOADED = ("llama3.2:latest",)
MODIFIED_AT = "2026-10-01T00:00:00Z"
EXPIRES_AT = "2099-01-01T00:00:00Z"
NDJSON = "application/x-ndjson"
THINKING = "Let me think."


def ollama_error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


def bad_request(message: str) -> web.Response:
    return ollama_error(400, message)


def now_rfc3339() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def model_entry(name: str) -> dict[str, Any]:
    """The /api/tags entry of a model (size and digest derived from its name)."""
    digest = hashlib.sha256(name.encode()).hexdigest()
    return {
        "name": name,
        "model": name,
        "modified_at": MODIFIED_AT,
        "size": 2_000_000_000 + int(digest[:6], 16),
        "digest": digest,
        "details": {
            "parent_model": "",
            "format": "gguf",
            "family": "llama",
            "families": ["llama"],
            "parameter_size": "3.2B",
            "quantization_level": "Q4_K_M",
        },
    }


def wants_json(format_: object) -> bool:
    return format_ == "json" or (isinstance(format_, dict) and bool(format_))


def is_unload(keep_alive: object) -> bool:
    return keep_alive in (0, "0", "0s", "0m")


class FakeOllama(FakeServer):
    """Answers like Ollama ``version``; ``models`` are pulled, ``loaded`` are the ones /api/ps lists."""

    v1_owned_by = "library"
    v1_created = int(datetime(2026, 10, 1, tzinfo=UTC).timestamp())

    def __init__(
        self,
        *,
        models: Iterable[str] | None = None,
        version: str = "0.12.6",
        loaded: Iterable[str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(models=DEFAULT_MODELS if models is None else models, **kwargs)
        self.version = version
        self.loaded: set[str] = set(DEFAULT_LOADED if loaded is None else loaded)

    def resolve_model(self, name: str) -> str | None:
        """Like Ollama, a name without a tag means ``:latest``."""
        if name in self.models:
            return name
        if ":" not in name and f"{name}:latest" in self.models:
            return f"{name}:latest"
        return None

    def _v1_model_not_found(self, name: str) -> web.Response:
        return openai_error(404, f'model "{name}" not found, try pulling it first', error_type="api_error")

    def _add_routes(self, router: web.UrlDispatcher) -> None:
        router.add_get("/", self._root)
        router.add_get("/api/version", self._version)
        router.add_get("/api/tags", self._tags)
        router.add_get("/api/ps", self._ps)
        router.add_post("/api/show", self._show)
        router.add_post("/api/chat", self._failable(self._chat))
        router.add_post("/api/generate", self._failable(self._generate))
        router.add_post("/api/embed", self._failable(self._embed))
        router.add_post("/api/embeddings", self._failable(self._embeddings))
        for path in ("/api/pull", "/api/push", "/api/create"):
            router.add_post(path, self._progress)
        router.add_post("/api/copy", self._copy)
        router.add_delete("/api/delete", self._delete)
        self._add_v1_routes(router)

    async def _root(self, request: web.Request) -> web.Response:
        return web.Response(text="Ollama is running")

    async def _version(self, request: web.Request) -> web.Response:
        return web.json_response({"version": self.version})

    async def _tags(self, request: web.Request) -> web.Response:
        return web.json_response({"models": [model_entry(name) for name in list(self.models)]})

    async def _ps(self, request: web.Request) -> web.Response:
        loaded = set(self.loaded)
        names = [name for name in self.models if name in loaded]
        names += sorted(loaded.difference(names))
        running = []
        for name in names:
            entry = model_entry(name)
            running.append({**entry, "expires_at": EXPIRES_AT, "size_vram": entry["size"]})
        return web.json_response({"models": running})

    async def _show(self, request: web.Request) -> web.Response:
        payload = await read_json_object(request, bad_request)
        name = self._model_name(payload)
        resolved = self.resolve_model(name)
        if resolved is None:
            return ollama_error(404, f"model '{name}' not found")
        return web.json_response(
            {
                "license": "",
                "modelfile": f'# Modelfile generated by "ollama show"\nFROM {resolved}\n',
                "parameters": 'stop "<|eot_id|>"',
                "template": "{{ .Prompt }}",
                "details": model_entry(resolved)["details"],
                "model_info": {"general.architecture": "llama"},
                "capabilities": ["completion", "tools"],
                "modified_at": MODIFIED_AT,
            }
        )

    def _model_name(self, payload: dict[str, Any]) -> str:
        name = payload.get("model") or payload.get("name")
        if not isinstance(name, str) or not name:
            raise ApiError(bad_request("model is required"))
        return name

    def _generation_model(self, payload: dict[str, Any]) -> tuple[str, str]:
        """The model as requested and as resolved; an unknown one answers 404."""
        model = self._model_name(payload)
        resolved = self.resolve_model(model)
        if resolved is None:
            raise ApiError(ollama_error(404, f'model "{model}" not found, try pulling it first'))
        return model, resolved

    def _load_reply(self, payload: dict[str, Any], model: str, resolved: str, chat: bool) -> web.Response:
        """An empty prompt loads the model (or unloads it with ``keep_alive: 0``), as in Ollama."""
        unload = is_unload(payload.get("keep_alive"))
        if unload:
            self.loaded.discard(resolved)
        else:
            self.loaded.add(resolved)
        body: dict[str, Any] = {"model": model, "created_at": now_rfc3339()}
        if chat:
            body["message"] = {"role": "assistant", "content": ""}
        else:
            body["response"] = ""
        body.update(done=True, done_reason="unload" if unload else "load")
        return web.json_response(body)

    def _done_fields(self, started: float, prompt: object, eval_count: int) -> dict[str, Any]:
        total = max(4, int((time.monotonic() - started) * 1e9))
        quarter = total // 4
        return {
            "done": True,
            "done_reason": "stop",
            "total_duration": total,
            "load_duration": quarter,
            "prompt_eval_count": count_tokens(canonical_json(prompt)),
            "prompt_eval_duration": quarter,
            "eval_count": eval_count,
            "eval_duration": total - 2 * quarter,
        }

    async def _reply(
        self,
        request: web.Request,
        payload: dict[str, Any],
        model: str,
        prompt: object,
        tokens: list[str],
        first_extra: dict[str, Any],
        chat: bool,
    ) -> web.StreamResponse:
        """Streams (NDJSON) or returns the reply ``tokens``; ``first_extra`` goes in the first message."""
        started = time.monotonic()
        eval_count = len(tokens)

        def piece(content: str, extra: dict[str, Any]) -> dict[str, Any]:
            if chat:
                return {"message": {"role": "assistant", "content": content, **extra}}
            return {"response": content, **extra}

        def final() -> dict[str, Any]:
            body = {"model": model, "created_at": now_rfc3339(), **piece("", {})}
            body.update(self._done_fields(started, prompt, eval_count))
            if not chat:
                body["context"] = [1, 2, 3]
            return body

        if payload.get("stream", True) is False:
            await self._generation_pause(len(tokens))
            body = final()
            body.update(piece("".join(tokens), first_extra))
            return web.json_response(body)

        def lines() -> Iterator[bytes]:
            for index, token in enumerate(tokens):
                extra = first_extra if index == 0 else {}
                body = {"model": model, "created_at": now_rfc3339(), **piece(token, extra), "done": False}
                yield compact(body) + b"\n"

        def frames() -> Iterator[Frame]:
            yield from self._token_frames(lines())
            yield compact(final()) + b"\n"

        return await self._stream(request, NDJSON, frames())

    def _special_tokens(
        self, payload: dict[str, Any], normal: list[str], messages: list | None = None
    ) -> tuple[list[str], dict[str, Any]]:
        """The reply tokens and first-message extras for ``tools``, tool results, ``think`` and
        ``format``."""
        extra: dict[str, Any] = {}
        if payload.get("think") is True:
            extra["thinking"] = THINKING
        called = self.planned_tool_calls(payload.get("tools"), messages or [])
        if called:
            extra["tool_calls"] = [
                {"function": {"name": name, "arguments": dict(self.tool_args)}} for name in called
            ]
            return [""], extra
        if messages and tool_results(messages):
            return tool_answer_tokens(tool_results(messages)), extra
        if wants_json(payload.get("format")):
            return [JSON_ANSWER], extra
        return normal, extra

    async def _chat(self, request: web.Request) -> web.StreamResponse:
        payload = await read_json_object(request, bad_request)
        model, resolved = self._generation_model(payload)
        messages = payload.get("messages") or []
        if not isinstance(messages, list):
            return bad_request("messages must be an array")
        if not messages:
            return self._load_reply(payload, model, resolved, chat=True)
        normal = self.scripted_reply(messages) or reply_tokens(model, messages, len(messages), self.tokens)
        tokens, extra = self._special_tokens(payload, normal, messages)
        return await self._reply(request, payload, model, messages, tokens, extra, chat=True)

    async def _generate(self, request: web.Request) -> web.StreamResponse:
        payload = await read_json_object(request, bad_request)
        model, resolved = self._generation_model(payload)
        prompt = payload.get("prompt") or ""
        if not isinstance(prompt, str):
            return bad_request("prompt must be a string")
        if not prompt:
            return self._load_reply(payload, model, resolved, chat=False)
        normal = reply_tokens(model, prompt, 1, self.tokens)
        payload_without_tools = {key: value for key, value in payload.items() if key != "tools"}
        tokens, extra = self._special_tokens(payload_without_tools, normal)
        return await self._reply(request, payload, model, prompt, tokens, extra, chat=False)

    async def _embed(self, request: web.Request) -> web.Response:
        payload = await read_json_object(request, bad_request)
        model, _ = self._generation_model(payload)
        value = payload.get("input")
        texts = [value] if isinstance(value, str) else value if value is not None else []
        if not isinstance(texts, list) or not all(isinstance(text, str) for text in texts):
            return bad_request("input must be a string or an array of strings")
        dims = payload.get("dimensions")
        dims = dims if isinstance(dims, int) and dims > 0 else EMBEDDING_DIMS
        return web.json_response(
            {
                "model": model,
                "embeddings": [embedding_vector(text, dims) for text in texts],
                "total_duration": 1,
                "load_duration": 1,
                "prompt_eval_count": sum(count_tokens(text) for text in texts),
            }
        )

    async def _embeddings(self, request: web.Request) -> web.Response:
        payload = await read_json_object(request, bad_request)
        self._generation_model(payload)
        prompt = payload.get("prompt") or ""
        if not isinstance(prompt, str):
            return bad_request("prompt must be a string")
        return web.json_response({"embedding": embedding_vector(prompt) if prompt else []})

    async def _progress(self, request: web.Request) -> web.StreamResponse:
        """pull, push and create: NDJSON progress lines, ``token_delay_s`` apart."""
        payload = await read_json_object(request, bad_request)
        name = self._model_name(payload)
        resolved = self.resolve_model(name)
        if request.path == "/api/push":
            if resolved is None:
                return ollama_error(404, f"model '{name}' not found")
        elif resolved is None:
            self.models.append(name if ":" in name else f"{name}:latest")
        if payload.get("stream", True) is False:
            return web.json_response({"status": "success"})
        digest = "sha256:" + hashlib.sha256(name.encode()).hexdigest()
        lines = (
            {"status": "pulling manifest"},
            {"status": "downloading", "digest": digest, "total": 100, "completed": 50},
            {"status": "success"},
        )
        frames = self._token_frames(compact(line) + b"\n" for line in lines)
        return await self._stream(request, NDJSON, frames, model_reply=False)

    async def _copy(self, request: web.Request) -> web.Response:
        payload = await read_json_object(request, bad_request)
        source, destination = payload.get("source"), payload.get("destination")
        if not isinstance(source, str) or not isinstance(destination, str) or not destination:
            return bad_request("source and destination are required")
        if self.resolve_model(source) is None:
            return ollama_error(404, f"model '{source}' not found")
        if self.resolve_model(destination) is None:
            self.models.append(destination)
        return web.Response(status=200)

    async def _delete(self, request: web.Request) -> web.Response:
        payload = await read_json_object(request, bad_request)
        name = self._model_name(payload)
        resolved = self.resolve_model(name)
        if resolved is None:
            return ollama_error(404, f"model '{name}' not found")
        self.models.remove(resolved)
        self.loaded.discard(resolved)
        return web.Response(status=200)


if __name__ == "__main__":
    serve_main(FakeOllama, "Fake Ollama server for tests and benchmarks.")
