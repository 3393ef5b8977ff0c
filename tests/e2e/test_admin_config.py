"""``GET|POST /api/v1/auths/admin/config`` (§7.2) with `requests`: shape, round trip, validation,
MFA refusals, and the live settings taking effect on every gateway within 5 s."""

import time
from collections.abc import Callable, Iterator

import pytest
import requests

from services.auth.admin_config import CONFIG_KEYS
from services.common import messages
from tests.e2e.conftest import Running

PATH = "/api/v1/auths/admin/config"
LIVE_BOUND_S = 5.0


def get_config(url: str, headers: dict[str, str]) -> requests.Response:
    return requests.get(f"{url}{PATH}", headers=headers, timeout=10)


def post_config(url: str, headers: dict[str, str], body: object) -> requests.Response:
    return requests.post(f"{url}{PATH}", json=body, headers=headers, timeout=10)


def seconds_until(check: Callable[[], bool], bound_s: float = LIVE_BOUND_S) -> float:
    started = time.monotonic()
    while time.monotonic() - started < bound_s + 2:
        if check():
            return time.monotonic() - started
        time.sleep(0.1)
    return float("inf")


@pytest.fixture
def config(running: Running) -> Iterator[dict]:
    """The config as GET returns it; whatever a test changes is put back afterwards."""
    before = get_config(running.url, running.admin.headers).json()
    try:
        yield dict(before)
    finally:
        restored = post_config(running.url, running.admin.headers, before)
        assert restored.status_code == 200, restored.text
        # Let every cache see the restored values before the next test.
        time.sleep(LIVE_BOUND_S)


@pytest.fixture
def admin_key(running: Running) -> str:
    reply = requests.post(f"{running.url}/api/v1/auths/api_key", headers=running.admin.headers, timeout=10)
    assert reply.status_code == 200, reply.text
    return reply.json()["api_key"]


def test_get_shape_and_no_store(running: Running) -> None:
    reply = get_config(running.url, running.admin.headers)
    assert reply.status_code == 200 and reply.headers["Cache-Control"] == "no-store"
    body = reply.json()
    assert tuple(body) == CONFIG_KEYS
    assert body["ENABLE_MFA"] is False and body["DEFAULT_USER_ROLE"] == "pending"
    assert body["JWT_EXPIRES_IN"] == "4w" and body["ENABLE_FOLDERS"] is True and body["I18N"] == {}


def test_admin_only(running: Running, user) -> None:
    reply = get_config(running.url, user.headers)
    assert (reply.status_code, reply.json()) == (401, {"detail": messages.ACCESS_PROHIBITED})
    assert reply.headers["Cache-Control"] == "no-store"
    assert get_config(running.url, {}).status_code == 401


def test_round_trip_and_ignored_values(running: Running, config: dict) -> None:
    body = {
        **config,
        "WEBUI_URL": "https://chat.example.com",
        "ENABLE_NOTES": False,
        "DEFAULT_USER_ROLE": "king",
        "CHANNEL_MODEL_RESPONSE_MODE": "shout",
        "JWT_EXPIRES_IN": "bogus",
        "FOLDER_MAX_FILE_COUNT": "12",
        "DEFAULT_INTERFACE_SETTINGS": None,
    }
    reply = post_config(running.url, running.admin.headers, body)
    assert reply.status_code == 200, reply.text
    updated = reply.json()
    assert updated["sessions_revoked"] is False and reply.headers["Cache-Control"] == "no-store"
    assert updated["WEBUI_URL"] == "https://chat.example.com" and updated["ENABLE_NOTES"] is False
    assert updated["DEFAULT_USER_ROLE"] == config["DEFAULT_USER_ROLE"]
    assert updated["CHANNEL_MODEL_RESPONSE_MODE"] == config["CHANNEL_MODEL_RESPONSE_MODE"]
    assert updated["JWT_EXPIRES_IN"] == config["JWT_EXPIRES_IN"]
    assert updated["FOLDER_MAX_FILE_COUNT"] == 12 and updated["DEFAULT_INTERFACE_SETTINGS"] == {}
    again = get_config(running.url, running.admin.headers).json()
    assert again == {k: v for k, v in updated.items() if k != "sessions_revoked"}
    # Optional keys left out stay as they are.
    optional = post_config(running.url, running.admin.headers, {**config, "ENABLE_LOGIN_FORM": False})
    assert optional.json()["ENABLE_LOGIN_FORM"] is False
    without = {k: v for k, v in config.items() if k != "ENABLE_LOGIN_FORM"}
    assert post_config(running.url, running.admin.headers, without).json()["ENABLE_LOGIN_FORM"] is False


@pytest.mark.parametrize(
    "change",
    [
        {"drop": "ENABLE_SIGNUP"},
        {"drop": "JWT_EXPIRES_IN"},
        {"set": {"ENABLE_MFA": "yes"}},
        {"set": {"SKILL_CONTENT_MAX_CHARS": -3}},
        {"set": {"I18N": {"de": {"Hi {{name}}": "Hallo"}}}},
        {"set": {"ENABLE_FOLDERS": "sometimes"}},
    ],
)
def test_invalid_bodies_are_422_invalid_authentication_request(
    running: Running, config: dict, change: dict
) -> None:
    body = {k: v for k, v in config.items() if k != change.get("drop")}
    body.update(change.get("set", {}))
    reply = post_config(running.url, running.admin.headers, body)
    assert (reply.status_code, reply.json()) == (422, {"detail": messages.INVALID_AUTH_REQUEST})
    assert reply.headers["Cache-Control"] == "no-store"


def test_not_json_and_not_an_object_are_422(running: Running) -> None:
    for data in (b'{"ENABLE_SIGNUP":', b"[1, 2]", b""):
        reply = requests.post(
            f"{running.url}{PATH}",
            data=data,
            headers={**running.admin.headers, "Content-Type": "application/json"},
            timeout=10,
        )
        assert (reply.status_code, reply.json()) == (422, {"detail": messages.INVALID_AUTH_REQUEST})


def test_mfa_flags_need_a_human_session(running: Running, config: dict, admin_key: str) -> None:
    key_headers = {"Authorization": f"Bearer {admin_key}"}
    refused = post_config(running.url, key_headers, {**config, "MFA_ALLOW_OAUTH_BYPASS": False})
    assert (refused.status_code, refused.json()) == (403, {"detail": messages.MFA_HUMAN_ADMIN_REQUIRED})
    # Without MFA flags a key may change the rest (the route is admin, not human-only).
    plain = {
        k: v
        for k, v in config.items()
        if k not in ("ENABLE_MFA", "MFA_ALLOW_OAUTH_BYPASS", "MFA_ALLOW_TRUSTED_HEADER_BYPASS")
    }
    assert post_config(running.url, key_headers, plain).status_code == 200
    conflict = post_config(running.url, running.admin.headers, {**config, "ENABLE_MFA": True})
    assert (conflict.status_code, conflict.json()) == (409, {"detail": messages.MFA_POLICY_UPDATE_FAILED})
    assert get_config(running.url, running.admin.headers).json()["ENABLE_MFA"] is False


def test_signup_off_refuses_signups_within_the_bound(running: Running, config: dict) -> None:
    reply = post_config(running.url, running.admin.headers, {**config, "ENABLE_SIGNUP": False})
    assert reply.status_code == 200 and reply.json()["ENABLE_SIGNUP"] is False
    attempts = iter(range(1000))

    def refused() -> bool:
        body = {"name": "Late", "email": f"late-{next(attempts)}@example.com", "password": "pw"}
        answer = requests.post(f"{running.url}/api/v1/auths/signup", json=body, timeout=10)
        return answer.status_code == 403 and answer.json() == {"detail": messages.ACCESS_PROHIBITED}

    assert seconds_until(refused) <= LIVE_BOUND_S

    def config_says_off() -> bool:
        return (
            requests.get(f"{running.url}/api/config", timeout=10).json()["features"]["enable_signup"] is False
        )

    assert seconds_until(config_says_off) <= LIVE_BOUND_S


def test_api_keys_off_refuses_keys_on_both_gateways_within_the_bound(
    running: Running, config: dict, admin_key: str, second_gateway: str
) -> None:
    key_headers = {"Authorization": f"Bearer {admin_key}"}
    # Warm both gateways' caches with the key, so the bound measured is theirs, not a first lookup.
    for url in (running.url, second_gateway):
        assert get_config(url, key_headers).status_code == 200
    reply = post_config(running.url, running.admin.headers, {**config, "ENABLE_API_KEYS": False})
    assert reply.status_code == 200 and reply.json()["ENABLE_API_KEYS"] is False
    for url in (running.url, second_gateway):

        def key_refused(url: str = url) -> bool:
            answer = get_config(url, key_headers)
            return answer.status_code == 403 and answer.json() == {"detail": messages.API_KEY_NOT_ALLOWED}

        assert seconds_until(key_refused) <= LIVE_BOUND_S, url
    # Sessions still work, and turning keys back on lets the same key in again.
    back = post_config(running.url, running.admin.headers, {**config, "ENABLE_API_KEYS": True})
    assert back.status_code == 200
    assert seconds_until(lambda: get_config(second_gateway, key_headers).status_code == 200) <= LIVE_BOUND_S


def test_live_switches_reach_the_other_gateway(
    running: Running, config: dict, user, second_gateway: str
) -> None:
    assert (
        requests.get(f"{second_gateway}/api/v1/folders/", headers=user.headers, timeout=10).status_code == 200
    )
    changed = {**config, "ENABLE_FOLDERS": False, "ENABLE_MESSAGE_RATING": False, "ENABLE_LOGIN_FORM": False}
    assert post_config(running.url, running.admin.headers, changed).status_code == 200

    def folders_off() -> bool:
        answer = requests.get(f"{second_gateway}/api/v1/folders/", headers=user.headers, timeout=10)
        return answer.status_code == 403 and answer.json() == {"detail": messages.ACCESS_PROHIBITED}

    assert seconds_until(folders_off) <= LIVE_BOUND_S
    features = requests.get(f"{second_gateway}/api/config", headers=user.headers, timeout=10).json()[
        "features"
    ]
    assert features["enable_folders"] is False and features["enable_message_rating"] is False
    assert features["enable_login_form"] is False


def test_new_sessions_take_the_live_jwt_lifetime_and_default_role(running: Running, config: dict) -> None:
    changed = {**config, "JWT_EXPIRES_IN": "2h", "DEFAULT_USER_ROLE": "user", "ENABLE_SIGNUP": True}
    assert post_config(running.url, running.admin.headers, changed).status_code == 200
    # The auth service's own cache (≤ 2 s) is the only one between the change and a signup.
    time.sleep(2.5)
    reply = requests.post(
        f"{running.url}/api/v1/auths/signup",
        json={"name": "Live", "email": "live-jwt@example.com", "password": "pw"},
        timeout=10,
    )
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert body["role"] == "user"
    assert abs(body["expires_at"] - (time.time() + 7200)) < 60


def test_new_signups_join_the_default_group(running: Running, config: dict) -> None:
    created = requests.post(
        f"{running.url}/api/v1/groups/create",
        json={"name": "Newcomers", "description": "DEFAULT_GROUP_ID"},
        headers=running.admin.headers,
        timeout=10,
    )
    assert created.status_code == 200, created.text
    group_id = created.json()["id"]
    changed = {**config, "DEFAULT_GROUP_ID": group_id, "ENABLE_SIGNUP": True}
    assert post_config(running.url, running.admin.headers, changed).status_code == 200
    time.sleep(2.5)
    newcomer = running.signup("newcomer@example.com")
    members = requests.post(
        f"{running.url}/api/v1/groups/id/{group_id}/users", headers=running.admin.headers, timeout=10
    )
    assert members.status_code == 200, members.text
    assert newcomer.id in {member["id"] for member in members.json()}
    # A group that does not exist is skipped: sign-up still works.
    unknown = {**config, "DEFAULT_GROUP_ID": "no-such-group", "ENABLE_SIGNUP": True}
    assert post_config(running.url, running.admin.headers, unknown).status_code == 200
    time.sleep(2.5)
    assert running.signup("no-group@example.com").id
