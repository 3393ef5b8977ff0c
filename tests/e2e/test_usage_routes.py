"""Open WebUI's usage and analytics routes (api-contract-2.md §8.1–8.3) over the whole stack:
stored chats made through ``POST /api/chat/completions`` with ``chat_id``, then
``GET /api/usage``, ``GET /api/v1/users/usage`` and the admin ``/api/v1/analytics/*``."""

import uuid

import pytest
import requests

from services.common.messages import ACCESS_PROHIBITED
from tests.e2e.chat_support import LLAMA, post
from tests.e2e.conftest import Account, Running, verified_user


def _get(running: Running, path: str, account: Account, **params: object) -> requests.Response:
    return requests.get(f"{running.url}{path}", headers=account.headers, params=params, timeout=30)


def _stored_turn(running: Running, account: Account, text: str) -> str:
    """A chat holding one user message and its answer, made as Open WebUI's UI makes it."""
    user_id, assistant_id = str(uuid.uuid4()), str(uuid.uuid4())
    history = {
        "currentId": assistant_id,
        "messages": {
            user_id: {
                "id": user_id,
                "parentId": None,
                "childrenIds": [assistant_id],
                "role": "user",
                "content": text,
            },
            assistant_id: {
                "id": assistant_id,
                "parentId": user_id,
                "childrenIds": [],
                "role": "assistant",
                "content": "",
                "model": LLAMA,
            },
        },
    }
    reply = post(running, "/api/v1/chats/new", account, {"chat": {"title": "Usage", "history": history}})
    assert reply.status_code == 200, reply.text
    chat_id = reply.json()["id"]
    reply = post(
        running,
        "/api/chat/completions",
        account,
        {
            "model": LLAMA,
            "stream": False,
            "messages": [{"role": "user", "content": text}],
            "chat_id": chat_id,
            "id": assistant_id,
            "user_message": {"id": user_id, "role": "user", "content": text},
        },
    )
    assert reply.status_code == 200, reply.text
    return chat_id


@pytest.fixture(scope="module")
def author(running: Running) -> Account:
    return verified_user(running, f"usage-{uuid.uuid4().hex[:8]}@example.com", name="Usage Author")


@pytest.fixture(scope="module")
def chats(running: Running, author: Account) -> list[str]:
    return [_stored_turn(running, author, f"Hello number {n}") for n in range(2)]


def test_user_usage_counts_stored_completions(running: Running, author: Account, chats: list[str]) -> None:
    reply = _get(running, "/api/v1/users/usage", author, days=7)
    assert reply.status_code == 200, reply.text
    report = reply.json()
    assert list(report) == [
        "totals",
        "heatmap",
        "weekly_heatmap",
        "cumulative_heatmap",
        "insights",
        "top_models",
        "top_tools",
        "period",
    ]
    totals = report["totals"]
    assert totals["user_messages"] == 2 and totals["assistant_messages"] == 2 and totals["messages"] == 4
    assert totals["total_chats"] == 2 and totals["active_days"] == 1 and totals["current_streak"] == 1
    assert totals["input_tokens"] > 0 and totals["output_tokens"] > 0
    assert totals["lifetime_tokens"] == totals["input_tokens"] + totals["output_tokens"]
    assert len(report["heatmap"]) == 7 and report["heatmap"][-1]["models"] == {LLAMA: 2}
    assert report["top_models"][0]["model_id"] == LLAMA and report["top_models"][0]["messages"] == 2
    assert report["insights"]["most_used_model"] == LLAMA
    assert report["insights"]["user_message_share"] == 50.0
    assert report["period"]["days"] == 7


def test_user_usage_validation(running: Running, author: Account) -> None:
    low = _get(running, "/api/v1/users/usage", author, days=6)
    assert low.status_code == 422 and low.json()["detail"][0]["loc"] == ["query", "days"]
    assert _get(running, "/api/v1/users/usage", author, days=733).status_code == 422
    assert _get(running, "/api/v1/users/usage", author, days="x").status_code == 422
    backwards = _get(running, "/api/v1/users/usage", author, start_date=200, end_date=100)
    assert backwards.status_code == 400 and backwards.json() == {
        "detail": "start_date must be before end_date"
    }


def test_another_users_usage_is_apart(running: Running, chats: list[str]) -> None:
    # Also: `/api/v1/users/usage` is not `/api/v1/users/{user_id}` (admins only, 401 to a user).
    stranger = verified_user(running, f"usage-stranger-{uuid.uuid4().hex[:8]}@example.com")
    reply = _get(running, "/api/v1/users/usage", stranger)
    assert reply.status_code == 200, reply.text
    assert reply.json()["totals"]["messages"] == 0 and len(reply.json()["heatmap"]) == 730


def test_active_users(running: Running, author: Account) -> None:
    reply = _get(running, "/api/usage", author)
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert body["model_ids"] == [] and body["user_count"] >= 2  # the author and the admin


def test_analytics_are_for_admins(running: Running, author: Account) -> None:
    for path in ("summary", "tokens", "models", "users", "daily", "messages", f"models/{LLAMA}/chats"):
        reply = _get(running, f"/api/v1/analytics/{path}", author)
        assert reply.status_code == 401, (path, reply.text)
        assert reply.json() == {"detail": ACCESS_PROHIBITED}


def test_admin_analytics(running: Running, author: Account, chats: list[str]) -> None:
    admin = running.admin
    summary = _get(running, "/api/v1/analytics/summary", admin).json()
    assert summary["total_messages"] >= 2 and summary["total_chats"] >= 2 and summary["total_users"] >= 1

    users = _get(running, "/api/v1/analytics/users", admin, limit=100).json()["users"]
    mine = next(u for u in users if u["user_id"] == author.id)
    assert mine["name"] == "Usage Author" and mine["email"] == author.email and mine["count"] == 2
    assert list(mine) == [
        "user_id",
        "name",
        "email",
        "count",
        "input_tokens",
        "output_tokens",
        "total_tokens",
    ]

    tokens = _get(running, "/api/v1/analytics/tokens", admin).json()
    assert tokens["total_tokens"] == tokens["total_input_tokens"] + tokens["total_output_tokens"] > 0

    models = _get(running, "/api/v1/analytics/models", admin).json()["models"]
    llama = next(m for m in models if m["model_id"] == LLAMA)
    assert llama["count"] >= 2 and llama["unique_chats"] >= 2

    daily = _get(running, "/api/v1/analytics/daily", admin).json()["data"]
    assert daily and LLAMA in daily[-1]["models"]
    assert _get(running, "/api/v1/analytics/daily", admin, granularity="weekly").status_code == 400

    chat = _get(running, "/api/v1/analytics/messages", admin, chat_id=chats[0]).json()
    assert [m["role"] for m in chat] == ["user", "assistant"] and chat[1]["usage"]["total_tokens"] > 0
    assert _get(running, "/api/v1/analytics/messages", admin).json() == []
    assert _get(running, "/api/v1/analytics/messages", admin, user_id=author.id, limit=101).status_code == 422

    listed = _get(running, f"/api/v1/analytics/models/{LLAMA}/chats", admin, limit=100).json()
    entry = next(c for c in listed["chats"] if c["chat_id"] == chats[1])
    assert entry["user_name"] == "Usage Author" and entry["first_message"] == "Hello number 1"

    # Bad ids are 4xx, never 500 (PostgreSQL text cannot hold NUL).
    assert _get(running, "/api/v1/analytics/models/a%00b/chats", admin).status_code == 400
    assert _get(running, "/api/v1/analytics/messages", admin, model_id="a\x00b").status_code == 400

    overview = _get(running, f"/api/v1/analytics/models/{LLAMA}/overview", admin, days=7).json()
    assert len(overview["history"]) == 8 and isinstance(overview["tags"], list)


def test_group_filter(running: Running, author: Account, chats: list[str]) -> None:
    admin = running.admin
    missing = _get(running, "/api/v1/analytics/summary", admin, group_id="no-such-group").json()
    assert missing == {"total_messages": 0, "total_chats": 0, "total_models": 0, "total_users": 0}
    group = post(
        running, "/api/v1/groups/create", admin, {"name": f"usage-{uuid.uuid4().hex[:6]}", "description": ""}
    )
    assert group.status_code == 200, group.text
    group_id = group.json()["id"]
    added = post(running, f"/api/v1/groups/id/{group_id}/users/add", admin, {"user_ids": [author.id]})
    assert added.status_code == 200, added.text
    only = _get(running, "/api/v1/analytics/summary", admin, group_id=group_id).json()
    assert only["total_users"] == 1 and only["total_messages"] == 2


def test_a_chat_key_reads_its_own_usage(running: Running, author: Account, chats: list[str]) -> None:
    made = post(running, "/api/v1/auths/api_keys", author, {"name": "usage-chat", "kind": "chat"})
    assert made.status_code == 200, made.text
    headers = {"Authorization": f"Bearer {made.json()['api_key']}"}
    own = requests.get(f"{running.url}/api/v1/users/usage", headers=headers, timeout=30)
    assert own.status_code == 200, own.text
    assert own.json()["totals"]["assistant_messages"] == 2
    assert requests.get(f"{running.url}/api/usage", headers=headers, timeout=30).status_code == 200


def test_usage_filters_with_nul_are_client_errors(running: Running, author: Account) -> None:
    for name in ("model", "user_id", "key_id", "group_id", "kind", "start"):
        reply = _get(running, "/api/v1/usage", author, **{name: "a\x00b"})
        assert reply.status_code == 400, (name, reply.text)
        assert reply.json() == {"detail": "Query parameters must not contain NUL characters."}
