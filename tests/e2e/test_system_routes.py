"""Public routes and the gateway's behaviour on every request: /health, /api/version, /api/config."""

import json

import requests

from tests.e2e.conftest import Running


def test_health(running: Running) -> None:
    reply = requests.get(f"{running.url}/health", timeout=5)
    assert reply.status_code == 200 and reply.json() == {"status": True}


def test_ready_when_every_backend_serves(running: Running) -> None:
    reply = requests.get(f"{running.url}/ready", timeout=5)
    assert reply.status_code == 200 and reply.json() == {"status": True}


def test_version(running: Running) -> None:
    assert requests.get(f"{running.url}/api/version", timeout=5).json() == {
        "version": "0.12.4",
        "deployment_id": "",
    }


def test_config_before_signup_shows_onboarding(running: Running) -> None:
    config = running.config_before_signup
    assert config["onboarding"] is True and config["status"] is True
    assert config["name"] == "Open WebUI" and config["version"] == "0.12.4"
    assert config["features"]["auth"] is True and config["features"]["enable_signup"] is True
    assert "permissions" not in config


def test_config_after_signup(running: Running) -> None:
    anonymous = requests.get(f"{running.url}/api/config", timeout=5).json()
    assert "onboarding" not in anonymous and "enable_api_keys" not in anonymous["features"]
    signed_in = requests.get(f"{running.url}/api/config", headers=running.admin.headers, timeout=5).json()
    assert signed_in["features"]["enable_api_keys"] is True
    assert signed_in["permissions"]["features"]["api_keys"] is True
    by_cookie = requests.get(f"{running.url}/api/config", cookies={"token": running.admin.token}, timeout=5)
    assert "permissions" in by_cookie.json()


def test_config_treats_keys_and_bad_tokens_as_anonymous(running: Running) -> None:
    key = requests.post(f"{running.url}/api/v1/auths/api_key", headers=running.admin.headers, timeout=5)
    for credential in (key.json()["api_key"], "not-a-token"):
        reply = requests.get(
            f"{running.url}/api/config", headers={"Authorization": f"Bearer {credential}"}, timeout=5
        )
        assert reply.status_code == 200 and "permissions" not in reply.json()


def test_request_id_and_timing_headers(running: Running) -> None:
    reply = requests.get(f"{running.url}/api/version", headers={"X-Request-ID": "trace-123"}, timeout=5)
    assert reply.headers["X-Request-ID"] == "trace-123"
    assert float(reply.headers["X-Process-Time"]) >= 0
    generated = requests.get(f"{running.url}/api/version", timeout=5).headers["X-Request-ID"]
    assert len(generated) == 32


def test_request_id_reaches_the_auth_service_log(running: Running) -> None:
    requests.post(
        f"{running.url}/api/v1/auths/signin",
        json={"email": "nobody@example.com", "password": "x"},
        headers={"X-Request-ID": "find-me-in-auth-log"},
        timeout=5,
    )
    lines = [json.loads(line) for line in running.stack.log_tail("auth", lines=10_000).splitlines()]
    mine = [line for line in lines if line.get("request_id") == "find-me-in-auth-log"]
    assert mine and mine[0]["service"] == "auth" and "Signin failed" in mine[0]["msg"]
    assert all("nobody@example.com" not in line["msg"] for line in lines)


def test_unknown_route_and_method_are_json(running: Running) -> None:
    missing = requests.get(f"{running.url}/api/v1/nothing-here", timeout=5)
    assert missing.status_code == 404 and missing.json() == {"detail": "Not Found"}
    wrong = requests.put(f"{running.url}/api/version", timeout=5)
    assert wrong.status_code == 405 and wrong.json() == {"detail": "Method Not Allowed"}
