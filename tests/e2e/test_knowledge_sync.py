"""Knowledge directories and folder sync end to end: a local folder's round trip (upload, link into
directories, diff a changed manifest, clean up, diff again), the tree's rules, and who may do it."""

import asyncio
import hashlib
import time
import uuid

import asyncpg
import orjson
import pytest
import requests

from services.common import messages
from tests.e2e.conftest import Account, Running, query_collection, uploaded, verified_user, wait_processed

DIRECTORY_KEYS = {"id", "knowledge_id", "parent_id", "name", "user_id", "created_at", "updated_at"}


def post(running: Running, path: str, account: Account, body: object = None) -> requests.Response:
    return requests.post(f"{running.url}{path}", headers=account.headers, json=body, timeout=60)


def delete(running: Running, path: str, account: Account) -> requests.Response:
    return requests.delete(f"{running.url}{path}", headers=account.headers, timeout=60)


def ok(reply: requests.Response) -> dict:
    assert reply.status_code == 200, reply.text
    return reply.json()


def create_kb(running: Running, account: Account, name: str) -> str:
    return ok(post(running, "/api/v1/knowledge/create", account, {"name": name, "description": ""}))["id"]


def mkdir(running: Running, account: Account, kb: str, name: str, parent: str | None = None) -> dict:
    return ok(
        post(running, f"/api/v1/knowledge/{kb}/dirs/create", account, {"name": name, "parent_id": parent})
    )


def put_file(running: Running, account: Account, kb: str, filename: str, text: str) -> str:
    """Uploads, waits for processing and links the file to the base (at its root)."""
    file_id = uploaded(running.url, account, filename, text.encode())["id"]
    assert wait_processed(running.url, account, file_id)["data"]["status"] == "completed"
    ok(post(running, f"/api/v1/knowledge/{kb}/file/add", account, {"file_id": file_id}))
    return file_id


def move(running: Running, account: Account, kb: str, file_id: str, directory_id: str | None) -> None:
    body = {"file_id": file_id, "directory_id": directory_id}
    assert ok(post(running, f"/api/v1/knowledge/{kb}/file/move", account, body)) == {"status": True}


def entry(path: str, filename: str, text: str) -> dict:
    data = text.encode()
    return {
        "filename": filename,
        "path": path,
        "checksum": hashlib.sha256(data).hexdigest(),
        "size": len(data),
    }


def diff(running: Running, account: Account, kb: str, manifest: list[dict]) -> dict:
    return ok(post(running, f"/api/v1/knowledge/{kb}/sync/diff", account, {"manifest": manifest}))


def found(running: Running, account: Account, kb: str, query: str) -> list[str]:
    return query_collection(running.url, account, [kb], query, k=10)["documents"][0]


README = "Readme: the lighthouse keeper logs every passing ship."
README_V2 = "Readme: the lighthouse keeper now logs ships and whales."
SPEC = "Spec: the orbital relay answers pings within forty milliseconds."
GUIDE = "Guide: marmots in the Alps hibernate for six months each winter."
NOTES = "Notes: the tram depot repaints every carriage in spring."


@pytest.fixture(scope="module")
def owner(running: Running) -> Account:
    return verified_user(running, "kb-sync-owner@example.com", name="Sync Owner")


def test_folder_sync_round_trip(running: Running, owner: Account) -> None:
    kb = create_kb(running, owner, "synced folder")
    readme = put_file(running, owner, kb, "readme.md", README)
    spec = put_file(running, owner, kb, "spec.md", SPEC)
    guide = put_file(running, owner, kb, "guide.md", GUIDE)
    docs = mkdir(running, owner, kb, "docs")
    assert set(docs) == DIRECTORY_KEYS
    assert docs["parent_id"] is None and docs["knowledge_id"] == kb and docs["user_id"] == owner.id
    api = mkdir(running, owner, kb, "api", docs["id"])
    assert api["parent_id"] == docs["id"]
    move(running, owner, kb, spec, api["id"])
    move(running, owner, kb, guide, docs["id"])

    folder = [
        entry("", "readme.md", README),
        entry("docs/api", "spec.md", SPEC),
        entry("docs", "guide.md", GUIDE),
    ]
    assert diff(running, owner, kb, folder) == {
        "added": [],
        "modified": [],
        "deleted": [],
        "mkdir": [],
        "rmdir": [],
        "unmodified_count": 3,
        "directory_map": {"docs": docs["id"], "docs/api": api["id"]},
    }

    # Locally: the readme changed, the guide is gone, notes/todo.md is new.
    changed = [
        entry("", "readme.md", README_V2),
        entry("docs/api", "spec.md", SPEC),
        entry("notes", "todo.md", NOTES),
    ]
    result = diff(running, owner, kb, changed)
    assert result["modified"] == [{"filename": "readme.md", "path": "", "stale_file_id": readme}]
    assert result["added"] == [{"filename": "todo.md", "path": "notes"}]
    assert result["deleted"] == [{"file_id": guide, "filename": "guide.md"}]
    assert result["mkdir"] == ["notes"]
    assert result["rmdir"] == []
    assert result["unmodified_count"] == 1
    assert any("marmots" in text for text in found(running, owner, kb, "marmots hibernate in the Alps"))

    # What a client does with it: upload what changed, make the directories, then clean up.
    put_file(running, owner, kb, "readme.md", README_V2)
    notes = mkdir(running, owner, kb, "notes")
    todo = put_file(running, owner, kb, "todo.md", NOTES)
    move(running, owner, kb, todo, notes["id"])
    cleanup = {"file_ids": [readme, guide], "dir_ids": result["rmdir"]}
    assert ok(post(running, f"/api/v1/knowledge/{kb}/sync/cleanup", owner, cleanup)) == {"status": True}

    again = diff(running, owner, kb, changed)
    assert again["unmodified_count"] == 3
    assert again["added"] == again["modified"] == again["deleted"] == []
    assert again["mkdir"] == again["rmdir"] == []
    # The stale files left the index and, owned and linked nowhere else, were deleted.
    assert not any("marmots" in text for text in found(running, owner, kb, "marmots hibernate in the Alps"))
    texts = found(running, owner, kb, "lighthouse keeper logs ships")
    assert README_V2 in texts and README not in texts
    for gone in (readme, guide):
        assert (
            requests.get(f"{running.url}/api/v1/files/{gone}", headers=owner.headers, timeout=10).status_code
            == 404
        )


def test_cleanup_keeps_a_file_another_base_links_and_removes_directories(
    running: Running, owner: Account
) -> None:
    kb = create_kb(running, owner, "cleanup a")
    other_kb = create_kb(running, owner, "cleanup b")
    shared = put_file(running, owner, kb, "shared.md", "Shared: the ferry leaves at dawn from pier nine.")
    ok(post(running, f"/api/v1/knowledge/{other_kb}/file/add", owner, {"file_id": shared}))
    top = mkdir(running, owner, kb, "top")
    child = mkdir(running, owner, kb, "child", top["id"])
    inner = put_file(running, owner, kb, "inner.md", "Inner: owls nest in the old bell tower.")
    move(running, owner, kb, inner, child["id"])

    body = {"file_ids": [shared, "no-such-file"], "dir_ids": [top["id"]]}
    assert ok(post(running, f"/api/v1/knowledge/{kb}/sync/cleanup", owner, body)) == {"status": True}
    assert (
        requests.get(f"{running.url}/api/v1/files/{shared}", headers=owner.headers, timeout=10).status_code
        == 200
    )
    # The removed directories' files left the base (the files themselves stay).
    left = diff(running, owner, kb, [])
    assert left == {
        "added": [],
        "modified": [],
        "deleted": [],
        "mkdir": [],
        "rmdir": [],
        "unmodified_count": 0,
        "directory_map": {},
    }
    assert (
        requests.get(f"{running.url}/api/v1/files/{inner}", headers=owner.headers, timeout=10).status_code
        == 200
    )
    assert [f["filename"] for f in diff(running, owner, other_kb, [])["deleted"]] == ["shared.md"]


def test_directory_rules(running: Running, owner: Account) -> None:
    kb = create_kb(running, owner, "tree rules")
    a = mkdir(running, owner, kb, "a")
    b = mkdir(running, owner, kb, "b", a["id"])
    c = mkdir(running, owner, kb, "c", b["id"])

    # The same name twice at one level, the root included.
    taken = post(running, f"/api/v1/knowledge/{kb}/dirs/create", owner, {"name": "a"})
    assert (taken.status_code, taken.json()["detail"]) == (400, messages.DIRECTORY_CREATE_FAILED)
    assert post(running, f"/api/v1/knowledge/{kb}/dirs/create", owner, {"name": "a", "parent_id": c["id"]}).ok
    # A parent of another base is one that does not exist.
    foreign_kb = create_kb(running, owner, "tree rules foreign")
    alien = mkdir(running, owner, foreign_kb, "alien")
    refused = post(
        running, f"/api/v1/knowledge/{kb}/dirs/create", owner, {"name": "z", "parent_id": alien["id"]}
    )
    assert (refused.status_code, refused.json()["detail"]) == (404, messages.TARGET_DIRECTORY_NOT_FOUND)
    moved_out = post(
        running, f"/api/v1/knowledge/{kb}/dirs/{b['id']}/update", owner, {"parent_id": alien["id"]}
    )
    assert moved_out.status_code == 404
    # A name that would split a synced path.
    assert post(running, f"/api/v1/knowledge/{kb}/dirs/create", owner, {"name": "x/y"}).status_code == 400

    # No loops: into itself or a descendant.
    for parent in (a["id"], c["id"]):
        loop = post(running, f"/api/v1/knowledge/{kb}/dirs/{a['id']}/update", owner, {"parent_id": parent})
        assert (loop.status_code, loop.json()["detail"]) == (400, messages.DIRECTORY_UPDATE_FAILED)
    renamed = ok(post(running, f"/api/v1/knowledge/{kb}/dirs/{c['id']}/update", owner, {"name": "cc"}))
    assert (renamed["name"], renamed["parent_id"]) == ("cc", b["id"])
    to_root = ok(post(running, f"/api/v1/knowledge/{kb}/dirs/{c['id']}/update", owner, {"parent_id": None}))
    assert (to_root["name"], to_root["parent_id"]) == ("cc", None)

    # Deleting with move_files (the default) moves the files to the deleted directory's parent.
    file_id = put_file(running, owner, kb, "deep.md", "Deep: coral reefs glow under ultraviolet light.")
    move(running, owner, kb, file_id, b["id"])
    assert ok(delete(running, f"/api/v1/knowledge/{kb}/dirs/{b['id']}/delete", owner)) == {"status": True}
    state = diff(
        running, owner, kb, [entry("a", "deep.md", "Deep: coral reefs glow under ultraviolet light.")]
    )
    assert state["unmodified_count"] == 1 and state["directory_map"].keys() == {"a", "cc", "cc/a"}
    # Without: the files leave the base and its index.
    query = "coral reefs glow"
    assert found(running, owner, kb, query)
    assert ok(delete(running, f"/api/v1/knowledge/{kb}/dirs/{a['id']}/delete?move_files=false", owner))
    assert diff(running, owner, kb, [])["deleted"] == []
    assert found(running, owner, kb, query) == []

    # Another base's directory is not found here.
    other = create_kb(running, owner, "tree rules 2")
    foreign = mkdir(running, owner, other, "foreign")
    assert delete(running, f"/api/v1/knowledge/{kb}/dirs/{foreign['id']}/delete", owner).status_code == 404
    moved = post(
        running, f"/api/v1/knowledge/{kb}/file/move", owner, {"file_id": file_id, "directory_id": None}
    )
    assert moved.status_code == 404  # no longer in the base
    linked = put_file(running, owner, kb, "linked.md", "Linked: the glassblower works at night.")
    target = post(
        running,
        f"/api/v1/knowledge/{kb}/file/move",
        owner,
        {"file_id": linked, "directory_id": foreign["id"]},
    )
    assert (target.status_code, target.json()["detail"]) == (404, messages.TARGET_DIRECTORY_NOT_FOUND)


def test_access_and_bounds(running: Running, owner: Account, other_user: Account) -> None:
    kb = create_kb(running, owner, "private sync")
    directory = mkdir(running, owner, kb, "d")
    for path, body in (
        (f"/api/v1/knowledge/{kb}/dirs/create", {"name": "n"}),
        (f"/api/v1/knowledge/{kb}/dirs/{directory['id']}/update", {"name": "n"}),
        (f"/api/v1/knowledge/{kb}/file/move", {"file_id": "f", "directory_id": None}),
        (f"/api/v1/knowledge/{kb}/sync/diff", {"manifest": []}),
        (f"/api/v1/knowledge/{kb}/sync/cleanup", {"file_ids": []}),
    ):
        reply = post(running, path, other_user, body)
        assert (reply.status_code, reply.json()["detail"]) == (403, messages.ACCESS_PROHIBITED), path
        missing = post(running, path.replace(kb, "no-such-kb"), owner, body)
        assert (missing.status_code, missing.json()["detail"]) == (404, messages.NOT_FOUND), path
    reply = delete(running, f"/api/v1/knowledge/{kb}/dirs/{directory['id']}/delete", other_user)
    assert reply.status_code == 403
    assert delete(running, f"/api/v1/knowledge/{kb}/dirs/no-such-dir/delete", owner).status_code == 404

    # Bad input is a 4xx, never a 500.
    too_many = {"manifest": [entry("", f"f{i}", "x") for i in range(20001)]}
    assert post(running, f"/api/v1/knowledge/{kb}/sync/diff", owner, too_many).status_code == 400
    assert (
        post(
            running, f"/api/v1/knowledge/{kb}/sync/diff", owner, {"manifest": [{"filename": "a"}]}
        ).status_code
        == 422
    )
    huge = {"filename": "a", "path": "", "checksum": "c", "size": 2**70}
    assert post(running, f"/api/v1/knowledge/{kb}/sync/diff", owner, {"manifest": [huge]}).status_code == 422


def files_listing(running: Running, account: Account, kb: str, query: str = "") -> dict:
    reply = requests.get(
        f"{running.url}/api/v1/knowledge/{kb}/files{query}", headers=account.headers, timeout=30
    )
    return ok(reply)


def test_add_into_directories_and_folder_views(running: Running, owner: Account, other_user: Account) -> None:
    kb = create_kb(running, owner, "folders")
    docs = mkdir(running, owner, kb, "docs")
    api = mkdir(running, owner, kb, "api", docs["id"])
    foreign = mkdir(running, owner, create_kb(running, owner, "folders 2"), "elsewhere")
    names = ("top.md", "doc.md", "one.md", "two.md")
    ids = {
        n: uploaded(running.url, owner, n, f"{n}: a note about {n[:-3]} things.".encode())["id"]
        for n in names
    }
    for file_id in ids.values():
        assert wait_processed(running.url, owner, file_id)["data"]["status"] == "completed"

    # file/add with a directory of another base refuses before linking anything.
    body = {"file_id": ids["doc.md"], "directory_id": foreign["id"]}
    refused = post(running, f"/api/v1/knowledge/{kb}/file/add", owner, body)
    assert (refused.status_code, refused.json()["detail"]) == (400, messages.TARGET_DIRECTORY_NOT_FOUND)
    assert files_listing(running, owner, kb)["total"] == 0
    ok(post(running, f"/api/v1/knowledge/{kb}/file/add", owner, {"file_id": ids["top.md"]}))
    ok(
        post(
            running,
            f"/api/v1/knowledge/{kb}/file/add",
            owner,
            {"file_id": ids["doc.md"], "directory_id": docs["id"]},
        )
    )
    batch = [
        {"file_id": ids["one.md"], "directory_id": api["id"]},
        {"file_id": ids["two.md"], "directory_id": api["id"]},
    ]
    ok(post(running, f"/api/v1/knowledge/{kb}/files/batch/add", owner, batch))

    flat = files_listing(running, owner, kb)
    assert flat["total"] == 4 and flat["directories"] == [] and flat["breadcrumbs"] == []
    placed = {item["filename"]: (item["directory_id"], item["directory_path"]) for item in flat["items"]}
    assert placed == {
        "top.md": (None, ""),
        "doc.md": (docs["id"], "docs"),
        "one.md": (api["id"], "docs/api"),
        "two.md": (api["id"], "docs/api"),
    }

    root = files_listing(running, owner, kb, "?directory_id=")
    assert [item["filename"] for item in root["items"]] == ["top.md"]
    assert [d["id"] for d in root["directories"]] == [docs["id"]] and root["breadcrumbs"] == []
    inner = files_listing(running, owner, kb, f"?directory_id={api['id']}")
    assert inner["total"] == 2 and sorted(i["filename"] for i in inner["items"]) == ["one.md", "two.md"]
    assert {i["directory_path"] for i in inner["items"]} == {"docs/api"}
    assert inner["directories"] == []
    assert [d["name"] for d in inner["breadcrumbs"]] == ["docs", "api"]
    assert set(inner["breadcrumbs"][0]) == DIRECTORY_KEYS
    missing = requests.get(
        f"{running.url}/api/v1/knowledge/{kb}/files?directory_id={foreign['id']}",
        headers=owner.headers,
        timeout=30,
    )
    assert (missing.status_code, missing.json()["detail"]) == (400, messages.NOT_FOUND)
    hidden = requests.get(
        f"{running.url}/api/v1/knowledge/{kb}/files?directory_id=", headers=other_user.headers, timeout=30
    )
    assert (hidden.status_code, hidden.json()["detail"]) == (400, messages.ACCESS_PROHIBITED)


def test_reset_deletes_directories_unless_told_not_to(running: Running, owner: Account) -> None:
    kb = create_kb(running, owner, "reset dirs")
    kept = mkdir(running, owner, kb, "kept")
    mkdir(running, owner, kb, "inner", kept["id"])
    ok(post(running, f"/api/v1/knowledge/{kb}/reset?include_directories=false", owner))
    assert diff(running, owner, kb, [])["directory_map"].keys() == {"kept", "kept/inner"}
    ok(post(running, f"/api/v1/knowledge/{kb}/reset", owner))
    assert diff(running, owner, kb, [])["directory_map"] == {}


async def _seed_processing(
    database_url: str, user_id: str, kb: str, rows: list[tuple[str, str, str, int]]
) -> list[str]:
    """Files uploaded for ``kb`` still processing: (filename, directory id or '', file_hash, age)."""
    conn = await asyncpg.connect(database_url)
    ids = []
    try:
        now = int(time.time())
        for filename, directory_id, file_hash, age_s in rows:
            meta = {"knowledge_id": kb, **({"directory_id": directory_id} if directory_id else {})}
            ids.append(str(uuid.uuid4()))
            await conn.execute(
                "INSERT INTO ingest_file (id, user_id, filename, content_type, size, file_hash, status, "
                "client_meta, created_at, updated_at) "
                "VALUES ($1, $2, $3, 'text/plain', 1, $4, 'processing', $5::jsonb, $6, $6)",
                ids[-1],
                user_id,
                filename,
                file_hash,
                orjson.dumps(meta).decode(),
                now - age_s,
            )
        return ids
    finally:
        await conn.close()


async def _drop_files(database_url: str, ids: list[str]) -> None:
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute("DELETE FROM ingest_file WHERE id = ANY($1::text[])", ids)
    finally:
        await conn.close()


def test_files_still_processing_count_as_unmodified(running: Running, owner: Account) -> None:
    kb = create_kb(running, owner, "processing sync")
    docs = mkdir(running, owner, kb, "docs")
    fresh, stale = entry("docs", "fresh.md", "fresh"), entry("", "stale.md", "stale")
    changed = entry("", "changed.md", "new bytes")
    seeded = [
        ("fresh.md", docs["id"], fresh["checksum"], 10),
        ("stale.md", "", stale["checksum"], 2 * 3600),
        ("changed.md", "", entry("", "changed.md", "old bytes")["checksum"], 10),
    ]
    database_url = running.stack.database_url or ""
    ids = asyncio.run(_seed_processing(database_url, owner.id, kb, seeded))
    try:
        result = diff(running, owner, kb, [fresh, stale, changed])
    finally:
        # Rows never processed: gone before anything else of the session sees them.
        asyncio.run(_drop_files(database_url, ids))
    assert result["unmodified_count"] == 1
    assert result["added"] == [{"filename": "stale.md", "path": ""}, {"filename": "changed.md", "path": ""}]
    assert result["deleted"] == [] and result["modified"] == []
