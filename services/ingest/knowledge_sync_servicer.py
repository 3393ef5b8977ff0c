"""KnowledgeSyncService over gRPC: converts protobuf to core calls and back, nothing more."""

from services.common import errors
from services.ingest.knowledge_sync_core import KnowledgeSyncCore
from services.ingest.servicer import caller_of, file_pb, user_pb
from services.ingest.sync_diff import DirectoryRecord, ManifestEntry
from webui.ingest.v1 import knowledge_sync_pb2 as pb
from webui.ingest.v1 import knowledge_sync_pb2_grpc


def directory_pb(record: DirectoryRecord) -> pb.KnowledgeDirectory:
    return pb.KnowledgeDirectory(
        id=record.id,
        knowledge_id=record.knowledge_id,
        parent_id=record.parent_id or "",
        name=record.name,
        user_id=record.user_id,
        created_at=record.created_at,
        updated_at=record.updated_at,
    )


class KnowledgeSyncServicer(knowledge_sync_pb2_grpc.KnowledgeSyncServiceServicer):
    def __init__(self, core: KnowledgeSyncCore) -> None:
        self._core = core

    async def CreateKnowledgeDirectory(self, request, context):  # noqa: N802
        record = await self._core.create_directory(
            caller_of(), request.knowledge_id, request.name, request.parent_id or None
        )
        return pb.CreateKnowledgeDirectoryResponse(directory=directory_pb(record))

    async def UpdateKnowledgeDirectory(self, request, context):  # noqa: N802
        record = await self._core.update_directory(
            caller_of(),
            request.knowledge_id,
            request.directory_id,
            request.name if request.HasField("name") else None,
            request.move,
            request.parent_id or None,
        )
        return pb.UpdateKnowledgeDirectoryResponse(directory=directory_pb(record))

    async def DeleteKnowledgeDirectory(self, request, context):  # noqa: N802
        await self._core.delete_directory(
            caller_of(), request.knowledge_id, request.directory_id, request.move_files
        )
        return pb.DeleteKnowledgeDirectoryResponse()

    async def ClearKnowledgeDirectories(self, request, context):  # noqa: N802
        await self._core.clear_directories(caller_of(), request.knowledge_id)
        return pb.ClearKnowledgeDirectoriesResponse()

    async def MoveKnowledgeFile(self, request, context):  # noqa: N802
        await self._core.move_file(
            caller_of(), request.knowledge_id, request.file_id, request.directory_id or None
        )
        return pb.MoveKnowledgeFileResponse()

    async def PlaceKnowledgeFiles(self, request, context):  # noqa: N802
        placements = [(p.file_id, p.directory_id) for p in request.placements if p.directory_id]
        await self._core.place_files(caller_of(), request.knowledge_id, placements, request.check_only)
        return pb.PlaceKnowledgeFilesResponse()

    async def GetKnowledgeFileDirectories(self, request, context):  # noqa: N802
        placed, paths = await self._core.describe_files(
            caller_of(), request.knowledge_id, list(request.file_ids)
        )
        return pb.GetKnowledgeFileDirectoriesResponse(file_directories=placed, directory_paths=paths)

    async def ListKnowledgeFolder(self, request, context):  # noqa: N802
        page = await self._core.folder(
            caller_of(),
            request.knowledge_id,
            request.directory_id or None,
            request.page,
            request.page_size or 30,
            request.include_content,
        )
        return pb.ListKnowledgeFolderResponse(
            files=[file_pb(f, request.include_content) for f in page.files],
            total=page.total,
            owners={uid: user_pb(u) for uid, u in page.owners.items()},
            directories=[directory_pb(d) for d in page.directories],
            breadcrumbs=[directory_pb(d) for d in page.breadcrumbs],
            path=page.path,
        )

    async def DiffKnowledgeSync(self, request, context):  # noqa: N802
        columns = (request.filenames, request.paths, request.checksums, request.sizes)
        if len({len(c) for c in columns}) > 1:
            raise errors.InvalidArgument("filenames, paths, checksums and sizes must have one length")
        manifest = [ManifestEntry(f, p, c, s) for f, p, c, s in zip(*columns, strict=True)]
        diff = await self._core.diff(caller_of(), request.knowledge_id, manifest)
        return pb.DiffKnowledgeSyncResponse(
            added=[pb.SyncAddedFile(filename=f, path=p) for f, p in diff.added],
            modified=[pb.SyncModifiedFile(filename=f, path=p, stale_file_id=s) for f, p, s in diff.modified],
            deleted=[pb.SyncDeletedFile(file_id=i, filename=f) for i, f in diff.deleted],
            mkdir=diff.mkdir,
            rmdir=diff.rmdir,
            unmodified_count=diff.unmodified_count,
            directory_map=diff.directory_map,
        )

    async def CleanupKnowledgeSync(self, request, context):  # noqa: N802
        await self._core.cleanup(
            caller_of(), request.knowledge_id, list(request.file_ids), list(request.directory_ids)
        )
        return pb.CleanupKnowledgeSyncResponse()
