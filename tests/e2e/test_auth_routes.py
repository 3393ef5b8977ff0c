"""Every /api/v1/auths route through the gateway with `requests`, each error case included."""

import re

import requests

from services.common import messages
from tests.e2e.conftest import Running

SESSION_KEYS = {
    "id",
    "name",
    "role",
    "email",
    "profile_image_url",
    "token",
    "token_type",
    "expires_at",
    "permissions",
}


def post(
    running: Running, path: str, body: object = None, headers: dict | None = None, **kw
) -> requests.Response:
    return requests.post(f"{running.url}{path}", json=body, headers=headers, timeout=10, **kw)


def test_first_signup_is_admin_with_session_and_cookie(running: Running) -> None:
    body = running.admin.signup_reply
    assert set(body) == SESSION_KEYS
    assert body["role"] == "admin" and body["token_type"] == "Bearer"
    assert body["profile_image_url"] == f"/api/v1/users/{body['id']}/profile/image"
    assert body["expires_at"] > 0 and body["permissions"]["features"]["api_keys"] is True


def test_signup_sets_http_only_token_cookie(running: Running) -> None:
    reply = post(
        running, "/api/v1/auths/signup", {"name": "C", "email": "cookie@example.com", "password": "pw"}
    )
    assert reply.status_code == 200
    cookie = reply.headers["Set-Cookie"]
    assert cookie.startswith(f"token={reply.json()['token']};")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Max-Age=" in cookie


def test_later_signups_are_pending(running: Running) -> None:
    account = running.signup("later@example.com")
    assert account.signup_reply["role"] == "pending"


def test_signup_errors(running: Running) -> None:
    cases = [
        ({"name": "x", "email": "not-an-email", "password": "pw"}, 400, messages.INVALID_EMAIL_FORMAT),
        ({"name": "x", "email": "ADMIN@example.com", "password": "pw"}, 400, messages.EMAIL_TAKEN),
        ({"name": "x", "email": "long@example.com", "password": "p" * 73}, 400, messages.PASSWORD_TOO_LONG),
        ({"name": "x", "email": "utf8@example.com", "password": "é" * 37}, 400, messages.PASSWORD_TOO_LONG),
    ]
    for body, status, detail in cases:
        reply = post(running, "/api/v1/auths/signup", body)
        assert (reply.status_code, reply.json()) == (status, {"detail": detail}), body


def test_signup_validation_is_422_invalid_authentication_request(running: Running) -> None:
    # Open WebUI 0.12's auth router answers any invalid body with one text (contract-2 §7.3.1).
    expected = {"detail": "Invalid authentication request."}
    missing = post(running, "/api/v1/auths/signup", {"name": "x", "password": "pw"})
    assert missing.status_code == 422 and missing.json() == expected
    assert missing.headers["Cache-Control"] == "no-store"
    wrong_type = post(
        running, "/api/v1/auths/signup", {"name": 5, "email": "t@example.com", "password": "pw"}
    )
    assert wrong_type.status_code == 422 and wrong_type.json() == expected
    too_long = post(
        running, "/api/v1/auths/signup", {"name": "n" * 300, "email": "t@example.com", "password": "p"}
    )
    assert too_long.status_code == 422
    malformed = requests.post(
        f"{running.url}/api/v1/auths/signup",
        data=b'{"name": "x", "email":',
        headers={"Content-Type": "application/json"},
        timeout=10,
    )
    assert malformed.status_code == 422 and malformed.json() == expected
    not_object = post(running, "/api/v1/auths/signup", ["a", "list"])
    assert not_object.status_code == 422
    signin = post(running, "/api/v1/auths/signin", {"email": "x@example.com"})
    assert signin.status_code == 422 and signin.json() == expected
    empty = requests.post(f"{running.url}/api/v1/auths/signup", timeout=10)
    assert empty.status_code == 422


def test_oversized_body_is_413(running: Running) -> None:
    big = {"name": "x", "email": "big@example.com", "password": "pw", "padding": "a" * (1024 * 1024)}
    reply = post(running, "/api/v1/auths/signup", big)
    assert reply.status_code == 413 and reply.json() == {"detail": messages.BODY_TOO_LARGE}
    chunked = requests.post(
        f"{running.url}/api/v1/auths/signin",
        data=(b"x" * 65536 for _ in range(20)),
        headers={"Content-Type": "application/json"},
        timeout=10,
    )
    assert chunked.status_code == 413


def test_unknown_fields_are_ignored(running: Running) -> None:
    reply = post(
        running,
        "/api/v1/auths/signup",
        {"name": "Extra", "email": "extra@example.com", "password": "pw", "favourite_colour": "teal"},
    )
    assert reply.status_code == 200 and reply.json()["name"] == "Extra"


def test_failed_signups_leave_no_users(running: Running) -> None:
    def total() -> int:
        reply = requests.get(f"{running.url}/api/v1/users/", headers=running.admin.headers, timeout=10)
        return reply.json()["total"]

    before = total()
    post(running, "/api/v1/auths/signup", {"name": "x", "email": "ghost@example.com", "password": "p" * 80})
    post(running, "/api/v1/auths/signup", {"name": "x", "email": "ghost@", "password": "pw"})
    post(running, "/api/v1/auths/signup", {"name": 1, "email": "ghost@example.com", "password": "pw"})
    assert total() == before


def test_signin(running: Running) -> None:
    ok = post(
        running, "/api/v1/auths/signin", {"email": "Admin@Example.com", "password": running.admin.password}
    )
    assert ok.status_code == 200 and set(ok.json()) == SESSION_KEYS and ok.json()["role"] == "admin"
    assert "token=" in ok.headers["Set-Cookie"]
    for body in (
        {"email": "admin@example.com", "password": "wrong"},
        {"email": "no@example.com", "password": "x"},
    ):
        bad = post(running, "/api/v1/auths/signin", body)
        assert (bad.status_code, bad.json()) == (400, {"detail": messages.INVALID_CRED})


def test_signin_rate_limit(running: Running) -> None:
    account = running.signup("limited@example.com")
    for _ in range(15):
        assert (
            post(running, "/api/v1/auths/signin", {"email": account.email, "password": "wrong"}).status_code
            == 400
        )
    limited = post(running, "/api/v1/auths/signin", {"email": account.email, "password": account.password})
    assert (limited.status_code, limited.json()) == (429, {"detail": messages.RATE_LIMIT_EXCEEDED})
    # No proxy is trusted by default (FORWARDED_ALLOW_IPS): a forged header is no fresh source.
    forged = post(
        running,
        "/api/v1/auths/signin",
        {"email": account.email, "password": account.password},
        {"X-Forwarded-For": "203.0.113.50"},
    )
    assert forged.status_code == 429


def test_session_user(running: Running) -> None:
    reply = requests.get(f"{running.url}/api/v1/auths/", headers=running.admin.headers, timeout=10)
    body = reply.json()
    assert reply.status_code == 200 and body["email"] == "admin@example.com"
    assert body["profile_image_url"] == "/user.png" and body["token"] == running.admin.token
    assert {"bio", "gender", "date_of_birth", "status_emoji", "status_message", "status_expires_at"} <= set(
        body
    )
    by_cookie = requests.get(
        f"{running.url}/api/v1/auths/", cookies={"token": running.admin.token}, timeout=10
    )
    assert by_cookie.status_code == 200


def test_session_user_auth_errors(running: Running) -> None:
    url = f"{running.url}/api/v1/auths/"
    none = requests.get(url, timeout=10)
    assert (none.status_code, none.json()) == (401, {"detail": messages.NOT_AUTHENTICATED})
    garbage = requests.get(url, headers={"Authorization": "Bearer garbage"}, timeout=10)
    assert (garbage.status_code, garbage.json()) == (401, {"detail": messages.UNAUTHORIZED})
    assert (
        garbage.headers["Set-Cookie"].startswith('token=""') and "Max-Age=0" in garbage.headers["Set-Cookie"]
    )
    key = post(running, "/api/v1/auths/api_key", headers=running.admin.headers).json()["api_key"]
    with_key = requests.get(url, headers={"Authorization": f"Bearer {key}"}, timeout=10)
    assert (with_key.status_code, with_key.json()) == (403, {"detail": messages.HUMAN_SESSION_REQUIRED})
    unknown_key = requests.get(url, headers={"Authorization": "Bearer sk-" + "0" * 32}, timeout=10)
    assert (unknown_key.status_code, unknown_key.json()) == (401, {"detail": messages.INVALID_TOKEN})


def test_pending_user_sees_own_session(running: Running) -> None:
    pending = running.signup("pending-session@example.com")
    reply = requests.get(f"{running.url}/api/v1/auths/", headers=pending.headers, timeout=10)
    assert reply.status_code == 200 and reply.json()["role"] == "pending"


def test_signout_revokes_the_token(running: Running) -> None:
    account = running.signup("signout@example.com")
    reply = post(running, "/api/v1/auths/signout", headers=account.headers)
    assert reply.status_code == 200 and reply.json() == {"status": True}
    assert 'token=""' in reply.headers["Set-Cookie"] or "token=;" in reply.headers["Set-Cookie"]
    after = requests.get(f"{running.url}/api/v1/auths/", headers=account.headers, timeout=10)
    assert (after.status_code, after.json()) == (401, {"detail": messages.REVOKED_TOKEN})
    assert post(running, "/api/v1/auths/signout").status_code == 401


def test_update_password(running: Running) -> None:
    account = running.signup("password@example.com", password="old password")
    wrong = post(
        running, "/api/v1/auths/update/password", {"password": "nope", "new_password": "x"}, account.headers
    )
    assert (wrong.status_code, wrong.json()) == (400, {"detail": messages.INCORRECT_PASSWORD})
    too_long = post(
        running,
        "/api/v1/auths/update/password",
        {"password": "old password", "new_password": "x" * 73},
        account.headers,
    )
    assert (too_long.status_code, too_long.json()) == (400, {"detail": messages.PASSWORD_TOO_LONG})
    ok = post(
        running,
        "/api/v1/auths/update/password",
        {"password": "old password", "new_password": "new password"},
        account.headers,
    )
    assert ok.status_code == 200 and ok.json() is True
    stale = requests.get(f"{running.url}/api/v1/auths/", headers=account.headers, timeout=10)
    assert stale.status_code == 401
    assert (
        post(
            running, "/api/v1/auths/signin", {"email": account.email, "password": "old password"}
        ).status_code
        == 400
    )
    assert (
        post(
            running, "/api/v1/auths/signin", {"email": account.email, "password": "new password"}
        ).status_code
        == 200
    )
    missing = post(running, "/api/v1/auths/update/password", {"password": "x"}, running.admin.headers)
    assert missing.status_code == 422


def test_admin_add_user(running: Running) -> None:
    reply = post(
        running,
        "/api/v1/auths/add",
        {"name": "Added", "email": "added@example.com", "password": "pw", "role": "user"},
        running.admin.headers,
    )
    body = reply.json()
    assert reply.status_code == 200
    assert set(body) == {"token", "token_type", "id", "email", "name", "role", "profile_image_url"}
    assert body["role"] == "user" and body["email"] == "added@example.com"
    me = requests.get(
        f"{running.url}/api/v1/auths/", headers={"Authorization": f"Bearer {body['token']}"}, timeout=10
    )
    assert me.json()["role"] == "user"
    default_role = post(
        running,
        "/api/v1/auths/add",
        {"name": "D", "email": "added2@example.com", "password": "pw"},
        running.admin.headers,
    )
    assert default_role.json()["role"] == "pending"
    taken = post(
        running,
        "/api/v1/auths/add",
        {"name": "A", "email": "added@example.com", "password": "pw"},
        running.admin.headers,
    )
    assert (taken.status_code, taken.json()) == (400, {"detail": messages.EMAIL_TAKEN})
    bad_role = post(
        running,
        "/api/v1/auths/add",
        {"name": "A", "email": "added3@example.com", "password": "pw", "role": "king"},
        running.admin.headers,
    )
    assert bad_role.status_code == 422
    as_user = post(
        running,
        "/api/v1/auths/add",
        {"name": "A", "email": "added4@example.com", "password": "pw"},
        {"Authorization": f"Bearer {body['token']}"},
    )
    assert (as_user.status_code, as_user.json()) == (401, {"detail": messages.ACCESS_PROHIBITED})


def test_api_keys(running: Running) -> None:
    account = running.signup("keys@example.com")
    url = f"{running.url}/api/v1/auths/api_key"
    missing = requests.get(url, headers=account.headers, timeout=10)
    assert (missing.status_code, missing.json()) == (404, {"detail": messages.API_KEY_NOT_FOUND})
    first = post(running, "/api/v1/auths/api_key", headers=account.headers).json()["api_key"]
    assert re.fullmatch(r"sk-[0-9a-f]{32}", first)
    shown = requests.get(url, headers=account.headers, timeout=10).json()
    assert shown == {"api_key": "sk-…" + first[-4:]}
    by_key = requests.get(url, headers={"Authorization": f"Bearer {first}"}, timeout=10)
    assert by_key.status_code == 200
    by_header = requests.get(url, headers={"x-api-key": first}, timeout=10)
    assert by_header.status_code == 200
    second = post(running, "/api/v1/auths/api_key", headers=account.headers).json()["api_key"]
    assert second != first
    old = requests.get(url, headers={"Authorization": f"Bearer {first}"}, timeout=10)
    assert (old.status_code, old.json()) == (401, {"detail": messages.INVALID_TOKEN})
    deleted = requests.delete(url, headers=account.headers, timeout=10)
    assert deleted.status_code == 200 and deleted.json() is True
    gone = requests.get(url, headers={"Authorization": f"Bearer {second}"}, timeout=10)
    assert gone.status_code == 401
    assert requests.get(url, headers=account.headers, timeout=10).status_code == 404
    assert requests.post(url, timeout=10).status_code == 401


def test_api_key_cannot_mint_or_delete_keys(running: Running) -> None:
    account = running.signup("key-minting@example.com")
    url = f"{running.url}/api/v1/auths/api_key"
    key = post(running, "/api/v1/auths/api_key", headers=account.headers).json()["api_key"]
    refused = (403, {"detail": messages.HUMAN_SESSION_REQUIRED})
    for headers in ({"Authorization": f"Bearer {key}"}, {"x-api-key": key}):
        minted = requests.post(url, headers=headers, timeout=10)
        assert (minted.status_code, minted.json()) == refused
        deleted = requests.delete(url, headers=headers, timeout=10)
        assert (deleted.status_code, deleted.json()) == refused
    # The key still works and is still the owner's one key.
    shown = requests.get(url, headers={"Authorization": f"Bearer {key}"}, timeout=10)
    assert shown.json() == {"api_key": "sk-…" + key[-4:]}


def test_nul_characters_and_bad_image_urls_are_422_not_500(running: Running) -> None:
    for body in (
        {"name": "a\u0000b", "email": "nul@example.com", "password": "pw"},
        {"name": "n", "email": "nul@example.com", "password": "p\u0000w"},
        {
            "name": "n",
            "email": "nul@example.com",
            "password": "pw",
            "profile_image_url": "javascript:alert(1)",
        },
    ):
        reply = post(running, "/api/v1/auths/signup", body)
        assert reply.status_code == 422, body
    nul_signin = post(running, "/api/v1/auths/signin", {"email": "a\u0000@example.com", "password": "x"})
    assert nul_signin.status_code == 422
    ok = post(
        running,
        "/api/v1/auths/signup",
        {
            "name": "n",
            "email": "image@example.com",
            "password": "pw",
            "profile_image_url": "https://x.test/a.png",
        },
    )
    assert ok.status_code == 200


def test_missing_trailing_slash_redirects(running: Running) -> None:
    reply = requests.get(f"{running.url}/api/v1/auths", headers=running.admin.headers, timeout=10)
    assert reply.status_code == 200 and reply.history[0].status_code == 307
