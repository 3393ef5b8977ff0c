"""Helpers for IngestService integration tests: settings, replicas, uploads, waiting."""

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import grpc

from services.ingest.settings import IngestSettings
from tests.integration.accounts import Who
from webui.ingest.v1 import ingest_pb2, ingest_pb2_grpc

DONE = (ingest_pb2.FILE_STATUS_COMPLETED, ingest_pb2.FILE_STATUS_FAILED)


def ingest_settings(database_url: str, nats_url: str, data_dir: Path, **overrides: object) -> IngestSettings:
    values: dict[str, object] = {
        "DATABASE_URL": database_url,
        "NATS_URL": nats_url,
        "DATA_DIR": str(data_dir),
        "INGEST_GRPC_LISTEN": "127.0.0.1:0",
        "SHUTDOWN_GRACE_S": 1,
        "EMBEDDING_PRELOAD": False,
        "INGEST_ACK_WAIT_S": 5,
        "INGEST_NAK_DELAY_S": 0.2,
    }
    values.update(overrides)
    return IngestSettings(**values)


async def upload(
    stub: ingest_pb2_grpc.IngestServiceStub,
    who: Who,
    filename: str,
    data: bytes,
    *,
    content_type: str = "text/plain",
    process: bool = True,
    wait: bool = False,
    metadata: str | None = None,
    chunk: int = 64 * 1024,
) -> ingest_pb2.File:
    async def requests() -> AsyncIterator[ingest_pb2.UploadFileRequest]:
        header = ingest_pb2.UploadHeader(
            filename=filename,
            content_type=content_type,
            process=process,
            wait_for_processing=wait,
        )
        yield ingest_pb2.UploadFileRequest(header=header)
        for start in range(0, len(data), chunk):
            yield ingest_pb2.UploadFileRequest(chunk=data[start : start + chunk])
        if metadata is not None:
            yield ingest_pb2.UploadFileRequest(metadata_json=metadata)

    reply = await stub.UploadFile(requests(), metadata=who.metadata, timeout=120)
    return reply.file


async def wait_done(
    stub: ingest_pb2_grpc.IngestServiceStub, who: Who, file_id: str, timeout_s: float = 120
) -> ingest_pb2.WatchFileStatusResponse:
    """The final status, from the server-pushed watch stream."""
    last = None
    call = stub.WatchFileStatus(
        ingest_pb2.WatchFileStatusRequest(file_id=file_id), metadata=who.metadata, timeout=timeout_s
    )
    async for update in call:
        last = update
    assert last is not None and last.status in DONE, last
    return last


async def search_texts(
    stub: ingest_pb2_grpc.IngestServiceStub,
    who: Who,
    collections: list[str],
    query: str,
    k: int = 5,
) -> list[str]:
    reply = await stub.Search(
        ingest_pb2.SearchRequest(collection_names=collections, queries=[query], k=k),
        metadata=who.metadata,
        timeout=60,
    )
    return [hit.text for hit in reply.hits]


async def eventually(check, timeout_s: float = 10.0, interval_s: float = 0.1):  # type: ignore[no-untyped-def]
    """Awaits ``check()`` until it returns something truthy."""
    deadline = asyncio.get_running_loop().time() + timeout_s
    while True:
        result = await check()
        if result or asyncio.get_running_loop().time() > deadline:
            return result
        await asyncio.sleep(interval_s)


def code_of(error: grpc.aio.AioRpcError) -> tuple[grpc.StatusCode, str, str | None]:
    pinned = None
    for key, value in error.trailing_metadata() or ():
        if key == "webui-http-status":
            pinned = str(value)
    return error.code(), error.details(), pinned
