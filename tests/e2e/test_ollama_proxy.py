"""``/ollama/*`` through the whole stack: the official ``ollama`` client, raw HTTP, auth levels."""

import json
import time
from collections.abc import Iterator

import ollama as ollama_client
import pytest
import requests

from services.common import messages
from tests.e2e.conftest import Account, Running
from tests.fakes.base import embedding_vector, expected_text
from tests.fakes.ollama import FakeOllama, model_entry

MODEL = "llama3.2:latest"
OTHER = "granite3.1-dense:8b"
# 2099-01-01T00:00:00Z, the fake's expires_at for loaded models.
EXPIRES_EPOCH = 4070908800
NDJSON = "application/x-ndjson"
UPSTREAM_JSON = "application/json; charset=utf-8"


def bearer(credential: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {credential}"}


def client(running: Running, credential: str) -> ollama_client.Client:
    return ollama_client.Client(host=f"{running.url}/ollama", headers=bearer(credential), timeout=10)


def get(running: Running, path: str, headers: dict[str, str] | None = None) -> requests.Response:
    return requests.get(f"{running.url}{path}", headers=headers, timeout=10)


def post(
    running: Running, path: str, body: object, headers: dict[str, str] | None = None, **kwargs: object
) -> requests.Response:
    return requests.post(f"{running.url}{path}", json=body, headers=headers, timeout=10, **kwargs)


def last_request(fake: FakeOllama, path: str):
    found = [r for r in fake.requests if r.path == path]
    assert found, f"the fake received no {path}: {[r.path for r in fake.requests]}"
    return found[-1]


def tags(running: Running, headers: dict[str, str]) -> list[str]:
    reply = get(running, "/ollama/api/tags", headers)
    assert reply.status_code == 200, reply.text
    return [entry["model"] for entry in reply.json()["models"]]


def model_ids(running: Running, headers: dict[str, str]) -> list[str]:
    reply = get(running, "/api/models", headers)
    assert reply.status_code == 200, reply.text
    return [model["id"] for model in reply.json()["data"]]


@pytest.fixture(scope="module")
def user_key(running: Running, user: Account) -> str:
    """An ``sk-`` API key of the verified user, made with its JWT."""
    reply = post(running, "/api/v1/auths/api_key", None, user.headers)
    assert reply.status_code == 200, reply.text
    return reply.json()["api_key"]


@pytest.fixture(params=["jwt", "api_key"])
def user_credential(request: pytest.FixtureRequest, user: Account, user_key: str) -> str:
    return user.token if request.param == "jwt" else user_key


@pytest.fixture
def admin_client(running: Running) -> Iterator[ollama_client.Client]:
    with client(running, running.admin.token) as c:
        yield c


# --- the official ollama client ---------------------------------------------------------------


def test_client_list(running: Running, ollama: FakeOllama, user_credential: str) -> None:
    with client(running, user_credential) as c:
        listed = c.list()
    assert [m.model for m in listed.models] == [MODEL, OTHER]
    assert listed.models[0].digest == model_entry(MODEL)["digest"]
    assert listed.models[0].size == model_entry(MODEL)["size"]


def test_client_generate(running: Running, ollama: FakeOllama, user_credential: str) -> None:
    prompt = "Why is the sky blue?"
    want = expected_text(MODEL, prompt, 1)
    with client(running, user_credential) as c:
        whole = c.generate(model=MODEL, prompt=prompt)
        assert whole.response == want and whole.done is True and whole.context == [1, 2, 3]
        chunks = list(c.generate(model=MODEL, prompt=prompt, stream=True))
    assert "".join(chunk.response for chunk in chunks) == want
    assert len(chunks) == 9 and chunks[-1].done is True and not any(c.done for c in chunks[:-1])
    sent = [r.json for r in ollama.requests if r.path == "/api/generate"]
    assert [body["stream"] for body in sent] == [False, True]
    assert all(body["model"] == MODEL and body["prompt"] == prompt for body in sent)


def test_client_chat(running: Running, ollama: FakeOllama, user_credential: str) -> None:
    messages_ = [{"role": "user", "content": "Hello there"}]
    with client(running, user_credential) as c:
        whole = c.chat(model=MODEL, messages=messages_)
        chunks = list(c.chat(model=MODEL, messages=messages_, stream=True))
    received = last_request(ollama, "/api/chat").json
    assert received["messages"] == messages_
    want = expected_text(MODEL, received["messages"], 1)
    assert whole.message.role == "assistant" and whole.message.content == want
    assert "".join(chunk.message.content or "" for chunk in chunks) == want
    assert chunks[-1].done is True and chunks[-1].done_reason == "stop"


def test_client_embed_and_show(running: Running, ollama: FakeOllama, user_credential: str) -> None:
    with client(running, user_credential) as c:
        embedded = c.embed(model=MODEL, input=["first text", "second text"])
        shown = c.show(MODEL)
    assert embedded.model == MODEL
    assert [list(v) for v in embedded.embeddings] == [
        pytest.approx(embedding_vector("first text")),
        pytest.approx(embedding_vector("second text")),
    ]
    assert shown.modelfile is not None and f"FROM {MODEL}" in shown.modelfile
    assert shown.details is not None and shown.details.family == "llama"
    assert last_request(ollama, "/api/show").json["model"] == MODEL


def test_client_model_without_tag(running: Running, ollama: FakeOllama, user: Account) -> None:
    with client(running, user.token) as c:
        reply = c.generate(model="llama3.2", prompt="hi")
    assert reply.response == expected_text(MODEL, "hi", 1)
    assert last_request(ollama, "/api/generate").json["model"] == MODEL


def test_client_admin_routes_refused_to_users(running: Running, ollama: FakeOllama, user: Account) -> None:
    with client(running, user.token) as c:
        for call in (c.ps, lambda: c.pull("tinyllama"), lambda: c.delete(MODEL), lambda: c.copy(MODEL, "x")):
            with pytest.raises(ollama_client.ResponseError) as refused:
                call()
            assert refused.value.status_code == 401
    assert not ollama.requests


def test_client_ps(running: Running, ollama: FakeOllama, admin_client: ollama_client.Client) -> None:
    running_models = admin_client.ps()
    assert [m.model for m in running_models.models] == [MODEL]
    assert running_models.models[0].size_vram == model_entry(MODEL)["size"]
    raw = get(running, "/ollama/api/ps", running.admin.headers).json()
    assert raw["models"][0]["urls"] == [0] and raw["models"][0]["expires_at"] == "2099-01-01T00:00:00Z"


def test_client_version(running: Running, ollama: FakeOllama, user_credential: str) -> None:
    # ollama 0.6.3 has no Client.version(): the client's own HTTP session asks.
    with client(running, user_credential) as c:
        reply = c._request_raw("GET", "/api/version")
    assert reply.json() == {"version": ollama.version}


def test_client_pull_streams_progress(
    running: Running, ollama: FakeOllama, admin_client: ollama_client.Client
) -> None:
    ollama.token_delay_s = 0.05
    progress = list(admin_client.pull("tinyllama", stream=True))
    assert [p.status for p in progress] == ["pulling manifest", "downloading", "success"]
    assert progress[1].total == 100 and progress[1].completed == 50
    pulled = last_request(ollama, "/api/pull").json
    assert pulled["model"] == "tinyllama" and pulled["insecure"] is True
    assert "tinyllama:latest" in tags(running, running.admin.headers)
    assert "tinyllama:latest" in model_ids(running, running.admin.headers)


def test_client_copy_and_delete(
    running: Running, ollama: FakeOllama, admin_client: ollama_client.Client
) -> None:
    copy = "llama3.2-copy:latest"
    assert admin_client.copy(MODEL, copy).status == "success"
    assert last_request(ollama, "/api/copy").json == {"source": MODEL, "destination": copy}
    assert copy in tags(running, running.admin.headers)
    assert copy in model_ids(running, running.admin.headers)
    assert admin_client.delete(copy).status == "success"
    deleted = last_request(ollama, "/api/delete")
    assert deleted.method == "DELETE" and deleted.json["model"] == copy
    assert copy not in ollama.models
    assert copy not in tags(running, running.admin.headers)
    assert copy not in model_ids(running, running.admin.headers)
    assert MODEL in model_ids(running, running.admin.headers)


def test_copy_and_delete_reply_true(running: Running, ollama: FakeOllama) -> None:
    headers = running.admin.headers
    copied = post(running, "/ollama/api/copy", {"source": MODEL, "destination": "raw-copy:latest"}, headers)
    assert (copied.status_code, copied.json()) == (200, True)
    deleted = requests.delete(
        f"{running.url}/ollama/api/delete", json={"name": "raw-copy:latest"}, headers=headers, timeout=10
    )
    assert (deleted.status_code, deleted.json()) == (200, True)
    missing = requests.delete(
        f"{running.url}/ollama/api/delete", json={"model": "raw-copy:latest"}, headers=headers, timeout=10
    )
    assert (missing.status_code, missing.json()) == (
        400,
        {"detail": messages.model_not_found("raw-copy:latest")},
    )
    # Pinned to an upstream, the model is not looked up here: Ollama's own error comes back.
    upstream_missing = post(running, "/ollama/api/copy/0", {"source": "nope:1b", "destination": "y"}, headers)
    assert (upstream_missing.status_code, upstream_missing.json()) == (
        404,
        {"detail": "model 'nope:1b' not found"},
    )


def test_client_push(running: Running, ollama: FakeOllama, admin_client: ollama_client.Client) -> None:
    progress = list(admin_client.push(MODEL, stream=True))
    assert [p.status for p in progress][-1] == "success"
    assert last_request(ollama, "/api/push").json["model"] == MODEL
    # Open WebUI serves push as DELETE; it reaches Ollama as POST.
    reply = requests.delete(
        f"{running.url}/ollama/api/push", json={"model": MODEL}, headers=running.admin.headers, timeout=10
    )
    assert reply.status_code == 200 and reply.headers["Content-Type"].startswith(NDJSON)
    assert json.loads(reply.text.splitlines()[-1]) == {"status": "success"}
    assert [r.method for r in ollama.requests if r.path == "/api/push"] == ["POST", "POST"]


def test_client_upstream_error(running: Running, ollama: FakeOllama, user: Account) -> None:
    ollama.fail_status = 500
    with client(running, user.token) as c, pytest.raises(ollama_client.ResponseError) as failed:
        c.generate(model=MODEL, prompt="hi")
    assert failed.value.status_code == 500


# --- raw HTTP ---------------------------------------------------------------------------------


def test_status_without_auth(running: Running) -> None:
    reply = get(running, "/ollama/")
    assert (reply.status_code, reply.json()) == (200, {"status": True})
    head = requests.head(f"{running.url}/ollama/", timeout=10)
    assert head.status_code == 200


def test_tags_are_merged_with_urls(running: Running, ollama: FakeOllama, user: Account) -> None:
    reply = get(running, "/ollama/api/tags", user.headers)
    assert reply.status_code == 200
    entries = {entry["model"]: entry for entry in reply.json()["models"]}
    assert list(entries) == [MODEL, OTHER]
    for name, entry in entries.items():
        assert entry["urls"] == [0] and entry["connection_type"] == "local"
        assert {k: v for k, v in entry.items() if k not in ("urls", "connection_type", "expires_at")} == (
            model_entry(name)
        )
    assert entries[MODEL]["expires_at"] == EXPIRES_EPOCH
    assert "expires_at" not in entries[OTHER]


def test_v1_models_shape(running: Running, ollama: FakeOllama, user: Account) -> None:
    before = int(time.time())
    reply = get(running, "/ollama/v1/models", user.headers)
    assert reply.status_code == 200
    body = reply.json()
    assert set(body) == {"data", "object"} and body["object"] == "list"
    assert [m["id"] for m in body["data"]] == [MODEL, OTHER]
    for model in body["data"]:
        assert set(model) == {"id", "object", "created", "owned_by"}
        assert model["object"] == "model" and model["owned_by"] == "openai"
        assert before - 1 <= model["created"] <= time.time() + 1


def test_version_is_the_lowest(running: Running, ollama: FakeOllama, user: Account) -> None:
    reply = get(running, "/ollama/api/version", user.headers)
    assert (reply.status_code, reply.json()) == (200, {"version": "0.12.6"})


def test_generate_streams_ndjson_line_by_line(running: Running, ollama: FakeOllama, user: Account) -> None:
    ollama.token_delay_s = 0.1
    started = time.monotonic()
    arrivals: list[float] = []
    lines: list[dict] = []
    completed_at_first_line = None
    with requests.post(
        f"{running.url}/ollama/api/generate",
        json={"model": MODEL, "prompt": "stream me"},
        headers=user.headers,
        stream=True,
        timeout=10,
    ) as reply:
        assert reply.status_code == 200
        assert reply.headers["Content-Type"].startswith(NDJSON)
        for line in reply.iter_lines():
            if not line:
                continue
            if not arrivals:
                completed_at_first_line = ollama.streams_completed
            arrivals.append(time.monotonic() - started)
            lines.append(json.loads(line))
    assert len(lines) == 9 and lines[-1]["done"] is True
    assert "".join(line["response"] for line in lines) == expected_text(MODEL, "stream me", 1)
    # 8 tokens 0.1 s apart: the first line is here long before the last, while the fake still streams.
    assert completed_at_first_line == 0
    assert arrivals[-1] - arrivals[0] >= 0.5
    assert arrivals[0] < 0.5


def test_leaving_a_stream_cancels_the_upstream_request(
    running: Running, ollama: FakeOllama, user: Account
) -> None:
    ollama.token_delay_s = 0.2
    with requests.post(
        f"{running.url}/ollama/api/chat",
        json={"model": MODEL, "messages": [{"role": "user", "content": "long"}]},
        headers=user.headers,
        stream=True,
        timeout=10,
    ) as reply:
        first = next(reply.iter_lines())
        assert json.loads(first)["done"] is False
    assert ollama.wait_for(lambda fake: fake.streams_cancelled == 1, timeout=3)
    assert ollama.streams_completed == 0


def test_generate_stream_false_is_upstream_json(running: Running, ollama: FakeOllama, user: Account) -> None:
    reply = post(
        running, "/ollama/api/generate", {"model": MODEL, "prompt": "hi", "stream": False}, user.headers
    )
    assert reply.status_code == 200
    assert reply.headers["Content-Type"] == UPSTREAM_JSON
    body = reply.json()
    assert body["response"] == expected_text(MODEL, "hi", 1)
    assert body["done"] is True and body["done_reason"] == "stop" and body["context"] == [1, 2, 3]


def test_chat_stream_false_and_ndjson(running: Running, ollama: FakeOllama, user: Account) -> None:
    messages_ = [{"role": "user", "content": "Hi"}]
    want = expected_text(MODEL, messages_, 1)
    whole = post(
        running, "/ollama/api/chat", {"model": MODEL, "messages": messages_, "stream": False}, user.headers
    )
    assert whole.status_code == 200 and whole.headers["Content-Type"] == UPSTREAM_JSON
    assert whole.json()["message"] == {"role": "assistant", "content": want}
    streamed = post(running, "/ollama/api/chat", {"model": MODEL, "messages": messages_}, user.headers)
    assert streamed.status_code == 200 and streamed.headers["Content-Type"].startswith(NDJSON)
    lines = [json.loads(line) for line in streamed.text.splitlines() if line]
    assert "".join(line["message"]["content"] for line in lines) == want


def test_embeddings_legacy(running: Running, ollama: FakeOllama, user: Account) -> None:
    reply = post(running, "/ollama/api/embeddings", {"model": MODEL, "prompt": "legacy"}, user.headers)
    assert reply.status_code == 200
    assert reply.json()["embedding"] == pytest.approx(embedding_vector("legacy"))


def test_v1_chat_completions_passthrough(running: Running, ollama: FakeOllama, user: Account) -> None:
    messages_ = [{"role": "user", "content": "OpenAI style"}]
    want = expected_text(MODEL, messages_, 1)
    whole = post(
        running, "/ollama/v1/chat/completions", {"model": MODEL, "messages": messages_}, user.headers
    )
    assert whole.status_code == 200
    body = whole.json()
    assert body["object"] == "chat.completion" and body["choices"][0]["message"]["content"] == want
    with requests.post(
        f"{running.url}/ollama/v1/chat/completions",
        json={"model": MODEL, "messages": messages_, "stream": True},
        headers=user.headers,
        stream=True,
        timeout=10,
    ) as streamed:
        assert streamed.status_code == 200
        assert streamed.headers["Content-Type"].startswith("text/event-stream")
        events = [line for line in streamed.iter_lines(decode_unicode=True) if line]
    assert all(event.startswith("data: ") for event in events) and events[-1] == "data: [DONE]"
    chunks = [json.loads(event[len("data: ") :]) for event in events[:-1]]
    assert "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks) == want
    assert last_request(ollama, "/v1/chat/completions").json["stream"] is True


def test_unknown_model(running: Running, ollama: FakeOllama, user: Account) -> None:
    for name in ("nope", "nope:latest"):
        for path, body in (
            ("/ollama/api/generate", {"model": name, "prompt": "hi"}),
            ("/ollama/api/chat", {"model": name, "messages": [{"role": "user", "content": "hi"}]}),
            ("/ollama/api/show", {"model": name}),
            ("/ollama/api/embed", {"model": name, "input": "hi"}),
            ("/ollama/v1/chat/completions", {"model": name, "messages": [{"role": "user", "content": "x"}]}),
        ):
            reply = post(running, path, body, user.headers)
            assert (reply.status_code, reply.json()) == (400, {"detail": messages.model_not_found(name)}), (
                path
            )
    assert not [r for r in ollama.requests if r.method == "POST"]


def test_upstream_error_passes_through(running: Running, ollama: FakeOllama, user: Account) -> None:
    ollama.fail_status = 500
    native = post(running, "/ollama/api/generate", {"model": MODEL, "prompt": "hi"}, user.headers)
    assert (native.status_code, native.json()) == (500, {"detail": "injected failure 500"})
    ollama.fail_status = 429
    ollama.fail_body = {"error": {"message": "slow down", "type": "rate_limit"}}
    ollama.fail_headers = {"Retry-After": "7"}
    compatible = post(
        running,
        "/ollama/v1/chat/completions",
        {"model": MODEL, "messages": [{"role": "user", "content": "x"}], "stream": True},
        user.headers,
    )
    assert compatible.status_code == 429
    assert compatible.json() == {"error": {"message": "slow down", "type": "rate_limit"}}
    assert compatible.headers["Retry-After"] == "7"


def test_ollama_down_is_502_quickly(running: Running, ollama: FakeOllama, user: Account) -> None:
    # The stack knows the model (a model list it fetched while Ollama was up) when Ollama goes away.
    assert MODEL in tags(running, user.headers)
    ollama.stop()
    try:
        started = time.monotonic()
        reply = post(running, "/ollama/api/generate", {"model": MODEL, "prompt": "hi"}, user.headers)
        elapsed = time.monotonic() - started
        assert reply.status_code == 502, reply.text
        assert reply.json() == {"detail": messages.SERVER_CONNECTION_ERROR}
        assert elapsed < 2.0
        version = get(running, "/ollama/api/version", user.headers)
        # Open WebUI: none of the upstreams answered its version → 500 OLLAMA_NOT_FOUND.
        assert (version.status_code, version.json()) == (500, {"detail": messages.OLLAMA_NOT_FOUND})
    finally:
        ollama.restart()
        # One request against a down upstream counts three failures (the model-list refresh asks
        # /api/tags and /api/ps, then the request itself), which cools it down for 30 s. A
        # successful /api/version puts it back at once, so the tests after this one see it.
        assert get(running, "/ollama/api/version", user.headers).status_code == 200
    assert MODEL in model_ids(running, user.headers)
    assert (
        post(running, "/ollama/api/generate", {"model": MODEL, "prompt": "hi"}, user.headers).status_code
        == 200
    )


# --- auth levels ------------------------------------------------------------------------------

VERIFIED_ROUTES = (
    ("GET", "/ollama/api/tags", None),
    ("GET", "/ollama/api/version", None),
    ("GET", "/ollama/v1/models", None),
    ("POST", "/ollama/api/show", {"model": MODEL}),
    ("POST", "/ollama/api/generate", {"model": MODEL, "prompt": "hi"}),
    ("POST", "/ollama/api/chat", {"model": MODEL, "messages": []}),
    ("POST", "/ollama/api/chat/0", {"model": MODEL, "messages": []}),
    ("POST", "/ollama/api/embed", {"model": MODEL, "input": "x"}),
    ("POST", "/ollama/api/embeddings", {"model": MODEL, "prompt": "x"}),
    ("POST", "/ollama/v1/chat/completions", {"model": MODEL, "messages": [{"role": "user", "content": "x"}]}),
    ("POST", "/ollama/v1/completions", {"model": MODEL, "prompt": "x"}),
    ("POST", "/ollama/v1/embeddings", {"model": MODEL, "input": "x"}),
)
ADMIN_ROUTES = (
    ("GET", "/ollama/api/ps", None),
    ("GET", "/ollama/config", None),
    ("GET", "/ollama/api/tags/0", None),
    ("GET", "/ollama/api/version/0", None),
    ("GET", "/ollama/v1/models/0", None),
    ("POST", "/ollama/api/pull", {"model": "tinyllama"}),
    ("POST", "/ollama/api/pull/0", {"model": "tinyllama"}),
    ("POST", "/ollama/api/push", {"model": MODEL}),
    ("DELETE", "/ollama/api/push", {"model": MODEL}),
    ("POST", "/ollama/api/create", {"model": "created"}),
    ("POST", "/ollama/api/copy", {"source": MODEL, "destination": "x"}),
    ("DELETE", "/ollama/api/delete", {"model": MODEL}),
    ("DELETE", "/ollama/api/delete/0", {"model": MODEL}),
    ("POST", "/ollama/api/unload", {"model": MODEL}),
    ("POST", "/ollama/verify", {"url": "http://127.0.0.1:1"}),
)


def call(running: Running, method: str, path: str, body: object, headers: dict[str, str] | None):
    return requests.request(method, f"{running.url}{path}", json=body, headers=headers, timeout=10)


def test_no_credential_is_401(running: Running, ollama: FakeOllama) -> None:
    for method, path, body in VERIFIED_ROUTES + ADMIN_ROUTES:
        reply = call(running, method, path, body, None)
        assert (reply.status_code, reply.json()) == (401, {"detail": messages.NOT_AUTHENTICATED}), path
    assert not ollama.requests


def test_pending_user_is_refused(running: Running, ollama: FakeOllama, pending: Account) -> None:
    for method, path, body in VERIFIED_ROUTES + ADMIN_ROUTES:
        reply = call(running, method, path, body, pending.headers)
        assert (reply.status_code, reply.json()) == (401, {"detail": messages.ACCESS_PROHIBITED}), path
    assert not ollama.requests


def test_user_is_refused_admin_routes(running: Running, ollama: FakeOllama, user_credential: str) -> None:
    for method, path, body in ADMIN_ROUTES:
        reply = call(running, method, path, body, bearer(user_credential))
        assert (reply.status_code, reply.json()) == (401, {"detail": messages.ACCESS_PROHIBITED}), path
    assert not ollama.requests


def test_user_may_use_verified_routes(running: Running, ollama: FakeOllama, user_credential: str) -> None:
    for method, path, body in VERIFIED_ROUTES:
        reply = call(running, method, path, body, bearer(user_credential))
        assert reply.status_code == 200, (path, reply.text)


def test_admin_may_use_admin_routes(running: Running, ollama: FakeOllama) -> None:
    headers = running.admin.headers
    raw_tags = get(running, "/ollama/api/tags/0", headers)
    assert raw_tags.status_code == 200
    assert raw_tags.json() == {"models": [model_entry(MODEL), model_entry(OTHER)]}
    assert get(running, "/ollama/api/version/0", headers).json() == {"version": "0.12.6"}
    v1 = get(running, "/ollama/v1/models/0", headers).json()
    assert [m["id"] for m in v1["data"]] == [MODEL, OTHER] and v1["object"] == "list"
    verified = post(running, "/ollama/verify", {"url": ollama.url}, headers)
    assert (verified.status_code, verified.json()) == (200, {"version": "0.12.6"})


def test_url_idx_on_model_routes(running: Running, ollama: FakeOllama, user: Account) -> None:
    messages_ = [{"role": "user", "content": "pinned"}]
    pinned = post(
        running, "/ollama/api/chat/0", {"model": MODEL, "messages": messages_, "stream": False}, user.headers
    )
    assert pinned.status_code == 200
    assert pinned.json()["message"]["content"] == expected_text(MODEL, messages_, 1)
    for headers in (user.headers, running.admin.headers):
        missing = post(running, "/ollama/api/chat/7", {"model": MODEL, "messages": messages_}, headers)
        assert (missing.status_code, missing.json()) == (404, {"detail": messages.NOT_FOUND})
    admin_missing = get(running, "/ollama/api/tags/7", running.admin.headers)
    assert admin_missing.status_code == 404


def test_config(running: Running, ollama: FakeOllama) -> None:
    reply = get(running, "/ollama/config", running.admin.headers)
    assert reply.status_code == 200
    assert reply.json() == {
        "ENABLE_OLLAMA_API": True,
        "OLLAMA_BASE_URLS": [ollama.url],
        "OLLAMA_API_CONFIGS": {},
    }


def test_unload(running: Running, ollama: FakeOllama) -> None:
    headers = running.admin.headers
    missing = post(running, "/ollama/api/unload", {}, headers)
    assert (missing.status_code, missing.json()) == (400, {"detail": messages.MISSING_MODEL_TO_UNLOAD})
    assert not ollama.requests
    unloaded = post(running, "/ollama/api/unload", {"model": MODEL}, headers)
    assert (unloaded.status_code, unloaded.json()) == (200, {"status": True})
    sent = last_request(ollama, "/api/generate").json
    assert sent["model"] == MODEL and sent["keep_alive"] == 0
    assert MODEL not in ollama.loaded
    entries = {entry["model"]: entry for entry in get(running, "/ollama/api/tags", headers).json()["models"]}
    assert "expires_at" not in entries[MODEL]
    by_name = post(running, "/ollama/api/unload", {"name": "llama3.2"}, headers)
    assert (by_name.status_code, by_name.json()) == (200, {"status": True})
    unknown = post(running, "/ollama/api/unload", {"model": "nope:latest"}, headers)
    assert (unknown.status_code, unknown.json()) == (400, {"detail": messages.model_not_found("nope:latest")})
