"""IngestService over real gRPC, Postgres, NATS JetStream and the real embedding model."""

import asyncpg
import grpc
import orjson
import pytest

from services.common import messages
from tests.integration.ingest_support import (
    ADMIN,
    ALICE,
    BOB,
    code_of,
    eventually,
    search_texts,
    upload,
    wait_done,
)
from webui.ingest.v1 import ingest_pb2

pytestmark = pytest.mark.slow

FILLER = "\n\n".join(
    f"Paragraph {n} talks about the weather, the harvest and the roads of the valley." for n in range(40)
)
ZEBRA = "The secret anchor code is ZEBRA-4711 and it opens the north gate."
OTTER = "Otters in the lower river hold hands while they sleep so they do not drift apart."


async def test_upload_processes_and_searches_the_file(start_ingest, database_url: str) -> None:
    stub, _ = await start_ingest()
    stored = await upload(stub, ALICE, "anchor.txt", f"{FILLER}\n\n{ZEBRA}\n\n{FILLER}".encode())
    assert stored.status == ingest_pb2.FILE_STATUS_PENDING
    assert orjson.loads(stored.data_json) == {"status": "pending"}
    meta = orjson.loads(stored.meta_json)
    assert meta["name"] == "anchor.txt" and meta["content_type"] == "text/plain" and meta["data"] == {}

    final = await wait_done(stub, ALICE, stored.id)
    assert final.status == ingest_pb2.FILE_STATUS_COMPLETED, final.error

    got = (
        await stub.GetFile(ingest_pb2.GetFileRequest(caller=ALICE, file_id=stored.id, include_content=True))
    ).file
    data = orjson.loads(got.data_json)
    assert data["status"] == "completed" and ZEBRA in data["content"] and data["error"] is None
    assert orjson.loads(got.meta_json)["collection_name"] == f"file-{stored.id}"
    assert len(got.hash) == 64

    reply = await stub.Search(
        ingest_pb2.SearchRequest(
            caller=ALICE,
            collection_names=[f"file-{stored.id}"],
            queries=["What is the secret anchor code?"],
            k=3,
        )
    )
    assert ZEBRA in reply.hits[0].text
    assert 0.5 < reply.hits[0].score <= 1.0
    metadata = orjson.loads(reply.hits[0].metadata_json)
    assert metadata["file_id"] == stored.id and metadata["source"] == "anchor.txt"
    assert metadata["embedding_config"]["model"] == "sentence-transformers/all-MiniLM-L6-v2"
    assert isinstance(metadata["start_index"], int)

    # Identical chunk text is embedded once: the filler paragraphs repeat.
    conn = await asyncpg.connect(database_url)
    try:
        chunks = await conn.fetchval("SELECT count(*) FROM ingest_chunk")
        distinct = await conn.fetchval("SELECT count(DISTINCT text_hash) FROM ingest_chunk")
        vectors = await conn.fetchval("SELECT count(*) FROM ingest_embedding")
    finally:
        await conn.close()
    assert vectors == distinct <= chunks


async def test_wait_for_processing_replies_with_the_final_state(start_ingest) -> None:
    stub, _ = await start_ingest()
    stored = await upload(stub, ALICE, "otter.md", f"# Otters\n\n{OTTER}".encode(), wait=True)
    assert stored.status == ingest_pb2.FILE_STATUS_COMPLETED
    assert OTTER in orjson.loads(stored.data_json)["content"]


async def test_bad_input_fails_the_file_at_once_with_a_readable_error(start_ingest) -> None:
    stub, _ = await start_ingest()
    image = await upload(stub, ALICE, "pic.png", b"\x89PNG\r\n\x1a\n" + bytes(200), content_type="image/png")
    empty = await upload(stub, ALICE, "empty.txt", b"   \n ")
    final = await wait_done(stub, ALICE, image.id)
    assert final.status == ingest_pb2.FILE_STATUS_FAILED
    assert final.error == "File type image/png is not supported for processing"
    final = await wait_done(stub, ALICE, empty.id)
    assert final.error == messages.EMPTY_CONTENT


async def test_oversize_upload_is_refused_and_leaves_nothing(start_ingest, database_url: str) -> None:
    stub, _ = await start_ingest(RAG_FILE_MAX_SIZE=1)
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await upload(stub, ALICE, "big.txt", b"x" * (1024 * 1024 + 10))
    code, detail, pinned = code_of(caught.value)
    assert code == grpc.StatusCode.RESOURCE_EXHAUSTED and pinned == "413"
    assert detail == messages.file_too_large(1)
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await upload(stub, ALICE, "meta.txt", b"hello", metadata="{not json")
    assert code_of(caught.value)[:2] == (grpc.StatusCode.INVALID_ARGUMENT, messages.INVALID_METADATA)
    conn = await asyncpg.connect(database_url)
    try:
        assert await conn.fetchval("SELECT count(*) FROM ingest_file") == 0
        assert await conn.fetchval("SELECT count(*) FROM ingest_file_part") == 0
    finally:
        await conn.close()


async def test_file_access_is_owner_or_admin(start_ingest) -> None:
    stub, _ = await start_ingest()
    stored = await upload(stub, ALICE, "mine.txt", b"alice's notes", process=False)
    assert stored.status == ingest_pb2.FILE_STATUS_UNSPECIFIED and orjson.loads(stored.data_json) == {}
    for call in (
        stub.GetFile(ingest_pb2.GetFileRequest(caller=BOB, file_id=stored.id)),
        stub.DeleteFile(ingest_pb2.DeleteFileRequest(caller=BOB, file_id=stored.id)),
    ):
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await call
        assert code_of(caught.value)[:2] == (grpc.StatusCode.NOT_FOUND, messages.NOT_FOUND)
    listed = await stub.ListFiles(ingest_pb2.ListFilesRequest(caller=BOB, page=1, page_size=50))
    assert listed.total == 0
    listed = await stub.ListFiles(ingest_pb2.ListFilesRequest(caller=ADMIN, page=1, page_size=50))
    assert [f.id for f in listed.files] == [stored.id]
    parts = [
        m
        async for m in stub.GetFileContent(ingest_pb2.GetFileContentRequest(caller=ADMIN, file_id=stored.id))
    ]
    assert parts[0].head.filename == "mine.txt" and b"".join(p.chunk for p in parts[1:]) == b"alice's notes"


async def test_collection_reuses_vectors_and_includes_a_pending_file(start_ingest, database_url: str) -> None:
    stub, _ = await start_ingest()
    kb = (
        await stub.CreateKnowledge(
            ingest_pb2.CreateKnowledgeRequest(caller=ALICE, name="kb", description="d")
        )
    ).knowledge
    zebra = await upload(stub, ALICE, "zebra.txt", f"{FILLER}\n\n{ZEBRA}".encode())
    # Added while still pending: accepted, and searchable once processing commits.
    added = await stub.AddKnowledgeFiles(
        ingest_pb2.AddKnowledgeFilesRequest(caller=ALICE, knowledge_id=kb.id, file_ids=[zebra.id])
    )
    assert [f.id for f in added.files] == [zebra.id]
    await wait_done(stub, ALICE, zebra.id)

    async def found() -> bool:
        return any(ZEBRA in t for t in await search_texts(stub, ALICE, [kb.id], "secret anchor code"))

    assert await eventually(found)

    conn = await asyncpg.connect(database_url)
    try:
        before = await conn.fetchval("SELECT count(*) FROM ingest_embedding")
        otter = await upload(stub, ALICE, "otter.txt", OTTER.encode(), wait=True)
        after_otter = await conn.fetchval("SELECT count(*) FROM ingest_embedding")
        for _ in range(2):  # idempotent
            await stub.AddKnowledgeFiles(
                ingest_pb2.AddKnowledgeFilesRequest(caller=ALICE, knowledge_id=kb.id, file_ids=[otter.id])
            )
        assert await conn.fetchval("SELECT count(*) FROM ingest_embedding") == after_otter > before
    finally:
        await conn.close()
    texts = await search_texts(stub, ALICE, [kb.id], "otters sleeping in the river", k=10)
    assert texts.count(OTTER) == 1

    # Someone else's collection: the contract's codes.
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await stub.GetKnowledge(ingest_pb2.GetKnowledgeRequest(caller=BOB, knowledge_id=kb.id))
    assert code_of(caught.value) == (grpc.StatusCode.PERMISSION_DENIED, messages.ACCESS_PROHIBITED, "401")
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await search_texts(stub, BOB, [kb.id], "anything")
    assert code_of(caught.value)[:2] == (grpc.StatusCode.PERMISSION_DENIED, messages.ACCESS_PROHIBITED)

    await stub.RemoveKnowledgeFile(
        ingest_pb2.RemoveKnowledgeFileRequest(caller=ALICE, knowledge_id=kb.id, file_id=otter.id)
    )
    assert OTTER not in await search_texts(stub, ALICE, [kb.id], "otters sleeping in the river", k=10)
    await stub.DeleteFile(ingest_pb2.DeleteFileRequest(caller=ALICE, file_id=zebra.id))
    assert await search_texts(stub, ALICE, [kb.id], "secret anchor code") == []


async def test_unprocessed_and_failed_files_cannot_join_a_collection(start_ingest) -> None:
    stub, _ = await start_ingest()
    kb = (await stub.CreateKnowledge(ingest_pb2.CreateKnowledgeRequest(caller=ALICE, name="kb"))).knowledge
    raw = await upload(stub, ALICE, "raw.txt", b"text", process=False)
    bad = await upload(stub, ALICE, "bad.png", b"\x89PNG", content_type="image/png")
    await wait_done(stub, ALICE, bad.id)
    for file_id, detail in (
        (raw.id, f"400: {messages.EMPTY_CONTENT}"),
        (bad.id, "400: File type image/png is not supported for processing"),
    ):
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await stub.AddKnowledgeFiles(
                ingest_pb2.AddKnowledgeFilesRequest(caller=ALICE, knowledge_id=kb.id, file_ids=[file_id])
            )
        assert code_of(caught.value)[:2] == (grpc.StatusCode.INVALID_ARGUMENT, detail)


async def test_two_replicas_share_collections(start_ingest) -> None:
    """A collection changed through one replica is searched through the other."""
    first, _ = await start_ingest()
    second, second_runtime = await start_ingest(INGEST_WORKERS=0)
    kb = (
        await first.CreateKnowledge(ingest_pb2.CreateKnowledgeRequest(caller=ALICE, name="shared"))
    ).knowledge
    zebra = await upload(first, ALICE, "zebra.txt", ZEBRA.encode(), wait=True)
    await first.AddKnowledgeFiles(
        ingest_pb2.AddKnowledgeFilesRequest(caller=ALICE, knowledge_id=kb.id, file_ids=[zebra.id])
    )
    assert ZEBRA in await search_texts(second, ALICE, [kb.id], "secret anchor code")
    assert kb.id in second_runtime.indexes.held

    # The second replica holds a copy now: later changes reach it as events, not reloads.
    otter = await upload(first, ALICE, "otter.txt", OTTER.encode(), wait=True)
    await first.AddKnowledgeFiles(
        ingest_pb2.AddKnowledgeFilesRequest(caller=ALICE, knowledge_id=kb.id, file_ids=[otter.id])
    )

    async def second_has(count: int) -> bool:
        return second_runtime.indexes.held.get(kb.id) == count

    assert await eventually(lambda: second_has(2))
    assert OTTER in await search_texts(second, ALICE, [kb.id], "otters sleeping")
    await first.RemoveKnowledgeFile(
        ingest_pb2.RemoveKnowledgeFileRequest(caller=ALICE, knowledge_id=kb.id, file_id=otter.id)
    )
    assert OTTER not in await search_texts(second, ALICE, [kb.id], "otters sleeping")
