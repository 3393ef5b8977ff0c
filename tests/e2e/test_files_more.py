"""/api/v1/files search, counts, rename, text replacement and delete-all (refusal only: the shared
stack's files belong to every test; the deletion itself is tested in
tests/integration/test_file_ops.py), and /api/v1/retrieval/process/file, end to end."""

import uuid

import requests

from services.common import messages
from tests.e2e.conftest import Account, Running, uploaded, verified_user, wait_processed

LIGHTHOUSE = "The lighthouse keeper counted exactly 4711 seagulls on the northern pier."
OTTERS = "Otters in the lower river hold hands while they sleep so they do not drift apart."


def _get(url: str, account: Account, path: str, **params: object) -> requests.Response:
    return requests.get(f"{url}{path}", headers=account.headers, params=params, timeout=30)


def _post(url: str, account: Account, path: str, body: dict) -> requests.Response:
    return requests.post(f"{url}{path}", headers=account.headers, json=body, timeout=60)


def _processed_file(running: Running, account: Account, name: str, text: str) -> dict:
    file = uploaded(running.url, account, name, text.encode())
    assert wait_processed(running.url, account, file["id"])["data"]["status"] == "completed"
    return file


def test_search_and_counts(running: Running, other_user: Account) -> None:
    url = running.url
    owner = verified_user(running, f"files-search-{uuid.uuid4().hex[:8]}@example.com")
    tag = uuid.uuid4().hex[:10]
    first = _processed_file(running, owner, f"Report-{tag}-A.txt", LIGHTHOUSE)
    second = uploaded(url, owner, f"report-{tag}-b.md", b"# Notes\n\nsecond file", query="?process=false")

    found = _get(url, owner, "/api/v1/files/search", filename=f"report-{tag}-*")
    assert found.status_code == 200, found.text
    assert [f["id"] for f in found.json()] == [second["id"], first["id"]]  # newest first
    assert LIGHTHOUSE in found.json()[1]["data"]["content"]
    bare = _get(url, owner, "/api/v1/files/search", filename=f"REPORT-{tag}-?.TXT", content="false")
    assert [f["id"] for f in bare.json()] == [first["id"]]
    assert "content" not in bare.json()[0]["data"]
    paged = _get(url, owner, "/api/v1/files/search", filename=f"report-{tag}*", skip=1, limit=1)
    assert [f["id"] for f in paged.json()] == [first["id"]]

    none = _get(url, owner, "/api/v1/files/search", filename=f"report-{tag}%")
    assert none.status_code == 404 and none.json() == {"detail": messages.NO_FILES_MATCH}
    assert _get(url, other_user, "/api/v1/files/search", filename=f"report-{tag}*").status_code == 404
    assert _get(url, owner, "/api/v1/files/search", filename="report\x00*").status_code == 404
    assert _get(url, owner, "/api/v1/files/search", filename="*", skip=2**40).status_code == 404
    # The admin searches everyone's files.
    assert len(_get(url, running.admin, "/api/v1/files/search", filename=f"report-{tag}*").json()) == 2
    for params in (
        {},
        {"filename": "*", "limit": 0},
        {"filename": "*", "limit": 1001},
        {"filename": "*", "skip": -1},
    ):
        assert _get(url, owner, "/api/v1/files/search", **params).status_code == 422, params

    own = _get(url, owner, "/api/v1/files/user/search")
    assert own.status_code == 200 and {f["id"] for f in own.json()} == {first["id"], second["id"]}
    assert all("content" not in f["data"] for f in own.json())
    assert _get(url, other_user, "/api/v1/files/user/search", filename=f"report-{tag}*").json() == []

    assert _get(url, owner, "/api/v1/files/user/count").json() == 2
    assert _get(url, owner, "/api/v1/files/count").json() == 2
    assert _get(url, running.admin, "/api/v1/files/count").json() >= 2


def test_rename_and_content_update(running: Running, user: Account, other_user: Account) -> None:
    url = running.url
    file = _processed_file(running, user, "before.txt", f"{LIGHTHOUSE}\n\nA second paragraph stays.")
    file_id = file["id"]

    renamed = _post(url, user, f"/api/v1/files/{file_id}/rename", {"filename": "after.txt"})
    assert renamed.status_code == 200, renamed.text
    body = renamed.json()
    assert body["filename"] == "after.txt" and body["meta"]["name"] == "after.txt"
    assert body["path"] and LIGHTHOUSE in body["data"]["content"]
    assert _post(url, other_user, f"/api/v1/files/{file_id}/rename", {"filename": "x"}).status_code == 404

    new_text = f"{OTTERS}\n\nA second paragraph stays."
    updated = _post(url, user, f"/api/v1/files/{file_id}/data/content/update", {"content": new_text})
    assert updated.status_code == 200, updated.text
    assert updated.json() == {"content": new_text}
    content = _get(url, user, f"/api/v1/files/{file_id}/data/content").json()
    assert content == {"content": new_text}
    hits = _post(
        url,
        user,
        "/api/v1/retrieval/query/doc",
        {"collection_name": f"file-{file_id}", "query": "otters sleeping", "k": 1},
    ).json()
    assert OTTERS in hits["documents"][0][0]

    blank = _post(url, user, f"/api/v1/files/{file_id}/data/content/update", {"content": "  "})
    assert blank.status_code == 400 and blank.json() == {"detail": messages.EMPTY_CONTENT}
    other = _post(url, other_user, f"/api/v1/files/{file_id}/data/content/update", {"content": "x"})
    assert other.status_code == 404
    missing = _post(url, user, "/api/v1/files/no-such-file/data/content/update", {"content": "x"})
    assert missing.status_code == 404


def test_process_file_modes(running: Running, user: Account) -> None:
    url = running.url
    raw = uploaded(url, user, "later.txt", LIGHTHOUSE.encode(), query="?process=false")
    done = _post(url, user, "/api/v1/retrieval/process/file", {"file_id": raw["id"]})
    assert done.status_code == 200, done.text
    assert done.json() == {
        "status": True,
        "collection_name": f"file-{raw['id']}",
        "filename": "later.txt",
        "content": LIGHTHOUSE,
    }
    assert _get(url, user, f"/api/v1/files/{raw['id']}").json()["data"]["status"] == "completed"

    kb = _post(url, user, "/api/v1/knowledge/create", {"name": "process-file kb", "description": "d"})
    assert kb.status_code == 200, kb.text
    kb_id = kb.json()["id"]
    linked = _post(
        url, user, "/api/v1/retrieval/process/file", {"file_id": raw["id"], "collection_name": kb_id}
    )
    assert linked.status_code == 200 and linked.json()["collection_name"] == kb_id
    files = _get(url, user, f"/api/v1/knowledge/{kb_id}/files").json()["items"]
    assert [f["id"] for f in files] == [raw["id"]]

    replaced = _post(url, user, "/api/v1/retrieval/process/file", {"file_id": raw["id"], "content": OTTERS})
    assert replaced.status_code == 200 and replaced.json()["content"] == OTTERS

    free_name = f"texts-{uuid.uuid4().hex[:8]}"
    free = _post(
        url, user, "/api/v1/retrieval/process/file", {"file_id": raw["id"], "collection_name": free_name}
    )
    assert free.status_code == 200 and free.json()["collection_name"] == free_name
    again = _post(
        url, user, "/api/v1/retrieval/process/file", {"file_id": raw["id"], "collection_name": free_name}
    )
    assert again.status_code == 400 and again.json() == {"detail": messages.DUPLICATE_CONTENT}
    elsewhere = _post(
        url, user, "/api/v1/retrieval/process/file", {"file_id": raw["id"], "collection_name": "file-x"}
    )
    assert elsewhere.status_code == 400
    missing = _post(url, user, "/api/v1/retrieval/process/file", {"file_id": "no-such-file"})
    assert missing.status_code == 404 and missing.json() == {"detail": messages.NOT_FOUND}
    assert _post(url, user, "/api/v1/retrieval/process/file", {}).status_code == 422


def test_delete_all_files_is_for_admins(running: Running, user: Account) -> None:
    reply = requests.delete(f"{running.url}/api/v1/files/all", headers=user.headers, timeout=30)
    assert reply.status_code == 401 and reply.json() == {"detail": messages.ACCESS_PROHIBITED}
