"""RetrievalProcessingService over real gRPC, Postgres, NATS and the embedding model: a text
collection written on one replica is searched on another (loaded before and after the change), the
owner rule, and a page fetched from a loopback site the settings allow."""

import grpc
import pytest

from tests.fakes.web_server import PAGE_TEXT, FakeWebServer
from tests.integration.accounts import Accounts
from tests.integration.ingest_support import code_of, eventually, search_texts
from webui.ingest.v1 import retrieval_processing_pb2 as pb
from webui.ingest.v1 import retrieval_processing_pb2_grpc as pb_grpc

pytestmark = pytest.mark.slow

FIRST = "Puffins nest in burrows on the cliffs of Skomer island every spring."
SECOND = "Gannets dive into the sea from thirty metres to catch mackerel."


def processing_stub(runtime) -> tuple[pb_grpc.RetrievalProcessingServiceStub, grpc.aio.Channel]:  # type: ignore[no-untyped-def]
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{runtime.port}")
    return pb_grpc.RetrievalProcessingServiceStub(channel), channel


async def test_text_collection_across_replicas_and_owner_rule(
    start_ingest, accounts: Accounts, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WEB_FETCH_LOCAL_ALLOW_LIST", "127.0.0.2")
    alice, bob = accounts.alice, accounts.bob
    _, runtime_a = await start_ingest()
    stub_b, _ = await start_ingest()
    processing, channel = processing_stub(runtime_a)
    try:
        request = pb.ProcessTextRequest(name="birds", content=FIRST, collection_name="seabirds")
        reply = await processing.ProcessText(request, metadata=alice.metadata, timeout=120)
        assert reply.collection_name == "seabirds"
        # Replica B loads the collection now, then must see the next text through the change event.
        assert await search_texts(stub_b, alice, ["seabirds"], "puffins") == [FIRST]
        second = pb.ProcessTextRequest(name="birds", content=SECOND, collection_name="seabirds")
        await processing.ProcessText(second, metadata=alice.metadata, timeout=120)

        async def both() -> bool:
            found = await search_texts(stub_b, alice, ["seabirds"], "gannets mackerel")
            return sorted(found) == sorted([FIRST, SECOND])

        assert await eventually(both)

        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await search_texts(stub_b, bob, ["seabirds"], "puffins")
        assert code_of(refused.value)[0] == grpc.StatusCode.PERMISSION_DENIED
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            intruder = pb.ProcessTextRequest(name="x", content="Gulls.", collection_name="seabirds")
            await processing.ProcessText(intruder, metadata=bob.metadata, timeout=120)
        assert code_of(refused.value)[0] == grpc.StatusCode.PERMISSION_DENIED

        with FakeWebServer() as site:
            url = f"{site.url}/page.html"
            page = await processing.ProcessWeb(
                pb.ProcessWebRequest(url=url), metadata=alice.metadata, timeout=120
            )
            assert PAGE_TEXT in page.content
            assert await search_texts(stub_b, alice, [page.collection_name], "zebrafish", k=1) == [
                page.content
            ]
            with pytest.raises(grpc.aio.AioRpcError) as refused:
                loopback = pb.ProcessWebRequest(url=f"http://127.0.0.1:{site.port}/page.html")
                await processing.ProcessWeb(loopback, metadata=alice.metadata, timeout=120)
            code, detail, _ = code_of(refused.value)
            assert code == grpc.StatusCode.INVALID_ARGUMENT
            assert "loopback" in detail
    finally:
        await channel.close()
