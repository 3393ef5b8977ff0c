"""/api/v1/retrieval end to end: searching a file's collection and several knowledge collections."""

import pytest
import requests

from services.common import messages
from tests.e2e.conftest import Account, Running, query_collection, uploaded, verified_user

ALPACA = "Alpacas hum softly when they are curious or worried."
TRAM = "The night tram to Lisbon's castle climbs a gradient of thirteen percent."
# Several chunks' worth of unrelated text around the alpaca sentence.
FILLER = "\n\n".join(
    f"Paragraph {i} describes accounting rules for fiscal year {2000 + i}." for i in range(40)
)


@pytest.fixture(scope="module")
def searcher(running: Running) -> Account:
    return verified_user(running, "searcher@example.com", name="Searcher")


@pytest.fixture(scope="module")
def files(running: Running, searcher: Account) -> dict[str, str]:
    """Two processed files (waited for by uploading with process_in_background=false)."""
    alpaca = uploaded(
        running.url,
        searcher,
        "alpaca.txt",
        f"{FILLER}\n\n{ALPACA}\n\n{FILLER}".encode(),
        query="?process_in_background=false",
    )
    tram = uploaded(running.url, searcher, "tram.txt", TRAM.encode(), query="?process_in_background=false")
    assert alpaca["data"]["status"] == tram["data"]["status"] == "completed"
    return {"alpaca": alpaca["id"], "tram": tram["id"]}


@pytest.fixture(scope="module")
def collections(running: Running, searcher: Account, files: dict[str, str]) -> dict[str, str]:
    """One knowledge collection per file."""
    ids = {}
    for key, file_id in files.items():
        created = requests.post(
            f"{running.url}/api/v1/knowledge/create",
            headers=searcher.headers,
            json={"name": key, "description": key},
            timeout=10,
        )
        assert created.status_code == 200, created.text
        ids[key] = created.json()["id"]
        added = requests.post(
            f"{running.url}/api/v1/knowledge/{ids[key]}/file/add",
            headers=searcher.headers,
            json={"file_id": file_id},
            timeout=60,
        )
        assert added.status_code == 200, added.text
    return ids


def query_doc(running: Running, account: Account, body: dict) -> requests.Response:
    return requests.post(
        f"{running.url}/api/v1/retrieval/query/doc", headers=account.headers, json=body, timeout=60
    )


def test_query_doc_finds_the_sentence_first(
    running: Running, searcher: Account, files: dict[str, str]
) -> None:
    name = f"file-{files['alpaca']}"
    reply = query_doc(running, searcher, {"collection_name": name, "query": "why do alpacas hum?"})
    assert reply.status_code == 200, reply.text
    result = reply.json()
    assert list(result) == ["distances", "documents", "metadatas"]
    [documents], [distances], [metadatas] = result["documents"], result["distances"], result["metadatas"]
    assert ALPACA in documents[0]
    assert len(documents) == len(distances) == len(metadatas) >= 2
    assert distances == sorted(distances, reverse=True)
    assert all(0 <= d <= 1 for d in distances)
    assert metadatas[0]["file_id"] == files["alpaca"]
    assert metadatas[0]["name"] == "alpaca.txt"
    one = query_doc(running, searcher, {"collection_name": name, "query": "alpacas", "k": 1}).json()
    assert len(one["documents"][0]) == 1


def test_query_collection_across_two_collections(
    running: Running, searcher: Account, collections: dict[str, str], files: dict[str, str]
) -> None:
    names = [collections["alpaca"], collections["tram"]]
    tram = query_collection(running.url, searcher, names, "night tram up to the castle in Lisbon", k=3)
    assert tram["documents"][0][0] == TRAM
    assert tram["metadatas"][0][0]["file_id"] == files["tram"]
    assert len(tram["documents"][0]) == 3
    alpaca = query_collection(running.url, searcher, names, "humming alpacas", k=3)
    assert ALPACA in alpaca["documents"][0][0]
    # Both collections answer: the tram sentence is among the alpaca query's hits.
    assert TRAM in query_collection(running.url, searcher, names, "humming alpacas", k=30)["documents"][0]


def test_someone_elses_collections_are_403(
    running: Running, other_user: Account, collections: dict[str, str], files: dict[str, str]
) -> None:
    prohibited = {"detail": messages.ACCESS_PROHIBITED}
    for name in (collections["alpaca"], f"file-{files['alpaca']}", "no-such-collection"):
        reply = query_doc(running, other_user, {"collection_name": name, "query": "alpacas"})
        assert (reply.status_code, reply.json()) == (403, prohibited), name
    mixed = requests.post(
        f"{running.url}/api/v1/retrieval/query/collection",
        headers=other_user.headers,
        json={"collection_names": [collections["tram"]], "query": "tram"},
        timeout=30,
    )
    assert (mixed.status_code, mixed.json()) == (403, prohibited)


def test_admins_search_every_collection(running: Running, collections: dict[str, str]) -> None:
    result = query_collection(running.url, running.admin, [collections["tram"]], "tram to the castle")
    assert result["documents"][0][0] == TRAM


def test_query_bodies_are_validated(running: Running, searcher: Account) -> None:
    reply = query_doc(running, searcher, {"query": "no collection"})
    assert reply.status_code == 422
    assert reply.json()["detail"][0]["loc"] == ["body", "collection_name"]
    reply = requests.post(
        f"{running.url}/api/v1/retrieval/query/collection",
        headers=searcher.headers,
        json={"collection_names": "not-a-list", "query": "q"},
        timeout=10,
    )
    assert reply.status_code == 422
    assert requests.post(f"{running.url}/api/v1/retrieval/query/doc", json={}, timeout=10).status_code == 401
