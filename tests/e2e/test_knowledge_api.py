"""/api/v1/knowledge end to end: collections, their files (pending ones included), what a
collection's search finds as files come and go, and what other users may do."""

import time

import pytest
import requests

from services.common import messages
from tests.e2e.conftest import (
    PROCESSING_DEADLINE_S,
    Account,
    Running,
    query_collection,
    uploaded,
    verified_user,
    wait_processed,
)

# The smallest valid PNG: a 1×1 transparent pixel (images are not processed).
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)
KNOWLEDGE_KEYS = ["id", "user_id", "name", "description", "meta", "access_grants", "created_at", "updated_at"]
# Sentences distinctive enough that the best chunk for each is its own file's.
SENTENCES = {
    "volcano": "Volcanic ash grounded every flight over Iceland for six days.",
    "violin": "The violin maker seasons spruce for twelve years before carving.",
    "glacier": "Glacier ice in Patagonia creeps forward two metres each day.",
    "bakery": "The bakery on Rue Cler sells sourdough baked in a wood oven.",
    "comet": "A comet's tail always points away from the sun.",
}


def post(running: Running, path: str, account: Account, body: object = None, **kwargs) -> requests.Response:
    return requests.post(f"{running.url}{path}", headers=account.headers, json=body, timeout=60, **kwargs)


def get(running: Running, path: str, account: Account) -> requests.Response:
    return requests.get(f"{running.url}{path}", headers=account.headers, timeout=30)


def create(running: Running, account: Account, name: str = "kb", description: str = "about things") -> dict:
    reply = post(running, "/api/v1/knowledge/create", account, {"name": name, "description": description})
    assert reply.status_code == 200, reply.text
    return reply.json()


def add(running: Running, account: Account, knowledge_id: str, file_id: str) -> requests.Response:
    return post(running, f"/api/v1/knowledge/{knowledge_id}/file/add", account, {"file_id": file_id})


def documents_found(
    running: Running, account: Account, knowledge_id: str, query: str, k: int = 10
) -> list[str]:
    return query_collection(running.url, account, [knowledge_id], query, k=k)["documents"][0]


def eventually(check, deadline_s: float = PROCESSING_DEADLINE_S) -> None:
    """Retries ``check`` (an assertion) until it passes or the deadline is reached."""
    deadline = time.monotonic() + deadline_s
    while True:
        try:
            check()
            return
        except AssertionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@pytest.fixture(scope="module")
def owner(running: Running) -> Account:
    return verified_user(running, "kb-owner@example.com", name="KB Owner")


@pytest.fixture(scope="module")
def processed(running: Running, owner: Account) -> dict[str, str]:
    """One processed text file per sentence: key → file id."""
    ids = {
        key: uploaded(running.url, owner, f"{key}.txt", sentence.encode())["id"]
        for key, sentence in SENTENCES.items()
    }
    for file_id in ids.values():
        assert wait_processed(running.url, owner, file_id)["data"]["status"] == "completed"
    return ids


def test_session_shows_the_knowledge_permission(running: Running, owner: Account) -> None:
    # USER_PERMISSIONS_WORKSPACE_KNOWLEDGE_ACCESS=true on the session stack.
    assert owner.signup_reply["permissions"]["workspace"]["knowledge"] is True
    session = get(running, "/api/v1/auths/", owner).json()
    assert session["permissions"]["workspace"]["knowledge"] is True


def test_lifecycle(running: Running, owner: Account) -> None:
    created = create(running, owner, "Lifecycle", "first description")
    assert list(created) == [*KNOWLEDGE_KEYS, "files"]
    assert (created["user_id"], created["meta"], created["access_grants"], created["files"]) == (
        owner.id,
        None,
        [],
        None,
    )
    kid = created["id"]
    detail = get(running, f"/api/v1/knowledge/{kid}", owner).json()
    assert detail == {**created, "write_access": True}

    listed = get(running, "/api/v1/knowledge/", owner).json()
    [item] = [i for i in listed["items"] if i["id"] == kid]
    assert item["user"] == {"id": owner.id, "name": "KB Owner", "role": "user", "email": owner.email}
    assert (item["file_count"], item["write_access"]) == (0, True)
    assert listed["total"] >= 1

    updated = post(
        running, f"/api/v1/knowledge/{kid}/update", owner, {"name": "Renamed", "description": "second"}
    )
    assert updated.status_code == 200, updated.text
    body = updated.json()
    assert (body["name"], body["description"], body["files"], body["write_access"]) == (
        "Renamed",
        "second",
        [],
        True,
    )
    assert get(running, f"/api/v1/knowledge/{kid}", owner).json()["name"] == "Renamed"

    deleted = requests.delete(
        f"{running.url}/api/v1/knowledge/{kid}/delete", headers=owner.headers, timeout=30
    )
    assert (deleted.status_code, deleted.json()) == (200, True)
    gone = get(running, f"/api/v1/knowledge/{kid}", owner)
    assert (gone.status_code, gone.json()) == (404, {"detail": messages.NOT_FOUND})
    assert kid not in [i["id"] for i in get(running, "/api/v1/knowledge/", owner).json()["items"]]


def test_create_validates_its_body(running: Running, owner: Account) -> None:
    reply = post(running, "/api/v1/knowledge/create", owner, {"name": "no description"})
    assert reply.status_code == 422
    assert reply.json()["detail"][0]["loc"] == ["body", "description"]
    # Found by fuzzing: grants nested past what can be written back were a 500.
    deep = '{"a":' * 300 + "1" + "}" * 300
    raw = f'{{"name": "n", "description": "d", "access_grants": [{deep}]}}'
    headers = {**owner.headers, "Content-Type": "application/json"}
    reply = requests.post(f"{running.url}/api/v1/knowledge/create", headers=headers, data=raw, timeout=10)
    assert (reply.status_code, reply.json()["detail"][0]["ctx"]) == (422, {"error": messages.JSON_TOO_DEEP})


def test_control_and_bidi_characters_are_stripped_from_names(running: Running, owner: Account) -> None:
    made = create(running, owner, name="kb\r\nX-Injected: 1\u202egpj.exe")
    assert made["name"] == "kbX-Injected: 1gpj.exe"
    body = {"name": "renamed\x7f\u2066\x85", "description": "d"}
    updated = post(running, f"/api/v1/knowledge/{made['id']}/update", owner, body)
    assert (updated.status_code, updated.json()["name"]) == (200, "renamed")
    assert get(running, f"/api/v1/knowledge/{made['id']}", owner).json()["name"] == "renamed"
    requests.delete(f"{running.url}/api/v1/knowledge/{made['id']}/delete", headers=owner.headers, timeout=30)


def test_add_a_pending_file_then_search_finds_it(running: Running, owner: Account) -> None:
    kid = create(running, owner, "Pending")["id"]
    sentence = "Lanterns on the Mekong are lit at dusk by the ferry crew."
    file_id = uploaded(running.url, owner, "lanterns.txt", sentence.encode())["id"]
    reply = add(running, owner, kid, file_id)
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert list(body) == [*KNOWLEDGE_KEYS, "files", "write_access"]
    [entry] = body["files"]
    assert entry["id"] == file_id
    assert set(entry) == {"id", "hash", "meta", "created_at", "updated_at", "data"}
    assert entry["data"]["status"] in ("pending", "processing", "completed")

    def found() -> None:
        assert sentence in documents_found(running, owner, kid, "lanterns on the Mekong river")

    eventually(found)


def test_adding_the_same_file_twice_gives_no_duplicate_hits(
    running: Running, owner: Account, processed: dict[str, str]
) -> None:
    kid = create(running, owner, "Twice")["id"]
    for _ in range(2):
        reply = add(running, owner, kid, processed["volcano"])
        assert reply.status_code == 200, reply.text
        assert [f["id"] for f in reply.json()["files"]] == [processed["volcano"]]
    documents = documents_found(running, owner, kid, "volcanic ash over Iceland")
    assert documents.count(SENTENCES["volcano"]) == 1
    assert get(running, f"/api/v1/knowledge/{kid}/files", owner).json()["total"] == 1


def test_add_an_unprocessed_file_is_400(running: Running, owner: Account) -> None:
    kid = create(running, owner, "Unprocessed")["id"]
    file_id = uploaded(running.url, owner, "raw.txt", b"raw", query="?process=false")["id"]
    reply = add(running, owner, kid, file_id)
    assert reply.status_code == 400
    assert messages.EMPTY_CONTENT in reply.json()["detail"]


def test_add_a_failed_file_is_400_with_its_error(running: Running, owner: Account) -> None:
    kid = create(running, owner, "Failed")["id"]
    file_id = uploaded(running.url, owner, "pixel.png", PNG)["id"]
    file = wait_processed(running.url, owner, file_id)
    assert file["data"]["status"] == "failed"
    reply = add(running, owner, kid, file_id)
    assert reply.status_code == 400
    assert file["data"]["error"] in reply.json()["detail"]


def test_add_unknown_file_is_400(running: Running, owner: Account) -> None:
    kid = create(running, owner, "Unknown file")["id"]
    reply = add(running, owner, kid, "no-such-file")
    assert (reply.status_code, reply.json()) == (400, {"detail": messages.NOT_FOUND})


def test_remove_a_file_keeping_it(running: Running, owner: Account, processed: dict[str, str]) -> None:
    kid = create(running, owner, "Remove")["id"]
    for key in ("violin", "glacier"):
        assert add(running, owner, kid, processed[key]).status_code == 200
    assert SENTENCES["violin"] in documents_found(running, owner, kid, "violin maker spruce")
    reply = post(
        running,
        f"/api/v1/knowledge/{kid}/file/remove?delete_file=false",
        owner,
        {"file_id": processed["violin"]},
    )
    assert reply.status_code == 200, reply.text
    assert [f["id"] for f in reply.json()["files"]] == [processed["glacier"]]
    assert SENTENCES["violin"] not in documents_found(running, owner, kid, "violin maker spruce")
    assert get(running, f"/api/v1/files/{processed['violin']}", owner).status_code == 200
    again = post(running, f"/api/v1/knowledge/{kid}/file/remove", owner, {"file_id": processed["violin"]})
    assert (again.status_code, again.json()) == (400, {"detail": messages.NOT_FOUND})


def test_remove_deletes_the_file_by_default(running: Running, owner: Account) -> None:
    kid = create(running, owner, "Remove and delete")["id"]
    file_id = uploaded(
        running.url,
        owner,
        "ferns.txt",
        b"Ferns unfurl fiddleheads in spring.",
        query="?process_in_background=false",
    )["id"]
    assert add(running, owner, kid, file_id).status_code == 200
    reply = post(running, f"/api/v1/knowledge/{kid}/file/remove", owner, {"file_id": file_id})
    assert reply.status_code == 200, reply.text
    assert reply.json()["files"] == []
    assert get(running, f"/api/v1/files/{file_id}", owner).status_code == 404


def test_deleting_a_file_takes_it_out_of_the_collection(running: Running, owner: Account) -> None:
    kid = create(running, owner, "Delete file")["id"]
    sentence = "Otters hold hands while they sleep in kelp forests."
    file_id = uploaded(
        running.url, owner, "otters.txt", sentence.encode(), query="?process_in_background=false"
    )["id"]
    assert add(running, owner, kid, file_id).status_code == 200
    assert sentence in documents_found(running, owner, kid, "sleeping otters")
    deleted = requests.delete(f"{running.url}/api/v1/files/{file_id}", headers=owner.headers, timeout=30)
    assert deleted.status_code == 200
    assert sentence not in documents_found(running, owner, kid, "sleeping otters")
    assert get(running, f"/api/v1/knowledge/{kid}/files", owner).json()["total"] == 0


def test_batch_add(running: Running, owner: Account, processed: dict[str, str]) -> None:
    kid = create(running, owner, "Batch")["id"]
    ids = [processed["bakery"], processed["comet"]]
    reply = post(running, f"/api/v1/knowledge/{kid}/files/batch/add", owner, [{"file_id": i} for i in ids])
    assert reply.status_code == 200, reply.text
    assert sorted(f["id"] for f in reply.json()["files"]) == sorted(ids)
    assert all(f["data"] == {"status": "completed"} for f in reply.json()["files"])
    assert SENTENCES["bakery"] in documents_found(running, owner, kid, "sourdough bakery")
    assert SENTENCES["comet"] in documents_found(running, owner, kid, "comet tail and the sun")
    not_a_list = post(running, f"/api/v1/knowledge/{kid}/files/batch/add", owner, {"file_id": ids[0]})
    assert not_a_list.status_code == 422


def test_file_update_and_files_listing(running: Running, owner: Account, processed: dict[str, str]) -> None:
    kid = create(running, owner, "Listing")["id"]
    assert add(running, owner, kid, processed["glacier"]).status_code == 200
    updated = post(running, f"/api/v1/knowledge/{kid}/file/update", owner, {"file_id": processed["glacier"]})
    assert updated.status_code == 200, updated.text
    assert [f["id"] for f in updated.json()["files"]] == [processed["glacier"]]
    assert SENTENCES["glacier"] in documents_found(running, owner, kid, "Patagonia glacier ice")

    page = get(running, f"/api/v1/knowledge/{kid}/files", owner).json()
    assert (page["total"], page["directories"], page["breadcrumbs"]) == (1, [], [])
    [item] = page["items"]
    assert item["id"] == processed["glacier"]
    assert item["data"] is None
    assert (item["directory_id"], item["directory_path"], item["has_original"]) == (None, "", True)
    assert item["user"] == {"id": owner.id, "name": "KB Owner", "role": "user", "email": owner.email}
    with_content = get(running, f"/api/v1/knowledge/{kid}/files?include_content=true", owner).json()
    assert SENTENCES["glacier"] in with_content["items"][0]["data"]["content"]
    [listed] = [i for i in get(running, "/api/v1/knowledge/", owner).json()["items"] if i["id"] == kid]
    assert listed["file_count"] == 1


def test_reset_unlinks_every_file(running: Running, owner: Account, processed: dict[str, str]) -> None:
    kid = create(running, owner, "Reset")["id"]
    assert add(running, owner, kid, processed["comet"]).status_code == 200
    reply = post(running, f"/api/v1/knowledge/{kid}/reset", owner)
    assert reply.status_code == 200, reply.text
    assert (reply.json()["id"], reply.json()["files"]) == (kid, None)
    assert get(running, f"/api/v1/knowledge/{kid}/files", owner).json()["total"] == 0
    assert documents_found(running, owner, kid, "comet tail") == []
    # The file itself is kept.
    assert get(running, f"/api/v1/files/{processed['comet']}", owner).status_code == 200


def test_another_users_collection(
    running: Running, owner: Account, other_user: Account, processed: dict[str, str]
) -> None:
    kid = create(running, owner, "Private")["id"]
    assert add(running, owner, kid, processed["bakery"]).status_code == 200
    prohibited = {"detail": messages.ACCESS_PROHIBITED}

    reply = get(running, f"/api/v1/knowledge/{kid}", other_user)
    assert (reply.status_code, reply.json()) == (401, prohibited)
    reply = get(running, f"/api/v1/knowledge/{kid}/files", other_user)
    assert (reply.status_code, reply.json()) == (400, prohibited)
    assert kid not in [i["id"] for i in get(running, "/api/v1/knowledge/", other_user).json()["items"]]
    own_file = uploaded(running.url, other_user, "mine.txt", b"mine", query="?process=false")["id"]
    for path, body in (
        ("update", {"name": "x", "description": "y"}),
        ("file/add", {"file_id": own_file}),
        ("file/update", {"file_id": processed["bakery"]}),
        ("file/remove", {"file_id": processed["bakery"]}),
        ("files/batch/add", [{"file_id": own_file}]),
        ("reset", None),
    ):
        reply = post(running, f"/api/v1/knowledge/{kid}/{path}", other_user, body)
        assert (reply.status_code, reply.json()) == (400, prohibited), path
    reply = requests.delete(
        f"{running.url}/api/v1/knowledge/{kid}/delete", headers=other_user.headers, timeout=10
    )
    assert (reply.status_code, reply.json()) == (400, prohibited)
    # Nothing changed; admins may read it.
    assert get(running, f"/api/v1/knowledge/{kid}/files", owner).json()["total"] == 1
    assert get(running, f"/api/v1/knowledge/{kid}", running.admin).status_code == 200


def test_a_page_past_any_integer_is_empty(running: Running, owner: Account) -> None:
    # Found by schemathesis: a page number past an int32 was a 500.
    reply = get(running, "/api/v1/knowledge/?page=1756868116662195", owner)
    assert (reply.status_code, reply.json()["items"]) == (200, [])


def test_unknown_collection(running: Running, owner: Account) -> None:
    not_found = {"detail": messages.NOT_FOUND}
    reply = get(running, "/api/v1/knowledge/no-such-kb", owner)
    assert (reply.status_code, reply.json()) == (404, not_found)
    for path, body in (
        ("update", {"name": "x", "description": "y"}),
        ("file/add", {"file_id": "f"}),
        ("reset", None),
    ):
        reply = post(running, f"/api/v1/knowledge/no-such-kb/{path}", owner, body)
        assert (reply.status_code, reply.json()) == (400, not_found), path


def test_ids_with_nul_are_not_found(running: Running, owner: Account) -> None:
    reply = get(running, "/api/v1/knowledge/a%00b", owner)
    assert (reply.status_code, reply.json()) == (404, {"detail": messages.NOT_FOUND})
    kid = create(running, owner, "Nul ids")["id"]
    reply = post(running, f"/api/v1/knowledge/{kid}/file/add", owner, {"file_id": "a\u0000b"})
    assert 400 <= reply.status_code < 500, reply.text
    reply = post(running, f"/api/v1/knowledge/{kid}/files/batch/add", owner, [{"file_id": "a\u0000b"}])
    assert 400 <= reply.status_code < 500, reply.text


def test_read_grant_shares_a_collection(
    running: Running, owner: Account, other_user: Account, processed: dict[str, str]
) -> None:
    kid = create(running, owner, "Shared")["id"]
    assert add(running, owner, kid, processed["violin"]).status_code == 200
    grants = [{"principal_type": "user", "principal_id": other_user.id, "permission": "read"}]
    # Users may not share (``sharing.knowledge`` is off by default): an admin shares the collection.
    reply = post(
        running,
        f"/api/v1/knowledge/{kid}/update",
        running.admin,
        {"name": "Shared", "description": "d", "access_grants": grants},
    )
    assert reply.status_code == 200, reply.text
    [grant] = reply.json()["access_grants"]
    assert (grant["principal_type"], grant["principal_id"], grant["permission"]) == (
        "user",
        other_user.id,
        "read",
    )
    detail = get(running, f"/api/v1/knowledge/{kid}", other_user)
    assert detail.status_code == 200
    assert detail.json()["write_access"] is False
    assert kid in [i["id"] for i in get(running, "/api/v1/knowledge/", other_user).json()["items"]]
    assert SENTENCES["violin"] in documents_found(running, other_user, kid, "violin maker")
    # Files of a readable collection are readable; changing the collection still is not allowed.
    assert get(running, f"/api/v1/files/{processed['violin']}", other_user).status_code == 200
    refused = post(running, f"/api/v1/knowledge/{kid}/update", other_user, {"name": "x", "description": "y"})
    assert refused.status_code == 400
    # An update without access_grants keeps them.
    post(running, f"/api/v1/knowledge/{kid}/update", owner, {"name": "Shared 2", "description": "d"})
    assert len(get(running, f"/api/v1/knowledge/{kid}", owner).json()["access_grants"]) == 1
