"""JSON shapes of files, knowledge collections and search results, as Open WebUI returns them,
built from IngestService's messages."""

from collections.abc import Mapping

import orjson

from services.gateway.http_errors import dumps
from webui.ingest.v1 import ingest_pb2, knowledge_sync_pb2

STATUS_NAMES = {
    ingest_pb2.FILE_STATUS_PENDING: "pending",
    ingest_pb2.FILE_STATUS_PROCESSING: "processing",
    ingest_pb2.FILE_STATUS_COMPLETED: "completed",
    ingest_pb2.FILE_STATUS_FAILED: "failed",
    ingest_pb2.FILE_STATUS_CANCELLED: "cancelled",
}
# The statuses after which a file's status no longer changes.
FINAL_STATUSES = (
    ingest_pb2.FILE_STATUS_COMPLETED,
    ingest_pb2.FILE_STATUS_FAILED,
    ingest_pb2.FILE_STATUS_CANCELLED,
)


def status_name(status: int) -> str:
    """A file's status as Open WebUI shows it; a file never processed (``process=false``) reads
    ``pending``, as ``data.get("status", "pending")`` does there."""
    return STATUS_NAMES.get(status, "pending")


def _json(raw: bytes, empty: object) -> object:
    return orjson.loads(raw) if raw else empty


# -- files -----------------------------------------------------------------------------------------


def file_json(file: ingest_pb2.File, *, path: bool = False, data: bool = True) -> dict:
    """FileModel (``path=True``) or FileModelResponse; ``data=False`` shows ``data`` as null (what
    a knowledge file list shows unless asked for content)."""
    body: dict = {
        "id": file.id,
        "user_id": file.user_id,
        "hash": file.hash or None,
        "filename": file.filename,
    }
    if path:
        body["path"] = file.path
    body["data"] = _json(file.data_json, {}) if data else None
    body["meta"] = _json(file.meta_json, {})
    body["created_at"] = file.created_at
    body["updated_at"] = file.updated_at
    return body


def uploaded_file_json(file: ingest_pb2.File, processed: bool) -> dict:
    """The upload reply: the file, ``"status": true`` when it was queued for processing, and its path."""
    body = file_json(file)
    if processed:
        body["status"] = True
    body["path"] = file.path
    return body


def file_list_json(page: ingest_pb2.ListFilesResponse, content: bool) -> dict:
    """``GET /api/v1/files/``; ``content=False`` strips ``data.content``."""
    items = []
    for file in page.files:
        item = file_json(file)
        if not content and isinstance(item["data"], dict):
            item["data"].pop("content", None)
        items.append(item)
    return {"items": items, "total": page.total}


def file_status_json(status: int) -> dict:
    """``GET /api/v1/files/{id}/process/status`` (the JSON form carries no error)."""
    return {"status": status_name(status)}


def status_event(message: ingest_pb2.WatchFileStatusResponse) -> bytes:
    """One SSE event of the streamed status."""
    if message.deleted:
        body: dict = {"status": "not_found"}
    else:
        body = {"status": status_name(message.status)}
        if message.status in (ingest_pb2.FILE_STATUS_FAILED, ingest_pb2.FILE_STATUS_CANCELLED):
            body["error"] = message.error
    return f"data: {dumps(body)}\n\n".encode()


def status_stream_ends(message: ingest_pb2.WatchFileStatusResponse) -> bool:
    """Whether ``message`` is the last event of the streamed status."""
    return message.deleted or message.status in FINAL_STATUSES


# -- knowledge -------------------------------------------------------------------------------------


def user_ref_json(user: ingest_pb2.UserRef) -> dict:
    return {"id": user.id, "name": user.name, "role": user.role, "email": user.email}


def knowledge_json(knowledge: ingest_pb2.Knowledge) -> dict:
    """KnowledgeModel."""
    return {
        "id": knowledge.id,
        "user_id": knowledge.user_id,
        "name": knowledge.name,
        "description": knowledge.description,
        "meta": _json(knowledge.meta_json, None),
        "access_grants": _json(knowledge.access_grants_json, []),
        "created_at": knowledge.created_at,
        "updated_at": knowledge.updated_at,
    }


def knowledge_list_item_json(knowledge: ingest_pb2.Knowledge) -> dict:
    """An item of ``GET /api/v1/knowledge/``: the model, its owner, file count and write access."""
    return {
        **knowledge_json(knowledge),
        "user": user_ref_json(knowledge.user) if knowledge.HasField("user") else None,
        "file_count": knowledge.file_count,
        "write_access": knowledge.write_access,
    }


def knowledge_list_json(page: ingest_pb2.ListKnowledgeResponse) -> dict:
    return {"items": [knowledge_list_item_json(k) for k in page.items], "total": page.total}


def knowledge_created_json(knowledge: ingest_pb2.Knowledge) -> dict:
    """KnowledgeResponse (create, reset): the model with ``files: null``."""
    return {**knowledge_json(knowledge), "files": None}


def knowledge_detail_json(knowledge: ingest_pb2.Knowledge) -> dict:
    """``GET /api/v1/knowledge/{id}``: KnowledgeFilesResponse with ``files: null``."""
    return {**knowledge_json(knowledge), "files": None, "write_access": knowledge.write_access}


def file_metadata_json(file: ingest_pb2.File) -> dict:
    """FileMetadataResponse, plus ``data.status`` so that a caller sees which files are still
    being processed."""
    return {
        "id": file.id,
        "hash": file.hash or None,
        "meta": _json(file.meta_json, {}),
        "created_at": file.created_at,
        "updated_at": file.updated_at,
        "data": {"status": status_name(file.status)},
    }


def knowledge_files_json(knowledge: ingest_pb2.Knowledge, files: list[ingest_pb2.File]) -> dict:
    """KnowledgeFilesResponse with its files (update and the file routes)."""
    return {
        **knowledge_json(knowledge),
        "files": [file_metadata_json(f) for f in files],
        "write_access": knowledge.write_access,
    }


def knowledge_file_page_json(
    page: ingest_pb2.ListKnowledgeFilesResponse | knowledge_sync_pb2.ListKnowledgeFolderResponse,
    include_content: bool,
    *,
    placed: Mapping[str, str] | None = None,
    paths: Mapping[str, str] | None = None,
    directories: list[dict] | None = None,
    breadcrumbs: list[dict] | None = None,
) -> dict:
    """``GET /api/v1/knowledge/{id}/files``: each file with its directory (``placed``: file id to
    directory id, ``paths``: directory id to path; a file at the root has none), and a folder
    view's subdirectories and breadcrumbs."""
    placed, paths = placed or {}, paths or {}
    items = []
    for file in page.files:
        owner = page.owners.get(file.user_id, None)
        directory_id = placed.get(file.id)
        items.append(
            {
                **file_json(file, data=include_content),
                "directory_id": directory_id,
                "directory_path": paths.get(directory_id, "") if directory_id else "",
                "has_original": True,
                "user": user_ref_json(owner) if owner is not None else None,
            }
        )
    return {
        "items": items,
        "directories": directories or [],
        "breadcrumbs": breadcrumbs or [],
        "total": page.total,
    }


# -- retrieval -------------------------------------------------------------------------------------


def search_json(hits: list[ingest_pb2.SearchHit]) -> dict:
    """Chroma's query result for one query: one inner list each, best first."""
    return {
        "distances": [[hit.score for hit in hits]],
        "documents": [[hit.text for hit in hits]],
        "metadatas": [[_json(hit.metadata_json, {}) for hit in hits]],
    }
