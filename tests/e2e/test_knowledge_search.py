"""/api/v1/knowledge search, file search, pending files (JSON and SSE), export and reindex, end to
end through the gateway."""

import io
import json
import uuid
import zipfile

import pytest
import requests

from services.common import messages
from tests.e2e.conftest import (
    PROCESSING_DEADLINE_S,
    Account,
    Running,
    uploaded,
    verified_user,
    wait_processed,
)

KNOWLEDGE_KEYS = {"id", "user_id", "name", "description", "meta", "access_grants", "created_at", "updated_at"}


def get(running: Running, path: str, account: Account, **kwargs) -> requests.Response:
    return requests.get(f"{running.url}{path}", headers=account.headers, timeout=30, **kwargs)


def post(running: Running, path: str, account: Account, body: object = None) -> requests.Response:
    return requests.post(f"{running.url}{path}", headers=account.headers, json=body, timeout=60)


def create(running: Running, account: Account, name: str, grants: list[dict] | None = None) -> dict:
    body: dict = {"name": name, "description": f"about {name}"}
    if grants is not None:
        body["access_grants"] = grants
    reply = post(running, "/api/v1/knowledge/create", account, body)
    assert reply.status_code == 200, reply.text
    return reply.json()


@pytest.fixture(scope="module")
def searcher(running: Running) -> Account:
    return verified_user(running, "kb-searcher@example.com", name="Searcher")


@pytest.fixture(scope="module")
def stranger(running: Running) -> Account:
    return verified_user(running, "kb-stranger@example.com", name="Stranger")


def test_search_lists_readable_collections_with_owner_count_and_write_access(
    running: Running, searcher: Account, stranger: Account
) -> None:
    tag = uuid.uuid4().hex[:8]
    mine = create(running, searcher, f"{tag} alpha")
    create(running, searcher, f"{tag} beta")
    create(running, stranger, f"{tag} hidden")

    reply = get(running, f"/api/v1/knowledge/search?query={tag}&order_by=name&direction=asc", searcher)
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert body["total"] == 2 and [k["name"] for k in body["items"]] == [f"{tag} alpha", f"{tag} beta"]
    item = body["items"][0]
    assert KNOWLEDGE_KEYS | {"user", "file_count", "write_access"} <= set(item)
    assert item["id"] == mine["id"] and item["write_access"] is True and item["file_count"] == 0
    assert item["user"]["id"] == searcher.id and item["user"]["email"] == searcher.email

    shared = get(running, f"/api/v1/knowledge/search?query={tag}&view_option=shared", searcher).json()
    assert shared == {"items": [], "total": 0}
    assert (
        get(running, f"/api/v1/knowledge/search?query={tag}&source=external", searcher).json()["total"] == 0
    )
    # Unknown options are ignored, as Open WebUI does; page 2 is empty but keeps the total.
    odd = get(
        running, f"/api/v1/knowledge/search?query={tag}&view_option=x&order_by=x&page=2", searcher
    ).json()
    assert odd == {"items": [], "total": 2}
    # Admins see everyone's.
    assert get(running, f"/api/v1/knowledge/search?query={tag}", running.admin).json()["total"] == 3
    assert get(running, "/api/v1/knowledge/search?page=x", searcher).status_code == 422


def test_pending_files_search_files_and_export(
    running: Running, searcher: Account, stranger: Account
) -> None:
    tag = uuid.uuid4().hex[:8]
    kb = create(running, searcher, f"{tag} notes")
    metadata = json.dumps({"knowledge_id": kb["id"]})
    file = uploaded(
        running.url, searcher, f"{tag}-otters.md", b"Otters hold hands while sleeping.", metadata=metadata
    )

    # The stream sends the set, then each change, and ends with [] once processing is over.
    with requests.get(
        f"{running.url}/api/v1/knowledge/{kb['id']}/files/pending?stream=true",
        headers=searcher.headers,
        stream=True,
        timeout=PROCESSING_DEADLINE_S,
    ) as reply:
        assert reply.status_code == 200, reply.text
        assert reply.headers["Content-Type"].startswith("text/event-stream")
        frames = [json.loads(line[6:]) for line in reply.iter_lines() if line.startswith(b"data: ")]
    assert frames[-1] == []
    for frame in frames[:-1]:
        assert [f["id"] for f in frame] == [file["id"]]
        assert frame[0]["data"]["status"] in ("pending", "processing")
    wait_processed(running.url, searcher, file["id"])
    assert get(running, f"/api/v1/knowledge/{kb['id']}/files/pending", searcher).json() == []
    refused = get(running, f"/api/v1/knowledge/{kb['id']}/files/pending", stranger)
    assert refused.status_code == 400 and refused.json() == {"detail": messages.ACCESS_PROHIBITED}
    missing = get(running, "/api/v1/knowledge/no-such-kb/files/pending?stream=true", searcher)
    assert missing.status_code == 404 and missing.json() == {"detail": messages.NOT_FOUND}

    added = post(running, f"/api/v1/knowledge/{kb['id']}/file/add", searcher, {"file_id": file["id"]})
    assert added.status_code == 200, added.text
    found = get(running, f"/api/v1/knowledge/search/files?query={tag}-OTTERS", searcher).json()
    assert found["total"] == 1 and found["directories"] == [] and found["breadcrumbs"] == []
    item = found["items"][0]
    assert item["id"] == file["id"] and item["data"] is None and item["has_original"] is True
    assert item["directory_id"] is None and item["directory_path"] == ""
    assert item["user"]["id"] == searcher.id and item["collection"]["id"] == kb["id"]
    assert set(item["collection"]) >= KNOWLEDGE_KEYS
    with_text = get(
        running, f"/api/v1/knowledge/search/files?query={tag}-otters&include_content=true", searcher
    )
    assert "Otters hold hands" in with_text.json()["items"][0]["data"]["content"]
    assert get(running, f"/api/v1/knowledge/search/files?query={tag}", stranger).json()["total"] == 0

    exported = get(running, f"/api/v1/knowledge/{kb['id']}/export", running.admin)
    assert exported.status_code == 200 and exported.headers["Content-Type"] == "application/zip"
    assert exported.headers["Content-Disposition"] == f"attachment; filename*=UTF-8''{tag}%20notes.zip"
    with zipfile.ZipFile(io.BytesIO(exported.content)) as archive:
        assert archive.namelist() == [f"{tag}-otters.md.txt"]
        assert archive.read(f"{tag}-otters.md.txt").decode().startswith("Otters hold hands")
    assert get(running, f"/api/v1/knowledge/{kb['id']}/export", searcher).status_code == 401
    assert get(running, "/api/v1/knowledge/no-such-kb/export", running.admin).status_code == 404


def test_reindex_is_for_admins(running: Running, searcher: Account) -> None:
    refused = post(running, "/api/v1/knowledge/reindex", searcher)
    assert refused.status_code == 401 and refused.json() == {"detail": messages.UNAUTHORIZED}
    reply = post(running, "/api/v1/knowledge/reindex", running.admin)
    assert reply.status_code == 200 and reply.json() is True
    assert post(running, "/api/v1/knowledge/metadata/reindex", searcher).status_code == 401
    counted = post(running, "/api/v1/knowledge/metadata/reindex", running.admin).json()
    assert counted["total"] == counted["success"] and counted["total"] >= 1
