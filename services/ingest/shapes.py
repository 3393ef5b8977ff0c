"""A file's `data` and `meta` objects and its chunks' metadata, as Open WebUI shows them."""

from services.ingest.embedder import MODEL_NAME
from services.ingest.models import FileRecord, FileStatus

STORAGE_PATH_PREFIX = "postgres://ingest_file_part/"


def file_data(record: FileRecord, include_content: bool) -> dict:
    """``{}`` for a file never processed, ``{"status"}`` while it waits or runs, with ``content``
    and ``error`` once it ended."""
    if record.status is None:
        return {}
    data: dict = {"status": record.status.value}
    if record.status is FileStatus.COMPLETED:
        if include_content:
            data["content"] = record.content or ""
        data["error"] = None
    elif record.status in (FileStatus.FAILED, FileStatus.CANCELLED):
        data["error"] = record.error
    return data


def file_meta(record: FileRecord) -> dict:
    meta = {
        "name": record.filename,
        "content_type": record.content_type,
        "size": record.size,
        "file_hash": record.file_hash,
        "data": record.client_meta,
    }
    if record.status is FileStatus.COMPLETED:
        meta["collection_name"] = record.collection_name
    return meta


def storage_path(file_id: str) -> str:
    return f"{STORAGE_PATH_PREFIX}{file_id}"


def chunk_metadata(record: FileRecord, loader_metadata: dict, start_index: int, text_hash: str) -> dict:
    """Loader metadata, then the file's, as Open WebUI's ``process_file`` stores them."""
    return {
        **loader_metadata,
        "name": record.filename,
        "content_type": record.content_type,
        "created_by": record.user_id,
        "file_id": record.id,
        "source": record.filename,
        "hash": text_hash,
        "start_index": start_index,
        "embedding_config": {"engine": "", "model": MODEL_NAME},
    }
