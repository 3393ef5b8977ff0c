"""IngestService over real gRPC, Postgres, NATS JetStream and the real embedding model."""

import asyncio

import asyncpg
import grpc
import orjson
import pytest

from services.common import messages
from services.common.collection_names import file_collection
from tests.integration.accounts import PASSWORD, Accounts, AuthServer, Who
from tests.integration.ingest_support import (
    code_of,
    eventually,
    search_texts,
    upload,
    wait_done,
)
from webui.auth.v1 import auth_pb2
from webui.ingest.v1 import ingest_pb2

pytestmark = pytest.mark.slow

FILLER = "\n\n".join(
    f"Paragraph {n} talks about the weather, the harvest and the roads of the valley." for n in range(40)
)
ZEBRA = "The secret anchor code is ZEBRA-4711 and it opens the north gate."
OTTER = "Otters in the lower river hold hands while they sleep so they do not drift apart."
# A call with no credential at all.
NOBODY = Who(user_id="", token="")
# How long ingest may reuse a verified credential in the revocation test: short, to keep it fast.
CACHE_TTL_S = 0.5


async def test_upload_processes_and_searches_the_file(
    start_ingest, database_url: str, accounts: Accounts
) -> None:
    alice = accounts.alice
    stub, _ = await start_ingest()
    stored = await upload(stub, alice, "anchor.txt", f"{FILLER}\n\n{ZEBRA}\n\n{FILLER}".encode())
    assert stored.status == ingest_pb2.FILE_STATUS_PENDING
    assert orjson.loads(stored.data_json) == {"status": "pending"}
    meta = orjson.loads(stored.meta_json)
    assert meta["name"] == "anchor.txt" and meta["content_type"] == "text/plain" and meta["data"] == {}

    final = await wait_done(stub, alice, stored.id)
    assert final.status == ingest_pb2.FILE_STATUS_COMPLETED, final.error

    got = (
        await stub.GetFile(
            ingest_pb2.GetFileRequest(file_id=stored.id, include_content=True), metadata=alice.metadata
        )
    ).file
    data = orjson.loads(got.data_json)
    assert data["status"] == "completed" and ZEBRA in data["content"] and data["error"] is None
    assert orjson.loads(got.meta_json)["collection_name"] == f"file-{stored.id}"
    assert len(got.hash) == 64

    reply = await stub.Search(
        ingest_pb2.SearchRequest(
            collection_names=[file_collection(stored.id)],
            queries=["What is the secret anchor code?"],
            k=3,
        ),
        metadata=alice.metadata,
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


async def test_wait_for_processing_replies_with_the_final_state(start_ingest, accounts: Accounts) -> None:
    alice = accounts.alice
    stub, _ = await start_ingest()
    stored = await upload(stub, alice, "otter.md", f"# Otters\n\n{OTTER}".encode(), wait=True)
    assert stored.status == ingest_pb2.FILE_STATUS_COMPLETED
    assert OTTER in orjson.loads(stored.data_json)["content"]


async def test_bad_input_fails_the_file_at_once_with_a_readable_error(
    start_ingest, accounts: Accounts
) -> None:
    alice = accounts.alice
    stub, _ = await start_ingest()
    image = await upload(stub, alice, "pic.png", b"\x89PNG\r\n\x1a\n" + bytes(200), content_type="image/png")
    empty = await upload(stub, alice, "empty.txt", b"   \n ")
    final = await wait_done(stub, alice, image.id)
    assert final.status == ingest_pb2.FILE_STATUS_FAILED
    assert final.error == "File type image/png is not supported for processing"
    final = await wait_done(stub, alice, empty.id)
    assert final.error == messages.EMPTY_CONTENT


async def test_oversize_upload_is_refused_and_leaves_nothing(
    start_ingest, database_url: str, accounts: Accounts
) -> None:
    alice = accounts.alice
    stub, _ = await start_ingest(RAG_FILE_MAX_SIZE=1)
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await upload(stub, alice, "big.txt", b"x" * (1024 * 1024 + 10))
    code, detail, pinned = code_of(caught.value)
    assert code == grpc.StatusCode.RESOURCE_EXHAUSTED and pinned == "413"
    assert detail == messages.file_too_large(1)
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await upload(stub, alice, "meta.txt", b"hello", metadata="{not json")
    assert code_of(caught.value)[:2] == (grpc.StatusCode.INVALID_ARGUMENT, messages.INVALID_METADATA)
    conn = await asyncpg.connect(database_url)
    try:
        assert await conn.fetchval("SELECT count(*) FROM ingest_file") == 0
        assert await conn.fetchval("SELECT count(*) FROM ingest_file_part") == 0
    finally:
        await conn.close()


async def test_file_access_is_owner_or_admin(start_ingest, accounts: Accounts) -> None:
    admin, alice, bob = accounts.admin, accounts.alice, accounts.bob
    stub, _ = await start_ingest()
    stored = await upload(stub, alice, "mine.txt", b"alice's notes", process=False)
    assert stored.status == ingest_pb2.FILE_STATUS_UNSPECIFIED and orjson.loads(stored.data_json) == {}
    for call in (
        stub.GetFile(ingest_pb2.GetFileRequest(file_id=stored.id), metadata=bob.metadata),
        stub.DeleteFile(ingest_pb2.DeleteFileRequest(file_id=stored.id), metadata=bob.metadata),
    ):
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await call
        assert code_of(caught.value)[:2] == (grpc.StatusCode.NOT_FOUND, messages.NOT_FOUND)
    listed = await stub.ListFiles(ingest_pb2.ListFilesRequest(page=1, page_size=50), metadata=bob.metadata)
    assert listed.total == 0
    listed = await stub.ListFiles(ingest_pb2.ListFilesRequest(page=1, page_size=50), metadata=admin.metadata)
    assert [f.id for f in listed.files] == [stored.id]
    parts = [
        m
        async for m in stub.GetFileContent(
            ingest_pb2.GetFileContentRequest(file_id=stored.id), metadata=admin.metadata
        )
    ]
    assert parts[0].head.filename == "mine.txt" and b"".join(p.chunk for p in parts[1:]) == b"alice's notes"


async def test_collection_reuses_vectors_and_includes_a_pending_file(
    start_ingest, database_url: str, accounts: Accounts
) -> None:
    alice, bob = accounts.alice, accounts.bob
    stub, _ = await start_ingest()
    kb = (
        await stub.CreateKnowledge(
            ingest_pb2.CreateKnowledgeRequest(name="kb", description="d"), metadata=alice.metadata
        )
    ).knowledge
    zebra = await upload(stub, alice, "zebra.txt", f"{FILLER}\n\n{ZEBRA}".encode())
    # Added while still pending: accepted, and searchable once processing commits.
    added = await stub.AddKnowledgeFiles(
        ingest_pb2.AddKnowledgeFilesRequest(knowledge_id=kb.id, file_ids=[zebra.id]), metadata=alice.metadata
    )
    assert [f.id for f in added.files] == [zebra.id]
    await wait_done(stub, alice, zebra.id)

    async def found() -> bool:
        return any(ZEBRA in t for t in await search_texts(stub, alice, [kb.id], "secret anchor code"))

    assert await eventually(found)

    conn = await asyncpg.connect(database_url)
    try:
        before = await conn.fetchval("SELECT count(*) FROM ingest_embedding")
        otter = await upload(stub, alice, "otter.txt", OTTER.encode(), wait=True)
        after_otter = await conn.fetchval("SELECT count(*) FROM ingest_embedding")
        for _ in range(2):  # idempotent
            await stub.AddKnowledgeFiles(
                ingest_pb2.AddKnowledgeFilesRequest(knowledge_id=kb.id, file_ids=[otter.id]),
                metadata=alice.metadata,
            )
        assert await conn.fetchval("SELECT count(*) FROM ingest_embedding") == after_otter > before
    finally:
        await conn.close()
    texts = await search_texts(stub, alice, [kb.id], "otters sleeping in the river", k=10)
    assert texts.count(OTTER) == 1

    # Someone else's collection: Open WebUI's text, and the HTTP status its route answers (401 to read).
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await stub.GetKnowledge(ingest_pb2.GetKnowledgeRequest(knowledge_id=kb.id), metadata=bob.metadata)
    assert code_of(caught.value) == (grpc.StatusCode.PERMISSION_DENIED, messages.ACCESS_PROHIBITED, "401")
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await search_texts(stub, bob, [kb.id], "anything")
    assert code_of(caught.value)[:2] == (grpc.StatusCode.PERMISSION_DENIED, messages.ACCESS_PROHIBITED)

    await stub.RemoveKnowledgeFile(
        ingest_pb2.RemoveKnowledgeFileRequest(knowledge_id=kb.id, file_id=otter.id), metadata=alice.metadata
    )
    assert OTTER not in await search_texts(stub, alice, [kb.id], "otters sleeping in the river", k=10)
    await stub.DeleteFile(ingest_pb2.DeleteFileRequest(file_id=zebra.id), metadata=alice.metadata)
    assert await search_texts(stub, alice, [kb.id], "secret anchor code") == []


async def test_unprocessed_and_failed_files_cannot_join_a_collection(
    start_ingest, accounts: Accounts
) -> None:
    alice = accounts.alice
    stub, _ = await start_ingest()
    kb = (
        await stub.CreateKnowledge(ingest_pb2.CreateKnowledgeRequest(name="kb"), metadata=alice.metadata)
    ).knowledge
    raw = await upload(stub, alice, "raw.txt", b"text", process=False)
    bad = await upload(stub, alice, "bad.png", b"\x89PNG", content_type="image/png")
    await wait_done(stub, alice, bad.id)
    for file_id, detail in (
        (raw.id, f"400: {messages.EMPTY_CONTENT}"),
        (bad.id, "400: File type image/png is not supported for processing"),
    ):
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await stub.AddKnowledgeFiles(
                ingest_pb2.AddKnowledgeFilesRequest(knowledge_id=kb.id, file_ids=[file_id]),
                metadata=alice.metadata,
            )
        assert code_of(caught.value)[:2] == (grpc.StatusCode.INVALID_ARGUMENT, detail)


async def test_two_replicas_share_collections(start_ingest, accounts: Accounts) -> None:
    """A collection changed through one replica is searched through the other."""
    alice = accounts.alice
    first, _ = await start_ingest()
    second, second_runtime = await start_ingest(INGEST_WORKERS=0)
    kb = (
        await first.CreateKnowledge(ingest_pb2.CreateKnowledgeRequest(name="shared"), metadata=alice.metadata)
    ).knowledge
    zebra = await upload(first, alice, "zebra.txt", ZEBRA.encode(), wait=True)
    await first.AddKnowledgeFiles(
        ingest_pb2.AddKnowledgeFilesRequest(knowledge_id=kb.id, file_ids=[zebra.id]), metadata=alice.metadata
    )
    assert ZEBRA in await search_texts(second, alice, [kb.id], "secret anchor code")
    assert kb.id in second_runtime.indexes.held

    # The second replica holds a copy now: later changes reach it as events, not reloads.
    otter = await upload(first, alice, "otter.txt", OTTER.encode(), wait=True)
    await first.AddKnowledgeFiles(
        ingest_pb2.AddKnowledgeFilesRequest(knowledge_id=kb.id, file_ids=[otter.id]), metadata=alice.metadata
    )

    async def second_has(count: int) -> bool:
        return second_runtime.indexes.held.get(kb.id) == count

    assert await eventually(lambda: second_has(2))
    assert OTTER in await search_texts(second, alice, [kb.id], "otters sleeping")
    await first.RemoveKnowledgeFile(
        ingest_pb2.RemoveKnowledgeFileRequest(knowledge_id=kb.id, file_id=otter.id), metadata=alice.metadata
    )
    assert OTTER not in await search_texts(second, alice, [kb.id], "otters sleeping")


async def test_calls_need_a_verified_users_credential(start_ingest, accounts: Accounts) -> None:
    stub, _ = await start_ingest()
    listing = ingest_pb2.ListFilesRequest(page=1, page_size=50)
    refusals = (
        (NOBODY, grpc.StatusCode.UNAUTHENTICATED, messages.NOT_AUTHENTICATED),
        # The auth service's own answer for a token it cannot read, passed on as it is.
        (Who("", "not-a-token"), grpc.StatusCode.UNAUTHENTICATED, messages.UNAUTHORIZED),
        (accounts.pending, grpc.StatusCode.PERMISSION_DENIED, messages.ACCESS_PROHIBITED),
    )
    for who, code, detail in refusals:
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await stub.ListFiles(listing, metadata=who.metadata)
        assert code_of(caught.value)[:2] == (code, detail)
        # A client stream is refused the same way, and stores nothing.
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await upload(stub, who, "sneaky.txt", b"should not be stored")
        assert code_of(caught.value)[:2] == (code, detail)
    listed = await stub.ListFiles(listing, metadata=accounts.admin.metadata)
    assert listed.total == 0


async def test_a_revoked_credential_is_refused_once_the_cache_expires(
    start_ingest, auth_server: AuthServer, accounts: Accounts
) -> None:
    alice, bob = accounts.alice, accounts.bob
    stub, _ = await start_ingest(AUTH_CACHE_TTL_S=CACHE_TTL_S)
    key = (await auth_server.stub.CreateApiKey(auth_pb2.CreateApiKeyRequest(), metadata=bob.metadata)).api_key
    bobs_key = Who(bob.user_id, key)
    listing = ingest_pb2.ListFilesRequest(page=1, page_size=50)
    # Accepted, and so held in ingest's credential cache.
    for who in (alice, bobs_key):
        await stub.ListFiles(listing, metadata=who.metadata)

    # A password change ends every session of the user; deleting a key ends the key.
    await auth_server.stub.ChangePassword(
        auth_pb2.ChangePasswordRequest(password=PASSWORD, new_password="another horse"),
        metadata=alice.metadata,
    )
    await auth_server.stub.DeleteApiKey(auth_pb2.DeleteApiKeyRequest(), metadata=bob.metadata)
    await asyncio.sleep(CACHE_TTL_S + 0.5)
    for who in (alice, bobs_key):
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await stub.ListFiles(listing, metadata=who.metadata)
        assert caught.value.code() == grpc.StatusCode.UNAUTHENTICATED
    # Bob's session is not what was revoked.
    await stub.ListFiles(listing, metadata=bob.metadata)
