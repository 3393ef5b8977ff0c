"""IngestService for chat retrieval: hybrid (BM25 + vector) search and whole documents, over real
gRPC, Postgres, NATS JetStream and the real embedding model."""

import grpc
import orjson
import pytest

from services.common import messages
from services.common.collection_names import file_collection
from tests.integration.accounts import Accounts, Who
from tests.integration.ingest_support import code_of, upload, wait_done
from webui.ingest.v1 import ingest_pb2

pytestmark = pytest.mark.slow

# Small chunks: each paragraph below is one chunk.
SMALL_CHUNKS = {"CHUNK_SIZE": 200, "CHUNK_OVERLAP": 0}
TOPICS = ("harbour", "canal", "railway", "market", "reservoir", "airfield", "lighthouse", "foundry")
REPORTS = [
    f"Budget report {n}: the {topic} district budget figures for year {2000 + n} show spending on "
    f"repairs, wages and new equipment, with the {topic} committee approving the annual figures."
    for n, topic in enumerate(TOPICS * 3)
]
# A rare exact word in a paragraph about something else entirely.
RARE = "qorvexal"
NEEDLE = f"Otters in the lower river hold hands while they sleep; the keeper logs them as {RARE}."
QUERY = f"What were the district budget figures {RARE}?"
OTTER = "Otters in the lower river hold hands while they sleep so they do not drift apart."
ZEBRA = "The secret anchor code is ZEBRA-4711 and it opens the north gate."


async def search(stub, who: Who, names: list[str], query: str, k: int, hybrid: bool):  # type: ignore[no-untyped-def]
    reply = await stub.Search(
        ingest_pb2.SearchRequest(collection_names=names, queries=[query], k=k, hybrid=hybrid),
        metadata=who.metadata,
        timeout=60,
    )
    return list(reply.hits)


async def read(stub, who: Who, names: list[str]) -> list[ingest_pb2.Document]:  # type: ignore[no-untyped-def]
    reply = await stub.ReadDocuments(
        ingest_pb2.ReadDocumentsRequest(collection_names=names), metadata=who.metadata, timeout=60
    )
    return list(reply.documents)


async def test_hybrid_search_finds_a_rare_exact_word(start_ingest, accounts: Accounts) -> None:
    alice = accounts.alice
    stub, _ = await start_ingest(**SMALL_CHUNKS)
    text = "\n\n".join([*REPORTS[:12], NEEDLE, *REPORTS[12:]])
    stored = await upload(stub, alice, "reports.txt", text.encode(), wait=True)
    assert stored.status == ingest_pb2.FILE_STATUS_COMPLETED
    name = file_collection(stored.id)

    # The premise: by meaning alone the budget reports win.
    vector = await search(stub, alice, [name], QUERY, k=3, hybrid=False)
    assert len(vector) == 3 and all(NEEDLE not in h.text for h in vector)
    ranked = await search(stub, alice, [name], QUERY, k=30, hybrid=False)
    assert [h.text for h in ranked].index(NEEDLE) >= 3

    hybrid = await search(stub, alice, [name], QUERY, k=3, hybrid=True)
    texts = [h.text for h in hybrid]
    assert NEEDLE in texts and len(texts) == len(set(texts)) == 3
    # Scores are the fused ones: each list adds 0.5 / (rank + 60).
    assert all(0 < h.score <= 1 / 61 + 1e-9 for h in hybrid)
    assert [h.score for h in hybrid] == sorted((h.score for h in hybrid), reverse=True)
    needle = next(h for h in hybrid if h.text == NEEDLE)
    assert needle.score == pytest.approx(0.5 / 61)
    assert needle.collection_name == name
    metadata = orjson.loads(needle.metadata_json)
    assert metadata["file_id"] == stored.id and isinstance(metadata["start_index"], int)

    # The exact word alone; BM25 also takes queries over several collections.
    other = await upload(stub, alice, "otter.txt", OTTER.encode(), wait=True)
    hybrid = await search(stub, alice, [file_collection(other.id), name], RARE, k=2, hybrid=True)
    assert hybrid[0].text == NEEDLE


async def test_hybrid_cache_follows_collection_changes(start_ingest, accounts: Accounts) -> None:
    alice = accounts.alice
    stub, runtime = await start_ingest(**SMALL_CHUNKS)
    kb = (
        await stub.CreateKnowledge(ingest_pb2.CreateKnowledgeRequest(name="kb"), metadata=alice.metadata)
    ).knowledge
    reports = await upload(stub, alice, "reports.txt", "\n\n".join(REPORTS).encode(), wait=True)
    await stub.AddKnowledgeFiles(
        ingest_pb2.AddKnowledgeFilesRequest(knowledge_id=kb.id, file_ids=[reports.id]),
        metadata=alice.metadata,
    )
    # An empty collection searches to nothing, with or without BM25.
    empty = (
        await stub.CreateKnowledge(ingest_pb2.CreateKnowledgeRequest(name="e"), metadata=alice.metadata)
    ).knowledge
    assert await search(stub, alice, [empty.id], "budget", k=3, hybrid=True) == []

    builds = runtime.bm25.builds
    await search(stub, alice, [kb.id], "harbour budget", k=3, hybrid=False)
    assert runtime.bm25.builds == builds  # vector-only search builds nothing
    first = await search(stub, alice, [kb.id], "harbour budget", k=3, hybrid=True)
    assert runtime.bm25.builds == builds + 1 and kb.id in runtime.bm25.held
    again = await search(stub, alice, [kb.id], "harbour budget", k=3, hybrid=True)
    assert runtime.bm25.builds == builds + 1  # unchanged collection: no reload
    assert [(h.text, h.score) for h in again] == [(h.text, h.score) for h in first]
    assert all(RARE not in h.text for h in await search(stub, alice, [kb.id], RARE, k=3, hybrid=True))

    needle = await upload(stub, alice, "needle.txt", NEEDLE.encode(), wait=True)
    await stub.AddKnowledgeFiles(
        ingest_pb2.AddKnowledgeFilesRequest(knowledge_id=kb.id, file_ids=[needle.id]), metadata=alice.metadata
    )
    hits = await search(stub, alice, [kb.id], RARE, k=3, hybrid=True)
    assert hits[0].text == NEEDLE
    assert runtime.bm25.builds == builds + 2

    await stub.RemoveKnowledgeFile(
        ingest_pb2.RemoveKnowledgeFileRequest(knowledge_id=kb.id, file_id=needle.id), metadata=alice.metadata
    )
    hits = await search(stub, alice, [kb.id], RARE, k=3, hybrid=True)
    assert all(h.text != NEEDLE for h in hits)
    assert runtime.bm25.builds == builds + 3

    # A deleted file's collection is gone: refused like any unknown collection, and its model dropped.
    await search(stub, alice, [file_collection(needle.id)], RARE, k=3, hybrid=True)
    assert file_collection(needle.id) in runtime.bm25.held
    await stub.DeleteFile(ingest_pb2.DeleteFileRequest(file_id=needle.id), metadata=alice.metadata)
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await search(stub, alice, [file_collection(needle.id)], RARE, k=3, hybrid=True)
    assert code_of(caught.value)[:2] == (grpc.StatusCode.PERMISSION_DENIED, messages.ACCESS_PROHIBITED)


async def test_read_documents_returns_whole_files(start_ingest, accounts: Accounts) -> None:
    admin, alice = accounts.admin, accounts.alice
    stub, _ = await start_ingest(**SMALL_CHUNKS)
    long_text = "\n\n".join(REPORTS)
    reports = await upload(stub, alice, "reports.txt", long_text.encode(), wait=True)
    otter = await upload(
        stub, alice, "otter.md", f"# Otters\n\n{OTTER}".encode(), content_type="text/markdown", wait=True
    )
    zebra = await upload(stub, alice, "zebra.txt", ZEBRA.encode(), wait=True)
    raw = await upload(stub, alice, "raw.txt", b"never processed", process=False)
    bad = await upload(stub, alice, "bad.png", b"\x89PNG", content_type="image/png")
    await wait_done(stub, alice, bad.id)

    docs = await read(stub, alice, [file_collection(reports.id)])
    assert len(docs) == 1 and docs[0].collection_name == file_collection(reports.id)
    content = orjson.loads(
        (
            await stub.GetFile(
                ingest_pb2.GetFileRequest(file_id=reports.id, include_content=True), metadata=alice.metadata
            )
        ).file.data_json
    )["content"]
    assert docs[0].text == content and all(r in docs[0].text for r in REPORTS)
    metadata = orjson.loads(docs[0].metadata_json)
    assert metadata["file_id"] == reports.id
    assert metadata["name"] == metadata["source"] == "reports.txt"
    assert metadata["content_type"] == "text/plain" and metadata["created_by"] == alice.user_id
    assert metadata["hash"] == reports.hash and len(metadata["hash"]) == 64
    assert metadata["size"] == len(long_text.encode()) and len(metadata["file_hash"]) == 64
    assert metadata["embedding_config"]["model"] == "sentence-transformers/all-MiniLM-L6-v2"
    assert "start_index" not in metadata
    # The same keys as a chunk's, less the per-chunk ones.
    hit = (await search(stub, alice, [file_collection(reports.id)], "budget", k=1, hybrid=False))[0]
    chunk_keys = set(orjson.loads(hit.metadata_json)) - {"start_index"}
    assert chunk_keys <= set(metadata)

    # Unprocessed and failed files have no document.
    assert await read(stub, alice, [file_collection(raw.id), file_collection(bad.id)]) == []

    kb = (
        await stub.CreateKnowledge(ingest_pb2.CreateKnowledgeRequest(name="kb"), metadata=alice.metadata)
    ).knowledge
    await stub.AddKnowledgeFiles(
        ingest_pb2.AddKnowledgeFilesRequest(knowledge_id=kb.id, file_ids=[zebra.id]), metadata=alice.metadata
    )
    added = await stub.AddKnowledgeFiles(
        ingest_pb2.AddKnowledgeFilesRequest(knowledge_id=kb.id, file_ids=[otter.id, reports.id], batch=True),
        metadata=alice.metadata,
    )
    order = [f.id for f in added.files]
    assert set(order) == {zebra.id, otter.id, reports.id}
    docs = await read(stub, alice, [kb.id])
    assert [orjson.loads(d.metadata_json)["file_id"] for d in docs] == order
    assert {d.collection_name for d in docs} == {kb.id}
    by_id = {orjson.loads(d.metadata_json)["file_id"]: d.text for d in docs}
    assert by_id[zebra.id] == ZEBRA and OTTER in by_id[otter.id] and by_id[reports.id] == content

    # Several names: in their order, duplicates once.
    docs = await read(stub, admin, [file_collection(zebra.id), kb.id, file_collection(zebra.id)])
    assert [d.collection_name for d in docs] == [file_collection(zebra.id), kb.id, kb.id, kb.id]


async def test_read_documents_access(start_ingest, accounts: Accounts) -> None:
    alice, bob = accounts.alice, accounts.bob
    stub, _ = await start_ingest()
    zebra = await upload(stub, alice, "zebra.txt", ZEBRA.encode(), wait=True)
    kb = (
        await stub.CreateKnowledge(ingest_pb2.CreateKnowledgeRequest(name="kb"), metadata=alice.metadata)
    ).knowledge
    await stub.AddKnowledgeFiles(
        ingest_pb2.AddKnowledgeFilesRequest(knowledge_id=kb.id, file_ids=[zebra.id]), metadata=alice.metadata
    )
    refused = (
        [file_collection(zebra.id)],
        [kb.id],
        ["no-such-knowledge"],
        ["file-no-such-file"],
    )
    for names in refused:
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await read(stub, bob, names)
        assert code_of(caught.value)[:2] == (grpc.StatusCode.PERMISSION_DENIED, messages.ACCESS_PROHIBITED)
    # One unreadable name refuses the whole request.
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await read(stub, alice, [kb.id, "no-such-knowledge"])
    assert code_of(caught.value)[:2] == (grpc.StatusCode.PERMISSION_DENIED, messages.ACCESS_PROHIBITED)
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await read(stub, alice, [])
    assert code_of(caught.value)[0] == grpc.StatusCode.INVALID_ARGUMENT

    # A read grant opens the collection and, through it, its file.
    grants = [{"principal_type": "user", "principal_id": bob.user_id, "permission": "read"}]
    await stub.UpdateKnowledge(
        ingest_pb2.UpdateKnowledgeRequest(
            knowledge_id=kb.id, name="kb", access_grants_json=orjson.dumps(grants)
        ),
        metadata=alice.metadata,
    )
    assert [d.text for d in await read(stub, bob, [kb.id, file_collection(zebra.id)])] == [ZEBRA, ZEBRA]
