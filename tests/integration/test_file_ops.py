"""FileOpsService over real gRPC, Postgres, NATS and the real embedding model: text replacement that
embeds only new chunks and is seen at once by another replica, processing modes, search, rename
and deleting every file."""

import asyncpg
import grpc
import orjson
import pytest

from services.common import messages
from services.common.collection_names import file_collection
from tests.integration.accounts import Accounts, Who
from tests.integration.ingest_support import code_of, search_texts, upload, wait_done
from webui.ingest.v1 import file_ops_pb2, file_ops_pb2_grpc, ingest_pb2

pytestmark = pytest.mark.slow

# Small chunks: each paragraph below is one chunk.
SMALL_CHUNKS = {"CHUNK_SIZE": 200, "CHUNK_OVERLAP": 0}
TOPICS = ("harbour", "canal", "railway", "market", "reservoir", "airfield", "lighthouse", "foundry")
PARAGRAPHS = [
    f"Report {n}: the {topic} district figures for year {2000 + n} show spending on repairs, wages "
    f"and new equipment for the whole {topic} area."
    for n, topic in enumerate(TOPICS * 3)
]
ZEBRA = "The secret anchor code is ZEBRA-4711 and it opens the north gate."
OTTER = "Otters in the lower river hold hands while they sleep so they do not drift apart."


def ops_stub(runtime) -> tuple[file_ops_pb2_grpc.FileOpsServiceStub, grpc.aio.Channel]:  # type: ignore[no-untyped-def]
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{runtime.port}")
    return file_ops_pb2_grpc.FileOpsServiceStub(channel), channel


async def _knowledge_with(stub, who: Who, file_id: str) -> str:  # type: ignore[no-untyped-def]
    kb = (
        await stub.CreateKnowledge(
            ingest_pb2.CreateKnowledgeRequest(name="kb", description="d"), metadata=who.metadata
        )
    ).knowledge
    await stub.AddKnowledgeFiles(
        ingest_pb2.AddKnowledgeFilesRequest(knowledge_id=kb.id, file_ids=[file_id]), metadata=who.metadata
    )
    return kb.id


async def test_content_update_embeds_only_new_chunks_and_every_replica_sees_it(
    start_ingest, database_url: str, accounts: Accounts
) -> None:
    alice, bob = accounts.alice, accounts.bob
    stub_a, runtime_a = await start_ingest(**SMALL_CHUNKS)
    stub_b, _ = await start_ingest(**SMALL_CHUNKS)
    ops, channel = ops_stub(runtime_a)
    try:
        text = "\n\n".join([*PARAGRAPHS[:12], ZEBRA, *PARAGRAPHS[12:]])
        stored = await upload(stub_a, alice, "report.txt", text.encode())
        assert (await wait_done(stub_a, alice, stored.id)).status == ingest_pb2.FILE_STATUS_COMPLETED
        kb_id = await _knowledge_with(stub_a, alice, stored.id)
        own = file_collection(stored.id)
        # Replica B holds both collections before the change.
        assert ZEBRA in (await search_texts(stub_b, alice, [kb_id], "secret anchor code", k=1))[0]
        assert ZEBRA in (await search_texts(stub_b, alice, [own], "secret anchor code", k=1))[0]

        conn = await asyncpg.connect(database_url)
        try:
            hashes = "SELECT text_hash FROM ingest_chunk WHERE file_id = $1"
            before = {r["text_hash"] for r in await conn.fetch(hashes, stored.id)}
            vectors_before = await conn.fetchval("SELECT count(*) FROM ingest_embedding")
            new_text = text.replace(ZEBRA, OTTER)
            reply = await ops.UpdateFileContent(
                file_ops_pb2.UpdateFileContentRequest(file_id=stored.id, content=new_text),
                metadata=alice.metadata,
                timeout=60,
            )
            assert reply.content == new_text
            after = {r["text_hash"] for r in await conn.fetch(hashes, stored.id)}
            chunks_after = await conn.fetchval(
                "SELECT count(*) FROM ingest_chunk WHERE file_id = $1", stored.id
            )
            # One paragraph changed: only the chunk texts it touched were embedded.
            assert 1 <= len(after - before) <= 2 and len(after & before) >= len(PARAGRAPHS) - 2
            vectors_after = await conn.fetchval("SELECT count(*) FROM ingest_embedding")
            assert vectors_after == vectors_before + len(after - before)
        finally:
            await conn.close()

        # Right after the call, the other replica searches the new text in both collections.
        for name in (kb_id, own):
            hits = await search_texts(stub_b, alice, [name], "otters sleeping in the river", k=3)
            assert OTTER in hits[0]
            assert not any(ZEBRA in hit for hit in hits)
            assert len(await search_texts(stub_b, alice, [name], "figures", k=100)) == chunks_after
        got = (
            await stub_b.GetFile(
                ingest_pb2.GetFileRequest(file_id=stored.id, include_content=True), metadata=alice.metadata
            )
        ).file
        assert orjson.loads(got.data_json)["content"] == new_text

        # Blank text, someone else's file, too much text.
        with pytest.raises(grpc.aio.AioRpcError) as blank:
            await ops.UpdateFileContent(
                file_ops_pb2.UpdateFileContentRequest(file_id=stored.id, content=" \n "),
                metadata=alice.metadata,
            )
        assert code_of(blank.value)[:2] == (grpc.StatusCode.INVALID_ARGUMENT, messages.EMPTY_CONTENT)
        with pytest.raises(grpc.aio.AioRpcError) as other:
            await ops.UpdateFileContent(
                file_ops_pb2.UpdateFileContentRequest(file_id=stored.id, content="mine now"),
                metadata=bob.metadata,
            )
        assert code_of(other.value)[:2] == (grpc.StatusCode.NOT_FOUND, messages.NOT_FOUND)
    finally:
        await channel.close()


async def test_process_file_modes_search_rename_and_limits(start_ingest, accounts: Accounts) -> None:
    alice, bob = accounts.alice, accounts.bob
    stub, runtime = await start_ingest(RAG_FILE_MAX_SIZE=1, **SMALL_CHUNKS)
    ops, channel = ops_stub(runtime)
    try:
        # Uploaded without processing, then extracted synchronously into file-<id>.
        raw = await upload(
            stub, alice, "Notes-One.TXT", f"{ZEBRA}\n\n{PARAGRAPHS[0]}".encode(), process=False
        )
        done = await ops.ProcessFile(file_ops_pb2.ProcessFileRequest(file_id=raw.id), metadata=alice.metadata)
        assert done.collection_name == file_collection(raw.id) and ZEBRA in done.content
        assert ZEBRA in (await search_texts(stub, alice, [done.collection_name], "anchor code", k=1))[0]

        # Into a knowledge base: linked; into any other name: refused.
        kb = (
            await stub.CreateKnowledge(
                ingest_pb2.CreateKnowledgeRequest(name="kb", description="d"), metadata=alice.metadata
            )
        ).knowledge
        linked = await ops.ProcessFile(
            file_ops_pb2.ProcessFileRequest(file_id=raw.id, collection_name=kb.id), metadata=alice.metadata
        )
        assert linked.collection_name == kb.id
        assert ZEBRA in (await search_texts(stub, alice, [kb.id], "anchor code", k=1))[0]
        # Any other name: the file's text joins that free-standing text collection.
        free = await ops.ProcessFile(
            file_ops_pb2.ProcessFileRequest(file_id=raw.id, collection_name="free-name"),
            metadata=alice.metadata,
        )
        assert free.collection_name == "free-name"
        assert ZEBRA in (await search_texts(stub, alice, ["free-name"], "anchor code", k=1))[0]
        with pytest.raises(grpc.aio.AioRpcError) as elsewhere:
            await ops.ProcessFile(
                file_ops_pb2.ProcessFileRequest(file_id=raw.id, collection_name="file-someone-else"),
                metadata=alice.metadata,
            )
        assert elsewhere.value.code() == grpc.StatusCode.INVALID_ARGUMENT

        # With content: replaced.
        replaced = await ops.ProcessFile(
            file_ops_pb2.ProcessFileRequest(file_id=raw.id, content=OTTER, has_content=True),
            metadata=alice.metadata,
        )
        assert replaced.content == OTTER
        assert OTTER in (await search_texts(stub, alice, [kb.id], "otters", k=1))[0]

        # Over RAG_FILE_MAX_SIZE (1 MB): 413.
        with pytest.raises(grpc.aio.AioRpcError) as big:
            await ops.UpdateFileContent(
                file_ops_pb2.UpdateFileContentRequest(file_id=raw.id, content="x" * (1024 * 1024 + 1)),
                metadata=alice.metadata,
            )
        assert code_of(big.value)[2] == "413"

        # An unprocessable upload: failed, 400 with the reason.
        bad = await upload(
            stub, alice, "blob.bin", b"\x00\x01\x02", content_type="application/x-thing", process=False
        )
        with pytest.raises(grpc.aio.AioRpcError) as failed:
            await ops.ProcessFile(file_ops_pb2.ProcessFileRequest(file_id=bad.id), metadata=alice.metadata)
        assert failed.value.code() == grpc.StatusCode.INVALID_ARGUMENT

        # Search: glob, case-insensitive, LIKE's own characters literal; own files only.
        found = await ops.SearchFiles(
            file_ops_pb2.SearchFilesRequest(pattern="notes-*.txt", limit=10), metadata=alice.metadata
        )
        assert [f.id for f in found.files] == [raw.id]
        for pattern in ("notes%", "notes_one.txt", "n?tes-one.txt*x"):
            none = await ops.SearchFiles(
                file_ops_pb2.SearchFilesRequest(pattern=pattern, limit=10), metadata=alice.metadata
            )
            assert list(none.files) == [], pattern
        assert (
            await ops.SearchFiles(
                file_ops_pb2.SearchFilesRequest(pattern="*", limit=10), metadata=bob.metadata
            )
        ).files == []
        count = await ops.CountFiles(file_ops_pb2.CountFilesRequest(), metadata=alice.metadata)
        assert count.count == 2

        renamed = await ops.RenameFile(
            file_ops_pb2.RenameFileRequest(file_id=raw.id, filename="renamed.md"), metadata=alice.metadata
        )
        assert renamed.file.filename == "renamed.md"
        assert orjson.loads(renamed.file.meta_json)["name"] == "renamed.md"
        with pytest.raises(grpc.aio.AioRpcError) as not_yours:
            await ops.RenameFile(
                file_ops_pb2.RenameFileRequest(file_id=raw.id, filename="x"), metadata=bob.metadata
            )
        assert not_yours.value.code() == grpc.StatusCode.NOT_FOUND
    finally:
        await channel.close()


async def test_delete_all_files_empties_every_replica(start_ingest, accounts: Accounts) -> None:
    alice, admin = accounts.alice, accounts.admin
    stub_a, runtime_a = await start_ingest(**SMALL_CHUNKS)
    stub_b, _ = await start_ingest(**SMALL_CHUNKS)
    ops, channel = ops_stub(runtime_a)
    try:
        stored = await upload(stub_a, alice, "zebra.txt", ZEBRA.encode(), wait=True)
        kb_id = await _knowledge_with(stub_a, alice, stored.id)
        assert await search_texts(stub_b, alice, [kb_id], "anchor code", k=1)

        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await ops.DeleteAllFiles(file_ops_pb2.DeleteAllFilesRequest(), metadata=alice.metadata)
        assert code_of(refused.value) == (
            grpc.StatusCode.PERMISSION_DENIED,
            messages.ACCESS_PROHIBITED,
            "401",
        )
        deleted = await ops.DeleteAllFiles(file_ops_pb2.DeleteAllFilesRequest(), metadata=admin.metadata)
        assert deleted.deleted == 1
        assert await search_texts(stub_b, alice, [kb_id], "anchor code", k=1) == []
        kb = (
            await stub_b.GetKnowledge(
                ingest_pb2.GetKnowledgeRequest(knowledge_id=kb_id), metadata=alice.metadata
            )
        ).knowledge
        assert kb.file_count == 0
        assert (await ops.CountFiles(file_ops_pb2.CountFilesRequest(), metadata=admin.metadata)).count == 0
    finally:
        await channel.close()
