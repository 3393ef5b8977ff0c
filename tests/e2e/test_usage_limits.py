"""Usage limits end to end: admins set them, every billable route enforces them, on every gateway."""

import time
import uuid

import openai
import pytest
import requests

from tests.e2e.conftest import Running, upload, uploaded, verified_user, wait_processed

LIMITS = "/api/v1/usage/limits"
HI = [{"role": "user", "content": "hi"}]


def new_key(running: Running) -> dict:
    body = {"name": f"limited-{uuid.uuid4().hex[:8]}", "kind": "chat"}
    reply = requests.post(
        f"{running.url}/api/v1/auths/api_keys", json=body, headers=running.admin.headers, timeout=10
    )
    assert reply.status_code == 200, reply.text
    return reply.json()


def set_limits(running: Running, **limits: object) -> dict:
    reply = requests.post(f"{running.url}{LIMITS}", json=limits, headers=running.admin.headers, timeout=10)
    assert reply.status_code == 200, reply.text
    return reply.json()


def model(running: Running) -> str:
    reply = requests.get(f"{running.url}/api/models", headers=running.admin.headers, timeout=10)
    return reply.json()["data"][0]["id"]


def test_rpm_is_shared_by_two_gateways_and_refusal_has_openai_headers(
    running: Running, second_gateway: str
) -> None:
    key = new_key(running)
    stored = set_limits(running, subject_type="key", subject_id=key["id"], rpm=4)
    assert stored["rpm"] == 4 and stored["tpm"] is None
    headers = {"Authorization": f"Bearer {key['api_key']}"}
    name = model(running)
    for i in range(4):
        url = running.url if i % 2 == 0 else second_gateway
        reply = requests.post(
            f"{url}/api/chat/completions", json={"model": name, "messages": HI}, headers=headers, timeout=30
        )
        assert reply.status_code == 200, reply.text
        assert reply.headers["x-ratelimit-limit-requests"] == "4"
        assert reply.headers["x-ratelimit-remaining-requests"] == str(3 - i)
    # Request N+1, through the openai client on the other gateway: 429 with the headers.
    client = openai.OpenAI(
        base_url=f"{second_gateway}/api", api_key=key["api_key"], max_retries=0, timeout=30
    )
    with pytest.raises(openai.RateLimitError) as refused:
        client.chat.completions.create(model=name, messages=HI)
    response = refused.value.response
    assert response.headers["x-ratelimit-limit-requests"] == "4"
    assert response.headers["x-ratelimit-remaining-requests"] == "0"
    assert response.headers["x-ratelimit-reset-requests"].endswith("s")
    assert 1 <= int(response.headers["Retry-After"]) <= 60
    detail = response.json()["detail"]
    assert detail["subject_type"] == "key" and detail["limit"] == "rpm" and detail["value"] == 4
    # The pass-through routes count against the same limit.
    passed = requests.post(
        f"{running.url}/ollama/api/chat",
        json={"model": name, "messages": HI, "stream": False},
        headers=headers,
        timeout=30,
    )
    assert passed.status_code == 429 and passed.headers["x-ratelimit-limit-requests"] == "4"
    # Forgetting the limits lifts them.
    gone = requests.delete(
        f"{running.url}{LIMITS}/key/{key['id']}", headers=running.admin.headers, timeout=10
    )
    assert gone.status_code == 200 and gone.json() is True
    again = requests.post(
        f"{running.url}/api/chat/completions",
        json={"model": name, "messages": HI},
        headers=headers,
        timeout=30,
    )
    assert again.status_code == 200, again.text


def test_token_budget_refuses_with_token_headers(running: Running) -> None:
    key = new_key(running)
    set_limits(running, subject_type="key", subject_id=key["id"], budget_day=40)
    headers = {"Authorization": f"Bearer {key['api_key']}"}
    # Admitted on an estimate: the prompt plus max_tokens must fit what remains of the budget.
    body = {"model": model(running), "messages": HI, "max_tokens": 500}
    reply = requests.post(f"{running.url}/api/chat/completions", json=body, headers=headers, timeout=30)
    assert reply.status_code == 429, reply.text
    assert reply.headers["x-ratelimit-limit-tokens"] == "40"
    assert reply.json()["detail"]["limit"] == "budget_day"
    small = requests.post(
        f"{running.url}/api/chat/completions", json={**body, "max_tokens": 5}, headers=headers, timeout=30
    )
    assert small.status_code == 200, small.text


def test_limits_routes_are_admin_only_and_validate(running: Running) -> None:
    user = running.signup(f"limits-{uuid.uuid4().hex[:6]}@example.com")
    listed = requests.get(f"{running.url}{LIMITS}", headers=user.headers, timeout=10)
    assert listed.status_code in (401, 403)
    bad = requests.post(
        f"{running.url}{LIMITS}",
        json={"subject_type": "team", "subject_id": "x", "rpm": 1},
        headers=running.admin.headers,
        timeout=10,
    )
    assert bad.status_code == 422
    negative = requests.post(
        f"{running.url}{LIMITS}",
        json={"subject_type": "user", "subject_id": "x", "rpm": -1},
        headers=running.admin.headers,
        timeout=10,
    )
    assert negative.status_code == 422
    set_limits(running, subject_type="group", subject_id="g-limits", tpm=1000, budget_month=0)
    body = requests.get(f"{running.url}{LIMITS}", headers=running.admin.headers, timeout=10).json()
    row = next(r for r in body["limits"] if r["subject_id"] == "g-limits")
    assert row["tpm"] == 1000 and row["budget_month"] == 0 and row["rpm"] is None
    assert set(body["defaults"]) == {"key", "user", "group"}
    missing = requests.delete(
        f"{running.url}{LIMITS}/user/nobody-{uuid.uuid4().hex}", headers=running.admin.headers, timeout=10
    )
    assert missing.status_code == 404
    bad_type = requests.delete(f"{running.url}{LIMITS}/team/x", headers=running.admin.headers, timeout=10)
    assert bad_type.status_code == 400


def test_ingestion_is_charged_to_the_token_budget_and_uploads_refused_once_spent(running: Running) -> None:
    user = verified_user(running, f"ingest-limits-{uuid.uuid4().hex[:6]}@example.com")
    set_limits(running, subject_type="user", subject_id=user.id, budget_day=20)
    # The ingest service re-reads the stored limits within USAGE_LIMITS_TTL_S (2 s).
    time.sleep(2.5)
    text = ("Quotas charge the tokens a file embeds to its uploader. " * 8).encode()
    first = uploaded(running.url, user, "budget.txt", text)
    assert wait_processed(running.url, user, first["id"])["data"]["status"] == "completed"
    refused = upload(running.url, user, "again.txt", b"more text")
    assert refused.status_code == 429, refused.text
    assert refused.headers["x-ratelimit-limit-tokens"] == "20"
    assert refused.json()["detail"]["limit"] == "budget_day"


def test_stream_is_admitted_on_an_estimate_and_charged_its_actual_usage(running: Running) -> None:
    key = new_key(running)
    set_limits(running, subject_type="key", subject_id=key["id"], budget_day=400)
    client = openai.OpenAI(base_url=f"{running.url}/api", api_key=key["api_key"], max_retries=0, timeout=30)
    name = model(running)
    # Estimated at ~10 prompt tokens + max_tokens 200; the fake model's reply uses far fewer.
    # An OpenAI upstream reports a stream's usage only when asked (stream_options.include_usage).
    stream = client.chat.completions.create(
        model=name, messages=HI, max_tokens=200, stream=True, stream_options={"include_usage": True}
    )
    assert [chunk for chunk in stream if chunk.usage is not None]
    with pytest.raises(openai.RateLimitError) as refused:
        client.chat.completions.create(model=name, messages=HI, max_tokens=1000, stream=True)
    remaining = int(refused.value.response.headers["x-ratelimit-remaining-tokens"])
    # What the stream did not use of its estimate came back: more than 400 - 200 remains.
    assert 200 < remaining < 400
