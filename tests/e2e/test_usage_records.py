"""Usage records end to end: chat (Ollama and OpenAI upstreams, streamed and not, and the
pass-through routes), embeddings and a processed upload show up in ``GET /api/v1/usage``, with its
filters, grouping and who-sees-what rules."""

import dataclasses
import uuid

import requests

from tests.e2e.chat_support import GPT, LLAMA, eventually, get, post, processed_file
from tests.e2e.conftest import Account, Running, verified_user

HI = [{"role": "user", "content": "Say something about the sea"}]


def usage(running: Running, account: Account, query: str = "") -> requests.Response:
    return get(running, f"/api/v1/usage{query}", account)


def rows(running: Running, account: Account, query: str = "") -> list[dict]:
    reply = usage(running, account, query)
    assert reply.status_code == 200, reply.text
    return reply.json()["rows"]


def by(running: Running, account: Account, query: str, *keys: str) -> dict:
    return {tuple(row[k] for k in keys): row for row in rows(running, account, query)}


def test_chat_embeddings_and_ingest_are_recorded(running: Running) -> None:
    user = verified_user(running, f"usage-{uuid.uuid4().hex[:8]}@example.com")
    for model in (LLAMA, GPT):
        for stream in (False, True):
            reply = post(
                running, "/api/chat/completions", user, {"model": model, "messages": HI, "stream": stream}
            )
            assert reply.status_code == 200, reply.text
    # The pass-through routes, streamed and not.
    for stream in (False, True):
        reply = post(running, "/ollama/api/chat", user, {"model": LLAMA, "messages": HI, "stream": stream})
        assert reply.status_code == 200, reply.text
    reply = post(running, "/openai/chat/completions", user, {"model": GPT, "messages": HI})
    assert reply.status_code == 200, reply.text
    reply = post(running, "/api/embeddings", user, {"model": LLAMA, "input": ["one text", "two texts"]})
    assert reply.status_code == 200, reply.text
    processed_file(running, user, "sea.txt", "The sea is large and blue. " * 40)

    def all_recorded() -> dict:
        found = by(running, user, "?group_by=kind,model", "kind", "model")
        assert found.get(("chat", LLAMA), {}).get("requests") == 4, found
        assert found.get(("chat", GPT), {}).get("requests") == 3, found
        assert found.get(("embeddings", LLAMA), {}).get("requests") == 1, found
        assert sum(r["requests"] for (kind, _), r in found.items() if kind == "ingest") == 1, found
        return found

    found = eventually(all_recorded, deadline_s=20)
    for row in found.values():
        assert row["errors"] == 0
        assert row["input_tokens"] > 0, row
    assert found[("chat", LLAMA)]["output_tokens"] > 0
    assert found[("chat", GPT)]["output_tokens"] > 0
    # An OpenAI upstream is asked for a stream's usage even when the client did not ask.
    assert found[("chat", GPT)]["estimated_requests"] == 0
    assert found[("chat", LLAMA)]["estimated_requests"] == 0
    ingest = next(r for (kind, _), r in found.items() if kind == "ingest")
    # The embedder's own tokenizer counted the embedded chunks: exact, not an estimate.
    assert ingest["chunks"] > 0 and ingest["estimated_requests"] == 0

    # Filters narrow, the grand total is one row, days group.
    assert [r["requests"] for r in rows(running, user, "?kind=embeddings")] == [1]
    assert rows(running, user)[0]["requests"] == 9
    days = rows(running, user, "?group_by=day")
    assert len(days) == 1 and days[0]["requests"] == 9
    assert rows(running, user, "?start=2000-01-01&end=2000-01-02")[0]["requests"] == 0
    assert [r["key"] for r in rows(running, user, "?group_by=key")] == [""]  # a session, no API key

    # A user sees only their own; naming someone else is refused; an admin sees anyone's.
    assert usage(running, user, f"?user_id={running.admin.id}").status_code == 403
    admin_view = by(running, running.admin, f"?user_id={user.id}&group_by=user", "user")
    assert admin_view[(user.id,)]["requests"] == 9
    assert by(running, running.admin, "?group_by=user", "user")[(user.id,)]["requests"] == 9


def test_bad_usage_queries_are_400(running: Running, user: Account) -> None:
    for query in (
        "?group_by=colour",
        "?start=yesterday",
        "?kind=everything",
        "?start=2026-02-02&end=2026-01-01",
    ):
        reply = usage(running, user, query)
        assert reply.status_code == 400, (query, reply.text)
        assert "detail" in reply.json()
    assert requests.get(f"{running.url}/api/v1/usage", timeout=10).status_code == 401


def test_rag_context_tokens_are_counted(running: Running) -> None:
    user = verified_user(running, f"usage-rag-{uuid.uuid4().hex[:8]}@example.com")
    note = "The harbour opens at dawn and closes at dusk. " * 10
    body = {"model": LLAMA, "messages": HI, "files": [{"type": "text", "content": note}]}
    reply = post(running, "/api/chat/completions", user, body)
    assert reply.status_code == 200, reply.text

    def recorded() -> dict:
        found = rows(running, user)
        assert found[0]["requests"] == 1, found
        return found[0]

    row = eventually(recorded, deadline_s=20)
    # Counted by our tokenizer (no upstream reports context apart): about 11 tokens a sentence.
    assert 80 <= row["context_tokens"] <= 160, row
    assert row["estimated_requests"] == 0  # the prompt and reply counts are still Ollama's


def test_an_upload_is_charged_to_its_key_and_groups(running: Running) -> None:
    # Processing runs later, off the request: the file row keeps the key and groups it came with.
    user = verified_user(running, f"usage-key-{uuid.uuid4().hex[:8]}@example.com")
    made = post(running, "/api/v1/auths/api_keys", user, {"name": "uploader", "kind": "ingest"})
    assert made.status_code == 200, made.text
    key = dataclasses.replace(user, token=made.json()["api_key"])
    processed_file(running, key, "key.txt", "Uploaded with a key, charged to the key. " * 30)

    def charged() -> dict:
        found = by(running, user, "?kind=ingest&group_by=key", "key")
        assert found.get((made.json()["id"],), {}).get("requests") == 1, found
        return found

    eventually(charged, deadline_s=20)
