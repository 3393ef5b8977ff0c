"""KnowledgeSearchService over real gRPC, Postgres and NATS: search, file search, pending files,
export and reindex, with other users' collections kept out."""

import grpc
import orjson
import pytest

from services.common import messages
from tests.integration.accounts import Accounts, Who
from tests.integration.ingest_support import code_of, upload, wait_done
from webui.ingest.v1 import ingest_pb2, ingest_pb2_grpc, knowledge_search_pb2_grpc
from webui.ingest.v1 import knowledge_search_pb2 as pb

pytestmark = pytest.mark.slow


async def create(
    stub: ingest_pb2_grpc.IngestServiceStub, who: Who, name: str, grants=None
) -> ingest_pb2.Knowledge:
    request = ingest_pb2.CreateKnowledgeRequest(
        name=name, description=f"about {name}", access_grants_json=orjson.dumps(grants) if grants else b""
    )
    return (await stub.CreateKnowledge(request, metadata=who.metadata)).knowledge


@pytest.fixture
async def open_search():
    """Opens KnowledgeSearchService stubs on started ingest runtimes; closes their channels."""
    channels = []

    def _open(runtime) -> knowledge_search_pb2_grpc.KnowledgeSearchServiceStub:
        channel = grpc.aio.insecure_channel(f"127.0.0.1:{runtime.port}")
        channels.append(channel)
        return knowledge_search_pb2_grpc.KnowledgeSearchServiceStub(channel)

    try:
        yield _open
    finally:
        for channel in channels:
            await channel.close()


async def test_search_narrows_to_readable_collections_and_pages(
    start_ingest, open_search, accounts: Accounts
) -> None:
    admin, alice, bob = accounts.admin, accounts.alice, accounts.bob
    stub, runtime = await start_ingest()
    search = open_search(runtime)
    mine = await create(stub, alice, "Alpha notes")
    await create(stub, alice, "Beta notes")
    shared = await create(
        stub,
        bob,
        "Shared alpha",
        [{"principal_type": "user", "principal_id": alice.user_id, "permission": "read"}],
    )
    await create(stub, bob, "Bob's private alpha")

    async def names(who: Who, **fields) -> tuple[list[str], int]:
        reply = await search.SearchKnowledge(pb.SearchKnowledgeRequest(**fields), metadata=who.metadata)
        return [k.name for k in reply.items], reply.total

    assert await names(alice, query="ALPHA", order=pb.KNOWLEDGE_ORDER_NAME, ascending=True) == (
        ["Alpha notes", "Shared alpha"],
        2,
    )
    assert await names(alice, query="alpha", view=pb.KNOWLEDGE_VIEW_CREATED) == (["Alpha notes"], 1)
    assert await names(alice, query="alpha", view=pb.KNOWLEDGE_VIEW_SHARED) == (["Shared alpha"], 1)
    assert await names(alice, source=pb.KNOWLEDGE_SOURCE_EXTERNAL) == ([], 0)
    # LIKE's own characters match only themselves.
    assert await names(alice, query="%") == ([], 0)
    # The owner's name matches too (bob shared one collection with alice).
    assert (await names(alice, query="bob"))[0] == ["Shared alpha"]
    assert (await names(admin, query="alpha"))[1] == 3
    assert await names(alice, page=1, page_size=1, order=pb.KNOWLEDGE_ORDER_NAME, ascending=True) == (
        ["Alpha notes"],
        3,
    )
    assert await names(alice, page=9, page_size=1) == ([], 3)

    reply = await search.SearchKnowledge(
        pb.SearchKnowledgeRequest(query="alpha notes"), metadata=alice.metadata
    )
    item = reply.items[0]
    assert item.id == mine.id and item.write_access and item.user.id == alice.user_id and item.file_count == 0
    reply = await search.SearchKnowledge(pb.SearchKnowledgeRequest(query="shared"), metadata=alice.metadata)
    assert reply.items[0].id == shared.id and not reply.items[0].write_access


async def test_files_pending_search_export_and_reindex(start_ingest, open_search, accounts: Accounts) -> None:
    admin, alice, bob = accounts.admin, accounts.alice, accounts.bob
    stub, runtime = await start_ingest()
    search = open_search(runtime)
    kb = await create(stub, alice, "Field notes")

    # Uploaded for the collection: pending (or processing) until processed, then gone from the set.
    stored = await upload(
        stub,
        alice,
        "otters.md",
        b"Otters hold hands while they sleep.",
        metadata=orjson.dumps({"knowledge_id": kb.id}).decode(),
    )
    frames = [
        [f.id for f in frame.files]
        async for frame in search.WatchPendingFiles(
            pb.WatchPendingFilesRequest(knowledge_id=kb.id), metadata=alice.metadata, timeout=120
        )
    ]
    assert frames[-1] == [] and all(ids in ([stored.id], []) for ids in frames)
    await wait_done(stub, alice, stored.id)
    assert (
        list(
            (
                await search.ListPendingFiles(
                    pb.ListPendingFilesRequest(knowledge_id=kb.id), metadata=alice.metadata
                )
            ).files
        )
        == []
    )
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await search.ListPendingFiles(pb.ListPendingFilesRequest(knowledge_id=kb.id), metadata=bob.metadata)
    assert code_of(caught.value) == (grpc.StatusCode.PERMISSION_DENIED, messages.ACCESS_PROHIBITED, "400")
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await search.ListPendingFiles(
            pb.ListPendingFilesRequest(knowledge_id="missing"), metadata=alice.metadata
        )
    assert code_of(caught.value) == (grpc.StatusCode.NOT_FOUND, messages.NOT_FOUND, "404")

    await stub.AddKnowledgeFiles(
        ingest_pb2.AddKnowledgeFilesRequest(knowledge_id=kb.id, file_ids=[stored.id]), metadata=alice.metadata
    )
    found = await search.SearchKnowledgeFiles(
        pb.SearchKnowledgeFilesRequest(query="OTTER"), metadata=alice.metadata
    )
    assert found.total == 1 and found.items[0].file.id == stored.id
    assert found.items[0].collection.id == kb.id and found.items[0].directory_id == ""
    assert found.owners[alice.user_id].id == alice.user_id
    # Placed in a directory two levels down: its id and its path from the root.
    await runtime.pool.execute(
        "INSERT INTO ingest_knowledge_dir (id, knowledge_id, parent_id, name, created_at, updated_at) "
        "VALUES ('d1', $1, NULL, 'docs', 0, 0), ('d2', $1, 'd1', 'api', 0, 0)",
        kb.id,
    )
    await runtime.pool.execute(
        "UPDATE ingest_knowledge_file SET directory_id = 'd2' WHERE knowledge_id = $1", kb.id
    )
    placed = (
        await search.SearchKnowledgeFiles(
            pb.SearchKnowledgeFilesRequest(query="otter"), metadata=alice.metadata
        )
    ).items[0]
    assert (placed.directory_id, placed.directory_path) == ("d2", "docs/api")
    by_text = pb.SearchKnowledgeFilesRequest(query="hold hands", include_content=True)
    assert (await search.SearchKnowledgeFiles(by_text, metadata=alice.metadata)).total == 1
    by_text.include_content = False
    assert (await search.SearchKnowledgeFiles(by_text, metadata=alice.metadata)).total == 0
    assert (
        await search.SearchKnowledgeFiles(pb.SearchKnowledgeFilesRequest(), metadata=bob.metadata)
    ).total == 0

    pieces = [
        p
        async for p in search.ExportKnowledge(
            pb.ExportKnowledgeRequest(knowledge_id=kb.id), metadata=admin.metadata
        )
    ]
    assert pieces[0].head.name == "Field notes"
    assert pieces[1].entry_name == "otters.md.txt"
    assert b"".join(p.text for p in pieces[2:]).decode().startswith("Otters hold hands")
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        async for _ in search.ExportKnowledge(
            pb.ExportKnowledgeRequest(knowledge_id=kb.id), metadata=alice.metadata
        ):
            pass
    assert code_of(caught.value)[2] == "401"

    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await search.ReindexKnowledge(pb.ReindexKnowledgeRequest(), metadata=alice.metadata)
    assert code_of(caught.value) == (grpc.StatusCode.PERMISSION_DENIED, messages.UNAUTHORIZED, "401")
    version = await runtime.pool.fetchval("SELECT version FROM ingest_collection WHERE name = $1", kb.id)
    reply = await search.ReindexKnowledge(pb.ReindexKnowledgeRequest(), metadata=admin.metadata)
    assert reply.collections == 1 and reply.files == 1
    assert (
        await runtime.pool.fetchval("SELECT version FROM ingest_collection WHERE name = $1", kb.id)
        == version + 1
    )
    metadata_reply = await search.ReindexKnowledgeMetadata(
        pb.ReindexKnowledgeMetadataRequest(), metadata=admin.metadata
    )
    assert (metadata_reply.total, metadata_reply.success) == (1, 1)


async def test_pending_watch_follows_uploads_deletes_and_links(
    start_ingest, open_search, accounts: Accounts
) -> None:
    alice = accounts.alice
    # No workers: uploads stay pending until something else changes them.
    stub, runtime = await start_ingest(INGEST_WORKERS=0)
    search = open_search(runtime)
    kb = await create(stub, alice, "Inbox")
    metadata = orjson.dumps({"knowledge_id": kb.id}).decode()
    first = await upload(stub, alice, "one.txt", b"one", metadata=metadata)
    await upload(stub, alice, "elsewhere.txt", b"not for this collection")
    call = search.WatchPendingFiles(
        pb.WatchPendingFilesRequest(knowledge_id=kb.id), metadata=alice.metadata, timeout=60
    )
    frames = call.__aiter__()

    async def next_ids() -> list[str]:
        return [f.filename for f in (await anext(frames)).files]

    assert await next_ids() == ["one.txt"]
    second = await upload(stub, alice, "two.txt", b"two", metadata=metadata)
    assert await next_ids() == ["one.txt", "two.txt"]
    await stub.DeleteFile(ingest_pb2.DeleteFileRequest(file_id=first.id), metadata=alice.metadata)
    assert await next_ids() == ["two.txt"]
    await stub.AddKnowledgeFiles(
        ingest_pb2.AddKnowledgeFilesRequest(knowledge_id=kb.id, file_ids=[second.id]), metadata=alice.metadata
    )
    assert await next_ids() == []
    assert await anext(frames, None) is None
