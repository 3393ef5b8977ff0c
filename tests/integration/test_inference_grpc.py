"""The inference service over real gRPC, against fake upstreams on loopback: streaming is
incremental, cancelling the call cancels the upstream request, failover and cool-down work."""

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable

import grpc
import pytest

from services.common import messages
from services.common.grpc_identity import bearer_metadata
from services.inference.main import RunningInference, start
from services.inference.settings import InferenceSettings
from tests.fakes.ollama import FakeOllama
from tests.integration.accounts import Accounts, AuthServer, Who
from webui.inference.v1 import inference_pb2, inference_pb2_grpc

MODEL = "llama3.2:latest"


def chat_request(stream: bool, model: str = MODEL) -> inference_pb2.ChatCompletionRequest:
    body = {"model": model, "messages": [{"role": "user", "content": "hi"}], "stream": stream}
    return inference_pb2.ChatCompletionRequest(body_json=json.dumps(body).encode())


@pytest.fixture
def user(accounts: Accounts) -> Who:
    """The verified (non-admin) user every call is made as."""
    return accounts.alice


@pytest.fixture
async def start_inference(database_url: str, auth_server: AuthServer) -> AsyncIterator[Callable]:
    """Starts the inference service in process on the given upstreams and a fresh database, resolving
    credentials through a real auth server; stopped afterwards."""
    started: list[tuple[RunningInference, grpc.aio.Channel]] = []

    async def _start(ollama_urls: list[str], **env: object) -> inference_pb2_grpc.InferenceServiceStub:
        stub, _ = await _start_running(ollama_urls, **env)
        return stub

    async def _start_running(
        ollama_urls: list[str], **env: object
    ) -> tuple[inference_pb2_grpc.InferenceServiceStub, RunningInference]:
        settings = InferenceSettings(
            DATABASE_URL=database_url,
            INFERENCE_GRPC_LISTEN="127.0.0.1:0",
            OLLAMA_BASE_URLS=";".join(ollama_urls),
            ENABLE_OPENAI_API=False,
            UPSTREAM_CONNECT_TIMEOUT_S=1,
            AUTH_GRPC_TARGET=auth_server.target,
            **env,
        )
        running = await start(settings)
        channel = grpc.aio.insecure_channel(f"127.0.0.1:{running.service.port}")
        started.append((running, channel))
        return inference_pb2_grpc.InferenceServiceStub(channel), running

    _start.running = _start_running
    try:
        yield _start
    finally:
        for running, channel in started:
            await channel.close()
            await running.stop(0)


@pytest.fixture
def fakes() -> AsyncIterator[list[FakeOllama]]:
    pair = [FakeOllama().start(), FakeOllama().start()]
    try:
        yield pair
    finally:
        for fake in pair:
            fake.stop()


async def complete(stub: inference_pb2_grpc.InferenceServiceStub, who: Who) -> tuple[int, bytes]:
    head, body = None, []
    async for message in stub.ChatCompletion(chat_request(stream=False), metadata=who.metadata, timeout=10):
        if message.HasField("head"):
            head = message.head
        else:
            body.append(message.chunk)
    assert head is not None
    return head.status, b"".join(body)


async def test_stream_chunks_arrive_as_the_upstream_sends_them(start_inference, fakes, user: Who) -> None:
    fake = fakes[0]
    fake.token_delay_s = 0.15
    stub = await start_inference([fake.url])
    started = time.monotonic()
    arrivals: list[tuple[float, bytes]] = []
    async for message in stub.ChatCompletion(chat_request(stream=True), metadata=user.metadata, timeout=10):
        if message.HasField("chunk"):
            arrivals.append((time.monotonic() - started, message.chunk))
            if len(arrivals) == 1:
                # The first token is here while the upstream is still generating.
                assert fake.streams_completed == 0
    events = [chunk for _, chunk in arrivals]
    assert events[-1] == b"data: [DONE]\n\n"
    assert all(e.startswith(b"data: ") and e.endswith(b"\n\n") for e in events)
    assert arrivals[0][0] < 0.5
    assert arrivals[-1][0] - arrivals[0][0] > 0.15 * 6


async def test_cancelling_the_call_cancels_the_upstream_request(start_inference, fakes, user: Who) -> None:
    fake = fakes[0]
    fake.token_delay_s = 0.2
    stub = await start_inference([fake.url])
    call = stub.ChatCompletion(chat_request(stream=True), metadata=user.metadata, timeout=10)
    seen = 0
    async for message in call:
        seen += message.HasField("chunk")
        if seen == 2:
            break
    call.cancel()
    assert await asyncio.to_thread(fake.wait_for, lambda f: f.streams_cancelled == 1, 5)
    assert fake.streams_completed == 0


async def test_connect_failure_is_retried_on_another_upstream(start_inference, fakes, user: Who) -> None:
    first, second = fakes
    stub = await start_inference([first.url, second.url])
    await stub.ListModels(inference_pb2.ListModelsRequest(), metadata=user.metadata, timeout=10)
    first.stop()
    for _ in range(6):
        status, body = await complete(stub, user)
        assert status == 200, body
    assert len([r for r in second.requests if r.path == "/api/chat"]) == 6


async def test_failing_upstream_cools_down_and_returns_after_a_probe(
    start_inference, fakes, user: Who
) -> None:
    first, second = fakes
    stub, running = await start_inference.running(
        [first.url, second.url], UPSTREAM_FAILURE_THRESHOLD=2, UPSTREAM_COOLDOWN_S=1
    )
    pool = running.core.dispatcher.pool
    await stub.ListModels(inference_pb2.ListModelsRequest(), metadata=user.metadata, timeout=10)
    first.stop()
    # Every request succeeds (retried on the second); the first cools down after two failures.
    for _ in range(50):
        assert (await complete(stub, user))[0] == 200
        if pool.is_cooling(pool.upstreams[0]):
            break
    assert pool.is_cooling(pool.upstreams[0])
    first.restart()
    # Out of rotation: nothing reaches it until a probe has seen it answer.
    for _ in range(5):
        assert (await complete(stub, user))[0] == 200
    assert not [r for r in first.requests if r.path == "/api/chat"]
    for _ in range(100):
        if not pool.is_cooling(pool.upstreams[0]):
            break
        await asyncio.sleep(0.05)
    assert not pool.is_cooling(pool.upstreams[0])
    assert any(r.path == "/api/version" for r in first.requests)
    for _ in range(20):
        assert (await complete(stub, user))[0] == 200
    # Back in rotation: idle upstreams share the load.
    assert [r for r in first.requests if r.path == "/api/chat"]


async def test_all_upstreams_down_is_bad_gateway_quickly(start_inference, fakes, user: Who) -> None:
    stub = await start_inference([fakes[0].url])
    await stub.ListModels(inference_pb2.ListModelsRequest(), metadata=user.metadata, timeout=10)
    fakes[0].stop()
    started = time.monotonic()
    with pytest.raises(grpc.aio.AioRpcError) as excinfo:
        await complete(stub, user)
    assert excinfo.value.code() == grpc.StatusCode.UNAVAILABLE
    assert excinfo.value.details() == "Open WebUI: Server Connection Error"
    assert ("webui-http-status", "502") in tuple(excinfo.value.trailing_metadata())
    assert time.monotonic() - started < 3


async def test_unreachable_upstream_keeps_its_last_known_models(start_inference, fakes, user: Who) -> None:
    # Its chats then fail as the outage they are (502), not as "Model not found".
    fakes[1].models = ["only-here:latest"]
    stub = await start_inference([fakes[0].url, fakes[1].url], MODELS_CACHE_TTL=0)
    request = inference_pb2.ListModelsRequest(refresh=True)
    ids = {
        m["id"]
        for m in json.loads((await stub.ListModels(request, metadata=user.metadata, timeout=10)).models_json)
    }
    assert "only-here:latest" in ids
    fakes[1].stop()
    ids = {
        m["id"]
        for m in json.loads((await stub.ListModels(request, metadata=user.metadata, timeout=10)).models_json)
    }
    assert "only-here:latest" in ids and MODEL in ids


async def test_calls_need_a_verified_users_credential(start_inference, fakes, accounts: Accounts) -> None:
    stub = await start_inference([fakes[0].url])
    refusals = (
        ((), grpc.StatusCode.UNAUTHENTICATED, messages.NOT_AUTHENTICATED),
        # Resolved by the auth service, which knows no such token: its answer, passed on as it is.
        (bearer_metadata("not-a-token"), grpc.StatusCode.UNAUTHENTICATED, messages.UNAUTHORIZED),
        (accounts.pending.metadata, grpc.StatusCode.PERMISSION_DENIED, messages.ACCESS_PROHIBITED),
    )
    for metadata, code, detail in refusals:
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await stub.ListModels(inference_pb2.ListModelsRequest(), metadata=metadata, timeout=10)
        assert (caught.value.code(), caught.value.details()) == (code, detail)
        # A streaming RPC is refused the same way, before the upstream is asked.
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            async for _ in stub.ChatCompletion(chat_request(stream=True), metadata=metadata, timeout=10):
                pass
        assert caught.value.code() == code
    assert not [r for r in fakes[0].requests if r.path == "/api/chat"]
    # The admin is a verified user too.
    assert (await complete(stub, accounts.admin))[0] == 200


# ChatCompletionRequest.whole_reply: a reply that is not streamed is one message, the same bytes
# the two-message form carries; a streamed one is unchanged; a refusal is the same error.


def _whole(stream: bool, model: str = MODEL) -> inference_pb2.ChatCompletionRequest:
    request = chat_request(stream, model)
    request.whole_reply = True
    return request


async def _messages(stub, request, who: Who) -> list[inference_pb2.ChatCompletionResponse]:
    return [m async for m in stub.ChatCompletion(request, metadata=who.metadata, timeout=10)]


async def test_a_reply_not_streamed_comes_whole_in_one_message(start_inference, fakes, user: Who) -> None:
    stub = await start_inference([fakes[0].url])
    whole = await _messages(stub, _whole(stream=False), user)
    parts = await _messages(stub, chat_request(stream=False), user)
    assert len(whole) == 1 and whole[0].WhichOneof("part") == "head"
    head = whole[0].head
    assert head.status == 200 and not head.streaming
    assert [m.WhichOneof("part") for m in parts] == ["head", "chunk"]
    assert dict(head.headers) == dict(parts[0].head.headers)
    reply, expected = json.loads(head.body), json.loads(parts[1].chunk)
    # Each reply has its own id, creation time and timings; the shape and the answer are the same.
    assert reply.keys() == expected.keys() and reply["choices"] == expected["choices"]


async def test_a_refusal_is_the_same_error_either_way(start_inference, fakes, user: Who) -> None:
    stub = await start_inference([fakes[0].url])
    errors = []
    for request in (_whole(stream=False, model="no-such-model"), chat_request(False, "no-such-model")):
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await _messages(stub, request, user)
        errors.append((caught.value.code(), caught.value.details()))
    assert errors[0] == errors[1] and errors[0][0] == grpc.StatusCode.INVALID_ARGUMENT


async def test_a_streamed_reply_is_unchanged_by_asking_whole(start_inference, fakes, user: Who) -> None:
    stub = await start_inference([fakes[0].url])
    whole = await _messages(stub, _whole(stream=True), user)
    assert whole[0].WhichOneof("part") == "head" and whole[0].head.streaming
    assert whole[0].head.body == b""
    assert all(m.WhichOneof("part") == "chunk" for m in whole[1:]) and len(whole) > 2
