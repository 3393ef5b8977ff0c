"""Named, scoped API keys end to end: create/list/get/revoke, Open WebUI's default key, scope
validation, model and collection allow-lists, expiry and revocation within 5 s (on two gateways),
and a walk over the whole route table with a chat, an ingest and a read key."""

import re
import time

import grpc
import openai
import pytest
import requests

from services.common.identity import Identity, KeyScope
from services.gateway.app import create_app
from services.gateway.key_scope import refusal, route_area
from services.gateway.settings import GatewaySettings
from tests.e2e.conftest import Running
from webui.inference.v1 import chats_pb2, chats_pb2_grpc, inference_pb2, inference_pb2_grpc
from webui.ingest.v1 import ingest_pb2, ingest_pb2_grpc

BOUND_S = 5.0
KEYS = "/api/v1/auths/api_keys"


def create(running: Running, body: dict, headers: dict | None = None) -> requests.Response:
    return requests.post(
        f"{running.url}{KEYS}", json=body, headers=headers or running.admin.headers, timeout=10
    )


def made(running: Running, body: dict) -> dict:
    reply = create(running, body)
    assert reply.status_code == 200, reply.text
    return reply.json()


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def seconds_until_401(url: str, headers: dict, path: str = KEYS, limit_s: float = BOUND_S + 3) -> float:
    started = time.monotonic()
    while time.monotonic() - started < limit_s:
        if requests.get(f"{url}{path}", headers=headers, timeout=5).status_code == 401:
            return time.monotonic() - started
        time.sleep(0.1)
    return float("inf")


def model_ids(running: Running, headers: dict) -> list[str]:
    reply = requests.get(f"{running.url}/api/models", headers=headers, timeout=10)
    assert reply.status_code == 200, reply.text
    return [m["id"] for m in reply.json()["data"]]


def test_create_list_get_revoke(running: Running) -> None:
    body = made(running, {"name": "ci", "kind": "chat", "expires_in": 3600})
    key = body["api_key"]
    assert re.fullmatch(r"sk-[0-9a-f]{32}", key)
    assert body["name"] == "ci" and body["kind"] == "chat" and body["masked_key"] == "sk-…" + key[-4:]
    assert body["expires_at"] > time.time() + 3500 and body["last_used_at"] is None
    listed = requests.get(f"{running.url}{KEYS}", headers=running.admin.headers, timeout=10).json()
    assert [k["name"] for k in listed if k["id"] == body["id"]] == ["ci"]
    assert all("api_key" not in k for k in listed)
    # The key itself may list the keys (and uses the key: last_used_at is set).
    assert requests.get(f"{running.url}{KEYS}", headers=bearer(key), timeout=10).status_code == 200
    one = requests.get(f"{running.url}{KEYS}/{body['id']}", headers=running.admin.headers, timeout=10)
    assert one.status_code == 200 and one.json()["last_used_at"] is not None
    # A name is unique per user.
    again = create(running, {"name": "ci"})
    assert again.status_code == 400 and "name" in again.json()["detail"]
    # A key cannot make or revoke keys.
    assert create(running, {"name": "minted"}, bearer(key)).status_code == 403
    minted = requests.delete(f"{running.url}{KEYS}/{body['id']}", headers=bearer(key), timeout=10)
    assert minted.status_code == 403
    revoked = requests.delete(f"{running.url}{KEYS}/{body['id']}", headers=running.admin.headers, timeout=10)
    assert revoked.status_code == 200 and revoked.json()["id"] == body["id"]
    assert seconds_until_401(running.url, bearer(key)) <= BOUND_S
    gone = requests.get(f"{running.url}{KEYS}/{body['id']}", headers=running.admin.headers, timeout=10)
    assert gone.status_code == 404


def test_bad_forms(running: Running) -> None:
    for body in (
        {},
        {"name": ""},
        {"name": "x", "kind": "admin"},
        {"name": "x", "expires_at": 10, "expires_in": 10},
        {"name": "x", "model_ids": "m"},
    ):
        assert create(running, body).status_code in (400, 422), body
    past = create(running, {"name": "past", "expires_at": 1000})
    assert past.status_code == 400 and "future" in past.json()["detail"]


def test_the_default_key_through_open_webui_routes(running: Running) -> None:
    account = running.admin
    old = requests.post(f"{running.url}/api/v1/auths/api_key", headers=account.headers, timeout=10)
    key = old.json()["api_key"]
    listed = requests.get(f"{running.url}{KEYS}", headers=account.headers, timeout=10).json()
    default = [k for k in listed if k["name"] == "default"]
    assert len(default) == 1 and default[0]["kind"] == "full"
    assert default[0]["masked_key"] == "sk-…" + key[-4:]
    shown = requests.get(f"{running.url}/api/v1/auths/api_key", headers=account.headers, timeout=10)
    assert shown.json() == {"api_key": "sk-…" + key[-4:]}
    assert requests.delete(f"{running.url}/api/v1/auths/api_key", headers=account.headers, timeout=10).json()
    listed = requests.get(f"{running.url}{KEYS}", headers=account.headers, timeout=10).json()
    assert not [k for k in listed if k["name"] == "default"]
    assert seconds_until_401(running.url, bearer(key)) <= BOUND_S


def test_unknown_models_and_collections_are_400(running: Running) -> None:
    reply = create(running, {"name": "bad-models", "model_ids": ["no-such-model"]})
    assert reply.status_code == 400 and "no-such-model" in reply.json()["detail"]
    reply = create(running, {"name": "bad-knowledge", "knowledge_ids": ["no-such-collection"]})
    assert reply.status_code == 400 and "no-such-collection" in reply.json()["detail"]
    reply = create(running, {"name": "bad-files", "file_ids": ["no-such-file"]})
    assert reply.status_code == 400 and "no-such-file" in reply.json()["detail"]


def test_model_allow_list(running: Running) -> None:
    models = model_ids(running, running.admin.headers)
    assert len(models) >= 2
    allowed, other = models[0], models[1]
    key = made(running, {"name": "one-model", "kind": "chat", "model_ids": [allowed]})["api_key"]
    assert model_ids(running, bearer(key)) == [allowed]
    client = openai.OpenAI(base_url=f"{running.url}/api", api_key=key, max_retries=0, timeout=30)
    assert [m.id for m in client.models.list()] == [allowed]
    with pytest.raises(openai.PermissionDeniedError) as refused:
        client.chat.completions.create(model=other, messages=[{"role": "user", "content": "hi"}])
    assert "one-model" in refused.value.response.text
    reply = client.chat.completions.create(model=allowed, messages=[{"role": "user", "content": "hi"}])
    assert reply.choices[0].message.content
    # The pass-through lists and runs only the allowed model too.
    tags = requests.get(f"{running.url}/ollama/api/tags", headers=bearer(key), timeout=10)
    assert {m["name"] for m in tags.json()["models"]} <= {allowed}
    blocked = requests.post(
        f"{running.url}/ollama/api/chat",
        json={"model": other, "messages": [{"role": "user", "content": "hi"}], "stream": False},
        headers=bearer(key),
        timeout=30,
    )
    assert blocked.status_code == 403


def test_key_usage_summary(running: Running) -> None:
    used = made(running, {"name": "summed", "kind": "chat"})
    idle = made(running, {"name": "idle", "kind": "chat"})
    model = model_ids(running, running.admin.headers)[0]
    client = openai.OpenAI(base_url=f"{running.url}/api", api_key=used["api_key"], max_retries=0, timeout=30)
    client.chat.completions.create(model=model, messages=[{"role": "user", "content": "hi"}])
    # Records are written in batches off the request path: the summary follows within seconds.
    deadline = time.monotonic() + 15
    summary: dict = {}
    while time.monotonic() < deadline:
        one = requests.get(f"{running.url}{KEYS}/{used['id']}", headers=running.admin.headers, timeout=10)
        summary = one.json().get("usage") or {}
        if summary.get("requests", 0) >= 1:
            break
        time.sleep(0.3)
    assert summary.get("requests") == 1 and summary.get("errors") == 0, summary
    assert summary["total_tokens"] == summary["input_tokens"] + summary["output_tokens"] > 0
    listed = requests.get(f"{running.url}{KEYS}", headers=running.admin.headers, timeout=10).json()
    by_id = {k["id"]: k["usage"] for k in listed}
    assert by_id[used["id"]]["requests"] == 1
    assert by_id[idle["id"]] == {
        "requests": 0,
        "errors": 0,
        "input_tokens": 0,
        "output_tokens": 0,
        "total_tokens": 0,
        "context_tokens": 0,
        "chunks": 0,
        "estimated_requests": 0,
    }


def test_knowledge_allow_list(running: Running) -> None:
    headers = running.admin.headers
    ids = []
    for name in ("scoped-one", "scoped-two"):
        reply = requests.post(
            f"{running.url}/api/v1/knowledge/create",
            json={"name": name, "description": "d"},
            headers=headers,
            timeout=10,
        )
        assert reply.status_code == 200, reply.text
        ids.append(reply.json()["id"])
    key = made(running, {"name": "one-collection", "kind": "ingest", "knowledge_ids": [ids[0]]})["api_key"]
    assert requests.get(f"{running.url}/api/v1/knowledge/{ids[0]}", headers=bearer(key), timeout=10).ok
    refused = requests.get(f"{running.url}/api/v1/knowledge/{ids[1]}", headers=bearer(key), timeout=10)
    assert refused.status_code in (401, 403, 404)
    listed = requests.get(f"{running.url}/api/v1/knowledge/", headers=bearer(key), timeout=10).json()
    items = listed["items"] if isinstance(listed, dict) else listed
    assert [k["id"] for k in items] == [ids[0]]


def test_expiry_bites_within_bound(running: Running) -> None:
    key = made(running, {"name": "short-lived", "expires_in": 2})["api_key"]
    assert requests.get(f"{running.url}{KEYS}", headers=bearer(key), timeout=10).status_code == 200
    took = seconds_until_401(running.url, bearer(key), limit_s=2 + BOUND_S + 3)
    assert took <= 2 + BOUND_S
    reply = requests.get(f"{running.url}{KEYS}", headers=bearer(key), timeout=10)
    assert reply.json()["detail"] == "This API key has expired."


def test_revocation_bites_on_the_other_gateway(running: Running, second_gateway: str) -> None:
    body = made(running, {"name": "two-gateways", "kind": "read"})
    key_headers = bearer(body["api_key"])
    assert requests.get(f"{second_gateway}{KEYS}", headers=key_headers, timeout=10).status_code == 200
    revoked = requests.delete(f"{running.url}{KEYS}/{body['id']}", headers=running.admin.headers, timeout=10)
    assert revoked.status_code == 200
    assert seconds_until_401(second_gateway, key_headers) <= BOUND_S


def _concrete(path: str) -> str:
    """A request path for a route's canonical form: each ``{param}`` filled in."""
    return re.sub(r"\{(\w+)(:[^}]*)?\}", lambda m: "0" if m.group(1) == "url_idx" else "x", path)


@pytest.mark.parametrize("kind", ["chat", "ingest", "read"])
def test_every_route_outside_the_scope_is_403(running: Running, kind: str) -> None:
    body = made(running, {"name": f"walk-{kind}", "kind": kind})
    headers = bearer(body["api_key"])
    scoped = Identity(user_id="u", scope=KeyScope(key_id=body["id"], name=f"walk-{kind}", kind=kind))
    app = create_app(GatewaySettings(ENV="dev"))
    checked = 0
    for route in app.router.routes():
        method, path = route.method, route.resource.canonical
        if method == "HEAD":
            continue
        found = route_area(method, path)
        assert found is not None, f"{method} {path} is missing from the route-area table"
        if refusal(scoped, found, method, path) is None:
            continue
        method = "POST" if method == "*" else method
        reply = requests.request(method, f"{running.url}{_concrete(path)}", headers=headers, timeout=10)
        assert reply.status_code == 403, (method, path, reply.status_code, reply.text)
        detail = reply.json()["detail"]
        assert f"scope '{kind}'" in detail and f"walk-{kind}" in detail, (method, path, detail)
        checked += 1
    assert checked > 20


async def test_grpc_calls_with_a_scoped_key_follow_its_kind(running: Running) -> None:
    """A script calling the gRPC APIs directly with an sk- key is held to the key's kind as well."""
    key = made(running, {"name": "grpc-chat", "kind": "chat"})["api_key"]
    metadata = (("authorization", f"Bearer {key}"),)
    ports = running.stack.grpc_ports
    async with (
        grpc.aio.insecure_channel(f"127.0.0.1:{ports['inference']}") as inference,
        grpc.aio.insecure_channel(f"127.0.0.1:{ports['ingest']}") as ingest,
    ):
        models = inference_pb2_grpc.InferenceServiceStub(inference)
        reply = await models.ListModels(inference_pb2.ListModelsRequest(), metadata=metadata, timeout=10)
        assert reply.models_json
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await chats_pb2_grpc.ChatsServiceStub(inference).ListChats(
                chats_pb2.ListChatsRequest(), metadata=metadata, timeout=10
            )
        assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED
        assert "scope 'chat'" in refused.value.details()
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await ingest_pb2_grpc.IngestServiceStub(ingest).ListFiles(
                ingest_pb2.ListFilesRequest(), metadata=metadata, timeout=10
            )
        assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED
        # A pass-through call is held to the HTTP route table: model management is not chat.
        proxy = inference_pb2.ProxyRequest(
            backend=inference_pb2.BACKEND_OLLAMA, method="POST", path="/api/pull", body=b"{}"
        )
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            async for _ in models.Proxy(proxy, metadata=metadata, timeout=10):
                pass
        assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED
