"""/api/v1/users: admin-only listing, reading, updating and deleting users."""

import requests

from services.common import messages
from tests.e2e.conftest import Running

USER_KEYS = {"id", "email", "role", "name", "profile_image_url", "last_active_at", "updated_at", "created_at"}


def get(running: Running, path: str, headers: dict) -> requests.Response:
    return requests.get(f"{running.url}{path}", headers=headers, timeout=10)


def test_list_users_pages_and_filters(running: Running) -> None:
    for i in range(3):
        running.signup(f"listed{i}@example.com", name=f"Listed {i}")
    everyone = get(running, "/api/v1/users/", running.admin.headers).json()
    assert everyone["total"] >= 4 and len(everyone["users"]) == min(everyone["total"], 30)
    assert USER_KEYS | {"group_ids"} <= set(everyone["users"][0])
    filtered = get(running, "/api/v1/users/?query=listed", running.admin.headers).json()
    assert filtered["total"] == 3
    ordered = get(running, "/api/v1/users/?query=listed&order_by=name&direction=desc", running.admin.headers)
    assert [u["name"] for u in ordered.json()["users"]] == ["Listed 2", "Listed 1", "Listed 0"]
    beyond = get(running, "/api/v1/users/?page=1000", running.admin.headers).json()
    assert beyond["users"] == [] and beyond["total"] == everyone["total"]
    bad_page = get(running, "/api/v1/users/?page=abc", running.admin.headers)
    assert bad_page.status_code == 422


def test_user_routes_are_admin_only(running: Running) -> None:
    member = running.signup("member@example.com")
    for path in ("/api/v1/users/", f"/api/v1/users/{running.admin.id}"):
        reply = get(running, path, member.headers)
        assert (reply.status_code, reply.json()) == (401, {"detail": messages.ACCESS_PROHIBITED})
    running.promote(member)
    reply = get(running, "/api/v1/users/", member.headers)
    assert reply.status_code == 401
    assert get(running, "/api/v1/users/", {}).status_code == 401


def test_get_user(running: Running) -> None:
    reply = get(running, f"/api/v1/users/{running.admin.id}", running.admin.headers)
    body = reply.json()
    assert reply.status_code == 200 and body["id"] == running.admin.id and body["role"] == "admin"
    # api-contract-2.md §7.1: is_active and the direct groups; an unknown id is a 400 NOT_FOUND.
    assert body["is_active"] is True and body["groups"] == []
    missing = get(running, "/api/v1/users/00000000-0000-0000-0000-000000000000", running.admin.headers)
    assert (missing.status_code, missing.json()) == (400, {"detail": messages.NOT_FOUND})


def test_update_user_role_revokes_sessions(running: Running) -> None:
    account = running.signup("promoted@example.com")
    reply = requests.post(
        f"{running.url}/api/v1/users/{account.id}/update",
        json={"role": "user", "name": "Promoted"},
        headers=running.admin.headers,
        timeout=10,
    )
    assert reply.status_code == 200
    assert reply.json()["role"] == "user" and reply.json()["name"] == "Promoted"
    assert set(reply.json()) >= USER_KEYS
    stale = get(running, "/api/v1/auths/", account.headers)
    assert stale.status_code == 401


def test_update_user_errors(running: Running) -> None:
    account = running.signup("updated@example.com")
    url = f"{running.url}/api/v1/users"
    demote_primary = requests.post(
        f"{url}/{running.admin.id}/update", json={"role": "user"}, headers=running.admin.headers, timeout=10
    )
    assert (demote_primary.status_code, demote_primary.json()) == (
        403,
        {"detail": messages.ACTION_PROHIBITED},
    )
    taken = requests.post(
        f"{url}/{account.id}/update",
        json={"email": "admin@example.com"},
        headers=running.admin.headers,
        timeout=10,
    )
    assert (taken.status_code, taken.json()) == (400, {"detail": messages.EMAIL_TAKEN})
    bad_email = requests.post(
        f"{url}/{account.id}/update", json={"email": "nope"}, headers=running.admin.headers, timeout=10
    )
    assert bad_email.status_code == 400
    unknown = requests.post(
        f"{url}/no-such-user/update", json={"name": "x"}, headers=running.admin.headers, timeout=10
    )
    assert (unknown.status_code, unknown.json()) == (404, {"detail": messages.USER_NOT_FOUND})
    bad_role = requests.post(
        f"{url}/{account.id}/update", json={"role": "owner"}, headers=running.admin.headers, timeout=10
    )
    assert bad_role.status_code == 422


def test_second_admin_cannot_touch_primary_admin(running: Running) -> None:
    other = running.signup("second-admin@example.com")
    running.promote(other, role="admin")
    url = f"{running.url}/api/v1/users/{running.admin.id}"
    rename = requests.post(f"{url}/update", json={"name": "Hijacked"}, headers=other.headers, timeout=10)
    assert (rename.status_code, rename.json()) == (403, {"detail": messages.ACTION_PROHIBITED})
    delete = requests.delete(url, headers=other.headers, timeout=10)
    assert (delete.status_code, delete.json()) == (403, {"detail": messages.ACTION_PROHIBITED})


def test_update_user_password(running: Running) -> None:
    account = running.signup("reset@example.com", password="before")
    reply = requests.post(
        f"{running.url}/api/v1/users/{account.id}/update",
        json={"password": "after"},
        headers=running.admin.headers,
        timeout=10,
    )
    assert reply.status_code == 200
    signin = requests.post(
        f"{running.url}/api/v1/auths/signin", json={"email": account.email, "password": "after"}, timeout=10
    )
    assert signin.status_code == 200


def test_delete_user(running: Running) -> None:
    account = running.signup("deleted@example.com")
    url = f"{running.url}/api/v1/users"
    reply = requests.delete(f"{url}/{account.id}", headers=running.admin.headers, timeout=10)
    assert reply.status_code == 200 and reply.json() is True
    assert get(running, f"/api/v1/users/{account.id}", running.admin.headers).status_code == 400
    assert get(running, "/api/v1/auths/", account.headers).status_code == 401
    again = requests.delete(f"{url}/{account.id}", headers=running.admin.headers, timeout=10)
    assert (again.status_code, again.json()) == (404, {"detail": messages.USER_NOT_FOUND})
    self_delete = requests.delete(f"{url}/{running.admin.id}", headers=running.admin.headers, timeout=10)
    assert self_delete.status_code == 403


def test_odd_user_ids_are_not_found(running: Running) -> None:
    # Unknown ids answer Open WebUI's 400 NOT_FOUND (api-contract-2.md §7.1), odd ones included.
    for user_id in ("%00", "a%00b", "x" * 200, "'; DROP TABLE auth_user; --"):
        reply = get(running, f"/api/v1/users/{user_id}", running.admin.headers)
        assert (reply.status_code, reply.json()) == (400, {"detail": messages.NOT_FOUND}), user_id
    reply = get(running, "/api/v1/users/?query=%00", running.admin.headers)
    assert reply.status_code == 200
