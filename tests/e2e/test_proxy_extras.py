"""The rest of the proxies' surface: Responses API and speech pass-through, connection tests,
routes this deployment does not offer, and which client headers reach an upstream."""

import requests

from services.inference.proxy_common import NOT_OFFERED, redirect_refused
from tests.e2e.conftest import OPENAI_KEY, Account, Running
from tests.fakes.ollama import FakeOllama
from tests.fakes.openai import FakeOpenAI

ACCESS_PROHIBITED = (
    "You do not have permission to access this resource. Please contact your administrator for assistance."
)


def post(running: Running, path: str, account: Account, json: object, **headers: str) -> requests.Response:
    headers = {**account.headers, **{k.replace("_", "-"): v for k, v in headers.items()}}
    return requests.post(f"{running.url}{path}", headers=headers, json=json, timeout=10)


def test_responses_and_speech_go_to_the_models_upstream(
    running: Running, user: Account, openai_upstream: FakeOpenAI
) -> None:
    for path in ("/openai/responses", "/openai/audio/speech"):
        reply = post(running, path, user, json={"model": "gpt-4o-mini", "input": "hi"})
        # The fake has no such route: its 404 comes back as it sent it.
        assert reply.status_code == 404
        # (The model list is asked for in the background too: skip those.)
        received = [r for r in openai_upstream.requests if r.path != "/v1/models"][-1]
        assert received.path == "/v1" + path.removeprefix("/openai")
        assert received.json == {"model": "gpt-4o-mini", "input": "hi"}
        assert received.headers["Authorization"] == f"Bearer {OPENAI_KEY}"


def test_responses_with_a_model_that_is_not_openai_is_404(running: Running, user: Account) -> None:
    reply = post(running, "/openai/responses", user, json={"model": "llama3.2:latest", "input": "hi"})
    assert reply.status_code == 404
    assert reply.json() == {"detail": "Model '' was not found"}


def test_verify_is_an_admin_connection_test(
    running: Running, user: Account, ollama: FakeOllama, openai_upstream: FakeOpenAI
) -> None:
    good = post(
        running, "/openai/verify", running.admin, json={"url": openai_upstream.base_url, "key": OPENAI_KEY}
    )
    assert good.status_code == 200 and {m["id"] for m in good.json()["data"]} >= {"gpt-4o-mini"}
    assert post(running, "/ollama/verify", running.admin, json={"url": ollama.url}).json() == {
        "version": "0.12.6"
    }
    down = post(running, "/ollama/verify", running.admin, json={"url": "http://127.0.0.1:9"})
    assert down.status_code == 502
    assert down.json() == {"detail": "Open WebUI: Server Connection Error"}
    assert post(running, "/ollama/verify", running.admin, json={"url": "ftp://x"}).status_code == 400
    refused = post(running, "/openai/verify", user, json={"url": openai_upstream.base_url})
    assert refused.status_code == 401 and refused.json() == {"detail": ACCESS_PROHIBITED}


def test_verify_reports_a_redirect_and_does_not_follow_it(
    running: Running, ollama: FakeOllama, openai_upstream: FakeOpenAI
) -> None:
    # The fakes answer /redirect/<path> with a 302 to /<path>.
    for path, body in (
        ("/ollama/verify", {"url": f"{ollama.url}/redirect"}),
        ("/openai/verify", {"url": f"{openai_upstream.url}/redirect/v1", "key": OPENAI_KEY}),
    ):
        moved = post(running, path, running.admin, json=body)
        assert moved.status_code == 502, path
        assert moved.json() == {"detail": redirect_refused(302)}
    # The fake saw the redirecting request, never the one it pointed to.
    version_requests = [r.path for r in ollama.requests if r.path.endswith("/api/version")]
    assert version_requests == ["/redirect/api/version"]


def test_routes_not_offered_say_why(running: Running, user: Account) -> None:
    for path in (
        "/ollama/config/update",
        "/openai/config/update",
        "/ollama/models/download",
        "/ollama/models/upload",
    ):
        reply = post(running, path, running.admin, json={})
        assert reply.status_code == 501, path
        assert reply.json() == {"detail": NOT_OFFERED}
        assert post(running, path, user, json={}).status_code == 401


def test_only_body_headers_reach_the_upstream(running: Running, user: Account, ollama: FakeOllama) -> None:
    reply = post(
        running,
        "/ollama/v1/chat/completions",
        user,
        json={"model": "llama3.2:latest", "messages": [{"role": "user", "content": "hi"}]},
        OpenAI_Beta="assistants=v2",
        X_Secret="s",
        Cookie="token=x",
    )
    assert reply.status_code == 200
    recorded = [r for r in ollama.requests if r.path == "/v1/chat/completions"][-1].headers
    received = {name.lower(): value for name, value in recorded.items()}
    assert received["openai-beta"] == "assistants=v2"
    assert received["content-type"] == "application/json"
    # Our caller's credentials and anything else of theirs stay with us.
    assert not {"authorization", "x-secret", "cookie"} & set(received)


def test_a_body_that_is_not_what_its_encoding_says_is_400(running: Running, user: Account) -> None:
    for path in ("/ollama/api/chat", "/openai/chat/completions", "/api/chat/completions"):
        reply = requests.post(
            f"{running.url}{path}",
            data=b"this is not gzip",
            headers={**user.headers, "Content-Type": "application/json", "Content-Encoding": "gzip"},
            timeout=30,
        )
        assert (reply.status_code, reply.json()) == (
            400,
            {"detail": "There was an error parsing the body"},
        ), path
