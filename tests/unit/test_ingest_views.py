"""The gateway's side of IngestService without a network: JSON shapes built from the protos, and
the file, knowledge and retrieval handlers driven with mocked requests and fake gRPC calls."""

import asyncio
import json
from collections.abc import AsyncIterator
from unittest import mock

import grpc
import pytest
from aiohttp import streams, web
from aiohttp.test_utils import make_mocked_request

from services.common import messages
from services.common.request_context import outgoing_metadata
from services.gateway.auth_guard import Principal
from services.gateway.http_errors import ApiError
from services.gateway.ingest_views import (
    file_json,
    file_list_json,
    file_metadata_json,
    file_status_json,
    knowledge_created_json,
    knowledge_detail_json,
    knowledge_file_page_json,
    knowledge_files_json,
    knowledge_list_json,
    search_json,
    status_event,
    status_stream_ends,
    uploaded_file_json,
)
from services.gateway.routes import files, knowledge, retrieval
from services.gateway.settings import GatewaySettings
from services.gateway.state import GUARD, INGEST, SETTINGS
from webui.auth.v1 import auth_pb2
from webui.ingest.v1 import ingest_pb2

S = ingest_pb2


def a_file(**fields) -> ingest_pb2.File:
    base = {
        "id": "f1",
        "user_id": "u1",
        "filename": "a.txt",
        "status": S.FILE_STATUS_COMPLETED,
        "data_json": b'{"status":"completed","content":"hello","error":null}',
        "meta_json": b'{"name":"a.txt","content_type":"text/plain","size":5,"collection_name":"file-f1"}',
        "path": "postgres://files/f1",
        "hash": "abc",
        "created_at": 10,
        "updated_at": 11,
    }
    base.update(fields)
    return ingest_pb2.File(**base)


def a_knowledge(**fields) -> ingest_pb2.Knowledge:
    base = {
        "id": "k1",
        "user_id": "u1",
        "name": "kb",
        "description": "d",
        "access_grants_json": b"[]",
        "created_at": 1,
        "updated_at": 2,
        "file_count": 3,
        "write_access": True,
    }
    base.update(fields)
    return ingest_pb2.Knowledge(**base)


# -- files -------------------------------------------------------------------------------------


def test_file_json_with_and_without_path() -> None:
    file = a_file()
    body = file_json(file, path=True)
    assert list(body) == [
        "id",
        "user_id",
        "hash",
        "filename",
        "path",
        "data",
        "meta",
        "created_at",
        "updated_at",
    ]
    assert body["data"] == {"status": "completed", "content": "hello", "error": None}
    assert body["meta"]["collection_name"] == "file-f1"
    assert body["path"] == "postgres://files/f1"
    assert "path" not in file_json(file)


def test_file_json_empty_hash_and_data() -> None:
    body = file_json(a_file(hash="", data_json=b"", status=S.FILE_STATUS_UNSPECIFIED))
    assert body["hash"] is None
    assert body["data"] == {}
    assert file_json(a_file(), data=False)["data"] is None


def test_uploaded_file_json() -> None:
    file = a_file(hash="", data_json=b'{"status":"pending"}')
    body = uploaded_file_json(file, processed=True)
    assert list(body)[-2:] == ["status", "path"]
    assert body["status"] is True
    assert body["data"] == {"status": "pending"}
    unprocessed = uploaded_file_json(a_file(data_json=b"{}"), processed=False)
    assert "status" not in unprocessed
    assert unprocessed["data"] == {}
    assert unprocessed["path"] == "postgres://files/f1"


def test_file_list_json_strips_content_when_asked() -> None:
    page = ingest_pb2.ListFilesResponse(files=[a_file(), a_file(id="f2")], total=7)
    with_content = file_list_json(page, content=True)
    assert with_content["total"] == 7
    assert [i["id"] for i in with_content["items"]] == ["f1", "f2"]
    assert with_content["items"][0]["data"]["content"] == "hello"
    assert "path" not in with_content["items"][0]
    without = file_list_json(page, content=False)
    assert without["items"][0]["data"] == {"status": "completed", "error": None}


@pytest.mark.parametrize(
    ("status", "name"),
    [
        (S.FILE_STATUS_UNSPECIFIED, "pending"),
        (S.FILE_STATUS_PENDING, "pending"),
        (S.FILE_STATUS_PROCESSING, "processing"),
        (S.FILE_STATUS_COMPLETED, "completed"),
        (S.FILE_STATUS_FAILED, "failed"),
    ],
)
def test_file_status_json(status: int, name: str) -> None:
    assert file_status_json(status) == {"status": name}


def test_status_events() -> None:
    msg = ingest_pb2.WatchFileStatusResponse
    assert status_event(msg(status=S.FILE_STATUS_PROCESSING)) == b'data: {"status":"processing"}\n\n'
    assert status_event(msg(status=S.FILE_STATUS_COMPLETED)) == b'data: {"status":"completed"}\n\n'
    failed = msg(status=S.FILE_STATUS_FAILED, error="File type image/png is not supported for processing")
    assert status_event(failed) == (
        b'data: {"status":"failed","error":"File type image/png is not supported for processing"}\n\n'
    )
    assert status_event(msg(deleted=True)) == b'data: {"status":"not_found"}\n\n'
    assert [
        status_stream_ends(m) for m in (msg(status=S.FILE_STATUS_PENDING), failed, msg(deleted=True))
    ] == [
        False,
        True,
        True,
    ]


# -- knowledge ---------------------------------------------------------------------------------


def test_knowledge_shapes() -> None:
    k = a_knowledge(user=ingest_pb2.UserRef(id="u1", name="Ann", role="user", email="a@x"))
    created = knowledge_created_json(k)
    assert created == {
        "id": "k1",
        "user_id": "u1",
        "name": "kb",
        "description": "d",
        "meta": None,
        "access_grants": [],
        "created_at": 1,
        "updated_at": 2,
        "files": None,
    }
    assert knowledge_detail_json(k) == {**created, "write_access": True}
    listed = knowledge_list_json(ingest_pb2.ListKnowledgeResponse(items=[k], total=1))
    assert listed["total"] == 1
    [item] = listed["items"]
    assert item["user"] == {"id": "u1", "name": "Ann", "role": "user", "email": "a@x"}
    assert (item["file_count"], item["write_access"]) == (3, True)
    assert "files" not in item


def test_knowledge_meta_and_grants_parsed() -> None:
    grants = [{"principal_type": "user", "principal_id": "*", "permission": "read"}]
    k = a_knowledge(meta_json=b'{"x":1}', access_grants_json=json.dumps(grants).encode())
    body = knowledge_created_json(k)
    assert body["meta"] == {"x": 1}
    assert body["access_grants"] == grants
    assert knowledge_created_json(a_knowledge(access_grants_json=b""))["access_grants"] == []
    assert (
        knowledge_list_json(ingest_pb2.ListKnowledgeResponse(items=[a_knowledge()]))["items"][0]["user"]
        is None
    )


def test_knowledge_files_json_shows_each_files_status() -> None:
    pending = a_file(id="f2", hash="", status=S.FILE_STATUS_PENDING)
    body = knowledge_files_json(a_knowledge(write_access=False), [a_file(), pending])
    assert body["write_access"] is False
    assert body["files"][1] == {
        "id": "f2",
        "hash": None,
        "meta": json.loads(pending.meta_json),
        "created_at": 10,
        "updated_at": 11,
        "data": {"status": "pending"},
    }
    assert file_metadata_json(a_file())["data"] == {"status": "completed"}


def test_knowledge_file_page_json() -> None:
    page = ingest_pb2.ListKnowledgeFilesResponse(
        files=[a_file(), a_file(id="f2", user_id="gone")],
        total=2,
        owners={"u1": ingest_pb2.UserRef(id="u1", name="Ann", role="admin", email="a@x")},
    )
    body = knowledge_file_page_json(page, include_content=False)
    assert (body["directories"], body["breadcrumbs"], body["total"]) == ([], [], 2)
    first, second = body["items"]
    assert first["data"] is None
    assert "path" not in first
    assert (first["directory_id"], first["directory_path"], first["has_original"]) == (None, "", True)
    assert first["user"] == {"id": "u1", "name": "Ann", "role": "admin", "email": "a@x"}
    assert second["user"] is None
    assert knowledge_file_page_json(page, include_content=True)["items"][0]["data"]["content"] == "hello"


# -- retrieval ---------------------------------------------------------------------------------


def test_search_json() -> None:
    hits = [
        ingest_pb2.SearchHit(collection_name="k1", text="best", score=0.9, metadata_json=b'{"file_id":"f1"}'),
        ingest_pb2.SearchHit(collection_name="k1", text="next", score=0.5, metadata_json=b""),
    ]
    assert search_json(hits) == {
        "distances": [[0.9, 0.5]],
        "documents": [["best", "next"]],
        "metadatas": [[{"file_id": "f1"}, {}]],
    }
    assert search_json([]) == {"distances": [[]], "documents": [[]], "metadatas": [[]]}


@pytest.mark.parametrize(("k", "expected"), [(None, 0), (0, 0), (-3, 0), (5, 5), (2**40, 2**31 - 1)])
def test_top_k(k: int | None, expected: int) -> None:
    assert retrieval.top_k(k) == expected


# -- callers and permissions -------------------------------------------------------------------


def principal(role: int = auth_pb2.ROLE_USER) -> Principal:
    user = auth_pb2.User(id="u1", name="Ann", email="a@x", role=role)
    return Principal(user, auth_pb2.CREDENTIAL_KIND_JWT, "tok", 0)


def test_outgoing_metadata_presents_the_credential() -> None:
    metadata = dict(outgoing_metadata(principal().credential))
    assert metadata["authorization"] == "Bearer tok"
    assert "authorization" not in dict(outgoing_metadata())


# -- handlers with fakes -----------------------------------------------------------------------


def rpc_error(code: grpc.StatusCode, details: str = "") -> grpc.aio.AioRpcError:
    return grpc.aio.AioRpcError(code, grpc.aio.Metadata(), grpc.aio.Metadata(), details=details)


class FakeStreamCall:
    """A unary-stream call: yields ``items`` (an exception item is raised there)."""

    def __init__(self, items: list) -> None:
        self.items = items
        self.cancelled = False
        self.finished = False

    def __aiter__(self) -> AsyncIterator:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator:
        for item in self.items:
            if isinstance(item, Exception):
                self.finished = True
                raise item
            yield item
        self.finished = True

    def done(self) -> bool:
        return self.finished or self.cancelled

    def cancel(self) -> bool:
        self.cancelled = True
        return True


class FakeUploadCall:
    """A stream-unary UploadFile call that records what was written; it ends with ``error`` once
    ``fail_after`` messages were written."""

    def __init__(self, fail_after: int | None = None, error: Exception | None = None) -> None:
        self.written: list[ingest_pb2.UploadFileRequest] = []
        self.fail_after = fail_after
        self.error = error
        self.half_closed = False
        self.cancelled = False
        self.finished = False

    async def write(self, message: ingest_pb2.UploadFileRequest) -> None:
        if self.finished:
            raise asyncio.InvalidStateError("RPC already finished.")
        self.written.append(message)
        if self.fail_after is not None and len(self.written) >= self.fail_after:
            self.finished = True

    async def done_writing(self) -> None:
        self.half_closed = True

    def __await__(self):
        return self._result().__await__()

    async def _result(self) -> ingest_pb2.UploadFileResponse:
        self.finished = True
        if self.error is not None:
            raise self.error
        header = self.written[0].header
        return ingest_pb2.UploadFileResponse(
            file=a_file(filename=header.filename, data_json=b'{"status":"pending"}', hash="")
        )

    def done(self) -> bool:
        return self.finished or self.cancelled

    def cancel(self) -> bool:
        self.cancelled = True
        return True


class FakeIngest:
    def __init__(self) -> None:
        self.upload = FakeUploadCall()
        self.watch = FakeStreamCall([])
        self.content = FakeStreamCall([])
        self.created: list[tuple] = []

    def upload_file(self, principal: Principal) -> FakeUploadCall:
        self.uploader = principal
        return self.upload

    def watch_file_status(self, principal: Principal, file_id: str) -> FakeStreamCall:
        return self.watch

    def file_content(self, principal: Principal, file_id: str) -> FakeStreamCall:
        return self.content

    async def create_knowledge(self, principal: Principal, name: str, description: str, grants: bytes):
        self.created.append((name, description, grants))
        return a_knowledge(name=name, description=description)


class FakeGuard:
    def __init__(self, role: int = auth_pb2.ROLE_USER) -> None:
        self.principal = principal(role)

    async def require(self, request: web.Request, level) -> Principal:
        return self.principal


def make_app(role: int = auth_pb2.ROLE_USER, **settings: str) -> tuple[web.Application, FakeIngest]:
    app = web.Application()
    ingest = FakeIngest()
    app[SETTINGS] = GatewaySettings(**settings)
    app[GUARD] = FakeGuard(role)
    app[INGEST] = ingest
    app.freeze()
    return app, ingest


def payload_of(body: bytes) -> streams.StreamReader:
    protocol = mock.Mock(_reading_paused=False)
    reader = streams.StreamReader(protocol, 2**16, loop=asyncio.get_running_loop())
    reader.feed_data(body)
    reader.feed_eof()
    return reader


BOUNDARY = "XyZboundary"


def multipart(*parts: tuple[str, str | None, bytes, str | None]) -> bytes:
    """(name, filename, bytes, content type) parts as a multipart/form-data body."""
    out = b""
    for name, filename, data, content_type in parts:
        disposition = f'form-data; name="{name}"' + (
            f'; filename="{filename}"' if filename is not None else ""
        )
        out += f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\n".encode()
        if content_type:
            out += f"Content-Type: {content_type}\r\n".encode()
        out += b"\r\n" + data + b"\r\n"
    return out + f"--{BOUNDARY}--\r\n".encode()


def upload_request(app: web.Application, body: bytes, query: str = "", content_type: str | None = None):
    headers = {"Content-Type": content_type or f"multipart/form-data; boundary={BOUNDARY}"}
    return make_mocked_request(
        "POST", f"/api/v1/files/{query}", headers=headers, payload=payload_of(body), app=app
    )


def kinds(written: list[ingest_pb2.UploadFileRequest]) -> list[str]:
    return [m.WhichOneof("item") for m in written]


async def test_upload_streams_header_metadata_then_chunks() -> None:
    app, ingest = make_app()
    data = bytes(range(256)) * 2100  # a little over 2 × 256 KiB
    body = multipart(("metadata", None, b'{"a":1}', None), ("file", "x.bin", data, None))
    response = await files.upload_file(upload_request(app, body))
    written = ingest.upload.written
    assert kinds(written) == ["header", "metadata_json", "chunk", "chunk", "chunk"]
    header = written[0].header
    assert (header.filename, header.content_type, header.process, header.wait_for_processing) == (
        "x.bin",
        "application/octet-stream",
        True,
        False,
    )
    # The upload acts for the credential's user; no body field names one.
    assert ingest.uploader.credential == "tok"
    assert written[1].metadata_json == '{"a":1}'
    assert all(len(m.chunk) <= files.UPLOAD_CHUNK_BYTES for m in written[2:])
    assert b"".join(m.chunk for m in written[2:]) == data
    assert ingest.upload.half_closed
    reply = json.loads(response.body)
    assert reply["status"] is True
    assert reply["filename"] == "x.bin"
    assert reply["path"] == "postgres://files/f1"


async def test_upload_metadata_after_the_file_and_flags() -> None:
    app, ingest = make_app()
    body = multipart(("file", "notes.md", b"# hi", None), ("metadata", None, b'{"b":2}', None))
    response = await files.upload_file(
        upload_request(app, body, "?process=false&process_in_background=false")
    )
    written = ingest.upload.written
    assert kinds(written) == ["header", "chunk", "metadata_json"]
    assert written[0].header.content_type == "text/markdown"
    assert (written[0].header.process, written[0].header.wait_for_processing) == (False, False)
    assert "status" not in json.loads(response.body)


async def test_upload_wait_for_processing_and_declared_content_type() -> None:
    app, ingest = make_app()
    body = multipart(("file", "a.txt", b"hello", "text/csv"), ("metadata", None, b"", None))
    await files.upload_file(upload_request(app, body, "?process_in_background=false"))
    written = ingest.upload.written
    # An empty `metadata` field is absent, as FastAPI takes it.
    assert kinds(written) == ["header", "chunk"]
    assert (written[0].header.content_type, written[0].header.wait_for_processing) == ("text/csv", True)


async def test_upload_empty_file_sends_only_the_header() -> None:
    app, ingest = make_app()
    await files.upload_file(upload_request(app, multipart(("file", "empty.txt", b"", None))))
    assert kinds(ingest.upload.written) == ["header"]


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (multipart(("metadata", None, b"{}", None)), None),
        (b"", None),
        (b'{"file": "x"}', "application/json"),
    ],
)
async def test_upload_without_a_file_is_422(body: bytes, content_type: str | None) -> None:
    app, ingest = make_app()
    with pytest.raises(ApiError) as excinfo:
        await files.upload_file(upload_request(app, body, content_type=content_type))
    assert excinfo.value.status == 422
    assert excinfo.value.detail == [
        {"type": "missing", "loc": ["body", "file"], "msg": "Field required", "input": None}
    ]
    assert ingest.upload.written == []


async def test_upload_file_field_that_is_not_a_file_is_422() -> None:
    app, _ = make_app()
    with pytest.raises(ApiError) as excinfo:
        await files.upload_file(upload_request(app, multipart(("file", None, b"text", None))))
    assert excinfo.value.status == 422
    assert excinfo.value.detail[0]["type"] == "value_error"
    assert excinfo.value.detail[0]["input"] == "text"


async def test_upload_refused_by_the_service_stops_sending_and_raises_its_error() -> None:
    app, ingest = make_app()
    error = rpc_error(grpc.StatusCode.RESOURCE_EXHAUSTED, messages.file_too_large(1))
    ingest.upload = FakeUploadCall(fail_after=2, error=error)
    body = multipart(("file", "big.bin", b"x" * (files.UPLOAD_CHUNK_BYTES * 4), None))
    with pytest.raises(grpc.aio.AioRpcError) as excinfo:
        await files.upload_file(upload_request(app, body))
    assert excinfo.value is error
    assert kinds(ingest.upload.written) == ["header", "chunk"]
    assert not ingest.upload.half_closed


async def test_upload_over_the_size_limit_is_413_before_the_service_gets_the_excess() -> None:
    app, ingest = make_app(RAG_FILE_MAX_SIZE="1")
    body = multipart(("file", "big.bin", b"x" * (1024 * 1024 + 1), None))
    with pytest.raises(ApiError) as excinfo:
        await files.upload_file(upload_request(app, body))
    assert (excinfo.value.status, excinfo.value.detail) == (413, messages.file_too_large(1))
    sent = sum(len(m.chunk) for m in ingest.upload.written)
    assert sent <= 1024 * 1024 and ingest.upload.cancelled


async def test_upload_of_exactly_the_size_limit_is_passed_on() -> None:
    app, ingest = make_app(RAG_FILE_MAX_SIZE="1")
    await files.upload_file(upload_request(app, multipart(("file", "a.bin", b"x" * 1024 * 1024, None))))
    assert sum(len(m.chunk) for m in ingest.upload.written) == 1024 * 1024


async def test_upload_declaring_a_length_over_the_limit_is_413_unread() -> None:
    app, ingest = make_app(RAG_FILE_MAX_SIZE="1")
    headers = {
        "Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
        "Content-Length": str(4 * 1024 * 1024),
    }
    payload = payload_of(multipart(("file", "a.bin", b"x", None)))
    request = make_mocked_request("POST", "/api/v1/files/", headers=headers, payload=payload, app=app)
    with pytest.raises(ApiError) as excinfo:
        await files.upload_file(request)
    assert (excinfo.value.status, excinfo.value.detail) == (413, messages.file_too_large(1))
    assert ingest.upload.written == [] and not payload.at_eof()


async def test_upload_malformed_body_cancels_the_call() -> None:
    app, ingest = make_app()
    body = f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="a"\r\n\r\nabc'.encode()
    with pytest.raises(ApiError) as excinfo:
        await files.upload_file(upload_request(app, body))
    assert excinfo.value.status == 400
    assert ingest.upload.cancelled


async def test_create_knowledge_is_passed_to_the_ingest_service() -> None:
    """``workspace.knowledge`` (401 without it) is the ingest service's check, on the caller's
    verified permissions: the gateway passes a user's create on."""
    body = b'{"name":"kb","description":"d"}'
    for role in (auth_pb2.ROLE_USER, auth_pb2.ROLE_ADMIN):
        app, ingest = make_app(role)
        request = make_mocked_request(
            "POST",
            "/api/v1/knowledge/create",
            headers={"Content-Type": "application/json"},
            payload=payload_of(body),
            app=app,
        )
        response = await knowledge.create_knowledge(request)
        assert json.loads(response.body)["files"] is None
        assert ingest.created == [("kb", "d", b"")]


def test_knowledge_grants_json() -> None:
    assert knowledge.grants_json(knowledge.KnowledgeForm(name="a", description="b")) == b""
    form = knowledge.KnowledgeForm(name="a", description="b", access_grants=[])
    assert knowledge.grants_json(form) == b"[]"


def written_body(request: web.Request) -> bytes:
    return b"".join(call.args[0] for call in request.writer.write.call_args_list)


def status_request(app: web.Application) -> web.Request:
    return make_mocked_request(
        "GET", "/api/v1/files/f1/process/status?stream=true", app=app, match_info={"file_id": "f1"}
    )


async def test_status_stream_relays_until_completed() -> None:
    app, ingest = make_app()
    msg = ingest_pb2.WatchFileStatusResponse
    ingest.watch = FakeStreamCall(
        [
            msg(status=S.FILE_STATUS_PENDING),
            msg(status=S.FILE_STATUS_PROCESSING),
            msg(status=S.FILE_STATUS_COMPLETED),
        ]
    )
    request = status_request(app)
    response = await files.file_status(request)
    assert response.headers["Content-Type"] == "text/event-stream; charset=utf-8"
    assert written_body(request).endswith(
        b'data: {"status":"pending"}\n\ndata: {"status":"processing"}\n\ndata: {"status":"completed"}\n\n'
    )


async def test_status_stream_never_processed_is_empty() -> None:
    app, ingest = make_app()
    ingest.watch = FakeStreamCall([ingest_pb2.WatchFileStatusResponse(status=S.FILE_STATUS_UNSPECIFIED)])
    request = status_request(app)
    await files.file_status(request)
    assert b"data:" not in written_body(request)
    assert ingest.watch.cancelled


async def test_status_stream_unknown_file_fails_before_the_head() -> None:
    app, ingest = make_app()
    ingest.watch = FakeStreamCall([rpc_error(grpc.StatusCode.NOT_FOUND, messages.NOT_FOUND)])
    request = status_request(app)
    with pytest.raises(grpc.aio.AioRpcError):
        await files.file_status(request)
    assert not request.writer.write_headers.called


async def test_status_stream_deleted_file() -> None:
    app, ingest = make_app()
    msg = ingest_pb2.WatchFileStatusResponse
    ingest.watch = FakeStreamCall([msg(status=S.FILE_STATUS_PROCESSING), msg(deleted=True), msg()])
    request = status_request(app)
    await files.file_status(request)
    assert written_body(request).endswith(
        b'data: {"status":"processing"}\n\ndata: {"status":"not_found"}\n\n'
    )
    assert ingest.watch.cancelled


async def test_status_stream_cancelled_by_a_client_that_leaves() -> None:
    app, ingest = make_app()
    gate = asyncio.Event()

    class Hanging(FakeStreamCall):
        async def _iterate(self) -> AsyncIterator:
            yield ingest_pb2.WatchFileStatusResponse(status=S.FILE_STATUS_PROCESSING)
            await gate.wait()

    ingest.watch = Hanging([])
    task = asyncio.create_task(files.file_status(status_request(app)))
    await asyncio.sleep(0.05)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert ingest.watch.cancelled


@pytest.mark.parametrize(
    ("name", "content_type", "attachment", "expected_type", "disposition"),
    [
        ("doc.pdf", "application/pdf", False, "application/pdf", "inline; filename*=UTF-8''doc.pdf"),
        ("a.txt", "text/plain", False, "text/plain; charset=utf-8", None),
        ("a.txt", "text/plain", True, "text/plain; charset=utf-8", "attachment; filename*=UTF-8''a.txt"),
        ("d.md", "text/markdown", False, "text/markdown; charset=utf-8", "attachment; filename*=UTF-8''d.md"),
        ("x.pdf", "application/octet-stream", False, "application/pdf", "inline; filename*=UTF-8''x.pdf"),
        ("é ß.png", "", False, "image/png", "attachment; filename*=UTF-8''%C3%A9%20%C3%9F.png"),
    ],
)
def test_content_headers(
    name: str, content_type: str, attachment: bool, expected_type: str, disposition: str | None
) -> None:
    headers = files.content_headers(
        ingest_pb2.ContentHead(filename=name, content_type=content_type, size=42), attachment
    )
    assert headers["Content-Type"] == expected_type
    assert headers["Content-Length"] == "42"
    assert headers.get("Content-Disposition") == disposition
    assert headers["X-Content-Type-Options"] == "nosniff"


async def test_content_download_relays_head_and_chunks() -> None:
    app, ingest = make_app()
    ingest.content = FakeStreamCall(
        [
            ingest_pb2.GetFileContentResponse(
                head=ingest_pb2.ContentHead(filename="a.csv", content_type="text/csv", size=6)
            ),
            ingest_pb2.GetFileContentResponse(chunk=b"a,b\n"),
            ingest_pb2.GetFileContentResponse(chunk=b"1,"),
        ]
    )
    request = make_mocked_request("GET", "/api/v1/files/f1/content", app=app, match_info={"file_id": "f1"})
    response = await files.get_file_content(request)
    assert written_body(request) == b"a,b\n1,"
    assert response.headers["Content-Disposition"] == "attachment; filename*=UTF-8''a.csv"
    assert response.headers["Content-Length"] == "6"
