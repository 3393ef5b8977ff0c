"""/api/v1/retrieval/process/{text,files/batch,web,youtube,url} end to end: free-standing text
collections found by query/collection and chat RAG, who may write a collection, the batch's per-file
errors, and pages fetched from a loopback site the stack allows (127.0.0.2) while 127.0.0.1 and every
other refused address give 400 with the reason."""

import hashlib
from collections.abc import Iterator

import pytest
import requests

from services.common import messages
from tests.e2e.chat_support import LLAMA
from tests.e2e.conftest import Account, Running, query_collection, uploaded, verified_user, wait_processed
from tests.fakes.web_server import PAGE_TEXT, FakeWebServer

# Embedding may first wait for the model to load (slow on a busy machine).
DEADLINE_S = 120


def post(running: Running, path: str, account: Account, body: object = None) -> requests.Response:
    return requests.post(f"{running.url}{path}", json=body, headers=account.headers, timeout=DEADLINE_S)


TEXT = "The lighthouse keeper on Skerryvore winds the clockwork lens every four hours."


@pytest.fixture(scope="module")
def site() -> Iterator[FakeWebServer]:
    with FakeWebServer(big_bytes=8 * 1024 * 1024) as server:
        yield server


@pytest.fixture(scope="module")
def writer(running: Running) -> Account:
    return verified_user(running, "h3-writer@example.com", "Writer")


@pytest.fixture(scope="module")
def outsider(running: Running) -> Account:
    return verified_user(running, "h3-outsider@example.com", "Outsider")


def test_text_collection_found_by_query_and_chat(
    running: Running, writer: Account, outsider: Account
) -> None:
    reply = post(running, "/api/v1/retrieval/process/text", writer, {"name": "lighthouse", "content": TEXT})
    assert reply.status_code == 200, reply.text
    name = hashlib.sha256(TEXT.encode()).hexdigest()
    assert reply.json() == {"status": True, "collection_name": name, "content": TEXT}
    # The same text again: 200, nothing added twice.
    again = post(running, "/api/v1/retrieval/process/text", writer, {"name": "lighthouse", "content": TEXT})
    assert again.status_code == 200, again.text

    found = query_collection(running.url, writer, [name], "who winds the lens?", k=5)
    assert found["documents"] == [[TEXT]]
    assert found["metadatas"][0][0] == {"name": "lighthouse", "created_by": writer.id}

    # Another user can neither read nor write it.
    refused = post(
        running, "/api/v1/retrieval/query/collection", outsider, {"collection_names": [name], "query": "lens"}
    )
    assert refused.status_code == 403, refused.text
    other = post(
        running,
        "/api/v1/retrieval/process/text",
        outsider,
        {"name": "x", "content": "Another text entirely.", "collection_name": name},
    )
    assert other.status_code == 403
    assert other.json() == {"detail": messages.ACCESS_PROHIBITED}

    chat = post(
        running,
        "/api/chat/completions",
        writer,
        {
            "model": LLAMA,
            "messages": [{"role": "user", "content": "Who winds the lens?"}],
            "files": [{"type": "collection", "id": name}],
        },
    )
    assert chat.status_code == 200, chat.text
    [source] = chat.json()["sources"]
    assert source["document"] == [TEXT]

    whole = post(
        running,
        "/api/chat/completions",
        writer,
        {
            "model": LLAMA,
            "messages": [{"role": "user", "content": "Who winds the lens?"}],
            "files": [{"type": "collection", "id": name, "context": "full"}],
        },
    )
    assert whole.status_code == 200, whole.text
    [source] = whole.json()["sources"]
    assert source["document"] == [TEXT]
    assert source["metadata"] == [{"name": "lighthouse", "created_by": writer.id}]


def test_named_text_collection_and_knowledge_write_rules(
    running: Running, writer: Account, outsider: Account
) -> None:
    named = post(
        running,
        "/api/v1/retrieval/process/text",
        writer,
        {"name": "a", "content": "Alpha notes about tides.", "collection_name": "h3-notes"},
    )
    assert named.status_code == 200, named.text
    assert named.json()["collection_name"] == "h3-notes"
    post(
        running,
        "/api/v1/retrieval/process/text",
        writer,
        {"name": "b", "content": "Beta notes about moons.", "collection_name": "h3-notes"},
    )
    found = query_collection(running.url, writer, ["h3-notes"], "tides and moons", k=5)
    assert sorted(found["documents"][0]) == ["Alpha notes about tides.", "Beta notes about moons."]

    created = post(running, "/api/v1/knowledge/create", writer, {"name": "kb", "description": "kb"})
    assert created.status_code == 200, created.text
    knowledge_id = created.json()["id"]
    into_kb = {"name": "kb text", "content": "Gamma notes about comets.", "collection_name": knowledge_id}
    assert post(running, "/api/v1/retrieval/process/text", outsider, into_kb).status_code == 403
    assert post(running, "/api/v1/retrieval/process/text", writer, into_kb).status_code == 200
    found = query_collection(running.url, writer, [knowledge_id], "comets", k=1)
    assert found["documents"] == [["Gamma notes about comets."]]

    file_collection = {"name": "f", "content": "Delta.", "collection_name": "file-nope"}
    assert post(running, "/api/v1/retrieval/process/text", writer, file_collection).status_code == 403
    blank = post(running, "/api/v1/retrieval/process/text", writer, {"name": "blank", "content": "  "})
    assert blank.status_code == 400
    missing = post(running, "/api/v1/retrieval/process/text", writer, {"name": "no content"})
    assert missing.status_code == 422


def processed_file(running: Running, account: Account, filename: str, text: str) -> str:
    file_id = uploaded(running.url, account, filename, text.encode())["id"]
    processed = wait_processed(running.url, account, file_id)
    assert processed["data"]["status"] == "completed", processed
    return file_id


def test_files_batch(running: Running, writer: Account, outsider: Account) -> None:
    own = processed_file(running, writer, "own.txt", "Stored text of the writer's file.")
    theirs = processed_file(running, outsider, "theirs.txt", "Stored text of the outsider's file.")
    body = {
        "collection_name": "h3-batch",
        "files": [
            {"id": own, "filename": "own.txt", "data": {"content": "Carried text about otters."}},
            {"id": theirs, "data": {"content": "Carried text about badgers."}},
            {"id": "no-such-file", "data": {"content": "Carried text about voles."}},
        ],
    }
    reply = post(running, "/api/v1/retrieval/process/files/batch", writer, body)
    assert reply.status_code == 200, reply.text
    assert reply.json() == {
        "results": [{"file_id": own, "status": "completed", "error": None}],
        "errors": [
            {"file_id": theirs, "status": "failed", "error": "Permission denied: not file owner"},
            {"file_id": "no-such-file", "status": "failed", "error": "File not found"},
        ],
    }
    found = query_collection(running.url, writer, ["h3-batch"], "otters", k=5)
    assert found["documents"] == [["Carried text about otters."]]
    assert found["metadatas"][0][0]["file_id"] == own
    # The same content again is a duplicate.
    again = post(
        running, "/api/v1/retrieval/process/files/batch", writer, {**body, "files": body["files"][:1]}
    )
    assert again.json()["errors"] == [
        {"file_id": own, "status": "failed", "error": messages.DUPLICATE_CONTENT}
    ]
    too_many = {"collection_name": "h3-batch", "files": [{"id": own}] * 1001}
    assert post(running, "/api/v1/retrieval/process/files/batch", writer, too_many).status_code == 422


def test_process_web_page(running: Running, writer: Account, site: FakeWebServer) -> None:
    url = f"{site.url}/page.html"
    reply = post(running, "/api/v1/retrieval/process/web", writer, {"url": url})
    assert reply.status_code == 200, reply.text
    body = reply.json()
    name = hashlib.sha256(url.encode()).hexdigest()[:63]
    assert body["collection_name"] == name
    assert body["filename"] == url
    assert PAGE_TEXT in body["content"]
    assert "script text" not in body["content"]
    assert body["file"] == {"data": {"content": body["content"]}, "meta": {"name": url, "source": url}}
    found = query_collection(running.url, writer, [name], "zebrafish heart", k=1)
    assert PAGE_TEXT in found["documents"][0][0]

    only_text = post(running, "/api/v1/retrieval/process/web?process=false", writer, {"url": url})
    assert only_text.status_code == 200
    assert set(only_text.json()) == {"status", "content"}


@pytest.mark.parametrize(
    "target",
    [
        "http://127.0.0.1:{port}/page.html",
        "http://localhost:{port}/page.html",
        "http://[::1]:{port}/page.html",
        "http://169.254.169.254/latest/meta-data/",
        "http://2130706433:{port}/",
        "http://user@127.0.0.2:{port}/page.html",
        "file:///etc/passwd",
        "{site}/redirect?to=http://127.0.0.1:{port}/page.html",
    ],
)
def test_process_web_refusals(running: Running, writer: Account, site: FakeWebServer, target: str) -> None:
    url = target.format(port=site.port, site=site.url)
    reply = post(running, "/api/v1/retrieval/process/web", writer, {"url": url})
    assert reply.status_code == 400, reply.text
    assert reply.json()["detail"].startswith(f"[ERROR: Could not read content from {url}: ")


def test_process_web_limits_and_youtube(running: Running, writer: Account, site: FakeWebServer) -> None:
    big = post(running, "/api/v1/retrieval/process/web", writer, {"url": f"{site.url}/big"})
    assert big.status_code == 413, big.text
    missing = post(running, "/api/v1/retrieval/process/web", writer, {"url": f"{site.url}/missing"})
    assert missing.status_code == 400
    youtube = post(
        running, "/api/v1/retrieval/process/youtube", writer, {"url": "https://www.youtube.com/watch?v=x"}
    )
    assert youtube.status_code == 400


def test_process_url_kinds(running: Running, writer: Account, site: FakeWebServer) -> None:
    page = post(running, "/api/v1/retrieval/process/url", writer, {"url": f"{site.url}/page.html"})
    assert page.status_code == 200, page.text
    assert page.json()["type"] == "web"
    assert PAGE_TEXT in page.json()["content"]

    image = post(running, "/api/v1/retrieval/process/url", writer, {"url": f"{site.url}/image.png"})
    assert image.status_code == 200, image.text
    assert image.json()["type"] == "image"
    assert image.json()["file"]["meta"]["data"] == {"source_url": f"{site.url}/image.png"}

    csv = post(running, "/api/v1/retrieval/process/url", writer, {"url": f"{site.url}/data.csv"})
    assert csv.status_code == 200, csv.text
    body = csv.json()
    assert body["type"] == "file"
    assert body["name"] == "data.csv"
    processed = wait_processed(running.url, writer, body["file"]["id"])
    assert processed["data"]["status"] == "completed"
    assert "zebrafish" in processed["data"]["content"]

    refused = post(running, "/api/v1/retrieval/process/url", writer, {"url": "http://127.0.0.1/"})
    assert refused.status_code == 400


def test_unauthenticated(running: Running) -> None:
    for path in ("text", "files/batch", "web", "youtube", "url"):
        reply = requests.post(f"{running.url}/api/v1/retrieval/process/{path}", json={}, timeout=10)
        assert reply.status_code == 401, path
