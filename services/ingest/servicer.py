"""IngestService over gRPC: converts protobuf to core calls and back, nothing more."""

from collections.abc import AsyncIterator

import orjson

from services.common import errors
from services.common.grpc_identity import current_identity, require_verified
from services.common.identity import Identity
from services.common.usage.limiter import Limiter
from services.ingest.documents_core import DocumentsCore
from services.ingest.files_core import ClientMetadata, FilesCore, StatusUpdate, UploadHeader
from services.ingest.knowledge_core import KnowledgeCore, KnowledgeWithFiles
from services.ingest.models import FileRecord, FileStatus, KnowledgeRecord, UserRef
from services.ingest.search_core import SearchCore
from services.ingest.shapes import file_data, file_meta, storage_path
from webui.ingest.v1 import ingest_pb2, ingest_pb2_grpc

_STATUS_TO_PB = {
    None: ingest_pb2.FILE_STATUS_UNSPECIFIED,
    FileStatus.PENDING: ingest_pb2.FILE_STATUS_PENDING,
    FileStatus.PROCESSING: ingest_pb2.FILE_STATUS_PROCESSING,
    FileStatus.COMPLETED: ingest_pb2.FILE_STATUS_COMPLETED,
    FileStatus.FAILED: ingest_pb2.FILE_STATUS_FAILED,
    FileStatus.CANCELLED: ingest_pb2.FILE_STATUS_CANCELLED,
}


def caller_of() -> Identity:
    """The verified user the call acts for (its credential, resolved by the interceptor)."""
    return require_verified(current_identity())


def file_pb(record: FileRecord, include_content: bool = False) -> ingest_pb2.File:
    return ingest_pb2.File(
        id=record.id,
        user_id=record.user_id,
        hash=record.hash or "",
        filename=record.filename,
        status=_STATUS_TO_PB[record.status],
        error=record.error or "",
        data_json=orjson.dumps(file_data(record, include_content)),
        meta_json=orjson.dumps(file_meta(record)),
        path=storage_path(record.id),
        created_at=record.created_at,
        updated_at=record.updated_at,
    )


def user_pb(user: UserRef) -> ingest_pb2.UserRef:
    return ingest_pb2.UserRef(id=user.id, name=user.name, role=user.role, email=user.email)


def knowledge_pb(record: KnowledgeRecord, write_access: bool = False) -> ingest_pb2.Knowledge:
    return ingest_pb2.Knowledge(
        id=record.id,
        user_id=record.user_id,
        name=record.name,
        description=record.description,
        meta_json=orjson.dumps(record.meta) if record.meta is not None else b"",
        access_grants_json=orjson.dumps(record.access_grants),
        created_at=record.created_at,
        updated_at=record.updated_at,
        user=user_pb(record.owner) if record.owner else None,
        file_count=record.file_count,
        write_access=write_access,
    )


def _status_pb(update: StatusUpdate) -> ingest_pb2.WatchFileStatusResponse:
    return ingest_pb2.WatchFileStatusResponse(
        status=_STATUS_TO_PB[update.status], error=update.error or "", deleted=update.deleted
    )


class IngestServicer(ingest_pb2_grpc.IngestServiceServicer):
    def __init__(
        self,
        files: FilesCore,
        knowledge: KnowledgeCore,
        search: SearchCore,
        documents: DocumentsCore,
        limiter: Limiter | None = None,
    ) -> None:
        self._files = files
        # Uploads are refused (429) while a token budget of the caller is spent; the tokens a file
        # embeds are charged by the FileProcessor.
        self._limiter = limiter
        self._knowledge = knowledge
        self._search = search
        self._documents = documents

    async def UploadFile(self, request_iterator, context):  # noqa: N802 - gRPC method names
        stream = aiter(request_iterator)
        first = await anext(stream, None)
        if first is None or first.WhichOneof("item") != "header":
            raise errors.InvalidArgument("an upload starts with its header")
        h = first.header
        header = UploadHeader(
            caller_of(),
            h.filename,
            h.content_type,
            h.process,
            h.wait_for_processing,
            batch_id=h.batch_id,
            callback_url=h.callback_url,
        )
        if self._limiter is not None:
            await self._limiter.refuse_if_spent(header.caller)

        async def items() -> AsyncIterator[bytes | ClientMetadata]:
            async for message in stream:
                kind = message.WhichOneof("item")
                if kind == "chunk":
                    yield message.chunk
                elif kind == "metadata_json":
                    yield ClientMetadata(message.metadata_json)
                else:
                    raise errors.InvalidArgument("an upload has one header")

        record = await self._files.upload(header, items())
        return ingest_pb2.UploadFileResponse(file=file_pb(record, include_content=True))

    async def GetFile(self, request, context):  # noqa: N802
        record = await self._files.readable(caller_of(), request.file_id, request.include_content)
        return ingest_pb2.GetFileResponse(file=file_pb(record, request.include_content))

    async def ListFiles(self, request, context):  # noqa: N802
        files, total = await self._files.list_files(
            caller_of(), request.page, request.page_size or 50, request.include_content
        )
        return ingest_pb2.ListFilesResponse(
            files=[file_pb(f, request.include_content) for f in files], total=total
        )

    async def DeleteFile(self, request, context):  # noqa: N802
        await self._files.delete(caller_of(), request.file_id)
        return ingest_pb2.DeleteFileResponse()

    async def GetFileContent(self, request, context):  # noqa: N802
        record, parts = await self._files.content(caller_of(), request.file_id)
        yield ingest_pb2.GetFileContentResponse(
            head=ingest_pb2.ContentHead(
                filename=record.filename, content_type=record.content_type, size=record.size
            )
        )
        async for part in parts:
            yield ingest_pb2.GetFileContentResponse(chunk=part)

    async def WatchFileStatus(self, request, context):  # noqa: N802
        async for update in self._files.watch(caller_of(), request.file_id):
            yield _status_pb(update)

    async def CreateKnowledge(self, request, context):  # noqa: N802
        record = await self._knowledge.create(
            caller_of(), request.name, request.description, request.access_grants_json
        )
        return ingest_pb2.CreateKnowledgeResponse(knowledge=knowledge_pb(record, write_access=True))

    async def ListKnowledge(self, request, context):  # noqa: N802
        caller = caller_of()
        items, total = await self._knowledge.list_knowledge(caller, request.page, request.page_size or 30)
        return ingest_pb2.ListKnowledgeResponse(
            items=[knowledge_pb(k, self._knowledge.writable_by(caller, k)) for k in items], total=total
        )

    async def GetKnowledge(self, request, context):  # noqa: N802
        caller = caller_of()
        record = await self._knowledge.get(caller, request.knowledge_id)
        return ingest_pb2.GetKnowledgeResponse(
            knowledge=knowledge_pb(record, self._knowledge.writable_by(caller, record))
        )

    async def UpdateKnowledge(self, request, context):  # noqa: N802
        result = await self._knowledge.update(
            caller_of(),
            request.knowledge_id,
            request.name,
            request.description,
            request.access_grants_json,
        )
        return ingest_pb2.UpdateKnowledgeResponse(
            knowledge=knowledge_pb(result.knowledge, result.write_access)
        )

    async def UpdateKnowledgeAccess(self, request, context):  # noqa: N802
        result = await self._knowledge.update_access(
            caller_of(), request.knowledge_id, request.access_grants_json
        )
        return ingest_pb2.UpdateKnowledgeAccessResponse(**_with_files(result))

    async def DeleteKnowledge(self, request, context):  # noqa: N802
        await self._knowledge.delete(caller_of(), request.knowledge_id)
        return ingest_pb2.DeleteKnowledgeResponse()

    async def ResetKnowledge(self, request, context):  # noqa: N802
        record = await self._knowledge.reset(caller_of(), request.knowledge_id)
        return ingest_pb2.ResetKnowledgeResponse(knowledge=knowledge_pb(record, write_access=True))

    async def AddKnowledgeFiles(self, request, context):  # noqa: N802
        result = await self._knowledge.add_files(
            caller_of(), request.knowledge_id, list(request.file_ids), request.batch
        )
        return ingest_pb2.AddKnowledgeFilesResponse(**_with_files(result))

    async def UpdateKnowledgeFile(self, request, context):  # noqa: N802
        if self._limiter is not None:
            await self._limiter.refuse_if_spent(caller_of())
        result = await self._knowledge.update_file(caller_of(), request.knowledge_id, request.file_id)
        return ingest_pb2.UpdateKnowledgeFileResponse(**_with_files(result))

    async def RemoveKnowledgeFile(self, request, context):  # noqa: N802
        result = await self._knowledge.remove_file(
            caller_of(), request.knowledge_id, request.file_id, request.delete_file
        )
        return ingest_pb2.RemoveKnowledgeFileResponse(**_with_files(result))

    async def ListKnowledgeFiles(self, request, context):  # noqa: N802
        files, total, owners = await self._knowledge.files_page(
            caller_of(),
            request.knowledge_id,
            request.page,
            request.page_size or 50,
            request.include_content,
        )
        return ingest_pb2.ListKnowledgeFilesResponse(
            files=[file_pb(f, request.include_content) for f in files],
            total=total,
            owners={uid: user_pb(u) for uid, u in owners.items()},
        )

    async def Search(self, request, context):  # noqa: N802
        hits = await self._search.search(
            caller_of(),
            list(request.collection_names),
            list(request.queries),
            request.k,
            request.hybrid,
        )
        return ingest_pb2.SearchResponse(
            hits=[
                ingest_pb2.SearchHit(
                    collection_name=h.collection_name,
                    text=h.text,
                    score=h.score,
                    metadata_json=orjson.dumps(h.metadata),
                )
                for h in hits
            ]
        )

    async def ReadDocuments(self, request, context):  # noqa: N802
        documents = await self._documents.read(caller_of(), list(request.collection_names))
        return ingest_pb2.ReadDocumentsResponse(
            documents=[
                ingest_pb2.Document(
                    collection_name=d.collection_name, text=d.text, metadata_json=orjson.dumps(d.metadata)
                )
                for d in documents
            ]
        )


def _with_files(result: KnowledgeWithFiles) -> dict:
    return {
        "knowledge": knowledge_pb(result.knowledge, result.write_access),
        "files": [file_pb(f) for f in result.files],
    }
