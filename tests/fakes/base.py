"""Shared machinery of the fake LLM upstreams: a threaded aiohttp server that records, fails and streams."""

import argparse
import asyncio
import base64
import hashlib
import json
import math
import random
import signal
import struct
import threading
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, ClassVar, Self

from aiohttp import web
from multidict import CIMultiDict

EMBEDDING_DIMS = 384
JSON_ANSWER = '{"answer":"FAKE"}'
JSON_FORMATS = ("json_object", "json_schema")
TOOL_CITY = "Paris"
SPLIT_PAUSE_S = 0.005
# Short, so that stop() cancels in-flight streams instead of waiting for them to finish.
SHUTDOWN_TIMEOUT_S = 0.05

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
Frame = float | bytes


@dataclass(frozen=True)
class Recorded:
    """One request as the fake received it."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    json: Any
    at: float


class ApiError(Exception):
    """Raised by a handler to answer with ``response`` (a 4xx in the endpoint's own error dialect)."""

    def __init__(self, response: web.Response) -> None:
        super().__init__(response.status)
        self.response = response


def canonical_json(value: object) -> str:
    """The JSON text the reply digest is computed from: sorted keys, no spaces."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def prompt_digest(value: object) -> str:
    """First 16 hex digits of the sha256 of ``canonical_json(value)`` (messages list or prompt)."""
    return hashlib.sha256(canonical_json(value).encode()).hexdigest()[:16]


def reply_tokens(model: str, prompt: object, messages: int, tokens: int) -> list[str]:
    """The deterministic reply: ``FAKE[...]`` then `` t2`` … `` t<tokens>``."""
    head = f"FAKE[model={model} messages={messages} prompt_sha256={prompt_digest(prompt)}]"
    return [head, *(f" t{i}" for i in range(2, tokens + 1))]


def expected_text(model: str, prompt: object, messages: int, tokens: int = 8) -> str:
    """The whole reply text a fake gives for this model and messages list (or prompt)."""
    return "".join(reply_tokens(model, prompt, messages, tokens))


def embedding_vector(text: str, dims: int = EMBEDDING_DIMS) -> list[float]:
    """A unit vector that depends only on ``text``."""
    rng = random.Random(hashlib.sha256(text.encode()).digest())
    raw = [rng.gauss(0.0, 1.0) for _ in range(dims)]
    norm = math.sqrt(sum(x * x for x in raw)) or 1.0
    return [x / norm for x in raw]


def count_tokens(text: str) -> int:
    return max(1, len(text) // 4)


def compact(value: object) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


def sse(value: object) -> bytes:
    return b"data: " + compact(value) + b"\n\n"


def tool_arguments() -> dict[str, str]:
    return {"city": TOOL_CITY}


def tool_names(tools: object) -> list[str]:
    """The function names of a request's tools, in order."""
    names = []
    for tool in tools if isinstance(tools, list) else []:
        function = tool.get("function") if isinstance(tool, dict) else None
        name = function.get("name") if isinstance(function, dict) else None
        names.append(name if isinstance(name, str) and name else "tool")
    return names


def tool_rounds_done(messages: list) -> int:
    """Rounds of tool calls since the last user message (assistant messages with ``tool_calls``)."""
    done = 0
    for message in reversed(messages):
        if not isinstance(message, dict) or message.get("role") == "user":
            break
        if message.get("role") == "assistant" and message.get("tool_calls"):
            done += 1
    return done


def tool_results(messages: list) -> list[str]:
    """The contents of the ``tool`` messages that end ``messages`` (the last round's results)."""
    results: list[str] = []
    for message in reversed(messages):
        if not isinstance(message, dict) or message.get("role") != "tool":
            break
        content = message.get("content")
        results.insert(0, content if isinstance(content, str) else canonical_json(content))
    return results


def tool_answer_tokens(results: list[str]) -> list[str]:
    """A reply built from tool results: ``TOOL[<result>]`` for each, streamed in pieces."""
    tokens: list[str] = []
    for result in results:
        tokens.extend(["TOOL[", result, "]"])
    return tokens


def first_tool_name(tools: object) -> str | None:
    """The function name of the first tool of a request, or None when it has no tools."""
    if not isinstance(tools, list) or not tools:
        return None
    first = tools[0]
    function = first.get("function") if isinstance(first, dict) else None
    name = function.get("name") if isinstance(function, dict) else None
    return name if isinstance(name, str) and name else "tool"


def openai_error(
    status: int,
    message: str,
    *,
    error_type: str = "invalid_request_error",
    param: str | None = None,
    code: str | None = None,
) -> web.Response:
    return web.json_response(
        {"error": {"message": message, "type": error_type, "param": param, "code": code}}, status=status
    )


async def read_json_object(request: web.Request, error: Callable[[str], web.Response]) -> dict[str, Any]:
    """The request's JSON object body; an empty body reads as ``{}``."""
    body = await request.read()
    try:
        payload = json.loads(body) if body else {}
    except ValueError:
        raise ApiError(error("invalid JSON body")) from None
    if not isinstance(payload, dict):
        raise ApiError(error("request body must be a JSON object"))
    return payload


def openai_bad_request(message: str) -> web.Response:
    return openai_error(400, message)


class FakeServer:
    """An aiohttp fake upstream running in its own thread and event loop.

    Subclasses add their routes in ``_add_routes`` and may share the OpenAI-compatible ``/v1`` routes
    with ``_add_v1_routes``. The attributes below are read on every request, so tests may change them
    while the server runs.
    """

    v1_owned_by: ClassVar[str] = "system"
    v1_created: ClassVar[int] = 1700000000

    def __init__(
        self,
        *,
        models: Iterable[str] = (),
        token_delay_s: float = 0.0,
        tokens: int = 8,
        first_byte_delay_s: float = 0.0,
        fail_status: int | None = None,
        fail_body: dict[str, Any] | str | None = None,
        fail_headers: dict[str, str] | None = None,
        split_frames: bool = False,
        truncate_stream: int | None = None,
        record: bool = True,
    ) -> None:
        self.models: list[str] = list(models)
        self.token_delay_s = token_delay_s
        self.tokens = tokens
        self.first_byte_delay_s = first_byte_delay_s
        self.fail_status = fail_status
        self.fail_body = fail_body
        self.fail_headers: dict[str, str] = dict(fail_headers or {})
        self.split_frames = split_frames
        # A model reply stream ends cleanly after this many frames, its end (`done`, `[DONE]`) unsent:
        # a server that closed the stream early.
        self.truncate_stream = truncate_stream
        # A chat whose last message contains a key gets its value as the whole reply (a task
        # model's JSON answer, say).
        self.scripted: dict[str, str] = {}
        self.record = record
        # Tool calling: how many rounds of calls the fake makes before it answers from the results
        # (a request whose messages end with ``tool`` results is answered ``TOOL[<result>]``), with
        # what arguments, and whether each round calls every offered tool or only the first.
        self.tool_rounds = 1
        self.tool_args: dict[str, Any] = tool_arguments()
        self.call_all_tools = False
        self.streams_started = 0
        self.streams_completed = 0
        self.streams_cancelled = 0
        self._lock = threading.Lock()
        self._requests: list[Recorded] = []
        self._port = 0
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def scripted_reply(self, messages: list) -> list[str] | None:
        last = messages[-1] if messages else None
        content = last.get("content") if isinstance(last, dict) else None
        text = content if isinstance(content, str) else canonical_json(content)
        for key, reply in self.scripted.items():
            if key in text:
                return [reply]
        return None

    def planned_tool_calls(self, tools: object, messages: list) -> list[str]:
        """The tools this reply calls ([] when it answers in text)."""
        names = tool_names(tools)
        if not names or (tool_results(messages) and tool_rounds_done(messages) >= self.tool_rounds):
            return []
        return names if self.call_all_tools else names[:1]

    def _add_routes(self, router: web.UrlDispatcher) -> None:
        raise NotImplementedError

    def _middlewares(self) -> list[Any]:
        return []

    def resolve_model(self, name: str) -> str | None:
        """The model ``name`` designates, or None when the fake does not have it."""
        return name if name in self.models else None

    def _v1_model_not_found(self, name: str) -> web.Response:
        return openai_error(404, f"The model `{name}` does not exist", param="model", code="model_not_found")

    @property
    def port(self) -> int:
        return self._port

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._port}"

    @property
    def running(self) -> bool:
        return self._thread is not None

    def build_app(self) -> web.Application:
        app = web.Application(
            middlewares=[self._record_middleware, self._api_error_middleware, *self._middlewares()],
            client_max_size=64 * 1024 * 1024,
        )
        self._add_routes(app.router)
        app.router.add_route("*", "/redirect/{tail:.*}", self._redirect)
        return app

    async def _redirect(self, request: web.Request) -> web.Response:
        """``/redirect/<path>`` answers 302 to ``/<path>``: for clients that must not follow redirects."""
        return web.Response(status=302, headers={"Location": "/" + request.match_info["tail"]})

    async def _open(self, port: int) -> web.AppRunner:
        runner = web.AppRunner(
            self.build_app(),
            access_log=None,
            handler_cancellation=True,
            shutdown_timeout=SHUTDOWN_TIMEOUT_S,
        )
        await runner.setup()
        try:
            site = web.TCPSite(runner, "127.0.0.1", port)
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._port = runner.addresses[0][1]
        return runner

    def start(self, port: int = 0) -> Self:
        """Serves on 127.0.0.1:``port`` (0: a free port) in a new thread; returns once listening."""
        with self._lock:
            if self._thread is not None:
                raise RuntimeError(f"{type(self).__name__} is already running on {self.url}")
            loop = asyncio.new_event_loop()
            ready = threading.Event()
            failure: list[BaseException] = []
            thread = threading.Thread(
                target=self._serve_in_thread,
                args=(loop, port, ready, failure),
                name=f"{type(self).__name__}-server",
                daemon=True,
            )
            thread.start()
            ready.wait()
            if failure:
                thread.join()
                raise failure[0]
            self._thread, self._loop = thread, loop
        return self

    def _serve_in_thread(
        self,
        loop: asyncio.AbstractEventLoop,
        port: int,
        ready: threading.Event,
        failure: list[BaseException],
    ) -> None:
        asyncio.set_event_loop(loop)
        try:
            try:
                runner = loop.run_until_complete(self._open(port))
            except BaseException as exc:
                failure.append(exc)
                return
            finally:
                ready.set()
            try:
                loop.run_forever()
            finally:
                loop.run_until_complete(runner.cleanup())
                leftovers = asyncio.all_tasks(loop)
                for task in leftovers:
                    task.cancel()
                loop.run_until_complete(asyncio.gather(*leftovers, return_exceptions=True))
                loop.run_until_complete(loop.shutdown_asyncgens())
        finally:
            loop.close()

    def stop(self) -> None:
        """Closes the listening socket and every open connection, then joins the thread; idempotent."""
        with self._lock:
            thread, loop = self._thread, self._loop
            self._thread = self._loop = None
        if thread is None or loop is None:
            return
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)

    def restart(self) -> Self:
        """Stops (when running) and serves again on the same port."""
        self.stop()
        return self.start(self._port)

    def __enter__(self) -> Self:
        return self if self.running else self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    async def serve_until_signal(self, port: int) -> None:
        """Process mode: serves in the running loop until SIGTERM or SIGINT."""
        runner = await self._open(port)
        print(f"listening on {self.url}", flush=True)
        stopping = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stopping.set)
        try:
            await stopping.wait()
        finally:
            await runner.cleanup()

    @property
    def requests(self) -> list[Recorded]:
        """A snapshot of the requests received so far, oldest first."""
        with self._lock:
            return list(self._requests)

    def reset(self) -> None:
        """Forgets the recorded requests and zeroes the stream counters."""
        with self._lock:
            self._requests.clear()
            self.streams_started = self.streams_completed = self.streams_cancelled = 0

    def wait_for(self, predicate: Callable[[Self], bool], timeout: float = 5.0) -> bool:
        """Polls ``predicate(self)`` until it is true (True) or ``timeout`` seconds pass (False)."""
        deadline = time.monotonic() + timeout
        while True:
            if predicate(self):
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.01)

    def _count(self, counter: str) -> None:
        with self._lock:
            setattr(self, counter, getattr(self, counter) + 1)

    @web.middleware
    async def _record_middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if self.record:
            body = await request.read()
            try:
                parsed = json.loads(body) if body else None
            except ValueError:
                parsed = None
            recorded = Recorded(
                method=request.method,
                path=request.path,
                query=dict(request.query),
                headers=dict(request.headers),
                body=body,
                json=parsed,
                at=time.monotonic(),
            )
            with self._lock:
                self._requests.append(recorded)
        return await handler(request)

    @web.middleware
    async def _api_error_middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        try:
            return await handler(request)
        except ApiError as exc:
            return exc.response

    def _failable(self, handler: Handler) -> Handler:
        """Wraps a model-using handler so that ``fail_status`` replaces its answer."""

        async def wrapped(request: web.Request) -> web.StreamResponse:
            failure = self._injected_failure()
            return failure if failure is not None else await handler(request)

        return wrapped

    def _injected_failure(self) -> web.Response | None:
        status = self.fail_status
        if status is None:
            return None
        headers: CIMultiDict[str] = CIMultiDict(self.fail_headers or {})
        body = self.fail_body
        if body is None:
            body = {"error": f"injected failure {status}"}
        if isinstance(body, str):
            headers.setdefault("Content-Type", "text/plain; charset=utf-8")
            return web.Response(status=status, body=body.encode(), headers=headers)
        headers.setdefault("Content-Type", "application/json; charset=utf-8")
        return web.Response(status=status, body=json.dumps(body).encode(), headers=headers)

    async def _generation_pause(self, tokens: int) -> None:
        """A non-streamed reply takes as long as the stream would have."""
        pause = self.first_byte_delay_s + self.token_delay_s * max(0, tokens - 1)
        if pause > 0:
            await asyncio.sleep(pause)

    def _token_frames(self, frames: Iterable[bytes]) -> Iterator[Frame]:
        """``frames`` with a ``token_delay_s`` pause before each one but the first."""
        for index, frame in enumerate(frames):
            if index:
                yield self.token_delay_s
            yield frame

    async def _stream(
        self,
        request: web.Request,
        content_type: str,
        frames: Iterable[Frame],
        *,
        model_reply: bool = True,
    ) -> web.StreamResponse:
        """Writes ``frames`` one at a time, draining after each; a float frame is a pause.

        A model reply waits ``first_byte_delay_s`` before the response head and counts in the
        ``streams_*`` counters; a client that goes away before the last frame counts as cancelled,
        whether the server cancels the handler or the next write fails.
        """
        response = web.StreamResponse(headers={"Content-Type": content_type, "Cache-Control": "no-cache"})
        if model_reply:
            self._count("streams_started")
        finished = False
        try:
            if model_reply and self.first_byte_delay_s > 0:
                await asyncio.sleep(self.first_byte_delay_s)
            await response.prepare(request)
            cut = self.truncate_stream if model_reply else None
            for frame in frames:
                if isinstance(frame, bytes):
                    if cut is not None and cut <= 0:
                        break
                    await self._write_frame(request, response, frame)
                    cut = None if cut is None else cut - 1
                elif frame > 0:
                    await asyncio.sleep(frame)
            else:
                finished = True
            # Counted before the stream's end goes out, so a client that has read the whole
            # reply already sees it counted (a truncated one counts as cancelled).
            if model_reply and finished:
                self._count("streams_completed")
            await response.write_eof()
        except ConnectionError:
            pass
        finally:
            if model_reply and not finished:
                self._count("streams_cancelled")
        return response

    async def _write_frame(self, request: web.Request, response: web.StreamResponse, frame: bytes) -> None:
        if self.split_frames and len(frame) > 1:
            middle = len(frame) // 2
            await response.write(frame[:middle])
            await request.writer.drain()
            await asyncio.sleep(SPLIT_PAUSE_S)
            frame = frame[middle:]
        await response.write(frame)
        await request.writer.drain()

    def _add_v1_routes(self, router: web.UrlDispatcher) -> None:
        router.add_get("/v1/models", self._v1_models)
        router.add_post("/v1/chat/completions", self._failable(self._v1_chat_completions))
        router.add_post("/v1/completions", self._failable(self._v1_completions))
        router.add_post("/v1/embeddings", self._failable(self._v1_embeddings))

    def _v1_model(self, payload: dict[str, Any]) -> str:
        model = payload.get("model")
        if not isinstance(model, str) or not model:
            raise ApiError(openai_error(400, "you must provide a model parameter", param="model"))
        if self.resolve_model(model) is None:
            raise ApiError(self._v1_model_not_found(model))
        return model

    async def _v1_models(self, request: web.Request) -> web.Response:
        data = [
            {"id": name, "object": "model", "created": self.v1_created, "owned_by": self.v1_owned_by}
            for name in self.models
        ]
        return web.json_response({"object": "list", "data": data})

    async def _v1_chat_completions(self, request: web.Request) -> web.StreamResponse:
        payload = await read_json_object(request, openai_bad_request)
        model = self._v1_model(payload)
        messages = payload.get("messages")
        if not isinstance(messages, list) or not messages:
            raise ApiError(openai_error(400, "'messages' must be a non-empty array", param="messages"))
        called = self.planned_tool_calls(payload.get("tools"), messages)
        response_format = payload.get("response_format")
        if called:
            tokens = [""]
        elif tool_results(messages):
            tokens = tool_answer_tokens(tool_results(messages))
        elif isinstance(response_format, dict) and response_format.get("type") in JSON_FORMATS:
            tokens = [JSON_ANSWER]
        else:
            tokens = self.scripted_reply(messages) or reply_tokens(
                model, messages, len(messages), self.tokens
            )
        prompt_tokens = count_tokens(canonical_json(messages))
        completion_tokens = 1 if called else len(tokens)
        usage = {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        }
        completion_id = f"chatcmpl-{uuid.uuid4().hex}"
        created = int(time.time())
        tool_calls = [
            {
                "id": f"call_{uuid.uuid4().hex[:24]}",
                "type": "function",
                "function": {"name": name, "arguments": json.dumps(self.tool_args)},
            }
            for name in called
        ]
        finish_reason = "tool_calls" if tool_calls else "stop"

        if not payload.get("stream"):
            await self._generation_pause(len(tokens))
            message: dict[str, Any] = {"role": "assistant", "content": "".join(tokens)}
            if tool_calls:
                message = {"role": "assistant", "content": None, "tool_calls": tool_calls}
            choice = {"index": 0, "message": message, "logprobs": None, "finish_reason": finish_reason}
            return web.json_response(
                {
                    "id": completion_id,
                    "object": "chat.completion",
                    "created": created,
                    "model": model,
                    "choices": [choice],
                    "usage": usage,
                }
            )

        head = {"id": completion_id, "object": "chat.completion.chunk", "created": created, "model": model}
        stream_options = payload.get("stream_options")
        include_usage = isinstance(stream_options, dict) and bool(stream_options.get("include_usage"))

        def chunk(delta: dict[str, Any], finish: str | None = None) -> bytes:
            choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}
            return sse({**head, "choices": [choice]})

        def frames() -> Iterator[Frame]:
            yield chunk({"role": "assistant", "content": ""})
            if tool_calls:
                # As OpenAI streams a call: id and name first, the arguments in a later delta.
                for index, call in enumerate(tool_calls):
                    function = call["function"]
                    head_delta = {**call, "function": {"name": function["name"], "arguments": ""}}
                    yield chunk({"tool_calls": [{"index": index, **head_delta}]})
                    yield chunk(
                        {"tool_calls": [{"index": index, "function": {"arguments": function["arguments"]}}]}
                    )
            else:
                yield from self._token_frames(chunk({"content": token}) for token in tokens)
            yield chunk({}, finish_reason)
            if include_usage:
                yield sse({**head, "choices": [], "usage": usage})
            yield b"data: [DONE]\n\n"

        return await self._stream(request, "text/event-stream", frames())

    async def _v1_completions(self, request: web.Request) -> web.StreamResponse:
        payload = await read_json_object(request, openai_bad_request)
        model = self._v1_model(payload)
        prompt = payload.get("prompt", "")
        messages = len(prompt) if isinstance(prompt, list) else 1
        tokens = reply_tokens(model, prompt, messages, self.tokens)
        prompt_tokens = count_tokens(canonical_json(prompt))
        usage = {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": len(tokens),
            "total_tokens": prompt_tokens + len(tokens),
        }
        head = {
            "id": f"cmpl-{uuid.uuid4().hex}",
            "object": "text_completion",
            "created": int(time.time()),
            "model": model,
        }

        def choice(text: str, finish: str | None) -> dict[str, Any]:
            return {"text": text, "index": 0, "logprobs": None, "finish_reason": finish}

        if not payload.get("stream"):
            await self._generation_pause(len(tokens))
            return web.json_response({**head, "choices": [choice("".join(tokens), "stop")], "usage": usage})

        stream_options = payload.get("stream_options")
        include_usage = isinstance(stream_options, dict) and bool(stream_options.get("include_usage"))

        def frames() -> Iterator[Frame]:
            yield from self._token_frames(sse({**head, "choices": [choice(token, None)]}) for token in tokens)
            yield sse({**head, "choices": [choice("", "stop")]})
            if include_usage:
                yield sse({**head, "choices": [], "usage": usage})
            yield b"data: [DONE]\n\n"

        return await self._stream(request, "text/event-stream", frames())

    async def _v1_embeddings(self, request: web.Request) -> web.Response:
        payload = await read_json_object(request, openai_bad_request)
        model = self._v1_model(payload)
        texts = v1_embedding_texts(payload.get("input"))
        dims = payload.get("dimensions")
        dims = dims if isinstance(dims, int) and dims > 0 else EMBEDDING_DIMS
        as_base64 = payload.get("encoding_format") == "base64"
        data = []
        for index, text in enumerate(texts):
            vector: list[float] | str = embedding_vector(text, dims)
            if as_base64:
                vector = base64.b64encode(struct.pack(f"<{dims}f", *vector)).decode()
            data.append({"object": "embedding", "embedding": vector, "index": index})
        used = sum(count_tokens(text) for text in texts)
        return web.json_response(
            {
                "object": "list",
                "data": data,
                "model": model,
                "usage": {"prompt_tokens": used, "total_tokens": used},
            }
        )


def v1_embedding_texts(value: object) -> list[str]:
    """The texts of an embeddings ``input``: a string, strings, or token arrays (embedded as JSON)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and value:
        if all(isinstance(item, int) for item in value):
            return [canonical_json(value)]
        if all(isinstance(item, str | list) for item in value):
            return [item if isinstance(item, str) else canonical_json(item) for item in value]
    raise ApiError(openai_error(400, "'input' must be a string or a non-empty array", param="input"))


def serve_main(factory: Callable[..., FakeServer], description: str) -> None:
    """Process mode: ``--port N [--delay-ms D] [--tokens N]``, no recording, until SIGTERM/SIGINT."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--port", type=int, default=0, help="TCP port on 127.0.0.1 (0: a free one)")
    parser.add_argument("--delay-ms", type=float, default=0.0, help="pause between streamed tokens")
    parser.add_argument("--tokens", type=int, default=8, help="tokens in each reply")
    args = parser.parse_args()
    # Benchmarks send many requests: keeping them all would only grow the process.
    fake = factory(token_delay_s=args.delay_ms / 1000, tokens=args.tokens, record=False)
    asyncio.run(fake.serve_until_signal(args.port))
